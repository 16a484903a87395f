// SPDX-License-Identifier: MIT OR Apache-2.0
// What probes.bpf.cpp's programs record, one slot of `hits` each, and the
// test reads back.
#pragma once

#include <bpfxx/shared.hpp>

namespace probes {

struct hit {
    bpfxx::u64 calls;
    bpfxx::u64 arg0;
    bpfxx::u64 arg1;
    bpfxx::u64 ret;
    bpfxx::u64 cookie;
};

enum slot : bpfxx::u32 {
    entry, exit, cookie, libc, kernel_entry, kernel_exit, sample, fentry, fexit, multi, kernel_multi,
    syscall_entry, syscall_exit, lsm, sleepable, sleepable_unfaulted, slots
};

}  // namespace probes
