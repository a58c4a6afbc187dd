#include "core/corrections.hpp"
#include "core/reminders.hpp"
#include "core/summary_lease.hpp"
#include "storage/json_columns.hpp"
#include "storage/pg_store.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace ib;
using namespace ib::storage;
using namespace ib::storage::testing;
using namespace std::chrono_literals;

namespace {

void check_same(const incident& a, const incident& b) {
    CHECK(a.id == b.id);
    CHECK(a.title == b.title);
    CHECK(a.sev == b.sev);
    CHECK(a.state == b.state);
    CHECK(a.channel_id == b.channel_id);
    CHECK(a.channel_name == b.channel_name);
    CHECK(a.declared_by == b.declared_by);
    CHECK(a.declared_at == b.declared_at);
    CHECK(a.detected_at == b.detected_at);
    CHECK(a.acknowledged_at == b.acknowledged_at);
    CHECK(a.acknowledged_by == b.acknowledged_by);
    CHECK(a.identified_at == b.identified_at);
    CHECK(a.mitigated_at == b.mitigated_at);
    CHECK(a.resolved_at == b.resolved_at);
    CHECK(a.commander == b.commander);
    CHECK(a.comms_lead == b.comms_lead);
    CHECK(a.reopen_count == b.reopen_count);
}

void check_same(const timeline_entry& a, const timeline_entry& b) {
    CHECK(a.seq == b.seq);
    CHECK(a.incident_id == b.incident_id);
    CHECK(a.key == b.key);
    CHECK(a.at == b.at);
    CHECK(a.slack_ts == b.slack_ts);
    CHECK(a.user == b.user);
    CHECK(a.kind == b.kind);
    CHECK(a.tags == b.tags);
    CHECK(a.text == b.text);
    CHECK(a.ref_ts == b.ref_ts);
    CHECK(a.attrs == b.attrs);
    CHECK(a.received_at == b.received_at);
}

std::vector<std::string> texts(const std::vector<timeline_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.text);
    return out;
}

std::vector<std::int64_t> ids(const std::vector<incident>& incidents) {
    std::vector<std::int64_t> out;
    for (const auto& i : incidents) out.push_back(i.id);
    return out;
}

// Creates an incident in `s` and returns its id.
std::int64_t make_incident(store& s, const std::string& channel = "C01INC", time_point declared = t0(),
                           const std::string& key = "") {
    auto inc = sample_incident(channel, declared);
    auto e = declare_entry(key, declared);
    return s.create_incident(inc, e);
}

}  // namespace

TEST_SUITE("storage") {

TEST_CASE("durability pragmas on a real file") {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    {
        store s(path);
        CHECK(s.journal_mode() == "wal");
        CHECK(s.synchronous() == 2);  // FULL
        CHECK(s.busy_timeout_ms() == 5000);
        CHECK(s.schema_version() == store::latest_schema_version());
    }
    store s(path, open_options{.read_only = false, .busy_timeout = 1234ms});
    CHECK(s.busy_timeout_ms() == 1234);
    CHECK(s.journal_mode() == "wal");  // persistent in the file
    CHECK(s.synchronous() == 2);
}

TEST_CASE(":memory: works" * sqlite_only()) {
    store s(test_db());
    CHECK(s.journal_mode() == "memory");
    CHECK(s.schema_version() == store::latest_schema_version());
    const auto id = make_incident(s);
    CHECK(id > 0);
    CHECK(s.timeline_size(id) == 1);
}

TEST_CASE("create_incident assigns ids and stores the declare entry") {
    store s(test_db());
    auto inc = sample_incident();
    auto e = declare_entry("Ev-declare-1", t0());
    const auto id = s.create_incident(inc, e);
    CHECK(id == inc.id);
    CHECK(e.incident_id == id);
    CHECK(e.seq > 0);
    const auto tl = s.timeline(id);
    REQUIRE(tl.size() == 1);
    check_same(tl[0], e);

    auto inc2 = sample_incident("C02OTHER", t0(60));
    auto e2 = declare_entry("Ev-declare-2", t0(60));
    CHECK(s.create_incident(inc2, e2) == id + 1);
}

TEST_CASE("a redelivered declare creates nothing and returns the stored incident") {
    store s(test_db());
    auto inc = sample_incident();
    auto e = declare_entry("Ev-declare", t0());
    const auto id = s.create_incident(inc, e);

    auto again = sample_incident("C09ELSEWHERE", t0(5));
    again.title = "something else";
    auto e_again = declare_entry("Ev-declare", t0(5));
    CHECK(s.create_incident(again, e_again) == id);
    CHECK(again.id == id);
    CHECK(again.title == "Login page down");  // replaced by the stored incident
    CHECK(e_again.incident_id == id);
    CHECK(e_again.seq == e.seq);
    CHECK(s.latest_incident()->id == id);
    CHECK(s.incidents_declared_between(t0(-1000), t0(1000)).size() == 1);  // nothing for C09ELSEWHERE
    CHECK(s.timeline_size(id) == 1);
}

TEST_CASE("round trip of every incident field") {
    store s(test_db());
    SUBCASE("optional times absent") {
        auto inc = sample_incident();
        auto e = declare_entry("", t0());
        s.create_incident(inc, e);
        const auto back = s.incident_by_id(inc.id);
        REQUIRE(back);
        check_same(*back, inc);
        CHECK_FALSE(back->detected_at);
        CHECK_FALSE(back->resolved_at);
    }
    SUBCASE("every field set") {
        auto inc = sample_incident();
        inc.title = "Zahlungen schlagen fehl — 決済エラー 🔥 '); DROP TABLE incidents;--";
        inc.sev = severity::sev1;
        inc.state = status::resolved;
        inc.channel_name = "inc-ünïcödé";
        inc.declared_at = t0() + 123456us;
        inc.detected_at = t0(-600) + 1us;
        inc.acknowledged_at = t0(30);
        inc.acknowledged_by = "U03CAROL";
        inc.identified_at = t0(600);
        inc.mitigated_at = t0(900);
        inc.resolved_at = t0(1800) + 999999us;
        inc.commander = "U04DAVE";
        inc.comms_lead = "U05ERIN";
        inc.reopen_count = 3;
        auto e = declare_entry("", inc.declared_at);
        s.create_incident(inc, e);
        const auto back = s.incident_by_id(inc.id);
        REQUIRE(back);
        check_same(*back, inc);
    }
    SUBCASE("every severity and status") {
        for (int sev = 1; sev <= 5; ++sev) {
            for (auto st : {status::investigating, status::identified, status::monitoring, status::resolved}) {
                auto inc = sample_incident();
                inc.sev = static_cast<severity>(sev);
                inc.state = st;
                auto e = declare_entry("", t0());
                s.create_incident(inc, e);
                const auto back = s.incident_by_id(inc.id);
                REQUIRE(back);
                CHECK(back->sev == inc.sev);
                CHECK(back->state == st);
            }
        }
    }
    CHECK_FALSE(s.incident_by_id(987654));
}

TEST_CASE("round trip of every timeline field") {
    store s(test_db());
    const auto id = make_incident(s);

    auto e = sample_entry(id, "Ev0123ABCD", t0(10) + 42us, "");
    e.text = "I think it's the DB 🤔 — `kubectl rollout undo deploy/api`\n'); DROP TABLE timeline;--\t\"quoted\" ñ 日本";
    e.tags = {{tag::hypothesis, "hedge:i think+explanation"}, {tag::command, "cli:kubectl"},
              {tag::action, "règle→ünïcode"}};
    e.attrs = {{"from", "sev3"}, {"to", "sev1"}, {"quote\"key", "new\nline"}, {"emoji", "📌"}, {"empty", ""}};
    e.ref_ts = "1700000000.000001";
    e.kind = entry_kind::key_moment;
    CHECK(s.append(e));

    auto plain = sample_entry(id, "", t0(20), "no key, no tags, no attrs");
    plain.slack_ts.clear();
    plain.user.clear();
    CHECK(s.append(plain));

    const auto tl = s.timeline(id);
    REQUIRE(tl.size() == 3);  // declare + 2
    e.seq = tl[1].seq;
    check_same(tl[1], e);
    plain.seq = tl[2].seq;
    check_same(tl[2], plain);
    CHECK(tl[1].seq < tl[2].seq);
    CHECK(stored_key(s, "Ev0123ABCD"));

    SUBCASE("every kind") {
        for (int k = 0; k <= static_cast<int>(entry_kind::reminder); ++k) {
            auto x = sample_entry(id, "kind-" + std::to_string(k), t0(100 + k));
            x.kind = static_cast<entry_kind>(k);
            CHECK(s.append(x));
        }
        const auto all = s.timeline(id);
        REQUIRE(all.size() == 3 + static_cast<std::size_t>(entry_kind::reminder) + 1);
        for (int k = 0; k <= static_cast<int>(entry_kind::reminder); ++k)
            CHECK(all[3 + static_cast<std::size_t>(k)].kind == static_cast<entry_kind>(k));
    }
}

TEST_CASE("dedupe on key") {
    store s(test_db());
    const auto id = make_incident(s);

    SUBCASE("append: same key twice is stored once") {
        CHECK(s.append(sample_entry(id, "Ev1", t0(1), "first")));
        CHECK_FALSE(s.append(sample_entry(id, "Ev1", t0(1), "redelivered, maybe different")));
        CHECK(s.timeline_size(id) == 2);
        CHECK(texts(s.timeline(id)).back() == "first");
        CHECK(stored_key(s, "Ev1"));
        CHECK_FALSE(stored_key(s, "Ev2"));
        CHECK_FALSE(stored_key(s, ""));
    }
    SUBCASE("empty key is never deduplicated (on the key: a message is also one per ts, backfill_store_test)") {
        CHECK(s.append(sample_entry(id, "", t0(1), "a", entry_kind::note)));
        CHECK(s.append(sample_entry(id, "", t0(1), "a", entry_kind::note)));
        CHECK(s.timeline_size(id) == 3);
    }
    SUBCASE("batch: against stored keys and within the batch") {
        CHECK(s.append(sample_entry(id, "Ev-old", t0(1))));
        const std::vector<timeline_entry> batch{
            sample_entry(id, "Ev-a", t0(2)),   sample_entry(id, "Ev-old", t0(3)), sample_entry(id, "Ev-a", t0(4)),
            sample_entry(id, "", t0(5)),       sample_entry(id, "", t0(6)),       sample_entry(id, "Ev-b", t0(7)),
        };
        CHECK(s.append_batch(batch) == std::vector<bool>{true, false, false, true, true, true});
        CHECK(s.timeline_size(id) == 1 + 1 + 4);
        // Again: the key-less messages too are stored already (one entry per ts).
        CHECK(s.append_batch(batch) == std::vector<bool>{false, false, false, false, false, false});
    }
    SUBCASE("empty batch") {
        CHECK(s.append_batch({}).empty());
    }
}

TEST_CASE("a batch is atomic") {
    temp_dir dir;
    store s(test_db(dir.file("ib.db")));
    const auto id = make_incident(s);
    const std::vector<timeline_entry> batch{
        sample_entry(id, "Ev-good-1", t0(1)),
        sample_entry(999, "Ev-orphan", t0(2)),  // no incident 999: foreign key violation
        sample_entry(id, "Ev-good-2", t0(3)),
    };
    try {
        s.append_batch(batch);
        FAIL("expected storage_error");
    } catch (const storage_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find(test_db(dir.file("ib.db"))) == 0);
        CHECK(msg.find("append_batch: entry 1 of 3 (incident 999, key 'Ev-orphan'); nothing of the batch was stored") !=
              std::string::npos);
        // SQLite: "FOREIGN KEY constraint failed"; PostgreSQL: "… violates foreign key constraint …".
        std::string lower = msg;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        CHECK(lower.find("foreign key") != std::string::npos);
    }
    CHECK(s.timeline_size(id) == 1);
    CHECK_FALSE(stored_key(s, "Ev-good-1"));
    CHECK_FALSE(stored_key(s, "Ev-orphan"));

    // Still usable afterwards, with nothing half-written.
    CHECK(s.append_batch(std::vector{batch[0], batch[2]}) == std::vector<bool>{true, true});
    CHECK(s.timeline_size(id) == 3);
    CHECK_THROWS_AS(s.append(sample_entry(0, "Ev-no-incident", t0())), storage_error);
}

TEST_CASE("a batch that fails inside a group is undone alone; the group's other writes commit") {
    store s(test_db());
    const auto id = make_incident(s);
    s.begin_group();
    CHECK(s.append(sample_entry(id, "Ev-before", t0(1))));
    // Messages only: on PostgreSQL one statement, sent with its savepoint in one round trip.
    const std::vector<timeline_entry> batch{sample_entry(id, "Ev-1", t0(2)), sample_entry(999, "Ev-orphan", t0(3)),
                                            sample_entry(id, "Ev-2", t0(4))};
    CHECK_THROWS_WITH_AS(
        s.append_batch(batch),
        doctest::Contains("append_batch: entry 1 of 3 (incident 999, key 'Ev-orphan'); nothing of the batch was stored"),
        storage_error);
    CHECK(s.append_batch(std::vector{batch[0], batch[2]}) == std::vector<bool>{true, true});
    s.commit_group();
    CHECK(s.timeline_size(id) == 1 + 3);
    CHECK_FALSE(stored_key(s, "Ev-orphan"));
}

// append_batch against append, one entry at a time: the same result[i] and the same timeline, in
// the same order, whatever a batch mixes. (PostgreSQL inserts each run of entries that only the
// unique keys deduplicate with one statement, from array parameters, and checks joins, leaves
// and pins one by one in the batch's order; the hostile text must survive the array literals.)
TEST_CASE("a batch stores what appending one entry at a time stores") {
    store s(test_db());
    // Two incidents fed the same entries, one in a batch, the other one by one; the keys told
    // apart by a prefix (a key is unique across incidents).
    const auto batched = make_incident(s, "C01BATCH");
    const auto single = make_incident(s, "C02SINGLE");
    const auto entries_for = [](std::int64_t id, const std::string& prefix) {
        std::vector<timeline_entry> out;
        const auto add = [&](timeline_entry e) {
            if (!e.key.empty()) e.key = prefix + e.key;
            out.push_back(std::move(e));
        };
        const auto as = [&](timeline_entry e, entry_kind kind, const std::string& user) {
            e.kind = kind;
            e.user = user;
            return e;
        };
        add(sample_entry(id, "Ev-1", t0(1), "first"));
        auto hostile = sample_entry(id, "Ev-2\"{,}\\", t0(1) + 5us, "{\"a\",b}\\ NULL \"q\" 'single' \n\t ñ 日本 🤔 ,{}");
        hostile.attrs = {{"quote\"key", "back\\slash"}, {"brace{", "}"}, {"NULL", ""}};
        hostile.tags = {{tag::hypothesis, "hedge:\"x\" {y}"}};
        hostile.ref_ts = "NULL";
        add(hostile);
        auto note = as(sample_entry(id, "", t0(2), ""), entry_kind::note, "");  // no key, ts, user or text
        note.slack_ts.clear();
        add(note);
        add(note);                                                 // key-less: stored again
        add(sample_entry(id, "Ev-1", t0(3), "its key again"));     // a duplicate within the batch
        add(sample_entry(id, "Ev-3", t0(1), "its ts again"));      // Ev-1's message ts: a duplicate
        add(as(sample_entry(id, "Ev-4", t0(4), "joined"), entry_kind::join, "U0ANN"));
        add(as(sample_entry(id, "Ev-5", t0(5), "joined"), entry_kind::join, "U0ANN"));  // the same join
        add(sample_entry(id, "Ev-6", t0(6), "after the join"));
        auto pin = as(sample_entry(id, "Ev-7", t0(7), ":pushpin:"), entry_kind::key_moment, "U0ANN");
        pin.ref_ts = to_slack_ts(t0(1));
        pin.attrs["reaction"] = "pushpin";
        add(pin);
        pin.key = "Ev-8";
        pin.at = t0(7) + 1ms;
        add(pin);                                                   // pinned already: a duplicate
        add(as(sample_entry(id, "Ev-9", t0(1), "a note at the first's moment"), entry_kind::note, "U02BOB"));
        add(as(sample_entry(id, "Ev-10", t0(8), "left"), entry_kind::leave, "U0ANN"));
        add(sample_entry(id, "Ev-11", t0(9), "last"));
        return out;
    };
    const auto batch = entries_for(batched, "b-");
    const auto one_by_one = entries_for(single, "s-");
    std::vector<bool> expected;
    for (const auto& e : one_by_one) expected.push_back(s.append(e));
    CHECK(expected == std::vector<bool>{true, true, true, true, false, false, true, false, true, true, false, true, true, true});

    SUBCASE("on its own") { CHECK(s.append_batch(batch) == expected); }
    SUBCASE("inside a group, after a batch that failed") {
        s.begin_group();
        CHECK(s.append(sample_entry(batched, "b-Ev-before", t0(0) + 1us, "before")));
        auto bad = batch;
        bad[3].incident_id = 999;  // no such incident: nothing of this batch is stored
        CHECK_THROWS_WITH_AS(s.append_batch(bad), doctest::Contains("entry 3 of 14"), storage_error);
        CHECK(s.append_batch(batch) == expected);
        s.commit_group();
        auto tl = s.timeline(batched);
        REQUIRE(tl.size() > 1);
        CHECK(tl[1].text == "before");  // declare, then it
        tl.erase(tl.begin() + 1);
        CHECK(tl.size() == s.timeline(single).size());
    }

    auto a = s.timeline(batched);
    const auto b = s.timeline(single);
    a.erase(std::remove_if(a.begin(), a.end(), [](const auto& e) { return e.text == "before"; }), a.end());
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CAPTURE(i);
        CHECK(a[i].key.substr(a[i].key.empty() ? 0 : 2) == b[i].key.substr(b[i].key.empty() ? 0 : 2));
        CHECK(a[i].kind == b[i].kind);
        CHECK(a[i].at == b[i].at);
        CHECK(a[i].slack_ts == b[i].slack_ts);
        CHECK(a[i].user == b[i].user);
        CHECK(a[i].text == b[i].text);
        CHECK(a[i].tags == b[i].tags);
        CHECK(a[i].ref_ts == b[i].ref_ts);
        CHECK(a[i].attrs == b[i].attrs);
        CHECK(a[i].received_at == b[i].received_at);
    }
    // Again: everything is stored already but the key-less notes, which nothing deduplicates.
    auto again = std::vector<bool>(batch.size(), false);
    again[2] = again[3] = true;
    CHECK(s.append_batch(batch) == again);
}

TEST_CASE("save_change is atomic and idempotent") {
    store s(test_db());
    auto inc = sample_incident();
    auto decl = declare_entry("Ev-decl", t0());
    s.create_incident(inc, decl);

    auto changed = inc;
    changed.state = status::identified;
    changed.identified_at = t0(300);
    auto e = sample_entry(inc.id, "Ev-status-1", t0(300), "status: identified", entry_kind::status);
    e.attrs = {{"from", "investigating"}, {"to", "identified"}};
    CHECK(s.save_change(changed, e));
    check_same(*s.incident_by_id(inc.id), changed);
    CHECK(s.timeline_size(inc.id) == 2);

    SUBCASE("a redelivered change is a no-op") {
        auto later = changed;
        later.state = status::monitoring;
        CHECK_FALSE(s.save_change(later, e));
        check_same(*s.incident_by_id(inc.id), changed);
        CHECK(s.timeline_size(inc.id) == 2);
    }
    SUBCASE("entry incident_id 0 means the incident's") {
        auto e2 = sample_entry(0, "Ev-note", t0(400), "note", entry_kind::note);
        CHECK(s.save_change(changed, e2));
        CHECK(s.timeline(inc.id).back().incident_id == inc.id);
    }
    SUBCASE("a failing update stores no entry") {
        auto bad = changed;
        bad.sev = static_cast<severity>(9);  // violates CHECK (severity BETWEEN 1 AND 5)
        CHECK_THROWS_AS(s.save_change(bad, sample_entry(inc.id, "Ev-bad", t0(500))), storage_error);
        CHECK_FALSE(stored_key(s, "Ev-bad"));
        CHECK(s.timeline_size(inc.id) == 2);
        check_same(*s.incident_by_id(inc.id), changed);
    }
    SUBCASE("invalid enum values are refused before they reach the file") {
        auto bad = changed;
        bad.state = static_cast<status>(17);
        CHECK_THROWS_AS(s.save_change(bad, sample_entry(inc.id, "Ev-bad-status", t0(500))), storage_error);
        auto e_bad = sample_entry(inc.id, "Ev-bad-kind", t0(500));
        e_bad.kind = static_cast<entry_kind>(99);
        CHECK_THROWS_AS(s.append(e_bad), storage_error);
        CHECK_FALSE(stored_key(s, "Ev-bad-status"));
        CHECK_FALSE(stored_key(s, "Ev-bad-kind"));
        check_same(*s.incident_by_id(inc.id), changed);
    }
    SUBCASE("unknown incident") {
        auto ghost = changed;
        ghost.id = 4242;
        CHECK_THROWS_AS(s.save_change(ghost, sample_entry(4242, "Ev-ghost", t0(500))), storage_error);
        CHECK_FALSE(stored_key(s, "Ev-ghost"));
    }
    SUBCASE("entry of another incident") {
        CHECK_THROWS_AS(s.save_change(changed, sample_entry(inc.id + 1, "Ev-x", t0(500))), storage_error);
        CHECK_FALSE(stored_key(s, "Ev-x"));
    }
}

TEST_CASE("timeline ordering: by at, then insertion order") {
    store s(test_db());
    const auto id = make_incident(s, "C01", t0());
    const auto other = make_incident(s, "C02", t0());
    CHECK(s.append(sample_entry(id, "k3", t0(30), "c")));
    CHECK(s.append(sample_entry(id, "k1", t0(10), "a")));
    CHECK(s.append(sample_entry(other, "k-other", t0(15), "other incident")));
    // Three entries at the same time (notes: messages with one ts would be one message).
    CHECK(s.append_batch(std::vector{sample_entry(id, "k2a", t0(20), "b1", entry_kind::note),
                                     sample_entry(id, "k2b", t0(20), "b2", entry_kind::note)}) ==
          std::vector<bool>{true, true});
    CHECK(s.append(sample_entry(id, "k2c", t0(20), "b3", entry_kind::note)));
    CHECK(texts(s.timeline(id)) ==
          std::vector<std::string>{"declared: Login page down", "a", "b1", "b2", "b3", "c"});
    CHECK(s.timeline_size(id) == 6);
    CHECK(s.timeline_size(other) == 2);
    CHECK(s.timeline(12345).empty());
    CHECK(s.timeline_size(12345) == 0);
}

TEST_CASE("edits and deletions are entries of their own; the timeline is append-only") {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    store s(path);
    const auto id = make_incident(s);
    auto original = sample_entry(id, "Ev-msg", t0(10), "db is fine");
    CHECK(s.append(original));
    auto edit = sample_entry(id, "Ev-edit", t0(20), "db is NOT fine", entry_kind::edit);
    edit.ref_ts = original.slack_ts;
    auto del = sample_entry(id, "Ev-del", t0(30), "", entry_kind::deletion);
    del.ref_ts = original.slack_ts;
    CHECK(s.append_batch(std::vector{edit, del}) == std::vector<bool>{true, true});

    const auto tl = s.timeline(id);
    REQUIRE(tl.size() == 4);
    CHECK(tl[1].text == "db is fine");
    CHECK(tl[2].kind == entry_kind::edit);
    CHECK(tl[2].ref_ts == original.slack_ts);
    CHECK(tl[3].kind == entry_kind::deletion);
    CHECK(tl[3].ref_ts == original.slack_ts);

    CHECK_THROWS_WITH_AS(raw_sql(path, "UPDATE timeline SET \"text\" = 'rewritten'"), "timeline is append-only",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(raw_sql(path, "DELETE FROM timeline"), "timeline is append-only", std::runtime_error);
    CHECK(s.timeline(id)[1].text == "db is fine");
}

TEST_CASE("incident lookups") {
    store s(test_db());
    CHECK_FALSE(s.latest_incident());
    CHECK(s.incidents_declared_between(t0(-1'000'000), t0(1'000'000)).empty());

    const auto a = make_incident(s, "C01", t0(0));
    const auto b = make_incident(s, "C02", t0(100));
    const auto c = make_incident(s, "C01", t0(50));  // same channel as a, declared later in id order
    const auto d = make_incident(s, "C03", t0(200));

    CHECK(s.latest_incident()->id == d);

    auto resolved = *s.incident_by_id(b);
    resolved.state = status::resolved;
    resolved.resolved_at = t0(500);
    CHECK(s.save_change(resolved, sample_entry(b, "Ev-resolve-b", t0(500), "resolved", entry_kind::resolve)));
    auto monitoring = *s.incident_by_id(d);
    monitoring.state = status::monitoring;
    CHECK(s.save_change(monitoring, sample_entry(d, "Ev-mon-d", t0(510), "monitoring", entry_kind::status)));
    CHECK(s.incident_by_id(b)->state == status::resolved);
    CHECK(s.incident_by_id(d)->state == status::monitoring);

    // [from, to), ordered by declared_at
    CHECK(ids(s.incidents_declared_between(t0(0), t0(200))) == std::vector<std::int64_t>{a, c, b});
    CHECK(ids(s.incidents_declared_between(t0(0) + 1us, t0(200) + 1us)) == std::vector<std::int64_t>{c, b, d});
    CHECK(ids(s.incidents_declared_between(t0(50), t0(51))) == std::vector<std::int64_t>{c});
    CHECK(s.incidents_declared_between(t0(51), t0(100)).empty());
    CHECK(s.incidents_declared_between(t0(100), t0(0)).empty());

    // Resolved since: what a running instance reads every half lease (only b is resolved).
    CHECK(ids(s.incidents_resolved_since(t0(500))) == std::vector<std::int64_t>{b});
    CHECK(s.incidents_resolved_since(t0(500) + 1us).empty());
}

TEST_CASE("data survives closing and reopening the file") {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    incident inc = sample_incident();
    inc.detected_at = t0(-60);
    timeline_entry e = sample_entry(0, "Ev-1", t0(5), "persist me 💾");
    e.tags = {{tag::status, "status-word"}};
    {
        store s(path);
        auto decl = declare_entry("Ev-decl", t0());
        s.create_incident(inc, decl);
        e.incident_id = inc.id;
        CHECK(s.append(e));
    }
    {
        store s(path);
        check_same(*s.incident_by_id(inc.id), inc);
        const auto tl = s.timeline(inc.id);
        REQUIRE(tl.size() == 2);
        e.seq = tl[1].seq;
        check_same(tl[1], e);
        CHECK_FALSE(s.append(e));  // the dedupe key survived too
    }
    {
        store ro(path, open_options{.read_only = true});
        CHECK(ro.schema_version() == store::latest_schema_version());
        CHECK(ro.timeline_size(inc.id) == 2);
        try {
            ro.append(sample_entry(inc.id, "Ev-ro", t0(9)));
            FAIL("expected storage_error");
        } catch (const storage_error& err) {
            CHECK(std::string(err.what()) == path + ": append: the store was opened read-only");
        }
    }
}

// Two connections to one database (two instances, or two threads) and an incident in it.
struct two_stores {
    temp_dir dir;
    std::string path = test_db(dir.file("ib.db"));
    store a{path};
    store b{path};
    std::int64_t id = make_incident(a);
};

TEST_CASE("two stores on one file share dedupe and see each other's writes") {
    two_stores two;
    auto& [dir, path, a, b, id] = two;
    CHECK(b.incident_by_id(id));
    CHECK(a.append(sample_entry(id, "Ev-shared", t0(1))));
    CHECK_FALSE(b.append(sample_entry(id, "Ev-shared", t0(1))));
    CHECK(b.append(sample_entry(id, "Ev-b", t0(2))));
    CHECK(a.timeline_size(id) == 3);
}

// Several instances (engineering.md §3.9): a change planned from a version another instance has
// replaced is refused as stale with the row as it stands, so the planner plans again.
TEST_CASE("save_change_from: duplicate, stale or stored, under the incident's row lock") {
    two_stores two;
    auto& [dir, path, a, b, id] = two;
    const incident base = *b.incident_by_id(id);
    auto ack_by = [&](const std::string& user) {
        auto changed = base;
        changed.acknowledged_at = t0(60);
        changed.acknowledged_by = user;
        return changed;
    };
    const auto ack_entry = [&](const std::string& key) {
        return sample_entry(id, key, t0(60), "acknowledged", entry_kind::ack);
    };
    using outcome = store::change_outcome;

    const auto first = a.save_change_from(base, ack_by("U01ALICE"), ack_entry("cmd:Ea"));
    CHECK(first.outcome == outcome::stored);
    CHECK(first.current == ack_by("U01ALICE"));
    // b planned from the same version: stale, nothing written, and b learns the row as it stands.
    const auto second = b.save_change_from(base, ack_by("U02BOB"), ack_entry("cmd:Eb"));
    CHECK(second.outcome == outcome::stale);
    CHECK(second.current == ack_by("U01ALICE"));
    CHECK_FALSE(stored_key(b, "cmd:Eb"));
    // The first command redelivered to b: a duplicate, whatever it was planned from.
    CHECK(b.save_change_from(base, ack_by("U01ALICE"), ack_entry("cmd:Ea")).outcome == outcome::duplicate);
    // Planned again from the current row, b's change goes through.
    auto noted = second.current;
    noted.commander = "U02BOB";
    CHECK(b.save_change_from(second.current, noted, ack_entry("cmd:Eb")).outcome == outcome::stored);
    CHECK(*a.incident_by_id(id) == noted);
    CHECK(a.timeline_size(id) == 3);
    CHECK_THROWS_AS(a.save_change_from(base, [&] { auto x = base; x.id = 999; return x; }(), ack_entry("cmd:Ex")),
                    storage_error);
}

TEST_CASE("save_change_from: of eight connections acknowledging at once, one stores") {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    const auto id = [&] {
        store s(path);
        return make_incident(s);
    }();
    std::vector<store> stores;
    for (int i = 0; i < 8; ++i) stores.emplace_back(path);
    const incident base = *stores[0].incident_by_id(id);
    std::atomic<int> stored{0}, stale{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            auto changed = base;
            changed.acknowledged_at = t0(60);
            changed.acknowledged_by = "U0" + std::to_string(i);
            const auto r = stores[static_cast<std::size_t>(i)].save_change_from(
                base, changed, sample_entry(id, "cmd:E" + std::to_string(i), t0(60), "ack", entry_kind::ack));
            (r.outcome == store::change_outcome::stored ? stored : stale)++;
        });
    for (auto& t : threads) t.join();
    CHECK(stored == 1);
    CHECK(stale == 7);
    CHECK(stores[0].timeline_of_kinds(id, std::array{entry_kind::ack}).size() == 1);
}

TEST_CASE("claim: decided under the row lock on what is stored; the caller that stores it does the work") {
    two_stores two;
    auto& [dir, path, a, b, id] = two;
    const entry_kind kinds[] = {entry_kind::reminder};
    // Due when no reminder is stored yet: the entry names the due time, so both decide the same.
    const store::claim_decision decide = [](const incident& inc, std::span<const timeline_entry> stored) {
        std::optional<timeline_entry> out;
        if (stored.empty()) out = sample_entry(inc.id, "reminder:due:1", t0(60), "reminder", entry_kind::reminder);
        return out;
    };
    const auto first = a.claim(id, kinds, decide);
    CHECK(first.claimed);
    REQUIRE(first.inc);
    CHECK(first.inc->id == id);
    REQUIRE(first.entries.size() == 1);
    CHECK(first.entries[0].key == "reminder:due:1");
    const auto second = b.claim(id, kinds, decide);
    CHECK_FALSE(second.claimed);
    CHECK(second.entries.size() == 1);  // b decided on what a stored
    CHECK(a.timeline_of_kinds(id, kinds).size() == 1);
    // Nothing to decide on: no such incident.
    CHECK_FALSE(a.claim(id + 100, kinds, decide).inc);
}

// Issue 15: a reminder claimed by an instance that died before marking it is taken over after
// the lease by exactly one other, under the row lock; a marked one never is.
TEST_CASE("claim: an unmarked reminder claim is taken over once after its lease; a marked one never") {
    two_stores two;
    auto& [dir, path, a, b, id] = two;
    store c(path);
    const auto policy = reminder_policy::uniform(std::chrono::seconds{60});
    const auto decide = [&](time_point now, const claim_lease& lease) {
        return store::claim_decision([now, lease, &policy](const incident& inc, std::span<const timeline_entry> stored) {
            return reminder_to_claim(inc, stored, now, policy, lease);
        });
    };
    const claim_lease la{std::chrono::seconds{10}, "a"}, lb{std::chrono::seconds{10}, "b"}, lc{std::chrono::seconds{10}, "c"};
    const auto first = a.claim(id, k_reminder_schedule_kinds, decide(t0(61), la));
    REQUIRE(first.claimed);
    const timeline_entry claimed = first.entries.back();
    CHECK(claimed.attr("owner") == "a");
    // Within the lease: b claims nothing (a is posting it).
    CHECK_FALSE(b.claim(id, k_reminder_schedule_kinds, decide(t0(70), lb)).claimed);
    // a died: past the lease b and c both find it unmarked; one takes it over.
    const auto by_b = b.claim(id, k_reminder_schedule_kinds, decide(t0(72), lb));
    const auto by_c = c.claim(id, k_reminder_schedule_kinds, decide(t0(72), lc));
    CHECK(by_b.claimed);
    CHECK_FALSE(by_c.claimed);  // b's takeover is a claim of its own, within its lease
    CHECK(by_b.entries.back().key == claimed.key + ":1");
    CHECK(by_c.entries.size() == 2);
    // b marks it: c takes nothing over, even long after.
    CHECK(b.append(make_reminder_mark(by_b.entries.back(), t0(72), "posted")));
    CHECK_FALSE(c.claim(id, k_reminder_schedule_kinds, decide(t0(100), lc)).claimed);
    const auto stored = a.timeline_of_kinds(id, k_reminder_schedule_kinds);
    CHECK(stored.size() == 3);
    CHECK_FALSE(derive_reminder_state(stored).unmarked);
}

// Issue 15: the summary of a resolve whose instance died before marking it is taken over by
// exactly one of the instances deciding at once (both claim under the row lock, from two
// threads), and never once marked.
TEST_CASE("claim: an unmarked resolve's summary is taken over once, by one of two racing instances") {
    two_stores two;
    auto& [dir, path, a, b, id] = two;
    store c(path);
    // a resolves, naming itself, and dies before its summary's mark.
    auto inc = *a.incident_by_id(id);
    auto resolved = resolve(inc, "U0ALICE", "fixed", t0(60));
    REQUIRE(resolved);
    resolved->key = "cmd:resolve";
    stamp_owner(*resolved, "a");
    REQUIRE(a.save_change(inc, *resolved));
    const auto decide = [](time_point now, const claim_lease& lease) {
        return store::claim_decision([now, lease](const incident& i, std::span<const timeline_entry> stored) {
            return summary_to_claim(i, stored, now, lease);
        });
    };
    const claim_lease lb{std::chrono::seconds{10}, "b"}, lc{std::chrono::seconds{10}, "c"};
    CHECK_FALSE(b.claim(id, k_summary_lease_kinds, decide(t0(65), lb)).claimed);  // within the lease
    store::claim_result by_b, by_c;
    std::thread tb([&] { by_b = b.claim(id, k_summary_lease_kinds, decide(t0(71), lb)); });
    std::thread tc([&] { by_c = c.claim(id, k_summary_lease_kinds, decide(t0(71), lc)); });
    tb.join();
    tc.join();
    REQUIRE(by_b.claimed != by_c.claimed);  // one takes it over
    const auto& winner = by_b.claimed ? by_b : by_c;
    CHECK(winner.entries.back().key == "summary:" + std::to_string(id) + ":1");
    CHECK(winner.entries.back().attr("of") == "cmd:resolve");
    // The winner marks it: nobody takes it over again, even long after.
    const std::string owner = winner.entries.back().attr("owner");
    CHECK(a.append(make_summary_mark(id, "cmd:resolve", owner, t0(72), "posted")));
    CHECK_FALSE(b.claim(id, k_summary_lease_kinds, decide(t0(500), lb)).claimed);
    CHECK_FALSE(c.claim(id, k_summary_lease_kinds, decide(t0(500), lc)).claimed);
    CHECK(a.timeline_of_kinds(id, k_summary_lease_kinds).size() == 3);  // resolve, takeover, mark
}

TEST_CASE("incident_by_channel: the channel's latest incident") {
    store s(test_db());
    make_incident(s, "C01INC", t0());
    const auto other = make_incident(s, "C02OTHER", t0(10));
    const auto again = make_incident(s, "C01INC", t0(20));
    CHECK(s.incident_by_channel("C01INC")->id == again);
    CHECK(s.incident_by_channel("C02OTHER")->id == other);
    CHECK_FALSE(s.incident_by_channel("C09NONE"));
}

TEST_CASE("a writer waits for another connection's write lock, then fails clearly" * sqlite_only()) {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    store s(path, open_options{.read_only = false, .busy_timeout = 50ms});
    const auto id = make_incident(s);
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    std::optional<SQLite::Transaction> lock;
    lock.emplace(other, SQLite::TransactionBehavior::IMMEDIATE);
    CHECK(s.timeline_size(id) == 1);  // readers are not blocked (WAL)
    try {
        s.append(sample_entry(id, "Ev-blocked", t0(1)));
        FAIL("expected storage_error");
    } catch (const storage_error& e) {
        CHECK(std::string(e.what()).find("locked") != std::string::npos);
    }
    lock.reset();  // rolls back
    CHECK(s.append(sample_entry(id, "Ev-blocked", t0(1))));
}

TEST_CASE("odd stored values: unknown tags are dropped, unknown kinds and statuses throw" * sqlite_only()) {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    store s(path);
    const auto id = make_incident(s);
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);

    SUBCASE("unknown and malformed tags") {
        raw.exec("INSERT INTO timeline (incident_id, at, kind, tags, received_at) VALUES (" + std::to_string(id) +
                 R"(, 1, 'message', '[{"tag":"from-the-future","rule":"x"},{"tag":"command","rule":"cli:ls"},)"
                 R"( 7, {"tag":5}, {"rule":"no tag"}, {"tag":"action"}]', 1))");
        raw.exec("INSERT INTO timeline (incident_id, at, kind, tags, received_at) VALUES (" + std::to_string(id) +
                 ", 2, 'message', 'not json at all', 2)");
        const auto tl = s.timeline(id);
        REQUIRE(tl.size() == 3);
        // at = 1 and 2 µs: both sort before the declare entry
        CHECK(tl[0].tags == std::vector<tag_hit>{{tag::command, "cli:ls"}, {tag::action, ""}});
        CHECK(tl[1].tags.empty());
    }
    SUBCASE("non-string attrs are kept as JSON text") {
        raw.exec("INSERT INTO timeline (incident_id, at, kind, attrs, received_at) VALUES (" + std::to_string(id) +
                 R"(, 1, 'message', '{"n":5,"s":"x","o":{"a":true}}', 1))");
        const auto e = s.timeline(id).front();  // at = 1 µs sorts first
        CHECK(e.attrs == std::map<std::string, std::string>{{"n", "5"}, {"s", "x"}, {"o", R"({"a":true})"}});
    }
    SUBCASE("malformed attrs") {
        raw.exec("INSERT INTO timeline (incident_id, at, kind, attrs, received_at) VALUES (" + std::to_string(id) +
                 ", 1, 'message', '[1,2]', 1)");
        const auto seq = raw.getLastInsertRowid();
        CHECK_THROWS_WITH_AS(s.timeline(id),
                             (path + ": timeline row " + std::to_string(seq) + ": attrs is not a JSON object").c_str(),
                             storage_error);
    }
    SUBCASE("unknown kind") {
        raw.exec("INSERT INTO timeline (incident_id, at, kind, received_at) VALUES (" + std::to_string(id) +
                 ", 1, 'hologram', 1)");
        const auto seq = raw.getLastInsertRowid();
        CHECK_THROWS_WITH_AS(s.timeline(id),
                             (path + ": timeline row " + std::to_string(seq) + ": unknown kind 'hologram'").c_str(),
                             storage_error);
        CHECK(s.timeline_size(id) == 2);  // the store stays usable
    }
    SUBCASE("unknown status") {
        raw.exec("UPDATE incidents SET status = 'on fire' WHERE id = " + std::to_string(id));
        CHECK_THROWS_WITH_AS(s.incident_by_id(id),
                             (path + ": incidents row " + std::to_string(id) + ": unknown status 'on fire'").c_str(),
                             storage_error);
    }
}

TEST_CASE("a store can be moved") {
    store a(test_db());
    const auto id = make_incident(a);
    store b = std::move(a);
    CHECK(b.timeline_size(id) == 1);
    store c(test_db());
    c = std::move(b);
    CHECK(c.incident_by_id(id));
}

TEST_CASE("tags and attrs JSON columns") {
    SUBCASE("encoding") {
        CHECK(encode_tags({}) == "[]");
        CHECK(encode_attrs({}) == "{}");
        CHECK(encode_tags({{tag::command, "cli:kubectl"}}) == R"([{"rule":"cli:kubectl","tag":"command"}])");
        CHECK(encode_attrs({{"to", "sev1"}, {"from", "sev3"}}) == R"({"from":"sev3","to":"sev1"})");
        // Invalid UTF-8 must not make a write throw.
        CHECK(decode_attrs(encode_attrs({{"k", "bad \xff byte"}})) ==
              std::map<std::string, std::string>{{"k", "bad \xEF\xBF\xBD byte"}});
    }
    SUBCASE("decoding what other JSON writers produce") {
        CHECK(decode_attrs(" {\n  \"a\" : \"x\\\"y\" ,\"pin\":\"\\ud83d\\udccc\", \"s\":\"a\\/b\\u00e9\\t\"}\n") ==
              std::map<std::string, std::string>{{"a", "x\"y"}, {"pin", "📌"}, {"s", "a/bé\t"}});
        CHECK(decode_attrs(R"({"a":"1","a":"2"})") == std::map<std::string, std::string>{{"a", "2"}});
        CHECK(decode_attrs(R"({"n":-1.5e3,"b":false,"z":null,"arr":[1,"x"]})") ==
              std::map<std::string, std::string>{{"n", "-1500.0"}, {"b", "false"}, {"z", "null"}, {"arr", R"([1,"x"])"}});
        CHECK(decode_tags(R"( [ {"tag" : "hypothesis"} , {"rule":"r","tag":"join","extra":"e"} ] )") ==
              std::vector<tag_hit>{{tag::hypothesis, ""}, {tag::join, "r"}});
        CHECK(decode_tags(R"([{"tag":"status","rule":7}])") == std::vector<tag_hit>{{tag::status, ""}});
    }
    SUBCASE("malformed input") {
        for (const char* bad : {"", "nope", "[1]", "{", R"({"a":"x"} trailing)", R"({"a":"\ud800"})", "{\"a\":\"\x01\"}",
                                "null"}) {
            CAPTURE(bad);
            CHECK_FALSE(decode_attrs(bad));
        }
        for (const char* bad : {"", "nope", "{}", "[", R"([{"tag":"join"}] x)", R"([{"tag":"\ud800"}])", "[[]]"}) {
            CAPTURE(bad);
            CHECK(decode_tags(bad).empty());
        }
    }
    SUBCASE("random strings round-trip and agree with nlohmann") {
        std::mt19937 rng(7);
        const char32_t pool[] = {U'a', U'Z', U'0', U' ', U'"', U'\\', U'/', U'\n', U'\t', U'\x01', U'\x1f', U'\x7f',
                                 U'é', U'ß', U'€', U'日', U'\uFFFD', U'😀', U'📌', U'\U0010FFFF'};
        const auto random_utf8 = [&] {
            std::string out;
            const auto n = rng() % 12;
            for (unsigned i = 0; i < n; ++i) {
                const char32_t cp = pool[rng() % std::size(pool)];
                if (cp < 0x80) {
                    out.push_back(static_cast<char>(cp));
                } else if (cp < 0x800) {
                    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
                } else if (cp < 0x10000) {
                    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
                    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
                } else {
                    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
                    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
                    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
                }
            }
            return out;
        };
        for (int round = 0; round < 300; ++round) {
            std::map<std::string, std::string> attrs;
            std::vector<tag_hit> tags;
            for (unsigned i = rng() % 4; i > 0; --i) {
                attrs[random_utf8()] = random_utf8();
                tags.push_back({static_cast<tag>(rng() % 5), random_utf8()});
            }
            const auto enc = encode_attrs(attrs);
            CHECK(decode_attrs(enc) == attrs);
            CHECK(decode_tags(encode_tags(tags)) == tags);
            // The encoders write by hand what nlohmann would dump for the same value.
            nlohmann::json as_json = nlohmann::json::object();
            for (const auto& [k, v] : attrs) as_json[k] = v;
            CHECK(enc == as_json.dump());
            nlohmann::json tags_json = nlohmann::json::array();
            for (const auto& h : tags) tags_json.push_back({{"tag", std::string(to_string(h.tag))}, {"rule", h.rule}});
            CHECK(encode_tags(tags) == tags_json.dump());
            // Pretty-printed and \u-escaped (ASCII-only) forms read the same.
            const auto j = nlohmann::json::parse(enc);
            CHECK(decode_attrs(j.dump(2)) == attrs);
            CHECK(decode_attrs(j.dump(-1, ' ', true)) == attrs);
        }
    }
}

}  // TEST_SUITE("storage")

TEST_SUITE("storage") {

TEST_CASE("group commit: many writes, one transaction, each write still atomic on its own") {
    temp_dir dir;
    const auto path = test_db(dir.file("group.db"));
    std::int64_t id = 0;
    {
        store s(path);
        auto inc = sample_incident();
        auto decl = declare_entry("decl", t0());
        id = s.create_incident(inc, decl);

        s.begin_group();
        CHECK_THROWS_AS(s.begin_group(), storage_error);  // no nesting
        CHECK(s.append(sample_entry(id, "g1", t0(1))));
        CHECK_FALSE(s.append(sample_entry(id, "g1", t0(2))));  // duplicate inside the group
        // A write that fails (unknown incident) is rolled back alone...
        CHECK_THROWS_AS(s.append(sample_entry(id + 100, "bad", t0(3))), storage_error);
        inc.sev = severity::sev1;
        auto change = sample_entry(id, "g2", t0(4), "severity sev2 → sev1", entry_kind::severity);
        CHECK(s.save_change(inc, change));
        // ...and reads inside the group see the group's writes.
        CHECK(s.timeline_size(id) == 3);
        s.commit_group();
        CHECK_THROWS_AS(s.commit_group(), storage_error);
    }
    // Durable: a new connection sees the committed group, without the failed write.
    store again(path);
    CHECK(again.timeline_size(id) == 3);
    CHECK(stored_key(again, "g1"));
    CHECK(stored_key(again, "g2"));
    CHECK_FALSE(stored_key(again, "bad"));
    CHECK(again.incident_by_id(id)->sev == severity::sev1);
}

TEST_CASE("group commit: rollback_group discards the group and the store stays usable") {
    store s(test_db());
    auto inc = sample_incident();
    auto decl = declare_entry("decl", t0());
    const auto id = s.create_incident(inc, decl);
    s.begin_group();
    CHECK(s.append(sample_entry(id, "r1", t0(1))));
    s.rollback_group();
    s.rollback_group();  // no-op without a group
    CHECK_FALSE(stored_key(s, "r1"));
    CHECK(s.append(sample_entry(id, "r1", t0(1))));  // outside a group: its own transaction
    CHECK(stored_key(s, "r1"));
}

TEST_CASE("group commit: a group opened by a batch, a read or nothing is one transaction") {
    // On PostgreSQL the group's BEGIN goes out with its first statement (pg_session.hpp): what
    // comes first must still be inside the group, which rollback_group shows.
    store s(test_db());
    auto inc = sample_incident();
    auto decl = declare_entry("decl", t0());
    const auto id = s.create_incident(inc, decl);
    const std::vector<timeline_entry> two{sample_entry(id, "b1", t0(1)), sample_entry(id, "b2", t0(2))};
    const std::vector<timeline_entry> with_bad{sample_entry(id, "b3", t0(3)), sample_entry(id + 100, "bad", t0(4))};

    s.begin_group();  // a failing batch first: rolled back alone, the group goes on
    CHECK_THROWS_AS(s.append_batch(with_bad), storage_error);
    CHECK(s.append_batch(two) == std::vector<bool>{true, true});
    s.rollback_group();
    CHECK_FALSE(stored_key(s, "b1"));
    CHECK_FALSE(stored_key(s, "b3"));

    s.begin_group();  // a read first
    CHECK(s.timeline_size(id) == 1);
    CHECK(s.append_batch(two) == std::vector<bool>{true, true});
    s.rollback_group();
    CHECK_FALSE(stored_key(s, "b1"));

    s.begin_group();  // nothing: the commit still reaches the database
    s.commit_group();
    s.begin_group();  // a batch first, committed
    CHECK(s.append_batch(two) == std::vector<bool>{true, true});
    s.commit_group();
    CHECK(s.timeline_size(id) == 3);
}

}  // TEST_SUITE

TEST_SUITE("storage") {

TEST_CASE("timeline_of_kinds returns only those kinds, in timeline order, from the index") {
    store s(test_db());
    auto inc = sample_incident();
    auto decl = declare_entry("decl", t0());
    const auto id = s.create_incident(inc, decl);
    s.append(sample_entry(id, "m1", t0(1)));
    s.append(sample_entry(id, "sp2", t0(5), "update 2", entry_kind::statuspage));
    s.append(sample_entry(id, "r1", t0(3), "", entry_kind::reminder));
    s.append(sample_entry(id, "sp1", t0(2), "update 1", entry_kind::statuspage));
    const entry_kind kinds[] = {entry_kind::statuspage, entry_kind::reminder};
    const auto got = s.timeline_of_kinds(id, kinds);
    REQUIRE(got.size() == 3);
    CHECK(got[0].key == "sp1");
    CHECK(got[1].key == "r1");
    CHECK(got[2].key == "sp2");
    CHECK(s.timeline_of_kinds(id, {}).empty());
    CHECK(s.timeline_of_kinds(id + 1, kinds).empty());
}

TEST_CASE("timeline_page and timeline_position page the history by index; timeline_kinds lists its kinds") {
    store s(test_db());
    auto inc = sample_incident();
    auto decl = declare_entry("decl", t0());
    const auto id = s.create_incident(inc, decl);
    auto other = sample_incident("C02OTHER");
    auto other_decl = declare_entry("decl-2", t0());
    const auto other_id = s.create_incident(other, other_decl);
    // 30 entries stored out of time order (seq order is not timeline order), some at the same
    // instant (insertion order breaks the tie), of several kinds; a correction retags one.
    std::vector<timeline_entry> batch;
    for (int i = 0; i < 30; ++i) {
        const auto kind = i % 7 == 3 ? entry_kind::statuspage : i % 11 == 5 ? entry_kind::reminder : entry_kind::message;
        auto e = sample_entry(id, "e" + std::to_string(i), t0((i * 17) % 23 + 1), "entry " + std::to_string(i), kind);
        e.slack_ts = kind == entry_kind::message ? to_slack_ts(t0(100 + i)) : "";
        if (i == 16) e.attrs = {{"type", "mark"}, {"of", "e5"}, {"outcome", "posted"}};  // bookkeeping
        if (i == 27) e.attrs = {{"type", "posted"}};
        batch.push_back(e);
        batch.push_back(sample_entry(other_id, "o" + std::to_string(i), t0(i)));
    }
    s.append_batch(batch);
    REQUIRE(s.append(make_correction(batch[0], std::vector<tag>{tag::hypothesis}, "U0CAROL", t0(40), "fix-1")));
    const auto stored = s.timeline(id);
    REQUIRE(stored.size() == 32);
    // Pages read the history: the reminder mark (core/timeline.hpp is_bookkeeping) left out.
    const auto whole = history_of(stored);
    REQUIRE(whole.size() == 31);
    CHECK(s.history_size(id) == 31);
    CHECK(s.timeline_size(id) == 32);
    const auto mark = std::find_if(stored.begin(), stored.end(), [](const timeline_entry& e) { return e.key == "e16"; });
    REQUIRE(mark != stored.end());
    CHECK_FALSE(s.timeline_position(id, mark->seq));

    const auto seqs = [](const std::vector<timeline_entry>& v, std::size_t from, std::size_t n) {
        std::vector<std::pair<std::int64_t, std::size_t>> out;  // seq, tags
        for (std::size_t i = from; i < std::min(v.size(), from + n); ++i) out.emplace_back(v[i].seq, v[i].tags.size());
        return out;
    };
    for (const std::size_t offset : {0, 1, 7, 20, 30, 31, 32, 50})
        for (const std::size_t limit : {1, 5, 200}) {
            CAPTURE(offset);
            CAPTURE(limit);
            const auto page = s.timeline_page(id, offset, limit);
            CHECK(seqs(page, 0, page.size()) == seqs(whole, offset, limit));
        }
    // The corrected message reads with its correction's tags in a page too.
    const auto corrected = std::find_if(whole.begin(), whole.end(), [&](const timeline_entry& e) { return e.key == "e0"; });
    REQUIRE(corrected != whole.end());
    const auto at = static_cast<std::size_t>(corrected - whole.begin());
    const auto page = s.timeline_page(id, at, 1);
    REQUIRE(page.size() == 1);
    CHECK(page[0].has_tag(tag::hypothesis));
    CHECK(page[0].tags == corrected->tags);

    for (std::size_t i = 0; i < whole.size(); ++i) CHECK(s.timeline_position(id, whole[i].seq) == i);
    CHECK_FALSE(s.timeline_position(id, s.timeline(other_id).back().seq));  // another incident's entry
    CHECK_FALSE(s.timeline_position(id, 1'000'000));

    auto kinds = s.timeline_kinds(id);
    std::sort(kinds.begin(), kinds.end());
    std::vector<entry_kind> expected;
    for (const auto& e : whole)
        if (std::find(expected.begin(), expected.end(), e.kind) == expected.end()) expected.push_back(e.kind);
    std::sort(expected.begin(), expected.end());
    CHECK(kinds == expected);
    CHECK(expected.size() == 5);  // declare, message, statuspage, reminder, correction
    CHECK(s.timeline_kinds(other_id + 1).empty());
}

TEST_CASE("users: the users.info cache, found or not, replaced on refresh") {
    temp_dir dir;
    const auto path = test_db(dir.file("users.db"));
    {
        store s(path);
        CHECK_FALSE(s.user("U1"));
        user_profile alice{"U1", "Alice", "Alice Smith", "alice", true, t0(0)};
        s.save_user(alice);
        s.save_user(user_not_found("U2", t0(5)));
        alice.name = "Al";
        alice.fetched_at = t0(86400);
        s.save_user(alice);  // a refresh replaces the row
    }
    store s(path, open_options{.read_only = true});
    const auto u1 = s.user("U1");
    REQUIRE(u1);
    CHECK(u1->name == "Al");
    CHECK(u1->real_name == "Alice Smith");
    CHECK(u1->handle == "alice");
    CHECK(u1->found);
    CHECK(u1->fetched_at == t0(86400));
    CHECK_FALSE(s.user("U2")->found);
    const std::vector<std::string> ids{"U1", "U2", "U3"};
    CHECK(s.names_of(ids) == user_names{{"U1", "Al"}});  // U2 has no name, U3 is not cached
    auto fetched = s.users_fetched();
    std::sort(fetched.begin(), fetched.end());
    CHECK(fetched == std::vector<std::pair<std::string, time_point>>{{"U1", t0(86400)}, {"U2", t0(5)}});
    CHECK_THROWS_AS(s.save_user(user_not_found("U4", t0(0))), storage_error);  // read-only
}

}  // TEST_SUITE

TEST_SUITE("storage") {

// PostgreSQL only: instances start together there (migrations under pg_advisory_lock). SQLite has
// one `run` per file (run_lock), and first opens of one new file from several connections at once
// can collide on the backup a migration across v8 makes (migrations.hpp, backup_before_rewrite).
TEST_CASE("several stores opening a new database at once migrate it once, and all of them work" *
          doctest::skip(!on_postgres())) {
    temp_dir dir;
    const auto path = test_db(dir.file("race.db"));
    constexpr int n = 4;
    std::vector<std::thread> threads;
    std::vector<std::string> errors(n);
    std::vector<int> versions(n, -1);
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            try {
                store s(path);
                versions[static_cast<std::size_t>(i)] = s.schema_version();
                auto inc = sample_incident("C0RACE" + std::to_string(i));
                auto d = declare_entry("decl-" + std::to_string(i), t0(i));
                s.create_incident(inc, d);
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(i)] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK_MESSAGE(errors[static_cast<std::size_t>(i)].empty(), errors[static_cast<std::size_t>(i)]);
        CHECK(versions[static_cast<std::size_t>(i)] == store::latest_schema_version());
    }
    store s(path);
    CHECK(s.incidents_declared_between(t0(-1), t0(n)).size() == n);
}

TEST_CASE("a declare stored by two stores at once (two instances, one redelivery) makes one incident") {
    temp_dir dir;
    const auto path = test_db(dir.file("declare.db"));
    store a(path);
    store b(path);
    // a's declare is written but not committed while b stores the same one: b waits (SQLite: for
    // the write lock; PostgreSQL: on the unique key) and then returns a's incident.
    a.begin_group();
    auto inc_a = sample_incident();
    auto d_a = declare_entry("Ev-declare", t0());
    const auto id_a = a.create_incident(inc_a, d_a);
    std::int64_t id_b = 0;
    timeline_entry d_b = declare_entry("Ev-declare", t0());
    std::thread other([&] {
        auto inc_b = sample_incident();
        id_b = b.create_incident(inc_b, d_b);
    });
    std::this_thread::sleep_for(300ms);
    a.commit_group();
    other.join();
    CHECK(id_b == id_a);
    CHECK(d_b.seq == d_a.seq);
    CHECK(b.incidents_declared_between(t0(-1), t0(1)).size() == 1);
    CHECK(b.timeline_size(id_a) == 1);
}

TEST_CASE("display_name: a PostgreSQL URI loses its password; a path stays as it is") {
    CHECK(display_name("incidents.db") == "incidents.db");
    CHECK(display_name("/var/lib/incident-bot/in:cid@ents.db") == "/var/lib/incident-bot/in:cid@ents.db");
    CHECK(display_name("postgresql://bot:s3cret@db.internal:5432/incidents") ==
          "postgresql://bot@db.internal:5432/incidents");
    CHECK(display_name("postgres://bot:p%40ss@db/x?sslmode=require&password=other&application_name=a") ==
          "postgres://bot@db/x?sslmode=require&application_name=a");
    CHECK(display_name("postgresql://db.internal/incidents?password=s3cret") == "postgresql://db.internal/incidents");
    CHECK(display_name("postgresql://bot@db.internal/incidents") == "postgresql://bot@db.internal/incidents");
    CHECK(display_name("postgresql:///incidents") == "postgresql:///incidents");
    CHECK(is_postgres_uri("postgresql://h/db"));
    CHECK(is_postgres_uri("postgres://h/db"));
    CHECK_FALSE(is_postgres_uri("postgresql.db"));
}

TEST_CASE("both engines hold the same schema version") {
    CHECK(pg_latest_version() == store::latest_schema_version());
}

namespace {
// Undoes v11 on a database at v11 (either engine): its journal columns and claims table dropped,
// the version set back to 10.
void set_back_to_v10(const std::string& db) {
    raw_sql(db, "ALTER TABLE flows DROP COLUMN owner");
    raw_sql(db, "ALTER TABLE flows DROP COLUMN renewed_at");
    raw_sql(db, "DROP TABLE backfill_claims");
    raw_sql(db, on_postgres() ? "UPDATE incident_bot_schema SET version = 10" : "PRAGMA user_version = 10");
}
}  // namespace

TEST_CASE("v11 on both engines: a v10 database's journal entries get no owner, long expired; gap claims get a table") {
    temp_dir dir;
    const std::string db = test_db(dir.file("v10.db"));
    { store s(db); }
    set_back_to_v10(db);
    raw_sql(db, R"(INSERT INTO flows ("key", kind, step, state) VALUES ('cmd:old', 'change', 2, '{}'))");
    store s(db);
    CHECK(s.schema_version() == 11);
    REQUIRE(s.unfinished_flows().size() == 1);
    CHECK(s.unfinished_flows()[0] == store::flow_row{"cmd:old", "change", 2, "{}", "", time_point{}});
    CHECK(s.claim_flows("B", t0(), [](const store::flow_row& r) { return r.owner != "B"; }).size() == 1);
    CHECK(s.unfinished_flows()[0].owner == "B");
    CHECK(raw_sql(db, "SELECT count(*) FROM backfill_claims") == "0");
}

TEST_CASE("incident_by_channel: the channel's newest incident, through the index both engines have (v10)") {
    temp_dir dir;
    const std::string db = test_db(dir.file("by-channel.db"));
    {
        store s(db);
        for (int i = 0; i < 5; ++i) {
            const std::string channel = "C0" + std::to_string(i % 2);
            auto inc = sample_incident(channel, t0(i));
            auto decl = declare_entry("Ev-ch" + std::to_string(i), t0(i));
            s.create_incident(inc, decl);
        }
        CHECK(s.incident_by_channel("C00")->id == 5);
        CHECK(s.incident_by_channel("C01")->id == 4);
        CHECK_FALSE(s.incident_by_channel("C02"));
    }
    const std::string definition =
        on_postgres() ? raw_sql(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                                    " AND indexname = 'incidents_by_channel'")
                      : raw_sql(db, "SELECT sql FROM sqlite_master WHERE name = 'incidents_by_channel'");
    CHECK(definition.find("(channel_id, id)") != std::string::npos);

    // A database at v9 (the index and v11's additions gone, the version set back) is brought to
    // the latest on open.
    set_back_to_v10(db);
    raw_sql(db, "DROP INDEX incidents_by_channel");
    raw_sql(db, on_postgres() ? "UPDATE incident_bot_schema SET version = 9" : "PRAGMA user_version = 9");
    store reopened(db);
    CHECK(reopened.schema_version() == 11);
    CHECK(reopened.incident_by_channel("C00")->id == 5);
    CHECK(raw_sql(db, on_postgres() ? "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()"
                                      " AND indexname = 'incidents_by_channel'"
                                    : "SELECT count(*) FROM sqlite_master WHERE name = 'incidents_by_channel'") == "1");
}

}  // TEST_SUITE
