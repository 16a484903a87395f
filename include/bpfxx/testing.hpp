// SPDX-License-Identifier: MIT OR Apache-2.0
// What tests of BPF programs share, whatever the test framework: whether
// this process may load programs at all (so a test can skip with the
// reason rather than fail), and test_run (bpfxx/test_run.hpp) to run a
// program on input of its own. bpfxx/testing/gtest.hpp and
// bpfxx/testing/catch2.hpp put these in each framework's terms.
#pragma once
#ifdef __bpf__
#error "bpfxx/testing.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/shared/program_types.hpp>
#include <bpfxx/test_run.hpp>

#include <cerrno>
#include <optional>
#include <string>

BPFXX_BEGIN_NAMESPACE
namespace testing {

// Why this process cannot load BPF programs, or nothing when it can: the
// answer of the kernel to the smallest program there is (a socket filter
// returning 0), asked once.
[[nodiscard]] inline std::optional<std::string> cannot_load_programs() {
    static const std::optional<std::string> answer = []() -> std::optional<std::string> {
        static constexpr insn prog[] = {
            {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), op::r0, 0, 0, 0},
            {static_cast<std::uint8_t>(op::jmp | op::exit), 0, 0, 0, 0},
        };
        sys::fd fd = detail::probes::load_program(program_type::socket_filter, prog);
        if (fd) return std::nullopt;
        const int e = errno;
        if (e == EPERM || e == EACCES)
            return detail::cat("loading BPF programs needs CAP_BPF (Linux 5.8; CAP_SYS_ADMIN before) or root (",
                               detail::errno_text(e), "); run the test as root or give it the capabilities "
                               "(setcap cap_bpf,cap_perfmon+ep <test>)");
        if (e == ENOSYS) return std::string("this kernel has no bpf(2) system call (CONFIG_BPF_SYSCALL)");
        return detail::cat("the kernel refused even an empty program: ", detail::errno_text(e));
    }();
    return answer;
}

}  // namespace testing
BPFXX_END_NAMESPACE
