#include "sim/payloads.hpp"

#include <algorithm>

namespace ib::sim::detail {

json
authorizations()
{
    json a = json::object();
    a["enterprise_id"] = nullptr;
    a["team_id"] = k_team_id;
    a["user_id"] = k_bot_user_id;
    a["is_bot"] = true;
    a["is_enterprise_install"] = false;
    return json::array({a});
}

json
event_callback(json inner, const std::string& event_id)
{
    std::string type = inner.is_object() ? arg_string(inner, "type") : "";
    std::string channel = inner.is_object() ? arg_string(inner, "channel") : "";
    std::string ts = inner.is_object() ? arg_string(inner, "event_ts") : "";
    json cb = json::object();
    cb["token"] = k_verification_token;
    cb["team_id"] = k_team_id;
    cb["api_app_id"] = k_app_id;
    cb["event"] = std::move(inner);
    cb["type"] = "event_callback";
    cb["event_id"] = event_id;
    cb["event_time"] = ts.empty() ? unix_seconds() : ts_seconds(ts);
    cb["authorizations"] = authorizations();
    cb["is_ext_shared_channel"] = false;
    cb["event_context"] = "4-" + (type.empty() ? std::string("event") : type) + "-" + k_team_id +
                          (channel.empty() ? std::string{} : "-" + channel);
    return cb;
}

json
events_api_envelope(json payload, const std::string& envelope_id)
{
    json env = json::object();
    env["envelope_id"] = envelope_id;
    env["payload"] = std::move(payload);
    env["type"] = "events_api";
    env["accepts_response_payload"] = false;
    env["retry_attempt"] = 0;
    env["retry_reason"] = "";
    return env;
}

json
interactive_envelope(json payload, const std::string& envelope_id, bool accepts_response_payload)
{
    json env = json::object();
    env["envelope_id"] = envelope_id;
    env["payload"] = std::move(payload);
    env["type"] = "interactive";
    env["accepts_response_payload"] = accepts_response_payload;
    return env;
}

json
hello_frame(std::size_t num_connections)
{
    json debug = json::object();
    debug["host"] = k_ws_host;
    debug["build_number"] = 1;
    debug["approximate_connection_time"] = 18060;
    json hello = json::object();
    hello["type"] = "hello";
    hello["num_connections"] = num_connections;
    hello["debug_info"] = std::move(debug);
    hello["connection_info"] = json{{"app_id", k_app_id}};
    return hello;
}

json
disconnect_frame(const std::string& reason)
{
    json d = json::object();
    d["type"] = "disconnect";
    d["reason"] = reason;
    d["debug_info"] = {{"host", k_ws_host}};
    return d;
}

json
bot_profile()
{
    json icons = json::object();
    icons["image_36"] = "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png";
    icons["image_48"] = "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png";
    icons["image_72"] = "https://a.slack-edge.com/80588/img/plugins/app/service_72.png";
    json p = json::object();
    p["id"] = k_bot_id;
    p["deleted"] = false;
    p["name"] = k_bot_name;
    p["updated"] = 1700000000;
    p["app_id"] = k_app_id;
    p["icons"] = std::move(icons);
    p["team_id"] = k_team_id;
    return p;
}

json
rich_text_blocks(const std::string& text, const std::string& block_id)
{
    // A mention (<@U…> or <@U…|name>) is a user element, as in interactive-message_action.json;
    // the rest is text, as given.
    json elements = json::array();
    std::size_t from = 0;
    for (auto at = text.find("<@"); at != std::string::npos; at = text.find("<@", at + 2)) {
        auto end = text.find('>', at);
        if (end == std::string::npos)
            break;
        auto id = text.substr(at + 2, std::min(text.find('|', at), end) - at - 2);
        if (id.empty() || (id[0] != 'U' && id[0] != 'W'))
            continue;
        if (at > from)
            elements.push_back({{"type", "text"}, {"text", text.substr(from, at - from)}});
        elements.push_back({{"type", "user"}, {"user_id", id}});
        from = end + 1;
    }
    if (from < text.size() || elements.empty())
        elements.push_back({{"type", "text"}, {"text", text.substr(from)}});
    json section = {{"type", "rich_text_section"}, {"elements", std::move(elements)}};
    json block = {{"type", "rich_text"}, {"block_id", block_id}, {"elements", json::array({section})}};
    return json::array({block});
}

json
member_joined_event(const std::string& channel, const std::string& user, const std::string& inviter,
                    const std::string& ts, bool is_private)
{
    json e = json::object();
    e["type"] = "member_joined_channel";
    e["user"] = user;
    e["channel"] = channel;
    e["channel_type"] = is_private ? "G" : "C";
    e["team"] = k_team_id;
    if (!inviter.empty())
        e["inviter"] = inviter;
    e["event_ts"] = ts;
    return e;
}

json
member_left_event(const std::string& channel, const std::string& user, const std::string& ts, bool is_private)
{
    return {{"type", "member_left_channel"},    {"user", user},      {"channel", channel},
            {"channel_type", is_private ? "G" : "C"}, {"team", k_team_id}, {"event_ts", ts}};
}

json
slash_command_payload(const std::string& channel_id, const std::string& channel_name, const std::string& user,
                      const std::string& user_name, const std::string& command, const std::string& text,
                      const std::string& response_url, const std::string& trigger_id)
{
    json p = json::object();
    p["token"] = k_verification_token;
    p["team_id"] = k_team_id;
    p["team_domain"] = k_team_domain;
    p["channel_id"] = channel_id;
    p["channel_name"] = channel_name;
    p["user_id"] = user;
    p["user_name"] = user_name;
    p["command"] = command;
    p["text"] = text;
    p["api_app_id"] = k_app_id;
    p["is_enterprise_install"] = "false";
    p["response_url"] = response_url;
    p["trigger_id"] = trigger_id;
    return p;
}

json
message_action_payload(const std::string& channel_id, const std::string& channel_name, const std::string& user,
                       const std::string& user_name, const json& message, const std::string& callback_id,
                       const std::string& trigger_id, const std::string& response_url, const std::string& action_ts)
{
    json p = json::object();
    p["type"] = "message_action";
    p["token"] = k_verification_token;
    p["action_ts"] = action_ts;
    p["team"] = {{"id", k_team_id}, {"domain", k_team_domain}};
    p["user"] = {{"id", user}, {"name", user_name}};
    p["channel"] = {{"id", channel_id}, {"name", channel_name}};
    p["callback_id"] = callback_id;
    p["trigger_id"] = trigger_id;
    p["message_ts"] = message.value("ts", "");
    p["message"] = message;
    p["response_url"] = response_url;
    return p;
}

json
view_submission_payload(const std::string& user, const std::string& user_name, json view, const std::string& trigger_id)
{
    json p = json::object();
    p["type"] = "view_submission";
    p["team"] = {{"id", k_team_id}, {"domain", k_team_domain}};
    p["user"] = {{"id", user}, {"username", user_name}, {"name", user_name}, {"team_id", k_team_id}};
    p["api_app_id"] = k_app_id;
    p["token"] = k_verification_token;
    p["trigger_id"] = trigger_id;
    p["view"] = std::move(view);
    p["response_urls"] = json::array();
    p["is_enterprise_install"] = false;
    p["enterprise"] = nullptr;
    return p;
}

std::string
message_channel_type(bool is_private)
{
    return is_private ? "group" : "channel";
}

}  // namespace ib::sim::detail
