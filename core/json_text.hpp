// JSON text by hand, where building an nlohmann tree per value would dominate the cost: writing
// string literals (every stored event, every ack, every exported entry) with output identical
// to nlohmann's, and reading them for the two hand-written parsers (the pruned Socket Mode frame
// parser in core/slack/pruned_json and the flat tags/attrs columns in storage/json_columns).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ib {

// Appends `v` as a JSON string literal, byte for byte what nlohmann's dump() writes for it
// (same escapes; invalid UTF-8 replaced by U+FFFD). Plain ASCII is copied straight through.
void append_json_string(std::string& out, std::string_view v);

// What read_json_string() does with raw bytes that are not well-formed UTF-8 (core/text.hpp).
enum class json_utf8 {
    reject,  // the literal is invalid, as RFC 8259 and nlohmann say
    keep,    // copied through as they are
};

// Reads the JSON string literal whose opening quote is at text[i - 1]: on success `i` is just
// past the closing quote and the decoded text (escapes resolved, \u surrogate pairs joined into
// UTF-8) was appended to *out, when out is not null. Returns false, with `i` somewhere inside,
// on anything nlohmann's parser rejects in a string: a raw control character, an unknown escape,
// a \u escape that is not four hex digits, a lone or reversed surrogate, no closing quote, and
// invalid UTF-8 unless `utf8` is keep.
bool read_json_string(std::string_view text, std::size_t& i, std::string* out, json_utf8 utf8 = json_utf8::reject);

}  // namespace ib
