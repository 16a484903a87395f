// SPDX-License-Identifier: MIT OR Apache-2.0
// The object parser behind bpfxx/object.hpp: ELF sections, symbols and
// relocations, BTF-defined and legacy maps, global data, externs and the
// .BTF.ext records, split among the object's functions. Every lookup that
// runs per relocation, record or variable goes through an index built once,
// so parse time grows with the object's size, not with its square.
#pragma once

#include <bpfxx/object.hpp>

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/ext.hpp>
#include <bpfxx/detail/bytes.hpp>
#include <bpfxx/detail/file.hpp>
#include <bpfxx/elf/elf.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/kconfig.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <tuple>
#include <utility>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// "file.cpp:12: <text>" of the line_info record covering byte `offset` of
// executable section `section`; empty without BTF.ext or a record.
inline std::string source_line(const btf::btf* b, const btf::ext* ext, std::string_view section,
                               std::uint64_t offset) {
    if (b == nullptr || ext == nullptr) return {};
    const btf::line_info_record* best = nullptr;
    for (const auto& g : ext->line_info()) {
        if (g.name != section) continue;
        for (const auto& r : g.records)
            if (r.insn_off <= offset && r.line != 0 && (best == nullptr || r.insn_off >= best->insn_off)) best = &r;
    }
    if (best == nullptr) return {};
    try {
        std::string_view file = b->string_at(best->file_name_off);
        if (auto slash = file.find_last_of('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
        std::string_view text = b->string_at(best->line_off);
        while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
        return cat(file, ":", best->line, text.empty() ? "" : ": ", text);
    } catch (const error&) {
        return {};
    }
}

// The constructs of find_unrunnable(), with source lines when `b` and
// `ext` are given.
inline std::vector<unrunnable> unrunnable_in(const elf::file& elf, const btf::btf* b, const btf::ext* ext) {
    using k = enum unrunnable::kind;
    std::vector<unrunnable> out;
    auto where = [](const elf::section& s) { return cat("section [", s.index, "] '", s.name, "'"); };
    for (const auto& s : elf.sections()) {
        auto is = [&](std::string_view base) { return s.name == base || s.name.starts_with(cat(base, ".")); };
        if (is(".init_array") || s.name == ".ctors")
            out.push_back({k::global_constructor, cat(where(s), " holds a global constructor"), {}, {}});
        else if (is(".fini_array") || s.name == ".dtors")
            out.push_back({k::global_destructor, cat(where(s), " holds a global destructor"), {}, {}});
        else if (s.name == ".eh_frame" || s.name == ".gcc_except_table")
            out.push_back({k::unwind_tables, cat(where(s), " holds unwind tables or exception tables"), {}, {}});
    }
    // A use of an undefined symbol: its first relocation in code.
    auto first_use = [&](std::uint32_t symbol) -> std::string {
        for (const auto& rel : elf.sections()) {
            if (rel.type != elf::sht_rel && rel.type != elf::sht_rela) continue;
            if (rel.info >= elf.sections().size()) continue;
            const auto& target = elf.section_at(rel.info);
            if ((target.flags & elf::shf_execinstr) == 0) continue;
            try {
                for (const auto& r : elf.relocations(rel))
                    if (r.symbol == symbol) return source_line(b, ext, target.name, r.offset);
            } catch (const error&) {
            }
        }
        return {};
    };
    for (const auto& y : elf.symbols()) {
        const std::string_view n = y.name;
        auto add = [&](enum unrunnable::kind kind, std::string_view what) {
            out.push_back({kind, cat("'", n, "' ", what), std::string(n), y.section == elf::shn_undef ? first_use(y.index) : std::string()});
        };
        if (y.section != elf::shn_undef) {
            if (n.starts_with("_ZTV")) add(k::virtual_function, "is a virtual function table");
            else if (n.starts_with("_ZTI") || n.starts_with("_ZTS")) add(k::rtti, "is run-time type information");
            continue;
        }
        if (n.starts_with("_Znw") || n.starts_with("_Zna")) add(k::heap, "allocates from a heap");
        else if (n.starts_with("_Zdl") || n.starts_with("_Zda")) add(k::heap, "frees to a heap");
        else if (n == "__cxa_pure_virtual" || n == "__cxa_deleted_virtual") add(k::virtual_function, "is a virtual function's placeholder");
        else if (n.starts_with("__cxa_atexit") || n.starts_with("__cxa_thread_atexit")) add(k::global_destructor, "registers a static object's destructor");
        else if (n.starts_with("__cxa_guard")) add(k::guarded_static, "guards a thread-safe static local");
        else if (n.starts_with("__cxa_") || n.starts_with("__gxx_") || n.starts_with("_Unwind_"))
            add(k::runtime_call, "calls into the C++ runtime (exceptions or RTTI)");
        else if (n.starts_with("_Z")) add(k::undefined_function, "is a C++ function declared but never defined");
        // Other undefined names are kfuncs, ksyms and .kconfig externs.
    }
    // Indirect calls (callx, 0x8d): what a virtual call compiles to.
    constexpr std::uint8_t callx = op::jmp | op::call | op::x;
    for (const auto& s : elf.sections()) {
        if ((s.flags & elf::shf_execinstr) == 0 || s.type == elf::sht_nobits) continue;
        for (std::uint64_t off = 0; off + sizeof(insn) <= s.data.size(); off += sizeof(insn))
            if (static_cast<std::uint8_t>(s.data[off]) == callx) {
                out.push_back({k::virtual_function, cat("an indirect call (a virtual function call) in ", where(s)),
                               {}, source_line(b, ext, s.name, off)});
                break;  // one per section says enough
            }
    }
    return out;
}

class object_reader {
public:
    explicit object_reader(object& o) noexcept : o_(o) {}

    void read() {
        init(o_.bytes_);
    }

private:
    object& o_;
    // The object's parts under the names the parser has always used.
    std::string& name_ = o_.name_;
    std::unique_ptr<elf::file>& elf_ = o_.elf_;
    std::unique_ptr<btf::btf>& btf_ = o_.btf_;
    std::unique_ptr<btf::ext>& ext_ = o_.ext_;
    std::vector<program_definition>& programs_ = o_.programs_;
    std::vector<program_definition>& subprograms_ = o_.subprograms_;
    std::vector<map_definition>& maps_ = o_.maps_;
    std::vector<global_variable>& globals_ = o_.globals_;
    std::vector<extern_symbol>& externs_ = o_.externs_;
    std::string_view& license_ = o_.license_;
    std::optional<std::uint32_t>& kernel_version_ = o_.kernel_version_;
    // Indexes built once, so that lookups per relocation, record or
    // variable cost log n rather than a scan.
    std::vector<std::pair<std::string_view, std::uint32_t>> datasecs_;  // (name, id), by name then id
    std::vector<const elf::symbol*> named_symbols_;  // by (section, name, index)
    std::vector<std::uint32_t> global_map_of_section_;  // section index -> global data map, or none
    std::vector<std::pair<std::string_view, std::uint32_t>> extern_by_name_;  // (name, index), by name
    std::vector<std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>> maps_by_place_;  // (section, offset, map)
    bool maps_by_place_built_ = false;
    static constexpr std::uint32_t none = ~0u;

    static constexpr std::uint8_t ld_imm64 = op::ld | op::imm | op::dw;
    static constexpr std::uint8_t call = op::jmp | op::call;

    std::string where(const elf::section& s) const {
        return detail::cat(name_, ": section [", s.index, "] '", s.name, "'");
    }

    void init(detail::bytes data) {
        elf_ = std::make_unique<elf::file>(data);
        read_btf();  // first: the refusal below names source lines
        refuse_cxx_runtime();
        index_symbols();
        read_license();
        read_functions();
        read_btf_maps();
        read_record_types();
        read_legacy_maps();
        read_global_data();
        read_externs();
        read_relocations();
        assign_ext_records();
    }

    // Constructs that compile but cannot run in the kernel (docs/kernel.md):
    // refused here as well as at build time, for objects built elsewhere.
    void refuse_cxx_runtime() const {
        const auto found = unrunnable_in(*elf_, btf_.get(), ext_.get());
        if (found.empty()) return;
        std::string what = detail::cat(name_, ": cannot run in the kernel: ");
        std::string remedies;
        for (std::size_t i = 0; i < found.size(); ++i) {
            const auto& f = found[i];
            what += detail::cat(i == 0 ? "" : "; ", f.finding, f.source.empty() ? "" : " at ", f.source);
            const std::string_view r = remedy(f.kind);
            if (remedies.find(r) == std::string::npos) remedies += detail::cat(remedies.empty() ? "" : "; ", r);
        }
        detail::raise(detail::cat(what, ". What to do: ", remedies));
    }

    void read_btf() {
        const auto* s = elf_->find_section(".BTF");
        if (s == nullptr) return;
        btf_ = std::make_unique<btf::btf>(s->data);
        btf_->for_each_header([&](std::uint32_t id, std::uint32_t name_off, std::uint32_t info) {
            if (btf::info_kind(info) == btf::kind::datasec) datasecs_.emplace_back(btf_->string_at(name_off), id);
        });
        std::sort(datasecs_.begin(), datasecs_.end());  // by name, then id
        if (const auto* e = elf_->find_section(".BTF.ext"))
            ext_ = std::make_unique<btf::ext>(e->data, btf_->strings());
    }

    // btf_->find(name, DATASEC) over the DATASECs indexed in read_btf():
    // the same first match (lowest id), without a scan per lookup.
    std::optional<std::uint32_t> find_datasec(std::string_view name) const {
        auto it = std::lower_bound(datasecs_.begin(), datasecs_.end(), name,
                                   [](const auto& d, std::string_view n) { return d.first < n; });
        if (it == datasecs_.end() || it->first != name) return std::nullopt;
        return it->second;
    }

    void index_symbols() {
        for (const auto& sym : elf_->symbols())
            if (!sym.name.empty()) named_symbols_.push_back(&sym);
        auto key = [](const elf::symbol* y) { return std::tuple(y->section, y->name, y->index); };
        std::sort(named_symbols_.begin(), named_symbols_.end(),
                  [&](const auto* a, const auto* b) { return key(a) < key(b); });
    }

    void read_license() {
        if (const auto* s = elf_->find_section("license")) {
            auto text = std::string_view(reinterpret_cast<const char*>(s->data.data()), s->data.size());
            auto nul = text.find('\0');
            if (nul == std::string_view::npos)
                detail::raise(detail::cat(where(*s), ": the license string is not NUL-terminated"));
            license_ = text.substr(0, nul);
        }
        if (const auto* s = elf_->find_section("version"))
            kernel_version_ = detail::load<std::uint32_t>(s->data, 0, where(*s));
    }

    static bool is_subprogram_section(const elf::section& s) {
        // .text holds static/global subprograms; .text.<mangled> are the
        // COMDAT sections of non-inlined C++ inline and template functions.
        return s.name == ".text" || s.name.starts_with(".text.");
    }

    void read_functions() {
        std::vector<const elf::symbol*> funcs;
        for (const auto& sym : elf_->symbols())
            if (sym.type == elf::stt_func && sym.section != elf::shn_undef) funcs.push_back(&sym);
        std::sort(funcs.begin(), funcs.end(), [](const auto* a, const auto* b) {
            return a->section != b->section ? a->section < b->section : a->value < b->value;
        });
        for (const auto* sym : funcs) {
            if (sym->section >= elf::shn_loreserve)
                detail::raise(detail::cat(name_, ": function '", sym->name, "' has special section index ",
                                          detail::hex(sym->section)));
            const auto& sec = elf_->section_at(sym->section);
            if ((sec.flags & elf::shf_execinstr) == 0)
                detail::raise(detail::cat(where(sec), ": function '", sym->name,
                                          "' lies in a section that is not executable"));
            if (sym->value % sizeof(insn) != 0 || sym->size % sizeof(insn) != 0 || sym->size == 0)
                detail::raise(detail::cat(where(sec), ": function '", sym->name, "' at offset ",
                                          detail::hex(sym->value), " size ", sym->size,
                                          " is not a whole number of 8-byte instructions"));
            if (!detail::in_bounds(sym->value, sym->size, sec.data.size()))
                detail::raise(detail::cat(where(sec), ": function '", sym->name, "' at ", detail::hex(sym->value),
                                          " size ", sym->size, " runs past the section (", sec.data.size(), " bytes)"));
            auto code = sec.data.subspan(static_cast<std::size_t>(sym->value), static_cast<std::size_t>(sym->size));
            program_definition p;
            p.name = sym->name;
            p.section = sec.name;
            p.section_index = sec.index;
            p.offset = sym->value;
            p.insns_.resize(code.size() / sizeof(insn));
            std::memcpy(p.insns_.data(), code.data(), code.size());
            if (is_subprogram_section(sec)) {
                p.is_subprogram = true;
                subprograms_.push_back(std::move(p));
                continue;
            }
            if (sym->bind == elf::stb_local)
                detail::raise(detail::cat(where(sec), ": program '", sym->name,
                                          "' is static; programs need external linkage (extern \"C\" in C++)"));
            auto m = match_section(sec.name);
            if (!m)
                detail::raise(detail::cat(where(sec), ": program '", sym->name,
                                          "' is in a section whose name names no program type; use a "
                                          "libbpf SEC() name such as \"tracepoint/<category>/<name>\""));
            p.definition = m->def;
            p.type = m->def->type;
            p.expected_attach = m->def->expected_attach;
            p.attach_target = m->target;
            p.sleepable = m->sleepable;
            programs_.push_back(std::move(p));
        }
        check_no_overlap(programs_);
        check_no_overlap(subprograms_);
    }

    void check_no_overlap(const std::vector<program_definition>& list) const {
        for (std::size_t i = 1; i < list.size(); ++i) {
            const auto& a = list[i - 1];
            const auto& b = list[i];
            if (a.section_index == b.section_index &&
                a.offset + a.insn_count() * sizeof(insn) > b.offset)
                detail::raise(detail::cat(where(elf_->section_at(a.section_index)), ": functions '", a.name,
                                          "' and '", b.name, "' overlap at offset ", detail::hex(b.offset)));
        }
    }

    const btf::btf& require_btf(std::string_view what) const {
        if (!btf_) detail::raise(detail::cat(name_, ": ", what, " needs BTF, but the object has no .BTF section (compile with -g)"));
        return *btf_;
    }

    // A member `int (*name)[N]` (libbpf's __uint/__type encoding): N.
    static std::uint32_t uint_member(const btf::btf& b, const btf::member& m, std::string_view map) {
        auto ptr = b.type(b.resolve(m.type));
        if (ptr.kind() != btf::kind::ptr)
            detail::raise(detail::cat("map '", map, "': attribute '", m.name,
                                      "' is not encoded as a pointer to an array (libbpf __uint)"));
        auto arr = b.type(b.resolve(ptr.type()));
        if (arr.kind() != btf::kind::array)
            detail::raise(detail::cat("map '", map, "': attribute '", m.name,
                                      "' does not point to an array (libbpf __uint)"));
        return arr.array().nelems;
    }

    // A member `T *name` (libbpf's __type): T's id.
    static std::uint32_t type_member(const btf::btf& b, const btf::member& m, std::string_view map) {
        auto ptr = b.type(b.resolve(m.type));
        if (ptr.kind() != btf::kind::ptr)
            detail::raise(detail::cat("map '", map, "': attribute '", m.name,
                                      "' is not a pointer to the type (libbpf __type)"));
        return ptr.type();
    }

    map_definition parse_map_struct(const btf::btf& b, std::uint32_t def_id, std::string_view map_name,
                                    bool is_inner) const {
        map_definition m;
        m.name = std::string(map_name);
        m.btf_definition = def_id;
        auto def = b.type(b.resolve(def_id));
        if (def.kind() != btf::kind::struct_)
            detail::raise(detail::cat(name_, ": map '", map_name, "' is not a struct in BTF (",
                                      btf::to_string(def.kind()), ")"));
        for (const auto& member : def.members()) {
            std::string_view f = member.name;
            if (member.type == 0) continue;  // a C++ method or static member without -gomit-unreferenced-methods
            if (f == "type") {
                m.type = static_cast<map_type>(uint_member(b, member, map_name));
            } else if (f == "max_entries") {
                m.max_entries = uint_member(b, member, map_name);
            } else if (f == "map_flags") {
                m.flags = uint_member(b, member, map_name);
            } else if (f == "numa_node") {
                m.numa_node = uint_member(b, member, map_name);
            } else if (f == "key_size" || f == "value_size") {
                auto v = uint_member(b, member, map_name);
                auto& slot = f == "key_size" ? m.key_size : m.value_size;
                if (slot != 0 && slot != v)
                    detail::raise(detail::cat(name_, ": map '", map_name, "': ", f, " ", v,
                                              " conflicts with the size of its type (", slot, ")"));
                slot = v;
            } else if (f == "key" || f == "value") {
                auto t = type_member(b, member, map_name);
                if (t == 0)
                    detail::raise(detail::cat(name_, ": map '", map_name, "': its ", f, " type has no BTF (type 0). "
                                              "clang emits none for a type declared with the `class` keyword: "
                                              "declare it with `struct`"));
                auto sz = static_cast<std::uint32_t>(b.size_of(t));
                auto& slot = f == "key" ? m.key_size : m.value_size;
                if (slot != 0 && slot != sz)
                    detail::raise(detail::cat(name_, ": map '", map_name, "': ", f, " type has size ", sz,
                                              " but ", f, "_size says ", slot));
                slot = sz;
                (f == "key" ? m.btf_key_type : m.btf_value_type) = t;
            } else if (f == "pinning") {
                auto v = uint_member(b, member, map_name);
                if (v > 1)
                    detail::raise(detail::cat(name_, ": map '", map_name, "': pinning ", v,
                                              " is not LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1)"));
                m.pinning = static_cast<map_pinning>(v);
            } else if (f == "map_extra") {
                m.map_extra = uint_member(b, member, map_name);
            } else if (f == "values" && !is_inner) {
                // `struct inner_def *values[]`: the inner map template of a
                // map-in-map or the slots of a prog array.
                auto arr = b.type(b.resolve(member.type));
                if (arr.kind() != btf::kind::array)
                    detail::raise(detail::cat(name_, ": map '", map_name, "': 'values' is not an array"));
                auto ptr = b.type(b.resolve(arr.array().elem_type));
                if (ptr.kind() != btf::kind::ptr)
                    detail::raise(detail::cat(name_, ": map '", map_name, "': 'values' is not an array of pointers"));
                if (m.type == map_type::array_of_maps || m.type == map_type::hash_of_maps) {
                    auto inner = parse_map_struct(b, ptr.type(), detail::cat(map_name, ".inner"), true);
                    m.inner = std::make_shared<const map_definition>(std::move(inner));
                    m.value_size = 4;  // an fd
                } else if (m.type == map_type::prog_array) {
                    m.value_size = 4;
                } else {
                    detail::raise(detail::cat(name_, ": map '", map_name,
                                              "': 'values' is only valid for map-in-map and prog arrays"));
                }
            } else {
                detail::raise(detail::cat(name_, ": map '", map_name, "' has unknown attribute '", f,
                                          "' (libbpf knows type, key, value, key_size, value_size, "
                                          "max_entries, map_flags, numa_node, pinning, map_extra, values)"));
            }
        }
        if (m.type == map_type::unspec)
            detail::raise(detail::cat(name_, ": map '", map_name, "' has no type"));
        return m;
    }

    void read_btf_maps() {
        const auto* sec = elf_->find_section(".maps");
        if (sec == nullptr) return;
        const auto& b = require_btf("the .maps section (BTF-defined maps)");
        auto ds = find_datasec(".maps");
        if (!ds) detail::raise(detail::cat(where(*sec), ": BTF has no DATASEC '.maps'"));
        for (const auto& vsi : b.type(*ds).secinfos()) {
            auto var = b.type(vsi.type);
            if (var.kind() != btf::kind::var)
                detail::raise(detail::cat(where(*sec), ": DATASEC entry [", vsi.type, "] is not a VAR"));
            const auto* sym = symbol_in(sec->index, var.name());
            if (sym == nullptr)
                detail::raise(detail::cat(where(*sec), ": map '", var.name(), "' has no ELF symbol"));
            if (sym->bind == elf::stb_local && sym->type != elf::stt_object)
                continue;
            auto m = parse_map_struct(b, var.type(), var.name(), false);
            m.section_index = sec->index;
            m.section_name = sec->name;
            m.offset = sym->value;
            maps_.push_back(std::move(m));
        }
    }

    // BPFXX_RECORD_TYPE(map, T) leaves a VAR `__bpfxx_record__<map>` of
    // type T* in the .bpfxx.records DATASEC.
    void read_record_types() {
        if (!btf_) return;
        auto ds = find_datasec(".bpfxx.records");
        if (!ds) return;
        static constexpr std::string_view prefix = "__bpfxx_record__";
        for (const auto& vsi : btf_->type(*ds).secinfos()) {
            auto var = btf_->type(vsi.type);
            if (var.kind() != btf::kind::var || !var.name().starts_with(prefix)) continue;
            auto map_name = var.name().substr(prefix.size());
            auto ptr = btf_->type(btf_->resolve(var.type()));
            if (ptr.kind() != btf::kind::ptr)
                detail::raise(detail::cat(name_, ": record type of map '", map_name, "' is not recorded as a pointer"));
            bool found = false;
            for (auto& m : maps_)
                if (m.name == map_name) {
                    m.btf_record_type = ptr.type();
                    found = true;
                }
            if (!found)
                detail::raise(detail::cat(name_, ": BPFXX_RECORD_TYPE names map '", map_name,
                                          "', which the object does not define"));
        }
    }

    // The symbols named `name` in `section`, in symbol table order.
    std::span<const elf::symbol* const> symbols_named(std::uint32_t section, std::string_view name) const {
        auto less = [](const elf::symbol* y, const std::pair<std::uint32_t, std::string_view>& k) {
            return std::pair<std::uint32_t, std::string_view>(y->section, y->name) < k;
        };
        auto greater = [](const std::pair<std::uint32_t, std::string_view>& k, const elf::symbol* y) {
            return k < std::pair<std::uint32_t, std::string_view>(y->section, y->name);
        };
        const auto key = std::pair(section, name);
        auto first = std::lower_bound(named_symbols_.begin(), named_symbols_.end(), key, less);
        auto last = std::upper_bound(first, named_symbols_.end(), key, greater);
        return {first, last};
    }

    // The first symbol of that name in that section.
    const elf::symbol* symbol_in(std::uint32_t section, std::string_view name) const {
        auto found = symbols_named(section, name);
        return found.empty() ? nullptr : found.front();
    }

    void read_legacy_maps() {
        const auto* sec = elf_->find_section("maps");
        if (sec == nullptr) return;
        std::vector<const elf::symbol*> syms;
        for (const auto& s : elf_->symbols())
            if (s.section == sec->index && s.type != elf::stt_section && !s.name.empty()) syms.push_back(&s);
        if (syms.empty()) return;
        // struct bpf_map_def { type, key_size, value_size, max_entries, map_flags } and
        // any later fields; every definition in the section has the same size.
        auto def_size = sec->size / syms.size();
        if (def_size < 20 || def_size * syms.size() != sec->size)
            detail::raise(detail::cat(where(*sec), ": ", syms.size(), " legacy map definitions do not divide ",
                                      sec->size, " bytes into records of at least 20 bytes"));
        for (const auto* s : syms) {
            auto w = detail::cat(where(*sec), ": legacy map '", s->name, "'");
            if (s->value % def_size != 0) detail::raise(detail::cat(w, " is not at a record boundary"));
            map_definition m;
            m.name = std::string(s->name);
            m.legacy = true;
            m.section_index = sec->index;
            m.section_name = sec->name;
            m.offset = s->value;
            m.type = static_cast<map_type>(detail::load<std::uint32_t>(sec->data, s->value, w));
            m.key_size = detail::load<std::uint32_t>(sec->data, s->value + 4, w);
            m.value_size = detail::load<std::uint32_t>(sec->data, s->value + 8, w);
            m.max_entries = detail::load<std::uint32_t>(sec->data, s->value + 12, w);
            m.flags = detail::load<std::uint32_t>(sec->data, s->value + 16, w);
            maps_.push_back(std::move(m));
        }
    }

    static global_section global_kind(std::string_view name) {
        auto is = [&](std::string_view base) {
            return name == base || (name.starts_with(base) && name[base.size()] == '.');
        };
        if (is(".rodata")) return global_section::rodata;
        if (is(".data")) return global_section::data;
        if (is(".bss")) return global_section::bss;
        return global_section::none;
    }

    // The global data map of an ELF section (the first, should there be two).
    std::optional<std::uint32_t> map_of_section(std::uint32_t section) {
        if (global_map_of_section_.empty()) {
            global_map_of_section_.assign(elf_->sections().size(), none);
            for (std::uint32_t i = 0; i < maps_.size(); ++i) {
                const auto& m = maps_[i];
                if (m.global != global_section::none && m.section_index < global_map_of_section_.size() &&
                    global_map_of_section_[m.section_index] == none)
                    global_map_of_section_[m.section_index] = i;
            }
        }
        if (section >= global_map_of_section_.size() || global_map_of_section_[section] == none) return std::nullopt;
        return global_map_of_section_[section];
    }

    void read_global_data() {
        for (const auto& sec : elf_->sections()) {
            auto kind = global_kind(sec.name);
            if (kind == global_section::none || sec.size == 0) continue;
            if ((sec.flags & elf::shf_alloc) == 0) continue;
            map_definition m;
            m.name = std::string(sec.name);
            m.type = map_type::array;
            m.key_size = 4;
            m.value_size = static_cast<std::uint32_t>(sec.size);
            if (m.value_size != sec.size)
                detail::raise(detail::cat(where(sec), ": ", sec.size, " bytes is too large for a map value"));
            m.max_entries = 1;
            m.global = kind;
            m.section_index = sec.index;
            m.section_name = sec.name;
            m.initial_data = sec.type == elf::sht_nobits ? detail::bytes{} : sec.data;
            if (kind == global_section::rodata) m.flags = map_flags::rdonly_prog;
            auto index = static_cast<std::uint32_t>(maps_.size());
            if (btf_) {
                if (auto ds = find_datasec(sec.name)) {
                    m.btf_value_type = *ds;
                    for (const auto& vsi : btf_->type(*ds).secinfos()) {
                        auto var = btf_->type(vsi.type);
                        if (var.kind() != btf::kind::var) continue;
                        global_variable g;
                        g.name = var.name();
                        g.map_index = index;
                        g.offset = vsi.offset;
                        g.size = vsi.size;
                        g.btf_type = var.type();
                        g.is_static = var.var_linkage() == btf::linkage::static_;
                        // clang leaves DATASEC offsets to the loader in some
                        // versions: the ELF symbol is the truth.
                        if (const auto* sym = symbol_in(sec.index, g.name)) {
                            g.offset = sym->value;
                            g.is_static = sym->bind == elf::stb_local;
                            if (g.size == 0) g.size = sym->size;
                        }
                        if (!detail::in_bounds(g.offset, g.size, sec.size))
                            detail::raise(detail::cat(where(sec), ": variable '", g.name, "' at ",
                                                      detail::hex(g.offset), " size ", g.size,
                                                      " lies outside the section"));
                        globals_.push_back(g);
                    }
                }
            }
            maps_.push_back(std::move(m));
        }
    }

    void read_externs() {
        if (!btf_) return;
        for (const char* secname : {".kconfig", ".ksyms"}) {
            auto ds = find_datasec(secname);
            if (!ds) continue;
            bool kconfig = std::string_view(secname) == ".kconfig";
            for (const auto& vsi : btf_->type(*ds).secinfos()) {
                auto t = btf_->type(vsi.type);
                extern_symbol e;
                e.name = t.name();
                e.btf_type = t.type();
                if (t.kind() == btf::kind::func) e.kind = extern_symbol::kind::kfunc;
                else if (kconfig) e.kind = extern_symbol::kind::kconfig;
                else e.kind = extern_symbol::kind::ksym;
                // The last undefined symbol of the name decides, as before.
                if (auto undefined = symbols_named(elf::shn_undef, e.name); !undefined.empty())
                    e.weak = undefined.back()->bind == elf::stb_weak;
                externs_.push_back(e);
            }
        }
        // kconfig externs live in a map of their own, filled by the loader.
        std::vector<std::pair<extern_symbol*, kconfig::value_type>> kconfig;
        for (auto& e : externs_) {
            if (e.kind != extern_symbol::kind::kconfig) continue;
            auto type = kconfig::classify(*btf_, e.btf_type);
            if (!type)
                detail::raise(detail::cat(name_, ": .kconfig extern '", detail::printable(e.name),
                                          "' has a type no configuration value fits: bool, a tristate enum, "
                                          "char, an integer of 2, 4 or 8 bytes, or a char array"));
            kconfig.emplace_back(&e, *type);
        }
        if (kconfig.empty()) return;
        std::sort(kconfig.begin(), kconfig.end(), [](const auto& a, const auto& b) {
            if (a.second.align != b.second.align) return a.second.align > b.second.align;
            if (a.second.size != b.second.size) return a.second.size < b.second.size;
            return a.first->name < b.first->name;
        });
        std::uint64_t size = 0;
        for (auto& [e, type] : kconfig) {
            size = (size + type.align - 1) / type.align * type.align;
            e->offset = static_cast<std::uint32_t>(size);
            e->size = type.size;
            size += type.size;
            if (size > std::numeric_limits<std::int32_t>::max())
                detail::raise(detail::cat(name_, ": .kconfig externs take more than 2 GiB"));
        }
        map_definition m;
        m.name = ".kconfig";
        m.type = map_type::array;
        m.key_size = 4;
        m.value_size = static_cast<std::uint32_t>(size);
        m.max_entries = 1;
        m.global = global_section::kconfig;
        m.flags = map_flags::rdonly_prog;
        m.btf_value_type = *find_datasec(".kconfig");
        maps_.push_back(std::move(m));
    }

    // The first extern of that name.
    std::optional<std::uint32_t> extern_index(std::string_view name) {
        if (extern_by_name_.size() != externs_.size()) {
            extern_by_name_.clear();
            for (std::uint32_t i = 0; i < externs_.size(); ++i) extern_by_name_.emplace_back(externs_[i].name, i);
            std::sort(extern_by_name_.begin(), extern_by_name_.end());  // by name, then index
        }
        auto it = std::lower_bound(extern_by_name_.begin(), extern_by_name_.end(), name,
                                   [](const auto& e, std::string_view n) { return e.first < n; });
        if (it == extern_by_name_.end() || it->first != name) return std::nullopt;
        return it->second;
    }

    // The function holding `offset` of `section`. At most one does: programs
    // and subprograms live in different sections (is_subprogram_section) and
    // read_functions() refused overlaps within each list. `hint`, the last
    // answer, is tried first: consecutive records mostly fall in one function.
    program_definition* owner(std::uint32_t section, std::uint64_t offset, program_definition*& hint) {
        if (hint != nullptr && hint->section_index == section && offset >= hint->offset &&
            offset < hint->offset + hint->insn_count() * sizeof(insn))
            return hint;
        hint = owner(section, offset);
        return hint;
    }

    // Both lists are sorted by (section, offset): the candidate is the last
    // function starting at or before `offset` in `section`.
    program_definition* owner(std::uint32_t section, std::uint64_t offset) {
        for (auto* list : {&programs_, &subprograms_}) {
            auto it = std::upper_bound(list->begin(), list->end(), std::pair(section, offset),
                                       [](const std::pair<std::uint32_t, std::uint64_t>& k, const program_definition& p) {
                                           return k < std::pair<std::uint32_t, std::uint64_t>(p.section_index, p.offset);
                                       });
            if (it == list->begin()) continue;
            auto& p = *std::prev(it);
            if (p.section_index == section && offset < p.offset + p.insn_count() * sizeof(insn)) return &p;
        }
        return nullptr;
    }

    void read_relocations() {
        for (const auto& rel : elf_->sections()) {
            if (rel.type != elf::sht_rel && rel.type != elf::sht_rela) continue;
            if (rel.info >= elf_->sections().size()) continue;
            const auto& target = elf_->section_at(rel.info);
            if ((target.flags & elf::shf_execinstr) == 0) continue;  // .rel.BTF, .rel.maps, DWARF
            program_definition* hint = nullptr;
            for (const auto& r : elf_->relocations(rel)) relocate(target, r, hint);
        }
        for (auto* list : {&programs_, &subprograms_})
            for (auto& p : *list) {
                std::sort(p.relocations.begin(), p.relocations.end(),
                          [](const auto& a, const auto& b) { return a.insn < b.insn; });
                add_resolved_calls(p);
            }
    }

    // Calls between functions of one section that clang resolved itself
    // (a static function calling another in .text): a BPF-to-BPF call with
    // no relocation, its target already in imm. They become relocations
    // like the others, so the loader brings the callee along.
    void add_resolved_calls(program_definition& p) {
        std::size_t next = 0;  // into p.relocations, sorted by insn
        const std::size_t before = p.relocations.size();
        for (std::uint32_t i = 0; i < p.insn_count(); ++i) {
            while (next < before && p.relocations[next].insn < i) ++next;
            const insn& in = p.insns_[i];
            if (in.code != call || in.src_reg != op::pseudo_call) continue;
            if (next < before && p.relocations[next].insn == i) continue;
            const auto target = static_cast<std::int64_t>(p.offset / sizeof(insn)) + i + 1 + in.imm;
            if (target < 0 || o_.function_at(p.section_index, static_cast<std::uint64_t>(target) * sizeof(insn)) == nullptr)
                detail::raise(detail::cat(name_, ": function '", p.name, "' calls instruction ", target,
                                          " of its section, which is not the start of a function"));
            program_relocation pr;
            pr.kind = program_relocation::kind::subprogram_call;
            pr.insn = i;
            pr.target_section = p.section_index;
            pr.target_offset = static_cast<std::uint64_t>(target) * sizeof(insn);
            p.relocations.push_back(pr);
        }
        if (p.relocations.size() != before)
            std::sort(p.relocations.begin(), p.relocations.end(),
                      [](const auto& a, const auto& b) { return a.insn < b.insn; });
    }

    void relocate(const elf::section& sec, const elf::relocation& r, program_definition*& hint) {
        // Error context is built only when an error is raised: this runs for
        // every relocation of every open.
        auto fail = [&](const auto&... parts) {
            detail::raise(detail::cat(where(sec), ": relocation at ", detail::hex(r.offset), parts...));
        };
        if (r.offset % sizeof(insn) != 0) fail(" is not at an instruction boundary");
        auto* p = owner(sec.index, r.offset, hint);
        if (p == nullptr) fail(" lies in no function");
        const auto& sym = elf_->symbol_at(r.symbol);
        program_relocation pr;
        pr.insn = static_cast<std::uint32_t>((r.offset - p->offset) / sizeof(insn));
        pr.symbol = sym.type == elf::stt_section ? std::string_view{} : sym.name;
        const insn& in = p->insns_[pr.insn];
        auto sym_desc = [&] {
            return detail::cat("'", sym.name.empty() ? std::string_view("(section symbol)") : sym.name, "'");
        };

        if (in.code == call) {
            if (sym.section == elf::shn_undef) {
                auto e = extern_index(sym.name);
                if (!e) fail(": call of undefined function ", sym_desc(),
                                                  " that is not a kfunc declared in .ksyms");
                pr.kind = program_relocation::kind::extern_call;
                pr.extern_index = *e;
            } else {
                if (in.src_reg != op::pseudo_call)
                    fail(": relocated call instruction is not a BPF-to-BPF call");
                pr.kind = program_relocation::kind::subprogram_call;
                set_callee(pr, sym, static_cast<std::int64_t>(sym.value) / 8 + in.imm + 1, sec, r);
            }
        } else if (in.code == ld_imm64) {
            if (pr.insn + 1 >= p->insn_count())
                fail(": ld_imm64 is the last instruction; it needs two");
            if (sym.section == elf::shn_undef) {
                auto e = extern_index(sym.name);
                if (!e) fail(": reference to undefined symbol ", sym_desc(),
                                                  " that is neither .kconfig nor .ksyms extern");
                pr.kind = program_relocation::kind::extern_variable;
                pr.extern_index = *e;
            } else if (sym.section >= elf::shn_loreserve) {
                fail(": symbol ", sym_desc(), " has special section index ",
                                          detail::hex(sym.section));
            } else {
                const auto& tsec = elf_->section_at(sym.section);
                if (tsec.flags & elf::shf_execinstr) {
                    pr.kind = program_relocation::kind::subprogram_address;
                    // The function's byte offset is symbol value + imm for
                    // section and function symbols alike.
                    set_callee(pr, sym, value_plus(sym, tsec, in.imm, fail) / 8, sec, r);
                } else if (tsec.name == ".maps" || tsec.name == "maps") {
                    pr.kind = program_relocation::kind::map;
                    auto m = map_defined_at(tsec.index, sym.value);
                    if (m) pr.map_index = *m;
                    if (!m)
                        fail(": symbol ", sym_desc(), " at ", detail::hex(sym.value),
                                                  " in ", tsec.name, " is not a map definition");
                } else if (auto m = map_of_section(tsec.index)) {
                    pr.kind = program_relocation::kind::global_data;
                    pr.map_index = *m;
                    // Section symbols carry the variable's offset in imm;
                    // variable symbols carry it in st_value.
                    std::int64_t off = sym.type == elf::stt_section ? in.imm : value_plus(sym, tsec, in.imm, fail);
                    if (off < 0 || static_cast<std::uint64_t>(off) > tsec.size)
                        fail(": offset ", off, " is outside ", tsec.name);
                    pr.offset = static_cast<std::uint64_t>(off);
                } else {
                    fail(": symbol ", sym_desc(), " is in section '", tsec.name,
                                              "', which is neither a map nor global data section");
                }
            }
        } else {
            fail(": relocated instruction (opcode ", detail::hex(in.code),
                                      ") is neither ld_imm64 nor call");
        }
        p->relocations.push_back(pr);
    }

    // A symbol's value plus an instruction's immediate. The value must lie
    // inside the symbol's section, which also keeps the sum from overflowing.
    template <class Fail>
    static std::int64_t value_plus(const elf::symbol& sym, const elf::section& in, std::int32_t imm, Fail& fail) {
        if (sym.value > in.size)
            fail(": symbol '", sym.name, "' has value ", detail::hex(sym.value), ", past the end of ", in.name, " (",
                 in.size, " bytes)");
        return static_cast<std::int64_t>(sym.value) + imm;
    }

    // The map definition (not global data) at `offset` of `section`; of two
    // there, the last one, as a scan would find.
    std::optional<std::uint32_t> map_defined_at(std::uint32_t section, std::uint64_t offset) {
        if (!maps_by_place_built_) {
            for (std::uint32_t i = 0; i < maps_.size(); ++i)
                if (maps_[i].global == global_section::none)
                    maps_by_place_.push_back({maps_[i].section_index, maps_[i].offset, i});
            std::sort(maps_by_place_.begin(), maps_by_place_.end());
            maps_by_place_built_ = true;
        }
        auto it = std::upper_bound(maps_by_place_.begin(), maps_by_place_.end(),
                                   std::tuple(section, offset, std::uint32_t{none}));
        if (it == maps_by_place_.begin()) return std::nullopt;
        --it;
        if (std::get<0>(*it) != section || std::get<1>(*it) != offset) return std::nullopt;
        return std::get<2>(*it);
    }

    void set_callee(program_relocation& pr, const elf::symbol& sym, std::int64_t insn_index, const elf::section& sec,
                    const elf::relocation& r) const {
        auto w = [&] { return detail::cat(where(sec), ": relocation at ", detail::hex(r.offset)); };
        if (insn_index < 0) detail::raise(detail::cat(w(), ": call target is before its section"));
        pr.target_section = sym.section;
        pr.target_offset = static_cast<std::uint64_t>(insn_index) * sizeof(insn);
        if (o_.function_at(pr.target_section, pr.target_offset) == nullptr)
            detail::raise(detail::cat(w(), ": call target ", detail::hex(pr.target_offset), " in section [",
                                      pr.target_section, "] is not the start of a function"));
    }

    void assign_ext_records() {
        if (!ext_) return;
        auto section_index = [&](std::string_view name) -> std::optional<std::uint32_t> {
            if (const auto* s = elf_->find_section(name)) return s->index;
            return std::nullopt;
        };
        auto assign = [&](const auto& groups, auto member) {
            for (const auto& g : groups) {
                auto idx = section_index(g.name);
                if (!idx)
                    detail::raise(detail::cat(name_, ": .BTF.ext refers to section '", g.name,
                                              "', which the object does not have"));
                program_definition* hint = nullptr;
                const auto& records = g.records;
                for (std::size_t i = 0; i < records.size();) {
                    auto* p = owner(*idx, records[i].insn_off, hint);
                    if (p == nullptr)
                        detail::raise(detail::cat(name_, ": .BTF.ext record for '", g.name, "' at ",
                                                  detail::hex(records[i].insn_off), " lies in no function"));
                    // The run of records that p holds goes in at once.
                    const std::uint64_t end = p->offset + p->insn_count() * sizeof(insn);
                    std::size_t j = i + 1;
                    while (j < records.size() && records[j].insn_off >= p->offset && records[j].insn_off < end) ++j;
                    auto& out = p->*member;
                    if (out.size() + (j - i) > out.capacity())
                        out.reserve(std::max(out.size() + (j - i), 2 * out.capacity()));
                    for (; i < j; ++i) {
                        auto rec = records[i];
                        rec.insn_off = static_cast<std::uint32_t>((rec.insn_off - p->offset) / sizeof(insn));
                        out.push_back(rec);
                    }
                }
            }
        };
        assign(ext_->func_info(), &program_definition::func_info);
        assign(ext_->line_info(), &program_definition::line_info);
        assign(ext_->core_relos(), &program_definition::core_relos);
        // A relocation against a type the object does not have would only
        // fail in the kernel, far from its cause (clang 19 emits such a
        // record for a preserve_access_index inside a lambda).
        for (const auto& g : ext_->core_relos())
            for (const auto& r : g.records)
                if (r.type_id == 0 || r.type_id >= btf_->size())
                    detail::raise(detail::cat(name_, ": CO-RE relocation in '", g.name, "' at ", detail::hex(r.insn_off),
                                              " refers to BTF type ", r.type_id, ", which the object does not have (",
                                              btf_->size(), " types)"));
        for (const auto& g : ext_->func_info())
            for (const auto& r : g.records)
                if (r.type_id >= btf_->size() || btf_->type(r.type_id).kind() != btf::kind::func)
                    detail::raise(detail::cat(name_, ": func_info in '", g.name, "' at ", detail::hex(r.insn_off),
                                              " refers to BTF type ", r.type_id, ", which is not a FUNC"));
    }
};

}  // namespace detail

BPFXX_DECL const char* remedy(enum unrunnable::kind k) noexcept {
    using kind = enum unrunnable::kind;
    switch (k) {
    case kind::global_constructor: return "make globals constexpr or constinit: the kernel runs no constructors";
    case kind::global_destructor: return "give globals a trivial destructor: the kernel runs no destructors";
    case kind::unwind_tables: return "compile with -fno-exceptions -fno-asynchronous-unwind-tables";
    case kind::virtual_function:
        return "BPF has no indirect calls: replace virtual functions with templates, if constexpr or a switch";
    case kind::rtti: return "compile with -fno-rtti";
    case kind::heap: return "BPF programs have no heap: keep data on the stack or in a map (array_map, per-CPU array)";
    case kind::guarded_static: return "compile with -fno-threadsafe-statics";
    case kind::runtime_call: return "exceptions and RTTI do not exist in BPF programs";
    case kind::undefined_function:
        return "BPF objects cannot call out: define the function inline in a header, or declare kfuncs extern \"C\"";
    }
    return "";
}

BPFXX_DECL std::vector<unrunnable> find_unrunnable(std::span<const std::byte> object_file) {
    const elf::file elf{object_file};
    // Line info only when the BTF reads cleanly: the findings matter more.
    std::unique_ptr<btf::btf> b;
    std::unique_ptr<btf::ext> ext;
    try {
        if (const auto* s = elf.find_section(".BTF")) {
            b = std::make_unique<btf::btf>(s->data);
            if (const auto* e = elf.find_section(".BTF.ext")) ext = std::make_unique<btf::ext>(e->data, b->strings());
        }
    } catch (const error&) {
        b.reset();
        ext.reset();
    }
    return detail::unrunnable_in(elf, b.get(), ext.get());
}


BPFXX_DECL std::vector<unrunnable> find_unrunnable(const std::string& path) {
    return find_unrunnable(detail::read_file(path, "BPF object", detail::max_file_bytes, elf::magic));
}

BPFXX_DECL object object::parse(std::span<const std::byte> bytes, std::string name) {
    object o;
    o.name_ = std::move(name);
    o.bytes_ = bytes;
    detail::object_reader(o).read();
    return o;
}

BPFXX_DECL object object::parse(std::vector<std::byte>&& bytes, std::string name) {
    object o;
    o.name_ = std::move(name);
    o.storage_ = std::move(bytes);
    o.bytes_ = o.storage_;
    detail::object_reader(o).read();
    return o;
}

BPFXX_DECL object object::open(const std::string& path) {
    auto bytes = detail::read_file(path, "BPF object", detail::max_file_bytes, elf::magic);
    auto slash = path.find_last_of('/');
    return parse(std::move(bytes), path.substr(slash == std::string::npos ? 0 : slash + 1));
}

BPFXX_DECL object::object(object&&) noexcept = default;
BPFXX_DECL object& object::operator=(object&&) noexcept = default;
BPFXX_DECL object::~object() = default;

BPFXX_DECL const program_definition* object::find_program(std::string_view name) const noexcept {
    for (const auto& p : programs_)
        if (p.name == name) return &p;
    return nullptr;
}

BPFXX_DECL const map_definition* object::find_map(std::string_view name) const noexcept {
    for (const auto& m : maps_)
        if (m.name == name) return &m;
    return nullptr;
}

BPFXX_DECL const global_variable* object::find_global(std::string_view name) const noexcept {
    for (const auto& g : globals_)
        if (g.name == name) return &g;
    return nullptr;
}

BPFXX_DECL const program_definition* object::function_at(std::uint32_t section, std::uint64_t offset) const noexcept {
    for (const auto* list : {&subprograms_, &programs_}) {
        auto it = std::lower_bound(list->begin(), list->end(), std::pair(section, offset),
                                   [](const program_definition& p, const std::pair<std::uint32_t, std::uint64_t>& k) {
                                       return std::pair(p.section_index, p.offset) < k;
                                   });
        if (it != list->end() && it->section_index == section && it->offset == offset) return &*it;
    }
    return nullptr;
}

BPFXX_END_NAMESPACE
