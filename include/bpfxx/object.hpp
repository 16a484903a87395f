// SPDX-License-Identifier: MIT OR Apache-2.0
// The parsed model of a BPF object file: what clang emits for the libbpf
// conventions, from C or C++ sources. Nothing here touches the kernel; the
// loader (bpfxx/loader.hpp) turns an object into kernel objects.
//
// This header declares; the parser is in bpfxx/impl/object.ipp (see
// bpfxx/config.hpp for header-only and separate compilation). The ELF and
// BTF readers behind elf() and btf() are in bpfxx/elf/elf.hpp and
// bpfxx/btf/btf.hpp: include them to look inside.
#pragma once
#ifdef __bpf__
#error "bpfxx/object.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/btf/records.hpp>
#include <bpfxx/section.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/shared/map_types.hpp>
#include <bpfxx/shared/program_types.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE

namespace elf {
class file;
}
namespace btf {
class btf;
class ext;
}  // namespace btf
namespace detail {
class object_reader;
}

// Where a global-data map comes from. libbpf creates one internal array map
// per global data section; so does bpfxx.
enum class global_section : std::uint8_t { none, rodata, data, bss, kconfig };

constexpr const char* to_string(global_section g) noexcept {
    switch (g) {
    case global_section::none: return "none";
    case global_section::rodata: return "rodata";
    case global_section::data: return "data";
    case global_section::bss: return "bss";
    case global_section::kconfig: return "kconfig";
    }
    return "unknown";
}

// libbpf's LIBBPF_PIN_* values of the `pinning` map attribute.
enum class map_pinning : std::uint32_t { none = 0, by_name = 1 };

// A map the object defines: BTF-defined (.maps), legacy (maps), or the
// internal array behind a global data section.
struct map_definition {
    std::string name;  // symbol name, or the section name for global data
    std::uint32_t section_index = 0;
    std::uint64_t offset = 0;  // of the definition inside its section
    map_type type = map_type::unspec;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    std::uint32_t numa_node = 0;
    std::uint64_t map_extra = 0;
    map_pinning pinning = map_pinning::none;
    std::uint32_t btf_key_type = 0;    // 0 when unknown
    std::uint32_t btf_value_type = 0;  // for global data: the DATASEC
    std::uint32_t btf_definition = 0;  // the map definition struct (BTF-defined maps)
    std::uint32_t btf_record_type = 0; // what a ring buffer carries (BPFXX_RECORD_TYPE), 0 when unknown
    global_section global = global_section::none;
    std::string_view section_name;     // ELF section (".maps", ".rodata", ...)
    std::span<const std::byte> initial_data;  // global data contents; empty for .bss
    bool legacy = false;               // from the pre-BTF "maps" section
    std::shared_ptr<const map_definition> inner;  // map-in-map template ("values" member)
};

// A variable in a global data section, addressable from user space.
struct global_variable {
    std::string_view name;
    std::uint32_t map_index = 0;  // index into object::maps()
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint32_t btf_type = 0;   // the VAR's type, 0 without BTF
    bool is_static = false;
};

// An extern the loader resolves against the kernel.
struct extern_symbol {
    enum class kind : std::uint8_t { kconfig, ksym, kfunc };
    std::string_view name;
    enum kind kind = kind::ksym;
    std::uint32_t btf_type = 0;
    bool weak = false;
    // kconfig: where the value lives in the .kconfig map, laid out as libbpf
    // lays it out (descending alignment, then ascending size, then name).
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
};

constexpr const char* to_string(enum extern_symbol::kind k) noexcept {
    switch (k) {
    case extern_symbol::kind::kconfig: return "kconfig";
    case extern_symbol::kind::ksym: return "ksym";
    case extern_symbol::kind::kfunc: return "kfunc";
    }
    return "unknown";
}

// A relocation of one instruction of a program, resolved to what it names.
struct program_relocation {
    enum class kind : std::uint8_t {
        map,              // ld_imm64 of a map: imm becomes the map fd
        global_data,      // ld_imm64 of a global: map fd + offset into its value
        subprogram_call,  // call of a BPF function: imm becomes a relative jump
        subprogram_address,  // ld_imm64 of a function address (bpf_loop callbacks)
        extern_variable,  // ld_imm64 of a kconfig/ksym extern
        extern_call,      // call of a kfunc
    };
    kind kind = kind::map;
    std::uint32_t insn = 0;             // instruction index within the program
    std::string_view symbol;            // the ELF symbol (empty for section symbols)
    std::uint32_t map_index = 0;        // map, global_data
    std::uint64_t offset = 0;           // global_data: offset into the map value
    std::uint32_t target_section = 0;   // subprogram_*: ELF section of the callee
    std::uint64_t target_offset = 0;    // subprogram_*: byte offset of the callee in it
    std::uint32_t extern_index = 0;     // extern_*: index into object::externs()
};

constexpr const char* to_string(enum program_relocation::kind k) noexcept {
    switch (k) {
    case program_relocation::kind::map: return "map";
    case program_relocation::kind::global_data: return "global_data";
    case program_relocation::kind::subprogram_call: return "call";
    case program_relocation::kind::subprogram_address: return "func_addr";
    case program_relocation::kind::extern_variable: return "extern_var";
    case program_relocation::kind::extern_call: return "kfunc_call";
    }
    return "unknown";
}

// One function of the object as the file defines it: an entry program (in
// a SEC() section) or a subprogram (in .text, or a COMDAT .text.* section
// that clang emits for non-inlined C++ inline and template functions). The
// loaded form is bpfxx::loaded_program.
struct program_definition {
    std::string_view name;
    std::string_view section;
    std::uint32_t section_index = 0;
    std::uint64_t offset = 0;  // byte offset inside the section
    [[nodiscard]] std::span<const insn> insns() const noexcept { return insns_; }
    [[nodiscard]] std::size_t insn_count() const noexcept { return insns_.size(); }

    bool is_subprogram = false;
    program_type type = program_type::unspec;
    attach_type expected_attach = static_cast<attach_type>(0);
    std::string_view attach_target;  // what follows the SEC() prefix
    bool sleepable = false;
    const section_def* definition = nullptr;  // null for subprograms

    std::vector<program_relocation> relocations;
    // BTF.ext records with insn_off converted to an instruction index
    // relative to this function.
    std::vector<btf::func_info_record> func_info;
    std::vector<btf::line_info_record> line_info;
    std::vector<btf::core_relo_record> core_relos;

private:
    friend class detail::object_reader;
    std::vector<insn> insns_;  // a copy: raw section bytes need not be aligned
};

// A construct C++ compiles into a BPF object but the kernel cannot run.
// object::parse refuses an object that has any; build tools list them all
// (find_unrunnable) with the remedy of each kind once.
struct unrunnable {
    enum class kind : std::uint8_t {
        global_constructor,  // .init_array, .ctors: never run
        global_destructor,   // .fini_array, .dtors, __cxa_atexit: never run
        unwind_tables,       // .eh_frame, .gcc_except_table
        virtual_function,    // a vtable, or an indirect call (callx)
        rtti,                // type_info objects and names
        heap,                // operator new / delete
        guarded_static,      // __cxa_guard_*: a thread-safe static local
        runtime_call,        // other C++ runtime calls (exceptions, ...)
        undefined_function,  // a C++ function declared but never defined
    };
    enum kind kind;
    std::string finding;  // "section [5] '.init_array' holds a global constructor"
    std::string symbol;   // the (mangled) symbol, when one is to blame
    std::string source;   // "file.cpp:12: <line>" of a use, when line info says
};

// What a user should do about a kind of unrunnable construct.
[[nodiscard]] BPFXX_DECL const char* remedy(enum unrunnable::kind k) noexcept;

// Every unrunnable construct in an object file, in file order; empty when
// there is none. Throws bpfxx::error only when the bytes are no ELF file.
[[nodiscard]] BPFXX_DECL std::vector<unrunnable> find_unrunnable(std::span<const std::byte> object_file);
// The same for the object file at `path`.
[[nodiscard]] BPFXX_DECL std::vector<unrunnable> find_unrunnable(const std::string& path);

// A parsed BPF object. Move-only. Every view it hands out (names, sections,
// instructions) points into the object's bytes, which it owns or, from
// parse(std::span), borrows.
class object {
public:
    // Parses an object held in memory without copying it: `bytes` must
    // outlive the object (static data such as a skeleton's embedded object).
    [[nodiscard]] BPFXX_DECL static object parse(std::span<const std::byte> bytes, std::string name = "object");
    // Parses and keeps the bytes: parse(read_file(path)) is safe.
    [[nodiscard]] BPFXX_DECL static object parse(std::vector<std::byte>&& bytes, std::string name = "object");
    // Reads and parses an object file; the object owns the bytes.
    [[nodiscard]] BPFXX_DECL static object open(const std::string& path);

    BPFXX_DECL object(object&&) noexcept;
    BPFXX_DECL object& operator=(object&&) noexcept;
    object(const object&) = delete;
    object& operator=(const object&) = delete;
    BPFXX_DECL ~object();

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    // The object file's bytes.
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return bytes_; }
    [[nodiscard]] const elf::file& elf() const noexcept { return *elf_; }
    // The object's BTF as clang wrote it (not yet sanitised); null without .BTF.
    [[nodiscard]] const btf::btf* btf() const noexcept { return btf_.get(); }
    [[nodiscard]] const btf::ext* btf_ext() const noexcept { return ext_.get(); }

    [[nodiscard]] const std::vector<program_definition>& programs() const noexcept { return programs_; }
    [[nodiscard]] const std::vector<program_definition>& subprograms() const noexcept { return subprograms_; }
    [[nodiscard]] const std::vector<map_definition>& maps() const noexcept { return maps_; }
    [[nodiscard]] const std::vector<global_variable>& globals() const noexcept { return globals_; }
    [[nodiscard]] const std::vector<extern_symbol>& externs() const noexcept { return externs_; }
    [[nodiscard]] std::string_view license() const noexcept { return license_; }
    [[nodiscard]] std::optional<std::uint32_t> kernel_version() const noexcept { return kernel_version_; }

    [[nodiscard]] BPFXX_DECL const program_definition* find_program(std::string_view name) const noexcept;
    [[nodiscard]] BPFXX_DECL const map_definition* find_map(std::string_view name) const noexcept;
    [[nodiscard]] BPFXX_DECL const global_variable* find_global(std::string_view name) const noexcept;
    // The subprogram or program whose code starts at `offset` of `section`.
    [[nodiscard]] BPFXX_DECL const program_definition* function_at(std::uint32_t section,
                                                                   std::uint64_t offset) const noexcept;

private:
    friend class detail::object_reader;
    object() = default;

    std::string name_;
    std::vector<std::byte> storage_;  // the bytes when owned (moving keeps the buffer)
    std::span<const std::byte> bytes_;
    std::unique_ptr<elf::file> elf_;
    std::unique_ptr<btf::btf> btf_;
    std::unique_ptr<btf::ext> ext_;
    // Both sorted by (section, offset): read_functions() adds them so.
    std::vector<program_definition> programs_;
    std::vector<program_definition> subprograms_;
    std::vector<map_definition> maps_;
    std::vector<global_variable> globals_;
    std::vector<extern_symbol> externs_;
    std::string_view license_;
    std::optional<std::uint32_t> kernel_version_;
};

BPFXX_END_NAMESPACE

#ifndef BPFXX_SEPARATE_COMPILATION
#include <bpfxx/impl/object.ipp>
#endif
