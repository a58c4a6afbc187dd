// `incident-bot check` and `incident-bot migrate` on PostgreSQL (pg_store.hpp).
#include "backend.hpp"
#include "database.hpp"
#include "pg_session.hpp"
#include "pg_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <initializer_list>

namespace ib::storage {

using namespace pg;

check_report check_pg_database(const std::string& uri) {
    pg_impl im(uri, open_options{.read_only = true});
    check_report r;
    r.schema_version = im.stored_version();
    r.latest_schema_version = latest_version();
    pg_result c = im.exec("check",
                          "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM incidents WHERE status <> 'resolved'),"
                          " (SELECT count(*) FROM timeline)");
    r.counts = database_counts{c.i64(0, 0), c.i64(0, 1), c.i64(0, 2)};
    return r;
}

// ---- migrate: SQLite into an empty PostgreSQL database ----
namespace {

// One value in COPY's text format: \N for NULL; backslash, tab, newline and CR escaped.
void copy_value(std::string& line, const SQLite::Column& c) {
    if (c.isNull()) {
        line += "\\N";
        return;
    }
    const std::string v = c.getString();
    for (const char ch : v) {
        switch (ch) {
        case '\\': line += "\\\\"; break;
        case '\t': line += "\\t"; break;
        case '\n': line += "\\n"; break;
        case '\r': line += "\\r"; break;
        default: line += ch;
        }
    }
}

// Streams the rows of `select` (SQLite) into `table (columns)` with COPY; `booleans` lists the
// result columns stored 0/1 in SQLite and as booleans in PostgreSQL. Returns the row count.
std::int64_t copy_table(pg_impl& pg, SQLite::Database& src, const std::string& select, const std::string& table,
                        const std::string& columns, std::initializer_list<int> booleans = {}) {
    const std::string op = "migrate: copying " + table;
    pg_result start(PQexec(pg.conn_, ("COPY " + table + " (" + columns + ") FROM STDIN").c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) throw pg.error(op, start.get());
    SQLite::Statement rows(src, select);
    std::int64_t n = 0;
    std::string line;
    while (rows.executeStep()) {
        line.clear();
        for (int i = 0; i < rows.getColumnCount(); ++i) {
            if (i > 0) line += '\t';
            const auto c = rows.getColumn(i);
            if (std::find(booleans.begin(), booleans.end(), i) != booleans.end() && !c.isNull())
                line += c.getInt() != 0 ? "t" : "f";
            else
                copy_value(line, c);
        }
        line += '\n';
        if (PQputCopyData(pg.conn_, line.data(), static_cast<int>(line.size())) != 1) throw pg.error(op, nullptr);
        ++n;
    }
    if (PQputCopyEnd(pg.conn_, nullptr) != 1) throw pg.error(op, nullptr);
    pg_result end(PQgetResult(pg.conn_));
    if (PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
        while (PGresult* more = PQgetResult(pg.conn_)) PQclear(more);
        throw pg.error(op, end.get());
    }
    while (PGresult* more = PQgetResult(pg.conn_)) PQclear(more);
    return n;
}

}  // namespace

migrate_report copy_sqlite_to_pg(const std::string& from, const std::string& to) {
    if (is_postgres_uri(from)) throw storage_error(display_name(from) + ": migrate copies from a SQLite file");
    if (!is_postgres_uri(to)) throw storage_error(to + ": migrate copies into a PostgreSQL database (postgresql://…)");
    // The source at this build's version (a read-only store open says so otherwise).
    { open_sqlite_store(from, open_options{.read_only = true}); }
    SQLite::Database src = open_database(from, open_options{.read_only = true});
    pg_impl pg(to, open_options{});
    pg_result used = pg.exec("migrate",
                             "SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM timeline) +"
                             " (SELECT count(*) FROM flows) + (SELECT count(*) FROM users) +"
                             " (SELECT count(*) FROM backfill_marks) + (SELECT count(*) FROM backfill_claims)");
    if (used.i64(0, 0) != 0)
        throw storage_error(pg.name_ + ": migrate: the database already holds incident-bot data; migrate copies "
                                       "into an empty one only");
    migrate_report r;
    try {
        // One read transaction on the source: one consistent snapshot even while `run` writes.
        src.exec("BEGIN");
        pg.exec_simple("migrate", "BEGIN");
        r.counts.incidents = copy_table(
            pg, src,
            "SELECT id, title, severity, status, channel_id, channel_name, declared_by, declared_at, detected_at,"
            " acknowledged_at, acknowledged_by, identified_at, mitigated_at, resolved_at, commander, comms_lead,"
            " reopen_count, is_private FROM incidents ORDER BY id",
            "incidents", incident_columns, {17});
        r.counts.timeline_entries = copy_table(
            pg, src,
            R"(SELECT seq, incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at)"
            " FROM timeline ORDER BY seq",
            "timeline", entry_columns);
        r.marks = copy_table(pg, src, "SELECT incident_id, since_ts, down_from, epoch FROM backfill_marks",
                             "backfill_marks", "incident_id, since_ts, down_from, epoch");
        // In first-save order: PostgreSQL numbers them again in this order.
        r.flows = copy_table(pg, src, R"(SELECT "key", kind, step, state, owner, renewed_at FROM flows ORDER BY rowid)",
                             "flows", R"("key", kind, step, state, owner, renewed_at)");
        copy_table(pg, src, "SELECT channel_id, since_ts, down_from, owner, renewed_at, done FROM backfill_claims",
                   "backfill_claims", "channel_id, since_ts, down_from, owner, renewed_at, done", {5});
        r.users = copy_table(pg, src, "SELECT id, name, real_name, handle, found, fetched_at FROM users", "users",
                             "id, name, real_name, handle, found, fetched_at", {4});
        // New incidents and entries continue after the copied ones.
        pg.exec_simple("migrate",
                       "SELECT setval(pg_get_serial_sequence('incidents', 'id'), GREATEST(max(id), 1), max(id) IS NOT NULL)"
                       " FROM incidents;"
                       "SELECT setval(pg_get_serial_sequence('timeline', 'seq'), GREATEST(max(seq), 1), max(seq) IS NOT NULL)"
                       " FROM timeline");
        pg_result open = pg.exec("migrate", "SELECT count(*) FROM incidents WHERE status <> 'resolved'");
        r.counts.open_incidents = open.i64(0, 0);
        r.set_aside = src.execAndGet("SELECT count(*) FROM timeline_duplicates").getInt64();
        pg_write_scope::commit_transaction(pg, "migrate");
        src.exec("COMMIT");
    } catch (const SQLite::Exception& e) {
        PQclear(PQexec(pg.conn_, "ROLLBACK"));
        throw storage_error(from + ": migrate: reading: " + e.what());
    } catch (...) {
        PQclear(PQexec(pg.conn_, "ROLLBACK"));
        throw;
    }
    return r;
}


}  // namespace ib::storage
