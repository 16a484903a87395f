// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::user_ring_buffer against the running kernel (Linux 6.1): user
// space writes numbered samples, an XDP program run with BPF_PROG_TEST_RUN
// drains them (tests/bpf/user_ring.bpf.cpp) and adds them up in globals
// read back here. Skips where the kernel has no user ring buffers.
#include "../bpf/streams.hpp"
#include "../unit/expect_error.hpp"

#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/test_run.hpp>
#include <bpfxx/user_ring_buffer.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bpfxx::s64;
using bpfxx::u64;
using streams::record;

class UserRing : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
        if (bpfxx::features::map_type_supported(bpfxx::map_type::user_ringbuf) == bpfxx::features::answer::no)
            GTEST_SKIP() << "the kernel has no user ring buffers (BPF_MAP_TYPE_USER_RINGBUF, Linux 6.1)";
        obj_ = bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/user_ring.bpf.o");
        lo_ = bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/user_ring.bpf.o"));
    }

    template <class T>
    T global(std::string_view name) {
        const auto* g = obj_->find_global(name);
        EXPECT_NE(g, nullptr) << name;
        if (g == nullptr) return T{};
        auto data = lo_->map(obj_->maps()[g->map_index].name).global_data();
        T out{};
        std::memcpy(&out, data.data() + g->offset, sizeof out);
        return out;
    }

    void drain() {
        std::vector<std::byte> packet(64);
        bpfxx::test_run_options o;
        o.data = packet;
        (void)bpfxx::test_run(lo_->program("drain_commands").fd(), o);
    }

    std::optional<bpfxx::object> obj_;
    std::optional<bpfxx::loaded_object> lo_;
};

TEST_F(UserRing, SamplesWrittenInUserSpaceAreDrainedInOrder) {
    auto urb = bpfxx::user_ring_buffer::open(lo_->map("commands").fd());
    EXPECT_EQ(urb.capacity(), 4096u * 4);
    u64 seq = 0, expected_sum = 0, written = 0;
    // 10 rounds: fill the ring until it is full, then let the program drain it.
    for (int round = 0; round < 10; ++round) {
        std::size_t this_round = 0;
        while (urb.write(record{seq, seq * 3 + 1})) {
            expected_sum += seq * 3 + 1;
            ++seq;
            ++this_round;
        }
        EXPECT_EQ(this_round, urb.capacity() / 24) << "24 bytes a sample: the ring takes exactly this many";
        written += this_round;
        drain();
        EXPECT_EQ(global<s64>("last_result"), static_cast<s64>(this_round));
        EXPECT_EQ(urb.pending(), 0u);
    }
    EXPECT_EQ(global<u64>("drained"), written);
    EXPECT_EQ(global<u64>("sum"), expected_sum);
    EXPECT_EQ(global<u64>("order_errs"), 0u);
    EXPECT_EQ(global<u64>("short_ones"), 0u);
}

TEST_F(UserRing, AReservedSampleHoldsTheDrainUntilSubmittedAndADiscardedOneIsSkipped) {
    auto urb = bpfxx::user_ring_buffer::open(lo_->map("commands").fd());
    ASSERT_TRUE(urb.write(record{0, 1}));
    auto held = urb.reserve(sizeof(record));
    ASSERT_EQ(held.size(), sizeof(record));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(held.data()) % 8, 0u);
    const record r1{1, 4};
    std::memcpy(held.data(), &r1, sizeof r1);
    auto dropped = urb.reserve(sizeof(record));
    ASSERT_FALSE(dropped.empty());
    drain();  // takes record 0, stops at the BUSY one
    EXPECT_EQ(global<u64>("drained"), 1u);
    urb.submit(held);
    urb.discard(dropped);
    ASSERT_TRUE(urb.write(record{2, 7}));
    drain();
    EXPECT_EQ(global<u64>("drained"), 3u);
    EXPECT_EQ(global<u64>("sum"), 1u + 4u + 7u);
    EXPECT_EQ(global<u64>("order_errs"), 0u);
    // A sample shorter than the program's record is seen as short.
    auto small = urb.reserve(4);
    ASSERT_FALSE(small.empty());
    urb.submit(small);
    drain();
    EXPECT_EQ(global<u64>("short_ones"), 1u);
}

TEST_F(UserRing, AFullRingWaitsForTheKernelToDrain) {
    auto urb = bpfxx::user_ring_buffer::open(lo_->map("commands").fd());
    u64 seq = 0;
    while (urb.write(record{seq, seq * 3 + 1})) ++seq;
    auto r = urb.reserve(sizeof(record), 30ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), ETIMEDOUT);
    auto never = urb.reserve(urb.capacity(), 0ms);
    ASSERT_FALSE(never);
    EXPECT_EQ(never.error(), E2BIG);
    std::thread drainer([&] {
        std::this_thread::sleep_for(20ms);
        drain();
    });
    auto room = urb.reserve(sizeof(record), 5s);  // wakes when the program has drained
    drainer.join();
    ASSERT_TRUE(room) << room.message();
    EXPECT_EQ(room->size(), sizeof(record));
    urb.discard(*room);
}

TEST_F(UserRing, OpenRefusesOtherMaps) {
    bpfxx_test::expect_error([&] { (void)bpfxx::user_ring_buffer::open(lo_->map("commands").fd() + 1000); },
                             {"user ring buffer"});
    // The ring's own consumer type is the wrong direction.
    bpfxx_test::expect_error([&] { (void)bpfxx::ring_buffer::open(lo_->map("commands").fd()); },
                             {"user_ringbuf", "user space writes"});
}

}  // namespace
