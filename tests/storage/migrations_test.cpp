#include "core/corrections.hpp"
#include "core/flows/journal.hpp"
#include "core/redaction.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

using namespace ib;
using namespace ib::storage;
using namespace ib::storage::testing;
using namespace std::chrono_literals;

namespace {

std::set<std::string> schema_objects(SQLite::Database& db, const std::string& type) {
    std::set<std::string> out;
    SQLite::Statement q(db, "SELECT name FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite_%'");
    q.bind(1, type);
    while (q.executeStep()) out.insert(q.getColumn(0).getString());
    return out;
}

std::string query_plan(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, "EXPLAIN QUERY PLAN " + sql);
    std::string plan;
    while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
    return plan;
}

// The message storage_error carries, or "" when `f` does not throw one.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const storage_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_SUITE("migrations") {

TEST_CASE("a fresh database is at the latest version") {
    CHECK(latest_version() == 11);
    CHECK(store::latest_schema_version() == latest_version());
    temp_dir dir;
    const auto path = dir.file("fresh.db");
    {
        store s(path);
        CHECK(s.schema_version() == latest_version());
    }
    SQLite::Database db(path);
    CHECK(user_version(db) == latest_version());
    CHECK(db.execAndGet("PRAGMA application_id").getInt() == application_id);
    CHECK(schema_objects(db, "table") == std::set<std::string>{"incidents", "timeline", "flows", "timeline_duplicates",
                                                               "backfill_marks", "users", "backfill_claims"});
    CHECK(schema_objects(db, "index") == std::set<std::string>{"timeline_by_incident", "incidents_by_declared_at",
                                                               "timeline_by_incident_kind", "timeline_one_per_ts",
                                                               "timeline_corrections", "incidents_by_channel"});
    CHECK(schema_objects(db, "trigger") == std::set<std::string>{"timeline_no_update", "timeline_no_delete"});
}

TEST_CASE("migrate is a no-op at the target and needs no write lock then") {
    temp_dir dir;
    const auto path = dir.file("ib.db");
    { store s(path); }
    SQLite::Database locker(path, SQLite::OPEN_READWRITE);
    SQLite::Transaction lock(locker, SQLite::TransactionBehavior::IMMEDIATE);
    // Another process holds the write lock: opening (and migrating) an up-to-date file must
    // still succeed immediately.
    store s(path, open_options{.read_only = false, .busy_timeout = 0ms});
    CHECK(s.schema_version() == latest_version());
}

TEST_CASE("the indexes serve the store's queries") {
    store s(":memory:");  // just to be sure the schema compiles in-memory too
    temp_dir dir;
    const auto path = dir.file("ib.db");
    { store created(path); }
    SQLite::Database db(path);
    CHECK(query_plan(db, "SELECT * FROM timeline WHERE incident_id = 1 ORDER BY at, seq").find(
              "USING INDEX timeline_by_incident") != std::string::npos);
    CHECK(query_plan(db, "SELECT count(*) FROM timeline WHERE incident_id = 1").find("timeline_by_incident") !=
          std::string::npos);
    CHECK(query_plan(db, "SELECT * FROM incidents WHERE declared_at >= 1 AND declared_at < 2 ORDER BY declared_at, id")
              .find("USING INDEX incidents_by_declared_at") != std::string::npos);
    CHECK(query_plan(db, R"(SELECT seq FROM timeline WHERE "key" = 'x')").find("USING") != std::string::npos);
    // incident_by_channel's query, verbatim (v10).
    CHECK(query_plan(db, "SELECT id FROM incidents WHERE channel_id = 'C1' ORDER BY id DESC LIMIT 1")
              .find("INDEX incidents_by_channel") != std::string::npos);
}

TEST_CASE("a v1 database with data is upgraded to the latest version, data intact") {
    temp_dir dir;
    const auto path = dir.file("v1.db");
    {
        // What a v1 build wrote: schema v1, rows inserted with its SQL.
        auto db = open_database(path, {});
        migrate(db, 1);
        REQUIRE(user_version(db) == 1);
        CHECK(schema_objects(db, "index").empty());
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at,
                       detected_at, acknowledged_at, acknowledged_by, identified_at, mitigated_at, resolved_at,
                       commander, comms_lead, reopen_count)
VALUES (7, 'Checkout errors', 1, 'monitoring', 'C07', 'inc-checkout', 'U01', 1700000000000000,
        1699999940000000, 1700000030000000, 'U02', NULL, 1700000600000000, NULL, 'U03', '', 1);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at)
VALUES (7, 'Ev-1', 1700000000000000, '', 'U01', 'declare', '[]', 'declared', '', '{}', 1700000000000001),
       (7, 'Ev-2', 1700000010000000, '1700000010.000000', 'U02', 'message',
        '[{"tag":"hypothesis","rule":"hedge:maybe"}]', 'maybe the cache?', '', '{}', 1700000010500000),
       (7, NULL, 1700000020000000, '1700000020.000000', 'U02', 'edit', '[]', 'maybe the CDN?',
        '1700000010.000000', '{"note":"x"}', 1700000020500000);
)sql");
    }

    store s(path);
    CHECK(s.schema_version() == latest_version());
    const auto inc = s.incident_by_id(7);
    REQUIRE(inc);
    CHECK(inc->title == "Checkout errors");
    CHECK(inc->sev == severity::sev1);
    CHECK(inc->state == status::monitoring);
    CHECK(inc->detected_at == t0(-60));
    CHECK(inc->acknowledged_at == t0(30));
    CHECK_FALSE(inc->identified_at);
    CHECK(inc->mitigated_at == t0(600));
    CHECK(inc->commander == "U03");
    CHECK(inc->reopen_count == 1);
    CHECK(s.latest_incident()->id == 7);

    const auto tl = s.timeline(7);
    REQUIRE(tl.size() == 3);
    CHECK(tl[0].kind == entry_kind::declare);
    CHECK(tl[1].tags == std::vector<tag_hit>{{tag::hypothesis, "hedge:maybe"}});
    CHECK(tl[1].received_at == t0(10) + 500ms);
    CHECK(tl[2].kind == entry_kind::edit);
    CHECK(tl[2].key.empty());
    CHECK(tl[2].ref_ts == "1700000010.000000");
    CHECK(tl[2].attr("note") == "x");
    CHECK(stored_key(s, "Ev-2"));
    CHECK_FALSE(s.append(sample_entry(7, "Ev-2", t0(99))));  // dedupe still works after the upgrade

    auto next = sample_incident("C08", t0(1000));
    auto decl = declare_entry("Ev-new", t0(1000));
    CHECK(s.create_incident(next, decl) == 8);

    SQLite::Database raw(path);
    CHECK(schema_objects(raw, "index").size() == 6);
}

TEST_CASE("v4: a v3 file loses the two indexes nothing queries, and keeps its data") {
    temp_dir dir;
    const auto path = dir.file("v3.db");
    {
        // What a v3 build wrote: schema v3, rows inserted with its SQL.
        auto db = open_database(path, {});
        migrate(db, 3);
        REQUIRE(user_version(db) == 3);
        CHECK(schema_objects(db, "index").count("incidents_by_channel") == 1);
        CHECK(schema_objects(db, "index").count("incidents_open") == 1);
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at)
VALUES (3, 'Login page down', 2, 'investigating', 'C03', 'inc-login', 'U01', 1700000000000000);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, "text", received_at)
VALUES (3, 'Ev-1', 1700000000000000, '', 'U01', 'declare', 'declared', 1700000000000001),
       (3, 'Ev-2', 1700000010000000, '1700000010.000000', 'U02', 'statuspage', 'We are investigating.',
        1700000010500000);
)sql");
    }

    store s(path);
    CHECK(s.schema_version() == latest_version());
    CHECK(s.latest_incident()->id == 3);
    CHECK(s.timeline_size(3) == 2);
    const entry_kind kinds[] = {entry_kind::statuspage};
    CHECK(s.timeline_of_kinds(3, kinds).at(0).text == "We are investigating.");
    CHECK(s.incidents_declared_between(t0(-1), t0(1)).at(0).channel_id == "C03");
    CHECK_FALSE(s.append(sample_entry(3, "Ev-2", t0(99))));  // dedupe still works after the upgrade

    SQLite::Database raw(path);
    CHECK(schema_objects(raw, "index") == std::set<std::string>{"timeline_by_incident", "incidents_by_declared_at",
                                                                "timeline_by_incident_kind", "timeline_one_per_ts",
                                                                "timeline_corrections", "incidents_by_channel"});
}

TEST_CASE("v7: a v6 file's duplicate messages move aside, one entry per ts stays, and new kinds are readable") {
    temp_dir dir;
    const auto path = dir.file("v6.db");
    {
        // What a v6 build wrote: the same message twice under two event_ids (Slack sent it twice),
        // a join whose ts a message also has in another incident, and ordinary rows.
        auto db = open_database(path, {});
        migrate(db, 6);
        REQUIRE(user_version(db) == 6);
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at)
VALUES (1, 'Checkout errors', 1, 'investigating', 'C01', 'inc-checkout', 'U01', 1700000000000000),
       (2, 'Login down', 2, 'investigating', 'C02', 'inc-login', 'U01', 1700000000000000);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at)
VALUES (1, 'Ev-decl', 1700000000000000, '', 'U01', 'declare', '[]', 'declared', '', '{}', 1700000000000001),
       (1, 'Ev-a', 1700000010000000, '1700000010.000000', 'U02', 'message', '[]', 'maybe the cache?', '', '{}', 1700000010100000),
       (1, 'Ev-b', 1700000010000000, '1700000010.000000', 'U02', 'message', '[]', 'maybe the cache?', '', '{}', 1700000010200000),
       (1, 'Ev-c', 1700000010000000, '1700000010.000000', 'U02', 'message', '[]', 'maybe the cache?', '', '{}', 1700000010300000),
       (1, 'Ev-edit', 1700000010000000, '1700000010.000000', 'U02', 'edit', '[]', 'the CDN?', '1700000009.000000', '{}', 1700000010400000),
       (1, 'Ev-d', 1700000020000000, '1700000020.000000', 'U03', 'message', '[]', 'rolling back', '', '{}', 1700000020100000),
       (2, 'Ev-e', 1700000010000000, '1700000010.000000', 'U02', 'join', '[]', 'joined', '', '{}', 1700000010500000),
       (2, 'Ev-f', 1700000030000000, '', 'U02', 'message', '[]', 'no ts', '', '{}', 1700000030000000),
       (2, 'Ev-g', 1700000030000000, '', 'U02', 'message', '[]', 'no ts', '', '{}', 1700000030000000);
)sql");
    }

    store s(path);
    CHECK(s.schema_version() == latest_version());
    // Incident 1 keeps the first copy (the one stored first); the edit has its own kind and stays.
    const auto tl = s.timeline(1);
    REQUIRE(tl.size() == 4);
    CHECK(tl[1].key == "Ev-a");
    CHECK(tl[2].kind == entry_kind::edit);
    CHECK(tl[3].key == "Ev-d");
    // Incident 2: another incident's ts is another message; entries without a ts are left alone.
    CHECK(s.timeline_size(2) == 3);

    // The later copies are kept aside, unchanged, with the entry they duplicate.
    SQLite::Database raw(path);
    SQLite::Statement q(raw, R"(SELECT seq, duplicate_of, "key", "text", received_at FROM timeline_duplicates ORDER BY seq)");
    std::vector<std::string> moved;
    while (q.executeStep())
        moved.push_back(q.getColumn(2).getString() + "->" + std::to_string(q.getColumn(1).getInt64()) + ":" +
                        q.getColumn(3).getString());
    CHECK(moved == std::vector<std::string>{"Ev-b->2:maybe the cache?", "Ev-c->2:maybe the cache?"});
    // A redaction of that message reaches the copies set aside: its text leaves the file.
    const auto red = plan_redaction(*s.incident_by_id(1), s.timeline(1), "1700000010.000000", "pasted a secret",
                                    "U01", from_unix_seconds(1700000045));
    REQUIRE(red);
    CHECK(s.redact_message(*red).rewritten == 3);  // the entry kept and its two copies
    SQLite::Statement aside(raw, R"(SELECT count(*) FROM timeline_duplicates WHERE "text" = ?1)");
    aside.bind(1, red->text);
    REQUIRE(aside.executeStep());
    CHECK(aside.getColumn(0).getInt() == 2);
    // Still append-only.
    CHECK_THROWS(raw.exec("DELETE FROM timeline WHERE seq = 1"));

    // From now on the same message is one entry, whatever its key.
    CHECK_FALSE(s.append(sample_entry(1, "", from_unix_seconds(1700000010))));
    CHECK_FALSE(s.append(sample_entry(1, "Ev-b", from_unix_seconds(1700000010))));  // its moved copy's key
    CHECK(s.append(sample_entry(1, "", from_unix_seconds(1700000040))));
    // A gap entry (v7's new kind) is stored and read back.
    timeline_entry gap = sample_entry(1, "gap:1:1", from_unix_seconds(1700000050), "not connected", entry_kind::gap);
    gap.slack_ts.clear();
    CHECK(s.append(gap));
    CHECK(s.timeline(1).back().kind == entry_kind::gap);
    CHECK(s.backfill_marks().empty());
    CHECK(query_plan(raw, "SELECT 1 FROM timeline WHERE incident_id = 1 AND slack_ts = 'x' AND slack_ts <> '' AND kind IN "
                          "('message', 'bot_message', 'join', 'leave')")
              .find("timeline_one_per_ts") != std::string::npos);
}

TEST_CASE("v5: a v4 file's incidents are public, and its timeline stays append-only but for redaction") {
    temp_dir dir;
    const auto path = dir.file("v4.db");
    {
        auto db = open_database(path, {});
        migrate(db, 4);
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at)
VALUES (4, 'Checkout errors', 2, 'investigating', 'C04', 'inc-checkout', 'U01', 1700000000000000);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, "text", received_at)
VALUES (4, 'Ev-1', 1700000010000000, '1700000010.000000', 'U02', 'message', 'password is hunter2', 1700000010000001);
)sql");
        // v4's trigger refuses every update, redaction included.
        CHECK_THROWS_WITH_AS(db.exec("UPDATE timeline SET \"text\" = '[redacted: x]' WHERE incident_id = 4"),
                             doctest::Contains("append-only"), SQLite::Exception);
    }
    store s(path);
    CHECK(s.schema_version() == latest_version());
    REQUIRE(s.incident_by_id(4));
    CHECK_FALSE(s.incident_by_id(4)->is_private);
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    // Still refused without a redaction entry for that message.
    CHECK_THROWS_WITH_AS(raw.exec("UPDATE timeline SET \"text\" = '[redacted: x]' WHERE incident_id = 4"),
                         doctest::Contains("append-only"), SQLite::Exception);
    CHECK_THROWS_WITH_AS(raw.exec("DELETE FROM timeline WHERE incident_id = 4"), doctest::Contains("append-only"),
                         SQLite::Exception);
}

TEST_CASE("v8: an old file with data is backed up, then every text follows the one text model") {
    // tests/data/schema-v3-with-data.sql: a file written by an older build (see its header).
    std::ifstream in(std::string(IB_SOURCE_DIR) + "/tests/data/schema-v3-with-data.sql");
    REQUIRE(in);
    const std::string dump((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    temp_dir dir;
    const auto path = dir.file("old.db");
    {
        SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec(dump);
        REQUIRE(user_version(raw) == 3);
    }
    std::optional<std::string> backup;
    {
        store s(path);
        CHECK(s.schema_version() == latest_version());
        backup = s.migration_backup();
        REQUIRE(backup);
        CHECK(*backup == path + ".schema-v3.bak");

        // Titles and command texts were stored decoded: now Slack text, a typed <!channel> escaped.
        CHECK(s.incident_by_id(2)->title == "p99 &gt; 2s &amp; &lt;x&gt; on checkout");
        CHECK(s.incident_by_id(1)->title == "Login page down");
        const auto tl = s.timeline(2);
        std::map<std::string, const timeline_entry*> by_key;
        for (const auto& e : tl) by_key[e.key] = &e;
        CHECK(by_key["cmd:hostile-declare"]->text == "declared sev1: p99 &gt; 2s &amp; &lt;x&gt; on checkout");
        CHECK(by_key["cmd:hostile-note"]->text ==
              "p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt; ask <@U0CATHY|cathy> see "
              "<https://grafana.example.com/d/1?a=1&amp;b=2|dash>");
        CHECK(by_key["cmd:hostile-status"]->text == "status investigating → identified: cache &amp; &lt;db&gt; timeouts");
        CHECK(by_key["cmd:hostile-status"]->attr("note") == "cache &amp; &lt;db&gt; timeouts");
        CHECK(by_key["cmd:hostile-statuspage"]->text == "Checkout is slow (p99 &gt; 2s) &amp; we're on it");
        CHECK(by_key["cmd:hostile-action"]->text == "alert when p99 &gt; 2s &amp; &lt;burst&gt;");
        CHECK(by_key["cmd:hostile-action"]->attr("owner") == "U0CATHY");
        CHECK(by_key["cmd:hostile-resolve"]->attr("note") == "back &lt; 2s &amp; stable");
        // What Slack sent, and the bot's own texts, were Slack text already: untouched.
        CHECK(by_key["EvHOSTILE01"]->text == "p99 &gt; 2s &amp; rising, &lt;!channel&gt; ping <@U0BOB>");
        CHECK(by_key["EvHOSTILE02"]->attr("previous_text") == by_key["EvHOSTILE01"]->text);
        CHECK(by_key["cmd:hostile-ack"]->text == "acknowledged by <@U0BOB>");
        CHECK(s.timeline(1).size() == 33);
        // The demo's commands: text without & < > is the same in both forms.
        const entry_kind kinds[] = {entry_kind::action_item};
        CHECK(s.timeline_of_kinds(1, kinds).at(0).text == "Find out what started the unknown service");

        // The timeline is append-only again, and the users cache is there.
        SQLite::Database raw(path);
        CHECK_THROWS(raw.exec("UPDATE timeline SET \"text\" = 'x' WHERE seq = 1"));
        CHECK(schema_objects(raw, "table").count("users") == 1);
        CHECK(schema_objects(raw, "trigger") == std::set<std::string>{"timeline_no_update", "timeline_no_delete"});
    }

    // The backup is the old file as it was: schema v3, texts decoded, owner-only.
    SQLite::Database old(*backup, SQLite::OPEN_READONLY);
    CHECK(user_version(old) == 3);
    CHECK(old.execAndGet("SELECT title FROM incidents WHERE id = 2").getString() == "p99 > 2s & <x> on checkout");
    CHECK(old.execAndGet("SELECT count(*) FROM timeline").getInt() == 42);
    CHECK((std::filesystem::status(*backup).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

    // Opening again migrates nothing and backs up nothing.
    store again(path);
    CHECK_FALSE(again.migration_backup());
    // A fresh file, or one migrated in memory, needs no backup either.
    CHECK_FALSE(store(dir.file("fresh.db")).migration_backup());
    CHECK_FALSE(store(":memory:").migration_backup());
}

TEST_CASE("v9: a v8 file takes corrections, and retag may rewrite a message's tags and nothing else") {
    temp_dir dir;
    const auto path = dir.file("v8.db");
    {
        auto db = open_database(path, {});
        migrate(db, 8);
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at)
VALUES (4, 'Checkout errors', 2, 'investigating', 'C04', 'inc-checkout', 'U01', 1700000000000000);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, tags, "text", received_at)
VALUES (4, 'Ev-1', 1700000010000000, '1700000010.000000', 'U02', 'message',
        '[{"tag":"hypothesis","rule":"old"}]', 'bet it is the LB again', 1700000010000001);
)sql");
        // v8's trigger refuses a retag.
        CHECK_THROWS_WITH_AS(db.exec("UPDATE timeline SET tags = '[]' WHERE incident_id = 4"),
                             doctest::Contains("append-only"), SQLite::Exception);
    }
    store s(path);
    CHECK(s.schema_version() == latest_version());
    CHECK_FALSE(s.migration_backup());  // nothing rewritten: no backup
    auto before = s.message(4, "1700000010.000000");
    REQUIRE(before);
    CHECK(before->tags == std::vector<tag_hit>{{tag::hypothesis, "old"}});
    timeline_entry c = make_correction(*before, std::vector<tag>{tag::action}, "U03", from_unix_seconds(1700000100),
                                       "correction:V9");
    CHECK(s.append(c));
    CHECK(s.message(4, "1700000010.000000")->tags == std::vector<tag_hit>{{tag::action, "correction:U03"}});
    const auto r = s.retag(4, retagged);
    CHECK(r.messages == 1);
    CHECK(r.corrected == 1);
    CHECK(s.message(4, "1700000010.000000")->tags == std::vector<tag_hit>{{tag::action, "correction:U03"}});
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    CHECK(schema_objects(raw, "index").count("timeline_corrections") == 1);
    CHECK_THROWS_WITH_AS(raw.exec("UPDATE timeline SET attrs = '{}', tags = '[]' WHERE kind = 'correction'"),
                         doctest::Contains("append-only"), SQLite::Exception);
    CHECK_THROWS_WITH_AS(raw.exec("UPDATE timeline SET tags = '[]' WHERE kind = 'correction'"),
                         doctest::Contains("append-only"), SQLite::Exception);
}

TEST_CASE("v10: a v9 file gets the channel index, and a channel's newest incident is still the one found") {
    temp_dir dir;
    const auto path = dir.file("v9.db");
    {
        auto db = open_database(path, {});
        migrate(db, 9);
        CHECK(schema_objects(db, "index").count("incidents_by_channel") == 0);
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at)
VALUES (1, 'Checkout errors', 2, 'resolved', 'C04', 'inc-checkout', 'U01', 1700000000000000),
       (2, 'Login down', 2, 'investigating', 'C05', 'inc-login', 'U01', 1700000100000000),
       (3, 'Checkout errors again', 2, 'investigating', 'C04', 'inc-checkout', 'U01', 1700000200000000);
)sql");
    }
    store s(path);
    CHECK(s.schema_version() == latest_version());
    CHECK_FALSE(s.migration_backup());  // an index: nothing rewritten, no backup
    CHECK(s.incident_by_channel("C04")->id == 3);
    CHECK(s.incident_by_channel("C05")->id == 2);
    CHECK_FALSE(s.incident_by_channel("C06"));
    SQLite::Database raw(path);
    CHECK(schema_objects(raw, "index").count("incidents_by_channel") == 1);
}

TEST_CASE("v11: a v10 file's journal entries get no owner and are resumed at once; gap claims get a table") {
    temp_dir dir;
    const auto path = dir.file("v10.db");
    {
        auto db = open_database(path, {});
        migrate(db, 10);
        db.exec(R"sql(INSERT INTO flows ("key", kind, step, state) VALUES ('cmd:old', 'change', 2, '{}'))sql");
    }
    store s(path);
    CHECK(s.schema_version() == 11);
    CHECK_FALSE(s.migration_backup());  // columns and a table: nothing rewritten, no backup
    REQUIRE(s.unfinished_flows().size() == 1);
    CHECK(s.unfinished_flows()[0] == store::flow_row{"cmd:old", "change", 2, "{}", "", time_point{}});
    const auto taken = s.claim_flows("B", t0(), [](const store::flow_row& r) { return r.owner != "B"; });
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].owner == "B");
    SQLite::Database raw(path);
    CHECK(schema_objects(raw, "table").count("backfill_claims") == 1);
}

TEST_CASE("v8: a second backup of the same version does not overwrite the first") {
    temp_dir dir;
    const auto path = dir.file("old.db");
    const std::string bak = path + ".schema-v" + std::to_string(text_model_version - 1) + ".bak";
    for (int round = 0; round < 2; ++round) {
        std::filesystem::remove(path);
        {
            auto db = open_database(path, {});
            migrate(db, text_model_version - 1);
            db.exec("INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, "
                    "declared_at) VALUES (1, 'a & b', 3, 'investigating', 'C1', 'inc-a', 'U1', 1)");
        }
        store s(path);
        REQUIRE(s.migration_backup());
        CHECK(*s.migration_backup() == (round == 0 ? bak : bak + ".2"));
        CHECK(s.incident_by_id(1)->title == "a &amp; b");
    }
}

TEST_CASE("v8: a v7 file's redactions read in Slack's form, and redaction still works after it") {
    temp_dir dir;
    const auto path = dir.file("v7.db");
    const std::string ts = "1700000010.000000";
    {
        auto db = open_database(path, {});
        migrate(db, 7);
        // What v5's to v7's `incident-bot redact --reason "a & <b>"` left: the reason as typed, in the
        // redaction entry and in the message and its edit, through v5's trigger.
        db.exec(R"sql(
INSERT INTO incidents (id, title, severity, status, channel_id, channel_name, declared_by, declared_at)
VALUES (4, 'Checkout errors', 2, 'investigating', 'C04', 'inc-checkout', 'U01', 1700000000000000);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, "text", received_at)
VALUES (4, 'Ev-m', 1700000010000000, '1700000010.000000', 'U02', 'message', 'pw hunter2', 1);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, "text", ref_ts, attrs, received_at)
VALUES (4, 'Ev-e', 1700000020000000, '1700000020.000000', 'U02', 'edit', 'pw hunter2!', '1700000010.000000',
        '{"previous_text":"pw hunter2"}', 2);
INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, "text", received_at)
VALUES (4, 'Ev-k', 1700000030000000, '1700000030.000000', 'U03', 'message', 'p99 &gt; 2s', 3);
INSERT INTO timeline (incident_id, at, kind, "text", ref_ts, attrs, received_at)
VALUES (4, 1700000040000000, 'redaction', '[redacted: a & <b>]', '1700000010.000000',
        '{"by":"alice","reason":"a & <b>"}', 4);
UPDATE timeline SET "text" = '[redacted: a & <b>]' WHERE "key" = 'Ev-m';
UPDATE timeline SET "text" = '[redacted: a & <b>]', attrs = json_set(attrs, '$.previous_text', '[redacted: a & <b>]')
WHERE "key" = 'Ev-e';
INSERT INTO timeline_duplicates (seq, duplicate_of, incident_id, "key", at, slack_ts, "user", kind, tags, "text",
                                 ref_ts, attrs, received_at)
VALUES (90, 1, 4, 'Ev-m2', 1700000010000000, '1700000010.000000', 'U02', 'message', '[]', '[redacted: a & <b>]',
        '', '{}', 1);
INSERT INTO timeline (incident_id, "key", at, kind, "text", attrs, received_at)
VALUES (4, 'gap:4:1', 1700000050000000, 'gap',
        'not connected 10:00:50–10:01:40 UTC; Slack''s history could not be read (HTTP 502 <html> & co)',
        '{"error":"HTTP 502 <html> & co"}', 5);
)sql");
        // A declaration and a note in progress when that build stopped: journaled as typed.
        auto d = declare_incident("p99 > 2s & <x>", severity::sev2, "U01", "C05", "inc-p99", from_unix_seconds(1700000060));
        REQUIRE(d);
        flows::declare_flow::state declaring;
        declaring.title = d->inc.title;
        declaring.declarer = "U01";
        declaring.key = "cmd:Env-d";
        declaring.inc = d->inc;
        declaring.entry = d->entry;
        flows::change_flow::state noting;
        noting.cmd = cmd::note{"cache & <db> <@U02>"};
        noting.incident_id = 4;
        noting.key = "cmd:Env-n";
        noting.plan.updated.id = 4;
        noting.plan.updated.title = "Checkout errors";
        noting.plan.updated.channel_id = "C04";
        noting.plan.entry.kind = entry_kind::note;
        noting.plan.entry.text = "cache & <db> <@U02>";
        noting.plan.reply = "Noted: cache &amp; &lt;db&gt; <@U02>";  // rendered for Slack already
        SQLite::Statement journal(db, R"(INSERT INTO flows ("key", kind, step, state) VALUES (?, ?, 1, ?))");
        for (const auto& [key, kind, state] :
             {std::tuple{declaring.key, "declare", flows::save(declaring, "U01")},
              std::tuple{noting.key, "change", flows::save(noting, "U01")}}) {
            journal.bind(1, key);
            journal.bind(2, kind);
            journal.bind(3, state);
            journal.exec();
            journal.reset();
        }
    }
    store s(path);
    CHECK(s.schema_version() == latest_version());
    CHECK(s.migration_backup() == path + ".schema-v7.bak");
    std::map<std::string, timeline_entry> by_key;
    timeline_entry redaction;
    for (const auto& e : s.timeline(4)) {
        if (e.kind == entry_kind::redaction) redaction = e;
        else by_key[e.key] = e;
    }
    const std::string once = "[redacted: a &amp; &lt;b&gt;]";
    CHECK(redaction.text == once);
    CHECK(redaction.attr("reason") == "a &amp; &lt;b&gt;");
    CHECK(redaction.attr("by") == "alice");
    CHECK(by_key["Ev-m"].text == once);
    CHECK(by_key["Ev-e"].text == once);
    CHECK(by_key["Ev-e"].attr("previous_text") == once);
    CHECK(by_key["Ev-k"].text == "p99 &gt; 2s");  // Slack text already: untouched
    // The copy v7 set aside reads the redaction like the message.
    {
        SQLite::Database raw(path, SQLite::OPEN_READONLY);
        CHECK(raw.execAndGet(R"(SELECT "text" FROM timeline_duplicates WHERE seq = 90)").getString() == once);
    }
    // The gap's text is Slack text; its error attribute stays as it came.
    CHECK(by_key["gap:4:1"].text ==
          "not connected 10:00:50–10:01:40 UTC; Slack's history could not be read (HTTP 502 &lt;html&gt; &amp; co)");
    CHECK(by_key["gap:4:1"].attr("error") == "HTTP 502 <html> & co");
    // The flows in progress resume with Slack text; what was rendered for Slack is left.
    const auto rows = s.unfinished_flows();
    REQUIRE(rows.size() == 2);
    const auto declaring = flows::restore(rows[0].kind, rows[0].state);
    REQUIRE(declaring.entry);
    const auto& ds = std::get<flows::declare_flow>(declaring.entry->flow).current();
    CHECK(ds.title == "p99 &gt; 2s &amp; &lt;x&gt;");
    CHECK(ds.inc.title == ds.title);
    CHECK(ds.entry.text == "declared sev2: p99 &gt; 2s &amp; &lt;x&gt;");
    const auto noting = flows::restore(rows[1].kind, rows[1].state);
    REQUIRE(noting.entry);
    const auto& ns = std::get<flows::change_flow>(noting.entry->flow).current();
    CHECK(std::get<cmd::note>(ns.cmd).text == "cache &amp; &lt;db&gt; <@U02>");
    CHECK(ns.plan.entry.text == "cache &amp; &lt;db&gt; <@U02>");
    CHECK(ns.plan.updated.title == "Checkout errors");
    CHECK(ns.plan.reply == "Noted: cache &amp; &lt;db&gt; <@U02>");
    CHECK(noting.entry->reply_to == "U01");
    CHECK(redaction.text == redacted_text("a & <b>"));  // what redact writes today

    // v5's trigger is back: redaction works, any other rewrite is refused.
    auto again = plan_redaction(*s.incident_by_id(4), s.timeline(4), "1700000030.000000", "again", "bob",
                                from_unix_seconds(1700000050));
    REQUIRE(again);
    CHECK(s.redact_message(*again).rewritten == 1);
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    CHECK_THROWS_WITH_AS(raw.exec("UPDATE timeline SET \"text\" = 'x' WHERE \"key\" = 'Ev-k'"),
                         doctest::Contains("append-only"), SQLite::Exception);
    CHECK_THROWS_WITH_AS(raw.exec("UPDATE timeline SET \"text\" = '[redacted: x]' WHERE \"key\" = 'Ev-e'"),
                         doctest::Contains("append-only"), SQLite::Exception);
}

TEST_CASE("each step is one transaction with its version bump") {
    temp_dir dir;
    const auto path = dir.file("ib.db");
    auto db = open_database(path, {});

    SUBCASE("a step that throws") {
        const std::vector<migration_step> steps{
            schema_steps()[0],
            [](SQLite::Database& d) {
                d.exec("CREATE TABLE half_done (x INTEGER)");
                throw std::runtime_error("disk on fire");
            },
        };
        const auto msg = error_of([&] { migrate(db, steps, 2); });
        CHECK(msg == path + ": migration to schema v2 failed: disk on fire");
        CHECK(user_version(db) == 1);  // step 1 committed on its own
        CHECK(db.tableExists("incidents"));
        CHECK_FALSE(db.tableExists("half_done"));
    }
    SUBCASE("a step whose SQL fails half-way") {
        const std::vector<migration_step> steps{
            schema_steps()[0],
            [](SQLite::Database& d) { d.exec("CREATE TABLE half_done (x INTEGER); INSERT INTO nowhere VALUES (1);"); },
        };
        const auto msg = error_of([&] { migrate(db, steps, 2); });
        CHECK(msg.find(path + ": migration to schema v2 failed: no such table: nowhere") == 0);
        CHECK(user_version(db) == 1);
        CHECK_FALSE(db.tableExists("half_done"));

        // Fixed in a later build: the real steps take it from v1.
        migrate(db, latest_version());
        CHECK(user_version(db) == latest_version());
    }
    SUBCASE("a failing first step leaves v0 and an empty file") {
        const std::vector<migration_step> steps{[](SQLite::Database& d) {
            d.exec("CREATE TABLE incidents (id INTEGER PRIMARY KEY)");
            throw std::runtime_error("nope");
        }};
        CHECK_THROWS_AS(migrate(db, steps, 1), storage_error);
        CHECK(user_version(db) == 0);
        CHECK(db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() == 0);
    }
    SUBCASE("steps run in order, once") {
        int runs = 0;
        std::vector<int> seen;
        const std::vector<migration_step> steps{
            [&](SQLite::Database& d) { ++runs; seen.push_back(user_version(d)); },
            [&](SQLite::Database& d) { ++runs; seen.push_back(user_version(d)); },
            [&](SQLite::Database& d) { ++runs; seen.push_back(user_version(d)); },
        };
        migrate(db, steps, 2);
        CHECK(user_version(db) == 2);
        migrate(db, steps, 3);
        migrate(db, steps, 3);
        CHECK(user_version(db) == 3);
        CHECK(runs == 3);
        CHECK(seen == std::vector<int>{0, 1, 2});
    }
    SUBCASE("targets out of range") {
        CHECK(error_of([&] { migrate(db, latest_version() + 1); }) ==
              path + ": cannot migrate to schema v" + std::to_string(latest_version() + 1) +
                  ": this build knows v0 to v" + std::to_string(latest_version()));
        CHECK_THROWS_AS(migrate(db, -1), storage_error);
        migrate(db, 2);
        CHECK(error_of([&] { migrate(db, 1); }) == path + ": schema v2 is newer than the requested v1");
    }
}

TEST_CASE("a database written by a newer build is refused") {
    temp_dir dir;
    const auto path = dir.file("future.db");
    { store s(path); }
    {
        SQLite::Database raw(path, SQLite::OPEN_READWRITE);
        raw.exec("PRAGMA user_version = " + std::to_string(latest_version() + 2));
    }
    const std::string newer = std::to_string(latest_version() + 2), latest = std::to_string(latest_version());
    const std::string expected =
        path + ": written by a newer incident-bot (schema v" + newer + "; this build knows up to v" + latest + ")";
    CHECK(error_of([&] { store s(path); }) == expected);
    CHECK(error_of([&] { store s(path, open_options{.read_only = true}); }) == expected);
    auto db = open_database(path, {});
    CHECK(error_of([&] { migrate(db, 2); }) == expected);
    CHECK(user_version(db) == latest_version() + 2);  // untouched
}

TEST_CASE("corrupt and foreign files are refused with a clear message") {
    temp_dir dir;
    const auto path = dir.file("bad.db");
    std::string content;

    SUBCASE("random bytes") {
        std::mt19937 rng(42);
        for (int i = 0; i < 8192; ++i) content.push_back(static_cast<char>(rng() & 0xff));
    }
    SUBCASE("a text file") {
        for (int i = 0; i < 50; ++i) content += "2023-11-14 incident notes: the database is fine, probably.\n";
    }
    SUBCASE("a short text file") {
        content = "hello\n";
    }
    SUBCASE("a SQLite header followed by garbage") {
        content = std::string("SQLite format 3\0", 16);
        content += std::string(84, '\xff');
        content += std::string(4000, 'x');
    }
    write_file(path, content);
    for (const bool read_only : {false, true}) {
        const auto msg = error_of([&] { store s(path, open_options{.read_only = read_only}); });
        CAPTURE(msg);
        CHECK(msg.find(path + ": ") == 0);
        CHECK(msg.find("not a SQLite database, or corrupt") != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
    }
    CHECK(std::filesystem::file_size(path) == content.size());  // never overwritten
}

TEST_CASE("SQLite files of other applications are refused") {
    temp_dir dir;
    const auto path = dir.file("other.db");
    {
        SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        SUBCASE("tables but no version") { raw.exec("CREATE TABLE notes (x TEXT)"); }
        SUBCASE("a version but no application id") { raw.exec("PRAGMA user_version = 1"); }
        SUBCASE("another application id") { raw.exec("PRAGMA application_id = 1234"); }
    }
    const auto msg = error_of([&] { store s(path); });
    CAPTURE(msg);
    CHECK(msg.find(path + ": not an incident-bot database (") == 0);
}

TEST_CASE("an empty file becomes a fresh database") {
    temp_dir dir;
    const auto path = dir.file("empty.db");
    write_file(path, "");
    store s(path);
    CHECK(s.schema_version() == latest_version());
}

TEST_CASE("read-only opens") {
    temp_dir dir;
    SUBCASE("a missing file") {
        const auto path = dir.file("missing.db");
        CHECK(error_of([&] { store s(path, open_options{.read_only = true}); }) ==
              path + ": cannot open read-only: no such file");
        CHECK_FALSE(std::filesystem::exists(path));
    }
    SUBCASE("an older schema is not upgraded") {
        const auto path = dir.file("v1.db");
        {
            auto db = open_database(path, {});
            migrate(db, 1);
        }
        CHECK(error_of([&] { store s(path, open_options{.read_only = true}); }) ==
              path + ": schema v1 needs upgrading to v" + std::to_string(latest_version()) +
                  ", which a read-only open cannot do; open it read-write once");
        SQLite::Database raw(path);
        CHECK(user_version(raw) == 1);
    }
    SUBCASE("a missing directory when creating") {
        const auto path = dir.file("no/such/dir/ib.db");
        const auto msg = error_of([&] { store s(path); });
        CHECK(msg.find(path + ": cannot open: ") == 0);
    }
}

}  // TEST_SUITE("migrations")
