// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Programs for tests/kernel/test_run_test.cpp: BPF_PROG_TEST_RUN on a
// packet (XDP: reads and rewrites it) and on a context (a raw tracepoint:
// adds its first two arguments), and a tracepoint program, a type the
// kernel cannot test-run.

#include <bpfxx/kernel.hpp>

// Inverts the first byte after the Ethernet header; drops the packet when
// that byte becomes zero.
BPFXX_PROGRAM("xdp")
int invert_first_byte(bpfxx::xdp_md* ctx) {
    u8* data = bpfxx::packet_data(ctx);
    if (data + 15 > bpfxx::packet_end(ctx))
        return bpfxx::xdp_aborted;
    data[14] = static_cast<u8>(~data[14]);
    return data[14] == 0 ? bpfxx::xdp_drop : bpfxx::xdp_pass;
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int add_arguments(bpfxx::raw_tracepoint_args* ctx) {
    return static_cast<int>(ctx->args[0] + ctx->args[1]);
}

BPFXX_PROGRAM("tracepoint/syscalls/sys_enter_getpid")
int not_runnable([[maybe_unused]] void* ctx) { return 0; }

BPFXX_LICENSE("GPL");
