// Databases for the storage benchmarks, written through the real store (same schema, indexes
// and dedupe keys as the bot's): a long incident, a long history, many open incidents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ib::bench {

struct dataset {
    std::size_t incidents = 0;
    std::size_t entries = 0;          // timeline rows in total
    std::int64_t last_incident_id = 0;
};

// One incident with `entries` timeline entries: chat from 40 people (tagged like the bot tags
// them), joins, and the lifecycle (ack, identified, monitoring, resolved) spread through it.
dataset make_long_incident(const std::string& path, std::size_t entries);

// `incidents` incidents of `entries_each` entries each; resolved ones when `resolved`, else open.
dataset make_history(const std::string& path, std::size_t incidents, std::size_t entries_each, bool resolved);

}  // namespace ib::bench
