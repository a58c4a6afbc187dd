// A fast path for parsing Socket Mode frames: one pass over the text that validates all of it
// but builds DOM nodes only for the members a frame parser reads.
//
// Profiling a burst showed nlohmann's parse of a message envelope (about 1 KB, most of it the
// `blocks` rich-text tree and `authorizations`) taking 12 us, a third of the bot's CPU per
// event: 7.5 us in its character-at-a-time lexer, the rest in allocating nodes nobody reads.
//
// The contract is conservative: parse_pruned() returns a value only when it is sure nlohmann's
// parse of the same text would succeed and give the same DOM once every member named in
// `skip` is removed (at any depth). On anything it cannot vouch for (a syntax error, invalid
// UTF-8, a floating-point or out-of-range number it would keep, a byte-order mark, nesting
// deeper than `max_depth`) it returns nullopt and the caller parses with nlohmann, which then
// gives either the value or the exact error message. A differential test and a fuzz target
// hold it to that.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace ib::slack {

std::optional<nlohmann::json> parse_pruned(std::string_view text, std::span<const std::string_view> skip,
                                           int max_depth);

}  // namespace ib::slack
