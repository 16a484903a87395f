// SPDX-License-Identifier: MIT OR Apache-2.0
// Running a loaded program on input of the caller's choosing, in the
// kernel, without attaching it (BPF_PROG_TEST_RUN): what unit tests of BPF
// programs are made of. The kernel runs XDP, TC, socket filter, cgroup skb,
// flow dissector and lwt programs on a packet (data in, data out), raw
// tracepoints, tracing (fentry/fexit), struct_ops and syscall programs on a
// context, and some on both; bpfxx/testing.hpp wraps this for GoogleTest
// and Catch2.
#pragma once
#ifdef __bpf__
#error "bpfxx/test_run.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

BPFXX_BEGIN_NAMESPACE

// BPF_PROG_TEST_RUN's flags.
inline constexpr u32 test_run_on_cpu = 1u << 0;          // raw_tp: run on options.cpu (Linux 5.10)
inline constexpr u32 test_run_xdp_live_frames = 1u << 1;  // XDP: send the frames for real (Linux 5.18)

struct test_run_options {
    // The packet for packet programs (XDP: at least an Ethernet header).
    std::span<const std::byte> data{};
    // Room for the packet as the program leaves it; 0: as much as `data`
    // plus 256 bytes (XDP may grow the packet at its tail).
    std::size_t data_out_capacity = 0;
    // The context: struct xdp_md or __sk_buff fields for packet programs,
    // the arguments (u64 each) for raw tracepoints and tracing programs.
    std::span<const std::byte> context{};
    // Room for the context as the program leaves it (0: none read back).
    std::size_t context_out_capacity = 0;
    // Runs back to back, the duration their mean (packet programs); 0 is
    // once, and the only value raw tracepoints accept.
    u32 repeat = 0;
    u32 flags = 0;
    u32 cpu = 0;  // with test_run_on_cpu
};

struct test_run_result {
    u32 return_value = 0;                // the program's return value (XDP_PASS, the count...)
    std::chrono::nanoseconds duration{}; // mean time of one run, as the kernel measured it (0 when it does not)
    std::vector<std::byte> data;         // the packet after the run
    std::vector<std::byte> context;      // the context after the run
};

// Runs the program behind `prog_fd` once (or options.repeat times). Throws
// a bpfxx::error that says what the kernel refused: ENOTSUPP when the
// program type cannot be test-run, EINVAL for input of the wrong size.
[[nodiscard]] inline test_run_result test_run(int prog_fd, const test_run_options& options = {}) {
    test_run_result out;
    out.data.resize(options.data.empty() ? 0
                                         : (options.data_out_capacity != 0 ? options.data_out_capacity
                                                                           : options.data.size() + 256));
    out.context.resize(options.context_out_capacity);
    sys::attr::prog_test_run a;
    a.prog_fd = static_cast<u32>(prog_fd);
    a.repeat = options.repeat;
    a.flags = options.flags;
    a.cpu = options.cpu;
    if (!options.data.empty()) {
        a.data_in = sys::ptr_to_u64(options.data.data());
        a.data_size_in = static_cast<u32>(options.data.size());
        a.data_out = sys::ptr_to_u64(out.data.data());
        a.data_size_out = static_cast<u32>(out.data.size());
    }
    if (!options.context.empty()) {
        a.ctx_in = sys::ptr_to_u64(options.context.data());
        a.ctx_size_in = static_cast<u32>(options.context.size());
    }
    if (!out.context.empty()) {
        a.ctx_out = sys::ptr_to_u64(out.context.data());
        a.ctx_size_out = static_cast<u32>(out.context.size());
    }
    if (sys::bpf(sys::bpf_cmd::prog_test_run, a) < 0) {
        const int e = errno;
        std::string hint;
        if (e == 524 || e == EOPNOTSUPP)
            hint = "; the kernel cannot test-run programs of this type (or this attach type)";
        else if (e == EINVAL)
            hint = "; the kernel refused the input: a packet too short for the program type (XDP and TC want "
                   "an Ethernet header), a context of the wrong size, or flags this type does not take";
        else if (e == ENOSPC)
            hint = "; the packet the program left is larger than data_out_capacity";
        else if (e == EPERM || e == EACCES)
            hint = "; test runs need CAP_BPF (or CAP_SYS_ADMIN)";
        detail::raise(detail::cat("BPF_PROG_TEST_RUN of program fd ", prog_fd, " failed: ", detail::errno_text(e),
                                  hint),
                      e);
    }
    out.return_value = a.retval;
    out.duration = std::chrono::nanoseconds(a.duration);
    out.data.resize(options.data.empty() ? 0 : a.data_size_out);
    if (!out.context.empty()) out.context.resize(a.ctx_size_out);
    return out;
}

// The bytes of a trivially copyable value, as test_run_options takes them.
template <class T>
    requires std::is_trivially_copyable_v<T>
[[nodiscard]] std::span<const std::byte> bytes_of(const T& value) noexcept {
    return {reinterpret_cast<const std::byte*>(&value), sizeof(T)};
}

BPFXX_END_NAMESPACE
