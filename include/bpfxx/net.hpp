// SPDX-License-Identifier: MIT OR Apache-2.0
// Attaching packet, socket and cgroup programs: XDP and tcx on network
// interfaces, socket filters on sockets, cgroup programs on cgroup2
// directories. Each function returns the bpfxx::link_handle that keeps the
// program attached, or throws a bpfxx::error that names the program, the
// target and what to do. The kernel-side types (packet views, sk_buff,
// wire formats) are in kernel/bpfxx/packet.hpp and bpfxx/shared/net.hpp.
//
// This header declares; the definitions are in bpfxx/impl/net.ipp.
#pragma once
#ifdef __bpf__
#error "bpfxx/net.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/link.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/shared/program_types.hpp>
#include <bpfxx/shared/types.hpp>

#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE

// A network interface, by name ("eth0") or index. A name is looked up in
// the network namespace of the calling thread.
struct interface_ref {
    interface_ref(const char* name) : name(name) {}  // NOLINT: implicit, as a string is
    interface_ref(std::string name) : name(std::move(name)) {}  // NOLINT
    interface_ref(std::string_view name) : name(name) {}        // NOLINT
    interface_ref(int index) : index(index) {}                  // NOLINT
    std::string name;
    int index = 0;
};

// The interface's index in the calling thread's network namespace; an
// error naming the interface when there is none.
[[nodiscard]] BPFXX_DECL int interface_index(const interface_ref& interface);

// Where an XDP program runs (XDP_FLAGS_*): the kernel's choice (the
// driver's native hook where it has one, else generic), the generic hook
// every interface has (after the socket buffer is built: slower), the
// driver's, or the NIC's (offload).
enum class xdp_mode : u32 { any = 0, generic = 2, native = 4, offload = 8 };

struct xdp_options {
    xdp_mode mode = xdp_mode::any;
};

// Attaches an XDP program (SEC("xdp")) to an interface through a BPF link
// (Linux 5.9): it runs on every packet the interface receives until the
// link goes. An interface holds one XDP program (native or generic, plus
// one offloaded); attaching where one is already (by link or by netlink)
// is an error that says so.
[[nodiscard]] BPFXX_DECL link_handle attach_xdp(int prog_fd, const interface_ref& interface,
                                                const xdp_options& options = {});

// The two hooks of an interface's TC layer.
enum class tc_direction : u8 { ingress, egress };

// Where a tcx program goes in the interface's list (Linux 6.6): programs
// run in order while they return tcx_next.
struct tc_options {
    enum class place : u8 { last, first, before, after };
    place where = place::last;
    // For before and after: the program (a program fd) or the link (a link
    // fd, with relative_is_link) to go next to.
    int relative_fd = -1;
    bool relative_is_link = false;
    // Non-zero: attach only if the list is still at this revision
    // (query_tc().revision), else fail with ESTALE.
    u64 expected_revision = 0;
};

// Attaches a TC program (SEC("tc"), SEC("tcx/ingress"), SEC("tcx/egress"))
// to an interface's ingress or egress through a tcx link (Linux 6.6).
[[nodiscard]] BPFXX_DECL link_handle attach_tc(int prog_fd, const interface_ref& interface, tc_direction direction,
                                               const tc_options& options = {});

// What BPF_PROG_QUERY reports for a hook: the programs in the order they
// run, the links that hold them (tcx only: 0 for a program attached
// without a link; empty before Linux 6.6) and the hook's revision, which
// every change increments (tcx).
struct attached_programs {
    std::vector<u32> program_ids;
    std::vector<u32> link_ids;
    u64 revision = 0;
};

// The tcx programs of an interface's ingress or egress (Linux 6.6).
[[nodiscard]] BPFXX_DECL attached_programs query_tc(const interface_ref& interface, tc_direction direction);

// Attaches a socket filter program (SEC("socket")) to a socket
// (SO_ATTACH_BPF): it sees every packet the socket receives and returns
// how many of its bytes to keep (0 drops it). The link holds a descriptor
// of the socket; destroying it takes the filter off.
[[nodiscard]] BPFXX_DECL link_handle attach_socket_filter(int prog_fd, int socket);

// Attaches an sk_msg or sk_skb program (SEC("sk_msg"),
// SEC("sk_skb/stream_verdict"), SEC("sk_skb/stream_parser"),
// SEC("sk_skb/verdict")) to a sockmap or sockhash: it runs for every
// socket in the map. Through a BPF link where the kernel has sockmap links
// (Linux 6.10, probed by trying), else BPF_PROG_ATTACH, which the link
// undoes with BPF_PROG_DETACH. `type` is the hook
// (attach_type::sk_msg_verdict...).
[[nodiscard]] BPFXX_DECL link_handle attach_sockmap(int prog_fd, attach_type type, int map_fd);

// The same with the hook the program's section names.
[[nodiscard]] BPFXX_DECL link_handle attach_sockmap(const loaded_program& program, int map_fd);

// The programs attached to a sockmap's or sockhash's hook (Linux 5.19).
[[nodiscard]] BPFXX_DECL attached_programs query_sockmap(int map_fd, attach_type type);

// The mount point of the cgroup2 hierarchy ("/sys/fs/cgroup", or
// "/sys/fs/cgroup/unified" on hybrid systems), from /proc/self/mounts.
[[nodiscard]] BPFXX_DECL std::string cgroup2_mount();

// Attaches a cgroup program to a cgroup2 directory through a BPF link
// (Linux 5.7): it runs for every process in the cgroup and its
// descendants, beside other programs attached there (the link's
// attachments are multi-attach). `type` is the hook
// (attach_type::cgroup_inet_egress, cgroup_inet4_connect...).
[[nodiscard]] BPFXX_DECL link_handle attach_cgroup(int prog_fd, attach_type type, const std::string& cgroup_path);

// The same on an open cgroup directory (the link keeps no descriptor of it).
[[nodiscard]] BPFXX_DECL link_handle attach_cgroup(int prog_fd, attach_type type, int cgroup_fd,
                                                   std::string description = {});

// The same with the hook the program's section names
// (SEC("cgroup_skb/egress"), SEC("cgroup/connect4")...).
[[nodiscard]] BPFXX_DECL link_handle attach_cgroup(const loaded_program& program, const std::string& cgroup_path);

// The programs attached to a cgroup's hook: those attached there, or with
// `effective` those that run for it (its ancestors' included).
[[nodiscard]] BPFXX_DECL attached_programs query_cgroup(const std::string& cgroup_path, attach_type type,
                                                        bool effective = false);

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/net.ipp>
#endif
