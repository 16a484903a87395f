// SPDX-License-Identifier: MIT OR GPL-2.0-only
// What port_filter's kernel program and its tests share.
#pragma once

#include <bpfxx/shared.hpp>

namespace port_filter {

// XDP verdicts (enum xdp_action in the kernel's uapi).
enum verdict : bpfxx::u32 { xdp_aborted = 0, xdp_drop = 1, xdp_pass = 2 };

// Counters the program keeps, by index.
enum counter : bpfxx::u32 { passed = 0, dropped = 1, counters = 2 };

}  // namespace port_filter
