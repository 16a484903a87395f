// SPDX-License-Identifier: MIT OR Apache-2.0
// Everything bpfxx offers user space, for those who want one include.
#pragma once
#ifdef __bpf__
#error "bpfxx/bpfxx.hpp is user-space only; kernel code includes <bpfxx/kernel.hpp>"
#endif

#include <bpfxx/attach.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/ext.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/link.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/section.hpp>
#include <bpfxx/skeleton.hpp>
#include <bpfxx/shared.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/epoll.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/mmap.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/tracefs.hpp>
