// Splitting the URLs the bot connects to (SLACK_API_URL, the Socket Mode URL that
// apps.connections.open returns) into what a connection needs. Pure; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ib {

struct url_parts {
    std::string scheme;  // lowercased: "https", "http", "wss", "ws"
    std::string host;    // "slack.com", "127.0.0.1" (IPv6 literals without brackets)
    std::string port;    // explicit port, or the scheme's default ("443" / "80")
    std::string target;  // path and query, at least "/": "/link/?ticket=abc&app_id=A1"
    bool tls() const { return scheme == "https" || scheme == "wss"; }
    bool default_port() const { return port == (tls() ? "443" : "80"); }
    // The Host header / WebSocket handshake host: IPv6 in brackets, the port only when it is
    // not the scheme's default.
    std::string host_header() const {
        const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
        return default_port() ? h : h + ":" + port;
    }
};

// Accepts http, https, ws and wss URLs with a non-empty host and a port in 1..65535; nullopt
// for anything else (other schemes, user-info, spaces or control characters, empty host).
std::optional<url_parts> parse_url(std::string_view url);

// A host that can only be this machine: "localhost" (RFC 6761 keeps it on the loopback
// interface), an IPv4 literal in 127.0.0.0/8, or the IPv6 loopback "::1" in any spelling.
bool is_loopback_host(std::string_view host);

// Why the bot refuses to talk to `u`, or "" when it may: plain http:// and ws:// carry the
// tokens and every message in clear text, so they are allowed only to a loopback host (the
// simulator in tests and the demo). `what` names the URL in the reason ("SLACK_API_URL").
std::string plain_text_refusal(const url_parts& u, std::string_view what);

}  // namespace ib
