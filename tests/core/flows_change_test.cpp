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

stepper<change_flow> make(const std::string& text, incident current = open_incident_3(), std::string user = "U0BOB") {
    auto c = parse_command(text);
    REQUIRE_MESSAGE(c, text);
    return {change_flow(*c, std::move(current), std::move(user), "cmd:env-7", t0 + std::chrono::minutes{5}), {}};
}

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("change: in memory first, stored, reminders re-planned, reply, announcement") {
    auto c = make("sev 1");

    // In memory before the store: a second command typed meanwhile plans from this one.
    auto act = c.start();
    const incident updated = effect_as<set_incident>(act).inc;
    CHECK(updated.sev == severity::sev1);
    CHECK(updated.id == 3);
    CHECK(c.flow.current().at == stage::remembering);

    act = c.step(ok{});
    const auto& write = effect_as<save_change>(act);
    CHECK(write.inc.sev == severity::sev1);
    CHECK(write.entry.kind == entry_kind::severity);
    CHECK(write.entry.key == "cmd:env-7");
    CHECK(write.entry.user == "U0BOB");

    act = c.step(stored{});
    const auto& replan = effect_as<replan_reminders>(act);
    CHECK(replan.incident_id == 3);
    REQUIRE(replan.changed);
    CHECK(replan.changed->sev == severity::sev1);
    REQUIRE(replan.entry);
    CHECK(replan.entry->kind == entry_kind::severity);

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

TEST_CASE("change: a change the lifecycle refuses gets a friendly reply and stores nothing") {
    auto inc = open_incident_3();
    inc.acknowledged_at = t0 + std::chrono::minutes{1};
    inc.acknowledged_by = "U0CAROL";
    auto c = make("ack", inc);
    const auto act = c.start();
    CHECK(effect_as<reply>(act).text.rfind(":warning: ", 0) == 0);
    CHECK(c.flow.current().at == stage::failing);
    CHECK(is<done>(c.step(ok{})));
    CHECK(c.logs.empty());
}

TEST_CASE("change: a store that fails puts the incident in memory back and says so") {
    auto c = make("status identified found it");
    c.start();
    c.step(ok{});
    auto act = c.step(store_failed{"incidents.db: database or disk is full"});
    const auto& restore = effect_as<set_incident>(act);
    CHECK(restore.inc.state == status::investigating);
    CHECK_FALSE(restore.inc.identified_at);
    CHECK(act.level == log_level::error);
    CHECK(act.log == "could not store a change: incidents.db: database or disk is full");

    act = c.step(ok{});
    CHECK(effect_as<reply>(act).text == ":x: I couldn't save that, please try again.");
    CHECK(is<done>(c.step(ok{})));
}

TEST_CASE("change: resolve posts the summary and the review prompt after the announcement") {
    auto c = make("resolve rolled back");
    c.start();
    c.step(ok{});
    c.step(stored{});
    c.step(ok{});
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
    CHECK(c.flow.current().at == stage::summarizing);
    CHECK(is<done>(c.step(ok{})));
}

TEST_CASE("change: a button click changes the same way (its key, no reply to make)") {
    auto c = make("statuspage We are investigating.");
    c.start();
    const auto& write = effect_as<save_change>(c.step(ok{}));
    CHECK(write.entry.kind == entry_kind::statuspage);
    CHECK(write.entry.text == "We are investigating.");
}

TEST_CASE("change: resumed after a restart") {
    auto c = make("resolve");
    c.start();
    c.step(ok{});
    SUBCASE("while storing: in memory again, stored again under the same key") {
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(effect_as<set_incident>(again.step(restarted{})).inc.state == status::resolved);
        CHECK(effect_as<save_change>(again.step(ok{})).entry.key == "cmd:env-7");
    }
    SUBCASE("while announcing: not posted again; the summary still runs") {
        c.step(stored{});
        c.step(ok{});
        c.step(ok{});
        REQUIRE(c.flow.current().at == stage::announcing);
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(is<run_summary>(again.step(restarted{})));
        CHECK(again.logs == std::vector<std::string>{
            "warn: not posting the announcement in C0INC again after a restart: it may have been posted"});
    }
    SUBCASE("while summarizing: the summary is not posted again") {
        c.step(stored{});
        c.step(ok{});
        c.step(ok{});
        c.step(posted());
        stepper<change_flow> again{change_flow(c.flow.current()), {}};
        CHECK(is<done>(again.step(restarted{})));
        CHECK(again.logs.size() == 1);
    }
}

}  // TEST_SUITE flows
