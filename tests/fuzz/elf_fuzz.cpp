// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: arbitrary bytes into bpfxx::elf::file, then every
// accessor. Anything but bpfxx::error (a crash, a sanitizer report, another
// exception) is a finding.
#include <bpfxx/elf/elf.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bpfxx::detail::bytes input(reinterpret_cast<const std::byte*>(data), size);
    try {
        const bpfxx::elf::file f(input);
        std::size_t sink = f.type() + f.machine();
        for (const auto& s : f.sections()) {
            sink += s.data.size() + s.name.size();
            if (f.find_section(s.name) == nullptr) __builtin_trap();  // every name must be found
            try {
                if (s.type == bpfxx::elf::sht_rel || s.type == bpfxx::elf::sht_rela)
                    for (const auto& r : f.relocations(s)) sink += f.symbol_at(r.symbol).name.size();
                if (s.type == bpfxx::elf::sht_group) {
                    sink += f.group_flags(s);
                    for (std::uint32_t m : f.group_members(s)) sink += f.section_at(m).size;
                }
            } catch (const bpfxx::error&) {
            }
        }
        for (const auto& y : f.symbols()) {
            sink += y.name.size();
            if (y.section < f.sections().size()) sink += f.section_at(y.section).index;
        }
        if (sink == 0x5eed) return 0;  // keeps the reads from being optimised away
    } catch (const bpfxx::error&) {
    }
    return 0;
}
