// SPDX-License-Identifier: MIT OR Apache-2.0
// tracefs discovery and event-id lookup on fake trees: no mount needed.
#include <bpfxx/tracefs.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using bpfxx::tracefs;
using testing::HasSubstr;

TEST(TracefsMounts, FindsEveryTracefsInOrder) {
    const char* text =
        "proc /proc proc rw,relatime 0 0\n"
        "tracefs /sys/kernel/tracing tracefs rw,nosuid,nodev,noexec,relatime 0 0\n"
        "debugfs /sys/kernel/debug debugfs rw,relatime 0 0\n"
        "nodev /mnt/other\\040trace tracefs rw 0 0\n"
        "tmpfs /tracefs tmpfs rw 0 0\n";
    auto m = tracefs::mounts_in(text);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0], "/sys/kernel/tracing");
    EXPECT_EQ(m[1], "/mnt/other trace");
}

TEST(TracefsMounts, DecodesOctalEscapes) {
    auto m = tracefs::mounts_in("nodev /a\\011b\\134c\\012d tracefs rw 0 0");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "/a\tb\\c\nd");
    // Not an escape: kept as written.
    m = tracefs::mounts_in("nodev /x\\9y\\04 tracefs rw 0 0\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "/x\\9y\\04");
}

TEST(TracefsMounts, IgnoresShortAndEmptyLinesAndMatchesTypeExactly) {
    auto m = tracefs::mounts_in("\n\ntracefs\ntracefs /only-two\n   \nnodev /t tracefsx rw 0 0\nnodev  /spaced\ttracefs rw 0 0");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "/spaced");
    EXPECT_TRUE(tracefs::mounts_in("").empty());
}

TEST(TracefsId, ParsesDecimalWithNewline) {
    EXPECT_EQ(tracefs::parse_id("309\n"), 309u);
    EXPECT_EQ(tracefs::parse_id("0"), 0u);
    EXPECT_EQ(tracefs::parse_id("4294967295\n"), 4294967295u);
    EXPECT_EQ(tracefs::parse_id("12 \r\n"), 12u);
}

TEST(TracefsId, RejectsAnythingElse) {
    EXPECT_EQ(tracefs::parse_id(""), std::nullopt);
    EXPECT_EQ(tracefs::parse_id("\n"), std::nullopt);
    EXPECT_EQ(tracefs::parse_id("4294967296"), std::nullopt);
    EXPECT_EQ(tracefs::parse_id("99999999999"), std::nullopt);
    EXPECT_EQ(tracefs::parse_id("-1"), std::nullopt);
    EXPECT_EQ(tracefs::parse_id("0x10"), std::nullopt);
    EXPECT_EQ(tracefs::parse_id(" 5"), std::nullopt);
    EXPECT_EQ(tracefs::parse_id("5 6"), std::nullopt);
}

class FakeTracefs : public testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/bpfxx-tracefs-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    static void write(const fs::path& p, const std::string& text) {
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    void make_event(const fs::path& root, const std::string& category, const std::string& name,
                    const std::string& id) {
        write(root / "events" / category / name / "id", id);
    }
    fs::path dir_;
};

TEST_F(FakeTracefs, ReadsEventIds) {
    make_event(dir_, "syscalls", "sys_enter_getpid", "309\n");
    make_event(dir_, "sched", "sched_switch", "7\n");
    auto t = tracefs::at(dir_);
    EXPECT_EQ(t.root(), dir_);
    EXPECT_EQ(t.tracepoint_id("syscalls", "sys_enter_getpid"), 309u);
    EXPECT_EQ(t.tracepoint_id("sched", "sched_switch"), 7u);
    EXPECT_TRUE(t.has_tracepoint("sched", "sched_switch"));
    EXPECT_FALSE(t.has_tracepoint("sched", "sched_wakeup"));
    EXPECT_FALSE(t.has_tracepoint("..", "sched"));
    EXPECT_EQ(t.event_dir("sched", "sched_switch"), dir_ / "events" / "sched" / "sched_switch");
}

TEST_F(FakeTracefs, MissingEventNamesTheDirectorySearched) {
    make_event(dir_, "sched", "sched_switch", "7\n");
    auto t = tracefs::at(dir_);
    try {
        (void)t.tracepoint_id("sched", "nope");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("tracepoint sched/nope does not exist"));
        EXPECT_THAT(e.what(), HasSubstr((dir_ / "events" / "sched" / "nope" / "id").string()));
        EXPECT_THAT(e.what(), HasSubstr("are the directories in " + (dir_ / "events" / "sched").string()));
    }
    try {
        (void)t.tracepoint_id("nope", "nope");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("tracepoint nope/nope does not exist: there is no category \"nope\" in " +
                                        (dir_ / "events").string()));
    }
    try {
        (void)t.tracepoint_id("syscalls", "sys_enter_getpid");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("CONFIG_FTRACE_SYSCALLS"));
    }
}

TEST_F(FakeTracefs, RejectsNamesThatAreNotOnePathComponent) {
    make_event(dir_, "sched", "sched_switch", "7\n");
    auto t = tracefs::at(dir_);
    for (auto [c, n] : {std::pair{"", "x"}, {"x", ""}, {"..", "events"}, {"sched/..", "x"}, {".", "x"}}) {
        try {
            (void)t.tracepoint_id(c, n);
            FAIL() << c << "/" << n;
        } catch (const bpfxx::error& e) {
            EXPECT_EQ(e.code(), EINVAL);
            EXPECT_THAT(e.what(), HasSubstr("invalid tracepoint name"));
        }
    }
}

TEST_F(FakeTracefs, GarbageIdFileIsReported) {
    make_event(dir_, "sched", "bad", "not a number\n");
    auto t = tracefs::at(dir_);
    try {
        (void)t.tracepoint_id("sched", "bad");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_THAT(e.what(), HasSubstr("unexpected content in " + (dir_ / "events/sched/bad/id").string()));
    }
}

// Only a missing file means a missing tracepoint: any other failure to
// read the id is reported as what it is (it said "does not exist" before).
TEST_F(FakeTracefs, UnreadableIdIsNotAMissingTracepoint) {
    fs::create_directories(dir_ / "events/sched/odd/id");  // a directory where the id file should be
    auto t = tracefs::at(dir_);
    try {
        (void)t.tracepoint_id("sched", "odd");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EISDIR);
        EXPECT_THAT(e.what(), HasSubstr("cannot read the id of tracepoint sched/odd from " +
                                        (dir_ / "events/sched/odd/id").string() + ": Is a directory (errno 21)"));
        EXPECT_THAT(e.what(), testing::Not(HasSubstr("does not exist")));
    }
}

TEST_F(FakeTracefs, RootWithoutEventsGivesTheMountCommand) {
    try {
        (void)tracefs::at(dir_);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_EQ(std::string(e.what()), "no tracefs at " + dir_.string() +
                                             " (it has no events/ directory); mount it as root: "
                                             "mount -t tracefs nodev " + dir_.string());
    }
}

TEST_F(FakeTracefs, FindTriesCandidatesThenProcMounts) {
    auto empty1 = dir_ / "tracing";        // like an unmounted /sys/kernel/tracing
    auto empty2 = dir_ / "debug-tracing";
    auto mounted = dir_ / "elsewhere";
    fs::create_directories(empty1);
    fs::create_directories(empty2);
    make_event(mounted, "sched", "sched_switch", "7\n");
    auto mounts = dir_ / "mounts";
    write(mounts, "proc /proc proc rw 0 0\n"
                  "nodev " + (dir_ / "gone").string() + " tracefs rw 0 0\n"
                  "nodev " + mounted.string() + " tracefs rw 0 0\n");

    auto t = tracefs::find_in(mounts, {empty1, empty2});
    EXPECT_EQ(t.root(), mounted);
    EXPECT_EQ(t.tracepoint_id("sched", "sched_switch"), 7u);

    // A usable candidate wins over /proc/mounts.
    make_event(empty2, "sched", "sched_switch", "8\n");
    EXPECT_EQ(tracefs::find_in(mounts, {empty1, empty2}).root(), empty2);
}

TEST_F(FakeTracefs, NothingMountedGivesTheMountCommand) {
    auto empty = dir_ / "tracing";
    fs::create_directories(empty);
    auto mounts = dir_ / "mounts";
    write(mounts, "proc /proc proc rw 0 0\n");
    try {
        (void)tracefs::find_in(mounts, {empty});
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("tracefs is not mounted (looked in " + empty.string() +
                                        ", and the tracefs entries of " + mounts.string() + ")"));
        EXPECT_THAT(e.what(), HasSubstr("mount it as root: mount -t tracefs nodev /sys/kernel/tracing"));
    }
    // An unreadable /proc/mounts is the same situation.
    EXPECT_THROW((void)tracefs::find_in(dir_ / "no-such-file", {empty}), bpfxx::error);
}

}  // namespace
