// What both engines (sqlite_store.cpp, pg_store.cpp) decide the same way, whatever their SQL:
// the dedupe rules a unique index cannot express, the checks on what is read back, the order of
// timeline_of_kinds(), the steps of mark_disconnected() and retag(), and the message of a failed
// batch. Each engine supplies the queries; store.hpp states the contract these carry out.
#pragma once

#include "store.hpp"

#include "core/corrections.hpp"
#include "core/recording.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <unordered_set>

namespace ib::storage::rules {

// store.hpp's dedupe rules beyond the unique keys: a join or leave the same user made within
// join_match_window with nothing opposite in between (engine.same_membership_stored), a 📌 pin or
// unpin that changes nothing (engine.pin_unchanged).
template <class Engine>
bool already_recorded(Engine& engine, const timeline_entry& e, std::int64_t incident_id) {
    switch (e.kind) {
    case entry_kind::join:
    case entry_kind::leave: return engine.same_membership_stored(e, incident_id);
    case entry_kind::key_moment:
    case entry_kind::unreaction:
        return is_key_moment_reaction(e.attr("reaction")) && engine.pin_unchanged(e, incident_id);
    default: return false;
    }
}

// Whether already_recorded() reads the store for `e` (a join, a leave, a pin or unpin): such an
// entry is checked and inserted on its own; any other is deduplicated by the unique keys alone,
// so a run of them can go into the table in one statement (append_batch on PostgreSQL).
inline bool dedupe_reads(const timeline_entry& e) {
    switch (e.kind) {
    case entry_kind::join:
    case entry_kind::leave: return !e.user.empty();
    case entry_kind::key_moment:
    case entry_kind::unreaction: return is_key_moment_reaction(e.attr("reaction"));
    default: return false;
    }
}

// The bounds (unix µs) of the membership query: a join or leave of `e`'s user dated within
// join_match_window of it; `at` itself for the "nothing opposite in between" part.
struct membership_window {
    std::int64_t at, from, to;
    std::string kind, opposite;
};
inline membership_window membership_of(const timeline_entry& e) {
    const auto at = to_unix_micros(e.at);
    const auto window = std::chrono::duration_cast<std::chrono::microseconds>(join_match_window).count();
    const bool join = e.kind == entry_kind::join;
    return {at, at - window, at + window, std::string(to_string(e.kind)),
            std::string(to_string(join ? entry_kind::leave : entry_kind::join))};
}

// save_change's entry must be inc's (incident_id inc.id, or 0 meaning inc.id).
inline void require_own_entry(const std::string& name, std::string_view op, const incident& inc,
                              const timeline_entry& entry) {
    if (entry.incident_id != 0 && entry.incident_id != inc.id)
        throw storage_error(name + ": " + std::string(op) + ": entry belongs to incident " +
                            std::to_string(entry.incident_id) + ", not " + std::to_string(inc.id));
}

// save_change_from() once the engine holds the incident's row lock and has read the row: a stored
// key is a duplicate, a row other than `base` is stale, else the entry and the row are written
// (engine.find_key, engine.insert_entry, engine.update_incident). The caller commits on `stored`.
template <class Engine>
store::change_result change_from(Engine& engine, incident row, const incident& base, const incident& inc,
                                 const timeline_entry& entry) {
    using outcome = store::change_outcome;
    if (engine.find_key(entry.key)) return {outcome::duplicate, std::move(row)};
    if (!(row == base)) return {outcome::stale, std::move(row)};
    if (!engine.insert_entry(entry, inc.id)) return {outcome::duplicate, std::move(row)};
    engine.update_incident(inc);
    return {outcome::stored, inc};
}

// claim() once the engine holds the incident's row lock and has read the row (`row`) and its
// entries of the kinds asked (`entries`): decide, and append what was decided under the row's id
// (engine.insert_entry). The caller commits when claimed.
template <class Engine>
store::claim_result claim_with(Engine& engine, incident row, std::vector<timeline_entry> entries,
                               const store::claim_decision& decide) {
    store::claim_result out;
    auto decided = decide(row, entries);
    if (decided) {
        decided->incident_id = row.id;
        if (const auto seq = engine.insert_entry(*decided, row.id)) {
            decided->seq = *seq;
            entries.push_back(std::move(*decided));
            out.claimed = true;
        }
    }
    out.inc = std::move(row);
    out.entries = std::move(entries);
    return out;
}

// The stored text of inc.state; throws for an out-of-range value, which would be unreadable.
inline std::string status_text(const std::string& name, const incident& inc) {
    std::string text(to_string(inc.state));
    if (!parse_status(text))
        throw storage_error(name + ": incident with invalid status " + std::to_string(static_cast<int>(inc.state)));
    return text;
}

// The stored text of e.kind; throws for an out-of-range value.
inline std::string kind_text(const std::string& name, const timeline_entry& e) {
    std::string kind(to_string(e.kind));
    if (!parse_entry_kind(kind))
        throw storage_error(name + ": timeline entry with invalid kind " + std::to_string(static_cast<int>(e.kind)));
    return kind;
}

inline storage_error row_error(const std::string& name, std::string_view table, std::int64_t id,
                               const std::string& what) {
    return storage_error(name + ": " + std::string(table) + " row " + std::to_string(id) + ": " + what);
}

// A stored severity and status read back: both must be ones this build knows.
inline void read_severity_and_status(const std::string& name, incident& inc, std::int64_t sev, const std::string& st) {
    if (sev < 1 || sev > 5) throw row_error(name, "incidents", inc.id, "severity " + std::to_string(sev) + " is not 1..5");
    inc.sev = static_cast<severity>(sev);
    const auto parsed = parse_status(st);
    if (!parsed) throw row_error(name, "incidents", inc.id, "unknown status '" + st + "'");
    inc.state = *parsed;
}

// A stored kind read back: one this build knows.
inline entry_kind read_kind(const std::string& name, std::int64_t seq, const std::string& kind) {
    const auto k = parse_entry_kind(kind);
    if (!k) throw row_error(name, "timeline", seq, "unknown kind '" + kind + "'");
    return *k;
}

// timeline_kinds()' query, the incident id being parameter `id` ("?1", "$1"): the smallest kind,
// then repeatedly the next larger one, each a seek in the (incident_id, kind, at, seq) index, so
// it costs about the number of kinds (SELECT DISTINCT would read every entry of the index).
inline std::string kinds_query(std::string_view id) {
    const std::string i(id);
    return "WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM timeline WHERE incident_id = " + i +
           " UNION ALL SELECT (SELECT min(kind) FROM timeline WHERE incident_id = " + i +
           " AND kind > k.kind) FROM k WHERE k.kind IS NOT NULL) SELECT kind FROM k WHERE kind IS NOT NULL";
}

// SQL true for a bookkeeping row (core/timeline.hpp k_bookkeeping: the same three), given how
// the engine reads a string of the attrs JSON: `attr_before` + attr name + `attr_after`. Reminder
// rows without the attr are not bookkeeping (coalesce: never NULL, so NOT(...) keeps them).
inline std::string bookkeeping_sql(std::string_view attr_before, std::string_view attr_after) {
    return "(kind = '" + std::string(to_string(k_bookkeeping.kind)) + "' AND coalesce(" + std::string(attr_before) +
           std::string(k_bookkeeping.attr) + std::string(attr_after) + ", '') = '" + std::string(k_bookkeeping.value) +
           "')";
}

// What append_batch() says when entries[i] failed (`why`: the engine's message).
inline std::string batch_failure(const std::string& name, std::string_view op, std::span<const timeline_entry> entries,
                                 std::size_t i, const std::string& why) {
    const auto& bad = entries[i];
    std::string what(op);
    if (entries.size() > 1)
        what += ": entry " + std::to_string(i) + " of " + std::to_string(entries.size()) + " (incident " +
                std::to_string(bad.incident_id) + ", key '" + bad.key + "'); nothing of the batch was stored";
    else
        what += " (incident " + std::to_string(bad.incident_id) + ", key '" + bad.key + "')";
    return name + ": " + what + ": " + why;
}

// timeline_of_kinds(): the entries of each kind (read kind by kind) in timeline order, messages with
// their effective tags whether the corrections were asked for or not (engine.corrections).
template <class Engine>
void order_kinds(Engine& engine, std::vector<timeline_entry>& out, std::int64_t incident_id,
                 std::span<const entry_kind> kinds) {
    std::stable_sort(out.begin(), out.end(), [](const timeline_entry& a, const timeline_entry& b) {
        return a.at != b.at ? a.at < b.at : a.seq < b.seq;
    });
    if (std::find(kinds.begin(), kinds.end(), entry_kind::message) == kinds.end()) return;
    if (std::find(kinds.begin(), kinds.end(), entry_kind::correction) != kinds.end())
        apply_corrections(out);
    else
        apply_corrections(out, engine.corrections(incident_id, {}));
}

// mark_disconnected()'s steps inside the engine's transaction: a mark already there keeps its
// watermark and takes `epoch` (engine.mark_of, engine.set_mark_epoch); a new one starts at the
// newest message-like ts (engine.newest_message_ts), else the declaration (engine.load_incident),
// and is stored (engine.insert_mark).
template <class Engine>
std::vector<backfill_mark> mark_disconnected(Engine& engine, const std::string& name,
                                             std::span<const std::int64_t> incident_ids,
                                             std::optional<time_point> lost_at, std::int64_t epoch) {
    std::vector<backfill_mark> out;
    if (incident_ids.empty()) return out;
    const time_point down_from = lost_at ? *lost_at : engine.last_received().value_or(from_unix_micros(epoch));
    for (const std::int64_t id : incident_ids) {
        if (auto mark = engine.mark_of(id)) {
            // A loss not caught up yet: its watermark still holds; this epoch clears it now.
            engine.set_mark_epoch(id, epoch);
            mark->epoch = epoch;
            out.push_back(std::move(*mark));
            continue;
        }
        backfill_mark mark{id, engine.newest_message_ts(id), down_from, epoch};
        if (mark.since_ts.empty()) {
            const auto inc = engine.load_incident(id);
            if (!inc) throw storage_error(name + ": mark_disconnected: no incident with id " + std::to_string(id));
            mark.since_ts = to_slack_ts(inc->declared_at);
        }
        engine.insert_mark(mark);
        out.push_back(std::move(mark));
    }
    return out;
}

// retag()'s steps inside the engine's transaction: each message as stored (`messages`), its tags
// re-derived and stored when they differ (engine.set_tags), corrected ones counted.
template <class Engine, class Derive>
store::retag_result retag(Engine& engine, std::int64_t incident_id, const std::vector<timeline_entry>& messages,
                          const Derive& derive) {
    store::retag_result out;
    std::unordered_set<std::string> corrected;
    for (const auto& c : engine.corrections(incident_id, {})) corrected.insert(c.ref_ts);
    for (const auto& m : messages) {
        ++out.messages;
        if (corrected.count(m.slack_ts) != 0) ++out.corrected;
        auto tags = derive(m);
        if (!tags || *tags == m.tags) continue;
        engine.set_tags(m.seq, *tags);
        ++out.changed;
    }
    return out;
}

}  // namespace ib::storage::rules
