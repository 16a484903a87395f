// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Globals in sections of their own (.data.<name>, .rodata.<name>, as
// libbpf-tools puts arrays it sizes before load), beside a .kconfig extern:
// each section is a map of its own, typed in the skeleton
// (tests/skeleton/skeleton_test.cpp).

#include <bpfxx/kernel.hpp>

BPFXX_KCONFIG(u32, LINUX_KERNEL_VERSION);

extern "C" {
[[gnu::section(".rodata.limits")]] const volatile u32 step = 1;
[[gnu::section(".rodata.limits")]] const volatile u32 max_hits = 10;
[[gnu::section(".data.counters")]] u64 hits = 0;
[[gnu::section(".data.counters")]] u32 kernel_version_seen = 0;
}

// Adds `step` to hits up to max_hits; returns the new count.
BPFXX_PROGRAM("raw_tp/sys_enter")
int count_hit([[maybe_unused]] bpfxx::raw_tracepoint_args* ctx) {
    kernel_version_seen = LINUX_KERNEL_VERSION;
    if (hits + step <= max_hits) hits += step;
    return static_cast<int>(hits);
}

BPFXX_LICENSE("GPL");
