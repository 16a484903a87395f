// SPDX-License-Identifier: MIT OR Apache-2.0
// The producer side of a user ring buffer (BPF_MAP_TYPE_USER_RINGBUF,
// Linux 6.1): user space reserves, writes and submits samples that BPF
// programs drain with bpf_user_ringbuf_drain. The layout is the BPF ring
// buffer's with the roles swapped: the kernel advances the consumer
// position (a read-only page to user space), user space the producer
// position; records are {u32 len; u32 pad;} headers with the BUSY and
// DISCARD bits, 8-byte aligned, in data pages mapped twice back to back.
// Independent of where the pages come from, so tests can lay them out.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/user_ring_core.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/ring_buffer_core.hpp>
#include <bpfxx/detail/view.hpp>
#include <bpfxx/shared/types.hpp>

#include <cstddef>
#include <span>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// One producer at a time: nothing here is shared between user threads.
class user_ring_core {
public:
    user_ring_core() noexcept = default;
    // consumer_pos: read-only, the kernel's; producer_pos: ours; data: the
    // data area mapped twice (2 * capacity bytes); capacity a power of two.
    user_ring_core(const u64* consumer_pos, u64* producer_pos, std::byte* data, std::size_t capacity) noexcept
        : consumer_(consumer_pos), producer_(producer_pos), data_(data), mask_(capacity - 1) {}

    user_ring_core(user_ring_core&& o) noexcept
        : consumer_(std::exchange(o.consumer_, nullptr)),
          producer_(std::exchange(o.producer_, nullptr)),
          data_(std::exchange(o.data_, nullptr)),
          mask_(std::exchange(o.mask_, 0)) {}
    user_ring_core& operator=(user_ring_core&& o) noexcept {
        if (this != &o) {
            consumer_ = std::exchange(o.consumer_, nullptr);
            producer_ = std::exchange(o.producer_, nullptr);
            data_ = std::exchange(o.data_, nullptr);
            mask_ = std::exchange(o.mask_, 0);
        }
        return *this;
    }
    user_ring_core(const user_ring_core&) = delete;
    user_ring_core& operator=(const user_ring_core&) = delete;
    ~user_ring_core() = default;

    // The largest sample that can ever fit.
    [[nodiscard]] std::size_t max_sample() const noexcept {
        return data_ == nullptr ? 0 : static_cast<std::size_t>(mask_ + 1 - ringbuf_header_size);
    }

    // Room for `size` bytes: a writable view, 8-byte aligned and contiguous
    // (the double mapping), marked BUSY so the kernel will not drain past
    // it until submit() or discard(). Empty when the ring has no room now
    // (or never will: size > max_sample()).
    std::span<std::byte> reserve(std::size_t size) noexcept {
        if (data_ == nullptr || size > max_sample()) return {};
        const u64 total = ringbuf_record_size(static_cast<u32>(size));
        const u64 cons = __atomic_load_n(consumer_, __ATOMIC_ACQUIRE);
        const u64 prod = __atomic_load_n(producer_, __ATOMIC_RELAXED);
        if (prod - cons > mask_ + 1 || total > mask_ + 1 - (prod - cons)) return {};
        std::byte* header = data_ + (prod & mask_);
        const u32 busy = static_cast<u32>(size) | ringbuf_busy_bit;
        __atomic_store_n(view_as<u32>(header), busy, __ATOMIC_RELAXED);
        __atomic_store_n(view_as<u32>(header + 4), u32{0}, __ATOMIC_RELAXED);
        // Pairs with the kernel's acquire of the producer position: it sees
        // the BUSY header before it sees the space as taken.
        __atomic_store_n(producer_, prod + total, __ATOMIC_RELEASE);
        return std::span<std::byte>(header + ringbuf_header_size, size);
    }

    // Hands a reserved sample to the kernel (after everything written to it).
    void submit(std::span<std::byte> sample) noexcept { commit(sample, 0); }
    // Gives a reserved sample back: the kernel skips it.
    void discard(std::span<std::byte> sample) noexcept { commit(sample, ringbuf_discard_bit); }

    // Bytes reserved and not yet drained by the kernel.
    [[nodiscard]] std::size_t pending() const noexcept {
        if (data_ == nullptr) return 0;
        return static_cast<std::size_t>(__atomic_load_n(producer_, __ATOMIC_RELAXED) -
                                         __atomic_load_n(consumer_, __ATOMIC_ACQUIRE));
    }
    [[nodiscard]] std::size_t capacity() const noexcept { return data_ == nullptr ? 0 : static_cast<std::size_t>(mask_ + 1); }

private:
    void commit(std::span<std::byte> sample, u32 extra) noexcept {
        u32* length = view_as<u32>(sample.data() - ringbuf_header_size);
        const u32 done = (__atomic_load_n(length, __ATOMIC_RELAXED) & ~ringbuf_busy_bit) | extra;
        // Release: the sample's bytes before the header that says "done".
        __atomic_store_n(length, done, __ATOMIC_RELEASE);
    }

    const u64* consumer_ = nullptr;
    u64* producer_ = nullptr;
    std::byte* data_ = nullptr;
    u64 mask_ = 0;
};

}  // namespace detail
BPFXX_END_NAMESPACE
