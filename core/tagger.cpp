// tag_message (tagger.hpp): the trained model (core/tagging/). It tokenises the message, draws
// its features (words, word classes, clause-level constructions, code and command-line shapes),
// scores each tag and names the features that decided it.
#include "core/tagger.hpp"

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
    std::vector<tagging::feature> features;
    tagging::extract(toks, tagging::k_model.templates, features);
    return tagging::decide(tagging::k_model, toks, features);
}

}  // namespace ib
