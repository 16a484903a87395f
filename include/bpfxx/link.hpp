// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::link_handle — what keeps an attached program attached. Destroying
// it (or detach()) takes the program off again. (Not "link": that would be
// ambiguous with POSIX ::link under `using namespace bpfxx`.)
#pragma once
#ifdef __bpf__
#error "bpfxx/link.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/detail/pin.hpp>
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
    // holds a descriptor of the socket; detach() takes the socket's filter
    // off (SO_DETACH_BPF), whichever it is by then: a socket has one filter,
    // and attaching another replaces it.
    socket_filter,
    // A program attached with BPF_PROG_ATTACH to a target that outlives it
    // (a sockmap) on kernels without BPF links for that target:
    // the handle holds descriptors of the target and the program, and
    // detach() calls BPF_PROG_DETACH.
    prog_attach,
    // An XDP program set or a TC filter added through rtnetlink, on kernels
    // without XDP links (before 5.9) or tcx (before 6.6): the handle holds
    // a descriptor of the program and what detach() must send to remove
    // exactly that attachment.
    netlink,
};

constexpr const char* to_string(link_kind k) noexcept {
    switch (k) {
    case link_kind::none: return "none";
    case link_kind::bpf_link: return "bpf_link";
    case link_kind::perf_event: return "perf_event";
    case link_kind::socket_filter: return "socket_filter";
    case link_kind::prog_attach: return "prog_attach";
    case link_kind::netlink: return "netlink";
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
    // Owns descriptors of a target and a program attached to it with
    // BPF_PROG_ATTACH as `type` (an attach_type value).
    [[nodiscard]] static link_handle from_prog_attach(sys::fd target, sys::fd program, u32 type,
                                                      std::string description) {
        link_handle l(link_kind::prog_attach, std::move(target), std::move(program), std::move(description));
        l.attach_type_ = type;
        return l;
    }
    // What removes a netlink attachment: called by detach() with the
    // target's numbers and the program's descriptor; never throws.
    using netlink_undo = void (*)(const u32 (&target)[4], int prog_fd) noexcept;
    // Owns a descriptor of a program attached through rtnetlink; `undo`
    // takes it off again, given `target`.
    [[nodiscard]] static link_handle from_netlink(sys::fd program, netlink_undo undo, const u32 (&target)[4],
                                                  std::string description) {
        link_handle l(link_kind::netlink, sys::fd(), std::move(program), std::move(description));
        l.undo_ = undo;
        for (int i = 0; i < 4; ++i) l.target_[i] = target[i];
        return l;
    }
    // Owns a perf event fd that a program was set on with
    // PERF_EVENT_IOC_SET_BPF.
    [[nodiscard]] static link_handle from_perf_event(sys::fd perf_event, std::string description) {
        return link_handle(link_kind::perf_event, sys::fd(), std::move(perf_event), std::move(description));
    }

    link_handle(link_handle&& o) noexcept
        : kind_(std::exchange(o.kind_, link_kind::none)), link_fd_(std::move(o.link_fd_)),
          perf_fd_(std::move(o.perf_fd_)), attach_type_(o.attach_type_), undo_(std::exchange(o.undo_, nullptr)),
          description_(std::move(o.description_)) {
        for (int i = 0; i < 4; ++i) target_[i] = o.target_[i];
    }
    link_handle& operator=(link_handle&& o) noexcept {
        if (this != &o) {
            detach();
            kind_ = std::exchange(o.kind_, link_kind::none);
            link_fd_ = std::move(o.link_fd_);
            perf_fd_ = std::move(o.perf_fd_);
            attach_type_ = o.attach_type_;
            undo_ = std::exchange(o.undo_, nullptr);
            for (int i = 0; i < 4; ++i) target_[i] = o.target_[i];
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
            int unused = 0;
            (void)::setsockopt(link_fd_.get(), SOL_SOCKET, SO_DETACH_BPF, &unused, sizeof(unused));
        }
        if (kind_ == link_kind::prog_attach && link_fd_ && perf_fd_) {
            sys::attr::prog_attach a;
            a.target_fd = static_cast<u32>(link_fd_.get());
            a.attach_bpf_fd = static_cast<u32>(perf_fd_.get());
            a.attach_type = attach_type_;
            (void)sys::bpf(sys::bpf_cmd::prog_detach, a);
        }
        if (kind_ == link_kind::netlink && undo_ && perf_fd_) undo_(target_, perf_fd_.get());
        undo_ = nullptr;
        link_fd_.reset();
        perf_fd_.reset();
        kind_ = link_kind::none;
    }

    [[nodiscard]] link_kind kind() const noexcept { return kind_; }
    explicit operator bool() const noexcept { return kind_ != link_kind::none; }

    // The descriptor that is the attachment: the BPF link for bpf_link, the
    // perf event for perf_event, the socket for socket_filter, the target
    // (a map, a cgroup) for prog_attach, the program for netlink; -1 when
    // empty.
    [[nodiscard]] int fd() const noexcept {
        return kind_ == link_kind::perf_event || kind_ == link_kind::netlink ? perf_fd_.get() : link_fd_.get();
    }
    // The perf event under the attachment, -1 when there is none.
    [[nodiscard]] int perf_event_fd() const noexcept {
        return kind_ == link_kind::bpf_link || kind_ == link_kind::perf_event ? perf_fd_.get() : -1;
    }

    // What is attached where, for messages ("tracepoint syscalls/sys_enter_getpid").
    [[nodiscard]] const std::string& description() const noexcept { return description_; }

    // Puts another program behind this BPF link, atomically: no packet or
    // event goes unseen between the two (BPF_LINK_UPDATE, Linux 5.7; XDP,
    // tcx, cgroup, netns, sockmap and iterator links). With
    // `expected_fd`, only if that program is the one attached now (EPERM
    // otherwise). The new program must be of the same type and attach type.
    void update(int prog_fd, int expected_fd = -1) const {
        if (kind_ != link_kind::bpf_link)
            detail::raise(detail::cat("cannot update ", description_.empty() ? std::string("an empty link") : description_,
                                      ": only BPF links can change their program (this one is ", to_string(kind_),
                                      "): detach it and attach the other program"),
                          EINVAL);
        sys::attr::link_update a;
        a.link_fd = static_cast<u32>(link_fd_.get());
        a.new_prog_fd = static_cast<u32>(prog_fd);
        if (expected_fd >= 0) {
            constexpr u32 f_replace = 1u << 2;  // BPF_F_REPLACE
            a.flags = f_replace;
            a.old_prog_fd = static_cast<u32>(expected_fd);
        }
        if (sys::bpf(sys::bpf_cmd::link_update, a) < 0) {
            const int e = errno;
            detail::raise(detail::cat("cannot put program fd ", prog_fd, " behind ", description_, ": ",
                                      detail::errno_text(e),
                                      e == EPERM && expected_fd >= 0 ? "; the expected program is not the one attached"
                                      : e == EINVAL ? "; the program must have the type and attach type of the one "
                                                      "attached, and links of this kind must be able to change "
                                                      "their program (perf event, kprobe and tracing links cannot)"
                                                    : ""),
                          e);
        }
    }

    // Pins the link at `path` in a BPF filesystem (mount -t bpf bpf
    // /sys/fs/bpf): the program stays attached after this handle and this
    // process are gone, until the pin is removed (unlink, rm). BPF links
    // only: an attachment through PERF_EVENT_IOC_SET_BPF cannot be pinned.
    void pin(const std::string& path) const {
        if (kind_ != link_kind::bpf_link)
            detail::raise(detail::cat("cannot pin ", description_.empty() ? std::string("an empty link") : description_,
                                      ": only BPF links can be pinned (this one is ", to_string(kind_), ")"),
                          EINVAL);
        detail::pin_fd(link_fd_.get(), path, description_);
    }

    // Hands the descriptor that is the attachment out (the BPF link, or the
    // perf event of a PERF_EVENT_IOC_SET_BPF attachment): the program stays
    // attached while it is open. For a socket filter or a BPF_PROG_ATTACH
    // attachment, the socket's or target's descriptor: the program stays
    // attached while the socket or target exists. For a netlink attachment,
    // the program's: it stays attached until removed by hand (ip link set
    // dev <name> xdp off, tc filter del). This handle becomes empty.
    [[nodiscard]] sys::fd release() noexcept {
        sys::fd out = kind_ == link_kind::perf_event || kind_ == link_kind::netlink ? std::move(perf_fd_)
                                                                                      : std::move(link_fd_);
        link_fd_.reset();
        perf_fd_.reset();
        undo_ = nullptr;
        kind_ = link_kind::none;
        description_.clear();
        return out;
    }

private:
    link_handle(link_kind kind, sys::fd link_fd, sys::fd perf_fd, std::string description) noexcept
        : kind_(kind), link_fd_(std::move(link_fd)), perf_fd_(std::move(perf_fd)),
          description_(std::move(description)) {}

    link_kind kind_ = link_kind::none;
    // bpf_link: the link, and the perf event under it if any; perf_event:
    // the event in perf_fd_; socket_filter: the socket; prog_attach: the
    // target, and the program in perf_fd_; netlink: the program in
    // perf_fd_.
    sys::fd link_fd_;
    sys::fd perf_fd_;
    u32 attach_type_ = 0;  // prog_attach
    netlink_undo undo_ = nullptr;  // netlink
    u32 target_[4] = {};           // netlink: what undo_ removes
    std::string description_;
};

BPFXX_END_NAMESPACE
