// SPDX-License-Identifier: MIT OR Apache-2.0
// Programs and subprograms with unnamed parameters (tests/bpf/
// unnamed_params.bpf.cpp): the kernel refuses clang++'s BTF for them
// ("FUNC ... Invalid arg#1"); sanitize_cxx names them and the object loads.
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/downgrade.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace btf = bpfxx::btf;

const std::string object_path = std::string(BPFXX_TEST_OBJECTS) + "/unnamed_params.bpf.o";

class UnnamedParams : public testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "loading BTF and programs needs root (CAP_BPF)";
    }
};

// BPF_BTF_LOAD: empty when accepted, else the errno and the log.
std::string load_btf(std::vector<std::byte> blob) {
    bpfxx::features::fit_btf_to_kernel(blob);  // the VM kernels lack some kinds
    std::vector<char> log(1 << 20);
    bpfxx::sys::attr::btf_load a;
    a.btf = bpfxx::sys::ptr_to_u64(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    a.btf_log_buf = bpfxx::sys::ptr_to_u64(log.data());
    a.btf_log_size = static_cast<std::uint32_t>(log.size());
    a.btf_log_level = 1;
    if (bpfxx::sys::bpf_fd(bpfxx::sys::bpf_cmd::btf_load, a)) return {};
    const int err = errno;
    return std::string(std::strerror(err)) + ": " + std::string(log.data());
}

// The object's .BTF as the loader hands it over, with or without sanitize_cxx.
std::vector<std::byte> object_btf(bool sanitize) {
    const auto bytes = bpfxx::detail::read_file(object_path);
    const bpfxx::elf::file elf(bytes);
    const auto* s = elf.find_section(".BTF");
    if (s == nullptr) return {};
    std::vector<std::byte> blob;
    if (sanitize) {
        blob = btf::sanitize_cxx(btf::btf(s->data));
    } else {
        blob.assign(s->data.begin(), s->data.end());
    }
    bpfxx::btf::fix_datasecs(blob, elf);
    return blob;
}

TEST_F(UnnamedParams, KernelRefusesTheRawBtf) {
    auto raw = object_btf(false);
    ASSERT_FALSE(raw.empty()) << object_path << " has no .BTF";
    // Without the fix the kernel stops at the first FUNC with an unnamed
    // parameter (kernel/bpf/btf.c, btf_func_check).
    EXPECT_THAT(load_btf(raw), testing::HasSubstr("Invalid arg#1"));
    EXPECT_EQ(load_btf(object_btf(true)), "");
}

TEST_F(UnnamedParams, ObjectLoads) {
    auto obj = bpfxx::object::open(object_path);
    auto loaded = bpfxx::loaded_object::load(obj);
    std::vector<std::string> names;
    for (const auto& p : loaded.programs()) {
        EXPECT_GE(p.fd(), 0);
        names.emplace_back(p.name());
    }
    std::sort(names.begin(), names.end());
    EXPECT_THAT(names, testing::ElementsAre("unnamed_ctx", "unnamed_subprogram"));
}

}  // namespace
