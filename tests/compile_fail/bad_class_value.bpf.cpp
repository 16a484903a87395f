// SPDX-License-Identifier: MIT OR Apache-2.0
// A map value declared with `class`: clang 19 emits no BTF for it (the map's
// value type is type 0), which bpfxx-skel must explain, naming the map.
#include <bpfxx/kernel.hpp>

class counter_value {
public:
    bpfxx::u64 hits;
};

BPFXX_MAP(counters, bpfxx::hash_map<bpfxx::u32, counter_value, 16>);

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_getpid")
int count([[maybe_unused]] void* ctx) {
    bpfxx::u32 key = 0;
    if (auto* v = counters.lookup(key)) v->hits++;
    return 0;
}

BPFXX_LICENSE("GPL");
