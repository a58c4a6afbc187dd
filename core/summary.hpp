// The end-of-incident summary: first computed as plain data from the recorded incident, then
// rendered as Slack mrkdwn text and Block Kit JSON. Pure: no I/O, no clock. On resolve the bot
// posts it and, right after, the review prompt (review_prompt.hpp, included here).
#pragma once

#include "coordination.hpp"
#include "export.hpp"
#include "metrics.hpp"
#include "participants.hpp"
#include "review_prompt.hpp"  // posted right after the summary: its callers use both

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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
    std::vector<std::string> examples;  // up to 3, earliest first: Slack text quoted (quote_slack),
                                        // one line, at most ~150 chars
};

struct status_page_update {
    time_point at{};
    std::string user;
    std::string text;  // Slack text, as stored
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
    std::string text;   // Slack text, as stored
    std::string owner;  // user id, empty when unassigned
    std::string by;
    time_point at{};
};

struct summary_key_moment {
    time_point at{};
    std::string user;    // who marked it
    std::string text;    // the marked message's text (latest edit) when known: Slack text, quoted
    std::string ref_ts;  // the marked message
};

// A stretch when the bot was not connected to Slack (a `gap` entry): what was said meanwhile was
// recovered from the channel's history, or could not be (error).
struct recording_gap {
    time_point from{};
    time_point to{};
    std::size_t recovered = 0;  // entries recovered from Slack's history
    std::string error;          // why the history could not be read ("" when it was)
};

// A hypothesis as the summary lists it: who raised it, when, and its fate (coordination.hpp).
struct summary_hypothesis {
    time_point at{};
    std::string user;
    std::string text;  // Slack text quoted (quote_slack), ~150 chars; "" for a deleted message
    hypothesis_fate fate = hypothesis_fate::open;
};

struct incident_summary {
    std::int64_t id = 0;
    std::string title;  // Slack text
    user_names names;   // the record's names (users.info's): plain-text blocks read "@name", not <@U…>
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
    std::vector<summary_hypothesis> hypothesis_fates;  // each hypothesis (once per message), listed
                                                       // in the text instead of the examples
    tagged_messages commands;                        // … tagged command
    tagged_messages actions;                         // … tagged action
    std::vector<status_page_update> status_updates;  // in time order
    std::optional<update_gap> longest_update_gap;    // nullopt when there was no update
    std::vector<summary_action_item> action_items;
    std::vector<summary_key_moment> key_moments;
    std::vector<recording_gap> gaps;  // in time order
    coordination coord;               // up to the resolution, else the last entry (record_end)
    std::size_t entry_count = 0;    // timeline entries
    std::size_t message_count = 0;  // `message` entries
};

// Computes the summary of a recorded incident (open or resolved). Examples and key moments use
// a message's latest edit; deleted messages still count but are never quoted as examples.
incident_summary summarize(const incident_record& r);

// Slack mrkdwn, also usable as the notification/plain-text fallback. Always at most
// max_slack_text_bytes bytes (hence at most that many characters); long lists end in "…and N more".
// Stored text is Slack text, quoted as Slack sent it (quote_slack: never escaped twice, and a
// quoted broadcast notifies nobody); user ids become <@U…> mentions. Under the metrics, a line
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

}  // namespace ib
