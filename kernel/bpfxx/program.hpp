// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "types.hpp"

// Programs, maps and the license, placed as libbpf's conventions want them.
// All three are extern "C" so their ELF symbols keep the plain names the
// loader and the skeleton use (a C++ name would be mangled).

// BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_execve")
// int on_execve(bpfxx::trace_event<bpfxx::syscall_enter>* ctx) { ... }
//
// The section name selects the program type and attach point. bpfxx's
// loader names unnamed parameters itself; stock libbpf needs them named
// (the kernel rejects an unnamed one in the BTF: "Invalid arg#1").
#define BPFXX_PROGRAM(section_name) extern "C" [[gnu::section(section_name), gnu::used]]

// BPFXX_MAP(counts, bpfxx::hash_map<u32, u64, 1024>);
//
// Defines the map (the braces make extern "C" a definition, not a
// declaration) in the .maps section. The type may contain commas.
#define BPFXX_MAP(name, ...)                                                                       \
    extern "C" {                                                                                   \
    [[gnu::section(".maps"), gnu::used]] __VA_ARGS__ name;                                         \
    }                                                                                              \
    static_assert(true)

// BPFXX_RING_BUFFER(events, 256 * 1024);
//
// A ring buffer whose drops are counted: every record that does not fit
// (reserve or output failing because the ring is full) adds one to the
// global `events__dropped` (.bss, an atomic add: nothing when nothing is
// dropped), which user space reads (the skeleton member's dropped()). The
// map is `events`, as BPFXX_MAP would define it.
#define BPFXX_RING_BUFFER(name, bytes)                                                             \
    extern "C" {                                                                                   \
    [[gnu::used]] ::bpfxx::u64 name##__dropped = 0;                                                \
    }                                                                                              \
    struct name##__drops {                                                                         \
        BPFXX_METHOD static void count() { __sync_fetch_and_add(&name##__dropped, 1); }            \
    };                                                                                             \
    BPFXX_MAP(name, ::bpfxx::ring_buffer<bytes, name##__drops>)

// BPFXX_RECORD_TYPE(events, event);
//
// Records in the object which type the ring buffer (or perf event array)
// `events` carries. A type used only through reserve<T>() or output(T)
// never reaches the object's BTF, and map definitions cannot carry it (the
// kernel wants ring buffers without key or value). This defines a pointer
// to the type in the .bpfxx.records section, which loaders that do not know
// it (stock libbpf) skip; bpfxx's skeleton generator reads it to check, at
// compile time, that user space reads the same layout.
#define BPFXX_RECORD_TYPE(map, ...)                                                                \
    extern "C" {                                                                                   \
    [[gnu::section(".bpfxx.records"), gnu::used]] __VA_ARGS__* __bpfxx_record__##map = nullptr;    \
    }                                                                                              \
    static_assert(true)

// BPFXX_LICENSE("Dual MIT/GPL");
//
// The kernel lets a program call GPL-only helpers (bpf_probe_read_*,
// bpf_trace_printk, ...) only when this string is GPL-compatible.
#define BPFXX_LICENSE(license_string)                                                              \
    extern "C" {                                                                                   \
    [[gnu::section("license"), gnu::used]] char LICENSE[] = license_string;                        \
    }                                                                                              \
    static_assert(true)

// BPFXX_KCONFIG(bpfxx::u32, LINUX_KERNEL_VERSION);
// BPFXX_KCONFIG(bpfxx::tristate, CONFIG_BPF_LSM);
// BPFXX_KCONFIG_WEAK(bool, CONFIG_DEBUG_INFO_BTF_MODULES);
//
// A value of the running kernel's build configuration (libbpf's __kconfig
// externs, in section .kconfig), which the loader fills in before the
// programs load. The map holding them is read-only and frozen: the verifier
// sees the values as constants and drops the branches they rule out.
// CONFIG_* options take bool (y/n), bpfxx::tristate (y/m/n), char, integer
// (numbers) or char-array (strings) types; LINUX_KERNEL_VERSION (compare
// with bpfxx::kernel_version), LINUX_HAS_BPF_COOKIE and
// LINUX_HAS_SYSCALL_WRAPPER come from the kernel itself. Loading fails
// when a plain extern's value is missing; a weak one reads zero then.
//
// The braces matter: clang gives `extern "C" T name` (one declaration, no
// braces) the section but leaves it out of the .kconfig DATASEC in the
// BTF, which loaders need to find the extern.
#define BPFXX_KCONFIG(type, name)                                                                  \
    extern "C" {                                                                                   \
    [[gnu::section(".kconfig")]] extern const volatile __typeof__(type) name;                      \
    }                                                                                              \
    static_assert(true)
#define BPFXX_KCONFIG_WEAK(type, name)                                                             \
    extern "C" {                                                                                   \
    [[gnu::section(".kconfig"), gnu::weak]] extern const volatile __typeof__(type) name;           \
    }                                                                                              \
    static_assert(true)

namespace bpfxx {

// A tristate option: built in, a module, or not set. libbpf's
// enum libbpf_tristate has the same values.
enum class tristate : int { no = 0, yes = 1, module = 2 };

// The kernel's KERNEL_VERSION(a, b, c), as LINUX_KERNEL_VERSION holds it.
constexpr u32 kernel_version(u32 major, u32 minor, u32 patch) {
    return (major << 16) + (minor << 8) + (patch > 255 ? 255 : patch);
}

}  // namespace bpfxx
