// Types shared by the storage headers: the one exception type storage throws, and the options
// for opening a database. Kept free of SQLiteCpp so that store.hpp stays light.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ib::storage {

// Every failure of the storage layer (cannot open, corrupt or foreign file, schema too new,
// constraint violation, disk full, busy…) surfaces as this, with a one-line message that starts
// with the database's path.
class storage_error : public std::runtime_error {
public:
    using runtime_error::runtime_error;
};

struct open_options {
    // Open without creating or migrating; every write then fails with storage_error.
    bool read_only = false;
    // How long a statement waits for another connection's lock before failing (SQLITE_BUSY).
    std::chrono::milliseconds busy_timeout{5000};
};

// Whether `db` names a PostgreSQL database (a libpq URI: postgresql://… or postgres://…) rather
// than a SQLite file.
bool is_postgres_uri(std::string_view db);

// `db` as it may be shown in messages and logs: a PostgreSQL URI without its password (the
// user:password@ part keeps the user; a password=… parameter is dropped); a path unchanged.
std::string display_name(std::string_view db);

}  // namespace ib::storage
