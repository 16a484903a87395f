// SPDX-License-Identifier: MIT OR GPL-2.0-only
// A program using the generated vmlinux.hpp: the kernel types compile as
// C++ for -target bpf next to bpfxx's kernel headers. Their layouts are
// checked by the generated layout test (vmlinux_layout.bpf.o and
// tests/unit/vmlinux_header_test.cpp).
#include <bpfxx/kernel.hpp>

#include "vmlinux.hpp"

// Pointers make clang record the full types in the object's BTF.
extern "C" {
vmlinux::task_struct* task_layout = nullptr;
vmlinux::sk_buff* skb_layout = nullptr;
vmlinux::file* file_layout = nullptr;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int vmlinux_user([[maybe_unused]] void* ctx) {
    return task_layout != nullptr;
}

BPFXX_LICENSE("Dual MIT/GPL");
