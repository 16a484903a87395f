// SPDX-License-Identifier: MIT OR Apache-2.0
// Map operations from user space, bpfxx's typed handle against libbpf's
// bpf_map_*_elem / bpf_map_lookup_batch, on one map both sides share: a
// hash of 1M u32 keys -> 64-byte values. Rounds alternate between the two
// libraries so drift hits both alike. Prints, per metric and library,
//   <metric> <lib> min=<ns> median=<ns> n=<rounds>
// and the getppid() system call's cost as the floor every single-entry
// operation pays.
#include <bpfxx/map.hpp>

#include <bpf/bpf.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using value = std::array<bpfxx::u64, 8>;  // 64 bytes
using key = bpfxx::u32;

[[noreturn]] void fail(const char* what, int err) {
    std::fprintf(stderr, "map_ops: %s: errno %d\n", what, err);
    std::exit(1);
}

void print(const char* metric, const char* lib, std::vector<double> ns) {
    std::sort(ns.begin(), ns.end());
    const double median = ns.size() % 2 ? ns[ns.size() / 2] : (ns[ns.size() / 2 - 1] + ns[ns.size() / 2]) / 2;
    std::printf("%s %s min=%.6g median=%.6g n=%zu\n", metric, lib, ns.front(), median, ns.size());
}

// Nanoseconds per item of `f(items)`.
template <class F>
double ns_per(std::size_t items, F&& f) {
    const auto t0 = clock_type::now();
    f();
    return std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / static_cast<double>(items);
}

// Runs a then b, or b then a.
template <class A, class B>
void both(bool swap, A&& a, B&& b) {
    if (swap) {
        b();
        a();
    } else {
        a();
        b();
    }
}

}  // namespace

int main(int argc, char** argv) {
    const key entries = argc > 1 ? static_cast<key>(std::atol(argv[1])) : 1'000'000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 6;
    const std::size_t ops = argc > 3 ? static_cast<std::size_t>(std::atol(argv[3])) : 200'000;

    bpfxx::hash_map<key, value> map;
    try {
        map = bpfxx::hash_map<key, value>::create(entries, {.name = "bench_map_ops"});
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "map_ops: %s\n", e.what());
        return 1;
    }
    const int fd = map.fd();
    {
        std::vector<key> keys(entries);
        std::vector<value> values(entries);
        for (key k = 0; k < entries; ++k) {
            keys[k] = k;
            values[k] = {k, k, k, k, k, k, k, k};
        }
        if (auto r = map.update_batch(keys, values); !r) fail("filling the map", r.error);
    }
    // The keys each round touches: random, the same for both libraries.
    std::vector<key> order(ops);
    std::mt19937 rng(42);
    std::uniform_int_distribution<key> pick(0, entries - 1);
    for (auto& k : order) k = pick(rng);

    std::vector<double> floor, x_lookup, l_lookup, x_update, l_update, x_erase, l_erase, x_batch, l_batch;
    value out{};
    const value v{1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<key> batch_keys(entries);
    std::vector<value> batch_values(entries);
    constexpr std::size_t chunk = 4096;
    std::size_t sink = 0;
    for (int r = 0; r < rounds; ++r) {
        floor.push_back(ns_per(ops, [&] {
            for (std::size_t i = 0; i < ops; ++i) sink += static_cast<std::size_t>(::syscall(SYS_getppid));
        }));
        // Odd rounds run libbpf first.
        const bool swap = r % 2 == 1;
        both(swap, [&] {
            x_lookup.push_back(ns_per(ops, [&] {
                for (key k : order) sink += map.lookup(k).has_value();
            }));
        }, [&] {
            l_lookup.push_back(ns_per(ops, [&] {
                for (key k : order) sink += bpf_map_lookup_elem(fd, &k, &out) == 0;
            }));
        });
        both(swap, [&] {
            x_update.push_back(ns_per(ops, [&] {
                for (key k : order) sink += static_cast<bool>(map.update(k, v));
            }));
        }, [&] {
            l_update.push_back(ns_per(ops, [&] {
                for (key k : order) sink += bpf_map_update_elem(fd, &k, &v, BPF_ANY) == 0;
            }));
        });
        // Erase, then put the keys back (not timed) so the next round finds them.
        const std::size_t n_erase = std::min<std::size_t>(ops, entries / 4);
        auto refill = [&](key base) {
            for (key k = base; k < base + n_erase; ++k)
                if (bpf_map_update_elem(fd, &k, &v, BPF_ANY) != 0) fail("refill", errno);
        };
        both(swap, [&] {
            x_erase.push_back(ns_per(n_erase, [&] {
                for (key k = 0; k < n_erase; ++k) sink += static_cast<bool>(map.erase(k));
            }));
            refill(0);
        }, [&] {
            l_erase.push_back(ns_per(n_erase, [&] {
                for (key k = 0; k < n_erase; ++k) sink += bpf_map_delete_elem(fd, &k) == 0;
            }));
            refill(0);
        });
        // The whole map in batches of `chunk`.
        both(swap, [&] { x_batch.push_back(ns_per(entries, [&] {
            bpfxx::batch_cursor<key> cursor;
            std::size_t got = 0;
            while (!cursor.done()) {
                const std::size_t room = std::min(chunk, batch_keys.size() - got);
                auto n = map.lookup_batch(cursor, std::span(batch_keys).subspan(got, room),
                                          std::span(batch_values).subspan(got, room));
                if (!n) fail("bpfxx lookup_batch", n.error());
                got += *n;
                if (got == batch_keys.size() && !cursor.done()) break;
            }
            if (got != entries) fail("bpfxx lookup_batch: short", 0);
            sink += got;
        })); }, [&] { l_batch.push_back(ns_per(entries, [&] {
            LIBBPF_OPTS(bpf_map_batch_opts, opts);
            __u32 token = 0;
            std::size_t got = 0;
            bool first = true;
            for (;;) {
                __u32 n = static_cast<__u32>(std::min(chunk, batch_keys.size() - got));
                const int err = bpf_map_lookup_batch(fd, first ? nullptr : &token, &token, batch_keys.data() + got,
                                                     batch_values.data() + got, &n, &opts);
                first = false;
                got += n;
                if (err != 0) {
                    if (errno == ENOENT) break;
                    fail("libbpf bpf_map_lookup_batch", errno);
                }
                if (got == batch_keys.size()) break;
            }
            if (got != entries) fail("libbpf lookup_batch: short", 0);
            sink += got;
        })); });
    }
    if (sink == 0) std::printf("# nothing\n");
    print("map_syscall_floor_ns", "getppid", floor);
    print("map_lookup_ns", "bpfxx", x_lookup);
    print("map_lookup_ns", "libbpf", l_lookup);
    print("map_update_ns", "bpfxx", x_update);
    print("map_update_ns", "libbpf", l_update);
    print("map_erase_ns", "bpfxx", x_erase);
    print("map_erase_ns", "libbpf", l_erase);
    print("map_batch_lookup_ns_per_item", "bpfxx", x_batch);
    print("map_batch_lookup_ns_per_item", "libbpf", l_batch);
    return 0;
}
