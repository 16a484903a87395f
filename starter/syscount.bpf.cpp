// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Counts system calls per process.
#include <bpfxx/kernel.hpp>

#include "syscount.hpp"

// pid -> system calls made
BPFXX_MAP(counts, bpfxx::hash_map<u32, u64, syscount::max_processes>);

extern "C" {
// Set by user space before load (skel.rodata().only_pid); 0 counts everyone.
const volatile u32 only_pid = 0;
}

BPFXX_PROGRAM("tracepoint/raw_syscalls/sys_enter")
int count_syscall([[maybe_unused]] bpfxx::trace_event<bpfxx::raw_syscall_enter>* ctx) {
    const u32 pid = bpfxx::current_pid();
    if (only_pid != 0 && pid != only_pid) return 0;
    counts.increment(pid);
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
