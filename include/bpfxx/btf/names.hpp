// SPDX-License-Identifier: MIT OR Apache-2.0
// Names: the one definition of an identifier, of what the kernel accepts as
// a BTF name, and of how a name that C++ cannot use is escaped. Used by the
// BTF sanitiser, the downgrade for old kernels, the loader, the vmlinux.hpp
// and skeleton generators and CO-RE.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/names.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

BPFXX_BEGIN_NAMESPACE
namespace btf {

// [A-Za-z_] and [A-Za-z0-9_]: C, C++ and BTF identifiers alike.
[[nodiscard]] constexpr bool is_identifier_start(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
[[nodiscard]] constexpr bool is_identifier_char(char c) noexcept {
    return is_identifier_start(c) || (c >= '0' && c <= '9');
}
// [A-Za-z_][A-Za-z0-9_]*, any length.
[[nodiscard]] constexpr bool is_identifier(std::string_view s) noexcept {
    if (s.empty() || !is_identifier_start(s.front())) return false;
    for (char c : s)
        if (!is_identifier_char(c)) return false;
    return true;
}

// Longest name every supported kernel accepts: KSYM_NAME_LEN is 128 before
// kernel 6.1 (512 since), terminator included.
inline constexpr std::size_t max_identifier_length = 127;

// [A-Za-z_][A-Za-z0-9_]*, at most max_identifier_length characters: what
// every kernel accepts as a type, member, function or variable name ('.' is
// accepted only since kernel 6.5).
[[nodiscard]] constexpr bool is_btf_identifier(std::string_view s) noexcept {
    return s.size() <= max_identifier_length && is_identifier(s);
}

// Rewrites a C++ name into a BTF identifier: every character outside
// [A-Za-z0-9_] becomes '_' (`pair_t<unsigned int, event>` ->
// `pair_t_unsigned_int__event_`), a leading digit gets a '_' in front, and a
// name longer than max_identifier_length keeps its first 110 characters
// followed by '_' and 16 hex digits of a hash of the original name.
// Deterministic; distinct names may collide, which BTF allows.
[[nodiscard]] inline std::string to_btf_identifier(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 1);
    if (!s.empty() && s.front() >= '0' && s.front() <= '9') out.push_back('_');
    for (char c : s) out.push_back(is_identifier_char(c) ? c : '_');
    if (out.empty()) out.push_back('_');  // (not = "_": GCC 12 -O2 warns -Wrestrict)
    if (out.size() > max_identifier_length) {
        std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
        for (char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 0x100000001b3ull;
        }
        out.resize(110);
        out.push_back('_');
        static constexpr char digits[] = "0123456789abcdef";
        for (int shift = 60; shift >= 0; shift -= 4) out.push_back(digits[(h >> shift) & 0xf]);
    }
    return out;
}

// C++20 keywords and alternative tokens, plus names that GCC or clang treat
// as keywords or predefined macros in some mode (gnu++20 defines `linux` and
// `unix`; `typeof` is a GNU keyword) and object-like macros of the C library
// that a generated header is likely to see.
// clang-format off
inline constexpr std::string_view reserved_names[] = {
        "EOF",          "NULL",          "__float128",   "__int128",     "__label__",   "__null",
        "__thread",     "alignas",       "alignof",      "and",          "and_eq",      "asm",
        "auto",         "bitand",        "bitor",        "bool",         "break",       "case",
        "catch",        "char",          "char16_t",     "char32_t",     "char8_t",     "class",
        "co_await",     "co_return",     "co_yield",     "compl",        "concept",     "const",
        "const_cast",   "consteval",     "constexpr",    "constinit",    "continue",    "decltype",
        "default",      "delete",        "do",           "double",       "dynamic_cast", "else",
        "enum",         "errno",         "explicit",     "export",       "extern",      "false",
        "float",        "for",           "friend",       "goto",         "i386",        "if",
        "inline",       "int",           "linux",        "long",         "mutable",     "namespace",
        "new",          "noexcept",      "not",          "not_eq",       "nullptr",     "operator",
        "or",           "or_eq",         "private",      "protected",    "public",      "register",
        "reinterpret_cast", "requires",  "return",       "short",        "signed",      "sizeof",
        "static",       "static_assert", "static_cast",  "stderr",       "stdin",       "stdout",
        "struct",       "switch",        "template",     "this",         "thread_local", "throw",
        "true",         "try",           "typedef",      "typeid",       "typename",    "typeof",
        "union",        "unix",          "unsigned",     "using",        "virtual",     "void",
        "volatile",     "wchar_t",       "while",        "xor",          "xor_eq",
};
// clang-format on

[[nodiscard]] constexpr bool is_reserved_name(std::string_view s) noexcept {
    for (auto w : reserved_names)
        if (w == s) return true;
    // Compiler builtins: GCC declares `__builtin_va_list` as an array of
    // `__va_list_tag` on x86_64, clang `__va_list` on aarch64.
    return s.starts_with("__builtin_") || s == "__va_list_tag" || s == "__va_list";
}

// What a name that C++ cannot use as it is gets appended (`private___cxx`,
// `open___cxx`): vmlinux.hpp and skeletons alike, and CO-RE strips it
// (strip_cxx_suffix) before matching against the kernel's names.
inline constexpr std::string_view keyword_suffix = "___cxx";

// CO-RE compares member names exactly, so the loader strips the suffix
// before matching against kernel BTF.
[[nodiscard]] constexpr std::string_view strip_cxx_suffix(std::string_view name) noexcept {
    if (name.size() > keyword_suffix.size() && name.substr(name.size() - keyword_suffix.size()) == keyword_suffix)
        return name.substr(0, name.size() - keyword_suffix.size());
    return name;
}

// A BTF name as a C++ identifier: invalid characters become '_' (see
// to_btf_identifier) and a reserved name gets keyword_suffix.
[[nodiscard]] inline std::string cxx_identifier(std::string_view raw) {
    std::string out = is_identifier(raw) ? std::string(raw) : to_btf_identifier(raw);
    if (is_reserved_name(out)) out += keyword_suffix;
    return out;
}

}  // namespace btf
BPFXX_END_NAMESPACE
