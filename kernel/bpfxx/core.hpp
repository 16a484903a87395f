// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "helpers.hpp"
#include "types.hpp"

// CO-RE (compile once, run everywhere) reads of kernel memory.
//
// clang's preserve_access_index struct attribute does nothing in C++, so a
// plain `task->real_parent` silently uses the local layout. These macros
// are the relocated read: each step records a CO-RE relocation (the field's
// offset is fixed up at load time against the running kernel's BTF) and
// reads kernel memory with bpf_probe_read_kernel (5.5).
//
//     u32 ppid = BPFXX_CORE_READ(task, real_parent, tgid);
//
// Types may be the generated vmlinux.hpp or minimal local definitions that
// name only the fields used: CO-RE matches structs and fields by name
// (a `___flavor` suffix on a struct name is ignored), not by layout.
//
// Reading a field without relocation stays visibly different: `p->field`
// (only valid for memory the program owns) or bpfxx::probe_read_kernel.

namespace bpfxx::core {

// One relocated step: *field, read from kernel memory. A failed read
// (unmapped address) yields a zero value, as libbpf's BPF_CORE_READ does.
template <typename T>
BPFXX_METHOD T read(const T* field) {
    T value{};
    helper::probe_read_kernel(&value, sizeof(T), field);
    return value;
}

}  // namespace bpfxx::core

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
#define BPFXX_CORE_PICK_(_1, _2, _3, _4, name, ...) name

// BPFXX_CORE_READ(ptr, field1[, field2[, field3[, field4]]]): follows the
// pointer fields, each step relocated, and returns the last field's value.
#define BPFXX_CORE_READ(src, ...)                                                                  \
    BPFXX_CORE_PICK_(__VA_ARGS__, BPFXX_CORE_READ_4_, BPFXX_CORE_READ_3_, BPFXX_CORE_READ_2_,       \
                     BPFXX_CORE_READ_1_, unused)                                                   \
    (src, __VA_ARGS__)

// Whether the running kernel's type has the field (relocated at load: a
// constant the verifier prunes on).
#define BPFXX_CORE_FIELD_EXISTS(type, field)                                                       \
    __builtin_preserve_field_info(static_cast<type*>(nullptr)->field, 2 /* FIELD_EXISTENCE */)
