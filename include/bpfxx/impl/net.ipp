// SPDX-License-Identifier: MIT OR Apache-2.0
// The attach paths behind bpfxx/net.hpp.
#pragma once

#include <bpfxx/net.hpp>

#include <bpfxx/detail/file.hpp>
#include <bpfxx/detail/mounts.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/impl/attach.ipp>
#include <bpfxx/sys/bpf.hpp>

#include <fcntl.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {

inline std::string describe_interface(const interface_ref& i) {
    return i.name.empty() ? cat("interface ", i.index) : cat("interface ", printable(i.name));
}

inline std::string tc_description(const interface_ref& i, tc_direction d) {
    return cat("tcx ", d == tc_direction::ingress ? "ingress" : "egress", " of ", describe_interface(i));
}

inline attach_type tcx_attach_type(tc_direction d) {
    return d == tc_direction::ingress ? attach_type::tcx_ingress : attach_type::tcx_egress;
}

// BPF_PROG_QUERY on a hook, growing the id arrays until everything fits.
inline attached_programs query_hook(u32 target, attach_type type, u32 query_flags, const std::string& what) {
    attached_programs out;
    u32 capacity = 16;
    for (;;) {
        out.program_ids.assign(capacity, 0);
        out.link_ids.assign(capacity, 0);
        sys::attr::prog_query a;
        a.target_fd = target;
        a.attach_type = static_cast<u32>(type);
        a.query_flags = query_flags;
        a.prog_ids = sys::ptr_to_u64(out.program_ids.data());
        a.prog_cnt = capacity;
        // Kernels before 6.6 know no link_ids and leave it alone.
        a.link_ids = sys::ptr_to_u64(out.link_ids.data());
        if (sys::bpf(sys::bpf_cmd::prog_query, a) < 0) {
            const int e = errno;
            if (e == ENOSPC && a.prog_cnt > capacity) {
                capacity = a.prog_cnt;
                continue;
            }
            raise(cat("cannot list the programs of ", what, ": BPF_PROG_QUERY failed: ", errno_text(e),
                      is_permission_error(e) ? "; listing needs CAP_NET_ADMIN or CAP_SYS_ADMIN" : ""),
                  e);
        }
        out.program_ids.resize(a.prog_cnt);
        out.link_ids.resize(a.prog_cnt);
        out.revision = a.revision;
        return out;
    }
}

inline sys::fd open_cgroup(const std::string& path) {
    sys::fd d(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d) {
        const int e = errno;
        raise(cat("cannot open cgroup '", printable(path), "': ", errno_text(e),
                  e == ENOENT ? cat("; cgroup2 is mounted at '", cgroup2_mount(), "'") : std::string()),
              e);
    }
    return d;
}

} // namespace detail

BPFXX_DECL int interface_index(const interface_ref& i) {
    if (i.name.empty()) {
        if (i.index <= 0) detail::raise(detail::cat("no network interface has index ", i.index), ENODEV);
        return i.index;
    }
    if (i.name.size() >= IF_NAMESIZE)
        detail::raise(detail::cat("'", detail::printable(i.name), "' is not an interface name: longer than ",
                                  IF_NAMESIZE - 1, " characters"),
                      EINVAL);
    const unsigned index = ::if_nametoindex(i.name.c_str());
    if (index == 0) {
        const int e = errno;
        detail::raise(detail::cat("no network interface named '", detail::printable(i.name),
                                  "' in this network namespace (", detail::errno_text(e), ")"),
                      ENODEV);
    }
    return static_cast<int>(index);
}

BPFXX_DECL link_handle attach_xdp(int prog_fd, const interface_ref& interface, const xdp_options& o) {
    const int ifindex = interface_index(interface);
    std::string description = detail::cat("XDP on ", detail::describe_interface(interface));
    switch (o.mode) {
    case xdp_mode::any: break;
    case xdp_mode::generic: description += " (generic)"; break;
    case xdp_mode::native: description += " (native)"; break;
    case xdp_mode::offload: description += " (offload)"; break;
    }
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.target_fd = static_cast<u32>(ifindex);
    a.attach_type = static_cast<u32>(attach_type::xdp);
    a.flags = static_cast<u32>(o.mode);
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        const int e = errno;
        std::string hint;
        if (detail::is_permission_error(e))
            hint = "; attaching XDP needs CAP_NET_ADMIN and CAP_BPF (or root)";
        else if (e == EBUSY || e == EEXIST)
            hint = "; an XDP program is attached to the interface already (a link, or one set through netlink: "
                   "ip link set dev <name> xdp off removes that)";
        else if (e == EOPNOTSUPP)
            hint = "; the driver has no XDP hook of that mode: xdp_mode::generic works on every interface";
        else if (detail::link_create_unsupported(e))
            hint = detail::cat("; the program must be an XDP program (SEC(\"xdp\")), and the kernel must have "
                               "XDP links (Linux 5.9)",
                               detail::program_type_clause(prog_fd));
        detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e, hint);
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL link_handle attach_tc(int prog_fd, const interface_ref& interface, tc_direction direction,
                                 const tc_options& o) {
    const int ifindex = interface_index(interface);
    std::string description = detail::tc_description(interface, direction);
    constexpr u32 f_before = 1u << 3, f_after = 1u << 4, f_link = 1u << 13;  // BPF_F_BEFORE, _AFTER, _LINK
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.target_fd = static_cast<u32>(ifindex);
    a.attach_type = static_cast<u32>(detail::tcx_attach_type(direction));
    switch (o.where) {
    case tc_options::place::last: break;
    case tc_options::place::first: a.flags = f_before; break;
    case tc_options::place::before:
    case tc_options::place::after:
        if (o.relative_fd < 0)
            detail::raise(detail::cat("cannot attach ", detail::describe_program(prog_fd), " to ", description,
                                      ": tc_options::place::", o.where == tc_options::place::before ? "before" : "after",
                                      " needs relative_fd (the program or link to go next to)"),
                          EINVAL);
        a.flags = (o.where == tc_options::place::before ? f_before : f_after) | (o.relative_is_link ? f_link : 0);
        a.target_specific[0] = static_cast<u32>(o.relative_fd);
        break;
    }
    a.target_specific[1] = o.expected_revision;
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        const int e = errno;
        std::string hint;
        if (detail::is_permission_error(e))
            hint = "; attaching TC programs needs CAP_NET_ADMIN and CAP_BPF (or root)";
        else if (e == ESTALE)
            hint = "; the interface's list changed since expected_revision was read";
        else if (e == ENOENT || e == ERANGE)
            hint = "; the program or link given as relative_fd is not attached there";
        else if (e == EEXIST)
            hint = "; the program is attached there already";
        else if (detail::link_create_unsupported(e))
            hint = detail::cat("; the program must be a TC program (SEC(\"tc\"), SEC(\"tcx/ingress\")...), and the "
                               "kernel must have tcx links (Linux 6.6)",
                               detail::program_type_clause(prog_fd));
        detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e, hint);
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL attached_programs query_tc(const interface_ref& interface, tc_direction direction) {
    const int ifindex = interface_index(interface);
    return detail::query_hook(static_cast<u32>(ifindex), detail::tcx_attach_type(direction), 0,
                              detail::tc_description(interface, direction));
}

BPFXX_DECL link_handle attach_socket_filter(int prog_fd, int socket) {
    std::string description = detail::cat("socket fd ", socket);
    sys::fd copy(::fcntl(socket, F_DUPFD_CLOEXEC, 3));
    if (!copy) detail::raise_attach(prog_fd, description, "duplicating the socket", errno);
    if (::setsockopt(copy.get(), SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd)) != 0) {
        const int e = errno;
        std::string hint;
        if (e == ENOTSOCK)
            hint = "; the descriptor is not a socket";
        else if (e == EINVAL)
            hint = detail::cat("; the program must be a socket filter (SEC(\"socket\"))",
                               detail::program_type_clause(prog_fd));
        detail::raise_attach(prog_fd, description, "setsockopt(SO_ATTACH_BPF)", e, hint);
    }
    return link_handle::from_socket_filter(std::move(copy), std::move(description));
}

BPFXX_DECL std::string cgroup2_mount() {
    const auto bytes = detail::read_file("/proc/self/mounts", "mount table", std::uint64_t{16} << 20);
    const auto mounts = detail::mounts_of_type({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, "cgroup2");
    if (mounts.empty())
        detail::raise("no cgroup2 file system is mounted (mount -t cgroup2 none /sys/fs/cgroup)", ENOENT);
    return mounts.front();
}

BPFXX_DECL link_handle attach_cgroup(int prog_fd, attach_type type, int cgroup_fd, std::string description) {
    if (description.empty()) description = detail::cat("cgroup fd ", cgroup_fd);
    description = detail::cat(to_string(type), " of ", description);
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.target_fd = static_cast<u32>(cgroup_fd);
    a.attach_type = static_cast<u32>(type);
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        const int e = errno;
        std::string hint;
        if (detail::is_permission_error(e))
            hint = "; attaching to cgroups needs CAP_NET_ADMIN (or root) and CAP_BPF";
        else if (e == EBADF)
            hint = "; the cgroup descriptor is not open";
        else if (detail::link_create_unsupported(e))
            hint = detail::cat("; the program must be loaded for ", to_string(type),
                               " (its section says which hook), the descriptor must be a cgroup2 directory, and "
                               "the kernel must have cgroup links (Linux 5.7)",
                               detail::program_type_clause(prog_fd));
        detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e, hint);
    }
    return link_handle::from_bpf_link(std::move(l), std::move(description));
}

BPFXX_DECL link_handle attach_cgroup(int prog_fd, attach_type type, const std::string& cgroup_path) {
    const sys::fd cgroup = detail::open_cgroup(cgroup_path);
    return attach_cgroup(prog_fd, type, cgroup.get(), detail::cat("cgroup ", detail::printable(cgroup_path)));
}

BPFXX_DECL link_handle attach_cgroup(const loaded_program& program, const std::string& cgroup_path) {
    const attach_type type = program.definition().expected_attach;
    const bool cgroup_type = program.type() == program_type::cgroup_skb || program.type() == program_type::cgroup_sock ||
                             program.type() == program_type::cgroup_sock_addr ||
                             program.type() == program_type::cgroup_sockopt ||
                             program.type() == program_type::cgroup_sysctl ||
                             program.type() == program_type::cgroup_device || program.type() == program_type::sock_ops;
    if (!cgroup_type)
        detail::raise(detail::cat("cannot attach program ", program.name(), " to cgroup '",
                                  detail::printable(cgroup_path), "': its section '", program.section(),
                                  "' is not a cgroup hook (", to_string(program.type()), ")"),
                      EINVAL);
    return attach_cgroup(program.fd(), type, cgroup_path);
}

BPFXX_DECL attached_programs query_cgroup(const std::string& cgroup_path, attach_type type, bool effective) {
    const sys::fd cgroup = detail::open_cgroup(cgroup_path);
    constexpr u32 query_effective = 1;  // BPF_F_QUERY_EFFECTIVE
    return detail::query_hook(static_cast<u32>(cgroup.get()), type, effective ? query_effective : 0,
                              detail::cat(to_string(type), " of cgroup ", detail::printable(cgroup_path)));
}

BPFXX_END_NAMESPACE
