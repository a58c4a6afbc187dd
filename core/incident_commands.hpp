// What the bot does for each `/incident` subcommand, as pure planning: given the parsed command,
// the incident of the channel it was typed in and the time, produce the changed incident, the
// timeline entry, the short reply to the person who typed it and the announcement everyone in
// the incident channel sees. The bot's transport only executes the plan (store, ack, post).
#pragma once

#include "commands.hpp"
#include "incident.hpp"
#include "result.hpp"
#include "timeline.hpp"

#include <span>
#include <string>
#include <string_view>

namespace ib {

struct planned_change {
    incident updated;           // the incident after the change (store it with `entry`)
    timeline_entry entry;       // what goes on the timeline
    std::string reply;          // ephemeral reply to the person who typed the command
    std::string announcement;   // posted in the incident channel (Slack mrkdwn)
    bool resolved = false;      // the change resolved the incident: post the summary and review prompt
};

// True for commands that act on the incident of the current channel (ack, sev, status, …);
// false for start, list, stats, help, which work anywhere, and summary/snooze/catchup, which need an
// incident but change nothing on it.
bool changes_incident(const command& c);
// True for commands that must be typed in an incident channel.
bool needs_incident(const command& c);

// Plans a change-type command (changes_incident(c) must be true). Errors are the lifecycle's
// (already acknowledged, resolved, out of order…), phrased for Slack.
result<planned_change> plan_change(const command& c, const incident& inc, std::string_view user, time_point now);

// The reply when an incident command is used outside an incident channel.
std::string not_an_incident_channel_reply();

// Posted in a newly created incident channel, and its topic (≤ 250 characters, no formatting).
std::string declare_announcement(const incident& inc);
std::string channel_topic(const incident& inc);
// The reply to the declarer: a link to the new channel.
std::string declared_reply(const incident& inc);

// `/incident list`: open incidents with their channel, severity, status and age at `now`, the
// most severe first (then the oldest). However many are open, the reply stays within
// max_list_chars (Slack advises keeping a message's text under 4,000 characters): the
// incidents that do not fit are counted in a last line instead.
inline constexpr std::size_t max_list_chars = 3500;
std::string render_incident_list(std::span<const incident> open, time_point now);

// `/incident stats`: median, p90 and mean TTA and TTR by severity over the last 30 and 90 days
// (Slack mrkdwn, fixed-width table). Same as render_stats(incidents, now, {30, 90}, slack).
std::string render_stats(std::span<const incident> incidents, time_point now);

// How render_stats lays out its tables.
enum class stats_format {
    slack,  // mrkdwn: "*Last 30 days*", each table in a code block, the definitions in italics
    plain,  // plain text for a terminal: "Last 30 days:", the bare table, a blank line after each
};
// One fixed-width table per window, in the given order: severities with incidents declared in
// [now − N days, now] (sev1..sev5, count, TTA and TTR median, p90 and mean; "n/a" when no
// incident of that severity has the metric), or "no incidents." for an empty window, with a
// line "Includes N private incidents." when some of them are private; then a line with the
// definitions of TTA and TTR. Window lengths must be positive. Pure: `now` comes
// from the caller.
std::string render_stats(std::span<const incident> incidents, time_point now, std::span<const int> window_days,
                         stats_format format);

}  // namespace ib
