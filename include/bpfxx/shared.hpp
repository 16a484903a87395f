// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once

// What a header holding types shared by kernel programs and user space
// includes: it compiles with clang -target bpf and with any hosted C++20
// compiler, and includes nothing else.

#include "shared/insn.hpp"
#include "shared/map_types.hpp"
#include "shared/net.hpp"
#include "shared/types.hpp"
