// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::event_loop (bpfxx/event_loop.hpp): epoll, eventfd, timerfd and
// signalfd sources.
#pragma once

#include <bpfxx/event_loop.hpp>

#include <bpfxx/error.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

BPFXX_BEGIN_NAMESPACE

struct event_loop::source {
    std::uint64_t id = 0;
    int fd = -1;          // what epoll watches
    sys::fd owned;        // a timerfd or signalfd the loop made
    std::uint32_t events = 0;
    bool oneshot_timer = false;
    int signo = 0;        // a signalfd's signal
    bool was_blocked = false;  // the signal was blocked before on_signal
    bool dead = false;
    detail::loop_callback callback;
};

namespace detail {

// Reads what a timerfd, signalfd or eventfd has to say so it stops being
// readable; the value does not matter to the loop.
inline void drain_fd(int fd, std::size_t size) noexcept {
    alignas(8) unsigned char buffer[sizeof(signalfd_siginfo)];
    ssize_t r;
    do {
        r = ::read(fd, buffer, size);
    } while (r < 0 && errno == EINTR);
}

}  // namespace detail

BPFXX_DECL event_loop::event_loop() : epoll_(sys::epoll::create()) {
    wake_ = sys::fd(detail::above_stdio(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)));
    if (!wake_) detail::raise_errno("event loop: eventfd failed");
    epoll_data_t data{};
    data.ptr = nullptr;  // the wake-up fd is the one source without a record
    if (auto r = epoll_.add(wake_.get(), EPOLLIN, data); !r)
        detail::raise("event loop: epoll_ctl for its eventfd failed", r.error());
}

BPFXX_DECL event_loop::~event_loop() {
    // Spawned coroutines first: their locals (streams) remove sources.
    while (!frames_.empty()) {
        const frame f = frames_.back();
        frames_.pop_back();
        f.destroy(f.address);
    }
    while (!sources_.empty()) remove(source_id{sources_.back()->id});
    collect();
    posted_.clear();
}

BPFXX_DECL event_loop::source_id event_loop::insert(source* s, std::uint32_t events) {
    s->id = next_id_++;
    s->events = events;
    epoll_data_t data{};
    data.ptr = s;
    if (auto r = epoll_.add(s->fd, events, data); !r) {
        const int e = r.error();
        delete s;
        detail::raise(detail::cat("event loop: epoll_ctl(EPOLL_CTL_ADD) failed"), e);
    }
    sources_.push_back(s);
    return source_id{s->id};
}

BPFXX_DECL event_loop::source_id event_loop::add_fd(int fd, detail::loop_callback f, trigger mode) {
    if (fd < 0) detail::raise(detail::cat("event loop: cannot watch fd ", fd), EBADF);
    auto* s = new source;
    s->fd = fd;
    s->callback = std::move(f);
    std::uint32_t events = EPOLLIN;
    if (mode == trigger::edge) events |= EPOLLET;
    if (mode == trigger::oneshot) events |= EPOLLONESHOT;
    return insert(s, events);
}

BPFXX_DECL event_loop::source_id event_loop::add_timer(std::chrono::nanoseconds period, bool repeat,
                                                        detail::loop_callback f) {
    sys::fd timer(detail::above_stdio(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)));
    if (!timer) detail::raise_errno("event loop: timerfd_create failed");
    // A zero it_value disarms a timerfd: the shortest wait is 1 ns.
    const auto ns = std::max<std::chrono::nanoseconds::rep>(period.count(), 1);
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(ns / 1000000000);
    spec.it_value.tv_nsec = static_cast<long>(ns % 1000000000);
    if (repeat) spec.it_interval = spec.it_value;
    if (::timerfd_settime(timer.get(), 0, &spec, nullptr) != 0) detail::raise_errno("event loop: timerfd_settime failed");
    auto* s = new source;
    s->fd = timer.get();
    s->owned = std::move(timer);
    s->oneshot_timer = !repeat;
    s->callback = std::move(f);
    return insert(s, EPOLLIN);
}

BPFXX_DECL event_loop::source_id event_loop::add_signal(int signo, detail::loop_callback f) {
    sigset_t set;
    sigemptyset(&set);
    if (sigaddset(&set, signo) != 0) detail::raise(detail::cat("event loop: no signal ", signo), EINVAL);
    for (const source* s : sources_)
        if (!s->dead && s->signo == signo)
            detail::raise(detail::cat("event loop: signal ", signo, " is watched already"), EEXIST);
    sigset_t old;
    if (int e = ::pthread_sigmask(SIG_BLOCK, &set, &old); e != 0)
        detail::raise(detail::cat("event loop: blocking signal ", signo, " failed"), e);
    const bool was_blocked = sigismember(&old, signo) == 1;
    sys::fd sfd(detail::above_stdio(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)));
    if (!sfd) {
        const int e = errno;
        if (!was_blocked) ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        detail::raise_errno(detail::cat("event loop: signalfd for signal ", signo, " failed"), e);
    }
    auto* s = new source;
    s->fd = sfd.get();
    s->owned = std::move(sfd);
    s->signo = signo;
    s->was_blocked = was_blocked;
    s->callback = std::move(f);
    return insert(s, EPOLLIN);
}

BPFXX_DECL void event_loop::remove(source_id id) noexcept {
    for (auto it = sources_.begin(); it != sources_.end(); ++it) {
        source* s = *it;
        if (s->id != static_cast<std::uint64_t>(id)) continue;
        (void)epoll_.remove(s->fd);  // a caller's fd closed already is gone from the set anyway
        if (s->signo != 0 && !s->was_blocked) {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, s->signo);
            ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        }
        s->dead = true;
        sources_.erase(it);
        dead_.push_back(s);  // a batch being dispatched may still point at it
        return;
    }
}

BPFXX_DECL bool event_loop::rearm(source_id id) noexcept {
    for (source* s : sources_) {
        if (s->id != static_cast<std::uint64_t>(id)) continue;
        epoll_data_t data{};
        data.ptr = s;
        return static_cast<bool>(epoll_.modify(s->fd, s->events, data));
    }
    return false;
}

BPFXX_DECL std::size_t event_loop::sources() const noexcept { return sources_.size(); }

BPFXX_DECL void event_loop::stop() noexcept {
    __atomic_store_n(&stop_, 1, __ATOMIC_RELEASE);
    const std::uint64_t one = 1;
    ssize_t r;
    do {
        r = ::write(wake_.get(), &one, sizeof(one));
    } while (r < 0 && errno == EINTR);
}

BPFXX_DECL void event_loop::collect() noexcept {
    for (source* s : dead_) delete s;
    dead_.clear();
}

BPFXX_DECL void event_loop::finished(void* address, std::exception_ptr error) noexcept {
    for (auto it = frames_.begin(); it != frames_.end(); ++it) {
        if (it->address != address) continue;
        frames_.erase(it);
        break;
    }
    if (error && !failure_) failure_ = std::move(error);
}

BPFXX_DECL std::size_t event_loop::run_posted() {
    std::size_t ran = 0;
    // Callbacks posted by these callbacks wait for the next turn.
    std::vector<detail::loop_callback> now;
    now.swap(posted_);
    for (auto& f : now) {
        f();
        ++ran;
    }
    return ran;
}

BPFXX_DECL std::size_t event_loop::run_once(std::chrono::milliseconds timeout) {
    struct collect_on_exit {
        event_loop* loop;
        ~collect_on_exit() { loop->collect(); }
    } guard{this};
    std::size_t ran = run_posted();
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    epoll_event events[64];
    const auto wait = ran != 0 || !posted_.empty() ? std::chrono::milliseconds(0) : timeout;
    auto ready = epoll_.wait(events, wait);
    if (!ready) {
        if (ready.error() == EINTR) return ran;
        detail::raise("event loop: epoll_wait failed", ready.error());
    }
    for (const epoll_event& e : *ready) {
        auto* s = static_cast<source*>(e.data.ptr);
        if (s == nullptr) {
            detail::drain_fd(wake_.get(), sizeof(std::uint64_t));
            continue;
        }
        if (s->dead) continue;
        if (s->owned) detail::drain_fd(s->fd, s->signo != 0 ? sizeof(signalfd_siginfo) : sizeof(std::uint64_t));
        // A one-shot timer goes first, so a callback that throws cannot
        // leave it behind; its record lives until the batch is over.
        if (s->oneshot_timer) remove(source_id{s->id});
        s->callback();
        ++ran;
        if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
        if (stopping()) break;
    }
    return ran;
}

BPFXX_DECL std::size_t event_loop::run_until(clock::time_point deadline) {
    std::size_t ran = 0;
    while (!stopping() && (!sources_.empty() || !posted_.empty())) {
        const auto now = clock::now();
        if (now >= deadline) break;
        // Rounded up: a wait that ends early would spin.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        ran += run_once(left);
    }
    __atomic_store_n(&stop_, 0, __ATOMIC_RELEASE);
    return ran;
}

BPFXX_DECL std::size_t event_loop::run() { return run_until(clock::time_point::max()); }

BPFXX_DECL std::size_t event_loop::run(std::stop_token token) {
    std::stop_callback on_stop(token, [this] { stop(); });
    return run();
}

BPFXX_END_NAMESPACE
