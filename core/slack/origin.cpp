#include "origin.hpp"

namespace ib::slack {
namespace {

// `field` of the envelope against what this bot is; "" when it matches or is not known yet.
std::string mismatch(std::string_view field, const std::string& got, const std::string& ours, std::string_view what) {
    if (ours.empty() || got == ours) return {};
    if (got.empty()) return "no " + std::string(field);
    return std::string(field) + " " + got + " is not this " + std::string(what) + " (" + ours + ")";
}

std::string check(const std::string& app, const std::string& team, const identity& self) {
    std::string why = mismatch("api_app_id", app, self.app_id, "app");
    if (why.empty()) why = mismatch("team_id", team, self.team_id, "workspace");
    return why;
}

}  // namespace

std::string foreign_reason(const frame& f, const identity& self) {
    if (const auto* e = std::get_if<events_api>(&f)) return check(e->api_app_id, e->team_id, self);
    if (const auto* c = std::get_if<slash_command>(&f)) return check(c->api_app_id, c->team_id, self);
    if (const auto* i = std::get_if<interactive>(&f)) {
        // Slack's message shortcut payloads carry no api_app_id (interactive-message_action.json,
        // interactive-message_action-chirp_message.json): only their workspace can be checked.
        if (i->type == "message_action" && i->api_app_id.empty())
            return mismatch("team_id", i->team_id, self.team_id, "workspace");
        return check(i->api_app_id, i->team_id, self);
    }
    return {};
}

}  // namespace ib::slack
