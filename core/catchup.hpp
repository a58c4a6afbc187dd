// The catch-up for someone who joins an incident late (issue 17): what they need to be brought up
// to speed, visible to them only (chat.postEphemeral), and the same on `/incident catchup`. Pure:
// computed from the recorded incident with `now` as a parameter; rendered within Slack's limits
// however long the incident.
#pragma once

#include "export.hpp"
#include "time.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ib {

// `run --catchup-after`: how long an incident channel must have been open before a joiner gets a
// catch-up (default 5 minutes); nullopt ("off") disables it.
inline constexpr std::chrono::minutes default_catchup_after{5};
// "5m", "90s", "1h" (parse_duration), or "off" (after = nullopt). nullopt when `s` is neither.
struct catchup_setting {
    std::optional<seconds> after;  // nullopt: off
};
std::optional<catchup_setting> parse_catchup_after(std::string_view s);

// Whether someone who joined at `joined_at` gets a catch-up: the incident is open and had been
// for at least `after` (an `off` setting never gives one). Bots, joins recovered from history and
// people who already had one are the caller's to leave out.
bool catchup_due(const incident& inc, time_point joined_at, const catchup_setting& setting);

// The timeline entry that records a catch-up given to `user`: kind `catchup` (attrs: for = user),
// keyed "catchup:<incident>:<user>" so the store keeps one per
// person per incident (a second append is a duplicate).
timeline_entry catchup_entry(std::int64_t incident_id, std::string_view user, time_point now);

struct catchup_message {
    std::string text;     // mrkdwn, at most 3,000 bytes (the fallback text, and a slash command's reply)
    nlohmann::json blocks;  // sections within Block Kit's limits (≤ 50 blocks, ≤ 3,000 bytes each)
};

// How long the incident has been open; severity and status and when each last changed; commander
// and comms lead; the last status-page update and its age; hypotheses so far with their fate;
// actions taken and commands run (latest first, three each); action items (latest first).
catchup_message render_catchup(const incident_record& r, time_point now);

}  // namespace ib
