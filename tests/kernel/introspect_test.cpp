// SPDX-License-Identifier: MIT OR Apache-2.0
// What is loaded, read back from the kernel: a program's information (name,
// type, tag, sizes, maps), run statistics while they are on, the ids of
// loaded programs and links and opening them by id, and links that are
// pinned in a BPF filesystem or released to outlive their handle.
#include <bpfxx/attach.hpp>
#include <bpfxx/introspect.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/test_run.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace {

using bpfxx::u32;
using testing::Contains;
using testing::HasSubstr;
using testing::Not;

// Whether the running kernel is at least major.minor (for fields older
// kernels do not fill in).
bool kernel_at_least(int major, int minor) {
    struct utsname u {};
    if (::uname(&u) != 0) return false;
    int ma = 0, mi = 0;
    if (std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
    return ma > major || (ma == major && mi >= minor);
}

class Introspect : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_SYS_ADMIN)";
    }
    static bpfxx::loaded_object load(const char* object, std::vector<std::string> programs) {
        return bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/" + object),
                                          bpfxx::load_options().only_programs(std::move(programs)));
    }
    static u32 map_id(int fd) {
        bpfxx::sys::map_info info;
        bpfxx::sys::attr::obj_info q;
        q.bpf_fd = static_cast<u32>(fd);
        q.info_len = sizeof info;
        q.info = bpfxx::sys::ptr_to_u64(&info);
        EXPECT_EQ(bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::obj_get_info_by_fd, q), 0);
        return info.id;
    }
};

TEST_F(Introspect, ProgramInformation) {
    auto lo = load("probes.bpf.o", {"on_entry"});
    const auto& p = lo.program("on_entry");
    auto info = bpfxx::get_program_info(p.fd());
    EXPECT_GT(info.id, 0u);
    EXPECT_EQ(info.name, "on_entry");
    EXPECT_EQ(info.type, bpfxx::program_type::kprobe);
    // The verifier rewrites the instructions (helper calls inlined, dead
    // code removed): a whole number of them, not the count loaded.
    EXPECT_GT(info.translated_bytes, 0u);
    EXPECT_EQ(info.translated_bytes % 8, 0u);
    EXPECT_GT(p.insn_count(), 0u);
    EXPECT_GT(info.jited_bytes, 0u);
    EXPECT_EQ(info.tag_hex().size(), 16u);
    EXPECT_NE(info.tag_hex(), "0000000000000000");
    EXPECT_TRUE(info.gpl_compatible);
    EXPECT_GT(info.load_time.count(), 0);
    EXPECT_GT(info.btf_id, 0u);
    EXPECT_THAT(info.map_ids, Contains(map_id(lo.map("hits").fd())));
    if (kernel_at_least(5, 16)) {
        EXPECT_GT(info.verified_insns, 0u) << "Linux 5.16 and later count them";
    }
    // The same program, listed and opened by id.
    EXPECT_THAT(bpfxx::program_ids(), Contains(info.id));
    auto again = bpfxx::open_program(info.id);
    EXPECT_EQ(bpfxx::get_program_info(again.get()).tag, info.tag);
}

TEST_F(Introspect, RunStatisticsWhileOn) {
    auto lo = load("test_run.bpf.o", {"invert_first_byte"});
    const int fd = lo.program("invert_first_byte").fd();
    std::vector<std::byte> packet(64);
    {
        auto stats = bpfxx::enable_run_stats();
        (void)bpfxx::test_run(fd, {.data = packet, .repeat = 50});
        auto info = bpfxx::get_program_info(fd);
        EXPECT_GE(info.run_count, 50u);
        EXPECT_GT(info.run_time.count(), 0);
    }
    const auto counted = bpfxx::get_program_info(fd).run_count;
    (void)bpfxx::test_run(fd, {.data = packet, .repeat = 50});
    EXPECT_EQ(bpfxx::get_program_info(fd).run_count, counted) << "statistics are off again";
}

// A BPF filesystem for pins: /sys/fs/bpf, mounted when it is not.
std::string bpffs() {
    struct statfs st {};
    constexpr long bpf_fs_magic = 0xcafe4a11;
    if (::statfs("/sys/fs/bpf", &st) == 0 && st.f_type == bpf_fs_magic) return "/sys/fs/bpf";
    if (::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr) == 0) return "/sys/fs/bpf";
    return {};
}

TEST_F(Introspect, LinksListedPinnedAndReleased) {
    auto lo = load("iterators.bpf.o", {"list_tasks"});
    auto link = bpfxx::attach(lo.program("list_tasks"));
    const auto info = bpfxx::get_link_info(link.fd());
    EXPECT_EQ(info.type, 4u) << "BPF_LINK_TYPE_ITER";
    EXPECT_EQ(info.program_id, bpfxx::get_program_info(lo.program("list_tasks").fd()).id);
    EXPECT_THAT(bpfxx::link_ids(), Contains(info.id));
    EXPECT_EQ(bpfxx::get_link_info(bpfxx::open_link(info.id).get()).id, info.id);

    const auto dir = bpffs();
    if (dir.empty()) GTEST_SKIP() << "no BPF filesystem at /sys/fs/bpf and it cannot be mounted";
    const std::string path = dir + "/bpfxx-introspect-" + std::to_string(::getpid());
    link.pin(path);
    try {
        link.pin(path);
        ADD_FAILURE() << "pinned twice";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("something is pinned there already"));
    }
    link = {};  // the pin keeps it
    EXPECT_THAT(bpfxx::link_ids(), Contains(info.id));
    auto pinned = bpfxx::link_handle::from_bpf_link(bpfxx::open_pinned(path), "pinned iterator");
    EXPECT_EQ(bpfxx::get_link_info(pinned.fd()).id, info.id);
    EXPECT_FALSE(bpfxx::read_iterator(pinned).empty());
    ASSERT_EQ(::unlink(path.c_str()), 0);
    // Released: the descriptor alone keeps the link.
    auto raw = pinned.release();
    EXPECT_FALSE(pinned);
    EXPECT_THAT(bpfxx::link_ids(), Contains(info.id));
    raw.reset();
    // The kernel frees a link after its last reference, later on older
    // kernels (a deferred work item on 5.10).
    for (int i = 0; i < 100 && std::ranges::count(bpfxx::link_ids(), info.id) != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_THAT(bpfxx::link_ids(), Not(Contains(info.id)));
}

TEST_F(Introspect, ErrorsSayWhatIsWrong) {
    try {
        (void)bpfxx::open_program(0xfffffff0u);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("cannot open program 4294967280: "));
        EXPECT_THAT(e.what(), HasSubstr("no program has that id"));
    }
    try {
        (void)bpfxx::open_pinned("/sys/fs/bpf/bpfxx-nothing-here");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot open the BPF object pinned at '/sys/fs/bpf/bpfxx-nothing-here'"));
    }
    bpfxx::link_handle empty;
    try {
        empty.pin("/sys/fs/bpf/x");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot pin an empty link: only BPF links can be pinned"));
    }
    // A map is not a program.
    auto lo = load("probes.bpf.o", {"on_entry"});
    EXPECT_THROW((void)bpfxx::get_program_info(lo.map("hits").fd()), bpfxx::error);
}

}  // namespace
