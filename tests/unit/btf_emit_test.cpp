// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::btf::emit_types and friends: the text emitted for the test objects
// and for hand-built BTF, and the proof that matters: the emitted code
// compiles, with every size and offset static_assert holding, for the test
// objects and for every struct and union of the running kernel.
#include <bpfxx/detail/file.hpp>
#include <bpfxx/btf/btf.hpp>
#include "emit.hpp"
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/error.hpp>

#include "btf_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#ifndef BPFXX_TEST_OBJECTS
#error "BPFXX_TEST_OBJECTS must name the directory of the compiled tests/bpf objects"
#endif
#ifndef BPFXX_SOURCE_DIR
#error "BPFXX_SOURCE_DIR must name the source tree (for -I.../include)"
#endif
// The C++ compiler that compiles the emitted code (CMAKE_CXX_COMPILER).
#ifndef BPFXX_CXX_COMPILER
#define BPFXX_CXX_COMPILER "c++"
#endif

namespace {

namespace btf = bpfxx::btf;
using bpfxx_test::btf_builder;
using testing::HasSubstr;
using testing::Not;
using K = btf_builder;
using bpfxx_test::must_find;
using bpfxx_test::object_btf;

using bpfxx::detail::read_file;



std::vector<std::uint32_t> all_classes(const btf::btf& b) {
    std::vector<std::uint32_t> ids;
    for (std::uint32_t id = 1; id < b.size(); ++id) {
        auto k = b.type(id).kind();
        if (k == btf::kind::struct_ || k == btf::kind::union_) ids.push_back(id);
    }
    return ids;
}

// A scratch directory, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        path_ = std::filesystem::temp_directory_path() /
                ("bpfxx_emit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::filesystem::path path_;
};

void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out.push_back(c);
    }
    return out + "'";
}

struct compile_result {
    bool ok = false;
    std::string diagnostics;
    double seconds = 0;
};

// Runs `compiler flags file` on `source`; the diagnostics are kept.
compile_result compile(const std::string& compiler, const std::string& flags, const std::string& source,
                       const std::string& file_name = "emitted.cpp") {
    temp_dir dir;
    auto src = dir.path() / file_name;
    auto log = dir.path() / "log.txt";
    write_text(src, source);
    const std::string cmd =
        quoted(compiler) + " " + flags + " " + quoted(src.string()) + " > " + quoted(log.string()) + " 2>&1";
    auto start = std::chrono::steady_clock::now();
    int rc = std::system(cmd.c_str());
    compile_result r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.ok = rc == 0;
    r.diagnostics = read_text(log);
    return r;
}

const std::string user_flags = std::string("-std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I") +
                               quoted(std::string(BPFXX_SOURCE_DIR) + "/include");

// Emitted user-side code as a translation unit, in a namespace as a
// generated header would put it.
std::string user_tu(const std::string& body, const std::string& ns = "emitted",
                    const std::string& after = "") {
    return "#include <cstddef>\n#include <bpfxx/shared/types.hpp>\nnamespace " + ns + " {\n" + body + "}\n" +
           after;
}

compile_result compile_user(const std::string& tu) {
    return compile(BPFXX_CXX_COMPILER, user_flags, tu);
}

// Prints the head of a failed compile's diagnostics.
std::string head(const std::string& s, std::size_t n = 4000) {
    return s.size() <= n ? s : s.substr(0, n) + "\n...";
}

std::vector<std::uint32_t> roots_of(std::initializer_list<std::uint32_t> ids) {
    return {ids};
}

// ---- the test objects ---------------------------------------------------------

TEST(BtfEmit, MapsCxxRecordAndConfig) {
    btf::btf b(object_btf("maps_cxx.bpf.o"));
    // The skeleton's roots: the record variables (pointers to the record
    // type) and the map value type.
    auto roots = roots_of(
        {must_find(b, ".bpfxx.records", btf::kind::datasec), must_find(b, "config", btf::kind::struct_)});
    auto text = btf::emit_types(b, roots);
    EXPECT_EQ(text,
              "using u64 = unsigned long;\n"
              "using u32 = unsigned int;\n"
              "\n"
              "struct event {\n"
              "    u64 seq;\n"
              "    u64 ts_ns;\n"
              "    u32 pid;\n"
              "    u32 uid;\n"
              "    char comm[16];\n"
              "    char filename[64];\n"
              "};\n"
              "static_assert(sizeof(event) == 104);\n"
              "static_assert(offsetof(event, seq) == 0);\n"
              "static_assert(offsetof(event, ts_ns) == 8);\n"
              "static_assert(offsetof(event, pid) == 16);\n"
              "static_assert(offsetof(event, uid) == 20);\n"
              "static_assert(offsetof(event, comm) == 24);\n"
              "static_assert(offsetof(event, filename) == 40);\n"
              "\n"
              "struct config {\n"
              "    u32 sample_every;\n"
              "    u32 flags;\n"
              "};\n"
              "static_assert(sizeof(config) == 8);\n"
              "static_assert(offsetof(config, sample_every) == 0);\n"
              "static_assert(offsetof(config, flags) == 4);\n"
              "\n");
}

TEST(BtfEmit, BtfTypesBitfieldsUnionsEnumsNestedTypes) {
    btf::btf b(object_btf("btf_types.bpf.o"));
    auto roots =
        roots_of({must_find(b, ".bss", btf::kind::datasec), must_find(b, ".data", btf::kind::datasec),
                  must_find(b, ".rodata", btf::kind::datasec)});
    auto text = btf::emit_types(b, roots);
    EXPECT_THAT(text, HasSubstr("using event_cb = ::bpfxx::u64;  // int(*)(event*, u32)\n"));
    EXPECT_THAT(text, HasSubstr("enum level : int {\n"
                                "    LEVEL_LOW = -1,\n"
                                "    LEVEL_MID = 0,\n"
                                "    LEVEL_HIGH = 2147483647,\n"
                                "};\n"));
    EXPECT_THAT(text, HasSubstr("enum wide : unsigned long long {\n"
                                "    WIDE_SMALL = 1ull,\n"
                                "    WIDE_BIG = 4294967296ull,\n"
                                "};\n"));
    EXPECT_THAT(text, HasSubstr("struct event {\n"
                                "    u32 pid;\n"
                                "    u64 ts;\n"
                                "    char comm[16];\n"
                                "    struct __anon_struct_1 {\n"
                                "        u16 lo;\n"
                                "        u16 hi;\n"
                                "    } pair;\n"
                                "    u32 flags : 3;\n"
                                "    u32 mode : 5;\n"
                                "    ::bpfxx::u64 limit;  // const u64*\n"
                                "    ::bpfxx::u64 next;  // event*\n"
                                "    union __anon_union_2 {\n"
                                "        u32 as_u32;\n"
                                "        u8 bytes[4];\n"
                                "    } raw;\n"
                                "    double ratio;\n"
                                "    event_cb cb;\n"
                                "    u32 hits;\n"
                                "};\n"
                                "static_assert(sizeof(event::__anon_struct_1) == 4);\n"
                                "static_assert(offsetof(event::__anon_struct_1, lo) == 0);\n"
                                "static_assert(offsetof(event::__anon_struct_1, hi) == 2);\n"
                                "static_assert(sizeof(event::__anon_union_2) == 4);\n"
                                "static_assert(offsetof(event::__anon_union_2, as_u32) == 0);\n"
                                "static_assert(offsetof(event::__anon_union_2, bytes) == 0);\n"
                                "static_assert(sizeof(event) == 88);\n"
                                "static_assert(offsetof(event, pid) == 0);\n"
                                "static_assert(offsetof(event, ts) == 8);\n"
                                "static_assert(offsetof(event, comm) == 16);\n"
                                "static_assert(offsetof(event, pair) == 32);\n"
                                "static_assert(offsetof(event, limit) == 40);\n"
                                "static_assert(offsetof(event, next) == 48);\n"
                                "static_assert(offsetof(event, raw) == 56);\n"
                                "static_assert(offsetof(event, ratio) == 64);\n"
                                "static_assert(offsetof(event, cb) == 72);\n"
                                "static_assert(offsetof(event, hits) == 80);\n"));
    // Dependencies come first: the typedefs and event_cb before event.
    EXPECT_LT(text.find("using u16 = unsigned short;"), text.find("struct event {"));
    EXPECT_LT(text.find("using event_cb"), text.find("struct event {"));
    // The pointer to event is not followed (event is complete anyway) and no
    // unnamed type is emitted at namespace scope.
    EXPECT_THAT(text, Not(HasSubstr("__anon_1")));
    EXPECT_EQ(text.find("struct event {"), text.rfind("struct event {"));
}

TEST(BtfEmit, PlainCObject) {
    btf::btf b(object_btf("plain_c.bpf.o"));
    auto roots = roots_of({must_find(b, "config", btf::kind::struct_),
                           must_find(b, "syscalls_enter_execve", btf::kind::struct_),
                           must_find(b, "bpf_raw_tracepoint_args", btf::kind::struct_)});
    auto text = btf::emit_types(b, roots);
    EXPECT_THAT(text, HasSubstr("using __u32 = unsigned int;\n"));
    EXPECT_THAT(text, HasSubstr("struct config {\n    __u32 sample_every;\n    __u32 flags;\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct syscalls_enter_execve {\n"
                                "    __u16 common_type;\n"
                                "    __u8 common_flags;\n"
                                "    __u8 common_preempt_count;\n"
                                "    __s32 common_pid;\n"
                                "    __s32 syscall_nr;\n"
                                "    __u64 filename;\n"
                                "    __u64 argv;\n"
                                "    __u64 envp;\n"
                                "};\n"
                                "static_assert(sizeof(syscalls_enter_execve) == 40);\n"));
    EXPECT_THAT(text, HasSubstr("static_assert(offsetof(syscalls_enter_execve, filename) == 16);\n"));
    // A struct of size 0 (only a flexible array): a comment, no size check.
    EXPECT_THAT(text, HasSubstr("struct bpf_raw_tracepoint_args {\n"
                                "    // size 0 in C; every C++ object has at least 1 byte\n"
                                "    // __u64 args[0]; (size 0 in C, at byte 0)\n"
                                "};\n"));
    EXPECT_THAT(text, Not(HasSubstr("sizeof(bpf_raw_tracepoint_args)")));
}

TEST(BtfEmit, DeclarationsAndTypeNames) {
    btf::btf b(object_btf("maps_cxx.bpf.o"));
    btf::type_emitter e(b);
    const auto event = must_find(b, "event", btf::kind::struct_);
    auto ev = b.type(event);
    EXPECT_EQ(e.declaration(ev.members()[1].type, "ts_ns"), "u64 ts_ns");
    EXPECT_EQ(e.declaration(ev.members()[4].type, "comm"), "char comm[16]");
    EXPECT_EQ(e.declaration(ev.members()[4].type, ""), "char[16]");
    EXPECT_EQ(e.declaration(ev.members()[4].type, "class"), "char class___cxx[16]");
    EXPECT_EQ(btf::emit_declaration(b, event, "records"), "event records");
    // A variable named like its type is spelled with the elaborated name.
    EXPECT_EQ(btf::emit_declaration(b, event, "event"), "struct event event");
    EXPECT_EQ(btf::emit_type_name(b, event), "event");
    EXPECT_EQ(btf::emit_type_name(b, must_find(b, "u32", btf::kind::typedef_)), "u32");
    EXPECT_EQ(btf::emit_type_name(b, must_find(b, "unsigned int", btf::kind::int_)), "unsigned int");
    EXPECT_EQ(btf::emit_type_name(b, ev.members()[4].type), "std::array<char, 16>");
    auto record = must_find(b, "__bpfxx_record__events", btf::kind::var);
    EXPECT_EQ(btf::emit_type_name(b, b.type(record).type()), "::bpfxx::u64");
    // The VAR target_uid is `const volatile u32`: user space writes it.
    EXPECT_EQ(
        btf::emit_declaration(b, b.type(must_find(b, "target_uid", btf::kind::var)).type(), "target_uid"),
        "u32 target_uid");
    EXPECT_THROW((void)btf::emit_type_name(b, must_find(b, "on_execve", btf::kind::func)), bpfxx::error);
    EXPECT_THROW((void)btf::emit_type_name(b, record), bpfxx::error);
    EXPECT_THROW((void)btf::emit_types(b, roots_of({b.size()})), bpfxx::error);
    // Kernel side: qualifiers and pointers are kept.
    btf::emit_options k;
    k.kernel_side = true;
    EXPECT_EQ(btf::emit_type_name(b, b.type(record).type(), k), "event *");
    EXPECT_EQ(
        btf::emit_declaration(b, b.type(must_find(b, "target_uid", btf::kind::var)).type(), "target_uid", k),
        "const volatile u32 target_uid");
}

// ---- hand-built BTF: the cases real objects rarely show ---------------------------

class handmade : public testing::Test {
protected:
    handmade() {
        K k;
        u8 = k.typedef_("u8", k.int_("unsigned char", 1));
        u16 = k.typedef_("u16", k.int_("unsigned short", 2));
        u32 = k.typedef_("u32", k.int_("unsigned int", 4));
        const auto int_ = k.int_("int", 4, 1);
        const auto u64 = k.typedef_("u64", k.int_("long long unsigned int", 8));
        const auto boolean = k.int_("_Bool", 1, 4);
        k.typedef_("bool", boolean);  // typedef _Bool bool: disappears
        // A member at an offset below its alignment: packed.
        packed = k.struct_("packed_s", 5, {{"a", u8, 0}, {"b", u32, 8}});
        // A member later than C++ would put it: explicit padding.
        padded = k.struct_("padded_s", 16, {{"a", u8, 0}, {"b", u32, 64}});
        // A size not a multiple of the alignment C++ gives.
        short_tail = k.struct_("short_tail", 6, {{"a", u32, 0}, {"b", u16, 32}});
        // Keywords, a name C++ cannot spell, duplicates.
        keywords = k.struct_(
            "delete", 16, {{"class", u32, 0}, {"private", u32, 32}, {"new", u32, 64}, {"xor", boolean, 96}});
        templ = k.struct_("pair<int, int>", 8, {{"first", int_, 0}, {"second", int_, 32}});
        dup1 = k.struct_("dup", 4, {{"x", u32, 0}});
        dup2 = k.struct_("dup", 8, {{"y", u64, 0}});
        // Enumerators colliding across enums, and an enum named like a keyword.
        color = k.enum_("color", 4, {{"RED", 0}, {"GREEN", 1}});
        fruit = k.enum_("fruit", 1, {{"RED", 5}, {"APPLE", 6}});
        k.enum_("register", 4, {{"true", 1}});
        // A member named like its type (a typedef and a struct).
        const auto port_id = k.typedef_("port_id", u32);
        const auto node = k.struct_("node", 4, {{"v", u32, 0}});
        same_name =
            k.struct_("same_name", 12, {{"port_id", port_id, 0}, {"node", node, 32}, {"other", node, 64}});
        // Bitfields: one straddling a byte in a packed struct (a 2-byte type
        // then), an enum bitfield, padding bits, a bool wider than 1 bit.
        const auto mode = k.enum_("mode", 4, {{"MODE_A", 0}});
        bits = k.struct_("bits", 4,
                         {{"lo", u8, (4u << 24) | 0},
                          {"mid", u8, (6u << 24) | 4},
                          {"m", mode, (3u << 24) | 12},
                          {"flag", boolean, (2u << 24) | 20},
                          {"hi", u8, (3u << 24) | 27}},
                         true);
        // A bitfield before kind_flag: an INT of 3 bits at bit offset 4.
        const auto int3 = k.raw(k.str("unsigned int"), K::info(K::INT), 4, {(0u << 24) | (0u << 16) | 3});
        old_bits = k.struct_("old_bits", 4, {{"a", int3, 4}, {"b", u8, 8}});
        // Overlapping members: no C++ layout.
        overlap = k.struct_("overlap", 8, {{"a", u64, 0}, {"b", u32, 32}});
        // typedef struct { ... } named_t;
        const auto anon = k.struct_("", 4, {{"v", u32, 0}});
        k.typedef_("named_t", anon);
        holder = k.struct_("holder", 4, {{"n", anon, 0}});
        // A union larger than its members (a dropped member needed the room),
        // and an unnamed union holding an unnamed struct.
        const auto wide = k.union_("wide_u", 8, {{"a", u32, 0}});
        const auto inner = k.struct_("", 8, {{"lo", u32, 0}, {"hi", u32, 32}});
        const auto au = k.union_("", 8, {{"", inner, 0}, {"all", u64, 0}});
        unions = k.struct_("unions", 24, {{"w", wide, 0}, {"", au, 64}, {"tail", u8, 128}});
        // An empty struct as a member, and a flexible array.
        const auto empty = k.struct_("empty_s", 0, {});
        const auto flex = k.array(u64, int_, 0);
        with_empty = k.struct_("with_empty", 8, {{"a", u32, 0}, {"e", empty, 32}, {"items", flex, 64}});
        // An unnamed union member whose names clash with the class: a named
        // nested type instead of an anonymous union.
        const auto clash = k.union_("", 4, {{"a", u32, 0}, {"b", u32, 0}});
        clashing = k.struct_("clashing", 8, {{"a", u32, 0}, {"", clash, 32}});
        // 128-bit integers, floats, and a struct member named like the struct.
        const auto i128 = k.int_("__int128", 16, 1);
        const auto u128 = k.int_("__int128 unsigned", 16);
        const auto dbl = k.float_("double", 8);
        big = k.struct_("big", 48, {{"big", i128, 0}, {"u", u128, 128}, {"d", dbl, 256}, {"x", u8, 320}});
        // A datasec root and a forward declaration through a typedef.
        const auto fwd = k.fwd("opaque_s");
        const auto fwd_t = k.typedef_("opaque_t", k.ptr(fwd));
        const auto fwd_alias = k.typedef_("opaque_alias", fwd);
        glob = k.var("g", k.volatile_(k.const_(u32)));
        const auto glob2 = k.var("h", fwd_t);
        const auto glob3 = k.var("i", k.ptr(fwd_alias));
        sec = k.datasec(".data", 0, {{glob, 0, 4}, {glob2, 8, 8}, {glob3, 16, 8}});
        blob = k.build();
    }

    std::uint32_t u8 = 0, u16 = 0, u32 = 0, packed = 0, padded = 0, short_tail = 0, keywords = 0, templ = 0,
                  dup1 = 0, dup2 = 0, color = 0, fruit = 0, same_name = 0, bits = 0, old_bits = 0,
                  overlap = 0, holder = 0, unions = 0, with_empty = 0, clashing = 0, big = 0, glob = 0,
                  sec = 0;
    std::vector<std::byte> blob;

    [[nodiscard]] std::vector<std::uint32_t> roots() const {
        return {packed, padded,   short_tail, keywords, templ,  dup1,       dup2,     color, fruit, same_name,
                bits,   old_bits, overlap,    holder,   unions, with_empty, clashing, big,   sec};
    }
};

TEST_F(handmade, TextOfEachCase) {
    btf::btf b(blob);
    auto text = btf::emit_types(b, roots());
    EXPECT_THAT(text, HasSubstr("struct [[gnu::packed]] packed_s {\n    u8 a;\n    u32 b;\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct padded_s {\n    u8 a;\n    unsigned char __pad_1[7];\n    u32 b;\n"
                                "    unsigned char __pad_2[4];\n};\n"
                                "static_assert(sizeof(padded_s) == 16);\n"
                                "static_assert(offsetof(padded_s, a) == 0);\n"
                                "static_assert(offsetof(padded_s, b) == 8);\n"));
    EXPECT_THAT(text, HasSubstr("struct [[gnu::packed]] short_tail {\n    u32 a;\n    u16 b;\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct delete___cxx {\n"
                                "    u32 class___cxx;\n"
                                "    u32 private___cxx;\n"
                                "    u32 new___cxx;\n"
                                "    bool xor___cxx;\n"));
    EXPECT_THAT(text, HasSubstr("struct pair_int__int_ {\n    int first;\n    int second;\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct dup {\n    u32 x;\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct dup___1 {\n    u64 y;\n};\n"));
    EXPECT_THAT(text, HasSubstr("using u64 = long long unsigned int;\n"));
    EXPECT_THAT(text, HasSubstr("enum color : unsigned int {\n    RED = 0u,\n    GREEN = 1u,\n};\n"));
    EXPECT_THAT(text, HasSubstr("enum fruit : unsigned char {\n    fruit__RED = 5u,\n    APPLE = 6u,\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct same_name {\n"
                                "    u32 port_id;\n"
                                "    struct node node;\n"
                                "    struct node other;\n"
                                "};\n"));
    EXPECT_THAT(text, HasSubstr("struct [[gnu::packed]] bits {\n"
                                "    u8 lo : 4;\n"
                                "    unsigned short mid : 6;\n"
                                "    unsigned char : 2;\n"
                                "    unsigned int m : 3;\n"
                                "    unsigned char : 1;\n"
                                "    unsigned char : 4;\n"
                                "    unsigned char flag : 2;\n"
                                "    unsigned char : 2;\n"
                                "    unsigned char : 3;\n"
                                "    u8 hi : 3;\n"
                                "};\n"
                                "static_assert(sizeof(bits) == 4);\n\n"));
    EXPECT_THAT(text, HasSubstr("struct old_bits {\n"
                                "    unsigned char : 4;\n"
                                "    unsigned int a : 3;\n"
                                "    u8 b;\n"
                                "};\n"));
    EXPECT_THAT(text,
                HasSubstr("struct overlap {\n"
                          "    // layout not expressible in C++: member 'b' overlaps the one before it\n"
                          "    unsigned char __raw[8];\n"
                          "};\n"
                          "static_assert(sizeof(overlap) == 8);\n\n"));
    EXPECT_THAT(text, HasSubstr("struct named_t {\n    u32 v;\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct holder {\n    named_t n;\n};\n"));
    EXPECT_THAT(text, HasSubstr("union wide_u {\n    u32 a;\n    unsigned char __pad_1[8];\n};\n"));
    EXPECT_THAT(text, HasSubstr("struct unions {\n"
                                "    wide_u w;\n"
                                "    struct __anon_struct_1 {\n"
                                "        u32 lo;\n"
                                "        u32 hi;\n"
                                "    };\n"
                                "    union {\n"
                                "        __anon_struct_1 __anon_2;\n"
                                "        u64 all;\n"
                                "    };\n"
                                "    u8 tail;\n"
                                "};\n"));
    EXPECT_THAT(text, HasSubstr("static_assert(offsetof(unions, all) == 8);\n"));
    EXPECT_THAT(text, HasSubstr("struct with_empty {\n"
                                "    u32 a;\n"
                                "    // empty_s e; (size 0 in C, at byte 4)\n"
                                "    // u64 items[0]; (size 0 in C, at byte 8)\n"
                                "    unsigned char __pad_1[4];\n"
                                "};\n"
                                "static_assert(sizeof(with_empty) == 8);\n"));
    EXPECT_THAT(text, HasSubstr("struct clashing {\n"
                                "    u32 a;\n"
                                "    union __anon_union_2 {\n"
                                "        u32 a;\n"
                                "        u32 b;\n"
                                "    } __anon_1;\n"
                                "};\n"));
    EXPECT_THAT(text, HasSubstr("struct big {\n"
                                "    __int128_t big;\n"
                                "    __uint128_t u;\n"
                                "    double d;\n"
                                "    u8 x;\n"
                                "};\n"
                                "static_assert(sizeof(big) == 48);\n"));
    EXPECT_THAT(text, HasSubstr("struct opaque_s;\n"));
    EXPECT_THAT(text, HasSubstr("using opaque_t = ::bpfxx::u64;  // opaque_s*\n"));
    EXPECT_THAT(text, HasSubstr("using opaque_alias = opaque_s;\n"));
    EXPECT_LT(text.find("struct opaque_s;"), text.find("using opaque_alias"));
    EXPECT_THAT(text, Not(HasSubstr("using bool")));
}

TEST_F(handmade, CompilesWithExactLayout) {
    btf::btf b(blob);
    auto text = btf::emit_types(b, roots());
    auto r = compile_user(user_tu(text));
    EXPECT_TRUE(r.ok) << head(r.diagnostics) << "\n--- emitted:\n" << text;
}

TEST_F(handmade, KernelSideCompilesForBpf) {
#ifndef BPFXX_CLANG
    GTEST_SKIP() << "BPFXX_CLANG (a clang++ with the BPF target) is not defined for this test";
#else
    btf::btf b(blob);
    btf::emit_options o;
    o.kernel_side = true;
    auto text = btf::emit_types(b, roots(), o);
    EXPECT_THAT(text, HasSubstr("struct with_empty {\n"
                                "    u32 a;\n"
                                "    empty_s e;\n"
                                "    u64 items[0];\n"
                                "};\n"));
    EXPECT_THAT(text, HasSubstr("struct empty_s {\n    char __pad_0[0];\n};\n"));
    EXPECT_THAT(
        text,
        HasSubstr("    union {\n        struct {\n            u32 lo;\n            u32 hi;\n        };\n"));
    EXPECT_THAT(text, HasSubstr("static_assert(__builtin_offsetof(unions, hi) == 12);\n"));
    auto r =
        compile(BPFXX_CLANG,
                "-target bpf -nostdinc -ffreestanding -std=c++20 -fsyntax-only -Wall -Wextra -Werror", text);
    EXPECT_TRUE(r.ok) << head(r.diagnostics) << "\n--- emitted:\n" << text;
#endif
}

// ---- compiling what the test objects give -----------------------------------------

TEST(BtfEmit, TestObjectsCompileWithExactLayout) {
    for (const char* name : {"maps_cxx.bpf.o", "btf_types.bpf.o", "plain_c.bpf.o"}) {
        SCOPED_TRACE(name);
        btf::btf b(object_btf(name));
        std::vector<std::uint32_t> roots = all_classes(b);
        for (std::uint32_t id = 1; id < b.size(); ++id)
            if (b.type(id).kind() == btf::kind::datasec || b.type(id).kind() == btf::kind::typedef_)
                roots.push_back(id);
        auto text = btf::emit_types(b, roots);
        auto r = compile_user(user_tu(text));
        EXPECT_TRUE(r.ok) << head(r.diagnostics) << "\n--- emitted:\n" << text;
#ifdef BPFXX_CLANG
        btf::emit_options o;
        o.kernel_side = true;
        auto k = btf::emit_types(b, roots, o);
        auto rk =
            compile(BPFXX_CLANG,
                    "-target bpf -nostdinc -ffreestanding -std=c++20 -fsyntax-only -Wall -Wextra -Werror", k);
        EXPECT_TRUE(rk.ok) << head(rk.diagnostics) << "\n--- emitted:\n" << k;
#endif
    }
}

// ---- layout checks of user-side types ---------------------------------------------

TEST(BtfEmit, LayoutCheckAcceptsMatchingTypeAndNamesTheMovedField) {
    btf::btf b(object_btf("maps_cxx.bpf.o"));
    const auto event = must_find(b, "event", btf::kind::struct_);
    auto check = btf::emit_layout_check(b, event, "check_event", "maps_cxx: ring buffer 'events' record");
    auto kind_line = [](std::string_view field, std::string_view kind, std::string_view of, std::string_view words) {
        return bpfxx::detail::cat("    static_assert(bpfxx::skel::holds<decltype(T::", field,
                                  ")>(bpfxx::skel::number_kind::", kind,
                                  "), \"maps_cxx: ring buffer 'events' record: the ", of, " '", field,
                                  "' is a different kind of number than in the kernel's 'event' (", words, ")\");\n");
    };
    auto offset_line = [](std::string_view field, int at) {
        return bpfxx::detail::cat("    static_assert(offsetof(T, ", field, ") == ", at,
                                  ", \"maps_cxx: ring buffer 'events' record: field '", field,
                                  "' is at a different offset than in the kernel's 'event' (", at, ")\");\n");
    };
    EXPECT_EQ(check,
              bpfxx::detail::cat(
                  "template <class T>\n"
                  "constexpr bool check_event() {\n"
                  "    static_assert(sizeof(T) == 104, \"maps_cxx: ring buffer 'events' record: the kernel's "
                  "'event' has 104 bytes; the user-side type has a different size\");\n",
                  offset_line("seq", 0), kind_line("seq", "unsigned_integer", "field", "8-byte unsigned integer"),
                  offset_line("ts_ns", 8),
                  kind_line("ts_ns", "unsigned_integer", "field", "8-byte unsigned integer"),
                  offset_line("pid", 16), kind_line("pid", "unsigned_integer", "field", "4-byte unsigned integer"),
                  offset_line("uid", 20), kind_line("uid", "unsigned_integer", "field", "4-byte unsigned integer"),
                  offset_line("comm", 24),
                  kind_line("comm", "signed_integer", "element of field", "1-byte signed integer"),
                  offset_line("filename", 40),
                  kind_line("filename", "signed_integer", "element of field", "1-byte signed integer"),
                  "    return true;\n"
                  "}\n"));

    const std::string prologue =
        "#include <cstddef>\n#include <bpfxx/shared/types.hpp>\n#include <bpfxx/skeleton.hpp>\n" + check;
    // The shared header the kernel object was built from.
    auto good = compile_user(prologue + "#include \"" + std::string(BPFXX_SOURCE_DIR) +
                             "/tests/bpf/event.hpp\"\nstatic_assert(check_event<maps_cxx::event>());\n");
    EXPECT_TRUE(good.ok) << head(good.diagnostics);
    // The emitted type passes its own check.
    auto emitted = btf::emit_types(b, roots_of({event}));
    auto self = compile_user("#include <bpfxx/skeleton.hpp>\n" +
                             user_tu(emitted, "gen", check + "static_assert(check_event<gen::event>());\n"));
    EXPECT_TRUE(self.ok) << head(self.diagnostics);
    // A user's struct user_event with `fields`, checked against the kernel's.
    auto check_user = [&](const std::string& fields, const std::string& before = {}) {
        return compile_user(prologue + before + "struct user_event { " + fields +
                            " };\nstatic_assert(check_event<user_event>());\n");
    };
    // pid and uid swapped: same size, pid moved.
    auto moved = check_user("bpfxx::u64 seq; bpfxx::u64 ts_ns; bpfxx::u32 uid; bpfxx::u32 pid;"
                            " char comm[16]; char filename[64];");
    EXPECT_FALSE(moved.ok);
    EXPECT_THAT(moved.diagnostics,
                HasSubstr("field 'pid' is at a different offset than in the kernel's 'event' (16)"));
    EXPECT_THAT(moved.diagnostics, Not(HasSubstr("field 'seq'")));
    // A shorter filename: the size differs.
    auto shorter = check_user("bpfxx::u64 seq; bpfxx::u64 ts_ns; bpfxx::u32 pid; bpfxx::u32 uid;"
                              " char comm[16]; char filename[56];");
    EXPECT_FALSE(shorter.ok);
    EXPECT_THAT(shorter.diagnostics, HasSubstr("the kernel's 'event' has 104 bytes"));
    // Same layout, a signed pid: the kind of number differs.
    auto signed_pid = check_user("bpfxx::u64 seq; bpfxx::u64 ts_ns; bpfxx::s32 pid; bpfxx::u32 uid;"
                                 " char comm[16]; char filename[64];");
    EXPECT_FALSE(signed_pid.ok);
    EXPECT_THAT(signed_pid.diagnostics, HasSubstr("the field 'pid' is a different kind of number than in the "
                                                  "kernel's 'event' (4-byte unsigned integer)"));
    // A double where the kernel has a u64.
    auto floating = check_user("bpfxx::u64 seq; double ts_ns; bpfxx::u32 pid; bpfxx::u32 uid;"
                               " char comm[16]; char filename[64];");
    EXPECT_FALSE(floating.ok);
    EXPECT_THAT(floating.diagnostics, HasSubstr("the field 'ts_ns' is a different kind of number"));
    // An enum for an integer, unsigned bytes for text: accepted.
    auto relaxed = check_user("bpfxx::u64 seq; bpfxx::u64 ts_ns; pid_t32 pid; bpfxx::u32 uid;"
                              " unsigned char comm[16]; bpfxx::u8 filename[64];",
                              "enum class pid_t32 : bpfxx::u32 {};\n");
    EXPECT_TRUE(relaxed.ok) << head(relaxed.diagnostics);
}

TEST(BtfEmit, LayoutCheckOfBaseTypesAndAnonymousUnions) {
    btf::btf b(object_btf("btf_types.bpf.o"));
    auto u64 = must_find(b, "u64", btf::kind::typedef_);
    EXPECT_EQ(btf::emit_layout_check(b, u64, "check_u64", "counter"),
              "template <class T>\n"
              "constexpr bool check_u64() {\n"
              "    static_assert(sizeof(T) == 8, \"counter: the kernel's 'u64' has 8 bytes; the user-side "
              "type has a "
              "different size\");\n"
              "    return true;\n"
              "}\n");
    // Bitfields are not checked; members of anonymous unions are, by name.
    auto event = must_find(b, "event", btf::kind::struct_);
    auto check = btf::emit_layout_check(b, event, "check_event", "x \"quoted\"");
    EXPECT_THAT(check, HasSubstr("offsetof(T, hits) == 80, \"x \\\"quoted\\\": field 'hits'"));
    EXPECT_THAT(check, Not(HasSubstr("offsetof(T, flags)")));
    EXPECT_THROW((void)btf::emit_layout_check(b, event, "not a name", "x"), bpfxx::error);

    K k;
    auto u32 = k.int_("unsigned int", 4);
    auto au = k.union_("", 4, {{"a", u32, 0}, {"b", u32, 0}});
    auto s = k.struct_("s", 8, {{"x", u32, 0}, {"", au, 32}});
    btf::btf hb(k.build());
    auto c = btf::emit_layout_check(hb, s, "check_s", "s");
    EXPECT_THAT(c, HasSubstr("offsetof(T, a) == 4"));
    EXPECT_THAT(c, HasSubstr("offsetof(T, b) == 4"));
    auto r = compile_user("#include <bpfxx/skeleton.hpp>\n" +
                          user_tu(btf::emit_types(hb, roots_of({s})), "gen",
                                  c + "struct mine { unsigned x; union { unsigned a, b; }; };\n"
                                      "static_assert(check_s<gen::s>() && check_s<mine>());\n"));
    EXPECT_TRUE(r.ok) << head(r.diagnostics);
}

// ---- determinism -------------------------------------------------------------------

TEST(BtfEmit, SameInputSameBytes) {
    for (const char* name : {"maps_cxx.bpf.o", "btf_types.bpf.o", "plain_c.bpf.o"}) {
        btf::btf b(object_btf(name));
        auto roots = all_classes(b);
        EXPECT_EQ(btf::emit_types(b, roots), btf::emit_types(b, roots)) << name;
        btf::emit_options o;
        o.kernel_side = true;
        EXPECT_EQ(btf::emit_types(b, roots, o), btf::emit_types(b, roots, o)) << name;
        // A reused emitter gives the same text as a fresh one.
        btf::type_emitter e(b);
        (void)e.types(roots);
        EXPECT_EQ(e.types(roots), btf::emit_types(b, roots)) << name;
    }
}

// ---- the running kernel --------------------------------------------------------------

constexpr const char* vmlinux_path = "/sys/kernel/btf/vmlinux";

// Every struct and union of the kernel (nested unnamed ones also on their
// own, as `__anon_<id>`), compiled: ~13,000 types, ~84,000 static_asserts
// (kernel 6.18); GCC 12 takes about 2 s, clang 19 about 1 s.
TEST(BtfEmit, EveryVmlinuxStructCompilesWithExactLayout) {
    if (!std::filesystem::exists(vmlinux_path))
        GTEST_SKIP() << vmlinux_path << " is absent (kernel without BTF)";
    btf::btf b(read_file(vmlinux_path), nullptr, btf::trusted);
    auto roots = all_classes(b);
    auto start = std::chrono::steady_clock::now();
    auto text = btf::emit_types(b, roots);
    const double emit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_THAT(text, HasSubstr("struct task_struct {"));
    EXPECT_THAT(text, HasSubstr("static_assert(sizeof(task_struct) == "));
    EXPECT_THAT(text, Not(HasSubstr("layout not expressible")));
    EXPECT_EQ(text, btf::emit_types(b, roots));
    auto r = compile_user(user_tu(text, "vmlinux"));
    std::printf("[ vmlinux  ] %zu structs and unions, %zu bytes emitted in %.2f s, compiled in %.2f s\n",
                roots.size(), text.size(), emit_s, r.seconds);
    EXPECT_TRUE(r.ok) << head(r.diagnostics);
}

TEST(BtfEmit, EveryVmlinuxStructCompilesForBpfKernelSide) {
#ifndef BPFXX_CLANG
    GTEST_SKIP() << "BPFXX_CLANG (a clang++ with the BPF target) is not defined for this test";
#else
    if (!std::filesystem::exists(vmlinux_path))
        GTEST_SKIP() << vmlinux_path << " is absent (kernel without BTF)";
    btf::btf b(read_file(vmlinux_path), nullptr, btf::trusted);
    btf::emit_options o;
    o.kernel_side = true;
    std::vector<std::uint32_t> roots;
    for (std::uint32_t id = 1; id < b.size(); ++id) {
        auto k = b.type(id).kind();
        if (k == btf::kind::struct_ || k == btf::kind::union_ || k == btf::kind::typedef_ ||
            k == btf::kind::enum_ || k == btf::kind::enum64)
            roots.push_back(id);
    }
    auto text = btf::emit_types(b, roots, o);
    auto r =
        compile(BPFXX_CLANG,
                "-target bpf -nostdinc -ffreestanding -std=c++20 -fsyntax-only -Wall -Wextra -Werror", text);
    std::printf("[ vmlinux  ] kernel side: %zu bytes, compiled in %.2f s\n", text.size(), r.seconds);
    EXPECT_TRUE(r.ok) << head(r.diagnostics);
#endif
}

}  // namespace
