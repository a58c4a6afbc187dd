// Helpers shared by the storage tests: a self-cleaning temp directory and sample data.
#pragma once

#include "core/incident.hpp"
#include "core/time.hpp"
#include "core/timeline.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace ib::storage::testing {

// A fresh directory under the system temp dir, removed with everything in it at scope end.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("ib-storage-test-" + std::to_string(rd()) + "-" + std::to_string(++counter));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

// 2023-11-14T22:13:20Z plus `s` seconds.
inline time_point t0(std::int64_t s = 0) { return from_unix_seconds(1'700'000'000 + s); }

inline incident sample_incident(std::string channel_id = "C01INC", time_point declared = t0()) {
    incident inc;
    inc.title = "Login page down";
    inc.sev = severity::sev2;
    inc.channel_id = std::move(channel_id);
    inc.channel_name = "inc-20231114-login-page-down";
    inc.declared_by = "U01ALICE";
    inc.declared_at = declared;
    return inc;
}

inline timeline_entry sample_entry(std::int64_t incident_id, std::string key, time_point at,
                                   std::string text = "looking at it", entry_kind kind = entry_kind::message) {
    timeline_entry e;
    e.incident_id = incident_id;
    e.key = std::move(key);
    e.at = at;
    e.slack_ts = to_slack_ts(at);
    e.user = "U02BOB";
    e.kind = kind;
    e.text = std::move(text);
    e.received_at = at + std::chrono::milliseconds(250);
    return e;
}

inline timeline_entry declare_entry(std::string key, time_point at) {
    auto e = sample_entry(0, std::move(key), at, "declared: Login page down", entry_kind::declare);
    e.slack_ts.clear();
    e.user = "U01ALICE";
    return e;
}

// Whether an entry with this key is stored, in any incident (the store has no such lookup: the
// bot never needs one; tests read every timeline).
inline bool stored_key(const store& s, std::string_view key) {
    const auto all =
        s.incidents_declared_between(from_unix_seconds(-100'000'000'000), from_unix_seconds(100'000'000'000));
    for (const auto& inc : all)
        for (const auto& e : s.timeline(inc.id))
            if (!key.empty() && e.key == key) return true;
    return false;
}

}  // namespace ib::storage::testing
