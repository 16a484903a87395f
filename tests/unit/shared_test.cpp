// SPDX-License-Identifier: MIT OR Apache-2.0
#include <bpfxx/shared.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace {

TEST(shared_types, match_cstdint) {
    static_assert(std::is_same_v<bpfxx::u8, std::uint8_t>);
    static_assert(std::is_same_v<bpfxx::u16, std::uint16_t>);
    static_assert(std::is_same_v<bpfxx::u32, std::uint32_t>);
    static_assert(std::is_same_v<bpfxx::u64, std::uint64_t>);
    static_assert(std::is_same_v<bpfxx::s8, std::int8_t>);
    static_assert(std::is_same_v<bpfxx::s16, std::int16_t>);
    static_assert(std::is_same_v<bpfxx::s32, std::int32_t>);
    static_assert(std::is_same_v<bpfxx::s64, std::int64_t>);
    SUCCEED();
}

TEST(map_type, values_match_uapi) {
    using bpfxx::map_type;
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::hash), 1u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::array), 2u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::perf_event_array), 4u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::lpm_trie), 11u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::cgroup_storage), 19u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::queue), 22u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::ringbuf), 27u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::user_ringbuf), 31u);
    EXPECT_EQ(static_cast<bpfxx::u32>(map_type::arena), 33u);
}

TEST(map_type, names_are_libbpfs) {
    using bpfxx::map_type;
    EXPECT_EQ(std::string_view(to_string(map_type::unspec)), "unspec");
    EXPECT_EQ(std::string_view(to_string(map_type::hash)), "hash");
    EXPECT_EQ(std::string_view(to_string(map_type::cgroup_storage_deprecated)), "cgroup_storage");
    EXPECT_EQ(std::string_view(to_string(map_type::percpu_cgroup_storage)), "percpu_cgroup_storage");
    EXPECT_EQ(std::string_view(to_string(map_type::ringbuf)), "ringbuf");
    EXPECT_EQ(std::string_view(to_string(map_type::arena)), "arena");
    EXPECT_EQ(std::string_view(to_string(static_cast<map_type>(34))), "unknown");
    EXPECT_EQ(std::string_view(to_string(static_cast<map_type>(0xffffffffu))), "unknown");
    for (bpfxx::u32 t = 0; t <= 33; ++t)
        EXPECT_NE(std::string_view(to_string(static_cast<map_type>(t))), "unknown") << t;
    static_assert(std::string_view(to_string(map_type::lru_percpu_hash)) == "lru_percpu_hash");
}

TEST(map_flags, bits_match_uapi) {
    namespace f = bpfxx::map_flags;
    EXPECT_EQ(f::no_prealloc, 0x1u);
    EXPECT_EQ(f::rdonly_prog, 0x80u);
    EXPECT_EQ(f::mmapable, 0x400u);
    EXPECT_EQ(f::inner_map, 0x1000u);
    EXPECT_EQ(f::token_fd, 0x10000u);
    EXPECT_EQ(f::no_user_conv, 0x40000u);
    EXPECT_EQ(static_cast<bpfxx::u64>(bpfxx::update_flag::lock), 4u);
}

TEST(insn, layout_matches_bpf_insn) {
    bpfxx::insn i{};
    i.code = bpfxx::op::alu64 | bpfxx::op::mov | bpfxx::op::x;
    i.dst_reg = 1;
    i.src_reg = 10;
    i.off = -2;
    i.imm = 0x12345678;
    unsigned char raw[8];
    std::memcpy(raw, &i, sizeof raw);
    EXPECT_EQ(raw[0], 0xbf);
    EXPECT_EQ(raw[1], 0xa1);  // little-endian host: dst in the low nibble
    EXPECT_EQ(raw[2], 0xfe);
    EXPECT_EQ(raw[3], 0xff);
    EXPECT_EQ(raw[4], 0x78);
    EXPECT_EQ(raw[7], 0x12);
    EXPECT_EQ(bpfxx::op::class_of(0x85), bpfxx::op::jmp);
    EXPECT_EQ(bpfxx::op::op_of(0x85), bpfxx::op::call);
    EXPECT_EQ(bpfxx::op::class_of(0x18), bpfxx::op::ld);
    EXPECT_EQ(bpfxx::op::size_of(0x18), bpfxx::op::dw);
    EXPECT_EQ(bpfxx::op::mode_of(0x18), bpfxx::op::imm);
    EXPECT_EQ(bpfxx::op::mode_of(0xdb), bpfxx::op::atomic);
    EXPECT_EQ(bpfxx::op::size_of(0xdb), bpfxx::op::dw);
    EXPECT_EQ(bpfxx::op::cmpxchg, 0xf1);
    EXPECT_EQ(bpfxx::op::pseudo_map_idx_value, 6);
    EXPECT_EQ(bpfxx::op::pseudo_kfunc_call, 2);
}

} // namespace
