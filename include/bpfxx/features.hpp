// SPDX-License-Identifier: MIT OR Apache-2.0
// What the running kernel supports, found by probes: the one place bpfxx asks
// the kernel what it can do (never by comparing version numbers).
//
// Every probe's answer is cached for the process in one pair of atomics (a
// bit per feature in `known`, its value in `supported`), so concurrent
// loaders are safe and a probed feature costs one atomic load afterwards.
// Only definite answers are cached: a probe that cannot decide (EPERM
// without CAP_BPF, ENOSYS, ENOMEM, a full fd table) answers unknown and runs
// again next time, so a transient failure never settles a feature for good.
//
// BTF kinds: each is probed by loading a tiny BTF blob that uses it
// (BPF_BTF_LOAD, no log): accepted means supported, EINVAL means missing.
// Only the kinds asked for are probed, all together in one BPF_BTF_LOAD
// first: on a kernel that has them all (every kernel since 6.9) that single
// call settles them; only when it fails is each probed alone.
#pragma once
#ifdef __bpf__
#error "bpfxx/features.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/downgrade.hpp>
#include <bpfxx/btf/records.hpp>
#include <bpfxx/btf/write.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/shared/map_types.hpp>
#include <bpfxx/shared/program_types.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <unistd.h>

#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace features {

// A probe's outcome. unknown: the probe could not run (no privilege, out of
// resources); callers go on as if supported and let the real operation say
// what is wrong.
enum class answer : std::uint8_t { unknown, yes, no };

constexpr const char* to_string(answer a) noexcept {
    switch (a) {
    case answer::unknown: return "unknown";
    case answer::yes: return "yes";
    case answer::no: return "no";
    }
    return "unknown";
}

// The outcome of probing BTF kinds.
struct btf_probe_result {
    // Kinds not asked for read true, and so do undetermined ones.
    btf::btf_features supported = btf::btf_features::all();
    // Kinds whose probe could not decide; `error` is the errno of the last.
    btf::btf_features undetermined = btf::btf_features::none();
    int error = 0;
};

}  // namespace features

namespace detail {
namespace probes {

using bpfxx::btf::kind;
namespace fb = bpfxx::detail::btf_downgrade;

// The feature bits: the BTF kinds of btf_downgrade (bits 0-8), then these.
inline constexpr std::uint32_t memcg_accounting = 1u << 16;
inline constexpr std::uint32_t kernel_core = 1u << 17;
inline constexpr std::uint32_t perf_link = 1u << 18;
inline constexpr std::uint32_t xdp_link = 1u << 19;
inline constexpr std::uint32_t tcx_link = 1u << 20;
inline constexpr std::uint32_t bpf_cookie = 1u << 21;

// A feature's bit in `supported` is valid once its bit in `known` is set
// (supported is written first).
inline constinit std::atomic<std::uint32_t> known{0};
inline constinit std::atomic<std::uint32_t> supported{0};
// bpf(2) calls made by probes, for tests.
inline constinit std::atomic<std::uint32_t> probes_made{0};

inline void settle(std::uint32_t yes, std::uint32_t no) noexcept {
    supported.fetch_or(yes, std::memory_order_relaxed);
    known.fetch_or(yes | no, std::memory_order_release);
}

// The cached answer for one feature bit, or `probe()`'s, cached when definite.
template <class Probe>
features::answer cached(std::uint32_t bit, Probe&& probe) noexcept {
    if ((known.load(std::memory_order_acquire) & bit) != 0)
        return (supported.load(std::memory_order_relaxed) & bit) != 0 ? features::answer::yes : features::answer::no;
    const int saved = errno;
    const features::answer a = probe();
    errno = saved;
    if (a == features::answer::yes) settle(bit, 0);
    if (a == features::answer::no) settle(0, bit);
    return a;
}

inline sys::fd probe_bpf_fd(sys::bpf_cmd cmd, auto& attr) noexcept {
    probes_made.fetch_add(1, std::memory_order_relaxed);
    return sys::bpf_fd(cmd, attr);
}

// A BTF blob built in place, no allocation: one fragment per feature, or
// (default-constructed) whatever other probes write with str/type/word.
class probe_blob {
public:
    probe_blob() noexcept = default;
    explicit probe_blob(std::uint32_t features) noexcept {
        for (std::uint32_t f = features; f != 0; f &= f - 1) add(f & (~f + 1));
    }

    [[nodiscard]] std::span<const std::byte> bytes() noexcept {
        const std::uint32_t type_len = static_cast<std::uint32_t>(nwords_ * 4);
        const std::uint32_t header[6] = {0x0001eb9fu, 24, 0, type_len, type_len, static_cast<std::uint32_t>(nstrs_)};
        std::memcpy(out_.data(), header, sizeof header);
        std::memcpy(out_.data() + 24, words_.data(), type_len);
        std::memcpy(out_.data() + 24 + type_len, strs_.data(), nstrs_);
        return {out_.data(), 24 + type_len + nstrs_};
    }

    // Writers for small probes: at most 128 words and 128 string bytes.
    // Writes past that are dropped and make full() true (no probe comes
    // close; a probe whose blob is full is not made).
    std::uint32_t str(std::string_view s) noexcept {
        const auto at = static_cast<std::uint32_t>(nstrs_);
        if (s.size() + 1 > max_strs - nstrs_) {
            full_ = true;
            return 0;
        }
        std::memcpy(strs_.data() + nstrs_, s.data(), s.size());
        nstrs_ += s.size() + 1;  // strs_ is zeroed: the terminator is there
        return at;
    }
    void word(std::uint32_t w) noexcept {
        if (nwords_ == max_words) {
            full_ = true;
            return;
        }
        words_[nwords_++] = w;
    }
    [[nodiscard]] bool full() const noexcept { return full_; }
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
    bool full_ = false;
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
    if (blob.full()) return E2BIG;
    const auto bytes = blob.bytes();
    sys::attr::btf_load a;
    a.btf = sys::ptr_to_u64(bytes.data());
    a.btf_size = static_cast<std::uint32_t>(bytes.size());
    const auto fd = probe_bpf_fd(sys::bpf_cmd::btf_load, a);
    return fd ? 0 : errno;
}

// Probes the BTF kinds of `wanted` that no earlier call settled.
[[gnu::cold]] inline features::btf_probe_result probe_btf_slow(std::uint32_t wanted) noexcept {
    const int saved = errno;
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
    settle(ok, missing);
    errno = saved;

    const std::uint32_t have = supported.load(std::memory_order_relaxed) | undetermined | ~wanted;
    features::btf_probe_result r;
    r.supported = fb::from_mask(have & fb::all_features);
    r.undetermined = fb::from_mask(undetermined);
    r.error = error;
    return r;
}

// The BTF kinds of `wanted` the kernel lacks (undetermined ones are not
// lacking). The fast path is one atomic load once they are all probed.
inline std::uint32_t lacking_btf(std::uint32_t wanted) noexcept {
    if ((wanted & ~known.load(std::memory_order_acquire)) == 0)
        return wanted & ~supported.load(std::memory_order_relaxed);
    return wanted & ~fb::to_mask(probe_btf_slow(wanted).supported);
}

// Loads a probe program of `type` (GPL) made of `prog`; `extra` fills in
// what else the probe asks of BPF_PROG_LOAD. The fd, or none with errno set.
template <class Extra>
sys::fd load_program(program_type type, std::span<const insn> prog, Extra&& extra) noexcept {
    static constexpr char license[] = "GPL";
    sys::attr::prog_load a;
    a.prog_type = static_cast<std::uint32_t>(type);
    a.insns = sys::ptr_to_u64(prog.data());
    a.insn_cnt = static_cast<std::uint32_t>(prog.size());
    a.license = sys::ptr_to_u64(license);
    extra(a);
    return probe_bpf_fd(sys::bpf_cmd::prog_load, a);
}
inline sys::fd load_program(program_type type, std::span<const insn> prog) noexcept {
    return load_program(type, prog, [](sys::attr::prog_load&) {});
}

// Whether a minimal socket filter calling helper `helper` loads: yes, no
// (EINVAL: the verifier does not know the helper), or unknown.
inline features::answer helper_loads(std::int32_t helper, program_type type = program_type::socket_filter) noexcept {
    const insn prog[] = {
        {static_cast<std::uint8_t>(op::jmp | op::call), 0, 0, 0, helper},
        {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), 0, 0, 0, 0},
        {static_cast<std::uint8_t>(op::jmp | op::exit), 0, 0, 0, 0},
    };
    if (load_program(type, prog)) return features::answer::yes;
    return errno == EINVAL ? features::answer::no : features::answer::unknown;
}

}  // namespace probes
}  // namespace detail

namespace features {

// Probes the running kernel for the BTF kinds set in `wanted` (each at most
// once per process once decided) and reports what it accepts.
[[nodiscard]] inline btf_probe_result probe_btf_features(const btf::btf_features& wanted = btf::btf_features::all()) noexcept {
    namespace p = detail::probes;
    const auto w = detail::btf_downgrade::to_mask(wanted);
    if ((w & ~p::known.load(std::memory_order_acquire)) == 0) {
        btf_probe_result r;
        r.supported = detail::btf_downgrade::from_mask((p::supported.load(std::memory_order_relaxed) | ~w) &
                                                       detail::btf_downgrade::all_features);
        return r;
    }
    return p::probe_btf_slow(w);
}

// Every BTF kind of the running kernel; undetermined ones read true.
[[nodiscard]] inline btf::btf_features kernel_btf_features() noexcept { return probe_btf_features().supported; }

// Fits `blob` (a whole base BTF blob, as btf::sanitize_cxx returns it, after
// btf::fix_datasecs) to the running kernel: finds the kinds it uses in one
// pass over its type headers, probes only those, and rewrites it with
// btf::downgrade() when the kernel lacks any. Returns whether it rewrote;
// `report`, when given, says what changed.
inline bool fit_btf_to_kernel(std::vector<std::byte>& blob, btf::downgrade_report* report = nullptr) {
    const auto used = detail::btf_downgrade::used_mask(detail::bytes(blob));
    const auto missing = detail::probes::lacking_btf(used);
    if (report != nullptr) {
        *report = btf::downgrade_report{};
        report->missing = detail::btf_downgrade::from_mask(missing);
    }
    if (missing == 0) return false;
    std::vector<std::byte> out;
    {
        const btf::btf in{detail::bytes(blob)};
        out = detail::btf_downgrade::downgrader(in, missing, report).run();
    }
    blob = std::move(out);
    return true;
}

// Whether BPF memory is charged to the memory cgroup (Linux 5.11) rather
// than to RLIMIT_MEMLOCK. Probed like libbpf: bpf_ktime_get_coarse_ns
// (helper 160) arrived in the same release.
[[nodiscard]] inline answer memcg_accounting() noexcept {
    return detail::probes::cached(detail::probes::memcg_accounting, [] { return detail::probes::helper_loads(160); });
}

// Whether BPF_PROG_LOAD applies CO-RE relocations itself (Linux 5.17): loads
// a two-instruction program whose type_exists relocation the kernel must
// resolve.
[[nodiscard]] inline answer kernel_core_relocation() noexcept {
    return detail::probes::cached(detail::probes::kernel_core, []() noexcept {
        namespace p = detail::probes;
        // BTF: [1] int "int", signed, 32 bits; the access string "0".
        p::probe_blob blob;
        const auto int_id = blob.type(blob.str("int"), btf::kind::int_, 0, false, 4);
        blob.word((1u << 24) | 32);
        const auto access = blob.str("0");
        if (blob.full()) return answer::unknown;
        const auto bytes = blob.bytes();
        sys::attr::btf_load b;
        b.btf = sys::ptr_to_u64(bytes.data());
        b.btf_size = static_cast<std::uint32_t>(bytes.size());
        auto btf_fd = p::probe_bpf_fd(sys::bpf_cmd::btf_load, b);
        if (!btf_fd) return errno == EINVAL ? answer::no : answer::unknown;
        const insn prog[] = {
            {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), 0, 0, 0, 1},  // r0 = type_exists(int)
            {static_cast<std::uint8_t>(op::jmp | op::exit), 0, 0, 0, 0},
        };
        const std::uint32_t relo[4] = {0, int_id, access, static_cast<std::uint32_t>(btf::core_relo_kind::type_exists)};
        if (p::load_program(program_type::socket_filter, prog, [&](sys::attr::prog_load& a) {
                a.prog_btf_fd = static_cast<std::uint32_t>(btf_fd.get());
                a.core_relos = sys::ptr_to_u64(relo);
                a.core_relo_cnt = 1;
                a.core_relo_rec_size = sizeof relo;
            }))
            return answer::yes;
        // A kernel without core_relos rejects the larger attr (E2BIG) or the
        // unknown fields (EINVAL).
        return errno == EINVAL || errno == E2BIG ? answer::no : answer::unknown;
    });
}

// BPF_LINK_CREATE of a do-nothing program of `type` ("r0 = 0; exit") at
// `target` as `attach`: yes when the kernel gets far enough to answer
// `known_errno` (or makes the link), no on EINVAL (the attach type is
// unknown), unknown otherwise.
inline answer link_create_answer(program_type type, attach_type attach, std::uint32_t target,
                                 int known_errno) noexcept {
    namespace p = detail::probes;
    const insn prog[2] = {
        {static_cast<std::uint8_t>(op::alu64 | op::mov | op::k), op::r0, 0, 0, 0},
        {static_cast<std::uint8_t>(op::jmp | op::exit), 0, 0, 0, 0},
    };
    sys::fd prog_fd = p::load_program(type, prog);
    if (!prog_fd) return answer::unknown;
    sys::attr::link_create lc;
    lc.prog_fd = static_cast<std::uint32_t>(prog_fd.get());
    lc.target_fd = target;
    lc.attach_type = static_cast<std::uint32_t>(attach);
    sys::fd l = p::probe_bpf_fd(sys::bpf_cmd::link_create, lc);
    if (l || errno == known_errno) return answer::yes;
    return errno == EINVAL ? answer::no : answer::unknown;
}

// Whether BPF_LINK_CREATE takes attach type BPF_PERF_EVENT (Linux 5.15):
// a kernel that knows it gets as far as looking up the (invalid) perf
// event fd and says EBADF; an older one rejects the command or the attach
// type with EINVAL.
[[nodiscard]] inline answer perf_link() noexcept {
    return detail::probes::cached(detail::probes::perf_link, []() noexcept {
        return link_create_answer(program_type::tracepoint, attach_type::perf_event, static_cast<std::uint32_t>(-1),
                                  EBADF);
    });
}

// Whether XDP programs attach through BPF links (Linux 5.9); before that,
// through rtnetlink. Kernels from 5.7 to 5.9 check the attach type before
// looking the program up: with an invalid program fd, one that knows XDP
// links says EBADF and an older one EINVAL (as does one without
// BPF_LINK_CREATE).
[[nodiscard]] inline answer xdp_link() noexcept {
    return detail::probes::cached(detail::probes::xdp_link, []() noexcept {
        sys::attr::link_create lc;
        lc.prog_fd = static_cast<std::uint32_t>(-1);
        lc.target_fd = 1;
        lc.attach_type = static_cast<std::uint32_t>(attach_type::xdp);
        sys::fd l = detail::probes::probe_bpf_fd(sys::bpf_cmd::link_create, lc);
        if (l || errno == EBADF) return answer::yes;
        return errno == EINVAL ? answer::no : answer::unknown;
    });
}

// Whether the kernel has tcx (Linux 6.6): TC programs attached through BPF
// links in per-interface lists; before that, clsact and cls_bpf filters.
// Probed with a real TC program and no interface (ifindex 0): a kernel with
// tcx looks the interface up and says ENODEV; an older one refuses the
// attach type with EINVAL. (An invalid program fd would not do: from 5.10
// on the program is looked up before the attach type is checked.)
[[nodiscard]] inline answer tcx_link() noexcept {
    return detail::probes::cached(detail::probes::tcx_link, []() noexcept {
        return link_create_answer(program_type::sched_cls, attach_type::tcx_ingress, 0, ENODEV);
    });
}

// Whether programs read their attach cookie with bpf_get_attach_cookie
// (Linux 5.15): a tracepoint program calling it loads (libbpf's probe, the
// answer of .kconfig's LINUX_HAS_BPF_COOKIE).
[[nodiscard]] inline answer bpf_cookie() noexcept {
    return detail::probes::cached(detail::probes::bpf_cookie, []() noexcept {
        constexpr std::int32_t get_attach_cookie = 174;
        return detail::probes::helper_loads(get_attach_cookie, program_type::tracepoint);
    });
}

// Whether the kernel creates maps of `type`: creates a one-element map
// (libbpf's probe). Not cached: one BPF_MAP_CREATE per call. unknown for
// types that need more than sizes to be created (local storages, struct_ops,
// arena) and when the answer is not EINVAL (EPERM without CAP_BPF).
[[nodiscard]] inline answer map_type_supported(map_type type) noexcept {
    namespace p = detail::probes;
    sys::attr::map_create a;
    a.map_type = static_cast<std::uint32_t>(type);
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    sys::fd inner;
    switch (type) {
    case map_type::hash:
    case map_type::array:
    case map_type::percpu_hash:
    case map_type::percpu_array:
    case map_type::lru_hash:
    case map_type::lru_percpu_hash:
    case map_type::prog_array:
    case map_type::perf_event_array:
    case map_type::cgroup_array:
    case map_type::stack_trace:
    case map_type::devmap:
    case map_type::devmap_hash:
    case map_type::sockmap:
    case map_type::sockhash:
    case map_type::cpumap:
    case map_type::xskmap:
        break;
    case map_type::reuseport_sockarray:
        a.value_size = 8;
        break;
    case map_type::lpm_trie:
        a.key_size = 8;
        a.map_flags = map_flags::no_prealloc;
        break;
    case map_type::queue:
    case map_type::stack:
    case map_type::bloom_filter:
        a.key_size = 0;
        break;
    case map_type::cgroup_storage:
    case map_type::percpu_cgroup_storage:
        a.key_size = 12;  // struct bpf_cgroup_storage_key
        a.max_entries = 0;
        break;
    case map_type::ringbuf:
    case map_type::user_ringbuf:
        a.key_size = 0;
        a.value_size = 0;
        a.max_entries = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
        break;
    case map_type::array_of_maps:
    case map_type::hash_of_maps: {
        sys::attr::map_create i;
        i.map_type = static_cast<std::uint32_t>(map_type::array);
        i.key_size = 4;
        i.value_size = 4;
        i.max_entries = 1;
        inner = p::probe_bpf_fd(sys::bpf_cmd::map_create, i);
        if (!inner) return answer::unknown;
        a.inner_map_fd = static_cast<std::uint32_t>(inner.get());
        break;
    }
    default:
        return answer::unknown;
    }
    const int saved = errno;
    const auto fd = p::probe_bpf_fd(sys::bpf_cmd::map_create, a);
    const int e = errno;
    errno = saved;
    if (fd) return answer::yes;
    return e == EINVAL ? answer::no : answer::unknown;
}

#ifdef BPFXX_TESTING
// Forgets every answer, for tests.
inline void reset_for_testing() noexcept {
    detail::probes::known.store(0);
    detail::probes::supported.store(0);
    detail::probes::probes_made.store(0);
}
// bpf(2) calls made by probes since the last reset.
[[nodiscard]] inline std::uint32_t probes_made_for_testing() noexcept { return detail::probes::probes_made.load(); }
#endif

}  // namespace features
BPFXX_END_NAMESPACE
