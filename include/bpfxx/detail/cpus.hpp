// SPDX-License-Identifier: MIT OR Apache-2.0
// The possible CPUs, which size per-CPU map values.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/cpus.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/file.hpp>

#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// A kernel CPU list ("0-3", "0,2-5\n"): how many CPUs it names and the
// highest id + 1. Both are 0 when the text is not a CPU list or names an id
// past any kernel's NR_CPUS (8192 in 6.18; 2^20 leaves room).
struct cpu_list {
    std::uint32_t count = 0;
    std::uint32_t end = 0;
};

inline constexpr std::uint32_t max_cpu_id = 1U << 20;

// Calls `each(first, last)` for every range of a CPU list, in order; false
// when the text is not a CPU list (`each` may have seen a prefix of it).
template <class Each>
bool visit_cpu_list(std::string_view text, Each&& each) {
    const char* p = text.data();
    const char* const stop = p + text.size();
    while (p < stop && *p != '\n') {
        std::uint32_t first = 0;
        auto r = std::from_chars(p, stop, first);
        if (r.ec != std::errc()) return false;
        p = r.ptr;
        std::uint32_t last = first;
        if (p < stop && *p == '-') {
            r = std::from_chars(p + 1, stop, last);
            if (r.ec != std::errc() || last < first) return false;
            p = r.ptr;
        }
        if (last >= max_cpu_id) return false;
        each(first, last);
        if (p < stop && *p == ',') ++p;
        else if (p < stop && *p != '\n') return false;
    }
    return true;
}

inline cpu_list parse_cpu_list(std::string_view text) noexcept {
    cpu_list out;
    bool ok = visit_cpu_list(text, [&](std::uint32_t first, std::uint32_t last) {
        if (out.count > max_cpu_id) return;
        out.count += last - first + 1;
        if (last + 1 > out.end) out.end = last + 1;
    });
    if (!ok || out.count > max_cpu_id) return {};
    return out;
}

// The CPUs the kernel may bring online (/sys/devices/system/cpu/possible),
// read once. `count` is num_possible_cpus(): a per-CPU map value holds one
// slot per possible CPU, each rounded up to 8 bytes, on every kernel (the
// mask may have holes). `end`, the highest id + 1, sizes what is indexed by
// CPU id: perf event arrays. Without the file, sysconf's configured count.
inline cpu_list possible_cpus() {
    static const cpu_list cpus = [] {
        int err = 0;
        const auto text = read_small_file("/sys/devices/system/cpu/possible", err);
        if (auto list = parse_cpu_list(text); list.count > 0) return list;
        long configured = ::sysconf(_SC_NPROCESSORS_CONF);
        const auto n = static_cast<std::uint32_t>(configured > 0 ? configured : 1);
        return cpu_list{n, n};
    }();
    return cpus;
}

// The ids of the CPUs online now (/sys/devices/system/cpu/online); empty
// when the file is missing or malformed.
inline std::vector<std::uint32_t> online_cpus() {
    int err = 0;
    const auto text = read_small_file("/sys/devices/system/cpu/online", err);
    std::vector<std::uint32_t> ids;
    bool ok = visit_cpu_list(text, [&](std::uint32_t first, std::uint32_t last) {
        for (std::uint32_t id = first; id <= last && ids.size() < max_cpu_id; ++id) ids.push_back(id);
    });
    if (!ok) ids.clear();
    return ids;
}

}  // namespace detail
BPFXX_END_NAMESPACE
