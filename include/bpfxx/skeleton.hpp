// SPDX-License-Identifier: MIT OR Apache-2.0
// The run-time half of generated skeletons (<name>.skel.hpp, written by
// tools/bpfxx-skel through bpfxx_add_skeleton()). A skeleton moves through
// libbpf's phases — open() → customise → load() → attach() — and is
// destroyed in reverse: links, programs, maps, BTF.
#pragma once
#ifdef __bpf__
#error "bpfxx/skeleton.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/link.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/ring_buffer.hpp>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <type_traits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace skel {

enum class phase : std::uint8_t { opened, loaded, attached };

// What every handle of one skeleton shares. Lives on the heap so that
// skeletons move while handles keep pointing at it.
class state {
public:
    state(std::span<const std::byte> object_bytes, std::string name)
        : object_(object::parse(object_bytes, std::move(name))) {
        for (const auto& m : object_.maps())
            if (m.global == global_section::rodata || m.global == global_section::data)
                images_.emplace(m.name, std::vector<std::byte>(m.initial_data.begin(), m.initial_data.end()));
    }
    state(const state&) = delete;
    state& operator=(const state&) = delete;

    [[nodiscard]] const object& source() const noexcept { return object_; }
    [[nodiscard]] enum phase phase() const noexcept { return phase_; }
    [[nodiscard]] load_options& options() noexcept { return options_; }
    [[nodiscard]] const loaded_object& loaded() const {
        if (!loaded_) detail::raise(detail::cat(object_.name(), ": the skeleton is not loaded yet; call load() first"));
        return *loaded_;
    }

    void require_phase(enum phase expected, std::string_view what) const {
        if (phase_ == expected) return;
        if (expected == phase::opened)
            detail::raise(detail::cat(object_.name(), ": ", what, " must happen before load()"));
        detail::raise(detail::cat(object_.name(), ": ", what, " needs load() first"));
    }

    // Before load: the writable initial image of .rodata/.data, which load()
    // hands to the kernel. After load: the mmapped map value.
    std::byte* global_section(std::string_view section, bool writable) {
        if (phase_ == phase::opened) {
            auto it = images_.find(section);
            if (it == images_.end())
                detail::raise(detail::cat(object_.name(), ": ", section,
                                          " can only be read after load() (it has no initial image)"));
            return it->second.data();
        }
        const auto& map = loaded_->map(section);
        if (writable && map.definition().global == global_section::rodata)
            detail::raise(detail::cat(object_.name(), ": ", section,
                                      " is frozen after load(); set it before load, or use a .data variable"));
        auto view = map.global_data();
        if (view.empty())
            detail::raise(detail::cat(object_.name(), ": ", section,
                                      " is not mmapped (the kernel cannot mmap array maps before Linux 5.5)"));
        return view.data();
    }

    void load() {
        require_phase(phase::opened, "load()");
        for (auto& [section, bytes] : images_) options_.set_initial_data(section, bytes);
        loaded_.emplace(loaded_object::load(object_, options_));
        phase_ = phase::loaded;
    }

    // Attaches every loaded program that names its target; links are kept
    // by program name until the skeleton is destroyed or detach() is called.
    void attach_all() {
        if (phase_ == phase::opened) load();
        for (const auto& p : loaded_->programs())
            if (p.auto_attachable() && links_.find(p.name()) == links_.end())
                links_.emplace(std::string(p.name()), p.attach());
        phase_ = phase::attached;
    }
    link& attach(std::string_view program) {
        if (phase_ == phase::opened) load();
        auto it = links_.find(program);
        if (it == links_.end()) it = links_.emplace(std::string(program), loaded_->program(program).attach()).first;
        phase_ = phase::attached;
        return it->second;
    }
    // Keeps a link made by hand (attach_to) under the program's name.
    link& adopt(std::string_view program, link l) {
        if (phase_ == phase::loaded) phase_ = phase::attached;
        links_.erase(std::string(program));
        return links_.emplace(std::string(program), std::move(l)).first->second;
    }
    link* find_link(std::string_view program) noexcept {
        auto it = links_.find(program);
        return it == links_.end() ? nullptr : &it->second;
    }
    void detach(std::string_view program) {
        if (auto it = links_.find(program); it != links_.end()) links_.erase(it);
    }
    void detach_all() noexcept { links_.clear(); }

private:
    object object_;
    load_options options_;
    std::map<std::string, std::vector<std::byte>, std::less<>> images_;
    enum phase phase_ = phase::opened;
    std::optional<loaded_object> loaded_;
    std::map<std::string, link, std::less<>> links_;  // declared last: detached first
};

// A program of the skeleton, by name.
class program_handle {
public:
    program_handle(state& s, std::string_view name) : state_(&s), name_(name) {}

    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    // Whether load() loads it (before load).
    void set_autoload(bool enabled) {
        state_->require_phase(phase::opened, detail::cat("set_autoload of '", name_, "'"));
        if (enabled) state_->options().enable_program(name_);
        else state_->options().disable_program(name_);
    }
    // Replaces the attach target the SEC() name gives (before load).
    void set_attach_target(std::string target) {
        state_->require_phase(phase::opened, detail::cat("set_attach_target of '", name_, "'"));
        state_->options().set_attach_target(name_, std::move(target));
    }
    [[nodiscard]] int fd() const { return state_->loaded().program(name_).fd(); }
    [[nodiscard]] const loaded_program& loaded() const { return state_->loaded().program(name_); }
    // Attaches (loading the skeleton first if needed); the link lives in the skeleton.
    link& attach() { return state_->attach(name_); }
    [[nodiscard]] link* attached() noexcept { return state_->find_link(name_); }
    void detach() { state_->detach(name_); }

protected:
    state* state_;
    std::string_view name_;
};

// A program typed by its kind: the attach calls that make sense for it.
template <program_type Type>
class program : public program_handle {
public:
    using program_handle::program_handle;
    static constexpr program_type type = Type;

    // A tracepoint other than the one the section names.
    link& attach_to(std::string_view category, std::string_view tracepoint)
        requires(Type == program_type::tracepoint)
    {
        return state_->adopt(name(), attach_tracepoint(fd(), category, tracepoint));
    }
    // A raw tracepoint other than the one the section names.
    link& attach_to(std::string_view tracepoint)
        requires(Type == program_type::raw_tracepoint || Type == program_type::raw_tracepoint_writable)
    {
        return state_->adopt(name(), attach_raw_tracepoint(fd(), tracepoint));
    }
    // A perf event opened by the caller (perf_event programs, uprobes).
    link& attach_to_perf_event(int perf_fd)
        requires(Type == program_type::perf_event || Type == program_type::kprobe ||
                 Type == program_type::tracepoint)
    {
        return state_->adopt(name(), attach_perf_event(fd(), perf_fd));
    }
};

// A map of the skeleton, by name.
class map_handle {
public:
    map_handle(state& s, std::string_view name) : state_(&s), name_(name) {}

    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    void set_max_entries(std::uint32_t n) {
        state_->require_phase(phase::opened, detail::cat("set_max_entries of '", name_, "'"));
        state_->options().set_max_entries(name_, n);
    }
    [[nodiscard]] int fd() const { return state_->loaded().map(name_).fd(); }
    [[nodiscard]] const loaded_map& loaded() const { return state_->loaded().map(name_); }

protected:
    state* state_;
    std::string_view name_;
};

// A ring buffer map: its consumer opens on first use after load.
class ring_buffer_handle : public map_handle {
public:
    using map_handle::map_handle;
    ring_buffer& reader() {
        if (!reader_) reader_ = std::make_unique<ring_buffer>(ring_buffer::open(fd()));
        return *reader_;
    }

private:
    std::unique_ptr<ring_buffer> reader_;
};

// layout<G> is specialised by generated skeletons for every type they
// emit from BTF, with a compile-time check that a user-side type matches.
template <class Generated>
struct layout;

// A generated object (a global, a map value) viewed as the user's own
// shared type T, whose size and field offsets are checked at compile time
// against the object's BTF.
template <class T, class Generated>
T& as(Generated& value) {
    static_assert(layout<std::remove_cv_t<Generated>>::template matches<T>());
    static_assert(std::is_trivially_copyable_v<T>, "a shared type must be trivially copyable");
    return *std::launder(reinterpret_cast<T*>(&value));
}
template <class T, class Generated>
const T& as(const Generated& value) {
    static_assert(layout<std::remove_cv_t<Generated>>::template matches<T>());
    static_assert(std::is_trivially_copyable_v<T>, "a shared type must be trivially copyable");
    return *std::launder(reinterpret_cast<const T*>(&value));
}

}  // namespace skel
BPFXX_END_NAMESPACE
