// SPDX-License-Identifier: MIT OR Apache-2.0
// What bpfxx's generators share: building messages, failing with one, and
// writing output only when it changes. (The library's own message helpers
// are its internals; the tools use these.)
#pragma once

#include <bpfxx/error.hpp>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <string>
#include <type_traits>

namespace bpfxx::tools {

// Strings, characters and integers joined into one string.
template <class... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    auto add = [&out](const auto& p) {
        using P = std::remove_cvref_t<decltype(p)>;
        if constexpr (std::is_same_v<P, bool>) out += p ? "true" : "false";
        else if constexpr (std::is_integral_v<P> && !std::is_same_v<P, char>) out += std::to_string(p);
        else out += p;
    };
    (add(parts), ...);
    return out;
}

// Throws the bpfxx::error a tool reports.
[[noreturn]] inline void fail(const std::string& what, int code = 0) { throw bpfxx::error(what, code); }

// Writes `text` to `path` unless the file already holds exactly that, so
// that what includes or compiles it is not rebuilt for nothing.
inline void write_if_changed(const std::string& path, const std::string& text) {
    std::string old;
    if (std::ifstream prev(path, std::ios::binary); prev)
        old.assign((std::istreambuf_iterator<char>(prev)), std::istreambuf_iterator<char>());
    if (old == text) return;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw bpfxx::error("cannot write '" + path + "'", errno);
}

}  // namespace bpfxx::tools
