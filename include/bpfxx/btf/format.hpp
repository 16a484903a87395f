// SPDX-License-Identifier: MIT OR Apache-2.0
// BTF type -> C++ spelling, for messages and the inspect tool.
//
// Spelling choices: struct, union and enum types print by name alone, as C++
// refers to them (`event`, not `struct event`); anonymous ones print as
// `(anon struct)`, `(anon union)`, `(anon enum)`. Declarators follow C++:
// `const u64*`, `char[16]`, `char*[4]`, `char(*)[16]`, `int(*)(void*, u32)`,
// `u64* const`. A FUNC prints as a declaration (`int on_exec(void* ctx)`), a
// VAR as `type name`, a DATASEC by its section name. Type tags are dropped.
// Nesting deeper than 32 levels, or more than 4096 types in one spelling,
// prints `...`, so any valid btf terminates quickly.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/format.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/names.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_format {

using bpfxx::btf::btf;
using bpfxx::btf::kind;
using bpfxx::btf::type_view;

inline constexpr int max_depth = 32;

struct context {
    const btf& b;
    int budget = 4096;  // types visited per spelling
};

// Names longer than this print cut, and a parameter list stops growing past
// max_params_chars, so crafted names cannot blow up the output.
inline constexpr std::size_t max_name_chars = 256;
inline constexpr std::size_t max_params_chars = 4096;

inline std::string clip(std::string_view name) {
    if (name.size() <= max_name_chars) return std::string(name);
    return std::string(name.substr(0, max_name_chars)) + "...";
}

inline bool starts_identifier(std::string_view s) noexcept {
    if (s.empty()) return false;
    char c = s.front();
    return bpfxx::btf::is_identifier_char(c);
}

inline std::string base_name(const type_view& t) {
    auto name = t.name();
    switch (t.kind()) {
        case kind::unknown: return "void";
        case kind::struct_: return name.empty() ? "(anon struct)" : clip(name);
        case kind::union_: return name.empty() ? "(anon union)" : clip(name);
        case kind::enum_:
        case kind::enum64: return name.empty() ? "(anon enum)" : clip(name);
        case kind::fwd: return name.empty() ? (t.kind_flag() ? "(anon union)" : "(anon struct)") : clip(name);
        default: return name.empty() ? "(anon)" : clip(name);
    }
}

// `left` + declarator: the type `id` wrapped around the declarator `decl`
// (the part of a declaration that names the object and its pointer, array
// and function layers).
inline std::string spell(context& c, std::uint32_t id, std::string decl, int depth);

inline std::string join(std::string left, const std::string& decl) {
    if (starts_identifier(decl)) left.push_back(' ');
    left += decl;
    return left;
}

inline std::string params_of(context& c, const type_view& proto, int depth) {
    std::string out = "(";
    auto ps = proto.params();
    for (std::uint32_t i = 0; i < ps.size(); ++i) {
        auto p = ps[i];
        if (i != 0) out += ", ";
        if (c.budget <= 0 || out.size() > max_params_chars) {
            out += "...";
            break;
        }
        if (p.type == 0 && i + 1 == ps.size() && p.name.empty()) {
            out += "...";
            continue;
        }
        out += spell(c, p.type, clip(p.name), depth + 1);
    }
    out += ')';
    return out;
}

inline std::string spell(context& c, std::uint32_t id, std::string decl, int depth) {
    if (depth > max_depth || --c.budget < 0) return join("...", decl);
    const btf& b = c.b;
    auto t = b.type(id);
    switch (t.kind()) {
        case kind::ptr: {
            auto target = b.type(t.type()).kind();
            if (target == kind::array || target == kind::func_proto)
                return spell(c, t.type(), "(*" + decl + ")", depth + 1);
            return spell(c, t.type(), (starts_identifier(decl) ? "* " : "*") + decl, depth + 1);
        }
        case kind::array: {
            auto a = t.array();
            return spell(c, a.elem_type, decl + "[" + std::to_string(a.nelems) + "]", depth + 1);
        }
        case kind::func_proto: return spell(c, t.type(), decl + params_of(c, t, depth), depth + 1);
        case kind::const_:
        case kind::volatile_:
        case kind::restrict_: {
            const char* q = t.kind() == kind::const_      ? "const"
                            : t.kind() == kind::volatile_ ? "volatile"
                                                          : "__restrict";
            auto target = b.type(t.type()).kind();
            // A qualified pointer puts the qualifier after the `*`.
            if (target == kind::ptr)
                return spell(c, t.type(), std::string(" ") + q + (decl.empty() ? "" : " ") + decl, depth + 1);
            return std::string(q) + " " + spell(c, t.type(), std::move(decl), depth + 1);
        }
        case kind::type_tag: return spell(c, t.type(), std::move(decl), depth + 1);
        case kind::func: {
            auto proto = b.type(t.type());
            if (proto.kind() != kind::func_proto) return join(base_name(t), decl);
            return spell(c, t.type(), clip(t.name()) + decl, depth + 1);
        }
        case kind::var: return spell(c, t.type(), clip(t.name()) + decl, depth + 1);
        case kind::decl_tag: return "__attribute__((btf_decl_tag(\"" + clip(t.name()) + "\")))";
        case kind::datasec: return clip(t.name());
        default: return join(base_name(t), decl);
    }
}

}  // namespace btf_format
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace btf {

// The C++ spelling of type `id` (see the top of this header). Throws
// bpfxx::error only for an id out of range.
inline std::string cxx_type_name(const btf& b, std::uint32_t id) {
    detail::btf_format::context c{b};
    return detail::btf_format::spell(c, id, std::string(), 0);
}

}  // namespace btf
BPFXX_END_NAMESPACE
