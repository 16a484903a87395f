// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: arbitrary bytes into a whole object open (ELF, BTF,
// BTF.ext, maps, globals, externs, functions, relocations, records split
// among functions), then the loader's BTF rewriting of what parsed: the C++
// sanitiser, DATASEC fix-up and the downgrade for the oldest kernels.
// Anything but bpfxx::error (a crash, a sanitizer report, another
// exception) is a finding.
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/downgrade.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/object.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    try {
        const auto obj = bpfxx::object::parse(input, "fuzz.bpf.o");
        std::size_t sink = obj.maps().size() + obj.globals().size() + obj.externs().size();
        for (const auto* list : {&obj.programs(), &obj.subprograms()})
            for (const auto& p : *list) {
                sink += p.insn_count() + p.relocations.size() + p.line_info.size() + p.core_relos.size();
                for (const auto& r : p.relocations)
                    if (r.kind == bpfxx::program_relocation::kind::subprogram_call &&
                        obj.function_at(r.target_section, r.target_offset) == nullptr)
                        __builtin_trap();  // the parser promised every call target is a function
            }
        if (const auto* b = obj.btf()) {
            auto blob = bpfxx::btf::sanitize_cxx(*b);
            bpfxx::btf::fix_datasecs(blob, obj.elf());
            const bpfxx::btf::btf sanitized{std::span<const std::byte>(blob)};
            blob = bpfxx::btf::downgrade(sanitized, bpfxx::btf::btf_features::none());
            sink += blob.size();
        }
        if (sink == 0x5eed) return 0;  // keeps the reads from being optimised away
    } catch (const bpfxx::error&) {
    }
    return 0;
}
