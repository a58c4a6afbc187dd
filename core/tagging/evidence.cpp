// rule_evidence (evidence.hpp): the rules' hits the model learns from and is explained by.
#include "core/tagging/evidence.hpp"

#include "core/tagger/hits.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace ib::tagging {
namespace {

// The status rule that fires on customers reporting something ("customers in APAC are saying the
// app is blank"): a symptom relayed as evidence, which the conventions do not count as status.
// (Tickets and support queues are evidence through the other status rules and the model.)
constexpr std::array<std::string_view, 1> k_outdated = {"status:customers"};

}  // namespace

std::vector<tag_hit> rule_evidence(std::string_view text, unsigned families) {
    auto hits = tagger::rule_hits(text, families);
    std::erase_if(hits, [](const tag_hit& h) {
        return std::find(k_outdated.begin(), k_outdated.end(), h.rule) != k_outdated.end();
    });
    return hits;
}

}  // namespace ib::tagging
