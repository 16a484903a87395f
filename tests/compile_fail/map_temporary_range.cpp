// SPDX-License-Identifier: MIT OR Apache-2.0
// A walk over a temporary handle would run on a descriptor closed before the
// loop body: keys()/items() of an rvalue are deleted.
#include <bpfxx/map.hpp>

int main() {
    int n = 0;
    for (auto k : bpfxx::hash_map<bpfxx::u32, bpfxx::u64>::open(3).keys()) n += static_cast<int>(k);
    return n;
}
