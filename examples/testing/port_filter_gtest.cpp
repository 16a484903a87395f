// SPDX-License-Identifier: MIT OR Apache-2.0
// port_filter's kernel program tested from GoogleTest: loaded through its
// skeleton, run in the kernel on packets built here.
#include <bpfxx/testing/gtest.hpp>

#include "packets.hpp"
#include "port_filter.hpp"
#include "port_filter.skel.hpp"

using port_filter_test::udp_packet;

TEST(PortFilter, DropsTheBlockedPortOnly) {
    BPFXX_SKIP_UNLESS_BPF();
    auto skel = port_filter::skeleton::open();
    skel.rodata().blocked_port = 53;
    skel.load();
    const int fd = skel.programs.filter.fd();

    auto blocked = udp_packet(53);
    EXPECT_EQ(bpfxx::test_run(fd, {.data = blocked}).return_value, port_filter::xdp_drop);
    auto other = udp_packet(54);
    EXPECT_EQ(bpfxx::test_run(fd, {.data = other}).return_value, port_filter::xdp_pass);
    auto tcp = udp_packet(53, 6);  // the same port over TCP
    EXPECT_EQ(bpfxx::test_run(fd, {.data = tcp}).return_value, port_filter::xdp_pass);

    EXPECT_EQ(skel.maps.stats.typed().lookup(port_filter::dropped), 1u);
    EXPECT_EQ(skel.maps.stats.typed().lookup(port_filter::passed), 2u);
}

TEST(PortFilter, PassesPacketsTooShortToParse) {
    BPFXX_SKIP_UNLESS_BPF();
    auto skel = port_filter::skeleton::open();
    skel.rodata().blocked_port = 53;
    skel.load();
    auto packet = udp_packet(53);
    packet.resize(14 + 20 + 4);  // the UDP header cut in half
    EXPECT_EQ(bpfxx::test_run(skel.programs.filter.fd(), {.data = packet}).return_value, port_filter::xdp_pass);
}
