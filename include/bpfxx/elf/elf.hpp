// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::elf — a bounds-checked reader of ELF64 relocatable BPF objects held
// in memory. It validates the layout once in the constructor and hands out
// views into the caller's bytes: the bytes must outlive the file.
#pragma once
#ifdef __bpf__
#error "bpfxx/elf/elf.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/error.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// Integers in a BPF object are little-endian; swap on a big-endian host.
template <class T>
    requires std::is_integral_v<T>
T load_le(bytes data, std::uint64_t offset, std::string_view where) {
    T v = load<T>(data, offset, where);
    if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
        using U = std::make_unsigned_t<T>;
        U u = static_cast<U>(v);
        U r = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            r = static_cast<U>((r << 8) | (u & 0xff));
            u = static_cast<U>(u >> 8);
        }
        v = static_cast<T>(r);
    }
    return v;
}

// Resolves many NUL-terminated strings of one table. A string ends at the
// first NUL at or after its offset, so with the offsets visited in sorted order
// every table byte is scanned at most once: O(n log n + table size), where n
// separate memchr calls into one long unterminated run would be quadratic.
// `where(i)` names item i for the error raised when its string is invalid.
//
// Fast path: when the table's last byte is a NUL (as compilers emit them),
// every offset inside it names a terminated string, so each is measured
// directly, in offset order as given; should the strings measured add up to
// more than a few times the table (offsets crowding into one long run), or an
// offset be out of range, the sorted scan below takes over and reports
// exactly what it always did.
template <class Where>
std::vector<std::string_view> c_strings(bytes table, std::span<const std::uint64_t> offsets,
                                        Where&& where) {
    if (!table.empty() && table.back() == std::byte{0}) {
        std::vector<std::string_view> out(offsets.size());
        const auto* base = reinterpret_cast<const char*>(table.data());
        std::uint64_t budget = 4 * std::uint64_t{table.size()} + 64;
        bool ok = true;
        for (std::size_t i = 0; i < offsets.size(); ++i) {
            const std::uint64_t off = offsets[i];
            if (off >= table.size()) {
                ok = false;
                break;
            }
            const std::size_t len = std::strlen(base + off);  // stops at the last byte at the latest
            if (len >= budget) {
                ok = false;
                break;
            }
            budget -= len;
            out[i] = std::string_view(base + off, len);
        }
        if (ok) return out;
    }
    std::vector<std::uint32_t> order(offsets.size());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return offsets[a] < offsets[b]; });
    std::vector<std::string_view> out(offsets.size());
    const auto* base = reinterpret_cast<const char*>(table.data());
    std::uint64_t nul = 0;  // a NUL at or after every offset visited so far
    bool have_nul = false;
    for (std::uint32_t i : order) {
        const std::uint64_t off = offsets[i];
        if (off >= table.size()) {
            c_string(table, off, where(i));  // throws the standard message
            raise(cat(where(i), ": invalid string offset ", hex(off)));
        }
        if (!have_nul || nul < off) {
            const void* end = std::memchr(base + off, 0, table.size() - off);
            if (end == nullptr) {
                c_string(table, off, where(i));  // throws the standard message
                raise(cat(where(i), ": string at offset ", hex(off), " is not NUL-terminated"));
            }
            nul = static_cast<std::uint64_t>(static_cast<const char*>(end) - base);
            have_nul = true;
        }
        out[i] = std::string_view(base + off, static_cast<std::size_t>(nul - off));
    }
    return out;
}

}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace elf {

// The first four bytes of every ELF file.
inline constexpr std::byte magic[4] = {std::byte{0x7f}, std::byte{'E'}, std::byte{'L'}, std::byte{'F'}};

// Section types.
inline constexpr std::uint32_t sht_null = 0;
inline constexpr std::uint32_t sht_progbits = 1;
inline constexpr std::uint32_t sht_symtab = 2;
inline constexpr std::uint32_t sht_strtab = 3;
inline constexpr std::uint32_t sht_rela = 4;
inline constexpr std::uint32_t sht_nobits = 8;
inline constexpr std::uint32_t sht_rel = 9;
inline constexpr std::uint32_t sht_group = 17;
inline constexpr std::uint32_t sht_llvm_addrsig = 0x6fff4c03;

// Section flags.
inline constexpr std::uint64_t shf_write = 0x1;
inline constexpr std::uint64_t shf_alloc = 0x2;
inline constexpr std::uint64_t shf_execinstr = 0x4;
inline constexpr std::uint64_t shf_group = 0x200;

// Symbol types and bindings (st_info low and high nibble).
inline constexpr std::uint8_t stt_notype = 0;
inline constexpr std::uint8_t stt_object = 1;
inline constexpr std::uint8_t stt_func = 2;
inline constexpr std::uint8_t stt_section = 3;
inline constexpr std::uint8_t stt_file = 4;
inline constexpr std::uint8_t stb_local = 0;
inline constexpr std::uint8_t stb_global = 1;
inline constexpr std::uint8_t stb_weak = 2;

// Special section indexes (st_shndx).
inline constexpr std::uint16_t shn_undef = 0;
inline constexpr std::uint16_t shn_loreserve = 0xff00;
inline constexpr std::uint16_t shn_abs = 0xfff1;
inline constexpr std::uint16_t shn_common = 0xfff2;
inline constexpr std::uint16_t shn_xindex = 0xffff;

inline constexpr std::uint16_t em_bpf = 247;
inline constexpr std::uint16_t et_rel = 1;
inline constexpr std::uint32_t grp_comdat = 0x1;

// BPF relocation types (LLVM's BPF ELF ABI).
inline constexpr std::uint32_t r_bpf_none = 0;
inline constexpr std::uint32_t r_bpf_64_64 = 1;        // ld_imm64: map or global data address
inline constexpr std::uint32_t r_bpf_64_abs64 = 2;     // 8-byte data (DWARF)
inline constexpr std::uint32_t r_bpf_64_abs32 = 3;     // 4-byte data (DWARF, BTF)
inline constexpr std::uint32_t r_bpf_64_nodyld32 = 4;  // 4-byte data (.BTF, .BTF.ext)
inline constexpr std::uint32_t r_bpf_64_32 = 10;       // call imm: BPF-to-BPF call

struct section {
    std::uint32_t index;
    std::string_view name;
    std::uint32_t type;
    std::uint64_t flags;
    std::uint64_t offset, size;
    std::uint32_t link, info;
    std::uint64_t addralign, entsize;
    std::span<const std::byte> data;  // empty for SHT_NOBITS and the null section
};

struct symbol {
    std::uint32_t index;
    std::string_view name;
    std::uint64_t value, size;
    std::uint8_t type, bind, visibility;
    std::uint16_t section;  // st_shndx
};

struct relocation {
    std::uint64_t offset;
    std::uint32_t symbol;
    std::uint32_t type;
    std::int64_t addend;  // 0 for SHT_REL: BPF keeps the addend in the instruction
};

// The name of a machine number for messages ("x86-64" for 62).
inline const char* machine_name(std::uint16_t machine) noexcept {
    switch (machine) {
        case 3: return "i386";
        case 8: return "MIPS";
        case 20: return "PowerPC";
        case 21: return "PowerPC64";
        case 22: return "s390";
        case 40: return "ARM";
        case 62: return "x86-64";
        case 183: return "AArch64";
        case 243: return "RISC-V";
        case 247: return "BPF";
        case 258: return "LoongArch";
        default: return "unknown";
    }
}

class file {
public:
    static constexpr std::size_t ehdr_size = 64;
    static constexpr std::size_t shdr_size = 64;
    static constexpr std::size_t sym_size = 24;
    static constexpr std::size_t rel_size = 16;
    static constexpr std::size_t rela_size = 24;

    // Validates the header, the section table, the section names and the
    // symbol table; throws bpfxx::error naming what is wrong and where.
    explicit file(std::span<const std::byte> data) : data_(data) {
        read_header();
        read_sections();
        check_overlaps();
        read_symbols();
        index_names();
    }

    [[nodiscard]] std::span<const std::byte> data() const noexcept { return data_; }
    [[nodiscard]] std::uint16_t type() const noexcept { return type_; }
    [[nodiscard]] std::uint16_t machine() const noexcept { return machine_; }

    [[nodiscard]] std::span<const section> sections() const noexcept { return sections_; }

    // The first section of that name (names such as ".group" repeat).
    [[nodiscard]] const section* find_section(std::string_view name) const noexcept {
        auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                                   [&](std::uint32_t i, std::string_view n) {
                                       return sections_[i].name < n;
                                   });
        if (it == by_name_.end() || sections_[*it].name != name) return nullptr;
        return &sections_[*it];
    }

    [[nodiscard]] const section& section_at(std::uint32_t index) const {
        if (index >= sections_.size())
            detail::raise(detail::cat("ELF section index ", index, " is out of range (the file has ",
                                      sections_.size(), " sections)"));
        return sections_[index];
    }

    // The .symtab section, nullptr when the file has none.
    [[nodiscard]] const section* symbol_table() const noexcept {
        return symtab_ == 0 ? nullptr : &sections_[symtab_];
    }

    [[nodiscard]] std::span<const symbol> symbols() const noexcept { return symbols_; }

    [[nodiscard]] const symbol& symbol_at(std::uint32_t index) const {
        if (index >= symbols_.size())
            detail::raise(detail::cat("ELF symbol index ", index, " is out of range (.symtab has ",
                                      symbols_.size(), " symbols)"));
        return symbols_[index];
    }

    // The entries of an SHT_REL or SHT_RELA section, checked against the
    // symbol table and the section they patch (sh_info).
    [[nodiscard]] std::vector<relocation> relocations(const section& rel) const {
        const section& s = section_at(rel.index);
        const bool rela = s.type == sht_rela;
        if (s.type != sht_rel && !rela)
            detail::raise(detail::cat(describe(s), " has type ", s.type,
                                      ", expected SHT_REL (9) or SHT_RELA (4)"));
        const std::uint64_t entsize = rela ? rela_size : rel_size;
        if (s.entsize != entsize)
            detail::raise(detail::cat(describe(s), ": sh_entsize is ", s.entsize, ", expected ",
                                      entsize));
        if (s.size % entsize != 0)
            detail::raise(detail::cat(describe(s), ": size ", s.size, " is not a multiple of ",
                                      entsize, "; the last entry runs past the section"));
        if (symtab_ == 0 || s.link != symtab_)
            detail::raise(detail::cat(describe(s), ": sh_link is ", s.link,
                                      ", expected the symbol table's index ",
                                      symtab_ == 0 ? std::string("(the file has none)")
                                                   : detail::cat(symtab_)));
        if (s.info == 0 || s.info >= sections_.size())
            detail::raise(detail::cat(describe(s), ": sh_info ", s.info,
                                      " does not name a section (the file has ", sections_.size(),
                                      ")"));
        const section& target = sections_[s.info];
        std::vector<relocation> out;
        out.reserve(static_cast<std::size_t>(s.size / entsize));
        for (std::uint64_t pos = 0; pos < s.size; pos += entsize) {
            // In bounds: the size is whole entries and the data was sliced to it.
            constexpr std::string_view entry = "ELF relocation entry";
            relocation r{};
            r.offset = detail::load_le<std::uint64_t>(s.data, pos, entry);
            const auto info = detail::load_le<std::uint64_t>(s.data, pos + 8, entry);
            r.symbol = static_cast<std::uint32_t>(info >> 32);
            r.type = static_cast<std::uint32_t>(info);
            r.addend = rela ? detail::load_le<std::int64_t>(s.data, pos + 16, entry) : 0;
            auto where = [&] { return detail::cat(describe(s), " entry at offset ", detail::hex(pos)); };
            if (r.symbol >= symbols_.size())
                detail::raise(detail::cat(where(), ": symbol index ", r.symbol,
                                          " is past the symbol table (", symbols_.size(),
                                          " symbols)"));
            const std::uint64_t width = patch_width(r.type, target);
            if (!detail::in_bounds(r.offset, width, target.size))
                detail::raise(detail::cat(where(), ": r_offset ", detail::hex(r.offset), " (",
                                          width, " bytes patched) is past the end of ",
                                          describe(target), " (", target.size, " bytes)"));
            out.push_back(r);
        }
        return out;
    }

    // The first word of an SHT_GROUP section: GRP_COMDAT or 0.
    [[nodiscard]] std::uint32_t group_flags(const section& group) const {
        const section& s = check_group(group);
        return detail::load_le<std::uint32_t>(s.data, 0, describe(s));
    }

    // The section indexes an SHT_GROUP (COMDAT) section lists.
    [[nodiscard]] std::vector<std::uint32_t> group_members(const section& group) const {
        const section& s = check_group(group);
        std::vector<std::uint32_t> out;
        out.reserve(static_cast<std::size_t>(s.size / 4 - 1));
        for (std::uint64_t pos = 4; pos < s.size; pos += 4) {
            const auto m = detail::load_le<std::uint32_t>(s.data, pos, "ELF group member");
            if (m == 0 || m >= sections_.size() || m == s.index)
                detail::raise(detail::cat(describe(s), ": member at offset ", detail::hex(pos),
                                          " is section index ", m,
                                          ", which is not another section (the file has ",
                                          sections_.size(), ")"));
            if ((sections_[m].flags & shf_group) == 0)
                detail::raise(detail::cat(describe(s), ": member ", describe(sections_[m]),
                                          " lacks SHF_GROUP"));
            out.push_back(m);
        }
        std::vector<std::uint32_t> sorted = out;
        std::sort(sorted.begin(), sorted.end());
        auto dup = std::adjacent_find(sorted.begin(), sorted.end());
        if (dup != sorted.end())
            detail::raise(detail::cat(describe(s), " lists ", describe(sections_[*dup]), " twice"));
        return out;
    }

private:
    static std::string describe(const section& s) {
        return detail::cat("ELF section [", s.index, "] '", s.name, "'");
    }

    // Bytes a relocation of this type covers at r_offset; 1 for types this
    // reader does not know, so the offset must at least lie inside. Before
    // LLVM 13 (D102712) R_BPF_64_64 and R_BPF_64_32 also patched 8- and
    // 4-byte data (DWARF, .BTF, .BTF.ext), so their instruction widths apply
    // to code sections only.
    static std::uint64_t patch_width(std::uint32_t type, const section& target) noexcept {
        const bool code = (target.flags & shf_execinstr) != 0;
        switch (type) {
            case r_bpf_none: return 0;
            case r_bpf_64_64: return code ? 16 : 8;  // ld_imm64 is two instruction slots
            case r_bpf_64_abs64: return 8;
            case r_bpf_64_abs32: return 4;
            case r_bpf_64_nodyld32: return 4;
            case r_bpf_64_32: return code ? 8 : 4;   // the call instruction
            default: return 1;
        }
    }

    const section& check_group(const section& group) const {
        const section& s = section_at(group.index);
        if (s.type != sht_group)
            detail::raise(detail::cat(describe(s), " has type ", s.type, ", expected SHT_GROUP (17)"));
        if (s.entsize != 4)
            detail::raise(detail::cat(describe(s), ": sh_entsize is ", s.entsize, ", expected 4"));
        if (s.size < 4 || s.size % 4 != 0)
            detail::raise(detail::cat(describe(s), ": size ", s.size,
                                      " is not a flag word followed by 4-byte section indexes"));
        if (symtab_ == 0 || s.link != symtab_)
            detail::raise(detail::cat(describe(s), ": sh_link is ", s.link,
                                      ", expected the symbol table's index"));
        if (s.info >= symbols_.size())
            detail::raise(detail::cat(describe(s), ": signature symbol ", s.info,
                                      " is past the symbol table (", symbols_.size(), " symbols)"));
        return s;
    }

    void read_header() {
        const std::uint64_t n = data_.size();
        if (n < 16)
            detail::raise(detail::cat("ELF file is ", n, " bytes, too short for an ELF header (",
                                      ehdr_size, " bytes)"));
        const auto u8 = [&](std::uint64_t off) {
            return std::to_integer<std::uint8_t>(data_[static_cast<std::size_t>(off)]);
        };
        if (u8(0) != 0x7f || u8(1) != 'E' || u8(2) != 'L' || u8(3) != 'F')
            detail::raise(detail::cat("not an ELF file: bad magic ", detail::hex(u8(0)), " ",
                                      detail::hex(u8(1)), " ", detail::hex(u8(2)), " ",
                                      detail::hex(u8(3)), " at offset 0x0 (expected 0x7f 'E' 'L' 'F')"));
        if (u8(4) == 1)
            detail::raise("32-bit ELF is not supported; BPF objects are ELF64 (EI_CLASS at offset 0x4 is 1)");
        if (u8(4) != 2)
            detail::raise(detail::cat("ELF class ", u8(4),
                                      " at offset 0x4 is invalid, expected ELFCLASS64 (2)"));
        if (u8(5) == 2)
            detail::raise(
                "big-endian ELF (EI_DATA at offset 0x5 is ELFDATA2MSB, a bpfeb object) is not "
                "supported: bpfxx reads little-endian BPF objects (clang -target bpfel or bpf on a "
                "little-endian host)");
        if (u8(5) != 1)
            detail::raise(detail::cat("ELF data encoding ", u8(5),
                                      " at offset 0x5 is invalid, expected ELFDATA2LSB (1)"));
        if (u8(6) != 1)
            detail::raise(detail::cat("ELF version ", u8(6),
                                      " at offset 0x6 is invalid, expected EV_CURRENT (1)"));
        if (n < ehdr_size)
            detail::raise(detail::cat("ELF file is ", n, " bytes, too short for an ELF64 header (",
                                      ehdr_size, " bytes)"));
        constexpr std::string_view where = "ELF header";
        type_ = detail::load_le<std::uint16_t>(data_, 16, where);
        machine_ = detail::load_le<std::uint16_t>(data_, 18, where);
        if (machine_ != em_bpf)
            detail::raise(detail::cat("ELF machine is ", machine_, " (", machine_name(machine_),
                                      ") at offset 0x12, expected EM_BPF (", em_bpf,
                                      "): not a BPF object (compile with clang -target bpf)"));
        shoff_ = detail::load_le<std::uint64_t>(data_, 40, where);
        shentsize_ = detail::load_le<std::uint16_t>(data_, 58, where);
        shnum_ = detail::load_le<std::uint16_t>(data_, 60, where);
        shstrndx_ = detail::load_le<std::uint16_t>(data_, 62, where);
        if (shnum_ == 0 && shoff_ != 0)
            detail::raise(detail::cat("ELF header: e_shnum is 0 with e_shoff ", detail::hex(shoff_),
                                      ": extended section numbering (more than 65279 sections) "
                                      "is not supported"));
        if (shnum_ != 0 && shentsize_ != shdr_size)
            detail::raise(detail::cat("ELF header: e_shentsize at offset 0x3a is ", shentsize_,
                                      ", expected ", shdr_size));
        if (!detail::in_bounds(shoff_, std::uint64_t{shnum_} * shdr_size, n))
            detail::raise(detail::cat("ELF header: section header table at e_shoff ",
                                      detail::hex(shoff_), " (", shnum_, " entries of ", shdr_size,
                                      " bytes) runs past the end of the file (", n, " bytes)"));
        if (shstrndx_ == shn_xindex)
            detail::raise("ELF header: e_shstrndx is SHN_XINDEX: extended section numbering is not supported");
        if (shnum_ != 0 ? shstrndx_ >= shnum_ : shstrndx_ != 0)
            detail::raise(detail::cat("ELF header: e_shstrndx ", shstrndx_,
                                      " at offset 0x3e is out of range (", shnum_, " sections)"));
    }

    void read_sections() {
        sections_.resize(shnum_);
        std::vector<std::uint64_t> name_offsets(shnum_);
        for (std::uint32_t i = 0; i < shnum_; ++i) {
            const std::uint64_t at = shoff_ + std::uint64_t{i} * shdr_size;
            // Loads are in bounds (read_header checked the whole table); the
            // message is built only on error.
            constexpr std::string_view entry = "ELF section header";
            auto where = [&] { return detail::cat("ELF section header [", i, "] at offset ", detail::hex(at)); };
            section& s = sections_[i];
            s.index = i;
            name_offsets[i] = detail::load_le<std::uint32_t>(data_, at, entry);
            s.type = detail::load_le<std::uint32_t>(data_, at + 4, entry);
            s.flags = detail::load_le<std::uint64_t>(data_, at + 8, entry);
            s.offset = detail::load_le<std::uint64_t>(data_, at + 24, entry);
            s.size = detail::load_le<std::uint64_t>(data_, at + 32, entry);
            s.link = detail::load_le<std::uint32_t>(data_, at + 40, entry);
            s.info = detail::load_le<std::uint32_t>(data_, at + 44, entry);
            s.addralign = detail::load_le<std::uint64_t>(data_, at + 48, entry);
            s.entsize = detail::load_le<std::uint64_t>(data_, at + 56, entry);
            if (i == 0) {
                // The null entry; with extended numbering its size and link
                // would carry e_shnum and e_shstrndx, refused above.
                if (s.type != sht_null)
                    detail::raise(detail::cat(where(), ": section 0 has type ", s.type,
                                              ", expected SHT_NULL (0)"));
                continue;
            }
            if (s.type == sht_nobits) continue;
            if (!detail::in_bounds(s.offset, s.size, data_.size()))
                detail::raise(detail::cat(where(), ": data at sh_offset ", detail::hex(s.offset),
                                          " with sh_size ", detail::hex(s.size),
                                          " runs past the end of the file (", data_.size(), " bytes)"));
            s.data = data_.subspan(static_cast<std::size_t>(s.offset), static_cast<std::size_t>(s.size));
        }
        if (shnum_ == 0) return;
        const section& strtab = sections_[shstrndx_];
        if (shstrndx_ == 0) {
            // SHN_UNDEF: the file has no section names (allowed by the ELF spec).
            for (std::uint32_t i = 0; i < shnum_; ++i)
                if (name_offsets[i] != 0)
                    detail::raise(detail::cat("ELF section [", i, "]: sh_name is ",
                                              detail::hex(name_offsets[i]),
                                              " but e_shstrndx says the file has no section names"));
            return;
        }
        if (strtab.type != sht_strtab)
            detail::raise(detail::cat("ELF header: e_shstrndx names section [", shstrndx_,
                                      "] of type ", strtab.type, ", expected SHT_STRTAB (3)"));
        const auto names = detail::c_strings(strtab.data, name_offsets, [&](std::uint32_t i) {
            return detail::cat("ELF section [", i, "] name (sh_name in the header at offset ",
                               detail::hex(shoff_ + std::uint64_t{i} * shdr_size),
                               ", section name table [", shstrndx_, "])");
        });
        for (std::uint32_t i = 0; i < shnum_; ++i) {
            check_name(names[i], [&] { return detail::cat("ELF section [", i, "] name"); });
            sections_[i].name = names[i];
        }
    }

    // Names are shown in messages and by tools: one with a control character
    // (an escape sequence, say) is refused, not printed. No compiler writes
    // one into a BPF object.
    template <class Where>
    static void check_name(std::string_view name, Where&& where) {
        for (char c : name) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u == 0x7f) [[unlikely]]
                detail::raise(detail::cat(where(), " '", detail::printable(name), "' holds a control character (",
                                          detail::hex(u), "); names in a BPF object never do"));
        }
    }

    // Sections of a relocatable object never share bytes; overlapping ones
    // mean a corrupt or crafted file whose parts would alias.
    void check_overlaps() const {
        std::vector<std::uint32_t> backed;
        for (const section& s : sections_)
            if (s.index != 0 && s.type != sht_nobits && s.size != 0) backed.push_back(s.index);
        std::sort(backed.begin(), backed.end(), [&](std::uint32_t a, std::uint32_t b) {
            return std::pair(sections_[a].offset, a) < std::pair(sections_[b].offset, b);
        });
        for (std::size_t k = 1; k < backed.size(); ++k) {
            const section& a = sections_[backed[k - 1]];
            const section& b = sections_[backed[k]];
            if (a.offset + a.size > b.offset)  // no overflow: both checked in bounds
                detail::raise(detail::cat(describe(a), " at ", detail::hex(a.offset), "+",
                                          detail::hex(a.size), " overlaps ", describe(b), " at ",
                                          detail::hex(b.offset), "+", detail::hex(b.size)));
        }
    }

    void read_symbols() {
        for (const section& s : sections_) {
            if (s.type != sht_symtab) continue;
            if (symtab_ != 0)
                detail::raise(detail::cat(describe(s), " is a second symbol table after ",
                                          describe(sections_[symtab_]), "; ELF allows one SHT_SYMTAB"));
            symtab_ = s.index;
        }
        if (symtab_ == 0) return;
        const section& st = sections_[symtab_];
        if (st.entsize != sym_size)
            detail::raise(detail::cat(describe(st), ": sh_entsize is ", st.entsize, ", expected ",
                                      sym_size, " (Elf64_Sym)"));
        if (st.size % sym_size != 0)
            detail::raise(detail::cat(describe(st), ": size ", st.size, " is not a multiple of ",
                                      sym_size, " (Elf64_Sym)"));
        if (st.link == 0 || st.link >= sections_.size() || sections_[st.link].type != sht_strtab)
            detail::raise(detail::cat(describe(st), ": sh_link ", st.link,
                                      " does not name a string table (SHT_STRTAB)"));
        const section& strtab = sections_[st.link];
        const std::size_t count = static_cast<std::size_t>(st.size / sym_size);
        symbols_.resize(count);
        std::vector<std::uint64_t> name_offsets(count);
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t at = i * sym_size;
            // Loads are in bounds (whole entries); the message is built only on error.
            constexpr std::string_view entry = "ELF symbol";
            auto where = [&] {
                return detail::cat(describe(st), " symbol ", i, " (at offset ",
                                   detail::hex(st.offset + at), ")");
            };
            symbol& y = symbols_[i];
            y.index = static_cast<std::uint32_t>(i);
            name_offsets[i] = detail::load_le<std::uint32_t>(st.data, at, entry);
            const auto info = detail::load_le<std::uint8_t>(st.data, at + 4, entry);
            y.type = static_cast<std::uint8_t>(info & 0xf);
            y.bind = static_cast<std::uint8_t>(info >> 4);
            y.visibility = static_cast<std::uint8_t>(detail::load_le<std::uint8_t>(st.data, at + 5, entry) & 0x3);
            y.section = detail::load_le<std::uint16_t>(st.data, at + 6, entry);
            y.value = detail::load_le<std::uint64_t>(st.data, at + 8, entry);
            y.size = detail::load_le<std::uint64_t>(st.data, at + 16, entry);
            if (y.section == shn_xindex)
                detail::raise(detail::cat(where(), ": st_shndx is SHN_XINDEX; extended section indexes "
                                          "(SHT_SYMTAB_SHNDX) are not supported"));
            if (y.section >= shn_loreserve && y.section != shn_abs && y.section != shn_common)
                detail::raise(detail::cat(where(), ": st_shndx ", detail::hex(y.section),
                                          " is a reserved index other than SHN_ABS or SHN_COMMON"));
            if (y.section < shn_loreserve && y.section >= sections_.size())
                detail::raise(detail::cat(where(), ": st_shndx ", y.section, " is out of range (the file has ",
                                          sections_.size(), " sections)"));
        }
        const auto names = detail::c_strings(strtab.data, name_offsets, [&](std::uint32_t i) {
            return detail::cat(describe(st), " symbol ", i, " name (at offset ",
                               detail::hex(st.offset + std::uint64_t{i} * sym_size), ", string table ",
                               describe(strtab), ")");
        });
        for (std::size_t i = 0; i < count; ++i) {
            check_name(names[i], [&] { return detail::cat(describe(st), " symbol ", i, " name"); });
            symbols_[i].name = names[i];
        }
    }

    void index_names() {
        by_name_.resize(sections_.size());
        std::iota(by_name_.begin(), by_name_.end(), std::uint32_t{0});
        // std::sort on (name, index), not std::stable_sort: libstdc++ 12's
        // stable_sort trips clang's deprecation warning (get_temporary_buffer).
        std::sort(by_name_.begin(), by_name_.end(), [&](std::uint32_t a, std::uint32_t b) {
            return std::pair(sections_[a].name, a) < std::pair(sections_[b].name, b);
        });
    }

    detail::bytes data_;
    std::uint16_t type_ = 0, machine_ = 0;
    std::uint64_t shoff_ = 0;
    std::uint16_t shentsize_ = 0, shnum_ = 0, shstrndx_ = 0;
    std::uint32_t symtab_ = 0;  // 0: no symbol table
    std::vector<section> sections_;
    std::vector<symbol> symbols_;
    std::vector<std::uint32_t> by_name_;  // section indexes sorted by name, then index
};

}  // namespace elf
BPFXX_END_NAMESPACE
