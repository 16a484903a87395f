// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* The content of maps_cxx.bpf.cpp written in plain C without bpfxx headers,
 * the way libbpf users write it: BTF map definitions spelled out, helpers as
 * pointers to their numbers. bpfxx must load C objects as well as its own. */

typedef unsigned char __u8;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef unsigned short __u16;

#define SEC(name) __attribute__((section(name), used))

/* Helper numbers from enum bpf_func_id, uapi <linux/bpf.h>. */
static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static __u64 (*const bpf_ktime_get_ns)(void) = (void *)5;
static __u64 (*const bpf_get_current_pid_tgid)(void) = (void *)14;
static __u64 (*const bpf_get_current_uid_gid)(void) = (void *)15;
static long (*const bpf_get_current_comm)(void *buf, __u32 size_of_buf) = (void *)16;
static long (*const bpf_probe_read_user_str)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)114;
static void *(*const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)131;
static void (*const bpf_ringbuf_submit)(void *data, __u64 flags) = (void *)132;

struct event {
	__u64 seq;
	__u64 ts_ns;
	__u32 pid;
	__u32 uid;
	char comm[16];
	char filename[64];
};

struct config {
	__u32 sample_every;
	__u32 flags;
};

struct syscalls_enter_execve {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s32 syscall_nr;
	__u64 filename;
	__u64 argv;
	__u64 envp;
};

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

struct {
	int (*type)[1];            /* BPF_MAP_TYPE_HASH */
	__u32 *key;
	__u64 *value;
	int (*max_entries)[1024];
} counts SEC(".maps");

struct {
	int (*type)[2];            /* BPF_MAP_TYPE_ARRAY */
	__u32 *key;
	struct config *value;
	int (*max_entries)[4];
} configs SEC(".maps");

struct {
	int (*type)[27];           /* BPF_MAP_TYPE_RINGBUF */
	int (*max_entries)[256 * 1024];
} events SEC(".maps");

const volatile __u32 target_uid = 0; /* .rodata */
__u64 exec_seq = 1;                  /* .data */
__u64 syscalls_seen;                 /* .bss */

static __attribute__((noinline)) __u32 config_slot(__u32 pid)
{
	return pid % 4;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct syscalls_enter_execve *ctx)
{
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *count;
	struct event *e;

	if (target_uid != 0 && uid != target_uid)
		return 0;
	count = bpf_map_lookup_elem(&counts, &pid);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&counts, &pid, &one, 1 /* BPF_NOEXIST */);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	/* a plain atomic add, then a read: fetching atomics need Linux 5.12 */
	__sync_fetch_and_add(&exec_seq, 1);
	e->seq = exec_seq;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = pid;
	e->uid = uid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const void *)ctx->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 slot = config_slot(bpf_get_current_pid_tgid() >> 32);
	struct config *cfg = bpf_map_lookup_elem(&configs, &slot);

	if (!cfg)
		return 0;
	if (cfg->sample_every > 1 && ctx->args[1] % cfg->sample_every != 0)
		return 0;
	__sync_fetch_and_add(&syscalls_seen, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
