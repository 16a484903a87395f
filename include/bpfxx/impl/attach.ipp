// SPDX-License-Identifier: MIT OR Apache-2.0
// The attach paths behind bpfxx/attach.hpp.
#pragma once

#include <bpfxx/attach.hpp>

#include <bpfxx/detail/cpus.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/binary.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/shared/program_types.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {


struct program_identity {
    program_type type = program_type::unspec;
    u32 id = 0;
    std::string name;
};

// The type, id and name of the program behind `prog_fd`; nothing when it
// is not a program. BPF_OBJ_GET_INFO_BY_FD answers for maps, BTF and links
// too, with a different struct, so the fd's kind is checked first.
inline std::optional<program_identity> identify_program(int prog_fd) {
    int saved = errno;
    auto target = sys::fd_target(prog_fd);
    if (!target.empty() && target != "anon_inode:bpf-prog") {
        errno = saved;
        return std::nullopt;
    }
    sys::prog_info info;
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
    auto target = sys::fd_target(prog_fd);
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


// A dynamic perf PMU (kprobe, uprobe): its type number and the bits of
// perf_event_attr::config its format files name.
struct probe_pmu {
    u32 type = 0;
    u32 retprobe_bit = 0;        // format/retprobe: "config:0"
    u32 ref_ctr_shift = 0;       // format/ref_ctr_offset: "config:32-63" (uprobe, Linux 4.20); 0: none
};

// The first number of a format file's "config:N" or "config:N-M"; -1 when
// the file is missing or says something else.
inline int pmu_format_bit(const std::string& path) {
    int err = 0;
    const auto text = read_small_file(path, err);
    std::string_view v(text);
    if (!v.starts_with("config:")) return -1;
    v.remove_prefix(7);
    int bit = -1;
    auto r = std::from_chars(v.data(), v.data() + v.size(), bit);
    if (r.ec != std::errc() || bit < 0 || bit > 63) return -1;
    return bit;
}

// The PMU `name` under /sys/bus/event_source/devices, or an error that
// says which kernel has it; `what` is "uprobe" or "kprobe" for messages.
inline probe_pmu find_probe_pmu(int prog_fd, std::string_view description, std::string_view name) {
    const std::string dir = cat("/sys/bus/event_source/devices/", name);
    int err = 0;
    const auto text = read_small_file(dir + "/type", err);
    u32 type = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), type);
    if (err != 0 || r.ec != std::errc())
        raise_attach(prog_fd, description, cat("reading ", dir, "/type"), err != 0 ? err : EINVAL,
                     cat("; this kernel has no ", name, " perf PMU (Linux 4.17",
                         name == "kprobe" ? ", CONFIG_KPROBES" : ", CONFIG_UPROBE_EVENTS", ")"));
    probe_pmu pmu;
    pmu.type = type;
    int bit = pmu_format_bit(dir + "/format/retprobe");
    pmu.retprobe_bit = bit < 0 ? 0 : static_cast<u32>(bit);
    bit = pmu_format_bit(dir + "/format/ref_ctr_offset");
    pmu.ref_ctr_shift = bit < 0 ? 0 : static_cast<u32>(bit);
    return pmu;
}

// Opens a kprobe or uprobe perf event: one event for the whole system
// (pid -1, cpu 0: a probe runs its programs on every CPU) or for `pid`.
inline sys::fd open_probe_event(int prog_fd, std::string_view description, sys::perf_event_attr attr, int pid,
                                std::string_view not_found_hint) {
    sys::fd perf = sys::perf_event_open(attr, pid >= 0 ? pid : -1, pid >= 0 ? -1 : 0, -1);
    if (!perf) {
        int e = errno;
        std::string hint;
        if (is_permission_error(e)) hint = permission_hint;
        else if (e == ENOENT) hint = std::string(not_found_hint);
        else if (e == ESRCH) hint = cat("; there is no process ", pid);
        else if (e == EINVAL) hint = "; the offset is not at an instruction of the function, or past its end";
        raise_attach(prog_fd, description, "perf_event_open", e, hint);
    }
    return perf;
}

// Whether `path` is an existing regular file.
inline bool is_file(const std::string& path) noexcept {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The path of the library `name` mapped by process `pid`: a mapping whose
// file name is `name`, or begins with it followed by '.' or '-'
// ("libc.so" finds libc.so.6).
inline std::string library_in_maps(std::string_view name, int pid) {
    int err = 0;
    const auto maps = read_small_file(cat("/proc/", pid, "/maps"), err, std::uint64_t{64} << 20);
    std::string_view rest(maps);
    while (!rest.empty()) {
        auto eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
        auto slash = line.find('/');
        if (slash == std::string_view::npos) continue;
        std::string_view path = line.substr(slash);
        std::string_view file = path.substr(path.rfind('/') + 1);
        if (file == name || (file.starts_with(name) && file.size() > name.size() &&
                             (file[name.size()] == '.' || file[name.size()] == '-')))
            return std::string(path);
    }
    return {};
}

// The folders a library name is looked for in after LD_LIBRARY_PATH.
inline constexpr std::string_view library_folders[] = {
#if defined(__x86_64__)
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
#elif defined(__aarch64__)
    "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64",
#endif
    "/lib", "/usr/lib", "/usr/local/lib",
};

// The first `dir/name` that is a file, for each dir of a ':'-separated list.
inline std::string first_in(std::string_view dirs, std::string_view name) {
    while (!dirs.empty()) {
        auto colon = dirs.find(':');
        std::string_view dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
        if (dir.empty()) continue;
        std::string candidate = cat(dir, "/", name);
        if (is_file(candidate)) return candidate;
    }
    return {};
}

// "uprobe /usr/lib/libc.so.6:getpid+0x4 (file offset 0x9e3c4) in pid 42"
inline std::string describe_uprobe(const uprobe_options& o, std::string_view path, u64 file_offset) {
    std::string out = cat(o.retprobe ? "uretprobe " : "uprobe ", path, ":");
    if (o.function.empty()) out += cat(hex(file_offset));
    else out += cat(printable(o.function), o.offset != 0 ? cat("+", hex(o.offset)) : std::string(),
                    " (file offset ", hex(file_offset), ")");
    if (o.pid >= 0) out += cat(" in pid ", o.pid);
    return out;
}


// A number of a section name's target: decimal, or hex after "0x".
inline std::optional<u64> parse_number(std::string_view s) noexcept {
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    u64 v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// "function" or "function+offset" (libbpf's kprobe and uprobe targets);
// nothing when the offset is not a number.
inline bool split_function_offset(std::string_view target, std::string& function, u64& offset) {
    auto plus = target.rfind('+');
    function = std::string(target.substr(0, plus));
    offset = 0;
    if (plus == std::string_view::npos) return true;
    auto n = parse_number(target.substr(plus + 1));
    if (!n) return false;
    offset = *n;
    return true;
}



// Whether `s` is a shell pattern rather than a name.
inline bool is_pattern(std::string_view s) noexcept { return s.find_first_of("*?[") != std::string_view::npos; }

inline bool pattern_matches(const std::string& pattern, std::string_view name) {
    return ::fnmatch(pattern.c_str(), std::string(name).c_str(), 0) == 0;
}

// The functions of /sys/kernel/tracing/available_filter_functions (or the
// tracefs found elsewhere) that `pattern` matches, sorted, without repeats.
inline std::vector<std::string> kernel_functions_matching(const std::string& pattern) {
    const std::string path = tracefs::find().root() + "/available_filter_functions";
    int err = 0;
    const auto text = read_small_file(path, err, std::uint64_t{64} << 20);
    if (err != 0) raise(cat("cannot read ", path, ": ", errno_text(err)), err);
    std::vector<std::string> out;
    std::string_view rest(text);
    while (!rest.empty()) {
        auto eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
        std::string_view name = line.substr(0, line.find_first_of(" \t"));  // "name [module]"
        if (name.empty() || name.starts_with("__ftrace_invalid_address")) continue;
        if (pattern_matches(pattern, name)) out.emplace_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// The hint for a BPF_LINK_CREATE of a multi-probe link that failed with `e`.
inline std::string multi_link_hint(int prog_fd, int e, std::string_view section, std::string_view kernel) {
    if (is_permission_error(e)) return permission_hint;
    if (e == EINVAL || e == EOPNOTSUPP || e == enotsupp)
        return cat("; the program must be loaded for ", section, " (its section says so), and the kernel must have ",
                   section, " links (", kernel, ")", program_type_clause(prog_fd));
    if (e == ESRCH) return "; there is no such process";
    if (e == ENOENT) return "; a function or the binary was not found";
    return {};
}

// What the section of a kprobe-type program says: kprobe/<function>[+<offset>],
// kretprobe/<function>, u[ret]probe[.s]/<binary>:<function>[+<offset>] or
// u[ret]probe[.s]/<binary>:<file offset>.
inline link_handle attach_probe_from_section(const loaded_program& program) {
    std::string_view kind = program.definition().definition != nullptr ? program.definition().definition->prefix
                                                                        : std::string_view{};
    std::string_view target = program.attach_target();
    auto bad = [&](std::string_view form) {
        raise(cat("program '", program.name(), "': section '", printable(program.section()),
                  "' does not say where to attach; use ", form));
    };
    if (kind == "kprobe" || kind == "kretprobe") {
        kprobe_options o;
        o.retprobe = kind == "kretprobe";
        if (target.empty() || !split_function_offset(target, o.function, o.offset) || o.function.empty())
            bad(cat(kind, "/<function>[+<offset>]"));
        return bpfxx::attach_kprobe(program.fd(), o);
    }
    if (kind == "uprobe" || kind == "uretprobe" || kind == "uprobe.s" || kind == "uretprobe.s") {
        uprobe_options o;
        o.retprobe = kind.starts_with("uretprobe");
        auto colon = target.rfind(':');
        const std::string form = cat(kind, "/<binary>:<function>[+<offset>] or ", kind, "/<binary>:<file offset>");
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == target.size()) bad(form);
        o.binary = std::string(target.substr(0, colon));
        std::string_view where = target.substr(colon + 1);
        if (auto n = parse_number(where)) {
            o.offset = *n;
        } else if (!split_function_offset(where, o.function, o.offset) || o.function.empty()) {
            bad(form);
        }
        return bpfxx::attach_uprobe(program.fd(), o);
    }
    if (kind == "ksyscall" || kind == "kretsyscall") {
        if (target.empty()) bad(cat(kind, "/<system call>"));
        ksyscall_options o;
        o.syscall = std::string(target);
        o.retprobe = kind == "kretsyscall";
        return bpfxx::attach_ksyscall(program.fd(), o);
    }
    if (kind == "kprobe.multi" || kind == "kretprobe.multi") {
        kprobe_multi_options o;
        o.retprobe = kind == "kretprobe.multi";
        if (target.empty()) bad(cat(kind, "/<function or pattern>"));
        if (is_pattern(target)) o.pattern = std::string(target);
        else o.functions.emplace_back(target);
        return bpfxx::attach_kprobe_multi(program.fd(), o);
    }
    if (kind == "uprobe.multi" || kind == "uretprobe.multi" || kind == "uprobe.multi.s" ||
        kind == "uretprobe.multi.s") {
        uprobe_multi_options o;
        o.retprobe = kind.starts_with("uretprobe");
        auto colon = target.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == target.size())
            bad(cat(kind, "/<binary>:<function or pattern>"));
        o.binary = std::string(target.substr(0, colon));
        o.functions.emplace_back(target.substr(colon + 1));
        return bpfxx::attach_uprobe_multi(program.fd(), o);
    }
    raise(cat("program '", program.name(), "' (section '", printable(program.section()),
              "') cannot be attached from its section name yet; attach it by hand"));
}


// The kernel function that enters system call `name`: the architecture's
// wrapper when /proc/kallsyms lists it, else sys_<name>; empty when
// neither is listed.
inline std::string syscall_function(std::string_view name) {
    int err = 0;
    const auto kallsyms = read_small_file("/proc/kallsyms", err, std::uint64_t{256} << 20);
    auto listed = [&](const std::string& symbol) {
        // Lines are "<address> <type> <name>[\t[module]]".
        for (std::size_t at = kallsyms.find(symbol); at != std::string::npos; at = kallsyms.find(symbol, at + 1)) {
            const bool starts = at > 0 && kallsyms[at - 1] == ' ';
            const std::size_t end = at + symbol.size();
            const bool ends = end == kallsyms.size() || kallsyms[end] == '\n' || kallsyms[end] == '\t';
            if (starts && ends) return true;
        }
        return false;
    };
#if defined(__x86_64__)
    constexpr std::string_view wrapper = "__x64_sys_";
#elif defined(__aarch64__)
    constexpr std::string_view wrapper = "__arm64_sys_";
#else
    constexpr std::string_view wrapper = "sys_";
#endif
    for (std::string_view prefix : {wrapper, std::string_view("sys_")}) {
        std::string symbol = cat(prefix, name);
        if (listed(symbol)) return symbol;
    }
    return {};
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

BPFXX_DECL std::string find_binary(std::string_view binary, int pid) {
    if (binary.empty() || binary.find('\0') != std::string_view::npos)
        detail::raise(detail::cat("invalid binary name \"", detail::printable(binary), "\""), EINVAL);
    if (binary.find('/') != std::string_view::npos) return std::string(binary);
    const bool library = binary.find(".so") != std::string_view::npos;
    if (library) {
        if (pid >= 0)
            if (auto p = detail::library_in_maps(binary, pid); !p.empty()) return p;
        if (const char* env = std::getenv("LD_LIBRARY_PATH"))
            if (auto p = detail::first_in(env, binary); !p.empty()) return p;
        for (auto dir : detail::library_folders)
            if (auto p = detail::first_in(dir, binary); !p.empty()) return p;
    } else if (const char* env = std::getenv("PATH")) {
        if (auto p = detail::first_in(env, binary); !p.empty()) return p;
    }
    detail::raise(detail::cat("cannot find ", library ? "library '" : "executable '", detail::printable(binary), "'",
                              library ? (pid >= 0 ? detail::cat(" in the mappings of pid ", pid, ",") : std::string())
                                      : std::string(),
                              library ? " in LD_LIBRARY_PATH or the system's library folders"
                                      : " in PATH",
                              "; give its path"),
                  ENOENT);
}

BPFXX_DECL link_handle attach_uprobe(int prog_fd, const uprobe_options& o) {
    const std::string path = find_binary(o.binary, o.pid);
    u64 file_offset = o.offset;
    if (!o.function.empty()) {
        const auto bytes = detail::read_file(path, "binary", detail::max_file_bytes);
        const elf::binary bin(bytes, path);
        file_offset += bin.function(o.function).file_offset;
    }
    std::string description = detail::describe_uprobe(o, path, file_offset);
    const auto pmu = detail::find_probe_pmu(prog_fd, description, "uprobe");
    sys::perf_event_attr attr;
    attr.type = pmu.type;
    if (o.retprobe) attr.config |= u64{1} << pmu.retprobe_bit;
    if (o.ref_ctr_offset != 0) {
        if (pmu.ref_ctr_shift == 0)
            detail::raise_attach(prog_fd, description, "perf_event_open", EOPNOTSUPP,
                                 "; a USDT semaphore (ref_ctr_offset) needs Linux 4.20");
        attr.config |= o.ref_ctr_offset << pmu.ref_ctr_shift;
    }
    attr.uprobe_path = sys::ptr_to_u64(path.c_str());
    attr.probe_offset = file_offset;
    sys::fd perf = detail::open_probe_event(prog_fd, description, attr, o.pid,
                                            detail::cat("; the kernel cannot open '", detail::printable(path), "'"));
    return detail::attach_perf_event(prog_fd, std::move(perf), std::move(description), o.cookie,
                                     program_type::kprobe);
}

BPFXX_DECL link_handle attach_uprobe_multi(int prog_fd, const uprobe_multi_options& o) {
    const std::string path = find_binary(o.binary, o.pid);
    std::vector<u64> offsets;
    if (!o.functions.empty()) {
        const auto bytes = detail::read_file(path, "binary", detail::max_file_bytes);
        const elf::binary bin(bytes, path);
        for (const auto& f : o.functions) {
            if (!detail::is_pattern(f)) {
                offsets.push_back(bin.function(f).file_offset);
                continue;
            }
            const auto before = offsets.size();
            bin.for_each_function([&](std::string_view name, u64 offset) {
                if (detail::pattern_matches(f, name)) offsets.push_back(offset);
            });
            // A function in both .symtab and .dynsym counts once.
            std::sort(offsets.begin() + static_cast<std::ptrdiff_t>(before), offsets.end());
            offsets.erase(std::unique(offsets.begin() + static_cast<std::ptrdiff_t>(before), offsets.end()),
                          offsets.end());
            if (offsets.size() == before)
                detail::raise(detail::cat("cannot attach uprobes to '", detail::printable(path), "': no function matches '",
                                          detail::printable(f), "'"),
                              ENOENT);
        }
    } else {
        offsets = o.offsets;
    }
    std::string description = detail::cat(o.retprobe ? "uretprobe.multi " : "uprobe.multi ", path, " (",
                                          offsets.size(), offsets.size() == 1 ? " function)" : " functions)");
    if (o.pid >= 0) description += detail::cat(" in pid ", o.pid);
    if (offsets.empty())
        detail::raise(detail::cat("cannot attach ", description, ": name functions or give file offsets"), EINVAL);
    if (!o.cookies.empty() && o.cookies.size() != offsets.size())
        detail::raise(detail::cat("cannot attach ", description, ": ", o.cookies.size(), " cookies for ",
                                  offsets.size(), " probes"),
                      EINVAL);
    constexpr u64 uprobe_multi_return = 1;  // BPF_F_UPROBE_MULTI_RETURN
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.attach_type = static_cast<u32>(attach_type::trace_uprobe_multi);
    a.target_specific[0] = sys::ptr_to_u64(path.c_str());
    a.target_specific[1] = sys::ptr_to_u64(offsets.data());
    a.target_specific[3] = o.cookies.empty() ? 0 : sys::ptr_to_u64(o.cookies.data());
    a.target_specific[4] = offsets.size() | (o.retprobe ? uprobe_multi_return : 0) << 32;
    a.target_specific[5] = o.pid >= 0 ? static_cast<u64>(o.pid) : 0;
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        int e = errno;
        detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e,
                             detail::multi_link_hint(prog_fd, e, "uprobe.multi", "Linux 6.6"));
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL link_handle attach_kprobe_multi(int prog_fd, const kprobe_multi_options& o) {
    std::vector<std::string> names = o.functions;
    if (names.empty() && !o.pattern.empty()) names = detail::kernel_functions_matching(o.pattern);
    std::string description = detail::cat(o.retprobe ? "kretprobe.multi " : "kprobe.multi ",
                                          o.functions.empty() ? detail::cat("'", o.pattern, "'")
                                                              : detail::cat(o.functions.front(), o.functions.size() > 1 ? ",..." : ""),
                                          " (", names.size(), names.size() == 1 ? " function)" : " functions)");
    if (names.empty())
        detail::raise(detail::cat("cannot attach ", description,
                                  o.pattern.empty() ? ": name functions or give a pattern"
                                                    : ": no function of available_filter_functions matches"),
                      o.pattern.empty() ? EINVAL : ENOENT);
    if (!o.cookies.empty() && o.cookies.size() != names.size())
        detail::raise(detail::cat("cannot attach ", description, ": ", o.cookies.size(), " cookies for ",
                                  names.size(), " functions"),
                      EINVAL);
    std::vector<const char*> symbols;
    symbols.reserve(names.size());
    for (const auto& n : names) symbols.push_back(n.c_str());
    constexpr u64 kprobe_multi_return = 1;  // BPF_F_KPROBE_MULTI_RETURN
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.attach_type = static_cast<u32>(attach_type::trace_kprobe_multi);
    a.target_specific[0] = (o.retprobe ? kprobe_multi_return : 0) | u64{symbols.size()} << 32;
    a.target_specific[1] = sys::ptr_to_u64(symbols.data());
    a.target_specific[3] = o.cookies.empty() ? 0 : sys::ptr_to_u64(o.cookies.data());
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        int e = errno;
        detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e,
                             detail::multi_link_hint(prog_fd, e, "kprobe.multi", "Linux 5.18, CONFIG_FPROBE"));
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL link_handle attach_ksyscall(int prog_fd, const ksyscall_options& o) {
    detail::check_tracepoint_part("system call", o.syscall);
    auto function = detail::syscall_function(o.syscall);
    if (function.empty())
        detail::raise(detail::cat("cannot attach ", detail::describe_program(prog_fd), " to system call '",
                                  detail::printable(o.syscall), "': /proc/kallsyms lists no function that enters it "
                                  "(no such system call on this architecture, or /proc/kallsyms is not readable)"),
                      ENOENT);
    kprobe_options k;
    k.function = function;
    k.retprobe = o.retprobe;
    k.cookie = o.cookie;
    return attach_kprobe(prog_fd, k);
}

BPFXX_DECL link_handle attach_kprobe(int prog_fd, const kprobe_options& o) {
    detail::check_tracepoint_part("kernel function", o.function);
    std::string description = detail::cat(o.retprobe ? "kretprobe " : "kprobe ", o.function,
                                          o.offset != 0 ? detail::cat("+", detail::hex(o.offset)) : std::string());
    const auto pmu = detail::find_probe_pmu(prog_fd, description, "kprobe");
    sys::perf_event_attr attr;
    attr.type = pmu.type;
    if (o.retprobe) attr.config |= u64{1} << pmu.retprobe_bit;
    attr.kprobe_func = sys::ptr_to_u64(o.function.c_str());
    attr.probe_offset = o.offset;
    sys::fd perf = detail::open_probe_event(
        prog_fd, description, attr, -1,
        detail::cat("; the kernel has no probeable function '", o.function,
                    "' (see /proc/kallsyms; inlined and notrace functions cannot be probed)"));
    return detail::attach_perf_event(prog_fd, std::move(perf), std::move(description), o.cookie,
                                     program_type::kprobe);
}

BPFXX_DECL link_handle attach_perf_event(int prog_fd, const perf_event_options& o) {
    const bool hardware = o.type == perf_event_options::kind::hardware;
    std::string description = detail::cat(hardware ? "hardware" : "software", " perf event ", o.config, " on ",
                                          o.cpu >= 0 ? detail::cat("cpu ", o.cpu) : std::string("any cpu"),
                                          o.pid >= 0 ? detail::cat(" for pid ", o.pid) : std::string());
    if ((o.frequency == 0) == (o.period == 0))
        detail::raise(detail::cat("cannot attach ", detail::describe_program(prog_fd), " to ", description,
                                  ": set exactly one of frequency (samples a second) and period (events a sample)"),
                      EINVAL);
    sys::perf_event_attr attr;
    attr.type = static_cast<u32>(o.type);
    attr.config = o.config;
    if (o.frequency != 0) {
        attr.freq = 1;
        attr.sample_freq = o.frequency;
    } else {
        attr.sample_period = o.period;
    }
    sys::fd perf = sys::perf_event_open(attr, o.pid, o.cpu, -1);
    if (!perf) {
        int e = errno;
        std::string hint;
        if (detail::is_permission_error(e)) hint = detail::permission_hint;
        else if (hardware && (e == ENOENT || e == EOPNOTSUPP || e == ENODEV))
            hint = "; this machine has no hardware PMU for it (virtual machines often have none): use a software "
                   "event such as cpu-clock";
        else if (e == EINVAL && o.frequency != 0)
            hint = "; the frequency may exceed kernel.perf_event_max_sample_rate";
        else if (e == ENODEV || e == ENXIO) hint = detail::cat("; there is no cpu ", o.cpu, " online");
        else if (e == ESRCH) hint = detail::cat("; there is no process ", o.pid);
        detail::raise_attach(prog_fd, description, "perf_event_open", e, hint);
    }
    return detail::attach_perf_event(prog_fd, std::move(perf), std::move(description), o.cookie,
                                     program_type::perf_event);
}

BPFXX_DECL std::vector<link_handle> attach_perf_event_each_cpu(int prog_fd, perf_event_options o) {
    if (o.pid != -1)
        detail::raise("attach_perf_event_each_cpu counts every task (pid -1); for one task use attach_perf_event "
                      "with cpu -1",
                      EINVAL);
    auto cpus = detail::online_cpus();
    if (cpus.empty()) detail::raise("cannot read the online CPUs from /sys/devices/system/cpu/online", ENOENT);
    std::vector<link_handle> links;
    links.reserve(cpus.size());
    for (auto cpu : cpus) {
        o.cpu = static_cast<int>(cpu);
        links.push_back(attach_perf_event(prog_fd, o));
    }
    return links;
}

BPFXX_DECL link_handle attach_iterator(int prog_fd, const iterator_options& options) {
    // union bpf_iter_link_info: { u32 map_fd } for map iterators, { u32 tid,
    // pid, pid_fd } for task iterators (6.1); 16 bytes with the cgroup form.
    u32 info[4] = {};
    std::string description = "iterator";
    if (auto p = detail::identify_program(prog_fd); p && !p->name.empty()) description = detail::cat("iterator ", p->name);
    if (options.map_fd >= 0 && options.pid >= 0)
        detail::raise(detail::cat("cannot attach ", description, ": give a map or a pid, not both"), EINVAL);
    if (options.map_fd >= 0) {
        info[0] = static_cast<u32>(options.map_fd);
        description += detail::cat(" over map fd ", options.map_fd);
    } else if (options.pid >= 0) {
        info[1] = static_cast<u32>(options.pid);
        description += detail::cat(" of pid ", options.pid);
    }
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.attach_type = static_cast<u32>(attach_type::trace_iter);
    if (options.map_fd >= 0 || options.pid >= 0) {
        a.target_specific[0] = sys::ptr_to_u64(info);
        a.target_specific[1] = sizeof info;
    }
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        int e = errno;
        std::string hint;
        if (detail::is_permission_error(e)) hint = detail::permission_hint;
        else if (e == E2BIG && (options.pid >= 0 || options.map_fd >= 0))
            hint = options.pid >= 0 ? "; a task iterator of one pid needs Linux 6.1"
                                    : "; this kernel's iterators take no parameters here";
        else if (e == EINVAL)
            hint = detail::cat("; attach_iterator needs a program of type tracing loaded for an iterator "
                               "(SEC(\"iter/<kind>\"), Linux 5.8)",
                               detail::program_type_clause(prog_fd),
                               options.pid >= 0 ? "; a task iterator of one pid needs Linux 6.1" : "",
                               options.map_fd >= 0 ? "; only map-element iterators take a map" : "");
        else if (e == EBADF && options.map_fd >= 0)
            hint = detail::cat("; map fd ", options.map_fd, " is not an open BPF map");
        detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e, hint);
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL std::vector<std::byte> read_iterator(const link_handle& link, std::size_t max_bytes) {
    if (link.kind() != link_kind::bpf_link)
        detail::raise(detail::cat("read_iterator: '", link.description(), "' is not an iterator link"), EINVAL);
    sys::attr::fd_only a;
    a.fd = static_cast<u32>(link.fd());
    sys::fd it = sys::bpf_fd(sys::bpf_cmd::iter_create, a);
    if (!it) {
        int e = errno;
        detail::raise(detail::cat("cannot run ", link.description(), ": BPF_ITER_CREATE failed: ", detail::errno_text(e),
                                  e == EINVAL ? "; the link is not an iterator's (attach_iterator makes one)" : ""),
                      e);
    }
    std::vector<std::byte> out;
    if (int e = detail::read_all(it.get(), out, max_bytes); e != 0) {
        if (e == EFBIG)
            detail::raise(detail::cat("the output of ", link.description(), " is larger than the ", max_bytes,
                                      " bytes asked for"),
                          EFBIG);
        detail::raise(detail::cat("reading ", link.description(), " failed: ", detail::errno_text(e),
                                  e == E2BIG ? "; one record is larger than a page (bpf_seq_write writes at most "
                                               "what fits in the kernel's buffer)"
                                             : ""),
                      e);
    }
    return out;
}

BPFXX_DECL std::string read_iterator_text(const link_handle& link, std::size_t max_bytes) {
    auto bytes = read_iterator(link, max_bytes);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

namespace detail {
[[noreturn]] BPFXX_DECL void raise_record_size(const std::string& description, std::size_t bytes,
                                               std::size_t record) {
    raise(cat("the output of ", description, " is ", bytes, " bytes, not a whole number of ", record,
              "-byte records"),
          EINVAL);
}
}  // namespace detail

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
        if (program.definition().expected_attach == attach_type::trace_iter) return attach_iterator(program.fd());
        return attach_tracing(program.fd());
    case program_type::lsm:
        return attach_tracing(program.fd());
    case program_type::kprobe:
        return detail::attach_probe_from_section(program);
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
