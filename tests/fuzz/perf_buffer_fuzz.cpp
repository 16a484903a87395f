// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: the perf-ring record walk over arbitrary head/tail
// positions and record bytes. Whatever the bytes, every view handed out
// must lie inside the data area or the scratch buffer, the tail must only
// move forward and never past the head, and the walk must end.
//
// Input: u8 size selector, u8 stop selector, u16 head lead, u64 tail, then
// the data area's bytes (zero-padded).
#include <bpfxx/detail/perf_buffer_core.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using bpfxx::u64;
    using bpfxx::detail::perf_ring_core;
    if (size < 12) return 0;
    const std::size_t capacity = std::size_t{64} << (data[0] % 7);  // 64 .. 4096
    const unsigned stop_every = data[1];
    std::uint16_t lead;
    std::memcpy(&lead, data + 2, 2);
    u64 tail;
    std::memcpy(&tail, data + 4, 8);
    data += 12;
    size -= 12;

    auto meta = std::make_unique<u64[]>(4096 / 8);
    auto area = std::make_unique<u64[]>(capacity / 8);
    auto scratch = std::make_unique<u64[]>(perf_ring_core::max_record / 8);
    auto* bytes = reinterpret_cast<std::byte*>(area.get());
    auto* scratch_bytes = reinterpret_cast<std::byte*>(scratch.get());
    std::memcpy(bytes, data, size < capacity ? size : capacity);
    const u64 head = tail + lead;
    meta[1024 / 8] = head;
    meta[1032 / 8] = tail;

    perf_ring_core core(reinterpret_cast<std::byte*>(meta.get()), bytes, capacity, scratch_bytes);
    const auto inside = [&](std::span<const std::byte> r) {
        const auto in = [&](const std::byte* lo, std::size_t n) {
            return r.data() >= lo && r.data() <= lo + n && r.size() <= static_cast<std::size_t>(lo + n - r.data());
        };
        return in(bytes, capacity) || in(scratch_bytes, perf_ring_core::max_record);
    };
    std::size_t calls = 0;
    const std::size_t n = core.consume([&](std::span<const std::byte> r) {
        if (!inside(r)) __builtin_trap();
        std::size_t sum = 0;
        for (auto b : r) sum += static_cast<std::size_t>(b);  // touch every byte
        ++calls;
        return sum != 0x7fffffff && (stop_every == 0 || calls % stop_every != 0);
    });
    if (n != calls) __builtin_trap();
    const u64 after = meta[1032 / 8];
    if (after - tail > head - tail) __builtin_trap();  // moved backwards or past the head
    if (n > (after - tail) / 16) __builtin_trap();     // a sample takes 16 bytes at least

    // The pull interface over whatever is left.
    std::span<const std::byte> r;
    std::size_t pulled = 0;
    while (core.front(r)) {
        if (!inside(r)) __builtin_trap();
        core.pop();
        if (++pulled > capacity) __builtin_trap();  // more samples than could fit: the walk does not end
    }
    if (meta[1032 / 8] - tail > head - tail) __builtin_trap();
    return 0;
}
