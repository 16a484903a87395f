// SPDX-License-Identifier: MIT OR Apache-2.0
// Every CO-RE relocation of two compiled objects (tests/bpf/core_kinds.bpf.cpp
// in C++, core_kinds_c.bpf.c in C) resolved against a hand-built target
// BTF where fields moved, changed size, sit in another order, are missing,
// and enums changed values. Each patched instruction is checked exactly:
// the immediate (mov, shifts), the offset (loads) or the 64-bit immediate
// (ld_imm64) equals the target's value, and nothing else changed.
#include "btf_builder.hpp"

#include <bpfxx/core/relocate.hpp>
#include <bpfxx/object.hpp>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>

namespace {

using bpfxx::insn;
using bpfxx::btf::core_relo_kind;
using bpfxx_test::btf_builder;
namespace op = bpfxx::op;

// The "kernel": the same names with another layout (see each comment).
struct target_types {
    btf_builder b{1, 0};
    std::uint32_t point, u32_typedef;
    target_types() {
        auto int_ = b.int_("int", 4, bpfxx::btf::int_signed);
        auto uint_ = b.int_("unsigned int", 4);
        auto long_ = b.int_("long", 8, bpfxx::btf::int_signed);
        auto char_ = b.int_("char", 1, bpfxx::btf::int_signed);
        auto inner = b.struct_("core_inner", 8, {{"b", int_, 0}, {"a", int_, 32}});  // a and b swapped
        auto inner_t = b.typedef_("core_inner_t", inner);
        auto name = b.array(char_, int_, 16);  // char name[16]
        auto arr = b.array(long_, int_, 4);
        auto anon = b.union_("", 4, {{"u_uint", uint_, 0}, {"u_int", int_, 0}});
        point = b.next_id();
        b.struct_("core_point", 128,
                  {{"pad", long_, 0},
                   {"x", int_, 64},                // byte 8
                   {"y", long_, 128},              // byte 16
                   {"flags", uint_, (3u << 24) | 197},  // bits 197..199
                   {"sflag", int_, (5u << 24) | 200},   // bits 200..204
                   {"name", name, 256},            // byte 32
                   {"in", inner_t, 384},           // byte 48
                   {"", anon, 448},                // byte 56
                   {"arr", arr, 512},              // byte 64
                   {"next", point + 1, 768}},      // byte 96
                  true);
        b.ptr(point);
        b.enum_("core_color", 4, {{"GREEN", 20}, {"RED", 10}});
        b.enum64("core_scoped", {{"BIG", 0x200000000ull}});
        u32_typedef = b.typedef_("core_u32_t", uint_);
        // No core_missing, no core_color___v2's BLUE, no core_point___v2's `added`.
    }
};

using key = std::tuple<core_relo_kind, std::string, std::string>;  // kind, local type, access

// The value each relocation must put into its instruction.
std::map<key, std::uint64_t> expected(const target_types& t, const bpfxx::btf::btf& local) {
    using k = core_relo_kind;
    return {
        {{k::field_byte_offset, "core_point", "0:1"}, 16},       // y
        {{k::field_byte_offset, "core_point", "0:5:1"}, 48},     // in.b: in at 48, b first
        {{k::field_byte_offset, "core_point", "0:7:2"}, 80},     // arr[2]
        {{k::field_byte_offset, "core_point", "0:6:1"}, 56},     // u_uint in the anonymous union
        {{k::field_byte_offset, "core_point___v2", "0:0"}, 16},  // the flavor's y
        {{k::field_byte_offset, "core_point", "0:0"}, 8},        // x (ldx_offset)
        {{k::field_byte_offset, "core_point", "0:8"}, 96},       // next
        {{k::field_byte_offset, "core_point", "0:4"}, 32},       // name
        {{k::field_byte_offset, "core_point", "0:5"}, 48},       // in
        {{k::field_byte_offset, "core_point", "0:3"}, 24},       // sflag: 4-byte unit at 24
        {{k::field_byte_offset, "core_point", "0:2"}, 24},       // flags
        {{k::field_byte_offset, "core_inner", "0:1"}, 0},        // b (C object)
        {{k::field_byte_size, "core_point", "0:4"}, 16},
        {{k::field_byte_size, "core_point", "0:7"}, 32},
        {{k::field_byte_size, "core_point", "0:5"}, 8},
        {{k::field_byte_size, "core_point", "0:2"}, 4},
        {{k::field_byte_size, "core_point", "0:3"}, 4},
        {{k::field_exists, "core_point", "0:0"}, 1},
        {{k::field_exists, "core_point___v2", "0:2"}, 0},  // `added` is not in the target
        {{k::field_signed, "core_point", "0:3"}, 1},
        {{k::field_signed, "core_point", "0:2"}, 0},
        {{k::field_signed, "core_point", "0:0"}, 1},
        {{k::field_lshift_u64, "core_point", "0:2"}, 64 - (197 + 3 - 192)},
        {{k::field_lshift_u64, "core_point", "0:3"}, 64 - (200 + 5 - 192)},
        {{k::field_rshift_u64, "core_point", "0:2"}, 61},
        {{k::field_rshift_u64, "core_point", "0:3"}, 59},
        {{k::type_id_local, "core_point", "0"}, bpfxx_test::must_find(local, "core_point", bpfxx::btf::kind::struct_)},
        {{k::type_id_local, "core_u32_t", "0"}, bpfxx_test::must_find(local, "core_u32_t", bpfxx::btf::kind::typedef_)},
        {{k::type_id_target, "core_point___v2", "0"}, t.point},
        {{k::type_id_target, "core_u32_t", "0"}, t.u32_typedef},
        {{k::type_exists, "core_point___v2", "0"}, 1},
        {{k::type_exists, "core_missing", "0"}, 0},
        {{k::type_size, "core_point", "0"}, 128},
        {{k::type_size, "core_inner_t", "0"}, 8},
        {{k::type_matches, "core_color", "0"}, 0},  // RED and GREEN changed values
        {{k::type_matches, "core_inner", "0"}, 1},  // same members, other order
        {{k::enumval_exists, "core_color", "1"}, 1},
        {{k::enumval_exists, "core_color___v2", "0"}, 0},  // no BLUE in the target
        {{k::enumval_value, "core_color", "0"}, 10},
        {{k::enumval_value, "core_scoped", "0"}, 0x200000000ull},
    };
}

std::uint64_t value_of(const std::vector<insn>& code, std::size_t at) {
    const auto& i = code[at];
    switch (op::class_of(i.code)) {
        case op::ldx:
        case op::st:
        case op::stx: return static_cast<std::uint64_t>(static_cast<std::int64_t>(i.off));
        case op::ld:
            return std::uint64_t{static_cast<std::uint32_t>(i.imm)} |
                   (std::uint64_t{static_cast<std::uint32_t>(code[at + 1].imm)} << 32);
        default: return static_cast<std::uint32_t>(i.imm);
    }
}

void relocate_object(const std::string& file, std::size_t expected_records) {
    auto obj = bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/" + file);
    ASSERT_NE(obj.btf(), nullptr);
    target_types t;
    bpfxx::btf::btf target_btf{t.b.build()};
    bpfxx::core::target target{target_btf};
    auto want = expected(t, *obj.btf());
    std::set<key> used;
    std::size_t records = 0;
    for (const auto* list : {&obj.programs(), &obj.subprograms()})
        for (const auto& f : *list) {
            std::vector<insn> code(f.insns().begin(), f.insns().end());
            for (const auto& r : f.core_relos) {
                ++records;
                auto local_type = std::string(obj.btf()->type(r.type_id).name());
                key k{r.kind, local_type, std::string(obj.btf()->string_at(r.access_str_off))};
                auto it = want.find(k);
                ASSERT_NE(it, want.end()) << f.name << ": unexpected relocation " << to_string(r.kind) << " "
                                          << local_type << " " << std::get<2>(k);
                used.insert(k);
                auto res = bpfxx::core::resolve(*obj.btf(), r, target);
                EXPECT_FALSE(res.poison) << f.name << " " << res.reason;
                EXPECT_EQ(res.new_value, it->second) << f.name << ": " << bpfxx::core::describe(*obj.btf(), r);
                auto before = code;
                bpfxx::core::patch(code, r.insn_off, res);  // checks the compiler's value first
                EXPECT_EQ(value_of(code, r.insn_off), it->second)
                    << f.name << " insn " << r.insn_off << ": " << bpfxx::core::describe(*obj.btf(), r);
                // Only the relocated field changed (and a load's width, which
                // no relocation here needs).
                for (std::size_t i = 0; i < code.size(); ++i) {
                    bool ldimm64 = before[r.insn_off].code == (op::ld | op::imm | op::dw);
                    if (i == r.insn_off || (ldimm64 && i == r.insn_off + 1u)) {
                        EXPECT_EQ(code[i].code, before[i].code);
                        EXPECT_EQ(code[i].dst_reg, before[i].dst_reg);
                        EXPECT_EQ(code[i].src_reg, before[i].src_reg);
                        continue;
                    }
                    EXPECT_EQ(std::memcmp(&code[i], &before[i], sizeof(insn)), 0) << f.name << " insn " << i;
                }
            }
        }
    EXPECT_EQ(records, expected_records);
    // Every kind is exercised by the object.
    std::set<core_relo_kind> kinds;
    for (const auto& k : used) kinds.insert(std::get<0>(k));
    EXPECT_EQ(kinds.size(), 13u);
}

TEST(CoreObject, CxxObjectEveryKind) { relocate_object("core_kinds.bpf.o", 50); }

TEST(CoreObject, CObjectEveryKind) { relocate_object("core_kinds_c.bpf.o", 51); }

}  // namespace
