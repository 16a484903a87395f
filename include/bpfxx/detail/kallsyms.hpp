// SPDX-License-Identifier: MIT OR Apache-2.0
// Addresses of kernel symbols from /proc/kallsyms text, for typeless .ksyms
// externs (`extern const void sym __ksym;`). Lines read
// "<hex address> <type letter> <name>[\t[<module>]]"; anything else is
// skipped. The text is untrusted in the sense that a malformed line must not
// crash or be misread; it is never more than the kernel wrote.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/kallsyms.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

struct kallsyms_hit {
    std::uint64_t address = 0;
    bool found = false;
    bool ambiguous = false;  // the name has two different addresses
};

// For each of `names`, its address in `text`; `out` has one entry per name.
inline void find_kallsyms(std::string_view text, std::span<const std::string_view> names,
                          std::span<kallsyms_hit> out) {
    std::vector<std::pair<std::string_view, std::size_t>> wanted;
    wanted.reserve(names.size());
    for (std::size_t i = 0; i < names.size() && i < out.size(); ++i) wanted.emplace_back(names[i], i);
    std::sort(wanted.begin(), wanted.end());
    auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    for (std::size_t at = 0; at < text.size();) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        const auto line = text.substr(at, end - at);
        at = end + 1;
        std::uint64_t address = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), address, 16);
        if (ec != std::errc() || p == line.data() + line.size() || !is_space(*p)) continue;
        auto rest = line.substr(static_cast<std::size_t>(p - line.data()) + 1);
        // The type letter, then the name up to whitespace (a module follows).
        if (rest.size() < 3 || !is_space(rest[1])) continue;
        rest.remove_prefix(2);
        std::size_t n = 0;
        while (n < rest.size() && !is_space(rest[n])) ++n;
        const auto name = rest.substr(0, n);
        auto it = std::lower_bound(wanted.begin(), wanted.end(), name,
                                   [](const auto& w, std::string_view v) { return w.first < v; });
        for (; it != wanted.end() && it->first == name; ++it) {
            auto& hit = out[it->second];
            if (hit.found && hit.address != address) hit.ambiguous = true;
            hit.found = true;
            hit.address = address;
        }
    }
}

}  // namespace detail
BPFXX_END_NAMESPACE
