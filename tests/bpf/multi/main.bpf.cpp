// SPDX-License-Identifier: MIT OR GPL-2.0-only
// One object from two sources in two languages, linked at the LLVM bitcode
// level: this C++ program calls a C function defined in square.bpf.c and
// shares its map with the C program there.
#include <bpfxx/kernel.hpp>

#include "multi.h"

BPFXX_MAP(multi_counts, bpfxx::hash_map<u32, u64, 16>);

BPFXX_PROGRAM("raw_tp/sys_enter")
int multi_entry([[maybe_unused]] void* ctx) {
    const u32 key = c_square(3);
    multi_counts.increment(key);
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
