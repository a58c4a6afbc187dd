// The scripting API (slack_simulator.hpp): what tests call to make users act in the simulated
// workspace, and to observe what the bot did. It wires the parts together:
//
//   workspace (workspace.hpp)   channels, users, messages and their history
//   web_api   (web_api.hpp)     the Web API methods over that state, faults, the call log
//   delivery  (delivery.hpp)    which connection gets each envelope, acks, redelivery
//   transport (transport.hpp)   the sockets: HTTP and Socket Mode over Beast
//
// workspace and web_api share one mutex (impl::m); delivery has its own. A scripted action
// changes the workspace under the mutex, then hands the events it caused to delivery, in the
// order they were scripted.

#include "sim/slack_simulator.hpp"

#include "sim/delivery.hpp"
#include "sim/payloads.hpp"
#include "sim/transport.hpp"
#include "sim/web_api.hpp"
#include "sim/workspace.hpp"

#include <mutex>
#include <stdexcept>
#include <thread>

namespace ib::sim {

using namespace detail;

struct slack_simulator::impl final : transport_backend {
    explicit impl(simulator_options o)
        : opts(std::move(o)), api(opts, ws, ids), out(opts, ids), sockets(opts, *this, out)
    {
    }

    //-- transport_backend ------------------------------------------------------------------
    http_reply
    http(std::string_view target, std::string_view content_type, std::string_view authorization,
         const std::string& body) override
    {
        auto q = target.find('?');
        auto path = target.substr(0, q);
        auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);

        // Arguments: the query string, then the body (JSON or form-encoded).
        json args = json::object();
        bool args_ok = true;
        std::string args_error;
        std::string token;
        parse_form_into(query, args);
        if (!body.empty()) {
            if (iequals_prefix(content_type, "application/json")) {
                auto parsed = json::parse(body, nullptr, false);
                if (parsed.is_discarded()) {
                    args_ok = false;
                    args_error = "invalid_json";
                } else if (!parsed.is_object()) {
                    args_ok = false;
                    args_error = "json_not_object";
                } else {
                    for (auto& [k, v] : parsed.items())
                        args[k] = v;
                }
            } else {
                parse_form_into(body, args);
                // Form posts may carry the token as a field (never JSON bodies).
                if (args.contains("token")) {
                    token = arg_string(args, "token");
                    args.erase("token");
                }
            }
        }
        if (iequals_prefix(authorization, "Bearer "))
            token = std::string(authorization.substr(7));

        http_reply reply;
        if (path.starts_with("/api/")) {
            web_api::result r;
            {
                std::lock_guard lock(m);
                r = api.call(std::string(path.substr(5)), std::move(args), args_ok, args_error, token, steady::now());
            }
            emit(std::move(r.events));
            reply.status = r.status;
            reply.retry_after = r.retry_after;
            reply.body = to_text(r.body);
        } else if (path.starts_with("/commands/")) {
            // The slash command's response_url: recorded like an API call named "response_url".
            {
                std::lock_guard lock(m);
                api.record_response_url(std::move(args), steady::now());
            }
            reply.body = R"({"ok":true})";
        } else {
            reply.status = 404;
            reply.content_type = "text/plain";
            reply.body = "not found\n";
        }
        return reply;
    }

    bool
    take_ticket(std::string_view target) override
    {
        std::lock_guard lock(m);
        return api.take_ticket(target);
    }

    //-- events ----------------------------------------------------------------------------
    // Wraps an inner event in event_callback + an events_api envelope and hands it on, unless
    // the app would not receive it (subscriptions, membership). Returns the envelope_id ("" when
    // not sent).
    std::string
    emit(json inner)
    {
        {
            std::lock_guard lock(m);
            if (!api.delivers(inner))
                return {};
        }
        auto env = events_api_envelope(event_callback(std::move(inner), ids.event_id()), ids.uuid());
        return out.submit(std::move(env), steady::now());
    }

    void
    emit(std::vector<json> events)
    {
        for (auto& e : events)
            emit(std::move(e));
    }

    // A user's message (a thread reply with thread_ts; subtype thread_broadcast for a reply also
    // sent to the channel): stored, then its event (and app_mention) emitted. Returns the ts.
    std::string
    post(const std::string& channel, const std::string& user, const std::string& text, const std::string& thread_ts,
         const std::string& subtype)
    {
        json e;
        std::string ts;
        {
            std::lock_guard lock(m);
            auto& c = ws.ensure_channel(channel);
            auto& stored = ws.add_user_message(c, user, text, thread_ts, subtype, ids);
            ts = stored.ts;
            e = ws.message_event(c, stored);
        }
        // Slack sends app_mention too when the bot is mentioned (its own event and event_id).
        std::optional<json> mention;
        if (opts.emit_app_mention && text.find("<@" + k_bot_user_id) != std::string::npos) {
            mention = e;
            (*mention)["type"] = "app_mention";
            mention->erase("channel_type");
        }
        emit(std::move(e));
        if (mention)
            emit(std::move(*mention));
        return ts;
    }

    // An interactive envelope for a user's interaction, with a fresh trigger_id registered for
    // views.open. build(trigger_id) makes the payload.
    template <class Build>
    std::string
    interaction(const std::string& user, bool accepts_response_payload, Build build)
    {
        auto trigger = ids.trigger_id();
        json payload;
        {
            std::lock_guard lock(m);
            ws.touch_user(user);
            ws.add_trigger(trigger, user, steady::now());
            payload = build(trigger);
        }
        return out.submit(interactive_envelope(std::move(payload), ids.uuid(), accepts_response_payload), steady::now());
    }

    // A response_url that points back at the simulator, so a bot can use it offline.
    std::string
    response_url()
    {
        auto n = ids.next();
        return base_url() + "/commands/" + k_team_id + "/" + std::to_string(n) + "/" + hex(mix64(n ^ ids.seed()), 24);
    }

    std::string
    base_url() const
    {
        return std::string(sockets.tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(sockets.port());
    }

    // Members in construction order: the sockets go first on destruction.
    simulator_options opts;
    id_source ids;
    mutable std::mutex m;  // guards ws and api
    workspace ws;
    web_api api;
    delivery out;
    transport sockets;
};

simulator_options
simulator_options::like_slack()
{
    simulator_options o;
    o.retry_delays = {std::chrono::milliseconds{0}, std::chrono::minutes{1}, std::chrono::minutes{5}};
    o.when_disconnected = no_connection::retry;
    o.choose_connection = connection_choice::random;
    o.member_events_only = true;
    return o;
}

slack_simulator::slack_simulator(simulator_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

slack_simulator::~slack_simulator() = default;

void
slack_simulator::start()
{
    impl_->sockets.start();
    std::lock_guard lock(impl_->m);
    impl_->api.set_endpoint(impl_->sockets.tls(), impl_->sockets.port());
}

void
slack_simulator::stop()
{
    impl_->sockets.stop();
}

std::string
slack_simulator::api_url() const
{
    return impl_->base_url() + "/api/";
}

unsigned short
slack_simulator::port() const
{
    return impl_->sockets.port();
}

std::string
slack_simulator::bot_user_id() const
{
    return k_bot_user_id;
}

std::string
slack_simulator::bot_id() const
{
    return k_bot_id;
}

std::string
slack_simulator::team_id() const
{
    return k_team_id;
}

std::string
slack_simulator::app_id() const
{
    return k_app_id;
}

const simulator_options&
slack_simulator::options() const
{
    return impl_->opts;
}

//-- scripting what users do ----------------------------------------------------------------

std::string
slack_simulator::post_message(const std::string& channel, const std::string& user, const std::string& text,
                              const std::string& thread_ts)
{
    return impl_->post(channel, user, text, thread_ts, "");
}

std::string
slack_simulator::type_message(const std::string& channel, const std::string& user, const std::string& typed,
                              const std::string& thread_ts)
{
    return impl_->post(channel, user, slack_escape(typed), thread_ts, "");
}

std::string
slack_simulator::broadcast_reply(const std::string& channel, const std::string& user, const std::string& text,
                                 const std::string& thread_ts)
{
    if (thread_ts.empty())
        throw std::invalid_argument("slack_simulator::broadcast_reply: a thread_broadcast needs thread_ts");
    return impl_->post(channel, user, text, thread_ts, "thread_broadcast");
}

void
slack_simulator::join(const std::string& channel, const std::string& user, const std::string& inviter)
{
    auto& s = *impl_;
    json joined, message;
    {
        std::lock_guard lock(s.m);
        auto& c = s.ws.ensure_channel(channel);
        s.ws.touch_user(user);
        c.members.insert(user);
        joined = member_joined_event(c.id, user, inviter, s.ids.ts(), c.is_private);
        message = s.ws.message_event(c, s.ws.add_join_message(c, user, inviter, s.ids));
    }
    s.emit(std::move(joined));
    s.emit(std::move(message));
}

void
slack_simulator::leave(const std::string& channel, const std::string& user)
{
    auto& s = *impl_;
    json left, message;
    {
        std::lock_guard lock(s.m);
        auto& c = s.ws.ensure_channel(channel);
        c.members.erase(user);
        left = member_left_event(c.id, user, s.ids.ts(), c.is_private);
        message = s.ws.message_event(c, s.ws.add_leave_message(c, user, s.ids));
    }
    s.emit(std::move(left));
    s.emit(std::move(message));
}

void
slack_simulator::react(const std::string& channel, const std::string& user, const std::string& reaction,
                       const std::string& item_ts, bool added)
{
    auto& s = *impl_;
    json e = json::object();
    e["type"] = added ? "reaction_added" : "reaction_removed";
    e["user"] = user;
    e["reaction"] = reaction;
    {
        std::lock_guard lock(s.m);
        s.ws.touch_user(user);
        if (auto author = s.ws.author(channel, item_ts); !author.empty())
            e["item_user"] = author;
        s.ws.react(channel, item_ts, user, reaction, added);
    }
    e["item"] = {{"type", "message"}, {"channel", channel}, {"ts", item_ts}};
    e["event_ts"] = s.ids.ts();
    s.emit(std::move(e));
}

void
slack_simulator::edit_message(const std::string& channel, const std::string& ts, const std::string& new_text)
{
    auto& s = *impl_;
    auto now_ts = s.ids.ts();
    json message = {{"type", "message"}, {"text", new_text}, {"ts", ts}, {"team", k_team_id}};
    json previous = {{"type", "message"}, {"ts", ts}, {"team", k_team_id}};
    std::string channel_type = "channel";
    {
        std::lock_guard lock(s.m);
        if (auto* c = s.ws.find_channel(channel); c && c->is_private)
            channel_type = message_channel_type(true);
        if (auto* m = s.ws.find_message(channel, ts)) {
            message["user"] = m->user;
            message["edited"] = {{"user", m->user}, {"ts", now_ts}};
            previous["user"] = m->user;
            previous["text"] = m->text;
            m->text = new_text;
            m->edited = std::make_pair(m->user, now_ts);
        } else {
            message["edited"] = {{"user", ""}, {"ts", now_ts}};
        }
    }
    json e = json::object();
    e["type"] = "message";
    e["subtype"] = "message_changed";
    e["hidden"] = true;
    e["channel"] = channel;
    e["ts"] = now_ts;
    e["message"] = std::move(message);
    e["previous_message"] = std::move(previous);
    e["event_ts"] = now_ts;
    e["channel_type"] = channel_type;
    s.emit(std::move(e));
}

void
slack_simulator::delete_message(const std::string& channel, const std::string& ts)
{
    auto& s = *impl_;
    auto now_ts = s.ids.ts();
    json e = json::object();
    e["type"] = "message";
    e["subtype"] = "message_deleted";
    e["hidden"] = true;
    e["channel"] = channel;
    e["ts"] = now_ts;
    e["deleted_ts"] = ts;
    e["event_ts"] = now_ts;
    e["channel_type"] = "channel";
    {
        std::lock_guard lock(s.m);
        if (auto* c = s.ws.find_channel(channel); c && c->is_private)
            e["channel_type"] = message_channel_type(true);
        if (auto removed = s.ws.remove_message(channel, ts))
            e["previous_message"] = {{"type", "message"}, {"user", removed->user}, {"text", removed->text}, {"ts", ts}};
    }
    s.emit(std::move(e));
}

//-- bulk sending (for bench/) ------------------------------------------------------------

std::vector<std::string>
slack_simulator::post_messages(const std::string& channel, const std::string& user,
                               const std::vector<std::string>& texts)
{
    auto& s = *impl_;
    std::vector<json> events;
    events.reserve(texts.size());
    {
        // The same events as post_message's, stored under one lock.
        std::lock_guard lock(s.m);
        auto& c = s.ws.ensure_channel(channel);
        for (const auto& text : texts) {
            auto e = s.ws.message_event(c, s.ws.add_user_message(c, user, text, "", "", s.ids));
            if (s.api.delivers(e))
                events.push_back(std::move(e));
        }
    }
    // Serialized on the caller's thread, handed to delivery in one step. (An event the app would
    // not receive has no envelope: its id is missing from the result.)
    std::vector<std::pair<std::string, std::string>> frames;
    std::vector<std::string> ids;
    frames.reserve(events.size());
    ids.reserve(events.size());
    for (auto& e : events) {
        auto id = s.ids.uuid();
        frames.emplace_back(id, to_text(events_api_envelope(event_callback(std::move(e), s.ids.event_id()), id)));
        ids.push_back(std::move(id));
    }
    s.out.submit_events(std::move(frames), steady::now());
    return ids;
}

//-- end bulk sending ---------------------------------------------------------------------

std::string
slack_simulator::slash_command(const std::string& channel_id, const std::string& user, const std::string& text,
                               const std::string& command)
{
    auto& s = *impl_;
    auto trigger = s.ids.trigger_id();
    json p;
    {
        std::lock_guard lock(s.m);
        s.ws.touch_user(user);
        s.ws.touch_mentions(text);
        s.ws.add_trigger(trigger, user, steady::now());
        p = slash_command_payload(channel_id, s.ws.ensure_channel(channel_id).name, user, s.ws.user_name(user), command,
                                  text, s.response_url(), trigger);
    }
    json env = json::object();
    env["envelope_id"] = s.ids.uuid();
    env["payload"] = std::move(p);
    env["type"] = "slash_commands";
    env["accepts_response_payload"] = true;
    return s.out.submit(std::move(env), steady::now());
}

std::string
slack_simulator::type_command(const std::string& channel_id, const std::string& user, const std::string& typed,
                              const std::string& command)
{
    return slash_command(channel_id, user, slack_escape(typed), command);
}

std::string
slack_simulator::message_shortcut(const std::string& channel, const std::string& user, const std::string& message_ts,
                                  const std::string& callback_id)
{
    auto& s = *impl_;
    return s.interaction(user, false, [&](const std::string& trigger) {
        auto* c = s.ws.find_channel(channel);
        auto* m = s.ws.find_message(channel, message_ts);
        if (!c || !m)
            throw std::invalid_argument("slack_simulator::message_shortcut: no message " + channel + "/" + message_ts);
        return message_action_payload(c->id, c->name, user, s.ws.user_name(user), s.ws.message_json(*c, *m),
                                      callback_id, trigger, s.response_url(), s.ids.ts());
    });
}

std::string
slack_simulator::submit_view(const std::string& view_id, const nlohmann::json& values)
{
    auto& s = *impl_;
    std::string user;
    {
        std::lock_guard lock(s.m);
        auto* v = s.ws.find_view(view_id);
        if (!v)
            throw std::invalid_argument("slack_simulator::submit_view: the bot opened no view " + view_id);
        user = v->user;
    }
    return s.interaction(user, true, [&](const std::string& trigger) {
        json view = s.ws.find_view(view_id)->view;
        view["state"] = {{"values", values}};
        return view_submission_payload(user, s.ws.user_name(user), std::move(view), trigger);
    });
}

std::string
slack_simulator::send_envelope(json envelope)
{
    return impl_->out.submit(std::move(envelope), steady::now());
}

std::string
slack_simulator::send_event(json inner_event)
{
    return impl_->emit(std::move(inner_event));
}

void
slack_simulator::send_raw(const std::string& text_frame)
{
    impl_->out.submit_text(text_frame, steady::now());
}

void
slack_simulator::send_disconnect(const std::string& reason)
{
    impl_->out.submit_text(to_text(disconnect_frame(reason)), steady::now());
}

void
slack_simulator::drop_connections()
{
    impl_->sockets.drop_connections();
}

void
slack_simulator::set_silent(bool on)
{
    impl_->sockets.set_silent(on);
}

void
slack_simulator::set_hello_withheld(bool on)
{
    impl_->sockets.set_hello_withheld(on);
}

std::size_t
slack_simulator::expire_undelivered()
{
    return impl_->out.expire_undelivered(steady::now());
}

std::string
slack_simulator::create_channel(const std::string& name, const std::string& creator, bool is_private)
{
    auto& s = *impl_;
    if (auto err = channel_name_error(name); !err.empty())
        throw std::invalid_argument("slack_simulator::create_channel: " + err);
    std::lock_guard lock(s.m);
    if (s.ws.name_taken(name))
        throw std::invalid_argument("slack_simulator::create_channel: name_taken");
    s.ws.touch_user(creator);
    return s.ws.add_channel(name, creator, is_private).id;
}

void
slack_simulator::set_user_name(const std::string& user, const std::string& name)
{
    std::lock_guard lock(impl_->m);
    impl_->ws.set_user(user, user_rec{name, name, name});
}

void
slack_simulator::add_bot_user(const std::string& user, const std::string& name)
{
    std::lock_guard lock(impl_->m);
    impl_->ws.set_user(user, user_rec{name, name, name, true});
}

void
slack_simulator::set_user_profile(const std::string& user, const std::string& handle, const std::string& real_name,
                                  const std::string& display_name)
{
    std::lock_guard lock(impl_->m);
    impl_->ws.set_user(user, user_rec{handle, display_name, real_name});
}

std::string
slack_simulator::create_usergroup(const std::string& handle, const std::vector<std::string>& members)
{
    std::lock_guard lock(impl_->m);
    for (auto& u : members)
        impl_->ws.touch_user(u);
    return impl_->ws.add_usergroup(handle, members);
}

void
slack_simulator::set_usergroup_members(const std::string& usergroup_id, const std::vector<std::string>& members)
{
    std::lock_guard lock(impl_->m);
    auto* group = impl_->ws.usergroup_members(usergroup_id);
    if (!group)
        throw std::invalid_argument("slack_simulator::set_usergroup_members: no user group " + usergroup_id);
    for (auto& u : members)
        impl_->ws.touch_user(u);
    *group = members;
}

void
slack_simulator::fail_next(const std::string& method, int http_status, int retry_after_seconds, int times)
{
    std::lock_guard lock(impl_->m);
    impl_->api.fail_next(method, http_status, retry_after_seconds, times);
}

void
slack_simulator::error_next(const std::string& method, const std::string& error_code, int times)
{
    std::lock_guard lock(impl_->m);
    impl_->api.error_next(method, error_code, times);
}

//-- observing ------------------------------------------------------------------------------

std::vector<slack_simulator::api_call>
slack_simulator::calls(const std::string& method) const
{
    std::lock_guard lock(impl_->m);
    if (method.empty())
        return impl_->api.calls();
    std::vector<api_call> out;
    for (auto& c : impl_->api.calls())
        if (c.method == method)
            out.push_back(c);
    return out;
}

std::optional<slack_simulator::ack>
slack_simulator::wait_ack(const std::string& envelope_id, std::chrono::milliseconds timeout) const
{
    return impl_->out.wait_ack(envelope_id, timeout);
}

std::vector<slack_simulator::ack>
slack_simulator::acks() const
{
    return impl_->out.acks();
}

std::size_t
slack_simulator::ack_count() const
{
    return impl_->out.ack_count();
}

std::size_t
slack_simulator::connections_opened() const
{
    return impl_->out.connections_opened();
}

std::size_t
slack_simulator::open_connections() const
{
    return impl_->out.open_connections();
}

bool
slack_simulator::wait_connected(std::chrono::milliseconds timeout) const
{
    return impl_->out.wait_connected(timeout);
}

namespace {
slack_simulator::channel_info
to_info(const channel_rec& c)
{
    return slack_simulator::channel_info{c.id, c.name, c.topic, c.members};
}
}  // namespace

std::optional<slack_simulator::channel_info>
slack_simulator::channel_by_name(const std::string& name) const
{
    std::lock_guard lock(impl_->m);
    auto* c = impl_->ws.channel_by_name(name);
    return c ? std::optional(to_info(*c)) : std::nullopt;
}

std::optional<slack_simulator::channel_info>
slack_simulator::channel_by_id(const std::string& id) const
{
    std::lock_guard lock(impl_->m);
    auto* c = static_cast<const workspace&>(impl_->ws).find_channel(id);
    return c && c->id == id ? std::optional(to_info(*c)) : std::nullopt;
}

std::vector<json>
slack_simulator::posted_messages(const std::string& channel_id) const
{
    std::lock_guard lock(impl_->m);
    auto it = impl_->ws.bot_posts.find(channel_id);
    return it == impl_->ws.bot_posts.end() ? std::vector<json>{} : it->second;
}

std::vector<json>
slack_simulator::history(const std::string& channel_id) const
{
    std::lock_guard lock(impl_->m);
    std::vector<json> out;
    auto* c = static_cast<const workspace&>(impl_->ws).find_channel(channel_id);
    if (c)
        for (auto& [key, m] : c->history)
            out.push_back(impl_->ws.message_json(*c, m));
    return out;
}

std::vector<json>
slack_simulator::ephemeral_messages(const std::string& channel_id, const std::string& user) const
{
    std::lock_guard lock(impl_->m);
    auto it = impl_->ws.ephemerals.find({channel_id, user});
    return it == impl_->ws.ephemerals.end() ? std::vector<json>{} : it->second;
}

std::vector<slack_simulator::opened_view>
slack_simulator::views() const
{
    std::lock_guard lock(impl_->m);
    std::vector<opened_view> out;
    for (auto& v : impl_->ws.views)
        out.push_back(opened_view{v.id, v.user, v.trigger_id, v.view});
    return out;
}

//-- observers: envelopes sent, client closes ----------------------------------------------

std::optional<json>
slack_simulator::envelope(const std::string& envelope_id) const
{
    return impl_->out.envelope(envelope_id);
}

std::vector<slack_simulator::client_close>
slack_simulator::client_closes() const
{
    return impl_->out.client_closes();
}

std::vector<std::string>
slack_simulator::lost_events() const
{
    return impl_->out.lost_events();
}

std::vector<slack_simulator::command_failure>
slack_simulator::command_failures() const
{
    return impl_->out.command_failures();
}

//-- end observers ------------------------------------------------------------------------

bool
slack_simulator::wait_for(std::function<bool()> pred, std::chrono::milliseconds timeout) const
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

}  // namespace ib::sim
