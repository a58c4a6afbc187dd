// What /healthz and /readyz report: the bot's parts publish their state here as it changes
// (the Socket Mode client when the connection goes live or is lost, the recorder after each
// group commit, the app's event loop on every heartbeat); the HTTP server only reads it.
// Thread-safe; nothing here touches the I/O thread.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace ib::bot::ops {

struct verdict {
    bool ok = false;
    std::string reason;  // one line: why not (or "ok")
};

class service_status {
public:
    using clock = std::chrono::steady_clock;

    // The process's status (created on first use, never destroyed).
    static service_status& get();

    // Socket Mode: live (hello received) or not, and why not ("reconnecting after
    // refresh_requested"). Starts as not connected.
    void set_slack(bool live, std::string reason);
    // Storage: whether the last group commit succeeded, and the failure if not. Starts ok
    // (the database was opened and migrated before anything else runs).
    void set_storage(bool ok, std::string reason);
    // The event loop answered at `now`. Until the first beat, the loop counts as answering.
    void heartbeat(clock::time_point now);

    // 200/503 for /readyz: Slack live and the database accepting writes.
    verdict ready() const;
    // 200/503 for /healthz: the event loop answered within `stall_after` of `now`.
    verdict healthy(clock::time_point now, std::chrono::milliseconds stall_after = std::chrono::seconds{15}) const;

private:
    mutable std::mutex mutex_;
    bool slack_live_ = false;
    std::string slack_reason_ = "not connected to Slack yet";
    bool storage_ok_ = true;
    std::string storage_reason_;
    std::atomic<clock::rep> last_beat_{0};  // clock ticks since epoch; 0 = no beat yet
};

}  // namespace ib::bot::ops
