// One-line logging to stderr: "2026-11-21T14:43:23Z info  socket: connected (attempt 1)".
// Every line passes through redact(), so a Slack token that slips into a message (an error
// echoed by a server, a URL) is never written out.
#pragma once

#include <string>
#include <string_view>

namespace ib::bot {

enum class log_level { debug, info, warn, error };

void set_log_level(log_level level);
bool log_enabled(log_level level);
void log(log_level level, std::string_view component, std::string_view message);

inline void log_debug(std::string_view c, std::string_view m) { log(log_level::debug, c, m); }
inline void log_info(std::string_view c, std::string_view m) { log(log_level::info, c, m); }
inline void log_warn(std::string_view c, std::string_view m) { log(log_level::warn, c, m); }
inline void log_error(std::string_view c, std::string_view m) { log(log_level::error, c, m); }

// Replaces anything that looks like a Slack token (xapp-…, xoxb-…, xoxp-…, xoxe-…, xoxa-…,
// xoxr-…) with "xoxb-***" style placeholders, and control characters with '?', so a line
// stays one line.
std::string redact(std::string_view text);

}  // namespace ib::bot
