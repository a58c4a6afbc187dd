// The tagger's model: one logistic-regression scorer per tag over the features of features.hpp,
// trained by tools/train_tagger on the labelled corpora and compiled into the binary as a
// hash table of quantised weights (core/tagging/model_weights.cpp, generated: never edit it by
// hand; tests check it is what the trainer produces from the committed data).
#pragma once

#include "core/tagging/features.hpp"
#include "core/timeline.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ib::tagging {

// The tags the model decides, in this order everywhere (scores, biases, weight columns).
constexpr std::size_t k_model_tags = 4;
constexpr std::array<tag, k_model_tags> k_model_tag_order{tag::hypothesis, tag::command, tag::action,
                                                          tag::status};

// The weights of one feature, one per tag (scaled by model_data::scale).
using weight_row = std::array<std::int16_t, k_model_tags>;

struct model_data {
    std::uint32_t templates = 0;  // feature_template mask the model was trained with
    float scale = 1;              // weight = w * scale
    std::uint8_t clause_tags = 0; // tags judged clause by clause too (score_clauses)
    std::array<float, k_model_tags> bias{};
    std::array<float, k_model_tags> threshold{};  // a tag is given when its score exceeds this
    // Open addressing on the feature id, a power of two slots: keys[s] is a feature id (0 = an
    // empty slot) and weights[s] its weights. Keys apart, so probing stays in cache.
    std::span<const std::uint32_t> keys;
    std::span<const weight_row> weights;
};

// The compiled-in model (model_weights.cpp).
extern const model_data k_model;

// The weights of feature `id`, or nullptr when the model does not know it.
const weight_row* find(const model_data& m, std::uint32_t id);

// Score (log-odds) per tag: bias plus the weights of every feature (repeats count).
std::array<float, k_model_tags> score(const model_data& m, std::span<const feature> features);

// A message is also judged clause by clause (tokens' clause numbers), since one clause may act
// while another hedges ("I think the deploy broke it, rolling back now"): for the tags in
// `clause_tags` (bit k = k_model_tag_order[k]) the score is the larger of the whole message's and
// each clause's (the features of its tokens plus the message-wide ones: the message's shape).
std::array<float, k_model_tags> score_clauses(const model_data& m, const tokens& toks,
                                              std::span<const feature> features, std::uint8_t clause_tags);

// A clause with fewer features than this is not judged on its own (a lone "ok," or emoji).
constexpr std::uint16_t k_min_clause_features = 3;

// The clause a feature belongs to, or k_whole_message for message-wide features.
constexpr std::uint8_t k_whole_message = 0xff;
std::uint8_t clause_of(const tokens& toks, const feature& f);

// The tags whose score passes their threshold, each explained by the features that weighed most
// for it: "model:<tag>(<up to three strongest features>)", e.g.
// "model:hypothesis(hedge+explanation, bet it's, [hedge])".
std::vector<tag_hit> decide(const model_data& m, const tokens& toks, std::span<const feature> features);

}  // namespace ib::tagging
