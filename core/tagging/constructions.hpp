// Constructions: clause-level patterns over the token stream and its word classes, the
// linguistic cues behind each tag ("I'll" + an operational verb, a hedge followed by a failure
// word, a comms verb with an audience as its object). Each is a feature of the model, which
// weighs it against everything else in the message; the patterns are deliberately broad (word
// classes, not word lists per pattern) so that phrasings nobody wrote down still match.
#pragma once

#include "core/tagging/features.hpp"

#include <cstdint>
#include <string_view>

namespace ib::tagging {

enum construction : std::uint8_t {
    // action
    k_intent_op,          // I'll / going to / about to / let me / gonna + operational verb
    k_intent_comms,       // the same, but its object is an audience or a comms item ("I'll update the VP")
    k_progressive_op,     // I'm / we're + verb-ing
    k_subject_past_op,    // I / we / I've + verb-ed ("I killed it", "we've drained node-7")
    k_initial_ing_op,     // clause-initial verb-ing ("rolling back to 3.2.1", "paging the DBA")
    k_initial_past_op,    // clause-initial verb-ed ("restarted pgbouncer", "failed over at 04:18")
    k_op_comms_object,    // an operational-looking verb whose object is people to tell ("looping in legal")
    k_gerund_subject,     // verb-ing as a subject ("restarting didn't help")
    k_agent_passive,      // verb-ed by someone else ("restarted by the autoscaler")
    k_op_question,        // an operational verb in a question or proposal ("should we roll back?")
    k_request_op,         // someone else asked to act ("can you restart…", "please drain…")
    k_object_done,        // a short subject, then an operational verb-ed: an action reported tersely
                          // ("kill switch engaged", "node-7 drained", "flag `x` set to false")
    k_switch,             // a short clause switching something on or off ("flag off", "challenge-mode on")
    k_personal_object,    // the verb's object is personal ("grab lunch", "take a look")
    k_evidence_object,    // the verb's object is evidence to read ("pulling the job output", "grabbed the logs")
    k_takes_on_op,        // I'll / I'm + a light verb + an operation as a noun ("I'll handle the rollback",
                          // "I'm working on the permanent fix")
    k_writer_verb,        // the writer's clause shape around a verb the lexicon does not know as an
                          // operation: clause-initial verb-ing ("clamping MSS to 1360"), I'm / we're +
                          // verb-ing, I / we + verb-ed, I'll + verb ("consolidating the snapshots")
    // hypothesis
    k_hedge_explains,     // a hedge, then a system, failure or cause word in the same sentence
    k_hedge_personal,     // a hedge about the writer, time or a plan ("I think I need coffee")
    k_cause_question,     // a question naming a possible cause ("bad AMI on those 3?")
    k_hedged_cause,       // a causal word under a modal or hedge ("would explain", "might have caused")
    k_confirmed,          // certainty words ("confirmed", "root cause was")
    k_hedge_open,         // a hedge about something other than the writer, a time or a plan, in a
                          // sentence that names no system or failure ("my guess is someone fed garbage in")
    k_conditional,        // reasoning from a condition: "if X then Y would …", "if it's the cert, only …"
    k_alternative,        // a clause opening with "or" that offers another candidate ("or a nonce gap?")
    k_yesno_cause,        // a yes/no question about something other than the writer or the reader,
                          // with a verb in -ing/-ed or a failure word ("are the units boot-looping?",
                          // "did the cron fire twice?", "someone ran a purge-all?")
    k_idea_judged,        // an explanation named as an idea and judged: not a hypothesis but its verdict
                          // ("the noisy-tenant idea was wrong", "the health-group guess was it",
                          // "the cache and van-capacity ideas were red herrings", "that theory doesn't fit")
    // status
    k_status_channel,     // a status page, status site, banner, macro, advisory
    k_tell_audience,      // a comms verb with an audience or comms item near it
    k_audience_asks,      // an audience wanting or asking something ("leadership wants an update")
    k_audience_reports,   // an audience telling us something ("customers say X is down", "users are complaining")
    k_audience_affected,  // an audience hit by the failure ("customers seeing 502s"): impact, not a report
    k_support_volume,     // support tickets or queues ("support has 30 tickets", "zendesk queue")
    k_others_status,      // someone else's status page or indicator ("AWS status page still shows green")
    // command
    k_run_code,           // a run verb with code or a tool ("ran `df -h`", "try htop")
    k_code_tool,          // code whose first word is a tool or SQL
    k_code_args,          // code with arguments (flags, paths, pipes) behind an unknown first word
    k_code_plain,         // code that holds no command shape (a setting, a name, an error)
    k_bare_question,      // a question that is neither a wh-question nor a request ("tombstones?")
    k_count
};

// Called for each construction found, with the token where it was found (its verb, hedge or cue).
using construction_sink = void (*)(void* context, construction what, std::size_t tok);

// Reports every construction in `toks`, at most one of each kind per sentence. No allocation.
void find_constructions(const tokens& toks, construction_sink sink, void* context);

// "intent+op_verb", … for explanations.
std::string_view construction_name(construction c);

}  // namespace ib::tagging
