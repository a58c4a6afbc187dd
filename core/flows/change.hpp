// A lifecycle change (ack, sev, status, roles, note, action item, status-page update, detected,
// resolve, reopen), typed as a command or clicked as a button, as a state machine (effects.hpp):
//
//   check the responders, when the change needs one (core/access): read the user group, keep
//     its members, and refuse politely someone outside it (before any turn is taken)
//   wait for the incident's turn        (its earlier changes have their store's outcome)
//   plan it from the incident as committed (core/incident_commands: the changed incident, its
//                                        entry, reply and announcement)
//   store the incident and the entry    (deduplicated on the command's key, under the incident's
//                                        row lock: planned from a version another instance has
//                                        replaced, it is planned again from the row as it stands;
//                                        a command another instance handled ends here, silently)
//   re-plan the reminders; end the turn: memory now holds the stored incident
//   reply, announce in the channel
//   on resolve: post the summary and the review prompt (post_summary.hpp)
//
// What the bot holds in memory is only ever what was committed: a change the lifecycle refuses
// (acknowledged twice, …) or a store that fails ends the turn leaving memory as it was, and
// replies why. Two changes to one incident never plan from the same version of it.
#pragma once

#include "core/access.hpp"
#include "core/commands.hpp"
#include "core/flows/effects.hpp"
#include "core/incident_commands.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ib::flows {

class change_flow {
public:
    enum class stage {
        idle,         // constructed, start() not called yet
        checking,     // usergroups.users.list for the responders group is in flight
        keeping,      // the group's members are being kept as the last list read
        waiting,      // take_turn is in flight: earlier changes of the incident are being stored
        storing,      // save_change is in flight
        replanning,   // stored: the reminder schedule is learning of the change
        committing,   // end_turn with the stored incident: memory follows, the next change may plan
        replying,     // the reply to the person who asked is being sent
        announcing,   // the announcement post is in flight
        summarizing,  // resolved: the summary flow is running (run_summary)
        refusing,     // nothing changed (refused, or the store failed): end_turn without a change
        failing,      // a reply saying why nothing changed is being sent
        skipping,     // the command was handled already (its key is stored): end_turn, say nothing
        finished,     // done was returned; every further event returns done
    };

    // Plain data (see effects.hpp): a saved copy can be resumed after a restart.
    struct state {
        stage at = stage::idle;
        // The command.
        command cmd;
        std::int64_t incident_id = 0;  // the incident of the channel it was typed in
        std::string user;              // who asked
        std::string key;  // dedupe key of the entry, and the turn's holder ("cmd:<envelope id>", "button:…")
        time_point now{};
        responders_gate responders;  // who may make the changes needs_responder() names
        // The plan (once the turn came).
        planned_change plan;
        std::string failure_reply;  // refusing: the reply to send next
        bool resumed = false;  // resumed after a restart (set by resume(restarted), not saved)
    };

    // `c` must be a change (changes_incident(c)) to incident `incident_id`. With a responders
    // group set, a change only responders may make is checked against it first.
    change_flow(command c, std::int64_t incident_id, std::string user, std::string key, time_point now,
                responders_gate responders = {});
    // A flow resumed from a saved state; continue it with resume(restarted{}).
    explicit change_flow(state saved);

    // Reads the responders group when the change needs a responder; else waits for the
    // incident's turn.
    action start();
    // The next step after the outcome of the last one. On `restarted`: a responders read in flight
    // is repeated (a read), the members read are kept again; a flow that had not stored
    // its change waits for a turn and plans again (a stored change is journaled together with the
    // state after it); a stored one skips what memory effects a restart redid anyway (memory and
    // the reminder schedule are rebuilt from the database) and the reply in doubt, and announces
    // unless the announcement was in doubt (at most once); a summary that was being posted is not
    // posted again, nor one not started yet: a resolve's summary is leased to the instance that
    // stored it, and taken over by another once its lease ends (core/summary_lease.hpp). An event that makes no sense in the current stage ends the flow with an error
    // log line.
    action resume(event ev);

    const state& current() const { return st_; }

private:
    action wait_turn();
    action after_check(const called& r);
    action authorize(const std::vector<std::string>& members, log_level level = log_level::none, std::string log = {});
    action plan(const incident& committed);
    action refuse(std::string reply_text, log_level level = log_level::none, std::string log = {});
    action fail(std::string reply_text, log_level level = log_level::none, std::string log = {});
    action announce();
    action after_announce(log_level level, std::string log);

    state st_;
};

std::string_view to_string(change_flow::stage s);  // "storing", …

}  // namespace ib::flows
