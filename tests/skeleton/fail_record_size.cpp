// SPDX-License-Identifier: MIT OR Apache-2.0
// A user-side event with a shorter filename than the kernel's.
#include "maps_cxx.skel.hpp"

struct event {
    bpfxx::u64 seq;
    bpfxx::u64 ts_ns;
    bpfxx::u32 pid;
    bpfxx::u32 uid;
    char comm[16];
    char filename[32];
};

void use(maps_cxx::skeleton& skel) {
    (void)skel.maps.events.consume<event>([](const event&) {});
}
