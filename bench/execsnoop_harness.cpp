// SPDX-License-Identifier: MIT OR Apache-2.0
// Measures an execsnoop the way a user feels it, for bench/run. Both modes
// launch the tool with its stdout on a pipe and, right after launching, start
// a trigger process that execs /bin/true every millisecond, so an event
// exists as soon as the tool is ready to see one.
//
//   execsnoop_harness first-event <tool> [args...]
//     runs `<tool> --first-event [args...]`; prints the time from launch to
//     the header line and to the first event line, and the exit status.
//   execsnoop_harness resident <tool> [args...]
//     runs `<tool> [args...]`; once the first event line arrives, reads the
//     tool's peak RSS (VmHWM), the memlock of each BPF map fd it holds
//     (/proc/<pid>/fdinfo) and the size of its perf buffer mappings, then
//     stops it with SIGINT.
// Peak RSS is read from /proc rather than from wait4's ru_maxrss: across
// execve the kernel folds the launching process's own peak into ru_maxrss.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

double now_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "execsnoop_harness: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

// A process that execs /bin/true every millisecond until killed.
pid_t start_trigger() {
    pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid > 0) return pid;
    char true_path[] = "/bin/true";
    char* argv[] = {true_path, nullptr};
    for (;;) {
        pid_t child = 0;
        if (::posix_spawn(&child, true_path, nullptr, nullptr, argv, environ) == 0) ::waitpid(child, nullptr, 0);
        timespec ms{0, 1000 * 1000};
        ::nanosleep(&ms, nullptr);
    }
}

void stop(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

struct tool {
    pid_t pid = -1;
    int out = -1;  // read end of its stdout
    double launched_ms = 0;
    std::string pending;

    // Reads the next line of its stdout; false on end of file or timeout.
    bool next_line(std::string& line, double deadline_ms) {
        for (;;) {
            auto nl = pending.find('\n');
            if (nl != std::string::npos) {
                line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                return true;
            }
            double left = deadline_ms - now_ms();
            if (left <= 0) return false;
            pollfd p{out, POLLIN, 0};
            int r = ::poll(&p, 1, static_cast<int>(left) + 1);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return false;
            char buf[4096];
            ssize_t n = ::read(out, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            pending.append(buf, static_cast<std::size_t>(n));
        }
    }
};

tool launch(std::vector<char*> argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) die("pipe");
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    argv.push_back(nullptr);
    tool t;
    t.launched_ms = now_ms();
    // posix_spawn uses vfork semantics in glibc: nothing of this process is
    // copied before the exec.
    if (::posix_spawn(&t.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) die("posix_spawn");
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    t.out = fds[0];
    return t;
}

// Kernel memory of the process's BPF maps: the memlock line of the fdinfo
// of every BPF map it holds an fd of, each map counted once (a tool may hold
// two fds of one map, e.g. a ring buffer reader's own).
void map_memory(pid_t pid, unsigned long long& bytes, int& maps) {
    bytes = 0;
    maps = 0;
    std::vector<unsigned long> seen;
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        char target[256] = {};
        std::string link = dir + "/" + e->d_name;
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        if (n <= 0 || std::string_view(target) != "anon_inode:bpf-map") continue;
        std::string info = "/proc/" + std::to_string(pid) + "/fdinfo/" + e->d_name;
        FILE* f = std::fopen(info.c_str(), "r");
        if (f == nullptr) continue;
        char line[256];
        unsigned long long memlock = 0;
        unsigned long id = 0;
        while (std::fgets(line, sizeof line, f)) {
            if (std::strncmp(line, "memlock:", 8) == 0) memlock = std::strtoull(line + 8, nullptr, 10);
            if (std::strncmp(line, "map_id:", 7) == 0) id = std::strtoul(line + 7, nullptr, 10);
        }
        std::fclose(f);
        if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
        seen.push_back(id);
        bytes += memlock;
        ++maps;
    }
    ::closedir(d);
}

// Bytes of the process's perf ring buffer mappings: memory the kernel
// pins for perf buffers, which no map's memlock counts.
unsigned long long perf_mappings(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/maps";
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return 0;
    unsigned long long total = 0;
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
        if (std::strstr(line, "[perf_event]") == nullptr) continue;
        unsigned long long lo = 0, hi = 0;
        if (std::sscanf(line, "%llx-%llx", &lo, &hi) == 2) total += hi - lo;
    }
    std::fclose(f);
    return total;
}

long status_kb(pid_t pid, const char* field) {
    std::string path = "/proc/" + std::to_string(pid) + "/status";
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return -1;
    char line[256];
    long kb = -1;
    auto len = std::strlen(field);
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, field, len) == 0 && line[len] == ':') kb = std::strtol(line + len + 1, nullptr, 10);
    std::fclose(f);
    return kb;
}

// Waits for the tool to exit by itself for up to `ms`, then kills it.
int reap(pid_t pid, double ms, rusage* ru) {
    double deadline = now_ms() + ms;
    int status = 0;
    for (;;) {
        pid_t r = ::wait4(pid, &status, WNOHANG, ru);
        if (r == pid) break;
        if (now_ms() > deadline) {
            ::kill(pid, SIGKILL);
            ::wait4(pid, &status, 0, ru);
            break;
        }
        timespec t{0, 1000 * 1000};
        ::nanosleep(&t, nullptr);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: execsnoop_harness first-event|resident TOOL [ARGS...]\n");
        return 2;
    }
    std::string_view mode = argv[1];
    std::vector<char*> args(argv + 2, argv + argc);
    char first_event_flag[] = "--first-event";
    if (mode == "first-event") args.insert(args.begin() + 1, first_event_flag);
    else if (mode != "resident") return 2;

    tool t = launch(args);
    pid_t trigger = start_trigger();
    std::string line;
    const double timeout = 20000;
    bool header = t.next_line(line, t.launched_ms + timeout);
    double header_ms = now_ms() - t.launched_ms;
    bool event = header && t.next_line(line, t.launched_ms + timeout);
    double event_ms = now_ms() - t.launched_ms;
    stop(trigger);

    if (mode == "first-event") {
        rusage ru{};
        int status = reap(t.pid, 5000, &ru);
        if (!event) {
            std::fprintf(stderr, "execsnoop_harness: %s printed %s\n", args[0], header ? "no event" : "no header");
            return 1;
        }
        std::printf("header_ms=%.3f first_event_ms=%.3f exit=%d ru_maxrss_kb=%ld\n", header_ms, event_ms, status,
                    ru.ru_maxrss);
        return status == 0 ? 0 : 1;
    }

    long hwm = -1, rss = -1;
    unsigned long long map_bytes = 0, perf_bytes = 0;
    int maps = 0;
    if (event) {
        hwm = status_kb(t.pid, "VmHWM");
        rss = status_kb(t.pid, "VmRSS");
        map_memory(t.pid, map_bytes, maps);
        perf_bytes = perf_mappings(t.pid);
    }
    ::kill(t.pid, SIGINT);
    rusage ru{};
    int status = reap(t.pid, 5000, &ru);
    if (!event) {
        std::fprintf(stderr, "execsnoop_harness: %s printed %s\n", args[0], header ? "no event" : "no header");
        return 1;
    }
    std::printf("peak_rss_kb=%ld rss_kb=%ld map_kib=%.1f maps=%d perf_buffer_kib=%.1f exit=%d\n", hwm, rss,
                static_cast<double>(map_bytes) / 1024, maps, static_cast<double>(perf_bytes) / 1024, status);
    return 0;
}
