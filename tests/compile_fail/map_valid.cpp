// SPDX-License-Identifier: MIT OR Apache-2.0
// Must compile: the control for the map_* compile-failure tests, so that
// they fail for their misuse and not for a broken include path or header.
#include <bpfxx/map.hpp>

#include <string>

struct flow {
    bpfxx::u32 saddr;
    bpfxx::u32 daddr;
    bpfxx::u16 sport;
    bpfxx::u16 dport;
    bpfxx::u32 proto;
};

int main() {
    auto m = bpfxx::hash_map<flow, bpfxx::u64>::open(3);
    auto a = bpfxx::array_map<flow>::open(4);
    auto p = bpfxx::percpu_hash_map<bpfxx::u32, bpfxx::u64>::open(5);
    auto q = bpfxx::percpu_array_map<bpfxx::u64>::open(6);
    bpfxx::u64 total = 0;
    for (const auto& [k, v] : m.items()) total += v + k.sport;
    for (const auto& v : a.values()) total += v.proto;
    for (const auto& [k, per_cpu] : p.items()) total += per_cpu.size() + k;
    for (const auto& [i, per_cpu] : q.items()) total += per_cpu.size() + i;
    return static_cast<int>(total + m.count().value_or(0) + p.count().value_or(0));
}
