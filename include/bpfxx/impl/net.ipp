// SPDX-License-Identifier: MIT OR Apache-2.0
// The attach paths behind bpfxx/net.hpp.
#pragma once

#include <bpfxx/net.hpp>

#include <bpfxx/detail/file.hpp>
#include <bpfxx/detail/mounts.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/impl/attach.ipp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/netlink.hpp>

#include <fcntl.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
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
    bool with_links = true;
    for (;;) {
        out.program_ids.assign(capacity, 0);
        out.link_ids.assign(capacity, 0);
        sys::attr::prog_query a;
        a.target_fd = target;
        a.attach_type = static_cast<u32>(type);
        a.query_flags = query_flags;
        a.prog_ids = sys::ptr_to_u64(out.program_ids.data());
        a.prog_cnt = capacity;
        if (with_links) a.link_ids = sys::ptr_to_u64(out.link_ids.data());
        if (sys::bpf(sys::bpf_cmd::prog_query, a) < 0) {
            const int e = errno;
            if (e == ENOSPC && a.prog_cnt > capacity) {
                capacity = a.prog_cnt;
                continue;
            }
            // Kernels before 6.6 refuse the link_ids field they do not know.
            if (e == EINVAL && with_links) {
                with_links = false;
                continue;
            }
            raise(cat("cannot list the programs of ", what, ": BPF_PROG_QUERY failed: ", errno_text(e),
                      is_permission_error(e) ? "; listing needs CAP_NET_ADMIN or CAP_SYS_ADMIN" : ""),
                  e);
        }
        out.program_ids.resize(a.prog_cnt);
        out.link_ids.resize(with_links ? a.prog_cnt : 0);
        out.revision = a.revision;
        return out;
    }
}

#ifdef BPFXX_TESTING
// Test hook: take the BPF_PROG_ATTACH path for sockmaps even where the
// kernel has sockmap links, so both paths stay tested on a new kernel.
inline std::atomic<bool> force_sockmap_prog_attach{false};
#endif

// ---- the rtnetlink paths (kernels without XDP links or tcx) ----

inline constexpr u16 ifla_xdp = 43, ifla_xdp_fd = 1, ifla_xdp_flags = 3, ifla_xdp_expected_fd = 8;
inline constexpr u32 xdp_flags_update_if_noexist = 1, xdp_flags_replace = 16;
inline constexpr u16 tca_kind = 1, tca_options = 2, tca_bpf_fd = 6, tca_bpf_name = 7, tca_bpf_flags = 8;
inline constexpr u32 tca_bpf_flag_act_direct = 1;
inline constexpr u32 tc_h_clsact = 0xfffffff1, tc_h_clsact_major = 0xffff0000;
inline constexpr u32 tc_h_min_ingress = 0xfff2, tc_h_min_egress = 0xfff3;
inline constexpr u16 eth_p_all = 0x0003;

#ifdef BPFXX_TESTING
// Test hook: attach XDP and TC programs through rtnetlink even where the
// kernel has XDP links and tcx, so the fallbacks stay tested.
inline std::atomic<bool> force_netlink{false};
#endif

inline bool netlink_forced() noexcept {
#ifdef BPFXX_TESTING
    return force_netlink.load();
#else
    return false;
#endif
}

inline sys::netlink::ack netlink_transact(sys::netlink::request& r) {
    auto s = sys::netlink::socket::open();
    if (!s) return {errno, "cannot open an rtnetlink socket", false};
    return s->transact(r);
}

inline std::string netlink_hint(const sys::netlink::ack& a) {
    if (a.message.empty()) return {};
    return a.from_kernel ? cat("; the kernel says: ", a.message) : cat("; ", a.message);
}

// RTM_SETLINK with IFLA_XDP: sets (prog_fd) or removes (-1) the XDP program.
inline sys::netlink::ack set_xdp(int ifindex, int prog_fd, u32 flags, int expected_fd) {
    sys::netlink::request r(sys::netlink::rtm_setlink, 0);
    sys::netlink::ifinfomsg h{};
    h.index = ifindex;
    r.header(h);
    const auto xdp = r.begin(ifla_xdp);
    r.attr_s32(ifla_xdp_fd, prog_fd);
    if (flags != 0) r.attr_u32(ifla_xdp_flags, flags);
    if (expected_fd >= 0) r.attr_s32(ifla_xdp_expected_fd, expected_fd);
    r.end(xdp);
    return netlink_transact(r);
}

// Removes our XDP program, and only ours: XDP_FLAGS_REPLACE with the
// expected program (Linux 5.7) leaves one someone set since alone.
inline void undo_xdp(const u32 (&target)[4], int prog_fd) noexcept {
    try {
        const int ifindex = static_cast<int>(target[0]);
        const auto a = set_xdp(ifindex, -1, target[1] | xdp_flags_replace, prog_fd);
        if (a.error == EINVAL) (void)set_xdp(ifindex, -1, target[1], -1);
    } catch (...) {
    }
}

// RTM_NEWTFILTER / RTM_DELTFILTER of a cls_bpf filter (direct action).
inline sys::netlink::ack tc_filter(u16 type, u16 flags, const u32 (&target)[4], int prog_fd, const std::string& name) {
    sys::netlink::request r(type, flags);
    sys::netlink::tcmsg h{};
    h.ifindex = static_cast<s32>(target[0]);
    h.parent = target[1];
    h.handle = target[2];
    h.info = target[3];
    r.header(h);
    r.attr_string(tca_kind, "bpf");
    if (prog_fd >= 0) {
        const auto options = r.begin(tca_options);
        r.attr_u32(tca_bpf_fd, static_cast<u32>(prog_fd));
        r.attr_string(tca_bpf_name, name);
        r.attr_u32(tca_bpf_flags, tca_bpf_flag_act_direct);
        r.end(options);
    }
    return netlink_transact(r);
}

inline void undo_tc(const u32 (&target)[4], int) noexcept {
    try {
        (void)tc_filter(sys::netlink::rtm_deltfilter, 0, target, -1, {});
    } catch (...) {
    }
}

inline link_handle attach_xdp_netlink(int prog_fd, int ifindex, u32 mode, std::string description) {
    description += " (netlink)";
    const auto a = set_xdp(ifindex, prog_fd, mode | xdp_flags_update_if_noexist, -1);
    if (a.error != 0) {
        std::string hint = netlink_hint(a);
        if (a.error == EBUSY || a.error == EEXIST)
            hint += "; an XDP program is attached to the interface already";
        else if (is_permission_error(a.error))
            hint += "; attaching XDP needs CAP_NET_ADMIN and CAP_BPF (or root)";
        raise_attach(prog_fd, description, "RTM_SETLINK (IFLA_XDP)", a.error, hint);
    }
    sys::fd prog(::fcntl(prog_fd, F_DUPFD_CLOEXEC, 3));
    if (!prog) {
        const int e = errno;
        undo_xdp({static_cast<u32>(ifindex), mode, 0, 0}, prog_fd);
        raise_attach(prog_fd, description, "duplicating the program's descriptor", e);
    }
    const u32 target[4] = {static_cast<u32>(ifindex), mode, 0, 0};
    return link_handle::from_netlink(std::move(prog), undo_xdp, target, std::move(description));
}

// clsact and a cls_bpf filter in direct-action mode: what `tc filter add
// dev <name> ingress bpf da` does. Priorities order filters (lower runs
// first): place::first takes the lowest free from 1 up, place::last the
// lowest free from 49152 (0xc000, where the kernel starts its own) up.
inline link_handle attach_tc_netlink(int prog_fd, int ifindex, tc_direction direction, const tc_options& o,
                                     std::string description) {
    description += " (clsact, netlink)";
    if (o.where == tc_options::place::before || o.where == tc_options::place::after || o.expected_revision != 0)
        raise(cat("cannot attach ", describe_program(prog_fd), " to ", description,
                  ": placing next to another program or at a revision needs tcx (Linux 6.6); through clsact only "
                  "place::first and place::last exist"),
              EOPNOTSUPP);
    {
        // Without NLM_F_EXCL: an existing clsact is fine, while a plain
        // ingress qdisc at ffff: is refused (with EXCL both would say
        // EEXIST, and an egress filter would land in ingress's block).
        sys::netlink::request r(sys::netlink::rtm_newqdisc, sys::netlink::f_create);
        sys::netlink::tcmsg h{};
        h.ifindex = ifindex;
        h.handle = tc_h_clsact_major;
        h.parent = tc_h_clsact;
        r.header(h);
        r.attr_string(tca_kind, "clsact");
        const auto a = netlink_transact(r);
        if (a.error != 0)
            raise_attach(prog_fd, description, "adding the clsact qdisc (RTM_NEWQDISC)", a.error,
                         is_permission_error(a.error) ? std::string("; needs CAP_NET_ADMIN")
                         : a.error == EINVAL
                             ? cat(netlink_hint(a), "; another root qdisc (ingress?) holds ffff: on the interface")
                             : netlink_hint(a));
    }
    const auto identity = identify_program(prog_fd);
    const std::string name = identity && !identity->name.empty() ? identity->name : std::string("bpfxx");
    const u32 parent = tc_h_clsact_major | (direction == tc_direction::ingress ? tc_h_min_ingress : tc_h_min_egress);
    const u32 protocol = static_cast<u32>(eth_p_all >> 8 | (eth_p_all & 0xff) << 8);  // network order
    u32 priority = o.where == tc_options::place::first ? 1 : 0xc000;
    // A priority another filter holds answers EEXIST (same protocol and
    // kind) or EINVAL (another one); try the next, up to 64, and report the
    // first answer if none is free.
    std::optional<sys::netlink::ack> first_refusal;
    for (int tries = 0;; ++priority, ++tries) {
        const u32 target[4] = {static_cast<u32>(ifindex), parent, 1, priority << 16 | protocol};
        const auto a = tc_filter(sys::netlink::rtm_newtfilter, sys::netlink::f_create | sys::netlink::f_excl, target,
                                 prog_fd, name);
        if ((a.error == EEXIST || a.error == EINVAL) && tries < 63 && priority < 0xffff) {
            if (!first_refusal) first_refusal = a;
            continue;
        }
        if (a.error != 0) {
            const sys::netlink::ack& answer = first_refusal ? *first_refusal : a;
            std::string hint = netlink_hint(answer);
            if (is_permission_error(answer.error)) hint += "; attaching TC programs needs CAP_NET_ADMIN and CAP_BPF";
            if (answer.error == EINVAL)
                hint += cat("; the program must be a TC program (SEC(\"tc\"))", program_type_clause(prog_fd),
                            ", and a priority free of other filters");
            raise_attach(prog_fd, description, "adding the cls_bpf filter (RTM_NEWTFILTER)", answer.error, hint);
        }
        sys::fd prog(::fcntl(prog_fd, F_DUPFD_CLOEXEC, 3));
        if (!prog) {
            const int e = errno;
            undo_tc(target, prog_fd);
            raise_attach(prog_fd, description, "duplicating the program's descriptor", e);
        }
        return link_handle::from_netlink(std::move(prog), undo_tc, target,
                                         cat(description, ", priority ", priority));
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
    if (detail::netlink_forced())
        return detail::attach_xdp_netlink(prog_fd, ifindex, static_cast<u32>(o.mode), std::move(description));
    sys::attr::link_create a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.target_fd = static_cast<u32>(ifindex);
    a.attach_type = static_cast<u32>(attach_type::xdp);
    a.flags = static_cast<u32>(o.mode);
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        const int e = errno;
        // Before 5.9 there are no XDP links: netlink. (A program type the
        // kernel refuses fails there again, with its own message.)
        if (e == EINVAL && features::xdp_link() == features::answer::no)
            return detail::attach_xdp_netlink(prog_fd, ifindex, static_cast<u32>(o.mode), std::move(description));
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
    if (detail::netlink_forced())
        return detail::attach_tc_netlink(prog_fd, ifindex, direction, o, std::move(description));
    sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
    if (!l) {
        const int e = errno;
        // Before 6.6 there is no tcx: clsact and cls_bpf through netlink.
        if (e == EINVAL && features::tcx_link() == features::answer::no)
            return detail::attach_tc_netlink(prog_fd, ifindex, direction, o, std::move(description));
        std::string hint;
        if (detail::is_permission_error(e))
            hint = "; attaching TC programs needs CAP_NET_ADMIN and CAP_BPF (or root)";
        else if (e == ESTALE)
            hint = "; the interface's list changed since expected_revision was read";
        else if (e == ENOENT)
            hint = "; the program or link given as relative_fd is not attached there";
        else if (e == ERANGE)
            hint = "; the interface's list is full (64 programs) or the placement contradicts it";
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

BPFXX_DECL link_handle attach_sockmap(int prog_fd, attach_type type, int map_fd) {
    std::string description = detail::cat(to_string(type), " of map fd ", map_fd);
    auto hint = [&](int e) -> std::string {
        if (detail::is_permission_error(e)) return "; attaching to a sockmap needs CAP_NET_ADMIN and CAP_BPF (or root)";
        if (e == EINVAL || e == EOPNOTSUPP || e == detail::enotsupp)
            return detail::cat("; the program must be loaded for ", to_string(type), " (SEC(\"sk_msg\"), "
                               "SEC(\"sk_skb/stream_verdict\")...) and the map must be a sockmap or sockhash",
                               detail::program_type_clause(prog_fd));
        if (e == EBUSY || e == EEXIST) return "; a program is attached to that hook of the map already";
        return {};
    };
    bool try_link = true;
#ifdef BPFXX_TESTING
    if (detail::force_sockmap_prog_attach.load()) try_link = false;
#endif
    if (try_link) {
        sys::attr::link_create a;
        a.prog_fd = static_cast<u32>(prog_fd);
        a.target_fd = static_cast<u32>(map_fd);
        a.attach_type = static_cast<u32>(type);
        sys::fd l = sys::bpf_fd(sys::bpf_cmd::link_create, a);
        if (l) return link_handle::from_bpf_link(std::move(l), std::move(description));
        const int e = errno;
        // Before 6.10 the kernel has no sockmap links: EINVAL.
        if (!detail::link_create_unsupported(e)) detail::raise_attach(prog_fd, description, "BPF_LINK_CREATE", e, hint(e));
    }
    sys::fd map(::fcntl(map_fd, F_DUPFD_CLOEXEC, 3));
    sys::fd prog(::fcntl(prog_fd, F_DUPFD_CLOEXEC, 3));
    if (!map || !prog) detail::raise_attach(prog_fd, description, "duplicating the descriptors", errno);
    sys::attr::prog_attach a;
    a.target_fd = static_cast<u32>(map.get());
    a.attach_bpf_fd = static_cast<u32>(prog.get());
    a.attach_type = static_cast<u32>(type);
    if (sys::bpf(sys::bpf_cmd::prog_attach, a) < 0) {
        const int e = errno;
        detail::raise_attach(prog_fd, description, "BPF_PROG_ATTACH", e, hint(e));
    }
    return link_handle::from_prog_attach(std::move(map), std::move(prog), static_cast<u32>(type),
                                         std::move(description));
}

BPFXX_DECL link_handle attach_sockmap(const loaded_program& program, int map_fd) {
    const attach_type type = program.definition().expected_attach;
    const bool ok = (program.type() == program_type::sk_msg && type == attach_type::sk_msg_verdict) ||
                    (program.type() == program_type::sk_skb &&
                     (type == attach_type::sk_skb_stream_parser || type == attach_type::sk_skb_stream_verdict ||
                      type == attach_type::sk_skb_verdict));
    if (!ok)
        detail::raise(detail::cat("cannot attach program ", program.name(), " to map fd ", map_fd, ": its section '",
                                  program.section(),
                                  "' names no sockmap hook (sk_msg, sk_skb/stream_parser, sk_skb/stream_verdict, "
                                  "sk_skb/verdict)"),
                      EINVAL);
    return attach_sockmap(program.fd(), type, map_fd);
}

BPFXX_DECL attached_programs query_sockmap(int map_fd, attach_type type) {
    return detail::query_hook(static_cast<u32>(map_fd), type, 0, detail::cat(to_string(type), " of map fd ", map_fd));
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
