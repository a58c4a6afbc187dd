// The hypothesis rules: a hedge ("I think", "could be", "looks like") that introduces an
// explanation of the system's behaviour, not a person's state, a plan or an approval.
#include "core/tagger/rules.hpp"

#include <string>

namespace ib::tagger {
namespace {

struct hedge {
    sv phrase;
    bool np;           // may be followed directly by the suspected cause ("could be the LB rule")
    bool needs_colon;  // a label ("hypothesis: …"), not the word used in passing
    bool trailing;     // may also close the clause it qualifies ("…, probably")
};

// Longer phrases first where they share a first word.
constexpr hedge k_hedges[] = {
    // phrase              np    needs_colon trailing
    {"any chance",         true, false, false},
    {"apparently",         true, false, false},
    {"appears to be",      true, false, false},
    {"appears",            false, false, false},
    {"could it be",        true, false, false},
    {"could this be",      true, false, false},
    {"could that be",      true, false, false},
    {"could be",           true, false, false},
    {"could have",         false, false, false},
    {"do you think",       false, false, false},
    {"fairly sure",        false, false, false},
    {"feels like",         true, false, false},
    {"hypothesis",         true, true, false},
    {"i bet",              false, false, false},
    {"i believe",          false, false, false},
    {"i guess",            false, false, true},
    {"i suspect",          true, false, true},
    {"i think",            false, false, true},
    {"i wonder if",        false, false, false},
    {"i wonder whether",   false, false, false},
    {"i reckon",           false, false, false},
    {"i'd guess",          false, false, false},
    {"i'm guessing",       false, false, false},
    {"is it possible",     false, false, false},
    {"likely",             true, false, true},
    {"look like",          true, false, false},
    {"looks like",         true, false, false},
    {"may be",             true, false, false},
    {"may have",           false, false, false},
    {"maybe",              true, false, true},
    {"might be",           true, false, false},
    {"might have",         false, false, false},
    {"must be",            true, false, false},
    {"must have",          false, false, false},
    {"my bet",             true, false, false},
    {"my guess",           true, false, false},
    {"my hunch",           true, false, false},
    {"my money's on",      true, false, false},
    {"my money is on",     true, false, false},
    {"my theory",          true, false, false},
    {"perhaps",            true, false, true},
    {"possibly",           true, false, true},
    {"pretty sure",        false, false, false},
    {"prob",               true, false, false},
    {"probably",           true, false, true},
    {"seems like",         true, false, false},
    {"seems to be",        true, false, false},
    {"seems",              false, false, false},
    {"seem to",            false, false, false},
    {"smells like",        true, false, false},
    {"sounds like",        true, false, false},
    {"suspect",            true, false, false},
    {"that would explain", false, false, false},
    {"that explains",      false, false, false},
    {"theory",             true, true, false},
    {"what if",            false, false, false},
    {"wonder if",          false, false, false},
    {"wondering if",       false, false, false},
    {"wonder whether",     false, false, false},
    {"wondering whether",  false, false, false},
    {"would explain",      false, false, false},
};

// The clause right after the hedge is personal ("I need coffee"), a plan ("we should …"),
// an estimate ("around 4pm") or a verdict ("sounds good"): not an explanation.
bool hedge_vetoed(const view& v, std::size_t i, std::size_t j) {
    if (i > 0 && v.joined(i)) {
        const sv prev = v.w(i - 1);
        // "we should probably …", "I'll probably …", "not likely", "don't think"
        if (prev == "should" || prev == "shall" || prev == "will" || prev == "would" ||
            word_eq(prev, "i'll") || word_eq(prev, "we'll") || prev == "not" ||
            word_eq(prev, "don't"))
            return true;
    }
    if (j >= v.size() || v.t[j].gap >= sep_clause) return true;  // "I think so." / nothing follows
    const sv first = v.w(j);
    if (in(k_hedge_stop_first, first)) return true;
    const sv second = v.joined(j + 1) ? v.w(j + 1) : sv{};
    if ((first == "we" || first == "you") && in(k_modals, second)) return true;
    if (word_eq(first, "let's") || first == "we'd" || first == "you'll" || first == "we'll")
        return true;
    // Look at the first few content words for approval/time words.
    std::size_t seen = 0;
    for (std::size_t k = j; k < v.size() && k < j + 6 && seen < 3; ++k) {
        if (k > j && v.t[k].gap >= sep_comma) break;
        const sv w = v.w(k);
        if (w == "it's" || w == "that's" || w == "this" || w == "that" || w == "is" ||
            w == "be" || w == "a" || w == "an" || w == "the" || w == "it" || w == "really" ||
            w == "very" || w == "pretty" || w == "quite")
            continue;
        if (in(k_hedge_stop_near, w)) return true;
        ++seen;
    }
    return false;
}

// "could be the new rule", "probably a surge", "I think it's the rate limiter".
bool names_a_cause(const view& v, const hedge& h, std::size_t j) {
    std::size_t k = j;
    if (!h.np) {
        // Clause-taking hedges name a cause only through a copula: "I think it's the …".
        const sv w = v.w(k);
        if (word_eq(w, "it's") || word_eq(w, "that's"))
            ++k;
        else if ((w == "it" || w == "that" || w == "this") && v.joined(k + 1) &&
                 (v.w(k + 1) == "is" || v.w(k + 1) == "was"))
            k += 2;
        else
            return false;
    } else {
        for (int skip = 0; skip < 2 && k < v.size(); ++skip) {
            if (k > j && !v.joined(k)) break;
            const sv w = v.w(k);
            if (in(k_determiners, w)) break;
            if (word_eq(w, "it's") || w == "it" || w == "is" || w == "was" || w == "be" ||
                w == "been" || w == "just" || w == "only" || w == "also" || w == "again" ||
                word_eq(w, "that's"))
                ++k;
            else
                break;
        }
    }
    if (k >= v.size() || (k > j && !v.joined(k))) return false;
    if (!in(k_determiners, v.w(k))) return false;
    // Something must follow the determiner in the same clause.
    return k + 1 < v.size() && v.t[k + 1].gap < sep_clause;
}

bool explanation_word(const view& v, std::size_t k) {
    const sv w = v.w(k);
    if (w.empty()) return false;
    if (in_lemma(k_explain, w) || http_code(w)) return true;
    // "not working", "not sending", "not healthy"
    if (w == "not" && v.joined(k + 1)) {
        const sv next = v.w(k + 1);
        return ends_with(next, "ing") || next == "healthy" || next == "ready" ||
               next == "reachable" || next == "up" || next == "available";
    }
    // "took out", "knocked over"
    if ((w == "took" || w == "knocked" || w == "taking") && v.joined(k + 1))
        return v.w(k + 1) == "out" || v.w(k + 1) == "down";
    return false;
}

bool explains_system(const view& v, std::size_t hedge_b, std::size_t hedge_e) {
    const std::size_t b = v.clause_begin(hedge_b);
    const std::size_t e = hedge_e < v.size() ? v.clause_end(hedge_e) : v.size();
    for (std::size_t k = b; k < e; ++k) {
        if (k >= hedge_b && k < hedge_e) continue;  // "would explain" is the hedge itself
        if (explanation_word(v, k)) return true;
    }
    return false;
}

// "could the TLS handshake be timing out …?", "might the cron be holding the lock?": a question
// that asks whether something (not someone) is the cause.
bool split_question_hedge(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (w != "could" && w != "might" && w != "can") return false;
    if (!clause_start(v, i, false) || !v.in_question(i) || !v.joined(i + 1)) return false;
    const sv subj = v.w(i + 1);
    if (!in(k_determiners, subj) && subj != "it") return false;
    for (std::size_t k = i + 2; k < v.size() && k < i + 8; ++k) {
        if (!v.joined(k)) return false;
        if (v.w(k) == "be" || v.w(k) == "have") return explains_system(v, i, i + 1);
    }
    return false;
}

}  // namespace

std::optional<tag_hit> hypothesis_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v.w(i).empty()) continue;
        bool matched = false;
        for (const hedge& h : k_hedges) {
            const std::size_t len = match_phrase(v, i, h.phrase);
            if (len == 0) continue;
            const std::size_t j = i + len;
            matched = true;
            if (h.needs_colon) {
                const bool label = j < v.size() && (v.t[j].gap == sep_colon || v.w(j) == "is");
                if (!label) break;
            }
            // "the timing suggests the cache warmup, maybe": a hedge closing its clause qualifies
            // what came before it.
            const bool closes_clause = j >= v.size() || v.t[j].gap >= sep_clause;
            if (closes_clause) {
                if (h.trailing && i > v.clause_begin(i) && explains_system(v, i, j))
                    return tag_hit{tag::hypothesis, "hedge:" + std::string(h.phrase)};
                break;
            }
            if (hedge_vetoed(v, i, j)) break;
            if (names_a_cause(v, h, j) || explains_system(v, i, j))
                return tag_hit{tag::hypothesis, "hedge:" + std::string(h.phrase)};
            break;  // the longest hedge at this position decided
        }
        if (!matched && split_question_hedge(v, i))
            return tag_hit{tag::hypothesis, "hedge:could…be?"};
    }
    return std::nullopt;
}

}  // namespace ib::tagger
