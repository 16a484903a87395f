// SPDX-License-Identifier: MIT OR Apache-2.0
// The definitions of bpfxx's separately compiled parts. With
// BPFXX_SEPARATE_COMPILATION defined for the whole program, include this
// from exactly one translation unit (CMake's bpfxx::runtime target does).
#pragma once
#ifdef __bpf__
#error "bpfxx/impl/src.hpp is user-space only"
#endif
#ifndef BPFXX_SEPARATE_COMPILATION
#error "bpfxx/impl/src.hpp is for separate compilation: define BPFXX_SEPARATE_COMPILATION for the whole program (header-only builds need no source file)"
#endif

#include <bpfxx/impl/attach.ipp>
#include <bpfxx/impl/event_loop.ipp>
#include <bpfxx/impl/introspect.ipp>
#include <bpfxx/impl/loader.ipp>
#include <bpfxx/impl/map.ipp>
#include <bpfxx/impl/net.ipp>
#include <bpfxx/impl/object.ipp>
#include <bpfxx/impl/perf_buffer.ipp>
#include <bpfxx/impl/ring_buffer.ipp>
#include <bpfxx/impl/skeleton.ipp>
#include <bpfxx/impl/tracefs.ipp>
#include <bpfxx/impl/user_ring_buffer.ipp>
