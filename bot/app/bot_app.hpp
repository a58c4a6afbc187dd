// The running bot: wires the Socket Mode client, the Web API client and the recorder together
// and implements what happens for each frame. Asio stays in bot_app.cpp.
#pragma once

#include "core/catchup.hpp"
#include "core/reminders.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ib::bot {

// Exit codes of `incident-bot run` (README, "Command line").
inline constexpr int exit_ok = 0;                // stopped as asked (SIGTERM, SIGINT)
inline constexpr int exit_failed = 1;            // Slack refused a token or could not be reached, …
inline constexpr int exit_internal_error = 70;   // an unexpected exception (EX_SOFTWARE): restart it
inline constexpr int exit_storage_failed = 74;   // commits kept failing (EX_IOERR): disk full?
inline constexpr int exit_database_in_use = 75;  // another run holds the database (EX_TEMPFAIL)

struct app_config {
    std::string db_path = "incident-bot.db";
    std::string api_url = "https://slack.com/api/";
    std::string app_token;                          // xapp-…
    std::string bot_token;                          // xoxb-…
    ib::reminder_policy reminder_cadence = ib::reminder_policy::defaults();  // status-page reminders per severity
    std::chrono::milliseconds idle_timeout{30000};  // dead-connection detection on the WebSocket
    std::chrono::milliseconds hello_timeout{10000};  // Slack must say hello this soon after the handshake
    // Failing commits stop reading from Slack and are retried; after this long the bot exits
    // with exit_storage_failed. (No flag: tests shorten it in their fault-injection build.)
    std::chrono::milliseconds storage_deadline{std::chrono::minutes{5}};
    // Flow control: with this many events waiting to be stored, stop reading from Slack until a
    // quarter of them remain (bounds memory in a burst; TCP holds Slack back meanwhile).
    std::size_t max_pending_writes = 2000;
    bool handle_signals = true;                     // SIGINT/SIGTERM stop the bot (off when embedded)
    std::string responders;                         // user group ID whose members alone may resolve,
                                                    // reopen, change severity, roles, detection; "" = anyone
    ib::catchup_setting catchup{ib::default_catchup_after};  // --catchup-after: late joiners' catch-up
    // --claim-lease: a reminder another instance claimed and has not marked this long after is
    // taken over (core/reminders.hpp, claim_lease); so is a journalled flow (core/flows/journal.hpp)
    // or a catch-up of a gap (core/flows/backfill.hpp) another instance has not renewed that long.
    std::chrono::seconds claim_lease = ib::default_claim_lease;
};

class app {
public:
    // Takes a SQLite file's run lock (throws storage::database_in_use naming the pid that holds
    // it; PostgreSQL takes none: several instances share it) and opens the database (throws
    // storage::storage_error with a one-line reason).
    explicit app(app_config cfg);
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    // Checks the bot token (auth.test), resumes the flows a restart interrupted, connects and
    // records until stopped. Returns the exit code: exit_ok after a requested stop, exit_failed
    // when Slack refused a token or could not be reached, exit_internal_error after an
    // unexpected exception, exit_storage_failed when commits failed for storage_deadline.
    int run();

    // Asks run() to finish: closes the socket cleanly and flushes the recorder. Thread-safe.
    void request_stop();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace ib::bot
