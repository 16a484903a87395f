// SPDX-License-Identifier: MIT OR Apache-2.0
// Shared by the kernel program and the user program: include only
// <bpfxx/shared.hpp> here, which compiles on both sides.
#pragma once
#include <bpfxx/shared.hpp>

namespace syscount {
inline constexpr bpfxx::u32 max_processes = 10240;
}  // namespace syscount
