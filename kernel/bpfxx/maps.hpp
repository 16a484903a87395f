// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include <bpfxx/shared/map_types.hpp>

#include "helpers.hpp"

// BTF-defined maps. Each class template is a libbpf map definition: its only
// data members are the pointer fields libbpf reads from BTF (the number of
// elements of `int (*type)[N]` is the attribute; `K *key` gives the type),
// so stock libbpf and bpftool load it. The rules that keep the BTF valid:
// declared with `struct` (clang 19 emits no BTF for a type declared with
// `class`: the variable and every pointer to it get type 0), no base classes
// (an anonymous base member degrades the value type), no static data members
// (a member at offset 0 the kernel rejects), every method BPFXX_METHOD
// (nodebug), and real class templates, not alias templates. The same holds
// for key and value types. The static_asserts mirror the kernel's checks at
// map creation (6.18).
//
// Declare maps with BPFXX_MAP (program.hpp), which makes them extern "C"
// definitions in the .maps section.

namespace bpfxx {

// Flags of bpf_ringbuf_output/submit/discard: whether to wake the consumer.
enum class wakeup : u64 {
    adaptive = 0,  // only if the consumer has caught up
    none = 1,      // BPF_RB_NO_WAKEUP
    force = 2,     // BPF_RB_FORCE_WAKEUP
};

// What bpf_ringbuf_query reports (BPF_RB_AVAIL_DATA...).
enum class ringbuf_query : u64 {
    avail_data = 0,
    ring_size = 1,
    cons_pos = 2,
    prod_pos = 3,
};

// Index argument of perf_event_output meaning "the current CPU's buffer".
inline constexpr u64 current_cpu = 0xffffffffULL;  // BPF_F_CURRENT_CPU

namespace detail {

inline constexpr u32 access_flags =
    map_flags::rdonly | map_flags::wronly | map_flags::rdonly_prog | map_flags::wronly_prog;

// The map_flags each map type accepts at BPF_MAP_CREATE (measured on 6.18).
inline constexpr u32 hash_flags = map_flags::no_prealloc | map_flags::numa_node | map_flags::zero_seed | access_flags;
inline constexpr u32 percpu_hash_flags = map_flags::no_prealloc | map_flags::zero_seed | access_flags;
inline constexpr u32 lru_hash_flags =
    map_flags::no_common_lru | map_flags::numa_node | map_flags::zero_seed | access_flags;
inline constexpr u32 lru_percpu_hash_flags = map_flags::no_common_lru | map_flags::zero_seed | access_flags;
inline constexpr u32 array_flags = map_flags::numa_node | map_flags::mmapable | map_flags::inner_map | access_flags;
inline constexpr u32 percpu_array_flags = access_flags;
inline constexpr u32 queue_flags = map_flags::numa_node | access_flags;
inline constexpr u32 lpm_trie_flags = map_flags::no_prealloc | map_flags::numa_node | access_flags;
inline constexpr u32 bloom_filter_flags = map_flags::numa_node | map_flags::zero_seed | access_flags;
inline constexpr u32 stack_trace_flags =
    map_flags::numa_node | map_flags::rdonly | map_flags::wronly | map_flags::stack_build_id;
// fd_array_map_alloc_check(): program access flags are refused.
inline constexpr u32 map_in_map_flags = map_flags::numa_node | map_flags::rdonly | map_flags::wronly;
inline constexpr u32 hash_of_maps_flags = map_flags::no_prealloc | map_flags::numa_node | access_flags;

// bpf_map_flags_access_ok(): read-only and write-only exclude each other.
constexpr bool access_ok(u32 flags) noexcept {
    constexpr u32 sys = map_flags::rdonly | map_flags::wronly;
    constexpr u32 prog = map_flags::rdonly_prog | map_flags::wronly_prog;
    return (flags & sys) != sys && (flags & prog) != prog;
}

constexpr bool flags_ok(u32 flags, u32 accepted) noexcept {
    return (flags & ~accepted) == 0 && access_ok(flags);
}

// Per-CPU values are limited to PCPU_MIN_UNIT_SIZE after rounding up to 8.
inline constexpr u64 percpu_value_max = 32 * 1024;

template <typename K>
consteval bool check_key() {
    static_assert(sizeof(K) > 0, "a map key must have a non-zero size");
    static_assert(__is_trivially_copyable(K),
                  "a map key must be trivially copyable: the kernel copies and hashes its bytes");
    // The same rule as the user side's bpfxx::map_key.
    static_assert(__has_unique_object_representations(K),
                  "a map key must have no padding (and no floating point): the kernel hashes and compares every "
                  "byte, and padding bytes are indeterminate, so equal keys would miss each other; add explicit "
                  "padding members");
    return true;
}

template <typename V>
consteval bool check_value() {
    static_assert(sizeof(V) > 0, "a map value must have a non-zero size");
    static_assert(__is_trivially_copyable(V), "a map value must be trivially copyable: the kernel copies its bytes");
    static_assert(alignof(V) <= 8, "a map value may be aligned to at most 8 bytes: that is all the kernel guarantees");
    return true;
}

template <typename V>
consteval bool check_percpu_value() {
    static_assert(((sizeof(V) + 7) & ~u64(7)) <= percpu_value_max,
                  "a per-CPU map value is at most 32 KiB (PCPU_MIN_UNIT_SIZE)");
    return true;
}

template <typename V>
consteval bool check_counter() {
    static_assert(__is_integral(V) && (sizeof(V) == 4 || sizeof(V) == 8),
                  "increment() needs a 4- or 8-byte integer value: BPF atomics work on those sizes only");
    return true;
}

template <typename T, u64 RingBytes>
consteval bool check_record() {
    static_assert(__is_trivially_copyable(T), "a ring buffer record must be trivially copyable");
    static_assert(alignof(T) <= 8, "ring buffer records are 8-byte aligned");
    // Each record has an 8-byte header and is padded to 8 bytes.
    static_assert(((sizeof(T) + 8 + 7) & ~u64(7)) <= RingBytes, "the record never fits in this ring buffer");
    return true;
}

template <typename V, typename K>
BPFXX_METHOD V* lookup(void* map, const K& key) {
    return static_cast<V*>(helper::map_lookup_elem(map, &key));
}

template <typename K, typename V>
BPFXX_METHOD long update(void* map, const K& key, const V& value, update_flag flag) {
    return helper::map_update_elem(map, &key, &value, static_cast<u64>(flag));
}

template <typename K>
BPFXX_METHOD long erase(void* map, const K& key) {
    return helper::map_delete_elem(map, &key);
}

// The result is unused, so clang emits the plain atomic add (BPF_XADD) that
// every eBPF kernel runs; the fetching form needs 5.12.
template <typename V>
BPFXX_METHOD void atomic_add(V* target, V by) {
    __sync_fetch_and_add(target, by);
}

// Adds to a hash map counter, creating it when absent; a concurrent
// creation by another CPU makes the insert fail, and the add is retried.
template <bool Atomic, typename K, typename V>
BPFXX_METHOD void increment(void* map, const K& key, V by) {
    if (V* counter = lookup<V>(map, key)) {
        if constexpr (Atomic)
            atomic_add(counter, by);
        else
            *counter += by;
        return;
    }
    if (update(map, key, by, update_flag::noexist) == 0)
        return;
    if (V* counter = lookup<V>(map, key)) {
        if constexpr (Atomic)
            atomic_add(counter, by);
        else
            *counter += by;
    }
}

} // namespace detail

// The parts the hash maps share. Base classes would break their BTF (an
// anonymous base member), so the shared parts are spelled once here and
// expanded into each; the macros are undefined at the end of this file.
#define BPFXX_HASH_MAP_MEMBERS_(TYPE)                                                              \
    int (*type)[static_cast<int>(map_type::TYPE)];                                                 \
    K* key;                                                                                        \
    V* value;                                                                                      \
    int (*max_entries)[MaxEntries];                                                                \
    int (*map_flags)[Flags];                                                                       \
                                                                                                   \
    static constexpr map_type kind() { return map_type::TYPE; }                                    \
    static constexpr u32 capacity() { return MaxEntries; }                                         \
    static constexpr u32 flags() { return Flags; }                                                 \
                                                                                                   \
    BPFXX_METHOD V* lookup(const K& k) { return detail::lookup<V>(this, k); }                      \
    BPFXX_METHOD long update(const K& k, const V& v, update_flag flag = update_flag::any) {        \
        return detail::update(this, k, v, flag);                                                   \
    }                                                                                              \
    BPFXX_METHOD long erase(const K& k) { return detail::erase(this, k); }

// ATOMIC: whether increment() adds atomically (shared values) or not (a
// per-CPU value only this CPU writes).
#define BPFXX_HASH_MAP_INCREMENT_(ATOMIC)                                                          \
    BPFXX_METHOD void increment(const K& k, V by = V(1)) {                                         \
        static_assert(detail::check_counter<V>());                                                 \
        detail::increment<ATOMIC>(this, k, by);                                                    \
    }

// Another CPU's value (5.19).
#define BPFXX_PERCPU_LOOKUP_(KEY)                                                                  \
    BPFXX_METHOD V* lookup_on_cpu(KEY k, u32 cpu) {                                                \
        return static_cast<V*>(helper::map_lookup_percpu_elem(this, &k, cpu));                     \
    }

// BPF_MAP_TYPE_HASH (3.19). Preallocated unless Flags has no_prealloc.
template <typename K, typename V, u32 MaxEntries, u32 Flags = 0>
struct hash_map {
    static_assert(detail::check_key<K>() && detail::check_value<V>());
    static_assert(MaxEntries > 0, "a hash map needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::hash_flags), "flags a hash map does not accept");

    BPFXX_HASH_MAP_MEMBERS_(hash)
    BPFXX_HASH_MAP_INCREMENT_(true)
};

// BPF_MAP_TYPE_LRU_HASH (4.10): a full map evicts the least recently used entry.
template <typename K, typename V, u32 MaxEntries, u32 Flags = 0>
struct lru_hash_map {
    static_assert(detail::check_key<K>() && detail::check_value<V>());
    static_assert(MaxEntries > 0, "an LRU hash map needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::lru_hash_flags),
                  "flags an LRU hash map does not accept (no_prealloc: -ENOTSUPP)");

    BPFXX_HASH_MAP_MEMBERS_(lru_hash)
    BPFXX_HASH_MAP_INCREMENT_(true)
};

// BPF_MAP_TYPE_PERCPU_HASH (4.6): one value per CPU; a program sees its CPU's.
template <typename K, typename V, u32 MaxEntries, u32 Flags = 0>
struct percpu_hash_map {
    static_assert(detail::check_key<K>() && detail::check_value<V>() && detail::check_percpu_value<V>());
    static_assert(MaxEntries > 0, "a per-CPU hash map needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::percpu_hash_flags), "flags a per-CPU hash map does not accept");

    BPFXX_HASH_MAP_MEMBERS_(percpu_hash)
    BPFXX_HASH_MAP_INCREMENT_(false)
    BPFXX_PERCPU_LOOKUP_(const K&)
};

// BPF_MAP_TYPE_LRU_PERCPU_HASH (4.10).
template <typename K, typename V, u32 MaxEntries, u32 Flags = 0>
struct lru_percpu_hash_map {
    static_assert(detail::check_key<K>() && detail::check_value<V>() && detail::check_percpu_value<V>());
    static_assert(MaxEntries > 0, "an LRU per-CPU hash map needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::lru_percpu_hash_flags),
                  "flags an LRU per-CPU hash map does not accept");

    BPFXX_HASH_MAP_MEMBERS_(lru_percpu_hash)
    BPFXX_HASH_MAP_INCREMENT_(false)
    BPFXX_PERCPU_LOOKUP_(const K&)
};

// BPF_MAP_TYPE_ARRAY (3.19): u32 index keys, every element exists and starts
// zeroed; elements cannot be deleted.
template <typename V, u32 MaxEntries, u32 Flags = 0>
struct array_map {
    static_assert(detail::check_value<V>());
    static_assert(MaxEntries > 0, "an array map needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::array_flags), "flags an array map does not accept");

    int (*type)[static_cast<int>(map_type::array)];
    u32* key;
    V* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::array; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 flags() { return Flags; }

    // nullptr only when index >= MaxEntries.
    BPFXX_METHOD V* lookup(u32 index) { return detail::lookup<V>(this, index); }
    // update_flag::noexist always fails (-EEXIST): every element exists.
    BPFXX_METHOD long update(u32 index, const V& v, update_flag flag = update_flag::any) {
        return detail::update(this, index, v, flag);
    }
    BPFXX_METHOD void increment(u32 index) { increment(index, V(1)); }
    BPFXX_METHOD void increment(u32 index, V by) {
        static_assert(detail::check_counter<V>());
        if (V* counter = lookup(index))
            detail::atomic_add(counter, by);
    }
};

// BPF_MAP_TYPE_PERCPU_ARRAY (4.6): also the usual scratch space for values too
// big for the 512-byte stack.
template <typename V, u32 MaxEntries, u32 Flags = 0>
struct percpu_array_map {
    static_assert(detail::check_value<V>() && detail::check_percpu_value<V>());
    static_assert(MaxEntries > 0, "a per-CPU array map needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::percpu_array_flags), "flags a per-CPU array map does not accept");

    int (*type)[static_cast<int>(map_type::percpu_array)];
    u32* key;
    V* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::percpu_array; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 flags() { return Flags; }

    BPFXX_METHOD V* lookup(u32 index) { return detail::lookup<V>(this, index); }
    BPFXX_PERCPU_LOOKUP_(u32)
    BPFXX_METHOD long update(u32 index, const V& v, update_flag flag = update_flag::any) {
        return detail::update(this, index, v, flag);
    }
    BPFXX_METHOD void increment(u32 index) { increment(index, V(1)); }
    BPFXX_METHOD void increment(u32 index, V by) {
        static_assert(detail::check_counter<V>());
        if (V* counter = lookup(index))
            *counter += by;
    }
};

// BPF_MAP_TYPE_QUEUE (4.20): FIFO of values, no keys.
template <typename V, u32 MaxEntries, u32 Flags = 0>
struct queue {
    static_assert(detail::check_value<V>());
    static_assert(MaxEntries > 0, "a queue needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::queue_flags), "flags a queue does not accept");

    int (*type)[static_cast<int>(map_type::queue)];
    V* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::queue; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 flags() { return Flags; }

    // update_flag::exist makes a full queue drop its oldest value.
    BPFXX_METHOD long push(const V& v, update_flag flag = update_flag::any) {
        return helper::map_push_elem(this, &v, static_cast<u64>(flag));
    }
    BPFXX_METHOD long pop(V& out) { return helper::map_pop_elem(this, &out); }
    BPFXX_METHOD long peek(V& out) { return helper::map_peek_elem(this, &out); }
};

// BPF_MAP_TYPE_STACK (4.20): LIFO of values, no keys.
template <typename V, u32 MaxEntries, u32 Flags = 0>
struct stack {
    static_assert(detail::check_value<V>());
    static_assert(MaxEntries > 0, "a stack needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::queue_flags), "flags a stack does not accept");

    int (*type)[static_cast<int>(map_type::stack)];
    V* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::stack; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 flags() { return Flags; }

    // update_flag::exist makes a full stack drop its oldest value.
    BPFXX_METHOD long push(const V& v, update_flag flag = update_flag::any) {
        return helper::map_push_elem(this, &v, static_cast<u64>(flag));
    }
    BPFXX_METHOD long pop(V& out) { return helper::map_pop_elem(this, &out); }
    BPFXX_METHOD long peek(V& out) { return helper::map_peek_elem(this, &out); }
};

// BPF_MAP_TYPE_PROG_ARRAY (4.2): program fds filled in by user space, the
// targets of tail calls.
template <u32 MaxEntries>
struct prog_array {
    static_assert(MaxEntries > 0, "a program array needs max_entries > 0");

    int (*type)[static_cast<int>(map_type::prog_array)];
    int (*key_size)[sizeof(u32)];
    int (*value_size)[sizeof(u32)];
    int (*max_entries)[MaxEntries];

    static constexpr map_type kind() { return map_type::prog_array; }
    static constexpr u32 capacity() { return MaxEntries; }

    // Jumps to the program at index and does not return; returns a negative
    // errno when the slot is empty or the tail-call limit (33) is reached.
    BPFXX_METHOD long tail_call(void* ctx, u32 index) { return helper::tail_call(ctx, this, index); }
};

// BPF_MAP_TYPE_LPM_TRIE (4.11): longest-prefix match. K is lpm_key<T>
// (shared/map_types.hpp); a lookup with a full-length prefix finds the
// entry with the longest prefix that matches. The kernel requires
// no_prealloc, which the default Flags has.
template <typename K, typename V, u32 MaxEntries, u32 Flags = map_flags::no_prealloc>
struct lpm_trie {
    static_assert(detail::check_key<K>() && detail::check_value<V>());
    static_assert(sizeof(K) > 4 && sizeof(K) <= 4 + 256,
                  "an LPM trie key is lpm_key<T>: a u32 prefix length and 1 to 256 bytes of data");
    static_assert(MaxEntries > 0, "an LPM trie needs max_entries > 0");
    static_assert((Flags & map_flags::no_prealloc) != 0, "an LPM trie needs map_flags::no_prealloc");
    static_assert(detail::flags_ok(Flags, detail::lpm_trie_flags), "flags an LPM trie does not accept");

    int (*type)[static_cast<int>(map_type::lpm_trie)];
    K* key;
    V* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::lpm_trie; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 flags() { return Flags; }
    // The number of bits a full-length lookup key has.
    static constexpr u32 max_prefix() { return (sizeof(K) - 4) * 8; }

    // The value of the longest stored prefix matching k.data's first
    // k.prefixlen bits (use max_prefix() to match an address), or nullptr.
    BPFXX_METHOD V* lookup(const K& k) { return detail::lookup<V>(this, k); }
    BPFXX_METHOD long update(const K& k, const V& v, update_flag flag = update_flag::any) {
        return detail::update(this, k, v, flag);
    }
    BPFXX_METHOD long erase(const K& k) { return detail::erase(this, k); }
};

// BPF_MAP_TYPE_BLOOM_FILTER (5.16): a set that answers "maybe present" or
// "certainly absent"; values cannot be removed. Hashes is the number of
// hash functions, 1 to 15 (0: the kernel's default, 5).
template <typename V, u32 MaxEntries, u32 Hashes = 0, u32 Flags = 0>
struct bloom_filter {
    static_assert(detail::check_value<V>());
    static_assert(MaxEntries > 0, "a bloom filter needs max_entries > 0");
    static_assert(Hashes <= 15, "a bloom filter takes 1 to 15 hash functions (0: the default, 5)");
    static_assert(detail::flags_ok(Flags, detail::bloom_filter_flags), "flags a bloom filter does not accept");

    int (*type)[static_cast<int>(map_type::bloom_filter)];
    V* value;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];
    int (*map_extra)[Hashes];

    static constexpr map_type kind() { return map_type::bloom_filter; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 flags() { return Flags; }

    // 0, or a negative errno.
    BPFXX_METHOD long push(const V& v) { return helper::map_push_elem(this, &v, 0); }
    // false: v was never pushed. true: it probably was.
    BPFXX_METHOD bool contains(const V& v) { return helper::map_peek_elem(this, const_cast<V*>(&v)) == 0; }
};

// BPF_MAP_TYPE_STACK_TRACE (4.6): stacks recorded by get_stackid(), each
// stored once under a u32 id that user space resolves to its frames
// (bpfxx::stack_trace_map). Depth is the number of frames kept, at most
// the kernel.perf_event_max_stack sysctl (127 by default). With
// map_flags::stack_build_id in Flags each frame is a stack_frame_build_id
// instead of an address.
template <u32 MaxEntries, u32 Depth = 127, u32 Flags = 0>
struct stack_trace_map {
    static_assert(MaxEntries > 0, "a stack trace map needs max_entries > 0");
    static_assert(Depth > 0 && Depth <= 127, "Depth: 1 to 127 frames (kernel.perf_event_max_stack's default)");
    static_assert(detail::flags_ok(Flags, detail::stack_trace_flags), "flags a stack trace map does not accept");

    int (*type)[static_cast<int>(map_type::stack_trace)];
    int (*key_size)[sizeof(u32)];
    int (*value_size)[Depth * ((Flags & map_flags::stack_build_id) != 0 ? sizeof(stack_frame_build_id) : sizeof(u64))];
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];

    static constexpr map_type kind() { return map_type::stack_trace; }
    static constexpr u32 capacity() { return MaxEntries; }
    static constexpr u32 depth() { return Depth; }

    // Records the current stack (kernel, or user with stack_flags::user_stack)
    // and returns its id, or a negative errno: -EEXIST when another stack
    // has the same hash (stack_flags::reuse_id replaces it instead),
    // -EFAULT when the stack cannot be read. ctx is the program's context.
    BPFXX_METHOD long get_id(void* ctx, u64 flags = 0) { return helper::get_stackid(ctx, this, flags); }
};

// BPF_MAP_TYPE_ARRAY_OF_MAPS (4.12): u32 index -> a map of type Inner (a
// bpfxx map template, which is also what the loader creates the inner
// map template from). User space puts maps in (bpfxx::array_of_maps).
//
//     BPFXX_MAP(per_tenant, bpfxx::array_of_maps<bpfxx::hash_map<u32, u64, 64>, 8>);
//     if (auto* counts = per_tenant.lookup(tenant)) counts->increment(pid);
template <typename Inner, u32 MaxEntries, u32 Flags = 0>
struct array_of_maps {
    static_assert(MaxEntries > 0, "an array of maps needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::map_in_map_flags), "flags an array of maps does not accept");

    int (*type)[static_cast<int>(map_type::array_of_maps)];
    int (*key_size)[sizeof(u32)];
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];
    Inner* values[];  // libbpf's __array(values, Inner): the inner map's definition

    static constexpr map_type kind() { return map_type::array_of_maps; }
    static constexpr u32 capacity() { return MaxEntries; }

    // The map at index, or nullptr when the slot is empty.
    BPFXX_METHOD Inner* lookup(u32 index) { return static_cast<Inner*>(helper::map_lookup_elem(this, &index)); }
};

// BPF_MAP_TYPE_HASH_OF_MAPS (4.12): key K -> a map of type Inner.
template <typename K, typename Inner, u32 MaxEntries, u32 Flags = 0>
struct hash_of_maps {
    static_assert(detail::check_key<K>());
    static_assert(MaxEntries > 0, "a hash of maps needs max_entries > 0");
    static_assert(detail::flags_ok(Flags, detail::hash_of_maps_flags), "flags a hash of maps does not accept");

    int (*type)[static_cast<int>(map_type::hash_of_maps)];
    K* key;
    int (*max_entries)[MaxEntries];
    int (*map_flags)[Flags];
    Inner* values[];

    static constexpr map_type kind() { return map_type::hash_of_maps; }
    static constexpr u32 capacity() { return MaxEntries; }

    BPFXX_METHOD Inner* lookup(const K& k) { return static_cast<Inner*>(helper::map_lookup_elem(this, &k)); }
};

// BPF_MAP_TYPE_PERF_EVENT_ARRAY (4.3): one perf buffer per CPU. MaxEntries 0
// lets the loader use the number of possible CPUs, as libbpf does.
template <u32 MaxEntries = 0>
struct perf_event_array {
    int (*type)[static_cast<int>(map_type::perf_event_array)];
    int (*key_size)[sizeof(u32)];
    int (*value_size)[sizeof(u32)];
    int (*max_entries)[MaxEntries];

    static constexpr map_type kind() { return map_type::perf_event_array; }
    static constexpr u32 capacity() { return MaxEntries; }

    // Copies record into the perf buffer of the CPU at index (default: this
    // CPU's); ctx is the program's context. 0 or a negative errno.
    template <typename T>
    BPFXX_METHOD long output(void* ctx, const T& record, u64 index = current_cpu) {
        static_assert(__is_trivially_copyable(T), "a perf event record must be trivially copyable");
        return helper::perf_event_output(ctx, this, index, const_cast<T*>(&record), sizeof(T));
    }
};

// BPF_MAP_TYPE_RINGBUF (5.8): one buffer shared by all CPUs, records read by
// user space in order. Bytes is the data area size: a power of two and a
// multiple of the page size (4096 here; the loader rounds up on kernels with
// bigger pages).
//
// Drops: Drops::count() runs for every record that did not fit (reserve or
// output failed), and nothing runs when records fit. BPFXX_RING_BUFFER
// (program.hpp) declares the ring with a counter user space reads; with the
// default, void, nothing is counted. Drops is a type template argument, so
// the map's BTF (its members) stays what libbpf expects.
template <u32 Bytes, typename Drops = void>
struct ring_buffer {
    static_assert(detail::power_of_two(Bytes) && Bytes % 4096 == 0,
                  "a ring buffer's size must be a power of two and a multiple of 4096");

    int (*type)[static_cast<int>(map_type::ringbuf)];
    int (*max_entries)[Bytes];

    static constexpr map_type kind() { return map_type::ringbuf; }
    static constexpr u32 size() { return Bytes; }

    // Reserves a T in the buffer, lets `fill(T&)` write it in place, and
    // submits it to user space; when `fill` returns false the record is
    // discarded instead. Returns whether a record was submitted (false too
    // when the buffer is full). The memory is not zeroed: write every field
    // user space reads.
    //
    //     events.reserve<event>([&](event& e) { e.pid = pid; });
    //
    // There is no handle to a reservation that may be empty, so nothing can
    // submit one unchecked or leave one unreleased: the verifier's "possibly
    // NULL" and "unreleased reference" errors cannot be written.
    template <typename T, typename Fill>
    BPFXX_METHOD bool reserve(Fill&& fill, wakeup mode = wakeup::adaptive) {
        static_assert(detail::check_record<T, Bytes>());
        T* record = static_cast<T*>(helper::ringbuf_reserve(this, sizeof(T), 0));
        if (record == nullptr) {
            count_drop();
            return false;
        }
        if constexpr (__is_same(decltype(fill(*record)), void)) {
            fill(*record);
        } else if (!fill(*record)) {
            helper::ringbuf_discard(record, static_cast<u64>(mode));
            return false;
        }
        helper::ringbuf_submit(record, static_cast<u64>(mode));
        return true;
    }

    // Copies record into the buffer: 0, or -EAGAIN when it is full.
    template <typename T>
    BPFXX_METHOD long output(const T& record, wakeup mode = wakeup::adaptive) {
        static_assert(detail::check_record<T, Bytes>());
        const long err = helper::ringbuf_output(this, const_cast<T*>(&record), sizeof(T), static_cast<u64>(mode));
        if (err != 0) count_drop();
        return err;
    }

    BPFXX_METHOD u64 query(ringbuf_query what) { return helper::ringbuf_query(this, static_cast<u64>(what)); }

private:
    BPFXX_METHOD static void count_drop() {
        if constexpr (!__is_same(Drops, void)) Drops::count();
    }
};

// struct bpf_dynptr (5.19): what a user ring buffer hands each sample as.
// Opaque; read it with read_sample().
struct alignas(8) dynptr {
    u64 opaque[2];
};

// BPF_MAP_TYPE_USER_RINGBUF (6.1): records user space writes
// (bpfxx::user_ring_buffer) and programs drain. Bytes as for ring_buffer.
//
//     long take(bpfxx::dynptr* sample, state* s) {
//         command c;
//         if (bpfxx::read_sample(sample, c) == 0) s->sum += c.value;
//         return 0;  // 1 stops the drain
//     }
//     requests.drain(&take, &s);
template <u32 Bytes>
struct user_ring_buffer {
    static_assert(detail::power_of_two(Bytes) && Bytes % 4096 == 0,
                  "a ring buffer's size must be a power of two and a multiple of 4096");

    int (*type)[static_cast<int>(map_type::user_ringbuf)];
    int (*max_entries)[Bytes];

    static constexpr map_type kind() { return map_type::user_ringbuf; }
    static constexpr u32 size() { return Bytes; }

    // Calls callback(sample, ctx) for each submitted sample, oldest first,
    // until it returns 1 or the ring is empty; the number of samples
    // drained, or a negative errno (-EBUSY: another drain is running). The
    // callback must be a function (a captureless lambda converts with
    // unary +), which becomes a subprogram.
    template <typename Ctx>
    BPFXX_METHOD long drain(long (*callback)(dynptr* sample, Ctx* ctx), Ctx* ctx) {
        return helper::user_ringbuf_drain(this, reinterpret_cast<void*>(callback), ctx, 0);
    }
};

// Copies the first sizeof(T) bytes of a sample into `out`: 0, or a
// negative errno when the sample is shorter.
template <typename T>
BPFXX_METHOD long read_sample(const dynptr* sample, T& out) {
    static_assert(__is_trivially_copyable(T), "a sample is read as a trivially copyable type");
    return helper::dynptr_read(&out, sizeof(T), sample, 0, 0);
}

} // namespace bpfxx

#undef BPFXX_HASH_MAP_MEMBERS_
#undef BPFXX_HASH_MAP_INCREMENT_
#undef BPFXX_PERCPU_LOOKUP_
