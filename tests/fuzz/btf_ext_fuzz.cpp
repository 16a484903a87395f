// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: arbitrary bytes into bpfxx::btf::ext. Input layout (the
// one tests/fuzz/run_fuzzer.cmake seeds from real objects): a little-endian
// u32 n choosing the split point, n bytes of .BTF, then the .BTF.ext section.
// The string table is the one the .BTF header names when it is in bounds,
// the whole .BTF blob otherwise, so mutations reach both parsers' paths.
#include "fuzz_input.hpp"

#include <bpfxx/btf/ext.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace {

using bpfxx_fuzz::u32;

bpfxx::detail::bytes btf_strings(bpfxx::detail::bytes btf) {
    if (btf.size() < 24) return btf;
    const std::uint32_t hdr_len = u32(btf.data() + 4);
    const std::uint64_t off = std::uint64_t{hdr_len} + u32(btf.data() + 16);
    const std::uint32_t len = u32(btf.data() + 20);
    if (!bpfxx::detail::in_bounds(off, len, btf.size())) return btf;
    return btf.subspan(static_cast<std::size_t>(off), len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bpfxx_fuzz::btf_and_ext in;
    if (!bpfxx_fuzz::split_btf_and_ext(data, size, in)) return 0;
    const bpfxx::detail::bytes strings = btf_strings(in.btf);
    const bpfxx::detail::bytes ext_data = in.ext;
    try {
        const bpfxx::btf::ext e(ext_data, strings);
        std::size_t sink = e.func_info_record_size() + e.line_info_record_size() + e.core_relo_record_size();
        for (const auto& s : e.func_info())
            for (const auto& r : s.records) sink += s.name.size() + r.insn_off + r.type_id;
        for (const auto& s : e.line_info())
            for (const auto& r : s.records)
                sink += s.name.size() + e.string_at(r.file_name_off).size() + e.string_at(r.line_off).size() + r.line;
        for (const auto& s : e.core_relos())
            for (const auto& r : s.records)
                sink += s.name.size() + e.string_at(r.access_str_off).size() +
                        std::char_traits<char>::length(bpfxx::btf::to_string(r.kind));
        if (sink == 0x5eed) return 0;  // keeps the reads from being optimised away
    } catch (const bpfxx::error&) {
    }
    return 0;
}
