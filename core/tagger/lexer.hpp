// The tagger's lexer: turns a message (as Slack sends it: entities, markup) into word, code and
// Slack-reference tokens, each with the strength of the punctuation before it, which is what the
// rules (one file per tag) look at. One pass, no regex; the token texts view into buffers that
// `lexed` owns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ib::tagger {

using sv = std::string_view;

// A word, a `code span` or ```code block``` (its content is not kept), or Slack markup: a user,
// channel, link or other (<!here>) reference.
enum class tk : std::uint8_t { word, code_span, code_block, user_ref, channel_ref, url_ref, other_ref };

// Strength of the separation before a token.
enum sep : std::uint8_t {
    sep_none = 0,
    sep_comma = 1,
    sep_colon = 2,
    sep_clause = 3,    // ; | em-dash
    sep_sentence = 4,  // . ! ?
    sep_line = 5,      // newline or start of text
};

struct token {
    sv low;     // ASCII-lowercased, edge punctuation stripped; links: label (or target)
    sv orig;    // same span in original case
    sv full;    // original case with the stripped trailing punctuation ("cathy#:")
    sv target;  // links only: lowercased target ("https://status.acme.io", "@u123")
    tk kind = tk::word;
    std::uint8_t gap = sep_none;
    bool quoted = false;
    bool question = false;  // a '?' follows this token
    bool after_pipe = false;
};

// Owns the normalised text; tokens view into it. Never moved once filled.
struct lexed {
    std::string low, orig;
    std::vector<token> toks;
};

// Tokenizes `s` into `out` (which must be empty). Slack's entities (&amp; &lt; &gt;) are read as
// the characters they stand for; Slack markup (<@U1>, <#C1|chan>, <!here>, <https://x|label>)
// becomes one reference token; `code spans` and ```code blocks``` become one empty token each;
// curly quotes and apostrophes, dashes, ellipses and no-break spaces count as their ASCII
// counterparts; a "> " quote marker at the start of a line is not a word.
void lex(sv s, lexed& out);

}  // namespace ib::tagger
