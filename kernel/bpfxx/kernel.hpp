// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

// Everything a kernel program written with bpfxx uses. Compile with
// clang -target bpf and the flags of docs/kernel.md.

#include <bpfxx/shared.hpp>

#include "context.hpp"
#include "core.hpp"
#include "helpers.hpp"
#include "iter.hpp"
#include "maps.hpp"
#include "packet.hpp"
#include "program.hpp"
#include "syscall.hpp"
#include "task.hpp"
#include "types.hpp"
