// The incident store: incidents and their append-only timelines, in one SQLite file or in a
// PostgreSQL database. The name it is opened with chooses the engine (backend.hpp): a libpq URI
// (postgresql://… or postgres://…) is PostgreSQL (pg_store.cpp), anything else a SQLite path or
// ":memory:" (sqlite_store.cpp). This contract holds on both; where PostgreSQL differs it says so.
//
// Durability: every write method returns only after its transaction is committed with
// synchronous=FULL in WAL mode (PostgreSQL: synchronous_commit=on), i.e. it survives a crash or
// power loss once it returns.
// Dedupe: storing an entry that is already stored is a no-op reported as `false`. An entry is
// already stored when
//  - its `key` (Slack's event_id, or one the bot made) is; an empty key never matches;
//  - it is a message, bot_message, join or leave with a Slack ts, and the incident has one of
//    those with that ts (a message seen live and again in the channel's history is one entry);
//  - it is a join (leave) of a user who has a join (leave) stored within join_match_window of it
//    with no leave (join) of theirs in between: Slack reports one join as a member_joined_channel
//    event and a channel_join message with different ts (and only the message is in history), so
//    a join is one entry whichever came first;
//  - it is a 📌 key_moment for a pin (message, user, emoji) whose latest entry is a key_moment
//    (the pin is already current), or a removal of a pin whose latest entry is a removal.
// The timeline is never UPDATEd or DELETEd (triggers enforce it): edits and deletions of Slack
// messages are entries of their own. Two rewrites are sanctioned: redact_message() and retag().
// Corrections (schema v9, core/corrections.hpp): a message's tags read back as its effective
// tags, those of its last `correction` entry, wherever message entries are read (timeline(),
// timeline_of_kinds(), message()); the tags stored with it stay the tagger's.
//
// Reading back: unknown tags (or a malformed tags column) are dropped, since tags are derived
// from the text and can be recomputed; an unknown kind or status, a severity outside 1..5 or
// malformed attrs throw storage_error naming the row. A build that adds a kind or status must
// add a schema version too (see migrations.hpp), so older builds refuse such a file up front.
//
// A store is one SQLite connection (one PostgreSQL session) with cached prepared statements: not
// thread-safe, use one per thread. Several stores (threads or processes) may share a file;
// writers wait up to busy_timeout for each other (PostgreSQL: lock_timeout, for row locks).
// A moved-from store may only be destroyed or assigned to.
// Every method throws storage_error (message starts with the path; for PostgreSQL the URI
// without its password, display_name()) on failure.
#pragma once

#include "common.hpp"

#include "core/incident.hpp"
#include "core/time.hpp"
#include "core/timeline.hpp"
#include "core/users.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ib::storage {

class store_backend;

// How far apart a join's member_joined_channel event and its channel_join message may be dated
// and still be one join (Slack dates them within the same second; a member_joined_channel without
// event_ts is dated by its whole-second event_time).
inline constexpr std::chrono::seconds join_match_window{5};

// What the bot must catch up from Slack's history for one incident (core/flows/backfill.hpp).
struct backfill_mark {
    std::int64_t incident_id = 0;
    std::string since_ts;    // the watermark: the newest Slack ts stored before the connection was lost
    time_point down_from{};  // when the connection was lost (or the bot's last sign of life)
    std::int64_t epoch = 0;  // the loss that set the mark last

    bool operator==(const backfill_mark&) const = default;
};

// A gap in the record of one channel: its catch-up mark's since_ts and down_from (a mark is set
// once per outage and kept until caught up, so every instance names the same gap alike).
struct backfill_gap {
    std::string channel_id;
    std::string since_ts;
    time_point down_from{};

    bool operator==(const backfill_gap&) const = default;
};

class store {
public:
    // Opens `path` (":memory:" for a private in-memory database). Unless opts.read_only:
    // creates the file if missing and migrates its schema to latest_schema_version(), backing
    // the file up first when a step rewrites stored data (see migration_backup()).
    // Throws storage_error for a missing file (read_only), a file that is not SQLite or is
    // corrupt, a SQLite file of another application, a schema newer than this build knows,
    // or (read_only) a schema older than latest. Reads only headers: no table scans.
    explicit store(const std::string& path, open_options opts = {});
    ~store();
    store(store&&) noexcept;
    store& operator=(store&&) noexcept;

    // The database's schema version (PRAGMA user_version; PostgreSQL: incident_bot_schema).
    int schema_version() const;
    // The schema version this build creates and upgrades to.
    static int latest_schema_version();

    // ---- Incidents. Each write is one transaction together with its timeline entry. ----

    // Inserts `inc` (its id is ignored) and `declare_entry` for it in one transaction; on
    // success sets inc.id, declare_entry.incident_id and declare_entry.seq and returns the id.
    // If declare_entry.key is already stored (a redelivered declare), nothing is written:
    // `inc` is replaced by the stored incident that entry belongs to, declare_entry gets that
    // incident_id and seq, and that id is returned.
    std::int64_t create_incident(incident& inc, timeline_entry& declare_entry);

    // Updates the stored row of `inc` (by inc.id) to all of inc's fields and appends `entry`
    // to its timeline, atomically. entry.incident_id must be inc.id or 0 (meaning inc.id).
    // Returns false, changing nothing, if entry.key is already stored. Throws when inc.id
    // names no stored incident.
    bool save_change(const incident& inc, const timeline_entry& entry);

    // ---- Several `run` instances on one PostgreSQL database (engineering.md §3.9). ----
    // The same on SQLite, where one run holds the file (run_lock.hpp) and these never disagree
    // with what that run holds in memory.

    // What save_change_from did.
    enum class change_outcome {
        stored,     // the row now holds `inc` and the entry is appended
        duplicate,  // entry.key is stored already (this command was handled, here or elsewhere)
        stale,      // the row is no longer `base`: another change came first; plan again from `current`
    };
    struct change_result {
        change_outcome outcome = change_outcome::stored;
        incident current;  // the row as it stands after the call
    };
    // save_change for a change planned from `base` (the incident as the planner read it), under
    // the incident's row lock (PostgreSQL: SELECT … FOR UPDATE; SQLite: the write transaction),
    // so that of two instances changing one incident at once the second sees the first's change
    // and plans again. In one transaction: duplicate when entry.key is stored already, else stale
    // when the stored row differs from `base` in any field, else the row becomes `inc` and the
    // entry is appended. Only `stored` writes anything. Throws when inc.id names no incident.
    change_result save_change_from(const incident& base, const incident& inc, const timeline_entry& entry);

    // A claim (engineering.md §3.9): under the incident's row lock, `decide` is given the incident
    // as stored and its entries of `kinds` (timeline order) and names the entry to store, or
    // nullopt; that entry is appended in the same transaction, deduplicated like append(). The
    // caller whose call stores it does the work (posts the reminder); the others find it decided.
    struct claim_result {
        std::optional<incident> inc;          // nullopt: no such incident (nothing decided)
        std::vector<timeline_entry> entries;  // its entries of `kinds`, the one stored here last
        bool claimed = false;                 // this call stored decide's entry
    };
    using claim_decision =
        std::function<std::optional<timeline_entry>(const incident&, std::span<const timeline_entry>)>;
    claim_result claim(std::int64_t incident_id, std::span<const entry_kind> kinds, const claim_decision& decide);

    std::optional<incident> incident_by_id(std::int64_t id) const;
    // The incident declared last (highest id) in channel `channel_id`, or nullopt: how an instance
    // routes an event of a channel another instance declared.
    std::optional<incident> incident_by_channel(std::string_view channel_id) const;
    // The incident with the highest id.
    std::optional<incident> latest_incident() const;
    // Incidents with from <= declared_at < to, by declared_at then id.
    std::vector<incident> incidents_declared_between(time_point from, time_point to) const;
    // The incidents resolved (not reopened) with resolved_at >= from, by id: how a running
    // instance hears of another's resolves (core/summary_lease.hpp). One query over the incidents
    // table (one row per incident; no index on resolved_at), never the timeline.
    std::vector<incident> incidents_resolved_since(time_point from) const;

    // ---- Timeline (append-only). e.seq is ignored on writes; e.incident_id must exist. ----

    // Appends `e`; false if its key is already stored (then nothing changes).
    bool append(const timeline_entry& e);
    // Appends all entries in ONE transaction (group commit) and returns once it is durable.
    // result[i] is true when entries[i] was newly stored, false when its key was already
    // stored (before or earlier in this batch). If any entry fails (e.g. an unknown
    // incident_id), none of the batch is stored and storage_error names the entry.
    std::vector<bool> append_batch(std::span<const timeline_entry> entries);
    // The incident's entries ordered by `at`, then by seq (insertion order); seq filled in.
    std::vector<timeline_entry> timeline(std::int64_t incident_id) const;
    std::size_t timeline_size(std::int64_t incident_id) const;
    // Only the incident's entries of the given kinds, ordered like timeline(); served by an
    // index, so it costs what it returns, not the size of the timeline.
    std::vector<timeline_entry> timeline_of_kinds(std::int64_t incident_id, std::span<const entry_kind> kinds) const;
    // How many entries history_of(timeline()) holds: timeline_size() less the bookkeeping
    // (core/timeline.hpp is_bookkeeping), counted among the entries of its kind by index.
    std::size_t history_size(std::int64_t incident_id) const;
    // Entries [offset, offset + limit) of history_of(timeline()), the incident's history without
    // the instances' bookkeeping: the same order and effective tags, read through the
    // (incident_id, at, seq) index, so a page of a 100,000-entry timeline costs about the page
    // (the review site's first paint). Empty past the end.
    std::vector<timeline_entry> timeline_page(std::int64_t incident_id, std::size_t offset, std::size_t limit) const;
    // Where entry `seq` sits in history_of(timeline()) (0 = first): a count over the same index.
    // nullopt when the incident has no entry `seq`, or that entry is bookkeeping.
    std::optional<std::size_t> timeline_position(std::int64_t incident_id, std::int64_t seq) const;
    // The kinds the incident's timeline has, each once, in no particular order: a skip through
    // the (incident_id, kind, …) index that costs about the number of kinds, not of entries.
    std::vector<entry_kind> timeline_kinds(std::int64_t incident_id) const;

    // The `message` entry with Slack ts `slack_ts` on the incident's timeline, with its
    // effective tags; nullopt when there is none (only bot messages, joins, … have that ts).
    std::optional<timeline_entry> message(std::int64_t incident_id, std::string_view slack_ts) const;

    // ---- Retagging (schema v9): message tags re-derived by the current tagger. ----
    struct retag_result {
        std::size_t messages = 0;   // message entries looked at
        std::size_t changed = 0;    // of them, those whose stored tags changed
        std::size_t corrected = 0;  // of them, those a correction overrides (their effective tags stay)
    };
    // Re-derives the stored tags of the incident's `message` entries with `derive` (given each
    // entry as stored; nullopt keeps its tags) and stores those that differ, in one transaction.
    // Corrections are entries of their own and are not touched: a corrected message still reads
    // as corrected. Throws storage_error for an unknown incident.
    retag_result retag(std::int64_t incident_id,
                       const std::function<std::optional<std::vector<tag_hit>>(const timeline_entry&)>& derive);

    // ---- Redaction: the one sanctioned rewrite of a message's text. ----
    struct redaction_result {
        std::size_t rewritten = 0;  // entries whose text changed: the message, its edits, deletion,
                                    // and its copies an upgrade to v7 set aside (timeline_duplicates)
        bool checkpointed = false;  // the WAL was copied into the main file and emptied
    };
    // `redaction` is an entry of kind redaction whose ref_ts is the Slack ts of a message (or bot
    // message) on incident `redaction.incident_id` and whose text is "[redacted: <reason>]". In
    // one transaction it is appended, and its text replaces the message's text, its edits' text
    // and the earlier text the message's edit and deletion entries kept (attrs.previous_text);
    // the timeline's trigger allows exactly this. Copies of the message in timeline_duplicates
    // (schema v7) read it too. So that the old text leaves the files, the
    // rewrite runs with secure_delete (freed space is overwritten with zeros) and the WAL is then
    // checkpointed into the main file and truncated; `checkpointed` is false when another
    // connection kept the checkpoint from finishing (the old text may stay in the -wal file
    // until a later checkpoint). Copies outside this file (backups) are not touched.
    // PostgreSQL: the same rewrite in one transaction; there is no WAL file to empty (the old row
    // versions stay until the table is vacuumed), so `checkpointed` is false.
    // Throws storage_error when that message is not on that incident's timeline.
    redaction_result redact_message(const timeline_entry& redaction);
    // ---- Catching up after the bot was not connected (core/flows/backfill.hpp). ----

    // The connection to Slack was lost at `lost_at`; nullopt at start-up, when the moment is not
    // known: then the received_at of the entry stored last, the bot's last sign of life. For each
    // of `incident_ids` without a mark, stores one: since_ts = the newest Slack ts of a message,
    // join or leave stored for it (its declaration's time when there is none), down_from =
    // lost_at. A mark already there (a loss not caught up yet) keeps its since_ts and down_from
    // and takes `epoch`. Returns the marks of `incident_ids`, in their order; one transaction.
    std::vector<backfill_mark> mark_disconnected(std::span<const std::int64_t> incident_ids,
                                                 std::optional<time_point> lost_at, std::int64_t epoch);
    // Every mark not cleared yet, by incident id.
    std::vector<backfill_mark> backfill_marks() const;
    // The incident is caught up: appends `gap` when not null (deduplicated on its key) and clears
    // the incident's mark when its epoch is still `epoch`, in one transaction. Returns whether
    // the mark was cleared. With `claimed` (a gap claimed with claim_gap, caught up by whichever
    // instance read it): marks that claim done and clears the incident's mark when it is still
    // that gap (its since_ts and down_from), whatever its epoch: another instance that was
    // disconnected too set it again meanwhile, and what it missed is in the gap just read.
    bool finish_backfill(std::int64_t incident_id, std::int64_t epoch, const timeline_entry* gap,
                         const backfill_gap* claimed = nullptr);

    // ---- Several instances: one catch-up per channel and gap (schema v11). ----
    // After an outage every instance holds the same mark per incident (one per incident), so a
    // gap is named alike by all: the channel and the mark's since_ts and down_from. An instance
    // claims the gap before reading its history; the others skip it (core/flows/backfill.hpp,
    // decide_gap).
    struct gap_claim {
        std::string owner;        // the instance reading (or that read) it
        time_point renewed_at{};  // when it claimed or last renewed it
        bool done = false;        // caught up (finish_backfill with it)
        bool operator==(const gap_claim&) const = default;
    };
    struct gap_claim_result {
        std::optional<gap_claim> held;  // the claim as it stands after the call (nullopt: none)
        bool claimed = false;           // this call made it owner's
    };
    // Under the claim's row lock (PostgreSQL: SELECT … FOR UPDATE, or the unique key of a claim
    // inserted at once; SQLite: the write transaction), in one transaction: `take` is given the
    // gap's claim as stored (nullptr: none) and says whether `owner` claims it; if so it becomes
    // owner's, renewed at `now`, not done. Of several instances claiming one gap at once, each
    // decides on what the one before stored, so one claims it.
    gap_claim_result claim_gap(const backfill_gap& gap, std::string_view owner, time_point now,
                               const std::function<bool(const gap_claim*)>& take);
    // `owner` is still reading its gaps at `now`: its claims not done are renewed. Returns how many.
    std::size_t renew_gaps(std::string_view owner, time_point now);
    // The ts of the parents of the incident's threads that have replies on its timeline (the
    // thread_ts of its messages), in ts order.
    std::vector<std::string> thread_parents(std::int64_t incident_id) const;

    // ---- Several writes as one. ----
    // Runs `writes` (calls on this store) atomically: all of them or, if it throws, none (a
    // savepoint inside a group or another atomic scope, else its own transaction). Rethrows.
    void atomically(const std::function<void()>& writes);

    // ---- The flow journal (schema v6; owners and leases v11): product flows in progress,
    // resumed after a crash. Several instances on one PostgreSQL database share it: each row
    // names the instance running its flow (`owner`) and when it last saved or renewed it; another
    // instance resumes it only once that is older than the lease (core/flows/journal.hpp). ----
    struct flow_row {
        std::string key;   // the flow's key (its command's "cmd:<envelope id>", …), not empty
        std::string kind;  // "declare", "change", … (core/flows/journal.hpp)
        std::int64_t step = 0;  // the flow's count of journal writes: orders them
        std::string state;      // JSON
        std::string owner;      // the instance running the flow ("" for rows an older build wrote)
        time_point renewed_at{};  // its last save or renewal (the epoch for rows an older build wrote)
        bool operator==(const flow_row&) const = default;
    };
    // Stores `row` as the flow's journal entry (owner and renewed_at as given). A stored entry is
    // replaced only when its step is < row.step (an older snapshot that arrives late changes
    // nothing) and it is row.owner's (a flow another instance took over is no longer this one's
    // to write). Returns whether it was written.
    bool save_flow(const flow_row& row);
    // Deletes the flow's entry (the flow is over) when `owner` holds it. No-op for an unknown key
    // or another owner's entry (an instance that ends a flow another took over leaves it be).
    void forget_flow(std::string_view key, std::string_view owner = {});
    // The flows not forgotten, in the order of their first save.
    std::vector<flow_row> unfinished_flows() const;
    // Which flows `owner` resumes at `now`: `take` is given each unfinished flow, in the order of
    // first saves, and says whether `owner` takes it over (core/flows/journal.hpp, resumes). Each
    // taken row becomes owner's, renewed at `now`, in one transaction, by a compare-and-set under
    // the row's lock (an UPDATE that names the owner, step and renewal `take` was shown; SQLite:
    // under the write transaction besides): of several instances taking one row at once, exactly
    // one gets it, the others find it changed and leave it. Returns the rows taken (owner and
    // renewal updated), in that order.
    std::vector<flow_row> claim_flows(std::string_view owner, time_point now,
                                      const std::function<bool(const flow_row&)>& take);
    // `owner` is still running its flows at `now`: every entry it holds is renewed (renewed_at =
    // now), so that no other instance takes them over. Returns how many.
    std::size_t renew_flows(std::string_view owner, time_point now);

    // ---- Users: the users.info cache (core/users.hpp), for names outside Slack. ----

    // Stores what users.info said about p.id, replacing what was stored.
    void save_user(const user_profile& p);
    // The cached profile of `id`, or nullopt.
    std::optional<user_profile> user(std::string_view id) const;
    // Every cached user's id and when it was fetched (found or not), for the bot's refresh rule.
    std::vector<std::pair<std::string, time_point>> users_fetched() const;
    // The display names of those of `ids` that have one (an incident_record's `names`).
    user_names names_of(std::span<const std::string> ids) const;

    // The backup this open made before migrating the file across a step that rewrites data
    // (migrations.hpp, backup_before_rewrite); nullopt when it made none.
    const std::optional<std::string>& migration_backup() const;

    // ---- Group commit. ----
    // Opens one transaction that the following writes share until commit_group(): a burst of
    // writes then costs one fsync. Each write stays atomic on its own (a savepoint), so one
    // that throws is rolled back alone and the others still commit. Reads see the group's
    // writes. Throws if a group is already open.
    void begin_group();
    // Commits the group; returns once it is durable. On failure nothing of the group is
    // stored, and the group is closed.
    void commit_group();
    // Abandons the group's writes. No-op when no group is open.
    void rollback_group();

    // ---- Pragma readback, for tests and diagnostics. ----
    std::string journal_mode() const;  // "wal" for a file, "memory" for ":memory:"
    int synchronous() const;           // 2 = FULL
    int busy_timeout_ms() const;

private:
    std::unique_ptr<store_backend> impl_;  // the engine (backend.hpp)
};

}  // namespace ib::storage
