// SPDX-License-Identifier: MIT OR Apache-2.0
// .kconfig externs against the running kernel: tests/bpf/kconfig.bpf.cpp
// (bpfxx's BPFXX_KCONFIG) and kconfig_c.bpf.c (libbpf-tools' __kconfig)
// copy what the loader filled in to .bss in a program run with
// BPF_PROG_TEST_RUN; the test compares it with the configuration and
// release it reads itself. Needs root; skips where the kernel's
// configuration is nowhere to be read (no /proc/config.gz, no
// /boot/config-<release>).
#include <bpfxx/features.hpp>
#include <bpfxx/kconfig.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>
#include <bpfxx/test_run.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

namespace {

using bpfxx::u32;
using bpfxx::u64;
using testing::HasSubstr;

// tests/bpf/kconfig.bpf.cpp's .bss.
struct seen {
    u32 version;
    std::uint8_t cookie, wrapper, bpf, jit;
    int syscall, hz, missing, test_tristate;
    u64 nr_cpus;
    char hostname[16];
};

std::string object_path(const char* name) { return std::string(BPFXX_TEST_OBJECTS) + "/" + name; }

// The release's version code, computed here without bpfxx.
u32 expected_version() {
    struct utsname u {};
    EXPECT_EQ(::uname(&u), 0);
    unsigned a = 0, b = 0, c = 0;
    EXPECT_EQ(std::sscanf(u.release, "%u.%u.%u", &a, &b, &c), 3);
    return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

class Kconfig : public testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
        try {
            config_.emplace(bpfxx::kernel_config::running());
        } catch (const bpfxx::error& e) {
            GTEST_SKIP() << "this kernel's configuration cannot be read: " << e.what();
        }
    }

    std::string value(const char* name) const { return std::string(config_->value(name).value_or("<unset>")); }

    template <class T>
    T run(bpfxx::loaded_object& lo, const char* program, const char* bss) {
        bpfxx::test_run_options o;
        const std::array<u64, 2> args{0, 0};
        o.context = bpfxx::bytes_of(args);
        EXPECT_EQ(bpfxx::test_run(lo.program(program).fd(), o).return_value, 0u);
        auto data = lo.map(bss).global_data();
        T out{};
        EXPECT_GE(data.size(), sizeof out);
        std::memcpy(&out, data.data(), sizeof out);
        return out;
    }

    std::optional<bpfxx::kernel_config> config_;
};

TEST_F(Kconfig, CxxExternsHoldTheRunningKernelsValues) {
    auto lo = bpfxx::loaded_object::load(bpfxx::object::open(object_path("kconfig.bpf.o")),
                                         bpfxx::load_options().set_kconfig("CONFIG_BPFXX_TEST_TRISTATE=m\n"));
    auto s = run<seen>(lo, "copy_kconfig", ".bss");
    EXPECT_EQ(s.version, expected_version());
    EXPECT_EQ(s.cookie, bpfxx::features::bpf_cookie() == bpfxx::features::answer::yes ? 1 : 0);
#if defined(__x86_64__) || defined(__aarch64__)
    EXPECT_EQ(s.wrapper, 1) << "every kernel bpfxx runs on wraps system calls (4.17 on x86_64, 5.0 on arm64)";
#endif
    EXPECT_EQ(s.bpf, value("CONFIG_BPF") == "y" ? 1 : 0);
    EXPECT_EQ(s.jit, value("CONFIG_BPF_JIT")[0]);
    EXPECT_EQ(s.syscall, value("CONFIG_BPF_SYSCALL") == "y" ? 1 : 0);
    EXPECT_EQ(std::to_string(s.hz), value("CONFIG_HZ"));
    EXPECT_EQ(std::to_string(s.nr_cpus), value("CONFIG_NR_CPUS"));
    EXPECT_EQ("\"" + std::string(s.hostname) + "\"", value("CONFIG_DEFAULT_HOSTNAME"));
    EXPECT_EQ(s.missing, 0) << "a weak extern nothing sets reads zero";
    EXPECT_EQ(s.test_tristate, 2) << "set_kconfig's text comes first: m is a module (2)";
    // The map the values live in is read-only to programs and frozen.
    EXPECT_EQ(lo.map(".kconfig").global_data().size(), 48u);
}

TEST_F(Kconfig, PlainCExternsAsLibbpfToolsDeclareThem) {
    auto lo = bpfxx::loaded_object::load(bpfxx::object::open(object_path("kconfig_c.bpf.o")));
    auto s = run<std::array<u64, 5>>(lo, "copy_kconfig_c", ".bss");
    EXPECT_EQ(s[0], expected_version());
    EXPECT_EQ(s[2], value("CONFIG_BPF_SYSCALL") == "y" ? 1u : value("CONFIG_BPF_SYSCALL") == "m" ? 2u : 0u);
    EXPECT_EQ(std::to_string(s[3]), value("CONFIG_HZ"));
    EXPECT_EQ(s[4], 0u);
}

TEST_F(Kconfig, GivenTextOverridesAndBadValuesAreNamed) {
    auto obj = bpfxx::object::open(object_path("kconfig.bpf.o"));
    auto lo = bpfxx::loaded_object::load(obj, bpfxx::load_options().set_kconfig(
                                                  "CONFIG_HZ=1000\nCONFIG_DEFAULT_HOSTNAME=\"bpfxx-test-host-name\"\n"));
    auto s = run<seen>(lo, "copy_kconfig", ".bss");
    EXPECT_EQ(s.hz, 1000);
    EXPECT_STREQ(s.hostname, "bpfxx-test-host");  // cut to 15 characters and the NUL
    auto error_of = [&](const char* text) -> std::string {
        try {
            (void)bpfxx::loaded_object::load(obj, bpfxx::load_options().set_kconfig(text));
        } catch (const bpfxx::error& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_THAT(error_of("CONFIG_BPF=m\n"),
                HasSubstr(".kconfig extern 'CONFIG_BPF': value m from load_options::set_kconfig: 'm' (a module) "
                          "does not fit a bool"));
    EXPECT_THAT(error_of("CONFIG_HZ=fast\n"), HasSubstr("'CONFIG_HZ': value fast from load_options::set_kconfig: "
                                                        "'fast' is not a number"));
    EXPECT_THAT(error_of("CONFIG_HZ=0x80000000\n"), HasSubstr("does not fit a signed 32-bit integer"));
}

TEST_F(Kconfig, AMissingValueOfAPlainExternIsAnError) {
    try {
        (void)bpfxx::loaded_object::load(bpfxx::object::open(object_path("kconfig_missing.bpf.o")));
        FAIL() << "loaded without CONFIG_BPFXX_NEVER_SET";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr(".kconfig extern 'CONFIG_BPFXX_NEVER_SET': not set in " + config_->source() +
                                        " (declare it weak if it may be missing)"));
    }
}

}  // namespace
