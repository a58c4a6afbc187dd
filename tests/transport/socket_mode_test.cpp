// socket_mode_client against the in-repo Slack simulator, in process, over a real socket:
// the flow control the bot uses to keep a burst from piling up in memory.
#include "sim/slack_simulator.hpp"
#include "bot/transport/socket_mode.hpp"
#include "bot/transport/tls.hpp"
#include "bot/transport/web_client.hpp"
#include "core/slack/envelope.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

namespace net = boost::asio;
using namespace ib;
using namespace std::chrono_literals;

namespace {

// One socket_mode_client on its own I/O thread, acking every event it is handed.
struct client_fixture {
    sim::slack_simulator slack;
    net::io_context ioc{1};
    std::shared_ptr<net::ssl::context> tls = bot::make_client_tls_context();
    std::unique_ptr<bot::web_client> api;  // after slack.start(): it needs the port
    std::atomic<std::size_t> handled{0};
    std::unique_ptr<bot::socket_mode_client> sm;
    std::promise<int> exit_code;
    std::thread io;

    client_fixture() {
        slack.start();
        api = std::make_unique<bot::web_client>(ioc.get_executor(), slack.api_url(), tls);
        bot::socket_mode_options opts;
        opts.app_token = slack.options().app_token;
        sm = std::make_unique<bot::socket_mode_client>(
            ioc.get_executor(), *api, tls, opts, [this](slack::frame&& f, std::shared_ptr<bot::frame_sink> sink) {
                if (auto* ev = std::get_if<slack::events_api>(&f)) {
                    ++handled;
                    sink->send(slack::make_ack(ev->envelope_id));
                }
            });
        net::co_spawn(
            ioc, [this]() -> net::awaitable<void> { exit_code.set_value(co_await sm->run()); }, net::detached);
        io = std::thread([this] { ioc.run(); });
    }

    ~client_fixture() {
        net::post(ioc, [this] { sm->stop(); });  // not waited for: run() may have returned already
        io.join();
        slack.stop();
    }

    // Runs f on the client's I/O thread and waits until it has run.
    template <class F>
    void on_io(F f) {
        std::promise<void> done;
        net::post(ioc, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
};

}  // namespace

TEST_CASE("socket mode: while reading is paused no frame is handled; resuming delivers them all, in order") {
    client_fixture t;
    REQUIRE(t.slack.wait_connected(5s));
    const auto ch = t.slack.create_channel("flow", "U0ALICE");
    t.slack.post_message(ch, "U0ALICE", "before");
    REQUIRE(t.slack.wait_for([&] { return t.slack.ack_count() == 1; }, 5s));
    REQUIRE(t.handled == 1);

    bool paused = false;
    t.on_io([&] {
        t.sm->pause_reading();
        paused = t.sm->reading_paused();
    });
    CHECK(paused);
    std::vector<std::string> texts;
    for (int i = 0; i < 50; ++i) texts.push_back("message " + std::to_string(i));
    const auto ids = t.slack.post_messages(ch, "U0ALICE", texts);
    std::this_thread::sleep_for(500ms);
    // The read already waiting when the pause came may still complete: at most one frame.
    CHECK(t.handled <= 2);
    CHECK(t.slack.ack_count() <= 2);

    t.on_io([&] { t.sm->resume_reading(); });
    REQUIRE(t.slack.wait_for([&] { return t.slack.ack_count() == 51; }, 5s));
    CHECK(t.handled == 51);
    const auto acks = t.slack.acks();
    for (std::size_t i = 0; i < ids.size(); ++i) CHECK(acks[i + 1].envelope_id == ids[i]);
}

TEST_CASE("socket mode: stop() while reading is paused ends run() at once with 0") {
    auto t = std::make_unique<client_fixture>();
    REQUIRE(t->slack.wait_connected(5s));
    t->on_io([&] { t->sm->pause_reading(); });
    auto code = t->exit_code.get_future();
    const auto asked = std::chrono::steady_clock::now();
    t->on_io([&] { t->sm->stop(); });
    REQUIRE(code.wait_for(5s) == std::future_status::ready);
    CHECK(code.get() == 0);
    CHECK(std::chrono::steady_clock::now() - asked < 2s);
}
