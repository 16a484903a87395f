// SPDX-License-Identifier: MIT OR Apache-2.0
// What is loaded in the kernel: a program's information (id, tag, sizes,
// maps, run statistics), the ids of every loaded program and link, opening
// one by id or by pinned path, and turning run-time statistics on (what
// `bpftool prog show` reads).
//
// This header declares; the definitions are in bpfxx/impl/introspect.ipp.
#pragma once
#ifdef __bpf__
#error "bpfxx/introspect.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/program_types.hpp>
#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/fd.hpp>

#include <array>
#include <chrono>
#include <string>
#include <vector>

BPFXX_BEGIN_NAMESPACE

struct program_info {
    u32 id = 0;
    program_type type = program_type::unspec;
    std::string name;                 // the first 15 characters of the function's name (Linux 4.15)
    std::array<u8, 8> tag{};          // hash of the instructions, as bpftool shows it
    u32 jited_bytes = 0;              // machine code size (0 without the JIT, or without CAP_PERFMON)
    u32 translated_bytes = 0;         // instructions after the verifier's rewriting, in bytes
    std::chrono::nanoseconds load_time{};  // since boot
    u32 created_by_uid = 0;
    std::vector<u32> map_ids;
    u32 btf_id = 0;
    bool gpl_compatible = false;
    // With run-time statistics on (enable_run_stats, Linux 5.8; counted by
    // the kernel since 5.1): how often the program ran and for how long.
    u64 run_count = 0;
    std::chrono::nanoseconds run_time{};
    u64 recursion_misses = 0;         // runs skipped because the program was already running on the CPU
    u32 verified_insns = 0;           // instructions the verifier processed (Linux 5.16)

    // The tag as 16 hex digits, as bpftool prints it.
    [[nodiscard]] std::string tag_hex() const;
};

// The information of the program behind `prog_fd`; throws bpfxx::error.
[[nodiscard]] BPFXX_DECL program_info get_program_info(int prog_fd);

// The ids of every program (links) loaded in the kernel, lowest first.
// Needs CAP_SYS_ADMIN.
[[nodiscard]] BPFXX_DECL std::vector<u32> program_ids();
[[nodiscard]] BPFXX_DECL std::vector<u32> link_ids();

// A descriptor of the program (link, map) with that id; throws (ENOENT
// when it is gone). Typed map handles open the map's: hash_map<K, V>::open(
// open_map(id).get()).
[[nodiscard]] BPFXX_DECL sys::fd open_program(u32 id);
[[nodiscard]] BPFXX_DECL sys::fd open_link(u32 id);
[[nodiscard]] BPFXX_DECL sys::fd open_map(u32 id);

struct link_info {
    u32 id = 0;
    u32 type = 0;  // enum bpf_link_type: 1 raw tracepoint, 2 tracing, 3 cgroup, 4 iterator, 7 perf event...
    u32 program_id = 0;
};
[[nodiscard]] BPFXX_DECL link_info get_link_info(int link_fd);

// The object (program, map, link) pinned at `path` in a BPF filesystem.
[[nodiscard]] BPFXX_DECL sys::fd open_pinned(const std::string& path);

// Turns the kernel's run-time statistics on for every program while the
// returned descriptor is open (BPF_ENABLE_STATS, Linux 5.8); they cost a
// little on every run, so the kernel keeps them off by default.
[[nodiscard]] BPFXX_DECL sys::fd enable_run_stats();

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/introspect.ipp>
#endif
