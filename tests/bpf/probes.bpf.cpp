// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Probe programs for tests/kernel/probe_test.cpp: a uprobe and a uretprobe
// on a function of the test binary (arguments, return value, cookie), a
// uprobe on libc by name, a kprobe and a kretprobe (run under qemu: the
// host has no kprobes), fentry and fexit on the same function (the host's
// sandbox refuses them), a system call's entry and return, an LSM program
// that refuses opens, and a perf_event program on a software clock.
// Each counts into its own slot of `hits`, for the test's process only.

#include <bpfxx/kernel.hpp>

#include "probes.hpp"

using probes::hit;

BPFXX_MAP(hits, bpfxx::array_map<hit, probes::slots>);
// deny_open refuses the traced process's opens while deny[0] is 1.
BPFXX_MAP(deny, bpfxx::array_map<u32, 1>);

extern "C" {
const volatile u32 target_tgid = 0;
}

static bool traced() { return bpfxx::current_pid_tgid() >> 32 == target_tgid; }

static void record(u32 slot, u64 arg0, u64 arg1, u64 ret, u64 cookie) {
    hit* h = hits.lookup(slot);
    if (h == nullptr)
        return;
    __sync_fetch_and_add(&h->calls, 1);
    h->arg0 = arg0;
    h->arg1 = arg1;
    h->ret = ret;
    h->cookie = cookie;
}

// Attached by hand (attach_uprobe) to the test binary's probe target.
BPFXX_PROGRAM("uprobe")
int on_entry(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::entry, ctx->arg<0>(), ctx->arg<1, u64>(), 0, 0);
    return 0;
}

BPFXX_PROGRAM("uretprobe")
int on_exit(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::exit, 0, 0, static_cast<u64>(ctx->ret<s64>()), 0);
    return 0;
}

// The cookie needs bpf_get_attach_cookie (Linux 5.15): a program of its own.
BPFXX_PROGRAM("uprobe")
int on_cookie(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::cookie, 0, 0, 0, bpfxx::helper::get_attach_cookie(ctx));
    return 0;
}

// Attached from its section name: libc's getpid, in every process.
BPFXX_PROGRAM("uprobe/libc.so.6:getpid")
int on_getpid(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::libc, 0, 0, 0, ctx->ip());
    return 0;
}

// do_sys_openat2(int dfd, const char* filename, struct open_how* how).
BPFXX_PROGRAM("kprobe/do_sys_openat2")
int on_openat(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::kernel_entry, static_cast<u64>(ctx->arg<0, s32>()), 0, 0, 0);
    return 0;
}

BPFXX_PROGRAM("kretprobe/do_sys_openat2")
int on_openat_return(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::kernel_exit, 0, 0, static_cast<u64>(ctx->ret<s64>()), 0);
    return 0;
}

// Many probes, one link (uprobe.multi: Linux 6.6; kprobe.multi: 5.18):
// the cookie says which probe fired.
BPFXX_PROGRAM("uprobe.multi")
int on_multi(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::multi, ctx->arg<0>(), 0, 0, bpfxx::helper::get_attach_cookie(ctx));
    return 0;
}

BPFXX_PROGRAM("kprobe.multi/do_sys_openat2")
int on_kernel_multi(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::kernel_multi, static_cast<u64>(ctx->arg<0, s32>()), 0, 0,
               bpfxx::helper::get_attach_cookie(ctx));
    return 0;
}

// The same function through BPF trampolines: arguments as u64s, and for
// fexit the return value after them.
BPFXX_PROGRAM("fentry/do_sys_openat2")
int on_fentry(u64* ctx) {
    if (traced())
        record(probes::fentry, static_cast<u64>(static_cast<s32>(ctx[0])), 0, 0, 0);
    return 0;
}

BPFXX_PROGRAM("fexit/do_sys_openat2")
int on_fexit(u64* ctx) {
    if (traced())
        record(probes::fexit, 0, 0, ctx[3], 0);
    return 0;
}

// A sleepable uprobe may wait for a page to be faulted in: copy_from_user
// reads what probe_read_user cannot. The argument points at a file page
// the test mapped and never touched.
BPFXX_PROGRAM("uprobe.s")
int on_entry_sleepable(bpfxx::pt_regs* ctx) {
    if (!traced())
        return 0;
    const bpfxx::user_ptr<u64> p(ctx->arg<0>());
    u64 copied = 0;
    u64 probed = 0;
    bpfxx::probe_read_user(probed, p);  // first: it must not fault the page in
    bpfxx::copy_from_user(copied, p);
    record(probes::sleepable, copied, 0, 0, 0);
    record(probes::sleepable_unfaulted, probed, 0, 0, 0);
    return 0;
}

// A system call through its wrapper: the arguments are the caller's
// registers, read by syscall_arg (getpriority(which, who)).
BPFXX_PROGRAM("ksyscall/getpriority")
int on_getpriority(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::syscall_entry, bpfxx::syscall_arg<0>(ctx), bpfxx::syscall_arg<1>(ctx), 0, 0);
    return 0;
}

BPFXX_PROGRAM("kretsyscall/getpriority")
int on_getpriority_return(bpfxx::pt_regs* ctx) {
    if (traced())
        record(probes::syscall_exit, 0, 0, static_cast<u64>(ctx->ret<s64>()), 0);
    return 0;
}

// An LSM program (Linux 5.7, "bpf" in the active LSMs): int file_open(struct
// file *file); the last argument is what earlier BPF LSM programs returned.
BPFXX_PROGRAM("lsm/file_open")
int deny_open(u64* ctx) {
    const int earlier = static_cast<int>(ctx[1]);
    if (earlier != 0)
        return earlier;
    const u32* armed = deny.lookup(0);
    if (!traced() || armed == nullptr || *armed == 0)
        return 0;
    record(probes::lsm, 0, 0, 0, 0);
    return -1;  // -EPERM
}

BPFXX_PROGRAM("perf_event")
int on_sample(bpfxx::perf_event_context* ctx) {
    record(probes::sample, ctx->sample_period, 0, 0, 0);
    return 0;
}

BPFXX_LICENSE("GPL");
