// The hand-written rules (core/tagger.cpp): high-precision patterns for each tag, each hit named
// after the rule that fired. The model takes their hits as features; tag_message combines both.
#pragma once

#include "core/timeline.hpp"

#include <string_view>
#include <vector>

namespace ib::tagging {

// The rule families, one per tag; a caller runs only those it uses (they differ in cost).
enum rule_family : unsigned {
    rf_hypothesis = 1u << 0,
    rf_command = 1u << 1,
    rf_action = 1u << 2,
    rf_status = 1u << 3,
    rf_all = 0xfu,
};

// The hits of the rule families in `families`: at most one hit per tag, in tag order. Pure;
// bounded work (a prefix of long texts).
std::vector<tag_hit> rule_hits(std::string_view text, unsigned families = rf_all);

// The hits the model takes as evidence (rule_evidence.cpp): rule_hits without the rule written
// for a labelling convention that has since changed ("customers are saying …" relays a symptom;
// it is not communication with customers, tests/data/README.md).
std::vector<tag_hit> rule_evidence(std::string_view text, unsigned families);

}  // namespace ib::tagging
