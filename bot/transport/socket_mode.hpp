// Socket Mode client: keeps one WebSocket to Slack open and hands every frame, parsed once, to
// the application together with the connection it came in on (so the ack goes back there).
// The reconnect policy lives in core/slack/supervisor (no I/O, tested step by step); this is
// the thin driver that performs its actions. Beast stays in socket_mode.cpp.
#pragma once

#include "core/backoff.hpp"
#include "core/slack/envelope.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace ib::bot {

class web_client;

// The write side of one live connection. Safe to keep after the connection ended: send() then
// returns false and the frame is dropped (Slack redelivers events that were not acked).
class frame_sink {
public:
    virtual ~frame_sink() = default;
    virtual bool send(std::string text) = 0;
};

struct socket_mode_options {
    std::string app_token;                               // xapp-…, for apps.connections.open
    std::chrono::milliseconds idle_timeout{30000};       // silence (no frame, no pong) that means a dead peer
    std::chrono::milliseconds handshake_timeout{10000};  // TCP, TLS, WebSocket handshake and close
    std::chrono::milliseconds hello_timeout{10000};      // from the open socket to Slack's hello
    std::size_t max_frame_bytes = slack::default_max_frame_bytes;  // larger frames are refused
    backoff_policy backoff{};                            // reconnect delays after failures
    std::function<void(const slack::hello&)> on_hello;   // each hello, e.g. to learn the app id
};

// Called on the I/O thread for every frame other than hello and disconnect.
using frame_handler = std::function<void(slack::frame&&, std::shared_ptr<frame_sink>)>;

// The connection became live (Slack's hello arrived) or stopped being live (a disconnect frame,
// a socket error or a stop), with why in a few words for the log. Called on the I/O thread, in
// order: up, down, up, …
struct link_change {
    bool up = false;
    std::string why;  // down: "refresh_requested", "read failed: …", "stopping"; up: ""
};
using link_handler = std::function<void(const link_change&)>;

class socket_mode_client {
public:
    // `api` is used for apps.connections.open only (with opts.app_token); the client closes it on stop().
    socket_mode_client(boost::asio::any_io_executor ex, web_client& api, std::shared_ptr<boost::asio::ssl::context> tls,
                       socket_mode_options opts, frame_handler on_frame);
    ~socket_mode_client();
    socket_mode_client(const socket_mode_client&) = delete;
    socket_mode_client& operator=(const socket_mode_client&) = delete;

    // Connects and stays connected until stop() (returns 0) or an unrecoverable error such as a
    // revoked app token (returns non-zero after logging the reason in one line).
    boost::asio::awaitable<int> run();

    // Closes the connection cleanly and makes run() return 0. Call on the I/O thread.
    void stop();

    // Flow control, on the I/O thread: while paused no further frame is read, so the kernel's
    // buffers fill and TCP holds Slack back, instead of frames piling up in memory. The frame
    // being handled is not affected. Keep pauses short (well under the idle timeout, during
    // which Slack redelivers what was not acked).
    void pause_reading();
    void resume_reading();
    bool reading_paused() const;

    std::size_t connections_opened() const;  // WebSocket handshakes completed so far

    // Told when the connection becomes live and when it stops being live (catching up from
    // history depends on it). Set it before run().
    void on_link(link_handler h);

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace ib::bot
