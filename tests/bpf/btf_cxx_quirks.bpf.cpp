// SPDX-License-Identifier: MIT OR GPL-2.0-only
// C++ constructs whose BTF the kernel refuses until bpfxx::btf::sanitize_cxx
// fixes it. Self-contained (no bpfxx kernel headers) so the BTF stays small.
// Built with -gno-simple-template-names -gno-omit-unreferenced-methods on top
// of the usual flags (tests/bpf/CMakeLists.txt), which brings back template
// names and methods; tests/unit/btf_sanitize_test.cpp holds its raw .BTF.
// Only the BTF matters: the program is never loaded.
typedef unsigned int u32;
typedef unsigned long long u64;

// Methods: type_id=0 members unless -gomit-unreferenced-methods.
struct with_methods {
    u32 a;
    u64 b;
    u32 get() const { return a; }
    void set(u32 v) { a = v; }
};

// A reference member: type_id=0, 8 bytes.
struct with_ref {
    u32 x;
    u32& r;
    u64 y;
};

// A base class: anonymous type_id=0 member at offset 0.
struct base_part {
    u32 b0;
    u32 b1;
};
struct derived : base_part {
    u64 d;
};

// Template names keep '<', ' ' and ',' unless -gsimple-template-names.
template <class K, class V>
struct pair_t {
    K key;
    V value;
};

// A pointer template argument keeps the name invalid even with
// -gsimple-template-names.
template <const u32* P>
struct ptr_tmpl {
    u32 x;
};

// An alias template is a TYPEDEF named 'alias_t<...>' whatever the flags.
template <class T>
using alias_t = pair_t<T, T>;

// A static constexpr data member: type_id=0 member whose offset goes
// backwards.
struct with_static {
    u32 a;
    static constexpr u32 limit = 7;
    u64 b;
};

// Pointers to members: type_id=0 members of 8 and 16 bytes.
struct with_member_ptr {
    u32 a;
    u32 with_member_ptr::*pm;
    void (with_member_ptr::*pmf)();
    u32 z;
};

enum class color : u32 { red = 1, green = 2 };

extern "C" {
u32 g_target;
with_methods g_methods;
derived g_derived;
pair_t<u32, u64> g_pair;
ptr_tmpl<&g_target> g_ptr_tmpl;
alias_t<u32> g_alias;
with_static g_static;
with_member_ptr g_member_ptr;
color g_color;
}

// A non-inlined function with a reference parameter: type_id=0 FUNC_PROTO
// parameter ('Invalid arg#1'). Internal linkage keeps it out of a COMDAT.
[[gnu::noinline, clang::internal_linkage]] u32 add_ref(u32& out, u32 v) {
    out += v;
    return out;
}

// A non-inlined template function: FUNC 'twice<unsigned int>'.
template <class T>
[[gnu::noinline, clang::internal_linkage]] T twice(T v) {
    return v + v;
}

[[gnu::noinline, clang::internal_linkage]] u32 use_ref(with_ref* w) {
    return w->x + w->r + static_cast<u32>(w->y);
}

extern "C" [[gnu::section("tracepoint/syscalls/sys_enter_getpid")]] int on_getpid(void* ctx) {
    (void)ctx;
    with_ref wr{1, g_target, 2};
    g_methods.set(g_methods.get() + 1);
    u32 v = add_ref(g_target, use_ref(&wr) + g_derived.b0 + with_static::limit);
    return static_cast<int>(twice(v) + g_pair.key + g_alias.value + g_ptr_tmpl.x + g_static.a +
                            g_member_ptr.z + static_cast<u32>(g_color));
}

extern "C" [[gnu::section("license")]] const char LICENSE[] = "GPL";
