// SPDX-License-Identifier: MIT OR Apache-2.0
// CO-RE against a kernel module's type (tests/kernel/core_module_test.cpp):
// struct veth_priv is defined by the veth module, so its BTF lives in
// /sys/kernel/btf/veth (split BTF on top of vmlinux's), not in vmlinux.
#include <bpfxx/kernel.hpp>

struct veth_priv {
    void* peer;
    unsigned int requested_headroom;
};

extern "C" {
u64 module_values[3];
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int module_types([[maybe_unused]] void* ctx) {
    module_values[0] = BPFXX_CORE_TYPE_EXISTS(veth_priv);
    module_values[1] = BPFXX_CORE_TYPE_SIZE(veth_priv);
    module_values[2] = BPFXX_CORE_FIELD_OFFSET(veth_priv, requested_headroom);
    return 0;
}

BPFXX_LICENSE("GPL");
