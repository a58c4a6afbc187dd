#pragma once
// The Web API: one call in (method, arguments, token), one response out (HTTP status, JSON body,
// Retry-After), plus the inner events the call caused (chat.postMessage echoes the bot's message,
// conversations.invite makes member_joined_channel, …). Authentication, injected faults and the
// call log live here too. Plain C++ + nlohmann_json: the HTTP server (transport.cpp) only parses
// requests and writes responses.
//
// Not synchronized: the owner holds its mutex around every member (see workspace.hpp).

#include "sim/slack_simulator.hpp"
#include "sim/support.hpp"
#include "sim/workspace.hpp"

#include <deque>
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

    // A channel_join message stored in c's history; returns its event.
    json record_join(channel_rec& c, const std::string& user, const std::string& inviter);

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
};

// {"ok":false,"error":code}
web_api::result api_error(const std::string& code);
// body + "ok":true
web_api::result api_ok(json body = json::object());

}  // namespace ib::sim::detail
