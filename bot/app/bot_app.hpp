// The running bot: wires the Socket Mode client, the Web API client and the recorder together
// and implements what happens for each frame. Asio stays in bot_app.cpp.
#pragma once

#include "core/reminders.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ib::bot {

struct app_config {
    std::string db_path = "incident-bot.db";
    std::string api_url = "https://slack.com/api/";
    std::string app_token;                          // xapp-…
    std::string bot_token;                          // xoxb-…
    ib::reminder_policy reminder_cadence = ib::reminder_policy::defaults();  // status-page reminders per severity
    std::chrono::milliseconds idle_timeout{30000};  // dead-connection detection on the WebSocket
    // Flow control: with this many events waiting to be stored, stop reading from Slack until a
    // quarter of them remain (bounds memory in a burst; TCP holds Slack back meanwhile).
    std::size_t max_pending_writes = 2000;
    bool handle_signals = true;                     // SIGINT/SIGTERM stop the bot (off when embedded)
    std::string responders;                         // user group ID whose members alone may resolve,
                                                    // reopen, change severity, roles, detection; "" = anyone
};

class app {
public:
    // Opens the database (throws storage::storage_error with a one-line reason).
    explicit app(app_config cfg);
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    // Checks the bot token (auth.test), connects and records until stopped. Returns the exit
    // code: 0 after a requested stop, 1 when Slack refused a token or could not be reached.
    int run();

    // Asks run() to finish: closes the socket cleanly and flushes the recorder. Thread-safe.
    void request_stop();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace ib::bot
