// SPDX-License-Identifier: MIT OR Apache-2.0
// BPF program tests in Catch2 (v2, Debian's catch2 package, single header;
// or v3):
//
//   #define CATCH_CONFIG_MAIN
//   #include <bpfxx/testing/catch2.hpp>
//   #include "xdp_filter.skel.hpp"
//
//   TEST_CASE("the filter drops telnet") {
//       BPFXX_SKIP_UNLESS_BPF();          // Catch2 v3 skips; v2 warns and returns
//       auto skel = xdp_filter::skeleton::open();
//       skel.load();
//       auto r = bpfxx::test_run(skel.programs.filter.fd(), {.data = packet});
//       REQUIRE(r.return_value == XDP_DROP);
//   }
#pragma once
#ifdef __bpf__
#error "bpfxx/testing/catch2.hpp is user-space only"
#endif

#include <bpfxx/testing.hpp>

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_macros.hpp>  // Catch2 v3
#else
#include <catch2/catch.hpp>  // Catch2 v2
#endif

// Ends the test case when this process cannot load BPF programs (not root,
// no CAP_BPF), saying why: skipped in Catch2 v3, a warning and an early
// return (the case passes) in v2, which has no skip.
#if defined(CATCH_VERSION_MAJOR) && CATCH_VERSION_MAJOR >= 3
#define BPFXX_SKIP_UNLESS_BPF()                                                                    \
    do {                                                                                           \
        if (auto bpfxx_why_ = ::bpfxx::testing::cannot_load_programs()) SKIP(*bpfxx_why_);         \
    } while (0)
#else
#define BPFXX_SKIP_UNLESS_BPF()                                                                    \
    do {                                                                                           \
        if (auto bpfxx_why_ = ::bpfxx::testing::cannot_load_programs()) {                          \
            WARN("skipped: " << *bpfxx_why_);                                                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#endif
