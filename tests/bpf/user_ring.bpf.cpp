// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Programs for tests/kernel/user_ring_buffer_test.cpp: an XDP program, run
// with BPF_PROG_TEST_RUN, drains the samples user space wrote into a user
// ring buffer and adds them up in globals user space reads back.

#include <bpfxx/kernel.hpp>

#include "streams.hpp"

BPFXX_MAP(commands, bpfxx::user_ring_buffer<4096 * 4>);

u64 drained;     // samples seen by the callback, over every run
u64 sum;         // their values
u64 order_errs;  // samples whose seq was not the one expected
u64 short_ones;  // samples shorter than a record
s64 last_result; // what the last drain returned

namespace {

struct drain_state {
    u64 next_seq;
};

long take(bpfxx::dynptr* sample, drain_state* state) {
    streams::record r;
    if (bpfxx::read_sample(sample, r) != 0) {
        short_ones += 1;
        return 0;
    }
    if (r.seq != state->next_seq) order_errs += 1;
    state->next_seq = r.seq + 1;
    sum += r.check;
    drained += 1;
    return 0;
}

}  // namespace

BPFXX_PROGRAM("xdp")
int drain_commands([[maybe_unused]] bpfxx::xdp_md* ctx) {
    drain_state state{drained};
    last_result = commands.drain(&take, &state);
    return bpfxx::xdp_pass;
}

BPFXX_LICENSE("GPL");
