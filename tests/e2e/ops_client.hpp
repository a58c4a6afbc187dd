// Small clients for the operations tests: a blocking HTTP/1.1 GET over loopback (no Beast in
// the test binary), a parser for the Prometheus text exposition, and a free loopback port.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ib::test {

struct http_reply {
    int status = 0;
    std::string body;
    std::string head;  // the status line and headers, lower-cased ("...\r\nset-cookie: a=b")

    // The value of header `name` (lower case), "" when absent.
    std::string header(const std::string& name) const;
};
// GET http://127.0.0.1:<port><target> with Connection: close; nullopt when the connection
// fails or no complete status line comes back within `timeout_ms`.
std::optional<http_reply> http_get(unsigned short port, const std::string& target, int timeout_ms = 5000);
// Any request: `headers` are extra "Name: value" lines (without CRLF); a body gets its
// Content-Length. Same rules as http_get.
std::optional<http_reply> http_request(unsigned short port, const std::string& method, const std::string& target,
                                       const std::vector<std::string>& headers = {}, const std::string& body = {},
                                       int timeout_ms = 5000);

// "name{labels} value" -> value, for every sample line (comments skipped). Keys are the series
// exactly as printed, e.g. incident_bot_web_api_requests_total{method="auth.test",outcome="ok"}.
std::map<std::string, double> parse_metrics(const std::string& exposition);

// A loopback TCP port that was free a moment ago (bind to 0, read it, close).
unsigned short free_loopback_port();

// The port in "... on http://127.0.0.1:PORT/" in a log, or 0.
unsigned short listen_port_in(const std::string& log);

}  // namespace ib::test
