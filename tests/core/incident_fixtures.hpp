// Recorded incidents shared by the export, summary and SVG tests (defined in export_test.cpp).
#pragma once

#include "core/export.hpp"

#include <cstddef>
#include <string>

namespace ib_test {
ib::time_point at(int h, int m, int s);     // 2026-11-20 h:m:s UTC
ib::incident_record chapter6_outage();      // J. Hand's chapter-6 case, fully recorded
ib::incident_record missing_times();        // only a declaration time
// A gap entry as the backfill writes it (core/flows/backfill.hpp: make_gap_entry), incident 0.
ib::timeline_entry recording_gap(ib::time_point from, ib::time_point to, std::size_t recovered,
                                 std::string error = {});
}  // namespace ib_test
