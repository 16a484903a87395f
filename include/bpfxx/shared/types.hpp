// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once

// Fixed-width integers for types shared by kernel programs and user space.
// Built from compiler builtins because no standard header exists for
// clang -target bpf; on both sides they are the same types as <cstdint>'s.

namespace bpfxx {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using s8 = __INT8_TYPE__;
using s16 = __INT16_TYPE__;
using s32 = __INT32_TYPE__;
using s64 = __INT64_TYPE__;

static_assert(sizeof(u8) == 1 && sizeof(s8) == 1);
static_assert(sizeof(u16) == 2 && sizeof(s16) == 2);
static_assert(sizeof(u32) == 4 && sizeof(s32) == 4);
static_assert(sizeof(u64) == 8 && sizeof(s64) == 8);

} // namespace bpfxx
