// The operations endpoint of `incident-bot run --listen HOST:PORT`: a small HTTP/1.1 server
// (Beast) on a thread and io_context of its own, so a slow or stuck scraper never delays the
// Socket Mode I/O thread, and a stalled I/O thread still gets an answer from /healthz.
//
//   GET /healthz  200 "ok" while the bot's event loop answers (heartbeat), else 503 + reason
//   GET /readyz   200 "ok" while Socket Mode is live and the database accepts writes,
//                 else 503 + one line ("not connected to Slack: reconnecting after refresh_requested")
//   GET /metrics  the Prometheus text exposition of ops::metrics
//
// Anything else is 404 (405 for a method other than GET/HEAD). Keep-alive is supported; a
// connection idle for 30 s is closed; at most 64 connections are served at once.
//
// The same server carries any site given as a plain handler (core/http.hpp): `incident-bot
// serve` hands it the review site (core/review/), /healthz included. Requests are answered one
// at a time on the server's thread; a HEAD gets the GET's headers without the body.
#pragma once

#include "core/http.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ib::bot::ops {

struct listen_address {
    std::string host;  // name or address; IPv6 without brackets
    std::string port;  // 1..65535 (0 picks a free port)
};

// "127.0.0.1:9464", "localhost:9464", "[::1]:9464", "0.0.0.0:9464". nullopt when the text is
// not HOST:PORT with a port from 0 to 65535.
std::optional<listen_address> parse_listen_address(std::string_view text);

// Answers one request; runs on the server's thread. Request bodies are at most 4 KiB.
using handler = std::function<ib::http::response(const ib::http::request&)>;

// The operations endpoints above, as a handler.
ib::http::response ops_response(const ib::http::request& req);

class http_server {
public:
    // Binds (throws std::runtime_error "cannot listen on HOST:PORT: <reason>") and starts serving
    // the operations endpoints.
    explicit http_server(const listen_address& where);
    // The same, serving `site`; the log line says "serving <what> on http://HOST:PORT/".
    http_server(const listen_address& where, handler site, std::string_view what);
    ~http_server();  // stop()
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    unsigned short port() const;  // the bound port (useful with port 0)
    // Stops accepting, drops open connections and joins the server thread. Idempotent.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ib::bot::ops
