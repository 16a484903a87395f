// SPDX-License-Identifier: MIT OR Apache-2.0
// execsnoop: prints every exec on the system as it happens, from a C++
// kernel program loaded by bpfxx's own loader. Options follow libbpf-tools'
// execsnoop.
#include "execsnoop.hpp"
#include "execsnoop.skel.hpp"  // generated from execsnoop.bpf.cpp by bpfxx_add_skeleton()

#include <bpfxx/event_loop.hpp>

#include <signal.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace {

struct options {
    long uid = -1;            // -u
    bool failed_only = false; // -x
    std::string name;         // -n: comm or any argument contains it
    bool time_column = false; // -T
    bool timestamp = false;   // -t: seconds since start
    bool print_uid = false;   // -U
    bool quote = false;       // -q
    unsigned max_args = execsnoop::max_args;
    double duration = 0;      // -d SECONDS: exit after that long (0 = until Ctrl-C)
    bool first_event = false; // --first-event: exit after one event (for measurements)
};

[[noreturn]] void usage(int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: execsnoop [-T] [-t] [-U] [-x] [-q] [-u UID] [-n NAME] [--max-args N] [-d SECONDS]\n"
                 "Trace exec() syscalls.\n"
                 "  -T             include a time column (HH:MM:SS)\n"
                 "  -t             include a timestamp column (seconds since start)\n"
                 "  -U             include a UID column\n"
                 "  -x             only failed execs\n"
                 "  -q             quote arguments\n"
                 "  -u UID         only this user id (name or number)\n"
                 "  -n NAME        only commands whose name or arguments contain NAME\n"
                 "  --max-args N   read at most N arguments (1-%u, default %u)\n"
                 "  -d SECONDS     stop after SECONDS (default: until Ctrl-C)\n",
                 execsnoop::max_args, execsnoop::max_args);
    std::exit(status);
}

// The uid of a user in /etc/passwd. Not getpwnam(): a static binary
// cannot load the NSS modules glibc would need for it.
std::optional<long> uid_by_name(std::string_view name) {
    std::ifstream in("/etc/passwd");
    std::string line;
    while (std::getline(in, line)) {
        // name:password:uid:...
        auto c1 = line.find(':');
        if (c1 == std::string::npos || std::string_view(line).substr(0, c1) != name) continue;
        auto c2 = line.find(':', c1 + 1);
        if (c2 == std::string::npos) continue;
        return std::atol(line.c_str() + c2 + 1);
    }
    return std::nullopt;
}

options parse(int argc, char** argv) {
    options o;
    auto value = [&](int& i) -> const char* {
        if (i + 1 >= argc) usage(2);
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-T") o.time_column = true;
        else if (a == "-t") o.timestamp = true;
        else if (a == "-U") o.print_uid = true;
        else if (a == "-x") o.failed_only = true;
        else if (a == "-q") o.quote = true;
        else if (a == "-n") o.name = value(i);
        else if (a == "-d") o.duration = std::atof(value(i));
        else if (a == "--first-event") o.first_event = true;
        else if (a == "--max-args") {
            long n = std::atol(value(i));
            if (n < 1 || n > static_cast<long>(execsnoop::max_args)) usage(2);
            o.max_args = static_cast<unsigned>(n);
        } else if (a == "-u") {
            const char* v = value(i);
            char* end = nullptr;
            long uid = std::strtol(v, &end, 10);
            if (end != v && *end == '\0') {
                o.uid = uid;
            } else if (auto uid_of = uid_by_name(v)) {
                o.uid = *uid_of;
            } else {
                std::fprintf(stderr, "execsnoop: unknown user '%s'\n", v);
                std::exit(2);
            }
        } else if (a == "-h" || a == "--help") {
            usage(0);
        } else {
            usage(2);
        }
    }
    return o;
}

// The filename and arguments, NUL-separated in the event, as one line.
std::string arguments(const execsnoop::event& e, bool quote) {
    std::string out;
    std::size_t size = std::min<std::size_t>(e.args_size, sizeof(e.args));
    std::size_t start = 0;
    for (unsigned n = 0; n < e.args_count && start < size; ++n) {
        auto len = ::strnlen(e.args + start, size - start);
        if (!out.empty()) out.push_back(' ');
        if (quote) out.push_back('"');
        out.append(e.args + start, len);
        if (quote) out.push_back('"');
        start += len + 1;
    }
    if (e.args_count == execsnoop::max_args || e.args_size >= sizeof(e.args) - execsnoop::arg_size)
        out.append(" ...");
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    options opt = parse(argc, argv);

    try {
        auto skel = execsnoop::skeleton::open();
        if (opt.uid >= 0) skel.rodata().filter_uid = static_cast<std::uint32_t>(opt.uid);
        skel.rodata().failed_only = opt.failed_only;
        skel.rodata().arg_limit = opt.max_args;
        skel.attach();  // loads (maps, verifier) and attaches both tracepoints

        if (opt.time_column) std::printf("%-8s ", "TIME");
        if (opt.timestamp) std::printf("%-8s ", "TIME(s)");
        if (opt.print_uid) std::printf("%-6s ", "UID");
        std::printf("%-16s %-7s %-7s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
        std::fflush(stdout);

        std::uint64_t first_ts = 0;
        // Prints an event unless -n filters it out; whether it printed.
        auto print = [&](const execsnoop::event& e) {
            auto args = arguments(e, opt.quote);
            if (!opt.name.empty() && std::string_view(e.comm).find(opt.name) == std::string_view::npos &&
                args.find(opt.name) == std::string::npos)
                return false;
            if (opt.time_column) {
                char buf[16];
                time_t now = ::time(nullptr);
                tm local{};
                ::localtime_r(&now, &local);
                std::strftime(buf, sizeof buf, "%H:%M:%S", &local);
                std::printf("%-8s ", buf);
            }
            if (opt.timestamp) {
                if (first_ts == 0) first_ts = e.ts_ns;
                std::printf("%-8.3f ", static_cast<double>(e.ts_ns - first_ts) / 1e9);
            }
            if (opt.print_uid) std::printf("%-6u ", e.uid);
            std::printf("%-16.16s %-7u %-7u %3d %s\n", e.comm, e.pid, e.ppid, e.retval, args.c_str());
            return true;
        };

        // Nothing is lost silently: events the ring had no room for (the
        // kernel program counts them) and execs not traced because too many
        // were in flight are reported as they happen and at the end.
        std::uint64_t lost_seen = 0, untraced_seen = 0;
        auto report_losses = [&](bool at_exit) {
            const std::uint64_t lost = skel.maps.events.dropped().value_or(0);
            const std::uint64_t untraced =
                std::atomic_ref<std::uint64_t>(skel.bss().execs_untraced).load(std::memory_order_relaxed);
            if (lost != lost_seen || untraced != untraced_seen || (at_exit && (lost | untraced) != 0)) {
                std::fflush(stdout);
                std::fprintf(stderr, "execsnoop: %llu events lost (ring buffer full), %llu execs not traced (%u in flight)%s\n",
                             static_cast<unsigned long long>(lost), static_cast<unsigned long long>(untraced),
                             execsnoop::max_in_flight, at_exit ? " in all" : " so far");
                lost_seen = lost;
                untraced_seen = untraced;
            }
        };
        // Everything runs on one event loop: the ring buffer's records,
        // Ctrl-C and SIGTERM through a signalfd, the loss report and the
        // output flush on a timer, -d as a one-shot timer. (A coroutine
        // reading a bpfxx::stream works the same way, see docs/streams.md;
        // a callback keeps this file quick to compile.)
        bpfxx::event_loop loop;
        loop.consume_as<execsnoop::event>(skel.maps.events.reader(), [&](const execsnoop::event& e) {
            if (print(e) && opt.first_event) {
                loop.stop();
                return false;  // the rest stays in the ring
            }
            return true;
        });
        loop.on_signal(SIGINT, [&] { loop.stop(); });
        loop.on_signal(SIGTERM, [&] { loop.stop(); });
        loop.every(std::chrono::milliseconds(100), [&] {
            report_losses(false);
            std::fflush(stdout);
        });
        if (opt.duration > 0) loop.after(std::chrono::duration<double>(opt.duration), [&] { loop.stop(); });
        loop.run();
        std::fflush(stdout);
        report_losses(true);
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "execsnoop: %s\n", e.what());
        if (!e.details().empty()) std::fprintf(stderr, "%s\n", e.details().c_str());
        return 1;
    }
    return 0;
}
