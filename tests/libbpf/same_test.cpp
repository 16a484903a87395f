// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx and stock libbpf (Debian's 1.1) load the same objects, written the
// way libbpf-tools writes them, and the kernel sees the same thing: every
// map with the same type, key and value sizes, max entries and flags, global
// data and .kconfig maps with the same contents, and every program with the
// same tag (the kernel's hash of the instructions, map fds left out), so
// relocation, subprogram placement and extern layout agree instruction for
// instruction. The only test that links libbpf; needs root.
//
// Not compared: legacy `SEC("maps")` definitions, which libbpf 1.0 dropped
// (bpfxx still loads them, tests/kernel/loader_test.cpp).
#include <bpfxx/core/target.hpp>  // detail::vmlinux_btf
#include <bpfxx/detail/file.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map_kinds.hpp>
#include <bpfxx/object.hpp>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace {

std::string object_path(const std::string& name) { return std::string(BPFXX_TEST_OBJECTS) + "/" + name; }

bpf_map_info map_info(int fd) {
    bpf_map_info info{};
    __u32 len = sizeof info;
    EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0) << std::strerror(errno);
    return info;
}

bpf_prog_info prog_info(int fd) {
    bpf_prog_info info{};
    __u32 len = sizeof info;
    EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0) << std::strerror(errno);
    return info;
}

std::vector<std::byte> value_at_zero(int fd, std::uint32_t value_size) {
    std::vector<std::byte> v(value_size);
    const std::uint32_t key = 0;
    EXPECT_EQ(bpf_map_lookup_elem(fd, &key, v.data()), 0) << std::strerror(errno);
    return v;
}

struct libbpf_object_deleter {
    void operator()(bpf_object* o) const { bpf_object__close(o); }
};

struct comparison {
    explicit comparison(std::string o) : object(std::move(o)) {}
    std::string object;
    // The same completion before load on both sides (libbpf-tools' calls).
    std::function<void(bpf_object*)> libbpf_setup = [](bpf_object*) {};
    std::function<void(bpfxx::load_options&)> bpfxx_setup = [](bpfxx::load_options&) {};
    // .kconfig externs whose value the two loaders find differently.
    std::vector<std::string> kconfig_differs;
    // Why this kernel cannot load the object (empty: it can).
    std::function<std::string()> cannot_load = [] { return std::string(); };
};

void PrintTo(const comparison& c, std::ostream* os) { *os << c.object; }

class SameAsLibbpf : public testing::TestWithParam<comparison> {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
        libbpf_set_print(nullptr);  // its own messages would interleave with the test's
    }
};

TEST_P(SameAsLibbpf, SameMapsAndProgramTags) {
    const auto& c = GetParam();
    const auto path = object_path(c.object);
    if (auto why = c.cannot_load(); !why.empty()) GTEST_SKIP() << why;

    std::unique_ptr<bpf_object, libbpf_object_deleter> lb(bpf_object__open_file(path.c_str(), nullptr));
    ASSERT_NE(lb, nullptr) << "libbpf cannot open " << path << ": " << std::strerror(errno);
    c.libbpf_setup(lb.get());
    ASSERT_EQ(bpf_object__load(lb.get()), 0) << "libbpf cannot load " << path;

    auto obj = bpfxx::object::open(path);
    bpfxx::load_options options;
    c.bpfxx_setup(options);
    auto lo = bpfxx::loaded_object::load(obj, options);

    std::size_t maps = 0, programs = 0;
    for (const auto& m : lo.maps()) {
        if (m.fd() < 0) continue;
        SCOPED_TRACE("map " + std::string(m.name()));
        const bpf_map* lm = bpf_object__find_map_by_name(lb.get(), std::string(m.name()).c_str());
        ASSERT_NE(lm, nullptr) << "libbpf has no such map";
        const auto mine = map_info(m.fd());
        const auto theirs = map_info(bpf_map__fd(lm));
        EXPECT_EQ(mine.type, theirs.type);
        EXPECT_EQ(mine.key_size, theirs.key_size);
        EXPECT_EQ(mine.value_size, theirs.value_size);
        EXPECT_EQ(mine.max_entries, theirs.max_entries);
        EXPECT_EQ(mine.map_flags, theirs.map_flags);
        const auto global = m.definition().global;
        if (global == bpfxx::global_section::rodata || global == bpfxx::global_section::data ||
            global == bpfxx::global_section::kconfig) {
            auto a = value_at_zero(m.fd(), mine.value_size);
            auto b = value_at_zero(bpf_map__fd(lm), theirs.value_size);
            if (global == bpfxx::global_section::kconfig)
                for (const auto& e : obj.externs())
                    if (std::find(c.kconfig_differs.begin(), c.kconfig_differs.end(), e.name) != c.kconfig_differs.end())
                        for (std::uint32_t i = e.offset; i < e.offset + e.size && i < a.size() && i < b.size(); ++i)
                            a[i] = b[i] = std::byte{0};
            EXPECT_TRUE(a == b) << "different contents";
        }
        ++maps;
    }
    for (const auto& p : lo.programs()) {
        SCOPED_TRACE("program " + std::string(p.name()));
        const bpf_program* lp = bpf_object__find_program_by_name(lb.get(), std::string(p.name()).c_str());
        ASSERT_NE(lp, nullptr) << "libbpf has no such program";
        const auto mine = prog_info(p.fd());
        const auto theirs = prog_info(bpf_program__fd(lp));
        EXPECT_EQ(mine.type, theirs.type);
        EXPECT_EQ(std::memcmp(mine.tag, theirs.tag, sizeof mine.tag), 0) << "different instructions";
        EXPECT_EQ(mine.xlated_prog_len, theirs.xlated_prog_len);
        ++programs;
    }
    EXPECT_GT(programs, 0u);
    RecordProperty("maps_compared", static_cast<int>(maps));
    RecordProperty("programs_compared", static_cast<int>(programs));
    // libbpf made no map bpfxx did not.
    std::size_t libbpf_maps = 0;
    const bpf_map* lm = nullptr;
    bpf_object__for_each_map(lm, lb.get()) {
        if (bpf_map__fd(lm) >= 0) ++libbpf_maps;
    }
    EXPECT_EQ(libbpf_maps, maps);
}

std::vector<comparison> comparisons() {
    std::vector<comparison> out;
    // Maps, globals, a ring buffer, calls into .text.
    out.emplace_back("plain_c.bpf.o");
    // Static functions calling each other with no relocation between them.
    out.emplace_back("static_calls.bpf.o");
    // __kconfig externs: layout and values. libbpf asks a kprobe whether
    // system calls are wrapped; kernels without kprobes (this one) answer no
    // there, while bpfxx reads the wrapper from the kernel's BTF.
    out.emplace_back("kconfig_c.bpf.o").kconfig_differs = {"LINUX_HAS_SYSCALL_WRAPPER"};
    // A stack map sized at run time and an array of maps whose inner map the
    // tool supplies (profile.bpf.c, offcputime.bpf.c).
    {
        comparison c("libbpf_tools_style.bpf.o");
        // Made on first use: this list is built before main(), maybe without
        // the privilege to create maps.
        auto inner = std::make_shared<std::optional<bpfxx::array_map<std::uint64_t>>>();
        auto inner_fd = [inner] {
            if (!*inner) inner->emplace(bpfxx::array_map<std::uint64_t>::create(1));
            return (*inner)->fd();
        };
        c.libbpf_setup = [inner_fd](bpf_object* o) {
            auto* stackmap = bpf_object__find_map_by_name(o, "stackmap");
            bpf_map__set_value_size(stackmap, 64 * sizeof(std::uint64_t));
            bpf_map__set_max_entries(stackmap, 128);
            bpf_map__set_inner_map_fd(bpf_object__find_map_by_name(o, "outer"), inner_fd());
        };
        c.bpfxx_setup = [inner_fd](bpfxx::load_options& o) {
            o.set_value_size("stackmap", 64 * sizeof(std::uint64_t))
                .set_max_entries("stackmap", 128)
                .set_inner_map("outer", inner_fd());
        };
        out.push_back(c);
    }
    // bpfxx's own C++ templates: LPM trie, queue, stack, bloom filter, stack
    // traces, tail calls, maps of maps with inner definitions.
    out.emplace_back("map_kinds.bpf.o").cannot_load = [] {
        return bpfxx::features::map_type_supported(bpfxx::map_type::bloom_filter) == bpfxx::features::answer::no
                   ? "this kernel has no bloom filter maps (5.16)"
                   : "";
    };
    // __ksym externs: a typeless one from /proc/kallsyms, a missing weak one;
    // a typed one (by BTF id) where kallsyms lists data symbols, which the
    // kernel needs to find its address.
    out.emplace_back("ksyms_c.bpf.o");
    out.emplace_back("ksyms_typed_c.bpf.o").cannot_load = [] {
        if (!bpfxx::detail::vmlinux_btf().find("bpf_prog_active", bpfxx::btf::kind::var))
            return "the kernel's BTF has no per-CPU variables (pahole before 1.18 built it)";
        int err = 0;
        const auto text = bpfxx::detail::read_small_file("/proc/kallsyms", err, std::uint64_t{256} << 20);
        return text.find(" bpf_prog_active\n") == std::string::npos
                   ? "/proc/kallsyms lists no data symbols (CONFIG_KALLSYMS_ALL off)"
                   : "";
    };
    return out;
}

INSTANTIATE_TEST_SUITE_P(Objects, SameAsLibbpf, testing::ValuesIn(comparisons()),
                         [](const testing::TestParamInfo<comparison>& i) {
                             return i.param.object.substr(0, i.param.object.find('.'));
                         });

}  // namespace
