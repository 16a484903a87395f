// SPDX-License-Identifier: MIT OR Apache-2.0
// Makes the BTF that clang++ emits acceptable to the kernel.
//
// clang++ records C++ constructs that BTF cannot express, and the kernel's
// BTF_LOAD refuses the result (measured with clang 19 on kernel 6.18):
//   - template instantiations, alias templates and template functions keep
//     their C++ spelling (`pair_t<unsigned int, unsigned long long>`), which
//     fails "Invalid name";
//   - methods, static data members, references, base classes and pointers to
//     members become struct members of type_id 0 ("Invalid type_id",
//     "Invalid member bits_offset"); methods get offsets past the struct;
//   - reference parameters of non-inlined functions become FUNC_PROTO
//     parameters of type_id 0 ("Invalid arg#N").
// sanitize_cxx re-encodes the BTF with those fixed. Type ids stay stable (new
// types are appended) and strings are only appended, so .BTF.ext and ELF
// references into the original stay valid.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/sanitize.hpp is user-space only"
#endif

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bpfxx::btf {

// What sanitize_cxx changed, for diagnostics.
struct sanitize_report {
    struct rename {
        std::uint32_t type_id;
        bpfxx::btf::kind kind;  // of the type that holds the name
        std::int32_t index;     // member, parameter or enumerator; -1 for the type's own name
        std::string from, to;
    };
    struct member_change {
        std::uint32_t type_id;
        std::string type_name;
        std::uint32_t index;  // in the original member list
        std::string member;
        std::uint32_t bit_offset;
        std::uint32_t byte_size;  // of the byte array a retyped member became; 0 when dropped
    };
    struct param_change {
        std::uint32_t type_id;  // the FUNC_PROTO
        std::uint32_t index;
        std::string name;
    };
    struct tag_change {
        std::uint32_t type_id;  // the DECL_TAG
        std::int32_t from, to;  // component index; -1 when its member was dropped
    };

    std::vector<rename> renamed;
    std::vector<member_change> dropped_members;
    std::vector<member_change> retyped_members;
    std::vector<param_change> retyped_params;  // type_id 0 -> void*
    std::vector<tag_change> retargeted_tags;
    std::uint32_t first_appended_id = 0;
    std::uint32_t appended_types = 0;

    [[nodiscard]] bool changed() const noexcept {
        return !renamed.empty() || !dropped_members.empty() || !retyped_members.empty() ||
               !retyped_params.empty() || !retargeted_tags.empty() || appended_types != 0;
    }

    // One line of counts, then one line per change.
    [[nodiscard]] std::string summary() const {
        using detail::cat;
        std::string out =
            cat("renamed ", renamed.size(), ", dropped ", dropped_members.size(), " members, retyped ",
                retyped_members.size(), " members and ", retyped_params.size(), " parameters, retargeted ",
                retargeted_tags.size(), " decl tags, appended ", appended_types, " types\n");
        for (const auto& r : renamed) {
            out += cat("  renamed [", r.type_id, "] ", to_string(r.kind));
            if (r.index >= 0) out += cat(" #", r.index);
            out += cat(" '", r.from, "' -> '", r.to, "'\n");
        }
        for (const auto& m : dropped_members)
            out += cat("  dropped member '", m.member, "' (#", m.index, ", bit ", m.bit_offset, ") of [",
                       m.type_id, "] '", m.type_name, "'\n");
        for (const auto& m : retyped_members)
            out += cat("  retyped member '", m.member, "' (#", m.index, ", bit ", m.bit_offset, ") of [",
                       m.type_id, "] '", m.type_name, "' as unsigned char[", m.byte_size, "]\n");
        for (const auto& p : retyped_params)
            out += cat("  retyped parameter #", p.index, " '", p.name, "' of [", p.type_id, "] as void*\n");
        for (const auto& t : retargeted_tags)
            out += cat("  decl tag [", t.type_id, "] component ", t.from, " -> ", t.to, "\n");
        return out;
    }
};

// Longest name every supported kernel accepts: KSYM_NAME_LEN is 128 before
// kernel 6.1 (512 since), terminator included.
inline constexpr std::size_t max_identifier_length = 127;

// [A-Za-z_][A-Za-z0-9_]*, at most max_identifier_length characters: what
// every kernel accepts as a type, member, function or variable name ('.' is
// accepted only since kernel 6.5).
[[nodiscard]] inline bool is_btf_identifier(std::string_view s) noexcept {
    if (s.empty() || s.size() > max_identifier_length) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s.front())) return false;
    for (char c : s)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

// Rewrites a C++ name into a BTF identifier: every character outside
// [A-Za-z0-9_] becomes '_' (`pair_t<unsigned int, event>` ->
// `pair_t_unsigned_int__event_`), a leading digit gets a '_' in front, and a
// name longer than max_identifier_length keeps its first 110 characters
// followed by '_' and 16 hex digits of a hash of the original name.
// Deterministic; distinct names may collide, which BTF allows.
[[nodiscard]] inline std::string to_btf_identifier(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 1);
    if (!s.empty() && s.front() >= '0' && s.front() <= '9') out.push_back('_');
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out.push_back(ok ? c : '_');
    }
    if (out.empty()) out = "_";
    if (out.size() > max_identifier_length) {
        std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
        for (char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 0x100000001b3ull;
        }
        out.resize(110);
        out.push_back('_');
        static constexpr char digits[] = "0123456789abcdef";
        for (int shift = 60; shift >= 0; shift -= 4) out.push_back(digits[(h >> shift) & 0xf]);
    }
    return out;
}

// The C++-safe vmlinux header renames members that are C++ keywords with the
// suffix `___cxx` (`private___cxx`). CO-RE compares member names exactly, so
// the loader strips it before matching against kernel BTF.
[[nodiscard]] constexpr std::string_view strip_cxx_suffix(std::string_view name) noexcept {
    constexpr std::string_view suffix = "___cxx";
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
        return name.substr(0, name.size() - suffix.size());
    return name;
}

}  // namespace bpfxx::btf

namespace bpfxx::detail::btf_sanitize {

using bpfxx::btf::btf;
using bpfxx::btf::kind;
using bpfxx::btf::type_view;

enum class action : std::uint8_t { keep, drop, retype };

struct member_plan {
    action act = action::keep;
    std::uint32_t bytes = 0;  // size of the byte array for retype
};

// How far to look for the member after a type-0 member; past this a crafted
// struct would make planning quadratic, and the member is dropped instead.
inline constexpr std::uint32_t max_lookahead = 256;

// Decides what happens to each member of a STRUCT or UNION. Returns whether
// anything changes.
//
// clang++ lists base classes first, then data members (static ones in
// declaration order, at offset 0), then methods at offsets taken from
// unrelated debug-info fields (often past the struct). The kernel requires
// member offsets that never decrease and lie inside the struct (all 0 in a
// union), and no member of type 0. So a type-0 member that starts where
// earlier members still extend, or outside the struct, occupies nothing and
// is dropped; one that starts at free space (a reference, a base class, a
// pointer to member) takes the space up to the next member and becomes an
// unsigned char array of that size.
inline bool plan_members(const btf& b, const type_view& t, std::vector<member_plan>& plan) {
    const std::uint32_t n = t.vlen();
    plan.assign(n, member_plan{});
    bool changed = false;
    if (t.kind() == kind::union_) {
        for (std::uint32_t i = 0; i < n; ++i) {
            auto m = t.member_at(i);
            if (m.type == 0 || m.bit_offset != 0) {
                plan[i].act = action::drop;
                changed = true;
            }
        }
        return changed;
    }
    const std::uint64_t size_bits = std::uint64_t{t.size()} * 8;
    std::uint64_t last = 0;    // offset of the previous kept member
    std::uint64_t cursor = 0;  // end of the space kept members occupy
    for (std::uint32_t i = 0; i < n; ++i) {
        auto m = t.member_at(i);
        const std::uint64_t off = m.bit_offset;
        auto drop = [&] {
            plan[i].act = action::drop;
            changed = true;
        };
        if (off < last) {
            drop();
            continue;
        }
        if (m.type != 0) {
            std::uint64_t bits = m.bitfield_size;
            if (bits == 0) {
                std::uint64_t bytes = 0;
                if (b.try_size_of(m.type, bytes) == nullptr && bytes <= size_bits / 8) bits = bytes * 8;
            }
            last = off;
            if (off + bits > cursor) cursor = off + bits;
            continue;
        }
        if (m.bitfield_size != 0 || off < cursor || off >= size_bits || off % 8 != 0) {
            drop();
            continue;
        }
        std::uint64_t end = size_bits;
        bool found = false;
        for (std::uint32_t j = i + 1; j < n && j <= i + max_lookahead; ++j) {
            auto next = t.member_at(j).bit_offset;
            if (next >= off && next < size_bits) {
                end = next;
                found = true;
                break;
            }
        }
        if (!found && n - i - 1 > max_lookahead) {
            drop();
            continue;
        }
        const std::uint64_t bytes = (end - off) / 8;
        if (bytes == 0) {
            drop();
            continue;
        }
        plan[i] = {action::retype, static_cast<std::uint32_t>(bytes)};
        changed = true;
        last = off;
        cursor = off + bytes * 8;
    }
    return changed;
}

inline void put32(std::vector<std::byte>& out, std::uint32_t v) {
    std::byte b[4];
    std::memcpy(b, &v, 4);
    out.insert(out.end(), b, b + 4);
}

inline void set32(std::vector<std::byte>& out, std::size_t at, std::uint32_t v) {
    std::memcpy(out.data() + at, &v, 4);
}

inline std::uint32_t info(kind k, std::uint32_t vlen, bool kflag) {
    return (std::uint32_t{kflag} << 31) | (static_cast<std::uint32_t>(k) << 24) | (vlen & 0xffff);
}

class sanitizer {
public:
    sanitizer(const btf& in, bpfxx::btf::sanitize_report* report)
        : in_(in), report_(report), next_id_(in.size()) {
        string_base_ = in.start_string() + static_cast<std::uint32_t>(in.strings().size());
    }

    std::vector<std::byte> run() {
        std::vector<std::byte> types;
        types.reserve(in_.types().size() + 256);
        for (std::uint32_t id = in_.start_id(); id < in_.size(); ++id) write_type(types, id);
        if (types.size() + appended_.size() > 0xffffffffu) raise("sanitized BTF type section exceeds 4 GiB");
        types.insert(types.end(), appended_.begin(), appended_.end());

        auto strs = in_.strings();
        std::vector<std::byte> out;
        const std::size_t str_len = strs.size() + added_.size();
        if (str_len > 0xffffffffu) raise("sanitized BTF string section exceeds 4 GiB");
        out.reserve(bpfxx::detail::btf_impl::header_size + types.size() + str_len);
        const std::uint16_t magic = 0xeb9f;
        out.resize(4);
        std::memcpy(out.data(), &magic, 2);
        out[2] = std::byte{1};  // version
        out[3] = std::byte{0};  // flags
        put32(out, static_cast<std::uint32_t>(bpfxx::detail::btf_impl::header_size));
        put32(out, 0);
        put32(out, static_cast<std::uint32_t>(types.size()));
        put32(out, static_cast<std::uint32_t>(types.size()));
        put32(out, static_cast<std::uint32_t>(str_len));
        out.insert(out.end(), types.begin(), types.end());
        out.insert(out.end(), strs.begin(), strs.end());
        for (char c : added_) out.push_back(static_cast<std::byte>(c));
        if (report_ != nullptr) {
            report_->first_appended_id = in_.size();
            report_->appended_types = next_id_ - in_.size();
        }
        return out;
    }

private:
    // ---- names ----

    std::uint32_t add_string(const std::string& s) {
        auto [it, inserted] = string_index_.try_emplace(s, 0);
        if (inserted) {
            auto off = std::uint64_t{string_base_} + added_.size();
            if (off > 0xffffffu) raise("sanitized BTF strings exceed the 16 MiB name offset limit");
            it->second = static_cast<std::uint32_t>(off);
            added_.append(s);
            added_.push_back('\0');
        }
        return it->second;
    }

    // name_off, or the offset of its identifier form when it is not one.
    std::uint32_t identifier(std::uint32_t name_off, std::uint32_t id, kind k, std::int32_t index) {
        if (name_off == 0) return 0;
        auto s = in_.string_at(name_off);
        if (s.empty() || bpfxx::btf::is_btf_identifier(s)) return name_off;
        auto fixed = bpfxx::btf::to_btf_identifier(s);
        if (report_ != nullptr) report_->renamed.push_back({id, k, index, std::string(s), fixed});
        return add_string(fixed);
    }

    // ---- appended helper types ----

    std::uint32_t append_type(kind k, std::uint32_t name_off, std::uint32_t size_type,
                              std::initializer_list<std::uint32_t> extra) {
        put32(appended_, name_off);
        put32(appended_, info(k, 0, false));
        put32(appended_, size_type);
        for (auto v : extra) put32(appended_, v);
        return next_id_++;
    }

    template <class Pred>
    std::optional<std::uint32_t> find_own(kind k, Pred pred) const {
        for (std::uint32_t id = in_.start_id(); id < in_.size(); ++id) {
            auto t = in_.type(id);
            if (t.kind() == k && pred(t)) return id;
        }
        return std::nullopt;
    }

    std::uint32_t void_ptr() {
        if (!void_ptr_)
            void_ptr_ = find_own(kind::ptr, [](const type_view& t) {
                            return t.type() == 0 && t.name_off() == 0 && !t.kind_flag();
                        }).value_or(0);
        if (*void_ptr_ == 0) void_ptr_ = append_type(kind::ptr, 0, 0, {});
        return *void_ptr_;
    }

    std::uint32_t byte_int() {
        if (!byte_int_)
            byte_int_ = find_own(kind::int_, [](const type_view& t) {
                            return t.size() == 1 && t.int_bits() == 8 && t.int_offset() == 0 &&
                                   (t.int_encoding() & (bpfxx::btf::int_signed | bpfxx::btf::int_bool)) == 0;
                        }).value_or(0);
        if (*byte_int_ == 0) byte_int_ = append_type(kind::int_, add_string("unsigned char"), 1, {8u});
        return *byte_int_;
    }

    std::uint32_t index_int() {
        if (!index_int_)
            index_int_ = find_own(kind::int_, [](const type_view& t) {
                             return t.size() == 4 && t.int_bits() == 32 && t.int_offset() == 0 &&
                                    t.int_encoding() == 0;
                         }).value_or(0);
        if (*index_int_ == 0) index_int_ = byte_int();
        return *index_int_;
    }

    std::uint32_t byte_array(std::uint32_t n) {
        for (auto [size, id] : arrays_)
            if (size == n) return id;
        auto elem = byte_int();
        auto index = index_int();
        auto id = append_type(kind::array, 0, 0, {elem, index, n});
        arrays_.emplace_back(n, id);
        return id;
    }

    // ---- per-type rewriting ----

    void write_header(std::vector<std::byte>& out, std::uint32_t name_off, std::uint32_t info_word,
                      std::uint32_t size_type) {
        put32(out, name_off);
        put32(out, info_word);
        put32(out, size_type);
    }

    void copy_renamed(std::vector<std::byte>& out, const type_view& t, std::uint32_t name_off) {
        auto rec = in_.record(t.id());
        auto at = out.size();
        out.insert(out.end(), rec.begin(), rec.end());
        set32(out, at, name_off);
    }

    void write_type(std::vector<std::byte>& out, std::uint32_t id) {
        auto t = in_.type(id);
        const auto k = t.kind();
        switch (k) {
            case kind::struct_:
            case kind::union_: write_composite(out, t); return;
            case kind::enum_:
            case kind::enum64: {
                auto at = out.size();
                copy_renamed(out, t, identifier(t.name_off(), id, k, -1));
                const std::size_t step = k == kind::enum_ ? 8 : 12;
                for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                    auto e = t.enumerator_at(i);
                    set32(out, at + 12 + step * i,
                          identifier(e.name_off, id, k, static_cast<std::int32_t>(i)));
                }
                return;
            }
            case kind::func_proto: {
                write_header(out, t.name_off(), info(k, t.vlen(), t.kind_flag()), t.type());
                for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                    auto p = t.param_at(i);
                    auto type = p.type;
                    const bool vararg = p.type == 0 && p.name_off == 0 && i + 1 == t.vlen();
                    if (p.type == 0 && !vararg) {
                        type = void_ptr();
                        if (report_ != nullptr)
                            report_->retyped_params.push_back({id, i, std::string(p.name)});
                    }
                    put32(out, identifier(p.name_off, id, k, static_cast<std::int32_t>(i)));
                    put32(out, type);
                }
                return;
            }
            case kind::fwd:
            case kind::typedef_:
            case kind::func:
            case kind::type_tag: copy_renamed(out, t, identifier(t.name_off(), id, k, -1)); return;
            case kind::var:
                // Global and extern VARs are matched to ELF symbols by name.
                copy_renamed(out, t,
                             t.var_linkage() == bpfxx::btf::linkage::static_
                                 ? identifier(t.name_off(), id, k, -1)
                                 : t.name_off());
                return;
            case kind::decl_tag: write_decl_tag(out, t); return;
            default: copy_renamed(out, t, t.name_off()); return;
        }
    }

    void write_composite(std::vector<std::byte>& out, const type_view& t) {
        const auto id = t.id();
        const auto name_off = identifier(t.name_off(), id, t.kind(), -1);
        plan_members(in_, t, plan_);
        std::uint32_t kept = 0;
        for (auto& p : plan_) kept += p.act != action::drop;
        write_header(out, name_off, info(t.kind(), kept, t.kind_flag()), t.size());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            auto m = t.member_at(i);
            const auto& p = plan_[i];
            if (p.act == action::drop) {
                if (report_ != nullptr)
                    report_->dropped_members.push_back(
                        {id, std::string(t.name()), i, std::string(m.name), m.bit_offset, 0});
                continue;
            }
            auto type = m.type;
            if (p.act == action::retype) {
                type = byte_array(p.bytes);
                if (report_ != nullptr)
                    report_->retyped_members.push_back(
                        {id, std::string(t.name()), i, std::string(m.name), m.bit_offset, p.bytes});
            }
            put32(out, identifier(m.name_off, id, t.kind(), static_cast<std::int32_t>(i)));
            put32(out, type);
            // Retyped members are not bitfields (plan_members drops those).
            put32(out, t.kind_flag() ? (m.bitfield_size << 24) | m.bit_offset : m.bit_offset);
        }
    }

    // A tag on a member follows the member to its new index.
    void write_decl_tag(std::vector<std::byte>& out, const type_view& t) {
        auto at = out.size();
        copy_renamed(out, t, t.name_off());
        auto idx = t.decl_tag_component_idx();
        if (idx < 0 || t.type() < in_.start_id()) return;
        auto target = in_.type(t.type());
        if (target.kind() != kind::struct_ && target.kind() != kind::union_) return;
        if (static_cast<std::uint32_t>(idx) >= target.vlen()) return;
        if (!plan_members(in_, target, tag_plan_)) return;
        std::int32_t moved = 0;
        for (std::int32_t i = 0; i < idx; ++i)
            moved += tag_plan_[static_cast<std::size_t>(i)].act != action::drop;
        if (tag_plan_[static_cast<std::size_t>(idx)].act == action::drop) moved = -1;
        if (moved == idx) return;
        set32(out, at + 12, static_cast<std::uint32_t>(moved));
        if (report_ != nullptr) report_->retargeted_tags.push_back({t.id(), idx, moved});
    }

    const btf& in_;
    bpfxx::btf::sanitize_report* report_;
    std::uint32_t next_id_;
    std::uint32_t string_base_ = 0;
    std::string added_;
    std::unordered_map<std::string, std::uint32_t> string_index_;
    std::vector<std::byte> appended_;
    std::optional<std::uint32_t> void_ptr_, byte_int_, index_int_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arrays_;  // (bytes, id)
    std::vector<member_plan> plan_, tag_plan_;
};

}  // namespace bpfxx::detail::btf_sanitize

namespace bpfxx::btf {

// Re-encodes `in` with the C++ fix-ups above. The result has the same type ids
// (plus appended ones: `void*`, `unsigned char` and byte arrays, as needed)
// and keeps the original string section as a prefix. For split BTF the result
// is split BTF over the same base.
[[nodiscard]] inline std::vector<std::byte> sanitize_cxx(const btf& in, sanitize_report* report = nullptr) {
    if (report != nullptr) *report = sanitize_report{};
    return detail::btf_sanitize::sanitizer(in, report).run();
}

}  // namespace bpfxx::btf
