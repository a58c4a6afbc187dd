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

web_api::result
invalid_arguments(const std::string& message)
{
    // web-api-conversations.setTopic-error-invalid_arguments.json
    auto r = api_error("invalid_arguments");
    r.body["response_metadata"] = {{"messages", json::array({message})}};
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
        {"conversations.history", &web_api::conversations_history},
        {"conversations.replies", &web_api::conversations_replies},
        {"usergroups.users.list", &web_api::usergroups_users_list},
        {"views.open", &web_api::views_open},
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
    } else if (auto limited = rate_limited(method, now)) {
        r = std::move(*limited);
    } else {
        now_ = now;
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

std::optional<web_api::result>
web_api::rate_limited(const std::string& method, steady::time_point now)
{
    auto limit = opts_.rate_limits.find(method);
    if (limit == opts_.rate_limits.end() || limit->second <= 0)
        return std::nullopt;
    // A sliding window: the calls of the last rate_limit_window.
    auto& recent = recent_calls_[method];
    while (!recent.empty() && now - recent.front() >= opts_.rate_limit_window)
        recent.pop_front();
    if (recent.size() < static_cast<std::size_t>(limit->second)) {
        recent.push_back(now);
        return std::nullopt;
    }
    // HTTP 429, Retry-After: seconds until the oldest call leaves the window [RL]; the body of
    // web-api-error-ratelimited-429-body.json.
    auto wait = recent.front() + opts_.rate_limit_window - now;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait + std::chrono::milliseconds(999));
    result r;
    r.status = 429;
    r.body = {{"ok", false}, {"error", "ratelimited"}};
    r.retry_after = std::max<int>(1, static_cast<int>(seconds.count()));
    return r;
}

std::optional<web_api::result>
web_api::require(std::initializer_list<const char*> any_of) const
{
    if (!opts_.bot_scopes)
        return std::nullopt;
    for (auto* scope : any_of)
        if (opts_.bot_scopes->count(scope))
            return std::nullopt;
    // web-api-openapi.json's missing_scope example: needed, and the token's scopes as provided.
    std::string provided;
    for (auto& scope : *opts_.bot_scopes)
        provided += (provided.empty() ? "" : ",") + scope;
    auto r = api_error("missing_scope");
    r.body["needed"] = *any_of.begin();
    r.body["provided"] = provided;
    return r;
}

std::optional<web_api::result>
web_api::require_for(const channel_rec& c, const std::string& what) const
{
    // channels:history for public channels, groups:history for private ones, im:history for DMs.
    auto prefix = c.is_im ? "im:" : c.is_private ? "groups:" : "channels:";
    auto scope = prefix + what;
    return require({scope.c_str()});
}

channel_rec*
web_api::visible_channel(const std::string& id_or_name)
{
    auto* c = ws_.find_channel(id_or_name);
    if (!c || (c->is_private && !c->members.count(k_bot_user_id)))
        return nullptr;
    return c;
}

bool
web_api::delivers(const json& inner) const
{
    if (!inner.is_object())
        return true;
    auto type = arg_string(inner, "type");
    std::string channel = arg_string(inner, "channel");
    if (type == "reaction_added" || type == "reaction_removed") {
        if (auto item = inner.find("item"); item != inner.end() && item->is_object())
            channel = arg_string(*item, "channel");
    }
    // The subscription an event needs (docs.slack.dev/reference/events/message.channels, …).
    std::string subscription = type;
    if (type == "message") {
        auto channel_type = arg_string(inner, "channel_type");
        subscription = channel_type == "group" ? "message.groups"
                       : channel_type == "im"  ? "message.im"
                       : channel_type == "mpim" ? "message.mpim"
                                                : "message.channels";
    }
    if (opts_.bot_events && !opts_.bot_events->count(subscription))
        return false;
    if (opts_.member_events_only && !channel.empty() && type != "channel_created") {
        auto* c = ws_.find_channel(channel);
        return c && c->members.count(k_bot_user_id) > 0;
    }
    return true;
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
    bool is_private = arg_bool(args, "is_private");
    if (auto missing = is_private ? require({"groups:write"}) : require({"channels:manage"}))
        return *missing;
    if (ws_.name_taken(name))
        return api_error("name_taken");
    auto& c = ws_.add_channel(name, k_bot_user_id, is_private);
    auto r = api_ok({{"channel", ws_.channel_json(c)}});
    // Slack: member_joined_channel "is also triggered when creating a new channel".
    r.events.push_back(member_joined_event(c.id, k_bot_user_id, "", ids_.ts(), c.is_private));
    return r;
}

web_api::result
web_api::conversations_invite(const json& args)
{
    auto* c = visible_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    if (auto missing = c->is_private ? require({"groups:write", "groups:write.invites"})
                                     : require({"channels:manage", "channels:write.invites"}))
        return *missing;
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
        r.events.push_back(ws_.message_event(*c, ws_.add_join_message(*c, u, k_bot_user_id, ids_)));
    }
    r.body["channel"] = ws_.channel_json(*c);
    return r;
}

web_api::result
web_api::conversations_join(const json& args)
{
    if (auto missing = require({"channels:join"}))
        return *missing;
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
    r.events.push_back(ws_.message_event(*c, ws_.add_join_message(*c, k_bot_user_id, "", ids_)));
    return r;
}

web_api::result
web_api::conversations_info(const json& args)
{
    auto* c = visible_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    if (!c->is_im)
        if (auto missing = require_for(*c, "read"))
            return *missing;
    return api_ok({{"channel", ws_.channel_json(*c)}});
}

web_api::result
web_api::conversations_set_topic(const json& args)
{
    auto* c = visible_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    if (auto missing = c->is_private ? require({"groups:write", "groups:write.topic"})
                                     : require({"channels:manage", "channels:write.topic"}))
        return *missing;
    if (!args.contains("topic"))
        return invalid_arguments("[ERROR] missing required field: topic");
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
    if (auto missing = require({"chat:write"}))
        return *missing;
    if (text.empty() && !has_blocks && !has_attachments)
        return api_error("no_text");
    // A user id posts to the DM with that user (Slack opens it on the fly).
    channel_rec* c = nullptr;
    if (target[0] == 'U' || target[0] == 'W')
        c = &ws_.dm("D" + target.substr(1));
    else if (target[0] == 'D')
        c = &ws_.dm(target);
    else
        c = visible_channel(target);
    if (!c)
        return api_error("channel_not_found");
    // Outside its channels the bot posts only to public ones, with chat:write.public [M:chat.postMessage].
    if (!c->is_im && !c->members.count(k_bot_user_id) && opts_.bot_scopes && !opts_.bot_scopes->count("chat:write.public"))
        return api_error("not_in_channel");

    // The message as Slack stores it (returned, and echoed as an event).
    message_rec m;
    m.ts = ids_.ts();
    m.user = k_bot_user_id;
    m.text = text;
    m.by_bot = true;
    m.thread_ts = arg_string(args, "thread_ts");
    // reply_broadcast: a thread reply also shown in the channel.
    if (!m.thread_ts.empty() && arg_bool(args, "reply_broadcast"))
        m.subtype = "thread_broadcast";
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
    if (auto missing = require({"chat:write"}))
        return *missing;
    auto target = arg_string(args, "channel");
    channel_rec* c = nullptr;
    if (!target.empty())
        c = target[0] == 'D' ? &ws_.dm(target) : visible_channel(target);
    if (!c)
        return api_error("channel_not_found");
    auto user = arg_string(args, "user");
    if (user.empty())
        return api_error("user_not_found");
    if (arg_string(args, "text").empty() && !arg_json(args, "blocks").is_array() &&
        !arg_json(args, "attachments").is_array())
        return api_error("no_text");
    // Only a member sees it (web-api-chat.postEphemeral-error-user_not_in_channel.json).
    if (!c->is_im && !c->members.count(user))
        return api_error("user_not_in_channel");
    auto ts = ids_.ts();
    json shown = args;
    shown["channel"] = c->id;
    shown["message_ts"] = ts;
    ws_.ephemerals[{c->id, user}].push_back(std::move(shown));
    return api_ok({{"message_ts", ts}});
}

web_api::result
web_api::chat_update(const json& args)
{
    if (auto missing = require({"chat:write"}))
        return *missing;
    auto* c = visible_channel(arg_string(args, "channel"));
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
    m->blocks = blocks.is_array() ? blocks : json();
    if (!blocks.is_array() && m->block_id.empty())
        m->block_id = ids_.block_id();
    json msg = {{"text", text}, {"user", k_bot_user_id}, {"bot_id", k_bot_id}, {"type", "message"}};
    if (blocks.is_array())
        msg["blocks"] = blocks;
    return api_ok({{"channel", c->id}, {"ts", ts}, {"text", text}, {"message", std::move(msg)}});
}

web_api::result
web_api::pins_add(const json& args)
{
    if (auto missing = require({"pins:write"}))
        return *missing;
    auto* c = visible_channel(arg_string(args, "channel"));
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
    if (auto missing = require({"users:read"}))
        return *missing;
    // Users exist once a test has named them or they acted (web-api-users.info-error-user_not_found.json).
    auto user = arg_string(args, "user");
    if (user != k_bot_user_id && !ws_.find_user(user))
        return api_error("user_not_found");
    return api_ok({{"user", ws_.user_json(user)}});
}

//-- history ------------------------------------------------------------------------------

namespace {

// Slack's cursors are opaque; its own look like base64("next_ts:1512085861000543")
// (web-api-conversations.history-ok.json's next_cursor).
std::string
encode_cursor(std::int64_t key)
{
    auto ts = ts_from_micros(key);
    ts.erase(ts.find('.'), 1);
    return base64_encode("next_ts:" + ts);
}

bool
decode_cursor(const std::string& cursor, std::int64_t& key)
{
    std::string text;
    if (!base64_decode(cursor, text) || !text.starts_with("next_ts:") || text.size() <= 8 || text.size() > 28)
        return false;
    key = 0;
    for (char c : text.substr(8)) {
        if (c < '0' || c > '9')
            return false;
        key = key * 10 + (c - '0');
    }
    return true;
}

}  // namespace

std::optional<web_api::result>
web_api::read_page_query(const json& args, page_query& q) const
{
    std::int64_t key = 0;
    if (auto oldest = arg_string(args, "oldest"); !oldest.empty()) {
        if (!ts_micros(oldest, key))
            return api_error("invalid_ts_oldest");
        q.oldest = key;
    }
    if (auto latest = arg_string(args, "latest"); !latest.empty()) {
        if (!ts_micros(latest, key))
            return api_error("invalid_ts_latest");
        q.latest = key;
    }
    q.inclusive = arg_bool(args, "inclusive");
    // limit: 100 by default, 999 at most, or history_max_limit (15 outside the Marketplace)
    // [M:conversations.history].
    auto limit = arg_string(args, "limit");
    long long n = 0;
    if (!limit.empty() && limit.size() < 10 && std::all_of(limit.begin(), limit.end(), [](char c) { return c >= '0' && c <= '9'; }))
        n = std::stoll(limit);
    const std::size_t most = std::max<std::size_t>(1, std::min<std::size_t>(opts_.history_max_limit, 999));
    q.limit = std::min(n <= 0 ? std::size_t{100} : static_cast<std::size_t>(std::min<long long>(n, 999)), most);
    if (auto cursor = arg_string(args, "cursor"); !cursor.empty()) {
        if (!decode_cursor(cursor, key))
            return api_error("invalid_cursor");
        q.cursor = key;
    }
    return std::nullopt;
}

std::optional<web_api::result>
web_api::history_read(const json& args, channel_rec*& c, page_query& q)
{
    c = visible_channel(arg_string(args, "channel"));
    if (!c)
        return api_error("channel_not_found");
    if (auto missing = require_for(*c, "history"))
        return missing;
    if (!c->members.count(k_bot_user_id))
        return api_error("not_in_channel");
    return read_page_query(args, q);
}

json
web_api::page_body(const channel_rec& c, const page& p) const
{
    json messages = json::array();
    for (auto* m : p.messages)
        messages.push_back(ws_.message_json(c, *m));
    json body = {{"messages", std::move(messages)}, {"has_more", p.next.has_value()}};
    if (p.next)
        body["response_metadata"] = {{"next_cursor", encode_cursor(*p.next)}};
    return body;
}

// web-api-conversations.history-ok.json
web_api::result
web_api::conversations_history(const json& args)
{
    channel_rec* c = nullptr;
    page_query q;
    if (auto refused = history_read(args, c, q))
        return *refused;
    auto body = page_body(*c, ws_.history_page(*c, q));
    body["pin_count"] = c->pins.size();
    return api_ok(std::move(body));
}

// web-api-conversations.replies-ok.json
web_api::result
web_api::conversations_replies(const json& args)
{
    channel_rec* c = nullptr;
    page_query q;
    if (auto refused = history_read(args, c, q))
        return *refused;
    if (!args.contains("ts"))
        return invalid_arguments("[ERROR] missing required field: ts");
    auto* parent = ws_.thread_parent(*c, arg_string(args, "ts"));
    if (!parent)
        return api_error("thread_not_found");
    return api_ok(page_body(*c, ws_.replies_page(*c, *parent, q)));
}

//-- user groups, modals --------------------------------------------------------------------

// web-api-usergroups.users.list-ok.json
web_api::result
web_api::usergroups_users_list(const json& args)
{
    if (auto missing = require({"usergroups:read"}))
        return *missing;
    if (!args.contains("usergroup"))
        return invalid_arguments("[ERROR] missing required field: usergroup");
    auto* members = ws_.usergroup_members(arg_string(args, "usergroup"));
    if (!members)
        return api_error("no_such_subteam");
    return api_ok({{"users", *members}});
}

// web-api-views.open-ok.json; errors from docs.slack.dev/reference/methods/views.open.
web_api::result
web_api::views_open(const json& args)
{
    auto trigger_id = arg_string(args, "trigger_id");
    if (trigger_id.empty()) {
        // web-api-views.open-error-invalid_arguments.json
        return invalid_arguments("invalid `trigger_id`");
    }
    auto view = arg_json(args, "view");
    if (!view.is_object() || !view.contains("type"))
        return invalid_arguments("[ERROR] missing required field: view");
    auto* trigger = ws_.find_trigger(trigger_id);
    if (!trigger)
        return api_error("invalid_trigger_id");
    if (trigger->used)
        return api_error("exchanged_trigger_id");
    if (now_ - trigger->issued > opts_.trigger_ttl)
        return api_error("expired_trigger_id");
    trigger->used = true;

    auto id = "V0SIM" + base36_upper(ids_.next(), 6);
    view["id"] = id;
    view["team_id"] = k_team_id;
    view["state"] = {{"values", json::object()}};
    view["hash"] = std::to_string(unix_seconds()) + "." + hex(mix64(ids_.next()), 8);
    view["root_view_id"] = id;
    view["previous_view_id"] = nullptr;
    view["app_id"] = k_app_id;
    view["bot_id"] = k_bot_id;
    for (auto [key, fallback] : {std::pair{"private_metadata", json("")}, std::pair{"callback_id", json("")},
                                 std::pair{"external_id", json("")}, std::pair{"clear_on_close", json(false)},
                                 std::pair{"notify_on_close", json(false)}, std::pair{"blocks", json::array()}})
        if (!view.contains(key))
            view[key] = fallback;
    ws_.views.push_back(workspace::view_rec{id, trigger->user, trigger_id, view});
    return api_ok({{"view", std::move(view)}});
}

}  // namespace ib::sim::detail
