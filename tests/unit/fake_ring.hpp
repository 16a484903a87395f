// SPDX-License-Identifier: MIT OR Apache-2.0
// A BPF ring buffer laid out in ordinary memory exactly as the kernel lays
// out a BPF_MAP_TYPE_RINGBUF (positions, data pages mapped twice back to
// back through a memfd, which needs no privilege), with a producer playing
// the kernel's part. For tests of the record walk and of what sits on it.
#pragma once

#include <bpfxx/detail/ring_buffer_core.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>

namespace bpfxx::testing_support {

using bpfxx::u32;
using bpfxx::u64;
using bpfxx::detail::ring_buffer_core;
using bpfxx::detail::ringbuf_busy_bit;
using bpfxx::detail::ringbuf_discard_bit;
using bpfxx::detail::ringbuf_record_size;

// A producer playing the kernel's part (kernel/bpf/ringbuf.c, 5.8): reserve
// writes the header with BUSY and publishes the new producer position,
// submit/discard rewrite the header.
class fake_ring {
public:
    explicit fake_ring(std::size_t capacity) : capacity_(capacity) {
        memfd_ = ::memfd_create("bpfxx-fake-ring", MFD_CLOEXEC);
        if (memfd_ < 0 || ::ftruncate(memfd_, static_cast<off_t>(capacity)) != 0)
            throw std::runtime_error("memfd");
        // Reserve 2 * capacity of address space, then map the same pages
        // into each half, as the kernel's vmap of the data pages does.
        void* area = ::mmap(nullptr, 2 * capacity, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED) throw std::runtime_error("mmap");
        data_ = static_cast<std::byte*>(area);
        for (std::size_t half = 0; half < 2; ++half)
            if (::mmap(data_ + half * capacity, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd_,
                       0) == MAP_FAILED)
                throw std::runtime_error("mmap fixed");
    }
    fake_ring(const fake_ring&) = delete;
    fake_ring& operator=(const fake_ring&) = delete;
    ~fake_ring() {
        ::munmap(data_, 2 * capacity_);
        ::close(memfd_);
    }

    ring_buffer_core core() { return ring_buffer_core(&consumer_, &producer_, data_, capacity_); }

    // Both positions at `pos`, as after `pos` bytes went through the ring.
    void start_at(u64 pos) { consumer_ = producer_ = pos; }

    u64 reserve(u32 length) {
        const u64 pos = producer();
        std::byte* header = at(pos);
        const u32 len = length | ringbuf_busy_bit;
        std::memcpy(header, &len, 4);
        std::memset(header + 4, 0, 4);
        std::atomic_ref<u64>(producer_).store(pos + ringbuf_record_size(length), std::memory_order_release);
        return pos;
    }
    // Writes through the first mapping only: bytes past its end land in the
    // second one, i.e. at the start of the ring.
    void fill(u64 pos, std::span<const std::byte> payload) {
        if (!payload.empty()) std::memcpy(at(pos) + 8, payload.data(), payload.size());
    }
    void submit(u64 pos) { commit(pos, 0); }
    void discard(u64 pos) { commit(pos, ringbuf_discard_bit); }
    u64 output(std::span<const std::byte> payload) {
        const u64 pos = reserve(static_cast<u32>(payload.size()));
        fill(pos, payload);
        submit(pos);
        return pos;
    }
    u64 output(const std::string& s) { return output(std::as_bytes(std::span(s.data(), s.size()))); }

    u64 consumer() const { return std::atomic_ref<u64>(const_cast<u64&>(consumer_)).load(); }
    u64 producer() const { return std::atomic_ref<u64>(const_cast<u64&>(producer_)).load(); }
    void set_consumer(u64 v) { consumer_ = v; }
    void set_producer(u64 v) { producer_ = v; }
    u64* consumer_position() { return &consumer_; }
    u64* producer_position() { return &producer_; }
    std::byte* data() const { return data_; }
    std::byte* at(u64 pos) const { return data_ + (pos & (capacity_ - 1)); }
    std::size_t capacity() const { return capacity_; }

private:
    void commit(u64 pos, u32 extra) {
        auto& len = *reinterpret_cast<u32*>(at(pos));
        std::atomic_ref<u32>(len).exchange((len & ~ringbuf_busy_bit) | extra);
    }

    std::size_t capacity_;
    int memfd_ = -1;
    std::byte* data_ = nullptr;
    alignas(8) u64 consumer_ = 0;
    alignas(8) u64 producer_ = 0;
};

}  // namespace bpfxx::testing_support
