#include "migrations.hpp"

#include "database.hpp"

#include "json_columns.hpp"
#include "maintenance.hpp"

#include "core/text.hpp"

#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>
#include <SQLiteCpp/Transaction.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace ib::storage {
namespace {

// v1: the incidents and their append-only timeline.
//
// incidents: one row per ib::incident. Times are unix microseconds (NULL = not known),
// severity 1..5, status the core's to_string(status), empty strings stored as ''.
// timeline: seq is the rowid (insertion order). "key" is the dedupe key (Slack event_id);
// NULL when the entry has none, so any number of key-less entries coexist. tags is a JSON
// array of {"tag","rule"}, attrs a JSON object of strings. Triggers make the table
// append-only: edits and deletions of Slack messages are new rows (kind edit/deletion,
// ref_ts = the original ts).
void v1_tables(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    status          TEXT    NOT NULL,
    channel_id      TEXT    NOT NULL,
    channel_name    TEXT    NOT NULL,
    declared_by     TEXT    NOT NULL,
    declared_at     INTEGER NOT NULL,
    detected_at     INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT    NOT NULL DEFAULT '',
    identified_at   INTEGER,
    mitigated_at    INTEGER,
    resolved_at     INTEGER,
    commander       TEXT    NOT NULL DEFAULT '',
    comms_lead      TEXT    NOT NULL DEFAULT '',
    reopen_count    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE timeline (
    seq         INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    "key"       TEXT    UNIQUE CHECK ("key" IS NULL OR "key" <> ''),
    at          INTEGER NOT NULL,
    slack_ts    TEXT    NOT NULL DEFAULT '',
    "user"      TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL,
    tags        TEXT    NOT NULL DEFAULT '[]',
    "text"      TEXT    NOT NULL DEFAULT '',
    ref_ts      TEXT    NOT NULL DEFAULT '',
    attrs       TEXT    NOT NULL DEFAULT '{}',
    received_at INTEGER NOT NULL
);

CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
)sql");
    db.exec("PRAGMA application_id = " + std::to_string(application_id));
}

// v2: the indexes behind the store's queries.
//   timeline(incident_id, at, seq)  timeline(id) in order, timeline_size(id)
//   incidents(channel_id)           incident_by_channel (rowid order comes with the index; dropped in v4)
//   incidents(id) WHERE open        open_incidents (the query repeats this WHERE verbatim; dropped in v4)
//   incidents(declared_at)          incidents_declared_between
void v2_indexes(SQLite::Database& db) {
    db.exec(R"sql(
CREATE INDEX timeline_by_incident ON timeline(incident_id, at, seq);
CREATE INDEX incidents_by_channel ON incidents(channel_id);
CREATE INDEX incidents_open ON incidents(id) WHERE status <> 'resolved';
CREATE INDEX incidents_by_declared_at ON incidents(declared_at);
)sql");
}

// v3: timeline(incident_id, kind, at, seq) for timeline_of_kinds(): at start-up the bot rebuilds
// each open incident's reminder schedule from its status-page and reminder entries without
// reading the whole (possibly million-row) timeline.
void v3_kind_index(SQLite::Database& db) {
    db.exec("CREATE INDEX timeline_by_incident_kind ON timeline(incident_id, kind, at, seq);");
}

// v4: drops two v2 indexes whose queries are gone. The bot keeps the incidents of every channel
// in memory (loaded once at start-up through incidents_by_declared_at) and never asked the store
// for a channel's incident or the open incidents, so every write to `incidents` maintained
// incidents_by_channel and incidents_open for nothing.
void v4_drop_unused_indexes(SQLite::Database& db) {
    db.exec(R"sql(
DROP INDEX incidents_by_channel;
DROP INDEX incidents_open;
)sql");
}

// The one UPDATE of a timeline row v5 allows (see v5_private_and_redaction), as the condition the
// timeline_no_update trigger tests; v9 allows it and one more.
constexpr std::string_view redaction_update = R"sql(
    NEW.seq IS OLD.seq AND NEW.incident_id IS OLD.incident_id AND NEW."key" IS OLD."key" AND NEW.at IS OLD.at
    AND NEW.slack_ts IS OLD.slack_ts AND NEW."user" IS OLD."user" AND NEW.kind IS OLD.kind
    AND NEW.tags IS OLD.tags AND NEW.ref_ts IS OLD.ref_ts AND NEW.received_at IS OLD.received_at
    AND OLD.kind IN ('message', 'bot_message', 'edit', 'deletion')
    AND EXISTS (
        SELECT 1 FROM timeline AS r
        WHERE r.incident_id = OLD.incident_id AND r.kind = 'redaction' AND r.ref_ts <> ''
          AND r.ref_ts = (CASE WHEN OLD.kind IN ('message', 'bot_message') THEN OLD.slack_ts ELSE OLD.ref_ts END)
          AND r."text" LIKE '[redacted: %]'
          AND NEW."text" IS (CASE WHEN OLD.kind = 'deletion' THEN OLD."text" ELSE r."text" END)
          AND NEW.attrs IS (CASE WHEN json_type(OLD.attrs, '$.previous_text') IS NULL THEN OLD.attrs
                                 ELSE json_set(OLD.attrs, '$.previous_text', r."text") END))
)sql";

// v5: private incidents, and redaction as the one sanctioned rewrite of the timeline.
//   incidents.is_private  1 for an incident declared with --private (older rows: 0)
//   kind 'redaction'      a new entry kind (an older build must refuse the file, hence a version)
//   timeline_no_update    still refuses every UPDATE but one: replacing the text of a message
//                         (or bot message), of its edits, and the earlier text its edit and
//                         deletion entries kept (attrs.previous_text), with the text of a
//                         redaction entry for that message already on the same timeline, of the
//                         form "[redacted: …]". No other column may change. Deletes stay refused.
void v5_private_and_redaction(SQLite::Database& db) {
    db.exec(R"sql(
ALTER TABLE incidents ADD COLUMN is_private INTEGER NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1));

DROP TRIGGER timeline_no_update;
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
WHEN NOT ()sql" + std::string(redaction_update) + R"sql()
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
)sql");
}

// v6: the flow journal (store::save_flow). One row per product flow in progress (a declaration, a
// lifecycle change, a summary, a reminder, a snooze): its kind and its state as JSON
// (core/flows/journal.hpp), written with the flow's store step and before each post, deleted when
// the flow ends. At start-up the bot resumes every row left by a crash. `step` orders the writes
// of one flow: an older snapshot never replaces a newer one. The rowid keeps the order of first
// writes, the order flows are resumed in.
void v6_flow_journal(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE flows (
    "key"  TEXT    PRIMARY KEY CHECK ("key" <> ''),
    kind   TEXT    NOT NULL,
    step   INTEGER NOT NULL,
    state  TEXT    NOT NULL
);
)sql");
}

// v7: one entry per message, and the catch-up marks (issue 12: backfill after downtime).
//
// A message, join or leave is one entry per incident and Slack ts: a message seen live and again
// in the channel's history (read after the bot was down) is recorded once. The unique index is
// partial: other kinds (edits, reactions, lifecycle entries) have their own ts or none. Earlier
// builds could store one message twice when Slack sent it under two event_ids (the event_id is
// the only key they knew; the same message reaches an app twice in a channel shared by two
// installations, or when two envelopes wrap it); the later copies move, unchanged, to
// timeline_duplicates with the seq of the entry kept, so the index can be unique and nothing
// recorded is thrown away. The append-only triggers are dropped for that one DELETE only.
//
// backfill_marks: per incident, what the bot must catch up from Slack's history: since_ts, the
// newest Slack ts stored before the connection was lost (live events stored after a reconnect
// must not hide the gap, so it is written at the loss and kept until the catch-up is done),
// down_from (unix µs) for the gap entry, and epoch, the loss that set it last (a catch-up clears
// only the mark of its own epoch: a newer loss keeps it).
//
// And the entry kind `gap`: older builds refuse the file up front.
void v7_one_entry_per_message(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE timeline_duplicates (
    seq          INTEGER PRIMARY KEY,
    duplicate_of INTEGER NOT NULL,
    incident_id  INTEGER NOT NULL,
    "key"        TEXT,
    at           INTEGER NOT NULL,
    slack_ts     TEXT    NOT NULL,
    "user"       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    tags         TEXT    NOT NULL,
    "text"       TEXT    NOT NULL,
    ref_ts       TEXT    NOT NULL,
    attrs        TEXT    NOT NULL,
    received_at  INTEGER NOT NULL
);

INSERT INTO timeline_duplicates (seq, duplicate_of, incident_id, "key", at, slack_ts, "user", kind, tags, "text",
                                 ref_ts, attrs, received_at)
SELECT t.seq, k.kept, t.incident_id, t."key", t.at, t.slack_ts, t."user", t.kind, t.tags, t."text", t.ref_ts,
       t.attrs, t.received_at
FROM timeline t
JOIN (SELECT incident_id, slack_ts, min(seq) AS kept FROM timeline
      WHERE slack_ts <> '' AND kind IN ('message', 'bot_message', 'join', 'leave')
      GROUP BY incident_id, slack_ts HAVING count(*) > 1) k
  ON t.incident_id = k.incident_id AND t.slack_ts = k.slack_ts
WHERE t.kind IN ('message', 'bot_message', 'join', 'leave') AND t.seq <> k.kept;

DROP TRIGGER timeline_no_delete;
DELETE FROM timeline WHERE seq IN (SELECT seq FROM timeline_duplicates);
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;

CREATE UNIQUE INDEX timeline_one_per_ts ON timeline(incident_id, slack_ts)
WHERE slack_ts <> '' AND kind IN ('message', 'bot_message', 'join', 'leave');

CREATE TABLE backfill_marks (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
    since_ts    TEXT    NOT NULL,
    down_from   INTEGER NOT NULL,
    epoch       INTEGER NOT NULL
);
)sql");
}

// v8: one text model, and users by name.
//
// Every stored text is Slack text (core/text.hpp): message texts always were, but slash-command
// texts were stored decoded. This step re-encodes them (reencode_decoded_text: `&`, `<`, `>`
// escaped again; user, channel and link markup kept; `<!…>` escaped, so a typed `<!channel>`
// can never become a ping): incident titles, and the timeline's command entries (declare, note,
// action_item, statuspage, status, resolve, reopen: their text and their `note` attribute). The
// bot's own texts on other entries hold no `&`, `<` or `>` but its markup, so they are Slack text
// already, except a recording gap's (v7), which quotes an error as it came: escaped
// (escape_mrkdwn: it holds no markup). The flow journal (v6) holds the same texts of the flows
// in progress, decoded: they are re-encoded too (reencode_flow_state), so a flow resumed after
// the upgrade stores Slack text. A redaction's "[redacted: <reason>]" and its `reason` attribute held the operator's
// reason as typed: both are escaped (escape_mrkdwn: a command line has no Slack markup, as
// core/redaction.hpp now stores them) and the redaction replayed, in
// timeline order, onto the message, its edits and the earlier texts they kept, and the copies
// v7 set aside (timeline_duplicates), exactly as store::redact_message() does it. The timeline's update trigger (v5's, which allows only a
// redaction) is lifted for the rewrite and put back as it was.
// migrate() backs the file up before this step (see backup_before_rewrite).
//
// users: the users.info cache. `name` is what people see ('' when unknown), `found` 0 when
// users.info said user_not_found, fetched_at in unix microseconds.
//
// `attrs_json` (a timeline attrs column) with its attribute `name`, if there is one, passed
// through `encode`; unchanged otherwise, and when it is not a JSON object.
std::string with_attr_encoded(const std::string& attrs_json, const std::string& name,
                              std::string (*encode)(std::string_view)) {
    auto attrs = decode_attrs(attrs_json);
    if (!attrs) return attrs_json;
    const auto it = attrs->find(name);
    if (it == attrs->end()) return attrs_json;
    it->second = encode(it->second);
    return encode_attrs(*attrs);
}

// The kinds of entries whose text (and `note` attribute) an older build stored decoded: the
// commands' entries.
bool command_kind(std::string_view kind) {
    for (const std::string_view k : {"declare", "note", "action_item", "statuspage", "status", "resolve", "reopen"})
        if (kind == k) return true;
    return false;
}

// A string member of `obj` passed through reencode_decoded_text, when it is there.
void reencode_member(nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) return;
    const auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) *it = reencode_decoded_text(it->get<std::string>());
}

// A journaled entry (core/flows/journal.cpp's entry_json) of a command kind: text and note.
void reencode_journal_entry(nlohmann::json& e) {
    if (!e.is_object() || !e.contains("kind") || !e["kind"].is_string() || !command_kind(e["kind"].get<std::string>()))
        return;
    reencode_member(e, "text");
    if (const auto attrs = e.find("attrs"); attrs != e.end()) reencode_member(*attrs, "note");
}

// A flow journal row's state ({"reply_to", "state": {…}}, core/flows/journal.cpp) with the texts
// an older build kept decoded re-encoded: incident titles (inc, plan.updated), the declare flow's
// title, journaled command entries (entry, plan.entry) and a change's command (cmd: title, note,
// text). What the bot rendered for Slack (replies, announcements, summaries, reminders) was
// escaped already and stays. A state that does not parse stays as it is (restore() reports it).
std::string reencode_flow_state(const std::string& kind, const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("state") || !j["state"].is_object()) return text;
    auto& st = j["state"];
    if (kind == "declare") reencode_member(st, "title");
    if (const auto inc = st.find("inc"); inc != st.end()) reencode_member(*inc, "title");
    if (const auto e = st.find("entry"); e != st.end()) reencode_journal_entry(*e);
    if (const auto cmd = st.find("cmd"); cmd != st.end())
        for (const char* key : {"title", "note", "text"}) reencode_member(*cmd, key);
    if (const auto plan = st.find("plan"); plan != st.end() && plan->is_object()) {
        if (const auto up = plan->find("updated"); up != plan->end()) reencode_member(*up, "title");
        if (const auto e = plan->find("entry"); e != plan->end()) reencode_journal_entry(*e);
    }
    try {
        return j.dump();
    } catch (const nlohmann::json::exception&) {
        return text;  // not UTF-8 (no build writes that): left for restore() to report
    }
}

// Rewrites `column` of the rows of `table` that `where` selects: each value passed through
// `encode`, which may read the row's other columns by name, and written back only when it changed.
void rewrite_column(SQLite::Database& db, const std::string& table, const std::string& column, const std::string& where,
                    const std::function<std::string(const std::string&, SQLite::Statement&)>& encode) {
    SQLite::Statement read(db, "SELECT rowid, \"" + column + "\", * FROM " + table + " WHERE " + where);
    SQLite::Statement write(db, "UPDATE " + table + " SET \"" + column + "\" = ? WHERE rowid = ?");
    while (read.executeStep()) {
        const std::string value = read.getColumn(1).getString();
        const std::string encoded = encode(value, read);
        if (encoded == value) continue;
        write.bind(1, encoded);
        write.bind(2, read.getColumn(0).getInt64());
        write.exec();
        write.reset();
    }
}

void v8_text_model_and_users(SQLite::Database& db) {
    const std::string update_trigger =
        db.execAndGet("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'timeline_no_update'")
            .getString();
    db.exec(R"sql(
CREATE TABLE users (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL DEFAULT '',
    real_name  TEXT    NOT NULL DEFAULT '',
    handle     TEXT    NOT NULL DEFAULT '',
    found      INTEGER NOT NULL DEFAULT 1,
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
DROP TRIGGER timeline_no_update;
)sql");
    const auto decoded = [](const std::string& v, SQLite::Statement&) { return reencode_decoded_text(v); };
    rewrite_column(db, "incidents", "title", "1", decoded);
    const std::string commands = "kind IN ('declare', 'note', 'action_item', 'statuspage', 'status', 'resolve', 'reopen')";
    rewrite_column(db, "timeline", "text", commands, decoded);
    rewrite_column(db, "timeline", "attrs", commands, [](const std::string& v, SQLite::Statement&) {
        return with_attr_encoded(v, "note", reencode_decoded_text);
    });
    // A recording gap's text quotes an error as it came.
    rewrite_column(db, "timeline", "text", "kind = 'gap'",
                   [](const std::string& v, SQLite::Statement&) { return escape_mrkdwn(v); });
    // The flows in progress.
    rewrite_column(db, "flows", "state", "1", [](const std::string& v, SQLite::Statement& row) {
        return reencode_flow_state(row.getColumn("kind").getString(), v);
    });
    {
        // Redactions, oldest first, so a message redacted twice reads the last one, as before.
        SQLite::Statement read(db, R"sql(
SELECT seq, incident_id, ref_ts, "text", attrs FROM timeline WHERE kind = 'redaction' ORDER BY seq)sql");
        SQLite::Statement write(db, R"sql(UPDATE timeline SET "text" = ?, attrs = ? WHERE seq = ?)sql");
        // store::redact_message()'s rewrite (and v5's trigger's), with the new text.
        SQLite::Statement replay(
            db, R"(UPDATE timeline SET "text" = CASE WHEN kind = 'deletion' THEN "text" ELSE ?3 END,)"
                " attrs = CASE WHEN json_type(attrs, '$.previous_text') IS NULL THEN attrs"
                "              ELSE json_set(attrs, '$.previous_text', ?3) END"
                " WHERE incident_id = ?1 AND ((kind IN ('message', 'bot_message') AND slack_ts = ?2)"
                "                          OR (kind IN ('edit', 'deletion') AND ref_ts = ?2))");
        SQLite::Statement aside(db, R"(UPDATE timeline_duplicates SET "text" = ?3)"
                                    " WHERE incident_id = ?1 AND slack_ts = ?2 AND kind IN ('message', 'bot_message')");
        constexpr std::string_view open = "[redacted: ", close = "]";
        while (read.executeStep()) {
            const std::string text = read.getColumn(3).getString();
            const std::string_view sv = text;
            if (sv.size() < open.size() + close.size() || !sv.starts_with(open) || !sv.ends_with(close)) continue;
            const std::string encoded = std::string(open) +
                                        escape_mrkdwn(sv.substr(open.size(), sv.size() - open.size() - close.size())) +
                                        std::string(close);
            if (encoded == text) continue;
            write.bind(1, encoded);
            write.bind(2, with_attr_encoded(read.getColumn(4).getString(), "reason", escape_mrkdwn));
            write.bind(3, read.getColumn(0).getInt64());
            write.exec();
            write.reset();
            replay.bind(1, read.getColumn(1).getInt64());
            replay.bind(2, read.getColumn(2).getString());
            replay.bind(3, encoded);
            replay.exec();
            replay.reset();
            aside.bind(1, read.getColumn(1).getInt64());
            aside.bind(2, read.getColumn(2).getString());
            aside.bind(3, encoded);
            aside.exec();
            aside.reset();
        }
    }
    db.exec(update_trigger);
}

// v9: corrections (core/corrections.hpp) and `incident-bot retag`.
//   kind 'correction'     a new entry kind (an older build must refuse the file, hence a version)
//   timeline_no_update    allows, besides v5's redaction, one more UPDATE: a `message` entry's
//                         tags replaced by a JSON array (retag re-derives them with the current
//                         tagger). No other column may change; corrections are entries of their
//                         own and are never rewritten. Deletes stay refused.
//   timeline(incident_id, ref_ts) WHERE kind = 'correction'
//                         the corrections of one message (store::message)
void v9_corrections(SQLite::Database& db) {
    db.exec(R"sql(
DROP TRIGGER timeline_no_update;
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
WHEN NOT (
    ()sql" + std::string(redaction_update) + R"sql()
    OR
    (NEW.seq IS OLD.seq AND NEW.incident_id IS OLD.incident_id AND NEW."key" IS OLD."key" AND NEW.at IS OLD.at
     AND NEW.slack_ts IS OLD.slack_ts AND NEW."user" IS OLD."user" AND NEW.kind IS OLD.kind
     AND NEW."text" IS OLD."text" AND NEW.ref_ts IS OLD.ref_ts AND NEW.attrs IS OLD.attrs
     AND NEW.received_at IS OLD.received_at
     AND OLD.kind = 'message' AND json_valid(NEW.tags) AND json_type(NEW.tags) = 'array')
)
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;

CREATE INDEX timeline_corrections ON timeline(incident_id, ref_ts) WHERE kind = 'correction';
)sql");
}

// v10: incidents(channel_id, id) again (v2 had it, v4 dropped it when nothing asked for a
// channel's incident): with several instances on one database (PostgreSQL, README "High
// availability") incident_by_channel is read on every event in a channel an instance does not
// know, by every instance; the query (WHERE channel_id = ? ORDER BY id DESC LIMIT 1) is then one
// index probe instead of a scan of every incident. PostgreSQL's step 9 -> 10 (pg_schema.cpp)
// makes the same index.
void v10_channel_index(SQLite::Database& db) {
    db.exec("CREATE INDEX incidents_by_channel ON incidents(channel_id, id);");
}

// v11: several instances share the flow journal and the catch-up (issue 15, README "High
// availability"). Each journal row names the instance that runs its flow (`owner`, an instance id:
// core/reminders.hpp claim_lease) and when that instance last saved or renewed it (`renewed_at`,
// unix µs): another instance resumes the flow only once that is older than the lease
// (core/flows/journal.hpp, resumes). Rows an older build left get owner '' and renewed_at 0: long
// expired, resumed by the next instance that looks. backfill_claims: one row per channel and gap
// (the catch-up mark's since_ts and down_from) that an instance claimed before reading the
// channel's history, so that after an outage one instance reads each gap, not every one
// (core/flows/backfill.hpp, decide_gap); `done` once it is caught up. PostgreSQL's step 10 -> 11
// (pg_schema.cpp) makes the same.
void v11_shared_journal_and_gap_claims(SQLite::Database& db) {
    db.exec(R"sql(
ALTER TABLE flows ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE flows ADD COLUMN renewed_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE backfill_claims (
    channel_id TEXT    NOT NULL,
    since_ts   TEXT    NOT NULL,
    down_from  INTEGER NOT NULL,
    owner      TEXT    NOT NULL,
    renewed_at INTEGER NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, since_ts, down_from)
);
)sql");
}

}  // namespace

const std::vector<migration_step>& schema_steps() {
    static const std::vector<migration_step> steps{v1_tables, v2_indexes, v3_kind_index, v4_drop_unused_indexes,
                                                   v5_private_and_redaction, v6_flow_journal,
                                                   v7_one_entry_per_message, v8_text_model_and_users,
                                                   v9_corrections, v10_channel_index,
                                                   v11_shared_journal_and_gap_claims};
    return steps;
}

std::optional<std::string> backup_before_rewrite(SQLite::Database& db, int target_version) {
    const std::string& file = db.getFilename();
    const int current = user_version(db);
    if (current < 1 || current >= text_model_version || target_version < text_model_version) return std::nullopt;
    if (file.empty() || file == ":memory:" || file.starts_with("file:")) return std::nullopt;
    // A name that is not taken: <file>.schema-v<N>.bak, then .bak.2, .bak.3, …
    const std::string base = file + ".schema-v" + std::to_string(current) + ".bak";
    std::string to = base;
    std::error_code ec;
    for (int n = 2; std::filesystem::exists(to, ec); ++n) to = base + "." + std::to_string(n);
    // `incident-bot backup`'s copy: one consistent snapshot, checked, standalone, synced, named
    // only once complete, owner-only like the database it copies.
    backup_database(file, to);
    return to;
}

int latest_version() { return static_cast<int>(schema_steps().size()); }

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

std::string newer_schema_message(int found_version, int known_version) {
    return "written by a newer incident-bot (schema v" + std::to_string(found_version) +
           "; this build knows up to v" + std::to_string(known_version) + ")";
}

void require_current_for_read_only(const std::string& name, int version) {
    if (version > latest_version()) throw storage_error(name + ": " + newer_schema_message(version, latest_version()));
    if (version < latest_version())
        throw storage_error(name + ": schema v" + std::to_string(version) + " needs upgrading to v" +
                            std::to_string(latest_version()) +
                            ", which a read-only open cannot do; open it read-write once");
}

std::optional<std::string> migrate(SQLite::Database& db, int target_version) {
    auto backup = backup_before_rewrite(db, target_version);
    migrate(db, schema_steps(), target_version);
    return backup;
}

void migrate(SQLite::Database& db, std::span<const migration_step> steps, int target_version) {
    const std::string& file = db.getFilename();
    const int known = static_cast<int>(steps.size());
    if (target_version < 0 || target_version > known)
        throw storage_error(file + ": cannot migrate to schema v" + std::to_string(target_version) +
                            ": this build knows v0 to v" + std::to_string(known));

    const auto check = [&](int current) {
        if (current < 0)
            throw storage_error(file + ": not an incident-bot database (user_version " +
                                std::to_string(current) + ")");
        if (current > known) throw storage_error(file + ": " + newer_schema_message(current, known));
        if (current > target_version)
            throw storage_error(file + ": schema v" + std::to_string(current) + " is newer than the requested v" +
                                std::to_string(target_version));
    };

    try {
        int current = user_version(db);
        check(current);
        while (current < target_version) {
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            current = user_version(db);  // another connection may have migrated meanwhile
            check(current);
            if (current >= target_version) break;
            try {
                steps[static_cast<std::size_t>(current)](db);
            } catch (const std::exception& e) {
                throw storage_error(file + ": migration to schema v" + std::to_string(current + 1) +
                                    " failed: " + e.what());
            }
            db.exec("PRAGMA user_version = " + std::to_string(current + 1));
            tx.commit();
            ++current;
        }
    } catch (const SQLite::Exception& e) {
        throw wrap(db, "migrating the schema", e);
    }
}

void check_identity(SQLite::Database& db) {
    const std::string& file = db.getFilename();
    try {
        const int app = db.execAndGet("PRAGMA application_id").getInt();
        if (app == application_id) return;
        if (app != 0) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(app));
            throw storage_error(file + ": not an incident-bot database (application_id " + hex + ")");
        }
        const int version = user_version(db);
        if (version != 0)
            throw storage_error(file + ": not an incident-bot database (user_version " + std::to_string(version) +
                                " without incident-bot's application_id)");
        if (db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() != 0)
            throw storage_error(file + ": not an incident-bot database (it holds tables but no schema version)");
    } catch (const SQLite::Exception& e) {
        throw wrap(db, "checking the schema", e);
    }
}

}  // namespace ib::storage
