// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::btf::sanitize_cxx on clang++'s raw BTF of tests/bpf/btf_cxx_quirks.bpf.cpp
// (committed below as a blob, so the expectations do not depend on how the
// build compiles that object), on every object built in the tree, and on
// hand-built blobs for each rule.
#include <bpfxx/detail/file.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/elf/elf.hpp>

#include "btf_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef BPFXX_TEST_OBJECTS
#error "BPFXX_TEST_OBJECTS must name the directory of the compiled tests/bpf objects"
#endif

namespace {

namespace btf = bpfxx::btf;
using bpfxx_test::btf_builder;
using testing::ElementsAre;
using testing::HasSubstr;
using K = btf_builder;

// The .BTF section of tests/bpf/btf_cxx_quirks.bpf.cpp as clang 19.1.7 emits
// it without the flags that hide the problems. To regenerate, from the
// repository root:
//   clang++-19 -x c++ -target bpf -O2 -g -mcpu=v3 -nostdinc -ffreestanding -std=c++20
//     -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables -fno-threadsafe-statics
//     -nostdinc++ -gsimple-template-names -gomit-unreferenced-methods
//     -gno-simple-template-names -gno-omit-unreferenced-methods
//     -c tests/bpf/btf_cxx_quirks.bpf.cpp -o /tmp/q.o        (one command line)
//   llvm-objcopy-19 --dump-section .BTF=/tmp/q.btf /tmp/q.o /dev/null
//   xxd -i < /tmp/q.btf
// and update the ids below if clang numbers the types differently.
constexpr unsigned char quirks_btf[] = {
    0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xec, 0x03, 0x00, 0x00, 0xec,
    0x03, 0x00, 0x00, 0x4a, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00,
    0x20, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0c, 0x02, 0x00, 0x00, 0x00, 0xe8,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0xec, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
    0x0d, 0x05, 0x00, 0x00, 0x00, 0xf9, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x00, 0x00, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x00, 0x2b, 0x02, 0x00, 0x00, 0x03, 0x00,
    0x00, 0x04, 0x18, 0x00, 0x00, 0x00, 0x34, 0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x36, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x38, 0x02, 0x00, 0x00,
    0x0b, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x3a, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x0c,
    0x00, 0x00, 0x00, 0x3e, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x40, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x05, 0x00, 0x00, 0x00, 0x51, 0x02, 0x00,
    0x00, 0x09, 0x00, 0x00, 0x00, 0x53, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0d, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x06, 0x00, 0x00, 0x00, 0xfd, 0x01, 0x00, 0x00, 0x06,
    0x00, 0x00, 0x00, 0x8c, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0f, 0x00, 0x00, 0x00, 0xec, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xf5, 0x02, 0x00,
    0x00, 0x04, 0x00, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x03, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x06,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x03, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x12, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x18, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x03, 0x00, 0x00, 0x0b,
    0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x22, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x14, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2c, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x04, 0x10, 0x00, 0x00,
    0x00, 0x55, 0x03, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x59, 0x03, 0x00, 0x00,
    0x0c, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x5f, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x16,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x66, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04, 0x04, 0x00,
    0x00, 0x00, 0x34, 0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x03, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0e, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x85, 0x03, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x08, 0x1b, 0x00, 0x00, 0x00, 0x92, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x04, 0x08,
    0x00, 0x00, 0x00, 0x55, 0x03, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x59, 0x03,
    0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0xb5, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0e, 0x1a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xbd, 0x03, 0x00, 0x00, 0x03, 0x00, 0x00, 0x04,
    0x10, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc9,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x03, 0x00, 0x00, 0x0b, 0x00,
    0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0xcf, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x1d, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0xd8, 0x03, 0x00, 0x00, 0x04, 0x00, 0x00, 0x04, 0x28, 0x00, 0x00, 0x00,
    0x02, 0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0xeb, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00,
    0x00, 0x00, 0xef, 0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xf1, 0x03, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0e, 0x1f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x06, 0x04, 0x00, 0x00, 0x00, 0x04, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
    0x04, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0e, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x21, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x24, 0x00, 0x00,
    0x00, 0x16, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x23, 0x00, 0x00, 0x00, 0x26,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x1b, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
    0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x2f, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x25, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x37, 0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
    0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
    0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x19, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x22,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3c, 0x04, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00,
    0x00, 0x42, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x63, 0x74, 0x78, 0x00, 0x69, 0x6e, 0x74, 0x00,
    0x6f, 0x6e, 0x5f, 0x67, 0x65, 0x74, 0x70, 0x69, 0x64, 0x00, 0x74, 0x72, 0x61, 0x63, 0x65, 0x70, 0x6f,
    0x69, 0x6e, 0x74, 0x2f, 0x73, 0x79, 0x73, 0x63, 0x61, 0x6c, 0x6c, 0x73, 0x2f, 0x73, 0x79, 0x73, 0x5f,
    0x65, 0x6e, 0x74, 0x65, 0x72, 0x5f, 0x67, 0x65, 0x74, 0x70, 0x69, 0x64, 0x00, 0x2f, 0x77, 0x6f, 0x72,
    0x6b, 0x2f, 0x6d, 0x61, 0x69, 0x6e, 0x2f, 0x74, 0x65, 0x73, 0x74, 0x73, 0x2f, 0x62, 0x70, 0x66, 0x2f,
    0x62, 0x74, 0x66, 0x5f, 0x63, 0x78, 0x78, 0x5f, 0x71, 0x75, 0x69, 0x72, 0x6b, 0x73, 0x2e, 0x62, 0x70,
    0x66, 0x2e, 0x63, 0x70, 0x70, 0x00, 0x20, 0x20, 0x20, 0x20, 0x75, 0x33, 0x32, 0x20, 0x67, 0x65, 0x74,
    0x28, 0x29, 0x20, 0x63, 0x6f, 0x6e, 0x73, 0x74, 0x20, 0x7b, 0x20, 0x72, 0x65, 0x74, 0x75, 0x72, 0x6e,
    0x20, 0x61, 0x3b, 0x20, 0x7d, 0x00, 0x20, 0x20, 0x20, 0x20, 0x67, 0x5f, 0x6d, 0x65, 0x74, 0x68, 0x6f,
    0x64, 0x73, 0x2e, 0x73, 0x65, 0x74, 0x28, 0x67, 0x5f, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x73, 0x2e,
    0x67, 0x65, 0x74, 0x28, 0x29, 0x20, 0x2b, 0x20, 0x31, 0x29, 0x3b, 0x00, 0x20, 0x20, 0x20, 0x20, 0x76,
    0x6f, 0x69, 0x64, 0x20, 0x73, 0x65, 0x74, 0x28, 0x75, 0x33, 0x32, 0x20, 0x76, 0x29, 0x20, 0x7b, 0x20,
    0x61, 0x20, 0x3d, 0x20, 0x76, 0x3b, 0x20, 0x7d, 0x00, 0x20, 0x20, 0x20, 0x20, 0x77, 0x69, 0x74, 0x68,
    0x5f, 0x72, 0x65, 0x66, 0x20, 0x77, 0x72, 0x7b, 0x31, 0x2c, 0x20, 0x67, 0x5f, 0x74, 0x61, 0x72, 0x67,
    0x65, 0x74, 0x2c, 0x20, 0x32, 0x7d, 0x3b, 0x00, 0x20, 0x20, 0x20, 0x20, 0x75, 0x33, 0x32, 0x20, 0x76,
    0x20, 0x3d, 0x20, 0x61, 0x64, 0x64, 0x5f, 0x72, 0x65, 0x66, 0x28, 0x67, 0x5f, 0x74, 0x61, 0x72, 0x67,
    0x65, 0x74, 0x2c, 0x20, 0x75, 0x73, 0x65, 0x5f, 0x72, 0x65, 0x66, 0x28, 0x26, 0x77, 0x72, 0x29, 0x20,
    0x2b, 0x20, 0x67, 0x5f, 0x64, 0x65, 0x72, 0x69, 0x76, 0x65, 0x64, 0x2e, 0x62, 0x30, 0x20, 0x2b, 0x20,
    0x77, 0x69, 0x74, 0x68, 0x5f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x3a, 0x3a, 0x6c, 0x69, 0x6d, 0x69,
    0x74, 0x29, 0x3b, 0x00, 0x20, 0x20, 0x20, 0x20, 0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x73, 0x74,
    0x61, 0x74, 0x69, 0x63, 0x5f, 0x63, 0x61, 0x73, 0x74, 0x3c, 0x69, 0x6e, 0x74, 0x3e, 0x28, 0x74, 0x77,
    0x69, 0x63, 0x65, 0x28, 0x76, 0x29, 0x20, 0x2b, 0x20, 0x67, 0x5f, 0x70, 0x61, 0x69, 0x72, 0x2e, 0x6b,
    0x65, 0x79, 0x20, 0x2b, 0x20, 0x67, 0x5f, 0x61, 0x6c, 0x69, 0x61, 0x73, 0x2e, 0x76, 0x61, 0x6c, 0x75,
    0x65, 0x20, 0x2b, 0x20, 0x67, 0x5f, 0x70, 0x74, 0x72, 0x5f, 0x74, 0x6d, 0x70, 0x6c, 0x2e, 0x78, 0x20,
    0x2b, 0x20, 0x67, 0x5f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x2e, 0x61, 0x20, 0x2b, 0x00, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x67, 0x5f, 0x6d, 0x65, 0x6d, 0x62, 0x65, 0x72,
    0x5f, 0x70, 0x74, 0x72, 0x2e, 0x7a, 0x20, 0x2b, 0x20, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x5f, 0x63,
    0x61, 0x73, 0x74, 0x3c, 0x75, 0x33, 0x32, 0x3e, 0x28, 0x67, 0x5f, 0x63, 0x6f, 0x6c, 0x6f, 0x72, 0x29,
    0x29, 0x3b, 0x00, 0x75, 0x33, 0x32, 0x00, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x20, 0x69,
    0x6e, 0x74, 0x00, 0x6f, 0x75, 0x74, 0x00, 0x76, 0x00, 0x61, 0x64, 0x64, 0x5f, 0x72, 0x65, 0x66, 0x00,
    0x2e, 0x74, 0x65, 0x78, 0x74, 0x00, 0x20, 0x20, 0x20, 0x20, 0x6f, 0x75, 0x74, 0x20, 0x2b, 0x3d, 0x20,
    0x76, 0x3b, 0x00, 0x20, 0x20, 0x20, 0x20, 0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x6f, 0x75, 0x74,
    0x3b, 0x00, 0x77, 0x69, 0x74, 0x68, 0x5f, 0x72, 0x65, 0x66, 0x00, 0x78, 0x00, 0x72, 0x00, 0x79, 0x00,
    0x75, 0x36, 0x34, 0x00, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x20, 0x6c, 0x6f, 0x6e, 0x67,
    0x20, 0x6c, 0x6f, 0x6e, 0x67, 0x00, 0x77, 0x00, 0x75, 0x73, 0x65, 0x5f, 0x72, 0x65, 0x66, 0x00, 0x20,
    0x20, 0x20, 0x20, 0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x77, 0x2d, 0x3e, 0x78, 0x20, 0x2b, 0x20,
    0x77, 0x2d, 0x3e, 0x72, 0x20, 0x2b, 0x20, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x5f, 0x63, 0x61, 0x73,
    0x74, 0x3c, 0x75, 0x33, 0x32, 0x3e, 0x28, 0x77, 0x2d, 0x3e, 0x79, 0x29, 0x3b, 0x00, 0x74, 0x77, 0x69,
    0x63, 0x65, 0x3c, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x20, 0x69, 0x6e, 0x74, 0x3e, 0x00,
    0x5b, 0x5b, 0x67, 0x6e, 0x75, 0x3a, 0x3a, 0x6e, 0x6f, 0x69, 0x6e, 0x6c, 0x69, 0x6e, 0x65, 0x2c, 0x20,
    0x63, 0x6c, 0x61, 0x6e, 0x67, 0x3a, 0x3a, 0x69, 0x6e, 0x74, 0x65, 0x72, 0x6e, 0x61, 0x6c, 0x5f, 0x6c,
    0x69, 0x6e, 0x6b, 0x61, 0x67, 0x65, 0x5d, 0x5d, 0x20, 0x54, 0x20, 0x74, 0x77, 0x69, 0x63, 0x65, 0x28,
    0x54, 0x20, 0x76, 0x29, 0x20, 0x7b, 0x00, 0x20, 0x20, 0x20, 0x20, 0x72, 0x65, 0x74, 0x75, 0x72, 0x6e,
    0x20, 0x76, 0x20, 0x2b, 0x20, 0x76, 0x3b, 0x00, 0x67, 0x5f, 0x74, 0x61, 0x72, 0x67, 0x65, 0x74, 0x00,
    0x77, 0x69, 0x74, 0x68, 0x5f, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x73, 0x00, 0x61, 0x00, 0x62, 0x00,
    0x67, 0x65, 0x74, 0x00, 0x73, 0x65, 0x74, 0x00, 0x67, 0x5f, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x73,
    0x00, 0x64, 0x65, 0x72, 0x69, 0x76, 0x65, 0x64, 0x00, 0x64, 0x00, 0x67, 0x5f, 0x64, 0x65, 0x72, 0x69,
    0x76, 0x65, 0x64, 0x00, 0x70, 0x61, 0x69, 0x72, 0x5f, 0x74, 0x3c, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e,
    0x65, 0x64, 0x20, 0x69, 0x6e, 0x74, 0x2c, 0x20, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x20,
    0x6c, 0x6f, 0x6e, 0x67, 0x20, 0x6c, 0x6f, 0x6e, 0x67, 0x3e, 0x00, 0x6b, 0x65, 0x79, 0x00, 0x76, 0x61,
    0x6c, 0x75, 0x65, 0x00, 0x67, 0x5f, 0x70, 0x61, 0x69, 0x72, 0x00, 0x70, 0x74, 0x72, 0x5f, 0x74, 0x6d,
    0x70, 0x6c, 0x3c, 0x26, 0x67, 0x5f, 0x74, 0x61, 0x72, 0x67, 0x65, 0x74, 0x3e, 0x00, 0x67, 0x5f, 0x70,
    0x74, 0x72, 0x5f, 0x74, 0x6d, 0x70, 0x6c, 0x00, 0x61, 0x6c, 0x69, 0x61, 0x73, 0x5f, 0x74, 0x3c, 0x75,
    0x33, 0x32, 0x3e, 0x00, 0x70, 0x61, 0x69, 0x72, 0x5f, 0x74, 0x3c, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e,
    0x65, 0x64, 0x20, 0x69, 0x6e, 0x74, 0x2c, 0x20, 0x75, 0x6e, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x20,
    0x69, 0x6e, 0x74, 0x3e, 0x00, 0x67, 0x5f, 0x61, 0x6c, 0x69, 0x61, 0x73, 0x00, 0x77, 0x69, 0x74, 0x68,
    0x5f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x00, 0x6c, 0x69, 0x6d, 0x69, 0x74, 0x00, 0x67, 0x5f, 0x73,
    0x74, 0x61, 0x74, 0x69, 0x63, 0x00, 0x77, 0x69, 0x74, 0x68, 0x5f, 0x6d, 0x65, 0x6d, 0x62, 0x65, 0x72,
    0x5f, 0x70, 0x74, 0x72, 0x00, 0x70, 0x6d, 0x00, 0x70, 0x6d, 0x66, 0x00, 0x7a, 0x00, 0x67, 0x5f, 0x6d,
    0x65, 0x6d, 0x62, 0x65, 0x72, 0x5f, 0x70, 0x74, 0x72, 0x00, 0x63, 0x6f, 0x6c, 0x6f, 0x72, 0x00, 0x72,
    0x65, 0x64, 0x00, 0x67, 0x72, 0x65, 0x65, 0x6e, 0x00, 0x67, 0x5f, 0x63, 0x6f, 0x6c, 0x6f, 0x72, 0x00,
    0x63, 0x68, 0x61, 0x72, 0x00, 0x5f, 0x5f, 0x41, 0x52, 0x52, 0x41, 0x59, 0x5f, 0x53, 0x49, 0x5a, 0x45,
    0x5f, 0x54, 0x59, 0x50, 0x45, 0x5f, 0x5f, 0x00, 0x4c, 0x49, 0x43, 0x45, 0x4e, 0x53, 0x45, 0x00, 0x2e,
    0x62, 0x73, 0x73, 0x00, 0x2e, 0x64, 0x61, 0x74, 0x61, 0x00, 0x6c, 0x69, 0x63, 0x65, 0x6e, 0x73, 0x65,
    0x00,
};

// Ids in quirks_btf.
constexpr std::uint32_t void_ptr_id = 1;
constexpr std::uint32_t unsigned_int_id = 6;
constexpr std::uint32_t add_ref_proto_id = 7;
constexpr std::uint32_t with_ref_id = 10;
constexpr std::uint32_t twice_id = 16;
constexpr std::uint32_t with_methods_id = 18;
constexpr std::uint32_t derived_id = 20;
constexpr std::uint32_t pair_id = 22;
constexpr std::uint32_t ptr_tmpl_id = 24;
constexpr std::uint32_t alias_id = 26;
constexpr std::uint32_t pair_same_id = 27;
constexpr std::uint32_t with_static_id = 29;
constexpr std::uint32_t with_member_ptr_id = 31;
constexpr std::uint32_t quirks_size = 43;

std::vector<std::byte> quirks_blob() {
    std::vector<std::byte> out(sizeof quirks_btf);
    std::memcpy(out.data(), quirks_btf, sizeof quirks_btf);
    return out;
}

using bpfxx::detail::read_file;

bool c_identifier(std::string_view s) {
    if (s.empty() || s.size() > 127) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s[0])) return false;
    for (char c : s)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

// The kernel's BTF_LOAD rules that clang++ output breaks (kernel/bpf/btf.c:
// btf_struct_check_meta, btf_enum_check_meta, btf_func_proto_check,
// btf_func_check, name checks), restated independently of sanitize.hpp.
std::vector<std::string> kernel_rule_violations(const btf::btf& b) {
    std::vector<std::string> out;
    auto bad = [&](std::uint32_t id, const std::string& what) {
        // cat, not "[" + std::to_string(id): GCC 12 at -O3 warns
        // -Wrestrict on literal + string&&, falsely (GCC bug 105329).
        out.push_back(bpfxx::detail::cat("[", id, "] ", what));
    };
    for (auto id = b.start_id(); id < b.size(); ++id) {
        auto t = b.type(id);
        auto name = t.name();
        switch (t.kind()) {
            case btf::kind::struct_:
            case btf::kind::union_: {
                if (!name.empty() && !c_identifier(name)) bad(id, bpfxx::detail::cat("invalid name '", name, "'"));
                std::uint32_t last = 0;
                for (auto m : t.members()) {
                    if (m.type == 0) bad(id, bpfxx::detail::cat("member '", m.name, "' of type 0"));
                    if (!m.name.empty() && !c_identifier(m.name)) bad(id, "invalid member name");
                    if (t.kind() == btf::kind::union_ && m.bit_offset != 0) bad(id, "union member not at 0");
                    if (m.bit_offset < last) bad(id, bpfxx::detail::cat("member '", m.name, "' goes backwards"));
                    if ((m.bit_offset + 7) / 8 > t.size())
                        bad(id, bpfxx::detail::cat("member '", m.name, "' past the size"));
                    last = m.bit_offset;
                }
                break;
            }
            case btf::kind::enum_:
            case btf::kind::enum64:
                if (!name.empty() && !c_identifier(name)) bad(id, "invalid name");
                for (auto e : t.enumerators())
                    if (!c_identifier(e.name)) bad(id, "invalid enumerator name");
                break;
            case btf::kind::func: {
                if (!c_identifier(name)) bad(id, bpfxx::detail::cat("invalid name '", name, "'"));
                // Every parameter of a FUNC's prototype is named, but '...'.
                auto proto = b.type(t.type());
                if (proto.kind() != btf::kind::func_proto) break;
                auto ps = proto.params();
                for (std::uint32_t i = 0; i < ps.size(); ++i)
                    if (ps[i].type != 0 && ps[i].name_off == 0)
                        bad(id, bpfxx::detail::cat("FUNC '", name, "' parameter #") + std::to_string(i) + " unnamed");
                break;
            }
            case btf::kind::fwd:
            case btf::kind::typedef_:
            case btf::kind::type_tag:
            case btf::kind::var:
                if (!c_identifier(name)) bad(id, bpfxx::detail::cat("invalid name '", name, "'"));
                break;
            case btf::kind::func_proto: {
                auto ps = t.params();
                for (std::uint32_t i = 0; i < ps.size(); ++i) {
                    auto p = ps[i];
                    bool vararg = p.type == 0 && p.name.empty() && i + 1 == ps.size();
                    if (p.type == 0 && !vararg) bad(id, "parameter #" + std::to_string(i) + " of type 0");
                    if (!p.name.empty() && !c_identifier(p.name)) bad(id, "invalid parameter name");
                }
                break;
            }
            default: break;
        }
    }
    return out;
}

std::vector<std::string> member_names(const btf::btf& b, std::uint32_t id) {
    std::vector<std::string> out;
    for (auto m : b.type(id).members())
        out.push_back(std::string(m.name) + "@" + std::to_string(m.bit_offset) + ":" +
                      btf::cxx_type_name(b, m.type));
    return out;
}

// ---- the quirks object --------------------------------------------------------

TEST(btf_sanitize_quirks, RawBtfHasTheProblems) {
    btf::btf raw(quirks_blob());
    ASSERT_EQ(raw.size(), quirks_size);
    EXPECT_EQ(raw.type(pair_id).name(), "pair_t<unsigned int, unsigned long long>");
    EXPECT_EQ(raw.type(with_methods_id).vlen(), 4u);
    EXPECT_EQ(raw.type(with_methods_id).members()[2].name, "get");
    EXPECT_EQ(raw.type(with_methods_id).members()[2].type, 0u);
    EXPECT_EQ(raw.type(with_methods_id).members()[2].bit_offset, 256u);  // past the 16-byte struct
    EXPECT_EQ(raw.type(add_ref_proto_id).params()[0].type, 0u);
    EXPECT_THAT(
        kernel_rule_violations(raw),
        ElementsAre("[7] parameter #0 of type 0", "[10] member 'r' of type 0",
                    "[16] invalid name 'twice<unsigned int>'", "[18] member 'get' of type 0",
                    "[18] member 'get' past the size", "[18] member 'set' of type 0",
                    "[18] member 'set' past the size", "[20] member '' of type 0",
                    "[22] invalid name 'pair_t<unsigned int, unsigned long long>'",
                    "[24] invalid name 'ptr_tmpl<&g_target>'", "[26] invalid name 'alias_t<u32>'",
                    "[27] invalid name 'pair_t<unsigned int, unsigned int>'", "[29] member 'limit' of type 0",
                    "[31] member 'pm' of type 0", "[31] member 'pmf' of type 0"));
}

TEST(btf_sanitize_quirks, SanitizedBtfFollowsTheKernelRules) {
    btf::btf raw(quirks_blob());
    btf::sanitize_report report;
    auto blob = btf::sanitize_cxx(raw, &report);
    btf::btf out(blob);
    EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());

    // Ids are stable; three types are appended.
    ASSERT_EQ(out.size(), quirks_size + 3);
    EXPECT_EQ(report.first_appended_id, quirks_size);
    EXPECT_EQ(report.appended_types, 3u);
    for (std::uint32_t id = 1; id < quirks_size; ++id) {
        SCOPED_TRACE(id);
        EXPECT_EQ(out.type(id).kind(), raw.type(id).kind());
    }
    auto uchar = out.type(quirks_size);
    EXPECT_EQ(uchar.kind(), btf::kind::int_);
    EXPECT_EQ(uchar.name(), "unsigned char");
    EXPECT_EQ(uchar.size(), 1u);
    EXPECT_EQ(uchar.int_bits(), 8u);
    EXPECT_EQ(uchar.int_encoding(), 0u);
    auto a8 = out.type(quirks_size + 1).array();
    EXPECT_EQ(a8.elem_type, quirks_size);
    EXPECT_EQ(a8.index_type, unsigned_int_id);
    EXPECT_EQ(a8.nelems, 8u);
    EXPECT_EQ(out.type(quirks_size + 2).array().nelems, 16u);

    // The original strings are a prefix of the new string section.
    ASSERT_GE(out.strings().size(), raw.strings().size());
    EXPECT_EQ(std::memcmp(out.strings().data(), raw.strings().data(), raw.strings().size()), 0);

    // Names.
    EXPECT_EQ(out.type(twice_id).name(), "twice_unsigned_int_");
    EXPECT_EQ(out.type(pair_id).name(), "pair_t_unsigned_int__unsigned_long_long_");
    EXPECT_EQ(out.type(ptr_tmpl_id).name(), "ptr_tmpl__g_target_");
    EXPECT_EQ(out.type(alias_id).name(), "alias_t_u32_");
    EXPECT_EQ(out.type(pair_same_id).name(), "pair_t_unsigned_int__unsigned_int_");
    EXPECT_EQ(out.type(twice_id + 1).name(), "g_target");  // a global VAR keeps its ELF name
    EXPECT_EQ(btf::cxx_type_name(out, twice_id + 7), "pair_t_unsigned_int__unsigned_long_long_ g_pair");
    // Unchanged names keep their offsets.
    EXPECT_EQ(out.type(with_ref_id).name_off(), raw.type(with_ref_id).name_off());

    // Members.
    EXPECT_THAT(member_names(out, with_methods_id), ElementsAre("a@0:u32", "b@64:u64"));
    EXPECT_THAT(member_names(out, with_static_id), ElementsAre("a@0:u32", "b@64:u64"));
    EXPECT_THAT(member_names(out, with_ref_id), ElementsAre("x@0:u32", "r@64:unsigned char[8]", "y@128:u64"));
    EXPECT_THAT(member_names(out, derived_id), ElementsAre("@0:unsigned char[8]", "d@64:u64"));
    EXPECT_THAT(member_names(out, with_member_ptr_id),
                ElementsAre("a@0:u32", "pm@64:unsigned char[8]", "pmf@128:unsigned char[16]", "z@256:u32"));
    EXPECT_EQ(out.size_of(with_member_ptr_id), 40u);

    // Parameters: the reference becomes void*, reusing the object's own [1].
    auto proto = out.type(add_ref_proto_id);
    EXPECT_EQ(proto.params()[0].type, void_ptr_id);
    EXPECT_EQ(btf::cxx_type_name(out, add_ref_proto_id), "u32(void* out, u32 v)");

    // The report.
    ASSERT_EQ(report.renamed.size(), 5u);
    EXPECT_EQ(report.renamed[0].type_id, twice_id);
    EXPECT_EQ(report.renamed[0].kind, btf::kind::func);
    EXPECT_EQ(report.renamed[0].from, "twice<unsigned int>");
    EXPECT_EQ(report.renamed[0].to, "twice_unsigned_int_");
    ASSERT_EQ(report.dropped_members.size(), 3u);
    EXPECT_EQ(report.dropped_members[0].member, "get");
    EXPECT_EQ(report.dropped_members[1].member, "set");
    EXPECT_EQ(report.dropped_members[2].member, "limit");
    EXPECT_EQ(report.dropped_members[2].type_name, "with_static");
    ASSERT_EQ(report.retyped_members.size(), 4u);
    EXPECT_EQ(report.retyped_members[0].member, "r");
    EXPECT_EQ(report.retyped_members[0].byte_size, 8u);
    EXPECT_EQ(report.retyped_members[3].member, "pmf");
    EXPECT_EQ(report.retyped_members[3].byte_size, 16u);
    ASSERT_EQ(report.retyped_params.size(), 1u);
    EXPECT_EQ(report.retyped_params[0].type_id, add_ref_proto_id);
    EXPECT_EQ(report.retyped_params[0].name, "out");
    EXPECT_TRUE(report.changed());
    auto summary = report.summary();
    EXPECT_THAT(summary, HasSubstr("renamed 5, dropped 3 members, retyped 4 members and 1 parameters"));
    EXPECT_THAT(summary, HasSubstr("dropped member 'get' (#2, bit 256) of [18] 'with_methods'"));
    EXPECT_THAT(
        summary,
        HasSubstr("retyped member 'pmf' (#2, bit 128) of [31] 'with_member_ptr' as unsigned char[16]"));

    // A second pass has nothing left to do.
    btf::sanitize_report again;
    auto twice = btf::sanitize_cxx(out, &again);
    EXPECT_FALSE(again.changed()) << again.summary();
    EXPECT_EQ(twice, blob);
}

// Every object built in the tree, including btf_cxx_quirks.bpf.o however the
// build compiled it, sanitizes into BTF that follows the kernel's rules.
TEST(btf_sanitize_objects, EveryTestObject) {
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(BPFXX_TEST_OBJECTS)) {
        auto path = entry.path().string();
        if (!path.ends_with(".bpf.o")) continue;
        SCOPED_TRACE(path);
        auto bytes = read_file(path);
        bpfxx::elf::file f(bytes);
        const auto* s = f.find_section(".BTF");
        if (s == nullptr) continue;
        btf::btf raw(s->data);
        btf::sanitize_report report;
        btf::btf out(btf::sanitize_cxx(raw, &report));
        EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());
        EXPECT_EQ(out.size(), raw.size() + report.appended_types);
        if (path.ends_with("/btf_cxx_quirks.bpf.o")) {
            EXPECT_FALSE(kernel_rule_violations(raw).empty());
            EXPECT_TRUE(report.changed());
        }
        if (!report.changed()) {
            // Nothing to fix: the blob is the original's sections, re-framed.
            EXPECT_TRUE(
                std::equal(out.types().begin(), out.types().end(), raw.types().begin(), raw.types().end()));
            EXPECT_TRUE(std::equal(out.strings().begin(), out.strings().end(), raw.strings().begin(),
                                   raw.strings().end()));
        }
        ++checked;
    }
    EXPECT_GE(checked, 2);
}

TEST(btf_sanitize_objects, PlainCObjectIsUnchanged) {
    auto bytes = read_file(std::string(BPFXX_TEST_OBJECTS) + "/btf_types.bpf.o");
    bpfxx::elf::file f(bytes);
    btf::btf raw(f.find_section(".BTF")->data);
    btf::sanitize_report report;
    auto blob = btf::sanitize_cxx(raw, &report);
    EXPECT_FALSE(report.changed()) << report.summary();
    EXPECT_EQ(blob.size(), raw.raw().size());
}

// tests/bpf/unnamed_params.bpf.cpp as built: programs and a subprogram with
// unnamed parameters, and a function pointer whose stay unnamed.
TEST(btf_sanitize_objects, UnnamedParameters) {
    auto bytes = read_file(std::string(BPFXX_TEST_OBJECTS) + "/unnamed_params.bpf.o");
    bpfxx::elf::file f(bytes);
    btf::btf raw(f.find_section(".BTF")->data);
    EXPECT_THAT(kernel_rule_violations(raw), testing::Contains(HasSubstr("FUNC 'unnamed_ctx' parameter #0 unnamed")));
    btf::sanitize_report report;
    btf::btf out(btf::sanitize_cxx(raw, &report));
    EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());
    auto proto_of = [&](std::string_view func) {
        auto id = out.find(func, btf::kind::func);
        EXPECT_TRUE(id.has_value()) << func;
        return id ? btf::cxx_type_name(out, out.type(*id).type()) : std::string();
    };
    EXPECT_EQ(proto_of("unnamed_ctx"), "int(void* arg0)");
    EXPECT_EQ(proto_of("unnamed_subprogram"), "int(raw_tracepoint_args* ctx)");
    EXPECT_EQ(proto_of("mix"), "u32(u32 arg1, u32 arg1_1, u32 arg2)");
    auto hook = out.find("unnamed_hook", btf::kind::var);
    ASSERT_TRUE(hook.has_value());
    EXPECT_EQ(btf::cxx_type_name(out, out.type(*hook).type()), "int(*)(int, long)");
    EXPECT_EQ(report.named_params.size(), 3u) << report.summary();
}

// ---- one rule at a time -----------------------------------------------------------

TEST(btf_sanitize_rules, TypeZeroMembers) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);  // 1
    // static constexpr declared first: type 0 at the offset of real data.
    auto first = bb.struct_("first", 8, {{"k", 0, 0}, {"a", i, 0}, {"b", i, 32}});  // 2
    // a trailing reference takes the space up to the end.
    auto tail = bb.struct_("tail", 16, {{"a", i, 0}, {"r", 0, 64}});  // 3
    // an empty base (offset 0, data also at 0) occupies nothing.
    auto ebo = bb.struct_("ebo", 4, {{"", 0, 0}, {"a", i, 0}});  // 4
    // a type-0 bitfield and an unaligned one cannot be byte arrays.
    auto bits =
        bb.struct_("bits", 8, {{"a", i, 3u << 24}, {"f", 0, (2u << 24) | 3}, {"g", 0, 36}}, true);  // 5
    // unions: type-0 members and members off 0 go.
    auto u = bb.union_("u", 8, {{"a", i, 0}, {"m", 0, 0}, {"b", i, 32}});  // 6
    // a method at an offset inside a large struct, after the data.
    auto big = bb.struct_("big", 64,
                          {{"a", i, 0}, {"buf", bb.array(i, i, 15), 32}, {"get", 0, 256}});  // 7 (array 8)
    btf::btf in(bb.build());
    btf::sanitize_report report;
    btf::btf out(btf::sanitize_cxx(in, &report));
    EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());
    EXPECT_THAT(member_names(out, first), ElementsAre("a@0:int", "b@32:int"));
    EXPECT_THAT(member_names(out, tail), ElementsAre("a@0:int", "r@64:unsigned char[8]"));
    EXPECT_THAT(member_names(out, ebo), ElementsAre("a@0:int"));
    EXPECT_THAT(member_names(out, bits), ElementsAre("a@0:int"));
    EXPECT_EQ(out.type(bits).members()[0].bitfield_size, 3u);
    EXPECT_THAT(member_names(out, u), ElementsAre("a@0:int"));
    EXPECT_THAT(member_names(out, big), ElementsAre("a@0:int", "buf@32:int[15]"));
    EXPECT_EQ(report.dropped_members.size(), 7u);
    EXPECT_EQ(report.retyped_members.size(), 1u);
    // No byte INT and no unsigned 4-byte INT in the input: "unsigned char"
    // is appended and indexes its own array.
    ASSERT_EQ(out.size(), in.size() + 2);
    EXPECT_EQ(out.type(in.size()).name(), "unsigned char");
    EXPECT_EQ(out.type(in.size() + 1).array().index_type, in.size());
}

TEST(btf_sanitize_rules, Parameters) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);                                     // 1
    auto proto = bb.func_proto(i, {{"fmt", i}, {"ref", 0}, {"", 0}});  // 2: '...' stays
    // Not trailing, so not '...'; stays unnamed: no FUNC has this prototype.
    auto unnamed = bb.func_proto(i, {{"", 0}, {"b", i}});  // 3
    auto names = bb.func_proto(0, {{"a<b>", i}});                      // 4
    btf::btf in(bb.build());
    btf::sanitize_report report;
    btf::btf out(btf::sanitize_cxx(in, &report));
    EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());
    ASSERT_EQ(out.size(), in.size() + 1);  // void* appended
    auto void_ptr = in.size();
    EXPECT_EQ(out.type(void_ptr).kind(), btf::kind::ptr);
    EXPECT_EQ(out.type(void_ptr).type(), 0u);
    EXPECT_EQ(btf::cxx_type_name(out, proto), "int(int fmt, void* ref, ...)");
    EXPECT_EQ(btf::cxx_type_name(out, unnamed), "int(void*, int b)");
    EXPECT_EQ(btf::cxx_type_name(out, names), "void(int a_b_)");
    ASSERT_EQ(report.retyped_params.size(), 2u);
    EXPECT_EQ(report.retyped_params[0].index, 1u);
    EXPECT_EQ(report.retyped_params[1].type_id, unnamed);
    ASSERT_EQ(report.renamed.size(), 1u);
    EXPECT_EQ(report.renamed[0].index, 0);
}

// A FUNC's prototype gets argN for each unnamed parameter; a function
// pointer's keeps its unnamed ones (the kernel accepts those).
TEST(btf_sanitize_rules, UnnamedParameters) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);  // 1
    auto ctx = bb.func_proto(i, {{"", bb.ptr(0)}});  // 3 (void* is 2)
    bb.func("prog", ctx, 1);                         // 4
    // Collides with a named one: arg1 is taken, so arg1_1.
    auto taken = bb.func_proto(i, {{"arg1", i}, {"", i}, {"", i}});  // 5
    bb.func("mix", taken, 0);                                       // 6
    // arg0 and arg0_1 are taken, the latter only once "arg0<1" is renamed.
    auto renamed = bb.func_proto(i, {{"", i}, {"arg0", i}, {"arg0<1", i}});  // 7
    bb.func("f", renamed, 0);                                              // 8
    // An unnamed reference (type 0, not trailing): void* and a name; a
    // trailing type-0 parameter without a name is '...' and stays.
    auto ref = bb.func_proto(i, {{"", 0}, {"", i}, {"", 0}});  // 9
    bb.func("g", ref, 0);                                      // 10
    // A function pointer's prototype, also reached from a FUNC: both the same.
    auto shared = bb.func_proto(0, {{"", i}});  // 11
    bb.ptr(shared);                             // 12
    bb.func("h", shared, 0);                    // 13
    auto pointer_only = bb.func_proto(i, {{"", i}, {"", i}});  // 14
    bb.ptr(pointer_only);                                      // 15
    btf::btf in(bb.build());
    ASSERT_EQ(in.size(), 16u);
    EXPECT_THAT(kernel_rule_violations(in),
                ElementsAre("[4] FUNC 'prog' parameter #0 unnamed", "[6] FUNC 'mix' parameter #1 unnamed",
                            "[6] FUNC 'mix' parameter #2 unnamed", "[7] invalid parameter name",
                            "[8] FUNC 'f' parameter #0 unnamed", "[9] parameter #0 of type 0",
                            "[10] FUNC 'g' parameter #1 unnamed", "[13] FUNC 'h' parameter #0 unnamed"));
    btf::sanitize_report report;
    auto blob = btf::sanitize_cxx(in, &report);
    btf::btf out(blob);
    EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());

    // Ids and kinds stay; only void* would be appended, and the object has one.
    ASSERT_EQ(out.size(), in.size());
    for (std::uint32_t id = 1; id < in.size(); ++id) EXPECT_EQ(out.type(id).kind(), in.type(id).kind()) << id;
    ASSERT_GE(out.strings().size(), in.strings().size());
    EXPECT_EQ(std::memcmp(out.strings().data(), in.strings().data(), in.strings().size()), 0);

    EXPECT_EQ(btf::cxx_type_name(out, ctx), "int(void* arg0)");
    EXPECT_EQ(btf::cxx_type_name(out, taken), "int(int arg1, int arg1_1, int arg2)");
    EXPECT_EQ(btf::cxx_type_name(out, renamed), "int(int arg0_2, int arg0, int arg0_1)");
    EXPECT_EQ(btf::cxx_type_name(out, ref), "int(void* arg0, int arg1, ...)");
    EXPECT_EQ(btf::cxx_type_name(out, shared), "void(int arg0)");
    EXPECT_EQ(btf::cxx_type_name(out, pointer_only), "int(int, int)");
    EXPECT_EQ(out.type(pointer_only).params()[0].name_off, 0u);
    // One string per distinct new name.
    EXPECT_EQ(out.type(ctx).params()[0].name_off, out.type(ref).params()[0].name_off);

    ASSERT_EQ(report.named_params.size(), 7u);
    EXPECT_EQ(report.named_params[0].type_id, ctx);
    EXPECT_EQ(report.named_params[0].index, 0u);
    EXPECT_EQ(report.named_params[0].name, "arg0");
    EXPECT_EQ(report.named_params[2].type_id, taken);
    EXPECT_EQ(report.named_params[2].index, 2u);
    EXPECT_EQ(report.named_params[2].name, "arg2");
    EXPECT_EQ(report.named_params[3].name, "arg0_2");
    ASSERT_EQ(report.retyped_params.size(), 1u);
    EXPECT_EQ(report.retyped_params[0].type_id, ref);
    ASSERT_EQ(report.renamed.size(), 1u);
    EXPECT_EQ(report.renamed[0].to, "arg0_1");
    auto summary = report.summary();
    EXPECT_THAT(summary, HasSubstr("named 7 parameters"));
    EXPECT_THAT(summary, HasSubstr("named parameter #1 of [5] 'arg1_1'"));

    btf::sanitize_report again;
    EXPECT_EQ(btf::sanitize_cxx(out, &again), blob);
    EXPECT_FALSE(again.changed()) << again.summary();
}

// Parameters named argN..argN_k: each unnamed one still gets a free name.
TEST(btf_sanitize_rules, UnnamedParameterNameSearch) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);
    auto proto = bb.func_proto(i, {{"", i}, {"arg0", i}, {"arg0_1", i}, {"arg0_2", i}, {"arg0_3", i}, {"", i},
                                   {"arg5_1", i}, {"arg5", i}});
    bb.func("f", proto, 0);
    btf::btf out(btf::sanitize_cxx(btf::btf(bb.build())));
    EXPECT_EQ(btf::cxx_type_name(out, proto),
              "int(int arg0_4, int arg0, int arg0_1, int arg0_2, int arg0_3, int arg5_2, int arg5_1, int arg5)");
}

TEST(btf_sanitize_rules, Names) {
    btf_builder bb;
    auto i = bb.int_("unsigned int", 4);                         // 1: INT names may have spaces
    auto e = bb.enum_("flags<3>", 4, {{"A::B", 1}, {"ok", 2}});  // 2
    auto f = bb.fwd("node<int>");                                // 3
    auto sv = bb.var("counter<int>", i, 0);                      // 4: static: renamed
    auto gv = bb.var("g<int>", i, 1);                            // 5: global: matches ELF
    auto ev = bb.var("e<int>", i, 2);                            // 6: extern
    auto digit = bb.typedef_("3d", i);                           // 7
    const std::string long_name = "vec<" + std::string(200, 'x') + ">";
    auto longer = bb.typedef_(long_name, i);             // 8
    auto fl = bb.float_("long double", 16);              // 9
    auto ds = bb.datasec(".data.rel", 4, {{gv, 0, 4}});  // 10
    auto tag = bb.decl_tag("a tag, any text", i, -1);    // 11: not a name: kept
    auto s = bb.struct_("s", 4, {{"m<1>", i, 0}});       // 12
    btf::btf in(bb.build());
    btf::sanitize_report report;
    btf::btf out(btf::sanitize_cxx(in, &report));
    EXPECT_EQ(out.type(i).name(), "unsigned int");
    EXPECT_EQ(out.type(e).name(), "flags_3_");
    EXPECT_EQ(out.type(e).enumerators()[0].name, "A__B");
    EXPECT_EQ(out.type(e).enumerators()[1].name, "ok");
    EXPECT_EQ(out.type(f).name(), "node_int_");
    EXPECT_EQ(out.type(sv).name(), "counter_int_");
    EXPECT_EQ(out.type(gv).name(), "g<int>");
    EXPECT_EQ(out.type(ev).name(), "e<int>");
    EXPECT_EQ(out.type(digit).name(), "_3d");
    auto hashed = out.type(longer).name();
    EXPECT_EQ(hashed.size(), 127u);
    EXPECT_EQ(hashed.substr(0, 10), "vec_xxxxxx");
    EXPECT_EQ(hashed, btf::to_btf_identifier(long_name));
    EXPECT_NE(hashed, btf::to_btf_identifier("vec<" + std::string(201, 'x') + ">"));
    EXPECT_EQ(out.type(fl).name(), "long double");
    EXPECT_EQ(out.type(ds).name(), ".data.rel");
    EXPECT_EQ(out.type(tag).name(), "a tag, any text");
    EXPECT_EQ(out.type(s).members()[0].name, "m_1_");
    EXPECT_EQ(report.renamed.size(), 7u);
    EXPECT_EQ(out.size(), in.size());
    // Identical new names share one appended string.
    EXPECT_EQ(out.type(sv).name_off(), btf::btf(btf::sanitize_cxx(in)).type(sv).name_off());
}

TEST(btf_sanitize_rules, DeclTagsFollowTheirMembers) {
    btf_builder bb;
    auto i = bb.int_("int", 4, 1);                                          // 1
    auto s = bb.struct_("s", 8, {{"a", i, 0}, {"k", 0, 0}, {"b", i, 32}});  // 2
    auto on_b = bb.decl_tag("tag_b", s, 2);                                 // 3
    auto on_k = bb.decl_tag("tag_k", s, 1);                                 // 4
    auto on_a = bb.decl_tag("tag_a", s, 0);                                 // 5
    auto on_s = bb.decl_tag("tag_s", s, -1);                                // 6
    btf::btf in(bb.build());
    btf::sanitize_report report;
    btf::btf out(btf::sanitize_cxx(in, &report));
    EXPECT_EQ(out.type(on_b).decl_tag_component_idx(), 1);
    EXPECT_EQ(out.type(on_k).decl_tag_component_idx(), -1);
    EXPECT_EQ(out.type(on_a).decl_tag_component_idx(), 0);
    EXPECT_EQ(out.type(on_s).decl_tag_component_idx(), -1);
    ASSERT_EQ(report.retargeted_tags.size(), 2u);
    EXPECT_EQ(report.retargeted_tags[0].type_id, on_b);
    EXPECT_EQ(report.retargeted_tags[0].from, 2);
    EXPECT_EQ(report.retargeted_tags[0].to, 1);
    EXPECT_EQ(report.retargeted_tags[1].to, -1);
}

TEST(btf_sanitize_rules, SplitBtf) {
    btf_builder base;
    auto i = base.int_("int", 4, 1);  // 1
    base.ptr(0);                      // 2: void*
    btf::btf vmlinux(base.build());
    btf_builder mod(vmlinux.size(), static_cast<std::uint32_t>(vmlinux.strings().size()));
    auto s = mod.struct_("m<int>", 16, {{"a", i, 0}, {"r", 0, 64}});  // 3
    auto proto = mod.func_proto(i, {{"x", 0}});                       // 4
    btf::btf in(mod.build(), &vmlinux);
    btf::sanitize_report report;
    auto blob = btf::sanitize_cxx(in, &report);
    btf::btf out(blob, &vmlinux);
    EXPECT_THAT(kernel_rule_violations(out), testing::IsEmpty());
    EXPECT_EQ(out.start_id(), 3u);
    EXPECT_EQ(out.type(s).name(), "m_int_");
    EXPECT_EQ(report.first_appended_id, 5u);
    // Appended: unsigned char, its array, void* (own types only are reused).
    ASSERT_EQ(out.size(), 8u);
    EXPECT_THAT(member_names(out, s), ElementsAre("a@0:int", "r@64:unsigned char[8]"));
    EXPECT_EQ(btf::cxx_type_name(out, proto), "int(void* x)");
    EXPECT_EQ(out.string_at(vmlinux.strings().size() + 1), "m<int>");  // original strings stay
}

TEST(btf_sanitize_names, Helpers) {
    EXPECT_EQ(btf::to_btf_identifier("hash_map<unsigned int, Event>"), "hash_map_unsigned_int__Event_");
    EXPECT_EQ(btf::to_btf_identifier("ns::type"), "ns__type");
    EXPECT_EQ(btf::to_btf_identifier("(lambda at x.cpp:3:4)"), "_lambda_at_x_cpp_3_4_");
    EXPECT_EQ(btf::to_btf_identifier("9lives"), "_9lives");
    EXPECT_TRUE(btf::is_btf_identifier("task_struct"));
    EXPECT_TRUE(btf::is_btf_identifier("_x9"));
    EXPECT_FALSE(btf::is_btf_identifier(""));
    EXPECT_FALSE(btf::is_btf_identifier("9x"));
    EXPECT_FALSE(btf::is_btf_identifier("a.b"));
    EXPECT_FALSE(btf::is_btf_identifier(std::string(128, 'a')));
    EXPECT_TRUE(btf::is_btf_identifier(std::string(127, 'a')));
    static_assert(btf::strip_cxx_suffix("private___cxx") == "private");
    static_assert(btf::strip_cxx_suffix("new___cxx") == "new");
    static_assert(btf::strip_cxx_suffix("pid") == "pid");
    static_assert(btf::strip_cxx_suffix("___cxx") == "___cxx");
    static_assert(btf::strip_cxx_suffix("a___cxx_") == "a___cxx_");
}

}  // namespace
