// The recorder (group commit on a storage thread) against a real SQLite file: completions only
// after the group is durable and only on the posting thread, one transaction per group, a job
// that throws failing alone, a failing commit retried until it works (or given up past the
// deadline), stop() draining.
//
// The failing commit is a real one: the test adds to the database a deferred foreign key that a
// trigger violates when an entry says "poison", so every statement succeeds and SQLite refuses
// the COMMIT itself, as it would for a full disk at commit time. Nothing in the product changes.
#include "bot/app/recorder.hpp"

#include "../storage/storage_test_util.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace ib;
using namespace ib::bot;
using namespace ib::storage::testing;
using namespace std::chrono_literals;

namespace {

// Stands in for the I/O thread: the recorder posts completions here; the test runs them.
class io_thread {
public:
    recorder::post_fn poster() {
        return [this](std::function<void()> f) {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(f));
            ready_.notify_one();
        };
    }
    // Runs posted callbacks on this thread until `done()` or 10 s pass.
    bool run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done()) {
            std::unique_lock lock(mutex_);
            if (!ready_.wait_until(lock, deadline, [this] { return !queue_.empty(); })) return false;
            auto f = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            f();
        }
        return true;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
};

// A file with one incident (id 1) for the jobs to append to.
std::string database_with_an_incident(const temp_dir& dir) {
    const std::string path = dir.file("ib.db");
    storage::store s(path);
    auto inc = sample_incident();
    auto decl = declare_entry("Ev-declare", t0());
    REQUIRE(s.create_incident(inc, decl) == 1);
    return path;
}

// Makes the COMMIT of any transaction that stored an entry with text "poison" fail: a deferred
// foreign key to a row that never exists, checked only at COMMIT.
void poison_commits(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("CREATE TABLE commit_guard (incident_id INTEGER REFERENCES incidents(id) DEFERRABLE INITIALLY DEFERRED)");
    db.exec("CREATE TRIGGER poison_commit AFTER INSERT ON timeline WHEN NEW.text = 'poison' "
            "BEGIN INSERT INTO commit_guard VALUES (-1); END");
}

std::size_t stored_entries(const std::string& path) {
    return storage::store(path, {.read_only = true}).timeline_size(1);
}

// A message stored under `key`, with no Slack ts (messages are also one per ts: these tests are
// about the group commit, not dedupe).
recorder::work_fn append(std::string key, std::string text = "looking at it") {
    return [key = std::move(key), text = std::move(text)](storage::store& s) {
        auto e = sample_entry(1, key, t0(10), text);
        e.slack_ts.clear();
        s.append(e);
    };
}

// Outcomes of the jobs, filled in by their completions (on the test thread).
struct outcomes {
    std::vector<std::string> errors;  // "" for success
    std::vector<std::thread::id> threads;
    std::size_t count() const { return errors.size(); }

    recorder::done_fn next() {
        return [this](std::exception_ptr e) {
            threads.push_back(std::this_thread::get_id());
            if (!e) {
                errors.emplace_back();
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                errors.emplace_back(ex.what());
            }
        };
    }
};

// A file with an incident, a recorder on it, and the jobs' outcomes.
struct fixture {
    temp_dir dir;
    std::string path = database_with_an_incident(dir);
    io_thread io;
    outcomes out;
    std::optional<recorder> rec;

    // Opens the recorder (after any change the test makes to the file).
    recorder& start(recorder_observer* observer = nullptr) {
        return rec.emplace(storage::store(path), io.poster(), observer);
    }

    // Holds the storage thread inside a job until the promise returned is set: what is submitted
    // meanwhile arrives while a group is being written, so it forms the next group.
    std::promise<void> hold() {
        auto entered = std::make_shared<std::promise<void>>();
        std::promise<void> open;
        rec->submit(
            [entered, opened = open.get_future().share()](storage::store&) {
                entered->set_value();
                opened.wait();
            },
            nullptr);
        entered->get_future().wait();
        return open;
    }

    // Submits `works`, each with the next completion, as one group.
    void submit_together(std::vector<recorder::work_fn> works) {
        auto open = hold();
        for (auto& w : works) rec->submit(std::move(w), out.next());
        open.set_value();
    }

    // Runs completions until `n` jobs have reported.
    bool wait_for(std::size_t n) {
        return io.run_until([&] { return out.count() == n; });
    }
};

// What the recorder reported (the metrics' view of it): jobs queued, then each group.
struct reports final : recorder_observer {
    std::mutex mutex;
    std::size_t queued_jobs = 0;
    std::vector<group_report> groups;
    std::vector<std::string> failed_attempts;

    void queued() override {
        std::lock_guard lock(mutex);
        ++queued_jobs;
    }
    void committed(const group_report& r) override {
        std::lock_guard lock(mutex);
        groups.push_back(r);
    }
    void commit_failed(const std::string& why) override {
        std::lock_guard lock(mutex);
        failed_attempts.push_back(why);
    }
};

}  // namespace

TEST_SUITE("recorder") {

TEST_CASE("completions run on the posting thread once the group is durable") {
    fixture f;
    recorder& rec = f.start();
    for (int i = 0; i < 20; ++i) rec.submit(append("Ev-" + std::to_string(i)), f.out.next());
    REQUIRE(f.wait_for(20));
    for (const auto& e : f.out.errors) CHECK(e.empty());
    for (const auto& t : f.out.threads) CHECK(t == std::this_thread::get_id());
    // Durable: another connection sees every entry once the completions ran.
    CHECK(stored_entries(f.path) == 1 + 20);
    CHECK(rec.counters().jobs == 20);
}

TEST_CASE("what is submitted while a group commits goes into the next one, as one transaction") {
    fixture f;
    recorder& rec = f.start();
    std::vector<recorder::work_fn> works;
    for (int i = 0; i < 50; ++i) works.push_back(append("Ev-" + std::to_string(i)));
    f.submit_together(std::move(works));
    REQUIRE(f.wait_for(50));
    const auto c = rec.counters();
    CHECK(c.groups == 2);  // the holding job's, then the 50 together
    CHECK(c.jobs == 51);
    CHECK(c.largest == 50);
    CHECK(stored_entries(f.path) == 1 + 50);
}

TEST_CASE("a job that throws fails alone; the rest of its group commits") {
    fixture f;
    f.start();
    f.submit_together({
        append("Ev-a"),
        // No incident 999: the insert violates the foreign key.
        [](storage::store& s) { s.append(sample_entry(999, "Ev-orphan", t0(1))); },
        [](storage::store&) { throw std::runtime_error("a bug in a job"); },
        append("Ev-b"),
    });
    REQUIRE(f.wait_for(4));
    CHECK(f.out.errors[0].empty());
    CHECK(f.out.errors[1].find("FOREIGN KEY") != std::string::npos);
    CHECK(f.out.errors[2] == "a bug in a job");
    CHECK(f.out.errors[3].empty());
    CHECK(stored_entries(f.path) == 1 + 2);
}

TEST_CASE("appends in a row are one batch: each job learns whether its entry was new and fails alone") {
    fixture f;
    recorder& rec = f.start();
    std::vector<std::string> steps;  // written on the storage thread, read after the completions
    const auto entry = [](std::string key, std::int64_t incident = 1) {
        return [key, incident]() -> std::optional<timeline_entry> {
            auto e = sample_entry(incident, key, t0(10));
            e.slack_ts.clear();
            return e;
        };
    };
    const recorder::stored_fn note = [&](storage::store&, const timeline_entry& e, bool newly) {
        steps.push_back(e.key + (newly ? " new" : " stored already"));
    };
    auto open = f.hold();
    rec.submit_append(entry("Ev-a"), note, f.out.next());
    rec.submit_append(entry("Ev-orphan", 999), note, f.out.next());  // no incident 999: fails the batch
    rec.submit_append(entry("Ev-a"), note, f.out.next());            // a redelivery
    rec.submit_append([] { return std::optional<timeline_entry>(); }, note, f.out.next());  // nothing to store
    rec.submit([&](storage::store& s) { steps.push_back("then a job: " + std::to_string(s.timeline_size(1))); },
               f.out.next());
    rec.submit_append(entry("Ev-b"), nullptr, f.out.next());
    open.set_value();
    REQUIRE(f.wait_for(6));
    CHECK(f.out.errors[0].empty());
    CHECK(f.out.errors[1].find("FOREIGN KEY") != std::string::npos);
    for (std::size_t i = 2; i < 6; ++i) CHECK(f.out.errors[i].empty());
    // In submission order: the job between two runs of appends sees the first run (and the
    // declare), not the second.
    CHECK(steps == std::vector<std::string>{"Ev-a new", "Ev-a stored already", "then a job: 2"});
    CHECK(stored_entries(f.path) == 1 + 2);
    CHECK(rec.counters().jobs == 1 + 6);
}

TEST_CASE("a failing commit: reading stops, the same group is retried until it commits, then reading resumes") {
    reports seen;  // what /readyz hears (outlives the recorder)
    fixture f;
    poison_commits(f.path);
    std::vector<bool> failing;  // storage_failing callbacks, on the posting thread
    recorder::options o;
    o.commit.backoff = {50ms, 200ms, 0.0};
    o.storage_failing = [&](bool on) { failing.push_back(on); };
    recorder& rec = f.rec.emplace(storage::store(f.path), f.io.poster(), o, &seen);
    f.submit_together({
        append("Ev-fine"),              // would have committed alone
        append("Ev-poison", "poison"),  // every statement succeeds; the COMMIT fails
    });
    // Reading stops at the first failure; nothing is acked meanwhile, nothing is stored.
    REQUIRE(f.io.run_until([&] { return !failing.empty(); }));
    CHECK(failing == std::vector<bool>{true});
    CHECK(f.out.count() == 0);
    CHECK(stored_entries(f.path) == 1);
    for (int i = 0; i < 500 && rec.counters().failed_commits < 3; ++i) std::this_thread::sleep_for(10ms);
    CHECK(rec.counters().failed_commits >= 3);  // retried, with nothing acked meanwhile
    CHECK(f.out.count() == 0);
    // Each failed attempt is reported as it happens (/readyz says 503 during the outage, not after).
    {
        std::lock_guard lock(seen.mutex);
        CHECK(seen.failed_attempts.size() >= 2);
        for (const auto& g : seen.groups) CHECK(g.durable);  // the failing group is not done yet
        if (!seen.failed_attempts.empty()) CHECK(seen.failed_attempts[0].find("FOREIGN KEY") != std::string::npos);
    }

    // The cause goes away (space freed): the next retry commits the whole group, then reading resumes.
    {
        SQLite::Database db(f.path, SQLite::OPEN_READWRITE);
        db.exec("DROP TRIGGER poison_commit");
    }
    REQUIRE(f.wait_for(2));
    for (const auto& e : f.out.errors) CHECK(e.empty());
    CHECK(stored_entries(f.path) == 1 + 2);
    REQUIRE(f.io.run_until([&] { return failing.size() == 2; }));
    CHECK(failing == std::vector<bool>{true, false});
}

TEST_CASE("commits failing past the deadline: every waiting job fails, the owner is told to exit, nothing more is taken") {
    fixture f;
    poison_commits(f.path);
    std::optional<int> gave_up;
    recorder::options o;
    o.commit.deadline = 300ms;
    o.commit.backoff = {50ms, 100ms, 0.0};
    o.gave_up = [&](int code) { gave_up = code; };
    recorder& rec = f.rec.emplace(storage::store(f.path), f.io.poster(), o);
    f.submit_together({append("Ev-fine"), append("Ev-poison", "poison")});
    REQUIRE(f.wait_for(2));
    for (const auto& e : f.out.errors) CHECK(e.find("FOREIGN KEY constraint failed") != std::string::npos);
    REQUIRE(f.io.run_until([&] { return gave_up.has_value(); }));
    CHECK(*gave_up == 74);
    CHECK(stored_entries(f.path) == 1);
    rec.submit(append("Ev-late"), f.out.next());
    REQUIRE(f.wait_for(3));
    CHECK(f.out.errors[2] == "recorder gave up: commits kept failing");
    rec.stop();
}

TEST_CASE("the observer hears of every job queued and of each group: its size, time and failure") {
    reports seen;                 // outlives the recorder
    std::optional<int> gave_up;   // so does this
    fixture f;
    poison_commits(f.path);
    // The poisoned group's commit keeps failing: the recorder gives up on it after 300 ms (not
    // the default 5 minutes), so its job reports its failure.
    recorder::options o;
    o.commit.deadline = 300ms;
    o.commit.backoff = {50ms, 100ms, 0.0};
    o.gave_up = [&](int code) { gave_up = code; };
    f.rec.emplace(storage::store(f.path), f.io.poster(), o, &seen);
    f.submit_together({append("Ev-1"), append("Ev-2"), append("Ev-3")});
    REQUIRE(f.wait_for(3));
    f.submit_together({append("Ev-poison", "poison")});
    REQUIRE(f.wait_for(4));

    // Reported before the completions ran: nothing left to wait for.
    std::lock_guard lock(seen.mutex);
    CHECK(seen.queued_jobs == 2 + 3 + 1);  // the two holding jobs, then the work
    REQUIRE(seen.groups.size() == 4);      // holding job, its three, holding job, the poison
    std::size_t jobs = 0;
    for (const auto& g : seen.groups) {
        jobs += g.size;
        CHECK(g.took > std::chrono::steady_clock::duration::zero());
    }
    CHECK(jobs == seen.queued_jobs);  // a pending-writes gauge returns to zero
    CHECK(seen.groups[1].size == 3);
    CHECK(seen.groups[1].durable);
    CHECK(seen.groups[1].failure.empty());
    CHECK_FALSE(seen.groups[3].durable);
    CHECK(seen.groups[3].failure.find("FOREIGN KEY constraint failed") != std::string::npos);
}

TEST_CASE("idle_probe: with nothing queued, empty groups probe the database; reported with size 0, not counted") {
    reports seen;  // outlives the recorder
    fixture f;
    recorder::options o;
    o.idle_probe = 20ms;
    recorder& rec = f.rec.emplace(storage::store(f.path), f.io.poster(), o, &seen);
    const auto probes = [&] {
        std::lock_guard lock(seen.mutex);
        return std::count_if(seen.groups.begin(), seen.groups.end(), [](const group_report& g) { return g.size == 0; });
    };
    for (int i = 0; i < 200 && probes() < 3; ++i) std::this_thread::sleep_for(10ms);
    CHECK(probes() >= 3);
    // A job still commits as before, and only it counts.
    rec.submit(append("Ev-after-probes"), f.out.next());
    REQUIRE(f.wait_for(1));
    CHECK(f.out.errors[0].empty());
    CHECK(stored_entries(f.path) == 2);
    CHECK(rec.counters().groups == 1);
    CHECK(rec.counters().jobs == 1);
    std::lock_guard lock(seen.mutex);
    for (const auto& g : seen.groups) CHECK(g.durable);
    CHECK(seen.queued_jobs == 1);
}

TEST_CASE("stop() commits what is queued; a job submitted after it fails on the posting thread") {
    fixture f;
    recorder& rec = f.start();
    std::vector<recorder::work_fn> works;
    for (int i = 0; i < 5; ++i) works.push_back(append("Ev-" + std::to_string(i)));
    f.submit_together(std::move(works));
    rec.stop();
    CHECK(stored_entries(f.path) == 1 + 5);  // flushed before stop() returned

    rec.submit(append("Ev-late"), f.out.next());
    rec.stop();  // idempotent
    REQUIRE(f.wait_for(6));
    for (std::size_t i = 0; i < 5; ++i) CHECK(f.out.errors[i].empty());
    CHECK(f.out.errors[5] == "recorder stopped");
    CHECK(f.out.threads[5] == std::this_thread::get_id());
    CHECK(stored_entries(f.path) == 1 + 5);
}

}  // TEST_SUITE recorder
