// Slack users by name: what users.info says about a user, when to ask again, and which users a
// record mentions. Outputs read outside Slack (Markdown, CSV, SVG, JSON's user_name) show names;
// the bot resolves the users it sees in an incident off the ack path and caches them in the
// database (storage/store.hpp), and exports read that cache: they never call Slack. Pure.
#pragma once

#include "export.hpp"
#include "text.hpp"
#include "time.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ib {

struct user_profile {
    std::string id;
    std::string name;       // what people see: profile.display_name, else real_name, else the
                            // handle; one line, at most 80 characters; "" when not found
    std::string real_name;  // profile.real_name (else real_name)
    std::string handle;     // `name`, the legacy username
    bool found = true;      // false: users.info answered user_not_found or user_not_visible
    time_point fetched_at{};
};

// A cached user is asked again at most this often (users.info is Tier 4, and names change rarely).
inline constexpr std::chrono::hours user_refresh_interval{24};

// The profile in a successful users.info body ({"ok":true,"user":{…}}, see
// slack-fixtures/web-api-users.info-ok.json), fetched at `now`; nullopt when the body holds no
// user object with an id. Names that are not strings are treated as missing.
std::optional<user_profile> parse_users_info(const nlohmann::json& body, time_point now);

// The profile recorded when users.info says the user does not exist or is not visible to the
// bot: no name (the id is shown), not asked again before user_refresh_interval.
user_profile user_not_found(std::string_view id, time_point now);

// True when users.info answered `error` for a user that it will never show this bot (retrying
// soon cannot help): user_not_found, user_not_visible.
bool is_unknown_user_error(std::string_view error);

// Whether a user last fetched at `fetched_at` (nullopt: never) should be asked again at `now`.
bool user_needs_refresh(std::optional<time_point> fetched_at, time_point now);

// The user ids a record refers to, each once, in first-seen order: the incident's people, each
// entry's user and the ids in its attrs (owner, assignee, previous, inviter, item_user), and the
// users mentioned in its text (`<@U…>`). What an export needs names for.
std::vector<std::string> users_referenced(const incident& inc, std::span<const timeline_entry> timeline);

// The user ids mentioned in Slack text (`<@U123>`, `<@U123|bob>`), in order, repeats included.
std::vector<std::string> mentioned_users(std::string_view slack_text);

}  // namespace ib
