// The executor carrying out a declaration through a scripted slack_api (the seam) and a real
// recorder on a SQLite file: no sockets, no Beast. Checks the exact requests sent to Slack, the
// acks, what is stored, and an event that arrives while the incident is being declared.
#include "bot/app/executor.hpp"

#include "../core/flows_support.hpp"
#include "../storage/storage_test_util.hpp"
#include "core/commands.hpp"
#include "core/flows/declare.hpp"
#include "core/incident_commands.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <map>
#include <utility>

using namespace ib;
using namespace ib::bot;
using namespace std::chrono_literals;
namespace net = boost::asio;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:43:23Z");
const std::string base_name = "inc-20261121-checkout-errors";

// Slack behind the seam: answers each method from a script (Slack's fixtures), records requests.
struct scripted_slack final : slack_api {
    struct request {
        std::string method;
        nlohmann::json args;
        bool idempotent = true;
    };
    std::vector<request> requests;
    std::map<std::string, std::deque<std::pair<int, std::string>>> script;  // method -> (HTTP status, body)
    std::function<void(const request&)> on_request;  // runs as each request arrives

    net::awaitable<call_result> call(std::string method, nlohmann::json args, call_options opts) override {
        requests.push_back({method, args, opts.idempotent});
        if (on_request) on_request(requests.back());
        std::pair<int, std::string> answer{200, R"({"ok":true})"};
        if (auto& q = script[method]; !q.empty()) {
            answer = q.front();
            q.pop_front();
        }
        call_result r;
        r.response = slack::parse_api_response(answer.first, answer.second, std::nullopt);
        r.outcome = r.response.outcome;
        r.error = r.response.error;
        r.attempts = 1;
        co_return r;
    }
};

struct recording_sink final : frame_sink {
    std::vector<nlohmann::json> frames;
    bool send(std::string text) override {
        frames.push_back(nlohmann::json::parse(text));
        return true;
    }
};

std::string created_body(const std::string& id, const std::string& name) {
    auto body = nlohmann::json::parse(ib_test::fixture_text("web-api-conversations.create-ok.json"));
    body["channel"]["id"] = id;
    body["channel"]["name"] = name;
    return body.dump();
}

// What the executors report for the metrics (observer.hpp).
struct reports final : app_observer {
    std::vector<write_outcome> acked;
    std::vector<std::size_t> open_counts;
    void event_acked(write_outcome outcome, std::chrono::steady_clock::duration latency) override {
        CHECK(latency >= std::chrono::steady_clock::duration::zero());
        acked.push_back(outcome);
    }
    void open_incidents(std::size_t count) override { open_counts.push_back(count); }
};

// The bot's parts around an executor, on one io_context, with a recorder on a temp file.
struct harness {
    reports seen;
    storage::testing::temp_dir dir;
    net::io_context ioc{1};
    scripted_slack slack;
    recorder rec{storage::store(dir.file("ib.db")), [this](std::function<void()> f) { net::post(ioc, std::move(f)); }};
    app_state st{reminder_policy::defaults()};
    event_intake intake{rec, st, 2000};
    int wakes = 0;
    executor exec{slack, rec, st, intake, [this] { ++wakes; }};
    std::shared_ptr<recording_sink> sink = std::make_shared<recording_sink>();
    // The recorder's completions arrive from its thread: keep run_one_for() waiting for them.
    net::executor_work_guard<net::io_context::executor_type> busy = net::make_work_guard(ioc);

    harness() {
        st.bot_user_id = "U0BOT";
        st.observer = &seen;
    }

    // Runs handlers until `done()`; fails after 10 s.
    void run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(50ms);
        REQUIRE(done());
    }

    // Runs a declaration typed by U0ALICE until `settled()`; fails after 10 s.
    void declare(const std::function<bool()>& settled) {
        auto reply = std::make_shared<command_reply>(command_reply{flows::reply_policy("env-cmd", "U0ALICE"), sink});
        flows::declare_flow flow(cmd::start{"Checkout errors", severity::sev2}, "U0ALICE", "cmd:env-cmd", "U0BOT", t0);
        bool finished = false;
        net::co_spawn(ioc, exec.run(std::move(flow), reply), [&](std::exception_ptr e) {
            finished = true;
            if (e) std::rethrow_exception(e);
        });
        run_until([&] { return finished && settled(); });
    }

    // Reads the file through the recorder (its own connection).
    template <class T>
    T read(std::function<T(storage::store&)> query) {
        T out{};
        bool done = false;
        rec.submit([&](storage::store& s) { out = query(s); }, [&](std::exception_ptr) { done = true; });
        run_until([&] { return done; });
        return out;
    }
};

}  // namespace

TEST_SUITE("executor") {

TEST_CASE("declare through the seam: name_taken, then stored, acked, invited, announced; a held join stored") {
    harness h;
    h.slack.script["conversations.create"] = {
        {200, ib_test::fixture_text("web-api-conversations.create-error-name_taken.json")},
        {200, created_body("C123ABC456", base_name + "-2")},
    };
    // Slack delivers a join in the new channel while the incident is being stored.
    h.slack.on_request = [&](const scripted_slack::request& r) {
        if (r.method != "conversations.create" || r.args["name"] != base_name + "-2") return;
        net::post(h.ioc, [&] {
            h.intake.on_event(ib_test::event_fixture("event-callback-member_joined_channel.json", "env-join"), h.sink);
        });
    };
    h.declare([&] { return h.sink->frames.size() == 2; });

    // The requests, in order, exactly.
    const auto& req = h.slack.requests;
    REQUIRE(req.size() == 5);
    CHECK(req[0].method == "conversations.create");
    CHECK(req[0].args["name"] == base_name);
    CHECK_FALSE(req[0].idempotent);
    CHECK(req[1].args["name"] == base_name + "-2");
    CHECK(req[2].method == "conversations.invite");
    CHECK(req[2].args == nlohmann::json{{"channel", "C123ABC456"}, {"users", "U0ALICE"}});
    CHECK(req[3].method == "conversations.setTopic");
    CHECK(req[4].method == "chat.postMessage");
    CHECK(req[4].args["channel"] == "C123ABC456");
    CHECK_FALSE(req[4].idempotent);

    // The command's ack carries the answer; the held join is acked once it is stored.
    CHECK(h.sink->frames[0]["envelope_id"] == "env-cmd");
    CHECK(h.sink->frames[0]["payload"]["response_type"] == "ephemeral");
    CHECK(h.sink->frames[0]["payload"]["text"].get<std::string>().find("<#C123ABC456|" + base_name + "-2>") !=
          std::string::npos);
    CHECK(h.sink->frames[1] == nlohmann::json{{"envelope_id", "env-join"}});

    // Stored: the incident, its declare entry and the join, in that incident.
    const auto inc = h.read<std::optional<incident>>([](storage::store& s) { return s.latest_incident(); });
    REQUIRE(inc);
    CHECK(inc->channel_id == "C123ABC456");
    CHECK(inc->channel_name == base_name + "-2");
    const auto timeline = h.read<std::vector<timeline_entry>>([&](storage::store& s) { return s.timeline(inc->id); });
    REQUIRE(timeline.size() == 2);  // ordered by `at`: the fixture's join is from 1973 (its event_time)
    const auto& declare = timeline[0].kind == entry_kind::declare ? timeline[0] : timeline[1];
    const auto& join = timeline[0].kind == entry_kind::declare ? timeline[1] : timeline[0];
    CHECK(declare.kind == entry_kind::declare);
    CHECK(declare.key == "cmd:env-cmd");
    CHECK(join.kind == entry_kind::join);
    CHECK(join.user == "W123ABC456");
    CHECK(join.key == "Ev123ABC456");

    // In memory: the channel routes to the incident, whose reminders are scheduled.
    REQUIRE(h.st.channels.find("C123ABC456"));
    CHECK(h.st.channels.find("C123ABC456")->id == inc->id);
    CHECK(h.st.reminders.due_at(inc->id) == t0 + 30min);
    CHECK(h.wakes == 1);

    // Reported for the metrics: one open incident, the held join acked as newly stored.
    CHECK(h.seen.open_counts == std::vector<std::size_t>{1});
    CHECK(h.seen.acked == std::vector<write_outcome>{write_outcome::stored});
}

TEST_CASE("events through the intake: stored, then a redelivery acked as a duplicate; the bot's own join stores nothing") {
    harness h;
    // The fixtures' channel has an incident; the fixtures' joiner is the bot itself.
    h.st.bot_user_id = "W123ABC456";
    incident inc = storage::testing::sample_incident("C123ABC456");
    h.read<std::int64_t>([&](storage::store& s) {
        auto declare = storage::testing::declare_entry("cmd:env-cmd", storage::testing::t0());
        return s.create_incident(inc, declare);
    });
    h.st.channels.set(inc);

    const auto message = [] { return ib_test::event_fixture("event-callback-message.json", "env-m"); };
    h.intake.on_event(message(), h.sink);
    h.run_until([&] { return h.sink->frames.size() == 1; });
    h.intake.on_event(message(), h.sink);  // Slack redelivers it (it saw no ack in time)
    h.run_until([&] { return h.sink->frames.size() == 2; });
    h.intake.on_event(ib_test::event_fixture("event-callback-member_joined_channel.json", "env-j"), h.sink);
    h.run_until([&] { return h.sink->frames.size() == 3; });

    CHECK(h.sink->frames[2] == nlohmann::json{{"envelope_id", "env-j"}});
    CHECK(h.seen.acked ==
          std::vector<write_outcome>{write_outcome::stored, write_outcome::duplicate, write_outcome::none});
    CHECK(h.read<std::size_t>([&](storage::store& s) { return s.timeline_size(inc.id); }) == 2);  // declare, message
}

TEST_CASE("declare through the seam: a rate-limited create is answered in the ack; nothing stored or held") {
    harness h;
    h.slack.script["conversations.create"] = {
        {429, ib_test::fixture_text("web-api-error-ratelimited-429-body.json")},
    };
    h.declare([&] { return h.sink->frames.size() == 1; });
    REQUIRE(h.slack.requests.size() == 1);  // the transport's retries are web_client's, not the flow's
    CHECK(h.sink->frames[0]["payload"]["text"] ==
          ":x: I couldn't create the incident channel (`ratelimited`). Please try again.");
    CHECK_FALSE(h.read<std::optional<incident>>([](storage::store& s) { return s.latest_incident(); }));
    CHECK(h.st.channels.route(ib_test::event_fixture("event-callback-member_joined_channel.json")).what ==
          flows::event_route::kind::ack);
}

TEST_CASE("a flow's log line carries the fields of the effect whose outcome it reports") {
    line_context post = line_context::of(flows::post_message("C123ABC456", "hello"));
    post.add(ib_test::answer(200, "web-api-chat.postMessage-error-too_many_attachments.json"));
    CHECK(post.method == "chat.postMessage");
    CHECK(post.channel == "C123ABC456");
    CHECK(post.error == "too_many_attachments");
    CHECK(post.incident.empty());

    incident inc = storage::testing::sample_incident("C123ABC456");
    line_context declare = line_context::of(flows::create_incident{inc, {}});
    CHECK(declare.incident.empty());  // no id before it is stored
    inc.id = 7;
    declare.add(flows::stored{inc});
    CHECK(declare.incident == "7");
    CHECK(declare.channel == "C123ABC456");
    CHECK(declare.error.empty());

    line_context change = line_context::of(flows::save_change{inc, {}});
    change.add(flows::store_failed{"ib.db: disk I/O error"});
    CHECK(change.incident == "7");
    CHECK(change.error == "ib.db: disk I/O error");
}

}  // TEST_SUITE executor
