// SPDX-License-Identifier: MIT OR Apache-2.0
// CO-RE relocations against a module's type: struct veth_priv from the veth
// module's split BTF. Runs where veth is loaded with BTF (the 6.1 and 6.12
// qemu guests load it; Linux 5.11+ has module BTF); skips elsewhere. The
// values must equal what /sys/kernel/btf/veth says, with bpfxx relocating
// and with the kernel relocating.
#include <bpfxx/attach.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace {

using mode = bpfxx::load_options::core_mode;

class CoreModule : public testing::TestWithParam<mode> {};

TEST_P(CoreModule, VethPrivFromModuleBtf) {
    if (::geteuid() != 0) GTEST_SKIP() << "loading programs needs root (CAP_BPF)";
    if (!std::filesystem::exists("/sys/kernel/btf/veth"))
        GTEST_SKIP() << "no BTF of the veth module (/sys/kernel/btf/veth): the module is not loaded, or the kernel "
                        "has no module BTF (Linux 5.11+, CONFIG_DEBUG_INFO_BTF_MODULES)";
    if (GetParam() == mode::kernel && bpfxx::features::kernel_core_relocation() != bpfxx::features::answer::yes)
        GTEST_SKIP() << "this kernel does not apply CO-RE relocations itself (Linux 5.17+)";
    // What the module's BTF says.
    auto vm_bytes = bpfxx::detail::read_file("/sys/kernel/btf/vmlinux");
    bpfxx::btf::btf vmlinux(bpfxx::detail::bytes(vm_bytes), nullptr, bpfxx::btf::trusted);
    auto mod_bytes = bpfxx::detail::read_file("/sys/kernel/btf/veth");
    bpfxx::btf::btf veth(bpfxx::detail::bytes(mod_bytes), &vmlinux, bpfxx::btf::trusted);
    ASSERT_FALSE(vmlinux.find("veth_priv", bpfxx::btf::kind::struct_)) << "veth_priv is in vmlinux, not a module";
    auto id = veth.find("veth_priv", bpfxx::btf::kind::struct_);
    ASSERT_TRUE(id) << "the veth module's BTF has no struct veth_priv";
    std::uint64_t size = veth.type(*id).size();
    std::uint64_t offset = ~0ull;
    for (const auto& m : veth.type(*id).members())
        if (m.name == "requested_headroom") offset = m.bit_offset / 8;
    ASSERT_NE(offset, ~0ull);

    auto obj = bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/core_module.bpf.o");
    auto lo = bpfxx::loaded_object::load(obj, bpfxx::load_options().core_relocation(GetParam()));
    auto links = bpfxx::attach_all(lo);
    ASSERT_EQ(links.size(), 1u);
    const auto* g = obj.find_global("module_values");
    ASSERT_NE(g, nullptr);
    auto data = lo.map(obj.maps()[g->map_index].name).global_data();
    ASSERT_GE(data.size(), g->offset + 3 * sizeof(std::uint64_t));
    std::uint64_t values[3] = {};
    for (int i = 0; i < 100 && values[0] == 0; ++i) {
        (void)::getppid();
        std::memcpy(values, data.data() + g->offset, sizeof values);
    }
    EXPECT_EQ(values[0], 1u);
    EXPECT_EQ(values[1], size);
    EXPECT_EQ(values[2], offset);
}

INSTANTIATE_TEST_SUITE_P(Modes, CoreModule, testing::Values(mode::user_space, mode::kernel),
                         [](const auto& info) { return info.param == mode::kernel ? "Kernel" : "UserSpace"; });

}  // namespace
