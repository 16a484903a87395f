// SPDX-License-Identifier: MIT OR Apache-2.0
// Waiting for one descriptor with poll(2), and the timeout convention every
// wait in bpfxx shares.
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/poll.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <climits>

BPFXX_BEGIN_NAMESPACE
namespace sys {

// Milliseconds for poll(2)/epoll_wait(2): negative waits forever, and waits
// longer than INT_MAX ms are cut to it.
inline int poll_timeout(std::chrono::milliseconds timeout) noexcept {
    if (timeout.count() < 0) return -1;
    return timeout.count() > INT_MAX ? INT_MAX : static_cast<int>(timeout.count());
}

// Waits up to `timeout` for `events` on `fd`: 0 when ready or timed out,
// else the errno of poll(2) (EINTR when a signal arrived).
inline int wait_for(int fd, short events, std::chrono::milliseconds timeout) noexcept {
    pollfd p{};
    p.fd = fd;
    p.events = events;
    return ::poll(&p, 1, poll_timeout(timeout)) < 0 ? errno : 0;
}

}  // namespace sys
BPFXX_END_NAMESPACE
