// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* A map pinned by name, as libbpf declares it (pinning =
 * LIBBPF_PIN_BY_NAME), and one pinned only when the loader is asked to. */

typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 64);
	__uint(pinning, 1); /* LIBBPF_PIN_BY_NAME */
} shared_counts SEC(".maps");

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} settings SEC(".maps");

SEC("raw_tp/sys_enter")
int count(void *ctx)
{
	(void)ctx;
	__u32 key = 1;
	__u64 *n = bpf_map_lookup_elem(&shared_counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return bpf_map_lookup_elem(&settings, &key) != 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
