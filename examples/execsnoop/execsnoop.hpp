// SPDX-License-Identifier: MIT OR GPL-2.0-only
// The event execsnoop's kernel program sends and its user side prints:
// declared once, included by both sides.
#pragma once

#include <bpfxx/shared.hpp>

namespace execsnoop {

inline constexpr bpfxx::u32 max_args = 20;           // argv entries read at most
inline constexpr bpfxx::u32 arg_size = 128;          // bytes per argument at most
inline constexpr bpfxx::u32 args_buffer = 1024;      // all arguments, NUL-separated
inline constexpr bpfxx::u32 comm_size = 16;
inline constexpr bpfxx::u32 max_in_flight = 1024;  // execs between enter and exit traced at once

struct event {
    bpfxx::u64 ts_ns;        // bpf_ktime_get_ns() at exit
    bpfxx::u32 pid;          // thread-group id: what users call the pid
    bpfxx::u32 ppid;         // the parent's pid, read through CO-RE
    bpfxx::u32 tid;
    bpfxx::u32 uid;
    bpfxx::s32 retval;       // execve's return: 0 or -errno
    bpfxx::u32 args_count;   // arguments in `args`
    bpfxx::u32 args_size;    // bytes used in `args`
    char comm[comm_size];    // after the exec: the new program's name
    char args[args_buffer];  // filename, then argv[1..], each NUL-terminated
};
static_assert(sizeof(event) == 40 + comm_size + args_buffer);  // 4 bytes of tail padding

}  // namespace execsnoop
