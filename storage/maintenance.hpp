// Operator commands on a database file: `incident-bot backup` and `incident-bot check`.
// Both open the file read-only and never migrate it, so they are safe to run beside a
// running bot (WAL: readers neither block the writer nor see a half-written transaction).
// Both throw storage_error (message starts with the path) when the file is missing, is not
// SQLite, belongs to another application, or cannot be read.
#pragma once

#include "common.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ib::storage {

struct database_counts {
    std::int64_t incidents = 0;
    std::int64_t open_incidents = 0;
    std::int64_t timeline_entries = 0;
};

struct check_report {
    int schema_version = 0;         // PRAGMA user_version of the file
    int latest_schema_version = 0;  // what this build migrates to (`run` upgrades older files)
    bool quick = false;             // quick_check instead of integrity_check
    // What SQLite's check reported, when anything is wrong (at most 20 lines); empty = ok.
    std::vector<std::string> problems;
    database_counts counts;         // filled only when problems is empty and the schema exists
};

// PRAGMA integrity_check (or quick_check: O(N) instead of O(N log N), skips index contents),
// the schema version and the counts. A schema newer than this build is an error
// (storage_error); an older one is reported and is fine (`run` migrates it). Problems found by
// SQLite are returned in the report, not thrown.
check_report check_database(const std::string& path, bool quick);

struct backup_report {
    int schema_version = 0;
    database_counts counts;  // of the copy
    std::uintmax_t bytes = 0;
};

// Copies `from` into the new file `to` with SQLite's online backup API in one step: a single
// read transaction, so the copy is one consistent snapshot even while `run` commits. The copy
// is written next to `to` as "<to>.partial" (created 0600 whatever the umask: it holds the
// record, like the database), checked (quick_check), switched to a rollback
// journal (a standalone file: no -wal/-shm needed to open it), synced, then renamed to `to`;
// a failed backup leaves no `to`. Refuses an existing `to` (storage_error), so a mistyped
// target cannot overwrite the live database or an earlier backup.
backup_report backup_database(const std::string& from, const std::string& to);

}  // namespace ib::storage
