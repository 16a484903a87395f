// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "helpers.hpp"
#include "types.hpp"

// Iterator programs (SEC("iter/<kind>"), Linux 5.8): the kernel calls the
// program once per object it walks (a task, a BPF map, a socket...), then
// once more with a null object at the end; what the program writes with
// seq_write() or seq_printf() is what user space reads
// (bpfxx::read_iterator).
//
//   BPFXX_PROGRAM("iter/task")
//   int tasks(bpfxx::iter_context<kernel::task_struct>* ctx) {
//       const auto* task = ctx->item;
//       if (task == nullptr) return 0;       // the end of the walk
//       record r = {BPFXX_CORE_READ(task, tgid), ...};
//       bpfxx::seq_write(ctx->meta, r);
//       return 0;
//   }
//
// The object's type is the kernel's (task_struct, bpf_map, sock_common...):
// declare the fields you read in a local struct of that name and read them
// with BPFXX_CORE_READ, or take the type from a generated vmlinux.hpp.

namespace bpfxx {

// struct bpf_iter_meta: the output (a seq_file) and where the walk is.
struct [[clang::standalone_debug]] iter_meta {
    void* seq;
    u64 session_id;
    u64 seq_num;  // how many objects came before this one
};

// The context of an iterator over objects of type T (the kernel's
// bpf_iter__<kind>: the meta, then a pointer to the object, null at the
// end). Iterators whose context has more fields (bpf_map_elem: key and
// value) declare their own struct with `meta` first.
template <typename T>
struct [[clang::standalone_debug]] iter_context {
    iter_meta* meta;
    T* item;
};

// Writes `value`'s bytes to the iterator's output; 0, or -E2BIG when the
// kernel's buffer cannot take them (user space then reads again).
template <typename T>
BPFXX_METHOD long seq_write(iter_meta* meta, const T& value) {
    return helper::seq_write(meta->seq, &value, sizeof(T));
}

// printf-style text (the kernel's subset: %d %i %u %x %ld %lu %lx %lld
// %llu %llx %p %s %c), at most 12 arguments; the format is a string
// literal, which clang places in read-only memory as the helper requires.
template <u32 N, typename... Args>
BPFXX_METHOD long seq_printf(iter_meta* meta, const char (&fmt)[N], Args... args) {
    static_assert(sizeof...(Args) <= 12, "bpf_seq_printf takes at most 12 arguments");
    if constexpr (sizeof...(Args) == 0) {
        return helper::seq_printf(meta->seq, fmt, N, nullptr, 0);
    } else {
        const u64 data[] = {static_cast<u64>(detail::as_register(args))...};
        return helper::seq_printf(meta->seq, fmt, N, data, sizeof data);
    }
}

} // namespace bpfxx
