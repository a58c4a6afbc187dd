#include "core/users.hpp"

#include <algorithm>
#include <unordered_set>

namespace ib {
namespace {

constexpr std::size_t max_name_chars = 80;

// The string at `key` of `obj`, or "" when it is missing or not a string.
std::string string_at(const nlohmann::json& obj, std::string_view key) {
    if (!obj.is_object()) return {};
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A name as shown: one line, no controls, at most max_name_chars.
std::string clean_name(std::string_view raw) {
    return std::string(trim_ascii_space(clip(raw, unlimited, max_name_chars, {text_escape::printable, true})));
}

}  // namespace

std::optional<user_profile> parse_users_info(const nlohmann::json& body, time_point now) {
    if (!body.is_object()) return std::nullopt;
    const auto user = body.find("user");
    if (user == body.end() || !user->is_object()) return std::nullopt;
    user_profile p;
    p.id = string_at(*user, "id");
    if (!is_plain_slack_id(p.id)) return std::nullopt;
    const auto profile = user->find("profile");
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json& prof = profile != user->end() && profile->is_object() ? *profile : empty;
    p.handle = clean_name(string_at(*user, "name"));
    p.real_name = clean_name(string_at(prof, "real_name"));
    if (p.real_name.empty()) p.real_name = clean_name(string_at(*user, "real_name"));
    const std::string display = clean_name(string_at(prof, "display_name"));
    p.name = !display.empty() ? display : !p.real_name.empty() ? p.real_name : p.handle;
    p.found = true;
    p.fetched_at = now;
    return p;
}

user_profile user_not_found(std::string_view id, time_point now) {
    user_profile p;
    p.id = std::string(id);
    p.found = false;
    p.fetched_at = now;
    return p;
}

bool is_unknown_user_error(std::string_view error) { return error == "user_not_found" || error == "user_not_visible"; }

bool user_needs_refresh(std::optional<time_point> fetched_at, time_point now) {
    return !fetched_at || now - *fetched_at >= user_refresh_interval || *fetched_at > now + user_refresh_interval;
}

std::vector<std::string> mentioned_users(std::string_view slack_text) {
    std::vector<std::string> out;
    if (slack_text.find("<@") == std::string_view::npos) return out;  // the common case, cheaply
    for (const auto& p : parse_slack_text(slack_text))
        if (p.what == slack_piece::kind::user && is_plain_slack_id(p.body)) out.emplace_back(p.body);
    return out;
}

std::vector<std::string> users_referenced(const incident& inc, std::span<const timeline_entry> timeline) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    const auto add = [&](std::string_view id) {
        if (!id.empty() && is_plain_slack_id(id) && seen.emplace(id).second) out.emplace_back(id);
    };
    for (const auto* id : {&inc.declared_by, &inc.acknowledged_by, &inc.commander, &inc.comms_lead}) add(*id);
    for (const auto& id : mentioned_users(inc.title)) add(id);
    for (const auto& e : timeline) {
        add(e.user);
        for (const std::string_view key : {"owner", "assignee", "previous", "inviter", "item_user"})
            if (const auto it = e.attrs.find(std::string(key)); it != e.attrs.end()) add(it->second);
        for (const auto& id : mentioned_users(e.text)) add(id);
    }
    return out;
}

}  // namespace ib
