// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::event_loop without BPF: pipes, eventfds, timers and signals
// (no privilege needed).
#include <bpfxx/event_loop.hpp>

#include "expect_error.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bpfxx::event_loop;

struct pipe_pair {
    int r = -1, w = -1;
    pipe_pair() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe");
        r = fds[0];
        w = fds[1];
    }
    ~pipe_pair() {
        ::close(r);
        ::close(w);
    }
    void put(char c = 'x') const { ASSERT_EQ(::write(w, &c, 1), 1); }
    std::size_t drain() const {
        char buf[64];
        std::size_t n = 0;
        ssize_t r2;
        while ((r2 = ::read(r, buf, sizeof buf)) > 0) n += static_cast<std::size_t>(r2);
        return n;
    }
};

bool blocked(int signo) {
    sigset_t set;
    ::pthread_sigmask(SIG_BLOCK, nullptr, &set);
    return sigismember(&set, signo) == 1;
}

TEST(EventLoop, RunReturnsWhenNothingIsLeftToWaitFor) {
    event_loop loop;
    EXPECT_EQ(loop.run(), 0u);
    EXPECT_EQ(loop.sources(), 0u);
}

TEST(EventLoop, LevelTriggeredWatchRunsWhileReadable) {
    event_loop loop;
    pipe_pair p;
    int calls = 0;
    const auto id = loop.watch(p.r, [&] { ++calls; });
    p.put();
    EXPECT_EQ(loop.run_once(0ms), 1u);
    EXPECT_EQ(loop.run_once(0ms), 1u);  // not drained: still readable
    p.drain();
    EXPECT_EQ(loop.run_once(0ms), 0u);
    EXPECT_EQ(calls, 2);
    loop.remove(id);
    EXPECT_EQ(loop.sources(), 0u);
}

TEST(EventLoop, EdgeAndOneshotWatches) {
    event_loop loop;
    pipe_pair edge, once;
    int edges = 0, onces = 0;
    loop.watch(edge.r, [&] { ++edges; }, event_loop::trigger::edge);
    const auto id = loop.watch(once.r, [&] { ++onces; }, event_loop::trigger::oneshot);
    edge.put();
    once.put();
    loop.run_once(0ms);
    loop.run_once(0ms);
    EXPECT_EQ(edges, 1);  // no new data, no new edge
    EXPECT_EQ(onces, 1);
    edge.put();
    loop.run_once(0ms);
    EXPECT_EQ(edges, 2);
    EXPECT_EQ(onces, 1);  // disarmed until rearm
    EXPECT_TRUE(loop.rearm(id));
    loop.run_once(0ms);
    EXPECT_EQ(onces, 2);
    EXPECT_FALSE(loop.rearm(event_loop::source_id{12345}));
}

TEST(EventLoop, TimersFireInOrderAndOneShotsGoAway) {
    event_loop loop;
    std::vector<std::string> order;
    int ticks = 0;
    loop.after(30ms, [&] { order.push_back("30ms"); });
    loop.after(10ms, [&] { order.push_back("10ms"); });
    const auto tick = loop.every(5ms, [&] { ++ticks; });
    loop.after(60ms, [&] { loop.remove(tick); });
    const auto started = event_loop::clock::now();
    loop.run();  // ends when the last timer is gone
    const auto took = event_loop::clock::now() - started;
    EXPECT_EQ(order, (std::vector<std::string>{"10ms", "30ms"}));
    EXPECT_GE(ticks, 5);   // ~12 in 60 ms, fewer on a loaded machine
    EXPECT_LE(ticks, 12);  // never more than the periods that passed
    EXPECT_GE(took, 60ms);
    EXPECT_EQ(loop.sources(), 0u);
}

TEST(EventLoop, RunForEndsAtTheDeadline) {
    event_loop loop;
    pipe_pair p;  // never readable
    loop.watch(p.r, [] {});
    const auto started = event_loop::clock::now();
    loop.run_for(50ms);
    const auto took = event_loop::clock::now() - started;
    EXPECT_GE(took, 50ms);
    EXPECT_LT(took, 2s);
}

TEST(EventLoop, StopFromAnotherThread) {
    event_loop loop;
    pipe_pair p;
    loop.watch(p.r, [] {});
    std::thread t([&] {
        std::this_thread::sleep_for(20ms);
        loop.stop();
    });
    loop.run();  // would wait forever on the pipe
    t.join();
    EXPECT_FALSE(loop.stopping());  // reset for the next run
}

TEST(EventLoop, StopBeforeRunReturnsAtOnce) {
    event_loop loop;
    pipe_pair p;
    loop.watch(p.r, [] {});
    loop.stop();
    EXPECT_EQ(loop.run(), 0u);
}

TEST(EventLoop, StopToken) {
    event_loop loop;
    pipe_pair p;
    loop.watch(p.r, [] {});
    std::stop_source source;
    std::thread t([&] {
        std::this_thread::sleep_for(20ms);
        source.request_stop();
    });
    loop.run(source.get_token());
    t.join();
    EXPECT_TRUE(source.stop_requested());
}

TEST(EventLoop, StopInsideACallbackEndsTheBatch) {
    event_loop loop;
    pipe_pair a, b;
    int calls = 0;
    loop.watch(a.r, [&] {
        ++calls;
        loop.stop();
    });
    loop.watch(b.r, [&] {
        ++calls;
        loop.stop();
    });
    a.put();
    b.put();
    loop.run();
    EXPECT_EQ(calls, 1);
}

TEST(EventLoop, RemovingASourceInsideTheBatchIsSafe) {
    event_loop loop;
    pipe_pair a, b;
    int a_calls = 0, b_calls = 0;
    event_loop::source_id ida{}, idb{};
    ida = loop.watch(a.r, [&] {
        ++a_calls;
        loop.remove(idb);
        loop.remove(ida);  // itself
    });
    idb = loop.watch(b.r, [&] {
        ++b_calls;
        loop.remove(ida);
        loop.remove(idb);
    });
    a.put();
    b.put();
    loop.run();  // both ready in one batch; whichever runs first removes the other
    EXPECT_EQ(a_calls + b_calls, 1);
    EXPECT_EQ(loop.sources(), 0u);
}

TEST(EventLoop, PostRunsAtTheNextTurnInOrder) {
    event_loop loop;
    std::vector<int> order;
    loop.post([&] {
        order.push_back(1);
        loop.post([&] { order.push_back(3); });
    });
    loop.post([&] { order.push_back(2); });
    loop.run();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoop, ACallbackExceptionComesOutOfRun) {
    event_loop loop;
    loop.after(1ms, [] { throw std::runtime_error("from a timer"); });
    EXPECT_THROW(loop.run(), std::runtime_error);
    EXPECT_EQ(loop.sources(), 0u);  // the one-shot timer is gone all the same
}

TEST(EventLoop, SignalsArriveThroughTheLoopAndTheMaskIsRestored) {
    ASSERT_FALSE(blocked(SIGUSR1));
    event_loop loop;
    int got = 0;
    const auto id = loop.on_signal(SIGUSR1, [&] {
        ++got;
        loop.stop();
    });
    EXPECT_TRUE(blocked(SIGUSR1));
    ::kill(::getpid(), SIGUSR1);  // pending, blocked: the signalfd has it
    loop.run();
    EXPECT_EQ(got, 1);
    bpfxx_test::expect_error([&] { loop.on_signal(SIGUSR1, [] {}); }, {"signal", "watched already"});
    loop.remove(id);
    EXPECT_FALSE(blocked(SIGUSR1));
}

TEST(EventLoop, NativeHandleIsReadableWhenWorkIsDue) {
    event_loop loop;
    pipe_pair p;
    int calls = 0;
    loop.watch(p.r, [&] { ++calls; });
    pollfd pfd{loop.native_handle(), POLLIN, 0};
    EXPECT_EQ(::poll(&pfd, 1, 0), 0);
    p.put();
    EXPECT_EQ(::poll(&pfd, 1, 1000), 1);  // an outer loop (asio, libuv) would now call run_once(0)
    loop.run_once(0ms);
    EXPECT_EQ(calls, 1);
}

TEST(EventLoop, BadArgumentsAreErrors) {
    event_loop loop;
    bpfxx_test::expect_error([&] { loop.watch(-1, [] {}); }, {"event loop", "fd -1"});
    bpfxx_test::expect_error([&] { loop.on_signal(4096, [] {}); }, {"event loop", "signal 4096"});
}

}  // namespace
