// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx-vmlinux: writes a C++-safe header of kernel types from BTF, for
// kernel programs compiled with clang -target bpf.
//
//   bpfxx-vmlinux [--btf FILE] [--base FILE] [--namespace NAME] [-o OUT.hpp]
//                 [--layout-test TEST.cpp]
//
// FILE is raw BTF (/sys/kernel/btf/vmlinux, /sys/kernel/btf/<module>) or an
// ELF file with a .BTF section; --base makes it split BTF over that base
// (a module over vmlinux). Every struct, union, enum and typedef is emitted
// with the kernel's exact sizes and offsets (static_asserts check each),
// C++ keywords used as names escaped with ___cxx (the loader strips it
// for CO-RE matching), inside namespace NAME (default "vmlinux": BTF has no
// namespaces, so CO-RE matching is unaffected, and the kernel's u64 —
// unsigned long long — cannot clash with another definition).
//
// --layout-test writes a C++ source that includes the header (OUT.hpp's
// file name, default vmlinux.hpp) and checks it against the same BTF: the
// size of every struct and union and the offset and size of every member
// as static_asserts; bitfields through a table user space runs and, built
// with -target bpf, through the classes holding them in the object's BTF
// (see type_emitter::kernel_layout_test). User space compiles the header
// when BPFXX_VMLINUX_USER_SPACE is defined: on LP64 hosts (x86_64,
// aarch64) the kernel's layouts hold there too.
#include "emit.hpp"
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using bpfxx::detail::cat;

// The BTF bytes of a file: the file itself, or its .BTF section.
std::vector<std::byte> btf_bytes(const std::string& path) {
    auto bytes = bpfxx::detail::read_file(path);
    if (bytes.size() >= 4 && bytes[0] == std::byte{0x7f} && bytes[1] == std::byte{'E'} &&
        bytes[2] == std::byte{'L'} && bytes[3] == std::byte{'F'}) {
        bpfxx::elf::file f(bytes);
        const auto* s = f.find_section(".BTF");
        if (s == nullptr) bpfxx::detail::raise(cat(path, " has no .BTF section (build the kernel with CONFIG_DEBUG_INFO_BTF=y)"));
        return {s->data.begin(), s->data.end()};
    }
    return bytes;
}

int usage() {
    std::fprintf(stderr,
                 "usage: bpfxx-vmlinux [--btf FILE] [--base FILE] [--namespace NAME] [-o OUT.hpp] "
                 "[--layout-test TEST.cpp]\n");
    return 2;
}

// Leaves an unchanged file alone, so what includes it does not rebuild.
void write_if_changed(const std::string& path, const std::string& text) {
    std::string old;
    if (std::ifstream prev(path, std::ios::binary); prev)
        old.assign((std::istreambuf_iterator<char>(prev)), std::istreambuf_iterator<char>());
    if (old == text) return;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) bpfxx::detail::raise_errno(cat("cannot write '", path, "'"));
}

std::string file_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
    std::string btf_path = "/sys/kernel/btf/vmlinux", base_path, out_path, test_path, ns = "vmlinux";
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--btf") btf_path = value();
        else if (a == "--base") base_path = value();
        else if (a == "--namespace") ns = value();
        else if (a == "-o") out_path = value();
        else if (a == "--layout-test") test_path = value();
        else return usage();
    }
    if (out_path.empty() && test_path.empty()) return usage();
    try {
        auto start = std::chrono::steady_clock::now();
        std::unique_ptr<bpfxx::btf::btf> base;
        if (!base_path.empty()) base = std::make_unique<bpfxx::btf::btf>(btf_bytes(base_path));
        bpfxx::btf::btf b(btf_bytes(btf_path), base.get());
        std::vector<std::uint32_t> roots;
        for (std::uint32_t id = b.start_id(); id < b.size(); ++id) {
            auto k = b.type(id).kind();
            if (k == bpfxx::btf::kind::struct_ || k == bpfxx::btf::kind::union_ || k == bpfxx::btf::kind::typedef_ ||
                k == bpfxx::btf::kind::enum_ || k == bpfxx::btf::kind::enum64)
                roots.push_back(id);
        }
        bpfxx::btf::emit_options o;
        o.kernel_side = true;
        bpfxx::btf::type_emitter emitter(b, o);
        const auto open_ns = ns.empty() ? std::string() : cat("namespace ", ns, " {\n\n");
        const auto close_ns = ns.empty() ? std::string() : cat("\n}  // namespace ", ns, "\n");
        std::string summary;
        if (!out_path.empty()) {
            auto text = cat("// Generated by bpfxx-vmlinux from ", btf_path, ": do not edit.\n",
                            "// Kernel types for C++ BPF programs (clang -target bpf).\n#pragma once\n",
                            "#if !defined(__bpf__) && !defined(BPFXX_VMLINUX_USER_SPACE)\n",
                            "#error \"vmlinux headers are for kernel programs (clang -target bpf)\"\n",
                            "#endif\n\n", open_ns, emitter.types(roots), close_ns);
            write_if_changed(out_path, text);
            summary += cat(" -> ", out_path, " (", text.size(), " bytes)");
        }
        if (!test_path.empty()) {
            bpfxx::btf::type_emitter::layout_test_stats stats;
            auto body = emitter.kernel_layout_test(roots, &stats);
            const auto header = out_path.empty() ? std::string("vmlinux.hpp") : file_name(out_path);
            auto text = cat("// Generated by bpfxx-vmlinux --layout-test from ", btf_path, ": do not edit.\n",
                            "// Checks ", header, " against that BTF. Compile it with clang -target bpf,\n",
                            "// and in user space (LP64) with BPFXX_VMLINUX_USER_SPACE defined.\n",
                            "#include \"", header, "\"\n\n", open_ns, body, close_ns);
            write_if_changed(test_path, text);
            summary += cat(" -> ", test_path, " (", stats.classes, " structs and unions, ", stats.members,
                           " members)");
        }
        auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "bpfxx-vmlinux: %zu types from %s%s, %.0f ms\n", roots.size(), btf_path.c_str(),
                     summary.c_str(), ms);
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "bpfxx-vmlinux: %s\n", e.what());
        return 1;
    }
    return 0;
}
