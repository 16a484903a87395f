// SPDX-License-Identifier: MIT OR Apache-2.0
// Opens and loads the same BPF object with bpfxx and with libbpf, for
// bench/run. One binary holds both libraries so every comparison runs the
// same code around the library call; the functions callgrind measures are
// extern "C" and noinline so --toggle-collect can name them.
//
//   bench_driver open-time  <object> <repeats>     both libraries, interleaved
//   bench_driver open-count <bpfxx|libbpf> <object> <n>   for callgrind
//   bench_driver load-time  <bpfxx|libbpf> <object> <warm loads>
//   bench_driver load-count <bpfxx|libbpf> <object>        for callgrind
//   bench_driver core-load  <bpfxx|libbpf> <object> <warm loads>
//                           open + load from the file: one cold, then warm
//   bench_driver info       <object>               what the object holds
#include <bpfxx/loader.hpp>
#include <bpfxx/object.hpp>

#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<std::byte> read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "bench_driver: cannot read %s\n", path);
        std::exit(2);
    }
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(raw.size());
    std::memcpy(bytes.data(), raw.data(), raw.size());
    return bytes;
}

// bpfxx names global-data maps after the object's name like libbpf does
// ("bench_ob.rodata"): both get the same name.
constexpr const char* object_name = "bench_object";

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "bench_driver: %s\n", what);
    std::exit(1);
}

struct libbpf_object {
    bpf_object* obj = nullptr;
    libbpf_object() = default;
    libbpf_object(libbpf_object&& o) noexcept : obj(std::exchange(o.obj, nullptr)) {}
    libbpf_object& operator=(libbpf_object&& o) noexcept {
        std::swap(obj, o.obj);
        return *this;
    }
    ~libbpf_object() { bpf_object__close(obj); }
};

libbpf_object libbpf_open(const std::vector<std::byte>& bytes) {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = object_name);
    libbpf_object o;
    o.obj = bpf_object__open_mem(bytes.data(), bytes.size(), &opts);
    if (o.obj == nullptr) fail("libbpf: bpf_object__open_mem failed");
    return o;
}

void libbpf_load(const libbpf_object& o) {
    int err = bpf_object__load(o.obj);
    if (err != 0) {
        std::fprintf(stderr, "bench_driver: libbpf: bpf_object__load failed: %s\n", std::strerror(-err));
        std::exit(1);
    }
}

struct bpfxx_loaded {
    std::optional<bpfxx::object> obj;
    std::optional<bpfxx::loaded_object> loaded;
};

void bpfxx_open_load(const std::vector<std::byte>& bytes, bpfxx_loaded& out) {
    try {
        out.obj.emplace(bpfxx::object::parse(bpfxx::detail::bytes(bytes), object_name));
        // BPFXX_CORE_MODE=user_space|kernel|automatic (bench/run sets it).
        bpfxx::load_options options;
        const char* mode = std::getenv("BPFXX_CORE_MODE");
        using core_mode = bpfxx::load_options::core_mode;
        if (mode != nullptr && std::string_view(mode) == "user_space") options.core_relocation(core_mode::user_space);
        if (mode != nullptr && std::string_view(mode) == "kernel") options.core_relocation(core_mode::kernel);
        out.loaded.emplace(bpfxx::loaded_object::load(*out.obj, options));
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "bench_driver: bpfxx: %s\n", e.what());
        if (!e.details().empty()) std::fprintf(stderr, "%s\n", e.details().c_str());
        std::exit(1);
    }
}

// The CO-RE benchmark opens the file itself, as a tool does:
// bpf_object__open_file() and bpfxx::object::open().
libbpf_object libbpf_open_file(const char* path) {
    libbpf_object o;
    o.obj = bpf_object__open_file(path, nullptr);
    if (o.obj == nullptr) fail("libbpf: bpf_object__open_file failed");
    return o;
}

void bpfxx_open_load_file(const char* path, bpfxx_loaded& out) {
    try {
        out.obj.emplace(bpfxx::object::open(path));
        // BPFXX_CORE_MODE=user_space|kernel|automatic (bench/run sets it).
        bpfxx::load_options options;
        const char* mode = std::getenv("BPFXX_CORE_MODE");
        using core_mode = bpfxx::load_options::core_mode;
        if (mode != nullptr && std::string_view(mode) == "user_space") options.core_relocation(core_mode::user_space);
        if (mode != nullptr && std::string_view(mode) == "kernel") options.core_relocation(core_mode::kernel);
        out.loaded.emplace(bpfxx::loaded_object::load(*out.obj, options));
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "bench_driver: bpfxx: %s\n", e.what());
        if (!e.details().empty()) std::fprintf(stderr, "%s\n", e.details().c_str());
        std::exit(1);
    }
}

double micros_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

void print_summary(const char* metric, const char* lib, std::vector<double> samples, double scale) {
    std::sort(samples.begin(), samples.end());
    double median = samples.size() % 2 ? samples[samples.size() / 2]
                                        : (samples[samples.size() / 2 - 1] + samples[samples.size() / 2]) / 2;
    std::printf("%s %s min=%.6g median=%.6g n=%zu\n", metric, lib, samples.front() * scale, median * scale,
                samples.size());
}

}  // namespace

// What callgrind measures: everything from here down, nothing around it.
extern "C" {

[[gnu::noinline]] void bench_open_bpfxx(const std::vector<std::byte>* bytes, long n) {
    for (long i = 0; i < n; ++i) {
        auto obj = bpfxx::object::parse(bpfxx::detail::bytes(*bytes), object_name);
        asm volatile("" : : "r"(&obj) : "memory");
    }
}

[[gnu::noinline]] void bench_open_libbpf(const std::vector<std::byte>* bytes, long n) {
    for (long i = 0; i < n; ++i) {
        auto obj = libbpf_open(*bytes);
        asm volatile("" : : "r"(obj.obj) : "memory");
    }
}

// Open + load; the result is destroyed by the caller, outside the count.
[[gnu::noinline]] void bench_load_bpfxx(const std::vector<std::byte>* bytes, bpfxx_loaded* out) {
    bpfxx_open_load(*bytes, *out);
}

[[gnu::noinline]] void bench_load_libbpf(const std::vector<std::byte>* bytes, libbpf_object* out) {
    *out = libbpf_open(*bytes);
    libbpf_load(*out);
}

// CO-RE loads, open_file + load: the first of the process (cold) and the
// later ones (warm) go through different functions so that callgrind counts
// them apart. The distinct stores keep the compiler from folding identical
// functions into one symbol.
volatile int bench_core_phase;

[[gnu::noinline]] void core_cold_load_bpfxx(const char* path, bpfxx_loaded* out) {
    bench_core_phase = 1;
    bpfxx_open_load_file(path, *out);
}

[[gnu::noinline]] void core_warm_load_bpfxx(const char* path, bpfxx_loaded* out) {
    bench_core_phase = 2;
    bpfxx_open_load_file(path, *out);
}

[[gnu::noinline]] void core_cold_load_libbpf(const char* path, libbpf_object* out) {
    bench_core_phase = 3;
    *out = libbpf_open_file(path);
    libbpf_load(*out);
}

[[gnu::noinline]] void core_warm_load_libbpf(const char* path, libbpf_object* out) {
    bench_core_phase = 4;
    *out = libbpf_open_file(path);
    libbpf_load(*out);
}
}

int main(int argc, char** argv) {
    std::string_view mode = argc > 1 ? argv[1] : "";
    auto arg_long = [&](int i) { return i < argc ? std::atol(argv[i]) : 0L; };

    if (mode == "open-time" && argc == 4) {
        auto bytes = read_file(argv[2]);
        long repeats = arg_long(3);
        std::vector<double> x, l;
        // Warm up allocators and caches, then alternate so drift and noise
        // from other processes hit both libraries alike.
        for (long i = 0; i < std::max(10L, repeats / 20); ++i) {
            bench_open_bpfxx(&bytes, 1);
            bench_open_libbpf(&bytes, 1);
        }
        for (long i = 0; i < repeats; ++i) {
            auto t0 = clock_type::now();
            bench_open_bpfxx(&bytes, 1);
            x.push_back(micros_since(t0));
            t0 = clock_type::now();
            bench_open_libbpf(&bytes, 1);
            l.push_back(micros_since(t0));
        }
        print_summary("open_us", "bpfxx", x, 1);
        print_summary("open_us", "libbpf", l, 1);
        return 0;
    }
    if (mode == "open-count" && argc == 5) {
        auto bytes = read_file(argv[3]);
        long n = arg_long(4);
        if (std::string_view(argv[2]) == "bpfxx") bench_open_bpfxx(&bytes, n);
        else bench_open_libbpf(&bytes, n);
        return 0;
    }
    if (mode == "load-time" && argc == 5) {
        auto bytes = read_file(argv[3]);
        bool bpfxx = std::string_view(argv[2]) == "bpfxx";
        long warm = arg_long(4);
        std::vector<double> samples;
        for (long i = 0; i <= warm; ++i) {
            auto t0 = clock_type::now();
            double us = 0;
            if (bpfxx) {
                bpfxx_loaded lo;
                bench_load_bpfxx(&bytes, &lo);
                us = micros_since(t0);
            } else {
                libbpf_object lo;
                bench_load_libbpf(&bytes, &lo);
                us = micros_since(t0);
            }
            if (i == 0) std::printf("load_cold_ms %s %.6g\n", argv[2], us / 1000);
            else samples.push_back(us);
        }
        if (!samples.empty()) print_summary("load_warm_ms", argv[2], samples, 1e-3);
        return 0;
    }
    if (mode == "load-count" && argc == 4) {
        auto bytes = read_file(argv[3]);
        if (std::string_view(argv[2]) == "bpfxx") {
            bpfxx_loaded lo;
            bench_load_bpfxx(&bytes, &lo);
        } else {
            libbpf_object lo;
            bench_load_libbpf(&bytes, &lo);
        }
        return 0;
    }
    if (mode == "core-load" && argc == 5) {
        // Prints "core_load_cold_ms LIB <ms>" and, with warm loads,
        // "core_load_warm_ms LIB min=.. median=.. n=..". Under callgrind,
        // --toggle-collect=core_<cold|warm>_load_<lib> picks what is counted.
        const char* path = argv[3];
        bool bpfxx = std::string_view(argv[2]) == "bpfxx";
        long warm = arg_long(4);
        std::vector<double> samples;
        for (long i = 0; i <= warm; ++i) {
            double us = 0;
            if (bpfxx) {
                bpfxx_loaded lo;
                auto t0 = clock_type::now();
                if (i == 0) core_cold_load_bpfxx(path, &lo);
                else core_warm_load_bpfxx(path, &lo);
                us = micros_since(t0);
            } else {
                libbpf_object lo;
                auto t0 = clock_type::now();
                if (i == 0) core_cold_load_libbpf(path, &lo);
                else core_warm_load_libbpf(path, &lo);
                us = micros_since(t0);
            }
            if (i == 0) std::printf("core_load_cold_ms %s %.6g\n", argv[2], us / 1000);
            else samples.push_back(us);
        }
        if (!samples.empty()) print_summary("core_load_warm_ms", argv[2], samples, 1e-3);
        return 0;
    }
    if (mode == "info" && argc == 3) {
        auto bytes = read_file(argv[2]);
        auto obj = bpfxx::object::parse(bpfxx::detail::bytes(bytes), object_name);
        std::printf("%zu bytes, %zu programs (", bytes.size(), obj.programs().size());
        const char* sep = "";
        for (const auto& p : obj.programs()) {
            std::printf("%s%.*s", sep, static_cast<int>(p.section.size()), p.section.data());
            sep = " ";
        }
        std::printf("), %zu subprograms, %zu maps (", obj.subprograms().size(), obj.maps().size());
        sep = "";
        for (const auto& m : obj.maps()) {
            std::printf("%s%s:%s", sep, m.name.c_str(), bpfxx::to_string(m.type));
            sep = " ";
        }
        std::size_t core = 0;
        for (const auto& p : obj.programs()) core += p.core_relos.size();
        for (const auto& p : obj.subprograms()) core += p.core_relos.size();
        std::printf("), %zu globals, %zu CO-RE relocations\n", obj.globals().size(), core);
        return 0;
    }
    std::fprintf(stderr,
                 "usage: bench_driver open-time OBJECT REPEATS | open-count LIB OBJECT N |\n"
                 "       load-time LIB OBJECT WARM | load-count LIB OBJECT |\n"
                 "       core-load LIB OBJECT WARM | info OBJECT   (LIB: bpfxx or libbpf)\n");
    return 2;
}
