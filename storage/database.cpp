#include "database.hpp"

#include "core/text.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>

namespace ib::storage {
namespace {

// Paths SQLite does not treat as a plain file name.
bool is_special_path(const std::string& path) {
    return path.empty() || path == ":memory:" || path.starts_with("file:");
}

bool is_not_a_database(const SQLite::Exception& e) {
    const int code = e.getErrorCode() & 0xff;
    return code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
}

}  // namespace

// Creates `path` empty, readable and writable by its owner only (0600, whatever the umask), when
// it does not exist yet: the timeline is a record of what people said during an incident. SQLite
// gives the -wal and -shm files it creates next to it the database file's mode.
void create_private_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return;  // an existing database keeps the mode its owner gave it
        throw storage_error(path + ": cannot open: " + std::strerror(errno));
    }
    // The umask may have taken bits away, never added them; fchmod makes it exactly 0600.
    const int rc = ::fchmod(fd, 0600);
    const int err = errno;
    ::close(fd);
    if (rc != 0) throw storage_error(path + ": cannot set its mode to 0600: " + std::strerror(err));
}

storage_error wrap(const std::string& path, std::string_view what, const SQLite::Exception& e) {
    std::string msg = path;
    msg += ": ";
    if (!what.empty()) {
        msg += what;
        msg += ": ";
    }
    msg += e.what();
    return storage_error(msg);
}

storage_error wrap(const SQLite::Database& db, std::string_view what, const SQLite::Exception& e) {
    return wrap(db.getFilename(), what, e);
}

SQLite::Database open_database(const std::string& path, const open_options& opts) {
    if (opts.read_only && !is_special_path(path)) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            throw storage_error(path + ": cannot open read-only: no such file");
    }
    const auto timeout = std::clamp<std::chrono::milliseconds::rep>(opts.busy_timeout.count(), 0,
                                                                    std::numeric_limits<int>::max());
    // NOMUTEX: a connection is used by one thread at a time (see store.hpp), so SQLite's
    // per-call connection mutex is pure overhead on the read paths.
    const int flags = SQLite::OPEN_NOMUTEX |
                      (opts.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);

    if (!opts.read_only && !is_special_path(path)) create_private_file(path);

    std::optional<SQLite::Database> db;
    try {
        db.emplace(path, flags, static_cast<int>(timeout));
    } catch (const SQLite::Exception& e) {
        throw wrap(path, "cannot open", e);
    }

    // First read of the file header: SQLite opens lazily, so this is where a text file, random
    // bytes or a damaged header shows up.
    try {
        db->execAndGet("PRAGMA schema_version");
    } catch (const SQLite::Exception& e) {
        if (is_not_a_database(e))
            throw storage_error(path + ": not a SQLite database, or corrupt (" + e.what() + ")");
        throw wrap(path, "cannot read", e);
    }

    try {
        db->exec("PRAGMA foreign_keys = ON");
        if (!opts.read_only) {
            // Persistent in the file; returns the mode actually in effect.
            const std::string mode = ascii_lower(db->execAndGet("PRAGMA journal_mode = WAL").getString());
            if (mode != "wal" && mode != "memory")
                throw storage_error(path + ": cannot switch to WAL (journal_mode stays '" + mode + "')");
        }
        // Per connection. In WAL mode FULL syncs the WAL on every commit: a committed
        // transaction survives power loss.
        db->exec("PRAGMA synchronous = FULL");
    } catch (const SQLite::Exception& e) {
        if (is_not_a_database(e))
            throw storage_error(path + ": not a SQLite database, or corrupt (" + e.what() + ")");
        throw wrap(path, "cannot configure", e);
    }
    return std::move(*db);
}

std::string journal_mode(SQLite::Database& db) {
    return ascii_lower(db.execAndGet("PRAGMA journal_mode").getString());
}

int synchronous(SQLite::Database& db) { return db.execAndGet("PRAGMA synchronous").getInt(); }

int busy_timeout_ms(SQLite::Database& db) { return db.execAndGet("PRAGMA busy_timeout").getInt(); }

}  // namespace ib::storage
