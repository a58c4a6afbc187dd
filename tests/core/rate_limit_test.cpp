// `/incident start` at most 5 times per user per 10 minutes (core/rate_limit), stepped with a
// hand-held clock.
#include "core/rate_limit.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace std::chrono_literals;

namespace {
const time_point t0 = from_unix_seconds(1'790'000'000);
}

TEST_SUITE("rate_limit") {

TEST_CASE("five starts in ten minutes are allowed, the sixth is refused with when to retry") {
    start_rate_limit limit;
    for (int i = 0; i < 5; ++i) CHECK(limit.admit("U1", t0 + i * 1min) == "");
    CHECK(limit.recent("U1", t0 + 4min) == 5);
    const std::string no = limit.admit("U1", t0 + 5min);
    CHECK(no.find("5 incidents in the last 10 minutes") != std::string::npos);
    CHECK(no.find("try again in 5 minutes") != std::string::npos);  // the first leaves the window at 10m
    CHECK(limit.recent("U1", t0 + 5min) == 5);  // a refused request is not counted
    // Another person is not affected.
    CHECK(limit.admit("U2", t0 + 5min) == "");
}

TEST_CASE("the window slides: each start frees its slot ten minutes later") {
    start_rate_limit limit;
    for (int i = 0; i < 5; ++i) REQUIRE(limit.admit("U1", t0 + i * 1min) == "");
    CHECK_FALSE(limit.admit("U1", t0 + 10min - 1s).empty());
    CHECK(limit.admit("U1", t0 + 10min) == "");       // the start at t0 has left the window
    CHECK_FALSE(limit.admit("U1", t0 + 10min).empty());  // and its slot is taken again
    const std::string no = limit.admit("U1", t0 + 10min + 30s);
    CHECK(no.find("try again in 1 minute.") != std::string::npos);  // rounded up, singular
    CHECK(limit.admit("U1", t0 + 11min) == "");
    CHECK(limit.recent("U1", t0 + 11min) == 5);
}

TEST_CASE("a burst at one instant, and a clock that steps back, are counted safely") {
    start_rate_limit limit;
    for (int i = 0; i < 5; ++i) REQUIRE(limit.admit("U1", t0) == "");
    CHECK_FALSE(limit.admit("U1", t0).empty());
    // Earlier than what was counted: treated as that time, still refused.
    CHECK_FALSE(limit.admit("U1", t0 - 1h).empty());
    CHECK(limit.admit("U1", t0 + 10min) == "");
}

TEST_CASE("other limits can be configured") {
    start_rate_limit limit(2, 1min);
    CHECK(limit.admit("U1", t0) == "");
    CHECK(limit.admit("U1", t0 + 1s) == "");
    const std::string no = limit.admit("U1", t0 + 2s);
    CHECK(no.find("2 incidents in the last 1 minute,") != std::string::npos);
    CHECK(limit.admit("U1", t0 + 1min) == "");
}

}  // TEST_SUITE
