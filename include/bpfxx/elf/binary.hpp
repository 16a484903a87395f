// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::elf::binary — the functions of an executable or shared library
// (ELF64, little-endian, ET_EXEC or ET_DYN: plain and PIE executables,
// shared objects), found by name for uprobes. A uprobe is placed at a file
// offset, so what this answers is where a function's first instruction
// lies in the file.
//
// The bytes are untrusted (any file a user names): every table is checked
// against the file before it is read, and lookups scan the symbol tables
// without building anything, so a huge or hostile file costs one pass.
#pragma once
#ifdef __bpf__
#error "bpfxx/elf/binary.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/error.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace elf {

// A function found in a binary.
struct function_location {
    std::string_view name;     // as the symbol table spells it ("memcpy@@GLIBC_2.14" in a .symtab)
    std::uint64_t address = 0;      // st_value: the link-time virtual address
    std::uint64_t file_offset = 0;  // where a uprobe goes
    std::uint64_t size = 0;
    bool dynamic = false;           // found in .dynsym rather than .symtab
};

class binary {
public:
    static constexpr std::uint16_t et_exec = 2;
    static constexpr std::uint16_t et_dyn = 3;
    static constexpr std::uint32_t sht_symtab = 2;
    static constexpr std::uint32_t sht_dynsym = 11;
    static constexpr std::uint32_t sht_gnu_versym = 0x6fffffff;
    static constexpr std::uint8_t stt_func = 2;
    static constexpr std::uint8_t stt_gnu_ifunc = 10;

    // Checks the header and the section table; `path` names the file in
    // messages. The bytes must outlive the binary.
    binary(std::span<const std::byte> data, std::string path) : data_(data), path_(std::move(path)) {
        read_header();
        read_tables();
    }

    [[nodiscard]] std::uint16_t machine() const noexcept { return machine_; }
    [[nodiscard]] std::uint16_t type() const noexcept { return type_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] bool has_symbols() const noexcept { return symtab_.entries != 0 || dynsym_.entries != 0; }

    // The function `name`: a defined STT_FUNC symbol of that name in
    // .symtab, else in .dynsym. A name without '@' also matches the
    // versioned spellings "name@VER" and "name@@VER" of a .symtab; where
    // several .dynsym entries share the name (older versions of a glibc
    // function), the default version wins. Nothing when there is none.
    // Throws for an indirect function (STT_GNU_IFUNC): a probe there would
    // see the resolver run once, not the calls.
    [[nodiscard]] std::optional<function_location> find_function(std::string_view name) const {
        if (auto f = search(symtab_, name)) return f;
        return search(dynsym_, name);
    }

    // Calls `each(name, file_offset)` for every defined function (STT_FUNC;
    // indirect functions are left out) of .symtab and .dynsym, the name
    // without its @VERSION; a function in both tables comes twice.
    template <class Each>
    void for_each_function(Each&& each) const {
        for (const table* t : {&symtab_, &dynsym_}) {
            for (std::uint64_t i = 1; i < t->entries; ++i) {
                const std::uint64_t o = t->offset + i * sym_size;
                if ((at<std::uint8_t>(o + 4) & 0xf) != stt_func) continue;
                const auto shndx = at<std::uint16_t>(o + 6);
                if (shndx == 0 || shndx >= 0xff00) continue;
                auto symbol = name_at(*t, at<std::uint32_t>(o));
                const auto value = at<std::uint64_t>(o + 8);
                if (symbol.empty() || value == 0) continue;
                auto offset = address_to_offset(value);
                if (!offset) continue;
                each(symbol.substr(0, symbol.find('@')), *offset);
            }
        }
    }

    // find_function, or an error that says what the binary has.
    [[nodiscard]] function_location function(std::string_view name) const {
        if (auto f = find_function(name)) return *f;
        if (!has_symbols())
            fail(detail::cat("it has no symbol table (stripped): probe '", detail::printable(name),
                             "' by file offset instead"),
                 ENOENT);
        fail(detail::cat("it defines no function '", detail::printable(name), "'"), ENOENT);
    }

    // The file offset of the virtual address `address`, through the
    // section that holds it; nothing when no allocated section does.
    [[nodiscard]] std::optional<std::uint64_t> address_to_offset(std::uint64_t address) const {
        for (std::uint32_t i = 1; i < shnum_; ++i) {
            auto s = section_header(i);
            if (s.type == sht_nobits || (s.flags & shf_alloc) == 0) continue;
            if (!detail::in_bounds(s.offset, s.size, data_.size())) continue;  // not in this file
            if (address >= s.addr && address - s.addr < s.size) return address - s.addr + s.offset;
        }
        return std::nullopt;
    }

private:
    static constexpr std::size_t ehdr_size = 64;
    static constexpr std::size_t shdr_size = 64;
    static constexpr std::size_t sym_size = 24;
    static constexpr std::uint32_t sht_nobits = 8;
    static constexpr std::uint64_t shf_alloc = 0x2;
    static constexpr std::uint16_t versym_hidden = 0x8000;

    struct header {
        std::uint32_t name = 0, type = 0;
        std::uint64_t flags = 0, addr = 0, offset = 0, size = 0;
        std::uint32_t link = 0, info = 0;
        std::uint64_t entsize = 0;
    };
    struct table {
        std::uint64_t offset = 0, entries = 0;
        detail::bytes strings;
        detail::bytes versions;  // .gnu.version entries for .dynsym, parallel to it
    };

    [[noreturn]] void fail(std::string_view why, int code = EINVAL) const {
        detail::raise(detail::cat("cannot read binary '", detail::printable(path_), "': ", why), code);
    }

    template <class T>
    T at(std::uint64_t offset) const {
        return detail::load<T>(data_, offset, "ELF binary");
    }

    void read_header() {
        if (data_.size() < ehdr_size) fail(detail::cat(data_.size(), " bytes is too short for an ELF64 header"));
        const auto* b = reinterpret_cast<const unsigned char*>(data_.data());
        if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') fail("not an ELF file");
        if (b[4] != 2) fail("not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)");
        if (b[5] != 1) fail("not a little-endian ELF file");
        type_ = at<std::uint16_t>(16);
        machine_ = at<std::uint16_t>(18);
        if (type_ != et_exec && type_ != et_dyn)
            fail(detail::cat("ELF type ", type_, " is neither an executable (ET_EXEC) nor a shared object or PIE (ET_DYN)"));
        shoff_ = at<std::uint64_t>(40);
        const auto shentsize = at<std::uint16_t>(58);
        shnum_ = at<std::uint16_t>(60);
        if (shnum_ == 0) return;  // no sections: no symbols
        if (shentsize != shdr_size) fail(detail::cat("e_shentsize is ", shentsize, ", expected ", shdr_size));
        if (!detail::in_bounds(shoff_, std::uint64_t{shnum_} * shdr_size, data_.size()))
            fail(detail::cat("its section table (", shnum_, " entries at ", detail::hex(shoff_),
                             ") runs past the end of the file (", data_.size(), " bytes)"));
    }

    header section_header(std::uint32_t i) const {
        const std::uint64_t o = shoff_ + std::uint64_t{i} * shdr_size;
        header h;
        h.name = at<std::uint32_t>(o);
        h.type = at<std::uint32_t>(o + 4);
        h.flags = at<std::uint64_t>(o + 8);
        h.addr = at<std::uint64_t>(o + 16);
        h.offset = at<std::uint64_t>(o + 24);
        h.size = at<std::uint64_t>(o + 32);
        h.link = at<std::uint32_t>(o + 40);
        h.info = at<std::uint32_t>(o + 44);
        h.entsize = at<std::uint64_t>(o + 56);
        return h;
    }

    detail::bytes contents(const header& h, std::uint32_t index) const {
        if (h.type == sht_nobits) return {};
        if (!detail::in_bounds(h.offset, h.size, data_.size()))
            fail(detail::cat("section [", index, "] (", detail::hex(h.offset), "+", detail::hex(h.size),
                             ") runs past the end of the file (", data_.size(), " bytes)"));
        return data_.subspan(static_cast<std::size_t>(h.offset), static_cast<std::size_t>(h.size));
    }

    void read_tables() {
        std::uint32_t versym = 0;
        for (std::uint32_t i = 1; i < shnum_; ++i) {
            auto h = section_header(i);
            if (h.type == sht_gnu_versym) versym = i;
            if (h.type != sht_symtab && h.type != sht_dynsym) continue;
            table& t = h.type == sht_symtab ? symtab_ : dynsym_;
            if (h.entsize != sym_size)
                fail(detail::cat("symbol table [", i, "] has entries of ", h.entsize, " bytes, expected ", sym_size));
            (void)contents(h, i);  // in bounds
            if (h.link == 0 || h.link >= shnum_)
                fail(detail::cat("symbol table [", i, "] names string table ", h.link, " (", shnum_, " sections)"));
            t.offset = h.offset;
            t.entries = h.size / sym_size;
            t.strings = contents(section_header(h.link), h.link);
        }
        if (versym != 0 && dynsym_.entries != 0) {
            auto h = section_header(versym);
            auto v = contents(h, versym);
            // Trusted only when it covers every dynamic symbol.
            if (v.size() / 2 >= dynsym_.entries) dynsym_.versions = v;
        }
    }

    // "name" matches "name", "name@V" and "name@@V" (the last two only
    // when `name` has no '@' of its own).
    static bool matches(std::string_view symbol, std::string_view name) noexcept {
        if (!symbol.starts_with(name)) return false;
        if (symbol.size() == name.size()) return true;
        return symbol[name.size()] == '@' && name.find('@') == std::string_view::npos;
    }

    std::optional<function_location> search(const table& t, std::string_view name) const {
        std::optional<function_location> found;
        bool found_default = false;
        for (std::uint64_t i = 1; i < t.entries; ++i) {
            const std::uint64_t o = t.offset + i * sym_size;
            const auto info = at<std::uint8_t>(o + 4);
            const auto kind = static_cast<std::uint8_t>(info & 0xf);
            if (kind != stt_func && kind != stt_gnu_ifunc) continue;
            const auto shndx = at<std::uint16_t>(o + 6);
            if (shndx == 0 || shndx >= 0xff00) continue;  // undefined (an import), absolute or special
            std::string_view symbol = name_at(t, at<std::uint32_t>(o));
            if (symbol.empty() || !matches(symbol, name)) continue;
            const auto value = at<std::uint64_t>(o + 8);
            if (value == 0) continue;
            const bool is_default = t.versions.empty() || (at_version(t, i) & versym_hidden) == 0;
            if (found && (found_default || !is_default)) continue;
            if (kind == stt_gnu_ifunc)
                fail(detail::cat("'", detail::printable(name),
                                 "' is an indirect function (STT_GNU_IFUNC): a probe there sees its resolver run "
                                 "once, not the calls; probe the implementation the resolver picks instead"),
                     EINVAL);
            auto offset = address_to_offset(value);
            if (!offset)
                fail(detail::cat("function '", detail::printable(symbol), "' at ", detail::hex(value),
                                 " lies in no section of the file"));
            found = function_location{symbol, value, *offset, at<std::uint64_t>(o + 16), &t == &dynsym_};
            found_default = is_default;
        }
        return found;
    }

    // The NUL-terminated name at `offset` of the table's strings; empty
    // when it is out of range or unterminated.
    static std::string_view name_at(const table& t, std::uint32_t offset) noexcept {
        if (offset >= t.strings.size()) return {};
        const auto* s = reinterpret_cast<const char*>(t.strings.data()) + offset;
        const auto* end = static_cast<const char*>(std::memchr(s, 0, t.strings.size() - offset));
        if (end == nullptr) return {};
        return {s, static_cast<std::size_t>(end - s)};
    }

    std::uint16_t at_version(const table& t, std::uint64_t i) const noexcept {
        std::uint16_t v = 0;
        std::memcpy(&v, t.versions.data() + i * 2, sizeof v);
        return v;
    }

    std::span<const std::byte> data_;
    std::string path_;
    std::uint16_t type_ = 0, machine_ = 0;
    std::uint64_t shoff_ = 0;
    std::uint32_t shnum_ = 0;
    table symtab_, dynsym_;
};

}  // namespace elf
BPFXX_END_NAMESPACE
