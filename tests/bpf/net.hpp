// SPDX-License-Identifier: MIT OR Apache-2.0
// Indexes shared by tests/bpf/net.bpf.cpp and tests/kernel/net_test.cpp.
#pragma once

namespace net_test {

// config: settings written by the test before it sends.
enum setting : unsigned { blocked_port = 0, tos_port = 1, tos_value = 2, redirect_from = 3, redirect_to = 4, config_entries = 5 };

// counters: what the programs counted.
enum counter : unsigned { tcp_packets = 0, dropped = 1, rewritten = 2, order = 3, redirected = 4, passed_all = 5, counter_entries = 6 };

} // namespace net_test
