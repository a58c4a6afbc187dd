// Schema versions. The schema version lives in `PRAGMA user_version`; version N means the
// first N steps have been applied. Each step runs in its own BEGIN IMMEDIATE transaction
// together with its `PRAGMA user_version = N` bump, so a failing step leaves the database
// exactly at the previous version.
//
// Adding a version: append one function to the list in migrations.cpp, never edit a shipped
// one. Anything an older build could not read (a new column it would need, a new entry_kind or
// status string) needs a new version, even an empty step, so that older builds refuse the whole
// file up front ("written by a newer incident-bot") instead of failing on individual rows.
#pragma once

#include "common.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ib::storage {

// One step: brings the schema from version N to N+1. Runs inside the transaction migrate()
// opened; it must neither open/commit a transaction nor set user_version. May throw.
using migration_step = std::function<void(SQLite::Database&)>;

// Identifies incident-bot files (`PRAGMA application_id`, set by step 1): "IBOT".
inline constexpr std::int32_t application_id = 0x49424F54;

// This build's steps, in order: schema_steps()[i] upgrades v(i) to v(i+1).
const std::vector<migration_step>& schema_steps();
// The version a fully migrated database has: schema_steps().size().
int latest_version();

// PRAGMA user_version of `db`. Throws SQLite::Exception.
int user_version(SQLite::Database& db);

// The version whose step rewrites stored data (the text model, v8): migrating a file with data
// across it backs the file up first.
inline constexpr int text_model_version = 8;

// When `db` holds data at a version below text_model_version and `target_version` is at or
// above it: copies the file with backup_database() (maintenance.hpp: SQLite's online backup, one
// consistent snapshot, checked, rollback journal, synced, mode 0600) to a new file beside it,
// "<file>.schema-v<N>.bak" (".2", ".3"… when taken), and returns its path. nullopt when no
// backup is needed (nothing to rewrite, an in-memory database). Throws storage_error when the
// copy fails (then no partial copy is left).
std::optional<std::string> backup_before_rewrite(SQLite::Database& db, int target_version);

// Applies this build's steps until `db` is at `target_version` (0 <= target <= latest).
// Each step is one BEGIN IMMEDIATE transaction that re-reads user_version first, so two
// processes migrating the same file at once do not apply a step twice. A no-op (no write
// lock taken) when already at the target.
// Throws storage_error (message starts with the file name) when the database is newer than
// the steps know ("written by a newer incident-bot (schema v7; this build knows up to v2)"),
// newer than the target, or a step fails; user_version then stays at the last completed step.
// First backs the file up when a step that rewrites data is to run (backup_before_rewrite);
// returns that backup's path, if one was made.
std::optional<std::string> migrate(SQLite::Database& db, int target_version);
// Same with an explicit list of steps (tests inject failing steps through this); no backup.
void migrate(SQLite::Database& db, std::span<const migration_step> steps, int target_version);

// The one-line message for a database written by a newer build, without the file name.
std::string newer_schema_message(int found_version, int known_version);

// A read-only open (which cannot migrate) of the database `name` at `version`: throws
// storage_error unless it is latest_version() (newer: written by a newer build; older: open it
// read-write once).
void require_current_for_read_only(const std::string& name, int version);

// Refuses (storage_error naming the file) a SQLite file that belongs to something else: an
// application_id other than incident-bot's, a user_version without our application_id, or a
// version-0 file that already holds tables. An empty file passes. Reads only the header and
// (for version 0) sqlite_master: no table scans.
void check_identity(SQLite::Database& db);

}  // namespace ib::storage
