// The vocabulary of the product flows (engineering.md §3.8). Each flow in core/flows/ is a small
// state machine that does no I/O: it returns the next effect as plain data, the executor in
// bot/app/ performs it and feeds the outcome back as the next event:
//
//     flows::action act = flow.start();
//     while (!std::holds_alternative<flows::done>(act.what)) {
//         log(act.log);
//         flows::event ev = perform(act.what);   // a Web API call, a durable write, an ack, …
//         act = flow.resume(ev);
//     }
//
// Effects and events are the same for every flow, so one executor performs them all and a test
// steps any flow by hand, without sockets, threads or a clock. A flow's state is plain data too
// (copyable, comparable): saved between two steps, it can be resumed after a restart with the
// `restarted` event (see each flow's header for what it redoes and what it skips).
#pragma once

#include "core/export.hpp"
#include "core/incident.hpp"
#include "core/slack/web_api.hpp"
#include "core/time.hpp"
#include "core/timeline.hpp"
#include "core/users.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ib::flows {

// ---- effects: what the executor must do next ------------------------------------------------

// The flow is over.
struct done {};

// Call a Slack Web API method with the bot token. -> called
struct call {
    std::string method;      // "conversations.create", "chat.postMessage", …
    nlohmann::json args;     // the JSON body
    bool idempotent = true;  // false: retried only when Slack certainly did not process it
                             // (a post, a channel creation): "a post is never made twice"
    bool own_rate_limit = false;  // true: a 429 comes back as rate_limited with its retry_after at
                                  // once, and the flow waits (the transport otherwise waits it out)
};

// Answer the person who typed the command; replies.hpp decides how (in the command's ack while
// it is not sent, else by direct message). Dropped for a button click. -> ok
struct reply {
    std::string text;              // Slack mrkdwn
    bool nothing_changed = false;  // the flow ends here having stored nothing (a refusal, a failure):
                                   // the answer may ack the command without a journal entry
};

// Send a Socket Mode ack for `envelope_id` on the connection the envelope came in on, with an
// optional payload (a slash command's ephemeral answer). -> ok
struct ack {
    std::string envelope_id;
    nlohmann::json payload;  // null: a bare ack
};

// Events for `channel` wait until release_events or open_incident: its incident is being
// declared and has no id yet. -> ok
struct hold_events {
    std::string channel;
};
// The declaration failed: ack the events held for `channel` without storing them (it is not an
// incident channel after all) and stop holding. -> ok
struct release_events {
    std::string channel;
};
// `inc` is stored: route its channel's events to it (storing those held meanwhile), keep it as
// the channel's incident and start its reminder schedule. -> ok
struct open_incident {
    incident inc;
};
// Changes to one incident are planned one at a time, each from the incident as committed: wait
// until the changes of `incident_id` queued before this one have their store's outcome. -> turn
// (the incident as the last committed change left it), or store_failed when it is not known.
struct take_turn {
    std::int64_t incident_id = 0;
    std::string key;  // the flow's key: who holds the turn
};
// The turn taken by `key` ends: `committed` (when the change was stored) becomes the incident the
// bot holds in memory (what later commands see), and the next change queued may plan. Ignored
// when `key` does not hold the turn (a flow resumed after a restart holds none). -> ok
struct end_turn {
    std::int64_t incident_id = 0;
    std::string key;
    std::optional<incident> committed;
};

// Durable writes, each atomic, in the recorder's group commit. -> stored / store_failed
struct create_incident {  // insert the incident and its declare entry (deduplicated on entry.key)
    incident inc;
    timeline_entry entry;
};
struct save_change {  // update the incident's row and append its entry (no-op on a stored key)
    incident inc;
    timeline_entry entry;
    // The incident as the change was planned from it. Under the incident's row lock the store
    // refuses the change when the row is no longer this (another instance changed it first):
    // -> turn with the row as it stands, to plan again. A stored key -> stored, duplicate.
    incident base{};
};
struct append_entry {  // append one entry (no-op on a stored key)
    timeline_entry entry;
};

// Claim the reminder of `incident_id` due at `now` (reminders.hpp, reminder_to_claim): decided
// under the incident's row lock from what is stored, and its entry stored in the same transaction
// by the one instance that finds it due (or takes over another instance's claim whose lease
// ended); the reminder schedule then follows the database.
// -> stored (its entry: the claim stored; duplicate: not due as stored, e.g. another instance
// claimed it) / store_failed
struct claim_reminder {
    std::int64_t incident_id = 0;
    time_point now{};
};

// Cache what users.info said about a user (core/users.hpp). -> stored / store_failed
struct save_user {
    user_profile profile;
};

// The reminder schedule learns of a change: the incident's new severity/status (`changed`)
// and/or a stored statuspage/reminder entry; the reminder timer is woken. -> ok
struct replan_reminders {
    std::int64_t incident_id = 0;
    std::optional<incident> changed;
    std::optional<timeline_entry> entry;
};
// Stop tracking reminders for `incident_id`. -> ok
struct forget_reminders {
    std::int64_t incident_id = 0;
};
// The responders user group was read: keep `members` as the last list read, for when it cannot
// be read (core/access.hpp). -> ok
struct keep_responders {
    std::vector<std::string> members;
};

// Read what a summary needs (on the read-only connection, off the write path): the incident's
// whole timeline and, for the review prompt, the
// incidents declared in [history_from, history_to) (the last `max_history` of them, this one
// excluded) with only their entries of `history_kinds`, and the cached names of the users the
// timeline refers to; then render the messages from that (flows::render_summary, pure) where it
// was read, so that neither summarizing a long timeline nor freeing it holds up the I/O thread.
// -> rendered / store_failed
struct load_summary {
    std::int64_t incident_id = 0;
    incident inc;          // as the summary shows it (its id is incident_id)
    time_point now{};      // the review prompt's "next business day" counts from here
    bool with_history = false;  // also the review prompt
    time_point history_from{};
    time_point history_to{};
    std::size_t max_history = 0;
    std::vector<entry_kind> history_kinds;
};
// Read the `message` entry with Slack ts `slack_ts` on incident `incident_id`'s timeline, with
// its effective tags (corrections applied). -> message_loaded / store_failed
struct load_message {
    std::int64_t incident_id = 0;
    std::string slack_ts;
};
// Run the summary flow (post_summary.hpp) for `inc` to its end. -> ok
struct run_summary {
    incident inc;
    bool with_review = false;  // also post the review prompt (on resolve)
    std::string resolve_key;   // on resolve: the resolve entry's key (the summary is leased and marked)
};

// Wait `delay` before the next step (a 429's Retry-After, pacing to a rate limit). -> ok
struct wait {
    std::chrono::milliseconds delay{0};
};

// Catching up from Slack's history (backfill.hpp).
// Store one page of a channel's history as Slack returned it (`messages` of conversations.history
// or conversations.replies): each message the entry its `message` event would have given
// (recording.hpp), kept once per channel and ts, and its 📌 reactions reconciled with the
// timeline (reconcile_pins). -> recovered / store_failed
struct store_history {
    std::int64_t incident_id = 0;
    std::string channel;
    nlohmann::json messages;  // an array
};
// `incident_id` is caught up: append `gap` when set and clear its catch-up mark when the mark is
// still the one set at `epoch` (a newer loss keeps it), atomically. -> stored / store_failed
// A gap this instance claimed (several instances: backfill_target::claimed) is finished by its
// gap instead: its claim marked done, and the mark cleared while it is still that gap
// (channel, since_ts, down_from), whatever its epoch (store::finish_backfill).
struct finish_backfill {
    std::int64_t incident_id = 0;
    std::int64_t epoch = 0;
    std::optional<timeline_entry> gap;
    bool claimed = false;
    std::string channel;
    std::string since_ts;
    time_point down_from{};
};

using effect =
    std::variant<done, call, reply, ack, hold_events, release_events, open_incident, take_turn, end_turn,
                 create_incident, save_change, append_entry, claim_reminder, save_user, replan_reminders,
                 forget_reminders,
                 load_summary, run_summary, keep_responders, wait, store_history, finish_backfill, load_message>;

enum class log_level { none, debug, info, warn, error };

// One step of a flow: the effect to perform, and one line to log first (what happened, e.g. a
// failed call; level none: nothing to log).
struct action {
    effect what = done{};
    log_level level = log_level::none;
    std::string log;
};

// ---- events: what happened (fed to resume) ---------------------------------------------------

struct ok {};    // the effect was performed; it has nothing to report
struct called {  // a Web API call returned (after the transport's own retries)
    slack::api_outcome outcome = slack::api_outcome::failed;
    std::string error;    // Slack's error code or a transport description ("" when ok)
    nlohmann::json body;  // the response body when ok
    std::chrono::seconds retry_after{0};  // rate_limited: how long Slack asked to wait
};
struct stored {    // the write is durable
    incident inc;  // create_incident: the stored incident, with its id (a redelivered declare
                   // gets the incident stored the first time); save_change: the row as it
                   // stands; other writes: unused
    bool duplicate = false;  // save_change: its key was stored already (the command was handled,
                             // by another instance or before a restart): nothing was written
    std::optional<timeline_entry> entry = std::nullopt;  // claim_reminder, when claimed: the entry it stored
};
struct store_failed {  // the write or read failed; nothing of it is stored
    std::string error;
};
struct loaded {  // what load_summary reads (render_summary's input; not an event)
    std::vector<timeline_entry> timeline;
    std::vector<incident_record> earlier;  // oldest first
    user_names names;  // the cached names of the users `timeline` refers to (users_referenced)
};
struct rendered {  // load_summary's messages; review_* only with_history
    std::string summary_text;
    nlohmann::json summary_blocks;
    std::string review_text;
    nlohmann::json review_blocks;
};
struct turn {  // take_turn: this flow may plan now, from `inc` as committed; save_change: the
    incident inc;  // change was planned from a version another instance replaced: plan again
};
// The process restarted and the flow was rebuilt from a saved state: the outcome of the effect
// that was in progress is unknown (it may or may not have happened).
struct restarted {};
struct recovered {  // store_history is durable
    std::size_t stored = 0;    // entries newly stored (messages, joins, leaves, pins)
    std::size_t unusable = 0;  // page elements that were not messages (logged, skipped)
};

struct message_loaded {  // load_message: the entry, nullopt when the timeline has no such message
    std::optional<timeline_entry> entry;
};

using event = std::variant<ok, called, stored, store_failed, rendered, turn, restarted, recovered, message_loaded>;

// "ok", "called", "stored", "store_failed", "rendered", "turn", "restarted", "recovered",
// "message_loaded": for log lines.
std::string_view name_of(const event& ev);

// Shorthands for the flows and their tests.
action step(effect what);
action step(effect what, log_level level, std::string log);
// The end of a flow that got an event making no sense in `stage`: done, with an error line
// "<flow>: unexpected <event> while <stage>; giving up".
action give_up(std::string_view flow, std::string_view stage, const event& ev);

// Every flow's stage enum ends with `finished`. These end a flow: `at` becomes finished.
template <class Stage>
action finish(Stage& at, log_level level = log_level::none, std::string log = {}) {
    at = Stage::finished;
    return step(done{}, level, std::move(log));
}
// An event out of place in stage `at` ends the flow with give_up's error line (once: after the
// end, every event returns a plain done).
template <class Stage>
action out_of_place(Stage& at, std::string_view flow, const event& ev) {
    if (at == Stage::finished) return step(done{});
    const auto where = to_string(at);
    at = Stage::finished;
    return give_up(flow, where, ev);
}

// A line to log with the next step (level none: nothing).
struct log_note {
    log_level level = log_level::none;
    std::string text;
};
// The outcome of a post of `what` ("the announcement") in `channel`: what to log with the next
// step, which goes on either way: nothing when posted, a warning when the post failed, or when
// a restart left it in doubt (it is not made again: a post is never made twice). nullopt for an
// event that is not a post's outcome.
std::optional<log_note> after_post(const event& ev, std::string_view what, std::string_view channel);

// After a write: `next` once it is stored, with the error line "could not record <what>:
// <error>" when it failed (the flow goes on: the effect happened in memory); nullopt for any
// other event.
std::optional<action> after_record(const event& ev, action next, std::string_view what);
// chat.postMessage to `channel` (never made twice), with optional Block Kit blocks.
call post_message(std::string channel, std::string text, nlohmann::json blocks = nlohmann::json());
// `next`, with the warning "<what> failed: <error>" when the call answered by `r` failed
// (`what`: "conversations.invite", or "chat.postMessage to C123" for a post).
action warn_if_failed(action next, const called& r, std::string_view what);
// The warning when a post in doubt is skipped after a restart (a post is never made twice):
// "not posting <what> in <channel> again after a restart: it may have been posted".
std::string skipped_after_restart(std::string_view what, std::string_view channel);
// "chat.postMessage to <channel>": how a failed post is named in the log.
std::string post_to(std::string_view channel);

}  // namespace ib::flows
