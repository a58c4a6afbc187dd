#include "core/access.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <type_traits>

namespace ib {

void channel_roster::joined(std::string_view channel, std::string_view user) {
    if (user.empty()) return;
    members_[std::string(channel)].insert(std::string(user));
}

void channel_roster::left(std::string_view channel, std::string_view user) {
    const auto it = members_.find(std::string(channel));
    if (it != members_.end()) it->second.erase(std::string(user));
}

void channel_roster::apply(std::string_view channel, const timeline_entry& e) {
    if (e.kind == entry_kind::join) joined(channel, e.user);
    else if (e.kind == entry_kind::leave) left(channel, e.user);
}

bool channel_roster::is_member(std::string_view channel, std::string_view user) const {
    const auto it = members_.find(std::string(channel));
    return it != members_.end() && it->second.count(std::string(user)) != 0;
}

void channel_roster::rebuild(const incident& inc, std::span<const timeline_entry> joins_and_leaves) {
    forget(inc.channel_id);
    joined(inc.channel_id, inc.declared_by);
    for (const auto& e : joins_and_leaves) apply(inc.channel_id, e);
}

void channel_roster::forget(std::string_view channel) { members_.erase(std::string(channel)); }

std::vector<incident> visible_to(std::span<const incident> incidents, std::string_view user,
                                 const channel_roster& roster) {
    std::vector<incident> out;
    out.reserve(incidents.size());
    for (const incident& inc : incidents)
        if (!inc.is_private || roster.is_member(inc.channel_id, user)) out.push_back(inc);
    return out;
}

bool needs_responder(const command& c) {
    if (const auto* s = std::get_if<cmd::set_status>(&c)) return s->to == status::resolved;
    return std::visit(
        [](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            return std::is_same_v<T, cmd::resolve> || std::is_same_v<T, cmd::reopen> ||
                   std::is_same_v<T, cmd::set_severity> || std::is_same_v<T, cmd::assign_role> ||
                   std::is_same_v<T, cmd::detected>;
        },
        c);
}

std::optional<std::vector<std::string>> usergroup_members(const nlohmann::json& body) {
    if (!body.is_object()) return std::nullopt;
    const auto users = body.find("users");
    if (users == body.end() || !users->is_array()) return std::nullopt;
    std::vector<std::string> out;
    out.reserve(users->size());
    for (const auto& u : *users)
        if (u.is_string()) out.push_back(u.get<std::string>());
    return out;
}

bool is_usergroup_id(std::string_view id) {
    if (id.size() < 3 || id.size() > 21 || id[0] != 'S') return false;
    return std::all_of(id.begin() + 1, id.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::string not_a_responder_reply(std::string_view group) {
    return ":lock: Sorry, only the responders (<!subteam^" + std::string(group) +
           ">) can resolve or reopen an incident, change its severity, assign roles or set the detection time. "
           "Please ask one of them; notes, action items and status-page updates are open to everyone.";
}

std::string responders_unknown_reply(std::string_view group, std::string_view error) {
    return ":warning: I couldn't read the responders group (<!subteam^" + std::string(group) + ">: `" +
           std::string(error) +
           "`), so I can't check who may make this change, and nothing was changed. Please try again in a minute; "
           "if it keeps failing, the app may be missing the `usergroups:read` scope.";
}

}  // namespace ib
