// SPDX-License-Identifier: MIT OR Apache-2.0
// The attach paths behind bpfxx/attach.hpp.
#pragma once

#include <bpfxx/attach.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/shared/program_types.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {


// The head of struct bpf_prog_info (uapi), enough for the type and name
// that messages show. BPF_OBJ_GET_INFO_BY_FD copies min(info_len, kernel's
// size), so a prefix is a valid request. name arrived in Linux 4.15.
struct prog_info_head {
    u32 type = 0;
    u32 id = 0;
    u8 tag[8] = {};
    u32 jited_prog_len = 0;
    u32 xlated_prog_len = 0;
    u64 jited_prog_insns = 0;
    u64 xlated_prog_insns = 0;
    u64 load_time = 0;
    u32 created_by_uid = 0;
    u32 nr_map_ids = 0;
    u64 map_ids = 0;
    char name[16] = {};
};
static_assert(sizeof(prog_info_head) == 80);

struct program_identity {
    program_type type = program_type::unspec;
    u32 id = 0;
    std::string name;
};

// What the fd is, as /proc/self/fd shows it ("anon_inode:bpf-prog"); empty
// when /proc cannot tell.
inline std::string fd_target(int fd) {
    char path[64];
    char target[256];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    auto n = ::readlink(path, target, sizeof target - 1);
    if (n <= 0) return {};
    return std::string(target, static_cast<std::size_t>(n));
}

// The type, id and name of the program behind `prog_fd`; nothing when it
// is not a program. BPF_OBJ_GET_INFO_BY_FD answers for maps, BTF and links
// too, with a different struct, so the fd's kind is checked first.
inline std::optional<program_identity> identify_program(int prog_fd) {
    int saved = errno;
    auto target = fd_target(prog_fd);
    if (!target.empty() && target != "anon_inode:bpf-prog") {
        errno = saved;
        return std::nullopt;
    }
    prog_info_head info;
    sys::attr::obj_info a;
    a.bpf_fd = static_cast<u32>(prog_fd);
    a.info_len = sizeof(info);
    a.info = sys::ptr_to_u64(&info);
    long r = sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, a);
    errno = saved;
    if (r < 0) return std::nullopt;
    program_identity out;
    out.type = static_cast<program_type>(info.type);
    out.id = info.id;
    out.name.assign(info.name, ::strnlen(info.name, sizeof(info.name)));
    return out;
}

// "program on_exec (tracepoint, id 42)"; "program fd 7" when the kernel
// does not say, "fd 7 (anon_inode:bpf-map, not a BPF program)" when it is
// something else.
inline std::string describe_program(int prog_fd) {
    if (auto p = identify_program(prog_fd)) {
        std::string out = "program ";
        if (!p->name.empty()) out += cat(p->name, " ");
        return cat(out, "(", to_string(p->type), ", id ", p->id, ")");
    }
    auto target = fd_target(prog_fd);
    if (!target.empty() && target != "anon_inode:bpf-prog")
        return cat("fd ", prog_fd, " (", target, ", not a BPF program)");
    return cat("program fd ", prog_fd);
}

// The kernel-internal ENOTSUPP that bpf(2) leaks to user space.
inline constexpr int enotsupp = 524;

inline bool is_permission_error(int e) noexcept { return e == EPERM || e == EACCES; }
inline constexpr const char* permission_hint = "; attaching needs CAP_BPF and CAP_PERFMON (or root)";

// "cannot attach <program> to <target>: <step> failed: <errno text><hint>"
[[noreturn]] inline void raise_attach(int prog_fd, std::string_view target, std::string_view step, int e,
                                      std::string_view hint = {}) {
    std::string bad_fd;
    if (hint.empty() && e == EBADF) {
        bad_fd = cat("; fd ", prog_fd, " is not an open descriptor");
        hint = bad_fd;
    }
    raise(cat("cannot attach ", describe_program(prog_fd), " to ", target, ": ", step, " failed: ", errno_text(e),
              hint),
          e);
}

// ", this one is <type>" or nothing, for hints about the program type.
inline std::string program_type_clause(int prog_fd) {
    auto p = identify_program(prog_fd);
    if (!p) return {};
    return cat(", this one is ", to_string(p->type));
}

#ifdef BPFXX_TESTING
// Test hook: take the PERF_EVENT_IOC_SET_BPF path even where the kernel
// has BPF perf links, so both paths stay tested on a new kernel.
inline std::atomic<bool> force_perf_event_ioctl{false};
#endif

inline bool link_create_unsupported(int e) noexcept { return e == EINVAL || e == EOPNOTSUPP || e == enotsupp; }

// Takes ownership of `perf` (an open perf event) and attaches the program
// to it; `expected` is the program type the event needs, for the hint
// when the kernel refuses the program (unspec: no hint).
inline link_handle attach_perf_event(int prog_fd, sys::fd perf, std::string description, u64 cookie,
                              program_type expected) {
    auto type_hint = [&](int e) -> std::string {
        if (is_permission_error(e)) return permission_hint;
        if (e == EEXIST)
            return "; the perf event already has a BPF program, or this program is already attached to the same "
                   "tracepoint or probe (load it again to attach it twice)";
        if (e == EINVAL && expected != program_type::unspec) {
            auto p = identify_program(prog_fd);
            if (p && p->type != expected)
                return cat("; a ", description, " needs a program of type ", to_string(expected),
                           program_type_clause(prog_fd));
        }
        return {};
    };
#ifdef BPFXX_TESTING
    const bool forced_ioctl = force_perf_event_ioctl.load(std::memory_order_relaxed);
#else
    constexpr bool forced_ioctl = false;
#endif
    const auto has_link = forced_ioctl ? features::answer::no : features::perf_link();
    if (has_link != features::answer::no) {
        sys::attr::link_create a;
        a.prog_fd = static_cast<u32>(prog_fd);
        a.target_fd = static_cast<u32>(perf.get());
        a.attach_type = static_cast<u32>(attach_type::perf_event);
        a.target_specific[0] = cookie;  // perf_event.bpf_cookie
        sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
        if (l) {
            if (sys::perf_event_ioctl(perf.get(), sys::perf_event_ioc_enable) < 0) {
                int e = errno;
                raise_attach(prog_fd, description, "PERF_EVENT_IOC_ENABLE", e, type_hint(e));
            }
            return link_handle::from_bpf_link(std::move(l), std::move(description), std::move(perf));
        }
        int e = errno;
        // Only an unprobed kernel may still turn out to lack perf links.
        if (has_link == features::answer::yes || !link_create_unsupported(e))
            raise_attach(prog_fd, description, "BPF_LINK_CREATE", e, type_hint(e));
    }
    if (cookie != 0)
        raise(cat("cannot attach ", describe_program(prog_fd), " to ", description,
                  ": a BPF cookie on a perf event needs BPF perf links (Linux 5.15)",
                  forced_ioctl ? " and the test hook forces the ioctl path" : ""),
              EOPNOTSUPP);
    if (sys::perf_event_ioctl(perf.get(), sys::perf_event_ioc_set_bpf, static_cast<unsigned long>(prog_fd)) < 0) {
        int e = errno;
        raise_attach(prog_fd, description, "PERF_EVENT_IOC_SET_BPF", e, type_hint(e));
    }
    if (sys::perf_event_ioctl(perf.get(), sys::perf_event_ioc_enable) < 0) {
        int e = errno;
        raise_attach(prog_fd, description, "PERF_EVENT_IOC_ENABLE", e, type_hint(e));
    }
    return link_handle::from_perf_event(std::move(perf), std::move(description));
}

inline void check_tracepoint_part(std::string_view what, std::string_view s) {
    if (s.empty() || s.find('\0') != std::string_view::npos)
        raise(cat("invalid ", what, " name \"", s, "\""), EINVAL);
}

}  // namespace detail


// Attaches a program to an open perf event and takes ownership of it: the
// link closes the event. Through a BPF link where the kernel has them
// (Linux 5.15, found by a probe made once), else PERF_EVENT_IOC_SET_BPF.
// `cookie` is what bpf_get_attach_cookie() returns (BPF links only).
BPFXX_DECL link_handle attach_perf_event(int prog_fd, sys::fd perf_event, std::string description, u64 cookie) {
    if (description.empty()) description = detail::cat("perf event fd ", perf_event.get());
    return detail::attach_perf_event(prog_fd, std::move(perf_event), std::move(description), cookie,
                                     program_type::unspec);
}

BPFXX_DECL link_handle attach_perf_event(int prog_fd, int perf_fd) {
    int d = ::fcntl(perf_fd, F_DUPFD_CLOEXEC, 3);
    if (d < 0) {
        int e = errno;
        detail::raise_attach(prog_fd, detail::cat("perf event fd ", perf_fd), "duplicating the perf event fd", e);
    }
    return attach_perf_event(prog_fd, sys::fd(d), detail::cat("perf event fd ", perf_fd));
}

BPFXX_DECL link_handle attach_tracepoint(int prog_fd, const tracefs& fs, std::string_view category,
                                            std::string_view name) {
    std::string description = detail::cat("tracepoint ", category, "/", name);
    u32 id = fs.tracepoint_id(category, name);
    sys::perf_event_attr attr;
    attr.type = sys::perf_type_tracepoint;
    attr.config = id;
    // pid -1 with cpu 0: one event for the whole system. A tracepoint runs
    // its BPF programs on every CPU, not only on the event's.
    sys::fd perf = sys::perf_event_open(attr, -1, 0, -1);
    if (!perf) {
        int e = errno;
        std::string hint;
        if (detail::is_permission_error(e)) hint = detail::permission_hint;
        else if (e == ENOENT || e == ENODEV)
            hint = "; this kernel has no perf events for tracepoints (CONFIG_PERF_EVENTS, CONFIG_EVENT_TRACING)";
        detail::raise_attach(prog_fd, description, "perf_event_open", e, hint);
    }
    return detail::attach_perf_event(prog_fd, std::move(perf), std::move(description), 0, program_type::tracepoint);
}

BPFXX_DECL link_handle attach_tracepoint(int prog_fd, std::string_view category, std::string_view name) {
    return attach_tracepoint(prog_fd, tracefs::find(), category, name);
}

BPFXX_DECL link_handle attach_raw_tracepoint(int prog_fd, std::string_view name) {
    detail::check_tracepoint_part("raw tracepoint", name);
    std::string description = detail::cat("raw tracepoint ", name);
    std::string name_z(name);
    sys::attr::raw_tracepoint_open a;
    a.name = sys::ptr_to_u64(name_z.c_str());
    a.prog_fd = static_cast<u32>(prog_fd);
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::raw_tracepoint_open, a);
    if (!l) {
        int e = errno;
        std::string hint;
        if (detail::is_permission_error(e)) {
            hint = detail::permission_hint;
        } else if (e == ENOENT) {
            hint = detail::cat("; the kernel has no tracepoint named \"", name,
                               "\" (raw tracepoints are named without the category: sys_enter, sched_switch)");
        } else if (e == EINVAL) {
            auto p = detail::identify_program(prog_fd);
            if (p && p->type != program_type::raw_tracepoint && p->type != program_type::raw_tracepoint_writable)
                hint = detail::cat("; a raw tracepoint needs a program of type raw_tracepoint",
                                   detail::program_type_clause(prog_fd),
                                   p->type == program_type::tracing ? " (tracing programs attach with attach_tracing)"
                                                                    : "");
        }
        detail::raise_attach(prog_fd, description, "BPF_RAW_TRACEPOINT_OPEN", e, hint);
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL link_handle attach_tracing(int prog_fd) {
    std::string description = "its BTF attach point";
    if (auto p = detail::identify_program(prog_fd); p && !p->name.empty())
        description = detail::cat("the BTF attach point of ", p->name);
    sys::attr::raw_tracepoint_open a;
    a.prog_fd = static_cast<u32>(prog_fd);
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::raw_tracepoint_open, a);
    if (!l) {
        int e = errno;
        std::string hint;
        if (detail::is_permission_error(e)) {
            hint = detail::permission_hint;
        } else if (e == EINVAL) {
            hint = detail::cat("; attach_tracing needs a program of type tracing (fentry, fexit, fmod_ret, "
                               "tp_btf; iterators attach differently), lsm or ext, loaded with a BTF attach target",
                               detail::program_type_clause(prog_fd));
        } else if (e == detail::enotsupp || e == EOPNOTSUPP) {
            hint = "; this kernel or architecture cannot attach it (fentry, fexit and lsm need BPF trampolines)";
        } else if (e == EBUSY) {
            hint = "; the target already has a program of this kind that excludes others (fmod_ret, freplace)";
        }
        detail::raise_attach(prog_fd, description, "BPF_RAW_TRACEPOINT_OPEN", e, hint);
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL link_handle attach(const loaded_program& program) {
    std::string_view target = program.attach_target();
    switch (program.type()) {
    case program_type::tracepoint: {
        auto slash = target.find('/');
        if (slash == std::string_view::npos || slash == 0 || slash + 1 == target.size())
            detail::raise(detail::cat("program '", program.name(), "': section '", program.section(),
                                      "' names no tracepoint; use tracepoint/<category>/<name>"));
        return attach_tracepoint(program.fd(), target.substr(0, slash), target.substr(slash + 1));
    }
    case program_type::raw_tracepoint:
    case program_type::raw_tracepoint_writable:
        if (target.empty())
            detail::raise(detail::cat("program '", program.name(), "': section '", program.section(),
                                      "' names no raw tracepoint; use raw_tp/<name>"));
        return attach_raw_tracepoint(program.fd(), target);
    case program_type::tracing:
    case program_type::lsm:
        return attach_tracing(program.fd());
    default:
        detail::raise(detail::cat("program '", program.name(), "' (", to_string(program.type()),
                                  ") cannot be attached from its section name yet"));
    }
}

BPFXX_DECL std::vector<link_handle> attach_all(const loaded_object& object) {
    std::vector<link_handle> links;
    links.reserve(object.programs().size());
    for (const auto& p : object.programs())
        if (p.auto_attachable()) links.push_back(attach(p));
    return links;
}

BPFXX_END_NAMESPACE
