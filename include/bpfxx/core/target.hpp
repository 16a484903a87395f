// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::core::target — the BTF that CO-RE relocations are resolved
// against: the running kernel's (vmlinux plus every module's split BTF), or
// a BTF file the user supplies for a kernel built without
// CONFIG_DEBUG_INFO_BTF (as BTFHub provides). Candidate types are found by
// name and kind, once per name: later loads in the process reuse them.
#pragma once
#ifdef __bpf__
#error "bpfxx/core/target.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/error.hpp>

#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// The kernel's BTF, read and parsed once per process and shared by every
// object (libbpf re-reads and re-parses it on every load).
inline const btf::btf& vmlinux_btf() {
    static const btf::btf parsed = [] {
        const char* path = "/sys/kernel/btf/vmlinux";
        std::vector<std::byte> owned;
        try {
            owned = read_file(path, "the kernel's BTF");
        } catch (const error& e) {
            // Only a missing file means the kernel has no BTF; anything else
            // (EACCES, EMFILE, ENOMEM) is said as it is.
            if (e.code() != ENOENT) throw;
            raise(cat("the kernel has no BTF: ", path, " does not exist (it needs CONFIG_DEBUG_INFO_BTF=y, "
                      "Linux 5.4+); or give the loader a BTF file with load_options::set_target_btf"),
                  ENOENT);
        }
        // Checked by the kernel already: only the layout is validated.
        return btf::btf(std::move(owned), nullptr, btf::trusted);
    }();
    return parsed;
}

}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace core {

// A name without its `___flavor` suffix: CO-RE matches `task_struct___old`
// with the kernel's `task_struct`. The suffix starts at the last `___`
// that has a non-underscore on both sides.
[[nodiscard]] constexpr std::string_view essential_name(std::string_view name) noexcept {
    if (name.size() < 5) return name;
    for (std::size_t i = name.size() - 5 + 1; i-- > 0;)
        if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
            return name.substr(0, i + 1);
    return name;
}

// One type of the target that may be what a local type means.
struct candidate {
    const btf::btf* btf = nullptr;
    std::uint32_t id = 0;
    std::string_view module;  // "vmlinux", a module's name, or the BTF file's
};

// Kinds CO-RE treats as the same when looking for candidates.
[[nodiscard]] constexpr btf::kind core_kind_class(btf::kind k) noexcept {
    return k == btf::kind::enum64 ? btf::kind::enum_ : k;
}

// The BTF in a file: raw BTF (as in /sys/kernel/btf), or the .BTF section
// of an ELF file (a vmlinux image, a BPF object). `what` names it in errors.
inline std::vector<std::byte> read_btf_file(const std::string& path, std::string_view what = "BTF") {
    auto bytes = detail::read_file(path, what);
    if (bytes.size() < 4 || std::memcmp(bytes.data(), "\x7f" "ELF", 4) != 0) return bytes;
    try {
        elf::file image{detail::bytes(bytes)};
        const auto* sec = image.find_section(".BTF");
        if (sec == nullptr)
            detail::raise("it is an ELF file without a .BTF section (a kernel needs CONFIG_DEBUG_INFO_BTF=y)");
        return {sec->data.begin(), sec->data.end()};
    } catch (const error& e) {
        detail::raise(detail::cat(what, " '", path, "': ", e.what()), e.code());
    }
}

class target {
public:
    // The running kernel: vmlinux read and parsed once per process; module
    // BTF (/sys/kernel/btf/<module>) read when a first candidate search needs
    // it. Shared by every object the process loads.
    static const target& kernel();

    // A BTF file for the target kernel: raw BTF (as in /sys/kernel/btf) or an
    // ELF file with a .BTF section (a vmlinux image). Validated in full.
    static target from_file(const std::string& path) {
        auto bytes = read_btf_file(path, "target BTF");
        std::unique_ptr<btf::btf> parsed;
        try {
            parsed = std::make_unique<btf::btf>(std::move(bytes));
        } catch (const error& e) {
            detail::raise(detail::cat("target BTF '", path, "': ", e.what()), e.code());
        }
        target t(*parsed, path);
        t.owned_.push_back(std::move(parsed));
        return t;
    }

    // Borrows `base` (and any added splits) and looks at no modules: for
    // tests, tools and user-supplied BTF.
    explicit target(const btf::btf& base, std::string name = "vmlinux") : base_(&base) {
        sources_.push_back({&base, std::move(name)});
    }
    // Adds split BTF on top of the base. Candidates already handed out stay
    // valid (they view source names that never move); later searches see
    // the new split too (the cache of earlier searches is dropped).
    void add_split(const btf::btf& split, std::string name) {
        std::lock_guard lock(mutex_);
        sources_.push_back({&split, std::move(name)});
        cache_.clear();
    }

    target(target&& o) noexcept
        : base_(o.base_), owned_(std::move(o.owned_)), sources_(std::move(o.sources_)),
          modules_pending_(o.modules_pending_), cache_(std::move(o.cache_)) {}
    target& operator=(target&&) = delete;
    target(const target&) = delete;
    target& operator=(const target&) = delete;
    ~target() = default;

    [[nodiscard]] const btf::btf& base() const noexcept { return *base_; }

    // Every target type whose kind class and essential name equal the
    // local type's (searched once per name; vmlinux first, then modules).
    [[nodiscard]] std::vector<candidate> candidates(std::string_view local_name, btf::kind local_kind) const {
        if (essential_name(local_name).empty()) return {};  // anonymous: nothing to match by
        std::lock_guard lock(mutex_);
        auto key = cache_key(essential_name(local_name), local_kind);
        if (!cache_.contains(key)) search({key});
        return cache_.at(key);
    }

    // Searches for several names in one pass over each BTF (a first load
    // then walks the kernel's types once, not once per name).
    void prefetch(const std::vector<std::pair<std::string_view, btf::kind>>& wanted) const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> keys;
        for (const auto& [n, k] : wanted) {
            if (essential_name(n).empty()) continue;
            auto key = cache_key(essential_name(n), k);
            if (!cache_.contains(key) && std::find(keys.begin(), keys.end(), key) == keys.end())
                keys.push_back(std::move(key));
        }
        if (!keys.empty()) search(std::move(keys));
    }

private:
    struct source {
        const btf::btf* btf;
        std::string name;
    };
    struct kernel_tag {};

    target(const btf::btf& vmlinux, kernel_tag) : target(vmlinux) { modules_pending_ = true; }

    // The key: the kind class as one character, then the essential name.
    static std::string cache_key(std::string_view essential, btf::kind k) {
        std::string key(1, static_cast<char>(core_kind_class(k)));
        key.append(essential);
        return key;
    }

    // One pass over a BTF's own types: the kind is read from the raw info
    // word and the name compared in place, so the ~130k kernel types cost a
    // few instructions each.
    static void scan(const source& s, const std::vector<std::string>& keys,
                     std::vector<std::vector<candidate>>& found) {
        struct wanted {
            unsigned char cls;
            std::string_view name;
        };
        std::vector<wanted> want;
        std::uint32_t kinds = 0;  // a bit per wanted kind class: most types are skipped unread
        // A bit per (kind class, first two name bytes) wanted: nearly every
        // type whose kind is wanted is still rejected by one table lookup.
        std::vector<std::uint64_t> prefixes(32 * 65536 / 64);
        auto prefix = [](unsigned cls, std::string_view n) {
            auto c0 = static_cast<unsigned char>(n[0]);
            auto c1 = n.size() > 1 ? static_cast<unsigned char>(n[1]) : 0u;
            return (cls << 16) | (c0 << 8) | c1;
        };
        for (const auto& k : keys) {
            auto cls = static_cast<unsigned char>(k[0]);
            want.push_back({cls, std::string_view(k).substr(1)});
            kinds |= 1u << cls;
            auto bit = prefix(cls, want.back().name);
            prefixes[bit / 64] |= std::uint64_t{1} << (bit % 64);
        }
        const auto& b = *s.btf;
        b.for_each_header([&](std::uint32_t id, std::uint32_t name_off, std::uint32_t info) {
            auto cls = static_cast<unsigned char>(core_kind_class(btf::info_kind(info)));
            if ((kinds & (1u << cls)) == 0 || name_off == 0) return;
            auto tail = b.string_tail(name_off);
            if (tail.size() < 2) return;
            auto bit = prefix(cls, tail);
            if ((prefixes[bit / 64] & (std::uint64_t{1} << (bit % 64))) == 0) return;
            for (std::size_t i = 0; i < want.size(); ++i) {
                const auto& w = want[i];
                auto n = w.name.size();
                if (w.cls != cls || tail.size() <= n || tail.compare(0, n, w.name) != 0) continue;
                // `name` exactly, or `name___flavor`.
                if (tail[n] == '\0' || (tail[n] == '_' && essential_name(b.string_at(name_off)) == w.name))
                    found[i].push_back({&b, id, s.name});
            }
        });
    }

    // Finds the candidates of `keys` (none cached yet) in every source and
    // caches them. Called with mutex_ held.
    void search(std::vector<std::string> keys) const {
        load_modules();
        std::vector<std::vector<candidate>> found(keys.size());
        for (const auto& s : sources_) scan(s, keys, found);
        for (std::size_t i = 0; i < keys.size(); ++i) cache_.emplace(std::move(keys[i]), std::move(found[i]));
    }

    void load_modules() const;

    const btf::btf* base_;
    // Filled lazily under mutex_ (module BTF), hence mutable.
    mutable std::vector<std::unique_ptr<btf::btf>> owned_;
    // A deque: adding a source never moves the others, whose names the
    // candidates handed out view.
    mutable std::deque<source> sources_;
    mutable bool modules_pending_ = false;
    mutable std::mutex mutex_;
    mutable std::unordered_map<std::string, std::vector<candidate>> cache_;
};

inline const target& target::kernel() {
    static const target t(detail::vmlinux_btf(), kernel_tag{});
    return t;
}

// Module BTF is split BTF on top of vmlinux's: ids and string offsets
// continue where vmlinux's end. A module that disappears or cannot be read
// is skipped (its types simply are not candidates).
inline void target::load_modules() const {
    if (!modules_pending_) return;
    modules_pending_ = false;
    std::vector<std::string> names;
    {
        struct closer {
            void operator()(DIR* d) const noexcept { ::closedir(d); }
        };
        const std::unique_ptr<DIR, closer> dir(::opendir("/sys/kernel/btf"));
        if (!dir) return;
        while (auto* e = ::readdir(dir.get())) {
            std::string_view n(e->d_name);
            if (n != "." && n != ".." && n != "vmlinux") names.emplace_back(n);
        }
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names) {
        try {
            owned_.push_back(
                std::make_unique<btf::btf>(detail::read_file("/sys/kernel/btf/" + n, "module BTF"), base_, btf::trusted));
            sources_.push_back({owned_.back().get(), std::move(n)});
        } catch (const error&) {
            // unloaded meanwhile, or not split BTF of this vmlinux: no candidates from it
        }
    }
}

}  // namespace core
BPFXX_END_NAMESPACE
