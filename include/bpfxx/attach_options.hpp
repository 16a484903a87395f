// SPDX-License-Identifier: MIT OR Apache-2.0
// Where to attach a probe or a perf_event program: the option structs of
// attach_uprobe, attach_kprobe and attach_perf_event (bpfxx/attach.hpp),
// light enough for skeleton headers.
#pragma once
#ifdef __bpf__
#error "bpfxx/attach_options.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/types.hpp>

#include <string>
#include <vector>

BPFXX_BEGIN_NAMESPACE

// A uprobe or uretprobe: a function (or an offset) of an executable or
// shared library, in one process or in every process that runs it.
struct uprobe_options {
    // The executable or library: a path ("/usr/bin/bash", "/proc/self/exe"),
    // or a library's file name ("libc.so.6"), looked up in the mappings of
    // `pid` when one is given, then in LD_LIBRARY_PATH and the system's
    // library folders.
    std::string binary;
    // The function's symbol (.symtab, else .dynsym). Empty: `offset` alone
    // is the file offset to probe.
    std::string function;
    // Bytes past the function's first instruction, or the file offset when
    // `function` is empty.
    u64 offset = 0;
    // The process to trace; -1, every process that maps the binary.
    int pid = -1;
    // A uretprobe: runs when the function returns (its return value is in
    // the context's return register).
    bool retprobe = false;
    // What bpf_get_attach_cookie() returns in the program (Linux 5.15).
    u64 cookie = 0;
    // File offset of a USDT semaphore the kernel counts up while attached
    // (Linux 4.20); 0: none.
    u64 ref_ctr_offset = 0;
};

// A kprobe or kretprobe on a kernel function.
struct kprobe_options {
    std::string function;  // as /proc/kallsyms names it ("do_unlinkat")
    u64 offset = 0;        // bytes past the function's entry (kprobes only)
    bool retprobe = false;
    u64 cookie = 0;        // bpf_get_attach_cookie() (Linux 5.15)
};

// A system call, probed at its entry or return through the architecture's
// wrapper function (SEC("ksyscall/<name>"), SEC("kretsyscall/<name>")).
struct ksyscall_options {
    std::string syscall;  // "openat", "execve"
    bool retprobe = false;
    u64 cookie = 0;
};

// A perf event for a perf_event program: a software or hardware counter
// that runs the program every `period` events, or `frequency` times a
// second.
struct perf_event_options {
    enum class kind : u32 { hardware = 0, software = 1 };
    kind type = kind::software;
    // perf's event number for the type: sys::perf_count_sw_cpu_clock,
    // sys::perf_count_hw_cpu_cycles...
    u64 config = 0;  // software: cpu-clock
    // Exactly one of the two: samples per second, or events per sample.
    u64 frequency = 0;
    u64 period = 0;
    // The CPU to count on (-1 with a pid: wherever the task runs) and the
    // task (-1: every task on that CPU). attach_perf_event_each_cpu sets cpu.
    int cpu = 0;
    int pid = -1;
    u64 cookie = 0;  // bpf_get_attach_cookie() (Linux 5.15)
};

// One link for many uprobes of one binary (SEC("uprobe.multi"), Linux
// 6.6): each function (or file offset) gets a probe, the program a cookie
// per probe.
struct uprobe_multi_options {
    std::string binary;                  // as in uprobe_options
    std::vector<std::string> functions;  // names, or shell patterns ("ssl_*") matched against the symbols
    std::vector<u64> offsets;            // file offsets, when no functions are named
    std::vector<u64> cookies;            // empty, or one per probe (in the order of functions, or offsets)
    int pid = -1;
    bool retprobe = false;
};

// One link for many kprobes (SEC("kprobe.multi"), Linux 5.18, fprobe):
// named functions, or every function of /sys/kernel/tracing/
// available_filter_functions that a shell pattern matches.
struct kprobe_multi_options {
    std::vector<std::string> functions;
    std::string pattern;       // when no functions are named: "tcp_*"
    std::vector<u64> cookies;  // empty, or one per function
    bool retprobe = false;
};

// What an iterator program (SEC("iter/<kind>")) walks, where the kind
// takes a parameter: the map of a map-element iterator
// (iter/bpf_map_elem, iter/bpf_sk_storage_map...), or the one process of
// a task iterator (iter/task, iter/task_file, iter/task_vma; Linux 6.1).
struct iterator_options {
    int map_fd = -1;
    int pid = -1;
};

BPFXX_END_NAMESPACE
