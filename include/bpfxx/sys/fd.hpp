// SPDX-License-Identifier: MIT OR Apache-2.0
// A move-only file descriptor: the handle every kernel object (map, program,
// link, BTF, perf event, epoll) is held by.
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/fd.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace sys {

class fd {
public:
    constexpr fd() noexcept = default;
    // Takes ownership of `raw` (-1 for none).
    constexpr explicit fd(int raw) noexcept : fd_(raw) {}
    fd(fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    fd& operator=(fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    fd(const fd&) = delete;
    fd& operator=(const fd&) = delete;
    ~fd() { reset(); }

    // The descriptor, still owned (like std::unique_ptr::get). Handles of
    // kernel objects built on sys::fd call theirs fd().
    [[nodiscard]] int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    // Hands ownership out; this handle becomes empty.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    // A second descriptor for the same object (O_CLOEXEC, never 0-2).
    [[nodiscard]] fd duplicate() const {
        int d = ::fcntl(fd_, F_DUPFD_CLOEXEC, 3);
        if (d < 0) detail::raise_errno("dup of a file descriptor failed");
        return fd(d);
    }

private:
    int fd_ = -1;
};

// What the fd is, as /proc/self/fd shows it ("anon_inode:bpf-prog"); empty
// when /proc cannot tell.
inline std::string fd_target(int fd) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    char target[256];
    auto n = ::readlink(path.c_str(), target, sizeof target - 1);
    if (n <= 0) return {};
    return std::string(target, static_cast<std::size_t>(n));
}

}  // namespace sys
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {

// Several bpf(2) fields read fd 0 as "none" (btf_fd, inner_map_fd,
// attach_prog_fd): a kernel object must never live in 0-2, which a program
// that closed stdin would otherwise hand out. Moves `raw` to 3 or above.
inline int above_stdio(int raw) noexcept {
    if (raw < 0 || raw > 2) return raw;
    int moved = ::fcntl(raw, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    ::close(raw);
    errno = saved;
    return moved;
}

}  // namespace detail
BPFXX_END_NAMESPACE
