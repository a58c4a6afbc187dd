// The transport's limit: a Socket Mode client that acks every envelope the moment it is parsed
// and stores nothing. Same socket_mode_client and web_client as incident-bot, so the gap between
// this and the bot is what recording (and only recording) costs.
//
//   SLACK_APP_TOKEN=xapp-… SLACK_API_URL=http://127.0.0.1:PORT/api/ null_client
//
// Stops on SIGINT/SIGTERM; prints how many envelopes it acked on stderr.

#include "bot/log.hpp"
#include "bot/transport/socket_mode.hpp"
#include "bot/transport/tls.hpp"
#include "bot/transport/web_client.hpp"
#include "core/slack/envelope.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <variant>

namespace net = boost::asio;
using namespace ib;

namespace {

std::string env(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string(fallback);
}

// The envelope_id of any frame that has one.
const std::string* envelope_id_of(const slack::frame& f) {
    if (auto* e = std::get_if<slack::events_api>(&f)) return &e->envelope_id;
    if (auto* c = std::get_if<slack::slash_command>(&f)) return &c->envelope_id;
    if (auto* i = std::get_if<slack::interactive>(&f)) return &i->envelope_id;
    if (auto* u = std::get_if<slack::unknown_envelope>(&f)) return &u->envelope_id;
    if (auto* b = std::get_if<slack::bad_frame>(&f)) return b->envelope_id ? &*b->envelope_id : nullptr;
    return nullptr;
}

}  // namespace

int main() {
    const std::string app_token = env("SLACK_APP_TOKEN");
    const std::string api_url = env("SLACK_API_URL", "https://slack.com/api/");
    if (app_token.empty()) {
        std::cerr << "null_client: SLACK_APP_TOKEN is not set\n";
        return 2;
    }
    try {
        net::io_context ioc{1};
        auto tls = bot::make_client_tls_context();
        bot::web_client api(ioc.get_executor(), api_url, tls);
        std::uint64_t acked = 0;

        bot::socket_mode_options opts;
        opts.app_token = app_token;
        bot::socket_mode_client sm(ioc.get_executor(), api, tls, opts,
                                   [&acked](slack::frame&& f, std::shared_ptr<bot::frame_sink> sink) {
                                       const std::string* id = envelope_id_of(f);
                                       if (id && !id->empty() && sink->send(slack::make_ack(*id))) ++acked;
                                   });

        net::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&sm](const boost::system::error_code& ec, int) {
            if (!ec) sm.stop();
        });

        int code = 0;
        net::co_spawn(
            ioc,
            [&]() -> net::awaitable<void> {
                code = co_await sm.run();
                signals.cancel();
            },
            net::detached);
        ioc.run();
        bot::log_info("null", "stopped; acked " + std::to_string(acked) + " envelopes");
        return code;
    } catch (const std::exception& e) {
        std::cerr << "null_client: " << e.what() << '\n';
        return 1;
    }
}
