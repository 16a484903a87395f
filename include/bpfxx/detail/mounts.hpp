// SPDX-License-Identifier: MIT OR Apache-2.0
// Reading the mount table (/proc/mounts): where tracefs, bpffs or cgroup2
// are mounted.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/mounts.hpp is user-space only"
#endif

#include <string>
#include <string_view>
#include <vector>

namespace bpfxx::detail {

// /proc/mounts writes space, tab, newline and backslash in paths as \ooo.
inline std::string unescape_mount_path(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            auto o = [](char c) { return c >= '0' && c <= '7'; };
            if (o(s[i + 1]) && o(s[i + 2]) && o(s[i + 3])) {
                int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
                if (v < 256) {
                    out.push_back(static_cast<char>(v));
                    i += 3;
                    continue;
                }
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// Mount points of every `fstype` file system in /proc/mounts-formatted
// `text` ("source mount-point type options 0 0" per line), in order, with
// \ooo escapes decoded. Lines with fewer fields are skipped.
inline std::vector<std::string> mounts_of_type(std::string_view text, std::string_view fstype) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        std::string_view field[3];
        int n = 0;
        while (n < 3) {
            auto start = line.find_first_not_of(" \t");
            if (start == std::string_view::npos) break;
            line.remove_prefix(start);
            auto end = line.find_first_of(" \t");
            field[n++] = line.substr(0, end);
            line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
        }
        if (n == 3 && field[2] == fstype) out.push_back(unescape_mount_path(field[1]));
    }
    return out;
}

} // namespace bpfxx::detail
