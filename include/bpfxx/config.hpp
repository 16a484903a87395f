// SPDX-License-Identifier: MIT OR Apache-2.0
// Version, namespace and compilation-mode macros of the user-space library.
//
// Header-only (the default): every definition is in the headers, inline;
// nothing to build or link. Separate compilation (BPFXX_SEPARATE_COMPILATION
// defined for the whole program, as asio does it): the headers declare the
// heavy parts — object parsing, loading, CO-RE, attach — and exactly one
// translation unit includes <bpfxx/impl/src.hpp> to define them, so each
// user TU compiles declarations only. CMake's bpfxx::runtime target (and
// every generated skeleton target, which links it) does this for you.
#pragma once
#ifdef __bpf__
#error "bpfxx/config.hpp is user-space only"
#endif

#define BPFXX_VERSION_MAJOR 0
#define BPFXX_VERSION_MINOR 2
#define BPFXX_VERSION_PATCH 0
// MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons.
#define BPFXX_VERSION (BPFXX_VERSION_MAJOR * 10000 + BPFXX_VERSION_MINOR * 100 + BPFXX_VERSION_PATCH)

// User-space names live in bpfxx::v0 (an inline namespace, so users write
// bpfxx::x): two versions linked into one program cannot clash. The types
// shared with kernel programs (bpfxx/shared/) stay in bpfxx itself.
#define BPFXX_BEGIN_NAMESPACE \
    namespace bpfxx {         \
    inline namespace v0 {
#define BPFXX_END_NAMESPACE \
    }                       \
    }

// How the functions of the heavy modules are declared: inline in a
// header-only build, ordinary functions defined once by <bpfxx/impl/src.hpp>
// in a separate-compilation build.
#ifdef BPFXX_SEPARATE_COMPILATION
#define BPFXX_DECL
#else
#define BPFXX_DECL inline
#endif
