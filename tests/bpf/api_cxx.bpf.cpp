// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Uses every map template and typed helper of the kernel headers once, so
// the build compiles all of them and a load test can check that the code
// they generate passes the verifier.

#include <bpfxx/kernel.hpp>

namespace api_cxx {

struct sample {
    u64 ts_ns;
    u32 pid;
    u32 cpu;
};

struct loop_state {
    u64 sum;
};

} // namespace api_cxx

using api_cxx::loop_state;
using api_cxx::sample;

BPFXX_MAP(lru_counts, bpfxx::lru_hash_map<u32, u64, 128>);
BPFXX_MAP(percpu_counts, bpfxx::percpu_hash_map<u32, u32, 128, bpfxx::map_flags::no_prealloc>);
BPFXX_MAP(lru_percpu_counts, bpfxx::lru_percpu_hash_map<u64, u64, 128>);
BPFXX_MAP(scratch, bpfxx::percpu_array_map<sample, 1>);
BPFXX_MAP(totals, bpfxx::array_map<u64, 2, bpfxx::map_flags::mmapable>);
BPFXX_MAP(samples, bpfxx::hash_map<u32, sample, 64>);
BPFXX_MAP(pending, bpfxx::queue<sample, 16>);
BPFXX_MAP(recent, bpfxx::stack<u64, 16>);
BPFXX_MAP(jump_table, bpfxx::prog_array<4>);
BPFXX_MAP(perf_events, bpfxx::perf_event_array<>);
BPFXX_MAP(records, bpfxx::ring_buffer<4096>);

// Struct-typed globals: the skeleton gives them typed, layout-checked access.
extern "C" {
const volatile sample sample_template = {0, 0, 0};  // .rodata
sample last_sample;                                 // .bss
}

static long add_index(u64 index, loop_state* state) {
    state->sum += index;
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int exercise_maps(bpfxx::raw_tracepoint_args* ctx) {
    const u32 pid = bpfxx::current_pid();
    lru_counts.increment(pid);
    percpu_counts.increment(pid, 2);
    lru_percpu_counts.increment(bpfxx::current_pid_tgid());
    if (u64* other = lru_percpu_counts.lookup_on_cpu(bpfxx::current_pid_tgid(), 0))
        *other += 1;
    totals.increment(0);
    totals.increment(1, ctx->args[1]);

    sample* s = scratch.lookup(0);
    if (s == nullptr)
        return 0;
    s->ts_ns = bpfxx::ktime_boot_ns();
    s->pid = pid;
    s->cpu = bpfxx::smp_processor_id() + sample_template.cpu;
    samples.update(pid, *s);
    last_sample = *s;
    if (sample* old = samples.lookup(pid ^ 1))
        old->cpu = 0;
    samples.erase(pid ^ 2);
    pending.push(*s, bpfxx::update_flag::exist);
    sample first;
    if (pending.pop(first) == 0)
        recent.push(first.ts_ns);
    u64 last;
    if (recent.peek(last) == 0 && last == 0)
        recent.pop(last);

    perf_events.output(ctx, *s);
    records.output(*s, bpfxx::wakeup::none);
    records.reserve<sample>(
        [&](sample& r) {
            r = *s;
            return r.pid != 1;  // false: discarded
        },
        bpfxx::wakeup::force);
    records.reserve<u64>([&](u64& r) {
        r = records.query(bpfxx::ringbuf_query::avail_data);
        return false;
    });

    loop_state state{0};
    bpfxx::loop(8, &add_index, &state);
    if (state.sum != 28)
        bpfxx::printk("bpf_loop sum %llu\n", state.sum);

    jump_table.tail_call(ctx, 0);
    return 0;
}

BPFXX_PROGRAM("tracepoint/syscalls/sys_exit_execve")
int exercise_task(bpfxx::trace_event<bpfxx::syscall_exit>* ctx) {
    char comm[bpfxx::task_comm_len];
    if (bpfxx::current_comm(comm) != 0)
        return 0;
    char name[16];
    u64 parent = 0;
    const void* task = bpfxx::current_task();
    bpfxx::probe_read_kernel(parent, static_cast<const u64*>(task));
    bpfxx::probe_read_kernel_str(name, static_cast<const char*>(task));
    bpfxx::printk("exec %s ret %ld cgroup %llu\n", comm, ctx->fields.ret, bpfxx::current_cgroup_id());
    return static_cast<int>(bpfxx::current_uid() + bpfxx::current_gid() + bpfxx::current_tid() + bpfxx::prandom_u32() +
                            parent + name[0]);
}

BPFXX_LICENSE("Dual MIT/GPL");
