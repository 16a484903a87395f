// SPDX-License-Identifier: MIT OR Apache-2.0
// Opening a typed map handle (bpfxx/map.hpp): the checks against the C++
// types, made once.
#pragma once

#include <bpfxx/map.hpp>

#include <fcntl.h>
#include <string.h>

BPFXX_BEGIN_NAMESPACE
namespace detail {

BPFXX_DECL map_base::map_base(int fd, const map_requirements& want) {
    auto where = cat(want.handle, "::open");
    if (fd < 0) raise(cat(where, ": ", fd, " is not a file descriptor"), EBADF);
    // BPF_OBJ_GET_INFO_BY_FD answers for programs, links and BTF too,
    // each with its own layout; an element lookup with no key fails with
    // EINVAL only when the descriptor is not a map (EFAULT, ENOENT,
    // EPERM or ENOTSUPP when it is, depending on the map type).
    if (int err = map_lookup(fd, nullptr, nullptr); err == EBADF) {
        raise(cat(where, ": fd ", fd, " is not open"), EBADF);
    } else if (err == EINVAL) {
        raise(cat(where, ": fd ", fd, " is not a BPF map (it is another kind of file, or a BPF program, link or ",
                  "BTF object)"),
              EINVAL);
    }
    sys::map_info info;
    sys::attr::obj_info a;
    a.bpf_fd = static_cast<u32>(fd);
    a.info_len = sizeof info;
    a.info = sys::ptr_to_u64(&info);
    if (sys::bpf(sys::bpf_cmd::obj_get_info_by_fd, a) < 0)
        raise_errno(cat(where, ": BPF_OBJ_GET_INFO_BY_FD on fd ", fd, " failed"));

    name_.assign(info.name, ::strnlen(info.name, sizeof info.name));
    type_ = static_cast<map_type>(info.type);
    id_ = info.id;
    max_entries_ = info.max_entries;
    map_flags_ = info.map_flags;
    const std::string which = name_.empty() ? cat("map id ", id_) : cat("map '", name_, "' (id ", id_, ")");

    bool type_ok = false;
    for (auto t : want.types) type_ok = type_ok || t == type_;
    if (!type_ok) {
        std::string accepted;
        for (std::size_t i = 0; i < want.types.size(); ++i)
            accepted += cat(i == 0 ? "" : i + 1 == want.types.size() ? " or " : ", ", to_string(want.types[i]));
        std::string advice;
        if (const char* h = handle_for(type_)) advice = cat(". Open it with ", h, " instead");
        raise(cat(where, ": ", which, " has type ", to_string(type_), " (", info.type, "); this handle takes ",
                  accepted, " maps", advice),
              EINVAL);
    }

    std::string mismatch;
    if (info.key_size != want.key_size)
        mismatch += cat(info.key_size, "-byte keys but the key type '", want.key_type, "' is ", want.key_size,
                        " bytes");
    if (info.value_size != want.value_size)
        mismatch += cat(mismatch.empty() ? "" : ", and ", info.value_size, "-byte values but the value type '",
                        want.value_type, "' is ", want.value_size, " bytes");
    if (!mismatch.empty())
        raise(cat(where, ": ", which, " has ", mismatch,
                  ". The C++ types must be the ones the BPF program declares the map with"),
              EINVAL);

    int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (dup < 0) raise_errno(cat(where, ": duplicating fd ", fd, " of ", which));
    fd_ = sys::fd(dup);
}

}  // namespace detail
BPFXX_END_NAMESPACE
