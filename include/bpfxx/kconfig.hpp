// SPDX-License-Identifier: MIT OR Apache-2.0
// The kernel's build configuration, for the `.kconfig` externs of BPF
// programs (`CONFIG_*`, `LINUX_KERNEL_VERSION`, ...), read the way libbpf
// reads it: /proc/config.gz (CONFIG_IKCONFIG_PROC), else
// /boot/config-<release>.
//
//   auto config = bpfxx::kernel_config::running();
//   if (config.value("CONFIG_BPF_LSM") == "y") ...
//
// kconfig::classify and kconfig::encode turn a value into the bytes of an
// extern of a given BTF type, with libbpf's rules: `y`/`n`/`m` fill bool
// (not `m`), tristate (enum libbpf_tristate) and char externs; quoted
// strings fill char arrays (cut to fit, NUL-terminated); numbers (strtoull's
// bases) fill integers and chars they fit in.
#pragma once
#ifdef __bpf__
#error "bpfxx/kconfig.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/detail/inflate.hpp>
#include <bpfxx/error.hpp>

#include <sys/utsname.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE

// A parsed .config: `CONFIG_NAME=value` lines; comments ("# CONFIG_X is not
// set") and blank lines are skipped, the first line of a name wins.
class kernel_config {
public:
    // The text of a .config file; `source` names it in messages.
    static kernel_config parse(std::string text, std::string source = "kernel configuration") {
        kernel_config c;
        c.text_ = std::move(text);
        c.source_ = std::move(source);
        const std::string_view t(c.text_);
        for (std::size_t at = 0; at < t.size();) {
            auto end = t.find('\n', at);
            if (end == std::string_view::npos) end = t.size();
            auto line = t.substr(at, end - at);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            const auto eq = line.find('=');
            if (line.starts_with("CONFIG_") && eq != std::string_view::npos && eq > 7)
                c.entries_.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(eq),
                                      static_cast<std::uint32_t>(at + eq + 1),
                                      static_cast<std::uint32_t>(line.size() - eq - 1)});
            at = end + 1;
        }
        // By name, then by line (the first of a name wins). Not stable_sort:
        // libstdc++ 12's temporary buffer is deprecated for clang 19.
        std::sort(c.entries_.begin(), c.entries_.end(), [&](const entry& a, const entry& b) {
            const auto na = c.name(a), nb = c.name(b);
            return na != nb ? na < nb : a.name_at < b.name_at;
        });
        return c;
    }

    // The running kernel's configuration. Throws naming both places tried
    // when neither can be read.
    static kernel_config running() {
        constexpr std::size_t max_text = std::size_t{16} << 20;
        int err = 0;
        std::string why;
        try {
            // The magic is checked before anything else is read.
            static constexpr std::byte gzip_magic[] = {std::byte{0x1f}, std::byte{0x8b}};
            auto gz = detail::read_file("/proc/config.gz", "kernel configuration", max_text, gzip_magic);
            return parse(detail::gunzip(gz, max_text), "/proc/config.gz");
        } catch (const error& e) {
            err = e.code();
            why = e.what();
        }
        struct utsname u {};
        ::uname(&u);
        const std::string boot = detail::cat("/boot/config-", u.release);
        int boot_err = 0;
        auto text = detail::read_small_file(boot, boot_err, max_text);
        if (boot_err == 0) return parse(std::move(text), boot);
        detail::raise(detail::cat("cannot read the kernel's configuration: ", why, "; ", boot, ": ",
                                  detail::errno_text(boot_err),
                                  " (the kernel needs CONFIG_IKCONFIG_PROC, or its distribution's config file in "
                                  "/boot; load_options::set_kconfig takes the text instead)"),
                      err == ENOENT ? boot_err : err);
    }

    // The text after `CONFIG_NAME=` (`y`, `m`, `"text"`, `0x10`), or nullopt
    // when the configuration does not set it. `name` includes `CONFIG_`.
    [[nodiscard]] std::optional<std::string_view> value(std::string_view name) const {
        auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                                   [&](const entry& e, std::string_view n) { return this->name(e) < n; });
        if (it == entries_.end() || this->name(*it) != name) return std::nullopt;
        return std::string_view(text_).substr(it->value_at, it->value_size);
    }

    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }

private:
    // Offsets, not views: text_ may live in its small-string buffer.
    struct entry {
        std::uint32_t name_at, name_size, value_at, value_size;
    };
    std::string text_, source_;
    std::vector<entry> entries_;

    std::string_view name(const entry& e) const { return std::string_view(text_).substr(e.name_at, e.name_size); }
};

namespace kconfig {

// What a .kconfig extern's type holds (libbpf's classes).
enum class value_kind : std::uint8_t { boolean, tristate, character, integer, string };

struct value_type {
    value_kind kind = value_kind::integer;
    std::uint32_t size = 0;   // bytes in the .kconfig map
    std::uint32_t align = 1;  // its alignment there
    bool is_signed = false;   // integers
};

// The class of BTF type `id` of `b`, or nullopt when no .kconfig value fits
// it (a struct, a pointer, an int of 3 bytes, an array of non-chars).
inline std::optional<value_type> classify(const btf::btf& b, std::uint32_t id) {
    auto t = b.type(b.resolve(id));
    switch (t.kind()) {
    case btf::kind::int_: {
        const auto size = t.size();
        const auto enc = t.int_encoding();
        if ((enc & btf::int_bool) != 0) {
            if (size != 1) return std::nullopt;
            return value_type{value_kind::boolean, 1, 1, false};
        }
        if (size == 1) return value_type{value_kind::character, 1, 1, (enc & btf::int_signed) != 0};
        if (size != 2 && size != 4 && size != 8) return std::nullopt;
        return value_type{value_kind::integer, size, size, (enc & btf::int_signed) != 0};
    }
    case btf::kind::enum_:
    case btf::kind::enum64:
        // libbpf's `enum libbpf_tristate`, or bpfxx's `bpfxx::tristate`.
        if (t.size() != 4 && t.size() != 8) return std::nullopt;
        if (t.name() != "libbpf_tristate" && t.name() != "tristate") return std::nullopt;
        return value_type{value_kind::tristate, t.size(), t.size(), false};
    case btf::kind::array: {
        // Of chars: one-byte ints that are not bools (no recursion: a
        // hostile BTF may nest arrays deeply).
        const auto a = t.array();
        if (a.nelems == 0) return std::nullopt;
        auto elem = b.type(b.resolve(a.elem_type));
        if (elem.kind() != btf::kind::int_ || elem.size() != 1 || (elem.int_encoding() & btf::int_bool) != 0)
            return std::nullopt;
        return value_type{value_kind::string, a.nelems, 1, false};
    }
    default: return std::nullopt;
    }
}

// Writes `text`, a value as .config spells it, into `out` (type.size bytes,
// zeroed) as `type` holds it. Returns an empty string, or why the value does
// not fit the type (for a message naming the extern).
inline std::string encode(std::string_view text, const value_type& type, std::span<std::byte> out) {
    auto put = [&](std::uint64_t v) {
        // Little- or big-endian: the low `size` bytes of v as the host stores them.
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(out.data(), &v, type.size);
        } else {
            std::memcpy(out.data(), reinterpret_cast<const std::byte*>(&v) + (8 - type.size), type.size);
        }
    };
    if (text.size() == 1 && (text[0] == 'y' || text[0] == 'n' || text[0] == 'm')) {
        const char c = text[0];
        switch (type.kind) {
        case value_kind::boolean:
            if (c == 'm') return "'m' (a module) does not fit a bool: declare it a tristate";
            put(c == 'y' ? 1 : 0);
            return {};
        case value_kind::tristate: put(c == 'y' ? 1 : c == 'm' ? 2 : 0); return {};
        case value_kind::character: put(static_cast<unsigned char>(c)); return {};
        default: return detail::cat("'", c, "' needs a bool, tristate or char extern");
        }
    }
    if (!text.empty() && text[0] == '"') {
        if (type.kind != value_kind::string) return "a string needs a char array extern";
        if (text.size() < 2 || text.back() != '"') return "the string has no closing quote";
        auto s = text.substr(1, text.size() - 2);
        const auto n = std::min<std::size_t>(s.size(), type.size - 1);  // always NUL-terminated
        std::memcpy(out.data(), s.data(), n);
        return {};
    }
    if (type.kind != value_kind::integer && type.kind != value_kind::character)
        return detail::cat("the number '", detail::printable(text), "' needs an integer extern");
    // strtoull's forms: an optional sign, then 0x/0X hex, 0 octal or decimal.
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    } else if (digits.size() > 1 && digits[0] == '0') {
        base = 8;
        digits.remove_prefix(1);
    }
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
        return detail::cat("'", detail::printable(text), "' is not a number");
    if (negative) v = 0 - v;
    if (type.size < 8) {
        const unsigned bits = type.size * 8;
        const bool fits = type.is_signed ? v + (std::uint64_t{1} << (bits - 1)) < (std::uint64_t{1} << bits)
                                         : (v >> bits) == 0;
        if (!fits)
            return detail::cat(detail::printable(text), " does not fit a", type.is_signed ? " signed" : "n unsigned",
                               " ", bits, "-bit integer");
    }
    put(v);
    return {};
}

// KERNEL_VERSION(major, minor, patch) of a release string ("6.1.0-27-amd64"),
// the patch level capped at 255 as the kernel's macro does; 0 when the
// string does not start with three dot-separated numbers (libbpf's rule).
inline std::uint32_t version_code(std::string_view release) {
    std::uint32_t part[3] = {0, 0, 0};
    const char* p = release.data();
    const char* const end = p + release.size();
    for (int i = 0; i < 3; ++i) {
        if (i > 0) {
            if (p == end || *p != '.') return 0;
            ++p;
        }
        auto [next, ec] = std::from_chars(p, end, part[i]);
        if (ec != std::errc()) return 0;
        p = next;
    }
    if (part[0] > 255 || part[1] > 255) return 0;
    return part[0] << 16 | part[1] << 8 | std::min<std::uint32_t>(part[2], 255);
}

// The running kernel's version code (LINUX_KERNEL_VERSION).
inline std::uint32_t running_version_code() {
    struct utsname u {};
    if (::uname(&u) != 0) return 0;
    return version_code(u.release);
}

}  // namespace kconfig
BPFXX_END_NAMESPACE
