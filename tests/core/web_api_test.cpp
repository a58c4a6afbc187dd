// Web API response classification, on Slack's sample responses (shared/slack-fixtures/web-api-*).
#include "core/slack/web_api.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace ib::slack;
using std::chrono::seconds;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(IB_SHARED_DIR "/slack-fixtures/") + name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_SUITE("web_api") {

TEST_CASE("success responses") {
    const auto r = parse_api_response(200, fixture("web-api-chat.postMessage-ok.json"), std::nullopt);
    CHECK(r.ok);
    CHECK(r.outcome == api_outcome::ok);
    CHECK(r.error == "");
    CHECK(r.warning == "");
    CHECK(r.http_status == 200);
    CHECK(r.body["ts"] == "1503435956.000247");
    CHECK(r.body["channel"] == "C123ABC456");

    SUBCASE("conversations.join when already a member: ok with a warning") {
        const auto j = parse_api_response(200, fixture("web-api-conversations.join-ok-already_in_channel.json"), {});
        CHECK(j.outcome == api_outcome::ok);
        CHECK(j.warning == "already_in_channel");
        CHECK(j.body["response_metadata"]["warnings"][0] == "already_in_channel");
        CHECK(j.body["channel"]["id"] == "C061EG9SL");
    }
    SUBCASE("apps.connections.open with JSON-escaped slashes") {
        const auto o = parse_api_response(200, fixture("socket-mode-apps.connections.open-ok-escaped-slashes.json"), {});
        CHECK(o.outcome == api_outcome::ok);
        CHECK(o.body["url"] == "wss://wss.slack.com/link/?ticket=1234-5678");
    }
    SUBCASE("every *-ok* fixture is ok") {
        int n = 0;
        for (const auto& entry : std::filesystem::directory_iterator(IB_SHARED_DIR "/slack-fixtures")) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("web-api-", 0) != 0 || name.find("-ok") == std::string::npos) continue;
            CAPTURE(name);
            const auto x = parse_api_response(200, fixture(name), {});
            CHECK(x.outcome == api_outcome::ok);
            CHECK(x.ok);
            ++n;
        }
        CHECK(n >= 10);
    }
}

TEST_CASE("method errors are HTTP 200 with ok:false") {
    SUBCASE("auth error stops the caller") {
        const auto r = parse_api_response(200, fixture("web-api-auth.test-error-invalid_auth.json"), {});
        CHECK_FALSE(r.ok);
        CHECK(r.error == "invalid_auth");
        CHECK(r.outcome == api_outcome::auth_fatal);
    }
    SUBCASE("caller's errors are failed, not retried") {
        for (const char* name :
             {"web-api-conversations.create-error-name_taken.json", "web-api-pins.add-error-channel_not_found.json",
              "web-api-chat.postEphemeral-error-user_not_in_channel.json",
              "web-api-chat.postMessage-error-too_many_attachments.json",
              "web-api-chat.update-error-cant_update_message.json", "web-api-conversations.join-error-is_archived.json",
              "web-api-users.info-error-user_not_found.json",
              "web-api-conversations.invite-error-method_not_supported_for_channel_type.json"}) {
            CAPTURE(name);
            const auto r = parse_api_response(200, fixture(name), {});
            CHECK_FALSE(r.ok);
            CHECK(r.outcome == api_outcome::failed);
            CHECK(r.error == r.body["error"].get<std::string>());
        }
        CHECK(parse_api_response(200, fixture("web-api-conversations.create-error-name_taken.json"), {}).error ==
              "name_taken");
    }
    SUBCASE("details stay available in the body") {
        const auto inv =
            parse_api_response(200, fixture("web-api-conversations.invite-error-user_not_found-with-errors.json"), {});
        CHECK(inv.error == "user_not_found");
        REQUIRE(inv.body["errors"].size() == 2);
        CHECK(inv.body["errors"][1]["error"] == "cant_invite_self");
        const auto topic =
            parse_api_response(200, fixture("web-api-conversations.setTopic-error-invalid_arguments.json"), {});
        CHECK(topic.outcome == api_outcome::failed);
        CHECK(topic.body["response_metadata"]["messages"][0] == "[ERROR] missing required field: topic");
    }
    SUBCASE("ok:false without an error code") {
        const auto r = parse_api_response(200, R"({"ok":false})", {});
        CHECK(r.error == "unknown_error");
        CHECK(r.outcome == api_outcome::failed);
    }
}

TEST_CASE("rate limiting") {
    const std::string body = fixture("web-api-error-ratelimited-429-body.json");
    SUBCASE("429 with Retry-After") {
        const auto r = parse_api_response(429, body, 1);
        CHECK_FALSE(r.ok);
        CHECK(r.outcome == api_outcome::rate_limited);
        CHECK(r.error == "ratelimited");
        CHECK(r.retry_after == seconds{1});
    }
    SUBCASE("429 without the header waits 30 s") {
        CHECK(parse_api_response(429, body, std::nullopt).retry_after == seconds{30});
    }
    SUBCASE("429 with a body that is not JSON") {
        const auto r = parse_api_response(429, "Too Many Requests", 7);
        CHECK(r.outcome == api_outcome::rate_limited);
        CHECK(r.error == "ratelimited");
        CHECK(r.retry_after == seconds{7});
    }
    SUBCASE("the ratelimited error code on HTTP 200 is treated the same") {
        const auto r = parse_api_response(200, body, std::nullopt);
        CHECK(r.outcome == api_outcome::rate_limited);
        CHECK(r.retry_after == seconds{30});
        CHECK(parse_api_response(200, R"({"ok":false,"error":"rate_limited"})", 5).retry_after == seconds{5});
    }
    SUBCASE("absurd headers are clamped") {
        CHECK(parse_api_response(429, body, -5).retry_after == seconds{0});
        CHECK(parse_api_response(429, body, 1'000'000).retry_after == seconds{3600});
    }
}

TEST_CASE("server errors and unusable bodies") {
    SUBCASE("5xx is retryable whatever the body") {
        const auto html = parse_api_response(502, "<html>Bad Gateway</html>", std::nullopt);
        CHECK(html.outcome == api_outcome::retryable);
        CHECK(html.error == "http_502");
        CHECK(html.body.is_null());
        const auto json_body = parse_api_response(503, R"({"ok":false,"error":"service_unavailable"})", 10);
        CHECK(json_body.outcome == api_outcome::retryable);
        CHECK(json_body.error == "service_unavailable");
        CHECK(json_body.retry_after == seconds{10});
    }
    SUBCASE("transient Slack errors on HTTP 200 are retryable") {
        for (const char* e : {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}) {
            CAPTURE(e);
            CHECK(parse_api_response(200, std::string(R"({"ok":false,"error":")") + e + "\"}", {}).outcome ==
                  api_outcome::retryable);
        }
    }
    SUBCASE("a body that is not a JSON object with ok is invalid_response") {
        for (const char* b : {"", "not json", "[]", "{}", R"({"ok":"true"})", "{\"ok\":tru", "\xff\xfe"}) {
            CAPTURE(b);
            const auto r = parse_api_response(200, b, {});
            CHECK_FALSE(r.ok);
            CHECK(r.outcome == api_outcome::failed);
            CHECK(r.error == "invalid_response");
        }
        CHECK(parse_api_response(404, "Not Found", {}).error == "invalid_response");
    }
    SUBCASE("deep nesting does not crash") {
        CHECK(parse_api_response(200, std::string(100'000, '['), {}).error == "invalid_response");
    }
}

TEST_CASE("error classification table") {
    for (const char* e : {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                          "no_permission", "missing_scope", "not_allowed_token_type", "user_removed_from_team",
                          "team_disabled", "org_login_required", "ekm_access_denied", "two_factor_setup_required",
                          "team_access_not_granted", "forbidden_team"}) {
        CAPTURE(e);
        CHECK(classify_error(e) == api_outcome::auth_fatal);
    }
    CHECK(classify_error("ratelimited") == api_outcome::rate_limited);
    CHECK(classify_error("internal_error") == api_outcome::retryable);
    CHECK(classify_error("channel_not_found") == api_outcome::failed);
    CHECK(classify_error("") == api_outcome::failed);
    CHECK(to_string(api_outcome::auth_fatal) == "auth_fatal");
}

}  // TEST_SUITE
