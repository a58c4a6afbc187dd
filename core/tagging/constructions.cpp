// Clause-level constructions over the token stream (see constructions.hpp). One pass per
// sentence; every check looks a bounded number of tokens around its cue.
#include "core/tagging/constructions.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace ib::tagging {
namespace {

using sv = std::string_view;

constexpr std::array<sv, k_count> k_names = {
    "intent+op_verb",     "intent+comms",        "progressive+op_verb", "subject+op_verb-ed",
    "initial op_verb-ing", "initial op_verb-ed", "op_verb+audience",  "gerund subject",
    "passive by someone", "op_verb in question", "request to act",     "object+op_verb-ed",
    "switched on/off",    "personal object",     "evidence object",    "takes on an operation",
    "writer's verb",
    "hedge+explanation",  "hedge about oneself", "cause question",     "hedged cause",
    "confirmed",          "open hedge",          "conditional",        "alternative",
    "yes/no cause question", "idea judged",
    "status channel",     "tell audience",       "audience asks",       "audience reports",
    "audience affected",  "support volume",      "someone else's status", "run code",         "code: tool",
    "code: arguments",    "code: plain",         "bare question",
};

// Looks at one sentence [b, e) of the stream.
class sentence {
public:
    sentence(const tokens& t, std::size_t b, std::size_t e, construction_sink sink, void* context)
        : t_(t), L_(t.list), b_(b), e_(e), sink_(sink), context_(context) {
        question_ = e > b && L_[e - 1].kind == token_kind::punct && t.str(L_[e - 1]) == "?";
    }

    void run() {
        for (std::size_t i = b_; i < e_; ++i) {
            action_at(i);
            hypothesis_at(i);
            status_at(i);
            command_at(i);
        }
        if (question_) cause_question();
        if (question_) yesno_cause();
        conditional();
        alternative();
    }

private:
    const tokens& t_;
    const std::vector<token>& L_;
    std::size_t b_, e_;
    construction_sink sink_;
    void* context_;
    bool question_ = false;
    std::uint64_t found_ = 0;  // kinds already reported for this sentence

    // Whether the clause of token i asks: the sentence ends with '?' and i is in its last clause,
    // or its clause opens with a modal or question word. "I can take the database side, Marco can
    // you look at the app?" asks only in its second clause; "should we roll back, or wait?" in both.
    bool asks(std::size_t i) const {
        if (!question_ || i >= e_) return question_;
        const std::uint8_t c = L_[i].clause;
        if (c == L_[e_ - 1].clause) return true;
        std::size_t k = i;
        while (k > b_ && L_[k - 1].clause == c) --k;
        while (k < i && (L_[k].kind != token_kind::word || is(k, wr_transparent))) ++k;
        return (cls(k) & (wc_modal | wc_question)) != 0 || is(k, wr_not_cause_q);
    }

    void hit(construction c, std::size_t i) {
        if (found_ >> c & 1u) return;
        found_ |= std::uint64_t{1} << c;
        sink_(context_, c, i);
    }

    sv w(std::size_t i) const { return i < e_ && L_[i].kind == token_kind::word ? t_.str(L_[i]) : sv{}; }
    std::uint32_t cls(std::size_t i) const { return i < e_ ? L_[i].classes : 0; }
    bool is(std::size_t i, std::uint64_t roles) const { return i < e_ && (L_[i].roles & roles) != 0; }
    form form_of(std::size_t i) const { return i < e_ ? L_[i].form : form::exact; }
    bool comma(std::size_t i) const { return i < e_ && L_[i].kind == token_kind::punct && t_.str(L_[i]) == ","; }

    // Words that may sit between a subject or marker and its verb.
    bool filler(std::size_t i) const {
        if (is(i, wr_filler)) return true;
        const sv x = w(i);
        return x.size() > 4 && x.ends_with("ly");
    }

    std::size_t skip_fillers(std::size_t i, int most = 4) const {
        while (most-- > 0 && i < e_ && filler(i)) ++i;
        return i;
    }

    // i opens a clause: the sentence start, after a comma, or after transparent words.
    bool clause_start(std::size_t i) const {
        std::size_t k = i;
        for (int steps = 0; steps < 6; ++steps) {
            if (k == b_) return true;
            const std::size_t p = k - 1;
            if (comma(p)) return true;
            const bool transparent = L_[p].kind == token_kind::user || L_[p].kind == token_kind::emoji ||
                                     L_[p].kind == token_kind::special || filler(p) || is(p, wr_transparent) ||
                                     (L_[p].kind == token_kind::punct && t_.str(L_[p]) == ":");
            if (!transparent) return false;
            k = p;
        }
        return false;
    }

    bool op(std::size_t i) const { return (cls(i) & wc_op_verb) != 0; }
    bool numeric(std::size_t i) const {
        const sv x = w(i);
        return !x.empty() && (x[0] == '0' || (x[0] == '~' && x.size() > 1 && x[1] == '0'));
    }

    // Past forms: "-ed" and irregular, and the verbs whose past is their base ("set", "reset").
    bool past(std::size_t i) const {
        return form_of(i) == form::past ||
               (form_of(i) == form::exact && is(i, wr_same_past));
    }

    // What the verb at v acts on, within a few tokens: people to tell, or something personal.
    bool comms_object(std::size_t v) const {
        for (std::size_t k = v + 1; k < e_ && k <= v + 5; ++k) {
            if (comma(k)) break;
            if (cls(k) & (wc_audience | wc_comms_item)) return true;
            if (cls(k) & (wc_system | wc_arg | wc_code)) return false;
        }
        return false;
    }
    // "the job output", "logs", "a thread dump": something to read, not a change.
    bool evidence_object(std::size_t v) const {
        for (std::size_t k = v + 1; k < e_ && k <= v + 4; ++k) {
            if (comma(k)) break;
            if (is(k, wr_evidence)) return true;
            if (cls(k) & (wc_arg | wc_code)) return false;
        }
        return false;
    }
    bool personal_object(std::size_t v) const {
        for (std::size_t k = v + 1; k < e_ && k <= v + 3; ++k) {
            if (comma(k)) break;
            if ((cls(k) & wc_personal) || is(k, wr_personal_obj)) return true;
        }
        return false;
    }

    // The verb at v, found after a subject or marker: reports the right construction.
    void acting_verb(std::size_t v, construction plain) {
        if (personal_object(v)) return hit(k_personal_object, v);
        if (evidence_object(v) && !(cls(v) & wc_comms_verb)) return hit(k_evidence_object, v);
        if (comms_object(v) || (cls(v) & wc_comms_verb && !(cls(v) & wc_op_verb)))
            return hit(plain == k_intent_op ? k_intent_comms : k_op_comms_object, v);
        hit(plain, v);
    }

    // A verb the lexicon does not know as an operation, in form f: a word of no word class, or
    // one inflected into f; for unknown words the suffix decides ("clamping", "consolidated").
    // Nouns in -ing that are no verb here ("nothing", "morning", "pending") do not count.
    bool other_verb(std::size_t v, form f) const {
        const sv x = w(v);
        if (x.size() < 4 || op(v) || (cls(v) & (wc_first_person | wc_question | wc_modal | wc_hedge))) return false;
        if (form_of(v) != form::exact) return form_of(v) == f;
        if (cls(v) != 0) return f == form::exact && !is(v, wr_transparent);
        if (f == form::ing)
            return x.size() > 5 && ends_with(x, "ing") && x != "nothing" && x != "something" && x != "anything" &&
                   x != "everything" && x != "morning" && x != "evening" && x != "during" && x != "pending";
        if (f == form::past) return x.size() > 4 && ends_with(x, "ed");
        return true;
    }

    // "started to", "tried to", "needed to": a verb of aspect or intent before an infinitive, not
    // a change reported ("set to false", "scaled to 40" are).
    bool aspect_to(std::size_t v) const { return is(v, wr_aspect_to) && w(v + 1) == "to"; }

    // A clause of a few subject tokens, then an operational verb-ed or "on"/"off": "kill switch
    // engaged", "flag `x` set to false", "challenge-mode on at the WAF". Not "failed to", not a
    // failure ("the failover failed"), not one done by someone named after it ("… by the autoscaler").
    void terse_report(std::size_t i) {
        if (!clause_start(i)) return;
        for (std::size_t v = i + 1; v < e_ && v <= i + 3; ++v) {
            const sv y = w(v);
            if (L_[v].kind == token_kind::punct) return;
            if (y == "on" || y == "off") {
                const sv nx = w(v + 1);
                if (v + 1 == e_ || comma(v + 1) || nx == "at" || nx == "for" || nx == "in" || nx == "until" ||
                    nx == "now" || nx == "again" || (L_[v + 1].kind == token_kind::punct))
                    return hit(k_switch, v);
                return;
            }
            if (op(v) && past(v) && !(cls(v) & wc_failure) && !aspect_to(v)) {
                for (std::size_t k = v + 1; k < e_ && k <= v + 5; ++k)
                    if (w(k) == "by" && !w(k + 1).ends_with("ing")) return;
                return hit(k_object_done, v);
            }
            // The subject is a few nouns or names, not a verb, a pronoun or a copula.
            if ((cls(v) & (wc_first_person | wc_modal | wc_question | wc_negation)) || y == "is" || y == "was" ||
                y == "are" || y == "were" || y == "be" || y == "been" || y == "has" || y == "have" || y == "had")
                return;
        }
    }

    // "handle the rollback", "work on the permanent fix", "take the failover": a light verb at v
    // whose object, a few words on, is an operation named as a noun.
    bool takes_on_op(std::size_t v) const {
        if (!is(v, wr_light_verb)) return false;
        for (std::size_t k = v + 1; k < e_ && k <= v + 5; ++k) {
            if (comma(k) || (cls(k) & (wc_comms_item | wc_audience))) return false;
            const sv y = w(k);
            if ((op(k) && form_of(k) != form::past) &&
                (w(k - 1) == "the" || w(k - 1) == "a" || w(k - 1) == "an" || w(k - 1) == "on" ||
                 (L_[k - 1].classes == 0 && w(k - 1) != "to")) &&
                y != "look" && !(cls(k) & wc_personal))
                return true;
        }
        return false;
    }

    void action_at(std::size_t i) {
        const sv x = w(i);
        if (x.empty()) return;
        // "on it", "I'm on it", "on it now": the writer taking the job; "going for it", "ok, going
        // for it": the writer going ahead with what was weighed. Each a clause of its own, from
        // token i to `next`.
        auto own_clause = [&](std::size_t next) {
            return !asks(i) && (clause_start(i) || (i > b_ && is(i - 1, wr_progressive | wr_subject))) &&
                   (next >= e_ || comma(next) || w(next) == "now" || L_[next].kind != token_kind::word);
        };
        if (x == "on" && w(i + 1) == "it" && own_clause(i + 2)) return hit(k_takes_on_op, i);
        if (x == "going" && w(i + 1) == "for" && w(i + 2) == "it" && own_clause(i + 3)) return hit(k_takes_on_op, i);
        if (!(cls(i) & (wc_first_person | wc_question | wc_modal)) && !is(i, wr_transparent) && form_of(i) == form::exact)
            terse_report(i);
        // Intent: "I'll …", "going to …", "about to …", "let me …".
        std::size_t after = 0;
        const bool subject = is(i, wr_subject);
        if (is(i, wr_intent))
            after = i + 1;
        else if (subject && w(i + 1) == "will")
            after = i + 2;
        else if (is(i, wr_intent_to) && w(i + 1) == "to")
            after = i + 2;
        else if (x == "let" && w(i + 1) == "me")
            after = i + 2;
        else if (subject && (w(i + 1) == "can" || w(i + 1) == "need" || w(i + 1) == "should"))
            after = i + (w(i + 2) == "to" ? 3 : 2);
        if (after) {
            std::size_t v = skip_fillers(after);
            if (w(v) == "be") v = skip_fillers(v + 1);
            if (op(v) && (form_of(v) == form::exact || (w(v - 1) == "be" && form_of(v) == form::ing)))
                acting_verb(v, asks(v) ? k_op_question : k_intent_op);
            else if (!asks(v) && takes_on_op(v))
                hit(k_takes_on_op, v);
            else if (!asks(v) && other_verb(v, form::exact))
                hit(k_writer_verb, v);
            return;
        }
        // Progressive: "I'm restarting …", "we're rolling …".
        std::size_t prog = 0;
        if (is(i, wr_progressive))
            prog = i + 1;
        else if ((x == "i" && w(i + 1) == "am") || (x == "we" && w(i + 1) == "are"))
            prog = i + 2;
        if (prog) {
            const std::size_t v = skip_fillers(prog);
            if (op(v) && form_of(v) == form::ing) acting_verb(v, asks(v) ? k_op_question : k_progressive_op);
            else if (!asks(v) && takes_on_op(v))
                hit(k_takes_on_op, v);
            else if (!asks(v) && other_verb(v, form::ing))
                hit(k_writer_verb, v);
            return;
        }
        // A first-person subject and a past verb: "I killed it", "we've drained node-7".
        if (subject || is(i, wr_perfect)) {
            std::size_t v = i + 1;
            for (int steps = 0; steps < 4 && v < e_ && (filler(v) || w(v) == "have" || w(v) == "had"); ++steps) ++v;
            // "we ran out of disk" is a state, not running something.
            if (op(v) && past(v) && !is(v + 1, wr_state)) acting_verb(v, asks(v) ? k_op_question : k_subject_past_op);
            else if (!asks(v) && other_verb(v, form::past))
                hit(k_writer_verb, v);
            return;
        }
        if (!op(i)) {
            if (!asks(i) && other_verb(i, form::ing) && clause_start(i)) hit(k_writer_verb, i);
            return;
        }
        // Someone else asked to act: "can you restart …", "please drain …", "someone should …".
        if (form_of(i) == form::exact) {
            for (std::size_t k = i; k > b_ && k + 4 > i; --k)
                if (is(k - 1, wr_request)) return hit(k_request_op, i);
            if (asks(i)) return hit(k_op_question, i);
            return;
        }
        if (!clause_start(i)) return;
        if (form_of(i) == form::ing) {
            for (std::size_t k = i + 1; k < e_ && k <= i + 4 && !comma(k); ++k)
                if (is(k, wr_gerund_follow)) return hit(k_gerund_subject, i);
            acting_verb(i, asks(i) ? k_op_question : k_initial_ing_op);
            return;
        }
        if (past(i)) {
            // "started seeing errors", "stopped working": aspect, not an operation.
            if ((x == "started" || x == "stopped") && (w(i + 1) == "to" || w(i + 1).ends_with("ing"))) return;
            for (std::size_t k = i + 1; k < e_ && k <= i + 5; ++k) {
                if (comma(k)) break;
                if (w(k) == "by" && !w(k + 1).ends_with("ing")) return hit(k_agent_passive, i);
            }
            acting_verb(i, asks(i) ? k_op_question : k_initial_past_op);
        }
    }

    // A hedge word that hedges here: "looks like" but not "look at", "could be" but not "could you".
    bool hedge(std::size_t i) const {
        const sv x = w(i), nx = w(i + 1);
        if ((x == "sure" && i > b_ && is(i - 1, wr_sure_intensifier)) ||
            (x == "certainly" && i > b_ && w(i - 1) == "almost") ||
            (x == "leaning" && (nx == "towards" || nx == "toward")) ||
            ((x == "has" || x == "have" || x == "got" || x == "gotta") &&
             (nx == "be" || (nx == "to" && w(i + 2) == "be"))))
            return true;
        if ((x == "put" || x == "say") && i > b_ && w(i - 1) == "i'd") return true;  // "I'd put money on"
        // "what if it's the firewall rule?" asks about a cause; "what if we just drain …?" proposes.
        if (x == "what" && nx == "if") return !(cls(i + 2) & (wc_first_person | wc_request));
        // Negated certainty: "can't rule out the provider", "wouldn't surprise me if …".
        if (i > b_ && (cls(i - 1) & wc_negation) && ((x == "rule" && nx == "out") || x == "surprise" || x == "surprised"))
            return true;
        if (i > b_ + 1 && x == "surprised" && (cls(i - 2) & wc_negation)) return true;  // "I'd not be surprised"
        if (!(cls(i) & wc_hedge)) return false;
        if (x == "idea" && i > b_ && w(i - 1) == "no") return false;  // "no idea what that does"
        // "not a guess, it's in its config": a hedge denied is certainty.
        if (i > b_ + 1 && w(i - 1) == "a" && (cls(i - 2) & wc_negation)) return false;
        if (is(i, wr_like_verb)) return nx == "like" || (x == "feeling" && nx.empty());
        if (is(i, wr_hedge_modal)) return is(i + 1, wr_modal_next);
        if (x == "seem" || x == "seems" || x == "appear" || x == "appears")
            return nx != "fine" && nx != "good" && nx != "ok";
        return true;
    }

    void hypothesis_at(std::size_t i) {
        const sv x = w(i);
        if (x.empty()) return;
        if (idea_judged(i)) hit(k_idea_judged, i);
        if (is(i, wr_confirm) || (x == "root" && w(i + 1) == "cause") ||
            (x == "turns" && w(i + 1) == "out") || (x == "found" && w(i + 1) == "it"))
            hit(k_confirmed, i);
        if (cls(i) & wc_cause) {
            for (std::size_t k = b_; k < e_; ++k)
                if (k != i && (cls(k) & (wc_hedge | wc_modal))) return hit(k_hedged_cause, i);
        }
        if (!hedge(i)) return;
        // "we should probably restart", "I'll probably", "not likely": a plan or a denial.
        if (i > b_) {
            const sv pv = w(i - 1);
            if (pv == "should" || pv == "shall" || pv == "will" || pv == "would" || pv == "not" ||
                pv == "don't" || pv == "dont" || is(i - 1, wr_intent))
                return hit(k_hedge_personal, i);
        }
        // What the hedge is about: the writer, a time, a plan or a verdict is not an explanation.
        std::size_t j = i + 1;
        while (j < e_ && is(j, wr_hedge_glue)) ++j;
        const sv first = w(i + 1);
        // "I think we should page Dana" is a plan; "I think we hit the pool limit" explains.
        bool about_self = false;
        if ((cls(i + 1) & wc_first_person) || is(i + 1, wr_not_about)) {
            const bool we = first == "we" || first == "our" || first == "we're" || first == "we've";
            about_self = !we || (cls(i + 2) & (wc_modal | wc_intent)) || is(i + 2, wr_intent | wr_intent_to);
        }
        if (about_self || (cls(i + 1) & (wc_personal | wc_time)) ||
            is(j, wr_verdict) || (cls(j) & (wc_personal | wc_time)) || numeric(i + 1) || first == "around" ||
            first == "about" || first == "~")
            return hit(k_hedge_personal, i);
        for (std::size_t k = i + 1; k < e_ && k <= i + 5; ++k)
            if (is(k, wr_trend) || (w(k) == "coming" && (w(k + 1) == "down" || w(k + 1) == "back")))
                return hit(k_hedge_personal, i);
        for (std::size_t k = b_; k < e_; ++k) {
            if (k == i) continue;
            const sv y = t_.str(L_[k]);
            if ((cls(k) & (wc_system | wc_failure | wc_cause | wc_vendor | wc_automation | wc_arg | wc_code)) ||
                y == "<5xx>" || y == "<4xx>")
                return hit(k_hedge_explains, i);
        }
        hit(k_hedge_open, i);
    }

    // "the noisy-tenant idea was wrong", "the WAF idea is out", "the health-group guess was it",
    // "the cache and van-capacity ideas were red herrings", "the rate-limit theory doesn't fit": an
    // explanation named as a noun and given its verdict. Not "my guess is the pool" (the verdict
    // words must follow the verb; "it" only as the clause's last word).
    bool idea_judged(std::size_t i) const {
        const sv x = w(i);
        if (x != "idea" && x != "ideas" && x != "guess" && x != "theory" && x != "theories" && x != "hunch" &&
            x != "hypothesis" && x != "suspicion" && x != "suspect")
            return false;
        const sv v = w(i + 1);
        const bool neg = v == "doesn't" || v == "doesnt" || v == "didn't" || v == "didnt" || v == "don't";
        if (neg) {
            const sv y = w(i + 2);
            return y == "fit" || y == "hold" || y == "work" || y == "explain" || y == "pan";
        }
        if (v != "was" && v != "were" && v != "is" && v != "are" && v != "wasn't" && v != "isn't") return false;
        for (std::size_t k = i + 2; k < e_ && k <= i + 3; ++k) {
            const sv y = w(k);
            if (y == "wrong" || y == "right" || y == "correct" || y == "out" || y == "dead" || y == "off" ||
                y == "herring" || y == "herrings" || y == "confirmed" || y == "ruled" || y == "busted" ||
                y == "disproven" || y == "moot" || y == "spot")
                return true;
            if (y == "it" && k == i + 2 && (k + 1 >= e_ || L_[k + 1].kind != token_kind::word)) return true;
        }
        return false;
    }

    // "if MOMO-7 is looping then the queue would back up like this", "if it's the cert, only the
    // old clients would fail": a condition with a consequence drawn from it.
    void conditional() {
        for (std::size_t i = b_; i < e_; ++i) {
            if (w(i) != "if") continue;
            // "if you can", "if we roll back", "if needed", "if so": a request, a plan or a filler.
            const sv nx = w(i + 1);
            if (is(i + 1, wr_request) || nx == "needed" || nx == "so" || nx == "possible" || nx == "any" ||
                ((cls(i + 1) & wc_first_person) && op(skip_fillers(i + 2))))
                return;
            for (std::size_t k = i + 2; k < e_ && k <= i + 16; ++k) {
                const sv y = w(k);
                if (y == "then" || y == "would" || y == "wouldn't" || y == "that'd" || y == "it'd" || y == "we'd" ||
                    y == "that'll" || y == "explains" || y == "means" || y == "exactly" || (cls(k) & wc_cause))
                    return hit(k_conditional, i);
            }
            return;
        }
    }

    // "or the geo db lookup", "or a nonce gap?", "hmm, or is it the map?": another candidate.
    void alternative() {
        for (std::size_t i = b_; i < e_ && i < b_ + 3; ++i) {
            if (w(i) != "or") continue;
            if (!clause_start(i) && i != b_) return;
            const sv nx = w(i + 1);
            // "or someone turned on debug logging?" offers a third party's doing as the cause (as
            // cause_question() reads "someone tightened the bucket policy?"); "or someone should…" a plan.
            const bool someone = nx == "someone" || nx == "somebody";
            if (someone && !(cls(i + 2) & wc_modal)) return hit(k_alternative, i);
            // "or should we…", "or do you want…", "or I can…": a choice of plan, not of cause.
            if (is(i + 1, wr_request | wr_subject) || nx == "should" || nx == "do" || nx == "can" || nx == "shall")
                return;
            return hit(k_alternative, i);
        }
    }

    // "bad AMI on those 3?", "could the TLS handshake be timing out?": a question that names
    // a possible cause, not one that asks for someone or something to be done.
    void cause_question() {
        const sv first = w(b_);
        // "is it the cache?" names a cause; "is the bridge open?" does not.
        const bool is_it = (first == "is" || first == "was" || first == "are" || first == "would") &&
                           is(b_ + 1, wr_pronoun_it);
        if (is(b_, wr_not_cause_q) && !is_it) return;
        if (first == "what" && w(b_ + 1) != "if" && w(b_ + 1) != "about") return;
        if (first == "could" && is(b_ + 1, wr_request | wr_subject)) return;
        // Asking someone ("can you…", "please…", "should we…") is no hypothesis; "someone tightened
        // the bucket policy?" is one.
        for (std::size_t k = b_; k < e_; ++k) {
            const bool someone = w(k) == "someone" || w(k) == "somebody" || w(k) == "anyone" || w(k) == "anybody";
            if ((is(k, wr_request | wr_subject) && !someone) || (someone && (cls(k + 1) & wc_modal))) return;
        }
        for (std::size_t k = b_; k < e_; ++k)
            if (cls(k) & (wc_system | wc_failure | wc_cause | wc_vendor | wc_automation)) return hit(k_cause_question, k);
        hit(k_bare_question, b_);
    }

    // "are the updated units boot-looping?", "did the cron fire twice?", "someone ran a purge-all?":
    // a yes/no question whose subject is a third party (not "you", "we", "anyone") and that says
    // what it may have done or be doing. "is the bridge open?" names no happening; "did you
    // restart it?" and "are we rolling back?" ask about people.
    void yesno_cause() {
        const sv first = w(b_);
        const bool aux = first == "is" || first == "are" || first == "was" || first == "were" || first == "did" ||
                         first == "does" || first == "do" || first == "has" || first == "have" || first == "had";
        const bool someone = first == "someone" || first == "somebody" || first == "something";
        if (!aux && !someone) return;
        const std::size_t s = b_ + 1;
        const sv subj = w(s);
        if (aux && (s >= e_ || is(s, wr_request | wr_subject) || (cls(s) & wc_first_person) || subj == "you" ||
                    subj == "u" || subj == "anyone" || subj == "anybody" || subj == "everyone" || subj == "there"))
            return;
        for (std::size_t k = s; k < e_; ++k) {
            if (L_[k].kind != token_kind::word) continue;
            if (form_of(k) == form::ing || form_of(k) == form::past || (cls(k) & wc_failure))
                return hit(k_yesno_cause, k);
        }
    }

    // The status page at i belongs to someone else: a vendor's, "their", "the exchange's".
    bool others_page(std::size_t i) const {
        for (std::size_t k = i; k > b_ && k + 3 > i; --k) {
            const sv y = w(k - 1);
            if ((cls(k - 1) & wc_vendor) || y == "their" || y == "its" || y == "own" || y == "vendor's" ||
                (y.ends_with("'s") && !(cls(k - 1) & (wc_audience | wc_first_person)) && y != "it's" && y != "that's"))
                return true;
        }
        return false;
    }

    void status_at(std::size_t i) {
        const std::uint32_t c = cls(i);
        const sv x = t_.str(L_[i]);
        if ((c & wc_status_word) && ((c & wc_comms_item) || is(i + 1, wr_status_next)))
            return hit(others_page(i) ? k_others_status : k_status_channel, i);
        if (is(i, wr_channel)) return hit(k_status_channel, i);
        if (c & wc_comms_verb) {
            for (std::size_t k = i + 1; k < e_ && k <= i + 5; ++k) {
                if (cls(k) & (wc_audience | wc_comms_item)) return hit(k_tell_audience, i);
                if (cls(k) & (wc_system | wc_code | wc_arg)) break;
            }
            // "told them 11:00": the audience named before
            if (form_of(i) == form::past && is(i + 1, wr_them)) return hit(k_tell_audience, i);
            // "CSMs notified", "ops mgr informed", "the VP has been informed"
            if (form_of(i) == form::past && !(c & wc_op_verb) && i > b_ && L_[i - 1].kind == token_kind::word &&
                !(cls(i - 1) & (wc_first_person | wc_negation)))
                return hit(k_tell_audience, i);
        }
        // "heads-up to the CFO", "letting our VP know"
        if ((x == "heads-up" || x == "headsup" || x == "fyi") && (cls(i + 1) & wc_audience || w(i + 1) == "to"))
            return hit(k_tell_audience, i);
        // "let the partner team know", "letting them know"; not "let me know", "let you know".
        if (x == "let" || x == "letting" || x == "lets") {
            for (std::size_t k = i + 2; k < e_ && k <= i + 6; ++k) {
                const sv y = w(k);
                if (y == "me" || y == "you" || y == "u" || y == "us" || y == "y'all") break;
                if (y == "know") return hit(k_tell_audience, i);
            }
        }
        if (c & wc_audience) {
            for (std::size_t k = i + 1; k < e_ && k <= i + 4; ++k) {
                if (is(k, wr_asks)) return hit(k_audience_asks, i);
                // "the partner managers got our ETA by email", "the CIO has the summary"
                const sv y = w(k);
                if (y == "got" || y == "received" || y == "has" || y == "have" || y == "gets")
                    for (std::size_t m = k + 1; m < e_ && m <= k + 4; ++m) {
                        if (is(m, wr_volume)) break;  // "support has 30 tickets": volume, below
                        if (cls(m) & wc_comms_item) return hit(k_tell_audience, i);
                    }
                if (cls(k) & wc_observe) return hit(is(k, wr_experience) ? k_audience_affected : k_audience_reports, i);
            }
            // "support has 30 tickets", "12 new tickets from enterprise customers"
            for (std::size_t k = b_; k < e_; ++k)
                if (is(k, wr_volume) && (is(i, wr_helpdesk) || w(k) != "queue")) return hit(k_support_volume, i);
        }
    }

    void command_at(std::size_t i) {
        const token& tk = L_[i];
        if (is(i, wr_run)) {
            for (std::size_t k = i + 1; k < e_ && k <= i + 2; ++k)
                if (cls(k) & (wc_code | wc_tool | wc_tool_word)) return hit(k_run_code, i);
        }
        if (tk.kind != token_kind::code_span && tk.kind != token_kind::code_block) return;
        const code_shape cs = inspect_code(t_.content(tk));
        if (cs.sentence_case) return hit(k_code_plain, i);
        if (cs.tool() || cs.prompt) return hit(k_code_tool, i);
        if (cs.flag || cs.pipe || cs.path) return hit(k_code_args, i);
        if (!cs.spaces || cs.assign || cs.label || cs.sentence_case) hit(k_code_plain, i);
    }
};

}  // namespace

void find_constructions(const tokens& toks, construction_sink sink, void* context) {
    for_each_sentence(toks, [&](std::size_t b, std::size_t e) { sentence(toks, b, e, sink, context).run(); });
}

std::string_view construction_name(construction c) { return c < k_count ? k_names[c] : sv{}; }

}  // namespace ib::tagging
