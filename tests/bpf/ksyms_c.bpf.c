// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* .ksyms externs declared the way libbpf-tools declares them (libbpf's
 * __ksym and __weak spelled out), plain C with no libbpf headers: a typeless
 * one (an address from /proc/kallsyms: `schedule`, a function every kernel
 * lists) and a weak typeless one no kernel has (0). Typed ksyms are in
 * ksyms_typed_c.bpf.c. tests/kernel/ksyms_test.cpp compares. */

typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))

extern const void schedule __ksym;
extern const void bpfxx_no_such_kernel_symbol __ksym __weak;

__u64 ksyms_seen[2];

SEC("raw_tp/sys_enter")
int copy_ksyms(void *ctx __attribute__((unused)))
{
	ksyms_seen[0] = (__u64)&schedule;
	ksyms_seen[1] = (__u64)&bpfxx_no_such_kernel_symbol;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
