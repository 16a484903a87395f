// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::sys::perf_event_attr and the perf ioctls against the system's uapi
// header: same offsets, same bit for every flag, same request numbers.
#include <bpfxx/sys/perf_event.hpp>

#include <gtest/gtest.h>

#include <linux/perf_event.h>

#include <cstddef>
#include <cstring>

namespace {

using ours = bpfxx::sys::perf_event_attr;
using theirs = ::perf_event_attr;

#define BPFXX_SAME_OFFSET(f) static_assert(offsetof(ours, f) == offsetof(theirs, f), #f)
BPFXX_SAME_OFFSET(type);
BPFXX_SAME_OFFSET(size);
BPFXX_SAME_OFFSET(config);
BPFXX_SAME_OFFSET(sample_period);
BPFXX_SAME_OFFSET(sample_freq);
BPFXX_SAME_OFFSET(sample_type);
BPFXX_SAME_OFFSET(read_format);
BPFXX_SAME_OFFSET(wakeup_events);
BPFXX_SAME_OFFSET(wakeup_watermark);
BPFXX_SAME_OFFSET(bp_type);
BPFXX_SAME_OFFSET(config1);
BPFXX_SAME_OFFSET(kprobe_func);
BPFXX_SAME_OFFSET(uprobe_path);
BPFXX_SAME_OFFSET(config2);
BPFXX_SAME_OFFSET(probe_offset);
BPFXX_SAME_OFFSET(branch_sample_type);
BPFXX_SAME_OFFSET(sample_regs_user);
BPFXX_SAME_OFFSET(sample_stack_user);
BPFXX_SAME_OFFSET(clockid);
BPFXX_SAME_OFFSET(sample_regs_intr);
BPFXX_SAME_OFFSET(aux_watermark);
BPFXX_SAME_OFFSET(sample_max_stack);
BPFXX_SAME_OFFSET(aux_sample_size);
#undef BPFXX_SAME_OFFSET

static_assert(bpfxx::sys::perf_type_tracepoint == PERF_TYPE_TRACEPOINT);
static_assert(bpfxx::sys::perf_type_software == PERF_TYPE_SOFTWARE);
static_assert(bpfxx::sys::perf_count_sw_bpf_output == PERF_COUNT_SW_BPF_OUTPUT);
static_assert(bpfxx::sys::perf_sample_raw == PERF_SAMPLE_RAW);
static_assert(bpfxx::sys::perf_flag_fd_cloexec == PERF_FLAG_FD_CLOEXEC);
static_assert(bpfxx::sys::perf_event_ioc_enable == PERF_EVENT_IOC_ENABLE);
static_assert(bpfxx::sys::perf_event_ioc_disable == PERF_EVENT_IOC_DISABLE);
static_assert(bpfxx::sys::perf_event_ioc_set_bpf == PERF_EVENT_IOC_SET_BPF);
static_assert(bpfxx::sys::perf_event_ioc_set_output == PERF_EVENT_IOC_SET_OUTPUT);
static_assert(bpfxx::sys::perf_event_ioc_pause_output == PERF_EVENT_IOC_PAUSE_OUTPUT);

// The first 64 bytes (PERF_ATTR_SIZE_VER0) of ours and theirs with one
// field set the same way; size is cleared because ours defaults it.
template <class Set>
bool same_bytes(Set set) {
    ours a{};
    a.size = 0;
    theirs b{};
    set(a, b);
    return std::memcmp(&a, &b, 64) == 0;
}

#define BPFXX_SAME_BIT(f, v) \
    EXPECT_TRUE(same_bytes([](ours& a, theirs& b) { a.f = v; b.f = v; })) << #f

TEST(PerfEventAttr, EveryFlagIsTheKernelsBit) {
    BPFXX_SAME_BIT(disabled, 1);
    BPFXX_SAME_BIT(inherit, 1);
    BPFXX_SAME_BIT(pinned, 1);
    BPFXX_SAME_BIT(exclusive, 1);
    BPFXX_SAME_BIT(exclude_user, 1);
    BPFXX_SAME_BIT(exclude_kernel, 1);
    BPFXX_SAME_BIT(exclude_hv, 1);
    BPFXX_SAME_BIT(exclude_idle, 1);
    BPFXX_SAME_BIT(mmap, 1);
    BPFXX_SAME_BIT(comm, 1);
    BPFXX_SAME_BIT(freq, 1);
    BPFXX_SAME_BIT(inherit_stat, 1);
    BPFXX_SAME_BIT(enable_on_exec, 1);
    BPFXX_SAME_BIT(task, 1);
    BPFXX_SAME_BIT(watermark, 1);
    BPFXX_SAME_BIT(precise_ip, 3);
    BPFXX_SAME_BIT(mmap_data, 1);
    BPFXX_SAME_BIT(sample_id_all, 1);
    BPFXX_SAME_BIT(exclude_host, 1);
    BPFXX_SAME_BIT(exclude_guest, 1);
    BPFXX_SAME_BIT(exclude_callchain_kernel, 1);
    BPFXX_SAME_BIT(exclude_callchain_user, 1);
    BPFXX_SAME_BIT(mmap2, 1);
    BPFXX_SAME_BIT(comm_exec, 1);
    BPFXX_SAME_BIT(use_clockid, 1);
    BPFXX_SAME_BIT(context_switch, 1);
    BPFXX_SAME_BIT(write_backward, 1);
    BPFXX_SAME_BIT(namespaces, 1);
    BPFXX_SAME_BIT(ksymbol, 1);
    BPFXX_SAME_BIT(bpf_event, 1);
    BPFXX_SAME_BIT(aux_output, 1);
    BPFXX_SAME_BIT(cgroup, 1);
    BPFXX_SAME_BIT(text_poke, 1);
    BPFXX_SAME_BIT(build_id, 1);
    BPFXX_SAME_BIT(inherit_thread, 1);
    BPFXX_SAME_BIT(remove_on_exec, 1);
    BPFXX_SAME_BIT(sigtrap, 1);
}
#undef BPFXX_SAME_BIT

TEST(PerfEventAttr, DefaultsAreZeroWithTheFullSize) {
    ours a;
    EXPECT_EQ(a.size, 136u);
    a.size = 0;
    const unsigned char zero[sizeof(ours)] = {};
    EXPECT_EQ(std::memcmp(&a, zero, sizeof(ours)), 0);
}

TEST(PerfEventOpen, BadAttrFailsWithErrnoAndNoFd) {
    ours a;
    a.type = 0xfffffff0u;  // no such PMU
    errno = 0;
    auto fd = bpfxx::sys::perf_event_open(a, 0, -1);
    EXPECT_FALSE(fd);
    EXPECT_NE(errno, 0);
}

}  // namespace
