// SPDX-License-Identifier: MIT OR Apache-2.0
// The one place bpfxx looks at bytes as an object of another type.
//
// Three kinds of memory hold objects that no C++ expression of this process
// created: the mmapped value of a global data map (a skeleton's .data,
// .bss, .rodata after load), the mmapped pages of a ring buffer (its
// positions, record headers and records, written by the kernel), and a
// skeleton's private image of a section before load (bytes from the object
// file). Every view of them goes through view_as<T>() below, and only for
// implicit-lifetime types (trivially copyable, trivially destructible: the
// static_asserts), properly aligned (checked in debug builds).
//
// Why this is defined: objects of implicit-lifetime type come into being in
// storage handed out by an allocation function or by the operating system's
// mapping calls ([intro.object] 10-13 as amended by P0593, which leaves mmap
// to its platform to specify alike; C++23 spells the same thing
// std::start_lifetime_as, a no-op in code). view_as then std::launder's the
// pointer to reach that object. Nothing is written to start a lifetime: a
// memmove(p, p, n) would race with the kernel's writes, and fault on the
// read-only pages of .rodata and of the ring's producer side. For storage
// bpfxx fills itself (a section image), start_lifetime() does the C++20
// memmove once, before the first view.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/view.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

BPFXX_BEGIN_NAMESPACE
namespace detail {

template <class T>
concept implicit_lifetime =
    std::is_object_v<T> && std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>;

template <implicit_lifetime T>
[[nodiscard]] T* view_as(std::byte* p) noexcept {
    assert(reinterpret_cast<std::uintptr_t>(p) % alignof(T) == 0);
    return std::launder(reinterpret_cast<T*>(p));
}

template <implicit_lifetime T>
[[nodiscard]] const T* view_as(const std::byte* p) noexcept {
    assert(reinterpret_cast<std::uintptr_t>(p) % alignof(T) == 0);
    return std::launder(reinterpret_cast<const T*>(p));
}

// Starts the lifetime of whatever implicit-lifetime objects the program
// then views in [p, p + size), which this process owns alone (C++20
// [cstring.syn]: memmove implicitly creates objects in its destination).
inline void start_lifetime(std::byte* p, std::size_t size) noexcept {
    if (size != 0) std::memmove(p, p, size);
}

}  // namespace detail
BPFXX_END_NAMESPACE
