// SPDX-License-Identifier: MIT OR GPL-2.0-only
#pragma once

// Shared by core_task.bpf.cpp (built twice: core_task and
// core_task_shuffled) and tests/kernel/core_test.cpp.

#include <bpfxx/shared.hpp>

namespace core_task {

// What the program saw at the traced thread's last getppid(), every value
// through a CO-RE macro. The global `result` in .bss.
struct result {
    bpfxx::u64 hits;                  // times the program ran for the traced thread
    bpfxx::s64 tid;                   // task->pid, read with BPFXX_CORE_READ_BITFIELD
    bpfxx::s32 pid;                   // task->tgid
    bpfxx::s32 ppid;                  // task->real_parent->tgid
    char comm[16];                    // task->comm, BPFXX_CORE_READ_STR_INTO
    char comm_raw[16];                // task->comm, BPFXX_CORE_READ_INTO (whole array)
    bpfxx::s64 comm_len;              // BPFXX_CORE_READ_STR_INTO's result
    bpfxx::u64 is_child_subreaper;    // task->signal->is_child_subreaper (bit field)
    bpfxx::u64 has_child_subreaper;   // the next bit
    bpfxx::s64 pidtype_max;           // enum pid_type PIDTYPE_MAX (4 since 4.19)
    bpfxx::s64 map_type_ringbuf;      // enum bpf_map_type BPF_MAP_TYPE_RINGBUF (27, uapi)
    bpfxx::u32 pidtype_max_exists;    // 1
    bpfxx::u32 missing_enumval_exists;  // an enumerator no kernel has: 0
    bpfxx::u32 task_exists;           // BPFXX_CORE_TYPE_EXISTS(task_struct): 1
    bpfxx::u32 missing_type_exists;   // a struct no kernel has: 0
    bpfxx::u32 task_size;             // sizeof(struct task_struct) in the kernel
    bpfxx::u32 task_id_target;        // its BTF id in the kernel
    bpfxx::u32 task_id_local;         // its BTF id in the object
    bpfxx::u32 pid_type_matches;      // local enum pid_type matches the kernel's: 1
    bpfxx::u32 mismatch_matches;      // a signal_struct with a u8 member: 0
    bpfxx::u32 pid_exists;            // task_struct::pid exists: 1
    bpfxx::u32 missing_field_exists;  // task_struct::bpfxx_no_such_field: 0
    bpfxx::u32 comm_size;             // 16
    bpfxx::u32 comm_offset;           // offsetof(struct task_struct, comm) in the kernel
    bpfxx::u32 pid_size;              // 4 (pid_t), whatever the local declaration says
    bpfxx::s32 ancestor8;             // task->real_parent x8->tgid: BPFXX_CORE_READ's 9 steps
    bpfxx::u32 pad;
};
static_assert(sizeof(result) == 160);

// Written by the test through the .data mapping: whose getppid to trace.
struct filter {
    bpfxx::u32 tid;        // gettid() of the traced thread
    bpfxx::s32 syscall_nr; // SYS_getppid of this architecture
};

} // namespace core_task
