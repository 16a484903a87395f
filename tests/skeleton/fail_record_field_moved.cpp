// SPDX-License-Identifier: MIT OR Apache-2.0
// A user-side event whose fields are in another order than the kernel's:
// must not compile, and the diagnostic names the field.
#include "maps_cxx.skel.hpp"

struct event {  // kernel: seq, ts_ns, pid, uid, comm[16], filename[64]
    bpfxx::u64 seq;
    bpfxx::u64 ts_ns;
    bpfxx::u32 uid;
    bpfxx::u32 pid;
    char comm[16];
    char filename[64];
};

void use(maps_cxx::skeleton& skel) {
    (void)skel.maps.events.poll<event>(std::chrono::milliseconds(0), [](const event&) {});
}
