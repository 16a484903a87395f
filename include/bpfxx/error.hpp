// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::error — the one exception type of setup operations (open, load,
// attach, create, pin). Hot paths return std::optional or bpfxx::result.
#pragma once
#ifdef __bpf__
#error "bpfxx/error.hpp is user-space only; kernel code includes <bpfxx/kernel.hpp>"
#endif

#include <bpfxx/config.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

BPFXX_BEGIN_NAMESPACE

// Derived from std::runtime_error rather than std::system_error: in a fully
// static binary std::system_error pulls in ~127 KB of categories.
class error : public std::runtime_error {
public:
    explicit error(const std::string& what, int code = 0, std::string details = {})
        : std::runtime_error(what), code_(code), details_(std::move(details)) {}

    // errno of the failing system call, 0 when the error is not from one.
    [[nodiscard]] int code() const noexcept { return code_; }
    // Long supporting text (a verifier log, say); empty when there is none.
    [[nodiscard]] const std::string& details() const noexcept { return details_; }

private:
    int code_;
    std::string details_;
};

namespace detail {

inline void append(std::string& out, std::string_view s) { out.append(s); }
inline void append(std::string& out, const char* s) { out.append(s); }
inline void append(std::string& out, const std::string& s) { out.append(s); }
inline void append(std::string& out, char c) { out.push_back(c); }
template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, bool>)
void append(std::string& out, T v) {
    out.append(std::to_string(v));
}
inline void append(std::string& out, bool v) { out.append(v ? "true" : "false"); }

// Small replacement for std::format: concatenates strings and integers.
template <class... A>
std::string cat(const A&... parts) {
    std::string out;
    (append(out, parts), ...);
    return out;
}

// Hexadecimal with 0x prefix, for offsets and addresses in messages.
inline std::string hex(std::uint64_t v) {
    char buf[2 + 16] = {'0', 'x'};
    auto end = std::to_chars(buf + 2, buf + sizeof buf, v, 16).ptr;
    return std::string(buf, end);
}

// `text` fit for a terminal: control characters (C0 and DEL) and backslash
// as \xNN, so a name read from a file cannot move the cursor, retitle the
// window or forge a line of output.
inline std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '\\') {
            static constexpr char digits[] = "0123456789abcdef";
            out += "\\x";
            out.push_back(digits[u >> 4]);
            out.push_back(digits[u & 15]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// strerror_r comes in two forms: GNU's returns the text, POSIX's an int
// and fills the buffer.
inline const char* strerror_text(char* gnu, char*) noexcept { return gnu; }
inline const char* strerror_text(int posix, char* buf) noexcept { return posix == 0 ? buf : "Unknown error"; }

// The text of an errno value. Thread-safe, unlike std::strerror. Knows the
// kernel-internal ENOTSUPP (524) that bpf(2) leaks to user space.
inline std::string errno_message(int code) {
    if (code == 524) return "Operation not supported by this kernel (ENOTSUPP)";
    char buf[128];
    buf[0] = '\0';
    return strerror_text(::strerror_r(code, buf, sizeof buf), buf);
}

// "<text> (errno N)", for messages about a failed system call.
inline std::string errno_text(int code) { return cat(errno_message(code), " (errno ", code, ")"); }

// Every throw in bpfxx goes through here, so a -fno-exceptions build can be
// supported by changing this one function.
[[noreturn]] inline void raise(std::string what, int code = 0, std::string details = {}) {
    throw error(what, code, std::move(details));
}

// Throws for a failed system call: "<what>: <strerror> (errno N)".
[[noreturn]] inline void raise_errno(std::string_view what, int code = errno) {
    raise(cat(what, ": ", errno_text(code)), code);
}

}  // namespace detail
BPFXX_END_NAMESPACE
