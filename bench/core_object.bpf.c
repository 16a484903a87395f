// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* The CO-RE object of the benchmarks: a small process-lifecycle tracer in
 * plain C, as a libbpf-tools author writes it, with no bpfxx and no libbpf
 * headers. Kernel types are declared locally with only the fields read and
 * __attribute__((preserve_access_index)), so every access is a CO-RE
 * relocation resolved against the running kernel's BTF at load time:
 *
 * - field offsets through pointer chains (task->real_parent->tgid,
 *   task->mm->arg_start, task->files->fdt->max_fds, task->signal->pids[]...),
 *   including fields inside the anonymous struct of mm_struct;
 * - bitfields (task_struct::in_iowait, in_execve) read with
 *   __builtin_preserve_field_info (offset, size, shifts, signedness);
 * - a field-exists check with a type flavour (task_struct___pre_5_14::state,
 *   the field's name before Linux 5.14), the idiom for fields that moved;
 * - enum value and enum value exists relocations (enum pid_type);
 * - type exists and type size relocations (struct fdtable).
 *
 * Five programs (tracepoints and raw tracepoints), a ring buffer, a hash map,
 * a per-CPU array and .rodata. It is only loaded by the benchmark, never
 * attached. */

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef _Bool bool;

#define SEC(name) __attribute__((section(name), used))
#define CORE __attribute__((preserve_access_index))

/* Helper numbers from enum bpf_func_id, uapi <linux/bpf.h>. */
static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*const bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*const bpf_ktime_get_ns)(void) = (void *)5;
static __u64 (*const bpf_get_current_pid_tgid)(void) = (void *)14;
static __u64 (*const bpf_get_current_task)(void) = (void *)35;
static long (*const bpf_probe_read_kernel)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)113;
static long (*const bpf_probe_read_kernel_str)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)115;
static void *(*const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)131;
static void (*const bpf_ringbuf_submit)(void *data, __u64 flags) = (void *)132;

/* Second arguments of the CO-RE builtins (the relocation kinds clang emits). */
enum { FIELD_BYTE_OFFSET = 0, FIELD_BYTE_SIZE = 1, FIELD_EXISTS = 2, FIELD_SIGNED = 3, FIELD_LSHIFT_U64 = 4,
       FIELD_RSHIFT_U64 = 5 };
enum { TYPE_EXISTS = 0, TYPE_SIZE = 1 };
enum { ENUMVAL_EXISTS = 0, ENUMVAL_VALUE = 1 };

/* Reads a kernel pointer's field: the address is relocated, the load is a
 * probe read (tracepoint programs cannot dereference kernel pointers). */
#define READ(dst, ptr, field) bpf_probe_read_kernel(&(dst), sizeof(dst), &(ptr)->field)

/* Reads a bitfield: the containing bytes at the relocated offset and size,
 * then the relocated shifts (little-endian: the bytes land at the bottom of
 * the 64-bit value). */
#define READ_BITFIELD(ptr, field)                                                                  \
	({                                                                                         \
		__u64 bits_ = 0;                                                                   \
		bpf_probe_read_kernel(&bits_, __builtin_preserve_field_info((ptr)->field, FIELD_BYTE_SIZE), \
				      (const char *)(ptr) +                                        \
					      __builtin_preserve_field_info((ptr)->field, FIELD_BYTE_OFFSET)); \
		bits_ <<= __builtin_preserve_field_info((ptr)->field, FIELD_LSHIFT_U64);            \
		if (__builtin_preserve_field_info((ptr)->field, FIELD_SIGNED))                     \
			bits_ = (__u64)((__s64)bits_ >>                                            \
					__builtin_preserve_field_info((ptr)->field, FIELD_RSHIFT_U64)); \
		else                                                                               \
			bits_ >>= __builtin_preserve_field_info((ptr)->field, FIELD_RSHIFT_U64);    \
		bits_;                                                                             \
	})

/* Kernel types: only the fields read, in any order; names and kinds must
 * match the kernel's, offsets come from its BTF. */
typedef struct {
	__u32 val;
} kuid_t;

struct cred {
	kuid_t uid;
	kuid_t euid;
} CORE;

struct mm_struct {
	unsigned long total_vm;
	unsigned long hiwater_rss;
	unsigned long arg_start;
	unsigned long arg_end;
	int map_count;
} CORE;

struct fdtable {
	unsigned int max_fds;
} CORE;

struct files_struct {
	struct fdtable *fdt;
	unsigned int next_fd;
} CORE;

struct upid {
	int nr;
} CORE;

struct pid {
	unsigned int level;
	struct upid numbers[1];
} CORE;

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

struct signal_struct {
	int nr_threads;
	struct pid *pids[PIDTYPE_MAX];
} CORE;

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	int exit_code;
	unsigned int in_iowait : 1;
	unsigned int in_execve : 1;
	unsigned long nvcsw;
	unsigned long nivcsw;
	__u64 start_time;
	struct task_struct *real_parent;
	const struct cred *cred;
	struct mm_struct *mm;
	struct files_struct *files;
	struct signal_struct *signal;
	char comm[16];
} CORE;

/* task_struct before Linux 5.14, when __state was called state. */
struct task_struct___pre_5_14 {
	long state;
} CORE;

#define PF_KTHREAD 0x00200000

/* Tracepoint records as /sys/kernel/tracing/events/<category>/<name>/format
 * describes them (ABI, stable). */
struct trace_common {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
};

struct sched_process_exec_args {
	struct trace_common common;
	__u32 data_loc_filename; /* __data_loc char[]: offset | length << 16 */
	__s32 pid;
	__s32 old_pid;
};

struct sched_process_exit_args {
	struct trace_common common;
	char comm[16];
	__s32 pid;
	__s32 prio;
};

struct sys_exit_args {
	struct trace_common common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 ret;
};

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

/* What the programs report. */
enum event_kind { EVENT_FORK = 1, EVENT_EXEC, EVENT_EXIT, EVENT_FD_PRESSURE };

struct event {
	__u32 kind;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 pgid;
	__u32 uid;
	__u32 euid;
	__s32 exit_code;
	__u64 ts_ns;
	__u64 lifetime_ns;
	__u64 total_vm;
	__u64 hiwater_rss;
	__u64 args_size;
	__u64 cpu_switches;
	__u32 map_count;
	__u32 nr_threads;
	__u32 max_fds;
	__u32 next_fd;
	__u32 fdtable_size;
	__u32 in_execve;
	char comm[16];
	char filename[128];
};

/* Per-task state between fork and exit. */
struct task_info {
	__u64 fork_ns;
	__u64 iowait_switches;
	__u64 off_cpu_ns;
	__u64 switched_out_ns;
	__u32 ppid;
	__u32 pgid;
};

enum counter { COUNTER_FORK, COUNTER_EXEC, COUNTER_EXIT, COUNTER_SWITCH, COUNTER_IOWAIT, COUNTER_DROPPED, COUNTER_MAX };

/* BTF-defined maps, spelled out as libbpf's __uint/__type macros expand. */
struct {
	int (*type)[27]; /* BPF_MAP_TYPE_RINGBUF */
	int (*max_entries)[256 * 1024];
} events SEC(".maps");

struct {
	int (*type)[1]; /* BPF_MAP_TYPE_HASH */
	__u32 *key;
	struct task_info *value;
	int (*max_entries)[8192];
} tasks SEC(".maps");

struct {
	int (*type)[6]; /* BPF_MAP_TYPE_PERCPU_ARRAY */
	__u32 *key;
	__u64 *value;
	int (*max_entries)[COUNTER_MAX];
} counters SEC(".maps");

const volatile __u64 min_lifetime_ns = 0; /* .rodata: set before load */
const volatile __u32 fd_pressure_percent = 75;
const volatile bool include_kthreads = 0;

static __attribute__((always_inline)) void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &slot);

	if (v)
		*v += 1;
}

static __attribute__((always_inline)) struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __attribute__((always_inline)) bool is_kthread(struct task_struct *task)
{
	unsigned int flags = 0;

	READ(flags, task, flags);
	return (flags & PF_KTHREAD) != 0;
}

/* The process group id: task->signal->pids[PIDTYPE_PGID]->numbers[0].nr,
 * with the enumerator's value taken from the kernel. */
static __attribute__((always_inline)) __u32 pgid_of(struct task_struct *task)
{
	struct signal_struct *signal = 0;
	struct pid *pid = 0;
	int nr = 0;
	__u32 type;

	if (!__builtin_preserve_enum_value(*(enum pid_type *)PIDTYPE_PGID, ENUMVAL_EXISTS))
		return 0;
	type = __builtin_preserve_enum_value(*(enum pid_type *)PIDTYPE_PGID, ENUMVAL_VALUE);
	if (type >= PIDTYPE_MAX)
		return 0;
	READ(signal, task, signal);
	if (!signal)
		return 0;
	bpf_probe_read_kernel(&pid, sizeof(pid), &signal->pids[type]);
	if (!pid)
		return 0;
	READ(nr, pid, numbers[0].nr);
	return (__u32)nr;
}

/* The task's scheduler state under either field name. */
static __attribute__((always_inline)) long task_state(struct task_struct *task)
{
	struct task_struct___pre_5_14 *old = (void *)task;
	long state = 0;

	if (__builtin_preserve_field_info(old->state, FIELD_EXISTS)) {
		READ(state, old, state);
	} else {
		unsigned int s = 0;

		READ(s, task, __state);
		state = s;
	}
	return state;
}

SEC("raw_tp/sched_process_fork")
int core_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	struct task_info info = {};
	__u32 tid = 0;

	if (!include_kthreads && is_kthread(parent))
		return 0;
	READ(tid, child, pid);
	READ(info.ppid, parent, tgid);
	READ(info.fork_ns, child, start_time);
	info.pgid = pgid_of(child);
	bpf_map_update_elem(&tasks, &tid, &info, 0);
	bump(COUNTER_FORK);
	return 0;
}

SEC("tp/sched/sched_process_exec")
int core_exec(struct sched_process_exec_args *ctx)
{
	struct task_struct *task = current_task();
	struct task_struct *parent = 0;
	const struct cred *cred = 0;
	struct mm_struct *mm = 0;
	unsigned long arg_start = 0, arg_end = 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		bump(COUNTER_DROPPED);
		return 0;
	}
	e->kind = EVENT_EXEC;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	READ(parent, task, real_parent);
	e->ppid = 0;
	if (parent)
		READ(e->ppid, parent, tgid);
	e->pgid = pgid_of(task);
	READ(cred, task, cred);
	e->uid = e->euid = 0;
	if (cred) {
		READ(e->uid, cred, uid.val);
		READ(e->euid, cred, euid.val);
	}
	READ(mm, task, mm);
	e->total_vm = e->hiwater_rss = e->args_size = 0;
	e->map_count = 0;
	if (mm) {
		READ(e->total_vm, mm, total_vm);
		READ(e->hiwater_rss, mm, hiwater_rss);
		READ(e->map_count, mm, map_count);
		READ(arg_start, mm, arg_start);
		READ(arg_end, mm, arg_end);
		e->args_size = arg_end - arg_start;
	}
	e->in_execve = READ_BITFIELD(task, in_execve);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &task->comm);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (const char *)ctx + (ctx->data_loc_filename & 0xffff));
	e->exit_code = 0;
	e->lifetime_ns = e->cpu_switches = 0;
	e->nr_threads = e->max_fds = e->next_fd = e->fdtable_size = 0;
	bpf_ringbuf_submit(e, 0);
	bump(COUNTER_EXEC);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int core_exit(struct sched_process_exit_args *ctx)
{
	struct task_struct *task = current_task();
	struct signal_struct *signal = 0;
	struct files_struct *files = 0;
	struct fdtable *fdt = 0;
	struct task_info *info;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 now = bpf_ktime_get_ns(), start = 0, nvcsw = 0, nivcsw = 0;
	struct event *e;

	if (ctx->pid != (__s32)(id >> 32) || (!include_kthreads && is_kthread(task)))
		goto out; /* a thread, not the whole process */
	READ(start, task, start_time);
	if (now - start < min_lifetime_ns)
		goto out;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		bump(COUNTER_DROPPED);
		goto out;
	}
	e->kind = EVENT_EXIT;
	e->ts_ns = now;
	e->pid = id >> 32;
	e->tid = tid;
	e->lifetime_ns = now - start;
	READ(e->exit_code, task, exit_code);
	READ(nvcsw, task, nvcsw);
	READ(nivcsw, task, nivcsw);
	e->cpu_switches = nvcsw + nivcsw;
	READ(signal, task, signal);
	e->nr_threads = 0;
	if (signal)
		READ(e->nr_threads, signal, nr_threads);
	READ(files, task, files);
	e->max_fds = e->next_fd = 0;
	if (files) {
		READ(e->next_fd, files, next_fd);
		READ(fdt, files, fdt);
		if (fdt)
			READ(e->max_fds, fdt, max_fds);
	}
	e->fdtable_size = __builtin_preserve_type_info(*(struct fdtable *)0, TYPE_EXISTS)
				  ? __builtin_preserve_type_info(*(struct fdtable *)0, TYPE_SIZE)
				  : 0;
	info = bpf_map_lookup_elem(&tasks, &tid);
	e->ppid = info ? info->ppid : 0;
	e->pgid = info ? info->pgid : 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &task->comm);
	e->filename[0] = 0;
	e->uid = e->euid = 0;
	e->total_vm = e->hiwater_rss = e->args_size = 0;
	e->map_count = e->in_execve = 0;
	bpf_ringbuf_submit(e, 0);
	bump(COUNTER_EXIT);
out:
	bpf_map_delete_elem(&tasks, &tid);
	return 0;
}

/* Off-CPU time and I/O waits per task: prev leaves the CPU, next enters. */
SEC("raw_tp/sched_switch")
int core_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx->args[1];
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	struct task_info *info;
	__u64 now = bpf_ktime_get_ns();
	__u32 tid = 0;

	bump(COUNTER_SWITCH);
	READ(tid, prev, pid);
	info = bpf_map_lookup_elem(&tasks, &tid);
	if (info && task_state(prev) != 0) { /* blocked, not preempted */
		info->switched_out_ns = now;
		if (READ_BITFIELD(prev, in_iowait)) {
			info->iowait_switches++;
			bump(COUNTER_IOWAIT);
		}
	}
	READ(tid, next, pid);
	info = bpf_map_lookup_elem(&tasks, &tid);
	if (info && info->switched_out_ns) {
		info->off_cpu_ns += now - info->switched_out_ns;
		info->switched_out_ns = 0;
	}
	return 0;
}

/* Reports a process whose descriptor table is nearly full after an open. */
SEC("tp/syscalls/sys_exit_openat")
int core_openat(struct sys_exit_args *ctx)
{
	struct task_struct *task = current_task();
	struct files_struct *files = 0;
	struct fdtable *fdt = 0;
	unsigned int max_fds = 0;
	__u64 id;
	struct event *e;

	if (ctx->ret < 0)
		return 0;
	READ(files, task, files);
	if (!files)
		return 0;
	READ(fdt, files, fdt);
	if (!fdt)
		return 0;
	READ(max_fds, fdt, max_fds);
	if ((__u64)ctx->ret * 100 < (__u64)max_fds * fd_pressure_percent)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		bump(COUNTER_DROPPED);
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	e->kind = EVENT_FD_PRESSURE;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->max_fds = max_fds;
	e->next_fd = (__u32)ctx->ret;
	e->fdtable_size = __builtin_preserve_type_info(*(struct fdtable *)0, TYPE_SIZE);
	e->in_execve = READ_BITFIELD(task, in_execve);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &task->comm);
	e->filename[0] = 0;
	e->ppid = e->pgid = e->uid = e->euid = 0;
	e->exit_code = 0;
	e->lifetime_ns = e->cpu_switches = e->total_vm = e->hiwater_rss = e->args_size = 0;
	e->map_count = e->nr_threads = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
