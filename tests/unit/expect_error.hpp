// SPDX-License-Identifier: MIT OR Apache-2.0
// Shared by the reader tests: a malformed input must be a bpfxx::error
// whose message names what and where.
#pragma once

#include <bpfxx/error.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <initializer_list>
#include <string>

namespace bpfxx_test {

// Runs `fn`, which must throw bpfxx::error whose message holds every one of `parts`.
inline void expect_error(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
    try {
        fn();
    } catch (const bpfxx::error& e) {
        for (const std::string& p : parts) EXPECT_THAT(e.what(), testing::HasSubstr(p));
        return;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw a non-bpfxx exception: " << e.what();
        return;
    }
    ADD_FAILURE() << "did not throw";
}

}  // namespace bpfxx_test
