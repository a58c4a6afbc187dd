#pragma once
// The simulated workspace's state: channels and their members, every message with its ts (the
// channel's history, thread replies included), users. Plain C++ + nlohmann_json, no I/O.
//
// Not synchronized: its owner serialises every access with one mutex (slack_simulator::impl in
// slack_simulator.cpp). Both the Web API (web_api.hpp) and the scripting API change it through
// the members below, so a message a test posts and one the bot posts land in the same history.

#include "sim/support.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ib::sim::detail {

struct reaction_rec {
    std::string name;
    std::vector<std::string> users;  // in the order they reacted
};

// One message as Slack keeps it. Its JSON (history and event form) is built by message_json().
struct message_rec {
    std::string ts;
    std::string user;           // author; the bot user id for the bot's posts
    std::string text;           // Slack's form (entities and markup as sent)
    std::string subtype;        // "" for plain messages; channel_join, channel_leave, thread_broadcast, …
    std::string thread_ts;      // replies: the parent's ts; a parent gets its own ts once it has replies
    std::string inviter;        // channel_join by invitation
    std::string client_msg_id;  // user messages
    std::string block_id;       // of the rich_text block built from the text
    bool by_bot = false;
    json blocks;       // as posted by the bot (null: one rich_text block of the text)
    json attachments;  // as posted by the bot
    std::optional<std::pair<std::string, std::string>> edited;  // user, ts
    std::vector<std::string> replies;      // a parent's replies, oldest first
    std::vector<std::string> reply_users;  // distinct repliers, first reply first
    std::vector<reaction_rec> reactions;
};

struct channel_rec {
    std::string id, name, creator;
    std::int64_t created = 0;
    bool is_private = false;
    bool is_im = false;  // a DM, opened on the fly by chat.postMessage to a user id
    std::string topic, topic_creator;
    std::int64_t topic_last_set = 0;
    std::set<std::string> members;
    std::set<std::string> pins;
    std::map<std::int64_t, message_rec> history;  // by ts (microseconds), replies included
};

// A page of conversations.history or conversations.replies. Bounds are ts in microseconds.
struct page_query {
    std::optional<std::int64_t> oldest, latest;  // exclusive unless inclusive
    bool inclusive = false;
    std::size_t limit = 100;
    std::optional<std::int64_t> cursor;  // where the page starts (that message included)
};

struct page {
    std::vector<const message_rec*> messages;
    std::optional<std::int64_t> next;  // has_more: where the next page starts
};

struct user_rec {
    std::string name;          // the handle ("alice")
    std::string display_name;  // may be empty: clients then show real_name
    std::string real_name;
    bool is_bot = false;       // another app's bot user: users.info says is_bot (this app's is always one)
};

class workspace {
public:
    //-- channels -------------------------------------------------------------------------
    // By id, or by name ("#name" or "name"); nullptr when unknown.
    channel_rec* find_channel(const std::string& id_or_name);
    const channel_rec* find_channel(const std::string& id_or_name) const;
    const channel_rec* channel_by_name(const std::string& name) const;
    // A channel id a test scripts becomes a known (public, memberless) channel.
    channel_rec& ensure_channel(const std::string& id);
    // A new channel ("C0SIM0001", …; private channels get C ids too, as in Slack since 2021).
    // The caller checked the name.
    channel_rec& add_channel(const std::string& name, const std::string& creator, bool is_private);
    // A DM by id ("D…"), opened when first used; chat.postMessage to user U1 posts to "D" + "1".
    channel_rec& dm(const std::string& id);
    bool name_taken(const std::string& name) const;

    //-- messages -------------------------------------------------------------------------
    message_rec* find_message(const std::string& channel, const std::string& ts);
    // Stores m in the channel's history. A reply (thread_ts set) updates its parent's thread
    // bookkeeping (replies, reply_users, thread_ts) when the parent is known.
    message_rec& add_message(channel_rec& c, message_rec m);
    // A user's message (subtype "" or thread_broadcast), with a client_msg_id and a rich_text
    // block like a real client's.
    message_rec& add_user_message(channel_rec& c, const std::string& user, const std::string& text,
                                  const std::string& thread_ts, const std::string& subtype, id_source& ids);
    // channel_join / channel_leave messages ("<@U…|name> has joined the channel").
    message_rec& add_join_message(channel_rec& c, const std::string& user, const std::string& inviter, id_source& ids);
    message_rec& add_leave_message(channel_rec& c, const std::string& user, id_source& ids);
    // Removes a message; returns it (nullopt when unknown).
    std::optional<message_rec> remove_message(const std::string& channel, const std::string& ts);
    // The author of channel/ts, "" when unknown.
    std::string author(const std::string& channel, const std::string& ts) const;

    // The message as Slack returns it in conversations.history and conversations.replies
    // (web-api-conversations.history-ok.json, -replies-ok.json; a parent also carries
    // reply_count, reply_users, latest_reply as in event-callback-message-thread_broadcast.json).
    json message_json(const channel_rec& c, const message_rec& m) const;
    // The same message as a `message` event: plus channel, event_ts and channel_type.
    json message_event(const channel_rec& c, const message_rec& m) const;

    // conversations.history: newest first, top-level messages and thread_broadcast replies.
    page history_page(const channel_rec& c, const page_query& q) const;
    // conversations.replies: the thread of `ts` (its parent's, when ts is a reply); the parent
    // first on the first page (no cursor) whatever the bounds, then replies oldest first within
    // them. nullptr parent: no such message.
    const message_rec* thread_parent(const channel_rec& c, const std::string& ts) const;
    page replies_page(const channel_rec& c, const message_rec& parent, const page_query& q) const;

    // Adds (or removes) user's reaction on a message; false when the message is unknown.
    bool react(const std::string& channel, const std::string& ts, const std::string& user,
               const std::string& reaction, bool added);

    //-- users ----------------------------------------------------------------------------
    // Name shown in payloads (user_name, channel_join text): the handle, else the id lowercased.
    std::string user_name(const std::string& user) const;
    void set_user(const std::string& user, user_rec u);
    const user_rec* find_user(const std::string& user) const;
    // Marks a user as existing (users.info finds them) without naming them.
    void touch_user(const std::string& user);
    // Marks every user a text mentions (<@U…> or <@U…|name>) as existing.
    void touch_mentions(const std::string& text);
    // users.info's user object (web-api-users.info-ok.json).
    json user_json(const std::string& id) const;

    //-- channel objects ------------------------------------------------------------------
    // conversations.create/info's channel object (web-api-conversations.create-ok-openapi.json).
    json channel_json(const channel_rec& c) const;

    //-- user groups (usergroups.users.list) ------------------------------------------------
    std::string add_usergroup(const std::string& handle, std::vector<std::string> members);
    // nullptr when unknown.
    std::vector<std::string>* usergroup_members(const std::string& id);

    //-- interactivity -------------------------------------------------------------------------
    // A trigger_id issued to a user's interaction (slash command, shortcut, submission).
    struct trigger_rec {
        std::string user;
        steady::time_point issued;
        bool used = false;
    };
    void add_trigger(const std::string& trigger_id, const std::string& user, steady::time_point at);
    trigger_rec* find_trigger(const std::string& trigger_id);

    struct view_rec {
        std::string id, user, trigger_id;
        json view;  // as views.open returned it
    };
    std::vector<view_rec> views;
    const view_rec* find_view(const std::string& id) const;

    //-- what the bot posted (chat.postMessage bodies, each with its "ts") -----------------
    std::unordered_map<std::string, std::vector<json>> bot_posts;
    // chat.postEphemeral bodies, each with its "message_ts", by channel then user.
    std::map<std::pair<std::string, std::string>, std::vector<json>> ephemerals;

private:
    std::map<std::string, channel_rec> channels_;
    std::unordered_map<std::string, std::string> channel_by_name_;
    std::size_t channel_seq_ = 0;
    std::unordered_map<std::string, user_rec> users_;
    struct usergroup_rec {
        std::string handle;
        std::vector<std::string> members;
    };
    std::map<std::string, usergroup_rec> usergroups_;
    std::unordered_map<std::string, trigger_rec> triggers_;
};

}  // namespace ib::sim::detail
