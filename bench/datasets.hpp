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

// Where and when the long incident happened, and whether it is over.
struct long_incident_options {
    bool resolved = true;        // false: it stays open (monitoring), for a bot to resolve
    std::string channel;         // its channel id; empty: C0HIST00001
    std::int64_t start_unix = 1'767'225'600;  // declared then (2026-01-01), one entry a second after
};

// One incident with `entries` timeline entries: chat from 40 people (tagged like the bot tags
// them), joins, and the lifecycle (ack, identified, monitoring, resolved) spread through it.
dataset make_long_incident(const std::string& path, std::size_t entries, const long_incident_options& how = {});

// `incidents` incidents of `entries_each` entries each; resolved ones when `resolved`, else open.
dataset make_history(const std::string& path, std::size_t incidents, std::size_t entries_each, bool resolved);

}  // namespace ib::bench
