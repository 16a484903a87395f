// SPDX-License-Identifier: MIT OR Apache-2.0
// BPF program tests in GoogleTest:
//
//   #include <bpfxx/testing/gtest.hpp>
//   #include "xdp_filter.skel.hpp"
//
//   TEST(XdpFilter, DropsTelnet) {
//       BPFXX_SKIP_UNLESS_BPF();          // skipped, with the reason, when not privileged
//       auto skel = xdp_filter::skeleton::open();
//       skel.load();
//       auto r = bpfxx::test_run(skel.programs.filter.fd(), {.data = packet});
//       EXPECT_EQ(r.return_value, XDP_DROP);
//   }
#pragma once
#ifdef __bpf__
#error "bpfxx/testing/gtest.hpp is user-space only"
#endif

#include <bpfxx/testing.hpp>

#include <gtest/gtest.h>

// Ends the test as skipped, saying why, when this process cannot load BPF
// programs (not root, no CAP_BPF).
#define BPFXX_SKIP_UNLESS_BPF()                                                                    \
    do {                                                                                           \
        if (auto bpfxx_why_ = ::bpfxx::testing::cannot_load_programs()) GTEST_SKIP() << *bpfxx_why_; \
    } while (0)
