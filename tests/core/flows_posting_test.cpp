// The flows that post on their own: the summary (and review prompt), status-page reminders and
// snoozes, stepped effect by effect; and the reply policy (in the ack, else by direct message).
#include "core/flows/post_summary.hpp"
#include "core/flows/remind.hpp"
#include "core/flows/replies.hpp"

#include "core/summary.hpp"
#include "core/summary_lease.hpp"
#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using namespace std::chrono_literals;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");

incident incident_5(severity sev = severity::sev1) {
    auto d = declare_incident("Checkout errors", sev, "U0ALICE", "C0INC", "inc-20261121-checkout-errors", t0);
    REQUIRE(d);
    d->inc.id = 5;
    d->entry.incident_id = 5;
    return d->inc;
}

// What load_summary answers for incident_5: its declare entry and one message.
loaded timeline_of_5(const incident& inc) {
    loaded data;
    auto d = declare_incident(inc.title, inc.sev, inc.declared_by, inc.channel_id, inc.channel_name, inc.declared_at);
    d->entry.incident_id = inc.id;
    data.timeline.push_back(d->entry);
    timeline_entry m;
    m.incident_id = inc.id;
    m.kind = entry_kind::message;
    m.user = "U0BOB";
    m.text = "maybe the cache is cold after the deploy?";
    m.at = inc.declared_at + 2min;
    data.timeline.push_back(m);
    return data;
}

// What the executor answers to the load_summary in `act`: incident_5's timeline read, then rendered.
rendered read_and_render(const action& act) {
    return render_summary(effect_as<load_summary>(act), timeline_of_5(incident_5()));
}

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("summary: load, post the summary, then the review prompt") {
    const incident inc = incident_5();
    stepper<summary_flow> s{summary_flow(inc, true, t0 + 2h), {}};

    // What is read: the timeline, and the 90 days before the declaration for the review's comparisons.
    auto act = s.start();
    const auto& load = effect_as<load_summary>(act);
    CHECK(load.incident_id == 5);
    CHECK(load.with_history);
    CHECK(load.history_from == t0 - std::chrono::days{90});
    CHECK(load.history_to == t0);
    CHECK(load.max_history == 30);
    CHECK(load.history_kinds == std::vector<entry_kind>{entry_kind::join, entry_kind::message});
    // What the messages are rendered from, where the timeline is read.
    CHECK(load.inc.id == 5);
    CHECK(load.inc.title == "Checkout errors");
    CHECK(load.now == t0 + 2h);

    loaded data = timeline_of_5(inc);
    const incident_record record{inc, data.timeline, {}};
    act = s.step(render_summary(load, std::move(data)));
    const auto& summary = effect_as<call>(act);
    CHECK(summary.method == "chat.postMessage");
    CHECK(summary.args["channel"] == "C0INC");
    CHECK(summary.args["text"] == render_summary_text(summarize(record)));
    CHECK(summary.args["blocks"] == render_summary_blocks(summarize(record)));

    act = s.step(posted());
    const auto& review = effect_as<call>(act);
    CHECK(review.args["text"] == render_review_text(make_review_prompt(record, t0 + 2h)));

    CHECK(is<done>(s.step(posted())));
    CHECK(s.logs.empty());
}

TEST_CASE("summary on resolve (leased): both posts, then the mark naming the resolve and its owner") {
    const incident inc = incident_5();
    stepper<summary_flow> s{summary_flow(inc, true, t0 + 2h, {}, "cmd:resolve-1", "host-a:1:aa"), {}};
    auto act = s.start();
    act = s.step(read_and_render(act));
    REQUIRE(is<call>(act));
    const auto mark_after = [&](const event& summary_outcome, const event& review_outcome) {
        stepper<summary_flow> t = s;
        t.step(summary_outcome);
        return effect_as<append_entry>(t.step(review_outcome)).entry;
    };
    SUBCASE("both posted") {
        act = s.step(posted());
        const auto mark = effect_as<append_entry>(s.step(posted())).entry;
        const auto expected = make_summary_mark(5, "cmd:resolve-1", "host-a:1:aa", t0 + 2h, "posted");
        CHECK(mark.key == expected.key);
        CHECK(mark.attrs == expected.attrs);
        CHECK(mark.at == t0 + 2h);
        CHECK(is_bookkeeping(mark));
        CHECK(s.flow.current().at == summary_flow::stage::marking);
        // Stored: done. A restart while marking stores it again (deduplicated on its key).
        stepper<summary_flow> again{summary_flow(s.flow.current()), {}};
        CHECK(effect_as<append_entry>(again.step(restarted{})).entry.key == mark.key);
        CHECK(is<done>(s.step(stored{})));
        CHECK(s.logs.empty());
    }
    SUBCASE("a post failed: marked failed (not taken over: tried once), the first outcome that is not ok stands") {
        CHECK(mark_after(http_500(), posted()).attr("outcome") == "failed");
        CHECK(mark_after(posted(), http_500()).attr("outcome") == "failed");
    }
    SUBCASE("the mark could not be stored: logged, another instance may post it again") {
        s.step(posted());
        s.step(posted());
        CHECK(is<done>(s.step(store_failed{"disk full"})));
        REQUIRE(s.logs.size() == 1);
        CHECK(s.logs[0].find("could not mark the summary of incident 5") != std::string::npos);
    }
}

TEST_CASE("summary on resolve (leased), resumed after a restart: nothing more is posted") {
    const incident inc = incident_5();
    stepper<summary_flow> s{summary_flow(inc, true, t0 + 2h, {}, "cmd:resolve-1", "host-a:1:aa"), {}};
    auto act = s.start();
    SUBCASE("before any post: ends unmarked, so the instance that takes the lease over posts it") {
        stepper<summary_flow> again{summary_flow(s.flow.current()), {}};
        CHECK(is<done>(again.step(restarted{})));
        REQUIRE(again.logs.size() == 1);
        CHECK(again.logs[0].find("left to the instance that takes its lease over") != std::string::npos);
    }
    SUBCASE("a post in doubt: marked in_doubt, the review prompt not posted (at most once)") {
        s.step(read_and_render(act));
        stepper<summary_flow> again{summary_flow(s.flow.current()), {}};
        const auto mark = effect_as<append_entry>(again.step(restarted{})).entry;
        CHECK(mark.attr("outcome") == "in_doubt");
        CHECK(mark.attr("owner") == "host-a:1:aa");
        s.step(posted());  // the summary posted; the review prompt in doubt
        stepper<summary_flow> later{summary_flow(s.flow.current()), {}};
        CHECK(effect_as<append_entry>(later.step(restarted{})).entry.attr("outcome") == "in_doubt");
    }
    SUBCASE("not leased (`/incident summary`): as before, no mark") {
        stepper<summary_flow> plain{summary_flow(inc, false, t0 + 2h), {}};
        act = plain.start();
        plain.step(read_and_render(act));
        CHECK(is<done>(plain.step(posted())));
    }
}

TEST_CASE("summary: a reminder's claim counts, its mark (bookkeeping) does not") {
    const incident inc = incident_5();
    stepper<summary_flow> s{summary_flow(inc, true, t0 + 2h), {}};
    const auto load = effect_as<load_summary>(s.start());
    loaded data = timeline_of_5(inc);
    const auto claim = reminder_to_claim(inc, data.timeline, t0 + 40min, reminder_policy::defaults(), {60s, "a"});
    REQUIRE(claim);
    data.timeline.push_back(*claim);
    const incident_record claimed{inc, data.timeline, {}};
    data.timeline.push_back(make_reminder_mark(*claim, claim->at, "posted"));
    const incident_record marked{inc, data.timeline, {}};
    REQUIRE(summarize(marked).entry_count == summarize(claimed).entry_count + 1);  // what it would count

    const rendered out = render_summary(load, std::move(data));
    CHECK(out.summary_text == render_summary_text(summarize(claimed)));
    CHECK(out.summary_blocks == render_summary_blocks(summarize(claimed)));
    CHECK(out.review_text == render_review_text(make_review_prompt(claimed, t0 + 2h)));
}

TEST_CASE("summary: the plain-text headers name the people a title mentions, from the names loaded") {
    // Block Kit plain_text shows <@U…> as typed, so the headers read the cached name instead; the
    // mrkdwn text keeps the mention (Slack shows it by name itself).
    auto d = declare_incident("<@U0CAROL> deploy &amp; rollback", severity::sev2, "U0ALICE", "C0INC", "inc-x", t0);
    REQUIRE(d);
    d->inc.id = 5;
    stepper<summary_flow> s{summary_flow(d->inc, true, t0 + 2h), {}};
    auto act = s.start();
    const auto load = effect_as<load_summary>(act);
    loaded data = timeline_of_5(d->inc);
    data.names = {{"U0CAROL", "Carol"}};
    act = s.step(render_summary(load, std::move(data)));
    const auto& summary = effect_as<call>(act);
    CHECK(summary.args["blocks"][0]["text"]["text"].get<std::string>().ends_with(": @Carol deploy & rollback"));
    CHECK(summary.args["text"].get<std::string>().find("<@U0CAROL> deploy &amp; rollback") != std::string::npos);
    act = s.step(posted());
    const auto& review = effect_as<call>(act);
    CHECK(review.args["blocks"][0]["text"]["text"].get<std::string>().ends_with("@Carol deploy & rollback"));
}

TEST_CASE("summary: `/incident summary` replies first and posts no review prompt") {
    stepper<summary_flow> s{summary_flow(incident_5(), false, t0, "Posting the summary in the channel."), {}};
    CHECK(effect_as<reply>(s.start()).text == "Posting the summary in the channel.");
    const auto& load = effect_as<load_summary>(s.step(ok{}));
    CHECK_FALSE(load.with_history);
    CHECK(load.history_kinds.empty());
    const rendered messages = render_summary(load, timeline_of_5(incident_5()));
    CHECK(messages.review_text.empty());
    CHECK(messages.review_blocks.is_null());
    CHECK(is<call>(s.step(messages)));
    SUBCASE("posted") {
        CHECK(is<done>(s.step(posted())));
        CHECK(s.logs.empty());
    }
    SUBCASE("the post failed: logged") {
        CHECK(is<done>(s.step(http_500())));
        CHECK(s.logs == std::vector<std::string>{"warn: chat.postMessage to C0INC failed: http_500"});
    }
}

TEST_CASE("summary: a failed read posts nothing; a failed summary post still posts the review") {
    SUBCASE("read failed") {
        stepper<summary_flow> s{summary_flow(incident_5(), true, t0), {}};
        s.start();
        CHECK(is<done>(s.step(store_failed{"incidents.db: disk I/O error"})));
        CHECK(s.logs == std::vector<std::string>{
                            "error: could not read the timeline for the summary: incidents.db: disk I/O error"});
    }
    SUBCASE("summary post failed") {
        stepper<summary_flow> s{summary_flow(incident_5(), true, t0), {}};
        s.step(read_and_render(s.start()));
        const auto act = s.step(answer(429, "web-api-error-ratelimited-429-body.json", 300));
        CHECK(effect_as<call>(act).method == "chat.postMessage");
        CHECK(s.logs == std::vector<std::string>{"warn: chat.postMessage to C0INC failed: ratelimited"});
    }
    SUBCASE("restarted while posting the summary: not again, the review goes on") {
        stepper<summary_flow> s{summary_flow(incident_5(), true, t0), {}};
        s.step(read_and_render(s.start()));
        stepper<summary_flow> again{summary_flow(s.flow.current()), {}};
        CHECK(is<call>(again.step(restarted{})));
        CHECK(again.flow.current().at == summary_flow::stage::posting_review);
        CHECK(again.logs.size() == 1);
    }
}

// Incident 5's reminder due at `at`, noted in the schedule: its next step stores the entry.
stepper<reminder_flow> reminder_noted(time_point at) {
    const incident inc = incident_5();
    const reminder_state st;
    stepper<reminder_flow> r{reminder_flow(5, &inc, &st, at, reminder_policy::defaults()), {}};
    r.start();
    r.step(ok{});
    return r;
}

TEST_CASE("reminder: noted, recorded, posted") {
    const incident inc = incident_5();
    const reminder_state st;
    const time_point now = t0 + 16min;
    stepper<reminder_flow> r{reminder_flow(5, &inc, &st, now, reminder_policy::defaults()), {}};

    // Noted in the schedule first, so a failure further on cannot become a reminder storm.
    auto act = r.start();
    const auto& note = effect_as<replan_reminders>(act);
    CHECK(note.incident_id == 5);
    CHECK_FALSE(note.changed);
    REQUIRE(note.entry);
    CHECK(note.entry->kind == entry_kind::reminder);
    CHECK(note.entry->key == make_reminder_entry(inc, now).key);

    // Claimed under the incident's row lock, at the moment it fell due here.
    act = r.step(ok{});
    CHECK(effect_as<claim_reminder>(act).incident_id == 5);
    CHECK(effect_as<claim_reminder>(act).now == now);

    const reminder_message expected = render_reminder(inc, st, now);
    auto claim = reminder_to_claim(inc, {}, now, reminder_policy::defaults(), {60s, "host:1:ab"});
    REQUIRE(claim);
    act = r.step(stored{inc, false, claim});
    CHECK(r.logs.empty());
    const auto& post = effect_as<call>(act);
    CHECK(post.args["channel"] == "C0INC");
    CHECK(post.args["text"] == expected.text);
    CHECK(post.args["blocks"] == expected.blocks);
    CHECK_FALSE(post.idempotent);
    CHECK_FALSE(r.flow.current().posted);
    // Posted: its claim is marked (else another instance takes it over once the lease ends).
    act = r.step(posted());
    CHECK(r.flow.current().posted);  // counted in the reminders-posted metric
    const auto& mark = effect_as<append_entry>(act).entry;
    CHECK(mark.key == claim->key + ":mark");
    CHECK(mark.attr("of") == claim->key);
    CHECK(mark.attr("outcome") == "posted");
    CHECK(mark.at == claim->at);
    CHECK(is<done>(r.step(stored{})));
}

TEST_CASE("reminder: not claimed (another instance posted it, or the claim failed): not posted") {
    SUBCASE("not due as stored") {
        auto r = reminder_noted(t0 + 16min);
        CHECK(is<done>(r.step(stored{incident_5(), true})));
        CHECK(r.logs.size() == 1);
        CHECK(r.logs[0].starts_with("debug: reminder of incident 5 not due as stored"));
    }
    SUBCASE("the claim failed: late rather than twice") {
        auto r = reminder_noted(t0 + 16min);
        CHECK(is<done>(r.step(store_failed{"incidents.db: database is locked"})));
        CHECK(r.logs == std::vector<std::string>{
                            "error: could not claim a reminder, not posting it: incidents.db: database is locked"});
    }
}

TEST_CASE("reminder: a post Slack refused is not counted as posted") {
    auto r = reminder_noted(t0 + 16min);
    CHECK(is<call>(r.step(stored{})));
    const auto act = r.step(answer(429, "web-api-error-ratelimited-429-body.json", 300));
    CHECK(effect_as<append_entry>(act).entry.attr("outcome") == "failed");  // marked: not tried again
    CHECK_FALSE(r.flow.current().posted);
    CHECK(r.logs == std::vector<std::string>{"warn: chat.postMessage to C0INC failed: ratelimited"});
    SUBCASE("the mark is not stored: logged (another instance may take it over)") {
        CHECK(is<done>(r.step(store_failed{"incidents.db: disk I/O error"})));
        REQUIRE(r.logs.size() == 2);
        CHECK(r.logs[1].starts_with("error: could not mark the reminder of incident 5"));
    }
}

TEST_CASE("reminder: an incident the bot no longer holds is forgotten; a restart does not repost") {
    SUBCASE("gone") {
        stepper<reminder_flow> r{reminder_flow(8, nullptr, nullptr, t0, reminder_policy::defaults()), {}};
        CHECK(effect_as<forget_reminders>(r.start()).incident_id == 8);
        CHECK(is<done>(r.step(ok{})));
    }
    SUBCASE("restarted while claiming: claimed again (decided anew); while posting: not posted again") {
        auto r = reminder_noted(t0 + 20min);
        stepper<reminder_flow> again{reminder_flow(r.flow.current()), {}};
        CHECK(effect_as<claim_reminder>(again.step(restarted{})).now == t0 + 20min);
        CHECK(is<call>(again.step(stored{})));
        stepper<reminder_flow> third{reminder_flow(again.flow.current()), {}};
        // In doubt: not posted again, and marked so, so that nobody takes it over (at most once).
        CHECK(effect_as<append_entry>(third.step(restarted{})).entry.attr("outcome") == "in_doubt");
        CHECK(third.logs.size() == 1);
        CHECK_FALSE(third.flow.current().posted);  // in doubt: not counted
        CHECK(is<done>(third.step(stored{})));
    }
}

TEST_CASE("snooze: noted, recorded, replied, announced; refused when resolved") {
    SUBCASE("snoozed for 30 minutes") {
        stepper<snooze_flow> z{snooze_flow(incident_5(), 30min, "U0BOB", t0 + 10min), {}};
        const auto& note = effect_as<replan_reminders>(z.start());
        REQUIRE(note.entry);
        CHECK(note.entry->attr("type") == "snooze");
        CHECK(note.entry->attr("until") == "2026-11-21T14:40:00Z");
        CHECK(is<append_entry>(z.step(ok{})));
        CHECK(effect_as<reply>(z.step(stored{})).text == "Status-page reminders snoozed until 14:40 UTC.");
        const auto act = z.step(ok{});
        CHECK(effect_as<call>(act).args["text"] ==
              ":zzz: <@U0BOB> snoozed status-page reminders for 30m 00s (until 14:40 UTC).");
        CHECK(is<done>(z.step(posted())));
    }
    SUBCASE("resolved: the reply says why, nothing stored") {
        incident inc = incident_5();
        inc.state = status::resolved;
        stepper<snooze_flow> z{snooze_flow(inc, 30min, "U0BOB", t0 + 10min), {}};
        CHECK_FALSE(effect_as<reply>(z.start()).text.empty());
        CHECK(z.flow.current().at == snooze_flow::stage::failing);
        CHECK(is<done>(z.step(ok{})));
    }
}

TEST_CASE("replies: in the ack while there is time, by direct message after") {
    SUBCASE("answered in time: the ack carries the answer, a second answer goes by DM") {
        reply_policy p("env-9", "U0ALICE");
        const auto first = p.answer("Acknowledged.");
        const auto& a = std::get<ack>(first);
        CHECK(a.envelope_id == "env-9");
        CHECK(a.payload == nlohmann::json{{"response_type", "ephemeral"}, {"text", "Acknowledged."}});
        CHECK(p.current() == reply_policy::stage::answered);
        CHECK(std::holds_alternative<done>(p.budget_elapsed()));  // the watchdog finds it answered

        const auto second = p.answer("And one more thing.");
        const auto& dm = std::get<call>(second);
        CHECK(dm.method == "chat.postMessage");
        CHECK(dm.args["channel"] == "U0ALICE");
        CHECK(dm.args["text"] == "And one more thing.");
        CHECK_FALSE(dm.idempotent);
    }
    SUBCASE("too slow: the holding ack, then the answer by DM") {
        reply_policy p("env-9", "U0ALICE");
        const auto holding = p.budget_elapsed();
        CHECK(std::get<ack>(holding).payload["text"] == std::string(holding_message));
        CHECK(p.current() == reply_policy::stage::holding);
        CHECK(std::holds_alternative<done>(p.budget_elapsed()));  // acked once
        CHECK(std::get<call>(p.answer("Incident declared.")).args["channel"] == "U0ALICE");
    }
    SUBCASE("a DM that fails is logged") {
        const reply_policy p("env-9", "U0ALICE");
        CHECK(p.delivered(posted()).log.empty());
        const auto act = p.delivered(http_500());
        CHECK(act.level == log_level::warn);
        CHECK(act.log == "chat.postMessage to U0ALICE failed: http_500");
    }
    CHECK(reply_policy::budget < std::chrono::seconds{3});  // Slack's limit for an ack
}

}  // TEST_SUITE flows
