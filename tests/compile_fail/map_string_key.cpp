// SPDX-License-Identifier: MIT OR Apache-2.0
// Must not compile: a std::string owns heap memory, so its bytes are not its
// value and the kernel cannot hash them. bpfxx::map_key refuses it.
#include <bpfxx/map.hpp>

#include <string>

int main() {
    auto m = bpfxx::hash_map<std::string, int>::open(3);
    return m.fd();
}
