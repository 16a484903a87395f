// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx-inspect: prints what bpfxx reads from a BPF object file — programs,
// maps with their C++ key/value types, globals, externs and relocations.
#include <bpfxx/btf/format.hpp>
#include <bpfxx/object.hpp>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

namespace {

struct options {
    const char* path = nullptr;
    bool lines = false;  // every line_info record, not just the source range
};

std::string type_name(const bpfxx::object& obj, std::uint32_t id) {
    if (id == 0 || obj.btf() == nullptr) return "?";
    return bpfxx::btf::cxx_type_name(*obj.btf(), id);
}

std::string_view btf_string(const bpfxx::object& obj, std::uint32_t off) {
    if (obj.btf() == nullptr) return {};
    return obj.btf()->string_at(off);
}

void print_function(const bpfxx::object& obj, const bpfxx::program_definition& p, const options& opt) {
    if (p.is_subprogram) {
        std::printf("  %-24s %-22s %zu insns  (%s+0x%llx)\n", std::string(p.name).c_str(), "subprogram",
                    p.insn_count(), std::string(p.section).c_str(),
                    static_cast<unsigned long long>(p.offset));
    } else {
        std::printf("  %-24s %-22s %zu insns  section \"%s\"", std::string(p.name).c_str(),
                    bpfxx::to_string(p.type), p.insn_count(), std::string(p.section).c_str());
        if (!p.attach_target.empty()) std::printf("  target \"%s\"", std::string(p.attach_target).c_str());
        if (p.sleepable) std::printf("  sleepable");
        std::printf("\n");
    }
    if (!p.line_info.empty()) {
        std::uint32_t lo = ~0u, hi = 0;
        for (const auto& l : p.line_info) {
            if (l.line == 0) continue;
            lo = std::min(lo, l.line);
            hi = std::max(hi, l.line);
        }
        std::string file(btf_string(obj, p.line_info.front().file_name_off));
        auto slash = file.find_last_of('/');
        if (slash != std::string::npos) file = file.substr(slash + 1);
        if (lo <= hi) std::printf("      source %s:%u-%u\n", file.c_str(), lo, hi);
        if (opt.lines)
            for (const auto& l : p.line_info)
                std::printf("      insn %4u  line %4u  %s\n", l.insn_off, l.line,
                            std::string(btf_string(obj, l.line_off)).c_str());
    }
    if (!p.func_info.empty() && obj.btf() != nullptr) {
        auto f = obj.btf()->type(p.func_info.front().type_id);
        std::printf("      btf func '%s' [%u]\n", std::string(f.name()).c_str(), p.func_info.front().type_id);
    }
    for (const auto& r : p.relocations) {
        std::printf("      reloc insn %4u  %-11s", r.insn, bpfxx::to_string(r.kind));
        switch (r.kind) {
        case bpfxx::program_relocation::kind::map:
            std::printf(" %s", obj.maps()[r.map_index].name.c_str());
            break;
        case bpfxx::program_relocation::kind::global_data:
            std::printf(" %s+%llu", obj.maps()[r.map_index].name.c_str(),
                        static_cast<unsigned long long>(r.offset));
            break;
        case bpfxx::program_relocation::kind::subprogram_call:
        case bpfxx::program_relocation::kind::subprogram_address: {
            const auto* callee = obj.function_at(r.target_section, r.target_offset);
            std::printf(" %s", callee ? std::string(callee->name).c_str() : "?");
            break;
        }
        case bpfxx::program_relocation::kind::extern_variable:
        case bpfxx::program_relocation::kind::extern_call:
            std::printf(" %s", std::string(obj.externs()[r.extern_index].name).c_str());
            break;
        }
        std::printf("\n");
    }
    for (const auto& c : p.core_relos)
        std::printf("      core  insn %4u  %-18s %s access \"%s\"\n", c.insn_off, bpfxx::btf::to_string(c.kind),
                    type_name(obj, c.type_id).c_str(), std::string(btf_string(obj, c.access_str_off)).c_str());
}

void print_object(const bpfxx::object& obj, const options& opt) {
    std::printf("object %s: license \"%s\"", obj.name().c_str(), std::string(obj.license()).c_str());
    if (obj.kernel_version()) std::printf(", kernel version %u", *obj.kernel_version());
    std::printf(", BTF %s\n", obj.btf() ? "yes" : "no");

    std::printf("\nprograms (%zu):\n", obj.programs().size());
    for (const auto& p : obj.programs()) print_function(obj, p, opt);
    if (!obj.subprograms().empty()) {
        std::printf("\nsubprograms (%zu):\n", obj.subprograms().size());
        for (const auto& p : obj.subprograms()) print_function(obj, p, opt);
    }

    std::printf("\nmaps (%zu):\n", obj.maps().size());
    for (const auto& m : obj.maps()) {
        std::printf("  %-24s %-14s", m.name.c_str(), bpfxx::to_string(m.type));
        if (m.global != bpfxx::global_section::none) {
            std::printf(" value %u bytes (global data)", m.value_size);
        } else {
            std::printf(" key %s (%u)  value %s (%u)", type_name(obj, m.btf_key_type).c_str(), m.key_size,
                        type_name(obj, m.btf_value_type).c_str(), m.value_size);
        }
        std::printf("  max_entries %u", m.max_entries);
        if (m.flags != 0) std::printf("  flags 0x%x", m.flags);
        if (m.btf_record_type != 0) std::printf("  records %s", type_name(obj, m.btf_record_type).c_str());
        if (m.pinning == bpfxx::map_pinning::by_name) std::printf("  pinned by name");
        if (m.legacy) std::printf("  (legacy definition)");
        if (m.inner)
            std::printf("  inner %s key %u value %u", bpfxx::to_string(m.inner->type), m.inner->key_size,
                        m.inner->value_size);
        std::printf("\n");
    }

    if (!obj.globals().empty()) {
        std::printf("\nglobals (%zu):\n", obj.globals().size());
        for (const auto& g : obj.globals())
            std::printf("  %-24s %s+%llu  %s (%llu bytes)%s\n", std::string(g.name).c_str(),
                        obj.maps()[g.map_index].name.c_str(), static_cast<unsigned long long>(g.offset),
                        type_name(obj, g.btf_type).c_str(), static_cast<unsigned long long>(g.size),
                        g.is_static ? "  static" : "");
    }
    if (!obj.externs().empty()) {
        std::printf("\nexterns (%zu):\n", obj.externs().size());
        for (const auto& e : obj.externs()) {
            std::printf("  %-24s %s", std::string(e.name).c_str(), bpfxx::to_string(e.kind));
            if (e.kind == bpfxx::extern_symbol::kind::kconfig)
                std::printf("  .kconfig+%u (%u bytes)", e.offset, e.size);
            std::printf("%s\n", e.weak ? "  weak" : "");
        }
    }
}

int usage() {
    std::fprintf(stderr,
                 "usage: bpfxx-inspect [--lines] <object.bpf.o>\n"
                 "Prints the programs, maps, globals, externs and relocations bpfxx reads from a BPF object.\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--lines") opt.lines = true;
        else if (a == "-h" || a == "--help") return usage(), 0;
        else if (!a.empty() && a[0] == '-') return usage();
        else if (opt.path == nullptr) opt.path = argv[i];
        else return usage();
    }
    if (opt.path == nullptr) return usage();
    try {
        auto obj = bpfxx::object::open(opt.path);
        print_object(obj, opt);
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "bpfxx-inspect: %s\n", e.what());
        return 1;
    }
    return 0;
}
