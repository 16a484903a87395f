// SPDX-License-Identifier: MIT OR Apache-2.0
// SEC() names against libbpf's section_defs[] (libbpf 1.8, libbpf/libbpf
// master f7081a6baf3f, 116 entries), and program/attach type numbers and
// names against the uapi bpf.h of the same sync.
#include <bpfxx/section.hpp>
#include <bpfxx/shared/program_types.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

using bpfxx::attach_type;
using bpfxx::match_section;
using bpfxx::program_type;
using bpfxx::section_def;
using bpfxx::section_defs;
using bpfxx::section_flag;
using bpfxx::u32;

// Usable in constant expressions: the loader may classify names at compile time.
static_assert(match_section("fentry/do_unlinkat")->def->type == program_type::tracing);
static_assert(match_section("fentry/do_unlinkat")->target == "do_unlinkat");
static_assert(!match_section(".text"));
static_assert(static_cast<u32>(program_type::netfilter) == 32);
static_assert(static_cast<u32>(attach_type::trace_uprobe_session) == 57);

// A temporary std::string is refused: the target would dangle.
template <class T>
concept can_match = requires(T&& name) { match_section(static_cast<T&&>(name)); };
static_assert(can_match<const char*>);
static_assert(can_match<std::string_view>);
static_assert(can_match<std::string&>);
static_assert(can_match<const std::string&>);
static_assert(!can_match<std::string>);
static_assert(!can_match<const std::string>);

TEST(program_types, numbers_match_uapi) {
    EXPECT_EQ(bpfxx::program_type_count, 33u);
    EXPECT_EQ(bpfxx::attach_type_count, 62u);
    EXPECT_EQ(bpfxx::attach_type_count_6_18, 58u);

    EXPECT_EQ(static_cast<u32>(program_type::unspec), 0u);
    EXPECT_EQ(static_cast<u32>(program_type::socket_filter), 1u);
    EXPECT_EQ(static_cast<u32>(program_type::sched_cls), 3u);
    EXPECT_EQ(static_cast<u32>(program_type::tracepoint), 5u);
    EXPECT_EQ(static_cast<u32>(program_type::xdp), 6u);
    EXPECT_EQ(static_cast<u32>(program_type::raw_tracepoint), 17u);
    EXPECT_EQ(static_cast<u32>(program_type::raw_tracepoint_writable), 24u);
    EXPECT_EQ(static_cast<u32>(program_type::tracing), 26u);
    EXPECT_EQ(static_cast<u32>(program_type::lsm), 29u);
    EXPECT_EQ(static_cast<u32>(program_type::syscall), 31u);

    EXPECT_EQ(static_cast<u32>(attach_type::cgroup_inet_ingress), 0u);
    EXPECT_EQ(static_cast<u32>(attach_type::sk_msg_verdict), 7u);
    EXPECT_EQ(static_cast<u32>(attach_type::cgroup_udp4_recvmsg), 19u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_raw_tp), 23u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_fentry), 24u);
    EXPECT_EQ(static_cast<u32>(attach_type::modify_return), 26u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_iter), 28u);
    EXPECT_EQ(static_cast<u32>(attach_type::xdp_devmap), 33u);
    EXPECT_EQ(static_cast<u32>(attach_type::cgroup_inet_sock_release), 34u);
    EXPECT_EQ(static_cast<u32>(attach_type::xdp), 37u);
    EXPECT_EQ(static_cast<u32>(attach_type::sk_reuseport_select_or_migrate), 40u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_kprobe_multi), 42u);
    EXPECT_EQ(static_cast<u32>(attach_type::netfilter), 45u);
    EXPECT_EQ(static_cast<u32>(attach_type::tcx_ingress), 46u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_uprobe_multi), 48u);
    EXPECT_EQ(static_cast<u32>(attach_type::cgroup_unix_getsockname), 53u);
    EXPECT_EQ(static_cast<u32>(attach_type::netkit_peer), 55u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_kprobe_session), 56u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_fsession), 58u);
    EXPECT_EQ(static_cast<u32>(attach_type::trace_fsession_multi), 61u);
}

TEST(program_types, names_as_bpftool_prints_them) {
    EXPECT_STREQ(to_string(program_type::sched_cls), "sched_cls");
    EXPECT_STREQ(to_string(program_type::tracepoint), "tracepoint");
    EXPECT_STREQ(to_string(program_type::raw_tracepoint), "raw_tracepoint");
    EXPECT_STREQ(to_string(program_type::raw_tracepoint_writable), "raw_tracepoint_writable");
    EXPECT_STREQ(to_string(program_type::cgroup_sock_addr), "cgroup_sock_addr");
    EXPECT_STREQ(to_string(program_type::ext), "ext");
    EXPECT_STREQ(to_string(attach_type::cgroup_inet_ingress), "cgroup_inet_ingress");
    EXPECT_STREQ(to_string(attach_type::trace_fentry), "trace_fentry");
    EXPECT_STREQ(to_string(attach_type::modify_return), "modify_return");
    EXPECT_STREQ(to_string(attach_type::lsm_mac), "lsm_mac");
    EXPECT_STREQ(to_string(attach_type::sk_reuseport_select_or_migrate),
                 "sk_reuseport_select_or_migrate");
    EXPECT_STREQ(to_string(attach_type::netkit_primary), "netkit_primary");

    // Every value has its own name; values past the end are "unknown".
    std::set<std::string> program_names, attach_names;
    for (u32 i = 0; i < bpfxx::program_type_count; ++i) {
        const char* name = to_string(static_cast<program_type>(i));
        EXPECT_STRNE(name, "unknown") << i;
        program_names.insert(name);
    }
    for (u32 i = 0; i < bpfxx::attach_type_count; ++i) {
        const char* name = to_string(static_cast<attach_type>(i));
        EXPECT_STRNE(name, "unknown") << i;
        attach_names.insert(name);
    }
    EXPECT_EQ(program_names.size(), bpfxx::program_type_count);
    EXPECT_EQ(attach_names.size(), bpfxx::attach_type_count);
    EXPECT_STREQ(to_string(static_cast<program_type>(bpfxx::program_type_count)), "unknown");
    EXPECT_STREQ(to_string(static_cast<attach_type>(bpfxx::attach_type_count)), "unknown");
    EXPECT_STREQ(to_string(static_cast<attach_type>(0xffffffffu)), "unknown");
}

TEST(section_defs, table_shape) {
    const auto defs = section_defs();
    // libbpf/libbpf master f7081a6baf3f (LIBBPF 1.8): 116 entries. v1.7.0 had 105.
    ASSERT_EQ(defs.size(), 116u);
    EXPECT_EQ(defs.front().prefix, "socket");
    EXPECT_EQ(defs.back().prefix, "netfilter");

    std::set<std::string_view> prefixes;
    std::size_t with_target = 0, sleepable = 0, attach_btf = 0, attachable = 0, optional = 0,
                auto_attach = 0, named_attach = 0;
    for (const section_def& d : defs) {
        SCOPED_TRACE(std::string(d.prefix));
        EXPECT_TRUE(prefixes.insert(d.prefix).second) << "duplicate prefix";
        EXPECT_NE(d.type, program_type::unspec);
        EXPECT_LT(static_cast<u32>(d.type), bpfxx::program_type_count);
        EXPECT_FALSE(d.prefix.empty());
        EXPECT_EQ(d.prefix.find('+'), std::string_view::npos);
        EXPECT_NE(d.prefix.back(), '/');
        // libbpf 1.8 has no "prefix/" entries: a target is never mandatory by name.
        EXPECT_FALSE(d.has(section_flag::required_target));
        if (d.has(section_flag::expected_attach)) {
            EXPECT_LT(static_cast<u32>(d.expected_attach), bpfxx::attach_type_count);
        } else {
            EXPECT_EQ(d.load_expected_attach(), 0u);
        }
        // Every sleepable entry is a ".s" variant, and the reverse, except
        // "syscall" (always sleepable).
        const bool dot_s = d.prefix.ends_with(".s");
        EXPECT_EQ(d.sleepable(), dot_s || d.prefix == "syscall");
        if (d.has(section_flag::xdp_frags)) {
            EXPECT_EQ(d.type, program_type::xdp);
        }
        if (d.has(section_flag::attach_btf)) {
            EXPECT_TRUE(d.type == program_type::tracing || d.type == program_type::lsm ||
                        d.type == program_type::ext);
        }
        if (d.has(section_flag::expected_attach_optional)) {
            EXPECT_TRUE(d.has(section_flag::attachable));
        }
        with_target += d.has(section_flag::optional_target);
        sleepable += d.sleepable();
        attach_btf += d.has(section_flag::attach_btf);
        attachable += d.has(section_flag::attachable);
        optional += d.has(section_flag::expected_attach_optional);
        auto_attach += d.has(section_flag::auto_attach);
        named_attach += d.has(section_flag::expected_attach);
    }
    EXPECT_EQ(with_target, 53u);
    EXPECT_EQ(sleepable, 22u);
    EXPECT_EQ(attach_btf, 16u);
    EXPECT_EQ(attachable, 41u);
    EXPECT_EQ(optional, 12u);
    EXPECT_EQ(auto_attach, 50u);
    EXPECT_EQ(named_attach, 81u);
}

// First match wins, yet every entry is reachable: its bare prefix (and
// prefix/target where allowed) selects that very entry.
TEST(section_defs, every_entry_reachable) {
    for (const section_def& d : section_defs()) {
        SCOPED_TRACE(std::string(d.prefix));
        auto m = match_section(d.prefix);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->def, &d);
        EXPECT_EQ(m->target, "");
        const std::string with_target = std::string(d.prefix) + "/some_target";
        auto slash = match_section(with_target);  // target views into with_target
        if (d.has(section_flag::optional_target)) {
            ASSERT_TRUE(slash);
            EXPECT_EQ(slash->def, &d);
            EXPECT_EQ(slash->target, "some_target");
        } else {
            EXPECT_FALSE(slash);
        }
    }
}

struct expect_match {
    const char* name;
    const char* prefix;
    program_type type;
    std::optional<attach_type> expected;
    const char* target;
    bool sleepable;
};

constexpr std::optional<attach_type> none = std::nullopt;

const expect_match matches[] = {
    // socket filters and reuseport
    {"socket", "socket", program_type::socket_filter, none, "", false},
    {"sk_reuseport", "sk_reuseport", program_type::sk_reuseport, attach_type::sk_reuseport_select, "", false},
    {"sk_reuseport/migrate", "sk_reuseport/migrate", program_type::sk_reuseport,
     attach_type::sk_reuseport_select_or_migrate, "", false},
    // kprobes, uprobes, USDT
    {"kprobe/do_unlinkat", "kprobe", program_type::kprobe, none, "do_unlinkat", false},
    {"kprobe", "kprobe", program_type::kprobe, none, "", false},
    {"kprobe/tcp_v4_connect+0x10", "kprobe", program_type::kprobe, none, "tcp_v4_connect+0x10", false},
    {"kretprobe/do_unlinkat", "kretprobe", program_type::kprobe, none, "do_unlinkat", false},
    {"uprobe//usr/lib/libc.so.6:malloc", "uprobe", program_type::kprobe, none, "/usr/lib/libc.so.6:malloc", false},
    {"uprobe", "uprobe", program_type::kprobe, none, "", false},
    {"uretprobe/bash:readline", "uretprobe", program_type::kprobe, none, "bash:readline", false},
    {"uprobe.s/bash:readline", "uprobe.s", program_type::kprobe, none, "bash:readline", true},
    {"uretprobe.s//bin/sh:main", "uretprobe.s", program_type::kprobe, none, "/bin/sh:main", true},
    {"kprobe.multi/tcp_*", "kprobe.multi", program_type::kprobe, attach_type::trace_kprobe_multi, "tcp_*", false},
    {"kretprobe.multi/vfs_*", "kretprobe.multi", program_type::kprobe, attach_type::trace_kprobe_multi, "vfs_*", false},
    {"kprobe.session/do_sys_open", "kprobe.session", program_type::kprobe, attach_type::trace_kprobe_session,
     "do_sys_open", false},
    {"uprobe.multi/bin:func*", "uprobe.multi", program_type::kprobe, attach_type::trace_uprobe_multi, "bin:func*", false},
    {"uretprobe.multi", "uretprobe.multi", program_type::kprobe, attach_type::trace_uprobe_multi, "", false},
    {"uprobe.multi.s/bin:f", "uprobe.multi.s", program_type::kprobe, attach_type::trace_uprobe_multi, "bin:f", true},
    {"uprobe.session/bin:f", "uprobe.session", program_type::kprobe, attach_type::trace_uprobe_session, "bin:f", false},
    {"uprobe.session.s/bin:f", "uprobe.session.s", program_type::kprobe, attach_type::trace_uprobe_session, "bin:f",
     true},
    {"ksyscall/execve", "ksyscall", program_type::kprobe, none, "execve", false},
    {"kretsyscall/openat", "kretsyscall", program_type::kprobe, none, "openat", false},
    {"usdt/libc.so.6:libc:setjmp", "usdt", program_type::kprobe, none, "libc.so.6:libc:setjmp", false},
    {"usdt.s", "usdt.s", program_type::kprobe, none, "", true},
    // tc, tcx, netkit
    {"tc/ingress", "tc/ingress", program_type::sched_cls, attach_type::tcx_ingress, "", false},
    {"tc/egress", "tc/egress", program_type::sched_cls, attach_type::tcx_egress, "", false},
    {"tcx/ingress", "tcx/ingress", program_type::sched_cls, attach_type::tcx_ingress, "", false},
    {"tcx/egress", "tcx/egress", program_type::sched_cls, attach_type::tcx_egress, "", false},
    {"tc", "tc", program_type::sched_cls, none, "", false},
    {"classifier", "classifier", program_type::sched_cls, none, "", false},
    {"action", "action", program_type::sched_act, none, "", false},
    {"netkit/primary", "netkit/primary", program_type::sched_cls, attach_type::netkit_primary, "", false},
    {"netkit/peer", "netkit/peer", program_type::sched_cls, attach_type::netkit_peer, "", false},
    // tracepoints
    {"tracepoint/syscalls/sys_enter_execve", "tracepoint", program_type::tracepoint, none,
     "syscalls/sys_enter_execve", false},
    {"tp/sched/sched_switch", "tp", program_type::tracepoint, none, "sched/sched_switch", false},
    {"tracepoint", "tracepoint", program_type::tracepoint, none, "", false},
    {"tp.s/syscalls/sys_enter_openat", "tp.s", program_type::tracepoint, none, "syscalls/sys_enter_openat", true},
    {"tracepoint.s/a/b", "tracepoint.s", program_type::tracepoint, none, "a/b", true},
    {"raw_tp/sched_switch", "raw_tp", program_type::raw_tracepoint, none, "sched_switch", false},
    {"raw_tracepoint/sys_enter", "raw_tracepoint", program_type::raw_tracepoint, none, "sys_enter", false},
    {"raw_tp.s/sys_enter", "raw_tp.s", program_type::raw_tracepoint, none, "sys_enter", true},
    {"raw_tracepoint.w/bpf_test_finish", "raw_tracepoint.w", program_type::raw_tracepoint_writable, none,
     "bpf_test_finish", false},
    {"raw_tp.w/bpf_test_finish", "raw_tp.w", program_type::raw_tracepoint_writable, none, "bpf_test_finish", false},
    {"tp_btf/sched_wakeup", "tp_btf", program_type::tracing, attach_type::trace_raw_tp, "sched_wakeup", false},
    {"tp_btf.s/sys_enter", "tp_btf.s", program_type::tracing, attach_type::trace_raw_tp, "sys_enter", true},
    // trampolines
    {"fentry/do_unlinkat", "fentry", program_type::tracing, attach_type::trace_fentry, "do_unlinkat", false},
    {"fentry", "fentry", program_type::tracing, attach_type::trace_fentry, "", false},
    {"fexit/do_unlinkat", "fexit", program_type::tracing, attach_type::trace_fexit, "do_unlinkat", false},
    {"fmod_ret/bpf_modify_return_test", "fmod_ret", program_type::tracing, attach_type::modify_return,
     "bpf_modify_return_test", false},
    {"fentry.s/__x64_sys_setdomainname", "fentry.s", program_type::tracing, attach_type::trace_fentry,
     "__x64_sys_setdomainname", true},
    {"fexit.s/vfs_read", "fexit.s", program_type::tracing, attach_type::trace_fexit, "vfs_read", true},
    {"fmod_ret.s/f", "fmod_ret.s", program_type::tracing, attach_type::modify_return, "f", true},
    {"fentry/bpf_testmod:bpf_testmod_test_read", "fentry", program_type::tracing, attach_type::trace_fentry,
     "bpf_testmod:bpf_testmod_test_read", false},
    {"fsession/vfs_write", "fsession", program_type::tracing, attach_type::trace_fsession, "vfs_write", false},
    {"fsession.s/vfs_write", "fsession.s", program_type::tracing, attach_type::trace_fsession, "vfs_write", true},
    {"fentry.multi/bpf_fentry_test*", "fentry.multi", program_type::tracing, attach_type::trace_fentry_multi,
     "bpf_fentry_test*", false},
    {"fexit.multi.s/f*", "fexit.multi.s", program_type::tracing, attach_type::trace_fexit_multi, "f*", true},
    {"fsession.multi/f*", "fsession.multi", program_type::tracing, attach_type::trace_fsession_multi, "f*", false},
    {"freplace/xdp_dummy", "freplace", program_type::ext, none, "xdp_dummy", false},
    {"lsm/file_open", "lsm", program_type::lsm, attach_type::lsm_mac, "file_open", false},
    {"lsm.s/bprm_committed_creds", "lsm.s", program_type::lsm, attach_type::lsm_mac, "bprm_committed_creds", true},
    {"lsm_cgroup/socket_bind", "lsm_cgroup", program_type::lsm, attach_type::lsm_cgroup, "socket_bind", false},
    {"iter/task", "iter", program_type::tracing, attach_type::trace_iter, "task", false},
    {"iter.s/task_vma", "iter.s", program_type::tracing, attach_type::trace_iter, "task_vma", true},
    {"syscall", "syscall", program_type::syscall, none, "", true},
    // XDP
    {"xdp", "xdp", program_type::xdp, attach_type::xdp, "", false},
    {"xdp.frags", "xdp.frags", program_type::xdp, attach_type::xdp, "", false},
    {"xdp/devmap", "xdp/devmap", program_type::xdp, attach_type::xdp_devmap, "", false},
    {"xdp.frags/devmap", "xdp.frags/devmap", program_type::xdp, attach_type::xdp_devmap, "", false},
    {"xdp/cpumap", "xdp/cpumap", program_type::xdp, attach_type::xdp_cpumap, "", false},
    {"xdp.frags/cpumap", "xdp.frags/cpumap", program_type::xdp, attach_type::xdp_cpumap, "", false},
    // misc networking
    {"perf_event", "perf_event", program_type::perf_event, none, "", false},
    {"lwt_in", "lwt_in", program_type::lwt_in, none, "", false},
    {"lwt_out", "lwt_out", program_type::lwt_out, none, "", false},
    {"lwt_xmit", "lwt_xmit", program_type::lwt_xmit, none, "", false},
    {"lwt_seg6local", "lwt_seg6local", program_type::lwt_seg6local, none, "", false},
    {"sockops", "sockops", program_type::sock_ops, attach_type::cgroup_sock_ops, "", false},
    {"sk_skb/stream_parser", "sk_skb/stream_parser", program_type::sk_skb, attach_type::sk_skb_stream_parser, "",
     false},
    {"sk_skb/stream_verdict", "sk_skb/stream_verdict", program_type::sk_skb, attach_type::sk_skb_stream_verdict, "",
     false},
    {"sk_skb/verdict", "sk_skb/verdict", program_type::sk_skb, attach_type::sk_skb_verdict, "", false},
    {"sk_skb", "sk_skb", program_type::sk_skb, none, "", false},
    {"sk_msg", "sk_msg", program_type::sk_msg, attach_type::sk_msg_verdict, "", false},
    {"lirc_mode2", "lirc_mode2", program_type::lirc_mode2, attach_type::lirc_mode2, "", false},
    {"flow_dissector", "flow_dissector", program_type::flow_dissector, attach_type::flow_dissector, "", false},
    {"sk_lookup", "sk_lookup", program_type::sk_lookup, attach_type::sk_lookup, "", false},
    {"netfilter", "netfilter", program_type::netfilter, attach_type::netfilter, "", false},
    // cgroups
    {"cgroup_skb/ingress", "cgroup_skb/ingress", program_type::cgroup_skb, attach_type::cgroup_inet_ingress, "",
     false},
    {"cgroup_skb/egress", "cgroup_skb/egress", program_type::cgroup_skb, attach_type::cgroup_inet_egress, "", false},
    {"cgroup/skb", "cgroup/skb", program_type::cgroup_skb, none, "", false},
    {"cgroup/sock_create", "cgroup/sock_create", program_type::cgroup_sock, attach_type::cgroup_inet_sock_create,
     "", false},
    {"cgroup/sock_release", "cgroup/sock_release", program_type::cgroup_sock,
     attach_type::cgroup_inet_sock_release, "", false},
    {"cgroup/sock", "cgroup/sock", program_type::cgroup_sock, attach_type::cgroup_inet_sock_create, "", false},
    {"cgroup/post_bind4", "cgroup/post_bind4", program_type::cgroup_sock, attach_type::cgroup_inet4_post_bind, "",
     false},
    {"cgroup/bind6", "cgroup/bind6", program_type::cgroup_sock_addr, attach_type::cgroup_inet6_bind, "", false},
    {"cgroup/connect4", "cgroup/connect4", program_type::cgroup_sock_addr, attach_type::cgroup_inet4_connect, "",
     false},
    {"cgroup/connect_unix", "cgroup/connect_unix", program_type::cgroup_sock_addr, attach_type::cgroup_unix_connect,
     "", false},
    {"cgroup/sendmsg6", "cgroup/sendmsg6", program_type::cgroup_sock_addr, attach_type::cgroup_udp6_sendmsg, "",
     false},
    {"cgroup/recvmsg6", "cgroup/recvmsg6", program_type::cgroup_sock_addr, attach_type::cgroup_udp6_recvmsg, "",
     false},
    {"cgroup/recvmsg_unix", "cgroup/recvmsg_unix", program_type::cgroup_sock_addr, attach_type::cgroup_unix_recvmsg,
     "", false},
    {"cgroup/getpeername4", "cgroup/getpeername4", program_type::cgroup_sock_addr,
     attach_type::cgroup_inet4_getpeername, "", false},
    {"cgroup/getsockname_unix", "cgroup/getsockname_unix", program_type::cgroup_sock_addr,
     attach_type::cgroup_unix_getsockname, "", false},
    {"cgroup/sysctl", "cgroup/sysctl", program_type::cgroup_sysctl, attach_type::cgroup_sysctl, "", false},
    {"cgroup/getsockopt", "cgroup/getsockopt", program_type::cgroup_sockopt, attach_type::cgroup_getsockopt, "",
     false},
    {"cgroup/setsockopt", "cgroup/setsockopt", program_type::cgroup_sockopt, attach_type::cgroup_setsockopt, "",
     false},
    {"cgroup/dev", "cgroup/dev", program_type::cgroup_device, attach_type::cgroup_device, "", false},
    // struct_ops
    {"struct_ops/tcp_ca_init", "struct_ops", program_type::struct_ops, none, "tcp_ca_init", false},
    {"struct_ops", "struct_ops", program_type::struct_ops, none, "", false},
    {"struct_ops.s/test_1", "struct_ops.s", program_type::struct_ops, none, "test_1", true},
    // a '/' with nothing after it still matches a "prefix+" entry
    {"kprobe/", "kprobe", program_type::kprobe, none, "", false},
};

TEST(match_section, libbpf_names) {
    static_assert(std::size(matches) >= 60);
    for (const expect_match& e : matches) {
        SCOPED_TRACE(e.name);
        auto m = match_section(e.name);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->def->prefix, e.prefix);
        EXPECT_EQ(m->def->type, e.type);
        EXPECT_EQ(m->def->expected_attach_type(), e.expected);
        EXPECT_EQ(m->target, e.target);
        EXPECT_EQ(m->sleepable, e.sleepable);
        EXPECT_EQ(m->sleepable, m->def->sleepable());
    }
}

TEST(match_section, names_libbpf_does_not_know) {
    const char* const names[] = {
        "",  ".text", ".maps", ".rodata", "license", ".BTF",
        // exact-only entries refuse anything after them
        "xdp_foo", "xdp/foo", "xdp/", "xdp.frags/foo", "xdp/devmap/extra", "tc/foo", "tcx", "tcx/",
        "classifier/foo", "socket1", "socket/foo", "sk_skb/foo", "cgroup/skb/x", "cgroup/connect", "cgroup/",
        "cgroup", "cgroup_skb", "syscall/foo", "perf_event/x", "netkit", "sockops/x", "sk_msg/x",
        "sk_lookup/x", "netfilter/x", "lwt_in/x",
        // "prefix+" needs '/' right after the prefix, not any other character
        "kprobe_foo", "kprobes/x", "tracepointx", "tp_x", "fentryx/f", "lsmx", "iter_x", "uprobe.x/f",
        "kprobe.multix", "struct_ops_x", "raw_tp.x/f", "fentry.multis/f",
        // case and surrounding text matter
        "KPROBE/f", " kprobe/f", "Xdp",
    };
    for (const char* name : names) {
        SCOPED_TRACE(name);
        EXPECT_FALSE(match_section(name));
    }
}

TEST(match_section, first_match_in_table_order) {
    // "xdp.frags/devmap" comes before "xdp.frags" and "xdp".
    auto m = match_section("xdp.frags/devmap");
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->def->has(section_flag::xdp_frags));
    EXPECT_EQ(m->def->expected_attach_type(), attach_type::xdp_devmap);

    // "sk_reuseport/migrate" is not "sk_reuseport" with a target.
    m = match_section("sk_reuseport/migrate");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->def->expected_attach_type(), attach_type::sk_reuseport_select_or_migrate);

    // "kprobe.multi/..." is not "kprobe+" because '.' is no separator.
    m = match_section("kprobe.multi/f");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->def->prefix, "kprobe.multi");

    // "tp_btf/x" is not "tp+" and "tp.s/x" is not "tp+".
    EXPECT_EQ(match_section("tp_btf/x")->def->prefix, "tp_btf");
    EXPECT_EQ(match_section("tp.s/x")->def->prefix, "tp.s");

    // A target may itself contain '/': everything after the first one is the target.
    EXPECT_EQ(match_section("tracepoint/a/b/c")->target, "a/b/c");
    EXPECT_EQ(match_section("iter/bpf_map_elem")->target, "bpf_map_elem");

    // The returned entry is the table's, by address.
    const auto defs = section_defs();
    auto socket = match_section("socket");
    ASSERT_TRUE(socket);
    EXPECT_EQ(socket->def, &defs[0]);
}

TEST(section_def, load_attributes) {
    auto def_of = [](std::string_view name) {
        auto m = match_section(name);
        EXPECT_TRUE(m) << name;
        return m ? m->def : nullptr;
    };
    // libbpf passes 0 as expected_attach_type when the entry names none.
    const section_def* kprobe = def_of("kprobe/f");
    EXPECT_EQ(kprobe->expected_attach_type(), std::nullopt);
    EXPECT_EQ(kprobe->load_expected_attach(), 0u);
    EXPECT_FALSE(kprobe->needs_expected_attach());
    EXPECT_TRUE(kprobe->has(section_flag::auto_attach));

    // cgroup_skb/ingress names attach type 0, which is not "none".
    const section_def* ingress = def_of("cgroup_skb/ingress");
    EXPECT_EQ(ingress->expected_attach_type(), attach_type::cgroup_inet_ingress);
    EXPECT_EQ(ingress->load_expected_attach(), 0u);
    EXPECT_TRUE(ingress->has(section_flag::expected_attach_optional));
    EXPECT_FALSE(ingress->needs_expected_attach());
    EXPECT_EQ(def_of("cgroup/skb")->expected_attach_type(), std::nullopt);

    const section_def* connect4 = def_of("cgroup/connect4");
    EXPECT_EQ(connect4->load_expected_attach(), 10u);
    EXPECT_TRUE(connect4->needs_expected_attach());
    EXPECT_TRUE(connect4->has(section_flag::attachable));
    EXPECT_FALSE(connect4->has(section_flag::auto_attach));

    const section_def* xdp = def_of("xdp");
    EXPECT_EQ(xdp->load_expected_attach(), 37u);
    EXPECT_FALSE(xdp->needs_expected_attach());  // optional on pre-4.17 kernels
    EXPECT_FALSE(xdp->has(section_flag::xdp_frags));
    const section_def* frags = def_of("xdp.frags");
    EXPECT_TRUE(frags->has(section_flag::xdp_frags));
    EXPECT_TRUE(frags->needs_expected_attach());
    EXPECT_FALSE(frags->has(section_flag::attachable));

    const section_def* fentry = def_of("fentry.s/f");
    EXPECT_TRUE(fentry->has(section_flag::attach_btf));
    EXPECT_TRUE(fentry->sleepable());
    EXPECT_TRUE(fentry->needs_expected_attach());
    EXPECT_EQ(fentry->load_expected_attach(), 24u);
    EXPECT_FALSE(def_of("fentry.multi/f*")->has(section_flag::attach_btf));
    EXPECT_TRUE(def_of("freplace/f")->has(section_flag::attach_btf));
    EXPECT_FALSE(def_of("freplace/f")->needs_expected_attach());
    EXPECT_FALSE(def_of("lsm_cgroup/f")->has(section_flag::auto_attach));
    EXPECT_TRUE(def_of("lsm/f")->has(section_flag::auto_attach));

    const section_def* usdt = def_of("usdt/a:b:c");
    EXPECT_TRUE(usdt->has(section_flag::usdt));
    EXPECT_EQ(usdt->load_expected_attach(), 0u);
    EXPECT_FALSE(def_of("uprobe/a:b")->has(section_flag::usdt));

    // tc/tcx name an attach type yet are not BPF_PROG_ATTACH-attachable.
    const section_def* tcx = def_of("tcx/ingress");
    EXPECT_TRUE(tcx->needs_expected_attach());
    EXPECT_FALSE(tcx->has(section_flag::attachable));
    EXPECT_FALSE(tcx->has(section_flag::auto_attach));

    EXPECT_FALSE(def_of("struct_ops/f")->has(section_flag::auto_attach));
    EXPECT_TRUE(def_of("syscall")->sleepable());
}

// The "prefix/" form of libbpf's matcher, which no built-in entry uses.
TEST(section_def, required_target_form) {
    constexpr section_def custom{"custom", program_type::kprobe, attach_type{},
                                 static_cast<std::uint32_t>(section_flag::required_target)};
    static_assert(!custom.matches("custom"));
    static_assert(custom.matches("custom/"));
    static_assert(custom.matches("custom/x"));
    static_assert(!custom.matches("customx"));
    constexpr section_def exact{"exact", program_type::kprobe, attach_type{}, 0};
    static_assert(exact.matches("exact"));
    static_assert(!exact.matches("exact/x"));
    EXPECT_TRUE(custom.matches("custom/f"));
}

}  // namespace
