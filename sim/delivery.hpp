#pragma once
// Delivery and redelivery: which open Socket Mode connection gets each frame, what is acked,
// what is sent again and when, what waits or is lost while no connection is open, which commands
// the user saw fail. The rules are Slack's, as the options describe (slack_simulator.hpp). Connections are plain ids here;
// the WebSocket I/O (transport.cpp) pulls the frames to write with next_frame() and reports what
// it reads and when a socket ends. Time is a parameter, so all of it is testable without sockets.
//
// Threading: every member is thread-safe (one mutex). Hooks are called without the mutex held.

#include "sim/slack_simulator.hpp"
#include "sim/support.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ib::sim::detail {

using conn_id = std::uint64_t;

enum class frame_kind {
    text,   // a text frame (envelope, disconnect, raw)
    hello,  // the hello text frame: the connection counts as connected once it is written
};

struct out_frame {
    frame_kind kind = frame_kind::text;
    std::string text;
    std::string envelope_id;     // set for envelopes: ack latency is measured from the write
    std::uint64_t delivery = 0;  // set for events_api envelopes tracked for redelivery
};

class delivery {
public:
    struct hooks {
        // Frames now wait on connection id, whose writer had run dry: start it.
        std::function<void(conn_id)> kick;
        // A deadline earlier than the one last returned by next_deadline() exists.
        std::function<void()> rearm;
    };

    delivery(const simulator_options& opts, id_source& ids);
    // Set once, before any connection opens.
    void set_hooks(hooks h);

    //-- frames to send (any thread) ---------------------------------------------------------
    // Queues an envelope (envelope_id filled in when absent). events_api envelopes are tracked
    // until acked and retried per the options; slash_commands and interactive ones get the
    // command ack deadline and are never retried. Returns the envelope_id.
    std::string submit(json envelope, steady::time_point now);
    // Many events_api envelopes, already serialized ({envelope_id, text}), in one step.
    void submit_events(std::vector<std::pair<std::string, std::string>> envelopes, steady::time_point now);
    // A frame that is not an envelope (raw text, disconnect): waits for a connection.
    void submit_text(std::string text, steady::time_point now);
    // Gives up on everything not yet on a socket (slack_simulator::expire_undelivered). Returns
    // the number of events dropped.
    std::size_t expire_undelivered(steady::time_point now);

    //-- connections (the io thread) ----------------------------------------------------------
    // A WebSocket handshake completed: hello first, then what waited for a connection.
    conn_id open(steady::time_point now);
    // A WebSocket handshake completed on a connection that gets nothing, not even hello
    // (slack_simulator::set_hello_withheld): counted as opened, never written to. closed() and
    // next_frame() know no such id.
    conn_id open_without_hello();
    // The socket ended (failed, dropped, closed, silenced): what it left unsent goes to another
    // connection or waits; each event it left unacked is a failed attempt, retried per options.
    void closed(conn_id id, steady::time_point now);
    // The next frame to write on id, or nullopt (the connection's writer then stops until kicked).
    std::optional<out_frame> next_frame(conn_id id, steady::time_point now);
    void hello_written(conn_id id);
    // A text frame from a client: acks are {"envelope_id":…} with an optional "payload".
    void client_frame(const std::string& text, steady::time_point now);
    // A clean WebSocket close from a client.
    void client_close(int code, std::string reason, steady::time_point now);
    // The server stopped: no connection is open any more.
    void stopped();

    //-- timers -------------------------------------------------------------------------------
    // When on_timer() must next run (nullopt: nothing scheduled).
    std::optional<steady::time_point> next_deadline();
    // Ack timeouts, retries that fell due, command deadlines.
    void on_timer(steady::time_point now);

    //-- observers (any thread) -----------------------------------------------------------------
    std::optional<slack_simulator::ack> wait_ack(const std::string& envelope_id, std::chrono::milliseconds timeout) const;
    std::vector<slack_simulator::ack> acks() const;
    std::size_t ack_count() const;
    std::size_t connections_opened() const;
    std::size_t open_connections() const;
    bool wait_connected(std::chrono::milliseconds timeout) const;
    std::optional<json> envelope(const std::string& envelope_id) const;
    std::vector<slack_simulator::client_close> client_closes() const;
    std::vector<std::string> lost_events() const;
    std::vector<slack_simulator::command_failure> command_failures() const;

private:
    struct connection {
        conn_id id = 0;
        std::deque<out_frame> queue;          // not yet handed to the socket
        std::vector<std::uint64_t> inflight;  // deliveries written on this socket
        bool hello_written = false;
        bool idle = false;  // its writer found the queue empty and stopped
    };

    // An events_api event until it is acked or dropped.
    struct tracked {
        std::string text;                       // the envelope as last sent
        std::string envelope_id;                // its current envelope_id
        std::vector<std::string> envelope_ids;  // every envelope_id it was sent under
        std::size_t attempt = 0;                // retry_attempt of the current envelope
        conn_id conn = 0;                       // where it was written
        bool written = false;                   // on the wire and unacked
    };

    // A slash command or interactive payload until acked or failed.
    struct command {
        steady::time_point deadline;
        bool acked = false;
        bool failed = false;
    };

    struct sent_entry {
        steady::time_point at;
        std::uint64_t delivery;
        std::string envelope_id;
    };

    // All private members run with m_ held.
    void accept(out_frame f, const std::string& type, std::size_t attempt, steady::time_point now);
    bool place(out_frame& f);
    void send_event(std::uint64_t d, steady::time_point now);
    void send_command(out_frame f, steady::time_point now);
    void send_other(out_frame f);
    void route(out_frame f, steady::time_point now);
    bool fail_attempt(std::uint64_t d, steady::time_point now);
    void next_attempt(std::uint64_t d);
    void lose(std::uint64_t d);
    void fail_command(const std::string& envelope_id, const std::string& error, steady::time_point now);
    void queue_on(connection& c, out_frame f);
    connection* choose();
    connection* find(conn_id id);
    void forget(std::unordered_map<std::uint64_t, tracked>::iterator it);
    void note_deadline(steady::time_point at);
    std::pair<std::vector<conn_id>, bool> take_hooks();
    // Runs the hooks collected while m_ was held; call with m_ released.
    void run_hooks(std::pair<std::vector<conn_id>, bool> todo);

    const simulator_options& opts_;
    id_source& ids_;
    hooks hooks_;

    mutable std::mutex m_;
    mutable std::condition_variable cv_;
    std::vector<connection> open_;  // open connections, oldest first
    std::deque<out_frame> outbox_;  // frames waiting for a connection
    std::unordered_map<std::uint64_t, tracked> deliveries_;  // unacked events_api envelopes
    std::unordered_map<std::string, std::uint64_t> delivery_by_envelope_;
    std::multimap<steady::time_point, std::uint64_t> retry_at_;  // scheduled retries
    std::unordered_map<std::string, command> commands_;         // by envelope_id
    std::deque<std::pair<steady::time_point, std::string>> command_deadlines_;
    std::unordered_map<std::string, steady::time_point> sent_at_;
    std::deque<sent_entry> sent_order_;  // written tracked envelopes, for redeliver_after
    std::mt19937_64 rng_;
    conn_id conn_seq_ = 0;
    std::uint64_t delivery_seq_ = 0;
    std::vector<conn_id> pending_kicks_;
    bool pending_rearm_ = false;
    std::optional<steady::time_point> armed_;  // the deadline last returned by next_deadline()

    // observers
    std::vector<slack_simulator::ack> acks_;
    std::unordered_map<std::string, std::size_t> ack_index_;
    std::unordered_map<std::string, std::string> envelopes_sent_;  // envelope_id -> frame text
    std::vector<slack_simulator::client_close> client_closes_;
    std::vector<std::string> lost_;
    std::vector<slack_simulator::command_failure> failures_;
    std::size_t opened_ = 0;
    std::size_t connected_ = 0;
};

}  // namespace ib::sim::detail
