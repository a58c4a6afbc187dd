// The simulator's delivery rules, without sockets: connections are ids, time is a parameter.
// Each case is a Slack behaviour (slack_simulator.hpp cites the sources): retries and their
// delays, events lost while no connection is open, several connections, commands that are never
// retried, acks that come too late.

#include "sim/delivery.hpp"
#include "sim/payloads.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using ib::sim::simulator_options;
using ib::sim::detail::conn_id;
using ib::sim::detail::delivery;
using ib::sim::detail::id_source;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
using no_connection = simulator_options::no_connection;

// A delivery with a clock the test moves.
struct harness {
    explicit harness(simulator_options o = {}) : opts(std::move(o)), out(opts, ids) {}

    simulator_options opts;
    id_source ids;
    delivery out;
    steady::time_point now = steady::now();

    void
    advance(std::chrono::milliseconds d)
    {
        now += d;
        out.on_timer(now);
    }

    // An event as the simulator wraps it; returns its envelope_id.
    std::string
    event(const std::string& text)
    {
        json inner = {{"type", "message"}, {"text", text}, {"channel", "C1"}, {"ts", ids.ts()}};
        auto env = ib::sim::detail::events_api_envelope(ib::sim::detail::event_callback(inner, ids.event_id()),
                                                        ids.uuid());
        return out.submit(env, now);
    }

    std::string
    command(const std::string& text)
    {
        return out.submit({{"type", "slash_commands"}, {"payload", {{"text", text}}}, {"accepts_response_payload", true}},
                          now);
    }

    // Everything connection id would write now, parsed (hello included).
    std::vector<json>
    drain(conn_id id)
    {
        std::vector<json> frames;
        while (auto f = out.next_frame(id, now)) {
            if (f->kind == ib::sim::detail::frame_kind::hello)
                out.hello_written(id);
            frames.push_back(json::parse(f->text));
        }
        return frames;
    }

    void
    ack(const std::string& envelope_id)
    {
        out.client_frame(json{{"envelope_id", envelope_id}}.dump(), now);
    }
};

std::string
text_of(const json& frame)
{
    return frame["payload"]["event"].value("text", "");
}

}  // namespace

TEST_SUITE("sim_delivery") {

TEST_CASE("queue (asked for; kinder than Slack): an event waits for a connection and comes after hello")
{
    simulator_options o;
    o.when_disconnected = no_connection::queue;
    harness h(o);
    h.event("said while down");
    h.advance(10min);
    auto id = h.out.open(h.now);
    auto frames = h.drain(id);
    REQUIRE(frames.size() == 2);
    CHECK(frames[0]["type"] == "hello");
    CHECK(text_of(frames[1]) == "said while down");
    CHECK(frames[1]["retry_attempt"] == 0);
    CHECK(h.out.lost_events().empty());
}

TEST_CASE("retry (Slack, the default): with no connection an event is retried after each delay, then lost")
{
    simulator_options o;
    CHECK(o.when_disconnected == no_connection::retry);
    o.retry_delays = {0ms, 60s, 300s};  // Slack's: at once, 1 min, 5 min
    harness h(o);
    auto first = h.event("said while down");
    auto event_id = h.out.envelope(first)->at("payload").at("event_id").get<std::string>();
    // The first attempt and the immediate retry failed; two more are scheduled.
    CHECK(h.out.lost_events().empty());
    h.advance(59s);
    h.advance(1s);  // retry 2 at 1 min: still nobody connected
    CHECK(h.out.lost_events().empty());
    h.advance(299s);
    CHECK(h.out.lost_events().empty());
    h.advance(1s);  // retry 3 at 5 min fails: given up
    CHECK(h.out.lost_events() == std::vector<std::string>{event_id});
    // A connection opened afterwards gets nothing but hello.
    auto id = h.out.open(h.now);
    CHECK(h.drain(id).size() == 1);
}

TEST_CASE("retry (Slack): a connection opened within the retry window gets the retry")
{
    simulator_options o;
    o.when_disconnected = no_connection::retry;
    o.retry_delays = {0ms, 60s, 300s};
    harness h(o);
    h.event("said while down");
    h.advance(30s);
    auto id = h.out.open(h.now);
    CHECK(h.drain(id).size() == 1);  // not yet: the next retry is at 1 min
    h.advance(30s);
    auto frames = h.drain(id);
    REQUIRE(frames.size() == 1);
    CHECK(text_of(frames[0]) == "said while down");
    CHECK(frames[0]["retry_attempt"] == 2);
    CHECK(frames[0]["retry_reason"] == "timeout");
    h.ack(frames[0]["envelope_id"]);
    h.advance(10min);
    CHECK(h.out.lost_events().empty());
}

TEST_CASE("an unacked event is retried after redeliver_after, on an open connection, up to max_redeliveries")
{
    simulator_options o;
    o.redeliver_after = 3s;
    o.max_redeliveries = 2;
    harness h(o);
    auto id = h.out.open(h.now);
    h.drain(id);
    h.event("slow bot");
    auto first = h.drain(id);
    REQUIRE(first.size() == 1);
    h.advance(2999ms);
    CHECK(h.drain(id).empty());
    h.advance(1ms);
    auto second = h.drain(id);
    REQUIRE(second.size() == 1);
    CHECK(second[0]["retry_attempt"] == 1);
    CHECK(second[0]["payload"]["event_id"] == first[0]["payload"]["event_id"]);
    h.advance(3s);
    auto third = h.drain(id);
    REQUIRE(third.size() == 1);
    CHECK(third[0]["retry_attempt"] == 2);
    h.advance(3s);
    CHECK(h.drain(id).empty());
    CHECK(h.out.lost_events().size() == 1);
    // An ack for an earlier envelope of a dropped event changes nothing.
    h.ack(first[0]["envelope_id"]);
    CHECK(h.out.ack_count() == 1);
}

TEST_CASE("by default an event unacked for 3 s is sent again, like Slack")
{
    harness h;
    auto id = h.out.open(h.now);
    h.drain(id);
    h.event("acked too late");
    REQUIRE(h.drain(id).size() == 1);
    h.advance(3s);
    auto retry = h.drain(id);
    REQUIRE(retry.size() == 1);
    CHECK(retry[0]["retry_attempt"] == 1);
    CHECK(retry[0]["retry_reason"] == "timeout");
}

TEST_CASE("an acked event is never sent again")
{
    simulator_options o;
    o.redeliver_after = 1s;
    harness h(o);
    auto id = h.out.open(h.now);
    h.drain(id);
    auto env = h.event("fine");
    h.drain(id);
    h.ack(env);
    h.advance(10s);
    CHECK(h.drain(id).empty());
    auto a = h.out.wait_ack(env, 0ms);
    REQUIRE(a);
    CHECK_FALSE(a->late);
}

TEST_CASE("several connections (slack-protocol.md §6): by default random choice spreads the events; what a closed one left unacked goes to another")
{
    simulator_options o;  // random is the default, Slack's
    o.seed = 42;
    harness h(o);
    auto a = h.out.open(h.now);
    auto b = h.out.open(h.now);
    h.drain(a);
    h.drain(b);
    for (int i = 0; i < 200; ++i)
        h.event("e" + std::to_string(i));
    auto on_a = h.drain(a);
    auto on_b = h.drain(b);
    CHECK(on_a.size() + on_b.size() == 200);
    CHECK(on_a.size() > 60);  // binomial(200, 1/2): outside 60..140 has probability < 1e-8
    CHECK(on_b.size() > 60);

    // b acks half of its events and dies: the other half reach a, as retries.
    std::set<std::string> unacked;
    for (std::size_t i = 0; i < on_b.size(); ++i) {
        if (i % 2 == 0)
            h.ack(on_b[i]["envelope_id"]);
        else
            unacked.insert(text_of(on_b[i]));
    }
    h.out.closed(b, h.now);
    auto moved = h.drain(a);
    std::set<std::string> got;
    for (auto& f : moved) {
        CHECK(f["retry_attempt"] == 1);
        CHECK(f["retry_reason"] == "timeout");
        got.insert(text_of(f));
    }
    CHECK(got == unacked);
    // Each event went to one connection only: a's own events are not sent again.
    CHECK(moved.size() == unacked.size());

}

namespace {

// The texts of 200 events that the first of two connections got.
std::vector<std::string>
texts_on_first_of_two(const simulator_options& o)
{
    harness h(o);
    auto a = h.out.open(h.now);
    auto b = h.out.open(h.now);
    h.drain(a);
    h.drain(b);
    for (int i = 0; i < 200; ++i)
        h.event("e" + std::to_string(i));
    std::vector<std::string> out;
    for (auto& f : h.drain(a))
        out.push_back(text_of(f));
    return out;
}

}  // namespace

TEST_CASE("several connections: the same seed makes the same choices, another seed others")
{
    simulator_options o;
    o.seed = 42;
    const auto first = texts_on_first_of_two(o);
    CHECK(first.size() > 60);
    CHECK(texts_on_first_of_two(o) == first);
    o.seed = 43;
    CHECK(texts_on_first_of_two(o) != first);
}

TEST_CASE("newest (asked for): everything goes to the newest connection")
{
    simulator_options o;
    o.choose_connection = simulator_options::connection_choice::newest;
    harness h(o);
    auto a = h.out.open(h.now);
    auto b = h.out.open(h.now);
    h.drain(a);
    h.drain(b);
    for (int i = 0; i < 20; ++i)
        h.event("e");
    CHECK(h.drain(a).empty());
    CHECK(h.drain(b).size() == 20);
}

TEST_CASE("commands: never retried; late or missing acks are failures the user sees")
{
    SUBCASE("not acked within the deadline: operation_timeout; a late ack is flagged")
    {
        harness h;
        auto id = h.out.open(h.now);
        h.drain(id);
        auto cmd = h.command("status");
        REQUIRE(h.drain(id).size() == 1);
        h.out.closed(id, h.now);  // its connection dies: Slack does not send it again
        auto id2 = h.out.open(h.now);
        CHECK(h.drain(id2).size() == 1);  // hello only
        h.advance(3001ms);
        auto failures = h.out.command_failures();
        REQUIRE(failures.size() == 1);
        CHECK(failures[0].envelope_id == cmd);
        CHECK(failures[0].error == "operation_timeout");
        h.ack(cmd);
        auto a = h.out.wait_ack(cmd, 0ms);
        REQUIRE(a);
        CHECK(a->late);
    }
    SUBCASE("acked in time: no failure")
    {
        harness h;
        auto id = h.out.open(h.now);
        h.drain(id);
        auto cmd = h.command("status");
        h.drain(id);
        h.advance(2s);
        h.ack(cmd);
        h.advance(5s);
        CHECK(h.out.command_failures().empty());
        CHECK_FALSE(h.out.wait_ack(cmd, 0ms)->late);
    }
    SUBCASE("retry: sent while no connection is open, it fails at once (dispatch_failed)")
    {
        simulator_options o;
        o.when_disconnected = no_connection::retry;
        harness h(o);
        auto cmd = h.command("status");
        auto failures = h.out.command_failures();
        REQUIRE(failures.size() == 1);
        CHECK(failures[0].error == "dispatch_failed");
        auto id = h.out.open(h.now);
        CHECK(h.drain(id).size() == 1);  // hello only
        h.advance(5s);
        CHECK(h.out.command_failures().size() == 1);  // not a second time
        (void)cmd;
    }
    SUBCASE("queue (asked for): it waits for the next connection")
    {
        simulator_options o;
        o.when_disconnected = no_connection::queue;
        harness h(o);
        h.command("status");
        auto id = h.out.open(h.now);
        auto frames = h.drain(id);
        REQUIRE(frames.size() == 2);
        CHECK(frames[1]["type"] == "slash_commands");
    }
}

TEST_CASE("expire_undelivered: what waits for a connection or a retry is given up")
{
    simulator_options o;
    o.when_disconnected = no_connection::retry;
    o.retry_delays = {0ms, 60s};
    harness h(o);
    h.event("scheduled for a retry");
    simulator_options qo;
    qo.when_disconnected = no_connection::queue;
    harness q(qo);  // events and commands wait in the outbox
    q.event("in the outbox");
    auto cmd = q.command("status");
    q.out.submit_text(R"({"type":"disconnect","reason":"warning"})", q.now);
    CHECK(h.out.expire_undelivered(h.now) == 1);
    CHECK(h.out.lost_events().size() == 1);
    CHECK(q.out.expire_undelivered(q.now) == 1);
    REQUIRE(q.out.command_failures().size() == 1);
    CHECK(q.out.command_failures()[0].envelope_id == cmd);
    auto id = q.out.open(q.now);
    auto frames = q.drain(id);
    REQUIRE(frames.size() == 2);  // hello, then the raw frame: not an envelope, it still waits
    CHECK(frames[1]["type"] == "disconnect");
}

TEST_CASE("deadlines: next_deadline says when on_timer must run")
{
    simulator_options o;
    o.when_disconnected = no_connection::retry;
    o.retry_delays = {0ms, 60s};
    harness h(o);
    CHECK_FALSE(h.out.next_deadline());
    h.event("x");
    auto next = h.out.next_deadline();
    REQUIRE(next);
    CHECK(*next == h.now + 60s);
}

}  // TEST_SUITE("sim_delivery")
