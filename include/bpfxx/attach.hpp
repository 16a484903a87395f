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

#include <bpfxx/link.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/tracefs.hpp>

#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE

// Attaches where the program's SEC() name says: "tracepoint/<category>/<name>",
// "raw_tp/<name>", "tp_btf/<name>", fentry/fexit/lsm (their target was
// fixed at load). The link detaches when destroyed.
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

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/attach.ipp>
#endif
