// SPDX-License-Identifier: MIT OR Apache-2.0
// libFuzzer target: the kernel's text formats the loader reads: gunzip of
// /proc/config.gz (bpfxx/detail/inflate.hpp), the .config parser and the
// encoding of values into .kconfig externs (bpfxx/kconfig.hpp), and the
// /proc/kallsyms reader for .ksyms (bpfxx/detail/kallsyms.hpp). Malformed input must
// be a bpfxx::error, output must stay within the limit, and an encoding
// must write only the extern's bytes (ASan sees the exact-size buffers).
//
// Input: one byte (modulo 3: 0 gzip data, 1 config text, 2 kallsyms text
// follows), then the data.
#include <bpfxx/detail/inflate.hpp>
#include <bpfxx/detail/kallsyms.hpp>
#include <bpfxx/kconfig.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace kc = bpfxx::kconfig;

namespace {

void use_config(std::string text) {
    auto c = bpfxx::kernel_config::parse(std::move(text));
    static const kc::value_type types[] = {
        {kc::value_kind::boolean, 1, 1, false},  {kc::value_kind::tristate, 4, 4, false},
        {kc::value_kind::character, 1, 1, true}, {kc::value_kind::integer, 2, 2, true},
        {kc::value_kind::integer, 4, 4, false},  {kc::value_kind::integer, 8, 8, true},
        {kc::value_kind::string, 1, 1, false},   {kc::value_kind::string, 7, 1, false},
    };
    for (const char* name : {"CONFIG_A", "CONFIG_HZ", "CONFIG_BPF", "CONFIG_DEFAULT_HOSTNAME", "CONFIG_"}) {
        auto v = c.value(name);
        if (!v) continue;
        for (const auto& t : types) {
            std::vector<std::byte> out(t.size);
            (void)kc::encode(*v, t, out);
            if (t.kind == kc::value_kind::string && out.back() != std::byte{0}) std::abort();  // NUL-terminated
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    if (data[0] % 3 == 2) {
        const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
        const std::string_view names[] = {"schedule", "dup", "", "veth_open"};
        bpfxx::detail::kallsyms_hit hits[4];
        bpfxx::detail::find_kallsyms(text, names, hits);
        for (const auto& h : hits)
            if (h.ambiguous && !h.found) std::abort();
    } else if (data[0] % 3 == 0) {
        constexpr std::size_t limit = 1 << 20;
        try {
            auto text = bpfxx::detail::gunzip(in, limit);
            if (text.size() > limit) std::abort();
            use_config(std::move(text));
        } catch (const bpfxx::error&) {
        }
    } else {
        use_config(std::string(reinterpret_cast<const char*>(in.data()), in.size()));
    }
    (void)kc::version_code(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
