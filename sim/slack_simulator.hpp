#pragma once
// A scriptable fake Slack for end-to-end tests, demos and benchmarks.
//
// One TCP port on 127.0.0.1 serves both the Web API (POST /api/<method>) and the Socket Mode
// WebSocket (/link/?ticket=…), optionally over TLS. Every payload has the shape of a real one in
// shared/slack-fixtures/ (SOURCES.md says where each came from); facts below cite
// shared/docs/slack-protocol.md ([SM], [EV], [SC], [RL], [M:x] are its source keys).
//
// What it models, as Slack does it:
// - Socket Mode: apps.connections.open with the app token and one-time tickets, `hello` first,
//   envelopes with retry_attempt/retry_reason, acks with or without a payload, server pings and
//   pongs, `disconnect` frames [SM]. Several connections at once (Slack allows 10; no cap here);
//   each envelope goes to ONE of them, chosen at random (seedable), or always the newest
//   (choose_connection) [SM]; what a closed connection left unacked is redelivered to another open
//   one with retry_attempt + 1 and retry_reason "timeout" (slack-protocol.md §6, "No connection
//   for long, no event"; slackapi/bolt-python#448 and #1071).
// - Events API retries: an event not acked within redeliver_after (3 s), or whose connection
//   closed first, is retried up to max_redeliveries (3) times with the same event_id and
//   retry_attempt + 1, after retry_delays (Slack: at once, 1 min, 5 min [EV]), then dropped;
//   with when_disconnected == retry a delivery attempt with no connection open fails at once, so
//   an event said while the bot is down is lost once its retries are spent ([SM]: "you may lose
//   events until you establish a connection") and exists only in the channel's history (§6).
// - Slash commands and interactive payloads are never retried: not acked within
//   command_ack_deadline (3 s) the user sees operation_timeout [SC]; sent while no connection
//   is open they fail at once with dispatch_failed (when_disconnected == retry).
// - Text is Slack's: `&`, `<`, `>` arrive as `&amp;`, `&lt;`, `&gt;` in message events,
//   slash-command text and history, while markup (`<@U…>`, `<#C…|name>`, `<!here>`,
//   `<https://…|label>`) stays as is (§6, docs.slack.dev/messaging/formatting-message-text).
//   post_message() and slash_command() take text in that form (what Slack sends); type_message()
//   and type_command() take what a person typed and escape it.
// - History: every message (users', the bot's chat.postMessage posts, channel_join and
//   channel_leave, thread replies, thread_broadcast) is kept per channel with its ts, edits and
//   reactions applied. conversations.history (newest first, top level plus thread_broadcast;
//   parents carry thread_ts, reply_count, reply_users, latest_reply) and conversations.replies
//   (parent first on the first page, then replies oldest first) page like Slack: oldest/latest
//   exclusive unless inclusive, limit 100 by default and 999 at most, cursor and has_more; the bot
//   must be a member (not_in_channel); Tier 3 rate limit (rate_limits) [M:conversations.history].
// - Web API: auth.test, conversations.create (public and private), invite, join, info,
//   setTopic, history, replies; chat.postMessage (threads, reply_broadcast), postEphemeral
//   (user_not_in_channel), update; pins.add; users.info (user_not_found); usergroups.users.list;
//   views.open (trigger_id exchanged once, within trigger_ttl). Errors as documented; HTTP 429
//   with Retry-After past a rate limit [RL]; missing_scope when bot_scopes lacks one [OAS].
// - Private channels: channel_type "group" in message events and "G" in membership events
//   (event-callback-message.groups.json), subscription message.groups; invisible
//   (channel_not_found) to a bot that is not a member. IDs start with C, as Slack's have since
//   2021 (docs.slack.dev/reference/events/member_joined_channel).
// - Interactivity: message shortcuts (message_action, interactive-message_action.json) and
//   view_submission for a modal the bot opened (interactive-view_submission.json).
//
// What it does not model: message_replied events, tombstones for deleted thread parents (a
// deleted message simply leaves the history), channel_topic messages in history, Enterprise
// Grid, files, app_rate_limited, the 30,000 events/hour cap, rate limits other than those in
// rate_limits, edits' history (only the last text is kept), ephemeral messages shown anywhere but
// ephemeral_messages(), retry_reason other than "timeout", rich_text blocks beyond one section
// (a mention is a user element; other markup and entities stay in text elements as sent).
//
// Defaults are Slack's except where Slack's behaviour would break a test that exists today; those
// options keep the old behaviour and say which issue flips them: member_events_only (false).
// (choose_connection was newest until issue 15: several instances must share the work, so it is
// random, Slack's, by default now.) simulator_options::like_slack() sets them all the way Slack
// behaves. (when_disconnected was such an option until issue 12's backfill landed: it is retry,
// Slack's, by default now.)
//
// Threading: the simulator runs its own io_context on a background thread. Every public member is
// thread-safe. Scripting calls return once the frame is queued; scripted in one thread, frames go
// out in scripting order.
//
// Asio/Beast stay out of this header (pimpl), so including it is cheap.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ib::sim {

// What Slack's clients make of typed text: `&` -> `&amp;`, `<` -> `&lt;`, `>` -> `&gt;` (only those
// three are entities). Compose Slack text from typed text and markup with it:
// post_message(ch, u, "<@U0ALICE> " + slack_escape("p99 > 2s")).
std::string slack_escape(std::string_view typed);

struct simulator_options {
    // Accepted by apps.connections.open (Authorization: Bearer).
    std::string app_token = "xapp-1-A0SIM-1-test";
    // Accepted by every other method.
    std::string bot_token = "xoxb-sim-test";
    // When both are set: https:// and wss:// with this PEM certificate chain and key.
    std::optional<std::string> tls_cert_file, tls_key_file;
    // Server-initiated WebSocket pings.
    std::chrono::milliseconds ping_interval{10000};
    // How long a written events_api envelope may go unacked before the attempt counts as failed
    // and the event is retried ("respond … within three seconds" [EV]). 0: never (an attempt
    // fails only when its connection closes), the default before issue 12.
    std::chrono::milliseconds redeliver_after{3000};
    // Like Slack: 3 retries, then the event is dropped [EV].
    std::size_t max_redeliveries = 3;
    // Delay before retry k (k = 1..max_redeliveries; index k-1) after a failed attempt; missing
    // entries mean "at once". Slack: nearly at once, after 1 min, after 5 min [EV]:
    // like_slack() sets {0, 60 s, 300 s}; tests shorten them. Default: every retry at once.
    std::vector<std::chrono::milliseconds> retry_delays;

    enum class no_connection { queue, retry };
    // What a delivery attempt does when no connection is open.
    // queue: the frame waits, and the next connection gets it after its hello (events lost with a
    //   closed connection come first, with retry_attempt + 1); nothing is ever dropped for want of
    //   a connection. Kinder than Slack: for tests that want redelivery.
    // retry (Slack): an events_api attempt fails at once and is retried per retry_delays, then the
    //   event is dropped (lost_events()); a slash command or interactive payload fails at once
    //   with dispatch_failed (command_failures()). Raw and disconnect frames still wait.
    // Default retry, as Slack does: what the bot misses while down it recovers from history
    // (issue 12's backfill). A test that wants the event itself redelivered asks for queue.
    no_connection when_disconnected = no_connection::retry;

    enum class connection_choice { newest, random };
    // Which open connection gets each envelope. Slack: any of them, "do not assume any
    // distribution pattern" [SM]; "Slack delivers each event to one of the app's open
    // connections, chosen at random" (slack-protocol.md §6). random (the default, Slack's) picks
    // uniformly, seeded by `seed`; newest sends everything to the connection opened last.
    connection_choice choose_connection = connection_choice::random;
    // Seed for random choices; unset: a fresh one per simulator.
    std::optional<std::uint64_t> seed;

    // Slash commands and interactive payloads must be acked within this or the user sees an error
    // (operation_timeout) [SC]; a late ack is recorded with ack::late. Never retried. Slack: 3 s.
    std::chrono::milliseconds command_ack_deadline{3000};

    // Calls allowed per method per rate_limit_window; past it HTTP 429 with Retry-After and
    // {"ok":false,"error":"ratelimited"} [RL]. Default: Tier 3 (50 per minute) for the history
    // methods [M:conversations.history]; clear() to turn off.
    std::map<std::string, int> rate_limits = {{"conversations.history", 50}, {"conversations.replies", 50}};
    std::chrono::milliseconds rate_limit_window{60000};
    // The most messages conversations.history and conversations.replies return per call, whatever
    // `limit` asks (and their default limit when it is below 100). Slack: 999 for internal and
    // Marketplace apps; apps distributed outside the Marketplace since 29 May 2025 get at most 15,
    // and 1 call per minute (set rate_limits to 1 for both methods too) [M:conversations.history].
    std::size_t history_max_limit = 999;

    // The bot token's scopes; a method (or a channel type) whose scope is missing answers
    // missing_scope with needed/provided [OAS]. nullopt: every scope is granted.
    std::optional<std::set<std::string>> bot_scopes;
    // The app's bot event subscriptions (message.channels, message.groups, member_joined_channel,
    // reaction_added, …); events outside them are not delivered. nullopt: every event.
    std::optional<std::set<std::string>> bot_events;
    // Slack delivers channel events only from conversations the bot is a member of
    // (docs.slack.dev/reference/events/member_joined_channel: "requires membership"). Default
    // false: events from every channel (tests/transport and tests/sim script channels the bot is
    // not in); no open issue needs it flipped.
    bool member_events_only = false;
    // How long a trigger_id can be exchanged (views.open); Slack: 3 s
    // (docs.slack.dev/tools/bolt-python/concepts/opening-modals).
    std::chrono::milliseconds trigger_ttl{3000};

    // Like Slack: on top of Slack's own behaviour in the defaults above, retry_delays
    // {0, 60 s, 300 s}, when_disconnected retry, choose_connection random, member_events_only.
    static simulator_options like_slack();

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
    // Every scripted message lands in the channel's history, connected bot or not; its event is
    // delivered per the options (it may be lost while no connection is open).
    //
    // A user posts in a channel (a thread reply when thread_ts is set), `text` in Slack's form:
    // entities and markup as Slack sends them (see slack_escape). Returns the ts.
    std::string post_message(const std::string& channel, const std::string& user, const std::string& text,
                             const std::string& thread_ts = "");
    // A user types `typed` (nothing of it is markup): posted escaped, as Slack's client does.
    std::string type_message(const std::string& channel, const std::string& user, const std::string& typed,
                             const std::string& thread_ts = "");
    // A thread reply also sent to the channel (subtype thread_broadcast, with its root).
    std::string broadcast_reply(const std::string& channel, const std::string& user, const std::string& text,
                                const std::string& thread_ts);
    // member_joined_channel + message/channel_join.
    void join(const std::string& channel, const std::string& user, const std::string& inviter = "");
    // member_left_channel + message/channel_leave.
    void leave(const std::string& channel, const std::string& user);
    // reaction_added (or reaction_removed when added is false) on the message item_ts; the
    // message's `reactions` in history follow.
    void react(const std::string& channel, const std::string& user, const std::string& reaction,
               const std::string& item_ts, bool added = true);
    // message/message_changed and message/message_deleted.
    void edit_message(const std::string& channel, const std::string& ts, const std::string& new_text);
    void delete_message(const std::string& channel, const std::string& ts);
    // A slash_commands envelope (accepts_response_payload=true), `text` in Slack's form. Returns
    // its envelope_id.
    std::string slash_command(const std::string& channel_id, const std::string& user, const std::string& text,
                              const std::string& command = "/incident");
    // The same with what the user typed after the command, escaped like Slack.
    std::string type_command(const std::string& channel_id, const std::string& user, const std::string& typed,
                             const std::string& command = "/incident");
    // A message shortcut on channel/message_ts (interactive envelope, payload type
    // message_action with callback_id, a fresh trigger_id, the message as in history). Returns the
    // envelope_id.
    std::string message_shortcut(const std::string& channel, const std::string& user, const std::string& message_ts,
                                 const std::string& callback_id);
    // The user submits a modal the bot opened with views.open: a view_submission envelope
    // (accepts_response_payload=true) whose view.state.values is `values` (block_id -> action_id
    // -> element state, as in interactive-view_submission.json). Throws std::invalid_argument for
    // an unknown view id. Returns the envelope_id.
    std::string submit_view(const std::string& view_id, const nlohmann::json& values);
    // Any envelope (envelope_id filled in when absent). An events_api envelope is tracked
    // for redelivery like any other event. Returns the envelope_id.
    std::string send_envelope(nlohmann::json envelope);
    // Wraps an inner event in event_callback + events_api (new event_id). Returns the envelope_id,
    // or "" when the app would not receive the event (bot_events, member_events_only).
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
    // true: WebSocket connections opened from now on are accepted and then stay silent: no
    // hello, no envelopes (they wait for a connection that gets its hello), pings still
    // answered, as a peer stuck after the upgrade. Connections already open are unaffected.
    void set_hello_withheld(bool);
    // Slack gives up now on everything it has not delivered yet: events waiting for a connection
    // or for a retry are dropped (lost_events()), commands waiting for a connection fail
    // (dispatch_failed). What is on a socket already stays. Returns the number of events dropped.
    std::size_t expire_undelivered();
    // A pre-existing channel (e.g. to provoke name_taken). Returns its id "C…".
    std::string create_channel(const std::string& name, const std::string& creator, bool is_private = false);
    // Display name used in payloads (user_name, channel_join text, users.info).
    void set_user_name(const std::string& user, const std::string& name);
    // users.info's profile: real_name, and display_name (may be empty, as for many real users:
    // clients then show the real name). The handle (`name`) becomes `handle`.
    void set_user_profile(const std::string& user, const std::string& handle, const std::string& real_name,
                          const std::string& display_name);
    // Another app's bot user, named `name`: users.info answers is_bot true for it (web-api-users.info-ok.json's
    // field); Slack's join events do not say so.
    void add_bot_user(const std::string& user, const std::string& name);
    // A user group (usergroups.users.list). Returns its id "S…".
    std::string create_usergroup(const std::string& handle, const std::vector<std::string>& members);
    void set_usergroup_members(const std::string& usergroup_id, const std::vector<std::string>& members);

    // --- bulk sending (for bench/) ---------------------------------------------------------
    // post_message for each text, in order, in `channel` by `user` (no app_mention), except
    // that every frame is built on the caller's thread first and handed to the server in one
    // step: a burst reaches the socket writer at once instead of at the caller's pace.
    // Returns the envelope_ids, in order (of the events the app receives).
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
        bool late = false;  // a slash command or interactive ack after command_ack_deadline
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
    // Everything the channel's history holds, oldest first, thread replies included, each as
    // conversations.history/replies return it.
    std::vector<nlohmann::json> history(const std::string& channel_id) const;
    // chat.postEphemeral bodies that succeeded for this user in this channel, each with its
    // "message_ts" added.
    std::vector<nlohmann::json> ephemeral_messages(const std::string& channel_id, const std::string& user) const;
    // Views the bot opened with views.open, oldest first: the view as views.open returned it
    // (with its "id"), for whom, and with which trigger_id.
    struct opened_view {
        std::string id, user, trigger_id;
        nlohmann::json view;
    };
    std::vector<opened_view> views() const;

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
    // event_ids of the events Slack gave up on (retries spent, or expire_undelivered()), in order.
    std::vector<std::string> lost_events() const;
    // Slash commands and interactive payloads the user saw fail: "operation_timeout" (not acked
    // within command_ack_deadline) or "dispatch_failed" (no connection open), in order.
    struct command_failure {
        std::string envelope_id;
        std::string error;
        std::chrono::steady_clock::time_point at;
    };
    std::vector<command_failure> command_failures() const;
    // --- end observing envelopes and client closes --------------------------------------

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ib::sim
