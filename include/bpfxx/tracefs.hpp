// SPDX-License-Identifier: MIT OR Apache-2.0
// tracefs: where the kernel publishes its tracepoints. Attaching to
// "tracepoint/<category>/<name>" needs the event id the kernel assigns at
// boot, which only tracefs tells: events/<category>/<name>/id.
#pragma once
#ifdef __bpf__
#error "bpfxx/tracefs.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/shared/types.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE

namespace detail::tracefs_impl {

inline constexpr const char* default_mount = "/sys/kernel/tracing";  // Linux 4.1
inline constexpr const char* debugfs_mount = "/sys/kernel/debug/tracing";
inline constexpr const char* mount_hint = "mount -t tracefs nodev /sys/kernel/tracing";

// /proc/mounts writes space, tab, newline and backslash in paths as \ooo.
inline std::string unescape_mount_path(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            auto o = [](char c) { return c >= '0' && c <= '7'; };
            if (o(s[i + 1]) && o(s[i + 2]) && o(s[i + 3])) {
                int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
                if (v < 256) {
                    out.push_back(static_cast<char>(v));
                    i += 3;
                    continue;
                }
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

inline bool directory_exists(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_directory(p, ec);
}

// The whole of a small file (tracefs ids, /proc/mounts), or nothing with
// `err` set to the errno of the failing call.
inline std::optional<std::string> read_small_file(const std::filesystem::path& p, int& err) {
    int f = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (f < 0) {
        err = errno;
        return std::nullopt;
    }
    std::string out;
    char buf[4096];
    for (;;) {
        auto n = ::read(f, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            err = errno;
            ::close(f);
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(f);
    return out;
}

// A category or event name is one path component.
inline bool valid_component(std::string_view s) {
    return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos &&
           s.find('\0') == std::string_view::npos;
}

}  // namespace detail::tracefs_impl

// A tracefs mount: where events/<category>/<name>/id live.
class tracefs {
public:
    // Mount points of every tracefs in /proc/mounts-formatted `text`, in
    // order, with \ooo escapes decoded.
    [[nodiscard]] static std::vector<std::string> mounts_in(std::string_view text) {
        std::vector<std::string> out;
        while (!text.empty()) {
            auto nl = text.find('\n');
            auto line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
            std::string_view field[3];
            int n = 0;
            while (n < 3) {
                auto start = line.find_first_not_of(" \t");
                if (start == std::string_view::npos) break;
                line.remove_prefix(start);
                auto end = line.find_first_of(" \t");
                field[n++] = line.substr(0, end);
                line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
            }
            if (n == 3 && field[2] == "tracefs") out.push_back(detail::tracefs_impl::unescape_mount_path(field[1]));
        }
        return out;
    }

    // The contents of an events/<category>/<name>/id file: a decimal number
    // and a newline. Nothing for anything else.
    [[nodiscard]] static std::optional<u32> parse_id(std::string_view text) {
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' ||
                                 text.back() == '\r'))
            text.remove_suffix(1);
        if (text.empty() || text.size() > 10) return std::nullopt;
        std::uint64_t v = 0;
        for (char c : text) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v > 0xffffffffu) return std::nullopt;
        return static_cast<u32>(v);
    }

    // The first usable tracefs: /sys/kernel/tracing, /sys/kernel/debug/tracing
    // (debugfs mounts tracefs there itself), then any tracefs in /proc/mounts.
    // Throws with the mount command when there is none.
    [[nodiscard]] static tracefs find() {
        return find_in("/proc/mounts", {detail::tracefs_impl::default_mount, detail::tracefs_impl::debugfs_mount});
    }

    // find() with the places to look made explicit, for tests and chroots:
    // each candidate in order, then each tracefs listed in `proc_mounts`.
    [[nodiscard]] static tracefs find_in(const std::filesystem::path& proc_mounts,
                                         const std::vector<std::filesystem::path>& candidates) {
        std::string denied;  // a tracefs that is there but closed to this user
        auto try_root = [&](const std::filesystem::path& root) {
            int e = check(root);
            if (e == EACCES && denied.empty()) denied = root.string();
            return e == 0;
        };
        for (const auto& c : candidates)
            if (try_root(c)) return tracefs(c);
        int err = 0;
        std::string looked;
        for (const auto& c : candidates) looked += detail::cat(c.string(), ", ");
        if (auto text = detail::tracefs_impl::read_small_file(proc_mounts, err)) {
            for (auto& m : mounts_in(*text))
                if (try_root(m)) return tracefs(std::filesystem::path(m));
        }
        if (!denied.empty()) raise_denied(denied);
        detail::raise(detail::cat("tracefs is not mounted (looked in ", looked, "and the tracefs entries of ",
                                  proc_mounts.string(), "); tracepoints are found through it, so mount it "
                                  "as root: ", detail::tracefs_impl::mount_hint),
                      ENOENT);
    }

    // A tracefs mounted at `root`, checked to hold an events/ directory.
    [[nodiscard]] static tracefs at(std::filesystem::path root) {
        int e = check(root);
        if (e == EACCES) raise_denied(root.string());
        if (e != 0)
            detail::raise(detail::cat("no tracefs at ", root.string(), " (it has no events/ directory); mount it "
                                      "as root: mount -t tracefs nodev ", root.string()),
                          ENOENT);
        return tracefs(std::move(root));
    }

    [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

    // events/<category>/<name> under this mount.
    [[nodiscard]] std::filesystem::path event_dir(std::string_view category, std::string_view name) const {
        return root_ / "events" / std::filesystem::path(category) / std::filesystem::path(name);
    }

    [[nodiscard]] bool has_tracepoint(std::string_view category, std::string_view name) const {
        using detail::tracefs_impl::valid_component;
        if (!valid_component(category) || !valid_component(name)) return false;
        std::error_code ec;
        return std::filesystem::exists(event_dir(category, name) / "id", ec);
    }

    // The perf event id (perf_event_attr::config for PERF_TYPE_TRACEPOINT) of
    // tracepoint <category>/<name>. Throws naming the directory searched
    // when it does not exist.
    [[nodiscard]] u32 tracepoint_id(std::string_view category, std::string_view name) const {
        using namespace detail::tracefs_impl;
        if (!valid_component(category) || !valid_component(name))
            detail::raise(detail::cat("invalid tracepoint name \"", category, "/", name,
                                      "\": expected <category>/<name>, e.g. syscalls/sys_enter_openat"),
                          EINVAL);
        auto events = root_ / "events";
        auto id_path = event_dir(category, name) / "id";
        int err = 0;
        auto text = read_small_file(id_path, err);
        if (!text) {
            if (err == EACCES || err == EPERM)
                detail::raise(detail::cat("cannot read ", id_path.string(), ": ", std::strerror(err),
                                          "; tracefs is readable by root only unless mounted with gid=, and "
                                          "attaching needs CAP_BPF and CAP_PERFMON (or root)"),
                              err);
            if (!directory_exists(events / std::filesystem::path(category))) {
                std::string why;
                if (category == "syscalls") why = " (syscall tracepoints need CONFIG_FTRACE_SYSCALLS=y)";
                detail::raise(detail::cat("tracepoint ", category, "/", name, " does not exist: there is no category \"",
                                          category, "\" in ", events.string(), why,
                                          "; available_events in the same tracefs lists them all"),
                              ENOENT);
            }
            detail::raise(detail::cat("tracepoint ", category, "/", name, " does not exist: no ",
                                      id_path.string(), " (", std::strerror(err), "); the tracepoints of \"",
                                      category, "\" are the directories in ",
                                      (events / std::filesystem::path(category)).string()),
                          err);
        }
        auto id = parse_id(*text);
        if (!id) detail::raise(detail::cat("unexpected content in ", id_path.string(), ": not a tracepoint id"), EINVAL);
        return *id;
    }

private:
    explicit tracefs(std::filesystem::path root) : root_(std::move(root)) {}

    // 0 when root/events is a directory, else the errno that says why not.
    // An empty directory is where tracefs would be mounted, not a mount.
    static int check(const std::filesystem::path& root) {
        struct ::stat st {};
        if (::stat((root / "events").c_str(), &st) != 0) return errno;
        return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    }

    // tracefs is usually root's alone (mode 0700), so an unprivileged user
    // sees nothing in it.
    [[noreturn]] static void raise_denied(const std::string& root) {
        detail::raise(detail::cat("cannot access tracefs at ", root, ": ", std::strerror(EACCES),
                                  "; reading tracepoint ids needs root (or a tracefs mounted with gid= of a group "
                                  "of this user), and attaching needs CAP_BPF and CAP_PERFMON (or root)"),
                      EACCES);
    }

    std::filesystem::path root_;
};

BPFXX_END_NAMESPACE
