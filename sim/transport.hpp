#pragma once
// The simulator's sockets: one TCP port on 127.0.0.1 (optionally TLS) for the Web API
// (POST /api/<method>) and the Socket Mode WebSocket (/link/?ticket=…). This is the only
// translation unit with Asio/Beast in it (each such TU costs ~40 s of CI build); it does I/O and
// nothing else: what a request means is the backend's business, which frame goes out on which
// connection and when is delivery's (delivery.hpp).
//
// The WebSocket side of a Socket Mode session lives here: the upgrade (one-time tickets), hello
// first, a single writer per connection pulling frames from delivery, server pings every
// ping_interval (pongs are Beast's), acks read and handed to delivery; plus the faults a test
// can cause (drop every TCP connection, go silent).

#include "sim/delivery.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace ib::sim::detail {

struct http_reply {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    int retry_after = -1;  // >= 0: send Retry-After
};

// What the sockets need from the rest of the simulator.
class transport_backend {
public:
    virtual ~transport_backend() = default;
    // A plain HTTP request (anything but a WebSocket upgrade). Called on the io thread.
    virtual http_reply http(std::string_view target, std::string_view content_type, std::string_view authorization,
                            const std::string& body) = 0;
    // A WebSocket upgrade to target: true when it carries a valid one-time ticket.
    virtual bool take_ticket(std::string_view target) = 0;
};

class transport {
public:
    transport(const simulator_options& opts, transport_backend& backend, delivery& out);
    ~transport();  // stops
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    // Binds 127.0.0.1:0 and runs the io thread. Throws on bind or TLS setup failure, and when
    // started again after stop().
    void start();
    // Closes everything and joins the io thread. Idempotent.
    void stop();
    unsigned short port() const;
    bool tls() const;

    // Closes every WebSocket's TCP connection at once (no close frame, no close_notify).
    void drop_connections();
    // true: send nothing and answer no pings while keeping TCP open; false: resume (see
    // slack_simulator::set_silent).
    void set_silent(bool on);
    // true: WebSockets opened from now on get no hello and no frames (slack_simulator::set_hello_withheld).
    void set_hello_withheld(bool on);

    struct impl;  // defined in transport.cpp, where the session coroutines use it

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace ib::sim::detail
