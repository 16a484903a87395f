// SPDX-License-Identifier: MIT OR GPL-2.0-only

/* core_kinds.bpf.cpp in plain C, the way libbpf users write CO-RE: structs
 * with the preserve_access_index attribute (so p->x itself is relocated) and
 * clang's builtins spelled out. Same types, same program names, same `out`
 * and `ids` globals; the layout and the per-program notes at the top of
 * core_kinds.bpf.cpp apply, with these differences in the code clang emits:
 *   - FIELD_EXISTS / TYPE_EXISTS / TYPE_MATCHES / ENUMVAL_EXISTS values are
 *     stored as they are (no != 0), so each is a mov (or ld_imm64) + store;
 *   - ldx_offset loads p->x and p->in.b with plain C member access;
 *   - read_chain reads p->next->y with two bpf_probe_read_kernel calls on
 *     relocated addresses (&p->next, &next->y);
 *   - read_chain's stack copy `in` is a preserve_access_index struct too,
 *     so reading in.b is one more record: an LDX from the stack with a
 *     relocated offset, "0:1" of struct core_inner (what libbpf users get);
 *   - bitfield_probe/bitfield_direct are written out from the builtins and
 *     branch on SIGNED before shifting.
 * Not meant to be loaded as is: the target types exist in no kernel. */

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef long long __s64;

#define SEC(name) __attribute__((section(name), used))
#define CORE __attribute__((preserve_access_index))

static long (*const bpf_probe_read_kernel)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)113;
static long (*const bpf_probe_read_kernel_str)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)115;

struct raw_tp_args {
	__u64 args[2];
};

struct core_inner {
	int a;
	int b;
} CORE;
typedef struct core_inner core_inner_t;

struct core_point {
	int x;
	long y;
	unsigned flags : 3;
	int sflag : 5;
	char name[8];
	core_inner_t in;
	union {
		int u_int;
		unsigned u_uint;
	};
	long arr[4];
	struct core_point *next;
} CORE;

struct core_point___v2 {
	long y;
	int x;
	int added;
} CORE;

struct core_missing {
	int z;
} CORE;

enum core_color { RED = 1, GREEN = 2 };
enum core_color___v2 { BLUE = 3 };
enum core_scoped { BIG = 0x100000000LL };
typedef unsigned int core_u32_t;

_Static_assert(__builtin_offsetof(struct core_point, name) == 17 && __builtin_offsetof(struct core_point, in) == 28 &&
		       __builtin_offsetof(struct core_point, arr) == 40 && __builtin_offsetof(struct core_point, next) == 72 &&
		       sizeof(struct core_point) == 80,
	       "the layout core_kinds.bpf.cpp documents");

/* Relocation kinds as clang's builtins number them. */
enum { FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64 };
enum { TYPE_ID_LOCAL, TYPE_ID_TARGET };
enum { TYPE_EXISTS, TYPE_SIZE, TYPE_MATCHES };
enum { ENUMVAL_EXISTS, ENUMVAL_VALUE };

#define FIELD(type, field) (((type *)0)->field)

__u64 out[8];
__u32 ids[4];

static __attribute__((always_inline)) struct core_point *arg(const struct raw_tp_args *ctx)
{
	return (struct core_point *)ctx->args[0];
}

SEC("raw_tp/sys_enter")
int field_offset(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	out[0] = __builtin_preserve_field_info(FIELD(struct core_point, y), FIELD_BYTE_OFFSET);
	out[1] = __builtin_preserve_field_info(FIELD(struct core_point, in.b), FIELD_BYTE_OFFSET);
	out[2] = __builtin_preserve_field_info(p->arr[2], FIELD_BYTE_OFFSET);
	out[3] = __builtin_preserve_field_info(FIELD(struct core_point, u_uint), FIELD_BYTE_OFFSET);
	out[4] = __builtin_preserve_field_info(FIELD(struct core_point___v2, y), FIELD_BYTE_OFFSET);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_size(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	out[0] = __builtin_preserve_field_info(FIELD(struct core_point, name), FIELD_BYTE_SIZE);
	out[1] = __builtin_preserve_field_info(p->arr, FIELD_BYTE_SIZE);
	out[2] = __builtin_preserve_field_info(FIELD(struct core_point, in), FIELD_BYTE_SIZE);
	out[3] = __builtin_preserve_field_info(FIELD(struct core_point, flags), FIELD_BYTE_SIZE);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_exists(struct raw_tp_args *ctx)
{
	(void)ctx;
	out[0] = __builtin_preserve_field_info(FIELD(struct core_point, x), FIELD_EXISTS);
	out[1] = __builtin_preserve_field_info(FIELD(struct core_point___v2, added), FIELD_EXISTS);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_signed(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	out[0] = __builtin_preserve_field_info(p->sflag, FIELD_SIGNED);
	out[1] = __builtin_preserve_field_info(p->flags, FIELD_SIGNED);
	out[2] = __builtin_preserve_field_info(p->x, FIELD_SIGNED);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_lshift(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	out[0] = __builtin_preserve_field_info(p->flags, FIELD_LSHIFT_U64);
	out[1] = __builtin_preserve_field_info(p->sflag, FIELD_LSHIFT_U64);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_rshift(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	out[0] = __builtin_preserve_field_info(p->flags, FIELD_RSHIFT_U64);
	out[1] = __builtin_preserve_field_info(p->sflag, FIELD_RSHIFT_U64);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_id_local(struct raw_tp_args *ctx)
{
	(void)ctx;
	ids[0] = __builtin_btf_type_id(*(struct core_point *)0, TYPE_ID_LOCAL);
	ids[1] = __builtin_btf_type_id(*(core_u32_t *)0, TYPE_ID_LOCAL);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_id_target(struct raw_tp_args *ctx)
{
	(void)ctx;
	ids[2] = __builtin_btf_type_id(*(struct core_point___v2 *)0, TYPE_ID_TARGET);
	ids[3] = __builtin_btf_type_id(*(core_u32_t *)0, TYPE_ID_TARGET);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_exists(struct raw_tp_args *ctx)
{
	(void)ctx;
	out[0] = __builtin_preserve_type_info(*(struct core_point___v2 *)0, TYPE_EXISTS);
	out[1] = __builtin_preserve_type_info(*(struct core_missing *)0, TYPE_EXISTS);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_size(struct raw_tp_args *ctx)
{
	(void)ctx;
	out[0] = __builtin_preserve_type_info(*(struct core_point *)0, TYPE_SIZE);
	out[1] = __builtin_preserve_type_info(*(core_inner_t *)0, TYPE_SIZE);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_matches(struct raw_tp_args *ctx)
{
	(void)ctx;
	out[0] = __builtin_preserve_type_info(*(enum core_color *)0, TYPE_MATCHES);
	out[1] = __builtin_preserve_type_info(*(struct core_inner *)0, TYPE_MATCHES);
	return 0;
}

SEC("raw_tp/sys_enter")
int enumval_exists(struct raw_tp_args *ctx)
{
	(void)ctx;
	out[0] = __builtin_preserve_enum_value(*(enum core_color *)GREEN, ENUMVAL_EXISTS);
	out[1] = __builtin_preserve_enum_value(*(enum core_color___v2 *)BLUE, ENUMVAL_EXISTS);
	return 0;
}

SEC("raw_tp/sys_enter")
int enumval_value(struct raw_tp_args *ctx)
{
	(void)ctx;
	out[0] = __builtin_preserve_enum_value(*(enum core_color *)RED, ENUMVAL_VALUE);
	out[1] = __builtin_preserve_enum_value(*(enum core_scoped *)BIG, ENUMVAL_VALUE);
	return 0;
}

SEC("raw_tp/sys_enter")
int ldx_offset(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	out[0] = (__u64)p->x;
	out[1] = (__u64)p->in.b;
	return 0;
}

SEC("raw_tp/sys_enter")
int read_chain(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	struct core_point *next = 0;
	long y = 0;
	bpf_probe_read_kernel(&next, sizeof(next), &p->next);
	bpf_probe_read_kernel(&y, sizeof(y), &next->y);
	out[0] = (__u64)y;
	char name[8];
	out[1] = (__u64)bpf_probe_read_kernel_str(name, sizeof(name), p->name);
	out[2] = (__u64)name[0];
	struct core_inner in;
	out[3] = (__u64)bpf_probe_read_kernel(&in, sizeof(in), &next->in);
	out[4] = (__u64)in.b;
	return 0;
}

SEC("raw_tp/sys_enter")
int bitfield_probe(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	__u64 raw = 0;
	bpf_probe_read_kernel(&raw, __builtin_preserve_field_info(p->sflag, FIELD_BYTE_SIZE),
			      (const char *)p + __builtin_preserve_field_info(p->sflag, FIELD_BYTE_OFFSET));
	raw <<= __builtin_preserve_field_info(p->sflag, FIELD_LSHIFT_U64);
	if (__builtin_preserve_field_info(p->sflag, FIELD_SIGNED))
		out[0] = (__u64)((__s64)raw >> __builtin_preserve_field_info(p->sflag, FIELD_RSHIFT_U64));
	else
		out[0] = raw >> __builtin_preserve_field_info(p->sflag, FIELD_RSHIFT_U64);
	return 0;
}

SEC("raw_tp/sys_enter")
int bitfield_direct(struct raw_tp_args *ctx)
{
	struct core_point *p = arg(ctx);
	const char *at = (const char *)p + __builtin_preserve_field_info(p->flags, FIELD_BYTE_OFFSET);
	__u64 raw = 0;
	asm volatile("" : "+r"(at));
	switch (__builtin_preserve_field_info(p->flags, FIELD_BYTE_SIZE)) {
	case 1: raw = *(const __u8 *)at; break;
	case 2: raw = *(const __u16 *)at; break;
	case 4: raw = *(const __u32 *)at; break;
	case 8: raw = *(const __u64 *)at; break;
	}
	raw <<= __builtin_preserve_field_info(p->flags, FIELD_LSHIFT_U64);
	if (__builtin_preserve_field_info(p->flags, FIELD_SIGNED))
		out[0] = (__u64)((__s64)raw >> __builtin_preserve_field_info(p->flags, FIELD_RSHIFT_U64));
	else
		out[0] = raw >> __builtin_preserve_field_info(p->flags, FIELD_RSHIFT_U64);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
