// Who may make a change, and a private declaration, stepped effect by effect: the responders
// group read before a change only responders may make (core/access.hpp), its last list read
// standing in when Slack cannot answer, and `/incident start … --private`.
#include "core/flows/change.hpp"
#include "core/flows/declare.hpp"

#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using stage = change_flow::stage;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");
const std::string group = "S0614TZR7";

incident open_incident_3() { return checkout_incident(t0); }

stepper<change_flow> make(const std::string& text, const std::string& user, responders_gate gate) {
    auto c = parse_command(text);
    REQUIRE_MESSAGE(c, text);
    return {change_flow(*c, open_incident_3().id, user, "cmd:env-7", t0 + std::chrono::minutes{5}, std::move(gate)), {}};
}

// usergroups.users.list's answer: Slack's fixture lists U060R4BJ4 and W123A4BC5.
called group_listed() { return answer(200, "web-api-usergroups.users.list-ok.json"); }
const std::vector<std::string> fixture_members{"U060R4BJ4", "W123A4BC5"};

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("responders: the group is read first; a member's change goes ahead") {
    auto c = make("resolve fixed the pool", "U060R4BJ4", {group, std::nullopt});
    auto act = c.start();
    const auto& read = effect_as<call>(act);
    CHECK(read.method == "usergroups.users.list");
    CHECK(read.args == nlohmann::json{{"usergroup", group}});
    CHECK(read.idempotent);
    CHECK(c.flow.current().at == stage::checking);

    // The members are kept as the last list read, then the change waits for its turn and is
    // planned as usual.
    act = c.step(group_listed());
    CHECK(effect_as<keep_responders>(act).members == fixture_members);
    act = c.step(ok{});
    CHECK(effect_as<take_turn>(act).incident_id == open_incident_3().id);
    CHECK(c.flow.current().at == stage::waiting);
    act = c.step(turn{open_incident_3()});
    CHECK(effect_as<save_change>(act).inc.state == status::resolved);
    CHECK(c.logs.empty());
}

TEST_CASE("responders: someone outside the group gets a polite no and nothing changes") {
    for (const char* text : {"resolve", "status resolved all good", "sev 1", "commander <@U0CAROL>",
                             "comms <@U0CAROL>", "detected 10m ago"}) {
        CAPTURE(text);
        auto c = make(text, "U0BOB", {group, std::nullopt});
        REQUIRE(is<call>(c.start()));
        REQUIRE(is<keep_responders>(c.step(group_listed())));
        const auto act = c.step(ok{});
        const auto& no = effect_as<reply>(act).text;
        CHECK(no.find("Sorry, only the responders") != std::string::npos);
        CHECK(no.find("<!subteam^S0614TZR7>") != std::string::npos);
        CHECK(effect_as<reply>(act).nothing_changed);
        CHECK(c.flow.current().at == stage::failing);  // no turn was taken, so none is ended
        CHECK(is<done>(c.step(ok{})));
    }
}

TEST_CASE("responders: reopen is theirs too; ack, notes, actions and status-page updates are anyone's") {
    auto resolved = open_incident_3();
    REQUIRE(resolve(resolved, "U0ALICE", "", t0 + std::chrono::minutes{1}));
    auto c = parse_command("reopen");
    stepper<change_flow> r{change_flow(*c, resolved.id, "U0BOB", "k", t0 + std::chrono::minutes{5}, {group, {}}), {}};
    CHECK(effect_as<call>(r.start()).method == "usergroups.users.list");

    for (const char* text : {"ack", "note looking at the db", "action add an alert", "statuspage Investigating",
                             "status identified pool exhausted"}) {
        CAPTURE(text);
        auto anyone = make(text, "U0BOB", {group, std::nullopt});
        CHECK(is<take_turn>(anyone.start()));  // no group read at all
    }
}

TEST_CASE("responders: without a group nobody is checked") {
    auto c = make("sev 1", "U0BOB", {});
    CHECK(is<take_turn>(c.start()));
}

TEST_CASE("responders: when the group cannot be read, the last list read decides") {
    SUBCASE("a member of the last list: allowed, with a warning") {
        auto c = make("sev 1", "U0BOB", {group, std::vector<std::string>{"U0BOB"}});
        REQUIRE(is<call>(c.start()));
        auto act = c.step(answer(200, "web-api-usergroups.users.list-error-invalid_auth.json"));
        CHECK(is<take_turn>(act));
        REQUIRE(c.logs.size() == 1);
        CHECK(c.logs[0] == "warn: usergroups.users.list for S0614TZR7 failed: invalid_auth; using the last list read");
        act = c.step(turn{open_incident_3()});
        CHECK(effect_as<save_change>(act).inc.sev == severity::sev1);
    }
    SUBCASE("not in the last list: the polite no") {
        auto c = make("sev 1", "U0BOB", {group, std::vector<std::string>{"U0ALICE"}});
        REQUIRE(is<call>(c.start()));
        const auto act = c.step(http_500());
        CHECK(effect_as<reply>(act).text.find("only the responders") != std::string::npos);
    }
    SUBCASE("never read: refused with a clear message, nothing changes") {
        auto c = make("sev 1", "U060R4BJ4", {group, std::nullopt});
        REQUIRE(is<call>(c.start()));
        const auto act = c.step(answer(200, "web-api-usergroups.users.list-error-invalid_auth.json"));
        const auto& text = effect_as<reply>(act).text;
        CHECK(text.find("couldn't read the responders group") != std::string::npos);
        CHECK(text.find("invalid_auth") != std::string::npos);
        CHECK(text.find("nothing was changed") != std::string::npos);
        REQUIRE(c.logs.size() == 1);
        CHECK(c.logs[0].find("refusing the change") != std::string::npos);
        CHECK(is<done>(c.step(ok{})));
    }
    SUBCASE("an answer without a users list counts as unreadable") {
        auto c = make("sev 1", "U0BOB", {group, std::nullopt});
        REQUIRE(is<call>(c.start()));
        const auto act = c.step(called{slack::api_outcome::ok, "", nlohmann::json{{"ok", true}}});
        CHECK(effect_as<reply>(act).text.find("no users in the answer") != std::string::npos);
    }
}

TEST_CASE("responders: a restart while reading repeats the read; while keeping, keeps again") {
    auto c = make("sev 1", "U060R4BJ4", {group, std::nullopt});
    REQUIRE(is<call>(c.start()));
    CHECK(effect_as<call>(c.step(restarted{})).method == "usergroups.users.list");
    REQUIRE(is<keep_responders>(c.step(group_listed())));
    CHECK(effect_as<keep_responders>(c.step(restarted{})).members == fixture_members);
    CHECK(is<take_turn>(c.step(ok{})));
}

TEST_CASE("declare --private: a private channel, and an incident marked private") {
    stepper<declare_flow> d{declare_flow(cmd::start{"Payroll data exposed", severity::sev1, true}, "U0ALICE",
                                         "cmd:env-1", "U0BOT", t0),
                            {}};
    const auto create = effect_as<call>(d.start());
    CHECK(create.method == "conversations.create");
    CHECK(create.args["is_private"] == true);
    CHECK(is<hold_events>(d.step(created("C0PRIV", "inc-20261121-payroll-data-exposed"))));
    const auto write = effect_as<create_incident>(d.step(ok{}));
    CHECK(write.inc.is_private);
    CHECK(write.entry.attrs.at("private") == "true");
}

}  // TEST_SUITE
