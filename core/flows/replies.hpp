// How the bot answers the person who typed a slash command (the replies flow).
//
// Slack shows "operation_timeout" when a slash command is not acked within 3 s. The answer goes
// in the ack, as an ephemeral message only that person sees, while there is time; once
// `budget` has passed without one, the command is acked with a holding message and the answer
// follows as a direct message, which reaches them wherever they are. A second answer to the
// same command also goes by direct message (the ack is sent once).
#pragma once

#include "core/flows/effects.hpp"

#include <chrono>
#include <string>

namespace ib::flows {

class reply_policy {
public:
    // How long the bot may work on a command before it acks with the holding message (Slack's
    // limit is 3 s; the rest is margin for the network).
    static constexpr std::chrono::milliseconds budget{2500};

    enum class stage {
        waiting,   // nothing sent yet: an answer goes in the ack
        answered,  // acked with an answer: further answers go by direct message
        holding,   // acked with the holding message: answers go by direct message
    };

    // The reply to the command in envelope `envelope_id`, typed by `user_id`.
    reply_policy(std::string envelope_id, std::string user_id);

    // How to deliver `text` (Slack mrkdwn): an ack with an ephemeral payload while nothing was
    // sent, else chat.postMessage to the user (a direct message, never made twice).
    effect answer(std::string text);
    // The budget has passed: the ack with the holding message when nothing was sent yet, else
    // done (nothing to do).
    effect budget_elapsed();
    // After a direct message: done, with a warning when the call failed.
    action delivered(const called& r) const;

    stage current() const { return stage_; }

private:
    std::string envelope_id_;
    std::string user_id_;
    stage stage_ = stage::waiting;
};

// The ephemeral payload of a slash command's ack: {"response_type":"ephemeral","text":…}.
nlohmann::json ephemeral(std::string text);

// The holding message, sent when the answer will not fit in the ack.
inline constexpr std::string_view holding_message =
    ":hourglass_flowing_sand: Working on it; I'll message you when it's done.";

}  // namespace ib::flows
