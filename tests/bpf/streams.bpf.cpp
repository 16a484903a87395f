// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Programs for tests/kernel/stream_test.cpp: each run (BPF_PROG_TEST_RUN of
// an XDP program, repeated as often as the test asks) sends one numbered
// record, to a ring buffer or to this CPU's perf buffer.

#include <bpfxx/kernel.hpp>

#include "streams.hpp"

BPFXX_MAP(ring, bpfxx::ring_buffer<streams::ring_bytes>);
BPFXX_MAP(perf, bpfxx::perf_event_array<>);

u64 next_seq;  // .bss

namespace {

streams::record take_next() {
    // One producer at a time (the test runs them in turn): no fetching
    // atomic, which Linux 5.10 lacks.
    const u64 seq = next_seq;
    next_seq = seq + 1;
    return streams::record{seq, seq * 3 + 1};
}

}  // namespace

BPFXX_PROGRAM("xdp")
int to_ring([[maybe_unused]] bpfxx::xdp_md* ctx) {
    // A record the ring has no room for leaves a gap in the sequence.
    ring.output(take_next());
    return bpfxx::xdp_pass;
}

BPFXX_PROGRAM("xdp")
int to_perf(bpfxx::xdp_md* ctx) {
    perf.output(ctx, take_next());
    return bpfxx::xdp_pass;
}

BPFXX_LICENSE("GPL");
