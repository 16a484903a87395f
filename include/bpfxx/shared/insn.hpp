// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once

#include "types.hpp"

namespace bpfxx {

// struct bpf_insn of uapi <linux/bpf.h>. The register nibbles follow the
// host's bitfield order, as the kernel's definition does: on little-endian
// hosts dst_reg is the low nibble of byte 1.
struct insn {
    u8 code;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    u8 src_reg : 4;
    u8 dst_reg : 4;
#else
    u8 dst_reg : 4;
    u8 src_reg : 4;
#endif
    s16 off;
    s32 imm;
};
static_assert(sizeof(insn) == 8);
static_assert(alignof(insn) == 4);

// Opcode fields and pseudo-source values of the eBPF instruction set
// (Documentation/bpf/standardization/instruction-set.rst, uapi bpf.h).
namespace op {

// code & 0x07: instruction class
inline constexpr u8 ld = 0x00;
inline constexpr u8 ldx = 0x01;
inline constexpr u8 st = 0x02;
inline constexpr u8 stx = 0x03;
inline constexpr u8 alu = 0x04;
inline constexpr u8 jmp = 0x05;
inline constexpr u8 jmp32 = 0x06;  // -mcpu=v3, Linux 5.1
inline constexpr u8 alu64 = 0x07;

constexpr u8 class_of(u8 code) noexcept { return code & 0x07; }

// code & 0x18: load/store size
inline constexpr u8 w = 0x00;   // 4 bytes
inline constexpr u8 h = 0x08;   // 2 bytes
inline constexpr u8 b = 0x10;   // 1 byte
inline constexpr u8 dw = 0x18;  // 8 bytes

constexpr u8 size_of(u8 code) noexcept { return code & 0x18; }

// code & 0xe0: load/store mode
inline constexpr u8 imm = 0x00;     // with ld|dw: the 16-byte ld_imm64
inline constexpr u8 abs = 0x20;     // legacy packet access
inline constexpr u8 ind = 0x40;     // legacy packet access
inline constexpr u8 mem = 0x60;
inline constexpr u8 memsx = 0x80;   // sign-extending load, -mcpu=v4, Linux 6.6
inline constexpr u8 atomic = 0xc0;  // with stx; imm holds the atomic operation
inline constexpr u8 xadd = atomic;  // the pre-5.12 name

constexpr u8 mode_of(u8 code) noexcept { return code & 0xe0; }

// code & 0x08 of alu/jmp classes: operand source
inline constexpr u8 k = 0x00;  // imm
inline constexpr u8 x = 0x08;  // src_reg

constexpr u8 source_of(u8 code) noexcept { return code & 0x08; }

// code & 0xf0 of alu/alu64
inline constexpr u8 add = 0x00;
inline constexpr u8 sub = 0x10;
inline constexpr u8 mul = 0x20;
inline constexpr u8 div = 0x30;  // off == 1: signed (v4)
inline constexpr u8 or_ = 0x40;
inline constexpr u8 and_ = 0x50;
inline constexpr u8 lsh = 0x60;
inline constexpr u8 rsh = 0x70;
inline constexpr u8 neg = 0x80;
inline constexpr u8 mod = 0x90;  // off == 1: signed (v4)
inline constexpr u8 xor_ = 0xa0;
inline constexpr u8 mov = 0xb0;  // off 8/16/32: sign-extending (v4); alu64 off 1: addr_space_cast
inline constexpr u8 arsh = 0xc0;
inline constexpr u8 end = 0xd0;  // byte swap; source bit selects the target order

// Source bit of end: target byte order (alu); alu64|end is bswap (v4).
inline constexpr u8 to_le = 0x00;
inline constexpr u8 to_be = 0x08;

// code & 0xf0 of jmp/jmp32
inline constexpr u8 ja = 0x00;    // jmp32|ja: 32-bit offset in imm (v4)
inline constexpr u8 jeq = 0x10;
inline constexpr u8 jgt = 0x20;
inline constexpr u8 jge = 0x30;
inline constexpr u8 jset = 0x40;
inline constexpr u8 jne = 0x50;
inline constexpr u8 jsgt = 0x60;
inline constexpr u8 jsge = 0x70;
inline constexpr u8 call = 0x80;  // with x: callx, which the verifier rejects (6.18)
inline constexpr u8 exit = 0x90;
inline constexpr u8 jlt = 0xa0;   // v2, Linux 4.14
inline constexpr u8 jle = 0xb0;
inline constexpr u8 jslt = 0xc0;
inline constexpr u8 jsle = 0xd0;
inline constexpr u8 jcond = 0xe0;  // may_goto (src_reg 0), Linux 6.9

constexpr u8 op_of(u8 code) noexcept { return code & 0xf0; }

// imm of stx|atomic (the low bits are alu operations)
inline constexpr s32 fetch = 0x01;             // also return the old value
inline constexpr s32 xchg = 0xe0 | fetch;
inline constexpr s32 cmpxchg = 0xf0 | fetch;
inline constexpr s32 load_acq = 0x100;         // Linux 6.15
inline constexpr s32 store_rel = 0x110;        // Linux 6.15

// src_reg of ld|imm|dw: what imm refers to
inline constexpr u8 pseudo_map_fd = 1;         // imm: map fd
inline constexpr u8 pseudo_map_value = 2;      // imm: map fd, next imm: offset into the value
inline constexpr u8 pseudo_btf_id = 3;         // imm: BTF id of a kernel variable (ksym)
inline constexpr u8 pseudo_func = 4;           // imm: instruction offset of a subprogram
inline constexpr u8 pseudo_map_idx = 5;        // imm: index into fd_array
inline constexpr u8 pseudo_map_idx_value = 6;  // imm: fd_array index, next imm: offset

// src_reg of jmp|call: what imm refers to
inline constexpr u8 pseudo_call = 1;        // imm: instruction offset of a subprogram
inline constexpr u8 pseudo_kfunc_call = 2;  // imm: BTF id of a kfunc; off: fd_array slot of its module BTF

// Registers: r0 result, r1-r5 arguments, r6-r9 callee-saved, r10 frame pointer.
inline constexpr u8 r0 = 0;
inline constexpr u8 r1 = 1;
inline constexpr u8 r2 = 2;
inline constexpr u8 r3 = 3;
inline constexpr u8 r4 = 4;
inline constexpr u8 r5 = 5;
inline constexpr u8 r6 = 6;
inline constexpr u8 r7 = 7;
inline constexpr u8 r8 = 8;
inline constexpr u8 r9 = 9;
inline constexpr u8 r10 = 10;
inline constexpr u8 frame_pointer = r10;

} // namespace op
} // namespace bpfxx
