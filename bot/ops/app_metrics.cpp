#include "bot/ops/app_metrics.hpp"

#include "bot/ops/metrics.hpp"
#include "bot/ops/status.hpp"

#include <utility>

namespace ib::bot::ops {

namespace {
double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

void app_metrics::queued() { metrics::get().pending_writes.Increment(); }

void app_metrics::committed(const group_report& r) {
    auto& m = metrics::get();
    if (r.size > 0) {  // size 0: an idle probe (recorder options), not a commit of writes
        m.commit_seconds.Observe(seconds(r.took));
        m.group_commit_size.Observe(static_cast<double>(r.size));
        m.pending_writes.Decrement(static_cast<double>(r.size));
    }
    // Readiness: a failed commit makes /readyz say so until one succeeds.
    if (!r.durable)
        commit_failed(r.failure);
    else if (std::exchange(commit_failed_, false))
        service_status::get().set_storage(true, "");
}

void app_metrics::commit_failed(const std::string& why) {
    service_status::get().set_storage(false, why);
    commit_failed_ = true;
}

void app_metrics::event_acked(write_outcome outcome, std::chrono::steady_clock::duration latency) {
    auto& m = metrics::get();
    m.ack_latency.Observe(seconds(latency));
    if (outcome == write_outcome::stored) m.events_stored.Increment();
    else if (outcome == write_outcome::duplicate) m.duplicate_events.Increment();
}

void app_metrics::open_incidents(std::size_t count) { metrics::get().open_incidents.Set(static_cast<double>(count)); }

void app_metrics::reminder_posted() { metrics::get().reminders_posted.Increment(); }

void app_metrics::backfill_running(bool running) { metrics::get().backfill_running.Set(running ? 1 : 0); }

void app_metrics::backfilled(std::size_t stored) {
    metrics::get().backfilled_messages.Increment(static_cast<double>(stored));
}

}  // namespace ib::bot::ops
