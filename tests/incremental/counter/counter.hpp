// SPDX-License-Identifier: MIT OR Apache-2.0
// Shared by the kernel program and main.cpp.
#pragma once
#include <bpfxx/shared.hpp>

namespace counter {
inline constexpr bpfxx::u32 slots = 64;
}
