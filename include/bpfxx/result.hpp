// SPDX-License-Identifier: MIT OR Apache-2.0
// bpfxx::result<T>: the expected-shaped outcome of hot-path operations (map
// update/erase, event consumption), whose failures — a full map, an existing
// key — are normal in eBPF and must not throw. C++20 has no std::expected.
#pragma once
#ifdef __bpf__
#error "bpfxx/result.hpp is user-space only"
#endif

#include <bpfxx/config.hpp>

#include <bpfxx/error.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

BPFXX_BEGIN_NAMESPACE

// The errno of a failed operation, as a distinct type so that
// `result<int>{failure{ENOENT}}` cannot be mistaken for a value.
struct failure {
    int code;
};

template <class T = void>
class [[nodiscard]] result {
public:
    result(T value) noexcept(std::is_nothrow_move_constructible_v<T>) : value_(std::move(value)) {}
    result(failure f) noexcept : error_(f.code == 0 ? EINVAL : f.code) {}

    [[nodiscard]] bool has_value() const noexcept { return error_ == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    // The errno; 0 on success.
    [[nodiscard]] int error() const noexcept { return error_; }
    [[nodiscard]] std::string message() const { return has_value() ? "success" : detail::errno_message(error_); }

    // Throws bpfxx::error when there is no value.
    T& value() & {
        check();
        return *value_;
    }
    const T& value() const& {
        check();
        return *value_;
    }
    T&& value() && {
        check();
        return std::move(*value_);
    }
    // Unchecked, as std::optional's: only after has_value().
    T* operator->() noexcept { return &*value_; }
    const T* operator->() const noexcept { return &*value_; }
    T& operator*() & noexcept { return *value_; }
    const T& operator*() const& noexcept { return *value_; }
    T&& operator*() && noexcept { return std::move(*value_); }
    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? *value_ : static_cast<T>(std::forward<U>(fallback));
    }

private:
    void check() const {
        if (!has_value()) detail::raise(detail::cat("bpfxx::result has no value: ", detail::errno_text(error_)), error_);
    }
    std::optional<T> value_;  // engaged exactly when error_ is 0
    int error_ = 0;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() noexcept = default;
    result(failure f) noexcept : error_(f.code == 0 ? EINVAL : f.code) {}

    [[nodiscard]] bool has_value() const noexcept { return error_ == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] int error() const noexcept { return error_; }
    [[nodiscard]] std::string message() const { return has_value() ? "success" : detail::errno_message(error_); }
    // Throws bpfxx::error on failure, for setup code that wants exceptions.
    void value() const {
        if (!has_value()) detail::raise(detail::cat("bpfxx operation failed: ", detail::errno_text(error_)), error_);
    }

private:
    int error_ = 0;
};

BPFXX_END_NAMESPACE
