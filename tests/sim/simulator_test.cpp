// Tests for the Slack simulator, driven over real sockets by a minimal Beast client.
//
// The client below is synchronous to its callers but runs every step as an async
// operation with a tcp_stream deadline, so a missing frame fails a test instead of
// hanging it. Payload shapes are checked against the real Slack samples in
// shared/slack-fixtures/ (every key Slack sends must be there, with the same JSON type).

#include "sim/slack_simulator.hpp"
#include "fixture_shape.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <optional>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;
using ib::sim::simulator_options;
using ib::sim::slack_simulator;

const std::string k_certs = std::string(IB_CERTS_DIR) + "/";
using ib::test::load_fixture;
using ib::test::missing_keys;

//----------------------------------------------------------------------------------------
// Minimal client: plain or TLS, HTTP and WebSocket

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool is_tls_v = std::is_same_v<Stream, tls_stream>;

// One io_context per test client; `drive` runs it until the pending operation is done.
struct client_env {
    net::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};

    client_env() = default;
    explicit client_env(const std::string& ca_file)
    {
        ctx.load_verify_file(ca_file);
        ctx.set_verify_mode(ssl::verify_peer);
    }

    void
    drive()
    {
        ioc.restart();
        ioc.run();
    }
};

template <class Stream>
Stream
make_stream(client_env& env)
{
    if constexpr (is_tls_v<Stream>)
        return Stream(env.ioc, env.ctx);
    else
        return Stream(env.ioc);
}

// TCP connect to 127.0.0.1:port, then (TLS) a verified handshake for 127.0.0.1.
template <class Stream>
beast::error_code
open_stream(client_env& env, Stream& stream, unsigned short port)
{
    beast::error_code result;
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(5s);
    tcp_layer.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                            [&](beast::error_code ec) { result = ec; });
    env.drive();
    if (result)
        return result;
    if constexpr (is_tls_v<Stream>) {
        stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
        tcp_layer.expires_after(5s);
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { result = ec; });
        env.drive();
    }
    return result;
}

struct http_result {
    beast::error_code ec;
    int status = 0;
    json body;
    std::string retry_after;
    std::string content_type;
};

// A keep-alive HTTP/1.1 connection to the simulator.
template <class Stream>
class http_conn {
public:
    http_conn(client_env& env, unsigned short port) : env_(env), stream_(make_stream<Stream>(env))
    {
        ec_ = open_stream(env_, stream_, port);
    }

    beast::error_code
    error() const
    {
        return ec_;
    }

    http_result
    post(const std::string& target, const std::string& body, const std::string& content_type,
         const std::string& token)
    {
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, content_type);
        if (!token.empty())
            req.set(http::field::authorization, "Bearer " + token);
        req.keep_alive(true);
        req.body() = body;
        req.prepare_payload();

        http_result out;
        // Write the request, then read the response, each with a deadline.
        beast::get_lowest_layer(stream_).expires_after(5s);
        http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) { out.ec = ec; });
        env_.drive();
        if (out.ec)
            return out;
        http::response<http::string_body> res;
        beast::get_lowest_layer(stream_).expires_after(5s);
        http::async_read(stream_, buffer_, res, [&](beast::error_code ec, std::size_t) { out.ec = ec; });
        env_.drive();
        if (out.ec)
            return out;
        out.status = static_cast<int>(res.result_int());
        out.body = json::parse(res.body(), nullptr, false);
        out.retry_after = std::string(res[http::field::retry_after]);
        out.content_type = std::string(res[http::field::content_type]);
        return out;
    }

    http_result
    call(const std::string& method, const json& args, const std::string& token)
    {
        return post("/api/" + method, args.dump(), "application/json; charset=utf-8", token);
    }

private:
    client_env& env_;
    Stream stream_;
    beast::flat_buffer buffer_;
    beast::error_code ec_;
};

// "ws://127.0.0.1:PORT/link/?ticket=…" -> port and target.
std::pair<unsigned short, std::string>
split_ws_url(const std::string& url)
{
    auto host_start = url.find("://") + 3;
    auto colon = url.find(':', host_start);
    auto slash = url.find('/', host_start);
    auto port = static_cast<unsigned short>(std::stoi(url.substr(colon + 1, slash - colon - 1)));
    return {port, url.substr(slash)};
}

// A Socket Mode client: reads frames with a deadline, counts server pings.
template <class Stream>
class ws_conn {
public:
    explicit ws_conn(client_env& env) : env_(env), ws_(make_stream<Stream>(env))
    {
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (kind == websocket::frame_type::ping) {
                ++pings_;
                last_ping_ = std::string(payload);
            } else if (kind == websocket::frame_type::pong) {
                ++pongs_;
            }
        });
    }

    // Connects to a URL from apps.connections.open. Returns the HTTP status of the
    // upgrade response (101 on success, 0 on a transport error).
    int
    connect(const std::string& url)
    {
        auto [port, target] = split_ws_url(url);
        if (auto ec = open_stream(env_, ws_.next_layer(), port); ec) {
            error_ = ec;
            return 0;
        }
        websocket::response_type res;
        beast::get_lowest_layer(ws_).expires_after(5s);
        ws_.async_handshake(res, "127.0.0.1", target, [&](beast::error_code ec) { error_ = ec; });
        env_.drive();
        return static_cast<int>(res.result_int());
    }

    // The next text frame, or nullopt after the timeout or an error (the connection is
    // then unusable: a deadline closes the socket).
    std::optional<std::string>
    read_text(std::chrono::milliseconds timeout = 5000ms)
    {
        beast::flat_buffer buffer;
        beast::get_lowest_layer(ws_).expires_after(timeout);
        ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) { error_ = ec; });
        env_.drive();
        if (error_)
            return std::nullopt;
        return beast::buffers_to_string(buffer.data());
    }

    std::optional<json>
    read_json(std::chrono::milliseconds timeout = 5000ms)
    {
        auto text = read_text(timeout);
        if (!text)
            return std::nullopt;
        return json::parse(*text);
    }

    void
    send(const std::string& text, bool binary = false)
    {
        ws_.text(!binary);
        beast::get_lowest_layer(ws_).expires_after(5s);
        ws_.async_write(net::buffer(text), [&](beast::error_code ec, std::size_t) { error_ = ec; });
        env_.drive();
    }

    void
    ack(const std::string& envelope_id, std::optional<json> payload = std::nullopt)
    {
        json a = {{"envelope_id", envelope_id}};
        if (payload)
            a["payload"] = *payload;
        send(a.dump());
    }

    void
    ping(const std::string& payload)
    {
        beast::get_lowest_layer(ws_).expires_after(5s);
        ws_.async_ping(websocket::ping_data(payload.c_str()), [&](beast::error_code ec) { error_ = ec; });
        env_.drive();
    }

    void
    close()
    {
        beast::get_lowest_layer(ws_).expires_after(5s);
        ws_.async_close(websocket::close_code::normal, [&](beast::error_code ec) { error_ = ec; });
        env_.drive();
    }

    beast::error_code
    error() const
    {
        return error_;
    }

    int pings_ = 0;
    int pongs_ = 0;
    std::string last_ping_;

private:
    client_env& env_;
    websocket::stream<Stream> ws_;
    beast::error_code error_;
};

// One-shot API call on a fresh connection.
template <class Stream = plain_stream>
http_result
api(client_env& env, const slack_simulator& sim, const std::string& method, const json& args,
    const std::string& token)
{
    http_conn<Stream> conn(env, sim.port());
    REQUIRE_FALSE(conn.error());
    return conn.call(method, args, token);
}

const std::string k_app_token = simulator_options{}.app_token;
const std::string k_bot_token = simulator_options{}.bot_token;

// apps.connections.open -> WebSocket -> hello. Returns the hello frame.
template <class Stream>
json
open_socket_mode(client_env& env, const slack_simulator& sim, ws_conn<Stream>& ws)
{
    auto opened = api<Stream>(env, sim, "apps.connections.open", json::object(), k_app_token);
    REQUIRE(opened.status == 200);
    REQUIRE(opened.body.value("ok", false));
    REQUIRE(ws.connect(opened.body["url"].template get<std::string>()) == 101);
    auto hello = ws.read_json();
    REQUIRE(hello);
    REQUIRE((*hello)["type"] == "hello");
    return *hello;
}

// Reads frames until one whose payload.event.type (or type) matches.
template <class Stream>
json
read_until_event(ws_conn<Stream>& ws, const std::string& event_type)
{
    for (int i = 0; i < 20; ++i) {
        auto frame = ws.read_json();
        REQUIRE(frame);
        if (frame->contains("payload") && (*frame)["payload"].contains("event") &&
            (*frame)["payload"]["event"].value("type", "") == event_type)
            return *frame;
    }
    FAIL("no " << event_type << " event");
    return {};
}

}  // namespace

TEST_SUITE("sim") {

TEST_CASE("Web API: authentication, errors and keep-alive")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    http_conn<plain_stream> conn(env, sim.port());
    REQUIRE_FALSE(conn.error());

    SUBCASE("auth.test with the bot token looks like Slack's")
    {
        auto r = conn.call("auth.test", json::object(), k_bot_token);
        CHECK(r.status == 200);
        CHECK(r.content_type.starts_with("application/json"));
        CHECK(r.body["ok"] == true);
        CHECK(r.body["user_id"] == sim.bot_user_id());
        CHECK(r.body["bot_id"] == "B0SIMBOT1");
        CHECK(missing_keys(load_fixture("web-api-auth.test-ok-bot-token.json"), r.body) == "");
    }
    SUBCASE("missing and wrong tokens")
    {
        auto none = conn.call("auth.test", json::object(), "");
        CHECK(none.status == 200);
        CHECK(none.body == json{{"ok", false}, {"error", "not_authed"}});
        auto wrong = conn.call("auth.test", json::object(), "xoxb-wrong");
        CHECK(wrong.body == load_fixture("web-api-auth.test-error-invalid_auth.json"));
        // The app-level token is for apps.connections.open only, and vice versa.
        CHECK(conn.call("auth.test", json::object(), k_app_token).body["error"] == "invalid_auth");
        CHECK(conn.call("apps.connections.open", json::object(), k_bot_token).body["error"] == "invalid_auth");
        CHECK(conn.call("apps.connections.open", json::object(), "").body["error"] == "not_authed");
        auto calls = sim.calls("auth.test");
        REQUIRE(calls.size() == 3);
        CHECK_FALSE(calls[0].authorized);
        CHECK_FALSE(calls[1].authorized);
        CHECK(calls[0].http_status == 200);
    }
    SUBCASE("apps.connections.open returns a one-time ws:// URL on the same port")
    {
        auto r = conn.call("apps.connections.open", json::object(), k_app_token);
        CHECK(r.body["ok"] == true);
        auto url = r.body["url"].get<std::string>();
        CHECK(url.starts_with("ws://127.0.0.1:" + std::to_string(sim.port()) + "/link/?ticket="));
        CHECK(url.find("&app_id=A0SIM0001") != std::string::npos);
        CHECK(missing_keys(load_fixture("socket-mode-apps.connections.open-ok.json"), r.body) == "");
    }
    SUBCASE("unknown method, bad JSON, form-encoded bodies")
    {
        CHECK(conn.call("no.such.method", json::object(), k_bot_token).body["error"] == "unknown_method");
        CHECK(conn.post("/api/auth.test", "{not json", "application/json", k_bot_token).body["error"] ==
              "invalid_json");
        CHECK(conn.post("/api/auth.test", "[1]", "application/json", k_bot_token).body["error"] == "json_not_object");
        // Form posts may carry the token as a field.
        auto form = conn.post("/api/auth.test", "token=" + k_bot_token, "application/x-www-form-urlencoded", "");
        CHECK(form.body["ok"] == true);
        auto posted = conn.post("/api/conversations.create", "name=from-form&is_private=false",
                                "application/x-www-form-urlencoded", k_bot_token);
        CHECK(posted.body["ok"] == true);
        CHECK(sim.calls("conversations.create").at(0).args["name"] == "from-form");
    }
    SUBCASE("api_url")
    {
        CHECK(sim.api_url() == "http://127.0.0.1:" + std::to_string(sim.port()) + "/api/");
    }
}

TEST_CASE("Web API: injected faults")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    http_conn<plain_stream> conn(env, sim.port());
    sim.create_channel("general", "U0ALICE");
    json post = {{"channel", "general"}, {"text", "hi"}};

    SUBCASE("429 with Retry-After, then normal service")
    {
        sim.fail_next("chat.postMessage", 429, 7);
        auto limited = conn.call("chat.postMessage", post, k_bot_token);
        CHECK(limited.status == 429);
        CHECK(limited.retry_after == "7");
        CHECK(limited.body == load_fixture("web-api-error-ratelimited-429-body.json"));
        auto fine = conn.call("chat.postMessage", post, k_bot_token);
        CHECK(fine.status == 200);
        CHECK(fine.body["ok"] == true);
        auto calls = sim.calls("chat.postMessage");
        REQUIRE(calls.size() == 2);
        CHECK(calls[0].http_status == 429);
        CHECK(calls[1].http_status == 200);
        // Only the successful post is recorded as posted.
        CHECK(sim.posted_messages(sim.channel_by_name("general")->id).size() == 1);
    }
    SUBCASE("500 twice, and error_next")
    {
        sim.fail_next("auth.test", 500, 0, 2);
        CHECK(conn.call("auth.test", json::object(), k_bot_token).status == 500);
        CHECK(conn.call("auth.test", json::object(), k_bot_token).status == 500);
        CHECK(conn.call("auth.test", json::object(), k_bot_token).status == 200);
        sim.error_next("conversations.create", "restricted_action");
        auto r = conn.call("conversations.create", {{"name", "whatever"}}, k_bot_token);
        CHECK(r.status == 200);
        CHECK(r.body == json{{"ok", false}, {"error", "restricted_action"}});
        CHECK(conn.call("conversations.create", {{"name", "whatever"}}, k_bot_token).body["ok"] == true);
    }
}

TEST_CASE("Socket Mode: hello, one-time tickets, queued frames")
{
    simulator_options queued_opts;
    queued_opts.when_disconnected = simulator_options::no_connection::queue;  // not Slack's default
    slack_simulator sim(queued_opts);
    // Scripted before anyone connects: waits in the outbox (queue).
    auto early = sim.send_event({{"type", "app_mention"}, {"text", "early"}, {"event_ts", "1.000001"}});
    sim.start();
    client_env env;
    CHECK_FALSE(sim.wait_connected(10ms));

    auto opened = api(env, sim, "apps.connections.open", json::object(), k_app_token);
    auto url = opened.body["url"].get<std::string>();
    ws_conn<plain_stream> ws(env);
    REQUIRE(ws.connect(url) == 101);

    // hello first, shaped like Slack's.
    auto hello = ws.read_json();
    REQUIRE(hello);
    CHECK(missing_keys(load_fixture("socket-mode-hello.json"), *hello) == "");
    CHECK((*hello)["num_connections"] == 1);
    CHECK((*hello)["connection_info"]["app_id"] == "A0SIM0001");
    CHECK(sim.wait_connected(2s));
    CHECK(sim.connections_opened() == 1);
    CHECK(sim.open_connections() == 1);

    // Then the frame queued before the connection.
    auto queued = ws.read_json();
    REQUIRE(queued);
    CHECK((*queued)["envelope_id"] == early);
    CHECK((*queued)["retry_attempt"] == 0);

    // The same ticket cannot be used twice, nor can a made-up one.
    ws_conn<plain_stream> again(env);
    CHECK(again.connect(url) == 401);
    ws_conn<plain_stream> bogus(env);
    CHECK(bogus.connect("ws://127.0.0.1:" + std::to_string(sim.port()) + "/link/?ticket=nope") == 401);
    CHECK(sim.connections_opened() == 1);
}

TEST_CASE("Socket Mode: message events, slash commands and acks")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);

    SUBCASE("a user message has Slack's envelope and event_callback shape")
    {
        auto ts = sim.post_message("C0GENERAL", "U0ALICE", "disk full on db-1");
        auto frame = ws.read_json();
        REQUIRE(frame);
        CHECK(missing_keys(load_fixture("socket-mode-events_api-message.json"), *frame) == "");
        CHECK(missing_keys(load_fixture("event-callback-message.json"), (*frame)["payload"]) == "");
        CHECK((*frame)["type"] == "events_api");
        CHECK((*frame)["accepts_response_payload"] == false);
        CHECK((*frame)["retry_attempt"] == 0);
        CHECK((*frame)["retry_reason"] == "");
        auto& event = (*frame)["payload"]["event"];
        CHECK(event["ts"] == ts);
        CHECK(event["text"] == "disk full on db-1");
        CHECK(event["user"] == "U0ALICE");
        CHECK(event["channel"] == "C0GENERAL");
        CHECK((*frame)["payload"]["authorizations"][0]["user_id"] == sim.bot_user_id());

        // Ack without a payload: recorded, with a latency.
        auto id = (*frame)["envelope_id"].get<std::string>();
        ws.ack(id);
        auto a = sim.wait_ack(id, 2s);
        REQUIRE(a);
        CHECK_FALSE(a->payload);
        CHECK(a->latency > std::chrono::steady_clock::duration::zero());
        CHECK(a->latency < 2s);
    }
    SUBCASE("thread replies, edits, deletes, reactions, joins")
    {
        auto parent = sim.post_message("C0GENERAL", "U0ALICE", "root");
        sim.post_message("C0GENERAL", "U0BOB", "reply", parent);
        sim.edit_message("C0GENERAL", parent, "root (edited)");
        sim.react("C0GENERAL", "U0BOB", "eyes", parent);
        sim.join("C0GENERAL", "U0CAROL", "U0ALICE");
        sim.leave("C0GENERAL", "U0CAROL");
        sim.delete_message("C0GENERAL", parent);

        auto root = ws.read_json();
        auto reply = ws.read_json();
        REQUIRE(reply);
        CHECK((*reply)["payload"]["event"]["thread_ts"] == parent);
        CHECK((*reply)["payload"]["event"]["parent_user_id"] == "U0ALICE");
        auto edit = ws.read_json();
        REQUIRE(edit);
        CHECK(missing_keys(load_fixture("event-callback-message-message_changed.json"), (*edit)["payload"]) == "");
        CHECK((*edit)["payload"]["event"]["message"]["text"] == "root (edited)");
        auto reaction = ws.read_json();
        REQUIRE(reaction);
        CHECK(missing_keys(load_fixture("event-callback-reaction_added.json"), (*reaction)["payload"]) == "");
        CHECK((*reaction)["payload"]["event"]["item_user"] == "U0ALICE");
        auto joined = ws.read_json();
        REQUIRE(joined);
        // "enterprise" is only sent on Enterprise Grid; the simulated workspace is not one.
        auto joined_fixture = load_fixture("event-callback-member_joined_channel.json")["event"];
        joined_fixture.erase("enterprise");
        CHECK(missing_keys(joined_fixture, (*joined)["payload"]["event"]) == "");
        auto join_message = ws.read_json();
        REQUIRE(join_message);
        CHECK(missing_keys(load_fixture("event-callback-message-channel_join.json")["event"],
                           (*join_message)["payload"]["event"]) == "");
        CHECK((*join_message)["payload"]["event"]["subtype"] == "channel_join");
        auto left = ws.read_json();
        REQUIRE(left);
        CHECK(missing_keys(load_fixture("event-callback-member_left_channel.json")["event"],
                           (*left)["payload"]["event"]) == "");
        auto leave_message = ws.read_json();
        REQUIRE(leave_message);
        CHECK((*leave_message)["payload"]["event"]["subtype"] == "channel_leave");
        auto deleted = ws.read_json();
        REQUIRE(deleted);
        CHECK(missing_keys(load_fixture("event-callback-message-message_deleted.json"), (*deleted)["payload"]) == "");
        CHECK((*deleted)["payload"]["event"]["deleted_ts"] == parent);
        // Every event has its own event_id.
        CHECK((*root)["payload"]["event_id"] != (*reply)["payload"]["event_id"]);
    }
    SUBCASE("a mention of the bot also produces app_mention")
    {
        sim.post_message("C0GENERAL", "U0ALICE", "<@" + sim.bot_user_id() + "> help");
        auto message = ws.read_json();
        auto mention = ws.read_json();
        REQUIRE(mention);
        CHECK((*message)["payload"]["event"]["type"] == "message");
        CHECK((*mention)["payload"]["event"]["type"] == "app_mention");
        CHECK(missing_keys(load_fixture("event-callback-app_mention.json")["event"], (*mention)["payload"]["event"]) ==
              "");
    }
    SUBCASE("slash command envelope and an ack with a payload")
    {
        sim.set_user_name("U0ALICE", "alice");
        auto id = sim.slash_command("C0GENERAL", "U0ALICE", "declare sev2 checkout down");
        auto frame = ws.read_json();
        REQUIRE(frame);
        CHECK(missing_keys(load_fixture("socket-mode-slash_commands.json"), *frame) == "");
        CHECK(missing_keys(load_fixture("socket-mode-slash_commands-python-sdk.json"), *frame) == "");
        CHECK((*frame)["envelope_id"] == id);
        CHECK((*frame)["accepts_response_payload"] == true);
        CHECK((*frame)["payload"]["command"] == "/incident");
        CHECK((*frame)["payload"]["text"] == "declare sev2 checkout down");
        CHECK((*frame)["payload"]["user_name"] == "alice");
        CHECK_FALSE(frame->contains("retry_attempt"));

        json reply = {{"response_type", "in_channel"}, {"text", "Incident declared"}};
        ws.ack(id, reply);
        auto a = sim.wait_ack(id, 2s);
        REQUIRE(a);
        REQUIRE(a->payload);
        CHECK(*a->payload == reply);
    }
    SUBCASE("ack with an empty payload, send_raw and arbitrary envelopes")
    {
        auto id = sim.send_event({{"type", "reaction_added"}, {"user", "U0X"}, {"event_ts", "5.5"}});
        sim.send_raw("not json at all {");
        auto custom = sim.send_envelope({{"type", "interactive"}, {"payload", {{"type", "shortcut"}}},
                                         {"accepts_response_payload", false}});
        auto frame = ws.read_json();
        REQUIRE(frame);
        CHECK((*frame)["envelope_id"] == id);
        ws.ack(id, json::object());
        auto raw = ws.read_text();
        CHECK(raw == "not json at all {");
        auto interactive = ws.read_json();
        REQUIRE(interactive);
        CHECK((*interactive)["envelope_id"] == custom);
        CHECK((*interactive)["type"] == "interactive");
        auto a = sim.wait_ack(id, 2s);
        REQUIRE(a);
        REQUIRE(a->payload);
        CHECK(*a->payload == json::object());
        // Junk from the client is ignored; the connection stays up.
        ws.send("garbage");
        ws.send(R"({"no_envelope_id":1})");
        ws.ack("never-sent");
        CHECK(sim.wait_ack("never-sent", 2s));
        CHECK(sim.ack_count() == 2);
    }
}

TEST_CASE("Socket Mode: redelivery")
{
    SUBCASE("unacked events come back on the next connection, slash commands do not")
    {
        // queue: the retry waits for the next connection (Slack would give up on it while none
        // is open: see "Slack delivery" below).
        simulator_options o;
        o.when_disconnected = simulator_options::no_connection::queue;
        slack_simulator sim(o);
        sim.start();
        client_env env;
        {
            ws_conn<plain_stream> first(env);
            open_socket_mode(env, sim, first);
            sim.send_event({{"type", "message"}, {"text", "unacked"}, {"event_ts", "2.000001"}});
            sim.slash_command("C0GENERAL", "U0ALICE", "status");
            auto original = first.read_json();
            auto slash = first.read_json();
            REQUIRE(original);
            REQUIRE(slash);
            first.close();
            REQUIRE(sim.wait_for([&] { return sim.open_connections() == 0; }, 2s));

            ws_conn<plain_stream> second(env);
            open_socket_mode(env, sim, second);
            auto retry = second.read_json();
            REQUIRE(retry);
            CHECK((*retry)["payload"]["event_id"] == (*original)["payload"]["event_id"]);
            CHECK((*retry)["envelope_id"] != (*original)["envelope_id"]);
            CHECK((*retry)["retry_attempt"] == 1);
            CHECK((*retry)["retry_reason"] == "timeout");
            // The envelope around a retry is Slack's (the scripted inner event is minimal).
            auto envelope_fixture = load_fixture("socket-mode-events_api-message.json");
            envelope_fixture["payload"].erase("event");
            CHECK(missing_keys(envelope_fixture, *retry) == "");
            second.ack((*retry)["envelope_id"].get<std::string>());
            CHECK(sim.wait_ack((*retry)["envelope_id"].get<std::string>(), 2s));
            // Nothing else: the slash command is not redelivered.
            CHECK_FALSE(second.read_json(300ms));
        }
        CHECK(sim.connections_opened() == 2);
    }
    SUBCASE("an acked event is not redelivered; drop_connections cuts TCP")
    {
        slack_simulator sim;
        sim.start();
        client_env env;
        ws_conn<plain_stream> first(env);
        open_socket_mode(env, sim, first);
        auto id = sim.send_event({{"type", "message"}, {"text", "acked"}});
        auto frame = first.read_json();
        REQUIRE(frame);
        first.ack(id);
        REQUIRE(sim.wait_ack(id, 2s));
        sim.drop_connections();
        CHECK(sim.open_connections() == 0);
        // The client sees the connection end, without a close frame.
        CHECK_FALSE(first.read_json(2s));
        CHECK(first.error() != beast::error::timeout);

        ws_conn<plain_stream> second(env);
        open_socket_mode(env, sim, second);
        CHECK_FALSE(second.read_json(300ms));
    }
    SUBCASE("redeliver_after re-sends on the same connection, up to max_redeliveries")
    {
        simulator_options opts;
        opts.redeliver_after = 150ms;
        opts.max_redeliveries = 2;
        slack_simulator sim(opts);
        sim.start();
        client_env env;
        ws_conn<plain_stream> ws(env);
        open_socket_mode(env, sim, ws);
        sim.send_event({{"type", "message"}, {"text", "slow bot"}});
        auto first = ws.read_json();
        auto second = ws.read_json(2s);
        auto third = ws.read_json(2s);
        REQUIRE(first);
        REQUIRE(second);
        REQUIRE(third);
        CHECK((*second)["retry_attempt"] == 1);
        CHECK((*third)["retry_attempt"] == 2);
        CHECK((*third)["payload"]["event_id"] == (*first)["payload"]["event_id"]);
        // Given up after two retries.
        CHECK_FALSE(ws.read_json(600ms));
    }
}

TEST_CASE("Socket Mode: several connections")
{
    simulator_options opts;
    opts.choose_connection = simulator_options::connection_choice::newest;  // the SDK refresh, step by step
    opts.redeliver_after = 0ms;  // only the close retries the old socket's event (not a 3 s timeout on a busy machine)
    slack_simulator sim(opts);
    sim.start();
    client_env env;
    ws_conn<plain_stream> old_ws(env);
    open_socket_mode(env, sim, old_ws);
    auto id = sim.send_event({{"type", "message"}, {"text", "on the old socket"}});
    auto original = old_ws.read_json();
    REQUIRE(original);

    // Like the SDKs on refresh: open the new connection first...
    ws_conn<plain_stream> new_ws(env);
    auto hello = open_socket_mode(env, sim, new_ws);
    CHECK(hello["num_connections"] == 2);
    CHECK(sim.open_connections() == 2);
    // ...which now receives everything new...
    auto fresh = sim.send_event({{"type", "message"}, {"text", "on the new socket"}});
    auto frame = new_ws.read_json();
    REQUIRE(frame);
    CHECK((*frame)["envelope_id"] == fresh);
    new_ws.ack(fresh);
    // ...then close the old one: its unacked event moves over as a retry.
    old_ws.close();
    auto retry = new_ws.read_json();
    REQUIRE(retry);
    CHECK((*retry)["payload"]["event_id"] == (*original)["payload"]["event_id"]);
    CHECK((*retry)["envelope_id"] != id);
    CHECK((*retry)["retry_attempt"] == 1);
    CHECK(sim.wait_for([&] { return sim.open_connections() == 1; }, 2s));
}

TEST_CASE("Socket Mode: disconnect, pings, silence")
{
    SUBCASE("disconnect frame has Slack's shape")
    {
        slack_simulator sim;
        sim.start();
        client_env env;
        ws_conn<plain_stream> ws(env);
        open_socket_mode(env, sim, ws);
        sim.send_disconnect("refresh_requested");
        auto frame = ws.read_json();
        REQUIRE(frame);
        auto fixture = load_fixture("socket-mode-disconnect-refresh_requested.json");
        CHECK(missing_keys(fixture, *frame) == "");
        CHECK(frame->size() == fixture.size());
        CHECK((*frame)["reason"] == "refresh_requested");
    }
    SUBCASE("server pings every ping_interval and answers client pings")
    {
        simulator_options opts;
        opts.ping_interval = 50ms;
        slack_simulator sim(opts);
        sim.start();
        client_env env;
        ws_conn<plain_stream> ws(env);
        open_socket_mode(env, sim, ws);
        ws.ping("client-1");
        // Read while pings and the pong arrive; the read itself ends at the deadline.
        CHECK_FALSE(ws.read_json(400ms));
        CHECK(ws.pings_ >= 3);
        CHECK(ws.last_ping_.starts_with("sim-ping-"));
        CHECK(ws.pongs_ == 1);
    }
    SUBCASE("hello withheld: accepted, pings answered, no hello and no frames; the next connection gets them")
    {
        simulator_options o;
        o.when_disconnected = simulator_options::no_connection::queue;  // the event waits for a hello
        slack_simulator sim(o);
        sim.start();
        client_env env;
        sim.set_hello_withheld(true);
        auto id = sim.send_event({{"type", "message"}, {"text", "waiting for a hello"}});
        auto opened = api(env, sim, "apps.connections.open", json::object(), k_app_token);
        ws_conn<plain_stream> stuck(env);
        REQUIRE(stuck.connect(opened.body["url"].get<std::string>()) == 101);
        stuck.ping("anyone?");
        CHECK_FALSE(stuck.read_json(400ms));  // nothing: no hello, no envelope
        CHECK(stuck.pongs_ == 1);             // but alive
        CHECK(sim.connections_opened() == 1);
        CHECK_FALSE(sim.wait_connected(100ms));

        sim.set_hello_withheld(false);
        auto again = api(env, sim, "apps.connections.open", json::object(), k_app_token);
        ws_conn<plain_stream> next(env);
        REQUIRE(next.connect(again.body["url"].get<std::string>()) == 101);
        auto hello = next.read_json();
        REQUIRE(hello);
        CHECK((*hello)["type"] == "hello");
        auto frame = next.read_json();
        REQUIRE(frame);
        CHECK((*frame)["envelope_id"] == id);
    }
    SUBCASE("silent: no frames, no pongs; resuming closes the muted socket")
    {
        simulator_options o;
        o.when_disconnected = simulator_options::no_connection::queue;  // the event waits out the silence
        slack_simulator sim(o);
        sim.start();
        client_env env;
        ws_conn<plain_stream> ws(env);
        open_socket_mode(env, sim, ws);
        sim.set_silent(true);
        CHECK(sim.open_connections() == 0);
        auto id = sim.send_event({{"type", "message"}, {"text", "during silence"}});
        ws.ping("anyone?");
        CHECK_FALSE(ws.read_json(400ms));
        CHECK(ws.error() == beast::error::timeout);
        CHECK(ws.pongs_ == 0);

        // A new connection during silence gets no hello until silence ends.
        auto opened = api(env, sim, "apps.connections.open", json::object(), k_app_token);
        ws_conn<plain_stream> next(env);
        REQUIRE(next.connect(opened.body["url"].get<std::string>()) == 101);
        CHECK_FALSE(sim.wait_connected(200ms));
        sim.set_silent(false);
        auto hello = next.read_json();
        REQUIRE(hello);
        CHECK((*hello)["type"] == "hello");
        auto frame = next.read_json();
        REQUIRE(frame);
        CHECK((*frame)["envelope_id"] == id);
        CHECK(sim.wait_connected(1s));
    }
}

TEST_CASE("Web API: channels")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    http_conn<plain_stream> conn(env, sim.port());
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);

    SUBCASE("conversations.create: Slack's name rules and name_taken")
    {
        CHECK(conn.call("conversations.create", {{"name", "Inc Checkout"}}, k_bot_token).body["error"] ==
              "invalid_name_specials");
        CHECK(conn.call("conversations.create", {{"name", std::string(81, 'a')}}, k_bot_token).body["error"] ==
              "invalid_name_maxlength");
        CHECK(conn.call("conversations.create", {{"name", ""}}, k_bot_token).body["error"] == "invalid_name_required");
        CHECK(conn.call("conversations.create", {{"name", "-_-"}}, k_bot_token).body["error"] ==
              "invalid_name_punctuation");
        sim.create_channel("taken-already", "U0ALICE");
        CHECK(conn.call("conversations.create", {{"name", "taken-already"}}, k_bot_token).body ==
              load_fixture("web-api-conversations.create-error-name_taken.json"));

        auto created = conn.call("conversations.create", {{"name", std::string(80, 'b')}}, k_bot_token);
        CHECK(created.body["ok"] == true);
        auto r = conn.call("conversations.create", {{"name", "inc-42-checkout"}}, k_bot_token);
        REQUIRE(r.body["ok"] == true);
        CHECK(missing_keys(load_fixture("web-api-conversations.create-ok-openapi.json"), r.body) == "");
        CHECK(r.body["channel"]["is_member"] == true);
        CHECK(conn.call("conversations.create", {{"name", "inc-42-checkout"}}, k_bot_token).body["error"] ==
              "name_taken");
        auto info = sim.channel_by_name("inc-42-checkout");
        REQUIRE(info);
        CHECK(info->id == r.body["channel"]["id"]);
        CHECK(info->members == std::set<std::string>{sim.bot_user_id()});
        // The bot's own member_joined_channel (one per created channel, in order).
        auto first_join = read_until_event(ws, "member_joined_channel");
        auto joined = read_until_event(ws, "member_joined_channel");
        CHECK(joined["payload"]["event"]["user"] == sim.bot_user_id());
        CHECK(joined["payload"]["event"]["channel"] == info->id);
    }
    SUBCASE("invite, setTopic, join, info")
    {
        auto id = conn.call("conversations.create", {{"name", "inc-7"}}, k_bot_token).body["channel"]["id"];
        read_until_event(ws, "member_joined_channel");
        auto invited = conn.call("conversations.invite", {{"channel", id}, {"users", "U0ALICE,U0BOB"}}, k_bot_token);
        CHECK(invited.body["ok"] == true);
        for (auto user : {"U0ALICE", "U0BOB"}) {
            auto joined = read_until_event(ws, "member_joined_channel");
            CHECK(joined["payload"]["event"]["user"] == user);
            CHECK(joined["payload"]["event"]["inviter"] == sim.bot_user_id());
            auto message = read_until_event(ws, "message");
            CHECK(message["payload"]["event"]["subtype"] == "channel_join");
        }
        CHECK(conn.call("conversations.invite", {{"channel", id}, {"users", "U0ALICE"}}, k_bot_token).body["error"] ==
              "already_in_channel");
        CHECK(conn.call("conversations.invite", {{"channel", "C0NOPE"}, {"users", "U0ALICE"}}, k_bot_token)
                  .body["error"] == "channel_not_found");
        // Only a member may invite.
        auto foreign = sim.create_channel("not-mine", "U0ALICE");
        CHECK(conn.call("conversations.invite", {{"channel", foreign}, {"users", "U0BOB"}}, k_bot_token)
                  .body["error"] == "not_in_channel");
        CHECK(sim.channel_by_id(id.get<std::string>())->members.size() == 3);

        CHECK(conn.call("conversations.setTopic", {{"channel", id}, {"topic", std::string(251, 't')}}, k_bot_token)
                  .body["error"] == "too_long");
        auto topic = conn.call("conversations.setTopic", {{"channel", id}, {"topic", "SEV2 checkout"}}, k_bot_token);
        CHECK(topic.body["ok"] == true);
        CHECK(missing_keys(load_fixture("web-api-conversations.setTopic-ok.json")["channel"]["topic"],
                           topic.body["channel"]["topic"]) == "");
        CHECK(sim.channel_by_name("inc-7")->topic == "SEV2 checkout");

        auto again = conn.call("conversations.join", {{"channel", id}}, k_bot_token);
        CHECK(again.body["warning"] == "already_in_channel");
        auto info = conn.call("conversations.info", {{"channel", id}}, k_bot_token);
        CHECK(info.body["channel"]["name"] == "inc-7");
        CHECK(conn.call("conversations.info", {{"channel", "C0NOPE"}}, k_bot_token).body["error"] ==
              "channel_not_found");
    }
    SUBCASE("chat.postMessage echoes the bot's message as an event")
    {
        auto id = sim.create_channel("inc-9", "U0ALICE");
        auto r = conn.call("chat.postMessage", {{"channel", id}, {"text", "Incident declared"}}, k_bot_token);
        REQUIRE(r.body["ok"] == true);
        CHECK(r.body["channel"] == id);
        auto ts = r.body["ts"].get<std::string>();
        CHECK(r.body["message"]["bot_id"] == sim.bot_id());

        auto echo = read_until_event(ws, "message");
        auto& event = echo["payload"]["event"];
        CHECK(event["bot_id"] == sim.bot_id());
        CHECK(event["user"] == sim.bot_user_id());
        CHECK(event["bot_profile"]["id"] == sim.bot_id());
        CHECK(event["ts"] == ts);
        CHECK(event["channel"] == id);
        CHECK(missing_keys(load_fixture("event-callback-message.json"), echo["payload"]) == "");

        auto posts = sim.posted_messages(id);
        REQUIRE(posts.size() == 1);
        CHECK(posts[0]["text"] == "Incident declared");
        CHECK(posts[0]["ts"] == ts);

        // Thread reply with blocks, by channel name.
        json blocks = json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "*hi*"}}}}});
        auto reply = conn.call("chat.postMessage", {{"channel", "#inc-9"}, {"blocks", blocks}, {"thread_ts", ts}},
                               k_bot_token);
        CHECK(reply.body["ok"] == true);
        CHECK(sim.posted_messages(id).at(1)["thread_ts"] == ts);

        CHECK(conn.call("chat.postMessage", {{"channel", id}}, k_bot_token).body["error"] == "no_text");
        CHECK(conn.call("chat.postMessage", {{"channel", "C0NOPE"}, {"text", "x"}}, k_bot_token).body["error"] ==
              "channel_not_found");

        // chat.update on its own message only; pins.add once.
        auto updated = conn.call("chat.update", {{"channel", id}, {"ts", ts}, {"text", "Resolved"}}, k_bot_token);
        CHECK(updated.body["ok"] == true);
        CHECK(missing_keys(load_fixture("web-api-chat.update-ok.json"), updated.body) == "");
        auto user_ts = sim.post_message(id, "U0ALICE", "mine");
        CHECK(conn.call("chat.update", {{"channel", id}, {"ts", user_ts}, {"text", "x"}}, k_bot_token).body["error"] ==
              "cant_update_message");
        CHECK(conn.call("pins.add", {{"channel", id}, {"timestamp", ts}}, k_bot_token).body ==
              load_fixture("web-api-pins.add-ok.json"));
        CHECK(conn.call("pins.add", {{"channel", id}, {"timestamp", ts}}, k_bot_token).body["error"] ==
              "already_pinned");
        auto ephemeral = conn.call("chat.postEphemeral", {{"channel", id}, {"user", "U0ALICE"}, {"text", "psst"}},
                                   k_bot_token);
        CHECK(missing_keys(load_fixture("web-api-chat.postEphemeral-ok.json"), ephemeral.body) == "");
    }
    SUBCASE("users.info")
    {
        sim.set_user_name("U0ALICE", "alice");
        auto r = conn.call("users.info", {{"user", "U0ALICE"}}, k_bot_token);
        CHECK(r.body["user"]["name"] == "alice");
        CHECK(missing_keys(load_fixture("web-api-users.info-ok.json")["user"]["profile"]["display_name"],
                           r.body["user"]["profile"]["display_name"]) == "");
        CHECK(conn.call("users.info", {{"user", sim.bot_user_id()}}, k_bot_token).body["user"]["is_bot"] == true);
        CHECK(conn.call("users.info", {{"user", "nobody"}}, k_bot_token).body ==
              load_fixture("web-api-users.info-error-user_not_found.json"));
    }
}

TEST_CASE("Socket Mode: hostile client frames")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);
    // A frame over the 1 MiB bound ends the connection.
    ws.send(std::string((1 << 20) + 10, 'x'));
    CHECK_FALSE(ws.read_json(2s));
    CHECK(ws.error() != beast::error::timeout);
    CHECK(sim.wait_for([&] { return sim.open_connections() == 0; }, 2s));
}

TEST_CASE("TLS: https and wss with the test CA")
{
    simulator_options opts;
    opts.tls_cert_file = k_certs + "server.pem";
    opts.tls_key_file = k_certs + "server.key";
    slack_simulator sim(opts);
    sim.start();
    CHECK(sim.api_url().starts_with("https://127.0.0.1:"));

    SUBCASE("a client that trusts the test CA gets through")
    {
        client_env env(k_certs + "ca.pem");
        auto r = api<tls_stream>(env, sim, "auth.test", json::object(), k_bot_token);
        CHECK(r.body["ok"] == true);
        auto opened = api<tls_stream>(env, sim, "apps.connections.open", json::object(), k_app_token);
        CHECK(opened.body["url"].get<std::string>().starts_with("wss://127.0.0.1:"));
        ws_conn<tls_stream> ws(env);
        REQUIRE(ws.connect(opened.body["url"].get<std::string>()) == 101);
        auto hello = ws.read_json();
        REQUIRE(hello);
        CHECK((*hello)["type"] == "hello");
        auto id = sim.post_message("C0GENERAL", "U0ALICE", "over tls");
        auto frame = ws.read_json();
        REQUIRE(frame);
        CHECK((*frame)["payload"]["event"]["ts"] == id);
    }
    SUBCASE("a client that trusts another CA refuses the server")
    {
        client_env env(k_certs + "other-ca.pem");
        http_conn<tls_stream> conn(env, sim.port());
        CHECK(conn.error());
    }
}

TEST_CASE("Socket Mode: throughput")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);
    constexpr int n = 3000;
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
        sim.post_message("C0LOAD", "U0LOAD", "event " + std::to_string(i));
    for (int i = 0; i < n; ++i) {
        auto frame = ws.read_json();
        REQUIRE(frame);
        ws.ack((*frame)["envelope_id"].get<std::string>());
    }
    REQUIRE(sim.wait_for([&] { return sim.ack_count() == n; }, 10s));
    auto elapsed = std::chrono::steady_clock::now() - started;
    MESSAGE(n << " events sent and acked in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
    CHECK(elapsed < 20s);
    // Frames arrive in scripted order.
    auto acks = sim.acks();
    CHECK(acks.front().latency < 5s);
}

TEST_CASE("Slack delivery: an event said while no connection is open is lost once its retries are spent")
{
    simulator_options opts;
    opts.when_disconnected = simulator_options::no_connection::retry;
    opts.retry_delays = {0ms, 100ms, 200ms};  // Slack: at once, 1 min, 5 min
    slack_simulator sim(opts);
    sim.start();
    auto ch = sim.create_channel("inc-down", "U0ALICE");
    client_env env;
    {
        ws_conn<plain_stream> ws(env);
        open_socket_mode(env, sim, ws);
        ws.close();
    }
    REQUIRE(sim.wait_for([&] { return sim.open_connections() == 0; }, 2s));

    // Said while the bot is down: in the channel's history, and lost to the bot.
    auto lost_ts = sim.type_message(ch, "U0BOB", "p99 > 2s & rising");
    auto failed = sim.slash_command(ch, "U0ALICE", "status");
    CHECK(sim.wait_for([&] { return sim.lost_events().size() == 1; }, 3s));
    auto failures = sim.command_failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].envelope_id == failed);
    CHECK(failures[0].error == "dispatch_failed");
    ws_conn<plain_stream> late(env);
    open_socket_mode(env, sim, late);
    CHECK_FALSE(late.read_json(400ms));  // nothing but hello
    auto history = sim.history(ch);
    REQUIRE(history.size() == 1);
    CHECK(history[0]["ts"] == lost_ts);
    CHECK(history[0]["text"] == "p99 &gt; 2s &amp; rising");

    SUBCASE("a connection that opens within the retry window gets the retry")
    {
        simulator_options slow = opts;
        slow.retry_delays = {0ms, 2s};
        slack_simulator sim2(slow);
        sim2.start();
        auto id = sim2.send_event({{"type", "message"}, {"text", "said while down"}});
        (void)id;
        ws_conn<plain_stream> ws(env);
        open_socket_mode(env, sim2, ws);
        auto frame = ws.read_json(4s);
        REQUIRE(frame);
        CHECK((*frame)["payload"]["event"]["text"] == "said while down");
        CHECK((*frame)["retry_attempt"] == 2);
        CHECK(sim2.lost_events().empty());
    }
}

TEST_CASE("Slack delivery: random choice over real connections; a dead one's unacked events reach the other")
{
    simulator_options opts;  // random choice is the default (slack-protocol.md §6)
    opts.seed = 7;
    slack_simulator sim(opts);
    sim.start();
    client_env env_a, env_b;
    ws_conn<plain_stream> a(env_a);
    ws_conn<plain_stream> b(env_b);
    open_socket_mode(env_a, sim, a);
    open_socket_mode(env_b, sim, b);
    REQUIRE(sim.wait_for([&] { return sim.open_connections() == 2; }, 2s));
    constexpr int n = 40;
    for (int i = 0; i < n; ++i)
        sim.post_message("C0SPREAD", "U0ALICE", "e" + std::to_string(i));

    // b reads what it got and acks nothing; its read then times out and closes the socket.
    std::set<std::string> on_b;
    while (auto frame = b.read_json(300ms))
        on_b.insert((*frame)["payload"]["event_id"].get<std::string>());
    CHECK(on_b.size() > 5);  // binomial(40, 1/2)
    CHECK(on_b.size() < n - 5);

    // a gets its own events, then b's again as retries.
    std::set<std::string> on_a, retried;
    while (on_a.size() + retried.size() < n) {
        auto frame = a.read_json(3s);
        REQUIRE(frame);
        auto event_id = (*frame)["payload"]["event_id"].get<std::string>();
        a.ack((*frame)["envelope_id"].get<std::string>());
        if ((*frame)["retry_attempt"] != 0)
            CHECK((*frame)["retry_reason"] == "timeout");
        ((*frame)["retry_attempt"] == 0 ? on_a : retried).insert(event_id);
    }
    CHECK(retried == on_b);
    CHECK(on_a.size() + on_b.size() == n);
}

TEST_CASE("commands: an ack after command_ack_deadline is late and the user saw operation_timeout")
{
    simulator_options opts;
    opts.command_ack_deadline = 200ms;
    slack_simulator sim(opts);
    sim.start();
    client_env env;
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);
    auto slow = sim.slash_command("C0GENERAL", "U0ALICE", "summary");
    auto quick = sim.slash_command("C0GENERAL", "U0ALICE", "help");
    auto first = ws.read_json();
    auto second = ws.read_json();
    REQUIRE(first);
    REQUIRE(second);
    ws.ack(quick);
    REQUIRE(sim.wait_for([&] { return !sim.command_failures().empty(); }, 2s));
    ws.ack(slow, json{{"text", "too late"}});
    auto a = sim.wait_ack(slow, 2s);
    REQUIRE(a);
    CHECK(a->late);
    CHECK_FALSE(sim.wait_ack(quick, 0ms)->late);
    auto failures = sim.command_failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].envelope_id == slow);
    CHECK(failures[0].error == "operation_timeout");
    // Never sent again.
    CHECK_FALSE(ws.read_json(300ms));
}

TEST_CASE("text like Slack's: typed text arrives escaped, markup stays")
{
    slack_simulator sim;
    sim.start();
    client_env env;
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);
    sim.type_message("C0GENERAL", "U0BOB", "p99 > 2s & <x>");
    sim.type_message("C0GENERAL", "U0BOB", "<!channel>");
    sim.post_message("C0GENERAL", "U0BOB", "<@U0ALICE> " + ib::sim::slack_escape("a < b"));
    sim.type_command("C0GENERAL", "U0BOB", "note p99 > 2s & <x>");
    auto typed = read_until_event(ws, "message");
    ws.ack(typed["envelope_id"]);
    CHECK(typed["payload"]["event"]["text"] == "p99 &gt; 2s &amp; &lt;x&gt;");
    auto literal = read_until_event(ws, "message");
    ws.ack(literal["envelope_id"]);
    CHECK(literal["payload"]["event"]["text"] == "&lt;!channel&gt;");
    auto mention = read_until_event(ws, "message");
    ws.ack(mention["envelope_id"]);
    CHECK(mention["payload"]["event"]["text"] == "<@U0ALICE> a &lt; b");
    // The mention is a user element in the blocks, as in Slack's own payloads.
    CHECK(mention["payload"]["event"]["blocks"][0]["elements"][0]["elements"][0] ==
          json{{"type", "user"}, {"user_id", "U0ALICE"}});
    auto command = ws.read_json();
    REQUIRE(command);
    CHECK((*command)["payload"]["text"] == "note p99 &gt; 2s &amp; &lt;x&gt;");
    auto history = sim.history("C0GENERAL");
    REQUIRE(history.size() == 3);
    CHECK(history[1]["text"] == "&lt;!channel&gt;");
}

TEST_CASE("Web API over HTTP: history with paging, Retry-After on the wire, a private channel")
{
    simulator_options opts;
    opts.rate_limits = {{"conversations.history", 3}};
    slack_simulator sim(opts);
    sim.start();
    client_env env;
    http_conn<plain_stream> conn(env, sim.port());
    auto ch = conn.call("conversations.create", {{"name", "inc-http"}}, k_bot_token).body["channel"]["id"];
    auto root = sim.post_message(ch, "U0ALICE", "root");
    sim.post_message(ch, "U0BOB", "reply", root);
    sim.broadcast_reply(ch, "U0BOB", "broadcast", root);
    sim.join(ch, "U0CAROL");
    sim.react(ch, "U0CAROL", "eyes", root);

    auto page = conn.call("conversations.history", {{"channel", ch}, {"limit", 2}}, k_bot_token);
    REQUIRE(page.body["ok"] == true);
    CHECK(page.body["messages"].size() == 2);
    CHECK(page.body["has_more"] == true);
    auto rest = conn.post("/api/conversations.history",
                          "channel=" + ch.get<std::string>() + "&limit=2&cursor=" +
                              page.body["response_metadata"]["next_cursor"].get<std::string>(),
                          "application/x-www-form-urlencoded", k_bot_token);
    REQUIRE(rest.body["ok"] == true);
    REQUIRE(rest.body["messages"].size() == 1);
    CHECK(rest.body["messages"][0]["text"] == "root");
    CHECK(rest.body["messages"][0]["reply_count"] == 2);
    CHECK(rest.body["messages"][0]["reactions"][0]["name"] == "eyes");
    auto limited = conn.call("conversations.history", {{"channel", ch}}, k_bot_token);
    auto again = conn.call("conversations.history", {{"channel", ch}}, k_bot_token);
    CHECK(limited.status == 200);
    CHECK(again.status == 429);
    CHECK(again.retry_after == "60");
    CHECK(again.body["error"] == "ratelimited");

    // A private channel the bot is not in does not exist for it.
    auto secret = sim.create_channel("secret-room", "U0ALICE", true);
    CHECK(conn.call("conversations.info", {{"channel", secret}}, k_bot_token).body["error"] == "channel_not_found");
    CHECK(conn.call("chat.postMessage", {{"channel", secret}, {"text", "hi"}}, k_bot_token).body["error"] ==
          "channel_not_found");
}

TEST_CASE("Interactivity: a message shortcut, views.open with its trigger_id, the modal's submission")
{
    slack_simulator sim;
    sim.start();
    sim.set_user_name("U0ALICE", "alice");
    client_env env;
    http_conn<plain_stream> conn(env, sim.port());
    ws_conn<plain_stream> ws(env);
    open_socket_mode(env, sim, ws);
    auto ch = conn.call("conversations.create", {{"name", "inc-tags"}}, k_bot_token).body["channel"]["id"];
    ws.ack(read_until_event(ws, "member_joined_channel")["envelope_id"]);
    auto ts = sim.post_message(ch, "U0BOB", "<@U0ALICE> bet it's the LB again");
    ws.ack(read_until_event(ws, "message")["envelope_id"]);

    auto id = sim.message_shortcut(ch, "U0ALICE", ts, "correct_tags");
    auto frame = ws.read_json();
    REQUIRE(frame);
    CHECK((*frame)["envelope_id"] == id);
    CHECK((*frame)["type"] == "interactive");
    auto shape = load_fixture("socket-mode-interactive-shortcut.json");
    shape.erase("payload");
    CHECK(missing_keys(shape, *frame) == "");
    auto& payload = (*frame)["payload"];
    CHECK(missing_keys(load_fixture("interactive-message_action.json"), payload) == "");
    CHECK(payload["type"] == "message_action");
    CHECK(payload["callback_id"] == "correct_tags");
    CHECK(payload["message"]["text"] == "<@U0ALICE> bet it's the LB again");
    CHECK(payload["user"]["name"] == "alice");
    ws.ack(id);

    json view = {{"type", "modal"},
                 {"callback_id", "correct_tags"},
                 {"private_metadata", ch.get<std::string>() + "/" + ts},
                 {"title", {{"type", "plain_text"}, {"text", "Correct tags"}}},
                 {"submit", {{"type", "plain_text"}, {"text", "Save"}}},
                 {"blocks", json::array()}};
    auto opened = conn.call("views.open", {{"trigger_id", payload["trigger_id"]}, {"view", view}}, k_bot_token);
    REQUIRE(opened.body["ok"] == true);
    CHECK(conn.call("views.open", {{"trigger_id", payload["trigger_id"]}, {"view", view}}, k_bot_token)
              .body["error"] == "exchanged_trigger_id");
    auto views = sim.views();
    REQUIRE(views.size() == 1);
    CHECK(views[0].user == "U0ALICE");
    CHECK(views[0].view["private_metadata"] == ch.get<std::string>() + "/" + ts);

    json values = {{"tags", {{"tags", {{"type", "checkboxes"}, {"selected_options", json::array()}}}}}};
    auto submitted = sim.submit_view(views[0].id, values);
    auto submission = ws.read_json();
    REQUIRE(submission);
    CHECK((*submission)["envelope_id"] == submitted);
    CHECK((*submission)["accepts_response_payload"] == true);
    CHECK((*submission)["payload"]["type"] == "view_submission");
    CHECK((*submission)["payload"]["view"]["id"] == views[0].id);
    CHECK((*submission)["payload"]["view"]["state"]["values"] == values);
    CHECK((*submission)["payload"]["user"]["id"] == "U0ALICE");
    ws.ack(submitted, json{{"response_action", "clear"}});
    auto a = sim.wait_ack(submitted, 2s);
    REQUIRE(a);
    CHECK((*a->payload)["response_action"] == "clear");
    CHECK_THROWS_AS(sim.submit_view("V0NOPE", values), std::invalid_argument);
}

TEST_CASE("Web API over HTTP: users.info, usergroups.users.list, chat.postEphemeral as Slack answers them")
{
    slack_simulator sim;
    sim.start();
    sim.set_user_profile("U0ALICE", "alice", "Alice Liddell", "");
    auto group = sim.create_usergroup("responders", {"U0ALICE"});
    client_env env;
    http_conn<plain_stream> conn(env, sim.port());
    auto user = conn.call("users.info", {{"user", "U0ALICE"}}, k_bot_token).body["user"];
    CHECK(user["profile"]["display_name"] == "");
    CHECK(user["profile"]["real_name"] == "Alice Liddell");
    CHECK(conn.call("users.info", {{"user", "U0NOBODY"}}, k_bot_token).body["error"] == "user_not_found");
    CHECK(conn.call("usergroups.users.list", {{"usergroup", group}}, k_bot_token).body["users"] ==
          json::array({"U0ALICE"}));
    sim.set_usergroup_members(group, {"U0ALICE", "U0BOB"});
    CHECK(conn.call("usergroups.users.list", {{"usergroup", group}}, k_bot_token).body["users"].size() == 2);

    auto ch = sim.create_channel("inc-eph", "U0ALICE");
    CHECK(conn.call("chat.postEphemeral", {{"channel", ch}, {"user", "U0BOB"}, {"text", "x"}}, k_bot_token)
              .body["error"] == "user_not_in_channel");
    sim.join(ch, "U0BOB");
    CHECK(conn.call("chat.postEphemeral", {{"channel", ch}, {"user", "U0BOB"}, {"text", "catch-up"}}, k_bot_token)
              .body["ok"] == true);
    auto shown = sim.ephemeral_messages(ch, "U0BOB");
    REQUIRE(shown.size() == 1);
    CHECK(shown[0]["text"] == "catch-up");
    CHECK(sim.ephemeral_messages(ch, "U0ALICE").empty());
}

}  // TEST_SUITE("sim")
