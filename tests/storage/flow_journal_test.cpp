// The flow journal table (schema v6), store::atomically, and the one-run-per-file lock.
#include "storage/run_lock.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"
#include "tests/support/files.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ib;
using namespace ib::storage;
using namespace ib::storage::testing;
using ib::test::slurp;

TEST_SUITE("storage") {

TEST_CASE("flow journal: saved, replaced only by a later step, forgotten, listed in first-save order") {
    temp_dir dir;
    const auto path = test_db(dir.file("journal.db"));
    {
        store s(path);
        CHECK(s.unfinished_flows().empty());
        CHECK(s.save_flow({"cmd:B", "change", 1, R"({"at":"storing"})", "", {}}));
        CHECK(s.save_flow({"cmd:A", "declare", 1, R"({"at":"creating"})", "", {}}));
        CHECK(s.save_flow({"cmd:B", "change", 2, R"({"at":"announcing"})", "", {}}));
        // A snapshot taken before the last write, arriving after it, changes nothing.
        CHECK_FALSE(s.save_flow({"cmd:B", "change", 2, R"({"at":"stale"})", "", {}}));
        CHECK_FALSE(s.save_flow({"cmd:B", "change", 1, R"({"at":"older"})", "", {}}));
        // A flow handing over to another (a change to its summary) keeps the key, changes the kind.
        CHECK(s.save_flow({"cmd:A", "summary", 5, R"({"at":"posting_summary"})", "", {}}));
        CHECK_THROWS_AS(s.save_flow({"", "change", 1, "{}", "", {}}), storage_error);
    }
    store again(path);  // durable
    const auto rows = again.unfinished_flows();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == store::flow_row{"cmd:B", "change", 2, R"({"at":"announcing"})", "", {}});
    CHECK(rows[1] == store::flow_row{"cmd:A", "summary", 5, R"({"at":"posting_summary"})", "", {}});
    again.forget_flow("cmd:B");
    again.forget_flow("cmd:unknown");
    REQUIRE(again.unfinished_flows().size() == 1);
    CHECK(again.unfinished_flows()[0].key == "cmd:A");
    // Read-only stores can read it; writes are refused.
    store ro(path, open_options{.read_only = true});
    CHECK(ro.unfinished_flows().size() == 1);
    CHECK_THROWS_AS(ro.forget_flow("cmd:A"), storage_error);
}

// Several instances on one database (schema v11): each entry names its owner; another takes it
// over only through claim_flows, once `take` says so (the bot: core/flows/journal.hpp resumes).
namespace {
// The bot's rule with a 60 s lease: another's entry not renewed for 60 s.
std::function<bool(const store::flow_row&)> expired_for(const std::string& me, time_point now) {
    return [me, now](const store::flow_row& r) { return r.owner != me && now - r.renewed_at >= std::chrono::seconds{60}; };
}
}  // namespace

TEST_CASE("flow journal, several instances: owners fence writes; renewed entries stay; expired ones are taken over") {
    store s(test_db());
    CHECK(s.save_flow({"cmd:X", "change", 1, R"({"at":"storing"})", "A", t0()}));
    CHECK(s.save_flow({"cmd:Y", "declare", 1, R"({"at":"creating"})", "A", t0()}));
    // B cannot write nor forget A's entries (a redelivered command B started, say).
    CHECK_FALSE(s.save_flow({"cmd:X", "change", 5, R"({"at":"B's"})", "B", t0(1)}));
    s.forget_flow("cmd:X", "B");
    REQUIRE(s.unfinished_flows().size() == 2);
    CHECK(s.unfinished_flows()[0] == store::flow_row{"cmd:X", "change", 1, R"({"at":"storing"})", "A", t0()});
    // Within the lease nothing is taken; A renews both, so at t0+100 they are still A's.
    CHECK(s.claim_flows("B", t0(30), expired_for("B", t0(30))).empty());
    CHECK(s.renew_flows("A", t0(50)) == 2);
    CHECK(s.claim_flows("B", t0(100), expired_for("B", t0(100))).empty());
    CHECK(s.unfinished_flows()[1].renewed_at == t0(50));
    // A saves X once more (renewed by the save), then stops renewing: at t0+111 Y is B's, X at t0+121.
    CHECK(s.save_flow({"cmd:X", "change", 2, R"({"at":"announcing"})", "A", t0(61)}));
    const auto first = s.claim_flows("B", t0(111), expired_for("B", t0(111)));
    REQUIRE(first.size() == 1);
    CHECK(first[0] == store::flow_row{"cmd:Y", "declare", 1, R"({"at":"creating"})", "B", t0(111)});
    const auto second = s.claim_flows("B", t0(121), expired_for("B", t0(121)));
    REQUIRE(second.size() == 1);
    CHECK(second[0] == store::flow_row{"cmd:X", "change", 2, R"({"at":"announcing"})", "B", t0(121)});
    // Taken over: A, stalled rather than dead, can no longer write or end them; B can.
    CHECK_FALSE(s.save_flow({"cmd:X", "change", 3, R"({"at":"A's late"})", "A", t0(122)}));
    s.forget_flow("cmd:Y", "A");
    CHECK(s.unfinished_flows().size() == 2);
    CHECK(s.save_flow({"cmd:X", "change", 3, R"({"at":"done"})", "B", t0(123)}));
    CHECK(s.unfinished_flows()[0].state == R"({"at":"done"})");
    CHECK(s.renew_flows("A", t0(124)) == 0);
    s.forget_flow("cmd:Y", "B");
    REQUIRE(s.unfinished_flows().size() == 1);
    CHECK(s.unfinished_flows()[0].key == "cmd:X");
}

TEST_CASE("flow journal: two instances take over one expired entry at once; exactly one gets it") {
    temp_dir dir;
    const auto path = test_db(dir.file("race.db"));
    store a(path);
    store b(path);
    CHECK(a.save_flow({"cmd:dead", "change", 3, "{}", "C", t0()}));
    // B's claim is made while A's is written but not committed: B waits (SQLite: for the write
    // lock; PostgreSQL: on the row's lock) and then finds the entry A's, renewed just now.
    a.begin_group();
    const auto won = a.claim_flows("A", t0(100), expired_for("A", t0(100)));
    std::vector<store::flow_row> lost(1);  // replaced by the claim's result
    std::thread other([&] { lost = b.claim_flows("B", t0(100), expired_for("B", t0(100))); });
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    a.commit_group();
    other.join();
    REQUIRE(won.size() == 1);
    CHECK(won[0].owner == "A");
    CHECK(lost.empty());
    REQUIRE(b.unfinished_flows().size() == 1);
    CHECK(b.unfinished_flows()[0].owner == "A");
    CHECK(b.unfinished_flows()[0].renewed_at == t0(100));
}

TEST_CASE("atomically: a change and its journal entry commit together or not at all, in a group or alone") {
    store s(test_db());
    auto inc = sample_incident();
    auto decl = declare_entry("decl", t0());
    const auto id = s.create_incident(inc, decl);
    inc.sev = severity::sev1;
    const auto change = sample_entry(id, "cmd:1", t0(5), "sev2 → sev1", entry_kind::severity);

    SUBCASE("alone: its own transaction") {
        CHECK_THROWS_AS(s.atomically([&] {
            s.save_change(inc, change);
            s.save_flow({"cmd:1", "change", 1, "{}", "", {}});
            throw storage_error("then something failed");
        }),
                        storage_error);
        CHECK_FALSE(stored_key(s, "cmd:1"));
        CHECK(s.unfinished_flows().empty());
        CHECK(s.incident_by_id(id)->sev == severity::sev2);
        s.atomically([&] {
            s.save_change(inc, change);
            s.save_flow({"cmd:1", "change", 1, "{}", "", {}});
        });
        CHECK(stored_key(s, "cmd:1"));
        CHECK(s.unfinished_flows().size() == 1);
    }
    SUBCASE("inside a group: a savepoint; the group's other writes still commit") {
        s.begin_group();
        CHECK(s.append(sample_entry(id, "other", t0(2))));
        CHECK_THROWS_AS(s.atomically([&] {
            s.save_change(inc, change);
            s.append(sample_entry(id + 99, "orphan", t0(3)));  // unknown incident: throws
        }),
                        storage_error);
        s.atomically([&] { s.save_flow({"cmd:2", "change", 1, "{}", "", {}}); });
        s.commit_group();
        CHECK(stored_key(s, "other"));
        CHECK_FALSE(stored_key(s, "cmd:1"));
        CHECK(s.incident_by_id(id)->sev == severity::sev2);
        CHECK(s.unfinished_flows().size() == 1);
    }
}

TEST_CASE("run lock: one holder per database file; the pid in the message; released on close and on death" * sqlite_only()) {
    temp_dir dir;
    const auto db = test_db(dir.file("bot.db"));
    {
        run_lock first = run_lock::acquire(db);
        CHECK(first.held());
        CHECK(first.file() == db + ".lock");
        CHECK(slurp(db + ".lock") == std::to_string(::getpid()) + "\n");
        // Another open of the same file (as a second process would) is refused, naming the holder.
        try {
            run_lock second = run_lock::acquire(db);
            FAIL("a second lock on the same file was granted");
        } catch (const database_in_use& e) {
            CHECK(std::string(e.what()) == db + ": in use by another incident-bot run (pid " +
                                               std::to_string(::getpid()) + "); one run per database file");
        }
        // The same file through another spelling of its path.
        CHECK_THROWS_AS(run_lock::acquire(test_db(dir.file("./bot.db"))), database_in_use);
        // The database itself stays open to others (export, stats): nothing locks it.
        store reader(db);
        CHECK(reader.unfinished_flows().empty());
    }
    // Released with its holder: the next run takes it.
    CHECK(run_lock::acquire(db).held());

    // A holder killed with SIGKILL leaves no stale lock: the kernel drops it with the process.
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        try {
            run_lock held = run_lock::acquire(db);
            const char ok = 'y';
            (void)!::write(ready[1], &ok, 1);
            ::pause();
        } catch (...) {
        }
        ::_exit(1);
    }
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    CHECK_THROWS_WITH_AS(run_lock::acquire(db),
                         (db + ": in use by another incident-bot run (pid " + std::to_string(child) +
                          "); one run per database file")
                             .c_str(),
                         database_in_use);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    run_lock after = run_lock::acquire(db);
    CHECK(after.held());
    CHECK(slurp(db + ".lock") == std::to_string(::getpid()) + "\n");

    // In-memory databases need no lock.
    CHECK_FALSE(run_lock::acquire(":memory:").held());
}

}  // TEST_SUITE
