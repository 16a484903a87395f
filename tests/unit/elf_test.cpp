// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::elf::file against objects compiled in the tree (tests/bpf/elf_basic.bpf.c,
// tests/bpf/elf_comdat.bpf.cpp) and against malformed copies of them.
#include <bpfxx/elf/elf.hpp>

#include "expect_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#ifndef BPFXX_TEST_OBJECTS
#error "BPFXX_TEST_OBJECTS must name the directory of the compiled tests/bpf objects"
#endif

namespace {

namespace elf = bpfxx::elf;
using testing::HasSubstr;

std::vector<std::byte> read_object(const std::string& name) {
    const std::string path = std::string(BPFXX_TEST_OBJECTS) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open test object " + path);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    std::memcpy(out.data(), chars.data(), chars.size());
    return out;
}

bpfxx::detail::bytes view(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

template <class T>
void put(std::vector<std::byte>& v, std::uint64_t off, T value) {
    ASSERT_LE(off + sizeof(T), v.size());
    std::memcpy(v.data() + off, &value, sizeof(T));  // the test host is little-endian, like the objects
}

template <class T>
T get(const std::vector<std::byte>& v, std::uint64_t off) {
    T value{};
    std::memcpy(&value, v.data() + off, sizeof(T));
    return value;
}

using bpfxx_test::expect_error;

void expect_parse_error(const std::vector<std::byte>& v, std::initializer_list<std::string> parts) {
    expect_error([&] { elf::file f(view(v)); }, parts);
}

// Byte offsets of ELF64 structures, for the mutations.
constexpr std::uint64_t e_machine = 18, e_shoff = 40, e_shentsize = 58, e_shnum = 60, e_shstrndx = 62;
constexpr std::uint64_t sh_name = 0, sh_flags = 8, sh_offset = 24, sh_size = 32, sh_link = 40,
                        sh_entsize = 56;

std::uint64_t shdr(const std::vector<std::byte>& v, std::uint32_t index) {
    return get<std::uint64_t>(v, e_shoff) + std::uint64_t{index} * 64;
}

const elf::symbol& symbol_named(const elf::file& f, std::string_view name) {
    for (const elf::symbol& s : f.symbols())
        if (s.name == name) return s;
    throw std::runtime_error("no symbol " + std::string(name));
}

class elf_basic : public testing::Test {
protected:
    std::vector<std::byte> bytes = read_object("elf_basic.bpf.o");
    elf::file f{view(bytes)};

    const elf::section& sec(std::string_view name) const {
        const elf::section* s = f.find_section(name);
        if (s == nullptr) throw std::runtime_error("no section " + std::string(name));
        return *s;
    }
};

constexpr std::string_view tp_section = "tracepoint/syscalls/sys_enter_openat";

TEST_F(elf_basic, header) {
    EXPECT_EQ(f.type(), elf::et_rel);
    EXPECT_EQ(f.machine(), elf::em_bpf);
    EXPECT_EQ(f.data().size(), bytes.size());
}

TEST_F(elf_basic, section_names_types_and_flags) {
    ASSERT_FALSE(f.sections().empty());
    EXPECT_EQ(f.sections()[0].type, elf::sht_null);
    EXPECT_TRUE(f.sections()[0].data.empty());

    // Every section but DWARF, whose set varies with the clang version.
    std::set<std::string> names;
    for (const elf::section& s : f.sections()) {
        EXPECT_EQ(&f.section_at(s.index), &s);
        if (s.index != 0 && !s.name.starts_with(".debug_") && !s.name.starts_with(".rel.debug_"))
            names.emplace(s.name);
    }
    const std::set<std::string> expected{
        ".text", ".rel.text", std::string(tp_section), ".rel" + std::string(tp_section), "xdp",
        ".relxdp", "tc", ".rodata", ".data", ".bss", ".maps", "license", ".BTF", ".rel.BTF", ".BTF.ext",
        ".rel.BTF.ext", ".llvm_addrsig", ".symtab", ".strtab"};
    EXPECT_EQ(names, expected);

    const auto exec = elf::shf_alloc | elf::shf_execinstr;
    const auto rw = elf::shf_alloc | elf::shf_write;
    EXPECT_EQ(sec(".text").type, elf::sht_progbits);
    EXPECT_EQ(sec(".text").flags, exec);
    EXPECT_EQ(sec(tp_section).flags, exec);
    EXPECT_EQ(sec("xdp").flags, exec);
    EXPECT_EQ(sec(".rodata").flags, elf::shf_alloc);
    EXPECT_EQ(sec(".rodata").size, 4u);  // const volatile u32 target_pid
    EXPECT_EQ(sec(".data").flags, rw);
    EXPECT_EQ(sec(".data").size, 8u);    // u64 hits = 1
    EXPECT_EQ(sec(".data").data.size(), 8u);
    EXPECT_EQ(std::to_integer<int>(sec(".data").data[0]), 1);
    EXPECT_EQ(sec(".bss").type, elf::sht_nobits);
    EXPECT_EQ(sec(".bss").size, 8u);     // u64 misses
    EXPECT_TRUE(sec(".bss").data.empty());
    EXPECT_EQ(sec(".maps").flags, rw);
    EXPECT_EQ(sec(".maps").size, 32u);   // four pointer fields
    const elf::section& license = sec("license");
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(license.data.data()), license.data.size()),
              std::string_view("Dual MIT/GPL\0", 13));
    EXPECT_EQ(sec(".symtab").type, elf::sht_symtab);
    EXPECT_EQ(sec(".symtab").entsize, 24u);
    EXPECT_EQ(sec(".strtab").type, elf::sht_strtab);
    EXPECT_EQ(sec(".llvm_addrsig").type, elf::sht_llvm_addrsig);
    EXPECT_EQ(f.symbol_table(), &sec(".symtab"));

    for (const char* rel : {".rel.text", ".relxdp"}) {
        EXPECT_EQ(sec(rel).type, elf::sht_rel);
        EXPECT_EQ(sec(rel).link, sec(".symtab").index);
        EXPECT_EQ(sec(rel).entsize, 16u);
    }
    EXPECT_EQ(sec(".rel.text").info, sec(".text").index);
    EXPECT_EQ(sec(".relxdp").info, sec("xdp").index);
    EXPECT_EQ(sec(".rel" + std::string(tp_section)).info, sec(tp_section).index);

    // Program code is whole 8-byte instructions.
    for (std::string_view code : {std::string_view(".text"), tp_section, std::string_view("xdp"),
                                  std::string_view("tc")}) {
        EXPECT_EQ(sec(code).size % 8, 0u) << code;
        EXPECT_GT(sec(code).size, 0u) << code;
    }

    // on_tc's CO-RE accesses leave no ELF relocations.
    EXPECT_EQ(f.find_section(".reltc"), nullptr);
    EXPECT_EQ(f.find_section(".kconfig"), nullptr);
    EXPECT_EQ(f.find_section("xd"), nullptr);
    expect_error([&] { (void)f.section_at(static_cast<std::uint32_t>(f.sections().size())); },
                 {"section index " + std::to_string(f.sections().size()), "out of range"});
}

TEST_F(elf_basic, symbols) {
    ASSERT_GT(f.symbols().size(), 1u);
    const elf::symbol& null = f.symbols()[0];
    EXPECT_EQ(null.name, "");
    EXPECT_EQ(null.section, elf::shn_undef);

    struct expectation {
        const char* name;
        std::uint8_t type, bind;
        std::string_view section;
        std::uint64_t size;  // 0: the code size of the section, checked below
    };
    const expectation expected[] = {
        {"on_openat", elf::stt_func, elf::stb_global, tp_section, 0},
        {"on_xdp", elf::stt_func, elf::stb_global, "xdp", 0},
        {"on_tc", elf::stt_func, elf::stb_global, "tc", 0},
        {"bump", elf::stt_func, elf::stb_local, ".text", 0},
        {"counts", elf::stt_object, elf::stb_global, ".maps", 32},
        {"target_pid", elf::stt_object, elf::stb_global, ".rodata", 4},
        {"hits", elf::stt_object, elf::stb_global, ".data", 8},
        {"misses", elf::stt_object, elf::stb_global, ".bss", 8},
        {"LICENSE", elf::stt_object, elf::stb_global, "license", 13},
    };
    for (const expectation& e : expected) {
        SCOPED_TRACE(e.name);
        const elf::symbol& s = symbol_named(f, e.name);
        EXPECT_EQ(&f.symbol_at(s.index), &s);
        EXPECT_EQ(s.type, e.type);
        EXPECT_EQ(s.bind, e.bind);
        EXPECT_EQ(s.visibility, 0);  // STV_DEFAULT
        EXPECT_EQ(s.value, 0u);      // each is alone in its section
        ASSERT_LT(s.section, f.sections().size());
        EXPECT_EQ(f.sections()[s.section].name, e.section);
        EXPECT_EQ(s.size, e.size != 0 ? e.size : sec(e.section).size);
    }

    // Section symbols (unnamed, STT_SECTION) for the code the relocations name.
    std::set<std::string> section_symbols;
    int files = 0;
    for (const elf::symbol& s : f.symbols()) {
        if (s.type == elf::stt_section) {
            EXPECT_EQ(s.bind, elf::stb_local);
            EXPECT_EQ(s.name, "");
            section_symbols.emplace(f.section_at(s.section).name);
        }
        if (s.type == elf::stt_file) {
            ++files;
            EXPECT_EQ(s.section, elf::shn_abs);
        }
    }
    EXPECT_EQ(files, 1);
    EXPECT_TRUE(section_symbols.count(".text"));
    EXPECT_TRUE(section_symbols.count(std::string(tp_section)));
    EXPECT_TRUE(section_symbols.count("xdp"));

    // ELF puts every local symbol before the globals; sh_info is the first global.
    const std::uint32_t first_global = sec(".symtab").info;
    for (const elf::symbol& s : f.symbols())
        EXPECT_EQ(s.bind == elf::stb_local, s.index < first_global) << s.name;

    expect_error([&] { (void)f.symbol_at(static_cast<std::uint32_t>(f.symbols().size())); },
                 {"symbol index " + std::to_string(f.symbols().size()), "out of range"});
}

// BPF instruction facts: ld_imm64 is opcode 0x18 (two slots); a BPF-to-BPF
// call is opcode 0x85 with src_reg BPF_PSEUDO_CALL (1).
bool is_ld_imm64(const elf::section& code, std::uint64_t off) {
    return std::to_integer<int>(code.data[off]) == 0x18;
}
bool is_pseudo_call(const elf::section& code, std::uint64_t off) {
    return std::to_integer<int>(code.data[off]) == 0x85 &&
           (std::to_integer<int>(code.data[off + 1]) >> 4) == 1;
}

struct seen_relocation {
    std::uint64_t offset;
    std::uint32_t type;
    std::string symbol;  // the section's name for STT_SECTION symbols
    bool operator==(const seen_relocation&) const = default;
};

std::ostream& operator<<(std::ostream& os, const seen_relocation& r) {
    return os << "{" << r.offset << ", " << r.type << ", " << r.symbol << "}";
}

TEST_F(elf_basic, relocations) {
    auto decode = [&](std::string_view rel_name) {
        std::vector<seen_relocation> out;
        for (const elf::relocation& r : f.relocations(sec(rel_name))) {
            EXPECT_EQ(r.addend, 0);  // SHT_REL
            const elf::symbol& s = f.symbol_at(r.symbol);
            out.push_back({r.offset, r.type,
                           std::string(s.type == elf::stt_section ? f.section_at(s.section).name : s.name)});
        }
        return out;
    };
    // Which code locations need relocating follows from the source: every
    // ld_imm64 in these programs loads a map or global address, every
    // pseudo call goes to bump() in .text. Offsets are where clang put them,
    // found by decoding the code (llvm-readelf-19 -r showed 0x18, 0x48, 0x90,
    // 0xd0 for the tracepoint, 0x20 for xdp, 0x0 for .text with clang 19).
    auto instruction_offsets = [&](std::string_view code_name) {
        const elf::section& code = sec(code_name);
        std::vector<std::uint64_t> out;
        for (std::uint64_t off = 0; off < code.size; off += 8) {
            if (is_ld_imm64(code, off)) {
                out.push_back(off);
                off += 8;
            } else if (is_pseudo_call(code, off)) {
                out.push_back(off);
            }
        }
        return out;
    };
    auto offsets_of = [](const std::vector<seen_relocation>& v) {
        std::vector<std::uint64_t> out;
        for (const auto& r : v) out.push_back(r.offset);
        return out;
    };

    // bump(): hits += v — one ld_imm64 of &hits.
    const auto text = decode(".rel.text");
    ASSERT_EQ(text.size(), 1u);
    EXPECT_EQ(text[0].type, elf::r_bpf_64_64);
    EXPECT_EQ(text[0].symbol, "hits");
    EXPECT_EQ(offsets_of(text), instruction_offsets(".text"));

    // on_openat(): target_pid, misses, &counts in source order, then the call to bump().
    const auto tp = decode(".rel" + std::string(tp_section));
    ASSERT_EQ(tp.size(), 4u);
    EXPECT_EQ(tp[0].symbol, "target_pid");
    EXPECT_EQ(tp[1].symbol, "misses");
    EXPECT_EQ(tp[2].symbol, "counts");
    EXPECT_EQ(tp[3].symbol, ".text");
    for (int i = 0; i < 3; ++i) EXPECT_EQ(tp[i].type, elf::r_bpf_64_64);
    EXPECT_EQ(tp[3].type, elf::r_bpf_64_32);
    EXPECT_EQ(offsets_of(tp), instruction_offsets(tp_section));
    EXPECT_TRUE(is_pseudo_call(sec(tp_section), tp[3].offset));

    // on_xdp(): only the call to bump(); the CO-RE accesses are not ELF relocations.
    const auto xdp = decode(".relxdp");
    ASSERT_EQ(xdp.size(), 1u);
    EXPECT_EQ(xdp[0], (seen_relocation{xdp[0].offset, elf::r_bpf_64_32, ".text"}));
    EXPECT_EQ(offsets_of(xdp), instruction_offsets("xdp"));

    // .BTF's relocations name the globals of its DATASEC/VAR records.
    std::set<std::string> btf_symbols;
    for (const auto& r : decode(".rel.BTF")) {
        EXPECT_TRUE(r.type == elf::r_bpf_64_nodyld32 || r.type == elf::r_bpf_64_abs32) << r;
        btf_symbols.insert(r.symbol);
    }
    EXPECT_EQ(btf_symbols, (std::set<std::string>{"target_pid", "hits", "misses", "counts", "LICENSE"}));

    // Every relocation section reads, debug info included.
    std::size_t total = 0;
    for (const elf::section& s : f.sections())
        if (s.type == elf::sht_rel || s.type == elf::sht_rela) total += f.relocations(s).size();
    EXPECT_GT(total, 6u);

    expect_error([&] { (void)f.relocations(sec(".text")); }, {".text", "expected SHT_REL (9) or SHT_RELA (4)"});
}

TEST(elf_comdat, groups) {
    const auto bytes = read_object("elf_comdat.bpf.o");
    elf::file f(view(bytes));
    std::map<std::string, std::vector<std::string>> groups;  // signature -> member names
    for (const elf::section& s : f.sections()) {
        if (s.type != elf::sht_group) continue;
        EXPECT_EQ(s.name, ".group");
        EXPECT_EQ(f.group_flags(s), elf::grp_comdat);
        const elf::symbol& signature = f.symbol_at(s.info);
        EXPECT_EQ(signature.type, elf::stt_func);
        EXPECT_EQ(signature.bind, elf::stb_weak);
        std::vector<std::string> members;
        for (std::uint32_t m : f.group_members(s)) {
            EXPECT_NE(f.section_at(m).flags & elf::shf_group, 0u);
            members.emplace_back(f.section_at(m).name);
        }
        groups[std::string(signature.name)] = members;
    }
    // twice<int> and twice<long>.
    const std::map<std::string, std::vector<std::string>> expected{
        {"_Z5twiceIiET_S0_", {".text._Z5twiceIiET_S0_"}},
        {"_Z5twiceIlET_S0_", {".text._Z5twiceIlET_S0_"}},
    };
    EXPECT_EQ(groups, expected);
    // find_section gives the first of equal names.
    const elf::section* first = f.find_section(".group");
    ASSERT_NE(first, nullptr);
    for (const elf::section& s : f.sections())
        if (s.name == ".group") {
            EXPECT_EQ(first->index, s.index);
            break;
        }
    const elf::relocation call = f.relocations(*f.find_section(".relxdp")).at(0);
    EXPECT_EQ(call.type, elf::r_bpf_64_32);
    EXPECT_EQ(f.symbol_at(call.symbol).name, "_Z5twiceIiET_S0_");
    expect_error([&] { (void)f.group_members(*f.find_section("xdp")); }, {"expected SHT_GROUP (17)"});
}

TEST(elf_comdat, malformed_groups) {
    const auto good = read_object("elf_comdat.bpf.o");
    const elf::file f(view(good));
    const elf::section& group = *f.find_section(".group");
    const std::uint32_t member = f.group_members(group).at(0);

    auto with = [&](auto&& mutate, std::initializer_list<std::string> parts) {
        auto bad = good;
        mutate(bad);
        elf::file g(view(bad));
        expect_error([&] { (void)g.group_members(g.section_at(group.index)); }, parts);
    };
    const std::string where = "ELF section [" + std::to_string(group.index) + "] '.group'";
    with([&](auto& b) { put<std::uint32_t>(b, group.offset + 4, 0); }, {where, "section index 0"});
    with([&](auto& b) { put<std::uint32_t>(b, group.offset + 4, 9999); }, {where, "section index 9999"});
    with([&](auto& b) { put<std::uint32_t>(b, group.offset + 4, group.index); },
         {where, "section index " + std::to_string(group.index)});
    with([&](auto& b) { put<std::uint64_t>(b, shdr(b, member) + sh_flags, elf::shf_alloc | elf::shf_execinstr); },
         {where, "lacks SHF_GROUP"});
    with([&](auto& b) { put<std::uint64_t>(b, shdr(b, group.index) + sh_entsize, 8); },
         {where, "sh_entsize is 8, expected 4"});
    with([&](auto& b) { put<std::uint32_t>(b, shdr(b, group.index) + 44, 5000); },
         {where, "signature symbol 5000"});
}

// --- malformed files --------------------------------------------------------

TEST(elf_malformed, every_truncation_throws) {
    const auto good = read_object("elf_basic.bpf.o");
    for (std::size_t n = 0; n < 64; ++n) {
        SCOPED_TRACE(n);
        std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        expect_parse_error(cut, {"ELF", std::to_string(n) + " bytes, too short"});
    }
    // The section header table is last, so any shorter file loses part of it.
    const std::uint64_t shoff = get<std::uint64_t>(good, e_shoff);
    ASSERT_EQ(shoff + 64 * get<std::uint16_t>(good, e_shnum), good.size());
    for (std::size_t n = 64; n < good.size(); ++n) {
        std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        try {
            elf::file g(view(cut));
            ADD_FAILURE() << "a " << n << "-byte prefix parsed";
        } catch (const bpfxx::error& e) {
            EXPECT_THAT(e.what(), HasSubstr("section header table")) << n;
        }
    }
}

TEST(elf_malformed, identification) {
    const auto good = read_object("elf_basic.bpf.o");
    auto bad = good;
    bad[1] = std::byte{'X'};
    expect_parse_error(bad, {"not an ELF file", "bad magic", "offset 0x0"});

    bad = good;
    bad[4] = std::byte{1};
    expect_parse_error(bad, {"32-bit ELF is not supported; BPF objects are ELF64"});
    bad[4] = std::byte{7};
    expect_parse_error(bad, {"ELF class 7", "offset 0x4", "ELFCLASS64"});

    bad = good;
    bad[5] = std::byte{2};
    expect_parse_error(bad, {"big-endian ELF", "bpfxx reads little-endian BPF objects"});
    bad[5] = std::byte{0};
    expect_parse_error(bad, {"data encoding 0", "offset 0x5"});

    bad = good;
    bad[6] = std::byte{2};
    expect_parse_error(bad, {"ELF version 2", "offset 0x6"});

    bad = good;
    put<std::uint16_t>(bad, e_machine, 62);
    expect_parse_error(bad, {"machine is 62 (x86-64)", "offset 0x12", "EM_BPF (247)"});
    put<std::uint16_t>(bad, e_machine, 183);
    expect_parse_error(bad, {"machine is 183 (AArch64)"});
}

TEST(elf_malformed, section_header_table) {
    const auto good = read_object("elf_basic.bpf.o");
    const auto shnum = get<std::uint16_t>(good, e_shnum);

    auto bad = good;
    put<std::uint16_t>(bad, e_shentsize, 40);
    expect_parse_error(bad, {"e_shentsize", "is 40, expected 64"});

    bad = good;
    put<std::uint64_t>(bad, e_shoff, good.size() - 64);
    expect_parse_error(bad, {"section header table", bpfxx::detail::hex(good.size() - 64),
                             std::to_string(shnum) + " entries", "runs past the end"});

    bad = good;  // e_shoff + e_shnum * 64 overflowing must not wrap around
    put<std::uint64_t>(bad, e_shoff, ~std::uint64_t{0} - 10);
    expect_parse_error(bad, {"section header table", "runs past the end"});

    bad = good;
    put<std::uint16_t>(bad, e_shnum, static_cast<std::uint16_t>(shnum + 1));
    expect_parse_error(bad, {"section header table", std::to_string(shnum + 1) + " entries"});

    bad = good;
    put<std::uint16_t>(bad, e_shnum, 0);
    expect_parse_error(bad, {"e_shnum is 0", "extended section numbering"});

    bad = good;
    put<std::uint16_t>(bad, e_shstrndx, shnum);
    expect_parse_error(bad, {"e_shstrndx " + std::to_string(shnum), "out of range (" + std::to_string(shnum)});

    bad = good;
    put<std::uint16_t>(bad, e_shstrndx, 0xffff);
    expect_parse_error(bad, {"e_shstrndx is SHN_XINDEX"});

    const elf::file f(view(good));
    bad = good;  // the section name table must be a string table
    put<std::uint16_t>(bad, e_shstrndx, static_cast<std::uint16_t>(f.find_section(".text")->index));
    expect_parse_error(bad, {"e_shstrndx names section", "expected SHT_STRTAB (3)"});
}

TEST(elf_malformed, section_data_and_names) {
    const auto good = read_object("elf_basic.bpf.o");
    const elf::file f(view(good));
    const elf::section& btf = *f.find_section(".BTF");
    const std::string btf_header = "ELF section header [" + std::to_string(btf.index) + "]";

    auto bad = good;
    put<std::uint64_t>(bad, shdr(bad, btf.index) + sh_offset, good.size() - 4);
    expect_parse_error(bad, {btf_header, "sh_offset " + bpfxx::detail::hex(good.size() - 4),
                             "runs past the end of the file (" + std::to_string(good.size())});

    bad = good;  // offset + size overflowing 64 bits
    put<std::uint64_t>(bad, shdr(bad, btf.index) + sh_size, ~std::uint64_t{0});
    expect_parse_error(bad, {btf_header, "runs past the end of the file"});

    bad = good;  // NOBITS sections occupy no file bytes, whatever their offset
    const elf::section& bss = *f.find_section(".bss");
    put<std::uint64_t>(bad, shdr(bad, bss.index) + sh_offset, ~std::uint64_t{0} - 1);
    put<std::uint64_t>(bad, shdr(bad, bss.index) + sh_size, 1 << 20);
    EXPECT_EQ(elf::file(view(bad)).find_section(".bss")->size, 1u << 20);

    bad = good;
    const elf::section& rodata = *f.find_section(".rodata");
    const elf::section& data = *f.find_section(".data");
    put<std::uint64_t>(bad, shdr(bad, data.index) + sh_offset, rodata.offset + 2);
    expect_parse_error(bad, {"'.rodata'", "'.data'", "overlaps", bpfxx::detail::hex(rodata.offset + 2)});

    const elf::section& shstrtab = f.section_at(get<std::uint16_t>(good, e_shstrndx));
    bad = good;
    put<std::uint32_t>(bad, shdr(bad, btf.index) + sh_name, static_cast<std::uint32_t>(shstrtab.size));
    expect_parse_error(bad, {"ELF section [" + std::to_string(btf.index) + "] name",
                             "string offset " + bpfxx::detail::hex(shstrtab.size),
                             "past the string table (" + std::to_string(shstrtab.size) + " bytes)"});

    bad = good;  // cut the table's final NUL: its last string loses its end
    put<std::uint64_t>(bad, shdr(bad, shstrtab.index) + sh_size, shstrtab.size - 1);
    expect_parse_error(bad, {"is not NUL-terminated"});

    bad = good;
    put<std::uint32_t>(bad, shdr(bad, 0) + 4, elf::sht_progbits);
    expect_parse_error(bad, {"section 0 has type 1", "SHT_NULL"});
}

TEST(elf_malformed, symbol_table) {
    const auto good = read_object("elf_basic.bpf.o");
    const elf::file f(view(good));
    const elf::section& symtab = *f.symbol_table();
    const std::string where = "ELF section [" + std::to_string(symtab.index) + "] '.symtab'";
    const std::uint32_t counts = symbol_named(f, "counts").index;
    const std::uint64_t counts_at = symtab.offset + std::uint64_t{counts} * 24;

    auto bad = good;
    put<std::uint64_t>(bad, shdr(bad, symtab.index) + sh_entsize, 16);
    expect_parse_error(bad, {where, "sh_entsize is 16, expected 24"});

    bad = good;
    put<std::uint64_t>(bad, shdr(bad, symtab.index) + sh_size, symtab.size - 1);
    expect_parse_error(bad, {where, "size " + std::to_string(symtab.size - 1), "not a multiple of 24"});

    bad = good;
    put<std::uint32_t>(bad, shdr(bad, symtab.index) + sh_link, f.find_section(".text")->index);
    expect_parse_error(bad, {where, "sh_link " + std::to_string(f.find_section(".text")->index),
                             "does not name a string table"});

    bad = good;
    put<std::uint32_t>(bad, shdr(bad, symtab.index) + sh_link, 60000);
    expect_parse_error(bad, {where, "sh_link 60000"});

    const elf::section& strtab = f.section_at(symtab.link);
    bad = good;
    put<std::uint32_t>(bad, counts_at, static_cast<std::uint32_t>(strtab.size + 5));
    expect_parse_error(bad, {where + " symbol " + std::to_string(counts) + " name",
                             bpfxx::detail::hex(counts_at),
                             "string offset " + bpfxx::detail::hex(strtab.size + 5)});

    bad = good;
    put<std::uint16_t>(bad, counts_at + 6, 4096);
    expect_parse_error(bad, {where + " symbol " + std::to_string(counts), "st_shndx 4096 is out of range",
                             bpfxx::detail::hex(counts_at)});

    bad = good;
    put<std::uint16_t>(bad, counts_at + 6, elf::shn_xindex);
    expect_parse_error(bad, {"symbol " + std::to_string(counts), "SHN_XINDEX", "not supported"});

    bad = good;
    put<std::uint16_t>(bad, counts_at + 6, 0xff10);
    expect_parse_error(bad, {"symbol " + std::to_string(counts), "st_shndx 0xff10", "reserved"});

    bad = good;  // SHN_ABS and SHN_COMMON are fine
    put<std::uint16_t>(bad, counts_at + 6, elf::shn_common);
    EXPECT_EQ(elf::file(view(bad)).symbol_at(counts).section, elf::shn_common);

    bad = good;  // a second SHT_SYMTAB
    put<std::uint32_t>(bad, shdr(bad, f.find_section(".llvm_addrsig")->index) + 4, elf::sht_symtab);
    expect_parse_error(bad, {"a second symbol table", "'.llvm_addrsig'", "'.symtab'"});
}

TEST(elf_malformed, relocations) {
    const auto good = read_object("elf_basic.bpf.o");
    const elf::file f(view(good));
    const elf::section& rel = *f.find_section(".rel.text");
    const std::string where = "ELF section [" + std::to_string(rel.index) + "] '.rel.text'";
    const auto nsyms = f.symbols().size();

    auto relocs = [](const std::vector<std::byte>& b) {
        elf::file g(view(b));
        return g.relocations(*g.find_section(".rel.text"));
    };

    auto bad = good;  // r_info: symbol in the high 32 bits
    put<std::uint64_t>(bad, rel.offset + 8, (std::uint64_t{1000} << 32) | elf::r_bpf_64_64);
    expect_error([&] { relocs(bad); }, {where, "entry at offset 0x0", "symbol index 1000",
                                        "past the symbol table (" + std::to_string(nsyms) + " symbols)"});

    bad = good;
    put<std::uint64_t>(bad, rel.offset + 8, (std::uint64_t{nsyms} << 32) | elf::r_bpf_64_64);
    expect_error([&] { relocs(bad); }, {"symbol index " + std::to_string(nsyms)});

    bad = good;
    put<std::uint64_t>(bad, shdr(bad, rel.index) + sh_entsize, 24);
    expect_error([&] { relocs(bad); }, {where, "sh_entsize is 24, expected 16"});

    bad = good;
    put<std::uint64_t>(bad, shdr(bad, rel.index) + sh_size, 15);
    expect_error([&] { relocs(bad); }, {where, "size 15 is not a multiple of 16", "past the section"});

    const elf::section& text = *f.find_section(".text");
    bad = good;  // an ld_imm64 patch is 16 bytes: the last 8 are too few
    put<std::uint64_t>(bad, rel.offset, text.size - 8);
    expect_error([&] { relocs(bad); }, {where, "r_offset " + bpfxx::detail::hex(text.size - 8),
                                        "16 bytes patched", "past the end of ELF section [" +
                                            std::to_string(text.index) + "] '.text'"});

    bad = good;
    put<std::uint32_t>(bad, shdr(bad, rel.index) + sh_link, text.index);
    expect_error([&] { relocs(bad); }, {where, "sh_link is " + std::to_string(text.index)});

    bad = good;
    put<std::uint32_t>(bad, shdr(bad, rel.index) + 44, 999);
    expect_error([&] { relocs(bad); }, {where, "sh_info 999 does not name a section"});
}

// Flipping any byte of the header, the section table or the symbol table
// either still parses or throws bpfxx::error — never anything else (the
// sanitizer build turns UB and bad reads into failures).
TEST(elf_malformed, byte_flip_sweep) {
    for (const char* name : {"elf_basic.bpf.o", "elf_comdat.bpf.o"}) {
        const auto good = read_object(name);
        const elf::file f(view(good));
        std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges{
            {0, 64}, {get<std::uint64_t>(good, e_shoff), good.size()},
            {f.symbol_table()->offset, f.symbol_table()->offset + f.symbol_table()->size}};
        std::size_t parsed = 0, refused = 0;
        for (auto [begin, end] : ranges)
            for (std::uint64_t at = begin; at < end; ++at)
                for (int mask : {0xff, 0x80, 0x01}) {
                    auto bad = good;
                    bad[at] ^= std::byte(mask);
                    try {
                        elf::file g(view(bad));
                        for (const elf::section& s : g.sections()) {
                            (void)g.find_section(s.name);
                            try {
                                if (s.type == elf::sht_rel || s.type == elf::sht_rela)
                                    for (const auto& r : g.relocations(s)) (void)g.symbol_at(r.symbol);
                                if (s.type == elf::sht_group) (void)g.group_members(s);
                            } catch (const bpfxx::error&) {
                            }
                        }
                        ++parsed;
                    } catch (const bpfxx::error& e) {
                        EXPECT_NE(std::string(e.what()), "");
                        ++refused;
                    }
                }
        EXPECT_GT(parsed, 0u) << name;
        EXPECT_GT(refused, 0u) << name;
    }
}

// A minimal ELF written by hand: header, null section and a section name
// table, nothing else — the smallest file the reader accepts.
TEST(elf_handmade, minimal_file) {
    std::vector<std::byte> b(64 + 16 + 2 * 64);
    const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    std::memcpy(b.data(), ident, sizeof ident);
    put<std::uint16_t>(b, 16, elf::et_rel);
    put<std::uint16_t>(b, e_machine, elf::em_bpf);
    put<std::uint64_t>(b, e_shoff, 80);
    put<std::uint16_t>(b, e_shentsize, 64);
    put<std::uint16_t>(b, e_shnum, 2);
    put<std::uint16_t>(b, e_shstrndx, 1);
    const char names[] = "\0.shstrtab";  // 11 bytes with the final NUL
    std::memcpy(b.data() + 64, names, sizeof names);
    const std::uint64_t s1 = 80 + 64;
    put<std::uint32_t>(b, s1 + sh_name, 1);
    put<std::uint32_t>(b, s1 + 4, elf::sht_strtab);
    put<std::uint64_t>(b, s1 + sh_offset, 64);
    put<std::uint64_t>(b, s1 + sh_size, sizeof names);

    const elf::file f(view(b));
    ASSERT_EQ(f.sections().size(), 2u);
    EXPECT_EQ(f.sections()[1].name, ".shstrtab");
    EXPECT_EQ(f.find_section(".shstrtab"), &f.sections()[1]);
    EXPECT_TRUE(f.symbols().empty());
    EXPECT_EQ(f.symbol_table(), nullptr);

    // A name running to the table's end without a NUL.
    auto bad = b;
    put<std::uint64_t>(bad, s1 + sh_size, sizeof names - 1);
    expect_parse_error(bad, {"ELF section [1] name", "string at offset 0x1 is not NUL-terminated"});

    // No section headers at all is a valid, empty object.
    auto empty = b;
    put<std::uint64_t>(empty, e_shoff, 0);
    put<std::uint16_t>(empty, e_shnum, 0);
    put<std::uint16_t>(empty, e_shstrndx, 0);
    EXPECT_TRUE(elf::file(view(empty)).sections().empty());
}

}  // namespace
