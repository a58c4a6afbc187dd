// What the bot records for each Events API event that concerns a channel: the pure mapping from
// a parsed Slack event to a timeline entry. The transport decides whether the channel belongs to
// an incident; this decides what the entry says.
//
// Choices, and why:
//  - member_joined_channel / member_left_channel and the `channel_join` / `channel_leave`
//    messages are joins and leaves. Slack sends both for one join, with different ts (a real
//    pair: member_joined_channel 1535354623.000100, channel_join 1535354623.000200,
//    ltworf/localslackirc#95), and only the message is in the channel's history: the store keeps
//    one join per membership (store.hpp), whichever of the three came first.
//  - A 📌 (`pushpin` / `round_pushpin`) reaction marks the message it is on as a key moment.
//  - Messages from this bot or any other bot are recorded as `bot_message`: they are on the
//    timeline but are not participant messages, and they are not tagged.
//  - message_changed and message_deleted become their own `edit` / `deletion` entries that refer
//    to the original message by ts; nothing stored earlier is rewritten.
//  - app_mention duplicates the `message` event for the same message and is not recorded.
//  - A message read from the channel's history (conversations.history/replies, after the bot was
//    down) becomes the entry its `message` event would have: same kind, user, text, tags, ts and
//    attrs, but no key (history has no event_id; the store keeps one entry per channel and ts).
#pragma once

#include "core/slack/envelope.hpp"
#include "core/timeline.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// The users an event shows, for the names exports use (core/flows/resolve_user.hpp): its
// author, an inviter, the author of a reacted-to message, and the users mentioned in a message's
// text. Cheap: a text without "<@" is not parsed.
std::vector<std::string> users_in(const slack::events_api& ev);

// True for the emoji names that mark a key moment.
bool is_key_moment_reaction(std::string_view reaction);

// The entry for a message of the channel's history (see above), or nullopt when the `message`
// event for it would not be recorded either. `received_at` as for events.
std::optional<timeline_entry> to_timeline_entry(const slack::history_message& m, std::string_view bot_user_id,
                                                time_point received_at);

// The entries that bring the timeline's 📌 key moments on message `m` in line with its reactions
// as history shows them now: a key_moment for each pin (user, emoji) on `m` that `recorded` does
// not hold as current, an unreaction for each pin that `recorded` holds on `m` and history no
// longer shows. `recorded`: the incident's key_moment and unreaction entries in timeline order
// (others are ignored); a pin is current when its latest entry is a key_moment. A recovered pin
// is dated at the message (when it was pinned is not in history), or at `received_at` when the
// timeline holds a later entry for it; a recovered removal at `received_at`. Neither has a key:
// the store keeps a pin that is already current once.
std::vector<timeline_entry> reconcile_pins(const slack::history_message& m, std::span<const timeline_entry> recorded,
                                           time_point received_at);

// One page of a channel's history as the entries store_history stores.
struct history_page {
    std::vector<timeline_entry> entries;  // incident_id left 0
    std::size_t unusable = 0;             // elements that were not usable messages
    std::string first_problem;            // why the first of those was not ("" when none)
};
// The `messages` of a conversations.history or conversations.replies page (their strings are
// moved out): each message's entry (to_timeline_entry), oldest first, so that a leave and a
// rejoin on one page are stored in the order they happened, then what reconcile_pins finds for
// each message against `recorded`.
history_page history_page_entries(nlohmann::json& messages, std::string_view channel, std::string_view bot_user_id,
                                  std::span<const timeline_entry> recorded, time_point received_at);

}  // namespace ib
