#pragma once
// Builders for what the simulator sends: the simulated workspace's identity, Socket Mode frames
// (hello, envelopes), Events API bodies and inner events, Web API objects. Each shape follows a
// real Slack sample in shared/slack-fixtures/ (named beside each builder). Plain C++, no state.

#include "sim/support.hpp"

#include <string>

namespace ib::sim::detail {

// The simulated workspace, app and bot user.
inline const std::string k_team_id = "T0SIM0001";
inline const std::string k_team_domain = "sim-workspace";
inline const std::string k_team_name = "Simulated Workspace";
inline const std::string k_app_id = "A0SIM0001";
inline const std::string k_bot_user_id = "U0SIMBOT1";
inline const std::string k_bot_id = "B0SIMBOT1";
inline const std::string k_bot_name = "incident-bot";
inline const std::string k_verification_token = "sim-verification-token";
inline const std::string k_ws_host = "applink-sim-1";

// authorizations[] of an event_callback: the one installation that sees the event.
json authorizations();

// The event_callback body around an inner event (event-callback-message.json).
json event_callback(json inner, const std::string& event_id);

// An events_api envelope, first delivery (socket-mode-events_api-message.json).
json events_api_envelope(json payload, const std::string& envelope_id);

// An interactive envelope (socket-mode-interactive-shortcut.json); view_submission may carry a
// response_action in its ack, so accepts_response_payload is true for it.
json interactive_envelope(json payload, const std::string& envelope_id, bool accepts_response_payload);

// The hello frame (socket-mode-hello.json).
json hello_frame(std::size_t num_connections);

// {"type":"disconnect","reason":…,"debug_info":{"host":…}} (socket-mode-disconnect-*.json).
json disconnect_frame(const std::string& reason);

// The bot's bot_profile on its messages (event-callback-message-bot_message.json).
json bot_profile();

// What a real client sends with a message: one rich_text block, mentions as user elements
// (event-callback-message.json, interactive-message_action.json).
json rich_text_blocks(const std::string& text, const std::string& block_id);

// member_joined_channel (event-callback-member_joined_channel.json); channel_type "C" for
// public channels and "G" for private ones.
json member_joined_event(const std::string& channel, const std::string& user, const std::string& inviter,
                         const std::string& ts, bool is_private);

// member_left_channel (event-callback-member_left_channel.json).
json member_left_event(const std::string& channel, const std::string& user, const std::string& ts, bool is_private);

// A slash command's payload (socket-mode-slash_commands*.json; [SC]).
json slash_command_payload(const std::string& channel_id, const std::string& channel_name, const std::string& user,
                           const std::string& user_name, const std::string& command, const std::string& text,
                           const std::string& response_url, const std::string& trigger_id);

// A message shortcut's payload (interactive-message_action.json): `message` as in history.
json message_action_payload(const std::string& channel_id, const std::string& channel_name, const std::string& user,
                            const std::string& user_name, const json& message, const std::string& callback_id,
                            const std::string& trigger_id, const std::string& response_url,
                            const std::string& action_ts);

// A modal's submission (interactive-view_submission.json, -bolt-python.json): `view` as the
// bot opened it, with the user's state.values.
json view_submission_payload(const std::string& user, const std::string& user_name, json view,
                             const std::string& trigger_id);

// "channel" for public channels, "group" for private ones, "im" for DMs (event `channel_type`).
std::string message_channel_type(bool is_private);

}  // namespace ib::sim::detail
