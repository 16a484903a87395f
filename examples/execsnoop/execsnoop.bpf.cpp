// SPDX-License-Identifier: MIT OR GPL-2.0-only
// execsnoop: every execve with its pid, uid, arguments and result.
// The arguments are read at sys_enter_execve (the caller's memory is gone
// after a successful exec); the comm and the result at sys_exit_execve.
#include <bpfxx/kernel.hpp>

#include "execsnoop.hpp"

using execsnoop::event;

// Only what execsnoop reads of the kernel's task_struct. CO-RE matches the
// struct and its fields by name in the running kernel's BTF and relocates
// the offsets at load time, so this local layout need not be the kernel's.
namespace kernel_types {
struct task_struct {
    int tgid;
    task_struct* real_parent;
};
}  // namespace kernel_types

// Events that do not fit (the reader fell behind) are counted in
// events__dropped, which execsnoop reports.
BPFXX_RING_BUFFER(events, 256 * 1024);
BPFXX_RECORD_TYPE(events, event);
// In-flight execs by thread id. Not preallocated: memory is used only while
// an exec is between enter and exit (libbpf-tools preallocates 10240 × 7.7 KB).
BPFXX_MAP(execs, bpfxx::hash_map<u32, event, execsnoop::max_in_flight, bpfxx::map_flags::no_prealloc>);

extern "C" {
const volatile u32 filter_uid = ~0u;      // only this uid; ~0 = everyone
u64 execs_untraced = 0;                   // execs missed: `execs` was full
const volatile bool failed_only = false;  // only execs that failed
const volatile u32 arg_limit = execsnoop::max_args;
}

// Zero-filled template for new entries: programs may not read uninitialised
// stack, and the event is too big for the 512-byte stack anyway.
static const event empty_event = {};

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_execve")
int execsnoop_enter(bpfxx::trace_event<bpfxx::syscall_enter>* ctx) {
    const u32 uid = bpfxx::current_uid();
    if (filter_uid != ~0u && uid != filter_uid) return 0;
    const u32 tid = bpfxx::current_tid();
    if (long err = execs.update(tid, empty_event, bpfxx::update_flag::noexist); err != 0) {
        if (err != -17) __sync_fetch_and_add(&execs_untraced, 1);  // not EEXIST: the map is full
        return 0;
    }
    event* e = execs.lookup(tid);
    if (e == nullptr) return 0;
    e->pid = bpfxx::current_pid();
    const auto* task = reinterpret_cast<const kernel_types::task_struct*>(bpfxx::helper::get_current_task());
    e->ppid = static_cast<u32>(BPFXX_CORE_READ(task, real_parent, tgid));
    e->tid = tid;
    e->uid = uid;

    const bpfxx::user_ptr<const char> filename(ctx->fields.args[0]);
    long n = bpfxx::helper::probe_read_user_str(e->args, execsnoop::arg_size, filename.raw());
    if (n <= 0) return 0;
    e->args_size = static_cast<u32>(n);
    e->args_count = 1;

    const bpfxx::user_ptr<const char* const> argv(ctx->fields.args[1]);
    for (u32 i = 1; i < execsnoop::max_args && i < arg_limit; ++i) {
        const char* arg = nullptr;
        if (bpfxx::probe_read_user(arg, argv + i) != 0 || arg == nullptr) break;
        const u32 used = e->args_size;
        if (used > execsnoop::args_buffer - execsnoop::arg_size) break;  // bounds the verifier checks
        n = bpfxx::helper::probe_read_user_str(&e->args[used], execsnoop::arg_size, arg);
        if (n <= 0) break;
        e->args_size = used + static_cast<u32>(n);
        e->args_count++;
    }
    return 0;
}

BPFXX_PROGRAM("tracepoint/syscalls/sys_exit_execve")
int execsnoop_exit(bpfxx::trace_event<bpfxx::syscall_exit>* ctx) {
    const u32 tid = bpfxx::current_tid();
    event* e = execs.lookup(tid);
    if (e == nullptr) return 0;
    const s64 ret = ctx->fields.ret;
    if (!(failed_only && ret == 0)) {
        e->retval = static_cast<s32>(ret);
        e->ts_ns = bpfxx::ktime_ns();
        bpfxx::current_comm(e->comm);  // the new program's name once exec succeeded
        events.output(*e);
    }
    execs.erase(tid);
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
