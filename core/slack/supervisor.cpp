#include "supervisor.hpp"

#include "../url.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

namespace ib::slack {
namespace {

using std::chrono::milliseconds;

// "850ms", "1.6s", "30.0s": compact enough for a log line, precise enough to compare.
std::string format_delay(milliseconds d) {
    char buf[32];
    if (d < milliseconds{1000})
        std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(d.count()));
    else
        std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

// An action of the given type with every other field at its default.
supervisor::action make_action(supervisor::action_type type) {
    supervisor::action act;
    act.type = type;
    return act;
}

// Keep reading: the answer to every event that does not end a session being read.
supervisor::action keep_reading() { return make_action(supervisor::action_type::read); }

}  // namespace

supervisor::supervisor(backoff_policy policy, std::chrono::seconds stable_after, std::chrono::milliseconds hello_timeout)
    : policy_(policy), stable_after_(stable_after), hello_timeout_(hello_timeout) {}

supervisor::action supervisor::resume(const event& ev, time_point now, double random01) {
    // Terminal: once stopped, nothing restarts the machine.
    if (state_ == state::stopped) return {};

    // A stop request wins in every other state, including before start.
    if (std::holds_alternative<stop_requested>(ev)) {
        state_ = state::stopped;
        action act = make_action(action_type::stop);
        act.exit_code = exit_ok;
        act.reason = "stop requested";
        act.log = "Socket Mode: stopping (stop requested)";
        return act;
    }

    switch (state_) {
    case state::idle:
        // Only start leaves idle.
        if (std::holds_alternative<start>(ev)) {
            state_ = state::opening;
            action act = make_action(action_type::call_open);
            act.log = "Socket Mode: opening a connection";
            return act;
        }
        break;

    case state::opening:
        // apps.connections.open answered: connect to the fresh URL, or decide how to retry.
        if (const auto* o = std::get_if<opened>(&ev)) {
            if (o->url.empty()) return on_open_failed({api_outcome::retryable, "no url in the response", {}}, random01);
            // Every event would travel in clear text: refuse, and say so, rather than retry.
            if (const auto u = parse_url(o->url)) {
                if (std::string refusal = plain_text_refusal(*u, "the Socket Mode URL from apps.connections.open");
                    !refusal.empty()) {
                    state_ = state::stopped;
                    action act = make_action(action_type::stop);
                    act.exit_code = exit_config_error;
                    act.reason = std::move(refusal);
                    act.log = act.reason;
                    return act;
                }
            }
            state_ = state::connecting;
            action act = make_action(action_type::connect);
            act.url = o->url;
            return act;
        }
        if (const auto* f = std::get_if<open_failed>(&ev)) return on_open_failed(*f, random01);
        // A transport failure of the HTTPS call itself (DNS, TLS, timeout) is a retryable failure.
        if (const auto* e = std::get_if<io_error>(&ev))
            return on_open_failed({api_outcome::retryable, e->description, {}}, random01);
        break;

    case state::connecting:
        // Handshake done: the first frame to read is hello, and it must not take forever.
        if (std::holds_alternative<connected>(ev)) {
            state_ = state::awaiting_hello;
            action act = make_action(action_type::read);
            act.delay = hello_timeout_;
            return act;
        }
        if (std::holds_alternative<io_error>(ev)) return on_session_end(ev, now, random01);
        break;

    case state::awaiting_hello:
        // hello makes the connection usable; remember when, for the stable-session rule.
        if (std::holds_alternative<hello>(ev)) {
            state_ = state::live;
            live_since_ = now;
            action act = make_action(action_type::read);
            act.log = "Socket Mode: connected";
            return act;
        }
        if (std::holds_alternative<disconnect>(ev) || std::holds_alternative<io_error>(ev) ||
            std::holds_alternative<no_hello>(ev))
            return on_session_end(ev, now, random01);
        // Anything else (a late timer): go on reading; the hello deadline set on connect stands.
        if (!std::holds_alternative<start>(ev)) return keep_reading();
        break;

    case state::live:
        if (std::holds_alternative<disconnect>(ev) || std::holds_alternative<io_error>(ev))
            return on_session_end(ev, now, random01);
        // A second hello, a late deadline or timer: nothing to do but read the next frame. (Answering
        // `none` here once left the session's reader waiting for an action that never came.)
        if (!std::holds_alternative<start>(ev)) return keep_reading();
        break;

    case state::backing_off:
        // The wait is over: ask for a new URL (Slack's URLs are single-use and expire).
        if (std::holds_alternative<timer_fired>(ev)) {
            state_ = state::opening;
            return make_action(action_type::call_open);
        }
        break;

    case state::stopped: break;
    }
    // Anything else is out of place here (a late timer, a duplicate hello, …): ignore it.
    return {};
}

supervisor::action supervisor::on_open_failed(const open_failed& ev, double random01) {
    const std::string what = ev.error.empty() ? std::string(to_string(ev.outcome)) : ev.error;
    switch (ev.outcome) {
    case api_outcome::auth_fatal: {
        // The app token is wrong or revoked: retrying cannot help, an operator must act.
        state_ = state::stopped;
        action act = make_action(action_type::stop);
        act.exit_code = exit_config_error;
        act.reason = "apps.connections.open failed: " + what + " \u2014 check SLACK_APP_TOKEN";
        act.log = act.reason;
        return act;
    }
    case api_outcome::rate_limited:
        // Slack said how long to wait; never wait less than the backoff would.
        return back_off(std::chrono::duration_cast<milliseconds>(ev.retry_after),
                        "apps.connections.open rate limited (" + what + ")", "open_rate_limited", random01);
    case api_outcome::ok:
    case api_outcome::retryable:
    case api_outcome::failed: break;
    }
    return back_off(milliseconds{0}, "apps.connections.open failed: " + what, "open_failed", random01);
}

supervisor::action supervisor::on_session_end(const event& ev, time_point now, double random01) {
    // A session that stayed up long enough proves the setup works: forget earlier failures.
    const bool was_live = state_ == state::live;
    if (was_live && now - live_since_ > stable_after_) failures_ = 0;

    if (const auto* d = std::get_if<disconnect>(&ev)) {
        const std::string_view label = to_string(d->reason);
        const std::string why = "Slack sent disconnect (" + std::string(label) + ")";
        switch (d->reason) {
        case disconnect_reason::link_disabled:
            // Socket Mode was switched off: reconnecting at once would only hammer Slack.
            // Wait the longest (jittered) backoff.
            return back_off(next_delay(std::numeric_limits<int>::max(), random01, policy_), why, label, random01);
        case disconnect_reason::too_many_websockets:
            // Slack refused this socket for a limit: a quick retry would meet the same limit.
            return back_off(milliseconds{0}, why, label, random01);
        case disconnect_reason::refresh_requested:
        case disconnect_reason::warning:
        case disconnect_reason::other: break;
        }
        // Routine refresh of a live session: reconnect now, not a failure. Before hello it is
        // a failed attempt like any other (and must not become a tight reconnect loop).
        if (!was_live) return back_off(milliseconds{0}, why + " before hello", label, random01);
        state_ = state::opening;
        action act = make_action(action_type::close_and_reopen);
        act.log = why + "; reconnecting now";
        act.reconnect_reason = label;
        return act;
    }

    const auto* e = std::get_if<io_error>(&ev);
    const std::string description = e != nullptr                        ? e->description
                                     : std::holds_alternative<no_hello>(ev) ? "Slack sent no hello within " +
                                                                                  format_delay(hello_timeout_)
                                                                            : std::string("unknown error");
    const char* phase = state_ == state::connecting ? "connect failed"
                        : was_live                  ? "connection lost"
                                                    : "connection failed before hello";
    const std::string_view label = state_ == state::connecting ? "connect_failed"
                                   : was_live                  ? "connection_lost"
                                                               : "no_hello";
    return back_off(milliseconds{0}, std::string(phase) + ": " + description, label, random01);
}

supervisor::action supervisor::back_off(milliseconds min_delay, std::string why, std::string_view reason,
                                        double random01) {
    ++failures_;
    const milliseconds delay = std::max(min_delay, next_delay(failures_, random01, policy_));
    state_ = state::backing_off;
    action act = make_action(action_type::wait);
    act.delay = delay;
    act.log = std::move(why) + "; retrying in " + format_delay(delay) + " (failure " + std::to_string(failures_) + ")";
    act.reconnect_reason = reason;
    return act;
}

std::string_view to_string(supervisor::state s) {
    using st = supervisor::state;
    switch (s) {
    case st::idle: return "idle";
    case st::opening: return "opening";
    case st::connecting: return "connecting";
    case st::awaiting_hello: return "awaiting_hello";
    case st::live: return "live";
    case st::backing_off: return "backing_off";
    case st::stopped: break;
    }
    return "stopped";
}

std::string_view to_string(supervisor::action_type a) {
    using at = supervisor::action_type;
    switch (a) {
    case at::none: return "none";
    case at::call_open: return "call_open";
    case at::connect: return "connect";
    case at::read: return "read";
    case at::wait: return "wait";
    case at::close_and_reopen: return "close_and_reopen";
    case at::stop: break;
    }
    return "stop";
}

}  // namespace ib::slack
