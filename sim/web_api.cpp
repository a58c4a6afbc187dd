#include "sim/web_api.hpp"

#include "sim/payloads.hpp"

#include <algorithm>

namespace ib::sim::detail {

web_api::result
api_error(const std::string& code)
{
    web_api::result r;
    r.body = {{"ok", false}, {"error", code}};
    return r;
}

web_api::result
api_ok(json body)
{
    web_api::result r;
    body["ok"] = true;
    r.body = std::move(body);
    return r;
}

web_api::web_api(const simulator_options& opts, workspace& ws, id_source& ids) : opts_(opts), ws_(ws), ids_(ids) {}

void
web_api::set_endpoint(bool tls, unsigned short port)
{
    tls_ = tls;
    port_ = port;
}

const std::unordered_map<std::string, web_api::handler>&
web_api::handlers()
{
    static const std::unordered_map<std::string, handler> table = {
        {"auth.test", &web_api::auth_test},
        {"apps.connections.open", &web_api::connections_open},
        {"conversations.create", &web_api::conversations_create},
        {"conversations.invite", &web_api::conversations_invite},
        {"conversations.join", &web_api::conversations_join},
        {"conversations.info", &web_api::conversations_info},
        {"conversations.setTopic", &web_api::conversations_set_topic},
        {"chat.postMessage", &web_api::chat_post_message},
        {"chat.postEphemeral", &web_api::chat_post_ephemeral},
        {"chat.update", &web_api::chat_update},
        {"pins.add", &web_api::pins_add},
        {"users.info", &web_api::users_info},
    };
    return table;
}

web_api::result
web_api::call(const std::string& method, json args, bool args_ok, const std::string& args_error,
              const std::string& token, steady::time_point now)
{
    result r;
    auto is_app_method = method == "apps.connections.open";
    bool authorized = !token.empty() && token == (is_app_method ? opts_.app_token : opts_.bot_token);

    // Injected faults win over everything else: "the next call fails".
    auto f = faults_.find(method);
    if (f != faults_.end() && !f->second.empty()) {
        auto injected = f->second.front();
        if (--f->second.front().times <= 0)
            f->second.pop_front();
        if (injected.status != 200) {
            r.status = injected.status;
            r.body = {{"ok", false}, {"error", injected.status == 429 ? "ratelimited" : "internal_error"}};
            if (injected.status == 429 || injected.retry_after > 0)
                r.retry_after = std::max(0, injected.retry_after);
        } else {
            r = api_error(injected.error);
        }
    } else if (!handlers().count(method)) {
        r = api_error("unknown_method");
    } else if (!args_ok) {
        r = api_error(args_error);
    } else if (token.empty()) {
        r = api_error("not_authed");
    } else if (!authorized) {
        r = api_error("invalid_auth");
    } else {
        r = (this->*handlers().at(method))(args);
    }
    calls_.push_back(slack_simulator::api_call{method, std::move(args), authorized, now, r.status});
    return r;
}

void
web_api::record_response_url(json args, steady::time_point now)
{
    calls_.push_back(slack_simulator::api_call{"response_url", std::move(args), true, now, 200});
}

bool
web_api::take_ticket(std::string_view target)
{
    if (!target.starts_with("/link"))
        return false;
    auto q = target.find('?');
    if (q == std::string_view::npos)
        return false;
    json query = json::object();
    parse_form_into(target.substr(q + 1), query);
    auto it = tickets_.find(arg_string(query, "ticket"));
    if (it == tickets_.end() || it->second)
        return false;
    it->second = true;
    return true;
}

void
web_api::fail_next(const std::string& method, int http_status, int retry_after_seconds, int times)
{
    faults_[method].push_back(fault{http_status, retry_after_seconds, "", times});
}

void
web_api::error_next(const std::string& method, const std::string& error_code, int times)
{
    faults_[method].push_back(fault{200, 0, error_code, times});
}

//-- methods ------------------------------------------------------------------------------

web_api::result
web_api::auth_test(const json&)
{
    json b = json::object();
    b["url"] = "https://" + k_team_domain + ".slack.com/";
    b["team"] = k_team_name;
    b["user"] = k_bot_name;
    b["team_id"] = k_team_id;
    b["user_id"] = k_bot_user_id;
    b["bot_id"] = k_bot_id;
    return api_ok(std::move(b));
}

web_api::result
web_api::connections_open(const json&)
{
    // A one-time ticket, like Slack's; the WebSocket upgrade consumes it.
    auto ticket = hex(mix64(ids_.next() ^ ids_.seed()), 16) + hex(mix64(ids_.seed() + ids_.next()), 8);
    tickets_[ticket] = false;
    auto scheme = tls_ ? "wss" : "ws";
    return api_ok({{"url", std::string(scheme) + "://127.0.0.1:" + std::to_string(port_) + "/link/?ticket=" +
                               ticket + "&app_id=" + k_app_id}});
}

web_api::result
web_api::conversations_create(const json& args)
{
    auto name = arg_string(args, "name");
    if (auto err = channel_name_error(name); !err.empty())
        return api_error(err);
    if (ws_.name_taken(name))
        return api_error("name_taken");
    auto& c = ws_.add_channel(name, k_bot_user_id, arg_bool(args, "is_private"));
    auto r = api_ok({{"channel", ws_.channel_json(c)}});
    // Slack: member_joined_channel "is also triggered when creating a new channel".
    r.events.push_back(member_joined_event(c.id, k_bot_user_id, "", ids_.ts(), c.is_private));
    return r;
}

json
web_api::record_join(channel_rec& c, const std::string& user, const std::string& inviter)
{
    message_rec m;
    m.ts = ids_.ts();
    m.user = user;
    m.subtype = "channel_join";
    m.inviter = inviter;
    m.text = "<@" + user + "|" + ws_.user_name(user) + "> has joined the channel";
    return ws_.message_event(c, ws_.add_message(c, std::move(m)));
}

web_api::result
web_api::conversations_invite(const json& args)
{
    auto* c = ws_.find_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    auto users_arg = arg_string(args, "users");
    if (users_arg.empty())
        return api_error("no_user");
    // Only a member may invite.
    if (!c->members.count(k_bot_user_id))
        return api_error("not_in_channel");
    // Split "U1,U2" and check each user before inviting anyone.
    std::vector<std::string> users;
    json errors = json::array();
    std::string first_error;
    std::string_view rest = users_arg;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string user(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        user.erase(std::remove(user.begin(), user.end(), ' '), user.end());
        if (user.empty())
            continue;
        std::string err;
        if (user == k_bot_user_id)
            err = "cant_invite_self";
        else if (user[0] != 'U' && user[0] != 'W')
            err = "user_not_found";
        else if (c->members.count(user))
            err = "already_in_channel";
        if (!err.empty()) {
            errors.push_back({{"user", user}, {"ok", false}, {"error", err}});
            if (first_error.empty())
                first_error = err;
        } else {
            users.push_back(user);
        }
    }
    if (!first_error.empty()) {
        auto r = api_error(first_error);
        if (errors.size() > 1)
            r.body["errors"] = errors;
        return r;
    }
    if (users.empty())
        return api_error("no_user");
    auto r = api_ok();
    for (auto& u : users) {
        c->members.insert(u);
        r.events.push_back(member_joined_event(c->id, u, k_bot_user_id, ids_.ts(), c->is_private));
        r.events.push_back(record_join(*c, u, k_bot_user_id));
    }
    r.body["channel"] = ws_.channel_json(*c);
    return r;
}

web_api::result
web_api::conversations_join(const json& args)
{
    auto* c = ws_.find_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    if (c->is_private)
        return api_error("method_not_supported_for_channel_type");
    if (c->members.count(k_bot_user_id)) {
        auto r = api_ok({{"channel", ws_.channel_json(*c)}, {"warning", "already_in_channel"}});
        r.body["response_metadata"] = {{"warnings", json::array({"already_in_channel"})}};
        return r;
    }
    c->members.insert(k_bot_user_id);
    auto r = api_ok({{"channel", ws_.channel_json(*c)}});
    r.events.push_back(member_joined_event(c->id, k_bot_user_id, "", ids_.ts(), false));
    r.events.push_back(record_join(*c, k_bot_user_id, ""));
    return r;
}

web_api::result
web_api::conversations_info(const json& args)
{
    auto* c = ws_.find_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    return api_ok({{"channel", ws_.channel_json(*c)}});
}

web_api::result
web_api::conversations_set_topic(const json& args)
{
    auto* c = ws_.find_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    if (!args.contains("topic")) {
        auto r = api_error("invalid_arguments");
        r.body["response_metadata"] = {{"messages", json::array({"[ERROR] missing required field: topic"})}};
        return r;
    }
    auto topic = arg_string(args, "topic");
    if (utf8_length(topic) > 250)
        return api_error("too_long");
    if (!c->members.count(k_bot_user_id))
        return api_error("not_in_channel");
    c->topic = topic;
    c->topic_creator = k_bot_user_id;
    c->topic_last_set = unix_seconds();
    auto ch = ws_.channel_json(*c);
    ch["latest"] = {{"type", "message"},
                    {"subtype", "channel_topic"},
                    {"ts", ids_.ts()},
                    {"user", k_bot_user_id},
                    {"text", "set the channel topic: " + topic},
                    {"topic", topic}};
    return api_ok({{"channel", ch}});
}

web_api::result
web_api::chat_post_message(const json& args)
{
    auto target = arg_string(args, "channel");
    if (target.empty())
        return api_error("channel_not_found");
    auto text = arg_string(args, "text");
    auto blocks = arg_json(args, "blocks");
    auto attachments = arg_json(args, "attachments");
    bool has_blocks = blocks.is_array() && !blocks.empty();
    bool has_attachments = attachments.is_array() && !attachments.empty();
    if (text.empty() && !has_blocks && !has_attachments)
        return api_error("no_text");
    // A user id posts to the DM with that user (Slack opens it on the fly).
    channel_rec* c = nullptr;
    if (target[0] == 'U' || target[0] == 'W')
        c = &ws_.dm("D" + target.substr(1));
    else if (target[0] == 'D')
        c = &ws_.dm(target);
    else
        c = ws_.find_channel(target);
    if (!c)
        return api_error("channel_not_found");

    // The message as Slack stores it (returned, and echoed as an event).
    message_rec m;
    m.ts = ids_.ts();
    m.user = k_bot_user_id;
    m.text = text;
    m.by_bot = true;
    m.thread_ts = arg_string(args, "thread_ts");
    if (has_blocks)
        m.blocks = blocks;
    else
        m.block_id = ids_.block_id();
    if (has_attachments)
        m.attachments = attachments;
    auto& stored = ws_.add_message(*c, std::move(m));

    json posted = args;
    posted["channel"] = c->id;
    posted["ts"] = stored.ts;
    ws_.bot_posts[c->id].push_back(std::move(posted));

    // Like Slack, the bot's own post comes back as a message event.
    auto r = api_ok({{"channel", c->id}, {"ts", stored.ts}, {"message", ws_.message_json(*c, stored)}});
    r.events.push_back(ws_.message_event(*c, stored));
    return r;
}

web_api::result
web_api::chat_post_ephemeral(const json& args)
{
    auto target = arg_string(args, "channel");
    if (target.empty() || (target[0] != 'D' && !ws_.find_channel(target)))
        return api_error("channel_not_found");
    if (arg_string(args, "user").empty())
        return api_error("user_not_found");
    if (arg_string(args, "text").empty() && !arg_json(args, "blocks").is_array() &&
        !arg_json(args, "attachments").is_array())
        return api_error("no_text");
    return api_ok({{"message_ts", ids_.ts()}});
}

web_api::result
web_api::chat_update(const json& args)
{
    auto* c = ws_.find_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    auto ts = arg_string(args, "ts");
    auto* m = ws_.find_message(c->id, ts);
    if (!m)
        return api_error("message_not_found");
    if (!m->by_bot)
        return api_error("cant_update_message");
    auto text = arg_string(args, "text");
    auto blocks = arg_json(args, "blocks");
    if (text.empty() && !blocks.is_array() && !arg_json(args, "attachments").is_array())
        return api_error("no_text");
    m->text = text;
    json msg = {{"text", text}, {"user", k_bot_user_id}, {"bot_id", k_bot_id}, {"type", "message"}};
    if (blocks.is_array())
        msg["blocks"] = blocks;
    return api_ok({{"channel", c->id}, {"ts", ts}, {"text", text}, {"message", std::move(msg)}});
}

web_api::result
web_api::pins_add(const json& args)
{
    auto* c = ws_.find_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    auto ts = arg_string(args, "timestamp");
    if (ts.empty())
        return api_error("no_item_specified");
    if (!ws_.find_message(c->id, ts))
        return api_error("message_not_found");
    if (!c->pins.insert(ts).second)
        return api_error("already_pinned");
    return api_ok();
}

web_api::result
web_api::users_info(const json& args)
{
    auto user = arg_string(args, "user");
    if (user.empty() || (user[0] != 'U' && user[0] != 'W'))
        return api_error("user_not_found");
    return api_ok({{"user", ws_.user_json(user)}});
}

}  // namespace ib::sim::detail
