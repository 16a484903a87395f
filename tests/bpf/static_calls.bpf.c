// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* Static functions in .text calling each other: clang resolves the call
 * from outer() to inner() itself and emits no relocation for it (only the
 * call from the program into .text is relocated). libbpf follows such calls
 * by their offset; so must bpfxx. */

#define SEC(name) __attribute__((section(name), used))

static __attribute__((noinline)) int inner(int x)
{
	return x * 3 + (x > 7);
}

static __attribute__((noinline)) int outer(int x)
{
	return inner(x) + (x > 3);
}

/* args[0] = x: returns outer(x) + 1 = 3x + (x > 7) + (x > 3) + 1. */
SEC("raw_tp/sys_enter")
int chained_calls(unsigned long long *ctx)
{
	return outer((int)ctx[0]) + 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
