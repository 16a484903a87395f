// SPDX-License-Identifier: MIT OR Apache-2.0
// Must not compile: a value with a user-provided copy constructor is not
// trivially copyable, and the kernel copies map values byte by byte.
// bpfxx::map_value refuses it.
#include <bpfxx/map.hpp>

struct counter {
    bpfxx::u64 n = 0;
    counter() = default;
    counter(const counter& other) : n(other.n) {}
};

int main() {
    auto m = bpfxx::hash_map<bpfxx::u32, counter>::open(3);
    return m.fd();
}
