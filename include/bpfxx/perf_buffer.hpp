// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::perf_buffer — the user-space consumer of a
// BPF_MAP_TYPE_PERF_EVENT_ARRAY (Linux 4.4): one mmapped perf ring per CPU,
// fed by bpf_perf_event_output. For kernels before the BPF ring buffer
// (5.8), and for programs written for libbpf's perf_buffer.
//
//     auto pb = bpfxx::perf_buffer::open(map_fd, {.pages = 64});
//     while (running) {
//         auto n = pb.poll_as<event>(std::chrono::milliseconds(100),
//                                    [](const event& e) { handle(e); });
//         if (!n && n.error() != EINTR) break;
//     }
//     std::printf("%llu events lost\n", (unsigned long long)pb.lost());
#pragma once
#ifdef __bpf__
#error "bpfxx/perf_buffer.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/perf_buffer_core.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/sys/epoll.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/mmap.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE

struct perf_buffer_options {
    // Data pages per CPU, a power of two (the ring is pages * page size).
    std::size_t pages = 64;
    // Wake a waiting consumer every wakeup_events samples. 1, libbpf's
    // default, costs a wakeup per sample; larger values batch them, and
    // samples that have not reached the count are read by the next poll
    // with a timeout, or any consume().
    u32 wakeup_events = 1;
    // When nonzero, wake instead once this many bytes are waiting in a
    // CPU's ring (perf's watermark); wakeup_events is then ignored.
    u32 wakeup_bytes = 0;
};

// The consumer side of one perf event array: a ring per CPU (the online
// CPUs below the map's max_entries), their events written into the map's
// slots, all in one epoll set. Move-only; closes everything it opened. One
// perf_buffer per map: opening another replaces this one's slots.
class perf_buffer {
public:
    // Opens a ring on every online CPU for the map behind `map_fd` (which
    // stays the caller's) and stores the events in the map. Throws
    // bpfxx::error naming the step, CPU and errno that failed.
    [[nodiscard]] BPFXX_DECL static perf_buffer open(int map_fd, const perf_buffer_options& options = {});

    perf_buffer(perf_buffer&& o) noexcept
        : map_(std::move(o.map_)),
          epoll_(std::move(o.epoll_)),
          scratch_(std::move(o.scratch_)),
          rings_(std::exchange(o.rings_, {})),
          next_(std::exchange(o.next_, 0)),
          short_records_(std::exchange(o.short_records_, 0)) {}
    perf_buffer& operator=(perf_buffer&& o) noexcept {
        if (this != &o) {
            clear_slots();
            map_ = std::move(o.map_);
            epoll_ = std::move(o.epoll_);
            scratch_ = std::move(o.scratch_);
            rings_ = std::exchange(o.rings_, {});
            next_ = std::exchange(o.next_, 0);
            short_records_ = std::exchange(o.short_records_, 0);
        }
        return *this;
    }
    perf_buffer(const perf_buffer&) = delete;
    perf_buffer& operator=(const perf_buffer&) = delete;
    // Takes the events out of the map's slots (the map would otherwise
    // keep them, and the program's output would go nowhere unseen).
    ~perf_buffer() { clear_slots(); }

    // Calls f(std::span<const std::byte>) for each sample in every CPU's
    // ring, in order per CPU. The span is valid only during the call; its
    // data is 4-byte aligned, and is the raw sample including the kernel's
    // padding to 8 bytes (so it may be longer than what the program sent).
    // Stops after f returns false. Lost-sample records met on the way are
    // added to lost(). Returns the number of samples f was called for.
    template <class F>
        requires ring_buffer_callback<F, std::span<const std::byte>>
    std::size_t consume(F&& f) {
        std::size_t delivered = 0;
        bool more = true;
        for (auto& r : rings_) {
            delivered += r.core.consume([&](std::span<const std::byte> sample) {
                more = detail::call_consumer(f, sample);
                return more;
            });
            if (!more) break;
        }
        return delivered;
    }

    // f(const T&) for each sample of at least sizeof(T) bytes: in place
    // when aligned for T, else copied first. Shorter samples are consumed
    // without a call and counted in short_records().
    template <perf_buffer_record T, class F>
        requires ring_buffer_callback<F, const T&>
    std::size_t consume_as(F&& f) {
        std::size_t delivered = 0;
        consume([&](std::span<const std::byte> sample) -> bool {
            alignas(T) std::byte copy[sizeof(T)];
            const T* record = detail::sample_as<T>(sample, copy);
            if (record == nullptr) {
                ++short_records_;
                return true;
            }
            ++delivered;
            return detail::call_consumer(f, *record);
        });
        return delivered;
    }

    // Waits up to `timeout` (negative: forever) for a wakeup, then consumes
    // every ring. The number of samples delivered, 0 on timeout, or the
    // errno of epoll_wait (EINTR when a signal arrived).
    template <class F>
        requires ring_buffer_callback<F, std::span<const std::byte>>
    result<std::size_t> poll(std::chrono::milliseconds timeout, F&& f) {
        if (auto ready = wait(timeout); !ready) return failure{ready.error()};
        return consume(f);
    }
    template <perf_buffer_record T, class F>
        requires ring_buffer_callback<F, const T&>
    result<std::size_t> poll_as(std::chrono::milliseconds timeout, F&& f) {
        if (auto ready = wait(timeout); !ready) return failure{ready.error()};
        return consume_as<T>(f);
    }

    // Pull-style reading (bpfxx::stream uses it): the oldest sample not yet
    // consumed of some CPU's ring (taking the CPUs in turn), valid until
    // pop(); false when every ring is empty.
    bool front(std::span<const std::byte>& sample) noexcept {
        for (std::size_t i = 0; i < rings_.size(); ++i) {
            if (rings_[next_].core.front(sample)) return true;
            next_ = next_ + 1 == rings_.size() ? 0 : next_ + 1;
        }
        return false;
    }
    // Consumes the sample front() returned.
    void pop() noexcept {
        if (!rings_.empty()) rings_[next_].core.pop();
    }

    // An epoll fd over every CPU's ring: readable when a wakeup is due, for
    // asio, libuv or an event loop (then call consume()). Perf rings signal
    // readiness once per wakeup: drain everything each time.
    [[nodiscard]] int fd() const noexcept { return epoll_.fd(); }

    // Samples the kernel dropped because a ring was full, as reported by
    // the rings read so far (PERF_RECORD_LOST).
    [[nodiscard]] u64 lost() const noexcept {
        u64 n = 0;
        for (const auto& r : rings_) n += r.core.lost();
        return n;
    }
    // Samples consume_as() skipped as shorter than its type.
    [[nodiscard]] std::size_t short_records() const noexcept { return short_records_; }
    // Records that could not have come from the kernel (bad sizes), skipped.
    [[nodiscard]] u64 malformed() const noexcept {
        u64 n = 0;
        for (const auto& r : rings_) n += r.core.malformed();
        return n;
    }
    // The CPUs with a ring, in the order they are read.
    [[nodiscard]] std::vector<u32> cpus() const {
        std::vector<u32> ids;
        ids.reserve(rings_.size());
        for (const auto& r : rings_) ids.push_back(r.cpu);
        return ids;
    }
    // The perf event fd of the index-th ring (in cpus() order), as
    // libbpf's perf_buffer__buffer_fd: to watch or re-store it by hand.
    // -1 past the end.
    [[nodiscard]] int event_fd(std::size_t index) const noexcept {
        return index < rings_.size() ? rings_[index].event.get() : -1;
    }
    // Bytes written by the kernel and not yet consumed, over all rings.
    [[nodiscard]] std::size_t available() const noexcept {
        std::size_t n = 0;
        for (const auto& r : rings_) n += r.core.available();
        return n;
    }

private:
    struct ring {
        u32 cpu = 0;
        sys::fd event;
        sys::mapping pages;
        detail::perf_ring_core core;  // views `pages`
    };

    perf_buffer() = default;
    BPFXX_DECL void clear_slots() noexcept;

    result<void> wait(std::chrono::milliseconds timeout) noexcept {
        if (timeout.count() == 0 || available() != 0) return {};
        epoll_event events[8];
        if (auto r = epoll_.wait(events, timeout); !r) return failure{r.error()};
        return {};
    }

    sys::fd map_;
    sys::epoll epoll_;
    std::vector<u64> scratch_;  // reassembles samples that wrap: shared, one record at a time
    std::vector<ring> rings_;
    std::size_t next_ = 0;
    std::size_t short_records_ = 0;
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/perf_buffer.ipp>
#endif
