#include "timeline.hpp"

#include <array>
#include <utility>

namespace ib {
namespace {

constexpr std::array<std::pair<entry_kind, std::string_view>, 25> kind_names{{
    {entry_kind::message, "message"},
    {entry_kind::bot_message, "bot_message"},
    {entry_kind::join, "join"},
    {entry_kind::leave, "leave"},
    {entry_kind::reaction, "reaction"},
    {entry_kind::unreaction, "unreaction"},
    {entry_kind::key_moment, "key_moment"},
    {entry_kind::edit, "edit"},
    {entry_kind::deletion, "deletion"},
    {entry_kind::declare, "declare"},
    {entry_kind::detected, "detected"},
    {entry_kind::ack, "ack"},
    {entry_kind::severity, "severity"},
    {entry_kind::status, "status"},
    {entry_kind::resolve, "resolve"},
    {entry_kind::reopen, "reopen"},
    {entry_kind::role, "role"},
    {entry_kind::note, "note"},
    {entry_kind::action_item, "action_item"},
    {entry_kind::statuspage, "statuspage"},
    {entry_kind::reminder, "reminder"},
    {entry_kind::redaction, "redaction"},
    {entry_kind::gap, "gap"},
    {entry_kind::correction, "correction"},
    {entry_kind::catchup, "catchup"},
}};

constexpr std::array<std::pair<tag, std::string_view>, 5> tag_names{{
    {tag::join, "join"},
    {tag::hypothesis, "hypothesis"},
    {tag::command, "command"},
    {tag::action, "action"},
    {tag::status, "status"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum e) {
    for (const auto& [value, name] : table)
        if (value == e) return name;
    return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view s) {
    for (const auto& [value, name] : table)
        if (name == s) return value;
    return std::nullopt;
}

}  // namespace

std::string_view to_string(entry_kind k) { return name_of(kind_names, k); }
std::optional<entry_kind> parse_entry_kind(std::string_view s) { return value_of(kind_names, s); }
std::string_view to_string(tag t) { return name_of(tag_names, t); }
std::optional<tag> parse_tag(std::string_view s) { return value_of(tag_names, s); }

bool is_bookkeeping(const timeline_entry& e) {
    if (e.kind != k_bookkeeping.kind) return false;
    const auto it = e.attrs.find(std::string(k_bookkeeping.attr));
    return it != e.attrs.end() && it->second == k_bookkeeping.value;
}

std::vector<timeline_entry> history_of(std::vector<timeline_entry> timeline) {
    std::erase_if(timeline, is_bookkeeping);
    return timeline;
}

bool is_lifecycle(entry_kind k) {
    switch (k) {
    case entry_kind::declare:
    case entry_kind::detected:
    case entry_kind::ack:
    case entry_kind::severity:
    case entry_kind::status:
    case entry_kind::resolve:
    case entry_kind::reopen:
    case entry_kind::role:
    case entry_kind::note:
    case entry_kind::action_item:
    case entry_kind::statuspage:
        return true;
    default:
        return false;
    }
}

message_history::message_history(std::span<const timeline_entry> timeline) {
    messages_.reserve(timeline.size());
    for (const auto& e : timeline) {
        if (e.kind == entry_kind::message && !e.slack_ts.empty()) messages_.emplace(e.slack_ts, &e);
        if (e.ref_ts.empty()) continue;
        if (e.kind == entry_kind::edit) edits_[e.ref_ts] = e.text;
        if (e.kind == entry_kind::deletion) deleted_.insert(e.ref_ts);
    }
}

const timeline_entry* message_history::message(std::string_view ts) const {
    const auto it = messages_.find(ts);
    return it == messages_.end() ? nullptr : it->second;
}

bool message_history::deleted(std::string_view ts) const { return !ts.empty() && deleted_.contains(ts); }

bool message_history::withheld(const timeline_entry& e) const {
    switch (e.kind) {
    case entry_kind::message:
    case entry_kind::bot_message: return deleted(e.slack_ts);
    case entry_kind::edit:
    case entry_kind::deletion: return deleted(e.ref_ts);
    default: return false;
    }
}

std::string_view message_history::latest_text(std::string_view ts, std::string_view original) const {
    if (ts.empty()) return original;
    const auto it = edits_.find(ts);
    return it == edits_.end() ? original : it->second;
}

}  // namespace ib
