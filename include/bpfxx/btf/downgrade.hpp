// SPDX-License-Identifier: MIT OR Apache-2.0
// Fitting an object's BTF to an older kernel. No system calls here: the
// running kernel's features are probed by bpfxx/features.hpp.
//
// Each kernel release accepts BTF that the previous ones refuse. downgrade()
// rewrites what a kernel lacks into forms every BTF-capable kernel accepts,
// after the rules libbpf and Aya apply, so one object loads from 5.2 to today:
//
//   VAR (5.2)                  -> INT, 1 byte (named like the variable)
//   DATASEC (5.2)              -> STRUCT of the section's size, one 1-byte
//                                 member per variable at its offset, named
//                                 like the section with '.' -> '_'
//   FUNC, global linkage (5.6) -> FUNC, static linkage
//   empty DATASEC (5.12)       -> one filler variable covering the section
//   FLOAT (5.13)               -> anonymous STRUCT of the same size, no members
//   DECL_TAG (5.16)            -> anonymous INT, 1 byte
//   TYPE_TAG (5.17)            -> CONST of the same type
//   ENUM64 (6.0)               -> ENUM of the same size and enumerators, values
//                                 cut to their low 32 bits (an ENUM stays a
//                                 scalar for the verifier, a UNION would not)
//   signed ENUM (6.0)          -> kind_flag cleared
//   DATASEC name outside [A-Za-z0-9_.] (6.9) -> those characters become '_'
//
// Type ids never change (func_info, line_info, CO-RE records and map
// definitions refer to them); the filler's INT and VAR are appended. Strings
// are only appended. The kernel needs none of the rewritten types to verify a
// program: CO-RE relocations are resolved in user space against the object's
// original BTF, so nothing is lost but pretty-printing detail.
//
// Not here: FUNCs and VARs of extern linkage (kfuncs, .ksyms, .kconfig),
// FUNCs inside a DATASEC and DATASECs of size 0. No kernel accepts them (6.18
// answers "Invalid func linkage", "Linkage not supported", "size == 0"), so
// they are not a kernel feature: whoever resolves externs must rewrite them,
// as libbpf does for every kernel.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/downgrade.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/names.hpp>
#include <bpfxx/btf/write.hpp>
#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace btf {

// BTF constructs that some kernel with BTF rejects, one flag each, with the
// version that first accepts it. As a kernel's capabilities, true means
// accepted; as what a blob uses (used_btf_features), true means used.
struct btf_features {
    bool var_datasec = true;    // VAR and DATASEC (global data): 5.2
    bool func_global = true;    // FUNC with global linkage: 5.6
    bool empty_datasec = true;  // DATASEC without entries: 5.12
    bool float_ = true;         // FLOAT: 5.13
    bool decl_tag = true;       // DECL_TAG: 5.16
    bool type_tag = true;       // TYPE_TAG: 5.17
    bool enum64 = true;         // ENUM64: 6.0
    bool signed_enum = true;    // ENUM with kind_flag (signed enumerators): 6.0
    bool datasec_names = true;  // any printable character in DATASEC names: 6.9

    // Everything (the newest kernels) and nothing (an object that uses none).
    static constexpr btf_features all() noexcept { return {}; }
    static constexpr btf_features none() noexcept {
        return {false, false, false, false, false, false, false, false, false};
    }
    friend constexpr bool operator==(const btf_features&, const btf_features&) = default;
};

// What downgrade() changed, for diagnostics.
struct downgrade_report {
    struct change {
        std::uint32_t type_id;
        bpfxx::btf::kind from, to;  // equal when linkage, a flag, a name or entries changed
        std::string name;           // the type's name in the input
        std::string what;           // "VAR -> 1-byte INT (VAR and DATASEC needs kernel 5.2)"
    };
    btf_features missing = btf_features::none();  // used by the input, lacked by the kernel
    std::vector<change> changes;
    std::uint32_t first_appended_id = 0;
    std::uint32_t appended_types = 0;

    [[nodiscard]] bool changed() const noexcept { return !changes.empty() || appended_types != 0; }

    // One line of counts, then one line per change.
    [[nodiscard]] std::string summary() const;
};

}  // namespace btf
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_downgrade {

using bpfxx::btf::btf;
using bpfxx::btf::btf_features;
using bpfxx::btf::kind;
using bpfxx::btf::type_view;
using btf_write::info;
using btf_write::put32;
using btf_write::set32;

// One bit per btf_features flag, in declaration order.
inline constexpr std::uint32_t var_datasec = 1u << 0;
inline constexpr std::uint32_t func_global = 1u << 1;
inline constexpr std::uint32_t empty_datasec = 1u << 2;
inline constexpr std::uint32_t float_ = 1u << 3;
inline constexpr std::uint32_t decl_tag = 1u << 4;
inline constexpr std::uint32_t type_tag = 1u << 5;
inline constexpr std::uint32_t enum64 = 1u << 6;
inline constexpr std::uint32_t signed_enum = 1u << 7;
inline constexpr std::uint32_t datasec_names = 1u << 8;
inline constexpr std::uint32_t feature_count = 9;
inline constexpr std::uint32_t all_features = (1u << feature_count) - 1;

struct feature_info {
    const char* name;
    const char* kernel;  // first release that accepts it
};
inline constexpr feature_info features[feature_count] = {
    {"VAR and DATASEC", "5.2"}, {"global FUNC linkage", "5.6"}, {"empty DATASEC", "5.12"},
    {"FLOAT", "5.13"},          {"DECL_TAG", "5.16"},           {"TYPE_TAG", "5.17"},
    {"ENUM64", "6.0"},          {"signed ENUM", "6.0"},         {"any printable character in DATASEC names", "6.9"},
};

constexpr std::uint32_t to_mask(const btf_features& f) noexcept {
    return (f.var_datasec ? var_datasec : 0u) | (f.func_global ? func_global : 0u) |
           (f.empty_datasec ? empty_datasec : 0u) | (f.float_ ? float_ : 0u) | (f.decl_tag ? decl_tag : 0u) | (f.type_tag ? type_tag : 0u) |
           (f.enum64 ? enum64 : 0u) | (f.signed_enum ? signed_enum : 0u) |
           (f.datasec_names ? datasec_names : 0u);
}

constexpr btf_features from_mask(std::uint32_t m) noexcept {
    btf_features f;
    f.var_datasec = (m & var_datasec) != 0;
    f.func_global = (m & func_global) != 0;
    f.empty_datasec = (m & empty_datasec) != 0;
    f.float_ = (m & float_) != 0;
    f.decl_tag = (m & decl_tag) != 0;
    f.type_tag = (m & type_tag) != 0;
    f.enum64 = (m & enum64) != 0;
    f.signed_enum = (m & signed_enum) != 0;
    f.datasec_names = (m & datasec_names) != 0;
    return f;
}

// "FLOAT (5.13), ENUM64 (6.0)", or "none".
inline std::string describe(std::uint32_t m) {
    std::string out;
    for (std::uint32_t i = 0; i < feature_count; ++i) {
        if ((m & (1u << i)) == 0) continue;
        if (!out.empty()) out += ", ";
        out += cat(features[i].name, " (", features[i].kernel, ")");
    }
    return out.empty() ? std::string("none") : out;
}

// DATASEC names kernels before 6.9 accept: [A-Za-z_.][A-Za-z0-9_.]*, shorter
// than KSYM_NAME_LEN.
constexpr bool is_old_section_char(char c, bool first) noexcept {
    return c == '.' || (first ? bpfxx::btf::is_identifier_start(c) : bpfxx::btf::is_identifier_char(c));
}

constexpr bool is_old_section_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > bpfxx::btf::max_identifier_length) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!is_old_section_char(s[i], i == 0)) return false;
    return true;
}

inline std::string to_old_section_name(std::string_view s) {
    if (s.empty() || s.size() > bpfxx::btf::max_identifier_length) return bpfxx::btf::to_btf_identifier(s);
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i)
        if (!is_old_section_char(out[i], i == 0)) out[i] = '_';
    return out;
}

// What one record uses. `name` is the DATASEC's name, read only for DATASECs.
template <class Name>
[[gnu::always_inline]] inline std::uint32_t record_uses(kind k, std::uint32_t info_word, Name&& name) {
    const auto vlen = bpfxx::detail::btf_impl::info_vlen(info_word);
    switch (k) {
        case kind::var: return var_datasec;
        case kind::datasec: {
            std::uint32_t m = var_datasec;
            if (vlen == 0) m |= empty_datasec;
            if (!is_old_section_name(name())) m |= datasec_names;
            return m;
        }
        case kind::func: return vlen == 1 ? func_global : 0u;
        case kind::float_: return float_;
        case kind::decl_tag: return decl_tag;
        case kind::type_tag: return type_tag;
        case kind::enum64: return enum64;
        case kind::enum_: return bpfxx::detail::btf_impl::info_kflag(info_word) ? signed_enum : 0u;
        default: return 0;
    }
}

// The features a whole base BTF blob uses. One pass over the type section
// that decodes each record's info word and nothing else (no allocation, no
// validation beyond keeping every read inside the blob): this is the loader's
// fast path. A DATASEC name outside the blob's strings (split BTF) counts as
// one that needs datasec_names.
inline std::uint32_t used_mask(bpfxx::detail::bytes blob) {
    using bpfxx::detail::btf_impl::header_size;
    using bpfxx::detail::btf_impl::rd32;
    if (blob.size() < header_size) raise(cat("BTF header: ", blob.size(), " bytes, expected at least 24"));
    if (load<std::uint16_t>(blob, 0, "BTF header") != 0xeb9f) raise("BTF header: bad magic, expected 0xeb9f");
    const auto hdr_len = load<std::uint32_t>(blob, 4, "BTF header");
    const auto type_off = load<std::uint32_t>(blob, 8, "BTF header");
    const auto type_len = load<std::uint32_t>(blob, 12, "BTF header");
    const auto str_off = load<std::uint32_t>(blob, 16, "BTF header");
    const auto str_len = load<std::uint32_t>(blob, 20, "BTF header");
    if (hdr_len < header_size || hdr_len > blob.size())
        raise(cat("BTF header: hdr_len ", hdr_len, " is outside 24..", blob.size()));
    const auto body = blob.subspan(hdr_len);
    const auto types = slice(body, type_off, type_len, "BTF type section");
    const auto strs = slice(body, str_off, str_len, "BTF string section");

    std::uint32_t used = 0;
    const std::byte* const base = types.data();
    const std::size_t total = types.size();
    std::size_t pos = 0;
    while (pos < total) {
        if (total - pos < bpfxx::detail::btf_impl::type_record_size) [[unlikely]]
            raise(cat("BTF type section: a type header at offset ", hex(pos), " runs past the end"));
        const std::byte* r = base + pos;
        const auto info_word = rd32(r + 4);
        const auto k = bpfxx::detail::btf_impl::info_kind(info_word);
        const auto shape = bpfxx::detail::btf_impl::record_shapes[static_cast<std::uint8_t>(k)];
        if (shape.fixed == 0xff) [[unlikely]]
            raise(cat("BTF type section: unknown kind ", static_cast<unsigned>(k), " at offset ", hex(pos)));
        const std::uint64_t rec = bpfxx::detail::btf_impl::type_record_size + shape.fixed +
                                  std::uint64_t{shape.per_vlen} * bpfxx::detail::btf_impl::info_vlen(info_word);
        if (rec > total - pos) [[unlikely]]
            raise(cat("BTF type section: the ", to_string(k), " at offset ", hex(pos), " runs past the end"));
        used |= record_uses(k, info_word, [&]() -> std::string_view {
            const auto off = rd32(r);
            if (off >= strs.size()) return {};
            return c_string(strs, off, "BTF string section");
        });
        pos += static_cast<std::size_t>(rec);
    }
    return used;
}

inline std::uint32_t used_mask(const btf& b) {
    std::uint32_t used = 0;
    for (std::uint32_t id = b.start_id(); id < b.size(); ++id) {
        const auto t = b.type(id);
        used |= record_uses(t.kind(), bpfxx::detail::btf_impl::u32_at(b.record(id), 4), [&] { return t.name(); });
    }
    return used;
}

class downgrader {
public:
    downgrader(const btf& in, std::uint32_t missing, bpfxx::btf::downgrade_report* report)
        : in_(in), missing_(missing), report_(report), next_id_(in.size()) {
        string_base_ = in.start_string() + static_cast<std::uint32_t>(in.strings().size());
    }

    std::vector<std::byte> run() {
        std::vector<std::byte> types;
        types.reserve(in_.types().size() + 64);
        for (std::uint32_t id = in_.start_id(); id < in_.size(); ++id) write_type(types, id);
        types.insert(types.end(), appended_.begin(), appended_.end());
        auto out = btf_write::assemble(types, in_.strings(), added_, "downgraded");
        if (report_ != nullptr) {
            report_->first_appended_id = in_.size();
            report_->appended_types = next_id_ - in_.size();
        }
        return out;
    }

private:
    bool lacks(std::uint32_t f) const noexcept { return (missing_ & f) != 0; }

    std::uint32_t add_string(const std::string& s) {
        auto [it, inserted] = string_index_.try_emplace(s, 0);
        if (inserted) {
            auto off = std::uint64_t{string_base_} + added_.size();
            if (off > 0xffffffu) raise("downgraded BTF strings exceed the 16 MiB name offset limit");
            it->second = static_cast<std::uint32_t>(off);
            added_.append(s);
            added_.push_back('\0');
        }
        return it->second;
    }

    // name_off when it is a C identifier (or empty), else its identifier form.
    std::uint32_t identifier(std::uint32_t name_off) {
        if (name_off == 0) return 0;
        auto s = in_.string_at(name_off);
        if (s.empty() || bpfxx::btf::is_btf_identifier(s)) return name_off;
        return add_string(bpfxx::btf::to_btf_identifier(s));
    }

    void note(std::uint32_t id, kind from, kind to, std::uint32_t feature, std::string what) {
        if (report_ == nullptr) return;
        std::uint32_t i = 0;
        while ((feature >> i) != 1) ++i;
        report_->changes.push_back({id, from, to, std::string(in_.type(id).name()),
                                    cat(what, " (", features[i].name, " needs kernel ", features[i].kernel, ")")});
    }

    static void header(std::vector<std::byte>& out, std::uint32_t name_off, std::uint32_t info_word,
                       std::uint32_t size_type) {
        put32(out, name_off);
        put32(out, info_word);
        put32(out, size_type);
    }

    void copy(std::vector<std::byte>& out, std::uint32_t id) {
        auto rec = in_.record(id);
        out.insert(out.end(), rec.begin(), rec.end());
    }

    // A 1-byte anonymous INT record: what VARs and DECL_TAGs become.
    static void byte_int(std::vector<std::byte>& out, std::uint32_t name_off) {
        header(out, name_off, info(kind::int_, 0, false), 1);
        put32(out, 8);  // encoding 0, offset 0, 8 bits
    }

    // A static VAR of a 1-byte INT, appended once, that fills a DATASEC the
    // kernel would refuse for being empty.
    std::uint32_t filler_var() {
        if (filler_ == 0) {
            const auto int_id = next_id_++;
            byte_int(appended_, 0);
            filler_ = next_id_++;
            header(appended_, add_string("__bpfxx_datasec_filler"), info(kind::var, 0, false), int_id);
            put32(appended_, 0);  // static
        }
        return filler_;
    }

    void write_type(std::vector<std::byte>& out, std::uint32_t id) {
        const auto t = in_.type(id);
        const auto k = t.kind();
        switch (k) {
            case kind::var:
                if (!lacks(var_datasec)) break;
                byte_int(out, bpfxx::btf::is_btf_identifier(t.name()) ? t.name_off() : 0);
                note(id, k, kind::int_, var_datasec, "VAR -> 1-byte INT");
                return;
            case kind::datasec:
                if (lacks(var_datasec)) {
                    write_datasec_struct(out, t);
                    return;
                }
                if (lacks(datasec_names | empty_datasec)) {
                    write_datasec(out, t);
                    return;
                }
                break;
            case kind::func:
                if (t.vlen() != 1 || !lacks(func_global)) break;
                header(out, t.name_off(), info(kind::func, 0, false), t.type());
                note(id, k, k, func_global, "global linkage -> static");
                return;
            case kind::float_:
                if (!lacks(float_)) break;
                header(out, 0, info(kind::struct_, 0, false), t.size());
                note(id, k, kind::struct_, float_, cat("FLOAT -> empty ", t.size(), "-byte STRUCT"));
                return;
            case kind::decl_tag: {
                // A tag on a VAR that became an INT must go too: tags
                // attach only to structs, unions, VARs, FUNCs and typedefs.
                const bool on_var = lacks(var_datasec) && in_.type(t.type()).kind() == kind::var;
                if (!lacks(decl_tag) && !on_var) break;
                byte_int(out, 0);
                note(id, k, kind::int_, on_var && !lacks(decl_tag) ? var_datasec : decl_tag,
                     "DECL_TAG -> 1-byte INT");
                return;
            }
            case kind::type_tag:
                if (!lacks(type_tag)) break;
                header(out, 0, info(kind::const_, 0, false), t.type());
                note(id, k, kind::const_, type_tag, "TYPE_TAG -> CONST");
                return;
            case kind::enum_:
                if (!lacks(signed_enum) || !t.kind_flag()) break;
                header(out, t.name_off(), info(k, t.vlen(), false), t.size());
                {
                    auto rec = in_.record(id).subspan(bpfxx::detail::btf_impl::type_record_size);
                    out.insert(out.end(), rec.begin(), rec.end());
                }
                note(id, k, k, signed_enum, "signed -> unsigned");
                return;
            case kind::enum64:
                if (!lacks(enum64)) break;
                header(out, t.name_off(), info(kind::enum_, t.vlen(), false), t.size());
                for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                    auto e = t.enumerator_at(i);
                    put32(out, e.name_off);
                    put32(out, static_cast<std::uint32_t>(e.value));
                }
                note(id, k, kind::enum_, enum64, "ENUM64 -> ENUM, values cut to 32 bits");
                return;
            default: break;
        }
        copy(out, id);
    }

    // Kernels before 5.2 have no DATASEC: a STRUCT of the same size keeps the
    // variables' names and offsets for bpftool. Members must lie inside the
    // struct at offsets that never decrease, and be VARs (now INTs).
    void write_datasec_struct(std::vector<std::byte>& out, const type_view& t) {
        const auto size = t.size();
        const auto name = t.name();
        const auto name_off =
            name.empty() || bpfxx::btf::is_btf_identifier(name) ? t.name_off() : add_string(bpfxx::btf::to_btf_identifier(name));
        const auto at = out.size();
        header(out, name_off, 0, size);
        std::uint32_t kept = 0, dropped = 0;
        std::uint64_t last = 0;
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const auto v = t.secinfo_at(i);
            const auto var = in_.type(v.type);
            const std::uint64_t bits = std::uint64_t{v.offset} * 8;
            if (var.kind() != kind::var || v.offset >= size || bits > 0xffffffffu || bits < last) {
                ++dropped;
                continue;
            }
            put32(out, identifier(var.name_off()));
            put32(out, v.type);
            put32(out, static_cast<std::uint32_t>(bits));
            last = bits;
            ++kept;
        }
        set32(out, at + 4, info(kind::struct_, kept, false));
        note(t.id(), kind::datasec, kind::struct_, var_datasec,
             dropped == 0 ? std::string("DATASEC -> STRUCT")
                          : cat("DATASEC -> STRUCT, dropped ", dropped,
                                " entries that are not variables in order inside the section"));
    }

    void write_datasec(std::vector<std::byte>& out, const type_view& t) {
        const auto id = t.id();
        auto name_off = t.name_off();
        const auto name = t.name();
        if (lacks(datasec_names) && !is_old_section_name(name)) {
            auto fixed = to_old_section_name(name);
            name_off = add_string(fixed);
            note(id, kind::datasec, kind::datasec, datasec_names, cat("renamed to '", fixed, "'"));
        }
        // Empty DATASECs load since 5.12; before, one variable covers the
        // section (no kernel takes a DATASEC of size 0 or an entry of size 0).
        if (t.vlen() == 0 && lacks(empty_datasec)) {
            const auto size = t.size() == 0 ? 1u : t.size();
            header(out, name_off, info(kind::datasec, 1, false), size);
            put32(out, filler_var());
            put32(out, 0);
            put32(out, size);
            note(id, kind::datasec, kind::datasec, empty_datasec, "filled with one variable");
            return;
        }
        auto rec = in_.record(id);
        const auto at = out.size();
        out.insert(out.end(), rec.begin(), rec.end());
        set32(out, at, name_off);
    }

    const btf& in_;
    std::uint32_t missing_;
    bpfxx::btf::downgrade_report* report_;
    std::uint32_t next_id_;
    std::uint32_t string_base_ = 0;
    std::uint32_t filler_ = 0;
    std::string added_;
    std::unordered_map<std::string, std::uint32_t> string_index_;
    std::vector<std::byte> appended_;
};

}  // namespace btf_downgrade
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace btf {

// "FLOAT (5.13), ENUM64 (6.0)": the flags that are set, with the kernel
// version that brings each; "none" when no flag is set.
[[nodiscard]] inline std::string to_string(const btf_features& f) {
    return detail::btf_downgrade::describe(detail::btf_downgrade::to_mask(f));
}

inline std::string downgrade_report::summary() const {
    using detail::cat;
    std::string out = cat("downgraded ", changes.size(), " types for a kernel without ", to_string(missing),
                          ", appended ", appended_types, " types\n");
    for (const auto& c : changes) {
        out += cat("  [", c.type_id, "] ", to_string(c.from));
        if (!c.name.empty()) out += cat(" '", c.name, "'");
        out += cat(": ", c.what, "\n");
    }
    return out;
}

// The constructs of `blob` (a whole base BTF blob) or `b` that some kernel
// rejects. The blob form is one pass over the records' headers without
// allocation, the loader's fast path; it checks only what keeps its reads in
// bounds and throws bpfxx::error for a blob it cannot walk.
[[nodiscard]] inline btf_features used_btf_features(std::span<const std::byte> blob) {
    return detail::btf_downgrade::from_mask(detail::btf_downgrade::used_mask(blob));
}
[[nodiscard]] inline btf_features used_btf_features(const btf& b) {
    return detail::btf_downgrade::from_mask(detail::btf_downgrade::used_mask(b));
}

// What `used` needs and `kernel` lacks.
[[nodiscard]] constexpr btf_features missing_btf_features(const btf_features& used, const btf_features& kernel) noexcept {
    return detail::btf_downgrade::from_mask(detail::btf_downgrade::to_mask(used) &
                                            ~detail::btf_downgrade::to_mask(kernel));
}

// Re-encodes `in` for a kernel with the features `kernel` (see the table
// above): same type ids, helper types appended, strings appended. For split
// BTF the result is split BTF over the same base.
[[nodiscard]] inline std::vector<std::byte> downgrade(const btf& in, const btf_features& kernel,
                                                      downgrade_report* report = nullptr) {
    const auto missing = detail::btf_downgrade::used_mask(in) & ~detail::btf_downgrade::to_mask(kernel);
    if (report != nullptr) {
        *report = downgrade_report{};
        report->missing = detail::btf_downgrade::from_mask(missing);
    }
    return detail::btf_downgrade::downgrader(in, missing, report).run();
}

// The same for a whole base BTF blob. When the kernel has every feature the
// blob uses, the blob is returned as it came (moved, never copied or parsed);
// otherwise it is parsed, validated and rewritten.
[[nodiscard]] inline std::vector<std::byte> downgrade(std::vector<std::byte> blob, const btf_features& kernel,
                                                      downgrade_report* report = nullptr) {
    const auto missing = detail::btf_downgrade::used_mask(detail::bytes(blob)) & ~detail::btf_downgrade::to_mask(kernel);
    if (missing == 0) {
        if (report != nullptr) *report = downgrade_report{};
        return blob;
    }
    const btf in{detail::bytes(blob)};
    return downgrade(in, kernel, report);
}

}  // namespace btf
BPFXX_END_NAMESPACE
