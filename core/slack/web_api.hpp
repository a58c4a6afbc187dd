// Slack Web API responses: parse the HTTP status and body once, and classify the result so
// the caller knows whether to use it, retry it, wait, or give up. No I/O here.
//
// Slack reports method errors as HTTP 200 with {"ok":false,"error":"<code>"}, success as
// {"ok":true,…[,"warning":"a,b"]}, and rate limiting as HTTP 429 with a Retry-After header
// (body {"ok":false,"error":"ratelimited"}). See slack-protocol.md §4.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ib::slack {

enum class api_outcome {
    ok,            // ok:true; `body` holds the result (check `warning`, e.g. already_in_channel)
    rate_limited,  // HTTP 429 or error "ratelimited": wait `retry_after`, then retry
    retryable,     // HTTP 5xx or a transient Slack error (internal_error, fatal_error,
                   // service_unavailable, request_timeout): retry with backoff
    auth_fatal,    // the token is wrong, revoked or lacks permission: retrying cannot help,
                   // an operator must fix the configuration
    failed,        // any other error: the request itself was wrong (channel_not_found,
                   // name_taken, …); not retried, the caller decides
};
std::string_view to_string(api_outcome o);  // "ok", "rate_limited", …

inline constexpr std::chrono::seconds default_retry_after{30};  // 429 without a Retry-After

struct api_response {
    bool ok = false;
    std::string error;    // Slack's error code; "invalid_response" when the body was unusable,
                          // "http_<status>" for a non-JSON 5xx
    std::string warning;  // comma-separated warning codes on success ("" when none)
    nlohmann::json body;  // the parsed body (null when it was not JSON)
    int http_status = 0;
    api_outcome outcome = api_outcome::failed;
    std::chrono::seconds retry_after{0};  // rate_limited: how long to wait; else the header, or 0
};

// Classifies one Web API response. Never throws on any input (allocation failure aside).
//  - 429: rate_limited, retry_after = the header (clamped to [0, 3600]) or 30 s when absent.
//  - 5xx: retryable, whatever the body says.
//  - body not a JSON object with a boolean `ok`: failed with error "invalid_response".
//  - ok:true: ok. ok:false: classified by `error` (see api_outcome); a missing error code
//    reads as "unknown_error".
api_response parse_api_response(int http_status, std::string_view body, std::optional<int> retry_after_header);

// The classification of one error code alone (used by parse_api_response; exposed for tests
// and for callers that get error codes from elsewhere, e.g. per-user `errors[]`).
api_outcome classify_error(std::string_view error);

}  // namespace ib::slack
