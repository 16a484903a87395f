// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Every CO-RE relocation kind, written with kernel/bpfxx/core.hpp, against
// types defined here (not vmlinux): a unit test relocates the programs
// against a hand-built target BTF and checks the patched instructions.
// core_kinds_c.bpf.c is the same in plain C with clang's builtins.
// Not meant to be loaded as is: the target types exist in no kernel.
//
// Local layout (bytes):
//   struct core_inner  { int a /*0*/; int b /*4*/; }              size 8
//   typedef struct core_inner core_inner_t;
//   struct core_point  { int x /*0*/; long y /*8*/;
//                        unsigned flags:3 /*bit 128*/; int sflag:5 /*bit 131*/;
//                        char name[8] /*17*/; core_inner_t in /*28*/;
//                        union { int u_int; unsigned u_uint; } /*36, anonymous*/;
//                        long arr[4] /*40*/; core_point* next /*72*/; }   size 80
//   struct core_point___v2 { long y /*0*/; int x /*8*/; int added /*12*/; }  a flavor
//   struct core_missing { int z; }            for a target without it
//   enum core_color { RED = 1, GREEN = 2 }    enum core_color___v2 { BLUE = 3 }
//   enum class core_scoped : long { BIG = 0x100000000 }   (BTF ENUM64)
//   typedef unsigned int core_u32_t;
// For a bit field clang records the bytes a load must read: flags and
// sflag both as 8 bytes at byte 16 (lshift 61/56, rshift 61/59).
//
// Each program is SEC("raw_tp/sys_enter") and stores what the relocation
// gives into the global array `out` (u64) or `ids` (u32), in the order
// listed, and returns 0. Access strings are BTF member indexes:
// "0:5:1" = [0] -> member 5 (in) -> member 1 (b). The values below are the
// local ones clang puts in the instruction. All programs share one section
// (the linked object orders them by name); .BTF.ext insn offsets are bytes
// from the section's start. `llvm-objdump-19 -dr` shows each record.
//
//   field_offset    BYTE_OFFSET (kind 0), each a `rX = imm` (mov) patched:
//                     core_point y "0:1" = 8; in.b "0:5:1" = 32;
//                     arr[2] "0:7:2" = 56; u_uint "0:6:1" (anonymous union) = 36;
//                     core_point___v2 y "0:0" = 0
//   field_size      BYTE_SIZE (1), mov: name "0:4" = 8; arr "0:7" = 32;
//                     in "0:5" = 8; flags "0:2" = 8 (bit field: load size)
//   field_exists    FIELD_EXISTS (2), mov then != 0: core_point x "0:0" = 1;
//                     core_point___v2 added "0:2" = 1
//   field_signed    SIGNED (3), mov: sflag "0:3" = 1; flags "0:2" = 0; x "0:0" = 1
//   field_lshift    LSHIFT_U64 (4), mov: flags "0:2" = 61; sflag "0:3" = 56
//   field_rshift    RSHIFT_U64 (5), mov: flags "0:2" = 61; sflag "0:3" = 59
//   type_id_local   LOCAL_TYPE_ID (6), ld_imm64 into ids[]: core_point; core_u32_t
//   type_id_target  TARGET_TYPE_ID (7), ld_imm64 into ids[]: core_point___v2; core_u32_t
//   type_exists     TYPE_EXISTS (8), mov then != 0: core_point___v2; core_missing
//   type_size       TYPE_SIZE (9), mov: core_point = 80; core_inner_t (typedef) = 8
//   type_matches    TYPE_MATCHES (12), mov then != 0: enum core_color; core_inner
//   enumval_exists  ENUMVAL_EXISTS (10), ld_imm64 then != 0: core_color GREEN "1";
//                     core_color___v2 BLUE "0"
//   enumval_value   ENUMVAL_VALUE (11), ld_imm64: core_color RED "0" = 1;
//                     core_scoped BIG "0" = 0x100000000
//   ldx_offset      BYTE_OFFSET on loads: `rX = *(u32 *)(rP + 0)` "0:0" (x) and
//                     `*(u32 *)(rP + 32)` "0:5:1" (in.b): the offset field is patched
//   read_chain      BPFXX_CORE_READ(p, next, y): mov `r = 72` "0:8" then `rP += r`,
//                     probe-read, mov `r = 8` "0:1" + add; BPFXX_CORE_READ_STR_INTO
//                     of name: mov 17 "0:4"; BPFXX_CORE_READ_INTO of next->in:
//                     mov 28 "0:5" (clang reuses the "0:8" value: one record)
//   bitfield_probe  BPFXX_CORE_READ_BITFIELD(p, sflag): BYTE_OFFSET mov (16) + add,
//                     BYTE_SIZE mov (8) as probe_read_kernel's size, LSHIFT on
//                     `r <<= 56`, RSHIFT on `r s>>= 59` and `r >>= 59`, SIGNED mov (1)
//   bitfield_direct BPFXX_CORE_READ_BITFIELD_DIRECT(p, flags): BYTE_OFFSET mov (16)
//                     + add, BYTE_SIZE mov (8) switched on for a 1/2/4/8-byte load,
//                     LSHIFT `<<= 61`, RSHIFT `s>>= 61`/`>>= 61`, SIGNED mov (0)
#include <bpfxx/kernel.hpp>

struct core_inner {
    int a;
    int b;
};
typedef struct core_inner core_inner_t;

struct core_point {
    int x;
    long y;
    unsigned flags : 3;
    int sflag : 5;
    char name[8];
    core_inner_t in;
    union {
        int u_int;
        unsigned u_uint;
    };
    long arr[4];
    core_point* next;
};

struct core_point___v2 {
    long y;
    int x;
    int added;
};

struct core_missing {
    int z;
};

enum core_color { RED = 1, GREEN = 2 };
enum core_color___v2 { BLUE = 3 };
enum class core_scoped : long { BIG = 0x100000000L };
typedef unsigned int core_u32_t;

static_assert(__builtin_offsetof(core_point, name) == 17 && __builtin_offsetof(core_point, in) == 28 &&
              __builtin_offsetof(core_point, arr) == 40 && __builtin_offsetof(core_point, next) == 72 &&
              sizeof(core_point) == 80);

extern "C" {
u64 out[8];
u32 ids[4];
}

namespace {
BPFXX_ALWAYS_INLINE core_point* arg(const bpfxx::raw_tracepoint_args* ctx) {
    return reinterpret_cast<core_point*>(ctx->args[0]);
}
}  // namespace

BPFXX_PROGRAM("raw_tp/sys_enter")
int field_offset(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = BPFXX_CORE_FIELD_OFFSET(core_point, y);
    out[1] = BPFXX_CORE_FIELD_OFFSET(core_point, in.b);
    out[2] = BPFXX_CORE_FIELD_OFFSET(p->arr[2]);
    out[3] = BPFXX_CORE_FIELD_OFFSET(core_point, u_uint);
    out[4] = BPFXX_CORE_FIELD_OFFSET(core_point___v2, y);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int field_size(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = BPFXX_CORE_FIELD_SIZE(core_point, name);
    out[1] = BPFXX_CORE_FIELD_SIZE(p->arr);
    out[2] = BPFXX_CORE_FIELD_SIZE(core_point, in);
    out[3] = BPFXX_CORE_FIELD_SIZE(core_point, flags);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int field_exists(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    out[0] = BPFXX_CORE_FIELD_EXISTS(core_point, x);
    out[1] = BPFXX_CORE_FIELD_EXISTS(core_point___v2, added);
    return 0;
}

// The signed and shift kinds have no macro of their own (READ_BITFIELD
// uses them); the builtin is spelled out, kind numbers as in core.hpp.
BPFXX_PROGRAM("raw_tp/sys_enter")
int field_signed(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = __builtin_preserve_field_info(p->sflag, bpfxx::detail::core_field_signed);
    out[1] = __builtin_preserve_field_info(p->flags, bpfxx::detail::core_field_signed);
    out[2] = __builtin_preserve_field_info(p->x, bpfxx::detail::core_field_signed);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int field_lshift(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = __builtin_preserve_field_info(p->flags, bpfxx::detail::core_field_lshift_u64);
    out[1] = __builtin_preserve_field_info(p->sflag, bpfxx::detail::core_field_lshift_u64);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int field_rshift(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = __builtin_preserve_field_info(p->flags, bpfxx::detail::core_field_rshift_u64);
    out[1] = __builtin_preserve_field_info(p->sflag, bpfxx::detail::core_field_rshift_u64);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int type_id_local(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    ids[0] = BPFXX_CORE_TYPE_ID_LOCAL(core_point);
    ids[1] = BPFXX_CORE_TYPE_ID_LOCAL(core_u32_t);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int type_id_target(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    ids[2] = BPFXX_CORE_TYPE_ID_TARGET(core_point___v2);
    ids[3] = BPFXX_CORE_TYPE_ID_TARGET(core_u32_t);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int type_exists(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    out[0] = BPFXX_CORE_TYPE_EXISTS(core_point___v2);
    out[1] = BPFXX_CORE_TYPE_EXISTS(core_missing);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int type_size(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    out[0] = BPFXX_CORE_TYPE_SIZE(core_point);
    out[1] = BPFXX_CORE_TYPE_SIZE(core_inner_t);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int type_matches(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    out[0] = BPFXX_CORE_TYPE_MATCHES(core_color);
    out[1] = BPFXX_CORE_TYPE_MATCHES(core_inner);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int enumval_exists(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    out[0] = BPFXX_CORE_ENUM_VALUE_EXISTS(core_color, GREEN);
    out[1] = BPFXX_CORE_ENUM_VALUE_EXISTS(core_color___v2, BLUE);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int enumval_value(bpfxx::raw_tracepoint_args* ctx) {
    (void)ctx;
    out[0] = static_cast<u64>(BPFXX_CORE_ENUM_VALUE(core_color, RED));
    out[1] = static_cast<u64>(BPFXX_CORE_ENUM_VALUE(core_scoped, BIG));
    return 0;
}

// Direct loads through a relocated address: what C's preserve_access_index
// structs give for p->x; C++ spells the builtin.
BPFXX_PROGRAM("raw_tp/sys_enter")
int ldx_offset(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = static_cast<u64>(*__builtin_preserve_access_index(&p->x));
    out[1] = static_cast<u64>(*__builtin_preserve_access_index(&p->in.b));
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int read_chain(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    out[0] = static_cast<u64>(BPFXX_CORE_READ(p, next, y));
    char name[8];
    out[1] = static_cast<u64>(BPFXX_CORE_READ_STR_INTO(&name, p, name));
    out[2] = static_cast<u64>(name[0]);
    core_inner in;
    out[3] = static_cast<u64>(BPFXX_CORE_READ_INTO(&in, p, next, in));
    out[4] = static_cast<u64>(in.b);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int bitfield_probe(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    auto v = BPFXX_CORE_READ_BITFIELD(p, sflag);
    static_assert(__is_same(decltype(v), s64), "a signed bit field reads as s64");
    out[0] = static_cast<u64>(v);
    return 0;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int bitfield_direct(bpfxx::raw_tracepoint_args* ctx) {
    core_point* p = arg(ctx);
    auto v = BPFXX_CORE_READ_BITFIELD_DIRECT(p, flags);
    static_assert(__is_same(decltype(v), u64), "an unsigned bit field reads as u64");
    out[0] = v;
    return 0;
}

BPFXX_LICENSE("GPL");
