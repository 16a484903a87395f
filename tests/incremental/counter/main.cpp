// SPDX-License-Identifier: MIT OR Apache-2.0
#include "counter.hpp"
#include "counter.skel.hpp"

#include <cstdio>

int main() {
    auto skel = counter::skeleton::open();
    std::printf("%s: %zu program(s), map '%.*s'\n", "counter", std::size_t{1},
                static_cast<int>(skel.maps.hits.name().size()), skel.maps.hits.name().data());
    return 0;
}
