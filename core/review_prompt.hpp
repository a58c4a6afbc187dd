// The post-incident review prompt, posted right after the summary when an incident is resolved:
// when to hold the review, whom to invite, who should facilitate, which questions to ask, and
// whether (and why) a review is strongly recommended, decided by a table of rules. Computed as
// plain data, then rendered as Slack mrkdwn and Block Kit. Pure: the caller passes `now`.
#pragma once

#include "export.hpp"
#include "keywords.hpp"
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

struct review_prompt {
    std::int64_t incident_id = 0;
    std::string title;  // Slack text
    user_names names;   // the record's names (users.info's): plain-text blocks read "@name", not <@U…>
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

// The day after `d`, skipping Saturday and Sunday: Fri→Mon, Sat→Mon, Sun→Mon, Mon→Tue.
std::chrono::sys_days next_business_day(std::chrono::sys_days d);

// Slack mrkdwn (at most max_slack_text_bytes, summary.hpp) and Block Kit (the same limits as the
// summary blocks).
std::string render_review_text(const review_prompt& p);
nlohmann::json render_review_blocks(const review_prompt& p);

}  // namespace ib
