#include "core/incident.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace std::chrono_literals;
using std::chrono::seconds;

namespace {

const time_point t0 = *parse_iso8601("2026-11-20T09:00:00Z");

incident fresh() {
    auto d = declare_incident("Login page down", severity::sev2, "U1", "C1", "inc-20261120-login-page-down", t0);
    REQUIRE(d);
    d->inc.id = 7;
    return d->inc;
}

}  // namespace

TEST_SUITE("incident") {

TEST_CASE("severity and status names") {
    for (int i = 1; i <= 5; ++i) {
        const auto s = static_cast<severity>(i);
        CHECK(parse_severity(to_string(s)) == s);
        CHECK(parse_severity(std::to_string(i)) == s);
        CHECK_FALSE(describe(s).empty());
    }
    CHECK(parse_severity("SEV1") == severity::sev1);
    CHECK(parse_severity("s4") == severity::sev4);
    CHECK(describe(severity::sev1) == "complete outage");
    for (const char* bad : {"", "sev0", "sev6", "sev", "sev12", "high", "6"}) CHECK_MESSAGE(!parse_severity(bad), bad);
    for (auto st : {status::investigating, status::identified, status::monitoring, status::resolved})
        CHECK(parse_status(to_string(st)) == st);
    CHECK(parse_status("Monitoring") == status::monitoring);
    CHECK_FALSE(parse_status("fixed"));
}

TEST_CASE("declare") {
    auto d = declare_incident("  Login page down \n", severity::sev2, "U1", "C1", "inc-x", t0);
    REQUIRE(d);
    CHECK(d->inc.title == "Login page down");
    CHECK(d->inc.state == status::investigating);
    CHECK(d->inc.declared_at == t0);
    CHECK(d->inc.start() == t0);
    CHECK(d->entry.kind == entry_kind::declare);
    CHECK(d->entry.user == "U1");
    CHECK(d->entry.attrs.at("severity") == "sev2");

    auto empty = declare_incident(" \t", severity::sev2, "U1", "C1", "inc-x", t0);
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == errc::invalid_argument);
}

TEST_CASE("acknowledge") {
    auto inc = fresh();
    SUBCASE("first ack records who and when") {
        auto e = acknowledge(inc, "U2", t0 + 4min);
        REQUIRE(e);
        CHECK(e->kind == entry_kind::ack);
        CHECK(e->incident_id == 7);
        CHECK(inc.acknowledged_at == t0 + 4min);
        CHECK(inc.acknowledged_by == "U2");
    }
    SUBCASE("ack twice is refused and changes nothing") {
        REQUIRE(acknowledge(inc, "U2", t0 + 4min));
        auto again = acknowledge(inc, "U3", t0 + 5min);
        REQUIRE_FALSE(again);
        CHECK(again.error().code == errc::already_done);
        CHECK(again.error().message.find("<@U2>") != std::string::npos);
        CHECK(inc.acknowledged_by == "U2");
        CHECK(inc.acknowledged_at == t0 + 4min);
    }
    SUBCASE("ack before the start is refused") {
        auto e = acknowledge(inc, "U2", t0 - 1s);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::time_out_of_order);
        CHECK_FALSE(inc.acknowledged_at);
    }
    SUBCASE("ack after detection but before declaration is fine") {
        REQUIRE(set_detected(inc, t0 - 10min, "U1", t0));
        CHECK(acknowledge(inc, "U2", t0 - 5min));
    }
    SUBCASE("ack of a resolved incident is refused") {
        REQUIRE(resolve(inc, "U1", "", t0 + 1min));
        auto e = acknowledge(inc, "U2", t0 + 2min);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::not_allowed);
    }
}

TEST_CASE("status transitions: every pair") {
    const status all[] = {status::investigating, status::identified, status::monitoring, status::resolved};
    for (status from : all) {
        for (status to : all) {
            CAPTURE(to_string(from));
            CAPTURE(to_string(to));
            auto inc = fresh();
            // Walk to `from` legally first.
            if (from != status::investigating) REQUIRE(change_status(inc, from, "U1", "", t0 + 1min));
            const incident before = inc;
            auto e = change_status(inc, to, "U2", "note", t0 + 2min);
            if (from == status::resolved) {
                REQUIRE_FALSE(e);
                CHECK(e.error().code == errc::not_allowed);
                CHECK(inc.state == before.state);
            } else if (from == to) {
                REQUIRE_FALSE(e);
                CHECK(e.error().code == errc::already_done);
            } else {
                REQUIRE(e);
                CHECK(inc.state == to);
                CHECK(e->attrs.at("from") == to_string(from));
                CHECK(e->attrs.at("to") == to_string(to));
                CHECK(e->attrs.at("note") == "note");
                CHECK(e->kind == (to == status::resolved ? entry_kind::resolve : entry_kind::status));
            }
        }
    }
}

TEST_CASE("phase timestamps record the first arrival") {
    auto inc = fresh();
    REQUIRE(change_status(inc, status::identified, "U1", "", t0 + 10min));
    REQUIRE(change_status(inc, status::monitoring, "U1", "", t0 + 20min));
    // The fix didn't hold: back to investigating, then identified and monitoring again.
    REQUIRE(change_status(inc, status::investigating, "U1", "fix didn't hold", t0 + 25min));
    REQUIRE(change_status(inc, status::identified, "U1", "", t0 + 30min));
    REQUIRE(change_status(inc, status::monitoring, "U1", "", t0 + 40min));
    CHECK(inc.identified_at == t0 + 10min);
    CHECK(inc.mitigated_at == t0 + 20min);
    CHECK_FALSE(inc.resolved_at);
    REQUIRE(resolve(inc, "U1", "all clear", t0 + 50min));
    CHECK(inc.resolved_at == t0 + 50min);
    CHECK(inc.state == status::resolved);
    CHECK_FALSE(inc.is_open());
}

TEST_CASE("status change dated before the start is refused") {
    auto inc = fresh();
    auto e = change_status(inc, status::identified, "U1", "", t0 - 1min);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::time_out_of_order);
    CHECK(inc.state == status::investigating);
    CHECK_FALSE(inc.identified_at);
}

TEST_CASE("resolve and reopen") {
    auto inc = fresh();
    SUBCASE("resolve twice") {
        REQUIRE(resolve(inc, "U1", "", t0 + 1h));
        auto e = resolve(inc, "U1", "", t0 + 2h);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::already_done);
        CHECK(inc.resolved_at == t0 + 1h);
    }
    SUBCASE("reopen an open incident") {
        auto e = reopen(inc, "U1", "", t0 + 1h);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::not_allowed);
    }
    SUBCASE("reopen is recorded and clears the resolution") {
        REQUIRE(resolve(inc, "U1", "", t0 + 1h));
        auto e = reopen(inc, "U2", "errors are back", t0 + 2h);
        REQUIRE(e);
        CHECK(e->kind == entry_kind::reopen);
        CHECK(e->attrs.at("previous_resolved_at") == to_iso8601(t0 + 1h));
        CHECK(e->text == "reopened: errors are back");
        CHECK(inc.state == status::investigating);
        CHECK_FALSE(inc.resolved_at);
        CHECK(inc.reopen_count == 1);
        REQUIRE(resolve(inc, "U1", "", t0 + 3h));
        CHECK(inc.resolved_at == t0 + 3h);
    }
    SUBCASE("reopen dated before the resolution") {
        REQUIRE(resolve(inc, "U1", "", t0 + 1h));
        auto e = reopen(inc, "U2", "", t0 + 30min);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::time_out_of_order);
        CHECK(inc.state == status::resolved);
    }
}

TEST_CASE("severity changes") {
    auto inc = fresh();
    auto e = change_severity(inc, severity::sev1, "U1", t0 + 5min);
    REQUIRE(e);
    CHECK(inc.sev == severity::sev1);
    CHECK(e->attrs.at("from") == "sev2");
    CHECK(e->attrs.at("to") == "sev1");
    auto same = change_severity(inc, severity::sev1, "U1", t0 + 6min);
    REQUIRE_FALSE(same);
    CHECK(same.error().code == errc::already_done);
    auto early = change_severity(inc, severity::sev3, "U1", t0 - 6min);
    REQUIRE_FALSE(early);
    CHECK(early.error().code == errc::time_out_of_order);
    CHECK(inc.sev == severity::sev1);
    // Allowed after resolution: the review may re-grade an incident.
    REQUIRE(resolve(inc, "U1", "", t0 + 1h));
    CHECK(change_severity(inc, severity::sev3, "U1", t0 + 2h));
}

TEST_CASE("roles") {
    auto inc = fresh();
    auto e = assign_role(inc, role::commander, "U5", "U1", t0 + 1min);
    REQUIRE(e);
    CHECK(inc.commander == "U5");
    CHECK(e->attrs.at("role") == "commander");
    CHECK(e->attrs.at("assignee") == "U5");
    CHECK(e->attrs.count("previous") == 0);
    auto again = assign_role(inc, role::commander, "U5", "U1", t0 + 2min);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == errc::already_done);
    auto handover = assign_role(inc, role::commander, "U6", "U5", t0 + 3min);
    REQUIRE(handover);
    CHECK(handover->attrs.at("previous") == "U5");
    REQUIRE(assign_role(inc, role::comms_lead, "U7", "U1", t0 + 4min));
    CHECK(inc.comms_lead == "U7");
    auto nobody = assign_role(inc, role::comms_lead, "", "U1", t0 + 5min);
    REQUIRE_FALSE(nobody);
    CHECK(nobody.error().code == errc::invalid_argument);
}

TEST_CASE("detection time") {
    auto inc = fresh();
    SUBCASE("earlier than the declaration moves the start") {
        REQUIRE(set_detected(inc, t0 - 15min, "U1", t0 + 1min));
        CHECK(inc.start() == t0 - 15min);
    }
    SUBCASE("later than the declaration is refused") {
        auto e = set_detected(inc, t0 + 1min, "U1", t0 + 2min);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::time_out_of_order);
        CHECK_FALSE(inc.detected_at);
    }
    SUBCASE("in the future is refused, and says so") {
        auto e = set_detected(inc, t0 + 10min, "U1", t0 + 2min);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::time_out_of_order);
        CHECK(e.error().message.find("in the future") != std::string::npos);
        CHECK_FALSE(inc.detected_at);
    }
    SUBCASE("up to 7 days before the declaration is accepted; more is refused") {
        REQUIRE(set_detected(inc, t0 - 7 * 24h, "U1", t0 + 1min));
        CHECK(inc.detected_at == t0 - 7 * 24h);
        auto e = set_detected(inc, t0 - 7 * 24h - 1s, "U1", t0 + 2min);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::time_out_of_order);
        CHECK(e.error().message.find("more than 7 days before the declaration") != std::string::npos);
        CHECK(inc.detected_at == t0 - 7 * 24h);  // unchanged
        CHECK_FALSE(set_detected(inc, t0 - 365 * 24h, "U1", t0 + 2min));
    }
    SUBCASE("after the acknowledgement is refused") {
        REQUIRE(set_detected(inc, t0 - 15min, "U1", t0));
        REQUIRE(acknowledge(inc, "U2", t0 - 10min));
        auto e = set_detected(inc, t0 - 5min, "U1", t0 + 1min);
        REQUIRE_FALSE(e);
        CHECK(inc.detected_at == t0 - 15min);
    }
}

TEST_CASE("notes, action items, status-page updates") {
    auto inc = fresh();
    auto n = add_note(inc, "customer X affected", "U1", t0 + 1min);
    REQUIRE(n);
    CHECK(n->kind == entry_kind::note);
    auto a = add_action_item(inc, "add CPU alert on web hosts", "U3", "U1", t0 + 2min);
    REQUIRE(a);
    CHECK(a->attrs.at("owner") == "U3");
    auto a2 = add_action_item(inc, "write runbook", "", "U1", t0 + 2min);
    REQUIRE(a2);
    CHECK(a2->attrs.count("owner") == 0);
    auto s = record_statuspage_update(inc, "Investigating login failures", "U1", t0 + 3min);
    REQUIRE(s);
    CHECK(s->kind == entry_kind::statuspage);
    CHECK(s->text == "Investigating login failures");
    for (auto r : {add_note(inc, "  ", "U1", t0), add_action_item(inc, "", "U1", "U1", t0),
                   record_statuspage_update(inc, "\n", "U1", t0)}) {
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
    }
    auto early = add_note(inc, "x", "U1", t0 - 1s);
    REQUIRE_FALSE(early);
    CHECK(early.error().code == errc::time_out_of_order);
}

TEST_CASE("texts over 3,000 characters get a friendly refusal; 3,000 is fine") {
    auto inc = fresh();
    const std::string limit(max_text_chars, 'x');
    // Counted in characters, not bytes: 3,000 two-byte letters are still 3,000.
    std::string accented;
    for (std::size_t i = 0; i < max_text_chars; ++i) accented += "\xc3\xa9";
    const std::string over = limit + "y";
    CHECK(add_note(inc, limit, "U1", t0 + 1min));
    CHECK(add_note(inc, accented, "U1", t0 + 1min));
    // Counted as typed: Slack's `&lt;` for a typed `<` is one character.
    std::string escaped;
    for (std::size_t i = 0; i < max_text_chars; ++i) escaped += "&lt;";
    CHECK(add_note(inc, escaped, "U1", t0 + 1min));
    CHECK_FALSE(add_note(inc, escaped + "&amp;", "U1", t0 + 1min));
    CHECK(add_action_item(inc, limit, "", "U1", t0 + 1min));
    CHECK(record_statuspage_update(inc, limit, "U1", t0 + 1min));
    const auto refused = [](const result<timeline_entry>& r, std::string_view what) {
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().message.starts_with(what));
        CHECK(r.error().message.find("3,001 characters") != std::string::npos);
        CHECK(r.error().message.find("3,000 or fewer") != std::string::npos);
    };
    refused(add_note(inc, over, "U1", t0 + 1min), "That note");
    refused(add_action_item(inc, over, "U3", "U1", t0 + 1min), "That action item");
    refused(record_statuspage_update(inc, over, "U1", t0 + 1min), "That status-page update");
    // Notes on lifecycle changes too; the incident is left as it was.
    refused(change_status(inc, status::identified, "U1", over, t0 + 1min), "That note");
    CHECK(inc.state == status::investigating);
    refused(resolve(inc, "U1", over, t0 + 1min), "That note");
    CHECK(inc.is_open());
    REQUIRE(resolve(inc, "U1", "", t0 + 2min));
    refused(reopen(inc, "U1", over, t0 + 3min), "That note");
    CHECK_FALSE(inc.is_open());
}

}  // TEST_SUITE
