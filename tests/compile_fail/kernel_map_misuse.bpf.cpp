// SPDX-License-Identifier: MIT OR Apache-2.0
// Map definitions the kernel would refuse at BPF_MAP_CREATE (or that would
// misbehave), refused by the templates at compile time instead: one per
// MISUSE value (tests/compile_fail/CMakeLists.txt).
#include <bpfxx/kernel.hpp>

using namespace bpfxx;

#if MISUSE == 1
struct empty_key {
    u32 none[0];
};
BPFXX_MAP(m, hash_map<empty_key, u64, 16>);
#elif MISUSE == 2
struct alignas(16) wide_value {
    u64 lo, hi;
};
BPFXX_MAP(m, hash_map<u32, wide_value, 16>);
#elif MISUSE == 3
BPFXX_MAP(m, hash_map<u32, u64, 16, map_flags::mmapable>);
#elif MISUSE == 4
BPFXX_MAP(m, lpm_trie<lpm_key<u32>, u64, 16, 0>);
#elif MISUSE == 5
BPFXX_MAP(m, bloom_filter<u32, 64, 16>);
#elif MISUSE == 6
BPFXX_MAP(m, stack_trace_map<64, 200>);
#elif MISUSE == 7
BPFXX_MAP(m, array_of_maps<array_map<u32, 4>, 4, map_flags::rdonly_prog>);
#elif MISUSE == 8
BPFXX_MAP(m, hash_map<u32, u64, 0>);
#else
#error "MISUSE must name a case"
#endif

BPFXX_LICENSE("GPL");
