// The bot's parts around an executor for the app tests: a scripted slack_api (the seam), a sink
// that keeps the acks, and a real recorder and reader on a SQLite file, on one io_context. No
// sockets, no Beast.
#pragma once

#include "bot/app/executor.hpp"

#include "../core/flows_support.hpp"
#include "../storage/storage_test_util.hpp"
#include "core/commands.hpp"
#include "core/flows/declare.hpp"
#include "core/incident_commands.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <map>
#include <utility>

namespace ib_test::app {

using namespace ib;
using namespace ib::bot;
using namespace std::chrono_literals;
namespace net = boost::asio;


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

inline std::string created_body(const std::string& id, const std::string& name) {
    auto body = nlohmann::json::parse(ib_test::fixture_text("web-api-conversations.create-ok.json"));
    body["channel"]["id"] = id;
    body["channel"]["name"] = name;
    return body.dump();
}

// The bot's parts around an executor, on one io_context, with a recorder on a temp file.
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

struct harness {
    reports seen;
    storage::testing::temp_dir dir;
    net::io_context ioc{1};
    scripted_slack slack;
    recorder rec{storage::store(dir.file("ib.db")), [this](std::function<void()> f) { net::post(ioc, std::move(f)); }};
    reader rd{dir.file("ib.db"), [this](std::function<void()> f) { net::post(ioc, std::move(f)); }};
    app_state st{reminder_policy::defaults()};
    event_intake intake{rec, st, 2000};
    int wakes = 0;
    executor exec{slack, rec, rd, st, intake, [this] { ++wakes; }};
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
        net::co_spawn(ioc, exec.run(std::move(flow), exec.context("cmd:env-cmd", reply, "U0ALICE")),
                      [&](std::exception_ptr e) {
                          finished = true;
                          if (e) std::rethrow_exception(e);
                      });
        run_until([&] { return finished && settled(); });
    }

    // The journal as another connection sees it (what a restart would find).
    std::vector<storage::store::flow_row> journal() const {
        return storage::store(dir.file("ib.db"), {.read_only = true}).unfinished_flows();
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

}  // namespace ib_test::app
