// Sans-I/O state machine for the Socket Mode connection (engineering.md §3.2): the driver in
// bot/ performs each returned action and feeds the outcome back as the next event:
//
//     auto act = sup.resume(supervisor::start{}, now(), rand01());
//     for (;;) {
//         switch (act.type) { case action_type::call_open: … ev = supervisor::opened{url}; … }
//         act = sup.resume(ev, now(), rand01());
//     }
//
// No clock and no RNG inside: `now` (steady time) and a uniform random value in [0, 1) for
// the backoff jitter are passed into every resume() call.
#pragma once

#include "../backoff.hpp"
#include "envelope.hpp"
#include "web_api.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace ib::slack {

class supervisor {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    // Exit codes carried by action_type::stop.
    static constexpr int exit_ok = 0;            // stop was requested
    static constexpr int exit_config_error = 78; // EX_CONFIG: bad/revoked app token; do not restart blindly

    enum class state {
        idle,            // constructed, start not received yet
        opening,         // apps.connections.open is in flight
        connecting,      // TCP/TLS/WebSocket handshake to the returned URL is in flight
        awaiting_hello,  // socket open, reading until Slack's hello frame (at most hello_timeout)
        live,            // hello received: frames flow, the session's read loop runs
        backing_off,     // waiting for the backoff timer before opening again
        stopped,         // terminal: the driver has been told to stop
    };

    // ---- events: what happened (fed to resume) ---------------------------------------------
    struct start {};                  // begin connecting (sent once, from idle)
    struct opened {                   // apps.connections.open returned ok
        std::string url;              // the wss:// URL to connect to (plain ws:// only to a
    };                                // loopback host: anything else stops with exit_config_error)
    struct open_failed {              // apps.connections.open failed (HTTP or Slack error)
        api_outcome outcome = api_outcome::failed;  // from parse_api_response
        std::string error;            // Slack's error code or a transport description
        std::chrono::seconds retry_after{0};        // for rate_limited
    };
    struct connected {};              // the WebSocket handshake completed
    struct hello {};                  // the hello frame arrived
    struct no_hello {};               // hello_timeout passed after the handshake without hello
    struct disconnect {               // a disconnect frame arrived
        disconnect_reason reason = disconnect_reason::other;
    };
    struct io_error {                 // the socket failed: handshake error, read error, close,
        std::string description;      // idle timeout / dead peer, no hello in time, …
    };
    struct timer_fired {};            // the wait from action_type::wait elapsed
    struct stop_requested {};         // shutdown (signal, CLI): stop from any state

    using event = std::variant<start, opened, open_failed, connected, hello, no_hello, disconnect, io_error,
                               timer_fired, stop_requested>;

    // ---- actions: what the driver must do next ---------------------------------------------
    enum class action_type {
        none,              // nothing new: the event was ignored, keep the operation in progress
        call_open,         // call apps.connections.open -> opened / open_failed (or io_error)
        connect,           // connect to `url` -> connected / io_error
        read,              // start or continue the session's read loop -> hello / disconnect / io_error
                           // (all other frames are handled by the session itself); with a
                           // `delay`, hello must arrive within it, else close the socket -> no_hello
        wait,              // drop any socket, wait `delay` -> timer_fired
        close_and_reopen,  // close the current socket cleanly, then do call_open
        stop,              // close everything and exit with `exit_code`; print `reason`
    };
    struct action {
        action_type type = action_type::none;
        std::string url;                     // connect
        std::chrono::milliseconds delay{0};  // wait: how long; read: the deadline for hello (0: none)
        int exit_code = 0;                   // stop
        std::string reason;                  // stop: one line for the operator
        std::string log;                     // one line to log at info/warn, or "" for nothing
        // wait (after a failure) and close_and_reopen: what ended the previous connection or
        // attempt, as a short fixed label for metrics and readiness: refresh_requested,
        // warning, link_disabled, too_many_websockets, other (disconnect frames),
        // connection_lost, connect_failed, no_hello, open_failed, open_rate_limited. "" otherwise.
        std::string_view reconnect_reason;
    };

    // How long Slack may take to say hello once the WebSocket is open (a peer that accepts the
    // socket and then stays silent, answering pings, would otherwise hold the bot forever).
    static constexpr std::chrono::milliseconds default_hello_timeout{10000};

    // `policy` sets the backoff for failures; sessions live longer than `stable_after`
    // reset the failure count when they end; hello must come within `hello_timeout`.
    explicit supervisor(backoff_policy policy = {}, std::chrono::seconds stable_after = std::chrono::seconds{60},
                        std::chrono::milliseconds hello_timeout = default_hello_timeout);

    // Advances the machine by one event and returns the next action. `now` is steady time (any
    // epoch, never decreasing), `random01` a uniform value in [0, 1) used only when the
    // answer is a backoff wait. No event ever throws. While a socket is being read (waiting for
    // hello, or live) every event that does not end the session (a second hello, a late timer)
    // is ignored by answering `read` again: nothing can leave the reader stalled. In the other
    // states an event out of place leaves the state unchanged and returns action_type::none.
    action resume(const event& ev, time_point now, double random01);

    state current() const { return state_; }
    // Consecutive failures since the last stable session (0 after a clean start).
    int failures() const { return failures_; }

private:
    action on_open_failed(const open_failed& ev, double random01);
    action on_session_end(const event& ev, time_point now, double random01);
    action back_off(std::chrono::milliseconds min_delay, std::string why, std::string_view reason, double random01);

    backoff_policy policy_;
    std::chrono::seconds stable_after_;
    std::chrono::milliseconds hello_timeout_;
    state state_ = state::idle;
    int failures_ = 0;
    time_point live_since_{};
};

std::string_view to_string(supervisor::state s);        // "awaiting_hello", …
std::string_view to_string(supervisor::action_type a);  // "close_and_reopen", …

}  // namespace ib::slack
