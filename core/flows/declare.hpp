// `/incident start <title> [sev] [--private]`: the declare flow as a state machine (effects.hpp). The
// conversation with Slack and the store, step by step:
//
//   conversations.create inc-YYYYMMDD-<slug>   (name_taken: the same name with -2, -3, … up to -20;
//                                               a private channel for --private)
//   hold the new channel's events               (they arrive before the incident has an id)
//   store the incident and its declare entry    (deduplicated on the command's key)
//   open it: route the channel's events to it (those held first), schedule its reminders
//   reply to the declarer, invite them, set the topic, post the announcement
//
// A failure before the store answers the declarer and ends the flow; a failed store releases
// the held events unstored and says the channel exists but nothing was recorded. Failures after
// the store (invite, topic, announcement) are logged and the flow goes on: the incident exists.
#pragma once

#include "core/commands.hpp"
#include "core/flows/effects.hpp"

#include <string>

namespace ib::flows {

class declare_flow {
public:
    // The most conversations.create calls one declaration makes (name, name-2, … name-20).
    static constexpr int max_create_attempts = 20;

    enum class stage {
        idle,           // constructed, start() not called yet
        creating,       // conversations.create for the candidate name `attempt` is in flight
        holding,        // the new channel's events are being held (hold_events)
        storing,        // create_incident is in flight
        releasing,      // the store failed: the held events are being acked unstored
        opening,        // the stored incident is being opened (open_incident)
        replying,       // the "declared" reply to the declarer is being sent
        inviting,       // conversations.invite of the declarer is in flight
        setting_topic,  // conversations.setTopic is in flight
        announcing,     // the announcement post is in flight
        failing,        // the reply saying why the declaration failed is being sent
        finished,       // done was returned; every further event returns done
    };

    // Everything the flow needs to go on, inputs included: plain data, so a saved copy can be
    // resumed after a restart (declare_flow(saved) + resume(restarted{})).
    struct state {
        stage at = stage::idle;
        // The command.
        std::string title;
        severity sev = severity::sev3;  // the command's severity, or sev3
        bool is_private = false;        // --private: a private channel (conversations.create is_private)
        std::string declarer;           // Slack user id
        std::string key;                // dedupe key of the declare entry ("cmd:<envelope id>")
        std::string bot_user_id;        // the declarer is not invited when it is the bot itself
        time_point now{};               // when the command arrived: the name's date, declared_at
        // Progress.
        int attempt = 0;         // conversations.create calls made (1-based name suffix)
        bool after_restart = false;  // the create in flight repeats one a restart left in doubt
        std::string channel_id;  // once created
        std::string channel_name;
        incident inc;               // planned (id 0), then as stored (with its id)
        timeline_entry entry;       // the declare entry (key set)
        std::string failure_reply;  // releasing: the reply to send next
    };

    declare_flow(cmd::start what, std::string declarer, std::string key, std::string bot_user_id, time_point now);
    // A flow resumed from a saved state; continue it with resume(restarted{}).
    explicit declare_flow(state saved);

    // The first step: conversations.create for the first candidate name.
    action start();
    // The next step after the outcome of the last one. On `restarted` (the outcome of the step in
    // progress is unknown) the flow goes on safely: a channel creation is asked again under the
    // same name, and if Slack answers name_taken the declarer is told to check (that channel may
    // be the one made before the restart: a second channel must not appear), the store is repeated
    // (it is deduplicated on the key) after holding the channel's events again, memory effects
    // and idempotent calls (invite, topic) are repeated, and a reply or a post is skipped: it
    // may have been made, and a post is never made twice. An event that makes no sense in the
    // current stage ends the flow with an error log line, as does any event after the end.
    action resume(event ev);

    const state& current() const { return st_; }

private:
    action create_channel();
    action create_again();
    action after_create(const called& r);
    action after_store(const event& ev);
    action invite_or_topic();
    action set_topic();
    action announce();
    action fail(std::string reply_text, log_level level = log_level::none, std::string log = {});

    state st_;
};

std::string_view to_string(declare_flow::stage s);  // "creating", …

}  // namespace ib::flows
