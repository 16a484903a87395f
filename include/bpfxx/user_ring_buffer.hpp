// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::user_ring_buffer — the user-space producer of a
// BPF_MAP_TYPE_USER_RINGBUF (Linux 6.1): samples written here are drained
// by BPF programs (bpfxx::user_ring_buffer<Bytes>::drain on the kernel
// side), in order, without a system call per sample.
//
//     auto urb = bpfxx::user_ring_buffer::open(map_fd);
//     if (!urb.write(command{.op = 1, .value = 42})) { /* full: the program has not drained yet */ }
//     // or in place:
//     auto s = urb.reserve(sizeof(command));
//     if (!s.empty()) { fill(s); urb.submit(s); }
#pragma once
#ifdef __bpf__
#error "bpfxx/user_ring_buffer.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/user_ring_core.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/mmap.hpp>
#include <bpfxx/sys/poll.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

BPFXX_BEGIN_NAMESPACE

// The producer side of one user ring buffer map. Move-only; unmaps and
// closes its own descriptor. One producer thread at a time: the ring has
// no lock on this side (guard it yourself to share it).
class user_ring_buffer {
public:
    // Opens the ring behind `map_fd` (which stays the caller's). Throws
    // bpfxx::error if it is not a BPF_MAP_TYPE_USER_RINGBUF map or cannot
    // be mapped.
    [[nodiscard]] BPFXX_DECL static user_ring_buffer open(int map_fd);

    user_ring_buffer(user_ring_buffer&&) noexcept = default;
    user_ring_buffer& operator=(user_ring_buffer&&) noexcept = default;
    user_ring_buffer(const user_ring_buffer&) = delete;
    user_ring_buffer& operator=(const user_ring_buffer&) = delete;
    ~user_ring_buffer() = default;

    // Room for `size` bytes, 8-byte aligned, written in place; then
    // submit() or discard() it (a reserved sample stops the kernel's
    // drain at it until then). Empty when the ring is full now, or when
    // size > max_sample().
    [[nodiscard]] std::span<std::byte> reserve(std::size_t size) noexcept { return core_.reserve(size); }
    // reserve(), waiting up to `timeout` (negative: forever) for the kernel
    // to drain enough; the errno of poll(2) (EINTR), ETIMEDOUT, or E2BIG
    // when the sample can never fit.
    BPFXX_DECL result<std::span<std::byte>> reserve(std::size_t size, std::chrono::milliseconds timeout);
    void submit(std::span<std::byte> sample) noexcept { core_.submit(sample); }
    void discard(std::span<std::byte> sample) noexcept { core_.discard(sample); }

    // Copies `sample` in and submits it; false when the ring is full.
    template <class T>
        requires std::is_trivially_copyable_v<T>
    bool write(const T& sample) noexcept {
        auto room = core_.reserve(sizeof(T));
        if (room.empty()) return false;
        std::memcpy(room.data(), &sample, sizeof(T));
        core_.submit(room);
        return true;
    }

    // The map's fd (this object's duplicate): writable (POLLOUT) while
    // the ring has room.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return core_.capacity(); }
    [[nodiscard]] std::size_t max_sample() const noexcept { return core_.max_sample(); }
    // Bytes written and not yet drained (headers included).
    [[nodiscard]] std::size_t pending() const noexcept { return core_.pending(); }

private:
    user_ring_buffer(sys::fd fd, sys::mapping consumer, sys::mapping producer, std::size_t capacity,
                     std::size_t page_size) noexcept
        : fd_(std::move(fd)),
          consumer_page_(std::move(consumer)),
          producer_pages_(std::move(producer)),
          core_(detail::view_as<u64>(static_cast<const std::byte*>(consumer_page_.data())),
                detail::view_as<u64>(producer_pages_.data()), producer_pages_.data() + page_size, capacity) {}

    sys::fd fd_;
    sys::mapping consumer_page_;
    sys::mapping producer_pages_;
    detail::user_ring_core core_;  // last: views the mappings above
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/user_ring_buffer.ipp>
#endif
