// SPDX-License-Identifier: MIT OR Apache-2.0
// The map kinds of bpfxx/map_kinds.hpp against the kernel-side templates of
// kernel/bpfxx/maps.hpp: tests/bpf/map_kinds.bpf.cpp reads and writes each
// map in a program run with BPF_PROG_TEST_RUN, and user space checks what
// it did, and the reverse. Also maps created, pinned, reopened and frozen
// from user space, and load_options::set_autocreate. Needs root (CAP_BPF);
// kinds the kernel lacks skip with the kernel version that brought them.
#include <bpfxx/features.hpp>
#include <bpfxx/introspect.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map_kinds.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/test_run.hpp>

#include "../bpf/map_kinds.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using bpfxx::map_type;
using bpfxx::u32;
using bpfxx::u64;
using testing::HasSubstr;
using namespace map_kinds;
using ipv4_key = bpfxx::lpm_key<u32>;

bool supported(map_type type) { return bpfxx::features::map_type_supported(type) == bpfxx::features::answer::yes; }

class MapKinds : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to create maps and load programs";
        bpfxx::load_options options;
        if (!supported(map_type::bloom_filter)) options.set_autocreate("seen", false).disable_program("run_bloom");
        lo_.emplace(bpfxx::loaded_object::load(
            bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/map_kinds.bpf.o"), options));
    }

    // What run_command (or run_bloom) returns for {cmd, arg}.
    u32 run(command cmd, u64 arg = 0, const char* program = "run_command") {
        const std::array<u64, 2> args{cmd, arg};
        bpfxx::test_run_options o;
        o.context = bpfxx::bytes_of(args);
        return bpfxx::test_run(lo_->program(program).fd(), o).return_value;
    }
    int map_fd(const char* name) const { return lo_->map(name).fd(); }

    std::optional<bpfxx::loaded_object> lo_;
};

u32 ipv4(const char* text) {
    in_addr a{};
    EXPECT_EQ(inet_pton(AF_INET, text, &a), 1) << text;
    return a.s_addr;  // network order, as the trie compares bytes
}

TEST_F(MapKinds, LpmTrieMatchesTheLongestPrefixOnBothSides) {
    auto rules = bpfxx::lpm_trie<ipv4_key, u32>::open(map_fd("rules"));
    EXPECT_EQ(rules.max_prefix(), 32u);
    ASSERT_TRUE(rules.update({16, ipv4("10.1.0.0")}, 2));
    ASSERT_TRUE(rules.update({24, ipv4("10.1.2.0")}, 1));
    ASSERT_TRUE(rules.update({32, ipv4("10.1.2.3")}, 3));
    EXPECT_EQ(run(lpm_lookup, ipv4("10.1.2.3")), 3u);
    EXPECT_EQ(run(lpm_lookup, ipv4("10.1.2.9")), 1u);
    EXPECT_EQ(run(lpm_lookup, ipv4("10.1.9.9")), 2u);
    EXPECT_EQ(run(lpm_lookup, ipv4("11.0.0.1")), miss);
    // User-space lookups match the same way.
    EXPECT_EQ(rules.lookup({32, ipv4("10.1.2.200")}), std::optional<u32>(1));
    EXPECT_EQ(rules.lookup({32, ipv4("12.0.0.0")}), std::nullopt);
    auto count = rules.count();
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, 3u);
    ASSERT_TRUE(rules.erase({24, ipv4("10.1.2.0")}));
    EXPECT_EQ(run(lpm_lookup, ipv4("10.1.2.9")), 2u) << "the /16 matches once the /24 is gone";
    auto absent = rules.erase({24, ipv4("10.1.2.0")});
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error(), ENOENT);
}

TEST_F(MapKinds, QueueIsFirstInFirstOutAcrossTheBoundary) {
    auto fifo = bpfxx::queue<u32>::open(map_fd("fifo"));
    ASSERT_TRUE(fifo.push(1));
    ASSERT_TRUE(fifo.push(2));
    EXPECT_EQ(fifo.peek(), std::optional<u32>(1));
    EXPECT_EQ(run(queue_pop), 1u);
    EXPECT_EQ(run(queue_push, 3), 0u);
    EXPECT_EQ(fifo.pop(), std::optional<u32>(2));
    EXPECT_EQ(fifo.pop(), std::optional<u32>(3));
    EXPECT_EQ(fifo.pop(), std::nullopt);
    EXPECT_EQ(run(queue_pop), miss);
    // Full: E2BIG, unless update_flag::exist drops the oldest.
    for (u32 i = 0; i < 8; ++i) ASSERT_TRUE(fifo.push(10 + i));
    auto full = fifo.push(99);
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error(), E2BIG);
    EXPECT_EQ(static_cast<int>(run(queue_push, 99)), -E2BIG);
    ASSERT_TRUE(fifo.push(18, bpfxx::update_flag::exist));
    EXPECT_EQ(fifo.pop(), std::optional<u32>(11)) << "10 was dropped to make room";
}

TEST_F(MapKinds, StackIsLastInFirstOutAcrossTheBoundary) {
    auto lifo = bpfxx::stack<u32>::open(map_fd("lifo"));
    ASSERT_TRUE(lifo.push(1));
    ASSERT_TRUE(lifo.push(2));
    EXPECT_EQ(run(stack_pop), 2u);
    EXPECT_EQ(run(stack_push, 3), 0u);
    EXPECT_EQ(lifo.peek(), std::optional<u32>(3));
    EXPECT_EQ(lifo.pop(), std::optional<u32>(3));
    EXPECT_EQ(lifo.pop(), std::optional<u32>(1));
    EXPECT_EQ(lifo.pop(), std::nullopt);
}

TEST_F(MapKinds, BloomFilterAnswersForValuesPushedOnEitherSide) {
    if (!supported(map_type::bloom_filter)) GTEST_SKIP() << "no bloom filter maps (Linux 5.16)";
    auto seen = bpfxx::bloom_filter<u32>::open(map_fd("seen"));
    ASSERT_TRUE(seen.push(42));
    EXPECT_EQ(run(bloom_contains, 42, "run_bloom"), 1u);
    // 1024 entries and 3 hashes: a false positive among these is ~1e-10.
    EXPECT_EQ(run(bloom_contains, 43, "run_bloom"), 0u);
    EXPECT_EQ(run(bloom_push, 77, "run_bloom"), 0u);
    EXPECT_TRUE(seen.contains(77));
    EXPECT_FALSE(seen.contains(78));
    auto r = seen.try_contains(42);
    ASSERT_TRUE(r);
    EXPECT_TRUE(*r);
}

TEST_F(MapKinds, StackTraceIdsResolveToKernelFrames) {
    auto stacks = bpfxx::stack_trace_map::open(map_fd("stacks"));
    EXPECT_EQ(stacks.depth(), 32u);
    const auto id = static_cast<int>(run(stack_id));
    ASSERT_GE(id, 0) << "get_stackid failed: " << -id;
    auto frames = stacks.frames(static_cast<u32>(id));
    ASSERT_TRUE(frames);
    ASSERT_TRUE(frames->has_value());
    ASSERT_FALSE((*frames)->empty());
    for (u64 ip : **frames) EXPECT_NE(ip, 0u);
    // The same stack (the same test run path) gets the same id.
    EXPECT_EQ(static_cast<int>(run(stack_id)), id);
    std::set<u32> ids;
    for (u32 i : stacks.ids()) ids.insert(i);
    EXPECT_TRUE(ids.count(static_cast<u32>(id)));
    auto build_ids = stacks.build_id_frames(static_cast<u32>(id));
    ASSERT_FALSE(build_ids);
    EXPECT_EQ(build_ids.error(), EINVAL) << "the map holds addresses, not build ids";
    ASSERT_TRUE(stacks.erase(static_cast<u32>(id)));
    auto gone = stacks.frames(static_cast<u32>(id));
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());
}

TEST_F(MapKinds, ProgramArrayRoutesTailCalls) {
    auto jumps = bpfxx::prog_array::open(map_fd("jump_table"));
    EXPECT_EQ(jumps.size(), 4u);
    EXPECT_EQ(run(tail_call, 0), miss) << "an empty slot: the tail call falls through";
    ASSERT_TRUE(jumps.set(0, lo_->program("tail_target_0")));
    ASSERT_TRUE(jumps.set(1, lo_->program("tail_target_1").fd()));
    EXPECT_EQ(run(tail_call, 0), tail_base + 0);
    EXPECT_EQ(run(tail_call, 1), tail_base + 1);
    EXPECT_EQ(run(tail_call, 7), miss) << "beyond max_entries";
    auto id = jumps.id_at(0);
    ASSERT_TRUE(id);
    ASSERT_TRUE(id->has_value());
    EXPECT_EQ(**id, bpfxx::get_program_info(lo_->program("tail_target_0").fd()).id);
    ASSERT_TRUE(jumps.erase(1));
    EXPECT_EQ(run(tail_call, 1), miss);
    auto empty = jumps.id_at(1);
    ASSERT_TRUE(empty);
    EXPECT_FALSE(empty->has_value());
    // A map is not a program: the kernel refuses it.
    auto inner = bpfxx::hash_map<u32, u64>::create(16);
    auto refused = jumps.set(2, inner);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), EINVAL);
}

TEST_F(MapKinds, ArrayOfMapsHandsProgramsTheMapsUserSpacePutIn) {
    auto tenants = bpfxx::map_of_maps<>::open(map_fd("tenants"));
    auto counts = bpfxx::hash_map<u32, u64>::create(16, {.name = "tenant0"});
    EXPECT_EQ(run(inner_add, 0), miss) << "no map at index 0 yet";
    ASSERT_TRUE(tenants.set(0, counts));
    EXPECT_EQ(run(inner_add, 0), 0u);
    EXPECT_EQ(run(inner_add, 0), 0u);
    EXPECT_EQ(counts.lookup(7), std::optional<u64>(10));
    EXPECT_EQ(run(inner_add, 1), miss);
    auto id = tenants.id_at(0);
    ASSERT_TRUE(id);
    ASSERT_TRUE(id->has_value());
    EXPECT_EQ(**id, counts.id());
    // The inner template is a hash of u32 -> u64: one with 4-byte values
    // does not fit (max_entries may differ for hashes from Linux 5.10).
    auto other = bpfxx::hash_map<u32, u32>::create(16);
    auto refused = tenants.set(1, other);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), EINVAL);
}

TEST_F(MapKinds, HashOfMapsHandsProgramsTheMapsUserSpacePutIn) {
    auto tenants = bpfxx::map_of_maps<u64>::open(map_fd("tenants_by_key"));
    auto counts = bpfxx::hash_map<u32, u64>::create(16);
    ASSERT_TRUE(tenants.set(99, counts));
    EXPECT_EQ(run(hash_inner_add, 99), 0u);
    EXPECT_EQ(counts.lookup(7), std::optional<u64>(5));
    EXPECT_EQ(run(hash_inner_add, 98), miss);
    ASSERT_TRUE(tenants.erase(99));
    EXPECT_EQ(run(hash_inner_add, 99), miss);
}

TEST_F(MapKinds, OpeningAMapWithTheWrongHandleNamesTheRightOne) {
    try {
        (void)bpfxx::hash_map<ipv4_key, u32>::open(map_fd("rules"));
        ADD_FAILURE() << "opened an LPM trie as a hash map";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("has type lpm_trie"));
        EXPECT_THAT(e.what(), HasSubstr("bpfxx::lpm_trie"));
    }
    try {
        (void)bpfxx::queue<u64>::open(map_fd("fifo"));
        ADD_FAILURE() << "opened a queue of u32 as a queue of u64";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("4-byte values"));
    }
}

TEST_F(MapKinds, AMapLeftOutByAutocreateNamesTheProgramThatUsesIt) {
    bpfxx::load_options options;
    options.set_autocreate("seen", false);
    try {
        (void)bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/map_kinds.bpf.o"),
                                         options.only_programs({"run_bloom"}));
        ADD_FAILURE() << "loaded a program whose map was not created";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("program 'run_bloom' uses map 'seen'"));
        EXPECT_EQ(e.code(), ENOENT);
    }
    auto lo = bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/map_kinds.bpf.o"),
                                         bpfxx::load_options()
                                             .set_autocreate("seen", false)
                                             .only_programs({"run_command"}));
    EXPECT_EQ(lo.map("seen").fd(), -1);
    EXPECT_GE(lo.map("fifo").fd(), 0);
    EXPECT_THROW((void)bpfxx::loaded_object::load(
                     bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/map_kinds.bpf.o"),
                     bpfxx::load_options().set_autocreate("no_such_map", false)),
                 bpfxx::error);
}

// ---- maps created from user space ---------------------------------------

class UserMaps : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to create maps";
    }
};

TEST_F(UserMaps, EveryHandleCreatesItsKind) {
    auto hash = bpfxx::hash_map<u32, u64>::create(8, {.name = "bpfxx_test_hash"});
    EXPECT_EQ(hash.type(), map_type::hash);
    EXPECT_EQ(hash.name(), "bpfxx_test_hash");
    EXPECT_EQ(hash.max_entries(), 8u);
    auto lru = bpfxx::hash_map<u32, u64>::create(8, {.type = map_type::lru_hash});
    EXPECT_EQ(lru.type(), map_type::lru_hash);
    EXPECT_EQ(bpfxx::array_map<u64>::create(4).type(), map_type::array);
    EXPECT_EQ((bpfxx::percpu_hash_map<u32, u64>::create(4).type()), map_type::percpu_hash);
    EXPECT_EQ(bpfxx::percpu_array_map<u64>::create(4).type(), map_type::percpu_array);
    EXPECT_EQ(bpfxx::sock_map<>::create(4).type(), map_type::sockmap);
    auto trie = bpfxx::lpm_trie<bpfxx::lpm_key<std::array<bpfxx::u8, 16>>, u32>::create(4);
    EXPECT_EQ(trie.type(), map_type::lpm_trie);
    EXPECT_EQ(trie.max_prefix(), 128u);
    EXPECT_NE(trie.map_flags() & bpfxx::map_flags::no_prealloc, 0u) << "added for the caller";
    EXPECT_EQ(bpfxx::queue<u32>::create(4).type(), map_type::queue);
    EXPECT_EQ(bpfxx::stack<u32>::create(4).type(), map_type::stack);
    EXPECT_EQ(bpfxx::prog_array::create(4).type(), map_type::prog_array);
    auto stacks = bpfxx::stack_trace_map::create(4, 16);
    EXPECT_EQ(stacks.depth(), 16u);
    auto outer = bpfxx::map_of_maps<u64>::create(4, hash, {.type = map_type::hash_of_maps});
    EXPECT_EQ(outer.type(), map_type::hash_of_maps);
    ASSERT_TRUE(outer.set(1, hash));
    if (supported(map_type::bloom_filter)) {
        auto bloom = bpfxx::bloom_filter<u64>::create(64, {.map_extra = 2});
        ASSERT_TRUE(bloom.push(5));
        EXPECT_TRUE(bloom.contains(5));
    }
}

TEST_F(UserMaps, PerCpuValuesSumOverTheCpus) {
    auto counters = bpfxx::percpu_array_map<u64>::create(2);
    ASSERT_TRUE(counters.update(1, u64{5}));
    EXPECT_EQ(counters.lookup_sum(1), std::optional<u64>(5 * counters.cpus()));
    EXPECT_EQ(counters.lookup_sum(0), std::optional<u64>(0));
    EXPECT_EQ(counters.lookup_sum(2), std::nullopt) << "beyond max_entries";
}

TEST_F(UserMaps, CreateExplainsWhatTheKernelRefused) {
    try {
        (void)bpfxx::hash_map<u32, u64>::create(0);
        ADD_FAILURE() << "created a map with max_entries 0";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_THAT(e.what(), HasSubstr("bpfxx::hash_map<unsigned int, "));
        EXPECT_THAT(e.what(), HasSubstr(">::create: BPF_MAP_CREATE of a hash map"));
        EXPECT_THAT(e.what(), HasSubstr("max_entries 0"));
    }
    EXPECT_THROW(((void)bpfxx::hash_map<u32, u64>::create(4, {.type = map_type::array})), bpfxx::error)
        << "a type the handle does not open";
}

TEST_F(UserMaps, LookupAndEraseTakesTheValueOut) {
    auto m = bpfxx::hash_map<u32, u64>::create(8);
    ASSERT_TRUE(m.update(1, 100));
    auto taken = m.lookup_and_erase(1);
    constexpr int enotsupp = 524;  // the kernel's ENOTSUPP
    if (!taken && taken.error() == enotsupp) GTEST_SKIP() << "no lookup-and-delete on hash maps (Linux 5.14)";
    ASSERT_TRUE(taken);
    EXPECT_EQ(*taken, std::optional<u64>(100));
    EXPECT_EQ(m.lookup(1), std::nullopt);
    auto again = m.lookup_and_erase(1);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, std::nullopt);
}

// A BPF filesystem for pins: /sys/fs/bpf, mounted when it is not.
std::string bpffs_dir() {
    constexpr long bpf_fs_magic = 0xcafe4a11;
    struct statfs s {};
    if (statfs("/sys/fs/bpf", &s) != 0 || s.f_type != bpf_fs_magic) {
        ::mkdir("/sys/fs/bpf", 0700);
        if (::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr) != 0) return {};
    }
    return "/sys/fs/bpf";
}

TEST_F(UserMaps, PinnedMapReopensWithItsContents) {
    const auto dir = bpffs_dir();
    if (dir.empty()) GTEST_SKIP() << "no BPF filesystem and cannot mount one";
    const std::string path = dir + "/bpfxx_map_kinds_test_" + std::to_string(getpid());
    u32 id = 0;
    {
        auto m = bpfxx::hash_map<u32, u64>::create(8);
        ASSERT_TRUE(m.update(3, 33));
        m.pin(path);
        id = m.id();
        try {
            m.pin(path);
            ADD_FAILURE() << "pinned twice at one path";
        } catch (const bpfxx::error& e) {
            EXPECT_THAT(e.what(), HasSubstr("something is pinned there already"));
        }
    }  // the pin keeps the map
    auto reopened = bpfxx::hash_map<u32, u64>::open(bpfxx::open_pinned(path).get());
    EXPECT_EQ(reopened.id(), id);
    EXPECT_EQ(reopened.lookup(3), std::optional<u64>(33));
    EXPECT_THROW(((void)bpfxx::hash_map<u32, u32>::open(bpfxx::open_pinned(path).get())), bpfxx::error)
        << "the value size differs";
    auto by_id = bpfxx::hash_map<u32, u64>::open(bpfxx::open_map(id).get());
    EXPECT_EQ(by_id.lookup(3), std::optional<u64>(33));
    ASSERT_EQ(::unlink(path.c_str()), 0);
}

TEST_F(UserMaps, FrozenMapRefusesUserSpaceWrites) {
    auto m = bpfxx::array_map<u64>::create(2);
    ASSERT_TRUE(m.update(0, 1));
    m.freeze();
    auto refused = m.update(0, 2);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), EPERM);
    EXPECT_EQ(m.lookup(0), std::optional<u64>(1));
    EXPECT_THROW(m.freeze(), bpfxx::error) << "frozen already: EBUSY";
}

// ---- batches: the kernel's batch commands, and bpfxx's single-entry
// fallback for kernels without them, against element-wise results --------

class Batches : public testing::TestWithParam<bool> {
protected:
    using value = std::array<u64, 8>;  // 64 bytes
    static constexpr u32 entries = 100'000;

    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to create maps";
        if (!GetParam() && !bpfxx::detail::kernel_has_map_batch())
            GTEST_SKIP() << "no batch map operations (Linux 5.6); the fallback runs in the other instance";
        bpfxx::detail::force_no_map_batch = GetParam();
    }
    void TearDown() override { bpfxx::detail::force_no_map_batch = false; }

    static value value_of(u32 key) { return {key, u64{key} * 3, 7, 0, 0, 0, 0, ~u64{key}}; }

    // A map holding key i -> value_of(i * 2) for i < entries, written in one batch.
    static bpfxx::hash_map<u32, value> filled() {
        auto m = bpfxx::hash_map<u32, value>::create(entries);
        std::vector<u32> keys(entries);
        std::vector<value> values(entries);
        for (u32 i = 0; i < entries; ++i) {
            keys[i] = i * 2;
            values[i] = value_of(i * 2);
        }
        auto r = m.update_batch(keys, values);
        EXPECT_TRUE(r) << "errno " << r.error;
        EXPECT_EQ(r.count, entries);
        return m;
    }
};

TEST_P(Batches, UpdateAndLookupAllMatchTheElementWiseResult) {
    auto m = filled();
    for (u32 k : {0u, 2u, 1000u, (entries - 1) * 2}) EXPECT_EQ(m.lookup(k), std::optional<value>(value_of(k)));
    EXPECT_EQ(m.lookup(1), std::nullopt);
    std::vector<u32> keys;
    std::vector<value> values;
    auto n = m.lookup_all(keys, values, 4096);
    ASSERT_TRUE(n);
    ASSERT_EQ(*n, entries);
    ASSERT_EQ(keys.size(), entries);
    std::vector<bool> seen(entries * 2);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        ASSERT_EQ(keys[i] % 2, 0u);
        ASSERT_LT(keys[i], entries * 2);
        ASSERT_FALSE(seen[keys[i]]) << "key " << keys[i] << " read twice";
        seen[keys[i]] = true;
        ASSERT_EQ(values[i], value_of(keys[i]));
        ASSERT_EQ(m.lookup(keys[i]), std::optional<value>(values[i]));
    }
}

TEST_P(Batches, SmallBatchesWalkEveryEntryOnce) {
    auto m = bpfxx::hash_map<u32, value>::create(1000);
    std::vector<u32> keys(1000);
    std::vector<value> values(1000);
    for (u32 i = 0; i < 1000; ++i) {
        keys[i] = i;
        values[i] = value_of(i);
    }
    ASSERT_TRUE(m.update_batch(keys, values));
    bpfxx::batch_cursor<u32> cursor;
    std::array<u32, 7> k{};
    std::array<value, 7> v{};
    std::set<u32> read;
    std::size_t calls = 0;
    while (!cursor.done()) {
        auto n = m.lookup_batch(cursor, k, v);
        ASSERT_TRUE(n) << "errno " << n.error();
        ASSERT_LE(*n, 7u);
        for (std::size_t i = 0; i < *n; ++i) {
            EXPECT_TRUE(read.insert(k[i]).second) << k[i];
            EXPECT_EQ(v[i], value_of(k[i]));
        }
        ASSERT_LT(++calls, 1000u) << "the cursor does not advance";
    }
    EXPECT_EQ(read.size(), 1000u);
    auto after = m.lookup_batch(cursor, k, v);
    ASSERT_TRUE(after);
    EXPECT_EQ(*after, 0u) << "a finished cursor reads nothing";
}

TEST_P(Batches, EraseAndDrain) {
    auto m = filled();
    std::vector<u32> half(entries / 2);
    for (u32 i = 0; i < entries / 2; ++i) half[i] = i * 4;
    auto erased = m.erase_batch(half);
    ASSERT_TRUE(erased) << "errno " << erased.error;
    EXPECT_EQ(erased.count, entries / 2);
    EXPECT_EQ(m.lookup(4), std::nullopt);
    EXPECT_EQ(m.lookup(2), std::optional<value>(value_of(2)));
    auto again = m.erase_batch(std::span<const u32>(half).subspan(0, 10));
    EXPECT_FALSE(again);
    EXPECT_EQ(again.error, ENOENT);
    EXPECT_EQ(again.count, 0u);

    bpfxx::batch_cursor<u32> cursor;
    std::vector<u32> k(999);
    std::vector<value> v(999);
    std::size_t drained = 0;
    while (!cursor.done()) {
        auto n = m.lookup_and_erase_batch(cursor, k, v);
        ASSERT_TRUE(n) << "errno " << n.error();
        for (std::size_t i = 0; i < *n; ++i) {
            ASSERT_EQ(k[i] % 4, 2u);
            ASSERT_EQ(v[i], value_of(k[i]));
        }
        drained += *n;
    }
    EXPECT_EQ(drained, entries / 2);
    auto left = m.count();
    ASSERT_TRUE(left);
    EXPECT_EQ(*left, 0u);
}

TEST_P(Batches, UpdateStopsWhereTheKernelRefuses) {
    auto m = bpfxx::hash_map<u32, value>::create(16);
    ASSERT_TRUE(m.update(5, value_of(5)));
    const std::array<u32, 4> keys{1, 2, 5, 6};
    const std::array<value, 4> values{value_of(1), value_of(2), value_of(50), value_of(6)};
    auto r = m.update_batch(keys, values, bpfxx::update_flag::noexist);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.error, EEXIST);
    EXPECT_EQ(r.count, 2u) << "1 and 2 written, stopped at 5";
    EXPECT_EQ(m.lookup(5), std::optional<value>(value_of(5)));
    EXPECT_EQ(m.lookup(6), std::nullopt);
    auto mismatch = m.update_batch(keys, std::span<const value>(values).subspan(0, 3));
    EXPECT_EQ(mismatch.error, EINVAL);
}

INSTANTIATE_TEST_SUITE_P(KernelAndFallback, Batches, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) { return p.param ? "Fallback" : "Kernel"; });

}  // namespace

// ---- libbpf-style maps completed before load (load_options) ------------

namespace {

class LibbpfStyle : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
    }
    static bpfxx::object object() {
        return bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/libbpf_tools_style.bpf.o");
    }
};

TEST_F(LibbpfStyle, StackMapSizedAndInnerMapGivenBeforeLoad) {
    // As the object declares them, the kernel refuses both maps.
    try {
        (void)bpfxx::loaded_object::load(object());
        ADD_FAILURE() << "created a stack trace map with 0-byte values";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("creating map 'stackmap' (stack_trace, key 4 B, value 0 B"));
    }
    auto inner = bpfxx::array_map<u64>::create(1);
    auto lo = bpfxx::loaded_object::load(object(), bpfxx::load_options()
                                                       .set_value_size("stackmap", 64 * sizeof(u64))
                                                       .set_max_entries("stackmap", 128)
                                                       .set_inner_map("outer", inner.fd()));
    EXPECT_EQ(lo.map("stackmap").value_size(), 512u);
    EXPECT_EQ(lo.map("stackmap").definition().value_size, 512u);
    EXPECT_EQ(lo.map("stackmap").max_entries(), 128u);
    auto stacks = bpfxx::stack_trace_map::open(lo.map("stackmap").fd());
    EXPECT_EQ(stacks.depth(), 64u);

    const std::array<u64, 2> args{0, 0};
    bpfxx::test_run_options o;
    o.context = bpfxx::bytes_of(args);
    const int prog = lo.program("record_stack").fd();
    EXPECT_EQ(static_cast<int>(bpfxx::test_run(prog, o).return_value), -1) << "outer[0] is empty";
    auto outer = bpfxx::map_of_maps<>::open(lo.map("outer").fd());
    auto counts = bpfxx::array_map<u64>::create(1);
    ASSERT_TRUE(outer.set(0, counts));
    const auto id = static_cast<int>(bpfxx::test_run(prog, o).return_value);
    ASSERT_GE(id, 0);
    EXPECT_EQ(counts.lookup(0), std::optional<u64>(1));
    auto frames = stacks.frames(static_cast<u32>(id));
    ASSERT_TRUE(frames && frames->has_value());
    EXPECT_FALSE((*frames)->empty());
}

TEST_F(LibbpfStyle, ChangedKeySizeTypeAndFlags) {
    auto inner = bpfxx::array_map<u64>::create(1);
    auto lo = bpfxx::loaded_object::load(object(), bpfxx::load_options()
                                                       .set_value_size("stackmap", 8 * 32)
                                                       .set_map_flags("stackmap", bpfxx::map_flags::stack_build_id)
                                                       .set_inner_map("outer", inner.fd())
                                                       .set_map_type("outer", map_type::hash_of_maps)
                                                       .set_key_size("outer", 8)
                                                       .disable_program("record_stack"));  // its keys are 4 bytes
    EXPECT_EQ(lo.map("outer").type(), map_type::hash_of_maps);
    EXPECT_EQ(lo.map("outer").key_size(), 8u);
    auto by_key = bpfxx::map_of_maps<u64>::open(lo.map("outer").fd());
    EXPECT_EQ(by_key.type(), map_type::hash_of_maps);
    auto stacks = bpfxx::stack_trace_map::open(lo.map("stackmap").fd());
    EXPECT_NE(stacks.map_flags() & bpfxx::map_flags::stack_build_id, 0u);
    EXPECT_EQ(stacks.depth(), 8u) << "32-byte build-id frames";
    EXPECT_THROW((void)bpfxx::loaded_object::load(object(), bpfxx::load_options().set_key_size("no_such_map", 4)),
                 bpfxx::error);
}

TEST_F(LibbpfStyle, PerProgramLogLevelAndExpectedAttachType) {
    // The per-program level reaches the verifier: level 2 logs every state.
    auto rejected = [](bpfxx::load_options options) {
        try {
            (void)bpfxx::loaded_object::load(
                bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/verifier_reject.bpf.o"), options);
        } catch (const bpfxx::error& e) {
            return std::string(e.details());
        }
        ADD_FAILURE() << "the verifier accepted unchecked_lookup";
        return std::string();
    };
    const auto level1 = rejected({});
    const auto level2 = rejected(bpfxx::load_options().set_log_level("unchecked_lookup", 2));
    EXPECT_GT(level2.size(), level1.size());
    EXPECT_THAT(level2, HasSubstr("R1"));

    // A cgroup/connect4 program loaded as if for cgroup_skb ingress: the
    // kernel refuses the expected attach type for this program type.
    const auto net = std::string(BPFXX_TEST_OBJECTS) + "/net.bpf.o";
    EXPECT_NO_THROW((void)bpfxx::loaded_object::load(
        bpfxx::object::open(net), bpfxx::load_options().only_programs({"redirect_connect"})));
    try {
        (void)bpfxx::loaded_object::load(bpfxx::object::open(net),
                                         bpfxx::load_options()
                                             .only_programs({"redirect_connect"})
                                             .set_expected_attach_type("redirect_connect",
                                                                       bpfxx::attach_type::cgroup_inet_ingress));
        ADD_FAILURE() << "loaded a sock_addr program with expected attach type cgroup_inet_ingress";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL) << e.what();
    }
}

}  // namespace

// ---- pinning at load ----------------------------------------------------

namespace {

class PinnedAtLoad : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
        const auto fs = bpffs_dir();
        if (fs.empty()) GTEST_SKIP() << "no BPF filesystem and cannot mount one";
        root_ = fs + "/bpfxx_pin_test_" + std::to_string(getpid());
        ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0) << root_;
    }
    void TearDown() override {
        if (root_.empty()) return;
        for (const char* name : {"shared_counts", "settings"}) ::unlink((root_ + "/" + name).c_str());
        ::rmdir(root_.c_str());
    }
    bpfxx::loaded_object load(bpfxx::load_options options = {}) const {
        return bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/pinned.bpf.o"),
                                          options.set_pin_root(root_));
    }
    std::string root_;
};

TEST_F(PinnedAtLoad, PinByNameCreatesThenReuses) {
    u32 id = 0;
    {
        auto first = load();
        const auto& m = first.map("shared_counts");
        EXPECT_EQ(m.pin_path(), root_ + "/shared_counts");
        EXPECT_FALSE(m.reused());
        EXPECT_TRUE(first.map("settings").pin_path().empty()) << "not asked to pin";
        auto counts = bpfxx::hash_map<u32, u64>::open(m.fd());
        ASSERT_TRUE(counts.update(1, 41));
        id = counts.id();
    }  // the object is gone; the pin keeps the map
    auto second = load();
    const auto& m = second.map("shared_counts");
    EXPECT_TRUE(m.reused());
    auto counts = bpfxx::hash_map<u32, u64>::open(m.fd());
    EXPECT_EQ(counts.id(), id);
    EXPECT_EQ(counts.lookup(1), std::optional<u64>(41)) << "the contents are kept";
    // The program uses the reused map.
    const std::array<u64, 2> args{0, 0};
    bpfxx::test_run_options o;
    o.context = bpfxx::bytes_of(args);
    (void)bpfxx::test_run(second.program("count").fd(), o);
    EXPECT_EQ(counts.lookup(1), std::optional<u64>(42));
}

TEST_F(PinnedAtLoad, LoadOptionsPinAnyMap) {
    auto lo = load(bpfxx::load_options().pin_by_name("settings"));
    EXPECT_EQ(lo.map("settings").pin_path(), root_ + "/settings");
    auto pinned = bpfxx::array_map<u64>::open(bpfxx::open_pinned(root_ + "/settings").get());
    EXPECT_EQ(pinned.size(), 4u);
    EXPECT_THROW((void)load(bpfxx::load_options().pin_by_name("nothing")), bpfxx::error);
}

TEST_F(PinnedAtLoad, AMapThatDoesNotFitIsAnError) {
    auto other = bpfxx::hash_map<u32, u32>::create(64);  // 4-byte values, not 8
    other.pin(root_ + "/shared_counts");
    try {
        (void)load();
        ADD_FAILURE() << "reused a pinned map with other value sizes";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("map 'shared_counts': the map pinned at '" + root_ +
                                        "/shared_counts' does not fit the definition: value size 4 (the object's: 8)"));
    }
}

TEST_F(PinnedAtLoad, ProgramsPinToo) {
    auto lo = load();
    lo.program("count").pin(root_ + "/settings");  // any free name in the directory
    auto info = bpfxx::get_program_info(bpfxx::open_pinned(root_ + "/settings").get());
    EXPECT_EQ(info.id, bpfxx::get_program_info(lo.program("count").fd()).id);
}

}  // namespace
