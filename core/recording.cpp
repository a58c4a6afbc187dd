#include "core/recording.hpp"

#include "core/tagger.hpp"

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

std::optional<timeline_entry> from_message(const slack::events_api& ev, const slack::message_event& m,
                                           std::string_view bot_user_id, time_point received_at) {
    if (m.subtype == "channel_join" || m.subtype == "channel_leave") return std::nullopt;

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
        auto e = base_entry(ev, entry_kind::join, j->user, j->event_ts, received_at);
        e.tags.push_back({tag::join, "member_joined_channel"});
        e.text = "joined";
        if (!j->inviter.empty()) e.attrs["inviter"] = j->inviter;
        return e;
    }
    if (const auto* l = std::get_if<slack::member_left>(&ev.event)) {
        if (!bot_user_id.empty() && l->user == bot_user_id) return std::nullopt;
        auto e = base_entry(ev, entry_kind::leave, l->user, l->event_ts, received_at);
        e.text = "left";
        return e;
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

}  // namespace ib
