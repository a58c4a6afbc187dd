// A value or a user-facing error. Core functions that can fail because of their
// input (an illegal transition, a bad argument) return this instead of throwing.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ib {

// Machine-readable reason plus a sentence a user can read in Slack or on the CLI.
enum class errc {
    invalid_argument,   // malformed input: empty title, unknown severity, bad duration
    already_done,       // the transition would change nothing (ack twice, same severity)
    not_allowed,        // the transition is illegal from the current state
    time_out_of_order,  // a time earlier than the incident's start or a later event
    not_found,          // no such incident / entry
};

struct error {
    errc code;
    std::string message;
};

template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
    result(ib::error e) : v_(std::move(e)) {}            // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const ib::error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, ib::error> v_;
};

inline error make_error(errc code, std::string message) { return error{code, std::move(message)}; }

}  // namespace ib
