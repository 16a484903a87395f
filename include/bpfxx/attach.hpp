// SPDX-License-Identifier: MIT OR Apache-2.0
// Attaching loaded programs: from their section name (attach), or by hand to
// tracepoints, raw tracepoints, BTF-typed tracing targets and perf events.
// Each function returns the bpfxx::link_handle that keeps the program
// attached, or throws a bpfxx::error that names the program, the target and
// what to do.
//
// This header declares; the definitions are in bpfxx/impl/attach.ipp.
#pragma once
#ifdef __bpf__
#error "bpfxx/attach.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/attach_options.hpp>
#include <bpfxx/link.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/tracefs.hpp>

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

BPFXX_BEGIN_NAMESPACE

namespace detail {
// read_iterator_records' error, out of line.
[[noreturn]] BPFXX_DECL void raise_record_size(const std::string& description, std::size_t bytes, std::size_t record);
}  // namespace detail

// Attaches where the program's SEC() name says: "tracepoint/<category>/<name>",
// "raw_tp/<name>", "tp_btf/<name>", fentry/fexit/lsm (their target was
// fixed at load), "kprobe/<function>[+<offset>]", "kretprobe/<function>",
// "uprobe/<binary>:<function>[+<offset>]" and "uretprobe/..." (every
// process). The link detaches when destroyed.
[[nodiscard]] BPFXX_DECL link_handle attach(const loaded_program& program);

// Attaches every program whose section names its target
// (loaded_program::auto_attachable()); the others are left alone.
[[nodiscard]] BPFXX_DECL std::vector<link_handle> attach_all(const loaded_object& object);

// Attaches a program to an open perf event and takes ownership of it: the
// link closes the event. Through a BPF link where the kernel has them
// (Linux 5.15, found by a probe made once), else PERF_EVENT_IOC_SET_BPF.
// `cookie` is what bpf_get_attach_cookie() returns (BPF links only).
[[nodiscard]] BPFXX_DECL link_handle attach_perf_event(int prog_fd, sys::fd perf_event, std::string description = {},
                                                       u64 cookie = 0);

// Attaches to a perf event the caller keeps open; the link holds a
// descriptor of its own. Through a BPF link (Linux 5.15), destroying the
// link detaches the program. Through PERF_EVENT_IOC_SET_BPF, nothing can
// take the program off an event: destroying the link only disables the
// event, which stops perf_event programs on hardware and software events,
// while tracepoint, kprobe and uprobe programs keep running until the
// caller closes its descriptor too. Hand the event over (the sys::fd
// overload) to avoid that.
[[nodiscard]] BPFXX_DECL link_handle attach_perf_event(int prog_fd, int perf_fd);

// Attaches a tracepoint program (SEC("tracepoint/<category>/<name>")) to
// tracepoint <category>/<name> found through `fs`.
[[nodiscard]] BPFXX_DECL link_handle attach_tracepoint(int prog_fd, const tracefs& fs, std::string_view category,
                                                       std::string_view name);

// The same through the first tracefs found (tracefs::find()).
[[nodiscard]] BPFXX_DECL link_handle attach_tracepoint(int prog_fd, std::string_view category, std::string_view name);

// Attaches a raw tracepoint program (SEC("raw_tp/<name>")) to the
// tracepoint `name` (no category: "sys_enter", "sched_switch").
[[nodiscard]] BPFXX_DECL link_handle attach_raw_tracepoint(int prog_fd, std::string_view name);

// Attaches a program whose target was fixed at load time through
// attach_btf_id: tp_btf, fentry, fexit, fmod_ret (type tracing), lsm, and
// freplace (ext). BPF_RAW_TRACEPOINT_OPEN without a name does it since
// Linux 5.5.
[[nodiscard]] BPFXX_DECL link_handle attach_tracing(int prog_fd);

// Attaches a kprobe program (SEC("kprobe/...") or SEC("uprobe/...")) to a
// function of an executable or shared library (uprobe_options). Through
// the uprobe perf PMU (Linux 4.17) and a BPF link (5.15; the perf event
// before). The description names the binary, the function and its file
// offset.
[[nodiscard]] BPFXX_DECL link_handle attach_uprobe(int prog_fd, const uprobe_options& options);

// Attaches a kprobe program loaded for uprobe.multi to many functions of
// one binary with one BPF link (Linux 6.6).
[[nodiscard]] BPFXX_DECL link_handle attach_uprobe_multi(int prog_fd, const uprobe_multi_options& options);

// Attaches a kprobe program loaded for kprobe.multi to many kernel
// functions with one BPF link (Linux 5.18).
[[nodiscard]] BPFXX_DECL link_handle attach_kprobe_multi(int prog_fd, const kprobe_multi_options& options);

// Attaches a kprobe program to a kernel function (kprobe_options), through
// the kprobe perf PMU (Linux 4.17, CONFIG_KPROBES).
[[nodiscard]] BPFXX_DECL link_handle attach_kprobe(int prog_fd, const kprobe_options& options);

// Attaches a kprobe program to the function that enters system call
// `options.syscall`: __x64_sys_<name> on x86_64, __arm64_sys_<name> on
// arm64 (sys_<name> where the kernel has no wrappers), found in
// /proc/kallsyms. Kernel side, bpfxx::syscall_arg<N>(ctx) reads the
// arguments (bpfxx/syscall.hpp).
[[nodiscard]] BPFXX_DECL link_handle attach_ksyscall(int prog_fd, const ksyscall_options& options);

// Opens the perf event `options` describes and attaches a perf_event
// program to it (SEC("perf_event")); the link owns the event.
[[nodiscard]] BPFXX_DECL link_handle attach_perf_event(int prog_fd, const perf_event_options& options);

// The same event on every online CPU (options.cpu is set for each, pid
// must be -1): what a CPU profiler attaches.
[[nodiscard]] BPFXX_DECL std::vector<link_handle> attach_perf_event_each_cpu(int prog_fd,
                                                                            perf_event_options options);

// Attaches an iterator program (SEC("iter/<kind>"), BPF_LINK_CREATE with
// BPF_TRACE_ITER, Linux 5.8). The link does not run anything by itself:
// read_iterator() runs the walk once and returns what the program wrote.
[[nodiscard]] BPFXX_DECL link_handle attach_iterator(int prog_fd, const iterator_options& options = {});

// Runs the iterator behind `link` once (BPF_ITER_CREATE) and returns every
// byte the program wrote with bpf_seq_write/bpf_seq_printf, at most
// `max_bytes` (an error past that).
[[nodiscard]] BPFXX_DECL std::vector<std::byte> read_iterator(const link_handle& link,
                                                              std::size_t max_bytes = std::size_t{64} << 20);

// The same as text (bpf_seq_printf output).
[[nodiscard]] BPFXX_DECL std::string read_iterator_text(const link_handle& link,
                                                        std::size_t max_bytes = std::size_t{64} << 20);

// The same as records of T, written one by one with seq_write(): the
// output's size must be a multiple of sizeof(T).
template <class T>
    requires std::is_trivially_copyable_v<T>
[[nodiscard]] std::vector<T> read_iterator_records(const link_handle& link,
                                                   std::size_t max_bytes = std::size_t{64} << 20) {
    const auto bytes = read_iterator(link, max_bytes);
    if (bytes.size() % sizeof(T) != 0) detail::raise_record_size(link.description(), bytes.size(), sizeof(T));
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

// The file a uprobe on `binary` goes to: `binary` itself when it holds a
// '/'; a library's file name ("libc.so.6", "libssl.so") looked up in the
// mappings of `pid` (when >= 0), then LD_LIBRARY_PATH and the system's
// library folders; any other name in PATH. Throws when nothing is found.
[[nodiscard]] BPFXX_DECL std::string find_binary(std::string_view binary, int pid = -1);

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/attach.ipp>
#endif
