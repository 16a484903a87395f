// SPDX-License-Identifier: MIT OR Apache-2.0
// Unnamed parameters, C++'s way to leave one unused (tests/kernel/
// unnamed_params_test.cpp). clang++ emits them without a name, and the
// kernel refuses a FUNC whose prototype has one ("[4] FUNC unnamed_ctx
// type_id=2 Invalid arg#1") until sanitize_cxx names them argN. Function
// pointer prototypes may keep unnamed parameters: `unnamed_hook`'s do.
#include <bpfxx/kernel.hpp>

extern "C" {
u32 unnamed_seen = 0;
// Never called (BPF has no indirect calls): only its prototype matters.
int (*unnamed_hook)(int, long) = nullptr;
}

// The second parameter would be arg1, which the first already is: arg1_1.
BPFXX_SUBPROGRAM u32 mix(u32 arg1, u32, u32) {
    return arg1 * 3 + 1;
}

// The program from the bug report: its context unnamed.
BPFXX_PROGRAM("raw_tp/sys_enter")
int unnamed_ctx(void*) {
    unnamed_seen = unnamed_seen + 1;
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int unnamed_subprogram(bpfxx::raw_tracepoint_args* ctx) {
    unnamed_seen = mix(static_cast<u32>(ctx->args[1]), 2, 3) + (unnamed_hook != nullptr ? 1u : 0u);
    return 0;
}

BPFXX_LICENSE("GPL");
