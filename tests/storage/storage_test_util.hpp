// Helpers shared by the storage tests: a self-cleaning temp directory and sample data.
#pragma once

#include "core/incident.hpp"
#include "core/time.hpp"
#include "core/timeline.hpp"
#include "storage/store.hpp"
#include "tests/support/pg_server.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace ib::storage::testing {

// A fresh directory under the system temp dir, removed with everything in it at scope end.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("ib-storage-test-" + std::to_string(rd()) + "-" + std::to_string(++counter));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// ---- One suite, two engines ----
// The storage suite runs on SQLite (unit.storage, …) and again on PostgreSQL (unit.storage.postgres,
// label postgres) when IB_TEST_PG_URI_FILE names a file holding a server's URI: the ctest fixture
// pg.start writes it (scripts/pg-cluster.sh start). Tests open their database with test_db();
// tests about SQLite itself (files, pragmas, its locks and backups) are marked sqlite_only().

inline bool on_postgres() { return !ib::test::pg_server_uri().empty(); }

// Skips a test case about SQLite itself on the PostgreSQL run.
inline doctest::skip sqlite_only() { return doctest::skip(on_postgres()); }

// The database a test opens: on SQLite `sqlite_name` itself (":memory:" or a file's path); on
// PostgreSQL a new empty schema on the test server, the same one each time a test asks for the
// same file (so reopening works), a new one for each ":memory:".
inline std::string test_db(const std::string& sqlite_name = ":memory:") {
    if (!on_postgres()) return sqlite_name;
    static std::map<std::string, std::string> by_name;
    if (sqlite_name != ":memory:")
        if (const auto it = by_name.find(sqlite_name); it != by_name.end()) return it->second;
    std::string uri = ib::test::new_pg_database();
    if (sqlite_name != ":memory:") by_name[sqlite_name] = uri;
    return uri;
}

// Runs `sql` on the test's database directly, past the store (to test what the schema itself
// refuses, or to plant rows the store would never write). Returns the first column of the first
// row ("" when none). Throws std::runtime_error (SQLite::Exception on SQLite) with the engine's
// message, on PostgreSQL its first line without the "ERROR:" prefix.
inline std::string raw_sql(const std::string& db, const std::string& sql) {
    if (!is_postgres_uri(db)) {
        SQLite::Database raw(db, SQLite::OPEN_READWRITE);
        SQLite::Statement q(raw, sql);
        if (!q.executeStep() || q.getColumnCount() == 0) return "";
        return q.getColumn(0).getString();
    }
    return ib::test::pg_exec(db, sql);
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

// 2023-11-14T22:13:20Z plus `s` seconds.
inline time_point t0(std::int64_t s = 0) { return from_unix_seconds(1'700'000'000 + s); }

inline incident sample_incident(std::string channel_id = "C01INC", time_point declared = t0()) {
    incident inc;
    inc.title = "Login page down";
    inc.sev = severity::sev2;
    inc.channel_id = std::move(channel_id);
    inc.channel_name = "inc-20231114-login-page-down";
    inc.declared_by = "U01ALICE";
    inc.declared_at = declared;
    return inc;
}

inline timeline_entry sample_entry(std::int64_t incident_id, std::string key, time_point at,
                                   std::string text = "looking at it", entry_kind kind = entry_kind::message) {
    timeline_entry e;
    e.incident_id = incident_id;
    e.key = std::move(key);
    e.at = at;
    e.slack_ts = to_slack_ts(at);
    e.user = "U02BOB";
    e.kind = kind;
    e.text = std::move(text);
    e.received_at = at + std::chrono::milliseconds(250);
    return e;
}

inline timeline_entry declare_entry(std::string key, time_point at) {
    auto e = sample_entry(0, std::move(key), at, "declared: Login page down", entry_kind::declare);
    e.slack_ts.clear();
    e.user = "U01ALICE";
    return e;
}

// Whether an entry with this key is stored, in any incident (the store has no such lookup: the
// bot never needs one; tests read every timeline).
inline bool stored_key(const store& s, std::string_view key) {
    const auto all =
        s.incidents_declared_between(from_unix_seconds(-100'000'000'000), from_unix_seconds(100'000'000'000));
    for (const auto& inc : all)
        for (const auto& e : s.timeline(inc.id))
            if (!key.empty() && e.key == key) return true;
    return false;
}

}  // namespace ib::storage::testing
