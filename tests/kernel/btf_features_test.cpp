// SPDX-License-Identifier: MIT OR Apache-2.0
// BTF feature probing against the running kernel, and BTF downgraded for the
// oldest kernels loading into it: the old forms stay valid on new kernels,
// so every downgrade this machine can check is checked here.
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/downgrade.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/sys/bpf.hpp>

#include "../unit/btf_builder.hpp"

#include <gtest/gtest.h>

#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace btf = bpfxx::btf;
namespace fb = bpfxx::detail::btf_downgrade;
namespace probe = bpfxx::detail::probes;
using bpfxx_test::btf_builder;
using K = btf_builder;

// BPF_BTF_LOAD with a log: empty when accepted, else the errno and the log's
// last lines.
std::string load_btf(bpfxx::detail::bytes blob) {
    bpfxx::sys::attr::btf_load a;
    a.btf = bpfxx::sys::ptr_to_u64(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    if (bpfxx::sys::bpf_fd(bpfxx::sys::bpf_cmd::btf_load, a)) return {};
    // Again with a log, to say why (a log too small fails with ENOSPC).
    std::vector<char> log(16 << 20);
    a.btf_log_buf = bpfxx::sys::ptr_to_u64(log.data());
    a.btf_log_size = static_cast<std::uint32_t>(log.size());
    a.btf_log_level = 1;
    auto fd = bpfxx::sys::bpf_fd(bpfxx::sys::bpf_cmd::btf_load, a);
    if (fd) return {};
    const int err = errno;
    std::string text(log.data());
    if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
    return std::string(std::strerror(err)) + ":\n" + text;
}

// A kernel blob using every feature, valid on a kernel that has them all.
std::vector<std::byte> every_feature_blob() {
    btf_builder b;
    auto i = b.int_("int", 4, 1);
    auto g = b.var("counter", i, 1);
    auto s = b.var("limit", i, 0);
    b.datasec(".data", 16, {{g, 0, 4}, {s, 8, 4}});
    b.datasec(".rodata", 24, {});
    auto q = b.var("opt", i, 1);
    b.datasec("?.struct_ops", 4, {{q, 0, 4}});
    auto proto = b.func_proto(i, {{"a", i}});
    b.func("helper", proto, 0);
    b.func("prog", proto, 1);
    auto f = b.float_("double", 8);
    auto st = b.struct_("pt", 16, {{"x", f, 0}, {"y", f, 64}});
    b.decl_tag("nonnull", st, 1);
    b.ptr(b.ref(K::TYPE_TAG, i, "user"));
    b.enum64("wide", {{"SMALL", 1}, {"BIG", 0x100000000ull}});
    b.enum_("level", 4, {{"LOW", -1}, {"HIGH", 7}}, true);
    return b.build();
}

class BtfFeatures : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) for BPF_BTF_LOAD";
        bpfxx::features::reset_for_testing();
    }
};

// Kernel release as (major, minor), for the expectations that depend on it.
std::pair<int, int> kernel_release() {
    utsname u{};
    uname(&u);
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    return {major, minor};
}

TEST_F(BtfFeatures, ThisKernelHasThemAllInOneProbe) {
    if (kernel_release() < std::pair{6, 9}) GTEST_SKIP() << "kernel older than 6.9: some features may be missing";
    auto r = bpfxx::features::probe_btf_features();
    EXPECT_EQ(r.supported, btf::btf_features::all()) << btf::to_string(r.supported);
    EXPECT_EQ(r.undetermined, btf::btf_features::none());
    EXPECT_EQ(r.error, 0);
    EXPECT_EQ(probe::probes_made.load(), 1u);  // all features in one BPF_BTF_LOAD
    // Cached: no further probe.
    EXPECT_EQ(bpfxx::features::kernel_btf_features(), btf::btf_features::all());
    EXPECT_EQ(probe::probes_made.load(), 1u);
}

TEST_F(BtfFeatures, EachProbeAloneIsAccepted) {
    for (std::uint32_t i = 0; i < fb::feature_count; ++i) {
        const auto bit = 1u << i;
        SCOPED_TRACE(btf::to_string(fb::from_mask(bit)));
        probe::probe_blob pb(bit);
        auto bytes = pb.bytes();
        const auto err = load_btf(bytes);
        if (kernel_release() >= std::pair{6, 9}) {
            EXPECT_EQ(err, "");
        }
        EXPECT_EQ(probe::try_load(bit) == 0, err.empty());
    }
}

TEST_F(BtfFeatures, ProbesOnlyWhatIsAsked) {
    btf::btf_features wanted = btf::btf_features::none();
    wanted.float_ = true;
    auto r = bpfxx::features::probe_btf_features(wanted);
    EXPECT_EQ(probe::probes_made.load(), 1u);
    EXPECT_EQ(probe::known.load(), fb::float_);
    // Features not asked for read true.
    auto expected = btf::btf_features::all();
    expected.float_ = kernel_release() >= std::pair{5, 13};
    EXPECT_EQ(r.supported, expected);

    // A blob without any of the features probes nothing.
    bpfxx::features::reset_for_testing();
    btf_builder b;
    b.struct_("s", 4, {{"a", b.int_("int", 4), 0}});
    b.func("f", b.func_proto(0, {}), 0);
    auto plain = b.build();
    auto copy = plain;
    EXPECT_FALSE(bpfxx::features::fit_btf_to_kernel(copy));
    EXPECT_EQ(copy, plain);
    EXPECT_EQ(probe::probes_made.load(), 0u);

    // A blob with FLOAT and ENUM64 probes those two, together, once.
    btf_builder c;
    c.float_("float", 4);
    c.enum64("e", {{"A", 1}});
    auto blob = c.build();
    btf::downgrade_report report;
    const bool changed = bpfxx::features::fit_btf_to_kernel(blob, &report);
    EXPECT_EQ(probe::known.load(), fb::float_ | fb::enum64);
    const bool has_6_0 = kernel_release() >= std::pair{6, 0};
    EXPECT_EQ(probe::probes_made.load(), has_6_0 ? 1u : 3u);
    EXPECT_EQ(changed, !has_6_0);
    EXPECT_EQ(changed, report.changed());
    (void)bpfxx::features::fit_btf_to_kernel(blob);
    EXPECT_EQ(probe::probes_made.load(), has_6_0 ? 1u : 3u);
}

// Without CAP_BPF every probe fails with EPERM: the features stay
// undetermined, count as supported, nothing is rewritten, and the next call
// probes again. Checked in a child that gives up root.
TEST_F(BtfFeatures, WithoutPrivilegeNothingIsGuessed) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int code = 0;
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(10);
        auto r = bpfxx::features::probe_btf_features();
        if (r.supported != btf::btf_features::all()) code |= 1;
        if (r.undetermined != btf::btf_features::all()) code |= 2;
        if (r.error != EPERM) code |= 4;
        auto blob = every_feature_blob();
        auto copy = blob;
        if (bpfxx::features::fit_btf_to_kernel(copy) || copy != blob) code |= 8;
        if (probe::known.load() != 0) code |= 16;
        const auto before = probe::probes_made.load();
        (void)bpfxx::features::kernel_btf_features();
        if (probe::probes_made.load() == before) code |= 32;  // probed again
        _exit(code);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "bits: 1 supported, 2 undetermined, 4 errno, 8 rewrote, 16 cached, "
                                         "32 not probed again; 10 could not drop root";
}

TEST_F(BtfFeatures, DowngradedBlobsLoad) {
    auto blob = every_feature_blob();
    btf::btf in{bpfxx::detail::bytes(blob)};
    if (kernel_release() >= std::pair{6, 9}) {
        EXPECT_EQ(load_btf(blob), "");
    }
    std::vector<std::uint32_t> kernels = {0};
    for (std::uint32_t i = 0; i < fb::feature_count; ++i) kernels.push_back(fb::all_features & ~(1u << i));
    for (auto kernel : kernels) {
        SCOPED_TRACE("kernel with " + btf::to_string(fb::from_mask(kernel)));
        btf::downgrade_report report;
        auto out = btf::downgrade(in, fb::from_mask(kernel), &report);
        EXPECT_TRUE(report.changed());
        // Accepted when the kernel has what the downgrade kept.
        if ((kernel & ~fb::to_mask(bpfxx::features::kernel_btf_features())) == 0) {
            EXPECT_EQ(load_btf(out), "") << report.summary();
        }
    }
}

// Every object built in the tree, as the loader would hand it to the kernel,
// loads after a downgrade with each feature off and with all off.
TEST_F(BtfFeatures, DowngradedObjectsLoad) {
    const auto have = fb::to_mask(bpfxx::features::kernel_btf_features());
    int loaded = 0;
    for (const auto& entry : std::filesystem::directory_iterator(BPFXX_TEST_OBJECTS)) {
        auto path = entry.path().string();
        if (!path.ends_with(".bpf.o")) continue;
        SCOPED_TRACE(path);
        auto bytes = bpfxx::detail::read_file(path);
        bpfxx::elf::file elf(bytes);
        const auto* s = elf.find_section(".BTF");
        if (s == nullptr) continue;
        auto blob = btf::sanitize_cxx(btf::btf(s->data));
        bpfxx::btf::fix_datasecs(blob, elf);
        if (auto err = load_btf(blob); !err.empty()) {
            // Not this test's concern (externs the loader resolves, say).
            std::printf("  %s: the kernel refuses its BTF even untouched: %s\n", path.c_str(), err.c_str());
            continue;
        }
        // The fast path: this kernel takes it as it is.
        auto same = blob;
        EXPECT_EQ(bpfxx::features::fit_btf_to_kernel(same), (fb::used_mask(bpfxx::detail::bytes(blob)) & ~have) != 0);

        btf::btf in{bpfxx::detail::bytes(blob)};
        std::vector<std::uint32_t> kernels = {0};
        for (std::uint32_t i = 0; i < fb::feature_count; ++i) kernels.push_back(fb::all_features & ~(1u << i));
        for (auto kernel : kernels) {
            if ((kernel & ~have) != 0) continue;
            SCOPED_TRACE("kernel with " + btf::to_string(fb::from_mask(kernel)));
            btf::downgrade_report report;
            auto out = btf::downgrade(in, fb::from_mask(kernel), &report);
            EXPECT_EQ(load_btf(out), "") << report.summary();
        }
        ++loaded;
    }
    EXPECT_GE(loaded, 5);
}

}  // namespace
