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
// downgrade() (bpfxx/btf/downgrade.hpp) then rewrites what an older kernel
// lacks (VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64, ...) under the same
// two rules; bpfxx/features.hpp probes the running kernel for them.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/sanitize.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/names.hpp>
#include <bpfxx/btf/write.hpp>
#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/error.hpp>

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
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

}  // namespace btf
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_sanitize {

using bpfxx::btf::btf;
using bpfxx::btf::kind;
using bpfxx::btf::type_view;
using btf_write::assemble;
using btf_write::info;
using btf_write::put32;
using btf_write::set32;

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
            auto alpha = [](char c) { return bpfxx::btf::is_identifier_start(c); };
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

namespace datasec_edit {  // internal to this header

// The blob edits the DATASEC rewrites below share: a u32 at a byte offset,
// where a type's record starts, and a DATASEC's secinfos written back.
inline void put(std::vector<std::byte>& blob, std::size_t offset, std::uint32_t v) {
    std::memcpy(blob.data() + offset, &v, sizeof v);
}
inline std::size_t record_at(const btf& view, std::uint32_t id) {
    return static_cast<std::size_t>(view.record(id).data() - view.raw().data());
}
// Writes `vars` as the secinfos of the DATASEC whose record starts at `at`
// (after its 12-byte header: {type, offset, size} each).
inline void write_secinfos(std::vector<std::byte>& blob, std::size_t at, const std::vector<var_secinfo>& vars) {
    for (std::size_t i = 0; i < vars.size(); ++i) {
        put(blob, at + 12 + i * 12, vars[i].type);
        put(blob, at + 16 + i * 12, vars[i].offset);
        put(blob, at + 20 + i * 12, vars[i].size);
    }
}

}  // namespace datasec_edit

// clang leaves DATASEC sizes and variable offsets for the linker to fill
// in (0); the kernel rejects them. Like libbpf, take them from the ELF
// section and symbols, and sort the variables by offset. `blob` is
// sanitize_cxx's output for the object's (validated) BTF; `elf` the object
// file. Only that input is valid: the blob is read as trusted.
inline void fix_datasecs(std::vector<std::byte>& blob, const elf::file& elf) {
    // sanitize_cxx's output of a validated BTF, valid by construction: only
    // its layout is checked again (reads stay in bounds).
    btf view{detail::bytes(blob), nullptr, trusted};
    // The DATASECs that name an ELF section (.kconfig and .ksyms have none).
    std::vector<std::pair<std::uint32_t, const elf::section*>> datasecs;
    view.for_each_header([&](std::uint32_t id, std::uint32_t name_off, std::uint32_t info) {
        if (info_kind(info) != kind::datasec) return;
        const auto* sec = elf.find_section(name_off == 0 ? std::string_view() : view.string_at(name_off));
        if (sec != nullptr) datasecs.emplace_back(id, sec);
    });
    if (datasecs.empty()) return;
    // A variable's symbol: the one of its name in the DATASEC's section
    // (the first in the symbol table, should several share the name). The
    // symbols of those sections are sorted by (section, name, index) once: a
    // scan per variable is quadratic.
    std::vector<const elf::symbol*> in_sections;
    for (const auto& sym : elf.symbols()) {
        if (sym.type == elf::stt_section || sym.name.empty()) continue;
        for (const auto& [id, sec] : datasecs)
            if (sym.section == sec->index) {
                in_sections.push_back(&sym);
                break;
            }
    }
    auto key = [](const elf::symbol* y) { return std::tuple(y->section, y->name, y->index); };
    std::sort(in_sections.begin(), in_sections.end(), [&](const auto* a, const auto* b) { return key(a) < key(b); });
    auto find_symbol = [&](std::uint16_t section, std::string_view name) -> const elf::symbol* {
        auto first = std::lower_bound(in_sections.begin(), in_sections.end(), std::pair(section, name),
                                      [](const elf::symbol* y, const std::pair<std::uint16_t, std::string_view>& k) {
                                          return std::pair(y->section, y->name) < k;
                                      });
        if (first == in_sections.end() || (*first)->section != section || (*first)->name != name) return nullptr;
        return *first;
    };
    namespace edit = datasec_edit;
    std::vector<var_secinfo> vars;
    for (const auto& [id, sec] : datasecs) {
        auto t = view.type(id);
        const auto at = edit::record_at(view, id);
        if (t.size() == 0) edit::put(blob, at + 8, static_cast<std::uint32_t>(sec->size));
        vars.clear();
        for (auto v : t.secinfos()) {
            auto var = view.type(v.type);
            if (const auto* sym = find_symbol(static_cast<std::uint16_t>(sec->index), var.name())) {
                v.offset = static_cast<std::uint32_t>(sym->value);
                if (v.size == 0) v.size = static_cast<std::uint32_t>(sym->size);
            }
            vars.push_back(v);
        }
        std::sort(vars.begin(), vars.end(), [](const auto& x, const auto& y) { return x.offset < y.offset; });
        edit::write_secinfos(blob, at, vars);
    }
}


// The extern variables of DATASEC `name` (.kconfig) as the loader allocates
// them: clang emits them with linkage extern, which the kernel refuses
// ("Linkage not supported"), and with no offsets. Each VAR becomes an
// allocated global at `place(var name)` -> {offset, size}, the DATASEC
// `size` bytes with its variables sorted by offset. `blob` as for
// fix_datasecs.
template <class Place>
void allocate_extern_datasec(std::vector<std::byte>& blob, std::string_view name, std::uint32_t size, Place place) {
    btf view{detail::bytes(blob), nullptr, trusted};
    auto id = view.find(name, kind::datasec);
    if (!id) return;
    namespace edit = datasec_edit;
    const auto at = edit::record_at(view, *id);
    edit::put(blob, at + 8, size);
    std::vector<var_secinfo> vars;
    for (auto v : view.type(*id).secinfos()) {
        auto var = view.type(v.type);
        if (var.kind() == kind::var) {
            const auto [offset, bytes] = place(var.name());
            v.offset = offset;
            v.size = bytes;
            edit::put(blob, edit::record_at(view, v.type) + 12, static_cast<std::uint32_t>(linkage::global));
        }
        vars.push_back(v);
    }
    std::sort(vars.begin(), vars.end(), [](const auto& x, const auto& y) {
        return x.offset != y.offset ? x.offset < y.offset : x.type < y.type;
    });
    edit::write_secinfos(blob, at, vars);
}


// The .ksyms DATASEC as the loader resolves it (libbpf's rewrite): its
// variables point into the kernel, not into a map, so each becomes an
// allocated global of type `int_type` (a 4-byte INT) in a 4-byte slot of its
// own. The kernel refuses them as clang emits them (extern linkage, no
// size). FUNC entries (kfuncs) are left as they are.
inline void allocate_ksyms_datasec(std::vector<std::byte>& blob, std::uint32_t int_type) {
    btf view{detail::bytes(blob), nullptr, trusted};
    auto id = view.find(".ksyms", kind::datasec);
    if (!id) return;
    namespace edit = datasec_edit;
    std::vector<var_secinfo> vars;
    for (auto v : view.type(*id).secinfos()) {
        if (view.type(v.type).kind() == kind::var) {
            const auto var_at = edit::record_at(view, v.type);
            edit::put(blob, var_at + 8, int_type);
            edit::put(blob, var_at + 12, static_cast<std::uint32_t>(linkage::global));
        }
        v.offset = static_cast<std::uint32_t>(vars.size() * 4);
        v.size = 4;
        vars.push_back(v);
    }
    const auto at = edit::record_at(view, *id);
    edit::write_secinfos(blob, at, vars);
    edit::put(blob, at + 8, static_cast<std::uint32_t>(vars.size() * 4));
}


}  // namespace btf
BPFXX_END_NAMESPACE

