// SPDX-License-Identifier: MIT OR Apache-2.0
/* A minimal execsnoop in plain C with libbpf: the libbpf side of the
 * benchmark that bpfxx's examples/execsnoop is compared with. Its user space
 * does what libbpf-tools' execsnoop does on the path to the first event: a
 * bpftool skeleton with the object embedded, read-only globals set before
 * load, load, attach, the header, a perf buffer of 64 pages per CPU polled
 * every 100 ms. Unlike libbpf-tools it flushes stdout after each line, as
 * bpfxx's execsnoop does, so a pipe sees the first event when it is printed.
 *
 *   execsnoop_libbpf [-x] [-u UID] [--first-event]
 */
#include <linux/types.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "execsnoop_libbpf.h"
#include "execsnoop.skel.h"

#define PERF_BUFFER_PAGES 64
#define PERF_POLL_TIMEOUT_MS 100

static volatile sig_atomic_t exiting;
static bool first_event;
static bool verbose;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static void handle_event(void *ctx, int cpu, void *data, __u32 data_sz)
{
	const struct event *e = data;
	char args[sizeof(e->args) + 1];
	unsigned int i, size;

	(void)ctx;
	(void)cpu;
	if (exiting || data_sz < BASE_EVENT_SIZE)
		return;
	size = e->args_size < sizeof(e->args) ? e->args_size : sizeof(e->args);
	if (size > data_sz - BASE_EVENT_SIZE)
		size = data_sz - BASE_EVENT_SIZE;
	memcpy(args, e->args, size);
	args[size] = '\0';
	for (i = 0; size > 0 && i < size - 1; i++)
		if (args[i] == '\0')
			args[i] = ' ';
	printf("%-16.16s %-7d %-7d %3d %s%s\n", e->comm, e->pid, e->ppid, e->retval, args,
	       e->args_count > EXECSNOOP_DEFAULT_MAXARGS ? " ..." : "");
	fflush(stdout);
	if (first_event)
		exiting = 1;
}

static void handle_lost_events(void *ctx, int cpu, __u64 lost_cnt)
{
	(void)ctx;
	fprintf(stderr, "lost %llu events on CPU #%d\n", (unsigned long long)lost_cnt, cpu);
}

static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: execsnoop_libbpf [-x] [-u UID] [-v] [--first-event]\n");
	exit(status);
}

int main(int argc, char **argv)
{
	struct perf_buffer *pb = NULL;
	struct execsnoop_bpf *obj;
	bool fails = false;
	long uid = -1;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-x"))
			fails = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--first-event"))
			first_event = true;
		else if (!strcmp(argv[i], "-u") && i + 1 < argc)
			uid = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage(0);
		else
			usage(2);
	}

	libbpf_set_print(libbpf_print_fn);

	obj = execsnoop_bpf__open();
	if (!obj) {
		fprintf(stderr, "failed to open BPF object\n");
		return 1;
	}
	obj->rodata->ignore_failed = !fails;
	if (uid >= 0)
		obj->rodata->targ_uid = (__u32)uid;
	obj->rodata->max_args = EXECSNOOP_DEFAULT_MAXARGS;

	err = execsnoop_bpf__load(obj);
	if (err) {
		fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	err = execsnoop_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "failed to attach BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}

	printf("%-16s %-7s %-7s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
	fflush(stdout);

	pb = perf_buffer__new(bpf_map__fd(obj->maps.events), PERF_BUFFER_PAGES, handle_event, handle_lost_events,
			      NULL, NULL);
	if (!pb) {
		err = -errno;
		fprintf(stderr, "failed to open perf buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	if (signal(SIGINT, sig_handler) == SIG_ERR || signal(SIGTERM, sig_handler) == SIG_ERR) {
		fprintf(stderr, "can't set signal handler: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	while (!exiting) {
		err = perf_buffer__poll(pb, PERF_POLL_TIMEOUT_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "error polling perf buffer: %s\n", strerror(-err));
			goto cleanup;
		}
		err = 0;
	}

cleanup:
	perf_buffer__free(pb);
	execsnoop_bpf__destroy(obj);
	return err != 0;
}
