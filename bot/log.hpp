// Logging to stderr, one line per record, in one of two formats:
//   text: "2026-11-21T14:43:23Z info  socket: connected (attempt 1) incident=12 channel=C0123"
//   json: {"time":"2026-11-21T14:43:23.412Z","level":"info","component":"socket","msg":"connected",
//          "incident":"12","channel":"C0123"}   (one object per line, for journald/Loki/jq)
// Every part of a record (component, message, each field's key and value) passes through
// redact(), so a Slack token that slips into a message (an error echoed by a server, a URL)
// is never written out, in either format.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace ib::bot {

enum class log_level { debug, info, warn, error };
enum class log_format { text, json };

void set_log_level(log_level level);
bool log_enabled(log_level level);
void set_log_format(log_format format);
log_format current_log_format();

// A structured field of a record. The keys in use (keep to these, so queries stay simple):
// incident (incident id), channel (Slack channel id), envelope (Socket Mode envelope id),
// method (Web API method), error (Slack's error code or a transport description), reason.
struct log_field {
    std::string_view key;
    std::string_view value;
};
using log_fields = std::initializer_list<log_field>;

void log(log_level level, std::string_view component, std::string_view message, log_fields fields = {});
// The same, with fields gathered at run time (e.g. from what a flow's effect concerned).
void log_with_fields(log_level level, std::string_view component, std::string_view message,
                     std::span<const log_field> fields);

inline void log_debug(std::string_view c, std::string_view m, log_fields f = {}) { log(log_level::debug, c, m, f); }
inline void log_info(std::string_view c, std::string_view m, log_fields f = {}) { log(log_level::info, c, m, f); }
inline void log_warn(std::string_view c, std::string_view m, log_fields f = {}) { log(log_level::warn, c, m, f); }
inline void log_error(std::string_view c, std::string_view m, log_fields f = {}) { log(log_level::error, c, m, f); }

// Replaces every Slack token in `text` with "<prefix>***" ("xoxb-***"), and control characters
// with '?', so a line stays one line. A token is any of Slack's prefixes (xoxa-, xoxb-, xoxc-,
// xoxd-, xoxe-, xoxp-, xoxr-, xoxs-, xapp-) in any case, wherever it starts (inside a word, after
// "Bearer%20", in a URL), with the letters, digits and '-' that follow it; and any secret given
// to add_secret(), verbatim, whatever it looks like.
std::string redact(std::string_view text);

// The record as the line log() writes (without the trailing newline), for tests.
// `time` is the timestamp text to use.
std::string format_record(log_format format, std::string_view time, log_level level, std::string_view component,
                          std::string_view message, std::span<const log_field> fields);
inline std::string format_record(log_format format, std::string_view time, log_level level,
                                 std::string_view component, std::string_view message, log_fields fields) {
    return format_record(format, time, level, component, message, std::span<const log_field>(fields.begin(), fields.size()));
}

// Also redact `secret` (a configured token) wherever it appears, as "<redacted>". Thread-safe;
// secrets shorter than 8 characters are ignored (they would blank ordinary words).
void add_secret(std::string_view secret);

}  // namespace ib::bot
