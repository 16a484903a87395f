// SPDX-License-Identifier: MIT OR Apache-2.0
// gunzip: a gzip member (RFC 1952) of DEFLATE data (RFC 1951) to bytes, for
// the kernel configuration in /proc/config.gz, so bpfxx needs no zlib.
//
// The input is untrusted: every length, code and back reference is checked,
// output past `limit` is refused (a few KB of input can describe gigabytes),
// and the trailer's CRC-32 and length must match. Malformed input raises
// bpfxx::error (EINVAL, EFBIG past the limit). Huffman codes decode one bit
// at a time with the canonical-code walk: simple, and fast enough for the
// ~250 KB a kernel configuration holds.
#pragma once
#ifdef __bpf__
#error "bpfxx/detail/inflate.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

BPFXX_BEGIN_NAMESPACE
namespace detail {
namespace inflate_impl {

[[noreturn]] inline void malformed(const char* why) {
    raise(cat("malformed gzip data: ", why), EINVAL);
}

// Reads bits least significant first, as DEFLATE packs them.
class bit_reader {
public:
    explicit bit_reader(std::span<const std::byte> in) : in_(in) {}

    std::uint32_t bits(unsigned n) {  // n <= 24
        while (count_ < n) {
            if (at_ == in_.size()) malformed("it ends inside a block");
            buffer_ |= static_cast<std::uint32_t>(in_[at_++]) << count_;
            count_ += 8;
        }
        const auto v = buffer_ & ((std::uint32_t{1} << n) - 1);
        buffer_ >>= n;
        count_ -= n;
        return v;
    }

    // Drops the bits left in the current byte (stored blocks start on one).
    void align() {
        buffer_ = 0;
        count_ = 0;
    }

    std::size_t position() const noexcept { return at_; }  // after align()
    void skip(std::size_t n) { at_ += n; }
    std::span<const std::byte> input() const noexcept { return in_; }

private:
    std::span<const std::byte> in_;
    std::size_t at_ = 0;
    std::uint32_t buffer_ = 0;
    unsigned count_ = 0;
};

inline constexpr unsigned max_bits = 15;

// A canonical Huffman code: how many codes of each length, and the symbols
// in code order.
struct huffman {
    std::array<std::uint16_t, max_bits + 1> count{};
    std::array<std::uint16_t, 288> symbol{};

    // From code lengths (0: symbol unused). An over-subscribed set is
    // malformed; an incomplete one is allowed (RFC 1951 permits a single
    // distance code), and a code it lacks fails when read.
    void build(const std::uint8_t* lengths, unsigned n) {
        count.fill(0);
        for (unsigned s = 0; s < n; ++s) ++count[lengths[s]];
        int left = 1;
        for (unsigned len = 1; len <= max_bits; ++len) {
            left = 2 * left - count[len];
            if (left < 0) malformed("over-subscribed Huffman code");
        }
        std::array<std::uint16_t, max_bits + 2> offset{};
        for (unsigned len = 1; len <= max_bits; ++len)
            offset[len + 1] = static_cast<std::uint16_t>(offset[len] + count[len]);
        for (unsigned s = 0; s < n; ++s)
            if (lengths[s] != 0) symbol[offset[lengths[s]]++] = static_cast<std::uint16_t>(s);
    }

    unsigned decode(bit_reader& r) const {
        int code = 0, first = 0, index = 0;
        for (unsigned len = 1; len <= max_bits; ++len) {
            code |= static_cast<int>(r.bits(1));
            const int n = count[len];
            if (code - first < n) return symbol[static_cast<std::size_t>(index + code - first)];
            index += n;
            first = (first + n) << 1;
            code <<= 1;
        }
        malformed("a Huffman code that the block's table does not have");
    }
};

inline constexpr std::array<std::uint16_t, 29> length_base{3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
                                                            15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
                                                            67, 83, 99, 115, 131, 163, 195, 227, 258};
inline constexpr std::array<std::uint8_t, 29> length_extra{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                           2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
inline constexpr std::array<std::uint16_t, 30> distance_base{
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
inline constexpr std::array<std::uint8_t, 30> distance_extra{0, 0, 0, 0, 1, 1, 2,  2,  3,  3,  4,  4,  5,  5,  6,
                                                             6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class inflater {
public:
    inflater(std::span<const std::byte> in, std::size_t limit) : r_(in), limit_(limit) {}

    // Inflates the DEFLATE stream; returns where it ended in the input.
    std::size_t run(std::string& out) {
        bool last = false;
        while (!last) {
            last = r_.bits(1) != 0;
            switch (r_.bits(2)) {
            case 0: stored(out); break;
            case 1: fixed(out); break;
            case 2: dynamic(out); break;
            default: malformed("block type 3 (reserved)");
            }
        }
        r_.align();
        return r_.position();
    }

private:
    bit_reader r_;
    std::size_t limit_;
    huffman lit_, dist_;

    void room(const std::string& out, std::size_t n) const {
        if (n > limit_ - out.size())
            raise(cat("gzip data inflates to more than the ", limit_, " bytes accepted"), EFBIG);
    }

    void stored(std::string& out) {
        r_.align();
        const auto in = r_.input();
        const auto at = r_.position();
        if (in.size() - at < 4) malformed("a stored block's header is cut off");
        const auto u16 = [&](std::size_t i) {
            return static_cast<unsigned>(in[at + i]) | static_cast<unsigned>(in[at + i + 1]) << 8;
        };
        const unsigned len = u16(0);
        if ((len ^ 0xffffu) != u16(2)) malformed("a stored block's length and its complement disagree");
        if (in.size() - at - 4 < len) malformed("a stored block is cut off");
        room(out, len);
        out.append(reinterpret_cast<const char*>(in.data() + at + 4), len);
        r_.skip(4 + len);
    }

    void fixed(std::string& out) {
        std::array<std::uint8_t, 288> l{};
        for (unsigned s = 0; s < 288; ++s) l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
        lit_.build(l.data(), 288);
        l.fill(5);
        dist_.build(l.data(), 30);
        codes(out);
    }

    void dynamic(std::string& out) {
        const unsigned nlen = r_.bits(5) + 257, ndist = r_.bits(5) + 1, ncode = r_.bits(4) + 4;
        if (nlen > 286 || ndist > 30) malformed("too many literal/length or distance codes");
        static constexpr std::array<std::uint8_t, 19> order{16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                            11, 4,  12, 3, 13, 2, 14, 1, 15};
        std::array<std::uint8_t, 19> cl{};
        for (unsigned i = 0; i < ncode; ++i) cl[order[i]] = static_cast<std::uint8_t>(r_.bits(3));
        huffman lengths_code;
        lengths_code.build(cl.data(), 19);
        std::array<std::uint8_t, 286 + 30> l{};
        for (unsigned i = 0; i < nlen + ndist;) {
            const unsigned sym = lengths_code.decode(r_);
            if (sym < 16) {
                l[i++] = static_cast<std::uint8_t>(sym);
                continue;
            }
            std::uint8_t value = 0;
            unsigned repeat = 0;
            if (sym == 16) {
                if (i == 0) malformed("a repeated code length with none before it");
                value = l[i - 1];
                repeat = 3 + r_.bits(2);
            } else if (sym == 17) {
                repeat = 3 + r_.bits(3);
            } else {
                repeat = 11 + r_.bits(7);
            }
            if (repeat > nlen + ndist - i) malformed("code lengths run past the table");
            while (repeat-- != 0) l[i++] = value;
        }
        if (l[256] == 0) malformed("no end-of-block code");
        lit_.build(l.data(), nlen);
        dist_.build(l.data() + nlen, ndist);
        codes(out);
    }

    void codes(std::string& out) {
        for (;;) {
            const unsigned sym = lit_.decode(r_);
            if (sym < 256) {
                room(out, 1);
                out.push_back(static_cast<char>(sym));
                continue;
            }
            if (sym == 256) return;
            if (sym - 257 >= length_base.size()) malformed("length code 286 or 287");
            const unsigned len = length_base[sym - 257] + r_.bits(length_extra[sym - 257]);
            const unsigned d = dist_.decode(r_);
            if (d >= distance_base.size()) malformed("distance code 30 or 31");
            const std::size_t distance = distance_base[d] + r_.bits(distance_extra[d]);
            if (distance > out.size()) malformed("a back reference before the start of the data");
            room(out, len);
            // Byte by byte: the copy may overlap what it writes.
            for (std::size_t from = out.size() - distance, i = 0; i < len; ++i) out.push_back(out[from + i]);
        }
    }
};

inline std::uint32_t crc32(const std::string& data) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xffffffffu;
    for (unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

}  // namespace inflate_impl

inline constexpr std::size_t gunzip_default_limit = std::size_t{64} << 20;

// The contents of the first gzip member of `in`; at most `limit` bytes.
inline std::string gunzip(std::span<const std::byte> in, std::size_t limit = gunzip_default_limit) {
    using inflate_impl::malformed;
    auto byte = [&](std::size_t i) { return static_cast<unsigned>(in[i]); };
    if (in.size() < 18) malformed("shorter than a gzip header and trailer");
    if (byte(0) != 0x1f || byte(1) != 0x8b) malformed("no gzip magic number");
    if (byte(2) != 8) malformed("a compression method other than DEFLATE");
    const unsigned flags = byte(3);
    if ((flags & 0xe0) != 0) malformed("reserved header flags set");
    std::size_t at = 10;
    auto need = [&](std::size_t n) {
        if (in.size() - at < n) malformed("the header is cut off");
    };
    if ((flags & 0x04) != 0) {  // FEXTRA
        need(2);
        const std::size_t xlen = byte(at) | byte(at + 1) << 8;
        at += 2;
        need(xlen);
        at += xlen;
    }
    for (unsigned flag : {0x08u, 0x10u})  // FNAME, FCOMMENT: NUL-terminated
        if ((flags & flag) != 0) {
            while (at < in.size() && byte(at) != 0) ++at;
            need(1);
            ++at;
        }
    if ((flags & 0x02) != 0) {  // FHCRC
        need(2);
        at += 2;
    }
    std::string out;
    inflate_impl::inflater inf(in.subspan(at), limit);
    at += inf.run(out);
    if (in.size() - at < 8) malformed("the trailer (CRC-32 and length) is cut off");
    auto u32 = [&](std::size_t i) {
        return static_cast<std::uint32_t>(byte(i) | byte(i + 1) << 8 | byte(i + 2) << 16 | byte(i + 3) << 24);
    };
    if (u32(at) != inflate_impl::crc32(out)) malformed("the CRC-32 does not match the data");
    if (u32(at + 4) != static_cast<std::uint32_t>(out.size())) malformed("the length does not match the data");
    return out;
}

}  // namespace detail
BPFXX_END_NAMESPACE
