// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Test object for the ELF reader's COMDAT groups (tests/unit/elf_test.cpp):
// a non-inlined function template with external linkage makes clang++ emit
// each instantiation in its own `.text.<mangled>` section inside a `.group`
// (GRP_COMDAT) whose signature is the instantiation's weak symbol.
// Self-contained on purpose: it depends on no bpfxx kernel header.

template <class T>
[[gnu::noinline]] T twice(T v) {
    return v * 2;
}

extern "C" [[gnu::section("xdp"), gnu::used]] int on_xdp(void* ctx) {
    (void)ctx;
    return twice(3) + static_cast<int>(twice(4L));
}

extern "C" {
[[gnu::section("license"), gnu::used]] char LICENSE[] = "Dual MIT/GPL";
}
