// SPDX-License-Identifier: MIT OR Apache-2.0
// The rtnetlink client's requests and reply parsing (bpfxx/sys/netlink.hpp)
// on hand-built bytes: attribute layout and nesting, acks with and without
// the extended ack's text, capped and echoed, and malformed replies.
#include <bpfxx/sys/netlink.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace {

namespace nl = bpfxx::sys::netlink;
using bpfxx::u16;
using bpfxx::u32;

void put_bytes(std::vector<std::byte>& out, const void* p, std::size_t n) {
    const std::size_t at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, p, n);
}

template <class T>
void put(std::vector<std::byte>& out, const T& v) {
    put_bytes(out, &v, sizeof v);
}

template <class T>
T get(std::span<const std::byte> bytes, std::size_t at) {
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    return v;
}

TEST(Netlink, RequestsNestAndAlignAttributes) {
    nl::request r(nl::rtm_setlink, nl::f_create);
    nl::ifinfomsg h{};
    h.index = 7;
    r.header(h);
    const auto outer = r.begin(43);
    r.attr_s32(1, -1);
    r.attr_string(2, "abc");  // 4 bytes with the NUL: 8 with the header
    r.end(outer);
    const auto bytes = r.finish(42);
    ASSERT_EQ(bytes.size(), 16u + 16u + 4u + 8u + 8u);
    const auto hdr = get<nl::nlmsghdr>(bytes, 0);
    EXPECT_EQ(hdr.len, bytes.size());
    EXPECT_EQ(hdr.type, nl::rtm_setlink);
    EXPECT_EQ(hdr.flags, nl::f_request | nl::f_ack | nl::f_create);
    EXPECT_EQ(hdr.seq, 42u);
    EXPECT_EQ(get<nl::ifinfomsg>(bytes, 16).index, 7);
    const auto nested = get<nl::nlattr>(bytes, 32);
    EXPECT_EQ(nested.type, 43 | nl::attr_nested);
    EXPECT_EQ(nested.len, 4u + 8u + 8u);
    std::vector<u16> types;
    EXPECT_TRUE(nl::for_each_attribute(bytes.subspan(36, 16), [&](u16 t, std::span<const std::byte> v) {
        types.push_back(t);
        if (t == 2) {
            EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.data())), "abc");
        }
    }));
    EXPECT_EQ(types, (std::vector<u16>{1, 2}));
}

// An NLMSG_ERROR reply to request `seq`.
std::vector<std::byte> error_reply(u32 seq, int error, u16 flags, const char* message, bool echo_whole) {
    std::vector<std::byte> payload;
    put(payload, static_cast<bpfxx::s32>(-error));
    nl::nlmsghdr echoed{36, nl::rtm_newtfilter, nl::f_request, seq, 0};
    put(payload, echoed);
    if (echo_whole) payload.resize(payload.size() + 20);
    if (message != nullptr) {
        const std::size_t n = std::strlen(message) + 1;
        put(payload, nl::nlattr{static_cast<u16>(4 + n), nl::err_attr_msg});
        put_bytes(payload, message, n);
        payload.resize(nl::align4(payload.size()));
    }
    std::vector<std::byte> out;
    put(out, nl::nlmsghdr{static_cast<u32>(16 + payload.size()), nl::msg_error, flags, seq, 0});
    put_bytes(out, payload.data(), payload.size());
    return out;
}

TEST(Netlink, AcksCarryTheErrnoAndTheKernelsMessage) {
    auto capped = error_reply(5, EEXIST, nl::f_capped | nl::f_ack_tlvs, "Exclusivity flag on", false);
    auto a = nl::find_ack(capped, 5);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, EEXIST);
    EXPECT_EQ(a->message, "Exclusivity flag on");
    EXPECT_FALSE(nl::find_ack(capped, 6)) << "another request's ack";

    auto whole = error_reply(5, EINVAL, nl::f_ack_tlvs, "bad", true);
    a = nl::find_ack(whole, 5);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, EINVAL);
    EXPECT_EQ(a->message, "bad") << "found past the echoed request";

    auto ok = error_reply(9, 0, nl::f_capped, nullptr, false);
    a = nl::find_ack(ok, 9);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, 0);
    EXPECT_TRUE(a->message.empty());
}

TEST(Netlink, MalformedRepliesAreNoAck) {
    auto reply = error_reply(5, EEXIST, nl::f_capped | nl::f_ack_tlvs, "x", false);
    // A length past the end, a length shorter than the header, a cut datagram.
    auto longer = reply;
    const u32 big = 4096;
    std::memcpy(longer.data(), &big, 4);
    EXPECT_FALSE(nl::find_ack(longer, 5));
    auto shorter = reply;
    const u32 tiny = 8;
    std::memcpy(shorter.data(), &tiny, 4);
    EXPECT_FALSE(nl::find_ack(shorter, 5));
    EXPECT_FALSE(nl::find_ack(std::span<const std::byte>(reply).first(10), 5));
    // An attribute whose length overruns its message: the ack stands, the text is dropped.
    auto bad_attr = reply;
    const u16 overrun = 200;
    std::memcpy(bad_attr.data() + 16 + 4 + 16, &overrun, 2);
    auto a = nl::find_ack(bad_attr, 5);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, EEXIST);
    EXPECT_TRUE(a->message.empty());
    // A positive or absurd error is a protocol error, not an errno.
    auto odd = error_reply(5, -3, nl::f_capped, nullptr, false);
    EXPECT_EQ(nl::find_ack(odd, 5)->error, EPROTO);
}

} // namespace
