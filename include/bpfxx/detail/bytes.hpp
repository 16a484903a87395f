// SPDX-License-Identifier: MIT OR Apache-2.0
// Bounds-checked reads of trivially copyable records from untrusted bytes.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/bytes.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

BPFXX_BEGIN_NAMESPACE
namespace detail {

using bytes = std::span<const std::byte>;

// True when [offset, offset + size) lies inside a buffer of `total` bytes,
// without overflowing.
constexpr bool in_bounds(std::uint64_t offset, std::uint64_t size, std::uint64_t total) noexcept {
    return offset <= total && size <= total - offset;
}

// load()'s error, out of line so that load() itself inlines.
[[noreturn, gnu::noinline, gnu::cold]] inline void load_past_end(std::string_view where, std::size_t size,
                                                                 std::uint64_t offset, std::size_t total) {
    raise(cat(where, ": ", size, " bytes at offset ", hex(offset), " run past the end (", total, " bytes)"));
}

// Copies a T out of `data` at `offset`; the bytes need no alignment.
// `where` names the thing being read for the error message.
template <class T>
    requires std::is_trivially_copyable_v<T>
T load(bytes data, std::uint64_t offset, std::string_view where) {
    if (!in_bounds(offset, sizeof(T), data.size())) [[unlikely]]
        load_past_end(where, sizeof(T), offset, data.size());
    T value;
    std::memcpy(&value, data.data() + offset, sizeof(T));
    return value;
}

// The sub-span [offset, offset + size) or an error naming `where`.
inline bytes slice(bytes data, std::uint64_t offset, std::uint64_t size, std::string_view where) {
    if (!in_bounds(offset, size, data.size()))
        raise(cat(where, ": range ", hex(offset), "+", hex(size), " runs past the end (",
                  data.size(), " bytes)"));
    return data.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
}

// A NUL-terminated string at `offset` inside a string table; the terminator
// must lie inside the table.
inline std::string_view c_string(bytes table, std::uint64_t offset, std::string_view where) {
    if (offset >= table.size())
        raise(cat(where, ": string offset ", hex(offset), " is past the string table (",
                  table.size(), " bytes)"));
    const auto* begin = reinterpret_cast<const char*>(table.data()) + offset;
    const auto* end = static_cast<const char*>(std::memchr(begin, 0, table.size() - offset));
    if (end == nullptr)
        raise(cat(where, ": string at offset ", hex(offset), " is not NUL-terminated"));
    return {begin, static_cast<std::size_t>(end - begin)};
}

inline bytes as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace detail
BPFXX_END_NAMESPACE
