// SPDX-License-Identifier: MIT OR Apache-2.0
// Objects no compiler writes but an attacker can: tens of thousands of
// functions, call chains as deep as the file allows, symbol values at the
// end of the address range, names made of terminal escapes. Each parses in
// time that grows with its size, fails with a bpfxx::error, or both; none
// crashes (the ASan+UBSan build runs these too).
#include <bpfxx/detail/file.hpp>
#include <bpfxx/object.hpp>

#include "elf_builder.hpp"
#include "expect_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace {

using bpfxx_test::elf_builder;
using bpfxx_test::expect_error;
using testing::HasSubstr;
using testing::Not;

// 120,000 functions each called once by relocation: 7.6 MB in the file,
// 119 s to parse when every relocation scanned every function. A bound this
// loose only catches the quadratic shape coming back.
TEST(ObjectScale, ParseGrowsLinearlyWithFunctions) {
    const auto bytes = bpfxx_test::call_chain_object(120'000, false);
    const auto start = std::chrono::steady_clock::now();
    auto obj = bpfxx::object::parse(bytes, "wide.bpf.o");
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(obj.programs().size(), 1u);
    EXPECT_EQ(obj.subprograms().size(), 120'000u);
    EXPECT_EQ(obj.programs()[0].relocations.size(), 120'000u);
    EXPECT_EQ(obj.programs()[0].relocations.back().target_offset, 119'999u * 2 * sizeof(bpfxx::insn));
    EXPECT_LT(seconds, 30.0) << "parsing " << bytes.size() << " bytes took " << seconds << " s";
}

// A chain of 45,000 calls: the object model holds it (the loader places it
// without recursion: tests/kernel/loader_test.cpp).
TEST(ObjectScale, DeepCallChain) {
    auto obj = bpfxx::object::parse(bpfxx_test::call_chain_object(45'000), "deep.bpf.o");
    ASSERT_EQ(obj.subprograms().size(), 45'000u);
    EXPECT_EQ(obj.subprograms()[0].relocations.size(), 1u);
    EXPECT_EQ(obj.subprograms().back().relocations.size(), 0u);
    EXPECT_EQ(obj.function_at(obj.subprograms()[1].section_index, obj.subprograms()[1].offset),
              &obj.subprograms()[1]);
}

// A global whose symbol value is the largest signed 64-bit number, loaded
// with ld_imm64 + 1: the value must lie inside its section before anything
// is added to it (the sum overflowed, UB, before).
TEST(ObjectHostile, SymbolValuePastItsSection) {
    elf_builder b;
    const bpfxx::insn ld_imm64[2] = {
        {static_cast<std::uint8_t>(bpfxx::op::ld | bpfxx::op::imm | bpfxx::op::dw), 1, 0, 0, 1}, {0, 0, 0, 0, 0}};
    const auto prog = b.code("socket", {ld_imm64[0], ld_imm64[1], bpfxx_test::mov_r0(0), bpfxx_test::exit_insn()});
    const auto data = b.section(".data", elf_builder::sht_progbits, elf_builder::shf_alloc | elf_builder::shf_write,
                                std::vector<std::byte>(16), 8);
    b.section("license", elf_builder::sht_progbits, elf_builder::shf_alloc | elf_builder::shf_write,
              elf_builder::bytes_of(std::string_view("GPL\0", 4)), 1);
    const auto var = b.symbol("huge", data, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), 8,
                              elf_builder::stt_object, elf_builder::stb_global);
    b.symbol("entry", prog, 0, 4 * sizeof(bpfxx::insn), elf_builder::stt_func, elf_builder::stb_global);
    b.relocate(prog, 0, var, elf_builder::r_bpf_64_64);
    expect_error([&] { (void)bpfxx::object::parse(b.finish(), "huge.bpf.o"); },
                 {"symbol 'huge' has value 0x7fffffffffffffff, past the end of .data (16 bytes)"});
}

}  // namespace
