// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include <bpfxx/shared/types.hpp>

// Kernel code says u32, not bpfxx::u32. A translation unit that gets these
// names from elsewhere (a generated vmlinux header whose u64 is
// unsigned long long) defines BPFXX_NO_GLOBAL_TYPES first.
#ifndef BPFXX_NO_GLOBAL_TYPES
using bpfxx::s16;
using bpfxx::s32;
using bpfxx::s64;
using bpfxx::s8;
using bpfxx::u16;
using bpfxx::u32;
using bpfxx::u64;
using bpfxx::u8;
#endif

// An inline function for user code: its source lines stay in the verifier log.
#define BPFXX_ALWAYS_INLINE [[gnu::always_inline]] inline

// For member functions of every type that reaches BTF (map definitions,
// contexts): without nodebug clang records each method as a member of type 0,
// which libbpf ("unknown field") and the kernel ("Invalid type_id") reject.
// -gomit-unreferenced-methods does the same from clang 19 on.
#define BPFXX_METHOD [[gnu::always_inline, gnu::nodebug]] inline

// A function that stays a BPF-to-BPF call (a subprogram, Linux 4.16). Internal
// linkage keeps it in .text: an inline or template function with external
// linkage would go to a COMDAT section that libbpf cannot relocate.
#define BPFXX_SUBPROGRAM [[gnu::noinline, clang::internal_linkage]]

namespace bpfxx::detail {

constexpr bool power_of_two(u64 n) noexcept { return n != 0 && (n & (n - 1)) == 0; }

} // namespace bpfxx::detail
