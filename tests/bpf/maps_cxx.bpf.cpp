// SPDX-License-Identifier: MIT OR GPL-2.0-only

// A C++ kernel object using the bpfxx headers for every libbpf convention a
// loader must handle; the unit tests assert its exact contents.

#include <bpfxx/kernel.hpp>

#include "event.hpp"

using maps_cxx::config;
using maps_cxx::event;

BPFXX_MAP(counts, bpfxx::hash_map<u32, u64, 1024>);  // execs per pid
BPFXX_MAP(configs, bpfxx::array_map<config, 4>);
BPFXX_MAP(events, bpfxx::ring_buffer<256 * 1024>);
BPFXX_RECORD_TYPE(events, event);

extern "C" {
const volatile u32 target_uid = 0;  // .rodata: 0 = every user
u64 exec_seq = 1;                   // .data
u64 syscalls_seen;                  // .bss
}

// A BPF-to-BPF call: static keeps it in .text.
[[gnu::noinline]] static u32 config_slot(u32 pid) {
    return pid % bpfxx::array_map<config, 4>::capacity();
}

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_execve")
int on_execve(bpfxx::trace_event<bpfxx::syscall_enter>* ctx) {
    const u32 uid = bpfxx::current_uid();
    if (target_uid != 0 && uid != target_uid)
        return 0;
    const u32 pid = bpfxx::current_pid();
    counts.increment(pid);
    events.reserve<event>([&](event& e) {
        // A plain atomic add, then a read: a fetching atomic (whose result
        // is used) needs Linux 5.12, and the VM tests run these on 5.10.
        __sync_fetch_and_add(&exec_seq, 1);
        e.seq = exec_seq;
        e.ts_ns = bpfxx::ktime_ns();
        e.pid = pid;
        e.uid = uid;
        bpfxx::current_comm(e.comm);
        bpfxx::probe_read_user_str(e.filename, bpfxx::user_ptr<char>(ctx->fields.args[0]));
    });
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int on_sys_enter(bpfxx::raw_tracepoint_args* ctx) {
    const config* cfg = configs.lookup(config_slot(bpfxx::current_pid()));
    if (cfg == nullptr)
        return 0;
    if (cfg->sample_every > 1 && ctx->args[1] % cfg->sample_every != 0)
        return 0;
    __sync_fetch_and_add(&syscalls_seen, 1);
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
