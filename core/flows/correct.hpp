// Correcting a message's tags (core/corrections.hpp): the "Correct tags" message shortcut opens a
// modal, and its submission records the correction. Two small flows, neither journaled: a
// shortcut whose modal did not open is simply used again, and a submission is deduplicated on
// its view id (Slack never sends an interactive payload twice).
//
//   shortcut     ack ─▶ load_message ─▶ views.open (the modal, correction_modal)
//                 └▶ chat.postEphemeral to the user instead when the channel has no incident, the
//                    incident is private and the user is not a member of its channel (access.hpp),
//                    or the message is not on its record (not recorded, a bot's message)
//   submission   load_message ─▶ append_entry (the correction) ─▶ ack (bare: the modal closes)
//                 └▶ ack with response_action "errors" (the modal stays, saying why) when the
//                    incident or the message is gone, the user may not, the tags are not ours, or
//                    the store failed; nothing changed: ack bare, nothing stored
#pragma once

#include "core/corrections.hpp"
#include "core/flows/effects.hpp"
#include "core/incident.hpp"
#include "core/slack/envelope.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ib::flows {

// A "Correct tags" message shortcut, and the submission of its modal.
bool is_correction_shortcut(const slack::interactive& i);
bool is_correction_submission(const slack::interactive& i);

// The replies, Slack mrkdwn.
std::string not_correctable_here_reply();   // the channel has no incident
std::string private_incident_reply();       // a private incident, and the user is not in its channel
std::string message_not_recorded_reply();   // the message has no entry (or is a bot's)
std::string record_unreadable_reply();      // the read failed

class correct_shortcut_flow {
public:
    enum class stage {
        acking,    // acking the shortcut's envelope
        loading,   // reading the message's entry
        opening,   // views.open
        refusing,  // chat.postEphemeral with why not
        finished,
    };

    // `shortcut` (is_correction_shortcut) in the channel whose incident is `inc` (nullopt: none);
    // `may_see`: the incident is public, or the user is a member of its private channel.
    correct_shortcut_flow(slack::interactive shortcut, std::optional<incident> inc, bool may_see);

    action start();
    action resume(const event& ev);
    stage current() const { return at_; }

private:
    action refuse(std::string text);

    slack::interactive shortcut_;
    std::optional<incident> inc_;
    bool may_see_;
    stage at_ = stage::acking;
};

class correct_submission_flow {
public:
    enum class stage {
        loading,    // reading the message's entry (its tags now)
        storing,    // append_entry: the correction
        answering,  // the ack: bare, or with the errors
        finished,
    };

    // `submission` (is_correction_submission) about a message in the channel whose incident is
    // `inc` (nullopt: none, or private_metadata named no message); `may_see` as above; `now`:
    // when the correction is made.
    correct_submission_flow(slack::interactive submission, std::optional<incident> inc, bool may_see,
                            time_point now);

    action start();
    action resume(const event& ev);
    stage current() const { return at_; }

    // The ack payload that keeps the modal open showing `why` under the tags.
    static nlohmann::json errors(std::string_view why);

private:
    action answer(nlohmann::json payload, log_level level = log_level::none, std::string log = {});

    slack::interactive submission_;
    std::optional<incident> inc_;
    bool may_see_;
    time_point now_;
    std::optional<correction_target> target_;
    std::optional<std::vector<tag>> to_;  // the tags checked; nullopt: not tags of ours
    stage at_ = stage::loading;
};

std::string_view to_string(correct_shortcut_flow::stage s);
std::string_view to_string(correct_submission_flow::stage s);

}  // namespace ib::flows
