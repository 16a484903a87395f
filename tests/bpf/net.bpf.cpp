// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Programs for tests/kernel/net_test.cpp: XDP, tcx, socket filter and
// cgroup_skb programs attached to a veth pair, a socket and a cgroup the
// test creates. Settings come from the `config` array (indexes below),
// counts go to `udp_by_port` and `counters`.

#include <bpfxx/kernel.hpp>

#include "net.hpp"

using namespace bpfxx;

BPFXX_MAP(config, array_map<u32, net_test::config_entries>);
BPFXX_MAP(udp_by_port, hash_map<u16, u64, 64>);
BPFXX_MAP(counters, array_map<u64, net_test::counter_entries>);

namespace {

BPFXX_ALWAYS_INLINE u32 setting(u32 index) {
    const u32* v = config.lookup(index);
    return v ? *v : 0;
}

// The UDP header after an IPv4 header the cursor stands on; counts the
// packet by destination port. Null for anything else.
BPFXX_ALWAYS_INLINE net::udphdr* count_udp(packet_cursor& c, net::iphdr*& ip_out) {
    net::iphdr* ip = c.next_ipv4();
    if (!ip) return nullptr;
    ip_out = ip;
    if (ip->protocol == net::ip_protocol::tcp) counters.increment(net_test::tcp_packets);
    if (ip->protocol != net::ip_protocol::udp || ip->is_fragment()) return nullptr;
    net::udphdr* udp = c.next<net::udphdr>();
    if (!udp) return nullptr;
    udp_by_port.increment(udp->dest.value());
    return udp;
}

} // namespace

// Counts IPv4 UDP datagrams by destination port (and TCP packets), drops
// those to config[blocked_port].
BPFXX_PROGRAM("xdp")
int xdp_count(xdp_md* ctx) {
    packet_cursor c(ctx);
    auto* eth = c.next<net::ethhdr>();
    if (!eth || eth->h_proto != net::ethertype::ipv4) return xdp_pass;
    net::iphdr* ip = nullptr;
    net::udphdr* udp = count_udp(c, ip);
    if (udp && udp->dest.value() == setting(net_test::blocked_port)) {
        counters.increment(net_test::dropped);
        return xdp_drop;
    }
    return xdp_pass;
}

// Lets everything through: what an XDP link is updated to.
BPFXX_PROGRAM("xdp")
int xdp_pass_all(xdp_md*) {
    counters.increment(net_test::passed_all);
    return xdp_pass;
}

// Sets the TOS byte of IPv4 UDP datagrams to config[tos_port] to
// config[tos_value], fixing the header checksum: a receiver that gets the
// datagram at all saw a valid checksum.
BPFXX_PROGRAM("tcx/egress")
int tc_set_tos(sk_buff* ctx) {
    packet_cursor c(ctx);
    auto* eth = c.next<net::ethhdr>();
    if (!eth || eth->h_proto != net::ethertype::ipv4) return tcx_next;
    net::iphdr* ip = c.next_ipv4();
    if (!ip || ip->protocol != net::ip_protocol::udp) return tcx_next;
    auto* udp = c.next<net::udphdr>();
    if (!udp || udp->dest.value() != setting(net_test::tos_port)) return tcx_next;
    const u8 old_tos = ip->tos;
    const u8 new_tos = static_cast<u8>(setting(net_test::tos_value));
    // The checksum is over 16-bit words: TOS is the low byte of the first
    // one in network order, with version and header length.
    const u16 old_word = static_cast<u16>(ip->version_ihl << 8 | old_tos);
    const u16 new_word = static_cast<u16>(ip->version_ihl << 8 | new_tos);
    constexpr u32 tos_offset = sizeof(net::ethhdr) + 1;
    constexpr u32 check_offset = sizeof(net::ethhdr) + 10;
    if (helper::l3_csum_replace(ctx, check_offset, net::htons(old_word), net::htons(new_word), 2) != 0)
        return tcx_next;
    if (!store(ctx, tos_offset, new_tos)) return tcx_next;
    counters.increment(net_test::rewritten);
    return tcx_next;
}

// Two programs that record the order they ran in: counters[order] becomes
// order * 10 + 1 for the first, + 2 for the second.
BPFXX_PROGRAM("tcx/ingress")
int tc_mark_one(sk_buff*) {
    u64* order = counters.lookup(net_test::order);
    if (order && *order < 1000) *order = *order * 10 + 1;
    return tcx_next;
}

BPFXX_PROGRAM("tcx/ingress")
int tc_mark_two(sk_buff*) {
    u64* order = counters.lookup(net_test::order);
    if (order && *order < 1000) *order = *order * 10 + 2;
    return tcx_next;
}

// A socket filter that drops datagrams whose payload starts with 'x' and
// keeps the rest whole. A UDP socket's filter sees the packet from its UDP
// header on, through bpf_skb_load_bytes (no direct access).
BPFXX_PROGRAM("socket")
int drop_x(sk_buff* ctx) {
    u8 first = 0;
    if (!load(ctx, sizeof(net::udphdr), first)) return static_cast<int>(ctx->len);
    if (first == 'x') {
        counters.increment(net_test::dropped);
        return 0;
    }
    return static_cast<int>(ctx->len);
}

// Counts a cgroup's outgoing IPv4 UDP datagrams by destination port and
// drops those to config[blocked_port]. cgroup_skb packets start at the
// network header.
BPFXX_PROGRAM("cgroup_skb/egress")
int cgroup_count(sk_buff* ctx) {
    if (ctx->protocol != net::ethertype::ipv4.raw) return cgroup_skb_pass;
    packet_cursor c(ctx);
    net::iphdr* ip = nullptr;
    net::udphdr* udp = count_udp(c, ip);
    if (udp && udp->dest.value() == setting(net_test::blocked_port)) {
        counters.increment(net_test::dropped);
        return cgroup_skb_drop;
    }
    return cgroup_skb_pass;
}

// Sends a process's UDP connect() to config[redirect_from] on 127.0.0.1 to
// config[redirect_to] instead.
BPFXX_PROGRAM("cgroup/connect4")
int redirect_connect(sock_addr* ctx) {
    if (ctx->protocol != static_cast<u32>(net::ip_protocol::udp)) return 1;
    const u32 from = setting(net_test::redirect_from);
    if (from != 0 && ctx->user_port == net::htons(static_cast<u16>(from))) {
        ctx->user_port = net::htons(static_cast<u16>(setting(net_test::redirect_to)));
        counters.increment(net_test::rewritten);
    }
    return 1;
}

// Sockets by index for the sk_msg and sk_skb programs.
BPFXX_MAP(sockets, sock_map<4>);

// A message any socket in `sockets` sends goes into the receive queue of
// the socket at index 1 instead.
BPFXX_PROGRAM("sk_msg")
int msg_to_one(sk_msg_md* msg) {
    counters.increment(net_test::redirected);
    return sockets.redirect(msg, 1, f_ingress);
}

// Data a socket in `sockets` receives goes out of the socket at index 1.
BPFXX_PROGRAM("sk_skb/stream_verdict")
int skb_to_one(sk_buff* skb) {
    counters.increment(net_test::redirected);
    return sockets.redirect(skb, 1);
}

BPFXX_LICENSE("GPL");
