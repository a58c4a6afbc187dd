// The recorder owns the store and a storage thread that commits work in groups: every job queued
// while the previous group was being written goes into the next transaction, so one fsync makes
// a whole burst of Slack events durable (group commit). A job's completion runs on the I/O
// thread only after its group is durable: that is when the transport may ack the event.
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

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ib::bot {

class recorder {
public:
    using work_fn = std::function<void(storage::store&)>;
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
        work_fn work;
        done_fn done;
    };
    void loop();
    // Runs `group` in one transaction: true when it committed; `errors` gets each job's own
    // failure, `commit_error` the commit's.
    bool attempt(std::vector<job>& group, std::vector<std::exception_ptr>& errors, std::exception_ptr& commit_error);
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
    bool stopping_ = false;
    stats stats_;
    std::thread thread_;
};

}  // namespace ib::bot
