// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::task and bpfxx::stream on an event_loop, over a ring buffer laid
// out in memory as the kernel lays it out (fake_ring.hpp) whose "fd" is an
// eventfd the test producer signals. No privilege needed.
#include <bpfxx/stream.hpp>
#include <bpfxx/coroutine.hpp>

#include "fake_ring.hpp"

#include <gtest/gtest.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bpfxx::event_loop;
using bpfxx::task;
using bpfxx::u64;
using bpfxx::testing_support::fake_ring;

struct record {
    u64 seq;
    u64 value;
};

// A stream_source over a fake ring: front/pop from its record walk, and an
// eventfd that is readable while records wait (the map fd's part).
class memory_source {
public:
    explicit memory_source(std::size_t capacity) : ring_(capacity), core_(ring_.core()) {
        efd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd_ < 0) throw std::runtime_error("eventfd");
    }
    memory_source(const memory_source&) = delete;
    memory_source& operator=(const memory_source&) = delete;
    ~memory_source() { ::close(efd_); }

    bool front(std::span<const std::byte>& r) noexcept {
        const bool found = core_.front(r);
        if (!found) {  // caught up: stop being readable
            std::uint64_t v;
            (void)!::read(efd_, &v, sizeof v);
        }
        return found;
    }
    void pop() noexcept { core_.pop(); }
    int fd() const noexcept { return efd_; }

    void produce(u64 seq) {
        const record r{seq, seq * 3};
        ring_.output(std::as_bytes(std::span(&r, 1)));
        signal();
    }
    void produce_short() {
        const char c = 'x';
        ring_.output(std::as_bytes(std::span(&c, 1)));
        signal();
    }
    void signal() const {
        const std::uint64_t one = 1;
        (void)!::write(efd_, &one, sizeof one);
    }
    std::size_t free_bytes() const { return ring_.capacity() - static_cast<std::size_t>(ring_.producer() - ring_.consumer()); }

private:
    fake_ring ring_;
    bpfxx::detail::ring_buffer_core core_;
    int efd_ = -1;
};
static_assert(bpfxx::stream_source<memory_source>);

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

task<int> add_one(int v) { co_return v + 1; }
task<int> fail_with(const char* what) {
    throw std::runtime_error(what);
    co_return 0;
}
task<void> nothing() { co_return; }

TEST(Task, ReturnsItsValueAndRethrowsAtTheAwaiter) {
    event_loop loop;
    auto outer = [&]() -> task<std::string> {
        int v = co_await add_one(41);
        co_await nothing();
        try {
            co_await fail_with("inner");
        } catch (const std::runtime_error& e) {
            co_return std::to_string(v) + " " + e.what();
        }
        co_return "not thrown";
    };
    EXPECT_EQ(outer().sync_wait(loop), "42 inner");
}

TEST(Task, AMillionSynchronousAwaitsDoNotGrowTheStack) {
    // Each co_await of a task that completes without suspending returns
    // through await_suspend (false) instead of resuming the awaiter from
    // inside the callee, so the frame address of the loop body stays put
    // with or without tail calls (-O0, ASan).
    event_loop loop;
    auto many = []() -> task<u64> {
        u64 sum = 0;
        const void* first = nullptr;
        for (int i = 0; i < 1000000; ++i) {
            sum += static_cast<u64>(co_await add_one(i));
            const void* here = __builtin_frame_address(0);
            if (first == nullptr) first = here;
            if (here != first) throw std::runtime_error("the stack moved at await " + std::to_string(i));
        }
        co_return sum;
    };
    EXPECT_EQ(many().sync_wait(loop), 500000500000u);
}

TEST(Task, ADroppedTaskDestroysItsFrame) {
    int destroyed = 0;
    struct guard {
        int* n;
        ~guard() { ++*n; }
    };
    {
        auto t = [](int* n) -> task<void> {
            guard g{n};
            co_return;
        }(&destroyed);
        EXPECT_EQ(destroyed, 0);  // lazy: never started, the argument lives in the frame
    }
    EXPECT_EQ(destroyed, 0);  // the guard was never constructed
    event_loop loop;
    auto started = [](int* n) -> task<void> {
        guard g{n};
        co_return;
    }(&destroyed);
    started.sync_wait(loop);
    EXPECT_EQ(destroyed, 1);
}

TEST(Task, ASpawnedLambdaKeepsItsCapturesUntilItEnds) {
    // A lambda coroutine's captures live in the closure, not the frame:
    // spawn(lambda) must keep the closure alive while the coroutine waits.
    event_loop loop;
    std::string seen;
    {
        const std::string text(100, 'x');  // on the heap: reading a destroyed copy is an ASan finding
        loop.spawn([text, &seen, &loop]() -> task<void> {
            co_await bpfxx::sleep_for(loop, 5ms);
            seen = text;
        });
    }
    loop.run();
    EXPECT_EQ(seen, std::string(100, 'x'));
    EXPECT_EQ(loop.coroutines(), 0u);
}

TEST(Stream, DeliversRecordsInOrderThroughASpawnedCoroutine) {
    event_loop loop;
    memory_source source(page_size());
    bpfxx::stream<record, memory_source> events(loop, source);
    std::vector<u64> seen;
    loop.spawn([&]() -> task<void> {
        while (const record* r = co_await events.next()) {
            EXPECT_EQ(r->value, r->seq * 3);
            seen.push_back(r->seq);
            if (seen.size() == 100) loop.stop();
        }
    });
    u64 next = 0;
    // The producer runs on the loop too: 10 records every millisecond.
    loop.every(1ms, [&] {
        for (int i = 0; i < 10; ++i) source.produce(next++);
    });
    loop.run();
    ASSERT_EQ(seen.size(), 100u);
    for (u64 i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i);
    EXPECT_EQ(loop.coroutines(), 1u);  // still waiting; the loop destroys it
}

TEST(Stream, AMillionRecordsInOrderWithoutGrowingTheStack) {
    event_loop loop;
    memory_source source(1 << 16);
    bpfxx::stream<record, memory_source> events(loop, source);
    constexpr u64 total = 1000000;
    u64 produced = 0, received = 0;
    bool ordered = true;
    const void* first = nullptr;
    bool stack_moved = false;
    // The producer fills the ring whenever it is the loop's turn; the
    // consumer drains what is there without suspending, then waits.
    auto fill = [&] {
        while (produced < total && source.free_bytes() >= 2 * sizeof(record) + 16) source.produce(produced++);
    };
    loop.spawn([&]() -> task<void> {
        for (;;) {
            const record* r = co_await events.next();
            if (r == nullptr) break;
            const void* here = __builtin_frame_address(0);
            if (first == nullptr) first = here;
            stack_moved |= here != first;
            ordered &= r->seq == received;
            if (++received == total) break;
        }
        loop.stop();
    });
    auto producer = loop.every(100us, fill);
    loop.run();
    loop.remove(producer);
    EXPECT_EQ(received, total);
    EXPECT_TRUE(ordered);
    EXPECT_FALSE(stack_moved);
}

TEST(Stream, ShortRecordsAreSkippedAndCounted) {
    event_loop loop;
    memory_source source(page_size());
    bpfxx::stream<record, memory_source> events(loop, source);
    source.produce_short();
    source.produce(7);
    source.produce_short();
    source.produce(8);
    std::vector<u64> seen;
    loop.spawn([&]() -> task<void> {
        while (const record* r = co_await events.next()) {
            seen.push_back(r->seq);
            if (seen.size() == 2) events.close();
        }
    });
    loop.run_for(200ms);
    EXPECT_EQ(seen, (std::vector<u64>{7, 8}));
    EXPECT_EQ(events.short_records(), 2u);
    EXPECT_EQ(loop.coroutines(), 0u);       // ended by close()
}

TEST(Stream, CloseResumesAWaitingCoroutineWithNull) {
    event_loop loop;
    memory_source source(page_size());
    bpfxx::stream<record, memory_source> events(loop, source);
    bool ended = false;
    loop.spawn([&]() -> task<void> {
        const record* r = co_await events.next();  // nothing comes
        ended = r == nullptr;
    });
    loop.after(10ms, [&] { events.close(); });
    loop.run();
    EXPECT_TRUE(ended);
    EXPECT_EQ(loop.coroutines(), 0u);
}

TEST(Stream, DestroyingTheLoopCancelsSuspendedCoroutinesCleanly) {
    int alive = 0;
    struct counted {
        int* n;
        explicit counted(int* c) : n(c) { ++*n; }
        ~counted() { --*n; }
    };
    memory_source source(page_size());
    {
        event_loop loop;
        bpfxx::stream<record, memory_source> events(loop, source);
        auto inner = [&]() -> task<u64> {
            counted c(&alive);
            const record* r = co_await events.next();
            co_return r ? r->seq : 0;
        };
        loop.spawn([&]() -> task<void> {
            counted c(&alive);
            (void)co_await inner();
        });
        loop.run_for(20ms);
        EXPECT_EQ(alive, 2);  // both frames suspended, waiting for a record
        EXPECT_EQ(loop.coroutines(), 1u);
    }
    EXPECT_EQ(alive, 0);  // the loop destroyed the spawned frame, which destroyed the inner one
}

TEST(Stream, ASpawnedCoroutinesExceptionComesOutOfRun) {
    event_loop loop;
    memory_source source(page_size());
    bpfxx::stream<record, memory_source> events(loop, source);
    loop.spawn([&]() -> task<void> {
        while (const record* r = co_await events.next())
            if (r->seq == 3) throw std::runtime_error("record 3");
    });
    for (u64 i = 0; i < 5; ++i) source.produce(i);
    try {
        loop.run();
        FAIL() << "run() returned";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "record 3");
    }
    EXPECT_EQ(loop.coroutines(), 0u);
}

TEST(Stream, ASuspendedTaskChainResumesWhenRecordsArrive) {
    // inner awaits the stream (suspends), outer awaits inner: the record's
    // arrival resumes inner from the loop, and inner's end resumes outer.
    event_loop loop;
    memory_source source(page_size());
    bpfxx::stream<record, memory_source> events(loop, source);
    auto inner = [&]() -> task<u64> {
        const record* r = co_await events.next();
        co_return r->value;
    };
    std::vector<u64> values;
    loop.spawn([&]() -> task<void> {
        for (int i = 0; i < 3; ++i) values.push_back(co_await inner());
        loop.stop();
    });
    u64 seq = 1;
    loop.every(2ms, [&] { source.produce(seq++); });
    loop.run();
    EXPECT_EQ(values, (std::vector<u64>{3, 6, 9}));
}

}  // namespace
