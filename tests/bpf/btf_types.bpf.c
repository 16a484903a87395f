// SPDX-License-Identifier: MIT OR GPL-2.0-only
// Types with a known layout for tests/unit/btf_test.cpp, which asserts the
// offsets and values written here. Self-contained: no kernel headers.

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;

#define SEC(name) __attribute__((section(name), used))

struct event;
typedef int (*event_cb)(struct event* e, u32 flags);

struct event {
    u32 pid;                 // byte 0
    u64 ts;                  // byte 8
    char comm[16];           // byte 16
    struct {
        u16 lo;
        u16 hi;
    } pair;                  // byte 32, anonymous struct
    u32 flags : 3;           // bit 288
    u32 mode : 5;            // bit 291
    const u64* limit;        // byte 40
    struct event* next;      // byte 48: a pointer to itself is legal
    union {
        u32 as_u32;
        u8 bytes[4];
    } raw;                   // byte 56
    double ratio;            // byte 64
    event_cb cb;             // byte 72
    volatile u32 hits;       // byte 80
};                           // 88 bytes

enum level { LEVEL_LOW = -1, LEVEL_MID = 0, LEVEL_HIGH = 0x7fffffff };
enum wide { WIDE_SMALL = 1, WIDE_BIG = 0x100000000ULL };

const volatile u32 target_pid = 0;
const volatile u64 thresholds[4] = {1, 2, 3, 4};
struct event last_event;
u32 counter = 5;
enum level current_level = LEVEL_MID;
enum wide current_wide = WIDE_BIG;

static __attribute__((noinline)) int score(struct event* e, u32 scale, enum level lvl) {
    return (int)(e->pid * scale) + (int)lvl + (int)e->flags;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void* ctx) {
    (void)ctx;
    last_event.pid = target_pid + thresholds[1];
    last_event.mode = 3;
    last_event.hits++;
    counter++;
    return score(&last_event, counter, current_level) + (int)current_wide;
}

char LICENSE[] SEC("license") = "GPL";
