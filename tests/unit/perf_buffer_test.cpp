// SPDX-License-Identifier: MIT OR Apache-2.0
// The perf-ring record walk against rings laid out in ordinary memory as
// the kernel lays out a perf event's mmap: a perf_event_mmap_page with
// data_head/data_tail, then data pages mapped once, so records wrap. The
// walk is the same detail::perf_ring_core that bpfxx::perf_buffer runs over
// each CPU's ring.
#include <bpfxx/perf_buffer.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using bpfxx::u16;
using bpfxx::u32;
using bpfxx::u64;
using bpfxx::detail::perf_ring_core;

// A producer playing the kernel's part (kernel/events/ring_buffer.c):
// writes a record at data_head, wrapping at the end, then publishes the new
// head.
class fake_perf_ring {
public:
    explicit fake_perf_ring(std::size_t size) : size_(size) {
        meta_.reset(new u64[4096 / 8]());
        data_.reset(new u64[size / 8]());
        scratch_.reset(new u64[perf_ring_core::max_record / 8]());
    }
    perf_ring_core core() {
        return perf_ring_core(meta(), reinterpret_cast<const std::byte*>(data_.get()), size_,
                              reinterpret_cast<std::byte*>(scratch_.get()));
    }
    std::byte* meta() { return reinterpret_cast<std::byte*>(meta_.get()); }

    // A PERF_RECORD_SAMPLE with PERF_SAMPLE_RAW, padded as the kernel pads
    // it: u32 size covers the data and the padding.
    void sample(std::span<const std::byte> payload) {
        const std::size_t raw = (payload.size() + 4 + 7) / 8 * 8 - 4;  // data + pad, with the u32: 8-aligned
        std::vector<std::byte> r(8 + 4 + raw);
        header(r, 9);
        const u32 n = static_cast<u32>(raw);
        std::memcpy(r.data() + 8, &n, 4);
        if (!payload.empty()) std::memcpy(r.data() + 12, payload.data(), payload.size());
        write(r);
    }
    void sample(const std::string& s) { sample(std::as_bytes(std::span(s.data(), s.size()))); }
    // PERF_RECORD_LOST: { header; u64 id; u64 lost; }.
    void lost(u64 count) {
        std::vector<std::byte> r(24);
        header(r, 2);
        std::memcpy(r.data() + 16, &count, 8);
        write(r);
    }
    // Any other record type, which the reader skips.
    void other(u32 type, std::size_t size) {
        std::vector<std::byte> r(size);
        header(r, type);
        write(r);
    }
    // Raw bytes at the head, published as they are.
    void write(std::span<const std::byte> bytes) {
        u64 h = head();
        auto* data = reinterpret_cast<std::byte*>(data_.get());
        for (std::byte b : bytes) data[h++ % size_] = b;
        std::atomic_ref<u64>(meta_[1024 / 8]).store(h, std::memory_order_release);
    }
    void start_at(u64 pos) { meta_[1024 / 8] = meta_[1032 / 8] = pos; }
    u64 head() const { return meta_[1024 / 8]; }
    u64 tail() const { return std::atomic_ref<u64>(meta_[1032 / 8]).load(); }

private:
    static void header(std::vector<std::byte>& r, u32 type) {
        const u16 size = static_cast<u16>(r.size());
        std::memcpy(r.data(), &type, 4);
        std::memset(r.data() + 4, 0, 2);
        std::memcpy(r.data() + 6, &size, 2);
    }
    std::size_t size_;
    std::unique_ptr<u64[]> meta_, data_, scratch_;
};

std::string text(std::span<const std::byte> s) {
    std::string t(reinterpret_cast<const char*>(s.data()), s.size());
    return t.substr(0, t.find('\0'));  // the kernel's padding is zeros
}

class PerfRing : public testing::Test {
protected:
    fake_perf_ring ring{256};
    perf_ring_core core = ring.core();
    std::vector<std::string> got;
    std::size_t consume() {
        return core.consume([&](std::span<const std::byte> r) { got.push_back(text(r)); });
    }
};

TEST_F(PerfRing, EmptyRingDeliversNothing) {
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(ring.tail(), 0u);
    EXPECT_EQ(core.lost(), 0u);
}

TEST_F(PerfRing, DeliversSamplesInOrderAndHandsTheSpaceBack) {
    ring.sample("one");
    ring.sample("twenty-one characters");
    ring.sample("");
    EXPECT_EQ(consume(), 3u);
    EXPECT_EQ(got, (std::vector<std::string>{"one", "twenty-one characters", ""}));
    EXPECT_EQ(ring.tail(), ring.head());
    EXPECT_EQ(core.available(), 0u);
}

TEST_F(PerfRing, RawDataIsFourByteAlignedAndIncludesThePadding) {
    ring.sample("abcde");  // 5 bytes: raw size 12 (record 24)
    std::size_t size = 0;
    std::uintptr_t address = 0;
    core.consume([&](std::span<const std::byte> r) {
        size = r.size();
        address = reinterpret_cast<std::uintptr_t>(r.data());
    });
    EXPECT_EQ(size, 12u);
    EXPECT_EQ(address % 8, 4u);  // 12 bytes into an 8-aligned record
}

TEST_F(PerfRing, ReassemblesASampleThatWrapsAroundTheEnd) {
    ring.start_at(256 - 16);  // 16 bytes before the end: the next record wraps
    const std::string long_text = "this sample starts near the end and ends at the start";
    ring.sample(long_text);
    ring.sample("after");
    EXPECT_EQ(consume(), 2u);
    EXPECT_EQ(got, (std::vector<std::string>{long_text, "after"}));
    EXPECT_EQ(ring.tail(), ring.head());
}

TEST_F(PerfRing, AnUnalignedTailIsGivenUp) {
    ring.start_at(256 - 4);  // not 8-aligned: no kernel does this, the walk must still not read outside
    ring.sample("x");
    EXPECT_EQ(consume(), 0u);  // an unaligned tail is not the kernel's: given up
    EXPECT_EQ(core.malformed(), 1u);
    EXPECT_EQ(ring.tail(), ring.head());
}

TEST_F(PerfRing, CountsLostSamplesAndSkipsOtherRecords) {
    ring.sample("a");
    ring.lost(7);
    ring.other(3, 32);  // PERF_RECORD_COMM, say
    ring.lost(5);
    ring.sample("b");
    EXPECT_EQ(consume(), 2u);
    EXPECT_EQ(got, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(core.lost(), 12u);
    EXPECT_EQ(core.malformed(), 0u);
}

TEST_F(PerfRing, GivesUpOnARecordThatCannotComeFromTheKernel) {
    ring.sample("kept");
    std::vector<std::byte> zero(8);  // a sample header claiming size 0: taking it would loop forever
    const u32 type = 9;
    std::memcpy(zero.data(), &type, 4);
    ring.write(zero);
    ring.sample("unread");
    EXPECT_EQ(consume(), 1u);
    EXPECT_EQ(core.malformed(), 1u);
    EXPECT_EQ(ring.tail(), ring.head());  // everything handed back
}

TEST_F(PerfRing, SkipsASampleWhoseSizeRunsPastItsRecord) {
    std::vector<std::byte> r(24);
    const u32 type = 9;
    const u16 size = 24;
    const u32 raw = 100;
    std::memcpy(r.data(), &type, 4);
    std::memcpy(r.data() + 6, &size, 2);
    std::memcpy(r.data() + 8, &raw, 4);
    ring.write(r);
    ring.sample("next");
    EXPECT_EQ(consume(), 1u);
    EXPECT_EQ(got, (std::vector<std::string>{"next"}));
    EXPECT_EQ(core.malformed(), 1u);
}

TEST_F(PerfRing, AHeadTooFarAheadIsGivenUp) {
    ring.sample("x");
    bpfxx::u64 far = 4096;
    std::memcpy(ring.meta() + 1024, &far, 8);
    EXPECT_EQ(consume(), 0u);
    EXPECT_EQ(core.malformed(), 1u);
    EXPECT_EQ(ring.tail(), 4096u);
}

TEST_F(PerfRing, StopsWhenTheCallbackSaysSoAndGoesOnLater) {
    for (const char* s : {"1", "2", "3"}) ring.sample(s);
    EXPECT_EQ(core.consume([&](std::span<const std::byte> r) {
        got.push_back(text(r));
        return false;
    }),
              1u);
    EXPECT_EQ(consume(), 2u);
    EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(PerfRing, ASampleWhoseCallbackThrowsIsConsumed) {
    ring.sample("bad");
    ring.sample("good");
    EXPECT_THROW(core.consume([](std::span<const std::byte>) { throw std::runtime_error("no"); }),
                 std::runtime_error);
    EXPECT_EQ(consume(), 1u);
    EXPECT_EQ(got, (std::vector<std::string>{"good"}));
}

TEST_F(PerfRing, FrontViewsUntilPop) {
    ring.sample("first");
    ring.sample("second");
    std::span<const std::byte> r;
    ASSERT_TRUE(core.front(r));
    EXPECT_EQ(text(r), "first");
    ASSERT_TRUE(core.front(r));  // the same until popped
    EXPECT_EQ(text(r), "first");
    EXPECT_EQ(ring.tail(), 0u);
    core.pop();
    EXPECT_NE(ring.tail(), 0u);
    ASSERT_TRUE(core.front(r));
    EXPECT_EQ(text(r), "second");
    core.pop();
    EXPECT_FALSE(core.front(r));
    EXPECT_EQ(ring.tail(), ring.head());
}

TEST_F(PerfRing, WrapsManyTimes) {
    // 10,000 samples of varying length through a 256-byte ring, read as
    // they come: every one arrives intact, whichever way it straddles.
    std::size_t read = 0;
    for (int i = 0; i < 10000; ++i) {
        std::string s = std::to_string(i) + std::string(static_cast<std::size_t>(i % 37), '.');
        ring.sample(s);
        core.consume([&](std::span<const std::byte> r) {
            EXPECT_EQ(text(r), s);
            ++read;
        });
    }
    EXPECT_EQ(read, 10000u);
}

struct alignas(8) wide {
    u64 a;
    u64 b;
};

TEST(PerfBufferSample, CopiesWhatIsMisalignedForItsType) {
    alignas(8) std::byte bytes[32] = {};
    const wide w{0x1122334455667788, 42};
    std::memcpy(bytes + 4, &w, sizeof(w));
    alignas(wide) std::byte storage[sizeof(wide)];
    const wide* got = bpfxx::detail::sample_as<wide>(std::span<const std::byte>(bytes + 4, 20), storage);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(reinterpret_cast<const std::byte*>(got), storage);  // copied
    EXPECT_EQ(got->a, w.a);
    EXPECT_EQ(got->b, 42u);
    // Aligned: viewed in place. Short: none.
    std::memcpy(bytes + 8, &w, sizeof(w));
    EXPECT_EQ(reinterpret_cast<const std::byte*>(
                  bpfxx::detail::sample_as<wide>(std::span<const std::byte>(bytes + 8, 16), storage)),
              bytes + 8);
    EXPECT_EQ(bpfxx::detail::sample_as<wide>(std::span<const std::byte>(bytes + 8, 15), storage), nullptr);
}

TEST(PerfBuffer, OpenRefusesWhatIsNotAPerfEventArray) {
    try {
        (void)bpfxx::perf_buffer::open(-1);
        FAIL() << "opened fd -1";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), EBADF);
        EXPECT_NE(std::string(e.what()).find("perf buffer: invalid map fd -1"), std::string::npos) << e.what();
    }
    try {
        (void)bpfxx::perf_buffer::open(0);  // stdin: a terminal or /dev/null, never a map
        FAIL() << "opened fd 0";
    } catch (const bpfxx::error& e) {
        EXPECT_NE(std::string(e.what()).find("perf buffer: "), std::string::npos) << e.what();
    }
}

}  // namespace
