// SPDX-License-Identifier: MIT OR Apache-2.0
// syscount: system calls per process, printed every second.
//   syscount [-p PID] [-d SECONDS]
#include "syscount.hpp"
#include "syscount.skel.hpp"  // generated from syscount.bpf.cpp

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
    unsigned pid = 0;
    int seconds = 0;  // 0: until Ctrl-C
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-p" && i + 1 < argc) pid = static_cast<unsigned>(std::atoi(argv[++i]));
        else if (a == "-d" && i + 1 < argc) seconds = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: syscount [-p PID] [-d SECONDS]\n");
            return a == "-h" || a == "--help" ? 0 : 2;
        }
    }
    try {
        auto skel = syscount::skeleton::open();  // parses the embedded object
        skel.rodata().only_pid = pid;              // before load: a constant for the verifier
        skel.attach();                             // loads (verifier log on failure) and attaches
        auto counts = skel.maps.counts.typed();    // bpfxx::hash_map<u32, u64>, types checked
        for (int tick = 0; seconds == 0 || tick < seconds; ++tick) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            std::vector<std::pair<bpfxx::u32, bpfxx::u64>> top;
            for (const auto& [p, n] : counts.items()) top.emplace_back(p, n);
            std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            std::printf("%-8s %s\n", "PID", "SYSCALLS");
            for (std::size_t i = 0; i < top.size() && i < 10; ++i)
                std::printf("%-8u %llu\n", top[i].first, static_cast<unsigned long long>(top[i].second));
            std::fflush(stdout);
        }
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "syscount: %s\n", e.what());
        return 1;
    }
    return 0;
}
