// Socket Mode frame parsing against Slack's own sample payloads (shared/slack-fixtures), plus
// hostile input: wrong types, nulls, size and depth limits, invalid UTF-8, truncations.
#include "core/slack/envelope.hpp"
#include "core/slack/pruned_json.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace ib::slack;
using json = nlohmann::json;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(IB_SHARED_DIR "/slack-fixtures/") + name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An Events API payload (event-callback-*.json) inside the real Socket Mode envelope of
// socket-mode-events_api-message.json, the way Slack delivers it over the socket.
std::string in_envelope(const std::string& payload_fixture) {
    json env = json::parse(fixture("socket-mode-events_api-message.json"));
    env["payload"] = json::parse(fixture(payload_fixture));
    return env.dump();
}

// An inner event (event-*-inner.json) inside that same envelope's event_callback.
std::string inner_in_envelope(const std::string& inner_fixture) {
    json env = json::parse(fixture("socket-mode-events_api-message.json"));
    env["payload"]["event"] = json::parse(fixture(inner_fixture));
    return env.dump();
}

template <class T>
T expect(const frame& f) {
    if (const auto* bad = std::get_if<bad_frame>(&f)) FAIL_CHECK("bad_frame: " << bad->reason);
    REQUIRE(std::holds_alternative<T>(f));
    return std::get<T>(f);
}

template <class T>
T event_of(const std::string& text) {
    const auto e = expect<events_api>(parse_frame(text));
    REQUIRE(std::holds_alternative<T>(e.event));
    return std::get<T>(e.event);
}

bad_frame expect_bad(const std::string& text, std::size_t max = default_max_frame_bytes) {
    const frame f = parse_frame(text, max);
    REQUIRE(std::holds_alternative<bad_frame>(f));
    return std::get<bad_frame>(f);
}

// The events_api message fixture with one change applied to its DOM.
template <class Edit>
std::string edited_message(Edit edit) {
    json env = json::parse(fixture("socket-mode-events_api-message.json"));
    edit(env);
    return env.dump();
}

}  // namespace

TEST_SUITE("envelope") {

TEST_CASE("hello frames from the SDK fixtures") {
    for (const char* name : {"socket-mode-hello.json", "socket-mode-hello-num_connections-1.json"}) {
        CAPTURE(name);
        const auto h = expect<hello>(parse_frame(fixture(name)));
        CHECK(h.app_id == "A111");
        REQUIRE(h.approximate_connection_time);
        CHECK(*h.approximate_connection_time == std::chrono::seconds{18060});
    }
    CHECK(expect<hello>(parse_frame(fixture("socket-mode-hello.json"))).num_connections == 2);
    CHECK(expect<hello>(parse_frame(fixture("socket-mode-hello-num_connections-1.json"))).num_connections == 1);

    SUBCASE("a bare hello is still a hello") {
        const auto h = expect<hello>(parse_frame(R"({"type":"hello"})"));
        CHECK(h.num_connections == 0);
        CHECK_FALSE(h.approximate_connection_time);
    }
}

TEST_CASE("disconnect frames and their reasons") {
    struct row {
        const char* file;
        disconnect_reason reason;
    };
    for (const row r : {row{"socket-mode-disconnect-refresh_requested.json", disconnect_reason::refresh_requested},
                        row{"socket-mode-disconnect-warning.json", disconnect_reason::warning},
                        row{"socket-mode-disconnect-link_disabled.json", disconnect_reason::link_disabled},
                        row{"socket-mode-disconnect-too_many_websockets.json", disconnect_reason::too_many_websockets}}) {
        CAPTURE(r.file);
        const auto d = expect<disconnect>(parse_frame(fixture(r.file)));
        CHECK(d.reason == r.reason);
        CHECK(d.raw_reason == to_string(r.reason));
    }
    const auto d = expect<disconnect>(parse_frame(R"({"type":"disconnect","reason":"maintenance"})"));
    CHECK(d.reason == disconnect_reason::other);
    CHECK(d.raw_reason == "maintenance");
}

TEST_CASE("events_api envelope with a message") {
    const auto e = expect<events_api>(parse_frame(fixture("socket-mode-events_api-message.json")));
    CHECK(e.envelope_id == "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
    CHECK(e.retry_attempt == 0);
    CHECK(e.retry_reason == "");
    CHECK(e.event_id == "Ev111");
    CHECK(e.event_time == 1610241741);
    CHECK(e.team_id == "T111");
    REQUIRE(std::holds_alternative<message_event>(e.event));
    const auto& m = std::get<message_event>(e.event);
    CHECK(m.channel == "C111");
    CHECK(m.channel_type == "channel");
    CHECK(m.user == "U222");
    CHECK(m.text == "<@U111> Hi here!");
    CHECK(m.ts == "1610241741.000200");
    CHECK(m.subtype == "");
    CHECK_FALSE(m.hidden);

    SUBCASE("a redelivery carries retry_attempt and retry_reason") {
        const auto r = expect<events_api>(parse_frame(edited_message([](json& j) {
            j["retry_attempt"] = 2;
            j["retry_reason"] = "timeout";
        })));
        CHECK(r.retry_attempt == 2);
        CHECK(r.retry_reason == "timeout");
    }
}

TEST_CASE("app_mention envelopes from the Python and Java SDKs") {
    const auto py = event_of<app_mention>(fixture("socket-mode-events_api-app_mention.json"));
    CHECK(py.channel == "C111");
    CHECK(py.user == "U222");
    CHECK(py.text == "<@U111>");
    CHECK(py.ts == "1610241741.000200");
    CHECK(py.event_ts == "1610241741.000200");

    const auto java_frame = fixture("socket-mode-events_api-app_mention-java-sdk.json");
    CHECK(expect<events_api>(parse_frame(java_frame)).envelope_id == "xxx-11-222-yyy-zzz");
    const auto java = event_of<app_mention>(java_frame);
    CHECK(java.user == "U111");
    CHECK(java.text == "<@U222> hey");

    const auto doc = event_of<app_mention>(in_envelope("event-callback-app_mention.json"));
    CHECK(doc.event_ts == "1515449522000016");  // sic, as printed in Slack's docs
    const auto invite = event_of<app_mention>(in_envelope("event-callback-app_mention-invites-app.json"));
    CHECK(invite.user == "U0123ABCD");
    CHECK(expect<events_api>(parse_frame(in_envelope("event-callback-app_mention-invites-app.json"))).event_time ==
          1515449483000108);
}

TEST_CASE("message subtypes from the Events API docs") {
    SUBCASE("plain message") {
        const auto m = event_of<message_event>(in_envelope("event-callback-message.json"));
        CHECK(m.channel == "C123ABC456");
        CHECK(m.user == "U123ABC456");
        CHECK(m.text == "Hello world");
        CHECK(m.ts == "1355517523.000005");
        const auto e = expect<events_api>(parse_frame(in_envelope("event-callback-message.json")));
        CHECK(e.event_id == "Ev123ABC456");
        CHECK(e.event_time == 123456789);
        CHECK(e.team_id == "T123ABC456");
    }
    SUBCASE("channel_join") {
        const auto m = event_of<message_event>(in_envelope("event-callback-message-channel_join.json"));
        CHECK(m.subtype == "channel_join");
        CHECK(m.user == "U2147483828");
        CHECK(m.inviter == "U123456789");
        CHECK(m.text == "<@U2147483828|cal> has joined the channel");
    }
    SUBCASE("bot_message: bot_id, no user, no channel in the doc sample") {
        const auto m = event_of<message_event>(in_envelope("event-callback-message-bot_message.json"));
        CHECK(m.subtype == "bot_message");
        CHECK(m.bot_id == "BB12033");
        CHECK(m.user == "");
        CHECK(m.channel == "");
        CHECK(m.text == "Pushing is the answer");
    }
    SUBCASE("message_changed") {
        const auto m = event_of<message_event>(in_envelope("event-callback-message-message_changed.json"));
        CHECK(m.subtype == "message_changed");
        CHECK(m.hidden);
        CHECK(m.channel == "C123ABC456");
        CHECK(m.ts == "1358878755.000001");
        CHECK(m.changed_ts == "1355517523.000005");
        CHECK(m.new_text == "Hello, world!");
        CHECK(m.user == "U123ABC456");
        CHECK(m.edited_ts == "1358878755.000001");
        CHECK(m.previous_text == "");
    }
    SUBCASE("message_deleted") {
        const auto m = event_of<message_event>(in_envelope("event-callback-message-message_deleted.json"));
        CHECK(m.subtype == "message_deleted");
        CHECK(m.hidden);
        CHECK(m.deleted_ts == "1358878749.000002");
        CHECK(m.ts == "1358878755.000001");
    }
    SUBCASE("thread_broadcast") {
        const auto m = event_of<message_event>(in_envelope("event-callback-message-thread_broadcast.json"));
        CHECK(m.subtype == "thread_broadcast");
        CHECK(m.thread_ts == "1673464730.703009");
        CHECK(m.ts == "1673464745.620769");
        CHECK(m.text == "broadcasting this reply");
        CHECK(m.channel_type == "channel");
    }
}

TEST_CASE("membership, reactions, channels, rate limiting") {
    SUBCASE("member_joined_channel with and without inviter") {
        const auto j = event_of<member_joined>(in_envelope("event-callback-member_joined_channel.json"));
        CHECK(j.user == "W123ABC456");
        CHECK(j.channel == "C123ABC456");
        CHECK(j.inviter == "U123456789");
        const auto k = event_of<member_joined>(inner_in_envelope("event-member_joined_channel-inner-no-inviter.json"));
        CHECK(k.channel == "G123ABC456");
        CHECK(k.inviter == "");
    }
    SUBCASE("member_left_channel") {
        const auto l = event_of<member_left>(in_envelope("event-callback-member_left_channel.json"));
        CHECK(l.user == "W123ABC456");
        CHECK(l.channel == "C123ABC456");
    }
    SUBCASE("reaction_added, two samples") {
        const auto r = event_of<reaction>(in_envelope("event-callback-reaction_added.json"));
        CHECK(r.added);
        CHECK(r.user == "U123ABC456");
        CHECK(r.reaction == "thumbsup");
        CHECK(r.item_type == "message");
        CHECK(r.item_channel == "C123ABC456");
        CHECK(r.item_ts == "1360782400.498405");
        CHECK(r.item_user == "U222222222");
        CHECK(r.event_ts == "1360782804.083113");
        const auto g = event_of<reaction>(in_envelope("event-callback-reaction_added-events-api-guide.json"));
        CHECK(g.reaction == "slightly_smiling_face");
        CHECK(g.item_ts == "1464196127.000002");
    }
    SUBCASE("reaction_removed") {
        const auto r = event_of<reaction>(inner_in_envelope("event-reaction_removed-inner.json"));
        CHECK_FALSE(r.added);
        CHECK(r.user == "U024BE7LH");
        CHECK(r.item_channel == "C0G9QF9GZ");
        CHECK(r.item_user == "U0G9QF9C6");
    }
    SUBCASE("channel_created, docs wrapper (authed_users) and SDK inner event") {
        for (const std::string& text : {in_envelope("event-callback-channel_created.json"),
                                        inner_in_envelope("event-channel_created-inner.json")}) {
            const auto c = event_of<channel_created>(text);
            CHECK(c.id == "C024BE91L");
            CHECK(c.name == "fun");
            CHECK(c.creator == "U024BE7LH");
        }
    }
    SUBCASE("app_rate_limited payload") {
        const auto text = in_envelope("event-callback-app_rate_limited.json");
        const auto e = expect<events_api>(parse_frame(text));
        CHECK(e.team_id == "T123456");
        CHECK(e.event_id == "");
        CHECK(event_of<app_rate_limited>(text).minute_rate_limited == 1518467820);
    }
    SUBCASE("an event type the bot does not model") {
        const auto o = event_of<other_event>(edited_message([](json& j) {
            j["payload"]["event"] = {{"type", "pin_added"}, {"channel_id", "C1"}, {"event_ts", "1.2"}};
        }));
        CHECK(o.type == "pin_added");
    }
}

TEST_CASE("slash command envelopes") {
    const auto doc = expect<slash_command>(parse_frame(fixture("socket-mode-slash_commands.json")));
    CHECK(doc.envelope_id == "dbdd0ef3-1543-4f94-bfb4-133d0e6c1545");
    CHECK(doc.command == "/randorilke");
    CHECK(doc.text == "");
    CHECK(doc.user_id == "U123ABC456");
    CHECK(doc.user_name == "rainer");
    CHECK(doc.channel_id == "C123ABC456");
    CHECK(doc.channel_name == "general");
    CHECK(doc.team_id == "T123ABC456");
    CHECK(doc.response_url == "https://rilke.slack.com/commands/T0SNL8S4S/37053613554/YMB2ZESDLNjNLqSFZ1quhNAh");
    CHECK(doc.trigger_id == "37053613634.26768298162.440952c06ef4de2653466a48fe495f93");
    CHECK(doc.accepts_response_payload);

    const auto py = expect<slash_command>(parse_frame(fixture("socket-mode-slash_commands-python-sdk.json")));
    CHECK(py.command == "/hello-socket-mode");
    CHECK(py.user_name == "testxyz");
    const auto java = expect<slash_command>(parse_frame(fixture("socket-mode-slash_commands-java-sdk.json")));
    CHECK(java.command == "/hi-socket-mode");
    CHECK(java.envelope_id == "xxx-11-222-yyy-zzz");

    SUBCASE("command text is kept exactly, Slack escapes included") {
        json j = json::parse(fixture("socket-mode-slash_commands.json"));
        j["payload"]["text"] = "start DB &amp; cache down <@U1|bob> sev2";
        CHECK(expect<slash_command>(parse_frame(j.dump())).text == "start DB &amp; cache down <@U1|bob> sev2");
    }
}

TEST_CASE("interactive envelopes") {
    const auto b = expect<interactive>(parse_frame(fixture("socket-mode-interactive-block_actions.json")));
    CHECK(b.envelope_id == "xxx-11-222-yyy-zzz");
    CHECK(b.type == "block_actions");
    CHECK(b.user_id == "U111");
    CHECK(b.channel_id == "C111");
    CHECK(b.message_ts == "1605853634.000400");
    CHECK(b.trigger_id == "111.222.xxx");
    CHECK(b.response_url == "https://hooks.slack.com/actions/T111/111/xxx");
    CHECK_FALSE(b.accepts_response_payload);
    REQUIRE(b.actions.size() == 1);
    CHECK(b.actions[0].action_id == "a");
    CHECK(b.actions[0].block_id == "b");
    CHECK(b.actions[0].value == "underlying");

    const auto s = expect<interactive>(parse_frame(fixture("socket-mode-interactive-shortcut.json")));
    CHECK(s.type == "shortcut");
    CHECK(s.user_id == "U111");
    CHECK(s.channel_id == "");
    CHECK(s.callback_id == "do-something");
    CHECK(s.actions.empty());
}

TEST_CASE("unknown envelope types are reported for a debug log and an ack") {
    const auto u = expect<unknown_envelope>(parse_frame(R"({"type":"future_thing","envelope_id":"E9","payload":{}})"));
    CHECK(u.type == "future_thing");
    CHECK(u.envelope_id == "E9");
    CHECK(expect<unknown_envelope>(parse_frame(R"({"type":"x"})")).envelope_id == "");
}

TEST_CASE("wrong shapes and wrong field types give bad_frame, with the envelope id when known") {
    SUBCASE("not JSON, empty, not an object") {
        CHECK(expect_bad("").reason.find("invalid JSON") == 0);
        CHECK(expect_bad("hello").reason.find("invalid JSON") == 0);
        CHECK(expect_bad("[1,2]").reason == "not a JSON object: got array");
        CHECK(expect_bad("42").reason == "not a JSON object: got number");
        CHECK(expect_bad("null").reason == "not a JSON object: got null");
    }
    SUBCASE("type missing or not a string") {
        CHECK(expect_bad(R"({"envelope_id":"E1"})").reason == "type: missing");
        const auto b = expect_bad(R"({"type":5,"envelope_id":"E1"})");
        CHECK(b.reason == "type: expected string, got number");
        CHECK(b.envelope_id == "E1");
    }
    SUBCASE("text is a number") {
        const auto b = expect_bad(edited_message([](json& j) { j["payload"]["event"]["text"] = 5; }));
        CHECK(b.reason == "payload.event.text: expected string, got number");
        CHECK(b.envelope_id == "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
    }
    SUBCASE("event is an array") {
        const auto b = expect_bad(edited_message([](json& j) { j["payload"]["event"] = json::array(); }));
        CHECK(b.reason == "payload.event: expected object, got array");
        CHECK(b.envelope_id == "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
    }
    SUBCASE("payload missing, event missing, envelope_id missing") {
        CHECK(expect_bad(edited_message([](json& j) { j.erase("payload"); })).reason == "payload: missing");
        CHECK(expect_bad(edited_message([](json& j) { j["payload"].erase("event"); })).reason ==
              "payload.event: missing");
        const auto b = expect_bad(edited_message([](json& j) { j.erase("envelope_id"); }));
        CHECK(b.reason == "envelope_id: missing");
        CHECK_FALSE(b.envelope_id);
    }
    SUBCASE("a required inner field missing") {
        CHECK(expect_bad(edited_message([](json& j) { j["payload"]["event"].erase("ts"); })).reason ==
              "payload.event.ts: missing");
    }
    SUBCASE("numbers of the wrong kind") {
        CHECK(expect_bad(edited_message([](json& j) { j["retry_attempt"] = "1"; })).reason ==
              "retry_attempt: expected integer, got string");
        CHECK(expect_bad(edited_message([](json& j) { j["payload"]["event_time"] = 1.5; })).reason ==
              "payload.event_time: expected integer, got number");
        CHECK(expect_bad(edited_message([](json& j) { j["payload"]["event_time"] = UINT64_MAX; })).reason ==
              "payload.event_time: out of range");
        CHECK(expect_bad(edited_message([](json& j) { j["retry_attempt"] = -1; })).reason ==
              "retry_attempt: out of range");
    }
    SUBCASE("booleans and nested objects of the wrong type") {
        CHECK(expect_bad(edited_message([](json& j) { j["payload"]["event"]["hidden"] = "yes"; })).reason ==
              "payload.event.hidden: expected boolean, got string");
        json s = json::parse(fixture("socket-mode-slash_commands.json"));
        s["accepts_response_payload"] = 1;
        CHECK(expect_bad(s.dump()).reason == "accepts_response_payload: expected boolean, got number");
        json i = json::parse(fixture("socket-mode-interactive-block_actions.json"));
        i["payload"]["actions"][0] = "click";
        CHECK(expect_bad(i.dump()).reason == "payload.actions[0]: expected object, got string");
        i["payload"]["actions"] = json::object();
        CHECK(expect_bad(i.dump()).reason == "payload.actions: expected array, got object");
        json h = json::parse(fixture("socket-mode-hello.json"));
        h["debug_info"] = "x";
        CHECK(expect_bad(h.dump()).reason == "debug_info: expected object, got string");
    }
    SUBCASE("slash command without user or command") {
        json s = json::parse(fixture("socket-mode-slash_commands.json"));
        s["payload"].erase("command");
        CHECK(expect_bad(s.dump()).reason == "payload.command: missing");
        s = json::parse(fixture("socket-mode-slash_commands.json"));
        s["payload"]["user_id"] = "";
        CHECK(expect_bad(s.dump()).reason == "payload.user_id: empty");
    }
}

TEST_CASE("nulls read as absent") {
    const auto m = event_of<message_event>(edited_message([](json& j) {
        j["payload"]["event"]["text"] = nullptr;
        j["payload"]["event"]["thread_ts"] = nullptr;
        j["retry_reason"] = nullptr;
    }));
    CHECK(m.text == "");
    CHECK(m.thread_ts == "");
    const auto b = expect_bad(edited_message([](json& j) { j["payload"]["event"]["ts"] = nullptr; }));
    CHECK(b.reason == "payload.event.ts: missing");
}

TEST_CASE("size limit") {
    const std::string big_text(200'000, 'x');
    const std::string frame_text = edited_message([&](json& j) { j["payload"]["event"]["text"] = big_text; });

    SUBCASE("a huge text under the limit is fine") {
        CHECK(event_of<message_event>(frame_text).text == big_text);
    }
    SUBCASE("over the limit: rejected unparsed, envelope id still found for the ack") {
        const auto b = expect_bad(frame_text, 100'000);
        CHECK(b.reason.find("too large: ") == 0);
        CHECK(b.reason.find("(limit 100000)") != std::string::npos);
        CHECK(b.envelope_id == "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
    }
    SUBCASE("the default limit is 1 MiB") {
        const std::string huge =
            edited_message([](json& j) { j["payload"]["event"]["text"] = std::string(1 << 20, 'y'); });
        CHECK(expect_bad(huge).reason.find("too large") == 0);
    }
}

TEST_CASE("nesting depth is limited before parsing") {
    // {"envelope_id":…,"type":"events_api","payload":{…,"event":{…,"blocks":[[…]]}}}: depth 3 + n.
    const auto with_blocks = [](int n) {
        std::string s = edited_message([](json& j) { j["payload"]["event"]["blocks"] = "@@"; });
        const auto brackets = static_cast<std::size_t>(n);
        return s.replace(s.find("\"@@\""), 4, std::string(brackets, '[') + std::string(brackets, ']'));
    };
    CHECK(std::holds_alternative<events_api>(parse_frame(with_blocks(max_json_depth - 3))));
    const auto b = expect_bad(with_blocks(max_json_depth - 2));
    CHECK(b.reason == "nested deeper than 64 levels");
    CHECK(b.envelope_id == "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");

    SUBCASE("a million brackets do not crash") {
        CHECK(expect_bad(std::string(1'000'000, '[')).reason == "nested deeper than 64 levels");
        CHECK(expect_bad(R"({"envelope_id":"E2","x":)" + std::string(100'000, '{')).envelope_id == "E2");
    }
    SUBCASE("brackets inside strings do not count") {
        const std::string text = std::string(500, '[') + "\\\"" + std::string(500, '{');
        CHECK(event_of<message_event>(edited_message([&](json& j) { j["payload"]["event"]["text"] = text; })).text ==
              text);
    }
}

TEST_CASE("invalid UTF-8 and control characters") {
    const std::string good = fixture("socket-mode-events_api-message.json");
    const auto with_text = [&](const std::string& raw) {
        std::string s = good;
        const std::string needle = "Hi here!";
        return s.replace(s.find(needle), needle.size(), raw);
    };
    SUBCASE("invalid UTF-8 inside a string is rejected, the envelope id is still found") {
        for (const std::string& bad : {std::string("\xff\xfe"), std::string("\xc3\x28"), std::string("\xed\xa0\x80"),
                                      std::string("\xe2\x82")}) {
            const auto b = expect_bad(with_text(bad));
            CHECK(b.reason.find("invalid JSON") == 0);
            CHECK(b.envelope_id == "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
            for (const char c : b.reason) CHECK((c >= 0x20 && c < 0x7f));  // safe to log
        }
    }
    SUBCASE("raw control characters are a JSON error, escaped ones are data") {
        CHECK(expect_bad(with_text(std::string("a\x01z"))).reason.find("invalid JSON") == 0);
        CHECK(expect_bad(with_text("tab\there")).reason.find("invalid JSON") == 0);
        CHECK(event_of<message_event>(with_text("nul\\u0000bell\\u0007")).text == std::string("<@U111> nul\0bell\a", 17));
    }
    SUBCASE("lone surrogate escapes are rejected") {
        CHECK(expect_bad(with_text("\\ud800")).reason.find("invalid JSON") == 0);
    }
    SUBCASE("valid multi-byte text passes through unchanged") {
        CHECK(event_of<message_event>(with_text("Datenbank \xc3\xbc" "berlastet \xf0\x9f\x94\xa5")).text ==
              "<@U111> Datenbank \xc3\xbc" "berlastet \xf0\x9f\x94\xa5");
    }
}

TEST_CASE("truncated and mutated fixtures never throw") {
    // A poor man's fuzzer: every prefix of every Socket Mode fixture, and seeded byte flips.
    for (const char* name : {"socket-mode-events_api-message.json", "socket-mode-slash_commands.json",
                             "socket-mode-interactive-block_actions.json", "socket-mode-hello.json",
                             "socket-mode-disconnect-too_many_websockets.json"}) {
        const std::string text = fixture(name);
        for (std::size_t n = 0; n < text.size(); ++n) CHECK_NOTHROW(parse_frame(std::string_view(text).substr(0, n)));
        std::uint32_t seed = 12345;
        for (int round = 0; round < 2000; ++round) {
            std::string m = text;
            for (int k = 0; k < 3; ++k) {
                seed = seed * 1664525u + 1013904223u;
                m[seed % m.size()] = static_cast<char>(seed >> 24);
            }
            CHECK_NOTHROW(parse_frame(m));
        }
    }
}

// parse_frame takes the pruned fast path for well-formed frames and nlohmann's parser for the
// rest; both must give the same frame. A kept fraction (an extra top-level member no parser
// reads) is something the fast path leaves to nlohmann, so each frame below is parsed both ways.
TEST_CASE("the fast path and nlohmann's parse give the same frames") {
    std::vector<std::string> frames;
    for (const auto& e : std::filesystem::directory_iterator(IB_SHARED_DIR "/slack-fixtures")) {
        const auto name = e.path().filename().string();
        if (e.path().extension() != ".json") continue;
        if (name.rfind("socket-mode-", 0) == 0) frames.push_back(fixture(name));
        else if (name.rfind("event-callback-", 0) == 0) frames.push_back(in_envelope(name));
        else if (name.rfind("event-", 0) == 0 && name.find("-inner") != std::string::npos)
            frames.push_back(inner_in_envelope(name));
    }
    REQUIRE(frames.size() > 25);
    std::size_t fast = 0, events = 0;
    for (const auto& text : frames) {
        const auto compact = json::parse(text).dump();
        if (parse_pruned(compact, unread_members, max_json_depth)) ++fast;
        auto slow = compact;
        REQUIRE(slow.front() == '{');
        slow.insert(1, R"("zz_not_read":0.5,)");
        REQUIRE_FALSE(parse_pruned(slow, unread_members, max_json_depth));
        INFO(compact);
        const frame a = parse_frame(compact);
        const frame b = parse_frame(slow);
        CHECK(a == b);
        if (std::holds_alternative<events_api>(a)) ++events;
    }
    CHECK(fast == frames.size());
    CHECK(events > 15);
}

TEST_CASE("make_ack") {
    SUBCASE("envelope id only, as in Slack's docs") {
        const std::string ack = make_ack("dbdd0ef3-1543-4f94-bfb4-133d0e6c1545");
        CHECK(ack == R"({"envelope_id":"dbdd0ef3-1543-4f94-bfb4-133d0e6c1545"})");
        CHECK(json::parse(ack) == json::parse(fixture("socket-mode-ack-envelope-id-only.json")));
    }
    SUBCASE("with a response payload, as in Slack's docs") {
        const json expected = json::parse(fixture("socket-mode-ack-slash_commands-with-payload.json"));
        const std::string ack = make_ack("dbdd0ef3-1543-4f94-bfb4-133d0e6c1545", expected["payload"]);
        CHECK(json::parse(ack) == expected);
    }
    SUBCASE("escaping") {
        const std::string ack = make_ack("a\"b\\c\nd");
        CHECK(ack == R"({"envelope_id":"a\"b\\c\nd"})");
        CHECK(json::parse(ack)["envelope_id"] == "a\"b\\c\nd");
        CHECK_NOTHROW(make_ack("\xff\xfe"));
        CHECK(json::parse(make_ack("\xff"))["envelope_id"] == "\xef\xbf\xbd");
    }
    SUBCASE("round trip: the id parsed from a frame acks that frame") {
        const auto c = expect<slash_command>(parse_frame(fixture("socket-mode-slash_commands-java-sdk.json")));
        CHECK(make_ack(c.envelope_id) == R"({"envelope_id":"xxx-11-222-yyy-zzz"})");
    }
}

}  // TEST_SUITE
