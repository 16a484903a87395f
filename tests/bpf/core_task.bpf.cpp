// SPDX-License-Identifier: MIT OR GPL-2.0-only
// CO-RE against the running kernel, with local minimal definitions of
// task_struct, signal_struct and two enums (no vmlinux.hpp). At the traced
// thread's getppid() (raw_tp/sys_enter, Linux 4.17; probe_read_kernel 5.5)
// the program stores into `result` what every core.hpp macro gives; see
// core_task.hpp and tests/kernel/core_test.cpp.
//
// Built twice: core_task.bpf.o from the layouts below, and
// core_task_shuffled.bpf.o with CORE_TASK_SHUFFLED defined, whose local
// types are flavors (name___shuffled) with the fields reordered, padding
// added, the bit fields swapped and declared on unsigned char, task->pid
// declared 8 bytes wide, the enumerators reordered and (in a scoped enum)
// renumbered. CO-RE matches by name, so both objects must read the same
// values.
#include <bpfxx/kernel.hpp>

#include "core_task.hpp"

namespace kernel_types {

#ifndef CORE_TASK_SHUFFLED

struct signal_struct {
    unsigned int is_child_subreaper : 1;
    unsigned int has_child_subreaper : 1;
};

struct task_struct {
    int pid;
    int tgid;
    task_struct* real_parent;
    char comm[16];
    signal_struct* signal;
    int bpfxx_no_such_field;  // no kernel has it
};

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };
enum bpf_map_type { BPF_MAP_TYPE_RINGBUF = 27 };

// The enum ENUM_VALUE reads (the shuffled build uses a renumbered flavor).
#define pid_type_renumbered pid_type

#else

struct signal_struct___shuffled {
    u64 padding[5];
    unsigned char has_child_subreaper : 1;
    unsigned char unrelated : 3;
    unsigned char is_child_subreaper : 1;
};

struct task_struct___shuffled {
    u64 padding0[3];
    char comm[16];
    int bpfxx_no_such_field;
    signal_struct___shuffled* signal;
    u32 padding1;
    int tgid;
    s64 pid;  // the kernel's is 4 bytes: read with BPFXX_CORE_READ_BITFIELD, which takes its size from the kernel
    task_struct___shuffled* real_parent;
};

// Reordered only: Linux 6.18 relocating TYPE_MATCHES itself also compares
// the enumerators' values (measured: a local PIDTYPE_MAX = 5 gives 0 there,
// 1 with libbpf 1.1, which compares names only).
enum pid_type___shuffled : unsigned {
    PIDTYPE_MAX = 4,
    PIDTYPE_SID = 3,
    PIDTYPE_PGID = 2,
    PIDTYPE_TGID = 1,
    PIDTYPE_PID = 0
};
// Renumbered, for ENUM_VALUE, which must give the kernel's values anyway.
enum class pid_type___renumbered : unsigned { PIDTYPE_PID = 70, PIDTYPE_MAX = 40 };
enum bpf_map_type___shuffled : unsigned { BPF_MAP_TYPE_RINGBUF = 1 };

// The code below names the flavors through macros: an alias (`using
// task_struct = ...`) would reach BTF as a TYPEDEF task_struct, and CO-RE
// would look for a typedef of that name in the kernel.
#define signal_struct signal_struct___shuffled
#define task_struct task_struct___shuffled
#define pid_type pid_type___shuffled
#define pid_type_renumbered pid_type___renumbered
#define bpf_map_type bpf_map_type___shuffled

#endif

// Another flavor of enum pid_type, with an enumerator no kernel has (in
// the enum above it would make TYPE_MATCHES fail: every local enumerator
// must exist in the kernel's enum).
enum pid_type___ext { PIDTYPE_BPFXX_NONE = 1000 };

// No kernel has this type.
struct bpfxx_no_such_type {
    int x;
};

// The kernel's is_child_subreaper is an unsigned int bit field: a u8 makes
// TYPE_MATCHES fail while field relocations would still accept it.
struct signal_struct___mismatch {
    u8 is_child_subreaper;
};

}  // namespace kernel_types

using namespace kernel_types;

extern "C" {
core_task::result result;
core_task::filter filter = {~0u, -1};
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int core_task_getppid(bpfxx::raw_tracepoint_args* ctx) {
    if (bpfxx::current_tid() != filter.tid || static_cast<s64>(ctx->args[1]) != filter.syscall_nr) return 0;
    const auto* task = static_cast<const task_struct*>(bpfxx::current_task());
    core_task::result& r = result;
    r.hits++;

    r.tid = BPFXX_CORE_READ_BITFIELD(task, pid);
    r.pid = BPFXX_CORE_READ(task, tgid);
    r.ppid = BPFXX_CORE_READ(task, real_parent, tgid);
    r.ancestor8 = BPFXX_CORE_READ(task, real_parent, real_parent, real_parent, real_parent, real_parent, real_parent,
                                  real_parent, real_parent, tgid);
    r.comm_len = BPFXX_CORE_READ_STR_INTO(&r.comm, task, comm);
    BPFXX_CORE_READ_INTO(&r.comm_raw, task, comm);

    const signal_struct* signal = BPFXX_CORE_READ(task, signal);
    r.is_child_subreaper = BPFXX_CORE_READ_BITFIELD(signal, is_child_subreaper);
    r.has_child_subreaper = BPFXX_CORE_READ_BITFIELD(signal, has_child_subreaper);

    r.pidtype_max = BPFXX_CORE_ENUM_VALUE(pid_type_renumbered, PIDTYPE_MAX);
    r.map_type_ringbuf = BPFXX_CORE_ENUM_VALUE(bpf_map_type, BPF_MAP_TYPE_RINGBUF);
    r.pidtype_max_exists = BPFXX_CORE_ENUM_VALUE_EXISTS(pid_type_renumbered, PIDTYPE_MAX);
    r.missing_enumval_exists = BPFXX_CORE_ENUM_VALUE_EXISTS(pid_type___ext, PIDTYPE_BPFXX_NONE);

    r.task_exists = BPFXX_CORE_TYPE_EXISTS(task_struct);
    r.missing_type_exists = BPFXX_CORE_TYPE_EXISTS(bpfxx_no_such_type);
    r.task_size = BPFXX_CORE_TYPE_SIZE(task_struct);
    r.task_id_target = BPFXX_CORE_TYPE_ID_TARGET(task_struct);
    r.task_id_local = BPFXX_CORE_TYPE_ID_LOCAL(task_struct);
    r.pid_type_matches = BPFXX_CORE_TYPE_MATCHES(pid_type);
    r.mismatch_matches = BPFXX_CORE_TYPE_MATCHES(signal_struct___mismatch);

    r.pid_exists = BPFXX_CORE_FIELD_EXISTS(task_struct, pid);
    r.missing_field_exists = BPFXX_CORE_FIELD_EXISTS(task->bpfxx_no_such_field);
    r.comm_size = BPFXX_CORE_FIELD_SIZE(task->comm);
    r.comm_offset = BPFXX_CORE_FIELD_OFFSET(task_struct, comm);
    r.pid_size = BPFXX_CORE_FIELD_SIZE(task_struct, pid);
    return 0;
}

BPFXX_LICENSE("GPL");
