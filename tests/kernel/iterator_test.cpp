// SPDX-License-Identifier: MIT OR Apache-2.0
// Iterator programs on the running kernel: a task iterator's records list
// this process and its threads (and, limited to one pid, only them: Linux
// 6.1), a BPF map iterator's text lists a map this test created; both
// attached from their section names, run as often as read.
#include <bpfxx/attach.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map.hpp>
#include <bpfxx/object.hpp>

#include "../bpf/iterators.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using testing::HasSubstr;

class Iterator : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_PERFMON) to load programs";
    }
    static bpfxx::loaded_object load(std::vector<std::string> programs) {
        return bpfxx::loaded_object::load(
            bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/iterators.bpf.o"),
            bpfxx::load_options().only_programs(std::move(programs)));
    }
};

TEST_F(Iterator, TaskIteratorListsThisProcess) {
    auto lo = load({"list_tasks"});
    auto link = bpfxx::attach(lo.program("list_tasks"));
    EXPECT_EQ(link.description(), "iterator list_tasks");
    auto tasks = bpfxx::read_iterator_records<iterators::task_record>(link);
    EXPECT_GT(tasks.size(), 1u);
    const int self = ::getpid();
    auto mine = std::find_if(tasks.begin(), tasks.end(), [&](const auto& t) { return t.pid == self && t.tid == self; });
    ASSERT_NE(mine, tasks.end()) << "this process is not among " << tasks.size() << " tasks";
    char comm[16] = {};
    ::pthread_getname_np(::pthread_self(), comm, sizeof comm);
    EXPECT_STREQ(mine->comm, comm);
    // Each read runs the walk again.
    EXPECT_FALSE(bpfxx::read_iterator(link).empty());
}

TEST_F(Iterator, TaskIteratorOfOnePid) {
    auto lo = load({"list_tasks"});
    std::optional<bpfxx::link_handle> link;
    try {
        link.emplace(bpfxx::attach_iterator(lo.program("list_tasks").fd(), {.pid = ::getpid()}));
    } catch (const bpfxx::error& e) {
        if (e.code() == EINVAL || e.code() == E2BIG)
            GTEST_SKIP() << "task iterators of one pid need Linux 6.1: " << e.what();
        throw;
    }
    EXPECT_EQ(link->description(), "iterator list_tasks of pid " + std::to_string(::getpid()));
    std::thread worker([&] {
        auto tasks = bpfxx::read_iterator_records<iterators::task_record>(*link);
        ASSERT_EQ(tasks.size(), 2u) << "the main thread and this one";
        for (const auto& t : tasks) EXPECT_EQ(t.pid, ::getpid());
        EXPECT_TRUE(std::any_of(tasks.begin(), tasks.end(),
                                [](const auto& t) { return t.tid == static_cast<int>(::syscall(SYS_gettid)); }));
    });
    worker.join();
}

TEST_F(Iterator, MapIteratorPrintsText) {
    auto lo = load({"list_maps"});
    auto link = bpfxx::attach(lo.program("list_maps"));
    // A map of this test: its id must be listed.
    bpfxx::sys::attr::map_create m;
    m.map_type = static_cast<bpfxx::u32>(bpfxx::map_type::array);
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 3;
    auto map = bpfxx::sys::bpf_fd(bpfxx::sys::bpf_cmd::map_create, m);
    ASSERT_TRUE(map);
    bpfxx::sys::map_info info;
    bpfxx::sys::attr::obj_info q;
    q.bpf_fd = static_cast<bpfxx::u32>(map.get());
    q.info_len = sizeof info;
    q.info = bpfxx::sys::ptr_to_u64(&info);
    ASSERT_EQ(bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::obj_get_info_by_fd, q), 0);
    auto text = bpfxx::read_iterator_text(link);
    EXPECT_THAT(text, HasSubstr("map " + std::to_string(info.id) + " max_entries 3\n"));
    EXPECT_TRUE(text.ends_with("end\n")) << text;
}

TEST_F(Iterator, ErrorsSayWhatIsWrong) {
    auto lo = load({"list_tasks"});
    auto link = bpfxx::attach(lo.program("list_tasks"));
    // Records of the wrong size: one task (this single-threaded process),
    // 24 bytes, is no whole number of 7-byte records. (All tasks would be
    // whenever their count is a multiple of 7.) Linux 6.1.
    try {
        auto one = bpfxx::attach_iterator(lo.program("list_tasks").fd(), {.pid = ::getpid()});
        try {
            (void)bpfxx::read_iterator_records<char[7]>(one);
            ADD_FAILURE() << "no error";
        } catch (const bpfxx::error& e) {
            EXPECT_THAT(e.what(), HasSubstr("is 24 bytes, not a whole number of 7-byte records"));
        }
    } catch (const bpfxx::error& e) {
        if (e.code() != EINVAL && e.code() != E2BIG) throw;  // before 6.1: that part is not checked
    }
    // A cap smaller than the output.
    try {
        (void)bpfxx::read_iterator(link, 16);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EFBIG);
        EXPECT_THAT(e.what(), HasSubstr("larger than the 16 bytes asked for"));
    }
    // Not an iterator link.
    bpfxx::link_handle empty;
    EXPECT_THROW((void)bpfxx::read_iterator(empty), bpfxx::error);
}

}  // namespace
