// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::ring_buffer against real BPF_MAP_TYPE_RINGBUF maps, fed by tiny
// hand-assembled programs run with BPF_PROG_TEST_RUN (no attach needed):
// BPF_PROG_TYPE_SYSCALL (Linux 5.14), or BPF_PROG_TYPE_RAW_TRACEPOINT on
// kernels without it. Needs root; each test skips with the reason otherwise.
#include "../unit/insn_builder.hpp"

#include <bpfxx/ring_buffer.hpp>
#include <bpfxx/shared/insn.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/epoll.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bpfxx::insn;
using bpfxx::s16;
using bpfxx::s32;
using bpfxx::u32;
using bpfxx::u64;
using bpfxx::u8;
namespace op = bpfxx::op;
namespace sys = bpfxx::sys;

// ---- a few instructions ------------------------------------------------

using bpfxx_test::make;
constexpr insn mov_imm(u8 dst, s32 imm) { return make(op::alu64 | op::mov | op::k, dst, 0, 0, imm); }
constexpr insn mov_reg(u8 dst, u8 src) { return make(op::alu64 | op::mov | op::x, dst, src, 0, 0); }
constexpr insn add_imm(u8 dst, s32 imm) { return make(op::alu64 | op::add | op::k, dst, 0, 0, imm); }
constexpr insn load(u8 size, u8 dst, u8 src, s16 off) { return make(op::ldx | op::mem | size, dst, src, off, 0); }
constexpr insn store(u8 size, u8 dst, s16 off, u8 src) { return make(op::stx | op::mem | size, dst, src, off, 0); }
constexpr insn jump_imm(u8 cond, u8 dst, s32 imm, s16 off) { return make(op::jmp | cond | op::k, dst, 0, off, imm); }
constexpr insn call(s32 helper) { return make(op::jmp | op::call, 0, 0, 0, helper); }
constexpr insn exit_insn() { return make(op::jmp | op::exit, 0, 0, 0, 0); }
void load_map_fd(std::vector<insn>& p, u8 dst, int fd) {
    p.push_back(make(op::ld | op::imm | op::dw, dst, op::pseudo_map_fd, 0, fd));
    p.push_back(make(0, 0, 0, 0, 0));
}

// Helper numbers (uapi bpf.h, Linux 5.8).
constexpr s32 ringbuf_output = 130;
constexpr s32 ringbuf_reserve = 131;
constexpr s32 ringbuf_submit = 132;
constexpr s32 ringbuf_discard = 133;

constexpr u32 map_type_array = 2;
constexpr u32 map_type_ringbuf = 27;
constexpr u32 map_type_user_ringbuf = 31;
constexpr u32 prog_type_raw_tracepoint = 17;
constexpr u32 prog_type_syscall = 31;

// Contexts the programs read: all u64, at most 12 of them, so the same
// code is valid as a syscall program and as a raw tracepoint program.
struct output_ctx {
    u64 size;      // payload bytes, at most 64
    u64 flags;     // BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP
    u64 words[8];  // the payload
};
struct reserve_ctx {
    u64 seq;
    u64 tag;
    u64 discard;  // non-zero: bpf_ringbuf_discard instead of submit
    u64 flags;
};
struct record16 {  // what the reserve program writes
    u64 seq;
    u64 tag;
};

// bpf_ringbuf_output(map, stack copy of ctx->words, ctx->size, ctx->flags)
std::vector<insn> output_program(int map_fd) {
    std::vector<insn> p;
    p.push_back(mov_reg(op::r6, op::r1));
    p.push_back(load(op::dw, op::r7, op::r6, 0));
    p.push_back(jump_imm(op::jgt, op::r7, 64, 0));  // to fail, patched below
    const std::size_t bound_check = p.size() - 1;
    for (s16 i = 0; i < 8; ++i) {
        p.push_back(load(op::dw, op::r3, op::r6, static_cast<s16>(16 + 8 * i)));
        p.push_back(store(op::dw, op::r10, static_cast<s16>(-64 + 8 * i), op::r3));
    }
    load_map_fd(p, op::r1, map_fd);
    p.push_back(mov_reg(op::r2, op::r10));
    p.push_back(add_imm(op::r2, -64));
    p.push_back(mov_reg(op::r3, op::r7));
    p.push_back(load(op::dw, op::r4, op::r6, 8));
    p.push_back(call(ringbuf_output));
    p.push_back(exit_insn());  // r0: 0 or -EAGAIN
    p[bound_check].off = static_cast<s16>(p.size() - bound_check - 1);
    p.push_back(mov_imm(op::r0, -EINVAL));
    p.push_back(exit_insn());
    return p;
}

// r = bpf_ringbuf_reserve(map, 16, 0); r->seq = ctx->seq; r->tag = ctx->tag;
// then submit or discard with ctx->flags. Returns 0 submitted, 2 discarded,
// 1 when the ring was full.
std::vector<insn> reserve_program(int map_fd) {
    std::vector<insn> p;
    p.push_back(mov_reg(op::r6, op::r1));
    load_map_fd(p, op::r1, map_fd);
    p.push_back(mov_imm(op::r2, sizeof(record16)));
    p.push_back(mov_imm(op::r3, 0));
    p.push_back(call(ringbuf_reserve));
    p.push_back(jump_imm(op::jeq, op::r0, 0, 0));  // to full, patched below
    const std::size_t null_check = p.size() - 1;
    p.push_back(mov_reg(op::r7, op::r0));
    p.push_back(load(op::dw, op::r1, op::r6, 0));
    p.push_back(store(op::dw, op::r7, 0, op::r1));
    p.push_back(load(op::dw, op::r1, op::r6, 8));
    p.push_back(store(op::dw, op::r7, 8, op::r1));
    p.push_back(load(op::dw, op::r8, op::r6, 16));
    p.push_back(load(op::dw, op::r2, op::r6, 24));
    p.push_back(mov_reg(op::r1, op::r7));
    p.push_back(jump_imm(op::jne, op::r8, 0, 3));
    p.push_back(call(ringbuf_submit));
    p.push_back(mov_imm(op::r0, 0));
    p.push_back(exit_insn());
    p.push_back(call(ringbuf_discard));
    p.push_back(mov_imm(op::r0, 2));
    p.push_back(exit_insn());
    p[null_check].off = static_cast<s16>(p.size() - null_check - 1);
    p.push_back(mov_imm(op::r0, 1));
    p.push_back(exit_insn());
    return p;
}

// ---- kernel objects ----------------------------------------------------

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

sys::fd create_map(u32 type, u32 key, u32 value, u32 entries, const char* name) {
    sys::attr::map_create a;
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = entries;
    std::strncpy(a.map_name, name, sizeof(a.map_name) - 1);
    return sys::bpf_fd(sys::bpf_cmd::map_create, a);
}

struct loaded {
    sys::fd fd;
    std::string log;
    int error = 0;
};

loaded load_program(const std::vector<insn>& code, u32 type) {
    static const char license[] = "GPL";
    loaded out;
    std::string log(64 * 1024, '\0');
    sys::attr::prog_load a;
    a.prog_type = type;
    a.insn_cnt = static_cast<u32>(code.size());
    a.insns = sys::ptr_to_u64(code.data());
    a.license = sys::ptr_to_u64(license);
    a.log_level = 1;
    a.log_size = static_cast<u32>(log.size());
    a.log_buf = sys::ptr_to_u64(log.data());
    // Syscall programs must be sleepable (Linux 5.14).
    if (type == prog_type_syscall) a.prog_flags = sys::attr::prog_flag_sleepable;
    std::strncpy(a.prog_name, "rb_test", sizeof(a.prog_name) - 1);
    out.fd = sys::bpf_fd(sys::bpf_cmd::prog_load, a);
    out.error = out.fd ? 0 : errno;
    out.log = log.c_str();
    return out;
}

// Runs a program once with `ctx`: its return value, or the errno of
// BPF_PROG_TEST_RUN negated.
template <class Ctx>
s32 run(const sys::fd& prog, const Ctx& ctx) {
    sys::attr::prog_test_run a;
    a.prog_fd = static_cast<u32>(prog.get());
    a.ctx_in = sys::ptr_to_u64(&ctx);
    a.ctx_size_in = sizeof(ctx);
    if (sys::bpf(sys::bpf_cmd::prog_test_run, a) < 0) return -errno;
    return static_cast<s32>(a.retval);
}

std::set<std::string> open_fds() {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) out.insert(e.path().filename());
    return out;
}

std::vector<std::string> bpf_map_mappings() {
    std::vector<std::string> out;
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);)
        if (line.find("bpf-map") != std::string::npos) out.push_back(line);
    return out;
}

class KernelRingBuffer : public testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to create maps and load programs";
        capacity_ = 4 * page_size();
        map_ = create_map(map_type_ringbuf, 0, 0, static_cast<u32>(capacity_), "rb_test");
        if (!map_)
            GTEST_SKIP() << "cannot create a BPF_MAP_TYPE_RINGBUF map (Linux 5.8): " << std::strerror(errno);
        auto out = load_program(output_program(map_.get()), prog_type_syscall);
        prog_type_ = prog_type_syscall;
        if (!out.fd) {  // BPF_PROG_TYPE_SYSCALL is Linux 5.14
            out = load_program(output_program(map_.get()), prog_type_raw_tracepoint);
            prog_type_ = prog_type_raw_tracepoint;
        }
        ASSERT_TRUE(out.fd) << "output program rejected: " << std::strerror(out.error) << "\n" << out.log;
        output_ = std::move(out.fd);
        auto res = load_program(reserve_program(map_.get()), prog_type_);
        ASSERT_TRUE(res.fd) << "reserve program rejected: " << std::strerror(res.error) << "\n" << res.log;
        reserve_ = std::move(res.fd);
    }

    // bpf_ringbuf_output of `size` bytes of the word `seq` repeated.
    s32 output(u64 seq, u64 size, u64 flags = 0) {
        output_ctx c{};
        c.size = size;
        c.flags = flags;
        for (auto& w : c.words) w = seq;
        return run(output_, c);
    }
    s32 reserve(u64 seq, bool discard, u64 flags = 0) {
        return run(reserve_, reserve_ctx{seq, ~seq, discard ? 1u : 0u, flags});
    }

    std::size_t capacity_ = 0;
    u32 prog_type_ = 0;
    sys::fd map_;
    sys::fd output_;
    sys::fd reserve_;
};

// Checks a record written by output(seq, size).
bool is_output_record(std::span<const std::byte> r, u64 seq, std::size_t size) {
    if (r.size() != size) return false;
    for (std::size_t i = 0; i < size; ++i)
        if (r[i] != static_cast<std::byte>(seq >> (8 * (i % 8)))) return false;
    return true;
}

TEST_F(KernelRingBuffer, OpensTheMap) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    EXPECT_EQ(rb.capacity(), capacity_);
    EXPECT_EQ(rb.available(), 0u);
    EXPECT_GE(rb.fd(), 3);
    EXPECT_NE(rb.fd(), map_.get());
    EXPECT_EQ(rb.consume([](std::span<const std::byte>) { ADD_FAILURE(); }), 0u);
    RecordProperty("program_type", prog_type_ == prog_type_syscall ? "syscall" : "raw_tracepoint");
}

TEST_F(KernelRingBuffer, RefusesOtherMapTypes) {
    auto array = create_map(map_type_array, 4, 8, 1, "rb_not_ring");
    ASSERT_TRUE(array) << std::strerror(errno);
    try {
        (void)bpfxx::ring_buffer::open(array.get());
        ADD_FAILURE() << "an array map was accepted";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_THAT(e.what(), testing::HasSubstr("map 'rb_not_ring'"));
        EXPECT_THAT(e.what(), testing::HasSubstr("has type array (2), not ringbuf"));
    }
    auto user = create_map(map_type_user_ringbuf, 0, 0, static_cast<u32>(capacity_), "rb_user");
    if (!user) return;  // Linux 6.1
    try {
        (void)bpfxx::ring_buffer::open(user.get());
        ADD_FAILURE() << "a user_ringbuf map was accepted";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), testing::HasSubstr("is a user_ringbuf"));
    }
}

TEST_F(KernelRingBuffer, ReadOnlyFdCannotConsume) {
    bpfxx::sys::map_info info;
    sys::attr::obj_info get;
    get.bpf_fd = static_cast<u32>(map_.get());
    get.info_len = sizeof(info);
    get.info = sys::ptr_to_u64(&info);
    ASSERT_EQ(sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, get), 0) << std::strerror(errno);
    sys::attr::get_id by_id;
    by_id.id = info.id;
    by_id.open_flags = 1u << 3;  // BPF_F_RDONLY
    auto ro = sys::bpf_fd(sys::bpf_cmd::map_get_fd_by_id, by_id);
    ASSERT_TRUE(ro) << std::strerror(errno);
    try {
        (void)bpfxx::ring_buffer::open(ro.get());
        ADD_FAILURE() << "a read-only fd was accepted";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), testing::HasSubstr("mmap of the consumer page"));
        EXPECT_THAT(e.what(), testing::HasSubstr("read-only"));
    }
}

// Records of 0..64 bytes through bpf_ringbuf_output, the ring wrapped
// several times: each arrives once, in order, with its payload.
TEST_F(KernelRingBuffer, EveryRecordArrivesOnceInOrder) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    u64 produced = 0, consumed = 0, bytes = 0, position = 0, straddled = 0;
    bool bad = false;
    const auto size_of = [](u64 seq) { return static_cast<std::size_t>((seq * 7) % 65); };
    while (bytes < 6 * capacity_) {
        // Fill in uneven batches, sometimes until the kernel reports full.
        const u64 batch = 1 + (produced * 13) % 400;
        for (u64 i = 0; i < batch; ++i) {
            const s32 r = output(produced, size_of(produced));
            if (r == -EAGAIN) break;
            ASSERT_EQ(r, 0) << "bpf_ringbuf_output returned " << r;
            bytes += bpfxx::detail::ringbuf_record_size(static_cast<u32>(size_of(produced)));
            ++produced;
        }
        const std::size_t n = rb.consume([&](std::span<const std::byte> r) {
            if (!is_output_record(r, consumed, size_of(consumed))) bad = true;
            const u64 size = bpfxx::detail::ringbuf_record_size(static_cast<u32>(r.size()));
            if ((position % capacity_) + size > capacity_) ++straddled;
            position += size;
            ++consumed;
        });
        ASSERT_FALSE(bad) << "record " << consumed - 1 << " has the wrong payload";
        ASSERT_EQ(consumed, produced);
        ASSERT_GT(n, 0u);
        ASSERT_EQ(rb.available(), 0u);
    }
    EXPECT_GT(straddled, 0u);
    EXPECT_EQ(position, bytes);
}

TEST_F(KernelRingBuffer, FullRingRefusesThenRecovers) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    u64 n = 0;
    while (output(n, 56) == 0) ++n;  // 64 bytes a record
    // The producer may not reach capacity: one record's worth stays free.
    EXPECT_EQ(n, capacity_ / 64 - 1);
    EXPECT_EQ(rb.available(), n * 64);
    u64 seen = 0;
    EXPECT_EQ(rb.consume([&](std::span<const std::byte> r) { seen += is_output_record(r, seen, 56); }), n);
    EXPECT_EQ(seen, n);
    EXPECT_EQ(output(n, 56), 0);
    EXPECT_EQ(rb.consume([&](std::span<const std::byte> r) { EXPECT_TRUE(is_output_record(r, n, 56)); }), 1u);
}

TEST_F(KernelRingBuffer, ReserveSubmitAndDiscard) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    std::vector<u64> want;
    u64 seq = 0;
    // 24 bytes a record, discarding every third, until the ring wrapped 8 times.
    const std::size_t rounds = 8 * capacity_ / (64 * 24) + 1;
    for (std::size_t round = 0; round < rounds; ++round) {
        for (int i = 0; i < 64; ++i, ++seq) {
            const bool discard = seq % 3 == 2;
            ASSERT_EQ(reserve(seq, discard), discard ? 2 : 0);
            if (!discard) want.push_back(seq);
        }
        rb.consume_as<record16>([&](const record16& r) {
            EXPECT_EQ(r.tag, ~r.seq);
            EXPECT_NE(r.seq % 3, 2u) << "discarded record delivered";
            want.erase(std::remove(want.begin(), want.end(), r.seq), want.end());
        });
        ASSERT_TRUE(want.empty());
        ASSERT_EQ(rb.available(), 0u);
    }
    EXPECT_GE(seq * 24, 8 * capacity_);
    EXPECT_EQ(rb.short_records(), 0u);
}

TEST_F(KernelRingBuffer, ConsumeAsCountsShortRecords) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    ASSERT_EQ(reserve(7, false), 0);
    ASSERT_EQ(output(8, 8), 0);  // 8 bytes: shorter than record16
    ASSERT_EQ(output(9, 0), 0);
    ASSERT_EQ(output(10, 24), 0);  // longer: delivered, first 16 bytes viewed
    std::vector<u64> seqs;
    EXPECT_EQ(rb.consume_as<record16>([&](const record16& r) { seqs.push_back(r.seq); }), 2u);
    EXPECT_THAT(seqs, testing::ElementsAre(7u, 10u));
    EXPECT_EQ(rb.short_records(), 2u);
}

TEST_F(KernelRingBuffer, PollTimesOutWhenEmpty) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    auto start = std::chrono::steady_clock::now();
    auto r = rb.poll(0ms, [](std::span<const std::byte>) { ADD_FAILURE(); });
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 0u);
    r = rb.poll(60ms, [](std::span<const std::byte>) { ADD_FAILURE(); });
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(*r, 0u);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 55ms);
}

TEST_F(KernelRingBuffer, PollReturnsWhenDataArrives) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    std::thread producer([&] {
        std::this_thread::sleep_for(50ms);
        EXPECT_EQ(output(42, 16), 0);
    });
    const auto start = std::chrono::steady_clock::now();
    std::size_t got = 0;
    while (got == 0 && std::chrono::steady_clock::now() - start < 10s) {
        auto r = rb.poll(-1ms, [&](std::span<const std::byte> rec) { EXPECT_TRUE(is_output_record(rec, 42, 16)); });
        if (!r && r.error() == EINTR) continue;
        ASSERT_TRUE(r) << r.message();
        got += *r;
    }
    producer.join();
    EXPECT_EQ(got, 1u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(KernelRingBuffer, PollConsumesWhatIsThereWithoutWaiting) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    for (u64 i = 0; i < 3; ++i) ASSERT_EQ(output(i, 8, 1 /* BPF_RB_NO_WAKEUP */), 0);
    const auto start = std::chrono::steady_clock::now();
    auto r = rb.poll(-1ms, [](std::span<const std::byte>) {});
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 3u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(KernelRingBuffer, NativeHandleIsEpollPollable) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    auto ep = sys::epoll::create();
    ASSERT_TRUE(ep.add(rb.fd(), EPOLLIN, epoll_data_t{.ptr = &rb}));
    epoll_event events[2];
    auto ready = ep.wait(events, 0ms);
    ASSERT_TRUE(ready);
    EXPECT_TRUE(ready->empty());

    ASSERT_EQ(output(1, 8), 0);
    ready = ep.wait(events, 1000ms);
    ASSERT_TRUE(ready);
    ASSERT_EQ(ready->size(), 1u);
    const void* ptr = (*ready)[0].data.ptr;
    EXPECT_EQ(ptr, &rb);
    EXPECT_TRUE((*ready)[0].events & EPOLLIN);

    // Level-triggered: still readable until consumed.
    ready = ep.wait(events, 0ms);
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->size(), 1u);
    EXPECT_EQ(rb.consume([](std::span<const std::byte>) {}), 1u);
    ready = ep.wait(events, 0ms);
    ASSERT_TRUE(ready);
    EXPECT_TRUE(ready->empty());
}

// A producer thread writing in bursts; the consumer sleeps in
// edge-triggered epoll between drains, as asio does. A lost wakeup shows as
// a wait that times out while records are pending.
TEST_F(KernelRingBuffer, EdgeTriggeredWaitMissesNoWakeup) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    auto ep = sys::epoll::create();
    ASSERT_TRUE(ep.add(rb.fd(), EPOLLIN | EPOLLET));
    constexpr u64 total = 20000;
    std::atomic<bool> stop{false};
    std::thread producer([&] {
        u64 seq = 0;
        while (seq < total && !stop) {
            for (int i = 0; i < 1 + static_cast<int>(seq % 7) && seq < total; ++i) {
                const s32 r = output(seq, 8);
                if (r == -EAGAIN) break;  // full: let the consumer catch up
                if (r != 0) {
                    ADD_FAILURE() << "bpf_ringbuf_output returned " << r;
                    stop = true;
                    return;
                }
                ++seq;
            }
            if (seq % 64 == 0) std::this_thread::sleep_for(50us);
        }
    });
    u64 next = 0;
    bool bad = false;
    int timeouts = 0;
    epoll_event events[1];
    while (next < total && !bad) {
        rb.consume([&](std::span<const std::byte> r) {
            if (!is_output_record(r, next, 8)) bad = true;
            ++next;
        });
        if (next == total) break;
        auto ready = ep.wait(events, 2000ms);
        if (!ready && ready.error() == EINTR) continue;
        ASSERT_TRUE(ready) << ready.message();
        if (ready->empty()) {
            ++timeouts;
            if (rb.available() != 0) {
                ADD_FAILURE() << "no wakeup with " << rb.available() << " bytes pending after record " << next;
                break;
            }
            if (timeouts > 5) break;
        }
    }
    stop = true;
    producer.join();
    EXPECT_FALSE(bad) << "record " << next - 1;
    EXPECT_EQ(next, total);
}

TEST_F(KernelRingBuffer, MovedRingKeepsConsuming) {
    auto rb = bpfxx::ring_buffer::open(map_.get());
    ASSERT_EQ(output(1, 8), 0);
    ASSERT_EQ(output(2, 8), 0);
    EXPECT_EQ(rb.consume([](std::span<const std::byte>) { return false; }), 1u);
    const int handle = rb.fd();
    bpfxx::ring_buffer moved = std::move(rb);
    EXPECT_EQ(moved.fd(), handle);
    EXPECT_EQ(moved.capacity(), capacity_);
    EXPECT_EQ(moved.consume([](std::span<const std::byte> r) { EXPECT_TRUE(is_output_record(r, 2, 8)); }), 1u);
    // NOLINTBEGIN(bugprone-use-after-move): a moved-from ring is empty.
    EXPECT_EQ(rb.fd(), -1);
    EXPECT_EQ(rb.capacity(), 0u);
    EXPECT_EQ(rb.poll(10ms, [](std::span<const std::byte>) {}).error(), EBADF);
    // NOLINTEND(bugprone-use-after-move)
}

TEST_F(KernelRingBuffer, DestructionLeavesNoMappingOrFd) {
    const auto fds = open_fds();
    const auto mappings = bpf_map_mappings();
    {
        auto rb = bpfxx::ring_buffer::open(map_.get());
        ASSERT_EQ(output(5, 8), 0);
        EXPECT_EQ(rb.consume([](std::span<const std::byte>) {}), 1u);
        EXPECT_EQ(open_fds().size(), fds.size() + 1);
        const auto during = bpf_map_mappings();
        EXPECT_GE(during.size(), mappings.size() + 2) << testing::PrintToString(during);
    }
    EXPECT_EQ(open_fds(), fds);
    EXPECT_EQ(bpf_map_mappings(), mappings);
    // The map itself lives on in the caller's fd.
    auto again = bpfxx::ring_buffer::open(map_.get());
    EXPECT_EQ(again.available(), 0u);
}

}  // namespace
