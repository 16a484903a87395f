// SPDX-License-Identifier: MIT OR Apache-2.0
// counts is hash_map<u32, u64>: a u64 key must not compile.
#include "maps_cxx.skel.hpp"

void use(maps_cxx::skeleton& skel) {
    (void)skel.maps.counts.typed<bpfxx::u64, bpfxx::u64>();
}
