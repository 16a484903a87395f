// SPDX-License-Identifier: MIT OR Apache-2.0
// The run-time half of generated skeletons (<name>.skel.hpp and
// <name>.skel.cpp, written by tools/bpfxx-skel through bpfxx_add_skeleton()).
// A skeleton moves through libbpf's phases — open() → customise → load() →
// attach() — and is destroyed in reverse: links, programs, maps, BTF.
//
// Light on purpose: every translation unit that includes a skeleton pays
// for this header, so it needs neither the object model nor the loader's
// headers, and the loader behind it is compiled once (bpfxx/impl/
// skeleton.ipp, in the bpfxx::runtime library; see bpfxx/config.hpp).
#pragma once
#ifdef __bpf__
#error "bpfxx/skeleton.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/attach_options.hpp>
#include <bpfxx/detail/view.hpp>
#include <bpfxx/link.hpp>
#include <bpfxx/map.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/shared/program_types.hpp>

#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE

class object;
class load_options;
class loaded_object;
class loaded_program;
class loaded_map;

namespace skel {

// What kind of number a kernel field holds, as the layout checks in
// generated skeletons state it.
enum class number_kind : std::uint8_t { signed_integer, unsigned_integer, floating_point };

// Whether a user-side field of type F (an array: its element) holds the
// kernel's kind of number. Enums stand for integers of either sign, and so
// do 1-byte integers: they are mostly text, and plain `char` is signed on
// x86_64 and BPF but unsigned on aarch64.
template <class F>
constexpr bool holds(number_kind kernel) {
    using E = std::remove_cv_t<std::remove_all_extents_t<F>>;
    if constexpr (std::is_enum_v<E> || (std::is_integral_v<E> && sizeof(E) == 1))
        return kernel != number_kind::floating_point;
    else if constexpr (std::is_floating_point_v<E>) return kernel == number_kind::floating_point;
    else if constexpr (std::is_integral_v<E>)
        return kernel == (std::is_signed_v<E> ? number_kind::signed_integer : number_kind::unsigned_integer);
    else return false;
}

enum class phase : std::uint8_t { opened, loaded, attached };

// What every member of one skeleton shares. Lives on the heap so that
// skeletons move while their members keep pointing at it. Not thread-safe:
// one thread customises, loads and attaches (the typed map handles and
// ring buffers it hands out are as thread-safe as their own types say).
// Its parts (object, load options, loaded object, links) are behind a
// pointer so that this header needs none of theirs.
class state {
public:
    // Parses the object (whose bytes must outlive the state: a skeleton's
    // are static).
    BPFXX_DECL state(std::span<const std::byte> object_bytes, std::string name);
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    BPFXX_DECL ~state();

    [[nodiscard]] BPFXX_DECL const object& source() const noexcept;
    [[nodiscard]] enum phase phase() const noexcept { return phase_; }
    // Throws when not loaded yet.
    [[nodiscard]] BPFXX_DECL const loaded_object& loaded() const;

    // Before load: the writable initial image of .rodata/.data, which load()
    // hands to the kernel. After load: the mmapped map value.
    [[nodiscard]] BPFXX_DECL std::byte* global_section(std::string_view section, bool writable);

    BPFXX_DECL void load();
    // Attaches every loaded program that names its target; links are kept
    // by program name until the skeleton is destroyed or detach() is called.
    BPFXX_DECL void attach_all();
    BPFXX_DECL link_handle& attach(std::string_view program);
    [[nodiscard]] BPFXX_DECL link_handle* find_link(std::string_view program) noexcept;
    BPFXX_DECL void detach(std::string_view program) noexcept;
    BPFXX_DECL void detach_all() noexcept;

    // Everything load() accepts (include <bpfxx/loader.hpp> to use it): the
    // verifier's log level, a BTF file for CO-RE, who relocates CO-RE...
    // Before load.
    [[nodiscard]] BPFXX_DECL load_options& options();
    // Customisation before load (load_options of the same names).
    BPFXX_DECL void set_autoload(std::string_view program, bool enabled);
    BPFXX_DECL void set_attach_target(std::string_view program, std::string target);
    BPFXX_DECL void set_max_entries(std::string_view map, std::uint32_t n);
    BPFXX_DECL void set_autocreate(std::string_view map, bool create);
    BPFXX_DECL void pin_by_name(std::string_view map);

    // After load.
    [[nodiscard]] BPFXX_DECL int program_fd(std::string_view program) const;
    [[nodiscard]] BPFXX_DECL int map_fd(std::string_view map) const;
    [[nodiscard]] BPFXX_DECL const loaded_program& program(std::string_view name) const;
    [[nodiscard]] BPFXX_DECL const loaded_map& map(std::string_view name) const;
    // The consumer of a ring buffer map, opened by load().
    [[nodiscard]] BPFXX_DECL ring_buffer& reader(std::string_view map);
    // Records the kernel program could not put into ring buffer `map` (the
    // global `<map>__dropped` that BPFXX_RING_BUFFER keeps); nothing when the
    // ring was declared without that counter. After load.
    [[nodiscard]] BPFXX_DECL std::optional<std::uint64_t> ring_buffer_dropped(std::string_view map) const;

    // Attach calls by hand; the link is kept under the program's name.
    BPFXX_DECL link_handle& attach_tracepoint(std::string_view program, std::string_view category,
                                              std::string_view tracepoint);
    BPFXX_DECL link_handle& attach_raw_tracepoint(std::string_view program, std::string_view tracepoint);
    BPFXX_DECL link_handle& attach_perf_event(std::string_view program, int perf_fd);
    BPFXX_DECL link_handle& attach_uprobe(std::string_view program, const uprobe_options& options);
    BPFXX_DECL link_handle& attach_kprobe(std::string_view program, const kprobe_options& options);
    BPFXX_DECL link_handle& attach_ksyscall(std::string_view program, const ksyscall_options& options);
    BPFXX_DECL link_handle& attach_uprobe_multi(std::string_view program, const uprobe_multi_options& options);
    BPFXX_DECL link_handle& attach_kprobe_multi(std::string_view program, const kprobe_multi_options& options);
    BPFXX_DECL link_handle& attach_iterator(std::string_view program, const iterator_options& options);
    BPFXX_DECL link_handle& attach_perf_event(std::string_view program, const perf_event_options& options);
    // One link per online CPU, all kept under the program's name; how many.
    BPFXX_DECL std::size_t attach_perf_event_each_cpu(std::string_view program, const perf_event_options& options);

private:
    // Keeps `l` under the program's name, replacing a link kept before.
    BPFXX_DECL link_handle& adopt(std::string_view program, link_handle&& l);

    struct parts;
    parts* parts_;  // owned: deleted by ~state (where parts is complete)
    enum phase phase_ = phase::opened;
};

// Owns a skeleton's state on the heap, so that the skeleton moves while its
// members keep pointing at the state. (std::unique_ptr would do, at the
// price of <memory> in every translation unit that includes a skeleton.)
class owned_state {
public:
    explicit owned_state(state* s) noexcept : s_(s) {}
    owned_state(owned_state&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    owned_state& operator=(owned_state&& o) noexcept {
        if (this != &o) {
            delete s_;
            s_ = o.s_;
            o.s_ = nullptr;
        }
        return *this;
    }
    owned_state(const owned_state&) = delete;
    owned_state& operator=(const owned_state&) = delete;
    ~owned_state() { delete s_; }

    state* operator->() const noexcept { return s_; }
    state& operator*() const noexcept { return *s_; }

private:
    state* s_;
};

// A section of globals (.rodata, .data, .bss) as the generated struct T.
template <class T>
T& global_section(state& s, std::string_view section, bool writable) {
    return *detail::view_as<T>(s.global_section(section, writable));
}

// A program of the skeleton, by name.
class program_member_base {
public:
    program_member_base(state& s, std::string_view name) : state_(&s), name_(name) {}

    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    // Whether load() loads it (before load).
    void set_autoload(bool enabled) { state_->set_autoload(name_, enabled); }
    // Replaces the attach target the SEC() name gives (before load).
    void set_attach_target(std::string target) { state_->set_attach_target(name_, std::move(target)); }
    [[nodiscard]] int fd() const { return state_->program_fd(name_); }
    // The loaded program (include <bpfxx/loader.hpp> to use it).
    [[nodiscard]] const loaded_program& loaded() const { return state_->program(name_); }
    // Attaches (loading the skeleton first if needed); the link lives in the skeleton.
    link_handle& attach() { return state_->attach(name_); }
    [[nodiscard]] link_handle* attached() noexcept { return state_->find_link(name_); }
    void detach() noexcept { state_->detach(name_); }

protected:
    state* state_;
    std::string_view name_;
};

// A program typed by its kind: the attach calls that make sense for it.
template <program_type Type>
class program_member : public program_member_base {
public:
    using program_member_base::program_member_base;
    static constexpr program_type type = Type;

    // A tracepoint other than the one the section names.
    link_handle& attach_to(std::string_view category, std::string_view tracepoint)
        requires(Type == program_type::tracepoint)
    {
        return state_->attach_tracepoint(name(), category, tracepoint);
    }
    // A raw tracepoint other than the one the section names.
    link_handle& attach_to(std::string_view tracepoint)
        requires(Type == program_type::raw_tracepoint || Type == program_type::raw_tracepoint_writable)
    {
        return state_->attach_raw_tracepoint(name(), tracepoint);
    }
    // A perf event opened by the caller (perf_event programs, uprobes).
    link_handle& attach_to_perf_event(int perf_fd)
        requires(Type == program_type::perf_event || Type == program_type::kprobe ||
                 Type == program_type::tracepoint)
    {
        return state_->attach_perf_event(name(), perf_fd);
    }
    // A function of an executable or library (SEC("uprobe") and SEC("uretprobe") programs).
    link_handle& attach_uprobe(const uprobe_options& options)
        requires(Type == program_type::kprobe)
    {
        return state_->attach_uprobe(name(), options);
    }
    // A kernel function (SEC("kprobe") and SEC("kretprobe") programs).
    link_handle& attach_kprobe(const kprobe_options& options)
        requires(Type == program_type::kprobe)
    {
        return state_->attach_kprobe(name(), options);
    }
    // A system call's entry or return (SEC("ksyscall") and SEC("kretsyscall") programs).
    link_handle& attach_ksyscall(const ksyscall_options& options)
        requires(Type == program_type::kprobe)
    {
        return state_->attach_ksyscall(name(), options);
    }
    // Many functions of one binary, one link (SEC("uprobe.multi") programs).
    link_handle& attach_uprobe_multi(const uprobe_multi_options& options)
        requires(Type == program_type::kprobe)
    {
        return state_->attach_uprobe_multi(name(), options);
    }
    // Many kernel functions, one link (SEC("kprobe.multi") programs).
    link_handle& attach_kprobe_multi(const kprobe_multi_options& options)
        requires(Type == program_type::kprobe)
    {
        return state_->attach_kprobe_multi(name(), options);
    }
    // An iterator over one map or one process (SEC("iter/...") programs);
    // bpfxx::read_iterator(link) runs it.
    link_handle& attach_iterator(const iterator_options& options)
        requires(Type == program_type::tracing)
    {
        return state_->attach_iterator(name(), options);
    }
    // A software or hardware perf event (SEC("perf_event") programs).
    link_handle& attach_to(const perf_event_options& options)
        requires(Type == program_type::perf_event)
    {
        return state_->attach_perf_event(name(), options);
    }
    // The same event on every online CPU (a profiler); how many CPUs.
    std::size_t attach_each_cpu(const perf_event_options& options)
        requires(Type == program_type::perf_event)
    {
        return state_->attach_perf_event_each_cpu(name(), options);
    }
};

// A map of the skeleton, by name.
class map_member {
public:
    map_member(state& s, std::string_view name) : state_(&s), name_(name) {}

    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    // Before load.
    void set_max_entries(std::uint32_t n) { state_->set_max_entries(name_, n); }
    // Whether load() creates the map (load_options::set_autocreate).
    void set_autocreate(bool create) { state_->set_autocreate(name_, create); }
    // Pins the map under the pin root at load, or reuses the one pinned
    // there (load_options::pin_by_name).
    void pin_by_name() { state_->pin_by_name(name_); }
    [[nodiscard]] int fd() const { return state_->map_fd(name_); }
    // The loaded map (include <bpfxx/loader.hpp> to use it).
    [[nodiscard]] const loaded_map& loaded() const { return state_->map(name_); }

protected:
    state* state_;
    std::string_view name_;
};

// A ring buffer map: its consumer is opened by load().
class ring_buffer_member : public map_member {
public:
    using map_member::map_member;
    [[nodiscard]] ring_buffer& reader() { return state_->reader(name_); }
    // Records lost because the ring was full, counted in the kernel when the
    // program declares the ring with BPFXX_RING_BUFFER; nothing otherwise.
    [[nodiscard]] std::optional<std::uint64_t> dropped() const { return state_->ring_buffer_dropped(name_); }
};

// layout<G> is specialised by generated skeletons for every type they
// emit from BTF, with a compile-time check that a user-side type matches.
template <class Generated>
struct layout;

// A generated object (a global, a map value) as the user's own shared type
// T, whose size and field offsets are checked at compile time against the
// object's BTF. A copy: write it back with assign().
template <class T, class Generated>
[[nodiscard]] T as(const Generated& value) noexcept {
    static_assert(layout<std::remove_cv_t<Generated>>::template matches<T>());
    static_assert(std::is_trivially_copyable_v<T>, "a shared type must be trivially copyable");
    return std::bit_cast<T>(value);
}

// Stores the user's type T into a generated object (a .rodata variable
// before load, say), checked as as<T>() is.
template <class T, class Generated>
void assign(Generated& target, const T& value) noexcept {
    static_assert(layout<std::remove_cv_t<Generated>>::template matches<T>());
    static_assert(std::is_trivially_copyable_v<T>, "a shared type must be trivially copyable");
    target = std::bit_cast<Generated>(value);
}

}  // namespace skel
BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/skeleton.ipp>
#endif
