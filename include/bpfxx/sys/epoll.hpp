// SPDX-License-Identifier: MIT OR Apache-2.0
// A move-only epoll instance: the readiness set of an event loop (ring
// buffers, perf buffers, eventfds), each source's pointer or number carried
// in epoll_event.data.
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/epoll.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/poll.hpp>

#include <sys/epoll.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <span>

BPFXX_BEGIN_NAMESPACE
namespace sys {

class epoll {
public:
    // No instance; create() makes one.
    epoll() noexcept = default;

    // A new epoll instance (close-on-exec). Throws bpfxx::error.
    [[nodiscard]] static epoll create() {
        int raw = detail::above_stdio(::epoll_create1(EPOLL_CLOEXEC));
        if (raw < 0) detail::raise_errno("epoll_create1 failed");
        return epoll(sys::fd(raw));
    }

    // Registers `watched` for `events` (EPOLLIN, EPOLLET...); `data` comes
    // back with each of its events, e.g. epoll_data_t{.ptr = source}.
    result<void> add(int watched, std::uint32_t events, epoll_data_t data = {}) noexcept {
        return control(EPOLL_CTL_ADD, watched, events, data);
    }
    result<void> modify(int watched, std::uint32_t events, epoll_data_t data = {}) noexcept {
        return control(EPOLL_CTL_MOD, watched, events, data);
    }
    result<void> remove(int watched) noexcept { return control(EPOLL_CTL_DEL, watched, 0, {}); }

    // Waits up to `timeout` (negative: forever) and returns the ready
    // events, a prefix of `events`; empty on timeout. EINTR is returned, not
    // retried, so a signal can interrupt a wait.
    result<std::span<epoll_event>> wait(std::span<epoll_event> events, std::chrono::milliseconds timeout) noexcept {
        const int max = events.size() > INT_MAX ? INT_MAX : static_cast<int>(events.size());
        const int n = ::epoll_wait(fd_.get(), events.data(), max, poll_timeout(timeout));
        if (n < 0) return failure{errno};
        return events.first(static_cast<std::size_t>(n));
    }

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

private:
    explicit epoll(sys::fd handle) noexcept : fd_(std::move(handle)) {}

    result<void> control(int op, int watched, std::uint32_t events, epoll_data_t data) noexcept {
        epoll_event ev{};
        ev.events = events;
        ev.data = data;
        if (::epoll_ctl(fd_.get(), op, watched, &ev) != 0) return failure{errno};
        return {};
    }

    sys::fd fd_;
};

}  // namespace sys
BPFXX_END_NAMESPACE
