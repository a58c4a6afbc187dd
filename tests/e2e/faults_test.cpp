// End to end, faults: the real binary against the simulator while the connection, the Web API,
// the peer's certificate or the frames themselves misbehave, and while it is being stopped.
// Every test also checks (bot_fixture's destructor) that no token ever reached the log.
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::entries;
using ib::test::event_text;
using ib::test::run_to_end;
using clk = std::chrono::steady_clock;

namespace {

const std::string& bob = bot_fixture::bob;

long long ms_between(clk::time_point a, clk::time_point b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// text -> how many times it is on the timeline as a participant message.
// Messages as stored: Slack's own form (`slack_text`), byte for byte what Slack sent.
std::map<std::string, int> stored_messages(const json& exported) {
    std::map<std::string, int> out;
    for (const auto& e : entries(exported, "message")) ++out[e["slack_text"].get<std::string>()];
    return out;
}

// Posts numbered messages and checks that they all end up stored exactly once.
struct message_log {
    bot_fixture& t;
    std::string channel;
    std::set<std::string> texts;

    void post(int n, const std::string& tag) {
        for (int i = 0; i < n; ++i) {
            std::string text = tag + " #" + std::to_string(texts.size());
            t.slack.post_message(channel, bob, text);
            texts.insert(std::move(text));
        }
    }
    // Waits (bounded) until every posted message is stored, then checks: each exactly once.
    void check_all_stored_once(std::chrono::milliseconds timeout = 20s) {
        std::map<std::string, int> stored;
        const bool all = t.slack.wait_for(
            [&] {
                std::this_thread::sleep_for(100ms);
                stored = stored_messages(t.export_json());
                return std::all_of(texts.begin(), texts.end(), [&](const auto& s) { return stored.count(s) > 0; });
            },
            timeout);
        std::size_t missing = 0;
        for (const auto& s : texts) missing += stored.count(s) ? 0 : 1;
        CHECK_MESSAGE(all, missing << " of " << texts.size() << " messages never stored; log:\n" << t.all_logs());
        for (const auto& [text, n] : stored) CHECK_MESSAGE(n == 1, "'" << text << "' stored " << n << " times");
    }
};

// Lines of the current run's log that announce a reconnect: "…; retrying in …" / "…; reconnecting now".
std::size_t reconnect_lines(const bot_fixture& t) {
    return t.count_log_lines({"socket: ", "; retrying in "}) + t.count_log_lines({"socket: ", "; reconnecting now"});
}

std::string certs(const std::string& file) { return std::string(IB_CERTS_DIR) + "/" + file; }

}  // namespace

// ---- connection faults -------------------------------------------------------------------

TEST_SUITE("faults") {

TEST_CASE("disconnect frames (refresh_requested, warning): an immediate reconnect, one log line each, nothing lost") {
    bot_fixture t;
    t.start_bot();
    message_log m{t, t.declare("Disconnect test", "Disconnect test"), {}};
    for (const std::string reason : {"refresh_requested", "warning"}) {
        INFO(reason);
        m.post(30, "before " + reason);
        const auto before = t.slack.connections_opened();
        const auto closes = t.slack.client_closes().size();
        const auto sent = clk::now();
        t.slack.send_disconnect(reason);
        m.post(30, "after " + reason);  // some land on the old connection, some on the new one
        REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before && t.slack.open_connections() > 0; },
                                 10s));
        CHECK_MESSAGE(ms_between(sent, clk::now()) < 2000, "a requested refresh should not wait for a backoff");
        // The old connection is closed politely.
        CHECK(t.slack.wait_for([&] { return t.slack.client_closes().size() > closes; }, 12s));
        CHECK(t.count_log_lines({"socket: ", "Slack sent disconnect (" + reason + "); reconnecting now"}) == 1);
    }
    m.check_all_stored_once();
    CHECK(reconnect_lines(t) == 2);
    CHECK(t.count_log_lines({"socket: ", "retrying in"}) == 0);  // a refresh is not a failure
}

TEST_CASE("a dropped TCP connection: reconnect after a backoff, one log line with the reason, nothing lost") {
    bot_fixture t;
    t.start_bot();
    message_log m{t, t.declare("Drop test", "Drop test"), {}};
    m.post(50, "before the drop");
    const auto before = t.slack.connections_opened();
    t.slack.drop_connections();
    m.post(50, "after the drop");
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before && t.slack.open_connections() > 0; },
                             10s));
    m.check_all_stored_once();
    CHECK(t.count_log_lines({"socket: ", "connection lost: ", "; retrying in "}) == 1);
    CHECK(reconnect_lines(t) == t.slack.connections_opened() - before);
}

TEST_CASE("a silent peer: detected by --idle-timeout within seconds, then a reconnect; nothing lost") {
    bot_fixture t;
    t.start_bot({"--idle-timeout", "2s"});
    message_log m{t, t.declare("Silent peer test", "Silent peer test"), {}};
    m.post(10, "before the silence");
    m.check_all_stored_once();

    const auto before = t.slack.connections_opened();
    const auto silent_at = clk::now();
    t.slack.set_silent(true);  // TCP stays open; no frames, no pongs
    m.post(20, "during the silence");
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.count_log_lines({"socket: ", "no frames or pongs"}) > 0; }, 8s),
                    "the dead connection was not detected; log:\n"
                        << t.bot->log());
    const auto detected_ms = ms_between(silent_at, clk::now());
    CHECK(detected_ms >= 1000);  // not before the idle timeout…
    CHECK(detected_ms <= 4500);  // …but soon after it
    // A new connection follows the backoff (failure 1: at most 1 s).
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before; }, 5s));
    CHECK(ms_between(silent_at, clk::now()) <= 6000);
    MESSAGE("silence detected after " << detected_ms << " ms, new connection after "
                                      << ms_between(silent_at, clk::now()) << " ms");
    t.slack.set_silent(false);
    REQUIRE(t.slack.wait_for([&] { return t.slack.open_connections() > 0; }, 15s));
    m.check_all_stored_once();
    CHECK(t.count_log_lines({"socket: ", "no frames or pongs for 2000 ms", "; retrying in "}) >= 1);
    CHECK(reconnect_lines(t) == t.slack.connections_opened() - before);
}

TEST_CASE("apps.connections.open failing (HTTP 500): retried with a growing backoff; nothing lost") {
    bot_fixture t;
    t.start_bot();
    message_log m{t, t.declare("Open failure test", "Open failure test"), {}};
    m.post(20, "before");
    const auto opens_before = t.slack.calls("apps.connections.open").size();
    const auto before = t.slack.connections_opened();
    t.slack.fail_next("apps.connections.open", 500, 0, 2);
    t.slack.drop_connections();
    m.post(20, "while reconnecting");
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before && t.slack.open_connections() > 0; },
                             20s));
    const auto opens = t.slack.calls("apps.connections.open");
    REQUIRE(opens.size() == opens_before + 3);
    const auto& a = opens[opens_before];
    const auto& b = opens[opens_before + 1];
    const auto& c = opens[opens_before + 2];
    CHECK(a.http_status == 500);
    CHECK(b.http_status == 500);
    CHECK(c.http_status == 200);
    const auto g1 = ms_between(a.at, b.at), g2 = ms_between(b.at, c.at);
    MESSAGE("open retries after " << g1 << " ms and " << g2 << " ms");
    CHECK(g1 >= 1500);  // failure 2: 1.6–2 s
    CHECK(g2 > g1);     // failure 3: 3.2–4 s
    CHECK(g2 <= 4500);
    m.check_all_stored_once();
    CHECK(t.count_log_lines({"socket: ", "apps.connections.open failed: ", "; retrying in "}) == 2);
    CHECK(t.count_log_lines({"socket: ", "connection lost: ", "; retrying in "}) == 1);
}

TEST_CASE("apps.connections.open rate limited (429 + Retry-After): the wait is honoured; nothing lost") {
    bot_fixture t;
    t.start_bot();
    message_log m{t, t.declare("Open rate limit test", "Open rate limit test"), {}};
    const auto opens_before = t.slack.calls("apps.connections.open").size();
    const auto before = t.slack.connections_opened();
    // 3 s: longer than the backoff would be for failure 2 (1.6–2 s), so only Retry-After explains it.
    t.slack.fail_next("apps.connections.open", 429, 3);
    t.slack.drop_connections();
    m.post(20, "while rate limited");
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before && t.slack.open_connections() > 0; },
                             20s));
    const auto opens = t.slack.calls("apps.connections.open");
    REQUIRE(opens.size() == opens_before + 2);
    CHECK(opens[opens_before].http_status == 429);
    const auto gap = ms_between(opens[opens_before].at, opens[opens_before + 1].at);
    MESSAGE("reopened " << gap << " ms after the 429");
    CHECK(gap >= 2950);
    CHECK(gap <= 4500);
    m.check_all_stored_once();
    CHECK(t.count_log_lines({"socket: ", "apps.connections.open rate limited", "retrying in 3.0s"}) == 1);
}

}  // TEST_SUITE faults

// ---- Web API faults ----------------------------------------------------------------------

TEST_SUITE("webapi") {

TEST_CASE("chat.postMessage rate limited: the announcement is posted once, after Retry-After") {
    bot_fixture t;
    t.start_bot();
    t.slack.fail_next("chat.postMessage", 429, 2);
    const std::string ch = t.declare("Post rate limit test", "Post rate limit test");
    std::this_thread::sleep_for(500ms);  // room for a (wrong) extra post
    std::vector<ib::sim::slack_simulator::api_call> posts;
    for (const auto& c : t.slack.calls("chat.postMessage"))
        if (c.args.value("channel", "") == ch) posts.push_back(c);
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].http_status == 429);
    CHECK(posts[1].http_status == 200);
    CHECK(ms_between(posts[0].at, posts[1].at) >= 1950);
    REQUIRE(t.slack.posted_messages(ch).size() == 1);
    CHECK(t.slack.posted_messages(ch)[0]["text"].get<std::string>().find("Incident declared") != std::string::npos);
    CHECK(t.count_log_lines({"web: ", "chat.postMessage", "429", "retrying in 2s"}) == 1);
}

TEST_CASE("chat.postMessage 5xx: not retried (a post is never made twice), logged; later posts work") {
    bot_fixture t;
    t.start_bot();
    t.slack.fail_next("chat.postMessage", 500);
    CHECK(t.command(t.general, bot_fixture::alice, "start Post failure test").find("Incident declared") !=
          std::string::npos);
    const auto ch = t.slack.channel_by_name(ib::test::today_channel("Post failure test"));
    REQUIRE(ch);
    REQUIRE(t.slack.wait_for([&] { return !t.slack.calls("chat.postMessage").empty(); }, 10s));
    std::this_thread::sleep_for(2500ms);  // a retry would come within the 1 s backoff
    CHECK(t.slack.calls("chat.postMessage").size() == 1);
    CHECK(t.slack.posted_messages(ch->id).empty());
    CHECK(t.count_log_lines({"chat.postMessage", "not retried"}) == 1);
    CHECK(t.count_log_lines({"bot: ", "chat.postMessage to " + ch->id + " failed"}) == 1);

    CHECK(t.command(ch->id, bob, "ack") == "Acknowledged.");
    REQUIRE(t.slack.wait_for([&] { return t.slack.posted_messages(ch->id).size() == 1; }, 10s));
    std::this_thread::sleep_for(300ms);
    CHECK(t.slack.posted_messages(ch->id).size() == 1);
    CHECK(t.slack.calls("chat.postMessage").size() == 2);
}

TEST_CASE("conversations.create failing: a clear reply, one call, no incident recorded") {
    bot_fixture t;
    t.start_bot();
    SUBCASE("HTTP 500") {
        t.slack.fail_next("conversations.create", 500);
        const auto reply = t.command(t.general, bot_fixture::alice, "start Create failure sev2");
        CHECK(reply.find("couldn't create the incident channel") != std::string::npos);
        CHECK(t.slack.calls("conversations.create").size() == 1);  // a retry could make a second channel
    }
    SUBCASE("ok:false restricted_action") {
        t.slack.error_next("conversations.create", "restricted_action");
        const auto reply = t.command(t.general, bot_fixture::alice, "start Create failure sev2");
        CHECK(reply.find("couldn't create the incident channel") != std::string::npos);
        CHECK(reply.find("restricted_action") != std::string::npos);
    }
    const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", "json"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("no incidents") != std::string::npos);
    // The next attempt works.
    t.declare("Create failure sev2", "Create failure");
}

TEST_CASE("conversations.create rate limited: retried after Retry-After (Slack did nothing), one channel") {
    bot_fixture t;
    t.start_bot();
    t.slack.fail_next("conversations.create", 429, 1);
    const std::string ch = t.declare("Create rate limit sev3", "Create rate limit");
    const auto creates = t.slack.calls("conversations.create");
    REQUIRE(creates.size() == 2);
    CHECK(creates[0].http_status == 429);
    CHECK(ms_between(creates[0].at, creates[1].at) >= 950);
    CHECK(t.slack.channel_by_name(ib::test::today_channel("Create rate limit") + "-2") == std::nullopt);
    CHECK(t.export_json()["incident"]["channel_id"] == ch);
}

TEST_CASE("a failure that outlives the retries is logged once with the method and the reason") {
    bot_fixture t;
    t.start_bot();
    t.slack.fail_next("conversations.setTopic", 429, 1, 4);  // every attempt (4) is refused
    const std::string ch = t.declare("Topic failure test", "Topic failure test");
    CHECK(t.slack.calls("conversations.setTopic").size() == 4);
    INFO("log:\n" << t.bot->log());
    CHECK(t.count_log_lines({"web: ", "conversations.setTopic", "retrying in"}) == 3);
    CHECK(t.count_log_lines({"conversations.setTopic failed: ratelimited"}) == 1);
    CHECK(t.slack.channel_by_id(ch)->topic.empty());
}

}  // TEST_SUITE webapi

// ---- hostile input -----------------------------------------------------------------------

TEST_SUITE("hostile") {

TEST_CASE("hostile frames: logged and skipped, acked when they carry an id, no crash, no reconnect") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Hostile frames test", "Hostile frames test");
    const auto connections = t.slack.connections_opened();

    const std::string deep(100000, '[');
    const json good_event = {{"type", "message"}, {"channel", ch}, {"user", bob}, {"text", "x"}, {"ts", "1790000000.000100"}};
    const json callback = {{"type", "event_callback"}, {"event_id", "Ev0HOSTILE"}, {"event", good_event}};
    // Frames without a usable envelope id: nothing to ack.
    const std::vector<std::string> raw_no_id = {
        "this is not JSON",
        "",
        "{\"type\":",
        "[1,2,3]",
        "\"a string\"",
        "null",
        "{}",
        R"({"type":42})",
        R"({"envelope_id":12345,"type":"events_api","payload":{}})",
        deep,
    };
    for (const auto& f : raw_no_id) t.slack.send_raw(f);

    // Frames with an id: each must be acked (redelivering them cannot fix them).
    std::map<std::string, std::string> with_id;  // what -> envelope_id
    const auto env = [&](const std::string& what, json e) { with_id[what] = t.slack.send_envelope(std::move(e)); };
    const auto raw = [&](const std::string& what, const std::string& id, const std::string& text) {
        t.slack.send_raw(text);
        with_id[what] = id;
    };
    env("unknown envelope type", {{"type", "quantum_entanglement"}, {"payload", json::object()}});
    env("interactive", {{"type", "interactive"}, {"payload", {{"type", "block_actions"}}}});
    env("events_api without payload", {{"type", "events_api"}});
    env("payload not an object", {{"type", "events_api"}, {"payload", "nope"}});
    env("event not an object", {{"type", "events_api"}, {"payload", {{"type", "event_callback"}, {"event", 7}}}});
    env("event without type",
        {{"type", "events_api"}, {"payload", {{"type", "event_callback"}, {"event_id", "Ev0NOTYPE"}, {"event", {{"channel", ch}}}}}});
    json bad_text = callback;
    bad_text["event_id"] = "Ev0BADTEXT";
    bad_text["event"]["text"] = 42;
    env("text is a number", {{"type", "events_api"}, {"payload", bad_text}});
    json bad_channel = callback;
    bad_channel["event_id"] = "Ev0BADCHANNEL";
    bad_channel["event"]["channel"] = json::array({ch});
    env("channel is an array", {{"type", "events_api"}, {"payload", bad_channel}});
    env("retry_attempt is a string", {{"type", "events_api"}, {"retry_attempt", "zero"}, {"payload", callback}});
    env("slash command without user", {{"type", "slash_commands"}, {"payload", {{"command", "/incident"}, {"text", "ack"}}}});
    env("slash command text is an object",
        {{"type", "slash_commands"},
         {"payload", {{"command", "/incident"}, {"text", {{"a", 1}}}, {"user_id", bob}, {"channel_id", ch}}}});
    raw("truncated JSON", "E0TRUNCATED", R"({"envelope_id":"E0TRUNCATED","type":"events_api","payload":{"type":)");
    raw("lone surrogate", "E0SURROGATE",
        R"({"envelope_id":"E0SURROGATE","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","text":"\ud800"}}})");
    raw("nested 100000 deep", "E0DEEP", R"({"envelope_id":"E0DEEP","type":"events_api","payload":)" + deep);
    raw("1.5 MB frame", "E0HUGEFRAME",
        R"({"envelope_id":"E0HUGEFRAME","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","channel":")" +
            ch + R"(","user":"U0BOB","ts":"1790000000.000200","text":")" + std::string(1500000, 'A') + R"("}}})");

    for (const auto& [what, id] : with_id) {
        INFO(what);
        CHECK_MESSAGE(t.slack.wait_ack(id, 3s), "not acked: " << what);
    }
    CHECK(t.bot->running());
    CHECK_MESSAGE(t.slack.connections_opened() == connections,  // skipped, not a reason to reconnect
                  "log:\n" << t.bot->log());
    CHECK(t.count_log_lines({"warn ", "bot: ", "skipping a frame"}) >= raw_no_id.size());

    // Still recording, and nothing half-written: the only participant message is the good one.
    t.slack.post_message(ch, bob, "still recording after the garbage");
    REQUIRE(t.slack.wait_for([&] { return !entries(t.export_json(), "message").empty(); }, 10s));
    std::this_thread::sleep_for(200ms);
    const json x = t.export_json();
    const auto messages = entries(x, "message");
    REQUIRE(messages.size() == 1);
    CHECK(messages[0]["text"] == "still recording after the garbage");
    for (const char* format : {"md", "csv"})
        CHECK(run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", format}).exit_code ==
              0);

    // Frames that break the WebSocket protocol itself - a text frame that is not UTF-8 (RFC 6455
    // §8.1: fail the connection), a frame over the 2 MiB read limit - may cost the connection,
    // never the process, and nothing around them is lost.
    for (const std::string& frame : {std::string("{\"envelope_id\":\"E0BADUTF8\",\"type\":\"x\",\"p\":\"\xc3\x28\"}"),
                                     std::string(3 << 20, ' ')}) {
        const auto before = t.slack.connections_opened();
        const auto n = entries(t.export_json(), "message").size();
        t.slack.post_message(ch, bob, "just before a protocol violation of " + std::to_string(frame.size()) + " bytes");
        t.slack.send_raw(frame);
        t.slack.post_message(ch, bob, "just after a protocol violation of " + std::to_string(frame.size()) + " bytes");
        REQUIRE_MESSAGE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == n + 2; }, 15s),
                        t.bot->log());
        CHECK(t.bot->running());
        MESSAGE("connections opened after a " << frame.size() << "-byte protocol violation: "
                                              << t.slack.connections_opened() - before);
    }
    const auto final_messages = entries(t.export_json(), "message");
    CHECK(final_messages.size() == 5);
    CHECK(stored_messages(t.export_json()).size() == 5);
}

TEST_CASE("hostile text: huge, unicode, control characters, SQL and markup are stored verbatim") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Hostile text test", "Hostile text test");
    std::string huge;
    while (huge.size() < 300 * 1024) huge += "checkout-api 502 upstream timeout; ";
    const std::vector<std::string> texts = {
        "'); DROP TABLE timeline;--",
        "Robert'); DELETE FROM incidents WHERE ('1'='1",
        "\" OR 1=1; -- \\\" %s %n %x {{7*7}} ${jndi:ldap://x}",
        "emoji 🔥🚒 ZWJ 👩‍💻 flags 🇩🇪, RTL עברית العربية, CJK 障害対応, combining é, zero-width\u200b|\ufeff|",
        std::string("controls: bell\a tab\t cr\r lf\n esc\x1b[31mred\x1b[0m del\x7f unit\x1f"),
        "<@U0ALICE> <!channel> <#C0FAKE|general> &amp; &lt;script&gt;alert(1)&lt;/script&gt; <https://evil|click>",
        huge,
    };
    for (const auto& text : texts) t.slack.post_message(ch, bob, text);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() >= texts.size(); }, 15s),
                    t.bot->log());
    const auto stored = stored_messages(t.export_json());
    CHECK(stored.size() == texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        INFO("message " << i << " (" << texts[i].size() << " bytes)");
        const auto it = stored.find(texts[i]);
        CHECK_MESSAGE(it != stored.end(), "not stored verbatim");
        if (it != stored.end()) CHECK(it->second == 1);
    }
    // The SQL did nothing: the incident and its timeline are intact, and the bot still records.
    t.slack.post_message(ch, bob, "after the SQL");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == texts.size() + 1; }, 10s));
    CHECK(t.export_json()["incident"]["title"] == "Hostile text test");
    for (const char* format : {"md", "csv"})
        CHECK(run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", format}).exit_code ==
              0);
}

TEST_CASE("a NUL character in a message is stored verbatim (not truncated)") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("NUL text test", "NUL text test");
    const std::string text("before\0after", 12);
    t.slack.post_message(ch, bob, text);
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 10s));
    CHECK(entries(t.export_json(), "message")[0]["slack_text"].get<std::string>() == text);
    CHECK(entries(t.export_json(), "message")[0]["text"].get<std::string>() == text);
}

TEST_CASE("slash-command arguments out of range get a clear reply and change nothing") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Args range test sev3", "Args range test");
    const auto connections = t.slack.connections_opened();
    struct probe {
        std::string text;
        std::string expect;  // a piece of the reply
    };
    const std::vector<probe> probes = {
        {"sev 0", "sev1"},
        {"sev 6", "sev1"},
        {"sev -1", "sev1"},
        {"sev 99999999999999999999999999", "sev1"},
        {"sev three", "sev1"},
        {"sev", "sev1"},
        {"status exploding", "investigating"},
        {"detected 25:99", ""},
        {"detected 99999999999m ago", ""},
        {"detected 2999-01-01T00:00:00Z", ""},
        {"commander", ""},
        {"action", ""},
        {"note", ""},
        {std::string("note ") + std::string(100000, 'n'), ""},
        {"start", ""},
        {"start sev2", ""},
        {"start Something sev0", ""},
        {"\x01\x02\x7f", ""},
        {"sev 2\n\nsev 1", ""},
    };
    for (const auto& p : probes) {
        INFO("/incident " << p.text.substr(0, 60));
        const auto reply = t.command(ch, bot_fixture::alice, p.text);
        CHECK(!reply.empty());
        CHECK(reply.size() < 4000);
        if (!p.expect.empty()) CHECK(reply.find(p.expect) != std::string::npos);
        CHECK(t.bot->running());
    }
    CHECK(t.slack.connections_opened() == connections);
    const json x = t.export_json();
    CHECK(x["incident"]["title"] == "Args range test");
    CHECK(x["incident"]["severity"] == "sev3");
    CHECK(x["incident"]["status"] == "investigating");
    // A huge title: a reply, and whatever it decides, a channel name Slack accepts.
    const auto reply = t.command(t.general, bot_fixture::alice, "start " + std::string(5000, 'T'));
    CHECK(!reply.empty());
    CHECK(t.bot->running());
}

}  // TEST_SUITE hostile

// ---- TLS ---------------------------------------------------------------------------------

TEST_SUITE("tls") {

struct tls_case {
    std::string cert, key, api_host, expect;
};

TEST_CASE("TLS: a certificate from another CA or for another host is refused, with the reason, exit 1") {
    tls_case c;
    SUBCASE("control: the right certificate") { c = {"server.pem", "server.key", "127.0.0.1", ""}; }
    SUBCASE("signed by another CA") { c = {"other-server.pem", "other-server.key", "127.0.0.1", "certificate verify failed"}; }
    SUBCASE("for another host, reached by address") { c = {"wronghost.pem", "wronghost.key", "127.0.0.1", "mismatch"}; }
    SUBCASE("for another host, reached by name") { c = {"wronghost.pem", "wronghost.key", "localhost", "mismatch"}; }
    INFO(c.cert << " via " << c.api_host);
    ib::sim::simulator_options o;
    o.tls_cert_file = certs(c.cert);
    o.tls_key_file = certs(c.key);
    bot_fixture t(o);
    const std::string url = "https://" + c.api_host + ":" + std::to_string(t.slack.port()) + "/api/";
    if (c.expect.empty()) {
        t.start_bot({}, {{"SLACK_API_URL", url}, {"SSL_CERT_FILE", certs("ca.pem")}});
        CHECK(t.stop_bot(SIGTERM) == 0);
        return;
    }
    const auto started = clk::now();
    t.start_bot({}, {{"SLACK_API_URL", url}, {"SSL_CERT_FILE", certs("ca.pem")}}, false);
    const auto code = t.bot->wait(30s);
    REQUIRE_MESSAGE(code, "the bot kept going with a refused certificate; log:\n" << t.bot->log());
    CHECK(*code == 1);
    CHECK(ms_between(started, clk::now()) < 10000);  // refused at once, not retried
    const std::string log = t.bot->log();
    INFO(log);
    CHECK(log.find(c.expect) != std::string::npos);
    CHECK(t.count_log_lines({"error", "TLS handshake", c.expect}) == 1);
    CHECK(t.slack.calls().empty());  // nothing, tokens included, was sent to that server
}

}  // TEST_SUITE tls

// ---- shutdown ----------------------------------------------------------------------------

TEST_SUITE("shutdown") {

TEST_CASE("SIGTERM / SIGINT mid-burst: a close frame, exit 0, acked events stored; the rest arrives once later") {
    int sig = SIGTERM;
    SUBCASE("SIGTERM") { sig = SIGTERM; }
    SUBCASE("SIGINT") { sig = SIGINT; }
    INFO("signal " << sig);
    ib::sim::simulator_options o;
    o.max_redeliveries = 100;
    bot_fixture t(o);
    t.start_bot();
    message_log m{t, t.declare("Shutdown test", "Shutdown test"), {}};
    const auto acks0 = t.slack.ack_count();
    const auto closes = t.slack.client_closes().size();
    // A steady stream (about 2,000 messages a second) that the signal interrupts.
    std::jthread poster([&] {
        for (int i = 0; i < 100; ++i) {
            m.post(10, "burst");
            std::this_thread::sleep_for(5ms);
        }
    });
    REQUIRE(t.slack.wait_for([&] { return t.slack.ack_count() >= acks0 + 100; }, 20s));
    const auto code = t.stop_bot(sig);
    poster.join();
    CHECK(code == 0);
    CHECK(t.count_log_lines({"bot: ", "stopping"}) == 1);
    CHECK(t.count_log_lines({"bot: ", "stopped; "}) == 1);
    REQUIRE(t.slack.wait_for([&] { return t.slack.client_closes().size() > closes; }, 5s));
    CHECK(t.slack.client_closes().back().code == 1000);

    // Ack means stored: everything acked before the exit is in the database.
    const auto stored = stored_messages(t.export_json());
    std::size_t acked = 0, missing = 0;
    for (const auto& a : t.slack.acks()) {
        const auto e = t.slack.envelope(a.envelope_id);
        if (!e) continue;
        const auto text = event_text(*e);
        if (!text || !m.texts.count(*text)) continue;
        ++acked;
        if (!stored.count(*text)) ++missing;
    }
    CHECK(missing == 0);
    MESSAGE(acked << " acked, " << stored.size() << " stored of " << m.texts.size() << " at exit");

    // The rest reaches the next run (Slack gave up on it: the catch-up reads it from history) and
    // is stored once.
    t.start_bot();
    m.check_all_stored_once();
    CHECK(t.stop_bot(sig) == 0);
}

TEST_CASE("a second signal exits at once, non-zero, while the clean close is slow") {
    int sig = SIGTERM;
    SUBCASE("SIGTERM twice") { sig = SIGTERM; }
    SUBCASE("SIGINT twice") { sig = SIGINT; }
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Second signal test", "Second signal test");
    t.slack.post_message(ch, bob, "acked before the signal");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 10s));
    // A peer that never answers the close frame: the clean close waits for its timeout.
    t.slack.set_silent(true);
    t.bot->signal(sig);
    std::this_thread::sleep_for(700ms);
    REQUIRE_MESSAGE(t.bot->running(), "the first signal did not leave anything slow to interrupt; log:\n"
                                          << t.bot->log());
    const auto second = clk::now();
    t.bot->signal(sig);
    const auto code = t.bot->wait(2s);
    REQUIRE_MESSAGE(code, "the second signal did not end the bot");
    CHECK(*code != 0);
    CHECK(ms_between(second, clk::now()) < 1000);
    t.slack.set_silent(false);
    CHECK(entries(t.export_json(), "message").size() == 1);  // the database is intact
}

TEST_CASE("SIGTERM during start-up (auth.test being retried): a requested stop, exit 0, no error") {
    bot_fixture t;
    t.slack.fail_next("auth.test", 500, 0, 3);
    t.start_bot({}, {}, false);
    REQUIRE(t.slack.wait_for([&] { return !t.slack.calls("auth.test").empty(); }, 10s));
    std::this_thread::sleep_for(200ms);  // in the backoff before the second attempt
    const auto signalled = clk::now();
    const auto code = t.stop_bot(SIGTERM, 5s);
    CHECK(ms_between(signalled, clk::now()) < 1500);
    INFO("log:\n" << t.all_logs());
    CHECK(code == 0);
    CHECK(t.count_log_lines({"error"}) == 0);
}

TEST_CASE("SIGTERM while reconnecting (backing off after failures): exit 0 at once") {
    bot_fixture t;
    t.start_bot();
    t.slack.fail_next("apps.connections.open", 500, 0, 100);
    t.slack.drop_connections();
    REQUIRE(t.slack.wait_for([&] { return t.count_log_lines({"socket: ", "apps.connections.open failed"}) > 0; }, 10s));
    const auto signalled = clk::now();
    CHECK(t.stop_bot(SIGTERM, 5s) == 0);
    CHECK(ms_between(signalled, clk::now()) < 1500);
}

TEST_CASE("SIGTERM while a post waits out a long Retry-After: exit 0 promptly, the lost post is logged") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Slow post test", "Slow post test");
    t.slack.fail_next("chat.postMessage", 429, 60);
    CHECK(t.command(ch, bob, "ack") == "Acknowledged.");
    REQUIRE(t.slack.wait_for([&] { return t.slack.calls("chat.postMessage").back().http_status == 429; }, 10s));
    const auto signalled = clk::now();
    const auto code = t.stop_bot(SIGTERM, 10s);
    CHECK(code == 0);
    CHECK(ms_between(signalled, clk::now()) < 4000);
    CHECK(t.count_log_lines({"chat.postMessage to " + ch + " failed"}) == 1);
    CHECK(t.export_json()["incident"]["acknowledged_by"] == bob);  // the change itself was stored
}

}  // TEST_SUITE shutdown
