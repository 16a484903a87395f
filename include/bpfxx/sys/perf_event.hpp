// SPDX-License-Identifier: MIT OR Apache-2.0
// perf_event_open(2): the attribute struct, the constants bpfxx needs and
// the ioctls that enable an event or hand it a BPF program, written from
// the kernel ABI (uapi linux/perf_event.h). Tracepoints, kprobes, uprobes,
// perf_event programs and the perf buffer all start from a perf event.
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/perf_event.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/fd.hpp>

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

BPFXX_BEGIN_NAMESPACE
namespace sys {

// perf_event_attr::type. kprobe and uprobe PMUs have dynamic types, read
// from /sys/bus/event_source/devices/{kprobe,uprobe}/type.
inline constexpr u32 perf_type_hardware = 0;
inline constexpr u32 perf_type_software = 1;
inline constexpr u32 perf_type_tracepoint = 2;  // config: the id from tracefs events/<category>/<name>/id
inline constexpr u32 perf_type_hw_cache = 3;
inline constexpr u32 perf_type_raw = 4;
inline constexpr u32 perf_type_breakpoint = 5;

// perf_event_attr::config for perf_type_hardware.
inline constexpr u64 perf_count_hw_cpu_cycles = 0;
inline constexpr u64 perf_count_hw_instructions = 1;
inline constexpr u64 perf_count_hw_cache_references = 2;
inline constexpr u64 perf_count_hw_cache_misses = 3;
inline constexpr u64 perf_count_hw_branch_instructions = 4;
inline constexpr u64 perf_count_hw_branch_misses = 5;
inline constexpr u64 perf_count_hw_bus_cycles = 6;
inline constexpr u64 perf_count_hw_stalled_cycles_frontend = 7;
inline constexpr u64 perf_count_hw_stalled_cycles_backend = 8;
inline constexpr u64 perf_count_hw_ref_cpu_cycles = 9;

// perf_event_attr::config for perf_type_software.
inline constexpr u64 perf_count_sw_cpu_clock = 0;
inline constexpr u64 perf_count_sw_task_clock = 1;
inline constexpr u64 perf_count_sw_page_faults = 2;
inline constexpr u64 perf_count_sw_context_switches = 3;
inline constexpr u64 perf_count_sw_cpu_migrations = 4;
inline constexpr u64 perf_count_sw_page_faults_min = 5;
inline constexpr u64 perf_count_sw_page_faults_maj = 6;
inline constexpr u64 perf_count_sw_alignment_faults = 7;
inline constexpr u64 perf_count_sw_emulation_faults = 8;
inline constexpr u64 perf_count_sw_dummy = 9;
inline constexpr u64 perf_count_sw_bpf_output = 10;  // Linux 4.4: the perf buffer's event
inline constexpr u64 perf_count_sw_cgroup_switches = 11;  // Linux 5.13

// perf_event_attr::sample_type bits (those bpfxx uses).
inline constexpr u64 perf_sample_ip = 1u << 0;
inline constexpr u64 perf_sample_tid = 1u << 1;
inline constexpr u64 perf_sample_time = 1u << 2;
inline constexpr u64 perf_sample_cpu = 1u << 7;
inline constexpr u64 perf_sample_raw = 1u << 10;  // bpf_perf_event_output's records

// perf_event_open's flags.
inline constexpr unsigned long perf_flag_fd_no_group = 1u << 0;
inline constexpr unsigned long perf_flag_fd_output = 1u << 1;
inline constexpr unsigned long perf_flag_pid_cgroup = 1u << 2;
inline constexpr unsigned long perf_flag_fd_cloexec = 1u << 3;  // Linux 3.14

// struct perf_event_attr up to config3 (PERF_ATTR_SIZE_VER8, Linux 6.3).
// Older kernels accept the larger size as long as the bytes they do not
// know are zero, which they are unless a newer field is set. The flag word
// is a bitfield, as in the kernel's definition, so its bit order follows
// the host's ABI exactly as the kernel's does.
struct perf_event_attr {
    u32 type = 0;
    u32 size = sizeof(perf_event_attr);
    u64 config = 0;
    union {
        u64 sample_period = 0;
        u64 sample_freq;  // when freq is set
    };
    u64 sample_type = 0;
    u64 read_format = 0;

    u64 disabled : 1 = 0;  // start disabled; PERF_EVENT_IOC_ENABLE turns it on
    u64 inherit : 1 = 0;
    u64 pinned : 1 = 0;
    u64 exclusive : 1 = 0;
    u64 exclude_user : 1 = 0;
    u64 exclude_kernel : 1 = 0;
    u64 exclude_hv : 1 = 0;
    u64 exclude_idle : 1 = 0;
    u64 mmap : 1 = 0;
    u64 comm : 1 = 0;
    u64 freq : 1 = 0;
    u64 inherit_stat : 1 = 0;
    u64 enable_on_exec : 1 = 0;
    u64 task : 1 = 0;
    u64 watermark : 1 = 0;  // wakeup_watermark rather than wakeup_events
    u64 precise_ip : 2 = 0;
    u64 mmap_data : 1 = 0;
    u64 sample_id_all : 1 = 0;
    u64 exclude_host : 1 = 0;
    u64 exclude_guest : 1 = 0;
    u64 exclude_callchain_kernel : 1 = 0;
    u64 exclude_callchain_user : 1 = 0;
    u64 mmap2 : 1 = 0;
    u64 comm_exec : 1 = 0;
    u64 use_clockid : 1 = 0;
    u64 context_switch : 1 = 0;
    u64 write_backward : 1 = 0;
    u64 namespaces : 1 = 0;
    u64 ksymbol : 1 = 0;
    u64 bpf_event : 1 = 0;
    u64 aux_output : 1 = 0;
    u64 cgroup : 1 = 0;
    u64 text_poke : 1 = 0;
    u64 build_id : 1 = 0;
    u64 inherit_thread : 1 = 0;
    u64 remove_on_exec : 1 = 0;
    u64 sigtrap : 1 = 0;
    u64 reserved_1 : 26 = 0;

    union {
        u32 wakeup_events = 0;
        u32 wakeup_watermark;  // when watermark is set
    };
    u32 bp_type = 0;
    union {
        u64 config1 = 0;
        u64 bp_addr;
        u64 kprobe_func;  // kprobe PMU: pointer to the function name
        u64 uprobe_path;  // uprobe PMU: pointer to the binary's path
    };
    union {
        u64 config2 = 0;
        u64 bp_len;
        u64 kprobe_addr;   // with kprobe_func == 0
        u64 probe_offset;  // kprobe: offset from kprobe_func; uprobe: file offset
    };
    u64 branch_sample_type = 0;
    u64 sample_regs_user = 0;
    u32 sample_stack_user = 0;
    s32 clockid = 0;
    u64 sample_regs_intr = 0;
    u32 aux_watermark = 0;
    u16 sample_max_stack = 0;
    u16 reserved_2 = 0;
    u32 aux_sample_size = 0;
    u32 aux_action = 0;  // Linux 6.13; reserved before, and must stay zero there
    u64 sig_data = 0;
    u64 config3 = 0;  // Linux 6.3
};
static_assert(sizeof(perf_event_attr) == 136);
static_assert(offsetof(perf_event_attr, read_format) == 32);
static_assert(offsetof(perf_event_attr, wakeup_events) == 48);
static_assert(offsetof(perf_event_attr, config1) == 56);
static_assert(offsetof(perf_event_attr, config2) == 64);   // PERF_ATTR_SIZE_VER0 ends here
static_assert(offsetof(perf_event_attr, sample_max_stack) == 108);
static_assert(offsetof(perf_event_attr, sig_data) == 120);

// ioctl requests on a perf event fd ('$' is perf's ioctl type).
inline constexpr unsigned long perf_event_ioc_enable = _IO('$', 0);
inline constexpr unsigned long perf_event_ioc_disable = _IO('$', 1);
inline constexpr unsigned long perf_event_ioc_refresh = _IO('$', 2);
inline constexpr unsigned long perf_event_ioc_reset = _IO('$', 3);
inline constexpr unsigned long perf_event_ioc_set_output = _IO('$', 5);
// Argument: a BPF program fd (Linux 4.1). The program stays attached until
// the event is freed: there is no ioctl that takes it off again.
inline constexpr unsigned long perf_event_ioc_set_bpf = _IOW('$', 8, u32);
inline constexpr unsigned long perf_event_ioc_pause_output = _IOW('$', 9, u32);  // Linux 4.7

// The raw system call: an owned fd (O_CLOEXEC, never 0-2), or an empty fd
// with errno set. `attr.size` is set to the size of this struct when zero.
inline fd perf_event_open(perf_event_attr attr, pid_t pid, int cpu, int group_fd = -1,
                          unsigned long flags = 0) noexcept {
    if (attr.size == 0) attr.size = sizeof(attr);
    long r;
    do {
        r = ::syscall(SYS_perf_event_open, &attr, pid, cpu, group_fd, flags | perf_flag_fd_cloexec);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return fd();
    return fd(detail::above_stdio(static_cast<int>(r)));
}

// ioctl on a perf event fd: 0, or -1 with errno set.
inline int perf_event_ioctl(int perf_fd, unsigned long request, unsigned long arg = 0) noexcept {
    int r;
    do {
        r = ::ioctl(perf_fd, request, arg);
    } while (r < 0 && errno == EINTR);
    return r;
}

}  // namespace sys
BPFXX_END_NAMESPACE
