// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: the ring-buffer record walk over arbitrary positions and
// record headers. Whatever the bytes, the walk must only hand out views
// inside the double-mapped data area, 8-byte aligned, and only move the
// consumer position forward up to the producer position. The double mapping
// is emulated by a heap copy of the data written twice, so ASan sees any read
// past it.
//
// The same bytes are then read again through the pull interface.
//
// Input: u8 capacity selector, u8 stop selector, u16 producer lead, u64
// consumer position, then the data area's bytes (zero-padded).
#include <bpfxx/detail/ring_buffer_core.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using bpfxx::u64;
    if (size < 12) return 0;
    const std::size_t capacity = std::size_t{64} << (data[0] % 7);  // 64 .. 4096
    const unsigned stop_every = data[1];
    std::uint16_t lead;
    std::memcpy(&lead, data + 2, 2);
    u64 consumer;
    std::memcpy(&consumer, data + 4, 8);
    data += 12;
    size -= 12;

    // Positions as the kernel would leave them most of the time (8-aligned,
    // lead below capacity) but not always: the fuzzer picks the bits.
    u64 producer = consumer + lead;

    auto area = std::make_unique<u64[]>(2 * capacity / 8);
    auto* bytes = reinterpret_cast<std::byte*>(area.get());
    std::memcpy(bytes, data, size < capacity ? size : capacity);
    std::memcpy(bytes + capacity, bytes, capacity);

    const u64 start = consumer;
    bpfxx::detail::ring_buffer_core core(&consumer, &producer, bytes, capacity);
    std::size_t calls = 0;
    const auto check = [&](std::span<const std::byte> r) {
        const auto* lo = bytes;
        const auto* hi = bytes + 2 * capacity;
        if (r.data() < lo || r.data() > hi || r.size() > static_cast<std::size_t>(hi - r.data())) __builtin_trap();
        if (reinterpret_cast<std::uintptr_t>(r.data()) % 8 != 0) __builtin_trap();
        std::size_t sum = 0;
        for (auto b : r) sum += static_cast<std::size_t>(b);  // touch every byte
        ++calls;
        return sum != 0x7fffffff && (stop_every == 0 || calls % stop_every != 0);
    };
    const std::size_t n = core.consume(check);
    if (n != calls) __builtin_trap();
    if (consumer - start > producer - start) __builtin_trap();  // moved past the producer
    if (n > (consumer - start) / 8) __builtin_trap();           // each record takes 8 bytes at least

    // The typed walk over whatever is left.
    const u64 middle = consumer;
    std::size_t typed = 0;
    core.consume_as<std::uint64_t[2]>([&](const std::uint64_t (&v)[2]) {
        if (reinterpret_cast<const std::byte*>(&v) < bytes ||
            reinterpret_cast<const std::byte*>(&v + 1) > bytes + 2 * capacity)
            __builtin_trap();
        ++typed;
    });
    if (consumer - middle > producer - middle) __builtin_trap();
    if (typed + core.short_records() > (consumer - middle) / 8) __builtin_trap();

    // The pull interface (front/pop, what bpfxx::stream reads with) from
    // the start again.
    consumer = start;
    bpfxx::detail::ring_buffer_core pull(&consumer, &producer, bytes, capacity);
    std::span<const std::byte> r;
    std::size_t pulled = 0;
    while (pull.front(r)) {
        check(r);
        pull.pop();
        if (++pulled > capacity / 8) __builtin_trap();  // more records than could fit: the walk does not end
    }
    if (consumer - start > producer - start) __builtin_trap();
    return 0;
}
