// Who sees private incidents listed, and which changes need a responder (core/access).
#include "core/access.hpp"

#include "core/incident_commands.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>

using namespace ib;
using namespace std::chrono_literals;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");

incident make(std::int64_t id, const std::string& channel, bool is_private, const std::string& declarer = "U0ALICE") {
    auto d = declare_incident("Incident " + std::to_string(id), severity::sev2, declarer, channel,
                              "inc-20261121-incident-" + std::to_string(id), t0);
    REQUIRE(d);
    d->inc.id = id;
    d->inc.is_private = is_private;
    return d->inc;
}

timeline_entry member(entry_kind kind, const std::string& user, time_point at) {
    timeline_entry e;
    e.kind = kind;
    e.user = user;
    e.at = at;
    return e;
}

std::vector<std::int64_t> ids(const std::vector<incident>& v) {
    std::vector<std::int64_t> out;
    for (const auto& i : v) out.push_back(i.id);
    return out;
}

}  // namespace

TEST_SUITE("access") {

TEST_CASE("private incidents are listed only for the members their record shows") {
    const std::vector<incident> open{make(1, "C1", false), make(2, "C2", true), make(3, "C3", true, "U0DAN")};
    channel_roster roster;
    // From the record: the declarer, then joins and leaves in timeline order.
    const std::vector<timeline_entry> c2{member(entry_kind::join, "U0BOB", t0 + 1min),
                                         member(entry_kind::join, "U0CAROL", t0 + 2min),
                                         member(entry_kind::leave, "U0CAROL", t0 + 3min)};
    roster.rebuild(open[1], c2);
    roster.rebuild(open[2], {});

    CHECK(ids(visible_to(open, "U0ALICE", roster)) == std::vector<std::int64_t>{1, 2});  // declared #2
    CHECK(ids(visible_to(open, "U0BOB", roster)) == std::vector<std::int64_t>{1, 2});    // joined #2
    CHECK(ids(visible_to(open, "U0CAROL", roster)) == std::vector<std::int64_t>{1});     // joined and left
    CHECK(ids(visible_to(open, "U0DAN", roster)) == std::vector<std::int64_t>{1, 3});
    CHECK(ids(visible_to(open, "U0EVE", roster)) == std::vector<std::int64_t>{1});       // public only

    // Live events change it; a rebuild from the record replaces what was known.
    roster.joined("C3", "U0EVE");
    CHECK(ids(visible_to(open, "U0EVE", roster)) == std::vector<std::int64_t>{1, 3});
    roster.apply("C3", member(entry_kind::leave, "U0EVE", t0 + 9min));
    roster.apply("C3", member(entry_kind::message, "U0FRANK", t0 + 9min));  // not a membership change
    CHECK(ids(visible_to(open, "U0EVE", roster)) == std::vector<std::int64_t>{1});
    CHECK(ids(visible_to(open, "U0FRANK", roster)) == std::vector<std::int64_t>{1});
    roster.joined("C2", "U0EVE");
    roster.rebuild(open[1], c2);
    CHECK_FALSE(roster.is_member("C2", "U0EVE"));
    roster.forget("C2");
    CHECK_FALSE(roster.is_member("C2", "U0ALICE"));
}

TEST_CASE("the list a non-member gets does not name a private incident") {
    std::vector<incident> open{make(1, "C1", false), make(2, "C2", true)};
    open[1].title = "Payroll export leaked";
    channel_roster roster;
    roster.rebuild(open[1], {});
    const std::string outsider = render_incident_list(visible_to(open, "U0EVE", roster), t0 + 5min);
    CHECK(outsider.find("Payroll") == std::string::npos);
    CHECK(outsider.find("C2") == std::string::npos);
    CHECK(outsider.find("Open incidents (1)") != std::string::npos);
    CHECK(render_incident_list(visible_to(open, "U0ALICE", roster), t0 + 5min).find("Payroll") != std::string::npos);
}

TEST_CASE("the changes only responders may make") {
    const auto needs = [](const char* text) {
        auto c = parse_command(text);
        REQUIRE_MESSAGE(c, text);
        return needs_responder(*c);
    };
    for (const char* text : {"resolve", "resolve fixed", "status resolved", "reopen", "reopen not fixed", "sev 1",
                             "commander <@U1>", "comms <@U1>", "detected 14:05", "detected 10m ago"})
        CHECK_MESSAGE(needs(text), text);
    for (const char* text : {"ack", "status identified", "status monitoring", "status investigating", "note x",
                             "statuspage x", "action x", "summary", "snooze 30m", "list", "stats", "help",
                             "start Checkout errors"})
        CHECK_FALSE_MESSAGE(needs(text), text);
}

TEST_CASE("the members of a user group, from Slack's answer") {
    std::ifstream in(std::string(IB_SHARED_DIR) + "/slack-fixtures/web-api-usergroups.users.list-ok.json");
    REQUIRE(in);
    const auto body = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
    CHECK(usergroup_members(body) == std::vector<std::string>{"U060R4BJ4", "W123A4BC5"});
    CHECK(usergroup_members(nlohmann::json{{"ok", true}, {"users", nlohmann::json::array()}}) ==
          std::vector<std::string>{});
    CHECK_FALSE(usergroup_members(nlohmann::json{{"ok", true}}));
    CHECK_FALSE(usergroup_members(nlohmann::json{{"ok", true}, {"users", "U1"}}));
    CHECK_FALSE(usergroup_members(nlohmann::json::array()));
}

TEST_CASE("user group IDs") {
    for (const char* good : {"S0614TZR7", "SUG01", "S12"}) CHECK_MESSAGE(is_usergroup_id(good), good);
    for (const char* bad : {"", "S", "S1", "U0614TZR7", "s0614tzr7", "S0614 TZR7", "@oncall", "S0614TZR7\n",
                            "S123456789012345678901"})
        CHECK_FALSE_MESSAGE(is_usergroup_id(bad), bad);
}

}  // TEST_SUITE
