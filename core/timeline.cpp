#include "timeline.hpp"

#include <array>
#include <utility>

namespace ib {
namespace {

constexpr std::array<std::pair<entry_kind, std::string_view>, 21> kind_names{{
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

}  // namespace ib
