// SPDX-License-Identifier: MIT OR Apache-2.0
// probe_read_kernel(dst, p[i]) where &p[i] was meant: the source must point
// at a T.
#include <bpfxx/kernel.hpp>

BPFXX_PROGRAM("raw_tp/sys_enter")
int read_element(void* ctx) {
    const char* const* names = static_cast<const char* const*>(ctx);
    const char* name = nullptr;
    return static_cast<int>(bpfxx::probe_read_kernel(name, names[1]));
}
BPFXX_LICENSE("GPL");
