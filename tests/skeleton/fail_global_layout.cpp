// SPDX-License-Identifier: MIT OR Apache-2.0
// A user-side declaration of a global's struct type with the fields in
// another order: as<T>() must not compile, naming the type and field.
#include "api_cxx.skel.hpp"

struct wrong_sample {  // kernel: ts_ns, pid, cpu
    bpfxx::u32 pid;
    bpfxx::u32 cpu;
    bpfxx::u64 ts_ns;
};

void use(api_cxx::skeleton& skel) {
    (void)bpfxx::skel::as<wrong_sample>(skel.rodata().sample_template);
}
