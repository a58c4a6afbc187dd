// A lifecycle change (ack, sev, status, roles, note, action item, status-page update, detected,
// resolve, reopen), typed as a command or clicked as a button, as a state machine (effects.hpp):
//
//   check the responders, when the change needs one (core/access): read the user group, keep
//     its members, and refuse politely someone outside it
//   plan it (core/incident_commands: the changed incident, its entry, reply and announcement)
//   keep the changed incident in memory   (a second command typed meanwhile sees this one)
//   store the incident and the entry      (deduplicated on the command's key)
//   re-plan the reminders, reply, announce in the channel
//   on resolve: post the summary and the review prompt (post_summary.hpp)
//
// A change the lifecycle refuses (acknowledged twice, …) gets a friendly reply and stores
// nothing. A failed store puts the incident in memory back as it was and says so.
#pragma once

#include "core/access.hpp"
#include "core/commands.hpp"
#include "core/flows/effects.hpp"
#include "core/incident_commands.hpp"

#include <string>

namespace ib::flows {

class change_flow {
public:
    enum class stage {
        idle,         // constructed, start() not called yet
        checking,     // usergroups.users.list for the responders group is in flight
        keeping,      // the group's members are being kept as the last list read
        remembering,  // the changed incident is being kept in memory (set_incident)
        storing,      // save_change is in flight
        restoring,    // the store failed: the incident in memory is being put back
        replanning,   // the reminder schedule is learning of the change
        replying,     // the reply to the person who asked is being sent
        announcing,   // the announcement post is in flight
        summarizing,  // resolved: the summary flow is running (run_summary)
        failing,      // a reply saying why nothing changed is being sent
        finished,     // done was returned; every further event returns done
    };

    // Plain data (see effects.hpp): a saved copy can be resumed after a restart.
    struct state {
        stage at = stage::idle;
        // The command.
        command cmd;
        incident before;   // the channel's incident when the command arrived
        std::string user;  // who asked
        std::string key;   // dedupe key of the entry ("cmd:<envelope id>", "button:<envelope id>")
        time_point now{};
        responders_gate responders;  // who may make the changes needs_responder() names
        // The plan (from start()).
        planned_change plan;
    };

    // `c` must be a change (changes_incident(c)); `current` is the incident of the channel.
    // With a responders group set, a change only responders may make is checked against it first.
    change_flow(command c, incident current, std::string user, std::string key, time_point now,
                responders_gate responders = {});
    // A flow resumed from a saved state; continue it with resume(restarted{}).
    explicit change_flow(state saved);

    // Reads the responders group when the change needs a responder; else plans the change: a
    // refused change replies why, else the changed incident goes to memory.
    action start();
    // The next step after the outcome of the last one. On `restarted`: memory effects and the
    // store (deduplicated on the key) are repeated; a reply or the announcement in doubt is
    // skipped (at most once), and so is a summary that was being posted. An event that makes no
    // sense in the current stage ends the flow with an error log line.
    action resume(event ev);

    const state& current() const { return st_; }

private:
    action plan();
    action after_check(const called& r);
    action authorize(const std::vector<std::string>& members, log_level level = log_level::none, std::string log = {});
    action remember();
    action store();
    action announce();
    action after_announce(log_level level, std::string log);
    action fail(std::string reply_text, log_level level = log_level::none, std::string log = {});

    state st_;
};

std::string_view to_string(change_flow::stage s);  // "storing", …

}  // namespace ib::flows
