// The Socket Mode supervisor stepped event by event, in the style of Boost.Redis'
// test_run_fsm.cpp: each step feeds one event and checks the next action and its log line.
#include "core/slack/supervisor.hpp"

#include "core/backoff.hpp"

#include <doctest/doctest.h>

#include <climits>
#include <string>
#include <vector>

using namespace ib::slack;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using sv = supervisor;
using at = supervisor::action_type;
using st = supervisor::state;

namespace {

constexpr const char* url = "wss://wss-primary.slack.com/link/?ticket=t1&app_id=A1";

// The machine under test, a manual clock and a recorder of log lines (like Redis' log fixture).
struct fixture {
    supervisor sup;
    supervisor::time_point now{};
    double random = 0.5;
    std::vector<std::string> logs;

    supervisor::action step(const supervisor::event& ev) {
        auto act = sup.resume(ev, now, random);
        if (!act.log.empty()) logs.push_back(act.log);
        return act;
    }

    // start -> opened -> connected -> hello: a live session.
    void go_live() {
        REQUIRE(step(sv::start{}).type == at::call_open);
        REQUIRE(step(sv::opened{url}).type == at::connect);
        REQUIRE(step(sv::connected{}).type == at::read);
        REQUIRE(step(sv::hello{}).type == at::read);
        REQUIRE(sup.current() == st::live);
    }

    // From backing_off: timer -> open -> connect, ready for the next failure or hello.
    void retry_until_connecting() {
        REQUIRE(step(sv::timer_fired{}).type == at::call_open);
        REQUIRE(step(sv::opened{url}).type == at::connect);
    }

    // A machine in state `s`, reached by the normal path.
    static fixture in_state(st s) {
        fixture f;
        if (s == st::idle) return f;
        f.step(sv::start{});
        if (s == st::opening) return f;
        if (s == st::stopped) {
            f.step(sv::stop_requested{});
            return f;
        }
        if (s == st::backing_off) {
            f.step(sv::open_failed{api_outcome::retryable, "internal_error", 0s});
            return f;
        }
        f.step(sv::opened{url});
        if (s == st::connecting) return f;
        f.step(sv::connected{});
        if (s == st::awaiting_hello) return f;
        f.step(sv::hello{});
        return f;
    }
};

// Bounds of a jittered delay for `attempt` with the default policy (20 % jitter downwards).
milliseconds raw_delay(int attempt) { return ib::next_delay(attempt, 1.0); }

}  // namespace

TEST_SUITE("supervisor") {

TEST_CASE("backoff: capped exponential with jitter passed in") {
    CHECK(ib::next_delay(1, 1.0) == 1000ms);
    CHECK(ib::next_delay(2, 1.0) == 2000ms);
    CHECK(ib::next_delay(5, 1.0) == 16000ms);
    CHECK(ib::next_delay(6, 1.0) == 30000ms);  // 32 s capped
    CHECK(ib::next_delay(1'000'000, 1.0) == 30000ms);
    CHECK(ib::next_delay(0, 1.0) == 1000ms);   // below 1 counts as 1
    CHECK(ib::next_delay(-3, 1.0) == 1000ms);
    CHECK(ib::next_delay(1, 0.0) == 800ms);    // jitter spreads downwards only
    CHECK(ib::next_delay(6, 0.0) == 24000ms);
    CHECK(ib::next_delay(3, 0.5) == 3600ms);
    CHECK(ib::next_delay(3, 7.0) == 4000ms);   // out-of-range randoms are clamped
    CHECK(ib::next_delay(3, -1.0) == 3200ms);
    const ib::backoff_policy no_jitter{500ms, 4000ms, 0.0};
    CHECK(ib::next_delay(1, 0.3, no_jitter) == 500ms);
    CHECK(ib::next_delay(4, 0.3, no_jitter) == 4000ms);
    const ib::backoff_policy zero_base{0ms, 4000ms, 0.2};
    CHECK(ib::next_delay(INT_MAX, 0.3, zero_base) == 0ms);  // terminates, no overflow
}

TEST_CASE("normal start: open, connect, hello, read") {
    fixture f;
    CHECK(f.sup.current() == st::idle);

    auto act = f.step(sv::start{});
    CHECK(act.type == at::call_open);
    CHECK(act.log == "Socket Mode: opening a connection");
    CHECK(f.sup.current() == st::opening);

    act = f.step(sv::opened{url});
    CHECK(act.type == at::connect);
    CHECK(act.url == url);
    CHECK(f.sup.current() == st::connecting);

    act = f.step(sv::connected{});
    CHECK(act.type == at::read);
    CHECK(f.sup.current() == st::awaiting_hello);

    act = f.step(sv::hello{});
    CHECK(act.type == at::read);
    CHECK(act.log == "Socket Mode: connected");
    CHECK(f.sup.current() == st::live);
    CHECK(f.sup.failures() == 0);
    CHECK(f.logs.size() == 2);
}

TEST_CASE("a refresh_requested or warning disconnect reopens at once, not counted as a failure") {
    for (const auto reason :
         {disconnect_reason::refresh_requested, disconnect_reason::warning, disconnect_reason::other}) {
        CAPTURE(to_string(reason));
        fixture f;
        f.go_live();
        f.now += 5s;
        auto act = f.step(sv::disconnect{reason});
        CHECK(act.type == at::close_and_reopen);
        CHECK(act.log == "Slack sent disconnect (" + std::string(to_string(reason)) + "); reconnecting now");
        CHECK(f.sup.current() == st::opening);
        CHECK(f.sup.failures() == 0);

        // The reopen continues like a normal start.
        CHECK(f.step(sv::opened{"wss://second"}).url == "wss://second");
        CHECK(f.step(sv::connected{}).type == at::read);
        CHECK(f.step(sv::hello{}).type == at::read);
        CHECK(f.sup.current() == st::live);
    }
}

TEST_CASE("repeated I/O errors back off exponentially up to 30 s, within the jitter bounds") {
    for (const double random : {0.0, 0.5, 0.999}) {
        CAPTURE(random);
        fixture f;
        f.random = random;
        f.go_live();
        // The first failure: the live session drops.
        auto act = f.step(sv::io_error{"read: timeout"});
        REQUIRE(act.type == at::wait);
        CHECK(f.sup.current() == st::backing_off);
        std::vector<milliseconds> delays{act.delay};
        // Then every reconnect fails at the handshake.
        for (int i = 0; i < 7; ++i) {
            f.retry_until_connecting();
            act = f.step(sv::io_error{"connect: connection refused"});
            REQUIRE(act.type == at::wait);
            delays.push_back(act.delay);
        }
        REQUIRE(delays.size() == 8);
        for (std::size_t i = 0; i < delays.size(); ++i) {
            const int attempt = static_cast<int>(i) + 1;
            CAPTURE(attempt);
            const milliseconds hi = raw_delay(attempt);
            CHECK(delays[i] <= hi);
            CHECK(delays[i] >= hi * 8 / 10);
            CHECK(delays[i] <= 30s);
            if (i > 0) CHECK(delays[i] >= delays[i - 1]);  // same random: never shorter
        }
        CHECK(delays.back() >= 24s);  // capped region reached
        CHECK(f.sup.failures() == 8);
    }
}

TEST_CASE("reconnect log lines give the reason and the delay") {
    fixture f;
    f.random = 1.0;  // no jitter reduction: exact raw delays
    f.go_live();
    f.step(sv::io_error{"read: timeout"});
    f.retry_until_connecting();
    f.step(sv::io_error{"handshake: 403"});
    f.retry_until_connecting();
    f.step(sv::connected{});
    f.step(sv::io_error{"no hello within 10s"});
    const std::vector<std::string> expected{
        "Socket Mode: opening a connection",
        "Socket Mode: connected",
        "connection lost: read: timeout; retrying in 1.0s (failure 1)",
        "connect failed: handshake: 403; retrying in 2.0s (failure 2)",
        "connection failed before hello: no hello within 10s; retrying in 4.0s (failure 3)",
    };
    CHECK(f.logs == expected);
}

TEST_CASE("every reconnect carries a fixed reason label (metrics, /readyz); other actions carry none") {
    fixture f;
    CHECK(f.step(sv::start{}).reconnect_reason.empty());
    CHECK(f.step(sv::opened{url}).reconnect_reason.empty());
    CHECK(f.step(sv::connected{}).reconnect_reason.empty());
    CHECK(f.step(sv::hello{}).reconnect_reason.empty());
    CHECK(f.step(sv::disconnect{disconnect_reason::refresh_requested}).reconnect_reason == "refresh_requested");
    f.step(sv::opened{url});
    f.step(sv::connected{});
    f.step(sv::hello{});
    CHECK(f.step(sv::io_error{"read: timeout"}).reconnect_reason == "connection_lost");
    f.retry_until_connecting();
    CHECK(f.step(sv::io_error{"connect: refused"}).reconnect_reason == "connect_failed");
    f.retry_until_connecting();
    f.step(sv::connected{});
    CHECK(f.step(sv::io_error{"closed"}).reconnect_reason == "no_hello");
    CHECK(f.step(sv::timer_fired{}).reconnect_reason.empty());
    CHECK(f.step(sv::open_failed{api_outcome::retryable, "internal_error", 0s}).reconnect_reason == "open_failed");
    f.step(sv::timer_fired{});
    CHECK(f.step(sv::open_failed{api_outcome::rate_limited, "ratelimited", 3s}).reconnect_reason ==
          "open_rate_limited");
    f.step(sv::timer_fired{});
    f.step(sv::opened{url});
    f.step(sv::connected{});
    f.step(sv::hello{});
    CHECK(f.step(sv::disconnect{disconnect_reason::link_disabled}).reconnect_reason == "link_disabled");
    CHECK(f.step(sv::stop_requested{}).reconnect_reason.empty());
}

TEST_CASE("a session live for more than 60 s resets the failure count") {
    fixture f;
    f.random = 1.0;
    f.go_live();
    // Three failures in a row.
    f.step(sv::io_error{"read: eof"});
    for (int i = 0; i < 2; ++i) {
        f.retry_until_connecting();
        f.step(sv::io_error{"connect: refused"});
    }
    REQUIRE(f.sup.failures() == 3);

    SUBCASE("long session: back to the first delay") {
        f.retry_until_connecting();
        f.step(sv::connected{});
        f.step(sv::hello{});
        f.now += 61s;
        const auto act = f.step(sv::io_error{"read: eof"});
        CHECK(act.type == at::wait);
        CHECK(act.delay == 1000ms);
        CHECK(f.sup.failures() == 1);
    }
    SUBCASE("short session: the count keeps growing") {
        f.retry_until_connecting();
        f.step(sv::connected{});
        f.step(sv::hello{});
        f.now += 59s;
        const auto act = f.step(sv::io_error{"read: eof"});
        CHECK(act.delay == 8000ms);
        CHECK(f.sup.failures() == 4);
    }
    SUBCASE("a routine disconnect after a long session also forgets the failures") {
        f.retry_until_connecting();
        f.step(sv::connected{});
        f.step(sv::hello{});
        f.now += 2h;
        CHECK(f.step(sv::disconnect{disconnect_reason::refresh_requested}).type == at::close_and_reopen);
        CHECK(f.sup.failures() == 0);
    }
}

TEST_CASE("apps.connections.open rate limited waits Retry-After") {
    fixture f;
    f.random = 1.0;
    f.step(sv::start{});

    // The outcome as the driver would get it from parse_api_response on a real 429.
    const auto r = parse_api_response(429, R"({"ok":false,"error":"ratelimited"})", 45);
    REQUIRE(r.outcome == api_outcome::rate_limited);
    auto act = f.step(sv::open_failed{r.outcome, r.error, r.retry_after});
    CHECK(act.type == at::wait);
    CHECK(act.delay == 45s);
    CHECK(act.log == "apps.connections.open rate limited (ratelimited); retrying in 45.0s (failure 1)");
    CHECK(f.sup.current() == st::backing_off);

    SUBCASE("never less than the backoff") {
        CHECK(f.step(sv::timer_fired{}).type == at::call_open);
        act = f.step(sv::open_failed{api_outcome::rate_limited, "ratelimited", 1s});
        CHECK(act.delay == 2s);  // backoff for failure 2 beats Retry-After: 1
    }
}

TEST_CASE("apps.connections.open with a bad token stops with a config exit code") {
    fixture f;
    f.step(sv::start{});
    const auto r = parse_api_response(200, R"({"ok":false,"error":"invalid_auth"})", std::nullopt);
    auto act = f.step(sv::open_failed{r.outcome, r.error, r.retry_after});
    CHECK(act.type == at::stop);
    CHECK(act.exit_code == supervisor::exit_config_error);
    CHECK(act.exit_code != 0);
    CHECK(act.reason == "apps.connections.open failed: invalid_auth \u2014 check SLACK_APP_TOKEN");
    CHECK(act.log == act.reason);
    CHECK(f.sup.current() == st::stopped);

    // Stopped is terminal.
    CHECK(f.step(sv::start{}).type == at::none);
    CHECK(f.step(sv::timer_fired{}).type == at::none);
    CHECK(f.step(sv::stop_requested{}).type == at::none);
    CHECK(f.sup.current() == st::stopped);
}

TEST_CASE("a plain ws:// Socket Mode URL is refused unless the host is loopback") {
    SUBCASE("another host: stop with a config exit code and a one-line reason, never connect") {
        fixture f;
        f.step(sv::start{});
        auto act = f.step(sv::opened{"ws://wss-primary.slack.com/link/?ticket=t1"});
        CHECK(act.type == at::stop);
        CHECK(act.exit_code == supervisor::exit_config_error);
        CHECK(act.reason.find("plain ws://") != std::string::npos);
        CHECK(act.reason.find("wss-primary.slack.com") != std::string::npos);
        CHECK(act.reason.find('\n') == std::string::npos);
        CHECK(act.log == act.reason);
        CHECK(f.sup.current() == st::stopped);
    }
    SUBCASE("the simulator on this machine: connect as usual") {
        for (const char* local : {"ws://127.0.0.1:41234/link/?ticket=t1", "ws://[::1]:41234/link/", "ws://localhost:1/"}) {
            fixture f;
            f.step(sv::start{});
            const auto act = f.step(sv::opened{local});
            CHECK_MESSAGE(act.type == at::connect, local);
            CHECK(act.url == local);
        }
    }
}

TEST_CASE("other apps.connections.open failures back off") {
    fixture f;
    f.random = 1.0;
    f.step(sv::start{});
    auto act = f.step(sv::open_failed{api_outcome::retryable, "internal_error", 0s});
    CHECK(act.type == at::wait);
    CHECK(act.delay == 1s);
    CHECK(act.log == "apps.connections.open failed: internal_error; retrying in 1.0s (failure 1)");

    f.step(sv::timer_fired{});
    act = f.step(sv::io_error{"resolve slack.com: host not found"});
    CHECK(act.type == at::wait);
    CHECK(act.log == "apps.connections.open failed: resolve slack.com: host not found; retrying in 2.0s (failure 2)");

    f.step(sv::timer_fired{});
    act = f.step(sv::opened{""});
    CHECK(act.type == at::wait);
    CHECK(act.log == "apps.connections.open failed: no url in the response; retrying in 4.0s (failure 3)");
}

TEST_CASE("link_disabled backs off the longest delay instead of reconnecting at once") {
    fixture f;
    f.random = 0.5;
    f.go_live();
    f.now += 10min;
    const auto act = f.step(sv::disconnect{disconnect_reason::link_disabled});
    CHECK(act.type == at::wait);
    CHECK(act.delay >= 24s);
    CHECK(act.delay <= 30s);
    CHECK(act.log == "Slack sent disconnect (link_disabled); retrying in 27.0s (failure 1)");
    CHECK(f.sup.current() == st::backing_off);
}

TEST_CASE("too_many_websockets and disconnects before hello count as failures") {
    fixture f;
    f.random = 1.0;
    f.go_live();
    auto act = f.step(sv::disconnect{disconnect_reason::too_many_websockets});
    CHECK(act.type == at::wait);
    CHECK(act.delay == 1s);
    CHECK(f.sup.failures() == 1);

    f.retry_until_connecting();
    f.step(sv::connected{});
    act = f.step(sv::disconnect{disconnect_reason::refresh_requested});
    CHECK(act.type == at::wait);
    CHECK(act.delay == 2s);
    CHECK(act.log == "Slack sent disconnect (refresh_requested) before hello; retrying in 2.0s (failure 2)");
}

TEST_CASE("hello has a deadline: connected reads with hello_timeout; no hello in time is a failed attempt") {
    fixture f;
    f.step(sv::start{});
    f.step(sv::opened{url});
    auto act = f.step(sv::connected{});
    CHECK(act.type == at::read);
    CHECK(act.delay == supervisor::default_hello_timeout);
    CHECK(supervisor::default_hello_timeout == 10s);
    // A late timer while waiting: read on, the deadline stands (no new one).
    act = f.step(sv::timer_fired{});
    CHECK(act.type == at::read);
    CHECK(act.delay == 0ms);
    // The deadline passed: the socket goes, a backoff, one line saying why.
    act = f.step(sv::no_hello{});
    CHECK(act.type == at::wait);
    CHECK(f.sup.current() == st::backing_off);
    CHECK(f.sup.failures() == 1);
    CHECK(act.log.starts_with("connection failed before hello: Slack sent no hello within 10.0s; retrying in "));
    CHECK(act.log.ends_with(" (failure 1)"));
    // The next attempt gets the deadline again; a live session reads without one.
    f.retry_until_connecting();
    CHECK(f.step(sv::connected{}).delay == 10s);
    CHECK(f.step(sv::hello{}).delay == 0ms);

    supervisor quick({}, 60s, 250ms);
    quick.resume(sv::start{}, {}, 0.5);
    quick.resume(sv::opened{url}, {}, 0.5);
    CHECK(quick.resume(sv::connected{}, {}, 0.5).delay == 250ms);
}

TEST_CASE("live: a second hello, a late deadline or timer never stall the reader") {
    fixture f;
    f.go_live();
    for (const supervisor::event& ev : {supervisor::event{sv::hello{}}, supervisor::event{sv::no_hello{}},
                                        supervisor::event{sv::timer_fired{}}, supervisor::event{sv::connected{}}}) {
        const auto act = f.step(ev);
        CHECK(act.type == at::read);
        CHECK(act.delay == 0ms);
        CHECK(f.sup.current() == st::live);
    }
    CHECK(f.sup.failures() == 0);
    CHECK(f.logs == std::vector<std::string>{"Socket Mode: opening a connection", "Socket Mode: connected"});
}

TEST_CASE("stop_requested stops from every state") {
    for (const st s : {st::idle, st::opening, st::connecting, st::awaiting_hello, st::live, st::backing_off}) {
        CAPTURE(to_string(s));
        auto f = fixture::in_state(s);
        REQUIRE(f.sup.current() == s);
        const auto act = f.step(sv::stop_requested{});
        CHECK(act.type == at::stop);
        CHECK(act.exit_code == supervisor::exit_ok);
        CHECK(act.reason == "stop requested");
        CHECK(f.sup.current() == st::stopped);
    }
}

TEST_CASE("every event in every state: the expected action, or ignored safely") {
    // The events, one of each kind.
    const std::vector<std::pair<const char*, supervisor::event>> events{
        {"start", sv::start{}},
        {"opened", sv::opened{url}},
        {"open_failed", sv::open_failed{api_outcome::failed, "invalid_arguments", 0s}},
        {"connected", sv::connected{}},
        {"hello", sv::hello{}},
        {"no_hello", sv::no_hello{}},
        {"disconnect", sv::disconnect{disconnect_reason::refresh_requested}},
        {"io_error", sv::io_error{"eof"}},
        {"timer_fired", sv::timer_fired{}},
        {"stop_requested", sv::stop_requested{}},
    };
    // Expected action per state, in the order of `events` (none = ignored).
    struct row {
        st state;
        std::vector<at> actions;
    };
    const std::vector<row> table{
        {st::idle, {at::call_open, at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::stop}},
        {st::opening, {at::none, at::connect, at::wait, at::none, at::none, at::none, at::none, at::wait, at::none, at::stop}},
        {st::connecting, {at::none, at::none, at::none, at::read, at::none, at::none, at::none, at::wait, at::none, at::stop}},
        // While a socket is read, whatever does not end the session is answered with `read`.
        {st::awaiting_hello, {at::none, at::read, at::read, at::read, at::read, at::wait, at::wait, at::wait, at::read, at::stop}},
        {st::live, {at::none, at::read, at::read, at::read, at::read, at::read, at::close_and_reopen, at::wait, at::read, at::stop}},
        {st::backing_off, {at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::call_open, at::stop}},
        {st::stopped, {at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::none, at::none}},
    };
    for (const auto& r : table) {
        for (std::size_t i = 0; i < events.size(); ++i) {
            CAPTURE(to_string(r.state));
            CAPTURE(events[i].first);
            auto f = fixture::in_state(r.state);
            const int failures = f.sup.failures();
            const auto act = f.step(events[i].second);
            CHECK(to_string(act.type) == to_string(r.actions[i]));
            const bool reading = r.state == st::awaiting_hello || r.state == st::live;
            if (act.type == at::none || (reading && act.type == at::read && i != 4)) {
                // Ignored (or, on a socket being read, read on): nothing changed, nothing to log.
                CHECK(f.sup.current() == r.state);
                CHECK(f.sup.failures() == failures);
                CHECK(act.log.empty());
            }
        }
    }
}

}  // TEST_SUITE
