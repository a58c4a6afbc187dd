// Which of the hand-written rules' hits (core/tagger/hits.hpp) the model takes as evidence.
#pragma once

#include "core/timeline.hpp"

#include <string_view>
#include <vector>

namespace ib::tagging {

// rule_hits of `families` without the rule written for a labelling convention that has since
// changed ("customers are saying …" relays a symptom; it is not communication with customers,
// tests/data/README.md).
std::vector<tag_hit> rule_evidence(std::string_view text, unsigned families);

}  // namespace ib::tagging
