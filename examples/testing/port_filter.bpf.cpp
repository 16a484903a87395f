// SPDX-License-Identifier: MIT OR GPL-2.0-only
// An XDP program that drops UDP datagrams (IPv4) to one port, set from
// user space before load, and counts what it passes and drops. Its tests
// (port_filter_gtest.cpp, port_filter_catch2.cpp) run it on packets they
// build, in the kernel, with bpfxx::test_run: no network needed.
#include <bpfxx/kernel.hpp>

#include "port_filter.hpp"

namespace port_filter {

inline constexpr u32 ethernet_header = 14;
inline constexpr u16 ethertype_ipv4 = 0x0800;
inline constexpr u8 protocol_udp = 17;

BPFXX_METHOD u16 big_endian16(const u8* p) { return static_cast<u16>(p[0] << 8 | p[1]); }

} // namespace port_filter

extern "C" {
const volatile u16 blocked_port = 0;  // host order; 0 drops nothing
}

BPFXX_MAP(stats, bpfxx::array_map<u64, port_filter::counters>);

static int count_and_decide(port_filter::counter c) {
    stats.increment(c);
    return c == port_filter::dropped ? port_filter::xdp_drop : port_filter::xdp_pass;
}

BPFXX_PROGRAM("xdp")
int filter(bpfxx::xdp_md* ctx) {
    using namespace port_filter;
    const u8* data = bpfxx::packet_data(ctx);
    const u8* end = bpfxx::packet_end(ctx);
    // Ethernet, then the fixed 20 bytes of IPv4.
    if (data + ethernet_header + 20 > end)
        return count_and_decide(passed);
    if (big_endian16(data + 12) != ethertype_ipv4)
        return count_and_decide(passed);
    const u8* ip = data + ethernet_header;
    if (ip[9] != protocol_udp)
        return count_and_decide(passed);
    const u32 ip_header = (ip[0] & 0x0f) * 4u;
    if (ip_header < 20 || ip_header > 60)
        return count_and_decide(passed);
    const u8* udp = ip + ip_header;
    if (udp + 8 > end)
        return count_and_decide(passed);
    if (blocked_port != 0 && big_endian16(udp + 2) == blocked_port)
        return count_and_decide(dropped);
    return count_and_decide(passed);
}

BPFXX_LICENSE("GPL");
