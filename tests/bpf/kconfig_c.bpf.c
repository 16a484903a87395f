// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* .kconfig externs declared the way libbpf-tools declares them (libbpf's
 * __kconfig and __weak spelled out, enum libbpf_tristate), plain C with no
 * libbpf headers: bpfxx fills them in as libbpf does. */

typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef _Bool bool;

#define SEC(name) __attribute__((section(name), used))
#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))

enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };

extern __u32 LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPFXX_NO_SUCH_OPTION __kconfig __weak;

__u64 kconfig_c_seen[5];

SEC("raw_tp/sys_enter")
int copy_kconfig_c(void *ctx __attribute__((unused)))
{
	kconfig_c_seen[0] = LINUX_KERNEL_VERSION;
	kconfig_c_seen[1] = LINUX_HAS_SYSCALL_WRAPPER;
	kconfig_c_seen[2] = CONFIG_BPF_SYSCALL;
	kconfig_c_seen[3] = CONFIG_HZ;
	kconfig_c_seen[4] = CONFIG_BPFXX_NO_SUCH_OPTION;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
