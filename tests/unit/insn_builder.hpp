// SPDX-License-Identifier: MIT OR Apache-2.0
// One eBPF instruction from its five fields, for tests that write
// programs or instruction sequences by hand.
#pragma once

#include <bpfxx/shared/insn.hpp>

namespace bpfxx_test {

constexpr bpfxx::insn make(bpfxx::u8 code, bpfxx::u8 dst, bpfxx::u8 src, bpfxx::s16 off, bpfxx::s32 imm) {
    bpfxx::insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

}  // namespace bpfxx_test
