// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "helpers.hpp"
#include "types.hpp"

// CO-RE (compile once, run everywhere): kernel memory and kernel types as
// the running kernel lays them out.
//
// clang's preserve_access_index struct attribute does nothing in C++, so a
// plain `task->real_parent` silently uses the local layout. These macros
// are the relocated forms: each records a CO-RE relocation in .BTF.ext, and
// the loader patches the instruction against the running kernel's BTF.
//
// Reading kernel memory (bpf_probe_read_kernel, Linux 5.5):
//
//   BPFXX_CORE_READ(p, a[, b ... i])        value of p->a->b->..., up to 9
//                                           fields, every step relocated; 0
//                                           if a read fails
//   BPFXX_CORE_READ_INTO(&dst, p, a...)     the same into dst, for arrays and
//                                           structs; 0 or a negative errno
//   BPFXX_CORE_READ_STR_INTO(&buf, p, a...) the string in a char array field
//                                           (task->comm) or behind a char *
//                                           field; length with the NUL, or a
//                                           negative errno
//   BPFXX_CORE_READ_BITFIELD(p, field)      a bit field, or an integer of
//                                           whatever width the kernel's has
//                                           (s64 if declared signed, else u64)
//   BPFXX_CORE_READ_BITFIELD_DIRECT(p, f)   the same with plain loads, for
//                                           pointers the verifier lets the
//                                           program dereference (BTF-typed
//                                           arguments of tp_btf, fentry)
//
// Questions about the running kernel's types. Each is a constant patched at
// load time, so the verifier drops the branches the kernel cannot take:
//
//   BPFXX_CORE_FIELD_EXISTS(type, field)    whether the kernel's type has it
//   BPFXX_CORE_FIELD_OFFSET(type, field)    its byte offset (u32)
//   BPFXX_CORE_FIELD_SIZE(type, field)      its byte size (u32)
//     (each also on an expression: BPFXX_CORE_FIELD_SIZE(p->field))
//   BPFXX_CORE_TYPE_EXISTS(T)               whether the kernel has a type T
//   BPFXX_CORE_TYPE_SIZE(T)                 sizeof(T) in the kernel (u32)
//   BPFXX_CORE_TYPE_MATCHES(T)              whether the kernel's T has the
//                                           local T's shape
//   BPFXX_CORE_ENUM_VALUE_EXISTS(E, V)      whether the kernel's enum E has V
//   BPFXX_CORE_ENUM_VALUE(E, V)             the kernel's value of E::V (s64)
//   BPFXX_CORE_TYPE_ID_LOCAL(T)             T's BTF id in this object (u32)
//   BPFXX_CORE_TYPE_ID_TARGET(T)            the kernel's BTF id of T, 0 if
//                                           the kernel has none (u32)
//
// The types may be the generated vmlinux.hpp or local definitions naming
// only what the program uses: CO-RE matches structs, unions, enums and their
// fields by name, not by layout, and integer fields of any width (only
// BPFXX_CORE_READ and _INTO read the local width). A `___suffix` on a type
// name is ignored by the matching, so several local versions ("flavors") of
// one kernel type can live side by side, e.g.
//
//   struct task_struct___pre514 { long state; };
//   struct task_struct { unsigned int __state; };
//
// and the program picks with BPFXX_CORE_FIELD_EXISTS(task_struct, __state)
// which one describes the kernel. Field names are compared exactly. Name a
// local type as the struct, union or enum itself: an alias (`using`,
// typedef) reaches BTF as a TYPEDEF, and CO-RE looks for a typedef of that
// name in the kernel. (An identifier with a double underscore is formally
// reserved in C++; clang accepts it.)
//
// Reading without relocation stays visibly different: `p->field` (memory
// the program owns, or a BTF pointer the verifier checks) or
// bpfxx::probe_read_kernel.

namespace bpfxx::core {

// One relocated step: *field, read from kernel memory. A failed read
// (unmapped address) yields a zero value, as libbpf's BPF_CORE_READ does.
template <typename T>
BPFXX_METHOD T read(const T* field) {
    T value{};
    helper::probe_read_kernel(&value, sizeof(T), field);
    return value;
}

// An array field cannot be returned by value.
template <typename T, unsigned long N>
BPFXX_METHOD void read(const T (*)[N]) {
    static_assert(sizeof(T) == 0, "an array field is read with BPFXX_CORE_READ_INTO(&buffer, ...) or, "
                                  "for a string, BPFXX_CORE_READ_STR_INTO(&buffer, ...)");
}

}  // namespace bpfxx::core

namespace bpfxx::detail {

// Second argument of __builtin_preserve_field_info: the relocation kinds
// 0..5 of the BTF.ext format (kinds 6..12 come from the other builtins).
inline constexpr u32 core_field_byte_offset = 0;
inline constexpr u32 core_field_byte_size = 1;
inline constexpr u32 core_field_exists = 2;
inline constexpr u32 core_field_signed = 3;
inline constexpr u32 core_field_lshift_u64 = 4;
inline constexpr u32 core_field_rshift_u64 = 5;
// __builtin_btf_type_id: the id in this object's BTF, or in the kernel's.
inline constexpr u32 core_type_id_local = 0;
inline constexpr u32 core_type_id_target = 1;
// __builtin_preserve_type_info
inline constexpr u32 core_type_exists = 0;
inline constexpr u32 core_type_size = 1;
inline constexpr u32 core_type_matches = 2;
// __builtin_preserve_enum_value
inline constexpr u32 core_enumval_exists = 0;
inline constexpr u32 core_enumval_value = 1;

// A null T*, naming T as a type whose definition is needed: a type used
// only through a pointer reaches C++ debug info (hence BTF) as a forward
// declaration, and a relocation against a FWD matches nothing useful.
template <typename T>
inline constexpr T* core_null = sizeof(T) ? nullptr : nullptr;

template <typename T, unsigned long N>
constexpr bool core_is_char_array(T (*)[N]) {
    return sizeof(T) == 1;
}
template <typename T>
constexpr bool core_is_char_array(T*) {
    return false;
}
template <typename T>
constexpr bool core_is_char_pointer(T**) {
    return sizeof(T) == 1;
}
template <typename T>
constexpr bool core_is_char_pointer(T*) {
    return false;
}

template <typename Dst, typename Field>
BPFXX_METHOD long core_read_into(Dst* dst, const Field* field) {
    static_assert(sizeof(Dst) == sizeof(Field),
                  "BPFXX_CORE_READ_INTO: the destination must have the size of the field it receives");
    return helper::probe_read_kernel(dst, sizeof(Field), field);
}

template <typename Dst, typename Field>
BPFXX_METHOD long core_read_str_into(Dst* dst, const Field* field) {
    static_assert(core_is_char_array(static_cast<Dst*>(nullptr)),
                  "BPFXX_CORE_READ_STR_INTO: pass the address of a char array, e.g. &event.comm");
    if constexpr (__is_array(Field)) {
        static_assert(core_is_char_array(static_cast<Field*>(nullptr)),
                      "BPFXX_CORE_READ_STR_INTO: the field must be a char array or a char pointer");
        return helper::probe_read_kernel_str(dst, sizeof(Dst), field);
    } else if constexpr (core_is_char_pointer(static_cast<Field*>(nullptr))) {
        Field str = nullptr;
        helper::probe_read_kernel(&str, sizeof(str), field);
        return helper::probe_read_kernel_str(dst, sizeof(Dst), str);
    } else {
        static_assert(sizeof(Field) == 0, "BPFXX_CORE_READ_STR_INTO: the field must be a char array or a char pointer");
        return 0;
    }
}

// The local declaration's signedness picks the result type; the kernel's
// (the signed relocation) picks the shift.
template <typename T>
constexpr bool core_declared_signed() {
    if constexpr (__is_enum(T))
        return __is_signed(__underlying_type(T));
    else
        return __is_signed(T);
}
template <bool Signed>
struct core_bitfield_value {
    using type = u64;
};
template <>
struct core_bitfield_value<true> {
    using type = s64;
};
template <typename Declared>
using core_bitfield_t = typename core_bitfield_value<core_declared_signed<Declared>()>::type;

// `raw` holds the bytes that cover the field as a zero-extended load; the
// left shift drops the bits above the field, the right shift those below.
template <typename Declared>
BPFXX_METHOD core_bitfield_t<Declared> core_bitfield_extract(u64 raw, u32 lshift, u32 is_signed, u32 rshift) {
    raw <<= lshift;
    if (is_signed) return static_cast<core_bitfield_t<Declared>>(static_cast<s64>(raw) >> rshift);
    return static_cast<core_bitfield_t<Declared>>(raw >> rshift);
}

// Where a load of `size` bytes lands in a u64 read back as an integer.
BPFXX_METHOD void* core_bitfield_dst(u64* raw, [[maybe_unused]] u32 size) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return reinterpret_cast<u8*>(raw) + 8 - size;
#else
    return raw;
#endif
}

}  // namespace bpfxx::detail

// __builtin_preserve_access_index records the relocation for the member
// access it wraps; it must see the access syntactically, hence macros, and
// it cannot nest, hence each step's pointer in a local of a statement
// expression (a lambda there makes clang 19 emit a relocation against a
// type id that is not in the object's BTF).
#define BPFXX_CORE_FIELD_(src, field) __builtin_preserve_access_index(&(src)->field)
#define BPFXX_CORE_READ_1_(src, a) ::bpfxx::core::read(BPFXX_CORE_FIELD_(src, a))
#define BPFXX_CORE_STEP_(inner, a)                                                                 \
    ({                                                                                             \
        auto bpfxx_core_p_ = inner;                                                                \
        BPFXX_CORE_READ_1_(bpfxx_core_p_, a);                                                      \
    })
#define BPFXX_CORE_READ_2_(src, a, b) BPFXX_CORE_STEP_(BPFXX_CORE_READ_1_(src, a), b)
#define BPFXX_CORE_READ_3_(src, a, b, c) BPFXX_CORE_STEP_(BPFXX_CORE_READ_2_(src, a, b), c)
#define BPFXX_CORE_READ_4_(src, a, b, c, d) BPFXX_CORE_STEP_(BPFXX_CORE_READ_3_(src, a, b, c), d)
#define BPFXX_CORE_READ_5_(src, a, b, c, d, e) BPFXX_CORE_STEP_(BPFXX_CORE_READ_4_(src, a, b, c, d), e)
#define BPFXX_CORE_READ_6_(src, a, b, c, d, e, f) BPFXX_CORE_STEP_(BPFXX_CORE_READ_5_(src, a, b, c, d, e), f)
#define BPFXX_CORE_READ_7_(src, a, b, c, d, e, f, g) BPFXX_CORE_STEP_(BPFXX_CORE_READ_6_(src, a, b, c, d, e, f), g)
#define BPFXX_CORE_READ_8_(src, a, b, c, d, e, f, g, h)                                            \
    BPFXX_CORE_STEP_(BPFXX_CORE_READ_7_(src, a, b, c, d, e, f, g), h)
#define BPFXX_CORE_READ_9_(src, a, b, c, d, e, f, g, h, i)                                         \
    BPFXX_CORE_STEP_(BPFXX_CORE_READ_8_(src, a, b, c, d, e, f, g, h), i)
// The name for the number of fields, 1 to 9 (libbpf's BPF_CORE_READ takes 9).
#define BPFXX_CORE_PICK_(_1, _2, _3, _4, _5, _6, _7, _8, _9, name, ...) name
#define BPFXX_CORE_BY_COUNT_(prefix, ...)                                                          \
    BPFXX_CORE_PICK_(__VA_ARGS__, prefix##9_, prefix##8_, prefix##7_, prefix##6_, prefix##5_,     \
                     prefix##4_, prefix##3_, prefix##2_, prefix##1_, unused)

// BPFXX_CORE_READ(ptr, field1[, field2 ... field9]): follows the pointer
// fields, each step relocated, and returns the last field's value.
#define BPFXX_CORE_READ(src, ...) BPFXX_CORE_BY_COUNT_(BPFXX_CORE_READ_, __VA_ARGS__)(src, __VA_ARGS__)

// The relocated address of the last field, the pointers before it read.
#define BPFXX_CORE_ADDR_1_(src, a) BPFXX_CORE_FIELD_(src, a)
#define BPFXX_CORE_ADDR_2_(src, a, b) BPFXX_CORE_LAST_(BPFXX_CORE_READ_1_(src, a), b)
#define BPFXX_CORE_ADDR_3_(src, a, b, c) BPFXX_CORE_LAST_(BPFXX_CORE_READ_2_(src, a, b), c)
#define BPFXX_CORE_ADDR_4_(src, a, b, c, d) BPFXX_CORE_LAST_(BPFXX_CORE_READ_3_(src, a, b, c), d)
#define BPFXX_CORE_ADDR_5_(src, a, b, c, d, e) BPFXX_CORE_LAST_(BPFXX_CORE_READ_4_(src, a, b, c, d), e)
#define BPFXX_CORE_ADDR_6_(src, a, b, c, d, e, f) BPFXX_CORE_LAST_(BPFXX_CORE_READ_5_(src, a, b, c, d, e), f)
#define BPFXX_CORE_ADDR_7_(src, a, b, c, d, e, f, g) BPFXX_CORE_LAST_(BPFXX_CORE_READ_6_(src, a, b, c, d, e, f), g)
#define BPFXX_CORE_ADDR_8_(src, a, b, c, d, e, f, g, h)                                            \
    BPFXX_CORE_LAST_(BPFXX_CORE_READ_7_(src, a, b, c, d, e, f, g), h)
#define BPFXX_CORE_ADDR_9_(src, a, b, c, d, e, f, g, h, i)                                         \
    BPFXX_CORE_LAST_(BPFXX_CORE_READ_8_(src, a, b, c, d, e, f, g, h), i)
#define BPFXX_CORE_LAST_(inner, a)                                                                 \
    ({                                                                                             \
        auto bpfxx_core_p_ = inner;                                                                \
        BPFXX_CORE_FIELD_(bpfxx_core_p_, a);                                                       \
    })
#define BPFXX_CORE_ADDR_(src, ...) BPFXX_CORE_BY_COUNT_(BPFXX_CORE_ADDR_, __VA_ARGS__)(src, __VA_ARGS__)

// BPFXX_CORE_READ_INTO(&dst, ptr, field1[, ..field9]): like BPFXX_CORE_READ,
// into dst, which must have the last field's local size (arrays, structs).
// Returns 0 or a negative errno; dst is zeroed when the last read fails.
#define BPFXX_CORE_READ_INTO(dst, src, ...) ::bpfxx::detail::core_read_into(dst, BPFXX_CORE_ADDR_(src, __VA_ARGS__))

// BPFXX_CORE_READ_STR_INTO(&buf, ptr, field1[, ..field9]): the string in the
// last field, a char array (task->comm) or a char pointer, into the char
// array buf, NUL-terminated and truncated to sizeof(buf) - 1. Returns the
// length with the NUL, or a negative errno.
#define BPFXX_CORE_READ_STR_INTO(dst, src, ...)                                                    \
    ::bpfxx::detail::core_read_str_into(dst, BPFXX_CORE_ADDR_(src, __VA_ARGS__))

// The field a field-info builtin relocates: `p->field` as written, or
// (type, field) for the field of a type.
#define BPFXX_CORE_FIELD_REF_1_(expr) (expr)
#define BPFXX_CORE_FIELD_REF_2_(type, field) (static_cast<type*>(::bpfxx::detail::core_null<type>)->field)
#define BPFXX_CORE_FIELD_REF_(...) BPFXX_CORE_BY_COUNT_(BPFXX_CORE_FIELD_REF_, __VA_ARGS__)(__VA_ARGS__)
#define BPFXX_CORE_FIELD_INFO_(kind, ...)                                                          \
    __builtin_preserve_field_info(BPFXX_CORE_FIELD_REF_(__VA_ARGS__), ::bpfxx::detail::core_field_##kind)

// BPFXX_CORE_FIELD_EXISTS(type, field) or (p->field): whether the running
// kernel's type has the field (bool).
#define BPFXX_CORE_FIELD_EXISTS(...) (BPFXX_CORE_FIELD_INFO_(exists, __VA_ARGS__) != 0)

// BPFXX_CORE_FIELD_OFFSET(type, field) or (p->field): the field's byte
// offset in the kernel's type (u32). For a bit field, the offset of the
// bytes a load of BPFXX_CORE_FIELD_SIZE must read to cover it.
#define BPFXX_CORE_FIELD_OFFSET(...) BPFXX_CORE_FIELD_INFO_(byte_offset, __VA_ARGS__)

// BPFXX_CORE_FIELD_SIZE(type, field) or (p->field): the field's byte size in
// the kernel (u32): 16 for task_struct::comm.
#define BPFXX_CORE_FIELD_SIZE(...) BPFXX_CORE_FIELD_INFO_(byte_size, __VA_ARGS__)

// BPFXX_CORE_READ_BITFIELD(p, field): a bit field of kernel memory (a bit
// field has no address, so BPFXX_CORE_READ cannot take it). Probe-reads the
// bytes that hold it and shifts them as the kernel's layout says,
// sign-extending if the kernel's field is signed. s64 if the local
// declaration is signed, else u64; 0 if the read fails. Works on any
// integer field too, reading as many bytes as the kernel's field has: the
// way to read an integer whose width changed between kernels.
#define BPFXX_CORE_READ_BITFIELD(src, field)                                                       \
    ({                                                                                             \
        const auto bpfxx_core_s_ = (src);                                                          \
        ::bpfxx::u64 bpfxx_core_raw_ = 0;                                                          \
        const ::bpfxx::u32 bpfxx_core_size_ = BPFXX_CORE_FIELD_INFO_(byte_size, bpfxx_core_s_->field); \
        ::bpfxx::helper::probe_read_kernel(                                                        \
            ::bpfxx::detail::core_bitfield_dst(&bpfxx_core_raw_, bpfxx_core_size_), bpfxx_core_size_, \
            reinterpret_cast<const char*>(bpfxx_core_s_) +                                         \
                BPFXX_CORE_FIELD_INFO_(byte_offset, bpfxx_core_s_->field));                        \
        BPFXX_CORE_BITFIELD_EXTRACT_(bpfxx_core_s_->field, bpfxx_core_raw_);                       \
    })

// BPFXX_CORE_READ_BITFIELD_DIRECT(p, field): the same with a plain load,
// for memory the verifier lets the program read directly.
#define BPFXX_CORE_READ_BITFIELD_DIRECT(src, field)                                                \
    ({                                                                                             \
        const auto bpfxx_core_s_ = (src);                                                          \
        const char* bpfxx_core_at_ = reinterpret_cast<const char*>(bpfxx_core_s_) +                \
                                     BPFXX_CORE_FIELD_INFO_(byte_offset, bpfxx_core_s_->field);    \
        /* Opaque to the optimiser: one offset relocation, not one per load below. */             \
        asm volatile("" : "+r"(bpfxx_core_at_));                                                   \
        ::bpfxx::u64 bpfxx_core_raw_ = 0;                                                          \
        switch (BPFXX_CORE_FIELD_INFO_(byte_size, bpfxx_core_s_->field)) {                         \
        case 1: bpfxx_core_raw_ = *reinterpret_cast<const ::bpfxx::u8*>(bpfxx_core_at_); break;   \
        case 2: bpfxx_core_raw_ = *reinterpret_cast<const ::bpfxx::u16*>(bpfxx_core_at_); break;  \
        case 4: bpfxx_core_raw_ = *reinterpret_cast<const ::bpfxx::u32*>(bpfxx_core_at_); break;  \
        case 8: bpfxx_core_raw_ = *reinterpret_cast<const ::bpfxx::u64*>(bpfxx_core_at_); break;  \
        default: break;                                                                            \
        }                                                                                          \
        BPFXX_CORE_BITFIELD_EXTRACT_(bpfxx_core_s_->field, bpfxx_core_raw_);                       \
    })

#define BPFXX_CORE_BITFIELD_EXTRACT_(ref, raw)                                                     \
    ::bpfxx::detail::core_bitfield_extract<decltype(ref)>(raw, BPFXX_CORE_FIELD_INFO_(lshift_u64, ref), \
                                                          BPFXX_CORE_FIELD_INFO_(signed, ref),      \
                                                          BPFXX_CORE_FIELD_INFO_(rshift_u64, ref))

// The operand of the type builtins: an lvalue of type T, never evaluated.
#define BPFXX_CORE_TYPE_(T) (*static_cast<T*>(::bpfxx::detail::core_null<T>))

// BPFXX_CORE_TYPE_EXISTS(T): whether the kernel has a type T (bool). T is a
// complete local definition, named as a struct, union or enum: an alias
// (`using` or typedef) reaches BTF as a TYPEDEF, and CO-RE then looks for a
// typedef of that name in the kernel.
#define BPFXX_CORE_TYPE_EXISTS(T)                                                                  \
    (__builtin_preserve_type_info(BPFXX_CORE_TYPE_(T), ::bpfxx::detail::core_type_exists) != 0)

// BPFXX_CORE_TYPE_SIZE(T): sizeof the kernel's T (u32).
#define BPFXX_CORE_TYPE_SIZE(T) __builtin_preserve_type_info(BPFXX_CORE_TYPE_(T), ::bpfxx::detail::core_type_size)

// BPFXX_CORE_TYPE_MATCHES(T): whether the kernel's T has the local T's
// shape (bool): same kind; every local member present by name with a
// matching type (integers of equal size and signedness, arrays of equal
// length); every local enumerator present. libbpf compares enumerator
// names only; Linux 6.18 relocating the program itself also wants the
// values equal (measured). clang 15, libbpf 1.0.
#define BPFXX_CORE_TYPE_MATCHES(T)                                                                 \
    (__builtin_preserve_type_info(BPFXX_CORE_TYPE_(T), ::bpfxx::detail::core_type_matches) != 0)

// BPFXX_CORE_ENUM_VALUE_EXISTS(E, V) / BPFXX_CORE_ENUM_VALUE(E, V): whether
// the kernel's enum E has the enumerator V (bool) / its value there (s64).
// E is an enum type name without the `enum` keyword (scoped enums work
// too); V one of its enumerators. The C-style cast of the enumerator is the
// only form clang's builtin accepts.
#define BPFXX_CORE_ENUM_VALUE_EXISTS(E, V)                                                         \
    (__builtin_preserve_enum_value(*(E*)E::V, ::bpfxx::detail::core_enumval_exists) != 0)
#define BPFXX_CORE_ENUM_VALUE(E, V)                                                                \
    static_cast<::bpfxx::s64>(__builtin_preserve_enum_value(*(E*)E::V, ::bpfxx::detail::core_enumval_value))

// BPFXX_CORE_TYPE_ID_LOCAL(T) / BPFXX_CORE_TYPE_ID_TARGET(T): T's BTF type
// id in this object / in the kernel, 0 when the kernel has no such type
// (u32); e.g. for bpf_snprintf_btf.
#define BPFXX_CORE_TYPE_ID_LOCAL(T)                                                                \
    static_cast<::bpfxx::u32>(__builtin_btf_type_id(BPFXX_CORE_TYPE_(T), ::bpfxx::detail::core_type_id_local))
#define BPFXX_CORE_TYPE_ID_TARGET(T)                                                               \
    static_cast<::bpfxx::u32>(__builtin_btf_type_id(BPFXX_CORE_TYPE_(T), ::bpfxx::detail::core_type_id_target))
