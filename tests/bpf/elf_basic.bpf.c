// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Test object for the ELF and BTF.ext readers (tests/unit/elf_test.cpp,
// tests/unit/btf_ext_test.cpp). Self-contained on purpose: the expectations in
// those tests are computed from this file, so it depends on no other header.
// Changing a line here changes line numbers the tests assert.

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

typedef unsigned int u32;
typedef unsigned long long u64;

enum { map_type_hash = 1 };

struct {
    __uint(type, map_type_hash);
    __uint(max_entries, 64);
    __type(key, u32);
    __type(value, u64);
} counts SEC(".maps");

const volatile u32 target_pid = 0;
u64 hits = 1;
u64 misses;

static long (*const map_lookup_elem)(void* map, const void* key) = (void*)1;
static long (*const get_current_pid_tgid)(void) = (void*)14;

struct point {
    int x;
    int y;
    long z;
};

static __attribute__((noinline)) u64 bump(u64 v) {
    hits += v;
    return hits;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(void* ctx) {
    (void)ctx;
    u32 pid = (u32)(get_current_pid_tgid() >> 32);
    if (target_pid != 0 && pid != target_pid) {
        misses++;
        return 0;
    }
    u64* v = (u64*)map_lookup_elem(&counts, &pid);
    if (v)
        *v += 1;
    return (int)bump(1);
}

SEC("xdp")
int on_xdp(struct point* p) {
    int y = __builtin_preserve_access_index(p->y);
    long z = __builtin_preserve_access_index(p->z);
    return (int)(y + z + (long)bump(2));
}

enum color { red = 3, green = 5 };

// One CO-RE relocation of each family: field, type and enum value.
SEC("tc")
int on_tc(struct point* p) {
    long r = __builtin_preserve_field_info(p->x, 2 /* field exists */);
    r += __builtin_preserve_field_info(p->z, 1 /* field byte size */);
    r += __builtin_preserve_type_info(*p, 1 /* type size */);
    r += __builtin_btf_type_id(*p, 0 /* local type id */);
    r += __builtin_preserve_enum_value(*(enum color*)green, 1 /* enum value */);
    return (int)r;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
