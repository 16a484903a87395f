// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx/map.hpp without a kernel: which types the concepts take, the range
// shapes, the per-CPU layout, the CPU list parser and the checks open()
// makes before any system call. Real maps: tests/kernel/map_test.cpp.
#include <bpfxx/map.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <iterator>
#include <map>
#include <memory>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace maptest {

using bpfxx::u16;
using bpfxx::u32;
using bpfxx::u64;
using bpfxx::u8;

struct flow {  // 4 + 4 + 2 + 2 + 1 + 3 explicit padding: no implicit padding
    u32 saddr;
    u32 daddr;
    u16 sport;
    u16 dport;
    u8 proto;
    u8 pad[3];
};
struct padded {  // 4 bytes of implicit padding after `pid`
    u32 pid;
    u64 start;
};
struct empty {};
struct with_float {
    u32 id;
    float weight;
};
struct not_trivially_copyable {
    u32 x;
    not_trivially_copyable(const not_trivially_copyable&) {}
};
struct alignas(16) over_aligned {
    u64 a;
    u64 b;
};
struct with_pointer_member {  // trivially copyable: only a top-level pointer is refused
    u64 a;
    const char* name;
};
enum class state : u32 { idle, busy };

template <class K, class V>
concept hash_map_of = requires { typename bpfxx::hash_map<K, V>; };
template <class V>
concept array_map_of = requires { typename bpfxx::array_map<V>; };
template <class K, class V>
concept percpu_hash_map_of = requires { typename bpfxx::percpu_hash_map<K, V>; };

}  // namespace maptest

namespace {

using namespace maptest;

TEST(map_key, accepts_plain_keys) {
    static_assert(bpfxx::map_key<u32>);
    static_assert(bpfxx::map_key<u64>);
    static_assert(bpfxx::map_key<int>);
    static_assert(bpfxx::map_key<bool>);
    static_assert(bpfxx::map_key<state>);
    static_assert(bpfxx::map_key<flow>);
    static_assert(bpfxx::map_key<std::array<u8, 16>>);
    static_assert(bpfxx::map_key<std::array<u32, 4>>);
    static_assert(sizeof(flow) == 16);
    SUCCEED();
}

TEST(map_key, refuses_what_the_kernel_cannot_hash) {
    static_assert(!bpfxx::map_key<std::string>);
    static_assert(!bpfxx::map_key<std::vector<u8>>);
    static_assert(!bpfxx::map_key<not_trivially_copyable>);
    static_assert(!bpfxx::map_key<std::unique_ptr<int>>);
    SUCCEED();
}

TEST(map_key, refuses_pointers_references_qualifiers_arrays) {
    static_assert(!bpfxx::map_key<int*>);
    static_assert(!bpfxx::map_key<const char*>);
    static_assert(!bpfxx::map_key<void*>);
    static_assert(!bpfxx::map_key<std::nullptr_t>);
    static_assert(!bpfxx::map_key<int flow::*>);
    static_assert(!bpfxx::map_key<void (*)()>);
    static_assert(!bpfxx::map_key<int&>);
    static_assert(!bpfxx::map_key<const int&>);
    static_assert(!bpfxx::map_key<int&&>);
    static_assert(!bpfxx::map_key<const u32>);
    static_assert(!bpfxx::map_key<volatile u32>);
    static_assert(!bpfxx::map_key<char[16]>);
    static_assert(!bpfxx::map_key<void>);
    static_assert(!bpfxx::map_key<void()>);
    SUCCEED();
}

TEST(map_key, refuses_padding_floats_and_empty_types) {
    static_assert(!bpfxx::map_key<padded>);
    static_assert(!bpfxx::map_key<float>);
    static_assert(!bpfxx::map_key<double>);
    static_assert(!bpfxx::map_key<with_float>);
    static_assert(!bpfxx::map_key<empty>);
    static_assert(!bpfxx::map_key<std::pair<u32, u32>>);  // not trivially copyable in libstdc++/libc++
    SUCCEED();
}

TEST(map_value, accepts_what_the_kernel_copies) {
    static_assert(bpfxx::map_value<u64>);
    static_assert(bpfxx::map_value<double>);
    static_assert(bpfxx::map_value<padded>);  // padding in values is harmless
    static_assert(bpfxx::map_value<with_float>);
    static_assert(bpfxx::map_value<flow>);
    static_assert(bpfxx::map_value<with_pointer_member>);
    static_assert(bpfxx::map_value<std::array<u8, 4096>>);
    SUCCEED();
}

TEST(map_value, refuses_non_trivially_copyable_pointers_and_over_aligned) {
    static_assert(!bpfxx::map_value<std::string>);
    static_assert(!bpfxx::map_value<not_trivially_copyable>);
    static_assert(!bpfxx::map_value<std::vector<int>>);
    static_assert(!bpfxx::map_value<int*>);
    static_assert(!bpfxx::map_value<int&>);
    static_assert(!bpfxx::map_value<const u64>);
    static_assert(!bpfxx::map_value<u64[2]>);
    static_assert(!bpfxx::map_value<empty>);
    static_assert(!bpfxx::map_value<over_aligned>);
    static_assert(!bpfxx::map_value<void>);
    SUCCEED();
}

TEST(percpu_map_value, limited_to_32_kib_per_cpu) {
    static_assert(bpfxx::percpu_map_value<u64>);
    static_assert(bpfxx::percpu_map_value<std::array<u8, 32 * 1024>>);
    static_assert(bpfxx::percpu_map_value<std::array<u8, 32 * 1024 - 7>>);  // rounds up to exactly 32 KiB
    static_assert(!bpfxx::percpu_map_value<std::array<u8, 32 * 1024 + 1>>);
    static_assert(!bpfxx::percpu_map_value<std::string>);
    SUCCEED();
}

TEST(map_handles, templates_check_their_arguments) {
    static_assert(hash_map_of<u32, u64>);
    static_assert(hash_map_of<flow, padded>);
    static_assert(!hash_map_of<std::string, int>);
    static_assert(!hash_map_of<int*, int>);
    static_assert(!hash_map_of<padded, int>);
    static_assert(!hash_map_of<u32, not_trivially_copyable>);
    static_assert(!hash_map_of<u32, over_aligned>);
    static_assert(array_map_of<u64>);
    static_assert(!array_map_of<std::string>);
    static_assert(percpu_hash_map_of<u32, u64>);
    static_assert(!percpu_hash_map_of<u32, std::array<u8, 40000>>);
    SUCCEED();
}

TEST(map_handles, move_only) {
    using hm = bpfxx::hash_map<u32, u64>;
    static_assert(!std::is_copy_constructible_v<hm>);
    static_assert(!std::is_copy_assignable_v<hm>);
    static_assert(std::is_nothrow_move_constructible_v<hm>);
    static_assert(std::is_nothrow_move_assignable_v<hm>);
    static_assert(std::is_nothrow_move_constructible_v<bpfxx::array_map<u64>>);
    static_assert(std::is_nothrow_move_constructible_v<bpfxx::percpu_hash_map<u32, u64>>);
    static_assert(std::is_nothrow_move_constructible_v<bpfxx::percpu_array_map<u64>>);
    hm empty;
    EXPECT_EQ(empty.fd(), -1);
    EXPECT_FALSE(empty);
    EXPECT_EQ(empty.max_entries(), 0u);
    EXPECT_EQ(empty.name(), "");
}

TEST(map_handles, hot_paths_are_noexcept) {
    using hm = bpfxx::hash_map<u32, u64>;
    const hm* m = nullptr;
    hm* w = nullptr;
    static_assert(noexcept(m->lookup(u32{})));
    static_assert(noexcept(w->update(u32{}, u64{})));
    static_assert(noexcept(w->erase(u32{})));
    static_assert(noexcept(m->keys()));
    static_assert(noexcept(m->items()));
    static_assert(noexcept(m->count()));
    static_assert(noexcept(m->keys().begin()));
    static_assert(noexcept(++m->items().begin()));
    const bpfxx::array_map<u64>* a = nullptr;
    static_assert(noexcept(a->lookup(0)));
    static_assert(std::is_same_v<decltype(m->lookup(u32{})), std::optional<u64>>);
    static_assert(std::is_same_v<decltype(w->update(u32{}, u64{})), bpfxx::result<void>>);
    SUCCEED();
}

TEST(map_ranges, are_input_ranges_with_the_right_values) {
    using hm = bpfxx::hash_map<flow, padded>;
    static_assert(std::ranges::input_range<hm::key_range>);
    static_assert(std::ranges::input_range<hm::item_range>);
    static_assert(std::input_iterator<hm::key_range::iterator>);
    static_assert(std::sentinel_for<std::default_sentinel_t, hm::item_range::iterator>);
    static_assert(std::is_same_v<std::ranges::range_value_t<hm::key_range>, flow>);
    static_assert(std::is_same_v<std::ranges::range_value_t<hm::item_range>, std::pair<flow, padded>>);
    static_assert(std::is_same_v<std::ranges::range_reference_t<hm::item_range>, const std::pair<flow, padded>&>);

    using am = bpfxx::array_map<u64>;
    static_assert(std::ranges::input_range<am::value_range>);
    static_assert(std::is_same_v<std::ranges::range_value_t<am::value_range>, u64>);
    static_assert(std::is_same_v<std::ranges::range_value_t<am::item_range>, std::pair<u32, u64>>);

    using pm = bpfxx::percpu_hash_map<u32, u64>;
    static_assert(std::ranges::input_range<pm::item_range>);
    static_assert(std::is_same_v<std::ranges::range_value_t<pm::item_range>, std::pair<u32, std::vector<u64>>>);
    using pa = bpfxx::percpu_array_map<u32>;
    static_assert(std::is_same_v<std::ranges::range_value_t<pa::item_range>, std::pair<u32, std::vector<u32>>>);
    SUCCEED();
}

TEST(map_open, refuses_a_negative_fd_before_any_system_call) {
    try {
        (void)bpfxx::hash_map<u32, u32>::open(-1);
        FAIL() << "open(-1) did not throw";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EBADF);
        EXPECT_STREQ(e.what(), "bpfxx::hash_map<unsigned int, unsigned int>::open: -1 is not a file descriptor");
    }
    try {
        (void)bpfxx::array_map<flow>::open(-7);
        FAIL() << "open(-7) did not throw";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EBADF);
        EXPECT_STREQ(e.what(), "bpfxx::array_map<maptest::flow>::open: -7 is not a file descriptor");
    }
    EXPECT_THROW((void)(bpfxx::percpu_hash_map<u32, u32>::open(-1)), bpfxx::error);
    EXPECT_THROW((void)bpfxx::percpu_array_map<u32>::open(-1), bpfxx::error);
}

TEST(map_detail, type_names) {
    EXPECT_EQ(bpfxx::detail::type_name<unsigned int>(), "unsigned int");
    EXPECT_EQ(bpfxx::detail::type_name<maptest::flow>(), "maptest::flow");
    EXPECT_EQ((bpfxx::detail::type_name<std::array<int, 4>>()), "std::array<int, 4>");
}

TEST(map_detail, handle_advice_per_map_type) {
    using bpfxx::map_type;
    using bpfxx::detail::handle_for;
    EXPECT_STREQ(handle_for(map_type::hash), "bpfxx::hash_map");
    EXPECT_STREQ(handle_for(map_type::lru_hash), "bpfxx::hash_map");
    EXPECT_STREQ(handle_for(map_type::array), "bpfxx::array_map");
    EXPECT_STREQ(handle_for(map_type::percpu_hash), "bpfxx::percpu_hash_map");
    EXPECT_STREQ(handle_for(map_type::lru_percpu_hash), "bpfxx::percpu_hash_map");
    EXPECT_STREQ(handle_for(map_type::percpu_array), "bpfxx::percpu_array_map");
    EXPECT_STREQ(handle_for(map_type::ringbuf), "bpfxx::ring_buffer");
    EXPECT_STREQ(handle_for(map_type::lpm_trie), "bpfxx::lpm_trie (bpfxx/map_kinds.hpp)");
    EXPECT_STREQ(handle_for(map_type::hash_of_maps), "bpfxx::map_of_maps (bpfxx/map_kinds.hpp)");
    EXPECT_STREQ(handle_for(map_type::stack_trace), "bpfxx::stack_trace_map (bpfxx/map_kinds.hpp)");
    EXPECT_EQ(handle_for(map_type::cgroup_array), nullptr);
}

TEST(map_detail, percpu_slots_round_up_to_8_bytes) {
    using bpfxx::detail::percpu_buffer;
    static_assert(percpu_buffer<u8>::stride == 8);
    static_assert(percpu_buffer<u32>::stride == 8);
    static_assert(percpu_buffer<u64>::stride == 8);
    static_assert(percpu_buffer<std::array<u8, 12>>::stride == 16);
    static_assert(percpu_buffer<flow>::stride == 16);

    percpu_buffer<u32> buffer(3);
    const std::vector<u32> in{0x11111111, 0x22222222, 0x33333333};
    buffer.encode(in);
    const auto* raw = static_cast<const u32*>(buffer.data());
    // Slot i at byte 8 * i; the 4 padding bytes after each stay zero.
    EXPECT_EQ(raw[0], 0x11111111u);
    EXPECT_EQ(raw[1], 0u);
    EXPECT_EQ(raw[2], 0x22222222u);
    EXPECT_EQ(raw[3], 0u);
    EXPECT_EQ(raw[4], 0x33333333u);
    EXPECT_EQ(raw[5], 0u);
    std::vector<u32> out{7, 7, 7, 7, 7};
    buffer.decode(out);
    EXPECT_EQ(out, in);

    buffer.fill(0xabcdef01);
    buffer.decode(out);
    EXPECT_EQ(out, (std::vector<u32>{0xabcdef01, 0xabcdef01, 0xabcdef01}));
}

TEST(map_detail, cpu_lists) {
    using bpfxx::detail::parse_cpu_list;
    auto check = [](std::string_view text, u32 count, u32 end) {
        auto list = parse_cpu_list(text);
        EXPECT_EQ(list.count, count) << '"' << text << '"';
        EXPECT_EQ(list.end, end) << '"' << text << '"';
    };
    check("0-3\n", 4, 4);
    check("0", 1, 1);
    check("0-1", 2, 2);
    check("0,2-5", 5, 6);
    check("0-3,8-11\n", 8, 12);
    check("5", 1, 6);
    check("", 0, 0);
    check("\n", 0, 0);
    check("x", 0, 0);
    check("3-1", 0, 0);
    check("0-", 0, 0);
    check("0;1", 0, 0);
    check("0-4294967295", 0, 0);
    check("1048576", 0, 0);
    EXPECT_GE(bpfxx::detail::possible_cpus().count, 1u);
}

}  // namespace
