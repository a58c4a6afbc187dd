// The recorder's and the executors' observers (bot/app/observer.hpp) over bot/ops: each report
// updates the Prometheus samples of metrics.hpp, and a failed group commit makes /readyz say so
// until one succeeds (status.hpp). bot_app.cpp hands one of these to the recorder and the app
// state; the recorder, the executors and their tests know only the interfaces.
#pragma once

#include "bot/app/observer.hpp"

namespace ib::bot::ops {

class app_metrics final : public recorder_observer, public app_observer {
public:
    // Recorder: pending writes, commit seconds, group size; storage readiness.
    void queued() override;
    void committed(const group_report& r) override;
    void commit_failed(const std::string& why) override;
    // Executors: stored and duplicate events, ack latency, open incidents, reminders posted.
    void event_acked(write_outcome outcome, std::chrono::steady_clock::duration latency) override;
    void open_incidents(std::size_t count) override;
    void reminder_posted() override;
    // The catch-up: running or not, entries it recovered.
    void backfill_running(bool running) override;
    void backfilled(std::size_t stored) override;

private:
    bool commit_failed_ = false;  // the last commit attempt failed (storage thread only)
};

}  // namespace ib::bot::ops
