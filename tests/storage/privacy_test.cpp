// What the database file lets others see: its mode, and the one sanctioned rewrite of the record
// (redaction), after which the old text is gone from the files.
#include "core/redaction.hpp"
#include "storage/maintenance.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace ib;
using namespace ib::storage;
using namespace ib::storage::testing;

namespace {

// Sets the umask for a scope and puts the old one back.
class umask_scope {
public:
    explicit umask_scope(mode_t m) : old_(::umask(m)) {}
    ~umask_scope() { ::umask(old_); }
    umask_scope(const umask_scope&) = delete;
    umask_scope& operator=(const umask_scope&) = delete;

private:
    mode_t old_;
};

// Stores one incident in `s`: a write, so the -wal file exists afterwards.
void store_an_incident(store& s) {
    auto inc = sample_incident();
    auto e = declare_entry("k1", t0());
    s.create_incident(inc, e);
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path);
    return st.st_mode & 07777;
}

}  // namespace

TEST_SUITE("storage") {

TEST_CASE("the database and its -wal and -shm files are created 0600, whatever the umask" * sqlite_only()) {
    for (const mode_t mask : {mode_t{022}, mode_t{0}, mode_t{077}}) {
        CAPTURE(mask);
        temp_dir dir;
        const auto path = test_db(dir.file("ib.db"));
        umask_scope scope(mask);
        store s(path);
        store_an_incident(s);
        for (const char* suffix : {"", "-wal", "-shm"}) {
            CAPTURE(suffix);
            REQUIRE(std::filesystem::exists(path + suffix));
            CHECK(mode_of(path + suffix) == 0600);
        }
    }
}

TEST_CASE("a backup is created 0600 too, whatever the umask" * sqlite_only()) {
    for (const mode_t mask : {mode_t{022}, mode_t{0}}) {
        CAPTURE(mask);
        temp_dir dir;
        const auto path = test_db(dir.file("ib.db"));
        umask_scope scope(mask);
        {
            store s(path);
            store_an_incident(s);
        }
        REQUIRE(::chmod(path.c_str(), 0644) == 0);  // even when its owner opened the database up
        backup_database(path, test_db(dir.file("copy.db")));
        CHECK(mode_of(test_db(dir.file("copy.db"))) == 0600);
    }
}

TEST_CASE("an existing database keeps the mode its owner gave it" * sqlite_only()) {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    { store s(path); }
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    store s(path);
    CHECK(mode_of(path) == 0640);
}

}  // TEST_SUITE

namespace {

// Every occurrence of `needle` in the database's files (main file and WAL).
std::size_t occurrences_in_files(const std::string& db, const std::string& needle) {
    std::size_t n = 0;
    for (const char* suffix : {"", "-wal"}) {
        std::ifstream in(db + suffix, std::ios::binary);
        if (!in) continue;
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (auto pos = bytes.find(needle); pos != std::string::npos; pos = bytes.find(needle, pos + 1)) ++n;
    }
    return n;
}

}  // namespace

TEST_SUITE("storage") {

TEST_CASE("redaction rewrites one message and its edits, records who and why, and the old text leaves the files" * sqlite_only()) {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    const std::string secret = "hunter2-SECRET-PASSWORD";
    std::int64_t id = 0;
    {
        store s(path);
        auto inc = sample_incident();
        auto d = declare_entry("decl", t0());
        id = s.create_incident(inc, d);
        // The message, long enough to spill into an overflow page, and everything that repeats it.
        auto m = sample_entry(id, "Ev-m", t0(10), "the db password is " + secret + std::string(6000, '.'));
        REQUIRE(s.append(m));
        REQUIRE(s.timeline(id).size() == 2);
        {
            // Checkpointed by another connection: the message is in the main file, the rest in the WAL.
            SQLite::Database other(path, SQLite::OPEN_READWRITE);
            other.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        auto edit = sample_entry(id, "Ev-e", t0(20), "the db password is " + secret + " (edited)", entry_kind::edit);
        edit.ref_ts = m.slack_ts;
        edit.attrs["previous_text"] = "the db password is " + secret;
        auto del = sample_entry(id, "Ev-d", t0(30), "", entry_kind::deletion);
        del.ref_ts = m.slack_ts;
        del.attrs["previous_text"] = "the db password is " + secret + " (edited)";
        auto keep = sample_entry(id, "Ev-k", t0(40), "rotating the password now");
        auto react = sample_entry(id, "Ev-r", t0(50), ":eyes:", entry_kind::reaction);
        react.ref_ts = m.slack_ts;
        const timeline_entry later[] = {edit, del, keep, react};
        s.append_batch(later);
        REQUIRE(occurrences_in_files(path, secret) > 0);

        auto r = plan_redaction(inc, s.timeline(id), m.slack_ts, "pasted a password", "alice", t0(60));
        REQUIRE(r);
        const auto done = s.redact_message(*r);
        CHECK(done.rewritten == 3);  // the message, its edit, its deletion
        CHECK(done.checkpointed);

        const auto tl = s.timeline(id);
        REQUIRE(tl.size() == 7);
        const std::string redacted = "[redacted: pasted a password]";
        CHECK(tl[1].text == redacted);                         // the message
        CHECK(tl[2].text == redacted);                         // its edit
        CHECK(tl[2].attrs.at("previous_text") == redacted);
        CHECK(tl[3].text.empty());                             // the deletion has no text of its own
        CHECK(tl[3].attrs.at("previous_text") == redacted);
        CHECK(tl[4].text == "rotating the password now");      // other messages untouched
        CHECK(tl[5].text == ":eyes:");
        CHECK(tl[6].kind == entry_kind::redaction);            // the record of it
        CHECK(tl[6].attrs.at("by") == "alice");
        CHECK(tl[6].at == t0(60));
        CHECK(tl[1].key == "Ev-m");                            // nothing else about the entries changed
        CHECK(tl[1].at == t0(10));
    }
    // Closed: neither the main file nor a WAL holds the old text any more.
    CHECK(occurrences_in_files(path, secret) == 0);
    CHECK(occurrences_in_files(path, "rotating the password now") == 1);
}

TEST_CASE("redaction is the only rewrite the timeline allows") {
    temp_dir dir;
    const auto path = test_db(dir.file("ib.db"));
    std::int64_t id = 0;
    std::string ts;
    {
        store s(path);
        auto inc = sample_incident();
        auto d = declare_entry("decl", t0());
        id = s.create_incident(inc, d);
        auto m = sample_entry(id, "Ev-m", t0(10), "secret");
        ts = m.slack_ts;
        REQUIRE(s.append(m));
        REQUIRE(s.append(sample_entry(id, "Ev-n", t0(20), "other")));
        // A message that is not on this incident's timeline: refused, nothing recorded.
        auto stray = plan_redaction(inc, s.timeline(id), ts, "x", "alice", t0(30));
        REQUIRE(stray);
        stray->ref_ts = "1.000000";
        CHECK_THROWS_WITH_AS(s.redact_message(*stray), doctest::Contains("no message with ts 1.000000"), storage_error);
        CHECK(s.timeline(id).size() == 3);
    }
    const auto refused = [&](const std::string& sql) {
        CAPTURE(sql);
        CHECK_THROWS_WITH_AS(raw_sql(path, sql), doctest::Contains("append-only"), std::runtime_error);
    };
    // Without a redaction entry for it: no rewrite, not even to the redacted form.
    refused("UPDATE timeline SET \"text\" = '[redacted: x]' WHERE \"key\" = 'Ev-m'");
    // With one (for Ev-m), only Ev-m and only to exactly that text.
    raw_sql(path, "INSERT INTO timeline (incident_id, at, kind, \"text\", ref_ts, received_at) VALUES (" + std::to_string(id) +
             ", 1, 'redaction', '[redacted: x]', '" + ts + "', 1)");
    refused("UPDATE timeline SET \"text\" = 'something else' WHERE \"key\" = 'Ev-m'");
    refused("UPDATE timeline SET \"text\" = '[redacted: x]' WHERE \"key\" = 'Ev-n'");
    refused("UPDATE timeline SET \"text\" = '[redacted: x]', \"user\" = 'U0EVE' WHERE \"key\" = 'Ev-m'");
    refused("UPDATE timeline SET \"text\" = '[redacted: x]', at = 5 WHERE \"key\" = 'Ev-m'");
    refused("UPDATE timeline SET attrs = '{\"previous_text\":\"[redacted: x]\"}' WHERE \"key\" = 'Ev-m'");
    refused("UPDATE timeline SET \"text\" = 'x' WHERE kind = 'declare'");
    refused("DELETE FROM timeline WHERE \"key\" = 'Ev-m'");
    // A redaction entry must read "[redacted: …]" to sanction anything.
    raw_sql(path, "INSERT INTO timeline (incident_id, at, kind, \"text\", ref_ts, received_at) VALUES (" + std::to_string(id) +
             ", 1, 'redaction', 'all fine here', '" + ts + "', 1)");
    refused("UPDATE timeline SET \"text\" = 'all fine here' WHERE \"key\" = 'Ev-m'");
    // The sanctioned one.
    raw_sql(path, "UPDATE timeline SET \"text\" = '[redacted: x]' WHERE \"key\" = 'Ev-m'");
    CHECK(raw_sql(path, "SELECT \"text\" FROM timeline WHERE \"key\" = 'Ev-m'") == "[redacted: x]");
}

}  // TEST_SUITE
