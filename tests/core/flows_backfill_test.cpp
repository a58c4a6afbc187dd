// The backfill flow (catching up from Slack's history after the bot was not connected), stepped
// effect by effect: paging with a cursor, a 429, thread replies, pacing to Tier 3, failures
// mid-way and the passes that try again, a channel Slack refuses, and a restart from a saved state.
#include "core/flows/backfill.hpp"

#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T09:01:02Z");  // the connection was lost
const time_point back = t0 + 2min + 8s;                          // and came back

backfill_target target(std::string channel = "C0INC", std::int64_t id = 5, std::vector<std::string> threads = {}) {
    backfill_target t;
    t.incident_id = id;
    t.channel = std::move(channel);
    t.since_ts = "1795251600.000100";
    t.down_from = t0;
    t.epoch = 42;
    t.threads = std::move(threads);
    return t;
}

// A Slack answer with this body (classified as web_client returns it).
called ok_body(json body) {
    body["ok"] = true;
    const auto r = slack::parse_api_response(200, body.dump(), std::nullopt);
    return called{r.outcome, r.error, r.body};
}

json message(const std::string& ts, const std::string& text, const std::string& user = "U0BOB") {
    return json{{"type", "message"}, {"user", user}, {"text", text}, {"ts", ts}};
}

// A page of conversations.history / conversations.replies.
called page(json messages, const std::string& next_cursor = "") {
    json body{{"messages", std::move(messages)}, {"has_more", !next_cursor.empty()}};
    if (!next_cursor.empty()) body["response_metadata"] = {{"next_cursor", next_cursor}};
    return ok_body(std::move(body));
}

called slack_429(int retry_after) {
    const auto r = slack::parse_api_response(429, fixture_text("web-api-error-ratelimited-429-body.json"), retry_after);
    return called{r.outcome, r.error, r.body, r.retry_after};
}

// Drives the flow by hand at a clock the test moves, keeping its log lines.
struct driver {
    backfill_flow flow;
    time_point now = back;
    std::vector<std::string> logs;

    action start() { return keep(flow.start(now)); }
    action step(event ev) { return keep(flow.resume(std::move(ev), now)); }
    action keep(action act) {
        static constexpr const char* names[] = {"none", "debug", "info", "warn", "error"};
        if (act.level != log_level::none) logs.push_back(std::string(names[static_cast<int>(act.level)]) + ": " + act.log);
        return act;
    }
};

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("backfill: history paged with its cursor until has_more is false, each page stored, then the gap entry") {
    driver d{backfill_flow({target()}, back), back, {}};

    // The first page: from the watermark, less a minute of overlap.
    auto act = d.start();
    auto c = effect_as<call>(act);
    CHECK(c.method == "conversations.history");
    CHECK(c.args == json{{"channel", "C0INC"}, {"limit", 200}, {"oldest", "1795251540.000100"}});
    CHECK(c.own_rate_limit);  // a 429 comes back to the flow, which waits

    // Slack's own page (has_more, a next_cursor): stored as it came.
    act = d.step(answer(200, "web-api-conversations.history-ok.json"));
    auto store = effect_as<store_history>(act);
    CHECK(store.incident_id == 5);
    CHECK(store.channel == "C0INC");
    REQUIRE(store.messages.size() == 2);
    CHECK(store.messages[0]["ts"] == "1512085950.000216");

    // The next page, by the cursor Slack gave.
    act = d.step(recovered{2, 0});
    c = effect_as<call>(act);
    CHECK(c.args["cursor"] == "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz");
    CHECK(c.args["oldest"] == "1795251540.000100");

    act = d.step(page(json::array({message("1795251700.000200", "rolling back"), message("1795251650.000100", "hi")})));
    act = d.step(recovered{1, 0});  // one of the two was stored already (seen live)

    // The end: 3 recovered, not connected for 2m 08s: a gap entry, and the mark of epoch 42 cleared.
    const auto fin = effect_as<finish_backfill>(act);
    CHECK(fin.incident_id == 5);
    CHECK(fin.epoch == 42);
    REQUIRE(fin.gap);
    CHECK(fin.gap->kind == entry_kind::gap);
    CHECK(fin.gap->text == "not connected 09:01:02–09:03:10 UTC; 3 messages recovered from Slack's history");
    CHECK(fin.gap->at == t0);
    CHECK(fin.gap->key == "gap:5:42");
    CHECK(fin.gap->attr("recovered") == "3");
    CHECK(fin.gap->attr("seconds") == "128");

    CHECK(is<done>(d.step(stored{})));
    CHECK(d.logs == std::vector<std::string>{
                        "info: caught up C0INC (incident 5): 3 messages recovered from Slack's history (2 pages, 0 "
                        "threads); not connected 09:01:02–09:03:10 UTC"});
    CHECK(d.flow.recovered_total() == 3);
}

TEST_CASE("backfill, several instances: a gap is read by the instance whose claim stands; the others skip it") {
    using std::chrono::seconds;
    const claim_lease me{seconds{60}, "hostB:42:b"};
    // No claim yet: claim it and read it.
    CHECK(decide_gap(false, "", {}, false, me, t0) == gap_decision::read);
    // Another instance reads it (renewed 59 s ago): look again later; its lease ended: take it over.
    CHECK(decide_gap(true, "hostA:7:a", t0, false, me, t0 + seconds{59}) == gap_decision::busy);
    CHECK(decide_gap(true, "hostA:7:a", t0, false, me, t0 + seconds{60}) == gap_decision::read);
    // Caught up by another, however long ago: clear the mark unread.
    CHECK(decide_gap(true, "hostA:7:a", t0, true, me, t0 + seconds{1}) == gap_decision::caught_up);
    CHECK(decide_gap(true, "hostA:7:a", t0, true, me, t0 + seconds{600}) == gap_decision::caught_up);
    // Its own claim (an earlier run of this instance, cut short by a loss): read it again.
    CHECK(decide_gap(true, me.owner, t0, false, me, t0 + seconds{1}) == gap_decision::read);

    // A claimed target is finished by its gap (the claim done, the mark cleared while it is that gap).
    auto t = target();
    t.claimed = true;
    driver d{backfill_flow({t}, back), back, {}};
    d.start();
    d.step(page(json::array({message("1795251650.000100", "hi")})));
    const auto fin = effect_as<finish_backfill>(d.step(recovered{1, 0}));
    CHECK(fin.claimed);
    CHECK(fin.channel == t.channel);
    CHECK(fin.since_ts == t.since_ts);
    CHECK(fin.down_from == t.down_from);
    CHECK(fin.epoch == t.epoch);
    REQUIRE(fin.gap);  // the reader writes the gap entry, as with one instance
}

TEST_CASE("backfill: a short reconnect with nothing recovered writes no gap entry") {
    driver d{backfill_flow({target()}, t0 + 300ms), t0 + 300ms, {}};
    d.start();
    auto act = d.step(page(json::array({message("1795251600.000100", "already stored")})));
    act = d.step(recovered{0, 0});
    const auto fin = effect_as<finish_backfill>(act);
    CHECK_FALSE(fin.gap);  // a routine refresh: the mark is cleared, nothing goes on the timeline
    CHECK(is<done>(d.step(stored{})));
}

TEST_CASE("backfill: a channel declared here is read from its creation, with no gap entry however much is recovered") {
    incident inc;
    inc.id = 7;
    inc.channel_id = "C0NEW";
    const auto t = declared_channel_target(inc, back);
    CHECK(t.declared);
    CHECK(t.since_ts.empty());
    CHECK(t.epoch == 0);  // no mark
    driver d{backfill_flow({t}, back), back, {}};
    auto c = effect_as<call>(d.start());
    CHECK(c.args == json{{"channel", "C0NEW"}, {"limit", 200}});  // no oldest: the whole (short) history
    d.step(page(json::array({message("1795251700.000200", "joined and said this"), message("1795251650.000100", "hi")})));
    const auto fin = effect_as<finish_backfill>(d.step(recovered{2, 0}));
    CHECK(fin.incident_id == 7);
    CHECK_FALSE(fin.gap);  // the bot was connected all along
    CHECK(is<done>(d.step(stored{})));
    CHECK(d.logs == std::vector<std::string>{
                        "info: caught up C0NEW (incident 7): 2 messages recovered from Slack's history (1 page, 0 "
                        "threads); declared here: what another instance had before the incident was stored"});
}

TEST_CASE("backfill: nothing to catch up") {
    driver d{backfill_flow({}, back), back, {}};
    CHECK(is<done>(d.start()));
}

TEST_CASE("backfill: a 429 waits Retry-After, then the same call again") {
    driver d{backfill_flow({target()}, back), back, {}};
    auto first = effect_as<call>(d.start());

    auto act = d.step(slack_429(7));
    CHECK(effect_as<wait>(act).delay == 7s);
    CHECK(d.logs.back() == "warn: backfill: conversations.history for C0INC is rate-limited; waiting 7 s");

    d.now += 7s;
    act = d.step(ok{});
    CHECK(effect_as<call>(act).args == first.args);

    // A 429 without Retry-After: Slack's default of 30 s (parse_api_response).
    act = d.step(slack_429(-1));
    CHECK(effect_as<wait>(act).delay >= 1s);
}

TEST_CASE("backfill: thread replies, for threads on the timeline and threads the history shows") {
    // The timeline knows a thread started before the bot went down (its parent is older than the
    // watermark, so the history will not show it): only conversations.replies finds new replies.
    driver d{backfill_flow({target("C0INC", 5, {"1795250000.000100"})}, back), back, {}};
    d.start();

    // The history shows a new thread (a parent with replies) and a reply sent to the channel too.
    json parent = message("1795251700.000100", "is it the cache?");
    parent["thread_ts"] = "1795251700.000100";
    parent["reply_count"] = 2;
    json broadcast = message("1795251800.000100", "fixed, see thread");
    broadcast["thread_ts"] = "1795251010.000100";
    broadcast["subtype"] = "thread_broadcast";
    json lone = message("1795251750.000100", "no replies here");
    lone["thread_ts"] = "1795251750.000100";
    lone["reply_count"] = 0;
    auto act = d.step(page(json::array({broadcast, lone, parent})));
    CHECK(effect_as<store_history>(act).messages.size() == 3);

    // Then each thread, oldest parent first, with the same oldest.
    act = d.step(recovered{3, 0});
    auto c = effect_as<call>(act);
    CHECK(c.method == "conversations.replies");
    CHECK(c.args == json{{"channel", "C0INC"}, {"ts", "1795250000.000100"}, {"limit", 200}, {"oldest", "1795251540.000100"}});

    // Slack's replies page (has_more): stored, and paged on.
    act = d.step(answer(200, "web-api-conversations.replies-ok.json"));
    CHECK(effect_as<store_history>(act).messages.size() == 4);
    act = d.step(recovered{3, 0});
    c = effect_as<call>(act);
    CHECK(c.args["ts"] == "1795250000.000100");
    CHECK(c.args["cursor"] == "bmV4dF90czoxNDg0Njc4MjkwNTE3MDkx");
    act = d.step(page(json::array()));

    // The broadcast's thread: its parent is gone (thread_not_found): skipped.
    c = effect_as<call>(act);
    CHECK(c.args["ts"] == "1795251010.000100");
    act = d.step(answer(200, "web-api-conversations.replies-error-thread_not_found.json"));

    c = effect_as<call>(act);
    CHECK(c.args["ts"] == "1795251700.000100");
    act = d.step(page(json::array({parent, message("1795251710.000100", "maybe")})));
    act = d.step(recovered{1, 0});

    // The thread without replies is not read.
    const auto fin = effect_as<finish_backfill>(act);
    CHECK(fin.gap->attr("recovered") == "7");
    CHECK(is<done>(d.step(stored{})));
    CHECK(d.logs.back().find("(4 pages, 2 threads)") != std::string::npos);
}

TEST_CASE("backfill: calls are paced to Tier 3, per method") {
    backfill_options o;
    o.per_minute = 3;
    driver d{backfill_flow({target()}, back, o), back, {}};
    auto act = d.start();
    for (int i = 0; i < 2; ++i) {
        act = d.step(page(json::array({message("1795251700.00010" + std::to_string(i), "x")}), "c" + std::to_string(i)));
        d.now += 1s;
        act = d.step(recovered{1, 0});
        CHECK(is<call>(act));
    }
    // A fourth history call within the minute waits until the first one is a minute old.
    act = d.step(page(json::array({message("1795251700.000109", "x")}), "c9"));
    d.now += 1s;
    act = d.step(recovered{1, 0});
    CHECK(effect_as<wait>(act).delay == 57s);
    d.now += 57s;
    act = d.step(ok{});
    CHECK(effect_as<call>(act).args["cursor"] == "c9");
}

TEST_CASE("backfill: a failure mid-way keeps the channel's mark; it is tried again after the others") {
    backfill_options o;
    o.max_rounds = 2;
    driver d{backfill_flow({target("C0ONE", 1), target("C0TWO", 2)}, back, o), back, {}};
    d.start();

    // C0ONE: the first page is stored, then Slack fails (after the transport's own retries).
    auto act = d.step(page(json::array({message("1795251700.000100", "a")}), "next"));
    act = d.step(recovered{1, 0});
    const auto r = slack::parse_api_response(503, "", std::nullopt);
    act = d.step(called{r.outcome, r.error, r.body});

    // On to C0TWO, nothing finished for C0ONE (its mark stays).
    CHECK(effect_as<call>(act).args["channel"] == "C0TWO");
    CHECK(d.logs.back() == "warn: backfill: catching up C0ONE failed (conversations.history failed: http_503); trying "
                           "again later");
    act = d.step(page(json::array()));
    CHECK(effect_as<finish_backfill>(act).incident_id == 2);

    // Then, after a wait, C0ONE again from its watermark (what was stored is skipped by the store).
    act = d.step(stored{});
    CHECK(effect_as<wait>(act).delay == 30s);
    d.now += 30s;
    act = d.step(ok{});
    auto c = effect_as<call>(act);
    CHECK(c.args["channel"] == "C0ONE");
    CHECK_FALSE(c.args.contains("cursor"));

    // A failed write is a failure too; after max_rounds passes the flow gives up (the next
    // connection or start-up tries again: the mark is still there).
    act = d.step(page(json::array({message("1795251700.000100", "a")})));
    act = d.step(store_failed{"disk I/O error"});
    CHECK(is<done>(act));
    CHECK(d.logs.back() == "error: backfill: gave up catching up C0ONE (could not store: disk I/O error) after 2 "
                           "passes; the next reconnect or start-up tries again");
}

TEST_CASE("backfill: a channel Slack will not let the bot read is finished, with a gap entry that says so") {
    driver d{backfill_flow({target()}, back), back, {}};
    d.start();
    auto act = d.step(answer(200, "web-api-conversations.history-error-channel_not_found.json"));
    const auto fin = effect_as<finish_backfill>(act);
    REQUIRE(fin.gap);
    CHECK(fin.gap->text == "not connected 09:01:02–09:03:10 UTC; Slack's history could not be read (channel_not_found)");
    CHECK(fin.gap->attr("error") == "channel_not_found");
    CHECK(is<done>(d.step(stored{})));
    CHECK(d.logs.back().rfind("warn: caught up C0INC", 0) == 0);
}

TEST_CASE("backfill: a restart from a saved state makes the step in progress again") {
    driver d{backfill_flow({target("C0INC", 5, {"1795250000.000100"})}, back), back, {}};
    d.start();
    d.step(page(json::array({message("1795251700.000100", "a")}), "next"));

    // Saved while the first page was being stored: the page is read again (and stored again:
    // the store keeps one entry per channel and ts).
    const auto saved = d.flow.current();
    CHECK(saved.at == backfill_flow::stage::storing);
    driver again{backfill_flow(saved), back + 5min, {}};
    auto act = again.step(restarted{});
    auto c = effect_as<call>(act);
    CHECK(c.method == "conversations.history");
    CHECK_FALSE(c.args.contains("cursor"));
    act = again.step(page(json::array({message("1795251700.000100", "a")}), "next"));
    act = again.step(recovered{0, 0});
    CHECK(effect_as<call>(act).args["cursor"] == "next");
    act = again.step(page(json::array()));
    act = again.step(restarted{});  // while reading the thread: the same call again
    c = effect_as<call>(act);
    CHECK(c.method == "conversations.replies");
    act = again.step(page(json::array()));

    // While finishing: the finish again (its gap entry has a key; the mark is cleared for its epoch only).
    const auto fin = effect_as<finish_backfill>(act);
    CHECK(effect_as<finish_backfill>(again.step(restarted{})).gap->key == fin.gap->key);
    CHECK(is<done>(again.step(stored{})));
    CHECK(is<done>(again.step(stored{})));  // after the end, always done
}

TEST_CASE("backfill: an event out of place ends the flow with an error line") {
    driver d{backfill_flow({target()}, back), back, {}};
    d.start();
    CHECK(is<done>(d.step(stored{})));
    CHECK(d.logs.back() == "error: backfill: unexpected stored while reading; giving up");
}

TEST_CASE("backfill: the gap entry's text") {
    CHECK(make_gap_entry(1, 2, t0, t0 + 30s, 1, "", t0 + 31s).text ==
          "not connected 09:01:02–09:01:32 UTC; 1 message recovered from Slack's history");
    CHECK(make_gap_entry(1, 2, t0, t0 + 30s, 0, "", t0 + 31s).text ==
          "not connected 09:01:02–09:01:32 UTC; nothing recovered from Slack's history");
    CHECK(make_gap_entry(1, 2, t0, t0 + 24h, 12, "", t0 + 24h).text ==
          "not connected 09:01:02–2026-11-22 09:01:02 UTC; 12 messages recovered from Slack's history");
    CHECK(make_gap_entry(1, 2, t0, t0 + 30s, 4, "not_in_channel", t0).text ==
          "not connected 09:01:02–09:01:32 UTC; 4 messages recovered, then Slack's history could not be read "
          "(not_in_channel)");
}

}  // TEST_SUITE
