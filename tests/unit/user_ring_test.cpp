// SPDX-License-Identifier: MIT OR Apache-2.0
// The user ring buffer's producer side (detail::user_ring_core, what
// bpfxx::user_ring_buffer runs over the map) against a ring laid out in
// memory as the kernel lays it out (fake_ring.hpp), the test playing the
// kernel's part: reading headers and advancing the consumer position.
#include <bpfxx/detail/user_ring_core.hpp>

#include "fake_ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>

namespace {

using namespace bpfxx::testing_support;
using bpfxx::detail::user_ring_core;

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

class UserRingCore : public testing::Test {
protected:
    fake_ring ring{page_size()};
    user_ring_core core{ring.consumer_position(), ring.producer_position(), ring.data(), ring.capacity()};
    u32 header_at(u64 pos) {
        u32 h;
        std::memcpy(&h, ring.at(pos), 4);
        return h;
    }
};

TEST_F(UserRingCore, ReserveMarksTheSampleBusyAndMovesTheProducer) {
    auto s = core.reserve(13);
    ASSERT_EQ(s.size(), 13u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s.data()) % 8, 0u);
    EXPECT_EQ(s.data(), ring.data() + 8);
    EXPECT_EQ(header_at(0), 13u | ringbuf_busy_bit);
    EXPECT_EQ(ring.producer(), 24u);  // 8 + 13 rounded up to 8
    EXPECT_EQ(core.pending(), 24u);
    core.submit(s);
    EXPECT_EQ(header_at(0), 13u);
    auto d = core.reserve(1);
    core.discard(d);
    EXPECT_EQ(header_at(24), 1u | ringbuf_discard_bit);
}

TEST_F(UserRingCore, AFullRingRefusesUntilTheKernelDrains) {
    std::size_t n = 0;
    while (!core.reserve(16).empty()) ++n;
    EXPECT_EQ(n, ring.capacity() / 24);
    ring.set_consumer(ring.producer());  // the kernel drained everything
    EXPECT_EQ(core.pending(), 0u);
    EXPECT_FALSE(core.reserve(16).empty());
}

TEST_F(UserRingCore, ASampleThatCanNeverFitIsRefused) {
    EXPECT_EQ(core.max_sample(), ring.capacity() - 8);
    EXPECT_TRUE(core.reserve(ring.capacity()).empty());
    EXPECT_EQ(ring.producer(), 0u);
    auto whole = core.reserve(core.max_sample());
    EXPECT_EQ(whole.size(), ring.capacity() - 8);
}

TEST_F(UserRingCore, ASampleAcrossTheEndIsContiguous) {
    ring.start_at(ring.capacity() - 16);
    auto s = core.reserve(40);  // 8 bytes before the end, 32 after it
    ASSERT_EQ(s.size(), 40u);
    std::memset(s.data(), 0xab, s.size());  // through the first mapping, past its end: the second
    EXPECT_EQ(ring.data()[0], std::byte{0xab});  // landed at the ring's start
    core.submit(s);
    EXPECT_EQ(header_at(ring.capacity() - 16), 40u);
}

TEST_F(UserRingCore, AnInconsistentConsumerPositionRefusesEverything) {
    ring.set_consumer(ring.producer() + 8);  // the consumer ahead of the producer: not the kernel's
    EXPECT_TRUE(core.reserve(8).empty());
    user_ring_core idle;
    EXPECT_TRUE(idle.reserve(8).empty());
    EXPECT_EQ(idle.capacity(), 0u);
}

}  // namespace
