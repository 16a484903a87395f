// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

// Packet programs: the socket-buffer context (TC, socket filters, cgroup
// skb programs), bounds-checked packet access that the verifier accepts,
// XDP and TC verdicts and the packet helpers. The wire formats (ethhdr,
// iphdr, ipv6hdr, tcphdr, udphdr) and byte order are in
// <bpfxx/shared/net.hpp>, shared with user space.

#include <bpfxx/shared/net.hpp>

#include "context.hpp"
#include "helpers.hpp"
#include "maps.hpp"
#include "types.hpp"

namespace bpfxx {

// Context of TC (sched_cls/sched_act, tcx), socket filter, cgroup_skb,
// sk_skb and lwt programs (struct __sk_buff): a view of the kernel's
// sk_buff that the verifier rewrites field by field. Which fields a
// program type may read or write is the verifier's decision.
struct [[clang::standalone_debug]] sk_buff {
    u32 len;
    u32 pkt_type;
    u32 mark;
    u32 queue_mapping;
    u32 protocol;  // EtherType in network order
    u32 vlan_present;
    u32 vlan_tci;
    u32 vlan_proto;
    u32 priority;
    u32 ingress_ifindex;
    u32 ifindex;
    u32 tc_index;
    u32 cb[5];
    u32 hash;
    u32 tc_classid;
    u32 data;
    u32 data_end;
    u32 napi_id;
    // Socket programs (sk_skb) see the connection's addresses.
    u32 family;
    u32 remote_ip4;  // network order
    u32 local_ip4;   // network order
    u32 remote_ip6[4];
    u32 local_ip6[4];
    u32 remote_port;  // network order in the high 16 bits on little-endian: ntohl() gives the port
    u32 local_port;   // host order
    u32 data_meta;    // 4.15
    u64 flow_keys;    // 4.20, flow dissector programs: a struct bpf_flow_keys *
    u64 tstamp;       // 5.0
    u32 wire_len;     // 5.0
    u32 gso_segs;     // 5.1
    u64 sk;           // 5.1: a struct bpf_sock *
    u32 gso_size;     // 5.7
    u8 tstamp_type;   // 5.18
    u8 padding_[3];
    u64 hwtstamp;  // 5.16
};
static_assert(sizeof(sk_buff) == 192);

// Context of cgroup sock_addr programs (SEC("cgroup/connect4"),
// "cgroup/sendmsg6", "cgroup/bind4"...; struct bpf_sock_addr, 4.17): the
// address the process passed, which the program may rewrite. Return 1 to
// let the call go on, 0 to fail it with EPERM.
struct [[clang::standalone_debug]] sock_addr {
    u32 user_family;
    u32 user_ip4;  // network order
    u32 user_ip6[4];
    u32 user_port;  // network order, in the low 16 bits
    u32 family;
    u32 type;
    u32 protocol;
    u32 msg_src_ip4;  // sendmsg4: the source address, network order
    u32 msg_src_ip6[4];
    u64 sk;  // a struct bpf_sock *
};
static_assert(sizeof(sock_addr) == 72);

// Context of sk_msg programs (struct sk_msg_md, 4.17): a message a socket
// in a sockmap or sockhash sends, before it is sent.
struct [[clang::standalone_debug]] sk_msg_md {
    u64 data;      // void *: the message's first bytes (not always all of it)
    u64 data_end;  // void *
    u32 family;
    u32 remote_ip4;  // network order
    u32 local_ip4;   // network order
    u32 remote_ip6[4];
    u32 local_ip6[4];
    u32 remote_port;  // network order in the high 16 bits on little-endian: ntohl() gives the port
    u32 local_port;   // host order
    u32 size;         // the whole message's length (5.0)
    u64 sk;           // a struct bpf_sock * (5.8)
};
static_assert(sizeof(sk_msg_md) == 80);

// What sk_skb and sk_msg programs return (enum sk_action); a redirect
// helper's result is returned as is.
enum sk_action : int { sk_drop = 0, sk_pass = 1 };

// What an XDP program returns is xdp_action (bpfxx/context.hpp). What a
// TC classifier in direct-action mode returns (TC_ACT_*).
enum tc_action : int {
    tc_act_unspec = -1,  // the default action of the qdisc
    tc_act_ok = 0,       // pass
    tc_act_reclassify = 1,
    tc_act_shot = 2,  // drop
    tc_act_pipe = 3,
    tc_act_stolen = 4,
    tc_act_queued = 5,
    tc_act_repeat = 6,
    tc_act_redirect = 7,  // bpf_redirect() chose where
};

// What a tcx program returns (Linux 6.6): next runs the next program on the
// interface, the others end the chain.
enum tcx_action : int { tcx_next = -1, tcx_pass = 0, tcx_drop = 2, tcx_redirect = 7 };

// What socket filters and cgroup_skb programs return: cgroup_skb keeps the
// packet with 1 and drops it with 0; a socket filter returns how many bytes
// to keep (0 drops, the packet's length keeps it whole).
inline constexpr int cgroup_skb_drop = 0;
inline constexpr int cgroup_skb_pass = 1;

BPFXX_METHOD u8* packet_data(const sk_buff* ctx) { return reinterpret_cast<u8*>(static_cast<unsigned long>(ctx->data)); }
BPFXX_METHOD u8* packet_end(const sk_buff* ctx) {
    return reinterpret_cast<u8*>(static_cast<unsigned long>(ctx->data_end));
}

// The packet of an XDP, TC or cgroup_skb program as a bounds-checked view:
// every typed access checks against the packet's end first, as the
// verifier demands, and returns null when the header is not all there, so
// the check cannot be forgotten.
//
//   bpfxx::packet p(ctx);
//   auto* eth = p.header<net::ethhdr>();
//   if (!eth || eth->h_proto != net::ethertype::ipv4) return XDP_PASS;
//   auto* ip = p.header<net::iphdr>(sizeof(net::ethhdr));
//
// Socket filters cannot read the packet directly: they use load<T>().
class packet {
public:
    BPFXX_METHOD explicit packet(const xdp_md* ctx) : data_(packet_data(ctx)), end_(packet_end(ctx)) {}
    BPFXX_METHOD explicit packet(const sk_buff* ctx) : data_(packet_data(ctx)), end_(packet_end(ctx)) {}

    // The T at `offset` bytes from the start, or null when the packet ends
    // before it does. `offset` may vary at run time when the verifier can
    // bound it (a header length masked to 60, say).
    template <class T>
    BPFXX_METHOD T* header(u32 offset = 0) const {
        u8* p = data_ + offset;
        if (p + sizeof(T) > end_) return nullptr;
        return reinterpret_cast<T*>(p);
    }
    BPFXX_METHOD u8* data() const { return data_; }
    BPFXX_METHOD u8* end() const { return end_; }
    BPFXX_METHOD u32 size() const { return static_cast<u32>(end_ - data_); }

private:
    u8* data_;
    u8* end_;
};

// Walks a packet's headers in order: each next<T>() checks that a T follows
// and moves past it, null when the packet is too short.
//
//   bpfxx::packet_cursor c(ctx);
//   auto* eth = c.next<net::ethhdr>();
//   auto* ip = eth && eth->h_proto == net::ethertype::ipv4 ? c.next_ipv4() : nullptr;
//   auto* udp = ip && ip->protocol == net::ip_protocol::udp ? c.next<net::udphdr>() : nullptr;
class packet_cursor {
public:
    BPFXX_METHOD explicit packet_cursor(const xdp_md* ctx) : pos_(packet_data(ctx)), end_(packet_end(ctx)) {}
    BPFXX_METHOD explicit packet_cursor(const sk_buff* ctx) : pos_(packet_data(ctx)), end_(packet_end(ctx)) {}

    template <class T>
    BPFXX_METHOD T* next() {
        u8* p = pos_;
        if (p + sizeof(T) > end_) return nullptr;
        pos_ = p + sizeof(T);
        return reinterpret_cast<T*>(p);
    }
    // An IPv4 header with its options skipped; null when it is too short,
    // claims fewer than 20 bytes, or is not version 4.
    BPFXX_METHOD net::iphdr* next_ipv4() {
        u8* p = pos_;
        if (p + sizeof(net::iphdr) > end_) return nullptr;
        auto* ip = reinterpret_cast<net::iphdr*>(p);
        const u32 length = ip->header_length();  // at most 60: the verifier sees the mask
        if (length < sizeof(net::iphdr) || ip->version() != 4) return nullptr;
        if (p + length > end_) return nullptr;
        pos_ = p + length;
        return ip;
    }
    // A TCP header with its options skipped.
    BPFXX_METHOD net::tcphdr* next_tcp() {
        u8* p = pos_;
        if (p + sizeof(net::tcphdr) > end_) return nullptr;
        auto* tcp = reinterpret_cast<net::tcphdr*>(p);
        const u32 length = tcp->header_length();
        if (length < sizeof(net::tcphdr)) return nullptr;
        if (p + length > end_) return nullptr;
        pos_ = p + length;
        return tcp;
    }
    // Where the next header would start, and how many bytes are left.
    BPFXX_METHOD u8* position() const { return pos_; }
    BPFXX_METHOD u32 remaining() const { return pos_ < end_ ? static_cast<u32>(end_ - pos_) : 0; }

private:
    u8* pos_;
    u8* end_;
};

namespace helper {

// Packets and sockets buffers
BPFXX_METHOD long skb_store_bytes(sk_buff* skb, u32 offset, const void* from, u32 len, u64 flags) {  // 4.1
    return detail::call_helper<9, long>(skb, offset, from, len, flags);
}
BPFXX_METHOD long l3_csum_replace(sk_buff* skb, u32 offset, u64 from, u64 to, u64 size) {  // 4.1
    return detail::call_helper<10, long>(skb, offset, from, to, size);
}
BPFXX_METHOD long l4_csum_replace(sk_buff* skb, u32 offset, u64 from, u64 to, u64 flags) {  // 4.1
    return detail::call_helper<11, long>(skb, offset, from, to, flags);
}
BPFXX_METHOD long clone_redirect(sk_buff* skb, u32 ifindex, u64 flags) {  // 4.2
    return detail::call_helper<13, long>(skb, ifindex, flags);
}
BPFXX_METHOD long redirect(u32 ifindex, u64 flags) {  // 4.4
    return detail::call_helper<23, long>(ifindex, flags);
}
BPFXX_METHOD long skb_load_bytes(const void* skb, u32 offset, void* to, u32 len) {  // 4.5
    return detail::call_helper<26, long>(skb, offset, to, len);
}
BPFXX_METHOD s64 csum_diff(const void* from, u32 from_size, const void* to, u32 to_size, u32 seed) {  // 4.6
    return detail::call_helper<28, s64>(from, from_size, to, to_size, seed);
}
BPFXX_METHOD long skb_pull_data(sk_buff* skb, u32 len) {  // 4.9
    return detail::call_helper<39, long>(skb, len);
}
BPFXX_METHOD long xdp_adjust_head(xdp_md* xdp, int delta) {  // 4.10
    return detail::call_helper<44, long>(xdp, delta);
}
BPFXX_METHOD long redirect_map(void* map, u64 key, u64 flags) {  // 4.14
    return detail::call_helper<51, long>(map, key, flags);
}
BPFXX_METHOD long xdp_adjust_meta(xdp_md* xdp, int delta) {  // 4.15
    return detail::call_helper<54, long>(xdp, delta);
}
BPFXX_METHOD long xdp_adjust_tail(xdp_md* xdp, int delta) {  // 4.18
    return detail::call_helper<65, long>(xdp, delta);
}

BPFXX_METHOD long sk_redirect_map(sk_buff* skb, void* map, u32 key, u64 flags) {  // 4.14
    return detail::call_helper<52, long>(skb, map, key, flags);
}
BPFXX_METHOD long msg_redirect_map(sk_msg_md* msg, void* map, u32 key, u64 flags) {  // 4.17
    return detail::call_helper<60, long>(msg, map, key, flags);
}
BPFXX_METHOD long msg_redirect_hash(sk_msg_md* msg, void* map, const void* key, u64 flags) {  // 4.18
    return detail::call_helper<71, long>(msg, map, key, flags);
}
BPFXX_METHOD long sk_redirect_hash(sk_buff* skb, void* map, const void* key, u64 flags) {  // 4.18
    return detail::call_helper<72, long>(skb, map, key, flags);
}

} // namespace helper

// BPF_MAP_TYPE_SOCKMAP (4.14): TCP (and, from 5.7 on, UDP; 5.15 unix)
// sockets by u32 index. User space puts a socket in by updating an index
// with its descriptor; sk_msg and sk_skb programs attached to the map run
// for the sockets in it and may redirect to another one.
template <u32 MaxEntries, u32 Flags = 0>
struct sock_map {
    static_assert(MaxEntries > 0, "a sockmap needs max_entries > 0");

    int (*type)[static_cast<int>(map_type::sockmap)];
    u32* key;
    u64* value;  // a socket descriptor going in; the socket's cookie coming out (5.x)
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::sockmap; }
    static constexpr u32 capacity() { return MaxEntries; }

    // Sends the message (sk_msg) to the socket at `index`: out of it, or
    // with f_ingress into its receive queue. Returns the verdict to return.
    BPFXX_METHOD int redirect(sk_msg_md* msg, u32 index, u64 flags = 0) {
        return static_cast<int>(helper::msg_redirect_map(msg, this, index, flags));
    }
    // Sends the packet (sk_skb) to the socket at `index`.
    BPFXX_METHOD int redirect(sk_buff* skb, u32 index, u64 flags = 0) {
        return static_cast<int>(helper::sk_redirect_map(skb, this, index, flags));
    }
};

// BPF_MAP_TYPE_SOCKHASH (4.18): sockets by a key of the program's choice.
template <typename K, u32 MaxEntries, u32 Flags = 0>
struct sock_hash {
    static_assert(detail::check_key<K>());
    static_assert(MaxEntries > 0, "a sockhash needs max_entries > 0");

    int (*type)[static_cast<int>(map_type::sockhash)];
    K* key;
    u64* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::sockhash; }
    static constexpr u32 capacity() { return MaxEntries; }

    BPFXX_METHOD int redirect(sk_msg_md* msg, const K& k, u64 flags = 0) {
        return static_cast<int>(helper::msg_redirect_hash(msg, this, &k, flags));
    }
    BPFXX_METHOD int redirect(sk_buff* skb, const K& k, u64 flags = 0) {
        return static_cast<int>(helper::sk_redirect_hash(skb, this, &k, flags));
    }
};

// Flags of the packet helpers (uapi bpf.h).
inline constexpr u64 f_recompute_csum = 1;    // skb_store_bytes
inline constexpr u64 f_invalidate_hash = 2;   // skb_store_bytes
inline constexpr u64 f_pseudo_hdr = 0x10;     // l4_csum_replace: the field is in the pseudo-header
inline constexpr u64 f_mark_mangled_0 = 0x20; // l4_csum_replace: UDP, where 0 means "no checksum"
inline constexpr u64 f_ingress = 1;           // redirect: to the interface's receive path

// A T read from the packet at `offset` by copy (bpf_skb_load_bytes): what
// socket filters use, and any program when the bytes may be outside the
// linear part. False when the packet is shorter.
template <class T>
BPFXX_METHOD bool load(const sk_buff* skb, u32 offset, T& out) {
    return helper::skb_load_bytes(skb, offset, &out, sizeof(T)) == 0;
}

// Writes `value` into the packet at `offset` (bpf_skb_store_bytes); the
// packet's direct-access pointers are invalid afterwards.
template <class T>
BPFXX_METHOD bool store(sk_buff* skb, u32 offset, const T& value, u64 flags = 0) {
    return helper::skb_store_bytes(skb, offset, &value, sizeof(T), flags) == 0;
}

} // namespace bpfxx
