// SPDX-License-Identifier: MIT OR Apache-2.0
// Opening a ring buffer's consumer (bpfxx/ring_buffer.hpp): checks and mmaps.
#pragma once

#include <bpfxx/ring_buffer.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/shared/map_types.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <string>
#include <string_view>

BPFXX_BEGIN_NAMESPACE
namespace detail {

inline std::string map_label(int fd, const sys::map_info& info) {
    const std::string_view name(info.name, ::strnlen(info.name, sizeof(info.name)));
    return name.empty() ? cat("map fd ", fd, " (id ", info.id, ")")
                        : cat("map '", name, "' (fd ", fd, ", id ", info.id, ")");
}

// A duplicate of `map_fd` for a consumer (`who`: "ring buffer", "perf
// buffer") and what the kernel says the map is; throws bpfxx::error when
// the fd is not a BPF map or cannot be asked.
inline sys::fd open_map_for(int map_fd, std::string_view who, sys::map_info& info) {
    if (map_fd < 0) raise(cat(who, ": invalid map fd ", map_fd), EBADF);
    sys::fd fd(::fcntl(map_fd, F_DUPFD_CLOEXEC, 3));
    if (!fd) raise_errno(cat(who, ": duplicating map fd ", map_fd, " failed"));

    // What the descriptor is, where /proc can tell: a file, a socket, a BPF
    // program is refused before the kernel is asked (an emulator or a
    // seccomp filter may have no bpf(2) to ask).
    if (auto target = sys::fd_target(fd.get()); !target.empty() && target != "anon_inode:bpf-map")
        raise(cat(who, ": fd ", map_fd, " (", printable(target), ") is not a BPF map"), EINVAL);

    sys::attr::obj_info get;
    get.bpf_fd = static_cast<u32>(fd.get());
    get.info_len = sizeof(info);
    get.info = sys::ptr_to_u64(&info);
    if (sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, get) < 0) {
        // EINVAL: not a BPF object at all; anything else (ENOMEM, EPERM,
        // EFAULT) is the call failing, and is said as it is.
        const int e = errno;
        raise_errno(cat(who, ": BPF_OBJ_GET_INFO_BY_FD on fd ", map_fd, " failed",
                        e == EINVAL ? " (it is not a BPF map)" : ""),
                    e);
    }
    return fd;
}

}  // namespace detail

BPFXX_DECL ring_buffer ring_buffer::open(int map_fd) {
    sys::map_info info;
    sys::fd fd = detail::open_map_for(map_fd, "ring buffer", info);
    const std::string label = detail::map_label(map_fd, info);
    const auto type = static_cast<map_type>(info.type);
    if (type == map_type::user_ringbuf)
        detail::raise(detail::cat("ring buffer: ", label,
                                  " is a user_ringbuf, which user space writes and BPF programs read; "
                                  "bpfxx::ring_buffer reads a ringbuf (BPF_MAP_TYPE_RINGBUF)"),
                      EINVAL);
    if (type != map_type::ringbuf)
        detail::raise(detail::cat("ring buffer: ", label, " has type ", to_string(type), " (", info.type,
                                  "), not ringbuf (BPF_MAP_TYPE_RINGBUF, Linux 5.8)"),
                      EINVAL);

    // The kernel makes max_entries a power of two and a multiple of its
    // page size (arm64: 4K, 16K or 64K), which sysconf reports.
    const long page = ::sysconf(_SC_PAGESIZE);
    const std::size_t capacity = info.max_entries;
    if (page <= 0 || !std::has_single_bit(capacity) ||
        capacity % static_cast<std::size_t>(page) != 0)
        detail::raise(detail::cat("ring buffer: ", label, " has max_entries ", info.max_entries,
                                  ", not a power of two multiple of the page size ", page),
                      EINVAL);
    const auto page_size = static_cast<std::size_t>(page);

    // Offset 0: the consumer page, the only writable part (Linux 5.8).
    auto consumer = sys::mapping::map(fd.get(), page_size, PROT_READ | PROT_WRITE, 0);
    if (!consumer) {
        const int e = errno;
        detail::raise_errno(detail::cat("ring buffer: mmap of the consumer page of ", label, " failed",
                                        e == EPERM || e == EACCES ? " (was the fd opened read-only?)" : ""),
                            e);
    }
    // Offset page_size: the producer page, then the data pages twice.
    auto producer = sys::mapping::map(fd.get(), page_size + 2 * capacity, PROT_READ,
                                         static_cast<off_t>(page_size));
    if (!producer)
        detail::raise_errno(detail::cat("ring buffer: mmap of the producer page and ", 2 * capacity,
                                        " data bytes of ", label, " failed"));
    return ring_buffer(std::move(fd), std::move(consumer), std::move(producer), capacity, page_size);
}

BPFXX_END_NAMESPACE
