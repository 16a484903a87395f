// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once

// Network byte order and the wire formats packet programs parse: Ethernet,
// IPv4, IPv6, TCP and UDP headers, laid out as on the wire (RFC 791, 8200,
// 9293, 768; IEEE 802.3). The same types build and check packets in user
// space (tests feeding bpfxx::test_run, say). Field names follow the
// kernel's so C code ports line by line; multi-byte fields are be16/be32,
// which do not compare with host-order numbers by accident.

#include "types.hpp"

#if defined(__bpf__)
// Methods of types that may reach BTF must not reach DWARF (bpfxx/types.hpp).
#define BPFXX_NET_METHOD [[gnu::always_inline, gnu::nodebug]] constexpr
#else
#define BPFXX_NET_METHOD constexpr
#endif

namespace bpfxx::net {

inline constexpr bool host_is_big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

BPFXX_NET_METHOD u16 htons(u16 v) { return host_is_big_endian ? v : __builtin_bswap16(v); }
BPFXX_NET_METHOD u16 ntohs(u16 v) { return htons(v); }
BPFXX_NET_METHOD u32 htonl(u32 v) { return host_is_big_endian ? v : __builtin_bswap32(v); }
BPFXX_NET_METHOD u32 ntohl(u32 v) { return htonl(v); }

// A number as the wire stores it (big-endian). raw is the bytes as they
// are; value() is the number. Build one from a host-order number with
// from(): `udp->dest == be16::from(53)`.
template <class T>
struct big_endian {
    T raw;
    BPFXX_NET_METHOD T value() const {
        if constexpr (sizeof(T) == 2)
            return htons(raw);
        else
            return htonl(raw);
    }
    BPFXX_NET_METHOD static big_endian from(T host) { return big_endian{big_endian{host}.value()}; }
    BPFXX_NET_METHOD friend bool operator==(big_endian a, big_endian b) { return a.raw == b.raw; }
};
using be16 = big_endian<u16>;
using be32 = big_endian<u32>;
static_assert(sizeof(be16) == 2 && alignof(be16) == 2 && sizeof(be32) == 4 && alignof(be32) == 4);

// EtherType values (h_proto).
namespace ethertype {
inline constexpr be16 ipv4 = be16::from(0x0800);
inline constexpr be16 arp = be16::from(0x0806);
inline constexpr be16 vlan = be16::from(0x8100);
inline constexpr be16 ipv6 = be16::from(0x86dd);
} // namespace ethertype

// IP protocol numbers (iphdr::protocol, ipv6hdr::nexthdr).
enum class ip_protocol : u8 { icmp = 1, tcp = 6, udp = 17, icmpv6 = 58 };

inline constexpr u32 eth_alen = 6;

struct ethhdr {
    u8 h_dest[eth_alen];
    u8 h_source[eth_alen];
    be16 h_proto;
};
static_assert(sizeof(ethhdr) == 14);

struct iphdr {
    u8 version_ihl;  // version in the high nibble, header length in 32-bit words in the low
    u8 tos;
    be16 tot_len;
    be16 id;
    be16 frag_off;  // flags in the top 3 bits, fragment offset in 8-byte units
    u8 ttl;
    ip_protocol protocol;
    u16 check;  // one's complement sum: byte order does not matter to it
    be32 saddr;
    be32 daddr;

    BPFXX_NET_METHOD u8 version() const { return version_ihl >> 4; }
    // Header length in bytes, options included (20 to 60 when valid).
    BPFXX_NET_METHOD u32 header_length() const { return (version_ihl & 0x0fu) * 4u; }
    // Part of a fragmented datagram (more fragments follow, or an offset):
    // its transport header is incomplete or elsewhere. first_fragment_or_whole()
    // tells whether this one starts with it.
    BPFXX_NET_METHOD bool is_fragment() const { return (frag_off.value() & 0x3fffu) != 0; }
    BPFXX_NET_METHOD bool first_fragment_or_whole() const { return (frag_off.value() & 0x1fffu) == 0; }
};
static_assert(sizeof(iphdr) == 20);

struct ipv6hdr {
    u8 priority_version;  // version in the high nibble
    u8 flow_lbl[3];
    be16 payload_len;
    ip_protocol nexthdr;
    u8 hop_limit;
    u8 saddr[16];
    u8 daddr[16];

    BPFXX_NET_METHOD u8 version() const { return priority_version >> 4; }
};
static_assert(sizeof(ipv6hdr) == 40);

struct tcphdr {
    be16 source;
    be16 dest;
    be32 seq;
    be32 ack_seq;
    u8 doff_res;  // data offset in 32-bit words in the high nibble
    u8 flags;     // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80
    be16 window;
    u16 check;
    be16 urg_ptr;

    static constexpr u8 fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
    // Header length in bytes, options included (20 to 60 when valid).
    BPFXX_NET_METHOD u32 header_length() const { return (doff_res >> 4) * 4u; }
    BPFXX_NET_METHOD bool has(u8 flag) const { return (flags & flag) != 0; }
};
static_assert(sizeof(tcphdr) == 20);

struct udphdr {
    be16 source;
    be16 dest;
    be16 len;
    u16 check;
};
static_assert(sizeof(udphdr) == 8);

// The Internet checksum (RFC 1071) of `size` bytes, folded to 16 bits and
// complemented, in the byte order of the data: store it as is.
BPFXX_NET_METHOD u16 internet_checksum(const u8* data, u32 size, u32 sum = 0) {
    for (u32 i = 0; i + 1 < size; i += 2) sum += static_cast<u32>(data[i] | data[i + 1] << 8);
    if (size % 2 != 0) sum += data[size - 1];
    while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
    const u16 folded = static_cast<u16>(~sum & 0xffffu);
    return host_is_big_endian ? __builtin_bswap16(folded) : folded;
}

} // namespace bpfxx::net
