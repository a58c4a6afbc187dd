// Incident response metrics. Definitions (J. Hand, Post-Incident Reviews, 2017):
//   start       = detected_at if known, else declared_at
//   TTA         = acknowledged_at - start      (time to acknowledge)
//   TTR         = resolved_at - start          (time to recover)
//   detection   = declared_at - detected_at    (how long before we declared)
//   response    = identified_at - declared_at  (declared until the cause was identified)
//   remediation = resolved_at - identified_at  (identified until recovered)
// A metric whose timestamps are missing, or would come out negative, is nullopt ("n/a"):
// never a made-up number.
#pragma once

#include "incident.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ib {

struct incident_metrics {
    std::optional<seconds> tta;
    std::optional<seconds> ttr;
    std::optional<seconds> detection;
    std::optional<seconds> response;
    std::optional<seconds> remediation;
};

incident_metrics compute_metrics(const incident& inc);

// "n/a" or format_duration(d).
std::string format_metric(const std::optional<seconds>& d);

// Distribution of one metric over several incidents. All fields are nullopt when count == 0.
// median: middle value (mean of the two middle ones for an even count);
// p90: nearest-rank percentile (the smallest value with at least 90% of values <= it).
struct distribution {
    std::size_t count = 0;
    std::optional<seconds> median;
    std::optional<seconds> p90;
    std::optional<seconds> mean;
};
distribution summarize(std::vector<seconds> values);

struct severity_stats {
    severity sev;
    std::size_t incidents = 0;    // incidents of this severity declared in the window
    distribution tta;             // over those that have a TTA
    distribution ttr;             // over those that have a TTR
};

// Per-severity statistics over incidents declared in [from, to). Severities with no incident
// in the window are left out; rows are ordered sev1..sev5.
std::vector<severity_stats> stats_by_severity(std::span<const incident> incidents, time_point from,
                                              time_point to);

}  // namespace ib
