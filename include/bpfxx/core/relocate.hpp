// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::core — CO-RE in user space: each relocation clang recorded in
// .BTF.ext (a local type, an access string, one of 13 kinds) is resolved
// against the target's BTF and its instruction patched, so one object runs
// on every BTF kernel, including those older than 5.17 whose verifier does
// no CO-RE of its own.
//
// Candidates are the target types of the same kind class whose names equal
// the local type's without a `___flavor` suffix. A field relocation follows
// the local access path by member name through each candidate (descending
// into anonymous structs and unions); every candidate that matches must
// agree on the result, or the relocation is ambiguous and the load fails
// naming both. A relocation no candidate satisfies poisons its instruction
// (a call of the invalid helper 0xbad2310): the verifier rejects the
// program only if that instruction is reachable, and the loader then
// explains which relocation it was. These are the rules libbpf and the
// kernel's own CO-RE apply, so objects written for either behave the same.
#pragma once
#ifdef __bpf__
#error "bpfxx/core/relocate.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/ext.hpp>
#include <bpfxx/btf/names.hpp>
#include <bpfxx/core/target.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/shared/insn.hpp>

#include <charconv>
#include <climits>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace core {

using btf::core_relo_kind;

// The helper id a poisoned instruction calls; the verifier reports it as
// "invalid func unknown#195896080".
inline constexpr std::int32_t poison_helper_id = 0xbad2310;

// The longest access path (the kernel's and libbpf's limit).
inline constexpr std::size_t max_access_depth = 64;

enum class relo_class : std::uint8_t { field, type, enumval };

[[nodiscard]] constexpr relo_class class_of(core_relo_kind k) noexcept {
    switch (k) {
        case core_relo_kind::field_byte_offset:
        case core_relo_kind::field_byte_size:
        case core_relo_kind::field_exists:
        case core_relo_kind::field_signed:
        case core_relo_kind::field_lshift_u64:
        case core_relo_kind::field_rshift_u64: return relo_class::field;
        case core_relo_kind::enumval_exists:
        case core_relo_kind::enumval_value: return relo_class::enumval;
        default: return relo_class::type;
    }
}

// One step of an access path.
struct accessor {
    std::uint32_t type_id = 0;  // named member: its struct/union; index: the element type
    std::uint32_t index = 0;    // member index, array index, or enumerator index
    std::string_view name;      // member or enumerator name; empty for an array index
};

// An access path resolved in one BTF: the root type, the named and indexed
// steps (anonymous members are passed through, not steps), the raw indexes
// including anonymous members, and the bit offset they add up to.
struct spec {
    const btf::btf* btf = nullptr;
    std::uint32_t root_id = 0;
    std::vector<accessor> steps;
    std::vector<std::uint32_t> raw;
    std::uint64_t bit_offset = 0;
};

// What a relocation resolves to: the value the compiler assumed (from the
// local types) and the one for the target, or a poisoned instruction.
struct resolution {
    core_relo_kind kind = core_relo_kind::field_byte_offset;
    bool poison = false;
    bool validate = true;            // the instruction must hold orig_value
    bool fail_memsz_adjust = false;  // a load/store whose width cannot follow the field
    std::uint64_t orig_value = 0, new_value = 0;
    std::uint32_t orig_size = 0, new_size = 0;  // field bytes, for load/store widths
    std::uint32_t orig_type = 0, new_type = 0;  // the fields' types (resolved)
    candidate target;                           // the matched target type (btf null if none)
    std::string target_access;                  // the target's raw access path, "0:3:1"
    std::string reason;                         // why the instruction is poisoned
};

// Field matches by (local type, access string), shared by the relocations
// of one object: the same path is usually relocated several times (offset,
// size, existence, each use of a field), and matching is most of the cost.
struct match_cache {
    struct entry {
        std::vector<std::pair<candidate, spec>> matches;
        std::size_t candidates = 0;
        std::size_t failed = 0;  // the deepest local step no candidate had
    };
    std::unordered_map<std::uint64_t, entry> fields;
};

}  // namespace core
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace core_impl {

using bpfxx::btf::btf;
using bpfxx::btf::kind;
using bpfxx::btf::type_view;
using bpfxx::core::accessor;
using bpfxx::core::core_relo_kind;
using bpfxx::core::relo_class;
using bpfxx::core::resolution;
using bpfxx::core::spec;

constexpr bool is_composite(kind k) noexcept { return k == kind::struct_ || k == kind::union_; }
constexpr bool is_any_enum(kind k) noexcept { return k == kind::enum_ || k == kind::enum64; }
constexpr bool kinds_compat(kind a, kind b) noexcept { return a == b || (is_any_enum(a) && is_any_enum(b)); }

// Skips typedefs and qualifiers; `id` becomes the resolved id.
inline type_view skip(const btf& b, std::uint32_t& id) {
    id = b.resolve(id);
    return b.type(id);
}

inline bool names_match(std::string_view a, std::string_view b) noexcept {
    return core::essential_name(a) == core::essential_name(b);
}

// Byte size, or false for a type without one (void, FWD, functions).
inline bool size_of(const btf& b, std::uint32_t id, std::uint64_t& out) { return b.try_size_of(id, out) == nullptr; }

inline std::vector<std::uint32_t> parse_access(std::string_view s) {
    std::vector<std::uint32_t> raw;
    const char* p = s.data();
    const char* end = s.data() + s.size();
    for (;;) {
        std::uint32_t v = 0;
        auto [next, ec] = std::from_chars(p, end, v);
        if (ec != std::errc() || next == p)
            raise(cat("malformed CO-RE access string '", s, "' (expected indexes separated by ':')"));
        raw.push_back(v);
        if (raw.size() > core::max_access_depth)
            raise(cat("CO-RE access string '", s, "' is deeper than ", core::max_access_depth, " steps"));
        p = next;
        if (p == end) return raw;
        if (*p != ':') raise(cat("malformed CO-RE access string '", s, "' (expected indexes separated by ':')"));
        ++p;
    }
}

// A flexible array: a zero-length array that is the last member of the
// struct holding it (`prev` is the step that named it).
inline bool is_flex(const btf& b, const accessor* prev, std::uint32_t nelems) {
    if (prev == nullptr || prev->name.empty() || nelems > 0) return false;
    return prev->index + 1 == b.type(prev->type_id).vlen();
}

inline spec parse_spec(const btf& b, const bpfxx::btf::core_relo_record& r) {
    spec s;
    s.btf = &b;
    s.root_id = r.type_id;
    auto access = b.string_at(r.access_str_off);
    s.raw = parse_access(access);
    switch (core::class_of(r.kind)) {
        case relo_class::type:
            if (s.raw.size() != 1 || s.raw[0] != 0)
                raise(cat("type relocation with access string '", access, "' (expected '0')"));
            return s;
        case relo_class::enumval: {
            std::uint32_t id = r.type_id;
            auto t = skip(b, id);
            if (!is_any_enum(t.kind()))
                raise(cat("enum value relocation against [", id, "] ", to_string(t.kind()), ", not an enum"));
            if (s.raw.size() != 1 || s.raw[0] >= t.vlen())
                raise(cat("enum value relocation with access string '", access, "' for an enum of ", t.vlen(),
                          " values"));
            s.steps.push_back({id, s.raw[0], t.enumerator_at(s.raw[0]).name});
            return s;
        }
        case relo_class::field: break;
    }
    std::uint32_t id = r.type_id;
    skip(b, id);
    std::uint64_t size = 0;
    if (!size_of(b, id, size)) raise(cat("field relocation against [", id, "], which has no size"));
    s.steps.push_back({id, s.raw[0], {}});
    s.bit_offset = std::uint64_t{s.raw[0]} * size * 8;
    for (std::size_t i = 1; i < s.raw.size(); ++i) {
        auto t = skip(b, id);
        auto idx = s.raw[i];
        if (is_composite(t.kind())) {
            if (idx >= t.vlen())
                raise(cat("access string '", access, "' names member ", idx, " of ", t.name().empty() ? "an anonymous "
                                                                                                       : "",
                          to_string(t.kind()), " ", t.name(), ", which has ", t.vlen()));
            auto m = t.member_at(idx);
            s.bit_offset += m.bit_offset;
            if (!m.name.empty()) s.steps.push_back({id, idx, m.name});
            id = m.type;
        } else if (t.kind() == kind::array) {
            auto a = t.array();
            if (!is_flex(b, &s.steps.back(), a.nelems) && idx >= a.nelems)
                raise(cat("access string '", access, "' indexes element ", idx, " of an array of ", a.nelems));
            id = a.elem_type;
            skip(b, id);
            if (!size_of(b, id, size)) raise(cat("access string '", access, "' indexes an array of unsized elements"));
            s.steps.push_back({id, idx, {}});
            s.bit_offset += std::uint64_t{idx} * size * 8;
        } else {
            raise(cat("access string '", access, "' steps into [", id, "] ", to_string(t.kind()),
                      ", which has no members"));
        }
    }
    return s;
}

// Whether a local field's type can be read as the target field's: any two
// structs/unions, any two pointers, same-named enums, integers (of any
// size), same-size floats, arrays of such.
inline bool fields_compat(const btf& lb, std::uint32_t lid, const btf& tb, std::uint32_t tid) {
    for (int depth = 0; depth < 32; ++depth) {
        auto lt = skip(lb, lid);
        auto tt = skip(tb, tid);
        if (is_composite(lt.kind()) && is_composite(tt.kind())) return true;
        if (!kinds_compat(lt.kind(), tt.kind())) return false;
        switch (lt.kind()) {
            case kind::ptr: return true;
            case kind::float_: return lt.size() == tt.size();
            case kind::fwd:
            case kind::enum_:
            case kind::enum64: return names_match(lt.name(), tt.name());
            case kind::int_: return lt.int_offset() == 0 && tt.int_offset() == 0;
            case kind::array:
                lid = lt.array().elem_type;
                tid = tt.array().elem_type;
                break;
            default: return false;
        }
    }
    return false;
}

// Finds the local step's member by name in target composite `tid`,
// descending through anonymous members; extends `ts` on success.
inline bool match_member(const spec& local, const accessor& step, const btf& tb, std::uint32_t tid, spec& ts,
                         std::uint32_t& next, int depth = 0) {
    if (depth > static_cast<int>(core::max_access_depth)) return false;
    auto tt = skip(tb, tid);
    if (!is_composite(tt.kind())) return false;
    auto lm = local.btf->type(step.type_id).member_at(step.index);
    auto local_name = bpfxx::btf::strip_cxx_suffix(lm.name);
    for (std::uint32_t j = 0; j < tt.vlen(); ++j) {
        auto m = tt.member_at(j);
        if (ts.raw.size() >= core::max_access_depth) return false;
        ts.bit_offset += m.bit_offset;
        ts.raw.push_back(j);
        if (m.name.empty()) {
            if (match_member(local, step, tb, m.type, ts, next, depth + 1)) return true;
        } else if (m.name == local_name) {
            ts.steps.push_back({tid, j, m.name});
            next = m.type;
            return fields_compat(*local.btf, lm.type, tb, m.type);
        }
        ts.bit_offset -= m.bit_offset;
        ts.raw.pop_back();
    }
    return false;
}

// Follows the local field path through target type `tid`. On failure,
// `failed` is the index of the local step that had no match.
inline bool match_field(const spec& local, const btf& tb, std::uint32_t tid, spec& ts, std::size_t& failed) {
    ts = spec{};
    ts.btf = &tb;
    ts.root_id = tid;
    for (std::size_t i = 0; i < local.steps.size(); ++i) {
        failed = i;
        auto tt = skip(tb, tid);
        const auto& la = local.steps[i];
        if (!la.name.empty()) {
            std::uint32_t next = 0;
            if (!match_member(local, la, tb, tid, ts, next)) return false;
            tid = next;
            continue;
        }
        if (i > 0) {
            if (tt.kind() != kind::array) return false;
            auto a = tt.array();
            if (!is_flex(tb, &ts.steps.back(), a.nelems) && la.index >= a.nelems) return false;
            tid = a.elem_type;
            skip(tb, tid);
        }
        std::uint64_t size = 0;
        if (ts.raw.size() >= core::max_access_depth || !size_of(tb, tid, size)) return false;
        ts.steps.push_back({tid, la.index, {}});
        ts.raw.push_back(la.index);
        ts.bit_offset += std::uint64_t{la.index} * size * 8;
    }
    return true;
}

// TYPE_EXISTS/TYPE_SIZE/TYPE_ID_TARGET: compatible shapes (names were
// matched by the candidate search; pointers, arrays and prototypes recurse).
inline bool types_compat(const btf& lb, std::uint32_t lid, const btf& tb, std::uint32_t tid, int depth = 32) {
    for (; depth > 0; --depth) {
        auto lt = skip(lb, lid);
        auto tt = skip(tb, tid);
        if (!kinds_compat(lt.kind(), tt.kind())) return false;
        switch (lt.kind()) {
            case kind::unknown:
            case kind::struct_:
            case kind::union_:
            case kind::enum_:
            case kind::enum64:
            case kind::fwd: return true;
            case kind::int_: return lt.int_offset() == 0 && tt.int_offset() == 0;
            case kind::float_: return true;
            case kind::ptr:
                lid = lt.type();
                tid = tt.type();
                break;
            case kind::array:
                lid = lt.array().elem_type;
                tid = tt.array().elem_type;
                break;
            case kind::func_proto: {
                if (lt.vlen() != tt.vlen()) return false;
                for (std::uint32_t i = 0; i < lt.vlen(); ++i)
                    if (!types_compat(lb, lt.param_at(i).type, tb, tt.param_at(i).type, depth - 1)) return false;
                lid = lt.type();
                tid = tt.type();
                break;
            }
            default: return false;
        }
    }
    return false;
}

inline bool types_match(const btf& lb, std::uint32_t lid, const btf& tb, std::uint32_t tid, bool behind_ptr,
                        int depth);

// Every local enumerator exists in the target with the same value; sizes equal.
inline bool enums_match(type_view lt, type_view tt) {
    if (lt.size() != tt.size()) return false;
    for (auto le : lt.enumerators()) {
        bool found = false;
        for (auto te : tt.enumerators())
            if (names_match(le.name, te.name) && le.value == te.value) {
                found = true;
                break;
            }
        if (!found) return false;
    }
    return true;
}

// Every local member exists (by name) in the target and matches its type.
inline bool composites_match(const btf& lb, type_view lt, const btf& tb, type_view tt, bool behind_ptr, int depth) {
    if (lt.vlen() > tt.vlen()) return false;
    for (auto lm : lt.members()) {
        bool found = false;
        for (auto tm : tt.members())
            if (names_match(bpfxx::btf::strip_cxx_suffix(lm.name), tm.name) &&
                types_match(lb, lm.type, tb, tm.type, behind_ptr, depth - 1)) {
                found = true;
                break;
            }
        if (!found) return false;
    }
    return true;
}

// TYPE_MATCHES (Linux 6.2's stricter relation): same names all the way
// down, members and enumerators present, integers of equal size and
// signedness, arrays of equal length; a forward declaration behind a
// pointer matches a struct or union of its kind.
inline bool types_match(const btf& lb, std::uint32_t lid, const btf& tb, std::uint32_t tid, bool behind_ptr,
                        int depth) {
    for (; depth > 0; --depth) {
        auto lt = skip(lb, lid);
        auto tt = skip(tb, tid);
        if (!names_match(lt.name(), tt.name())) return false;
        auto lk = lt.kind();
        auto tk = tt.kind();
        switch (lk) {
            case kind::unknown: return lk == tk;
            case kind::fwd:
                if (behind_ptr && tk != kind::fwd)
                    return (tk == kind::struct_ && !lt.kind_flag()) || (tk == kind::union_ && lt.kind_flag());
                return lk == tk && lt.kind_flag() == tt.kind_flag();
            case kind::enum_:
            case kind::enum64: return is_any_enum(tk) && enums_match(lt, tt);
            case kind::struct_:
            case kind::union_:
                if (behind_ptr) {
                    if (lk == tk) return true;
                    return tk == kind::fwd && (lk == kind::union_) == tt.kind_flag();
                }
                return lk == tk && composites_match(lb, lt, tb, tt, behind_ptr, depth);
            case kind::int_:
                return lk == tk && lt.size() == tt.size() &&
                       (lt.int_encoding() & bpfxx::btf::int_signed) == (tt.int_encoding() & bpfxx::btf::int_signed);
            case kind::float_: return lk == tk && lt.size() == tt.size();
            case kind::ptr:
                if (lk != tk) return false;
                behind_ptr = true;
                lid = lt.type();
                tid = tt.type();
                break;
            case kind::array:
                if (lk != tk || lt.array().nelems != tt.array().nelems) return false;
                lid = lt.array().elem_type;
                tid = tt.array().elem_type;
                break;
            case kind::func_proto:
                if (lk != tk || lt.vlen() != tt.vlen()) return false;
                for (std::uint32_t i = 0; i < lt.vlen(); ++i)
                    if (!types_match(lb, lt.param_at(i).type, tb, tt.param_at(i).type, behind_ptr, depth - 1))
                        return false;
                lid = lt.type();
                tid = tt.type();
                break;
            default: return false;
        }
    }
    return false;
}

// The field values of one side (local: what the compiler assumed; target).
// Returns false when the field cannot be computed (too wide a bitfield).
struct field_values {
    std::uint64_t value = 0;
    std::uint32_t size = 0;     // bytes a plain load of it takes (0 for bitfields)
    std::uint32_t type_id = 0;  // the field's type (0 for bitfields)
    bool validate = true;
};

inline field_values calc_field(core_relo_kind k, const spec& s) {
    field_values out;
    const auto& last = s.steps.back();
    const auto& b = *s.btf;
    std::uint64_t size = 0;
    if (last.name.empty()) {  // an array element (or the root)
        if (!size_of(b, last.type_id, size)) raise("CO-RE field relocation of an element without a size");
        if (k == core_relo_kind::field_byte_offset) {
            out.value = s.bit_offset / 8;
            out.size = static_cast<std::uint32_t>(size);
            out.type_id = last.type_id;
        } else if (k == core_relo_kind::field_byte_size) {
            out.value = size;
        } else {
            raise(cat("CO-RE relocation ", to_string(k), " cannot be applied to an array element"));
        }
        return out;
    }
    auto m = b.type(last.type_id).member_at(last.index);
    std::uint32_t field_type = m.type;
    auto mt = skip(b, field_type);
    std::uint64_t bit_off = s.bit_offset;
    std::uint64_t bit_size = m.bitfield_size;
    bool bitfield = bit_size > 0;
    std::uint64_t byte_size = 0;
    std::uint64_t byte_off = 0;
    if (bitfield) {
        byte_size = mt.size();
        if (byte_size == 0) raise("CO-RE relocation of a bitfield of a zero-sized type");
        byte_off = bit_off / 8 / byte_size * byte_size;
        // The smallest naturally aligned load that holds the whole bitfield.
        while (bit_off + bit_size - byte_off * 8 > byte_size * 8) {
            if (byte_size >= 8)
                raise(cat("bitfield '", last.name, "' (", bit_size, " bits at bit ", bit_off,
                          ") cannot be read with one 64-bit load"));
            byte_size *= 2;
            byte_off = bit_off / 8 / byte_size * byte_size;
        }
    } else {
        if (!size_of(b, field_type, byte_size)) raise(cat("CO-RE relocation of field '", last.name, "' without a size"));
        byte_off = bit_off / 8;
        bit_size = byte_size * 8;
    }
    // The compiler's view of a bitfield's bytes may differ from this one:
    // only signedness and the right shift are checked.
    out.validate = !bitfield;
    switch (k) {
        case core_relo_kind::field_byte_offset:
            out.value = byte_off;
            if (!bitfield) {
                out.size = static_cast<std::uint32_t>(byte_size);
                out.type_id = field_type;
            }
            break;
        case core_relo_kind::field_byte_size: out.value = byte_size; break;
        case core_relo_kind::field_signed:
            out.value = (is_any_enum(mt.kind()) && mt.kind_flag()) ||
                        (mt.kind() == kind::int_ && (mt.int_encoding() & bpfxx::btf::int_signed) != 0);
            out.validate = true;
            break;
        case core_relo_kind::field_lshift_u64: out.value = 64 - (bit_off + bit_size - byte_off * 8); break;
        case core_relo_kind::field_rshift_u64:
            out.value = 64 - bit_size;
            out.validate = true;
            break;
        default: raise(cat("CO-RE relocation kind ", to_string(k), " is not a field relocation"));
    }
    return out;
}

// Fills orig_* from `local` and new_* from `target` (null: no match).
inline void calc(resolution& r, const spec& local, const spec* target) {
    switch (core::class_of(r.kind)) {
        case relo_class::field: {
            if (r.kind == core_relo_kind::field_exists) {
                r.orig_value = 1;
                r.new_value = target != nullptr;
                return;
            }
            auto lv = calc_field(r.kind, local);
            r.orig_value = lv.value;
            r.orig_size = lv.size;
            r.orig_type = lv.type_id;
            r.validate = lv.validate;
            if (target == nullptr) {
                r.poison = true;
                return;
            }
            auto tv = calc_field(r.kind, *target);
            r.new_value = tv.value;
            r.new_size = tv.size;
            r.new_type = tv.type_id;
            r.fail_memsz_adjust = false;
            if (r.orig_size != r.new_size) {
                // A narrower or wider load stays correct only for pointers
                // and unsigned integers (zero-extended either way).
                auto ot = local.btf->type(r.orig_type);
                auto nt = target->btf->type(r.new_type);
                bool pointers = ot.kind() == kind::ptr && nt.kind() == kind::ptr;
                bool unsigned_ints = ot.kind() == kind::int_ && nt.kind() == kind::int_ &&
                                     (ot.int_encoding() & bpfxx::btf::int_signed) == 0 &&
                                     (nt.int_encoding() & bpfxx::btf::int_signed) == 0;
                r.fail_memsz_adjust = !pointers && !unsigned_ints;
            }
            return;
        }
        case relo_class::type: {
            auto side = [&](const spec* s) -> std::uint64_t {
                if (s == nullptr) return 0;  // not found: zero, never poison
                switch (r.kind) {
                    case core_relo_kind::type_id_target: return s->root_id;
                    case core_relo_kind::type_exists:
                    case core_relo_kind::type_matches: return 1;
                    case core_relo_kind::type_size: {
                        std::uint64_t size = 0;
                        if (!size_of(*s->btf, s->root_id, size)) raise("CO-RE type size of a type without a size");
                        return size;
                    }
                    default: raise(cat("unexpected CO-RE relocation kind ", to_string(r.kind)));
                }
            };
            r.orig_value = side(&local);
            r.new_value = side(target);
            return;
        }
        case relo_class::enumval: {
            auto side = [&](const spec& s) {
                return s.btf->type(s.steps[0].type_id).enumerator_at(s.steps[0].index).value;
            };
            if (r.kind == core_relo_kind::enumval_exists) {
                r.orig_value = 1;
                r.new_value = target != nullptr;
                return;
            }
            r.orig_value = side(local);
            if (target == nullptr)
                r.poison = true;
            else
                r.new_value = side(*target);
            return;
        }
    }
}

inline std::string raw_string(const std::vector<std::uint32_t>& raw) {
    std::string out;
    for (auto v : raw) out += cat(out.empty() ? "" : ":", v);
    return out;
}

inline std::string type_name(const btf& b, std::uint32_t id) {
    auto t = b.type(id);
    auto name = t.name();
    if (name.empty()) return cat("(anonymous ", to_string(t.kind()), ")");
    switch (t.kind()) {
        case kind::struct_: return cat("struct ", name);
        case kind::union_: return cat("union ", name);
        case kind::enum_:
        case kind::enum64: return cat("enum ", name);
        default: return std::string(name);
    }
}

inline std::string where(const core::candidate& c) { return cat("[", c.id, "] in ", c.module); }

// Why no candidate matched, for the poisoned instruction's message.
inline std::string no_match_reason(const spec& local, std::string_view name, std::size_t ncands,
                                   std::size_t failed, core_relo_kind k) {
    if (ncands == 0) return cat("the target has no ", bpfxx::btf::to_string(local.btf->type(local.root_id).kind()),
                                " named '", core::essential_name(name), "'");
    if (core::class_of(k) == relo_class::field && failed < local.steps.size()) {
        const auto& step = local.steps[failed];
        if (!step.name.empty())
            return cat("no field '", bpfxx::btf::strip_cxx_suffix(step.name), "' of a compatible type in ", ncands,
                       ncands == 1 ? " target type" : " target types", " named '", core::essential_name(name), "'");
        return cat("index ", step.index, " is not an element of the target's array");
    }
    if (core::class_of(k) == relo_class::enumval)
        return cat("no enumerator '", local.steps[0].name, "' in the target's enum '", core::essential_name(name), "'");
    return cat("none of the ", ncands, " target types named '", core::essential_name(name), "' is compatible");
}

}  // namespace core_impl
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace core {

// The relocation in C++ terms: "byte_off of task_struct::real_parent",
// "sizeof(struct foo)", "pid_type::PIDTYPE_MAX".
[[nodiscard]] inline std::string describe(const btf::btf& local, const btf::core_relo_record& r) {
    using namespace bpfxx::detail::core_impl;
    using bpfxx::detail::cat;
    auto s = parse_spec(local, r);
    auto root = type_name(local, r.type_id);
    auto access = local.string_at(r.access_str_off);
    switch (class_of(r.kind)) {
        case relo_class::type: return cat(to_string(r.kind), " of ", root);
        case relo_class::enumval:
            return cat(to_string(r.kind), " of ", local.type(s.steps[0].type_id).name(), "::", s.steps[0].name);
        case relo_class::field: break;
    }
    std::string path = local.type(r.type_id).name().empty() ? root : std::string(local.type(r.type_id).name());
    if (s.raw[0] != 0) path += cat("[", s.raw[0], "]");
    for (std::size_t i = 1; i < s.steps.size(); ++i) {
        const auto& st = s.steps[i];
        if (st.name.empty())
            path += cat("[", st.index, "]");
        else
            path += cat(i == 1 ? "::" : ".", bpfxx::btf::strip_cxx_suffix(st.name));
    }
    return cat(to_string(r.kind), " of ", path, " (access ", access, ")");
}

// Resolves one relocation of `local` (the object's BTF) against `target`.
// Throws bpfxx::error for a malformed record or ambiguous candidates; an
// unresolvable relocation comes back poisoned, with the reason.
[[nodiscard]] inline resolution resolve(const btf::btf& local, const btf::core_relo_record& r, const target& target,
                                       match_cache* cache = nullptr) {
    using namespace bpfxx::detail::core_impl;
    using bpfxx::detail::cat;
    using bpfxx::detail::raise;
    resolution res;
    res.kind = r.kind;
    if (r.type_id == 0 || r.type_id >= local.size())
        raise(cat("CO-RE relocation against type id ", r.type_id, ", which the object's BTF does not have"));
    auto ls = parse_spec(local, r);
    if (r.kind == core_relo_kind::type_id_local) {
        res.validate = false;  // linking may renumber types: no check of the old value
        res.orig_value = res.new_value = r.type_id;
        return res;
    }
    auto lt = local.type(r.type_id);
    auto name = lt.name();
    if (name.empty())
        raise(cat("CO-RE ", to_string(r.kind), " relocation against an anonymous ", to_string(lt.kind()),
                  ": candidates are found by name, so give the type a name"));
    // Every candidate that matches, with its access path in the target.
    match_cache::entry fresh;
    match_cache::entry* found = &fresh;
    bool reuse = false;
    auto key = (std::uint64_t{r.type_id} << 32) | r.access_str_off;
    if (cache != nullptr && class_of(r.kind) == relo_class::field) {
        auto [it, inserted] = cache->fields.try_emplace(key);
        found = &it->second;
        reuse = !inserted;
    }
    if (!reuse) {
        auto cands = target.candidates(name, lt.kind());
        found->candidates = cands.size();
        found->failed = ls.steps.size();
        for (const auto& c : cands) {
            spec cs;
            cs.btf = c.btf;
            cs.root_id = c.id;
            bool ok = false;
            switch (class_of(r.kind)) {
                case relo_class::field: {
                    std::size_t f = 0;
                    ok = match_field(ls, *c.btf, c.id, cs, f);
                    if (!ok && (found->failed == ls.steps.size() || f > found->failed)) found->failed = f;
                    break;
                }
                case relo_class::type:
                    ok = r.kind == core_relo_kind::type_matches
                             ? types_match(local, r.type_id, *c.btf, c.id, false, 32)
                             : types_compat(local, r.type_id, *c.btf, c.id);
                    break;
                case relo_class::enumval: {
                    std::uint32_t id = c.id;
                    auto tt = skip(*c.btf, id);
                    if (!is_any_enum(tt.kind())) break;
                    for (std::uint32_t i = 0; i < tt.vlen(); ++i) {
                        auto e = tt.enumerator_at(i);
                        if (names_match(e.name, ls.steps[0].name)) {
                            cs.steps.push_back({id, i, e.name});
                            cs.raw.push_back(i);
                            ok = true;
                            break;
                        }
                    }
                    break;
                }
            }
            if (ok) found->matches.emplace_back(c, std::move(cs));
        }
    }
    // All matches must agree; none leaves the relocation to its default
    // (zero for existence and type kinds, a poisoned instruction otherwise).
    const spec* best = nullptr;
    for (const auto& [c, cs] : found->matches) {
        resolution cr;
        cr.kind = r.kind;
        calc(cr, ls, &cs);
        cr.target = c;
        cr.target_access = raw_string(cs.raw);
        if (best == nullptr) {
            res = std::move(cr);
            best = &cs;
        } else if (cs.bit_offset != best->bit_offset || cr.poison != res.poison ||
                   (!cr.poison && cr.new_value != res.new_value)) {
            raise(cat("CO-RE relocation ", to_string(r.kind), " of ", type_name(local, r.type_id),
                      " is ambiguous: target ", type_name(*res.target.btf, res.target.id), " ", where(res.target),
                      " gives ", res.new_value, " (access ", res.target_access, ") but ", type_name(*c.btf, c.id), " ",
                      where(c), " gives ", cr.new_value, " (access ", cr.target_access, ")"));
        }
    }
    if (best == nullptr) {
        calc(res, ls, nullptr);
        if (res.poison) res.reason = no_match_reason(ls, name, found->candidates, found->failed, r.kind);
    }
    return res;
}

// Rewrites the instruction at `at` (and its second half for ld_imm64) with
// the resolution, or poisons it. Throws bpfxx::error when the instruction
// is not what the relocation expects (a compiler/linker mismatch).
inline void patch(std::span<insn> insns, std::size_t at, const resolution& res) {
    using bpfxx::detail::cat;
    using bpfxx::detail::raise;
    if (at >= insns.size()) raise(cat("CO-RE relocation at instruction ", at, " past the program's end"));
    auto& i = insns[at];
    auto cls = op::class_of(i.code);
    bool ldimm64 = i.code == (op::ld | op::imm | op::dw);
    if (ldimm64 && at + 1 >= insns.size()) raise(cat("ld_imm64 at instruction ", at, " is cut off"));
    auto poison = [&](insn& x) {
        x.code = op::jmp | op::call;
        x.dst_reg = 0;
        x.src_reg = 0;
        x.off = 0;
        x.imm = core::poison_helper_id;
    };
    bool do_poison = res.poison;
    if (!do_poison) switch (cls) {
            case op::alu:
            case op::alu64:
                if (op::source_of(i.code) != op::k)
                    raise(cat("CO-RE relocation on instruction ", at, ", an ALU operation without an immediate"));
                if (res.validate && static_cast<std::uint32_t>(i.imm) != static_cast<std::uint32_t>(res.orig_value))
                    raise(cat("instruction ", at, " holds ", i.imm, " where the CO-RE relocation expects ",
                              res.orig_value));
                i.imm = static_cast<std::int32_t>(res.new_value);
                return;
            case op::ldx:
            case op::st:
            case op::stx: {
                if (res.validate && static_cast<std::int64_t>(i.off) != static_cast<std::int64_t>(res.orig_value))
                    raise(cat("instruction ", at, " has offset ", i.off, " where the CO-RE relocation expects ",
                              res.orig_value));
                if (res.new_value > SHRT_MAX)
                    raise(cat("the relocated field offset ", res.new_value, " of instruction ", at,
                              " does not fit a load/store offset"));
                if (res.fail_memsz_adjust) {
                    do_poison = true;
                    break;
                }
                i.off = static_cast<std::int16_t>(res.new_value);
                if (res.orig_size != res.new_size) {
                    static constexpr std::uint8_t widths[] = {4, 2, 1, 8};  // w, h, b, dw
                    auto bytes = widths[op::size_of(i.code) >> 3];
                    if (bytes != res.orig_size)
                        raise(cat("instruction ", at, " accesses ", int{bytes}, " bytes where the field has ",
                                  res.orig_size));
                    std::uint8_t size = 0;
                    switch (res.new_size) {
                        case 1: size = op::b; break;
                        case 2: size = op::h; break;
                        case 4: size = op::w; break;
                        case 8: size = op::dw; break;
                        default:
                            raise(cat("the target field of instruction ", at, " is ", res.new_size,
                                      " bytes, which no load/store takes"));
                    }
                    i.code = static_cast<std::uint8_t>(op::mode_of(i.code) | size | cls);
                }
                return;
            }
            case op::ld: {
                auto& hi = insns[at + 1];
                if (!ldimm64 || i.src_reg != 0 || i.off != 0 || hi.code != 0 || hi.dst_reg != 0 || hi.src_reg != 0 ||
                    hi.off != 0)
                    raise(cat("CO-RE relocation on instruction ", at, ", a load that is not a plain ld_imm64"));
                auto imm = std::uint64_t{static_cast<std::uint32_t>(i.imm)} |
                           (std::uint64_t{static_cast<std::uint32_t>(hi.imm)} << 32);
                if (res.validate && imm != res.orig_value)
                    raise(cat("instruction ", at, " loads ", imm, " where the CO-RE relocation expects ",
                              res.orig_value));
                i.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(res.new_value));
                hi.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(res.new_value >> 32));
                return;
            }
            default:
                raise(cat("CO-RE relocation on instruction ", at, " (opcode ", bpfxx::detail::hex(i.code),
                          "), which takes none"));
        }
    // The second half of an ld_imm64 is poisoned too, or the verifier
    // complains about "unknown opcode 00" instead.
    if (ldimm64) poison(insns[at + 1]);
    poison(i);
}

}  // namespace core
BPFXX_END_NAMESPACE
