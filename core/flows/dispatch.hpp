// What a slash command or a button click asks for: the one-line answer, or which flow runs.
// Pure; bot/app/commands performs it.
#pragma once

#include "core/commands.hpp"
#include "core/slack/envelope.hpp"
#include "core/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ib::flows {

namespace request {
struct answer {  // reply `text` and stop: a usage error, help, not an incident channel
    std::string text;
};
struct list {};   // `/incident list`: the open incidents
struct stats {};  // `/incident stats`: TTA/TTR statistics
struct declare {  // `/incident start`: declare_flow
    cmd::start what;
    std::string key;  // the declare entry's dedupe key
};
struct summary {};  // `/incident summary`: summary_flow, replying summary_reply first
struct catchup {};  // `/incident catchup`: the catch-up (core/catchup.hpp) as the reply
struct snooze {     // `/incident snooze` or the "Snooze 15 min" button: snooze_flow
    seconds duration{0};
};
struct change {  // a lifecycle change, typed or clicked: change_flow
    command what;
    std::string key;  // the entry's dedupe key: "cmd:<envelope id>" or "button:<envelope id>"
};
}  // namespace request

using any_request = std::variant<request::answer, request::list, request::stats, request::declare, request::summary,
                                 request::snooze, request::change, request::catchup>;

// The reply to `/incident summary` before the summary is posted.
inline constexpr std::string_view summary_reply = "Posting the summary in the channel.";

// The request in slash command `sc`, typed in a channel that has an incident or not. A command
// that needs an incident (needs_incident) typed elsewhere is answered with
// not_an_incident_channel_reply(); a malformed one with the parser's message.
any_request route_command(const slack::slash_command& sc, bool in_incident_channel);

// The request in a button click: "Post update" on a reminder records its draft as a
// status-page update (a change), "Snooze 15 min" snoozes (the button's duration, else 15 min).
// nullopt for anything else, or a click outside an incident channel: nothing to do.
std::optional<any_request> route_button(const slack::interactive& click, bool in_incident_channel);

}  // namespace ib::flows
