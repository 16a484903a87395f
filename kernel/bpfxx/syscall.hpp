// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "context.hpp"
#include "helpers.hpp"

// System calls probed at their entry (SEC("ksyscall/<name>"), attached to
// the architecture's wrapper, __x64_sys_<name> or __arm64_sys_<name>): the
// wrapper's only argument is the registers of the calling process, so the
// system call's arguments are read from there, not from the probe's own
// registers.
//
//   BPFXX_PROGRAM("ksyscall/openat")
//   int on_openat(bpfxx::pt_regs* ctx) {
//       int dfd = bpfxx::syscall_arg<0, int>(ctx);
//       auto path = bpfxx::syscall_arg<1, const char*>(ctx);  // user memory
//       ...
//   }
//
// SEC("kretsyscall/<name>") programs read the result with ctx->ret<T>().

namespace bpfxx {

#if defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)
// Argument N (from 0) of the probed system call, as T (an integer,
// truncated to its width, or a pointer); 0 when the registers cannot be
// read. Six at most, as the kernel's system call ABI has.
template <unsigned N, typename T = u64>
BPFXX_METHOD T syscall_arg(const pt_regs* ctx) {
    static_assert(N < 6, "system calls take at most 6 arguments");
    static_assert(sizeof(T) <= 8, "a register holds at most 8 bytes");
    const pt_regs* regs = ctx->arg<0, const pt_regs*>();
    u64 value = 0;
#if defined(__TARGET_ARCH_x86)
    // The x86_64 system call ABI passes the fourth argument in r10.
    if constexpr (N == 0) probe_read_kernel(value, &regs->di);
    else if constexpr (N == 1) probe_read_kernel(value, &regs->si);
    else if constexpr (N == 2) probe_read_kernel(value, &regs->dx);
    else if constexpr (N == 3) probe_read_kernel(value, &regs->r10);
    else if constexpr (N == 4) probe_read_kernel(value, &regs->r8);
    else probe_read_kernel(value, &regs->r9);
#else
    probe_read_kernel(value, &regs->regs[N]);
#endif
    if constexpr (__is_pointer(T)) return reinterpret_cast<T>(value);
    else return static_cast<T>(value);
}
#endif

} // namespace bpfxx
