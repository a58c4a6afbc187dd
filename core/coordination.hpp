// How the response was coordinated, read from a recorded incident's timeline: hypothesis fates
// (from ✅ / ❌ reactions), people pulled in, commander handoffs with a snapshot at each, demand
// on the commander, side threads and whether they came back, quiet stretches, and how long the
// channel took to act on what it learned. About the system of work, never a score for a person
// (L. Maguire, "Managing the Hidden Costs of Coordination", CACM 2020).
//
// One function computes it all as the plain struct `coordination`; the JSON export, the Markdown
// review draft, the summary (and any other view) render that struct. Pure: time is a parameter.
#pragma once

#include "export.hpp"
#include "time.hpp"
#include "timeline.hpp"

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ib {

// ---- Hypothesis fates ---------------------------------------------------------------------------

enum class hypothesis_fate { open, confirmed, ruled_out };
std::string_view to_string(hypothesis_fate f);  // "open", "confirmed", "ruled out"
// For a Slack post: ":white_check_mark: confirmed", ":x: ruled out", "open".
std::string fate_mrkdwn(hypothesis_fate f);

// The fate a reaction stands for: ✅ (`white_check_mark`, `heavy_check_mark`) confirmed, ❌ (`x`)
// ruled out; nullopt for any other emoji.
std::optional<hypothesis_fate> fate_of_reaction(std::string_view reaction);

struct fate_change {
    time_point at{};
    std::string by;  // who added or removed the reaction that changed it
    hypothesis_fate to = hypothesis_fate::open;
};

// A message tagged hypothesis and what became of it. Its fate follows the ✅/❌ reactions on it
// that are present (added and not removed since, per person and emoji): when both kinds are
// present, the one added last decides; when none is, it is open again.
struct hypothesis {
    std::string ts;         // the message's Slack ts
    std::string raised_by;  // user id
    time_point raised_at{};
    std::string text;       // latest edit, Slack text; "" when the message was deleted
    hypothesis_fate fate = hypothesis_fate::open;
    std::vector<fate_change> changes;  // every change of fate, in timeline order

    // The fate it had at `t` (the last change at or before t).
    hypothesis_fate fate_at(time_point t) const;
};

// The hypotheses on a timeline (message entries tagged hypothesis, once per ts), in timeline
// order, with their fates from the reaction/unreaction entries that refer to them.
std::vector<hypothesis> hypotheses_of(std::span<const timeline_entry> timeline);
// The same with the timeline's message index already built (message_history(timeline)).
std::vector<hypothesis> hypotheses_of(std::span<const timeline_entry> timeline, const message_history& history);

// ---- Coordination section -----------------------------------------------------------------------

inline constexpr std::chrono::minutes demand_window{10};    // commander demand is counted per 10 min
inline constexpr std::chrono::minutes report_back_within{10};
inline constexpr std::chrono::minutes quiet_after{10};      // a quiet stretch is longer than this

// Someone's first join after the incident was declared (never the declarer, whom the bot invites).
struct pulled_in {
    std::string user;
    time_point at{};
};

// A commander handoff (a commander assigned when there already was one) and the state of the
// incident the new commander took over.
struct handoff {
    time_point at{};
    std::string from;  // previous commander
    std::string to;    // new commander
    std::string by;    // who made the change
    std::string status;    // "investigating"…
    std::string severity;  // "sev2"…
    std::optional<time_point> last_update_at;  // last status-page update before the handoff
    std::string last_update_text;              // its Slack text ("" when none)
    std::vector<std::string> open_hypotheses;  // Slack text of those open at the handoff, in order
    std::vector<std::string> last_actions;     // the last three messages tagged action, latest first
};

// Questions to the commander in one 10-minute window (counted from the declaration).
struct demand_slot {
    time_point from{};  // start of the window
    std::size_t questions = 0;
};

// A Slack thread in the incident channel.
struct side_thread {
    std::string ts;                   // the thread's parent ts
    std::vector<std::string> people;  // who wrote in it (parent author first when recorded), once each
    std::size_t replies = 0;
    time_point last_reply{};
    // A reply was also sent to the channel, or someone in the thread posted in the channel within
    // 10 minutes after its last reply.
    bool reported_back = false;
};

struct quiet_stretch {
    time_point from{};
    time_point to{};
};

// A key moment or confirmed hypothesis: who said it, when, and how long until the channel acted
// on it (the next message tagged action, or status change, after it).
struct acted_on {
    std::string what;  // "key moment" or "hypothesis"
    std::string ts;    // the message
    std::string user;  // who said it
    time_point at{};
    std::string text;  // Slack text (latest edit), "" when not known or deleted
    std::optional<seconds> acted_after;  // nullopt: nothing acted on it (yet)
};

struct coordination {
    std::vector<pulled_in> joins;
    std::vector<handoff> handoffs;
    std::size_t commander_questions = 0;
    std::vector<demand_slot> commander_demand;  // windows with at least one question, in time order
    std::vector<side_thread> threads;           // in order of their first recorded message
    std::vector<quiet_stretch> quiet;           // in time order
    std::vector<hypothesis> hypotheses;
    std::size_t confirmed = 0;
    std::size_t ruled_out = 0;
    std::optional<seconds> first_hypothesis_to_identified;
    std::vector<acted_on> acted;  // key moments and confirmed hypotheses, in time order
};

// Computes the section for `r` as recorded up to `end` (its resolution, or now for an open
// incident): quiet stretches are looked for from the declaration to `end`. Questions to the
// commander are messages that mention whoever was commander then and contain a '?'. A recorded
// `gap` ends a quiet stretch: the time the bot was away is not counted as quiet.
coordination coordinate(const incident_record& r, time_point end);
// The same with the record's message index already built (message_history(r.timeline)).
coordination coordinate(const incident_record& r, time_point end, const message_history& history);

// Where an export (no clock) ends the record: its resolution, else its last entry, else the
// declaration.
time_point record_end(const incident_record& r);

// The section as the JSON export's `coordination` object (README: "coordination"). Names from
// `names` next to every user id.
nlohmann::ordered_json coordination_json(const coordination& c, const user_names& names);

}  // namespace ib
