// SPDX-License-Identifier: MIT OR Apache-2.0
// Program types and attach types of the bpf(2) ABI, and the names bpftool
// prints for them. Valid on both sides: kernel code compiled with
// `clang -target bpf -nostdinc` includes it as well as user space.
//
// The numbers are uapi ABI: the kernel only ever appends to both enums, so
// a value never changes meaning. Kernel versions in the comments say which
// release first accepted a value.
#pragma once

#include <bpfxx/shared/types.hpp>

namespace bpfxx {

// BPF_PROG_LOAD's prog_type. Complete for kernel 6.18 (none was added up to
// the newest uapi header checked, libbpf's sync of July 2026).
enum class program_type : u32 {
    unspec = 0,
    socket_filter = 1,             // 3.19
    kprobe = 2,                    // 4.1; also uprobes, USDT, kprobe.multi/session
    sched_cls = 3,                 // 4.1; tc classifier, tcx, netkit
    sched_act = 4,                 // 4.1
    tracepoint = 5,                // 4.7
    xdp = 6,                       // 4.8
    perf_event = 7,                // 4.9
    cgroup_skb = 8,                // 4.10
    cgroup_sock = 9,               // 4.10
    lwt_in = 10,                   // 4.10
    lwt_out = 11,                  // 4.10
    lwt_xmit = 12,                 // 4.10
    sock_ops = 13,                 // 4.13
    sk_skb = 14,                   // 4.14
    cgroup_device = 15,            // 4.15
    sk_msg = 16,                   // 4.17
    raw_tracepoint = 17,           // 4.17
    cgroup_sock_addr = 18,         // 4.17
    lwt_seg6local = 19,            // 4.18
    lirc_mode2 = 20,               // 4.18
    sk_reuseport = 21,             // 4.19
    flow_dissector = 22,           // 4.20
    cgroup_sysctl = 23,            // 5.2
    raw_tracepoint_writable = 24,  // 5.2
    cgroup_sockopt = 25,           // 5.3
    tracing = 26,                  // 5.5; fentry, fexit, fmod_ret, tp_btf, iter
    struct_ops = 27,               // 5.6
    ext = 28,                      // 5.6; freplace
    lsm = 29,                      // 5.7
    sk_lookup = 30,                // 5.9
    syscall = 31,                  // 5.14
    netfilter = 32,                // 6.4
};

// One past the largest program_type (the kernel's __MAX_BPF_PROG_TYPE).
inline constexpr u32 program_type_count = 33;

// BPF_PROG_LOAD's expected_attach_type, and BPF_PROG_ATTACH/BPF_LINK_CREATE's
// attach_type. Zero is a real value (cgroup_inet_ingress), not "none".
enum class attach_type : u32 {
    cgroup_inet_ingress = 0,              // 4.10
    cgroup_inet_egress = 1,               // 4.10
    cgroup_inet_sock_create = 2,          // 4.10
    cgroup_sock_ops = 3,                  // 4.13
    sk_skb_stream_parser = 4,             // 4.14
    sk_skb_stream_verdict = 5,            // 4.14
    cgroup_device = 6,                    // 4.15
    sk_msg_verdict = 7,                   // 4.17
    cgroup_inet4_bind = 8,                // 4.17
    cgroup_inet6_bind = 9,                // 4.17
    cgroup_inet4_connect = 10,            // 4.17
    cgroup_inet6_connect = 11,            // 4.17
    cgroup_inet4_post_bind = 12,          // 4.17
    cgroup_inet6_post_bind = 13,          // 4.17
    cgroup_udp4_sendmsg = 14,             // 4.18
    cgroup_udp6_sendmsg = 15,             // 4.18
    lirc_mode2 = 16,                      // 4.18
    flow_dissector = 17,                  // 4.20
    cgroup_sysctl = 18,                   // 5.2
    cgroup_udp4_recvmsg = 19,             // 5.2
    cgroup_udp6_recvmsg = 20,             // 5.2
    cgroup_getsockopt = 21,               // 5.3
    cgroup_setsockopt = 22,               // 5.3
    trace_raw_tp = 23,                    // 5.5
    trace_fentry = 24,                    // 5.5
    trace_fexit = 25,                     // 5.5
    modify_return = 26,                   // 5.7
    lsm_mac = 27,                         // 5.7
    trace_iter = 28,                      // 5.8
    cgroup_inet4_getpeername = 29,        // 5.8
    cgroup_inet6_getpeername = 30,        // 5.8
    cgroup_inet4_getsockname = 31,        // 5.8
    cgroup_inet6_getsockname = 32,        // 5.8
    xdp_devmap = 33,                      // 5.8
    cgroup_inet_sock_release = 34,        // 5.9
    xdp_cpumap = 35,                      // 5.9
    sk_lookup = 36,                       // 5.9
    xdp = 37,                             // 5.9; XDP through a bpf_link
    sk_skb_verdict = 38,                  // 5.13
    sk_reuseport_select = 39,             // 5.14
    sk_reuseport_select_or_migrate = 40,  // 5.14
    perf_event = 41,                      // 5.15; perf event through a bpf_link
    trace_kprobe_multi = 42,              // 5.18
    lsm_cgroup = 43,                      // 6.0
    struct_ops = 44,                      // 6.4; struct_ops map through a bpf_link
    netfilter = 45,                       // 6.4
    tcx_ingress = 46,                     // 6.6
    tcx_egress = 47,                      // 6.6
    trace_uprobe_multi = 48,              // 6.6
    cgroup_unix_connect = 49,             // 6.7
    cgroup_unix_sendmsg = 50,             // 6.7
    cgroup_unix_recvmsg = 51,             // 6.7
    cgroup_unix_getpeername = 52,         // 6.7
    cgroup_unix_getsockname = 53,         // 6.7
    netkit_primary = 54,                  // 6.7
    netkit_peer = 55,                     // 6.7
    trace_kprobe_session = 56,            // 6.10
    trace_uprobe_session = 57,            // 6.13; the last value of 6.18
    // Newer than 6.18. A 6.18 kernel rejects them with EINVAL; they are here
    // because libbpf 1.8's section names use them.
    trace_fsession = 58,                  // bpf-next January 2026 (7.0)
    trace_fentry_multi = 59,              // bpf-next, June 2026
    trace_fexit_multi = 60,               // bpf-next, June 2026
    trace_fsession_multi = 61,            // bpf-next, June 2026
};

// One past the largest attach_type (the kernel's __MAX_BPF_ATTACH_TYPE).
inline constexpr u32 attach_type_count = 62;
// One past the largest attach_type a 6.18 kernel knows.
inline constexpr u32 attach_type_count_6_18 = 58;

// The name bpftool prints ("sched_cls", "raw_tracepoint"...); "unknown" for
// a value this header does not know.
constexpr const char* to_string(program_type type) {
    switch (type) {
    case program_type::unspec: return "unspec";
    case program_type::socket_filter: return "socket_filter";
    case program_type::kprobe: return "kprobe";
    case program_type::sched_cls: return "sched_cls";
    case program_type::sched_act: return "sched_act";
    case program_type::tracepoint: return "tracepoint";
    case program_type::xdp: return "xdp";
    case program_type::perf_event: return "perf_event";
    case program_type::cgroup_skb: return "cgroup_skb";
    case program_type::cgroup_sock: return "cgroup_sock";
    case program_type::lwt_in: return "lwt_in";
    case program_type::lwt_out: return "lwt_out";
    case program_type::lwt_xmit: return "lwt_xmit";
    case program_type::sock_ops: return "sock_ops";
    case program_type::sk_skb: return "sk_skb";
    case program_type::cgroup_device: return "cgroup_device";
    case program_type::sk_msg: return "sk_msg";
    case program_type::raw_tracepoint: return "raw_tracepoint";
    case program_type::cgroup_sock_addr: return "cgroup_sock_addr";
    case program_type::lwt_seg6local: return "lwt_seg6local";
    case program_type::lirc_mode2: return "lirc_mode2";
    case program_type::sk_reuseport: return "sk_reuseport";
    case program_type::flow_dissector: return "flow_dissector";
    case program_type::cgroup_sysctl: return "cgroup_sysctl";
    case program_type::raw_tracepoint_writable: return "raw_tracepoint_writable";
    case program_type::cgroup_sockopt: return "cgroup_sockopt";
    case program_type::tracing: return "tracing";
    case program_type::struct_ops: return "struct_ops";
    case program_type::ext: return "ext";
    case program_type::lsm: return "lsm";
    case program_type::sk_lookup: return "sk_lookup";
    case program_type::syscall: return "syscall";
    case program_type::netfilter: return "netfilter";
    }
    return "unknown";
}

// The name bpftool prints ("cgroup_inet_ingress", "trace_fentry"...);
// "unknown" for a value this header does not know.
constexpr const char* to_string(attach_type type) {
    switch (type) {
    case attach_type::cgroup_inet_ingress: return "cgroup_inet_ingress";
    case attach_type::cgroup_inet_egress: return "cgroup_inet_egress";
    case attach_type::cgroup_inet_sock_create: return "cgroup_inet_sock_create";
    case attach_type::cgroup_sock_ops: return "cgroup_sock_ops";
    case attach_type::sk_skb_stream_parser: return "sk_skb_stream_parser";
    case attach_type::sk_skb_stream_verdict: return "sk_skb_stream_verdict";
    case attach_type::cgroup_device: return "cgroup_device";
    case attach_type::sk_msg_verdict: return "sk_msg_verdict";
    case attach_type::cgroup_inet4_bind: return "cgroup_inet4_bind";
    case attach_type::cgroup_inet6_bind: return "cgroup_inet6_bind";
    case attach_type::cgroup_inet4_connect: return "cgroup_inet4_connect";
    case attach_type::cgroup_inet6_connect: return "cgroup_inet6_connect";
    case attach_type::cgroup_inet4_post_bind: return "cgroup_inet4_post_bind";
    case attach_type::cgroup_inet6_post_bind: return "cgroup_inet6_post_bind";
    case attach_type::cgroup_udp4_sendmsg: return "cgroup_udp4_sendmsg";
    case attach_type::cgroup_udp6_sendmsg: return "cgroup_udp6_sendmsg";
    case attach_type::lirc_mode2: return "lirc_mode2";
    case attach_type::flow_dissector: return "flow_dissector";
    case attach_type::cgroup_sysctl: return "cgroup_sysctl";
    case attach_type::cgroup_udp4_recvmsg: return "cgroup_udp4_recvmsg";
    case attach_type::cgroup_udp6_recvmsg: return "cgroup_udp6_recvmsg";
    case attach_type::cgroup_getsockopt: return "cgroup_getsockopt";
    case attach_type::cgroup_setsockopt: return "cgroup_setsockopt";
    case attach_type::trace_raw_tp: return "trace_raw_tp";
    case attach_type::trace_fentry: return "trace_fentry";
    case attach_type::trace_fexit: return "trace_fexit";
    case attach_type::modify_return: return "modify_return";
    case attach_type::lsm_mac: return "lsm_mac";
    case attach_type::trace_iter: return "trace_iter";
    case attach_type::cgroup_inet4_getpeername: return "cgroup_inet4_getpeername";
    case attach_type::cgroup_inet6_getpeername: return "cgroup_inet6_getpeername";
    case attach_type::cgroup_inet4_getsockname: return "cgroup_inet4_getsockname";
    case attach_type::cgroup_inet6_getsockname: return "cgroup_inet6_getsockname";
    case attach_type::xdp_devmap: return "xdp_devmap";
    case attach_type::cgroup_inet_sock_release: return "cgroup_inet_sock_release";
    case attach_type::xdp_cpumap: return "xdp_cpumap";
    case attach_type::sk_lookup: return "sk_lookup";
    case attach_type::xdp: return "xdp";
    case attach_type::sk_skb_verdict: return "sk_skb_verdict";
    case attach_type::sk_reuseport_select: return "sk_reuseport_select";
    case attach_type::sk_reuseport_select_or_migrate: return "sk_reuseport_select_or_migrate";
    case attach_type::perf_event: return "perf_event";
    case attach_type::trace_kprobe_multi: return "trace_kprobe_multi";
    case attach_type::lsm_cgroup: return "lsm_cgroup";
    case attach_type::struct_ops: return "struct_ops";
    case attach_type::netfilter: return "netfilter";
    case attach_type::tcx_ingress: return "tcx_ingress";
    case attach_type::tcx_egress: return "tcx_egress";
    case attach_type::trace_uprobe_multi: return "trace_uprobe_multi";
    case attach_type::cgroup_unix_connect: return "cgroup_unix_connect";
    case attach_type::cgroup_unix_sendmsg: return "cgroup_unix_sendmsg";
    case attach_type::cgroup_unix_recvmsg: return "cgroup_unix_recvmsg";
    case attach_type::cgroup_unix_getpeername: return "cgroup_unix_getpeername";
    case attach_type::cgroup_unix_getsockname: return "cgroup_unix_getsockname";
    case attach_type::netkit_primary: return "netkit_primary";
    case attach_type::netkit_peer: return "netkit_peer";
    case attach_type::trace_kprobe_session: return "trace_kprobe_session";
    case attach_type::trace_uprobe_session: return "trace_uprobe_session";
    case attach_type::trace_fsession: return "trace_fsession";
    case attach_type::trace_fentry_multi: return "trace_fentry_multi";
    case attach_type::trace_fexit_multi: return "trace_fexit_multi";
    case attach_type::trace_fsession_multi: return "trace_fsession_multi";
    }
    return "unknown";
}

}  // namespace bpfxx
