// Opening a SQLite connection the way incident-bot needs it: durable (WAL + synchronous=FULL,
// so an acknowledged Slack event survives power loss), foreign keys enforced, a busy timeout,
// and a clear error for files that are missing, corrupt or not SQLite at all.
#pragma once

#include "common.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <string>
#include <string_view>

namespace ib::storage {

// Opens `path` (":memory:" for a private in-memory database) and configures the connection:
// busy_timeout, foreign_keys=ON, journal_mode=WAL (on-disk, read-write only; throws if the file
// system cannot do WAL), synchronous=FULL. The connection is opened NOMUTEX: use it from one
// thread at a time. Reads the file header, so a file that is not a SQLite
// database fails here. Creates the file unless opts.read_only. Does not touch the schema.
// Throws storage_error whose message starts with the path.
SQLite::Database open_database(const std::string& path, const open_options& opts);

// Creates `path` empty, readable and writable by its owner only (0600, whatever the umask), when
// it does not exist yet; an existing file keeps its mode. For every file that holds the record:
// the database (open_database), its backups. Throws storage_error.
void create_private_file(const std::string& path);

// Pragma readback. journal_mode() is lower case ("wal", "memory", …); synchronous() is the
// numeric level (2 = FULL); busy_timeout_ms() is in milliseconds. Throw SQLite::Exception.
std::string journal_mode(SQLite::Database& db);
int synchronous(SQLite::Database& db);
int busy_timeout_ms(SQLite::Database& db);

// "<path>: <what>: <SQLite's message>" as a storage_error, for wrapping SQLite::Exception at
// the API boundary. `what` may be empty.
storage_error wrap(const SQLite::Database& db, std::string_view what, const SQLite::Exception& e);
storage_error wrap(const std::string& path, std::string_view what, const SQLite::Exception& e);

}  // namespace ib::storage
