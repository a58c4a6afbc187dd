// Socket Mode frames, parsed once into typed values. No I/O: the transport hands each text
// frame to parse_frame() and acts on the alternative it gets back; nothing re-parses JSON later.
//
// Shapes follow Slack's docs and SDK fixtures (shared/slack-fixtures, see slack-protocol.md):
//   {"type":"hello","num_connections":1,"debug_info":{…,"approximate_connection_time":18060},
//    "connection_info":{"app_id":"A111"}}
//   {"type":"disconnect","reason":"refresh_requested","debug_info":{…}}
//   {"envelope_id":"…","type":"events_api"|"slash_commands"|"interactive","payload":{…},
//    "accepts_response_payload":bool[,"retry_attempt":0,"retry_reason":""]}
//
// Field policy: a field the bot reads must have the JSON type Slack documents. Missing or null
// optional fields become empty strings / false / 0 / nullopt; a missing required field or a
// field of the wrong type makes the whole frame a bad_frame (with its envelope_id when one was
// found, so the driver can still ack it: redelivering a malformed payload cannot fix it).
// Strings are kept exactly as Slack sent them (Slack markup such as "<@U1>" and "&amp;" intact).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ib::slack {

// ---- connection control frames ---------------------------------------------------------

// First frame after the WebSocket handshake; the connection is usable from here on.
struct hello {
    int num_connections = 0;                                         // sockets this app has open
    std::optional<std::chrono::seconds> approximate_connection_time; // until Slack refreshes it
    std::string app_id;                                              // connection_info.app_id

    friend bool operator==(const hello&, const hello&) = default;
};

enum class disconnect_reason {
    refresh_requested,    // routine refresh, every few hours: reconnect at once
    warning,              // sent ~10 s before Slack drops the socket: reconnect at once
    link_disabled,        // Socket Mode was switched off in the app settings
    too_many_websockets,  // the app exceeded its concurrent-connection limit
    other,                // a reason this code does not know (see disconnect::raw_reason)
};
std::string_view to_string(disconnect_reason r);                // "refresh_requested", …
disconnect_reason parse_disconnect_reason(std::string_view s);  // unknown text -> other

// Slack is about to close (or has closed) this socket and wants a new one opened.
struct disconnect {
    disconnect_reason reason = disconnect_reason::other;
    std::string raw_reason;  // the text Slack sent ("" when the field was absent)

    friend bool operator==(const disconnect&, const disconnect&) = default;
};

// ---- Events API inner events ----------------------------------------------------------

// `message` and its subtypes (bot_message, channel_join, message_changed, message_deleted,
// thread_broadcast, …). Fields that do not apply to a subtype stay empty.
struct message_event {
    std::string channel;
    std::string channel_type;   // "channel", "group", "im", "mpim" (may be empty)
    std::string user;           // author; empty for bot_message and message_deleted
    std::string bot_id;         // set for bot messages
    std::string text;
    std::string ts;             // the event's ts (for message_changed: when the edit happened)
    std::string thread_ts;      // parent ts for thread replies and broadcasts
    std::string subtype;        // "" for a plain user message
    bool hidden = false;        // true for message_changed / message_deleted
    std::string edited_ts;      // edited.ts (message_changed: message.edited.ts)
    std::string inviter;        // channel_join: who added the user
    // message_changed only:
    std::string changed_ts;     // message.ts: the message that was edited
    std::string new_text;       // message.text
    std::string previous_text;  // previous_message.text (also set for message_deleted)
    // message_deleted only:
    std::string deleted_ts;     // the message that was deleted

    friend bool operator==(const message_event&, const message_event&) = default;
};

// member_joined_channel.
struct member_joined {
    std::string user;
    std::string channel;
    std::string inviter;  // empty on self-join, default channels, public->private conversion
    std::string event_ts; // when present (every inner event should carry one; doc samples omit it)

    friend bool operator==(const member_joined&, const member_joined&) = default;
};

// member_left_channel.
struct member_left {
    std::string user;
    std::string channel;
    std::string event_ts;  // when present

    friend bool operator==(const member_left&, const member_left&) = default;
};

// reaction_added / reaction_removed.
struct reaction {
    bool added = true;         // false for reaction_removed
    std::string user;          // who reacted
    std::string reaction;      // emoji name without colons, e.g. "thumbsup"
    std::string item_type;     // "message" or "file" (item.type)
    std::string item_channel;  // item.channel (empty for files)
    std::string item_ts;       // item.ts: the message reacted to
    std::string item_user;     // author of the item; absent for items not made by users
    std::string event_ts;

    friend bool operator==(const slack::reaction&, const slack::reaction&) = default;
};

// app_mention: someone wrote @bot in a channel.
struct app_mention {
    std::string channel;
    std::string user;
    std::string text;
    std::string ts;
    std::string thread_ts;
    std::string event_ts;

    friend bool operator==(const app_mention&, const app_mention&) = default;
};

// channel_created (sent to the whole workspace).
struct channel_created {
    std::string id;
    std::string name;
    std::string creator;

    friend bool operator==(const channel_created&, const channel_created&) = default;
};

// The payload is an app_rate_limited notice instead of an event_callback: Slack stopped
// delivering events for this minute (30 000 events / workspace / app / hour were exceeded).
struct app_rate_limited {
    std::int64_t minute_rate_limited = 0;  // epoch seconds of the rate-limited minute

    friend bool operator==(const app_rate_limited&, const app_rate_limited&) = default;
};

// Any other inner event type (pin_added, …), or a payload type other than event_callback.
struct other_event {
    std::string type;

    friend bool operator==(const other_event&, const other_event&) = default;
};

using inner_event = std::variant<message_event, member_joined, member_left, reaction, app_mention,
                                 channel_created, app_rate_limited, other_event>;

// ---- messages read from a channel's history ---------------------------------------------------

// One emoji on a message, as conversations.history and conversations.replies show it.
struct message_reaction {
    std::string name;                // emoji name without colons, e.g. "pushpin"
    std::vector<std::string> users;  // who reacted

    friend bool operator==(const message_reaction&, const message_reaction&) = default;
};

// One message of a conversations.history or conversations.replies page (slack-protocol.md §6):
// the fields of the `message` event Slack sends for it, read with the same field policy, and
// what only history shows.
struct history_message {
    message_event message;                    // `channel`: the channel that was asked about
    std::vector<message_reaction> reactions;  // the message's reactions now
    std::int64_t reply_count = 0;             // a thread's parent: its replies so far

    friend bool operator==(const history_message&, const history_message&) = default;
};

// Reads one element of a history page's `messages` (its strings are moved out). nullopt, with a
// one-line reason in *error when given, for an element that is not a usable message: not an
// object, no ts, a field of the wrong type.
std::optional<history_message> read_history_message(nlohmann::json& message, std::string_view channel,
                                                    std::string* error = nullptr);

// ---- envelopes ---------------------------------------------------------------------------

// type "events_api": an Events API event_callback (or app_rate_limited) to record, then ack.
struct events_api {
    std::string envelope_id;
    int retry_attempt = 0;     // 0 on the first delivery
    std::string retry_reason;  // "" on the first delivery, e.g. "timeout" on retries
    std::string event_id;      // globally unique, dedupe on it; empty for app_rate_limited
    std::int64_t event_time = 0;  // epoch seconds (0 when absent)
    std::string team_id;
    std::string api_app_id;    // the app the event was sent to (origin.hpp checks it)
    inner_event event;

    friend bool operator==(const events_api&, const events_api&) = default;
};

// type "slash_commands": a slash command; the reply may travel in the ack's payload.
struct slash_command {
    std::string envelope_id;
    std::string command;  // "/incident"
    std::string text;     // everything after the command
    std::string user_id;
    std::string user_name;
    std::string channel_id;
    std::string channel_name;
    std::string team_id;
    std::string api_app_id;
    std::string response_url;
    std::string trigger_id;
    bool accepts_response_payload = false;

    friend bool operator==(const slash_command&, const slash_command&) = default;
};

// One element of a block_actions payload's `actions` array.
struct block_action {
    std::string action_id;
    std::string value;  // buttons carry a value; empty otherwise
    std::string block_id;

    friend bool operator==(const block_action&, const block_action&) = default;
};

// One input of a submitted modal (payload.view.state.values[block_id][action_id]).
struct view_input {
    std::string block_id;
    std::string action_id;
    std::string type;                   // the element's: "checkboxes", "static_select", …
    std::vector<std::string> selected;  // the values of selected_options (or of selected_option)

    friend bool operator==(const view_input&, const view_input&) = default;
};

// type "interactive": a button click (block_actions), a shortcut, a message shortcut
// (message_action), a modal's submission (view_submission), …
struct interactive {
    std::string envelope_id;
    std::string type;          // payload.type: "block_actions", "shortcut", "message_action", …
    std::string user_id;       // payload.user.id
    std::string team_id;       // payload.team.id, else payload.user.team_id
    std::string api_app_id;    // payload.api_app_id
    std::string channel_id;    // payload.channel.id, else payload.container.channel_id
    std::string message_ts;    // payload.container.message_ts (block_actions on a message), else
                               // payload.message_ts (message_action)
    std::string callback_id;   // shortcuts
    std::string trigger_id;
    std::string response_url;
    std::vector<block_action> actions;
    // view_submission: payload.view's id, callback_id, private_metadata and state.values.
    std::string view_id;
    std::string view_callback_id;
    std::string private_metadata;
    std::vector<view_input> inputs;
    bool accepts_response_payload = false;

    friend bool operator==(const interactive&, const interactive&) = default;
};

// A well-formed envelope of a type this code does not handle: ack it, log at debug.
struct unknown_envelope {
    std::string type;
    std::string envelope_id;  // may be empty

    friend bool operator==(const unknown_envelope&, const unknown_envelope&) = default;
};

// A frame that could not be used: too large, too deeply nested, not JSON, invalid UTF-8,
// wrong shape, a field of the wrong type, a missing required field.
struct bad_frame {
    std::string reason;                      // one line for the log, e.g. "payload.event: expected object"
    std::optional<std::string> envelope_id;  // when one could be found: ack it anyway

    friend bool operator==(const bad_frame&, const bad_frame&) = default;
};

using frame = std::variant<hello, disconnect, events_api, slash_command, interactive, unknown_envelope,
                           bad_frame>;

inline constexpr std::size_t default_max_frame_bytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr int max_json_depth = 64;  // deeper nesting is rejected before any DOM is built
// Members parse_frame never reads, at any depth: validated as JSON but not built into the DOM
// (a message's rich-text `blocks` are most of its envelope). A field read from one of them would
// be missing; the envelope test parses every fixture frame with and without pruning to catch it.
inline constexpr std::array<std::string_view, 5> unread_members{"blocks", "attachments", "files", "authorizations",
                                                                "bot_profile"};

// Parses one Socket Mode text frame. Never throws (short of the allocator failing), never
// crashes on hostile input. Frames larger than `max_bytes` and frames nested deeper than
// max_json_depth are rejected before JSON parsing; invalid UTF-8 and raw control characters
// inside strings are JSON syntax errors and give bad_frame (nothing is replaced).
frame parse_frame(std::string_view text, std::size_t max_bytes = default_max_frame_bytes);

// The ack for an envelope: {"envelope_id":"…"}. Any envelope_id bytes are escaped correctly;
// invalid UTF-8 is replaced with U+FFFD rather than throwing.
std::string make_ack(std::string_view envelope_id);
// The ack with a response payload, {"envelope_id":"…","payload":{…}}; only meaningful when
// the envelope had accepts_response_payload = true (e.g. a slash command's reply message).
std::string make_ack(std::string_view envelope_id, const nlohmann::json& payload);

}  // namespace ib::slack
