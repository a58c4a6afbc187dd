// The end-of-incident summary and the review-meeting prompt: first computed as plain data from
// the recorded incident, then rendered as Slack mrkdwn text and Block Kit JSON. Pure: no I/O,
// and no clock (the caller passes `now`).
#pragma once

#include "export.hpp"
#include "metrics.hpp"
#include "participants.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ib {

// One status change, from `status`, `resolve` and `reopen` entries. from/to are status names.
struct status_change {
    std::string from;
    std::string to;
    time_point at{};
    std::string by;
};

// Messages carrying one tag: how many, and the first few as examples.
struct tagged_messages {
    std::size_t count = 0;
    std::vector<std::string> examples;  // up to 3, earliest first, one line, at most ~150 chars
};

struct status_page_update {
    time_point at{};
    std::string user;
    std::string text;
};

// The longest time customers went without news: between two consecutive status-page updates,
// or from the incident's start to the first update.
struct update_gap {
    seconds length{};
    time_point from{};        // the incident's start or the earlier update
    time_point to{};          // the later update
    bool from_start = false;  // true when `from` is the incident's start
};

struct summary_action_item {
    std::string text;
    std::string owner;  // user id, empty when unassigned
    std::string by;
    time_point at{};
};

struct summary_key_moment {
    time_point at{};
    std::string user;    // who marked it
    std::string text;    // the marked message's text (latest edit) when known
    std::string ref_ts;  // the marked message
};

struct incident_summary {
    std::int64_t id = 0;
    std::string title;
    severity sev = severity::sev3;
    status state = status::investigating;
    std::string channel_id;
    std::string channel_name;
    std::string declared_by;
    std::string commander;
    std::string comms_lead;
    time_point start{};  // detected_at, else declared_at (as in metrics)
    bool start_is_detection = false;  // start came from detected_at (else from declared_at)
    std::optional<time_point> resolved_at;
    int reopen_count = 0;

    std::vector<status_change> status_history;  // timeline order
    incident_metrics metrics;
    std::vector<participant> participants;
    tagged_messages hypotheses;                      // `message` entries tagged hypothesis
    tagged_messages commands;                        // … tagged command
    tagged_messages actions;                         // … tagged action
    std::vector<status_page_update> status_updates;  // in time order
    std::optional<update_gap> longest_update_gap;    // nullopt when there was no update
    std::vector<summary_action_item> action_items;
    std::vector<summary_key_moment> key_moments;
    std::size_t entry_count = 0;    // timeline entries
    std::size_t message_count = 0;  // `message` entries
};

// Computes the summary of a recorded incident (open or resolved). Examples and key moments use
// a message's latest edit; deleted messages still count but are never quoted as examples.
incident_summary summarize(const incident_record& r);

// Slack mrkdwn, also usable as the notification/plain-text fallback. Always at most
// max_slack_text_bytes bytes (hence at most that many characters); long lists end in "…and N more".
// User text is escaped (&, <, >); user ids become <@U…> mentions. Under the metrics, a line
// defines them: "_TTA = acknowledged − start; TTR = resolved − start; start = detected, else
// declared (here: detected 14:30)_". Participants are listed one a line with when they joined
// and first spoke (when recorded) and how many messages they wrote:
// "• <@U1> joined 14:02, first spoke 14:03, 12 messages".
inline constexpr std::size_t max_slack_text_bytes = 3000;
std::string render_summary_text(const incident_summary& s);

// Block Kit array: a header, a section of 10 metric fields (TTA and TTR with their
// definitions), a context line defining start, the sections of the text, participants as fields
// (up to 10: nine people and "…and N more" when there are more), a context block. Stays within
// Slack's limits: ≤ 50 blocks, header ≤ 150, section text ≤ 3000, ≤ 10 fields of ≤ 2000 each
// (lengths counted in bytes, which is never less than Slack's character count).
nlohmann::json render_summary_blocks(const incident_summary& s);

// ---- Post-incident review prompt ------------------------------------------------------------

struct review_prompt {
    std::int64_t incident_id = 0;
    std::string title;
    severity sev = severity::sev3;
    std::string channel_id;
    std::chrono::sys_days suggested_day{};  // next business day after `now` (UTC)
    std::vector<std::string> invitees;      // user ids: participants, then commander, comms lead, declarer
    bool strongly_recommended = false;
    std::vector<std::string> reasons;    // why it is strongly recommended; empty otherwise
    std::vector<std::string> questions;  // the guiding questions, in order
    std::string facilitator_suggestion;  // plain text
};

// Thresholds for the "strongly recommended" rules.
struct review_policy {
    severity review_at_or_above = severity::sev2;                          // this severity or worse (sev1, sev2)
    std::size_t usual_participants = 5;  // more participants than this, when there is no history
    seconds long_ttr = std::chrono::hours{1};                              // TTR over this, always
    std::vector<std::string> near_miss_phrases{"near miss", "near-miss"};  // in a note or resolve note

    // History: the earlier incidents passed to make_review_prompt that were declared within
    // history_window before this one. A history-based threshold is used only when it rests on
    // at least min_history incidents (of the same severity, for TTR); else the fixed ones above.
    seconds history_window = std::chrono::days{90};
    std::size_t min_history = 3;
    // Teams: Slack events say nothing about teams, so the rule needs a user id → team map from
    // configuration. Empty (the default): the rule never fires.
    std::map<std::string, std::string, std::less<>> team_of;
    std::size_t max_teams = 2;  // people from more teams than this took part
    // A repeat: an earlier incident in the history shares at least this many salient keywords.
    std::size_t repeat_min_shared = 2;
};

// What the rules look at.
struct review_facts {
    const incident& inc;
    const incident_metrics& metrics;
    std::span<const participant> people;
    std::span<const timeline_entry> timeline;
    // Earlier incidents within policy.history_window before inc.declared_at (not inc itself),
    // oldest first; empty when the caller passed no history.
    std::span<const incident_record* const> earlier = {};
};

// One rule: returns the reason to strongly recommend a review, or nullopt. New rules are added
// to the table returned by default_review_rules() (or passed to make_review_prompt).
struct review_rule {
    std::string_view name;  // "severity", "participants", "teams", "ttr", "near_miss", "repeat"
    std::optional<std::string> (*check)(const review_facts&, const review_policy&);
};
// In order:
//   severity     sev2 or worse (policy.review_at_or_above);
//   participants more people than the median of earlier incidents (those with a recorded
//                timeline), or than policy.usual_participants without enough history;
//   teams        people from more than policy.max_teams teams (needs policy.team_of);
//   ttr          TTR over policy.long_ttr, or above the p90 TTR of earlier incidents of the
//                same severity;
//   near_miss    a note or the resolve note calls it a near miss;
//   repeat       an earlier incident shares policy.repeat_min_shared salient_keywords(); the
//                reason names that incident and the shared keywords.
std::span<const review_rule> default_review_rules();

// Builds the prompt to hold a review once the incident is resolved. `now` is the resolution
// time; the review is suggested for the next business day. Reasons come from `rules` in order.
// Without `earlier` the rules have no history (as with an empty span).
review_prompt make_review_prompt(const incident_record& r, time_point now);
review_prompt make_review_prompt(const incident_record& r, time_point now, const review_policy& policy,
                                 std::span<const review_rule> rules);
// With history: `earlier` are other recorded incidents with their timelines (any order; those
// outside policy.history_window before r.inc.declared_at, and r itself, are ignored).
review_prompt make_review_prompt(const incident_record& r, time_point now, std::span<const incident_record> earlier,
                                 const review_policy& policy = {},
                                 std::span<const review_rule> rules = default_review_rules());

// The keywords the repeat rule compares, lower-cased, each once, in order of first appearance,
// from `message` entries tagged hypothesis, command or action (their latest edit; deleted
// messages are left out). A word is kept when it
//   - is inside a `code span` (commands run, process and service names): at least 3 characters
//     with a letter, not a flag (-9, --force), and not a generic tool or verb (sudo, kill,
//     systemctl, restart, kubectl, logs, grep, …); or
//   - elsewhere, looks like a host or service name: at least 4 characters, starts with a letter
//     and has a digit, '-', '_' or '.' inside (web-01, php-fpm, db.internal, redis6), and is not
//     a common hyphenated word (follow-up, roll-back, …) or a severity (sev2).
// Words are runs of letters, digits, '.', '-' and '_', trimmed of leading and trailing '.', '-',
// '_'.
std::vector<std::string> salient_keywords(std::span<const timeline_entry> timeline);

// The day after `d`, skipping Saturday and Sunday: Fri→Mon, Sat→Mon, Sun→Mon, Mon→Tue.
std::chrono::sys_days next_business_day(std::chrono::sys_days d);

// Slack mrkdwn (at most max_slack_text_bytes) and Block Kit (same limits as the summary blocks).
std::string render_review_text(const review_prompt& p);
nlohmann::json render_review_blocks(const review_prompt& p);

}  // namespace ib
