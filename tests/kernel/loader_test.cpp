// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx's own loader against the running kernel: objects from C++ and C
// load (COMDAT subprograms too, which stock libbpf refuses); execsnoop's
// program delivers live exec events through the ring buffer; verifier and
// BTF rejections are clear errors; nothing leaks.
#include <bpfxx/attach.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/test_run.hpp>
#include <bpfxx/tracefs.hpp>

#include "../../examples/execsnoop/execsnoop.hpp"
#include "../unit/elf_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using testing::HasSubstr;

namespace {

std::string object_path(const std::string& name) { return std::string(BPFXX_TEST_OBJECTS) + "/" + name; }

std::size_t count_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::size_t count_bpf_mappings() {
    std::ifstream in("/proc/self/maps");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line))
        if (line.find("bpf") != std::string::npos) ++n;
    return n;
}

class Loader : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_PERFMON) to load programs";
    }
};

class LoaderWithTracefs : public Loader {
protected:
    void SetUp() override {
        Loader::SetUp();
        if (IsSkipped()) return;
        try {
            (void)bpfxx::tracefs::find();
        } catch (const bpfxx::error&) {
            ::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr);
            try {
                (void)bpfxx::tracefs::find();
            } catch (const bpfxx::error& e) {
                GTEST_SKIP() << "tracefs is not available: " << e.what();
            }
        }
    }
};

TEST_F(Loader, LoadsCxxObjectMapsAndPrograms) {
    auto obj = bpfxx::object::open(object_path("maps_cxx.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj);
    EXPECT_GT(lo.btf_fd(), 2);
    ASSERT_EQ(lo.maps().size(), 6u);
    for (const auto& m : lo.maps()) EXPECT_GT(m.fd(), 2) << m.name();
    EXPECT_EQ(lo.map("counts").type(), bpfxx::map_type::hash);
    EXPECT_EQ(lo.map("events").max_entries(), 256u * 1024u);
    ASSERT_EQ(lo.programs().size(), 2u);
    EXPECT_GT(lo.program("on_execve").fd(), 2);
    EXPECT_GT(lo.program("on_sys_enter").insn_count(), lo.program("on_sys_enter").definition().insn_count())
        << "the subprogram is appended";

    // .data holds exec_seq = 1; .rodata is frozen, so user space cannot write it.
    std::uint32_t key = 0;
    std::uint64_t seq = 0;
    bpfxx::sys::attr::map_elem e;
    e.map_fd = static_cast<std::uint32_t>(lo.map(".data").fd());
    e.key = bpfxx::sys::ptr_to_u64(&key);
    e.value = bpfxx::sys::ptr_to_u64(&seq);
    ASSERT_EQ(bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::map_lookup_elem, e), 0);
    EXPECT_EQ(seq, 1u);
    std::uint32_t uid = 5;
    e.map_fd = static_cast<std::uint32_t>(lo.map(".rodata").fd());
    e.value = bpfxx::sys::ptr_to_u64(&uid);
    EXPECT_LT(bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::map_update_elem, e), 0);
    EXPECT_EQ(errno, EPERM);
}

TEST_F(Loader, GlobalDataIsMappedIntoUserSpace) {
    auto obj = bpfxx::object::open(object_path("maps_cxx.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj, bpfxx::load_options().set_global("target_uid", std::uint32_t{77}));
    auto data = lo.map(".data").global_data();
    ASSERT_EQ(data.size(), 8u);
    std::uint64_t seq = 0;
    std::memcpy(&seq, data.data(), 8);
    EXPECT_EQ(seq, 1u);
    // A write through the mapping is what the program (and the syscall) sees.
    seq = 99;
    std::memcpy(data.data(), &seq, 8);
    std::uint32_t key = 0;
    std::uint64_t read = 0;
    bpfxx::sys::attr::map_elem e;
    e.map_fd = static_cast<std::uint32_t>(lo.map(".data").fd());
    e.key = bpfxx::sys::ptr_to_u64(&key);
    e.value = bpfxx::sys::ptr_to_u64(&read);
    ASSERT_EQ(bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::map_lookup_elem, e), 0);
    EXPECT_EQ(read, 99u);
    auto rodata = lo.map(".rodata").global_data();
    ASSERT_EQ(rodata.size(), 4u);
    std::uint32_t uid = 0;
    std::memcpy(&uid, rodata.data(), 4);
    EXPECT_EQ(uid, 77u);
    EXPECT_EQ(lo.map(".bss").global_data().size(), 8u);
    EXPECT_TRUE(lo.map("counts").global_data().empty());
}

TEST_F(Loader, SetGlobalChangesRodataBeforeLoad) {
    auto obj = bpfxx::object::open(object_path("maps_cxx.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj, bpfxx::load_options().set_global("target_uid", std::uint32_t{4242}));
    std::uint32_t key = 0, uid = 0;
    bpfxx::sys::attr::map_elem e;
    e.map_fd = static_cast<std::uint32_t>(lo.map(".rodata").fd());
    e.key = bpfxx::sys::ptr_to_u64(&key);
    e.value = bpfxx::sys::ptr_to_u64(&uid);
    ASSERT_EQ(bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::map_lookup_elem, e), 0);
    EXPECT_EQ(uid, 4242u);

    try {
        (void)bpfxx::loaded_object::load(obj, bpfxx::load_options().set_global("target_uid", std::uint64_t{1}));
        FAIL() << "a wrong-sized global was accepted";
    } catch (const bpfxx::error& err) {
        EXPECT_THAT(err.what(), HasSubstr("set_global('target_uid'): value has 8 bytes, the variable has 4"));
    }
}

// Whether the kernel knows helper `id`: the verifier names an unknown one
// ("invalid func unknown#181") before it looks at the arguments.
bool kernel_has_helper(std::int32_t id) {
    namespace op = bpfxx::op;
    const bpfxx::insn prog[] = {
        {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), 1, 0, 0, 0},
        {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), 2, 0, 0, 0},
        {static_cast<std::uint8_t>(op::jmp | op::call), 0, 0, 0, id},
        {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), 0, 0, 0, 0},
        {static_cast<std::uint8_t>(op::jmp | op::exit), 0, 0, 0, 0},
    };
    std::vector<char> log(64 * 1024);
    bpfxx::sys::attr::prog_load a;
    a.prog_type = static_cast<std::uint32_t>(bpfxx::program_type::socket_filter);
    a.insns = bpfxx::sys::ptr_to_u64(prog);
    a.insn_cnt = 5;
    a.license = bpfxx::sys::ptr_to_u64("GPL");
    a.log_level = 1;
    a.log_buf = bpfxx::sys::ptr_to_u64(log.data());
    a.log_size = static_cast<std::uint32_t>(log.size());
    auto fd = bpfxx::sys::bpf_fd(bpfxx::sys::bpf_cmd::prog_load, a);
    return fd || std::string(log.data()).find("unknown#" + std::to_string(id)) == std::string::npos;
}

TEST_F(Loader, LoadsPlainCAndEveryMapKind) {
    const bool has_bpf_loop = kernel_has_helper(181);  // api_cxx calls bpf_loop (Linux 5.17)
    for (const char* name : {"plain_c.bpf.o", "api_cxx.bpf.o", "multi.bpf.o", "legacy_maps.bpf.o"}) {
        SCOPED_TRACE(name);
        if (std::string_view(name) == "api_cxx.bpf.o" && !has_bpf_loop) {
            std::printf("skipping %s: the kernel has no bpf_loop helper (Linux 5.17)\n", name);
            continue;
        }
        auto obj = bpfxx::object::open(object_path(name));
        auto lo = bpfxx::loaded_object::load(obj);
        EXPECT_EQ(lo.programs().size(), obj.programs().size());
        EXPECT_EQ(lo.maps().size(), obj.maps().size());
    }
}

// A call clang resolved without a relocation (static .text function to
// static .text function): the callee is brought along and the program runs
// (it failed with "call to invalid destination" before).
TEST_F(Loader, FollowsCallsWithoutRelocations) {
    auto lo = bpfxx::loaded_object::load(bpfxx::object::open(object_path("static_calls.bpf.o")));
    for (bpfxx::u64 x : {1u, 5u, 9u}) {
        const std::array<bpfxx::u64, 1> args{x};
        bpfxx::test_run_options o;
        o.context = bpfxx::bytes_of(args);
        EXPECT_EQ(bpfxx::test_run(lo.program("chained_calls").fd(), o).return_value,
                  3 * x + (x > 7) + (x > 3) + 1)
            << x;
    }
}

// Stock libbpf fails on these ("bad call relo"); bpfxx links them as subprograms.
TEST_F(Loader, LoadsComdatSubprograms) {
    auto obj = bpfxx::object::open(object_path("comdat_cxx.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj);
    const auto& p = lo.program("on_sys_enter_comdat");
    EXPECT_EQ(p.insn_count(), p.definition().insn_count() + obj.subprograms()[0].insn_count() +
                                  obj.subprograms()[1].insn_count());
}

// Runs fn on a thread with a 256 KiB stack; what it threw, as text.
std::string on_small_stack(void (*fn)(std::string&)) {
    std::string result;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t t;
    struct call {
        void (*fn)(std::string&);
        std::string* out;
    } c{fn, &result};
    auto start = [](void* p) -> void* {
        auto* c = static_cast<call*>(p);
        c->fn(*c->out);
        return nullptr;
    };
    EXPECT_EQ(pthread_create(&t, &attr, start, &c), 0);
    pthread_join(t, nullptr);
    pthread_attr_destroy(&attr);
    return result;
}

// A program that reaches 45,000 subprograms in a chain: placed without
// recursion (it overflowed an 8 MiB stack before), then refused by the
// kernel, which verifies at most 256 functions, with a bpfxx::error.
TEST_F(Loader, DeepCallChainIsPlacedWithoutRecursion) {
    const auto what = on_small_stack([](std::string& out) {
        try {
            auto lo = bpfxx::loaded_object::load(bpfxx::object::parse(bpfxx_test::call_chain_object(45'000), "deep.bpf.o"));
            out = "loaded";
        } catch (const bpfxx::error& e) {
            out = e.what();
        }
    });
    EXPECT_THAT(what, HasSubstr("deep.bpf.o: "));
    EXPECT_THAT(what, HasSubstr("program 'entry'"));
}

// load() of a temporary object keeps it: the loaded object's programs and
// maps view it, and stay valid (before, this compiled and dangled).
TEST_F(Loader, LoadOfATemporaryObjectOwnsIt) {
    auto lo = bpfxx::loaded_object::load(bpfxx::object::open(object_path("maps_cxx.bpf.o")));
    auto moved = std::move(lo);
    EXPECT_EQ(moved.source().name(), "maps_cxx.bpf.o");
    EXPECT_EQ(moved.program("on_execve").section(), "tracepoint/syscalls/sys_enter_execve");
    EXPECT_EQ(moved.map("counts").definition().type, bpfxx::map_type::hash);
    EXPECT_GT(moved.program("on_execve").fd(), 2);
}

// A ring buffer of more than 2 GiB rounds up to 2^32, which max_entries (a
// u32) cannot hold: refused before the map is created (it became 0 before).
TEST_F(Loader, RingBufferAbove2GiBIsRefused) {
    bpfxx::load_options o;
    o.set_max_entries("events", (1u << 31) + 1);
    try {
        auto lo = bpfxx::loaded_object::load(bpfxx::object::open(object_path("maps_cxx.bpf.o")), o);
        FAIL() << "loaded";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("ring buffer 'events' of 2147483649 bytes: rounded up to a power of two it "
                                        "exceeds max_entries' limit of 2 GiB"));
        EXPECT_EQ(e.code(), E2BIG);
    }
}

TEST_F(Loader, VerifierRejectionCarriesLogProgramAndSourceLine) {
    auto obj = bpfxx::object::open(object_path("verifier_reject.bpf.o"));
    try {
        (void)bpfxx::loaded_object::load(obj);
        FAIL() << "the verifier accepted an unchecked map value dereference";
    } catch (const bpfxx::error& e) {
        std::string what = e.what();
        EXPECT_THAT(what, HasSubstr("program 'unchecked_lookup' (raw_tracepoint"));
        EXPECT_THAT(what, HasSubstr("rejected by the verifier"));
        EXPECT_THAT(what, HasSubstr("invalid mem access 'map_value_or_null'"));
        EXPECT_THAT(what, HasSubstr("verifier_reject.bpf.c:"));
        EXPECT_THAT(what, HasSubstr("UNCHECKED_DEREF"));
        EXPECT_EQ(e.code(), EACCES);
        EXPECT_THAT(e.details(), HasSubstr("invalid mem access 'map_value_or_null'"));
        EXPECT_THAT(e.details(), HasSubstr("processed"));  // the whole log, to its summary
    }
}

TEST_F(Loader, RejectedBtfIsAnErrorNotASilentFallback) {
    std::ifstream in(object_path("maps_cxx.bpf.o"), std::ios::binary);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(raw.size());
    std::memcpy(bytes.data(), raw.data(), raw.size());
    // Give the first PTR a name: valid BTF for bpfxx's reader, but the
    // kernel requires pointers to be anonymous.
    std::size_t ptr_at = 0;
    std::uint32_t name_off = 0;
    {
        auto probe = bpfxx::object::parse(bytes, "probe");
        const auto& b = *probe.btf();
        for (std::uint32_t id = 1; id < b.size() && ptr_at == 0; ++id)
            if (b.type(id).kind() == bpfxx::btf::kind::ptr)
                ptr_at = static_cast<std::size_t>(b.record(id).data() - bytes.data());
        auto counts = b.find("hash_map", bpfxx::btf::kind::struct_);
        ASSERT_TRUE(counts);
        name_off = b.type(*counts).name_off();
    }
    ASSERT_NE(ptr_at, 0u);
    std::memcpy(bytes.data() + ptr_at, &name_off, sizeof name_off);
    auto obj = bpfxx::object::parse(bytes, "bad_btf.bpf.o");
    try {
        (void)bpfxx::loaded_object::load(obj);
        FAIL() << "the kernel accepted a named PTR";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("bad_btf.bpf.o: the kernel rejected the object's BTF"));
        EXPECT_THAT(e.what(), HasSubstr("PTR hash_map"));
        EXPECT_THAT(e.what(), HasSubstr("Invalid name"));
        EXPECT_FALSE(e.details().empty());
    }
}

// A uniquely named copy of /bin/true, so its exec is recognisable.
struct true_copy {
    std::string path;
    std::string comm;
    true_copy() {
        comm = "bpfxx" + std::to_string(getpid() % 100000) + "t";
        path = "/tmp/" + comm;
        std::filesystem::copy_file("/bin/true", path, std::filesystem::copy_options::overwrite_existing);
        ::chmod(path.c_str(), 0755);
    }
    ~true_copy() { std::filesystem::remove(path); }
};

// Runs `path` in a child; returns the child's pid after it exited.
pid_t run_child(const std::string& path, std::vector<std::string> args) {
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(path.c_str()));
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(path.c_str(), argv.data());
        _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

std::optional<execsnoop::event> wait_for_event(bpfxx::ring_buffer& rb, pid_t pid) {
    std::optional<execsnoop::event> found;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!found && std::chrono::steady_clock::now() < deadline) {
        auto r = rb.poll_as<execsnoop::event>(std::chrono::milliseconds(100), [&](const execsnoop::event& e) {
            if (static_cast<pid_t>(e.pid) == pid) found = e;
        });
        if (!r && r.error() != EINTR) break;
    }
    return found;
}

TEST_F(LoaderWithTracefs, ExecsnoopDeliversLiveExecEvents) {
    true_copy bin;
    auto obj = bpfxx::object::open(object_path("execsnoop.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj);
    auto links = bpfxx::attach_all(lo);
    ASSERT_EQ(links.size(), 2u);
    auto rb = bpfxx::ring_buffer::open(lo.map("events").fd());

    pid_t pid = run_child(bin.path, {"first-arg", "second"});
    auto e = wait_for_event(rb, pid);
    ASSERT_TRUE(e) << "no exec event for pid " << pid;
    EXPECT_EQ(e->pid, static_cast<std::uint32_t>(pid));
    EXPECT_EQ(e->tid, static_cast<std::uint32_t>(pid));
    EXPECT_EQ(e->ppid, static_cast<std::uint32_t>(getpid()));  // CO-RE read of task->real_parent->tgid
    EXPECT_EQ(e->uid, 0u);
    EXPECT_EQ(e->retval, 0);
    EXPECT_EQ(std::string(e->comm), bin.comm);  // read at exit: the new program's name
    EXPECT_EQ(e->args_count, 3u);
    std::string args(e->args, e->args_size);
    EXPECT_EQ(args, bin.path + std::string("\0first-arg\0second\0", 18));
}

TEST_F(LoaderWithTracefs, ExecsnoopReportsFailedExecErrno) {
    true_copy bin;
    ::chmod(bin.path.c_str(), 0644);  // not executable: execve fails with EACCES
    auto obj = bpfxx::object::open(object_path("execsnoop.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj, bpfxx::load_options().set_global("failed_only", true));
    auto links = bpfxx::attach_all(lo);
    auto rb = bpfxx::ring_buffer::open(lo.map("events").fd());
    pid_t pid = run_child(bin.path, {});
    auto e = wait_for_event(rb, pid);
    ASSERT_TRUE(e) << "no event for the failed exec of pid " << pid;
    EXPECT_EQ(e->retval, -EACCES);
    EXPECT_EQ(std::string(e->args), bin.path);
}

TEST_F(LoaderWithTracefs, NothingLeaksAfterDestruction) {
    const auto fds_before = count_fds();
    const auto maps_before = count_bpf_mappings();
    {
        auto obj = bpfxx::object::open(object_path("execsnoop.bpf.o"));
        auto lo = bpfxx::loaded_object::load(obj);
        auto links = bpfxx::attach_all(lo);
        auto rb = bpfxx::ring_buffer::open(lo.map("events").fd());
        EXPECT_GT(count_fds(), fds_before);
        EXPECT_GT(count_bpf_mappings(), maps_before);
    }
    EXPECT_EQ(count_fds(), fds_before);
    EXPECT_EQ(count_bpf_mappings(), maps_before);

    // Failed loads leak nothing either.
    auto obj = bpfxx::object::open(object_path("verifier_reject.bpf.o"));
    EXPECT_THROW((void)bpfxx::loaded_object::load(obj), bpfxx::error);
    EXPECT_EQ(count_fds(), fds_before);
}

}  // namespace
