// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::task<T> — a lazy C++20 coroutine returning T, awaited by another
// task or spawned on an event_loop, which then owns it.
//
//     bpfxx::task<> consume(bpfxx::stream<event>& events) {
//         while (auto e = co_await events.next()) print(*e);
//     }
//     loop.spawn(consume(events));              // a coroutine function's task
//     loop.spawn([&]() -> bpfxx::task<> { ... });  // or a lambda, not its call
//     loop.run();
//
// The stack does not grow with the number of awaits, with or without the
// compiler's tail calls (GCC does not make them at -O0): a task that
// completes without suspending hands control back by returning from
// await_suspend (false: "do not suspend"), never by resuming its awaiter
// from inside itself; only a task resumed later by the loop resumes its
// awaiter, once, and that chain ends at the loop.
#pragma once
#ifdef __bpf__
#error "bpfxx/coroutine.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/event_loop.hpp>

#include <chrono>
#include <coroutine>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {

struct task_promise_base {
    std::coroutine_handle<> continuation;  // who awaits this task
    bool awaiter_suspended = false;        // ... and had to suspend for it
    bool done = false;
    event_loop* owner = nullptr;           // spawned: the loop frees the frame
    std::exception_ptr error;

    std::suspend_always initial_suspend() noexcept { return {}; }

    struct final_awaiter {
        bool await_ready() noexcept { return false; }
        template <class Promise>
        void await_suspend(std::coroutine_handle<Promise> self) noexcept {
            task_promise_base& p = self.promise();
            p.done = true;
            if (event_loop* loop = p.owner) {
                std::exception_ptr error = std::move(p.error);
                void* address = self.address();
                self.destroy();
                loop->finished(address, std::move(error));
                return;
            }
            // Nothing may touch this frame after the resume: the awaiter
            // may destroy it.
            if (p.awaiter_suspended) p.continuation.resume();
        }
        void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct task_promise : task_promise_base {
    task<T> get_return_object() noexcept;
    template <class U>
        requires std::is_convertible_v<U&&, T>
    void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        ::new (static_cast<void*>(&storage)) T(std::forward<U>(v));
        has_value = true;
    }
    ~task_promise() {
        if (has_value) std::launder(reinterpret_cast<T*>(&storage))->~T();
    }
    T take() {
        if (error) std::rethrow_exception(error);
        return std::move(*std::launder(reinterpret_cast<T*>(&storage)));
    }
    alignas(T) unsigned char storage[sizeof(T)];
    bool has_value = false;
};

template <>
struct task_promise<void> : task_promise_base {
    task<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void take() {
        if (error) std::rethrow_exception(error);
    }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] task {
public:
    using promise_type = detail::task_promise<T>;
    using handle_type = std::coroutine_handle<promise_type>;

    task() noexcept = default;
    explicit task(handle_type h) noexcept : h_(h) {}
    task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    task& operator=(task&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    task(const task&) = delete;
    task& operator=(const task&) = delete;
    // Destroys the coroutine wherever it is suspended (its locals'
    // destructors run): a task is cancelled by dropping it.
    ~task() {
        if (h_) h_.destroy();
    }

    [[nodiscard]] bool done() const noexcept { return !h_ || h_.promise().done; }

    // co_await a task: starts it and waits for its value; an exception it
    // threw is rethrown here.
    auto operator co_await() && noexcept {
        struct awaiter {
            handle_type h;
            bool await_ready() const noexcept { return h.promise().done; }
            bool await_suspend(std::coroutine_handle<> awaiting) {
                auto& p = h.promise();
                p.continuation = awaiting;
                h.resume();  // runs until its first real suspension or its end
                if (p.done) return false;  // finished: the awaiter goes on, no resume from inside
                p.awaiter_suspended = true;
                return true;
            }
            T await_resume() { return h.promise().take(); }
        };
        return awaiter{h_};
    }

    // Runs a task to completion outside any coroutine, dispatching `loop`
    // while it is suspended; its value, or its exception. For tests and
    // main(): bpfxx::task<int> t = run(); return t.sync_wait(loop);
    T sync_wait(event_loop& loop) {
        auto& p = h_.promise();
        if (!p.done) h_.resume();
        while (!p.done) loop.run_once(std::chrono::milliseconds(-1));
        return p.take();
    }

private:
    friend class event_loop;
    handle_type h_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
    return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
    return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
}  // namespace detail

namespace detail {
// What event_loop::spawn(F) runs: a coroutine whose frame holds the
// closure (parameters are copied into the frame), so the coroutine the
// closure makes can use its captures until it ends.
template <class F>
task<void> call_and_await(F f) {
    co_await f();
}
}  // namespace detail

// co_await bpfxx::sleep_for(loop, 100ms): resumes the coroutine from the
// loop after that long. A coroutine destroyed while asleep takes its timer
// with it.
class [[nodiscard]] sleep_for {
public:
    template <class Rep, class Period>
    sleep_for(event_loop& loop, std::chrono::duration<Rep, Period> delay)
        : loop_(&loop), delay_(std::chrono::duration_cast<std::chrono::nanoseconds>(delay)) {}
    sleep_for(const sleep_for&) = delete;
    sleep_for& operator=(const sleep_for&) = delete;
    ~sleep_for() {
        if (timer_ != event_loop::source_id{}) loop_->remove(timer_);
    }

    bool await_ready() const noexcept { return delay_.count() <= 0; }
    void await_suspend(std::coroutine_handle<> h) {
        timer_ = loop_->after(delay_, [this, h] {
            timer_ = event_loop::source_id{};  // a one-shot timer is gone once it fires
            h.resume();
        });
    }
    void await_resume() const noexcept {}

private:
    event_loop* loop_;
    std::chrono::nanoseconds delay_;
    event_loop::source_id timer_{};
};

BPFXX_END_NAMESPACE
