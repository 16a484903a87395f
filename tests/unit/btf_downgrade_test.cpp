// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::btf::downgrade: each BTF kind rewritten for a kernel that lacks it,
// checked exactly on hand-built blobs; every test object with all features
// off; the raw feature scan; the probe blobs (built and validated here, loaded
// by tests/kernel/btf_features_test.cpp).
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/downgrade.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>

#include "btf_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#ifndef BPFXX_TEST_OBJECTS
#error "BPFXX_TEST_OBJECTS must name the directory of the compiled tests/bpf objects"
#endif

namespace {

namespace btf = bpfxx::btf;
namespace fb = bpfxx::detail::btf_downgrade;
using bpfxx_test::btf_builder;
using testing::ElementsAre;
using testing::HasSubstr;
using K = btf_builder;

// The features as single-flag sets: only `bit` off (kernel) or on (used).
btf::btf_features only_off(std::uint32_t bit) { return fb::from_mask(fb::all_features & ~bit); }
btf::btf_features only_on(std::uint32_t bit) { return fb::from_mask(bit); }

std::vector<std::string> members(const btf::btf& b, std::uint32_t id) {
    std::vector<std::string> out;
    for (auto m : b.type(id).members())
        out.push_back(std::string(m.name) + "@" + std::to_string(m.bit_offset) + ":" + std::to_string(m.type));
    return out;
}

std::vector<std::string> secinfos(const btf::btf& b, std::uint32_t id) {
    std::vector<std::string> out;
    for (auto v : b.type(id).secinfos())
        out.push_back(std::to_string(v.type) + "+" + std::to_string(v.offset) + ":" + std::to_string(v.size));
    return out;
}

// Every type not named in `changed` is byte for byte the input's record.
void expect_others_unchanged(const btf::btf& in, const btf::btf& out, std::vector<std::uint32_t> changed) {
    for (std::uint32_t id = in.start_id(); id < in.size(); ++id) {
        if (std::find(changed.begin(), changed.end(), id) != changed.end()) continue;
        SCOPED_TRACE(id);
        auto a = in.record(id), b = out.record(id);
        EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
    }
}

// Kinds a kernel without any of the features accepts.
bool old_kind(btf::kind k) {
    switch (k) {
        case btf::kind::var:
        case btf::kind::datasec:
        case btf::kind::float_:
        case btf::kind::decl_tag:
        case btf::kind::type_tag:
        case btf::kind::enum64: return false;
        default: return true;
    }
}

// ---- btf_features ---------------------------------------------------------------

TEST(btf_features, AllNoneAndMasks) {
    EXPECT_EQ(fb::to_mask(btf::btf_features::all()), fb::all_features);
    EXPECT_EQ(fb::to_mask(btf::btf_features::none()), 0u);
    for (std::uint32_t i = 0; i < fb::feature_count; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(fb::to_mask(fb::from_mask(1u << i)), 1u << i);
    }
    btf::btf_features f = btf::btf_features::none();
    f.float_ = true;
    f.enum64 = true;
    EXPECT_EQ(btf::to_string(f), "FLOAT (5.13), ENUM64 (6.0)");
    EXPECT_EQ(btf::to_string(btf::btf_features::none()), "none");
    auto kernel = btf::btf_features::all();
    kernel.enum64 = false;
    EXPECT_EQ(btf::missing_btf_features(f, kernel), only_on(fb::enum64));
}

TEST(btf_features, OldSectionNames) {
    EXPECT_TRUE(fb::is_old_section_name(".data"));
    EXPECT_TRUE(fb::is_old_section_name(".rodata.str1.1"));
    EXPECT_TRUE(fb::is_old_section_name("license"));
    EXPECT_TRUE(fb::is_old_section_name("_x9"));
    EXPECT_FALSE(fb::is_old_section_name("?.struct_ops"));
    EXPECT_FALSE(fb::is_old_section_name("maps/xyz"));
    EXPECT_FALSE(fb::is_old_section_name("9lives"));
    EXPECT_FALSE(fb::is_old_section_name(""));
    EXPECT_FALSE(fb::is_old_section_name(std::string(128, 'a')));
    EXPECT_EQ(fb::to_old_section_name("?.struct_ops"), "_.struct_ops");
    EXPECT_EQ(fb::to_old_section_name("maps/x-y"), "maps_x_y");
    EXPECT_EQ(fb::to_old_section_name("9lives"), "_lives");
    EXPECT_TRUE(fb::is_old_section_name(fb::to_old_section_name(std::string(300, '?'))));
}

// ---- what a blob uses ------------------------------------------------------------

// One type of each interesting shape; `used` must find exactly these.
struct every_kind {
    std::vector<std::byte> blob;
    std::uint32_t i32, var_g, var_s, ds, ds_empty, ds_q, proto, f_static, f_global, proto_anon, f_extern,
        ds_ksyms, flt, st, tag, ttag, tptr, e64, es, eu;
};

every_kind build_every_kind() {
    every_kind e;
    btf_builder b;
    e.i32 = b.int_("int", 4, 1);                                              // 1
    e.var_g = b.var("counter", e.i32, 1);                                     // 2
    e.var_s = b.var("limit", e.i32, 0);                                       // 3
    e.ds = b.datasec(".data", 16, {{e.var_g, 0, 4}, {e.var_s, 8, 4}});        // 4
    e.ds_empty = b.datasec(".rodata", 24, {});                                // 5
    auto var_q = b.var("opt", e.i32, 1);                                      // 6
    e.ds_q = b.datasec("?.struct_ops", 4, {{var_q, 0, 4}});                   // 7
    e.proto = b.func_proto(e.i32, {{"a", e.i32}});                            // 8
    e.f_static = b.func("helper", e.proto, 0);                                // 9
    e.f_global = b.func("prog", e.proto, 1);                                  // 10
    // 11-13: a kfunc extern and its .ksyms, which no kernel takes as they
    // are; downgrade leaves them to the extern resolver (see sanitize.hpp).
    e.proto_anon = b.func_proto(e.i32, {{"", e.i32}, {"", 0}});               // 11: kfunc(int, ...)
    e.f_extern = b.func("bpf_kfunc", e.proto_anon, 2);                        // 12
    e.ds_ksyms = b.datasec(".ksyms", 0, {{e.f_extern, 0, 0}});                // 13
    e.flt = b.float_("double", 8);                                            // 14
    e.st = b.struct_("pt", 16, {{"x", e.flt, 0}, {"y", e.flt, 64}});          // 15
    e.tag = b.decl_tag("nonnull", e.st, 1);                                   // 16
    e.ttag = b.ref(K::TYPE_TAG, e.i32, "user");                              // 17
    e.tptr = b.ptr(e.ttag);                                                   // 18
    e.e64 = b.enum64("wide", {{"SMALL", 1}, {"BIG", 0x100000000ull}});        // 19
    e.es = b.enum_("level", 4, {{"LOW", -1}, {"HIGH", 7}}, true);             // 20
    e.eu = b.enum_("plain", 4, {{"A", 1}});                                   // 21
    e.blob = b.build();
    return e;
}

TEST(btf_downgrade_used, EveryKind) {
    auto e = build_every_kind();
    EXPECT_EQ(btf::used_btf_features(bpfxx::detail::bytes(e.blob)), btf::btf_features::all());
    btf::btf parsed{bpfxx::detail::bytes(e.blob)};
    EXPECT_EQ(btf::used_btf_features(parsed), btf::btf_features::all());
}

TEST(btf_downgrade_used, OneAtATime) {
    struct one {
        std::uint32_t bit;
        void (*build)(btf_builder&);
    };
    const one cases[] = {
        {fb::var_datasec,
         [](btf_builder& b) { b.datasec(".bss", 4, {{b.var("x", b.int_("int", 4), 0), 0, 4}}); }},
        {fb::func_global, [](btf_builder& b) { b.func("f", b.func_proto(0, {}), 1); }},
        {fb::float_, [](btf_builder& b) { b.float_("float", 4); }},
        {fb::decl_tag, [](btf_builder& b) { b.decl_tag("t", b.struct_("s", 0, {}), -1); }},
        {fb::type_tag, [](btf_builder& b) { b.ptr(b.ref(K::TYPE_TAG, b.int_("int", 4), "t")); }},
        {fb::enum64, [](btf_builder& b) { b.enum64("e", {{"A", 1}}); }},
        {fb::signed_enum, [](btf_builder& b) { b.enum_("e", 4, {{"A", -1}}, true); }},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(btf::to_string(only_on(c.bit)));
        btf_builder b;
        c.build(b);
        auto blob = b.build();
        EXPECT_EQ(btf::used_btf_features(bpfxx::detail::bytes(blob)), only_on(c.bit));
    }
    btf_builder b;
    b.struct_("s", 4, {{"a", b.int_("int", 4), 0}});
    b.func("f", b.func_proto(0, {}), 0);
    b.func("k", b.func_proto(0, {}), 2);  // extern: no kernel feature makes it load
    b.enum_("e", 4, {{"A", 1}});
    auto blob = b.build();
    EXPECT_EQ(btf::used_btf_features(bpfxx::detail::bytes(blob)), btf::btf_features::none());
}

TEST(btf_downgrade_used, MalformedBlobsThrow) {
    auto e = build_every_kind();
    auto cut = e.blob;
    bpfxx_test::poke32(cut, 12, 1000000);  // type_len past the end
    EXPECT_THROW((void)btf::used_btf_features(bpfxx::detail::bytes(cut)), bpfxx::error);
    auto bad_kind = e.blob;
    bpfxx_test::poke32(bad_kind, 24 + 4, 25u << 24);  // kind 25 for [1]
    EXPECT_THROW((void)btf::used_btf_features(bpfxx::detail::bytes(bad_kind)), bpfxx::error);
    auto long_vlen = e.blob;
    bpfxx_test::poke32(long_vlen, 24 + 4, (4u << 24) | 0xffff);  // a STRUCT with 65535 members
    EXPECT_THROW((void)btf::used_btf_features(bpfxx::detail::bytes(long_vlen)), bpfxx::error);
    std::vector<std::byte> tiny(10);
    EXPECT_THROW((void)btf::used_btf_features(bpfxx::detail::bytes(tiny)), bpfxx::error);
}

// ---- one feature at a time -----------------------------------------------------------

TEST(btf_downgrade_rules, VarAndDatasec) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::downgrade_report report;
    btf::btf out(btf::downgrade(in, only_off(fb::var_datasec), &report));
    ASSERT_EQ(out.size(), in.size());

    for (auto id : {e.var_g, e.var_s}) {
        auto t = out.type(id);
        EXPECT_EQ(t.kind(), btf::kind::int_);
        EXPECT_EQ(t.size(), 1u);
        EXPECT_EQ(t.int_bits(), 8u);
        EXPECT_EQ(t.int_encoding(), 0u);
        EXPECT_EQ(t.name(), in.type(id).name());
    }
    auto ds = out.type(e.ds);
    EXPECT_EQ(ds.kind(), btf::kind::struct_);
    EXPECT_EQ(ds.name(), "_data");
    EXPECT_EQ(ds.size(), 16u);
    EXPECT_THAT(members(out, e.ds), ElementsAre("counter@0:2", "limit@64:3"));
    // An empty section is an empty struct.
    EXPECT_EQ(out.type(e.ds_empty).kind(), btf::kind::struct_);
    EXPECT_EQ(out.type(e.ds_empty).size(), 24u);
    EXPECT_EQ(out.type(e.ds_empty).vlen(), 0u);
    EXPECT_EQ(out.type(e.ds_q).name(), "__struct_ops");
    // A FUNC is no member; a size-0 section keeps no member outside it.
    EXPECT_EQ(out.type(e.ds_ksyms).kind(), btf::kind::struct_);
    EXPECT_EQ(out.type(e.ds_ksyms).vlen(), 0u);
    EXPECT_EQ(out.type(e.ds_ksyms).name(), "_ksyms");

    expect_others_unchanged(in, out, {e.var_g, e.var_s, e.ds, e.ds_empty, 6, e.ds_q, e.ds_ksyms});
    EXPECT_EQ(report.missing, only_on(fb::var_datasec));
    EXPECT_EQ(report.appended_types, 0u);
    EXPECT_THAT(report.summary(), HasSubstr("[4] DATASEC '.data': DATASEC -> STRUCT (VAR and DATASEC needs kernel 5.2)"));
    EXPECT_THAT(report.summary(), HasSubstr("[2] VAR 'counter': VAR -> 1-byte INT"));
    EXPECT_THAT(report.summary(), HasSubstr("[13] DATASEC '.ksyms': DATASEC -> STRUCT, dropped 1 entries"));
}

TEST(btf_downgrade_rules, MembersOutsideOrOutOfOrderAreDropped) {
    btf_builder b;
    auto i = b.int_("int", 4);
    auto v1 = b.var("a", i), v2 = b.var("b", i), v3 = b.var("c", i), v4 = b.var("weird.name", i);
    auto ds = b.datasec("sec", 8, {{v1, 4, 4}, {v2, 0, 4}, {v3, 8, 4}, {v4, 4, 4}});
    auto blob = b.build();
    btf::btf in{bpfxx::detail::bytes(blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::var_datasec)));
    // b goes back before a, c starts at the end; the odd name becomes an identifier.
    EXPECT_THAT(members(out, ds), ElementsAre("a@32:2", "weird_name@32:5"));
    EXPECT_EQ(out.type(v4).name_off(), 0u);  // the INT stays anonymous rather than invalid
}

TEST(btf_downgrade_rules, FuncLinkage) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::func_global)));
    EXPECT_EQ(out.type(e.f_global).kind(), btf::kind::func);
    EXPECT_EQ(out.type(e.f_global).func_linkage(), btf::linkage::static_);
    EXPECT_EQ(out.type(e.f_global).type(), e.proto);
    EXPECT_EQ(out.type(e.f_global).name(), "prog");
    EXPECT_EQ(out.type(e.f_extern).func_linkage(), btf::linkage::extern_);
    expect_others_unchanged(in, out, {e.f_global});
}

TEST(btf_downgrade_rules, EmptyDatasec) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::empty_datasec)));
    ASSERT_EQ(out.size(), in.size() + 2);
    auto ro = out.type(e.ds_empty);
    EXPECT_EQ(ro.kind(), btf::kind::datasec);
    EXPECT_EQ(ro.size(), 24u);
    EXPECT_THAT(secinfos(out, e.ds_empty), ElementsAre(std::to_string(in.size() + 1) + "+0:24"));
    expect_others_unchanged(in, out, {e.ds_empty});
}

TEST(btf_downgrade_rules, Float) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::float_)));
    auto f = out.type(e.flt);
    EXPECT_EQ(f.kind(), btf::kind::struct_);
    EXPECT_EQ(f.name_off(), 0u);
    EXPECT_EQ(f.size(), 8u);
    EXPECT_EQ(f.vlen(), 0u);
    EXPECT_EQ(out.size_of(e.st), 16u);  // a struct of floats keeps its layout
    expect_others_unchanged(in, out, {e.flt});
}

TEST(btf_downgrade_rules, DeclTag) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::decl_tag)));
    auto t = out.type(e.tag);
    EXPECT_EQ(t.kind(), btf::kind::int_);
    EXPECT_EQ(t.name_off(), 0u);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.int_bits(), 8u);
    expect_others_unchanged(in, out, {e.tag});
}

TEST(btf_downgrade_rules, DeclTagOnAVariableGoesWithIt) {
    btf_builder b;
    auto i = b.int_("int", 4);
    auto v = b.var("x", i);
    auto tag = b.decl_tag("t", v, -1);
    b.datasec(".data", 4, {{v, 0, 4}});
    auto blob = b.build();
    btf::btf in{bpfxx::detail::bytes(blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::var_datasec)));
    EXPECT_EQ(out.type(tag).kind(), btf::kind::int_);
}

TEST(btf_downgrade_rules, TypeTag) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::type_tag)));
    auto t = out.type(e.ttag);
    EXPECT_EQ(t.kind(), btf::kind::const_);
    EXPECT_EQ(t.name_off(), 0u);
    EXPECT_EQ(t.type(), e.i32);
    EXPECT_EQ(out.type(e.tptr).type(), e.ttag);
    EXPECT_EQ(out.resolve(e.ttag), e.i32);
    expect_others_unchanged(in, out, {e.ttag});
}

TEST(btf_downgrade_rules, Enum64) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::enum64)));
    auto t = out.type(e.e64);
    EXPECT_EQ(t.kind(), btf::kind::enum_);
    EXPECT_EQ(t.name(), "wide");
    EXPECT_EQ(t.size(), 8u);
    EXPECT_FALSE(t.kind_flag());
    ASSERT_EQ(t.vlen(), 2u);
    EXPECT_EQ(t.enumerators()[0].name, "SMALL");
    EXPECT_EQ(t.enumerators()[0].value, 1u);
    EXPECT_EQ(t.enumerators()[1].name, "BIG");
    EXPECT_EQ(t.enumerators()[1].value, 0u);  // low 32 bits
    // The signed ENUM is a separate feature and stays.
    EXPECT_TRUE(out.type(e.es).kind_flag());
    expect_others_unchanged(in, out, {e.e64});
}

TEST(btf_downgrade_rules, SignedEnum) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::btf out(btf::downgrade(in, only_off(fb::signed_enum)));
    auto t = out.type(e.es);
    EXPECT_EQ(t.kind(), btf::kind::enum_);
    EXPECT_FALSE(t.kind_flag());
    EXPECT_EQ(t.size(), 4u);
    EXPECT_EQ(t.name_off(), in.type(e.es).name_off());
    EXPECT_EQ(t.enumerators()[0].value, 0xffffffffu);  // the same 32 bits, read unsigned
    EXPECT_EQ(t.enumerators()[1].value, 7u);
    expect_others_unchanged(in, out, {e.es});
}

TEST(btf_downgrade_rules, DatasecNames) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::downgrade_report report;
    btf::btf out(btf::downgrade(in, only_off(fb::datasec_names), &report));
    EXPECT_EQ(out.type(e.ds_q).kind(), btf::kind::datasec);
    EXPECT_EQ(out.type(e.ds_q).name(), "_.struct_ops");
    EXPECT_THAT(secinfos(out, e.ds_q), ElementsAre("6+0:4"));
    EXPECT_EQ(out.type(e.ds).name_off(), in.type(e.ds).name_off());
    expect_others_unchanged(in, out, {e.ds_q});
    EXPECT_THAT(report.summary(), HasSubstr("[7] DATASEC '?.struct_ops': renamed to '_.struct_ops'"));
    // The original strings stay a prefix.
    ASSERT_GT(out.strings().size(), in.strings().size());
    EXPECT_EQ(std::memcmp(out.strings().data(), in.strings().data(), in.strings().size()), 0);
}

TEST(btf_downgrade_rules, EverythingOff) {
    auto e = build_every_kind();
    btf::btf in{bpfxx::detail::bytes(e.blob)};
    btf::downgrade_report report;
    btf::btf out(btf::downgrade(in, btf::btf_features::none(), &report));
    // No filler: DATASECs became STRUCTs.
    ASSERT_EQ(out.size(), in.size());
    EXPECT_EQ(report.missing, btf::btf_features::all());
    EXPECT_EQ(btf::used_btf_features(out), btf::btf_features::none());
    for (std::uint32_t id = 1; id < out.size(); ++id) {
        SCOPED_TRACE(id);
        EXPECT_TRUE(old_kind(out.type(id).kind()));
    }
    // Externs are the extern resolver's business, not a kernel feature's.
    EXPECT_EQ(out.type(e.f_extern).func_linkage(), btf::linkage::extern_);
    EXPECT_EQ(out.type(e.proto_anon).params()[0].name_off, 0u);
    EXPECT_EQ(out.type(e.ds_q).name(), "__struct_ops");
}

TEST(btf_downgrade_rules, NothingMissingReturnsTheBlobItself) {
    auto e = build_every_kind();
    auto copy = e.blob;
    const auto* data = copy.data();
    btf::downgrade_report report;
    report.appended_types = 7;  // reset by the call
    auto out = btf::downgrade(std::move(copy), btf::btf_features::all(), &report);
    EXPECT_EQ(out.data(), data);
    EXPECT_EQ(out, e.blob);
    EXPECT_FALSE(report.changed());
    // Only features the blob does not use are missing: still untouched.
    btf_builder b;
    b.struct_("s", 4, {{"a", b.int_("int", 4), 0}});
    auto plain = b.build();
    auto same = btf::downgrade(plain, btf::btf_features::none());
    EXPECT_EQ(same, plain);
}

TEST(btf_downgrade_rules, SplitBtf) {
    btf_builder base_b;
    auto i = base_b.int_("int", 4);  // 1
    auto base_blob = base_b.build();
    btf::btf base{bpfxx::detail::bytes(base_blob)};
    btf_builder b(base.size(), static_cast<std::uint32_t>(base.strings().size()));
    auto f = b.float_("float", 4);                      // 2
    auto ds = b.datasec(".rodata", 4, {});              // 3
    auto e64 = b.enum64("e", {{"A", 0x500000001ull}});  // 4
    (void)i;
    auto blob = b.build();
    btf::btf in(bpfxx::detail::bytes(blob), &base);
    btf::btf out(btf::downgrade(in, btf::btf_features::none()), &base);
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(out.type(f).kind(), btf::kind::struct_);
    EXPECT_EQ(out.type(ds).kind(), btf::kind::struct_);
    EXPECT_EQ(out.type(ds).name(), "_rodata");
    EXPECT_EQ(out.type(e64).kind(), btf::kind::enum_);
    EXPECT_EQ(out.type(e64).enumerators()[0].value, 1u);
    EXPECT_EQ(out.type(e64).enumerators()[0].name, "A");
    // With VAR/DATASEC available only the empty section needs the filler.
    btf::btf out2(btf::downgrade(in, only_off(fb::empty_datasec)), &base);
    ASSERT_EQ(out2.size(), 7u);
    EXPECT_EQ(out2.type(6).name(), "__bpfxx_datasec_filler");
    EXPECT_EQ(out2.type(ds).secinfos()[0].type, 6u);
}

// ---- compiled objects --------------------------------------------------------------

// Every object built in the tree, sanitised for C++ and downgraded with each
// feature off and with all off, still validates, keeps every type id and
// every size, and uses nothing an old kernel refuses.
TEST(btf_downgrade_objects, EveryTestObject) {
    int checked = 0;
    bool saw_quirks = false;
    for (const auto& entry : std::filesystem::directory_iterator(BPFXX_TEST_OBJECTS)) {
        auto path = entry.path().string();
        if (!path.ends_with(".bpf.o")) continue;
        SCOPED_TRACE(path);
        auto bytes = bpfxx::detail::read_file(path);
        bpfxx::elf::file elf(bytes);
        const auto* s = elf.find_section(".BTF");
        if (s == nullptr) continue;
        btf::btf raw(s->data);
        btf::sanitize_report sr;
        auto sanitized = btf::sanitize_cxx(raw, &sr);
        bpfxx::btf::fix_datasecs(sanitized, elf);
        btf::btf in{bpfxx::detail::bytes(sanitized)};
        const auto used = fb::to_mask(btf::used_btf_features(in));
        EXPECT_EQ(btf::used_btf_features(bpfxx::detail::bytes(sanitized)), btf::used_btf_features(in));

        std::vector<std::uint32_t> kernels = {0};
        for (std::uint32_t i = 0; i < fb::feature_count; ++i) kernels.push_back(fb::all_features & ~(1u << i));
        for (auto kernel : kernels) {
            SCOPED_TRACE(btf::to_string(fb::from_mask(kernel)));
            btf::downgrade_report report;
            btf::btf out(btf::downgrade(in, fb::from_mask(kernel), &report));
            EXPECT_EQ(fb::to_mask(report.missing), used & ~kernel);
            EXPECT_EQ(fb::to_mask(btf::used_btf_features(out)) & ~kernel, 0u) << report.summary();
            ASSERT_EQ(out.size(), in.size() + report.appended_types);
            for (std::uint32_t id = 1; id < in.size(); ++id) {
                auto a = in.type(id), b = out.type(id);
                // (A DATASEC of size 0, without an ELF section, may grow to 1 for the filler.)
                if (bpfxx::detail::btf_impl::has_size(a.kind()) && !(a.kind() == btf::kind::datasec && a.size() == 0)) {
                    EXPECT_EQ(a.size(), b.size()) << id;
                }
                if (a.kind() == btf::kind::struct_ || a.kind() == btf::kind::union_ ||
                    a.kind() == btf::kind::func_proto) {
                    EXPECT_EQ(a.vlen(), b.vlen()) << id;
                }
                if (old_kind(a.kind()) && a.kind() != btf::kind::func && a.kind() != btf::kind::func_proto &&
                    a.kind() != btf::kind::enum_) {
                    auto x = in.record(id), y = out.record(id);
                    EXPECT_TRUE(std::equal(x.begin(), x.end(), y.begin(), y.end())) << id;
                }
            }
            if (kernel == 0) {
                EXPECT_EQ(report.appended_types, 0u);
                for (std::uint32_t id = 1; id < out.size(); ++id) EXPECT_TRUE(old_kind(out.type(id).kind())) << id;
                EXPECT_EQ(btf::used_btf_features(out), btf::btf_features::none());
                // A second pass finds nothing to do.
                auto again = out.raw();
                auto twice = btf::downgrade(std::vector<std::byte>(again.begin(), again.end()),
                                            btf::btf_features::none());
                EXPECT_TRUE(std::equal(twice.begin(), twice.end(), again.begin(), again.end()));
            }
        }
        if (path.ends_with("/btf_cxx_quirks.bpf.o")) {
            saw_quirks = true;
            EXPECT_TRUE(sr.changed());
            EXPECT_NE(used & fb::var_datasec, 0u);
            EXPECT_NE(used & fb::func_global, 0u);
        }
        if (path.ends_with("/btf_types.bpf.o")) {
            EXPECT_NE(used & fb::float_, 0u);
            EXPECT_NE(used & fb::enum64, 0u);
            EXPECT_NE(used & fb::signed_enum, 0u);
        }
        ++checked;
    }
    EXPECT_TRUE(saw_quirks);
    EXPECT_GE(checked, 5);
}

// ---- the probe blobs -------------------------------------------------------------------

// Each probe blob validates and uses exactly its feature (plus VAR/DATASEC
// for the ones that need a section); all of them together form one blob too.
TEST(btf_probe_blobs, EachUsesItsFeature) {
    for (std::uint32_t i = 0; i < fb::feature_count; ++i) {
        const std::uint32_t bit = 1u << i;
        SCOPED_TRACE(btf::to_string(only_on(bit)));
        bpfxx::detail::probes::probe_blob pb(bit);
        auto bytes = pb.bytes();
        btf::btf parsed(bytes);
        auto used = fb::to_mask(btf::used_btf_features(bytes));
        EXPECT_NE(used & bit, 0u);
        const std::uint32_t extra = bit == fb::empty_datasec || bit == fb::datasec_names ? fb::var_datasec : 0u;
        EXPECT_EQ(used & ~bit, extra);
    }
    bpfxx::detail::probes::probe_blob all(fb::all_features);
    btf::btf parsed(all.bytes());
    EXPECT_EQ(btf::used_btf_features(all.bytes()), btf::btf_features::all());
}

}  // namespace
