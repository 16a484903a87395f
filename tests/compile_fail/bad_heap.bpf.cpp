// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Must be REJECTED by the build's object check: a new-expression compiles
// for -target bpf into a call to the undefined operator new (_Znwm), which
// no loader can resolve: BPF programs have no heap.

#include <bpfxx/kernel.hpp>

struct sample {
    u64 ts_ns;
    u32 pid;
};

// Storing the result in a global keeps clang from eliding the allocation.
extern "C" {
sample* last_sample;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int on_sys_enter_heap(bpfxx::raw_tracepoint_args* ctx) {
    last_sample = new sample{bpfxx::ktime_ns(), static_cast<u32>(ctx->args[1])};
    return 0;
}

BPFXX_LICENSE("Dual MIT/GPL");
