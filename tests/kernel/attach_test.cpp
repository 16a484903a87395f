// SPDX-License-Identifier: MIT OR Apache-2.0
// Attach on the running kernel: tracepoint (BPF perf link and the
// PERF_EVENT_IOC_SET_BPF fallback), raw tracepoint, tp_btf through
// attach_tracing, perf events the caller keeps, and the errors a user sees.
// The programs are assembled here and loaded with raw bpf(2), so the test
// depends on nothing but the attach layer.
#include <bpfxx/attach.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/link.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/tracefs.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace op = bpfxx::op;
using bpfxx::insn;
using bpfxx::link_handle;
using bpfxx::link_kind;
using bpfxx::program_type;
using bpfxx::u32;
using bpfxx::u64;
using bpfxx::u8;
using testing::HasSubstr;
namespace sys = bpfxx::sys;

constexpr int calls = 50;

// ---- a tiny assembler --------------------------------------------------

constexpr u8 code(u8 a, u8 b, u8 c = 0) { return static_cast<u8>(a | b | c); }

struct program_text {
    std::vector<insn> insns;
    std::vector<std::size_t> jumps_to_exit;  // patched by finish()

    void add(u8 c, u8 dst, u8 src, bpfxx::s16 off, bpfxx::s32 imm) { insns.push_back(insn{c, dst, src, off, imm}); }
    void mov_imm(u8 dst, bpfxx::s32 imm) { add(code(op::alu64, op::mov, op::k), dst, 0, 0, imm); }
    void mov_reg(u8 dst, u8 src) { add(code(op::alu64, op::mov, op::x), dst, src, 0, 0); }
    void add_imm(u8 dst, bpfxx::s32 imm) { add(code(op::alu64, op::add, op::k), dst, 0, 0, imm); }
    void rsh_imm(u8 dst, bpfxx::s32 imm) { add(code(op::alu64, op::rsh, op::k), dst, 0, 0, imm); }
    void call(bpfxx::s32 helper) { add(code(op::jmp, op::call), 0, 0, 0, helper); }
    void ldx_dw(u8 dst, u8 src, bpfxx::s16 off) { add(code(op::ldx, op::mem, op::dw), dst, src, off, 0); }
    void st_w(u8 dst, bpfxx::s16 off, bpfxx::s32 imm) { add(code(op::st, op::mem, op::w), dst, 0, off, imm); }
    void stx_dw(u8 dst, u8 src, bpfxx::s16 off) { add(code(op::stx, op::mem, op::dw), dst, src, off, 0); }
    void atomic_add_dw(u8 dst, u8 src, bpfxx::s16 off) { add(code(op::stx, op::atomic, op::dw), dst, src, off, op::add); }
    void ld_map_fd(u8 dst, int map_fd) {
        add(code(op::ld, op::imm, op::dw), dst, op::pseudo_map_fd, 0, map_fd);
        add(0, 0, 0, 0, 0);
    }
    // if dst <op> imm goto exit
    void jump_to_exit(u8 jop, u8 dst, bpfxx::s32 imm) {
        jumps_to_exit.push_back(insns.size());
        add(code(op::jmp, jop, op::k), dst, 0, 0, imm);
    }
    // Keeps only the events of this process: bpf_get_current_pid_tgid() >> 32.
    void only_this_process() {
        call(14);
        rsh_imm(op::r0, 32);
        jump_to_exit(op::jne, op::r0, static_cast<bpfxx::s32>(::getpid()));
    }
    // value = map[0]; if (value) *value += 1
    void count(int map_fd) {
        st_w(op::r10, -4, 0);
        ld_map_fd(op::r1, map_fd);
        mov_reg(op::r2, op::r10);
        add_imm(op::r2, -4);
        call(1);  // bpf_map_lookup_elem
        jump_to_exit(op::jeq, op::r0, 0);
        mov_imm(op::r1, 1);
        atomic_add_dw(op::r0, op::r1, 0);
    }
    std::vector<insn> finish() {
        std::size_t exit_at = insns.size();
        mov_imm(op::r0, 0);
        add(code(op::jmp, op::exit), 0, 0, 0, 0);
        for (auto j : jumps_to_exit) insns[j].off = static_cast<bpfxx::s16>(exit_at - j - 1);
        return insns;
    }
};

// ---- raw bpf(2) helpers --------------------------------------------------

sys::fd create_counter_map() {
    sys::attr::map_create a;
    a.map_type = 2;  // BPF_MAP_TYPE_ARRAY
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = 1;
    return sys::bpf_fd(sys::bpf_cmd::map_create, a);
}

u64 read_counter(const sys::fd& map) {
    u32 key = 0;
    u64 value = ~0ull;
    sys::attr::map_elem a;
    a.map_fd = static_cast<u32>(map.get());
    a.key = sys::ptr_to_u64(&key);
    a.value = sys::ptr_to_u64(&value);
    EXPECT_EQ(sys::bpf(sys::bpf_cmd::map_lookup_elem, a), 0) << std::strerror(errno);
    return value;
}

struct loaded {
    sys::fd fd;
    std::string log;
};

loaded load(program_type type, const std::vector<insn>& prog, const char* name, u32 expected_attach_type = 0,
            u32 attach_btf_id = 0) {
    static const char license[] = "GPL";
    std::string log(1 << 16, '\0');
    sys::attr::prog_load a;
    a.prog_type = static_cast<u32>(type);
    a.insn_cnt = static_cast<u32>(prog.size());
    a.insns = sys::ptr_to_u64(prog.data());
    a.license = sys::ptr_to_u64(license);
    a.log_level = 1;
    a.log_size = static_cast<u32>(log.size());
    a.log_buf = sys::ptr_to_u64(log.data());
    std::strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
    a.expected_attach_type = expected_attach_type;
    a.attach_btf_id = attach_btf_id;
    loaded out;
    out.fd = sys::bpf_fd(sys::bpf_cmd::prog_load, a);
    int e = errno;
    log.resize(::strnlen(log.c_str(), log.size()));
    out.log = out.fd ? std::string() : bpfxx::detail::cat(std::strerror(e), "\n", log);
    return out;
}

void call_getpid(int n) {
    for (int i = 0; i < n; ++i) (void)::syscall(SYS_getpid);
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

bool cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

// Restores the test hook whatever a test does.
struct force_ioctl_path {
    explicit force_ioctl_path(bool on) { bpfxx::detail::force_perf_event_ioctl = on; }
    ~force_ioctl_path() { bpfxx::detail::force_perf_event_ioctl = false; }
    force_ioctl_path(const force_ioctl_path&) = delete;
    force_ioctl_path& operator=(const force_ioctl_path&) = delete;
};

// tracefs, mounted by the test when nobody has (left mounted: other tests
// and tools expect it where the kernel documents it).
std::optional<std::string> ensure_tracefs() {
    try {
        (void)bpfxx::tracefs::find();
        return std::nullopt;
    } catch (const bpfxx::error&) {
    }
    if (::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
        return bpfxx::detail::cat("tracefs is not mounted and mounting it on /sys/kernel/tracing failed: ",
                                  std::strerror(errno));
    try {
        (void)bpfxx::tracefs::find();
        return std::nullopt;
    } catch (const bpfxx::error& e) {
        return std::string(e.what());
    }
}

class Attach : public testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_PERFMON) to load and attach programs";
        if (auto why = ensure_tracefs()) GTEST_SKIP() << *why;
        if (!bpfxx::tracefs::find().has_tracepoint("syscalls", "sys_enter_getpid"))
            GTEST_SKIP() << "no syscalls/sys_enter_getpid tracepoint (CONFIG_FTRACE_SYSCALLS=y needed)";
        map_ = create_counter_map();
        ASSERT_TRUE(map_) << "BPF_MAP_CREATE: " << std::strerror(errno);
    }

    sys::fd tracepoint_counter() {
        program_text t;
        t.only_this_process();
        t.count(map_.get());
        auto p = load(program_type::tracepoint, t.finish(), "tp_counter");
        EXPECT_TRUE(p.fd) << p.log;
        return std::move(p.fd);
    }

    // raw_tp and tp_btf on sys_enter: ctx->args[1] is the syscall number.
    sys::fd sys_enter_counter(program_type type, u32 expected_attach_type = 0, u32 btf_id = 0) {
        program_text t;
        t.mov_reg(op::r6, op::r1);
        t.only_this_process();
        t.ldx_dw(op::r1, op::r6, 8);
        t.jump_to_exit(op::jne, op::r1, SYS_getpid);
        t.count(map_.get());
        auto p = load(type, t.finish(), "sys_enter_count", expected_attach_type, btf_id);
        EXPECT_TRUE(p.fd) << p.log;
        return std::move(p.fd);
    }

    // Counts exactly `calls` getpid calls while `l` lives and none after.
    void expect_counts_while_attached(link_handle l) {
        u64 before = read_counter(map_);
        call_getpid(calls);
        EXPECT_EQ(read_counter(map_), before + calls) << l.description();
        l.detach();
        EXPECT_FALSE(l);
        u64 after = read_counter(map_);
        call_getpid(calls);
        EXPECT_EQ(read_counter(map_), after) << "still running after detach";
    }

    sys::fd map_;
};

TEST_F(Attach, TracepointCountsWhileAttached) {
    auto prog = tracepoint_counter();
    ASSERT_TRUE(prog);
    auto l = bpfxx::attach_tracepoint(prog.get(), "syscalls", "sys_enter_getpid");
    EXPECT_EQ(l.description(), "tracepoint syscalls/sys_enter_getpid");
    if (bpfxx::features::perf_link() == bpfxx::features::answer::yes) {
        EXPECT_EQ(l.kind(), link_kind::bpf_link);
        EXPECT_NE(l.fd(), l.perf_event_fd());
    } else {
        EXPECT_EQ(l.kind(), link_kind::perf_event);
    }
    EXPECT_GE(l.fd(), 3);
    EXPECT_GE(l.perf_event_fd(), 3);
    EXPECT_TRUE(cloexec(l.fd()));
    EXPECT_TRUE(cloexec(l.perf_event_fd()));
    expect_counts_while_attached(std::move(l));
}

TEST_F(Attach, TracepointThroughTheIoctlFallback) {
    auto prog = tracepoint_counter();
    ASSERT_TRUE(prog);
    force_ioctl_path force(true);
    auto l = bpfxx::attach_tracepoint(prog.get(), "syscalls", "sys_enter_getpid");
    EXPECT_EQ(l.kind(), link_kind::perf_event);
    EXPECT_EQ(l.fd(), l.perf_event_fd());
    EXPECT_GE(l.fd(), 3);
    EXPECT_TRUE(cloexec(l.fd()));
    expect_counts_while_attached(std::move(l));
}

TEST_F(Attach, BothPathsWithAnExplicitTracefs) {
    auto prog = tracepoint_counter();
    ASSERT_TRUE(prog);
    auto tfs = bpfxx::tracefs::find();
    for (bool ioctl : {false, true}) {
        force_ioctl_path force(ioctl);
        expect_counts_while_attached(bpfxx::attach_tracepoint(prog.get(), tfs, "syscalls", "sys_enter_getpid"));
    }
}

TEST_F(Attach, PerfEventTheCallerKeepsOpen) {
    auto prog = tracepoint_counter();
    ASSERT_TRUE(prog);
    u32 id = bpfxx::tracefs::find().tracepoint_id("syscalls", "sys_enter_getpid");
    sys::perf_event_attr attr;
    attr.type = sys::perf_type_tracepoint;
    attr.config = id;
    {
        SCOPED_TRACE("default path");
        auto perf = sys::perf_event_open(attr, -1, 0);
        ASSERT_TRUE(perf) << std::strerror(errno);
        auto l = bpfxx::attach_perf_event(prog.get(), perf.get());
        EXPECT_EQ(l.description(), bpfxx::detail::cat("perf event fd ", perf.get()));
        EXPECT_NE(l.perf_event_fd(), perf.get());  // a duplicate of its own
        EXPECT_GE(l.perf_event_fd(), 3);
        EXPECT_TRUE(cloexec(l.perf_event_fd()));
        if (bpfxx::features::perf_link() == bpfxx::features::answer::yes)
            expect_counts_while_attached(std::move(l));  // the BPF link detaches on its own
        EXPECT_GE(::fcntl(perf.get(), F_GETFD), 0);  // the caller's descriptor is untouched
    }
    {
        // Nothing takes an ioctl-set program off a tracepoint event: it runs
        // until the caller's descriptor is closed as well (documented).
        SCOPED_TRACE("ioctl path");
        force_ioctl_path force(true);
        auto perf = sys::perf_event_open(attr, -1, 0);
        ASSERT_TRUE(perf) << std::strerror(errno);
        auto l = bpfxx::attach_perf_event(prog.get(), perf.get());
        EXPECT_EQ(l.kind(), link_kind::perf_event);
        u64 before = read_counter(map_);
        call_getpid(calls);
        EXPECT_EQ(read_counter(map_), before + calls);
        l.detach();
        EXPECT_GE(::fcntl(perf.get(), F_GETFD), 0);
        perf.reset();
        u64 after = read_counter(map_);
        call_getpid(calls);
        EXPECT_EQ(read_counter(map_), after) << "still running after the last descriptor closed";
    }
}

TEST_F(Attach, BpfCookieReachesTheProgram) {
    if (bpfxx::features::perf_link() != bpfxx::features::answer::yes)
        GTEST_SKIP() << "this kernel has no BPF perf links (Linux 5.15), so no cookies on perf events";
    // value = bpf_get_attach_cookie(ctx)
    program_text t;
    t.mov_reg(op::r6, op::r1);
    t.only_this_process();
    t.mov_reg(op::r1, op::r6);
    t.call(174);  // bpf_get_attach_cookie, Linux 5.15
    t.mov_reg(op::r7, op::r0);
    t.st_w(op::r10, -4, 0);
    t.ld_map_fd(op::r1, map_.get());
    t.mov_reg(op::r2, op::r10);
    t.add_imm(op::r2, -4);
    t.call(1);
    t.jump_to_exit(op::jeq, op::r0, 0);
    t.stx_dw(op::r0, op::r7, 0);
    auto p = load(program_type::tracepoint, t.finish(), "tp_cookie");
    ASSERT_TRUE(p.fd) << p.log;
    u32 id = bpfxx::tracefs::find().tracepoint_id("syscalls", "sys_enter_getpid");
    sys::perf_event_attr attr;
    attr.type = sys::perf_type_tracepoint;
    attr.config = id;
    auto perf = sys::perf_event_open(attr, -1, 0);
    ASSERT_TRUE(perf) << std::strerror(errno);
    constexpr u64 cookie = 0x1122334455667788ull;
    {
        auto l = bpfxx::attach_perf_event(p.fd.get(), std::move(perf), "getpid with a cookie", cookie);
        EXPECT_EQ(l.kind(), link_kind::bpf_link);
        call_getpid(1);
        EXPECT_EQ(read_counter(map_), cookie);
    }
    // Without perf links a cookie cannot be passed: refused, not dropped.
    force_ioctl_path force(true);
    auto perf2 = sys::perf_event_open(attr, -1, 0);
    ASSERT_TRUE(perf2);
    try {
        (void)bpfxx::attach_perf_event(p.fd.get(), std::move(perf2), "getpid with a cookie", cookie);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("a BPF cookie on a perf event needs BPF perf links (Linux 5.15)"));
    }
}

TEST_F(Attach, RawTracepointCountsWhileAttached) {
    auto prog = sys_enter_counter(program_type::raw_tracepoint);
    ASSERT_TRUE(prog);
    auto l = bpfxx::attach_raw_tracepoint(prog.get(), "sys_enter");
    EXPECT_EQ(l.kind(), link_kind::bpf_link);
    EXPECT_EQ(l.perf_event_fd(), -1);
    EXPECT_EQ(l.description(), "raw tracepoint sys_enter");
    EXPECT_GE(l.fd(), 3);
    EXPECT_TRUE(cloexec(l.fd()));
    expect_counts_while_attached(std::move(l));
}

TEST_F(Attach, TpBtfThroughAttachTracing) {
    std::ifstream in("/sys/kernel/btf/vmlinux", std::ios::binary);
    if (!in) GTEST_SKIP() << "no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF=y needed for tp_btf)";
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(raw.size());
    std::memcpy(bytes.data(), raw.data(), raw.size());
    bpfxx::btf::btf vmlinux(std::move(bytes));
    auto id = vmlinux.find("btf_trace_sys_enter", bpfxx::btf::kind::typedef_);
    if (!id) GTEST_SKIP() << "vmlinux BTF has no btf_trace_sys_enter";
    auto prog = sys_enter_counter(program_type::tracing, static_cast<u32>(bpfxx::attach_type::trace_raw_tp), *id);
    ASSERT_TRUE(prog);
    auto l = bpfxx::attach_tracing(prog.get());
    EXPECT_EQ(l.kind(), link_kind::bpf_link);
    EXPECT_EQ(l.description(), "the BTF attach point of sys_enter_count");
    expect_counts_while_attached(std::move(l));
}

TEST_F(Attach, MissingTracepointSaysSoAndWhere) {
    auto prog = tracepoint_counter();
    ASSERT_TRUE(prog);
    auto root = bpfxx::tracefs::find().root();
    try {
        (void)bpfxx::attach_tracepoint(prog.get(), "nope", "nope");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_EQ(std::string(e.what()),
                  "tracepoint nope/nope does not exist: there is no category \"nope\" in " + root + "/events" +
                      "; available_events in the same tracefs lists them all");
    }
    try {
        (void)bpfxx::attach_tracepoint(prog.get(), "syscalls", "sys_enter_nope");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("tracepoint syscalls/sys_enter_nope does not exist: no " +
                                        root + "/events/syscalls/sys_enter_nope/id"));
    }
}

TEST_F(Attach, FakeTracefsRootGivesTheMountHint) {
    auto prog = tracepoint_counter();
    ASSERT_TRUE(prog);
    char tmpl[] = "/tmp/bpfxx-fake-tracefs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    try {
        (void)bpfxx::attach_tracepoint(prog.get(), bpfxx::tracefs::at(tmpl), "syscalls", "sys_enter_getpid");
        ADD_FAILURE() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr(std::string("mount -t tracefs nodev ") + tmpl));
    }
    ::rmdir(tmpl);
}

TEST_F(Attach, WrongProgramTypeIsNamed) {
    auto raw = sys_enter_counter(program_type::raw_tracepoint);
    ASSERT_TRUE(raw);
    for (bool ioctl : {false, true}) {
        force_ioctl_path force(ioctl);
        try {
            (void)bpfxx::attach_tracepoint(raw.get(), "syscalls", "sys_enter_getpid");
            FAIL() << "no error";
        } catch (const bpfxx::error& e) {
            EXPECT_EQ(e.code(), EINVAL);
            EXPECT_THAT(e.what(), HasSubstr("cannot attach program sys_enter_count (raw_tracepoint, id "));
            EXPECT_THAT(e.what(), HasSubstr("to tracepoint syscalls/sys_enter_getpid: "));
            // Without BPF perf links (before 5.15) the ioctl path is the only one.
            bool via_link = !ioctl && bpfxx::features::perf_link() == bpfxx::features::answer::yes;
            EXPECT_THAT(e.what(), HasSubstr(via_link ? "BPF_LINK_CREATE failed: " : "PERF_EVENT_IOC_SET_BPF failed: "));
            EXPECT_THAT(e.what(), HasSubstr("; a tracepoint syscalls/sys_enter_getpid needs a program of type "
                                            "tracepoint, this one is raw_tracepoint"));
        }
    }
    auto tp = tracepoint_counter();
    ASSERT_TRUE(tp);
    try {
        (void)bpfxx::attach_raw_tracepoint(tp.get(), "sys_enter");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_THAT(e.what(), HasSubstr("cannot attach program tp_counter (tracepoint, id "));
        EXPECT_THAT(e.what(), HasSubstr("BPF_RAW_TRACEPOINT_OPEN failed: Invalid argument (errno 22); a raw "
                                        "tracepoint needs a program of type raw_tracepoint, this one is tracepoint"));
    }
    try {
        (void)bpfxx::attach_tracing(tp.get());
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_THAT(e.what(), HasSubstr("attach_tracing needs a program of type tracing"));
        EXPECT_THAT(e.what(), HasSubstr("this one is tracepoint"));
    }
}

TEST_F(Attach, MissingRawTracepoint) {
    auto prog = sys_enter_counter(program_type::raw_tracepoint);
    ASSERT_TRUE(prog);
    try {
        (void)bpfxx::attach_raw_tracepoint(prog.get(), "no_such_tracepoint");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("to raw tracepoint no_such_tracepoint: BPF_RAW_TRACEPOINT_OPEN failed: "));
        EXPECT_THAT(e.what(), HasSubstr("the kernel has no tracepoint named \"no_such_tracepoint\""));
    }
}

TEST_F(Attach, NotAProgram) {
    try {
        (void)bpfxx::attach_raw_tracepoint(map_.get(), "sys_enter");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr(bpfxx::detail::cat("cannot attach fd ", map_.get(),
                                                           " (anon_inode:bpf-map, not a BPF program) to raw "
                                                           "tracepoint sys_enter: BPF_RAW_TRACEPOINT_OPEN failed: ")));
    }
}

TEST_F(Attach, NoDescriptorLeaks) {
    // The same program twice on one tracepoint is EEXIST: c gets its own.
    auto tp = tracepoint_counter();
    auto tp2 = tracepoint_counter();
    auto raw = sys_enter_counter(program_type::raw_tracepoint);
    ASSERT_TRUE(tp);
    ASSERT_TRUE(tp2);
    ASSERT_TRUE(raw);
    (void)bpfxx::features::perf_link();
    const auto before = open_fd_count();
    for (int round = 0; round < 3; ++round) {
        {
            auto a = bpfxx::attach_tracepoint(tp.get(), "syscalls", "sys_enter_getpid");
            auto b = bpfxx::attach_raw_tracepoint(raw.get(), "sys_enter");
            force_ioctl_path force(true);
            auto c = bpfxx::attach_tracepoint(tp2.get(), "syscalls", "sys_enter_getpid");
            EXPECT_GT(open_fd_count(), before);
            link_handle moved = std::move(c);
        }
        // Failures release what they opened too.
        EXPECT_THROW((void)bpfxx::attach_tracepoint(raw.get(), "syscalls", "sys_enter_getpid"), bpfxx::error);
        EXPECT_THROW((void)bpfxx::attach_tracepoint(tp.get(), "nope", "nope"), bpfxx::error);
        EXPECT_THROW((void)bpfxx::attach_raw_tracepoint(tp.get(), "sys_enter"), bpfxx::error);
        EXPECT_EQ(open_fd_count(), before) << "round " << round;
    }
}

TEST_F(Attach, SameProgramTwiceOnOneTracepoint) {
    auto tp = tracepoint_counter();
    ASSERT_TRUE(tp);
    auto first = bpfxx::attach_tracepoint(tp.get(), "syscalls", "sys_enter_getpid");
    try {
        (void)bpfxx::attach_tracepoint(tp.get(), "syscalls", "sys_enter_getpid");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EEXIST);
        EXPECT_THAT(e.what(), HasSubstr("this program is already attached to the same tracepoint or probe"));
    }
}

// Without privilege the tracepoint paths say which capabilities they need.
// (Since Linux 6.5 BPF_RAW_TRACEPOINT_OPEN needs no capability from the
// holder of a program fd, so the raw tracepoint path is not checked here.)
TEST_F(Attach, UnprivilegedGetsTheCapabilityHint) {
    auto tp = tracepoint_counter();
    ASSERT_TRUE(tp);
    // A tracefs look-alike that the unprivileged child can read, holding the
    // real id, so its attempt gets as far as perf_event_open.
    char tmpl[] = "/tmp/bpfxx-open-tracefs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    fs::path open_root = tmpl;
    fs::create_directories(open_root / "events/syscalls/sys_enter_getpid");
    std::ofstream(open_root / "events/syscalls/sys_enter_getpid/id")
        << bpfxx::tracefs::find().tracepoint_id("syscalls", "sys_enter_getpid") << "\n";
    for (auto& p : fs::recursive_directory_iterator(open_root))
        fs::permissions(p.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
    fs::permissions(open_root, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);

    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(p[0]);
        std::string out;
        if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
            out = "setresuid failed\n";
        } else {
            auto attempt = [&](auto f) {
                try {
                    f();
                    out += "attached\n";
                } catch (const bpfxx::error& e) {
                    out += bpfxx::detail::cat(e.code(), " ", e.what(), "\n");
                }
            };
            attempt([&] { (void)bpfxx::attach_tracepoint(tp.get(), "syscalls", "sys_enter_getpid"); });
            attempt([&] {
                (void)bpfxx::attach_tracepoint(tp.get(), bpfxx::tracefs::at(tmpl), "syscalls", "sys_enter_getpid");
            });
        }
        (void)!::write(p[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(p[1]);
    std::string got;
    char buf[1024];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    fs::remove_all(open_root);
    auto nl = got.find('\n');
    ASSERT_NE(nl, std::string::npos) << got;
    auto first = got.substr(0, nl), second = got.substr(nl + 1);
    // The real tracefs is root's alone.
    EXPECT_THAT(first, HasSubstr("13 cannot access tracefs at "));
    EXPECT_THAT(first, HasSubstr("reading tracepoint ids needs root"));
    EXPECT_THAT(first, HasSubstr("attaching needs CAP_BPF and CAP_PERFMON (or root)"));
    // perf_event_open of a system-wide tracepoint event needs CAP_PERFMON.
    EXPECT_THAT(second, HasSubstr("to tracepoint syscalls/sys_enter_getpid: perf_event_open failed: "));
    EXPECT_THAT(second, HasSubstr("; attaching needs CAP_BPF and CAP_PERFMON (or root)"));
}

}  // namespace
