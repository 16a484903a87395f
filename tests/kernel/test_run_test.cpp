// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::test_run (BPF_PROG_TEST_RUN) on the running kernel: a packet in
// and out of an XDP program, arguments into a raw tracepoint program, and
// the errors for input the kernel refuses and types it cannot run.
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/test_run.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace {

using bpfxx::u64;
using testing::HasSubstr;

class TestRun : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
    }
    static bpfxx::loaded_object load(std::vector<std::string> programs) {
        return bpfxx::loaded_object::load(
            bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/test_run.bpf.o"),
            bpfxx::load_options().only_programs(std::move(programs)));
    }
};

TEST_F(TestRun, XdpProgramRewritesThePacket) {
    auto lo = load({"invert_first_byte"});
    const int fd = lo.program("invert_first_byte").fd();
    std::vector<std::byte> packet(64, std::byte{0x11});
    packet[14] = std::byte{0x01};
    bpfxx::test_run_options o;
    o.data = packet;
    auto r = bpfxx::test_run(fd, o);
    EXPECT_EQ(r.return_value, 2u) << "XDP_PASS";
    ASSERT_EQ(r.data.size(), packet.size());
    EXPECT_EQ(r.data[14], std::byte{0xfe});
    EXPECT_EQ(r.data[13], std::byte{0x11});
    packet[14] = std::byte{0xff};
    EXPECT_EQ(bpfxx::test_run(fd, o).return_value, 1u) << "XDP_DROP";
    // Repeated runs work on one buffer: 101 inversions leave it inverted.
    packet[14] = std::byte{0x01};
    o.repeat = 101;
    r = bpfxx::test_run(fd, o);
    EXPECT_EQ(r.data[14], std::byte{0xfe});
    EXPECT_GT(r.duration.count(), 0) << "the mean time of a run";
}

TEST_F(TestRun, RawTracepointProgramReadsItsArguments) {
    auto lo = load({"add_arguments"});
    const std::array<u64, 2> args{40, 2};
    bpfxx::test_run_options o;
    o.context = bpfxx::bytes_of(args);
    EXPECT_EQ(bpfxx::test_run(lo.program("add_arguments").fd(), o).return_value, 42u);
}

TEST_F(TestRun, RefusalsSayWhy) {
    auto lo = load({"add_arguments", "not_runnable", "invert_first_byte"});
    // A packet for a raw tracepoint.
    std::vector<std::byte> packet(64);
    bpfxx::test_run_options o;
    o.data = packet;
    try {
        (void)bpfxx::test_run(lo.program("add_arguments").fd(), o);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_THAT(e.what(), HasSubstr("BPF_PROG_TEST_RUN of program fd"));
        EXPECT_THAT(e.what(), HasSubstr("the kernel refused the input"));
    }
    // Too little room for the packet out.
    o.data_out_capacity = 16;
    try {
        (void)bpfxx::test_run(lo.program("invert_first_byte").fd(), o);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOSPC);
        EXPECT_THAT(e.what(), HasSubstr("larger than data_out_capacity"));
    }
    o.data_out_capacity = 0;
    // A type the kernel does not test-run.
    try {
        (void)bpfxx::test_run(lo.program("not_runnable").fd());
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot test-run programs of this type"));
    }
}

}  // namespace
