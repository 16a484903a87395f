// SPDX-License-Identifier: MIT OR Apache-2.0
// Must not compile: a pointer key is an address in this process, meaningless
// to the kernel and to the BPF program. bpfxx::map_key refuses it.
#include <bpfxx/map.hpp>

int main() {
    auto m = bpfxx::hash_map<const char*, bpfxx::u64>::open(3);
    return m.fd();
}
