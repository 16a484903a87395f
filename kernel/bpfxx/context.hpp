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

// Context of kprobe, kretprobe, uprobe and uretprobe programs: the
// registers at the probe, as the target architecture lays them out (the
// kernel's bpf_user_pt_regs_t). The architecture comes from
// __TARGET_ARCH_x86 or __TARGET_ARCH_arm64, which bpfxx_add_bpf_object
// passes for the target it builds for.
//
//   BPFXX_PROGRAM("uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:malloc")
//   int on_malloc(bpfxx::pt_regs* ctx) { auto size = ctx->arg<0>(); ... }
//
// arg<N, T>() is argument N (from 0) of a function probed at its entry,
// under the C calling convention (integers and pointers in registers: 6 on
// x86_64, 8 on arm64); ret<T>() the return value, in a kretprobe or
// uretprobe.
#if defined(__TARGET_ARCH_x86)
struct [[clang::standalone_debug]] pt_regs {
    u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip_, cs, flags, sp_, ss;

    static constexpr unsigned register_args = 6;
    template <unsigned N, typename T = u64>
    BPFXX_METHOD T arg() const {
        static_assert(N < register_args, "x86_64 passes 6 arguments in registers; later ones are on the stack");
        if constexpr (N == 0) return as<T>(di);
        else if constexpr (N == 1) return as<T>(si);
        else if constexpr (N == 2) return as<T>(dx);
        else if constexpr (N == 3) return as<T>(cx);
        else if constexpr (N == 4) return as<T>(r8);
        else return as<T>(r9);
    }
    template <typename T = u64>
    BPFXX_METHOD T ret() const { return as<T>(ax); }
    BPFXX_METHOD u64 ip() const { return ip_; }
    BPFXX_METHOD u64 sp() const { return sp_; }
#elif defined(__TARGET_ARCH_arm64)
struct [[clang::standalone_debug]] pt_regs {  // the kernel's struct user_pt_regs
    u64 regs[31];
    u64 sp_, pc, pstate;

    static constexpr unsigned register_args = 8;
    template <unsigned N, typename T = u64>
    BPFXX_METHOD T arg() const {
        static_assert(N < register_args, "arm64 passes 8 arguments in registers; later ones are on the stack");
        return as<T>(regs[N]);
    }
    template <typename T = u64>
    BPFXX_METHOD T ret() const { return as<T>(regs[0]); }
    BPFXX_METHOD u64 ip() const { return pc; }
    BPFXX_METHOD u64 sp() const { return sp_; }
#else
struct pt_regs {
    // Without an architecture the layout is unknown: using it is an error.
    template <unsigned N, typename T = u64>
    T arg() const = delete;
    template <typename T = u64>
    T ret() const = delete;
#endif

private:
    // A register as T: an integer (truncated to its width) or a pointer.
    template <typename T>
    BPFXX_METHOD static T as(u64 value) {
        static_assert(sizeof(T) <= 8, "a register holds at most 8 bytes");
        if constexpr (__is_pointer(T)) return reinterpret_cast<T>(value);
        else return static_cast<T>(value);
    }
};

#if defined(__TARGET_ARCH_x86)
static_assert(sizeof(pt_regs) == 168);
#elif defined(__TARGET_ARCH_arm64)
static_assert(sizeof(pt_regs) == 272);
#endif

// Context of SEC("perf_event") programs (struct bpf_perf_event_data): the
// registers where the sample was taken, the sample period and, for some
// events, the data address.
struct [[clang::standalone_debug]] perf_event_context {
    pt_regs regs;
    u64 sample_period;
    u64 addr;
};

// Context of XDP programs (struct xdp_md): the packet's bounds as 32-bit
// offsets, which the verifier turns into pointers when loaded.
struct [[clang::standalone_debug]] xdp_md {
    u32 data;
    u32 data_end;
    u32 data_meta;
    u32 ingress_ifindex;
    u32 rx_queue_index;
    u32 egress_ifindex;  // Linux 5.8
};

// What an XDP program returns (enum xdp_action).
enum xdp_action : int { xdp_aborted = 0, xdp_drop = 1, xdp_pass = 2, xdp_tx = 3, xdp_redirect = 4 };

// The packet of an XDP program as byte pointers: [data(), data_end()).
// Every read must be checked against data_end() first, as the verifier
// demands.
BPFXX_METHOD u8* packet_data(const xdp_md* ctx) { return reinterpret_cast<u8*>(static_cast<unsigned long>(ctx->data)); }
BPFXX_METHOD u8* packet_end(const xdp_md* ctx) {
    return reinterpret_cast<u8*>(static_cast<unsigned long>(ctx->data_end));
}

} // namespace bpfxx
