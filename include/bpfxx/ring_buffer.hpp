// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::ring_buffer — the user-space consumer of a BPF ring buffer map
// (BPF_MAP_TYPE_RINGBUF, Linux 5.8). Records are read where the kernel wrote
// them, through the map's mmap: no system call and no copy per record.
//
//     auto rb = bpfxx::ring_buffer::open(map_fd);
//     while (running) {
//         auto n = rb.poll_as<event>(std::chrono::milliseconds(100),
//                                    [](const event& e) { handle(e); });
//         if (!n && n.error() != EINTR) break;
//     }
#pragma once
#ifdef __bpf__
#error "bpfxx/ring_buffer.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/ring_buffer_core.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/mmap.hpp>
#include <bpfxx/sys/poll.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <span>
#include <utility>

BPFXX_BEGIN_NAMESPACE

// The consumer side of one BPF ring buffer map. Move-only; unmaps and closes
// its own descriptor when destroyed. One ring_buffer per map: the kernel
// keeps a single consumer position.
class ring_buffer {
public:
    // Opens the ring buffer behind `map_fd`, which stays the caller's (it is
    // duplicated). Throws bpfxx::error if the fd is not a
    // BPF_MAP_TYPE_RINGBUF map or cannot be mapped.
    [[nodiscard]] BPFXX_DECL static ring_buffer open(int map_fd);

    ring_buffer(ring_buffer&&) noexcept = default;
    ring_buffer& operator=(ring_buffer&&) noexcept = default;
    ring_buffer(const ring_buffer&) = delete;
    ring_buffer& operator=(const ring_buffer&) = delete;
    ~ring_buffer() = default;

    // Calls f(std::span<const std::byte>) for every record submitted so far,
    // in order. The span views the ring itself and is valid only during the
    // call (copy what must outlive it). Discarded records are skipped; a
    // record still being written (BUSY) ends the walk, as does f returning
    // false (after that record; call consume again for the rest). Returns
    // the number of records f was called for. Never throws but what f throws;
    // a record whose callback threw counts as consumed.
    template <class F>
        requires ring_buffer_callback<F, std::span<const std::byte>>
    std::size_t consume(F&& f) {
        return core_.consume(f);
    }

    // consume() for at most `n` records; the rest stays for the next call
    // (and gets no new wakeup: call again before waiting).
    template <class F>
        requires ring_buffer_callback<F, std::span<const std::byte>>
    std::size_t consume_n(std::size_t n, F&& f) {
        return core_.consume_n(n, f);
    }

    // f(const T&) for every record of at least sizeof(T) bytes, viewed in
    // place (T is the struct the BPF program submits, shared through a
    // header). Shorter records are consumed without a call and counted in
    // short_records().
    template <ring_buffer_record T, class F>
        requires ring_buffer_callback<F, const T&>
    std::size_t consume_as(F&& f) {
        return core_.consume_as<T>(f);
    }

    // Waits up to `timeout` (negative: forever) until records are
    // available, then consumes them as consume() does. Returns the number of
    // records delivered, 0 on timeout, or the errno of poll(2): EINTR when a
    // signal arrived, which is a normal way to stop waiting.
    template <class F>
        requires ring_buffer_callback<F, std::span<const std::byte>>
    result<std::size_t> poll(std::chrono::milliseconds timeout, F&& f) {
        if (auto ready = wait(timeout); !ready) return failure{ready.error()};
        return core_.consume(f);
    }

    // poll() with consume_as<T>().
    template <ring_buffer_record T, class F>
        requires ring_buffer_callback<F, const T&>
    result<std::size_t> poll_as(std::chrono::milliseconds timeout, F&& f) {
        if (auto ready = wait(timeout); !ready) return failure{ready.error()};
        return core_.consume_as<T>(f);
    }

    // Pull-style reading (bpfxx::stream uses it): the oldest record not yet
    // consumed, viewed in the ring until pop(); false when there is none.
    // After false, the fd becomes readable when a record arrives.
    bool front(std::span<const std::byte>& record) noexcept { return core_.front(record); }
    // Consumes the record front() returned.
    void pop() noexcept { core_.pop(); }

    // The map's fd (this object's duplicate): readable (POLLIN/EPOLLIN)
    // while records are unconsumed, for asio, libuv or an epoll loop. With
    // edge-triggered epoll, drain with consume() after each readiness: a
    // walk that returns because it caught up never misses a wakeup, but one
    // stopped early by its callback gets no new edge for what is left.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

    // Bytes between the consumer and the producer position, headers and
    // discarded records included; 0 when everything is consumed.
    [[nodiscard]] std::size_t available() const noexcept { return core_.available(); }
    // The data area's size in bytes (the map's max_entries).
    [[nodiscard]] std::size_t capacity() const noexcept { return core_.capacity(); }
    // Records that consume_as() skipped as shorter than its type.
    [[nodiscard]] std::size_t short_records() const noexcept { return core_.short_records(); }

private:
    ring_buffer(sys::fd fd, sys::mapping consumer, sys::mapping producer, std::size_t capacity,
                std::size_t page_size) noexcept
        : fd_(std::move(fd)),
          consumer_page_(std::move(consumer)),
          producer_pages_(std::move(producer)),
          core_(detail::view_as<u64>(consumer_page_.data()), detail::view_as<u64>(producer_pages_.data()),
                producer_pages_.data() + page_size, capacity) {}

    // The kernel reports POLLIN while producer and consumer positions differ
    // (Linux 5.8); when they already do, or when not waiting at all, the
    // walk needs no system call.
    result<void> wait(std::chrono::milliseconds timeout) noexcept {
        if (timeout.count() == 0 || core_.available() != 0) return {};
        if (!fd_) return failure{EBADF};
        if (int e = sys::wait_for(fd_.get(), POLLIN, timeout); e != 0) return failure{e};
        return {};
    }

    sys::fd fd_;
    sys::mapping consumer_page_;
    sys::mapping producer_pages_;
    detail::ring_buffer_core core_;  // last: views the mappings above
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/ring_buffer.ipp>
#endif
