// SPDX-License-Identifier: MIT OR Apache-2.0
// tracefs: where the kernel publishes its tracepoints. Attaching to
// "tracepoint/<category>/<name>" needs the event id the kernel assigns at
// boot, which only tracefs tells: events/<category>/<name>/id.
//
// This header declares; the definitions are in bpfxx/impl/tracefs.ipp.
#pragma once
#ifdef __bpf__
#error "bpfxx/tracefs.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/types.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE

// A tracefs mount: where events/<category>/<name>/id live.
class tracefs {
public:
    // Mount points of every tracefs in /proc/mounts-formatted `text`, in
    // order, with \ooo escapes decoded.
    [[nodiscard]] BPFXX_DECL static std::vector<std::string> mounts_in(std::string_view text);

    // The contents of an events/<category>/<name>/id file: a decimal number
    // and a newline. Nothing for anything else.
    [[nodiscard]] BPFXX_DECL static std::optional<u32> parse_id(std::string_view text);

    // The first usable tracefs: /sys/kernel/tracing, /sys/kernel/debug/tracing
    // (debugfs mounts tracefs there itself), then any tracefs in /proc/mounts.
    // Throws with the mount command when there is none.
    [[nodiscard]] BPFXX_DECL static tracefs find();

    // find() with the places to look made explicit, for tests and chroots:
    // each candidate in order, then each tracefs listed in `proc_mounts`.
    [[nodiscard]] BPFXX_DECL static tracefs find_in(const std::string& proc_mounts,
                                                    const std::vector<std::string>& candidates);

    // A tracefs mounted at `root`, checked to hold an events/ directory.
    [[nodiscard]] BPFXX_DECL static tracefs at(std::string root);

    [[nodiscard]] const std::string& root() const noexcept { return root_; }

    // events/<category>/<name> under this mount.
    [[nodiscard]] BPFXX_DECL std::string event_dir(std::string_view category, std::string_view name) const;

    [[nodiscard]] BPFXX_DECL bool has_tracepoint(std::string_view category, std::string_view name) const;

    // The perf event id (perf_event_attr::config for PERF_TYPE_TRACEPOINT) of
    // tracepoint <category>/<name>. Throws naming the directory searched
    // when it does not exist.
    [[nodiscard]] BPFXX_DECL u32 tracepoint_id(std::string_view category, std::string_view name) const;

private:
    explicit tracefs(std::string root) : root_(std::move(root)) {}
    std::string root_;
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/tracefs.ipp>
#endif
