// One `incident-bot run` per SQLite file. Two bots on one file would split Slack's events between
// them: the one that did not see `/incident start` would ack that channel's events as "not an
// incident channel", and both would post reminders. So `run` takes this lock before it opens the
// database, and a second `run` refuses at once, naming the pid that holds the file.
//
// The lock is an exclusive flock(2) on a side file, "<database>.lock", in the database's folder:
//   - it belongs to the open file, so the kernel drops it when the process dies, SIGKILL
//     included: a crashed bot never leaves a stale lock behind (the pid written in the file is
//     only for the message, and is overwritten by the next holder);
//   - the database itself is not locked: `export`, `stats` and the other read-only commands open
//     it while `run` runs (WAL lets readers and the writer work side by side);
//   - paths that name the same file (relative, absolute, through a symlink to the folder) meet on
//     the same lock file, since flock locks the file, not the name.
// Not across hosts: flock on a network file system is not to be trusted (nor is SQLite's WAL).
//
// On PostgreSQL (a postgresql:// URI) the lock is a session advisory lock on the database's
// current schema, held by a connection the run_lock keeps open: the server drops it when that
// session ends, so a crashed bot leaves no stale lock there either. `run` no longer takes it on
// PostgreSQL: several instances share one database there (claims and row locks, engineering.md
// §3.9); the lock stays for tools that need the database to themselves.
#pragma once

#include "common.hpp"

#include <string>

namespace ib::storage {

// The database is held by another `run`. what(): "<db>: in use by another incident-bot run
// (pid 1234); one run per database file".
class database_in_use : public storage_error {
public:
    using storage_error::storage_error;
};

class run_lock {
public:
    // Takes the lock for `db_path` without waiting and writes this process's pid into the lock
    // file. ":memory:" and "file:" URIs need no lock (an empty run_lock). A PostgreSQL URI takes
    // the advisory lock (the holder's pid is in its application_name). Throws database_in_use
    // when another process holds it, storage_error when the lock file cannot be created (or the
    // server cannot be reached).
    static run_lock acquire(const std::string& db_path);

    run_lock() = default;
    ~run_lock();  // releases the lock (the file stays: removing it could race a new holder)
    run_lock(run_lock&& other) noexcept;
    run_lock& operator=(run_lock&& other) noexcept;
    run_lock(const run_lock&) = delete;
    run_lock& operator=(const run_lock&) = delete;

    bool held() const { return fd_ >= 0 || pg_ != nullptr; }
    const std::string& file() const { return file_; }  // "<db>.lock", "" when not held or on PostgreSQL

private:
    void release();

    int fd_ = -1;
    void* pg_ = nullptr;  // PostgreSQL: the PGconn holding the advisory lock
    std::string file_;
};

}  // namespace ib::storage
