// The JSON text of the timeline's `tags` and `attrs` columns.
//   tags:  [{"tag":"hypothesis","rule":"hedge:i think"}, …]   "[]" when empty
//   attrs: {"from":"sev3","to":"sev1", …}                     "{}" when empty
// Decoding takes a fast path for exactly these shapes (flat, string values only), which is
// what encoding produces, and falls back to a full JSON parser for anything else.
#pragma once

#include "core/timeline.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ib::storage {

// Never throws on content: invalid UTF-8 is replaced by U+FFFD.
std::string encode_tags(const std::vector<tag_hit>& tags);
std::string encode_attrs(const std::map<std::string, std::string>& attrs);

// Tags are derived data (the tagger can recompute them): elements with an unknown or missing
// tag name are skipped, a missing or non-string rule reads as "", and text that is not a JSON
// array reads as no tags.
std::vector<tag_hit> decode_tags(std::string_view json);

// nullopt when `json` is not a JSON object. Non-string values become their compact JSON text
// (5 → "5", {"a":true} → "{\"a\":true}"); for a repeated name the last value wins.
std::optional<std::map<std::string, std::string>> decode_attrs(std::string_view json);

}  // namespace ib::storage
