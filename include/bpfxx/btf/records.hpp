// SPDX-License-Identifier: MIT OR Apache-2.0
// The records of a .BTF.ext section (func_info, line_info, CO-RE
// relocations), as the object model and the loader hold them; the parser
// is bpfxx/btf/ext.hpp.
#pragma once
#ifdef __bpf__
#error "bpfxx/btf/records.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <cstdint>

BPFXX_BEGIN_NAMESPACE
namespace btf {

// enum bpf_core_relo_kind (uapi bpf.h); type_matches since kernel 6.2.
enum class core_relo_kind : std::uint32_t {
    field_byte_offset = 0,
    field_byte_size,
    field_exists,
    field_signed,
    field_lshift_u64,
    field_rshift_u64,
    type_id_local,
    type_id_target,
    type_exists,
    type_size,
    enumval_exists,
    enumval_value,
    type_matches,
};

constexpr const char* to_string(core_relo_kind kind) noexcept {
    switch (kind) {
        case core_relo_kind::field_byte_offset: return "byte_off";
        case core_relo_kind::field_byte_size: return "byte_sz";
        case core_relo_kind::field_exists: return "field_exists";
        case core_relo_kind::field_signed: return "signed";
        case core_relo_kind::field_lshift_u64: return "lshift_u64";
        case core_relo_kind::field_rshift_u64: return "rshift_u64";
        case core_relo_kind::type_id_local: return "local_type_id";
        case core_relo_kind::type_id_target: return "target_type_id";
        case core_relo_kind::type_exists: return "type_exists";
        case core_relo_kind::type_size: return "type_size";
        case core_relo_kind::enumval_exists: return "enumval_exists";
        case core_relo_kind::enumval_value: return "enumval_value";
        case core_relo_kind::type_matches: return "type_matches";
    }
    return "unknown";
}

// insn_off is in bytes from the start of the ELF section, as in the file
// (the kernel's bpf_func_info counts instructions instead).
struct func_info_record {
    std::uint32_t insn_off;
    std::uint32_t type_id;
};

struct line_info_record {
    std::uint32_t insn_off, file_name_off, line_off;
    std::uint32_t line, column;  // line_col split: line = v >> 10, column = v & 0x3ff
};

struct core_relo_record {
    std::uint32_t insn_off, type_id, access_str_off;
    core_relo_kind kind;
};

}  // namespace btf
BPFXX_END_NAMESPACE
