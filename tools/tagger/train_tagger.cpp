// train-tagger: trains the tagger's model on the tuning corpora, prints its cross-validated
// precision/recall/F1 per tag, and (with --write) writes core/tagging/model_weights.cpp.
//
//   train-tagger [--write] [--misses] [--by-corpus] [--out FILE]… [--without FILE]… [--folds K] [--repo DIR] [--shared DIR]
//   --misses     the cross-validated misses, each with its fold and out-of-fold scores
//   --by-corpus  also leave one corpus out: train on the others, judge it (training.hpp)
//   --out FILE   with --by-corpus, leave out only the corpora named (repeatable)
//   --without    drop a tuning corpus (its file name) from everything: what the other corpora
//                alone make of the one left out, e.g. a corpus written after reading its misses
//   train-tagger --explain TEXT        # a model trained without TEXT, and every weight it uses
//
// Options for experiments (the committed model uses committed_options()): --templates MASK,
// --epochs N, --members N, --alpha X, --beta X, --l1 X, --l2 X, --min-count N, --clauses MASK,
// --value TEMPLATE=X.
//
// Held-out sets 1-3 are tuning corpora since round 6 (training.hpp); the set that judges a round
// (set 4 for round 6) is not in the repository while the round is tuned, and never read here.
#include "tools/tagger/training.hpp"


#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#ifndef IB_SOURCE_DIR
#define IB_SOURCE_DIR "."
#endif

namespace {

using namespace ib::tagging;
using namespace ib::tagging::training;

std::string name(std::size_t k) { return std::string(ib::to_string(k_model_tag_order[k])); }

void print_scores(const std::string& title, const scores& s) {
    std::printf("%s\n  %-11s %9s %9s %9s %5s %5s %5s\n", title.c_str(), "tag", "precision", "recall", "F1", "tp",
                "fp", "fn");
    for (std::size_t k = 0; k < k_model_tags; ++k)
        std::printf("  %-11s %9.3f %9.3f %9.3f %5d %5d %5d\n", name(k).c_str(), s[k].precision(), s[k].recall(),
                    s[k].f1(), s[k].tp, s[k].fp, s[k].fn);
}

// Trains without `text` and prints every weight the model gives its features.
void explain(std::span<const example> data, const options& opt, const std::string& text) {
    const auto feats = featurise(data, opt);
    std::vector<std::size_t> use;
    for (std::size_t i = 0; i < data.size(); ++i)
        if (data[i].text != text) use.push_back(i);
    const built_model m = train(data, feats, opt, use);
    tokens toks;
    tokenize(text, toks);
    std::vector<feature> fs;
    extract(toks, opt.templates, fs);
    const auto s = score_clauses(m.view(), toks, fs, opt.clause_tags);
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        std::printf("%s %.2f (bias %.2f):", name(k).c_str(), static_cast<double>(s[k]), static_cast<double>(m.bias[k]));
        for (const auto& f : fs)
            if (const auto* r = find(m.view(), f.id); r && (*r)[k] != 0)
                std::printf(" %s=%.2f", describe(toks, f).c_str(), (*r)[k] * static_cast<double>(m.scale));
        std::printf("\n");
    }
}

int run_cli(int argc, char** argv) {
    std::string repo = IB_SOURCE_DIR, shared, text;
    bool write = false, misses = false, by_corpus = false;
    std::vector<std::string> without, out_only;
    int folds = 10;
    options opt = committed_options();
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(std::string(a) + " needs a value");
            return argv[++i];
        };
        if (a == "--write") write = true;
        else if (a == "--misses") misses = true;
        else if (a == "--by-corpus") by_corpus = true;
        else if (a == "--explain") text = value();
        else if (a == "--without") without.push_back(value());
        else if (a == "--out") out_only.push_back(value());
        else if (a == "--folds") folds = std::stoi(value());
        else if (a == "--repo") repo = value();
        else if (a == "--shared") shared = value();
        else if (a == "--templates") opt.templates = static_cast<std::uint32_t>(std::stoul(value(), nullptr, 0));
        else if (a == "--epochs") opt.epochs = std::stoi(value());
        else if (a == "--members") opt.members = std::stoi(value());
        else if (a == "--beta") opt.beta = std::stod(value());
        else if (a == "--alpha") opt.alpha = std::stod(value());
        else if (a == "--l1") opt.l1 = std::stod(value());
        else if (a == "--l2") opt.l2 = std::stod(value());
        else if (a == "--min-count") opt.min_count = std::stoi(value());
        else if (a == "--clauses") opt.clause_tags = static_cast<std::uint8_t>(std::stoul(value(), nullptr, 0));
        else if (a == "--value") {
            const std::string v = value();
            const auto eq = v.find('=');
            if (eq == std::string::npos) throw std::runtime_error("--value wants TEMPLATE=X");
            opt.value.at(std::stoul(v.substr(0, eq))) = std::stod(v.substr(eq + 1));
        } else {
            throw std::runtime_error("unknown option " + std::string(a) + " (see the comment at the top of train_tagger.cpp)");
        }
    }
    if (shared.empty()) shared = repo + "/../shared";
    auto data = load_tuning_set(repo, shared);
    if (!without.empty()) {
        if (write) throw std::runtime_error("--write trains on every tuning corpus: drop --without");
        std::erase_if(data, [&](const example& e) { return std::ranges::find(without, e.file) != without.end(); });
    }
    if (!text.empty()) {
        explain(data, opt, text);
        return 0;
    }
    std::printf("%zu tuning messages\n", data.size());
    const result r = run(data, opt, folds);
    print_scores("cross-validated (" + std::to_string(folds) + " folds by situation; thresholds chosen on the other folds)",
                 r.cv);
    std::printf("thresholds (log-odds):");
    for (std::size_t k = 0; k < k_model_tags; ++k)
        std::printf(" %s %.1f", name(k).c_str(), static_cast<double>(r.model.threshold[k]));
    std::printf("\n%zu features in a table of %zu slots\n", r.model.features, r.model.keys.size());
    // Misses: "-tag" wanted but not given, "+tag" given but not wanted, with the score.
    auto miss = [&](std::size_t i, const std::array<float, k_model_tags>& logit,
                    const std::array<float, k_model_tags>& threshold, const std::string& where) {
        std::string got;
        for (std::size_t k = 0; k < k_model_tags; ++k) {
            const bool want = data[i].labels >> k & 1u, have = logit[k] > threshold[k];
            if (want == have) continue;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s%s(%.2f) ", want ? "-" : "+", name(k).c_str(), static_cast<double>(logit[k]));
            got += buf;
        }
        if (!got.empty()) std::printf("  %s %s| %s\n", where.c_str(), got.c_str(), data[i].text.c_str());
    };
    if (misses)
        for (std::size_t i = 0; i < data.size(); ++i) miss(i, r.oof[i], r.model.threshold, "fold " + std::to_string(r.folds[i]));
    if (by_corpus) {
        for (const auto& c : leave_one_corpus_out(data, opt, folds, out_only)) {
            print_scores("left out: " + c.name + " (" + std::to_string(c.judged.size()) + " messages; trained on the others)",
                         c.s);
            if (misses)
                for (std::size_t j = 0; j < c.judged.size(); ++j) miss(c.judged[j], c.logits[j], c.threshold, "out");
        }
    }
    if (write) {
        const std::string path = repo + "/core/tagging/model_weights.cpp";
        std::ofstream out(path, std::ios::binary);
        out << generate_source(r.model, committed_provenance());
        if (!out) throw std::runtime_error("cannot write " + path);
        std::printf("wrote %s\n", path.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run_cli(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "train-tagger: %s\n", e.what());
        return 1;
    }
}
