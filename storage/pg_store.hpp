// What the PostgreSQL engine (pg_store.cpp) offers besides store_backend: its schema version and
// `incident-bot check` on a PostgreSQL database.
#pragma once

#include "maintenance.hpp"

#include <string>

namespace ib::storage {

// The version a fully migrated PostgreSQL database has; equal to latest_version() (the SQLite
// schema's) in a consistent build, since both engines hold the same schema version by version.
int pg_latest_version();

// `incident-bot check` on PostgreSQL: connects read-only, checks the schema version (as a
// read-only store open does) and counts incidents, open incidents and timeline entries. The page
// and index checks SQLite's integrity_check does are the server's business there (data checksums,
// amcheck); `quick` changes nothing. Throws storage_error (the URI without its password first).
check_report check_pg_database(const std::string& uri);

struct migrate_report {
    database_counts counts;             // what was copied
    std::int64_t flows = 0;             // flow journal rows (flows in progress)
    std::int64_t users = 0;             // cached users.info answers
    std::int64_t marks = 0;             // backfill marks (catch-ups not done yet)
    std::int64_t set_aside = 0;         // SQLite's timeline_duplicates rows (v7), not copied
};

// `incident-bot migrate`: copies the SQLite database `from` (at this build's schema version; opened
// read-only, so safe beside a running bot, though what it writes later is not copied) into the
// PostgreSQL database `to`, which must be empty of incident-bot data (its schema is created or
// migrated first). Every row keeps its id and seq, so exports, links and flow journal keys stay
// the same; identities continue after the highest. One transaction, rows streamed with COPY:
// all of it or nothing. SQLite's timeline_duplicates (copies an upgrade to v7 set aside) has no
// PostgreSQL counterpart and is counted, not copied. Throws storage_error.
migrate_report copy_sqlite_to_pg(const std::string& from, const std::string& to);

}  // namespace ib::storage
