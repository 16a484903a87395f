// SPDX-License-Identifier: MIT OR GPL-2.0-only
#pragma once

// The record streams.bpf.cpp sends through a ring buffer and a perf buffer
// (tests/kernel/stream_test.cpp reads them).

#include <bpfxx/shared.hpp>

namespace streams {

struct record {
    bpfxx::u64 seq;    // 0, 1, 2... one counter for both outputs
    bpfxx::u64 check;  // seq * 3 + 1: a torn or misplaced record shows
};
static_assert(sizeof(record) == 16);

inline constexpr bpfxx::u32 ring_bytes = 1u << 20;

}  // namespace streams
