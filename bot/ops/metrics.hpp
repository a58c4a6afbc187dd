// The bot's Prometheus metrics: one process-wide registry, its families created once, and
// the samples the code updates where each event happens (counters and gauges are atomics;
// a histogram observation takes its own short lock). A scrape serializes the registry with
// prometheus-cpp's TextSerializer; nothing is computed from the bot's state at scrape time,
// so scraping costs the I/O thread nothing.
//
// Names and meanings are documented in README "Operating it"; keep them stable (dashboards and
// alert rules in deploy/prometheus/ depend on them).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace ib::bot::ops {

namespace detail {
// A base, so the registry exists before the members that reference its metrics.
struct registry_holder {
    std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
};
}  // namespace detail

class metrics : private detail::registry_holder {
public:
    // The process's metrics (created on first use, never destroyed: transport code may
    // update them from any thread until exit).
    static metrics& get();

    // Text exposition format 0.0.4 of every metric, as /metrics returns it.
    std::string serialize() const;

    // incident_bot_build_info{version}: 1.
    void set_build_info(std::string_view version);
    // incident_bot_socket_reconnects_total{reason}: one more reconnect for `reason` (a short
    // label from the Socket Mode supervisor: refresh_requested, connection_lost, …).
    void count_reconnect(std::string_view reason);
    // incident_bot_web_api_requests_total{method,outcome}: one more request.
    void count_web_api_request(std::string_view method, std::string_view outcome);

    // ---- samples updated where the event happens ----
    prometheus::Counter& events_received;     // events_api envelopes read from Slack
    prometheus::Counter& events_stored;       // events newly stored (durable, then acked)
    prometheus::Counter& duplicate_events;    // events already stored (redeliveries), acked again
    prometheus::Histogram& ack_latency;       // from reading an event to acking it once durable
    prometheus::Histogram& commit_seconds;    // one group commit (begin to durable)
    prometheus::Histogram& group_commit_size; // writes per group commit
    prometheus::Gauge& pending_writes;        // writes queued or being committed
    prometheus::Gauge& pending_writes_limit;  // --max-pending: reading from Slack pauses here
    prometheus::Gauge& socket_connected;      // 1 while the Socket Mode connection is live
    prometheus::Gauge& open_incidents;        // incidents not resolved
    prometheus::Counter& reminders_posted;    // status-page reminders posted
    // The catch-up from Slack's history (bot/app/backfill) updates these.
    prometheus::Gauge& backfill_running;               // 1 while catching up from history
    prometheus::Counter& backfilled_messages;          // messages recorded by the catch-up

private:
    metrics();
    prometheus::Family<prometheus::Gauge>& build_info_;
    prometheus::Family<prometheus::Counter>& reconnects_;
    prometheus::Family<prometheus::Counter>& web_api_requests_;
};

}  // namespace ib::bot::ops
