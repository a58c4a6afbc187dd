// The user-lookup flow and its schedule (core/flows/resolve_user.hpp), stepped by hand with
// Slack's own users.info answers (shared/slack-fixtures).
#include "core/flows/resolve_user.hpp"
#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using ib_test::answer;

TEST_SUITE("flows") {

TEST_CASE("resolve_user: users.info, then the profile into the cache") {
    const auto now = from_unix_seconds(1'800'000'000);
    resolve_user_flow flow("W012A3CDE", now);
    auto act = flow.start();
    const auto* c = std::get_if<call>(&act.what);
    REQUIRE(c);
    CHECK(c->method == "users.info");
    CHECK(c->args == nlohmann::json{{"user", "W012A3CDE"}});
    CHECK(c->idempotent);

    act = flow.resume(answer(200, "web-api-users.info-ok.json"));
    const auto* save = std::get_if<save_user>(&act.what);
    REQUIRE(save);
    CHECK(save->profile.id == "W012A3CDE");
    CHECK(save->profile.name == "spengler");  // profile.display_name
    CHECK(save->profile.real_name == "Egon Spengler");
    CHECK(save->profile.fetched_at == now);
    act = flow.resume(stored{});
    CHECK(std::holds_alternative<done>(act.what));
    CHECK(flow.current().resolved);
}

TEST_CASE("resolve_user: a user Slack does not know is cached as not found; other failures are logged") {
    const auto now = from_unix_seconds(1'800'000'000);
    SUBCASE("user_not_found") {
        resolve_user_flow flow("U0GONE", now);
        flow.start();
        const auto act = flow.resume(answer(200, "web-api-users.info-error-user_not_found.json"));
        const auto* save = std::get_if<save_user>(&act.what);
        REQUIRE(save);
        CHECK(save->profile.id == "U0GONE");
        CHECK_FALSE(save->profile.found);
        CHECK(save->profile.name.empty());
    }
    SUBCASE("rate limited past the transport's retries") {
        resolve_user_flow flow("U1", now);
        flow.start();
        const auto act = flow.resume(answer(429, "web-api-error-ratelimited-429-body.json", 30));
        CHECK(std::holds_alternative<done>(act.what));
        CHECK(act.level == log_level::warn);
        CHECK(act.log.find("users.info for U1 failed: ratelimited") != std::string::npos);
        CHECK_FALSE(flow.current().resolved);
    }
    SUBCASE("an answer about someone else") {
        resolve_user_flow flow("U1", now);
        flow.start();
        const auto act = flow.resume(answer(200, "web-api-users.info-ok.json"));  // W012A3CDE
        CHECK(std::holds_alternative<done>(act.what));
        CHECK_FALSE(flow.current().resolved);
    }
    SUBCASE("the cache write fails") {
        resolve_user_flow flow("W012A3CDE", now);
        flow.start();
        flow.resume(answer(200, "web-api-users.info-ok.json"));
        const auto act = flow.resume(store_failed{"disk full"});
        CHECK(std::holds_alternative<done>(act.what));
        CHECK(act.log.find("disk full") != std::string::npos);
    }
    SUBCASE("a restart asks again") {
        resolve_user_flow flow("U1", now);
        flow.start();
        CHECK(std::holds_alternative<call>(flow.resume(restarted{}).what));
    }
}

TEST_CASE("user_lookups: once at a time, at most daily, again soon after a failure") {
    const auto t = from_unix_seconds(1'800'000'000);
    user_lookups l;
    CHECK(l.seen("U1", t));
    CHECK_FALSE(l.seen("U1", t));  // in flight
    l.finished("U1", t, true);
    CHECK_FALSE(l.seen("U1", t + std::chrono::hours{23}));
    CHECK(l.seen("U1", t + std::chrono::hours{24}));
    l.finished("U1", t + std::chrono::hours{24}, false);
    CHECK_FALSE(l.seen("U1", t + std::chrono::hours{24} + std::chrono::minutes{14}));
    CHECK(l.seen("U1", t + std::chrono::hours{24} + std::chrono::minutes{15}));

    l.cached("U2", t);  // from the database at start-up
    CHECK_FALSE(l.seen("U2", t + std::chrono::hours{1}));
    CHECK(l.seen("U2", t + std::chrono::hours{25}));
    CHECK_FALSE(l.seen("", t));
    CHECK_FALSE(l.seen("<@U3>", t));
}

}  // TEST_SUITE
