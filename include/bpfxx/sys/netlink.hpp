// SPDX-License-Identifier: MIT OR Apache-2.0
// A small rtnetlink client: what attaching XDP and TC programs needs on
// kernels without XDP links (before 5.9) or tcx (before 6.6), and what
// tests need to make veth pairs. Requests are built with nested
// attributes; replies are parsed with bounds checks on every length (the
// bytes come from the kernel, but the parser is fuzzed like every other:
// tests/fuzz/netlink_fuzz.cpp). Constants and layouts are kernel ABI
// (uapi netlink.h, rtnetlink.h, if_link.h, pkt_sched.h, pkt_cls.h).
#pragma once
#ifdef __bpf__
#error "bpfxx/sys/netlink.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/fd.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

BPFXX_BEGIN_NAMESPACE
namespace sys::netlink {

inline constexpr int netlink_route = 0;  // NETLINK_ROUTE
inline constexpr int sol_netlink = 270;
inline constexpr int opt_cap_ack = 10, opt_ext_ack = 11;

// Message types.
inline constexpr u16 msg_error = 2, msg_done = 3;
inline constexpr u16 rtm_newlink = 16, rtm_dellink = 17, rtm_setlink = 19, rtm_newaddr = 20;
inline constexpr u16 rtm_newqdisc = 36, rtm_delqdisc = 37, rtm_newtfilter = 44, rtm_deltfilter = 45;

// Message flags.
inline constexpr u16 f_request = 0x1, f_multi = 0x2, f_ack = 0x4;
inline constexpr u16 f_replace = 0x100, f_excl = 0x200, f_create = 0x400;  // new requests
inline constexpr u16 f_capped = 0x100, f_ack_tlvs = 0x200;                  // error replies
inline constexpr u16 attr_nested = 0x8000, attr_net_byteorder = 0x4000;
inline constexpr u16 err_attr_msg = 1;  // NLMSGERR_ATTR_MSG: the extended ack's text

struct nlmsghdr {
    u32 len;
    u16 type;
    u16 flags;
    u32 seq;
    u32 pid;
};
static_assert(sizeof(nlmsghdr) == 16);

struct nlattr {
    u16 len;
    u16 type;
};
static_assert(sizeof(nlattr) == 4);

struct ifinfomsg {
    u8 family;
    u8 pad;
    u16 type;
    s32 index;
    u32 flags;
    u32 change;
};
static_assert(sizeof(ifinfomsg) == 16);

struct ifaddrmsg {
    u8 family;
    u8 prefixlen;
    u8 flags;
    u8 scope;
    u32 index;
};
static_assert(sizeof(ifaddrmsg) == 8);

struct tcmsg {
    u8 family;
    u8 pad1;
    u16 pad2;
    s32 ifindex;
    u32 handle;
    u32 parent;
    u32 info;
};
static_assert(sizeof(tcmsg) == 20);

constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

// One request: the netlink header, the family header, then attributes.
class request {
public:
    // NLM_F_REQUEST | NLM_F_ACK are always set.
    request(u16 type, u16 flags) {
        nlmsghdr h{};
        h.type = type;
        h.flags = static_cast<u16>(flags | f_request | f_ack);
        append(&h, sizeof h);
    }
    template <class Header>
    request& header(const Header& h) {
        append(&h, sizeof h);
        return *this;
    }
    request& attr(u16 type, const void* data, std::size_t size) {
        nlattr a{static_cast<u16>(sizeof(nlattr) + size), type};
        append(&a, sizeof a);
        append(data, size);
        return *this;
    }
    request& attr_u32(u16 type, u32 v) { return attr(type, &v, sizeof v); }
    request& attr_s32(u16 type, s32 v) { return attr(type, &v, sizeof v); }
    // A NUL-terminated string, as the kernel's NLA_STRING/NLA_NUL_STRING want.
    request& attr_string(u16 type, std::string_view s) {
        std::string z(s);
        return attr(type, z.c_str(), z.size() + 1);
    }
    // Opens a nested attribute; end() closes it.
    std::size_t begin(u16 type) {
        const std::size_t at = bytes_.size();
        nlattr a{0, static_cast<u16>(type | attr_nested)};
        append(&a, sizeof a);
        return at;
    }
    void end(std::size_t at) {
        const u16 len = static_cast<u16>(bytes_.size() - at);
        std::memcpy(bytes_.data() + at, &len, sizeof len);
    }
    // The finished message with sequence number `seq`.
    std::span<const std::byte> finish(u32 seq) {
        const u32 len = static_cast<u32>(bytes_.size());
        std::memcpy(bytes_.data() + offsetof(nlmsghdr, len), &len, sizeof len);
        std::memcpy(bytes_.data() + offsetof(nlmsghdr, seq), &seq, sizeof seq);
        return bytes_;
    }

private:
    void append(const void* p, std::size_t n) {
        const std::size_t at = bytes_.size();
        bytes_.resize(align4(at + n));
        if (n != 0) std::memcpy(bytes_.data() + at, p, n);
    }
    std::vector<std::byte> bytes_;
};

// Calls f(header, payload) for each length-prefixed record (messages,
// attributes: their headers start with their length, padded to 4 bytes).
// Returns false at the first malformed length (the rest is not walked).
template <class Header, class F>
bool for_each_record(std::span<const std::byte> data, F&& f) {
    while (data.size() >= sizeof(Header)) {
        Header h;
        std::memcpy(&h, data.data(), sizeof h);
        const std::size_t len = h.len;
        if (len < sizeof h || len > data.size()) return false;
        f(h, data.subspan(sizeof h, len - sizeof h));
        data = data.subspan(align4(len) < data.size() ? align4(len) : data.size());
    }
    return data.empty();
}

// Calls f(header, payload) for each message of a datagram, in order.
template <class F>
bool for_each_message(std::span<const std::byte> data, F&& f) {
    return for_each_record<nlmsghdr>(data, f);
}

// Calls f(type, payload) for each attribute (the nested and byte-order
// flags cleared).
template <class F>
bool for_each_attribute(std::span<const std::byte> data, F&& f) {
    return for_each_record<nlattr>(data, [&](const nlattr& a, std::span<const std::byte> payload) {
        f(static_cast<u16>(a.type & ~(attr_nested | attr_net_byteorder)), payload);
    });
}

// What the kernel answered a request: 0 or an errno, and the extended
// ack's text when it gave one ("Exclusivity flag on, cannot modify").
struct ack {
    int error = 0;
    std::string message;
    bool from_kernel = true;  // false: a local failure (socket, send, receive)
};

// The ack of request `seq` in a datagram, if it holds one. Malformed
// bytes are no ack.
inline std::optional<ack> find_ack(std::span<const std::byte> datagram, u32 seq) {
    std::optional<ack> out;
    for_each_message(datagram, [&](const nlmsghdr& h, std::span<const std::byte> payload) {
        if (out || h.seq != seq || h.type != msg_error || payload.size() < sizeof(s32) + sizeof(nlmsghdr)) return;
        s32 error;
        std::memcpy(&error, payload.data(), sizeof error);
        ack a;
        a.error = error < 0 && error > -4096 ? -error : error == 0 ? 0 : EPROTO;
        if (h.flags & f_ack_tlvs) {
            // After the error and the request's header (capped) or the whole
            // request (not capped).
            nlmsghdr echoed;
            std::memcpy(&echoed, payload.data() + sizeof(s32), sizeof echoed);
            const std::size_t skip =
                sizeof(s32) + ((h.flags & f_capped) ? sizeof(nlmsghdr) : align4(echoed.len));
            if (skip <= payload.size())
                for_each_attribute(payload.subspan(skip), [&](u16 type, std::span<const std::byte> v) {
                    if (type != err_attr_msg || v.empty()) return;
                    std::string text(reinterpret_cast<const char*>(v.data()), v.size());
                    text.resize(::strnlen(text.c_str(), text.size()));
                    a.message = std::move(text);
                });
        }
        out = std::move(a);
    });
    return out;
}

// An rtnetlink socket of the calling thread's network namespace.
class socket {
public:
    // Nothing (errno set) when the socket cannot be made.
    static std::optional<socket> open() noexcept {
        sys::fd s(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, netlink_route));
        if (!s) return std::nullopt;
        const int on = 1;
        (void)::setsockopt(s.get(), sol_netlink, opt_ext_ack, &on, sizeof on);  // 4.12
        (void)::setsockopt(s.get(), sol_netlink, opt_cap_ack, &on, sizeof on);  // 4.3
        return socket(std::move(s));
    }

    // Sends `r` and waits for its ack.
    ack transact(request& r) {
        const u32 seq = ++seq_;
        const auto bytes = r.finish(seq);
        sockaddr_nl_ kernel{};
        kernel.family = AF_NETLINK;
        ssize_t n;
        do {
            n = ::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
                         sizeof kernel);
        } while (n < 0 && errno == EINTR);
        if (n < 0) return {errno, "sending the netlink request failed", false};
        std::vector<std::byte> buffer(32768);
        for (;;) {
            do {
                n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
            } while (n < 0 && errno == EINTR);
            if (n < 0) return {errno, "receiving the netlink reply failed", false};
            if (auto a = find_ack(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(n)), seq))
                return *a;
        }
    }

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

private:
    struct sockaddr_nl_ {  // struct sockaddr_nl
        u16 family;
        u16 pad;
        u32 pid;
        u32 groups;
    };
    explicit socket(sys::fd s) noexcept : fd_(std::move(s)) {}
    sys::fd fd_;
    u32 seq_ = 0;
};

} // namespace sys::netlink
BPFXX_END_NAMESPACE
