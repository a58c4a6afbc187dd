#include "sim/workspace.hpp"

#include "sim/payloads.hpp"

#include <algorithm>
#include <cstdio>

namespace ib::sim::detail {

//-- channels -----------------------------------------------------------------------------

channel_rec*
workspace::find_channel(const std::string& id_or_name)
{
    return const_cast<channel_rec*>(static_cast<const workspace&>(*this).find_channel(id_or_name));
}

const channel_rec*
workspace::find_channel(const std::string& id_or_name) const
{
    auto it = channels_.find(id_or_name);
    if (it != channels_.end())
        return &it->second;
    return channel_by_name(id_or_name.starts_with('#') ? id_or_name.substr(1) : id_or_name);
}

const channel_rec*
workspace::channel_by_name(const std::string& name) const
{
    auto n = channel_by_name_.find(name);
    return n == channel_by_name_.end() ? nullptr : &channels_.at(n->second);
}

channel_rec&
workspace::ensure_channel(const std::string& id)
{
    auto it = channels_.find(id);
    if (it != channels_.end())
        return it->second;
    channel_rec c;
    c.id = id;
    c.name = lowercase(id);
    c.created = unix_seconds();
    channel_by_name_.emplace(c.name, id);
    return channels_.emplace(id, std::move(c)).first->second;
}

channel_rec&
workspace::add_channel(const std::string& name, const std::string& creator, bool is_private)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "C0SIM%04zu", ++channel_seq_);
    channel_rec c;
    c.id = buf;
    c.name = name;
    c.creator = creator;
    c.created = unix_seconds();
    c.is_private = is_private;
    c.members.insert(creator);
    channel_by_name_[name] = c.id;
    auto id = c.id;
    return channels_.emplace(id, std::move(c)).first->second;
}

channel_rec&
workspace::dm(const std::string& id)
{
    auto it = channels_.find(id);
    if (it != channels_.end())
        return it->second;
    channel_rec c;
    c.id = id;
    c.is_im = true;
    c.created = unix_seconds();
    c.members = {k_bot_user_id};
    return channels_.emplace(id, std::move(c)).first->second;
}

bool
workspace::name_taken(const std::string& name) const
{
    return channel_by_name_.count(name) > 0;
}

//-- messages -----------------------------------------------------------------------------

message_rec*
workspace::find_message(const std::string& channel, const std::string& ts)
{
    auto* c = find_channel(channel);
    std::int64_t key = 0;
    if (!c || !ts_micros(ts, key))
        return nullptr;
    auto it = c->history.find(key);
    return it == c->history.end() ? nullptr : &it->second;
}

message_rec&
workspace::add_message(channel_rec& c, message_rec m)
{
    std::int64_t key = 0;
    ts_micros(m.ts, key);
    if (!m.thread_ts.empty() && m.thread_ts != m.ts) {
        std::int64_t parent_key = 0;
        auto parent = ts_micros(m.thread_ts, parent_key) ? c.history.find(parent_key) : c.history.end();
        if (parent != c.history.end()) {
            auto& p = parent->second;
            p.thread_ts = p.ts;
            p.replies.push_back(m.ts);
            if (std::find(p.reply_users.begin(), p.reply_users.end(), m.user) == p.reply_users.end())
                p.reply_users.push_back(m.user);
        }
    }
    return c.history.insert_or_assign(key, std::move(m)).first->second;
}

message_rec&
workspace::add_user_message(channel_rec& c, const std::string& user, const std::string& text,
                            const std::string& thread_ts, const std::string& subtype, id_source& ids)
{
    touch_user(user);
    touch_mentions(text);
    message_rec m;
    m.ts = ids.ts();
    m.user = user;
    m.text = text;
    m.thread_ts = thread_ts;
    m.subtype = subtype;
    m.client_msg_id = ids.uuid();
    m.block_id = ids.block_id();
    return add_message(c, std::move(m));
}

message_rec&
workspace::add_join_message(channel_rec& c, const std::string& user, const std::string& inviter, id_source& ids)
{
    message_rec m;
    m.ts = ids.ts();
    m.user = user;
    m.subtype = "channel_join";
    m.inviter = inviter;
    m.text = "<@" + user + "|" + user_name(user) + "> has joined the channel";
    return add_message(c, std::move(m));
}

message_rec&
workspace::add_leave_message(channel_rec& c, const std::string& user, id_source& ids)
{
    message_rec m;
    m.ts = ids.ts();
    m.user = user;
    m.subtype = "channel_leave";
    m.text = "<@" + user + "|" + user_name(user) + "> has left the channel";
    return add_message(c, std::move(m));
}

std::optional<message_rec>
workspace::remove_message(const std::string& channel, const std::string& ts)
{
    auto* c = find_channel(channel);
    std::int64_t key = 0;
    if (!c || !ts_micros(ts, key))
        return std::nullopt;
    auto it = c->history.find(key);
    if (it == c->history.end())
        return std::nullopt;
    auto m = std::move(it->second);
    c->history.erase(it);
    return m;
}

std::string
workspace::author(const std::string& channel, const std::string& ts) const
{
    auto* c = find_channel(channel);
    std::int64_t key = 0;
    if (!c || !ts_micros(ts, key))
        return {};
    auto it = c->history.find(key);
    return it == c->history.end() ? std::string{} : it->second.user;
}

json
workspace::message_json(const channel_rec& c, const message_rec& m) const
{
    json j = json::object();
    j["type"] = "message";
    j["ts"] = m.ts;
    j["text"] = m.text;
    if (!m.user.empty())
        j["user"] = m.user;
    if (!m.subtype.empty())
        j["subtype"] = m.subtype;
    if (!m.inviter.empty())
        j["inviter"] = m.inviter;
    bool plain = m.subtype.empty() || m.subtype == "thread_broadcast";
    if (plain) {
        j["team"] = k_team_id;
        if (!m.client_msg_id.empty())
            j["client_msg_id"] = m.client_msg_id;
        j["blocks"] = m.blocks.is_array() ? m.blocks : rich_text_blocks(m.text, m.block_id);
    }
    if (m.attachments.is_array())
        j["attachments"] = m.attachments;
    if (m.by_bot) {
        j["bot_id"] = k_bot_id;
        j["app_id"] = k_app_id;
        j["bot_profile"] = bot_profile();
    }
    if (m.edited)
        j["edited"] = {{"user", m.edited->first}, {"ts", m.edited->second}};
    if (!m.thread_ts.empty()) {
        j["thread_ts"] = m.thread_ts;
        if (m.thread_ts == m.ts) {
            // A thread's parent.
            j["reply_count"] = m.replies.size();
            j["reply_users_count"] = m.reply_users.size();
            j["reply_users"] = m.reply_users;
            j["latest_reply"] = m.replies.empty() ? m.ts : m.replies.back();
            j["is_locked"] = false;
            j["subscribed"] = false;
        } else {
            std::int64_t parent_key = 0;
            auto parent = ts_micros(m.thread_ts, parent_key) ? c.history.find(parent_key) : c.history.end();
            // A reply names its parent's author; a thread_broadcast carries the parent as root
            // (event-callback-message-thread_broadcast.json).
            if (parent != c.history.end()) {
                if (m.subtype == "thread_broadcast")
                    j["root"] = message_json(c, parent->second);
                else
                    j["parent_user_id"] = parent->second.user;
            }
        }
    }
    if (!m.reactions.empty()) {
        json rs = json::array();
        for (auto& r : m.reactions)
            rs.push_back({{"name", r.name}, {"users", r.users}, {"count", r.users.size()}});
        j["reactions"] = std::move(rs);
    }
    return j;
}

json
workspace::message_event(const channel_rec& c, const message_rec& m) const
{
    json e = message_json(c, m);
    e["channel"] = c.id;
    e["event_ts"] = m.ts;
    e["channel_type"] = c.is_im ? "im" : message_channel_type(c.is_private);
    return e;
}

namespace {

// In conversations.history: top-level messages, and replies also sent to the channel.
bool
top_level(const message_rec& m)
{
    return m.thread_ts.empty() || m.thread_ts == m.ts || m.subtype == "thread_broadcast";
}

// The inclusive key range a query allows.
std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>
key_range(const page_query& q)
{
    std::optional<std::int64_t> lo, hi;
    if (q.oldest)
        lo = q.inclusive ? *q.oldest : *q.oldest + 1;
    if (q.latest)
        hi = q.inclusive ? *q.latest : *q.latest - 1;
    return {lo, hi};
}

}  // namespace

page
workspace::history_page(const channel_rec& c, const page_query& q) const
{
    auto [lo, hi] = key_range(q);
    if (q.cursor)
        hi = hi ? std::min(*hi, *q.cursor) : *q.cursor;
    page p;
    auto it = hi ? c.history.upper_bound(*hi) : c.history.end();
    while (it != c.history.begin()) {
        --it;
        if (lo && it->first < *lo)
            break;
        if (!top_level(it->second))
            continue;
        if (p.messages.size() >= q.limit) {
            p.next = it->first;
            break;
        }
        p.messages.push_back(&it->second);
    }
    return p;
}

const message_rec*
workspace::thread_parent(const channel_rec& c, const std::string& ts) const
{
    std::int64_t key = 0;
    if (!ts_micros(ts, key))
        return nullptr;
    auto it = c.history.find(key);
    if (it == c.history.end())
        return nullptr;
    const auto& m = it->second;
    if (m.thread_ts.empty() || m.thread_ts == m.ts)
        return &m;
    // A reply: its thread is its parent's.
    std::int64_t parent_key = 0;
    auto parent = ts_micros(m.thread_ts, parent_key) ? c.history.find(parent_key) : c.history.end();
    return parent == c.history.end() ? nullptr : &parent->second;
}

page
workspace::replies_page(const channel_rec& c, const message_rec& parent, const page_query& q) const
{
    auto [lo, hi] = key_range(q);
    page p;
    if (!q.cursor)
        p.messages.push_back(&parent);
    for (const auto& ts : parent.replies) {
        std::int64_t key = 0;
        if (!ts_micros(ts, key) || (lo && key < *lo) || (hi && key > *hi) || (q.cursor && key < *q.cursor))
            continue;
        auto it = c.history.find(key);
        if (it == c.history.end())
            continue;  // deleted
        if (p.messages.size() >= q.limit) {
            p.next = key;
            break;
        }
        p.messages.push_back(&it->second);
    }
    return p;
}

bool
workspace::react(const std::string& channel, const std::string& ts, const std::string& user,
                 const std::string& reaction, bool added)
{
    auto* m = find_message(channel, ts);
    if (!m)
        return false;
    auto r = std::find_if(m->reactions.begin(), m->reactions.end(),
                          [&](const reaction_rec& x) { return x.name == reaction; });
    if (added) {
        if (r == m->reactions.end())
            r = m->reactions.insert(m->reactions.end(), reaction_rec{reaction, {}});
        if (std::find(r->users.begin(), r->users.end(), user) == r->users.end())
            r->users.push_back(user);
    } else if (r != m->reactions.end()) {
        r->users.erase(std::remove(r->users.begin(), r->users.end(), user), r->users.end());
        if (r->users.empty())
            m->reactions.erase(r);
    }
    return true;
}

//-- users --------------------------------------------------------------------------------

std::string
workspace::user_name(const std::string& user) const
{
    if (user == k_bot_user_id)
        return k_bot_name;
    auto it = users_.find(user);
    return it != users_.end() && !it->second.name.empty() ? it->second.name : lowercase(user);
}

void
workspace::set_user(const std::string& user, user_rec u)
{
    users_[user] = std::move(u);
}

const user_rec*
workspace::find_user(const std::string& user) const
{
    auto it = users_.find(user);
    return it == users_.end() ? nullptr : &it->second;
}

void
workspace::touch_user(const std::string& user)
{
    if (!user.empty())
        users_.try_emplace(user);
}

void
workspace::touch_mentions(const std::string& text)
{
    for (auto at = text.find("<@"); at != std::string::npos; at = text.find("<@", at + 2)) {
        auto end = text.find_first_of(">|", at + 2);
        if (end == std::string::npos)
            break;
        auto id = text.substr(at + 2, end - at - 2);
        if (!id.empty() && (id[0] == 'U' || id[0] == 'W') && id.size() <= 20)
            touch_user(id);
    }
}

json
workspace::user_json(const std::string& id) const
{
    const auto* rec = find_user(id);
    bool bot = id == k_bot_user_id || (rec && rec->is_bot);
    auto name = user_name(id);
    std::string display = name, real = name;
    if (auto* u = find_user(id); u && !u->name.empty()) {
        display = u->display_name;
        real = u->real_name.empty() ? name : u->real_name;
    }
    json profile = json::object();
    profile["avatar_hash"] = "g" + hex(mix64(std::hash<std::string>{}(id)), 11);
    profile["display_name"] = display;
    profile["display_name_normalized"] = display;
    profile["real_name"] = real;
    profile["real_name_normalized"] = real;
    profile["status_emoji"] = "";
    profile["status_text"] = "";
    profile["team"] = k_team_id;
    for (auto size : {"24", "32", "48", "72", "192", "512"})
        profile[std::string("image_") + size] = "https://secure.gravatar.com/avatar/sim-" + std::string(size) + ".jpg";
    profile["image_original"] = "https://secure.gravatar.com/avatar/sim.jpg";
    if (bot) {
        profile["bot_id"] = k_bot_id;
        profile["api_app_id"] = k_app_id;
    } else {
        profile["email"] = name + "@sim.example.com";
    }
    json u = json::object();
    u["id"] = id;
    u["team_id"] = k_team_id;
    u["name"] = name;
    u["deleted"] = false;
    u["color"] = "9f69e7";
    u["real_name"] = real;
    u["tz"] = "Etc/UTC";
    u["tz_label"] = "Coordinated Universal Time";
    u["tz_offset"] = 0;
    u["profile"] = std::move(profile);
    u["is_admin"] = false;
    u["is_owner"] = false;
    u["is_primary_owner"] = false;
    u["is_restricted"] = false;
    u["is_ultra_restricted"] = false;
    u["is_bot"] = bot;
    u["is_app_user"] = false;
    u["has_2fa"] = false;
    u["updated"] = 1700000000;
    return u;
}

//-- user groups, interactivity --------------------------------------------------------------

std::string
workspace::add_usergroup(const std::string& handle, std::vector<std::string> members)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "S0SIM%04zu", usergroups_.size() + 1);
    usergroups_[buf] = usergroup_rec{handle, std::move(members)};
    return buf;
}

std::vector<std::string>*
workspace::usergroup_members(const std::string& id)
{
    auto it = usergroups_.find(id);
    return it == usergroups_.end() ? nullptr : &it->second.members;
}

void
workspace::add_trigger(const std::string& trigger_id, const std::string& user, steady::time_point at)
{
    triggers_[trigger_id] = trigger_rec{user, at, false};
}

workspace::trigger_rec*
workspace::find_trigger(const std::string& trigger_id)
{
    auto it = triggers_.find(trigger_id);
    return it == triggers_.end() ? nullptr : &it->second;
}

const workspace::view_rec*
workspace::find_view(const std::string& id) const
{
    for (const auto& v : views)
        if (v.id == id)
            return &v;
    return nullptr;
}

json
workspace::channel_json(const channel_rec& c) const
{
    json j = json::object();
    j["id"] = c.id;
    j["name"] = c.name;
    j["is_channel"] = !c.is_private;
    j["is_group"] = c.is_private;
    j["is_im"] = false;
    j["is_mpim"] = false;
    j["is_private"] = c.is_private;
    j["created"] = c.created;
    j["is_archived"] = false;
    j["is_general"] = false;
    j["unlinked"] = 0;
    j["name_normalized"] = c.name;
    j["is_shared"] = false;
    j["is_ext_shared"] = false;
    j["is_org_shared"] = false;
    j["pending_shared"] = json::array();
    j["is_pending_ext_shared"] = false;
    j["is_member"] = c.members.count(k_bot_user_id) > 0;
    j["creator"] = c.creator;
    j["last_read"] = "0000000000.000000";
    j["latest"] = nullptr;
    j["unread_count"] = 0;
    j["unread_count_display"] = 0;
    j["topic"] = {{"value", c.topic}, {"creator", c.topic_creator}, {"last_set", c.topic_last_set}};
    j["purpose"] = {{"value", ""}, {"creator", ""}, {"last_set", 0}};
    j["previous_names"] = json::array();
    j["priority"] = 0;
    return j;
}

}  // namespace ib::sim::detail
