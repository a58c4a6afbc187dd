// Time values used throughout: UTC wall-clock instants with microsecond resolution
// (Slack's `ts` has six fractional digits). Core never reads a clock: callers pass `now`.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ib {

using time_point = std::chrono::sys_time<std::chrono::microseconds>;
using std::chrono::seconds;

// "2026-11-21T14:43:23Z": ISO-8601 UTC, truncated to whole seconds.
std::string to_iso8601(time_point t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff…]Z" (also "+00:00"); nullopt otherwise.
std::optional<time_point> parse_iso8601(std::string_view s);

// Slack message timestamps: "1355517523.000005" (seconds '.' microseconds).
// Digits only, at most 6 fractional digits; nullopt for anything else.
std::optional<time_point> parse_slack_ts(std::string_view ts);
// Inverse of parse_slack_ts: always six fractional digits.
std::string to_slack_ts(time_point t);

// Durations written by users: "90s", "15m", "1h", "1h30m", "2d"; whole positive amounts only.
std::optional<seconds> parse_duration(std::string_view s);
// Compact human form: "45s", "4m 10s", "1h 05m", "2d 3h". Negative values are shown with '-'.
std::string format_duration(seconds d);

// Seconds since the Unix epoch, for storage and arithmetic.
inline std::int64_t to_unix_micros(time_point t) { return t.time_since_epoch().count(); }
inline time_point from_unix_micros(std::int64_t us) { return time_point{std::chrono::microseconds{us}}; }
inline time_point from_unix_seconds(std::int64_t s) { return time_point{std::chrono::seconds{s}}; }

}  // namespace ib
