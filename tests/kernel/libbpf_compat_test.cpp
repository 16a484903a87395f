// SPDX-License-Identifier: MIT OR Apache-2.0
// What stock Debian bpftool/libbpf does with the objects bpfxx builds, run
// against the live kernel: the C++ objects that follow the kernel-side rules
// load with stock tools too; COMDAT subprograms are a known difference
// (libbpf fails, bpfxx's object model treats them as subprograms).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

struct command_result {
    int status = -1;
    std::string output;
};

command_result run(const std::string& cmd) {
    command_result r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    while (auto n = std::fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

class StockBpftool : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_SYS_ADMIN) to load programs";
        if (run("command -v bpftool").status != 0) GTEST_SKIP() << "bpftool is not installed (apt-get install bpftool)";
        // A private bpffs, so the test neither needs nor disturbs /sys/fs/bpf.
        char tmpl[] = "/tmp/bpfxx-bpffs-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) GTEST_SKIP() << "cannot create a temporary directory";
        dir_ = tmpl;
        if (mount("bpf", dir_.c_str(), "bpf", 0, nullptr) != 0) {
            std::filesystem::remove(dir_);
            dir_.clear();
            GTEST_SKIP() << "cannot mount a bpf filesystem (mount -t bpf): " << std::strerror(errno);
        }
    }
    void TearDown() override {
        if (dir_.empty()) return;
        umount2(dir_.c_str(), MNT_DETACH);
        std::filesystem::remove(dir_);
    }
    command_result loadall(const std::string& object) {
        // bpffs refuses names with a '.': pin under the object's stem.
        auto pin = dir_ + "/" + object.substr(0, object.find('.'));
        auto r = run("bpftool prog loadall " + std::string(BPFXX_TEST_OBJECTS) + "/" + object + " " + pin);
        run("rm -rf " + pin);
        return r;
    }
    std::string dir_;
};

TEST_F(StockBpftool, LoadsCxxObjectWithItsBtf) {
    auto r = loadall("maps_cxx.bpf.o");
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(StockBpftool, LoadsCxxObjectUsingEveryMapTemplate) {
    auto r = loadall("api_cxx.bpf.o");
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(StockBpftool, LoadsCxxObjectUsingTheOtherMapKinds) {
    // LPM trie, queue, stack, bloom filter, stack trace, program array and
    // maps of maps with their inner definitions (libbpf's __array(values)).
    auto r = loadall("map_kinds.bpf.o");
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(StockBpftool, LoadsPlainCObject) {
    auto r = loadall("plain_c.bpf.o");
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(StockBpftool, LoadsBitcodeLinkedMultiSourceObject) {
    auto r = loadall("multi.bpf.o");
    EXPECT_EQ(r.status, 0) << r.output;
}

// Known difference: clang puts non-inlined C++ inline/template functions in
// COMDAT .text.<mangled> sections; libbpf refuses calls into them, bpfxx's
// object model reads them as subprograms (object_test ComdatSectionsAreSubprograms).
TEST_F(StockBpftool, RefusesComdatSubprograms) {
    auto r = loadall("comdat_cxx.bpf.o");
    EXPECT_NE(r.status, 0);
    EXPECT_THAT(r.output, testing::HasSubstr("bad call relo against '_Z3mixjj' in section '.text._Z3mixjj'"));
}

}  // namespace
