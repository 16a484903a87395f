// SPDX-License-Identifier: MIT OR GPL-2.0-only
#pragma once

// Types shared by maps_cxx.bpf.cpp and the user-space tests that read its
// maps and ring buffer.

#include <bpfxx/shared.hpp>

namespace maps_cxx {

// One record per execve, in the ring buffer `events`.
struct event {
    bpfxx::u64 seq;    // from exec_seq, starting at 1
    bpfxx::u64 ts_ns;  // bpf_ktime_get_ns()
    bpfxx::u32 pid;    // process id (tgid)
    bpfxx::u32 uid;
    char comm[16];     // still the parent's name at sys_enter_execve
    char filename[64]; // execve's first argument, truncated
};
static_assert(sizeof(event) == 104);
static_assert(__builtin_offsetof(event, pid) == 16);
static_assert(__builtin_offsetof(event, comm) == 24);
static_assert(__builtin_offsetof(event, filename) == 40);

// Value type of the array map `configs`.
struct config {
    bpfxx::u32 sample_every;  // 0 or 1: every syscall counts in syscalls_seen
    bpfxx::u32 flags;
};
static_assert(sizeof(config) == 8);

} // namespace maps_cxx
