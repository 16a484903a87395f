// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::stream<T> — the records of a ring buffer (or perf buffer) as a
// C++20 coroutine stream on an event_loop:
//
//     bpfxx::event_loop loop;
//     bpfxx::stream<event> events(loop, skel.maps.events.reader());
//     loop.spawn([&]() -> bpfxx::task<> {
//         while (const event* e = co_await events.next()) print(*e);
//     });
//     loop.run();
//
// next() views the record in place (a perf sample that is misaligned for T
// or wraps the ring is copied first) until the following next(): no copy
// and no allocation per record, and no suspension while records are
// waiting. The loop must outlive the stream (declare it first), and the
// stream its source.
#pragma once
#ifdef __bpf__
#error "bpfxx/stream.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/perf_buffer_core.hpp>
#include <bpfxx/event_loop.hpp>
#include <bpfxx/ring_buffer.hpp>

#include <coroutine>
#include <cstddef>
#include <span>
#include <utility>

BPFXX_BEGIN_NAMESPACE

// What a stream reads: records pulled one at a time, and an fd that is
// readable when front() would find one (ring_buffer, perf_buffer).
template <class S>
concept stream_source = requires(S& s, std::span<const std::byte>& record) {
    { s.front(record) } -> std::same_as<bool>;
    s.pop();
    { s.fd() } -> std::same_as<int>;
};

template <perf_buffer_record T, stream_source Source = ring_buffer>
class stream {
public:
    // Watches `source` on `loop`; both must outlive the stream.
    stream(event_loop& loop, Source& source)
        : loop_(&loop),
          source_(&source),
          id_(loop.watch(source.fd(), [this] { ready(); }, event_loop::trigger::oneshot)) {}
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    // A coroutine still waiting in next() is left suspended (its owner
    // destroys it); the record viewed last is consumed.
    ~stream() {
        loop_->remove(id_);
        if (viewing_) source_->pop();
    }

    // Awaits the next record: a pointer valid until the next call, or null
    // once close() was called. Records shorter than T are consumed and
    // counted in short_records(). One coroutine at a time may wait.
    [[nodiscard]] auto next() noexcept {
        struct awaiter {
            stream* s;
            bool await_ready() noexcept { return s->advance(); }
            void await_suspend(std::coroutine_handle<> h) noexcept {
                s->waiting_ = h;
                s->loop_->rearm(s->id_);
            }
            const T* await_resume() const noexcept { return s->current_; }
        };
        return awaiter{this};
    }

    // Ends the stream: next() returns null from now on, a coroutine
    // waiting in it resumes with null, and the loop stops watching the
    // source (run() may then find nothing left to wait for).
    void close() {
        if (closed_) return;
        closed_ = true;
        loop_->remove(std::exchange(id_, event_loop::source_id{}));  // nothing left to wait for
        if (auto h = std::exchange(waiting_, {})) {
            advance();
            h.resume();
        }
    }

    [[nodiscard]] std::size_t short_records() const noexcept { return short_records_; }

private:
    // Consumes the record viewed last and looks for the next one; false
    // when there is none yet (not closed).
    bool advance() noexcept {
        if (viewing_) {
            source_->pop();
            viewing_ = false;
        }
        current_ = nullptr;
        if (closed_) return true;
        std::span<const std::byte> record;
        while (source_->front(record)) {
            if (const T* r = detail::sample_as<T>(record, copy_)) {
                current_ = r;
                viewing_ = true;
                return true;
            }
            source_->pop();
            ++short_records_;
        }
        return false;
    }

    // The source's fd became readable (oneshot: watched again on demand).
    void ready() {
        if (!waiting_) return;
        if (!advance()) {
            loop_->rearm(id_);
            return;
        }
        std::exchange(waiting_, {}).resume();
    }

    event_loop* loop_;
    Source* source_;
    event_loop::source_id id_;
    std::coroutine_handle<> waiting_;
    const T* current_ = nullptr;
    bool viewing_ = false;
    bool closed_ = false;
    std::size_t short_records_ = 0;
    alignas(T) std::byte copy_[sizeof(T)];
};

BPFXX_END_NAMESPACE
