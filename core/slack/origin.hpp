// Whether a Socket Mode envelope is meant for this bot: its api_app_id and team_id must be the
// app and workspace the bot authenticated as (the app id from hello's connection_info.app_id,
// the workspace from auth.test's team_id). Anything else is acked (redelivering it cannot make
// it ours), dropped unread and logged. Socket Mode connections are already authenticated, so
// this is defence in depth: a misrouted or forged envelope never reaches the record.
#pragma once

#include "envelope.hpp"

#include <string>

namespace ib::slack {

struct identity {
    std::string team_id;  // auth.test team_id ("" until known: not checked)
    std::string app_id;   // hello connection_info.app_id ("" until known: not checked)
};

// One line for the log saying why `f` is not for `self` ("api_app_id A999 is not this app
// (A111)", "no team_id"), or "" when it is ours. A field missing from the envelope does not
// match, except a message shortcut's api_app_id (Slack sends none: only its team is checked).
// Only envelopes that carry an app and workspace are checked (events_api, slash_commands,
// interactive); hello, disconnect, unknown and bad frames always pass.
std::string foreign_reason(const frame& f, const identity& self);

}  // namespace ib::slack
