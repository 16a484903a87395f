// SPDX-License-Identifier: MIT OR Apache-2.0
// The capabilities this process holds, for messages: when the kernel says
// EPERM to a process that holds every BPF capability, the cause is not a
// missing capability, and the message must not send a root user looking
// for one.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/capabilities.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/file.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

BPFXX_BEGIN_NAMESPACE
namespace detail {

inline constexpr unsigned cap_sys_admin = 21;
inline constexpr unsigned cap_perfmon = 38;  // Linux 5.8
inline constexpr unsigned cap_bpf = 39;      // Linux 5.8

// The effective set (CapEff of /proc/self/status); 0 when unreadable.
inline std::uint64_t effective_capabilities() {
    int err = 0;
    const auto status = read_small_file("/proc/self/status", err);
    const auto at = status.find("\nCapEff:");
    if (at == std::string::npos) return 0;
    std::string_view rest(status);
    rest.remove_prefix(at + 8);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    std::uint64_t caps = 0;
    std::from_chars(rest.data(), rest.data() + rest.size(), caps, 16);
    return caps;
}

// Whether the process holds CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: all
// that any BPF program type asks for.
inline bool holds_every_bpf_capability() {
    const auto caps = effective_capabilities();
    const auto has = [&](unsigned bit) { return (caps >> bit & 1) != 0; };
    return has(cap_sys_admin) && has(cap_bpf) && has(cap_perfmon);
}

}  // namespace detail
BPFXX_END_NAMESPACE
