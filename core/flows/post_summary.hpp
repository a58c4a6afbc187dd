// Posting the end-of-incident summary, and on resolve the review prompt, as a state machine
// (effects.hpp):
//
//   [reply first]      (`/incident summary`: "Posting the summary in the channel.")
//   load the timeline  (and, for the review prompt, the incidents of the 90 days before this one),
//                      and render the messages from it where it was read (render_summary)
//   post the summary   (core/summary: TTA, TTR, phases, participants, what was tried)
//   post the review prompt
//   mark the summary          (on resolve: make_summary_mark, core/summary_lease.hpp; a resolve
//                              whose summary has no mark is taken over by another instance once
//                              its lease ends)
//
// A failed read is logged and nothing is posted; a failed post is logged and the flow goes on.
#pragma once

#include "core/flows/effects.hpp"

#include <cstddef>
#include <string>

namespace ib::flows {

// What load_summary answers: the summary and, with_history, the review prompt, rendered from
// what was read. Pure. The executor runs it on the thread that read (a 100,000-entry timeline
// takes tens of milliseconds to summarize and free), never on the I/O thread.
rendered render_summary(const load_summary& what, loaded data);

class summary_flow {
public:
    // The review prompt compares with earlier incidents (headcount, TTR, repeated keywords): the
    // most recent ones declared in the 90 days before this one, at most 30 (bounded work), and
    // of each only what the rules read: joins and messages.
    static constexpr auto history_window = std::chrono::days{90};
    static constexpr std::size_t max_history = 30;

    enum class stage {
        idle,             // constructed, start() not called yet
        replying,         // the reply to `/incident summary` is being sent
        loading,          // load_summary is in flight
        posting_summary,  // the summary post is in flight
        posting_review,   // the review prompt post is in flight
        marking,          // the summary mark (append_entry) is in flight
        finished,         // done was returned; every further event returns done
    };

    // Plain data (see effects.hpp): a saved copy can be resumed after a restart.
    struct state {
        stage at = stage::idle;
        incident inc;
        bool with_review = false;  // also post the review prompt
        time_point now{};          // "the next business day" of the review prompt counts from here
        std::string first_reply;   // sent before anything else when not empty
        // The rendered messages (from the loaded data).
        std::string summary_text;
        nlohmann::json summary_blocks;
        std::string review_text;
        nlohmann::json review_blocks;
        // Leased (on resolve): the resolve entry's key and this instance (claim_lease::owner), whose
        // mark ends the lease; "" : not leased (`/incident summary`), no mark.
        std::string resolve_key;
        std::string owner;
        std::string outcome = "posted";  // the mark's: "failed" once a post failed, "in_doubt"
    };

    // Leased when `resolve_key` is not empty: the summary of that resolve, marked by `owner`.
    summary_flow(incident inc, bool with_review, time_point now, std::string first_reply = {},
                 std::string resolve_key = {}, std::string owner = {});
    // A flow resumed from a saved state; continue it with resume(restarted{}).
    explicit summary_flow(state saved);

    // The reply, when there is one, else the read.
    action start();
    // The next step after the outcome of the last one. On `restarted` the read is repeated and
    // a post in doubt is skipped (at most once). A leased flow resumed after a restart posts
    // nothing more: before any post it ends unmarked (the restarted process is another owner: the
    // lease hands the summary to whichever instance takes it over), else it marks in_doubt. A
    // mark is stored again. An event that makes no sense in the current stage ends the flow with
    // an error log line.
    action resume(event ev);

    const state& current() const { return st_; }

private:
    action load();
    action post_summary(rendered& messages);
    action post_review(log_level level, std::string log);
    // After the last post: the mark when leased, else the end.
    action mark(log_level level, std::string log);
    // Notes a post's outcome for the mark: the first that is not ok stands.
    void note_outcome(const event& ev);

    state st_;
};

std::string_view to_string(summary_flow::stage s);  // "loading", …

}  // namespace ib::flows
