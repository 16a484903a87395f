// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Non-inlined functions with external linkage that C++ emits once per use
// and lets the linker deduplicate: clang puts each in its own COMDAT section
// (.text._Z..., with a .group section naming it). libbpf rejects the calls
// into them ("bad call relo"); the bpfxx loader treats these sections as
// ordinary subprogram code. Static or BPFXX_SUBPROGRAM functions avoid them.

#include <bpfxx/kernel.hpp>

// A function template: .text._Z5scaleImET_S0_j, a weak symbol in a COMDAT group.
template <typename T>
[[gnu::noinline]] T scale(T value, u32 factor) {
    return value * factor;
}

// An inline function: .text._Z4mixjj, likewise.
[[gnu::noinline]] inline u32 mix(u32 a, u32 b) {
    return (a ^ (b << 7)) + (b >> 3);
}

BPFXX_MAP(totals, bpfxx::array_map<u64, 1>);

BPFXX_PROGRAM("raw_tp/sys_enter")
int on_sys_enter_comdat(bpfxx::raw_tracepoint_args* ctx) {
    const u32 id = static_cast<u32>(ctx->args[1]);
    totals.increment(0, scale<u64>(mix(id, bpfxx::current_tid()), 3));
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
