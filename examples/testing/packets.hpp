// SPDX-License-Identifier: MIT OR Apache-2.0
// Packets for the tests: Ethernet + IPv4 + UDP, built byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace port_filter_test {

inline std::vector<std::byte> udp_packet(std::uint16_t destination_port, std::uint8_t protocol = 17) {
    std::vector<std::byte> p(14 + 20 + 8 + 4, std::byte{0});
    auto put16 = [&](std::size_t at, std::uint16_t v) {
        p[at] = std::byte(v >> 8);
        p[at + 1] = std::byte(v & 0xff);
    };
    put16(12, 0x0800);                  // EtherType IPv4
    p[14] = std::byte{0x45};            // version 4, 5 words of header
    put16(16, 20 + 8 + 4);              // total length
    p[22] = std::byte{64};              // TTL
    p[23] = std::byte{protocol};
    put16(34, 40000);                   // source port
    put16(36, destination_port);
    put16(38, 8 + 4);                   // UDP length
    return p;
}

}  // namespace port_filter_test
