#include "core/url.hpp"

#include <doctest/doctest.h>

using ib::parse_url;

TEST_SUITE("url") {

TEST_CASE("Slack's URLs") {
    const auto api = parse_url("https://slack.com/api/");
    REQUIRE(api);
    CHECK(api->scheme == "https");
    CHECK(api->host == "slack.com");
    CHECK(api->port == "443");
    CHECK(api->target == "/api/");
    CHECK(api->tls());

    const auto ws = parse_url("wss://wss-primary.slack.com/link/?ticket=abc&app_id=A1");
    REQUIRE(ws);
    CHECK(ws->port == "443");
    CHECK(ws->target == "/link/?ticket=abc&app_id=A1");

    const auto local = parse_url("ws://127.0.0.1:41234/link/?ticket=t1#frag");
    REQUIRE(local);
    CHECK(local->host == "127.0.0.1");
    CHECK(local->port == "41234");
    CHECK(local->target == "/link/?ticket=t1");
    CHECK_FALSE(local->tls());

    const auto v6 = parse_url("HTTP://[::1]:8080");
    REQUIRE(v6);
    CHECK(v6->scheme == "http");
    CHECK(v6->host == "::1");
    CHECK(v6->target == "/");
    CHECK(parse_url("http://h?x=1")->target == "/?x=1");
}

TEST_CASE("unusable URLs") {
    for (const char* bad : {"", "slack.com/api", "ftp://slack.com/", "https://", "https://:443/", "https://u:p@h/",
                            "https://h:0/", "https://h:65536/", "https://h:12a/", "https://h /", "https://[::1/",
                            "https://h\n/"})
        CHECK_MESSAGE(!parse_url(bad), bad);
}

}  // TEST_SUITE
