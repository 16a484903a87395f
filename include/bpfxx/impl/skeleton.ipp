// SPDX-License-Identifier: MIT OR Apache-2.0
// The skeleton run time behind bpfxx/skeleton.hpp.
#pragma once

#include <bpfxx/skeleton.hpp>

#include <bpfxx/attach.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

BPFXX_BEGIN_NAMESPACE
namespace detail {

template <class T>
T* find_named(std::vector<std::pair<std::string, T>>& list, std::string_view name) noexcept {
    for (auto& [n, v] : list)
        if (n == name) return &v;
    return nullptr;
}

// Keeps a link made by hand under the program's name, replacing one kept
// before.
// (Both take the link by rvalue reference: by value, GCC 12 at -O3 warns
// that the returned reference may be to the parameter.)
inline link_handle& adopt_link(std::vector<std::pair<std::string, link_handle>>& links, std::string_view program,
                               link_handle&& l) {
    if (auto* old = find_named(links, program)) {
        *old = std::move(l);
        return *old;
    }
    return links.emplace_back(std::string(program), std::move(l)).second;
}

}  // namespace detail

namespace skel {

struct state::parts {
    template <class T>
    using named = std::vector<std::pair<std::string, T>>;

    parts(std::span<const std::byte> bytes, std::string name) : object(object::parse(bytes, std::move(name))) {}

    bpfxx::object object;
    load_options options;
    named<std::vector<std::byte>> images;  // .rodata and .data before load
    std::optional<loaded_object> loaded;
    named<ring_buffer> readers;
    named<link_handle> links;  // declared last: detached first

    [[noreturn]] void raise_phase(std::string_view what, bool before_load) const {
        detail::raise(detail::cat(object.name(), ": ", what, before_load ? " must happen before load()" : " needs load() first"));
    }
};

BPFXX_DECL state::state(std::span<const std::byte> object_bytes, std::string name) : parts_(nullptr) {
    auto p = std::make_unique<parts>(object_bytes, std::move(name));  // freed if anything below throws
    for (const auto& m : p->object.maps())
        if (m.global == global_section::rodata || m.global == global_section::data) {
            std::vector<std::byte> image(m.initial_data.begin(), m.initial_data.end());
            detail::start_lifetime(image.data(), image.size());
            p->images.emplace_back(m.name, std::move(image));
        }
    parts_ = p.release();
}

BPFXX_DECL state::~state() { delete parts_; }

BPFXX_DECL const object& state::source() const noexcept { return parts_->object; }

BPFXX_DECL const loaded_object& state::loaded() const {
    if (!parts_->loaded)
        detail::raise(detail::cat(parts_->object.name(), ": the skeleton is not loaded yet; call load() first"));
    return *parts_->loaded;
}

BPFXX_DECL std::byte* state::global_section(std::string_view section, bool writable) {
    using detail::cat;
    auto& p = *parts_;
    if (phase_ == phase::opened) {
        auto* image = detail::find_named(p.images, section);
        if (image == nullptr)
            detail::raise(cat(p.object.name(), ": ", section, " can only be read after load() (it has no initial image)"));
        return image->data();
    }
    const auto& map = p.loaded->map(section);
    if (writable && map.definition().global == global_section::rodata)
        detail::raise(cat(p.object.name(), ": ", section,
                          " is frozen after load(); set it before load, or use a .data variable"));
    auto view = map.global_data();
    if (view.empty())
        detail::raise(cat(p.object.name(), ": ", section,
                          " is not mmapped (the kernel cannot mmap array maps before Linux 5.5)"));
    return view.data();
}

BPFXX_DECL void state::load() {
    auto& p = *parts_;
    if (phase_ != phase::opened) detail::raise(detail::cat(p.object.name(), ": load() was called already"));
    for (auto& [section, bytes] : p.images) p.options.set_initial_data(section, bytes);
    p.loaded.emplace(loaded_object::load(p.object, p.options));
    // Every ring buffer's consumer now, not lazily: reader() is then a
    // lookup that needs no synchronisation.
    for (const auto& m : p.loaded->maps())
        if (m.type() == map_type::ringbuf) p.readers.emplace_back(std::string(m.name()), ring_buffer::open(m.fd()));
    phase_ = phase::loaded;
}

BPFXX_DECL void state::attach_all() {
    if (phase_ == phase::opened) load();
    for (const auto& prog : parts_->loaded->programs())
        if (prog.auto_attachable() && find_link(prog.name()) == nullptr)
            parts_->links.emplace_back(std::string(prog.name()), bpfxx::attach(prog));
    phase_ = phase::attached;
}

BPFXX_DECL link_handle& state::attach(std::string_view program) {
    if (phase_ == phase::opened) load();
    auto* l = find_link(program);
    if (l == nullptr)
        l = &parts_->links.emplace_back(std::string(program), bpfxx::attach(parts_->loaded->program(program))).second;
    phase_ = phase::attached;
    return *l;
}

BPFXX_DECL link_handle* state::find_link(std::string_view program) noexcept {
    return detail::find_named(parts_->links, program);
}

BPFXX_DECL void state::detach(std::string_view program) noexcept {
    std::erase_if(parts_->links, [&](const auto& entry) { return entry.first == program; });
}

BPFXX_DECL void state::detach_all() noexcept { parts_->links.clear(); }

BPFXX_DECL load_options& state::options() {
    if (phase_ != phase::opened) parts_->raise_phase("changing the load options", true);
    return parts_->options;
}

BPFXX_DECL void state::set_autoload(std::string_view program, bool enabled) {
    if (phase_ != phase::opened) parts_->raise_phase(detail::cat("set_autoload of '", program, "'"), true);
    if (enabled) parts_->options.enable_program(program);
    else parts_->options.disable_program(program);
}

BPFXX_DECL void state::set_attach_target(std::string_view program, std::string target) {
    if (phase_ != phase::opened) parts_->raise_phase(detail::cat("set_attach_target of '", program, "'"), true);
    parts_->options.set_attach_target(program, std::move(target));
}

BPFXX_DECL void state::set_max_entries(std::string_view map, std::uint32_t n) {
    if (phase_ != phase::opened) parts_->raise_phase(detail::cat("set_max_entries of '", map, "'"), true);
    parts_->options.set_max_entries(map, n);
}

BPFXX_DECL void state::pin_by_name(std::string_view map) {
    if (phase_ != phase::opened) parts_->raise_phase(detail::cat("pin_by_name of '", map, "'"), true);
    parts_->options.pin_by_name(map);
}

BPFXX_DECL void state::set_autocreate(std::string_view map, bool create) {
    if (phase_ != phase::opened) parts_->raise_phase(detail::cat("set_autocreate of '", map, "'"), true);
    parts_->options.set_autocreate(map, create);
}

BPFXX_DECL const loaded_program& state::program(std::string_view name) const { return loaded().program(name); }
BPFXX_DECL const loaded_map& state::map(std::string_view name) const { return loaded().map(name); }
BPFXX_DECL int state::program_fd(std::string_view name) const { return program(name).fd(); }
BPFXX_DECL int state::map_fd(std::string_view name) const { return map(name).fd(); }

BPFXX_DECL std::optional<std::uint64_t> state::ring_buffer_dropped(std::string_view map) const {
    const auto& obj = parts_->object;
    const auto* g = obj.find_global(detail::cat(map, "__dropped"));
    if (g == nullptr || g->size != sizeof(std::uint64_t)) return std::nullopt;
    const auto& m = loaded().map(obj.maps()[g->map_index].name);
    if (auto view = m.global_data(); !view.empty())
        return __atomic_load_n(detail::view_as<std::uint64_t>(view.data() + g->offset), __ATOMIC_RELAXED);
    // Global data not mmapped (before Linux 5.5): one lookup of the section.
    std::vector<std::byte> value(m.value_size());
    std::uint32_t key = 0;
    sys::attr::map_elem e;
    e.map_fd = static_cast<std::uint32_t>(m.fd());
    e.key = sys::ptr_to_u64(&key);
    e.value = sys::ptr_to_u64(value.data());
    if (sys::bpf(sys::bpf_cmd::map_lookup_elem, e) < 0)
        detail::raise_errno(detail::cat(obj.name(), ": reading the drop counter of '", map, "'"));
    std::uint64_t n = 0;
    std::memcpy(&n, value.data() + g->offset, sizeof n);
    return n;
}

BPFXX_DECL ring_buffer& state::reader(std::string_view map) {
    if (!parts_->loaded) parts_->raise_phase(detail::cat("the consumer of ring buffer '", map, "'"), false);
    if (auto* r = detail::find_named(parts_->readers, map)) return *r;
    detail::raise(detail::cat(parts_->object.name(), ": '", map, "' is not a ring buffer map"));
}

BPFXX_DECL link_handle& state::attach_tracepoint(std::string_view program, std::string_view category,
                                                 std::string_view tracepoint) {
    return adopt(program, bpfxx::attach_tracepoint(program_fd(program), category, tracepoint));
}

BPFXX_DECL link_handle& state::attach_raw_tracepoint(std::string_view program, std::string_view tracepoint) {
    return adopt(program, bpfxx::attach_raw_tracepoint(program_fd(program), tracepoint));
}

BPFXX_DECL link_handle& state::attach_perf_event(std::string_view program, int perf_fd) {
    return adopt(program, bpfxx::attach_perf_event(program_fd(program), perf_fd));
}

BPFXX_DECL link_handle& state::attach_uprobe(std::string_view program, const uprobe_options& options) {
    return adopt(program, bpfxx::attach_uprobe(program_fd(program), options));
}

BPFXX_DECL link_handle& state::attach_kprobe(std::string_view program, const kprobe_options& options) {
    return adopt(program, bpfxx::attach_kprobe(program_fd(program), options));
}

BPFXX_DECL link_handle& state::attach_ksyscall(std::string_view program, const ksyscall_options& options) {
    return adopt(program, bpfxx::attach_ksyscall(program_fd(program), options));
}

BPFXX_DECL link_handle& state::attach_uprobe_multi(std::string_view program, const uprobe_multi_options& options) {
    return adopt(program, bpfxx::attach_uprobe_multi(program_fd(program), options));
}

BPFXX_DECL link_handle& state::attach_kprobe_multi(std::string_view program, const kprobe_multi_options& options) {
    return adopt(program, bpfxx::attach_kprobe_multi(program_fd(program), options));
}

BPFXX_DECL link_handle& state::attach_iterator(std::string_view program, const iterator_options& options) {
    return adopt(program, bpfxx::attach_iterator(program_fd(program), options));
}

BPFXX_DECL link_handle& state::attach_perf_event(std::string_view program, const perf_event_options& options) {
    return adopt(program, bpfxx::attach_perf_event(program_fd(program), options));
}

BPFXX_DECL std::size_t state::attach_perf_event_each_cpu(std::string_view program,
                                                         const perf_event_options& options) {
    auto links = bpfxx::attach_perf_event_each_cpu(program_fd(program), options);
    detach(program);
    for (auto& l : links) parts_->links.emplace_back(std::string(program), std::move(l));
    phase_ = phase::attached;
    return links.size();
}

BPFXX_DECL link_handle& state::adopt(std::string_view program, link_handle&& l) {
    auto& kept = detail::adopt_link(parts_->links, program, std::move(l));
    phase_ = phase::attached;
    return kept;
}

}  // namespace skel
BPFXX_END_NAMESPACE
