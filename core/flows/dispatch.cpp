#include "core/flows/dispatch.hpp"

#include "core/incident_commands.hpp"
#include "core/reminders.hpp"

#include <utility>

namespace ib::flows {

any_request route_command(const slack::slash_command& sc, bool in_incident_channel) {
    auto parsed = parse_command(sc.text);
    if (!parsed) return request::answer{parsed.error().message};
    command c = std::move(parsed.value());
    if (auto* start = std::get_if<cmd::start>(&c)) return request::declare{std::move(*start), "cmd:" + sc.envelope_id};
    if (std::holds_alternative<cmd::help>(c)) return request::answer{usage_text()};
    if (std::holds_alternative<cmd::list>(c)) return request::list{};
    if (std::holds_alternative<cmd::stats>(c)) return request::stats{};
    if (needs_incident(c) && !in_incident_channel) return request::answer{not_an_incident_channel_reply()};
    if (std::holds_alternative<cmd::summary>(c)) return request::summary{};
    if (std::holds_alternative<cmd::catchup>(c)) return request::catchup{};
    if (const auto* z = std::get_if<cmd::snooze>(&c)) return request::snooze{z->duration};
    if (changes_incident(c)) return request::change{std::move(c), "cmd:" + sc.envelope_id};
    return request::answer{usage_text()};  // every command is one of the above
}

std::optional<any_request> route_button(const slack::interactive& click, bool in_incident_channel) {
    if (click.type != "block_actions" || click.actions.empty() || !in_incident_channel) return std::nullopt;
    const auto& a = click.actions.front();
    if (a.action_id == post_update_action_id && !a.value.empty())
        return request::change{cmd::statuspage{a.value}, "button:" + click.envelope_id};
    if (a.action_id == snooze_action_id)
        return request::snooze{parse_duration(a.value).value_or(std::chrono::minutes{15})};
    return std::nullopt;
}

}  // namespace ib::flows
