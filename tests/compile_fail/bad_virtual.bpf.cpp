// SPDX-License-Identifier: MIT OR GPL-2.0-only

// Must be REJECTED by the build's object check: a virtual call compiles for
// -target bpf, leaving vtables (_ZTV*) in the object and an indirect call
// (callx, opcode 0x8d) that the verifier refuses ("unknown opcode 8d").

#include <bpfxx/kernel.hpp>

struct shape {
    u32 side;
    constexpr explicit shape(u32 s) : side(s) {}
    virtual u32 area() const { return 0; }
};

struct square final : shape {
    constexpr explicit square(u32 s) : shape(s) {}
    u32 area() const override { return side * side; }
};

struct triangle final : shape {
    constexpr explicit triangle(u32 s) : shape(s) {}
    u32 area() const override { return side * side / 2; }
};

// Constant-initialised (no global constructor); the table lives in .data
// and may change at run time, so the compiler cannot devirtualise the call.
extern "C" {
square the_square{3};
triangle the_triangle{4};
shape* shapes[2] = {&the_square, &the_triangle};
}

BPFXX_PROGRAM("raw_tp/sys_enter")
int on_sys_enter_virtual(bpfxx::raw_tracepoint_args* ctx) {
    const shape* s = shapes[ctx->args[1] & 1];
    return static_cast<int>(s->area());
}

BPFXX_LICENSE("Dual MIT/GPL");
