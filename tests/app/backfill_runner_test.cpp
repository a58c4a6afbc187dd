// The backfill runner on reliable's executor (bot/app/backfill.hpp): a connection lost marks the
// incident channels in the store; the next connection reads Slack's history through the
// executor's perform(), stores each page once (store_history), writes the gap entry and clears
// the mark (finish_backfill), and reports to the app observer. A loss while the flow is pacing
// cuts its wait short (cancel_waits) and keeps the mark for the next connection.
#include "bot/app/backfill.hpp"

#include "executor_harness.hpp"

#include <algorithm>
#include <vector>

namespace ib_test::app {
namespace {

// What the runner reports for the metrics.
struct backfill_reports final : app_observer {
    std::vector<bool> running;          // each change, in order
    std::vector<std::size_t> pages;     // entries newly stored, per page
    void backfill_running(bool r) override { running.push_back(r); }
    void backfilled(std::size_t stored) override { pages.push_back(stored); }
};

nlohmann::json history_page(nlohmann::json messages, const std::string& next_cursor = "") {
    nlohmann::json body{{"ok", true}, {"messages", std::move(messages)}, {"has_more", !next_cursor.empty()}};
    if (!next_cursor.empty()) body["response_metadata"] = {{"next_cursor", next_cursor}};
    return body;
}

// An open incident on C01INC, with one message recorded live at t0 + 5 s; the app holds it.
incident open_incident(harness& h) {
    incident inc = storage::testing::sample_incident();
    inc.id = h.read<std::int64_t>([&](storage::store& s) {
        incident made = inc;
        auto decl = storage::testing::declare_entry("Ev-declare", storage::testing::t0());
        const auto id = s.create_incident(made, decl);
        s.append(storage::testing::sample_entry(id, "Ev-live", storage::testing::t0(5), "checking the LB"));
        return id;
    });
    h.st.channels.set(inc);
    return inc;
}

}  // namespace

TEST_SUITE("backfill_runner") {

TEST_CASE("a loss marks the channel; the next connection stores what history has, once, with a gap entry") {
    harness h;
    backfill_reports seen;
    h.st.observer = &seen;
    const incident inc = open_incident(h);
    const time_point lost = storage::testing::t0(60);
    const time_point back = lost + std::chrono::minutes(2);

    backfill_runner runner(h.ioc.get_executor(), h.exec, h.rec, h.st);
    runner.connection_up(storage::testing::t0(1));  // nothing marked yet: nothing to do
    runner.connection_lost(lost);
    CHECK(h.read<std::size_t>([](storage::store& s) { return s.backfill_marks().size(); }) == 1);

    // History since the watermark (the live message's ts, less a minute): the live message again,
    // a join and a message said while down.
    const std::string live_ts = to_slack_ts(storage::testing::t0(5));
    h.slack.script["conversations.history"].push_back(
        {200, history_page(nlohmann::json::array(
                               {{{"type", "message"}, {"user", "U0BOB"}, {"text", "rolled back the deploy"},
                                 {"ts", "1700000100.000100"}},
                                {{"type", "message"}, {"subtype", "channel_join"}, {"user", "U0CAROL"},
                                 {"text", "<@U0CAROL> has joined the channel"}, {"ts", "1700000090.000000"}},
                                {{"type", "message"}, {"user", "U02BOB"}, {"text", "checking the LB"}, {"ts", live_ts}}}))
                  .dump()});
    runner.connection_up(back);
    h.run_until([&] { return seen.running == std::vector<bool>{true, false}; });
    CHECK_FALSE(runner.running());

    // One call, from the watermark less its minute of overlap.
    REQUIRE(h.slack.requests.size() == 1);
    CHECK(h.slack.requests[0].method == "conversations.history");
    CHECK(h.slack.requests[0].args["channel"] == inc.channel_id);
    CHECK(h.slack.requests[0].args["oldest"] == to_slack_ts(storage::testing::t0(5) - std::chrono::minutes(1)));

    // Stored once each, the live message not twice; the gap entry; the mark cleared.
    const auto tl = h.read<std::vector<timeline_entry>>([&](storage::store& s) { return s.timeline(inc.id); });
    const auto count = [&](entry_kind k, const std::string& ts) {
        return std::count_if(tl.begin(), tl.end(), [&](const timeline_entry& e) { return e.kind == k && e.slack_ts == ts; });
    };
    CHECK(count(entry_kind::message, live_ts) == 1);
    CHECK(count(entry_kind::message, "1700000100.000100") == 1);
    CHECK(count(entry_kind::join, "1700000090.000000") == 1);
    const auto gap = std::find_if(tl.begin(), tl.end(), [](const timeline_entry& e) { return e.kind == entry_kind::gap; });
    REQUIRE(gap != tl.end());
    CHECK(gap->at == lost);
    CHECK(gap->attr("recovered") == "2");
    CHECK(h.read<std::size_t>([](storage::store& s) { return s.backfill_marks().size(); }) == 0);
    CHECK(seen.pages == std::vector<std::size_t>{2});
}

TEST_CASE("a loss while the catch-up waits for the rate limit ends it at once; the mark stays for the next connection") {
    harness h;
    backfill_reports seen;
    h.st.observer = &seen;
    const incident inc = open_incident(h);
    flows::backfill_options opts;
    opts.per_minute = 1;  // the second page must wait a minute
    backfill_runner runner(h.ioc.get_executor(), h.exec, h.rec, h.st, opts);
    runner.connection_up(storage::testing::t0(1));
    runner.connection_lost(storage::testing::t0(60));

    h.slack.script["conversations.history"].push_back(
        {200, history_page(nlohmann::json::array({{{"type", "message"}, {"user", "U0BOB"}, {"text", "page one"},
                                                   {"ts", "1700000100.000100"}}}),
                           "next")
                  .dump()});
    runner.connection_up(storage::testing::t0(180));
    h.run_until([&] { return seen.pages.size() == 1; });  // page one stored; now pacing
    CHECK(runner.running());

    const auto cut = std::chrono::steady_clock::now();
    runner.connection_lost(storage::testing::t0(200));
    h.run_until([&] { return seen.running == std::vector<bool>{true, false}; });
    CHECK(std::chrono::steady_clock::now() - cut < std::chrono::seconds(5));  // not the minute's wait
    CHECK(h.slack.requests.size() == 1);  // the second page was never asked for

    // Page one is kept; no gap entry yet; the mark (now of the second loss) waits for the next
    // connection, from the same watermark.
    const auto tl = h.read<std::vector<timeline_entry>>([&](storage::store& s) { return s.timeline(inc.id); });
    CHECK(std::count_if(tl.begin(), tl.end(), [](const timeline_entry& e) { return e.kind == entry_kind::gap; }) == 0);
    CHECK(std::count_if(tl.begin(), tl.end(), [](const timeline_entry& e) { return e.text == "page one"; }) == 1);
    const auto marks = h.read<std::vector<storage::backfill_mark>>([](storage::store& s) { return s.backfill_marks(); });
    REQUIRE(marks.size() == 1);
    CHECK(marks[0].epoch == to_unix_micros(storage::testing::t0(200)));
}

}  // TEST_SUITE

}  // namespace ib_test::app
