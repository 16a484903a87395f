// SPDX-License-Identifier: MIT OR Apache-2.0
// The record walk of one CPU's perf buffer (a BPF_MAP_TYPE_PERF_EVENT_ARRAY
// slot: a PERF_COUNT_SW_BPF_OUTPUT event's mmapped ring), independent of
// where its pages come from: the event's mmap or, in tests, memory laid out
// the same way.
//
// Layout (uapi linux/perf_event.h): the first page is struct
// perf_event_mmap_page, whose data_head (offset 1024) the kernel advances
// and whose data_tail (1032) the reader advances; the data pages follow
// (data_offset/data_size at 1040/1048 from Linux 4.1, else one page in and
// the rest of the mapping). Unlike the BPF ring buffer, the data pages are
// mapped once: a record may wrap around the end. Records are
//   struct perf_event_header { u32 type; u16 misc; u16 size; }
// followed by the body: PERF_RECORD_SAMPLE (9) with PERF_SAMPLE_RAW is
// { u32 size; u8 data[size]; } (the data only 4-byte aligned, padded so the
// record is a multiple of 8 bytes); PERF_RECORD_LOST (2) is
// { u64 id; u64 lost; }.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/perf_buffer_core.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/ring_buffer_core.hpp>
#include <bpfxx/shared/types.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

BPFXX_BEGIN_NAMESPACE

// A record type the perf buffer delivers typed: trivially copyable. Raw
// sample data is only 4-byte aligned and may wrap around the ring's end, so
// a T needing more alignment, or split by the wrap, is copied first.
template <class T>
concept perf_buffer_record = std::is_object_v<T> && std::is_trivially_copyable_v<T> && !std::is_const_v<T> &&
                             !std::is_volatile_v<T>;

namespace detail {

inline constexpr std::size_t perf_mmap_data_head = 1024;
inline constexpr std::size_t perf_mmap_data_tail = 1032;
inline constexpr std::size_t perf_mmap_data_offset = 1040;
inline constexpr std::size_t perf_mmap_data_size = 1048;
inline constexpr u32 perf_record_lost = 2;
inline constexpr u32 perf_record_sample = 9;
inline constexpr std::size_t perf_header_size = 8;
inline constexpr std::size_t perf_sample_data_offset = perf_header_size + 4;  // after u32 size
inline constexpr std::size_t perf_lost_record_size = perf_header_size + 16;

// One CPU's ring and the walk over it. Not an owner. Records that wrap are
// reassembled in a buffer the caller provides, which must hold the largest
// record: 64 KiB (perf_event_header::size is 16 bits).
class perf_ring_core {
public:
    static constexpr std::size_t max_record = 1u << 16;

    perf_ring_core() noexcept = default;
    // meta: the first mapped page (read-write: data_tail is written).
    // data, size: the data area, size a power of two.
    // scratch: max_record writable bytes, 8-byte aligned.
    perf_ring_core(std::byte* meta, const std::byte* data, std::size_t size, std::byte* scratch) noexcept
        : head_(view_as<u64>(meta + perf_mmap_data_head)),
          tail_(view_as<u64>(meta + perf_mmap_data_tail)),
          data_(data),
          mask_(size - 1),
          scratch_(scratch) {}

    perf_ring_core(perf_ring_core&& o) noexcept { *this = std::move(o); }
    perf_ring_core& operator=(perf_ring_core&& o) noexcept {
        if (this != &o) {
            head_ = std::exchange(o.head_, nullptr);
            tail_ = std::exchange(o.tail_, nullptr);
            data_ = std::exchange(o.data_, nullptr);
            mask_ = std::exchange(o.mask_, 0);
            scratch_ = std::exchange(o.scratch_, nullptr);
            pending_ = std::exchange(o.pending_, 0);
            lost_ = std::exchange(o.lost_, 0);
            malformed_ = std::exchange(o.malformed_, 0);
        }
        return *this;
    }
    perf_ring_core(const perf_ring_core&) = delete;
    perf_ring_core& operator=(const perf_ring_core&) = delete;
    ~perf_ring_core() = default;

    // The oldest sample not yet consumed, as a view of its raw data (in the
    // ring, or in the scratch buffer when it wraps), valid until pop();
    // false when there is none. Lost records met on the way are consumed and
    // added to lost(); other record types are skipped. A record that cannot
    // come from the kernel (size 0, past the head) makes the walk give up
    // the rest of what is there (counted in malformed()).
    bool front(std::span<const std::byte>& sample) noexcept {
        if (head_ == nullptr) return false;
        if (pending_ != 0) {
            sample = current_;
            return true;
        }
        u64 tail = load(tail_, __ATOMIC_RELAXED);
        for (;;) {
            const u64 head = load(head_, __ATOMIC_ACQUIRE);
            if (head == tail) return false;
            if (head - tail > mask_ + 1 || (head - tail) % 8 != 0 || tail % 8 != 0) return give_up(head);
            const std::byte* header = contiguous(tail, perf_header_size);
            u32 type;
            u16 size;
            std::memcpy(&type, header, 4);
            std::memcpy(&size, header + 6, 2);
            if (size < perf_header_size || size % 8 != 0 || size > head - tail) return give_up(head);
            if (type == perf_record_sample && size >= perf_sample_data_offset) {
                const std::byte* record = contiguous(tail, size);
                u32 length;
                std::memcpy(&length, record + perf_header_size, 4);
                if (length <= size - perf_sample_data_offset) {
                    pending_ = size;
                    current_ = std::span<const std::byte>(record + perf_sample_data_offset, length);
                    sample = current_;
                    return true;
                }
                ++malformed_;
            } else if (type == perf_record_lost && size >= perf_lost_record_size) {
                const std::byte* record = contiguous(tail, size);
                u64 lost;
                std::memcpy(&lost, record + perf_header_size + 8, 8);
                lost_ += lost;
            }
            tail += size;
            store(tail_, tail);
        }
    }

    // Consumes the sample front() returned: its space goes back to the kernel.
    void pop() noexcept {
        if (pending_ == 0) return;
        store(tail_, load(tail_, __ATOMIC_RELAXED) + std::exchange(pending_, 0));
    }

    // f(std::span<const std::byte>) for each sample now in the ring, in
    // order; stops after f returns false. A sample is consumed once f
    // returns or throws (the tail is published after each). Returns the
    // number of samples f was called for. The same walk as front()/pop(),
    // in one loop with the positions in registers.
    template <class F>
        requires ring_buffer_callback<F, std::span<const std::byte>>
    std::size_t consume(F&& f) {
        pop();  // a sample front() returned goes first
        if (head_ == nullptr) return 0;
        const std::byte* const data = data_;
        const u64 mask = mask_;
        std::size_t delivered = 0;
        u64 tail = load(tail_, __ATOMIC_RELAXED);
        for (;;) {
            const u64 head = load(head_, __ATOMIC_ACQUIRE);
            if (head == tail) return delivered;
            if (head - tail > mask + 1 || (head - tail) % 8 != 0 || tail % 8 != 0) {
                give_up(head);
                return delivered;
            }
            while (tail != head) {
                // 8-aligned positions in a ring of a multiple of 8 bytes:
                // a header never wraps.
                const std::byte* header = data + (tail & mask);
                u32 type;
                u16 size;
                std::memcpy(&type, header, 4);
                std::memcpy(&size, header + 6, 2);
                if (size < perf_header_size || size % 8 != 0 || size > head - tail) {
                    give_up(head);
                    return delivered;
                }
                const std::byte* record = contiguous(tail, size);
                tail += size;
                if (type == perf_record_sample && size >= perf_sample_data_offset) {
                    u32 length;
                    std::memcpy(&length, record + perf_header_size, 4);
                    if (length > size - perf_sample_data_offset) {
                        ++malformed_;
                        store(tail_, tail);
                        continue;
                    }
                    bool more;
                    {
                        const publish_on_exit guard{tail_, tail};
                        more = call_consumer(f, std::span<const std::byte>(record + perf_sample_data_offset, length));
                    }
                    ++delivered;
                    if (!more) return delivered;
                } else {
                    if (type == perf_record_lost && size >= perf_lost_record_size) {
                        u64 lost;
                        std::memcpy(&lost, record + perf_header_size + 8, 8);
                        lost_ += lost;
                    }
                    store(tail_, tail);
                }
            }
        }
    }

    // Bytes the kernel has written and the reader not yet consumed.
    [[nodiscard]] std::size_t available() const noexcept {
        if (head_ == nullptr) return 0;
        return static_cast<std::size_t>(load(head_, __ATOMIC_ACQUIRE) - load(tail_, __ATOMIC_RELAXED));
    }
    // Samples the kernel dropped because this ring was full (its
    // PERF_RECORD_LOST records, as read so far).
    [[nodiscard]] u64 lost() const noexcept { return lost_; }
    // Records that could not come from the kernel (bad sizes), skipped.
    [[nodiscard]] u64 malformed() const noexcept { return malformed_; }

private:
    struct publish_on_exit {
        u64* tail;
        u64 position;
        ~publish_on_exit() { store(tail, position); }
    };

    // The ring's contents are no longer trustworthy: hand everything back.
    bool give_up(u64 head) noexcept {
        ++malformed_;
        store(tail_, head);
        return false;
    }

    // `length` bytes from position `at`, in place when they do not wrap,
    // else copied into the scratch buffer.
    const std::byte* contiguous(u64 at, std::size_t length) const noexcept {
        const std::size_t offset = static_cast<std::size_t>(at & mask_);
        if (offset + length <= mask_ + 1) return data_ + offset;
        const std::size_t first = mask_ + 1 - offset;
        std::memcpy(scratch_, data_ + offset, first);
        std::memcpy(scratch_ + first, data_, length - first);
        return scratch_;
    }

    static u64 load(const u64* position, int order) noexcept { return __atomic_load_n(position, order); }
    static void store(u64* position, u64 value) noexcept { __atomic_store_n(position, value, __ATOMIC_RELEASE); }

    const u64* head_ = nullptr;
    u64* tail_ = nullptr;
    const std::byte* data_ = nullptr;
    u64 mask_ = 0;
    std::byte* scratch_ = nullptr;
    u64 pending_ = 0;  // size of the record front() returned, not yet popped
    std::span<const std::byte> current_;
    u64 lost_ = 0;
    u64 malformed_ = 0;
};

// A trivially copyable T from a sample's bytes: in place when aligned for
// T, else copied into `storage` (sizeof(T) bytes aligned for T; memcpy
// starts the copy's lifetime). Null when the sample is shorter than T.
template <perf_buffer_record T>
const T* sample_as(std::span<const std::byte> sample, std::byte* storage) noexcept {
    if (sample.size() < sizeof(T)) return nullptr;
    if (reinterpret_cast<std::uintptr_t>(sample.data()) % alignof(T) == 0) return view_as<T>(sample.data());
    std::memcpy(storage, sample.data(), sizeof(T));
    return view_as<T>(static_cast<const std::byte*>(storage));
}

}  // namespace detail
BPFXX_END_NAMESPACE
