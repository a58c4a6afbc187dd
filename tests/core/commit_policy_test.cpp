// The fail-loudly policy for failing commits, stepped with a manual clock: stop reading and retry
// with a growing backoff, read again once a commit works, give up (exit 74) after the deadline.
#include "core/commit_policy.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace std::chrono_literals;
using kind = commit_policy::decision::kind;
using st = commit_policy::state;

TEST_SUITE("commit_policy") {

TEST_CASE("healthy commits say nothing") {
    commit_policy p;
    const auto d = p.committed({});
    CHECK(d.what == kind::go_on);
    CHECK_FALSE(d.pause_reading);
    CHECK_FALSE(d.resume_reading);
    CHECK(d.log.empty());
    CHECK(p.current() == st::healthy);
}

TEST_CASE("a failing commit stops reading once, retries with a growing, capped backoff, and recovers") {
    commit_policy::config c;
    c.backoff = {250ms, 2000ms, 0.0};
    commit_policy p(c);
    commit_policy::time_point now{};

    auto d = p.failed(now, "database or disk is full", 0.5);
    CHECK(d.what == kind::retry);
    CHECK(d.pause_reading);
    CHECK(d.delay == 250ms);
    CHECK(d.log ==
          "commit failed, nothing acked (database or disk is full); not reading from Slack; retrying in 250ms "
          "(attempt 1, giving up after 5m0s)");
    CHECK(p.current() == st::failing);

    std::chrono::milliseconds last{0};
    for (int i = 2; i <= 6; ++i) {
        now += d.delay;
        d = p.failed(now, "database or disk is full", 0.5);
        CHECK(d.what == kind::retry);
        CHECK_FALSE(d.pause_reading);  // already paused
        CHECK(d.delay >= last);
        CHECK(d.delay <= 2000ms);
        last = d.delay;
    }
    CHECK(last == 2000ms);
    CHECK(p.attempts() == 6);

    now += 1s;
    d = p.committed(now);
    CHECK(d.what == kind::go_on);
    CHECK(d.resume_reading);
    CHECK(d.log.rfind("commits work again after 6 failed in ", 0) == 0);
    CHECK(p.current() == st::healthy);
    CHECK(p.attempts() == 0);
    // The next failure starts a new episode: a fresh deadline and the first delay again.
    d = p.failed(now + 10min, "disk I/O error", 0.5);
    CHECK(d.pause_reading);
    CHECK(d.delay == 250ms);
}

TEST_CASE("commits failing for the deadline: give up with exit code 74, in one line") {
    commit_policy::config c;
    c.deadline = 3s;
    commit_policy p(c);
    const commit_policy::time_point start{};
    CHECK(p.failed(start, "disk I/O error", 0.0).what == kind::retry);
    CHECK(p.failed(start + 2999ms, "disk I/O error", 0.0).what == kind::retry);
    const auto d = p.failed(start + 3s, "disk I/O error", 0.0);
    CHECK(d.what == kind::give_up);
    CHECK(d.exit_code == commit_policy::exit_storage_failed);
    CHECK(d.exit_code == 74);
    CHECK(d.log ==
          "commits have failed for 3.0s (3 attempts; last: disk I/O error); exiting so a supervisor can restart the bot");
    CHECK(p.current() == st::gave_up);
    // Terminal.
    CHECK(p.committed(start + 4s).log.empty());
    CHECK(p.current() == st::gave_up);
    CHECK(p.failed(start + 5s, "x", 0.0).what == kind::give_up);
    CHECK(commit_policy::default_deadline == 5min);
}

}  // TEST_SUITE commit_policy
