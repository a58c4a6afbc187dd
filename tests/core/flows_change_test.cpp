// The lifecycle-change flow stepped effect by effect: a change stored and announced, one the
// lifecycle refuses, a store that fails, a resolve that posts the summary, and restarts.
#include "core/flows/change.hpp"

#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using stage = change_flow::stage;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");

incident open_incident_3() { return checkout_incident(t0); }

stepper<change_flow> make(const std::string& text, std::string user = "U0BOB") {
    auto c = parse_command(text);
    REQUIRE_MESSAGE(c, text);
    return {change_flow(*c, 3, std::move(user), "cmd:env-7", t0 + std::chrono::minutes{5}), {}};
}

// start(): the flow asks for incident 3's turn; its answer is the incident as committed.
stepper<change_flow> with_turn(const std::string& text) {
    auto c = make(text);
    const auto wait = effect_as<take_turn>(c.start());
    CHECK(wait.incident_id == 3);
    CHECK(wait.key == "cmd:env-7");
    CHECK(c.flow.current().at == stage::waiting);
    return c;
}

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("change: its turn, planned from the committed incident, stored, then memory, reply, announcement") {
    auto c = with_turn("sev 1");

    // Planned from the incident the turn hands over (as committed), then stored: memory not yet.
    auto act = c.step(turn{open_incident_3()});
    const auto& write = effect_as<save_change>(act);
    CHECK(write.inc.sev == severity::sev1);
    CHECK(write.inc.id == 3);
    CHECK(write.entry.kind == entry_kind::severity);
    CHECK(write.entry.key == "cmd:env-7");
    CHECK(write.entry.user == "U0BOB");
    CHECK(c.flow.current().at == stage::storing);

    act = c.step(stored{});
    const auto& replan = effect_as<replan_reminders>(act);
    CHECK(replan.incident_id == 3);
    REQUIRE(replan.changed);
    CHECK(replan.changed->sev == severity::sev1);
    REQUIRE(replan.entry);
    CHECK(replan.entry->kind == entry_kind::severity);

    // Stored: the turn ends with memory taking the committed incident.
    act = c.step(ok{});
    const auto& end = effect_as<end_turn>(act);
    CHECK(end.incident_id == 3);
    CHECK(end.key == "cmd:env-7");
    REQUIRE(end.committed);
    CHECK(end.committed->sev == severity::sev1);

    act = c.step(ok{});
    CHECK(effect_as<reply>(act).text == "Severity set to sev1.");

    act = c.step(ok{});
    const auto& post = effect_as<call>(act);
    CHECK(post.method == "chat.postMessage");
    CHECK(post.args["channel"] == "C0INC");
    CHECK(post.args["text"].get<std::string>().find("Severity changed sev2 → sev1") != std::string::npos);
    CHECK_FALSE(post.idempotent);

    CHECK(is<done>(c.step(posted())));
    CHECK(c.logs.empty());
}

TEST_CASE("change: planned from what the turn hands over, not from what it was when typed") {
    // Typed while another change (an ack) was being stored: the turn brings the acknowledged incident.
    auto committed = open_incident_3();
    committed.acknowledged_at = t0 + std::chrono::minutes{1};
    committed.acknowledged_by = "U0CAROL";
    auto c = with_turn("ack");
    const auto act = c.step(turn{committed});
    // Refused: the turn ends without a change, then the friendly reply.
    const auto& end = effect_as<end_turn>(act);
    CHECK_FALSE(end.committed);
    CHECK(c.flow.current().at == stage::refusing);
    const auto refused = effect_as<reply>(c.step(ok{}));
    CHECK(refused.text.rfind(":warning: ", 0) == 0);
    CHECK(refused.nothing_changed);
    CHECK(c.flow.current().at == stage::failing);
    CHECK(is<done>(c.step(ok{})));
    CHECK(c.logs.empty());
}

TEST_CASE("change: another instance changed the incident first: planned again from the row; handled there: silent") {
    auto c = with_turn("ack");
    const auto& first = effect_as<save_change>(c.step(turn{open_incident_3()}));
    CHECK(first.base == open_incident_3());  // what the store compares under the row lock
    CHECK(first.inc.acknowledged_by == "U0BOB");

    SUBCASE("stale: the row says acknowledged already, so the lifecycle refuses, and nothing is announced") {
        auto acked = open_incident_3();
        acked.acknowledged_at = t0 + std::chrono::minutes{4};
        acked.acknowledged_by = "U0ALICE";
        const auto end = effect_as<end_turn>(c.step(turn{acked}));
        CHECK_FALSE(end.committed);
        CHECK(effect_as<reply>(c.step(ok{})).text.find("already acknowledged") != std::string::npos);
        CHECK(is<done>(c.step(ok{})));
    }
    SUBCASE("stale: a change that still applies is planned again from the row") {
        auto renamed = open_incident_3();
        renamed.commander = "U0CAROL";
        const auto& again = effect_as<save_change>(c.step(turn{renamed}));
        CHECK(again.base == renamed);
        CHECK(again.inc.commander == "U0CAROL");
        CHECK(again.inc.acknowledged_by == "U0BOB");
        CHECK(is<replan_reminders>(c.step(stored{})));
    }
    SUBCASE("duplicate: the command was handled already (redelivered to this instance): ends, says nothing") {
        auto act = c.step(stored{open_incident_3(), true});
        const auto& end = effect_as<end_turn>(act);
        CHECK_FALSE(end.committed);
        CHECK(c.flow.current().at == stage::skipping);
        CHECK(is<done>(c.step(ok{})));
        CHECK(c.logs == std::vector<std::string>{"info: change cmd:env-7 was handled already; nothing to do"});
    }
}

TEST_CASE("change: a store that fails ends the turn leaving memory as committed, and says so") {
    auto c = with_turn("status identified found it");
    c.step(turn{open_incident_3()});
    auto act = c.step(store_failed{"incidents.db: database or disk is full"});
    // Nothing to restore: memory only ever held what was committed.
    const auto& end = effect_as<end_turn>(act);
    CHECK_FALSE(end.committed);
    CHECK(act.level == log_level::error);
    CHECK(act.log == "could not store a change: incidents.db: database or disk is full");

    act = c.step(ok{});
    CHECK(effect_as<reply>(act).text == ":x: I couldn't save that, please try again.");
    CHECK(is<done>(c.step(ok{})));
}

TEST_CASE("change: an incident the bot does not know ends the flow with an error line") {
    auto c = with_turn("ack");
    CHECK(is<done>(c.step(store_failed{"incident 3 is not known"})));
    CHECK(c.logs == std::vector<std::string>{"error: change: no incident to change: incident 3 is not known"});
}

TEST_CASE("change: resolve posts the summary and the review prompt after the announcement") {
    auto c = with_turn("resolve rolled back");
    c.step(turn{open_incident_3()});
    c.step(stored{});
    c.step(ok{});  // end_turn
    c.step(ok{});  // reply
    auto act = c.step(ok{});  // after the reply: the announcement
    CHECK(effect_as<call>(act).args["text"].get<std::string>().find("*Resolved*") != std::string::npos);

    SUBCASE("announced") {
        act = c.step(posted());
    }
    SUBCASE("the announcement failed: logged, the summary is still posted") {
        act = c.step(http_500());
        CHECK(c.logs == std::vector<std::string>{"warn: chat.postMessage to C0INC failed: http_500"});
    }
    const auto& summary = effect_as<run_summary>(act);
    CHECK(summary.with_review);
    CHECK(summary.inc.state == status::resolved);
    CHECK(summary.resolve_key == "cmd:env-7");  // leased: the resolve entry's key, which its mark names
    CHECK(c.flow.current().at == stage::summarizing);
    CHECK(is<done>(c.step(ok{})));
}

TEST_CASE("change: a button click changes the same way (its key, no reply to make)") {
    auto c = with_turn("statuspage We are investigating.");
    const auto& write = effect_as<save_change>(c.step(turn{open_incident_3()}));
    CHECK(write.entry.kind == entry_kind::statuspage);
    CHECK(write.entry.text == "We are investigating.");
}

TEST_CASE("change: resumed after a restart") {
    auto c = with_turn("resolve");
    SUBCASE("while waiting for its turn: it waits again, then plans") {
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(effect_as<take_turn>(again.step(restarted{})).key == "cmd:env-7");
        CHECK(effect_as<save_change>(again.step(turn{open_incident_3()})).inc.state == status::resolved);
    }
    SUBCASE("while storing (so not stored): a new turn, planned again from the incident as committed now") {
        c.step(turn{open_incident_3()});
        REQUIRE(c.flow.current().at == stage::storing);
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(is<take_turn>(again.step(restarted{})));
        auto now_committed = open_incident_3();
        now_committed.sev = severity::sev1;  // a change stored meanwhile
        const auto& write = effect_as<save_change>(again.step(turn{now_committed}));
        CHECK(write.inc.sev == severity::sev1);
        CHECK(write.inc.state == status::resolved);
        CHECK(write.entry.key == "cmd:env-7");
    }
    SUBCASE("stored (the state journaled with the store): no turn, no memory effect, no reply; it announces, "
            "and leaves the summary to the lease") {
        c.step(turn{open_incident_3()});
        stepper<change_flow> after = c;
        after.step(stored{});
        REQUIRE(after.flow.current().at == stage::replanning);
        stepper<change_flow> again{change_flow(after.flow.current()), {}};
        const auto post = effect_as<call>(again.step(restarted{}));
        CHECK(post.method == "chat.postMessage");
        CHECK(post.args["text"].get<std::string>().find("*Resolved*") != std::string::npos);
        // This process is not the resolve's owner: whoever takes the lease over posts the summary, once.
        CHECK(is<done>(again.step(posted())));
        CHECK(again.logs == std::vector<std::string>{
            "info: the summary of incident 3 is left to the instance that takes its lease over"});
    }
    SUBCASE("while announcing: not posted again; the summary is left to the lease") {
        c.step(turn{open_incident_3()});
        c.step(stored{});
        c.step(ok{});
        c.step(ok{});
        c.step(ok{});
        REQUIRE(c.flow.current().at == stage::announcing);
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(is<done>(again.step(restarted{})));
        CHECK(again.logs == std::vector<std::string>{
            "warn: not posting the announcement in C0INC again after a restart: it may have been posted"});
    }
    SUBCASE("while summarizing: the summary is not posted again") {
        c.step(turn{open_incident_3()});
        c.step(stored{});
        c.step(ok{});
        c.step(ok{});
        c.step(ok{});
        c.step(posted());
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(is<done>(again.step(restarted{})));
        CHECK(again.logs.size() == 1);
    }
}

}  // TEST_SUITE flows
