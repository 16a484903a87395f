// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx/map.hpp against real maps, created here with a raw BPF_MAP_CREATE
// (no loader involved). Needs root (CAP_BPF); each test skips with the
// reason otherwise.
#include <bpfxx/map.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ktest {

using bpfxx::u16;
using bpfxx::u32;
using bpfxx::u64;
using bpfxx::u8;

struct flow {
    u32 saddr;
    u32 daddr;
    u16 sport;
    u16 dport;
    u32 proto;
};
static_assert(sizeof(flow) == 16);

struct stats {
    u64 packets;
    u64 bytes;
};

}  // namespace ktest

namespace {

using namespace ktest;
using bpfxx::map_type;
namespace sys = bpfxx::sys;
using ::testing::HasSubstr;

sys::fd create_map(map_type type, u32 key_size, u32 value_size, u32 max_entries, const char* name = "",
                   u32 flags = 0) {
    sys::attr::map_create a;
    a.map_type = static_cast<u32>(type);
    a.key_size = key_size;
    a.value_size = value_size;
    a.max_entries = max_entries;
    a.map_flags = flags;
    std::strncpy(a.map_name, name, sizeof a.map_name - 1);
    sys::fd fd = sys::bpf_fd(sys::bpf_cmd::map_create, a);
    if (!fd)
        ADD_FAILURE() << "BPF_MAP_CREATE " << bpfxx::to_string(type) << " '" << name << "': " << std::strerror(errno);
    return fd;
}

u32 map_id(int fd) {
    sys::map_info info;
    sys::attr::obj_info a;
    a.bpf_fd = static_cast<u32>(fd);
    a.info_len = sizeof info;
    a.info = sys::ptr_to_u64(&info);
    EXPECT_EQ(sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, a), 0) << std::strerror(errno);
    return info.id;
}

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

// The message of the bpfxx::error `f` throws; "" (and a failure) if none.
template <class F>
std::string error_of(F&& f, int* code = nullptr) {
    try {
        f();
    } catch (const bpfxx::error& e) {
        if (code) *code = e.code();
        return e.what();
    }
    ADD_FAILURE() << "no bpfxx::error thrown";
    return {};
}

class map_test : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to create BPF maps";
        sys::attr::map_create a;
        a.map_type = static_cast<u32>(map_type::hash);
        a.key_size = 4;
        a.value_size = 4;
        a.max_entries = 1;
        if (!sys::bpf_fd(sys::bpf_cmd::map_create, a))
            GTEST_SKIP() << "cannot create a BPF hash map: " << std::strerror(errno);
    }
};

// ---- hash_map element operations ----------------------------------------

TEST_F(map_test, hash_lookup_update_erase_with_each_flag) {
    auto raw = create_map(map_type::hash, 4, 8, 16, "bpfxx_h");
    auto m = bpfxx::hash_map<u32, u64>::open(raw.get());
    EXPECT_EQ(m.name(), "bpfxx_h");
    EXPECT_EQ(m.type(), map_type::hash);
    EXPECT_EQ(m.max_entries(), 16u);
    EXPECT_EQ(m.id(), map_id(raw.get()));
    EXPECT_NE(m.fd(), raw.get());  // its own duplicate
    EXPECT_GT(m.fd(), 2);

    EXPECT_EQ(m.lookup(1), std::nullopt);
    EXPECT_TRUE(m.update(1, 10));
    EXPECT_EQ(m.lookup(1), 10u);

    auto r = m.update(1, 11, bpfxx::update_flag::noexist);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.error(), EEXIST);
    EXPECT_EQ(m.lookup(1), 10u);

    r = m.update(2, 20, bpfxx::update_flag::exist);
    EXPECT_EQ(r.error(), ENOENT);
    EXPECT_EQ(m.lookup(2), std::nullopt);

    EXPECT_TRUE(m.update(1, 12, bpfxx::update_flag::exist));
    EXPECT_EQ(m.lookup(1), 12u);
    EXPECT_TRUE(m.update(2, 20, bpfxx::update_flag::noexist));
    EXPECT_EQ(m.lookup(2), 20u);

    // No bpf_spin_lock in the value (no BTF at all).
    EXPECT_EQ(m.update(1, 13, bpfxx::update_flag::lock).error(), EINVAL);

    EXPECT_TRUE(m.erase(1));
    EXPECT_EQ(m.erase(1).error(), ENOENT);
    EXPECT_EQ(m.lookup(1), std::nullopt);
    EXPECT_EQ(m.lookup(2), 20u);
    EXPECT_EQ(m.count().value(), 1u);

    // The handle owns its descriptor: closing the caller's changes nothing.
    raw.reset();
    EXPECT_EQ(m.lookup(2), 20u);
    EXPECT_TRUE(m.update(3, 30));
    EXPECT_EQ(m.count().value(), 2u);
}

TEST_F(map_test, hash_struct_keys_and_values) {
    auto raw = create_map(map_type::hash, sizeof(flow), sizeof(stats), 64, "flows");
    auto m = bpfxx::hash_map<flow, stats>::open(raw.get());
    const flow a{0x0a000001, 0x0a000002, 1234, 80, 6};
    const flow b{0x0a000001, 0x0a000002, 1235, 80, 6};
    EXPECT_TRUE(m.update(a, {3, 300}));
    EXPECT_TRUE(m.update(b, {1, 60}));
    auto got = m.lookup(a);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->packets, 3u);
    EXPECT_EQ(got->bytes, 300u);
    std::map<u16, u64> bytes_by_port;
    for (auto [k, v] : m.items()) bytes_by_port[k.sport] = v.bytes;
    EXPECT_EQ(bytes_by_port, (std::map<u16, u64>{{1234, 300}, {1235, 60}}));
}

TEST_F(map_test, hash_full_map_gives_e2big) {
    auto raw = create_map(map_type::hash, 4, 4, 4, "small");
    auto m = bpfxx::hash_map<u32, u32>::open(raw.get());
    for (u32 k = 0; k < 4; ++k) EXPECT_TRUE(m.update(k, k));
    auto r = m.update(4, 4);
    EXPECT_EQ(r.error(), E2BIG);
    EXPECT_EQ(m.update(5, 5, bpfxx::update_flag::noexist).error(), E2BIG);
    // Replacing an existing key still works in a full map.
    EXPECT_TRUE(m.update(2, 22));
    EXPECT_EQ(m.lookup(2), 22u);
    EXPECT_EQ(m.count().value(), 4u);
    EXPECT_TRUE(m.erase(0));
    EXPECT_TRUE(m.update(4, 4));
}

TEST_F(map_test, map_flags_as_created) {
    auto raw = create_map(map_type::hash, 4, 8, 16, "noprealloc", bpfxx::map_flags::no_prealloc);
    auto m = bpfxx::hash_map<u32, u64>::open(raw.get());
    EXPECT_EQ(m.map_flags(), bpfxx::map_flags::no_prealloc);
    for (u32 k = 0; k < 16; ++k) EXPECT_TRUE(m.update(k, k));
    EXPECT_EQ(m.update(16, 16).error(), E2BIG);
}

TEST_F(map_test, lru_hash_evicts_instead_of_failing) {
    auto raw = create_map(map_type::lru_hash, 4, 8, 64, "lru");
    auto m = bpfxx::hash_map<u32, u64>::open(raw.get());
    EXPECT_EQ(m.type(), map_type::lru_hash);
    for (u32 k = 0; k < 1000; ++k) ASSERT_TRUE(m.update(k, k)) << k;
    const auto n = m.count().value();
    EXPECT_GT(n, 0u);
    EXPECT_LE(n, 64u);
    EXPECT_EQ(m.lookup(999), 999u);  // the newest survives
    EXPECT_EQ(m.update(999, 1, bpfxx::update_flag::noexist).error(), EEXIST);
}

TEST_F(map_test, read_only_and_write_only_maps) {
    auto ro = create_map(map_type::hash, 4, 4, 8, "ro", bpfxx::map_flags::rdonly);
    auto r = bpfxx::hash_map<u32, u32>::open(ro.get());
    EXPECT_EQ(r.map_flags(), 0u);  // access flags belong to the descriptor, not the map
    EXPECT_EQ(r.update(1, 1).error(), EPERM);
    EXPECT_EQ(r.erase(1).error(), EPERM);
    EXPECT_EQ(r.count().value(), 0u);

    auto wo = create_map(map_type::hash, 4, 4, 8, "wo", bpfxx::map_flags::wronly);
    auto w = bpfxx::hash_map<u32, u32>::open(wo.get());
    EXPECT_TRUE(w.update(1, 1));
    EXPECT_EQ(w.lookup(1), std::nullopt);  // EPERM
    auto keys = w.keys();
    for ([[maybe_unused]] u32 k : keys) ADD_FAILURE() << "a write-only map listed a key";
    EXPECT_EQ(keys.status().error(), EPERM);
}

TEST_F(map_test, empty_and_moved_from_handles_fail_with_ebadf) {
    bpfxx::hash_map<u32, u64> empty;
    EXPECT_EQ(empty.lookup(1), std::nullopt);
    EXPECT_EQ(empty.try_lookup(1).error(), EBADF);  // lookup cannot say why; try_lookup does
    EXPECT_EQ(empty.update(1, 1).error(), EBADF);
    EXPECT_EQ(empty.erase(1).error(), EBADF);
    auto keys = empty.keys();
    EXPECT_EQ(keys.begin(), keys.end());
    EXPECT_EQ(keys.status().error(), EBADF);
    EXPECT_EQ(empty.count().error(), EBADF);  // the walk's status, not a silent 0

    auto raw = create_map(map_type::hash, 4, 8, 8);
    auto a = bpfxx::hash_map<u32, u64>::open(raw.get());
    EXPECT_TRUE(a.update(7, 70));
    auto b = std::move(a);
    EXPECT_EQ(a.fd(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    EXPECT_EQ(a.update(7, 1).error(), EBADF);
    EXPECT_EQ(b.lookup(7), 70u);
    a = std::move(b);
    EXPECT_EQ(a.lookup(7), 70u);
    EXPECT_EQ(b.fd(), -1);  // NOLINT(bugprone-use-after-move)
}

// ---- hash_map walks -----------------------------------------------------

TEST_F(map_test, walk_lists_each_of_1000_keys_exactly_once) {
    for (u32 max_entries : {1000u, 4096u}) {
        auto raw = create_map(map_type::hash, 4, 8, max_entries, "walk");
        auto m = bpfxx::hash_map<u32, u64>::open(raw.get());
        for (u32 k = 0; k < 1000; ++k) ASSERT_TRUE(m.update(k * 7919, u64{k} * k));

        std::map<u32, int> seen;
        auto keys = m.keys();
        for (u32 k : keys) ++seen[k];
        EXPECT_TRUE(keys.status()) << keys.status().message();
        ASSERT_EQ(seen.size(), 1000u);
        for (u32 k = 0; k < 1000; ++k) EXPECT_EQ(seen[k * 7919], 1) << k;

        std::size_t n = 0;
        auto items = m.items();
        for (const auto& [k, v] : items) {
            ASSERT_EQ(k % 7919, 0u);
            const u64 i = k / 7919;
            EXPECT_EQ(v, i * i);
            ++n;
        }
        EXPECT_TRUE(items.status());
        EXPECT_EQ(n, 1000u);
        EXPECT_EQ(m.count().value(), 1000u);

        // begin() again walks again.
        std::size_t again = 0;
        for (auto it = items.begin(); it != items.end(); ++it) ++again;
        EXPECT_EQ(again, 1000u);
    }
}

TEST_F(map_test, walk_of_an_empty_map) {
    auto raw = create_map(map_type::hash, 4, 8, 8);
    auto m = bpfxx::hash_map<u32, u64>::open(raw.get());
    auto items = m.items();
    EXPECT_EQ(items.begin(), items.end());
    EXPECT_TRUE(items.status());
    EXPECT_EQ(m.count().value(), 0u);
}

// The kernel's walk order, to aim erasures at particular positions.
std::vector<u32> walk_order(const bpfxx::hash_map<u32, u64>& m) {
    std::vector<u32> order;
    for (u32 k : m.keys()) order.push_back(k);
    return order;
}

bpfxx::hash_map<u32, u64> filled(const sys::fd& raw, u32 n) {
    auto m = bpfxx::hash_map<u32, u64>::open(raw.get());
    for (u32 k = 0; k < n; ++k) EXPECT_TRUE(m.update(k, k + 100));
    return m;
}

TEST_F(map_test, erasing_the_current_key_while_walking) {
    auto raw = create_map(map_type::hash, 4, 8, 1000);
    auto m = filled(raw, 1000);
    std::map<u32, int> seen;
    auto keys = m.keys();
    for (u32 k : keys) {
        ++seen[k];
        EXPECT_TRUE(m.erase(k));
    }
    EXPECT_TRUE(keys.status());
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](auto& p) { return p.second == 1; }));
    EXPECT_EQ(m.count().value(), 0u);

    // Erasing only some: the others stay, every key is listed once.
    m = filled(raw, 1000);
    seen.clear();
    auto items = m.items();
    for (const auto& [k, v] : items) {
        ++seen[k];
        EXPECT_EQ(v, k + 100u);
        if (k % 2 == 0) {
            EXPECT_TRUE(m.erase(k));
        }
    }
    EXPECT_TRUE(items.status());
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](auto& p) { return p.second == 1; }));
    EXPECT_EQ(m.count().value(), 500u);
    for (u32 k : m.keys()) EXPECT_EQ(k % 2, 1u);
}

TEST_F(map_test, erasing_the_next_key_while_walking_does_not_restart) {
    auto raw = create_map(map_type::hash, 4, 8, 256);
    auto m = filled(raw, 200);
    const auto order = walk_order(m);
    ASSERT_EQ(order.size(), 200u);
    std::map<u32, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;

    // The body erases the key after the current one, which the walk has
    // already fetched: the kernel restarts from its first key, the walk
    // notices and continues after the current key.
    std::vector<u32> listed;
    auto keys = m.keys();
    for (u32 k : keys) {
        listed.push_back(k);
        const auto i = position[k];
        if (i + 1 < order.size()) {
            EXPECT_TRUE(m.erase(order[i + 1]));
        }
    }
    EXPECT_TRUE(keys.status()) << keys.status().message();
    std::vector<u32> expected;
    for (std::size_t i = 0; i < order.size(); i += 2) expected.push_back(order[i]);
    EXPECT_EQ(listed, expected);
}

TEST_F(map_test, erasing_the_current_and_next_keys_while_walking) {
    auto raw = create_map(map_type::hash, 4, 8, 256);
    auto m = filled(raw, 200);
    const auto order = walk_order(m);
    std::map<u32, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;

    std::vector<u32> listed;
    auto items = m.items();
    for (const auto& [k, v] : items) {
        listed.push_back(k);
        EXPECT_TRUE(m.erase(k));
        const auto i = position[k];
        if (i + 1 < order.size()) {
            EXPECT_TRUE(m.erase(order[i + 1]));
        }
    }
    // Everything before the walk's position is gone, so the kernel's
    // restart lands exactly where the walk was.
    EXPECT_TRUE(items.status()) << items.status().message();
    std::vector<u32> expected;
    for (std::size_t i = 0; i < order.size(); i += 2) expected.push_back(order[i]);
    EXPECT_EQ(listed, expected);
    EXPECT_EQ(m.count().value(), 0u);
}

TEST_F(map_test, walk_that_loses_its_place_ends_with_eagain) {
    auto raw = create_map(map_type::hash, 4, 8, 256);
    auto m = filled(raw, 100);
    const auto order = walk_order(m);
    ASSERT_EQ(order.size(), 100u);

    // At the second key, erase it and the one after: the walk has nothing
    // left to continue from but the first key, which it already listed.
    std::vector<u32> listed;
    auto keys = m.keys();
    for (u32 k : keys) {
        listed.push_back(k);
        if (k == order[1]) {
            EXPECT_TRUE(m.erase(order[1]));
            EXPECT_TRUE(m.erase(order[2]));
        }
    }
    EXPECT_EQ(keys.status().error(), EAGAIN);
    EXPECT_EQ(listed, (std::vector<u32>{order[0], order[1]}));
}

TEST_F(map_test, walk_lists_at_most_its_limit) {
    auto raw = create_map(map_type::hash, 4, 8, 64);
    auto m = filled(raw, 20);
    bpfxx::detail::hash_walk<u32, bpfxx::detail::fetch_key<u32>> walk(m.fd(), 10, {});
    std::set<u32> listed;
    for (u32 k : walk) listed.insert(k);
    EXPECT_EQ(listed.size(), 10u);
    EXPECT_EQ(walk.status().error(), EAGAIN);

    bpfxx::detail::hash_walk<u32, bpfxx::detail::fetch_key<u32>> exact(m.fd(), 20, {});
    listed.clear();
    for (u32 k : exact) listed.insert(k);
    EXPECT_EQ(listed.size(), 20u);
    EXPECT_TRUE(exact.status());
}

TEST_F(map_test, walks_while_another_thread_churns_the_map) {
    constexpr u32 n = 2000;
    auto raw = create_map(map_type::hash, 4, 8, 4096);
    auto m = filled(raw, n);
    const auto order = walk_order(m);
    ASSERT_EQ(order.size(), n);

    // Keys at odd positions are erased and inserted again all the time;
    // the others stay. A walk that succeeds must list each stable key.
    std::atomic<bool> stop{false};
    std::thread churn([&] {
        auto w = bpfxx::hash_map<u32, u64>::open(raw.get());
        std::size_t i = 1;
        while (!stop.load(std::memory_order_relaxed)) {
            (void)w.erase(order[i]);
            (void)w.update(order[i], 1);
            i = i + 2 < n ? i + 2 : 1;
        }
    });
    int succeeded = 0;
    for (int round = 0; round < 30; ++round) {
        std::map<u32, int> seen;
        auto items = m.items();
        for (const auto& [k, v] : items) ++seen[k];
        EXPECT_LE(seen.size(), n);
        for (auto& [k, times] : seen) EXPECT_LT(k, n);
        if (!items.status()) {
            EXPECT_EQ(items.status().error(), EAGAIN);
            continue;
        }
        ++succeeded;
        for (std::size_t i = 0; i < n; i += 2) EXPECT_GE(seen[order[i]], 1) << "stable key " << order[i];
    }
    stop = true;
    churn.join();
    EXPECT_GT(succeeded, 0);
}

// ---- array_map ----------------------------------------------------------

TEST_F(map_test, array_lookup_update_and_walk) {
    auto raw = create_map(map_type::array, 4, 8, 8, "arr");
    auto a = bpfxx::array_map<u64>::open(raw.get());
    EXPECT_EQ(a.size(), 8u);
    EXPECT_EQ(a.name(), "arr");
    EXPECT_EQ(a.lookup(0), 0u);  // zeroed at creation
    EXPECT_EQ(a.lookup(7), 0u);
    EXPECT_EQ(a.lookup(8), std::nullopt);
    EXPECT_EQ(a.lookup(0xffffffff), std::nullopt);

    EXPECT_TRUE(a.update(3, 33));
    EXPECT_EQ(a.lookup(3), 33u);
    EXPECT_EQ(a.update(3, 1, bpfxx::update_flag::noexist).error(), EEXIST);
    EXPECT_TRUE(a.update(5, 55, bpfxx::update_flag::exist));
    EXPECT_EQ(a.update(8, 1).error(), E2BIG);
    EXPECT_EQ(a.update(1, 1, bpfxx::update_flag::lock).error(), EINVAL);

    std::vector<u64> values;
    auto range = a.values();
    for (u64 v : range) values.push_back(v);
    EXPECT_TRUE(range.status());
    EXPECT_EQ(values, (std::vector<u64>{0, 0, 0, 33, 0, 55, 0, 0}));

    std::vector<std::pair<u32, u64>> items;
    for (auto [i, v] : a.items())
        if (v != 0) items.emplace_back(i, v);
    EXPECT_EQ(items, (std::vector<std::pair<u32, u64>>{{3, 33}, {5, 55}}));
}

TEST_F(map_test, array_of_structs) {
    auto raw = create_map(map_type::array, 4, sizeof(stats), 2);
    auto a = bpfxx::array_map<stats>::open(raw.get());
    EXPECT_TRUE(a.update(1, {5, 500}));
    auto s = a.lookup(1);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->packets, 5u);
    EXPECT_EQ(s->bytes, 500u);
}

// ---- per-CPU maps -------------------------------------------------------

TEST_F(map_test, percpu_hash_one_value_per_possible_cpu) {
    auto raw = create_map(map_type::percpu_hash, 4, 4, 16, "pcpu");
    auto m = bpfxx::percpu_hash_map<u32, u32>::open(raw.get());
    const u32 cpus = m.cpus();
    EXPECT_EQ(cpus, bpfxx::detail::possible_cpus().count);
    ASSERT_GE(cpus, 1u);

    std::vector<u32> per_cpu(cpus);
    for (u32 c = 0; c < cpus; ++c) per_cpu[c] = 1000 + c;
    EXPECT_TRUE(m.update(1, per_cpu));
    EXPECT_EQ(m.lookup(1), per_cpu);
    EXPECT_EQ(m.lookup(2), std::nullopt);

    EXPECT_TRUE(m.update(2, u32{7}));
    EXPECT_EQ(m.lookup(2), std::vector<u32>(cpus, 7));
    EXPECT_EQ(m.lookup_sum(2), std::optional<u32>(7 * cpus));
    u32 expected_sum = 0;
    for (u32 v : per_cpu) expected_sum += v;
    EXPECT_EQ(m.lookup_sum(1), std::optional<u32>(expected_sum));
    EXPECT_EQ(m.lookup_sum(99), std::nullopt);
    EXPECT_EQ(bpfxx::percpu_sum<u32>(per_cpu), expected_sum);

    std::vector<u32> wrong(cpus + 1, 1);
    EXPECT_EQ(m.update(3, wrong).error(), EINVAL);
    EXPECT_EQ(m.update(1, per_cpu, bpfxx::update_flag::noexist).error(), EEXIST);
    EXPECT_EQ(m.update(9, per_cpu, bpfxx::update_flag::exist).error(), ENOENT);

    std::map<u32, std::vector<u32>> all;
    auto items = m.items();
    for (const auto& [k, v] : items) all[k] = v;
    EXPECT_TRUE(items.status());
    EXPECT_EQ(all, (std::map<u32, std::vector<u32>>{{1, per_cpu}, {2, std::vector<u32>(cpus, 7)}}));
    EXPECT_EQ(m.count().value(), 2u);
    EXPECT_TRUE(m.erase(1));
    EXPECT_EQ(m.erase(1).error(), ENOENT);
    EXPECT_EQ(m.count().value(), 1u);
}

TEST_F(map_test, percpu_hash_with_8_byte_values_and_lru) {
    auto raw = create_map(map_type::lru_percpu_hash, 8, 8, 16, "lrupcpu");
    auto m = bpfxx::percpu_hash_map<u64, u64>::open(raw.get());
    EXPECT_EQ(m.type(), map_type::lru_percpu_hash);
    std::vector<u64> per_cpu(m.cpus());
    for (u32 c = 0; c < m.cpus(); ++c) per_cpu[c] = (u64{c} << 40) | 0xabcdef;
    EXPECT_TRUE(m.update(u64{1} << 63, per_cpu));
    EXPECT_EQ(m.lookup(u64{1} << 63), per_cpu);
}

TEST_F(map_test, percpu_array) {
    struct three {
        u8 b[3];
    };
    auto raw = create_map(map_type::percpu_array, 4, 3, 4, "pcpuarr");
    auto a = bpfxx::percpu_array_map<three>::open(raw.get());
    EXPECT_EQ(a.size(), 4u);
    const u32 cpus = a.cpus();
    auto zero = a.lookup(0);
    ASSERT_TRUE(zero);
    ASSERT_EQ(zero->size(), cpus);
    for (auto& t : *zero) EXPECT_EQ(t.b[0] | t.b[1] | t.b[2], 0);
    EXPECT_EQ(a.lookup(4), std::nullopt);

    std::vector<three> values(cpus);
    for (u32 c = 0; c < cpus; ++c) values[c] = {{u8(c), u8(c + 1), u8(c + 2)}};
    EXPECT_TRUE(a.update(2, values));
    auto back = a.lookup(2);
    ASSERT_TRUE(back);
    for (u32 c = 0; c < cpus; ++c) {
        EXPECT_EQ((*back)[c].b[0], c);
        EXPECT_EQ((*back)[c].b[2], c + 2);
    }
    EXPECT_TRUE(a.update(3, three{{9, 9, 9}}));
    std::size_t n = 0;
    for (const auto& [i, per_cpu] : a.items()) {
        EXPECT_EQ(i, n);
        EXPECT_EQ(per_cpu.size(), cpus);
        if (i == 3) {
            EXPECT_EQ(per_cpu.back().b[1], 9);
        }
        ++n;
    }
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(a.update(4, values).error(), E2BIG);
}

// ---- open() refusals ----------------------------------------------------

TEST_F(map_test, open_refuses_size_mismatches_with_a_clear_message) {
    auto raw = create_map(map_type::hash, 4, 8, 8, "sizes");
    const u32 id = map_id(raw.get());
    int code = 0;
    auto what = error_of([&] { (void)bpfxx::hash_map<u32, flow>::open(raw.get()); }, &code);
    EXPECT_EQ(code, EINVAL);
    EXPECT_EQ(what, "bpfxx::hash_map<unsigned int, ktest::flow>::open: map 'sizes' (id " + std::to_string(id) +
                        ") has 8-byte values but the value type 'ktest::flow' is 16 bytes. The C++ types must be "
                        "the ones the BPF program declares the map with");

    what = error_of([&] { (void)bpfxx::hash_map<flow, u32>::open(raw.get()); });
    EXPECT_EQ(what, "bpfxx::hash_map<ktest::flow, unsigned int>::open: map 'sizes' (id " + std::to_string(id) +
                        ") has 4-byte keys but the key type 'ktest::flow' is 16 bytes, and 8-byte values but the "
                        "value type 'unsigned int' is 4 bytes. The C++ types must be the ones the BPF program "
                        "declares the map with");

    auto arr = create_map(map_type::array, 4, 16, 8, "arr16");
    what = error_of([&] { (void)bpfxx::array_map<u32>::open(arr.get()); });
    EXPECT_THAT(what, HasSubstr("bpfxx::array_map<unsigned int>::open: map 'arr16' (id "));
    EXPECT_THAT(what, HasSubstr("has 16-byte values but the value type 'unsigned int' is 4 bytes"));

    auto unnamed = create_map(map_type::hash, 4, 4, 8);
    what = error_of([&] { (void)bpfxx::hash_map<u32, flow>::open(unnamed.get()); });
    EXPECT_THAT(what, HasSubstr(": map id " + std::to_string(map_id(unnamed.get())) + " has 4-byte values"));
}

TEST_F(map_test, open_refuses_other_map_types_and_names_the_right_handle) {
    auto arr = create_map(map_type::array, 4, 8, 8, "counts");
    const auto id = std::to_string(map_id(arr.get()));
    int code = 0;
    auto what = error_of([&] { (void)bpfxx::hash_map<u32, u64>::open(arr.get()); }, &code);
    EXPECT_EQ(code, EINVAL);
    EXPECT_THAT(what, HasSubstr("::open: map 'counts' (id " + id +
                                ") has type array (2); this handle takes hash or lru_hash maps. Open it with "
                                "bpfxx::array_map instead"));

    auto pcpu = create_map(map_type::percpu_hash, 4, 8, 8, "pc");
    what = error_of([&] { (void)bpfxx::hash_map<u32, u64>::open(pcpu.get()); });
    EXPECT_THAT(what, HasSubstr("has type percpu_hash (5); this handle takes hash or lru_hash maps. Open it with "
                                "bpfxx::percpu_hash_map instead"));

    auto hash = create_map(map_type::hash, 4, 8, 8, "h");
    what = error_of([&] { (void)bpfxx::array_map<u64>::open(hash.get()); });
    EXPECT_THAT(what, HasSubstr("has type hash (1); this handle takes array maps. Open it with bpfxx::hash_map"));
    what = error_of([&] { (void)bpfxx::percpu_array_map<u64>::open(hash.get()); });
    EXPECT_THAT(what, HasSubstr("this handle takes percpu_array maps. Open it with bpfxx::hash_map instead"));
    what = error_of([&] { (void)bpfxx::percpu_hash_map<u32, u64>::open(hash.get()); });
    EXPECT_THAT(what, HasSubstr("this handle takes percpu_hash or lru_percpu_hash maps."));

    auto queue = create_map(map_type::queue, 0, 8, 8, "q");
    what = error_of([&] { (void)bpfxx::hash_map<u32, u64>::open(queue.get()); });
    EXPECT_THAT(what, HasSubstr("has type queue (22); this handle takes hash or lru_hash maps. Open it with "
                                "bpfxx::queue (bpfxx/map_kinds.hpp) instead"));
    auto cgroups = create_map(map_type::cgroup_array, 4, 4, 8, "cg");
    what = error_of([&] { (void)bpfxx::hash_map<u32, u64>::open(cgroups.get()); });
    EXPECT_THAT(what, ::testing::EndsWith("has type cgroup_array (8); this handle takes hash or lru_hash maps"));
}

TEST_F(map_test, open_refuses_descriptors_that_are_not_maps) {
    // A BPF program: BPF_OBJ_GET_INFO_BY_FD would answer with a program's
    // info (type 1, socket_filter, reads as map type 1, hash).
    const bpfxx::insn prog[] = {
        {bpfxx::op::alu64 | bpfxx::op::mov | bpfxx::op::k, 0, 0, 0, 0},
        {bpfxx::op::jmp | bpfxx::op::exit, 0, 0, 0, 0},
    };
    static const char license[] = "GPL";
    sys::attr::prog_load load;
    load.prog_type = 1;  // BPF_PROG_TYPE_SOCKET_FILTER
    load.insn_cnt = 2;
    load.insns = sys::ptr_to_u64(prog);
    load.license = sys::ptr_to_u64(license);
    sys::fd p = sys::bpf_fd(sys::bpf_cmd::prog_load, load);
    ASSERT_TRUE(p) << std::strerror(errno);
    int code = 0;
    auto what = error_of([&] { (void)bpfxx::hash_map<u32, u64>::open(p.get()); }, &code);
    EXPECT_EQ(code, EINVAL);
    EXPECT_EQ(what, "bpfxx::hash_map<unsigned int, " + std::string(bpfxx::detail::type_name<u64>()) +
                        ">::open: fd " + std::to_string(p.get()) +
                        " is not a BPF map (it is another kind of file, or a BPF program, link or BTF object)");

    sys::fd event(::eventfd(0, EFD_CLOEXEC));
    ASSERT_TRUE(event);
    what = error_of([&] { (void)bpfxx::array_map<u64>::open(event.get()); });
    EXPECT_THAT(what, HasSubstr("fd " + std::to_string(event.get()) + " is not a BPF map"));

    int closed = ::dup(event.get());
    ::close(closed);
    what = error_of([&] { (void)bpfxx::array_map<u64>::open(closed); }, &code);
    EXPECT_EQ(code, EBADF);
    EXPECT_EQ(what, "bpfxx::array_map<" + std::string(bpfxx::detail::type_name<u64>()) + ">::open: fd " +
                        std::to_string(closed) + " is not open");
}

TEST_F(map_test, no_descriptor_leaks) {
    auto hash = create_map(map_type::hash, 4, 8, 64);
    auto arr = create_map(map_type::array, 4, 8, 4);
    auto pcpu = create_map(map_type::percpu_hash, 4, 8, 8);
    sys::fd event(::eventfd(0, EFD_CLOEXEC));
    const auto before = open_fds();
    for (int round = 0; round < 50; ++round) {
        {
            auto m = bpfxx::hash_map<u32, u64>::open(hash.get());
            auto a = bpfxx::array_map<u64>::open(arr.get());
            auto p = bpfxx::percpu_hash_map<u32, u64>::open(pcpu.get());
            EXPECT_EQ(open_fds(), before + 3);
            EXPECT_TRUE(m.update(static_cast<u32>(round), 1));
            for ([[maybe_unused]] const auto& kv : m.items()) {
            }
            for ([[maybe_unused]] u64 v : a.values()) {
            }
            auto moved = std::move(m);
            EXPECT_EQ(open_fds(), before + 3);
        }
        EXPECT_THROW((void)(bpfxx::hash_map<u32, u32>::open(hash.get())), bpfxx::error);
        EXPECT_THROW((void)(bpfxx::hash_map<u32, u64>::open(arr.get())), bpfxx::error);
        EXPECT_THROW((void)(bpfxx::hash_map<u32, u64>::open(event.get())), bpfxx::error);
        EXPECT_EQ(open_fds(), before) << "round " << round;
    }
}

}  // namespace
