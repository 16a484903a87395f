// SPDX-License-Identifier: MIT OR Apache-2.0
// The CO-RE relocator against hand-built local and target BTF: each of the
// 13 relocation kinds where fields moved, changed size, were renamed
// (flavors), disappeared, sit in anonymous members, and where enums
// changed values; candidate ambiguity; instruction patching and poisoning.
#include "btf_builder.hpp"
#include "expect_error.hpp"
#include "insn_builder.hpp"

#include <bpfxx/core/relocate.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using bpfxx::insn;
using bpfxx::btf::core_relo_kind;
using bpfxx::btf::core_relo_record;
using bpfxx_test::btf_builder;
namespace op = bpfxx::op;

// struct task { int pid; struct task *parent; unsigned flags:3; int sflags:5; char comm[16]; union { long a; }; }
// as a program's local view, and a "kernel" that moved, resized and
// renamed things.
struct local_types {
    btf_builder b{1, 0};
    std::uint32_t int_, uint_, long_, char_, task, task_ptr, inner_union, anon_color, color, color_old, point;
    std::uint32_t access_root, access_pid, access_parent, access_flags, access_sflags, access_comm3, access_a,
        access_gone, access_color, access_blue, access_bad, access_99;
    local_types() {
        int_ = b.int_("int", 4, bpfxx::btf::int_signed);
        uint_ = b.int_("unsigned int", 4);
        long_ = b.int_("long", 8, bpfxx::btf::int_signed);
        char_ = b.int_("char", 1, bpfxx::btf::int_signed);
        auto comm = b.array(char_, int_, 16);
        inner_union = b.union_("", 8, {{"a", long_, 0}});
        task = b.next_id();
        task_ptr = task + 1;
        b.struct_("task", 56,
                  {{"pid", int_, 0},
                   {"parent", task_ptr, 64},
                   {"flags", uint_, (3u << 24) | 128},
                   {"sflags", int_, (5u << 24) | 131},
                   {"comm", comm, 160},
                   {"", inner_union, 320},
                   {"gone", int_, 136 + 248}},
                  true);
        b.ptr(task);
        color = b.enum_("color", 4, {{"RED", 1}, {"GREEN", 2}, {"BLUE", 3}});
        color_old = b.enum_("color___old", 4, {{"RED", 1}, {"PURPLE", 9}});
        anon_color = b.enum_("", 4, {{"X", 1}});
        point = b.struct_("point___mine", 8, {{"x", int_, 0}, {"y", int_, 32}});
        access_root = b.str("0");
        access_pid = b.str("0:0");
        access_parent = b.str("0:1");
        access_flags = b.str("0:2");
        access_sflags = b.str("0:3");
        access_comm3 = b.str("0:4:3");
        access_a = b.str("0:5:0");
        access_gone = b.str("0:6");
        access_color = b.str("1");
        access_blue = b.str("2");
        access_bad = b.str("0:x");
        access_99 = b.str("0:99");
    }
};

// The target: pid moved behind a new field and became 8 bytes (a u64
// stand-in to exercise size changes), parent moved, flags moved to
// another byte, comm longer, `a` now inside a nested anonymous struct,
// `gone` removed; enums renumbered.
struct target_types {
    btf_builder b{1, 0};
    std::uint32_t task, color, point;
    target_types() {
        auto int_ = b.int_("int", 4, bpfxx::btf::int_signed);
        auto ulong_ = b.int_("unsigned long", 8);
        auto uint_ = b.int_("unsigned int", 4);
        auto long_ = b.int_("long", 8, bpfxx::btf::int_signed);
        auto char_ = b.int_("char", 1, bpfxx::btf::int_signed);
        auto comm = b.array(char_, int_, 32);
        auto inner_struct = b.struct_("", 16, {{"pad", long_, 0}, {"a", long_, 64}});
        auto inner_union = b.union_("", 16, {{"", inner_struct, 0}});
        task = b.next_id();
        auto task_ptr = task + 1;
        b.struct_("task", 128,
                  {{"state", long_, 0},
                   {"pid", ulong_, 64},
                   {"parent", task_ptr, 192},
                   {"flags", uint_, (3u << 24) | 261},
                   {"sflags", int_, (5u << 24) | 270},
                   {"", inner_union, 320},
                   {"comm", comm, 512}},
                  true);
        b.ptr(task);
        color = b.enum_("color", 4, {{"BLUE", 30}, {"GREEN", 20}, {"RED", 10}});
        point = b.struct_("point", 8, {{"y", int_, 0}, {"x", int_, 32}});
    }
};

struct fixture {
    local_types l;
    target_types t;
    bpfxx::btf::btf local{l.b.build()};
    bpfxx::btf::btf target_btf{t.b.build()};
    bpfxx::core::target target{target_btf};

    bpfxx::core::resolution resolve(std::uint32_t type, std::uint32_t access, core_relo_kind k) {
        return bpfxx::core::resolve(local, core_relo_record{0, type, access, k}, target);
    }
};

TEST(CoreEssentialName, StripsTheLastFlavorSuffix) {
    using bpfxx::core::essential_name;
    EXPECT_EQ(essential_name("task_struct___old"), "task_struct");
    EXPECT_EQ(essential_name("task_struct___v2___x"), "task_struct___v2");
    EXPECT_EQ(essential_name("task_struct"), "task_struct");
    EXPECT_EQ(essential_name("a___"), "a___");        // nothing after the separator
    EXPECT_EQ(essential_name("a____b"), "a____b");    // four underscores are no separator
    EXPECT_EQ(essential_name("__x___y"), "__x");
    EXPECT_EQ(essential_name("private___cxx"), "private");
}

TEST(CoreRelocate, FieldByteOffsetFollowsMovedFields) {
    fixture f;
    auto pid = f.resolve(f.l.task, f.l.access_pid, core_relo_kind::field_byte_offset);
    EXPECT_FALSE(pid.poison);
    EXPECT_EQ(pid.orig_value, 0u);
    EXPECT_EQ(pid.new_value, 8u);
    EXPECT_EQ(pid.orig_size, 4u);  // int -> unsigned long: a signed field changed size
    EXPECT_EQ(pid.new_size, 8u);
    EXPECT_TRUE(pid.fail_memsz_adjust);
    EXPECT_EQ(pid.target_access, "0:1");
    auto parent = f.resolve(f.l.task, f.l.access_parent, core_relo_kind::field_byte_offset);
    EXPECT_EQ(parent.orig_value, 8u);
    EXPECT_EQ(parent.new_value, 24u);
    EXPECT_FALSE(parent.fail_memsz_adjust);
    auto comm = f.resolve(f.l.task, f.l.access_comm3, core_relo_kind::field_byte_offset);
    EXPECT_EQ(comm.orig_value, 20u + 3);
    EXPECT_EQ(comm.new_value, 64u + 3);
    EXPECT_EQ(comm.new_size, 1u);
    EXPECT_EQ(comm.target_access, "0:6:3");
}

TEST(CoreRelocate, FieldThroughAnonymousMembersOnBothSides) {
    fixture f;
    auto a = f.resolve(f.l.task, f.l.access_a, core_relo_kind::field_byte_offset);
    EXPECT_FALSE(a.poison);
    EXPECT_EQ(a.orig_value, 40u);
    EXPECT_EQ(a.new_value, 40u + 8);  // union at 40, struct at 0, a at 8
    EXPECT_EQ(a.target_access, "0:5:0:1");
}

TEST(CoreRelocate, FieldByteSizeSignedAndExists) {
    fixture f;
    auto size = f.resolve(f.l.task, f.l.access_pid, core_relo_kind::field_byte_size);
    EXPECT_EQ(size.orig_value, 4u);
    EXPECT_EQ(size.new_value, 8u);
    auto comm_size = f.resolve(f.l.task, f.l.access_comm3, core_relo_kind::field_byte_size);
    EXPECT_EQ(comm_size.new_value, 1u);
    auto sign = f.resolve(f.l.task, f.l.access_pid, core_relo_kind::field_signed);
    EXPECT_EQ(sign.orig_value, 1u);
    EXPECT_EQ(sign.new_value, 0u);
    auto exists = f.resolve(f.l.task, f.l.access_parent, core_relo_kind::field_exists);
    EXPECT_EQ(exists.orig_value, 1u);
    EXPECT_EQ(exists.new_value, 1u);
    auto gone = f.resolve(f.l.task, f.l.access_gone, core_relo_kind::field_exists);
    EXPECT_FALSE(gone.poison);
    EXPECT_EQ(gone.new_value, 0u);
}

TEST(CoreRelocate, BitfieldShiftsAndBytes) {
    fixture f;
    // local flags: bits 128..130 of a 4-byte unit -> load 4 bytes at 16.
    // target flags: bits 261..263 -> byte_off 32 (4-byte unit at bit 256).
    auto off = f.resolve(f.l.task, f.l.access_flags, core_relo_kind::field_byte_offset);
    EXPECT_EQ(off.orig_value, 16u);
    EXPECT_EQ(off.new_value, 32u);
    EXPECT_FALSE(off.validate);
    auto size = f.resolve(f.l.task, f.l.access_flags, core_relo_kind::field_byte_size);
    EXPECT_EQ(size.new_value, 4u);
    auto lshift = f.resolve(f.l.task, f.l.access_flags, core_relo_kind::field_lshift_u64);
    EXPECT_EQ(lshift.orig_value, 64u - (128 + 3 - 128));
    EXPECT_EQ(lshift.new_value, 64u - (261 + 3 - 256));
    auto rshift = f.resolve(f.l.task, f.l.access_flags, core_relo_kind::field_rshift_u64);
    EXPECT_EQ(rshift.orig_value, 61u);
    EXPECT_EQ(rshift.new_value, 61u);
    EXPECT_TRUE(rshift.validate);
    auto sign = f.resolve(f.l.task, f.l.access_sflags, core_relo_kind::field_signed);
    EXPECT_EQ(sign.new_value, 1u);
    auto slshift = f.resolve(f.l.task, f.l.access_sflags, core_relo_kind::field_lshift_u64);
    EXPECT_EQ(slshift.new_value, 64u - (270 + 5 - 256));
    auto srshift = f.resolve(f.l.task, f.l.access_sflags, core_relo_kind::field_rshift_u64);
    EXPECT_EQ(srshift.new_value, 59u);
}

TEST(CoreRelocate, BitfieldStraddlingItsUnitWidensTheLoad) {
    btf_builder lb{1, 0};
    auto u8 = lb.int_("unsigned char", 1);
    auto s = lb.struct_("s", 4, {{"f", u8, (4u << 24) | 6}}, true);
    auto access = lb.str("0:0");
    bpfxx::btf::btf local{lb.build()};
    bpfxx::core::target target{local};
    auto size = bpfxx::core::resolve(local, {0, s, access, core_relo_kind::field_byte_size}, target);
    EXPECT_EQ(size.new_value, 2u);  // bits 6..9 cross a byte: a 2-byte load at 0
    auto lshift = bpfxx::core::resolve(local, {0, s, access, core_relo_kind::field_lshift_u64}, target);
    EXPECT_EQ(lshift.new_value, 64u - 10);
}

TEST(CoreRelocate, MissingFieldIsPoisonedWithTheReason) {
    fixture f;
    auto gone = f.resolve(f.l.task, f.l.access_gone, core_relo_kind::field_byte_offset);
    EXPECT_TRUE(gone.poison);
    EXPECT_NE(gone.reason.find("no field 'gone'"), std::string::npos) << gone.reason;
    EXPECT_EQ(bpfxx::core::describe(f.local, {0, f.l.task, f.l.access_gone, core_relo_kind::field_byte_offset}),
              "byte_off of task::gone (access 0:6)");
}

TEST(CoreRelocate, FlavoredLocalTypeMatchesByEssentialName) {
    fixture f;
    auto x = f.resolve(f.l.point, f.l.access_pid, core_relo_kind::field_byte_offset);
    EXPECT_EQ(x.orig_value, 0u);
    EXPECT_EQ(x.new_value, 4u);
    EXPECT_EQ(x.target.id, f.t.point);
    auto self = bpfxx::core::resolve(f.local, {0, f.l.task, f.l.access_pid, core_relo_kind::field_byte_offset},
                                        bpfxx::core::target(f.local, "self"));
    EXPECT_EQ(self.new_value, 0u);
}

TEST(CoreRelocate, TypeRelocations) {
    fixture f;
    auto exists = f.resolve(f.l.task, f.l.access_root, core_relo_kind::type_exists);
    EXPECT_EQ(exists.new_value, 1u);
    auto size = f.resolve(f.l.task, f.l.access_root, core_relo_kind::type_size);
    EXPECT_EQ(size.orig_value, 56u);
    EXPECT_EQ(size.new_value, 128u);
    auto id = f.resolve(f.l.task, f.l.access_root, core_relo_kind::type_id_target);
    EXPECT_EQ(id.new_value, f.t.task);
    auto local_id = f.resolve(f.l.task, f.l.access_root, core_relo_kind::type_id_local);
    EXPECT_EQ(local_id.new_value, f.l.task);
    EXPECT_FALSE(local_id.validate);
    // point___mine {x, y} vs point {y, x}: compatible, and also matching
    // (names, member types), though the order differs.
    auto matches = f.resolve(f.l.point, f.l.access_root, core_relo_kind::type_matches);
    EXPECT_EQ(matches.new_value, 1u);
    // task: the local one has `gone`, which the target lacks: no match.
    auto task_matches = f.resolve(f.l.task, f.l.access_root, core_relo_kind::type_matches);
    EXPECT_EQ(task_matches.new_value, 0u);
    EXPECT_FALSE(task_matches.poison);
    // An absent type: zero for every type kind, never poisoned.
    btf_builder lb{1, 0};
    auto absent = lb.struct_("not_in_kernel", 4, {});
    auto root = lb.str("0");
    bpfxx::btf::btf local{lb.build()};
    for (auto k : {core_relo_kind::type_exists, core_relo_kind::type_size, core_relo_kind::type_id_target,
                   core_relo_kind::type_matches}) {
        auto r = bpfxx::core::resolve(local, {0, absent, root, k}, f.target);
        EXPECT_FALSE(r.poison);
        EXPECT_EQ(r.new_value, 0u) << to_string(k);
    }
}

TEST(CoreRelocate, EnumValues) {
    fixture f;
    auto red = f.resolve(f.l.color, f.l.access_root, core_relo_kind::enumval_value);
    EXPECT_EQ(red.orig_value, 1u);
    EXPECT_EQ(red.new_value, 10u);
    auto blue = f.resolve(f.l.color, f.l.access_blue, core_relo_kind::enumval_value);
    EXPECT_EQ(blue.new_value, 30u);
    auto purple = f.resolve(f.l.color_old, f.l.access_color, core_relo_kind::enumval_exists);
    EXPECT_EQ(purple.new_value, 0u);
    auto purple_value = f.resolve(f.l.color_old, f.l.access_color, core_relo_kind::enumval_value);
    EXPECT_TRUE(purple_value.poison);
    EXPECT_NE(purple_value.reason.find("no enumerator 'PURPLE'"), std::string::npos) << purple_value.reason;
    EXPECT_EQ(bpfxx::core::describe(f.local, {0, f.l.color_old, f.l.access_color, core_relo_kind::enumval_value}),
              "enumval_value of color___old::PURPLE");
    auto red_old = f.resolve(f.l.color_old, f.l.access_root, core_relo_kind::enumval_exists);
    EXPECT_EQ(red_old.new_value, 1u);
}

TEST(CoreRelocate, AmbiguousCandidatesNameBoth) {
    btf_builder tb{1, 0};
    auto int_ = tb.int_("int", 4, bpfxx::btf::int_signed);
    tb.struct_("pair", 8, {{"a", int_, 0}});
    tb.struct_("pair___other", 8, {{"a", int_, 32}});
    bpfxx::btf::btf target_btf{tb.build()};
    btf_builder lb{1, 0};
    auto lint = lb.int_("int", 4, bpfxx::btf::int_signed);
    auto pair = lb.struct_("pair", 4, {{"a", lint, 0}});
    auto access = lb.str("0:0");
    bpfxx::btf::btf local{lb.build()};
    bpfxx::core::target target{target_btf, "vmlinux"};
    bpfxx_test::expect_error(
        [&] { (void)bpfxx::core::resolve(local, {0, pair, access, core_relo_kind::field_byte_offset}, target); },
        {"ambiguous", "[2] in vmlinux", "[3] in vmlinux", "gives 0", "gives 4"});
    // Two candidates that agree are fine (a module repeating a vmlinux type).
    btf_builder same{1, 0};
    auto sint = same.int_("int", 4, bpfxx::btf::int_signed);
    same.struct_("pair", 8, {{"a", sint, 32}});
    same.struct_("pair___copy", 8, {{"a", sint, 32}});
    bpfxx::btf::btf same_btf{same.build()};
    auto ok = bpfxx::core::resolve(local, {0, pair, access, core_relo_kind::field_byte_offset},
                                   bpfxx::core::target(same_btf));
    EXPECT_EQ(ok.new_value, 4u);
}

TEST(CoreRelocate, ModuleSplitBtfIsACandidateSource) {
    btf_builder vb{1, 0};
    vb.int_("int", 4, bpfxx::btf::int_signed);
    bpfxx::btf::btf vmlinux{vb.build()};
    btf_builder mb{vmlinux.size(), static_cast<std::uint32_t>(vmlinux.strings().size())};
    auto mod_struct = mb.struct_("nf_conn_thing", 16, {{"mark", 1, 96}});
    bpfxx::btf::btf module{mb.build(), &vmlinux};
    btf_builder lb{1, 0};
    auto lint = lb.int_("int", 4, bpfxx::btf::int_signed);
    auto local_struct = lb.struct_("nf_conn_thing", 4, {{"mark", lint, 0}});
    auto access = lb.str("0:0");
    bpfxx::btf::btf local{lb.build()};
    bpfxx::core::target target{vmlinux};
    target.add_split(module, "nf_conntrack");
    auto r = bpfxx::core::resolve(local, {0, local_struct, access, core_relo_kind::field_byte_offset}, target);
    EXPECT_EQ(r.new_value, 12u);
    EXPECT_EQ(r.target.module, "nf_conntrack");
    EXPECT_EQ(r.target.id, mod_struct);
}

// Splits added after a search: earlier candidates stay readable (their
// module names once viewed strings a growing vector moved: a use after free
// under ASan), and the new splits are searched.
TEST(CoreRelocate, SplitsAddedAfterASearchAreSearchedToo) {
    btf_builder vb{1, 0};
    vb.int_("int", 4, bpfxx::btf::int_signed);
    vb.struct_("thing", 4, {{"a", 1, 0}});
    bpfxx::btf::btf vmlinux{vb.build()};
    std::vector<std::unique_ptr<bpfxx::btf::btf>> modules;
    std::vector<std::uint32_t> ids;
    for (int i = 0; i < 12; ++i) {
        btf_builder mb{vmlinux.size(), static_cast<std::uint32_t>(vmlinux.strings().size())};
        ids.push_back(mb.struct_("thing", 8, {{"b", 1, 32}}));
        modules.push_back(std::make_unique<bpfxx::btf::btf>(mb.build(), &vmlinux));
    }
    bpfxx::core::target target{vmlinux};
    const auto before = target.candidates("thing", bpfxx::btf::kind::struct_);
    ASSERT_EQ(before.size(), 1u);
    for (std::size_t i = 0; i < modules.size(); ++i) target.add_split(*modules[i], "module_" + std::to_string(i));
    EXPECT_EQ(before[0].module, "vmlinux");
    const auto after = target.candidates("thing", bpfxx::btf::kind::struct_);
    ASSERT_EQ(after.size(), 13u);
    EXPECT_EQ(after[0].module, "vmlinux");
    EXPECT_EQ(after[12].module, "module_11");
    EXPECT_EQ(after[12].id, ids[11]);
}

// vmlinux.hpp escapes C++ keywords used as kernel names (`private___cxx`,
// `class___cxx`): CO-RE must match them with the kernel's plain names.
TEST(CoreRelocate, CxxKeywordEscapesMatchTheKernelsNames) {
    btf_builder lb{1, 0};
    auto lint = lb.int_("int", 4, bpfxx::btf::int_signed);
    auto s = lb.struct_("kobj", 8, {{"private___cxx", lint, 0}, {"new___cxx", lint, 32}});
    auto access = lb.str("0:1");
    bpfxx::btf::btf local{lb.build()};
    btf_builder tb{1, 0};
    auto tint = tb.int_("int", 4, bpfxx::btf::int_signed);
    tb.struct_("kobj", 16, {{"new", tint, 0}, {"private", tint, 64}});
    bpfxx::btf::btf target_btf{tb.build()};
    auto r = bpfxx::core::resolve(local, {0, s, access, core_relo_kind::field_byte_offset},
                                  bpfxx::core::target(target_btf));
    EXPECT_FALSE(r.poison) << r.reason;
    EXPECT_EQ(r.new_value, 0u);
    EXPECT_EQ(bpfxx::core::describe(local, {0, s, access, core_relo_kind::field_byte_offset}),
              "byte_off of kobj::new (access 0:1)");
}

TEST(CoreRelocate, MalformedRecordsAreErrors) {
    fixture f;
    bpfxx_test::expect_error([&] { (void)f.resolve(f.l.task, f.l.access_bad, core_relo_kind::field_byte_offset); },
                             {"malformed CO-RE access string '0:x'"});
    bpfxx_test::expect_error([&] { (void)f.resolve(f.l.task, f.l.access_99, core_relo_kind::field_byte_offset); },
                             {"member 99", "which has 7"});
    bpfxx_test::expect_error([&] { (void)f.resolve(f.l.task, f.l.access_parent, core_relo_kind::type_size); },
                             {"expected '0'"});
    bpfxx_test::expect_error([&] { (void)f.resolve(f.l.anon_color, f.l.access_root, core_relo_kind::enumval_value); },
                             {"anonymous"});
    bpfxx_test::expect_error([&] { (void)f.resolve(9999, f.l.access_root, core_relo_kind::type_size); },
                             {"type id 9999"});
}

// Instruction patching.
using bpfxx_test::make;

TEST(CorePatch, LoadOffsetAndWidth) {
    fixture f;
    auto parent = f.resolve(f.l.task, f.l.access_parent, core_relo_kind::field_byte_offset);
    std::vector<insn> code{make(op::ldx | op::mem | op::dw, 1, 2, 8, 0)};
    bpfxx::core::patch(code, 0, parent);
    EXPECT_EQ(code[0].off, 24);
    EXPECT_EQ(code[0].code, op::ldx | op::mem | op::dw);
    // pid: int -> unsigned long is not a safe width change: poisoned.
    auto pid = f.resolve(f.l.task, f.l.access_pid, core_relo_kind::field_byte_offset);
    std::vector<insn> load_pid{make(op::ldx | op::mem | op::w, 1, 2, 0, 0)};
    bpfxx::core::patch(load_pid, 0, pid);
    EXPECT_EQ(load_pid[0].code, op::jmp | op::call);
    EXPECT_EQ(load_pid[0].imm, bpfxx::core::poison_helper_id);
    // The same relocation on an ALU add only moves the offset.
    std::vector<insn> add{make(op::alu64 | op::add | op::k, 1, 0, 0, 0)};
    bpfxx::core::patch(add, 0, pid);
    EXPECT_EQ(add[0].imm, 8);
    // A load whose offset is not what the compiler recorded is an error.
    std::vector<insn> wrong{make(op::ldx | op::mem | op::dw, 1, 2, 16, 0)};
    bpfxx_test::expect_error([&] { bpfxx::core::patch(wrong, 0, parent); }, {"has offset 16", "expects 8"});
}

TEST(CorePatch, UnsignedFieldThatGrewChangesTheLoadWidth) {
    btf_builder lb{1, 0};
    auto u16 = lb.int_("unsigned short", 2);
    auto s = lb.struct_("widen", 4, {{"v", u16, 16}});
    auto access = lb.str("0:0");
    bpfxx::btf::btf local{lb.build()};
    btf_builder tb{1, 0};
    auto u32 = tb.int_("unsigned int", 4);
    tb.struct_("widen", 8, {{"v", u32, 32}});
    bpfxx::btf::btf target_btf{tb.build()};
    auto r = bpfxx::core::resolve(local, {0, s, access, core_relo_kind::field_byte_offset},
                                  bpfxx::core::target(target_btf));
    EXPECT_FALSE(r.fail_memsz_adjust);
    std::vector<insn> code{make(op::ldx | op::mem | op::h, 3, 1, 2, 0)};
    bpfxx::core::patch(code, 0, r);
    EXPECT_EQ(code[0].off, 4);
    EXPECT_EQ(code[0].code, op::ldx | op::mem | op::w);
}

TEST(CorePatch, LdImm64AndPoisonOfBothHalves) {
    fixture f;
    auto red = f.resolve(f.l.color, f.l.access_root, core_relo_kind::enumval_value);
    std::vector<insn> code{make(op::ld | op::imm | op::dw, 1, 0, 0, 1), make(0, 0, 0, 0, 0)};
    bpfxx::core::patch(code, 0, red);
    EXPECT_EQ(code[0].imm, 10);
    EXPECT_EQ(code[1].imm, 0);
    auto purple = f.resolve(f.l.color_old, f.l.access_color, core_relo_kind::enumval_value);
    std::vector<insn> poisoned{make(op::ld | op::imm | op::dw, 1, 0, 0, 9), make(0, 0, 0, 0, 0)};
    bpfxx::core::patch(poisoned, 0, purple);
    for (const auto& i : poisoned) {
        EXPECT_EQ(i.code, op::jmp | op::call);
        EXPECT_EQ(i.imm, bpfxx::core::poison_helper_id);
    }
    // A map load (src_reg set) is not a CO-RE ld_imm64.
    std::vector<insn> map_load{make(op::ld | op::imm | op::dw, 1, op::pseudo_map_fd, 0, 1), make(0, 0, 0, 0, 0)};
    bpfxx_test::expect_error([&] { bpfxx::core::patch(map_load, 0, red); }, {"not a plain ld_imm64"});
    // Validation: the compiler put 1 (RED) there; 7 means a mismatch.
    std::vector<insn> mismatch{make(op::ld | op::imm | op::dw, 1, 0, 0, 7), make(0, 0, 0, 0, 0)};
    bpfxx_test::expect_error([&] { bpfxx::core::patch(mismatch, 0, red); }, {"loads 7", "expects 1"});
}

TEST(CorePatch, MovImmediateOfExistence) {
    fixture f;
    auto gone = f.resolve(f.l.task, f.l.access_gone, core_relo_kind::field_exists);
    std::vector<insn> code{make(op::alu64 | op::mov | op::k, 0, 0, 0, 1)};
    bpfxx::core::patch(code, 0, gone);
    EXPECT_EQ(code[0].imm, 0);
    std::vector<insn> jump{make(op::jmp | op::ja, 0, 0, 0, 0)};
    bpfxx_test::expect_error([&] { bpfxx::core::patch(jump, 0, gone); }, {"which takes none"});
}

}  // namespace
