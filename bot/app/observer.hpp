// What the bot's parts report as they work, for its metrics and readiness (issue 14): the
// recorder after each group commit, the executors after each event, incident and reminder.
// Interfaces only, so the recorder, the executors and their tests need neither prometheus-cpp
// nor Beast; the wiring (bot_app.cpp) passes the implementation over bot/ops's registry and
// service status (bot/app/ops_observer.hpp). Every method does nothing by default.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ib::bot {

// One group commit of the recorder.
struct group_report {
    std::size_t size = 0;                        // jobs in the group (0: an idle probe, recorder.hpp)
    std::chrono::steady_clock::duration took{};  // from its first write until durable (or failed)
    bool durable = true;                         // false: the commit failed, nothing of it stored
    std::string failure;                         // why, when not durable
};

class recorder_observer {
public:
    virtual ~recorder_observer() = default;
    // One job was queued. Any thread, under the recorder's lock: keep it to an atomic update.
    virtual void queued() {}
    // A group was committed, or its commit failed; its jobs are no longer pending. On the
    // storage thread, before the group's completions are handed to the I/O thread.
    virtual void committed(const group_report&) {}
    // A group's commit failed (`why`) and is to be tried again: reported at every failed attempt,
    // while committed() comes once the group is done. On the storage thread.
    virtual void commit_failed(const std::string& /*why*/) {}
};

// What an event's write came to (set on the storage thread, read by its completion).
enum class write_outcome {
    none,       // nothing to store (the bot's own join, …)
    stored,     // a new timeline entry
    duplicate,  // already stored: a redelivery, acked again without a second copy
};

class app_observer {
public:
    virtual ~app_observer() = default;
    // An event was acked once its write was durable, `latency` after it was read. I/O thread.
    virtual void event_acked(write_outcome, std::chrono::steady_clock::duration /*latency*/) {}
    // The bot now holds `count` open incidents (after a declare, resolve or reopen). I/O thread.
    virtual void open_incidents(std::size_t /*count*/) {}
    // A status-page reminder was posted. I/O thread.
    virtual void reminder_posted() {}
    // The catch-up from Slack's history (backfill.hpp) started (true) or ended (false). I/O thread.
    virtual void backfill_running(bool) {}
    // One page of history was stored: `stored` entries (messages, joins, leaves, pins) were new. I/O thread.
    virtual void backfilled(std::size_t /*stored*/) {}

    // The observer that reports nowhere (tests, and until the app wires its own).
    static app_observer& none() {
        static app_observer nothing;
        return nothing;
    }
};

}  // namespace ib::bot
