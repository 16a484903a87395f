// SPDX-License-Identifier: MIT OR Apache-2.0
// Reading files: objects, BTF blobs, and the small text files of sysfs,
// procfs and tracefs. One reader for all of them, so every caller gets the
// same care: O_CLOEXEC, EINTR retried, regular files only (a FIFO would
// block, /dev/zero never ends), a size cap checked before anything is read
// or allocated, and an optional magic number checked on the first bytes.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/file.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/sys/fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// open(2) with O_CLOEXEC, retried when a signal interrupts it.
inline sys::fd open_file(const char* path, int flags) noexcept {
    for (;;) {
        int raw = ::open(path, flags | O_CLOEXEC);
        if (raw >= 0 || errno != EINTR) return sys::fd(raw);
    }
}

// Reads `fd` to its end into `out` (appending), at most `max_bytes` in all.
// 0, EFBIG when the file holds more, or the errno of read(2).
template <class Buffer>
int read_all(int fd, Buffer& out, std::uint64_t max_bytes) {
    for (;;) {
        const std::size_t at = out.size();
        if (at >= max_bytes) {
            // Full: one more byte says whether the file goes on.
            char probe = 0;
            ssize_t n = ::read(fd, &probe, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno;
            return n == 0 ? 0 : EFBIG;
        }
        const std::uint64_t left = max_bytes - at;
        const std::size_t chunk = left < 64 * 1024 ? static_cast<std::size_t>(left) : 64 * 1024;
        out.resize(at + chunk);
        ssize_t n = ::read(fd, out.data() + at, chunk);
        if (n < 0) {
            const int e = errno;
            out.resize(at);
            if (e == EINTR) continue;
            return e;
        }
        out.resize(at + static_cast<std::size_t>(n));
        if (n == 0) return 0;
    }
}

// Objects and BTF larger than this are refused before they are read (the
// kernel's own BTF is about 6 MB; BPF objects are rarely above a few MB).
inline constexpr std::uint64_t max_file_bytes = std::uint64_t{512} << 20;

// The bytes of the regular file at `path`; throws bpfxx::error naming
// `what` ("BPF object"), the path and the errno. Reads until EOF rather than
// trusting st_size (sysfs files such as /sys/kernel/btf/vmlinux may report
// another), but never more than `max_bytes`. With `magic`, the file must
// start with those bytes, checked before the rest is read.
inline std::vector<std::byte> read_file(const std::string& path, std::string_view what = "file",
                                        std::uint64_t max_bytes = max_file_bytes,
                                        std::span<const std::byte> magic = {}) {
    auto fail = [&](std::string_view why, int code) {
        raise(cat("cannot read ", what, " '", path, "': ", why), code);
    };
    auto fd = open_file(path.c_str(), O_RDONLY | O_NONBLOCK);
    if (!fd) {
        const int e = errno;
        raise(cat("cannot open ", what, " '", path, "': ", errno_text(e)), e);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail(errno_text(errno), errno);
    if (S_ISDIR(st.st_mode)) fail("it is a directory", EISDIR);
    if (!S_ISREG(st.st_mode)) fail("it is not a regular file (a device, FIFO or socket)", EINVAL);
    if (st.st_size > 0 && static_cast<std::uint64_t>(st.st_size) > max_bytes)
        fail(cat(st.st_size, " bytes is more than the ", max_bytes, " accepted"), EFBIG);
    if (!magic.empty()) {
        // pread leaves the file position at 0 for the full read below.
        std::byte head[16] = {};
        const std::size_t want = magic.size() < sizeof head ? magic.size() : sizeof head;
        ssize_t n = -1;
        do n = ::pread(fd.get(), head, want, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) fail(errno_text(errno), errno);
        if (static_cast<std::size_t>(n) < want || std::memcmp(head, magic.data(), want) != 0)
            fail(cat("it does not start with the magic number of a ", what), EINVAL);
    }
    std::vector<std::byte> out;
    if (st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
    if (int e = read_all(fd.get(), out, max_bytes); e != 0) {
        if (e == EFBIG) fail(cat("it holds more than the ", max_bytes, " bytes accepted"), EFBIG);
        fail(errno_text(e), e);
    }
    return out;
}

// The whole of a small text file (procfs, sysfs, tracefs), or an empty
// string with `err` set to the errno that says why not (EFBIG past
// `max_bytes`).
inline std::string read_small_file(const std::string& path, int& err, std::uint64_t max_bytes = 1 << 20) {
    err = 0;
    std::string out;
    auto fd = open_file(path.c_str(), O_RDONLY | O_NONBLOCK);
    if (!fd) {
        err = errno;
        return out;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        err = errno;
        return out;
    }
    if (!S_ISREG(st.st_mode)) {
        err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return out;
    }
    err = read_all(fd.get(), out, max_bytes);
    if (err != 0) out.clear();
    return out;
}

}  // namespace detail
BPFXX_END_NAMESPACE
