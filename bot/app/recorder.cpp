#include "bot/app/recorder.hpp"

#include "bot/log.hpp"

#include <chrono>
#include <stdexcept>

namespace ib::bot {

recorder::recorder(storage::store store, post_fn post, recorder_observer* observer)
    : store_(std::move(store)), post_(std::move(post)), observer_(observer), thread_([this] { loop(); }) {}

recorder::~recorder() { stop(); }

void recorder::submit(work_fn work, done_fn done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            if (observer_) observer_->queued();
            queue_.push_back(job{std::move(work), std::move(done)});
            wake_.notify_one();
            return;
        }
    }
    // Too late: the storage thread is gone. Tell the caller, on the I/O thread as promised.
    auto error = std::make_exception_ptr(std::runtime_error("recorder stopped"));
    post_([done = std::move(done), error] {
        if (done) done(error);
    });
}

void recorder::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
}

recorder::stats recorder::counters() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void recorder::loop() {
    std::vector<job> group;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            group.swap(queue_);
        }

        // Run the whole group in one transaction; remember each job's own failure.
        std::vector<std::exception_ptr> errors(group.size());
        std::exception_ptr commit_error;
        group_report report;
        report.size = group.size();
        const auto started = std::chrono::steady_clock::now();
        try {
            store_.begin_group();
            for (std::size_t i = 0; i < group.size(); ++i) {
                try {
                    group[i].work(store_);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            }
            store_.commit_group();
        } catch (const std::exception& e) {
            commit_error = std::current_exception();
            report.durable = false;
            report.failure = e.what();
            log_error("storage", "group commit failed, nothing acked: " + report.failure, {{"error", report.failure}});
            try {
                store_.rollback_group();
            } catch (...) {
            }
        }

        report.took = std::chrono::steady_clock::now() - started;
        if (observer_) observer_->committed(report);

        {
            std::lock_guard lock(mutex_);
            ++stats_.groups;
            stats_.jobs += group.size();
            if (group.size() > stats_.largest) stats_.largest = group.size();
        }

        // Hand every completion to the I/O thread in one go.
        std::vector<std::function<void()>> completions;
        completions.reserve(group.size());
        for (std::size_t i = 0; i < group.size(); ++i) {
            if (!group[i].done) continue;
            completions.push_back([done = std::move(group[i].done), error = commit_error ? commit_error : errors[i]] {
                done(error);
            });
        }
        group.clear();
        if (!completions.empty())
            post_([completions = std::move(completions)] {
                for (const auto& c : completions) c();
            });
    }
}

}  // namespace ib::bot
