// Log records (bot/log) and the --listen address (bot/ops/http_server): formats and parsing.
#include "bot/log.hpp"
#include "bot/ops/http_server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using ib::bot::format_record;
using ib::bot::log_format;
using ib::bot::log_level;

TEST_SUITE("log") {

TEST_CASE("text: time, level padded to 5, component, message, then key=value fields") {
    CHECK(format_record(log_format::text, "2026-11-21T14:43:23Z", log_level::info, "bot", "incident 3 declared",
                        {{"incident", "3"}, {"channel", "C0INC"}}) ==
          "2026-11-21T14:43:23Z info  bot: incident 3 declared incident=3 channel=C0INC");
    CHECK(format_record(log_format::text, "T", log_level::error, "socket", "gone", {}) == "T error socket: gone");
}

TEST_CASE("json: one object with time, level, component, msg and the fields, in that order") {
    const std::string line = format_record(log_format::json, "2026-11-21T14:43:23.412Z", log_level::warn, "bot",
                                           "chat.postMessage to C1 failed: channel_not_found",
                                           {{"channel", "C1"}, {"error", "channel_not_found"}});
    CHECK(line ==
          R"({"time":"2026-11-21T14:43:23.412Z","level":"warn","component":"bot","msg":"chat.postMessage to C1 failed: channel_not_found","channel":"C1","error":"channel_not_found"})");
    CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("json: tokens are redacted in every part; control characters and invalid UTF-8 keep it one valid line") {
    const std::string line =
        format_record(log_format::json, "T", log_level::error, "web xoxb-1-secret", "auth failed for xapp-1-A-2-secret\nnext",
                      {{"error", "invalid_auth xoxp-9-secret"}, {"text", "bad \xff\xfe bytes \x01"}, {"msg", "clash"}});
    CHECK(line.find("secret") == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    const auto j = nlohmann::json::parse(line);
    CHECK(j["msg"] == "auth failed for xapp-***?next");  // control characters become ?
    CHECK(j["component"] == "web xoxb-***");
    CHECK(j["error"] == "invalid_auth xoxp-***");
    CHECK(j["field_msg"] == "clash");  // a field cannot overwrite the record's own keys
    CHECK(j["text"].get<std::string>().find("bytes") != std::string::npos);
}

TEST_CASE("--listen HOST:PORT") {
    using ib::bot::ops::parse_listen_address;
    const auto a = parse_listen_address("127.0.0.1:9464");
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == "9464");
    const auto v6 = parse_listen_address("[::1]:0");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == "0");
    CHECK(parse_listen_address("localhost:80"));
    CHECK(parse_listen_address("0.0.0.0:65535"));
    for (const char* bad : {"", "9464", ":9464", "localhost:", "host:65536", "host:-1", "host:12ab", "::1:9464",
                            "[::1]9464", "[::1]:"})
        CHECK_MESSAGE(!parse_listen_address(bad), bad);
}

}  // TEST_SUITE log
