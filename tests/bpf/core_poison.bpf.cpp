// SPDX-License-Identifier: MIT OR Apache-2.0
// CO-RE relocations the running kernel cannot satisfy (tests/kernel/
// core_poison_test.cpp): a task_struct field no kernel has. `unguarded`
// reads it and must fail to load with a message naming the relocation and
// this source line; `guarded` checks BPFXX_CORE_FIELD_EXISTS first, so the
// verifier prunes the poisoned read and the program loads.
#include <bpfxx/kernel.hpp>

namespace kernel_types {
struct task_struct {
    int tgid;
    int bpfxx_no_such_field;
};
}  // namespace kernel_types

extern "C" {
int seen = 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int unguarded([[maybe_unused]] void* ctx) {
    const auto* task = reinterpret_cast<const kernel_types::task_struct*>(bpfxx::helper::get_current_task());
    seen = BPFXX_CORE_READ(task, bpfxx_no_such_field);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int guarded([[maybe_unused]] void* ctx) {
    const auto* task = reinterpret_cast<const kernel_types::task_struct*>(bpfxx::helper::get_current_task());
    if (BPFXX_CORE_FIELD_EXISTS(kernel_types::task_struct, bpfxx_no_such_field))
        seen = BPFXX_CORE_READ(task, bpfxx_no_such_field);
    else
        seen = BPFXX_CORE_READ(task, tgid);
    return 0;
}

BPFXX_LICENSE("GPL");
