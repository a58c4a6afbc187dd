// One entry on an incident's timeline: a Slack message, join, reaction, edit, delete, or a
// lifecycle change made through the bot. Entries are append-only; an edit or delete is a new
// entry that refers to the original message by its Slack ts.
#pragma once

#include "time.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ib {

enum class entry_kind {
    message,      // a participant's message (incl. thread replies)
    bot_message,  // a message from this bot or another bot: recorded, not a participant message
    join,         // someone joined the channel
    leave,        // someone left the channel
    reaction,     // reaction added (attrs: reaction, item_ts in ref_ts)
    unreaction,   // reaction removed
    key_moment,   // a 📌 reaction marking a message as a key moment
    edit,         // message_changed: text is the new text, ref_ts the original message
    deletion,     // message_deleted: ref_ts is the deleted message
    declare,      // incident declared
    detected,     // detection time recorded
    ack,          // acknowledged
    severity,     // severity changed (attrs: from, to)
    status,       // status changed (attrs: from, to)
    resolve,      // resolved
    reopen,       // reopened after resolution
    role,         // commander / comms lead assigned (attrs: role, assignee)
    note,         // free-text note
    action_item,  // follow-up action item (attrs: owner)
    statuspage,   // a status-page update was published (text: what it said)
    reminder,     // the bot reminded the channel (e.g. status page overdue)
    redaction,    // `incident-bot redact`: the message ref_ts and its edits now read `text`
                  // ("[redacted: <reason>]"); attrs: by (who ran it), reason
    gap,          // the bot was not connected to Slack for a while (attrs: from, to, recovered):
                  // written once it caught up from the channel's history (core/flows/backfill)
    correction,   // someone corrected a message's tags ("Correct tags" shortcut, core/corrections):
                  // ref_ts the message, attrs from/to (tag names, comma-separated); the message's
                  // tags read as the last correction's `to` (apply_corrections)
    catchup,      // a late joiner was sent the catch-up (attrs: for = who; core/catchup.hpp)
};
std::string_view to_string(entry_kind k);                       // "message", "key_moment", …
std::optional<entry_kind> parse_entry_kind(std::string_view s);

// Lifecycle kinds are changes made through the bot, as opposed to chat activity.
bool is_lifecycle(entry_kind k);

enum class tag { join, hypothesis, command, action, status };
std::string_view to_string(tag t);                              // "hypothesis"
std::optional<tag> parse_tag(std::string_view s);

// A tag together with the rule that produced it, so a user can see why it was applied.
struct tag_hit {
    ib::tag tag;
    std::string rule;  // why: e.g. "model:action(intent+op_verb, i'll [op_verb])", or a correction
    bool operator==(const tag_hit&) const = default;
};

struct timeline_entry {
    std::int64_t seq = 0;           // storage row id; 0 until stored
    std::int64_t incident_id = 0;
    std::string key;                // dedupe key (Slack event_id, or one made by the bot); may be empty
    time_point at{};                // when it happened (from Slack's ts for Slack events)
    std::string slack_ts;           // Slack's original ts, empty for entries without one
    std::string user;               // Slack user id of who did it (bot id for bot messages)
    entry_kind kind = entry_kind::message;
    std::vector<tag_hit> tags;
    std::string text;
    std::string ref_ts;             // the message an edit/deletion/reaction refers to
    std::map<std::string, std::string> attrs;  // kind-specific details (from/to, owner, reaction…)
    time_point received_at{};       // when the bot received/recorded it

    bool has_tag(ib::tag t) const {
        for (const auto& h : tags)
            if (h.tag == t) return true;
        return false;
    }
    // attrs lookup with a default
    std::string attr(std::string_view name, std::string_view fallback = {}) const {
        auto it = attrs.find(std::string(name));
        return it == attrs.end() ? std::string(fallback) : it->second;
    }
};

// Bookkeeping: an entry the bot stores only to coordinate its instances (the mark that closes a
// reminder claim, core/reminders.hpp make_reminder_mark), not something that happened in the
// incident. No output a reviewer reads shows or counts it (exports, the review site, the summary,
// the catch-up); the reminder schedule and `check` read it like any entry. An entry is
// bookkeeping when its kind is k_bookkeeping.kind and attrs[k_bookkeeping.attr] is
// k_bookkeeping.value; storage's paged reads filter by the same three (storage/engine_rules.hpp).
struct bookkeeping_rule {
    entry_kind kind;
    std::string_view attr;
    std::string_view value;
};
inline constexpr bookkeeping_rule k_bookkeeping{entry_kind::reminder, "type", "mark"};
bool is_bookkeeping(const timeline_entry& e);
// `timeline` without its bookkeeping, in the same order: the incident's history, what outputs read.
std::vector<timeline_entry> history_of(std::vector<timeline_entry> timeline);

// What became of the Slack messages on a timeline. Edits and deletions are entries of their own
// that refer to a message by its ts (ref_ts), so a reader of the record wants each message's
// latest text and to leave out the text of deleted ones (people delete what should not have been
// posted, such as a pasted secret). Views into `timeline`, which must outlive this.
class message_history {
public:
    explicit message_history(std::span<const timeline_entry> timeline);

    // The (first) `message` entry with Slack ts `ts`, or null.
    const timeline_entry* message(std::string_view ts) const;
    // A `deletion` entry refers to `ts`.
    bool deleted(std::string_view ts) const;
    // The text of the last `edit` (in timeline order) of the message with ts `ts`, else
    // `original`: its text as first recorded. An empty ts has no edits.
    std::string_view latest_text(std::string_view ts, std::string_view original) const;
    // latest_text() of a `message` entry.
    std::string_view latest_text(const timeline_entry& message) const {
        return latest_text(message.slack_ts, message.text);
    }
    // The text `e` carries (its text, or the earlier text an edit or deletion kept in
    // attrs.previous_text) is a deleted message's: a message or bot message later deleted, an
    // edit of one, or the deletion itself. Exports leave such text out unless asked for it.
    bool withheld(const timeline_entry& e) const;

private:
    std::unordered_map<std::string_view, const timeline_entry*> messages_;
    std::unordered_map<std::string_view, std::string_view> edits_;
    std::unordered_set<std::string_view> deleted_;
};

}  // namespace ib
