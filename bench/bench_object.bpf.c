// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* The object both libraries open and load in the benchmarks: plain C as a
 * libbpf user writes it, no bpfxx or libbpf headers, so neither side gets a
 * home advantage. It has what a small monitoring tool has: five programs of
 * three types, six maps of different kinds, .rodata/.data/.bss globals and a
 * subprogram called from two programs. No CO-RE relocations and no
 * .kconfig/.ksyms externs: core_object.bpf.c is the CO-RE benchmark. */

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;

#define SEC(name) __attribute__((section(name), used))
#define NOINLINE __attribute__((noinline))

/* Helper numbers from enum bpf_func_id, uapi <linux/bpf.h>. */
static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*const bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*const bpf_ktime_get_ns)(void) = (void *)5;
static __u64 (*const bpf_get_current_pid_tgid)(void) = (void *)14;
static __u64 (*const bpf_get_current_uid_gid)(void) = (void *)15;
static long (*const bpf_get_current_comm)(void *buf, __u32 size_of_buf) = (void *)16;
static long (*const bpf_probe_read_user_str)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)114;
static void *(*const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)131;
static void (*const bpf_ringbuf_submit)(void *data, __u64 flags) = (void *)132;
static void (*const bpf_ringbuf_discard)(void *data, __u64 flags) = (void *)133;

#define BPF_ANY 0
#define BPF_NOEXIST 1
#define MAX_ARGS 8
#define ARG_SIZE 64

struct exec_event {
	__u64 ts_ns;
	__u64 duration_ns;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__s32 retval;
	__u32 args_count;
	__u32 args_size;
	char comm[16];
	char args[MAX_ARGS * ARG_SIZE];
};

struct exec_start {
	__u64 ts_ns;
	__u32 uid;
	__u32 pad;
	char filename[ARG_SIZE];
};

struct config {
	__u32 sample_every;
	__u32 enabled;
};

enum stat_slot { STAT_EXEC, STAT_EXEC_FAILED, STAT_EXIT, STAT_SYSCALL, STAT_NANOSLEEP, STAT_DROPPED, STAT_MAX = 8 };

/* Tracepoint records as /sys/kernel/tracing/events/<category>/<name>/format
 * describes them (ABI, stable). */
struct trace_common {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
};

struct sys_enter_execve_args {
	struct trace_common common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 filename;
	__u64 argv;
	__u64 envp;
};

struct sys_exit_args {
	struct trace_common common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 ret;
};

struct sched_process_exit_args {
	struct trace_common common;
	char comm[16];
	__s32 pid;
	__s32 prio;
};

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

/* BTF-defined maps, spelled out as libbpf's __uint/__type macros expand. */
struct {
	int (*type)[27]; /* BPF_MAP_TYPE_RINGBUF */
	int (*max_entries)[256 * 1024];
} events SEC(".maps");

struct {
	int (*type)[1]; /* BPF_MAP_TYPE_HASH, preallocated */
	__u32 *key;
	struct exec_start *value;
	int (*max_entries)[10240];
} starts SEC(".maps");

struct {
	int (*type)[9]; /* BPF_MAP_TYPE_LRU_HASH */
	__u32 *key;
	__u64 *value;
	int (*max_entries)[4096];
} exec_counts SEC(".maps");

struct {
	int (*type)[1]; /* BPF_MAP_TYPE_HASH, allocated on demand */
	__u32 *key;
	__u64 *value;
	int (*max_entries)[1024];
	int (*map_flags)[1]; /* BPF_F_NO_PREALLOC */
} sleepers SEC(".maps");

struct {
	int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
	__u32 *key;
	struct config *value;
	int (*max_entries)[4];
} configs SEC(".maps");

struct {
	int (*type)[6]; /* BPF_MAP_TYPE_PERCPU_ARRAY */
	__u32 *key;
	__u64 *value;
	int (*max_entries)[STAT_MAX];
} stats SEC(".maps");

const volatile __u32 target_uid = ~0u;   /* .rodata: set before load */
const volatile __u8 include_failed = 1;  /* .rodata */
__u64 exec_seq = 1;                      /* .data */
__u32 sample_default = 1;                /* .data */
__u64 events_dropped;                    /* .bss */
__u64 syscalls_seen;                     /* .bss */

/* A BPF-to-BPF call from two programs. */
static NOINLINE void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);

	if (v)
		*v += 1;
}

static NOINLINE int uid_filtered(__u32 uid)
{
	return target_uid != ~0u && uid != target_uid;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int bench_enter_execve(struct sys_enter_execve_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct exec_start s = {};

	if (uid_filtered(uid))
		return 0;
	s.ts_ns = bpf_ktime_get_ns();
	s.uid = uid;
	bpf_probe_read_user_str(s.filename, sizeof(s.filename), (const void *)ctx->filename);
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	count(STAT_EXEC);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int bench_exit_execve(struct sys_exit_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u32 pid = id >> 32;
	struct exec_start *s = bpf_map_lookup_elem(&starts, &tid);
	struct exec_event *e;
	__u64 one = 1, *n;

	if (!s)
		return 0;
	if (ctx->ret != 0) {
		count(STAT_EXEC_FAILED);
		if (!include_failed)
			goto out;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_dropped, 1);
		goto out;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->duration_ns = e->ts_ns - s->ts_ns;
	e->pid = pid;
	e->tid = tid;
	e->uid = s->uid;
	e->retval = (__s32)ctx->ret;
	e->args_count = 1;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->args, s->filename, ARG_SIZE);
	e->args_size = ARG_SIZE;
	if (__sync_fetch_and_add(&exec_seq, 1) == 0) {
		bpf_ringbuf_discard(e, 0);
		goto out;
	}
	bpf_ringbuf_submit(e, 0);
	n = bpf_map_lookup_elem(&exec_counts, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&exec_counts, &pid, &one, BPF_NOEXIST);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int bench_process_exit(struct sched_process_exit_args *ctx)
{
	__u32 pid = (__u32)ctx->pid;

	bpf_map_delete_elem(&exec_counts, &pid);
	bpf_map_delete_elem(&sleepers, &pid);
	count(STAT_EXIT);
	return 0;
}

SEC("raw_tp/sys_enter")
int bench_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 key = bpf_get_current_pid_tgid() >> 32;
	struct config *cfg;
	__u32 every;

	key %= 4;
	cfg = bpf_map_lookup_elem(&configs, &key);
	if (!cfg || !cfg->enabled)
		return 0;
	every = cfg->sample_every ? cfg->sample_every : sample_default;
	if (every > 1 && ctx->args[1] % every != 0)
		return 0;
	__sync_fetch_and_add(&syscalls_seen, 1);
	return 0;
}

SEC("kprobe/do_nanosleep")
int bench_nanosleep(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 now = bpf_ktime_get_ns(), *last;
	char comm[16];

	(void)ctx;
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] == 0)
		return 0;
	last = bpf_map_lookup_elem(&sleepers, &pid);
	if (last)
		*last = now;
	else
		bpf_map_update_elem(&sleepers, &pid, &now, BPF_ANY);
	count(STAT_NANOSLEEP);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
