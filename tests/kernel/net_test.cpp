// SPDX-License-Identifier: MIT OR Apache-2.0
// Packet, socket and cgroup programs attached for real (bpfxx/net.hpp):
// XDP and tcx on a veth pair whose other end lives in a network namespace
// the test creates, a socket filter on a UDP socket, and a cgroup_skb
// program on a cgroup the test creates. Traffic goes through them and the
// programs' maps and the receivers say what happened. Nothing the tests
// create survives them: the namespace (and with it the veth pair) and the
// cgroup are removed, and the hooks are checked empty afterwards.
#include <bpfxx/features.hpp>
#include <bpfxx/loader.hpp>
#include <bpfxx/map.hpp>
#include <bpfxx/net.hpp>
#include <bpfxx/object.hpp>

#include "../bpf/net.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using bpfxx::u16;
using bpfxx::u32;
using bpfxx::u64;
using testing::HasSubstr;

int run(const std::string& command) {
    const int status = std::system((command + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bpfxx::loaded_object load_net(std::vector<std::string> programs) {
    return bpfxx::loaded_object::load(bpfxx::object::open(std::string(BPFXX_TEST_OBJECTS) + "/net.bpf.o"),
                                      bpfxx::load_options().only_programs(std::move(programs)));
}

sockaddr_in address(const std::string& ip, u16 port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    return a;
}

// A UDP socket bound to `ip` (port chosen by the kernel), non-blocking.
struct udp_socket {
    bpfxx::sys::fd fd;
    u16 port = 0;

    explicit udp_socket(const std::string& ip) : fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
        if (!fd) throw std::runtime_error("socket failed");
        auto a = address(ip, 0);
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("bind to " + ip + " failed: " + std::strerror(errno));
        socklen_t len = sizeof a;
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    void send_to(const std::string& ip, u16 to_port, const std::string& payload) const {
        auto a = address(ip, to_port);
        if (::sendto(fd.get(), payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
            throw std::runtime_error(std::string("sendto failed: ") + std::strerror(errno));
    }
    // The next datagram, waiting up to `timeout`; nothing when none came.
    std::optional<std::string> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) const {
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        char buffer[2048];
        const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n < 0) return std::nullopt;
        return std::string(buffer, static_cast<std::size_t>(n));
    }
};

// A veth pair: `host` here, `peer` in a network namespace of its own, with
// addresses host_ip and peer_ip. Removed (namespace and pair) on destruction.
class veth_pair {
public:
    veth_pair() {
        const int id = static_cast<int>(::getpid());
        ns_ = "bpfxx-net-" + std::to_string(id);
        host = "bxa" + std::to_string(id);
        peer = "bxb" + std::to_string(id);
        const std::string subnet = "198.18." + std::to_string(id % 250) + ".";
        host_ip = subnet + "1";
        peer_ip = subnet + "2";
        ok_ = run("ip netns add " + ns_) == 0;
        ok_ = ok_ && run("ip link add " + host + " type veth peer name " + peer + " netns " + ns_) == 0 &&
              run("ip addr add " + host_ip + "/24 dev " + host) == 0 && run("ip link set " + host + " up") == 0 &&
              run("ip -n " + ns_ + " addr add " + peer_ip + "/24 dev " + peer) == 0 &&
              run("ip -n " + ns_ + " link set " + peer + " up") == 0 &&
              run("ip -n " + ns_ + " link set lo up") == 0;
    }
    ~veth_pair() {
        run("ip link del " + host);
        run("ip netns del " + ns_);
    }
    veth_pair(const veth_pair&) = delete;
    veth_pair& operator=(const veth_pair&) = delete;

    [[nodiscard]] bool ok() const { return ok_; }

    // Runs `f` on a thread inside the peer's namespace: sockets it creates
    // stay there.
    void in_peer_namespace(const std::function<void()>& f) const {
        std::exception_ptr failure;
        std::thread t([&] {
            try {
                bpfxx::sys::fd ns(::open(("/var/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC));
                if (!ns || ::setns(ns.get(), CLONE_NEWNET) != 0)
                    throw std::runtime_error(std::string("setns failed: ") + std::strerror(errno));
                f();
            } catch (...) {
                failure = std::current_exception();
            }
        });
        t.join();
        if (failure) std::rethrow_exception(failure);
    }

    std::string host, peer, host_ip, peer_ip;

private:
    std::string ns_;
    bool ok_ = false;
};

class Net : public testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_NET_ADMIN) to attach packet programs";
    }
    // A veth pair, or a skip saying why there is none.
    static std::unique_ptr<veth_pair> make_veth_pair() {
        if (run("ip -V") != 0) return nullptr;
        auto v = std::make_unique<veth_pair>();
        if (!v->ok()) return nullptr;
        return v;
    }
};

// The same tests through BPF links (XDP links, tcx) and through rtnetlink
// (forced by a test hook; the path kernels before 5.9 and 6.6 take).
class Attach : public Net, public testing::WithParamInterface<bool> {
protected:
    void SetUp() override {
        Net::SetUp();
        bpfxx::detail::force_netlink = GetParam();
    }
    void TearDown() override { bpfxx::detail::force_netlink = false; }
};

std::string path_name(const testing::TestParamInfo<bool>& i) { return i.param ? "Netlink" : "Link"; }

#define NEED_VETH(v)                                                                                            \
    auto v = make_veth_pair();                                                                                  \
    if (!v) GTEST_SKIP() << "cannot create a veth pair in a network namespace (needs iproute2's ip, veth and " \
                            "network namespaces)"

TEST_P(Attach, XdpCountsAndDropsDatagramsOnAVethPair) {
    NEED_VETH(v);
    auto lo = load_net({"xdp_count", "xdp_pass_all"});
    auto config = bpfxx::array_map<u32>::open(lo.map("config").fd());
    auto by_port = bpfxx::hash_map<u16, u64>::open(lo.map("udp_by_port").fd());
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());

    udp_socket open_port(v->host_ip), blocked(v->host_ip);
    ASSERT_TRUE(config.update(net_test::blocked_port, blocked.port));
    auto link = bpfxx::attach_xdp(lo.program("xdp_count").fd(), v->host);
    if (GetParam()) {
        EXPECT_EQ(link.kind(), bpfxx::link_kind::netlink);
    }
    EXPECT_THAT(link.description(), HasSubstr(v->host));

    // Five to the blocked port, then five to the open one: once the last
    // arrives, the earlier ones went through XDP too (one flow, in order).
    v->in_peer_namespace([&] {
        udp_socket sender(v->peer_ip);
        for (int i = 0; i < 5; ++i) sender.send_to(v->host_ip, blocked.port, "blocked " + std::to_string(i));
        for (int i = 0; i < 5; ++i) sender.send_to(v->host_ip, open_port.port, "open " + std::to_string(i));
    });
    for (int i = 0; i < 5; ++i) {
        auto d = open_port.receive();
        ASSERT_TRUE(d) << "datagram " << i << " to the open port did not arrive";
        EXPECT_EQ(*d, "open " + std::to_string(i));
    }
    EXPECT_FALSE(blocked.receive(std::chrono::milliseconds(0))) << "XDP_DROP let a datagram through";
    EXPECT_EQ(by_port.lookup(open_port.port), 5u);
    EXPECT_EQ(by_port.lookup(blocked.port), 5u);
    EXPECT_EQ(counters.lookup(net_test::dropped), 5u);

    // TCP through the same hook: a connection and a few bytes.
    bpfxx::sys::fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto a = address(v->host_ip, 0);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener.get(), 1), 0);
    socklen_t len = sizeof a;
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
    v->in_peer_namespace([&] {
        bpfxx::sys::fd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
        if (::send(c.get(), "hello", 5, 0) != 5) throw std::runtime_error("send failed");
    });
    bpfxx::sys::fd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(accepted);
    char buffer[8] = {};
    EXPECT_EQ(::recv(accepted.get(), buffer, sizeof buffer, MSG_WAITALL), 5);
    EXPECT_GE(counters.lookup(net_test::tcp_packets).value_or(0), 3u) << "SYN, ACK and the data at least";

    // Another program behind the same link, atomically (links only).
    if (link.kind() == bpfxx::link_kind::bpf_link) {
        const int pass_all = lo.program("xdp_pass_all").fd();
        EXPECT_THROW(link.update(pass_all, pass_all), bpfxx::error) << "the expected program is not attached";
        link.update(pass_all, lo.program("xdp_count").fd());
        v->in_peer_namespace([&] { udp_socket(v->peer_ip).send_to(v->host_ip, blocked.port, "updated"); });
        EXPECT_EQ(blocked.receive(), "updated");
        EXPECT_GE(counters.lookup(net_test::passed_all).value_or(0), 1u);
    } else {
        EXPECT_THROW(link.update(lo.program("xdp_pass_all").fd()), bpfxx::error);
    }

    // Detached: the blocked port receives again.
    link.detach();
    v->in_peer_namespace([&] { udp_socket(v->peer_ip).send_to(v->host_ip, blocked.port, "after"); });
    EXPECT_EQ(blocked.receive(), "after");
    EXPECT_EQ(counters.lookup(net_test::dropped), 5u);
}

TEST_P(Attach, XdpOnAnInterfaceThatIsTakenOrMissingSaysSo) {
    NEED_VETH(v);
    auto lo = load_net({"xdp_count"});
    const int fd = lo.program("xdp_count").fd();
    auto first = bpfxx::attach_xdp(fd, v->host);
    try {
        auto second = bpfxx::attach_xdp(fd, v->host);
        FAIL() << "a second XDP link on one interface";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("attached to the interface already"));
        EXPECT_THAT(e.what(), HasSubstr(v->host));
    }
    try {
        (void)bpfxx::attach_xdp(fd, "bpfxx-none0");
        FAIL() << "an interface that does not exist";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("no network interface named 'bpfxx-none0'"));
        EXPECT_EQ(e.code(), ENODEV);
    }
    // By index works too.
    first.detach();
    auto by_index = bpfxx::attach_xdp(fd, bpfxx::interface_index(v->host), {bpfxx::xdp_mode::generic});
    EXPECT_THAT(by_index.description(), HasSubstr("(generic)"));
}

TEST_P(Attach, TcEgressRewritesAHeaderTheReceiverSees) {
    NEED_VETH(v);
    auto lo = load_net({"tc_set_tos"});
    auto config = bpfxx::array_map<u32>::open(lo.map("config").fd());
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());

    std::optional<bpfxx::link_handle> link =
        bpfxx::attach_tc(lo.program("tc_set_tos").fd(), v->host, bpfxx::tc_direction::egress);
    if (GetParam()) {
        EXPECT_EQ(link->kind(), bpfxx::link_kind::netlink);
    }
    // The receiver is made in the namespace (a socket stays in the namespace
    // it was made in) and reports the datagram's TOS (IP_RECVTOS).
    std::optional<udp_socket> receiver;
    v->in_peer_namespace([&] { receiver.emplace(v->peer_ip); });
    const int on = 1;
    ASSERT_EQ(::setsockopt(receiver->fd.get(), IPPROTO_IP, IP_RECVTOS, &on, sizeof on), 0);
    ASSERT_TRUE(config.update(net_test::tos_port, receiver->port));
    ASSERT_TRUE(config.update(net_test::tos_value, 0xb8));
    // Sent from the host side: out through the host end's egress.
    udp_socket(v->host_ip).send_to(v->peer_ip, receiver->port, "x");
    int tos_seen = -1;
    pollfd p{receiver->fd.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 3000), 1) << "no datagram arrived";
    char data[16], control[64];
    iovec io{data, sizeof data};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ASSERT_GE(::recvmsg(receiver->fd.get(), &m, 0), 0);
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) tos_seen = *CMSG_DATA(c);
    EXPECT_EQ(tos_seen, 0xb8) << "the program set TOS and fixed the header checksum";
    EXPECT_EQ(counters.lookup(net_test::rewritten), 1u);
    if (link->kind() == bpfxx::link_kind::bpf_link) {
        ASSERT_EQ(bpfxx::query_tc(v->host, bpfxx::tc_direction::egress).program_ids.size(), 1u);
        link->detach();
        EXPECT_TRUE(bpfxx::query_tc(v->host, bpfxx::tc_direction::egress).program_ids.empty());
    } else {
        // Through clsact: once the filter is gone, the TOS stays as sent.
        EXPECT_THAT(link->description(), HasSubstr("clsact"));
        link->detach();
        udp_socket(v->host_ip).send_to(v->peer_ip, receiver->port, "y");
        ASSERT_EQ(::poll(&p, 1, 3000), 1);
        m.msg_controllen = sizeof control;
        ASSERT_GE(::recvmsg(receiver->fd.get(), &m, 0), 0);
        for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) tos_seen = *CMSG_DATA(c);
        EXPECT_EQ(tos_seen, 0) << "the filter was removed";
    }
    EXPECT_EQ(counters.lookup(net_test::rewritten), 1u);
}

INSTANTIATE_TEST_SUITE_P(Paths, Attach, testing::Values(false, true), path_name);

// The clsact path beside filters and qdiscs others made (with iproute2's tc).
TEST_F(Net, ClsactFiltersGoAroundOthersAndRefuseAnIngressQdisc) {
    NEED_VETH(v);
    if (run("tc -V") != 0) GTEST_SKIP() << "needs iproute2's tc to set the scene";
    auto lo = load_net({"tc_set_tos"});
    const int fd = lo.program("tc_set_tos").fd();
    bpfxx::detail::force_netlink = true;
    struct reset {
        ~reset() { bpfxx::detail::force_netlink = false; }
    } r;
    // Someone else's filter at the first priority place::last tries, with
    // another protocol: the kernel says EINVAL there, and the next is taken.
    // (This kernel may have no other classifier modules: tc adds a cls_bpf
    // filter of the same program, pinned for it, with protocol ip.)
    const std::string pin = "/sys/fs/bpf/bpfxx-net-test-" + std::to_string(::getpid());
    bpfxx::sys::attr::obj_pin a;
    a.pathname = bpfxx::sys::ptr_to_u64(pin.c_str());
    a.bpf_fd = static_cast<u32>(fd);
    if (bpfxx::sys::bpf(bpfxx::sys::bpf_cmd::obj_pin, a) != 0) GTEST_SKIP() << "no BPF filesystem at /sys/fs/bpf";
    struct unpin {
        std::string path;
        ~unpin() { ::unlink(path.c_str()); }
    } u{pin};
    ASSERT_EQ(run("tc qdisc add dev " + v->host + " clsact"), 0);
    ASSERT_EQ(run("tc filter add dev " + v->host + " egress prio 49152 protocol ip bpf da pinned " + pin), 0);
    {
        auto link = bpfxx::attach_tc(fd, v->host, bpfxx::tc_direction::egress);
        EXPECT_THAT(link.description(), HasSubstr("priority 49153"));
    }
    // A plain ingress qdisc holds ffff:: clsact cannot be made, and the
    // egress filter must not land in ingress's block.
    ASSERT_EQ(run("tc qdisc del dev " + v->host + " clsact"), 0);
    ASSERT_EQ(run("tc qdisc add dev " + v->host + " ingress"), 0);
    try {
        (void)bpfxx::attach_tc(fd, v->host, bpfxx::tc_direction::egress);
        FAIL() << "attached beside an ingress qdisc";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("clsact qdisc"));
    }
}

TEST_F(Net, TcxRunsProgramsInTheOrderAsked) {
    NEED_VETH(v);
    auto lo = load_net({"tc_mark_one", "tc_mark_two"});
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());
    const int one = lo.program("tc_mark_one").fd(), two = lo.program("tc_mark_two").fd();
    if (bpfxx::features::tcx_link() != bpfxx::features::answer::yes)
        GTEST_SKIP() << "the kernel has no tcx (Linux 6.6): no ordering, no revisions";
    std::optional<bpfxx::link_handle> l1 = bpfxx::attach_tc(one, v->host, bpfxx::tc_direction::ingress);
    const u64 revision = bpfxx::query_tc(v->host, bpfxx::tc_direction::ingress).revision;
    bpfxx::tc_options first;
    first.where = bpfxx::tc_options::place::before;
    first.relative_fd = l1->fd();
    first.relative_is_link = true;
    first.expected_revision = revision;
    auto l2 = bpfxx::attach_tc(two, v->host, bpfxx::tc_direction::ingress, first);

    auto listed = bpfxx::query_tc(v->host, bpfxx::tc_direction::ingress);
    ASSERT_EQ(listed.program_ids.size(), 2u);
    EXPECT_GT(listed.revision, revision);
    EXPECT_NE(listed.link_ids[0], 0u);
    // A stale revision is refused.
    bpfxx::tc_options stale;
    stale.expected_revision = revision;
    try {
        (void)bpfxx::attach_tc(one, v->host, bpfxx::tc_direction::ingress, stale);
        FAIL() << "attached at a stale revision";
    } catch (const bpfxx::error& e) {
        EXPECT_EQ(e.code(), ESTALE) << e.what();
    }

    // Start counting now: packets of the peer's own (IPv6 neighbour
    // discovery) may have met program one alone before two came.
    ASSERT_TRUE(counters.update(net_test::order, 0));
    // One datagram into the host end: two ran first, then one.
    v->in_peer_namespace([&] { udp_socket(v->peer_ip).send_to(v->host_ip, 9, "order"); });
    for (int i = 0; i < 300 && counters.lookup(net_test::order).value_or(0) < 10; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const u64 order = counters.lookup(net_test::order).value_or(0);
    // Each packet appends "21" (ARP may add more packets: the digits repeat).
    ASSERT_GE(order, 21u);
    EXPECT_EQ(std::to_string(order).substr(0, 2), "21");
    l1.reset();
    l2.detach();
    EXPECT_TRUE(bpfxx::query_tc(v->host, bpfxx::tc_direction::ingress).program_ids.empty());
}

TEST_F(Net, SocketFilterDropsWhatItRejects) {
    auto lo = load_net({"drop_x"});
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());
    udp_socket receiver("127.0.0.1"), sender("127.0.0.1");
    auto link = bpfxx::attach_socket_filter(lo.program("drop_x").fd(), receiver.fd.get());
    EXPECT_EQ(link.kind(), bpfxx::link_kind::socket_filter);
    sender.send_to("127.0.0.1", receiver.port, "xdrop");
    sender.send_to("127.0.0.1", receiver.port, "keep");
    EXPECT_EQ(receiver.receive(), "keep");
    EXPECT_EQ(counters.lookup(net_test::dropped), 1u);
    link.detach();
    sender.send_to("127.0.0.1", receiver.port, "xafter");
    EXPECT_EQ(receiver.receive(), "xafter") << "the filter is off";

    try {
        (void)bpfxx::attach_socket_filter(lo.program("drop_x").fd(), lo.map("config").fd());
        FAIL() << "a map is not a socket";
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("not a socket"));
    }
}

// A cgroup made for the test under the cgroup2 mount, removed at the end.
class test_cgroup {
public:
    test_cgroup() {
        try {
            path = bpfxx::cgroup2_mount() + "/bpfxx-test-" + std::to_string(::getpid());
        } catch (const bpfxx::error&) {
            return;
        }
        made_ = ::mkdir(path.c_str(), 0755) == 0;
    }
    ~test_cgroup() {
        if (made_) ::rmdir(path.c_str());
    }
    test_cgroup(const test_cgroup&) = delete;
    test_cgroup& operator=(const test_cgroup&) = delete;
    [[nodiscard]] bool ok() const { return made_; }
    std::string path;

private:
    bool made_ = false;
};

// Runs `f` in a child process moved into the cgroup at `path` first, and
// returns what it returns (its exit status; -1 when it died). `f` must make
// system calls only: the child must not run the test on.
int run_in_cgroup(const std::string& path, const std::function<int()>& f) {
    int go[2];
    if (::pipe2(go, O_CLOEXEC) != 0) return -1;
    const pid_t child = ::fork();
    if (child == 0) {
        char c;
        if (::read(go[0], &c, 1) != 1) ::_exit(100);
        ::_exit(f());
    }
    {
        std::ofstream procs(path + "/cgroup.procs");
        procs << child << std::flush;
        if (!procs.good()) ::kill(child, SIGKILL);
    }
    (void)!::write(go[1], "g", 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(go[0]);
    ::close(go[1]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(Net, CgroupSkbCountsAndDropsAProcesssTraffic) {
    test_cgroup cg;
    if (!cg.ok()) GTEST_SKIP() << "cannot create a cgroup under the cgroup2 mount";
    auto lo = load_net({"cgroup_count"});
    auto config = bpfxx::array_map<u32>::open(lo.map("config").fd());
    auto by_port = bpfxx::hash_map<u16, u64>::open(lo.map("udp_by_port").fd());
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());
    udp_socket open_port("127.0.0.1"), blocked("127.0.0.1");
    ASSERT_TRUE(config.update(net_test::blocked_port, blocked.port));
    auto link = bpfxx::attach_cgroup(lo.program("cgroup_count"), cg.path);
    EXPECT_THAT(link.description(), HasSubstr("cgroup_inet_egress"));
    auto listed = bpfxx::query_cgroup(cg.path, bpfxx::attach_type::cgroup_inet_egress);
    ASSERT_EQ(listed.program_ids.size(), 1u);

    // A child moved into the cgroup sends three datagrams to each port. A
    // datagram dropped at cgroup egress fails sendto with EPERM.
    const int refused = run_in_cgroup(cg.path, [&] {
        const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
        int n = 0;
        for (int i = 0; i < 3; ++i) {
            auto a = address("127.0.0.1", blocked.port);
            if (::sendto(s, "no", 2, 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 && errno == EPERM) ++n;
        }
        for (int i = 0; i < 3; ++i) {
            auto a = address("127.0.0.1", open_port.port);
            if (::sendto(s, "yes", 3, 0, reinterpret_cast<sockaddr*>(&a), sizeof a) != 3) return 10;
        }
        return n;
    });
    // Recent kernels fail sendto with EPERM for each datagram the program
    // dropped; older ones (5.10, 6.1) report ENOBUFS, which UDP hides.
    EXPECT_TRUE(refused == 3 || refused == 0) << refused;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(open_port.receive(), "yes");
    EXPECT_FALSE(blocked.receive(std::chrono::milliseconds(0)));
    EXPECT_EQ(by_port.lookup(blocked.port), 3u);
    EXPECT_EQ(counters.lookup(net_test::dropped), 3u);

    // This process is not in the cgroup: its datagrams are not seen.
    udp_socket("127.0.0.1").send_to("127.0.0.1", blocked.port, "outside");
    EXPECT_EQ(blocked.receive(), "outside");
    EXPECT_EQ(by_port.lookup(blocked.port), 3u);

    link.detach();
    EXPECT_TRUE(bpfxx::query_cgroup(cg.path, bpfxx::attach_type::cgroup_inet_egress).program_ids.empty());
}

TEST_F(Net, CgroupConnect4RewritesTheDestination) {
    test_cgroup cg;
    if (!cg.ok()) GTEST_SKIP() << "cannot create a cgroup under the cgroup2 mount";
    auto lo = load_net({"redirect_connect"});
    auto config = bpfxx::array_map<u32>::open(lo.map("config").fd());
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());
    udp_socket nowhere("127.0.0.1"), real("127.0.0.1");
    ASSERT_TRUE(config.update(net_test::redirect_from, nowhere.port));
    ASSERT_TRUE(config.update(net_test::redirect_to, real.port));
    auto link = bpfxx::attach_cgroup(lo.program("redirect_connect"), cg.path);
    const int sent = run_in_cgroup(cg.path, [&] {
        const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
        auto a = address("127.0.0.1", nowhere.port);
        if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 1;
        return ::send(s, "moved", 5, 0) == 5 ? 0 : 2;
    });
    EXPECT_EQ(sent, 0);
    EXPECT_EQ(real.receive(), "moved");
    EXPECT_FALSE(nowhere.receive(std::chrono::milliseconds(0)));
    EXPECT_EQ(counters.lookup(net_test::rewritten), 1u);
}

// Two TCP connections on the loopback interface: client[i] to server[i].
struct tcp_pairs {
    bpfxx::sys::fd client[2], server[2];
    bool ok = false;
    tcp_pairs() {
        bpfxx::sys::fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        auto a = address("127.0.0.1", 0);
        socklen_t len = sizeof a;
        if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener.get(), 2) != 0 ||
            ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        for (int i = 0; i < 2; ++i) {
            client[i] = bpfxx::sys::fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            if (::connect(client[i].get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
            server[i] = bpfxx::sys::fd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (!server[i]) return;
        }
        ok = true;
    }
};

// What arrives on a TCP socket within `timeout`: empty when nothing does.
std::string receive_tcp(int fd, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buffer[256];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

class Sockmap : public Net, public testing::WithParamInterface<bool> {
protected:
    void SetUp() override {
        Net::SetUp();
        bpfxx::detail::force_sockmap_prog_attach = GetParam();
    }
    void TearDown() override { bpfxx::detail::force_sockmap_prog_attach = false; }

    // Attaches `program` to the sockmap, puts `first` at index 0 and
    // `second` at 1, and sends `text` from `sender`; returns the link.
    static bpfxx::link_handle attach(const bpfxx::loaded_object& lo, const char* program, int first, int second) {
        auto link = bpfxx::attach_sockmap(lo.program(program), lo.map("sockets").fd());
        // A link where the kernel has sockmap links (6.10); else, and when
        // forced, BPF_PROG_ATTACH.
        if (GetParam()) {
            EXPECT_EQ(link.kind(), bpfxx::link_kind::prog_attach);
        }
        auto sockets = bpfxx::sock_map<>::open(lo.map("sockets").fd());
        EXPECT_TRUE(sockets.set(0, first));
        EXPECT_TRUE(sockets.set(1, second));
        auto cookie = sockets.cookie(1);
        EXPECT_TRUE(cookie && *cookie && **cookie != 0) << "the socket's cookie";
        EXPECT_FALSE(cookie && sockets.cookie(2) && *sockets.cookie(2)) << "index 2 is empty";
        return link;
    }
    // The hook's programs, or nothing where the kernel cannot list them (before 5.19).
    static std::optional<std::size_t> attached(const bpfxx::loaded_object& lo, bpfxx::attach_type type) {
        try {
            return bpfxx::query_sockmap(lo.map("sockets").fd(), type).program_ids.size();
        } catch (const bpfxx::error&) {
            return std::nullopt;
        }
    }
};

TEST_P(Sockmap, SkMsgRedirectsASentMessageIntoAnotherSocket) {
    tcp_pairs t;
    if (!t.ok) GTEST_SKIP() << "no TCP connection on 127.0.0.1 (loopback down?)";
    auto lo = load_net({"msg_to_one"});
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());
    auto link = attach(lo, "msg_to_one", t.client[0].get(), t.client[1].get());
    if (auto n = attached(lo, bpfxx::attach_type::sk_msg_verdict)) {
        EXPECT_EQ(*n, 1u);
    }
    ASSERT_EQ(::send(t.client[0].get(), "to client 1", 11, 0), 11);
    EXPECT_EQ(receive_tcp(t.client[1].get()), "to client 1") << "into client 1's receive queue";
    EXPECT_EQ(receive_tcp(t.server[0].get(), std::chrono::milliseconds(0)), "") << "not sent to server 0";
    EXPECT_EQ(counters.lookup(net_test::redirected), 1u);
    link.detach();
    if (auto n = attached(lo, bpfxx::attach_type::sk_msg_verdict)) {
        EXPECT_EQ(*n, 0u) << "detached";
    }
}

TEST_P(Sockmap, SkSkbVerdictRedirectsReceivedDataOutOfAnotherSocket) {
    tcp_pairs t;
    if (!t.ok) GTEST_SKIP() << "no TCP connection on 127.0.0.1 (loopback down?)";
    auto lo = load_net({"skb_to_one"});
    auto counters = bpfxx::array_map<u64>::open(lo.map("counters").fd());
    auto link = attach(lo, "skb_to_one", t.server[0].get(), t.server[1].get());
    if (auto n = attached(lo, bpfxx::attach_type::sk_skb_stream_verdict)) {
        EXPECT_EQ(*n, 1u);
    }
    ASSERT_EQ(::send(t.client[0].get(), "via server 1", 12, 0), 12);
    EXPECT_EQ(receive_tcp(t.client[1].get()), "via server 1") << "server 0 received it, server 1 sent it on";
    EXPECT_EQ(receive_tcp(t.server[0].get(), std::chrono::milliseconds(0)), "");
    EXPECT_GE(counters.lookup(net_test::redirected).value_or(0), 1u);
    link.detach();
    if (auto n = attached(lo, bpfxx::attach_type::sk_skb_stream_verdict)) {
        EXPECT_EQ(*n, 0u) << "detached";
    }
}

INSTANTIATE_TEST_SUITE_P(Paths, Sockmap, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& i) { return i.param ? "ProgAttach" : "Default"; });

TEST_F(Net, CgroupErrorsNameTheCgroupAndTheSection) {
    auto lo = load_net({"cgroup_count", "drop_x"});
    try {
        (void)bpfxx::attach_cgroup(lo.program("cgroup_count"), "/nonexistent/cgroup");
        FAIL();
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("'/nonexistent/cgroup'"));
        EXPECT_EQ(e.code(), ENOENT);
    }
    try {
        (void)bpfxx::attach_cgroup(lo.program("drop_x"), "/");
        FAIL();
    } catch (const bpfxx::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("is not a cgroup hook"));
    }
}

} // namespace
