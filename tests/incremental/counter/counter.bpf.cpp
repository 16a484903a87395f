// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <bpfxx/kernel.hpp>

#include "counter.hpp"

BPFXX_MAP(hits, bpfxx::hash_map<u32, u64, counter::slots>);

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_getpid")
int count_getpid([[maybe_unused]] void* ctx) {
    hits.increment(bpfxx::current_pid());
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
