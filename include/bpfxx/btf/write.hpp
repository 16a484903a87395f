// SPDX-License-Identifier: MIT OR Apache-2.0
// Writing BTF blobs: the pieces the C++ sanitiser (sanitize.hpp) and the
// downgrade for older kernels (downgrade.hpp) both re-encode with.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/write.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_write {

using bpfxx::btf::kind;

inline void put32(std::vector<std::byte>& out, std::uint32_t v) {
    std::byte b[4];
    std::memcpy(b, &v, 4);
    out.insert(out.end(), b, b + 4);
}

inline void set32(std::vector<std::byte>& out, std::size_t at, std::uint32_t v) {
    std::memcpy(out.data() + at, &v, 4);
}

inline std::uint32_t info(kind k, std::uint32_t vlen, bool kflag) {
    return (std::uint32_t{kflag} << 31) | (static_cast<std::uint32_t>(k) << 24) | (vlen & 0xffff);
}

// A whole blob: 24-byte header, `types`, then the original strings `strs`
// followed by `added`. `what` names the blob in errors ("sanitized").
inline std::vector<std::byte> assemble(bpfxx::detail::bytes types, bpfxx::detail::bytes strs,
                                       const std::string& added, const char* what) {
    using bpfxx::detail::cat;
    if (types.size() > 0xffffffffu) bpfxx::detail::raise(cat(what, " BTF type section exceeds 4 GiB"));
    const std::size_t str_len = strs.size() + added.size();
    if (str_len > 0xffffffffu) bpfxx::detail::raise(cat(what, " BTF string section exceeds 4 GiB"));
    std::vector<std::byte> out;
    out.reserve(bpfxx::detail::btf_impl::header_size + types.size() + str_len);
    const std::uint16_t magic = 0xeb9f;
    out.resize(4);
    std::memcpy(out.data(), &magic, 2);
    out[2] = std::byte{1};  // version
    out[3] = std::byte{0};  // flags
    put32(out, static_cast<std::uint32_t>(bpfxx::detail::btf_impl::header_size));
    put32(out, 0);
    put32(out, static_cast<std::uint32_t>(types.size()));
    put32(out, static_cast<std::uint32_t>(types.size()));
    put32(out, static_cast<std::uint32_t>(str_len));
    out.insert(out.end(), types.begin(), types.end());
    out.insert(out.end(), strs.begin(), strs.end());
    for (char c : added) out.push_back(static_cast<std::byte>(c));
    return out;
}

}  // namespace btf_write
}  // namespace detail
BPFXX_END_NAMESPACE
