// rule_hits (hits.hpp): the lexer (lexer.hpp) turns the (prefix of the) text into word, code and
// Slack-reference tokens with the punctuation strength between them; each tag is then decided by
// a few families of linguistic patterns over those tokens, one file per tag (hypothesis, command,
// action, status), reading the word lists in words.hpp. No regex, no allocation per rule beyond
// the token vector, no state outside the call.
#include "core/tagger/hits.hpp"

#include "core/tagger/lexer.hpp"
#include "core/tagger/rules.hpp"

#include <algorithm>

namespace ib::tagger {
namespace {

// Very long messages (pasted logs) are judged on a prefix: bounded, predictable work.
constexpr std::size_t judged_prefix = 8192;

}  // namespace

std::vector<tag_hit> rule_hits(std::string_view text, unsigned families) {
    std::vector<tag_hit> hits;
    const sv judged = text.substr(0, std::min(text.size(), judged_prefix));
    lexed lx;
    lex(judged, lx);
    if (lx.toks.empty()) return hits;
    const view v{lx.toks};
    if (families & rf_hypothesis)
        if (auto h = hypothesis_rule(v)) hits.push_back(std::move(*h));
    if (families & rf_command)
        if (auto h = command_rule(v)) hits.push_back(std::move(*h));
    if (families & rf_action)
        if (auto h = action_rule(v)) hits.push_back(std::move(*h));
    if (families & rf_status)
        if (auto h = status_rule(v)) hits.push_back(std::move(*h));
    return hits;
}

}  // namespace ib::tagger
