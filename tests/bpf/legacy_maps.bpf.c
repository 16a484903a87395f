// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Pre-BTF map definitions in the "maps" section (struct bpf_map_def), which
// libbpf 1.0 dropped and bpfxx still reads, as Aya does.
struct bpf_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct bpf_map_def legacy_hash __attribute__((section("maps"), used)) = {
    .type = 1,  // BPF_MAP_TYPE_HASH
    .key_size = 4,
    .value_size = 8,
    .max_entries = 128,
    .map_flags = 1,  // BPF_F_NO_PREALLOC
};

struct bpf_map_def legacy_array __attribute__((section("maps"), used)) = {
    .type = 2,  // BPF_MAP_TYPE_ARRAY
    .key_size = 4,
    .value_size = 16,
    .max_entries = 4,
};

static void *(*const map_lookup_elem)(void *map, const void *key) = (void *)1;

__attribute__((section("raw_tp/sys_enter"), used))
int legacy_user(void *ctx) {
    (void)ctx;
    unsigned int key = 0;
    unsigned long long *v = map_lookup_elem(&legacy_hash, &key);
    if (v) __sync_fetch_and_add(v, 1);
    return map_lookup_elem(&legacy_array, &key) != 0;
}

char LICENSE[] __attribute__((section("license"), used)) = "Dual MIT/GPL";
