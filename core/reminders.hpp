// Status-page reminders: while an incident is open, remind its channel when nobody has recorded a
// status-page update for the cadence of its severity, and keep reminding (one cadence after each
// reminder) until someone does.
//
// Pure: no I/O and no clock. Everything the schedule depends on is stored on the timeline, so a
// restarted bot re-derives it (derive_reminder_state) instead of remembering timers:
//  - a status-page update is an entry of kind `statuspage` (text: what was published);
//  - a posted reminder is kind `reminder` with attrs type=posted (an entry without a type counts
//    as posted: that is what the kind meant before snoozes existed); one the bot claimed
//    (reminder_to_claim) also names its claim, attempt and owner, and is followed by its mark
//    (type=mark) once its post's outcome is known; a claim without its mark older than the lease
//    is taken over by another instance (claim_lease): the takeover is bookkeeping (type=mark,
//    outcome=taken_over, naming the claim, attempt and owner), so a reminder posted once shows
//    once on the timeline, as its first claim;
//  - a snooze is kind `reminder` with attrs type=snooze, until=<ISO-8601 UTC>.
// The bot keeps a reminder_scheduler, sleeps on a real timer until next_wakeup(), then asks
// due(now), posts render_reminder() for each id and stores make_reminder_entry(), feeding the
// stored entry back through on_entry().
#pragma once

#include "incident.hpp"
#include "result.hpp"
#include "time.hpp"
#include "timeline.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ib {

// ---- Policy ---------------------------------------------------------------------------------

// How long an open incident may go without a status-page update, per severity (index 0 = sev1).
// nullopt: no reminders for that severity.
struct reminder_policy {
    std::array<std::optional<seconds>, 5> cadence{};

    // sev1 15 min, sev2 30 min, sev3 60 min, sev4 and sev5 none.
    static reminder_policy defaults();
    // The same cadence for every severity (`--status-reminder`); a non-positive `every` turns
    // reminders off everywhere.
    static reminder_policy uniform(seconds every);
    // The cadence for `s`, or nullopt when `s` gets no reminders.
    std::optional<seconds> for_severity(severity s) const;

    bool operator==(const reminder_policy&) const = default;
};

// Parses a config value such as "sev1=15m,sev2=30m,sev3=1h,sev4=off". Items are separated by
// commas (spaces around items, keys and values are ignored); keys are anything parse_severity
// accepts ("sev1", "SEV2", "s3", "4"); values are durations parse_duration accepts (any case) or
// "off"/"none". Severities not mentioned keep the defaults; an empty string gives the defaults.
// Errors (errc::invalid_argument, a sentence naming the bad item): an item without '=', an
// unknown severity, a severity given twice, a value that is neither a positive duration nor off.
result<reminder_policy> parse_reminder_policy(std::string_view text);

// ---- State derived from the timeline -----------------------------------------------------------

// Longest stored quote of the last update (bytes, UTF-8 safe): enough to quote it in a reminder,
// small enough that 1,000 tracked incidents stay cheap.
inline constexpr std::size_t max_stored_update_bytes = 512;

// A claimed reminder (reminder_to_claim) whose mark is not stored yet: its instance is posting
// it, or died before it could mark it.
struct reminder_claim {
    std::string key;    // the claim entry's key
    std::string due;    // the reminder it claims: "reminder:<incident id>:due:<due in unix µs>"
    int attempt = 0;    // 0: the first claim; n: the n-th takeover
    std::string owner;  // the instance that claimed it (claim_lease::owner)
    time_point at{};    // when it was claimed

    bool operator==(const reminder_claim&) const = default;
};

// What the reminder schedule of one incident depends on, folded from its timeline.
struct reminder_state {
    std::optional<time_point> last_update;  // latest `statuspage` entry
    std::string last_update_text;           // its text (Slack text), cut to max_stored_update_bytes
    std::string last_update_by;             // its user id (may be empty)
    std::optional<time_point> last_reminder;  // latest posted reminder
    std::optional<time_point> snoozed_until;  // from the latest snooze (may be in the past)
    std::optional<reminder_claim> unmarked;   // the latest claim, unless its mark is stored

    bool operator==(const reminder_state&) const = default;
};

// Folds one timeline entry into `st`. Entries must come in timeline order (at, then seq).
// `statuspage` sets the last update unless it is older than the one already held; a posted
// reminder moves last_reminder forward (never back), and one that names a claim becomes
// `unmarked` (the latest claim wins: a takeover, type=mark outcome=taken_over, moves
// last_reminder too and supersedes the claim it took over; a newer
// reminder that names none, one noted in memory before it is claimed, clears it); a mark clears
// `unmarked` when it marks that claim (a late mark of a superseded claim changes nothing); a
// snooze sets snoozed_until (the latest snooze wins, so a shorter snooze can cut a longer one
// short; a snooze with an unreadable `until` is ignored). Every other kind, and reminder entries of an unknown type, are ignored.
void apply(reminder_state& st, const timeline_entry& e);

// The kinds apply() reads: an incident's entries of these kinds are all a schedule needs.
inline constexpr entry_kind k_reminder_schedule_kinds[] = {entry_kind::statuspage, entry_kind::reminder};

// apply() over `entries` (an incident's timeline, or just its entries of k_reminder_schedule_kinds,
// in timeline order) starting from an empty state.
reminder_state derive_reminder_state(std::span<const timeline_entry> entries);

// How long a claimed reminder may go without its mark before another instance takes it over
// (`run --claim-lease`), and who this instance is. An instance never takes over its own claims:
// while it runs it marks each once its post's outcome is known (a restarted process is another
// owner: it takes over what it claimed before it died, after the lease like anyone).
inline constexpr seconds default_claim_lease{60};
struct claim_lease {
    seconds length = default_claim_lease;
    std::string owner;  // this instance's id (unique per process: host, pid, a random part)

    bool operator==(const claim_lease&) const = default;
};

// When the next reminder is due: nullopt when the incident is resolved or its severity has no
// cadence; otherwise max(last update, or the incident's start when there was none; last
// reminder) + cadence, but never before snoozed_until; or earlier, when another owner's claim is
// unmarked, the end of its lease (when it is taken over). The result may be in the past (overdue).
std::optional<time_point> next_reminder_due(const incident& inc, const reminder_state& st,
                                            const reminder_policy& policy, const claim_lease& lease = {});

// ---- Scheduler ------------------------------------------------------------------------------

// The ids of `hits` (due time, incident id), earliest due first, then by id: what a schedule's
// due(now) answers (this one's, and core/summary_lease.hpp's).
std::vector<std::int64_t> earliest_first(std::vector<std::pair<time_point, std::int64_t>> hits);

// The reminder schedule of many incidents, by incident id. Pure and clock-free: the owner sleeps
// until next_wakeup() and then calls due(now).
//
// Storage: a flat vector sorted by incident id (binary search by id; a record holds the
// incident's id, start, severity, open flag, the reminder_state and the cached due time: about
// 150 bytes plus the clipped quote). next_wakeup() and due() scan it: O(n) over contiguous
// memory, a few microseconds for 1,000 incidents, and no second index to keep in step or pay
// memory for. track()/forget() are O(n) moves, rare next to lookups. Not thread-safe.
class reminder_scheduler {
public:
    // Schedules with `policy` (defaults() unless configured); claims of owners other than
    // lease.owner left unmarked fall due when their lease ends (next_reminder_due).
    explicit reminder_scheduler(reminder_policy policy = reminder_policy::defaults(), claim_lease lease = {});

    // Starts (or restarts, replacing what was held) tracking `inc` with `st`, e.g. the state
    // derived from its stored timeline at start-up. A resolved incident is held but not due.
    void track(const incident& inc, reminder_state st);
    // The incident's severity, status or start changed: re-plans its reminder (a severity change
    // moves the due time, resolving stops reminders, reopening resumes them from the stored
    // state). Ignored for an id that is not tracked: track() it with its derived state instead.
    void on_incident_changed(const incident& inc);
    // A timeline entry was stored for incident `incident_id`: statuspage and reminder entries
    // update its state and due time; other kinds and untracked ids are ignored (cheaply).
    void on_entry(std::int64_t incident_id, const timeline_entry& e);
    // Stops tracking `id` (e.g. long after it resolved). No-op for an unknown id.
    void forget(std::int64_t id);

    // The earliest due time over all tracked incidents (possibly in the past), or nullopt when
    // nothing is due ever (none tracked, all resolved or without a cadence).
    std::optional<time_point> next_wakeup() const;
    // Ids whose reminder is due at `now` (due time <= now), earliest due first, then by id.
    // Const: an id stays due until a posted reminder, an update or a snooze reaches on_entry().
    std::vector<std::int64_t> due(time_point now) const;
    // The due time of one incident; nullopt when untracked or not due ever.
    std::optional<time_point> due_at(std::int64_t id) const;

    // The state held for `id`, or nullptr when it is not tracked. Invalidated by track()/forget().
    const reminder_state* state(std::int64_t id) const;
    // How many incidents are tracked (resolved ones included until forgotten).
    std::size_t size() const;
    const reminder_policy& policy() const { return policy_; }
    const claim_lease& lease() const { return lease_; }

private:
    struct record {
        std::int64_t id = 0;
        time_point start{};
        std::optional<time_point> due;
        reminder_state st;
        severity sev = severity::sev3;
        bool open = true;
    };
    record* find(std::int64_t id);
    const record* find(std::int64_t id) const;
    void replan(record& r) const;

    reminder_policy policy_;
    claim_lease lease_;
    std::vector<record> records_;  // sorted by id
};

// ---- Messages and entries ---------------------------------------------------------------------

// Slack limits the reminder stays within (bytes, never fewer than Slack's characters).
inline constexpr std::size_t max_reminder_text_bytes = 3000;  // message text and section text
inline constexpr std::size_t max_button_value_bytes = 2000;   // a button's value

inline constexpr std::string_view post_update_action_id = "statuspage_post";
inline constexpr std::string_view snooze_action_id = "reminder_snooze";
inline constexpr std::string_view snooze_button_value = "15m";

// A suggested status-page update (Slack text like a typed one, one line, at most
// max_button_value_bytes: the "Post update" button records it as `/incident statuspage` would) from the
// incident's current status:
//   investigating "We are investigating <title>. Next update within <cadence>."
//                 (the sentence about the next update only when the severity has a cadence)
//   identified    "We have identified the cause of <title> and are working on a fix."
//   monitoring    "A fix for <title> has been applied and we are monitoring the results."
//   resolved      "<title> has been resolved."
std::string draft_status_update(const incident& inc, const reminder_policy& policy = reminder_policy::defaults());

struct reminder_message {
    std::string text;      // Slack mrkdwn, also the notification fallback (≤ max_reminder_text_bytes)
    nlohmann::json blocks;  // Block Kit array
};

// The reminder for `inc` at `now`. Mentions the comms lead, else the commander, else the
// declarer (nobody when all are empty); says how long since the last update, quoting it with its
// time ("No status-page update for 32m 10s (last: “…”, 14:05 UTC)"), or since the start when
// there was none; and offers draft_status_update(). Blocks: a section with that text, a section
// with the draft, and an actions block with the buttons "Post update" (action_id
// post_update_action_id, value: the draft) and "Snooze 15 min" (snooze_action_id, value "15m").
// User text is escaped (&, <, >) and kept to one line; generated mentions are not.
reminder_message render_reminder(const incident& inc, const reminder_state& st, time_point now,
                                 const reminder_policy& policy = reminder_policy::defaults());

// The entry recording that a reminder was posted at `now`: kind reminder, attrs type=posted,
// user empty (the bot), key "reminder:<incident id>:<now in unix µs>" so a retried store is
// deduplicated.
timeline_entry make_reminder_entry(const incident& inc, time_point now);

// The reminder to claim for `inc` at `now` (engineering.md §3.9: claims, not leaders), decided
// from the incident and its statuspage and reminder entries as stored, in timeline order (read
// under the incident's row lock, so every instance decides on the same data): nullopt when none
// is due at `now`. Else make_reminder_entry(inc, now) with attrs claim (the reminder
// claimed), attempt and owner (lease.owner), keyed so that of the instances deciding alike one
// stores it, and posts it:
//  - another owner's claim unmarked past its lease (that instance died before marking it, or is
//    stuck): taken over, the same claim with attempt + 1, key "<claim>:<attempt>", stored as
//    bookkeeping (make_reminder_mark of the claim it supersedes, outcome taken_over: no output a
//    reviewer reads shows it, so the reminder shows once, as the claim taken over);
//  - else, when the cadence's due time has come: a new reminder, claim
//    "reminder:<incident id>:due:<due in unix µs>", attempt 0, key the claim (an unmarked claim
//    within its lease is an earlier reminder: a cadence shorter than the lease does not wait).
// Resolved, or no cadence: nullopt.
std::optional<timeline_entry> reminder_to_claim(const incident& inc, std::span<const timeline_entry> entries,
                                                time_point now, const reminder_policy& policy,
                                                const claim_lease& lease = {});

// The mark stored once the post of the reminder claimed by `claim` (an entry reminder_to_claim
// made) has an outcome, at `now`: kind reminder, attrs type=mark, of = claim.key, outcome
// ("posted", "failed": Slack refused it, "in_doubt": a restart left the post in doubt, not made
// again); key "<claim.key>:mark". A marked claim is never taken over. The mark is bookkeeping
// (timeline.hpp is_bookkeeping): no output a reviewer reads shows it.
timeline_entry make_reminder_mark(const timeline_entry& claim, time_point now, std::string_view outcome);

// The outcome a takeover carries (bookkeeping like a mark, but a claim: of a reminder, here, or of
// a resolve's summary, core/summary_lease.hpp).
inline constexpr std::string_view k_taken_over = "taken_over";

inline constexpr seconds max_snooze = std::chrono::hours{24};

// The entry for "snooze reminders for `duration`", asked by `by` at `now`: kind reminder, attrs
// type=snooze and until = now + duration (rounded up to a whole second, ISO-8601). Errors:
// not_allowed for a resolved incident; invalid_argument for a duration that is not positive or
// longer than max_snooze. Messages are Slack mrkdwn, ready for the person who asked.
result<timeline_entry> make_snooze_entry(const incident& inc, seconds duration, std::string_view by,
                                         time_point now);

}  // namespace ib
