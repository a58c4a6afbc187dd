// The PostgreSQL engine's session layer (pg_store.cpp, pg_maintenance.cpp): one libpq connection
// with its prepared statements, results as RAII, the schema's migrations, the queries both files
// share, and a write's atomic unit. libpq's C stays behind this header.
#pragma once

#include "engine_rules.hpp"
#include "json_columns.hpp"
#include "migrations.hpp"
#include "pg_store.hpp"
#include "store.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ib::storage::pg {

// The advisory lock two instances take around migrations ("IBOT", like SQLite's application_id).
inline constexpr long long migration_lock_key = application_id;

// The PostgreSQL steps: from version `from` to version `to` (pg_schema.cpp).
struct pg_step {
    int from;
    int to;
    const char* sql;
};
const std::vector<pg_step>& pg_steps();

// One PGresult, cleared at scope end.
class pg_result {
public:
    explicit pg_result(PGresult* r) : r_(r) {}
    ~pg_result() { PQclear(r_); }
    pg_result(pg_result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
    pg_result& operator=(pg_result&&) = delete;
    pg_result(const pg_result&) = delete;
    pg_result& operator=(const pg_result&) = delete;

    PGresult* get() const { return r_; }
    int rows() const { return PQntuples(r_); }
    bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
    std::string text(int row, int col) const {
        return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
    }
    std::string_view view(int row, int col) const {
        return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
    }
    std::int64_t i64(int row, int col) const {
        const auto v = view(row, col);
        std::int64_t out = 0;
        std::from_chars(v.data(), v.data() + v.size(), out);
        return out;
    }
    std::optional<time_point> time(int row, int col) const {
        if (null(row, col)) return std::nullopt;
        return from_unix_micros(i64(row, col));
    }
    bool boolean(int row, int col) const { return view(row, col) == "t"; }
    // Rows changed by an INSERT/UPDATE/DELETE.
    std::int64_t changed() const {
        const char* n = PQcmdTuples(r_);
        return n && *n ? std::stoll(n) : 0;
    }

private:
    PGresult* r_;
};

// Text-format parameters ($1…$n); nullopt is SQL NULL.
using param = std::optional<std::string>;
using params = std::vector<param>;

inline param text_param(std::string_view v) { return std::string(v); }
inline param int_param(std::int64_t v) { return std::to_string(v); }
inline param time_param(const std::optional<time_point>& t) {
    if (!t) return std::nullopt;
    return std::to_string(to_unix_micros(*t));
}

inline constexpr const char* incident_columns =
    "id, title, severity, status, channel_id, channel_name, declared_by, declared_at, detected_at,"
    " acknowledged_at, acknowledged_by, identified_at, mitigated_at, resolved_at, commander, comms_lead,"
    " reopen_count, is_private";

inline constexpr const char* entry_columns =
    R"(seq, incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at)";

inline std::string entry_query(std::string_view where) {
    return std::string("SELECT ") + entry_columns + " FROM timeline " + std::string(where);
}
inline std::string incident_query(std::string_view rest) {
    return std::string("SELECT ") + incident_columns + " FROM incidents " + std::string(rest);
}

struct pg_impl {
    std::string name_;  // the URI without its password: the prefix of every message
    std::string uri_;
    bool read_only_;
    std::chrono::milliseconds lock_timeout_;
    PGconn* conn_ = nullptr;
    bool in_group_ = false;
    // A group's BEGIN not sent yet (begin_group): it goes out with the group's first statement,
    // in the same round trip (exec_simple, exec_in_savepoint), not as a round trip of its own.
    bool begin_pending_ = false;
    std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
    std::optional<std::string> no_backup_;                   // PostgreSQL migrations make no file backup

    pg_impl(const std::string& uri, const open_options& opts)
        : name_(display_name(uri)), uri_(uri), read_only_(opts.read_only), lock_timeout_(opts.busy_timeout) {
        connect();
        if (!read_only_) {
            migrate_schema();
            return;
        }
        const int version = stored_version();
        require_current_for_read_only(name_, version);
    }
    ~pg_impl() {
        if (conn_) PQfinish(conn_);
    }
    pg_impl(const pg_impl&) = delete;
    pg_impl& operator=(const pg_impl&) = delete;

    // Connects (password from the URI, PGPASSWORD or ~/.pgpass: libpq's own rules) and sets the
    // session up: synchronous_commit on, the lock wait, read-only transactions when asked.
    void connect() {
        const char* keys[] = {"dbname", "fallback_application_name", nullptr};
        const char* values[] = {uri_.c_str(), "incident-bot", nullptr};
        conn_ = PQconnectdbParams(keys, values, 1);
        if (!conn_) throw storage_error(name_ + ": cannot connect: out of memory");
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::string why = PQerrorMessage(conn_);
            PQfinish(conn_);
            conn_ = nullptr;
            while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
            throw storage_error(name_ + ": cannot connect: " + why);
        }
        prepared_.clear();
        std::string setup = "SET synchronous_commit = on; SET lock_timeout = " +
                            std::to_string(lock_timeout_.count()) + "; SET client_min_messages = warning";
        if (read_only_) setup += "; SET default_transaction_read_only = on";
        exec_simple("connecting", setup);
    }

    // A lost connection is opened again before the next statement, when no transaction was open
    // on it (a group or a write scope that was open is lost with it, and its write fails).
    void ensure_connected() {
        if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
        if (in_group_) throw storage_error(name_ + ": the connection was lost during a group");
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        connect();
    }

    storage_error error(std::string_view op, const PGresult* r) const {
        std::string why = r ? PQresultErrorMessage(r) : "";
        if (why.empty()) why = PQerrorMessage(conn_);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        if (const auto nl = why.find('\n'); nl != std::string::npos) why.erase(nl);  // the first line
        return storage_error(name_ + ": " + std::string(op) + ": " + why);
    }

    // Runs one or more statements without parameters (after the group's BEGIN, if pending, in
    // the same round trip).
    void exec_simple(std::string_view op, const std::string& sql) {
        const bool begin = std::exchange(begin_pending_, false);
        pg_result r(PQexec(conn_, begin ? ("BEGIN; " + sql).c_str() : sql.c_str()));
        // No transaction open after all (BEGIN failed): the group's BEGIN is still to be sent.
        if (begin && !in_transaction()) begin_pending_ = true;
        const auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw error(op, r.get());
    }

    // Sends a group's pending BEGIN alone, before a statement that cannot carry it.
    void send_begin(std::string_view op) {
        if (!std::exchange(begin_pending_, false)) return;
        pg_result r(PQexec(conn_, "BEGIN"));
        if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) return;
        begin_pending_ = true;
        throw error(op, r.get());
    }

    // The name `sql` is prepared under on this connection (prepared the first time).
    const std::string& prepared(std::string_view op, const std::string& sql, std::size_t n_params) {
        auto it = prepared_.find(sql);
        if (it == prepared_.end()) {
            std::string stmt_name = "ib" + std::to_string(prepared_.size() + 1);
            pg_result p(PQprepare(conn_, stmt_name.c_str(), sql.c_str(), static_cast<int>(n_params), nullptr));
            if (PQresultStatus(p.get()) != PGRES_COMMAND_OK) throw error(op, p.get());
            it = prepared_.emplace(sql, std::move(stmt_name)).first;
        }
        return it->second;
    }

    static std::vector<const char*> values_of(const params& ps) {
        std::vector<const char*> values(ps.size());
        for (std::size_t i = 0; i < ps.size(); ++i) values[i] = ps[i] ? ps[i]->c_str() : nullptr;
        return values;
    }

    // Runs `sql` (prepared once per connection) with `ps`, after the group's BEGIN if pending.
    pg_result exec(std::string_view op, const std::string& sql, const params& ps = {}) {
        ensure_connected();
        send_begin(op);
        const std::string& name = prepared(op, sql, ps.size());
        const auto values = values_of(ps);
        pg_result r(PQexecPrepared(conn_, name.c_str(), static_cast<int>(ps.size()), values.data(), nullptr, nullptr, 0));
        const auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw error(op, r.get());
        return r;
    }

    // Runs `sql` with `ps` inside a savepoint of the transaction that is open, as one write's
    // atomic unit (pg_write_scope's, nested), in one round trip: SAVEPOINT, the statement and
    // RELEASE go as one libpq pipeline, where one after the other they take three. When the
    // statement fails, the transaction is rolled back to the savepoint and goes on without it,
    // and the statement's error is thrown. A group's pending BEGIN leads the pipeline.
    pg_result exec_in_savepoint(std::string_view op, const std::string& sql, const params& ps) {
        ensure_connected();
        const std::string& name = prepared(op, sql, ps.size());
        const auto values = values_of(ps);
        if (PQenterPipelineMode(conn_) != 1) throw error(op, nullptr);
        const bool begin = std::exchange(begin_pending_, false);
        const std::size_t first = begin ? 1 : 0;  // the SAVEPOINT's result
        const bool sent =
            (!begin || PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1) &&
            PQsendQueryParams(conn_, "SAVEPOINT write_scope", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
            PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(ps.size()), values.data(), nullptr, nullptr, 0) == 1 &&
            PQsendQueryParams(conn_, "RELEASE SAVEPOINT write_scope", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
            PQpipelineSync(conn_) == 1;
        // The statements' results (each followed by a null), then the sync's. A statement after a
        // failed one answers PGRES_PIPELINE_ABORTED.
        std::vector<pg_result> results;
        bool synced = false;
        for (int nulls = 0; sent && !synced && nulls < 2;) {
            PGresult* r = PQgetResult(conn_);
            if (!r) {
                ++nulls;
                continue;
            }
            nulls = 0;
            synced = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
            if (synced)
                PQclear(r);
            else
                results.emplace_back(r);
        }
        PQexitPipelineMode(conn_);
        const auto ok = [&](std::size_t i) {
            if (i >= results.size()) return false;
            const auto st = PQresultStatus(results[i].get());
            return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        };
        if (synced && results.size() == first + 3 && ok(0) && ok(first) && ok(first + 1) && ok(first + 2))
            return std::move(results[first + 1]);
        // What failed, in the order sent; the connection's own message when nothing came back.
        const PGresult* failed = nullptr;
        for (std::size_t i = 0; i < results.size() && !failed; ++i)
            if (!ok(i)) failed = results[i].get();
        auto why = error(op, failed);
        if (begin && !in_transaction()) begin_pending_ = true;  // BEGIN failed: still to be sent
        if (synced && ok(first) && PQstatus(conn_) == CONNECTION_OK)
            exec_simple(op, "ROLLBACK TO SAVEPOINT write_scope; RELEASE SAVEPOINT write_scope");
        throw why;
    }

    // A transaction is open, or a group's BEGIN is pending (the next statement opens it).
    bool in_transaction() const { return begin_pending_ || PQtransactionStatus(conn_) != PQTRANS_IDLE; }

    void require_writable(std::string_view op) const {
        if (read_only_) throw storage_error(name_ + ": " + std::string(op) + ": the store was opened read-only");
    }

    // ---- schema ----

    // The stored version; 0 for an empty database. Refuses a database that holds incident-bot's
    // tables without the version table (or the version table of something newer).
    int stored_version() {
        pg_result r = exec("checking the schema",
                           "SELECT to_regclass('incident_bot_schema') IS NOT NULL,"
                           " to_regclass('incidents') IS NOT NULL OR to_regclass('timeline') IS NOT NULL");
        if (!r.boolean(0, 0)) {
            if (r.boolean(0, 1))
                throw storage_error(name_ + ": not an incident-bot database (it holds tables but no schema version)");
            return 0;
        }
        pg_result v = exec("reading the schema version", "SELECT version FROM incident_bot_schema");
        if (v.rows() != 1) throw storage_error(name_ + ": not an incident-bot database (no schema version row)");
        return static_cast<int>(v.i64(0, 0));
    }

    // Versioned migrations under a session advisory lock: of two instances starting together one
    // migrates while the other waits, then finds the schema current. Each step is one transaction
    // with its version bump.
    void migrate_schema() {
        if (pg_latest_version() != latest_version())
            throw storage_error(name_ + ": this build's PostgreSQL schema (v" + std::to_string(pg_latest_version()) +
                                ") lags its SQLite schema (v" + std::to_string(latest_version()) + ")");
        exec_simple("migrating the schema", "SELECT pg_advisory_lock(" + std::to_string(migration_lock_key) + ")");
        try {
            int version = stored_version();
            if (version > latest_version())
                throw storage_error(name_ + ": " + newer_schema_message(version, latest_version()));
            for (const auto& step : pg_steps()) {
                if (step.from != version) continue;
                exec_simple("migrating the schema", "BEGIN");
                try {
                    exec_simple("migration to schema v" + std::to_string(step.to), step.sql);
                    exec_simple("migration to schema v" + std::to_string(step.to),
                                "UPDATE incident_bot_schema SET version = " + std::to_string(step.to));
                    exec_simple("migrating the schema", "COMMIT");
                } catch (...) {
                    PQclear(PQexec(conn_, "ROLLBACK"));
                    throw;
                }
                version = step.to;
            }
            if (version != latest_version())
                throw storage_error(name_ + ": no PostgreSQL migration from schema v" + std::to_string(version));
        } catch (...) {
            PQclear(PQexec(conn_, ("SELECT pg_advisory_unlock(" + std::to_string(migration_lock_key) + ")").c_str()));
            prepared_.clear();  // statements prepared before the tables existed
            throw;
        }
        exec_simple("migrating the schema", "SELECT pg_advisory_unlock(" + std::to_string(migration_lock_key) + ")");
    }

    // ---- rows ----

    std::string status_text(const incident& inc) const { return rules::status_text(name_, inc); }

    storage_error row_error(std::string_view table, std::int64_t id, const std::string& what) const {
        return rules::row_error(name_, table, id, what);
    }

    // $1..$17: the stored fields of `inc` but its id, in incident_columns' order.
    params incident_params(const incident& inc) const {
        return {text_param(inc.title),
                int_param(static_cast<int>(inc.sev)),
                status_text(inc),
                text_param(inc.channel_id),
                text_param(inc.channel_name),
                text_param(inc.declared_by),
                int_param(to_unix_micros(inc.declared_at)),
                time_param(inc.detected_at),
                time_param(inc.acknowledged_at),
                text_param(inc.acknowledged_by),
                time_param(inc.identified_at),
                time_param(inc.mitigated_at),
                time_param(inc.resolved_at),
                text_param(inc.commander),
                text_param(inc.comms_lead),
                int_param(inc.reopen_count),
                std::string(inc.is_private ? "true" : "false")};
    }

    incident read_incident(const pg_result& r, int row) const {
        incident inc;
        inc.id = r.i64(row, 0);
        inc.title = r.text(row, 1);
        rules::read_severity_and_status(name_, inc, r.i64(row, 2), r.text(row, 3));
        inc.channel_id = r.text(row, 4);
        inc.channel_name = r.text(row, 5);
        inc.declared_by = r.text(row, 6);
        inc.declared_at = from_unix_micros(r.i64(row, 7));
        inc.detected_at = r.time(row, 8);
        inc.acknowledged_at = r.time(row, 9);
        inc.acknowledged_by = r.text(row, 10);
        inc.identified_at = r.time(row, 11);
        inc.mitigated_at = r.time(row, 12);
        inc.resolved_at = r.time(row, 13);
        inc.commander = r.text(row, 14);
        inc.comms_lead = r.text(row, 15);
        inc.reopen_count = static_cast<int>(r.i64(row, 16));
        inc.is_private = r.boolean(row, 17);
        return inc;
    }

    std::vector<incident> read_incidents(const pg_result& r) const {
        std::vector<incident> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_incident(r, i));
        return out;
    }

    timeline_entry read_entry(const pg_result& r, int row) const {
        timeline_entry e;
        e.seq = r.i64(row, 0);
        e.incident_id = r.i64(row, 1);
        e.key = r.text(row, 2);  // NULL reads as ""
        e.at = from_unix_micros(r.i64(row, 3));
        e.slack_ts = r.text(row, 4);
        e.user = r.text(row, 5);
        e.kind = rules::read_kind(name_, e.seq, r.text(row, 6));
        e.tags = decode_tags(r.view(row, 7));
        e.text = r.text(row, 8);
        e.ref_ts = r.text(row, 9);
        auto attrs = decode_attrs(r.view(row, 10));
        if (!attrs) throw row_error("timeline", e.seq, "attrs is not a JSON object");
        e.attrs = std::move(*attrs);
        e.received_at = from_unix_micros(r.i64(row, 11));
        return e;
    }

    std::vector<timeline_entry> read_entries(const pg_result& r) const {
        std::vector<timeline_entry> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_entry(r, i));
        return out;
    }

    // Sets the stored row of inc.id to all of inc's fields; throws when there is no such row.
    void update_incident(const incident& inc) {
        auto ps = incident_params(inc);
        ps.push_back(int_param(inc.id));
        pg_result r = exec("save_change",
                           "UPDATE incidents SET title = $1, severity = $2, status = $3, channel_id = $4,"
                           " channel_name = $5, declared_by = $6, declared_at = $7, detected_at = $8,"
                           " acknowledged_at = $9, acknowledged_by = $10, identified_at = $11, mitigated_at = $12,"
                           " resolved_at = $13, commander = $14, comms_lead = $15, reopen_count = $16,"
                           " is_private = $17 WHERE id = $18",
                           ps);
        if (r.changed() != 1) throw storage_error(name_ + ": save_change: no incident with id " + std::to_string(inc.id));
    }

    std::optional<incident> load_incident(std::int64_t id) {
        pg_result r = exec("incident_by_id", incident_query("WHERE id = $1"), {int_param(id)});
        if (r.rows() == 0) return std::nullopt;
        return read_incident(r, 0);
    }

    std::vector<timeline_entry> corrections(std::int64_t incident_id, std::string_view ref_ts) {
        if (ref_ts.empty())
            return read_entries(exec("corrections", entry_query("WHERE incident_id = $1 AND kind = 'correction' ORDER BY at, seq"),
                                     {int_param(incident_id)}));
        return read_entries(exec("corrections",
                                 entry_query("WHERE incident_id = $1 AND ref_ts = $2 AND kind = 'correction' ORDER BY at, seq"),
                                 {int_param(incident_id), text_param(ref_ts)}));
    }

    // ---- the dedupe rules of store.hpp that a unique index cannot express ----

    bool same_membership_stored(const timeline_entry& e, std::int64_t incident_id) {
        if (e.user.empty()) return false;
        const auto w = rules::membership_of(e);
        pg_result r = exec("append",
                           R"(SELECT 1 FROM timeline m WHERE m.incident_id = $1 AND m.kind = $2 AND m."user" = $3)"
                           " AND m.at BETWEEN $4 AND $5 AND NOT EXISTS (SELECT 1 FROM timeline o WHERE"
                           R"( o.incident_id = $1 AND o.kind = $6 AND o."user" = $3)"
                           " AND o.at BETWEEN LEAST(m.at, $7) AND GREATEST(m.at, $7)) LIMIT 1",
                           {int_param(incident_id), w.kind, text_param(e.user), int_param(w.from), int_param(w.to),
                            w.opposite, int_param(w.at)});
        return r.rows() > 0;
    }

    bool pin_unchanged(const timeline_entry& e, std::int64_t incident_id) {
        pg_result r = exec("append",
                           "SELECT kind FROM timeline WHERE incident_id = $1 AND kind IN ('key_moment', 'unreaction')"
                           R"( AND ref_ts = $2 AND "user" = $3 AND (attrs::jsonb ->> 'reaction') = $4)"
                           " ORDER BY at DESC, seq DESC LIMIT 1",
                           {int_param(incident_id), text_param(e.ref_ts), text_param(e.user), e.attr("reaction")});
        return r.rows() > 0 && r.view(0, 0) == to_string(e.kind);
    }

    // Inserts `e` under `incident_id`: its seq, or nullopt when it is already stored.
    std::optional<std::int64_t> insert_entry(const timeline_entry& e, std::int64_t incident_id) {
        if (rules::already_recorded(*this, e, incident_id)) return std::nullopt;
        const std::string kind = rules::kind_text(name_, e);
        pg_result r = exec("append",
                           R"(INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts,)"
                           " attrs, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                           " ON CONFLICT DO NOTHING RETURNING seq",
                           {int_param(incident_id), e.key.empty() ? param{} : text_param(e.key),
                            int_param(to_unix_micros(e.at)), text_param(e.slack_ts), text_param(e.user), kind,
                            encode_tags(e.tags), text_param(e.text), text_param(e.ref_ts), encode_attrs(e.attrs),
                            int_param(to_unix_micros(e.received_at))});
        if (r.rows() == 0) return std::nullopt;
        return r.i64(0, 0);
    }

    std::optional<std::pair<std::int64_t, std::int64_t>> find_key(std::string_view key) {
        if (key.empty()) return std::nullopt;
        pg_result r = exec("create_incident", R"(SELECT seq, incident_id FROM timeline WHERE "key" = $1)", {text_param(key)});
        if (r.rows() == 0) return std::nullopt;
        return std::pair{r.i64(0, 0), r.i64(0, 1)};
    }

    std::string newest_message_ts(std::int64_t incident_id) {
        std::optional<std::int64_t> newest;
        for (entry_kind k : {entry_kind::message, entry_kind::bot_message, entry_kind::join, entry_kind::leave}) {
            pg_result r = exec("mark_disconnected",
                               "SELECT at FROM timeline WHERE incident_id = $1 AND kind = $2 AND slack_ts <> ''"
                               " ORDER BY at DESC, seq DESC LIMIT 1",
                               {int_param(incident_id), std::string(to_string(k))});
            if (r.rows() > 0) newest = std::max(newest.value_or(r.i64(0, 0)), r.i64(0, 0));
        }
        return newest ? to_slack_ts(from_unix_micros(*newest)) : std::string();
    }

    std::optional<time_point> last_received() {
        pg_result r = exec("mark_disconnected", "SELECT received_at FROM timeline ORDER BY seq DESC LIMIT 1");
        if (r.rows() == 0) return std::nullopt;
        return from_unix_micros(r.i64(0, 0));
    }

    void set_mark_epoch(std::int64_t incident_id, std::int64_t epoch) {
        exec("mark_disconnected", "UPDATE backfill_marks SET epoch = $2 WHERE incident_id = $1",
             {int_param(incident_id), int_param(epoch)});
    }

    void insert_mark(const backfill_mark& mark) {
        exec("mark_disconnected", "INSERT INTO backfill_marks (incident_id, since_ts, down_from, epoch) VALUES ($1, $2, $3, $4)",
             {int_param(mark.incident_id), mark.since_ts, int_param(to_unix_micros(mark.down_from)), int_param(mark.epoch)});
    }

    void set_tags(std::int64_t seq, const std::vector<tag_hit>& tags) {
        exec("retag", "UPDATE timeline SET tags = $2 WHERE seq = $1", {int_param(seq), encode_tags(tags)});
    }

    static backfill_mark read_mark(const pg_result& r, int row) {
        return backfill_mark{r.i64(row, 0), r.text(row, 1), from_unix_micros(r.i64(row, 2)), r.i64(row, 3)};
    }

    std::optional<backfill_mark> mark_of(std::int64_t incident_id) {
        pg_result r = exec("mark_disconnected",
                           "SELECT incident_id, since_ts, down_from, epoch FROM backfill_marks WHERE incident_id = $1",
                           {int_param(incident_id)});
        if (r.rows() == 0) return std::nullopt;
        return read_mark(r, 0);
    }

    // append() and append_batch() (pg_store.cpp): runs of entries whose dedupe is their unique
    // keys alone go in as one statement each (insert_run), the others one by one (insert_entry),
    // in the batch's order, in one atomic unit; when anything in it fails, the batch is rolled
    // back and tried again row by row (append_rows), which names the entry that fails.
    std::vector<bool> append_all(std::span<const timeline_entry> entries, std::string_view op);
    // `run` (no entry of it rules::dedupe_reads) in one INSERT … SELECT FROM unnest(…) ON
    // CONFLICT DO NOTHING: one round trip. Rows go in in the run's order, each with a seq taken
    // from the table's sequence in that order, so result[i] (newly stored) and the timeline's
    // order are what inserting them one by one would give; one that repeats the key or message
    // ts of an earlier one (stored, or earlier in the run) is skipped.
    // With `own_savepoint` (a transaction is open) it is its own atomic unit, in the same round
    // trip (exec_in_savepoint).
    std::vector<bool> insert_run(std::span<const timeline_entry> run, bool own_savepoint);
    // All of `entries` one by one in one atomic unit; storage_error names the one that fails.
    std::vector<bool> append_rows(std::span<const timeline_entry> entries, std::string_view op);
};

// One write's atomic unit, as in sqlite_store.cpp: its own transaction, or a savepoint inside one
// already open (a group, atomically()). On PostgreSQL a failed statement spoils the whole
// transaction, so inside a group every write needs its savepoint.
class pg_write_scope {
public:
    explicit pg_write_scope(pg_impl& im) : im_(im) {
        im_.ensure_connected();
        nested_ = im_.in_transaction();
        im_.exec_simple("begin", nested_ ? "SAVEPOINT write_scope" : "BEGIN");
    }
    ~pg_write_scope() {
        if (done_ || !im_.conn_ || PQstatus(im_.conn_) != CONNECTION_OK) return;
        try {
            if (nested_)
                im_.exec_simple("rollback", "ROLLBACK TO SAVEPOINT write_scope; RELEASE SAVEPOINT write_scope");
            else
                im_.exec_simple("rollback", "ROLLBACK");
        } catch (...) {
            // Rolling back can only fail if the connection is gone; the server rolls back then.
        }
    }
    pg_write_scope(const pg_write_scope&) = delete;
    pg_write_scope& operator=(const pg_write_scope&) = delete;
    void commit(std::string_view op) {
        if (nested_) {
            im_.exec_simple(op, "RELEASE SAVEPOINT write_scope");
        } else {
            commit_transaction(im_, op);
        }
        done_ = true;
    }

    // COMMIT, checked: on a transaction that failed, PostgreSQL answers COMMIT with ROLLBACK and no
    // error, which must not read as durable.
    static void commit_transaction(pg_impl& im, std::string_view op) {
        const bool failed = PQtransactionStatus(im.conn_) == PQTRANS_INERROR;
        pg_result r(PQexec(im.conn_, "COMMIT"));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) throw im.error(op, r.get());
        if (failed || std::string_view(PQcmdStatus(r.get())) != "COMMIT")
            throw storage_error(im.name_ + ": " + std::string(op) + ": the transaction failed and was rolled back");
    }

private:
    pg_impl& im_;
    bool nested_ = false;
    bool done_ = false;
};

}  // namespace ib::storage::pg
