// SPDX-License-Identifier: MIT OR Apache-2.0
#include "probe.skel.hpp"

#include <bpfxx/object.hpp>

#include <cstdio>

int main() {
    auto obj = bpfxx::object::open(PROBE_OBJECT);
    const auto* prog = obj.find_program("count_getpid");
    const auto* map = obj.find_map("hits");
    if (prog == nullptr || map == nullptr || prog->type != bpfxx::program_type::tracepoint ||
        map->type != bpfxx::map_type::hash || map->key_size != 4 || map->value_size != 8 ||
        map->max_entries != 64) {
        std::fprintf(stderr, "consumer: unexpected object contents\n");
        return 1;
    }
    // The generated skeleton opens (no privilege needed) with typed members.
    auto skel = probe::skeleton::open();
    if (skel.programs.count_getpid.name() != "count_getpid" || skel.maps.hits.name() != "hits" ||
        sizeof(probe::skeleton::hits_map::value_type) != 8) {
        std::fprintf(stderr, "consumer: unexpected skeleton\n");
        return 1;
    }
    std::printf("consumer: ok\n");
    return 0;
}
