// SPDX-License-Identifier: MIT OR Apache-2.0
// port_filter's kernel program tested from Catch2 (v2, single header, as
// Debian packages it; v3 works the same).
#define CATCH_CONFIG_MAIN
#include <bpfxx/testing/catch2.hpp>

#include "packets.hpp"
#include "port_filter.hpp"
#include "port_filter.skel.hpp"

using port_filter_test::udp_packet;

TEST_CASE("port_filter drops the blocked port only") {
    BPFXX_SKIP_UNLESS_BPF();
    auto skel = port_filter::skeleton::open();
    skel.rodata().blocked_port = 8125;
    skel.load();
    const int fd = skel.programs.filter.fd();

    auto blocked = udp_packet(8125);
    REQUIRE(bpfxx::test_run(fd, {.data = blocked}).return_value == port_filter::xdp_drop);
    auto other = udp_packet(8126);
    REQUIRE(bpfxx::test_run(fd, {.data = other}).return_value == port_filter::xdp_pass);
    REQUIRE(skel.maps.stats.typed().lookup(port_filter::dropped) == 1u);
}

TEST_CASE("port_filter with no port set drops nothing") {
    BPFXX_SKIP_UNLESS_BPF();
    auto skel = port_filter::skeleton::open();
    skel.load();
    auto packet = udp_packet(8125);
    REQUIRE(bpfxx::test_run(skel.programs.filter.fd(), {.data = packet}).return_value == port_filter::xdp_pass);
}
