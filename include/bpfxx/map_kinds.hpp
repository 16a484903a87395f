// SPDX-License-Identifier: MIT OR Apache-2.0
// Typed user-space handles on the map kinds beyond hash and array maps:
// LPM tries, queues, stacks, bloom filters, program arrays, stack traces and
// maps of maps. Each mirrors its kernel-side template (kernel/bpfxx/maps.hpp)
// and follows bpfxx/map.hpp's rules: open() and create() check and throw
// bpfxx::error; element operations return std::optional or bpfxx::result
// with the errno and never throw.
#pragma once
#ifdef __bpf__
#error "bpfxx/map_kinds.hpp is user-space only; kernel code includes <bpfxx/kernel.hpp>"
#endif

#include <bpfxx/map.hpp>

#include <concepts>

BPFXX_BEGIN_NAMESPACE

// Something that is a BPF object through its descriptor: a loaded_program,
// a typed map handle, a sys::fd.
template <class T>
concept fd_holder = requires(const T& t) {
    { t.fd() } -> std::convertible_to<int>;
};

namespace detail {

// A queue or stack: values without keys.
template <map_value V>
class value_store : public map_base {
public:
    using value_type = V;

    // Adds `value`. E2BIG when full, unless update_flag::exist, which
    // drops the oldest value to make room.
    result<void> push(const V& value, update_flag flag = update_flag::any) noexcept {
        return to_result(map_update(fd(), nullptr, &value, flag));
    }
    // Takes the next value out (the oldest of a queue, the newest of a
    // stack); std::nullopt when empty (or on failure: try_pop() says).
    [[nodiscard]] std::optional<V> pop() noexcept {
        auto r = try_pop();
        return r ? *r : std::nullopt;
    }
    [[nodiscard]] result<std::optional<V>> try_pop() noexcept {
        byte_image<V> value;
        if (int err = map_lookup_and_delete(fd(), nullptr, value.data()); err != 0) {
            if (err == ENOENT) return std::optional<V>();
            return failure{err};
        }
        return std::optional<V>(std::bit_cast<V>(value));
    }
    // The next value, left in place.
    [[nodiscard]] std::optional<V> peek() const noexcept {
        auto r = try_peek();
        return r ? *r : std::nullopt;
    }
    [[nodiscard]] result<std::optional<V>> try_peek() const noexcept { return lookup_value<V>(fd(), nullptr); }

protected:
    value_store() noexcept = default;
    value_store(int fd, const map_requirements& want) : map_base(fd, want) {}
};

// A map whose values are kernel objects put in by descriptor and read back
// as their u32 ids: program arrays and maps of maps.
template <class K>
class fd_slots : public map_base {
public:
    // Puts the object behind `object_fd` at `key`.
    result<void> set(const K& key, int object_fd, update_flag flag = update_flag::any) noexcept {
        const u32 value = static_cast<u32>(object_fd);
        return to_result(map_update(fd(), &key, &value, flag));
    }
    template <fd_holder T>
    result<void> set(const K& key, const T& object, update_flag flag = update_flag::any) noexcept {
        return set(key, static_cast<int>(object.fd()), flag);
    }
    // Empties the slot; ENOENT when it is empty already.
    result<void> erase(const K& key) noexcept { return to_result(map_delete(fd(), &key)); }
    // The id of the object at `key` (bpfxx::open_program / open_map opens
    // it); an empty optional when the slot is empty.
    [[nodiscard]] result<std::optional<u32>> id_at(const K& key) const noexcept { return lookup_value<u32>(fd(), &key); }

protected:
    fd_slots() noexcept = default;
    fd_slots(int fd, const map_requirements& want) : map_base(fd, want) {}
};

}  // namespace detail

// An LPM trie (BPF_MAP_TYPE_LPM_TRIE) with keys lpm_key<T> (or a struct of
// that layout) and values V: lookup() with a full-length prefix returns the
// value of the longest stored prefix that matches. Operations as hash_map;
// lookup_and_erase is not supported by the kernel. Walks list keys in
// prefix order from Linux 4.20.
template <map_key K, map_value V>
    requires(sizeof(K) > 4 && sizeof(K) <= 4 + 256)
class lpm_trie : public detail::keyed_map<K, V> {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::lpm_trie};

    lpm_trie() noexcept = default;
    static lpm_trie open(int fd) { return lpm_trie(fd); }
    // The kernel requires map_flags::no_prealloc, which is added for you.
    static lpm_trie create(u32 max_entries, map_options options = {}) {
        options.flags |= map_flags::no_prealloc;
        return lpm_trie(detail::create_map(requirements(), max_entries, options).get());
    }
    // The number of bits of a full-length key.
    static constexpr u32 max_prefix() noexcept { return (sizeof(K) - 4) * 8; }

private:
    explicit lpm_trie(int fd) : detail::keyed_map<K, V>(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle =
            detail::cat("bpfxx::lpm_trie<", detail::type_name<K>(), ", ", detail::type_name<V>(), ">");
        return {handle, map_types, detail::type_name<K>(), sizeof(K), detail::type_name<V>(), sizeof(V)};
    }
};

// A FIFO queue of values V (BPF_MAP_TYPE_QUEUE, Linux 4.20).
template <map_value V>
class queue : public detail::value_store<V> {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::queue};

    queue() noexcept = default;
    static queue open(int fd) { return queue(fd); }
    static queue create(u32 max_entries, const map_options& options = {}) {
        return queue(detail::create_map(requirements(), max_entries, options).get());
    }

private:
    explicit queue(int fd) : detail::value_store<V>(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::queue<", detail::type_name<V>(), ">");
        return {handle, map_types, "none", 0, detail::type_name<V>(), sizeof(V)};
    }
};

// A LIFO stack of values V (BPF_MAP_TYPE_STACK, Linux 4.20).
template <map_value V>
class stack : public detail::value_store<V> {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::stack};

    stack() noexcept = default;
    static stack open(int fd) { return stack(fd); }
    static stack create(u32 max_entries, const map_options& options = {}) {
        return stack(detail::create_map(requirements(), max_entries, options).get());
    }

private:
    explicit stack(int fd) : detail::value_store<V>(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::stack<", detail::type_name<V>(), ">");
        return {handle, map_types, "none", 0, detail::type_name<V>(), sizeof(V)};
    }
};

// A bloom filter of values V (BPF_MAP_TYPE_BLOOM_FILTER, Linux 5.16):
// contains() is false for a value never pushed and true, with a false
// positive rate set by max_entries and the number of hash functions, for
// one that was. Values cannot be removed.
template <map_value V>
class bloom_filter : public detail::map_base {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::bloom_filter};

    bloom_filter() noexcept = default;
    static bloom_filter open(int fd) { return bloom_filter(fd); }
    // options.map_extra: the number of hash functions, 1 to 15 (0: 5).
    static bloom_filter create(u32 max_entries, const map_options& options = {}) {
        return bloom_filter(detail::create_map(requirements(), max_entries, options).get());
    }

    result<void> push(const V& value) noexcept {
        return detail::to_result(detail::map_update(fd(), nullptr, &value, update_flag::any));
    }
    // false when the lookup fails for another reason: try_contains() says.
    [[nodiscard]] bool contains(const V& value) const noexcept {
        auto r = try_contains(value);
        return r && *r;
    }
    [[nodiscard]] result<bool> try_contains(const V& value) const noexcept {
        V copy = value;  // the kernel writes nothing back, but the call takes a value buffer
        if (int err = detail::map_lookup(fd(), nullptr, &copy); err != 0) {
            if (err == ENOENT) return false;
            return failure{err};
        }
        return true;
    }

private:
    explicit bloom_filter(int fd) : map_base(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::bloom_filter<", detail::type_name<V>(), ">");
        return {handle, map_types, "none", 0, detail::type_name<V>(), sizeof(V)};
    }
};

// A program array (BPF_MAP_TYPE_PROG_ARRAY): the targets of tail calls.
// set(index, program) takes a loaded_program, a descriptor or anything with
// fd(); the program must have the type (and, for tracing programs, the
// attach type) of the programs that tail-call into the map, else EINVAL.
// A program stays in the map while the map lives, even after every handle
// to the program is closed.
class prog_array : public detail::fd_slots<u32> {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::prog_array};

    prog_array() noexcept = default;
    static prog_array open(int fd) { return prog_array(fd); }
    static prog_array create(u32 max_entries, const map_options& options = {}) {
        return prog_array(detail::create_map(requirements(), max_entries, options).get());
    }
    [[nodiscard]] u32 size() const noexcept { return max_entries(); }

private:
    explicit prog_array(int fd) : fd_slots(fd, requirements()) {}
    static detail::map_requirements requirements() {
        return {"bpfxx::prog_array", map_types, "u32 (the index)", 4, "u32 (a program)", 4};
    }
};

// A map of maps (BPF_MAP_TYPE_ARRAY_OF_MAPS by u32 index, or
// BPF_MAP_TYPE_HASH_OF_MAPS by key K): set() puts in maps of the inner
// template's type, flags, key and value sizes (else EINVAL); an array's
// max_entries must match too unless the template has map_flags::inner_map,
// and before Linux 5.10 every type's. Programs look the maps up and use them
// as maps.
template <map_key K = u32>
class map_of_maps : public detail::fd_slots<K> {
public:
    static constexpr std::array<map_type, 2> map_types{map_type::array_of_maps, map_type::hash_of_maps};

    map_of_maps() noexcept = default;
    static map_of_maps open(int fd) { return map_of_maps(fd); }
    // Creates an array of maps (options.type: map_type::hash_of_maps for
    // a hash) whose inner maps are like `inner_template`.
    template <fd_holder Inner>
    static map_of_maps create(u32 max_entries, const Inner& inner_template, const map_options& options = {}) {
        return map_of_maps(
            detail::create_map(requirements(), max_entries, options, static_cast<int>(inner_template.fd())).get());
    }

private:
    explicit map_of_maps(int fd) : detail::fd_slots<K>(fd, requirements()) {}
    static detail::map_requirements requirements() {
        static const std::string handle = detail::cat("bpfxx::map_of_maps<", detail::type_name<K>(), ">");
        return {handle, map_types, detail::type_name<K>(), sizeof(K), "u32 (a map)", 4};
    }
};

// A stack trace map (BPF_MAP_TYPE_STACK_TRACE): stacks a program recorded
// with get_id() (kernel side: bpfxx::stack_trace_map), by id. Frames are
// instruction addresses, innermost first; resolve kernel ones with
// /proc/kallsyms. Maps created with map_flags::stack_build_id hold
// stack_frame_build_id frames instead: read them with build_id_frames().
class stack_trace_map : public detail::map_base {
public:
    static constexpr std::array<map_type, 1> map_types{map_type::stack_trace};
    using id_range = detail::hash_walk<u32, detail::fetch_key<u32>>;

    stack_trace_map() noexcept = default;
    static stack_trace_map open(int fd) { return stack_trace_map(fd); }
    // Room for max_entries stacks of `depth` frames (at most the
    // kernel.perf_event_max_stack sysctl, 127 by default).
    static stack_trace_map create(u32 max_entries, u32 depth = 127, const map_options& options = {}) {
        auto want = requirements();
        want.value_size = depth * ((options.flags & map_flags::stack_build_id) != 0 ? 32 : 8);
        return stack_trace_map(detail::create_map(want, max_entries, options).get());
    }

    // The number of frames a stack holds.
    [[nodiscard]] u32 depth() const noexcept { return value_size() / frame_size(); }

    // The stack's addresses (trailing empty frames removed), an empty
    // optional for an unknown id, or the errno.
    [[nodiscard]] result<std::optional<std::vector<u64>>> frames(u32 id) const {
        return read<u64>(id, [](const u64& ip) { return ip == 0; });
    }
    [[nodiscard]] result<std::optional<std::vector<stack_frame_build_id>>> build_id_frames(u32 id) const {
        return read<stack_frame_build_id>(
            id, [](const stack_frame_build_id& f) { return f.status == build_id_status::empty; });
    }
    // Frees the id (a program's get_id() may then reuse it).
    result<void> erase(u32 id) noexcept { return detail::to_result(detail::map_delete(fd(), &id)); }
    // The ids stored: `for (u32 id : m.ids())`.
    [[nodiscard]] id_range ids() const& noexcept { return id_range(fd(), max_entries(), {}); }
    id_range ids() const&& = delete;

private:
    explicit stack_trace_map(int fd) : map_base(fd, requirements()) {}
    static detail::map_requirements requirements() {
        detail::map_requirements want{"bpfxx::stack_trace_map", map_types, "u32 (the stack id)", 4, "frames", 0};
        want.value_size_multiple = 8;
        return want;
    }
    [[nodiscard]] u32 frame_size() const noexcept {
        return (map_flags() & map_flags::stack_build_id) != 0 ? sizeof(stack_frame_build_id) : sizeof(u64);
    }
    template <class Frame, class Empty>
    result<std::optional<std::vector<Frame>>> read(u32 id, Empty empty) const {
        if (frame_size() != sizeof(Frame))
            return failure{EINVAL};  // frames() on a build-id map, or the reverse
        std::vector<Frame> out(depth());
        if (int err = detail::map_lookup(fd(), &id, out.data()); err != 0) {
            if (err == ENOENT) return std::optional<std::vector<Frame>>();
            return failure{err};
        }
        while (!out.empty() && empty(out.back())) out.pop_back();
        return std::optional<std::vector<Frame>>(std::move(out));
    }
};

BPFXX_END_NAMESPACE
