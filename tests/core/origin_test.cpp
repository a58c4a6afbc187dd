// Envelopes meant for another app or workspace (core/slack/origin), from Slack's own samples.
#include "core/slack/envelope.hpp"
#include "core/slack/origin.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <string>

using namespace ib::slack;
using json = nlohmann::json;

namespace {

json fixture(const std::string& name) {
    std::ifstream in(std::string(IB_SHARED_DIR "/slack-fixtures/") + name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
    return json::parse(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

// The fixtures' app and workspace: every Socket Mode sample was sent to A111 in T111.
const identity ours{"T111", "A111"};

std::string reason_for(const json& envelope, const identity& self = ours) {
    const frame f = parse_frame(envelope.dump());
    REQUIRE_FALSE(std::holds_alternative<bad_frame>(f));
    return foreign_reason(f, self);
}

}  // namespace

TEST_SUITE("envelope") {

TEST_CASE("envelopes for this app and workspace pass: events, slash commands, button clicks") {
    for (const char* name : {"socket-mode-events_api-message.json", "socket-mode-events_api-app_mention-java-sdk.json",
                             "socket-mode-slash_commands-python-sdk.json", "socket-mode-slash_commands-java-sdk.json",
                             "socket-mode-interactive-block_actions.json"}) {
        CAPTURE(name);
        CHECK(reason_for(fixture(name)) == "");
    }
}

TEST_CASE("another app or another workspace: a one-line reason naming both") {
    // A real event sent to app A0PNCHHK2 in workspace T061EG9R6, delivered on our socket.
    json foreign = fixture("socket-mode-events_api-message.json");
    foreign["payload"] = fixture("event-callback-message.groups.json");
    CHECK(reason_for(foreign) == "api_app_id A0PNCHHK2 is not this app (A111)");
    CHECK(reason_for(foreign, {"T111", ""}) == "team_id T061EG9R6 is not this workspace (T111)");

    json command = fixture("socket-mode-slash_commands-python-sdk.json");
    command["payload"]["team_id"] = "T999";
    CHECK(reason_for(command) == "team_id T999 is not this workspace (T111)");

    json click = fixture("socket-mode-interactive-block_actions.json");
    click["payload"]["api_app_id"] = "A999";
    CHECK(reason_for(click) == "api_app_id A999 is not this app (A111)");
    click["payload"]["api_app_id"] = "A111";
    click["payload"]["team"]["id"] = "T999";
    CHECK(reason_for(click) == "team_id T999 is not this workspace (T111)");
}

TEST_CASE("a missing api_app_id or team_id does not match") {
    json event = fixture("socket-mode-events_api-message.json");
    event["payload"].erase("api_app_id");
    CHECK(reason_for(event) == "no api_app_id");
    // Slack's slash-command docs sample has a team_id but no api_app_id.
    CHECK(reason_for(fixture("socket-mode-slash_commands.json"), {"T123ABC456", "A111"}) == "no api_app_id");
    json click = fixture("socket-mode-interactive-block_actions.json");
    click["payload"].erase("team");
    click["payload"]["user"].erase("team_id");
    CHECK(reason_for(click) == "no team_id");
    // The user's team stands in for a click payload without `team`.
    click["payload"]["user"]["team_id"] = "T111";
    CHECK(reason_for(click) == "");
    // Slack's message shortcut payload has no api_app_id at all: only its team is checked.
    json shortcut = fixture("socket-mode-interactive-shortcut.json");
    shortcut["payload"] = fixture("interactive-message_action.json");
    CHECK(reason_for(shortcut, {"T123", "A111"}) == "");
    CHECK(reason_for(shortcut, {"T999", "A111"}) == "team_id T123 is not this workspace (T999)");
    shortcut["payload"]["api_app_id"] = "A999";
    CHECK(reason_for(shortcut, {"T123", "A111"}) == "api_app_id A999 is not this app (A111)");
}

TEST_CASE("what is not known yet is not checked; frames without an origin always pass") {
    json foreign = fixture("socket-mode-events_api-message.json");
    foreign["payload"]["api_app_id"] = "A999";
    CHECK(reason_for(foreign, {"T111", ""}) == "");
    CHECK(reason_for(fixture("socket-mode-hello.json")) == "");
    CHECK(reason_for(fixture("socket-mode-disconnect-warning.json")) == "");
    CHECK(foreign_reason(bad_frame{"x", std::nullopt}, ours) == "");
}

}  // TEST_SUITE
