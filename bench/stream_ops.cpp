// SPDX-License-Identifier: MIT OR Apache-2.0
// Consuming events, bpfxx against libbpf on the same maps of one object
// (stream_object.bpf.c, loaded by libbpf): a ring buffer and a perf event
// array, each filled with N 64-byte records by BPF_PROG_TEST_RUN (repeat N)
// before the clock starts, so only the user-space work of reading them is
// timed: libbpf's ring_buffer__consume / perf_buffer__consume with a
// callback, bpfxx's consume_as<T> and, for the ring buffer, a coroutine
// reading a bpfxx::stream. Every consumer adds up the records' sequence
// numbers, so none can skip the reading. Rounds alternate the order; a
// first round, not recorded, touches every buffer page once.
// Prints, per metric and consumer,
//   <metric> <consumer> min=<ns per record> median=<ns per record> n=<rounds>
#include <bpfxx/coroutine.hpp>
#include <bpfxx/event_loop.hpp>
#include <bpfxx/perf_buffer.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/stream.hpp>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using bpfxx::u64;

struct record {
    u64 seq;
    u64 payload[7];
};
static_assert(sizeof(record) == 64);

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "stream_ops: %s\n", what.c_str());
    std::exit(1);
}

void print(const char* metric, const char* consumer, std::vector<double> ns) {
    std::sort(ns.begin(), ns.end());
    const double median = ns.size() % 2 ? ns[ns.size() / 2] : (ns[ns.size() / 2 - 1] + ns[ns.size() / 2]) / 2;
    std::printf("%s %s min=%.6g median=%.6g n=%zu\n", metric, consumer, ns.front(), median, ns.size());
}

// Nanoseconds per record of `f()`, which must read `n` records.
template <class F>
double ns_per_record(std::size_t n, F&& f) {
    const auto t0 = clock_type::now();
    const std::size_t got = f();
    const double ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
    if (got != n) fail("read " + std::to_string(got) + " records, not " + std::to_string(n));
    return ns / static_cast<double>(n);
}

struct tally {
    std::size_t count = 0;
    u64 sum = 0;
};

int libbpf_ring_sample(void* ctx, void* data, size_t) {
    auto* t = static_cast<tally*>(ctx);
    t->sum += static_cast<const record*>(data)->seq;
    ++t->count;
    return 0;
}

void libbpf_perf_sample(void* ctx, int, void* data, __u32) {
    auto* t = static_cast<tally*>(ctx);
    record r;  // perf samples are 4-byte aligned: copy, as a careful libbpf user must
    __builtin_memcpy(&r, data, sizeof r);
    t->sum += r.seq;
    ++t->count;
}

// Stores perf event `event_fd` in the map's slot for `cpu`.
void point_slot(int map_fd, int cpu, int event_fd) {
    const __u32 key = static_cast<__u32>(cpu);
    const __u32 value = static_cast<__u32>(event_fd);
    if (bpf_map_update_elem(map_fd, &key, &value, 0) != 0) fail("storing a perf event in the map failed");
}

void libbpf_perf_lost(void*, int, __u64 lost) { fail("perf buffer lost " + std::to_string(lost) + " samples"); }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) fail("usage: stream_ops <stream_object.bpf.o> [rounds] [records]");
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 9;
    const std::size_t n = argc > 3 ? static_cast<std::size_t>(std::atol(argv[3])) : 50000;
    const std::size_t perf_pages = 2048;  // 8 MiB a CPU: n samples of 80 bytes fit

    // One CPU: test runs fill that CPU's perf ring, and the timing is not
    // disturbed by migrations.
    cpu_set_t allowed, one;
    sched_getaffinity(0, sizeof allowed, &allowed);
    int cpu = 0;
    while (!CPU_ISSET(cpu, &allowed)) ++cpu;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof one, &one);

    bpf_object* obj = bpf_object__open_file(argv[1], nullptr);
    if (obj == nullptr) fail("bpf_object__open_file failed");
    if (int err = bpf_object__load(obj); err != 0) fail("bpf_object__load failed: " + std::to_string(err));
    const int ring_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "ring"));
    const int perf_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "perf"));
    const int to_ring = bpf_program__fd(bpf_object__find_program_by_name(obj, "to_ring"));
    const int to_perf = bpf_program__fd(bpf_object__find_program_by_name(obj, "to_perf"));

    auto fill = [&](int prog) {
        char packet[64] = {};
        LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = packet, .data_size_in = sizeof packet,
                    .repeat = static_cast<int>(n));
        if (bpf_prog_test_run_opts(prog, &o) != 0) fail("BPF_PROG_TEST_RUN failed");
        // Let the kernel's deferred wakeups run before the clock starts:
        // only the reading is timed.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };

    tally lt;
    ring_buffer* lrb = ring_buffer__new(ring_fd, libbpf_ring_sample, &lt, nullptr);
    if (lrb == nullptr) fail("ring_buffer__new failed");
    auto xrb = bpfxx::ring_buffer::open(ring_fd);

    // bpfxx's first, then libbpf's: libbpf's events are in the map slots
    // until point_slot moves them.
    auto xpb = bpfxx::perf_buffer::open(perf_fd, {.pages = perf_pages});
    int xpb_fd = -1;
    const auto cpus = xpb.cpus();
    for (std::size_t i = 0; i < cpus.size(); ++i)
        if (static_cast<int>(cpus[i]) == cpu) xpb_fd = xpb.event_fd(i);
    tally lpt;
    perf_buffer* lpb = perf_buffer__new(perf_fd, perf_pages, libbpf_perf_sample, libbpf_perf_lost, &lpt, nullptr);
    if (lpb == nullptr || xpb_fd < 0) fail("perf_buffer__new failed, or no bpfxx ring on this CPU");

    std::vector<double> ring_libbpf, ring_bpfxx, ring_stream, perf_libbpf, perf_bpfxx;
    for (int round = 0; round <= rounds; ++round) {
        auto libbpf_ring = [&] {
            fill(to_ring);
            ring_libbpf.push_back(ns_per_record(n, [&] {
                lt = {};
                ring_buffer__consume(lrb);
                return lt.count;
            }));
        };
        auto bpfxx_ring = [&] {
            fill(to_ring);
            ring_bpfxx.push_back(ns_per_record(n, [&] {
                tally t;
                xrb.consume_as<record>([&](const record& r) {
                    t.sum += r.seq;
                    ++t.count;
                });
                return t.count;
            }));
        };
        auto bpfxx_stream = [&] {
            fill(to_ring);
            bpfxx::event_loop loop;
            bpfxx::stream<record> events(loop, xrb);
            tally t;
            loop.spawn([&]() -> bpfxx::task<> {
                while (const record* r = co_await events.next()) {
                    t.sum += r->seq;
                    if (++t.count == n) break;
                }
                loop.stop();
            });
            ring_stream.push_back(ns_per_record(n, [&] {
                loop.run();
                return t.count;
            }));
        };
        if (round % 2 == 0) {
            libbpf_ring();
            bpfxx_ring();
            bpfxx_stream();
        } else {
            bpfxx_stream();
            bpfxx_ring();
            libbpf_ring();
        }

        // Both perf buffers stay open (their pages mapped and touched once,
        // as in a running tool); the map's slot for this CPU points at the
        // one whose turn it is.
        auto libbpf_perf = [&] {
            point_slot(perf_fd, cpu, perf_buffer__buffer_fd(lpb, static_cast<size_t>(cpu)));
            fill(to_perf);
            perf_libbpf.push_back(ns_per_record(n, [&] {
                lpt = {};
                perf_buffer__consume(lpb);
                return lpt.count;
            }));
        };
        auto bpfxx_perf = [&] {
            point_slot(perf_fd, cpu, xpb_fd);
            fill(to_perf);
            perf_bpfxx.push_back(ns_per_record(n, [&] {
                tally t;
                xpb.consume_as<record>([&](const record& r) {
                    t.sum += r.seq;
                    ++t.count;
                });
                return t.count;
            }));
            if (xpb.lost() != 0) fail("bpfxx perf buffer lost samples");
        };
        if (round % 2 == 0) {
            libbpf_perf();
            bpfxx_perf();
        } else {
            bpfxx_perf();
            libbpf_perf();
        }
        if (round == 0) {  // the warm-up round: pages touched, nothing recorded
            for (auto* v : {&ring_libbpf, &ring_bpfxx, &ring_stream, &perf_libbpf, &perf_bpfxx}) v->clear();
        }
    }
    perf_buffer__free(lpb);
    ring_buffer__free(lrb);
    bpf_object__close(obj);
    print("ring_consume_ns", "libbpf", ring_libbpf);
    print("ring_consume_ns", "bpfxx", ring_bpfxx);
    print("ring_consume_ns", "bpfxx_stream", ring_stream);
    print("perf_consume_ns", "libbpf", perf_libbpf);
    print("perf_consume_ns", "bpfxx", perf_bpfxx);
    return 0;
}
