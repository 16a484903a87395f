// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* A typed .ksyms extern as libbpf-tools declares it: the per-CPU variable
 * bpf_prog_active, resolved to its id in the kernel's BTF and read with
 * bpf_this_cpu_ptr. The kernel finds its address in kallsyms, so it loads
 * only where kallsyms lists data symbols (CONFIG_KALLSYMS_ALL). */

typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))

static void *(*const bpf_this_cpu_ptr)(const void *percpu_ptr) = (void *)154;

extern const int bpf_prog_active __ksym;

__u64 ksyms_typed_seen;

SEC("raw_tp/sys_enter")
int copy_typed_ksym(void *ctx __attribute__((unused)))
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	ksyms_typed_seen = active != 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
