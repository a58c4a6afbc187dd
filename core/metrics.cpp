#include "metrics.hpp"

#include <algorithm>
#include <numeric>

namespace ib {
namespace {

// b - a in whole seconds, or nullopt when either end is missing or the span is negative.
std::optional<seconds> span(const std::optional<time_point>& a, const std::optional<time_point>& b) {
    if (!a || !b || *b < *a) return std::nullopt;
    return std::chrono::floor<seconds>(*b - *a);
}

}  // namespace

incident_metrics compute_metrics(const incident& inc) {
    const std::optional<time_point> start = inc.start();
    const std::optional<time_point> declared = inc.declared_at;
    incident_metrics m;
    m.tta = span(start, inc.acknowledged_at);
    m.ttr = span(start, inc.resolved_at);
    m.detection = inc.detected_at ? span(inc.detected_at, declared) : std::nullopt;
    m.response = span(declared, inc.identified_at);
    m.remediation = span(inc.identified_at, inc.resolved_at);
    return m;
}

std::string format_metric(const std::optional<seconds>& d) { return d ? format_duration(*d) : "n/a"; }

distribution summarize(std::vector<seconds> values) {
    distribution d;
    d.count = values.size();
    if (values.empty()) return d;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    d.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    // Nearest rank: the ceil(0.9 n)-th smallest value (1-based).
    const std::size_t rank = (9 * n + 9) / 10;
    d.p90 = values[rank - 1];
    const auto total = std::accumulate(values.begin(), values.end(), seconds{0});
    d.mean = total / static_cast<seconds::rep>(n);
    return d;
}

std::vector<severity_stats> stats_by_severity(std::span<const incident> incidents, time_point from, time_point to) {
    std::vector<severity_stats> rows;
    for (int s = 1; s <= 5; ++s) {
        const auto sev = static_cast<severity>(s);
        std::vector<seconds> tta, ttr;
        std::size_t count = 0;
        for (const incident& inc : incidents) {
            if (inc.sev != sev || inc.declared_at < from || inc.declared_at >= to) continue;
            ++count;
            const auto m = compute_metrics(inc);
            if (m.tta) tta.push_back(*m.tta);
            if (m.ttr) ttr.push_back(*m.ttr);
        }
        if (count == 0) continue;
        rows.push_back(severity_stats{sev, count, summarize(std::move(tta)), summarize(std::move(ttr))});
    }
    return rows;
}

}  // namespace ib
