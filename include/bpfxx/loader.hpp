// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx's own loader: turns a parsed object into kernel objects over raw
// bpf(2) — sanitised BTF, maps, relocated programs with func/line info,
// CO-RE. Replaces libbpf's bpf_object__load(). Attaching is a layer above:
// bpfxx/attach.hpp.
//
// This header declares; the loader is in bpfxx/impl/loader.ipp.
#pragma once
#ifdef __bpf__
#error "bpfxx/loader.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/object.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/mmap.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE

namespace detail {
class object_loader;
}

// What load() may change before maps are created and programs verified.
// Every name given must exist in the object: load() refuses a typo.
class load_options {
public:
    // Overrides the initial value of a global variable (.rodata, .data) by
    // name. The size must equal the variable's size in the object.
    template <class T>
        requires std::is_trivially_copyable_v<T>
    load_options& set_global(std::string_view name, const T& value) {
        std::vector<std::byte> bytes(sizeof(T));
        std::memcpy(bytes.data(), &value, sizeof(T));
        put(globals_, name, std::move(bytes));
        return *this;
    }
    // Replaces a map's max_entries before it is created.
    load_options& set_max_entries(std::string_view map, std::uint32_t n) {
        put(max_entries_, map, n);
        return *this;
    }
    // Whether a map is created at load (libbpf's bpf_map__set_autocreate):
    // false leaves it out, e.g. a map type this kernel lacks used only by
    // programs that are disabled too. Loading a program that uses it fails
    // with an error naming both; the loaded_map has fd() -1.
    load_options& set_autocreate(std::string_view map, bool create) {
        std::erase(not_created_, map);
        if (!create) not_created_.emplace_back(map);
        return *this;
    }
    // A map's definition changed before it is created, as libbpf's
    // bpf_map__set_* do: a stack trace map declared without a value size
    // (sized at run time to the stack depth wanted), a key or value size,
    // type or flags chosen by the tool. Changing a size drops the map's BTF
    // key/value types, which no longer describe it.
    load_options& set_key_size(std::string_view map, std::uint32_t bytes) {
        change(map).key_size = bytes;
        return *this;
    }
    load_options& set_value_size(std::string_view map, std::uint32_t bytes) {
        change(map).value_size = bytes;
        return *this;
    }
    load_options& set_map_type(std::string_view map, map_type type) {
        change(map).type = type;
        return *this;
    }
    load_options& set_map_flags(std::string_view map, std::uint32_t flags) {
        change(map).flags = flags;
        return *this;
    }
    // A map-in-map's inner template from this map descriptor (libbpf's
    // bpf_map__set_inner_map_fd), instead of its BTF `values` definition.
    // The descriptor must stay open until load() returns.
    load_options& set_inner_map(std::string_view map, int inner_map_fd) {
        change(map).inner_fd = inner_map_fd;
        return *this;
    }
    // Pinning. A map whose definition says pinning = LIBBPF_PIN_BY_NAME
    // (1), or named here, lives at <pin root>/<map name>: when a map is
    // pinned there already, load() reuses it (its contents kept) if its
    // type, key size, value size, max_entries and flags match the
    // definition, and fails naming the difference if not; otherwise it
    // creates the map and pins it there. Pins outlive the process; remove
    // them with unlink. The root is /sys/fs/bpf unless set.
    load_options& pin_by_name(std::string_view map) {
        if (std::find(pinned_.begin(), pinned_.end(), map) == pinned_.end()) pinned_.emplace_back(map);
        return *this;
    }
    load_options& set_pin_root(std::string directory) {
        pin_root_ = std::move(directory);
        return *this;
    }
    // Loads only the named programs (all when never called).
    load_options& only_programs(std::vector<std::string> names) {
        only_ = std::move(names);
        return *this;
    }
    // Leaves a program out of the load (libbpf's set_autoload(false)): e.g.
    // an fentry program on a kernel without BTF trampolines.
    load_options& disable_program(std::string_view name) {
        disabled_.emplace_back(name);
        return *this;
    }
    load_options& enable_program(std::string_view name) {
        std::erase(disabled_, name);
        return *this;
    }
    // Replaces what a program attaches to: the part of its SEC() name after
    // the prefix ("syscalls/sys_enter_openat" for a tracepoint).
    load_options& set_attach_target(std::string_view program, std::string target) {
        put(targets_, program, std::move(target));
        return *this;
    }
    // Replaces a whole global data section's initial contents (the
    // skeleton's typed .rodata/.data); the size must match the section.
    load_options& set_initial_data(std::string_view section, std::vector<std::byte> bytes) {
        put(sections_, section, std::move(bytes));
        return *this;
    }
    // Verifier log level for a program the verifier rejects (1 or 2).
    load_options& log_level(std::uint32_t level) {
        log_level_ = level;
        return *this;
    }
    // Kernel configuration text (.config lines: CONFIG_X=y) for the
    // object's .kconfig externs, consulted before the running kernel's
    // (libbpf's `kconfig` open option): values the kernel lacks, or a
    // kernel without /proc/config.gz and /boot/config-<release>.
    load_options& set_kconfig(std::string text) {
        kconfig_ = std::move(text);
        return *this;
    }
    // The same for one program (libbpf's bpf_program__set_log_level).
    load_options& set_log_level(std::string_view program, std::uint32_t level) {
        put(program_log_levels_, program, level);
        return *this;
    }
    // The expected attach type a program is loaded with, instead of the one
    // its section name implies (libbpf's bpf_program__set_expected_attach_type).
    load_options& set_expected_attach_type(std::string_view program, attach_type type) {
        put(expected_attach_, program, type);
        return *this;
    }
    // Resolves CO-RE relocations against this BTF file (raw BTF or an ELF
    // image with .BTF, e.g. from BTFHub) instead of the running kernel's:
    // for kernels built without CONFIG_DEBUG_INFO_BTF. Modules are not
    // searched then.
    load_options& set_target_btf(std::string path) {
        target_btf_ = std::move(path);
        return *this;
    }
    // Who applies CO-RE relocations. automatic: the kernel when it can
    // (Linux 5.17+, probed once; no kernel BTF is read into this process),
    // bpfxx otherwise; always bpfxx with set_target_btf(). An unsatisfiable
    // relocation is explained the same way in both cases.
    enum class core_mode : std::uint8_t { automatic, user_space, kernel };
    load_options& core_relocation(core_mode mode) {
        core_mode_ = mode;
        return *this;
    }

private:
    friend class detail::object_loader;
    template <class T>
    using named = std::vector<std::pair<std::string, T>>;

    template <class T, class V>
    static void put(named<T>& list, std::string_view name, V&& value) {
        for (auto& [n, v] : list)
            if (n == name) {
                v = std::forward<V>(value);
                return;
            }
        list.emplace_back(std::string(name), std::forward<V>(value));
    }

    // What set_key_size... change in one map; 0 / unspec / -1: unchanged.
    struct map_change {
        std::uint32_t key_size = 0;
        std::uint32_t value_size = 0;
        map_type type = map_type::unspec;
        std::optional<std::uint32_t> flags;
        int inner_fd = -1;
    };
    map_change& change(std::string_view map) {
        for (auto& [n, c] : map_changes_)
            if (n == map) return c;
        return map_changes_.emplace_back(std::string(map), map_change{}).second;
    }
    template <class T>
    static const T* find(const named<T>& list, std::string_view name) noexcept {
        for (const auto& [n, v] : list)
            if (n == name) return &v;
        return nullptr;
    }

    named<std::vector<std::byte>> globals_;
    named<std::uint32_t> max_entries_;
    named<map_change> map_changes_;
    named<std::uint32_t> program_log_levels_;
    named<attach_type> expected_attach_;
    std::vector<std::string> only_;
    std::vector<std::string> disabled_;
    std::vector<std::string> not_created_;
    std::vector<std::string> pinned_;
    std::string pin_root_ = "/sys/fs/bpf";
    named<std::string> targets_;
    named<std::vector<std::byte>> sections_;
    std::uint32_t log_level_ = 1;
    std::string target_btf_;
    std::string kconfig_;
    core_mode core_mode_ = core_mode::automatic;
};

// A map created in the kernel.
class loaded_map {
public:
    [[nodiscard]] std::string_view name() const noexcept { return def_->name; }
    // -1 when load_options::set_autocreate(name, false) left it out.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] map_type type() const noexcept { return def_->type; }
    [[nodiscard]] std::uint32_t key_size() const noexcept { return def_->key_size; }
    [[nodiscard]] std::uint32_t value_size() const noexcept { return def_->value_size; }
    // As created: ring buffers rounded to a power of two of whole pages,
    // perf event arrays sized to the possible CPUs.
    [[nodiscard]] std::uint32_t max_entries() const noexcept { return max_entries_; }
    // The object's definition, with load_options' changes (set_value_size...).
    [[nodiscard]] const map_definition& definition() const noexcept { return *def_; }
    // Where load() pinned the map or found it pinned (load_options::
    // pin_by_name, LIBBPF_PIN_BY_NAME); empty when not pinned.
    [[nodiscard]] const std::string& pin_path() const noexcept { return pin_path_; }
    // Whether load() reused a map pinned before rather than creating it.
    [[nodiscard]] bool reused() const noexcept { return reused_; }
    // Pins the map at `path` in a BPF filesystem.
    BPFXX_DECL void pin(const std::string& path) const;
    // A global data map's value, mapped into this process: reads and writes
    // reach the programs' variables with no system call. Read-only for
    // .rodata (frozen at load). Empty for other maps, and where the kernel
    // cannot mmap array maps (before Linux 5.5).
    [[nodiscard]] std::span<std::byte> global_data() const noexcept {
        return {view_.data(), view_ ? def_->value_size : 0};
    }

private:
    friend class detail::object_loader;
    const map_definition* def_ = nullptr;
    std::shared_ptr<const map_definition> changed_;  // the definition after load_options' changes
    std::uint32_t max_entries_ = 0;
    std::string pin_path_;
    bool reused_ = false;
    sys::fd fd_;
    sys::mapping view_;  // destroyed before fd_
};

// A program verified and loaded into the kernel. Attach it with
// bpfxx::attach() (bpfxx/attach.hpp).
class loaded_program {
public:
    [[nodiscard]] std::string_view name() const noexcept { return prog_->name; }
    [[nodiscard]] std::string_view section() const noexcept { return prog_->section; }
    [[nodiscard]] program_type type() const noexcept { return prog_->type; }
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] const program_definition& definition() const noexcept { return *prog_; }
    // Instructions after relocation, as the verifier saw them.
    [[nodiscard]] std::size_t insn_count() const noexcept { return insn_count_; }
    [[nodiscard]] std::string_view attach_target() const noexcept { return target_; }
    // Pins the program at `path` in a BPF filesystem: it stays loaded after
    // this process is gone (reopen it with bpfxx::open_pinned).
    BPFXX_DECL void pin(const std::string& path) const;
    // Whether the section name alone says where to attach (libbpf's
    // auto-attach): a tracepoint with its category and name, say. XDP,
    // socket filters and programs without a target are attached by hand.
    [[nodiscard]] bool auto_attachable() const noexcept {
        return prog_->definition != nullptr && prog_->definition->has(section_flag::auto_attach) && !target_.empty();
    }

private:
    friend class detail::object_loader;
    const program_definition* prog_ = nullptr;
    std::size_t insn_count_ = 0;
    std::string target_;  // the section's target, or load_options::set_attach_target's
    sys::fd fd_;
};

// Everything an object put into the kernel. Destroyed in the reverse order
// of creation: programs, then maps, then BTF.
class loaded_object {
public:
    // Loads `obj`, which must outlive the result (it holds views into it).
    [[nodiscard]] BPFXX_DECL static loaded_object load(const object& obj, const load_options& options = {});
    // Loads `obj` and keeps it: load(object::open(path)) is safe.
    [[nodiscard]] BPFXX_DECL static loaded_object load(object&& obj, const load_options& options = {});

    BPFXX_DECL loaded_object(loaded_object&&) noexcept;
    BPFXX_DECL loaded_object& operator=(loaded_object&&) noexcept;
    BPFXX_DECL ~loaded_object();

    [[nodiscard]] const object& source() const noexcept { return *obj_; }
    [[nodiscard]] int btf_fd() const noexcept { return btf_.get(); }
    [[nodiscard]] std::span<const loaded_map> maps() const noexcept { return maps_; }
    [[nodiscard]] std::span<const loaded_program> programs() const noexcept { return programs_; }

    // By name; throws bpfxx::error naming the object when there is none.
    [[nodiscard]] BPFXX_DECL const loaded_map& map(std::string_view name) const;
    [[nodiscard]] BPFXX_DECL const loaded_program& program(std::string_view name) const;
    [[nodiscard]] BPFXX_DECL const loaded_map* find_map(std::string_view name) const noexcept;
    [[nodiscard]] BPFXX_DECL const loaded_program* find_program(std::string_view name) const noexcept;

private:
    friend class detail::object_loader;
    loaded_object() = default;

    std::unique_ptr<const object> owned_;  // set by load(object&&)
    const object* obj_ = nullptr;
    sys::fd btf_;  // declared before the maps and programs: destroyed last
    std::vector<loaded_map> maps_;
    std::vector<loaded_program> programs_;
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/loader.ipp>
#endif
