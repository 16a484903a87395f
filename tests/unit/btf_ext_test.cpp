// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::btf::ext against the .BTF.ext of tests/bpf/elf_basic.bpf.c and
// against malformed copies and hand-written sections.
#include <bpfxx/detail/file.hpp>
#include <bpfxx/btf/ext.hpp>
#include <bpfxx/elf/elf.hpp>

#include "expect_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

namespace btf = bpfxx::btf;
namespace elf = bpfxx::elf;
using bpfxx::detail::bytes;
using testing::HasSubstr;

using bpfxx::detail::read_file;

template <class T>
T get(bytes b, std::uint64_t off) {
    return bpfxx::detail::load<T>(b, off, "test");
}

template <class T>
void put(std::vector<std::byte>& v, std::uint64_t off, T value) {
    ASSERT_LE(off + sizeof(T), v.size());
    std::memcpy(v.data() + off, &value, sizeof(T));
}

using bpfxx_test::expect_error;

// Just enough of .BTF for the test: the string table and each type's kind
// and name. Header: magic u16, version u8, flags u8, hdr_len u32, type_off,
// type_len, str_off, str_len (u32 each); types and strings follow hdr_len.
struct mini_btf {
    bytes strings;
    std::vector<std::pair<int, std::string>> types{{0, "void"}};  // [id] = {kind, name}

    explicit mini_btf(bytes raw) {
        const auto hdr_len = get<std::uint32_t>(raw, 4);
        const auto type_off = get<std::uint32_t>(raw, 8), type_len = get<std::uint32_t>(raw, 12);
        const auto str_off = get<std::uint32_t>(raw, 16), str_len = get<std::uint32_t>(raw, 20);
        strings = raw.subspan(hdr_len + str_off, str_len);
        std::uint64_t at = hdr_len + type_off;
        const std::uint64_t end = at + type_len;
        while (at < end) {
            const auto name_off = get<std::uint32_t>(raw, at);
            const auto info = get<std::uint32_t>(raw, at + 4);
            const int kind = static_cast<int>((info >> 24) & 0x1f);
            const std::uint32_t vlen = info & 0xffff;
            at += 12;
            switch (kind) {
                case 1: case 14: case 17: at += 4; break;           // INT, VAR, DECL_TAG
                case 3: at += 12; break;                            // ARRAY
                case 4: case 5: case 15: case 19: at += 12 * vlen; break;  // STRUCT, UNION, DATASEC, ENUM64
                case 6: case 13: at += 8 * vlen; break;             // ENUM, FUNC_PROTO
                default: break;
            }
            types.emplace_back(kind, std::string(bpfxx::detail::c_string(strings, name_off, "test")));
        }
    }
};

constexpr int btf_kind_struct = 4, btf_kind_enum = 6, btf_kind_func = 12;

struct object {
    std::vector<std::byte> file_bytes;
    elf::file f;
    bytes ext_bytes;
    mini_btf types;

    explicit object(const std::string& name)
        : file_bytes(read_file(std::string(BPFXX_TEST_OBJECTS) + "/" + name)),
          f(bytes(file_bytes.data(), file_bytes.size())),
          ext_bytes(f.find_section(".BTF.ext")->data),
          types(f.find_section(".BTF")->data) {}
};

template <class R>
const btf::ext_section<R>& section_named(const std::vector<btf::ext_section<R>>& v, std::string_view name) {
    for (const auto& s : v)
        if (s.name == name) return s;
    throw std::runtime_error("no .BTF.ext section " + std::string(name));
}

constexpr std::string_view tp_section = "tracepoint/syscalls/sys_enter_openat";

TEST(btf_ext, func_info) {
    const object o("elf_basic.bpf.o");
    const btf::ext e(o.ext_bytes, o.types.strings);
    EXPECT_EQ(e.version(), 1);
    EXPECT_EQ(e.header_size(), 32u);
    EXPECT_EQ(e.func_info_record_size(), 8u);
    EXPECT_EQ(e.line_info_record_size(), 16u);
    EXPECT_EQ(e.core_relo_record_size(), 16u);

    // One function per code section, each at the start of its section.
    std::map<std::string, std::vector<std::string>> funcs;  // section -> FUNC names
    for (const auto& s : e.func_info()) {
        EXPECT_EQ(s.name, bpfxx::detail::c_string(o.types.strings, s.name_off, "test"));
        EXPECT_NE(o.f.find_section(s.name), nullptr) << s.name;
        for (const auto& r : s.records) {
            EXPECT_EQ(r.insn_off, 0u);
            ASSERT_LT(r.type_id, o.types.types.size());
            EXPECT_EQ(o.types.types[r.type_id].first, btf_kind_func);
            funcs[std::string(s.name)].push_back(o.types.types[r.type_id].second);
        }
    }
    const std::map<std::string, std::vector<std::string>> expected{
        {std::string(tp_section), {"on_openat"}}, {"xdp", {"on_xdp"}}, {"tc", {"on_tc"}}, {".text", {"bump"}}};
    EXPECT_EQ(funcs, expected);
}

std::vector<std::string> source_lines() {
    std::string path;
#ifdef BPFXX_SOURCE_DIR
    path = std::string(BPFXX_SOURCE_DIR) + "/tests/bpf/elf_basic.bpf.c";
#endif
    const auto raw = read_file(path);
    std::vector<std::string> lines{""};  // lines[n] is line n
    std::string cur;
    for (std::byte b : raw) {
        const char c = static_cast<char>(b);
        if (c == '\n') {
            lines.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    return lines;
}

TEST(btf_ext, line_info) {
    const object o("elf_basic.bpf.o");
    const btf::ext e(o.ext_bytes, o.types.strings);

    // Lines of tests/bpf/elf_basic.bpf.c, and the source text BTF records for them.
    const std::map<std::uint32_t, std::string> known{
        {37, "    hits += v;"},
        {38, "    return hits;"},
        {44, "    u32 pid = (u32)(get_current_pid_tgid() >> 32);"},
        {46, "        misses++;"},
        {49, "    u64* v = (u64*)map_lookup_elem(&counts, &pid);"},
        {52, "    return (int)bump(1);"},
        {59, "    return (int)(y + z + (long)bump(2));"},
        {72, "    return (int)r;"},
    };
    // Where each function's body lies: every record of its section must be inside.
    const std::map<std::string, std::pair<std::uint32_t, std::uint32_t>> bodies{
        {".text", {36, 39}}, {std::string(tp_section), {42, 53}}, {"xdp", {56, 60}}, {"tc", {66, 73}}};
    const std::map<std::string, std::set<std::uint32_t>> must_have{
        {".text", {37, 38}}, {std::string(tp_section), {44, 46, 49, 52}}, {"xdp", {59}}, {"tc", {72}}};

    const auto file_lines = source_lines();
    std::size_t compared_with_file = 0;
    std::map<std::string, std::set<std::uint32_t>> lines_seen;
    for (const auto& s : e.line_info()) {
        SCOPED_TRACE(s.name);
        ASSERT_TRUE(bodies.count(std::string(s.name)));
        const auto [first, last] = bodies.at(std::string(s.name));
        ASSERT_FALSE(s.records.empty());
        EXPECT_EQ(s.records.front().insn_off, 0u);
        std::uint32_t prev = 0;
        for (const auto& r : s.records) {
            EXPECT_GE(r.insn_off, prev);
            prev = r.insn_off;
            EXPECT_LT(r.insn_off, o.f.find_section(s.name)->size);
            EXPECT_THAT(std::string(e.string_at(r.file_name_off)), testing::EndsWith("tests/bpf/elf_basic.bpf.c"));
            EXPECT_GE(r.line, first);
            EXPECT_LE(r.line, last);
            EXPECT_LE(r.column, 80u);
            const std::string text(e.string_at(r.line_off));
            if (known.count(r.line)) {
                EXPECT_EQ(text, known.at(r.line)) << "line " << r.line;
            }
            if (r.line < file_lines.size()) {
                EXPECT_EQ(text, file_lines[r.line]) << "line " << r.line;
                ++compared_with_file;
            }
            lines_seen[std::string(s.name)].insert(r.line);
        }
    }
    for (const auto& [name, lines] : must_have)
        for (std::uint32_t l : lines) EXPECT_TRUE(lines_seen[name].count(l)) << name << " line " << l;
#ifdef BPFXX_SOURCE_DIR
    EXPECT_GT(compared_with_file, 20u);
#endif
}

TEST(btf_ext, core_relos) {
    const object o("elf_basic.bpf.o");
    const btf::ext e(o.ext_bytes, o.types.strings);
    ASSERT_EQ(e.core_relos().size(), 2u);

    struct seen {
        std::string type;
        std::string access;
        btf::core_relo_kind kind;
        bool operator==(const seen&) const = default;
    };
    auto decode = [&](std::string_view name) {
        std::vector<seen> out;
        const auto& s = section_named(e.core_relos(), name);
        std::uint32_t prev = 0;
        for (const auto& r : s.records) {
            EXPECT_GE(r.insn_off, prev);
            prev = r.insn_off;
            EXPECT_LT(r.insn_off, o.f.find_section(name)->size);
            out.push_back({o.types.types.at(r.type_id).second, std::string(e.string_at(r.access_str_off)), r.kind});
        }
        return out;
    };
    using k = btf::core_relo_kind;
    // on_xdp: p->y is member 1 and p->z member 2 of struct point, reached from *p ("0").
    const std::vector<seen> xdp{{"point", "0:1", k::field_byte_offset}, {"point", "0:2", k::field_byte_offset}};
    EXPECT_EQ(decode("xdp"), xdp);
    // on_tc: one of each family; an enum relocation's access string is the enumerator index.
    const std::vector<seen> tc{{"point", "0:0", k::field_exists},
                               {"point", "0:2", k::field_byte_size},
                               {"point", "0", k::type_size},
                               {"point", "0", k::type_id_local},
                               {"color", "1", k::enumval_value}};
    EXPECT_EQ(decode("tc"), tc);
    EXPECT_EQ(o.types.types.at(section_named(e.core_relos(), "tc").records.back().type_id).first, btf_kind_enum);
    EXPECT_EQ(o.types.types.at(section_named(e.core_relos(), "xdp").records[0].type_id).first, btf_kind_struct);

    EXPECT_STREQ(btf::to_string(k::field_byte_offset), "byte_off");
    EXPECT_STREQ(btf::to_string(k::type_matches), "type_matches");
    EXPECT_STREQ(btf::to_string(static_cast<k>(99)), "unknown");
}

// --- malformed and hand-written sections ------------------------------------

TEST(btf_ext_malformed, truncations) {
    const object o("elf_basic.bpf.o");
    // The sub-sections end where the section ends, so every prefix is refused.
    for (std::size_t n = 0; n < o.ext_bytes.size(); ++n) {
        SCOPED_TRACE(n);
        expect_error([&] { btf::ext e(o.ext_bytes.first(n), o.types.strings); }, {".BTF.ext"});
    }
    expect_error([&] { btf::ext e(o.ext_bytes.first(5), o.types.strings); }, {"5 bytes, too short"});
    expect_error([&] { btf::ext e(o.ext_bytes.first(20), o.types.strings); },
                 {"hdr_len 32 runs past the end of the section (20 bytes)"});
}

// Offsets in the real section: header 32 bytes, then func_info at func_info_off.
struct ext_layout {
    std::uint32_t hdr_len, func_off, line_off, core_off;
    explicit ext_layout(bytes b)
        : hdr_len(get<std::uint32_t>(b, 4)),
          func_off(hdr_len + get<std::uint32_t>(b, 8)),
          line_off(hdr_len + get<std::uint32_t>(b, 16)),
          core_off(hdr_len + get<std::uint32_t>(b, 24)) {}
};

TEST(btf_ext_malformed, mutations) {
    const object o("elf_basic.bpf.o");
    const std::vector<std::byte> good(o.ext_bytes.begin(), o.ext_bytes.end());
    const ext_layout at(o.ext_bytes);
    const btf::ext e(o.ext_bytes, o.types.strings);
    auto parse = [&](const std::vector<std::byte>& b) { btf::ext x(bytes(b.data(), b.size()), o.types.strings); };
    using bpfxx::detail::hex;

    auto bad = good;
    put<std::uint16_t>(bad, 0, 0x9feb);
    expect_error([&] { parse(bad); }, {".BTF.ext is big-endian", "little-endian"});
    put<std::uint16_t>(bad, 0, 0x1234);
    expect_error([&] { parse(bad); }, {"bad magic 0x1234"});

    bad = good;
    bad[2] = std::byte{2};
    expect_error([&] { parse(bad); }, {"version 2"});

    bad = good;
    put<std::uint32_t>(bad, 4, 20);
    expect_error([&] { parse(bad); }, {"hdr_len 20", "below 24"});

    // First func_info section header: {sec_name_off, num_info} after the record size.
    const std::uint64_t first = at.func_off + 4;
    bad = good;
    put<std::uint32_t>(bad, first + 4, 1000);
    const std::string first_name(e.func_info().at(0).name);
    expect_error([&] { parse(bad); }, {".BTF.ext func_info section header at offset " + hex(first),
                                       "section '" + first_name + "'", "1000 records of 8 bytes",
                                       "run past the end"});

    bad = good;
    put<std::uint32_t>(bad, first + 4, 0xffffffff);  // num_info * record size must not wrap
    expect_error([&] { parse(bad); }, {"4294967295 records of 8 bytes", "run past the end"});

    bad = good;
    put<std::uint32_t>(bad, at.func_off, 4);
    expect_error([&] { parse(bad); }, {"func_info at offset " + hex(at.func_off), "record size 4 is invalid",
                                       "at least 8"});
    bad = good;
    put<std::uint32_t>(bad, at.line_off, 12);
    expect_error([&] { parse(bad); }, {"line_info", "record size 12 is invalid", "at least 16"});
    bad = good;
    put<std::uint32_t>(bad, at.core_off, 18);
    expect_error([&] { parse(bad); }, {"core_relo", "record size 18 is invalid", "multiple of 4"});

    bad = good;
    put<std::uint32_t>(bad, first, static_cast<std::uint32_t>(o.types.strings.size()));
    expect_error([&] { parse(bad); }, {"func_info section header at offset " + hex(first), "sec_name_off",
                                       "past the string table"});

    bad = good;  // insn_off of the first func_info record
    put<std::uint32_t>(bad, first + 8, 12);
    expect_error([&] { parse(bad); }, {"func_info record 0 at offset " + hex(first + 8),
                                       "(section '" + first_name + "')", "insn_off 12",
                                       "not a multiple of 8"});

    // First line_info record: insn_off, file_name_off, line_off, line_col.
    const std::uint64_t line_rec = at.line_off + 4 + 8;
    bad = good;
    put<std::uint32_t>(bad, line_rec + 4, 0x7fffffff);
    expect_error([&] { parse(bad); }, {"line_info record 0 of section", "at offset " + hex(line_rec + 4),
                                       "file_name_off", "past the string table"});
    bad = good;
    put<std::uint32_t>(bad, line_rec + 8, static_cast<std::uint32_t>(o.types.strings.size()));
    expect_error([&] { parse(bad); }, {"line_off", "past the string table"});

    const std::uint64_t core_rec = at.core_off + 4 + 8;
    bad = good;
    put<std::uint32_t>(bad, core_rec + 8, 0x7fffffff);
    expect_error([&] { parse(bad); }, {"core_relo record 0", "access_str_off", "past the string table"});
    bad = good;
    put<std::uint32_t>(bad, core_rec + 12, 13);
    expect_error([&] { parse(bad); }, {"core_relo record 0 at offset " + hex(core_rec), "kind 13 is unknown"});

    bad = good;  // a sub-section pointing past the end
    put<std::uint32_t>(bad, 8, static_cast<std::uint32_t>(good.size()));
    expect_error([&] { parse(bad); }, {"func_info", "runs past the end of the section"});

    // Strings must end inside the table: cut it just before a section name's NUL.
    const auto& named = e.func_info().at(0);
    const auto cut = o.types.strings.first(named.name_off + named.name.size());
    expect_error([&] { btf::ext x(bytes(good.data(), good.size()), cut); },
                 {"sec_name_off", "string at offset " + hex(named.name_off) + " is not NUL-terminated"});
}

// A .BTF.ext written by hand: a 24-byte header (no CO-RE fields), func_info
// records of 12 bytes (a field from a future compiler) and no line_info.
TEST(btf_ext_handmade, larger_records_and_short_header) {
    const char strings_text[] = "\0prog\0";
    const bytes strings(reinterpret_cast<const std::byte*>(strings_text), sizeof strings_text);
    std::vector<std::byte> b(24 + 4 + 8 + 2 * 12);
    put<std::uint16_t>(b, 0, 0xeb9f);
    b[2] = std::byte{1};
    put<std::uint32_t>(b, 4, 24);
    put<std::uint32_t>(b, 8, 0);                               // func_info_off
    put<std::uint32_t>(b, 12, static_cast<std::uint32_t>(b.size() - 24));  // func_info_len
    put<std::uint32_t>(b, 16, 0);                              // line_info_off
    put<std::uint32_t>(b, 20, 0);                              // line_info_len
    put<std::uint32_t>(b, 24, 12);                             // record size
    put<std::uint32_t>(b, 28, 1);                              // "prog"
    put<std::uint32_t>(b, 32, 2);                              // num_info
    put<std::uint32_t>(b, 36, 0);
    put<std::uint32_t>(b, 40, 7);
    put<std::uint32_t>(b, 44, 0xdeadbeef);                     // unknown field, skipped
    put<std::uint32_t>(b, 48, 64);
    put<std::uint32_t>(b, 52, 9);
    put<std::uint32_t>(b, 56, 0xdeadbeef);

    const btf::ext e(bytes(b.data(), b.size()), strings);
    EXPECT_EQ(e.header_size(), 24u);
    EXPECT_EQ(e.func_info_record_size(), 12u);
    EXPECT_EQ(e.line_info_record_size(), 0u);
    EXPECT_EQ(e.core_relo_record_size(), 0u);
    EXPECT_TRUE(e.line_info().empty());
    EXPECT_TRUE(e.core_relos().empty());
    ASSERT_EQ(e.func_info().size(), 1u);
    const auto& s = e.func_info()[0];
    EXPECT_EQ(s.name, "prog");
    EXPECT_EQ(s.name_off, 1u);
    ASSERT_EQ(s.records.size(), 2u);
    EXPECT_EQ(s.records[0].insn_off, 0u);
    EXPECT_EQ(s.records[0].type_id, 7u);
    EXPECT_EQ(s.records[1].insn_off, 64u);
    EXPECT_EQ(s.records[1].type_id, 9u);

    // A section header cut in half at the end of the sub-section.
    auto bad = b;
    put<std::uint32_t>(bad, 12, static_cast<std::uint32_t>(b.size() - 24 - 28));
    expect_error([&] { btf::ext x(bytes(bad.data(), bad.size()), strings); },
                 {"func_info section header at offset 0x1c", "4 bytes left"});
    // A sub-section too short for its record size.
    put<std::uint32_t>(bad, 12, 3);
    expect_error([&] { btf::ext x(bytes(bad.data(), bad.size()), strings); },
                 {"func_info at offset 0x18", "3 bytes cannot hold the record size"});
}

}  // namespace
