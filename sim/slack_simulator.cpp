// The Slack simulator: one Beast/Asio server for the Web API and Socket Mode.
//
// Layout of this file:
//   1. identity, ids and small helpers (no I/O)
//   2. payload builders: events, envelopes, Web API objects (no I/O)
//   3. sim_server: shared state, Web API handlers, delivery bookkeeping
//   4. ws_session<Stream>: one WebSocket (reader, single writer, pinger)
//   5. HTTP connections, accept loop, start/stop
//   6. slack_simulator: the public facade
//
// Threading: one io_context on one background thread ("io thread"). Socket state, the
// outbox and the redelivery bookkeeping are touched only there. Everything the public
// API reads (calls, acks, channels, messages) sits behind server::m_. Scripting calls
// build their JSON on the caller's thread and post the finished frame to the io thread,
// so frames keep the order in which they were scripted.

#include "sim/slack_simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

namespace ib::sim::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Expected failures come back as values: (error_code, results...).
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

//----------------------------------------------------------------------------------------
// 1. Identity, ids, helpers

// The simulated workspace, app and bot user.
const std::string k_team_id = "T0SIM0001";
const std::string k_team_domain = "sim-workspace";
const std::string k_team_name = "Simulated Workspace";
const std::string k_app_id = "A0SIM0001";
const std::string k_bot_user_id = "U0SIMBOT1";
const std::string k_bot_id = "B0SIMBOT1";
const std::string k_bot_name = "incident-bot";
const std::string k_verification_token = "sim-verification-token";
const std::string k_ws_host = "applink-sim-1";

// Limits on what clients may send us.
constexpr std::size_t k_max_frame_bytes = 1 << 20;
constexpr std::uint64_t k_max_body_bytes = 1 << 20;
constexpr auto k_http_idle_timeout = 300s;
constexpr auto k_handshake_timeout = 10s;

// Serializes without throwing on invalid UTF-8 (hostile tests may script any bytes).
std::string
to_text(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// splitmix64: a bijection on 64-bit values, so distinct counters give distinct ids.
std::uint64_t
mix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::string
hex(std::uint64_t v, int digits)
{
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, v >>= 4)
        out[static_cast<std::size_t>(i)] = k_digits[v & 0xf];
    return out;
}

std::string
base36_upper(std::uint64_t v, std::size_t min_digits)
{
    static constexpr char k_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string out;
    do {
        out.insert(out.begin(), k_digits[v % 36]);
        v /= 36;
    } while (v != 0);
    if (out.size() < min_digits)
        out.insert(0, min_digits - out.size(), '0');
    return out;
}

std::string
lowercase(std::string s)
{
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool
iequals_prefix(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

// Number of UTF-8 code points (Slack counts characters, not bytes).
std::size_t
utf8_length(std::string_view s)
{
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded decoding ('+' is a space).
std::string
url_decode(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

// "a=1&b=two" into a JSON object of strings (later keys win).
void
parse_form_into(std::string_view form, json& out)
{
    while (!form.empty()) {
        auto amp = form.find('&');
        auto pair = form.substr(0, amp);
        form = amp == std::string_view::npos ? std::string_view{} : form.substr(amp + 1);
        if (pair.empty())
            continue;
        auto eq = pair.find('=');
        auto key = url_decode(pair.substr(0, eq));
        auto value = eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
        out[key] = value;
    }
}

// A string argument: JSON strings as is, numbers and booleans spelled out, else "".
std::string
arg_string(const json& args, const char* key)
{
    auto it = args.find(key);
    if (it == args.end() || it->is_null())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    return to_text(*it);
}

bool
arg_bool(const json& args, const char* key)
{
    auto it = args.find(key);
    if (it == args.end())
        return false;
    if (it->is_boolean())
        return it->get<bool>();
    auto s = arg_string(args, key);
    return s == "true" || s == "1";
}

// Blocks or attachments may arrive as JSON arrays or, form-encoded, as JSON text.
json
arg_json(const json& args, const char* key)
{
    auto it = args.find(key);
    if (it == args.end() || it->is_null())
        return nullptr;
    if (it->is_string()) {
        auto parsed = json::parse(it->get<std::string>(), nullptr, false);
        return parsed.is_discarded() ? json(nullptr) : parsed;
    }
    return *it;
}

// Slack's conversation name rules; "" when valid, else the error code.
std::string
channel_name_error(const std::string& name)
{
    if (name.empty())
        return "invalid_name_required";
    if (name.size() > 80)
        return "invalid_name_maxlength";
    bool only_punctuation = true;
    for (char c : name) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '_')
            return "invalid_name_specials";
        if (alnum)
            only_punctuation = false;
    }
    return only_punctuation ? "invalid_name_punctuation" : "";
}

std::int64_t
unix_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "1610241741.000200" -> 1610241741
std::int64_t
ts_seconds(const std::string& ts)
{
    try {
        return std::stoll(ts.substr(0, ts.find('.')));
    } catch (const std::exception&) {
        return unix_seconds();
    }
}

// Logs exceptions that escape a coroutine instead of taking the io thread down.
struct report_failure {
    const char* what;
    void
    operator()(std::exception_ptr e) const
    {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            std::cerr << "slack-sim: " << what << ": " << x.what() << '\n';
        } catch (...) {
            std::cerr << "slack-sim: " << what << ": unknown exception\n";
        }
    }
};

//----------------------------------------------------------------------------------------
// 2. Frames queued for a WebSocket

enum class frame_kind {
    text,   // a text frame (envelope, disconnect, raw)
    hello,  // the hello text frame: marks the connection as connected once written
    ping,   // a WebSocket ping; text is the payload
};

struct out_frame {
    frame_kind kind = frame_kind::text;
    std::string text;
    std::string envelope_id;     // set for envelopes: ack latency is measured from the write
    std::uint64_t delivery = 0;  // set for events_api envelopes tracked for redelivery
};

// What the io thread knows about one WebSocket; the I/O lives in ws_session<Stream>.
struct ws_session_base : std::enable_shared_from_this<ws_session_base> {
    std::uint64_t id_ = 0;
    std::deque<out_frame> queue_;          // not yet handed to the socket
    std::vector<std::uint64_t> inflight_;  // deliveries written on this socket
    bool writing_ = false;                 // the writer coroutine is running
    bool reading_ = false;                 // the reader coroutine is running
    bool closed_ = false;                  // failed, dropped or zombie: takes no more frames
    bool hello_sent_ = false;

    virtual ~ws_session_base() = default;
    virtual void kick_writer() = 0;   // start the writer if frames wait and writing is allowed
    virtual void start_reader() = 0;  // start the read loop (once hello may be sent)
    virtual void close_socket() = 0;  // abrupt close of the TCP connection
    virtual void cancel_io() = 0;     // abort the pending read/write (silence)
    virtual void stop_timers() = 0;
};

//----------------------------------------------------------------------------------------
// 3. The server state and the Web API

class sim_server {
public:
    explicit sim_server(simulator_options opts)
        : opts_(std::move(opts)), ioc_(std::make_unique<net::io_context>(1))
    {
        std::random_device rd;
        seed_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
        event_prefix_ = base36_upper(seed_ % (36ULL * 36 * 36 * 36), 4);
    }

    ~sim_server() { stop(); }

    sim_server(const sim_server&) = delete;
    sim_server& operator=(const sim_server&) = delete;

    //-- lifecycle (section 5) -----------------------------------------------------------
    void start();
    void stop();

    //-- ids ------------------------------------------------------------------------------
    std::uint64_t
    next_counter()
    {
        return counter_.fetch_add(1, std::memory_order_relaxed) + 1;
    }

    // A UUID-shaped id, unique within this simulator.
    std::string
    new_uuid()
    {
        auto a = mix64(next_counter() ^ seed_);
        auto b = mix64(a);
        auto ha = hex(a, 16), hb = hex(b, 16);
        return ha.substr(0, 8) + "-" + ha.substr(8, 4) + "-" + ha.substr(12, 4) + "-" + hb.substr(0, 4) + "-" +
               hb.substr(4, 12);
    }

    std::string
    new_event_id()
    {
        return "Ev" + event_prefix_ + base36_upper(next_counter(), 6);
    }

    // Message timestamps: wall-clock microseconds, strictly increasing.
    std::string
    new_ts()
    {
        auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        std::int64_t prev = last_ts_us_.load();
        std::int64_t next = 0;
        do {
            next = std::max<std::int64_t>(now, prev + 1);
        } while (!last_ts_us_.compare_exchange_weak(prev, next));
        char buf[40];
        std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(next / 1000000),
                      static_cast<long long>(next % 1000000));
        return buf;
    }

    //-- payload builders -----------------------------------------------------------------
    json
    authorizations() const
    {
        json a = json::object();
        a["enterprise_id"] = nullptr;
        a["team_id"] = k_team_id;
        a["user_id"] = k_bot_user_id;
        a["is_bot"] = true;
        a["is_enterprise_install"] = false;
        return json::array({a});
    }

    // The event_callback body around an inner event (the payload of an events_api envelope).
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
    events_api_envelope(json payload)
    {
        json env = json::object();
        env["envelope_id"] = new_uuid();
        env["payload"] = std::move(payload);
        env["type"] = "events_api";
        env["accepts_response_payload"] = false;
        env["retry_attempt"] = 0;
        env["retry_reason"] = "";
        return env;
    }

    json
    hello_frame(std::size_t num_connections) const
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
    bot_profile() const
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

    // What a real client renders for plain text: one rich_text block.
    json
    rich_text_blocks(const std::string& text)
    {
        json text_el = {{"type", "text"}, {"text", text}};
        json section = {{"type", "rich_text_section"}, {"elements", json::array({text_el})}};
        json block = {{"type", "rich_text"}, {"block_id", base36_upper(next_counter() % 46656, 3)},
                      {"elements", json::array({section})}};
        return json::array({block});
    }

    //-- shared state: channels, users, messages (all under m_) -------------------------
    struct channel_rec {
        std::string id, name, creator;
        std::int64_t created = 0;
        bool is_private = false;
        std::string topic, topic_creator;
        std::int64_t topic_last_set = 0;
        std::set<std::string> members;
        std::set<std::string> pins;
    };

    struct message_rec {
        std::string user;  // author (bot user id for the bot's posts)
        std::string text;
        bool by_bot = false;
    };

    static std::string
    message_key(const std::string& channel, const std::string& ts)
    {
        return channel + "/" + ts;
    }

    // Caller holds m_.
    std::string
    user_name_locked(const std::string& user) const
    {
        if (user == k_bot_user_id)
            return k_bot_name;
        auto it = user_names_.find(user);
        return it != user_names_.end() ? it->second : lowercase(user);
    }

    // Caller holds m_. A channel id scripted by a test becomes a known channel.
    channel_rec&
    ensure_channel_locked(const std::string& id)
    {
        auto it = channels_.find(id);
        if (it != channels_.end())
            return it->second;
        channel_rec c;
        c.id = id;
        c.name = lowercase(id);
        c.created = unix_seconds();
        channel_by_name_.emplace(c.name, id);
        return channels_.emplace(id, std::move(c)).first->second;
    }

    // Caller holds m_. Channel by id, or by name ("#name" or "name").
    channel_rec*
    find_channel_locked(const std::string& id_or_name)
    {
        auto it = channels_.find(id_or_name);
        if (it != channels_.end())
            return &it->second;
        auto name = id_or_name.starts_with('#') ? id_or_name.substr(1) : id_or_name;
        auto n = channel_by_name_.find(name);
        return n == channel_by_name_.end() ? nullptr : &channels_.at(n->second);
    }

    // Caller holds m_.
    std::string
    new_channel_id_locked()
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, "C0SIM%04zu", ++channel_seq_);
        return buf;
    }

    json
    channel_json(const channel_rec& c) const
    {
        json j = json::object();
        j["id"] = c.id;
        j["name"] = c.name;
        j["is_channel"] = !c.is_private;
        j["is_group"] = c.is_private;
        j["is_im"] = false;
        j["is_mpim"] = false;
        j["is_private"] = c.is_private;
        j["created"] = c.created;
        j["is_archived"] = false;
        j["is_general"] = false;
        j["unlinked"] = 0;
        j["name_normalized"] = c.name;
        j["is_shared"] = false;
        j["is_ext_shared"] = false;
        j["is_org_shared"] = false;
        j["pending_shared"] = json::array();
        j["is_pending_ext_shared"] = false;
        j["is_member"] = c.members.count(k_bot_user_id) > 0;
        j["creator"] = c.creator;
        j["last_read"] = "0000000000.000000";
        j["latest"] = nullptr;
        j["unread_count"] = 0;
        j["unread_count_display"] = 0;
        j["topic"] = {{"value", c.topic}, {"creator", c.topic_creator}, {"last_set", c.topic_last_set}};
        j["purpose"] = {{"value", ""}, {"creator", ""}, {"last_set", 0}};
        j["previous_names"] = json::array();
        j["priority"] = 0;
        return j;
    }

    json
    user_json_locked(const std::string& id) const
    {
        bool bot = id == k_bot_user_id;
        auto name = user_name_locked(id);
        json profile = json::object();
        profile["avatar_hash"] = "g" + hex(mix64(std::hash<std::string>{}(id)), 11);
        profile["display_name"] = name;
        profile["display_name_normalized"] = name;
        profile["real_name"] = name;
        profile["real_name_normalized"] = name;
        profile["status_emoji"] = "";
        profile["status_text"] = "";
        profile["team"] = k_team_id;
        profile["image_48"] = "https://secure.gravatar.com/avatar/sim.jpg";
        if (bot) {
            profile["bot_id"] = k_bot_id;
            profile["api_app_id"] = k_app_id;
        } else {
            profile["email"] = name + "@sim.example.com";
        }
        json u = json::object();
        u["id"] = id;
        u["team_id"] = k_team_id;
        u["name"] = name;
        u["deleted"] = false;
        u["color"] = "9f69e7";
        u["real_name"] = name;
        u["tz"] = "Etc/UTC";
        u["tz_label"] = "Coordinated Universal Time";
        u["tz_offset"] = 0;
        u["profile"] = std::move(profile);
        u["is_admin"] = false;
        u["is_owner"] = false;
        u["is_primary_owner"] = false;
        u["is_restricted"] = false;
        u["is_ultra_restricted"] = false;
        u["is_bot"] = bot;
        u["is_app_user"] = false;
        u["has_2fa"] = false;
        u["updated"] = 1700000000;
        return u;
    }

    //-- inner events ---------------------------------------------------------------------
    // channel_type is "C" for public channels, "G" for private ones.
    json
    member_joined_event(const std::string& channel, const std::string& user, const std::string& inviter,
                        const std::string& ts, bool is_private = false)
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

    // Caller holds m_ (for the user name).
    json
    channel_join_message_locked(const std::string& channel, const std::string& user, const std::string& inviter,
                                const std::string& ts)
    {
        json e = json::object();
        e["type"] = "message";
        e["subtype"] = "channel_join";
        e["ts"] = ts;
        e["user"] = user;
        e["text"] = "<@" + user + "|" + user_name_locked(user) + "> has joined the channel";
        if (!inviter.empty())
            e["inviter"] = inviter;
        e["channel"] = channel;
        e["event_ts"] = ts;
        e["channel_type"] = "channel";
        e["team"] = k_team_id;
        return e;
    }

    //-- Web API --------------------------------------------------------------------------
    struct api_result {
        int status = 200;
        json body;
        int retry_after = -1;       // >=0: send Retry-After
        std::vector<json> events;   // inner events to emit once the state lock is released
    };

    static api_result
    error(const std::string& code)
    {
        api_result r;
        r.body = {{"ok", false}, {"error", code}};
        return r;
    }

    static api_result
    ok(json body = json::object())
    {
        api_result r;
        body["ok"] = true;
        r.body = std::move(body);
        return r;
    }

    using handler = api_result (sim_server::*)(const json& args);

    static const std::unordered_map<std::string, handler>&
    handlers()
    {
        static const std::unordered_map<std::string, handler> table = {
            {"auth.test", &sim_server::api_auth_test},
            {"apps.connections.open", &sim_server::api_connections_open},
            {"conversations.create", &sim_server::api_conversations_create},
            {"conversations.invite", &sim_server::api_conversations_invite},
            {"conversations.join", &sim_server::api_conversations_join},
            {"conversations.info", &sim_server::api_conversations_info},
            {"conversations.setTopic", &sim_server::api_conversations_set_topic},
            {"chat.postMessage", &sim_server::api_chat_post_message},
            {"chat.postEphemeral", &sim_server::api_chat_post_ephemeral},
            {"chat.update", &sim_server::api_chat_update},
            {"pins.add", &sim_server::api_pins_add},
            {"users.info", &sim_server::api_users_info},
        };
        return table;
    }

    // Runs one Web API call on the io thread: faults, validation, auth, then the handler.
    // Records the call and emits the events it produced.
    api_result
    call_api(const std::string& method, json args, bool args_ok, const std::string& args_error,
             const std::string& token)
    {
        api_result result;
        bool authorized = false;
        {
            std::lock_guard lock(m_);
            auto is_app_method = method == "apps.connections.open";
            authorized = !token.empty() && token == (is_app_method ? opts_.app_token : opts_.bot_token);

            // Injected faults win over everything else: "the next call fails".
            auto f = faults_.find(method);
            if (f != faults_.end() && !f->second.empty()) {
                auto injected = f->second.front();
                if (--f->second.front().times <= 0)
                    f->second.pop_front();
                if (injected.status != 200) {
                    result.status = injected.status;
                    result.body = {{"ok", false},
                                   {"error", injected.status == 429 ? "ratelimited" : "internal_error"}};
                    if (injected.status == 429 || injected.retry_after > 0)
                        result.retry_after = std::max(0, injected.retry_after);
                } else {
                    result = error(injected.error);
                }
            } else if (!handlers().count(method)) {
                result = error("unknown_method");
            } else if (!args_ok) {
                result = error(args_error);
            } else if (token.empty()) {
                result = error("not_authed");
            } else if (!authorized) {
                result = error("invalid_auth");
            } else {
                result = (this->*handlers().at(method))(args);
            }
            calls_.push_back(slack_simulator::api_call{method, std::move(args), authorized, steady::now(),
                                                       result.status});
        }
        // Events go out after the lock: emitting takes it again for nothing, but keeps order.
        for (auto& e : result.events)
            emit_event(std::move(e));
        result.events.clear();
        return result;
    }

    api_result
    api_auth_test(const json&)
    {
        json b = json::object();
        b["url"] = "https://" + k_team_domain + ".slack.com/";
        b["team"] = k_team_name;
        b["user"] = k_bot_name;
        b["team_id"] = k_team_id;
        b["user_id"] = k_bot_user_id;
        b["bot_id"] = k_bot_id;
        return ok(std::move(b));
    }

    api_result
    api_connections_open(const json&)
    {
        // A one-time ticket, like Slack's; the WebSocket upgrade consumes it.
        auto ticket = hex(mix64(next_counter() ^ seed_), 16) + hex(mix64(seed_ + next_counter()), 8);
        tickets_[ticket] = false;
        auto scheme = opts_.tls_cert_file ? "wss" : "ws";
        return ok({{"url", std::string(scheme) + "://127.0.0.1:" + std::to_string(port_) + "/link/?ticket=" + ticket +
                               "&app_id=" + k_app_id}});
    }

    api_result
    api_conversations_create(const json& args)
    {
        auto name = arg_string(args, "name");
        if (auto err = channel_name_error(name); !err.empty())
            return error(err);
        if (channel_by_name_.count(name))
            return error("name_taken");
        channel_rec c;
        c.id = new_channel_id_locked();
        c.name = name;
        c.creator = k_bot_user_id;
        c.created = unix_seconds();
        c.is_private = arg_bool(args, "is_private");
        c.members.insert(k_bot_user_id);
        channel_by_name_[name] = c.id;
        auto& stored = channels_.emplace(c.id, std::move(c)).first->second;
        auto result = ok({{"channel", channel_json(stored)}});
        // Slack: member_joined_channel "is also triggered when creating a new channel".
        result.events.push_back(member_joined_event(stored.id, k_bot_user_id, "", new_ts(), stored.is_private));
        return result;
    }

    api_result
    api_conversations_invite(const json& args)
    {
        auto* c = find_channel_locked(arg_string(args, "channel"));
        if (!c)
            return error("channel_not_found");
        auto users_arg = arg_string(args, "users");
        if (users_arg.empty())
            return error("no_user");
        // Only a member may invite.
        if (!c->members.count(k_bot_user_id))
            return error("not_in_channel");
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
            auto r = error(first_error);
            if (errors.size() > 1)
                r.body["errors"] = errors;
            return r;
        }
        if (users.empty())
            return error("no_user");
        auto result = ok();
        for (auto& u : users) {
            c->members.insert(u);
            result.events.push_back(member_joined_event(c->id, u, k_bot_user_id, new_ts(), c->is_private));
            result.events.push_back(channel_join_message_locked(c->id, u, k_bot_user_id, new_ts()));
        }
        result.body["channel"] = channel_json(*c);
        return result;
    }

    api_result
    api_conversations_join(const json& args)
    {
        auto* c = find_channel_locked(arg_string(args, "channel"));
        if (!c)
            return error("channel_not_found");
        if (c->is_private)
            return error("method_not_supported_for_channel_type");
        if (c->members.count(k_bot_user_id)) {
            auto r = ok({{"channel", channel_json(*c)}, {"warning", "already_in_channel"}});
            r.body["response_metadata"] = {{"warnings", json::array({"already_in_channel"})}};
            return r;
        }
        c->members.insert(k_bot_user_id);
        auto result = ok({{"channel", channel_json(*c)}});
        result.events.push_back(member_joined_event(c->id, k_bot_user_id, "", new_ts()));
        result.events.push_back(channel_join_message_locked(c->id, k_bot_user_id, "", new_ts()));
        return result;
    }

    api_result
    api_conversations_info(const json& args)
    {
        auto* c = find_channel_locked(arg_string(args, "channel"));
        if (!c)
            return error("channel_not_found");
        return ok({{"channel", channel_json(*c)}});
    }

    api_result
    api_conversations_set_topic(const json& args)
    {
        auto* c = find_channel_locked(arg_string(args, "channel"));
        if (!c)
            return error("channel_not_found");
        if (!args.contains("topic")) {
            auto r = error("invalid_arguments");
            r.body["response_metadata"] = {{"messages", json::array({"[ERROR] missing required field: topic"})}};
            return r;
        }
        auto topic = arg_string(args, "topic");
        if (utf8_length(topic) > 250)
            return error("too_long");
        if (!c->members.count(k_bot_user_id))
            return error("not_in_channel");
        c->topic = topic;
        c->topic_creator = k_bot_user_id;
        c->topic_last_set = unix_seconds();
        auto ch = channel_json(*c);
        auto ts = new_ts();
        ch["latest"] = {{"type", "message"},
                        {"subtype", "channel_topic"},
                        {"ts", ts},
                        {"user", k_bot_user_id},
                        {"text", "set the channel topic: " + topic},
                        {"topic", topic}};
        return ok({{"channel", ch}});
    }

    api_result
    api_chat_post_message(const json& args)
    {
        auto target = arg_string(args, "channel");
        if (target.empty())
            return error("channel_not_found");
        auto text = arg_string(args, "text");
        auto blocks = arg_json(args, "blocks");
        auto attachments = arg_json(args, "attachments");
        bool has_blocks = blocks.is_array() && !blocks.empty();
        bool has_attachments = attachments.is_array() && !attachments.empty();
        if (text.empty() && !has_blocks && !has_attachments)
            return error("no_text");
        // A user id posts to the DM with that user (Slack opens it on the fly).
        std::string channel_id;
        std::string channel_type = "channel";
        if (target[0] == 'U' || target[0] == 'W') {
            channel_id = "D" + target.substr(1);
            channel_type = "im";
        } else if (target[0] == 'D') {
            channel_id = target;
            channel_type = "im";
        } else {
            auto* c = find_channel_locked(target);
            if (!c)
                return error("channel_not_found");
            channel_id = c->id;
            if (c->is_private)
                channel_type = "group";
        }
        auto ts = new_ts();
        auto thread_ts = arg_string(args, "thread_ts");

        // The message as Slack stores it (returned, and echoed as an event).
        json msg = json::object();
        msg["bot_id"] = k_bot_id;
        msg["type"] = "message";
        msg["text"] = text;
        msg["user"] = k_bot_user_id;
        msg["ts"] = ts;
        msg["app_id"] = k_app_id;
        msg["blocks"] = has_blocks ? blocks : rich_text_blocks(text);
        if (has_attachments)
            msg["attachments"] = attachments;
        msg["team"] = k_team_id;
        msg["bot_profile"] = bot_profile();
        if (!thread_ts.empty()) {
            msg["thread_ts"] = thread_ts;
            auto parent = messages_.find(message_key(channel_id, thread_ts));
            if (parent != messages_.end())
                msg["parent_user_id"] = parent->second.user;
        }
        messages_[message_key(channel_id, ts)] = message_rec{k_bot_user_id, text, true};

        json stored = args;
        stored["channel"] = channel_id;
        stored["ts"] = ts;
        bot_posts_[channel_id].push_back(std::move(stored));

        // Like Slack, the bot's own post comes back as a message event.
        json event = msg;
        event["channel"] = channel_id;
        event["event_ts"] = ts;
        event["channel_type"] = channel_type;
        auto result = ok({{"channel", channel_id}, {"ts", ts}, {"message", std::move(msg)}});
        result.events.push_back(std::move(event));
        return result;
    }

    api_result
    api_chat_post_ephemeral(const json& args)
    {
        auto target = arg_string(args, "channel");
        if (target.empty() || (target[0] != 'D' && !find_channel_locked(target)))
            return error("channel_not_found");
        if (arg_string(args, "user").empty())
            return error("user_not_found");
        if (arg_string(args, "text").empty() && !arg_json(args, "blocks").is_array() &&
            !arg_json(args, "attachments").is_array())
            return error("no_text");
        return ok({{"message_ts", new_ts()}});
    }

    api_result
    api_chat_update(const json& args)
    {
        auto* c = find_channel_locked(arg_string(args, "channel"));
        if (!c)
            return error("channel_not_found");
        auto ts = arg_string(args, "ts");
        auto it = messages_.find(message_key(c->id, ts));
        if (it == messages_.end())
            return error("message_not_found");
        if (!it->second.by_bot)
            return error("cant_update_message");
        auto text = arg_string(args, "text");
        auto blocks = arg_json(args, "blocks");
        if (text.empty() && !blocks.is_array() && !arg_json(args, "attachments").is_array())
            return error("no_text");
        it->second.text = text;
        json msg = {{"text", text}, {"user", k_bot_user_id}, {"bot_id", k_bot_id}, {"type", "message"}};
        if (blocks.is_array())
            msg["blocks"] = blocks;
        return ok({{"channel", c->id}, {"ts", ts}, {"text", text}, {"message", std::move(msg)}});
    }

    api_result
    api_pins_add(const json& args)
    {
        auto* c = find_channel_locked(arg_string(args, "channel"));
        if (!c)
            return error("channel_not_found");
        auto ts = arg_string(args, "timestamp");
        if (ts.empty())
            return error("no_item_specified");
        if (!messages_.count(message_key(c->id, ts)))
            return error("message_not_found");
        if (!c->pins.insert(ts).second)
            return error("already_pinned");
        return ok();
    }

    api_result
    api_users_info(const json& args)
    {
        auto user = arg_string(args, "user");
        if (user.empty() || (user[0] != 'U' && user[0] != 'W'))
            return error("user_not_found");
        return ok({{"user", user_json_locked(user)}});
    }

    //-- delivering frames (io thread unless stated) -------------------------------------

    // Any thread: wraps an inner event and queues it.
    std::string
    emit_event(json inner)
    {
        auto env = events_api_envelope(event_callback(std::move(inner), new_event_id()));
        return submit_envelope(std::move(env));
    }

    // Any thread: queues an envelope; events_api ones are tracked for redelivery.
    std::string
    submit_envelope(json env)
    {
        if (!env.is_object())
            throw std::invalid_argument("slack_simulator: an envelope must be a JSON object");
        if (!env.contains("envelope_id") || !env["envelope_id"].is_string())
            env["envelope_id"] = new_uuid();
        auto id = env["envelope_id"].get<std::string>();
        bool tracked = env.value("type", json()) == "events_api";
        std::size_t attempt = 0;
        if (tracked && env.contains("retry_attempt") && env["retry_attempt"].is_number_integer())
            attempt = static_cast<std::size_t>(std::max<long long>(0, env["retry_attempt"].get<long long>()));
        out_frame f{frame_kind::text, to_text(env), id, 0};
        note_envelope(id, f.text);
        post([this, f = std::move(f), tracked, attempt]() mutable { accept_frame(std::move(f), tracked, attempt); });
        return id;
    }

    // Any thread: queues a frame that is not an envelope.
    void
    submit_text(std::string text)
    {
        out_frame f{frame_kind::text, std::move(text), {}, 0};
        post([this, f = std::move(f)]() mutable { accept_frame(std::move(f), false, 0); });
    }

    void
    accept_frame(out_frame f, bool tracked, std::size_t attempt)
    {
        if (tracked) {
            auto d = ++delivery_seq_;
            deliveries_.emplace(d, delivery{f.text, f.envelope_id, {f.envelope_id}, attempt, 0, false});
            delivery_by_envelope_[f.envelope_id] = d;
            f.delivery = d;
        }
        dispatch(std::move(f));
    }

    // To the newest open connection, or into the outbox until one opens.
    void
    dispatch(out_frame f)
    {
        if (live_.empty()) {
            outbox_.push_back(std::move(f));
            return;
        }
        auto& s = live_.back();
        s->queue_.push_back(std::move(f));
        s->kick_writer();
    }

    // A new envelope for an unacked event: same payload (same event_id), new envelope_id,
    // retry_attempt + 1, retry_reason "timeout". Drops the event past max_redeliveries.
    void
    redeliver(std::uint64_t d)
    {
        auto it = deliveries_.find(d);
        if (it == deliveries_.end())
            return;
        auto& rec = it->second;
        if (rec.attempt >= opts_.max_redeliveries) {
            forget_delivery(it);
            return;
        }
        auto env = json::parse(rec.text, nullptr, false);
        if (!env.is_object()) {
            forget_delivery(it);
            return;
        }
        auto id = new_uuid();
        rec.attempt += 1;
        env["envelope_id"] = id;
        env["retry_attempt"] = rec.attempt;
        env["retry_reason"] = "timeout";
        rec.text = to_text(env);
        rec.envelope_id = id;
        rec.envelope_ids.push_back(id);
        rec.written = false;
        rec.session = 0;
        delivery_by_envelope_[id] = d;
        note_envelope(id, rec.text);
        dispatch(out_frame{frame_kind::text, rec.text, id, d});
    }

    struct delivery {
        std::string text;                       // the envelope as last sent
        std::string envelope_id;                // its current envelope_id
        std::vector<std::string> envelope_ids;  // every envelope_id it was sent under
        std::size_t attempt = 0;                // retry_attempt of the current envelope
        std::uint64_t session = 0;              // where it was written
        bool written = false;                   // on the wire and unacked
    };

    void
    forget_delivery(std::unordered_map<std::uint64_t, delivery>::iterator it)
    {
        for (auto& e : it->second.envelope_ids)
            delivery_by_envelope_.erase(e);
        deliveries_.erase(it);
    }

    // The writer is about to put f on the wire of session s.
    void
    frame_starting(ws_session_base& s, const out_frame& f)
    {
        if (f.envelope_id.empty())
            return;
        auto now = steady::now();
        sent_at_[f.envelope_id] = now;
        if (f.delivery == 0)
            return;
        auto it = deliveries_.find(f.delivery);
        if (it == deliveries_.end() || it->second.envelope_id != f.envelope_id)
            return;
        it->second.written = true;
        it->second.session = s.id_;
        s.inflight_.push_back(f.delivery);
        if (opts_.redeliver_after.count() > 0)
            sent_order_.push_back(sent_entry{now, f.delivery, f.envelope_id});
    }

    void
    hello_written(ws_session_base& s)
    {
        s.hello_sent_ = true;
        std::lock_guard lock(m_);
        ++ws_connected_;
        cv_.notify_all();
    }

    // A text frame from a client: acks are {"envelope_id":…} with an optional "payload".
    void
    client_frame(const std::string& text)
    {
        auto j = json::parse(text, nullptr, false);
        if (!j.is_object())
            return;
        auto id_it = j.find("envelope_id");
        if (id_it == j.end() || !id_it->is_string())
            return;
        auto id = id_it->get<std::string>();
        auto now = steady::now();
        slack_simulator::ack a{id, std::nullopt, steady::duration::zero(), now};
        if (auto p = j.find("payload"); p != j.end())
            a.payload = *p;
        if (auto s = sent_at_.find(id); s != sent_at_.end()) {
            a.latency = now - s->second;
            sent_at_.erase(s);
        }
        // The event is settled, whichever of its envelopes was acked.
        if (auto d = delivery_by_envelope_.find(id); d != delivery_by_envelope_.end()) {
            auto rec = deliveries_.find(d->second);
            if (rec != deliveries_.end())
                forget_delivery(rec);
            else
                delivery_by_envelope_.erase(d);
        }
        std::lock_guard lock(m_);
        ack_index_.emplace(id, acks_.size());
        acks_.push_back(std::move(a));
        cv_.notify_all();
    }

    // A WebSocket finished: it failed, was dropped, or (zombie) went silent mid-read.
    // Unwritten frames move to the newest connection (or the outbox); unacked events_api
    // envelopes are redelivered there now, or parked until the next connection says hello.
    void
    session_ended(const std::shared_ptr<ws_session_base>& s, bool close_socket)
    {
        if (s->closed_)
            return;
        s->closed_ = true;
        s->stop_timers();
        if (close_socket)
            s->close_socket();
        else
            zombies_.push_back(s);
        live_.erase(std::remove(live_.begin(), live_.end(), s), live_.end());
        if (s->hello_sent_) {
            std::lock_guard lock(m_);
            --ws_connected_;
            cv_.notify_all();
        }

        std::vector<std::uint64_t> lost;
        for (auto d : s->inflight_) {
            auto it = deliveries_.find(d);
            if (it != deliveries_.end() && it->second.written && it->second.session == s->id_) {
                it->second.written = false;
                lost.push_back(d);
            }
        }
        s->inflight_.clear();

        std::deque<out_frame> unsent;
        for (auto& f : s->queue_)
            if (f.kind == frame_kind::text)
                unsent.push_back(std::move(f));
        s->queue_.clear();

        if (live_.empty()) {
            parked_.insert(parked_.end(), lost.begin(), lost.end());
            outbox_.insert(outbox_.begin(), std::make_move_iterator(unsent.begin()),
                           std::make_move_iterator(unsent.end()));
        } else {
            for (auto d : lost)
                redeliver(d);
            for (auto& f : unsent)
                dispatch(std::move(f));
        }
    }

    // A WebSocket handshake completed: hello first, then the backlog.
    void
    session_opened(const std::shared_ptr<ws_session_base>& s)
    {
        s->id_ = ++session_seq_;
        live_.push_back(s);
        {
            std::lock_guard lock(m_);
            ++ws_opened_;
        }
        s->queue_.push_back(out_frame{frame_kind::hello, to_text(hello_frame(live_.size())), {}, 0});
        // Events lost with an earlier connection go first (they are older), then the outbox.
        auto parked = std::move(parked_);
        parked_.clear();
        for (auto d : parked)
            redeliver(d);
        while (!outbox_.empty()) {
            s->queue_.push_back(std::move(outbox_.front()));
            outbox_.pop_front();
        }
        // While silent the connection stays mute (no hello, no reads) until set_silent(false).
        if (!silent_)
            s->start_reader();
        s->kick_writer();
    }

    void
    set_silent_now(bool on)
    {
        if (on == silent_)
            return;
        silent_ = on;
        if (on) {
            // Connections being read become zombies now; cancelling the read stops Beast
            // from answering pings. The sockets stay open.
            auto sessions = live_;
            for (auto& s : sessions) {
                if (!s->reading_)
                    continue;
                session_ended(s, false);
                s->cancel_io();
            }
            return;
        }
        // Connections cut off mid-read cannot resume: close them now, abruptly.
        for (auto& z : zombies_)
            z->close_socket();
        zombies_.clear();
        auto sessions = live_;
        for (auto& s : sessions) {
            if (!s->reading_ && !s->closed_)
                s->start_reader();
            s->kick_writer();
        }
    }

    void
    drop_now()
    {
        auto sessions = live_;
        for (auto& s : sessions)
            session_ended(s, true);
        for (auto& z : zombies_)
            z->close_socket();
        zombies_.clear();
    }

    // Consumes a one-time ticket from "/link/?ticket=…&app_id=…".
    bool
    take_ticket(std::string_view target)
    {
        if (!target.starts_with("/link"))
            return false;
        auto q = target.find('?');
        if (q == std::string_view::npos)
            return false;
        json query = json::object();
        parse_form_into(target.substr(q + 1), query);
        auto ticket = arg_string(query, "ticket");
        std::lock_guard lock(m_);
        auto it = tickets_.find(ticket);
        if (it == tickets_.end() || it->second)
            return false;
        it->second = true;
        return true;
    }

    // Any thread: run fn on the io thread (in order with earlier posts).
    template <class F>
    void
    post(F&& fn)
    {
        std::lock_guard lock(life_m_);
        if (ioc_)
            net::post(*ioc_, std::forward<F>(fn));
    }

    // Any thread but the io thread: run fn there and wait for it.
    template <class F>
    void
    run_sync(F fn)
    {
        std::promise<void> done;
        auto fut = done.get_future();
        {
            std::lock_guard lock(life_m_);
            if (!ioc_ || !running_)
                return;
            net::post(*ioc_, [&fn, &done] {
                fn();
                done.set_value();
            });
        }
        fut.wait();
    }

    // The redelivery sweep (redeliver_after > 0): sent_order_ is in send order, so the
    // stale ones are always at the front.
    void
    sweep_redeliveries()
    {
        auto now = steady::now();
        while (!sent_order_.empty()) {
            auto& front = sent_order_.front();
            auto it = deliveries_.find(front.delivery);
            bool stale = it == deliveries_.end() || !it->second.written || it->second.envelope_id != front.envelope_id;
            if (!stale && now - front.at < opts_.redeliver_after)
                break;
            auto d = front.delivery;
            sent_order_.pop_front();
            if (!stale)
                redeliver(d);
        }
    }

    //-- observers: envelopes sent, client closes (e2e durability and fault tests) --------
    // Any thread.
    void
    note_envelope(const std::string& envelope_id, const std::string& text)
    {
        std::lock_guard lock(m_);
        envelopes_sent_[envelope_id] = text;
    }

    // io thread: a client sent a close frame (Beast has answered it).
    void
    note_client_close(const websocket::close_reason& r)
    {
        std::lock_guard lock(m_);
        client_closes_.push_back(slack_simulator::client_close{static_cast<int>(r.code),
                                                               std::string(r.reason.c_str()), steady::now()});
        cv_.notify_all();
    }
    //-- end observers ----------------------------------------------------------------------

    //-- HTTP (section 5) -----------------------------------------------------------------
    http::response<http::string_body> handle_http(const http::request<http::string_body>& req);

    // members -----------------------------------------------------------------------------
    simulator_options opts_;
    std::uint64_t seed_ = 0;
    std::string event_prefix_;
    std::atomic<std::uint64_t> counter_{0};
    std::atomic<std::int64_t> last_ts_us_{0};

    // Lifecycle: ioc_ exists from construction (posts before start() wait in it) until stop().
    std::mutex life_m_;
    std::unique_ptr<net::io_context> ioc_;
    std::optional<ssl::context> tls_;
    std::unique_ptr<tcp::acceptor> acceptor_;
    std::unique_ptr<net::steady_timer> sweep_timer_;
    std::thread thread_;
    bool running_ = false;
    bool stopped_ = false;
    unsigned short port_ = 0;

    // io thread only
    std::vector<std::shared_ptr<ws_session_base>> live_;     // open connections, oldest first
    std::vector<std::shared_ptr<ws_session_base>> zombies_;  // silenced mid-read, socket still open
    std::deque<out_frame> outbox_;                           // frames waiting for a connection
    std::vector<std::uint64_t> parked_;                      // deliveries to redeliver on the next hello
    std::unordered_map<std::uint64_t, delivery> deliveries_;   // unacked events_api envelopes
    std::unordered_map<std::string, std::uint64_t> delivery_by_envelope_;
    std::unordered_map<std::string, steady::time_point> sent_at_;
    struct sent_entry {
        steady::time_point at;
        std::uint64_t delivery;
        std::string envelope_id;
    };
    std::deque<sent_entry> sent_order_;
    bool silent_ = false;
    std::uint64_t session_seq_ = 0;
    std::uint64_t delivery_seq_ = 0;
    std::uint64_t ping_seq_ = 0;

    // shared, under m_
    mutable std::mutex m_;
    mutable std::condition_variable cv_;
    std::vector<slack_simulator::api_call> calls_;
    std::vector<slack_simulator::ack> acks_;
    std::unordered_map<std::string, std::size_t> ack_index_;
    std::map<std::string, channel_rec> channels_;
    std::unordered_map<std::string, std::string> channel_by_name_;
    std::size_t channel_seq_ = 0;
    std::unordered_map<std::string, message_rec> messages_;
    std::unordered_map<std::string, std::vector<json>> bot_posts_;
    std::unordered_map<std::string, std::string> user_names_;
    struct fault {
        int status = 200;
        int retry_after = 0;
        std::string error;
        int times = 1;
    };
    std::unordered_map<std::string, std::deque<fault>> faults_;
    std::unordered_map<std::string, bool> tickets_;  // ticket -> used
    std::size_t ws_opened_ = 0;
    std::size_t ws_connected_ = 0;
    // observers (under m_)
    std::unordered_map<std::string, std::string> envelopes_sent_;  // envelope_id -> frame text
    std::vector<slack_simulator::client_close> client_closes_;
};

//----------------------------------------------------------------------------------------
// 4. One WebSocket connection

template <class Stream>
class ws_session final : public ws_session_base {
public:
    ws_session(sim_server& srv, Stream&& stream)
        : srv_(srv), ws_(std::move(stream)), ping_timer_(ws_.get_executor())
    {
    }

    // Completes the upgrade, then hands the session to the server.
    static net::awaitable<void>
    accept(std::shared_ptr<ws_session> self, http::request<http::string_body> req)
    {
        auto& ws = self->ws_;
        // Our own pings (ping_interval) replace Beast's keep-alive; 10 s for handshake and close.
        websocket::stream_base::timeout t{};
        t.handshake_timeout = k_handshake_timeout;
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws.set_option(t);
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "slack-sim"); }));
        ws.read_message_max(k_max_frame_bytes);
        ws.auto_fragment(false);
        ws.text(true);

        // Answer the upgrade request we already read (101 Switching Protocols).
        auto [ec] = co_await ws.async_accept(req, use_tuple);
        if (ec)
            co_return;
        self->srv_.session_opened(self);
        self->start_pinger();
    }

    void
    kick_writer() override
    {
        if (writing_ || closed_ || srv_.silent_ || queue_.empty())
            return;
        writing_ = true;
        auto task = write_loop(shared_self());
        net::co_spawn(ws_.get_executor(), std::move(task), report_failure{"ws writer"});
    }

    void
    start_reader() override
    {
        if (reading_ || closed_)
            return;
        reading_ = true;
        auto task = read_loop(shared_self());
        net::co_spawn(ws_.get_executor(), std::move(task), report_failure{"ws reader"});
    }

    void
    close_socket() override
    {
        // No close frame, no TLS close_notify: the peer sees the TCP connection end.
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    void
    cancel_io() override
    {
        beast::get_lowest_layer(ws_).cancel();
    }

    void
    stop_timers() override
    {
        ping_timer_.cancel();
    }

private:
    std::shared_ptr<ws_session>
    shared_self()
    {
        return std::static_pointer_cast<ws_session>(shared_from_this());
    }

    void
    start_pinger()
    {
        if (srv_.opts_.ping_interval.count() <= 0)
            return;
        auto task = ping_loop(shared_self());
        net::co_spawn(ws_.get_executor(), std::move(task), report_failure{"ws pinger"});
    }

    // The single writer: one outstanding write at a time, frames in queue order.
    static net::awaitable<void>
    write_loop(std::shared_ptr<ws_session> self)
    {
        auto& srv = self->srv_;
        while (!self->closed_ && !srv.silent_ && !self->queue_.empty()) {
            out_frame f = std::move(self->queue_.front());
            self->queue_.pop_front();
            srv.frame_starting(*self, f);
            // Connected from the moment hello is handed to the socket: a client that has
            // read it must already see open_connections() count it.
            if (f.kind == frame_kind::hello)
                srv.hello_written(*self);
            beast::error_code ec;
            if (f.kind == frame_kind::ping) {
                // A ping; the client's pong is consumed by the read loop.
                websocket::ping_data payload(f.text.c_str());
                auto [pec] = co_await self->ws_.async_ping(payload, use_tuple);
                ec = pec;
            } else {
                // One text frame per envelope.
                auto buffer = net::buffer(f.text);
                auto [wec, n] = co_await self->ws_.async_write(buffer, use_tuple);
                ec = wec;
                (void)n;
            }
            if (ec) {
                srv.session_ended(self, !srv.silent_);
                break;
            }
        }
        self->writing_ = false;
        // A frame may have been queued while the last write was in flight.
        if (!self->queue_.empty())
            self->kick_writer();
    }

    // Reads acks until the connection ends. Beast answers pings while a read is pending.
    static net::awaitable<void>
    read_loop(std::shared_ptr<ws_session> self)
    {
        auto& srv = self->srv_;
        beast::flat_buffer buffer;
        for (;;) {
            if (self->closed_)
                break;
            if (srv.silent_) {
                // Silence began between two reads: become a zombie like the others.
                srv.session_ended(self, false);
                break;
            }
            // Next message (text or binary); pings, pongs and close are handled inside.
            auto [ec, n] = co_await self->ws_.async_read(buffer, use_tuple);
            (void)n;
            if (ec) {
                if (ec == websocket::error::closed)
                    srv.note_client_close(self->ws_.reason());
                srv.session_ended(self, !srv.silent_);
                break;
            }
            if (self->ws_.got_text())
                srv.client_frame(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
        }
        self->reading_ = false;
    }

    // Server-initiated pings every ping_interval (skipped while silent).
    static net::awaitable<void>
    ping_loop(std::shared_ptr<ws_session> self)
    {
        auto& srv = self->srv_;
        for (;;) {
            self->ping_timer_.expires_after(srv.opts_.ping_interval);
            auto [ec] = co_await self->ping_timer_.async_wait(use_tuple);
            if (ec || self->closed_)
                break;
            if (srv.silent_ || !self->hello_sent_)
                continue;
            // Pings overtake queued envelopes: they measure liveness, not throughput.
            self->queue_.push_front(out_frame{frame_kind::ping, "sim-ping-" + std::to_string(++srv.ping_seq_), {}, 0});
            self->kick_writer();
        }
    }

    sim_server& srv_;
    websocket::stream<Stream> ws_;
    net::steady_timer ping_timer_;
};

//----------------------------------------------------------------------------------------
// 5. HTTP connections, accept loop, lifecycle

http::response<http::string_body>
sim_server::handle_http(const http::request<http::string_body>& req)
{
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, "slack-sim");
    res.keep_alive(req.keep_alive());

    std::string_view target(req.target().data(), req.target().size());
    auto q = target.find('?');
    auto path = target.substr(0, q);
    auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);

    // Arguments: the query string, then the body (JSON or form-encoded).
    json args = json::object();
    bool args_ok = true;
    std::string args_error;
    parse_form_into(query, args);
    auto content_type_field = req[http::field::content_type];
    std::string content_type(content_type_field.data(), content_type_field.size());
    std::string token;
    if (!req.body().empty()) {
        if (iequals_prefix(content_type, "application/json")) {
            auto body = json::parse(req.body(), nullptr, false);
            if (body.is_discarded()) {
                args_ok = false;
                args_error = "invalid_json";
            } else if (!body.is_object()) {
                args_ok = false;
                args_error = "json_not_object";
            } else {
                for (auto& [k, v] : body.items())
                    args[k] = v;
            }
        } else {
            parse_form_into(req.body(), args);
            // Form posts may carry the token as a field (never JSON bodies).
            if (args.contains("token")) {
                token = arg_string(args, "token");
                args.erase("token");
            }
        }
    }
    auto auth_field = req[http::field::authorization];
    std::string_view auth(auth_field.data(), auth_field.size());
    if (iequals_prefix(auth, "Bearer "))
        token = std::string(auth.substr(7));

    if (path.starts_with("/api/")) {
        std::string method(path.substr(5));
        auto result = call_api(method, std::move(args), args_ok, args_error, token);
        res.result(static_cast<unsigned>(result.status));
        if (result.retry_after >= 0)
            res.set(http::field::retry_after, std::to_string(result.retry_after));
        res.set(http::field::content_type, "application/json; charset=utf-8");
        res.body() = to_text(result.body);
    } else if (path.starts_with("/commands/")) {
        // The slash command's response_url: recorded like an API call named "response_url".
        {
            std::lock_guard lock(m_);
            calls_.push_back(slack_simulator::api_call{"response_url", std::move(args), true, steady::now(), 200});
        }
        res.set(http::field::content_type, "application/json; charset=utf-8");
        res.body() = R"({"ok":true})";
    } else {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "text/plain");
        res.body() = "not found\n";
    }
    res.prepare_payload();
    return res;
}

// Keep-alive HTTP/1.1 on one connection; a WebSocket upgrade hands the stream over.
template <class Stream>
net::awaitable<void>
serve_http(sim_server& srv, Stream stream)
{
    beast::flat_buffer buffer;
    for (;;) {
        // Read the next request (idle keep-alive connections time out eventually).
        http::request_parser<http::string_body> parser;
        parser.body_limit(k_max_body_bytes);
        beast::get_lowest_layer(stream).expires_after(k_http_idle_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        (void)n;
        if (ec)
            break;
        auto req = parser.release();

        if (websocket::is_upgrade(req)) {
            std::string_view target(req.target().data(), req.target().size());
            if (!srv.take_ticket(target)) {
                // Unknown or reused ticket: refuse the upgrade.
                http::response<http::string_body> res{http::status::unauthorized, req.version()};
                res.set(http::field::server, "slack-sim");
                res.set(http::field::content_type, "application/json; charset=utf-8");
                res.body() = R"({"ok":false,"error":"invalid_ticket"})";
                res.keep_alive(false);
                res.prepare_payload();
                auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
                (void)wec;
                (void)wn;
                break;
            }
            // The WebSocket has its own timeouts from here on.
            beast::get_lowest_layer(stream).expires_never();
            auto session = std::make_shared<ws_session<Stream>>(srv, std::move(stream));
            auto handshake = ws_session<Stream>::accept(session, std::move(req));
            co_await std::move(handshake);
            co_return;
        }

        // A Web API call (or response_url, or 404).
        auto res = srv.handle_http(req);
        auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
        (void)wn;
        if (wec || !res.keep_alive())
            break;
    }
    // Polite end of a plain connection: send FIN. (TLS: just close; clients tolerate it.)
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void>
serve_tls(sim_server& srv, tcp::socket socket)
{
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *srv.tls_);
    // TLS handshake, bounded in time.
    beast::get_lowest_layer(stream).expires_after(k_handshake_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (ec)
        co_return;
    auto session = serve_http(srv, std::move(stream));
    co_await std::move(session);
}

net::awaitable<void>
accept_loop(sim_server& srv)
{
    auto executor = co_await net::this_coro::executor;
    for (;;) {
        // Next TCP connection on 127.0.0.1:port.
        auto [ec, socket] = co_await srv.acceptor_->async_accept(use_tuple);
        if (ec) {
            if (ec == net::error::operation_aborted || !srv.acceptor_->is_open())
                break;
            continue;
        }
        // Small frames matter more than throughput: no Nagle delay on acks and envelopes.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (srv.tls_) {
            auto task = serve_tls(srv, std::move(socket));
            net::co_spawn(executor, std::move(task), report_failure{"tls connection"});
        } else {
            beast::tcp_stream stream(std::move(socket));
            auto task = serve_http(srv, std::move(stream));
            net::co_spawn(executor, std::move(task), report_failure{"http connection"});
        }
    }
}

net::awaitable<void>
sweep_loop(sim_server& srv)
{
    auto period = std::max<std::chrono::milliseconds>(srv.opts_.redeliver_after / 4, 5ms);
    for (;;) {
        srv.sweep_timer_->expires_after(period);
        auto [ec] = co_await srv.sweep_timer_->async_wait(use_tuple);
        if (ec)
            break;
        srv.sweep_redeliveries();
    }
}

void
sim_server::start()
{
    std::lock_guard lock(life_m_);
    if (running_)
        return;
    if (stopped_ || !ioc_)
        throw std::logic_error("slack_simulator: cannot start again after stop()");
    if (opts_.tls_cert_file.has_value() != opts_.tls_key_file.has_value())
        throw std::invalid_argument("slack_simulator: tls_cert_file and tls_key_file go together");

    if (opts_.tls_cert_file) {
        // TLS 1.2+ with the given PEM chain and key.
        tls_.emplace(ssl::context::tls_server);
        tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        tls_->use_certificate_chain_file(*opts_.tls_cert_file);
        tls_->use_private_key_file(*opts_.tls_key_file, ssl::context::pem);
    }

    // One port for HTTP and WebSocket, on loopback only.
    acceptor_ = std::make_unique<tcp::acceptor>(*ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    net::co_spawn(*ioc_, accept_loop(*this), report_failure{"accept loop"});
    if (opts_.redeliver_after.count() > 0) {
        sweep_timer_ = std::make_unique<net::steady_timer>(*ioc_);
        net::co_spawn(*ioc_, sweep_loop(*this), report_failure{"redelivery sweep"});
    }

    // The io thread; an exception escaping a handler is logged and the loop goes on.
    thread_ = std::thread([ctx = ioc_.get()] {
        for (;;) {
            try {
                ctx->run();
                return;
            } catch (const std::exception& e) {
                std::cerr << "slack-sim: io thread: " << e.what() << '\n';
            }
        }
    });
    running_ = true;
}

void
sim_server::stop()
{
    std::unique_ptr<net::io_context> ctx;
    {
        // Stop the loop and wait for the io thread (its handlers may post: no lock here).
        std::unique_lock lock(life_m_);
        if (!ioc_)
            return;
        ioc_->stop();
        lock.unlock();
        if (thread_.joinable())
            thread_.join();
        lock.lock();
        running_ = false;
        stopped_ = true;
        // I/O objects go before their io_context; pending coroutine frames (and the
        // sockets they own) are destroyed with it.
        live_.clear();
        zombies_.clear();
        acceptor_.reset();
        sweep_timer_.reset();
        ctx = std::move(ioc_);
    }
    ctx.reset();
    std::lock_guard lock(m_);
    ws_connected_ = 0;
    cv_.notify_all();
}

}  // namespace ib::sim::detail

//----------------------------------------------------------------------------------------
// 6. The public facade

namespace ib::sim {

using detail::sim_server;
using json = nlohmann::json;

struct slack_simulator::impl : sim_server {
    using sim_server::sim_server;
};

slack_simulator::slack_simulator(simulator_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

slack_simulator::~slack_simulator() = default;

void
slack_simulator::start()
{
    impl_->start();
}

void
slack_simulator::stop()
{
    impl_->stop();
}

std::string
slack_simulator::api_url() const
{
    return std::string(impl_->opts_.tls_cert_file ? "https" : "http") + "://127.0.0.1:" +
           std::to_string(impl_->port_) + "/api/";
}

unsigned short
slack_simulator::port() const
{
    return impl_->port_;
}

std::string
slack_simulator::bot_user_id() const
{
    return detail::k_bot_user_id;
}

std::string
slack_simulator::bot_id() const
{
    return detail::k_bot_id;
}

std::string
slack_simulator::team_id() const
{
    return detail::k_team_id;
}

std::string
slack_simulator::app_id() const
{
    return detail::k_app_id;
}

const simulator_options&
slack_simulator::options() const
{
    return impl_->opts_;
}

std::string
slack_simulator::post_message(const std::string& channel, const std::string& user, const std::string& text,
                              const std::string& thread_ts)
{
    auto& s = *impl_;
    auto ts = s.new_ts();
    json e = json::object();
    e["client_msg_id"] = s.new_uuid();
    e["type"] = "message";
    e["text"] = text;
    e["user"] = user;
    e["ts"] = ts;
    e["blocks"] = s.rich_text_blocks(text);
    e["team"] = detail::k_team_id;
    if (!thread_ts.empty())
        e["thread_ts"] = thread_ts;
    e["channel"] = channel;
    e["event_ts"] = ts;
    e["channel_type"] = "channel";
    {
        std::lock_guard lock(s.m_);
        auto& c = s.ensure_channel_locked(channel);
        if (c.is_private)
            e["channel_type"] = "group";
        if (!thread_ts.empty()) {
            auto parent = s.messages_.find(sim_server::message_key(channel, thread_ts));
            if (parent != s.messages_.end())
                e["parent_user_id"] = parent->second.user;
        }
        s.messages_[sim_server::message_key(channel, ts)] = sim_server::message_rec{user, text, false};
    }
    // Slack sends app_mention too when the bot is mentioned (its own event and event_id).
    std::optional<json> mention;
    if (s.opts_.emit_app_mention && text.find("<@" + detail::k_bot_user_id) != std::string::npos) {
        mention = e;
        (*mention)["type"] = "app_mention";
        mention->erase("channel_type");
    }
    s.emit_event(std::move(e));
    if (mention)
        s.emit_event(std::move(*mention));
    return ts;
}

void
slack_simulator::join(const std::string& channel, const std::string& user, const std::string& inviter)
{
    auto& s = *impl_;
    json joined = s.member_joined_event(channel, user, inviter, s.new_ts());
    json message;
    {
        std::lock_guard lock(s.m_);
        s.ensure_channel_locked(channel).members.insert(user);
        message = s.channel_join_message_locked(channel, user, inviter, s.new_ts());
    }
    s.emit_event(std::move(joined));
    s.emit_event(std::move(message));
}

void
slack_simulator::leave(const std::string& channel, const std::string& user)
{
    auto& s = *impl_;
    auto ts = s.new_ts();
    json left = {{"type", "member_left_channel"}, {"user", user},           {"channel", channel},
                 {"channel_type", "C"},           {"team", detail::k_team_id}, {"event_ts", ts}};
    json message = json::object();
    {
        std::lock_guard lock(s.m_);
        s.ensure_channel_locked(channel).members.erase(user);
        auto mts = s.new_ts();
        message["type"] = "message";
        message["subtype"] = "channel_leave";
        message["ts"] = mts;
        message["user"] = user;
        message["text"] = "<@" + user + "|" + s.user_name_locked(user) + "> has left the channel";
        message["channel"] = channel;
        message["event_ts"] = mts;
        message["channel_type"] = "channel";
        message["team"] = detail::k_team_id;
    }
    s.emit_event(std::move(left));
    s.emit_event(std::move(message));
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
        std::lock_guard lock(s.m_);
        auto it = s.messages_.find(sim_server::message_key(channel, item_ts));
        if (it != s.messages_.end())
            e["item_user"] = it->second.user;
    }
    e["item"] = {{"type", "message"}, {"channel", channel}, {"ts", item_ts}};
    e["event_ts"] = s.new_ts();
    s.emit_event(std::move(e));
}

void
slack_simulator::edit_message(const std::string& channel, const std::string& ts, const std::string& new_text)
{
    auto& s = *impl_;
    auto now_ts = s.new_ts();
    json message = {{"type", "message"}, {"text", new_text}, {"ts", ts}, {"team", detail::k_team_id}};
    json previous = {{"type", "message"}, {"ts", ts}, {"team", detail::k_team_id}};
    {
        std::lock_guard lock(s.m_);
        auto it = s.messages_.find(sim_server::message_key(channel, ts));
        if (it != s.messages_.end()) {
            message["user"] = it->second.user;
            message["edited"] = {{"user", it->second.user}, {"ts", now_ts}};
            previous["user"] = it->second.user;
            previous["text"] = it->second.text;
            it->second.text = new_text;
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
    e["channel_type"] = "channel";
    s.emit_event(std::move(e));
}

void
slack_simulator::delete_message(const std::string& channel, const std::string& ts)
{
    auto& s = *impl_;
    auto now_ts = s.new_ts();
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
        std::lock_guard lock(s.m_);
        auto it = s.messages_.find(sim_server::message_key(channel, ts));
        if (it != s.messages_.end()) {
            e["previous_message"] = {
                {"type", "message"}, {"user", it->second.user}, {"text", it->second.text}, {"ts", ts}};
            s.messages_.erase(it);
        }
    }
    s.emit_event(std::move(e));
}

//-- bulk sending (for bench/) ------------------------------------------------------------

std::vector<std::string>
slack_simulator::post_messages(const std::string& channel, const std::string& user,
                               const std::vector<std::string>& texts)
{
    auto& s = *impl_;
    std::vector<detail::out_frame> frames;
    std::vector<std::string> ids;
    frames.reserve(texts.size());
    ids.reserve(texts.size());
    std::string channel_type = "channel";
    {
        std::lock_guard lock(s.m_);
        if (s.ensure_channel_locked(channel).is_private)
            channel_type = "group";
    }
    for (const auto& text : texts) {
        // The same event as post_message's.
        auto ts = s.new_ts();
        json e = json::object();
        e["client_msg_id"] = s.new_uuid();
        e["type"] = "message";
        e["text"] = text;
        e["user"] = user;
        e["ts"] = ts;
        e["blocks"] = s.rich_text_blocks(text);
        e["team"] = detail::k_team_id;
        e["channel"] = channel;
        e["event_ts"] = ts;
        e["channel_type"] = channel_type;
        {
            std::lock_guard lock(s.m_);
            s.messages_[sim_server::message_key(channel, ts)] = sim_server::message_rec{user, text, false};
        }
        auto env = s.events_api_envelope(s.event_callback(std::move(e), s.new_event_id()));
        auto id = env["envelope_id"].get<std::string>();
        auto text_frame = detail::to_text(env);
        s.note_envelope(id, text_frame);  // visible to envelope(), like submit_envelope's
        frames.push_back(detail::out_frame{detail::frame_kind::text, std::move(text_frame), id, 0});
        ids.push_back(std::move(id));
    }
    // One hop to the io thread for the whole burst; tracked for redelivery like send_event's.
    s.post([&s, frames = std::move(frames)]() mutable {
        for (auto& f : frames)
            s.accept_frame(std::move(f), true, 0);
    });
    return ids;
}

//-- end bulk sending ---------------------------------------------------------------------

std::string
slack_simulator::slash_command(const std::string& channel_id, const std::string& user, const std::string& text,
                               const std::string& command)
{
    auto& s = *impl_;
    auto n = s.next_counter();
    json p = json::object();
    p["token"] = detail::k_verification_token;
    p["team_id"] = detail::k_team_id;
    p["team_domain"] = detail::k_team_domain;
    p["channel_id"] = channel_id;
    {
        std::lock_guard lock(s.m_);
        p["channel_name"] = s.ensure_channel_locked(channel_id).name;
        p["user_name"] = s.user_name_locked(user);
    }
    p["user_id"] = user;
    p["command"] = command;
    p["text"] = text;
    p["api_app_id"] = detail::k_app_id;
    p["is_enterprise_install"] = "false";
    // response_url points back at the simulator so a bot can use it offline.
    p["response_url"] = std::string(s.opts_.tls_cert_file ? "https" : "http") + "://127.0.0.1:" +
                        std::to_string(s.port_) + "/commands/" + detail::k_team_id + "/" + std::to_string(n) + "/" +
                        detail::hex(detail::mix64(n ^ s.seed_), 24);
    p["trigger_id"] = std::to_string(n) + "." + std::to_string(s.seed_ % 100000000000ULL) + "." +
                      detail::hex(detail::mix64(n + s.seed_), 32);
    json env = json::object();
    env["envelope_id"] = s.new_uuid();
    env["payload"] = std::move(p);
    env["type"] = "slash_commands";
    env["accepts_response_payload"] = true;
    return s.submit_envelope(std::move(env));
}

std::string
slack_simulator::send_envelope(json envelope)
{
    return impl_->submit_envelope(std::move(envelope));
}

std::string
slack_simulator::send_event(json inner_event)
{
    return impl_->emit_event(std::move(inner_event));
}

void
slack_simulator::send_raw(const std::string& text_frame)
{
    impl_->submit_text(text_frame);
}

void
slack_simulator::send_disconnect(const std::string& reason)
{
    json d = json::object();
    d["type"] = "disconnect";
    d["reason"] = reason;
    d["debug_info"] = {{"host", detail::k_ws_host}};
    impl_->submit_text(detail::to_text(d));
}

void
slack_simulator::drop_connections()
{
    auto* s = impl_.get();
    s->run_sync([s] { s->drop_now(); });
}

void
slack_simulator::set_silent(bool on)
{
    auto* s = impl_.get();
    s->run_sync([s, on] { s->set_silent_now(on); });
}

std::string
slack_simulator::create_channel(const std::string& name, const std::string& creator)
{
    auto& s = *impl_;
    if (auto err = detail::channel_name_error(name); !err.empty())
        throw std::invalid_argument("slack_simulator::create_channel: " + err);
    std::lock_guard lock(s.m_);
    if (s.channel_by_name_.count(name))
        throw std::invalid_argument("slack_simulator::create_channel: name_taken");
    sim_server::channel_rec c;
    c.id = s.new_channel_id_locked();
    c.name = name;
    c.creator = creator;
    c.created = detail::unix_seconds();
    c.members.insert(creator);
    s.channel_by_name_[name] = c.id;
    auto id = c.id;
    s.channels_.emplace(id, std::move(c));
    return id;
}

void
slack_simulator::set_user_name(const std::string& user, const std::string& name)
{
    std::lock_guard lock(impl_->m_);
    impl_->user_names_[user] = name;
}

void
slack_simulator::fail_next(const std::string& method, int http_status, int retry_after_seconds, int times)
{
    std::lock_guard lock(impl_->m_);
    impl_->faults_[method].push_back(sim_server::fault{http_status, retry_after_seconds, "", times});
}

void
slack_simulator::error_next(const std::string& method, const std::string& error_code, int times)
{
    std::lock_guard lock(impl_->m_);
    impl_->faults_[method].push_back(sim_server::fault{200, 0, error_code, times});
}

std::vector<slack_simulator::api_call>
slack_simulator::calls(const std::string& method) const
{
    std::lock_guard lock(impl_->m_);
    if (method.empty())
        return impl_->calls_;
    std::vector<api_call> out;
    for (auto& c : impl_->calls_)
        if (c.method == method)
            out.push_back(c);
    return out;
}

std::optional<slack_simulator::ack>
slack_simulator::wait_ack(const std::string& envelope_id, std::chrono::milliseconds timeout) const
{
    auto& s = *impl_;
    std::unique_lock lock(s.m_);
    bool found = s.cv_.wait_for(lock, timeout, [&] { return s.ack_index_.count(envelope_id) > 0; });
    if (!found)
        return std::nullopt;
    return s.acks_[s.ack_index_.at(envelope_id)];
}

std::vector<slack_simulator::ack>
slack_simulator::acks() const
{
    std::lock_guard lock(impl_->m_);
    return impl_->acks_;
}

std::size_t
slack_simulator::ack_count() const
{
    std::lock_guard lock(impl_->m_);
    return impl_->acks_.size();
}

std::size_t
slack_simulator::connections_opened() const
{
    std::lock_guard lock(impl_->m_);
    return impl_->ws_opened_;
}

std::size_t
slack_simulator::open_connections() const
{
    std::lock_guard lock(impl_->m_);
    return impl_->ws_connected_;
}

bool
slack_simulator::wait_connected(std::chrono::milliseconds timeout) const
{
    auto& s = *impl_;
    std::unique_lock lock(s.m_);
    return s.cv_.wait_for(lock, timeout, [&] { return s.ws_connected_ > 0; });
}

namespace {
slack_simulator::channel_info
to_info(const sim_server::channel_rec& c)
{
    return slack_simulator::channel_info{c.id, c.name, c.topic, c.members};
}
}  // namespace

std::optional<slack_simulator::channel_info>
slack_simulator::channel_by_name(const std::string& name) const
{
    std::lock_guard lock(impl_->m_);
    auto it = impl_->channel_by_name_.find(name);
    if (it == impl_->channel_by_name_.end())
        return std::nullopt;
    return to_info(impl_->channels_.at(it->second));
}

std::optional<slack_simulator::channel_info>
slack_simulator::channel_by_id(const std::string& id) const
{
    std::lock_guard lock(impl_->m_);
    auto it = impl_->channels_.find(id);
    if (it == impl_->channels_.end())
        return std::nullopt;
    return to_info(it->second);
}

std::vector<json>
slack_simulator::posted_messages(const std::string& channel_id) const
{
    std::lock_guard lock(impl_->m_);
    auto it = impl_->bot_posts_.find(channel_id);
    return it == impl_->bot_posts_.end() ? std::vector<json>{} : it->second;
}

//-- observers: envelopes sent, client closes ----------------------------------------------

std::optional<json>
slack_simulator::envelope(const std::string& envelope_id) const
{
    std::lock_guard lock(impl_->m_);
    auto it = impl_->envelopes_sent_.find(envelope_id);
    if (it == impl_->envelopes_sent_.end())
        return std::nullopt;
    return json::parse(it->second, nullptr, false);
}

std::vector<slack_simulator::client_close>
slack_simulator::client_closes() const
{
    std::lock_guard lock(impl_->m_);
    return impl_->client_closes_;
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
