// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: the rtnetlink reply parser (bpfxx/sys/netlink.hpp).
// Whatever the bytes, the message and attribute walks must stay inside the
// datagram, and find_ack must return an errno in range and a message no
// longer than the input.
//
// Input: u32 sequence number, then the datagram.
#include <bpfxx/sys/netlink.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

namespace nl = bpfxx::sys::netlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    std::uint32_t seq;
    std::memcpy(&seq, data, 4);
    const std::span<const std::byte> datagram(reinterpret_cast<const std::byte*>(data + 4), size - 4);

    std::size_t seen = 0;
    nl::for_each_message(datagram, [&](const nl::nlmsghdr& h, std::span<const std::byte> payload) {
        if (payload.size() + sizeof h != h.len) std::abort();
        seen += h.len;
        // Attributes after a family header of any size the payload allows.
        for (std::size_t skip : {std::size_t{0}, sizeof(nl::ifinfomsg), sizeof(nl::tcmsg)})
            if (skip <= payload.size())
                nl::for_each_attribute(payload.subspan(skip), [&](std::uint16_t, std::span<const std::byte> v) {
                    if (v.data() < payload.data() || v.data() + v.size() > payload.data() + payload.size())
                        std::abort();
                    // Nested attributes too.
                    nl::for_each_attribute(v, [](std::uint16_t, std::span<const std::byte>) {});
                });
    });
    if (seen > datagram.size()) std::abort();

    if (auto a = nl::find_ack(datagram, seq)) {
        if (a->error < 0 || a->error >= 4096) std::abort();
        if (a->message.size() > datagram.size()) std::abort();
    }
    return 0;
}
