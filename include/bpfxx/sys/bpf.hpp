// SPDX-License-Identifier: MIT OR Apache-2.0
// The bpf(2) system call: command numbers and the attribute layouts bpfxx
// uses, written from the kernel ABI (uapi union bpf_attr). Each command has
// its own struct; the kernel accepts a shorter attr than its own and zeroes
// the rest, so every struct ends at the last field bpfxx sets.
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/bpf.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/fd.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>

BPFXX_BEGIN_NAMESPACE
namespace sys {

enum class bpf_cmd : int {
    map_create = 0,
    map_lookup_elem = 1,
    map_update_elem = 2,
    map_delete_elem = 3,
    map_get_next_key = 4,
    prog_load = 5,
    obj_pin = 6,
    obj_get = 7,
    prog_attach = 8,
    prog_detach = 9,
    prog_test_run = 10,
    prog_get_next_id = 11,
    map_get_next_id = 12,
    prog_get_fd_by_id = 13,
    map_get_fd_by_id = 14,
    obj_get_info_by_fd = 15,
    prog_query = 16,
    raw_tracepoint_open = 17,
    btf_load = 18,
    btf_get_fd_by_id = 19,
    task_fd_query = 20,
    map_lookup_and_delete_elem = 21,
    map_freeze = 22,
    btf_get_next_id = 23,
    map_lookup_batch = 24,
    map_lookup_and_delete_batch = 25,
    map_update_batch = 26,
    map_delete_batch = 27,
    link_create = 28,
    link_update = 29,
    link_get_fd_by_id = 30,
    link_get_next_id = 31,
    enable_stats = 32,
    iter_create = 33,
    link_detach = 34,
    prog_bind_map = 35,
    token_create = 36,
};

// Kernel object names (maps, programs): at most 15 characters of
// [A-Za-z0-9_.]; others become '_'.
inline void copy_object_name(char (&out)[16], std::string_view name) noexcept {
    std::size_t n = 0;
    for (char c : name) {
        if (n == 15) break;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
}

namespace attr {

struct map_create {
    u32 map_type = 0;
    u32 key_size = 0;
    u32 value_size = 0;
    u32 max_entries = 0;
    u32 map_flags = 0;
    u32 inner_map_fd = 0;
    u32 numa_node = 0;
    char map_name[16] = {};
    u32 map_ifindex = 0;
    u32 btf_fd = 0;
    u32 btf_key_type_id = 0;
    u32 btf_value_type_id = 0;
    u32 btf_vmlinux_value_type_id = 0;
    u64 map_extra = 0;
};
static_assert(sizeof(map_create) == 72);

struct map_elem {
    u32 map_fd = 0;
    u32 pad = 0;
    u64 key = 0;
    u64 value = 0;  // next_key for map_get_next_key
    u64 flags = 0;
};
static_assert(sizeof(map_elem) == 32);

// BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH (Linux 5.6).
struct map_batch {
    u64 in_batch = 0;   // the position to go on from (null: the start)
    u64 out_batch = 0;  // where the kernel writes the next position
    u64 keys = 0;
    u64 values = 0;
    u32 count = 0;      // in: room (or entries given); out: entries done
    u32 map_fd = 0;
    u64 elem_flags = 0;
    u64 flags = 0;
};
static_assert(sizeof(map_batch) == 56);

struct prog_load {
    u32 prog_type = 0;
    u32 insn_cnt = 0;
    u64 insns = 0;
    u64 license = 0;
    u32 log_level = 0;
    u32 log_size = 0;
    u64 log_buf = 0;
    u32 kern_version = 0;
    u32 prog_flags = 0;
    char prog_name[16] = {};
    u32 prog_ifindex = 0;
    u32 expected_attach_type = 0;
    u32 prog_btf_fd = 0;
    u32 func_info_rec_size = 0;
    u64 func_info = 0;
    u32 func_info_cnt = 0;
    u32 line_info_rec_size = 0;
    u64 line_info = 0;
    u32 line_info_cnt = 0;
    u32 attach_btf_id = 0;
    u32 attach_prog_fd = 0;  // or attach_btf_obj_fd
    u32 core_relo_cnt = 0;
    u64 fd_array = 0;
    u64 core_relos = 0;
    u32 core_relo_rec_size = 0;
    u32 log_true_size = 0;  // written by Linux 6.4+: the log size the verifier needed
};
static_assert(sizeof(prog_load) == 144);

// BPF_F_* bits of prog_load::prog_flags
inline constexpr u32 prog_flag_strict_alignment = 1u << 0;
inline constexpr u32 prog_flag_any_alignment = 1u << 1;
inline constexpr u32 prog_flag_test_rnd_hi32 = 1u << 2;
inline constexpr u32 prog_flag_test_state_freq = 1u << 3;
inline constexpr u32 prog_flag_sleepable = 1u << 4;
inline constexpr u32 prog_flag_xdp_has_frags = 1u << 5;

struct obj_pin {
    u64 pathname = 0;
    u32 bpf_fd = 0;
    u32 file_flags = 0;
};
static_assert(sizeof(obj_pin) == 16);

struct btf_load {
    u64 btf = 0;
    u64 btf_log_buf = 0;
    u32 btf_size = 0;
    u32 btf_log_size = 0;
    u32 btf_log_level = 0;
    u32 btf_log_true_size = 0;  // Linux 6.4+
};
static_assert(sizeof(btf_load) == 32);

struct fd_only {  // map_freeze, link_detach, *_get_fd_by_id (as id)
    u32 fd = 0;
};

struct get_id {
    u32 id = 0;  // start_id for *_get_next_id; the id for *_get_fd_by_id
    u32 next_id = 0;
    u32 open_flags = 0;
};

struct obj_info {
    u32 bpf_fd = 0;
    u32 info_len = 0;
    u64 info = 0;
};
static_assert(sizeof(obj_info) == 16);

struct raw_tracepoint_open {
    u64 name = 0;
    u32 prog_fd = 0;
    u32 pad = 0;
    u64 cookie = 0;  // Linux 6.10+; must stay 0 on older kernels
};
static_assert(sizeof(raw_tracepoint_open) == 24);

struct link_create {
    u32 prog_fd = 0;     // or map_fd (struct_ops)
    u32 target_fd = 0;   // or target_ifindex
    u32 attach_type = 0;
    u32 flags = 0;
    // perf_event: [0] = bpf_cookie; tracing: target_btf_id, cookie;
    // iterators: iter_info, iter_info_len; kprobe_multi: flags | cnt << 32,
    // syms, addrs, cookies; uprobe_multi: path, offsets, ref_ctr_offsets,
    // cookies, cnt | flags << 32, pid (Linux 6.6).
    u64 target_specific[6] = {};
};
static_assert(sizeof(link_create) == 64);

// BPF_PROG_ATTACH / BPF_PROG_DETACH (cgroups, sockmaps, flow dissector).
struct prog_attach {
    u32 target_fd = 0;  // or target_ifindex
    u32 attach_bpf_fd = 0;
    u32 attach_type = 0;
    u32 attach_flags = 0;
    u32 replace_bpf_fd = 0;  // with BPF_F_REPLACE (5.6)
    u32 relative_fd = 0;     // or relative_id (6.6)
    u64 expected_revision = 0;
};
static_assert(sizeof(prog_attach) == 32);

// BPF_PROG_QUERY: what is attached to a cgroup, an interface (tcx) or a
// namespace. The id arrays are caller-provided; prog_cnt is their length
// in and the number attached out.
struct prog_query {
    u32 target_fd = 0;  // or target_ifindex
    u32 attach_type = 0;
    u32 query_flags = 0;
    u32 attach_flags = 0;
    u64 prog_ids = 0;
    u32 prog_cnt = 0;
    u32 pad = 0;
    u64 prog_attach_flags = 0;
    u64 link_ids = 0;  // 6.6
    u64 link_attach_flags = 0;
    u64 revision = 0;
};
static_assert(sizeof(prog_query) == 64);

// BPF_LINK_UPDATE: another program behind the same link (5.7).
struct link_update {
    u32 link_fd = 0;
    u32 new_prog_fd = 0;
    u32 flags = 0;  // BPF_F_REPLACE: only if old_prog_fd is the one attached
    u32 old_prog_fd = 0;
};
static_assert(sizeof(link_update) == 16);

struct prog_test_run {
    u32 prog_fd = 0;
    u32 retval = 0;
    u32 data_size_in = 0;
    u32 data_size_out = 0;
    u64 data_in = 0;
    u64 data_out = 0;
    u32 repeat = 0;
    u32 duration = 0;
    u32 ctx_size_in = 0;
    u32 ctx_size_out = 0;
    u64 ctx_in = 0;
    u64 ctx_out = 0;
    u32 flags = 0;
    u32 cpu = 0;
    u32 batch_size = 0;
    u32 pad = 0;
};
static_assert(sizeof(prog_test_run) == 80);

struct enable_stats {
    u32 type = 0;  // BPF_STATS_RUN_TIME = 0
};

}  // namespace attr

// struct bpf_map_info (uapi bpf.h) up to the name; BPF_OBJ_GET_INFO_BY_FD
// fills no more than info_len bytes.
struct map_info {
    u32 type = 0;
    u32 id = 0;
    u32 key_size = 0;
    u32 value_size = 0;
    u32 max_entries = 0;
    u32 map_flags = 0;
    char name[16] = {};
};
static_assert(sizeof(map_info) == 40);

// struct bpf_prog_info (uapi bpf.h) up to attach_btf_id (Linux 5.16's
// size). BPF_OBJ_GET_INFO_BY_FD copies min(info_len, the kernel's size),
// and a larger info_len is accepted when the bytes the kernel does not
// know are zero, so one struct serves every kernel: fields a kernel lacks
// stay 0 (name before 4.15, run_time_ns and run_cnt before 5.1,
// verified_insns before 5.16).
struct prog_info {
    u32 type = 0;
    u32 id = 0;
    u8 tag[8] = {};
    u32 jited_prog_len = 0;
    u32 xlated_prog_len = 0;
    u64 jited_prog_insns = 0;
    u64 xlated_prog_insns = 0;
    u64 load_time = 0;  // ns since boot
    u32 created_by_uid = 0;
    u32 nr_map_ids = 0;
    u64 map_ids = 0;  // in: where to write up to nr_map_ids ids
    char name[16] = {};
    u32 ifindex = 0;
    u32 gpl_compatible = 0;  // bit 0
    u64 netns_dev = 0;
    u64 netns_ino = 0;
    u32 nr_jited_ksyms = 0;
    u32 nr_jited_func_lens = 0;
    u64 jited_ksyms = 0;
    u64 jited_func_lens = 0;
    u32 btf_id = 0;
    u32 func_info_rec_size = 0;
    u64 func_info = 0;
    u32 nr_func_info = 0;
    u32 nr_line_info = 0;
    u64 line_info = 0;
    u64 jited_line_info = 0;
    u32 nr_jited_line_info = 0;
    u32 line_info_rec_size = 0;
    u32 jited_line_info_rec_size = 0;
    u32 nr_prog_tags = 0;
    u64 prog_tags = 0;
    u64 run_time_ns = 0;  // counted while BPF_ENABLE_STATS is on
    u64 run_cnt = 0;
    u64 recursion_misses = 0;
    u32 verified_insns = 0;
    u32 attach_btf_obj_id = 0;
    u32 attach_btf_id = 0;
};
static_assert(sizeof(prog_info) == 232);
static_assert(offsetof(prog_info, name) == 64);
static_assert(offsetof(prog_info, btf_id) == 128);
static_assert(offsetof(prog_info, run_time_ns) == 192);
static_assert(offsetof(prog_info, verified_insns) == 216);

// The head of struct bpf_link_info (Linux 5.8): what every link has.
struct link_info_head {
    u32 type = 0;
    u32 id = 0;
    u32 prog_id = 0;
    u32 pad = 0;
    u64 specific[4] = {};  // the union of per-type details
};
static_assert(sizeof(link_info_head) == 48);


// The raw system call: the result, or -1 with errno set. Retries EINTR.
template <class Attr>
long bpf(bpf_cmd cmd, Attr& a) noexcept {
    long r;
    do {
        r = ::syscall(SYS_bpf, static_cast<int>(cmd), &a, static_cast<unsigned>(sizeof(Attr)));
    } while (r < 0 && errno == EINTR);
    return r;
}

// A command that returns a new descriptor: the owned fd (O_CLOEXEC is the
// kernel's default for bpf fds; never 0-2), or an empty fd with errno set.
template <class Attr>
fd bpf_fd(bpf_cmd cmd, Attr& a) noexcept {
    long r = bpf(cmd, a);
    if (r < 0) return fd();
    return fd(detail::above_stdio(static_cast<int>(r)));
}

template <class T>
u64 ptr_to_u64(T* p) noexcept {
    return static_cast<u64>(reinterpret_cast<std::uintptr_t>(p));
}

}  // namespace sys
BPFXX_END_NAMESPACE
