// The recorder owns the store and a storage thread that commits work in groups: every job queued
// while the previous group was being written goes into the next transaction, so one fsync makes
// a whole burst of Slack events durable (group commit). A job's completion runs on the I/O
// thread only after its group is durable: that is when the transport may ack the event.
//
// Failure semantics: a job that throws is rolled back on its own (its store call is atomic) and
// its completion gets the exception; the other jobs of the group still commit. If the commit
// itself fails (disk full, I/O error), every job of the group gets the exception and nothing is
// acked, so Slack redelivers.
#pragma once

#include "bot/app/observer.hpp"
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
    recorder(storage::store store, post_fn post, recorder_observer* observer = nullptr);
    ~recorder();  // stop()
    recorder(const recorder&) = delete;
    recorder& operator=(const recorder&) = delete;

    // Queues `work` for the next group; `done` runs on the I/O thread once the group is durable
    // (nullptr on success) or failed. Thread-safe. After stop() jobs fail with an exception.
    void submit(work_fn work, done_fn done);

    // Commits what is queued, then ends the storage thread. Idempotent.
    void stop();

    struct stats {
        std::uint64_t groups = 0;     // transactions committed
        std::uint64_t jobs = 0;       // jobs run
        std::uint64_t largest = 0;    // most jobs in one group
    };
    stats counters() const;

private:
    struct job {
        work_fn work;
        done_fn done;
    };
    void loop();

    storage::store store_;
    post_fn post_;
    recorder_observer* observer_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<job> queue_;
    bool stopping_ = false;
    stats stats_;
    std::thread thread_;
};

}  // namespace ib::bot
