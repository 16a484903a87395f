// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* Maps the way libbpf-tools declares them and then completes them from user
 * space before load: a stack trace map with no value size (profile and
 * offcputime set it to the stack depth they want, with
 * bpf_map__set_value_size) and an array of maps with no inner definition
 * (bpf_map__set_inner_map_fd). Plain C, no bpfxx or libbpf headers. */

typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_get_stackid)(void *ctx, void *map, __u64 flags) = (void *)27;

struct {
	__uint(type, 7); /* BPF_MAP_TYPE_STACK_TRACE */
	__type(key, __u32);
	__uint(max_entries, 1);
} stackmap SEC(".maps");

struct {
	__uint(type, 12); /* BPF_MAP_TYPE_ARRAY_OF_MAPS */
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} outer SEC(".maps");

/* Records this stack, then counts in slot 0 of the array in outer[0]:
 * returns the stack id, or -1 when outer[0] is empty. */
SEC("raw_tp/sys_enter")
int record_stack(void *ctx)
{
	long id = bpf_get_stackid(ctx, &stackmap, 0);
	__u32 zero = 0;
	void *inner = bpf_map_lookup_elem(&outer, &zero);
	if (!inner)
		return -1;
	__u64 *count = bpf_map_lookup_elem(inner, &zero);
	if (count)
		__sync_fetch_and_add(count, 1);
	return (int)id;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
