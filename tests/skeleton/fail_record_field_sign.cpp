// SPDX-License-Identifier: MIT OR Apache-2.0
// The same with a signed field where the kernel's is unsigned.
#include "maps_cxx.skel.hpp"

struct event {  // kernel: seq, ts_ns, pid, uid (u32), comm[16], filename[64]
    bpfxx::u64 seq;
    bpfxx::u64 ts_ns;
    bpfxx::u32 pid;
    bpfxx::s32 uid;
    char comm[16];
    char filename[64];
};

void use(maps_cxx::skeleton& skel) {
    (void)skel.maps.events.poll<event>(std::chrono::milliseconds(0), [](const event&) {});
}
