// SPDX-License-Identifier: MIT OR Apache-2.0
// Whole-file reads for objects, BTF blobs and the tools.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/file.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// The file's bytes; throws bpfxx::error naming the path and the errno.
// Reads until EOF rather than trusting st_size: sysfs files such as
// /sys/kernel/btf/vmlinux report a size that need not match.
inline std::vector<std::byte> read_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) raise_errno(cat("cannot open '", path, "'"));
    std::vector<std::byte> out;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
    std::byte buf[64 * 1024];
    for (;;) {
        auto n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::close(fd);
            raise_errno(cat("cannot read '", path, "'"), e);
        }
        if (n == 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    ::close(fd);
    return out;
}

}  // namespace detail
BPFXX_END_NAMESPACE
