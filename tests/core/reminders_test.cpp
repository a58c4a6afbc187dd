#include "core/reminders.hpp"
#include "core/summary_lease.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace ib;
using namespace std::chrono_literals;
using std::chrono::seconds;

namespace {

const time_point t0 = *parse_iso8601("2026-11-20T09:00:00Z");

incident fresh(severity sev = severity::sev3, std::int64_t id = 7, time_point at = t0) {
    auto d = declare_incident("Login page down", sev, "UDECL", "C1", "inc-20261120-login-page-down", at);
    REQUIRE(d);
    d->inc.id = id;
    return d->inc;
}

timeline_entry update(const incident& inc, std::string_view text, time_point at, std::string_view by = "UCOMMS") {
    auto e = record_statuspage_update(inc, text, by, at);
    REQUIRE(e);
    return *e;
}

timeline_entry snooze(const incident& inc, seconds d, time_point at) {
    auto e = make_snooze_entry(inc, d, "UCOMMS", at);
    REQUIRE(e);
    return *e;
}

timeline_entry message(const incident& inc, std::string_view text, time_point at) {
    timeline_entry e;
    e.incident_id = inc.id;
    e.at = at;
    e.user = "U9";
    e.kind = entry_kind::message;
    e.text = std::string(text);
    return e;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

// A tiny in-memory "store": what the bot appends to the timeline, and feeds to the scheduler.
struct fake_bot {
    reminder_scheduler sched;
    std::vector<timeline_entry> timeline;
    explicit fake_bot(reminder_policy p = reminder_policy::defaults()) : sched(p) {}
    void record(const timeline_entry& e) {
        timeline.push_back(e);
        sched.on_entry(e.incident_id, e);
    }
};

}  // namespace

TEST_SUITE("reminders") {

TEST_CASE("policy: defaults, uniform and per severity") {
    const auto p = reminder_policy::defaults();
    CHECK(p.for_severity(severity::sev1) == seconds{15min});
    CHECK(p.for_severity(severity::sev2) == seconds{30min});
    CHECK(p.for_severity(severity::sev3) == seconds{60min});
    CHECK_FALSE(p.for_severity(severity::sev4));
    CHECK_FALSE(p.for_severity(severity::sev5));

    const auto u = reminder_policy::uniform(2s);
    for (int i = 1; i <= 5; ++i) CHECK(u.for_severity(static_cast<severity>(i)) == 2s);
    const auto off = reminder_policy::uniform(0s);
    for (int i = 1; i <= 5; ++i) CHECK_FALSE(off.for_severity(static_cast<severity>(i)));
}

TEST_CASE("policy parsing") {
    SUBCASE("a full config") {
        auto p = parse_reminder_policy("sev1=15m,sev2=30m,sev3=1h,sev4=off");
        REQUIRE(p);
        CHECK(*p == reminder_policy::defaults());
    }
    SUBCASE("unspecified severities keep the defaults; spaces, case and key spellings") {
        auto p = parse_reminder_policy(" SEV1 = 5M , s4=2h, 5=1h30m ,");
        REQUIRE(p);
        CHECK(p->for_severity(severity::sev1) == seconds{5min});
        CHECK(p->for_severity(severity::sev2) == seconds{30min});
        CHECK(p->for_severity(severity::sev3) == seconds{60min});
        CHECK(p->for_severity(severity::sev4) == seconds{2h});
        CHECK(p->for_severity(severity::sev5) == seconds{90min});
    }
    SUBCASE("off and none turn a default off; empty text is the defaults") {
        auto p = parse_reminder_policy("sev1=none,sev3=OFF");
        REQUIRE(p);
        CHECK_FALSE(p->for_severity(severity::sev1));
        CHECK_FALSE(p->for_severity(severity::sev3));
        CHECK(p->for_severity(severity::sev2) == seconds{30min});
        auto empty = parse_reminder_policy("  ");
        REQUIRE(empty);
        CHECK(*empty == reminder_policy::defaults());
    }
    SUBCASE("errors name the bad item") {
        struct bad_case {
            const char* text;
            const char* says;
        };
        for (const auto& [text, says] : {bad_case{"sev1", "expected <severity>=<duration|off>"},
                                         bad_case{"sev9=5m", "unknown severity `sev9`"},
                                         bad_case{"=5m", "unknown severity ``"},
                                         bad_case{"sev1=soon", "`soon` is neither a positive duration"},
                                         bad_case{"sev1=0m", "`0m` is neither"},
                                         bad_case{"sev1=", "`` is neither"},
                                         bad_case{"sev2=5m,SEV2=10m", "sev2 is given more than once"}}) {
            auto p = parse_reminder_policy(text);
            REQUIRE_MESSAGE(!p, text);
            CHECK(p.error().code == errc::invalid_argument);
            CHECK_MESSAGE(contains(p.error().message, says), p.error().message);
            CHECK(contains(p.error().message, "reminder policy"));
        }
    }
}

TEST_CASE("apply folds status-page and reminder entries only") {
    auto inc = fresh();
    reminder_state st;
    apply(st, message(inc, "is the status page updated?", t0 + 1min));
    auto note = add_note(inc, "a note", "U1", t0 + 2min);
    REQUIRE(note);
    apply(st, *note);
    CHECK(st == reminder_state{});

    apply(st, update(inc, "Investigating login failures", t0 + 5min, "U5"));
    CHECK(st.last_update == t0 + 5min);
    CHECK(st.last_update_text == "Investigating login failures");
    CHECK(st.last_update_by == "U5");

    SUBCASE("an older update arriving late does not win") {
        apply(st, update(inc, "older", t0 + 4min));
        CHECK(st.last_update == t0 + 5min);
        CHECK(st.last_update_text == "Investigating login failures");
    }
    SUBCASE("posted reminders only move forward; a reminder without a type counts as posted") {
        apply(st, make_reminder_entry(inc, t0 + 70min));
        CHECK(st.last_reminder == t0 + 70min);
        apply(st, make_reminder_entry(inc, t0 + 65min));
        CHECK(st.last_reminder == t0 + 70min);
        timeline_entry legacy;
        legacy.kind = entry_kind::reminder;
        legacy.at = t0 + 80min;
        legacy.text = "No status-page update for 15 minutes.";
        apply(st, legacy);
        CHECK(st.last_reminder == t0 + 80min);
    }
    SUBCASE("snoozes: the latest wins; unreadable or unknown ones are ignored") {
        apply(st, snooze(inc, 1h, t0 + 10min));
        CHECK(st.snoozed_until == t0 + 70min);
        apply(st, snooze(inc, 5min, t0 + 12min));
        CHECK(st.snoozed_until == t0 + 17min);
        timeline_entry bad = snooze(inc, 1h, t0 + 13min);
        bad.attrs["until"] = "tomorrow";
        apply(st, bad);
        bad.attrs.erase("until");
        apply(st, bad);
        CHECK(st.snoozed_until == t0 + 17min);
        timeline_entry other = make_reminder_entry(inc, t0 + 99min);
        other.attrs["type"] = "digest";  // a future type this build does not know
        apply(st, other);
        CHECK_FALSE(st.last_reminder);
    }
    SUBCASE("the stored quote is clipped, UTF-8 safe") {
        std::string longer;
        for (int i = 0; i < 400; ++i) longer += "é";  // 800 bytes
        apply(st, update(inc, longer, t0 + 6min));
        CHECK(st.last_update_text.size() <= max_stored_update_bytes);
        CHECK(st.last_update_text.ends_with("…"));
        CHECK(st.last_update_text.starts_with("éé"));
        CHECK_NOTHROW((void)nlohmann::json(st.last_update_text).dump());
    }
}

TEST_CASE("next_reminder_due: the formula") {
    const auto p = reminder_policy::defaults();
    auto inc = fresh(severity::sev2);
    reminder_state st;
    CHECK(next_reminder_due(inc, st, p) == t0 + 30min);
    SUBCASE("counted from detection when it is known") {
        REQUIRE(set_detected(inc, t0 - 10min, "U1", t0 + 1min));
        CHECK(next_reminder_due(inc, st, p) == t0 + 20min);
    }
    SUBCASE("from the last update, or a later reminder, never before a snooze") {
        st.last_update = t0 + 10min;
        CHECK(next_reminder_due(inc, st, p) == t0 + 40min);
        st.last_reminder = t0 + 41min;
        CHECK(next_reminder_due(inc, st, p) == t0 + 71min);
        st.snoozed_until = t0 + 60min;  // earlier than the due time: no effect
        CHECK(next_reminder_due(inc, st, p) == t0 + 71min);
        st.snoozed_until = t0 + 90min;
        CHECK(next_reminder_due(inc, st, p) == t0 + 90min);
    }
    SUBCASE("none for a resolved incident or a severity without cadence") {
        auto sev4 = fresh(severity::sev4);
        CHECK_FALSE(next_reminder_due(sev4, st, p));
        REQUIRE(resolve(inc, "U1", "", t0 + 5min));
        CHECK_FALSE(next_reminder_due(inc, st, p));
    }
}

TEST_CASE("scheduler: due exactly one cadence after the start, not a second before") {
    fake_bot bot;
    auto inc = fresh(severity::sev3);
    bot.sched.track(inc, {});
    CHECK(bot.sched.size() == 1);
    CHECK(bot.sched.next_wakeup() == t0 + 60min);
    CHECK(bot.sched.due(t0 + 60min - 1s).empty());
    CHECK(bot.sched.due(t0 + 60min - 1us).empty());
    CHECK(bot.sched.due(t0 + 60min) == std::vector<std::int64_t>{7});
    CHECK(bot.sched.due(t0 + 61min) == std::vector<std::int64_t>{7});  // overdue stays due until posted

    SUBCASE("a status-page update resets the count") {
        bot.record(update(inc, "Investigating", t0 + 20min));
        CHECK(bot.sched.next_wakeup() == t0 + 80min);
        CHECK(bot.sched.due(t0 + 60min).empty());
        CHECK(bot.sched.state(7)->last_update_text == "Investigating");
    }
    SUBCASE("after a posted reminder the next is one cadence later, until someone updates") {
        bot.record(make_reminder_entry(inc, t0 + 60min + 3s));  // posted a little late
        CHECK(bot.sched.next_wakeup() == t0 + 120min + 3s);
        CHECK(bot.sched.due(t0 + 120min).empty());
        bot.record(make_reminder_entry(inc, t0 + 120min + 3s));
        CHECK(bot.sched.next_wakeup() == t0 + 180min + 3s);
        bot.record(update(inc, "Identified", t0 + 130min));  // update after the reminder
        CHECK(bot.sched.next_wakeup() == t0 + 190min);
    }
    SUBCASE("unrelated entries change nothing") {
        bot.record(message(inc, "looking", t0 + 30min));
        auto ack = acknowledge(inc, "U2", t0 + 31min);
        REQUIRE(ack);
        bot.record(*ack);
        CHECK(bot.sched.next_wakeup() == t0 + 60min);
    }
}

TEST_CASE("scheduler: snooze") {
    fake_bot bot;
    auto inc = fresh(severity::sev1);  // due t0+15m
    bot.sched.track(inc, {});
    bot.record(snooze(inc, 30min, t0 + 10min));
    CHECK(bot.sched.state(7)->snoozed_until == t0 + 40min);
    CHECK(bot.sched.next_wakeup() == t0 + 40min);
    CHECK(bot.sched.due(t0 + 40min - 1s).empty());
    CHECK(bot.sched.due(t0 + 40min) == std::vector<std::int64_t>{7});
    // The snooze entry survives a restart.
    const auto derived = derive_reminder_state(bot.timeline);
    CHECK(derived.snoozed_until == t0 + 40min);
    CHECK(next_reminder_due(inc, derived, bot.sched.policy()) == t0 + 40min);

    SUBCASE("a snooze shorter than the cadence changes nothing") {
        fake_bot b2;
        b2.sched.track(inc, {});
        b2.record(snooze(inc, 1min, t0 + 2min));
        CHECK(b2.sched.next_wakeup() == t0 + 15min);
    }
    SUBCASE("after the snooze, reminders carry on one cadence after each") {
        bot.record(make_reminder_entry(inc, t0 + 40min));
        CHECK(bot.sched.next_wakeup() == t0 + 55min);
    }
}

TEST_CASE("make_snooze_entry and make_reminder_entry") {
    auto inc = fresh();
    SUBCASE("snooze entry") {
        auto e = make_snooze_entry(inc, 15min, "U3", t0 + 5min);
        REQUIRE(e);
        CHECK(e->kind == entry_kind::reminder);
        CHECK(e->incident_id == 7);
        CHECK(e->user == "U3");
        CHECK(e->at == t0 + 5min);
        CHECK(e->attr("type") == "snooze");
        CHECK(e->attr("until") == "2026-11-20T09:20:00Z");
        CHECK(contains(e->text, "15m"));
    }
    SUBCASE("until is rounded up to a whole second, so it is never earlier than asked") {
        auto e = make_snooze_entry(inc, 15min, "U3", t0 + 5min + 250ms);
        REQUIRE(e);
        CHECK(e->attr("until") == "2026-11-20T09:20:01Z");
    }
    SUBCASE("refusals") {
        auto at_limit = make_snooze_entry(inc, 24h, "U3", t0);
        CHECK(at_limit);
        for (seconds bad : {seconds{0}, seconds{-60}, seconds{24h} + 1s, seconds{48h}}) {
            auto e = make_snooze_entry(inc, bad, "U3", t0);
            REQUIRE_FALSE(e);
            CHECK(e.error().code == errc::invalid_argument);
        }
        CHECK(contains(make_snooze_entry(inc, 0s, "U3", t0).error().message, "positive"));
        CHECK(contains(make_snooze_entry(inc, 25h, "U3", t0).error().message, "at most 24 hours"));
        REQUIRE(resolve(inc, "U1", "", t0 + 1min));
        auto e = make_snooze_entry(inc, 15min, "U3", t0 + 2min);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::not_allowed);
        CHECK(contains(e.error().message, "resolved"));
    }
    SUBCASE("reminder entry: the bot's, posted, with a dedupe key") {
        const auto e = make_reminder_entry(inc, t0 + 60min);
        CHECK(e.kind == entry_kind::reminder);
        CHECK(e.user.empty());
        CHECK(e.incident_id == 7);
        CHECK(e.at == t0 + 60min);
        CHECK(e.attr("type") == "posted");
        CHECK_FALSE(e.key.empty());
        CHECK(e.key != make_reminder_entry(inc, t0 + 61min).key);
    }
}

TEST_CASE("reminder_to_claim: due as stored, keyed by its due time, so instances firing apart agree") {
    const incident inc = fresh(severity::sev3);  // 60 min cadence
    const auto policy = reminder_policy::defaults();
    CHECK_FALSE(reminder_to_claim(inc, {}, t0 + 59min, policy));
    const auto a = reminder_to_claim(inc, {}, t0 + 60min + 2s, policy);
    const auto b = reminder_to_claim(inc, {}, t0 + 60min + 900ms, policy);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->key == b->key);  // the same reminder, whichever instance noticed it first
    CHECK(a->key == "reminder:7:due:" + std::to_string(to_unix_micros(t0 + 60min)));
    CHECK(a->at == t0 + 60min + 2s);
    CHECK(a->kind == entry_kind::reminder);
    // Once one is stored, the next is a cadence after it: not due again at the same moment.
    const std::vector<timeline_entry> posted{*a};
    CHECK_FALSE(reminder_to_claim(inc, posted, t0 + 60min + 3s, policy));
    const auto next = reminder_to_claim(inc, posted, t0 + 120min + 2s, policy);
    REQUIRE(next);
    CHECK(next->key == "reminder:7:due:" + std::to_string(to_unix_micros(t0 + 120min + 2s)));
    auto resolved = inc;
    resolved.state = status::resolved;
    CHECK_FALSE(reminder_to_claim(resolved, {}, t0 + 5h, policy));
}

// Issue 15: a claim is followed by its mark; another owner's claim left unmarked past the lease
// is taken over, once per attempt; an instance never takes over its own.
TEST_CASE("reminder_to_claim: a claim without its mark is taken over after the lease, by another owner") {
    const incident inc = fresh(severity::sev3);  // 60 min cadence
    const auto policy = reminder_policy::defaults();
    const claim_lease a{60s, "host-a:1:aa"}, b{60s, "host-b:2:bb"};
    const auto claim = reminder_to_claim(inc, {}, t0 + 60min + 1s, policy, a);
    REQUIRE(claim);
    const std::string due = "reminder:7:due:" + std::to_string(to_unix_micros(t0 + 60min));
    CHECK(claim->key == due);
    CHECK(claim->attr("claim") == due);
    CHECK(claim->attr("attempt") == "0");
    CHECK(claim->attr("owner") == "host-a:1:aa");
    CHECK(claim->attr("type") == "posted");  // older builds count it as a reminder too

    std::vector<timeline_entry> stored{*claim};
    const auto st = derive_reminder_state(stored);
    REQUIRE(st.unmarked);
    CHECK(*st.unmarked == reminder_claim{due, due, 0, "host-a:1:aa", t0 + 60min + 1s});
    // Within the lease: nothing for anyone (A is posting it); B wakes when the lease ends.
    CHECK_FALSE(reminder_to_claim(inc, stored, t0 + 60min + 60s, policy, b));
    CHECK(next_reminder_due(inc, st, policy, b) == t0 + 60min + 61s);
    CHECK(next_reminder_due(inc, st, policy, a) == t0 + 120min + 1s);  // its own: the cadence

    SUBCASE("marked: nothing to take over, the next one at the cadence") {
        stored.push_back(make_reminder_mark(*claim, claim->at, "posted"));
        CHECK(stored.back().key == due + ":mark");
        CHECK(stored.back().attr("of") == due);
        CHECK(stored.back().attr("outcome") == "posted");
        CHECK_FALSE(derive_reminder_state(stored).unmarked);
        CHECK_FALSE(reminder_to_claim(inc, stored, t0 + 65min, policy, b));
        CHECK(next_reminder_due(inc, derive_reminder_state(stored), policy, b) == t0 + 120min + 1s);
        // A failed post is marked too: it is not tried again until the next reminder.
        auto failed = stored;
        failed.back() = make_reminder_mark(*claim, claim->at, "failed");
        CHECK_FALSE(derive_reminder_state(failed).unmarked);
    }
    SUBCASE("unmarked past the lease: B takes it over, once per attempt; B's own claim then waits its lease") {
        const auto take = reminder_to_claim(inc, stored, t0 + 61min + 1s, policy, b);
        REQUIRE(take);
        CHECK(take->key == due + ":1");
        CHECK(take->attr("claim") == due);
        CHECK(take->attr("attempt") == "1");
        CHECK(take->attr("owner") == "host-b:2:bb");
        CHECK(is_bookkeeping(*take));  // the reminder shows once: as A's claim
        CHECK(take->attr("of") == due);
        // A restarted A is another process, another owner: it would decide the same (one stores it).
        const claim_lease a_again{60s, "host-a:3:cc"};
        CHECK(reminder_to_claim(inc, stored, t0 + 61min + 5s, policy, a_again)->key == take->key);
        // A never takes over its own claim: alive, it marks it.
        CHECK_FALSE(reminder_to_claim(inc, stored, t0 + 61min + 1s, policy, a));

        stored.push_back(*take);
        CHECK(derive_reminder_state(stored).unmarked->key == due + ":1");
        // A late mark of A's superseded claim does not clear B's.
        stored.push_back(make_reminder_mark(*claim, t0 + 61min + 2s, "posted"));
        CHECK(derive_reminder_state(stored).unmarked->key == due + ":1");
        // B died too: the next owner takes over attempt 2.
        const claim_lease c{60s, "host-c:4:dd"};
        CHECK_FALSE(reminder_to_claim(inc, stored, t0 + 62min, policy, c));
        const auto again = reminder_to_claim(inc, stored, t0 + 62min + 1s, policy, c);
        REQUIRE(again);
        CHECK(again->key == due + ":2");
        // B marks: nothing left; the next reminder a cadence after B's claim.
        stored.push_back(make_reminder_mark(*take, take->at, "posted"));
        CHECK_FALSE(reminder_to_claim(inc, stored, t0 + 62min + 1s, policy, c));
        CHECK(next_reminder_due(inc, derive_reminder_state(stored), policy, c) == t0 + 121min + 1s);
    }
    SUBCASE("a cadence shorter than the lease: the next reminder does not wait for the lease") {
        const auto every_3s = reminder_policy::uniform(3s);
        const incident quick = fresh(severity::sev2);
        const auto first = reminder_to_claim(quick, {}, t0 + 3s, every_3s, a);
        REQUIRE(first);
        const std::vector<timeline_entry> one{*first};
        CHECK(next_reminder_due(quick, derive_reminder_state(one), every_3s, b) == t0 + 6s);
        CHECK_FALSE(reminder_to_claim(quick, one, t0 + 5s, every_3s, b));
        const auto next = reminder_to_claim(quick, one, t0 + 6s, every_3s, b);
        REQUIRE(next);
        CHECK(next->attr("attempt") == "0");  // a new reminder, not A's taken over
        CHECK(next->key == "reminder:7:due:" + std::to_string(to_unix_micros(t0 + 6s)));
    }
    SUBCASE("resolved: nothing to take over") {
        auto resolved = inc;
        resolved.state = status::resolved;
        CHECK_FALSE(reminder_to_claim(resolved, stored, t0 + 5h, policy, b));
    }
}

TEST_CASE("scheduler: another owner's unmarked claim falls due when its lease ends; noting one clears it") {
    const claim_lease mine{30s, "me"};
    reminder_scheduler sched(reminder_policy::defaults(), mine);
    const incident inc = fresh(severity::sev3);
    const auto theirs = reminder_to_claim(inc, {}, t0 + 60min, reminder_policy::defaults(), {30s, "them"});
    REQUIRE(theirs);
    sched.track(inc, derive_reminder_state(std::vector<timeline_entry>{*theirs}));
    CHECK(sched.due_at(7) == t0 + 60min + 30s);
    CHECK(sched.due(t0 + 60min + 29s).empty());
    CHECK(sched.due(t0 + 60min + 30s) == std::vector<std::int64_t>{7});
    // The reminder flow notes its reminder in memory before claiming: no storm if the claim fails.
    sched.on_entry(7, make_reminder_entry(inc, t0 + 60min + 30s));
    CHECK(sched.due_at(7) == t0 + 120min + 30s);
    // Marked: the cadence again.
    sched.track(inc, derive_reminder_state(std::vector<timeline_entry>{*theirs, make_reminder_mark(*theirs, theirs->at, "posted")}));
    CHECK(sched.due_at(7) == t0 + 120min);
}

TEST_CASE("scheduler: a severity change re-plans") {
    fake_bot bot;
    auto inc = fresh(severity::sev3);
    bot.sched.track(inc, {});
    CHECK(bot.sched.next_wakeup() == t0 + 60min);

    REQUIRE(change_severity(inc, severity::sev1, "U1", t0 + 5min));
    bot.sched.on_incident_changed(inc);
    CHECK(bot.sched.next_wakeup() == t0 + 15min);
    CHECK(bot.sched.due(t0 + 15min) == std::vector<std::int64_t>{7});

    REQUIRE(change_severity(inc, severity::sev4, "U1", t0 + 6min));
    bot.sched.on_incident_changed(inc);
    CHECK_FALSE(bot.sched.next_wakeup());
    CHECK(bot.sched.due(t0 + 24h).empty());
    CHECK(bot.sched.size() == 1);  // still tracked: a later change can bring reminders back

    REQUIRE(change_severity(inc, severity::sev2, "U1", t0 + 7min));
    bot.sched.on_incident_changed(inc);
    CHECK(bot.sched.next_wakeup() == t0 + 30min);

    // A new detection time moves the start the count begins from.
    REQUIRE(set_detected(inc, t0 - 20min, "U1", t0 + 8min));
    bot.sched.on_incident_changed(inc);
    CHECK(bot.sched.next_wakeup() == t0 + 10min);
}

TEST_CASE("scheduler: resolving stops reminders, reopening resumes them") {
    fake_bot bot;
    auto inc = fresh(severity::sev2);
    bot.sched.track(inc, {});
    bot.record(update(inc, "Investigating", t0 + 10min));

    REQUIRE(resolve(inc, "U1", "fixed", t0 + 20min));
    bot.sched.on_incident_changed(inc);
    CHECK_FALSE(bot.sched.next_wakeup());
    CHECK(bot.sched.due(t0 + 10h).empty());
    REQUIRE(bot.sched.state(7));
    CHECK(bot.sched.state(7)->last_update == t0 + 10min);

    SUBCASE("reopened before the cadence ran out") {
        REQUIRE(reopen(inc, "U1", "", t0 + 25min));
        bot.sched.on_incident_changed(inc);
        CHECK(bot.sched.next_wakeup() == t0 + 40min);
    }
    SUBCASE("reopened long after: due at once (the status page still says what it said)") {
        REQUIRE(reopen(inc, "U1", "", t0 + 5h));
        bot.sched.on_incident_changed(inc);
        CHECK(bot.sched.due(t0 + 5h) == std::vector<std::int64_t>{7});
        bot.record(make_reminder_entry(inc, t0 + 5h));
        CHECK(bot.sched.next_wakeup() == t0 + 5h + 30min);
    }
    SUBCASE("track() of a resolved incident holds it without scheduling it") {
        reminder_scheduler s;
        s.track(inc, derive_reminder_state(bot.timeline));
        CHECK(s.size() == 1);
        CHECK_FALSE(s.next_wakeup());
    }
}

TEST_CASE("scheduler: a restart re-derives the same schedule from the stored timeline") {
    fake_bot bot;
    auto a = fresh(severity::sev1, 1);
    auto b = fresh(severity::sev2, 2, t0 + 3min);
    auto c = fresh(severity::sev3, 3, t0 + 4min);
    for (const auto* i : {&a, &b, &c}) bot.sched.track(*i, {});

    // A morning of activity: chat, updates, reminders, a snooze.
    bot.record(message(a, "500s everywhere", t0 + 1min));
    bot.record(update(a, "We are investigating", t0 + 6min));
    bot.record(make_reminder_entry(a, t0 + 21min));
    bot.record(update(b, "Degraded checkout", t0 + 10min));
    bot.record(snooze(b, 2h, t0 + 12min));
    bot.record(make_reminder_entry(c, t0 + 64min));
    bot.record(message(c, "still looking", t0 + 70min));

    // Restart: a new scheduler built only from what was stored.
    reminder_scheduler restarted;
    for (const auto* i : {&a, &b, &c}) {
        std::vector<timeline_entry> own;
        for (const auto& e : bot.timeline)
            if (e.incident_id == i->id) own.push_back(e);
        restarted.track(*i, derive_reminder_state(own));
        REQUIRE(restarted.state(i->id));
        CHECK(*restarted.state(i->id) == *bot.sched.state(i->id));
        CHECK(restarted.due_at(i->id) == bot.sched.due_at(i->id));
    }
    CHECK(restarted.due_at(1) == t0 + 36min);
    CHECK(restarted.due_at(2) == t0 + 2h + 12min);
    CHECK(restarted.due_at(3) == t0 + 124min);
    CHECK(restarted.next_wakeup() == bot.sched.next_wakeup());
    CHECK(restarted.due(t0 + 3h) == bot.sched.due(t0 + 3h));
    CHECK(restarted.due(t0 + 3h) == std::vector<std::int64_t>{1, 3, 2});  // by due time
}

TEST_CASE("scheduler: a uniform 2 s cadence driven by a manual clock") {
    fake_bot bot(reminder_policy::uniform(2s));
    auto inc = fresh(severity::sev4);  // no default cadence, but --status-reminder covers every severity
    bot.sched.track(inc, {});
    time_point now = t0;
    std::vector<time_point> posted;
    // The bot's loop: sleep until next_wakeup(), post what is due, record it.
    while (true) {
        const auto wake = bot.sched.next_wakeup();
        REQUIRE(wake);
        if (*wake > t0 + 10s) break;
        CHECK(*wake >= now);
        now = *wake;
        CHECK(bot.sched.due(now - 1us).empty());
        for (auto id : bot.sched.due(now)) {
            CHECK(id == 7);
            posted.push_back(now);
            bot.record(make_reminder_entry(inc, now));
        }
        if (now == t0 + 6s) bot.record(update(inc, "We are on it", now + 1s));
    }
    CHECK(posted == std::vector<time_point>{t0 + 2s, t0 + 4s, t0 + 6s, t0 + 9s});
}

TEST_CASE("scheduler: bookkeeping") {
    reminder_scheduler s;
    CHECK(s.size() == 0);
    CHECK_FALSE(s.next_wakeup());
    CHECK(s.due(t0).empty());
    CHECK(s.state(1) == nullptr);
    CHECK_FALSE(s.due_at(1));

    auto inc = fresh(severity::sev1, 1);
    s.on_incident_changed(inc);  // untracked: ignored
    s.on_entry(1, update(inc, "x", t0));
    CHECK(s.size() == 0);

    reminder_state st;
    st.last_update = t0 + 1min;
    s.track(inc, st);
    CHECK(s.due_at(1) == t0 + 16min);
    s.track(inc, {});  // track again replaces the state
    CHECK(s.size() == 1);
    CHECK(s.due_at(1) == t0 + 15min);
    s.forget(1);
    s.forget(1);
    CHECK(s.size() == 0);
    CHECK_FALSE(s.next_wakeup());
}

TEST_CASE("scheduler: 1,000 incidents") {
    reminder_scheduler s;
    std::vector<incident> incs;
    std::uint64_t rng = 12345;
    const auto next = [&rng](std::uint64_t mod) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::int64_t>((rng >> 33) % mod);
    };
    for (int i = 0; i < 1000; ++i) {
        const auto sev = static_cast<severity>(1 + next(5));
        incs.push_back(fresh(sev, 1 + next(1000000), t0 + seconds{next(7200)}));
    }
    // Ids are random (possibly repeated: the later track() replaces) and arrive unsorted.
    std::shuffle(incs.begin(), incs.end(), std::default_random_engine{42});
    for (const auto& i : incs) s.track(i, {});
    std::map<std::int64_t, incident> latest;
    for (const auto& i : incs) latest[i.id] = i;
    CHECK(s.size() == latest.size());

    const auto p = reminder_policy::defaults();
    const auto expected_due = [&](time_point now) {
        std::vector<std::pair<time_point, std::int64_t>> v;
        for (const auto& [id, i] : latest)
            if (auto d = next_reminder_due(i, *s.state(id), p); d && *d <= now) v.emplace_back(*d, id);
        std::sort(v.begin(), v.end());
        std::vector<std::int64_t> ids;
        for (const auto& x : v) ids.push_back(x.second);
        return ids;
    };
    const auto expected_wakeup = [&] {
        std::optional<time_point> best;
        for (const auto& [id, i] : latest)
            if (auto d = next_reminder_due(i, *s.state(id), p); d && (!best || *d < *best)) best = d;
        return best;
    };

    // Walk the clock through three hours, posting every due reminder as the bot would.
    std::size_t posted = 0;
    for (time_point now = t0; now <= t0 + 3h; now += 7min) {
        REQUIRE(s.next_wakeup() == expected_wakeup());
        const auto ids = s.due(now);
        REQUIRE(ids == expected_due(now));
        for (auto id : ids) {
            s.on_entry(id, make_reminder_entry(latest[id], now));
            ++posted;
        }
        CHECK(s.due(now).empty());
        // Some incidents get a status-page update, a few are resolved.
        for (int k = 0; k < 20; ++k) {
            auto& i = latest[std::next(latest.begin(), next(latest.size()))->first];
            if (k == 0 && i.is_open() && resolve(i, "U1", "", std::max(now, i.start()))) s.on_incident_changed(i);
            else s.on_entry(i.id, update(i, "update", std::max(now, i.start())));
        }
    }
    CHECK(posted > 500);
    // Forgetting half keeps the rest intact.
    std::size_t n = 0;
    std::vector<std::int64_t> kept;
    for (const auto& [id, i] : latest) {
        if (n++ % 2 == 0) s.forget(id);
        else kept.push_back(id);
    }
    CHECK(s.size() == kept.size());
    for (const auto& [id, i] : latest) {
        const bool is_kept = std::binary_search(kept.begin(), kept.end(), id);
        CHECK((s.state(id) != nullptr) == is_kept);
        if (is_kept) CHECK(s.due_at(id) == next_reminder_due(i, *s.state(id), p));
    }
    for (auto it = latest.begin(); it != latest.end();)
        it = std::binary_search(kept.begin(), kept.end(), it->first) ? std::next(it) : latest.erase(it);
    CHECK(s.next_wakeup() == expected_wakeup());
    CHECK(s.due(t0 + 10h) == expected_due(t0 + 10h));
}

TEST_CASE("draft status updates follow the status") {
    auto inc = fresh(severity::sev2);
    CHECK(draft_status_update(inc) == "We are investigating Login page down. Next update within 30 minutes.");
    CHECK(draft_status_update(inc, reminder_policy::uniform(2s)) ==
          "We are investigating Login page down. Next update within 2 seconds.");
    CHECK(draft_status_update(inc, reminder_policy::uniform(90min)) ==
          "We are investigating Login page down. Next update within 1 hour 30 minutes.");
    auto sev1 = fresh(severity::sev1);
    CHECK(contains(draft_status_update(sev1), "within 15 minutes."));
    auto sev3 = fresh(severity::sev3);
    CHECK(contains(draft_status_update(sev3), "within 1 hour."));
    auto sev4 = fresh(severity::sev4);
    CHECK(draft_status_update(sev4) == "We are investigating Login page down.");

    REQUIRE(change_status(inc, status::identified, "U1", "", t0 + 5min));
    CHECK(draft_status_update(inc) == "We have identified the cause of Login page down and are working on a fix.");
    REQUIRE(change_status(inc, status::monitoring, "U1", "", t0 + 6min));
    CHECK(draft_status_update(inc) ==
          "A fix for Login page down has been applied and we are monitoring the results.");
    REQUIRE(resolve(inc, "U1", "", t0 + 7min));
    CHECK(draft_status_update(inc) == "Login page down has been resolved.");
}

TEST_CASE("render_reminder") {
    auto inc = fresh(severity::sev2);
    reminder_state st;

    SUBCASE("who is mentioned: comms lead, else commander, else declarer") {
        CHECK(render_reminder(inc, st, t0 + 31min).text.starts_with("<@UDECL> "));
        inc.commander = "UCMD";
        CHECK(render_reminder(inc, st, t0 + 31min).text.starts_with("<@UCMD> "));
        inc.comms_lead = "UCOMMS";
        const auto m = render_reminder(inc, st, t0 + 31min);
        CHECK(m.text.starts_with("<@UCOMMS> "));
        CHECK_FALSE(contains(m.text, "UCMD"));
        CHECK(m.blocks[0]["text"]["text"].get<std::string>().starts_with("<@UCOMMS> "));
        inc.comms_lead = inc.commander = inc.declared_by = "";
        CHECK(render_reminder(inc, st, t0 + 31min).text.starts_with(":loudspeaker: No status-page update"));
        inc.declared_by = "<!channel>";  // never a real id: shown escaped, not as markup
        CHECK(render_reminder(inc, st, t0 + 31min).text.starts_with("&lt;!channel&gt; "));
    }
    SUBCASE("no update yet: time since the start") {
        const auto m = render_reminder(inc, st, t0 + 16min);
        CHECK(contains(m.text, "No status-page update yet, 16m since the incident started."));
        CHECK(contains(render_reminder(inc, st, t0 + 16min + 5s).text, "yet, 16m 05s since"));
    }
    SUBCASE("time since the last update, what it said and when") {
        inc.comms_lead = "UCOMMS";
        apply(st, update(inc, "Investigating login failures", *parse_iso8601("2026-11-20T14:05:00Z")));
        const auto now = *parse_iso8601("2026-11-20T14:37:10Z");
        const auto m = render_reminder(inc, st, now);
        CHECK(contains(m.text, "<@UCOMMS> :loudspeaker: No status-page update for 32m 10s "
                               "(last: “Investigating login failures”, 14:05 UTC)."));
        CHECK(contains(m.text, "`/incident snooze &lt;duration&gt;`"));
        CHECK(contains(m.text, "`/incident statuspage &lt;text&gt;`"));
        CHECK(contains(m.text, "We are investigating Login page down. Next update within 30 minutes."));
        // On another day the date is shown too.
        const auto next_day = render_reminder(inc, st, *parse_iso8601("2026-11-21T00:10:00Z"));
        CHECK(contains(next_day.text, "(last: “Investigating login failures”, 2026-11-20 14:05 UTC)"));
        CHECK(contains(next_day.text, "update for 10h 05m"));
    }
    SUBCASE("blocks: text, draft, the two buttons") {
        REQUIRE(change_status(inc, status::identified, "U1", "", t0 + 5min));
        const auto m = render_reminder(inc, st, t0 + 40min);
        const auto& b = m.blocks;
        REQUIRE(b.is_array());
        REQUIRE(b.size() == 3);
        CHECK(b[0]["type"] == "section");
        CHECK(b[0]["text"]["type"] == "mrkdwn");
        CHECK(contains(b[0]["text"]["text"].get<std::string>(), "No status-page update yet, 40m since"));
        CHECK(b[1]["type"] == "section");
        const std::string draft = "We have identified the cause of Login page down and are working on a fix.";
        CHECK(contains(b[1]["text"]["text"].get<std::string>(), draft));
        CHECK(b[2]["type"] == "actions");
        const auto& buttons = b[2]["elements"];
        REQUIRE(buttons.size() == 2);
        CHECK(buttons[0]["type"] == "button");
        CHECK(buttons[0]["action_id"] == "statuspage_post");
        CHECK(buttons[0]["text"]["type"] == "plain_text");
        CHECK(buttons[0]["text"]["text"] == "Post update");
        CHECK(buttons[0]["value"] == draft);
        CHECK(buttons[1]["action_id"] == "reminder_snooze");
        CHECK(buttons[1]["text"]["text"] == "Snooze 15 min");
        CHECK(buttons[1]["value"] == "15m");
        CHECK(b[2]["block_id"] == "statuspage_reminder:7");
    }
    SUBCASE("stored text is quoted as Slack sent it, one line: a ping is defused, strays escaped") {
        inc.comms_lead = "UCOMMS";
        inc.title = "A&B <!channel> down";
        apply(st, update(inc, "line one\n<!here> & <https://evil|click>", t0 + 1min));
        const auto m = render_reminder(inc, st, t0 + 40min);
        CHECK(contains(m.text, "<@UCOMMS>"));
        CHECK(contains(m.text, "“line one @here &amp; <https://evil|click>”"));
        CHECK(contains(m.text, "We are investigating A&amp;B @channel down."));
        CHECK_FALSE(contains(m.text, "<!"));
        for (int i = 0; i < 2; ++i) {  // the mrkdwn sections
            const auto text = m.blocks[i]["text"]["text"].get<std::string>();
            CHECK_FALSE(contains(text, "<!"));
        }
        // The button value is recorded as the status-page text: Slack text, like a typed one.
        CHECK(m.blocks[2]["elements"][0]["value"] ==
              "We are investigating A&amp;B @channel down. Next update within 30 minutes.");
    }
    SUBCASE("what was typed shows once escaped, never twice") {
        inc.title = "p99 &gt; 2s &amp; rising";
        apply(st, update(inc, "checkout &lt;eu&gt; slow &amp; &lt;!channel&gt;", t0 + 1min));
        const auto m = render_reminder(inc, st, t0 + 40min);
        CHECK(contains(m.text, "“checkout &lt;eu&gt; slow &amp; &lt;!channel&gt;”"));
        CHECK(contains(m.text, "We are investigating p99 &gt; 2s &amp; rising."));
        CHECK_FALSE(contains(m.text, "&amp;gt;"));
        CHECK_FALSE(contains(m.text, "&amp;amp;"));
    }
    SUBCASE("Block Kit limits hold for huge and malformed text") {
        inc.comms_lead = "UCOMMS";
        inc.title = std::string(5000, '&') + "\xff\xfe" + std::string(3000, '<');
        std::string huge;
        for (int i = 0; i < 3000; ++i) huge += "ü&";
        // Longer than /incident statuspage now accepts (3,000): a record written before that
        // limit must still render within Slack's.
        auto long_update = update(inc, "short", t0 + 1min);
        long_update.text = huge;
        apply(st, long_update);
        for (auto s : {status::investigating, status::identified, status::monitoring}) {
            inc.state = s;
            const auto m = render_reminder(inc, st, t0 + 40min);
            std::string dumped;
            REQUIRE_NOTHROW(dumped = m.blocks.dump());  // valid UTF-8 throughout
            CHECK(m.text.size() <= max_reminder_text_bytes);
            CHECK(m.blocks.size() <= 50);
            for (const auto& blk : m.blocks)
                if (blk["type"] == "section") CHECK(blk["text"]["text"].get<std::string>().size() <= 3000);
            const auto& buttons = m.blocks[2]["elements"];
            CHECK(buttons[0]["value"].get<std::string>().size() <= 2000);
            CHECK(contains(buttons[0]["value"].get<std::string>(), "…"));  // the title was cut
            for (const auto& btn : buttons) {
                CHECK(btn["text"]["text"].get<std::string>().size() <= 75);
                CHECK(btn["action_id"].get<std::string>().size() <= 255);
            }
            CHECK(m.blocks[2]["block_id"].get<std::string>().size() <= 255);
            CHECK(contains(m.text, "<@UCOMMS>"));
        }
    }
}

}  // TEST_SUITE

// `inc` resolved at t0 + 1h by the instance `owner`: the resolve entry, keyed resolve-1.
static timeline_entry resolved_by(incident& inc, std::string_view owner) {
    auto resolved = resolve(inc, "UCMD", "fixed", t0 + 1h);
    REQUIRE(resolved);
    resolved->key = "resolve-1";
    stamp_owner(*resolved, owner);
    return *resolved;
}

// Issue 15, part 2 (branch lease-summary, not wired into the bot yet): the summary of a resolve
// whose instance died before marking it is taken over after the lease, once per attempt.
TEST_CASE("summary lease: another owner's unmarked resolve is taken over after the lease; a mark ends it") {
    incident inc = fresh(severity::sev2);
    auto resolved = resolve(inc, "UCMD", "fixed", t0 + 1h);
    REQUIRE(resolved);
    resolved->key = "resolve-1";
    resolved->attrs["owner"] = "a";
    const claim_lease la{60s, "a"}, lb{60s, "b"}, lc{60s, "c"};
    std::vector<timeline_entry> tl{*resolved};

    // The resolving instance holds it; the others wait for the lease.
    CHECK_FALSE(summary_due(inc, derive_summary_lease(tl), la));
    CHECK(summary_due(inc, derive_summary_lease(tl), lb) == t0 + 1h + 60s);
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 1h + 59s, lb));
    const auto taken = summary_to_claim(inc, tl, t0 + 1h + 60s, lb);
    REQUIRE(taken);
    CHECK(taken->key == "summary:7:1");
    CHECK(taken->attr("owner") == "b");
    CHECK(taken->attr("of") == "resolve-1");
    CHECK(is_bookkeeping(*taken));  // no output shows it
    tl.push_back(*taken);

    // b holds it now: c waits for b's lease, then takes it over with the next attempt.
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 1h + 90s, lc));
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 1h + 500s, lb));  // never its own
    const auto again = summary_to_claim(inc, tl, t0 + 1h + 120s, lc);
    REQUIRE(again);
    CHECK(again->key == "summary:7:2");

    // b marks it posted: nobody takes it over, ever; the reminder schedule is not moved.
    tl.push_back(make_summary_mark(inc.id, "resolve-1", "b", t0 + 1h + 70s, "posted"));
    CHECK(is_bookkeeping(tl.back()));
    CHECK(derive_summary_lease(tl).marked);
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 5h, lc));
    CHECK_FALSE(derive_reminder_state(tl).unmarked);

    // Reopened: nothing is due while open; resolved again by c, a new lease whose attempts go on.
    CHECK(reopen(inc, "UCMD", "", t0 + 2h));
    CHECK_FALSE(summary_due(inc, derive_summary_lease(tl), lb));
    auto second = resolve(inc, "UCMD", "fixed again", t0 + 3h);
    REQUIRE(second);
    second->key = "resolve-2";
    second->attrs["owner"] = "c";
    tl.push_back(*second);
    const auto third = summary_to_claim(inc, tl, t0 + 3h + 60s, la);
    REQUIRE(third);
    CHECK(third->key == "summary:7:2");
    CHECK(third->attr("of") == "resolve-2");
}

TEST_CASE("summary lease: a resolve stored by an older build (no owner) and an open incident are never due") {
    incident inc = fresh(severity::sev2);
    CHECK_FALSE(summary_to_claim(inc, {}, t0 + 5h, {60s, "b"}));
    auto resolved = resolve(inc, "UCMD", "", t0 + 1h);
    REQUIRE(resolved);
    const std::vector<timeline_entry> tl{*resolved};
    CHECK(derive_summary_lease(tl).marked);
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 5h, {60s, "b"}));
}

TEST_CASE("summary lease: stamp_owner names the owner of a resolve, of nothing else") {
    incident inc = fresh(severity::sev2);
    auto resolved = resolve(inc, "UCMD", "fixed", t0 + 1h);
    REQUIRE(resolved);
    stamp_owner(*resolved, "host-a:1:aa");
    CHECK(resolved->attr("owner") == "host-a:1:aa");
    auto posted = make_reminder_entry(inc, t0);
    stamp_owner(posted, "host-a:1:aa");
    CHECK(posted.attr("owner").empty());
}

TEST_CASE("summary scheduler: holds another owner's unmarked resolve until its lease ends; a takeover or a mark drops it") {
    incident inc = fresh(severity::sev2);
    std::vector<timeline_entry> tl{resolved_by(inc, "a")};
    summary_scheduler b({60s, "b"});
    CHECK_FALSE(b.next_wakeup());

    // Its own resolve is never held; another's falls due when the lease ends.
    summary_scheduler a({60s, "a"});
    a.track(inc, tl);
    CHECK(a.size() == 0);
    b.track(inc, tl);
    CHECK(b.due_at(7) == t0 + 1h + 60s);
    CHECK(b.next_wakeup() == t0 + 1h + 60s);
    CHECK(b.due(t0 + 1h + 59s).empty());
    CHECK(b.due(t0 + 1h + 60s) == std::vector<std::int64_t>{7});

    // A takeover that could not be stored is tried again later.
    b.postpone(7, t0 + 1h + 90s);
    CHECK(b.due(t0 + 1h + 60s).empty());
    b.postpone(8, t0);  // not held: nothing
    CHECK(b.size() == 1);

    SUBCASE("b takes it over: its own now, dropped") {
        tl.push_back(*summary_to_claim(inc, tl, t0 + 1h + 90s, b.lease()));
        b.track(inc, tl);
        CHECK(b.size() == 0);
    }
    SUBCASE("a marks it: dropped") {
        tl.push_back(make_summary_mark(7, "resolve-1", "a", t0 + 1h + 1s, "posted"));
        b.track(inc, tl);
        CHECK(b.size() == 0);
    }
    SUBCASE("reopened: nothing to post") {
        REQUIRE(reopen(inc, "UCMD", "", t0 + 2h));
        b.track(inc, tl);
        CHECK_FALSE(b.due_at(7));
    }
    SUBCASE("forgotten") {
        b.forget(7);
        CHECK_FALSE(b.next_wakeup());
    }
}

// On SQLite one run holds the file: a resolve left unmarked by an earlier process (a crash right
// after it) is due at once after the restart, not a lease later; PostgreSQL keeps the lease.
TEST_CASE("summary lease: on a database this process holds alone, an earlier owner's unmarked resolve is due at once") {
    incident inc = fresh(severity::sev2);
    const std::vector<timeline_entry> tl{resolved_by(inc, "before-the-crash")};
    const claim_lease now_running{60s, "after-the-restart"};

    CHECK(summary_due(inc, derive_summary_lease(tl), now_running, true) == t0 + 1h);
    CHECK(summary_due(inc, derive_summary_lease(tl), now_running, false) == t0 + 1h + 60s);
    const auto taken = summary_to_claim(inc, tl, t0 + 1h + 1s, now_running, true);
    REQUIRE(taken);
    CHECK(taken->attr("owner") == "after-the-restart");
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 1h + 1s, now_running, false));
    CHECK_FALSE(summary_to_claim(inc, tl, t0 + 1h + 1s, {60s, "before-the-crash"}, true));  // never its own

    summary_scheduler sqlite(now_running), postgres(now_running);
    sqlite.exclusive_database(true);
    sqlite.track(inc, tl);
    postgres.track(inc, tl);
    CHECK(sqlite.due(t0 + 1h + 1s) == std::vector<std::int64_t>{7});
    CHECK(postgres.due(t0 + 1h + 1s).empty());
}
