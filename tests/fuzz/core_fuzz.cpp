// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: the CO-RE relocator on untrusted objects. Input layout
// as btf_ext_fuzz's: u32 length of the .BTF blob, the .BTF section, then
// .BTF.ext. Every CO-RE record is resolved against the object's own BTF
// and against a small fixed "kernel", then patched into instructions made
// from the input, and described. Anything but bpfxx::error (a crash, a
// sanitizer report, another exception, a hang) is a finding.
#include "fuzz_input.hpp"

#include <bpfxx/btf/btf.hpp>
#include <bpfxx/btf/ext.hpp>
#include <bpfxx/core/relocate.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

volatile std::size_t observed;  // keeps the work from being optimised away

// [1] int, [2] struct task_struct { int pid; struct task_struct* parent; },
// [3] ptr -> [2], [4] enum pid_type { PIDTYPE_PID = 0, PIDTYPE_MAX = 4 }.
const bpfxx::btf::btf& fixed_target() {
    static const bpfxx::btf::btf target = [] {
        const char strs[] = "\0int\0task_struct\0pid\0parent\0pid_type\0PIDTYPE_PID\0PIDTYPE_MAX";
        const std::uint32_t types[] = {
            1,  1u << 24,        4,  (1u << 24) | 32,  // [1] INT
            5,  (4u << 24) | 2,  16, 17, 1, 0,         // [2] STRUCT task_struct: pid
            21, 3,               64,                   //     parent
            0,  2u << 24,        2,                    // [3] PTR -> 2
            28, (6u << 24) | 2,  4,  37, 0, 49, 4,     // [4] ENUM pid_type
        };
        return bpfxx::btf::btf(bpfxx_fuzz::btf_blob(types, strs));
    }();
    return target;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bpfxx_fuzz::btf_and_ext in;
    if (!bpfxx_fuzz::split_btf_and_ext(data, size, in)) return 0;
    try {
        const bpfxx::btf::btf local(in.btf);
        const bpfxx::btf::ext ext(in.ext, local.strings());
        const bpfxx::core::target self(local, "self");
        const bpfxx::core::target kernel(fixed_target());
        bpfxx::core::match_cache cache;
        // Instructions to patch: the input's own bytes, reused round-robin.
        std::vector<bpfxx::insn> insns(8);
        std::memcpy(insns.data(), data, std::min<std::size_t>(size, insns.size() * sizeof(bpfxx::insn)));
        std::size_t sink = 0;
        for (const auto& sec : ext.core_relos())
            for (const auto& r : sec.records) {
                for (const auto* t : {&self, &kernel}) {
                    try {
                        auto res = bpfxx::core::resolve(local, r, *t, t == &self ? &cache : nullptr);
                        sink += res.new_value + res.reason.size();
                        auto copy = insns;
                        bpfxx::core::patch(copy, r.insn_off % copy.size(), res);
                        sink += static_cast<std::uint32_t>(copy[0].imm);
                    } catch (const bpfxx::error&) {
                    }
                }
                try {
                    sink += bpfxx::core::describe(local, r).size();
                } catch (const bpfxx::error&) {
                }
            }
        observed = sink;
    } catch (const bpfxx::error&) {
    }
    return 0;
}
