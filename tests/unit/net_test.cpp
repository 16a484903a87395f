// SPDX-License-Identifier: MIT OR Apache-2.0
// The wire formats and byte order of bpfxx/shared/net.hpp, checked against
// real header bytes, and the mount-table reading behind cgroup2_mount().
#include <bpfxx/detail/mounts.hpp>
#include <bpfxx/shared/net.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstring>

namespace {

namespace net = bpfxx::net;
using bpfxx::u8;

static_assert(net::htons(0x1234) == 0x3412 && net::ntohl(0x12345678u) == 0x78563412u);
static_assert(net::be16::from(0x0800).value() == 0x0800);
static_assert(net::ethertype::ipv4 == net::be16::from(0x0800));
// A network-order field does not compare with a host-order number.
template <class A, class B>
concept comparable = requires(A a, B b) { a == b; };
static_assert(!comparable<net::be16, int> && !comparable<net::be32, unsigned>);
static_assert(comparable<net::be16, net::be16>);

// An IPv4 header (20 bytes: UDP, 192.168.0.1 -> 192.168.0.199, checksum
// 0xb861), then a TCP header with options (32 bytes, SYN).
constexpr std::array<u8, 20> ipv4 = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

TEST(NetHeaders, Ipv4FieldsReadAsOnTheWire) {
    net::iphdr ip;
    std::memcpy(&ip, ipv4.data(), sizeof ip);
    EXPECT_EQ(ip.version(), 4);
    EXPECT_EQ(ip.header_length(), 20u);
    EXPECT_EQ(ip.tot_len.value(), 0x73);
    EXPECT_EQ(ip.protocol, net::ip_protocol::udp);
    EXPECT_FALSE(ip.is_fragment()) << "DF set, offset 0";
    EXPECT_EQ(ip.saddr.value(), 0xc0a80001u);
    EXPECT_EQ(ip.daddr, net::be32::from(0xc0a800c7u));
    ip.frag_off = net::be16::from(0x2000);  // more fragments
    EXPECT_TRUE(ip.is_fragment());
}

TEST(NetHeaders, InternetChecksumMatchesTheHeaders) {
    auto bytes = ipv4;
    bytes[10] = bytes[11] = 0;
    const bpfxx::u16 sum = net::internet_checksum(bytes.data(), bytes.size());
    std::memcpy(&bytes[10], &sum, 2);
    EXPECT_EQ(bytes, ipv4) << "stored as computed, it is the header's checksum";
    // A header with its checksum in sums to zero.
    EXPECT_EQ(net::internet_checksum(ipv4.data(), ipv4.size()), 0);
    // An odd length pads with a zero byte.
    const u8 odd[3] = {0x01, 0x02, 0x03};
    const u8 even[4] = {0x01, 0x02, 0x03, 0x00};
    EXPECT_EQ(net::internet_checksum(odd, 3), net::internet_checksum(even, 4));
}

TEST(NetHeaders, TcpAndUdpHeaders) {
    const std::array<u8, 20> syn = {0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0x02, 0xfa, 0xf0, 0, 0, 0, 0};
    net::tcphdr tcp;
    std::memcpy(&tcp, syn.data(), sizeof tcp);
    EXPECT_EQ(tcp.source.value(), 40000);
    EXPECT_EQ(tcp.dest.value(), 80);
    EXPECT_EQ(tcp.header_length(), 32u);
    EXPECT_TRUE(tcp.has(net::tcphdr::syn));
    EXPECT_FALSE(tcp.has(net::tcphdr::ack));
    EXPECT_EQ(tcp.seq.value(), 1u);
    const std::array<u8, 8> dns = {0xd4, 0x31, 0x00, 0x35, 0x00, 0x20, 0x12, 0x34};
    net::udphdr udp;
    std::memcpy(&udp, dns.data(), sizeof udp);
    EXPECT_EQ(udp.dest, net::be16::from(53));
    EXPECT_EQ(udp.len.value(), 32);
}

TEST(Mounts, FindsEachMountOfAType) {
    const char* text =
        "sysfs /sys sysfs rw 0 0\n"
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid 0 0\n"
        "none /sys/fs/cgroup/with\\040space cgroup2 rw 0 0\n"
        "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
        "cgroup2 /short\n";
    const auto m = bpfxx::detail::mounts_of_type(text, "cgroup2");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0], "/sys/fs/cgroup/unified");
    EXPECT_EQ(m[1], "/sys/fs/cgroup/with space");
    EXPECT_TRUE(bpfxx::detail::mounts_of_type(text, "bpf").empty());
}

} // namespace
