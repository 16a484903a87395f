// SPDX-License-Identifier: MIT OR Apache-2.0
// Typed user-space handles on BPF maps: hash_map, array_map and their per-CPU
// forms. open() checks the map against the C++ types once (setup: throws
// bpfxx::error); lookups, updates, erases and walks then never throw for
// outcomes that are normal in eBPF — a missing key is std::nullopt, a full
// map or an existing key is a bpfxx::result carrying the errno.
//
// Walking a hash map (keys(), items(), count()) uses BPF_MAP_GET_NEXT_KEY,
// which the kernel answers from the live map, not a snapshot. The rules:
//  - The successor of a key is fetched when the walk arrives at it, before
//    the loop body runs, so erasing the current key inside the loop is safe:
//    every key is still visited exactly once.
//  - items() skips a key erased between being listed and being read (its
//    lookup fails with ENOENT), as cilium/ebpf's MapIterator does; keys()
//    may list such a key.
//  - When the key the walk continues from has vanished (erased by another
//    thread or a BPF program, or by the loop body when it erases a key other
//    than the current one), a hash map restarts from its first key (all
//    kernels: htab_map_get_next_key). The walk recognises a restart when it
//    brings back one of the first 8 keys it listed, and then continues from
//    the key before the vanished one; if that one is gone too, the walk ends
//    with status() EAGAIN rather than list keys twice. A restart to a key
//    it has not listed (one inserted ahead of all others meanwhile) goes
//    unnoticed, and keys may then be listed twice.
//  - A walk lists at most max_entries keys, as cilium/ebpf's does: more means
//    the map churned while it ran; it ends with status() EAGAIN.
// So a walk whose status() is success has listed every key that was in the
// map from its start to its end. Array walks go by index and have none of
// these issues.
#pragma once
#ifdef __bpf__
#error "bpfxx/map.hpp is user-space only; kernel code includes <bpfxx/kernel.hpp>"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/cpus.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/shared/map_types.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/fd.hpp>

#include <fcntl.h>

#include <array>
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE

namespace detail {

// What both keys and values must be: a complete object type whose bytes are
// its value (the kernel copies them), with no qualifiers, no C array (use
// std::array: a C array cannot be returned by value), no pointer (an address
// in this process means nothing in the kernel or in another process), and
// not empty (an empty struct is 1 byte in C++ but 0 in C, so the two sides
// would disagree on the size).
template <class T>
concept map_element = std::is_object_v<T> && std::is_same_v<T, std::remove_cv_t<T>> && !std::is_array_v<T> &&
                      !std::is_pointer_v<T> && !std::is_member_pointer_v<T> && !std::is_null_pointer_v<T> &&
                      !std::is_empty_v<T> && std::is_trivially_copyable_v<T>;

}  // namespace detail

// A map key type. The kernel hashes and compares every byte of a key, so a
// key must also have no padding, whose bytes C++ leaves indeterminate (a key
// built field by field would then miss its entry): add explicit padding
// members instead. This also excludes floating point, where equal values
// (0.0 and -0.0) have different bytes.
template <class T>
concept map_key = detail::map_element<T> && std::has_unique_object_representations_v<T>;

// A map value type. The kernel aligns values to 8 bytes at most (the
// kernel-side maps assert the same).
template <class T>
concept map_value = detail::map_element<T> && (alignof(T) <= 8);

// A per-CPU map value: the kernel rounds each CPU's slot up to 8 bytes and
// limits it to PCPU_MIN_UNIT_SIZE, 32 KiB.
template <class T>
concept percpu_map_value = map_value<T> && (((sizeof(T) + 7) & ~std::size_t{7}) <= 32 * 1024);

namespace detail {

// ---- element operations: 0 or the errno --------------------------------

inline int map_call(sys::bpf_cmd cmd, int fd, const void* key, const void* value, u64 flags) noexcept {
    sys::attr::map_elem a;
    a.map_fd = static_cast<u32>(fd);
    a.key = sys::ptr_to_u64(key);
    a.value = sys::ptr_to_u64(value);
    a.flags = flags;
    return sys::bpf(cmd, a) < 0 ? errno : 0;
}
inline int map_lookup(int fd, const void* key, void* value) noexcept {
    return map_call(sys::bpf_cmd::map_lookup_elem, fd, key, value, 0);
}
inline int map_update(int fd, const void* key, const void* value, update_flag flag) noexcept {
    return map_call(sys::bpf_cmd::map_update_elem, fd, key, value, static_cast<u64>(flag));
}
inline int map_delete(int fd, const void* key) noexcept {
    return map_call(sys::bpf_cmd::map_delete_elem, fd, key, nullptr, 0);
}
// Hash maps from Linux 5.14, queues and stacks (null key) from 4.20.
inline int map_lookup_and_delete(int fd, const void* key, void* value) noexcept {
    return map_call(sys::bpf_cmd::map_lookup_and_delete_elem, fd, key, value, 0);
}
// A null key asks for the first key (Linux 4.12).
inline int map_next_key(int fd, const void* key, void* next) noexcept {
    return map_call(sys::bpf_cmd::map_get_next_key, fd, key, next, 0);
}

inline result<void> to_result(int err) noexcept {
    if (err != 0) return failure{err};
    return {};
}

template <class T>
using byte_image = std::array<std::byte, sizeof(T)>;

// The C++ spelling of T, for error messages ("unsigned int", "app::event").
template <class T>
std::string_view type_name() noexcept {
    // GCC: "... type_name() [with T = unsigned int; std::string_view = ...]"
    // clang: "... type_name() [T = unsigned int]"
    std::string_view s = __PRETTY_FUNCTION__;
    auto start = s.find("T = ");
    if (start == std::string_view::npos) return "?";
    start += 4;
    auto stop = s.find(';', start);
    if (stop == std::string_view::npos) stop = s.rfind(']');
    if (stop == std::string_view::npos || stop < start) return "?";
    return s.substr(start, stop - start);
}

// ---- open ---------------------------------------------------------------

// The typed handle meant for a map type, for "open it with ..." advice.
constexpr const char* handle_for(map_type type) noexcept {
    switch (type) {
    case map_type::hash:
    case map_type::lru_hash: return "bpfxx::hash_map";
    case map_type::percpu_hash:
    case map_type::lru_percpu_hash: return "bpfxx::percpu_hash_map";
    case map_type::array: return "bpfxx::array_map";
    case map_type::percpu_array: return "bpfxx::percpu_array_map";
    case map_type::ringbuf: return "bpfxx::ring_buffer";
    case map_type::sockmap: return "bpfxx::sock_map";
    case map_type::lpm_trie: return "bpfxx::lpm_trie (bpfxx/map_kinds.hpp)";
    case map_type::queue: return "bpfxx::queue (bpfxx/map_kinds.hpp)";
    case map_type::stack: return "bpfxx::stack (bpfxx/map_kinds.hpp)";
    case map_type::bloom_filter: return "bpfxx::bloom_filter (bpfxx/map_kinds.hpp)";
    case map_type::prog_array: return "bpfxx::prog_array (bpfxx/map_kinds.hpp)";
    case map_type::array_of_maps:
    case map_type::hash_of_maps: return "bpfxx::map_of_maps (bpfxx/map_kinds.hpp)";
    case map_type::stack_trace: return "bpfxx::stack_trace_map (bpfxx/map_kinds.hpp)";
    default: return nullptr;
    }
}

// ---- batches ------------------------------------------------------------

// Whether the kernel has the batch commands (Linux 5.6), asked once.
[[nodiscard]] BPFXX_DECL bool kernel_has_map_batch() noexcept;

// One BPF_MAP_*_BATCH call; `count` in: entries given or room, out: done.
// token: the position, read when `resume`, written unless null.
inline int map_batch(sys::bpf_cmd cmd, int fd, void* token, bool resume, const void* keys, const void* values,
                     u32& count, u64 elem_flags) noexcept {
    sys::attr::map_batch a;
    a.in_batch = resume ? sys::ptr_to_u64(token) : 0;
    a.out_batch = sys::ptr_to_u64(token);
    a.keys = sys::ptr_to_u64(keys);
    a.values = sys::ptr_to_u64(values);
    a.count = count;
    a.map_fd = static_cast<u32>(fd);
    a.elem_flags = elem_flags;
    const int err = sys::bpf(cmd, a) < 0 ? errno : 0;
    count = a.count;
    return err;
}

// What a typed handle needs of the map it opens.
struct map_requirements {
    std::string_view handle;  // "bpfxx::hash_map<unsigned int, Event>"
    std::span<const map_type> types;
    std::string_view key_type;
    u32 key_size;
    std::string_view value_type;
    u32 value_size;
    // Nonzero: any value size that is a multiple of this (stack traces).
    u32 value_size_multiple = 0;
};

// A map as the typed handles hold it: their own descriptor and what
// BPF_OBJ_GET_INFO_BY_FD said about it.
class map_base {
public:
    map_base() noexcept = default;

    // The handle's own descriptor (a duplicate of the one open() was given).
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    // The kernel's name for the map (at most 15 characters; empty if none).
    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    [[nodiscard]] map_type type() const noexcept { return type_; }
    [[nodiscard]] u32 id() const noexcept { return id_; }
    [[nodiscard]] u32 max_entries() const noexcept { return max_entries_; }
    [[nodiscard]] u32 map_flags() const noexcept { return map_flags_; }
    [[nodiscard]] u32 key_size() const noexcept { return key_size_; }
    [[nodiscard]] u32 value_size() const noexcept { return value_size_; }
    explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

    // Pins the map at `path` in a BPF filesystem (mount -t bpf bpf
    // /sys/fs/bpf): it outlives this process until the pin is removed.
    // Reopen it with bpfxx::open_pinned (introspect.hpp) and open().
    BPFXX_DECL void pin(const std::string& path) const;
    // Makes the map read-only for user space from now on (programs may
    // still write it; Linux 5.2). Throws bpfxx::error.
    BPFXX_DECL void freeze() const;

protected:
    // Duplicates `fd` and checks it against `want`; throws bpfxx::error.
    BPFXX_DECL map_base(int fd, const map_requirements& want);

private:
    sys::fd fd_;
    std::string name_;
    map_type type_ = map_type::unspec;
    u32 id_ = 0;
    u32 max_entries_ = 0;
    u32 map_flags_ = 0;
    u32 key_size_ = 0;
    u32 value_size_ = 0;
};

}  // namespace detail

// How a map created from user space (X::create) is made, beyond what its
// handle's types say.
struct map_options {
    // The kernel's name for the map, at most 15 characters (longer names
    // are cut); empty: no name.
    std::string_view name{};
    // A type other than the handle's first (map_type::lru_hash for a
    // hash_map, say); unspec: the first.
    map_type type = map_type::unspec;
    u32 flags = 0;       // map_flags::*
    u64 map_extra = 0;   // bloom filter: the number of hash functions
    u32 numa_node = 0;   // with map_flags::numa_node
};

namespace detail {

// BPF_MAP_CREATE for a handle's requirements; throws bpfxx::error saying
// what the kernel refused. inner_fd: a map-in-map's inner template, or -1.
[[nodiscard]] BPFXX_DECL sys::fd create_map(const map_requirements& want, u32 max_entries, const map_options& options,
                                            int inner_fd = -1);

// ---- walks --------------------------------------------------------------

// The input iterator of a walk whose state lives in its range object (the
// range outlives the loop, as in range-for).
template <class Walk>
class walk_iterator {
public:
    using iterator_concept = std::input_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = typename Walk::value_type;
    using difference_type = std::ptrdiff_t;
    using reference = const value_type&;
    using pointer = const value_type*;

    walk_iterator() noexcept = default;
    explicit walk_iterator(Walk* walk) noexcept : walk_(walk) {}

    reference operator*() const noexcept { return walk_->current(); }
    pointer operator->() const noexcept { return &walk_->current(); }
    walk_iterator& operator++() noexcept(noexcept(std::declval<Walk&>().advance())) {
        walk_->advance();
        return *this;
    }
    void operator++(int) noexcept(noexcept(std::declval<Walk&>().advance())) { walk_->advance(); }
    friend bool operator==(const walk_iterator& it, std::default_sentinel_t) noexcept { return it.walk_->at_end(); }

private:
    Walk* walk_ = nullptr;
};

// The walk over a hash map's keys with BPF_MAP_GET_NEXT_KEY, on raw key
// bytes; the rules are at the top of this file. `arrive(key)` is called on
// each key reached and returns 0 to stop there, ENOENT to skip the key, or
// an errno that ends the walk.
template <std::size_t KeySize>
class key_walk {
public:
    using key_bytes = std::array<std::byte, KeySize>;

    key_walk(int fd, u32 limit) noexcept : fd_(fd), limit_(limit) {}

    template <class Arrive>
    void start(Arrive&& arrive) {
        steps_ = 0;
        status_ = 0;
        at_end_ = false;
        int err = map_next_key(fd_, nullptr, next_.data());
        if (err != 0) return finish(err == ENOENT ? 0 : err);
        early_count_ = 0;
        has_next_ = true;
        advance(arrive);
    }

    template <class Arrive>
    void advance(Arrive&& arrive) {
        for (;;) {
            if (!has_next_) return finish(0);
            if (steps_ == limit_) return finish(EAGAIN);
            ++steps_;
            cur_ = next_;
            int err = map_next_key(fd_, cur_.data(), next_.data());
            if (err == 0 && is_early(next_)) {
                // The kernel restarted: cur_ vanished after it was listed.
                // Ask again from the key it was listed after.
                key_bytes again;
                err = map_next_key(fd_, anchor_.data(), again.data());
                if (err != 0) return finish(err == ENOENT ? 0 : err);  // ENOENT: cur_ was the last key
                if (is_early(again)) return finish(EAGAIN);           // the anchor is gone too
                if (again != cur_) {
                    next_ = again;  // cur_ is gone: skip it
                    continue;
                }
                // cur_ still exists, and the first key really follows it
                // (it was erased and inserted again since).
            }
            if (err == ENOENT) {
                has_next_ = false;
            } else if (err != 0) {
                return finish(err);
            }
            anchor_ = cur_;
            if (early_count_ < early_.size()) early_[early_count_++] = cur_;
            err = arrive(static_cast<const key_bytes&>(cur_));
            if (err == 0) return;
            if (err != ENOENT) return finish(err);
        }
    }

    [[nodiscard]] bool at_end() const noexcept { return at_end_; }
    [[nodiscard]] int status() const noexcept { return status_; }
    [[nodiscard]] int fd() const noexcept { return fd_; }

private:
    // Whether `key` is one of the first keys listed: the keys a restart
    // brings back (the first key then, or another from the first buckets
    // that was erased and inserted again, which puts it ahead of the rest).
    [[nodiscard]] bool is_early(const key_bytes& key) const noexcept {
        for (std::size_t i = 0; i < early_count_; ++i)
            if (early_[i] == key) return true;
        return false;
    }

    void finish(int status) noexcept {
        status_ = status;
        at_end_ = true;
        has_next_ = false;
    }

    int fd_;
    u32 limit_;
    u32 steps_ = 0;
    int status_ = 0;
    bool at_end_ = true;
    bool has_next_ = false;
    key_bytes cur_{};     // the key the walk stands on
    key_bytes next_{};    // its successor, fetched on arrival
    key_bytes anchor_{};  // the key cur_ was listed after
    std::array<key_bytes, 8> early_{};  // the first keys listed
    std::size_t early_count_ = 0;
};

// A range over a hash map walk. Fetch reads what the walk yields for a key:
// `int fetch(int fd, const byte_image<K>&)` (0, ENOENT to skip, or an errno)
// and `const value_type& item() const`.
template <class K, class Fetch>
class hash_walk {
public:
    using value_type = typename Fetch::value_type;
    using iterator = walk_iterator<hash_walk>;

    hash_walk(int fd, u32 limit, Fetch fetch) noexcept(std::is_nothrow_move_constructible_v<Fetch>)
        : walk_(fd, limit), fetch_(std::move(fetch)) {}

    // Starts the walk (again, if called twice).
    iterator begin() noexcept(noexcept(std::declval<hash_walk&>().advance())) {
        walk_.start([this](const auto& key) { return fetch_.fetch(walk_.fd(), key); });
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

    // After the loop: success, EAGAIN (see the rules at the top of
    // map.hpp), or the errno of the system call that ended the walk (EPERM
    // for a map created write-only, say).
    [[nodiscard]] result<void> status() const noexcept { return to_result(walk_.status()); }

    // For the iterator.
    [[nodiscard]] bool at_end() const noexcept { return walk_.at_end(); }
    [[nodiscard]] const value_type& current() const noexcept { return fetch_.item(); }
    void advance() noexcept(noexcept(std::declval<Fetch&>().fetch(0, std::declval<const byte_image<K>&>()))) {
        walk_.advance([this](const auto& key) { return fetch_.fetch(walk_.fd(), key); });
    }

private:
    key_walk<sizeof(K)> walk_;
    Fetch fetch_;
};

// A range over an array map by index, 0 to max_entries - 1. Fetch is as for
// hash_walk with a u32 index for the key.
template <class Fetch>
class index_walk {
public:
    using value_type = typename Fetch::value_type;
    using iterator = walk_iterator<index_walk>;

    index_walk(int fd, u32 size, Fetch fetch) noexcept(std::is_nothrow_move_constructible_v<Fetch>)
        : fd_(fd), size_(size), fetch_(std::move(fetch)) {}

    iterator begin() noexcept(noexcept(std::declval<index_walk&>().advance())) {
        next_ = 0;
        status_ = 0;
        at_end_ = false;
        advance();
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }
    [[nodiscard]] result<void> status() const noexcept { return to_result(status_); }

    [[nodiscard]] bool at_end() const noexcept { return at_end_; }
    [[nodiscard]] const value_type& current() const noexcept { return fetch_.item(); }
    void advance() noexcept(noexcept(std::declval<Fetch&>().fetch(0, u32{}))) {
        while (next_ < size_) {
            int err = fetch_.fetch(fd_, next_++);
            if (err == 0) return;
            if (err != ENOENT) {
                status_ = err;
                break;
            }
        }
        at_end_ = true;
    }

private:
    int fd_;
    u32 size_;
    u32 next_ = 0;
    int status_ = 0;
    bool at_end_ = true;
    Fetch fetch_;
};

// ---- what walks yield ---------------------------------------------------

template <class K>
class fetch_key {
public:
    using value_type = K;
    int fetch(int, const byte_image<K>& key) noexcept {
        item_.emplace(std::bit_cast<K>(key));
        return 0;
    }
    const K& item() const noexcept { return *item_; }

private:
    std::optional<K> item_;
};

template <class K, class V>
class fetch_item {
public:
    using value_type = std::pair<K, V>;
    int fetch(int fd, const byte_image<K>& key) noexcept {
        byte_image<V> value;
        if (int err = map_lookup(fd, key.data(), value.data())) return err;
        item_.emplace(std::bit_cast<K>(key), std::bit_cast<V>(value));
        return 0;
    }
    const value_type& item() const noexcept { return *item_; }

private:
    std::optional<value_type> item_;
};

template <class V>
class fetch_index_value {
public:
    using value_type = V;
    int fetch(int fd, u32 index) noexcept {
        byte_image<V> value;
        if (int err = map_lookup(fd, &index, value.data())) return err;
        item_.emplace(std::bit_cast<V>(value));
        return 0;
    }
    const V& item() const noexcept { return *item_; }

private:
    std::optional<V> item_;
};

template <class V>
class fetch_index_item {
public:
    using value_type = std::pair<u32, V>;
    int fetch(int fd, u32 index) noexcept {
        byte_image<V> value;
        if (int err = map_lookup(fd, &index, value.data())) return err;
        item_.emplace(index, std::bit_cast<V>(value));
        return 0;
    }
    const value_type& item() const noexcept { return *item_; }

private:
    std::optional<value_type> item_;
};

// ---- per-CPU values -----------------------------------------------------

// A per-CPU value as the system calls carry it: one slot per possible CPU,
// each sizeof(V) rounded up to 8 (all kernels: bpf_map_value_size()).
template <class V>
class percpu_buffer {
public:
    static constexpr std::size_t stride = (sizeof(V) + 7) & ~std::size_t{7};

    explicit percpu_buffer(u32 cpus) : bytes_(stride * cpus), cpus_(cpus) {}

    [[nodiscard]] void* data() noexcept { return bytes_.data(); }
    [[nodiscard]] const void* data() const noexcept { return bytes_.data(); }

    void decode(std::vector<V>& out) const {
        out.clear();
        out.reserve(cpus_);
        for (u32 cpu = 0; cpu < cpus_; ++cpu) {
            byte_image<V> one;
            std::memcpy(one.data(), bytes_.data() + cpu * stride, sizeof(V));
            out.push_back(std::bit_cast<V>(one));
        }
    }
    void encode(std::span<const V> values) noexcept {
        for (std::size_t cpu = 0; cpu < values.size() && cpu < cpus_; ++cpu)
            std::memcpy(bytes_.data() + cpu * stride, &values[cpu], sizeof(V));
    }
    void fill(const V& value) noexcept {
        for (u32 cpu = 0; cpu < cpus_; ++cpu) std::memcpy(bytes_.data() + cpu * stride, &value, sizeof(V));
    }

private:
    std::vector<std::byte> bytes_;  // zeroed, so the padding of each slot is too
    u32 cpus_;
};

template <class V>
result<std::optional<std::vector<V>>> percpu_lookup(int fd, const void* key, u32 cpus) {
    percpu_buffer<V> buffer(cpus);
    if (int err = map_lookup(fd, key, buffer.data()); err != 0) {
        if (err == ENOENT) return std::optional<std::vector<V>>();
        return failure{err};
    }
    std::optional<std::vector<V>> out(std::in_place);
    buffer.decode(*out);
    return out;
}

template <class V>
result<void> percpu_update(int fd, const void* key, std::span<const V> values, u32 cpus, update_flag flag) {
    if (values.size() != cpus) return failure{EINVAL};
    if constexpr (percpu_buffer<V>::stride == sizeof(V)) {
        return to_result(map_update(fd, key, values.data(), flag));
    } else {
        percpu_buffer<V> buffer(cpus);
        buffer.encode(values);
        return to_result(map_update(fd, key, buffer.data(), flag));
    }
}

template <class V>
result<void> percpu_update_all(int fd, const void* key, const V& value, u32 cpus, update_flag flag) {
    percpu_buffer<V> buffer(cpus);
    buffer.fill(value);
    return to_result(map_update(fd, key, buffer.data(), flag));
}

template <class K, class V>
class fetch_percpu_item {
public:
    using value_type = std::pair<K, std::vector<V>>;
    explicit fetch_percpu_item(u32 cpus) : buffer_(cpus) {}
    int fetch(int fd, const byte_image<K>& key) {
        if (int err = map_lookup(fd, key.data(), buffer_.data())) return err;
        if (!item_) item_.emplace(std::bit_cast<K>(key), std::vector<V>{});
        else item_->first = std::bit_cast<K>(key);
        buffer_.decode(item_->second);  // reuses the vector's storage
        return 0;
    }
    const value_type& item() const noexcept { return *item_; }

private:
    percpu_buffer<V> buffer_;
    std::optional<value_type> item_;
};

template <class V>
class fetch_percpu_index_item {
public:
    using value_type = std::pair<u32, std::vector<V>>;
    explicit fetch_percpu_index_item(u32 cpus) : buffer_(cpus) {}
    int fetch(int fd, u32 index) {
        if (int err = map_lookup(fd, &index, buffer_.data())) return err;
        if (!item_) item_.emplace(index, std::vector<V>{});
        else item_->first = index;
        buffer_.decode(item_->second);
        return 0;
    }
    const value_type& item() const noexcept { return *item_; }

private:
    percpu_buffer<V> buffer_;
    std::optional<value_type> item_;
};

// The keys a walk lists, or the errno that ended it (see status()).
template <class Walk>
result<std::size_t> count_walk(Walk&& walk) noexcept {
    std::size_t n = 0;
    for (auto it = walk.begin(); it != walk.end(); ++it) ++n;
    if (auto status = walk.status(); !status) return failure{status.error()};
    return n;
}

// The value at `key`, an empty optional for ENOENT, or the errno.
template <class V>
result<std::optional<V>> lookup_value(int fd, const void* key) noexcept {
    byte_image<V> value;
    if (int err = map_lookup(fd, key, value.data()); err != 0) {
        if (err == ENOENT) return std::optional<V>();
        return failure{err};
    }
    return std::optional<V>(std::bit_cast<V>(value));
}

}  // namespace detail

// What a batch update or erase did: the first `count` entries given, then
// it stopped at the next one with `error` (0: every entry done).
struct batch_result {
    std::size_t count = 0;
    int error = 0;
    explicit operator bool() const noexcept { return error == 0; }
};

namespace detail {
template <map_key K, map_value V>
class keyed_map;
}  // namespace detail

// Where a batch read (lookup_batch, lookup_and_erase_batch) goes on from;
// start with a default-constructed cursor and call until done().
template <class K>
class batch_cursor {
public:
    [[nodiscard]] bool done() const noexcept { return done_; }
    // Back to the start of the map.
    void reset() noexcept { *this = batch_cursor(); }

private:
    template <map_key, map_value>
    friend class detail::keyed_map;
    // The kernel's position: a bucket number (u32) for hash maps; the last
    // key read where bpfxx walks the map itself.
    std::array<std::byte, (sizeof(K) > 8 ? sizeof(K) : 8)> token_{};
    bool started_ = false;
    bool done_ = false;
    bool next_known_ = false;  // the walk while erasing: token_ is the next key to read

};

namespace detail {

// The operations of maps with keys K and values V that may be absent:
// hash maps and LPM tries.
template <map_key K, map_value V>
class keyed_map : public map_base {
public:
    using key_type = K;
    using mapped_type = V;
    using key_range = hash_walk<K, fetch_key<K>>;
    using item_range = hash_walk<K, fetch_item<K, V>>;

    // The value of `key`; std::nullopt when it has none. A lookup that
    // fails for another reason (EPERM on a map created write-only, say) is
    // std::nullopt too: try_lookup() tells the two apart.
    [[nodiscard]] std::optional<V> lookup(const K& key) const noexcept {
        auto r = try_lookup(key);
        return r ? *r : std::nullopt;
    }
    // The value of `key`, an empty optional when it has none (ENOENT, the
    // only errno that means absent), or the errno of any other failure.
    [[nodiscard]] result<std::optional<V>> try_lookup(const K& key) const noexcept {
        return lookup_value<V>(fd(), &key);
    }

    // Errors: EEXIST (update_flag::noexist, key present), ENOENT
    // (update_flag::exist, key absent), E2BIG (hash map full; an LRU hash
    // evicts instead), EINVAL (update_flag::lock on a value without a
    // bpf_spin_lock).
    result<void> update(const K& key, const V& value, update_flag flag = update_flag::any) noexcept {
        return to_result(map_update(fd(), &key, &value, flag));
    }

    // ENOENT when the key is absent.
    result<void> erase(const K& key) noexcept { return to_result(map_delete(fd(), &key)); }

    // Reads and erases `key` in one step, so no program's update between
    // the two is lost: the value, an empty optional when absent, or the
    // errno (ENOTSUPP, 524, before Linux 5.14 for hash maps, and always for
    // LPM tries).
    [[nodiscard]] result<std::optional<V>> lookup_and_erase(const K& key) noexcept {
        byte_image<V> value;
        if (int err = map_lookup_and_delete(fd(), &key, value.data()); err != 0) {
            if (err == ENOENT) return std::optional<V>();
            return failure{err};
        }
        return std::optional<V>(std::bit_cast<V>(value));
    }

    // Input ranges for range-for: `for (const K& k : m.keys())`,
    // `for (const auto& [k, v] : m.items())`. Concurrent changes: see the
    // top of map.hpp; check status() on the range for how the walk ended.
    [[nodiscard]] key_range keys() const& noexcept { return key_range(fd(), max_entries(), {}); }
    [[nodiscard]] item_range items() const& noexcept { return item_range(fd(), max_entries(), {}); }
    // A range over a temporary handle would walk a closed descriptor: keep
    // the handle in a variable.
    key_range keys() const&& = delete;
    item_range items() const&& = delete;

    // Walks the keys: exact for a map nothing else changes meanwhile; the
    // walk's errno (EAGAIN: see the top of map.hpp) when it ends early.
    [[nodiscard]] result<std::size_t> count() const noexcept { return count_walk(keys()); }

    // ---- batches: many entries per system call (hash and LRU hash maps,
    // Linux 5.6). On older kernels the same calls loop over single-entry
    // operations (lookup_and_erase_batch then reads and erases each entry
    // in two steps, no longer atomically).

    // Writes keys[i] -> values[i]; stops at the first entry the kernel
    // refuses (the errors of update()). EINVAL when the spans differ in size.
    // The kernel's batch update takes update_flag::any and lock only:
    // noexist and exist write one entry per system call.
    batch_result update_batch(std::span<const K> keys, std::span<const V> values,
                              update_flag flag = update_flag::any) noexcept {
        if (keys.size() != values.size()) return {0, EINVAL};
        return write_batch(sys::bpf_cmd::map_update_batch, keys, values.data(), flag);
    }
    // Erases the keys; stops at the first absent one (ENOENT).
    batch_result erase_batch(std::span<const K> keys) noexcept {
        return write_batch(sys::bpf_cmd::map_delete_batch, keys, static_cast<const V*>(nullptr), update_flag::any);
    }
    // Reads up to min(keys.size(), values.size()) entries from where
    // `cursor` is into keys[i], values[i]: how many, 0 once cursor.done().
    // Entries added or erased meanwhile may or may not be seen. ENOSPC:
    // more keys share a hash bucket than there is room for; give more.
    [[nodiscard]] result<std::size_t> lookup_batch(batch_cursor<K>& cursor, std::span<K> keys,
                                                   std::span<V> values) const noexcept {
        return read_batch(sys::bpf_cmd::map_lookup_batch, cursor, keys, values);
    }
    // As lookup_batch, erasing what it reads: drains the map.
    [[nodiscard]] result<std::size_t> lookup_and_erase_batch(batch_cursor<K>& cursor, std::span<K> keys,
                                                             std::span<V> values) noexcept {
        return read_batch(sys::bpf_cmd::map_lookup_and_delete_batch, cursor, keys, values);
    }
    // Every entry, read in batches of `chunk` into `keys` and `values`
    // (replacing their contents): how many.
    result<std::size_t> lookup_all(std::vector<K>& keys, std::vector<V>& values, std::size_t chunk = 1024) const {
        keys.clear();
        values.clear();
        batch_cursor<K> cursor;
        chunk = chunk == 0 ? 1 : chunk;
        while (!cursor.done()) {
            const std::size_t have = keys.size();
            keys.resize(have + chunk);
            values.resize(have + chunk);
            auto n = lookup_batch(cursor, std::span(keys).subspan(have), std::span(values).subspan(have));
            if (!n && n.error() == ENOSPC) {
                chunk *= 2;  // a bucket with more keys than room: retry with more
                n = 0;
            } else if (!n) {
                return failure{n.error()};
            }
            keys.resize(have + *n);
            values.resize(have + *n);
        }
        return keys.size();
    }

protected:
    keyed_map() noexcept = default;
    keyed_map(int fd, const map_requirements& want) : map_base(fd, want) {}

private:
    static constexpr std::size_t max_batch = 0xffffffffU;  // the kernel's count is a u32

    batch_result write_batch(sys::bpf_cmd cmd, std::span<const K> keys, const V* values, update_flag flag) noexcept {
        const bool erase = cmd == sys::bpf_cmd::map_delete_batch;
        std::size_t done = 0;
        if (!kernel_has_map_batch() || flag == update_flag::noexist || flag == update_flag::exist) {
            for (; done < keys.size(); ++done) {
                const int err = erase ? map_delete(fd(), &keys[done]) : map_update(fd(), &keys[done], &values[done], flag);
                if (err != 0) return {done, err};
            }
            return {done, 0};
        }
        while (done < keys.size()) {
            const u32 given = static_cast<u32>(std::min(keys.size() - done, max_batch));
            u32 n = given;
            const int err = map_batch(cmd, fd(), nullptr, false, keys.data() + done,
                                      values == nullptr ? nullptr : values + done, n, static_cast<u64>(flag));
            // A refusal before the first entry leaves count as given.
            if (err != 0 && n == given) n = 0;
            done += n;
            if (err != 0) return {done, err};
        }
        return {done, 0};
    }

    result<std::size_t> read_batch(sys::bpf_cmd cmd, batch_cursor<K>& c, std::span<K> keys,
                                   std::span<V> values) const noexcept {
        if (c.done_) return std::size_t{0};
        const std::size_t room = std::min({keys.size(), values.size(), max_batch});
        if (room == 0) return failure{EINVAL};
        if (!kernel_has_map_batch()) return walk_batch(cmd == sys::bpf_cmd::map_lookup_and_delete_batch, c, keys, values, room);
        u32 n = static_cast<u32>(room);
        const int err = map_batch(cmd, fd(), c.token_.data(), c.started_, keys.data(), values.data(), n, 0);
        if (err == ENOENT) {
            c.done_ = true;  // the end, with the last n entries
            return std::size_t{n};
        }
        if (err != 0) return failure{err};
        c.started_ = true;
        return std::size_t{n};
    }

    // The batch reads with BPF_MAP_GET_NEXT_KEY, for kernels without them.
    // Erasing, the key after each one is fetched before it is erased: the
    // successor of an erased key is the map's first key again, and finding
    // the first key scans the buckets from 0, so a walk that restarted
    // there would cost quadratic time.
    result<std::size_t> walk_batch(bool erase, batch_cursor<K>& c, std::span<K> keys, std::span<V> values,
                                   std::size_t room) const noexcept {
        std::size_t n = 0;
        while (n < room && !c.done_) {
            byte_image<K> key;
            int err = 0;
            if (c.next_known_) std::memcpy(key.data(), c.token_.data(), sizeof(K));
            else err = map_next_key(fd(), c.started_ ? c.token_.data() : nullptr, key.data());
            if (err == ENOENT) {
                c.done_ = true;
                break;
            }
            if (err != 0) return failure{err};
            c.started_ = true;
            err = map_lookup(fd(), key.data(), &values[n]);
            if (erase) {
                byte_image<K> after;
                const int next_err = map_next_key(fd(), key.data(), after.data());
                if (next_err != 0 && next_err != ENOENT) return failure{next_err};
                c.done_ = next_err == ENOENT;
                c.next_known_ = next_err == 0;
                std::memcpy(c.token_.data(), after.data(), sizeof(K));
                if (err == 0) err = map_delete(fd(), key.data());
            } else {
                std::memcpy(c.token_.data(), key.data(), sizeof(K));
            }
            if (err == ENOENT) continue;  // erased meanwhile
            if (err != 0) return failure{err};
            keys[n++] = std::bit_cast<K>(key);
        }
        return n;
    }
};

}  // namespace detail

// A hash or LRU hash map (BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH) with
// keys K and values V, usually the types the BPF program declares it with.
// Operations: see detail::keyed_map above.
template <map_key K, map_value V>
class hash_map : public detail::keyed_map<K, V> {
public:
    static constexpr std::array<map_type, 2> map_types{map_type::hash, map_type::lru_hash};

    // An empty handle; every operation on it fails with EBADF.
    hash_map() noexcept = default;

    // Opens the map behind `fd` (a map of a loaded object, a pinned map, a
    // map by id): the handle keeps its own duplicate, so `fd` stays the
    // caller's. Throws bpfxx::error naming the map and what does not match
    // when it is not a hash map with sizeof(K)-byte keys and
    // sizeof(V)-byte values.
    static hash_map open(int fd) { return hash_map(fd); }
    // Creates a map from user space (no object needed): a hash map, or
    // options.type (map_type::lru_hash), with room for max_entries keys.
    static hash_map create(u32 max_entries, const map_options& options = {}) {
        return hash_map(detail::create_map(requirements(), max_entries, options).get());
    }

private:
    explicit hash_map(int fd) : detail::keyed_map<K, V>(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle =
            detail::cat("bpfxx::hash_map<", detail::type_name<K>(), ", ", detail::type_name<V>(), ">");
        return {handle, map_types, detail::type_name<K>(), sizeof(K), detail::type_name<V>(), sizeof(V)};
    }
};

// An array map (BPF_MAP_TYPE_ARRAY): max_entries values V, indexed from 0,
// all present from creation (zeroed) and never erased.
template <map_value V>
class array_map : public detail::map_base {
public:
    using value_type = V;
    static constexpr std::array<map_type, 1> map_types{map_type::array};

    using value_range = detail::index_walk<detail::fetch_index_value<V>>;
    using item_range = detail::index_walk<detail::fetch_index_item<V>>;

    array_map() noexcept = default;
    // As hash_map::open, for an array map with sizeof(V)-byte values.
    static array_map open(int fd) { return array_map(fd); }
    // Creates an array map of max_entries zeroed values from user space.
    static array_map create(u32 max_entries, const map_options& options = {}) {
        return array_map(detail::create_map(requirements(), max_entries, options).get());
    }

    // std::nullopt when `index` is not below size() (or the lookup fails:
    // try_lookup() says why).
    [[nodiscard]] std::optional<V> lookup(u32 index) const noexcept {
        auto r = try_lookup(index);
        return r ? *r : std::nullopt;
    }
    // An empty optional when `index` is not below size(), or the errno of a
    // failed lookup.
    [[nodiscard]] result<std::optional<V>> try_lookup(u32 index) const noexcept {
        if (index >= size()) return std::optional<V>();
        return detail::lookup_value<V>(fd(), &index);
    }

    // Errors: E2BIG (index not below size()), EEXIST for
    // update_flag::noexist (every element exists), EINVAL for
    // update_flag::lock on a value without a bpf_spin_lock.
    result<void> update(u32 index, const V& value, update_flag flag = update_flag::any) noexcept {
        return detail::to_result(detail::map_update(fd(), &index, &value, flag));
    }

    [[nodiscard]] u32 size() const noexcept { return max_entries(); }

    // In index order: `for (const V& v : a.values())`,
    // `for (const auto& [i, v] : a.items())`.
    [[nodiscard]] value_range values() const& noexcept { return value_range(fd(), size(), {}); }
    [[nodiscard]] item_range items() const& noexcept { return item_range(fd(), size(), {}); }
    // A range over a temporary handle would walk a closed descriptor.
    value_range values() const&& = delete;
    item_range items() const&& = delete;

private:
    explicit array_map(int fd) : map_base(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::array_map<", detail::type_name<V>(), ">");
        return {handle, map_types, "u32 (the index)", sizeof(u32), detail::type_name<V>(), sizeof(V)};
    }
};

// A sockmap (BPF_MAP_TYPE_SOCKMAP): sockets by u32 index, put in by their
// descriptors, for sk_msg and sk_skb programs (bpfxx::attach_sockmap).
// V is the value type the BPF program declares: u64 (lookups return the
// socket's cookie) or u32.
template <class V = u64>
    requires std::is_same_v<V, u64> || std::is_same_v<V, u32>
class sock_map : public detail::map_base {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::sockmap};

    sock_map() noexcept = default;
    // As hash_map::open, for a sockmap with sizeof(V)-byte values.
    static sock_map open(int fd) { return sock_map(fd); }
    // Creates an empty sockmap with max_entries slots from user space.
    static sock_map create(u32 max_entries, const map_options& options = {}) {
        return sock_map(detail::create_map(requirements(), max_entries, options).get());
    }

    // Puts the socket `socket_fd` (TCP established or listening; UDP from
    // Linux 5.7, unix from 5.15) at `index`. Programs attached to the map
    // run for sockets put in after they were attached. Errors: E2BIG
    // (index not below size()), EOPNOTSUPP (a socket the map cannot take).
    result<void> set(u32 index, int socket_fd, update_flag flag = update_flag::any) noexcept {
        const V value = static_cast<V>(socket_fd);
        return detail::to_result(detail::map_update(fd(), &index, &value, flag));
    }
    // Takes the socket at `index` out. ENOENT when there is none.
    result<void> erase(u32 index) noexcept { return detail::to_result(detail::map_delete(fd(), &index)); }
    // The cookie of the socket at `index` (SO_COOKIE); nothing when the
    // index is empty. Needs 8-byte values.
    [[nodiscard]] result<std::optional<u64>> cookie(u32 index) const noexcept
        requires std::is_same_v<V, u64>
    {
        return detail::lookup_value<u64>(fd(), &index);
    }

    [[nodiscard]] u32 size() const noexcept { return max_entries(); }

private:
    explicit sock_map(int fd) : map_base(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::sock_map<", detail::type_name<V>(), ">");
        return {handle, map_types, "u32 (the index)", sizeof(u32), detail::type_name<V>(), sizeof(V)};
    }
};

// The total of a per-CPU value over the CPUs: what a per-CPU counter
// counted. Integers and floating point; for structs, fold the vector with
// std::accumulate and your own addition.
template <class V>
    requires std::is_arithmetic_v<V>
[[nodiscard]] constexpr V percpu_sum(std::span<const V> per_cpu) noexcept {
    V total{};
    for (const V& v : per_cpu) total += v;
    return total;
}

// A per-CPU hash or LRU hash map (BPF_MAP_TYPE_PERCPU_HASH,
// BPF_MAP_TYPE_LRU_PERCPU_HASH): each key has one V per possible CPU,
// handed out as a std::vector<V> of cpus() elements, index = CPU number
// among the possible CPUs. These operations allocate and may throw
// std::bad_alloc; map outcomes are reported as for hash_map.
template <map_key K, percpu_map_value V>
class percpu_hash_map : public detail::map_base {
public:
    using key_type = K;
    using mapped_type = std::vector<V>;
    static constexpr std::array<map_type, 2> map_types{map_type::percpu_hash, map_type::lru_percpu_hash};

    using key_range = detail::hash_walk<K, detail::fetch_key<K>>;
    using item_range = detail::hash_walk<K, detail::fetch_percpu_item<K, V>>;

    percpu_hash_map() noexcept = default;
    static percpu_hash_map open(int fd) { return percpu_hash_map(fd); }
    // As hash_map::create (options.type: map_type::lru_percpu_hash).
    static percpu_hash_map create(u32 max_entries, const map_options& options = {}) {
        return percpu_hash_map(detail::create_map(requirements(), max_entries, options).get());
    }

    // The number of values per key: the possible CPUs.
    [[nodiscard]] u32 cpus() const noexcept { return cpus_; }

    // The sum over the CPUs of the value of `key` (arithmetic V).
    [[nodiscard]] std::optional<V> lookup_sum(const K& key) const
        requires std::is_arithmetic_v<V>
    {
        auto r = lookup(key);
        return r ? std::optional<V>(percpu_sum<V>(*r)) : std::nullopt;
    }
    // As hash_map::lookup and try_lookup.
    [[nodiscard]] std::optional<std::vector<V>> lookup(const K& key) const {
        auto r = try_lookup(key);
        return r ? std::move(*r) : std::nullopt;
    }
    [[nodiscard]] result<std::optional<std::vector<V>>> try_lookup(const K& key) const {
        return detail::percpu_lookup<V>(fd(), &key, cpus_);
    }
    // One value per possible CPU; EINVAL unless values.size() == cpus().
    result<void> update(const K& key, std::span<const V> values, update_flag flag = update_flag::any) {
        return detail::percpu_update<V>(fd(), &key, values, cpus_, flag);
    }
    // The same value on every CPU.
    result<void> update(const K& key, const V& every_cpu, update_flag flag = update_flag::any) {
        return detail::percpu_update_all<V>(fd(), &key, every_cpu, cpus_, flag);
    }
    result<void> erase(const K& key) noexcept { return detail::to_result(detail::map_delete(fd(), &key)); }

    [[nodiscard]] key_range keys() const& noexcept { return key_range(fd(), max_entries(), {}); }
    [[nodiscard]] item_range items() const& {
        return item_range(fd(), max_entries(), detail::fetch_percpu_item<K, V>(cpus_));
    }
    // A range over a temporary handle would walk a closed descriptor.
    key_range keys() const&& = delete;
    item_range items() const&& = delete;
    [[nodiscard]] result<std::size_t> count() const noexcept { return detail::count_walk(keys()); }

private:
    explicit percpu_hash_map(int fd) : map_base(fd, requirements()), cpus_(detail::possible_cpus().count) {}
    static detail::map_requirements requirements() {
        static const std::string handle =
            detail::cat("bpfxx::percpu_hash_map<", detail::type_name<K>(), ", ", detail::type_name<V>(), ">");
        return {handle, map_types, detail::type_name<K>(), sizeof(K), detail::type_name<V>(), sizeof(V)};
    }
    u32 cpus_ = 0;
};

// A per-CPU array map (BPF_MAP_TYPE_PERCPU_ARRAY): as array_map, with one V
// per possible CPU for each index.
template <percpu_map_value V>
class percpu_array_map : public detail::map_base {
public:
    using value_type = std::vector<V>;
    static constexpr std::array<map_type, 1> map_types{map_type::percpu_array};

    using item_range = detail::index_walk<detail::fetch_percpu_index_item<V>>;

    percpu_array_map() noexcept = default;
    static percpu_array_map open(int fd) { return percpu_array_map(fd); }
    // Creates a per-CPU array map from user space.
    static percpu_array_map create(u32 max_entries, const map_options& options = {}) {
        return percpu_array_map(detail::create_map(requirements(), max_entries, options).get());
    }

    [[nodiscard]] u32 cpus() const noexcept { return cpus_; }
    [[nodiscard]] u32 size() const noexcept { return max_entries(); }

    // The sum over the CPUs of the value at `index` (arithmetic V).
    [[nodiscard]] std::optional<V> lookup_sum(u32 index) const
        requires std::is_arithmetic_v<V>
    {
        auto r = lookup(index);
        return r ? std::optional<V>(percpu_sum<V>(*r)) : std::nullopt;
    }
    // As array_map::lookup and try_lookup.
    [[nodiscard]] std::optional<std::vector<V>> lookup(u32 index) const {
        auto r = try_lookup(index);
        return r ? std::move(*r) : std::nullopt;
    }
    [[nodiscard]] result<std::optional<std::vector<V>>> try_lookup(u32 index) const {
        if (index >= size()) return std::optional<std::vector<V>>();
        return detail::percpu_lookup<V>(fd(), &index, cpus_);
    }
    result<void> update(u32 index, std::span<const V> values, update_flag flag = update_flag::any) {
        return detail::percpu_update<V>(fd(), &index, values, cpus_, flag);
    }
    result<void> update(u32 index, const V& every_cpu, update_flag flag = update_flag::any) {
        return detail::percpu_update_all<V>(fd(), &index, every_cpu, cpus_, flag);
    }

    // `for (const auto& [i, per_cpu] : a.items())`, in index order.
    [[nodiscard]] item_range items() const& {
        return item_range(fd(), size(), detail::fetch_percpu_index_item<V>(cpus_));
    }
    // A range over a temporary handle would walk a closed descriptor.
    item_range items() const&& = delete;

private:
    explicit percpu_array_map(int fd) : map_base(fd, requirements()), cpus_(detail::possible_cpus().count) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::percpu_array_map<", detail::type_name<V>(), ">");
        return {handle, map_types, "u32 (the index)", sizeof(u32), detail::type_name<V>(), sizeof(V)};
    }
    u32 cpus_ = 0;
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/map.ipp>
#endif
