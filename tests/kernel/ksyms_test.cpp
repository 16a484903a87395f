// SPDX-License-Identifier: MIT OR Apache-2.0
// .ksyms externs against the running kernel: tests/bpf/ksyms_c.bpf.c copies
// a typeless ksym's address, a missing weak one's and whether a typed
// (per-CPU) one resolved to .bss in a program run with BPF_PROG_TEST_RUN;
// the test compares with /proc/kallsyms, which it reads itself. Needs root
// (kernel addresses and CAP_BPF).
#include <bpfxx/core/target.hpp>  // detail::vmlinux_btf
#include <bpfxx/detail/file.hpp>
#include <bpfxx/detail/kallsyms.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/test_run.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using bpfxx::u64;

// The address of `name` in /proc/kallsyms, found here without bpfxx.
u64 kallsyms_address(const std::string& name) {
    std::ifstream in("/proc/kallsyms");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string address, type, symbol;
        fields >> address >> type >> symbol;
        if (symbol == name) return std::stoull(address, nullptr, 16);
    }
    return 0;
}

// What the program of `object` left in .bss, run once with BPF_PROG_TEST_RUN.
template <std::size_t N>
std::array<u64, N> run(const char* object, const char* program) {
    auto lo = bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/" + object));
    const std::array<u64, 2> args{0, 0};
    bpfxx::test_run_options o;
    o.context = bpfxx::bytes_of(args);
    EXPECT_EQ(bpfxx::test_run(lo.program(program).fd(), o).return_value, 0u);
    std::array<u64, N> seen{};
    const auto bss = lo.map(".bss").global_data();
    EXPECT_GE(bss.size(), sizeof seen);
    std::memcpy(seen.data(), bss.data(), std::min(sizeof seen, bss.size()));
    return seen;
}

TEST(Ksyms, TypelessAndWeakAsTheKernelListsThem) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (kernel addresses, CAP_BPF)";
    const auto schedule = kallsyms_address("schedule");
    ASSERT_NE(schedule, 0u) << "/proc/kallsyms lists no schedule";
    auto seen = run<2>("ksyms_c.bpf.o", "copy_ksyms");
    EXPECT_EQ(seen[0], schedule);
    EXPECT_EQ(seen[1], 0u) << "a weak ksym the kernel lacks is 0";
}

TEST(Ksyms, TypedPerCpuVariableByItsBtfId) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF)";
    if (!bpfxx::detail::vmlinux_btf().find("bpf_prog_active", bpfxx::btf::kind::var))
        GTEST_SKIP() << "the kernel's BTF has no per-CPU variables (pahole before 1.18 built it)";
    if (kallsyms_address("bpf_prog_active") == 0)
        GTEST_SKIP() << "/proc/kallsyms lists no data symbols (CONFIG_KALLSYMS_ALL off): the kernel cannot "
                        "resolve typed ksyms";
    auto seen = run<1>("ksyms_typed_c.bpf.o", "copy_typed_ksym");
    EXPECT_EQ(seen[0], 1u) << "bpf_this_cpu_ptr(&bpf_prog_active) was null";
}

TEST(Kallsyms, FindsNamesAndFlagsAmbiguousOnes) {
    const std::string text =
        "ffffffff81000000 T _stext\n"
        "ffffffff81001000 t schedule\n"
        "ffffffffc0001000 t veth_open\t[veth]\n"
        "garbage line\n"
        "ffffffff81002000 T dup\n"
        "ffffffff81003000 T dup\n"
        "ffffffff81002000 T\n"
        "zz T notanaddress\n";
    const std::array<std::string_view, 5> names{"schedule", "veth_open", "dup", "missing", "notanaddress"};
    std::array<bpfxx::detail::kallsyms_hit, 5> hits{};
    bpfxx::detail::find_kallsyms(text, names, hits);
    EXPECT_TRUE(hits[0].found);
    EXPECT_EQ(hits[0].address, 0xffffffff81001000u);
    EXPECT_TRUE(hits[1].found);
    EXPECT_EQ(hits[1].address, 0xffffffffc0001000u);
    EXPECT_TRUE(hits[2].ambiguous);
    EXPECT_FALSE(hits[3].found);
    EXPECT_FALSE(hits[4].found);
}

}  // namespace
