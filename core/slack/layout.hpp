// Laying out Slack messages within Slack's limits: Block Kit's text objects and sections, and
// fitting lists and lines of already rendered mrkdwn into a byte budget. Shared by the summary,
// the review prompt and the reminders. Sizes are in bytes, which is never less than Slack's
// count of characters, so a text within a byte limit is within Slack's.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ib::slack {

// Block Kit limits (api.slack.com/reference/block-kit).
inline constexpr std::size_t header_limit = 150;    // a header block's text
inline constexpr std::size_t section_limit = 3000;  // a section's text
inline constexpr std::size_t field_limit = 2000;    // one of a section's (at most 10) fields

// {"type": type, "text": text}: a plain_text or mrkdwn text object.
nlohmann::json text_object(std::string_view type, std::string text);
// A section block with one mrkdwn text.
nlohmann::json mrkdwn_section(std::string text);

// a - b, or 0 when b > a: budgets never wrap around.
constexpr std::size_t room(std::size_t a, std::size_t b) { return a > b ? a - b : 0; }

// Joins rendered items with `sep` within max_bytes. `total` is how many things the items stand
// for (more than items.size() when only some are rendered); when fewer are shown, the list ends
// with "…and N more" (when that fits). Items are expected to be much shorter than max_bytes.
std::string bounded_join(const std::vector<std::string>& items, std::string_view sep, std::size_t max_bytes,
                         std::size_t total);
std::string bounded_join(const std::vector<std::string>& items, std::string_view sep, std::size_t max_bytes);

// Safety net for a rendered section: whole lines only, at most max_bytes ("" when the first line
// is already too long). Cutting at a line break never splits an escape, a mention or a UTF-8
// sequence.
std::string fit_lines(std::string text, std::size_t max_bytes);

}  // namespace ib::slack
