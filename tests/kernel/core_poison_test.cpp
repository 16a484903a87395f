// SPDX-License-Identifier: MIT OR Apache-2.0
// Unresolvable CO-RE relocations against the running kernel: poisoned, so
// a guarded access loads and an unguarded one fails naming the relocation,
// the function, the source line and the reason. Also: a target BTF file
// instead of the kernel's (load_options::set_target_btf).
#include "../unit/expect_error.hpp"

#include <bpfxx/attach.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

const std::string object_path = std::string(BPFXX_TEST_OBJECTS) + "/core_poison.bpf.o";

void require_kernel() {
    if (::geteuid() != 0) GTEST_SKIP() << "loading programs needs root (CAP_BPF)";
    if (!std::filesystem::exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "the kernel has no BTF";
}

using mode = bpfxx::load_options::core_mode;

// bpfxx's relocator, and the kernel's where it has one (Linux 5.17+).
class CorePoisonModes : public testing::TestWithParam<mode> {
protected:
    void SetUp() override {
        require_kernel();
        if (IsSkipped()) return;
        if (GetParam() == mode::kernel && bpfxx::features::kernel_core_relocation() != bpfxx::features::answer::yes)
            GTEST_SKIP() << "this kernel does not apply CO-RE relocations itself (Linux 5.17+)";
    }
};

TEST_P(CorePoisonModes, GuardedAccessLoads) {
    auto obj = bpfxx::object::open(object_path);
    auto loaded =
        bpfxx::loaded_object::load(obj, bpfxx::load_options().only_programs({"guarded"}).core_relocation(GetParam()));
    EXPECT_EQ(loaded.programs().size(), 1u);
}

TEST_P(CorePoisonModes, UnguardedAccessNamesTheRelocation) {
    auto obj = bpfxx::object::open(object_path);
    bpfxx_test::expect_error(
        [&] {
            (void)bpfxx::loaded_object::load(
                obj, bpfxx::load_options().only_programs({"unguarded"}).core_relocation(GetParam()));
        },
        {"core_poison.bpf.o: program 'unguarded'", "reaches a CO-RE relocation the target kernel cannot satisfy",
         "in function 'unguarded'", "byte_off of task_struct::bpfxx_no_such_field (access 0:1)",
         "at core_poison.bpf.cpp:", "no field 'bpfxx_no_such_field'", "BPFXX_CORE_FIELD_EXISTS"});
}

INSTANTIATE_TEST_SUITE_P(Modes, CorePoisonModes, testing::Values(mode::user_space, mode::kernel, mode::automatic),
                         [](const auto& info) {
                             switch (info.param) {
                                 case mode::user_space: return std::string("UserSpace");
                                 case mode::kernel: return std::string("Kernel");
                                 case mode::automatic: break;
                             }
                             return std::string("Automatic");
                         });

TEST(CorePoison, TargetBtfFile) {
    require_kernel();
    if (IsSkipped()) return;  // GTEST_SKIP in a helper returns from the helper only
    auto obj = bpfxx::object::open(object_path);
    // The kernel's own BTF, as a file: loads as with the default target.
    auto loaded = bpfxx::loaded_object::load(
        obj, bpfxx::load_options().only_programs({"guarded"}).set_target_btf("/sys/kernel/btf/vmlinux"));
    EXPECT_EQ(loaded.programs().size(), 1u);
    bpfxx_test::expect_error(
        [&] {
            (void)bpfxx::loaded_object::load(
                obj, bpfxx::load_options().only_programs({"guarded"}).set_target_btf("/nonexistent/btf"));
        },
        {"/nonexistent/btf"});
    // An ELF file's .BTF (here the object's own: its layout is the target).
    auto own = bpfxx::loaded_object::load(
        obj, bpfxx::load_options().only_programs({"unguarded"}).set_target_btf(object_path));
    EXPECT_EQ(own.programs().size(), 1u);
    // A file that is not BTF.
    auto garbage = std::filesystem::temp_directory_path() / "bpfxx-not-btf";
    {
        std::ofstream out(garbage);
        out << "not BTF at all";
    }
    bpfxx_test::expect_error(
        [&] {
            (void)bpfxx::loaded_object::load(
                obj, bpfxx::load_options().only_programs({"guarded"}).set_target_btf(garbage.string()));
        },
        {"target BTF", "bpfxx-not-btf", "magic"});
    std::filesystem::remove(garbage);
}

}  // namespace
