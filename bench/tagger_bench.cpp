// The tagger alone, in thread CPU time per message: the burst's chat lines (what the driver's
// per-stage figure tags), the labelled tuning messages (incident chat), and a 300 KB paste;
// each split into the model's stages: tokenise, then features, then scoring and explaining.
//
//   build-bench/tagger_bench [--repo DIR] [--shared DIR]
//   build-bench/tagger_bench --count all|tokens N   # N passes over the burst lines, no timing
//                                                   # (for `perf stat -e instructions`)
#include "chat_lines.hpp"
#include "core/tagger.hpp"
#include "core/tagging/features.hpp"
#include "core/tagging/model.hpp"
#include "tools/tagger/training.hpp"

#include <time.h>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#ifndef IB_SOURCE_DIR
#define IB_SOURCE_DIR "."
#endif

namespace {

double thread_cpu_us() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

// Mean µs per call of `f` over `texts`, repeated until at least `min_us` of CPU time was spent.
template <class F>
double per_message(const std::vector<std::string>& texts, F&& f, double min_us = 300'000) {
    std::size_t calls = 0, sink = 0;
    const double t0 = thread_cpu_us();
    double t = t0;
    do {
        for (const auto& s : texts) sink += f(s);
        calls += texts.size();
        t = thread_cpu_us();
    } while (t - t0 < min_us);
    if (sink == 0) std::fprintf(stderr, "(nothing tagged)\n");
    return (t - t0) / static_cast<double>(calls);
}

// The first stage alone: tokenise.
std::size_t tokens_only(const std::string& s) {
    ib::tagging::tokens toks;
    ib::tagging::tokenize(s, toks);
    return toks.list.size() + 1;
}

// Tokenise, then draw the features.
std::size_t features_only(const std::string& s) {
    using namespace ib::tagging;
    tokens toks;
    tokenize(s, toks);
    std::vector<feature> fs;
    extract(toks, k_model.templates, fs);
    return fs.size() + 1;
}

void report(const char* what, const std::vector<std::string>& texts) {
    const double all = per_message(texts, [](const std::string& s) { return ib::tag_message(s).size(); });
    const double tok = per_message(texts, tokens_only);
    const double feat = per_message(texts, features_only);
    std::printf("%-44s %7.2f µs  (tokenise %.2f + features %.2f + score and explain %.2f)\n", what, all, tok,
                feat - tok, all - feat);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::string repo = IB_SOURCE_DIR, shared, count_what;
        std::size_t count = 0;
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string_view a = argv[i];
            if (a == "--repo") repo = argv[i + 1];
            else if (a == "--shared") shared = argv[i + 1];
            else if (a == "--count" && i + 2 < argc) count_what = argv[i + 1], count = std::stoul(argv[i + 2]), ++i;
        }
        if (shared.empty()) shared = repo + "/../shared";
        std::vector<std::string> burst;
        for (std::size_t i = 0; i < 800; ++i)
            burst.push_back("bench flood " + std::to_string(i) + ": " +
                            std::string(ib::bench::k_burst_lines[i % ib::bench::k_burst_lines.size()]));
        if (count > 0) {
            std::size_t sink = 0;
            for (std::size_t n = 0; n < count; ++n)
                for (const auto& s : burst) {
                    if (count_what == "tokens") sink += tokens_only(s);
                    else sink += ib::tag_message(s).size() + 1;
                }
            return sink == 0;
        }
        std::vector<std::string> corpus;
        for (const auto& e : ib::tagging::training::load_tuning_set(repo, shared)) corpus.push_back(e.text);
        std::string paste = "pasting the log: ";
        while (paste.size() < 300 * 1024) paste += "2024-11-21T14:05:01Z ERROR pool exhausted, retrying `x` <@U1> ";
        std::printf("tag_message, thread CPU time per message (-O2, this machine):\n");
        report("burst chat lines (the driver's stage figure)", burst);
        report(("tuning corpora (" + std::to_string(corpus.size()) + " incident messages)").c_str(), corpus);
        report("a 300 KB paste (judged on its first 8 KB)", {paste});
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tagger_bench: %s\n", e.what());
        return 1;
    }
}
