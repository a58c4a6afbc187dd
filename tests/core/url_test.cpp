#include "core/url.hpp"

#include <doctest/doctest.h>

using ib::is_loopback_host;
using ib::parse_url;
using ib::plain_text_refusal;

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

TEST_CASE("loopback hosts: only names and literals that cannot leave the machine") {
    for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LOCALHOST", "localhost.", "::1",
                             "0:0:0:0:0:0:0:1", "0000::0001", "::0:1"})
        CHECK_MESSAGE(is_loopback_host(host), host);
    for (const char* host : {"", "slack.com", "128.0.0.1", "10.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.256",
                             "127.00.0.1", "0127.0.0.1", "127.0.0.1.evil.com", "localhost.evil.com", "evil-localhost",
                             "::2", "::", "1::1", "::ffff:8.8.8.8", "0:0:0:0:0:0:0:0:1"})
        CHECK_FALSE_MESSAGE(is_loopback_host(host), host);
}

TEST_CASE("plain http:// and ws:// are refused unless the host is loopback, with a one-line reason") {
    // Encrypted: always fine.
    CHECK(plain_text_refusal(*parse_url("https://slack.com/api/"), "SLACK_API_URL").empty());
    CHECK(plain_text_refusal(*parse_url("wss://wss-primary.slack.com/link/?ticket=1"), "the Socket Mode URL").empty());
    // Plain to the simulator on this machine: fine.
    CHECK(plain_text_refusal(*parse_url("http://127.0.0.1:41234/api/"), "SLACK_API_URL").empty());
    CHECK(plain_text_refusal(*parse_url("ws://[::1]:41234/link/"), "the Socket Mode URL").empty());
    CHECK(plain_text_refusal(*parse_url("http://localhost:8080/api/"), "SLACK_API_URL").empty());
    // Plain anywhere else: refused, saying what, why and what to use instead.
    const std::string api = plain_text_refusal(*parse_url("http://slack.com/api/"), "SLACK_API_URL");
    CHECK(api.find("SLACK_API_URL") != std::string::npos);
    CHECK(api.find("unencrypted") != std::string::npos);
    CHECK(api.find("https://") != std::string::npos);
    CHECK(api.find('\n') == std::string::npos);
    const std::string ws = plain_text_refusal(*parse_url("ws://wss-primary.slack.com/link/"), "the Socket Mode URL");
    CHECK(ws.find("wss://") != std::string::npos);
    CHECK(ws.find("wss-primary.slack.com") != std::string::npos);
    CHECK_FALSE(plain_text_refusal(*parse_url("http://10.0.0.5:8080/api/"), "SLACK_API_URL").empty());
}

}  // TEST_SUITE
