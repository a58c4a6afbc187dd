// HTTP requests and responses as plain data, so a site (core/review/) can be decided and tested
// without sockets; bot/ops/http_server carries them over Beast. Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ib::http {

struct request {
    std::string method = "GET";  // as sent: "GET", "HEAD", "POST", …
    std::string target = "/";    // path and query, as sent ("/incidents/3?tag=hypothesis")
    std::string cookie;          // the Cookie header, "" when none
    std::string content_type;    // the Content-Type header, "" when none
    std::string body;            // small: the server limits it
};

struct response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Length
    std::string body;
};

// The query (or an application/x-www-form-urlencoded body) as name → value, percent-decoded,
// `+` read as a space; the first of repeated names wins. Never fails: a malformed escape is kept
// as it is.
using params = std::map<std::string, std::string, std::less<>>;
params parse_query(std::string_view query);
// `target` split at the first '?': the path (percent-decoded) and the query's params.
std::pair<std::string, params> split_target(std::string_view target);
// Percent-decoding (with `+` as a space when plus_is_space).
std::string percent_decode(std::string_view s, bool plus_is_space);
// Percent-encoding of everything but ALPHA / DIGIT / "-._~" (for a query value).
std::string percent_encode(std::string_view s);
// The value of cookie `name` in a Cookie header ("a=1; b=2"), nullopt when absent.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace ib::http
