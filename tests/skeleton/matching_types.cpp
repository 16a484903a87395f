// SPDX-License-Identifier: MIT OR Apache-2.0
// The shared types of maps_cxx, as user space declares them (event.hpp),
// pass the skeleton's layout checks.
#include "event.hpp"
#include "maps_cxx.skel.hpp"

void use(maps_cxx::skeleton& skel) {
    (void)skel.maps.events.poll<maps_cxx::event>(std::chrono::milliseconds(0), [](const maps_cxx::event&) {});
    (void)skel.maps.configs.typed<maps_cxx::config>();
    (void)skel.maps.counts.typed<bpfxx::u32, bpfxx::u64>();
}
