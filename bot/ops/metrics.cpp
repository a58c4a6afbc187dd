#include "bot/ops/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace ib::bot::ops {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Registry;

prometheus::Counter& counter(Registry& r, const char* name, const char* help) {
    return BuildCounter().Name(name).Help(help).Register(r).Add({});
}
prometheus::Gauge& gauge(Registry& r, const char* name, const char* help) {
    return BuildGauge().Name(name).Help(help).Register(r).Add({});
}
prometheus::Histogram& histogram(Registry& r, const char* name, const char* help,
                                 prometheus::Histogram::BucketBoundaries buckets) {
    return BuildHistogram().Name(name).Help(help).Register(r).Add({}, std::move(buckets));
}

}  // namespace

metrics& metrics::get() {
    static metrics* instance = new metrics();  // never destroyed: see the header
    return *instance;
}

metrics::metrics()
    : events_received(counter(*registry_, "incident_bot_events_received_total", "Events API envelopes read from Slack.")),
      events_stored(counter(*registry_, "incident_bot_events_stored_total",
                            "Events newly stored in an incident timeline (durable, then acked).")),
      duplicate_events(counter(*registry_, "incident_bot_duplicate_events_total",
                               "Events that were already stored (Slack redeliveries), acked without a second copy.")),
      ack_latency(histogram(*registry_, "incident_bot_ack_latency_seconds",
                            "Time from reading an incident-channel event to acking it, once it is durable.",
                            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      commit_seconds(histogram(*registry_, "incident_bot_commit_seconds",
                               "Duration of one group commit, from its first write until it is durable.",
                               {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5})),
      group_commit_size(histogram(*registry_, "incident_bot_group_commit_size", "Writes committed in one transaction.",
                                  {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000})),
      pending_writes(gauge(*registry_, "incident_bot_pending_writes", "Writes queued or being committed.")),
      pending_writes_limit(gauge(*registry_, "incident_bot_pending_writes_limit",
                                 "Pending event writes at which the bot stops reading from Slack (--max-pending).")),
      socket_connected(gauge(*registry_, "incident_bot_socket_connected",
                             "1 while the Socket Mode connection is live (hello received), else 0.")),
      open_incidents(gauge(*registry_, "incident_bot_open_incidents", "Incidents declared and not resolved.")),
      reminders_posted(counter(*registry_, "incident_bot_reminders_posted_total", "Status-page reminders posted.")),
      backfill_running(gauge(*registry_, "incident_bot_backfill_running",
                             "1 while the bot catches up on messages from Slack's history after a gap, else 0.")),
      backfilled_messages(counter(*registry_, "incident_bot_backfilled_messages_total",
                                  "Entries (messages, joins, leaves, pins) recorded from Slack's history by the catch-up.")),
      build_info_(BuildGauge().Name("incident_bot_build_info").Help("Always 1; the version is a label.").Register(*registry_)),
      reconnects_(BuildCounter()
                      .Name("incident_bot_socket_reconnects_total")
                      .Help("Socket Mode reconnects, by what ended the previous connection or attempt.")
                      .Register(*registry_)),
      web_api_requests_(BuildCounter()
                            .Name("incident_bot_web_api_requests_total")
                            .Help("Slack Web API requests sent (retries included), by method and outcome.")
                            .Register(*registry_)) {}

std::string metrics::serialize() const {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, registry_->Collect());
    return out.str();
}

void metrics::set_build_info(std::string_view version) { build_info_.Add({{"version", std::string(version)}}).Set(1); }

void metrics::count_reconnect(std::string_view reason) { reconnects_.Add({{"reason", std::string(reason)}}).Increment(); }

void metrics::count_web_api_request(std::string_view method, std::string_view outcome) {
    web_api_requests_.Add({{"method", std::string(method)}, {"outcome", std::string(outcome)}}).Increment();
}

}  // namespace ib::bot::ops
