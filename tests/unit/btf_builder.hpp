// SPDX-License-Identifier: MIT OR Apache-2.0
// A tiny BTF writer for tests: builds well-formed or deliberately broken
// blobs record by record (layouts from uapi linux/btf.h).
#pragma once

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bpfxx_test {

#ifdef BPFXX_TEST_OBJECTS
// The .BTF section of a compiled test object, copied out.
inline std::vector<std::byte> object_btf(const std::string& name) {
    auto bytes = bpfxx::detail::read_file(std::string(BPFXX_TEST_OBJECTS) + "/" + name);
    bpfxx::elf::file f(bytes);
    const auto* s = f.find_section(".BTF");
    if (s == nullptr) throw std::runtime_error(name + " has no .BTF section");
    return {s->data.begin(), s->data.end()};
}
#endif

// The id of the first type with this name and kind, or an exception.
inline std::uint32_t must_find(const bpfxx::btf::btf& b, std::string_view name, bpfxx::btf::kind k) {
    auto id = b.find(name, k);
    if (!id) throw std::runtime_error("no " + std::string(bpfxx::btf::to_string(k)) + " " + std::string(name));
    return *id;
}

class btf_builder {
public:
    // Kinds as numbers, so tests can also write invalid ones.
    enum : std::uint32_t {
        INT = 1,
        PTR,
        ARRAY,
        STRUCT,
        UNION,
        ENUM,
        FWD,
        TYPEDEF,
        VOLATILE,
        CONST,
        RESTRICT,
        FUNC,
        FUNC_PROTO,
        VAR,
        DATASEC,
        FLOAT,
        DECL_TAG,
        TYPE_TAG,
        ENUM64
    };

    struct member_spec {
        std::string_view name;
        std::uint32_t type;
        std::uint32_t offset;  // bits, or bitfield_size << 24 | bits with kind_flag
    };
    struct param_spec {
        std::string_view name;
        std::uint32_t type;
    };

    // first_id: 1 for base BTF, base.size() for split BTF. strings_start: 0,
    // or the end of the base's strings (then own strings need no leading NUL,
    // but one is written anyway, as libbpf does).
    explicit btf_builder(std::uint32_t first_id = 1, std::uint32_t strings_start = 0)
        : next_id_(first_id), str_base_(strings_start) {
        strings_.push_back('\0');
    }

    std::uint32_t str(std::string_view s) {
        if (s.empty()) return 0;
        auto at = static_cast<std::uint32_t>(strings_.size()) + str_base_;
        strings_.append(s);
        strings_.push_back('\0');
        return at;
    }

    // A raw record: header words and trailing words.
    std::uint32_t raw(std::uint32_t name_off, std::uint32_t info, std::uint32_t size_type,
                      std::initializer_list<std::uint32_t> extra = {}) {
        words_.push_back(name_off);
        words_.push_back(info);
        words_.push_back(size_type);
        words_.insert(words_.end(), extra);
        return next_id_++;
    }
    static std::uint32_t info(std::uint32_t kind, std::uint32_t vlen = 0, bool kflag = false) {
        return (std::uint32_t{kflag} << 31) | (kind << 24) | vlen;
    }

    std::uint32_t int_(std::string_view name, std::uint32_t size, std::uint32_t encoding = 0,
                       std::uint32_t bits = 0) {
        return raw(str(name), info(INT), size, {(encoding << 24) | (bits ? bits : size * 8)});
    }
    std::uint32_t float_(std::string_view name, std::uint32_t size) {
        return raw(str(name), info(FLOAT), size);
    }
    std::uint32_t ref(std::uint32_t kind, std::uint32_t type, std::string_view name = {}) {
        return raw(str(name), info(kind), type);
    }
    std::uint32_t ptr(std::uint32_t type) { return ref(PTR, type); }
    std::uint32_t typedef_(std::string_view name, std::uint32_t type) { return ref(TYPEDEF, type, name); }
    std::uint32_t const_(std::uint32_t type) { return ref(CONST, type); }
    std::uint32_t volatile_(std::uint32_t type) { return ref(VOLATILE, type); }
    std::uint32_t array(std::uint32_t elem, std::uint32_t index, std::uint32_t n) {
        return raw(0, info(ARRAY), 0, {elem, index, n});
    }
    std::uint32_t composite(std::uint32_t kind, std::string_view name, std::uint32_t size,
                            std::initializer_list<member_spec> members, bool kflag = false) {
        auto id = raw(str(name), info(kind, static_cast<std::uint32_t>(members.size()), kflag), size);
        for (const auto& m : members) {
            words_.push_back(str(m.name));
            words_.push_back(m.type);
            words_.push_back(m.offset);
        }
        return id;
    }
    std::uint32_t struct_(std::string_view name, std::uint32_t size,
                          std::initializer_list<member_spec> members, bool kflag = false) {
        return composite(STRUCT, name, size, members, kflag);
    }
    std::uint32_t union_(std::string_view name, std::uint32_t size,
                         std::initializer_list<member_spec> members) {
        return composite(UNION, name, size, members);
    }
    std::uint32_t enum_(std::string_view name, std::uint32_t size,
                        std::initializer_list<std::pair<std::string_view, std::int32_t>> values,
                        bool is_signed = false) {
        auto id = raw(str(name), info(ENUM, static_cast<std::uint32_t>(values.size()), is_signed), size);
        for (const auto& [n, v] : values) {
            words_.push_back(str(n));
            words_.push_back(static_cast<std::uint32_t>(v));
        }
        return id;
    }
    std::uint32_t enum64(std::string_view name,
                         std::initializer_list<std::pair<std::string_view, std::uint64_t>> values) {
        auto id = raw(str(name), info(ENUM64, static_cast<std::uint32_t>(values.size())), 8);
        for (const auto& [n, v] : values) {
            words_.push_back(str(n));
            words_.push_back(static_cast<std::uint32_t>(v));
            words_.push_back(static_cast<std::uint32_t>(v >> 32));
        }
        return id;
    }
    std::uint32_t fwd(std::string_view name, bool is_union = false) {
        return raw(str(name), info(FWD, 0, is_union), 0);
    }
    std::uint32_t func_proto(std::uint32_t ret, std::initializer_list<param_spec> params) {
        auto id = raw(0, info(FUNC_PROTO, static_cast<std::uint32_t>(params.size())), ret);
        for (const auto& p : params) {
            words_.push_back(str(p.name));
            words_.push_back(p.type);
        }
        return id;
    }
    std::uint32_t func(std::string_view name, std::uint32_t proto, std::uint32_t linkage = 1) {
        return raw(str(name), info(FUNC, linkage), proto);
    }
    std::uint32_t var(std::string_view name, std::uint32_t type, std::uint32_t linkage = 1) {
        return raw(str(name), info(VAR), type, {linkage});
    }
    std::uint32_t datasec(std::string_view name, std::uint32_t size,
                          std::initializer_list<std::initializer_list<std::uint32_t>> vars) {
        auto id = raw(str(name), info(DATASEC, static_cast<std::uint32_t>(vars.size())), size);
        for (auto v : vars) words_.insert(words_.end(), v);
        return id;
    }
    std::uint32_t decl_tag(std::string_view value, std::uint32_t type, std::int32_t component) {
        return raw(str(value), info(DECL_TAG), type, {static_cast<std::uint32_t>(component)});
    }

    [[nodiscard]] std::uint32_t next_id() const noexcept { return next_id_; }
    std::vector<std::uint32_t>& words() noexcept { return words_; }
    std::string& strings() noexcept { return strings_; }

    // Header (24 bytes), type section, string section.
    [[nodiscard]] std::vector<std::byte> build() const {
        std::vector<std::byte> out(24 + words_.size() * 4 + strings_.size());
        auto put = [&](std::size_t at, auto v) { std::memcpy(out.data() + at, &v, sizeof v); };
        put(0, std::uint16_t{0xeb9f});
        put(2, std::uint8_t{1});
        put(3, std::uint8_t{0});
        put(4, std::uint32_t{24});
        put(8, std::uint32_t{0});
        put(12, static_cast<std::uint32_t>(words_.size() * 4));
        put(16, static_cast<std::uint32_t>(words_.size() * 4));
        put(20, static_cast<std::uint32_t>(strings_.size()));
        if (!words_.empty()) std::memcpy(out.data() + 24, words_.data(), words_.size() * 4);
        std::memcpy(out.data() + 24 + words_.size() * 4, strings_.data(), strings_.size());
        return out;
    }

private:
    std::uint32_t next_id_;
    std::uint32_t str_base_;
    std::vector<std::uint32_t> words_;
    std::string strings_;
};

// Writes a little-endian u32 into a blob (to corrupt headers).
inline void poke32(std::vector<std::byte>& b, std::size_t at, std::uint32_t v) {
    std::memcpy(b.data() + at, &v, 4);
}
inline void poke16(std::vector<std::byte>& b, std::size_t at, std::uint16_t v) {
    std::memcpy(b.data() + at, &v, 2);
}

}  // namespace bpfxx_test
