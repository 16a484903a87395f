// SPDX-License-Identifier: MIT OR GPL-2.0-only
// A program the verifier must reject: it dereferences a map lookup result
// without checking it for NULL. The loader test expects the verifier's own
// message, the program name and this file's line in the error.
struct {
    int (*type)[1];  // BPF_MAP_TYPE_HASH: lookups may miss (array lookups with a constant key may not)
    unsigned int *key;
    unsigned long long *value;
    int (*max_entries)[1];
} slots __attribute__((section(".maps"), used));

static void *(*const map_lookup_elem)(void *map, const void *key) = (void *)1;

__attribute__((section("raw_tp/sys_enter"), used))
int unchecked_lookup(void *ctx) {
    (void)ctx;
    unsigned int key = 0;
    unsigned long long *value = map_lookup_elem(&slots, &key);
    return (int)*value;  // UNCHECKED_DEREF
}

char LICENSE[] __attribute__((section("license"), used)) = "Dual MIT/GPL";
