// End to end, the backfill (issue 12): what is said in an incident channel while the bot is not
// connected reaches the timeline from Slack's history once it is back. The simulator behaves
// like Slack here (when_disconnected = retry): an event said while no connection is open is
// dropped once its retries are spent, so only conversations.history/replies can recover it.
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::entries;

namespace {

// Slack's delivery when nobody is connected: a few quick retries, then the event is gone.
ib::sim::simulator_options slack_like_delivery(std::size_t redeliveries = 3) {
    ib::sim::simulator_options o;
    o.when_disconnected = ib::sim::simulator_options::no_connection::retry;
    o.max_redeliveries = redeliveries;
    return o;
}

// slack_ts -> how many timeline entries of `kind` have it.
std::map<std::string, int> by_ts(const json& exported, const std::string& kind) {
    std::map<std::string, int> out;
    for (const auto& e : entries(exported, kind)) ++out[e.value("slack_ts", "")];
    return out;
}

bool has_tag(const json& e, const std::string& tag) {
    const auto& tags = e["tags"];
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

// Waits until every ts in `want` is on the timeline as a `kind` entry (or the timeout).
bool wait_stored(bot_fixture& t, const std::vector<std::string>& want, const std::string& kind,
                 std::chrono::milliseconds timeout) {
    return t.slack.wait_for(
        [&] {
            const auto stored = by_ts(t.export_json(), kind);
            return std::all_of(want.begin(), want.end(), [&](const std::string& ts) { return stored.count(ts) > 0; });
        },
        timeout);
}

}  // namespace

TEST_SUITE("backfill") {

TEST_CASE("a clean stop: messages, a join and thread replies said while down are recovered once, in order, tagged") {
    bot_fixture t(slack_like_delivery());
    t.start_bot();
    const std::string ch = t.declare("Checkout errors sev2", "Checkout errors");

    // Before the stop: a thread with a reply (on the timeline), recorded live.
    const std::string old_thread = t.slack.post_message(ch, bot_fixture::bob, "payments timing out since 09:00");
    const std::string live_reply =
        t.slack.post_message(ch, bot_fixture::alice, "seeing it in the EU too", old_thread);
    REQUIRE(wait_stored(t, {old_thread, live_reply}, "message", 10s));
    const std::size_t before = t.export_json()["timeline"].size();

    REQUIRE(t.stop_bot(SIGTERM) == 0);

    // While down: 120 messages, a hypothesis among them, a join, a new thread with replies and a
    // reply to the thread started before the stop.
    std::vector<std::string> said;
    for (int i = 0; i < 120; ++i)
        said.push_back(t.slack.post_message(ch, bot_fixture::bob, "error rate sample " + std::to_string(i) + ": 4.2%"));
    const std::string hypothesis =
        t.slack.post_message(ch, bot_fixture::alice, "I think the new connection pool limit is too low");
    said.push_back(hypothesis);
    t.slack.join(ch, bot_fixture::carol, bot_fixture::alice);
    const std::string new_thread = t.slack.post_message(ch, bot_fixture::carol, "who owns the pool config?");
    said.push_back(new_thread);
    said.push_back(t.slack.post_message(ch, bot_fixture::bob, "platform team", new_thread));
    said.push_back(t.slack.post_message(ch, bot_fixture::alice, "paging them now", new_thread));
    said.push_back(t.slack.post_message(ch, bot_fixture::carol, "same in US-east", old_thread));
    // Typed text: history holds it escaped, as Slack does; it is stored in that form like a live
    // event's, and the typed <!channel> never becomes a ping.
    const std::string typed = "p99 > 2s & <!channel> <x>";
    const std::string hostile = t.slack.type_message(ch, bot_fixture::alice, typed);
    said.push_back(hostile);
    t.slack.set_user_name(bot_fixture::carol, "Carol & <Co>");
    // Slack gives up on everything it could not deliver: history is the only way now.
    t.slack.expire_undelivered();
    CHECK_FALSE(t.slack.lost_events().empty());

    t.start_bot();
    REQUIRE(wait_stored(t, said, "message", 60s));
    REQUIRE(t.slack.wait_for([&] { return !entries(t.export_json(), "gap").empty(); }, 30s));
    const json exported = t.export_json();

    // Each once, with its own ts (the one Slack gave it), and no message twice.
    const auto messages = by_ts(exported, "message");
    for (const auto& ts : said) CHECK_MESSAGE(messages.at(ts) == 1, ts);
    for (const auto& [ts, n] : messages) CHECK_MESSAGE(n == 1, ts);
    CHECK(messages.at(old_thread) == 1);
    CHECK(messages.at(live_reply) == 1);

    // In order, and as a live event would have recorded them: author, thread, tags.
    std::vector<std::string> order;
    for (const auto& e : entries(exported, "message"))
        if (std::find(said.begin(), said.end(), e["slack_ts"].get<std::string>()) != said.end())
            order.push_back(e["slack_ts"]);
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(order.size() == said.size());
    for (const auto& e : entries(exported, "message")) {
        if (e["slack_ts"] == hypothesis) {
            CHECK(e["user"] == bot_fixture::alice);
            CHECK(has_tag(e, "hypothesis"));
        }
        if (e["text"] == "same in US-east") CHECK(e["attrs"]["thread_ts"] == old_thread);
    }

    // The typed text: decoded in `text`, Slack's form in `slack_text`.
    for (const auto& e : entries(exported, "message"))
        if (e["slack_ts"] == hostile) {
            CHECK(e["text"] == typed);
            CHECK(e["slack_text"] == "p99 &gt; 2s &amp; &lt;!channel&gt; &lt;x&gt;");
        }
    // Carol was first seen in what history gave back: looked up like a live event's author.
    CHECK(t.slack.wait_for(
        [&] {
            const json x = t.export_json();
            return x["users"].contains(bot_fixture::carol) && x["users"][bot_fixture::carol] == "Carol & <Co>";
        },
        10s));

    // Carol's join: one entry (Slack has it as a channel_join message in history).
    std::size_t carol_joins = 0;
    for (const auto& j : entries(exported, "join")) carol_joins += j["user"] == bot_fixture::carol;
    CHECK(carol_joins == 1);

    // The gap entry: when, and how much came back (every entry added but the gap itself).
    const auto gaps = entries(exported, "gap");
    REQUIRE(gaps.size() == 1);
    const std::size_t recovered = exported["timeline"].size() - before - 1;
    CHECK(recovered >= said.size() + 1);
    CHECK(gaps[0]["attrs"]["recovered"] == std::to_string(recovered));
    CHECK(gaps[0]["text"].get<std::string>().find("; " + std::to_string(recovered) +
                                                  " messages recovered from Slack's history") != std::string::npos);
    CHECK(gaps[0]["text"].get<std::string>().starts_with("not connected "));
    CHECK(t.count_log_lines({"caught up " + ch, std::to_string(recovered) + " messages recovered"}) == 1);
}

TEST_CASE("SIGKILL mid-burst with redelivery off: everything said is recovered from history") {
    bot_fixture t(slack_like_delivery(0));
    t.start_bot();
    const std::string ch = t.declare("Search down sev1", "Search down");

    constexpr int total = 600;
    std::mutex mu;
    std::vector<std::string> said;
    std::atomic<int> posted{0};
    std::jthread poster([&] {
        for (int i = 0; i < total; ++i) {
            const auto ts = t.slack.post_message(ch, bot_fixture::bob, "burst " + std::to_string(i));
            {
                std::lock_guard lock(mu);
                said.push_back(ts);
            }
            ++posted;
            if (i % 10 == 9) std::this_thread::sleep_for(5ms);
        }
    });
    REQUIRE(t.slack.wait_for([&] { return posted.load() > total / 3; }, 30s));
    t.kill_bot();
    REQUIRE(t.slack.wait_for([&] { return posted.load() > 2 * total / 3; }, 30s));
    t.start_bot();
    poster.join();

    // Redelivery is off: what the kill cut off, and what was said while down, is gone from Slack's
    // delivery (lost_events) and only history has it.
    CHECK_FALSE(t.slack.lost_events().empty());
    REQUIRE(wait_stored(t, said, "message", 60s));
    const auto messages = by_ts(t.export_json(), "message");
    for (const auto& ts : said) CHECK_MESSAGE(messages.at(ts) == 1, ts);
    CHECK(messages.size() == said.size());
}

TEST_CASE("an app outside the Marketplace: 15 messages a call and one call a window, and the catch-up still completes") {
    // Slack's limits for such apps (slack-protocol.md §6): 15 messages per call, 1 call per
    // minute; the minute is shortened to 2 s here, so Retry-After is 2 s.
    auto o = slack_like_delivery();
    o.history_max_limit = 15;
    o.rate_limits = {{"conversations.history", 1}, {"conversations.replies", 1}};
    o.rate_limit_window = 2s;
    bot_fixture t(o);
    t.start_bot();
    const std::string ch = t.declare("Billing lag sev3", "Billing lag");
    const std::string first = t.slack.post_message(ch, bot_fixture::bob, "invoices are 10 min behind");
    REQUIRE(wait_stored(t, {first}, "message", 10s));
    REQUIRE(t.stop_bot(SIGTERM) == 0);

    std::vector<std::string> said;
    for (int i = 0; i < 40; ++i)
        said.push_back(t.slack.post_message(ch, bot_fixture::alice, "queue depth " + std::to_string(i * 100)));
    t.slack.expire_undelivered();
    const std::size_t calls_before = t.slack.calls().size();

    t.start_bot();
    REQUIRE_MESSAGE(wait_stored(t, said, "message", 90s), t.bot->log());
    const auto messages = by_ts(t.export_json(), "message");
    for (const auto& ts : said) CHECK_MESSAGE(messages.at(ts) == 1, ts);
    // 41 messages since the watermark (its minute of overlap included) take at least 3 pages;
    // the calls past the limit were answered 429 and waited out.
    const auto calls = t.slack.calls();
    std::size_t pages = 0, limited = 0;
    for (std::size_t i = calls_before; i < calls.size(); ++i) {
        if (calls[i].method != "conversations.history") continue;
        if (calls[i].http_status == 200) ++pages;
        if (calls[i].http_status == 429) ++limited;
    }
    CHECK(pages >= 3);
    MESSAGE(pages << " history pages, " << limited << " calls answered 429");
}

TEST_CASE("a routine refresh_requested reconnect writes nothing") {
    bot_fixture t(slack_like_delivery());
    t.start_bot();
    const std::string ch = t.declare("Queue backlog sev3", "Queue backlog");
    const std::string ts = t.slack.post_message(ch, bot_fixture::bob, "consumers lagging by 5 min");
    REQUIRE(wait_stored(t, {ts}, "message", 10s));
    const std::size_t before = t.export_json()["timeline"].size();
    const std::size_t done_before = t.count_log_lines({"catch-up done"});

    const auto opened = t.slack.connections_opened();
    t.slack.send_disconnect("refresh_requested");
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > opened && t.slack.open_connections() > 0; },
                             20s));
    REQUIRE(t.slack.wait_for([&] { return t.count_log_lines({"catch-up done"}) > done_before; }, 20s));

    const json exported = t.export_json();
    CHECK(exported["timeline"].size() == before);
    CHECK(entries(exported, "gap").empty());
}

}  // TEST_SUITE
