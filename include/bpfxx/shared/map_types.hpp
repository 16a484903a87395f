// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once

#include "types.hpp"

namespace bpfxx {

// enum bpf_map_type of uapi <linux/bpf.h>, complete as of Linux 6.18.
// The values are ABI: the kernel only ever appends.
enum class map_type : u32 {
    unspec = 0,
    hash = 1,                      // 3.19
    array = 2,                     // 3.19
    prog_array = 3,                // 4.2
    perf_event_array = 4,          // 4.3
    percpu_hash = 5,               // 4.6
    percpu_array = 6,              // 4.6
    stack_trace = 7,               // 4.6
    cgroup_array = 8,              // 4.8
    lru_hash = 9,                  // 4.10
    lru_percpu_hash = 10,          // 4.10
    lpm_trie = 11,                 // 4.11
    array_of_maps = 12,            // 4.12
    hash_of_maps = 13,             // 4.12
    devmap = 14,                   // 4.14
    sockmap = 15,                  // 4.14
    cpumap = 16,                   // 4.15
    xskmap = 17,                   // 4.18
    sockhash = 18,                 // 4.18
    cgroup_storage_deprecated = 19, // 4.19; superseded by cgrp_storage (6.2)
    cgroup_storage = 19,
    reuseport_sockarray = 20,      // 4.19
    percpu_cgroup_storage_deprecated = 21, // 4.20
    percpu_cgroup_storage = 21,
    queue = 22,                    // 4.20
    stack = 23,                    // 4.20
    sk_storage = 24,               // 5.2
    devmap_hash = 25,              // 5.4
    struct_ops = 26,               // 5.6
    ringbuf = 27,                  // 5.8
    inode_storage = 28,            // 5.10
    task_storage = 29,             // 5.11
    bloom_filter = 30,             // 5.16
    user_ringbuf = 31,             // 6.1
    cgrp_storage = 32,             // 6.2
    arena = 33,                    // 6.9
};

// The name libbpf and bpftool print for a map type.
constexpr const char* to_string(map_type type) noexcept {
    switch (type) {
    case map_type::unspec: return "unspec";
    case map_type::hash: return "hash";
    case map_type::array: return "array";
    case map_type::prog_array: return "prog_array";
    case map_type::perf_event_array: return "perf_event_array";
    case map_type::percpu_hash: return "percpu_hash";
    case map_type::percpu_array: return "percpu_array";
    case map_type::stack_trace: return "stack_trace";
    case map_type::cgroup_array: return "cgroup_array";
    case map_type::lru_hash: return "lru_hash";
    case map_type::lru_percpu_hash: return "lru_percpu_hash";
    case map_type::lpm_trie: return "lpm_trie";
    case map_type::array_of_maps: return "array_of_maps";
    case map_type::hash_of_maps: return "hash_of_maps";
    case map_type::devmap: return "devmap";
    case map_type::sockmap: return "sockmap";
    case map_type::cpumap: return "cpumap";
    case map_type::xskmap: return "xskmap";
    case map_type::sockhash: return "sockhash";
    case map_type::cgroup_storage: return "cgroup_storage";
    case map_type::reuseport_sockarray: return "reuseport_sockarray";
    case map_type::percpu_cgroup_storage: return "percpu_cgroup_storage";
    case map_type::queue: return "queue";
    case map_type::stack: return "stack";
    case map_type::sk_storage: return "sk_storage";
    case map_type::devmap_hash: return "devmap_hash";
    case map_type::struct_ops: return "struct_ops";
    case map_type::ringbuf: return "ringbuf";
    case map_type::inode_storage: return "inode_storage";
    case map_type::task_storage: return "task_storage";
    case map_type::bloom_filter: return "bloom_filter";
    case map_type::user_ringbuf: return "user_ringbuf";
    case map_type::cgrp_storage: return "cgrp_storage";
    case map_type::arena: return "arena";
    }
    return "unknown";
}

// BPF_F_* bits of bpf_attr.map_flags (BPF_MAP_CREATE), uapi <linux/bpf.h>
// as of Linux 6.18. Which bits a map type accepts is checked by the kernel
// per type; the comments name the types that use a bit.
namespace map_flags {
inline constexpr u32 no_prealloc = 1U << 0;      // hash types; required by lpm_trie and local storages
inline constexpr u32 no_common_lru = 1U << 1;    // lru hashes: one LRU list per CPU
inline constexpr u32 numa_node = 1U << 2;        // bpf_attr.numa_node is valid
inline constexpr u32 rdonly = 1U << 3;           // syscall side read-only
inline constexpr u32 wronly = 1U << 4;           // syscall side write-only
inline constexpr u32 stack_build_id = 1U << 5;   // stack_trace: build id + offset, not ips
inline constexpr u32 zero_seed = 1U << 6;        // hashes: fixed hash seed, for tests only
inline constexpr u32 rdonly_prog = 1U << 7;      // program side read-only (5.2)
inline constexpr u32 wronly_prog = 1U << 8;      // program side write-only (5.2)
inline constexpr u32 clone = 1U << 9;            // sk_storage: copy to accepted sockets (5.3)
inline constexpr u32 mmapable = 1U << 10;        // array, arena: mmap()-able (5.5)
inline constexpr u32 preserve_elems = 1U << 11;  // perf_event_array: keep events on fd close (5.10)
inline constexpr u32 inner_map = 1U << 12;       // inner map template with any max_entries (5.10)
inline constexpr u32 link = 1U << 13;            // struct_ops: registered by a bpf_link (6.4)
inline constexpr u32 path_fd = 1U << 14;         // BPF_OBJ_PIN/GET file_flags, not a map flag (6.5)
inline constexpr u32 vtype_btf_obj_fd = 1U << 15; // struct_ops: value type from a module's BTF (6.9)
inline constexpr u32 token_fd = 1U << 16;        // bpf_attr.map_token_fd is valid (6.9)
inline constexpr u32 segv_on_fault = 1U << 17;   // arena: SIGSEGV instead of faulting pages in (6.9)
inline constexpr u32 no_user_conv = 1U << 18;    // arena: keep kernel pointers untranslated (6.9)
} // namespace map_flags

// The flags argument of map updates (BPF_ANY, BPF_NOEXIST, BPF_EXIST,
// BPF_F_LOCK), the same for bpf_map_update_elem() and BPF_MAP_UPDATE_ELEM.
enum class update_flag : u64 {
    any = 0,      // create or replace
    noexist = 1,  // create only; -EEXIST if present
    exist = 2,    // replace only; -ENOENT if absent (not for arrays)
    lock = 4,     // take the value's bpf_spin_lock (5.1)
};

// The key of an LPM trie (BPF_MAP_TYPE_LPM_TRIE): the prefix length in bits,
// then the bytes it applies to, most significant first (an IPv4 address
// in network order: lpm_key<u32> or lpm_key<u8[4]>; IPv6: lpm_key<u8[16]>).
// The kernel wants a struct of this layout (struct bpf_lpm_trie_key_hdr
// followed by the data), 1 to 256 data bytes. The same template on both
// sides; T must leave no padding after prefixlen (no u64).
template <typename T>
struct lpm_key {
    u32 prefixlen;
    T data;
};

// Flags of bpf_get_stackid() and bpf_get_stack(): the low 8 bits are the
// number of frames to skip, or'ed with these.
namespace stack_flags {
inline constexpr u64 user_stack = 1ULL << 8;    // the user-space stack, not the kernel's
inline constexpr u64 fast_compare = 1ULL << 9;  // get_stackid: compare stacks by hash only
inline constexpr u64 reuse_id = 1ULL << 10;     // get_stackid: a new stack replaces one with the same hash
inline constexpr u64 build_id = 1ULL << 11;     // get_stack: frames as stack_frame_build_id
constexpr u64 skip(u32 frames) { return frames & 0xffU; }
} // namespace stack_flags

// A frame of a stack_trace map created with map_flags::stack_build_id
// (struct bpf_stack_build_id): where the kernel could read the mapping's
// ELF build id, that id and the offset in the file; else the raw address.
struct stack_frame_build_id {
    s32 status;          // 0: empty frame, 1: build id + offset, 2: ip only
    u8 build_id[20];
    u64 offset_or_ip;    // offset when status is 1, ip when 2
};
static_assert(sizeof(stack_frame_build_id) == 32);

namespace build_id_status {
inline constexpr s32 empty = 0;
inline constexpr s32 valid = 1;
inline constexpr s32 ip = 2;
} // namespace build_id_status

} // namespace bpfxx
