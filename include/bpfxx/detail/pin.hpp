// SPDX-License-Identifier: MIT OR Apache-2.0
// BPF_OBJ_PIN with the error every pinnable handle reports.
#pragma once

#include <bpfxx/config.hpp>
#include <bpfxx/error.hpp>
#include <bpfxx/sys/bpf.hpp>

#include <cerrno>
#include <string>
#include <string_view>

BPFXX_BEGIN_NAMESPACE
namespace detail {

// Pins the BPF object `fd` at `path`; `what` names it in the error.
inline void pin_fd(int fd, const std::string& path, std::string_view what) {
    sys::attr::obj_pin a;
    a.pathname = sys::ptr_to_u64(path.c_str());
    a.bpf_fd = static_cast<u32>(fd);
    if (sys::bpf(sys::bpf_cmd::obj_pin, a) < 0) {
        const int e = errno;
        raise(cat("cannot pin ", what, " at '", printable(path), "': ", errno_text(e),
                  e == EEXIST ? "; something is pinned there already" : "",
                  e == EPERM ? "; the path must be in a BPF filesystem (mount -t bpf bpf /sys/fs/bpf), and pinning "
                               "needs CAP_BPF"
                             : ""),
              e);
    }
}

}  // namespace detail
BPFXX_END_NAMESPACE
