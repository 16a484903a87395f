// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::elf::binary, the reader that places uprobes: the offset it finds
// for a function must hold that function's code. Checked against this test
// binary (a PIE with a .symtab) and the C library (.dynsym only, versioned
// symbols, indirect functions) by comparing the file's bytes at the offset
// with the bytes the dynamic loader mapped at the function's address.
// Malformed files are errors that name the file.
#include <bpfxx/attach.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/binary.hpp>

#include "expect_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" [[gnu::noinline]] long bpfxx_binary_test_function(long a) {
    asm volatile("" ::: "memory");
    return a * 7 + 1;
}

namespace {

using bpfxx_test::expect_error;
using testing::HasSubstr;

// The file's bytes at `offset` equal the code mapped at `address`.
void expect_same_code(const std::vector<std::byte>& file, std::uint64_t offset, const void* address) {
    ASSERT_LT(offset + 16, file.size());
    EXPECT_EQ(std::memcmp(file.data() + offset, address, 16), 0) << "file offset " << offset;
}

// The C library's own `name` (default version), not an interceptor that a
// sanitizer put in front of it (ASan intercepts realpath); null when there
// is no shared C library.
void* libc_symbol(const char* name) {
    void* h = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) return nullptr;
    void* p = ::dlsym(h, name);
    ::dlclose(h);
    return p;
}

// The shared C library this test runs with; empty when linked statically
// (the cross build's tests), where there is none to read.
std::string libc_path() {
    Dl_info info{};
    void* getpid = libc_symbol("getpid");
    if (getpid == nullptr || ::dladdr(getpid, &info) == 0 || info.dli_fname == nullptr) return {};
    std::string path = info.dli_fname;
    return path.find("libc.so") == std::string::npos ? std::string() : path;
}

TEST(ElfBinary, FindsAFunctionOfThisExecutable) {
    auto bytes = bpfxx::detail::read_file("/proc/self/exe");
    bpfxx::elf::binary b(bytes, "/proc/self/exe");
    auto f = b.function("bpfxx_binary_test_function");
    EXPECT_FALSE(f.dynamic);
    EXPECT_EQ(f.name, "bpfxx_binary_test_function");
    EXPECT_GT(f.size, 0u);
    expect_same_code(bytes, f.file_offset, reinterpret_cast<const void*>(&bpfxx_binary_test_function));
    EXPECT_EQ(bpfxx_binary_test_function(1), 8);
}

TEST(ElfBinary, FindsLibcFunctionsAndTheirDefaultVersion) {
    const std::string libc = libc_path();
    if (libc.empty()) GTEST_SKIP() << "no shared C library (linked statically)";
    auto bytes = bpfxx::detail::read_file(libc);
    bpfxx::elf::binary b(bytes, libc);
    auto getpid = b.function("getpid");
    expect_same_code(bytes, getpid.file_offset, libc_symbol("getpid"));
    // realpath has two versions on x86_64 (GLIBC_2.2.5, GLIBC_2.3): the
    // default one is what programs call.
    void* realpath = libc_symbol("realpath");
    ASSERT_NE(realpath, nullptr);
    expect_same_code(bytes, b.function("realpath").file_offset, realpath);
}

TEST(ElfBinary, RefusesIndirectFunctions) {
    const std::string libc = libc_path();
    if (libc.empty()) GTEST_SKIP() << "no shared C library (linked statically)";
    auto bytes = bpfxx::detail::read_file(libc);
    bpfxx::elf::binary b(bytes, libc);
    // glibc picks strlen's implementation for the CPU at run time.
    expect_error([&] { (void)b.function("strlen"); }, {"'strlen' is an indirect function (STT_GNU_IFUNC)"});
}

TEST(ElfBinary, MissingFunctionNamesTheFile) {
    auto bytes = bpfxx::detail::read_file("/proc/self/exe");
    bpfxx::elf::binary b(bytes, "/proc/self/exe");
    EXPECT_FALSE(b.find_function("no_such_function_here").has_value());
    expect_error([&] { (void)b.function("no_such_function_here"); },
                 {"cannot read binary '/proc/self/exe': it defines no function 'no_such_function_here'"});
    // A prefix is not a match.
    EXPECT_FALSE(b.find_function("bpfxx_binary_test").has_value());
}

TEST(ElfBinary, MalformedFilesAreErrors) {
    auto bytes = bpfxx::detail::read_file("/proc/self/exe");
    auto damaged = [&](std::size_t at, std::byte value) {
        auto copy = bytes;
        copy[at] = value;
        return copy;
    };
    auto open = [](const std::vector<std::byte>& b) { return bpfxx::elf::binary(b, "bad"); };
    expect_error([&] { (void)open(std::vector<std::byte>(bytes.begin(), bytes.begin() + 20)); },
                 {"cannot read binary 'bad'", "too short"});
    expect_error([&] { (void)open(damaged(4, std::byte{1})); }, {"not a 64-bit ELF"});
    expect_error([&] { (void)open(damaged(16, std::byte{1})); }, {"neither an executable"});
    // The section table moved past the end of the file.
    expect_error([&] { (void)open(damaged(47, std::byte{0x7f})); }, {"runs past the end of the file"});
    // Cut short: the tables no longer fit.
    std::vector<std::byte> half(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
    expect_error([&] { (void)open(half); }, {"cannot read binary 'bad'"});
}

TEST(ElfBinary, FindBinaryLooksUpLibrariesAndExecutables) {
    EXPECT_EQ(bpfxx::find_binary("/proc/self/exe"), "/proc/self/exe");
    const std::string libc = libc_path();
    if (!libc.empty()) {
        // By name in this process's mappings, and in the system's folders.
        auto mapped = bpfxx::find_binary("libc.so.6", ::getpid());
        EXPECT_THAT(mapped, HasSubstr("libc.so.6"));
        EXPECT_THAT(bpfxx::find_binary("libc.so.6"), HasSubstr("libc.so.6"));
    }
    EXPECT_THAT(bpfxx::find_binary("sh"), HasSubstr("/sh"));
    expect_error([] { (void)bpfxx::find_binary("libnothing-here.so.9"); },
                 {"cannot find library 'libnothing-here.so.9'", "give its path"});
    expect_error([] { (void)bpfxx::find_binary("no-such-program-anywhere"); },
                 {"cannot find executable 'no-such-program-anywhere' in PATH"});
}

}  // namespace
