// slack-sim: runs the Slack simulator for manual sessions.
//
//   slack-sim [--like-slack] [--tls CERT KEY] [--ping-ms N] [--redeliver-ms N]
//
// --like-slack: every Slack behaviour on (simulator_options::like_slack(): events retried at
// once, after 1 and 5 minutes, then lost while no connection is open; random connection choice).
// Options after it override its values.
//
// Prints the Web API URL and the tokens, then serves until SIGINT/SIGTERM. Point the bot
// at it with SLACK_API_URL=<api_url> SLACK_APP_TOKEN=<app token> SLACK_BOT_TOKEN=<bot token>.

#include "sim/slack_simulator.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <pthread.h>

namespace {

int
usage(const char* argv0)
{
    std::cerr << "usage: " << argv0 << " [--like-slack] [--tls CERT KEY] [--ping-ms N] [--redeliver-ms N]\n";
    return 2;
}

}  // namespace

int
main(int argc, char** argv)
{
    ib::sim::simulator_options opts;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--like-slack") {
            auto tls_cert = opts.tls_cert_file;
            auto tls_key = opts.tls_key_file;
            opts = ib::sim::simulator_options::like_slack();
            opts.tls_cert_file = tls_cert;
            opts.tls_key_file = tls_key;
        } else if (arg == "--tls" && i + 2 < argc) {
            opts.tls_cert_file = argv[++i];
            opts.tls_key_file = argv[++i];
        } else if (arg == "--ping-ms" && i + 1 < argc) {
            opts.ping_interval = std::chrono::milliseconds(std::atol(argv[++i]));
        } else if (arg == "--redeliver-ms" && i + 1 < argc) {
            opts.redeliver_after = std::chrono::milliseconds(std::atol(argv[++i]));
        } else {
            return usage(argv[0]);
        }
    }

    // Block the signals before the simulator's thread starts, so it inherits the mask
    // and only sigwait below sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    ib::sim::slack_simulator sim(opts);
    try {
        sim.start();
    } catch (const std::exception& e) {
        std::cerr << "slack-sim: " << e.what() << '\n';
        return 1;
    }
    std::cout << "api_url    " << sim.api_url() << '\n'
              << "app_token  " << opts.app_token << '\n'
              << "bot_token  " << opts.bot_token << '\n'
              << "bot_user   " << sim.bot_user_id() << " (bot_id " << sim.bot_id() << ")\n"
              << "Ctrl-C to stop" << std::endl;

    int sig = 0;
    sigwait(&signals, &sig);
    std::cout << "slack-sim: stopping (" << sim.calls().size() << " API calls, " << sim.ack_count() << " acks)"
              << std::endl;
    sim.stop();
    return 0;
}
