// SPDX-License-Identifier: MIT OR Apache-2.0
// Everything a user-space program needs from bpfxx: objects, the loader,
// attach, maps, ring and perf buffers, skeletons, links, errors. The layers
// under it (elf/, btf/, core/, features.hpp) are for tools that look inside
// objects and BTF: include them by name. So are the event loop and the
// coroutine headers (event_loop.hpp, coroutine.hpp, stream.hpp), which bring
// <coroutine> and <stop_token> only to the files that use them.
#pragma once
#ifdef __bpf__
#error "bpfxx/bpfxx.hpp is user-space only; kernel code includes <bpfxx/kernel.hpp>"
#endif

#include <bpfxx/attach.hpp>
#include <bpfxx/config.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/link.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map.hpp>
#include <bpfxx/map_kinds.hpp>
#include <bpfxx/net.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/perf_buffer.hpp>
#include <bpfxx/result.hpp>
#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/section.hpp>
#include <bpfxx/shared.hpp>
#include <bpfxx/skeleton.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/epoll.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/mmap.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/tracefs.hpp>
#include <bpfxx/user_ring_buffer.hpp>
