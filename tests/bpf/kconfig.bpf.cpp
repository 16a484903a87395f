// SPDX-License-Identifier: MIT OR GPL-2.0-only

// .kconfig externs of every value class, for tests/kernel/kconfig_test.cpp:
// the program copies what the loader filled in to .bss, where the test
// reads it. The values differ per kernel; the test compares them with the
// configuration it reads itself.

#include <bpfxx/kernel.hpp>

BPFXX_KCONFIG(u32, LINUX_KERNEL_VERSION);
BPFXX_KCONFIG(bool, LINUX_HAS_BPF_COOKIE);
BPFXX_KCONFIG(bool, LINUX_HAS_SYSCALL_WRAPPER);
BPFXX_KCONFIG(bool, CONFIG_BPF);                      // y
BPFXX_KCONFIG(bpfxx::tristate, CONFIG_BPF_SYSCALL);   // y
BPFXX_KCONFIG(char, CONFIG_BPF_JIT);                  // 'y'
BPFXX_KCONFIG(int, CONFIG_HZ);                        // a number
BPFXX_KCONFIG(u64, CONFIG_NR_CPUS);                   // a number, 8 bytes
BPFXX_KCONFIG(char[16], CONFIG_DEFAULT_HOSTNAME);     // a string
BPFXX_KCONFIG_WEAK(int, CONFIG_BPFXX_NO_SUCH_OPTION);  // never set: zero
BPFXX_KCONFIG_WEAK(bpfxx::tristate, CONFIG_BPFXX_TEST_TRISTATE);  // set by the test's set_kconfig

struct seen {
    u32 version;
    u8 cookie, wrapper, bpf, jit;
    int syscall, hz, missing, test_tristate;
    u64 nr_cpus;
    char hostname[16];
};

extern "C" {
seen kconfig_seen = {};
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int copy_kconfig([[maybe_unused]] bpfxx::raw_tracepoint_args* ctx) {
    kconfig_seen.version = LINUX_KERNEL_VERSION;
    kconfig_seen.cookie = LINUX_HAS_BPF_COOKIE;
    kconfig_seen.wrapper = LINUX_HAS_SYSCALL_WRAPPER;
    kconfig_seen.bpf = CONFIG_BPF;
    kconfig_seen.jit = static_cast<u8>(CONFIG_BPF_JIT);
    kconfig_seen.syscall = static_cast<int>(CONFIG_BPF_SYSCALL);
    kconfig_seen.hz = CONFIG_HZ;
    kconfig_seen.missing = CONFIG_BPFXX_NO_SUCH_OPTION;
    kconfig_seen.test_tristate = static_cast<int>(CONFIG_BPFXX_TEST_TRISTATE);
    kconfig_seen.nr_cpus = CONFIG_NR_CPUS;
    for (int i = 0; i < 16; ++i) kconfig_seen.hostname[i] = CONFIG_DEFAULT_HOSTNAME[i];
    // A branch the verifier prunes: the map is frozen, the value constant.
    if (LINUX_KERNEL_VERSION < bpfxx::kernel_version(4, 0, 0)) return 1;
    return 0;
}

BPFXX_LICENSE("GPL");
