// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::link_handle ownership with stand-in descriptors (pipes): what it closes,
// when, and what a move leaves behind. The kernel side is in
// tests/kernel/attach_test.cpp.
#include <bpfxx/link.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace {

using bpfxx::link_handle;
using bpfxx::link_kind;
using bpfxx::sys::fd;

bool is_open(int d) { return ::fcntl(d, F_GETFD) >= 0; }

struct pipe_pair {
    int r = -1, w = -1;
    pipe_pair() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) == 0) {
            r = p[0];
            w = p[1];
        }
    }
};

TEST(Link, EmptyByDefault) {
    link_handle l;
    EXPECT_EQ(l.kind(), link_kind::none);
    EXPECT_FALSE(l);
    EXPECT_EQ(l.fd(), -1);
    EXPECT_EQ(l.perf_event_fd(), -1);
    EXPECT_EQ(l.description(), "");
    l.detach();  // harmless
    EXPECT_STREQ(bpfxx::to_string(link_kind::bpf_link), "bpf_link");
    EXPECT_STREQ(bpfxx::to_string(link_kind::perf_event), "perf_event");
}

TEST(Link, BpfLinkOwnsBothDescriptorsAndClosesThemOnDestruction) {
    pipe_pair p;
    ASSERT_GE(p.r, 0);
    {
        auto l = link_handle::from_bpf_link(fd(p.r), "tracepoint a/b", fd(p.w));
        EXPECT_EQ(l.kind(), link_kind::bpf_link);
        EXPECT_TRUE(l);
        EXPECT_EQ(l.fd(), p.r);
        EXPECT_EQ(l.perf_event_fd(), p.w);
        EXPECT_EQ(l.description(), "tracepoint a/b");
        EXPECT_TRUE(is_open(p.r));
        EXPECT_TRUE(is_open(p.w));
    }
    EXPECT_FALSE(is_open(p.r));
    EXPECT_FALSE(is_open(p.w));
}

TEST(Link, PerfEventLinkReportsThePerfFd) {
    pipe_pair p;
    ASSERT_GE(p.r, 0);
    ::close(p.w);
    auto l = link_handle::from_perf_event(fd(p.r), "perf event fd 9");
    EXPECT_EQ(l.kind(), link_kind::perf_event);
    EXPECT_EQ(l.fd(), p.r);
    EXPECT_EQ(l.perf_event_fd(), p.r);
    // detach() disables with an ioctl first; on a pipe that fails and must
    // not stop the close.
    l.detach();
    EXPECT_FALSE(is_open(p.r));
    EXPECT_EQ(l.kind(), link_kind::none);
    EXPECT_EQ(l.fd(), -1);
}

TEST(Link, MoveTransfersAndEmptiesTheSource) {
    pipe_pair p;
    ASSERT_GE(p.r, 0);
    ::close(p.w);
    auto a = link_handle::from_bpf_link(fd(p.r), "raw tracepoint sys_enter");
    link_handle b(std::move(a));
    EXPECT_EQ(a.kind(), link_kind::none);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(a.fd(), -1);
    EXPECT_EQ(b.fd(), p.r);
    EXPECT_EQ(b.description(), "raw tracepoint sys_enter");
    a.detach();
    EXPECT_TRUE(is_open(p.r));
}

TEST(Link, MoveAssignmentDetachesWhatWasHeld) {
    pipe_pair p1, p2;
    ASSERT_GE(p1.r, 0);
    ASSERT_GE(p2.r, 0);
    ::close(p1.w);
    ::close(p2.w);
    auto a = link_handle::from_bpf_link(fd(p1.r), "first");
    auto b = link_handle::from_perf_event(fd(p2.r), "second");
    a = std::move(b);
    EXPECT_FALSE(is_open(p1.r));
    EXPECT_TRUE(is_open(p2.r));
    EXPECT_EQ(a.kind(), link_kind::perf_event);
    EXPECT_EQ(a.description(), "second");
    EXPECT_EQ(b.kind(), link_kind::none);  // NOLINT(bugprone-use-after-move)
    a = link_handle();
    EXPECT_FALSE(is_open(p2.r));
}

}  // namespace
