// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Iterator programs for tests/kernel/iterator_test.cpp: every task as a
// record (seq_write), every BPF map as a line of text (seq_printf). The
// kernel types are local, read through CO-RE.

#include <bpfxx/kernel.hpp>

#include "iterators.hpp"

namespace kernel_types {

struct task_struct {
    int pid;
    int tgid;
    char comm[16];
};

struct bpf_map {
    u32 id;
    u32 max_entries;
};

} // namespace kernel_types

BPFXX_PROGRAM("iter/task")
int list_tasks(bpfxx::iter_context<kernel_types::task_struct>* ctx) {
    const kernel_types::task_struct* task = ctx->item;
    if (task == nullptr)
        return 0;
    iterators::task_record r = {};
    r.pid = BPFXX_CORE_READ(task, tgid);
    r.tid = BPFXX_CORE_READ(task, pid);
    BPFXX_CORE_READ_INTO(&r.comm, task, comm);
    bpfxx::seq_write(ctx->meta, r);
    return 0;
}

BPFXX_PROGRAM("iter/bpf_map")
int list_maps(bpfxx::iter_context<kernel_types::bpf_map>* ctx) {
    const kernel_types::bpf_map* map = ctx->item;
    if (map == nullptr) {
        bpfxx::seq_printf(ctx->meta, "end\n");
        return 0;
    }
    bpfxx::seq_printf(ctx->meta, "map %u max_entries %u\n", BPFXX_CORE_READ(map, id),
                      BPFXX_CORE_READ(map, max_entries));
    return 0;
}

BPFXX_LICENSE("GPL");
