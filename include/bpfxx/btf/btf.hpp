// SPDX-License-Identifier: MIT OR Apache-2.0
// BTF (BPF Type Format) reader.
//
// Parsing is one validation pass that records where each type's record
// starts; everything else is decoded on demand from the raw bytes, so the
// kernel's 5 MB vmlinux BTF costs one vector of offsets and no allocation
// per type. A btf either borrows its bytes (the caller keeps them alive) or
// owns them. Split BTF (kernel modules, or anything built on a base) is a btf
// constructed over a base: type ids and string offsets continue after the
// base's.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/btf.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace btf {

// BTF_KIND_* of uapi linux/btf.h; ENUM64 (kernel 6.0) is the last kind up to
// kernel 6.18.
enum class kind : std::uint8_t {
    unknown = 0,
    int_ = 1,
    ptr,
    array,
    struct_,
    union_,
    enum_,
    fwd,
    typedef_,
    volatile_,
    const_,
    restrict_,
    func,
    func_proto,
    var,
    datasec,
    float_,
    decl_tag,
    type_tag,
    enum64,
};

inline constexpr std::uint32_t max_kind = 19;

// The kind as bpftool prints it.
constexpr const char* to_string(kind k) noexcept {
    constexpr const char* names[] = {"UNKNOWN", "INT",      "PTR",      "ARRAY",      "STRUCT",
                                     "UNION",   "ENUM",     "FWD",      "TYPEDEF",    "VOLATILE",
                                     "CONST",   "RESTRICT", "FUNC",     "FUNC_PROTO", "VAR",
                                     "DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG",   "ENUM64"};
    auto i = static_cast<std::uint32_t>(k);
    return i <= max_kind ? names[i] : "UNKNOWN";
}

// BTF_INT_ENCODING bits.
inline constexpr std::uint8_t int_signed = 1;
inline constexpr std::uint8_t int_char = 2;
inline constexpr std::uint8_t int_bool = 4;

// Linkage of a VAR (static, allocated global, extern) or a FUNC (static,
// global, extern): the numbers coincide in uapi btf.h.
enum class linkage : std::uint32_t { static_ = 0, global = 1, extern_ = 2 };

struct member {
    std::string_view name;
    std::uint32_t name_off;
    std::uint32_t type;
    std::uint32_t bit_offset;
    std::uint32_t bitfield_size;  // 0 unless a bitfield of a kind_flag struct/union
};

struct param {
    std::string_view name;
    std::uint32_t name_off;
    std::uint32_t type;  // 0 for the trailing `...` of a variadic prototype
};

// `value` holds the enumerator's 64 bits: a 32-bit ENUM value is sign-extended
// when the enum's kind_flag marks it signed (kernel 6.0), zero-extended
// otherwise, so static_cast<std::int64_t>(value) is right for signed enums.
struct enumerator {
    std::string_view name;
    std::uint32_t name_off;
    std::uint64_t value;
};

struct var_secinfo {
    std::uint32_t type, offset, size;
};

struct array_info {
    std::uint32_t elem_type, index_type, nelems;
};

class btf;
class type_view;

// The fields of a type record's info word (btf_type.info in uapi btf.h), for
// walks over raw records such as btf::for_each_header().
constexpr kind info_kind(std::uint32_t info) noexcept { return static_cast<kind>((info >> 24) & 0x1f); }
constexpr std::uint32_t info_vlen(std::uint32_t info) noexcept { return info & 0xffff; }
constexpr bool info_kflag(std::uint32_t info) noexcept { return (info >> 31) != 0; }

}  // namespace btf
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_impl {

using bpfxx::btf::kind;

inline constexpr std::size_t header_size = 24;
inline constexpr std::size_t type_record_size = 12;
// Bits 16-23 and 28-30 of btf_type.info are unused; the kernel rejects them.
inline constexpr std::uint32_t info_mask = 0x9f00ffffu;

using bpfxx::btf::info_kind;
using bpfxx::btf::info_kflag;
using bpfxx::btf::info_vlen;

// Size of the data following the 12-byte btf_type: fixed + per_vlen * vlen
// by kind (index 0..31); fixed is 0xff for a kind this reader does not know.
struct record_shape {
    std::uint8_t fixed, per_vlen;
};
inline constexpr record_shape record_shapes[32] = {
    {0xff, 0},  // UNKN
    {4, 0},     // INT
    {0, 0},     // PTR
    {12, 0},    // ARRAY
    {0, 12},    // STRUCT
    {0, 12},    // UNION
    {0, 8},     // ENUM
    {0, 0},     // FWD
    {0, 0},     // TYPEDEF
    {0, 0},     // VOLATILE
    {0, 0},     // CONST
    {0, 0},     // RESTRICT
    {0, 0},     // FUNC
    {0, 8},     // FUNC_PROTO
    {4, 0},     // VAR
    {0, 12},    // DATASEC
    {0, 0},     // FLOAT
    {4, 0},     // DECL_TAG
    {0, 0},     // TYPE_TAG
    {0, 12},    // ENUM64
    {0xff, 0}, {0xff, 0}, {0xff, 0}, {0xff, 0}, {0xff, 0}, {0xff, 0},
    {0xff, 0}, {0xff, 0}, {0xff, 0}, {0xff, 0}, {0xff, 0}, {0xff, 0},
};

// Kinds whose `type` field is a reference to another type.
constexpr bool has_type_ref(bpfxx::btf::kind k) noexcept {
    switch (k) {
        case kind::ptr:
        case kind::typedef_:
        case kind::volatile_:
        case kind::const_:
        case kind::restrict_:
        case kind::func:
        case kind::func_proto:
        case kind::var:
        case kind::decl_tag:
        case kind::type_tag: return true;
        default: return false;
    }
}

// Kinds whose `size` field is a byte size.
constexpr bool has_size(bpfxx::btf::kind k) noexcept {
    switch (k) {
        case kind::int_:
        case kind::struct_:
        case kind::union_:
        case kind::enum_:
        case kind::enum64:
        case kind::datasec:
        case kind::float_: return true;
        default: return false;
    }
}

// Kinds skipped by resolve(): they name or qualify another type.
constexpr bool is_alias(bpfxx::btf::kind k) noexcept {
    return k == kind::typedef_ || k == kind::volatile_ || k == kind::const_ || k == kind::restrict_ ||
           k == kind::type_tag;
}

// Kinds that contain another type by value: a cycle through these has no
// size. PTR and FUNC_PROTO break a cycle (`struct list { struct list* next; }`).
constexpr bool holds_by_value(bpfxx::btf::kind k) noexcept {
    return is_alias(k) || k == kind::array || k == kind::struct_ || k == kind::union_ || k == kind::var;
}

// detail::load with the failure kept out of line, so the parser's inner loops
// inline it: parsing vmlinux reads a few million of these.
[[noreturn, gnu::noinline, gnu::cold]] inline void past_end(bpfxx::detail::bytes data, std::uint64_t off) {
    (void)bpfxx::detail::load<std::uint32_t>(data, off, "BTF type section");
    bpfxx::detail::raise("BTF type section: read past the end");
}

[[gnu::noinline]] inline void add_root(std::vector<std::uint32_t>& roots, std::uint32_t id) {
    if (roots.empty() || roots.back() != id) roots.push_back(id);
}

// An unchecked read, for the parser's inner loops after it has checked that
// the whole record lies inside the section.
[[gnu::always_inline]] inline std::uint32_t rd32(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

[[gnu::always_inline]] inline std::uint32_t u32_at(bpfxx::detail::bytes data, std::uint64_t off) {
    if (!bpfxx::detail::in_bounds(off, 4, data.size())) [[unlikely]]
        past_end(data, off);
    std::uint32_t v;
    std::memcpy(&v, data.data() + off, 4);
    return v;
}

}  // namespace btf_impl
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace btf {

// Index-based range over a type's trailing records, decoded on access.
template <class T>
class record_range;

// A cheap view of one type: the 12-byte header is decoded, the rest is read
// from the btf's bytes on access. Valid while its btf lives and is not moved.
class type_view {
public:
    type_view() = default;

    [[nodiscard]] std::uint32_t id() const noexcept { return id_; }
    [[nodiscard]] bpfxx::btf::kind kind() const noexcept { return detail::btf_impl::info_kind(info_); }
    [[nodiscard]] std::uint32_t name_off() const noexcept { return name_off_; }
    [[nodiscard]] std::string_view name() const;
    [[nodiscard]] std::uint32_t vlen() const noexcept { return detail::btf_impl::info_vlen(info_); }
    [[nodiscard]] bool kind_flag() const noexcept { return detail::btf_impl::info_kflag(info_); }
    [[nodiscard]] bool is_void() const noexcept { return id_ == 0; }

    // Byte size of INT, STRUCT, UNION, ENUM, ENUM64, DATASEC and FLOAT.
    [[nodiscard]] std::uint32_t size() const;
    // Referenced type of PTR, TYPEDEF, the modifiers, FUNC (its FUNC_PROTO),
    // FUNC_PROTO (return type), VAR, DECL_TAG and TYPE_TAG.
    [[nodiscard]] std::uint32_t type() const;

    [[nodiscard]] std::uint8_t int_encoding() const {
        return static_cast<std::uint8_t>((int_data() >> 24) & 0x0f);
    }
    [[nodiscard]] std::uint8_t int_offset() const {
        return static_cast<std::uint8_t>((int_data() >> 16) & 0xff);
    }
    [[nodiscard]] std::uint8_t int_bits() const { return static_cast<std::uint8_t>(int_data() & 0xff); }
    [[nodiscard]] array_info array() const;
    [[nodiscard]] linkage var_linkage() const;
    [[nodiscard]] linkage func_linkage() const;
    [[nodiscard]] std::int32_t decl_tag_component_idx() const;

    [[nodiscard]] record_range<member> members() const;
    [[nodiscard]] record_range<param> params() const;
    [[nodiscard]] record_range<enumerator> enumerators() const;
    [[nodiscard]] record_range<var_secinfo> secinfos() const;

    // The i-th trailing record (no range check beyond the record's bytes).
    [[nodiscard]] member member_at(std::uint32_t i) const;
    [[nodiscard]] param param_at(std::uint32_t i) const;
    [[nodiscard]] enumerator enumerator_at(std::uint32_t i) const;
    [[nodiscard]] var_secinfo secinfo_at(std::uint32_t i) const;

private:
    friend class btf;

    [[noreturn]] void wrong_kind(const char* what) const;
    void expect(bool ok, const char* what) const {
        if (!ok) wrong_kind(what);
    }
    [[nodiscard]] std::uint32_t int_data() const;
    [[nodiscard]] std::uint32_t extra_u32(std::uint64_t at) const;

    const btf* owner_ = nullptr;  // the btf holding the record (base or split)
    std::uint32_t id_ = 0;
    std::uint32_t offset_ = 0;  // of the record in owner_'s type section
    std::uint32_t name_off_ = 0;
    std::uint32_t info_ = 0;
    std::uint32_t size_type_ = 0;
};

template <class T>
class record_range {
public:
    class iterator {
    public:
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::input_iterator_tag;
        using iterator_concept = std::forward_iterator_tag;

        iterator() = default;
        iterator(type_view t, std::uint32_t i) : t_(t), i_(i) {}
        T operator*() const { return decode(t_, i_); }
        iterator& operator++() {
            ++i_;
            return *this;
        }
        iterator operator++(int) {
            auto old = *this;
            ++i_;
            return old;
        }
        bool operator==(const iterator& o) const noexcept { return i_ == o.i_; }

    private:
        type_view t_;
        std::uint32_t i_ = 0;
    };

    explicit record_range(type_view t) : t_(t) {}

    [[nodiscard]] std::uint32_t size() const noexcept { return t_.vlen(); }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] iterator begin() const { return {t_, 0}; }
    [[nodiscard]] iterator end() const { return {t_, size()}; }
    T operator[](std::uint32_t i) const {
        if (i >= size())
            detail::raise(detail::cat("BTF type [", t_.id(), "] ", to_string(t_.kind()), ": record ", i,
                                      " is past its vlen ", size()));
        return decode(t_, i);
    }

private:
    static T decode(const type_view& t, std::uint32_t i) {
        if constexpr (std::is_same_v<T, member>)
            return t.member_at(i);
        else if constexpr (std::is_same_v<T, param>)
            return t.param_at(i);
        else if constexpr (std::is_same_v<T, enumerator>)
            return t.enumerator_at(i);
        else
            return t.secinfo_at(i);
    }

    type_view t_;
};

// Tag for BTF the kernel has already verified (/sys/kernel/btf/*): the
// constructor then checks only the header and the record layout (so reads
// stay in bounds) and skips the name, reference, member and loop checks. With
// crafted input resolve() could then loop; never use it for object files.
struct trusted_t {
    explicit trusted_t() = default;
};
inline constexpr trusted_t trusted{};

class btf {
public:
    // Borrows `data`, which must outlive this object. `base` (kept by
    // pointer) makes this split BTF: ids start at base->size() and string
    // offsets at the end of the base's strings. An lvalue std::vector picks
    // the owning constructor (a copy); wrap it in std::span<const std::byte> to borrow.
    explicit btf(std::span<const std::byte> data, const btf* base = nullptr) : data_(data), base_(base) { parse(true); }
    // Owns `owned`.
    explicit btf(std::vector<std::byte> owned, const btf* base = nullptr)
        : owned_(std::move(owned)), base_(base) {
        data_ = detail::bytes(owned_.data(), owned_.size());
        parse(true);
    }
    // Kernel-verified BTF (see trusted_t), borrowed or owned.
    btf(std::span<const std::byte> data, const btf* base, trusted_t) : data_(data), base_(base) { parse(false); }
    btf(std::vector<std::byte> owned, const btf* base, trusted_t) : owned_(std::move(owned)), base_(base) {
        data_ = detail::bytes(owned_.data(), owned_.size());
        parse(false);
    }

    btf(const btf& o)
        : owned_(o.owned_),
          data_(o.data_),
          types_(o.types_),
          strings_(o.strings_),
          base_(o.base_),
          start_id_(o.start_id_),
          start_str_(o.start_str_),
          offsets_(o.offsets_) {
        if (!o.owned_.empty()) rebase(o);
    }
    btf& operator=(const btf& o) {
        if (this != &o) {
            btf copy(o);
            *this = std::move(copy);
        }
        return *this;
    }
    // A moved std::vector keeps its buffer, so the spans stay valid. The
    // moved-from object is left empty (only id 0).
    btf(btf&& o) noexcept
        : owned_(std::move(o.owned_)),
          data_(o.data_),
          types_(o.types_),
          strings_(o.strings_),
          base_(o.base_),
          start_id_(o.start_id_),
          start_str_(o.start_str_),
          offsets_(std::move(o.offsets_)) {
        o.clear();
    }
    btf& operator=(btf&& o) noexcept {
        if (this != &o) {
            owned_ = std::move(o.owned_);
            data_ = o.data_;
            types_ = o.types_;
            strings_ = o.strings_;
            base_ = o.base_;
            start_id_ = o.start_id_;
            start_str_ = o.start_str_;
            offsets_ = std::move(o.offsets_);
            o.clear();
        }
        return *this;
    }
    ~btf() = default;

    // Number of type ids including 0 (void) and the base's.
    [[nodiscard]] std::uint32_t size() const noexcept {
        return offsets_.empty() ? start_id_ : start_id_ + static_cast<std::uint32_t>(offsets_.size() - 1);
    }
    // First id defined by this object (1, or base->size() for split BTF).
    [[nodiscard]] std::uint32_t start_id() const noexcept { return start_id_; }
    // First string offset defined by this object (0, or the end of the base's).
    [[nodiscard]] std::uint32_t start_string() const noexcept { return start_str_; }
    [[nodiscard]] const btf* base() const noexcept { return base_; }

    [[nodiscard]] type_view type(std::uint32_t id) const {
        if (id < start_id_) {
            if (base_ != nullptr) return base_->type(id);
            if (id == 0) {
                type_view v;
                v.owner_ = this;
                return v;
            }
        }
        if (id >= size())
            detail::raise(detail::cat("BTF type id ", id, " is out of range (", size(), " ids, the last is ",
                                      size() - 1, ")"));
        auto off = offsets_[id - start_id_];
        type_view v;
        v.owner_ = this;
        v.id_ = id;
        v.offset_ = off;
        v.name_off_ = detail::btf_impl::u32_at(types_, off);
        v.info_ = detail::btf_impl::u32_at(types_, off + 4);
        v.size_type_ = detail::btf_impl::u32_at(types_, off + 8);
        return v;
    }

    // Calls f(id, name_off, info) for each of this object's own types, with
    // the words read straight from the records: for scans over every type,
    // which would otherwise build a type_view per id.
    template <class F>
    void for_each_header(F&& f) const {
        const auto* types = types_.data();
        for (std::size_t i = 0; i + 1 < offsets_.size(); ++i) {
            std::uint32_t words[2];
            std::memcpy(words, types + offsets_[i], sizeof words);
            f(start_id_ + static_cast<std::uint32_t>(i), words[0], words[1]);
        }
    }

    // The bytes from string offset `off` to the end of its string table
    // (the string and whatever follows), without looking for the NUL: for
    // comparing a known name. Empty when out of range.
    [[nodiscard]] std::string_view string_tail(std::uint32_t off) const noexcept {
        if (off < start_str_) return base_ != nullptr ? base_->string_tail(off) : std::string_view();
        auto rel = std::uint64_t{off} - start_str_;
        if (rel >= strings_.size()) return {};
        return {reinterpret_cast<const char*>(strings_.data()) + rel, static_cast<std::size_t>(strings_.size() - rel)};
    }

    [[nodiscard]] std::string_view string_at(std::uint32_t off) const {
        if (off < start_str_ && base_ != nullptr) return base_->string_at(off);
        return detail::c_string(strings_, off - start_str_, "BTF string section");
    }

    // This object's string section, type section and whole blob.
    [[nodiscard]] std::span<const std::byte> strings() const noexcept { return strings_; }
    [[nodiscard]] std::span<const std::byte> types() const noexcept { return types_; }
    [[nodiscard]] std::span<const std::byte> raw() const noexcept { return data_; }

    // The raw record of one of this object's own types (header and trailing
    // data), for writers that copy types through.
    [[nodiscard]] std::span<const std::byte> record(std::uint32_t id) const {
        if (id < start_id_ || id >= size())
            detail::raise(detail::cat("BTF type id ", id, " is not defined by this object (ids ", start_id_,
                                      "..", size() - 1, ")"));
        auto i = id - start_id_;
        return types_.subspan(offsets_[i], offsets_[i + 1] - offsets_[i]);
    }

    // First id (base first) with this name and kind. A linear scan: callers
    // that look up many names should build their own index.
    [[nodiscard]] std::optional<std::uint32_t> find(std::string_view name, bpfxx::btf::kind k) const {
        if (base_ != nullptr)
            if (auto id = base_->find(name, k)) return id;
        for (std::uint32_t i = 0; i + 1 < offsets_.size(); ++i) {
            auto off = offsets_[i];
            auto info = detail::btf_impl::u32_at(types_, off + 4);
            if (detail::btf_impl::info_kind(info) != k) continue;
            auto name_off = detail::btf_impl::u32_at(types_, off);
            if (name_off == 0 ? name.empty() : string_at(name_off) == name) return start_id_ + i;
        }
        return std::nullopt;
    }

    // Skips TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG. Terminates: the
    // constructor rejects cycles through them.
    [[nodiscard]] std::uint32_t resolve(std::uint32_t id) const {
        for (;;) {
            auto t = type(id);
            if (!detail::btf_impl::is_alias(t.kind())) return id;
            id = t.size_type_;
        }
    }

    // Byte size of a type; arrays multiply, pointers are 8 bytes (BPF target),
    // a VAR has its type's size. Throws for void, FUNC, FUNC_PROTO, FWD and
    // DECL_TAG, and on overflow.
    [[nodiscard]] std::uint64_t size_of(std::uint32_t id) const {
        std::uint64_t n = 0;
        if (const char* why = try_size_of(id, n); why != nullptr)
            detail::raise(detail::cat("BTF type [", id, "] ", to_string(type(id).kind()), ": ", why));
        return n;
    }

    // size_of without throwing: nullptr and `out` set, or the reason it has
    // no size. The id must be in range.
    const char* try_size_of(std::uint32_t id, std::uint64_t& out) const {
        std::uint64_t mult = 1;
        for (;;) {
            auto t = type(id);
            switch (t.kind()) {
                case kind::int_:
                case kind::struct_:
                case kind::union_:
                case kind::enum_:
                case kind::enum64:
                case kind::datasec:
                case kind::float_:
                    if (__builtin_mul_overflow(mult, std::uint64_t{t.size_type_}, &out))
                        return "size overflows 64 bits";
                    return nullptr;
                case kind::ptr:
                    if (__builtin_mul_overflow(mult, std::uint64_t{8}, &out)) return "size overflows 64 bits";
                    return nullptr;
                case kind::array: {
                    auto a = t.array();
                    if (__builtin_mul_overflow(mult, std::uint64_t{a.nelems}, &mult))
                        return "size overflows 64 bits";
                    id = a.elem_type;
                    break;
                }
                case kind::typedef_:
                case kind::volatile_:
                case kind::const_:
                case kind::restrict_:
                case kind::type_tag:
                case kind::var: id = t.size_type_; break;
                case kind::unknown: return "void has no size";
                case kind::fwd: return "a forward declaration has no size";
                case kind::func:
                case kind::func_proto: return "a function has no size";
                case kind::decl_tag: return "a declaration tag has no size";
            }
        }
    }

private:
    friend class type_view;

    void clear() noexcept {
        owned_.clear();
        offsets_.clear();
        data_ = types_ = strings_ = {};
        base_ = nullptr;
        start_id_ = 1;
        start_str_ = 0;
    }

    void rebase(const btf& o) {
        auto shift = [&](detail::bytes s) {
            if (s.empty()) return s;
            return detail::bytes(owned_.data() + (s.data() - o.owned_.data()), s.size());
        };
        data_ = shift(o.data_);
        types_ = shift(o.types_);
        strings_ = shift(o.strings_);
    }

    [[noreturn]] void fail_type(std::uint32_t id, std::uint32_t info, std::uint64_t off,
                                const std::string& what) const {
        detail::raise(detail::cat("BTF type [", id, "] ", to_string(detail::btf_impl::info_kind(info)),
                                  " at offset ", detail::hex(off), " of the type section: ", what));
    }

    void parse(bool validate);
    template <bool Validate>
    void parse_types(std::uint32_t str_end);
    struct type_scan;
    [[gnu::always_inline]] void check_record(type_scan& scan, kind k, std::uint32_t info, std::uint32_t name_off,
                                             std::uint32_t size_type, std::uint32_t vlen, const std::byte* x,
                                             std::uint64_t pos) const;
    void check_loops(const std::vector<std::uint32_t>& roots, std::uint8_t* kinds) const;
    [[noreturn, gnu::cold]] void bad_name(std::uint32_t id, std::uint32_t info, std::uint64_t off,
                                          const char* what, std::uint32_t index, std::uint32_t name_off,
                                          std::uint64_t str_end) const;
    [[noreturn, gnu::cold]] void bad_ref() const;

    std::vector<std::byte> owned_;
    detail::bytes data_, types_, strings_;
    const btf* base_ = nullptr;
    std::uint32_t start_id_ = 1;
    std::uint32_t start_str_ = 0;
    // Byte offset in types_ of each own type's record, plus types_.size().
    std::vector<std::uint32_t> offsets_;
};

// ---- btf: validation -------------------------------------------------------

inline void btf::parse(bool validate) {
    using detail::cat;
    using detail::hex;
    using detail::raise;

    if (base_ != nullptr) {
        start_id_ = base_->size();
        auto base_strings = std::uint64_t{base_->start_str_} + base_->strings_.size();
        if (base_strings > 0xffffffffu) raise("BTF base string sections exceed 4 GiB");
        start_str_ = static_cast<std::uint32_t>(base_strings);
    }

    if (data_.size() < 4) raise(cat("BTF header: ", data_.size(), " bytes, expected at least 24"));
    auto magic = detail::load<std::uint16_t>(data_, 0, "BTF header");
    if (magic == 0x9feb) raise("BTF header: big-endian BTF is not supported (magic 0x9feb)");
    if (magic != 0xeb9f) raise(cat("BTF header: magic ", hex(magic), " at offset 0x0, expected 0xeb9f"));
    if (data_.size() < detail::btf_impl::header_size)
        raise(cat("BTF header: ", data_.size(), " bytes, expected at least 24"));
    auto version = detail::load<std::uint8_t>(data_, 2, "BTF header");
    if (version != 1) raise(cat("BTF header: version ", version, " at offset 0x2, expected 1"));
    auto flags = detail::load<std::uint8_t>(data_, 3, "BTF header");
    if (flags != 0) raise(cat("BTF header: flags ", hex(flags), " at offset 0x3, expected 0"));
    auto hdr_len = detail::load<std::uint32_t>(data_, 4, "BTF header");
    if (hdr_len < detail::btf_impl::header_size || hdr_len > data_.size())
        raise(cat("BTF header: hdr_len ", hdr_len, " at offset 0x4, expected 24..", data_.size(),
                  " (the blob's size)"));
    // A longer header from a newer format is acceptable only if the fields
    // this reader does not know are zero (kernel rule).
    for (std::size_t i = detail::btf_impl::header_size; i < hdr_len; ++i)
        if (data_[i] != std::byte{0})
            raise(cat("BTF header: unknown header byte at offset ", hex(i), " is not zero"));
    auto type_off = detail::load<std::uint32_t>(data_, 8, "BTF header");
    auto type_len = detail::load<std::uint32_t>(data_, 12, "BTF header");
    auto str_off = detail::load<std::uint32_t>(data_, 16, "BTF header");
    auto str_len = detail::load<std::uint32_t>(data_, 20, "BTF header");
    auto body = data_.size() - hdr_len;
    if (!detail::in_bounds(type_off, type_len, body))
        raise(cat("BTF header: type section ", hex(type_off), "+", hex(type_len), " runs past the data (",
                  body, " bytes after the header)"));
    if (!detail::in_bounds(str_off, str_len, body))
        raise(cat("BTF header: string section ", hex(str_off), "+", hex(str_len), " runs past the data (",
                  body, " bytes after the header)"));
    if (type_off % 4 != 0) raise(cat("BTF header: type_off ", hex(type_off), " is not 4-byte aligned"));
    if (type_len % 4 != 0) raise(cat("BTF header: type_len ", hex(type_len), " is not a multiple of 4"));
    if (type_len != 0 && str_len != 0 && std::uint64_t{type_off} < std::uint64_t{str_off} + str_len &&
        std::uint64_t{str_off} < std::uint64_t{type_off} + type_len)
        raise(cat("BTF header: type section ", hex(type_off), "+", hex(type_len), " overlaps string section ",
                  hex(str_off), "+", hex(str_len)));
    types_ = data_.subspan(std::size_t{hdr_len} + type_off, type_len);
    strings_ = data_.subspan(std::size_t{hdr_len} + str_off, str_len);

    // Offset 0 must be the empty string; split BTF may have no strings of its
    // own and then starts with whatever it adds.
    if (base_ == nullptr && (strings_.empty() || strings_[0] != std::byte{0}))
        raise(cat("BTF string section at offset ", hex(hdr_len + str_off),
                  ": expected a NUL at its start (the empty name)"));
    if (!strings_.empty() && strings_.back() != std::byte{0})
        raise(cat("BTF string section at offset ", hex(hdr_len + str_off), ": its last byte at ",
                  hex(hdr_len + str_off + str_len - 1), " is not NUL"));
    auto str_end = std::uint64_t{start_str_} + strings_.size();
    if (str_end > 0xffffffffu) raise("BTF string sections exceed 4 GiB");

    if (validate) {
        // Names reach messages and tools: a control character (an escape
        // sequence, say) is refused, not printed. Tabs are allowed: the
        // source lines of line_info are strings too.
        for (std::size_t i = 0; i < strings_.size(); ++i) {
            const auto u = static_cast<unsigned char>(strings_[i]);
            if ((u != 0 && u < 0x20 && u != '\t') || u == 0x7f) [[unlikely]]
                raise(cat("BTF string section at offset ", hex(hdr_len + str_off), ": byte ", hex(u), " at ",
                          hex(hdr_len + str_off + i), " is a control character, which no name or source line holds"));
        }
        parse_types<true>(static_cast<std::uint32_t>(str_end));
    } else {
        parse_types<false>(static_cast<std::uint32_t>(str_end));
    }
}

// What the validating pass of parse_types keeps about the types it has seen.
struct btf::type_scan {
    std::uint32_t id;       // of the record being checked
    std::uint32_t str_end;  // names must start before this offset
    // Referenced ids are checked against the final count at the end: the
    // pass keeps only the largest, and a failure is located by a second scan.
    std::uint32_t max_ref = 0;
    // Types with a by-value edge to themselves or a later type: every cycle
    // has such an edge (ids cannot decrease all the way round), so the loop
    // check starts only from these (3,763 of vmlinux's 126,572 types).
    std::vector<std::uint32_t> loop_roots;

    [[gnu::always_inline]] void note_ref(std::uint32_t ref) noexcept { max_ref = ref > max_ref ? ref : max_ref; }
    [[gnu::always_inline]] void by_value_edge(std::uint32_t target) {
        if (target >= id) [[unlikely]]
            detail::btf_impl::add_root(loop_roots, id);
    }
};

// The checks of one record beyond its layout: names, referenced ids, member
// offsets, and the edges the loop check starts from. `x` is the data after
// the 12-byte header, whose size the caller has checked.
inline void btf::check_record(type_scan& scan, kind k, std::uint32_t info, std::uint32_t name_off,
                              std::uint32_t size_type, std::uint32_t vlen, const std::byte* x,
                              std::uint64_t pos) const {
    using detail::cat;
    using detail::hex;
    using detail::btf_impl::rd32;
    const std::uint32_t id = scan.id;
    auto check_name = [&](std::uint32_t off, const char* what, std::uint32_t index) __attribute__((always_inline)) {
        if (off >= scan.str_end) [[unlikely]]
            bad_name(id, info, pos, what, index, off, scan.str_end);
    };
    check_name(name_off, "type", ~0u);
    switch (k) {
        case kind::int_: {
            auto data = rd32(x);
            auto bits = data & 0xff, offset = (data >> 16) & 0xff;
            if (bits > 128 || std::uint64_t{bits} + offset > std::uint64_t{size_type} * 8 ||
                (data & 0xf0000000u) != 0) [[unlikely]]
                fail_type(id, info, pos,
                          cat("int data ", hex(data), " with size ", size_type,
                              ": expected at most 128 bits fitting the size"));
            break;
        }
        case kind::typedef_:
        case kind::volatile_:
        case kind::const_:
        case kind::restrict_:
        case kind::type_tag:
        case kind::var:
            scan.note_ref(size_type);
            scan.by_value_edge(size_type);
            break;
        case kind::ptr:
        case kind::func:
        case kind::decl_tag: scan.note_ref(size_type); break;
        case kind::array:
            scan.note_ref(rd32(x));
            scan.note_ref(rd32(x + 4));
            scan.by_value_edge(rd32(x));
            break;
        case kind::struct_:
        case kind::union_: {
            const bool kflag = info_kflag(info);
            const std::uint64_t size_bits = std::uint64_t{size_type} * 8;
            for (std::uint32_t i = 0; i < vlen; ++i, x += 12) {
                check_name(rd32(x), "member", i);
                const auto mtype = rd32(x + 4);
                scan.note_ref(mtype);
                scan.by_value_edge(mtype);
                const auto moff = rd32(x + 8);
                const std::uint64_t bit = kflag ? (moff & 0xffffff) : moff;
                const std::uint64_t bits = kflag ? (moff >> 24) : 0;
                // clang++ emits methods and static members as type-0
                // members at arbitrary offsets; sanitize_cxx needs to
                // read them, so only real members are held to the size.
                if (mtype != 0 && bit + bits > size_bits) [[unlikely]]
                    fail_type(id, info, pos,
                              cat("member #", i, " at bit ", bit, bits ? cat(" (", bits, "-bit bitfield)") : "",
                                  " lies outside the ", size_type, "-byte type"));
            }
            break;
        }
        case kind::enum_:
        case kind::enum64: {
            const std::size_t step = k == kind::enum_ ? 8 : 12;
            for (std::uint32_t i = 0; i < vlen; ++i, x += step) check_name(rd32(x), "enumerator", i);
            break;
        }
        case kind::func_proto:
            scan.note_ref(size_type);
            for (std::uint32_t i = 0; i < vlen; ++i, x += 8) {
                check_name(rd32(x), "parameter", i);
                scan.note_ref(rd32(x + 4));
            }
            break;
        case kind::datasec:
            for (std::uint32_t i = 0; i < vlen; ++i, x += 12) scan.note_ref(rd32(x));
            break;
        default: break;
    }
}

// One pass over the type section: the record layout always (so every view
// reads inside its record); with Validate also names, referenced ids,
// member offsets and type loops (check_record).
template <bool Validate>
void btf::parse_types(std::uint32_t str_end) {
    using detail::cat;
    using detail::hex;
    using detail::raise;
    using detail::btf_impl::rd32;

    const std::size_t max_types = types_.size() / detail::btf_impl::type_record_size;
    if (std::uint64_t{start_id_} + max_types >= 0xffffffffu) raise("BTF: more than 2^32-1 type ids");
    // Offsets go to a scratch buffer sized for the most records the section
    // can hold (pages never written are never touched), then are copied into
    // an exactly sized offsets_. Each type's kind is kept too, for the loop
    // check; both are freed when parsing ends.
    auto offsets_buf = std::make_unique_for_overwrite<std::uint32_t[]>(max_types + 1);
    auto kinds = std::make_unique_for_overwrite<std::uint8_t[]>(Validate ? max_types + 1 : 0);
    std::uint32_t* const offsets = offsets_buf.get();
    std::size_t count = 0;
    type_scan scan{start_id_, str_end, 0, {}};

    std::uint64_t pos = 0;
    const auto total = types_.size();
    const std::byte* const base = types_.data();
    while (pos < total) {
        const std::uint32_t id = scan.id;
        if (total - pos < detail::btf_impl::type_record_size) [[unlikely]]
            fail_type(
                id, 0, pos,
                cat("the 12-byte type header runs past the end of the type section (", total, " bytes)"));
        // Reads below stay inside the record, whose size is checked first.
        const std::byte* r = base + pos;
        const auto name_off = rd32(r);
        const auto info = rd32(r + 4);
        const auto size_type = rd32(r + 8);
        if ((info & ~detail::btf_impl::info_mask) != 0) [[unlikely]]
            fail_type(id, info, pos,
                      cat("info ", hex(info), " sets unused bits (expected mask ",
                          hex(detail::btf_impl::info_mask), ")"));
        const auto k = info_kind(info);
        const auto vlen = info_vlen(info);
        const auto shape = detail::btf_impl::record_shapes[static_cast<std::uint8_t>(k)];
        if (shape.fixed == 0xff) [[unlikely]]
            fail_type(id, info, pos,
                      cat("unknown kind ", static_cast<unsigned>(k), ", expected 1..", max_kind));
        const std::uint64_t rec =
            detail::btf_impl::type_record_size + shape.fixed + std::uint64_t{shape.per_vlen} * vlen;
        if (rec > total - pos) [[unlikely]]
            fail_type(id, info, pos,
                      cat("vlen ", vlen, " needs ", rec, " bytes, only ", total - pos,
                          " remain in the type section"));
        if constexpr (Validate) {
            check_record(scan, k, info, name_off, size_type, vlen, r + detail::btf_impl::type_record_size, pos);
            kinds[count] = static_cast<std::uint8_t>(k);
        }
        offsets[count++] = static_cast<std::uint32_t>(pos);
        pos += rec;
        ++scan.id;
    }
    offsets[count] = static_cast<std::uint32_t>(pos);
    offsets_.assign(offsets, offsets + count + 1);

    if constexpr (Validate) {
        if (scan.max_ref >= size()) [[unlikely]]
            bad_ref();
        if (!scan.loop_roots.empty()) check_loops(scan.loop_roots, kinds.get());
    }
}

inline void btf::bad_name(std::uint32_t id, std::uint32_t info, std::uint64_t off, const char* what,
                          std::uint32_t index, std::uint32_t name_off, std::uint64_t str_end) const {
    fail_type(id, info, off,
              detail::cat(what, index == ~0u ? std::string() : detail::cat(" #", index), " name offset ",
                          detail::hex(name_off), " is past the string table (", str_end, " bytes)"));
}

// Finds the first reference past the last id; parse_types() saw there is one.
inline void btf::bad_ref() const {
    const auto limit = size();
    for (std::uint32_t i = 0; i + 1 < offsets_.size(); ++i) {
        auto off = offsets_[i];
        auto info = detail::btf_impl::u32_at(types_, off + 4);
        auto k = detail::btf_impl::info_kind(info);
        auto vlen = detail::btf_impl::info_vlen(info);
        auto x = off + detail::btf_impl::type_record_size;
        auto check = [&](std::uint32_t ref, const char* what, std::uint32_t index) {
            if (ref >= limit)
                fail_type(start_id_ + i, info, off,
                          detail::cat(what, index == ~0u ? std::string() : detail::cat(" #", index),
                                      " refers to type id ", ref, ", expected an id below ", limit));
        };
        if (detail::btf_impl::has_type_ref(k))
            check(detail::btf_impl::u32_at(types_, off + 8),
                  k == kind::func_proto ? "return type" : "referenced type", ~0u);
        switch (k) {
            case kind::array:
                check(detail::btf_impl::u32_at(types_, x), "array element type", ~0u);
                check(detail::btf_impl::u32_at(types_, x + 4), "array index type", ~0u);
                break;
            case kind::struct_:
            case kind::union_:
                for (std::uint32_t j = 0; j < vlen; ++j)
                    check(detail::btf_impl::u32_at(types_, x + 12ull * j + 4), "member", j);
                break;
            case kind::func_proto:
                for (std::uint32_t j = 0; j < vlen; ++j)
                    check(detail::btf_impl::u32_at(types_, x + 8ull * j + 4), "parameter", j);
                break;
            case kind::datasec:
                for (std::uint32_t j = 0; j < vlen; ++j)
                    check(detail::btf_impl::u32_at(types_, x + 12ull * j), "variable", j);
                break;
            default: break;
        }
    }
    detail::raise("BTF type section: a type id is out of range");
}

// Rejects a cycle through types held by value (aliases, arrays, struct and
// union members, VARs) so that resolve() and size_of() terminate. Iterative
// depth-first search: a crafted chain of a million typedefs must not overflow
// the stack. Starts only from `roots` (see parse_types()). Cycles cannot reach into
// the base, which was checked on its own.
inline void btf::check_loops(const std::vector<std::uint32_t>& roots, std::uint8_t* kinds) const {
    // kinds[i] holds the kind of own type i in its low 5 bits; the DFS state
    // goes in the top bits, so it reads no record to skip a leaf.
    constexpr std::uint8_t on_path = 0x40, done = 0x80, kind_mask = 0x1f;
    auto kind_at = [&](std::uint32_t i) { return static_cast<bpfxx::btf::kind>(kinds[i] & kind_mask); };
    struct frame {
        std::uint32_t index;  // id - start_id_
        std::uint32_t next;   // next outgoing edge to follow
    };
    std::vector<frame> stack;

    // Target of edge `e` of own type `i`, or ~0 when it has no more edges.
    // Records were validated by parse_types(), so their fields are read unchecked.
    using detail::btf_impl::rd32;
    auto edge = [&](std::uint32_t i, std::uint32_t e) -> std::uint32_t {
        const std::byte* r = types_.data() + offsets_[i];
        auto k = kind_at(i);
        if (k == kind::struct_ || k == kind::union_) {
            if (e >= detail::btf_impl::info_vlen(rd32(r + 4))) return ~0u;
            return rd32(r + detail::btf_impl::type_record_size + 12 * std::size_t{e} + 4);
        }
        if (e != 0) return ~0u;
        if (k == kind::array) return rd32(r + detail::btf_impl::type_record_size);
        return rd32(r + 8);
    };

    for (std::uint32_t root_id : roots) {
        const std::uint32_t root = root_id - start_id_;
        if ((kinds[root] & (on_path | done)) != 0) continue;
        kinds[root] |= on_path;
        stack.push_back({root, 0});
        while (!stack.empty()) {
            auto cur = stack.back().index;
            auto target = edge(cur, stack.back().next++);
            if (target == ~0u) {
                kinds[cur] = static_cast<std::uint8_t>((kinds[cur] & kind_mask) | done);
                stack.pop_back();
                continue;
            }
            if (target < start_id_) continue;
            auto t = target - start_id_;
            if ((kinds[t] & done) != 0) continue;
            if ((kinds[t] & on_path) != 0)
                fail_type(start_id_ + cur, detail::btf_impl::u32_at(types_, offsets_[cur] + 4), offsets_[cur],
                          detail::cat("refers by value to type [", target, "] ", to_string(kind_at(t)),
                                      ", which contains it: a type loop without a pointer "
                                      "(expected the chain of typedefs, modifiers, arrays and "
                                      "members to end)"));
            if (!detail::btf_impl::holds_by_value(kind_at(t))) {
                kinds[t] |= done;
                continue;
            }
            kinds[t] |= on_path;
            stack.push_back({t, 0});
        }
    }
}

// ---- type_view -------------------------------------------------------------

inline std::string_view type_view::name() const {
    if (name_off_ == 0 || owner_ == nullptr) return {};
    return owner_->string_at(name_off_);
}

inline void type_view::wrong_kind(const char* what) const {
    detail::raise(detail::cat("BTF type [", id_, "] ", to_string(kind()), " has no ", what));
}

inline std::uint32_t type_view::extra_u32(std::uint64_t at) const {
    return detail::btf_impl::u32_at(owner_->types_,
                                    std::uint64_t{offset_} + detail::btf_impl::type_record_size + at);
}

inline std::uint32_t type_view::size() const {
    expect(detail::btf_impl::has_size(kind()), "size");
    return size_type_;
}

inline std::uint32_t type_view::type() const {
    expect(detail::btf_impl::has_type_ref(kind()), "referenced type");
    return size_type_;
}

inline std::uint32_t type_view::int_data() const {
    expect(kind() == bpfxx::btf::kind::int_, "integer encoding");
    return extra_u32(0);
}

inline array_info type_view::array() const {
    expect(kind() == bpfxx::btf::kind::array, "array info");
    return {extra_u32(0), extra_u32(4), extra_u32(8)};
}

inline linkage type_view::var_linkage() const {
    expect(kind() == bpfxx::btf::kind::var, "variable linkage");
    return static_cast<linkage>(extra_u32(0));
}

inline linkage type_view::func_linkage() const {
    expect(kind() == bpfxx::btf::kind::func, "function linkage");
    return static_cast<linkage>(vlen());
}

inline std::int32_t type_view::decl_tag_component_idx() const {
    expect(kind() == bpfxx::btf::kind::decl_tag, "component index");
    return static_cast<std::int32_t>(extra_u32(0));
}

inline member type_view::member_at(std::uint32_t i) const {
    expect(kind() == bpfxx::btf::kind::struct_ || kind() == bpfxx::btf::kind::union_, "members");
    auto at = 12ull * i;
    member m{};
    m.name_off = extra_u32(at);
    m.type = extra_u32(at + 4);
    auto off = extra_u32(at + 8);
    if (kind_flag()) {
        m.bit_offset = off & 0xffffff;
        m.bitfield_size = off >> 24;
    } else {
        m.bit_offset = off;
        m.bitfield_size = 0;
    }
    m.name = m.name_off != 0 ? owner_->string_at(m.name_off) : std::string_view();
    return m;
}

inline param type_view::param_at(std::uint32_t i) const {
    expect(kind() == bpfxx::btf::kind::func_proto, "parameters");
    auto at = 8ull * i;
    param p{};
    p.name_off = extra_u32(at);
    p.type = extra_u32(at + 4);
    p.name = p.name_off != 0 ? owner_->string_at(p.name_off) : std::string_view();
    return p;
}

inline enumerator type_view::enumerator_at(std::uint32_t i) const {
    enumerator e{};
    if (kind() == bpfxx::btf::kind::enum_) {
        e.name_off = extra_u32(8ull * i);
        auto v = extra_u32(8ull * i + 4);
        e.value = kind_flag()
                      ? static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(v)))
                      : std::uint64_t{v};
    } else {
        expect(kind() == bpfxx::btf::kind::enum64, "enumerators");
        e.name_off = extra_u32(12ull * i);
        e.value = std::uint64_t{extra_u32(12ull * i + 4)} | (std::uint64_t{extra_u32(12ull * i + 8)} << 32);
    }
    e.name = e.name_off != 0 ? owner_->string_at(e.name_off) : std::string_view();
    return e;
}

inline var_secinfo type_view::secinfo_at(std::uint32_t i) const {
    expect(kind() == bpfxx::btf::kind::datasec, "section variables");
    auto at = 12ull * i;
    return {extra_u32(at), extra_u32(at + 4), extra_u32(at + 8)};
}

inline record_range<member> type_view::members() const {
    expect(kind() == bpfxx::btf::kind::struct_ || kind() == bpfxx::btf::kind::union_, "members");
    return record_range<member>(*this);
}

inline record_range<param> type_view::params() const {
    expect(kind() == bpfxx::btf::kind::func_proto, "parameters");
    return record_range<param>(*this);
}

inline record_range<enumerator> type_view::enumerators() const {
    expect(kind() == bpfxx::btf::kind::enum_ || kind() == bpfxx::btf::kind::enum64, "enumerators");
    return record_range<enumerator>(*this);
}

inline record_range<var_secinfo> type_view::secinfos() const {
    expect(kind() == bpfxx::btf::kind::datasec, "section variables");
    return record_range<var_secinfo>(*this);
}

}  // namespace btf
BPFXX_END_NAMESPACE
