// The flow journal's decisions without a database: when the executor writes a flow's state, each
// flow's state saved and restored at every stage it can be saved in, what a restored flow does
// first, entries that cannot be restored; and the turns changes to one incident take.
#include "core/flows/journal.hpp"
#include "core/flows/replies.hpp"
#include "core/flows/turns.hpp"

#include "core/incident_commands.hpp"
#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:43:23Z");

incident incident_3() {
    auto d = declare_incident("Checkout errors", severity::sev2, "U0ALICE", "C0INC", "inc-20261121-checkout-errors",
                              t0);
    REQUIRE(d);
    d->inc.id = 3;
    d->inc.detected_at = t0 - std::chrono::minutes{7};
    d->inc.commander = "U0BOB";
    return d->inc;
}

// Saves `flow`'s state, restores it, and checks the restored flow saves to the same text.
template <class Flow>
Flow round_trip(const Flow& flow, const std::string& reply_to = "U0ALICE") {
    const std::string text = save(flow.current(), reply_to);
    const auto r = restore(kind_of<Flow>(), text);
    REQUIRE_MESSAGE(r.entry, r.error);
    CHECK(r.entry->reply_to == reply_to);
    const Flow* back = std::get_if<Flow>(&r.entry->flow);
    REQUIRE(back != nullptr);
    CHECK(save(back->current(), reply_to) == text);
    return *back;
}

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("journal rule: stores carry the state, posts and unsaved acks wait for it, the end forgets it") {
    const call post = post_message("C0INC", "hello");
    const call invite{"conversations.invite", {{"channel", "C0INC"}}, true};
    const timeline_entry e;
    for (const bool durable : {false, true}) {
        CAPTURE(durable);
        CHECK(journal_rule(effect{create_incident{incident_3(), e}}, durable, reply_route::ack) == journal_write::with);
        CHECK(journal_rule(effect{save_change{incident_3(), e, {}}}, durable, reply_route::ack) == journal_write::with);
        CHECK(journal_rule(effect{append_entry{e}}, durable, reply_route::ack) == journal_write::with);
        // A post, or a channel creation, is never made twice: its stage is durable before it.
        CHECK(journal_rule(effect{post}, durable, reply_route::ack) == journal_write::before);
        CHECK(journal_rule(effect{invite}, durable, reply_route::ack) == journal_write::none);
        CHECK(journal_rule(effect{done{}}, durable, reply_route::ack) == journal_write::forget);
        CHECK(journal_rule(effect{take_turn{3, "k"}}, durable, reply_route::ack) == journal_write::none);
        CHECK(journal_rule(effect{load_summary{}}, durable, reply_route::ack) == journal_write::none);
        // A reply by direct message is a post; a dropped one needs nothing.
        CHECK(journal_rule(effect{reply{"x"}}, durable, reply_route::message) == journal_write::before);
        CHECK(journal_rule(effect{reply{"x"}}, durable, reply_route::dropped) == journal_write::none);
    }
    // A reply that goes in the ack acks the command: only once something of it is durable.
    CHECK(journal_rule(effect{reply{"x"}}, false, reply_route::ack) == journal_write::before);
    CHECK(journal_rule(effect{reply{"x"}}, true, reply_route::ack) == journal_write::none);
    CHECK(journal_rule(effect{ack{"env", nullptr}}, false, reply_route::ack) == journal_write::before);
    CHECK(journal_rule(effect{ack{"env", nullptr}}, true, reply_route::ack) == journal_write::none);
    // A refusal, or a failure that stored nothing, may say so at once.
    CHECK(journal_rule(effect{reply{"already acknowledged", true}}, false, reply_route::ack) == journal_write::none);
    CHECK(journal_rule(effect{reply{"already acknowledged", true}}, false, reply_route::message) ==
          journal_write::before);
}

TEST_CASE("journal: a declaration saved at each stage it can be saved in comes back the same") {
    stepper<declare_flow> d{declare_flow(cmd::start{"Checkout <errors> & \"more\"", severity::sev1, true}, "U0ALICE",
                                         "cmd:env-1", "U0BOT", t0),
                            {}};
    d.start();
    // creating (saved before the call), then the state after the store (opening), then announcing.
    CHECK(round_trip(d.flow).current().is_private);
    d.step(created("C0INC", "inc-20261121-checkout-errors"));
    d.step(ok{});
    auto inc = d.flow.current().inc;
    inc.id = 42;
    d.step(stored{inc});
    const auto opening = round_trip(d.flow);
    CHECK(opening.current().at == declare_flow::stage::opening);
    CHECK(opening.current().inc.id == 42);
    CHECK(opening.current().entry.key == "cmd:env-1");
    CHECK(opening.current().inc.is_private);
    d.step(ok{});
    d.step(ok{});
    d.step(answer(200, "web-api-conversations.invite-ok.json"));
    d.step(answer(200, "web-api-conversations.setTopic-ok.json"));
    REQUIRE(d.flow.current().at == declare_flow::stage::announcing);
    // Restored and resumed: the announcement in doubt is not posted again.
    stepper<declare_flow> again{round_trip(d.flow), {}};
    CHECK(is<done>(again.step(restarted{})));
}

TEST_CASE("journal: a change saved with its store resumes announcing; one saved waiting asks for a turn") {
    auto c = parse_command("detected 15m ago");
    REQUIRE(c);
    stepper<change_flow> f{change_flow(*c, 3, "U0BOB", "cmd:env-7", t0 + std::chrono::minutes{5}), {}};
    f.start();
    // Saved by the watchdog while waiting for the turn: the command itself.
    stepper<change_flow> waiting{round_trip(f.flow, "U0BOB"), {}};
    CHECK(effect_as<take_turn>(waiting.step(restarted{})).incident_id == 3);

    f.step(turn{incident_3()});
    f.step(stored{});  // the state journaled in the store's transaction
    stepper<change_flow> stored_state{round_trip(f.flow, "U0BOB"), {}};
    CHECK(stored_state.flow.current().plan.updated.detected_at == t0 - std::chrono::minutes{10});
    const auto post = effect_as<call>(stored_state.step(restarted{}));
    CHECK(post.method == "chat.postMessage");

    // Every kind of command a change carries comes back as it was.
    for (const char* text : {"ack", "sev 1", "status monitoring rolled back", "commander <@U0CAROL|carol>",
                             "comms <@U0DAN>", "note cache flushed", "statuspage Investigating",
                             "action add an alert <@U0BOB>", "resolve done", "reopen not fixed", "detected 14:05",
                             "detected 2026-11-21T14:00:00Z"}) {
        CAPTURE(text);
        auto parsed = parse_command(text);
        REQUIRE(parsed);
        stepper<change_flow> g{change_flow(*parsed, 3, "U0BOB", "cmd:env-8", t0), {}};
        g.start();
        round_trip(g.flow);
    }
}

TEST_CASE("journal: a change checking the responders comes back with the group and the list last read") {
    auto c = parse_command("sev 1");
    REQUIRE(c);
    const responders_gate gate{"S0614TZR7", std::vector<std::string>{"U0BOB", "U0CAROL"}};
    stepper<change_flow> f{change_flow(*c, 3, "U0BOB", "cmd:env-9", t0, gate), {}};
    REQUIRE(is<call>(f.start()));
    stepper<change_flow> checking{round_trip(f.flow, "U0BOB"), {}};
    CHECK(checking.flow.current().responders.group == gate.group);
    CHECK(checking.flow.current().responders.last_read == gate.last_read);
    CHECK(effect_as<call>(checking.step(restarted{})).method == "usergroups.users.list");

    const auto never_read = round_trip(change_flow(*c, 3, "U0BOB", "cmd:env-9", t0, {"S0614TZR7", std::nullopt}));
    CHECK_FALSE(never_read.current().responders.last_read);
}

TEST_CASE("journal: summaries, reminders and snoozes come back the same") {
    summary_flow s(incident_3(), true, t0, "Posting the summary in the channel.");
    s.start();
    round_trip(s);
    const action load = s.resume(ok{});
    s.resume(render_summary(effect_as<load_summary>(load), loaded{}));  // the summary post in flight
    const auto posting = round_trip(s);
    CHECK(posting.current().at == summary_flow::stage::posting_summary);
    CHECK(!posting.current().summary_blocks.is_null());
    // Leased (on resolve): what its mark names comes back too.
    summary_flow leased(incident_3(), true, t0, {}, "cmd:env-7", "host-a:1:aa");
    leased.start();
    const auto back = round_trip(leased);
    CHECK(back.current().resolve_key == "cmd:env-7");
    CHECK(back.current().owner == "host-a:1:aa");
    CHECK(back.current().outcome == "posted");

    const auto inc = incident_3();
    const reminder_state rs;
    reminder_flow r(3, &inc, &rs, t0 + std::chrono::hours{1}, reminder_policy::defaults());
    r.start();
    r.resume(ok{});
    timeline_entry claim = r.current().entry;
    claim.key = "reminder:3:due:1";
    r.resume(stored{inc, false, claim});
    const auto reminder = round_trip(r, "");
    CHECK(reminder.current().at == reminder_flow::stage::posting);
    CHECK(reminder.current().entry.key == r.current().entry.key);
    CHECK(reminder.current().claim.key == "reminder:3:due:1");  // what its mark marks after a restart

    snooze_flow z(inc, std::chrono::minutes{30}, "U0BOB", t0);
    z.start();
    z.resume(ok{});
    round_trip(z);
}

TEST_CASE("journal: an entry that cannot be restored is reported, not guessed at") {
    CHECK(restore("rollback", R"({"reply_to":"","state":{}})").error == "unknown flow kind 'rollback'");
    for (const char* text : {"", "not json", "[]", R"({"reply_to":""})", R"({"reply_to":"","state":{"at":"storing"}})"}) {
        CAPTURE(text);
        const auto r = restore("change", text);
        CHECK_FALSE(r.entry);
        CHECK(r.error.rfind("not a saved change flow: ", 0) == 0);
    }
    // A stage this build does not know (a newer build's journal).
    auto c = parse_command("ack");
    REQUIRE(c);
    change_flow f(*c, 3, "U0BOB", "cmd:env-7", t0);
    f.start();
    std::string text = save(f.current(), "U0BOB");
    const auto at = text.find("\"waiting\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 9, "\"teleporting\"");
    CHECK(restore("change", text).error == "not a saved change flow: unknown stage 'teleporting'");
}

TEST_CASE("turns: one change per incident plans at a time, the others wait in line, first come first served") {
    turn_queue q;
    CHECK(q.request(3, "cmd:a"));
    CHECK_FALSE(q.request(3, "cmd:b"));
    CHECK_FALSE(q.request(3, "cmd:c"));
    CHECK(q.request(4, "cmd:other"));  // another incident has its own line
    CHECK_FALSE(q.request(3, "cmd:b"));  // asking again keeps its place
    CHECK(q.in_line(3) == 3);
    CHECK(q.holds(3, "cmd:a"));
    // Only the holder passes the turn on; a flow resumed after a restart (no turn) is ignored.
    CHECK_FALSE(q.release(3, "cmd:resumed"));
    CHECK(q.release(3, "cmd:a") == "cmd:b");
    CHECK(q.holds(3, "cmd:b"));
    // One that leaves the line while waiting does not take the turn from the holder.
    CHECK_FALSE(q.release(3, "cmd:c"));
    CHECK(q.holds(3, "cmd:b"));
    CHECK_FALSE(q.release(3, "cmd:b"));  // nobody left
    CHECK(q.in_line(3) == 0);
    CHECK(q.request(3, "cmd:d"));
}

TEST_CASE("replies: a click is acked bare once durable; a resumed flow answers by direct message") {
    SUBCASE("click") {
        reply_policy p("env-btn", "U0BOB", reply_policy::mode::click);
        CHECK(p.drops_answers());
        CHECK(std::holds_alternative<done>(p.answer("Status-page update recorded.")));
        const auto a = std::get<ack>(p.durable());
        CHECK(a.envelope_id == "env-btn");
        CHECK(a.payload.is_null());
        CHECK(std::holds_alternative<done>(p.durable()));  // acked once
        CHECK(std::holds_alternative<done>(p.budget_elapsed()));
        CHECK(std::holds_alternative<done>(p.finished()));
    }
    SUBCASE("click: not durable in time, or a flow that changed nothing, still gets its bare ack") {
        reply_policy late("env-btn", "U0BOB", reply_policy::mode::click);
        CHECK(std::get<ack>(late.budget_elapsed()).payload.is_null());
        reply_policy nothing("env-btn2", "U0BOB", reply_policy::mode::click);
        CHECK(std::get<ack>(nothing.finished()).envelope_id == "env-btn2");
    }
    SUBCASE("command: durability alone does not ack it (its answer goes in the ack)") {
        reply_policy p("env-9", "U0ALICE");
        CHECK(std::holds_alternative<done>(p.durable()));
        CHECK_FALSE(p.answers_by_message());
        CHECK(std::get<ack>(p.answer("Severity set to sev1.")).payload["text"] == "Severity set to sev1.");
        CHECK(p.answers_by_message());
    }
    SUBCASE("resumed") {
        reply_policy p("cmd:env-9", "U0ALICE", reply_policy::mode::resumed);
        CHECK(p.answers_by_message());
        const auto dm = std::get<call>(p.answer("Incident declared"));
        CHECK(dm.args["channel"] == "U0ALICE");
        CHECK_FALSE(dm.idempotent);
        CHECK(std::holds_alternative<done>(p.budget_elapsed()));
        CHECK(std::holds_alternative<done>(p.finished()));
        reply_policy nobody("reminder:3:1", "", reply_policy::mode::resumed);
        CHECK(nobody.drops_answers());
        CHECK(std::holds_alternative<done>(nobody.answer("x")));
    }
}

TEST_CASE("several instances: an entry is resumed by another only once its owner's lease ended; never by its owner") {
    using std::chrono::seconds;
    const claim_lease me{seconds{60}, "hostB:42:b"};
    // Another instance's entry, renewed 59 s ago: it is running it.
    CHECK_FALSE(resumes("hostA:7:a", t0, me, false, t0 + seconds{59}));
    // Not renewed for the whole lease: it died or stalls; taken over.
    CHECK(resumes("hostA:7:a", t0, me, false, t0 + seconds{60}));
    CHECK(resumes("hostA:7:a", t0, me, false, t0 + seconds{600}));
    // Its own entry never, however old: this instance is running that flow.
    CHECK_FALSE(resumes(me.owner, t0, me, false, t0 + seconds{600}));
    CHECK_FALSE(resumes(me.owner, t0, me, true, t0 + seconds{600}));
    // An entry an older build wrote (no owner, renewed at the epoch): at once.
    CHECK(resumes("", time_point{}, me, false, t0));
    // The database is this process's alone (SQLite's run lock): every other entry at once.
    CHECK(resumes("hostA:7:a", t0, me, true, t0));
    // Renewed three times a lease; never faster than every 250 ms.
    CHECK(journal_sweep_period(me) == std::chrono::milliseconds{20000});
    CHECK(journal_sweep_period(claim_lease{seconds{2}, "x"}) == std::chrono::milliseconds{666});
    CHECK(journal_sweep_period(claim_lease{seconds{0}, "x"}) == std::chrono::milliseconds{250});
}

}  // TEST_SUITE flows
