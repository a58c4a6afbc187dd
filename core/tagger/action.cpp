// The action rules: the writer's intent to act, or an action in progress or taken, on the system
// or the response ("I'll roll back", "restarting…", "failed over"), with the verb morphology
// they need.
#include "core/tagger/rules.hpp"

#include <initializer_list>
#include <string>

namespace ib::tagger {
namespace {

// ---- Verb morphology: the base form from the operational-verb list --------------------------

enum class vform { base, ing, past };

std::optional<sv> find_verb(sv cand) {
    const auto it = std::lower_bound(std::begin(k_op_verbs), std::end(k_op_verbs), cand, word_less);
    if (it != std::end(k_op_verbs) && *it == cand) return *it;
    if (cand.size() > 4 && cand.substr(0, 2) == "re") {  // "redeployed", "reenabled"
        const sv rest = cand.substr(2);
        const auto it2 = std::lower_bound(std::begin(k_op_verbs), std::end(k_op_verbs), rest, word_less);
        if (it2 != std::end(k_op_verbs) && *it2 == rest) return *it2;
    }
    return std::nullopt;
}

std::optional<sv> op_verb(sv w, vform f) {
    // Hyphenated forms are judged by their head: "re-enabled", "force-pushed".
    const std::size_t dash = w.rfind('-');
    if (dash != sv::npos && dash + 1 < w.size()) w = w.substr(dash + 1);
    if (w.size() < 2 || w.size() > 30) return std::nullopt;
    std::array<char, 40> buf{};
    auto try_stem = [&](sv stem, sv suffix) -> std::optional<sv> {
        std::copy(stem.begin(), stem.end(), buf.begin());
        std::copy(suffix.begin(), suffix.end(), buf.begin() + static_cast<std::ptrdiff_t>(stem.size()));
        return find_verb(sv(buf.data(), stem.size() + suffix.size()));
    };
    switch (f) {
        case vform::base:
            return find_verb(w);
        case vform::ing: {
            if (w.size() < 5 || !ends_with(w, "ing")) return std::nullopt;
            const sv stem = w.substr(0, w.size() - 3);
            if (auto v = try_stem(stem, "")) return v;    // restarting
            if (auto v = try_stem(stem, "e")) return v;   // scaling
            if (stem.size() > 2 && stem[stem.size() - 1] == stem[stem.size() - 2])
                return try_stem(stem.substr(0, stem.size() - 1), "");  // stopping
            return std::nullopt;
        }
        case vform::past: {
            struct irregular {
                sv past, base;
            };
            static constexpr irregular k_irregular[] = {
                {"brought", "bring"}, {"built", "build"}, {"cut", "cut"},   {"did", "do"},
                {"held", "hold"},     {"ran", "run"},     {"rebuilt", "rebuild"},
                {"reran", "run"},     {"reset", "reset"}, {"sent", "send"}, {"set", "set"},
                {"shut", "shut"},     {"spun", "spin"},   {"took", "take"}, {"wrote", "write"},
            };
            for (const auto& ir : k_irregular)
                if (ir.past == w) return find_verb(ir.base);
            if (w.size() < 4 || !ends_with(w, "ed")) return std::nullopt;
            const sv stem = w.substr(0, w.size() - 2);
            if (auto v = try_stem(stem, "")) return v;  // restarted
            if (auto v = try_stem(stem, "e")) return v;  // scaled
            if (ends_with(stem, "i"))                    // applied
                if (auto v = try_stem(stem.substr(0, stem.size() - 1), "y")) return v;
            if (stem.size() > 2 && stem[stem.size() - 1] == stem[stem.size() - 2])
                return try_stem(stem.substr(0, stem.size() - 1), "");  // stopped
            return std::nullopt;
        }
    }
    return std::nullopt;
}

// ---- The patterns ---------------------------------------------------------------------------

// Phrasal verbs need their particle to be operational ("fail over", not "failed to load").
bool particle_ok(const view& v, sv lemma, std::size_t i) {
    auto near = [&](std::initializer_list<sv> parts, std::size_t reach) {
        for (std::size_t k = i + 1; k < v.size() && k <= i + reach; ++k) {
            if (v.t[k].gap >= sep_comma) return false;
            for (sv p : parts)
                if (v.w(k) == p) return true;
        }
        return false;
    };
    if (lemma == "fail") return near({"over"}, 1);
    if (lemma == "loop") return near({"in"}, 3);
    if (lemma == "kick") return near({"off"}, 3);
    if (lemma == "hold") return near({"on", "off"}, 1);
    if (lemma == "turn") return near({"on", "off", "down", "up"}, 3);
    if (lemma == "spin") return near({"up", "down"}, 3);
    if (lemma == "bring") return near({"in", "up", "down", "back", "online"}, 3);
    if (lemma == "cut") return near({"over"}, 1);
    if (lemma == "shut") return near({"down", "off"}, 2);
    if (lemma == "work") {
        // "work on a mitigation script"; "working on it" is too vague to record.
        if (!near({"on"}, 1)) return false;
        const sv obj = v.w(i + 2);
        return !obj.empty() && obj != "it" && obj != "this" && obj != "that" && v.joined(i + 2);
    }
    return true;
}

// The verb's object makes it personal ("grab lunch"), negates it ("restarted nothing"), or is a
// link shared for reference ("adding <#C1|inc-42> for context").
bool object_vetoed(const view& v, std::size_t i) {
    if (v.joined(i + 1) && (v.w(i + 1) == "nothing" || v.w(i + 1) == "none")) return true;
    for (std::size_t k = i + 1; k < v.size() && k <= i + 3; ++k) {
        if (v.t[k].gap >= sep_comma) break;
        if (in(k_personal_objects, v.w(k))) return true;
    }
    if (i + 1 < v.size() && v.joined(i + 1) &&
        (v.t[i + 1].kind == tk::channel_ref || v.t[i + 1].kind == tk::url_ref))
        return true;
    return false;
}

bool verb_ok(const view& v, sv lemma, std::size_t i) {
    return particle_ok(v, lemma, i) && !object_vetoed(v, i);
}

struct intent_marker {
    sv phrase;
    sv name;
    bool clause_initial;        // only at the start of a clause ("about to promote …")
    bool first_person_context;  // the sentence must already have a first-person subject
};

constexpr intent_marker k_intents[] = {
    {"i'll", "i'll", false, false},
    {"i will", "i will", false, false},
    {"i'm going to", "going to", false, false},
    {"i am going to", "going to", false, false},
    {"i'm gonna", "gonna", false, false},
    {"gonna", "gonna", true, false},
    {"going to", "going to", true, false},
    {"let me", "let me", false, false},
    {"lemme", "let me", false, false},
    {"i can", "i can", false, false},
    {"i'm about to", "about to", false, false},
    {"about to", "about to", true, false},
    {"i'm ready to", "ready to", false, false},
    {"i am ready to", "ready to", false, false},
    {"ready to", "ready to", true, false},
    {"i need to", "need to", false, false},
    {"we'll", "we'll", false, false},
    {"we will", "we'll", false, false},
    {"we're going to", "going to", false, false},
    {"we are going to", "going to", false, false},
    {"and i'll", "i'll", false, false},
    {"and can", "can", false, true},
    {"and will", "will", false, true},
};

bool sentence_has_first_person(const view& v, std::size_t i) {
    for (std::size_t k = i, steps = 0; k > 0 && steps < window; --k, ++steps) {
        if (first_person_subject(v.w(k - 1))) return true;
        if (v.t[k - 1].gap >= sep_sentence && k - 1 < i) break;
    }
    return false;
}

std::optional<std::string> intent_at(const view& v, std::size_t i) {
    for (const intent_marker& m : k_intents) {
        const std::size_t len = match_phrase(v, i, m.phrase);
        if (len == 0) continue;
        if (m.clause_initial && !clause_start(v, i, false)) continue;
        if (m.first_person_context && !sentence_has_first_person(v, i)) continue;
        std::size_t k = i + len;
        for (int steps = 0; steps < 5 && k < v.size() && v.joined(k) && in(k_intent_fillers, v.w(k)); ++steps)
            ++k;
        if (k >= v.size() || !v.joined(k)) return std::nullopt;
        std::optional<sv> lemma;
        if (v.w(k) == "be" && v.joined(k + 1)) {  // "I'll be restarting …"
            ++k;
            lemma = op_verb(v.w(k), vform::ing);
        } else {
            lemma = op_verb(v.w(k), vform::base);
        }
        if (!lemma || *lemma == "do") return std::nullopt;
        if (!verb_ok(v, *lemma, k)) return std::nullopt;
        return "intent:" + std::string(m.name) + "+verb";
    }
    return std::nullopt;
}

// "I'm restarting …", "we're rolling the fix out", "I'm almost done restarting …"
std::optional<std::string> progressive_at(const view& v, std::size_t i) {
    std::size_t k = 0;
    sv name;
    if (std::size_t n = match_phrase(v, i, "i'm"); n) {
        k = i + n;
        name = "i'm";
    } else if (std::size_t n2 = match_phrase(v, i, "i am"); n2) {
        k = i + n2;
        name = "i'm";
    } else if (std::size_t n3 = match_phrase(v, i, "we're"); n3) {
        k = i + n3;
        name = "we're";
    } else if (std::size_t n4 = match_phrase(v, i, "we are"); n4) {
        k = i + n4;
        name = "we're";
    } else {
        return std::nullopt;
    }
    for (int steps = 0; steps < 3 && k < v.size() && v.joined(k) && in(k_progress_fillers, v.w(k)); ++steps)
        ++k;
    if (k >= v.size() || !v.joined(k)) return std::nullopt;
    const auto lemma = op_verb(v.w(k), vform::ing);
    if (!lemma || !verb_ok(v, *lemma, k)) return std::nullopt;
    return "progressive:" + std::string(name) + "+verb";
}

// Clause-initial "-ing" operational verb: "rolling back to …", "paging the DB on-call".
std::optional<std::string> gerund_at(const view& v, std::size_t i) {
    const auto lemma = op_verb(v.w(i), vform::ing);
    if (!lemma) return std::nullopt;
    if (!clause_start(v, i, true) || v.in_question(i)) return std::nullopt;
    if (!verb_ok(v, *lemma, i)) return std::nullopt;
    // A gerund subject ("restarting didn't help", "restarting it won't fix …").
    for (std::size_t k = i + 1; k < v.size() && k <= i + 2; ++k) {
        if (!v.joined(k)) break;
        if (in(k_gerund_subject_followers, v.w(k))) return std::nullopt;
    }
    // "running low on disk" is a state, not running something.
    if (*lemma == "run" && v.joined(i + 1)) {
        const sv nx = v.w(i + 1);
        if (nx == "low" || nx == "out" || nx == "hot" || nx == "slow" || nx == "fine" ||
            nx == "behind" || nx == "late" || nx == "ok" || nx == "smoothly" || nx == "again")
            return std::nullopt;
    }
    return std::string("gerund:verb-ing");
}

// A status cue right after a comms-ish verb: "updated the status page" reports the update.
bool status_object(const view& v, std::size_t i) {
    for (std::size_t k = i + 1; k < v.size() && k <= i + 6; ++k) {
        if (v.t[k].gap >= sep_clause) break;
        const sv w = v.w(k);
        if (w == "status" || w == "statuspage" || in(k_customers, w) || in(k_stakeholders, w))
            return true;
    }
    return false;
}

// "restarted pgbouncer", "I killed it", "I've drained node-7", "gracefully stopped …"
std::optional<std::string> done_at(const view& v, std::size_t i) {
    const auto lemma = op_verb(v.w(i), vform::past);
    if (!lemma) return std::nullopt;
    // Find an explicit first-person subject behind fillers/adverbs.
    std::size_t k = i;
    for (int steps = 0; steps < 3 && k > 0 && v.joined(k); ++steps) {
        const sv p = v.w(k - 1);
        if (in(k_clause_fillers, p) || (p.size() > 4 && ends_with(p, "ly")) || p == "have" ||
            p == "had")
            --k;
        else
            break;
    }
    bool subject = false;
    if (k > 0 && v.joined(k)) {
        const sv p = v.w(k - 1);
        if (p == "i" || p == "we" || p == "i've" || word_eq(p, "we've") || p == "ive") {
            subject = true;
            --k;
        }
    }
    if (!clause_start(v, k, true)) return std::nullopt;
    if (*lemma == "do") {  // "did" acts only with its doer: "I did a full support bundle"
        if (!subject || v.w(i + 1) == "not") return std::nullopt;
    }
    if (v.in_question(i)) return std::nullopt;
    if (in(k_comms_op_verbs, *lemma)) return std::nullopt;
    if ((*lemma == "update" || *lemma == "write") && status_object(v, i)) return std::nullopt;
    // "started seeing errors", "stopped working": aspect, not an operation.
    if ((*lemma == "start" || *lemma == "stop") && v.joined(i + 1)) {
        const sv nx = v.w(i + 1);
        if (ends_with(nx, "ing") || nx == "to") return std::nullopt;
    }
    if (!verb_ok(v, *lemma, i)) return std::nullopt;
    // Agentive passive: "restarted at 14:10 by the autoscaler" — someone else acted.
    for (std::size_t m = i + 1; !subject && m < v.size() && m <= i + 5; ++m) {
        if (v.t[m].gap >= sep_comma) break;
        if (v.w(m) == "by" && !ends_with(v.w(m + 1), "ing")) return std::nullopt;
    }
    return subject ? std::string("done:i+verb-ed") : std::string("done:verb-ed");
}

}  // namespace

std::optional<tag_hit> action_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v.w(i).empty()) continue;
        if (auto r = intent_at(v, i)) return tag_hit{tag::action, *r};
        if (auto r = progressive_at(v, i)) return tag_hit{tag::action, *r};
        if (auto r = done_at(v, i)) return tag_hit{tag::action, *r};
        if (auto r = gerund_at(v, i)) return tag_hit{tag::action, *r};
    }
    return std::nullopt;
}

}  // namespace ib::tagger
