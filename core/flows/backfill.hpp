// Catching up from Slack's history after the bot was not connected, as a state machine
// (effects.hpp). Slack delivers an event only to an open connection and gives up on it after a
// few retries; what was said meanwhile is still in the channel's history (slack-protocol.md §6).
// So at start-up and after every reconnect, for each incident channel with a catch-up mark (the
// store sets one when the connection is lost, for the open incidents and those resolved in the
// last 24 h, with the watermark: the newest Slack ts stored before the loss), one channel after
// the other:
//
//   conversations.history   oldest = watermark - overlap, `limit` per page, `cursor` until
//                           has_more is false; each page stored as it comes (store_history), so
//                           memory holds one page
//   conversations.replies   the same, for every thread with replies on the timeline or in that
//                           history (a reply to an older thread is found only that way)
//   finish_backfill         a `gap` entry when the bot was not connected for more than
//                           `gap_threshold` or anything was recovered; the mark cleared; one log
//                           line for the channel
//
// Pacing: at most `per_minute` calls of each method in any 60 s (Slack's Tier 3: 50); a 429
// waits its Retry-After and repeats the call. Live events keep flowing meanwhile: the flow only
// reads Slack and appends what is missing (the store keeps one entry per channel and ts).
//
// Failures: a channel whose history could not be read or stored (a 5xx after the transport's
// retries, a failed write) keeps its mark; the flow tries it again after the other channels, up to
// `max_rounds` passes with a doubling wait, and the next reconnect or start-up tries again after
// that. A channel Slack refuses for good (not_in_channel, channel_not_found, missing_scope) is
// finished with a gap entry saying its history could not be read. A thread that is gone
// (thread_not_found: its parent was deleted) is skipped.
#pragma once

#include "core/flows/effects.hpp"
#include "core/reminders.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ib::flows {

// One incident channel to catch up: its mark, and what the timeline knows of its threads.
struct backfill_target {
    std::int64_t incident_id = 0;
    std::string channel;               // Slack channel id
    std::string since_ts;              // the watermark ("": read the channel's whole history)
    time_point down_from{};            // when the connection was lost (or the bot's last sign of life)
    std::int64_t epoch = 0;            // the mark to clear once caught up
    std::vector<std::string> threads;  // parents of the threads that have replies on the timeline
    // A channel just declared by this instance (declared_channel_target): read from its creation;
    // no gap entry (the bot was connected all along) and no mark to clear.
    bool declared = false;
    // Several instances: this instance claimed the gap (decide_gap) and finishes it as claimed
    // (finish_backfill::claimed).
    bool claimed = false;
};

// The catch-up of a channel this instance has just declared, at `now` (record_events.hpp: the
// new-channel window): its whole history, which is a few messages old.
backfill_target declared_channel_target(const incident& inc, time_point now);

struct backfill_options {
    int page_limit = 200;          // messages per page (Slack: 100 by default, at most 999; 200 advised)
    int per_minute = 50;           // calls of one method in any 60 s (conversations.* are Tier 3)
    seconds overlap{60};           // read this much before the watermark: events acked out of order
                                   // just before the loss are not missed (stored ones are skipped)
    seconds gap_threshold{10};     // not connected longer than this: a gap entry even with nothing recovered
    int max_rounds = 4;            // passes over the channels that failed, in one run
    seconds retry_wait{30};        // before the second pass; doubles for each further pass
};

class backfill_flow {
public:
    enum class stage {
        idle,       // constructed, start() not called yet
        reading,    // conversations.history or conversations.replies is in flight
        storing,    // store_history of the page just read is in flight
        waiting,    // a wait is in flight (pacing, a 429, or before another pass)
        finishing,  // finish_backfill of the current channel is in flight
        finished,   // done was returned; every further event returns done
    };

    // What became of one channel so far.
    struct channel_progress {
        std::size_t recovered = 0;  // entries newly stored
        std::size_t pages = 0;      // pages read (history and replies)
        std::size_t threads = 0;    // threads read
        bool caught_up = false;
        std::string failure;        // the last failure ("" none)
    };

    struct state {
        stage at = stage::idle;
        std::vector<backfill_target> targets;
        time_point connected_at{};  // when the connection came back (the end of every gap)
        backfill_options opts;
        // Progress.
        std::vector<channel_progress> progress;  // by target
        std::vector<std::size_t> order;          // targets of this pass, by index
        std::size_t pos = 0;                     // the current one in `order`
        int round = 1;
        std::vector<std::size_t> failed;  // targets of this pass to try again
        std::set<std::string> threads;    // the current channel's threads to read (ts order)
        std::string thread;               // the thread being read; "" while reading the history
        std::string cursor;               // the page being read ("" the first)
        std::string next_cursor;          // the page after it ("" none)
        std::optional<call> after_wait;   // the call to make once the wait is over
        std::array<std::vector<time_point>, 2> recent_calls;  // history, replies: calls in the last 60 s
    };

    // Catches up `targets` for a connection that came back at `connected_at`.
    backfill_flow(std::vector<backfill_target> targets, time_point connected_at, backfill_options opts = {});
    // A flow resumed from a saved state; continue it with resume(restarted{}, now).
    explicit backfill_flow(state saved);

    // The first call (or done when there is nothing to catch up). `now` paces the calls.
    action start(time_point now);
    // The next step after the outcome of the last one, at `now`. On `restarted` the step in
    // progress is made again: the calls only read, and the stores are idempotent (one entry per
    // channel and ts; the gap entry has a key; a mark is cleared only for its epoch).
    action resume(event ev, time_point now);

    const state& current() const { return st_; }
    // Entries newly stored so far, over every channel.
    std::size_t recovered_total() const;

private:
    const backfill_target& target() const { return st_.targets[st_.order[st_.pos]]; }
    channel_progress& progress() { return st_.progress[st_.order[st_.pos]]; }

    action begin_channel(time_point now);
    call page_call() const;
    action read_page(time_point now);
    action paced(call c, time_point now);
    action after_read(called r, time_point now);
    action after_page(time_point now);
    action next_thread(time_point now);
    action finish_channel(std::string error = {});
    action channel_failed(const std::string& error, time_point now);
    action next_channel(time_point now);
    std::string oldest() const;

    state st_;
};

std::string_view to_string(backfill_flow::stage s);  // "reading", …

// ---- Several instances: one catch-up per channel and gap (engineering.md §3.9) ----------------
// After an outage every instance holds the same catch-up mark per incident (the store keeps one,
// set by the first to lose its connection), so they name a gap alike: the channel and the mark's
// since_ts and down_from. Before reading a gap's history an instance claims it in the database
// (store::claim_gap); the instance whose claim stands reads it, renewing the claim every
// journal_sweep_period() while it does, and marks it done once caught up; the others skip it,
// and look again after the lease in case the reader died. History is then read once per gap, not
// once per instance (Slack's rate limits are per app, shared by every instance).
enum class gap_decision {
    read,       // no claim, this instance's own, or another's whose lease ended: claim it (take it
                // over) and read it
    caught_up,  // another instance caught it up: clear the mark without reading
    busy,       // another instance is reading it (renewed within the lease): look again later
};
// What the instance `lease.owner` does at `now` with a gap whose claim, when `claimed`, is
// `owner`'s, renewed at `renewed_at`, and `done` or not.
gap_decision decide_gap(bool claimed, std::string_view owner, time_point renewed_at, bool done,
                        const claim_lease& lease, time_point now);

// How long commits may fail (the database unreachable or restarting: reading from Slack stops, so
// nothing is acked meanwhile) before the channels are caught up from history once they work again,
// as after a lost connection: Slack retries an unacked event only a few times, so a longer
// outage may have outlasted them (slack-protocol.md §6).
inline constexpr seconds storage_outage_catch_up{5};

// Commits failed from `from` until `to`: whether to catch up from history now.
inline bool catch_up_after_storage_outage(time_point from, time_point to) { return to - from >= storage_outage_catch_up; }

// The timeline entry for a stretch without a connection to Slack, from `from` to `to`: kind gap,
// at `from`, no user, text "not connected 09:01:02–09:03:10 UTC; 126 messages recovered from
// Slack's history" (dates shown when the two are on different days; "nothing recovered from …"
// when none; "Slack's history could not be read (<error>)" when `error` is set), attrs from and
// to (ISO-8601), seconds, recovered, error. The text is Slack text like every stored text
// (core/text.hpp): `error` is escaped in it; the `error` attribute keeps it as it was.
// Key "gap:<incident id>:<epoch>": stored once.
timeline_entry make_gap_entry(std::int64_t incident_id, std::int64_t epoch, time_point from, time_point to,
                              std::size_t recovered, std::string_view error, time_point now);

}  // namespace ib::flows
