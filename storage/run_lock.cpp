#include "run_lock.hpp"

#include <libpq-fe.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace ib::storage {
namespace {

// Reads the holder's pid from the lock file ("" when it wrote none yet).
std::string holder_pid(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return {};
    std::string_view text(buf, static_cast<std::size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    for (char c : text)
        if (c < '0' || c > '9') return {};
    return std::string(text);
}

// PostgreSQL: a session advisory lock on a connection the run_lock keeps open, keyed by the
// database's current schema (so runs on different schemas of one database do not meet). The
// server drops it when the session ends, and it ends when the process dies.
constexpr const char* pg_lock_key =
    "('x' || substr(md5('incident-bot run ' || current_schema()), 1, 16))::bit(64)::bigint";

void* acquire_pg(const std::string& uri) {
    const std::string name = display_name(uri);
    const std::string app = "incident-bot run (pid " + std::to_string(::getpid()) + ")";
    const char* keys[] = {"dbname", "application_name", nullptr};
    const char* values[] = {uri.c_str(), app.c_str(), nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    const auto fail = [&](const std::string& what) {
        std::string why = c ? PQerrorMessage(c) : "out of memory";
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        if (c) PQfinish(c);
        throw storage_error(name + ": " + what + ": " + why);
    };
    if (!c || PQstatus(c) != CONNECTION_OK) fail("cannot connect");
    const std::string take = std::string("SELECT pg_try_advisory_lock(k), k >> 32, k & 4294967295 FROM (SELECT ") +
                             pg_lock_key + " AS k) s";
    PGresult* r = PQexec(c, take.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        fail("cannot take the run lock");
    }
    const bool ours = std::string_view(PQgetvalue(r, 0, 0)) == "t";
    const std::string classid = PQgetvalue(r, 0, 1), objid = PQgetvalue(r, 0, 2);
    PQclear(r);
    if (ours) return c;
    // Who holds it: its application_name names the pid.
    std::string holder = "unknown";
    r = PQexec(c, ("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                   " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " + classid +
                   " AND l.objid = " + objid + " AND l.objsubid = 1 LIMIT 1").c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) holder = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(c);
    throw database_in_use(name + ": in use by another incident-bot run (" + holder +
                          "); one run per database until several instances are supported (issue 15)");
}

}  // namespace

run_lock run_lock::acquire(const std::string& db_path) {
    run_lock lock;
    if (is_postgres_uri(db_path)) {
        lock.pg_ = acquire_pg(db_path);
        return lock;
    }
    if (db_path.empty() || db_path == ":memory:" || db_path.starts_with("file:")) return lock;
    const std::string file = db_path + ".lock";
    // O_CLOEXEC: a child process must not inherit (and so keep) the lock.
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw storage_error(db_path + ": cannot create the lock file " + file + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string pid = err == EWOULDBLOCK ? holder_pid(fd) : std::string();
        ::close(fd);
        if (err != EWOULDBLOCK)
            throw storage_error(db_path + ": cannot lock " + file + ": " + std::strerror(err));
        throw database_in_use(db_path + ": in use by another incident-bot run (pid " +
                              (pid.empty() ? std::string("unknown") : pid) + "); one run per database file");
    }
    // Ours: say who holds it, for the message a second run prints.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        // The lock is what matters; a missing pid only makes the other run's message vaguer.
    }
    lock.fd_ = fd;
    lock.file_ = file;
    return lock;
}

run_lock::~run_lock() { release(); }

void run_lock::release() {
    if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
    if (pg_) PQfinish(static_cast<PGconn*>(pg_));  // ending the session releases the advisory lock
    fd_ = -1;
    pg_ = nullptr;
}

run_lock::run_lock(run_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pg_(std::exchange(other.pg_, nullptr)), file_(std::exchange(other.file_, {})) {}

run_lock& run_lock::operator=(run_lock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        pg_ = std::exchange(other.pg_, nullptr);
        file_ = std::exchange(other.file_, {});
    }
    return *this;
}

}  // namespace ib::storage
