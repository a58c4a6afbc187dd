#include "core/metrics.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace std::chrono_literals;
using std::chrono::seconds;

namespace {

const time_point t0 = *parse_iso8601("2026-11-20T09:00:00Z");

incident make(severity sev, time_point declared) {
    incident inc;
    inc.sev = sev;
    inc.declared_at = declared;
    return inc;
}

}  // namespace

TEST_SUITE("metrics") {

TEST_CASE("a complete incident") {
    auto inc = make(severity::sev2, t0);
    inc.detected_at = t0 - 12min;
    inc.acknowledged_at = t0 + 3min;
    inc.identified_at = t0 + 20min;
    inc.mitigated_at = t0 + 30min;
    inc.resolved_at = t0 + 48min;
    const auto m = compute_metrics(inc);
    CHECK(m.tta == 15min);        // from detection, not declaration
    CHECK(m.ttr == 60min);
    CHECK(m.detection == 12min);
    CHECK(m.response == 20min);
    CHECK(m.remediation == 28min);
    CHECK(format_metric(m.ttr) == "1h 00m");
}

TEST_CASE("start is the declaration when detection is unknown") {
    auto inc = make(severity::sev3, t0);
    inc.acknowledged_at = t0 + 90s;
    inc.resolved_at = t0 + 2h;
    const auto m = compute_metrics(inc);
    CHECK(m.tta == 90s);
    CHECK(m.ttr == 2h);
    CHECK_FALSE(m.detection);
}

TEST_CASE("missing timestamps give n/a, never a number") {
    const auto m = compute_metrics(make(severity::sev1, t0));
    CHECK_FALSE(m.tta);
    CHECK_FALSE(m.ttr);
    CHECK_FALSE(m.detection);
    CHECK_FALSE(m.response);
    CHECK_FALSE(m.remediation);
    CHECK(format_metric(m.tta) == "n/a");

    SUBCASE("resolved without identification: no response or remediation phase") {
        auto inc = make(severity::sev5, t0);
        inc.resolved_at = t0 + 5min;
        const auto r = compute_metrics(inc);
        CHECK(r.ttr == 5min);
        CHECK_FALSE(r.response);
        CHECK_FALSE(r.remediation);
    }
    SUBCASE("identified but open: response known, remediation not") {
        auto inc = make(severity::sev3, t0);
        inc.identified_at = t0 + 7min;
        const auto r = compute_metrics(inc);
        CHECK(r.response == 7min);
        CHECK_FALSE(r.remediation);
        CHECK_FALSE(r.ttr);
    }
}

TEST_CASE("inconsistent timestamps never produce negative metrics") {
    auto inc = make(severity::sev2, t0);
    inc.acknowledged_at = t0 - 1min;   // e.g. imported data
    inc.identified_at = t0 - 2min;
    inc.resolved_at = t0 - 3min;
    inc.detected_at = t0 + 1min;       // after the declaration
    const auto m = compute_metrics(inc);
    CHECK_FALSE(m.tta);
    CHECK_FALSE(m.ttr);
    CHECK_FALSE(m.detection);
    CHECK_FALSE(m.response);
    CHECK_FALSE(m.remediation);
}

TEST_CASE("zero-length spans are 0s, not n/a") {
    auto inc = make(severity::sev2, t0);
    inc.acknowledged_at = t0;
    CHECK(compute_metrics(inc).tta == 0s);
}

TEST_CASE("sub-second precision is floored") {
    auto inc = make(severity::sev2, t0);
    inc.acknowledged_at = t0 + 1999ms;
    CHECK(compute_metrics(inc).tta == 1s);
}

TEST_CASE("distribution: median, nearest-rank p90, mean") {
    SUBCASE("empty") {
        const auto d = summarize({});
        CHECK(d.count == 0);
        CHECK_FALSE(d.median);
        CHECK_FALSE(d.p90);
        CHECK_FALSE(d.mean);
    }
    SUBCASE("one value") {
        const auto d = summarize({seconds{42}});
        CHECK(d.median == 42s);
        CHECK(d.p90 == 42s);
        CHECK(d.mean == 42s);
    }
    SUBCASE("even count: median is the mean of the middle two; order doesn't matter") {
        const auto d = summarize({seconds{40}, seconds{10}, seconds{30}, seconds{20}});
        CHECK(d.median == 25s);
        CHECK(d.p90 == 40s);   // ceil(3.6) = 4th
        CHECK(d.mean == 25s);
    }
    SUBCASE("ten values: p90 is the 9th; a long tail shows in the mean, not the median") {
        std::vector<seconds> v;
        for (int i = 1; i <= 9; ++i) v.push_back(seconds{i * 60});
        v.push_back(seconds{10 * 3600});
        const auto d = summarize(v);
        CHECK(d.count == 10);
        CHECK(d.median == 330s);
        CHECK(d.p90 == 540s);
        CHECK(d.mean == seconds{(45 * 60 + 36000) / 10});
    }
    SUBCASE("eleven values: p90 is the 10th") {
        std::vector<seconds> v;
        for (int i = 1; i <= 11; ++i) v.push_back(seconds{i});
        CHECK(summarize(v).p90 == 10s);
        CHECK(summarize(v).median == 6s);
    }
}

TEST_CASE("stats by severity over a window") {
    std::vector<incident> incs;
    auto add = [&](severity s, time_point declared, std::optional<seconds> tta, std::optional<seconds> ttr) {
        auto inc = make(s, declared);
        if (tta) inc.acknowledged_at = declared + *tta;
        if (ttr) inc.resolved_at = declared + *ttr;
        incs.push_back(inc);
    };
    add(severity::sev1, t0, 2min, 40min);
    add(severity::sev1, t0 + 1h, 4min, 80min);
    add(severity::sev1, t0 + 2h, std::nullopt, std::nullopt);  // still open, never acked
    add(severity::sev3, t0 + 3h, 10min, 5h);
    add(severity::sev3, t0 - 40 * 24h, 1min, 1min);              // outside the window
    add(severity::sev2, t0 + 48h, 1min, 1min);                   // at the end: excluded ([from, to))

    const auto rows = stats_by_severity(incs, t0 - 30 * 24h, t0 + 48h);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].sev == severity::sev1);
    CHECK(rows[0].incidents == 3);
    CHECK(rows[0].tta.count == 2);
    CHECK(rows[0].tta.median == 3min);
    CHECK(rows[0].ttr.mean == 60min);
    CHECK(rows[1].sev == severity::sev3);
    CHECK(rows[1].incidents == 1);
    CHECK(rows[1].ttr.p90 == 5h);
    CHECK(stats_by_severity(incs, t0 + 100h, t0 + 200h).empty());
}

}  // TEST_SUITE
