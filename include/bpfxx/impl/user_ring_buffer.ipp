// SPDX-License-Identifier: MIT OR Apache-2.0
// Opening a user ring buffer's producer (bpfxx/user_ring_buffer.hpp).
#pragma once

#include <bpfxx/user_ring_buffer.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/impl/ring_buffer.ipp>
#include <bpfxx/shared/map_types.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <string>

BPFXX_BEGIN_NAMESPACE

BPFXX_DECL user_ring_buffer user_ring_buffer::open(int map_fd) {
    sys::map_info info;
    sys::fd fd = detail::open_map_for(map_fd, "user ring buffer", info);
    const std::string label = detail::map_label(map_fd, info);
    const auto type = static_cast<map_type>(info.type);
    if (type != map_type::user_ringbuf)
        detail::raise(detail::cat("user ring buffer: ", label, " has type ", to_string(type), " (", info.type,
                                  "), not user_ringbuf (BPF_MAP_TYPE_USER_RINGBUF, Linux 6.1)",
                                  type == map_type::ringbuf ? "; a ringbuf is read with bpfxx::ring_buffer" : ""),
                      EINVAL);
    const long page = ::sysconf(_SC_PAGESIZE);
    const std::size_t capacity = info.max_entries;
    if (page <= 0 || !std::has_single_bit(capacity) || capacity % static_cast<std::size_t>(page) != 0)
        detail::raise(detail::cat("user ring buffer: ", label, " has max_entries ", info.max_entries,
                                  ", not a power of two multiple of the page size ", page),
                      EINVAL);
    const auto page_size = static_cast<std::size_t>(page);
    // Offset 0: the consumer page, which the kernel writes (read-only here).
    auto consumer = sys::mapping::map(fd.get(), page_size, PROT_READ, 0);
    if (!consumer) detail::raise_errno(detail::cat("user ring buffer: mmap of the consumer page of ", label, " failed"));
    // Then the producer page and the data pages twice, all writable.
    auto producer = sys::mapping::map(fd.get(), page_size + 2 * capacity, PROT_READ | PROT_WRITE,
                                      static_cast<off_t>(page_size));
    if (!producer)
        detail::raise_errno(detail::cat("user ring buffer: mmap of the producer page and ", 2 * capacity,
                                        " data bytes of ", label, " failed"));
    return user_ring_buffer(std::move(fd), std::move(consumer), std::move(producer), capacity, page_size);
}

BPFXX_DECL result<std::span<std::byte>> user_ring_buffer::reserve(std::size_t size,
                                                                   std::chrono::milliseconds timeout) {
    if (size > core_.max_sample()) return failure{E2BIG};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto room = core_.reserve(size); !room.empty()) return room;
        std::chrono::milliseconds left = timeout;
        if (timeout.count() >= 0) {
            left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return failure{ETIMEDOUT};
        }
        // POLLOUT: the kernel says "not full" (and wakes waiters after a
        // drain); maybe still not enough for this size: try again.
        if (int e = sys::wait_for(fd_.get(), POLLOUT, left); e != 0) return failure{e};
    }
}

BPFXX_END_NAMESPACE
