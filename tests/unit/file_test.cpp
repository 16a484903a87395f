// SPDX-License-Identifier: MIT OR Apache-2.0
// The one file reader (detail/file.hpp) against what a path can name besides
// a sane object: a directory, a device that never ends, a FIFO nobody
// writes, a sparse file of 100 GiB, a large file that is not an object.
// Each is a bpfxx::error naming the path, found before anything big is read
// or allocated, with no descriptor left open.
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/object.hpp>

#include "expect_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>

namespace {

using bpfxx_test::expect_error;
using testing::HasSubstr;

std::size_t open_fds() {
    std::size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d) != nullptr) ++n;
        ::closedir(d);
    }
    return n;
}

class FileReader : public testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/bpfxx-file-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        fds_ = open_fds();
    }
    void TearDown() override {
        EXPECT_EQ(open_fds(), fds_) << "a descriptor was left open";
        (void)std::system(("rm -rf '" + dir_ + "'").c_str());
    }

    int code_of(const std::string& path) {
        try {
            (void)bpfxx::detail::read_file(path, "test file");
        } catch (const bpfxx::error& e) {
            message_ = e.what();
            return e.code();
        }
        return 0;
    }

    std::string dir_;
    std::size_t fds_ = 0;
    std::string message_;
};

TEST_F(FileReader, DirectoryIsRefused) {
    EXPECT_EQ(code_of(dir_), EISDIR);
    EXPECT_THAT(message_, HasSubstr("cannot read test file '" + dir_ + "': it is a directory"));
}

TEST_F(FileReader, DeviceThatNeverEndsIsRefused) {
    EXPECT_EQ(code_of("/dev/zero"), EINVAL);
    EXPECT_THAT(message_, HasSubstr("not a regular file"));
}

TEST_F(FileReader, FifoWithoutWriterDoesNotBlock) {
    const auto fifo = dir_ + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(code_of(fifo), EINVAL);
    EXPECT_THAT(message_, HasSubstr("not a regular file"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// 100 GiB of holes: refused by its size, nothing allocated (it was
// std::bad_alloc, and a leaked descriptor, before).
TEST_F(FileReader, HugeSparseFileIsRefusedBeforeReading) {
    const auto path = dir_ + "/sparse";
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 100LL << 30), 0);
    ::close(fd);
    EXPECT_EQ(code_of(path), EFBIG);
    EXPECT_THAT(message_, HasSubstr("107374182400 bytes is more than the 536870912 accepted"));
}

// A large file that is no ELF file: refused after its first four bytes.
TEST_F(FileReader, ObjectMagicIsCheckedFirst) {
    const auto path = dir_ + "/not-an-object";
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 256LL << 20), 0);
    ::close(fd);
    const auto start = std::chrono::steady_clock::now();
    expect_error([&] { (void)bpfxx::object::open(path); },
                 {"cannot read BPF object '" + path + "': it does not start with the magic number of a BPF object"});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << "the whole file was read";
}

// The magic check must not consume any of the bytes it looked at.
TEST_F(FileReader, FileWithMagicIsReadWhole) {
    const auto path = dir_ + "/with-magic";
    const std::string body = "\x7f" "ELF\x02\x01 and the rest of the file";
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
    ::close(fd);
    const auto bytes = bpfxx::detail::read_file(path, "test file", 1 << 20, bpfxx::elf::magic);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), body);
}

TEST_F(FileReader, MissingFileNamesPathAndErrno) {
    EXPECT_EQ(code_of(dir_ + "/none"), ENOENT);
    EXPECT_THAT(message_, HasSubstr("cannot open test file '" + dir_ + "/none': No such file or directory (errno 2)"));
}

// procfs reports size 0: read to the end anyway.
TEST_F(FileReader, SmallFilesOfProcfsAreReadWhole) {
    int err = -1;
    const auto text = bpfxx::detail::read_small_file("/proc/self/status", err);
    EXPECT_EQ(err, 0);
    EXPECT_THAT(text, HasSubstr("Pid:"));
    (void)bpfxx::detail::read_small_file(dir_, err);
    EXPECT_EQ(err, EISDIR);
}

}  // namespace
