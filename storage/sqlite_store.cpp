// The SQLite engine of store_backend (backend.hpp): one file (or ":memory:") over SQLiteCpp.
#include "backend.hpp"

#include "database.hpp"
#include "engine_rules.hpp"
#include "json_columns.hpp"
#include "migrations.hpp"

#include "core/corrections.hpp"
#include "core/recording.hpp"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace ib::storage {
namespace {

// Column lists shared by the statements and the row readers below.
constexpr const char* incident_select =
    "SELECT id, title, severity, status, channel_id, channel_name, declared_by, declared_at, detected_at,"
    " acknowledged_at, acknowledged_by, identified_at, mitigated_at, resolved_at, commander, comms_lead,"
    " reopen_count, is_private FROM incidents ";

constexpr const char* entry_select =
    R"(SELECT seq, incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at)"
    " FROM timeline ";

// The atomic unit of one write: its own IMMEDIATE transaction or, inside a transaction already
// open (a group, see store::begin_group, or store::atomically), a savepoint, so one failing write
// rolls back alone and the other writes still commit together.
class write_scope {
public:
    explicit write_scope(SQLite::Database& db) : db_(db), nested_(sqlite3_get_autocommit(db.getHandle()) == 0) {
        db_.exec(nested_ ? "SAVEPOINT write_scope" : "BEGIN IMMEDIATE");
    }
    ~write_scope() {
        if (done_) return;
        try {
            if (nested_) {
                db_.exec("ROLLBACK TO write_scope");
                db_.exec("RELEASE write_scope");
            } else {
                db_.exec("ROLLBACK");
            }
        } catch (...) {
            // Rolling back after a failed statement can only fail if the connection is gone.
        }
    }
    write_scope(const write_scope&) = delete;
    write_scope& operator=(const write_scope&) = delete;
    void commit() {
        db_.exec(nested_ ? "RELEASE write_scope" : "COMMIT");
        done_ = true;
    }

private:
    SQLite::Database& db_;
    bool nested_;
    bool done_ = false;
};

// Resets a cached statement when the scope ends, so it holds no read snapshot or lock.
class reset_on_exit {
public:
    explicit reset_on_exit(SQLite::Statement& s) : s_(s) {}
    ~reset_on_exit() { s_.tryReset(); }
    reset_on_exit(const reset_on_exit&) = delete;
    reset_on_exit& operator=(const reset_on_exit&) = delete;

private:
    SQLite::Statement& s_;
};

void bind_time(SQLite::Statement& s, int index, const std::optional<time_point>& t) {
    if (t)
        s.bind(index, to_unix_micros(*t));
    else
        s.bind(index);
}

std::optional<time_point> column_time(const SQLite::Statement& s, int index) {
    const auto c = s.getColumn(index);
    if (c.isNull()) return std::nullopt;
    return from_unix_micros(c.getInt64());
}

// Binds the 17 stored fields of `inc` (all but id) to ?1..?17, in incident_select's order.
// `status_text` must outlive the statement's next step.
void bind_incident_fields(SQLite::Statement& s, const incident& inc, const std::string& status_text) {
    s.bindNoCopy(1, inc.title);
    s.bind(2, static_cast<int>(inc.sev));
    s.bindNoCopy(3, status_text);
    s.bindNoCopy(4, inc.channel_id);
    s.bindNoCopy(5, inc.channel_name);
    s.bindNoCopy(6, inc.declared_by);
    s.bind(7, to_unix_micros(inc.declared_at));
    bind_time(s, 8, inc.detected_at);
    bind_time(s, 9, inc.acknowledged_at);
    s.bindNoCopy(10, inc.acknowledged_by);
    bind_time(s, 11, inc.identified_at);
    bind_time(s, 12, inc.mitigated_at);
    bind_time(s, 13, inc.resolved_at);
    s.bindNoCopy(14, inc.commander);
    s.bindNoCopy(15, inc.comms_lead);
    s.bind(16, inc.reopen_count);
    s.bind(17, inc.is_private ? 1 : 0);
}

}  // namespace

struct sqlite_impl {
    std::string path_;
    bool read_only_;
    SQLite::Database db_;
    bool in_group_ = false;  // between begin_group() and commit_group()/rollback_group()

    // Prepared on first use, kept for the life of the connection. Declared after db_ so they
    // are finalized before it closes.
    std::optional<SQLite::Statement> insert_entry_, key_lookup_, insert_incident_, update_incident_,
        incident_by_id_, incident_by_channel_, latest_incident_, declared_between_,
        timeline_, timeline_size_, timeline_kind_, save_flow_, forget_flow_, membership_, pin_state_, newest_ts_,
        last_received_, mark_of_, mark_insert_, mark_epoch_, mark_delete_, marks_, thread_parents_, save_user_,
        user_by_id_, corrections_, corrections_of_, message_by_ts_, set_tags_, timeline_page_, entry_at_,
        entries_before_, kinds_;
    std::optional<std::string> migration_backup_;

    sqlite_impl(const std::string& path, const open_options& opts)
        : path_(path), read_only_(opts.read_only), db_(open_database(path, opts)) {
        check_identity(db_);
        if (!read_only_) {
            migration_backup_ = migrate(db_, latest_version());
            return;
        }
        int version = 0;
        try {
            version = user_version(db_);
        } catch (const SQLite::Exception& e) {
            throw wrap(path_, "reading the schema version", e);
        }
        require_current_for_read_only(path_, version);
    }

    SQLite::Statement& stmt(std::optional<SQLite::Statement>& slot, const char* sql) {
        if (!slot) slot.emplace(db_, sql);
        return *slot;
    }
    SQLite::Statement& stmt(std::optional<SQLite::Statement>& slot, const std::string& sql) {
        return stmt(slot, sql.c_str());
    }

    void require_writable(std::string_view op) const {
        if (read_only_) throw storage_error(path_ + ": " + std::string(op) + ": the store was opened read-only");
    }

    // The stored form of inc.state; throws for an out-of-range value, which would be unreadable.
    std::string status_text(const incident& inc) const { return rules::status_text(path_, inc); }

    storage_error row_error(std::string_view table, std::int64_t id, const std::string& what) const {
        return rules::row_error(path_, table, id, what);
    }

    // A join (leave) of the same user within join_match_window of `e`, with no leave (join) of
    // theirs in between, is stored: `e` is the same membership change reported another way.
    bool same_membership_stored(const timeline_entry& e, std::int64_t incident_id) {
        if (e.user.empty()) return false;
        auto& s = stmt(membership_,
                       R"(SELECT 1 FROM timeline m WHERE m.incident_id = ?1 AND m.kind = ?2 AND m."user" = ?3)"
                       " AND m.at BETWEEN ?4 AND ?5 AND NOT EXISTS (SELECT 1 FROM timeline o WHERE"
                       R"( o.incident_id = ?1 AND o.kind = ?6 AND o."user" = ?3)"
                       " AND o.at BETWEEN min(m.at, ?7) AND max(m.at, ?7)) LIMIT 1");
        reset_on_exit reset(s);
        const auto w = rules::membership_of(e);
        s.bind(1, incident_id);
        s.bindNoCopy(2, w.kind);
        s.bindNoCopy(3, e.user);
        s.bind(4, w.from);
        s.bind(5, w.to);
        s.bindNoCopy(6, w.opposite);
        s.bind(7, w.at);
        return s.executeStep();
    }

    // `e` (a 📌 key_moment or its removal) changes nothing: the pin's latest entry is of its kind.
    bool pin_unchanged(const timeline_entry& e, std::int64_t incident_id) {
        auto& s = stmt(pin_state_,
                       "SELECT kind FROM timeline WHERE incident_id = ?1 AND kind IN ('key_moment', 'unreaction')"
                       R"( AND ref_ts = ?2 AND "user" = ?3 AND json_extract(attrs, '$.reaction') = ?4)"
                       " ORDER BY at DESC, seq DESC LIMIT 1");
        reset_on_exit reset(s);
        const std::string emoji = e.attr("reaction");
        s.bind(1, incident_id);
        s.bindNoCopy(2, e.ref_ts);
        s.bindNoCopy(3, e.user);
        s.bindNoCopy(4, emoji);
        if (!s.executeStep()) return false;
        return s.getColumn(0).getString() == to_string(e.kind);
    }

    // Inserts `e` under `incident_id`; the new seq, or nullopt when it is already stored (store.hpp).
    std::optional<std::int64_t> insert_entry(const timeline_entry& e, std::int64_t incident_id) {
        if (rules::already_recorded(*this, e, incident_id)) return std::nullopt;
        // Any uniqueness conflict, on the key or on (incident, ts) for message-like kinds: no-op.
        auto& s = stmt(insert_entry_,
                       R"(INSERT INTO timeline (incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts,)"
                       " attrs, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                       " ON CONFLICT DO NOTHING");
        reset_on_exit reset(s);
        const std::string kind = rules::kind_text(path_, e);  // an out-of-range value would be unreadable later
        const std::string tags = encode_tags(e.tags);
        const std::string attrs = encode_attrs(e.attrs);
        s.bind(1, incident_id);
        if (e.key.empty())
            s.bind(2);
        else
            s.bindNoCopy(2, e.key);
        s.bind(3, to_unix_micros(e.at));
        s.bindNoCopy(4, e.slack_ts);
        s.bindNoCopy(5, e.user);
        s.bindNoCopy(6, kind);
        s.bindNoCopy(7, tags);
        s.bindNoCopy(8, e.text);
        s.bindNoCopy(9, e.ref_ts);
        s.bindNoCopy(10, attrs);
        s.bind(11, to_unix_micros(e.received_at));
        if (s.exec() == 0) return std::nullopt;
        return db_.getLastInsertRowid();
    }

    // (seq, incident_id) of the entry stored under `key`.
    std::optional<std::pair<std::int64_t, std::int64_t>> find_key(std::string_view key) {
        if (key.empty()) return std::nullopt;
        auto& s = stmt(key_lookup_, R"(SELECT seq, incident_id FROM timeline WHERE "key" = ?1)");
        reset_on_exit reset(s);
        const std::string k(key);
        s.bindNoCopy(1, k);
        if (!s.executeStep()) return std::nullopt;
        return std::pair{s.getColumn(0).getInt64(), s.getColumn(1).getInt64()};
    }

    incident read_incident(const SQLite::Statement& s) const {
        incident inc;
        inc.id = s.getColumn(0).getInt64();
        inc.title = s.getColumn(1).getString();
        rules::read_severity_and_status(path_, inc, s.getColumn(2).getInt(), s.getColumn(3).getString());
        inc.channel_id = s.getColumn(4).getString();
        inc.channel_name = s.getColumn(5).getString();
        inc.declared_by = s.getColumn(6).getString();
        inc.declared_at = from_unix_micros(s.getColumn(7).getInt64());
        inc.detected_at = column_time(s, 8);
        inc.acknowledged_at = column_time(s, 9);
        inc.acknowledged_by = s.getColumn(10).getString();
        inc.identified_at = column_time(s, 11);
        inc.mitigated_at = column_time(s, 12);
        inc.resolved_at = column_time(s, 13);
        inc.commander = s.getColumn(14).getString();
        inc.comms_lead = s.getColumn(15).getString();
        inc.reopen_count = s.getColumn(16).getInt();
        inc.is_private = s.getColumn(17).getInt() != 0;
        return inc;
    }

    std::size_t count_entries(std::int64_t incident_id) {
        auto& s = stmt(timeline_size_, "SELECT count(*) FROM timeline WHERE incident_id = ?1");
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        s.executeStep();
        return static_cast<std::size_t>(s.getColumn(0).getInt64());
    }

    timeline_entry read_entry(const SQLite::Statement& s) const {
        timeline_entry e;
        e.seq = s.getColumn(0).getInt64();
        e.incident_id = s.getColumn(1).getInt64();
        e.key = s.getColumn(2).getString();  // NULL reads as ""
        e.at = from_unix_micros(s.getColumn(3).getInt64());
        e.slack_ts = s.getColumn(4).getString();
        e.user = s.getColumn(5).getString();
        e.kind = rules::read_kind(path_, e.seq, s.getColumn(6).getString());
        e.tags = decode_tags(s.getColumn(7).getText());
        e.text = s.getColumn(8).getString();
        e.ref_ts = s.getColumn(9).getString();
        auto attrs = decode_attrs(s.getColumn(10).getText());
        if (!attrs) throw row_error("timeline", e.seq, "attrs is not a JSON object");
        e.attrs = std::move(*attrs);
        e.received_at = from_unix_micros(s.getColumn(11).getInt64());
        return e;
    }

    // The incident's correction entries (of the message `ref_ts` only, when not empty).
    std::vector<timeline_entry> corrections(std::int64_t incident_id, std::string_view ref_ts) {
        std::vector<timeline_entry> out;
        auto& s = ref_ts.empty()
                      ? stmt(corrections_, std::string(entry_select) +
                                               "WHERE incident_id = ?1 AND kind = 'correction' ORDER BY at, seq")
                      : stmt(corrections_of_, std::string(entry_select) +
                                                  "WHERE incident_id = ?1 AND ref_ts = ?2 AND kind = 'correction'"
                                                  " ORDER BY at, seq");
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        if (!ref_ts.empty()) s.bind(2, std::string(ref_ts));
        while (s.executeStep()) out.push_back(read_entry(s));
        return out;
    }

    std::optional<incident> one_incident(SQLite::Statement& s) {
        reset_on_exit reset(s);
        if (!s.executeStep()) return std::nullopt;
        return read_incident(s);
    }

    std::optional<incident> load_incident(std::int64_t id) {
        auto& s = stmt(incident_by_id_, std::string(incident_select) + "WHERE id = ?1");
        s.bind(1, id);
        return one_incident(s);
    }

    // Sets the stored row of inc.id to all of inc's fields; throws when there is no such row.
    void update_incident(const incident& inc) {
        auto& s = stmt(update_incident_,
                       "UPDATE incidents SET title = ?1, severity = ?2, status = ?3, channel_id = ?4,"
                       " channel_name = ?5, declared_by = ?6, declared_at = ?7, detected_at = ?8,"
                       " acknowledged_at = ?9, acknowledged_by = ?10, identified_at = ?11, mitigated_at = ?12,"
                       " resolved_at = ?13, commander = ?14, comms_lead = ?15, reopen_count = ?16,"
                       " is_private = ?17 WHERE id = ?18");
        reset_on_exit reset(s);
        const std::string status_text = this->status_text(inc);
        bind_incident_fields(s, inc, status_text);
        s.bind(18, inc.id);
        if (s.exec() != 1) throw storage_error(path_ + ": save_change: no incident with id " + std::to_string(inc.id));
    }

    std::vector<incident> all_incidents(SQLite::Statement& s) {
        reset_on_exit reset(s);
        std::vector<incident> out;
        while (s.executeStep()) out.push_back(read_incident(s));
        return out;
    }

    // append() and append_batch(): all of `entries` in one transaction.
    std::vector<bool> append_all(std::span<const timeline_entry> entries, std::string_view op) {
        require_writable(op);
        std::vector<bool> stored;
        if (entries.empty()) return stored;
        stored.reserve(entries.size());
        std::size_t i = 0;
        try {
            if (in_group_ && entries.size() == 1) {
                // One INSERT inside a group needs no savepoint: SQLite undoes a failed statement
                // on its own and the group goes on (and an error that ends the whole transaction
                // makes the group's commit fail, so nothing of it is acked).
                stored.push_back(insert_entry(entries[0], entries[0].incident_id).has_value());
                return stored;
            }
            write_scope tx(db_);
            for (; i < entries.size(); ++i) stored.push_back(insert_entry(entries[i], entries[i].incident_id).has_value());
            tx.commit();
        } catch (const SQLite::Exception& e) {
            if (i == entries.size()) throw wrap(path_, std::string(op) + ": commit", e);
            throw storage_error(rules::batch_failure(path_, op, entries, i, e.what()));
        }
        return stored;
    }

    // The newest Slack ts of a message, bot_message, join or leave of the incident, normalized
    // ("" when none). Four index lookups, one per kind, each from the end.
    std::string newest_message_ts(std::int64_t incident_id) {
        auto& s = stmt(newest_ts_,
                       "SELECT at FROM timeline WHERE incident_id = ?1 AND kind = ?2 AND slack_ts <> ''"
                       " ORDER BY at DESC, seq DESC LIMIT 1");
        std::optional<std::int64_t> newest;
        for (entry_kind k : {entry_kind::message, entry_kind::bot_message, entry_kind::join, entry_kind::leave}) {
            reset_on_exit reset(s);
            const std::string kind(to_string(k));
            s.bind(1, incident_id);
            s.bindNoCopy(2, kind);
            if (s.executeStep()) newest = std::max(newest.value_or(s.getColumn(0).getInt64()), s.getColumn(0).getInt64());
        }
        return newest ? to_slack_ts(from_unix_micros(*newest)) : std::string();
    }

    // received_at of the entry stored last (the bot's last sign of life), or nullopt.
    std::optional<time_point> last_received() {
        auto& s = stmt(last_received_, "SELECT received_at FROM timeline ORDER BY seq DESC LIMIT 1");
        reset_on_exit reset(s);
        if (!s.executeStep()) return std::nullopt;
        return from_unix_micros(s.getColumn(0).getInt64());
    }

    std::optional<backfill_mark> mark_of(std::int64_t incident_id) {
        auto& s = stmt(mark_of_, "SELECT incident_id, since_ts, down_from, epoch FROM backfill_marks WHERE incident_id = ?1");
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        if (!s.executeStep()) return std::nullopt;
        return sqlite_impl::read_mark(s);
    }

    // A loss not caught up yet takes the newer epoch (mark_disconnected).
    void set_mark_epoch(std::int64_t incident_id, std::int64_t epoch) {
        auto& s = stmt(mark_epoch_, "UPDATE backfill_marks SET epoch = ?2 WHERE incident_id = ?1");
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        s.bind(2, epoch);
        s.exec();
    }

    void insert_mark(const backfill_mark& mark) {
        auto& s = stmt(mark_insert_,
                       "INSERT INTO backfill_marks (incident_id, since_ts, down_from, epoch) VALUES (?1, ?2, ?3, ?4)");
        reset_on_exit reset(s);
        s.bind(1, mark.incident_id);
        s.bindNoCopy(2, mark.since_ts);
        s.bind(3, to_unix_micros(mark.down_from));
        s.bind(4, mark.epoch);
        s.exec();
    }

    // A message's tags re-derived (retag: the trigger allows exactly this).
    void set_tags(std::int64_t seq, const std::vector<tag_hit>& tags) {
        auto& s = stmt(set_tags_, "UPDATE timeline SET tags = ?2 WHERE seq = ?1");
        reset_on_exit reset(s);
        s.bind(1, seq);
        s.bind(2, encode_tags(tags));
        s.exec();
    }

    static backfill_mark read_mark(const SQLite::Statement& s) {
        return backfill_mark{s.getColumn(0).getInt64(), s.getColumn(1).getString(),
                             from_unix_micros(s.getColumn(2).getInt64()), s.getColumn(3).getInt64()};
    }

    // Runs `f`, turning SQLite's exceptions into storage_error naming the file and `op`.
    template <class F>
    auto guarded(std::string_view op, F&& f) -> decltype(f()) {
        try {
            return f();
        } catch (const SQLite::Exception& e) {
            throw wrap(path_, op, e);
        }
    }
};


// The SQLite engine of store_backend (backend.hpp): the contract's methods over one sqlite_impl.
class sqlite_store final : public store_backend {
public:
    sqlite_store(const std::string& path, const open_options& opts)
        : impl_(std::make_unique<sqlite_impl>(path, opts)) {}

    int schema_version() const override;
    std::int64_t create_incident(incident& inc, timeline_entry& declare_entry) override;
    bool save_change(const incident& inc, const timeline_entry& entry) override;
    store::change_result save_change_from(const incident& base, const incident& inc,
                                          const timeline_entry& entry) override;
    store::claim_result claim(std::int64_t incident_id, std::span<const entry_kind> kinds,
                              const store::claim_decision& decide) override;
    std::optional<incident> incident_by_id(std::int64_t id) const override;
    std::optional<incident> incident_by_channel(std::string_view channel_id) const override;
    std::optional<incident> latest_incident() const override;
    std::vector<incident> incidents_declared_between(time_point from, time_point to) const override;
    bool append(const timeline_entry& e) override;
    std::vector<bool> append_batch(std::span<const timeline_entry> entries) override;
    std::vector<timeline_entry> timeline(std::int64_t incident_id) const override;
    std::size_t timeline_size(std::int64_t incident_id) const override;
    std::vector<timeline_entry> timeline_of_kinds(std::int64_t incident_id,
                                                  std::span<const entry_kind> kinds) const override;
    std::vector<timeline_entry> timeline_page(std::int64_t incident_id, std::size_t offset,
                                              std::size_t limit) const override;
    std::optional<std::size_t> timeline_position(std::int64_t incident_id, std::int64_t seq) const override;
    std::vector<entry_kind> timeline_kinds(std::int64_t incident_id) const override;
    std::optional<timeline_entry> message(std::int64_t incident_id, std::string_view slack_ts) const override;
    store::retag_result retag(
        std::int64_t incident_id,
        const std::function<std::optional<std::vector<tag_hit>>(const timeline_entry&)>& derive) override;
    store::redaction_result redact_message(const timeline_entry& redaction) override;
    std::vector<backfill_mark> mark_disconnected(std::span<const std::int64_t> incident_ids,
                                                 std::optional<time_point> lost_at, std::int64_t epoch) override;
    std::vector<backfill_mark> backfill_marks() const override;
    bool finish_backfill(std::int64_t incident_id, std::int64_t epoch, const timeline_entry* gap,
                         const backfill_gap* claimed) override;
    store::gap_claim_result claim_gap(const backfill_gap& gap, std::string_view owner, time_point now,
                                      const std::function<bool(const store::gap_claim*)>& take) override;
    std::size_t renew_gaps(std::string_view owner, time_point now) override;
    std::vector<std::string> thread_parents(std::int64_t incident_id) const override;
    void atomically(const std::function<void()>& writes) override;
    bool save_flow(const store::flow_row& row) override;
    void forget_flow(std::string_view key, std::string_view owner) override;
    std::vector<store::flow_row> unfinished_flows() const override;
    std::vector<store::flow_row> claim_flows(std::string_view owner, time_point now,
                                             const std::function<bool(const store::flow_row&)>& take) override;
    std::size_t renew_flows(std::string_view owner, time_point now) override;
    void save_user(const user_profile& p) override;
    std::optional<user_profile> user(std::string_view id) const override;
    std::vector<std::pair<std::string, time_point>> users_fetched() const override;
    const std::optional<std::string>& migration_backup() const override;
    void begin_group() override;
    void commit_group() override;
    void rollback_group() override;
    std::string journal_mode() const override;
    int synchronous() const override;
    int busy_timeout_ms() const override;

private:
    std::unique_ptr<sqlite_impl> impl_;
};

int sqlite_store::schema_version() const {
    return impl_->guarded("schema_version", [&] { return user_version(impl_->db_); });
}

std::int64_t sqlite_store::create_incident(incident& inc, timeline_entry& declare_entry) {
    auto& im = *impl_;
    im.require_writable("create_incident");
    return im.guarded("create_incident", [&]() -> std::int64_t {
        write_scope tx(im.db_);
        if (const auto existing = im.find_key(declare_entry.key)) {
            const auto [seq, incident_id] = *existing;
            auto stored = im.load_incident(incident_id);
            if (!stored) throw im.row_error("timeline", seq, "refers to a missing incident");
            inc = std::move(*stored);
            declare_entry.incident_id = incident_id;
            declare_entry.seq = seq;
            return incident_id;  // nothing written; tx rolls back
        }

        auto& s = im.stmt(im.insert_incident_,
                          "INSERT INTO incidents (title, severity, status, channel_id, channel_name, declared_by,"
                          " declared_at, detected_at, acknowledged_at, acknowledged_by, identified_at, mitigated_at,"
                          " resolved_at, commander, comms_lead, reopen_count, is_private)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
        std::int64_t id = 0;
        {
            reset_on_exit reset(s);
            const std::string status_text = im.status_text(inc);
            bind_incident_fields(s, inc, status_text);
            s.exec();
            id = im.db_.getLastInsertRowid();
        }
        const auto seq = im.insert_entry(declare_entry, id);
        if (!seq) throw storage_error(im.path_ + ": create_incident: declare entry key vanished");  // cannot happen
        tx.commit();
        inc.id = id;
        declare_entry.incident_id = id;
        declare_entry.seq = *seq;
        return id;
    });
}

bool sqlite_store::save_change(const incident& inc, const timeline_entry& entry) {
    auto& im = *impl_;
    im.require_writable("save_change");
    rules::require_own_entry(im.path_, "save_change", inc, entry);
    return im.guarded("save_change", [&] {
        write_scope tx(im.db_);
        if (!im.insert_entry(entry, inc.id)) return false;  // duplicate: tx rolls back, nothing written
        im.update_incident(inc);
        tx.commit();
        return true;
    });
}

store::change_result sqlite_store::save_change_from(const incident& base, const incident& inc,
                                                     const timeline_entry& entry) {
    auto& im = *impl_;
    im.require_writable("save_change");
    rules::require_own_entry(im.path_, "save_change", inc, entry);
    return im.guarded("save_change", [&] {
        // The write transaction is the row lock: one writer at a time on the file.
        write_scope tx(im.db_);
        auto row = im.load_incident(inc.id);
        if (!row) throw storage_error(im.path_ + ": save_change: no incident with id " + std::to_string(inc.id));
        auto out = rules::change_from(im, std::move(*row), base, inc, entry);
        if (out.outcome == store::change_outcome::stored) tx.commit();
        return out;
    });
}

store::claim_result sqlite_store::claim(std::int64_t incident_id, std::span<const entry_kind> kinds,
                                        const store::claim_decision& decide) {
    auto& im = *impl_;
    im.require_writable("claim");
    return im.guarded("claim", [&] {
        // The write transaction is the row lock: one writer at a time on the file.
        write_scope tx(im.db_);
        auto row = im.load_incident(incident_id);
        if (!row) return store::claim_result{};
        auto out = rules::claim_with(im, std::move(*row), timeline_of_kinds(incident_id, kinds), decide);
        if (out.claimed) tx.commit();
        return out;
    });
}

std::optional<incident> sqlite_store::incident_by_id(std::int64_t id) const {
    auto& im = *impl_;
    return im.guarded("incident_by_id", [&] { return im.load_incident(id); });
}

std::optional<incident> sqlite_store::incident_by_channel(std::string_view channel_id) const {
    auto& im = *impl_;
    return im.guarded("incident_by_channel", [&] {
        auto& s = im.stmt(im.incident_by_channel_,
                          std::string(incident_select) + "WHERE channel_id = ?1 ORDER BY id DESC LIMIT 1");
        const std::string channel(channel_id);
        s.bindNoCopy(1, channel);
        return im.one_incident(s);
    });
}

std::optional<incident> sqlite_store::latest_incident() const {
    auto& im = *impl_;
    return im.guarded("latest_incident", [&] {
        return im.one_incident(im.stmt(im.latest_incident_, std::string(incident_select) + "ORDER BY id DESC LIMIT 1"));
    });
}

std::vector<incident> sqlite_store::incidents_declared_between(time_point from, time_point to) const {
    auto& im = *impl_;
    return im.guarded("incidents_declared_between", [&] {
        auto& s = im.stmt(im.declared_between_, std::string(incident_select) +
                                                    "WHERE declared_at >= ?1 AND declared_at < ?2"
                                                    " ORDER BY declared_at, id");
        s.bind(1, to_unix_micros(from));
        s.bind(2, to_unix_micros(to));
        return im.all_incidents(s);
    });
}

store::redaction_result sqlite_store::redact_message(const timeline_entry& redaction) {
    auto& im = *impl_;
    im.require_writable("redact_message");
    if (redaction.kind != entry_kind::redaction || redaction.ref_ts.empty())
        throw storage_error(im.path_ + ": redact_message: not a redaction entry with the message's ts");
    if (im.in_group_) throw storage_error(im.path_ + ": redact_message: a group is open");
    store::redaction_result out;
    im.guarded("redact_message", [&] {
        // Freed space is zeroed from now on, on this connection: the old text is not left behind
        // in a page's free area or in a freed overflow page.
        im.db_.exec("PRAGMA secure_delete = ON");
        write_scope tx(im.db_);
        SQLite::Statement find(im.db_,
                               "SELECT count(*) FROM timeline WHERE incident_id = ?1 AND slack_ts = ?2"
                               " AND kind IN ('message', 'bot_message')");
        find.bind(1, redaction.incident_id);
        find.bind(2, redaction.ref_ts);
        find.executeStep();
        if (find.getColumn(0).getInt64() == 0)
            throw storage_error(im.path_ + ": no message with ts " + redaction.ref_ts + " on incident " +
                                std::to_string(redaction.incident_id) + "'s timeline");
        find.reset();
        if (!im.insert_entry(redaction, redaction.incident_id))
            throw storage_error(im.path_ + ": redact_message: an entry with key '" + redaction.key + "' is stored");
        // The message and its edits read the redaction's text; what edits and the deletion kept
        // of earlier text is replaced too. The same expressions as the trigger's, so it agrees.
        SQLite::Statement rewrite(
            im.db_,
            R"(UPDATE timeline SET "text" = CASE WHEN kind = 'deletion' THEN "text" ELSE ?3 END,)"
            " attrs = CASE WHEN json_type(attrs, '$.previous_text') IS NULL THEN attrs"
            "              ELSE json_set(attrs, '$.previous_text', ?3) END"
            " WHERE incident_id = ?1 AND ((kind IN ('message', 'bot_message') AND slack_ts = ?2)"
            "                          OR (kind IN ('edit', 'deletion') AND ref_ts = ?2))");
        rewrite.bind(1, redaction.incident_id);
        rewrite.bind(2, redaction.ref_ts);
        rewrite.bind(3, redaction.text);
        out.rewritten = static_cast<std::size_t>(rewrite.exec());
        // Copies of the message that v7 set aside (timeline_duplicates) read it too.
        SQLite::Statement aside(im.db_,
                                R"(UPDATE timeline_duplicates SET "text" = ?3)"
                                " WHERE incident_id = ?1 AND slack_ts = ?2 AND kind IN ('message', 'bot_message')");
        aside.bind(1, redaction.incident_id);
        aside.bind(2, redaction.ref_ts);
        aside.bind(3, redaction.text);
        out.rewritten += static_cast<std::size_t>(aside.exec());
        tx.commit();
        // Copy every page into the main file and empty the WAL, so no earlier frame keeps the old
        // text. Waits busy_timeout for readers; (busy, log frames, checkpointed frames).
        SQLite::Statement checkpoint(im.db_, "PRAGMA wal_checkpoint(TRUNCATE)");
        if (checkpoint.executeStep()) out.checkpointed = checkpoint.getColumn(0).getInt() == 0;
        im.db_.exec("PRAGMA secure_delete = OFF");
    });
    return out;
}

void sqlite_store::atomically(const std::function<void()>& writes) {
    auto& im = *impl_;
    im.require_writable("atomically");
    im.guarded("atomically", [&] {
        write_scope tx(im.db_);
        writes();
        tx.commit();
    });
}

bool sqlite_store::save_flow(const store::flow_row& row) {
    auto& im = *impl_;
    im.require_writable("save_flow");
    if (row.key.empty()) throw storage_error(im.path_ + ": save_flow: empty key");
    return im.guarded("save_flow", [&] {
        auto& s = im.stmt(im.save_flow_,
                          R"(INSERT INTO flows ("key", kind, step, state, owner, renewed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6))"
                          R"( ON CONFLICT ("key") DO UPDATE SET kind = excluded.kind, step = excluded.step,)"
                          " state = excluded.state, renewed_at = excluded.renewed_at"
                          " WHERE excluded.step > flows.step AND flows.owner = excluded.owner");
        reset_on_exit reset(s);
        s.bindNoCopy(1, row.key);
        s.bindNoCopy(2, row.kind);
        s.bind(3, row.step);
        s.bindNoCopy(4, row.state);
        s.bindNoCopy(5, row.owner);
        s.bind(6, to_unix_micros(row.renewed_at));
        return s.exec() == 1;
    });
}

void sqlite_store::forget_flow(std::string_view key, std::string_view owner) {
    auto& im = *impl_;
    im.require_writable("forget_flow");
    im.guarded("forget_flow", [&] {
        auto& s = im.stmt(im.forget_flow_, R"(DELETE FROM flows WHERE "key" = ?1 AND owner = ?2)");
        reset_on_exit reset(s);
        const std::string k(key), o(owner);
        s.bindNoCopy(1, k);
        s.bindNoCopy(2, o);
        s.exec();
    });
}

std::vector<store::flow_row> sqlite_store::unfinished_flows() const {
    auto& im = *impl_;
    return im.guarded("unfinished_flows", [&] {
        SQLite::Statement s(im.db_, R"(SELECT "key", kind, step, state, owner, renewed_at FROM flows ORDER BY rowid)");
        std::vector<store::flow_row> out;
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getInt64(),
                           s.getColumn(3).getString(), s.getColumn(4).getString(),
                           from_unix_micros(s.getColumn(5).getInt64())});
        return out;
    });
}

std::vector<store::flow_row> sqlite_store::claim_flows(std::string_view owner, time_point now,
                                                       const std::function<bool(const store::flow_row&)>& take) {
    auto& im = *impl_;
    im.require_writable("claim_flows");
    return im.guarded("claim_flows", [&] {
        // The write lock first: what `take` is shown is what the UPDATE finds.
        write_scope tx(im.db_);
        std::vector<store::flow_row> out;
        for (auto& row : unfinished_flows()) {
            if (!take(row)) continue;
            SQLite::Statement u(im.db_, R"(UPDATE flows SET owner = ?2, renewed_at = ?3 WHERE "key" = ?1)"
                                        " AND owner = ?4 AND step = ?5 AND renewed_at = ?6");
            const std::string o(owner);
            u.bindNoCopy(1, row.key);
            u.bindNoCopy(2, o);
            u.bind(3, to_unix_micros(now));
            u.bindNoCopy(4, row.owner);
            u.bind(5, row.step);
            u.bind(6, to_unix_micros(row.renewed_at));
            if (u.exec() != 1) continue;
            row.owner = o;
            row.renewed_at = now;
            out.push_back(std::move(row));
        }
        tx.commit();
        return out;
    });
}

namespace {
// renew_flows and renew_gaps: `update` sets renewed_at = ?2 on the rows of owner ?1 it names.
std::size_t renew(sqlite_impl& im, const char* op, const char* update, std::string_view owner, time_point now) {
    im.require_writable(op);
    return im.guarded(op, [&] {
        SQLite::Statement u(im.db_, update);
        const std::string o(owner);
        u.bindNoCopy(1, o);
        u.bind(2, to_unix_micros(now));
        return static_cast<std::size_t>(u.exec());
    });
}
}  // namespace

std::size_t sqlite_store::renew_flows(std::string_view owner, time_point now) {
    return renew(*impl_, "renew_flows", "UPDATE flows SET renewed_at = ?2 WHERE owner = ?1", owner, now);
}

std::vector<backfill_mark> sqlite_store::mark_disconnected(std::span<const std::int64_t> incident_ids,
                                                    std::optional<time_point> lost_at, std::int64_t epoch) {
    auto& im = *impl_;
    im.require_writable("mark_disconnected");
    return im.guarded("mark_disconnected", [&] {
        write_scope tx(im.db_);
        auto out = rules::mark_disconnected(im, im.path_, incident_ids, lost_at, epoch);
        tx.commit();
        return out;
    });
}

std::vector<backfill_mark> sqlite_store::backfill_marks() const {
    auto& im = *impl_;
    return im.guarded("backfill_marks", [&] {
        auto& s = im.stmt(im.marks_,
                          "SELECT incident_id, since_ts, down_from, epoch FROM backfill_marks ORDER BY incident_id");
        reset_on_exit reset(s);
        std::vector<backfill_mark> out;
        while (s.executeStep()) out.push_back(sqlite_impl::read_mark(s));
        return out;
    });
}

bool sqlite_store::finish_backfill(std::int64_t incident_id, std::int64_t epoch, const timeline_entry* gap,
                                   const backfill_gap* claimed) {
    auto& im = *impl_;
    im.require_writable("finish_backfill");
    return im.guarded("finish_backfill", [&] {
        write_scope tx(im.db_);
        if (gap != nullptr) im.insert_entry(*gap, incident_id);
        bool cleared = false;
        if (claimed != nullptr) {
            // The claim is done; the mark goes when it is still this gap.
            SQLite::Statement done(im.db_, "UPDATE backfill_claims SET done = 1"
                                           " WHERE channel_id = ?1 AND since_ts = ?2 AND down_from = ?3");
            done.bindNoCopy(1, claimed->channel_id);
            done.bindNoCopy(2, claimed->since_ts);
            done.bind(3, to_unix_micros(claimed->down_from));
            done.exec();
            SQLite::Statement clear(im.db_, "DELETE FROM backfill_marks"
                                            " WHERE incident_id = ?1 AND since_ts = ?2 AND down_from = ?3");
            clear.bind(1, incident_id);
            clear.bindNoCopy(2, claimed->since_ts);
            clear.bind(3, to_unix_micros(claimed->down_from));
            cleared = clear.exec() == 1;
        } else {
            auto& s = im.stmt(im.mark_delete_, "DELETE FROM backfill_marks WHERE incident_id = ?1 AND epoch = ?2");
            reset_on_exit reset(s);
            s.bind(1, incident_id);
            s.bind(2, epoch);
            cleared = s.exec() == 1;
        }
        tx.commit();
        return cleared;
    });
}

store::gap_claim_result sqlite_store::claim_gap(const backfill_gap& gap, std::string_view owner, time_point now,
                                                const std::function<bool(const store::gap_claim*)>& take) {
    auto& im = *impl_;
    im.require_writable("claim_gap");
    return im.guarded("claim_gap", [&] {
        // The write lock first: `take` decides on what the UPDATE or INSERT then replaces.
        write_scope tx(im.db_);
        store::gap_claim_result out;
        SQLite::Statement q(im.db_, "SELECT owner, renewed_at, done FROM backfill_claims"
                                    " WHERE channel_id = ?1 AND since_ts = ?2 AND down_from = ?3");
        q.bindNoCopy(1, gap.channel_id);
        q.bindNoCopy(2, gap.since_ts);
        q.bind(3, to_unix_micros(gap.down_from));
        if (q.executeStep())
            out.held = store::gap_claim{q.getColumn(0).getString(), from_unix_micros(q.getColumn(1).getInt64()),
                                        q.getColumn(2).getInt() != 0};
        if (!take(out.held ? &*out.held : nullptr)) return out;
        SQLite::Statement w(im.db_, "INSERT INTO backfill_claims (channel_id, since_ts, down_from, owner, renewed_at, done)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT (channel_id, since_ts, down_from)"
                                    " DO UPDATE SET owner = excluded.owner, renewed_at = excluded.renewed_at, done = 0");
        const std::string o(owner);
        w.bindNoCopy(1, gap.channel_id);
        w.bindNoCopy(2, gap.since_ts);
        w.bind(3, to_unix_micros(gap.down_from));
        w.bindNoCopy(4, o);
        w.bind(5, to_unix_micros(now));
        w.exec();
        tx.commit();
        out.held = store::gap_claim{o, now, false};
        out.claimed = true;
        return out;
    });
}

std::size_t sqlite_store::renew_gaps(std::string_view owner, time_point now) {
    return renew(*impl_, "renew_gaps", "UPDATE backfill_claims SET renewed_at = ?2 WHERE owner = ?1 AND done = 0",
                 owner, now);
}

std::vector<std::string> sqlite_store::thread_parents(std::int64_t incident_id) const {
    auto& im = *impl_;
    return im.guarded("thread_parents", [&] {
        auto& s = im.stmt(im.thread_parents_,
                          "SELECT DISTINCT json_extract(attrs, '$.thread_ts') AS parent FROM timeline"
                          " WHERE incident_id = ?1 AND kind IN ('message', 'bot_message') AND parent IS NOT NULL"
                          " ORDER BY parent");
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        std::vector<std::string> out;
        while (s.executeStep()) out.push_back(s.getColumn(0).getString());
        return out;
    });
}

void sqlite_store::begin_group() {
    auto& im = *impl_;
    im.require_writable("begin_group");
    if (im.in_group_) throw storage_error(im.path_ + ": begin_group: a group is already open");
    im.guarded("begin_group", [&] { im.db_.exec("BEGIN IMMEDIATE"); });
    im.in_group_ = true;
}

void sqlite_store::commit_group() {
    auto& im = *impl_;
    if (!im.in_group_) throw storage_error(im.path_ + ": commit_group: no group is open");
    try {
        im.guarded("commit_group", [&] { im.db_.exec("COMMIT"); });
    } catch (...) {
        rollback_group();  // leave the connection usable for the next group
        throw;
    }
    im.in_group_ = false;
}

void sqlite_store::rollback_group() {
    auto& im = *impl_;
    if (!im.in_group_) return;
    im.in_group_ = false;
    im.guarded("rollback_group", [&] {
        if (!im.db_.getHandle() || sqlite3_get_autocommit(im.db_.getHandle())) return;  // already rolled back
        im.db_.exec("ROLLBACK");
    });
}

bool sqlite_store::append(const timeline_entry& e) { return impl_->append_all(std::span(&e, 1), "append").front(); }

std::vector<bool> sqlite_store::append_batch(std::span<const timeline_entry> entries) {
    return impl_->append_all(entries, "append_batch");
}

std::vector<timeline_entry> sqlite_store::timeline(std::int64_t incident_id) const {
    auto& im = *impl_;
    return im.guarded("timeline", [&] {
        // Sized first (a count over the incident_id index is cheap): growing the vector moved
        // every entry of a 100,000-entry timeline about twice.
        std::vector<timeline_entry> out;
        out.reserve(im.count_entries(incident_id));
        auto& s = im.stmt(im.timeline_, std::string(entry_select) + "WHERE incident_id = ?1 ORDER BY at, seq");
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        while (s.executeStep()) out.push_back(im.read_entry(s));
        apply_corrections(out);  // messages read with their effective tags
        return out;
    });
}

std::vector<timeline_entry> sqlite_store::timeline_of_kinds(std::int64_t incident_id,
                                                    std::span<const entry_kind> kinds) const {
    auto& im = *impl_;
    return im.guarded("timeline_of_kinds", [&] {
        auto& s = im.stmt(im.timeline_kind_,
                          std::string(entry_select) + "WHERE incident_id = ?1 AND kind = ?2 ORDER BY at, seq");
        std::vector<timeline_entry> out;
        for (entry_kind k : kinds) {
            reset_on_exit reset(s);
            const std::string kind(to_string(k));
            s.bind(1, incident_id);
            s.bindNoCopy(2, kind);
            while (s.executeStep()) out.push_back(im.read_entry(s));
        }
        rules::order_kinds(im, out, incident_id, kinds);
        return out;
    });
}

// A bookkeeping row (core/timeline.hpp), which the history's paged reads leave out.
const std::string bookkeeping = rules::bookkeeping_sql("json_extract(attrs, '$.", "')");

std::vector<timeline_entry> sqlite_store::timeline_page(std::int64_t incident_id, std::size_t offset,
                                                        std::size_t limit) const {
    auto& im = *impl_;
    return im.guarded("timeline_page", [&] {
        auto& s = im.stmt(im.timeline_page_, std::string(entry_select) + "WHERE incident_id = ?1 AND NOT " +
                                                 bookkeeping + " ORDER BY at, seq LIMIT ?2 OFFSET ?3");
        std::vector<timeline_entry> out;
        {
            reset_on_exit reset(s);
            s.bind(1, incident_id);
            s.bind(2, static_cast<std::int64_t>(limit));
            s.bind(3, static_cast<std::int64_t>(offset));
            while (s.executeStep()) out.push_back(im.read_entry(s));
        }
        apply_corrections(out, im.corrections(incident_id, {}));  // by the corrections index
        return out;
    });
}

std::optional<std::size_t> sqlite_store::timeline_position(std::int64_t incident_id, std::int64_t seq) const {
    auto& im = *impl_;
    return im.guarded("timeline_position", [&]() -> std::optional<std::size_t> {
        // When the entry happened, then how many entries come before it in (at, seq) order.
        auto& at = im.stmt(im.entry_at_,
                           "SELECT at FROM timeline WHERE seq = ?1 AND incident_id = ?2 AND NOT " + bookkeeping);
        std::int64_t when = 0;
        {
            reset_on_exit reset(at);
            at.bind(1, seq);
            at.bind(2, incident_id);
            if (!at.executeStep()) return std::nullopt;
            when = at.getColumn(0).getInt64();
        }
        auto& before = im.stmt(im.entries_before_,
                               "SELECT count(*) FROM timeline WHERE incident_id = ?1 AND (at, seq) < (?2, ?3) AND NOT " +
                                   bookkeeping);
        reset_on_exit reset(before);
        before.bind(1, incident_id);
        before.bind(2, when);
        before.bind(3, seq);
        before.executeStep();
        return static_cast<std::size_t>(before.getColumn(0).getInt64());
    });
}

std::vector<entry_kind> sqlite_store::timeline_kinds(std::int64_t incident_id) const {
    auto& im = *impl_;
    return im.guarded("timeline_kinds", [&] {
        auto& s = im.stmt(im.kinds_, rules::kinds_query("?1"));
        reset_on_exit reset(s);
        s.bind(1, incident_id);
        std::vector<entry_kind> out;
        while (s.executeStep()) out.push_back(rules::read_kind(im.path_, 0, s.getColumn(0).getString()));
        return out;
    });
}

std::optional<timeline_entry> sqlite_store::message(std::int64_t incident_id, std::string_view slack_ts) const {
    auto& im = *impl_;
    if (slack_ts.empty()) return std::nullopt;
    return im.guarded("message", [&]() -> std::optional<timeline_entry> {
        auto& s = im.stmt(im.message_by_ts_, std::string(entry_select) +
                                                 "WHERE incident_id = ?1 AND slack_ts = ?2 AND kind = 'message'");
        std::optional<timeline_entry> out;
        {
            reset_on_exit reset(s);
            s.bind(1, incident_id);
            s.bind(2, std::string(slack_ts));
            if (!s.executeStep()) return std::nullopt;
            out = im.read_entry(s);
        }
        apply_corrections(std::span(&*out, 1), im.corrections(incident_id, slack_ts));
        return out;
    });
}

store::retag_result sqlite_store::retag(std::int64_t incident_id,
                                 const std::function<std::optional<std::vector<tag_hit>>(const timeline_entry&)>& derive) {
    auto& im = *impl_;
    im.require_writable("retag");
    store::retag_result out;
    im.guarded("retag", [&] {
        write_scope tx(im.db_);
        if (!im.load_incident(incident_id))
            throw storage_error(im.path_ + ": retag: no incident " + std::to_string(incident_id));
        std::vector<timeline_entry> messages;
        {
            SQLite::Statement read(im.db_, std::string(entry_select) +
                                               "WHERE incident_id = ?1 AND kind = 'message' ORDER BY at, seq");
            read.bind(1, incident_id);
            while (read.executeStep()) messages.push_back(im.read_entry(read));
        }
        out = rules::retag(im, incident_id, messages, derive);
        tx.commit();
    });
    return out;
}

std::size_t sqlite_store::timeline_size(std::int64_t incident_id) const {
    auto& im = *impl_;
    return im.guarded("timeline_size", [&] { return im.count_entries(incident_id); });
}

void sqlite_store::save_user(const user_profile& p) {
    auto& im = *impl_;
    im.require_writable("save_user");
    im.guarded("save_user", [&] {
        auto& s = im.stmt(im.save_user_,
                          "INSERT OR REPLACE INTO users (id, name, real_name, handle, found, fetched_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        reset_on_exit reset(s);
        s.bindNoCopy(1, p.id);
        s.bindNoCopy(2, p.name);
        s.bindNoCopy(3, p.real_name);
        s.bindNoCopy(4, p.handle);
        s.bind(5, p.found ? 1 : 0);
        s.bind(6, to_unix_micros(p.fetched_at));
        s.exec();  // one statement: atomic alone, and inside a group it joins the group's commit
    });
}

std::optional<user_profile> sqlite_store::user(std::string_view id) const {
    auto& im = *impl_;
    return im.guarded("user", [&]() -> std::optional<user_profile> {
        auto& s = im.stmt(im.user_by_id_, "SELECT id, name, real_name, handle, found, fetched_at FROM users WHERE id = ?1");
        reset_on_exit reset(s);
        const std::string key(id);
        s.bindNoCopy(1, key);
        if (!s.executeStep()) return std::nullopt;
        user_profile p;
        p.id = s.getColumn(0).getString();
        p.name = s.getColumn(1).getString();
        p.real_name = s.getColumn(2).getString();
        p.handle = s.getColumn(3).getString();
        p.found = s.getColumn(4).getInt() != 0;
        p.fetched_at = from_unix_micros(s.getColumn(5).getInt64());
        return p;
    });
}

std::vector<std::pair<std::string, time_point>> sqlite_store::users_fetched() const {
    auto& im = *impl_;
    return im.guarded("users_fetched", [&] {
        std::vector<std::pair<std::string, time_point>> out;
        SQLite::Statement s(im.db_, "SELECT id, fetched_at FROM users");
        while (s.executeStep()) out.emplace_back(s.getColumn(0).getString(), from_unix_micros(s.getColumn(1).getInt64()));
        return out;
    });
}

const std::optional<std::string>& sqlite_store::migration_backup() const { return impl_->migration_backup_; }

std::string sqlite_store::journal_mode() const {
    return impl_->guarded("journal_mode", [&] { return storage::journal_mode(impl_->db_); });
}

int sqlite_store::synchronous() const {
    return impl_->guarded("synchronous", [&] { return storage::synchronous(impl_->db_); });
}

int sqlite_store::busy_timeout_ms() const {
    return impl_->guarded("busy_timeout", [&] { return storage::busy_timeout_ms(impl_->db_); });
}

std::unique_ptr<store_backend> open_sqlite_store(const std::string& path, const open_options& opts) {
    return std::make_unique<sqlite_store>(path, opts);
}

}  // namespace ib::storage
