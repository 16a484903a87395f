// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::event_loop — one epoll instance that runs callbacks (and, with
// <bpfxx/coroutine.hpp> and <bpfxx/stream.hpp>, coroutines) when ring buffers,
// perf buffers, timers, signals or any descriptor become ready.
//
//     bpfxx::event_loop loop;
//     loop.consume_as<event>(skel.maps.events.reader(), [](const event& e) { print(e); });
//     loop.on_signal(SIGINT, [&] { loop.stop(); });
//     loop.every(std::chrono::seconds(1), [&] { report(); });
//     loop.run();
//
// Single-threaded: every callback runs in the thread calling run(); only
// stop() may be called from other threads (and from signal handlers).
// native_handle() is the epoll fd, so asio, libuv or another epoll loop can
// wait for it and call run_once(0) when it is readable.
#pragma once
#ifdef __bpf__
#error "bpfxx/event_loop.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/epoll.hpp>
#include <bpfxx/sys/fd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE

template <class T>
class task;

namespace detail {

struct task_promise_base;
template <class F>
task<void> call_and_await(F f);

// A move-only type-erased `void()` callable (std::function copies, and
// costs <functional>'s include).
class loop_callback {
public:
    loop_callback() noexcept = default;
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, loop_callback> && std::is_invocable_v<std::decay_t<F>&>)
    explicit loop_callback(F&& f) : callable_(new holder<std::decay_t<F>>(std::forward<F>(f))) {}
    loop_callback(loop_callback&& o) noexcept : callable_(std::exchange(o.callable_, nullptr)) {}
    loop_callback& operator=(loop_callback&& o) noexcept {
        if (this != &o) {
            delete callable_;
            callable_ = std::exchange(o.callable_, nullptr);
        }
        return *this;
    }
    loop_callback(const loop_callback&) = delete;
    loop_callback& operator=(const loop_callback&) = delete;
    ~loop_callback() { delete callable_; }

    void operator()() { callable_->call(); }
    explicit operator bool() const noexcept { return callable_ != nullptr; }

private:
    struct base {
        virtual ~base() = default;
        virtual void call() = 0;
    };
    template <class F>
    struct holder final : base {
        template <class G>
        explicit holder(G&& g) : f(std::forward<G>(g)) {}
        void call() override { f(); }
        F f;
    };
    base* callable_ = nullptr;
};

}  // namespace detail

class event_loop {
public:
    using clock = std::chrono::steady_clock;

    // A source's identity, for remove() and rearm(); 0 is none.
    enum class source_id : std::uint64_t {};

    // How a descriptor is watched.
    enum class trigger {
        level,    // the callback runs on every wait while the fd is readable
        edge,     // once per new readiness (EPOLLET): drain it each time
        oneshot,  // once, then not again until rearm()
    };

    // An epoll instance and an eventfd for stop(). Throws bpfxx::error.
    BPFXX_DECL event_loop();
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;
    // Destroys the coroutines spawned on the loop that have not finished
    // (their locals' destructors run), then closes every source it made.
    BPFXX_DECL ~event_loop();

    // Runs `f()` whenever `fd` (the caller's, left open) is readable.
    template <class F>
    source_id watch(int fd, F&& f, trigger mode = trigger::level) {
        return add_fd(fd, detail::loop_callback(std::forward<F>(f)), mode);
    }

    // Consumes a ring buffer or perf buffer (anything with fd() and
    // consume(f)) whenever it has records: f as for its consume(). The
    // source must outlive the watch.
    template <class Source, class F>
        requires requires(Source& s, F& f) {
            s.fd();
            s.consume(f);
        }
    source_id consume(Source& source, F f) {
        return watch(source.fd(), [&source, f = std::move(f)]() mutable { source.consume(f); });
    }
    // The same with consume_as<T>(f).
    template <class T, class Source, class F>
        requires requires(Source& s, F& f) {
            s.fd();
            s.template consume_as<T>(f);
        }
    source_id consume_as(Source& source, F f) {
        return watch(source.fd(), [&source, f = std::move(f)]() mutable { source.template consume_as<T>(f); });
    }

    // Runs `f()` once, `delay` from now.
    template <class Rep, class Period, class F>
    source_id after(std::chrono::duration<Rep, Period> delay, F&& f) {
        return add_timer(std::chrono::duration_cast<std::chrono::nanoseconds>(delay), false,
                         detail::loop_callback(std::forward<F>(f)));
    }
    // Runs `f()` every `period`, the first time one period from now. Missed
    // periods (a slow callback) are not made up for.
    template <class Rep, class Period, class F>
    source_id every(std::chrono::duration<Rep, Period> period, F&& f) {
        return add_timer(std::chrono::duration_cast<std::chrono::nanoseconds>(period), true,
                         detail::loop_callback(std::forward<F>(f)));
    }

    // Runs `f()` when signal `signo` arrives, through a signalfd: the
    // signal is blocked in the calling thread while watched (and restored
    // when removed), so no handler or async-signal-safety is involved.
    // Block it in every thread (before starting them) for a process-wide
    // catch: a thread that leaves it unblocked would take it instead.
    template <class F>
    source_id on_signal(int signo, F&& f) {
        return add_signal(signo, detail::loop_callback(std::forward<F>(f)));
    }

    // Runs `f()` at the next turn of the loop, in the loop's thread.
    template <class F>
    void post(F&& f) {
        posted_.emplace_back(std::forward<F>(f));
    }

    // Starts a coroutine (include <bpfxx/coroutine.hpp>) at the next turn
    // of the loop. The loop owns it from now on: it is destroyed when it
    // finishes, or by the loop's destructor wherever it is suspended. An
    // exception it lets out comes out of run().
    //
    // Give a lambda itself, not its call: the loop keeps the closure, and
    // with it the captures, alive as long as the coroutine runs:
    //     loop.spawn([&]() -> bpfxx::task<> { ... });
    // A lambda coroutine's captures live in the closure object, not in the
    // coroutine frame, so spawn([&]() -> task<> { ... }()) would leave the
    // coroutine reading a destroyed temporary.
    template <class F>
        requires std::is_invocable_v<F&>
    void spawn(F f) {
        spawn(detail::call_and_await(std::move(f)));
    }
    // A task made already: from a coroutine function whose parameters it
    // copied into its frame (not a capturing lambda's call, see above).
    template <class T>
    void spawn(task<T> t) {
        using handle = typename task<T>::handle_type;
        adopt(t.h_.address(), [](void* address) { handle::from_address(address).destroy(); });
        const handle h = std::exchange(t.h_, {});  // the loop's now
        h.promise().owner = this;
        post([h] { h.resume(); });
    }

    // Stops watching; safe from inside any callback, its own included.
    // Unknown ids are ignored.
    BPFXX_DECL void remove(source_id id) noexcept;
    // Watches a oneshot source again. Returns false for an unknown id.
    BPFXX_DECL bool rearm(source_id id) noexcept;

    // Makes run() return after the callback running now; async-signal-safe
    // and callable from any thread. A stop() before run() makes the next
    // run() return at once.
    BPFXX_DECL void stop() noexcept;
    [[nodiscard]] bool stopping() const noexcept { return __atomic_load_n(&stop_, __ATOMIC_ACQUIRE) != 0; }

    // Runs until stop(), until nothing is left to wait for (no source, no
    // posted callback), or until a callback or spawned coroutine throws
    // (the exception comes out of run). Returns the callbacks run.
    BPFXX_DECL std::size_t run();
    // Also stops when `token` is asked to.
    BPFXX_DECL std::size_t run(std::stop_token token);
    // Until `deadline` at the latest.
    BPFXX_DECL std::size_t run_until(clock::time_point deadline);
    template <class Rep, class Period>
    std::size_t run_for(std::chrono::duration<Rep, Period> d) {
        return run_until(clock::now() + std::chrono::duration_cast<clock::duration>(d));
    }
    // One wait of at most `timeout` (0: none; negative: forever) and the
    // callbacks of what became ready. Returns the callbacks run.
    BPFXX_DECL std::size_t run_once(std::chrono::milliseconds timeout);

    // The epoll fd: readable when run_once(0) has work.
    [[nodiscard]] int native_handle() const noexcept { return epoll_.fd(); }
    // Sources watched now (descriptors, timers, signals), stop()'s own aside.
    [[nodiscard]] std::size_t sources() const noexcept;
    // Coroutines spawned on this loop (coroutine.hpp) and not finished.
    [[nodiscard]] std::size_t coroutines() const noexcept { return frames_.size(); }

private:
    template <class T>
    friend class task;
    friend struct detail::task_promise_base;
    struct source;
    struct frame {
        void* address;
        void (*destroy)(void*);
    };

    BPFXX_DECL source_id add_fd(int fd, detail::loop_callback f, trigger mode);
    BPFXX_DECL source_id add_timer(std::chrono::nanoseconds period, bool repeat, detail::loop_callback f);
    BPFXX_DECL source_id add_signal(int signo, detail::loop_callback f);
    BPFXX_DECL source_id insert(source* s, std::uint32_t events);
    BPFXX_DECL std::size_t run_posted();
    BPFXX_DECL void collect() noexcept;

    // For task<>: a spawned coroutine's frame, owned until it finishes.
    void adopt(void* address, void (*destroy)(void*)) { frames_.push_back(frame{address, destroy}); }
    BPFXX_DECL void finished(void* address, std::exception_ptr error) noexcept;

    sys::epoll epoll_;
    sys::fd wake_;  // eventfd written by stop()
    int stop_ = 0;
    std::uint64_t next_id_ = 1;
    std::vector<source*> sources_;  // owned; removed ones wait in dead_ until the batch is over
    std::vector<source*> dead_;
    std::vector<detail::loop_callback> posted_;
    std::vector<frame> frames_;
    std::exception_ptr failure_;
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/event_loop.ipp>
#endif
