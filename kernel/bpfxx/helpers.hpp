// SPDX-License-Identifier: MIT OR Apache-2.0
#pragma once
#ifndef __bpf__
#error "bpfxx kernel headers need clang -target bpf"
#endif

#include "types.hpp"

// BPF helper functions. A helper is called as `call N`, N being its number in
// enum bpf_func_id of uapi <linux/bpf.h>: stable kernel ABI, so the table is
// written here rather than taken from libbpf's bpf_helper_defs.h (which is C
// only: `(void *) 1` does not initialise a function pointer in C++). The
// comment after each helper names the kernel that brought it; which program
// types may call it is the verifier's decision.

namespace bpfxx::detail {

// The call through a constant address becomes `call Id` once inlined.
template <long Id, typename Ret, typename... Args>
BPFXX_METHOD Ret call_helper(Args... args) {
    return reinterpret_cast<Ret (*)(Args...)>(Id)(args...);
}

// Helpers take every argument as a 64-bit register; widen explicitly so a
// signed 32-bit value reaches a %d conversion sign-extended.
template <typename T>
BPFXX_METHOD u64 as_register(T value) {
    static_assert(sizeof(T) <= 8 && (__is_integral(T) || __is_enum(T) || __is_pointer(T)),
                  "helper arguments are integers, enums or pointers");
    if constexpr (__is_pointer(T))
        return reinterpret_cast<u64>(value);
    else if constexpr (__is_enum(T))
        return static_cast<u64>(static_cast<__underlying_type(T)>(value));
    else
        return static_cast<u64>(value);
}

} // namespace bpfxx::detail

// The helpers as the kernel declares them, named without the bpf_ prefix.
namespace bpfxx::helper {

// Maps
BPFXX_METHOD void* map_lookup_elem(void* map, const void* key) {  // 3.19
    return detail::call_helper<1, void*>(map, key);
}
BPFXX_METHOD long map_update_elem(void* map, const void* key, const void* value, u64 flags) {  // 3.19
    return detail::call_helper<2, long>(map, key, value, flags);
}
BPFXX_METHOD long map_delete_elem(void* map, const void* key) {  // 3.19
    return detail::call_helper<3, long>(map, key);
}
BPFXX_METHOD long map_push_elem(void* map, const void* value, u64 flags) {  // 4.20
    return detail::call_helper<87, long>(map, value, flags);
}
BPFXX_METHOD long map_pop_elem(void* map, void* value) {  // 4.20
    return detail::call_helper<88, long>(map, value);
}
BPFXX_METHOD long map_peek_elem(void* map, void* value) {  // 4.20
    return detail::call_helper<89, long>(map, value);
}
BPFXX_METHOD void* map_lookup_percpu_elem(void* map, const void* key, u32 cpu) {  // 5.19
    return detail::call_helper<195, void*>(map, key, cpu);
}
BPFXX_METHOD long for_each_map_elem(void* map, void* callback_fn, void* callback_ctx, u64 flags) {  // 5.13
    return detail::call_helper<164, long>(map, callback_fn, callback_ctx, flags);
}
BPFXX_METHOD long tail_call(void* ctx, void* prog_array_map, u32 index) {  // 4.2
    return detail::call_helper<12, long>(ctx, prog_array_map, index);
}

// Ring buffer (5.8) and perf event output
BPFXX_METHOD long ringbuf_output(void* ringbuf, void* data, u64 size, u64 flags) {
    return detail::call_helper<130, long>(ringbuf, data, size, flags);
}
BPFXX_METHOD void* ringbuf_reserve(void* ringbuf, u64 size, u64 flags) {
    return detail::call_helper<131, void*>(ringbuf, size, flags);
}
BPFXX_METHOD void ringbuf_submit(void* data, u64 flags) {
    detail::call_helper<132, void>(data, flags);
}
BPFXX_METHOD void ringbuf_discard(void* data, u64 flags) {
    detail::call_helper<133, void>(data, flags);
}
BPFXX_METHOD u64 ringbuf_query(void* ringbuf, u64 flags) {
    return detail::call_helper<134, u64>(ringbuf, flags);
}
BPFXX_METHOD long perf_event_output(void* ctx, void* map, u64 flags, void* data, u64 size) {  // 4.4
    return detail::call_helper<25, long>(ctx, map, flags, data, size);
}
BPFXX_METHOD u64 perf_event_read(void* map, u64 flags) {  // 4.3
    return detail::call_helper<22, u64>(map, flags);
}

// Memory of the kernel and of the current process
BPFXX_METHOD long probe_read(void* dst, u32 size, const void* unsafe_ptr) {  // 4.1; prefer _kernel/_user
    return detail::call_helper<4, long>(dst, size, unsafe_ptr);
}
BPFXX_METHOD long probe_read_str(void* dst, u32 size, const void* unsafe_ptr) {  // 4.11
    return detail::call_helper<45, long>(dst, size, unsafe_ptr);
}
BPFXX_METHOD long probe_read_user(void* dst, u32 size, const void* unsafe_ptr) {  // 5.5
    return detail::call_helper<112, long>(dst, size, unsafe_ptr);
}
BPFXX_METHOD long probe_read_kernel(void* dst, u32 size, const void* unsafe_ptr) {  // 5.5
    return detail::call_helper<113, long>(dst, size, unsafe_ptr);
}
BPFXX_METHOD long copy_from_user(void* dst, u32 size, const void* user_ptr) {  // 5.10, sleepable programs
    return detail::call_helper<148, long>(dst, size, user_ptr);
}
BPFXX_METHOD long probe_read_user_str(void* dst, u32 size, const void* unsafe_ptr) {  // 5.5
    return detail::call_helper<114, long>(dst, size, unsafe_ptr);
}
BPFXX_METHOD long probe_read_kernel_str(void* dst, u32 size, const void* unsafe_ptr) {  // 5.5
    return detail::call_helper<115, long>(dst, size, unsafe_ptr);
}

// Time, randomness, CPU
BPFXX_METHOD u64 ktime_get_ns() {  // 4.1, CLOCK_MONOTONIC
    return detail::call_helper<5, u64>();
}
BPFXX_METHOD u64 ktime_get_boot_ns() {  // 5.8, CLOCK_BOOTTIME
    return detail::call_helper<125, u64>();
}
BPFXX_METHOD u64 ktime_get_coarse_ns() {  // 5.11, CLOCK_MONOTONIC_COARSE
    return detail::call_helper<160, u64>();
}
BPFXX_METHOD u64 ktime_get_tai_ns() {  // 6.1, CLOCK_TAI
    return detail::call_helper<208, u64>();
}
BPFXX_METHOD u64 jiffies64() {  // 5.5
    return detail::call_helper<118, u64>();
}
BPFXX_METHOD u32 get_prandom_u32() {  // 4.1
    return detail::call_helper<7, u32>();
}
BPFXX_METHOD u32 get_smp_processor_id() {  // 4.1
    return detail::call_helper<8, u32>();
}
BPFXX_METHOD long get_numa_node_id() {  // 4.10
    return detail::call_helper<42, long>();
}

// The current task
BPFXX_METHOD u64 get_current_pid_tgid() {  // 4.2
    return detail::call_helper<14, u64>();
}
BPFXX_METHOD u64 get_current_uid_gid() {  // 4.2
    return detail::call_helper<15, u64>();
}
BPFXX_METHOD long get_current_comm(void* buf, u32 size_of_buf) {  // 4.2
    return detail::call_helper<16, long>(buf, size_of_buf);
}
BPFXX_METHOD u64 get_current_task() {  // 4.8; an address to probe_read_kernel from
    return detail::call_helper<35, u64>();
}
BPFXX_METHOD void* get_current_task_btf() {  // 5.11; a trusted struct task_struct *
    return detail::call_helper<158, void*>();
}
BPFXX_METHOD u64 get_current_cgroup_id() {  // 4.18
    return detail::call_helper<80, u64>();
}
BPFXX_METHOD u64 get_current_ancestor_cgroup_id(int ancestor_level) {  // 5.6
    return detail::call_helper<123, u64>(ancestor_level);
}
BPFXX_METHOD long send_signal(u32 sig) {  // 5.3, to the process
    return detail::call_helper<109, long>(sig);
}
BPFXX_METHOD long send_signal_thread(u32 sig) {  // 5.5, to the thread
    return detail::call_helper<117, long>(sig);
}

// Stacks and attach points
BPFXX_METHOD long get_stackid(void* ctx, void* map, u64 flags) {  // 4.6
    return detail::call_helper<27, long>(ctx, map, flags);
}
BPFXX_METHOD long get_stack(void* ctx, void* buf, u32 size, u64 flags) {  // 4.18
    return detail::call_helper<67, long>(ctx, buf, size, flags);
}
BPFXX_METHOD u64 get_func_ip(void* ctx) {  // 5.15
    return detail::call_helper<173, u64>(ctx);
}
BPFXX_METHOD u64 get_attach_cookie(void* ctx) {  // 5.15
    return detail::call_helper<174, u64>(ctx);
}

// Output, formatting, loops
// fmt must be in read-only map memory or on the stack, up to three arguments.
template <typename... Args>
BPFXX_METHOD long trace_printk(const char* fmt, u32 fmt_size, Args... args) {  // 4.1
    static_assert(sizeof...(Args) <= 3, "bpf_trace_printk takes at most three arguments");
    return detail::call_helper<6, long>(fmt, fmt_size, args...);
}
BPFXX_METHOD long trace_vprintk(const char* fmt, u32 fmt_size, const void* data, u32 data_len) {  // 5.16
    return detail::call_helper<177, long>(fmt, fmt_size, data, data_len);
}
BPFXX_METHOD long seq_printf(void* seq, const char* fmt, u32 fmt_size, const void* data, u32 data_len) {  // 5.8
    return detail::call_helper<126, long>(seq, fmt, fmt_size, data, data_len);
}
BPFXX_METHOD long seq_write(void* seq, const void* data, u32 len) {  // 5.8
    return detail::call_helper<127, long>(seq, data, len);
}
BPFXX_METHOD long snprintf(char* str, u32 str_size, const char* fmt, u64* data, u32 data_len) {  // 5.13
    return detail::call_helper<165, long>(str, str_size, fmt, data, data_len);
}
BPFXX_METHOD long loop(u32 nr_loops, void* callback_fn, void* callback_ctx, u64 flags) {  // 5.17
    return detail::call_helper<181, long>(nr_loops, callback_fn, callback_ctx, flags);
}
BPFXX_METHOD long dynptr_read(void* dst, u32 len, const void* src, u32 offset, u64 flags) {  // 5.19
    return detail::call_helper<201, long>(dst, len, src, offset, flags);
}
BPFXX_METHOD long user_ringbuf_drain(void* map, void* callback_fn, void* ctx, u64 flags) {  // 6.1
    return detail::call_helper<209, long>(map, callback_fn, ctx, flags);
}

} // namespace bpfxx::helper

// Typed wrappers for what every tracing program needs.
namespace bpfxx {

BPFXX_METHOD u64 ktime_ns() { return helper::ktime_get_ns(); }
BPFXX_METHOD u64 ktime_boot_ns() { return helper::ktime_get_boot_ns(); }
BPFXX_METHOD u32 prandom_u32() { return helper::get_prandom_u32(); }
BPFXX_METHOD u32 smp_processor_id() { return helper::get_smp_processor_id(); }

// An address in the current process's memory, such as a syscall's pointer
// argument. Only the probe_read_user* helpers read it: handing it to
// probe_read_kernel does not compile, and a plain T* is not one.
//
//     bpfxx::user_ptr<const char* const> argv(ctx->fields.args[1]);
//     const char* arg;
//     bpfxx::probe_read_user(arg, argv + i);
template <typename T>
struct user_ptr {
    u64 address = 0;

    constexpr user_ptr() = default;
    constexpr explicit user_ptr(u64 a) : address(a) {}
    BPFXX_METHOD explicit user_ptr(T* p) : address(reinterpret_cast<u64>(p)) {}

    constexpr user_ptr operator+(u64 n) const { return user_ptr(address + n * sizeof(T)); }
    constexpr explicit operator bool() const { return address != 0; }
    BPFXX_METHOD const void* raw() const { return reinterpret_cast<const void*>(address); }
};

// Reads one T of kernel memory from `src` (a T*, so `p` where `&p[i]` was
// meant does not compile); 0 or a negative errno, and dst zeroed on failure.
template <typename T>
BPFXX_METHOD long probe_read_kernel(T& dst, const T* src) {
    static_assert(__is_trivially_copyable(T), "probe_read_kernel copies bytes into a trivially copyable object");
    return helper::probe_read_kernel(&dst, sizeof(T), src);
}
template <typename T, typename U>
long probe_read_kernel(T& dst, user_ptr<U> src) = delete;  // user memory: probe_read_user

// Reads one T of the current process's memory.
template <typename T>
BPFXX_METHOD long probe_read_user(T& dst, user_ptr<T> src) {
    static_assert(__is_trivially_copyable(T), "probe_read_user copies bytes into a trivially copyable object");
    return helper::probe_read_user(&dst, sizeof(T), src.raw());
}
template <typename T>
BPFXX_METHOD long probe_read_user(T& dst, user_ptr<const T> src) {
    static_assert(__is_trivially_copyable(T), "probe_read_user copies bytes into a trivially copyable object");
    return helper::probe_read_user(&dst, sizeof(T), src.raw());
}

// Reads one T of the current process's memory in a sleepable program
// (SEC("uprobe.s/..."), "fentry.s/...", "lsm.s/..."), which may wait for
// the page to be faulted in where probe_read_user would fail; 0 or a
// negative errno, and dst zeroed on failure.
template <typename T>
BPFXX_METHOD long copy_from_user(T& dst, user_ptr<T> src) {
    static_assert(__is_trivially_copyable(T), "copy_from_user copies bytes into a trivially copyable object");
    return helper::copy_from_user(&dst, sizeof(T), src.raw());
}

// Copy a NUL-terminated string, truncated to N - 1 characters; the length
// including the NUL, or a negative errno.
template <u32 N>
BPFXX_METHOD long probe_read_kernel_str(char (&dst)[N], const char* src) {
    return helper::probe_read_kernel_str(dst, N, src);
}
template <u32 N, typename C>
BPFXX_METHOD long probe_read_user_str(char (&dst)[N], user_ptr<C> src) {
    static_assert(sizeof(C) == 1, "probe_read_user_str reads a string of chars");
    return helper::probe_read_user_str(dst, N, src.raw());
}
template <u32 N, typename C>
long probe_read_kernel_str(char (&dst)[N], user_ptr<C> src) = delete;  // user memory: probe_read_user_str

// bpf_trace_printk with a string literal, which clang places in .rodata
// (read-only map memory, as the helper requires); output goes to
// /sys/kernel/tracing/trace_pipe. Debugging only: the kernel logs a banner.
template <u32 N, typename... Args>
BPFXX_METHOD long printk(const char (&fmt)[N], Args... args) {
    return helper::trace_printk(fmt, N, detail::as_register(args)...);
}

// bpf_loop (5.17): calls callback(i, ctx) for i in [0, n) until it returns
// non-zero; the number of calls made, or a negative errno. The callback
// must be a function (a captureless lambda converts with unary +), which
// becomes a subprogram.
template <typename Ctx>
BPFXX_METHOD long loop(u32 n, long (*callback)(u64 index, Ctx* ctx), Ctx* ctx) {
    return helper::loop(n, reinterpret_cast<void*>(callback), ctx, 0);
}

} // namespace bpfxx
