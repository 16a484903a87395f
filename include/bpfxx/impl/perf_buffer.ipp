// SPDX-License-Identifier: MIT OR Apache-2.0
// Opening a perf buffer's consumer (bpfxx/perf_buffer.hpp): one
// PERF_COUNT_SW_BPF_OUTPUT event per CPU, mmapped, enabled and stored in the
// perf event array.
#pragma once

#include <bpfxx/perf_buffer.hpp>

#include <bpfxx/detail/cpus.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/impl/ring_buffer.ipp>
#include <bpfxx/shared/map_types.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <string>

BPFXX_BEGIN_NAMESPACE

BPFXX_DECL perf_buffer perf_buffer::open(int map_fd, const perf_buffer_options& options) {
    sys::map_info info;
    sys::fd map = detail::open_map_for(map_fd, "perf buffer", info);
    const std::string label = detail::map_label(map_fd, info);
    if (static_cast<map_type>(info.type) != map_type::perf_event_array)
        detail::raise(detail::cat("perf buffer: ", label, " has type ", to_string(static_cast<map_type>(info.type)),
                                  " (", info.type, "), not perf_event_array (BPF_MAP_TYPE_PERF_EVENT_ARRAY)"),
                      EINVAL);
    const long page = ::sysconf(_SC_PAGESIZE);
    if (page <= 0) detail::raise_errno("perf buffer: sysconf(_SC_PAGESIZE) failed");
    const auto page_size = static_cast<std::size_t>(page);
    if (!std::has_single_bit(options.pages) || options.pages > (std::size_t{1} << 20))
        detail::raise(detail::cat("perf buffer: ", label, ": pages per CPU must be a power of two up to 2^20, not ",
                                  options.pages),
                      EINVAL);

    // The online CPUs (an offline one cannot have an event); every possible
    // one when the kernel does not say.
    std::vector<u32> cpus = detail::online_cpus();
    if (cpus.empty())
        for (u32 id = 0; id < detail::possible_cpus().end; ++id) cpus.push_back(id);

    perf_buffer pb;
    pb.map_ = std::move(map);
    pb.epoll_ = sys::epoll::create();
    pb.scratch_.resize(detail::perf_ring_core::max_record / sizeof(u64));
    pb.rings_.reserve(cpus.size());
    for (u32 cpu : cpus) {
        if (cpu >= info.max_entries) continue;  // the program cannot index it
        sys::perf_event_attr attr;
        attr.type = sys::perf_type_software;
        attr.config = sys::perf_count_sw_bpf_output;
        attr.sample_type = sys::perf_sample_raw;
        attr.sample_period = 1;
        if (options.wakeup_bytes != 0) {
            attr.watermark = 1;
            attr.wakeup_watermark = options.wakeup_bytes;
        } else {
            attr.wakeup_events = options.wakeup_events == 0 ? 1 : options.wakeup_events;
        }
        ring r;
        r.cpu = cpu;
        r.event = sys::perf_event_open(attr, -1, static_cast<int>(cpu));
        if (!r.event) {
            const int e = errno;
            if (e == ENODEV) continue;  // went offline since the list was read
            detail::raise_errno(
                detail::cat("perf buffer: perf_event_open of a BPF output event on CPU ", cpu, " for ", label,
                            " failed",
                            e == EACCES || e == EPERM ? " (needs CAP_PERFMON, or CAP_SYS_ADMIN before Linux 5.8)"
                                                      : ""),
                e);
        }
        r.pages = sys::mapping::map(r.event.get(), (options.pages + 1) * page_size, PROT_READ | PROT_WRITE, 0);
        if (!r.pages) {
            const int e = errno;
            detail::raise_errno(
                detail::cat("perf buffer: mmap of ", options.pages, " pages for CPU ", cpu, " of ", label, " failed",
                            e == EPERM ? " (over the perf_event_mlock_kb limit: fewer pages, or CAP_IPC_LOCK)" : ""),
                e);
        }
        // Linux 4.1 tells where the data area is; before, it is the rest
        // of the mapping after the first page.
        u64 offset;
        u64 size;
        std::memcpy(&offset, r.pages.data() + detail::perf_mmap_data_offset, 8);
        std::memcpy(&size, r.pages.data() + detail::perf_mmap_data_size, 8);
        if (size == 0) {
            offset = page_size;
            size = options.pages * page_size;
        }
        if (offset + size > r.pages.size() || !std::has_single_bit(size))
            detail::raise(detail::cat("perf buffer: CPU ", cpu, " of ", label, ": the kernel reports a data area of ",
                                      size, " bytes at ", offset, " in a mapping of ", r.pages.size()),
                          EINVAL);
        r.core = detail::perf_ring_core(r.pages.data(), r.pages.data() + offset, static_cast<std::size_t>(size),
                                        reinterpret_cast<std::byte*>(pb.scratch_.data()));
        if (sys::perf_event_ioctl(r.event.get(), sys::perf_event_ioc_enable) != 0)
            detail::raise_errno(detail::cat("perf buffer: enabling the event of CPU ", cpu, " for ", label, " failed"));
        epoll_data_t data{};
        data.u32 = cpu;
        if (auto added = pb.epoll_.add(r.event.get(), EPOLLIN, data); !added)
            detail::raise(detail::cat("perf buffer: epoll_ctl for CPU ", cpu, " failed"), added.error());
        sys::attr::map_elem slot;
        const u32 key = cpu;
        const u32 value = static_cast<u32>(r.event.get());
        slot.map_fd = static_cast<u32>(pb.map_.get());
        slot.key = sys::ptr_to_u64(&key);
        slot.value = sys::ptr_to_u64(&value);
        if (sys::bpf(sys::bpf_cmd::map_update_elem, slot) < 0)
            detail::raise_errno(detail::cat("perf buffer: storing CPU ", cpu, "'s event in ", label, " failed"));
        pb.rings_.push_back(std::move(r));
    }
    if (pb.rings_.empty())
        detail::raise(detail::cat("perf buffer: ", label, " has ", info.max_entries,
                                  " slots and none is an online CPU's"),
                      EINVAL);
    return pb;
}

BPFXX_DECL void perf_buffer::clear_slots() noexcept {
    if (!map_) return;
    for (const auto& r : rings_) {
        const u32 key = r.cpu;
        sys::attr::map_elem slot;
        slot.map_fd = static_cast<u32>(map_.get());
        slot.key = sys::ptr_to_u64(&key);
        (void)sys::bpf(sys::bpf_cmd::map_delete_elem, slot);  // nothing to do about a failure here
    }
    rings_.clear();
}

BPFXX_END_NAMESPACE
