// SPDX-License-Identifier: MIT OR Apache-2.0
// Which BTF constructs the running kernel accepts, and fitting an object's BTF
// to it.
//
// Each feature is probed by loading a tiny BTF blob that uses it
// (BPF_BTF_LOAD, no log) and closing the result: accepted means supported,
// EINVAL means missing. Results are cached for the process, per feature, in
// two atomics, so concurrent loaders are safe and a probed feature costs one
// atomic load afterwards. Only the features asked for are probed, and all of
// them together in one BPF_BTF_LOAD first: on a kernel that has them all
// (every kernel since 6.9) that single call settles them; only when it fails
// is each feature probed alone.
//
// A probe that cannot decide (EPERM without CAP_BPF, ENOSYS, a full fd table)
// leaves its feature undetermined: it counts as supported and is probed
// again next time, so nothing is rewritten on a guess and the object's own
// BPF_BTF_LOAD reports the real problem.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/features.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace btf {

// The outcome of probing.
struct btf_probe_result {
    // Features not asked for read true, and so do undetermined ones.
    btf_features supported = btf_features::all();
    // Features whose probe could not decide; `error` is the errno of the last.
    btf_features undetermined = btf_features::none();
    int error = 0;
};

}  // namespace btf
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace btf_probe {

using bpfxx::btf::kind;
namespace fb = bpfxx::detail::btf_downgrade;

// Probe results for the process: a feature's bit in `supported` is valid
// once its bit in `known` is set (supported is written first).
inline constinit std::atomic<std::uint32_t> known{0};
inline constinit std::atomic<std::uint32_t> supported{0};
// BPF_BTF_LOAD probes made, for tests.
inline constinit std::atomic<std::uint32_t> probes_made{0};

// Forgets every result, for tests.
inline void reset_for_testing() noexcept {
    known.store(0);
    supported.store(0);
    probes_made.store(0);
}

// A BTF blob built in place, no allocation: one fragment per feature, or
// (default-constructed) whatever other probes write with str/type/word.
class probe_blob {
public:
    probe_blob() noexcept = default;
    explicit probe_blob(std::uint32_t features) noexcept {
        for (std::uint32_t f = features; f != 0; f &= f - 1) add(f & (~f + 1));
    }

    [[nodiscard]] bpfxx::detail::bytes bytes() noexcept {
        const std::uint32_t type_len = static_cast<std::uint32_t>(nwords_ * 4);
        const std::uint32_t header[6] = {0x0001eb9fu, 24, 0, type_len, type_len, static_cast<std::uint32_t>(nstrs_)};
        std::memcpy(out_.data(), header, sizeof header);
        std::memcpy(out_.data() + 24, words_.data(), type_len);
        std::memcpy(out_.data() + 24 + type_len, strs_.data(), nstrs_);
        return {out_.data(), 24 + type_len + nstrs_};
    }

    // Writers for small probes: at most 128 words and 128 string bytes.
    std::uint32_t str(std::string_view s) noexcept {
        const auto at = static_cast<std::uint32_t>(nstrs_);
        std::memcpy(strs_.data() + nstrs_, s.data(), s.size());
        nstrs_ += s.size() + 1;  // strs_ is zeroed: the terminator is there
        return at;
    }
    void word(std::uint32_t w) noexcept { words_[nwords_++] = w; }
    std::uint32_t type(std::uint32_t name_off, kind k, std::uint32_t vlen, bool kflag,
                       std::uint32_t size_type) noexcept {
        word(name_off);
        word(fb::info(k, vlen, kflag));
        word(size_type);
        return next_id_++;
    }

private:
    static constexpr std::size_t max_words = 128, max_strs = 128;

    // One signed 32-bit INT shared by the fragments.
    std::uint32_t int32() noexcept {
        if (int_ == 0) {
            int_ = type(0, kind::int_, 0, false, 4);
            word((1u << 24) | 32);  // signed, 32 bits
        }
        return int_;
    }
    // static int v; in a section named `section`.
    void data_section(std::string_view var, std::string_view section) noexcept {
        const auto i = int32();
        const auto v = type(str(var), kind::var, 0, false, i);
        word(0);  // static
        type(str(section), kind::datasec, 1, false, 4);
        word(v);
        word(0);
        word(4);
    }
    // int g(int a); with global linkage.
    void global_function() noexcept {
        const auto i = int32();
        const auto proto = type(0, kind::func_proto, 1, false, i);
        word(str("a"));
        word(i);
        type(str("g"), kind::func, 1, false, proto);
    }

    void add(std::uint32_t feature) noexcept {
        switch (feature) {
            case fb::var_datasec: data_section("v", ".data"); break;
            case fb::func_global: global_function(); break;
            case fb::empty_datasec: type(str(".e"), kind::datasec, 0, false, 4); break;
            case fb::float_: type(str("float"), kind::float_, 0, false, 4); break;
            case fb::decl_tag: {
                const auto i = int32();
                const auto s = type(str("s"), kind::struct_, 1, false, 4);
                word(str("m"));
                word(i);
                word(0);
                type(str("tag"), kind::decl_tag, 0, false, s);
                word(~0u);  // component -1: the struct itself
                break;
            }
            case fb::type_tag: {
                const auto t = type(str("tag"), kind::type_tag, 0, false, int32());
                type(0, kind::ptr, 0, false, t);
                break;
            }
            case fb::enum64:
                type(str("e64"), kind::enum64, 1, false, 8);
                word(str("E"));
                word(0);
                word(1);  // 1 << 32
                break;
            case fb::signed_enum:
                type(str("es"), kind::enum_, 1, true, 4);
                word(str("S"));
                word(~0u);  // -1
                break;
            case fb::datasec_names: data_section("q", "?.data"); break;
            default: break;
        }
    }

    std::array<std::uint32_t, max_words> words_{};
    std::array<char, max_strs> strs_{};
    std::size_t nwords_ = 0;
    std::size_t nstrs_ = 1;  // offset 0: the empty name
    std::uint32_t next_id_ = 1;
    std::uint32_t int_ = 0;
    alignas(8) std::array<std::byte, 24 + max_words * 4 + max_strs> out_{};
};

// BPF_BTF_LOAD of the probe blob for `features`: 0 when the kernel accepts
// it, else the errno.
inline int try_load(std::uint32_t features) noexcept {
    probe_blob blob(features);
    const auto bytes = blob.bytes();
    sys::attr::btf_load a;
    a.btf = sys::ptr_to_u64(bytes.data());
    a.btf_size = static_cast<std::uint32_t>(bytes.size());
    probes_made.fetch_add(1, std::memory_order_relaxed);
    const auto fd = sys::bpf_fd(sys::bpf_cmd::btf_load, a);
    return fd ? 0 : errno;
}

// Probes the features of `todo` that no earlier call settled.
[[gnu::cold]] inline bpfxx::btf::btf_probe_result probe_slow(std::uint32_t wanted) noexcept {
    const std::uint32_t todo = wanted & ~known.load(std::memory_order_acquire);
    std::uint32_t ok = 0, missing = 0, undetermined = 0;
    int error = 0;
    bool settled = false;
    if (std::popcount(todo) > 1) {
        const int e = try_load(todo);
        if (e == 0) {
            ok = todo;
            settled = true;
        } else if (e != EINVAL) {
            undetermined = todo;
            error = e;
            settled = true;
        }
    }
    for (std::uint32_t f = settled ? 0 : todo; f != 0; f &= f - 1) {
        const std::uint32_t bit = f & (~f + 1);
        const int e = try_load(bit);
        if (e == 0)
            ok |= bit;
        else if (e == EINVAL)
            missing |= bit;
        else {
            undetermined |= bit;
            error = e;
        }
    }
    supported.fetch_or(ok, std::memory_order_relaxed);
    known.fetch_or(ok | missing, std::memory_order_release);

    const std::uint32_t have = supported.load(std::memory_order_relaxed) | undetermined | ~wanted;
    bpfxx::btf::btf_probe_result r;
    r.supported = fb::from_mask(have & fb::all_features);
    r.undetermined = fb::from_mask(undetermined);
    r.error = error;
    return r;
}

// The features of `wanted` the kernel lacks (undetermined ones are not
// lacking). The fast path is one atomic load once they are all probed.
inline std::uint32_t lacking(std::uint32_t wanted) noexcept {
    if ((wanted & ~known.load(std::memory_order_acquire)) == 0)
        return wanted & ~supported.load(std::memory_order_relaxed);
    return wanted & ~fb::to_mask(probe_slow(wanted).supported);
}

}  // namespace btf_probe
}  // namespace detail
BPFXX_END_NAMESPACE

BPFXX_BEGIN_NAMESPACE
namespace btf {

// Probes the running kernel for the features set in `wanted` (each at most
// once per process once decided) and reports what it accepts.
inline btf_probe_result probe_kernel_btf_features(const btf_features& wanted = btf_features::all()) noexcept {
    const auto w = detail::btf_downgrade::to_mask(wanted);
    if ((w & ~detail::btf_probe::known.load(std::memory_order_acquire)) == 0) {
        btf_probe_result r;
        r.supported = detail::btf_downgrade::from_mask(
            (detail::btf_probe::supported.load(std::memory_order_relaxed) | ~w) & detail::btf_downgrade::all_features);
        return r;
    }
    return detail::btf_probe::probe_slow(w);
}

// Every feature of the running kernel; undetermined ones read true.
inline btf_features kernel_btf_features() noexcept { return probe_kernel_btf_features().supported; }

// Fits `blob` (a whole base BTF blob, as sanitize_cxx returns it and after the
// loader has filled in DATASEC sizes and offsets) to the running kernel:
// finds the features it uses in one pass over its type headers, probes only
// those, and rewrites it with downgrade() when the kernel lacks any. Returns
// whether it rewrote; `report`, when given, says what changed.
inline bool downgrade_for_kernel(std::vector<std::byte>& blob, downgrade_report* report = nullptr) {
    const auto used = detail::btf_downgrade::used_mask(detail::bytes(blob));
    const auto missing = detail::btf_probe::lacking(used);
    if (report != nullptr) {
        *report = downgrade_report{};
        report->missing = detail::btf_downgrade::from_mask(missing);
    }
    if (missing == 0) return false;
    std::vector<std::byte> out;
    {
        const btf in{detail::bytes(blob)};
        out = detail::btf_downgrade::downgrader(in, missing, report).run();
    }
    blob = std::move(out);
    return true;
}

}  // namespace btf
BPFXX_END_NAMESPACE
