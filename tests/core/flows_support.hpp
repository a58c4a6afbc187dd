// Helpers for the flow tests (tests/core/flows_*_test.cpp): Slack's own payloads from
// shared/slack-fixtures turned into flow events, and a stepper that drives a flow by hand and
// keeps its log lines, like the supervisor test's fixture.
#pragma once

#include "core/flows/effects.hpp"
#include "core/incident.hpp"
#include "core/slack/envelope.hpp"
#include "core/slack/web_api.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace ib_test {

inline std::string fixture_text(const std::string& name) {
    std::ifstream in(std::string(IB_SHARED_DIR) + "/slack-fixtures/" + name);
    REQUIRE_MESSAGE(in, "missing fixture " << name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Incident 3, "Checkout errors" (sev2, declared by U0ALICE at `at` in C0INC): the change flows'
// subject.
inline ib::incident checkout_incident(ib::time_point at) {
    auto d = ib::declare_incident("Checkout errors", ib::severity::sev2, "U0ALICE", "C0INC",
                                  "inc-20261121-checkout-errors", at);
    REQUIRE(d);
    d->inc.id = 3;
    return d->inc;
}

// A Web API answer as the executor feeds it back: Slack's response (a fixture) classified by
// parse_api_response, as web_client returns it after its own retries.
inline ib::flows::called answer(int http_status, const std::string& fixture_name,
                                std::optional<int> retry_after = std::nullopt) {
    const auto r = ib::slack::parse_api_response(http_status, fixture_text(fixture_name), retry_after);
    return ib::flows::called{r.outcome, r.error, r.body};
}

// conversations.create's answer for a channel created as `id` / `name` (Slack's fixture, renamed).
inline ib::flows::called created(const std::string& id, const std::string& name) {
    auto body = nlohmann::json::parse(fixture_text("web-api-conversations.create-ok.json"));
    body["channel"]["id"] = id;
    body["channel"]["name"] = name;
    const auto r = ib::slack::parse_api_response(200, body.dump(), std::nullopt);
    return ib::flows::called{r.outcome, r.error, r.body};
}

// A transport failure of a call that may have reached Slack (web_client's answer for a
// non-idempotent call after a 5xx): failed, not retried.
inline ib::flows::called http_500() {
    const auto r = ib::slack::parse_api_response(500, "", std::nullopt);
    return ib::flows::called{ib::slack::api_outcome::failed, r.error, r.body};
}

inline const ib::flows::called posted() { return answer(200, "web-api-chat.postMessage-ok.json"); }

// Parses a whole Socket Mode frame and returns its T (fails the test otherwise).
template <class T>
T frame_of(const std::string& text) {
    auto f = ib::slack::parse_frame(text);
    auto* v = std::get_if<T>(&f);
    REQUIRE_MESSAGE(v, "the frame did not parse as expected: " << text.substr(0, 200));
    return *v;
}

// An Events API event (an event_callback fixture) in a Socket Mode envelope.
inline ib::slack::events_api event_fixture(const std::string& name, const std::string& envelope_id = "env-1") {
    const nlohmann::json env{{"envelope_id", envelope_id}, {"type", "events_api"},
                             {"payload", nlohmann::json::parse(fixture_text(name))},
                             {"accepts_response_payload", false}, {"retry_attempt", 0}, {"retry_reason", ""}};
    return frame_of<ib::slack::events_api>(env.dump());
}

// Slack's slash command envelope with our command text, channel, user and envelope id.
inline ib::slack::slash_command slash(const std::string& text, const std::string& channel = "C0GENERAL",
                                      const std::string& user = "U0ALICE", const std::string& envelope_id = "env-cmd") {
    auto j = nlohmann::json::parse(fixture_text("socket-mode-slash_commands.json"));
    j["envelope_id"] = envelope_id;
    j["payload"]["command"] = "/incident";
    j["payload"]["text"] = text;
    j["payload"]["channel_id"] = channel;
    j["payload"]["user_id"] = user;
    return frame_of<ib::slack::slash_command>(j.dump());
}

// Slack's block_actions envelope with one button (action_id, value) clicked in `channel`.
inline ib::slack::interactive click(const std::string& action_id, const std::string& value,
                                    const std::string& channel = "C0INC", const std::string& envelope_id = "env-btn") {
    auto j = nlohmann::json::parse(fixture_text("socket-mode-interactive-block_actions.json"));
    j["envelope_id"] = envelope_id;
    j["payload"]["channel"]["id"] = channel;
    j["payload"]["container"]["channel_id"] = channel;
    j["payload"]["actions"][0]["action_id"] = action_id;
    j["payload"]["actions"][0]["value"] = value;
    return frame_of<ib::slack::interactive>(j.dump());
}

// Drives a flow by hand and keeps the log lines it asks for ("warn: …").
template <class Flow>
struct stepper {
    Flow flow;
    std::vector<std::string> logs;

    ib::flows::action start() { return keep(flow.start()); }
    ib::flows::action step(ib::flows::event ev) { return keep(flow.resume(std::move(ev))); }

    ib::flows::action keep(ib::flows::action act) {
        static constexpr const char* names[] = {"none", "debug", "info", "warn", "error"};
        if (act.level != ib::flows::log_level::none)
            logs.push_back(std::string(names[static_cast<int>(act.level)]) + ": " + act.log);
        else
            CHECK(act.log.empty());
        return act;
    }
};

// The effect of `act` as T, a copy (fails the test when it is another effect).
template <class T>
T effect_as(const ib::flows::action& act) {
    const T* e = std::get_if<T>(&act.what);
    REQUIRE_MESSAGE(e, "unexpected effect #" << act.what.index());
    return *e;
}

template <class T>
bool is(const ib::flows::action& act) {
    return std::holds_alternative<T>(act.what);
}

}  // namespace ib_test
