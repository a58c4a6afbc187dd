#include "core/time.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace std::chrono_literals;
using std::chrono::seconds;

TEST_SUITE("time") {

TEST_CASE("ISO-8601 round trip and rejection") {
    const auto t = parse_iso8601("2026-11-21T14:43:23Z");
    REQUIRE(t);
    CHECK(to_iso8601(*t) == "2026-11-21T14:43:23Z");
    CHECK(to_unix_micros(*t) == 1'795'272'203'000'000LL);

    SUBCASE("fractions and +00:00 are accepted, output truncates to seconds") {
        const auto f = parse_iso8601("2026-11-21T14:43:23.987654+00:00");
        REQUIRE(f);
        CHECK(to_unix_micros(*f) - to_unix_micros(*t) == 987'654);
        CHECK(to_iso8601(*f) == "2026-11-21T14:43:23Z");
    }
    SUBCASE("garbage is refused") {
        for (const char* bad : {"", "2026-11-21", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                                "2026-11-21T25:00:00Z", "2026-11-21T14:43:23", "2026-11-21T14:43:23+02:00",
                                "2026-11-21T14:43:23.Z", "x026-11-21T14:43:23Z"})
            CHECK_MESSAGE(!parse_iso8601(bad), bad);
    }
    SUBCASE("leap year day") { CHECK(parse_iso8601("2028-02-29T00:00:00Z")); }
    SUBCASE("every field formats with its leading zeros, and reads back") {
        // Years 1 to 9999, days to seconds, the edges included; a fixed-step walk hits every
        // digit of every field.
        const auto first = *parse_iso8601("0001-01-01T00:00:00Z");
        const auto last = *parse_iso8601("9999-12-31T23:59:59Z");
        const auto step = (last - first) / 100'003;
        for (auto at = first; at <= last; at += step) {
            const auto s = to_iso8601(at);
            REQUIRE(s.size() == 20);
            const auto back = parse_iso8601(s);
            REQUIRE_MESSAGE(back, s);
            CHECK(*back == std::chrono::floor<seconds>(at));
        }
        CHECK(to_iso8601(last) == "9999-12-31T23:59:59Z");
        CHECK(to_iso8601(first) == "0001-01-01T00:00:00Z");
        CHECK(to_iso8601(from_unix_seconds(0)) == "1970-01-01T00:00:00Z");
        CHECK(to_iso8601(from_unix_seconds(951'782'400 + 86'399)) == "2000-02-29T23:59:59Z");
    }
}

TEST_CASE("Slack ts parsing keeps microseconds") {
    const auto t = parse_slack_ts("1355517523.000005");
    REQUIRE(t);
    CHECK(to_unix_micros(*t) == 1'355'517'523'000'005LL);
    CHECK(to_slack_ts(*t) == "1355517523.000005");
    CHECK(to_unix_micros(*parse_slack_ts("1515449522")) == 1'515'449'522'000'000LL);
    CHECK(to_unix_micros(*parse_slack_ts("1515449522.5")) == 1'515'449'522'500'000LL);
    for (const char* bad : {"", ".5", "1.", "abc", "1515449522.1234567", "-1.0", "1515449522.00000x",
                            "99999999999999.0"})
        CHECK_MESSAGE(!parse_slack_ts(bad), bad);
}

TEST_CASE("durations") {
    CHECK(parse_duration("90s") == seconds{90});
    CHECK(parse_duration("15m") == std::chrono::minutes{15});
    CHECK(parse_duration("1h") == std::chrono::hours{1});
    CHECK(parse_duration("1h30m") == std::chrono::minutes{90});
    CHECK(parse_duration("2d") == std::chrono::hours{48});
    for (const char* bad : {"", "0s", "15", "m", "15x", "-5m", "1h-", "99999999999h", "1.5h", " 5m",
                            "-999999999999999d", "-9223372036854775808s"})
        CHECK_MESSAGE(!parse_duration(bad), bad);

    CHECK(format_duration(seconds{45}) == "45s");
    CHECK(format_duration(seconds{250}) == "4m 10s");
    CHECK(format_duration(seconds{3900}) == "1h 05m");
    CHECK(format_duration(seconds{2 * 86400 + 3 * 3600 + 59}) == "2d 3h");
    CHECK(format_duration(seconds{0}) == "0s");
    CHECK(format_duration(seconds{-61}) == "-1m 01s");
}

}  // TEST_SUITE
