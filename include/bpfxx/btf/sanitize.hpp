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
//     parameters of type_id 0 ("Invalid arg#N");
//   - unnamed parameters, C++'s idiom for an unused one (`int prog(void*)`),
//     have no name, which the kernel refuses in the prototype of a FUNC
//     ("[4] FUNC prog type_id=2 Invalid arg#1").
// sanitize_cxx re-encodes the BTF with those fixed. Type ids stay stable (new
// types are appended) and strings are only appended, so .BTF.ext and ELF
// references into the original stay valid.
//
// downgrade() (below) then rewrites what an older kernel lacks (VAR, DATASEC,
// FLOAT, DECL_TAG, TYPE_TAG, ENUM64, ...) under the same two rules;
// bpfxx/btf/features.hpp probes the running kernel for them.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/sanitize.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

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
#include <unordered_set>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace btf {

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
    std::vector<param_change> named_params;    // unnamed -> `name` (argN)
    std::vector<tag_change> retargeted_tags;
    std::uint32_t first_appended_id = 0;
    std::uint32_t appended_types = 0;

    [[nodiscard]] bool changed() const noexcept {
        return !renamed.empty() || !dropped_members.empty() || !retyped_members.empty() ||
               !retyped_params.empty() || !named_params.empty() || !retargeted_tags.empty() ||
               appended_types != 0;
    }

    // One line of counts, then one line per change.
    [[nodiscard]] std::string summary() const {
        using detail::cat;
        std::string out =
            cat("renamed ", renamed.size(), ", dropped ", dropped_members.size(), " members, retyped ",
                retyped_members.size(), " members and ", retyped_params.size(), " parameters, retargeted ",
                retargeted_tags.size(), " decl tags, named ", named_params.size(), " parameters, appended ",
                appended_types, " types\n");
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
        for (const auto& p : named_params)
            out += cat("  named parameter #", p.index, " of [", p.type_id, "] '", p.name, "'\n");
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
    if (out.empty()) out.push_back('_');  // (not = "_": GCC 12 -O2 warns -Wrestrict)
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

}  // namespace btf
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_sanitize {

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

// A whole blob: 24-byte header, `types`, then the original strings `strs`
// followed by `added`. `what` names the blob in errors ("sanitized").
inline std::vector<std::byte> assemble(bpfxx::detail::bytes types, bpfxx::detail::bytes strs,
                                       const std::string& added, const char* what) {
    using bpfxx::detail::cat;
    if (types.size() > 0xffffffffu) bpfxx::detail::raise(cat(what, " BTF type section exceeds 4 GiB"));
    const std::size_t str_len = strs.size() + added.size();
    if (str_len > 0xffffffffu) bpfxx::detail::raise(cat(what, " BTF string section exceeds 4 GiB"));
    std::vector<std::byte> out;
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
    for (char c : added) out.push_back(static_cast<std::byte>(c));
    return out;
}

class sanitizer {
public:
    sanitizer(const btf& in, bpfxx::btf::sanitize_report* report)
        : in_(in), report_(report), next_id_(in.size()) {
        string_base_ = in.start_string() + static_cast<std::uint32_t>(in.strings().size());
        func_protos_.assign(in.size() - in.start_id(), false);
        in.for_each_header([&](std::uint32_t id, std::uint32_t, std::uint32_t info_word) {
            if (bpfxx::detail::btf_impl::info_kind(info_word) != kind::func) return;
            const auto proto = in.type(id).type();
            if (proto >= in.start_id() && proto < in.size()) func_protos_[proto - in.start_id()] = true;
        });
    }

    std::vector<std::byte> run() {
        if (unchanged()) {
            // Nothing to fix (any C object, most C++ ones): the rewrite below
            // would reproduce every record as it is.
            if (report_ != nullptr) {
                report_->first_appended_id = in_.size();
                report_->appended_types = 0;
            }
            return assemble(in_.types(), in_.strings(), std::string(), "sanitized");
        }
        std::vector<std::byte> types;
        types.reserve(in_.types().size() + 256);
        for (std::uint32_t id = in_.start_id(); id < in_.size(); ++id) write_type(types, id);
        if (types.size() + appended_.size() > 0xffffffffu) raise("sanitized BTF type section exceeds 4 GiB");
        types.insert(types.end(), appended_.begin(), appended_.end());

        auto out = assemble(types, in_.strings(), added_, "sanitized");
        if (report_ != nullptr) {
            report_->first_appended_id = in_.size();
            report_->appended_types = next_id_ - in_.size();
        }
        return out;
    }

private:
    // ---- the fast path ----

    // Whether write_type() would copy every type unchanged: no name to
    // rewrite, no member to drop or retype, no parameter to retype or name
    // (so no type to append and no decl tag to retarget). Reads the records
    // directly; anything unusual (split BTF, a name offset outside this
    // object's strings) answers false and leaves it to the full rewrite.
    bool unchanged() const {
        if (in_.base() != nullptr || in_.start_string() != 0) return false;
        const auto strs = in_.strings();
        if (strs.empty() || strs.back() != std::byte{0}) return false;
        const auto* str = reinterpret_cast<const char*>(strs.data());
        const std::uint64_t str_size = strs.size();
        // True when the name at `off` is empty or already a BTF identifier.
        auto ok_name = [&](std::uint32_t off) {
            if (off == 0) return true;
            if (off >= str_size) return false;
            const char* p = str + off;
            if (*p == '\0') return true;
            auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
            if (!alpha(*p)) return false;
            std::size_t n = 1;
            for (++p; *p != '\0'; ++p, ++n)
                if (!alpha(*p) && !(*p >= '0' && *p <= '9')) return false;
            return n <= bpfxx::btf::max_identifier_length;
        };
        using bpfxx::detail::btf_impl::rd32;
        for (std::uint32_t id = in_.start_id(); id < in_.size(); ++id) {
            const auto rec = in_.record(id);
            const std::byte* r = rec.data();
            const std::uint32_t info_word = rd32(r + 4);
            const auto k = bpfxx::detail::btf_impl::info_kind(info_word);
            const std::uint32_t vlen = bpfxx::detail::btf_impl::info_vlen(info_word);
            const bool kflag = bpfxx::detail::btf_impl::info_kflag(info_word);
            const std::byte* x = r + bpfxx::detail::btf_impl::type_record_size;
            switch (k) {
                case kind::struct_:
                case kind::union_: {
                    if (!ok_name(rd32(r))) return false;
                    std::uint32_t last = 0;
                    for (std::uint32_t i = 0; i < vlen; ++i, x += 12) {
                        if (!ok_name(rd32(x)) || rd32(x + 4) == 0) return false;
                        const std::uint32_t off = kflag ? rd32(x + 8) & 0xffffff : rd32(x + 8);
                        // plan_members drops a union member off 0 and a
                        // struct member before the previous one.
                        if (k == kind::union_ ? off != 0 : off < last) return false;
                        last = off;
                    }
                    break;
                }
                case kind::enum_:
                case kind::enum64: {
                    if (!ok_name(rd32(r))) return false;
                    const std::size_t step = k == kind::enum_ ? 8 : 12;
                    for (std::uint32_t i = 0; i < vlen; ++i, x += step)
                        if (!ok_name(rd32(x))) return false;
                    break;
                }
                case kind::func_proto: {
                    const bool of_func = func_protos_[id - in_.start_id()];
                    for (std::uint32_t i = 0; i < vlen; ++i, x += 8) {
                        const std::uint32_t name_off = rd32(x);
                        const bool vararg = rd32(x + 4) == 0 && name_off == 0 && i + 1 == vlen;
                        if (rd32(x + 4) == 0 && !vararg) return false;
                        if (!ok_name(name_off)) return false;
                        // name_params: an unnamed parameter of a FUNC's prototype.
                        if (of_func && !vararg && (name_off == 0 || str[name_off] == '\0')) return false;
                    }
                    break;
                }
                case kind::fwd:
                case kind::typedef_:
                case kind::func:
                case kind::type_tag:
                    if (!ok_name(rd32(r))) return false;
                    break;
                case kind::var:
                    if (rd32(x) == static_cast<std::uint32_t>(bpfxx::btf::linkage::static_) && !ok_name(rd32(r)))
                        return false;
                    break;
                default: break;
            }
        }
        return true;
    }

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
                const auto params_at = out.size();
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
                if (func_protos_[id - in_.start_id()]) name_params(out, params_at, t);
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

    // The kernel wants a name on every parameter of a FUNC's prototype but a
    // trailing `...` (btf_func_check, "Invalid arg#N", 1-based); other
    // prototypes (function pointers) may leave them unnamed, and keep them so.
    // An unnamed parameter gets argN, N its 0-based position as in the
    // verifier's "arg#N" and bpf_get_func_arg(); when another parameter of the
    // prototype already has that name, argN_1, argN_2, ... (the candidates
    // are distinct and at most vlen names are taken, so at most vlen + 1
    // tries).
    //
    // A trailing parameter of type 0 without a name is `...` and stays: an
    // unnamed trailing reference parameter looks the same, and the kernel
    // accepts both as varargs.
    void name_params(std::vector<std::byte>& out, std::size_t at, const type_view& t) {
        const auto n = t.vlen();
        auto unnamed = [&](std::uint32_t i, const bpfxx::btf::param& p) {
            const bool vararg = p.type == 0 && p.name_off == 0 && i + 1 == n;
            return p.name.empty() && !vararg;
        };
        bool any = false;
        for (std::uint32_t i = 0; i < n && !any; ++i) any = unnamed(i, t.param_at(i));
        if (!any) return;
        std::unordered_set<std::string> taken;
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto p = t.param_at(i);
            if (p.name.empty()) continue;
            taken.insert(bpfxx::btf::is_btf_identifier(p.name) ? std::string(p.name)
                                                              : bpfxx::btf::to_btf_identifier(p.name));
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            if (!unnamed(i, t.param_at(i))) continue;
            auto name = cat("arg", i);
            for (std::uint32_t k = 1; taken.contains(name); ++k) name = cat("arg", i, "_", k);
            set32(out, at + 8 * std::size_t{i}, add_string(name));
            if (report_ != nullptr) report_->named_params.push_back({t.id(), i, name});
            taken.insert(std::move(name));
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
    std::vector<bool> func_protos_;  // by id - start_id: the prototype of a FUNC
};

}  // namespace btf_sanitize
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace btf {

// Re-encodes `in` with the C++ fix-ups above. The result has the same type ids
// (plus appended ones: `void*`, `unsigned char` and byte arrays, as needed)
// and keeps the original string section as a prefix. For split BTF the result
// is split BTF over the same base.
[[nodiscard]] inline std::vector<std::byte> sanitize_cxx(const btf& in, sanitize_report* report = nullptr) {
    if (report != nullptr) *report = sanitize_report{};
    return detail::btf_sanitize::sanitizer(in, report).run();
}

}  // namespace btf
BPFXX_END_NAMESPACE

// ---- downgrading for older kernels --------------------------------------------
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
using btf_sanitize::info;
using btf_sanitize::put32;
using btf_sanitize::set32;

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
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
           (!first && c >= '0' && c <= '9');
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
        auto out = btf_sanitize::assemble(types, in_.strings(), added_, "downgraded");
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
[[nodiscard]] inline btf_features used_btf_features(detail::bytes blob) {
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
