// SPDX-License-Identifier: MIT OR Apache-2.0
// libbpf's SEC() naming convention: what program type, expected attach type
// and load flags an ELF section name such as "tracepoint/sched/sched_switch"
// or "fentry.s/do_unlinkat" stands for.
//
// The table mirrors section_defs[] of libbpf 1.8 (libbpf/libbpf master at
// f7081a6baf3f, kernel sync of 2026-07-13; 116 entries; v1.7.0 had 105),
// entry for entry and in the same order, because libbpf takes the first
// entry that matches and objects built for libbpf must load the same way.
#pragma once
#ifdef __bpf__
#error "bpfxx/section.hpp is user-space only; kernel code names sections with BPFXX_PROGRAM"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/program_types.hpp>

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

BPFXX_BEGIN_NAMESPACE

// Bits of section_def::flags. Each says how libbpf matches or loads the
// entry; the libbpf names are given so the two can be compared.
enum class section_flag : std::uint32_t {
    none = 0,
    // libbpf's "prefix+": the name is the prefix alone or prefix + '/' +
    // target. Without it (and without required_target) the name must equal
    // the prefix: SEC("xdp/foo") is not an XDP program since libbpf 1.0.
    optional_target = 1u << 0,
    // libbpf's "prefix/": only prefix + '/' + target matches. No built-in
    // entry uses it since libbpf 1.0; custom section handlers may.
    required_target = 1u << 1,
    // The entry names an expected attach type. A separate bit because 0, the
    // value of entries that name none, is also cgroup_inet_ingress.
    expected_attach = 1u << 2,
    // SEC_EXP_ATTACH_OPT: before 4.17 BPF_PROG_LOAD had no
    // expected_attach_type, so when the kernel rejects it libbpf loads with 0.
    expected_attach_optional = 1u << 3,
    // SEC_ATTACHABLE: attached with BPF_PROG_ATTACH to the expected attach
    // type (what libbpf_attach_type_by_name() accepts). Informational.
    attachable = 1u << 4,
    // SEC_ATTACH_BTF: the target names a BTF type (kernel function, raw
    // tracepoint, LSM hook, iterator, or for freplace a BPF function)
    // resolved to attach_btf_id before load. Without a target the program
    // cannot load until one is set by hand.
    attach_btf = 1u << 5,
    // SEC_SLEEPABLE: load with BPF_F_SLEEPABLE (5.10).
    sleepable = 1u << 6,
    // SEC_XDP_FRAGS: load with BPF_F_XDP_HAS_FRAGS (5.18).
    xdp_frags = 1u << 7,
    // SEC_USDT: when the kernel has uprobe_multi links (6.6) libbpf loads
    // with expected attach type trace_uprobe_multi instead of 0.
    usdt = 1u << 8,
    // libbpf can attach the program from its section name alone (it has an
    // attach handler: skeleton attach). Without a target the handler
    // attaches nothing and is not an error.
    auto_attach = 1u << 9,
};

constexpr std::uint32_t operator|(section_flag a, section_flag b) noexcept {
    return static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b);
}
constexpr std::uint32_t operator|(std::uint32_t a, section_flag b) noexcept {
    return a | static_cast<std::uint32_t>(b);
}

struct section_def {
    std::string_view prefix;      // without libbpf's trailing '+' or '/'
    program_type type;
    attach_type expected_attach;  // meaningful only with section_flag::expected_attach
    std::uint32_t flags;          // section_flag bits

    [[nodiscard]] constexpr bool has(section_flag f) const noexcept {
        return (flags & static_cast<std::uint32_t>(f)) != 0;
    }
    [[nodiscard]] constexpr bool sleepable() const noexcept { return has(section_flag::sleepable); }

    [[nodiscard]] constexpr std::optional<attach_type> expected_attach_type() const noexcept {
        if (!has(section_flag::expected_attach)) return std::nullopt;
        return expected_attach;
    }

    // What BPF_PROG_LOAD's expected_attach_type gets. libbpf passes the
    // table's value for every program, 0 when the entry names none; for
    // usdt see section_flag::usdt.
    [[nodiscard]] constexpr u32 load_expected_attach() const noexcept {
        return has(section_flag::expected_attach) ? static_cast<u32>(expected_attach) : 0;
    }

    // True when libbpf always loads with this expected attach type: the
    // entry names one and never drops it (no expected_attach_optional).
    // For most such types the kernel rejects the load, or the later attach,
    // when it is missing (cgroup_sock_addr, tracing, lsm, xdp devmap...).
    [[nodiscard]] constexpr bool needs_expected_attach() const noexcept {
        return has(section_flag::expected_attach) && !has(section_flag::expected_attach_optional);
    }

    // libbpf's rule for one entry: exact name, or prefix + '/' + anything
    // when the entry takes a target.
    [[nodiscard]] constexpr bool matches(std::string_view name) const noexcept {
        if (!name.starts_with(prefix)) return false;
        if (name.size() == prefix.size()) return !has(section_flag::required_target);
        return name[prefix.size()] == '/' &&
               (has(section_flag::optional_target) || has(section_flag::required_target));
    }
};

struct section_match {
    const section_def* def;
    // What follows the prefix and its '/': "syscalls/sys_enter_execve" for
    // "tracepoint/syscalls/sys_enter_execve"; empty when there is none. It
    // views into the name given to match_section, which must outlive it.
    std::string_view target;
    bool sleepable;
};

namespace detail::sections {

using P = program_type;
using A = attach_type;
using F = section_flag;

constexpr section_def def(std::string_view prefix, program_type type, std::uint32_t flags) noexcept {
    return {prefix, type, attach_type{}, flags};
}
constexpr section_def def(std::string_view prefix, program_type type, section_flag flag) noexcept {
    return def(prefix, type, static_cast<std::uint32_t>(flag));
}
constexpr section_def def(std::string_view prefix, program_type type, attach_type expected,
                          std::uint32_t flags) noexcept {
    return {prefix, type, expected, flags | F::expected_attach};
}
constexpr section_def def(std::string_view prefix, program_type type, attach_type expected,
                          section_flag flag) noexcept {
    return def(prefix, type, expected, static_cast<std::uint32_t>(flag));
}

// "prefix+" entries with an attach handler.
inline constexpr std::uint32_t probe = F::optional_target | F::auto_attach;
inline constexpr std::uint32_t probe_s = probe | F::sleepable;
inline constexpr std::uint32_t btf = probe | F::attach_btf;
inline constexpr std::uint32_t btf_s = btf | F::sleepable;
// SEC_ATTACHABLE_OPT
inline constexpr std::uint32_t attachable_opt = F::attachable | F::expected_attach_optional;

// Order matters where one name could match two entries; libbpf's order is
// kept throughout so that the first match is libbpf's.
inline constexpr section_def table[] = {
    def("socket", P::socket_filter, F::none),
    def("sk_reuseport/migrate", P::sk_reuseport, A::sk_reuseport_select_or_migrate, F::attachable),
    def("sk_reuseport", P::sk_reuseport, A::sk_reuseport_select, F::attachable),

    def("kprobe", P::kprobe, probe),
    def("uprobe", P::kprobe, probe),
    def("uprobe.s", P::kprobe, probe_s),
    def("kretprobe", P::kprobe, probe),
    def("uretprobe", P::kprobe, probe),
    def("uretprobe.s", P::kprobe, probe_s),
    def("kprobe.multi", P::kprobe, A::trace_kprobe_multi, probe),
    def("kretprobe.multi", P::kprobe, A::trace_kprobe_multi, probe),
    def("kprobe.session", P::kprobe, A::trace_kprobe_session, probe),
    def("uprobe.multi", P::kprobe, A::trace_uprobe_multi, probe),
    def("uretprobe.multi", P::kprobe, A::trace_uprobe_multi, probe),
    def("uprobe.session", P::kprobe, A::trace_uprobe_session, probe),
    def("uprobe.multi.s", P::kprobe, A::trace_uprobe_multi, probe_s),
    def("uretprobe.multi.s", P::kprobe, A::trace_uprobe_multi, probe_s),
    def("uprobe.session.s", P::kprobe, A::trace_uprobe_session, probe_s),
    def("ksyscall", P::kprobe, probe),
    def("kretsyscall", P::kprobe, probe),
    def("usdt", P::kprobe, probe | F::usdt),
    def("usdt.s", P::kprobe, probe_s | F::usdt),

    // "tc/ingress" and "tc/egress" are libbpf's aliases of the tcx names
    // (6.6); plain "tc", "classifier" and "action" are the legacy tc hooks.
    def("tc/ingress", P::sched_cls, A::tcx_ingress, F::none),
    def("tc/egress", P::sched_cls, A::tcx_egress, F::none),
    def("tcx/ingress", P::sched_cls, A::tcx_ingress, F::none),
    def("tcx/egress", P::sched_cls, A::tcx_egress, F::none),
    def("tc", P::sched_cls, F::none),
    def("classifier", P::sched_cls, F::none),
    def("action", P::sched_act, F::none),
    def("netkit/primary", P::sched_cls, A::netkit_primary, F::none),
    def("netkit/peer", P::sched_cls, A::netkit_peer, F::none),

    def("tracepoint", P::tracepoint, probe),
    def("tp", P::tracepoint, probe),
    def("tracepoint.s", P::tracepoint, probe_s),
    def("tp.s", P::tracepoint, probe_s),
    def("raw_tracepoint", P::raw_tracepoint, probe),
    def("raw_tp", P::raw_tracepoint, probe),
    def("raw_tracepoint.s", P::raw_tracepoint, probe_s),
    def("raw_tp.s", P::raw_tracepoint, probe_s),
    def("raw_tracepoint.w", P::raw_tracepoint_writable, probe),
    def("raw_tp.w", P::raw_tracepoint_writable, probe),
    def("tp_btf", P::tracing, A::trace_raw_tp, btf),
    def("tp_btf.s", P::tracing, A::trace_raw_tp, btf_s),
    def("fentry", P::tracing, A::trace_fentry, btf),
    def("fmod_ret", P::tracing, A::modify_return, btf),
    def("fexit", P::tracing, A::trace_fexit, btf),
    def("fentry.s", P::tracing, A::trace_fentry, btf_s),
    def("fmod_ret.s", P::tracing, A::modify_return, btf_s),
    def("fexit.s", P::tracing, A::trace_fexit, btf_s),
    def("fsession", P::tracing, A::trace_fsession, btf),
    def("fsession.s", P::tracing, A::trace_fsession, btf_s),
    // The multi forms take a pattern of functions, resolved at attach time,
    // so they carry no attach_btf.
    def("fsession.multi", P::tracing, A::trace_fsession_multi, probe),
    def("fsession.multi.s", P::tracing, A::trace_fsession_multi, probe_s),
    def("fentry.multi", P::tracing, A::trace_fentry_multi, probe),
    def("fexit.multi", P::tracing, A::trace_fexit_multi, probe),
    def("fentry.multi.s", P::tracing, A::trace_fentry_multi, probe_s),
    def("fexit.multi.s", P::tracing, A::trace_fexit_multi, probe_s),
    def("freplace", P::ext, btf),
    def("lsm", P::lsm, A::lsm_mac, btf),
    def("lsm.s", P::lsm, A::lsm_mac, btf_s),
    def("lsm_cgroup", P::lsm, A::lsm_cgroup, F::optional_target | F::attach_btf),
    def("iter", P::tracing, A::trace_iter, btf),
    def("iter.s", P::tracing, A::trace_iter, btf_s),
    def("syscall", P::syscall, F::sleepable),

    def("xdp.frags/devmap", P::xdp, A::xdp_devmap, F::xdp_frags),
    def("xdp/devmap", P::xdp, A::xdp_devmap, F::attachable),
    def("xdp.frags/cpumap", P::xdp, A::xdp_cpumap, F::xdp_frags),
    def("xdp/cpumap", P::xdp, A::xdp_cpumap, F::attachable),
    def("xdp.frags", P::xdp, A::xdp, F::xdp_frags),
    def("xdp", P::xdp, A::xdp, attachable_opt),
    def("perf_event", P::perf_event, F::none),
    def("lwt_in", P::lwt_in, F::none),
    def("lwt_out", P::lwt_out, F::none),
    def("lwt_xmit", P::lwt_xmit, F::none),
    def("lwt_seg6local", P::lwt_seg6local, F::none),
    def("sockops", P::sock_ops, A::cgroup_sock_ops, attachable_opt),
    def("sk_skb/stream_parser", P::sk_skb, A::sk_skb_stream_parser, attachable_opt),
    def("sk_skb/stream_verdict", P::sk_skb, A::sk_skb_stream_verdict, attachable_opt),
    def("sk_skb/verdict", P::sk_skb, A::sk_skb_verdict, attachable_opt),
    def("sk_skb", P::sk_skb, F::none),
    def("sk_msg", P::sk_msg, A::sk_msg_verdict, attachable_opt),
    def("lirc_mode2", P::lirc_mode2, A::lirc_mode2, attachable_opt),
    def("flow_dissector", P::flow_dissector, A::flow_dissector, attachable_opt),

    def("cgroup_skb/ingress", P::cgroup_skb, A::cgroup_inet_ingress, attachable_opt),
    def("cgroup_skb/egress", P::cgroup_skb, A::cgroup_inet_egress, attachable_opt),
    def("cgroup/skb", P::cgroup_skb, F::none),
    def("cgroup/sock_create", P::cgroup_sock, A::cgroup_inet_sock_create, F::attachable),
    def("cgroup/sock_release", P::cgroup_sock, A::cgroup_inet_sock_release, F::attachable),
    def("cgroup/sock", P::cgroup_sock, A::cgroup_inet_sock_create, attachable_opt),
    def("cgroup/post_bind4", P::cgroup_sock, A::cgroup_inet4_post_bind, F::attachable),
    def("cgroup/post_bind6", P::cgroup_sock, A::cgroup_inet6_post_bind, F::attachable),
    def("cgroup/bind4", P::cgroup_sock_addr, A::cgroup_inet4_bind, F::attachable),
    def("cgroup/bind6", P::cgroup_sock_addr, A::cgroup_inet6_bind, F::attachable),
    def("cgroup/connect4", P::cgroup_sock_addr, A::cgroup_inet4_connect, F::attachable),
    def("cgroup/connect6", P::cgroup_sock_addr, A::cgroup_inet6_connect, F::attachable),
    def("cgroup/connect_unix", P::cgroup_sock_addr, A::cgroup_unix_connect, F::attachable),
    def("cgroup/sendmsg4", P::cgroup_sock_addr, A::cgroup_udp4_sendmsg, F::attachable),
    def("cgroup/sendmsg6", P::cgroup_sock_addr, A::cgroup_udp6_sendmsg, F::attachable),
    def("cgroup/sendmsg_unix", P::cgroup_sock_addr, A::cgroup_unix_sendmsg, F::attachable),
    def("cgroup/recvmsg4", P::cgroup_sock_addr, A::cgroup_udp4_recvmsg, F::attachable),
    def("cgroup/recvmsg6", P::cgroup_sock_addr, A::cgroup_udp6_recvmsg, F::attachable),
    def("cgroup/recvmsg_unix", P::cgroup_sock_addr, A::cgroup_unix_recvmsg, F::attachable),
    def("cgroup/getpeername4", P::cgroup_sock_addr, A::cgroup_inet4_getpeername, F::attachable),
    def("cgroup/getpeername6", P::cgroup_sock_addr, A::cgroup_inet6_getpeername, F::attachable),
    def("cgroup/getpeername_unix", P::cgroup_sock_addr, A::cgroup_unix_getpeername, F::attachable),
    def("cgroup/getsockname4", P::cgroup_sock_addr, A::cgroup_inet4_getsockname, F::attachable),
    def("cgroup/getsockname6", P::cgroup_sock_addr, A::cgroup_inet6_getsockname, F::attachable),
    def("cgroup/getsockname_unix", P::cgroup_sock_addr, A::cgroup_unix_getsockname, F::attachable),
    def("cgroup/sysctl", P::cgroup_sysctl, A::cgroup_sysctl, F::attachable),
    def("cgroup/getsockopt", P::cgroup_sockopt, A::cgroup_getsockopt, F::attachable),
    def("cgroup/setsockopt", P::cgroup_sockopt, A::cgroup_setsockopt, F::attachable),
    def("cgroup/dev", P::cgroup_device, A::cgroup_device, attachable_opt),

    // struct_ops programs are attached through their struct_ops map.
    def("struct_ops", P::struct_ops, F::optional_target),
    def("struct_ops.s", P::struct_ops, F::optional_target | F::sleepable),
    def("sk_lookup", P::sk_lookup, A::sk_lookup, F::attachable),
    def("netfilter", P::netfilter, A::netfilter, F::none),
};

}  // namespace detail::sections

// libbpf's table, in libbpf's order.
[[nodiscard]] constexpr std::span<const section_def> section_defs() noexcept {
    return detail::sections::table;
}

// The entry libbpf would pick for an ELF section name: the first in table
// order that matches. nullopt for names libbpf does not know (".text",
// ".maps", "xdp_foo"); libbpf then leaves the program type unset and the
// program cannot load unless one is given by hand.
[[nodiscard]] constexpr std::optional<section_match> match_section(std::string_view name) noexcept {
    for (const section_def& d : section_defs()) {
        if (!d.matches(name)) continue;
        std::string_view target = name.size() > d.prefix.size() ? name.substr(d.prefix.size() + 1)
                                                                 : std::string_view{};
        return section_match{&d, target, d.sleepable()};
    }
    return std::nullopt;
}

// The match's target would view into a string destroyed at the end of the
// call: keep the name in a variable instead.
template <class S>
    requires(!std::is_lvalue_reference_v<S> && std::same_as<std::remove_cv_t<S>, std::string>)
std::optional<section_match> match_section(S&& temporary_name) = delete;

BPFXX_END_NAMESPACE
