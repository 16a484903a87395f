// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "helpers.hpp"

// The task the program runs in. Names follow user space: a pid is what
// getpid() returns (the kernel's tgid), a tid what gettid() returns (the
// kernel's pid).

namespace bpfxx {

// The kernel's name for a task's comm buffer size (TASK_COMM_LEN).
inline constexpr u32 task_comm_len = 16;

BPFXX_METHOD u64 current_pid_tgid() { return helper::get_current_pid_tgid(); }
BPFXX_METHOD u32 current_pid() { return static_cast<u32>(helper::get_current_pid_tgid() >> 32); }
BPFXX_METHOD u32 current_tid() { return static_cast<u32>(helper::get_current_pid_tgid()); }

BPFXX_METHOD u64 current_uid_gid() { return helper::get_current_uid_gid(); }
BPFXX_METHOD u32 current_uid() { return static_cast<u32>(helper::get_current_uid_gid()); }
BPFXX_METHOD u32 current_gid() { return static_cast<u32>(helper::get_current_uid_gid() >> 32); }

// The thread's name, NUL-terminated and truncated to N - 1 characters; 0 or
// a negative errno (the buffer is zeroed on failure). At sys_enter_execve
// it is still the parent's name; the new one is set by the exec.
template <u32 N>
BPFXX_METHOD long current_comm(char (&comm)[N]) {
    return helper::get_current_comm(comm, N);
}

// cgroup v2 id of the task (the inode number of its cgroup directory).
BPFXX_METHOD u64 current_cgroup_id() { return helper::get_current_cgroup_id(); }

// struct task_struct of the current task: as an address for
// probe_read_kernel (any kernel), or as a pointer the verifier trusts for
// direct reads in BTF-typed programs (5.11).
BPFXX_METHOD const void* current_task() {
    return reinterpret_cast<const void*>(helper::get_current_task());
}
BPFXX_METHOD void* current_task_btf() { return helper::get_current_task_btf(); }

} // namespace bpfxx
