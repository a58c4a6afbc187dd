#include "bot/app/recorder.hpp"

#include "bot/log.hpp"

#include <chrono>
#ifdef IB_FAULT_INJECTION
#include "bot/app/fault_injection.hpp"
#endif

#include <cstdio>
#include <random>
#include <stdexcept>

namespace ib::bot {

recorder::recorder(storage::store store, post_fn post, recorder_observer* observer)
    : recorder(std::move(store), std::move(post), options{}, observer) {}

recorder::recorder(storage::store store, post_fn post, options opts, recorder_observer* observer)
    : store_(std::move(store)), post_(std::move(post)), observer_(observer), opts_(std::move(opts)),
      policy_(opts_.commit), thread_([this] { loop(); }) {}

recorder::~recorder() { stop(); }

void recorder::submit(work_fn work, done_fn done) { enqueue(job{std::move(work), nullptr, nullptr, std::move(done)}); }

void recorder::submit_append(entry_fn entry, stored_fn stored, done_fn done) {
    enqueue(job{nullptr, std::move(entry), std::move(stored), std::move(done)});
}

void recorder::enqueue(job j) {
    const char* refused = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (!stopping_ && !gave_up_) {
            if (observer_) observer_->queued();
            if (queue_.empty()) first_queued_ = std::chrono::steady_clock::now();
            queue_.push_back(std::move(j));
            wake_.notify_one();
            return;
        }
        refused = gave_up_ ? "recorder gave up: commits kept failing" : "recorder stopped";
    }
    // Too late: the storage thread is gone. Tell the caller, on the I/O thread as promised.
    auto error = std::make_exception_ptr(std::runtime_error(refused));
    post_([done = std::move(j.done), error] {
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

bool recorder::attempt(std::vector<job>& group, std::vector<std::exception_ptr>& errors,
                       std::exception_ptr& commit_error) {
    errors.assign(group.size(), nullptr);
    commit_error = nullptr;
    try {
        phases_.started = std::chrono::steady_clock::now();
        store_.begin_group();
        phases_.begun = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < group.size();) {
            if (group[i].entry) {
                // Appends one after another: one batch.
                std::size_t end = i + 1;
                while (end < group.size() && group[end].entry) ++end;
                append_run(group, i, end, errors);
                i = end;
                continue;
            }
            try {
#ifdef IB_FAULT_INJECTION
                faults::at("write");  // tests only: this job fails on its own
#endif
                group[i].work(store_);
            } catch (...) {
                errors[i] = std::current_exception();
            }
            ++i;
        }
#ifdef IB_FAULT_INJECTION
        faults::at("commit");  // tests only: the commit fails, as on a full disk
        faults::delay_at("slow_commit", std::chrono::seconds{2});  // tests only: a slow commit
#endif
        phases_.written = std::chrono::steady_clock::now();
        store_.commit_group();
        phases_.committed = std::chrono::steady_clock::now();
        return true;
    } catch (...) {
        commit_error = std::current_exception();
        try {
            store_.rollback_group();
        } catch (...) {
        }
        return false;
    }
}

void recorder::append_run(std::vector<job>& group, std::size_t from, std::size_t to,
                          std::vector<std::exception_ptr>& errors) {
    // Each job names its entry (one that throws fails alone).
    std::vector<timeline_entry> entries;
    std::vector<std::size_t> owner;  // entries[k] is group[owner[k]]'s
    entries.reserve(to - from);
    owner.reserve(to - from);
    for (std::size_t i = from; i < to; ++i) {
        try {
#ifdef IB_FAULT_INJECTION
            faults::at("write");  // tests only: this job fails on its own
#endif
            if (auto e = group[i].entry()) {
                entries.push_back(std::move(*e));
                owner.push_back(i);
            }
        } catch (...) {
            errors[i] = std::current_exception();
        }
    }
    // All of them in one append_batch. When it fails (one entry's incident is unknown, …)
    // nothing of it is stored: each is appended alone then, so that only the bad one's job fails.
    std::vector<bool> newly;
    try {
        newly = store_.append_batch(entries);
    } catch (...) {
        newly.assign(entries.size(), false);
        for (std::size_t k = 0; k < entries.size(); ++k) {
            try {
                newly[k] = store_.append(entries[k]);
            } catch (...) {
                errors[owner[k]] = std::current_exception();
            }
        }
    }
    // What follows each entry appended (or found stored already), in the same transaction.
    for (std::size_t k = 0; k < entries.size(); ++k) {
        auto& j = group[owner[k]];
        if (errors[owner[k]] || !j.stored) continue;
        try {
            j.stored(store_, entries[k], newly[k]);
        } catch (...) {
            errors[owner[k]] = std::current_exception();
        }
    }
}

void recorder::log_group(std::size_t size, const phases& p) const {
    // Milliseconds between two points, and the commit's end on the steady clock (µs, the
    // system-wide CLOCK_MONOTONIC on Linux), so a group can be lined up with the acks a
    // client timed (bench/driver.cpp's IB_BENCH_TRACE).
    const auto ms = [](auto from, auto to) { return std::chrono::duration<double, std::milli>(to - from).count(); };
    char line[200];
    std::snprintf(line, sizeof line,
                  "group of %zu: queued %.3f ms, begin %.3f ms, write %.3f ms, commit %.3f ms; durable at %lld us",
                  size, ms(p.queued, p.started), ms(p.started, p.begun), ms(p.begun, p.written),
                  ms(p.written, p.committed),
                  static_cast<long long>(
                      std::chrono::duration_cast<std::chrono::microseconds>(p.committed.time_since_epoch()).count()));
    log_debug("storage", line);
}

void recorder::pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void recorder::loop() {
    std::mt19937_64 rng{std::random_device{}()};
    std::vector<job> group;
    std::vector<std::exception_ptr> errors;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            const auto ready = [this] { return stopping_ || !queue_.empty(); };
            bool probe = false;  // idle for opts_.idle_probe: an empty group checks the database is there
            if (opts_.idle_probe.count() > 0)
                probe = !wake_.wait_for(lock, opts_.idle_probe, ready);
            else
                wake_.wait(lock, ready);
            if (!probe && queue_.empty()) return;  // stopping and drained
            phases_.queued = queue_.empty() ? std::chrono::steady_clock::now() : first_queued_;
            group.swap(queue_);
        }

        // Run the whole group in one transaction; remember each job's own failure. A failing
        // commit runs the same group again after a backoff, until it works or the policy gives up.
        std::exception_ptr commit_error;
        group_report report;
        report.size = group.size();
        const auto started = std::chrono::steady_clock::now();
        bool give_up = false;
        for (;;) {
            if (attempt(group, errors, commit_error)) {
                report.durable = true;
                report.failure.clear();
                const auto d = policy_.committed(commit_policy::clock::now());
                if (!d.log.empty()) log_info("storage", d.log);
                if (d.resume_reading && opts_.storage_failing) post_([f = opts_.storage_failing] { f(false); });
                break;
            }
            std::string what = "unknown error";
            try {
                std::rethrow_exception(commit_error);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            report.durable = false;
            report.failure = what;
            {
                std::lock_guard lock(mutex_);
                ++stats_.failed_commits;
            }
            const auto d = policy_.failed(commit_policy::clock::now(), what,
                                          std::uniform_real_distribution<double>(0.0, 1.0)(rng));
            log_error("storage", d.log.empty() ? "group commit failed, nothing acked: " + what : d.log, {{"error", what}});
            if (observer_) observer_->commit_failed(what);  // /readyz: 503 from now on, not once the group is done
            if (d.pause_reading && opts_.storage_failing) post_([f = opts_.storage_failing] { f(true); });
            if (d.what == commit_policy::decision::kind::give_up) {
                give_up = true;
                std::lock_guard lock(mutex_);
                gave_up_ = true;
                break;
            }
            bool stopping = false;
            {
                std::lock_guard lock(mutex_);
                stopping = stopping_;
            }
            if (stopping) break;  // shutting down: this attempt was the last; its jobs fail
            pause(d.delay);
        }

        report.took = std::chrono::steady_clock::now() - started;
        if (observer_) observer_->committed(report);
        if (report.durable && log_enabled(log_level::debug)) log_group(group.size(), phases_);

        if (!group.empty()) {
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

        if (give_up) {
            // Nothing more is accepted; what is queued fails now, and the owner exits.
            std::vector<job> rest;
            {
                std::lock_guard lock(mutex_);
                rest.swap(queue_);
            }
            auto error = std::make_exception_ptr(std::runtime_error("recorder gave up: commits kept failing"));
            for (auto& j : rest)
                if (j.done) post_([done = std::move(j.done), error] { done(error); });
            if (opts_.gave_up) post_([f = opts_.gave_up] { f(commit_policy::exit_storage_failed); });
            return;
        }
    }
}

}  // namespace ib::bot
