// SPDX-License-Identifier: MIT OR Apache-2.0
// The tracefs lookups behind bpfxx/tracefs.hpp.
#pragma once

#include <bpfxx/tracefs.hpp>

#include <bpfxx/detail/file.hpp>
#include <bpfxx/detail/mounts.hpp>
#include <bpfxx/error.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace tracefs_impl {

inline constexpr const char* default_mount = "/sys/kernel/tracing";  // Linux 4.1
inline constexpr const char* debugfs_mount = "/sys/kernel/debug/tracing";
inline constexpr const char* mount_hint = "mount -t tracefs nodev /sys/kernel/tracing";
inline constexpr const char* privilege_hint =
    "; reading tracepoint ids needs root (or a tracefs mounted with gid= of a group of this user), and "
    "attaching needs CAP_BPF and CAP_PERFMON (or root)";

// 0 when `path` is a directory, else the errno that says why not.
inline int directory_status(const std::string& path) {
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

// 0 when root/events is a directory, else the errno that says why not.
// An empty directory is where tracefs would be mounted, not a mount.
inline int check(const std::string& root) { return directory_status(root + "/events"); }

// A category or event name is one path component.
inline bool valid_component(std::string_view s) {
    return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos &&
           s.find('\0') == std::string_view::npos;
}

// tracefs is usually root's alone (mode 0700), so an unprivileged user
// sees nothing in it.
[[noreturn]] inline void raise_denied(const std::string& root) {
    raise(cat("cannot access tracefs at ", root, ": ", errno_message(EACCES), privilege_hint), EACCES);
}

}  // namespace tracefs_impl
}  // namespace detail

BPFXX_DECL std::vector<std::string> tracefs::mounts_in(std::string_view text) {
    return detail::mounts_of_type(text, "tracefs");
}

BPFXX_DECL std::optional<u32> tracefs::parse_id(std::string_view text) {
    while (!text.empty() &&
           (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;  // no sign, no space
    u32 v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

BPFXX_DECL tracefs tracefs::find() {
    return find_in("/proc/mounts", {detail::tracefs_impl::default_mount, detail::tracefs_impl::debugfs_mount});
}

BPFXX_DECL tracefs tracefs::find_in(const std::string& proc_mounts, const std::vector<std::string>& candidates) {
    using namespace detail::tracefs_impl;
    std::string denied;  // a tracefs that is there but closed to this user
    auto try_root = [&](const std::string& root) {
        int e = check(root);
        if (e == EACCES && denied.empty()) denied = root;
        return e == 0;
    };
    for (const auto& c : candidates)
        if (try_root(c)) return tracefs(c);
    std::string looked;
    for (const auto& c : candidates) looked += detail::cat(c, ", ");
    int err = 0;
    const auto text = detail::read_small_file(proc_mounts, err);
    if (err == 0)
        for (auto& m : mounts_in(text))
            if (try_root(m)) return tracefs(std::move(m));
    if (!denied.empty()) raise_denied(denied);
    detail::raise(detail::cat("tracefs is not mounted (looked in ", looked, "and the tracefs entries of ", proc_mounts,
                              err == 0 ? "" : detail::cat(", which could not be read: ", detail::errno_message(err)),
                              "); tracepoints are found through it, so mount it as root: ", mount_hint),
                  ENOENT);
}

BPFXX_DECL tracefs tracefs::at(std::string root) {
    using namespace detail::tracefs_impl;
    int e = check(root);
    if (e == EACCES) raise_denied(root);
    if (e == ENOENT || e == ENOTDIR)
        detail::raise(detail::cat("no tracefs at ", root, " (it has no events/ directory); mount it as root: "
                                  "mount -t tracefs nodev ",
                                  root),
                      ENOENT);
    if (e != 0) detail::raise(detail::cat("cannot look into tracefs at ", root, ": ", detail::errno_text(e)), e);
    return tracefs(std::move(root));
}

BPFXX_DECL std::string tracefs::event_dir(std::string_view category, std::string_view name) const {
    return detail::cat(root_, "/events/", category, "/", name);
}

BPFXX_DECL bool tracefs::has_tracepoint(std::string_view category, std::string_view name) const {
    using detail::tracefs_impl::valid_component;
    if (!valid_component(category) || !valid_component(name)) return false;
    struct ::stat st {};
    return ::stat((event_dir(category, name) + "/id").c_str(), &st) == 0;
}

BPFXX_DECL u32 tracefs::tracepoint_id(std::string_view category, std::string_view name) const {
    using namespace detail::tracefs_impl;
    if (!valid_component(category) || !valid_component(name))
        detail::raise(detail::cat("invalid tracepoint name \"", category, "/", name,
                                  "\": expected <category>/<name>, e.g. syscalls/sys_enter_openat"),
                      EINVAL);
    const auto id_path = event_dir(category, name) + "/id";
    int err = 0;
    const auto text = detail::read_small_file(id_path, err);
    if (err == EACCES || err == EPERM)
        detail::raise(detail::cat("cannot read ", id_path, ": ", detail::errno_message(err),
                                  "; tracefs is readable by root only unless mounted with gid=, and "
                                  "attaching needs CAP_BPF and CAP_PERFMON (or root)"),
                      err);
    if (err == ENOENT || err == ENOTDIR) {
        const auto category_dir = detail::cat(root_, "/events/", category);
        const int cat_err = directory_status(category_dir);
        if (cat_err == ENOENT || cat_err == ENOTDIR) {
            std::string why;
            if (category == "syscalls") why = " (syscall tracepoints need CONFIG_FTRACE_SYSCALLS=y)";
            detail::raise(detail::cat("tracepoint ", category, "/", name, " does not exist: there is no category \"",
                                      category, "\" in ", root_, "/events", why,
                                      "; available_events in the same tracefs lists them all"),
                          ENOENT);
        }
        detail::raise(detail::cat("tracepoint ", category, "/", name, " does not exist: no ", id_path,
                                  "; the tracepoints of \"", category, "\" are the directories in ", category_dir),
                      ENOENT);
    }
    // Anything else is not about the tracepoint: say what happened.
    if (err != 0)
        detail::raise(detail::cat("cannot read the id of tracepoint ", category, "/", name, " from ", id_path, ": ",
                                  detail::errno_text(err)),
                      err);
    auto id = parse_id(text);
    if (!id) detail::raise(detail::cat("unexpected content in ", id_path, ": not a tracepoint id"), EINVAL);
    return *id;
}

BPFXX_END_NAMESPACE
