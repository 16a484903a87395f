// SPDX-License-Identifier: MIT OR Apache-2.0
// BTF types -> C++ definitions with the kernel's layout, for generated
// skeletons (map keys and values, ring-buffer records, global variables) and
// the C++ vmlinux header.
//
// What the emitted code looks like (user space, the default):
//   - structs and unions keep their names; every one is followed by
//     `static_assert(sizeof(T) == N)` and `static_assert(offsetof(T, m) == o)`
//     for each named member that is not a bitfield, so a layout the compiler
//     does not reproduce is a compile error, never silent corruption;
//   - a member the natural C++ placement would put elsewhere gets padding
//     before it (`unsigned char __pad_N[k]`, or unnamed bitfields inside a
//     byte); a struct whose members or size need less alignment than C++
//     would give them is `[[gnu::packed]]`; a layout C++ cannot express at
//     all (overlapping members) becomes `unsigned char __raw[N]` with a
//     comment saying why;
//   - bitfields keep their integer type and width (an enum bitfield takes the
//     enum's underlying type, a char bitfield straddling a byte in a packed
//     struct a 2-byte type: GCC notes a layout change since GCC 4.4 there);
//   - pointers are `::bpfxx::u64` with a comment naming the pointee: user
//     space cannot follow a kernel pointer, and a 32-bit program would get
//     the layout wrong with a real one;
//   - const, volatile and type tags are dropped, so globals can be written
//     before load and records copied;
//   - members of size 0 in C (flexible and zero-length arrays, empty structs)
//     are comments: ISO C++ has neither, and the BTF size excludes them. A
//     struct of size 0 has no size check (a C++ object has at least 1 byte);
//   - an unnamed struct or union is a nested type `__anon_struct_N` /
//     `__anon_union_N` of the enclosing named type; an unnamed member becomes
//     `__anon_N`, except an unnamed union member, which stays an anonymous
//     union (ISO C++ has those) when what it declares can be declared there;
//   - enums are unscoped with a fixed underlying type of the BTF size and
//     sign; typedefs are `using`; a typedef naming an unnamed struct, union or
//     enum names the type itself (`struct foo_t`), and `typedef struct foo
//     foo` disappears;
//   - a name that is a C++ keyword, or a macro or keyword on common
//     compilers (`linux`, `errno`, `typeof`...), gets the suffix `___cxx`
//     (see strip_cxx_suffix, which CO-RE uses to undo it); a name that is no
//     identifier is rewritten by to_btf_identifier; a type name already taken
//     (BTF allows duplicates) gets `___1`, `___2`... in type-id order, an
//     enumerator that collides is prefixed with its enum's name first. All
//     names depend only on the BTF, never on which types are emitted, so
//     emit_declaration and emit_type_name agree with any emit_types output;
//   - a type referred to inside a struct that declares a member of the same
//     name is spelled `struct foo` (or through its typedef's target), which
//     GCC requires ("changes meaning").
// The code needs <cstddef> (offsetof) and <bpfxx/shared/types.hpp> before
// it, and belongs in a namespace: kernel names such as `stat` or `timespec`
// collide with the C library's at global scope. Unnamed types requested as
// roots are emitted as `__anon_<id>`.
//
// With emit_options::kernel_side the output is C++ for clang -target bpf
// instead (not pedantic): real pointers and function pointers, qualifiers
// kept, zero-length arrays, unnamed structs and unions inline as in C (so
// CO-RE access paths match the kernel's), a forward declaration of every
// struct and union first, then enums, then typedefs and definitions,
// `__builtin_offsetof` (no <cstddef> there). An empty struct gets a
// zero-length array, which makes it 0 bytes as in C (and its size check
// says 0). A struct C declares as `typedef struct { ... } foo_t` becomes
// `struct foo_t`. The checks after each struct cover its size and the
// members reachable by name from it; type_emitter::kernel_layout_test
// writes a test of every member, bitfields and members of unnamed types
// inside named members included.
//
// The layout rules are the Itanium C++ ABI's on LP64 (x86_64, aarch64) and
// clang's BPF target: each emitted struct is checked by its static_asserts,
// so a rule that differs shows up as a compile error.
//
// Output is deterministic: the same BTF and roots give the same bytes.
#pragma once
#ifdef __bpf__
#error "tools/lib/emit.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/error.hpp>

#include "tool_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace btf {

struct emit_options {
    // false: user-space C++20 that compiles with -Wall -Wextra -Wpedantic
    // -Werror (GCC 12, clang 19); true: C++ for clang -target bpf.
    bool kernel_side = false;
    std::string_view indent = "    ";
};

}  // namespace btf
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_emit {

using bpfxx::btf::btf;
using bpfxx::btf::kind;
using bpfxx::btf::type_view;

// Deeper nesting of unnamed types than this is refused rather than recursed
// into (the kernel's deepest is under 10).
inline constexpr int max_nesting = 64;



// Names the emitter generates inside classes and for unnamed types; a BTF
// type name of this shape is suffixed so the two never meet.
inline bool looks_generated(std::string_view s) noexcept {
    return s.starts_with("__anon_") || s.starts_with("__pad_") || s == "__raw";
}

// Text safe inside a // comment: printable ASCII, and no backslash (which
// would continue the comment onto the next line).
inline std::string comment_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) out.push_back(c >= 0x20 && c <= 0x7e && c != '\\' ? c : '?');
    return out;
}

// A C++ string literal's contents.
inline std::string string_literal_text(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c >= 0x20 && c <= 0x7e) {
            out.push_back(c);
        } else {
            out.push_back('?');
        }
    }
    return out;
}

inline std::string canonical_int(std::uint64_t size, bool is_signed) {
    switch (size) {
        case 1: return is_signed ? "signed char" : "unsigned char";
        case 2: return is_signed ? "short" : "unsigned short";
        case 4: return is_signed ? "int" : "unsigned int";
        case 8: return is_signed ? "long long" : "unsigned long long";
        case 16: return is_signed ? "__int128_t" : "__uint128_t";
        default: return {};
    }
}

inline bool valid_int_size(std::uint64_t s) noexcept {
    return s == 1 || s == 2 || s == 4 || s == 8 || s == 16;
}

// The C spelling of an INT when it is a valid C++ spelling of the same size
// on LP64 (x86_64, aarch64), else the canonical spelling of its size and sign.
inline std::string int_spelling(const type_view& t) {
    const auto name = t.name();
    const auto size = t.size();
    if ((t.int_encoding() & bpfxx::btf::int_bool) != 0 || name == "_Bool" || name == "bool")
        return size == 1 ? "bool" : canonical_int(size, false);
    int n_signed = 0, n_unsigned = 0, n_char = 0, n_short = 0, n_int = 0, n_long = 0, words = 0;
    bool other = name.empty();
    std::size_t i = 0;
    while (i < name.size() && !other) {
        auto j = name.find(' ', i);
        if (j == std::string_view::npos) j = name.size();
        auto w = name.substr(i, j - i);
        i = j + 1;
        if (w.empty()) continue;
        ++words;
        if (w == "signed")
            ++n_signed;
        else if (w == "unsigned")
            ++n_unsigned;
        else if (w == "char")
            ++n_char;
        else if (w == "short")
            ++n_short;
        else if (w == "int")
            ++n_int;
        else if (w == "long")
            ++n_long;
        else
            other = true;
    }
    const bool is_signed = (t.int_encoding() & bpfxx::btf::int_signed) != 0;
    if (!other && words > 0 && n_signed + n_unsigned <= 1 && n_char + n_short <= 1 && n_int <= 1 &&
        n_long <= 2 && !(n_char && (n_int || n_long)) && !(n_short && n_long) &&
        (n_char + n_short + n_int + n_long) > 0) {
        const std::uint32_t lp64 = n_char ? 1 : n_short ? 2 : n_long ? 8 : 4;
        if (lp64 == size) return std::string(name);
    }
    if (name.find("int128") != std::string_view::npos && size == 16)
        return name.find("unsigned") != std::string_view::npos ? "__uint128_t" : "__int128_t";
    return canonical_int(size, name.find("unsigned") == std::string_view::npos && is_signed);
}

inline std::string float_spelling(std::uint32_t size) {
    switch (size) {
        case 4: return "float";
        case 8: return "double";
        case 16: return "long double";
        default: return {};
    }
}

// ---- geometry: where each member goes in the emitted class ----------------

enum class item_kind : std::uint8_t {
    member,     // a BTF member, not a bitfield
    bitfield,   // a BTF bitfield member
    zero_size,  // a BTF member of size 0 (user side: a comment)
    pad_bytes,  // unsigned char __pad_N[count]
    pad_bits,   // unsigned char : count
};

struct item {
    item_kind what;
    std::uint32_t index = 0;       // BTF member index
    std::uint64_t bit_offset = 0;  // of the member (member, bitfield, zero_size)
    std::uint64_t count = 0;       // bitfield width, padding bytes or bits
    std::uint32_t widen = 0;       // bitfield: spell as an int of this size instead
    bool inline_union = false;     // member: an unnamed union, candidate for an anonymous union
};

struct geometry {
    std::uint64_t size = 0;   // BTF size
    std::uint32_t align = 1;  // of the emitted class
    bool packed = false;
    bool opaque = false;  // layout not expressible: one byte array
    std::string why;      // for opaque
    std::vector<item> items;
};

struct value_layout {
    std::uint64_t size = 0;
    std::uint32_t align = 1;
};

// What kernel_layout_test checks of one class at namespace scope: every
// member reachable by a designator from it, unnamed classes written inline
// included (they are distinct C++ types from their `__anon_<id>` copies).
struct layout_member {
    std::string designator;        // "a.b[0].c"
    std::uint64_t bit_offset = 0;  // from the start of the class
    std::uint64_t size = 0;        // bytes, for a member that is not a bitfield
    std::uint32_t bits = 0;        // bitfield width, 0 for other members
    bool is_bool = false;          // a bool bitfield
    bool settable = true;          // a bitfield not inside a const member
};

struct layout_class {
    std::uint32_t id = 0;
    std::string name;
    std::uint64_t size = 0;
    std::vector<layout_member> members;
    std::uint32_t unchecked = 0;  // unnamed bitfields, members of opaque classes
};

// How a member's type looks once qualifiers and arrays are peeled off.
struct peeled {
    std::uint32_t base = 0;           // first type that is no modifier or array
    std::vector<std::uint32_t> dims;  // outermost first
};

}  // namespace btf_emit
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace btf {

// Emits C++ for one btf. Construct once and reuse when emitting for a large
// BTF (the constructor names every type: ~40 ms for vmlinux); the free
// functions below construct one per call. The btf must outlive it. Layouts
// are cached, so the methods are not const: one emitter per thread.
class type_emitter {
public:
    explicit type_emitter(const btf& b, const emit_options& options = {});

    // Definitions of every type reachable by value from `roots` (members,
    // typedefs, arrays, VARs and DATASEC variables; user-side pointers end
    // the walk), in dependency order, each struct and union followed by its
    // layout checks. A root that is a pointer, or a VAR of pointer type (as
    // in .bpfxx.records, which BPFXX_RECORD_TYPE fills), also brings its
    // pointee.
    std::string types(std::span<const std::uint32_t> roots);

    // A declaration of `name` with the type's emitted spelling: "char
    // comm[16]", "u64 ts_ns". The name is made a C++ identifier like a
    // member's; empty gives an abstract declarator ("char[16]"). A type named
    // like `name`, or like one of `scope` (the other members of the class the
    // declaration goes into), is spelled `struct foo` or through its
    // typedef's target. Throws for types without a size in C++.
    std::string declaration(std::uint32_t type_id, std::string_view name,
                            std::span<const std::string> scope = {});

    // The type as a template argument: "u32", "event", "unsigned int",
    // "::bpfxx::u64" for a user-side pointer, "std::array<char, 16>" for an
    // array (the caller includes <array>; std::array<T, N> has the layout of
    // T[N] on GCC and clang), the underlying integer for an unnamed enum,
    // `__anon_<id>` for an unnamed struct or union (emit it as a root).
    // Throws for void, functions, forward declarations, VARs and DATASECs,
    // and for arrays on the kernel side.
    std::string type_name(std::uint32_t type_id);

    // A function template `check_name<T>()` whose static_asserts compare a
    // user-side type with this BTF type: the size, and the offset of every
    // named member that is not a bitfield (members of anonymous unions by
    // their own names), and on the user side the kind of number each integer
    // or floating-point field holds (through bpfxx::skel::holds, so the code
    // using it includes <bpfxx/skeleton.hpp>). `what` starts each message
    // ("execsnoop: ring buffer 'events' record"). Instantiate it, e.g.
    // `static_assert(check<event>())`.
    std::string layout_check(std::uint32_t type_id, std::string_view check_name, std::string_view what);

    // Kernel side: a test of what `types(roots)` defines, to be compiled
    // after it in the same namespace, with clang -target bpf or (on LP64
    // hosts) a user-space compiler. It holds
    //   - `static_assert(sizeof(T) == N)` for every class at namespace
    //     scope (a struct of size 0 too), and for every member that is not a
    //     bitfield, reached by its designator from there (through unnamed
    //     structs and unions, `[0]` into arrays of them), static_asserts of
    //     its offset and size;
    //   - bitfields, which offsetof cannot name: in user space the table
    //     `bpfxx_layout_bitfields`, whose entries set one bitfield of a
    //     zeroed object to all ones, for a test to find the bits; for
    //     -target bpf the variable `bpfxx_layout`, a pointer to struct
    //     `bpfxx_layout_types` that holds each class with a bitfield (BTF
    //     id <id>) as member `t_<id>`, which puts those classes into the
    //     object's BTF for a test to compare with the BTF it came from.
    // `stats`, when given, receives the number of classes, members and
    // bitfields checked, and of those not checked: unnamed bitfields,
    // members of opaque layouts (`__raw`), and in user space bitfields
    // inside const members (nothing can set them).
    struct layout_test_stats {
        std::size_t classes = 0;
        std::size_t members = 0;
        std::size_t bitfields = 0;
        std::size_t unchecked = 0;
    };
    std::string kernel_layout_test(std::span<const std::uint32_t> roots, layout_test_stats* stats = nullptr);

    // The C++ name of a named type after renames, empty for unnamed types
    // and those without one (INT, PTR...).
    [[nodiscard]] const std::string& global_name(std::uint32_t type_id) const { return names_.at(type_id); }

private:
    using geometry = detail::btf_emit::geometry;
    using item = detail::btf_emit::item;
    using item_kind = detail::btf_emit::item_kind;
    using peeled = detail::btf_emit::peeled;
    using value_layout = detail::btf_emit::value_layout;
    using name_set = std::unordered_set<std::string>;

    // Names of one class's members as emitted: per geometry item; an inline
    // anonymous union carries its own items' names.
    struct field_names {
        std::string name;  // empty: generated while writing (__anon_N, __pad_N)
        bool inline_union = false;
        std::vector<field_names> inner;
    };
    struct class_plan {
        std::vector<field_names> fields;
        name_set scope;  // every name the class declares that a type could collide with
    };
    struct writer {
        std::string& out;
        std::string& asserts;
        unsigned counter = 0;  // generated names within one top-level type
        std::vector<const name_set*> scopes;
    };
    struct spelling {
        std::string left;   // the type specifier (kernel side: the whole declaration)
        std::string right;  // array bounds, after the declared name
        std::string note;   // user side: what a pointer pointed to
    };

    // ---- names ----
    void name_types();
    [[nodiscard]] std::string type_name_of(std::uint32_t id) const;  // named or __anon_<id>
    [[nodiscard]] bool is_unnamed_class(std::uint32_t id) const;
    [[nodiscard]] bool in_scope(const std::string& name, const std::vector<const name_set*>& scopes) const;

    // ---- layout ----
    void prepare(std::uint32_t root);
    void deps(std::uint32_t id, std::vector<std::uint32_t>& out, bool for_layout) const;
    const geometry& geometry_of(std::uint32_t id);
    geometry compute_geometry(std::uint32_t id, bool packed);
    // A member's bitfield width, its bit offset and the size of its declared
    // type (width 0: not a bitfield); an error text when BTF's description
    // cannot be a C++ bitfield.
    struct bitfield_info {
        std::uint64_t width = 0;
        std::uint64_t bit = 0;
        std::uint32_t declared = 0;
        std::string error;
    };
    bitfield_info bitfield_of(const member& m, bool kind_flag) const;
    static void pad_bits_to(geometry& g, std::uint64_t& c, std::uint64_t target);
    static std::string finish_geometry(geometry& g, bool is_union, std::uint64_t c, std::uint64_t widest,
                                       std::uint32_t align);
    bool layout_of(std::uint32_t id, value_layout& out, std::string& why);
    [[nodiscard]] peeled peel(std::uint32_t id) const;
    bool inline_union_candidate(std::uint32_t member_type);

    // ---- spelling ----
    spelling spell(std::uint32_t id, const std::vector<const name_set*>& scopes);
    std::string spell_base(std::uint32_t id, const std::vector<const name_set*>& scopes);
    std::string spell_kernel(std::uint32_t id, std::string decl, const std::vector<const name_set*>& scopes,
                             int depth);
    std::string bitfield_type(const item& it, std::uint32_t member_type,
                              const std::vector<const name_set*>& scopes);
    std::string member_comment(std::uint32_t type_id, std::string_view name) const;
    std::string enum_underlying(const type_view& t) const;

    // ---- writing ----
    class_plan plan_class(std::uint32_t id, const geometry& g, const std::string& class_name);
    void plan_inline_union(std::uint32_t union_id, field_names& f, name_set& scope);
    void write_class(writer& w, std::uint32_t id, const std::string& name, const std::string& qualified,
                     int depth, const std::string& trailing_declarator);
    void write_items(writer& w, std::uint32_t id, const geometry& g, const std::vector<field_names>& names,
                     class_plan& plan, const std::string& qualified, int depth, std::uint64_t base_offset,
                     std::vector<std::pair<std::string, std::uint64_t>>& offsets);
    struct kernel_writer {
        std::string& out;
        std::string& asserts;
        unsigned counter = 0;
        std::vector<const name_set*> scopes;
        const name_set& scope;
        std::string qualified;
        bool through_const = false;  // writing the members of a const member
    };
    void kernel_scope(std::uint32_t id, name_set& scope, int depth);
    bool injected_names(std::uint32_t id, std::vector<std::string>& out, int depth);
    void write_kernel_class(kernel_writer& w, std::uint32_t id, const std::string& name, int depth,
                            const std::string& declarator, std::uint64_t base_offset, bool inject,
                            name_set* level, const std::string& designator);
    void write_enum(std::string& out, std::uint32_t id);
    void write_top(std::string& out, std::uint32_t id);
    std::string generated(writer& w, std::string_view prefix, const name_set& scope);
    [[nodiscard]] std::string indent(int depth) const;
    std::string emit_kernel(std::span<const std::uint32_t> roots);
    // emit_kernel's parts: what to write in which order, then the writing.
    struct kernel_plan {
        std::vector<std::uint32_t> order;  // typedefs and classes in writing order
        std::vector<std::uint32_t> tags;   // named classes and enums, for the prologue
    };
    kernel_plan plan_kernel(std::span<const std::uint32_t> roots);
    // Requirement levels of plan_kernel's walk: a declaration (enough for a
    // pointer or a typedef) or a definition (for values).
    static constexpr std::uint8_t kernel_declared = 1, kernel_complete = 2;
    void kernel_needs(std::uint32_t id, std::uint8_t level, std::vector<std::pair<std::uint32_t, std::uint8_t>>& out) const;
    std::string write_kernel(const kernel_plan& plan);
    void expand_root(std::uint32_t id, std::vector<std::uint32_t>& out, int depth);
    struct check_field {
        std::string name;
        std::uint64_t offset;
        std::uint32_t type;  // the member's BTF type
    };
    std::string field_kind_check(const check_field& f, std::string_view w, std::string_view kernel_name);
    void collect_check_fields(std::uint32_t id, std::uint64_t base, std::vector<check_field>& out, int depth);

    const btf& b_;
    bool kernel_;
    std::string indent_;
    std::vector<std::string> names_;
    std::vector<std::uint8_t> elided_;  // typedefs spelled as their target
    std::unordered_map<std::uint32_t, std::vector<std::string>> enumerators_;
    std::unordered_map<std::uint32_t, geometry> geometries_;
    std::vector<std::uint8_t> layout_state_;  // 0 not laid out, 1 in progress, 2 done
    std::vector<std::uint8_t> emitted_;
    std::vector<std::uint8_t> needs_global_;
    // Set while kernel_layout_test runs emit_kernel.
    std::vector<detail::btf_emit::layout_class>* layout_ = nullptr;
};

// ---- names -------------------------------------------------------------------

inline type_emitter::type_emitter(const btf& b, const emit_options& options)
    : b_(b), kernel_(options.kernel_side), indent_(options.indent) {
    name_types();
}

inline void type_emitter::name_types() {
    using bpfxx::btf::cxx_identifier;
    const std::uint32_t n = b_.size();
    names_.assign(n, std::string());
    elided_.assign(n, 0);
    std::unordered_set<std::string> taken{"std", "bpfxx"};
    auto base_of = [](std::string_view raw) {
        auto s = cxx_identifier(raw);
        if (detail::btf_emit::looks_generated(s)) s += bpfxx::btf::keyword_suffix;
        return s;
    };
    auto claim = [&](std::string base) {
        std::string name = base;
        for (unsigned k = 1; taken.count(name) != 0; ++k) name = tools::cat(base, "___", k);
        taken.insert(name);
        return name;
    };
    // Struct and union tags first (what users name most), then enums, then
    // typedefs, forward declarations and enumerators, each in id order.
    std::unordered_map<std::string_view, std::uint32_t> first_class;
    for (std::uint32_t id = 1; id < n; ++id) {
        auto t = b_.type(id);
        if ((t.kind() == kind::struct_ || t.kind() == kind::union_) && !t.name().empty()) {
            names_[id] = claim(base_of(t.name()));
            first_class.try_emplace(t.name(), id);
        }
    }
    for (std::uint32_t id = 1; id < n; ++id) {
        auto t = b_.type(id);
        if ((t.kind() == kind::enum_ || t.kind() == kind::enum64) && !t.name().empty())
            names_[id] = claim(base_of(t.name()));
    }
    for (std::uint32_t id = 1; id < n; ++id) {
        auto t = b_.type(id);
        if (t.kind() != kind::typedef_) continue;
        auto target = b_.type(t.type());
        const auto tk = target.kind();
        const bool tag = tk == kind::struct_ || tk == kind::union_ || tk == kind::enum_ || tk == kind::enum64;
        if (t.name().empty() || (tag && !target.name().empty() && target.name() == t.name())) {
            elided_[id] = 1;
            continue;
        }
        // `typedef bool bool`-like typedefs of a fundamental type to its own
        // C++ name (`typedef _Bool bool`) would be `using bool = bool`.
        if (tk == kind::int_ && detail::btf_emit::int_spelling(target) == t.name()) {
            elided_[id] = 1;
            continue;
        }
        if (tag && target.name().empty() && names_[target.id()].empty()) {
            names_[target.id()] = claim(base_of(t.name()));
            elided_[id] = 1;
            continue;
        }
        names_[id] = claim(base_of(t.name()));
    }
    for (std::uint32_t id = 1; id < n; ++id) {
        auto t = b_.type(id);
        if (t.kind() != kind::fwd || t.name().empty()) continue;
        if (auto it = first_class.find(t.name()); it != first_class.end()) {
            const bool is_union = b_.type(it->second).kind() == kind::union_;
            if (is_union == t.kind_flag()) {
                names_[id] = names_[it->second];
                continue;
            }
        }
        names_[id] = claim(base_of(t.name()));
    }
    for (std::uint32_t id = 1; id < n; ++id) {
        auto t = b_.type(id);
        if (t.kind() != kind::enum_ && t.kind() != kind::enum64) continue;
        std::vector<std::string> names;
        names.reserve(t.vlen());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            auto base = base_of(t.enumerator_at(i).name);
            if (taken.count(base) != 0 && !names_[id].empty()) base = names_[id] + "__" + base;
            names.push_back(claim(std::move(base)));
        }
        enumerators_.emplace(id, std::move(names));
    }
    layout_state_.assign(n, 0);
    emitted_.assign(n, 0);
    needs_global_.assign(n, 0);
}

inline bool type_emitter::is_unnamed_class(std::uint32_t id) const {
    auto t = b_.type(id);
    return (t.kind() == kind::struct_ || t.kind() == kind::union_) && names_[id].empty();
}

inline std::string type_emitter::type_name_of(std::uint32_t id) const {
    if (!names_[id].empty()) return names_[id];
    return tools::cat("__anon_", id);
}

inline bool type_emitter::in_scope(const std::string& name,
                                   const std::vector<const name_set*>& scopes) const {
    for (const auto* s : scopes)
        if (s->count(name) != 0) return true;
    return false;
}

// ---- layout --------------------------------------------------------------------

inline type_emitter::peeled type_emitter::peel(std::uint32_t id) const {
    peeled p;
    for (std::uint32_t guard = 0; guard <= b_.size(); ++guard) {
        auto t = b_.type(id);
        switch (t.kind()) {
            case kind::const_:
            case kind::volatile_:
            case kind::restrict_:
            case kind::type_tag: id = t.type(); continue;
            case kind::array:
                p.dims.push_back(t.array().nelems);
                id = t.array().elem_type;
                continue;
            default: p.base = id; return p;
        }
    }
    tools::fail(tools::cat("BTF type [", id, "]: a chain of modifiers and arrays does not end"));
}

// Types that must be laid out (for_layout) or emitted before `id`.
inline void type_emitter::deps(std::uint32_t id, std::vector<std::uint32_t>& out, bool for_layout) const {
    auto t = b_.type(id);
    switch (t.kind()) {
        case kind::struct_:
        case kind::union_:
            for (std::uint32_t i = 0; i < t.vlen(); ++i)
                if (auto m = t.member_at(i); m.type != 0) out.push_back(m.type);
            return;
        case kind::typedef_:
        case kind::const_:
        case kind::volatile_:
        case kind::restrict_:
        case kind::type_tag:
        case kind::var: out.push_back(t.type()); return;
        case kind::array: out.push_back(t.array().elem_type); return;
        case kind::datasec:
            for (std::uint32_t i = 0; i < t.vlen(); ++i) out.push_back(t.secinfo_at(i).type);
            return;
        case kind::ptr:
            if (kernel_ && !for_layout) out.push_back(t.type());
            return;
        case kind::func_proto:
            if (kernel_ && !for_layout) {
                out.push_back(t.type());
                for (std::uint32_t i = 0; i < t.vlen(); ++i) out.push_back(t.param_at(i).type);
            }
            return;
        case kind::func:
            if (kernel_ && !for_layout) out.push_back(t.type());
            return;
        default: return;
    }
}

// Lays out every class reachable by value from `root`, members first.
// Iterative: a crafted chain of nested types must not exhaust the stack.
inline void type_emitter::prepare(std::uint32_t root) {
    if (root == 0 || root >= b_.size() || layout_state_[root] == 2) return;
    struct frame {
        std::uint32_t id;
        std::size_t next;
        std::vector<std::uint32_t> edges;
    };
    std::vector<frame> stack;
    auto push = [&](std::uint32_t id) {
        if (id == 0 || layout_state_[id] != 0) return;
        layout_state_[id] = 1;
        frame f{id, 0, {}};
        deps(id, f.edges, true);
        stack.push_back(std::move(f));
    };
    try {
        push(root);
        while (!stack.empty()) {
            auto& f = stack.back();
            if (f.next < f.edges.size()) {
                auto next = f.edges[f.next++];
                if (next >= b_.size())
                    tools::fail(
                        tools::cat("BTF type [", f.id, "] refers to type id ", next, ", out of range"));
                if (layout_state_[next] == 1)
                    tools::fail(tools::cat("BTF type [", next, "] contains itself by value"));
                push(next);
                continue;
            }
            auto id = f.id;
            auto k = b_.type(id).kind();
            if ((k == kind::struct_ || k == kind::union_) && geometries_.count(id) == 0)
                geometries_.emplace(id, compute_geometry(id, false));
            stack.pop_back();
            layout_state_[id] = 2;
        }
    } catch (...) {
        for (const auto& f : stack) layout_state_[f.id] = 0;
        throw;
    }
}

inline const type_emitter::geometry& type_emitter::geometry_of(std::uint32_t id) {
    auto it = geometries_.find(id);
    if (it == geometries_.end()) {
        prepare(id);
        it = geometries_.find(id);
    }
    return it->second;
}

// Size and alignment of a value of this type in the emitted code.
inline bool type_emitter::layout_of(std::uint32_t id, value_layout& out, std::string& why) {
    std::uint64_t mult = 1;
    for (std::uint32_t guard = 0; guard <= b_.size(); ++guard) {
        auto t = b_.type(id);
        std::uint64_t size = 0;
        std::uint32_t align = 1;
        switch (t.kind()) {
            case kind::int_:
                size = t.size();
                if (!detail::btf_emit::valid_int_size(size)) {
                    why = tools::cat("an integer of ", size, " bytes");
                    return false;
                }
                align = static_cast<std::uint32_t>(size);
                break;
            case kind::float_:
                size = t.size();
                if (detail::btf_emit::float_spelling(t.size()).empty()) {
                    why = tools::cat("a floating-point type of ", size, " bytes");
                    return false;
                }
                align = static_cast<std::uint32_t>(size);
                break;
            case kind::enum_:
            case kind::enum64:
                size = t.size();
                if (size != 1 && size != 2 && size != 4 && size != 8) {
                    why = tools::cat("an enum of ", size, " bytes");
                    return false;
                }
                align = static_cast<std::uint32_t>(size);
                break;
            case kind::ptr:
                size = 8;
                align = 8;
                break;
            case kind::array:
                if (__builtin_mul_overflow(mult, std::uint64_t{t.array().nelems}, &mult)) {
                    why = "an array size overflows";
                    return false;
                }
                id = t.array().elem_type;
                continue;
            case kind::typedef_:
            case kind::const_:
            case kind::volatile_:
            case kind::restrict_:
            case kind::type_tag: id = t.type(); continue;
            case kind::struct_:
            case kind::union_: {
                const auto& g = geometry_of(id);
                size = g.size;
                align = g.align;
                break;
            }
            default:
                why = tools::cat("a member of kind ", to_string(t.kind()), " has no size");
                return false;
        }
        if (__builtin_mul_overflow(mult, size, &out.size)) {
            why = "an array size overflows";
            return false;
        }
        out.align = align;
        return true;
    }
    why = "a chain of typedefs does not end";
    return false;
}

inline bool type_emitter::inline_union_candidate(std::uint32_t member_type) {
    auto p = peel(member_type);
    if (!p.dims.empty() || !is_unnamed_class(p.base) || b_.type(p.base).kind() != kind::union_) return false;
    const auto& g = geometry_of(p.base);
    return !g.opaque && (kernel_ || g.size != 0);
}

inline type_emitter::bitfield_info type_emitter::bitfield_of(const member& m, bool kind_flag) const {
    bitfield_info out;
    out.width = m.bitfield_size;
    out.bit = m.bit_offset;
    auto r = b_.type(b_.resolve(m.type));
    if (out.width == 0 && !kind_flag && r.kind() == kind::int_ &&
        (r.int_offset() != 0 || std::uint32_t{r.int_bits()} != r.size() * 8)) {
        out.width = r.int_bits();  // a bitfield before kind_flag (kernel 5.2)
        out.bit += r.int_offset();
    }
    if (out.width == 0) return out;
    if (r.kind() != kind::int_ && r.kind() != kind::enum_ && r.kind() != kind::enum64) {
        out.error = tools::cat("bitfield '", m.name, "' of kind ", to_string(r.kind()));
        return out;
    }
    out.declared = r.size();
    if (!detail::btf_emit::valid_int_size(out.declared) || out.width > std::uint64_t{out.declared} * 8)
        out.error = tools::cat("bitfield '", m.name, "' of ", out.width, " bits in a ", out.declared, "-byte type");
    return out;
}

// Places the members of a struct or union the way the Itanium C++ ABI
// (x86_64, aarch64, and clang's BPF target) will, inserting padding where BTF
// says a member starts later than C++ would put it. `packed` is the second
// attempt, when some member or the size needs less alignment than C++ gives.
inline type_emitter::geometry type_emitter::compute_geometry(std::uint32_t id, bool packed) {
    using detail::btf_emit::item;
    const auto t = b_.type(id);
    const bool is_union = t.kind() == kind::union_;
    const std::uint64_t n = t.size();
    geometry g;
    g.size = n;
    g.packed = packed;
    auto opaque = [&](std::string why) {
        geometry o;
        o.size = n;
        o.opaque = true;
        o.why = std::move(why);
        if (n != 0) o.items.push_back({item_kind::pad_bytes, 0, 0, n, 0, false});
        return o;
    };
    std::uint64_t c = 0;       // end of the laid-out bits (struct)
    std::uint64_t widest = 0;  // largest member in bytes (union)
    std::uint32_t align = 1;
    bool need_pack = false;

    auto pad_to = [&](std::uint64_t target) { pad_bits_to(g, c, target); };

    for (std::uint32_t i = 0; i < t.vlen() && !need_pack; ++i) {
        const auto m = t.member_at(i);
        if (m.type == 0) {
            // clang++'s methods and static members (unsanitized BTF): no space.
            g.items.push_back({item_kind::zero_size, i, m.bit_offset, 0, 0, false});
            continue;
        }
        auto bf = bitfield_of(m, t.kind_flag());
        if (!bf.error.empty()) return opaque(std::move(bf.error));
        const std::uint64_t width = bf.width;
        const std::uint64_t bit = bf.bit;
        const std::uint32_t declared = bf.declared;  // size of a bitfield's declared type
        if (width != 0) {
            item it{item_kind::bitfield, i, bit, width, 0, false};
            const bool named = !m.name.empty();
            const auto r = b_.type(b_.resolve(m.type));
            const bool is_bool = r.kind() == kind::int_ && detail::btf_emit::int_spelling(r) == "bool";
            if (is_bool && width > 1) it.widen = 1;
            if (is_union) {
                if (bit != 0) return opaque(tools::cat("union member '", m.name, "' at bit ", bit));
                widest = std::max<std::uint64_t>(widest, (width + 7) / 8);
                if (named && !packed) align = std::max(align, declared);
                g.items.push_back(it);
                continue;
            }
            if (bit < c) return opaque(tools::cat("member '", m.name, "' overlaps the one before it"));
            const std::uint64_t unit = std::uint64_t{declared} * 8;
            if (!packed && bit / unit != (bit + width - 1) / unit) {
                need_pack = true;
                break;
            }
            if (packed && declared == 1 && bit / 8 != (bit + width - 1) / 8) it.widen = 2;
            pad_to(bit);
            g.items.push_back(it);
            c = bit + width;
            if (named && !packed) align = std::max(align, declared);
            continue;
        }
        value_layout l;
        std::string why;
        if (!layout_of(m.type, l, why)) return opaque(tools::cat("member '", m.name, "': ", why));
        if (l.size == 0 && !kernel_) {
            g.items.push_back({item_kind::zero_size, i, bit, 0, 0, false});
            continue;
        }
        const std::uint32_t a = packed ? 1 : l.align;
        item it{item_kind::member, i, bit, 0, 0, m.name.empty() && inline_union_candidate(m.type)};
        if (is_union) {
            if (bit != 0) return opaque(tools::cat("union member '", m.name, "' at bit ", bit));
            widest = std::max(widest, l.size);
            align = std::max(align, a);
            g.items.push_back(it);
            continue;
        }
        if (bit % 8 != 0) return opaque(tools::cat("member '", m.name, "' at bit ", bit, ", inside a byte"));
        const std::uint64_t off = bit / 8;
        const std::uint64_t cb = (c + 7) / 8;
        if (off < cb) return opaque(tools::cat("member '", m.name, "' overlaps the one before it"));
        if (off % a != 0) {
            need_pack = true;
            break;
        }
        if ((cb + a - 1) / a * a != off) {
            c = cb * 8;
            g.items.push_back({item_kind::pad_bytes, 0, c, off - cb, 0, false});
        }
        g.items.push_back(it);
        c = (off + l.size) * 8;
        align = std::max(align, a);
    }
    if (!need_pack && n % align != 0) need_pack = true;
    if (need_pack) {
        if (packed) return opaque("no packing reproduces it");
        return compute_geometry(id, true);
    }
    if (auto why = finish_geometry(g, is_union, c, widest, align); !why.empty()) return opaque(std::move(why));
    return g;
}

// Appends padding from bit `c` to bit `target`: bits up to a byte, whole
// bytes, then bits.
inline void type_emitter::pad_bits_to(geometry& g, std::uint64_t& c, std::uint64_t target) {
    if (target <= c) return;
    if (c % 8 != 0) {
        std::uint64_t room = 8 - c % 8;
        if (target - c <= room) {
            g.items.push_back({item_kind::pad_bits, 0, c, target - c, 0, false});
            c = target;
            return;
        }
        g.items.push_back({item_kind::pad_bits, 0, c, room, 0, false});
        c += room;
    }
    if (auto bytes = (target - c) / 8; bytes != 0) {
        g.items.push_back({item_kind::pad_bytes, 0, c, bytes, 0, false});
        c += bytes * 8;
    }
    if (target > c) {
        g.items.push_back({item_kind::pad_bits, 0, c, target - c, 0, false});
        c = target;
    }
}

// The tail padding that makes the size BTF's; an error text when the
// members cannot fit in it.
inline std::string type_emitter::finish_geometry(geometry& g, bool is_union, std::uint64_t c, std::uint64_t widest,
                                                 std::uint32_t align) {
    const std::uint64_t n = g.size;
    if (is_union) {
        if (widest > n) return tools::cat("a member is larger than the union (", n, " bytes)");
        if ((widest + align - 1) / align * align != n) g.items.push_back({item_kind::pad_bytes, 0, 0, n, 0, false});
    } else {
        const std::uint64_t dsize = (c + 7) / 8;
        if (dsize > n) return tools::cat("members end at byte ", dsize, ", past the size ", n);
        if ((dsize + align - 1) / align * align != n)
            g.items.push_back({item_kind::pad_bytes, 0, dsize * 8, n - dsize, 0, false});
    }
    g.align = align;
    return {};
}

// ---- spelling ------------------------------------------------------------------

inline std::string type_emitter::enum_underlying(const type_view& t) const {
    return detail::btf_emit::canonical_int(t.size(), t.kind_flag());
}

// The type specifier for `id` in user-side code: typedefs by name, unless a
// member of an enclosing class has that name (then their target), tags
// elaborated when hidden, pointers as ::bpfxx::u64.
inline std::string type_emitter::spell_base(std::uint32_t id, const std::vector<const name_set*>& scopes) {
    for (std::uint32_t guard = 0; guard <= b_.size(); ++guard) {
        auto t = b_.type(id);
        switch (t.kind()) {
            case kind::unknown: return "void";
            case kind::int_: return detail::btf_emit::int_spelling(t);
            case kind::float_: {
                auto s = detail::btf_emit::float_spelling(t.size());
                if (s.empty())
                    tools::fail(tools::cat("BTF type [", id, "] FLOAT of ", t.size(), " bytes"));
                return s;
            }
            case kind::ptr: return "::bpfxx::u64";
            case kind::typedef_:
                if (elided_[id] != 0 || in_scope(names_[id], scopes)) {
                    id = t.type();
                    continue;
                }
                return names_[id];
            case kind::const_:
            case kind::volatile_:
            case kind::restrict_:
            case kind::type_tag: id = t.type(); continue;
            case kind::enum_:
            case kind::enum64:
                if (names_[id].empty()) return enum_underlying(t);
                return in_scope(names_[id], scopes) ? "enum " + names_[id] : names_[id];
            case kind::struct_:
            case kind::union_: {
                auto name = type_name_of(id);
                if (!in_scope(name, scopes)) return name;
                return (t.kind() == kind::union_ ? "union " : "struct ") + name;
            }
            case kind::fwd: {
                auto name = names_[id].empty() ? tools::cat("__anon_", id) : names_[id];
                if (!in_scope(name, scopes)) return name;
                return (t.kind_flag() ? "union " : "struct ") + name;
            }
            default:
                tools::fail(tools::cat("BTF type [", id, "] ", to_string(t.kind()),
                                          " cannot be the type of a C++ value"));
        }
    }
    tools::fail(tools::cat("BTF type [", id, "]: a chain of typedefs does not end"));
}

// Kernel side: a full C declarator around `decl`, like format.hpp's, with the
// emitted names.
inline std::string type_emitter::spell_kernel(std::uint32_t id, std::string decl,
                                              const std::vector<const name_set*>& scopes, int depth) {
    if (depth > 256) tools::fail(tools::cat("BTF type [", id, "]: declarator nested too deeply"));
    auto join = [](std::string left, const std::string& d) {
        if (!d.empty() && d.front() != '[' && !(d.front() == '(' && d.size() > 1 && d[1] != '*'))
            left.push_back(' ');
        return left + d;
    };
    auto t = b_.type(id);
    switch (t.kind()) {
        case kind::ptr: {
            auto target = b_.type(t.type()).kind();
            if (target == kind::array || target == kind::func_proto)
                return spell_kernel(t.type(), "(*" + decl + ")", scopes, depth + 1);
            return spell_kernel(t.type(), "*" + decl, scopes, depth + 1);
        }
        case kind::array:
            if (!decl.empty() && decl.front() == '*') decl = "(" + decl + ")";
            return spell_kernel(t.array().elem_type, tools::cat(decl, "[", t.array().nelems, "]"),
                                scopes, depth + 1);
        case kind::func_proto: {
            if (!decl.empty() && decl.front() == '*') decl = "(" + decl + ")";
            std::string params = "(";
            for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                auto p = t.param_at(i);
                if (i != 0) params += ", ";
                if (p.type == 0 && i + 1 == t.vlen()) {
                    params += "...";
                    continue;
                }
                params += spell_kernel(p.type, std::string(), scopes, depth + 1);
            }
            if (t.vlen() == 0) params += "void";
            params += ")";
            return spell_kernel(t.type(), decl + params, scopes, depth + 1);
        }
        case kind::const_:
        case kind::volatile_:
        case kind::restrict_: {
            const char* q = t.kind() == kind::const_      ? "const"
                            : t.kind() == kind::volatile_ ? "volatile"
                                                          : "__restrict";
            auto target = b_.type(t.type()).kind();
            if (target == kind::ptr)
                return spell_kernel(t.type(), std::string(" ") + q + (decl.empty() ? "" : " ") + decl, scopes,
                                    depth + 1);
            if (target == kind::array || target == kind::func_proto)
                return spell_kernel(t.type(), std::move(decl), scopes, depth + 1);
            return std::string(q) + " " + spell_kernel(t.type(), std::move(decl), scopes, depth + 1);
        }
        case kind::type_tag: return spell_kernel(t.type(), std::move(decl), scopes, depth + 1);
        case kind::typedef_:
            if (elided_[id] != 0 || in_scope(names_[id], scopes))
                return spell_kernel(t.type(), std::move(decl), scopes, depth + 1);
            return join(names_[id], decl);
        default: break;
    }
    if (t.kind() == kind::unknown) return join("void", decl);
    if (t.kind() == kind::fwd || t.kind() == kind::struct_ || t.kind() == kind::union_ ||
        t.kind() == kind::enum_ || t.kind() == kind::enum64 || t.kind() == kind::int_ ||
        t.kind() == kind::float_)
        return join(spell_base(id, scopes), decl);
    tools::fail(
        tools::cat("BTF type [", id, "] ", to_string(t.kind()), " cannot be spelled as a C++ type"));
}

inline type_emitter::spelling type_emitter::spell(std::uint32_t id,
                                                  const std::vector<const name_set*>& scopes) {
    spelling s;
    if (kernel_) {
        s.left = spell_kernel(id, std::string(), scopes, 0);
        return s;
    }
    auto p = peel(id);
    // Dimensions are appended with cat, never "[" + std::to_string(d) + "]":
    // GCC 12 at -O3 warns -Wrestrict on literal + string&&, falsely (GCC bug
    // 105329).
    for (auto d : p.dims) s.right += tools::cat("[", d, "]");
    s.left = spell_base(p.base, scopes);
    // A pointer, or a typedef of one, keeps its C meaning in a comment.
    auto r = p.base;
    for (std::uint32_t guard = 0; guard <= b_.size(); ++guard) {
        auto t = b_.type(r);
        if (t.kind() == kind::ptr) {
            s.note = bpfxx::btf::cxx_type_name(b_, r);
            break;
        }
        if (t.kind() != kind::typedef_ && t.kind() != kind::const_ && t.kind() != kind::volatile_ &&
            t.kind() != kind::restrict_ && t.kind() != kind::type_tag)
            break;
        if (t.kind() == kind::typedef_ && s.left == names_[r]) break;  // the typedef says it
        r = t.type();
    }
    return s;
}

inline std::string type_emitter::bitfield_type(const item& it, std::uint32_t member_type,
                                               const std::vector<const name_set*>& scopes) {
    auto r = b_.type(b_.resolve(member_type));
    const bool is_signed =
        r.kind() == kind::int_ ? (r.int_encoding() & bpfxx::btf::int_signed) != 0 : r.kind_flag();
    if (it.widen != 0) return detail::btf_emit::canonical_int(it.widen, is_signed && it.widen != 1);
    if (r.kind() != kind::int_) return enum_underlying(r);
    // Qualifiers are dropped on both sides: a const bitfield helps no one.
    std::uint32_t id = member_type;
    for (;;) {
        auto t = b_.type(id);
        if (t.kind() == kind::const_ || t.kind() == kind::volatile_ || t.kind() == kind::restrict_ ||
            t.kind() == kind::type_tag) {
            id = t.type();
            continue;
        }
        break;
    }
    return spell_base(id, scopes);
}

inline std::string type_emitter::member_comment(std::uint32_t type_id, std::string_view name) const {
    detail::btf_format::context c{b_};
    return detail::btf_emit::comment_text(
        detail::btf_format::spell(c, type_id, detail::btf_format::clip(name), 0));
}

// ---- writing -------------------------------------------------------------------

inline std::string type_emitter::indent(int depth) const {
    std::string s;
    for (int i = 0; i < depth; ++i) s += indent_;
    return s;
}

inline std::string type_emitter::generated(writer& w, std::string_view prefix, const name_set& scope) {
    for (;;) {
        auto name = tools::cat(prefix, w.counter++);
        if (scope.count(name) == 0 && !in_scope(name, w.scopes)) return name;
    }
}

inline void type_emitter::plan_inline_union(std::uint32_t union_id, field_names& f, name_set& scope) {
    const auto& g = geometry_of(union_id);
    auto u = b_.type(union_id);
    f.inner.assign(g.items.size(), field_names{});
    std::vector<std::string> names;
    for (std::size_t k = 0; k < g.items.size(); ++k) {
        const auto& it = g.items[k];
        if (it.what != item_kind::member && it.what != item_kind::bitfield) continue;
        auto m = u.member_at(it.index);
        if (m.name.empty()) continue;  // hoisted: __anon_N, generated later
        f.inner[k].name = bpfxx::btf::cxx_identifier(m.name);
        names.push_back(f.inner[k].name);
    }
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    bool ok = std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
    for (const auto& n : names) ok = ok && scope.count(n) == 0;
    if (!ok) {
        f.inner.clear();
        return;
    }
    f.inline_union = true;
    for (auto& n : names) scope.insert(n);
}

inline type_emitter::class_plan type_emitter::plan_class(std::uint32_t id, const geometry& g,
                                                         const std::string& class_name) {
    class_plan p;
    p.fields.assign(g.items.size(), field_names{});
    if (g.opaque) return p;
    auto t = b_.type(id);
    // A direct member may be named like its class (the class has no
    // constructor), a member of an anonymous union may not.
    bool named_like_class = false;
    for (std::size_t k = 0; k < g.items.size(); ++k) {
        const auto& it = g.items[k];
        if (it.what != item_kind::member && it.what != item_kind::bitfield) continue;
        auto m = t.member_at(it.index);
        if (!m.name.empty() && bpfxx::btf::cxx_identifier(m.name) == class_name)
            named_like_class = true;
    }
    p.scope.insert(class_name);
    for (std::size_t k = 0; k < g.items.size(); ++k) {
        const auto& it = g.items[k];
        if (it.what != item_kind::member && it.what != item_kind::bitfield) continue;
        auto m = t.member_at(it.index);
        if (m.name.empty()) {
            if (it.inline_union) plan_inline_union(peel(m.type).base, p.fields[k], p.scope);
            continue;
        }
        auto base = bpfxx::btf::cxx_identifier(m.name);
        auto name = base;
        if (name == class_name && !p.fields.empty()) {
            // first member of that name keeps it
            bool taken = false;
            for (std::size_t j = 0; j < k; ++j) taken = taken || p.fields[j].name == class_name;
            if (!taken) {
                p.fields[k].name = name;
                continue;
            }
        }
        for (unsigned n = 1; p.scope.count(name) != 0; ++n) name = tools::cat(base, "___", n);
        p.scope.insert(name);
        p.fields[k].name = name;
    }
    if (!named_like_class) p.scope.erase(class_name);
    return p;
}

// Writes the items of a class (or of an inline anonymous union) at `depth`.
// `offsets` collects (member, byte offset from the class start) for the
// layout checks.
inline void type_emitter::write_items(writer& w, std::uint32_t id, const geometry& g,
                                      const std::vector<field_names>& names, class_plan& plan,
                                      const std::string& qualified, int depth, std::uint64_t base_offset,
                                      std::vector<std::pair<std::string, std::uint64_t>>& offsets) {
    auto t = b_.type(id);
    const auto ind = indent(depth);
    if (g.opaque) {
        w.out += ind + "// layout not expressible in C++: " + detail::btf_emit::comment_text(g.why) + "\n";
        if (g.size != 0) w.out += ind + tools::cat("unsigned char __raw[", g.size, "];\n");
        return;
    }
    for (std::size_t k = 0; k < g.items.size(); ++k) {
        const auto& it = g.items[k];
        switch (it.what) {
            case item_kind::pad_bytes: {
                auto name = generated(w, "__pad_", plan.scope);
                plan.scope.insert(name);
                w.out += ind + tools::cat("unsigned char ", name, "[", it.count, "];\n");
                continue;
            }
            case item_kind::pad_bits:
                w.out += ind + tools::cat("unsigned char : ", it.count, ";\n");
                continue;
            case item_kind::zero_size: {
                auto m = t.member_at(it.index);
                if (m.type == 0) {
                    w.out += ind + "// " + detail::btf_emit::comment_text(m.name) +
                             ": a member of type 0 (a C++ method or static member)\n";
                } else {
                    w.out += ind + "// " + member_comment(m.type, m.name) +
                             tools::cat("; (size 0 in C, at byte ", it.bit_offset / 8, ")\n");
                }
                continue;
            }
            case item_kind::bitfield: {
                auto m = t.member_at(it.index);
                w.out += ind + bitfield_type(it, m.type, w.scopes);
                if (!m.name.empty()) w.out += " " + names[k].name;
                w.out += tools::cat(" : ", it.count, ";\n");
                continue;
            }
            case item_kind::member: break;
        }
        auto m = t.member_at(it.index);
        const std::uint64_t off = base_offset + it.bit_offset / 8;
        const auto& f = names[k];
        auto p = peel(m.type);
        if (f.inline_union) {
            // Unnamed members and nested types are not allowed inside an
            // anonymous union: define those types here first.
            const auto uid = p.base;
            const auto& ug = geometry_of(uid);
            auto u = b_.type(uid);
            std::vector<std::string> hoisted(ug.items.size());
            for (std::size_t j = 0; j < ug.items.size(); ++j) {
                const auto& ui = ug.items[j];
                if (ui.what != item_kind::member) continue;
                auto up = peel(u.member_at(ui.index).type);
                if (!is_unnamed_class(up.base)) continue;
                const bool un = b_.type(up.base).kind() == kind::union_;
                hoisted[j] = generated(w, un ? "__anon_union_" : "__anon_struct_", plan.scope);
                plan.scope.insert(hoisted[j]);
                write_class(w, up.base, hoisted[j], qualified + "::" + hoisted[j], depth, std::string());
            }
            w.out += ind + "union {\n";
            const auto ind2 = indent(depth + 1);
            for (std::size_t j = 0; j < ug.items.size(); ++j) {
                const auto& ui = ug.items[j];
                if (ui.what == item_kind::pad_bytes) {
                    auto name = generated(w, "__pad_", plan.scope);
                    plan.scope.insert(name);
                    w.out += ind2 + tools::cat("unsigned char ", name, "[", ui.count, "];\n");
                    continue;
                }
                auto um = u.member_at(ui.index);
                if (ui.what == item_kind::zero_size) {
                    w.out += ind2 + "// " + member_comment(um.type, um.name) + "; (size 0 in C)\n";
                    continue;
                }
                if (ui.what == item_kind::bitfield) {
                    w.out += ind2 + bitfield_type(ui, um.type, w.scopes);
                    if (!um.name.empty()) w.out += " " + f.inner[j].name;
                    w.out += tools::cat(" : ", ui.count, ";\n");
                    continue;
                }
                std::string name = f.inner[j].name;
                if (name.empty()) {
                    name = generated(w, "__anon_", plan.scope);
                    plan.scope.insert(name);
                }
                auto up = peel(um.type);
                if (!hoisted[j].empty()) {
                    std::string dims;
                    for (auto d : up.dims) dims += tools::cat("[", d, "]");
                    w.out += ind2 + hoisted[j] + " " + name + dims + ";\n";
                } else {
                    auto s = spell(um.type, w.scopes);
                    w.out += ind2 + s.left + " " + name + s.right + ";";
                    if (!s.note.empty()) w.out += "  // " + detail::btf_emit::comment_text(s.note);
                    w.out += "\n";
                }
                offsets.emplace_back(name, off);
            }
            w.out += ind + "};\n";
            continue;
        }
        std::string name = f.name;
        if (name.empty()) {
            name = generated(w, "__anon_", plan.scope);
            plan.scope.insert(name);
        }
        offsets.emplace_back(name, off);
        if (is_unnamed_class(p.base)) {
            std::string dims;
            for (auto d : p.dims) dims += tools::cat("[", d, "]");
            const bool un = b_.type(p.base).kind() == kind::union_;
            auto nested = generated(w, un ? "__anon_union_" : "__anon_struct_", plan.scope);
            plan.scope.insert(nested);
            write_class(w, p.base, nested, qualified + "::" + nested, depth, " " + name + dims);
            continue;
        }
        auto s = spell(m.type, w.scopes);
        w.out += ind + s.left + " " + name + s.right + ";";
        if (!s.note.empty()) w.out += "  // " + detail::btf_emit::comment_text(s.note);
        w.out += "\n";
    }
}

// `struct name { ... }<trailing_declarator>;` with its layout checks added to
// w.asserts.
inline void type_emitter::write_class(writer& w, std::uint32_t id, const std::string& name,
                                      const std::string& qualified, int depth,
                                      const std::string& trailing_declarator) {
    if (depth > detail::btf_emit::max_nesting)
        tools::fail(tools::cat("BTF type [", id, "]: unnamed types nested deeper than ",
                                  detail::btf_emit::max_nesting));
    const auto& g = geometry_of(id);
    auto t = b_.type(id);
    auto plan = plan_class(id, g, name);
    const auto ind = indent(depth);
    w.out += ind + (t.kind() == kind::union_ ? "union " : "struct ");
    if (g.packed) w.out += "[[gnu::packed]] ";
    w.out += name + " {\n";
    if (g.size == 0) w.out += indent(depth + 1) + "// size 0 in C; every C++ object has at least 1 byte\n";
    w.scopes.push_back(&plan.scope);
    std::vector<std::pair<std::string, std::uint64_t>> offsets;
    write_items(w, id, g, plan.fields, plan, qualified, depth + 1, 0, offsets);
    w.scopes.pop_back();
    w.out += ind + "}" + trailing_declarator + ";\n";
    if (g.size != 0) w.asserts += tools::cat("static_assert(sizeof(", qualified, ") == ", g.size, ");\n");
    for (const auto& [member, off] : offsets)
        w.asserts += tools::cat("static_assert(offsetof(", qualified, ", ", member, ") == ", off, ");\n");
}

inline void type_emitter::write_enum(std::string& out, std::uint32_t id) {
    auto t = b_.type(id);
    const auto& names = enumerators_.at(id);
    const bool is_signed = t.kind_flag();
    const auto size = t.size();
    out += "enum ";
    if (!names_[id].empty()) out += names_[id] + " ";
    out += ": " + detail::btf_emit::canonical_int(size == 1 || size == 2 || size == 8 ? size : 4, is_signed) +
           " {";
    if (t.vlen() == 0) {
        out += "};\n";
        return;
    }
    out += "\n";
    const unsigned bits = size == 1 || size == 2 || size == 8 ? size * 8 : 32;
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        auto e = t.enumerator_at(i);
        std::uint64_t v = e.value;
        if (bits < 64) v &= (std::uint64_t{1} << bits) - 1;
        out += indent_ + names[i] + " = ";
        if (is_signed) {
            // Sign-extend from the enum's width.
            std::int64_t s = bits < 64 && (v >> (bits - 1)) != 0
                                 ? static_cast<std::int64_t>(v - (std::uint64_t{1} << bits))
                                 : static_cast<std::int64_t>(v);
            if (s == INT64_MIN)
                out += "-9223372036854775807ll - 1";
            else
                out += std::to_string(s) + (bits == 64 ? "ll" : "");
        } else {
            out += std::to_string(v) + (bits == 64 ? "ull" : "u");
        }
        out += ",\n";
    }
    out += "};\n";
}

// A blank line before a definition that follows a one-line declaration.
inline void separate(std::string& out) {
    if (!out.empty() && !out.ends_with("\n\n")) out += "\n";
}

// One type at namespace scope, user side.
inline void type_emitter::write_top(std::string& out, std::uint32_t id) {
    auto t = b_.type(id);
    switch (t.kind()) {
        case kind::struct_:
        case kind::union_: {
            std::string asserts;
            writer w{out, asserts, 1, {}};
            const auto name = type_name_of(id);
            separate(out);
            write_class(w, id, name, name, 0, std::string());
            out += asserts;
            out += "\n";
            return;
        }
        case kind::enum_:
        case kind::enum64:
            separate(out);
            write_enum(out, id);
            out += "\n";
            return;
        case kind::typedef_: {
            if (elided_[id] != 0) return;
            // Typedefs of functions are only reached through pointers, which
            // user space does not follow.
            auto r = b_.type(b_.resolve(t.type()));
            if (r.kind() == kind::func_proto) {
                out += "// typedef " + member_comment(t.type(), t.name()) + "; (a function type)\n";
                return;
            }
            auto s = spell(t.type(), {});
            out += "using " + names_[id] + " = " + s.left + s.right + ";";
            if (!s.note.empty()) out += "  // " + detail::btf_emit::comment_text(s.note);
            out += "\n";
            return;
        }
        case kind::fwd: out += (t.kind_flag() ? "union " : "struct ") + type_name_of(id) + ";\n"; return;
        default: return;
    }
}

inline void type_emitter::expand_root(std::uint32_t id, std::vector<std::uint32_t>& out, int depth) {
    auto t = b_.type(id);
    if (t.kind() == kind::datasec) {
        // Only VARs belong in a DATASEC; the parser does not check that.
        for (std::uint32_t i = 0; i < t.vlen(); ++i)
            if (auto v = t.secinfo_at(i).type; b_.type(v).kind() == kind::var) expand_root(v, out, depth);
        return;
    }
    out.push_back(id);
    if (depth > 0) return;
    for (std::uint32_t guard = 0; guard <= b_.size(); ++guard) {
        t = b_.type(id);
        switch (t.kind()) {
            case kind::var:
            case kind::typedef_:
            case kind::const_:
            case kind::volatile_:
            case kind::restrict_:
            case kind::type_tag: id = t.type(); continue;
            case kind::ptr:
                if (t.type() != 0) expand_root(t.type(), out, depth + 1);
                return;
            default: return;
        }
    }
}

inline std::string type_emitter::types(std::span<const std::uint32_t> roots) {
    for (auto r : roots)
        if (r >= b_.size())
            tools::fail(
                tools::cat("emit_types: root type id ", r, " is out of range (", b_.size(), " ids)"));
    // A pointer root, or a VAR or DATASEC variable of pointer type (a
    // BPFXX_RECORD_TYPE variable in .bpfxx.records), stands for its pointee.
    std::vector<std::uint32_t> expanded;
    for (auto r : roots) expand_root(r, expanded, 0);
    roots = expanded;
    if (kernel_) return emit_kernel(roots);
    std::string out;
    std::fill(emitted_.begin(), emitted_.end(), 0);
    for (auto r : roots) prepare(r);
    // Depth-first, definitions after what they contain. Unnamed classes are
    // written inside the class holding them, so the walk goes through them
    // without emitting them, unless a root or a typedef needs them by name.
    struct frame {
        std::uint32_t id;
        std::size_t next;
        std::vector<std::uint32_t> edges;
    };
    std::vector<frame> stack;
    std::vector<std::uint8_t> on_path(b_.size(), 0);
    auto push = [&](std::uint32_t id) {
        if (id == 0 || emitted_[id] != 0 || on_path[id] != 0) return;
        on_path[id] = 1;
        frame f{id, 0, {}};
        deps(id, f.edges, false);
        stack.push_back(std::move(f));
    };
    auto global_anon = [&](std::uint32_t from) {
        auto p = peel(from);
        if (is_unnamed_class(p.base) && emitted_[p.base] != 2) {
            write_top(out, p.base);
            emitted_[p.base] = 2;
        }
    };
    for (auto root : roots) {
        push(root);
        while (!stack.empty()) {
            auto& f = stack.back();
            if (f.next < f.edges.size()) {
                push(f.edges[f.next++]);
                continue;
            }
            auto id = f.id;
            stack.pop_back();
            on_path[id] = 0;
            emitted_[id] = 1;
            auto t = b_.type(id);
            switch (t.kind()) {
                case kind::struct_:
                case kind::union_:
                    if (!names_[id].empty()) {
                        write_top(out, id);
                        emitted_[id] = 2;
                    }
                    break;
                case kind::enum_:
                case kind::enum64: write_top(out, id); break;
                case kind::typedef_:
                    if (elided_[id] == 0) global_anon(t.type());
                    write_top(out, id);
                    break;
                case kind::var: global_anon(t.type()); break;
                case kind::fwd:
                    // Reached through a typedef: `using foo_t = foo;`.
                    if (emitted_[id] != 2) {
                        write_top(out, id);
                        emitted_[id] = 2;
                    }
                    break;
                default: break;
            }
        }
        auto rk = b_.type(root).kind();
        if (rk == kind::struct_ || rk == kind::union_ || rk == kind::array || rk == kind::const_ ||
            rk == kind::volatile_)
            global_anon(root);
    }
    return out;
}

// ---- kernel side -----------------------------------------------------------------

// Every member name in a class and in the unnamed classes written inside it:
// a type spelled anywhere in that tree must not be hidden by one of them.
inline void type_emitter::kernel_scope(std::uint32_t id, name_set& scope, int depth) {
    if (depth > detail::btf_emit::max_nesting) return;
    auto t = b_.type(id);
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        auto m = t.member_at(i);
        if (!m.name.empty()) scope.insert(bpfxx::btf::cxx_identifier(m.name));
        if (m.type == 0) continue;
        auto p = peel(m.type);
        if (is_unnamed_class(p.base)) kernel_scope(p.base, scope, depth + 1);
    }
}

// A struct or union as C writes it: unnamed ones inline, their members
// reachable as C reaches them. Offsets of members reachable by name from the
// outermost class (`qualified`) go to `asserts` while `inject` holds.
// Names an unnamed member would inject into its class, through unnamed
// members of its own; false when they repeat.
inline bool type_emitter::injected_names(std::uint32_t id, std::vector<std::string>& out, int depth) {
    if (depth > detail::btf_emit::max_nesting) return false;
    auto t = b_.type(id);
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        auto m = t.member_at(i);
        if (m.type == 0) continue;
        if (!m.name.empty()) {
            out.push_back(bpfxx::btf::cxx_identifier(m.name));
            continue;
        }
        auto p = peel(m.type);
        if (is_unnamed_class(p.base) && p.dims.empty() && !injected_names(p.base, out, depth + 1))
            return false;
    }
    return true;
}

// `designator` leads from the outermost class to this one's members ("" or
// "a.b[0].").
inline void type_emitter::write_kernel_class(kernel_writer& w, std::uint32_t id, const std::string& name,
                                             int depth, const std::string& declarator,
                                             std::uint64_t base_offset, bool inject, name_set* level,
                                             const std::string& designator) {
    if (depth > detail::btf_emit::max_nesting)
        tools::fail(tools::cat("BTF type [", id, "]: unnamed types nested deeper than ",
                                  detail::btf_emit::max_nesting));
    const auto& g = geometry_of(id);
    auto t = b_.type(id);
    const auto ind = indent(depth);
    const auto ind2 = indent(depth + 1);
    w.out += ind + (t.kind() == kind::union_ ? "union " : "struct ");
    if (g.packed) w.out += "[[gnu::packed]] ";
    if (!name.empty()) w.out += name + " ";
    w.out += "{\n";
    auto fresh = [&](std::string_view prefix) {
        for (;;) {
            auto n = tools::cat(prefix, w.counter++);
            if (w.scope.count(n) == 0) return n;
        }
    };
    auto pad_name = [&] { return fresh("__pad_"); };
    if (g.opaque) {
        w.out += ind2 + "// layout not expressible in C++: " + detail::btf_emit::comment_text(g.why) + "\n";
        // [0] for size 0 keeps it 0 bytes, as below.
        w.out += ind2 + tools::cat("unsigned char ", pad_name(), "[", g.size, "];\n");
        w.out += ind + "}" + declarator + ";\n";
        if (layout_ != nullptr) layout_->back().unchecked += t.vlen();
        return;
    }
    // The names this class declares in the scope members are looked up in:
    // its own, or (written inline) its enclosing class's.
    name_set own;
    // Written inline, this class's unnamed members were checked with it.
    const bool checked = level != nullptr;
    if (level == nullptr) {
        level = &own;
        for (std::uint32_t i = 0; i < t.vlen(); ++i)
            if (auto m = t.member_at(i); !m.name.empty() && m.type != 0)
                own.insert(bpfxx::btf::cxx_identifier(m.name));
    }
    bool any = false;
    for (const auto& it : g.items) {
        switch (it.what) {
            case item_kind::pad_bytes:
                w.out += ind2 + tools::cat("unsigned char ", pad_name(), "[", it.count, "];\n");
                any = true;
                continue;
            case item_kind::pad_bits:
                w.out += ind2 + tools::cat("unsigned char : ", it.count, ";\n");
                continue;
            case item_kind::zero_size: {
                auto m = t.member_at(it.index);
                w.out += ind2 + "// " + detail::btf_emit::comment_text(m.name) +
                         ": a member of type 0 (a C++ method or static member)\n";
                continue;
            }
            case item_kind::bitfield: {
                auto m = t.member_at(it.index);
                const auto type = bitfield_type(it, m.type, w.scopes);
                w.out += ind2 + type;
                if (!m.name.empty()) w.out += " " + bpfxx::btf::cxx_identifier(m.name);
                w.out += tools::cat(" : ", it.count, ";\n");
                any = true;
                if (layout_ != nullptr && m.name.empty()) ++layout_->back().unchecked;
                if (layout_ != nullptr && !m.name.empty())
                    layout_->back().members.push_back({designator + bpfxx::btf::cxx_identifier(m.name),
                                                       base_offset * 8 + it.bit_offset, 0,
                                                       static_cast<std::uint32_t>(it.count), type == "bool",
                                                       !w.through_const});
                continue;
            }
            case item_kind::member: break;
        }
        any = true;
        auto m = t.member_at(it.index);
        auto p = peel(m.type);
        std::string mname = m.name.empty() ? std::string() : bpfxx::btf::cxx_identifier(m.name);
        const std::uint64_t off = base_offset + it.bit_offset / 8;
        // An unnamed member whose names would clash (BTF that is not valid
        // C) gets a name instead of being injected.
        bool inlined = false;
        if (mname.empty() && is_unnamed_class(p.base) && p.dims.empty() && checked) {
            inlined = true;
        } else if (mname.empty() && is_unnamed_class(p.base) && p.dims.empty()) {
            std::vector<std::string> names;
            bool ok = injected_names(p.base, names, 0);
            std::vector<std::string> sorted = names;
            std::sort(sorted.begin(), sorted.end());
            ok = ok && std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
            for (const auto& n : names) ok = ok && level->count(n) == 0;
            if (ok) {
                inlined = true;
                level->insert(names.begin(), names.end());
            } else {
                mname = fresh("__anon_");
            }
        } else if (mname.empty()) {
            mname = fresh("__anon_");
        }
        if (inject && !mname.empty())
            w.asserts += tools::cat("static_assert(__builtin_offsetof(", w.qualified, ", ", mname,
                                     ") == ", off, ");\n");
        if (layout_ != nullptr && !mname.empty()) {
            value_layout l;
            std::string why;
            if (layout_of(m.type, l, why))
                layout_->back().members.push_back({designator + mname, off * 8, l.size, 0, false});
            else
                ++layout_->back().unchecked;
        }
        if (is_unnamed_class(p.base)) {
            // Qualifiers and array bounds around an unnamed class.
            std::string decl = mname;
            std::string inner = designator;
            if (!mname.empty()) {
                inner += mname;
                for (std::size_t d = 0; d < p.dims.size(); ++d) inner += "[0]";
                inner += ".";
            }
            for (auto d : p.dims) decl += tools::cat("[", d, "]");
            std::string quals;
            for (std::uint32_t q = m.type; q != p.base;) {
                auto qt = b_.type(q);
                if (qt.kind() == kind::const_) quals += "const ";
                if (qt.kind() == kind::volatile_) quals += "volatile ";
                q = qt.kind() == kind::array ? qt.array().elem_type : qt.type();
            }
            const auto at = w.out.size();
            const bool through_const = w.through_const;
            w.through_const = through_const || quals.find("const") != std::string::npos;
            write_kernel_class(w, p.base, std::string(), depth + 1, decl.empty() ? "" : " " + decl, off,
                               inject && inlined, inlined ? level : nullptr, inner);
            w.through_const = through_const;
            if (!quals.empty()) w.out.insert(at + ind2.size(), quals);
            continue;
        }
        w.out += ind2 + spell_kernel(m.type, mname, w.scopes, 0) + ";\n";
    }
    // An empty struct has 1 byte in C++, 0 in C; a zero-length array makes
    // it 0 with clang, as in C.
    if (!any && g.size == 0) w.out += ind2 + "char " + pad_name() + "[0];\n";
    w.out += ind + "}" + declarator + ";\n";
}

inline std::string type_emitter::emit_kernel(std::span<const std::uint32_t> roots) {
    std::fill(needs_global_.begin(), needs_global_.end(), 0);
    for (auto r : roots) prepare(r);
    auto plan = plan_kernel(roots);
    std::sort(plan.tags.begin(), plan.tags.end());
    return write_kernel(plan);
}

// What spelling `id` in a declaration needs: through qualifiers, arrays
// need complete elements, pointers and functions declared ones.
inline void type_emitter::kernel_needs(std::uint32_t id, std::uint8_t level,
                                       std::vector<std::pair<std::uint32_t, std::uint8_t>>& out) const {
constexpr std::uint8_t declared = kernel_declared, complete = kernel_complete;
    auto t = b_.type(id);
    switch (t.kind()) {
        case kind::struct_:
        case kind::union_:
            if (level == complete || names_[id].empty())
                for (std::uint32_t i = 0; i < t.vlen(); ++i)
                    if (auto m = t.member_at(i); m.type != 0) out.emplace_back(m.type, complete);
            return;
        case kind::typedef_:
            // Declaring a typedef needs its target declared; completing
            // it needs the typedef declared (a separate step, so a
            // pointer back to it from inside its target finds it) and the
            // target complete.
            if (level == complete) out.emplace_back(id, declared);
            out.emplace_back(t.type(), level);
            return;
        case kind::const_:
        case kind::volatile_:
        case kind::restrict_:
        case kind::type_tag:
        case kind::var: out.emplace_back(t.type(), level); return;
        case kind::array: out.emplace_back(t.array().elem_type, complete); return;
        case kind::ptr: out.emplace_back(t.type(), declared); return;
        case kind::func: out.emplace_back(t.type(), declared); return;
        case kind::func_proto:
            out.emplace_back(t.type(), declared);
            for (std::uint32_t i = 0; i < t.vlen(); ++i) out.emplace_back(t.param_at(i).type, declared);
            return;
        case kind::datasec:
            for (std::uint32_t i = 0; i < t.vlen(); ++i) out.emplace_back(t.secinfo_at(i).type, complete);
            return;
        default: return;
    }
}

inline type_emitter::kernel_plan type_emitter::plan_kernel(std::span<const std::uint32_t> roots) {
    // Requirements, walked depth first: `complete` (a definition, for values)
    // and `declared` (enough for a pointer or a typedef). Named classes are
    // declared by the forward declarations at the top and enums are written
    // before everything else, so only typedefs and unnamed classes used
    // outside a member need walking for `declared`.
    constexpr std::uint8_t complete = kernel_complete;
    struct frame {
        std::uint32_t id;
        std::uint8_t level;
        std::size_t next;
        std::vector<std::pair<std::uint32_t, std::uint8_t>> edges;
    };
    std::vector<std::uint8_t> done(b_.size(), 0), on_path(b_.size(), 0);
    kernel_plan plan;
    auto& order = plan.order;
    auto& tags = plan.tags;
    std::vector<frame> stack;
    auto push = [&](std::uint32_t id, std::uint8_t level) {
        if (id == 0 || done[id] >= level || (on_path[id] & level) != 0) return;  // a cycle: skip
        on_path[id] |= level;
        frame f{id, level, 0, {}};
        kernel_needs(id, level, f.edges);
        stack.push_back(std::move(f));
    };
    // Unnamed classes outside members get `__anon_<id>`.
    auto mark_global = [&](std::uint32_t id) {
        auto p = peel(id);
        if (is_unnamed_class(p.base)) needs_global_[p.base] = 1;
    };
    for (auto r : roots) mark_global(r);
    for (auto root : roots) {
        push(root, complete);
        while (!stack.empty()) {
            auto& f = stack.back();
            if (f.next < f.edges.size()) {
                auto [next, level] = f.edges[f.next++];
                push(next, level);
                continue;
            }
            const auto id = f.id;
            const auto level = f.level;
            stack.pop_back();
            on_path[id] &= static_cast<std::uint8_t>(~level);
            const bool first = done[id] == 0;
            done[id] = std::max(done[id], level);
            auto t = b_.type(id);
            switch (t.kind()) {
                case kind::struct_:
                case kind::union_:
                    if (first && !names_[id].empty()) tags.push_back(id);
                    if (level == complete || names_[id].empty()) order.push_back(id);
                    break;
                case kind::enum_:
                case kind::enum64:
                case kind::fwd:
                    if (first) tags.push_back(id);
                    break;
                case kind::typedef_:
                    if (first) {
                        if (elided_[id] == 0) mark_global(t.type());
                        order.push_back(id);
                    }
                    break;
                case kind::ptr: mark_global(t.type()); break;
                case kind::func_proto:
                    mark_global(t.type());
                    for (std::uint32_t i = 0; i < t.vlen(); ++i) mark_global(t.param_at(i).type);
                    break;
                case kind::var: mark_global(t.type()); break;
                default: break;
            }
        }
    }
    return plan;
}

inline std::string type_emitter::write_kernel(const kernel_plan& plan) {
    std::string out;
    name_set declared_names;
    for (auto id : plan.tags) {
        auto t = b_.type(id);
        if (t.kind() == kind::enum_ || t.kind() == kind::enum64) continue;
        if (names_[id].empty() || !declared_names.insert(names_[id]).second) continue;
        const bool un = t.kind() == kind::union_ || (t.kind() == kind::fwd && t.kind_flag());
        out += (un ? "union " : "struct ") + names_[id] + ";\n";
    }
    out += "\n";
    for (auto id : plan.tags) {
        auto k = b_.type(id).kind();
        if (k == kind::enum_ || k == kind::enum64) {
            write_enum(out, id);
            out += "\n";
        }
    }
    std::vector<std::uint8_t> written(b_.size(), 0);
    for (auto id : plan.order) {
        if (written[id] != 0) continue;
        auto t = b_.type(id);
        if (t.kind() == kind::typedef_) {
            written[id] = 1;
            if (elided_[id] == 0) out += "typedef " + spell_kernel(t.type(), names_[id], {}, 0) + ";\n\n";
            continue;
        }
        // Unnamed classes reached only as members are written inline.
        if (names_[id].empty() && needs_global_[id] == 0) continue;
        written[id] = 1;
        const auto name = type_name_of(id);
        name_set scope;
        kernel_scope(id, scope, 0);
        std::string asserts;
        kernel_writer w{out, asserts, 0, {&scope}, scope, name};
        const auto& g = geometry_of(id);
        if (layout_ != nullptr) layout_->push_back({id, name, g.size, {}, 0});
        write_kernel_class(w, id, name, 0, std::string(), 0, true, nullptr, std::string());
        // clang gives an empty struct 0 bytes, as C does (see write_kernel_class).
        out += tools::cat("static_assert(sizeof(", name, ") == ", g.size, ");\n");
        out += asserts + "\n";
    }
    return out;
}

// ---- declarations, names, checks -------------------------------------------------

inline std::string type_emitter::declaration(std::uint32_t type_id, std::string_view name,
                                             std::span<const std::string> scope) {
    if (type_id >= b_.size())
        tools::fail(
            tools::cat("emit_declaration: type id ", type_id, " is out of range (", b_.size(), " ids)"));
    name_set names(scope.begin(), scope.end());
    std::string id = name.empty() ? std::string() : bpfxx::btf::cxx_identifier(name);
    if (!id.empty()) names.insert(id);
    std::vector<const name_set*> scopes{&names};
    value_layout l;
    std::string why;
    prepare(type_id);
    if (!layout_of(type_id, l, why))
        tools::fail(tools::cat("emit_declaration: BTF type [", type_id, "] has no C++ layout: ", why));
    if (l.size == 0 && !kernel_)
        tools::fail(
            tools::cat("emit_declaration: BTF type [", type_id, "] has size 0, which C++ cannot declare"));
    if (kernel_) return spell_kernel(type_id, id, scopes, 0);
    auto s = spell(type_id, scopes);
    return id.empty() ? s.left + s.right : s.left + " " + id + s.right;
}

inline std::string type_emitter::type_name(std::uint32_t type_id) {
    if (type_id >= b_.size())
        tools::fail(
            tools::cat("emit_type_name: type id ", type_id, " is out of range (", b_.size(), " ids)"));
    if (!kernel_) {
        // std::array<std::array<T, M>, N> for T[N][M]; qualifiers dropped.
        auto p = peel(type_id);
        if (!p.dims.empty()) {
            if (p.dims.size() > 64)
                tools::fail(
                    tools::cat("emit_type_name: BTF type [", type_id, "] has more than 64 dimensions"));
            std::string out = type_name(p.base);
            for (auto it = p.dims.rbegin(); it != p.dims.rend(); ++it)
                out = tools::cat("std::array<", out, ", ", *it, ">");
            return out;
        }
        type_id = p.base;
    }
    auto t = b_.type(type_id);
    switch (t.kind()) {
        case kind::unknown:
        case kind::func:
        case kind::func_proto:
        case kind::fwd:
        case kind::var:
        case kind::datasec:
        case kind::decl_tag:
            tools::fail(tools::cat("emit_type_name: BTF type [", type_id, "] ", to_string(t.kind()),
                                      " is not a value type"));
        case kind::array:
            tools::fail(tools::cat("emit_type_name: BTF type [", type_id,
                                      "] is an array; use emit_declaration on the kernel side"));
        default: break;
    }
    if (kernel_) return spell_kernel(type_id, std::string(), {}, 0);
    return spell_base(type_id, {});
}

// Named members (and those of unnamed unions written as anonymous unions)
// that are not bitfields, with byte offsets: what the emitted type exposes.
inline void type_emitter::collect_check_fields(std::uint32_t id, std::uint64_t base, std::vector<check_field>& out,
                                               int depth) {
    if (depth > detail::btf_emit::max_nesting) return;
    const auto& g = geometry_of(id);
    if (g.opaque) return;
    auto t = b_.type(id);
    auto plan = plan_class(id, g, type_name_of(id));
    for (std::size_t k = 0; k < g.items.size(); ++k) {
        const auto& it = g.items[k];
        if (it.what != item_kind::member) continue;
        auto m = t.member_at(it.index);
        const auto off = base + it.bit_offset / 8;
        if (!plan.fields[k].name.empty()) {
            out.push_back({plan.fields[k].name, off, m.type});
            continue;
        }
        if (!m.name.empty()) continue;
        auto p = peel(m.type);
        const bool inlined =
            kernel_ ? is_unnamed_class(p.base) && p.dims.empty() : plan.fields[k].inline_union;
        if (!inlined) continue;
        if (kernel_) {
            collect_check_fields(p.base, off, out, depth + 1);
            continue;
        }
        const auto& ug = geometry_of(p.base);
        auto u = b_.type(p.base);
        for (std::size_t j = 0; j < ug.items.size(); ++j)
            if (ug.items[j].what == item_kind::member && !plan.fields[k].inner[j].name.empty() &&
                !u.member_at(ug.items[j].index).name.empty())
                out.push_back({plan.fields[k].inner[j].name, off, u.member_at(ug.items[j].index).type});
    }
}

// Size and offset agree, but the user side's field must also be the same
// kind of number: `float pid` against the kernel's `u32 pid` is refused, and
// so is a signed field for an unsigned one (arrays: their elements).
// Integers may be enums on either side; bools and chars are left alone.
inline std::string type_emitter::field_kind_check(const check_field& f, std::string_view w,
                                                  std::string_view kernel_name) {
    auto id = b_.resolve(f.type);
    std::string_view of = "field";
    while (b_.type(id).kind() == kind::array) {
        id = b_.resolve(b_.type(id).array().elem_type);
        of = "element of field";
    }
    const auto t = b_.type(id);
    std::string_view number;
    std::string_view words;
    if (t.kind() == kind::float_) {
        number = "floating_point";
        words = "floating point";
    } else if (t.kind() == kind::int_ && (t.int_encoding() == 0 || t.int_encoding() == bpfxx::btf::int_signed)) {
        const bool is_signed = t.int_encoding() == bpfxx::btf::int_signed;
        number = is_signed ? "signed_integer" : "unsigned_integer";
        words = is_signed ? "signed integer" : "unsigned integer";
    } else {
        return {};
    }
    return tools::cat(indent_, "static_assert(bpfxx::skel::holds<decltype(T::", f.name,
                      ")>(bpfxx::skel::number_kind::", number, "), \"", w, ": the ", of, " '", f.name,
                      "' is a different kind of number than in the kernel's '", kernel_name, "' (", t.size(),
                      "-byte ", words, ")\");\n");
}

inline std::string type_emitter::layout_check(std::uint32_t type_id, std::string_view check_name,
                                              std::string_view what) {
    if (type_id >= b_.size())
        tools::fail(
            tools::cat("emit_layout_check: type id ", type_id, " is out of range (", b_.size(), " ids)"));
    if (!bpfxx::btf::is_identifier(check_name) || bpfxx::btf::is_reserved_name(check_name))
        tools::fail(tools::cat("emit_layout_check: '", check_name, "' is not a usable C++ name"));
    prepare(type_id);
    value_layout l;
    std::string why;
    if (!layout_of(type_id, l, why))
        tools::fail(tools::cat("emit_layout_check: BTF type [", type_id, "] has no C++ layout: ", why));
    const auto w = detail::btf_emit::string_literal_text(what);
    const auto r = b_.resolve(type_id);
    const auto kernel_name = detail::btf_emit::string_literal_text(bpfxx::btf::cxx_type_name(b_, type_id));
    const char* offsetof_ = kernel_ ? "__builtin_offsetof" : "offsetof";
    std::string out = tools::cat("template <class T>\nconstexpr bool ", check_name, "() {\n");
    if (l.size == 0) {
        out += tools::cat(indent_, "static_assert(__is_empty(T), \"", w, ": the kernel's '", kernel_name,
                           "' has no bytes; the user-side type must be an empty class\");\n");
    } else {
        out += tools::cat(indent_, "static_assert(sizeof(T) == ", l.size, ", \"", w, ": the kernel's '",
                           kernel_name, "' has ", l.size,
                           " bytes; the user-side type has a different size\");\n");
    }
    auto k = b_.type(r).kind();
    if ((k == kind::struct_ || k == kind::union_) && !geometry_of(r).opaque) {
        std::vector<check_field> fields;
        collect_check_fields(r, 0, fields, 0);
        for (const auto& f : fields) {
            out += tools::cat(indent_, "static_assert(", offsetof_, "(T, ", f.name, ") == ", f.offset, ", \"", w,
                               ": field '", f.name, "' is at a different offset than in the kernel's '",
                               kernel_name, "' (", f.offset, ")\");\n");
            if (!kernel_) out += field_kind_check(f, w, kernel_name);
        }
    }
    out += indent_ + "return true;\n}\n";
    return out;
}

inline std::string type_emitter::kernel_layout_test(std::span<const std::uint32_t> roots,
                                                    layout_test_stats* stats) {
    if (!kernel_) tools::fail("kernel_layout_test: the type_emitter needs emit_options::kernel_side");
    std::vector<detail::btf_emit::layout_class> classes;
    layout_ = &classes;
    try {
        (void)types(roots);
    } catch (...) {
        layout_ = nullptr;
        throw;
    }
    layout_ = nullptr;
    // The test's own names share the namespace with the kernel's.
    for (std::string_view own : {"bpfxx_layout", "bpfxx_layout_types", "bpfxx_layout_bitfield",
                                 "bpfxx_layout_bitfields", "bpfxx_layout_count", "bpfxx_layout_counts"}) {
        bool taken = std::find(names_.begin(), names_.end(), own) != names_.end();
        for (const auto& [id, names] : enumerators_)
            taken = taken || std::find(names.begin(), names.end(), own) != names.end();
        if (taken)
            tools::fail(tools::cat("kernel_layout_test: the BTF has a type or enumerator named '", own,
                                      "', which the layout test needs for itself"));
    }
    layout_test_stats n;
    std::string out =
        "#define BPFXX_LAYOUT_SIZE(T, n) static_assert(sizeof(T) == n)\n"
        "#define BPFXX_LAYOUT_MEMBER(T, m, offset, n)      \\\n" +
        indent_ + "static_assert(__builtin_offsetof(T, m) == offset); \\\n" + indent_ +
        "static_assert(sizeof(static_cast<T*>(nullptr)->m) == n)\n\n";
    std::string bitfields, types;
    for (const auto& c : classes) {
        ++n.classes;
        n.unchecked += c.unchecked;
        out += tools::cat("BPFXX_LAYOUT_SIZE(", c.name, ", ", c.size, ");\n");
        for (const auto& m : c.members) {
            ++n.members;
            if (m.bits == 0) {
                out += tools::cat("BPFXX_LAYOUT_MEMBER(", c.name, ", ", m.designator, ", ", m.bit_offset / 8,
                                   ", ", m.size, ");\n");
                continue;
            }
            ++n.bitfields;
            if (!m.settable) {
                ++n.unchecked;
                bitfields += tools::cat(indent_, "// ", c.name, ".", m.designator,
                                         ": inside a const member, cannot be set\n");
                continue;
            }
            // All ones without a constant that would not fit (GCC's -Woverflow).
            bitfields += tools::cat(indent_, "{", c.id, ", \"", c.name, "\", \"", m.designator, "\", ",
                                     c.size, ", ", m.bit_offset, ", ", m.bits, ",\n", indent_, indent_,
                                     "[](void* p) { auto& v = *static_cast<", c.name, "*>(p); v.",
                                     m.designator, " = ", m.is_bool ? "true" : "~v." + m.designator,
                                     "; }},\n");
        }
        if (std::any_of(c.members.begin(), c.members.end(), [](const auto& m) { return m.bits != 0; }))
            types += tools::cat(indent_, c.name, " t_", c.id, ";\n");
    }
    out += "\n#undef BPFXX_LAYOUT_SIZE\n#undef BPFXX_LAYOUT_MEMBER\n\n";
    out += tools::cat("// What the static_asserts above and the bitfields below check.\n",
                       "struct bpfxx_layout_count {\n", indent_,
                       "unsigned long long classes, members, bitfields;\n};\n",
                       "inline constexpr bpfxx_layout_count bpfxx_layout_counts{", n.classes, ", ", n.members,
                       ", ", n.bitfields, "};\n\n");
    out += "// Bitfields, which offsetof cannot name.\n";
    out += "struct bpfxx_layout_bitfield {\n" + indent_ + "unsigned int id;  // BTF id of the type\n" +
           indent_ + "const char* type;\n" + indent_ +
           "const char* member;\n" + indent_ + "unsigned long long size;\n" + indent_ +
           "unsigned long long bit_offset;\n" + indent_ + "unsigned int bits;\n" + indent_ +
           "// Sets the member to all ones in a zeroed object of the type.\n" + indent_ +
           "void (*set)(void* object);\n};\n\n";
    out += "#ifndef __bpf__\n// Ends with an entry of null names.\n"
           "inline constexpr bpfxx_layout_bitfield bpfxx_layout_bitfields[] = {\n" +
           bitfields + indent_ + "{0, nullptr, nullptr, 0, 0, 0, nullptr},\n};\n";
    // clang's BTF defines what a global variable points to, when its
    // definition was required (sizeof), and what that holds by value;
    // classes behind pointers in it are only declared. Only classes with
    // bitfields: all of them would cost clang a minute more (vmlinux, 6.18).
    out += "#else\n// Every class with a bitfield, t_<BTF id>, so that the object's BTF holds them.\n"
           "struct bpfxx_layout_types {\n" +
           types + indent_ + "char none;  // a member even without bitfields\n" +
           "};\nstatic_assert(sizeof(bpfxx_layout_types) > 0);\n\n" +
           "extern \"C\" {\nbpfxx_layout_types* bpfxx_layout;\n}\n#endif\n";
    if (stats != nullptr) *stats = n;
    return tools::cat("// ", n.classes, " structs and unions, ", n.members, " members (", n.bitfields,
                       " bitfields); not checked: ", n.unchecked,
                       " (unnamed bitfields, members of layouts C++ cannot express, bitfields inside const "
                       "members)\n\n",
                       out);
}

// ---- free functions ------------------------------------------------------------

// See type_emitter::types.
inline std::string emit_types(const btf& b, std::span<const std::uint32_t> roots,
                              const emit_options& options = {}) {
    return type_emitter(b, options).types(roots);
}

// See type_emitter::declaration.
inline std::string emit_declaration(const btf& b, std::uint32_t type_id, std::string_view name,
                                    const emit_options& options = {}) {
    return type_emitter(b, options).declaration(type_id, name);
}

// See type_emitter::type_name.
inline std::string emit_type_name(const btf& b, std::uint32_t type_id, const emit_options& options = {}) {
    return type_emitter(b, options).type_name(type_id);
}

// See type_emitter::layout_check. Uses offsetof (user side).
inline std::string emit_layout_check(const btf& b, std::uint32_t type_id, std::string_view check_name,
                                     std::string_view what) {
    return type_emitter(b).layout_check(type_id, check_name, what);
}

}  // namespace btf
BPFXX_END_NAMESPACE
