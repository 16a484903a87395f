// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* The kernel side of the libbpf execsnoop the benchmark compares bpfxx's
 * examples/execsnoop with. It follows the design of libbpf-tools' execsnoop
 * (the tool whose 302 ms / 13.8 MB the goals were set against), written anew
 * in plain C without vmlinux.h:
 *   - every in-flight exec is an event of ~7.7 KB (60 arguments × 128 bytes)
 *     in a preallocated 10240-entry hash map: ~79 MB the kernel allocates
 *     when the map is created, whether or not anything execs;
 *   - the argument loop is unrolled (#pragma unroll) as libbpf-tools does;
 *   - events leave through a perf event array (per-CPU perf buffers).
 * Built twice: as is, it reads what bpfxx's execsnoop reads; with
 * -DEXECSNOOP_CORE it also reads the parent's pid through a CO-RE relocation
 * of task_struct, as libbpf-tools does, which makes libbpf load and parse the
 * kernel's BTF. */

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;

#define SEC(name) __attribute__((section(name), used))

#include "execsnoop_libbpf.h"

#define ARGSIZE EXECSNOOP_ARGSIZE
#define TASK_COMM_LEN EXECSNOOP_TASK_COMM_LEN
#define TOTAL_MAX_ARGS EXECSNOOP_TOTAL_MAX_ARGS
#define DEFAULT_MAXARGS EXECSNOOP_DEFAULT_MAXARGS
#define FULL_MAX_ARGS_ARR (TOTAL_MAX_ARGS * ARGSIZE)
#define LAST_ARG (FULL_MAX_ARGS_ARR - ARGSIZE)
#define INVALID_UID ((__u32)-1)

/* Helper numbers from enum bpf_func_id, uapi <linux/bpf.h>. */
static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*const bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*const bpf_get_current_pid_tgid)(void) = (void *)14;
static __u64 (*const bpf_get_current_uid_gid)(void) = (void *)15;
static long (*const bpf_get_current_comm)(void *buf, __u32 size_of_buf) = (void *)16;
static long (*const bpf_perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) = (void *)25;
static long (*const bpf_current_task_under_cgroup)(void *map, __u32 index) = (void *)37;
static long (*const bpf_probe_read_user)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)112;
static long (*const bpf_probe_read_user_str)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)114;
#ifdef EXECSNOOP_CORE
static __u64 (*const bpf_get_current_task)(void) = (void *)35;
static long (*const bpf_probe_read_kernel)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)113;

/* Only the fields read; preserve_access_index makes every access a CO-RE
 * relocation that libbpf resolves against the running kernel's BTF. */
struct task_struct {
	struct task_struct *real_parent;
	int tgid;
} __attribute__((preserve_access_index));
#endif

#define BPF_NOEXIST 1
#define BPF_F_CURRENT_CPU 0xffffffffULL

/* Tracepoint records as /sys/kernel/tracing/events/syscalls/.../format say. */
struct sys_enter_args {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s64 id;
	__u64 args[6];
};

struct sys_exit_args {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s64 id;
	__s64 ret;
};

const volatile __u8 filter_cg = 0;
const volatile __u8 ignore_failed = 1;
const volatile __u32 targ_uid = INVALID_UID;
const volatile __s32 max_args = DEFAULT_MAXARGS;

static const struct event empty_event = {};

struct {
	int (*type)[8]; /* BPF_MAP_TYPE_CGROUP_ARRAY */
	__u32 *key;
	__u32 *value;
	int (*max_entries)[1];
} cgroup_map SEC(".maps");

struct {
	int (*type)[1]; /* BPF_MAP_TYPE_HASH, preallocated */
	__s32 *key;
	struct event *value;
	int (*max_entries)[10240];
} execs SEC(".maps");

struct {
	int (*type)[4]; /* BPF_MAP_TYPE_PERF_EVENT_ARRAY, one slot per CPU */
	int (*key_size)[sizeof(__u32)];
	int (*value_size)[sizeof(__u32)];
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct sys_enter_args *ctx)
{
	const char **args = (const char **)ctx->args[1];
	const char *argp;
	struct event *event;
	__u32 uid, ret;
	__s32 pid, tgid;
	__u64 id;
	int i;

	if (filter_cg && !bpf_current_task_under_cgroup(&cgroup_map, 0))
		return 0;
	uid = (__u32)bpf_get_current_uid_gid();
	if (targ_uid != INVALID_UID && targ_uid != uid)
		return 0;
	id = bpf_get_current_pid_tgid();
	pid = (__s32)id;
	tgid = id >> 32;
	if (bpf_map_update_elem(&execs, &pid, &empty_event, BPF_NOEXIST))
		return 0;
	event = bpf_map_lookup_elem(&execs, &pid);
	if (!event)
		return 0;
	event->pid = tgid;
	event->uid = uid;
#ifdef EXECSNOOP_CORE
	{
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct task_struct *parent = 0;

		bpf_probe_read_kernel(&parent, sizeof(parent), &task->real_parent);
		bpf_probe_read_kernel(&event->ppid, sizeof(event->ppid), &parent->tgid);
	}
#endif
	event->args_count = 0;
	event->args_size = 0;

	ret = bpf_probe_read_user_str(event->args, ARGSIZE, (const char *)ctx->args[0]);
	if (ret <= ARGSIZE) {
		event->args_size += ret;
	} else {
		event->args[0] = '\0';
		event->args_size++;
	}
	event->args_count++;

#pragma unroll
	for (i = 1; i < TOTAL_MAX_ARGS && i < max_args; i++) {
		bpf_probe_read_user(&argp, sizeof(argp), &args[i]);
		if (!argp)
			return 0;
		if (event->args_size > LAST_ARG)
			return 0;
		ret = bpf_probe_read_user_str(&event->args[event->args_size], ARGSIZE, argp);
		if (ret > ARGSIZE)
			return 0;
		event->args_count++;
		event->args_size += ret;
	}
	/* One more pointer tells whether arguments were left out. */
	bpf_probe_read_user(&argp, sizeof(argp), &args[max_args]);
	if (!argp)
		return 0;
	event->args_count++;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int tracepoint__syscalls__sys_exit_execve(struct sys_exit_args *ctx)
{
	struct event *event;
	__u64 len;
	__u32 uid;
	__s32 pid;
	int ret;

	if (filter_cg && !bpf_current_task_under_cgroup(&cgroup_map, 0))
		return 0;
	uid = (__u32)bpf_get_current_uid_gid();
	if (targ_uid != INVALID_UID && targ_uid != uid)
		return 0;
	pid = (__s32)bpf_get_current_pid_tgid();
	event = bpf_map_lookup_elem(&execs, &pid);
	if (!event)
		return 0;
	ret = (int)ctx->ret;
	if (ignore_failed && ret < 0)
		goto cleanup;
	event->retval = ret;
	bpf_get_current_comm(&event->comm, sizeof(event->comm));
	len = EVENT_SIZE(event);
	if (len <= sizeof(*event))
		bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, event, len);
cleanup:
	bpf_map_delete_elem(&execs, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
