// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* A .kconfig extern no kernel sets and that is not weak: loading fails
 * naming it (tests/kernel/kconfig_test.cpp). */

#define SEC(name) __attribute__((section(name), used))

extern int CONFIG_BPFXX_NEVER_SET __attribute__((section(".kconfig")));

int kconfig_missing_seen;

SEC("raw_tp/sys_enter")
int copy_missing(void *ctx __attribute__((unused)))
{
	kconfig_missing_seen = CONFIG_BPFXX_NEVER_SET;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
