// What the store does for catching up from Slack's history (issue 12): one entry per message
// (channel + ts) beside the event_id, one join per membership whichever way Slack reported it,
// pins kept once, and the catch-up marks (the watermark) across losses, restarts and catch-ups.
#include "core/flows/backfill.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace ib;
using namespace ib::storage;
using namespace ib::storage::testing;
using namespace std::chrono_literals;

namespace {

std::int64_t make_incident(store& s, const std::string& channel = "C01INC", time_point at = t0()) {
    auto inc = sample_incident(channel, at);
    auto decl = declare_entry("decl-" + channel, at);
    return s.create_incident(inc, decl);
}

// A message as the live event stores it (key: the event_id) and as history does (no key).
timeline_entry live(std::int64_t id, const std::string& event_id, time_point at, const std::string& text = "looking") {
    return sample_entry(id, event_id, at, text);
}
timeline_entry from_history(std::int64_t id, time_point at, const std::string& text = "looking") {
    return sample_entry(id, "", at, text);
}

timeline_entry membership(std::int64_t id, entry_kind kind, const std::string& user, const std::string& key,
                          time_point at, bool with_ts = true) {
    auto e = sample_entry(id, key, at, kind == entry_kind::join ? "joined" : "left", kind);
    e.user = user;
    if (!with_ts) e.slack_ts.clear();
    return e;
}

timeline_entry pin(std::int64_t id, entry_kind kind, const std::string& user, const std::string& key, time_point at,
                   const std::string& item_ts, const std::string& emoji = "pushpin") {
    auto e = sample_entry(id, key, at, ":" + emoji + ":", kind);
    e.user = user;
    e.slack_ts = key.empty() ? std::string() : to_slack_ts(at);
    e.ref_ts = item_ts;
    e.attrs["reaction"] = emoji;
    return e;
}

std::size_t count_kind(const store& s, std::int64_t id, entry_kind kind) {
    std::size_t n = 0;
    for (const auto& e : s.timeline(id)) n += e.kind == kind;
    return n;
}

}  // namespace

TEST_SUITE("storage") {

TEST_CASE("a message is one entry per incident and ts, whether it came live or from history") {
    store s(test_db());
    const auto id = make_incident(s);
    const auto other = make_incident(s, "C02INC");

    CHECK(s.append(live(id, "Ev1", t0(10), "the cache?")));
    // Read again from history after a reconnect: the same ts, no key.
    CHECK_FALSE(s.append(from_history(id, t0(10), "the cache?")));
    // Recovered from history first, then Slack redelivers the event: still one.
    CHECK(s.append(from_history(id, t0(20), "rolled back")));
    CHECK_FALSE(s.append(live(id, "Ev2", t0(20), "rolled back")));
    // The same ts in another incident's channel is another message.
    CHECK(s.append(live(other, "Ev3", t0(10))));
    // A bot_message too; entries of other kinds keep their own dedupe (edits have their own ts).
    CHECK(s.append(sample_entry(id, "", t0(30), "announcement", entry_kind::bot_message)));
    CHECK_FALSE(s.append(sample_entry(id, "", t0(30), "announcement", entry_kind::bot_message)));
    auto edit = sample_entry(id, "Ev-edit", t0(10), "the CDN?", entry_kind::edit);
    CHECK(s.append(edit));
    CHECK(s.timeline_size(id) == 1 + 3 + 1);

    // In a batch (a history page), against the timeline and within the batch.
    const std::vector<timeline_entry> page{from_history(id, t0(20)), from_history(id, t0(40)), from_history(id, t0(40)),
                                           from_history(id, t0(50))};
    CHECK(s.append_batch(page) == std::vector<bool>{false, true, false, true});
    // Entries without a ts are never matched on it.
    auto no_ts = from_history(id, t0(60));
    no_ts.slack_ts.clear();
    CHECK(s.append(no_ts));
    CHECK(s.append(no_ts));
}

TEST_CASE("a join is one entry whether it came as member_joined_channel, a channel_join message or from history") {
    store s(test_db());
    const auto id = make_incident(s);

    // Live: member_joined_channel (event_ts), then the channel_join message (its own ts, a moment later).
    CHECK(s.append(membership(id, entry_kind::join, "U0ANN", "Ev-mj", t0(100) + 100us)));
    CHECK_FALSE(s.append(membership(id, entry_kind::join, "U0ANN", "Ev-cj", t0(100) + 200us)));
    // After a reconnect, history shows the channel_join message again: no key, its ts.
    CHECK_FALSE(s.append(membership(id, entry_kind::join, "U0ANN", "", t0(100) + 200us)));
    // A member_joined_channel without event_ts is dated by its whole-second event_time, and has no ts.
    CHECK(s.append(membership(id, entry_kind::join, "U0BEN", "", t0(200) + 300us)));
    CHECK_FALSE(s.append(membership(id, entry_kind::join, "U0BEN", "Ev-mj-2", t0(200), false)));
    // Another user's join at the same moment is another join.
    CHECK(s.append(membership(id, entry_kind::join, "U0CAL", "Ev-mj-3", t0(200), false)));
    CHECK(count_kind(s, id, entry_kind::join) == 3);

    // Leave and come back within the window: three changes, each once, in whatever order they arrive.
    CHECK(s.append(membership(id, entry_kind::leave, "U0ANN", "Ev-ml", t0(101))));
    CHECK_FALSE(s.append(membership(id, entry_kind::leave, "U0ANN", "", t0(101) + 100us)));  // channel_leave
    CHECK(s.append(membership(id, entry_kind::join, "U0ANN", "Ev-mj-4", t0(102))));
    CHECK_FALSE(s.append(membership(id, entry_kind::join, "U0ANN", "", t0(102) + 100us)));
    CHECK(count_kind(s, id, entry_kind::join) == 4);
    CHECK(count_kind(s, id, entry_kind::leave) == 1);

    // Joins far apart with no leave recorded between them are two joins (the leave was never seen).
    CHECK(s.append(membership(id, entry_kind::join, "U0CAL", "Ev-mj-5", t0(900))));
}

TEST_CASE("a pin is kept once while it is current; its removal once while it is not") {
    store s(test_db());
    const auto id = make_incident(s);
    const std::string item = to_slack_ts(t0(10));
    CHECK(s.append(pin(id, entry_kind::key_moment, "U0A", "Ev-pin", t0(20), item)));
    // History shows the pin after a reconnect (reconcile_pins): already current.
    CHECK_FALSE(s.append(pin(id, entry_kind::key_moment, "U0A", "", t0(10), item)));
    // Another user's pin, another emoji, another message: each their own.
    CHECK(s.append(pin(id, entry_kind::key_moment, "U0B", "", t0(10), item)));
    CHECK(s.append(pin(id, entry_kind::key_moment, "U0A", "", t0(10), item, "round_pushpin")));
    CHECK(s.append(pin(id, entry_kind::key_moment, "U0A", "", t0(11), to_slack_ts(t0(11)))));
    // Removed, live; the removal found again in history is the same removal.
    CHECK(s.append(pin(id, entry_kind::unreaction, "U0A", "Ev-unpin", t0(30), item)));
    CHECK_FALSE(s.append(pin(id, entry_kind::unreaction, "U0A", "", t0(40), item)));
    // Pinned again: a new key moment.
    CHECK(s.append(pin(id, entry_kind::key_moment, "U0A", "", t0(50), item)));
    // Other reactions are not touched by these rules.
    CHECK(s.append(pin(id, entry_kind::reaction, "U0A", "Ev-eyes-1", t0(60), item, "eyes")));
    CHECK(s.append(pin(id, entry_kind::unreaction, "U0A", "Ev-eyes-2", t0(61), item, "eyes")));
    CHECK(s.append(pin(id, entry_kind::unreaction, "U0A", "Ev-eyes-3", t0(62), item, "eyes")));
    CHECK(count_kind(s, id, entry_kind::key_moment) == 5);
}

TEST_CASE("the watermark: the newest ts stored before the loss, kept until the catch-up is done") {
    temp_dir dir;
    const auto path = test_db(dir.file("marks.db"));
    std::int64_t a = 0, b = 0;
    {
        store s(path);
        a = make_incident(s, "C0A", t0());
        b = make_incident(s, "C0B", t0(5));
        s.append(live(a, "Ev1", t0(100)));
        s.append(membership(a, entry_kind::join, "U0X", "Ev2", t0(150)));
        s.append(sample_entry(a, "Ev3", t0(170), "an edit's own ts does not count", entry_kind::edit));
        s.append(sample_entry(a, "Ev4", t0(180), "nor a status entry", entry_kind::statuspage));

        // The connection is lost at t0(200): A's watermark is its newest message or join; B has
        // none, so its declaration.
        const std::int64_t ids[] = {a, b};
        const auto marks = s.mark_disconnected(ids, t0(200), 1);
        REQUIRE(marks.size() == 2);
        CHECK(marks[0] == backfill_mark{a, to_slack_ts(t0(150)), t0(200), 1});
        CHECK(marks[1] == backfill_mark{b, to_slack_ts(t0(5)), t0(200), 1});

        // Live events stored after the reconnect do not move it; another loss before the catch-up
        // keeps it (and its start), and takes the new epoch.
        s.append(live(a, "Ev5", t0(300)));
        const auto again = s.mark_disconnected(ids, t0(400), 2);
        CHECK(again[0] == backfill_mark{a, to_slack_ts(t0(150)), t0(200), 2});
        CHECK(s.backfill_marks() == again);
    }
    {
        // Across a restart (a crash) it is still there.
        store s(path);
        CHECK(s.backfill_marks().size() == 2);

        // A catch-up of the older epoch does not clear it (a newer loss needs catching up too);
        // the current one does, with its gap entry, once.
        const auto gap = flows::make_gap_entry(a, 1, t0(200), t0(260), 3, "", t0(261));
        CHECK_FALSE(s.finish_backfill(a, 1, &gap));
        CHECK(s.backfill_marks().size() == 2);
        const auto gap2 = flows::make_gap_entry(a, 2, t0(200), t0(460), 3, "", t0(461));
        CHECK(s.finish_backfill(a, 2, &gap2));
        CHECK_FALSE(s.finish_backfill(a, 2, &gap2));
        CHECK(count_kind(s, a, entry_kind::gap) == 2);
        CHECK(s.backfill_marks() == std::vector<backfill_mark>{{b, to_slack_ts(t0(5)), t0(200), 2}});
        CHECK(s.finish_backfill(b, 2, nullptr));
        CHECK(s.backfill_marks().empty());

        // At start-up the moment of the loss is not known: the last entry stored says when the bot
        // was last alive. A is marked again from its newest message, now t0(300).
        const std::int64_t ids[] = {a};
        const auto marks = s.mark_disconnected(ids, std::nullopt, 3);
        CHECK(marks == std::vector<backfill_mark>{{a, to_slack_ts(t0(300)), t0(461), 3}});
        CHECK(s.mark_disconnected({}, std::nullopt, 4).empty());
    }
}

namespace {
// The bot's rule (core/flows/backfill.hpp decide_gap) with a 60 s lease, for `me`.
std::function<bool(const store::gap_claim*)> reads(const std::string& me, time_point now) {
    return [me, now](const store::gap_claim* held) {
        return held == nullptr ||
               flows::decide_gap(true, held->owner, held->renewed_at, held->done, claim_lease{60s, me}, now) ==
                   flows::gap_decision::read;
    };
}
}  // namespace

TEST_CASE("gap claims (several instances): one reader per gap; renewed, taken over after the lease; done clears the mark") {
    temp_dir dir;
    const auto path = test_db(dir.file("claims.db"));
    store s(path);
    const auto a = make_incident(s, "C0A", t0());
    s.append(live(a, "Ev1", t0(100)));
    const std::int64_t ids[] = {a};
    // Two instances lost the connection: one mark (the first loss's), the later epoch.
    s.mark_disconnected(ids, t0(200), 1);
    const auto marks = s.mark_disconnected(ids, t0(210), 2);
    REQUIRE(marks.size() == 1);
    const backfill_gap gap{"C0A", marks[0].since_ts, marks[0].down_from};
    CHECK(gap.down_from == t0(200));

    // A claims it; B finds it A's while A renews it, and A's own second look keeps it.
    const auto first = s.claim_gap(gap, "A", t0(300), reads("A", t0(300)));
    CHECK(first.claimed);
    CHECK(first.held == store::gap_claim{"A", t0(300), false});
    const auto busy = s.claim_gap(gap, "B", t0(330), reads("B", t0(330)));
    CHECK_FALSE(busy.claimed);
    CHECK(busy.held == store::gap_claim{"A", t0(300), false});
    CHECK(s.renew_gaps("A", t0(350)) == 1);
    CHECK_FALSE(s.claim_gap(gap, "B", t0(400), reads("B", t0(400))).claimed);
    CHECK(s.claim_gap(gap, "A", t0(405), reads("A", t0(405))).claimed);
    // A stops renewing (died): B takes it over once the lease has passed.
    const auto taken = s.claim_gap(gap, "B", t0(466), reads("B", t0(466)));
    CHECK(taken.claimed);
    CHECK(taken.held == store::gap_claim{"B", t0(466), false});
    CHECK(s.renew_gaps("A", t0(467)) == 0);

    // B catches it up with B's own epoch (1, not the mark's 2): the claim is done and the mark of
    // that gap cleared all the same, with its gap entry.
    const auto entry = flows::make_gap_entry(a, 1, t0(200), t0(470), 0, "", t0(471));
    CHECK(s.finish_backfill(a, 1, &entry, &gap));
    CHECK(s.backfill_marks().empty());
    CHECK(count_kind(s, a, entry_kind::gap) == 1);
    // A, back, finds it done: it is not read again (its finish clears nothing more).
    const auto done = s.claim_gap(gap, "A", t0(500), reads("A", t0(500)));
    CHECK_FALSE(done.claimed);
    CHECK(done.held == store::gap_claim{"B", t0(466), true});
    CHECK_FALSE(s.finish_backfill(a, 2, nullptr, &gap));
    CHECK(s.renew_gaps("B", t0(501)) == 0);  // done claims are not renewed

    // The next outage is another gap (a new mark: its own down_from), claimed afresh.
    const auto next = s.mark_disconnected(ids, t0(600), 3);
    const backfill_gap gap2{"C0A", next[0].since_ts, next[0].down_from};
    CHECK_FALSE(gap2 == gap);
    CHECK(s.claim_gap(gap2, "A", t0(700), reads("A", t0(700))).claimed);
    // A mark set again by a later loss (same gap) while its reader reads is cleared by the reader.
    s.mark_disconnected(ids, t0(710), 4);
    CHECK(s.finish_backfill(a, 3, nullptr, &gap2));
    CHECK(s.backfill_marks().empty());
}

TEST_CASE("gap claims: two instances claim one gap at once; exactly one reads it") {
    temp_dir dir;
    const auto path = test_db(dir.file("claim-race.db"));
    store a(path);
    store b(path);
    const backfill_gap gap{"C0RACE", "1700000100.000000", t0(200)};
    SUBCASE("no claim yet: both insert") {}
    SUBCASE("an expired claim: both take it over") { CHECK(a.claim_gap(gap, "C", t0(), reads("C", t0())).claimed); }
    // B claims while A's claim is written but not committed: B waits (SQLite: for the write lock;
    // PostgreSQL: on the row's lock or its unique key), then finds it A's, just renewed.
    a.begin_group();
    const auto won = a.claim_gap(gap, "A", t0(300), reads("A", t0(300)));
    store::gap_claim_result lost;
    lost.claimed = true;
    std::thread other([&] { lost = b.claim_gap(gap, "B", t0(300), reads("B", t0(300))); });
    std::this_thread::sleep_for(300ms);
    a.commit_group();
    other.join();
    CHECK(won.claimed);
    CHECK_FALSE(lost.claimed);
    CHECK(lost.held == store::gap_claim{"A", t0(300), false});
}

TEST_CASE("thread_parents: the threads that have replies on the timeline") {
    store s(test_db());
    const auto id = make_incident(s);
    auto reply = [&](const std::string& key, time_point at, const std::string& parent) {
        auto e = live(id, key, at);
        e.attrs["thread_ts"] = parent;
        return e;
    };
    s.append(live(id, "Ev0", t0(1)));
    s.append(reply("Ev1", t0(5), to_slack_ts(t0(3))));
    s.append(reply("Ev2", t0(6), to_slack_ts(t0(1))));
    s.append(reply("Ev3", t0(7), to_slack_ts(t0(3))));
    CHECK(s.thread_parents(id) == std::vector<std::string>{to_slack_ts(t0(1)), to_slack_ts(t0(3))});
    CHECK(s.thread_parents(id + 1).empty());
}

}  // TEST_SUITE
