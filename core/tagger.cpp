// tag_message (tagger.hpp): the hand-written rules (core/tagger/) and the trained model
// (core/tagging/) together. The rules fire on the patterns they know with high precision; the
// model tokenises the message, weighs their hits with everything else it sees (words, word
// classes, constructions, code shapes) and decides each tag, naming the rule or the features
// that decided it.
#include "core/tagger.hpp"

#include "core/tagging/evidence.hpp"
#include "core/tagging/features.hpp"
#include "core/tagging/model.hpp"

#include <vector>

namespace ib {

std::vector<tag_hit> tag_message(std::string_view text) {
    tagging::tokens toks;
    tagging::tokenize(text, toks);
    bool said = false;
    for (const auto& t : toks.list) said = said || t.kind != tagging::token_kind::boundary;
    if (!said) return {};
    const auto rules = tagging::rule_evidence(text, tagging::k_model.rule_families);
    std::vector<tagging::feature> features;
    tagging::extract(toks, rules, tagging::k_model.templates, features);
    return tagging::decide(tagging::k_model, toks, rules, features);
}

}  // namespace ib
