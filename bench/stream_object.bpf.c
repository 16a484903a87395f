// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* The object the stream benchmarks share (bench/stream_ops.cpp): two XDP
 * programs, each sending one 64-byte record per run, one to a ring buffer
 * and one to this CPU's perf buffer. Plain C, no library headers. Runs come
 * from BPF_PROG_TEST_RUN with a repeat count, so the benchmark fills a
 * buffer without attaching anything. */

typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))

/* Helper numbers from enum bpf_func_id, uapi <linux/bpf.h>. */
static long (*const bpf_perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) = (void *)25;
static long (*const bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) = (void *)130;

#define BPF_MAP_TYPE_PERF_EVENT_ARRAY 4
#define BPF_MAP_TYPE_RINGBUF 27
#define BPF_F_CURRENT_CPU 0xffffffffULL
#define XDP_PASS 2

struct record {
	__u64 seq;
	__u64 payload[7];
};

struct {
	int (*type)[BPF_MAP_TYPE_RINGBUF];
	int (*max_entries)[8 << 20];
} ring SEC(".maps");

struct {
	int (*type)[BPF_MAP_TYPE_PERF_EVENT_ARRAY];
	int (*key_size)[sizeof(__u32)];
	int (*value_size)[sizeof(__u32)];
} perf SEC(".maps");

__u64 seq;

SEC("xdp") int to_ring(void *ctx)
{
	struct record r = {.seq = seq++};
	(void)ctx;
	bpf_ringbuf_output(&ring, &r, sizeof(r), 0);
	return XDP_PASS;
}

SEC("xdp") int to_perf(void *ctx)
{
	struct record r = {.seq = seq++};
	bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &r, sizeof(r));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
