// SPDX-License-Identifier: MIT OR Apache-2.0
// The object model against objects built in the tree from C++ and plain C
// (tests/bpf): exact programs, maps, globals, relocations and BTF.ext
// records as the sources say; and refusals of what the kernel cannot run.
#include <bpfxx/detail/file.hpp>
#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/object.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using testing::HasSubstr;

namespace {

std::string object_path(const std::string& name) { return std::string(BPFXX_TEST_OBJECTS) + "/" + name; }


// The 1-based line of the first source line containing `needle`.
std::uint32_t source_line(const std::string& file, const std::string& needle) {
    std::ifstream in(std::string(BPFXX_SOURCE_DIR) + "/tests/bpf/" + file);
    std::string line;
    for (std::uint32_t n = 1; std::getline(in, line); ++n)
        if (line.find(needle) != std::string::npos) return n;
    ADD_FAILURE() << needle << " not found in " << file;
    return 0;
}

// Overwrites every occurrence of the NUL-terminated string `from` with
// `to`, padded with NULs: string tables stay valid, and a name shared by
// several tables (or tail-merged into a longer name) changes everywhere.
void replace_string(std::vector<std::byte>& data, std::string_view from, std::string_view to) {
    ASSERT_LE(to.size(), from.size());
    std::string needle(from);
    needle.push_back('\0');
    auto* begin = reinterpret_cast<char*>(data.data());
    auto* end = begin + data.size();
    int replaced = 0;
    for (auto* at = std::search(begin, end, needle.begin(), needle.end()); at != end;
         at = std::search(at + needle.size(), end, needle.begin(), needle.end())) {
        std::memset(at, 0, from.size());
        std::memcpy(at, to.data(), to.size());
        ++replaced;
    }
    ASSERT_GT(replaced, 0) << "string " << from << " not in the object";
}

std::string error_of(const std::vector<std::byte>& data) {
    try {
        (void)bpfxx::object::parse(data, "mutated.bpf.o");
    } catch (const bpfxx::error& e) {
        return e.what();
    }
    return "(no error)";
}

const bpfxx::program_definition& program_named(const bpfxx::object& o, std::string_view name) {
    const auto* p = o.find_program(name);
    if (p == nullptr) throw std::runtime_error("no program " + std::string(name));
    return *p;
}

std::vector<std::string> names_of_maps(const bpfxx::object& o) {
    std::vector<std::string> out;
    for (const auto& m : o.maps()) out.push_back(m.name);
    return out;
}

// (kind, target name) pairs of a program's relocations, in insn order.
std::vector<std::string> relocations_of(const bpfxx::object& o, const bpfxx::program_definition& p) {
    std::vector<std::string> out;
    for (const auto& r : p.relocations) {
        std::string target;
        switch (r.kind) {
        case bpfxx::program_relocation::kind::map:
        case bpfxx::program_relocation::kind::global_data:
            target = o.maps()[r.map_index].name;
            break;
        case bpfxx::program_relocation::kind::subprogram_call:
        case bpfxx::program_relocation::kind::subprogram_address:
            target = std::string(o.function_at(r.target_section, r.target_offset)->name);
            break;
        default:
            target = std::string(o.externs()[r.extern_index].name);
        }
        out.push_back(std::string(bpfxx::to_string(r.kind)) + " " + target);
    }
    return out;
}

// Every relocated instruction has the opcode its kind implies.
void expect_relocated_opcodes(const bpfxx::program_definition& p) {
    for (const auto& r : p.relocations) {
        ASSERT_LT(r.insn, p.insn_count());
        const auto& in = p.insns()[r.insn];
        switch (r.kind) {
        case bpfxx::program_relocation::kind::subprogram_call:
            EXPECT_EQ(in.code, 0x85) << p.name << " insn " << r.insn;
            EXPECT_EQ(in.src_reg, bpfxx::op::pseudo_call);
            break;
        default:
            EXPECT_EQ(in.code, 0x18) << p.name << " insn " << r.insn;  // ld_imm64
        }
    }
}

// func_info: one record at insn 0 naming the function; line_info: starts at
// insn 0 and covers the function's lines in the source.
void expect_ext_records(const bpfxx::object& o, const bpfxx::program_definition& p, std::string_view btf_name,
                        std::uint32_t first_line) {
    ASSERT_EQ(p.func_info.size(), 1u) << p.name;
    EXPECT_EQ(p.func_info[0].insn_off, 0u);
    auto f = o.btf()->type(p.func_info[0].type_id);
    EXPECT_EQ(f.kind(), bpfxx::btf::kind::func);
    EXPECT_EQ(f.name(), btf_name);
    ASSERT_FALSE(p.line_info.empty());
    EXPECT_EQ(p.line_info[0].insn_off, 0u);
    std::uint32_t lo = ~0u;
    for (const auto& l : p.line_info) {
        EXPECT_LT(l.insn_off, p.insn_count());
        if (l.line != 0) lo = std::min(lo, l.line);
    }
    EXPECT_EQ(lo, first_line) << p.name;
}

TEST(Object, CxxObjectProgramsAndSubprograms) {
    auto o = bpfxx::object::open(object_path("maps_cxx.bpf.o"));
    EXPECT_EQ(o.name(), "maps_cxx.bpf.o");
    EXPECT_EQ(o.license(), "Dual MIT/GPL");
    EXPECT_FALSE(o.kernel_version());
    ASSERT_NE(o.btf(), nullptr);
    ASSERT_NE(o.btf_ext(), nullptr);

    ASSERT_EQ(o.programs().size(), 2u);
    const auto& exec = program_named(o, "on_execve");
    EXPECT_EQ(exec.section, "tracepoint/syscalls/sys_enter_execve");
    EXPECT_EQ(exec.type, bpfxx::program_type::tracepoint);
    EXPECT_EQ(exec.attach_target, "syscalls/sys_enter_execve");
    EXPECT_FALSE(exec.is_subprogram);
    EXPECT_FALSE(exec.sleepable);
    const auto& raw = program_named(o, "on_sys_enter");
    EXPECT_EQ(raw.section, "raw_tp/sys_enter");
    EXPECT_EQ(raw.type, bpfxx::program_type::raw_tracepoint);
    EXPECT_EQ(raw.attach_target, "sys_enter");

    // A static non-inlined C++ function: mangled ELF name, plain BTF name.
    ASSERT_EQ(o.subprograms().size(), 1u);
    const auto& sub = o.subprograms()[0];
    EXPECT_EQ(sub.name, "_ZL11config_slotj");
    EXPECT_EQ(sub.section, ".text");
    EXPECT_TRUE(sub.is_subprogram);

    expect_ext_records(o, exec, "on_execve", source_line("maps_cxx.bpf.cpp", "int on_execve("));
    expect_ext_records(o, raw, "on_sys_enter", source_line("maps_cxx.bpf.cpp", "int on_sys_enter("));
    expect_ext_records(o, sub, "config_slot", source_line("maps_cxx.bpf.cpp", "static u32 config_slot("));
}

TEST(Object, CxxObjectMapsAndGlobals) {
    auto o = bpfxx::object::open(object_path("maps_cxx.bpf.o"));
    EXPECT_EQ(names_of_maps(o),
              (std::vector<std::string>{"counts", "configs", "events", ".rodata", ".data", ".bss"}));
    const auto& b = *o.btf();

    const auto* counts = o.find_map("counts");
    ASSERT_NE(counts, nullptr);
    EXPECT_EQ(counts->type, bpfxx::map_type::hash);
    EXPECT_EQ(counts->key_size, 4u);
    EXPECT_EQ(counts->value_size, 8u);
    EXPECT_EQ(counts->max_entries, 1024u);
    EXPECT_EQ(counts->flags, 0u);
    EXPECT_EQ(counts->offset, 0u);
    EXPECT_EQ(b.type(b.resolve(counts->btf_key_type)).name(), "unsigned int");
    EXPECT_EQ(b.size_of(counts->btf_value_type), 8u);
    EXPECT_EQ(b.type(counts->btf_definition).name(), "hash_map");
    EXPECT_EQ(counts->section_name, ".maps");

    const auto* configs = o.find_map("configs");
    ASSERT_NE(configs, nullptr);
    EXPECT_EQ(configs->type, bpfxx::map_type::array);
    EXPECT_EQ(configs->key_size, 4u);
    EXPECT_EQ(configs->value_size, 8u);
    EXPECT_EQ(configs->max_entries, 4u);
    EXPECT_EQ(bpfxx::btf::cxx_type_name(b, configs->btf_value_type), "config");
    auto config = b.type(b.resolve(configs->btf_value_type));
    ASSERT_EQ(config.vlen(), 2u);
    EXPECT_EQ(config.members()[0].name, "sample_every");
    EXPECT_EQ(config.members()[1].name, "flags");
    EXPECT_EQ(config.members()[1].bit_offset, 32u);

    const auto* events = o.find_map("events");
    ASSERT_NE(events, nullptr);
    EXPECT_EQ(events->type, bpfxx::map_type::ringbuf);
    EXPECT_EQ(events->max_entries, 256u * 1024u);
    EXPECT_EQ(events->key_size, 0u);
    EXPECT_EQ(events->value_size, 0u);
    // BPFXX_RECORD_TYPE(events, event): the record type reaches the object.
    ASSERT_NE(events->btf_record_type, 0u);
    EXPECT_EQ(bpfxx::btf::cxx_type_name(b, events->btf_record_type), "event");
    EXPECT_EQ(b.size_of(events->btf_record_type), 104u);
    EXPECT_EQ(counts->btf_record_type, 0u);

    const auto* rodata = o.find_map(".rodata");
    ASSERT_NE(rodata, nullptr);
    EXPECT_EQ(rodata->global, bpfxx::global_section::rodata);
    EXPECT_EQ(rodata->type, bpfxx::map_type::array);
    EXPECT_EQ(rodata->value_size, 4u);
    EXPECT_EQ(rodata->max_entries, 1u);
    EXPECT_EQ(rodata->flags, bpfxx::map_flags::rdonly_prog);
    ASSERT_EQ(rodata->initial_data.size(), 4u);
    EXPECT_EQ(b.type(rodata->btf_value_type).kind(), bpfxx::btf::kind::datasec);

    const auto* data = o.find_map(".data");
    ASSERT_NE(data, nullptr);
    ASSERT_EQ(data->initial_data.size(), 8u);
    std::uint64_t seq = 0;
    std::memcpy(&seq, data->initial_data.data(), 8);
    EXPECT_EQ(seq, 1u);  // u64 exec_seq = 1
    const auto* bss = o.find_map(".bss");
    ASSERT_NE(bss, nullptr);
    EXPECT_EQ(bss->global, bpfxx::global_section::bss);
    EXPECT_TRUE(bss->initial_data.empty());
    EXPECT_EQ(bss->value_size, 8u);

    ASSERT_EQ(o.globals().size(), 3u);
    const auto* uid = o.find_global("target_uid");
    ASSERT_NE(uid, nullptr);
    EXPECT_EQ(o.maps()[uid->map_index].name, ".rodata");
    EXPECT_EQ(uid->offset, 0u);
    EXPECT_EQ(uid->size, 4u);
    EXPECT_EQ(bpfxx::btf::cxx_type_name(b, uid->btf_type), "const volatile u32");
    EXPECT_FALSE(uid->is_static);
    EXPECT_EQ(o.maps()[o.find_global("exec_seq")->map_index].name, ".data");
    EXPECT_EQ(o.maps()[o.find_global("syscalls_seen")->map_index].name, ".bss");
    EXPECT_TRUE(o.externs().empty());
}

TEST(Object, CxxObjectRelocations) {
    auto o = bpfxx::object::open(object_path("maps_cxx.bpf.o"));
    const auto& exec = program_named(o, "on_execve");
    auto relos = relocations_of(o, exec);
    // target_uid (.rodata), counts (lookup + increment), events, exec_seq (.data)
    EXPECT_EQ(std::count(relos.begin(), relos.end(), "global_data .rodata"), 1);
    EXPECT_EQ(std::count(relos.begin(), relos.end(), "map events"), 1);
    EXPECT_EQ(std::count(relos.begin(), relos.end(), "global_data .data"), 1);
    EXPECT_GE(std::count(relos.begin(), relos.end(), "map counts"), 1);
    EXPECT_EQ(relos.size(), static_cast<std::size_t>(std::count(relos.begin(), relos.end(), "map counts") + 3));
    expect_relocated_opcodes(exec);

    const auto& raw = program_named(o, "on_sys_enter");
    EXPECT_EQ(relocations_of(o, raw), (std::vector<std::string>{"call _ZL11config_slotj", "map configs",
                                                                "global_data .bss"}));
    expect_relocated_opcodes(raw);
    EXPECT_TRUE(o.subprograms()[0].relocations.empty());
}

TEST(Object, PlainCObjectMatchesItsSource) {
    auto o = bpfxx::object::open(object_path("plain_c.bpf.o"));
    EXPECT_EQ(o.license(), "Dual MIT/GPL");
    EXPECT_EQ(names_of_maps(o),
              (std::vector<std::string>{"counts", "events", "configs", ".rodata", ".data", ".bss"}));
    const auto* counts = o.find_map("counts");
    EXPECT_EQ(counts->type, bpfxx::map_type::hash);
    EXPECT_EQ(counts->max_entries, 1024u);
    EXPECT_EQ(counts->key_size, 4u);
    EXPECT_EQ(counts->value_size, 8u);
    EXPECT_EQ(bpfxx::btf::cxx_type_name(*o.btf(), counts->btf_key_type), "__u32");
    EXPECT_EQ(o.find_map("events")->offset, 0x20u);
    EXPECT_EQ(o.find_map("configs")->offset, 0x30u);

    const auto& raw = program_named(o, "on_sys_enter");
    EXPECT_EQ(relocations_of(o, raw),
              (std::vector<std::string>{"call config_slot", "map configs", "global_data .bss"}));
    ASSERT_EQ(o.subprograms().size(), 1u);
    EXPECT_EQ(o.subprograms()[0].name, "config_slot");
    expect_ext_records(o, raw, "on_sys_enter", source_line("plain_c.bpf.c", "int on_sys_enter("));
    expect_ext_records(o, program_named(o, "on_execve"), "on_execve",
                       source_line("plain_c.bpf.c", "int on_execve("));
    EXPECT_EQ(o.globals().size(), 3u);
    EXPECT_EQ(bpfxx::btf::cxx_type_name(*o.btf(), o.find_global("target_uid")->btf_type), "const volatile __u32");
}

TEST(Object, ComdatSectionsAreSubprograms) {
    auto o = bpfxx::object::open(object_path("comdat_cxx.bpf.o"));
    ASSERT_EQ(o.programs().size(), 1u);
    const auto& p = o.programs()[0];
    EXPECT_EQ(p.name, "on_sys_enter_comdat");
    ASSERT_EQ(o.subprograms().size(), 2u);
    for (const auto& s : o.subprograms()) {
        EXPECT_EQ(s.section, std::string(".text.") + std::string(s.name));
        EXPECT_EQ(s.func_info.size(), 1u);
    }
    EXPECT_EQ(relocations_of(o, p), (std::vector<std::string>{"call _Z3mixjj", "call _Z5scaleImET_S0_j",
                                                              "map totals"}));
    expect_relocated_opcodes(p);
}

// clang emits no relocation for outer() -> inner() (both static in .text):
// the call is found by its offset and listed like a relocated one.
TEST(Object, CallsClangResolvedItselfBecomeRelocations) {
    auto o = bpfxx::object::open(object_path("static_calls.bpf.o"));
    ASSERT_EQ(o.programs().size(), 1u);
    EXPECT_EQ(relocations_of(o, o.programs()[0]), (std::vector<std::string>{"call outer"}));
    const bpfxx::program_definition* outer = nullptr;
    for (const auto& f : o.subprograms())
        if (f.name == "outer") outer = &f;
    ASSERT_NE(outer, nullptr);
    EXPECT_EQ(relocations_of(o, *outer), (std::vector<std::string>{"call inner"}));
}

TEST(Object, EveryMapKindAndFunctionAddresses) {
    auto o = bpfxx::object::open(object_path("api_cxx.bpf.o"));
    auto type_of = [&](const char* name) {
        const auto* m = o.find_map(name);
        EXPECT_NE(m, nullptr) << name;
        return m ? m->type : bpfxx::map_type::unspec;
    };
    EXPECT_EQ(type_of("lru_counts"), bpfxx::map_type::lru_hash);
    EXPECT_EQ(type_of("percpu_counts"), bpfxx::map_type::percpu_hash);
    EXPECT_EQ(o.find_map("percpu_counts")->flags, bpfxx::map_flags::no_prealloc);
    EXPECT_EQ(type_of("lru_percpu_counts"), bpfxx::map_type::lru_percpu_hash);
    EXPECT_EQ(type_of("scratch"), bpfxx::map_type::percpu_array);
    EXPECT_EQ(type_of("pending"), bpfxx::map_type::queue);
    EXPECT_EQ(o.find_map("pending")->key_size, 0u);
    EXPECT_EQ(type_of("recent"), bpfxx::map_type::stack);
    EXPECT_EQ(type_of("jump_table"), bpfxx::map_type::prog_array);
    EXPECT_EQ(type_of("perf_events"), bpfxx::map_type::perf_event_array);
    EXPECT_EQ(type_of("records"), bpfxx::map_type::ringbuf);
    // printk's format strings: a global data map per .rodata.str section.
    const auto* strs = o.find_map(".rodata.str1.1");
    ASSERT_NE(strs, nullptr);
    EXPECT_EQ(strs->global, bpfxx::global_section::rodata);

    // bpf_loop's callback: ld_imm64 of a function address.
    const auto& p = program_named(o, "exercise_maps");
    auto relos = relocations_of(o, p);
    EXPECT_EQ(std::count(relos.begin(), relos.end(), "func_addr _ZL9add_indexmPN7api_cxx10loop_stateE"), 1);
    expect_relocated_opcodes(p);
}

TEST(Object, MultiSourceObjectLinksCxxAndC) {
    auto o = bpfxx::object::open(object_path("multi.bpf.o"));
    ASSERT_EQ(o.programs().size(), 2u);
    const auto& p = program_named(o, "multi_entry");
    auto relos = relocations_of(o, p);
    ASSERT_GE(relos.size(), 2u);
    EXPECT_EQ(relos[0], "call c_square");  // defined in the C source
    EXPECT_TRUE(std::all_of(relos.begin() + 1, relos.end(), [](const auto& r) { return r == "map multi_counts"; }));
    const auto& q = program_named(o, "multi_c_entry");
    EXPECT_EQ(q.section, "tracepoint/syscalls/sys_enter_getpid");
    EXPECT_EQ(relocations_of(o, q), (std::vector<std::string>{"map multi_counts"}));
    ASSERT_EQ(o.subprograms().size(), 1u);
    EXPECT_EQ(o.subprograms()[0].name, "c_square");
    EXPECT_EQ(o.maps().size(), 1u);
}

TEST(Object, LegacyMapDefinitions) {
    auto o = bpfxx::object::open(object_path("legacy_maps.bpf.o"));
    EXPECT_EQ(names_of_maps(o), (std::vector<std::string>{"legacy_hash", "legacy_array"}));
    const auto* h = o.find_map("legacy_hash");
    EXPECT_TRUE(h->legacy);
    EXPECT_EQ(h->section_name, "maps");
    EXPECT_EQ(h->type, bpfxx::map_type::hash);
    EXPECT_EQ(h->key_size, 4u);
    EXPECT_EQ(h->value_size, 8u);
    EXPECT_EQ(h->max_entries, 128u);
    EXPECT_EQ(h->flags, bpfxx::map_flags::no_prealloc);
    const auto* a = o.find_map("legacy_array");
    EXPECT_EQ(a->type, bpfxx::map_type::array);
    EXPECT_EQ(a->value_size, 16u);
    EXPECT_EQ(a->max_entries, 4u);
    EXPECT_EQ(a->offset, 20u);
    auto relos = relocations_of(o, program_named(o, "legacy_user"));
    EXPECT_EQ(std::count(relos.begin(), relos.end(), "map legacy_hash"), 1);
    EXPECT_EQ(std::count(relos.begin(), relos.end(), "map legacy_array"), 1);
}

TEST(ObjectErrors, RefusesCxxRuntimeLeftovers) {
    auto base = bpfxx::detail::read_file(object_path("maps_cxx.bpf.o"));

    auto eh = base;
    replace_string(eh, "raw_tp/sys_enter", ".eh_frame");
    EXPECT_THAT(error_of(eh), HasSubstr("'.eh_frame' holds unwind tables"));

    auto init = base;
    replace_string(init, "raw_tp/sys_enter", ".init_array");
    EXPECT_THAT(error_of(init), HasSubstr("'.init_array' holds a global constructor"));

    auto vtable = base;
    replace_string(vtable, "on_execve", "_ZTV3foo");
    EXPECT_THAT(error_of(vtable), HasSubstr("'_ZTV3foo' is a virtual function table"));
}

TEST(ObjectErrors, ProgramInUnknownSection) {
    auto data = bpfxx::detail::read_file(object_path("maps_cxx.bpf.o"));
    replace_string(data, "raw_tp/sys_enter", "not_a_prog_type");
    auto msg = error_of(data);
    EXPECT_THAT(msg, HasSubstr("'not_a_prog_type'"));
    EXPECT_THAT(msg, HasSubstr("program 'on_sys_enter'"));
    EXPECT_THAT(msg, HasSubstr("names no program type"));
}

TEST(ObjectErrors, UnknownMapAttribute) {
    auto data = bpfxx::detail::read_file(object_path("maps_cxx.bpf.o"));
    replace_string(data, "max_entries", "max_entriez");
    auto msg = error_of(data);
    EXPECT_THAT(msg, HasSubstr("map 'counts' has unknown attribute 'max_entriez'"));
}

TEST(ObjectErrors, MissingLicenseTerminator) {
    auto data = bpfxx::detail::read_file(object_path("maps_cxx.bpf.o"));
    // "Dual MIT/GPL\0" is the whole license section: drop the terminator.
    std::string needle("Dual MIT/GPL");
    needle.push_back('\0');
    auto* begin = reinterpret_cast<char*>(data.data());
    auto* at = std::search(begin, begin + data.size(), needle.begin(), needle.end());
    ASSERT_NE(at, begin + data.size());
    at[needle.size() - 1] = 'X';
    EXPECT_THAT(error_of(data), HasSubstr("license string is not NUL-terminated"));
}

TEST(ObjectErrors, TruncatedObjectsNeverCrash) {
    auto data = bpfxx::detail::read_file(object_path("maps_cxx.bpf.o"));
    for (std::size_t n = 0; n < data.size(); n += 7) {
        std::vector<std::byte> part(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_NE(error_of(part), "(no error)") << "prefix of " << n << " bytes";
    }
}

TEST(Object, CoreRelocationsOfACxxObject) {
    // execsnoop reads task->real_parent->tgid with BPFXX_CORE_READ.
    auto o = bpfxx::object::open(object_path("execsnoop.bpf.o"));
    const auto& enter = program_named(o, "execsnoop_enter");
    ASSERT_EQ(enter.core_relos.size(), 2u);
    const auto& b = *o.btf();
    EXPECT_EQ(b.type(enter.core_relos[0].type_id).name(), "task_struct");
    EXPECT_EQ(b.string_at(enter.core_relos[0].access_str_off), "0:1");  // real_parent
    EXPECT_EQ(b.string_at(enter.core_relos[1].access_str_off), "0:0");  // tgid
    EXPECT_EQ(enter.core_relos[0].kind, bpfxx::btf::core_relo_kind::field_byte_offset);
    EXPECT_LT(enter.core_relos[0].insn_off, enter.core_relos[1].insn_off);
}

TEST(ObjectErrors, CoreRelocationAgainstAMissingType) {
    auto data = bpfxx::detail::read_file(object_path("execsnoop.bpf.o"));
    // The first record's type id: .BTF.ext header, then the CO-RE
    // sub-section (record size, section name, count, then insn_off, type_id).
    bpfxx::elf::file f(data);
    const auto* ext = f.find_section(".BTF.ext");
    ASSERT_NE(ext, nullptr);
    auto at = static_cast<std::size_t>(ext->data.data() - data.data());
    std::uint32_t hdr_len = 0, core_off = 0;
    std::memcpy(&hdr_len, data.data() + at + 4, 4);
    std::memcpy(&core_off, data.data() + at + 24, 4);
    std::size_t type_id_at = at + hdr_len + core_off + 4 + 8 + 4;
    std::uint32_t bogus = 50000;
    std::memcpy(data.data() + type_id_at, &bogus, 4);
    EXPECT_THAT(error_of(data), HasSubstr("CO-RE relocation in 'tracepoint/syscalls/sys_enter_execve'"));
    EXPECT_THAT(error_of(data), HasSubstr("refers to BTF type 50000, which the object does not have"));
}

// A name that would drive the terminal (set its title, turn text red) is
// refused with the name escaped, in section names, symbol names and BTF.
TEST(ObjectErrors, NamesWithControlCharactersAreRefusedEscaped) {
    const auto base = bpfxx::detail::read_file(object_path("maps_cxx.bpf.o"));
    const std::string_view escape = "\x1b]0;PW\a";
    for (auto [name, where] : {std::pair<std::string_view, std::string_view>{"license", "ELF section ["},
                               {"on_execve", "symbol"},
                               {"event", "BTF string section"}}) {
        auto data = base;
        replace_string(data, name, escape.substr(0, std::min(escape.size(), name.size())));
        const auto what = error_of(data);
        EXPECT_THAT(what, HasSubstr(std::string(where))) << name;
        EXPECT_THAT(what, HasSubstr(name == "event" ? "byte 0x1b" : "'\\x1b]0;P")) << what;
        EXPECT_EQ(what.find('\x1b'), std::string::npos) << "the message holds the raw escape";
    }
}

// bpfxx's context types reach BTF complete even when a program only passes
// its context along (a FWD made the verifier log "size cannot be determined").
TEST(Object, ContextTypesReachBtfAsCompleteStructs) {
    auto obj = bpfxx::object::open(object_path("context_passed.bpf.o"));
    ASSERT_EQ(obj.programs().size(), 4u);
    const auto& b = *obj.btf();
    for (const auto& p : obj.programs()) {
        ASSERT_FALSE(p.func_info.empty()) << p.name;
        auto proto = b.type(b.type(p.func_info[0].type_id).type());
        ASSERT_EQ(proto.vlen(), 1u) << p.name;
        auto ptr = b.type(b.resolve(proto.param_at(0).type));
        ASSERT_EQ(ptr.kind(), bpfxx::btf::kind::ptr) << p.name;
        auto ctx = b.type(b.resolve(ptr.type()));
        EXPECT_EQ(ctx.kind(), bpfxx::btf::kind::struct_) << p.name << ": " << ctx.name();
        EXPECT_GT(ctx.size(), 0u) << p.name;
    }
}

// parse() of a temporary vector keeps the bytes: every view (names,
// sections, instructions) stays valid after the full expression (under ASan
// a dangling view would be a use after free).
TEST(Object, ParseOfATemporaryOwnsItsBytes) {
    auto obj = bpfxx::object::parse(bpfxx::detail::read_file(object_path("maps_cxx.bpf.o")), "maps_cxx.bpf.o");
    auto moved = std::move(obj);
    ASSERT_NE(moved.find_program("on_execve"), nullptr);
    EXPECT_EQ(moved.find_program("on_execve")->section, "tracepoint/syscalls/sys_enter_execve");
    EXPECT_GT(moved.find_program("on_execve")->insn_count(), 0u);
    EXPECT_EQ(moved.bytes().size(), std::filesystem::file_size(object_path("maps_cxx.bpf.o")));
}

TEST(ObjectErrors, MissingFile) {
    try {
        (void)bpfxx::object::open("/nonexistent/x.bpf.o");
        FAIL() << "no error";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot open BPF object '/nonexistent/x.bpf.o'"));
        EXPECT_EQ(e.code(), ENOENT);
    }
}

}  // namespace
