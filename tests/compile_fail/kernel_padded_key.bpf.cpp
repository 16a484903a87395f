// SPDX-License-Identifier: MIT OR Apache-2.0
// A key with padding: the kernel hashes every byte, padding included.
#include <bpfxx/kernel.hpp>

struct padded_key {
    bpfxx::u8 proto;
    bpfxx::u32 addr;  // three padding bytes before it
};

BPFXX_MAP(flows, bpfxx::hash_map<padded_key, bpfxx::u64, 16>);
BPFXX_LICENSE("GPL");
