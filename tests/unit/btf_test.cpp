// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::btf::btf and cxx_type_name against the .BTF of objects compiled in
// the tree (tests/bpf/btf_types.bpf.c), the running kernel's vmlinux BTF, and
// hand-built blobs for every malformed case the parser must refuse.
#include <bpfxx/detail/file.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/elf/elf.hpp>

#include "btf_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef BPFXX_TEST_OBJECTS
#error "BPFXX_TEST_OBJECTS must name the directory of the compiled tests/bpf objects"
#endif

namespace {

namespace btf = bpfxx::btf;
using bpfxx_test::btf_builder;
using testing::HasSubstr;
using K = btf_builder;
using bpfxx_test::must_find;
using bpfxx_test::object_btf;

using bpfxx::detail::read_file;



// Expects the constructor to throw a bpfxx::error whose message holds every
// fragment.
template <class... F>
void expect_rejected(const std::vector<std::byte>& blob, const F&... fragments) {
    try {
        btf::btf b(blob);
        ADD_FAILURE() << "parsed, " << b.size() << " ids";
    } catch (const bpfxx::error& e) {
        for (std::string_view f : {std::string_view(fragments)...})
            EXPECT_THAT(e.what(), HasSubstr(std::string(f)));
    }
}

// ---- a real object ----------------------------------------------------------

class btf_types_object : public testing::Test {
protected:
    btf_types_object() : b(object_btf("btf_types.bpf.o")) {}
    btf::btf b;
};

TEST_F(btf_types_object, StructMembersMatchTheSource) {
    auto id = must_find(b, "event", btf::kind::struct_);
    auto t = b.type(id);
    EXPECT_EQ(t.name(), "event");
    EXPECT_EQ(t.size(), 88u);
    EXPECT_EQ(b.size_of(id), 88u);
    EXPECT_TRUE(t.kind_flag());  // it has bitfields
    struct expected {
        const char* name;
        std::uint32_t bit_offset, bitfield_size;
        const char* type;
        std::uint64_t size;
    };
    const expected want[] = {
        {"pid", 0, 0, "u32", 4},
        {"ts", 64, 0, "u64", 8},
        {"comm", 128, 0, "char[16]", 16},
        {"pair", 256, 0, "(anon struct)", 4},
        {"flags", 288, 3, "u32", 4},
        {"mode", 291, 5, "u32", 4},
        {"limit", 320, 0, "const u64*", 8},
        {"next", 384, 0, "event*", 8},
        {"raw", 448, 0, "(anon union)", 4},
        {"ratio", 512, 0, "double", 8},
        {"cb", 576, 0, "event_cb", 8},
        {"hits", 640, 0, "volatile u32", 4},
    };
    auto members = t.members();
    ASSERT_EQ(members.size(), std::size(want));
    std::uint32_t i = 0;
    for (auto m : members) {
        SCOPED_TRACE(want[i].name);
        EXPECT_EQ(m.name, want[i].name);
        EXPECT_EQ(m.bit_offset, want[i].bit_offset);
        EXPECT_EQ(m.bitfield_size, want[i].bitfield_size);
        EXPECT_EQ(btf::cxx_type_name(b, m.type), want[i].type);
        EXPECT_EQ(b.size_of(m.type), want[i].size);
        ++i;
    }

    auto pair = b.type(members[3].type);
    ASSERT_EQ(pair.kind(), btf::kind::struct_);
    EXPECT_EQ(pair.name(), "");
    ASSERT_EQ(pair.vlen(), 2u);
    EXPECT_EQ(pair.members()[0].name, "lo");
    EXPECT_EQ(pair.members()[1].name, "hi");
    EXPECT_EQ(pair.members()[1].bit_offset, 16u);
    EXPECT_EQ(btf::cxx_type_name(b, pair.members()[1].type), "u16");

    auto raw = b.type(members[8].type);
    ASSERT_EQ(raw.kind(), btf::kind::union_);
    ASSERT_EQ(raw.vlen(), 2u);
    EXPECT_EQ(raw.members()[1].name, "bytes");
    EXPECT_EQ(raw.members()[1].bit_offset, 0u);
    EXPECT_EQ(btf::cxx_type_name(b, raw.members()[1].type), "u8[4]");
    EXPECT_EQ(b.type(raw.members()[1].type).array().nelems, 4u);

    // cb: typedef of a pointer to a function prototype.
    auto cb = b.resolve(members[10].type);
    EXPECT_EQ(b.type(cb).kind(), btf::kind::ptr);
    EXPECT_EQ(btf::cxx_type_name(b, cb), "int(*)(event*, u32)");
    auto proto = b.type(b.type(cb).type());
    ASSERT_EQ(proto.kind(), btf::kind::func_proto);
    EXPECT_EQ(proto.params().size(), 2u);

    // next: a pointer to the struct itself (legal loop through PTR).
    EXPECT_EQ(b.type(members[7].type).type(), id);
}

TEST_F(btf_types_object, IntegersAndTypedefsResolve) {
    auto u32 = must_find(b, "u32", btf::kind::typedef_);
    auto target = b.type(b.resolve(u32));
    EXPECT_EQ(target.kind(), btf::kind::int_);
    EXPECT_EQ(target.name(), "unsigned int");
    EXPECT_EQ(target.size(), 4u);
    EXPECT_EQ(target.int_bits(), 32u);
    EXPECT_EQ(target.int_offset(), 0u);
    EXPECT_EQ(target.int_encoding(), 0u);
    auto i = b.type(must_find(b, "int", btf::kind::int_));
    EXPECT_EQ(i.int_encoding(), btf::int_signed);
    auto d = b.type(must_find(b, "double", btf::kind::float_));
    EXPECT_EQ(d.size(), 8u);
    EXPECT_FALSE(b.find("u32", btf::kind::struct_).has_value());
    EXPECT_FALSE(b.find("no_such_type", btf::kind::typedef_).has_value());
}

TEST_F(btf_types_object, EnumValues) {
    auto level = b.type(must_find(b, "level", btf::kind::enum_));
    EXPECT_EQ(level.size(), 4u);
    EXPECT_TRUE(level.kind_flag());  // signed
    ASSERT_EQ(level.enumerators().size(), 3u);
    EXPECT_EQ(level.enumerators()[0].name, "LEVEL_LOW");
    EXPECT_EQ(static_cast<std::int64_t>(level.enumerators()[0].value), -1);
    EXPECT_EQ(level.enumerators()[1].name, "LEVEL_MID");
    EXPECT_EQ(level.enumerators()[1].value, 0u);
    EXPECT_EQ(level.enumerators()[2].name, "LEVEL_HIGH");
    EXPECT_EQ(level.enumerators()[2].value, 0x7fffffffu);

    auto wide = b.type(must_find(b, "wide", btf::kind::enum64));
    EXPECT_EQ(wide.size(), 8u);
    EXPECT_FALSE(wide.kind_flag());
    ASSERT_EQ(wide.enumerators().size(), 2u);
    EXPECT_EQ(wide.enumerators()[0].name, "WIDE_SMALL");
    EXPECT_EQ(wide.enumerators()[0].value, 1u);
    EXPECT_EQ(wide.enumerators()[1].name, "WIDE_BIG");
    EXPECT_EQ(wide.enumerators()[1].value, 0x100000000ull);
}

TEST_F(btf_types_object, DatasecVariables) {
    auto rodata = b.type(must_find(b, ".rodata", btf::kind::datasec));
    ASSERT_EQ(rodata.secinfos().size(), 2u);
    auto v0 = b.type(rodata.secinfos()[0].type);
    auto v1 = b.type(rodata.secinfos()[1].type);
    EXPECT_EQ(v0.kind(), btf::kind::var);
    EXPECT_EQ(v0.name(), "target_pid");
    EXPECT_EQ(v0.var_linkage(), btf::linkage::global);
    EXPECT_EQ(rodata.secinfos()[0].size, 4u);
    EXPECT_EQ(btf::cxx_type_name(b, v0.id()), "const volatile u32 target_pid");
    EXPECT_EQ(v1.name(), "thresholds");
    EXPECT_EQ(rodata.secinfos()[1].size, 32u);
    EXPECT_EQ(btf::cxx_type_name(b, v1.id()), "const volatile u64 thresholds[4]");
    EXPECT_EQ(b.size_of(v1.id()), 32u);

    std::vector<std::string> bss;
    for (auto s : b.type(must_find(b, ".bss", btf::kind::datasec)).secinfos())
        bss.emplace_back(b.type(s.type).name());
    EXPECT_THAT(bss, testing::UnorderedElementsAre("last_event", "current_level"));
    std::vector<std::string> data;
    for (auto s : b.type(must_find(b, ".data", btf::kind::datasec)).secinfos())
        data.emplace_back(b.type(s.type).name());
    EXPECT_THAT(data, testing::UnorderedElementsAre("counter", "current_wide"));
    EXPECT_EQ(btf::cxx_type_name(b, must_find(b, "LICENSE", btf::kind::var)), "char LICENSE[4]");
}

TEST_F(btf_types_object, FunctionsAndParameters) {
    auto score = b.type(must_find(b, "score", btf::kind::func));
    EXPECT_EQ(score.func_linkage(), btf::linkage::static_);
    auto proto = b.type(score.type());
    ASSERT_EQ(proto.kind(), btf::kind::func_proto);
    EXPECT_EQ(btf::cxx_type_name(b, proto.type()), "int");
    ASSERT_EQ(proto.params().size(), 3u);
    const char* names[] = {"e", "scale", "lvl"};
    const char* types[] = {"event*", "u32", "level"};
    for (std::uint32_t i = 0; i < 3; ++i) {
        EXPECT_EQ(proto.params()[i].name, names[i]);
        EXPECT_EQ(btf::cxx_type_name(b, proto.params()[i].type), types[i]);
    }
    EXPECT_EQ(btf::cxx_type_name(b, score.id()), "int score(event* e, u32 scale, level lvl)");

    auto on_getpid = b.type(must_find(b, "on_getpid", btf::kind::func));
    EXPECT_EQ(on_getpid.func_linkage(), btf::linkage::global);
    EXPECT_EQ(btf::cxx_type_name(b, on_getpid.id()), "int on_getpid(void* ctx)");
}

TEST_F(btf_types_object, LookupsOutOfRangeThrow) {
    EXPECT_THROW((void)b.type(b.size()), bpfxx::error);
    EXPECT_NO_THROW((void)b.type(b.size() - 1));
    EXPECT_EQ(b.type(0).kind(), btf::kind::unknown);
    EXPECT_EQ(btf::cxx_type_name(b, 0), "void");
    EXPECT_THROW((void)b.string_at(static_cast<std::uint32_t>(b.strings().size())), bpfxx::error);
    EXPECT_EQ(b.string_at(0), "");
    EXPECT_THROW((void)b.size_of(0), bpfxx::error);
    EXPECT_THROW((void)b.size_of(must_find(b, "score", btf::kind::func)), bpfxx::error);
    auto i = b.type(must_find(b, "int", btf::kind::int_));
    EXPECT_THROW((void)i.array(), bpfxx::error);
    EXPECT_THROW((void)i.members(), bpfxx::error);
    EXPECT_THROW((void)i.type(), bpfxx::error);
    auto ev = b.type(must_find(b, "event", btf::kind::struct_));
    EXPECT_THROW((void)ev.members()[ev.vlen()], bpfxx::error);
}

TEST_F(btf_types_object, CopiesOfOwnedBtfAreIndependent) {
    auto blob = object_btf("btf_types.bpf.o");
    auto owned = std::make_unique<btf::btf>(std::vector<std::byte>(blob));
    btf::btf copy = *owned;
    btf::btf moved = std::move(*owned);
    owned.reset();
    EXPECT_EQ(copy.size(), b.size());
    EXPECT_EQ(moved.size(), b.size());
    auto id = must_find(copy, "event", btf::kind::struct_);
    EXPECT_EQ(copy.type(id).members()[2].name, "comm");
    EXPECT_EQ(moved.type(id).members()[2].name, "comm");
    EXPECT_EQ(copy.raw().size(), blob.size());
    EXPECT_NE(copy.raw().data(), moved.raw().data());
}

// Every object compiled in the tree parses and every type prints.
TEST(btf_objects, EveryTestObjectParses) {
    int parsed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(BPFXX_TEST_OBJECTS)) {
        auto path = entry.path().string();
        if (!path.ends_with(".bpf.o")) continue;
        SCOPED_TRACE(path);
        auto bytes = read_file(path);
        bpfxx::elf::file f(bytes);
        const auto* s = f.find_section(".BTF");
        if (s == nullptr) continue;
        btf::btf b(s->data);
        EXPECT_GT(b.size(), 1u);
        for (std::uint32_t id = 0; id < b.size(); ++id) EXPECT_FALSE(btf::cxx_type_name(b, id).empty());
        ++parsed;
    }
    EXPECT_GE(parsed, 2);
}

// ---- the running kernel -----------------------------------------------------

TEST(btf_vmlinux, ParsesTheKernelsBtf) {
    const char* path = "/sys/kernel/btf/vmlinux";
    if (!std::filesystem::exists(path))
        GTEST_SKIP() << path << " does not exist (kernel without CONFIG_DEBUG_INFO_BTF)";
    auto bytes = read_file(path);
    btf::btf vmlinux{bpfxx::detail::bytes(bytes)};
    EXPECT_GT(vmlinux.size(), 10000u);
    auto task = must_find(vmlinux, "task_struct", btf::kind::struct_);
    EXPECT_GT(vmlinux.size_of(task), 1000u);
    EXPECT_EQ(btf::cxx_type_name(vmlinux, task), "task_struct");
    // Trusted mode reads the same types.
    btf::btf fast(bpfxx::detail::bytes(bytes), nullptr, btf::trusted);
    EXPECT_EQ(fast.size(), vmlinux.size());
    EXPECT_EQ(fast.find("task_struct", btf::kind::struct_), task);
    EXPECT_EQ(fast.record(fast.size() - 1).data(), vmlinux.record(vmlinux.size() - 1).data());
    // Every module's split BTF parses over it.
    for (const auto& entry : std::filesystem::directory_iterator("/sys/kernel/btf")) {
        if (entry.path().filename() == "vmlinux") continue;
        SCOPED_TRACE(entry.path().string());
        auto mod = read_file(entry.path().string());
        btf::btf split(std::move(mod), &vmlinux);
        EXPECT_GE(split.size(), vmlinux.size());
    }
}

// ---- hand-built blobs ---------------------------------------------------------

TEST(btf_builder_blobs, MinimalBlob) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    auto blob = bb.build();
    btf::btf b{bpfxx::detail::bytes(blob)};
    EXPECT_EQ(b.size(), 2u);
    EXPECT_EQ(b.type(i).name(), "int");
    EXPECT_EQ(b.raw().data(), blob.data());  // borrowed, not copied
    btf::btf copied(blob);                   // an lvalue vector is copied and owned
    EXPECT_NE(copied.raw().data(), blob.data());
    EXPECT_EQ(copied.type(i).name(), "int");

    btf_builder empty;
    btf::btf e(empty.build());
    EXPECT_EQ(e.size(), 1u);
}

TEST(btf_malformed, Header) {
    btf_builder bb;
    bb.int_("int", 4, 1);
    const auto good = bb.build();

    auto b = good;
    bpfxx_test::poke16(b, 0, 0x1234);
    expect_rejected(b, "magic 0x1234", "expected 0xeb9f");
    b = good;
    bpfxx_test::poke16(b, 0, 0x9feb);
    expect_rejected(b, "big-endian BTF is not supported");
    b = good;
    b[2] = std::byte{2};
    expect_rejected(b, "version 2", "expected 1");
    b = good;
    b[3] = std::byte{1};
    expect_rejected(b, "flags");
    expect_rejected(std::vector<std::byte>(good.begin(), good.begin() + 10),
                    "10 bytes, expected at least 24");
    expect_rejected(std::vector<std::byte>(), "0 bytes");
    b = good;
    bpfxx_test::poke32(b, 4, 20);
    expect_rejected(b, "hdr_len 20");
    b = good;
    bpfxx_test::poke32(b, 4, static_cast<std::uint32_t>(good.size() + 1));
    expect_rejected(b, "hdr_len");
    // A longer header is fine only when its extra bytes are zero.
    b = good;
    b.insert(b.begin() + 24, 4, std::byte{0});
    bpfxx_test::poke32(b, 4, 28);
    EXPECT_EQ(btf::btf(b).size(), 2u);
    b[25] = std::byte{1};
    expect_rejected(b, "unknown header byte at offset 0x19");
}

TEST(btf_malformed, Sections) {
    btf_builder bb;
    bb.int_("int", 4, 1);
    const auto good = bb.build();  // types 0+16, strings 16+5
    auto b = good;
    bpfxx_test::poke32(b, 12, 1000);
    expect_rejected(b, "type section 0x0+0x3e8 runs past the data");
    b = good;
    bpfxx_test::poke32(b, 16, 100);
    expect_rejected(b, "string section 0x64+0x5 runs past the data");
    b = good;
    bpfxx_test::poke32(b, 20, 100);
    expect_rejected(b, "string section");
    b = good;
    bpfxx_test::poke32(b, 16, 8);  // strings inside the types
    bpfxx_test::poke32(b, 20, 4);
    expect_rejected(b, "overlaps string section");
    b = good;
    bpfxx_test::poke32(b, 8, 2);
    bpfxx_test::poke32(b, 12, 12);
    expect_rejected(b, "not 4-byte aligned");
    b = good;
    bpfxx_test::poke32(b, 12, 14);
    expect_rejected(b, "not a multiple of 4");
    // Strings must start and end with NUL.
    b = good;
    b[24 + 16] = std::byte{'x'};
    expect_rejected(b, "expected a NUL at its start");
    b = good;
    b.back() = std::byte{'x'};
    expect_rejected(b, "is not NUL");
    b = good;
    bpfxx_test::poke32(b, 20, 0);
    expect_rejected(b, "expected a NUL at its start");
}

TEST(btf_malformed, NameOffsetPastTheTable) {
    auto bad_name = [](auto add) {
        btf_builder bb;
        bb.int_("int", 4, 1);
        add(bb);
        auto blob = bb.build();
        return blob;
    };
    expect_rejected(bad_name([](btf_builder& bb) { bb.raw(999, K::info(K::TYPEDEF), 1); }), "[2] TYPEDEF",
                    "type name offset 0x3e7 is past the string table");
    expect_rejected(bad_name([](btf_builder& bb) {
                        bb.raw(0, K::info(K::STRUCT, 1), 4, {999, 1, 0});
                    }),
                    "[2] STRUCT", "member #0 name offset 0x3e7");
    expect_rejected(bad_name([](btf_builder& bb) {
                        bb.raw(0, K::info(K::FUNC_PROTO, 2), 1, {0, 1, 999, 1});
                    }),
                    "[2] FUNC_PROTO", "parameter #1 name offset");
    expect_rejected(bad_name([](btf_builder& bb) {
                        bb.raw(0, K::info(K::ENUM, 1), 4, {999, 0});
                    }),
                    "[2] ENUM", "enumerator #0 name offset");
    expect_rejected(bad_name([](btf_builder& bb) {
                        bb.raw(0, K::info(K::ENUM64, 1), 8, {999, 0, 0});
                    }),
                    "[2] ENUM64", "enumerator #0 name offset");
}

TEST(btf_malformed, TypeIdOutOfRangeInEveryReferencingKind) {
    struct reference_case {
        const char* what;
        std::uint32_t kind;
        std::vector<std::uint32_t> extra;
        std::uint32_t size_type;
        std::uint32_t vlen;
        const char* message;
    };
    // Types: [1] int; [2] the case. 7 is past the last id (3 ids).
    const std::vector<reference_case> cases = {
        {"ptr", K::PTR, {}, 7, 0, "[2] PTR"},
        {"typedef", K::TYPEDEF, {}, 7, 0, "[2] TYPEDEF"},
        {"volatile", K::VOLATILE, {}, 7, 0, "[2] VOLATILE"},
        {"const", K::CONST, {}, 7, 0, "[2] CONST"},
        {"restrict", K::RESTRICT, {}, 7, 0, "[2] RESTRICT"},
        {"type_tag", K::TYPE_TAG, {}, 7, 0, "[2] TYPE_TAG"},
        {"func", K::FUNC, {}, 7, 0, "[2] FUNC"},
        {"var", K::VAR, {1}, 7, 0, "[2] VAR"},
        {"decl_tag", K::DECL_TAG, {0xffffffffu}, 7, 0, "[2] DECL_TAG"},
        {"proto return", K::FUNC_PROTO, {}, 7, 0, "return type refers to type id 7"},
        {"proto param", K::FUNC_PROTO, {0, 1, 0, 7}, 1, 2, "parameter #1 refers to type id 7"},
        {"array elem", K::ARRAY, {7, 1, 4}, 0, 0, "array element type refers to type id 7"},
        {"array index", K::ARRAY, {1, 7, 4}, 0, 0, "array index type refers to type id 7"},
        {"struct member", K::STRUCT, {0, 1, 0, 0, 7, 32}, 8, 2, "member #1 refers to type id 7"},
        {"union member", K::UNION, {0, 7, 0}, 4, 1, "[2] UNION"},
        {"datasec var", K::DATASEC, {7, 0, 4}, 4, 1, "variable #0 refers to type id 7"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        btf_builder bb;
        bb.int_("int", 4, 1);
        std::uint32_t name = (c.kind == K::TYPEDEF || c.kind == K::FUNC || c.kind == K::VAR ||
                              c.kind == K::TYPE_TAG || c.kind == K::DECL_TAG || c.kind == K::DATASEC)
                                 ? bb.str("x")
                                 : 0;
        bb.raw(name, K::info(c.kind, c.vlen), c.size_type, {});
        bb.words().insert(bb.words().end(), c.extra.begin(), c.extra.end());
        expect_rejected(bb.build(), c.message, "expected an id below 3");
    }
}

TEST(btf_malformed, UnknownKindAndBadRecords) {
    {
        btf_builder bb;
        bb.int_("int", 4, 1);
        bb.raw(0, K::info(20), 0);
        expect_rejected(bb.build(), "[2] UNKNOWN at offset 0x10", "unknown kind 20, expected 1..19");
    }
    {
        btf_builder bb;
        bb.raw(0, K::info(0), 0);
        expect_rejected(bb.build(), "[1] UNKNOWN", "unknown kind 0");
    }
    {
        // vlen 3 but only one member's bytes follow.
        btf_builder bb;
        auto i = bb.int_("int", 4, 1);
        bb.raw(0, K::info(K::STRUCT, 3), 12, {0, i, 0});
        expect_rejected(bb.build(), "[2] STRUCT at offset 0x10", "vlen 3 needs 48 bytes, only 24 remain");
    }
    {
        // A record header cut short by the end of the type section.
        btf_builder bb;
        bb.int_("int", 4, 1);
        bb.words().push_back(0);
        bb.words().push_back(K::info(K::PTR));
        expect_rejected(bb.build(), "[2]", "12-byte type header runs past the end");
    }
    {
        btf_builder bb;
        bb.raw(0, K::info(K::PTR) | 0x00010000u, 0);
        expect_rejected(bb.build(), "[1] PTR", "sets unused bits");
    }
    {
        btf_builder bb;
        bb.raw(0, K::info(K::INT), 4, {200});
        expect_rejected(bb.build(), "[1] INT", "expected at most 128 bits");
    }
}

TEST(btf_malformed, MemberOutsideTheStruct) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    bb.struct_("s", 8, {{"a", i, 0}, {"b", i, 72}});
    expect_rejected(bb.build(), "[2] STRUCT", "member #1 at bit 72 lies outside the 8-byte type");

    btf_builder bits;
    i = bits.int_("int", 4, 1);
    bits.struct_("s", 4, {{"a", i, (5u << 24) | 30}}, true);
    expect_rejected(bits.build(), "member #0 at bit 30 (5-bit bitfield) lies outside the 4-byte type");

    // clang++ puts methods (type 0) past the end: the parser lets sanitize_cxx see them.
    btf_builder methods;
    i = methods.int_("int", 4, 1);
    methods.struct_("s", 4, {{"a", i, 0}, {"get", 0, 256}});
    btf::btf b(methods.build());
    EXPECT_EQ(b.type(2).members()[1].bit_offset, 256u);
}

TEST(btf_trusted, ChecksOnlyTheLayout) {
    // A loop and a dangling reference pass in trusted mode...
    btf_builder bb;
    bb.typedef_("a", 2);
    bb.typedef_("b", 1);
    bb.ptr(99);
    const auto blob = bb.build();
    expect_rejected(blob, "[3] PTR", "refers to type id 99");
    btf::btf t(bpfxx::detail::bytes(blob), nullptr, btf::trusted);
    EXPECT_EQ(t.size(), 4u);
    EXPECT_EQ(t.type(2).type(), 1u);
    EXPECT_THROW((void)t.type(t.type(3).type()), bpfxx::error);  // ...and fail when followed
    // ...but records past the section never do.
    btf_builder cut;
    cut.raw(0, K::info(K::STRUCT, 5), 4);
    try {
        btf::btf b(cut.build(), nullptr, btf::trusted);
        ADD_FAILURE();
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("vlen 5 needs 72 bytes, only 12 remain"));
    }
}

TEST(btf_loops, TypedefLoop) {
    btf_builder bb;
    bb.typedef_("a", 2);
    bb.typedef_("b", 1);
    expect_rejected(bb.build(), "TYPEDEF", "a type loop without a pointer");
}

TEST(btf_loops, ModifierLoop) {
    btf_builder bb;
    bb.const_(2);
    bb.volatile_(3);
    bb.const_(1);
    expect_rejected(bb.build(), "a type loop without a pointer");
}

TEST(btf_loops, ArrayOfItself) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    bb.array(2, i, 4);
    expect_rejected(bb.build(), "[2] ARRAY", "refers by value to type [2] ARRAY");
}

TEST(btf_loops, StructContainingItselfByValue) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    // struct s { int a; t b; }; typedef struct s t;
    bb.struct_("s", 8, {{"a", i, 0}, {"b", 3, 32}});
    bb.typedef_("t", 2);
    expect_rejected(bb.build(), "a type loop without a pointer");
}

TEST(btf_loops, PointerAndPrototypeLoopsAreLegal) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    // struct list { struct list* next; int (*cb)(struct list*); };
    auto list = bb.struct_("list", 16, {{"next", 3, 0}, {"cb", 4, 64}});
    bb.ptr(list);                  // 3
    bb.ptr(5);                     // 4
    bb.func_proto(i, {{"l", 3}});  // 5
    btf::btf b(bb.build());
    EXPECT_EQ(b.size_of(list), 16u);
    EXPECT_EQ(btf::cxx_type_name(b, list), "list");
    EXPECT_EQ(btf::cxx_type_name(b, 4), "int(*)(list* l)");
    EXPECT_EQ(b.resolve(3), 3u);
}

TEST(btf_loops, MillionTypedefChain) {
    constexpr std::uint32_t n = 1'000'000;
    btf_builder bb;
    auto& w = bb.words();
    w.reserve(std::size_t{n} * 3 + 8);
    auto name = bb.str("t");
    // [1..n] typedef i -> i+1, [n+1] int: the deepest possible by-value chain.
    for (std::uint32_t id = 1; id <= n; ++id) bb.raw(name, K::info(K::TYPEDEF), id + 1);
    auto i = bb.int_("int", 4, 1);
    ASSERT_EQ(i, n + 1);
    btf::btf b(bb.build());
    EXPECT_EQ(b.size(), n + 2);
    EXPECT_EQ(b.resolve(1), n + 1);
    EXPECT_EQ(b.size_of(1), 4u);
    EXPECT_EQ(btf::cxx_type_name(b, 1), "t");

    // Closing the chain into a loop is found without recursion too.
    auto& words = bb.words();
    words[std::size_t{n - 1} * 3 + 2] = 1;  // [n] -> [1]
    expect_rejected(bb.build(), "a type loop without a pointer");
}

TEST(btf_split, IdsAndStringsContinueAfterTheBase) {
    btf_builder base;
    auto i = base.int_("int", 4, 1);                                        // 1
    auto task = base.struct_("task", 8, {{"pid", i, 0}, {"tgid", i, 32}});  // 2
    const auto base_blob = base.build();
    btf::btf vmlinux(base_blob);
    ASSERT_EQ(vmlinux.size(), 3u);

    const auto base_strings = static_cast<std::uint32_t>(vmlinux.strings().size());
    btf_builder mod(vmlinux.size(), base_strings);
    auto p = mod.ptr(task);        // 3
    const auto name_in_base = 1u;  // "int"
    const auto mod_state = mod.str("mod_state");
    const auto owner = mod.str("owner");
    auto s = mod.raw(mod_state, K::info(K::STRUCT, 2), 16, {name_in_base, i, 0, owner, p, 64});  // 4
    auto td = mod.typedef_("state_t", s);                                                        // 5
    btf::btf split(mod.build(), &vmlinux);

    EXPECT_EQ(split.start_id(), 3u);
    EXPECT_EQ(split.size(), 6u);
    EXPECT_EQ(split.start_string(), base_strings);
    EXPECT_EQ(split.type(task).name(), "task");  // a base type through the split object
    EXPECT_EQ(split.type(s).name(), "mod_state");
    EXPECT_EQ(split.type(s).members()[0].name, "int");
    EXPECT_EQ(split.type(s).members()[1].name, "owner");
    EXPECT_EQ(split.string_at(base_strings + 1), "mod_state");
    EXPECT_EQ(btf::cxx_type_name(split, s + 0), "mod_state");
    EXPECT_EQ(btf::cxx_type_name(split, p), "task*");
    EXPECT_EQ(split.resolve(td), s);
    EXPECT_EQ(split.size_of(td), 16u);
    EXPECT_EQ(split.find("task", btf::kind::struct_), task);
    EXPECT_EQ(split.find("state_t", btf::kind::typedef_), td);
    EXPECT_THROW((void)split.type(6), bpfxx::error);
    EXPECT_THROW((void)split.record(task), bpfxx::error);  // not this object's

    // A reference past the split object's last id.
    btf_builder bad(vmlinux.size(), base_strings);
    bad.ptr(9);
    try {
        btf::btf b(bad.build(), &vmlinux);
        ADD_FAILURE();
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("[3] PTR"));
        EXPECT_THAT(e.what(), HasSubstr("expected an id below 4"));
    }
}

// ---- cxx_type_name --------------------------------------------------------------

TEST(btf_format, Declarators) {
    btf_builder bb;
    auto ch = bb.int_("char", 1, 1);                                  // 1
    auto u64 = bb.typedef_("u64", bb.int_("unsigned long long", 8));  // 3 (int is 2)
    auto c_u64 = bb.const_(u64);                                      // 4
    auto p_c_u64 = bb.ptr(c_u64);                                     // 5
    auto idx = bb.int_("__ARRAY_SIZE_TYPE__", 4);                     // 6
    auto comm = bb.array(ch, idx, 16);                                // 7
    auto p_ch = bb.ptr(ch);                                           // 8
    auto argv = bb.array(p_ch, idx, 4);                               // 9
    auto p_comm = bb.ptr(comm);                                       // 10
    auto c_p = bb.const_(bb.ptr(u64));                                // 12 (ptr is 11)
    auto anon_s = bb.struct_("", 4, {});                              // 15
    auto anon_u = bb.union_("", 4, {});                               // 16
    auto anon_e = bb.enum_("", 4, {{"A", 1}});                        // 17
    auto fwd_u = bb.fwd("node", true);                                // 18
    auto varargs = bb.func_proto(0, {{"fmt", p_ch}, {"", 0}});        // 19
    auto fp = bb.ptr(varargs);                                        // 20
    auto f = bb.func("printk", varargs);                              // 21
    auto v = bb.var("g_comm", comm);                                  // 22
    auto sec = bb.datasec(".bss", 16, {{v, 0, 16}});                  // 23
    auto vol = bb.volatile_(comm);                                    // 24
    btf::btf b(bb.build());
    EXPECT_EQ(btf::cxx_type_name(b, 0), "void");
    EXPECT_EQ(btf::cxx_type_name(b, p_c_u64), "const u64*");
    EXPECT_EQ(btf::cxx_type_name(b, comm), "char[16]");
    EXPECT_EQ(btf::cxx_type_name(b, argv), "char*[4]");
    EXPECT_EQ(btf::cxx_type_name(b, p_comm), "char(*)[16]");
    EXPECT_EQ(btf::cxx_type_name(b, c_p), "u64* const");
    EXPECT_EQ(btf::cxx_type_name(b, anon_s), "(anon struct)");
    EXPECT_EQ(btf::cxx_type_name(b, anon_u), "(anon union)");
    EXPECT_EQ(btf::cxx_type_name(b, anon_e), "(anon enum)");
    EXPECT_EQ(btf::cxx_type_name(b, fwd_u), "node");
    EXPECT_EQ(btf::cxx_type_name(b, varargs), "void(char* fmt, ...)");
    EXPECT_EQ(btf::cxx_type_name(b, fp), "void(*)(char* fmt, ...)");
    EXPECT_EQ(btf::cxx_type_name(b, f), "void printk(char* fmt, ...)");
    EXPECT_EQ(btf::cxx_type_name(b, v), "char g_comm[16]");
    EXPECT_EQ(btf::cxx_type_name(b, sec), ".bss");
    EXPECT_EQ(btf::cxx_type_name(b, vol), "volatile char[16]");
}

TEST(btf_format, DeepNestingIsCut) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    std::uint32_t t = i;
    for (int k = 0; k < 100; ++k) t = bb.ptr(t);
    btf::btf b(bb.build());
    auto s = btf::cxx_type_name(b, t);
    EXPECT_THAT(s, testing::StartsWith("..."));
    EXPECT_LT(s.size(), 64u);

    // A prototype whose parameters are prototypes, 8 wide and 8 deep, would
    // spell 8^8 types without the budget.
    btf_builder wide;
    std::uint32_t proto = wide.int_("int", 4, 1);
    for (int depth = 0; depth < 8; ++depth) {
        auto p = wide.ptr(proto);
        proto = wide.func_proto(
            p, {{"a", p}, {"b", p}, {"c", p}, {"d", p}, {"e", p}, {"f", p}, {"g", p}, {"h", p}});
    }
    btf::btf w(wide.build());
    auto spelled = btf::cxx_type_name(w, proto);
    EXPECT_LT(spelled.size(), 1'000'000u);
    EXPECT_THAT(spelled, HasSubstr("..."));

    // A 100,000-character name used by 1,000 parameters prints cut.
    btf_builder names;
    auto big = names.typedef_(std::string(100'000, 'n'), names.int_("int", 4, 1));
    const auto at = names.words().size();
    auto many = names.func_proto(0, {});
    for (int k = 0; k < 1000; ++k) names.words().insert(names.words().end(), {0, big});
    names.words()[at + 1] = btf_builder::info(K::FUNC_PROTO, 1000);
    btf::btf n(names.build());
    ASSERT_EQ(n.type(many).vlen(), 1000u);
    auto cut = btf::cxx_type_name(n, many);
    EXPECT_LT(cut.size(), 10'000u);
    EXPECT_THAT(cut, testing::EndsWith(", ...)"));
}

}  // namespace
