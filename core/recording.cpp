#include "core/recording.hpp"

#include "core/tagger.hpp"
#include "core/users.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace ib {
namespace {

// Slack's ts when it is well-formed, else the time the bot received the event.
time_point when(std::string_view ts, std::int64_t event_time, time_point received_at) {
    if (auto t = parse_slack_ts(ts)) return *t;
    // Only a plausible epoch time (before the year 5138): a hostile value must not overflow
    // the conversion to microseconds.
    if (event_time > 0 && event_time < 100'000'000'000) return from_unix_seconds(event_time);
    return received_at;
}

timeline_entry base_entry(const slack::events_api& ev, entry_kind kind, std::string_view user, std::string_view ts,
                          time_point received_at) {
    timeline_entry e;
    e.key = ev.event_id;
    e.kind = kind;
    e.user = std::string(user);
    e.slack_ts = parse_slack_ts(ts) ? std::string(ts) : std::string();
    e.at = when(ts, ev.event_time, received_at);
    e.received_at = received_at;
    return e;
}

// A join or leave, from a member_joined_channel / member_left_channel event or a channel_join /
// channel_leave message (`rule` says which, on a join's tag).
timeline_entry membership(const slack::events_api& ev, bool joined, std::string_view user, std::string_view inviter,
                          std::string_view ts, std::string_view rule, time_point received_at) {
    auto e = base_entry(ev, joined ? entry_kind::join : entry_kind::leave, user, ts, received_at);
    if (joined) {
        e.tags.push_back({tag::join, std::string(rule)});
        e.text = "joined";
        if (!inviter.empty()) e.attrs["inviter"] = std::string(inviter);
    } else {
        e.text = "left";
    }
    return e;
}

std::optional<timeline_entry> from_message(const slack::events_api& ev, const slack::message_event& m,
                                           std::string_view bot_user_id, time_point received_at) {
    if (m.subtype == "channel_join" || m.subtype == "channel_leave") {
        if (!bot_user_id.empty() && m.user == bot_user_id) return std::nullopt;  // the bot in its own channel
        return membership(ev, m.subtype == "channel_join", m.user, m.inviter, m.ts, "channel_join", received_at);
    }

    if (m.subtype == "message_changed") {
        auto e = base_entry(ev, entry_kind::edit, m.user, m.ts, received_at);
        e.text = m.new_text;
        e.ref_ts = m.changed_ts;
        if (!m.previous_text.empty()) e.attrs["previous_text"] = m.previous_text;
        return e;
    }
    if (m.subtype == "message_deleted") {
        auto e = base_entry(ev, entry_kind::deletion, m.user, m.ts, received_at);
        e.ref_ts = m.deleted_ts;
        if (!m.previous_text.empty()) e.attrs["previous_text"] = m.previous_text;
        return e;
    }

    const bool from_bot = !m.bot_id.empty() || m.subtype == "bot_message" ||
                          (!bot_user_id.empty() && m.user == bot_user_id);
    auto e = base_entry(ev, from_bot ? entry_kind::bot_message : entry_kind::message,
                        m.user.empty() ? m.bot_id : m.user, m.ts, received_at);
    e.text = m.text;
    if (!from_bot) e.tags = tag_message(m.text);
    if (!m.thread_ts.empty() && m.thread_ts != m.ts) e.attrs["thread_ts"] = m.thread_ts;
    if (!m.subtype.empty()) e.attrs["subtype"] = m.subtype;
    return e;
}

}  // namespace

std::vector<std::string> users_in(const slack::events_api& ev) {
    std::vector<std::string> out;
    const auto add = [&](std::string_view id) {
        if (!id.empty()) out.emplace_back(id);
    };
    if (const auto* m = std::get_if<slack::message_event>(&ev.event)) {
        if (m->bot_id.empty()) add(m->user);
        for (auto& id : mentioned_users(m->subtype == "message_changed" ? m->new_text : m->text)) out.push_back(std::move(id));
    } else if (const auto* j = std::get_if<slack::member_joined>(&ev.event)) {
        add(j->user);
        add(j->inviter);
    } else if (const auto* l = std::get_if<slack::member_left>(&ev.event)) {
        add(l->user);
    } else if (const auto* r = std::get_if<slack::reaction>(&ev.event)) {
        add(r->user);
        add(r->item_user);
    }
    return out;
}

bool is_key_moment_reaction(std::string_view reaction) {
    return reaction == "pushpin" || reaction == "round_pushpin";
}

std::optional<std::string_view> event_channel(const slack::events_api& ev) {
    if (const auto* m = std::get_if<slack::message_event>(&ev.event)) return m->channel;
    if (const auto* j = std::get_if<slack::member_joined>(&ev.event)) return j->channel;
    if (const auto* l = std::get_if<slack::member_left>(&ev.event)) return l->channel;
    if (const auto* r = std::get_if<slack::reaction>(&ev.event)) {
        if (r->item_channel.empty()) return std::nullopt;
        return r->item_channel;
    }
    return std::nullopt;
}

namespace {

// The entry for an event that concerns a channel (event_channel), or nullopt when it is not kept.
std::optional<timeline_entry> entry_of(const slack::events_api& ev, std::string_view bot_user_id,
                                       time_point received_at) {
    if (const auto* m = std::get_if<slack::message_event>(&ev.event))
        return from_message(ev, *m, bot_user_id, received_at);

    if (const auto* j = std::get_if<slack::member_joined>(&ev.event)) {
        if (!bot_user_id.empty() && j->user == bot_user_id) return std::nullopt;  // the bot joining its own channel
        return membership(ev, true, j->user, j->inviter, j->event_ts, "member_joined_channel", received_at);
    }
    if (const auto* l = std::get_if<slack::member_left>(&ev.event)) {
        if (!bot_user_id.empty() && l->user == bot_user_id) return std::nullopt;
        return membership(ev, false, l->user, {}, l->event_ts, {}, received_at);
    }
    if (const auto* r = std::get_if<slack::reaction>(&ev.event)) {
        const bool key = is_key_moment_reaction(r->reaction);
        const entry_kind kind = !r->added ? entry_kind::unreaction : key ? entry_kind::key_moment : entry_kind::reaction;
        auto e = base_entry(ev, kind, r->user, r->event_ts, received_at);
        e.text = ":" + r->reaction + ":";
        e.ref_ts = r->item_ts;
        e.attrs["reaction"] = r->reaction;
        if (!r->item_user.empty()) e.attrs["item_user"] = r->item_user;
        return e;
    }
    return std::nullopt;
}

}  // namespace

std::optional<recorded_event> to_timeline_entry(const slack::events_api& ev, std::string_view bot_user_id,
                                                time_point received_at) {
    // Filed under event_channel(), the same channel the bot routes the event by.
    const auto channel = event_channel(ev);
    if (!channel) return std::nullopt;  // e.g. reactions to files, which have no channel
    auto e = entry_of(ev, bot_user_id, received_at);
    if (!e) return std::nullopt;
    return recorded_event{std::string(*channel), std::move(*e)};
}

std::optional<timeline_entry> to_timeline_entry(const slack::history_message& m, std::string_view bot_user_id,
                                                time_point received_at) {
    // The event Slack would have sent for this message, minus what history does not have (an
    // event_id, an event_time): one conversion for both.
    slack::events_api ev;
    ev.event = m.message;
    auto recorded = to_timeline_entry(ev, bot_user_id, received_at);
    if (!recorded) return std::nullopt;
    return std::move(recorded->entry);
}

std::vector<timeline_entry> reconcile_pins(const slack::history_message& m, std::span<const timeline_entry> recorded,
                                           time_point received_at) {
    const std::string& ts = m.message.ts;
    // (user, emoji) -> pinned now, per the timeline (its latest entry wins), and that entry's time.
    std::map<std::pair<std::string, std::string>, bool> on_timeline;
    std::map<std::pair<std::string, std::string>, time_point> latest;
    for (const auto& e : recorded) {
        if (e.ref_ts != ts || (e.kind != entry_kind::key_moment && e.kind != entry_kind::unreaction)) continue;
        const std::string emoji = e.attr("reaction");
        if (!is_key_moment_reaction(emoji)) continue;
        on_timeline[{e.user, emoji}] = e.kind == entry_kind::key_moment;
        latest[{e.user, emoji}] = e.at;
    }
    std::map<std::pair<std::string, std::string>, bool> shown;  // (user, emoji) -> true
    for (const auto& r : m.reactions)
        if (is_key_moment_reaction(r.name))
            for (const auto& user : r.users) shown[{user, r.name}] = true;

    std::vector<timeline_entry> out;
    const auto entry = [&](entry_kind kind, const std::pair<std::string, std::string>& pin, time_point at) {
        timeline_entry e;
        e.kind = kind;
        e.user = pin.first;
        e.text = ":" + pin.second + ":";
        e.ref_ts = ts;
        e.at = at;
        e.received_at = received_at;
        e.attrs["reaction"] = pin.second;
        if (!m.message.user.empty()) e.attrs["item_user"] = m.message.user;
        out.push_back(std::move(e));
    };
    const time_point pinned_at = parse_slack_ts(ts).value_or(received_at);
    for (const auto& kv : shown) {
        const auto& pin = kv.first;
        const auto it = on_timeline.find(pin);
        if (it != on_timeline.end() && it->second) continue;
        // After the removal the timeline holds, so that its order says "pinned" last.
        const bool after_removal = it != on_timeline.end() && latest[pin] >= pinned_at;
        entry(entry_kind::key_moment, pin, after_removal ? received_at : pinned_at);
    }
    for (const auto& [pin, pinned] : on_timeline)
        if (pinned && !shown.contains(pin)) entry(entry_kind::unreaction, pin, received_at);
    return out;
}

history_page history_page_entries(nlohmann::json& messages, std::string_view channel, std::string_view bot_user_id,
                                  std::span<const timeline_entry> recorded, time_point received_at) {
    history_page page;
    if (!messages.is_array()) {
        page.unusable = 1;
        page.first_problem = std::string("messages: expected array, got ") + messages.type_name();
        return page;
    }
    std::vector<slack::history_message> read;
    read.reserve(messages.size());
    for (auto& m : messages) {
        std::string problem;
        if (auto h = slack::read_history_message(m, channel, &problem)) {
            read.push_back(std::move(*h));
        } else {
            if (page.unusable++ == 0) page.first_problem = std::move(problem);
        }
    }
    // Slack pages newest first; the entries go oldest first.
    std::stable_sort(read.begin(), read.end(), [](const slack::history_message& a, const slack::history_message& b) {
        return parse_slack_ts(a.message.ts).value_or(time_point{}) < parse_slack_ts(b.message.ts).value_or(time_point{});
    });
    for (const auto& h : read)
        if (auto e = to_timeline_entry(h, bot_user_id, received_at)) page.entries.push_back(std::move(*e));
    for (const auto& h : read)
        for (auto& pin : reconcile_pins(h, recorded, received_at)) page.entries.push_back(std::move(pin));
    return page;
}

}  // namespace ib
