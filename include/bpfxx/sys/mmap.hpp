// SPDX-License-Identifier: MIT OR Apache-2.0
// A move-only mmap(2) region: ring buffers and global data maps are read
// and written through the kernel's shared pages.
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/mmap.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <sys/mman.h>
#include <sys/types.h>

#include <cstddef>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace sys {

// A move-only mmap(2) region, unmapped when destroyed.
class mapping {
public:
    mapping() noexcept = default;
    // The mapping, or an empty one with errno set.
    static mapping map(int fd, std::size_t length, int protection, off_t offset) noexcept {
        void* p = ::mmap(nullptr, length, protection, MAP_SHARED, fd, offset);
        if (p == MAP_FAILED) return {};
        return mapping(static_cast<std::byte*>(p), length);
    }
    mapping(mapping&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    mapping& operator=(mapping&& o) noexcept {
        if (this != &o) {
            reset();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    mapping(const mapping&) = delete;
    mapping& operator=(const mapping&) = delete;
    ~mapping() { reset(); }

    [[nodiscard]] std::byte* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    explicit operator bool() const noexcept { return data_ != nullptr; }
    void reset() noexcept {
        if (data_ != nullptr) ::munmap(data_, size_);
        data_ = nullptr;
        size_ = 0;
    }

private:
    mapping(std::byte* data, std::size_t size) noexcept : data_(data), size_(size) {}
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace sys
BPFXX_END_NAMESPACE
