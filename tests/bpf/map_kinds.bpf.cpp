// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Every map kind beyond hash and array, used from a program: the kernel half
// of tests/kernel/map_kinds_test.cpp (see map_kinds.hpp for the protocol).

#include <bpfxx/kernel.hpp>

#include "map_kinds.hpp"

using namespace map_kinds;

using inner_counts = bpfxx::hash_map<u32, u64, 16>;

BPFXX_MAP(rules, bpfxx::lpm_trie<bpfxx::lpm_key<u32>, u32, 64>);
BPFXX_MAP(fifo, bpfxx::queue<u32, 8>);
BPFXX_MAP(lifo, bpfxx::stack<u32, 8>);
BPFXX_MAP(seen, bpfxx::bloom_filter<u32, 1024, 3>);
BPFXX_MAP(stacks, bpfxx::stack_trace_map<64, 32>);
BPFXX_MAP(jump_table, bpfxx::prog_array<4>);
BPFXX_MAP(tenants, bpfxx::array_of_maps<inner_counts, 4>);
BPFXX_MAP(tenants_by_key, bpfxx::hash_of_maps<u64, inner_counts, 4>);

namespace {

u64 pop_or_miss(long err, u32 value) { return err == 0 ? value : miss; }

template <typename Outer, typename Key>
u64 add_to_inner(Outer& outer, const Key& key) {
    inner_counts* counts = outer.lookup(key);
    if (counts == nullptr)
        return miss;
    counts->increment(7, 5);
    return 0;
}

} // namespace

BPFXX_PROGRAM("raw_tp/sys_enter")
int run_command(bpfxx::raw_tracepoint_args* ctx) {
    const u64 cmd = ctx->args[0];
    const u64 arg = ctx->args[1];
    const u32 arg32 = static_cast<u32>(arg);
    u32 out = 0;
    switch (cmd) {
    case lpm_lookup: {
        const bpfxx::lpm_key<u32> key{32, arg32};
        const u32* value = rules.lookup(key);
        return static_cast<int>(value != nullptr ? *value : miss);
    }
    case queue_push: return static_cast<int>(fifo.push(arg32));
    case queue_pop: return static_cast<int>(pop_or_miss(fifo.pop(out), out));
    case stack_push: return static_cast<int>(lifo.push(arg32));
    case stack_pop: return static_cast<int>(pop_or_miss(lifo.pop(out), out));
    case stack_id: return static_cast<int>(stacks.get_id(ctx));
    case tail_call:
        jump_table.tail_call(ctx, arg32);
        return static_cast<int>(miss);
    case inner_add: return static_cast<int>(add_to_inner(tenants, arg32));
    case hash_inner_add: return static_cast<int>(add_to_inner(tenants_by_key, arg));
    default: return static_cast<int>(miss);
    }
}

// Bloom filters need Linux 5.16: a program of their own, which the test
// leaves out (with the map) on older kernels.
BPFXX_PROGRAM("raw_tp/sys_enter")
int run_bloom(bpfxx::raw_tracepoint_args* ctx) {
    const u32 value = static_cast<u32>(ctx->args[1]);
    if (ctx->args[0] == bloom_push)
        return static_cast<int>(seen.push(value));
    if (ctx->args[0] == bloom_contains)
        return seen.contains(value) ? 1 : 0;
    return static_cast<int>(miss);
}

// Tail-call targets: the same program type as run_command.
BPFXX_PROGRAM("raw_tp/sys_enter")
int tail_target_0([[maybe_unused]] bpfxx::raw_tracepoint_args* ctx) { return tail_base + 0; }

BPFXX_PROGRAM("raw_tp/sys_enter")
int tail_target_1([[maybe_unused]] bpfxx::raw_tracepoint_args* ctx) { return tail_base + 1; }

BPFXX_LICENSE("GPL");
