// Who may see and who may change what. Pure: the membership facts come in as data.
//
//  - Private incidents (`/incident start … --private`) are declared in a private channel and
//    appear in `/incident list` only for the members of that channel. The members are what the
//    incident's own record says: the declarer, plus every join and minus every leave on its
//    timeline (member_joined_channel / member_left_channel, which Slack sends for private
//    channels with groups:read). Someone the record does not show as a member does not see it.
//  - Responders (`incident-bot run --responders <user group ID>`): when set, only members of
//    that Slack user group may resolve (by `resolve` or `status resolved`), reopen, change the
//    severity, assign roles or set the detection time; anyone may do the rest (ack, notes,
//    action items, status-page updates, …). The group is read with usergroups.users.list before
//    each such change; when it cannot be read the last list read is used, and with none the
//    change is refused.
#pragma once

#include "core/commands.hpp"
#include "core/incident.hpp"
#include "core/timeline.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ib {

// ---- private incidents -------------------------------------------------------------------

// The members of channels, as recorded. Not thread-safe.
class channel_roster {
public:
    void joined(std::string_view channel, std::string_view user);
    void left(std::string_view channel, std::string_view user);
    // A join or leave entry (other kinds are ignored) in `channel`.
    void apply(std::string_view channel, const timeline_entry& e);
    bool is_member(std::string_view channel, std::string_view user) const;
    // `inc`'s channel from its record: the declarer, then its join and leave entries in timeline
    // order (what replaced any earlier knowledge of that channel).
    void rebuild(const incident& inc, std::span<const timeline_entry> joins_and_leaves);
    void forget(std::string_view channel);

private:
    std::unordered_map<std::string, std::unordered_set<std::string>> members_;
};

// The incidents `user` may see listed: every public one, and the private ones whose channel
// they are a member of. Order kept.
std::vector<incident> visible_to(std::span<const incident> incidents, std::string_view user,
                                 const channel_roster& roster);

// ---- responders --------------------------------------------------------------------------

// The responders setting a change is checked against.
struct responders_gate {
    std::string group;                                   // user group ID ("S0614TZR7"); "" = no check
    std::optional<std::vector<std::string>> last_read;   // members when last read; nullopt = never
};

// True for the changes only responders may make: resolve (also `status resolved`), reopen,
// sev, commander, comms, detected.
bool needs_responder(const command& c);

// The user IDs in a usergroups.users.list response body ({"ok":true,"users":[…]}); nullopt
// when the body holds no such list.
std::optional<std::vector<std::string>> usergroup_members(const nlohmann::json& body);

// "S0614TZR7": an S followed by 2 to 20 upper-case letters and digits.
bool is_usergroup_id(std::string_view id);

// The polite no for someone outside `group`, and the refusal when the group could not be read
// (`error`, Slack's code) and was never read before. Slack mrkdwn.
std::string not_a_responder_reply(std::string_view group);
std::string responders_unknown_reply(std::string_view group, std::string_view error);

}  // namespace ib
