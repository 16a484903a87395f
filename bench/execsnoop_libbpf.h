/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* The event of the libbpf execsnoop, shared by its kernel and user sides:
 * the layout of libbpf-tools' execsnoop event (~7.7 KB, 60 arguments). */
#ifndef BENCH_EXECSNOOP_LIBBPF_H
#define BENCH_EXECSNOOP_LIBBPF_H

#define EXECSNOOP_ARGSIZE 128
#define EXECSNOOP_TASK_COMM_LEN 16
#define EXECSNOOP_TOTAL_MAX_ARGS 60
#define EXECSNOOP_DEFAULT_MAXARGS 20

struct event {
	__s32 pid;
	__s32 ppid;
	__u32 uid;
	__u64 mntns_id;
	__s32 retval;
	__s32 args_count;
	__u32 args_size;
	char comm[EXECSNOOP_TASK_COMM_LEN];
	char args[EXECSNOOP_TOTAL_MAX_ARGS * EXECSNOOP_ARGSIZE];
};

#define BASE_EVENT_SIZE ((__u64)(&((struct event *)0)->args))
#define EVENT_SIZE(e) (BASE_EVENT_SIZE + (e)->args_size)

#endif
