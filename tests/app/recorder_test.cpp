// The recorder (group commit on a storage thread) against a real SQLite file: completions only
// after the group is durable and only on the posting thread, one transaction per group, a job
// that throws failing alone, a commit that fails failing its whole group, stop() draining.
//
// The failing commit is a real one: the test adds to the database a deferred foreign key that a
// trigger violates when an entry says "poison", so every statement succeeds and SQLite refuses
// the COMMIT itself, as it would for a full disk at commit time. Nothing in the product changes.
#include "bot/app/recorder.hpp"

#include "../storage/storage_test_util.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
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

recorder::work_fn append(std::string key, std::string text = "looking at it") {
    return [key = std::move(key), text = std::move(text)](storage::store& s) {
        s.append(sample_entry(1, key, t0(10), text));
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

// Holds the storage thread inside a job until release(), so that what is submitted meanwhile
// lands in the next group, together.
struct gate {
    std::promise<void> entered, open;
    std::shared_future<void> opened = open.get_future().share();

    recorder::work_fn job() {
        return [this](storage::store&) {
            entered.set_value();
            opened.wait();
        };
    }
    void release() { open.set_value(); }
};

}  // namespace

TEST_SUITE("recorder") {

TEST_CASE("completions run on the posting thread once the group is durable") {
    temp_dir dir;
    const std::string path = database_with_an_incident(dir);
    io_thread io;
    outcomes out;
    recorder rec(storage::store(path), io.poster());

    for (int i = 0; i < 20; ++i) rec.submit(append("Ev-" + std::to_string(i)), out.next());
    REQUIRE(io.run_until([&] { return out.count() == 20; }));
    for (const auto& e : out.errors) CHECK(e.empty());
    for (const auto& t : out.threads) CHECK(t == std::this_thread::get_id());
    // Durable: another connection sees every entry once the completions ran.
    CHECK(stored_entries(path) == 1 + 20);
    CHECK(rec.counters().jobs == 20);
}

TEST_CASE("what is submitted while a group commits goes into the next one, as one transaction") {
    temp_dir dir;
    const std::string path = database_with_an_incident(dir);
    io_thread io;
    outcomes out;
    recorder rec(storage::store(path), io.poster());

    gate g;
    rec.submit(g.job(), out.next());
    g.entered.get_future().wait();  // the storage thread is inside group 1
    for (int i = 0; i < 50; ++i) rec.submit(append("Ev-" + std::to_string(i)), out.next());
    g.release();
    REQUIRE(io.run_until([&] { return out.count() == 51; }));
    const auto c = rec.counters();
    CHECK(c.groups == 2);
    CHECK(c.jobs == 51);
    CHECK(c.largest == 50);
    CHECK(stored_entries(path) == 1 + 50);
}

TEST_CASE("a job that throws fails alone; the rest of its group commits") {
    temp_dir dir;
    const std::string path = database_with_an_incident(dir);
    io_thread io;
    outcomes out;
    recorder rec(storage::store(path), io.poster());

    gate g;
    rec.submit(g.job(), nullptr);
    g.entered.get_future().wait();
    rec.submit(append("Ev-a"), out.next());
    rec.submit([](storage::store& s) { s.append(sample_entry(999, "Ev-orphan", t0(1))); }, out.next());  // no incident 999
    rec.submit([](storage::store&) { throw std::runtime_error("a bug in a job"); }, out.next());
    rec.submit(append("Ev-b"), out.next());
    g.release();
    REQUIRE(io.run_until([&] { return out.count() == 4; }));
    CHECK(out.errors[0].empty());
    CHECK(out.errors[1].find("FOREIGN KEY") != std::string::npos);
    CHECK(out.errors[2] == "a bug in a job");
    CHECK(out.errors[3].empty());
    CHECK(stored_entries(path) == 1 + 2);
}

TEST_CASE("a commit that fails fails its whole group, stores nothing of it, and the next group commits") {
    temp_dir dir;
    const std::string path = database_with_an_incident(dir);
    poison_commits(path);
    io_thread io;
    outcomes out;
    recorder rec(storage::store(path), io.poster());

    gate g;
    rec.submit(g.job(), nullptr);
    g.entered.get_future().wait();
    rec.submit(append("Ev-fine"), out.next());             // would have committed alone
    rec.submit(append("Ev-poison", "poison"), out.next());  // every statement succeeds
    g.release();
    REQUIRE(io.run_until([&] { return out.count() == 2; }));
    // Neither is acked: the commit failed for both, and neither entry is in the file.
    for (const auto& e : out.errors) CHECK(e.find("FOREIGN KEY constraint failed") != std::string::npos);
    CHECK(stored_entries(path) == 1);

    // The connection is usable again: a redelivery of the good one is stored.
    rec.submit(append("Ev-fine"), out.next());
    REQUIRE(io.run_until([&] { return out.count() == 3; }));
    CHECK(out.errors[2].empty());
    CHECK(stored_entries(path) == 2);
}

TEST_CASE("stop() commits what is queued; a job submitted after it fails on the posting thread") {
    temp_dir dir;
    const std::string path = database_with_an_incident(dir);
    io_thread io;
    outcomes out;
    {
        recorder rec(storage::store(path), io.poster());
        gate g;
        rec.submit(g.job(), nullptr);
        g.entered.get_future().wait();
        for (int i = 0; i < 5; ++i) rec.submit(append("Ev-" + std::to_string(i)), out.next());
        g.release();
        rec.stop();
        CHECK(stored_entries(path) == 1 + 5);  // flushed before stop() returned

        rec.submit(append("Ev-late"), out.next());
        rec.stop();  // idempotent
        REQUIRE(io.run_until([&] { return out.count() == 6; }));
    }
    for (std::size_t i = 0; i < 5; ++i) CHECK(out.errors[i].empty());
    CHECK(out.errors[5] == "recorder stopped");
    CHECK(out.threads[5] == std::this_thread::get_id());
    CHECK(stored_entries(path) == 1 + 5);
}

}  // TEST_SUITE recorder
