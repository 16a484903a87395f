// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include "multi.h"

// The map is defined in main.bpf.cpp; after the bitcode link this extern
// refers to the same definition.
extern struct {
    int (*type)[1];
    unsigned int *key;
    unsigned long long *value;
    int (*max_entries)[16];
    int (*map_flags)[0];
} multi_counts __attribute__((section(".maps")));

static long (*const map_update_elem)(void *map, const void *key, const void *value,
                                     unsigned long long flags) = (void *)2;

__attribute__((noinline)) unsigned int c_square(unsigned int x) { return x * x; }

__attribute__((section("tracepoint/syscalls/sys_enter_getpid"), used))
int multi_c_entry(void *ctx) {
    (void)ctx;
    unsigned int key = 1;
    unsigned long long one = 1;
    map_update_elem(&multi_counts, &key, &one, 0);
    return 0;
}
