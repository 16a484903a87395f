// SPDX-License-Identifier: MIT OR Apache-2.0
// The record iterators.bpf.cpp's task iterator writes.
#pragma once

#include <bpfxx/shared.hpp>

namespace iterators {

struct task_record {
    bpfxx::s32 pid;  // the kernel's tgid
    bpfxx::s32 tid;  // the kernel's pid
    char comm[16];
};

}  // namespace iterators
