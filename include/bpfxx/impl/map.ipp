// SPDX-License-Identifier: MIT OR Apache-2.0
// Opening a typed map handle (bpfxx/map.hpp): the checks against the C++
// types, made once.
#pragma once

#include <bpfxx/detail/pin.hpp>
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
    key_size_ = info.key_size;
    value_size_ = info.value_size;
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
    if (want.value_size_multiple != 0) {
        if (info.value_size == 0 || info.value_size % want.value_size_multiple != 0)
            mismatch += cat(mismatch.empty() ? "" : ", and ", info.value_size, "-byte values, not a multiple of ",
                            want.value_size_multiple, " (", want.value_type, ")");
    } else if (info.value_size != want.value_size)
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

#ifdef BPFXX_TESTING
// Makes the batch operations take their single-entry fallback, for tests.
inline bool force_no_map_batch = false;
#endif

BPFXX_DECL bool kernel_has_map_batch() noexcept {
#ifdef BPFXX_TESTING
    if (force_no_map_batch) return false;
#endif
    // With a descriptor that cannot be a map the kernel answers EBADF for
    // a command it has and EINVAL for one it does not (its attr check
    // comes first); anything else (EPERM) leaves the batch path to say.
    static const bool has = [] {
        const int saved = errno;
        u32 count = 0;
        const int err = map_batch(sys::bpf_cmd::map_lookup_batch, -1, nullptr, false, nullptr, nullptr, count, 0);
        errno = saved;
        return err != EINVAL;
    }();
    return has;
}

BPFXX_DECL void map_base::pin(const std::string& path) const {
    pin_fd(fd(), path, name_.empty() ? cat("map id ", id_) : cat("map '", name_, "'"));
}

BPFXX_DECL void map_base::freeze() const {
    sys::attr::fd_only a;
    a.fd = static_cast<u32>(fd());
    if (sys::bpf(sys::bpf_cmd::map_freeze, a) < 0) {
        const int e = errno;
        raise(cat("cannot freeze map '", name_, "': ", errno_text(e),
                  e == EBUSY ? "; it is mapped writable, or frozen already" : "",
                  e == EINVAL ? "; the kernel cannot freeze maps (before Linux 5.2) or maps of this type" : ""),
              e);
    }
}

BPFXX_DECL sys::fd create_map(const map_requirements& want, u32 max_entries, const map_options& options,
                              int inner_fd) {
    const map_type type = options.type == map_type::unspec ? want.types.front() : options.type;
    bool type_ok = false;
    for (auto t : want.types) type_ok = type_ok || t == type;
    if (!type_ok)
        raise(cat(want.handle, "::create: map_options::type ", to_string(type), " is not a type this handle opens"),
              EINVAL);
    sys::attr::map_create a;
    a.map_type = static_cast<u32>(type);
    a.key_size = want.key_size;
    a.value_size = want.value_size;
    a.max_entries = max_entries;
    a.map_flags = options.flags;
    a.numa_node = options.numa_node;
    a.map_extra = options.map_extra;
    a.inner_map_fd = inner_fd < 0 ? 0 : static_cast<u32>(inner_fd);
    sys::copy_object_name(a.map_name, options.name);
    sys::fd fd = sys::bpf_fd(sys::bpf_cmd::map_create, a);
    if (!fd) {
        const int e = errno;
        raise(cat(want.handle, "::create: BPF_MAP_CREATE of a ", to_string(type), " map (key ", want.key_size,
                  " B, value ", want.value_size, " B, max_entries ", max_entries, ", flags ", hex(options.flags),
                  ") failed: ", errno_text(e),
                  e == EPERM ? "; creating maps needs CAP_BPF (or root)" : "",
                  e == EINVAL ? "; the kernel refuses this combination of type, sizes and flags (or does not "
                                "know the type)"
                              : "",
                  e == ENOMEM ? "; the memory cgroup (or RLIMIT_MEMLOCK before Linux 5.11) is exhausted" : ""),
              e);
    }
    return fd;
}

}  // namespace detail
BPFXX_END_NAMESPACE
