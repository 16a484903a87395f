// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::btf::ext — parser of an object's .BTF.ext section: per-ELF-section
// func_info, line_info and CO-RE relocation records. Names in it are offsets
// into the string table of the object's .BTF, which the parser is given.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/ext.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/records.hpp>
#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/elf/elf.hpp>  // detail::load_le, detail::c_strings
#include <bpfxx/error.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace btf {

template <class R>
struct ext_section {
    std::string_view name;  // the ELF section the records are for
    std::uint32_t name_off;
    std::vector<R> records;
};

class ext {
public:
    static constexpr std::uint16_t magic = 0xeb9f;
    static constexpr std::uint32_t min_header_size = 24;   // through line_info_len
    static constexpr std::uint32_t core_header_size = 32;  // through core_relo_len
    static constexpr std::uint32_t func_info_min_record = 8;
    static constexpr std::uint32_t line_info_min_record = 16;
    static constexpr std::uint32_t core_relo_min_record = 16;

    // `btf_strings` is the string section of the object's .BTF; the views in
    // the result point into it and into `data`, which must outlive this.
    ext(std::span<const std::byte> data, std::span<const std::byte> btf_strings) : data_(data), strings_(btf_strings) {
        if (data.size() < 8)
            detail::raise(detail::cat(".BTF.ext is ", data.size(),
                                      " bytes, too short for its header (at least ",
                                      min_header_size, " bytes)"));
        const auto m = detail::load_le<std::uint16_t>(data, 0, ".BTF.ext magic");
        if (m == 0x9feb)
            detail::raise(".BTF.ext is big-endian (magic bytes eb 9f at offset 0x0): bpfxx reads "
                          "little-endian BPF objects");
        if (m != magic)
            detail::raise(detail::cat(".BTF.ext: bad magic ", detail::hex(m),
                                      " at offset 0x0, expected 0xeb9f"));
        version_ = detail::load_le<std::uint8_t>(data, 2, ".BTF.ext header");
        if (version_ != 1)
            detail::raise(detail::cat(".BTF.ext: version ", version_,
                                      " at offset 0x2 is not supported, expected 1"));
        flags_ = detail::load_le<std::uint8_t>(data, 3, ".BTF.ext header");
        hdr_len_ = detail::load_le<std::uint32_t>(data, 4, ".BTF.ext header");
        if (hdr_len_ < min_header_size)
            detail::raise(detail::cat(".BTF.ext: hdr_len ", hdr_len_, " at offset 0x4 is below ",
                                      min_header_size,
                                      " (the header must hold func_info and line_info)"));
        if (hdr_len_ > data.size())
            detail::raise(detail::cat(".BTF.ext: hdr_len ", hdr_len_,
                                      " runs past the end of the section (", data.size(),
                                      " bytes)"));
        func_info_ = parse<func_info_record>("func_info", 8, func_info_min_record, func_info_size_);
        line_info_ = parse<line_info_record>("line_info", 16, line_info_min_record, line_info_size_);
        // The CO-RE fields came later (libbpf 0.1, clang 10); older headers end before them.
        if (hdr_len_ >= core_header_size)
            core_relos_ = parse<core_relo_record>("core_relo", 24, core_relo_min_record, core_relo_size_);
    }

    [[nodiscard]] std::uint8_t version() const noexcept { return version_; }
    [[nodiscard]] std::uint8_t flags() const noexcept { return flags_; }
    [[nodiscard]] std::uint32_t header_size() const noexcept { return hdr_len_; }

    [[nodiscard]] const std::vector<ext_section<func_info_record>>& func_info() const noexcept {
        return func_info_;
    }
    [[nodiscard]] const std::vector<ext_section<line_info_record>>& line_info() const noexcept {
        return line_info_;
    }
    [[nodiscard]] const std::vector<ext_section<core_relo_record>>& core_relos() const noexcept {
        return core_relos_;
    }

    // Record sizes as the file gives them (0 for an empty sub-section); may
    // exceed the known struct when a newer compiler appended fields.
    [[nodiscard]] std::uint32_t func_info_record_size() const noexcept { return func_info_size_; }
    [[nodiscard]] std::uint32_t line_info_record_size() const noexcept { return line_info_size_; }
    [[nodiscard]] std::uint32_t core_relo_record_size() const noexcept { return core_relo_size_; }

    // The access string of a CO-RE relocation ("0:1:2"), validated at parse.
    [[nodiscard]] std::string_view string_at(std::uint32_t offset) const {
        return detail::c_string(strings_, offset, ".BTF.ext string");
    }

private:
    // A string offset met while reading records, resolved in one batch.
    struct string_ref {
        std::uint64_t at;  // byte offset of the field in .BTF.ext
        std::size_t section, record;
        const char* field;
    };

    // For messages: the section name when its offset is valid, else the offset.
    std::string quoted_name(std::uint32_t off) const {
        if (off < strings_.size()) {
            const auto* p = reinterpret_cast<const char*>(strings_.data()) + off;
            if (const void* nul = std::memchr(p, 0, strings_.size() - off))
                return detail::cat("section '",
                                   std::string_view(p, static_cast<std::size_t>(static_cast<const char*>(nul) - p)),
                                   "'");
        }
        return detail::cat("sec_name_off ", off);
    }

    // The record's first N little-endian u32s in one bounds-checked read
    // (parse() has checked that whole records fit, so it never fails).
    template <std::size_t N>
    static std::array<std::uint32_t, N> words(detail::bytes d, std::uint64_t at, std::string_view where) {
        auto w = detail::load<std::array<std::uint32_t, N>>(d, at, where);
        if constexpr (std::endian::native == std::endian::big)
            for (auto& v : w) v = __builtin_bswap32(v);
        return w;
    }

    static void read_record(detail::bytes d, std::uint64_t at, func_info_record& r) {
        const auto w = words<2>(d, at, ".BTF.ext func_info record");
        r.insn_off = w[0];
        r.type_id = w[1];
    }
    static void read_record(detail::bytes d, std::uint64_t at, line_info_record& r) {
        const auto w = words<4>(d, at, ".BTF.ext line_info record");
        r.insn_off = w[0];
        r.file_name_off = w[1];
        r.line_off = w[2];
        r.line = w[3] >> 10;
        r.column = w[3] & 0x3ff;
    }
    static void read_record(detail::bytes d, std::uint64_t at, core_relo_record& r) {
        const auto w = words<4>(d, at, ".BTF.ext core_relo record");
        r.insn_off = w[0];
        r.type_id = w[1];
        r.access_str_off = w[2];
        r.kind = static_cast<core_relo_kind>(w[3]);
    }

    // Reads one sub-section whose {off, len} pair sits at `field` in the
    // header. Offsets count from the end of the header (hdr_len).
    template <class R>
    std::vector<ext_section<R>> parse(const char* what, std::uint64_t field,
                                      std::uint32_t min_record, std::uint32_t& record_size) {
        const auto off = detail::load_le<std::uint32_t>(data_, field, ".BTF.ext header");
        const auto len = detail::load_le<std::uint32_t>(data_, field + 4, ".BTF.ext header");
        std::vector<ext_section<R>> out;
        record_size = 0;
        if (len == 0) return out;
        const std::uint64_t begin = std::uint64_t{hdr_len_} + off;
        const std::uint64_t end = begin + len;
        if (!detail::in_bounds(begin, len, data_.size()))
            detail::raise(detail::cat(".BTF.ext ", what, ": ", what, "_off ", off, " + ", what,
                                      "_len ", len, " after the ", hdr_len_,
                                      "-byte header runs past the end of the section (",
                                      data_.size(), " bytes)"));
        if (len < 4)
            detail::raise(detail::cat(".BTF.ext ", what, " at offset ", detail::hex(begin), ": ",
                                      len, " bytes cannot hold the record size"));
        record_size = detail::load_le<std::uint32_t>(data_, begin, ".BTF.ext record size");
        // The kernel and libbpf require records of whole u32s, at least the
        // known struct; larger ones come from newer compilers.
        if (record_size < min_record || record_size % 4 != 0)
            detail::raise(detail::cat(".BTF.ext ", what, " at offset ", detail::hex(begin),
                                      ": record size ", record_size, " is invalid (expected a ",
                                      "multiple of 4, at least ", min_record, ")"));
        std::vector<std::uint64_t> name_offsets;
        std::vector<std::uint64_t> name_at;
        // With a NUL as the string table's last byte (btf::btf requires one)
        // every offset below its size names a terminated string: the records'
        // offsets are then checked as they are read, and only when one fails
        // are they collected and resolved for the message.
        const std::uint64_t string_limit =
            !strings_.empty() && strings_.back() == std::byte{0} ? strings_.size() : 0;
        bool strings_ok = true;
        std::uint64_t pos = begin + 4;
        while (pos < end) {
            if (end - pos < 8)
                detail::raise(detail::cat(".BTF.ext ", what, " section header at offset ",
                                          detail::hex(pos), ": ", end - pos,
                                          " bytes left, a header needs 8 (sec_name_off, num_info)"));
            const auto name_off = detail::load_le<std::uint32_t>(data_, pos, ".BTF.ext section header");
            const auto num = detail::load_le<std::uint32_t>(data_, pos + 4, ".BTF.ext section header");
            const std::uint64_t bytes = std::uint64_t{num} * record_size;
            if (bytes > end - pos - 8)
                detail::raise(detail::cat(".BTF.ext ", what, " section header at offset ",
                                          detail::hex(pos), " (", quoted_name(name_off), "): ", num,
                                          " records of ", record_size,
                                          " bytes run past the end of the ", what,
                                          " sub-section at ", detail::hex(end)));
            name_offsets.push_back(name_off);
            name_at.push_back(pos);
            ext_section<R>& sec = out.emplace_back();
            sec.name_off = name_off;
            sec.records.resize(num);
            std::uint64_t at = pos + 8;
            for (std::uint32_t i = 0; i < num; ++i, at += record_size) {
                R& r = sec.records[i];
                read_record(data_, at, r);
                if (r.insn_off % 8 != 0)
                    detail::raise(detail::cat(".BTF.ext ", what, " record ", i, " at offset ",
                                              detail::hex(at), " (", quoted_name(name_off),
                                              "): insn_off ", r.insn_off,
                                              " is not a multiple of 8 (an instruction boundary)"));
                if constexpr (std::is_same_v<R, line_info_record>) {
                    strings_ok &= r.file_name_off < string_limit && r.line_off < string_limit;
                } else if constexpr (std::is_same_v<R, core_relo_record>) {
                    if (static_cast<std::uint32_t>(r.kind) > static_cast<std::uint32_t>(core_relo_kind::type_matches))
                        detail::raise(detail::cat(".BTF.ext core_relo record ", i, " at offset ",
                                                  detail::hex(at), " (", quoted_name(name_off), "): kind ",
                                                  static_cast<std::uint32_t>(r.kind),
                                                  " is unknown (known: 0 to 12)"));
                    strings_ok &= r.access_str_off < string_limit;
                }
            }
            pos = at;
        }
        const auto names = detail::c_strings(strings_, name_offsets, [&](std::uint32_t i) {
            return detail::cat(".BTF.ext ", what, " section header at offset ",
                               detail::hex(name_at[i]), ": sec_name_off");
        });
        for (std::size_t i = 0; i < out.size(); ++i) out[i].name = names[i];
        if (strings_ok) return out;
        // Only validated: the records keep offsets; string_at() reads them.
        std::vector<std::uint64_t> string_offsets;
        std::vector<string_ref> refs;
        for (std::size_t k = 0; k < out.size(); ++k) {
            std::uint64_t at = name_at[k] + 8;
            for (std::size_t i = 0; i < out[k].records.size(); ++i, at += record_size) {
                const R& r = out[k].records[i];
                if constexpr (std::is_same_v<R, line_info_record>) {
                    string_offsets.push_back(r.file_name_off);
                    refs.push_back({at + 4, k, i, "file_name_off"});
                    string_offsets.push_back(r.line_off);
                    refs.push_back({at + 8, k, i, "line_off"});
                } else if constexpr (std::is_same_v<R, core_relo_record>) {
                    string_offsets.push_back(r.access_str_off);
                    refs.push_back({at + 8, k, i, "access_str_off"});
                }
            }
        }
        detail::c_strings(strings_, string_offsets, [&](std::uint32_t i) {
            const string_ref& ref = refs[i];
            return detail::cat(".BTF.ext ", what, " record ", ref.record, " of section '",
                               out[ref.section].name, "' at offset ", detail::hex(ref.at), ": ",
                               ref.field);
        });
        return out;
    }

    detail::bytes data_, strings_;
    std::uint8_t version_ = 0, flags_ = 0;
    std::uint32_t hdr_len_ = 0;
    std::uint32_t func_info_size_ = 0, line_info_size_ = 0, core_relo_size_ = 0;
    std::vector<ext_section<func_info_record>> func_info_;
    std::vector<ext_section<line_info_record>> line_info_;
    std::vector<ext_section<core_relo_record>> core_relos_;
};

}  // namespace btf
BPFXX_END_NAMESPACE
