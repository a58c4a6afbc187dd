#include "maintenance.hpp"
#include "pg_store.hpp"

#include "database.hpp"
#include "migrations.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace ib::storage {
namespace {

namespace fs = std::filesystem;

constexpr int max_problems = 20;

database_counts count_rows(SQLite::Database& db) {
    database_counts c;
    c.incidents = db.execAndGet("SELECT count(*) FROM incidents").getInt64();
    // A scan of the incidents (schema v4 dropped the partial index on open ones): a few rows per
    // day, and check and backup run rarely.
    c.open_incidents = db.execAndGet("SELECT count(*) FROM incidents WHERE status <> 'resolved'").getInt64();
    c.timeline_entries = db.execAndGet("SELECT count(*) FROM timeline").getInt64();
    return c;
}

// fsync a file or directory by path; throws with the reason.
void sync_path(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) throw storage_error(path + ": cannot open to sync: " + std::strerror(errno));
    const int r = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (r != 0) throw storage_error(path + ": fsync failed: " + std::strerror(err));
}

// Opens read-only and checks that the file is incident-bot's; returns its schema version.
int open_and_identify(SQLite::Database& db) {
    check_identity(db);
    const int version = user_version(db);
    if (version > latest_version())
        throw storage_error(db.getFilename() + ": " + newer_schema_message(version, latest_version()));
    return version;
}

}  // namespace

check_report check_database(const std::string& path, bool quick) {
    if (is_postgres_uri(path)) {
        auto r = check_pg_database(path);
        r.quick = quick;
        return r;
    }
    SQLite::Database db = open_database(path, open_options{.read_only = true});
    check_report r;
    r.quick = quick;
    r.latest_schema_version = latest_version();
    r.schema_version = open_and_identify(db);
    try {
        SQLite::Statement s(db, quick ? "PRAGMA quick_check(" + std::to_string(max_problems) + ")"
                                      : "PRAGMA integrity_check(" + std::to_string(max_problems) + ")");
        while (s.executeStep()) {
            // A row can span lines ("*** in database main ***\nPage 2: ..."): one line each.
            std::string line = s.getColumn(0).getString();
            if (line == "ok") continue;
            if (line.starts_with("*** in database main ***")) line.erase(0, 24);
            for (char& c : line)
                if (c == '\n' || c == '\r') c = ' ';
            while (!line.empty() && line.front() == ' ') line.erase(0, 1);
            r.problems.push_back(std::move(line));
        }
        if (r.problems.empty() && r.schema_version >= 1) r.counts = count_rows(db);
    } catch (const SQLite::Exception& e) {
        // A damaged file can fail the check itself: that is a finding, not a crash.
        r.problems.push_back(e.what());
    }
    return r;
}

backup_report backup_database(const std::string& from, const std::string& to) {
    std::error_code ec;
    if (fs::exists(to, ec)) throw storage_error(to + ": already exists; back up to a new file");
    const std::string partial = to + ".partial";
    fs::remove(partial, ec);  // left by an interrupted backup
    create_private_file(partial);  // owner-only from the first byte, like the database it copies

    backup_report r;
    {
        SQLite::Database src = open_database(from, open_options{.read_only = true});
        r.schema_version = open_and_identify(src);
        try {
            SQLite::Database dst(partial, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            {
                // One step (-1): every page under one read transaction of the source.
                SQLite::Backup backup(dst, src);
                const int rc = backup.executeStep(-1);
                if (rc != SQLITE_DONE)
                    throw storage_error(from + ": backup did not complete (" + std::string(sqlite3_errstr(rc)) + ")");
            }
            // A standalone file: rollback journal, so the copy opens without -wal/-shm files.
            dst.exec("PRAGMA journal_mode = DELETE");
            const std::string verdict = dst.execAndGet("PRAGMA quick_check").getString();
            if (verdict != "ok") throw storage_error(partial + ": the copy fails quick_check: " + verdict);
            if (r.schema_version >= 1) r.counts = count_rows(dst);
        } catch (const SQLite::Exception& e) {
            fs::remove(partial, ec);
            throw wrap(to, "backup failed", e);
        } catch (...) {
            fs::remove(partial, ec);
            throw;
        }
    }
    // Durable before it gets its name, and the name durable too.
    sync_path(partial, false);
    fs::rename(partial, to, ec);
    if (ec) {
        fs::remove(partial, ec);
        throw storage_error(to + ": cannot rename the finished copy: " + ec.message());
    }
    const fs::path dir = fs::absolute(to).parent_path();
    sync_path(dir.string(), true);
    r.bytes = fs::file_size(to, ec);
    return r;
}

}  // namespace ib::storage
