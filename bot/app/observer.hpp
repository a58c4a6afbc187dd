// What the bot's parts report as they work, for its metrics and readiness (issue 14): the
// recorder after each group commit. Interfaces only, so the recorder and its tests need neither
// prometheus-cpp nor Beast; the wiring (bot_app.cpp) passes the implementation over bot/ops's
// registry and service status. Every method does nothing by default.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ib::bot {

// One group commit of the recorder.
struct group_report {
    std::size_t size = 0;                        // jobs in the group
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
};

}  // namespace ib::bot
