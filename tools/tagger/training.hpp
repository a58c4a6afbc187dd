// Training the tagger's model (core/tagging/model.hpp) from labelled JSONL corpora: loading,
// featurising with the same code the bot runs, FTRL-proximal logistic regression per tag,
// cross-validation, and writing the weights as C++ source. Deterministic: the same data and
// options give the same bytes, which is how the tests check the committed weights.
#pragma once

#include "core/tagging/features.hpp"
#include "core/tagging/model.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace ib::tagging::training {

// Bit k set = the message carries k_model_tag_order[k].
using label_set = std::uint8_t;

struct example {
    std::string text;
    label_set labels = 0;
    std::string source;  // the situation it was written for (groups folds), or "file:line"
    std::string file;    // corpus file name, for reports
};

// A label correction for a corpus we may not edit (the shared sample): the exact text, its tags.
struct relabel {
    std::string text;
    label_set labels = 0;
};

// One labelled line per JSON object {"text", "tags", ["source"]}. Relabels replace the tags of
// the line with the same text; a relabel matching no line is an error (it went stale).
// Throws std::runtime_error naming the file and line on bad input.
std::vector<example> load_corpus(const std::filesystem::path& path, std::span<const relabel> relabels = {});
std::vector<relabel> load_relabels(const std::filesystem::path& path);

// The tuning corpora: tests/data/tagging-train.jsonl and tagging-train2.jsonl to tagging-train7.jsonl,
// the held-out sets retired into tuning in round 6 (tagging-heldout.jsonl, tagging-heldout2.jsonl,
// tagging-heldout3.jsonl), round 7 (tagging-heldout4.jsonl), round 8 (tagging-heldout5.jsonl) and
// round 9 (tagging-heldout6.jsonl), round 10 (tagging-heldout7.jsonl), round 11 (tagging-heldout8.jsonl), tagging-cases.jsonl and <shared>/data/tagging-corpus.jsonl with
// tests/data/tagging-corpus-relabels.jsonl applied.
std::vector<example> load_tuning_set(const std::filesystem::path& repo, const std::filesystem::path& shared);

struct options {
    std::uint32_t templates = k_all_templates;
    int epochs = 16;
    int members = 1;                 // models averaged (each on a different 90%, in a different order)
    double alpha = 0.2, beta = 1.0;  // FTRL learning rate
    double l1 = 0.3, l2 = 2.0;       // regularisation (l1 zeroes weak features: a small table)
    int min_count = 2;               // features in fewer training messages are dropped
    std::uint8_t clause_tags = 0;    // tags scored as max(message, each clause) (model.hpp)
    // Value of a feature of each template while training (its weight is stored multiplied by
    // it, so the bot adds weights as they are): above 1 regularises that template less.
    std::array<double, ft_template_count> value = [] {
        std::array<double, ft_template_count> v{};
        v.fill(1.0);
        return v;
    }();
    std::array<double, k_model_tags> threshold{};  // decision threshold on the log-odds
};

// A model held in memory, usable through view() exactly as the compiled-in one.
struct built_model {
    std::uint32_t templates = 0;
    float scale = 1;
    std::uint8_t clause_tags = 0;
    std::array<float, k_model_tags> bias{};
    std::array<float, k_model_tags> threshold{};
    std::vector<std::uint32_t> keys;  // as model_data: open addressing on the feature id
    std::vector<weight_row> weights;
    std::size_t features = 0;  // non-empty slots

    model_data view() const { return {templates, scale, clause_tags, bias, threshold, keys, weights}; }

};

// The features of each example and the clause of each
// feature, computed once per template mask.
struct sample {
    std::vector<feature> features;
    std::vector<std::uint8_t> clause;  // clause_of() of each feature
};
std::vector<sample> featurise(std::span<const example> data, const options& opt);

// Trains on the examples whose index is in `use` (all when empty).
built_model train(std::span<const example> data, std::span<const sample> features,
                  const options& opt, std::span<const std::size_t> use = {});

struct tag_scores {
    int tp = 0, fp = 0, fn = 0;
    double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
    double recall() const { return tp + fn ? double(tp) / (tp + fn) : 1.0; }
    double f1() const {
        const double p = precision(), r = recall();
        return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    }
};
using scores = std::array<tag_scores, k_model_tags>;

// Fold of each example for k-fold cross-validation: whole situations (source) stay in one fold
// so a fold's messages are about incidents the model did not train on; sources with more than
// `max_group` lines (the assorted ones) are spread line by line.
std::vector<int> assign_folds(std::span<const example> data, int k, std::size_t max_group = 40);

// Out-of-fold log-odds per example and tag, from training on the other k-1 folds.
std::vector<std::array<float, k_model_tags>> cross_validate(std::span<const example> data,
                                                            std::span<const sample> features,
                                                            const options& opt, std::span<const int> folds);

scores evaluate(std::span<const example> data, std::span<const std::array<float, k_model_tags>> logits,
                std::span<const float> threshold);

// The threshold per tag that maximises F1 on the given scores, averaged over the threshold and
// its neighbours within 0.2 (searched from -3 to 3 by 0.1; among equals, the one nearest 0), so
// a lone lucky peak does not decide it; then the middle of the run of thresholds around it whose
// averaged F1 is within 0.002 of that best (round 10: on a flat curve which step peaks is luck).
// `use` selects examples (all when empty).
std::array<float, k_model_tags> best_thresholds(std::span<const example> data,
                                                std::span<const std::array<float, k_model_tags>> logits,
                                                std::span<const std::size_t> use = {});

// The whole procedure behind the committed model: k-fold cross-validation, thresholds chosen on
// the out-of-fold scores, and the model trained on everything with those thresholds.
struct result {
    std::vector<int> folds;                            // fold of each example
    std::vector<std::array<float, k_model_tags>> oof;  // out-of-fold log-odds per example
    scores cv;  // out-of-fold, each fold judged with thresholds chosen on the other folds only
    built_model model;
};
result run(std::span<const example> data, const options& opt, int folds = 10);

// Leave one corpus out: for each corpus, the whole procedure (run()) on the others and its model
// judged on that corpus: the nearest proxy for text by a writer the model never read. The two
// small early sets (tagging-cases.jsonl and the shared sample) count as one corpus. With `only`,
// just the corpora named there are left out, each in turn (a quicker look at one writer).
struct corpus_result {
    std::string name;
    std::vector<std::size_t> judged;                      // indices into the data
    std::vector<std::array<float, k_model_tags>> logits;  // the model's scores for them
    std::array<float, k_model_tags> threshold{};          // its thresholds
    scores s{};
};
std::vector<corpus_result> leave_one_corpus_out(std::span<const example> data, const options& opt, int folds = 10,
                                                std::span<const std::string> only = {});

// The generated C++ source (core/tagging/model_weights.cpp) for a model; `provenance` goes into
// its header comment.
std::string generate_source(const built_model& m, const std::string& provenance);

// The options the committed model is trained with (tools/tagger/train_tagger.cpp and the tests
// use the same ones), and the line the generated file names its data with.
options committed_options();
std::string committed_provenance();

}  // namespace ib::tagging::training
