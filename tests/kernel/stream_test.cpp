// SPDX-License-Identifier: MIT OR Apache-2.0
// Event streams against the running kernel: 1,000,000 numbered records made
// by an XDP program run with BPF_PROG_TEST_RUN (tests/bpf/streams.bpf.cpp)
// arrive in order with none lost through a ring buffer read by an event
// loop callback, through a coroutine stream, and through a perf buffer.
// The producer runs in its own thread and never lets more records be
// outstanding than the buffer holds, so a loss is a bug, not a full buffer.
#include "../bpf/streams.hpp"

#include <bpfxx/coroutine.hpp>
#include <bpfxx/event_loop.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/perf_buffer.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/stream.hpp>
#include <bpfxx/test_run.hpp>

#include <gtest/gtest.h>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bpfxx::u64;
using streams::record;

constexpr u64 total = 1000000;

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

class Streams : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
        lo_ = bpfxx::loaded_object::load(
            bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/streams.bpf.o"));
    }

    // Runs `program` `total` times in chunks of `chunk` from a thread of
    // its own, waiting before each chunk until the consumer has taken
    // enough that the chunk fits in `room` records.
    std::thread producer(const char* program, u64 chunk, u64 room) {
        return std::thread([this, program, chunk, room] {
            const int fd = lo_->program(program).fd();
            std::vector<std::byte> packet(64);
            bpfxx::test_run_options o;
            o.data = packet;
            u64 produced = 0;
            try {
                while (produced < total && !abandon_) {
                    const u64 n = std::min(chunk, total - produced);
                    while (produced + n - received_.load() > room && !abandon_) std::this_thread::sleep_for(100us);
                    o.repeat = static_cast<bpfxx::u32>(n);
                    (void)bpfxx::test_run(fd, o);
                    produced += n;
                }
            } catch (const bpfxx::error& e) {
                producer_error_ = e.what();
            }
        });
    }

    // Checks one record against the sequence so far.
    void take(const record& r) {
        const u64 expected = received_.load(std::memory_order_relaxed);
        if (r.seq != expected || r.check != r.seq * 3 + 1) {
            if (first_bad_ == ~u64{0}) first_bad_ = expected;
        }
        received_.store(expected + 1, std::memory_order_release);
    }

    // Runs `loop` while `program` produces `total` records into a buffer
    // of `room` records (120 s at most: a hang fails instead of waiting
    // for ctest), then checks the producer.
    void run_with_producer(bpfxx::event_loop& loop, const char* program, u64 room) {
        loop.after(120s, [&] { loop.stop(); });
        auto t = producer(program, 20000, room);
        loop.run();
        abandon_ = true;
        t.join();
        EXPECT_EQ(producer_error_, "");
    }
    void expect_all_in_order() {
        EXPECT_EQ(received_.load(), total);
        EXPECT_EQ(first_bad_, ~u64{0}) << "first record out of order or torn: " << first_bad_;
    }

    void TearDown() override { abandon_ = true; }

    std::optional<bpfxx::loaded_object> lo_;
    std::atomic<u64> received_{0};
    std::atomic<bool> abandon_{false};
    u64 first_bad_ = ~u64{0};
    std::string producer_error_;
};

TEST_F(Streams, RingBufferThroughAnEventLoopCallback) {
    auto rb = bpfxx::ring_buffer::open(lo_->map("ring").fd());
    bpfxx::event_loop loop;
    loop.consume_as<record>(rb, [&](const record& r) {
        take(r);
        if (received_ == total) loop.stop();
    });
    run_with_producer(loop, "to_ring", streams::ring_bytes / 24 - 1);
    expect_all_in_order();
    EXPECT_EQ(rb.available(), 0u);
}

TEST_F(Streams, RingBufferThroughACoroutineStream) {
    auto rb = bpfxx::ring_buffer::open(lo_->map("ring").fd());
    bpfxx::event_loop loop;
    bpfxx::stream<record> events(loop, rb);
    loop.spawn([&]() -> bpfxx::task<> {
        while (const record* r = co_await events.next()) {
            take(*r);
            if (received_ == total) break;
        }
        loop.stop();
    });
    run_with_producer(loop, "to_ring", streams::ring_bytes / 24 - 1);
    expect_all_in_order();
}

TEST_F(Streams, PerfBufferThroughAnEventLoopCallback) {
    // 256 pages a CPU; a sample is 8 + 4 + 16 + 4 = 32 bytes. Wakeups
    // every 64 samples; a 2 ms timer collects what is below that.
    auto pb = bpfxx::perf_buffer::open(lo_->map("perf").fd(), {.pages = 256, .wakeup_events = 64});
    const u64 room = 256 * static_cast<u64>(::sysconf(_SC_PAGESIZE)) / 32 - 1;
    bpfxx::event_loop loop;
    // test_run may move to another CPU between (or within) runs: records
    // are in order per CPU ring, and all of them arrive.
    std::vector<bool> seen(total, false);
    u64 count = 0, duplicates = 0, torn = 0;
    auto handle = [&](const record& r) {
        if (r.seq >= total || r.check != r.seq * 3 + 1) {
            ++torn;
        } else if (seen[r.seq]) {
            ++duplicates;
        } else {
            seen[r.seq] = true;
        }
        ++count;
        received_.store(count, std::memory_order_release);
        if (count == total) loop.stop();
    };
    loop.consume_as<record>(pb, handle);
    loop.every(2ms, [&] { pb.consume_as<record>(handle); });
    run_with_producer(loop, "to_perf", room);
    EXPECT_EQ(count, total);
    EXPECT_EQ(torn, 0u);
    EXPECT_EQ(duplicates, 0u);
    EXPECT_EQ(pb.lost(), 0u);
    EXPECT_EQ(pb.malformed(), 0u);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), static_cast<std::ptrdiff_t>(total));
}

TEST_F(Streams, PerfBufferCountsWhatTheKernelLost) {
    // One page a CPU (about 128 samples) and 10,000 samples with nobody
    // reading: the kernel keeps what fits and counts the rest; its LOST
    // record goes into the ring with the next sample that fits, after the
    // reader made room. All on one CPU, so it is the same ring.
    cpu_set_t old_set, one;
    ASSERT_EQ(::sched_getaffinity(0, sizeof(old_set), &old_set), 0);
    int cpu = 0;
    while (!CPU_ISSET(cpu, &old_set)) ++cpu;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ASSERT_EQ(::sched_setaffinity(0, sizeof(one), &one), 0);
    auto pb = bpfxx::perf_buffer::open(lo_->map("perf").fd(), {.pages = 1});
    std::vector<std::byte> packet(64);
    bpfxx::test_run_options o;
    o.data = packet;
    o.repeat = 10000;
    const int fd = lo_->program("to_perf").fd();
    (void)bpfxx::test_run(fd, o);
    std::size_t got = pb.consume_as<record>([](const record&) {});
    EXPECT_GT(got, 0u);
    EXPECT_EQ(pb.lost(), 0u);  // not written yet: no room was left for it
    o.repeat = 1;
    (void)bpfxx::test_run(fd, o);
    got += pb.consume_as<record>([](const record&) {});
    ::sched_setaffinity(0, sizeof(old_set), &old_set);
    EXPECT_EQ(got + pb.lost(), 10001u) << "delivered " << got << ", lost " << pb.lost();
    EXPECT_GT(pb.lost(), 9000u);
}

TEST_F(Streams, AStreamStoppedMidwayReleasesEverything) {
    const std::size_t fds_before = open_fds();
    {
        auto rb = bpfxx::ring_buffer::open(lo_->map("ring").fd());
        bpfxx::event_loop loop;
        bpfxx::stream<record> events(loop, rb);
        loop.spawn([&]() -> bpfxx::task<> {
            while (const record* r = co_await events.next()) {
                take(*r);
                if (received_ == 1000) {
                    loop.stop();  // records left, and the coroutine asleep
                    co_await bpfxx::sleep_for(loop, 1h);
                }
            }
        });
        std::vector<std::byte> packet(64);
        bpfxx::test_run_options o;
        o.data = packet;
        o.repeat = 5000;
        (void)bpfxx::test_run(lo_->program("to_ring").fd(), o);
        loop.run();
        EXPECT_EQ(received_.load(), 1000u);
        EXPECT_EQ(loop.coroutines(), 1u);
        // The record viewed last is handed back when the stream goes, the
        // sleeping coroutine's timer when the loop destroys it; the 4,000
        // records behind stay for whoever reads next.
    }
    EXPECT_EQ(open_fds(), fds_before);  // ring mappings, epoll, eventfd: all closed
    auto rb = bpfxx::ring_buffer::open(lo_->map("ring").fd());
    std::size_t rest = rb.consume_as<record>([&](const record& r) { take(r); });
    EXPECT_EQ(rest, 4000u);
    EXPECT_EQ(first_bad_, ~u64{0});
}

}  // namespace
