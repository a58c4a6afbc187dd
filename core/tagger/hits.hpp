// The hand-written rules in one call: high-precision patterns for each tag, each hit named after
// the rule that fired. tag_message (core/tagger.cpp) gives their hits to the trained model as
// features (core/tagging/); they are not the tagger's answer by themselves.
#pragma once

#include "core/timeline.hpp"

#include <string_view>
#include <vector>

namespace ib::tagger {

// The rule families, one per tag; a caller runs only those it uses (they differ in cost).
enum rule_family : unsigned {
    rf_hypothesis = 1u << 0,
    rf_command = 1u << 1,
    rf_action = 1u << 2,
    rf_status = 1u << 3,
    rf_all = 0xfu,
};

// The hits of the rule families in `families`: at most one hit per tag, in tag order. Pure;
// bounded work (texts longer than 8 KB are judged on a prefix).
std::vector<tag_hit> rule_hits(std::string_view text, unsigned families = rf_all);

}  // namespace ib::tagger
