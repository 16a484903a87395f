// SPDX-License-Identifier: MIT OR Apache-2.0
// The loader behind bpfxx/loader.hpp: sanitised BTF fitted to the running
// kernel, maps (global data mmapped), programs linked with their
// subprograms, relocated (maps, globals, CO-RE) and verified, with the whole
// verifier log and the source line when the kernel says no.
#pragma once

#include <bpfxx/loader.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/downgrade.hpp>
#include <bpfxx/btf/ext.hpp>
#include <bpfxx/btf/names.hpp>
#include <bpfxx/btf/sanitize.hpp>
#include <bpfxx/core/relocate.hpp>
#include <bpfxx/core/target.hpp>
#include <bpfxx/detail/capabilities.hpp>
#include <bpfxx/detail/cpus.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/detail/kallsyms.hpp>
#include <bpfxx/detail/pin.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/features.hpp>
#include <bpfxx/kconfig.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace detail {

inline std::size_t page_size() noexcept {
    static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

// Makes room for `extra` more elements, at least doubling the capacity when
// it grows: appending a function at a time stays linear.
template <class T>
void reserve_more(std::vector<T>& v, std::size_t extra) {
    const std::size_t need = v.size() + extra;
    if (need > v.capacity()) v.reserve(std::max(need, 2 * v.capacity()));
}

// Before Linux 5.11 BPF memory was charged to RLIMIT_MEMLOCK; since then to
// the memory cgroup. Where the kernel does not say it accounts to the cgroup
// (features::memcg_accounting), the loader raises this process's
// RLIMIT_MEMLOCK to infinity once, as libbpf does; it never fails for it
// (without CAP_SYS_RESOURCE the limit may not rise).
inline void ensure_memlock_once() {
    static std::atomic<bool> done{false};
    if (done.load(std::memory_order_relaxed)) return;
    if (features::memcg_accounting() != features::answer::yes) {
        rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
        ::setrlimit(RLIMIT_MEMLOCK, &unlimited);
    }
    done.store(true, std::memory_order_relaxed);
}

// Runs a bpf(2) command that takes a log buffer: first without a log (the
// fast path), then, on failure, with a log that grows until the whole log
// fits. Returns the fd, or an empty fd with `log` and `err` set.
template <class Attr, class SetLog, class TrueSize>
sys::fd load_with_log(sys::bpf_cmd cmd, Attr attr, std::uint32_t level, SetLog set_log, TrueSize true_size,
                      std::string& log, int& err) {
    for (int attempt = 0; attempt < 5; ++attempt) {  // EAGAIN: the verifier was interrupted
        Attr a = attr;
        if (auto fd = sys::bpf_fd(cmd, a)) return fd;
        err = errno;
        if (err != EAGAIN) break;
    }
    std::vector<char> buf(256 * 1024);
    for (;;) {
        Attr a = attr;
        set_log(a, level, buf.data(), static_cast<std::uint32_t>(buf.size()));
        auto fd = sys::bpf_fd(cmd, a);
        int e = errno;
        if (fd) {  // loads with a log but not without: report the first error anyway
            return fd;
        }
        std::uint32_t needed = true_size(a);
        bool truncated = e == ENOSPC || (needed > buf.size());
        // Linux < 6.4 reports no true size: double until the log fits. The
        // kernel caps log_size at UINT32_MAX >> 2 (16 MiB - 1 before 5.2).
        if (truncated && buf.size() < (1u << 30)) {
            std::size_t next = needed > buf.size() ? needed : buf.size() * 2;
            buf.assign(next, '\0');
            continue;
        }
        err = e;
        log.assign(buf.data(), ::strnlen(buf.data(), buf.size()));
        return sys::fd();
    }
}

inline std::string last_line(std::string_view log, std::string_view starting_with = {}) {
    std::string_view best;
    std::size_t pos = 0;
    while (pos < log.size()) {
        auto nl = log.find('\n', pos);
        auto line = log.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (!line.empty() && line.starts_with(starting_with) && line.find_first_not_of(' ') != std::string_view::npos)
            best = line;
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return std::string(best);
}

// Loads one object into a loaded_object: lives for the duration of load().
class object_loader {
public:
    object_loader(loaded_object& lo) noexcept : lo_(lo) {}

    void run(const load_options& options) {
        check_names(*obj_, options);
        detail::ensure_memlock_once();
        load_btf();
        create_maps(options);
        init_core(options);
        load_programs(options);
    }

private:
    static constexpr std::size_t max_program_insns = 1u << 20;

    // A customisation naming nothing is a typo, not a no-op.
    static void check_names(const object& obj, const load_options& o) {
        auto program_exists = [&](std::string_view n) { return obj.find_program(n) != nullptr; };
        for (const auto& n : o.disabled_)
            if (!program_exists(n)) detail::raise(detail::cat(obj.name(), ": disable_program('", n, "'): no such program"));
        for (const auto& n : o.only_)
            if (!program_exists(n)) detail::raise(detail::cat(obj.name(), ": only_programs: no program '", n, "'"));
        for (const auto& [n, t] : o.targets_)
            if (!program_exists(n)) detail::raise(detail::cat(obj.name(), ": set_attach_target('", n, "'): no such program"));
        for (const auto& [n, v] : o.max_entries_)
            if (obj.find_map(n) == nullptr) detail::raise(detail::cat(obj.name(), ": set_max_entries('", n, "'): no such map"));
        for (const auto& [n, c] : o.map_changes_) {
            const auto* m = obj.find_map(n);
            if (m == nullptr) detail::raise(detail::cat(obj.name(), ": set_key_size/set_value_size/set_map_type/"
                                                        "set_map_flags/set_inner_map('", n, "'): no such map"));
            if (m->global != global_section::none)
                detail::raise(detail::cat(obj.name(), ": '", n, "' is a global data section: its layout is the "
                                          "object's (set_initial_data changes its contents)"));
        }
        for (const auto& [n, v] : o.program_log_levels_)
            if (!program_exists(n)) detail::raise(detail::cat(obj.name(), ": set_log_level('", n, "'): no such program"));
        for (const auto& [n, v] : o.expected_attach_)
            if (!program_exists(n))
                detail::raise(detail::cat(obj.name(), ": set_expected_attach_type('", n, "'): no such program"));
        for (const auto& n : o.pinned_) {
            const auto* m = obj.find_map(n);
            if (m == nullptr) detail::raise(detail::cat(obj.name(), ": pin_by_name('", n, "'): no such map"));
            if (m->global != global_section::none)
                detail::raise(detail::cat(obj.name(), ": pin_by_name('", n, "'): global data sections are not pinned"));
        }
        for (const auto& n : o.not_created_) {
            const auto* m = obj.find_map(n);
            if (m == nullptr) detail::raise(detail::cat(obj.name(), ": set_autocreate('", n, "'): no such map"));
            if (m->global != global_section::none)
                detail::raise(detail::cat(obj.name(), ": set_autocreate('", n, "'): a global data section is always "
                                          "created (its programs read it)"));
        }
        for (const auto& [n, v] : o.sections_)
            if (obj.find_map(n) == nullptr || obj.find_map(n)->global == global_section::none)
                detail::raise(detail::cat(obj.name(), ": set_initial_data('", n, "'): no such global data section"));
    }

    loaded_object& lo_;
    const object* obj_ = lo_.obj_;
    // The loaded object's parts under the names the loader has always used.
    sys::fd& btf_ = lo_.btf_;
    std::vector<loaded_map>& maps_ = lo_.maps_;
    std::vector<loaded_program>& programs_ = lo_.programs_;
    // CO-RE: the target types are searched in, and each record's resolution
    // (a subprogram placed in several programs is resolved once).
    std::unique_ptr<core::target> own_target_;  // load_options::set_target_btf
    const core::target* target_ = nullptr;
    bool kernel_core_ = false;  // the kernel applies the relocations
    std::unordered_map<const btf::core_relo_record*, core::resolution> core_done_;
    core::match_cache core_matches_;
    // What each .ksyms variable resolves to (index: object::externs()).
    struct ksym_value {
        std::uint64_t address = 0;  // typeless: from /proc/kallsyms
        std::uint32_t btf_id = 0;   // typed: the kernel's VAR
    };
    std::vector<ksym_value> ksyms_;
    bool ksyms_resolved_ = false;

    void load_btf() {
        const auto* b = obj_->btf();
        if (b == nullptr) return;  // objects without BTF load without it
        auto blob = btf::sanitize_cxx(*b);
        btf::fix_datasecs(blob, obj_->elf());
        if (has_ksym_variables()) {
            // libbpf's rewrite: every .ksyms variable an int in a slot of its own.
            auto int_id = obj_->btf()->find("int", btf::kind::int_);
            if (!int_id || obj_->btf()->type(*int_id).size() != 4)
                detail::raise(detail::cat(obj_->name(), ": .ksyms externs need the type 'int' in the object's BTF"));
            btf::allocate_ksyms_datasec(blob, *int_id);
        }
        if (const auto* kc = kconfig_map())
            btf::allocate_extern_datasec(blob, ".kconfig", kc->value_size, [&](std::string_view name) {
                for (const auto& e : obj_->externs())
                    if (e.kind == extern_symbol::kind::kconfig && e.name == name) return std::pair(e.offset, e.size);
                return std::pair(std::uint32_t{0}, std::uint32_t{0});
            });
        // Kinds this kernel lacks (FLOAT before 5.13, DECL_TAG before 5.16,
        // ENUM64 before 6.0, ...) become ones it has; ids stay the same.
        btf::downgrade_report downgraded;
        features::fit_btf_to_kernel(blob, &downgraded);
        sys::attr::btf_load a;
        a.btf = sys::ptr_to_u64(blob.data());
        a.btf_size = static_cast<std::uint32_t>(blob.size());
        std::string log;
        int err = 0;
        btf_ = detail::load_with_log(
            sys::bpf_cmd::btf_load, a, 1,
            [](sys::attr::btf_load& x, std::uint32_t level, char* buf, std::uint32_t size) {
                x.btf_log_level = level;
                x.btf_log_buf = sys::ptr_to_u64(buf);
                x.btf_log_size = size;
            },
            [](const sys::attr::btf_load& x) { return x.btf_log_true_size; }, log, err);
        if (btf_) return;
        // Never continue without BTF (libbpf does, silently): maps would lose
        // their types and bpf_loop callbacks would fail later, far from here.
        // EPERM is the first thing an unprivileged user meets: say what it
        // takes rather than blame the BTF.
        if (err == EPERM || err == EACCES)
            detail::raise(detail::cat(obj_->name(), ": loading the object's BTF was refused (",
                                      detail::errno_message(err), "): loading BPF objects needs CAP_BPF (Linux "
                                      "5.8; CAP_SYS_ADMIN before), tracing programs CAP_PERFMON too, or root"),
                          err, log);
        auto type_line = detail::last_line(log, "[");
        auto reason = detail::last_line(log);
        detail::raise(detail::cat(obj_->name(), ": the kernel rejected the object's BTF",
                                  type_line.empty() ? "" : " at type ", type_line,
                                  reason.empty() ? "" : ": ", reason == type_line ? "" : reason, " (",
                                  detail::errno_message(err), ")",
                                  downgraded.changed() ? detail::cat("; bpfxx had rewritten it for this kernel: ",
                                                                     downgraded.summary())
                                                       : std::string()),
                      err, log);
    }


    static bool is_global_data(const map_definition& d) { return d.global != global_section::none; }

    bool has_ksym_variables() const {
        for (const auto& e : obj_->externs())
            if (e.kind == extern_symbol::kind::ksym) return true;
        return false;
    }

    // The .ksyms variables, resolved once per load as libbpf does: typed ones
    // (a VAR of the kernel's BTF: its per-CPU variables) to their BTF id,
    // typeless ones (`const void`) to their address in /proc/kallsyms. A weak
    // one the kernel lacks resolves to 0; any other is an error.
    void resolve_ksyms() {
        if (ksyms_resolved_) return;
        ksyms_resolved_ = true;
        const auto& externs = obj_->externs();
        ksyms_.assign(externs.size(), {});
        std::vector<std::string_view> typeless;
        std::vector<std::size_t> typeless_at;
        auto fail = [&](const extern_symbol& e, std::string_view why, int code = ENOENT) {
            detail::raise(detail::cat(obj_->name(), ": ksym '", detail::printable(e.name), "': ", why), code);
        };
        for (std::size_t i = 0; i < externs.size(); ++i) {
            const auto& e = externs[i];
            if (e.kind != extern_symbol::kind::ksym) continue;
            const auto local = obj_->btf()->resolve(e.btf_type);
            if (local == 0) {
                typeless.push_back(e.name);
                typeless_at.push_back(i);
                continue;
            }
            const auto& vm = detail::vmlinux_btf();
            const auto id = vm.find(e.name, btf::kind::var);
            if (!id) {
                if (e.weak) continue;
                fail(e, "the kernel's BTF has no variable of that name (typed ksyms are the kernel's per-CPU "
                        "variables; declare it `const void` for its address, or weak if it may be missing)");
            }
            std::uint64_t mine = 0, theirs = 0;
            if (obj_->btf()->try_size_of(local, mine) == nullptr && vm.try_size_of(vm.type(*id).type(), theirs) == nullptr &&
                mine != theirs)
                fail(e, detail::cat("declared with ", mine, " bytes; the kernel's variable has ", theirs), EINVAL);
            ksyms_[i].btf_id = *id;
        }
        if (typeless.empty()) return;
        int err = 0;
        const auto text = detail::read_small_file("/proc/kallsyms", err, std::uint64_t{256} << 20);
        if (err != 0)
            detail::raise(detail::cat(obj_->name(), ": reading /proc/kallsyms for the typeless ksym '",
                                      detail::printable(typeless.front()), "': ", detail::errno_text(err)),
                          err);
        std::vector<detail::kallsyms_hit> hits(typeless.size());
        detail::find_kallsyms(text, typeless, hits);
        for (std::size_t k = 0; k < hits.size(); ++k) {
            const auto& e = externs[typeless_at[k]];
            const auto& h = hits[k];
            if (h.ambiguous) fail(e, "/proc/kallsyms has it at two different addresses", EINVAL);
            if (!h.found) {
                if (e.weak) continue;
                fail(e, "not in /proc/kallsyms (declare it weak if it may be missing)");
            }
            if (h.address == 0)
                fail(e, "/proc/kallsyms shows it at address 0: kernel addresses are hidden from this process "
                        "(kernel.kptr_restrict; reading them needs CAP_SYSLOG or root)",
                     EPERM);
            ksyms_[typeless_at[k]].address = h.address;
        }
    }

    // Found once per load: place() asks for it at every .kconfig access.
    std::size_t kconfig_map_index() const {
        if (!kconfig_index_) {
            const auto& maps = obj_->maps();
            std::size_t i = 0;
            while (i < maps.size() && maps[i].global != global_section::kconfig) ++i;
            kconfig_index_ = i;
        }
        return *kconfig_index_;
    }
    mutable std::optional<std::size_t> kconfig_index_;
    const map_definition* kconfig_map() const {
        const auto i = kconfig_map_index();
        return i < obj_->maps().size() ? &obj_->maps()[i] : nullptr;
    }

    // The .kconfig map's value, laid out by the object: CONFIG_* externs from
    // load_options::set_kconfig's text, then the running kernel's
    // configuration (read only when one is still unset); LINUX_* ones from
    // the kernel itself. A weak extern nothing sets stays zero; any other is
    // an error, as with libbpf.
    std::vector<std::byte> kconfig_value(const map_definition& d, const load_options& options) const {
        std::vector<std::byte> value(d.value_size);
        std::optional<kernel_config> given, running;
        if (!options.kconfig_.empty()) given = kernel_config::parse(options.kconfig_, "load_options::set_kconfig");
        for (const auto& e : obj_->externs()) {
            if (e.kind != extern_symbol::kind::kconfig) continue;
            auto fail = [&](std::string_view why) {
                detail::raise(detail::cat(obj_->name(), ": .kconfig extern '", detail::printable(e.name), "': ", why),
                              EINVAL);
            };
            std::optional<std::string> text;  // the value as .config spells it
            std::string from;
            if (e.name.starts_with("CONFIG_")) {
                std::optional<std::string_view> v;
                if (given) {
                    v = given->value(e.name);
                    from = given->source();
                }
                if (!v) {
                    if (!running) running = kernel_config::running();
                    v = running->value(e.name);
                    from = running->source();
                }
                if (v) text = std::string(*v);
                else if (!e.weak)
                    fail(detail::cat("not set in ", from, " (declare it weak if it may be missing)"));
            } else if (e.name == "LINUX_KERNEL_VERSION") {
                const auto code = kconfig::running_version_code();
                if (code == 0) fail("the kernel's release from uname(2) does not start with a version");
                text = std::to_string(code);
                from = "uname(2)";
            } else if (e.name == "LINUX_HAS_BPF_COOKIE") {
                text = features::bpf_cookie() == features::answer::yes ? "y" : "n";
                from = "a probe of bpf_get_attach_cookie";
            } else if (e.name == "LINUX_HAS_SYSCALL_WRAPPER") {
                text = has_syscall_wrapper() ? "y" : "n";
                from = "the kernel's BTF";
            } else if (!e.weak) {
                fail("bpfxx knows no such value: .kconfig holds CONFIG_* options, LINUX_KERNEL_VERSION, "
                     "LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER");
            }
            if (!text) continue;
            const auto type = kconfig::classify(*obj_->btf(), e.btf_type);  // the object checked it
            if (!type || std::size_t{e.offset} + e.size > value.size()) fail("its type has no value layout");
            if (auto why = kconfig::encode(*text, *type, std::span(value).subspan(e.offset, e.size)); !why.empty())
                fail(detail::cat("value ", detail::printable(*text), " from ", from, ": ", why));
        }
        return value;
    }

    // Whether system calls enter through per-architecture wrappers taking a
    // pt_regs (__x64_sys_bpf; Linux 4.17 on x86_64, 5.0 on arm64), which
    // changes how a kprobe on one reads the arguments. libbpf probes with a
    // kprobe; the kernel's BTF answers without one.
    static bool has_syscall_wrapper() {
#if defined(__x86_64__)
        constexpr const char* name = "__x64_sys_bpf";
#elif defined(__aarch64__)
        constexpr const char* name = "__arm64_sys_bpf";
#else
        constexpr const char* name = "";
#endif
        try {
            return *name != 0 && detail::vmlinux_btf().find(name, btf::kind::func).has_value();
        } catch (const error&) {
            return false;
        }
    }

    std::vector<std::byte> initial_value(const map_definition& d, const load_options& options) const {
        std::vector<std::byte> value(d.value_size);
        if (!d.initial_data.empty()) std::memcpy(value.data(), d.initial_data.data(), d.initial_data.size());
        if (const auto* section = load_options::find(options.sections_, d.name)) {
            if (section->size() != value.size())
                detail::raise(detail::cat(obj_->name(), ": set_initial_data('", d.name, "'): ", section->size(),
                                          " bytes for a section of ", value.size()));
            value = *section;
        }
        for (const auto& [name, bytes] : options.globals_) {
            const auto* g = obj_->find_global(name);
            if (g == nullptr)
                detail::raise(detail::cat(obj_->name(), ": set_global('", name, "'): no such global variable"));
            if (&obj_->maps()[g->map_index] != &d) continue;
            if (d.global == global_section::bss)
                detail::raise(detail::cat(obj_->name(), ": set_global('", name,
                                          "'): the variable is in .bss; give it an initialiser to set it before load"));
            if (bytes.size() != g->size)
                detail::raise(detail::cat(obj_->name(), ": set_global('", name, "'): value has ", bytes.size(),
                                          " bytes, the variable has ", g->size));
            std::memcpy(value.data() + g->offset, bytes.data(), bytes.size());
        }
        return value;
    }

    // Map types whose creation refuses BTF key/value types (the kernel has
    // no map_check_btf for them); the same list libbpf keeps.
    static bool map_takes_btf(map_type t) noexcept {
        switch (t) {
        case map_type::perf_event_array:
        case map_type::cgroup_array:
        case map_type::stack_trace:
        case map_type::array_of_maps:
        case map_type::hash_of_maps:
        case map_type::devmap:
        case map_type::devmap_hash:
        case map_type::cpumap:
        case map_type::xskmap:
        case map_type::sockmap:
        case map_type::sockhash:
        case map_type::queue:
        case map_type::stack:
        case map_type::arena:
        case map_type::ringbuf:
        case map_type::user_ringbuf:
            return false;
        default:
            return true;
        }
    }

    // The map, or the errno of BPF_MAP_CREATE.
    sys::fd try_create_map(const map_definition& d, std::string_view name, std::uint32_t max_entries, int inner_fd,
                           int& err) const {
        sys::attr::map_create a;
        a.map_type = static_cast<std::uint32_t>(d.type);
        a.key_size = d.key_size;
        a.value_size = d.value_size;
        a.max_entries = max_entries;
        a.map_flags = d.flags;
        a.numa_node = d.numa_node;
        a.map_extra = d.map_extra;
        a.inner_map_fd = inner_fd < 0 ? 0 : static_cast<std::uint32_t>(inner_fd);
        sys::copy_object_name(a.map_name, name);
        if (btf_ && (d.btf_key_type != 0 || d.btf_value_type != 0) && map_takes_btf(d.type)) {
            a.btf_fd = static_cast<std::uint32_t>(btf_.get());
            a.btf_key_type_id = d.btf_key_type;
            a.btf_value_type_id = d.btf_value_type;
        }
        auto fd = sys::bpf_fd(sys::bpf_cmd::map_create, a);
        err = fd ? 0 : errno;
        return fd;
    }

    sys::fd create_map(const map_definition& d, std::string_view name, std::uint32_t max_entries, int inner_fd) const {
        int e = 0;
        auto fd = try_create_map(d, name, max_entries, inner_fd, e);
        if (!fd) raise_create_map(d, max_entries, e);
        return fd;
    }

    [[noreturn]] void raise_create_map(const map_definition& d, std::uint32_t max_entries, int e) const {
        std::string hint;
        if (e == EPERM) hint = "; creating maps needs CAP_BPF (or root)";
        else if (e == ENOMEM) hint = "; the memory cgroup (or RLIMIT_MEMLOCK before Linux 5.11) is exhausted";
        else if (e == EINVAL) hint = "; the kernel refuses this combination of type, sizes and flags";
        detail::raise(detail::cat(obj_->name(), ": creating map '", d.name, "' (", to_string(d.type), ", key ",
                                  d.key_size, " B, value ", d.value_size, " B, max_entries ", max_entries, ", flags ",
                                  detail::hex(d.flags), ") failed: ", detail::errno_message(e), hint),
                      e);
    }

    // The map pinned at `path` when it fits `d` (no descriptor when nothing
    // is pinned there); throws when something else is, or it does not fit.
    sys::fd open_pinned_map(const map_definition& d, std::uint32_t max_entries, const std::string& path) const {
        sys::attr::obj_pin a;
        a.pathname = sys::ptr_to_u64(path.c_str());
        sys::fd fd = sys::bpf_fd(sys::bpf_cmd::obj_get, a);
        if (!fd) {
            const int e = errno;
            if (e == ENOENT) return fd;
            detail::raise(detail::cat(obj_->name(), ": map '", d.name, "': cannot open the pin '",
                                      detail::printable(path), "': ", detail::errno_text(e),
                                      e == EINVAL || e == EPERM ? "; the pin root must be a directory in a BPF "
                                                                  "filesystem (mount -t bpf bpf /sys/fs/bpf)"
                                                                : ""),
                          e);
        }
        sys::map_info info;
        sys::attr::obj_info q;
        q.bpf_fd = static_cast<std::uint32_t>(fd.get());
        q.info_len = sizeof info;
        q.info = sys::ptr_to_u64(&info);
        if (sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, q) < 0)
            detail::raise(detail::cat(obj_->name(), ": map '", d.name, "': what is pinned at '", detail::printable(path),
                                      "' is not a map"),
                          EINVAL);
        std::string diff;
        auto differs = [&](std::string_view what, std::uint64_t pinned, std::uint64_t wanted) {
            if (pinned != wanted)
                diff += detail::cat(diff.empty() ? "" : ", ", what, " ", pinned, " (the object's: ", wanted, ")");
        };
        if (info.type != static_cast<std::uint32_t>(d.type))
            diff += detail::cat("type ", to_string(static_cast<map_type>(info.type)), " (the object's: ",
                                to_string(d.type), ")");
        differs("key size", info.key_size, d.key_size);
        differs("value size", info.value_size, d.value_size);
        differs("max_entries", info.max_entries, max_entries);
        differs("flags", info.map_flags, d.flags);
        if (!diff.empty())
            detail::raise(detail::cat(obj_->name(), ": map '", d.name, "': the map pinned at '",
                                      detail::printable(path), "' does not fit the definition: ", diff,
                                      ". Remove the pin (rm ", detail::printable(path),
                                      ") or load an object whose map matches"),
                          EINVAL);
        return fd;
    }

    std::uint32_t effective_max_entries(const map_definition& d, const load_options& options) const {
        std::uint32_t n = d.max_entries;
        if (const auto* set = load_options::find(options.max_entries_, d.name)) n = *set;
        if (d.type == map_type::ringbuf || d.type == map_type::user_ringbuf) {
            // The kernel wants a power of two that is a multiple of the page
            // size; arm64 kernels run with 16K or 64K pages.
            const auto bytes = std::bit_ceil(std::max<std::uint64_t>(n, detail::page_size()));
            if (bytes > std::uint64_t{1} << 31)
                detail::raise(detail::cat(obj_->name(), ": ring buffer '", d.name, "' of ", n,
                                          " bytes: rounded up to a power of two it exceeds max_entries' limit of 2 GiB"),
                              E2BIG);
            n = static_cast<std::uint32_t>(bytes);
        } else if (d.type == map_type::perf_event_array && n == 0) {
            // One slot per CPU id (bpf_perf_event_output indexes by it).
            n = detail::possible_cpus().end;
        }
        return n;
    }

    void create_maps(const load_options& options) {
        std::string prefix(obj_->name().substr(0, obj_->name().find('.')));
        prefix = prefix.substr(0, 8);
        for (const auto& d : obj_->maps()) {
            loaded_map m;
            m.def_ = &d;
            int inner_fd = -1;
            if (const auto* c = load_options::find(options.map_changes_, d.name)) {
                auto changed = std::make_shared<map_definition>(d);
                if (c->key_size != 0 && c->key_size != changed->key_size) {
                    changed->key_size = c->key_size;
                    changed->btf_key_type = 0;
                }
                if (c->value_size != 0 && c->value_size != changed->value_size) {
                    changed->value_size = c->value_size;
                    changed->btf_value_type = 0;
                }
                if (c->type != map_type::unspec) changed->type = c->type;
                if (c->flags) changed->flags = *c->flags;
                inner_fd = c->inner_fd;
                m.changed_ = std::move(changed);
                m.def_ = m.changed_.get();
            }
            m.max_entries_ = effective_max_entries(*m.def_, options);
            if (std::find(options.not_created_.begin(), options.not_created_.end(), d.name) !=
                options.not_created_.end()) {
                maps_.push_back(std::move(m));
                continue;
            }
            const bool pinned = d.global == global_section::none &&
                                (d.pinning == map_pinning::by_name ||
                                 std::find(options.pinned_.begin(), options.pinned_.end(), d.name) !=
                                     options.pinned_.end());
            if (pinned) {
                m.pin_path_ = options.pin_root_ + "/" + d.name;
                m.fd_ = open_pinned_map(*m.def_, m.max_entries_, m.pin_path_);
                if (m.fd_) {
                    m.reused_ = true;
                    maps_.push_back(std::move(m));
                    continue;
                }
            }
            sys::fd inner;
            if (d.inner && inner_fd < 0) inner = create_map(*d.inner, d.inner->name, d.inner->max_entries, -1);
            if (is_global_data(d)) {
                map_definition global = d;
                // Global data is mmapable (Linux 5.5) so user space can read
                // .data/.bss without a syscall; older kernels refuse the flag.
                global.flags |= map_flags::mmapable;
                const std::string name = prefix + std::string(d.name);
                int err = 0;
                m.fd_ = try_create_map(global, name, m.max_entries_, -1, err);
                const bool mmapable = static_cast<bool>(m.fd_);
                if (!mmapable) {
                    if (err != EINVAL) raise_create_map(global, m.max_entries_, err);
                    m.fd_ = create_map(d, name, m.max_entries_, -1);
                }
                auto value = d.global == global_section::kconfig ? kconfig_value(d, options) : initial_value(d, options);
                std::uint32_t key = 0;
                sys::attr::map_elem e;
                e.map_fd = static_cast<std::uint32_t>(m.fd_.get());
                e.key = sys::ptr_to_u64(&key);
                e.value = sys::ptr_to_u64(value.data());
                if (sys::bpf(sys::bpf_cmd::map_update_elem, e) < 0)
                    detail::raise_errno(detail::cat(obj_->name(), ": initialising global data map '", d.name, "'"));
                if (d.global == global_section::rodata || d.global == global_section::kconfig) {
                    // Frozen: the verifier then treats .rodata (and the
                    // .kconfig values) as constants and prunes the code they
                    // disable (Linux 5.2).
                    sys::attr::fd_only f;
                    f.fd = static_cast<std::uint32_t>(m.fd_.get());
                    if (sys::bpf(sys::bpf_cmd::map_freeze, f) < 0)
                        detail::raise_errno(detail::cat(obj_->name(), ": freezing '", d.name, "'"));
                }
                if (mmapable) {
                    auto length = (d.value_size + detail::page_size() - 1) / detail::page_size() * detail::page_size();
                    int prot = d.global == global_section::rodata || d.global == global_section::kconfig
                                   ? PROT_READ
                                   : PROT_READ | PROT_WRITE;
                    m.view_ = sys::mapping::map(m.fd_.get(), length, prot, 0);
                    if (!m.view_)
                        detail::raise_errno(detail::cat(obj_->name(), ": mapping global data map '", d.name, "'"));
                }
            } else {
                m.fd_ = create_map(*m.def_, d.name, m.max_entries_, inner_fd >= 0 ? inner_fd : inner.get());
                if (pinned) detail::pin_fd(m.fd_.get(), m.pin_path_, detail::cat(obj_->name(), ": map '", d.name, "'"));
            }
            maps_.push_back(std::move(m));
        }
    }

    // The program as the kernel receives it: its own code, then each
    // subprogram it reaches (once), with calls, maps and globals patched.
    struct linked_program {
        std::vector<insn> insns;
        std::vector<btf::func_info_record> func_info;
        std::vector<btf::line_info_record> line_info;
        std::unordered_map<const program_definition*, std::size_t> placed;  // function -> first insn
        struct core_site {
            std::size_t insn;
            const program_definition* function;
            const btf::core_relo_record* record;
            std::string poisoned;  // why bpfxx poisoned it (empty: not poisoned, or the kernel relocates)
        };
        std::vector<core_site> core_sites;
    };

    // Picks the CO-RE target and finds the candidates of every relocated
    // type in one pass over its BTF. Objects without CO-RE never read the
    // kernel's BTF.
    void init_core(const load_options& options) {
        const auto* b = obj_->btf();
        if (b == nullptr) return;
        std::vector<std::pair<std::string_view, btf::kind>> wanted;
        for (const auto* list : {&obj_->programs(), &obj_->subprograms()})
            for (const auto& f : *list)
                for (const auto& r : f.core_relos)
                    if (r.kind != core::core_relo_kind::type_id_local) {
                        auto t = b->type(r.type_id);
                        if (t.name_off() != 0) wanted.emplace_back(t.name(), t.kind());
                    }
        if (wanted.empty()) return;
        using mode = load_options::core_mode;
        if (options.target_btf_.empty() && options.core_mode_ != mode::user_space &&
            (options.core_mode_ == mode::kernel ||
             features::kernel_core_relocation() == features::answer::yes)) {
            kernel_core_ = true;
            return;
        }
        if (!options.target_btf_.empty()) {
            own_target_ = std::make_unique<core::target>(core::target::from_file(options.target_btf_));
            target_ = own_target_.get();
        } else {
            target_ = &core::target::kernel();
        }
        target_->prefetch(wanted);
    }

    // Resolves and applies the CO-RE relocations of function `f`, placed at
    // `start` of `out` (or only records them when the kernel applies them).
    void relocate_core(linked_program& out, const program_definition& f, std::size_t start) {
        for (const auto& r : f.core_relos) {
            auto at = start + r.insn_off;
            out.core_sites.push_back({at, &f, &r, {}});
            if (kernel_core_) continue;
            try {
                auto it = core_done_.find(&r);
                if (it == core_done_.end()) {
                    if (target_ == nullptr) detail::raise("no CO-RE target was prepared for it");
                    it = core_done_.emplace(&r, core::resolve(*obj_->btf(), r, *target_, &core_matches_)).first;
                }
                const auto& res = it->second;
                core::patch(out.insns, at, res);
                if (out.insns[at].code == (op::jmp | op::call) && out.insns[at].imm == core::poison_helper_id)
                    out.core_sites.back().poisoned = poison_reason(res);
            } catch (const error& e) {
                detail::raise(detail::cat(obj_->name(), ": function '", f.name, "': ", core_site_text(out, out.core_sites.back()),
                                          ": ", e.what()),
                              e.code());
            }
        }
    }

    static std::string poison_reason(const core::resolution& res) {
        if (res.poison) return res.reason;
        return detail::cat("the target's field is ", res.new_size, " bytes where the program reads ", res.orig_size,
                           ", and not an unsigned integer or pointer that a narrower or wider load could read");
    }

    // "CO-RE relocation byte_off of task_struct::pid (access 0:1) at f.cpp:12: <line>"
    std::string core_site_text(const linked_program& lp, const linked_program::core_site& site) const {
        auto source = source_of(lp, static_cast<std::uint32_t>(site.insn));
        return detail::cat("CO-RE relocation ", core::describe(*obj_->btf(), *site.record),
                           source.empty() ? "" : " at ", source);
    }

    // Appends function `f`'s code and records to `out` and returns where it
    // starts.
    std::size_t append(linked_program& out, const program_definition& f) {
        const auto start = out.insns.size();
        // The kernel verifies at most 1M instructions (BPF_COMPLEXITY_LIMIT_INSNS,
        // Linux 5.2); jump offsets are 32-bit.
        if (f.insns().size() > max_program_insns - start)
            detail::raise(detail::cat(obj_->name(), ": function '", f.name, "' makes the program longer than ",
                                      max_program_insns, " instructions, more than any kernel verifies"),
                          E2BIG);
        out.placed.emplace(&f, start);
        detail::reserve_more(out.insns, f.insns().size());
        out.insns.insert(out.insns.end(), f.insns().begin(), f.insns().end());
        auto base = static_cast<std::uint32_t>(start);
        detail::reserve_more(out.func_info, f.func_info.size());
        for (auto r : f.func_info) out.func_info.push_back({r.insn_off + base, r.type_id});
        detail::reserve_more(out.line_info, f.line_info.size());
        for (auto r : f.line_info) {
            r.insn_off += base;
            out.line_info.push_back(r);
        }
        relocate_core(out, f, start);
        return start;
    }

    // Places program `entry` and every function it reaches (each once) in
    // `out`, patching calls, maps and globals. Depth first in relocation
    // order, as a recursion would, but on an explicit stack: a chain of
    // calls as long as the object allows cannot overflow this thread's.
    void place(linked_program& out, const program_definition& entry) {
        struct frame {
            const program_definition* f;
            std::size_t start;
            std::size_t next = 0;  // the relocation to apply next
        };
        std::vector<frame> stack;
        stack.push_back({&entry, append(out, entry)});
        while (!stack.empty()) {
            auto& top = stack.back();
            const auto& f = *top.f;
            if (top.next == f.relocations.size()) {
                stack.pop_back();
                continue;
            }
            const auto& r = f.relocations[top.next++];
            const auto at = top.start + r.insn;
            switch (r.kind) {
            case program_relocation::kind::map:
                if (maps_[r.map_index].fd() < 0)
                    detail::raise(detail::cat(obj_->name(), ": program '", entry.name, "' uses map '",
                                              maps_[r.map_index].name(),
                                              "', which load_options::set_autocreate left out: disable the program "
                                              "too, or create the map"),
                                  ENOENT);
                out.insns[at].src_reg = op::pseudo_map_fd;
                out.insns[at].imm = maps_[r.map_index].fd();
                break;
            case program_relocation::kind::global_data:
                out.insns[at].src_reg = op::pseudo_map_value;
                out.insns[at].imm = maps_[r.map_index].fd();
                out.insns[at + 1].imm = static_cast<std::int32_t>(r.offset);
                break;
            case program_relocation::kind::subprogram_call:
            case program_relocation::kind::subprogram_address: {
                const auto* callee = obj_->function_at(r.target_section, r.target_offset);
                std::size_t callee_start = 0;
                bool placed_now = false;
                if (auto it = out.placed.find(callee); it != out.placed.end()) {
                    callee_start = it->second;
                } else {
                    callee_start = append(out, *callee);  // may grow out.insns; `top` stays valid
                    placed_now = true;
                }
                out.insns[at].imm = static_cast<std::int32_t>(callee_start) - static_cast<std::int32_t>(at) - 1;
                if (r.kind == program_relocation::kind::subprogram_address) out.insns[at].src_reg = op::pseudo_func;
                if (placed_now) stack.push_back({callee, callee_start});  // invalidates `top`
                break;
            }
            case program_relocation::kind::extern_variable:
                if (const auto& e = obj_->externs()[r.extern_index]; e.kind == extern_symbol::kind::kconfig) {
                    // Like a global: the .kconfig map's value at the
                    // extern's offset.
                    out.insns[at].src_reg = op::pseudo_map_value;
                    out.insns[at].imm = maps_[kconfig_map_index()].fd();
                    out.insns[at + 1].imm = static_cast<std::int32_t>(e.offset);
                    break;
                } else if (e.kind == extern_symbol::kind::ksym) {
                    resolve_ksyms();
                    const auto& k = ksyms_[r.extern_index];
                    if (k.btf_id != 0) {  // the kernel's variable, by BTF id (vmlinux: BTF fd 0)
                        out.insns[at].src_reg = op::pseudo_btf_id;
                        out.insns[at].imm = static_cast<std::int32_t>(k.btf_id);
                        out.insns[at + 1].imm = 0;
                    } else {  // its address as a constant (0 for a missing weak one)
                        out.insns[at].src_reg = 0;
                        out.insns[at].imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(k.address));
                        out.insns[at + 1].imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(k.address >> 32));
                    }
                    break;
                }
                [[fallthrough]];
            case program_relocation::kind::extern_call:
                detail::raise(detail::cat(obj_->name(), ": program '", f.name, "' uses the extern '",
                                          obj_->externs()[r.extern_index].name,
                                          "'; kfunc calls are not supported by this version of bpfxx"));
            }
        }
    }

    // The attach_btf_id of tracing programs: the kernel function, tracepoint
    // or LSM hook named by the section, found in the kernel's BTF.
    static std::uint32_t attach_btf_id(const program_definition& p, std::string_view target) {
        const auto& vm = detail::vmlinux_btf();
        std::string name;
        btf::kind k = btf::kind::func;
        if (p.definition->prefix.starts_with("tp_btf")) {
            name = detail::cat("btf_trace_", target);
            k = btf::kind::typedef_;
        } else if (p.type == program_type::lsm) {
            name = detail::cat("bpf_lsm_", target);
        } else if (p.definition->prefix.starts_with("iter")) {
            name = detail::cat("bpf_iter_", target);
        } else {
            name = std::string(target);
        }
        auto id = vm.find(name, k);
        if (!id)
            detail::raise(detail::cat("program '", p.name, "': the kernel's BTF has no ", btf::to_string(k), " '", name,
                                      "' to attach to (section '", p.section, "')"));
        return *id;
    }

    void load_programs(const load_options& options) {
        for (const auto& p : obj_->programs()) {
            if (!options.only_.empty() &&
                std::find(options.only_.begin(), options.only_.end(), p.name) == options.only_.end())
                continue;
            if (std::find(options.disabled_.begin(), options.disabled_.end(), p.name) != options.disabled_.end())
                continue;
            std::string target(p.attach_target);
            if (const auto* set = load_options::find(options.targets_, p.name)) target = *set;
            linked_program lp;
            place(lp, p);
            sys::attr::prog_load a;
            a.prog_type = static_cast<std::uint32_t>(p.type);
            a.expected_attach_type = p.definition->load_expected_attach();
            if (const auto* set = load_options::find(options.expected_attach_, p.name))
                a.expected_attach_type = static_cast<std::uint32_t>(*set);
            a.insns = sys::ptr_to_u64(lp.insns.data());
            a.insn_cnt = static_cast<std::uint32_t>(lp.insns.size());
            std::string license(obj_->license());
            a.license = sys::ptr_to_u64(license.c_str());
            a.kern_version = obj_->kernel_version().value_or(0);
            sys::copy_object_name(a.prog_name, p.name);
            if (p.sleepable) a.prog_flags |= sys::attr::prog_flag_sleepable;
            if (p.definition->has(section_flag::xdp_frags)) a.prog_flags |= sys::attr::prog_flag_xdp_has_frags;
            if (p.definition->has(section_flag::attach_btf) && !target.empty())
                a.attach_btf_id = attach_btf_id(p, target);
            // Record arrays in the kernel's layouts; they live until the load.
            std::vector<std::uint32_t> fi, li, cr;
            if (btf_ && !lp.func_info.empty()) {
                a.prog_btf_fd = static_cast<std::uint32_t>(btf_.get());
                fi.reserve(2 * lp.func_info.size());
                for (const auto& r : lp.func_info) {
                    fi.push_back(r.insn_off);
                    fi.push_back(r.type_id);
                }
                a.func_info_rec_size = sizeof(std::uint32_t) * 2;
                a.func_info_cnt = static_cast<std::uint32_t>(lp.func_info.size());
                a.func_info = sys::ptr_to_u64(fi.data());
                li.resize(4 * lp.line_info.size());
                for (std::size_t i = 0; i < lp.line_info.size(); ++i) {
                    const auto& r = lp.line_info[i];
                    li[4 * i] = r.insn_off;
                    li[4 * i + 1] = r.file_name_off;
                    li[4 * i + 2] = r.line_off;
                    li[4 * i + 3] = (r.line << 10) | (r.column & 0x3ff);
                }
                if (!lp.line_info.empty()) {
                    a.line_info_rec_size = sizeof(std::uint32_t) * 4;
                    a.line_info_cnt = static_cast<std::uint32_t>(lp.line_info.size());
                    a.line_info = sys::ptr_to_u64(li.data());
                }
                if (kernel_core_ && !lp.core_sites.empty()) {
                    cr.reserve(4 * lp.core_sites.size());
                    for (const auto& c : lp.core_sites)
                        cr.insert(cr.end(), {static_cast<std::uint32_t>(c.insn * sizeof(insn)), c.record->type_id,
                                             c.record->access_str_off, static_cast<std::uint32_t>(c.record->kind)});
                    a.core_relo_rec_size = sizeof(std::uint32_t) * 4;
                    a.core_relo_cnt = static_cast<std::uint32_t>(lp.core_sites.size());
                    a.core_relos = sys::ptr_to_u64(cr.data());
                }
            }
            programs_.push_back(load_program(p, lp, a, options));
            programs_.back().target_ = std::move(target);
        }
    }

    loaded_program load_program(const program_definition& p, const linked_program& lp, const sys::attr::prog_load& a,
                                const load_options& options) const {
        std::string log;
        int err = 0;
        auto fd = detail::load_with_log(
            sys::bpf_cmd::prog_load, a,
            [&] {
                const auto* level = load_options::find(options.program_log_levels_, p.name);
                return level != nullptr ? *level : options.log_level_;
            }(),
            [](sys::attr::prog_load& x, std::uint32_t level, char* buf, std::uint32_t size) {
                x.log_level = level;
                x.log_buf = sys::ptr_to_u64(buf);
                x.log_size = size;
            },
            [](const sys::attr::prog_load& x) { return x.log_true_size; }, log, err);
        if (!fd) raise_load_error(p, lp, log, err);
        loaded_program out;
        out.prog_ = &p;
        out.insn_count_ = lp.insns.size();
        out.fd_ = std::move(fd);
        return out;
    }

    // "program 'x' (tracepoint, section ...) was rejected by the verifier:
    // <its last message> at file.cpp:42: <source line>", with the whole log
    // in error::details().
    [[noreturn]] void raise_load_error(const program_definition& p, const linked_program& lp, const std::string& log,
                                       int err) const {
        auto where = detail::cat("program '", p.name, "' (", to_string(p.type), ", section '", p.section, "')");
        if (log.empty()) {
            std::string hint;
            if (err == EPERM || err == EACCES) {
                if (!detail::holds_every_bpf_capability())
                    hint = "; loading programs needs CAP_BPF (and CAP_PERFMON for tracing) or root";
                else
                    hint = detail::cat("; this process holds CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN, so no capability "
                                       "is missing: a security policy refuses ", to_string(p.type),
                                       " programs here (kernel lockdown, an LSM, or a sandbox's filter",
                                       p.type == program_type::tracing || p.type == program_type::lsm ||
                                               p.type == program_type::ext
                                           ? "; programs on BPF trampolines, such as fentry, fexit and LSM, are "
                                             "the ones sandboxes refuse most"
                                           : "",
                                       ")");
            }
            detail::raise(detail::cat(obj_->name(), ": loading ", where, " failed: ", detail::errno_message(err), hint), err);
        }
        // The failing instruction is the last "N: (op) ..." line of the log.
        std::string source;
        std::uint32_t failed = 0;
        std::size_t pos = 0;
        while (pos < log.size()) {
            auto nl = log.find('\n', pos);
            std::string_view line(log.data() + pos, (nl == std::string::npos ? log.size() : nl) - pos);
            std::uint32_t idx = 0;
            auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), idx);
            if (ec == std::errc() && ptr + 3 < line.data() + line.size() && ptr[0] == ':' && ptr[1] == ' ' && ptr[2] == '(') {
                source = source_of(lp, idx);
                failed = idx;
            }
            if (nl == std::string::npos) break;
            pos = nl + 1;
        }
        // A poisoned CO-RE relocation that the program reaches: name it (when
        // the kernel relocated, resolve it here to say why).
        if (log.find(detail::cat("unknown#", core::poison_helper_id)) != std::string::npos)
            for (const auto& site : lp.core_sites) {
                if (site.insn != failed) continue;
                std::string why = site.poisoned;
                if (why.empty()) {
                    try {
                        why = poison_reason(core::resolve(*obj_->btf(), *site.record, core::target::kernel()));
                    } catch (const error& e) {
                        why = e.what();
                    }
                }
                detail::raise(detail::cat(obj_->name(), ": ", where, " reaches a CO-RE relocation the target kernel "
                                          "cannot satisfy, in function '", site.function->name, "': ",
                                          core_site_text(lp, site), ": ", why, " (the instruction was poisoned; guard "
                                          "the access with BPFXX_CORE_FIELD_EXISTS or a ___flavor type)"),
                              err, log);
            }
        auto message = detail::last_line(log);
        // The final line is often a summary ("processed N insns"): prefer the
        // verifier's own complaint just before it.
        if (message.starts_with("processed ") || message.starts_with("verification time")) {
            auto cut = log.rfind(message);
            auto before = std::string_view(log).substr(0, cut);
            while (!before.empty() && before.back() == '\n') before.remove_suffix(1);
            auto nl = before.rfind('\n');
            message = std::string(before.substr(nl == std::string_view::npos ? 0 : nl + 1));
        }
        detail::raise(detail::cat(obj_->name(), ": ", where, " was rejected by the verifier: ", message,
                                  source.empty() ? "" : " at ", source, " (", detail::errno_message(err), ")"),
                      err, log);
    }

    std::string source_of(const linked_program& lp, std::uint32_t idx) const {
        const btf::line_info_record* best = nullptr;
        for (const auto& l : lp.line_info)
            if (l.insn_off <= idx && l.line != 0 && (best == nullptr || l.insn_off >= best->insn_off)) best = &l;
        if (best == nullptr || obj_->btf() == nullptr) return {};
        std::string file(obj_->btf()->string_at(best->file_name_off));
        auto slash = file.find_last_of('/');
        if (slash != std::string::npos) file = file.substr(slash + 1);
        std::string text(obj_->btf()->string_at(best->line_off));
        auto first = text.find_first_not_of(" \t");
        text = first == std::string::npos ? "" : text.substr(first);
        return detail::cat(file, ":", best->line, text.empty() ? "" : ": ", text);
    }
};

}  // namespace detail

BPFXX_DECL loaded_object loaded_object::load(const object& obj, const load_options& options) {
    loaded_object lo;
    lo.obj_ = &obj;
    detail::object_loader(lo).run(options);
    return lo;
}

BPFXX_DECL loaded_object loaded_object::load(object&& obj, const load_options& options) {
    loaded_object lo;
    lo.owned_ = std::make_unique<const object>(std::move(obj));
    lo.obj_ = lo.owned_.get();
    detail::object_loader(lo).run(options);
    return lo;
}

BPFXX_DECL void loaded_map::pin(const std::string& path) const {
    detail::pin_fd(fd(), path, detail::cat("map '", name(), "'"));
}
BPFXX_DECL void loaded_program::pin(const std::string& path) const {
    detail::pin_fd(fd(), path, detail::cat("program '", name(), "'"));
}

BPFXX_DECL loaded_object::loaded_object(loaded_object&&) noexcept = default;
BPFXX_DECL loaded_object& loaded_object::operator=(loaded_object&&) noexcept = default;
BPFXX_DECL loaded_object::~loaded_object() = default;

BPFXX_DECL const loaded_map* loaded_object::find_map(std::string_view name) const noexcept {
    for (const auto& m : maps_)
        if (m.name() == name) return &m;
    return nullptr;
}

BPFXX_DECL const loaded_program* loaded_object::find_program(std::string_view name) const noexcept {
    for (const auto& p : programs_)
        if (p.name() == name) return &p;
    return nullptr;
}

BPFXX_DECL const loaded_map& loaded_object::map(std::string_view name) const {
    if (const auto* m = find_map(name)) return *m;
    detail::raise(detail::cat(obj_->name(), " has no map named '", name, "'"));
}

BPFXX_DECL const loaded_program& loaded_object::program(std::string_view name) const {
    if (const auto* p = find_program(name)) return *p;
    detail::raise(detail::cat(obj_->name(), " has no loaded program named '", name, "'"));
}

BPFXX_END_NAMESPACE
