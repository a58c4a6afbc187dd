// Word classes for the tagger's model: what a word means in an incident channel, independent of
// any one corpus. The model learns a weight per class (and per class next to a word), so a
// phrasing it never saw still counts when its words belong to a known class: "bet", "reckon" and
// "vermutlich" are all hedges; "CSMs", "the VP" and "regulators" are all audiences.
//
// Lists are written from the definitions of the tags and general knowledge of incident response
// and operations tooling, not from the labelled corpora.
#pragma once

#include <cstdint>
#include <string_view>

namespace ib::tagging {

// One bit per class; a word may be in several ("update": comms verb and operational verb).
enum word_class : std::uint32_t {
    wc_hedge = 1u << 0,        // tentative-explanation markers: probably, bet, wonder, suspect, smells
    wc_cause = 1u << 1,        // causal words: because, due, caused, culprit, explains, triggered
    wc_system = 1u << 2,       // system parts: db, cache, pool, dns, cert, node, queue, config
    wc_failure = 1u << 3,      // failure words: leak, exhausted, timeout, stuck, saturated, broke
    wc_op_verb = 1u << 4,      // acting on the system: restart, roll back, drain, failover, page
    wc_look_verb = 1u << 5,    // investigating: check, look, dig, grep, inspect, compare, watch
    wc_comms_verb = 1u << 6,   // telling people: notify, inform, email, brief, announce, reply
    wc_audience = 1u << 7,     // customers and stakeholders: customers, CSM, VP, legal, press
    wc_comms_item = 1u << 8,   // what they are told through: status page, banner, macro, advisory
    wc_tool = 1u << 9,         // command-line tools and REPLs: kubectl, psql, dig, journalctl
    wc_sql = 1u << 10,         // SQL statement heads and clauses: select, update, where, vacuum
    wc_first_person = 1u << 11,  // i, i'm, we'll, me, my, our
    wc_intent = 1u << 12,      // will, 'll, gonna, going, about, ready, lemme, plan
    wc_modal = 1u << 13,       // should, shall, could, would, can, may
    wc_request = 1u << 14,     // please, someone, anyone, you, can you
    wc_negation = 1u << 15,    // not, no, never, didn't, nothing
    wc_personal = 1u << 16,    // coffee, lunch, brb, afk, laptop: the writer, not the system
    wc_automation = 1u << 17,  // autoscaler, cron, bot, controller: something acting by itself
    wc_vendor = 1u << 18,      // outside providers: aws, cloudflare, vendor, isp, carrier
    wc_time = 1u << 19,        // minutes, tomorrow, eta, later, soon, tonight
    wc_done = 1u << 20,        // done, finished, complete, applied, succeeded
    wc_question = 1u << 21,    // who, what, why, how, which, anyone, does, did
    wc_observe = 1u << 22,     // see, shows, seeing, noticed, getting, reports
    wc_status_word = 1u << 23, // "status" itself: technical (pod status) or comms (status page)
    // Set by the tokeniser from a token's shape, not listed:
    wc_arg = 1u << 24,         // looks like a command argument: -flag, /path, key=value, host-0, @ns
    wc_code = 1u << 25,        // a code span or block
    wc_mention = 1u << 26,     // a user or group mention
    wc_link = 1u << 27,        // a link
    wc_qmark = 1u << 28,       // a question mark
    wc_sql_caps = 1u << 29,    // SQL only in capitals (UPDATE, SET, FROM); the tokeniser turns it
                               // into wc_sql for a word written in capitals and drops it otherwise
    wc_tool_word = 1u << 30,   // a tool named like an English word: cat, top, less, ping, dig
};
constexpr unsigned k_word_classes = 31;

// Roles of function words in the constructions (constructions.hpp): exact words, not inflected.
enum word_role : std::uint64_t {
    wr_intent = 1ull << 0,         // i'll, we'll, lemme, gonna: a verb follows
    wr_intent_to = 1ull << 1,      // going, about, ready, planning, want: "to" and a verb follow
    wr_subject = 1ull << 2,        // i, we
    wr_progressive = 1ull << 3,    // i'm, im, we're
    wr_perfect = 1ull << 4,        // i've, ive, we've
    wr_filler = 1ull << 5,         // just, now, also, quickly: between a subject and its verb
    wr_transparent = 1ull << 6,    // and, so, then, ok: before a clause's first word
    wr_gerund_follow = 1ull << 7,  // is, was, didn't, helped: after a gerund that is a subject
    wr_request = 1ull << 8,        // you, someone, please: asking someone else
    wr_not_cause_q = 1ull << 9,    // who, where, can, should, status: opens a question naming no cause
    wr_confirm = 1ull << 10,       // confirmed, definitely, culprit, verified
    wr_hedge_glue = 1ull << 11,    // like, that, it's, is, be, a, the: between a hedge and its content
    wr_verdict = 1ull << 12,       // good, fine, great, plan, worth: a hedge judging, not explaining
    wr_trend = 1ull << 13,         // recovering, improving, normal, right, agree
    wr_asks = 1ull << 14,          // asking, wants, needs, expects
    wr_helpdesk = 1ull << 15,      // support, zendesk, helpdesk
    wr_volume = 1ull << 16,        // tickets, queue, cases, calls, chats, flooded
    wr_run = 1ull << 17,           // run, ran, tried, exec, typed: running something
    wr_status_next = 1ull << 18,   // page, site, update, dashboard, io: after "status"
    wr_channel = 1ull << 19,       // banner, macro, advisory, blog, tweet, press, statement
    wr_like_verb = 1ull << 20,     // looks, sounds, smells, feels: hedges only before "like"
    wr_hedge_modal = 1ull << 21,   // could, might, may, must: hedges only before be, have, it
    wr_modal_next = 1ull << 22,    // be, have, it, this, that, the, been, explain
    wr_personal_obj = 1ull << 23,  // look, peek, minute, moment, nothing: "take a look" is no action
    wr_state = 1ull << 24,         // low, out, hot, behind: "running low" is a state
    wr_same_past = 1ull << 25,     // set, reset, cut, put, shut: the past is the base form
    wr_not_about = 1ull << 26,     // you, we, not, so, your: after a hedge, not about a cause
    wr_them = 1ull << 27,          // them, him, her, everyone, folks: people named before
    wr_sure_intensifier = 1ull << 28,  // pretty, fairly, quite, almost: "pretty sure"
    wr_pronoun_it = 1ull << 29,    // it, this, that: "is it the cache?"
    wr_experience = 1ull << 30,    // seeing, getting, hitting: an audience affected, not reporting
    wr_cmd_write = 1ull << 31,     // in a command: a verb that changes the system (restart, scale, drop, rm)
    wr_cmd_read = 1ull << 32,      // in a command: a verb that only reads (get, describe, show, logs, select)
    wr_cmd_dry = 1ull << 33,       // set by the tokeniser on a flag that asks for a dry run ("--dry-run")
    wr_cmd_long = 1ull << 34,      // set by the tokeniser on a flag of several words ("--reset-offsets")
    wr_evidence = 1ull << 35,      // output, logs, metrics, screenshot: an object to read, not a change
    wr_aspect_to = 1ull << 36,     // started, tried, needed, failed: before "to" and a verb, no change done
    wr_light_verb = 1ull << 37,    // handle, take, own, work, prep: its object names the operation
    wr_predicate = 1ull << 38,     // is, was, says, has, seems, won't: a tool named before it is a subject
};

// The inflection a word was found under; verbs and plurals share "third" (-s).
enum class form : std::uint8_t { exact, ing, past, third };

struct lexeme {
    std::uint32_t classes = 0;
    ib::tagging::form form = form::exact;
    std::uint64_t roles = 0;  // word_role bits of the word itself
};

// Classes (and roles) of a lowercased word, trying regular inflections (-s, -es, -ies, -ed, -ing with
// doubled consonants and dropped e) and a table of irregular pasts when the word itself is not
// listed. {0, exact} for an unknown word. Pure and allocation-free.
lexeme look_up(std::string_view lowered);

// A PowerShell cmdlet's shape, lowercased: one of PowerShell's approved verbs, a hyphen, a noun of
// letters ("disable-adaccount", "get-mailboxdatabasecopystatus"). The caller checks the case it
// was written in ("Disable-ADAccount"), which tells it from prose ("set-up", "stop-gap").
bool cmdlet_shape(std::string_view lowered);
// The same, given hash_bytes(lowered) (hash.hpp), which the tokeniser has already computed.
lexeme look_up(std::string_view lowered, std::uint64_t plain_hash);

// "hedge", "op_verb", … for bit index 0..k_word_classes-1 (explanations, tests).
std::string_view class_name(unsigned bit);

}  // namespace ib::tagging
