// SPDX-License-Identifier: MIT OR Apache-2.0
// A user-side event whose fields sit where the kernel's do, with the right
// sizes, but one of them is a float where the kernel has an unsigned
// integer: must not compile, and the diagnostic names the field.
#include "maps_cxx.skel.hpp"

struct event {  // kernel: seq, ts_ns, pid, uid (u32), comm[16], filename[64]
    bpfxx::u64 seq;
    bpfxx::u64 ts_ns;
    float pid;
    bpfxx::u32 uid;
    char comm[16];
    char filename[64];
};

void use(maps_cxx::skeleton& skel) {
    (void)skel.maps.events.poll<event>(std::chrono::milliseconds(0), [](const event&) {});
}
