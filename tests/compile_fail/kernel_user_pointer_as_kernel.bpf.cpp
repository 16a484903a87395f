// SPDX-License-Identifier: MIT OR Apache-2.0
// A user-space address read as kernel memory.
#include <bpfxx/kernel.hpp>

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_execve")
int read_filename(bpfxx::trace_event<bpfxx::syscall_enter>* ctx) {
    char name[16];
    return static_cast<int>(bpfxx::probe_read_kernel_str(name, bpfxx::user_ptr<const char>(ctx->fields.args[0])));
}
BPFXX_LICENSE("GPL");
