// SPDX-License-Identifier: MIT OR Apache-2.0
// The kernel configuration reader: gunzip (stored, fixed and dynamic
// Huffman blocks; every malformed input an error), the .config parser, the
// value encoding of .kconfig externs with libbpf's rules, and the layout
// the object gives them.
#include <bpfxx/detail/inflate.hpp>
#include <bpfxx/kconfig.hpp>
#include <bpfxx/object.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace {

using ::testing::HasSubstr;

std::vector<std::byte> bytes(std::string_view s) {
    std::vector<std::byte> out(s.size());
    if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());  // data() of an empty vector may be null
    return out;
}

// Made with Python's gzip module (mtime 0): at level 0 one stored block; at
// level 9 one fixed-Huffman block with a back reference ("CONFIG_" twice).
constexpr std::string_view stored_gz{
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\x03\x01\x0d\x00\xf2\xff\x43\x4f\x4e\x46\x49\x47\x5f\x42\x50\x46\x3d\x79"
    "\x0a\xb1\x0f\xcd\x28\x0d\x00\x00\x00",
    36};
constexpr std::string_view fixed_gz{
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x73\xf6\xf7\x73\xf3\x74\x8f\x77\x0a\x70\xb3\xad\xe4\x72\x86\x70\x3c"
    "\xa2\x6c\x8d\x4c\x0d\xb8\x00\x82\x77\xb4\x61\x1b\x00\x00\x00",
    42};

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const bpfxx::error& e) {
        return e.what();
    }
    return "no error";
}

TEST(Gunzip, StoredAndFixedHuffmanBlocks) {
    EXPECT_EQ(bpfxx::detail::gunzip(bytes(stored_gz)), "CONFIG_BPF=y\n");
    EXPECT_EQ(bpfxx::detail::gunzip(bytes(fixed_gz)), "CONFIG_BPF=y\nCONFIG_HZ=250\n");
}

// Dynamic Huffman blocks, long back references and a header with the file
// name (gzip stores it): what the system's gzip makes of a config-like text.
TEST(Gunzip, WhatGzipMakesOfALargeText) {
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += "CONFIG_OPTION_" + std::to_string(i * 7919 % 10007) + (i % 3 == 0 ? "=y\n" : "=m\n");
    const std::string path = testing::TempDir() + "bpfxx_kconfig_text";
    std::ofstream(path) << text;
    for (const char* level : {"-1", "-6", "-9"}) {
        const std::string cmd = std::string("gzip -c ") + level + " " + path;
        FILE* p = ::popen(cmd.c_str(), "r");
        ASSERT_NE(p, nullptr);
        std::vector<std::byte> gz;
        std::array<std::byte, 4096> buf;
        for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) gz.insert(gz.end(), buf.begin(), buf.begin() + n);
        ASSERT_EQ(::pclose(p), 0) << "gzip is missing";
        ASSERT_GT(gz.size(), 18u);
        EXPECT_NE(static_cast<int>(gz[3]) & 0x08, 0) << "no file name in the header";
        EXPECT_EQ(bpfxx::detail::gunzip(gz), text) << level;
    }
    std::remove(path.c_str());
}

TEST(Gunzip, EveryTruncationIsAnError) {
    for (auto gz : {stored_gz, fixed_gz})
        for (std::size_t n = 0; n < gz.size(); ++n)
            EXPECT_THAT(error_of([&] { (void)bpfxx::detail::gunzip(bytes(gz.substr(0, n))); }),
                        HasSubstr("malformed gzip data"))
                << n;
}

TEST(Gunzip, CorruptionIsAnError) {
    auto with = [](std::string_view gz, std::size_t at, unsigned char v) {
        auto b = bytes(gz);
        b[at] = std::byte{v};
        return error_of([&] { (void)bpfxx::detail::gunzip(b); });
    };
    EXPECT_THAT(with(stored_gz, 0, 0x1e), HasSubstr("no gzip magic number"));
    EXPECT_THAT(with(stored_gz, 2, 7), HasSubstr("other than DEFLATE"));
    EXPECT_THAT(with(stored_gz, 3, 0x20), HasSubstr("reserved header flags"));
    EXPECT_THAT(with(stored_gz, 13, 0xf3), HasSubstr("length and its complement disagree"));
    EXPECT_THAT(with(stored_gz, 20, 'X'), HasSubstr("CRC-32 does not match"));
    EXPECT_THAT(with(stored_gz, 32, 14), HasSubstr("length does not match"));
    EXPECT_THAT(with(stored_gz, 10, 0x07), HasSubstr("block type 3"));
}

TEST(Gunzip, OutputPastTheLimitIsRefused) {
    try {
        (void)bpfxx::detail::gunzip(bytes(fixed_gz), 10);
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EFBIG);
        EXPECT_THAT(e.what(), HasSubstr("more than the 10 bytes accepted"));
    }
}

TEST(KernelConfig, ParsesSetOptionsOnly) {
    auto c = bpfxx::kernel_config::parse(
        "#\n# Automatically generated file\n#\nCONFIG_BPF=y\n# CONFIG_FOO is not set\nCONFIG_HZ=250\r\n"
        "CONFIG_DEFAULT_HOSTNAME=\"(none)\"\nCONFIG_BPF=n\nCONFIG_=x\nNOT_CONFIG_X=y\nCONFIG_LAST=m");
    EXPECT_EQ(c.size(), 5u);  // BPF twice, HZ, DEFAULT_HOSTNAME, LAST
    EXPECT_EQ(c.value("CONFIG_BPF"), "y");  // the first wins
    EXPECT_EQ(c.value("CONFIG_HZ"), "250");
    EXPECT_EQ(c.value("CONFIG_DEFAULT_HOSTNAME"), "\"(none)\"");
    EXPECT_EQ(c.value("CONFIG_LAST"), "m");
    EXPECT_EQ(c.value("CONFIG_FOO"), std::nullopt);
    EXPECT_EQ(c.value("CONFIG_"), std::nullopt);
    // Views into a moved configuration stay valid (offsets, not pointers).
    auto moved = std::move(c);
    EXPECT_EQ(moved.value("CONFIG_HZ"), "250");
}

namespace kc = bpfxx::kconfig;

template <std::size_t N>
std::string encode(std::string_view text, kc::value_type t, std::array<unsigned char, N>& out) {
    out.fill(0xee);
    std::fill_n(out.begin(), t.size, 0);
    return kc::encode(text, t, std::as_writable_bytes(std::span(out)).first(t.size));
}

TEST(Kconfig, EncodesEachClassAsLibbpfDoes) {
    std::array<unsigned char, 16> out{};
    const kc::value_type boolean{kc::value_kind::boolean, 1, 1, false};
    const kc::value_type tristate{kc::value_kind::tristate, 4, 4, false};
    const kc::value_type character{kc::value_kind::character, 1, 1, true};
    const kc::value_type i32{kc::value_kind::integer, 4, 4, true};
    const kc::value_type u16{kc::value_kind::integer, 2, 2, false};
    const kc::value_type u64{kc::value_kind::integer, 8, 8, false};
    const kc::value_type str{kc::value_kind::string, 8, 1, false};

    EXPECT_EQ(encode("y", boolean, out), "");
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 0xee);  // nothing past the value
    EXPECT_EQ(encode("n", boolean, out), "");
    EXPECT_EQ(out[0], 0);
    EXPECT_THAT(encode("m", boolean, out), HasSubstr("does not fit a bool"));
    for (auto [text, v] : std::initializer_list<std::pair<const char*, int>>{{"y", 1}, {"m", 2}, {"n", 0}}) {
        EXPECT_EQ(encode(text, tristate, out), "");
        std::int32_t got;
        std::memcpy(&got, out.data(), 4);
        EXPECT_EQ(got, v) << text;
    }
    EXPECT_EQ(encode("m", character, out), "");
    EXPECT_EQ(out[0], 'm');
    EXPECT_EQ(encode("65", character, out), "");  // chars take numbers too
    EXPECT_EQ(out[0], 65);
    EXPECT_THAT(encode("y", i32, out), HasSubstr("needs a bool, tristate or char extern"));

    auto i32_of = [&](std::string_view text) {
        std::int32_t got = 0;
        auto why = encode(text, i32, out);
        std::memcpy(&got, out.data(), 4);
        return why.empty() ? std::to_string(got) : why;
    };
    EXPECT_EQ(i32_of("250"), "250");
    EXPECT_EQ(i32_of("0x10"), "16");
    EXPECT_EQ(i32_of("010"), "8");  // octal, as strtoull reads it
    EXPECT_EQ(i32_of("-1"), "-1");
    EXPECT_EQ(i32_of("0"), "0");
    EXPECT_EQ(i32_of("2147483647"), "2147483647");
    EXPECT_THAT(i32_of("2147483648"), HasSubstr("does not fit a signed 32-bit integer"));
    EXPECT_THAT(i32_of("12abc"), HasSubstr("is not a number"));
    EXPECT_THAT(i32_of("\"x\""), HasSubstr("a string needs a char array extern"));
    EXPECT_THAT(encode("65536", u16, out), HasSubstr("does not fit an unsigned 16-bit integer"));
    EXPECT_EQ(encode("65535", u16, out), "");
    EXPECT_EQ(encode("0xffffffffffffffff", u64, out), "");
    EXPECT_EQ(out[7], 0xff);
    EXPECT_THAT(encode("0x1ffffffffffffffff", u64, out), HasSubstr("is not a number"));

    EXPECT_EQ(encode("\"(none)\"", str, out), "");
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data())), "(none)");
    EXPECT_EQ(encode("\"a longer string\"", str, out), "");  // cut to fit, NUL-terminated
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data())), "a longe");
    EXPECT_THAT(encode("\"open", str, out), HasSubstr("no closing quote"));
    EXPECT_THAT(encode("12", str, out), HasSubstr("needs an integer extern"));
}

TEST(Kconfig, VersionCodes) {
    EXPECT_EQ(kc::version_code("6.18.0-rc1"), (6u << 16) | (18u << 8));
    EXPECT_EQ(kc::version_code("5.10.0-32-amd64"), (5u << 16) | (10u << 8));
    EXPECT_EQ(kc::version_code("4.19.325"), (4u << 16) | (19u << 8) | 255u);  // capped, as KERNEL_VERSION does
    EXPECT_EQ(kc::version_code("6.1"), 0u);  // three numbers, as libbpf's sscanf wants
    EXPECT_EQ(kc::version_code("6.1-rc1"), 0u);
    EXPECT_EQ(kc::version_code("6"), 0u);
    EXPECT_EQ(kc::version_code("linux"), 0u);
    EXPECT_EQ(kc::version_code("300.1.1"), 0u);
}

// libbpf's layout: descending alignment, then ascending size, then name.
TEST(Kconfig, ObjectLaysOutTheExternsAsLibbpf) {
    auto o = bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/kconfig.bpf.o");
    std::vector<std::pair<std::string, std::uint32_t>> layout;
    for (const auto& e : o.externs()) {
        ASSERT_EQ(e.kind, bpfxx::extern_symbol::kind::kconfig) << e.name;
        layout.emplace_back(std::string(e.name), e.offset);
    }
    std::sort(layout.begin(), layout.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    const std::vector<std::pair<std::string, std::uint32_t>> want{
        {"CONFIG_NR_CPUS", 0},         {"CONFIG_BPFXX_NO_SUCH_OPTION", 8}, {"CONFIG_BPFXX_TEST_TRISTATE", 12},
        {"CONFIG_BPF_SYSCALL", 16},    {"CONFIG_HZ", 20},                  {"LINUX_KERNEL_VERSION", 24},
        {"CONFIG_BPF", 28},            {"CONFIG_BPF_JIT", 29},             {"LINUX_HAS_BPF_COOKIE", 30},
        {"LINUX_HAS_SYSCALL_WRAPPER", 31}, {"CONFIG_DEFAULT_HOSTNAME", 32}};
    EXPECT_EQ(layout, want);
    const bpfxx::map_definition* kconfig = nullptr;
    for (const auto& m : o.maps())
        if (m.global == bpfxx::global_section::kconfig) kconfig = &m;
    ASSERT_NE(kconfig, nullptr);
    EXPECT_EQ(kconfig->value_size, 48u);
    for (const auto& e : o.externs())
        EXPECT_EQ(e.weak, e.name == "CONFIG_BPFXX_NO_SUCH_OPTION" || e.name == "CONFIG_BPFXX_TEST_TRISTATE") << e.name;
}

}  // namespace
