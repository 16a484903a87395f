// SPDX-License-Identifier: MIT OR Apache-2.0
// What tests/kernel/map_kinds_test.cpp asks tests/bpf/map_kinds.bpf.cpp to
// do: a raw tracepoint program run with BPF_PROG_TEST_RUN whose context is
// {command, argument}, and which returns the answer.
#pragma once

namespace map_kinds {

enum command : unsigned {
    lpm_lookup = 1,      // argument: an IPv4 address (network order); the rule's value or `miss`
    queue_push = 2,      // argument: the value; 0 or the negative errno
    queue_pop = 3,       // the value or `miss`
    stack_push = 4,
    stack_pop = 5,
    bloom_push = 6,      // run_bloom; argument: the value
    bloom_contains = 7,  // run_bloom; argument: the value; 1 or 0
    stack_id = 8,        // records this kernel stack; its id or the negative errno
    tail_call = 9,       // argument: the program array index; what that program returns, or `miss`
    inner_add = 10,      // argument: the array of maps index; adds 5 to key 7 of that map, 0 or `miss`
    hash_inner_add = 11, // argument: the hash of maps key; as inner_add
};

inline constexpr unsigned miss = 0xffffffffU;
inline constexpr unsigned tail_base = 1000;  // the tail-call targets return tail_base + their number

} // namespace map_kinds
