// SPDX-License-Identifier: MIT OR Apache-2.0
// The ring-buffer record walk against a ring laid out in ordinary memory
// exactly as the kernel lays out a BPF_MAP_TYPE_RINGBUF: a consumer
// position, a producer position, and the data pages mapped twice back to
// back (a memfd mapped twice, which needs no privilege). The walk is the
// same detail::ring_buffer_core that bpfxx::ring_buffer runs over the map.
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/sys/epoll.hpp>

#include "fake_ring.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace bpfxx::testing_support;  // fake_ring, u32, u64, ring_buffer_core, ringbuf_*

std::string text(std::span<const std::byte> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

class RingBufferCore : public testing::Test {
protected:
    fake_ring ring{page_size()};
    ring_buffer_core core = ring.core();
    std::vector<std::string> got;
    std::size_t consume() {
        return core.consume([&](std::span<const std::byte> r) { got.push_back(text(r)); });
    }
};

TEST_F(RingBufferCore, ConsumeNTakesAtMostN) {
    for (const char* r : {"1", "2", "3", "4", "5"}) ring.output(r);
    auto take = [&](std::span<const std::byte> r) { got.push_back(text(r)); };
    EXPECT_EQ(core.consume_n(0, take), 0u);
    EXPECT_EQ(core.consume_n(2, take), 2u);
    EXPECT_EQ(core.consume_n(10, take), 3u);
    EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
    EXPECT_EQ(ring.consumer(), ring.producer());
}

TEST_F(RingBufferCore, DoubleMappingAliasesTheDataPages) {
    ring.data()[ring.capacity() + 5] = std::byte{0x5a};
    EXPECT_EQ(ring.data()[5], std::byte{0x5a});
}

TEST_F(RingBufferCore, EmptyRingDeliversNothing) {
    EXPECT_EQ(consume(), 0u);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(ring.consumer(), 0u);
    EXPECT_EQ(core.available(), 0u);
    EXPECT_EQ(core.capacity(), page_size());
}

TEST_F(RingBufferCore, DeliversRecordsInOrder) {
    ring.output("a");              // 8 + 1 -> 16
    ring.output("12345678");       // 8 + 8 -> 16
    ring.output("thirteen byte");  // 8 + 13 -> 24
    EXPECT_EQ(core.available(), 56u);
    EXPECT_EQ(consume(), 3u);
    EXPECT_THAT(got, testing::ElementsAre("a", "12345678", "thirteen byte"));
    EXPECT_EQ(ring.consumer(), 56u);
    EXPECT_EQ(core.available(), 0u);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(got.size(), 3u);
}

TEST_F(RingBufferCore, ViewPointsIntoTheRingAndIsEightByteAligned) {
    ring.output("xyz");
    ring.output("0123456789");
    std::vector<const std::byte*> where;
    core.consume([&](std::span<const std::byte> r) { where.push_back(r.data()); });
    ASSERT_EQ(where.size(), 2u);
    EXPECT_EQ(where[0], ring.data() + 8);
    EXPECT_EQ(where[1], ring.data() + 16 + 8);
    for (auto* p : where) EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 8, 0u);
}

TEST_F(RingBufferCore, RecordStraddlingTheEndIsContiguous) {
    const u64 cap = ring.capacity();
    ring.start_at(3 * cap - 24);  // positions keep counting across laps
    std::string payload(40, '\0');
    std::iota(payload.begin(), payload.end(), 'A');
    ring.output(payload);  // header at cap - 24, payload cap - 16 .. cap + 24
    ring.output("next");   // header at 24 of the next lap
    std::vector<const std::byte*> where;
    EXPECT_EQ(core.consume([&](std::span<const std::byte> r) {
                  got.push_back(text(r));
                  where.push_back(r.data());
              }),
              2u);
    EXPECT_THAT(got, testing::ElementsAre(payload, "next"));
    EXPECT_EQ(where[0], ring.data() + cap - 16);
    EXPECT_EQ(where[1], ring.data() + 24 + 8);
    EXPECT_EQ(ring.consumer(), 3 * cap + 24 + 16);
}

TEST_F(RingBufferCore, HeaderInTheLastEightBytes) {
    const u64 cap = ring.capacity();
    ring.start_at(cap - 8);
    ring.output("wrapped!");  // the payload starts exactly at the second mapping
    std::vector<const std::byte*> where;
    EXPECT_EQ(core.consume([&](std::span<const std::byte> r) {
                  got.push_back(text(r));
                  where.push_back(r.data());
              }),
              1u);
    EXPECT_THAT(got, testing::ElementsAre("wrapped!"));
    EXPECT_EQ(where[0], ring.data() + cap);
    EXPECT_EQ(ring.consumer(), cap + 8);
}

TEST_F(RingBufferCore, WrapsManyTimesInterleavedWithTheProducer) {
    const u64 cap = ring.capacity();
    u64 produced = 0;
    u64 expected = 0;
    u64 bytes = 0;
    bool mismatch = false;
    // Records of 0..99 bytes carrying their sequence number, the producer
    // filling the ring as far as it may before each consume.
    while (bytes < 7 * cap) {
        for (;;) {
            const u32 len = static_cast<u32>(produced % 100);
            if (ring.producer() + ringbuf_record_size(len) - ring.consumer() > cap - 1) break;
            std::string p(len, static_cast<char>('a' + produced % 26));
            if (len >= 8) std::memcpy(p.data(), &produced, 8);
            ring.output(p);
            bytes += ringbuf_record_size(len);
            ++produced;
        }
        core.consume([&](std::span<const std::byte> r) {
            const u32 len = static_cast<u32>(expected % 100);
            std::string want(len, static_cast<char>('a' + expected % 26));
            if (len >= 8) std::memcpy(want.data(), &expected, 8);
            if (text(r) != want) mismatch = true;
            ++expected;
        });
        ASSERT_FALSE(mismatch) << "record " << expected - 1;
        ASSERT_EQ(expected, produced);
        ASSERT_EQ(ring.consumer(), ring.producer());
    }
    EXPECT_GT(produced, 7 * cap / 64);
}

TEST_F(RingBufferCore, DiscardedRecordsAreSkipped) {
    ring.output("first");
    const u64 d = ring.reserve(9);
    ring.discard(d);
    ring.output("third");
    EXPECT_EQ(consume(), 2u);
    EXPECT_THAT(got, testing::ElementsAre("first", "third"));
    EXPECT_EQ(ring.consumer(), 16u + 24 + 16);
}

TEST_F(RingBufferCore, OnlyDiscardedRecordsAdvanceTheConsumer) {
    ring.discard(ring.reserve(3));
    ring.discard(ring.reserve(100));
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.consumer(), 16u + 112);
    EXPECT_EQ(core.available(), 0u);
}

TEST_F(RingBufferCore, BusyRecordStopsTheWalk) {
    ring.output("before");
    const u64 busy = ring.reserve(5);
    ring.output("after");
    EXPECT_EQ(consume(), 1u);
    EXPECT_THAT(got, testing::ElementsAre("before"));
    EXPECT_EQ(ring.consumer(), busy);
    EXPECT_EQ(core.available(), 16u + 16);
    EXPECT_EQ(consume(), 0u);  // still busy
    EXPECT_EQ(ring.consumer(), busy);

    ring.fill(busy, std::as_bytes(std::span("late!", 5)));
    ring.submit(busy);
    EXPECT_EQ(consume(), 2u);
    EXPECT_THAT(got, testing::ElementsAre("before", "late!", "after"));
    EXPECT_EQ(ring.consumer(), ring.producer());
}

TEST_F(RingBufferCore, BusyRecordLaterDiscarded) {
    const u64 busy = ring.reserve(5);
    ring.output("after");
    EXPECT_EQ(consume(), 0u);
    ring.discard(busy);
    EXPECT_EQ(consume(), 1u);
    EXPECT_THAT(got, testing::ElementsAre("after"));
    EXPECT_EQ(ring.consumer(), 32u);
}

TEST_F(RingBufferCore, ZeroLengthRecords) {
    ring.output(std::span<const std::byte>());
    ring.output("x");
    ring.output(std::span<const std::byte>());
    std::vector<std::size_t> sizes;
    std::vector<const std::byte*> where;
    EXPECT_EQ(core.consume([&](std::span<const std::byte> r) {
                  sizes.push_back(r.size());
                  where.push_back(r.data());
              }),
              3u);
    EXPECT_THAT(sizes, testing::ElementsAre(0u, 1u, 0u));
    EXPECT_EQ(where[0], ring.data() + 8);
    EXPECT_EQ(where[2], ring.data() + 8 + 16 + 8);
    EXPECT_EQ(ring.consumer(), 8u + 16 + 8);
}

TEST_F(RingBufferCore, CallbackStopsEarly) {
    for (const char* s : {"one", "two", "three", "four"}) ring.output(std::string(s));
    const auto stop_after_two = [&](std::span<const std::byte> r) {
        got.push_back(text(r));
        return got.size() % 2 != 0;
    };
    EXPECT_EQ(core.consume(stop_after_two), 2u);
    EXPECT_THAT(got, testing::ElementsAre("one", "two"));
    EXPECT_EQ(ring.consumer(), 32u);
    EXPECT_EQ(core.available(), 16u + 16);
    EXPECT_EQ(core.consume(stop_after_two), 2u);
    EXPECT_THAT(got, testing::ElementsAre("one", "two", "three", "four"));
    EXPECT_EQ(ring.consumer(), 64u);
    EXPECT_EQ(core.consume(stop_after_two), 0u);
}

TEST_F(RingBufferCore, RecordWhoseCallbackThrowsIsConsumed) {
    for (const char* s : {"ok", "bad", "later"}) ring.output(std::string(s));
    EXPECT_THROW(core.consume([&](std::span<const std::byte> r) {
        if (text(r) == "bad") throw std::runtime_error("bad record");
        got.push_back(text(r));
    }),
                 std::runtime_error);
    EXPECT_EQ(ring.consumer(), 32u);
    EXPECT_EQ(consume(), 1u);
    EXPECT_THAT(got, testing::ElementsAre("ok", "later"));
}

struct event {
    u64 seq;
    u32 pid;
    char comm[4];
};

TEST_F(RingBufferCore, ConsumeAsSkipsAndCountsShortRecords) {
    const auto put = [&](const event& e, std::size_t extra) {
        std::vector<std::byte> b(sizeof(e) + extra, std::byte{0xee});
        std::memcpy(b.data(), &e, sizeof(e));
        ring.output(b);
    };
    put({1, 100, {'a', 'b', 'c', 0}}, 0);
    ring.output("short");                            // 5 bytes
    ring.output(std::span<const std::byte>());       // 0 bytes
    put({2, 200, {'x', 'y', 0, 0}}, 8);              // longer than event: delivered
    ring.output(std::string(sizeof(event) - 1, 'z'));  // one byte short
    std::vector<event> seen;
    EXPECT_EQ(core.consume_as<event>([&](const event& e) { seen.push_back(e); }), 2u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].seq, 1u);
    EXPECT_EQ(seen[0].pid, 100u);
    EXPECT_STREQ(seen[0].comm, "abc");
    EXPECT_EQ(seen[1].seq, 2u);
    EXPECT_EQ(seen[1].pid, 200u);
    EXPECT_EQ(core.short_records(), 3u);
    EXPECT_EQ(ring.consumer(), ring.producer());
}

TEST_F(RingBufferCore, ConsumeAsViewsInPlaceAndStopsEarly) {
    for (u64 i = 0; i < 5; ++i) ring.output(std::as_bytes(std::span(&i, 1)));
    std::vector<const u64*> where;
    EXPECT_EQ(core.consume_as<u64>([&](const u64& v) {
        where.push_back(&v);
        return v < 2;
    }),
              3u);
    ASSERT_EQ(where.size(), 3u);
    EXPECT_EQ(reinterpret_cast<const std::byte*>(where[1]), ring.data() + 16 + 8);
    EXPECT_EQ(*where[2], 2u);
    EXPECT_EQ(ring.consumer(), 48u);
    EXPECT_EQ(core.short_records(), 0u);
}

TEST_F(RingBufferCore, InconsistentPositionsReadNothing) {
    ring.output("data");
    // A consumer position past the producer's (the page was overwritten).
    ring.set_consumer(ring.producer() + 8);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.consumer(), 24u);
    // A position that is not 8-byte aligned.
    ring.set_consumer(4);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.consumer(), 4u);
    // More than a ring's worth outstanding.
    ring.set_consumer(0);
    ring.set_producer(ring.capacity() + 16);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.consumer(), 0u);
    // A record longer than what the producer published.
    ring.set_producer(16);
    const u32 len = 64;
    std::memcpy(ring.data(), &len, 4);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.consumer(), 0u);
    EXPECT_TRUE(got.empty());
}

TEST_F(RingBufferCore, RecordLengthBeyondTheRingIsRejected) {
    // 2^30 - 1 would reach far past the double mapping.
    ring.set_producer(ring.capacity() - 8);
    const u32 len = bpfxx::detail::ringbuf_length_mask;
    std::memcpy(ring.data(), &len, 4);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.consumer(), 0u);
}

TEST_F(RingBufferCore, IdleAndMovedFromCoresAreEmpty) {
    ring_buffer_core idle;
    EXPECT_EQ(idle.consume([](std::span<const std::byte>) { ADD_FAILURE(); }), 0u);
    EXPECT_EQ(idle.available(), 0u);
    EXPECT_EQ(idle.capacity(), 0u);

    ring.output("one");
    ring.output("two");
    EXPECT_EQ(core.consume([&](std::span<const std::byte> r) {
        got.push_back(text(r));
        return false;
    }),
              1u);
    ring_buffer_core moved = std::move(core);
    EXPECT_EQ(core.consume([](std::span<const std::byte>) { ADD_FAILURE(); }), 0u);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(core.capacity(), 0u);
    EXPECT_EQ(moved.capacity(), page_size());
    EXPECT_EQ(moved.consume([&](std::span<const std::byte> r) { got.push_back(text(r)); }), 1u);
    EXPECT_THAT(got, testing::ElementsAre("one", "two"));
}

// A producer thread following the kernel's protocol against a consumer
// thread: every record arrives once, in order, complete.
TEST_F(RingBufferCore, ConcurrentProducerAndConsumer) {
    constexpr u64 count = 200000;
    const u64 cap = ring.capacity();
    std::atomic<bool> failed{false};
    std::thread producer([&] {
        for (u64 i = 0; i < count; ++i) {
            const u32 len = 8 + static_cast<u32>(i % 5) * 8;
            while (ring.producer() + ringbuf_record_size(len) - ring.consumer() > cap - 1) {
                if (failed.load()) return;
                std::this_thread::yield();
            }
            const u64 pos = ring.reserve(len);
            std::vector<u64> words(len / 8, i);
            ring.fill(pos, std::as_bytes(std::span(words)));
            ring.submit(pos);
        }
    });
    u64 next = 0;
    while (next < count && !failed) {
        core.consume([&](std::span<const std::byte> r) {
            const u32 len = 8 + static_cast<u32>(next % 5) * 8;
            if (r.size() != len) failed = true;
            for (std::size_t off = 0; off < r.size(); off += 8) {
                u64 v;
                std::memcpy(&v, r.data() + off, 8);
                if (v != next) failed = true;
            }
            ++next;
            return !failed;
        });
    }
    producer.join();
    EXPECT_FALSE(failed) << "at record " << next;
    EXPECT_EQ(next, count);
    EXPECT_EQ(ring.consumer(), ring.producer());
}

// What the concepts accept.
struct alignas(16) over_aligned {
    u64 a, b;
};
static_assert(bpfxx::ring_buffer_record<event>);
static_assert(bpfxx::ring_buffer_record<u64>);
static_assert(bpfxx::ring_buffer_record<char[16]>);
static_assert(!bpfxx::ring_buffer_record<over_aligned>);
static_assert(!bpfxx::ring_buffer_record<std::string>);
static_assert(!bpfxx::ring_buffer_record<const event>);
using view = std::span<const std::byte>;
static_assert(bpfxx::ring_buffer_callback<void (*)(view), view>);
static_assert(bpfxx::ring_buffer_callback<bool (*)(view), view>);
static_assert(!bpfxx::ring_buffer_callback<int (*)(view), view>);
static_assert(!bpfxx::ring_buffer_callback<void (*)(const event&), view>);
static_assert(bpfxx::ring_buffer_callback<void (*)(const event&), const event&>);

TEST(RingBufferOpen, RefusesAnInvalidFd) {
    try {
        (void)bpfxx::ring_buffer::open(-1);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EBADF);
        EXPECT_THAT(e.what(), testing::HasSubstr("invalid map fd -1"));
    }
}

TEST(RingBufferOpen, RefusesAnFdThatIsNotABpfMap) {
    const int memfd = ::memfd_create("not-a-map", MFD_CLOEXEC);
    ASSERT_GE(memfd, 0);
    const auto fds = open_fds();
    try {
        (void)bpfxx::ring_buffer::open(memfd);
        ADD_FAILURE() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_NE(e.code(), 0);  // EINVAL, or EPERM where bpf(2) is closed to this user
        EXPECT_THAT(e.what(), testing::HasSubstr("is not a BPF map"));
    }
    EXPECT_EQ(open_fds(), fds);  // the duplicate made inside open() is closed again
    ::close(memfd);
}

TEST(Epoll, ReportsReadinessWithItsData) {
    auto ep = bpfxx::sys::epoll::create();
    ASSERT_TRUE(ep);
    EXPECT_GE(ep.fd(), 3);
    bpfxx::sys::fd ev(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    ASSERT_TRUE(ev);
    int tag = 0;
    ASSERT_TRUE(ep.add(ev.get(), EPOLLIN, epoll_data_t{.ptr = &tag}));

    epoll_event buf[4];
    auto none = ep.wait(buf, std::chrono::milliseconds(0));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());

    const u64 one = 1;
    ASSERT_EQ(::write(ev.get(), &one, 8), 8);
    auto ready = ep.wait(buf, std::chrono::milliseconds(1000));
    ASSERT_TRUE(ready);
    ASSERT_EQ(ready->size(), 1u);
    // epoll_event is packed on x86_64: copy members out before comparing.
    const void* ptr = (*ready)[0].data.ptr;
    EXPECT_EQ(ptr, &tag);
    EXPECT_TRUE((*ready)[0].events & EPOLLIN);

    auto again = ep.add(ev.get(), EPOLLIN);
    EXPECT_FALSE(again);
    EXPECT_EQ(again.error(), EEXIST);

    ASSERT_TRUE(ep.modify(ev.get(), EPOLLIN, epoll_data_t{.u64 = 42}));
    ready = ep.wait(buf, std::chrono::milliseconds(1000));
    ASSERT_TRUE(ready);
    ASSERT_EQ(ready->size(), 1u);
    const u64 cookie = (*ready)[0].data.u64;
    EXPECT_EQ(cookie, 42u);

    ASSERT_TRUE(ep.remove(ev.get()));
    none = ep.wait(buf, std::chrono::milliseconds(0));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    EXPECT_EQ(ep.remove(ev.get()).error(), ENOENT);
}

TEST(Epoll, TimesOutAndMoves) {
    auto ep = bpfxx::sys::epoll::create();
    epoll_event buf[1];
    const auto start = std::chrono::steady_clock::now();
    auto r = ep.wait(buf, std::chrono::milliseconds(30));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(25));

    const int raw = ep.fd();
    bpfxx::sys::epoll moved = std::move(ep);
    EXPECT_EQ(moved.fd(), raw);
    EXPECT_FALSE(ep);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(ep.wait(buf, std::chrono::milliseconds(0)).error(), EBADF);
    bpfxx::sys::epoll none;
    EXPECT_FALSE(none);
}

TEST(Epoll, PollTimeoutConversion) {
    using std::chrono::milliseconds;
    EXPECT_EQ(bpfxx::sys::poll_timeout(milliseconds(-5)), -1);
    EXPECT_EQ(bpfxx::sys::poll_timeout(milliseconds(0)), 0);
    EXPECT_EQ(bpfxx::sys::poll_timeout(milliseconds(1500)), 1500);
    EXPECT_EQ(bpfxx::sys::poll_timeout(milliseconds(1LL << 40)), INT_MAX);
}

}  // namespace
