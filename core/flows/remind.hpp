// Status-page reminders as state machines (effects.hpp); the schedule itself is
// core/reminders.hpp's reminder_scheduler, which the bot's timer asks what is due.
//
// reminder_flow, for one incident whose reminder is due:
//   note the reminder in the schedule   (first, so a failure cannot become a reminder storm)
//   claim it: its entry is stored by    (after a restart the schedule is rebuilt from it; with
//     the one instance that finds it     several instances, the others find it not due and stop)
//     due under the incident's row lock
//   post the reminder                   (render_reminder: text, draft update, two buttons)
//   mark the claim with the post's      (make_reminder_mark: a claim without its mark is taken
//     outcome                            over by another instance once its lease ends)
//
// snooze_flow, for `/incident snooze <duration>` and the "Snooze 15 min" button:
//   note the snooze in the schedule, store it, reply, announce it in the channel
#pragma once

#include "core/flows/effects.hpp"
#include "core/reminders.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ib::flows {

class reminder_flow {
public:
    enum class stage {
        idle,        // constructed, start() not called yet
        forgetting,  // the incident is gone: its schedule is being dropped
        noting,      // the reminder is being noted in the schedule (replan_reminders)
        recording,   // claim_reminder is in flight
        posting,     // the reminder post is in flight
        marking,     // the claim's mark (append_entry) is in flight
        finished,    // done was returned; every further event returns done
    };

    struct state {
        stage at = stage::idle;
        std::int64_t incident_id = 0;
        std::string channel_id;
        timeline_entry entry;      // make_reminder_entry
        timeline_entry claim;      // the entry the claim stored (reminder_to_claim): what the mark marks
        reminder_message message;  // render_reminder
        bool posted = false;       // Slack accepted the post (the reminders-posted metric)
    };

    // The reminder due for `incident_id` at `now`: `inc` and `st` are what the bot holds for it
    // (nullopt when it no longer does: the schedule then forgets the id).
    reminder_flow(std::int64_t incident_id, const incident* inc, const reminder_state* st, time_point now,
                  const reminder_policy& policy);
    explicit reminder_flow(state saved);

    action start();
    // On `restarted` the note and the claim are repeated (a claim made before the restart finds
    // the reminder not due any more: it is not posted), a post in doubt is skipped and its claim
    // marked in_doubt (so nobody takes it over: at most once), and a mark is stored again. A
    // reminder not claimed (not due as stored, or the claim failed) is not posted: late rather
    // than twice. A mark that fails to store is logged: the claim is then taken over after its
    // lease by another instance, which may post the reminder a second time.
    action resume(event ev);

    const state& current() const { return st_; }

private:
    state st_;
};

class snooze_flow {
public:
    enum class stage {
        idle,        // constructed, start() not called yet
        noting,      // the snooze is being noted in the schedule (replan_reminders)
        recording,   // append_entry of the snooze entry is in flight
        replying,    // "snoozed until …" to the person who asked
        announcing,  // the announcement post is in flight
        failing,     // the reply saying why there is no snooze is being sent
        finished,    // done was returned; every further event returns done
    };

    struct state {
        stage at = stage::idle;
        incident inc;
        seconds duration{0};
        std::string user;  // who asked
        time_point now{};
        timeline_entry entry;  // make_snooze_entry
    };

    snooze_flow(incident inc, seconds duration, std::string user, time_point now);
    explicit snooze_flow(state saved);

    // A snooze make_snooze_entry refuses (resolved, too long, …) replies why.
    action start();
    // On `restarted` the note and the store are repeated and a reply or post in doubt skipped.
    // A failed store is logged; the snooze holds in memory until the next restart.
    action resume(event ev);

    const state& current() const { return st_; }

private:
    std::string until_hhmm() const;  // "14:05", the end of the snooze in UTC

    state st_;
};

std::string_view to_string(reminder_flow::stage s);
std::string_view to_string(snooze_flow::stage s);

}  // namespace ib::flows
