// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "types.hpp"

// Program contexts: the struct a program's only argument points to. The
// layouts are those the kernel documents in
// /sys/kernel/tracing/events/<category>/<name>/format.
//
// Each is [[clang::standalone_debug]]: a program that only passes its
// context along would otherwise reach BTF with a forward declaration of it,
// and the verifier logs "arg#0 reference type('FWD ...') size cannot be
// determined".

namespace bpfxx {

// The 8-byte header every trace event record starts with (struct trace_entry).
struct [[clang::standalone_debug]] trace_entry {
    u16 common_type;
    u8 common_flags;
    u8 common_preempt_count;
    s32 common_pid;
};
static_assert(sizeof(trace_entry) == 8);

// Context of a SEC("tracepoint/<category>/<name>") program whose fields are
// not described: the header only, the event's fields follow at offset 8.
struct [[clang::standalone_debug]] tracepoint_context {
    trace_entry common;
};

// Context of a tracepoint program whose fields are described by Fields, a
// struct laid out as the event's format file says from offset 8 on.
template <typename Fields>
struct [[clang::standalone_debug]] trace_event {
    trace_entry common;
    Fields fields;
};

// Fields of syscalls/sys_enter_<name>: the syscall number, then each
// argument widened to 8 bytes (only as many as the syscall takes).
struct [[clang::standalone_debug]] syscall_enter {
    s32 syscall_nr;
    u64 args[6];
};

// Fields of syscalls/sys_exit_<name>.
struct [[clang::standalone_debug]] syscall_exit {
    s32 syscall_nr;
    s64 ret;
};

// Fields of raw_syscalls/sys_enter, which fires for every syscall.
struct [[clang::standalone_debug]] raw_syscall_enter {
    s64 id;
    u64 args[6];
};

// Fields of raw_syscalls/sys_exit.
struct [[clang::standalone_debug]] raw_syscall_exit {
    s64 id;
    s64 ret;
};

static_assert(__builtin_offsetof(trace_event<syscall_enter>, fields.args) == 16);
static_assert(__builtin_offsetof(trace_event<syscall_exit>, fields.ret) == 16);
static_assert(__builtin_offsetof(trace_event<raw_syscall_enter>, fields.args) == 16);
static_assert(__builtin_offsetof(trace_event<raw_syscall_exit>, fields.ret) == 16);

// Context of SEC("raw_tp/<name>") and SEC("raw_tracepoint/<name>") programs
// (struct bpf_raw_tracepoint_args, 4.17): the tracepoint's arguments as
// 8-byte values. For raw_tp/sys_enter, args[0] is the struct pt_regs * of
// the syscall and args[1] its number.
struct [[clang::standalone_debug]] raw_tracepoint_args {
    u64 args[12];
};

} // namespace bpfxx
