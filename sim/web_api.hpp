#pragma once
// The Web API: one call in (method, arguments, token), one response out (HTTP status, JSON body,
// Retry-After), plus the inner events the call caused (chat.postMessage echoes the bot's message,
// conversations.invite makes member_joined_channel, …). Authentication, scopes, rate limits,
// injected faults, the call log and the app's event subscriptions live here too. Each method's
// arguments, errors and response follow its docs.slack.dev page and the fixtures named beside it.
// Plain C++ + nlohmann_json: the HTTP server (transport.cpp) only reads requests and writes
// responses.
//
// Not synchronized: the owner holds its mutex around every member (see workspace.hpp).

#include "sim/slack_simulator.hpp"
#include "sim/support.hpp"
#include "sim/workspace.hpp"

#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ib::sim::detail {

class web_api {
public:
    struct result {
        int status = 200;
        json body;
        int retry_after = -1;      // >= 0: send Retry-After
        std::vector<json> events;  // inner events to emit, in order
    };

    web_api(const simulator_options& opts, workspace& ws, id_source& ids);

    // Where apps.connections.open points clients: ws:// or wss:// on 127.0.0.1:port.
    void set_endpoint(bool tls, unsigned short port);

    // One call: injected faults first, then argument errors, authentication, the method. The
    // call is logged. args_ok false: the body could not be read (args_error says why).
    result call(const std::string& method, json args, bool args_ok, const std::string& args_error,
                const std::string& token, steady::time_point now);

    // A POST to a slash command's response_url: logged like a call named "response_url".
    void record_response_url(json args, steady::time_point now);

    // Consumes a one-time ticket from "/link/?ticket=…&app_id=…" (apps.connections.open made it).
    bool take_ticket(std::string_view target);

    // Fault injection (slack_simulator::fail_next / error_next).
    void fail_next(const std::string& method, int http_status, int retry_after_seconds, int times);
    void error_next(const std::string& method, const std::string& error_code, int times);

    const std::vector<slack_simulator::api_call>& calls() const { return calls_; }

    // Whether the app receives this inner event: its subscriptions (bot_events) and, with
    // member_events_only, the bot's membership of the event's channel.
    bool delivers(const json& inner) const;

private:
    using handler = result (web_api::*)(const json& args);
    static const std::unordered_map<std::string, handler>& handlers();

    result auth_test(const json& args);
    result connections_open(const json& args);
    result conversations_create(const json& args);
    result conversations_invite(const json& args);
    result conversations_join(const json& args);
    result conversations_info(const json& args);
    result conversations_set_topic(const json& args);
    result chat_post_message(const json& args);
    result chat_post_ephemeral(const json& args);
    result chat_update(const json& args);
    result pins_add(const json& args);
    result users_info(const json& args);
    result conversations_history(const json& args);
    result conversations_replies(const json& args);
    result usergroups_users_list(const json& args);
    result views_open(const json& args);

    // nullopt when the bot token has one of these scopes, else missing_scope [OAS].
    std::optional<result> require(std::initializer_list<const char*> any_of) const;
    // The scope a channel's type needs: public_scope for channels, its groups:/im: counterpart.
    std::optional<result> require_for(const channel_rec& c, const std::string& what) const;
    // A channel the bot can see: private channels only when it is a member.
    channel_rec* visible_channel(const std::string& id_or_name);
    // Past the method's rate limit: the 429 to answer.
    std::optional<result> rate_limited(const std::string& method, steady::time_point now);
    // oldest/latest/inclusive/limit/cursor; an error result when one is malformed.
    std::optional<result> read_page_query(const json& args, page_query& q) const;
    // A history read's channel (visible, its history scope granted, the bot a member) and query;
    // the error to answer otherwise.
    std::optional<result> history_read(const json& args, channel_rec*& c, page_query& q);
    json page_body(const channel_rec& c, const page& p) const;

    const simulator_options& opts_;
    workspace& ws_;
    id_source& ids_;
    bool tls_ = false;
    unsigned short port_ = 0;

    struct fault {
        int status = 200;
        int retry_after = 0;
        std::string error;
        int times = 1;
    };
    std::unordered_map<std::string, std::deque<fault>> faults_;
    std::unordered_map<std::string, bool> tickets_;  // ticket -> used
    std::vector<slack_simulator::api_call> calls_;
    std::unordered_map<std::string, std::deque<steady::time_point>> recent_calls_;  // for rate_limits
    steady::time_point now_{};  // of the call being handled
};

// {"ok":false,"error":code}
web_api::result api_error(const std::string& code);
// {"ok":false,"error":"invalid_arguments","response_metadata":{"messages":[message]}}
web_api::result invalid_arguments(const std::string& message);
// body + "ok":true
web_api::result api_ok(json body = json::object());

}  // namespace ib::sim::detail
