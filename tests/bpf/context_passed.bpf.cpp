// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Programs that never read their context: the context types must still
// reach BTF as complete structs (tests/unit/object_test.cpp), not as the
// forward declarations clang writes for a type only pointed to.
#include <bpfxx/kernel.hpp>

BPFXX_PROGRAM("raw_tp/sys_enter")
int raw_unused([[maybe_unused]] bpfxx::raw_tracepoint_args* ctx) { return 0; }

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_getpid")
int enter_unused([[maybe_unused]] bpfxx::trace_event<bpfxx::syscall_enter>* ctx) { return 0; }

BPFXX_PROGRAM("tracepoint/syscalls/sys_exit_getpid")
int exit_unused([[maybe_unused]] bpfxx::trace_event<bpfxx::syscall_exit>* ctx) { return 0; }

BPFXX_PROGRAM("tracepoint/sched/sched_process_exec")
int plain_unused([[maybe_unused]] bpfxx::tracepoint_context* ctx) { return 0; }

BPFXX_LICENSE("Dual MIT/GPL");
