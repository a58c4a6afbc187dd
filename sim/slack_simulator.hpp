#pragma once
// A scriptable fake Slack for end-to-end tests, demos and benchmarks.
//
// One TCP port on 127.0.0.1 serves both the Web API (POST /api/<method>) and the
// Socket Mode WebSocket (/link/?ticket=…), optionally over TLS. Frames and responses
// have the shape of the real payloads in shared/slack-fixtures/.
//
// Threading: the simulator runs its own io_context on a background thread. Every public
// member is thread-safe. Scripting calls return once the frame is queued; frames wait
// while no socket is connected and are flushed, in order, right after the next `hello`.
//
// Asio/Beast stay out of this header (pimpl), so including it is cheap.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ib::sim {

struct simulator_options {
    // Accepted by apps.connections.open (Authorization: Bearer).
    std::string app_token = "xapp-1-A0SIM-1-test";
    // Accepted by every other method.
    std::string bot_token = "xoxb-sim-test";
    // When both are set: https:// and wss:// with this PEM certificate chain and key.
    std::optional<std::string> tls_cert_file, tls_key_file;
    // Server-initiated WebSocket pings.
    std::chrono::milliseconds ping_interval{10000};
    // 0: unacked events_api envelopes are redelivered only when their connection is gone
    // (on the next connection). >0: also re-sent after this long without an ack.
    std::chrono::milliseconds redeliver_after{0};
    // Like Slack: 3 retries, then the event is dropped.
    std::size_t max_redeliveries = 3;
    // Like Slack: a user message that mentions the bot (<@U0SIMBOT1>) also produces an
    // app_mention event (a second envelope, its own event_id).
    bool emit_app_mention = true;
};

class slack_simulator {
public:
    explicit slack_simulator(simulator_options = {});
    ~slack_simulator();  // stops
    slack_simulator(const slack_simulator&) = delete;
    slack_simulator& operator=(const slack_simulator&) = delete;

    // Binds 127.0.0.1:0 and runs the server on a background thread. Throws on bind or
    // TLS setup failure.
    void start();
    // Closes everything and joins the thread. Idempotent.
    void stop();

    // "http://127.0.0.1:PORT/api/" ("https://…" with TLS).
    std::string api_url() const;
    unsigned short port() const;
    std::string bot_user_id() const;  // "U0SIMBOT1"
    std::string bot_id() const;       // "B0SIMBOT1"
    std::string team_id() const;      // "T0SIM0001"
    std::string app_id() const;       // "A0SIM0001"
    const simulator_options& options() const;

    // --- scripting what users do -------------------------------------------------------
    // A user posts in a channel (a thread reply when thread_ts is set). Returns the ts.
    std::string post_message(const std::string& channel, const std::string& user, const std::string& text,
                             const std::string& thread_ts = "");
    // member_joined_channel + message/channel_join.
    void join(const std::string& channel, const std::string& user, const std::string& inviter = "");
    // member_left_channel + message/channel_leave.
    void leave(const std::string& channel, const std::string& user);
    // reaction_added (or reaction_removed when added is false) on the message item_ts.
    void react(const std::string& channel, const std::string& user, const std::string& reaction,
               const std::string& item_ts, bool added = true);
    // message/message_changed and message/message_deleted.
    void edit_message(const std::string& channel, const std::string& ts, const std::string& new_text);
    void delete_message(const std::string& channel, const std::string& ts);
    // A slash_commands envelope (accepts_response_payload=true). Returns its envelope_id.
    std::string slash_command(const std::string& channel_id, const std::string& user, const std::string& text,
                              const std::string& command = "/incident");
    // Any envelope (envelope_id filled in when absent). An events_api envelope is tracked
    // for redelivery like any other event. Returns the envelope_id.
    std::string send_envelope(nlohmann::json envelope);
    // Wraps an inner event in event_callback + events_api (new event_id). Returns the envelope_id.
    std::string send_event(nlohmann::json inner_event);
    // Any text frame, not necessarily JSON.
    void send_raw(const std::string& text_frame);
    // {"type":"disconnect","reason":…,"debug_info":{"host":…}} to the newest connection.
    void send_disconnect(const std::string& reason);
    // Closes every WebSocket's TCP connection at once: no close frame, no TLS close_notify.
    void drop_connections();
    // true: stop sending anything (hello, envelopes, pings) and stop answering pings, while
    // keeping the TCP connections open (a dead peer). false: resume; connections that were
    // being read when silence began are closed then (abruptly), later ones carry on.
    void set_silent(bool);
    // A pre-existing channel (e.g. to provoke name_taken). Returns its id "C…".
    std::string create_channel(const std::string& name, const std::string& creator);
    // Display name used in payloads (user_name, channel_join text, users.info).
    void set_user_name(const std::string& user, const std::string& name);

    // --- bulk sending (for bench/) ---------------------------------------------------------
    // post_message for each text, in order, in `channel` by `user` (no app_mention), except
    // that every frame is built on the caller's thread first and handed to the server in one
    // step: a burst reaches the socket writer at once instead of at the caller's pace.
    // Returns the envelope_ids, in order.
    std::vector<std::string> post_messages(const std::string& channel, const std::string& user,
                                           const std::vector<std::string>& texts);
    // --- end bulk sending ----------------------------------------------------------------

    // --- fault injection on the Web API ------------------------------------------------
    // The next `times` calls of method answer with this HTTP status (429 adds Retry-After
    // and {"ok":false,"error":"ratelimited"}; other statuses {"ok":false,"error":"internal_error"}).
    void fail_next(const std::string& method, int http_status, int retry_after_seconds = 0, int times = 1);
    // The next `times` calls answer HTTP 200 {"ok":false,"error":error_code}.
    void error_next(const std::string& method, const std::string& error_code, int times = 1);

    // --- observing ---------------------------------------------------------------------
    struct api_call {
        std::string method;
        nlohmann::json args;  // JSON body, or form/query fields as strings
        bool authorized;
        std::chrono::steady_clock::time_point at;
        int http_status;
    };
    // Every Web API call so far (all methods when method is empty), in arrival order.
    std::vector<api_call> calls(const std::string& method = "") const;

    struct ack {
        std::string envelope_id;
        std::optional<nlohmann::json> payload;        // present when the ack carried "payload"
        std::chrono::steady_clock::duration latency;  // since the envelope's frame was written (0 if never sent)
        std::chrono::steady_clock::time_point at;     // when the ack was read
    };
    std::optional<ack> wait_ack(const std::string& envelope_id, std::chrono::milliseconds timeout) const;
    std::vector<ack> acks() const;
    std::size_t ack_count() const;

    std::size_t connections_opened() const;  // WebSocket connections accepted so far
    std::size_t open_connections() const;    // open and hello sent
    bool wait_connected(std::chrono::milliseconds timeout) const;  // a socket is open and hello was sent

    struct channel_info {
        std::string id, name, topic;
        std::set<std::string> members;
    };
    std::optional<channel_info> channel_by_name(const std::string& name) const;
    std::optional<channel_info> channel_by_id(const std::string& id) const;
    // chat.postMessage bodies that succeeded, in order, each with its "ts" added.
    std::vector<nlohmann::json> posted_messages(const std::string& channel_id) const;

    // Polls pred every few milliseconds until it holds or the timeout passes.
    bool wait_for(std::function<bool()> pred, std::chrono::milliseconds timeout) const;

    // --- observing envelopes and client closes (e2e durability and fault tests) ---------
    // The envelope sent (or queued) under envelope_id: as submitted, or as redelivered with
    // its new envelope_id and retry_attempt. nullopt for an id the simulator never issued.
    std::optional<nlohmann::json> envelope(const std::string& envelope_id) const;
    // Close frames received from clients (clean WebSocket closes), oldest first.
    struct client_close {
        int code = 0;  // 1000 = normal
        std::string reason;
        std::chrono::steady_clock::time_point at;
    };
    std::vector<client_close> client_closes() const;
    // --- end observing envelopes and client closes --------------------------------------

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ib::sim
