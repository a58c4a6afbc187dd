// What the bot records for each Events API event that concerns a channel: the pure mapping from
// a parsed Slack event to a timeline entry. The transport decides whether the channel belongs to
// an incident; this decides what the entry says.
//
// Choices, and why:
//  - member_joined_channel / member_left_channel are the record of joins and leaves (they carry
//    the inviter and fire for private channels too). The `channel_join` / `channel_leave`
//    message subtypes announce the same fact a second time and are not recorded.
//  - A 📌 (`pushpin` / `round_pushpin`) reaction marks the message it is on as a key moment.
//  - Messages from this bot or any other bot are recorded as `bot_message`: they are on the
//    timeline but are not participant messages, and they are not tagged.
//  - message_changed and message_deleted become their own `edit` / `deletion` entries that refer
//    to the original message by ts; nothing stored earlier is rewritten.
//  - app_mention duplicates the `message` event for the same message and is not recorded.
#pragma once

#include "core/slack/envelope.hpp"
#include "core/timeline.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ib {

struct recorded_event {
    std::string channel;   // the channel the event happened in
    timeline_entry entry;  // incident_id left 0: the caller knows which incident owns the channel
};

// The entry for one event, or nullopt when the event is not recorded (see above). `received_at`
// is used for `at` when Slack's ts is missing or malformed, and always for `received_at`.
std::optional<recorded_event> to_timeline_entry(const slack::events_api& ev, std::string_view bot_user_id,
                                                time_point received_at);

// The channel to_timeline_entry files the event under when it records it; nullopt for events that
// concern no channel. Cheap (no tagging): the bot routes an event by it before converting it.
std::optional<std::string_view> event_channel(const slack::events_api& ev);

// True for the emoji names that mark a key moment.
bool is_key_moment_reaction(std::string_view reaction);

}  // namespace ib
