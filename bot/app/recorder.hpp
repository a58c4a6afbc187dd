// The recorder owns the store and a storage thread that commits work in groups: every job queued
// while the previous group was being written goes into the next transaction, so one fsync makes
// a whole burst of Slack events durable (group commit). A job's completion runs on the I/O
// thread only after its group is durable: that is when the transport may ack the event.
// Appends (submit_append: a Slack event's entry) that follow one another in a group are stored
// with one store::append_batch, so a burst costs one statement on PostgreSQL, not one per event.
// At log level debug, each group durable logs where its time went (queued behind the group
// before, BEGIN, its writes, COMMIT) and when it became durable on the steady clock, to line
// slow acks up with slow commits (bench/RESULTS.md); nothing is formatted otherwise.
//
// Failure semantics: a job that throws is rolled back on its own (its store call is atomic) and
// its completion gets the exception; the other jobs of the group still commit. If the commit
// itself fails (disk full, I/O error), core/commit_policy decides: reading from Slack stops, the
// same group is run again in a new transaction after a backoff until it commits (then reading
// resumes and the completions run as usual), and once commits have failed for the policy's
// deadline the recorder gives up: every job waiting fails, nothing more is accepted and the
// owner is told to exit non-zero. Jobs must therefore be safe to run again (they only write
// through the store; a failed attempt's writes are rolled back).
#pragma once

#include "bot/app/observer.hpp"
#include "core/commit_policy.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ib::bot {

class recorder {
public:
    using work_fn = std::function<void(storage::store&)>;
    // An append's entry, made on the storage thread (conversion and tagging stay off the I/O
    // thread); nullopt: nothing to store.
    using entry_fn = std::function<std::optional<timeline_entry>()>;
    // After an append, in the same transaction: whether the entry was newly stored (false: its
    // key, or its message ts, was stored already).
    using stored_fn = std::function<void(storage::store&, const timeline_entry&, bool newly)>;
    using done_fn = std::function<void(std::exception_ptr)>;
    // Runs a callback on the I/O thread (e.g. asio::post to the io_context).
    using post_fn = std::function<void(std::function<void()>)>;

    // `observer` (optional, must outlive the recorder) hears of every job queued and every group
    // committed: the metrics and /readyz.
    struct options {
        commit_policy::config commit;  // retries of a failing commit, and when to give up
        // Posted to the I/O thread: commits started failing (true: stop reading from Slack) or
        // work again (false).
        std::function<void(bool failing)> storage_failing;
        // Posted to the I/O thread once the recorder gave up: exit with this code.
        std::function<void(int exit_code)> gave_up;
        // When > 0: after this long with nothing queued, an empty group is committed (a probe:
        // BEGIN and COMMIT, nothing written), so a database that went away is noticed as a failed
        // commit (/readyz 503, reading paused, the same backoff and deadline) before anyone writes.
        // A probe is reported to the observer with size 0 and not counted in stats().
        std::chrono::milliseconds idle_probe{0};
    };

    recorder(storage::store store, post_fn post, recorder_observer* observer = nullptr);
    recorder(storage::store store, post_fn post, options opts, recorder_observer* observer = nullptr);
    ~recorder();  // stop()
    recorder(const recorder&) = delete;
    recorder& operator=(const recorder&) = delete;

    // Queues `work` for the next group; `done` runs on the I/O thread once the group is durable
    // (nullptr on success) or failed. Thread-safe. After stop(), or once the recorder gave up,
    // jobs fail with an exception.
    void submit(work_fn work, done_fn done);
    // A job that appends one entry, as submit([](store& s) { s.append(entry()); }) would, with
    // `stored` run after it (may be null): the appends queued one after another go into the
    // group's transaction as one append_batch, in their order, each job still failing alone (if
    // the batch fails, its entries are appended again one by one, so only the bad one's job
    // fails). A job submitted between two appends runs between them.
    void submit_append(entry_fn entry, stored_fn stored, done_fn done);

    // Commits what is queued, then ends the storage thread. Idempotent.
    void stop();

    struct stats {
        std::uint64_t groups = 0;     // transactions committed
        std::uint64_t jobs = 0;       // jobs run
        std::uint64_t largest = 0;    // most jobs in one group
        std::uint64_t failed_commits = 0;  // commits that failed (each retried, or given up)
    };
    stats counters() const;

private:
    struct job {
        work_fn work;      // a plain job, or
        entry_fn entry;    // an append,
        stored_fn stored;  // and what follows it
        done_fn done;
    };
    void enqueue(job j);
    void loop();
    // Appends the entries of group[from, to) (all appends) with one append_batch; `errors` as
    // attempt()'s.
    void append_run(std::vector<job>& group, std::size_t from, std::size_t to, std::vector<std::exception_ptr>& errors);
    // Runs `group` in one transaction: true when it committed; `errors` gets each job's own
    // failure, `commit_error` the commit's.
    bool attempt(std::vector<job>& group, std::vector<std::exception_ptr>& errors, std::exception_ptr& commit_error);
    // Where a group's time went (its last attempt), for the debug log line of each group.
    struct phases {
        std::chrono::steady_clock::time_point queued;  // its first job was queued
        std::chrono::steady_clock::time_point started, begun, written, committed;
    };
    void log_group(std::size_t size, const phases& p) const;
    // Sleeps `delay` on the storage thread, or less when stop() is called.
    void pause(std::chrono::milliseconds delay);

    storage::store store_;
    post_fn post_;
    recorder_observer* observer_;
    options opts_;
    commit_policy policy_;
    bool gave_up_ = false;  // guarded by mutex_
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<job> queue_;
    std::chrono::steady_clock::time_point first_queued_;  // when queue_'s first job came
    phases phases_;  // the storage thread's
    bool stopping_ = false;
    stats stats_;
    std::thread thread_;
};

}  // namespace ib::bot
