#include "web_api.hpp"

#include <algorithm>
#include <array>
#include <exception>

namespace ib::slack {
namespace {

using json = nlohmann::json;

// Slack's transient server-side errors: the request may well succeed if sent again.
constexpr std::array<std::string_view, 4> retryable_errors{
    "internal_error",       // "likely due to a transient issue on our end"
    "fatal_error",          // server hit a catastrophic error; may be partly done, retry with care
    "service_unavailable",  // the service is temporarily down
    "request_timeout",      // the server timed out handling the request
};

// Token / installation problems (Slack's common errors): an operator must act.
constexpr std::array<std::string_view, 15> auth_errors{
    "invalid_auth",               // token invalid, or request from a disallowed IP
    "not_authed",                 // no token sent
    "account_inactive",           // token of a deleted user or workspace
    "token_revoked",              // token revoked or app removed
    "token_expired",              // rotating token expired
    "no_permission",              // the token's workspace lacks permission for this method
    "missing_scope",              // the token lacks a scope the method needs
    "not_allowed_token_type",     // wrong token kind (e.g. a bot token for apps.connections.open)
    "user_removed_from_team",     // the installing user left (Node SDK: unrecoverable)
    "team_disabled",              // the workspace is disabled (Node SDK: unrecoverable)
    "org_login_required",         // workspace being migrated to an Enterprise org
    "ekm_access_denied",          // administrators suspended access (Enterprise Key Management)
    "two_factor_setup_required",  // the token's user must set up 2FA
    "team_access_not_granted",    // the org token has no access to this workspace
    "forbidden_team",             // apps.connections.open: this team may not use the method
};

bool contains(const auto& list, std::string_view s) { return std::find(list.begin(), list.end(), s) != list.end(); }

}  // namespace

std::string_view to_string(api_outcome o) {
    switch (o) {
    case api_outcome::ok: return "ok";
    case api_outcome::rate_limited: return "rate_limited";
    case api_outcome::retryable: return "retryable";
    case api_outcome::auth_fatal: return "auth_fatal";
    case api_outcome::failed: break;
    }
    return "failed";
}

api_outcome classify_error(std::string_view error) {
    if (error == "ratelimited" || error == "rate_limited") return api_outcome::rate_limited;
    if (contains(retryable_errors, error)) return api_outcome::retryable;
    if (contains(auth_errors, error)) return api_outcome::auth_fatal;
    return api_outcome::failed;
}

api_response parse_api_response(int http_status, std::string_view body, std::optional<int> retry_after_header) {
    api_response r;
    r.http_status = http_status;
    if (retry_after_header) r.retry_after = std::chrono::seconds{std::clamp(*retry_after_header, 0, 3600)};

    // Parse the body; a non-JSON body is not an exception here, just "not JSON".
    try {
        r.body = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    } catch (const std::exception&) {
        r.body = json::value_t::discarded;  // e.g. nesting the parser refuses; treat as not JSON
    }
    const bool is_json = !r.body.is_discarded();
    if (!is_json) r.body = nullptr;

    // Read ok / error / warning when the shape allows it.
    bool has_ok = false;
    if (r.body.is_object()) {
        if (const auto it = r.body.find("ok"); it != r.body.end() && it->is_boolean()) {
            has_ok = true;
            r.ok = it->get<bool>();
        }
        if (const auto it = r.body.find("error"); it != r.body.end() && it->is_string())
            r.error = it->get<std::string>();
        if (const auto it = r.body.find("warning"); it != r.body.end() && it->is_string())
            r.warning = it->get<std::string>();
    }

    // The HTTP status decides first: 429 and 5xx mean the same whatever the body says.
    if (http_status == 429) {
        r.ok = false;
        r.outcome = api_outcome::rate_limited;
        if (r.error.empty()) r.error = "ratelimited";
        if (!retry_after_header) r.retry_after = default_retry_after;
        return r;
    }
    if (http_status >= 500 && http_status <= 599) {
        r.ok = false;
        r.outcome = api_outcome::retryable;
        if (r.error.empty()) r.error = is_json ? "invalid_response" : "http_" + std::to_string(http_status);
        return r;
    }

    if (!has_ok) {
        r.ok = false;
        r.outcome = api_outcome::failed;
        r.error = "invalid_response";
        return r;
    }
    if (r.ok) {
        r.outcome = api_outcome::ok;
        r.error.clear();
        return r;
    }
    if (r.error.empty()) r.error = "unknown_error";
    r.outcome = classify_error(r.error);
    if (r.outcome == api_outcome::rate_limited && !retry_after_header) r.retry_after = default_retry_after;
    return r;
}

}  // namespace ib::slack
