// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::link_handle — what keeps an attached program attached. Destroying
// it (or detach()) takes the program off again. (Not "link": that would be
// ambiguous with POSIX ::link under `using namespace bpfxx`.)
#pragma once
#ifdef __bpf__
#error "bpfxx/link.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>
#include <bpfxx/shared/types.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/fd.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <utility>

BPFXX_BEGIN_NAMESPACE

enum class link_kind : u8 {
    none,
    // A BPF link fd (BPF_LINK_CREATE, BPF_RAW_TRACEPOINT_OPEN): the kernel
    // detaches when the last reference to it goes; a pinned link stays.
    bpf_link,
    // A perf event fd carrying the program through PERF_EVENT_IOC_SET_BPF
    // (kernels before 5.15 have no BPF link for perf events). The program
    // goes with the event, which detach() disables and closes.
    perf_event,
    // A socket carrying a socket filter program (SO_ATTACH_BPF): the handle
    // holds a descriptor of the socket; detach() takes the filter off
    // (SO_DETACH_BPF).
    socket_filter,
};

constexpr const char* to_string(link_kind k) noexcept {
    switch (k) {
    case link_kind::none: return "none";
    case link_kind::bpf_link: return "bpf_link";
    case link_kind::perf_event: return "perf_event";
    case link_kind::socket_filter: return "socket_filter";
    }
    return "unknown";
}

class link_handle {
public:
    link_handle() noexcept = default;

    // Owns a BPF link fd and, when the link is over a perf event, that
    // event's fd too. `description` names the attachment in messages
    // ("tracepoint syscalls/sys_enter_getpid").
    [[nodiscard]] static link_handle from_bpf_link(sys::fd link_fd, std::string description, sys::fd perf_event = {}) {
        return link_handle(link_kind::bpf_link, std::move(link_fd), std::move(perf_event), std::move(description));
    }
    // Owns a descriptor of a socket that a filter program was attached to
    // with SO_ATTACH_BPF.
    [[nodiscard]] static link_handle from_socket_filter(sys::fd socket, std::string description) {
        return link_handle(link_kind::socket_filter, std::move(socket), sys::fd(), std::move(description));
    }
    // Owns a perf event fd that a program was set on with
    // PERF_EVENT_IOC_SET_BPF.
    [[nodiscard]] static link_handle from_perf_event(sys::fd perf_event, std::string description) {
        return link_handle(link_kind::perf_event, sys::fd(), std::move(perf_event), std::move(description));
    }

    link_handle(link_handle&& o) noexcept
        : kind_(std::exchange(o.kind_, link_kind::none)), link_fd_(std::move(o.link_fd_)),
          perf_fd_(std::move(o.perf_fd_)), description_(std::move(o.description_)) {}
    link_handle& operator=(link_handle&& o) noexcept {
        if (this != &o) {
            detach();
            kind_ = std::exchange(o.kind_, link_kind::none);
            link_fd_ = std::move(o.link_fd_);
            perf_fd_ = std::move(o.perf_fd_);
            description_ = std::move(o.description_);
        }
        return *this;
    }
    link_handle(const link_handle&) = delete;
    link_handle& operator=(const link_handle&) = delete;
    ~link_handle() { detach(); }

    // Releases this handle's hold on the attachment; the program stops
    // running unless something else (a pin, a duplicated fd) keeps it.
    void detach() noexcept {
        if (kind_ == link_kind::perf_event && perf_fd_) {
            // A program set by ioctl cannot be taken off an event. When
            // someone else keeps the event open (attach_perf_event with a
            // borrowed fd), disabling it at least stops a perf_event
            // program; tracepoint and probe programs run until the event's
            // last descriptor is closed.
            (void)sys::perf_event_ioctl(perf_fd_.get(), sys::perf_event_ioc_disable);
        }
        if (kind_ == link_kind::socket_filter && link_fd_) {
            constexpr int sol_socket = 1, so_detach_bpf = 27;  // asm-generic socket.h: x86_64 and arm64
            int unused = 0;
            (void)::setsockopt(link_fd_.get(), sol_socket, so_detach_bpf, &unused, sizeof(unused));
        }
        link_fd_.reset();
        perf_fd_.reset();
        kind_ = link_kind::none;
    }

    [[nodiscard]] link_kind kind() const noexcept { return kind_; }
    explicit operator bool() const noexcept { return kind_ != link_kind::none; }

    // The descriptor that is the attachment: the BPF link for bpf_link, the
    // perf event for perf_event, the socket for socket_filter; -1 when empty.
    [[nodiscard]] int fd() const noexcept {
        return kind_ == link_kind::perf_event ? perf_fd_.get() : link_fd_.get();
    }
    // The perf event under the attachment, -1 when there is none.
    [[nodiscard]] int perf_event_fd() const noexcept { return perf_fd_.get(); }

    // What is attached where, for messages ("tracepoint syscalls/sys_enter_getpid").
    [[nodiscard]] const std::string& description() const noexcept { return description_; }

    // Pins the link at `path` in a BPF filesystem (mount -t bpf bpf
    // /sys/fs/bpf): the program stays attached after this handle and this
    // process are gone, until the pin is removed (unlink, rm). BPF links
    // only: an attachment through PERF_EVENT_IOC_SET_BPF cannot be pinned.
    void pin(const std::string& path) const {
        if (kind_ != link_kind::bpf_link)
            detail::raise(detail::cat("cannot pin ", description_.empty() ? std::string("an empty link") : description_,
                                      ": only BPF links can be pinned (this one is ", to_string(kind_), ")"),
                          EINVAL);
        sys::attr::obj_pin a;
        a.pathname = sys::ptr_to_u64(path.c_str());
        a.bpf_fd = static_cast<u32>(link_fd_.get());
        if (sys::bpf(sys::bpf_cmd::obj_pin, a) < 0) {
            const int e = errno;
            detail::raise(detail::cat("cannot pin ", description_, " at '", detail::printable(path), "': ",
                                      detail::errno_text(e),
                                      e == EEXIST ? "; something is pinned there already" : "",
                                      e == EPERM ? "; the path must be in a BPF filesystem (mount -t bpf bpf "
                                                   "/sys/fs/bpf), and pinning needs CAP_BPF"
                                                 : ""),
                          e);
        }
    }

    // Hands the descriptor that is the attachment out (the BPF link, or the
    // perf event of a PERF_EVENT_IOC_SET_BPF attachment): the program stays
    // attached while it is open. This handle becomes empty.
    [[nodiscard]] sys::fd release() noexcept {
        sys::fd out = kind_ == link_kind::perf_event ? std::move(perf_fd_) : std::move(link_fd_);
        link_fd_.reset();
        perf_fd_.reset();
        kind_ = link_kind::none;
        description_.clear();
        return out;
    }

private:
    link_handle(link_kind kind, sys::fd link_fd, sys::fd perf_fd, std::string description) noexcept
        : kind_(kind), link_fd_(std::move(link_fd)), perf_fd_(std::move(perf_fd)),
          description_(std::move(description)) {}

    link_kind kind_ = link_kind::none;
    sys::fd link_fd_;
    sys::fd perf_fd_;
    std::string description_;
};

BPFXX_END_NAMESPACE
