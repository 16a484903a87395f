// SPDX-License-Identifier: MIT OR Apache-2.0
// Probes on the running kernel: uprobes and uretprobes on a function of
// this test binary (arguments, return value, by symbol and by offset, one
// process or all, with a cookie), a uprobe on libc attached from its
// section name, kprobes and kretprobes (where the kernel has the kprobe
// PMU: the qemu kernels; the host's refusal is checked instead), fentry
// and fexit (the qemu kernels; the host's sandbox refuses them, and the
// message must say that no capability is missing), and a perf_event
// program on the software cpu-clock of every CPU. Nothing
// survives a test: descriptors are counted.
#include <bpfxx/attach.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/binary.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include "../bpf/probes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// The probed function: not inlined, not folded, called through a volatile
// pointer so the compiler keeps every call.
extern "C" [[gnu::noinline]] long bpfxx_probe_target(long a, long b) {
    asm volatile("" ::: "memory");
    return a * 3 + b;
}

extern "C" [[gnu::noinline]] long bpfxx_sleepable_probe_target(const void* p) {
    asm volatile("" : : "r"(p) : "memory");
    return 0;
}

extern "C" [[gnu::noinline]] long bpfxx_probe_target_two(long a) {
    asm volatile("" ::: "memory");
    return a + 2;
}

namespace {

using bpfxx::u32;
using bpfxx::u64;
using testing::HasSubstr;

using probes::hit;
using namespace probes;  // the slots

long (*volatile target)(long, long) = &bpfxx_probe_target;
long (*volatile target_two)(long) = &bpfxx_probe_target_two;
long (*volatile target_buffer)(const void*) = &bpfxx_sleepable_probe_target;

std::size_t count_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

class Probe : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_PERFMON) to load programs";
        fds_ = count_fds();
    }
    void TearDown() override {
        if (!IsSkipped()) {
            EXPECT_EQ(count_fds(), fds_) << "a descriptor survived the test";
        }
    }

    // The probe programs named, loaded with this process as the target.
    bpfxx::loaded_object load(std::vector<std::string> programs) {
        return bpfxx::loaded_object::load(
            bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/probes.bpf.o"),
            bpfxx::load_options()
                .only_programs(std::move(programs))
                .set_global("target_tgid", static_cast<u32>(::getpid())));
    }
    static hit read(const bpfxx::loaded_object& lo, slot s) {
        auto hits = bpfxx::array_map<hit>::open(lo.map("hits").fd());
        auto h = hits.lookup(s);
        return h ? *h : hit{};
    }

    std::size_t fds_ = 0;
};

TEST_F(Probe, UprobeSeesArgumentsAndUretprobeTheReturnValue) {
    auto lo = load({"on_entry", "on_exit"});
    bpfxx::uprobe_options o;
    o.binary = "/proc/self/exe";
    o.function = "bpfxx_probe_target";
    o.pid = ::getpid();
    auto entry_link = bpfxx::attach_uprobe(lo.program("on_entry").fd(), o);
    EXPECT_THAT(entry_link.description(), HasSubstr("uprobe /proc/self/exe:bpfxx_probe_target (file offset 0x"));
    EXPECT_THAT(entry_link.description(), HasSubstr(") in pid "));
    o.retprobe = true;
    auto exit_link = bpfxx::attach_uprobe(lo.program("on_exit").fd(), o);
    EXPECT_THAT(exit_link.description(), HasSubstr("uretprobe /proc/self/exe:bpfxx_probe_target"));
    for (int i = 0; i < 5; ++i) EXPECT_EQ(target(7, 11 + i), 21 + 11 + i);
    auto in = read(lo, entry);
    EXPECT_EQ(in.calls, 5u);
    EXPECT_EQ(in.arg0, 7u);
    EXPECT_EQ(in.arg1, 15u);
    auto out = read(lo, probes::exit);
    EXPECT_EQ(out.calls, 5u);
    EXPECT_EQ(out.ret, 36u);
    // Detached: the calls go unseen.
    entry_link.detach();
    exit_link = {};
    (void)target(1, 2);
    EXPECT_EQ(read(lo, entry).calls, 5u);
    EXPECT_EQ(read(lo, probes::exit).calls, 5u);
}

TEST_F(Probe, UprobeByFileOffsetInEveryProcess) {
    auto lo = load({"on_entry"});
    auto bytes = bpfxx::detail::read_file("/proc/self/exe");
    const auto offset = bpfxx::elf::binary(bytes, "/proc/self/exe").function("bpfxx_probe_target").file_offset;
    bpfxx::uprobe_options o;
    o.binary = "/proc/self/exe";
    o.offset = offset;  // no function: the file offset itself
    auto link = bpfxx::attach_uprobe(lo.program("on_entry").fd(), o);
    EXPECT_THAT(link.description(), testing::EndsWith(bpfxx::detail::hex(offset)));
    for (int i = 0; i < 3; ++i) (void)target(2, 3);
    EXPECT_EQ(read(lo, entry).calls, 3u);
    EXPECT_EQ(read(lo, entry).arg1, 3u);
}

TEST_F(Probe, UprobeCookieReachesTheProgram) {
    if (bpfxx::features::perf_link() != bpfxx::features::answer::yes)
        GTEST_SKIP() << "BPF cookies on probes need BPF perf links (Linux 5.15)";
    auto lo = load({"on_cookie"});
    bpfxx::uprobe_options o;
    o.binary = "/proc/self/exe";
    o.function = "bpfxx_probe_target";
    o.pid = ::getpid();
    o.cookie = 0xc0ffee;
    auto link = bpfxx::attach_uprobe(lo.program("on_cookie").fd(), o);
    EXPECT_EQ(link.kind(), bpfxx::link_kind::bpf_link);
    (void)target(1, 1);
    EXPECT_EQ(read(lo, cookie).calls, 1u);
    EXPECT_EQ(read(lo, cookie).cookie, 0xc0ffeeu);
}

TEST_F(Probe, UprobeOnLibcAttachesFromItsSectionName) {
    auto lo = load({"on_getpid"});
    const auto& p = lo.program("on_getpid");
    ASSERT_TRUE(p.auto_attachable());
    auto link = bpfxx::attach(p);
    EXPECT_THAT(link.description(), HasSubstr("libc.so.6:getpid"));
    for (int i = 0; i < 4; ++i) (void)::getpid();
    EXPECT_GE(read(lo, libc).calls, 4u);
    EXPECT_NE(read(lo, libc).cookie, 0u) << "the program saw no instruction pointer";
}

TEST_F(Probe, UprobeErrorsSayWhatIsWrong) {
    auto lo = load({"on_entry"});
    const int fd = lo.program("on_entry").fd();
    bpfxx::uprobe_options o;
    o.binary = "/proc/self/exe";
    o.function = "no_such_function";
    try {
        (void)bpfxx::attach_uprobe(fd, o);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot read binary '/proc/self/exe': it defines no function 'no_such_function'"));
    }
    o.binary = "libno-such-library.so.1";
    try {
        (void)bpfxx::attach_uprobe(fd, o);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot find library 'libno-such-library.so.1'"));
    }
    // A section that names no binary.
    auto bad = bpfxx::loaded_object::load(
        bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/probes.bpf.o"),
        bpfxx::load_options().only_programs({"on_entry"}).set_attach_target("on_entry", "justafunction"));
    try {
        (void)bpfxx::attach(bad.program("on_entry"));
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("uprobe/<binary>:<function>[+<offset>]"));
    }
}

// uprobe.multi: one link, a probe per function matched, a cookie each.
TEST_F(Probe, UprobeMultiByPatternWithCookies) {
    std::optional<bpfxx::loaded_object> lo;
    try {
        lo.emplace(load({"on_multi"}));
    } catch (const bpfxx::error& e) {
        GTEST_SKIP() << "the kernel refuses uprobe.multi programs (Linux 6.6): " << e.what();
    }
    bpfxx::uprobe_multi_options o;
    o.binary = "/proc/self/exe";
    o.functions = {"bpfxx_probe_target", "bpfxx_probe_target_two"};
    o.cookies = {100, 200};
    o.pid = ::getpid();
    std::optional<bpfxx::link_handle> first;
    try {
        first.emplace(bpfxx::attach_uprobe_multi(lo->program("on_multi").fd(), o));
    } catch (const bpfxx::error& e) {
        if (e.code() == EINVAL || e.code() == EOPNOTSUPP || e.code() == 524)
            GTEST_SKIP() << "this kernel has no uprobe.multi links (Linux 6.6): " << e.what();
        throw;
    }
    auto link = std::move(*first);
    EXPECT_THAT(link.description(), HasSubstr("uprobe.multi /proc/self/exe (2 functions) in pid"));
    (void)target(5, 6);
    EXPECT_EQ(read(*lo, multi).cookie, 100u);
    EXPECT_EQ(read(*lo, multi).arg0, 5u);
    (void)target_two(9);
    EXPECT_EQ(read(*lo, multi).cookie, 200u);
    EXPECT_EQ(read(*lo, multi).arg0, 9u);
    EXPECT_EQ(read(*lo, multi).calls, 2u);
    link = {};
    // A pattern: both functions, found in .symtab.
    o.functions = {"bpfxx_probe_targ*"};
    o.cookies.clear();
    link = bpfxx::attach_uprobe_multi(lo->program("on_multi").fd(), o);
    EXPECT_THAT(link.description(), HasSubstr("(2 functions)"));
    (void)target(1, 1);
    (void)target_two(1);
    EXPECT_EQ(read(*lo, multi).calls, 4u);
    // Counts that do not add up, a pattern that matches nothing.
    o.cookies = {1};
    EXPECT_THROW((void)bpfxx::attach_uprobe_multi(lo->program("on_multi").fd(), o), bpfxx::error);
    o.cookies.clear();
    o.functions = {"nothing_is_called_like_this*"};
    try {
        (void)bpfxx::attach_uprobe_multi(lo->program("on_multi").fd(), o);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("no function matches 'nothing_is_called_like_this*'"));
    }
}

// kprobe.multi (fprobe: Linux 5.18, needs no kprobes): from the section name.
TEST_F(Probe, KprobeMultiFromItsSectionName) {
    std::optional<bpfxx::loaded_object> lo;
    try {
        lo.emplace(load({"on_kernel_multi"}));
    } catch (const bpfxx::error& e) {
        GTEST_SKIP() << "the kernel refuses kprobe.multi programs (Linux 5.18): " << e.what();
    }
    std::optional<bpfxx::link_handle> link;
    try {
        link.emplace(bpfxx::attach(lo->program("on_kernel_multi")));
    } catch (const bpfxx::error& e) {
        if (e.code() == EOPNOTSUPP || e.code() == 524 || e.code() == EINVAL)
            GTEST_SKIP() << "this kernel has no kprobe.multi links (CONFIG_FPROBE): " << e.what();
        throw;
    }
    EXPECT_EQ(link->description(), "kprobe.multi do_sys_openat2 (1 function)");
    int f = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(f, 0);
    ::close(f);
    EXPECT_GE(read(*lo, kernel_multi).calls, 1u);
    EXPECT_EQ(static_cast<std::int64_t>(read(*lo, kernel_multi).arg0), -100);
}

// uprobe.s: copy_from_user may fault a page in, probe_read_user may not.
TEST_F(Probe, SleepableUprobeReadsAPageNotYetFaultedIn) {
    std::optional<bpfxx::loaded_object> lo;
    try {
        lo.emplace(load({"on_entry_sleepable"}));
    } catch (const bpfxx::error& e) {
        GTEST_SKIP() << "the kernel refuses sleepable uprobes: " << e.what();
    }
    bpfxx::uprobe_options o;
    o.binary = "/proc/self/exe";
    o.function = "bpfxx_sleepable_probe_target";
    o.pid = ::getpid();
    auto link = bpfxx::attach_uprobe(lo->program("on_entry_sleepable").fd(), o);
    // The first page of this executable, mapped and not touched: nothing in
    // the page tables until something faults it in.
    int f = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(f, 0);
    void* page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, f, 0);
    ::close(f);
    ASSERT_NE(page, MAP_FAILED);
    (void)target_buffer(page);
    u64 first = 0;
    std::memcpy(&first, page, sizeof first);  // faults it in here, after the probe
    ::munmap(page, 4096);
    EXPECT_EQ(read(*lo, sleepable).calls, 1u);
    EXPECT_EQ(read(*lo, sleepable).arg0, first) << "copy_from_user read the page";
    EXPECT_EQ(read(*lo, sleepable_unfaulted).arg0, 0u) << "probe_read_user cannot fault it in";
}

bool has_kprobe_pmu() { return std::filesystem::exists("/sys/bus/event_source/devices/kprobe/type"); }

TEST_F(Probe, KprobeAndKretprobeFromTheirSectionNames) {
    if (!has_kprobe_pmu()) GTEST_SKIP() << "this kernel has no kprobe PMU (CONFIG_KPROBES off)";
    auto lo = load({"on_openat", "on_openat_return"});
    auto in = bpfxx::attach(lo.program("on_openat"));
    auto out = bpfxx::attach(lo.program("on_openat_return"));
    EXPECT_EQ(in.description(), "kprobe do_sys_openat2");
    EXPECT_EQ(out.description(), "kretprobe do_sys_openat2");
    int f = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(f, 0);
    ::close(f);
    EXPECT_GE(read(lo, kernel_entry).calls, 1u);
    EXPECT_EQ(static_cast<std::int64_t>(read(lo, kernel_entry).arg0), -100) << "dfd is AT_FDCWD";
    EXPECT_GE(read(lo, kernel_exit).calls, 1u);
}

TEST_F(Probe, KsyscallReadsTheSystemCallsArguments) {
    if (!has_kprobe_pmu()) GTEST_SKIP() << "this kernel has no kprobe PMU (CONFIG_KPROBES off)";
    auto lo = load({"on_getpriority", "on_getpriority_return"});
    auto in = bpfxx::attach(lo.program("on_getpriority"));
    auto out = bpfxx::attach(lo.program("on_getpriority_return"));
    EXPECT_THAT(in.description(), testing::MatchesRegex("kprobe .*sys_getpriority"));
    EXPECT_THAT(out.description(), testing::MatchesRegex("kretprobe .*sys_getpriority"));
    constexpr long nobody = 0x7ffffff0;  // no such process
    EXPECT_EQ(::syscall(SYS_getpriority, PRIO_PROCESS, nobody), -1);
    EXPECT_EQ(errno, ESRCH);
    EXPECT_EQ(read(lo, syscall_entry).calls, 1u);
    EXPECT_EQ(read(lo, syscall_entry).arg0, static_cast<u64>(PRIO_PROCESS));
    EXPECT_EQ(read(lo, syscall_entry).arg1, static_cast<u64>(nobody));
    EXPECT_EQ(static_cast<std::int64_t>(read(lo, syscall_exit).ret), -ESRCH);
}

TEST_F(Probe, LsmProgramRefusesFileOpens) {
    std::optional<bpfxx::loaded_object> lo;
    try {
        lo.emplace(load({"deny_open"}));
    } catch (const bpfxx::error& e) {
        GTEST_SKIP() << "this kernel refuses LSM programs: " << e.what();
    }
    std::optional<bpfxx::link_handle> link;
    try {
        link.emplace(bpfxx::attach(lo->program("deny_open")));
    } catch (const bpfxx::error& e) {
        GTEST_SKIP() << "this kernel cannot attach LSM programs (is \"bpf\" in /sys/kernel/security/lsm?): "
                     << e.what();
    }
    auto deny = bpfxx::array_map<u32>::open(lo->map("deny").fd());
    auto try_open = [] {
        int f = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        int e = f < 0 ? errno : 0;
        if (f >= 0) ::close(f);
        return e;
    };
    EXPECT_EQ(try_open(), 0);
    ASSERT_TRUE(deny.update(0, 1u));
    const int refused = try_open();
    ASSERT_TRUE(deny.update(0, 0u));
    EXPECT_EQ(refused, EPERM) << "the LSM program did not refuse the open";
    EXPECT_EQ(read(*lo, lsm).calls, 1u);
    EXPECT_EQ(try_open(), 0);
    // Detached: nothing refuses any more, even armed.
    link.reset();
    ASSERT_TRUE(deny.update(0, 1u));
    EXPECT_EQ(try_open(), 0);
}

TEST_F(Probe, KprobeWithoutThePmuSaysWhatIsMissing) {
    if (has_kprobe_pmu()) GTEST_SKIP() << "this kernel has kprobes (the refusal is for kernels without)";
    auto lo = load({"on_openat"});
    try {
        (void)bpfxx::attach(lo.program("on_openat"));
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("to kprobe do_sys_openat2"));
        EXPECT_THAT(e.what(), HasSubstr("this kernel has no kprobe perf PMU (Linux 4.17, CONFIG_KPROBES)"));
    }
}

TEST_F(Probe, FentryAndFexitSeeArgumentsAndReturnValue) {
    std::optional<bpfxx::loaded_object> lo;
    try {
        lo.emplace(load({"on_fentry", "on_fexit"}));
    } catch (const bpfxx::error& e) {
        if (e.code() != EPERM) throw;
        GTEST_SKIP() << "this kernel refuses fentry programs: " << e.what();
    }
    auto in = bpfxx::attach(lo->program("on_fentry"));
    auto out = bpfxx::attach(lo->program("on_fexit"));
    int f = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(f, 0);
    ::close(f);
    EXPECT_GE(read(*lo, fentry).calls, 1u);
    EXPECT_EQ(static_cast<std::int64_t>(read(*lo, fentry).arg0), -100) << "dfd is AT_FDCWD";
    EXPECT_GE(read(*lo, fexit).calls, 1u);
    EXPECT_EQ(static_cast<std::int64_t>(read(*lo, fexit).ret), f) << "fexit sees the descriptor returned";
}

// A root process refused by a policy (this host's sandbox refuses fentry)
// is told that no capability is missing.
TEST_F(Probe, RefusedFentrySaysNoCapabilityIsMissing) {
    try {
        auto lo = load({"on_fentry"});
        GTEST_SKIP() << "this kernel loads fentry programs: the refusal cannot be seen";
    } catch (const bpfxx::error& e) {
        ASSERT_EQ(e.code(), EPERM) << e.what();
        EXPECT_THAT(e.what(), HasSubstr("program 'on_fentry' (tracing, section 'fentry/do_sys_openat2')"));
        EXPECT_THAT(e.what(), HasSubstr("holds CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN, so no capability is missing"));
        EXPECT_THAT(e.what(), testing::Not(HasSubstr("needs CAP_BPF")));
    }
}

TEST_F(Probe, PerfEventOnTheSoftwareClockOfEveryCpu) {
    auto lo = load({"on_sample"});
    bpfxx::perf_event_options o;
    o.config = bpfxx::sys::perf_count_sw_cpu_clock;
    o.frequency = 1000;
    auto links = bpfxx::attach_perf_event_each_cpu(lo.program("on_sample").fd(), o);
    EXPECT_EQ(links.size(), static_cast<std::size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
    // Busy for 200 ms: about 200 samples on this CPU.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    volatile u64 spin = 0;
    while (std::chrono::steady_clock::now() < until) spin = spin + 1;
    auto h = read(lo, sample);
    EXPECT_GE(h.calls, 20u);
    EXPECT_GT(h.arg0, 0u) << "sample_period";
    links.clear();
    const auto before = read(lo, sample).calls;
    const auto later = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    while (std::chrono::steady_clock::now() < later) spin = spin + 1;
    EXPECT_EQ(read(lo, sample).calls, before) << "samples after detach";
}

TEST_F(Probe, PerfEventOptionsAreChecked) {
    auto lo = load({"on_sample"});
    const int fd = lo.program("on_sample").fd();
    bpfxx::perf_event_options o;  // neither frequency nor period
    try {
        (void)bpfxx::attach_perf_event(fd, o);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("set exactly one of frequency"));
    }
    o.type = bpfxx::perf_event_options::kind::hardware;
    o.config = bpfxx::sys::perf_count_hw_cpu_cycles;
    o.frequency = 99;
    try {
        auto link = bpfxx::attach_perf_event(fd, o);
        GTEST_SKIP() << "this machine has a hardware PMU: the refusal cannot be seen";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("to hardware perf event 0 on cpu 0"));
        EXPECT_THAT(e.what(), HasSubstr("no hardware PMU"));
    }
}

}  // namespace
