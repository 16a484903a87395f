// SPDX-License-Identifier: MIT OR Apache-2.0
// What the fuzz targets share: reading their input layouts and building the
// small fixed BTF blobs they run against.
#pragma once

#include <bpfxx/detail/bytes.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace bpfxx_fuzz {

inline std::uint32_t u32(const std::byte* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The layout run_fuzzer.cmake seeds from real objects for btf_ext_fuzz and
// core_fuzz: a little-endian u32 n choosing the split point, n bytes of
// .BTF, then the .BTF.ext section.
struct btf_and_ext {
    bpfxx::detail::bytes btf, ext;
};
inline bool split_btf_and_ext(const std::uint8_t* data, std::size_t size, btf_and_ext& out) {
    if (size < 4) return false;
    const auto* body = reinterpret_cast<const std::byte*>(data + 4);
    const std::size_t rest = size - 4;
    const std::size_t split = std::min<std::size_t>(u32(reinterpret_cast<const std::byte*>(data)), rest);
    out.btf = {body, split};
    out.ext = {body + split, rest - split};
    return true;
}

// A BTF blob from its type and string sections (header written here).
template <std::size_t NT, std::size_t NS>
std::vector<std::byte> btf_blob(const std::uint32_t (&types)[NT], const char (&strs)[NS]) {
    std::vector<std::byte> blob(24 + sizeof types + sizeof strs);
    const std::uint32_t header[] = {0x0001eb9fu, 24, 0, sizeof types, sizeof types, sizeof strs};
    std::memcpy(blob.data(), header, 24);
    std::memcpy(blob.data() + 24, types, sizeof types);
    std::memcpy(blob.data() + 24 + sizeof types, strs, sizeof strs);
    return blob;
}

}  // namespace bpfxx_fuzz
