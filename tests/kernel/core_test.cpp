// SPDX-License-Identifier: MIT OR Apache-2.0
// CO-RE against the running kernel: core_task.bpf.o reads the current task
// through every kernel/bpfxx/core.hpp macro, with local minimal type
// definitions; core_task_shuffled.bpf.o is the same source with other local
// layouts and flavor names. Both must read what the kernel says: the values
// are checked against getpid()/getppid()/prctl and the kernel's own BTF,
// with the relocations applied by bpfxx (user_space) and by whoever the
// loader picks (automatic: the kernel itself from Linux 5.17 on).
// Uses only what Linux 5.10 has (raw tracepoint, mmap-able global data).
#include <bpfxx/attach.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>

#include "../bpf/core_task.hpp"

#include <gtest/gtest.h>

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace btf = bpfxx::btf;

std::string object_path(const std::string& name) { return std::string(BPFXX_TEST_OBJECTS) + "/" + name; }

const char* const vmlinux_path = "/sys/kernel/btf/vmlinux";

// The kernel's BTF, for the values the relocations must produce.
const btf::btf& kernel_btf() {
    static const btf::btf parsed = [] {
        std::ifstream in(vmlinux_path, std::ios::binary);
        std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::byte> bytes(raw.size());
        std::memcpy(bytes.data(), raw.data(), raw.size());
        return btf::btf(std::move(bytes), nullptr, btf::trusted);
    }();
    return parsed;
}

std::uint32_t kernel_struct_id(std::string_view name) {
    auto id = kernel_btf().find(name, btf::kind::struct_);
    if (!id) ADD_FAILURE() << "the kernel's BTF has no struct " << name;
    return id.value_or(0);
}

std::uint32_t kernel_member_offset(std::string_view type, std::string_view member) {
    for (const auto& m : kernel_btf().type(kernel_struct_id(type)).members())
        if (m.name == member) return m.bit_offset / 8;
    ADD_FAILURE() << "the kernel's " << type << " has no member " << member;
    return 0;
}

// /proc/self/comm without its newline: what task->comm holds (15 bytes at most).
// The parent process of `pid` as /proc says (pid 1's is 0, the idle task,
// whose own parent is itself).
long parent_of(long pid) {
    if (pid <= 0) return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    auto close = line.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    long ppid = -1;
    rest >> state >> ppid;
    return ppid;
}

std::string own_comm() {
    std::ifstream in("/proc/self/comm");
    std::string comm;
    std::getline(in, comm);
    return comm;
}

long gettid_() { return ::syscall(SYS_gettid); }

// Restores the process's child-subreaper flag when the test ends.
struct subreaper_guard {
    int old = 0;
    subreaper_guard() { ::prctl(PR_GET_CHILD_SUBREAPER, &old, 0, 0, 0); }
    ~subreaper_guard() { ::prctl(PR_SET_CHILD_SUBREAPER, old, 0, 0, 0); }
    subreaper_guard(const subreaper_guard&) = delete;
    subreaper_guard& operator=(const subreaper_guard&) = delete;
};

// One core_task object loaded and attached, its globals mapped.
class traced_object {
public:
    traced_object(const std::string& file, bpfxx::load_options::core_mode mode)
        : obj_(bpfxx::object::open(object_path(file))),
          lo_(bpfxx::loaded_object::load(obj_, bpfxx::load_options().core_relocation(mode))) {
        links_ = bpfxx::attach_all(lo_);
        result_ = global<core_task::result>("result");
        filter_ = global<core_task::filter>("filter");
    }

    [[nodiscard]] const bpfxx::object& object() const { return obj_; }
    [[nodiscard]] bool mapped() const { return result_ != nullptr && filter_ != nullptr; }
    [[nodiscard]] std::size_t links() const { return links_.size(); }

    // Traces the getppid() of thread `tid` from now on.
    void trace(pid_t tid) const {
        filter_->syscall_nr = SYS_getppid;
        filter_->tid = static_cast<std::uint32_t>(tid);
    }
    [[nodiscard]] core_task::result result() const {
        core_task::result r;
        std::memcpy(&r, result_, sizeof r);
        return r;
    }

private:
    template <class T>
    T* global(std::string_view name) {
        const auto* g = obj_.find_global(name);
        if (g == nullptr || g->size != sizeof(T)) {
            ADD_FAILURE() << obj_.name() << ": no global '" << name << "' of " << sizeof(T) << " bytes";
            return nullptr;
        }
        auto data = lo_.map(obj_.maps()[g->map_index].name).global_data();
        if (data.size() < g->offset + sizeof(T)) return nullptr;  // the kernel cannot mmap global data
        return reinterpret_cast<T*>(data.data() + g->offset);
    }

    bpfxx::object obj_;
    bpfxx::loaded_object lo_;
    std::vector<bpfxx::link_handle> links_;
    core_task::result* result_ = nullptr;
    core_task::filter* filter_ = nullptr;
};

using mode = bpfxx::load_options::core_mode;

// The object, and who relocates.
using core_param = std::tuple<const char*, mode>;

class Core : public testing::TestWithParam<core_param> {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_PERFMON) to load programs";
        if (!std::filesystem::exists(vmlinux_path))
            GTEST_SKIP() << "the kernel has no BTF at " << vmlinux_path << " (CONFIG_DEBUG_INFO_BTF=y, Linux 5.4+)";
    }

    static std::string file() { return std::get<0>(GetParam()); }
    static mode relocation() { return std::get<1>(GetParam()); }
    // The local name of task_struct in this object (a flavor in the shuffled one).
    static std::string local_task_name() {
        return file() == "core_task_shuffled.bpf.o" ? "task_struct___shuffled" : "task_struct";
    }
};

TEST_P(Core, ReadsTheRunningTaskAndTheKernelsTypes) {
    subreaper_guard guard;
    traced_object t(file(), relocation());
    ASSERT_EQ(t.links(), 1u);
    ASSERT_TRUE(t.mapped()) << "global data is not mapped into user space";

    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    t.trace(static_cast<pid_t>(gettid_()));
    const long ppid = ::syscall(SYS_getppid);
    const auto r = t.result();
    ASSERT_EQ(r.hits, 1u) << "the program did not run at this thread's getppid";

    // Memory, through relocated offsets.
    EXPECT_EQ(r.tid, gettid_());
    EXPECT_EQ(r.pid, getpid());
    EXPECT_EQ(r.ppid, ppid);
    long ancestor = getpid();
    for (int i = 0; i < 8; ++i) ancestor = parent_of(ancestor);
    EXPECT_EQ(r.ancestor8, ancestor) << "BPFXX_CORE_READ through 9 fields";
    const std::string comm = own_comm();
    EXPECT_EQ(std::string(r.comm, strnlen(r.comm, sizeof r.comm)), comm);
    EXPECT_EQ(r.comm_len, static_cast<std::int64_t>(comm.size() + 1));
    EXPECT_EQ(std::string(r.comm_raw, strnlen(r.comm_raw, sizeof r.comm_raw)), comm);
    EXPECT_EQ(r.is_child_subreaper, 1u);

    // Enums: the kernel's values, not the local ones.
    EXPECT_EQ(r.pidtype_max, 4);        // enum pid_type, unchanged since 4.19
    EXPECT_EQ(r.map_type_ringbuf, 27);  // uapi enum bpf_map_type
    EXPECT_EQ(r.pidtype_max_exists, 1u);
    EXPECT_EQ(r.missing_enumval_exists, 0u);

    // Types.
    const auto task_id = kernel_struct_id("task_struct");
    EXPECT_EQ(r.task_exists, 1u);
    EXPECT_EQ(r.missing_type_exists, 0u);
    EXPECT_EQ(r.task_size, kernel_btf().type(task_id).size());
    EXPECT_EQ(r.task_id_target, task_id);
    ASSERT_NE(t.object().btf(), nullptr);
    EXPECT_EQ(r.task_id_local, t.object().btf()->find(local_task_name(), btf::kind::struct_).value_or(~0u));
    EXPECT_EQ(r.pid_type_matches, 1u);
    EXPECT_EQ(r.mismatch_matches, 0u);

    // Fields.
    EXPECT_EQ(r.pid_exists, 1u);
    EXPECT_EQ(r.missing_field_exists, 0u);
    EXPECT_EQ(r.comm_size, 16u);
    EXPECT_EQ(r.comm_offset, kernel_member_offset("task_struct", "comm"));
    EXPECT_EQ(r.pid_size, 4u);

    // The bit field follows the kernel's state.
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
    (void)::syscall(SYS_getppid);
    const auto cleared = t.result();
    EXPECT_EQ(cleared.hits, 2u);
    EXPECT_EQ(cleared.is_child_subreaper, 0u);
    EXPECT_EQ(cleared.has_child_subreaper, r.has_child_subreaper) << "the neighbouring bit changed";
}

// A child of a subreaper: is_child_subreaper 0 and the next bit,
// has_child_subreaper, 1; its parent is this process.
TEST_P(Core, ReadsAdjacentBitFieldsOfAChild) {
    subreaper_guard guard;
    traced_object t(file(), relocation());
    ASSERT_TRUE(t.mapped()) << "global data is not mapped into user space";
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);

    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        char c = 0;
        ::close(go[1]);
        if (::read(go[0], &c, 1) != 1) _exit(1);
        (void)::syscall(SYS_getppid);
        _exit(0);
    }
    ::close(go[0]);
    t.trace(child);
    const char c = 1;
    EXPECT_EQ(::write(go[1], &c, 1), 1);
    ::close(go[1]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    const auto r = t.result();
    ASSERT_EQ(r.hits, 1u) << "the program did not run at the child's getppid";
    EXPECT_EQ(r.tid, child);
    EXPECT_EQ(r.pid, child);
    EXPECT_EQ(r.ppid, getpid());
    EXPECT_EQ(std::string(r.comm, strnlen(r.comm, sizeof r.comm)), own_comm());  // fork keeps the comm
    EXPECT_EQ(r.is_child_subreaper, 0u);
    EXPECT_EQ(r.has_child_subreaper, 1u);
}

INSTANTIATE_TEST_SUITE_P(Layouts, Core,
                         testing::Combine(testing::Values("core_task.bpf.o", "core_task_shuffled.bpf.o"),
                                          testing::Values(mode::user_space, mode::automatic)),
                         [](const testing::TestParamInfo<core_param>& info) {
                             std::string name = std::string(std::get<0>(info.param)) == "core_task.bpf.o"
                                                    ? "local"
                                                    : "shuffled";
                             return name + (std::get<1>(info.param) == mode::user_space ? "_bpfxx" : "_automatic");
                         });

}  // namespace
