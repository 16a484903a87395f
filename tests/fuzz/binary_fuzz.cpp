// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: arbitrary bytes into bpfxx::elf::binary (the reader of
// executables and libraries that uprobes are placed in), then lookups of a
// few names and addresses. Anything but bpfxx::error is a finding.
#include <bpfxx/elf/binary.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bpfxx::detail::bytes input(reinterpret_cast<const std::byte*>(data), size);
    try {
        const bpfxx::elf::binary b(input, "fuzz");
        std::uint64_t sink = b.machine();
        for (const char* name : {"main", "getpid", "malloc", "realpath", "a", ""}) {
            try {
                if (auto f = b.find_function(name)) {
                    // A function's offset must lie inside the file.
                    if (f->file_offset >= size) __builtin_trap();
                    sink += f->file_offset + f->name.size();
                }
            } catch (const bpfxx::error&) {
            }
        }
        for (std::uint64_t address : {std::uint64_t{0}, std::uint64_t{0x1000}, ~std::uint64_t{0}})
            if (auto o = b.address_to_offset(address)) sink += *o;
        if (sink == 0x5eed) return 0;
    } catch (const bpfxx::error&) {
    }
    return 0;
}
