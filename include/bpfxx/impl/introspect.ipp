// SPDX-License-Identifier: MIT OR Apache-2.0
// The definitions behind bpfxx/introspect.hpp.
#pragma once

#include <bpfxx/introspect.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

inline void info_by_fd(int fd, void* info, u32 size, std::string_view what) {
    sys::attr::obj_info a;
    a.bpf_fd = static_cast<u32>(fd);
    a.info_len = size;
    a.info = sys::ptr_to_u64(info);
    if (sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, a) < 0) {
        int e = errno;
        raise(cat("cannot read the information of ", what, " fd ", fd, ": ", errno_text(e),
                  e == EINVAL ? cat("; fd ", fd, " is not a BPF ", what) : std::string()),
              e);
    }
}

inline std::vector<u32> all_ids(sys::bpf_cmd cmd, std::string_view what) {
    std::vector<u32> ids;
    sys::attr::get_id a;
    for (;;) {
        a.id = ids.empty() ? 0 : ids.back();
        if (sys::bpf(cmd, a) < 0) {
            int e = errno;
            if (e == ENOENT) return ids;
            raise(cat("cannot list the loaded ", what, "s: ", errno_text(e),
                      e == EPERM ? "; listing needs CAP_SYS_ADMIN" : ""),
                  e);
        }
        ids.push_back(a.next_id);
    }
}

inline sys::fd fd_by_id(sys::bpf_cmd cmd, u32 id, std::string_view what) {
    sys::attr::get_id a;
    a.id = id;
    sys::fd fd = sys::bpf_fd(cmd, a);
    if (!fd) {
        int e = errno;
        raise(cat("cannot open ", what, " ", id, ": ", errno_text(e),
                  e == ENOENT ? cat("; no ", what, " has that id (any more)")
                              : (e == EPERM ? std::string("; opening by id needs CAP_SYS_ADMIN") : std::string())),
              e);
    }
    return fd;
}

}  // namespace detail

BPFXX_DECL std::string program_info::tag_hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (u8 b : tag) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

BPFXX_DECL program_info get_program_info(int prog_fd) {
    // BPF_OBJ_GET_INFO_BY_FD answers for maps, links and BTF too, with
    // other structs: check what the fd is first.
    if (auto target = sys::fd_target(prog_fd); !target.empty() && target != "anon_inode:bpf-prog")
        detail::raise(detail::cat("cannot read the information of program fd ", prog_fd, ": it is ",
                                  detail::printable(target), ", not a BPF program"),
                      EINVAL);
    sys::prog_info raw;
    detail::info_by_fd(prog_fd, &raw, sizeof raw, "program");
    program_info out;
    // The map ids need a second call with room for them.
    if (raw.nr_map_ids != 0) {
        out.map_ids.resize(raw.nr_map_ids);
        const u32 wanted = raw.nr_map_ids;
        raw = sys::prog_info{};
        raw.nr_map_ids = wanted;
        raw.map_ids = sys::ptr_to_u64(out.map_ids.data());
        detail::info_by_fd(prog_fd, &raw, sizeof raw, "program");
        // Maps may have come or gone between the calls.
        out.map_ids.resize(raw.nr_map_ids < wanted ? raw.nr_map_ids : wanted);
    }
    out.id = raw.id;
    out.type = static_cast<program_type>(raw.type);
    out.name.assign(raw.name, ::strnlen(raw.name, sizeof raw.name));
    std::memcpy(out.tag.data(), raw.tag, sizeof raw.tag);
    out.jited_bytes = raw.jited_prog_len;
    out.translated_bytes = raw.xlated_prog_len;
    out.load_time = std::chrono::nanoseconds(raw.load_time);
    out.created_by_uid = raw.created_by_uid;
    out.btf_id = raw.btf_id;
    out.gpl_compatible = (raw.gpl_compatible & 1) != 0;
    out.run_count = raw.run_cnt;
    out.run_time = std::chrono::nanoseconds(raw.run_time_ns);
    out.recursion_misses = raw.recursion_misses;
    out.verified_insns = raw.verified_insns;
    return out;
}

BPFXX_DECL std::vector<u32> program_ids() { return detail::all_ids(sys::bpf_cmd::prog_get_next_id, "program"); }
BPFXX_DECL std::vector<u32> link_ids() { return detail::all_ids(sys::bpf_cmd::link_get_next_id, "link"); }

BPFXX_DECL sys::fd open_program(u32 id) { return detail::fd_by_id(sys::bpf_cmd::prog_get_fd_by_id, id, "program"); }
BPFXX_DECL sys::fd open_link(u32 id) { return detail::fd_by_id(sys::bpf_cmd::link_get_fd_by_id, id, "link"); }
BPFXX_DECL sys::fd open_map(u32 id) { return detail::fd_by_id(sys::bpf_cmd::map_get_fd_by_id, id, "map"); }

BPFXX_DECL link_info get_link_info(int link_fd) {
    // "anon_inode:bpf-link" (Linux 6.x), "anon_inode:bpf_link" before.
    if (auto target = sys::fd_target(link_fd);
        !target.empty() && target != "anon_inode:bpf-link" && target != "anon_inode:bpf_link")
        detail::raise(detail::cat("cannot read the information of link fd ", link_fd, ": it is ",
                                  detail::printable(target), ", not a BPF link"),
                      EINVAL);
    sys::link_info_head raw;
    detail::info_by_fd(link_fd, &raw, sizeof raw, "link");
    return link_info{raw.id, raw.type, raw.prog_id};
}

BPFXX_DECL sys::fd open_pinned(const std::string& path) {
    sys::attr::obj_pin a;
    a.pathname = sys::ptr_to_u64(path.c_str());
    sys::fd fd = sys::bpf_fd(sys::bpf_cmd::obj_get, a);
    if (!fd) {
        int e = errno;
        detail::raise(detail::cat("cannot open the BPF object pinned at '", detail::printable(path),
                                  "': ", detail::errno_text(e),
                                  e == ENOENT ? "; nothing is pinned there" : "",
                                  e == EPERM || e == EACCES ? "; the pin's permissions or CAP_BPF" : "",
                                  e == EINVAL ? "; the path is not in a BPF filesystem (mount -t bpf bpf /sys/fs/bpf)"
                                              : ""),
                      e);
    }
    return fd;
}

BPFXX_DECL sys::fd enable_run_stats() {
    sys::attr::enable_stats a;
    sys::fd fd = sys::bpf_fd(sys::bpf_cmd::enable_stats, a);
    if (!fd) {
        int e = errno;
        detail::raise(detail::cat("cannot turn on BPF run-time statistics: ", detail::errno_text(e),
                                  e == EINVAL ? "; BPF_ENABLE_STATS needs Linux 5.8" : "",
                                  e == EPERM ? "; it needs CAP_SYS_ADMIN" : ""),
                      e);
    }
    return fd;
}

BPFXX_END_NAMESPACE
