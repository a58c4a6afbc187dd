// The summary and review prompt posted on resolve, leased like a reminder's post (issue 15;
// core/reminders.hpp claim_lease). Decided as plain data from the incident's `resolve` and
// `reminder` entries as stored, read under its row lock:
//  - the resolve entry names the instance that stored it (attrs owner), which runs the summary
//    flow and, once its posts have an outcome, stores a summary mark (make_summary_mark);
//  - another instance that finds the latest resolve unmarked past the lease takes it over
//    (summary_to_claim): it stores a takeover naming itself, and runs the summary flow;
//  - marks and takeovers are bookkeeping (core/timeline.hpp is_bookkeeping: kind reminder,
//    type=mark), so no output a reviewer reads shows them.
// The bot keeps a summary_scheduler beside the reminder schedule: it wakes when a lease ends,
// claims the takeover under the incident's row lock (storage's claim) and, when its claim is the
// one stored, runs the summary flow (core/flows/post_summary.hpp), which marks it.
#pragma once

#include "core/incident.hpp"
#include "core/reminders.hpp"
#include "core/timeline.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace ib {

// The kinds summary_to_claim reads.
inline constexpr entry_kind k_summary_lease_kinds[] = {entry_kind::resolve, entry_kind::reminder};

// Who holds the summary of an incident's latest resolve, folded from its timeline.
struct summary_lease_state {
    std::string resolve_key;  // the latest resolve entry's key ("" when never resolved)
    std::string owner;        // the holder: the resolve's owner, or the latest takeover's
    time_point since{};       // when it took hold
    int attempts = 0;         // takeovers of this incident's summaries so far (any resolve)
    bool marked = false;      // the latest resolve's summary has its mark

    bool operator==(const summary_lease_state&) const = default;
};

// Folds `entries` (any kinds, in timeline order). A resolve entry starts a new lease held by its
// owner (a resolve without owner, stored by an older build, is never taken over: marked); a
// takeover (type=mark, outcome=taken_over) of that resolve moves the hold to its owner; a mark
// of it with any other outcome closes it. Marks of an earlier resolve change nothing.
summary_lease_state derive_summary_lease(std::span<const timeline_entry> entries);

// When another instance should take the summary over: nullopt when `inc` is open, the lease is
// marked, or this instance (lease.owner) holds it; else since + lease.length, or `since` itself
// (at once) when `exclusive`: the database is this process's alone (SQLite, where one run holds
// the file), so any other holder is an earlier process that is gone, not one still posting.
std::optional<time_point> summary_due(const incident& inc, const summary_lease_state& st, const claim_lease& lease,
                                      bool exclusive = false);

// The takeover to store at `now` when summary_due() has come: kind reminder, type=mark,
// outcome=taken_over, of = the resolve's key, owner = lease.owner, attempt n (1-based, counting
// every takeover of the incident), key "summary:<incident id>:<n>" (unique: of the instances
// deciding alike one stores it, and runs the summary flow). nullopt when not due. `exclusive`
// as for summary_due.
std::optional<timeline_entry> summary_to_claim(const incident& inc, std::span<const timeline_entry> entries,
                                               time_point now, const claim_lease& lease, bool exclusive = false);

// The mark the instance that ran the summary flow stores once its posts have an outcome
// ("posted", "failed", "in_doubt"): kind reminder, type=mark, of = `resolve_key`, key
// "<resolve_key>:summary-mark:<owner>" (one per holder). Never taken over once stored.
timeline_entry make_summary_mark(std::int64_t incident_id, const std::string& resolve_key, const std::string& owner,
                                 time_point now, std::string_view outcome);

// Names `owner` (claim_lease::owner) as the holder of a resolve entry's summary (attrs owner),
// before the entry is stored. Entries of other kinds are left as they are.
void stamp_owner(timeline_entry& e, std::string_view owner);

// How far back a starting instance looks for resolves whose summary is left unmarked: incidents
// resolved longer ago are not read at start-up (a bounded start whatever the database holds).
inline constexpr std::chrono::hours summary_lease_horizon{24};

// The resolved incidents whose summary another instance holds unmarked, by when this instance
// takes it over (summary_due). Pure and clock-free, like reminder_scheduler: the owner sleeps
// until next_wakeup(), then claims each of due(now). A flat vector sorted by id: only incidents
// with a pending takeover are held (a few at a time). Not thread-safe.
class summary_scheduler {
public:
    explicit summary_scheduler(claim_lease lease = {});

    // The database is this process's alone (SQLite): what earlier processes left unmarked is due
    // at once (summary_due's `exclusive`). Off by default (PostgreSQL: wait for the lease). Set
    // before the first track().
    void exclusive_database(bool on) { exclusive_ = on; }
    bool exclusive() const { return exclusive_; }

    // Plans `inc` from its entries of k_summary_lease_kinds (more kinds are ignored; timeline
    // order), e.g. as read under its row lock: held while summary_due() gives a time, dropped
    // otherwise (open, marked, never resolved, or held by this instance).
    void track(const incident& inc, std::span<const timeline_entry> entries);
    // A takeover of `id` could not be stored: try again at `at` (no-op for an id not held).
    void postpone(std::int64_t id, time_point at);
    // Stops holding `id`. No-op for an unknown id.
    void forget(std::int64_t id);

    // The earliest takeover time held (possibly in the past), or nullopt when none is held.
    std::optional<time_point> next_wakeup() const;
    // Ids whose takeover time is <= now, earliest first, then by id. Const: an id stays due until
    // track() sees its takeover or mark, or postpone() moves it.
    std::vector<std::int64_t> due(time_point now) const;
    // The takeover time of `id`; nullopt when not held.
    std::optional<time_point> due_at(std::int64_t id) const;
    std::size_t size() const { return due_.size(); }
    const claim_lease& lease() const { return lease_; }

private:
    claim_lease lease_;
    bool exclusive_ = false;
    std::vector<std::pair<std::int64_t, time_point>> due_;  // (incident id, takeover time), by id
};

}  // namespace ib
