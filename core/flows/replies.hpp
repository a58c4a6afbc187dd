// How the bot answers the person who typed a slash command or clicked a button, and when it acks
// their envelope (the replies flow).
//
// Slack shows "operation_timeout" when a slash command is not acked within 3 s, and Slack does not
// send a command or a click again: an ack must mean that the change, or at least the command itself
// (its flow's journal entry, journal.hpp), is durable. The executor makes sure of that before it
// performs any effect this policy returns; this decides which ack and which answer:
//   command  the answer goes in the ack, as an ephemeral message only that person sees, while there
//            is time; once `budget` has passed without one, the command is acked with a holding
//            message and the answer follows as a direct message, which reaches them wherever they
//            are. A second answer to the same command also goes by direct message.
//   click    a button click has no answer of its own (the channel announcement is the answer): it
//            is acked, bare, as soon as its change or its journal entry is durable, or when the
//            budget passes, or when its flow ends having changed nothing.
//   resumed  a flow resumed after a restart: its envelope's connection is gone, so anything it
//            still has to say goes by direct message (to nobody for a click or a timer).
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

    enum class mode { command, click, resumed };

    enum class stage {
        waiting,   // nothing sent yet: an answer goes in the ack
        answered,  // acked with an answer (or, for a click, acked): further answers go by direct message
        holding,   // acked with the holding message: answers go by direct message
    };

    // The reply to the envelope `envelope_id` of `user_id` ("" for a resumed click or timer).
    reply_policy(std::string envelope_id, std::string user_id, mode m = mode::command);

    // How to deliver `text` (Slack mrkdwn): for a command, an ack with an ephemeral payload while
    // nothing was sent, else chat.postMessage to the user (a direct message, never made twice);
    // for a click, done (dropped); for a resumed flow, the direct message (done without a user).
    effect answer(std::string text);
    // The budget has passed: the ack with the holding message (a command) or the bare ack (a
    // click) when nothing was sent yet, else done.
    effect budget_elapsed();
    // Something of the envelope's flow is durable now: the bare ack for a click not acked yet,
    // else done (a command waits for its answer, or the budget).
    effect durable();
    // The flow is over: the bare ack when nothing was sent yet (it changed nothing), else done.
    effect finished();
    // After a direct message: done, with a warning when the call failed.
    action delivered(const called& r) const;

    // answer() would drop the text: a click, or a resumed flow nobody is to hear from.
    bool drops_answers() const;
    // answer() would send a direct message (the ack went already, or the flow was resumed).
    bool answers_by_message() const;
    stage current() const { return stage_; }
    mode kind() const { return mode_; }

private:
    effect bare_ack();

    std::string envelope_id_;
    std::string user_id_;
    mode mode_;
    stage stage_ = stage::waiting;
};

// The ephemeral payload of a slash command's ack: {"response_type":"ephemeral","text":…}.
nlohmann::json ephemeral(std::string text);

// The holding message, sent when the answer will not fit in the ack.
inline constexpr std::string_view holding_message =
    ":hourglass_flowing_sand: Working on it; I'll message you when it's done.";

}  // namespace ib::flows
