#include "run_lock.hpp"

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

}  // namespace

run_lock run_lock::acquire(const std::string& db_path) {
    run_lock lock;
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

run_lock::~run_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

run_lock::run_lock(run_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), file_(std::exchange(other.file_, {})) {}

run_lock& run_lock::operator=(run_lock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        file_ = std::exchange(other.file_, {});
    }
    return *this;
}

}  // namespace ib::storage
