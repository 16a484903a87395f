// SPDX-License-Identifier: MIT OR Apache-2.0
// A .rodata global that is const but not volatile: clang folds its value
// into the program, so user space setting it before load changes nothing.
// bpfxx-skel must say so (a warning: the object is valid). Its address goes
// to a helper, so it stays in .rodata (unused, clang drops it altogether).
// A namespace-scope `const` has internal linkage in C++ (the skeleton leaves
// it out, as libbpf's does statics); `extern "C" const` gives it a name.
#include <bpfxx/kernel.hpp>

extern "C" const bpfxx::u32 limit = 5;
extern "C" const volatile bpfxx::u32 tunable = 7;

BPFXX_MAP(hits, bpfxx::array_map<bpfxx::u64, 1>);
BPFXX_MAP(limits, bpfxx::array_map<bpfxx::u32, 1>);

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_getpid")
int count([[maybe_unused]] void* ctx) {
    if (limit > tunable) hits.increment(0);
    limits.update(0, limit);
    return 0;
}

BPFXX_LICENSE("GPL");
