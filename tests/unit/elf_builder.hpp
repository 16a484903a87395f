// SPDX-License-Identifier: MIT OR Apache-2.0
// Writes small ELF64 BPF relocatable objects for tests and fuzz seeds:
// sections, symbols and REL relocations, laid out the way clang does. And
// generated objects no compiler would be asked for: thousands of functions,
// call chains as deep as the object allows, hostile symbol values and names.
#pragma once

#include <bpfxx/shared/insn.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace bpfxx_test {

class elf_builder {
public:
    static constexpr std::uint32_t sht_progbits = 1, sht_symtab = 2, sht_strtab = 3, sht_nobits = 8, sht_rel = 9;
    static constexpr std::uint64_t shf_write = 1, shf_alloc = 2, shf_execinstr = 4;
    static constexpr std::uint8_t stt_object = 1, stt_func = 2, stt_section = 3;
    static constexpr std::uint8_t stb_local = 0, stb_global = 1;
    static constexpr std::uint32_t r_bpf_64_64 = 1, r_bpf_64_32 = 10;

    elf_builder() { sections_.push_back({}); }  // index 0: the null section

    // A section; returns its index.
    std::uint32_t section(std::string name, std::uint32_t type, std::uint64_t flags, std::vector<std::byte> data,
                          std::uint64_t align = 8) {
        sections_.push_back({std::move(name), type, flags, std::move(data), 0, 0, align, 0});
        return static_cast<std::uint32_t>(sections_.size() - 1);
    }
    std::uint32_t code(std::string name, const std::vector<bpfxx::insn>& insns) {
        return section(std::move(name), sht_progbits, shf_alloc | shf_execinstr, bytes_of(insns));
    }

    // A symbol; returns its index in .symtab (locals must come first, as in
    // any ELF file: add them before the globals).
    std::uint32_t symbol(std::string name, std::uint32_t section, std::uint64_t value, std::uint64_t size,
                         std::uint8_t type, std::uint8_t bind = stb_local) {
        symbols_.push_back({std::move(name), section, value, size, type, bind});
        return static_cast<std::uint32_t>(symbols_.size());  // index 0 is the null symbol
    }

    // A REL relocation of the instruction at byte `offset` of `section`.
    void relocate(std::uint32_t section, std::uint64_t offset, std::uint32_t symbol, std::uint32_t type) {
        relocations_.push_back({section, offset, symbol, type});
    }

    std::vector<std::byte> finish() const {
        auto sections = sections_;
        // .strtab, .symtab
        std::string strtab(1, '\0');
        std::vector<std::byte> symtab(24);  // the null symbol
        std::uint32_t locals = 1;
        for (const auto& y : symbols_) {
            const auto name = static_cast<std::uint32_t>(strtab.size());
            strtab += y.name;
            strtab.push_back('\0');
            if (y.bind == stb_local) ++locals;
            put32(symtab, name);
            symtab.push_back(static_cast<std::byte>((y.bind << 4) | y.type));
            symtab.push_back(std::byte{0});
            put16(symtab, static_cast<std::uint16_t>(y.section));
            put64(symtab, y.value);
            put64(symtab, y.size);
        }
        const auto strtab_index = static_cast<std::uint32_t>(sections.size());
        sections.push_back({".strtab", sht_strtab, 0, bytes_of(strtab), 0, 0, 1, 0});
        const auto symtab_index = static_cast<std::uint32_t>(sections.size());
        sections.push_back({".symtab", sht_symtab, 0, std::move(symtab), strtab_index, locals, 8, 24});
        // .rel<section> for each relocated section
        for (std::uint32_t s = 1; s < sections_.size(); ++s) {
            std::vector<std::byte> rel;
            for (const auto& r : relocations_)
                if (r.section == s) {
                    put64(rel, r.offset);
                    put64(rel, (std::uint64_t{r.symbol} << 32) | r.type);
                }
            if (!rel.empty())
                sections.push_back({std::string(".rel").append(sections_[s].name), sht_rel, 0, std::move(rel),
                                    symtab_index, s, 8, 16});
        }
        // .shstrtab
        std::string shstrtab(1, '\0');
        std::vector<std::uint32_t> names;
        for (auto& s : sections) {
            names.push_back(static_cast<std::uint32_t>(shstrtab.size()));
            shstrtab += s.name;
            shstrtab.push_back('\0');
        }
        const auto shstrndx = static_cast<std::uint16_t>(sections.size());
        names.push_back(static_cast<std::uint32_t>(shstrtab.size()));
        shstrtab += ".shstrtab";
        shstrtab.push_back('\0');
        sections.push_back({".shstrtab", sht_strtab, 0, bytes_of(shstrtab), 0, 0, 1, 0});

        std::vector<std::byte> out(64);
        std::vector<std::uint64_t> offsets(sections.size(), 0);
        for (std::size_t i = 1; i < sections.size(); ++i) {
            while (out.size() % 8 != 0) out.push_back(std::byte{0});
            offsets[i] = out.size();
            if (sections[i].type != sht_nobits) out.insert(out.end(), sections[i].data.begin(), sections[i].data.end());
        }
        while (out.size() % 8 != 0) out.push_back(std::byte{0});
        const std::uint64_t shoff = out.size();
        for (std::size_t i = 0; i < sections.size(); ++i) {
            const auto& s = sections[i];
            put32(out, i == 0 ? 0 : names[i]);
            put32(out, s.type);
            put64(out, s.flags);
            put64(out, 0);  // addr
            put64(out, offsets[i]);
            put64(out, s.data.size());
            put32(out, s.link);
            put32(out, s.info);
            put64(out, i == 0 ? 0 : s.align);
            put64(out, s.entsize);
        }
        // The ELF header: ELFCLASS64, little-endian, ET_REL, EM_BPF (247).
        const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
        std::memcpy(out.data(), ident, 16);
        set16(out, 16, 1);
        set16(out, 18, 247);
        set32(out, 20, 1);
        set64(out, 40, shoff);
        set16(out, 52, 64);
        set16(out, 58, 64);
        set16(out, 60, static_cast<std::uint16_t>(sections.size()));
        set16(out, 62, shstrndx);
        return out;
    }

    template <class T>
    static std::vector<std::byte> bytes_of(const T& v) {
        std::vector<std::byte> out(v.size() * sizeof(v[0]));
        if (!out.empty()) std::memcpy(out.data(), v.data(), out.size());
        return out;
    }

private:
    struct section_spec {
        std::string name;
        std::uint32_t type = 0;
        std::uint64_t flags = 0;
        std::vector<std::byte> data;
        std::uint32_t link = 0, info = 0;
        std::uint64_t align = 0, entsize = 0;
    };
    struct symbol_spec {
        std::string name;
        std::uint32_t section;
        std::uint64_t value, size;
        std::uint8_t type, bind;
    };
    struct relocation_spec {
        std::uint32_t section;
        std::uint64_t offset;
        std::uint32_t symbol, type;
    };

    template <class T>
    static void put(std::vector<std::byte>& out, T v) {
        std::byte b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        out.insert(out.end(), b, b + sizeof(T));
    }
    static void put16(std::vector<std::byte>& out, std::uint16_t v) { put(out, v); }
    static void put32(std::vector<std::byte>& out, std::uint32_t v) { put(out, v); }
    static void put64(std::vector<std::byte>& out, std::uint64_t v) { put(out, v); }
    template <class T>
    static void set(std::vector<std::byte>& out, std::size_t at, T v) {
        std::memcpy(out.data() + at, &v, sizeof(T));
    }
    static void set16(std::vector<std::byte>& out, std::size_t at, std::uint16_t v) { set(out, at, v); }
    static void set32(std::vector<std::byte>& out, std::size_t at, std::uint32_t v) { set(out, at, v); }
    static void set64(std::vector<std::byte>& out, std::size_t at, std::uint64_t v) { set(out, at, v); }

    std::vector<section_spec> sections_;
    std::vector<symbol_spec> symbols_;
    std::vector<relocation_spec> relocations_;
};

// BPF instructions the generated objects use.
inline bpfxx::insn call_subprogram() {  // imm patched by the loader
    return {static_cast<std::uint8_t>(bpfxx::op::jmp | bpfxx::op::call), 0, bpfxx::op::pseudo_call, 0, -1};
}
inline bpfxx::insn mov_r0(std::int32_t v) {
    return {static_cast<std::uint8_t>(bpfxx::op::alu64 | bpfxx::op::mov | bpfxx::op::k), bpfxx::op::r0, 0, 0, v};
}
inline bpfxx::insn exit_insn() { return {static_cast<std::uint8_t>(bpfxx::op::jmp | bpfxx::op::exit), 0, 0, 0, 0}; }

// A socket filter `entry` calling subprogram f0, which calls f1, ... up to
// f<n-1>: every function a call, r0 = 0, exit, and one relocation per call.
// `chain` false makes every subprogram a leaf the entry calls directly
// (functions = n, relocations = n, depth 1).
inline std::vector<std::byte> call_chain_object(std::uint32_t n, bool chain = true) {
    elf_builder b;
    std::vector<bpfxx::insn> text;
    std::vector<bpfxx::insn> entry;
    if (chain) {
        for (std::uint32_t i = 0; i < n; ++i) {
            if (i + 1 < n) text.push_back(call_subprogram());
            text.push_back(mov_r0(0));
            text.push_back(exit_insn());
        }
        entry = {call_subprogram(), mov_r0(0), exit_insn()};
    } else {
        for (std::uint32_t i = 0; i < n; ++i) {
            text.push_back(mov_r0(static_cast<std::int32_t>(i)));
            text.push_back(exit_insn());
            entry.push_back(call_subprogram());
        }
        entry.push_back(mov_r0(0));
        entry.push_back(exit_insn());
    }
    const auto text_index = b.code(".text", text);
    const auto prog_index = b.code("socket", entry);
    b.section("license", elf_builder::sht_progbits, elf_builder::shf_alloc | elf_builder::shf_write,
              elf_builder::bytes_of(std::string_view("GPL\0", 4)), 1);
    std::vector<std::uint32_t> fn(n);
    std::uint64_t at = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint64_t size = (chain ? (i + 1 < n ? 3 : 2) : 2) * sizeof(bpfxx::insn);
        fn[i] = b.symbol(std::string("f").append(std::to_string(i)), text_index, at, size, elf_builder::stt_func);
        at += size;
    }
    b.symbol("entry", prog_index, 0, entry.size() * sizeof(bpfxx::insn), elf_builder::stt_func,
             elf_builder::stb_global);
    if (chain) {
        b.relocate(prog_index, 0, fn[0], elf_builder::r_bpf_64_32);
        at = 0;
        for (std::uint32_t i = 0; i + 1 < n; ++i) {
            b.relocate(text_index, at, fn[i + 1], elf_builder::r_bpf_64_32);
            at += 3 * sizeof(bpfxx::insn);
        }
    } else {
        for (std::uint32_t i = 0; i < n; ++i)
            b.relocate(prog_index, i * sizeof(bpfxx::insn), fn[i], elf_builder::r_bpf_64_32);
    }
    return b.finish();
}

}  // namespace bpfxx_test
