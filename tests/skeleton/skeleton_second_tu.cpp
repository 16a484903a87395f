// SPDX-License-Identifier: MIT OR Apache-2.0
// Skeleton headers are safe to include from several translation units.
#include "api_cxx.skel.hpp"
#include "maps_cxx.skel.hpp"

#include <bpfxx/object.hpp>  // skeleton::object()

std::size_t maps_cxx_program_count_from_second_tu() {
    auto skel = maps_cxx::skeleton::open();
    return skel.object().programs().size();
}
