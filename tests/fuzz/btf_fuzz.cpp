// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: arbitrary bytes into bpfxx::btf::btf (on its own; after
// a leading 's' as split BTF over a small base; after a leading 't' in
// trusted mode, which must stay memory-safe but may accept loops), then every
// accessor, cxx_type_name, resolve/size_of, and sanitize_cxx whose output must
// parse again and keep the input's ids. Anything but bpfxx::error from the
// parser (a crash, a sanitizer report, another exception, a trap below) is a
// finding.
#include "fuzz_input.hpp"

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/sanitize.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

namespace btf = bpfxx::btf;

// [1] int, [2] void*, [3] struct base { int a; void* p; }.
const btf::btf& base_btf() {
    static const btf::btf base = [] {
        const char strs[] = "\0int\0base\0a\0p";
        const std::uint32_t types[] = {
            1,  1u << 24,
            4,  (1u << 24) | 32,  // INT int, signed, 32 bits
            0,  2u << 24,
            0,  // PTR void
            5,  (4u << 24) | 2,
            16, 10,
            1,  0,
            12, 2,
            64,
        };
        return btf::btf(bpfxx_fuzz::btf_blob(types, strs));
    }();
    return base;
}

[[noreturn]] void finding(const char* what, const char* detail = "") {
    std::fprintf(stderr, "btf_fuzz: %s %s\n", what, detail);
    __builtin_trap();
}

// trusted: no resolve/size_of, which may loop on what trusted mode accepts.
std::size_t walk(const btf::btf& b, bool trusted = false) {
    std::size_t sink = 0;
    for (std::uint32_t id = 0; id < b.size(); ++id) {
        auto t = b.type(id);
        sink += t.name().size() + t.vlen() + t.kind_flag();
        switch (t.kind()) {
            case btf::kind::int_: sink += t.size() + t.int_bits() + t.int_offset() + t.int_encoding(); break;
            case btf::kind::array: sink += t.array().nelems; break;
            case btf::kind::struct_:
            case btf::kind::union_:
                for (auto m : t.members()) sink += m.name.size() + m.type + m.bit_offset + m.bitfield_size;
                break;
            case btf::kind::enum_:
            case btf::kind::enum64:
                for (auto e : t.enumerators()) sink += e.name.size() + e.value;
                break;
            case btf::kind::func_proto:
                for (auto p : t.params()) sink += p.name.size() + p.type;
                break;
            case btf::kind::datasec:
                for (auto s : t.secinfos()) sink += s.type + s.offset + s.size;
                break;
            case btf::kind::var: sink += static_cast<std::uint32_t>(t.var_linkage()); break;
            case btf::kind::func: sink += static_cast<std::uint32_t>(t.func_linkage()); break;
            case btf::kind::decl_tag: sink += static_cast<std::uint32_t>(t.decl_tag_component_idx()); break;
            default: break;
        }
        sink += btf::cxx_type_name(b, id).size();
        if (trusted) continue;
        sink += b.resolve(id);
        std::uint64_t n = 0;
        if (b.try_size_of(id, n) == nullptr) sink += n;
    }
    return sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const btf::btf* base = nullptr;
    // Raw .BTF sections (the seeds) start with the magic, never with 's' or 't'.
    if (size > 0 && data[0] == 't') {
        try {
            const btf::btf in(bpfxx::detail::bytes(reinterpret_cast<const std::byte*>(data + 1), size - 1),
                              nullptr, btf::trusted);
            if (walk(in, true) == 0x5eed) std::fputs("", stderr);
        } catch (const bpfxx::error&) {
        }
        return 0;
    }
    if (size > 0 && data[0] == 's') {
        base = &base_btf();
        ++data;
        --size;
    }
    const bpfxx::detail::bytes input(reinterpret_cast<const std::byte*>(data), size);
    std::size_t sink = 0;
    try {
        const btf::btf in(input, base);
        sink += walk(in);
        for (auto k = 0u; k <= btf::max_kind; ++k)
            sink += in.find("a", static_cast<btf::kind>(k)).value_or(0);

        btf::sanitize_report report;
        std::vector<std::byte> blob;
        try {
            blob = btf::sanitize_cxx(in, &report);
        } catch (const bpfxx::error& e) {
            finding("sanitize_cxx threw on valid BTF:", e.what());
        }
        try {
            const btf::btf out(bpfxx::detail::bytes(blob), base);
            if (out.size() != in.size() + report.appended_types) finding("sanitize_cxx changed the id count");
            for (std::uint32_t id = 1; id < in.size(); ++id) {
                auto t = out.type(id);
                if (t.kind() != in.type(id).kind()) finding("sanitize_cxx changed a kind");
                if (id < out.start_id()) continue;
                if (t.kind() == btf::kind::struct_ || t.kind() == btf::kind::union_) {
                    std::uint32_t last = 0;
                    for (auto m : t.members()) {
                        if (m.type == 0) finding("a type-0 member survived");
                        if (m.bit_offset < last) finding("member offsets go backwards");
                        last = m.bit_offset;
                    }
                }
            }
            if (out.strings().size() < in.strings().size() ||
                !std::equal(in.strings().begin(), in.strings().end(), out.strings().begin()))
                finding("sanitize_cxx changed an original string");
            sink += walk(out);
        } catch (const bpfxx::error& e) {
            finding("sanitized BTF does not parse:", e.what());
        }
    } catch (const bpfxx::error&) {
    }
    if (sink == 0x5eed) std::fputs("", stderr);  // keeps the reads from being optimised away
    return 0;
}
