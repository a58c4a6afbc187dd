// The simulator's workspace and Web API without sockets: history and threads, paging, rate
// limits, scopes, private channels, users and user groups, ephemeral messages, modals. Each
// response is checked against Slack's own sample in shared/slack-fixtures/.

#include "sim/payloads.hpp"
#include "sim/web_api.hpp"
#include "sim/workspace.hpp"

#include "fixture_shape.hpp"

#include <doctest/doctest.h>

namespace {

using namespace std::chrono_literals;
using ib::sim::simulator_options;
using ib::sim::detail::channel_rec;
using ib::sim::detail::id_source;
using ib::sim::detail::web_api;
using ib::sim::detail::workspace;
using ib::test::load_fixture;
using ib::test::missing_keys;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;

const std::string bot = ib::sim::detail::k_bot_user_id;

// A workspace and its Web API, called as the bot would, with a clock the test moves.
struct slack {
    explicit slack(simulator_options o = {}) : opts(std::move(o)), api(opts, ws, ids) {}

    simulator_options opts;
    id_source ids;
    workspace ws;
    web_api api;
    steady::time_point now = steady::now();

    web_api::result
    call(const std::string& method, json args = json::object())
    {
        return api.call(method, std::move(args), true, "", opts.bot_token, now);
    }

    json
    ok(const std::string& method, json args = json::object())
    {
        auto r = call(method, std::move(args));
        INFO(method << " -> " << r.body.dump());
        REQUIRE(r.status == 200);
        REQUIRE(r.body["ok"] == true);
        return r.body;
    }

    std::string
    error(const std::string& method, json args = json::object())
    {
        auto r = call(method, std::move(args));
        return r.body.value("error", "");
    }

    // A channel the bot created (a member, as after conversations.create).
    std::string
    channel(const std::string& name, bool is_private = false)
    {
        return ok("conversations.create", {{"name", name}, {"is_private", is_private}})["channel"]["id"];
    }

    std::string
    say(const std::string& channel, const std::string& user, const std::string& text, const std::string& thread_ts = "",
        const std::string& subtype = "")
    {
        return ws.add_user_message(*ws.find_channel(channel), user, text, thread_ts, subtype, ids).ts;
    }
};

std::vector<std::string>
texts(const json& messages)
{
    std::vector<std::string> out;
    for (auto& m : messages)
        out.push_back(m["text"]);
    return out;
}

}  // namespace

TEST_SUITE("sim_web_api") {

TEST_CASE("Slack's escaping of typed text: & < > only")
{
    CHECK(ib::sim::slack_escape("p99 > 2s & rising") == "p99 &gt; 2s &amp; rising");
    CHECK(ib::sim::slack_escape("<!channel> <@U1>") == "&lt;!channel&gt; &lt;@U1&gt;");
    CHECK(ib::sim::slack_escape("'quotes' \"stay\" é") == "'quotes' \"stay\" é");
    CHECK(ib::sim::slack_escape("&amp;") == "&amp;amp;");
}

TEST_CASE("conversations.history: newest first, top level and broadcasts, threads, reactions, joins")
{
    slack s;
    auto ch = s.channel("inc-1");
    auto root = s.say(ch, "U0ALICE", "db-1 is down");
    s.ws.add_join_message(*s.ws.find_channel(ch), "U0BOB", "U0ALICE", s.ids);
    s.say(ch, "U0BOB", "looking", root);
    s.say(ch, "U0CAROL", "replica lag too", root, "thread_broadcast");
    s.say(ch, "U0BOB", "restarting it");
    s.ws.react(ch, root, "U0BOB", "eyes", true);
    s.ws.react(ch, root, "U0CAROL", "eyes", true);
    s.ws.react(ch, root, "U0CAROL", "pushpin", true);
    s.ws.react(ch, root, "U0CAROL", "pushpin", false);

    auto body = s.ok("conversations.history", {{"channel", ch}});
    // One page: no next_cursor (a response_metadata "that includes a next_cursor when there are
    // additional results to be retrieved", docs.slack.dev/apis/web-api/pagination).
    auto fixture_page = load_fixture("web-api-conversations.history-ok.json");
    fixture_page.erase("response_metadata");
    CHECK(missing_keys(fixture_page, body) == "");
    CHECK(body["has_more"] == false);
    CHECK_FALSE(body.contains("response_metadata"));
    // The thread reply is not in it; its broadcast is.
    CHECK(texts(body["messages"]) == std::vector<std::string>{"restarting it", "replica lag too",
                                                               "<@U0BOB|u0bob> has joined the channel", "db-1 is down"});
    auto& parent = body["messages"][3];
    CHECK(parent["thread_ts"] == root);
    CHECK(parent["reply_count"] == 2);
    CHECK(parent["reply_users"] == json::array({"U0BOB", "U0CAROL"}));
    CHECK(parent["reply_users_count"] == 2);
    CHECK(parent["latest_reply"] == body["messages"][1]["ts"]);
    CHECK(parent["reactions"] == json::array({{{"name", "eyes"}, {"users", {"U0BOB", "U0CAROL"}}, {"count", 2}}}));
    auto& join = body["messages"][2];
    CHECK(join["subtype"] == "channel_join");
    CHECK(join["inviter"] == "U0ALICE");
    auto& broadcast = body["messages"][1];
    CHECK(broadcast["subtype"] == "thread_broadcast");
    CHECK(broadcast["root"]["ts"] == root);
    // The broadcast's shape is Slack's (event-callback-message-thread_broadcast.json).
    auto fixture = load_fixture("event-callback-message-thread_broadcast.json")["event"];
    for (auto key : {"channel", "event_ts", "channel_type"})
        fixture.erase(key);
    CHECK(missing_keys(fixture, broadcast) == "");
}

TEST_CASE("conversations.history pages like Slack: limit, cursor, has_more, oldest/latest, inclusive")
{
    slack s;
    auto ch = s.channel("inc-2");
    std::vector<std::string> ts;
    for (int i = 0; i < 250; ++i)
        ts.push_back(s.say(ch, "U0ALICE", "m" + std::to_string(i)));

    SUBCASE("limit defaults to 100, the cursor walks to the oldest, no message twice")
    {
        std::vector<std::string> seen;
        std::string cursor;
        int pages = 0;
        for (;;) {
            json args = {{"channel", ch}};
            if (!cursor.empty())
                args["cursor"] = cursor;
            auto body = s.ok("conversations.history", args);
            if (pages == 0)
                CHECK(missing_keys(load_fixture("web-api-conversations.history-ok.json"), body) == "");
            ++pages;
            for (auto& m : body["messages"])
                seen.push_back(m["text"]);
            if (!body["has_more"].get<bool>()) {
                CHECK_FALSE(body.contains("response_metadata"));
                break;
            }
            cursor = body["response_metadata"]["next_cursor"];
            CHECK_FALSE(cursor.empty());
        }
        CHECK(pages == 3);
        REQUIRE(seen.size() == 250);
        CHECK(seen.front() == "m249");
        CHECK(seen.back() == "m0");
    }
    SUBCASE("limit: at most 999; 0 or junk is the default")
    {
        CHECK(s.ok("conversations.history", {{"channel", ch}, {"limit", 5}})["messages"].size() == 5);
        CHECK(s.ok("conversations.history", {{"channel", ch}, {"limit", "7"}})["messages"].size() == 7);
        CHECK(s.ok("conversations.history", {{"channel", ch}, {"limit", 5000}})["messages"].size() == 250);
        CHECK(s.ok("conversations.history", {{"channel", ch}, {"limit", 0}})["messages"].size() == 100);
        for (int i = 0; i < 800; ++i)
            s.say(ch, "U0BOB", "more");
        CHECK(s.ok("conversations.history", {{"channel", ch}, {"limit", 5000}})["messages"].size() == 999);
    }
    SUBCASE("oldest and latest are exclusive unless inclusive")
    {
        auto body = s.ok("conversations.history", {{"channel", ch}, {"oldest", ts[10]}, {"latest", ts[14]}});
        CHECK(texts(body["messages"]) == std::vector<std::string>{"m13", "m12", "m11"});
        body = s.ok("conversations.history",
                    {{"channel", ch}, {"oldest", ts[10]}, {"latest", ts[14]}, {"inclusive", true}});
        CHECK(texts(body["messages"]) == std::vector<std::string>{"m14", "m13", "m12", "m11", "m10"});
        // Since a watermark, paged: what a backfill does.
        body = s.ok("conversations.history", {{"channel", ch}, {"oldest", ts[240]}, {"limit", 4}});
        CHECK(texts(body["messages"]) == std::vector<std::string>{"m249", "m248", "m247", "m246"});
        CHECK(body["has_more"] == true);
        body = s.ok("conversations.history", {{"channel", ch},
                                              {"oldest", ts[240]},
                                              {"limit", 4},
                                              {"cursor", body["response_metadata"]["next_cursor"]}});
        CHECK(texts(body["messages"]) == std::vector<std::string>{"m245", "m244", "m243", "m242"});
        body = s.ok("conversations.history", {{"channel", ch},
                                              {"oldest", ts[240]},
                                              {"limit", 4},
                                              {"cursor", body["response_metadata"]["next_cursor"]}});
        CHECK(texts(body["messages"]) == std::vector<std::string>{"m241"});
        CHECK(body["has_more"] == false);
        // A ts in seconds only is a bound too.
        CHECK(s.ok("conversations.history", {{"channel", ch}, {"latest", "1000000000"}})["messages"].empty());
    }
    SUBCASE("malformed arguments")
    {
        CHECK(s.error("conversations.history", {{"channel", ch}, {"oldest", "yesterday"}}) == "invalid_ts_oldest");
        CHECK(s.error("conversations.history", {{"channel", ch}, {"latest", "1.2.3"}}) == "invalid_ts_latest");
        CHECK(s.error("conversations.history", {{"channel", ch}, {"cursor", "bm90IGEgY3Vyc29y"}}) == "invalid_cursor");
    }
}

TEST_CASE("history_max_limit: an app outside the Marketplace gets 15 messages per call, and pages on")
{
    simulator_options o;
    o.history_max_limit = 15;
    slack s(o);
    auto ch = s.channel("inc-3");
    std::string root;
    for (int i = 0; i < 40; ++i)
        root = s.say(ch, "U0ALICE", "m" + std::to_string(i));
    for (int i = 0; i < 20; ++i)
        s.say(ch, "U0BOB", "r" + std::to_string(i), root);

    auto body = s.ok("conversations.history", {{"channel", ch}, {"limit", 200}});
    CHECK(body["messages"].size() == 15);
    CHECK(body["messages"][0]["text"] == "m39");
    CHECK(body["has_more"] == true);
    CHECK(s.ok("conversations.history", {{"channel", ch}})["messages"].size() == 15);  // the default too
    CHECK(s.ok("conversations.history", {{"channel", ch}, {"limit", 4}})["messages"].size() == 4);
    // The cursor walks on 15 at a time: 40 messages in 3 calls.
    std::vector<std::string> seen;
    std::string cursor;
    int calls = 0;
    do {
        json args = {{"channel", ch}, {"limit", 200}};
        if (!cursor.empty())
            args["cursor"] = cursor;
        body = s.ok("conversations.history", args);
        ++calls;
        for (auto& m : body["messages"])
            seen.push_back(m["text"]);
        cursor = body.value("response_metadata", json::object()).value("next_cursor", "");
    } while (body["has_more"].get<bool>());
    CHECK(calls == 3);
    REQUIRE(seen.size() == 40);
    CHECK(seen.back() == "m0");
    // Replies too: the parent and 14 replies on the first page.
    body = s.ok("conversations.replies", {{"channel", ch}, {"ts", root}, {"limit", 100}});
    CHECK(body["messages"].size() == 15);
    CHECK(body["has_more"] == true);
}

TEST_CASE("conversations.history: the bot must be a member; unknown and hidden channels are not found")
{
    slack s;
    auto& foreign = s.ws.add_channel("general", "U0ALICE", false);
    s.say(foreign.id, "U0ALICE", "hello");
    CHECK(s.error("conversations.history", {{"channel", foreign.id}}) == "not_in_channel");
    CHECK(s.call("conversations.history", {{"channel", "C0NOPE"}}).body ==
          load_fixture("web-api-conversations.history-error-channel_not_found.json"));
    auto& secret = s.ws.add_channel("secret", "U0ALICE", true);
    CHECK(s.error("conversations.history", {{"channel", secret.id}}) == "channel_not_found");
    CHECK(s.error("conversations.info", {{"channel", secret.id}}) == "channel_not_found");
    CHECK(s.error("conversations.replies", {{"channel", secret.id}, {"ts", "1.000001"}}) == "channel_not_found");
}

TEST_CASE("conversations.replies: parent first, then replies oldest first; paging; a reply finds its thread")
{
    slack s;
    auto ch = s.channel("inc-3");
    auto root = s.say(ch, "U0ALICE", "root");
    std::vector<std::string> replies;
    for (int i = 0; i < 5; ++i)
        replies.push_back(s.say(ch, i % 2 ? "U0BOB" : "U0CAROL", "r" + std::to_string(i), root));
    s.say(ch, "U0ALICE", "after");

    auto body = s.ok("conversations.replies", {{"channel", ch}, {"ts", root}});
    CHECK(missing_keys(load_fixture("web-api-conversations.replies-ok.json")["messages"][1], body["messages"][1]) == "");
    CHECK(texts(body["messages"]) == std::vector<std::string>{"root", "r0", "r1", "r2", "r3", "r4"});
    CHECK(body["messages"][0]["reply_count"] == 5);
    CHECK(body["messages"][1]["parent_user_id"] == "U0ALICE");
    CHECK(body["messages"][1]["thread_ts"] == root);
    // A reply's ts names the same thread.
    CHECK(texts(s.ok("conversations.replies", {{"channel", ch}, {"ts", replies[2]}})["messages"]).size() == 6);

    // Paged by 2: the parent comes once, on the first page.
    std::vector<std::string> seen;
    json args = {{"channel", ch}, {"ts", root}, {"limit", 2}};
    for (;;) {
        body = s.ok("conversations.replies", args);
        for (auto& m : body["messages"])
            seen.push_back(m["text"]);
        if (!body["has_more"].get<bool>())
            break;
        args["cursor"] = body["response_metadata"]["next_cursor"];
    }
    CHECK(seen == std::vector<std::string>{"root", "r0", "r1", "r2", "r3", "r4"});

    // Replies since a watermark (the parent still comes first).
    body = s.ok("conversations.replies", {{"channel", ch}, {"ts", root}, {"oldest", replies[2]}});
    CHECK(texts(body["messages"]) == std::vector<std::string>{"root", "r3", "r4"});

    CHECK(s.call("conversations.replies", {{"channel", ch}, {"ts", "1.000001"}}).body ==
          load_fixture("web-api-conversations.replies-error-thread_not_found.json"));
    CHECK(s.error("conversations.replies", {{"channel", ch}}) == "invalid_arguments");
}

TEST_CASE("rate limits: Tier 3 for history by default, 429 with Retry-After past it")
{
    slack s;
    auto ch = s.channel("inc-4");
    for (int i = 0; i < 50; ++i) {
        s.now += 100ms;
        REQUIRE(s.call("conversations.history", {{"channel", ch}}).status == 200);
    }
    s.now += 100ms;
    auto limited = s.call("conversations.history", {{"channel", ch}});
    CHECK(limited.status == 429);
    CHECK(limited.body == load_fixture("web-api-error-ratelimited-429-body.json"));
    // The first call leaves the window 60 s after it was made: 55 s from now.
    CHECK(limited.retry_after == 55);
    // Other methods are not affected [RL].
    CHECK(s.call("conversations.replies", {{"channel", ch}, {"ts", "1.000001"}}).status == 200);
    s.now += 55s;
    CHECK(s.call("conversations.history", {{"channel", ch}}).status == 200);

    SUBCASE("configurable, or off")
    {
        simulator_options o;
        o.rate_limits = {{"chat.postMessage", 2}};
        o.rate_limit_window = 1s;
        slack t(o);
        auto c = t.channel("x");
        CHECK(t.call("chat.postMessage", {{"channel", c}, {"text", "1"}}).status == 200);
        CHECK(t.call("chat.postMessage", {{"channel", c}, {"text", "2"}}).status == 200);
        auto r = t.call("chat.postMessage", {{"channel", c}, {"text", "3"}});
        CHECK(r.status == 429);
        CHECK(r.retry_after == 1);
        for (int i = 0; i < 200; ++i)
            REQUIRE(t.call("conversations.history", {{"channel", c}}).status == 200);
    }
}

TEST_CASE("scopes: a method without its scope answers missing_scope")
{
    simulator_options o;
    o.bot_scopes = std::set<std::string>{"chat:write", "channels:manage", "channels:history"};
    slack s(o);
    auto r = s.call("users.info", {{"user", bot}});
    CHECK(r.body["error"] == "missing_scope");
    CHECK(r.body["needed"] == "users:read");
    CHECK(r.body["provided"] == "channels:history,channels:manage,chat:write");
    CHECK(s.error("usergroups.users.list", {{"usergroup", "S1"}}) == "missing_scope");
    // Private channels need the groups: scopes.
    CHECK(s.error("conversations.create", {{"name", "private-one"}, {"is_private", true}}) == "missing_scope");
    auto ch = s.channel("public-one");
    CHECK(s.call("conversations.history", {{"channel", ch}}).status == 200);
    // Without chat:write.public the bot posts only where it is a member.
    auto& general = s.ws.add_channel("general", "U0ALICE", false);
    CHECK(s.error("chat.postMessage", {{"channel", general.id}, {"text", "hi"}}) == "not_in_channel");
}

TEST_CASE("private channels: channel_type group, membership events G, visible only to members")
{
    slack s;
    auto r = s.call("conversations.create", {{"name", "inc-private"}, {"is_private", true}});
    REQUIRE(r.body["ok"] == true);
    CHECK(r.body["channel"]["is_private"] == true);
    CHECK(r.body["channel"]["is_group"] == true);
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0]["channel_type"] == "G");
    auto ch = r.body["channel"]["id"].get<std::string>();
    CHECK(s.error("conversations.join", {{"channel", ch}}) == "method_not_supported_for_channel_type");
    auto posted = s.call("chat.postMessage", {{"channel", ch}, {"text", "hello"}});
    REQUIRE(posted.events.size() == 1);
    auto event = posted.events[0];
    CHECK(event["channel_type"] == "group");
    auto fixture = load_fixture("event-callback-message.groups.json")["event"];
    CHECK(missing_keys(fixture, event) == "");

    // The app receives it only when subscribed to message.groups.
    CHECK(s.api.delivers(event));
    simulator_options o;
    o.bot_events = std::set<std::string>{"message.channels"};
    slack t(o);
    CHECK_FALSE(t.api.delivers(event));
    event["channel_type"] = "channel";
    CHECK(t.api.delivers(event));
}

TEST_CASE("member_events_only: events only from the bot's channels")
{
    simulator_options o;
    o.member_events_only = true;
    slack s(o);
    auto mine = s.channel("mine");
    auto& other = s.ws.add_channel("other", "U0ALICE", false);
    json message = {{"type", "message"}, {"channel", mine}, {"channel_type", "channel"}};
    CHECK(s.api.delivers(message));
    message["channel"] = other.id;
    CHECK_FALSE(s.api.delivers(message));
    json reaction = {{"type", "reaction_added"}, {"item", {{"type", "message"}, {"channel", other.id}}}};
    CHECK_FALSE(s.api.delivers(reaction));
    CHECK(s.api.delivers({{"type", "channel_created"}, {"channel", {{"id", "C9"}}}}));
}

TEST_CASE("chat.postMessage: replies, reply_broadcast, DMs, and what history shows")
{
    slack s;
    auto ch = s.channel("inc-5");
    auto root = s.say(ch, "U0ALICE", "root");
    auto reply = s.ok("chat.postMessage", {{"channel", ch}, {"text", "noted"}, {"thread_ts", root}});
    CHECK(reply["message"]["thread_ts"] == root);
    auto broadcast = s.call("chat.postMessage",
                            {{"channel", ch}, {"text", "update"}, {"thread_ts", root}, {"reply_broadcast", true}});
    CHECK(broadcast.events.at(0)["subtype"] == "thread_broadcast");
    CHECK(broadcast.events.at(0)["root"]["reply_count"] == 2);
    auto history = s.ok("conversations.history", {{"channel", ch}})["messages"];
    REQUIRE(history.size() == 2);
    CHECK(history[0]["text"] == "update");
    CHECK(history[0]["bot_id"] == ib::sim::detail::k_bot_id);
    auto dm = s.ok("chat.postMessage", {{"channel", "U0ALICE"}, {"text", "psst"}});
    CHECK(dm["channel"] == "D0ALICE");
    CHECK(s.ok("conversations.history", {{"channel", "D0ALICE"}})["messages"].size() == 1);
}

TEST_CASE("users.info: names and profiles; unknown users are not found")
{
    slack s;
    s.ws.set_user("U0ALICE", {"alice", "", "Alice Liddell"});
    auto body = s.ok("users.info", {{"user", "U0ALICE"}});
    CHECK(missing_keys(load_fixture("web-api-users.info-ok.json")["user"]["profile"], body["user"]["profile"]) == "");
    CHECK(body["user"]["name"] == "alice");
    CHECK(body["user"]["profile"]["display_name"] == "");
    CHECK(body["user"]["profile"]["real_name"] == "Alice Liddell");
    CHECK(s.call("users.info", {{"user", "U0NOBODY"}}).body ==
          load_fixture("web-api-users.info-error-user_not_found.json"));
    // Someone who acted, or was mentioned, exists.
    auto ch = s.channel("inc-6");
    s.say(ch, "U0BOB", "ping <@U0CAROL|carol>");
    CHECK(s.ok("users.info", {{"user", "U0BOB"}})["user"]["name"] == "u0bob");
    CHECK(s.ok("users.info", {{"user", "U0CAROL"}})["user"]["id"] == "U0CAROL");
}

TEST_CASE("usergroups.users.list")
{
    slack s;
    auto id = s.ws.add_usergroup("responders", {"U0ALICE", "W0BOB"});
    auto body = s.ok("usergroups.users.list", {{"usergroup", id}});
    CHECK(missing_keys(load_fixture("web-api-usergroups.users.list-ok.json"), body) == "");
    CHECK(body["users"] == json::array({"U0ALICE", "W0BOB"}));
    CHECK(s.error("usergroups.users.list", {{"usergroup", "S0NOPE"}}) == "no_such_subteam");
    CHECK(s.error("usergroups.users.list") == "invalid_arguments");
}

TEST_CASE("chat.postEphemeral: recorded per user; only to a member")
{
    slack s;
    auto ch = s.channel("inc-7");
    s.ws.find_channel(ch)->members.insert("U0ALICE");
    auto body = s.ok("chat.postEphemeral", {{"channel", ch}, {"user", "U0ALICE"}, {"text", "only you"}});
    CHECK(missing_keys(load_fixture("web-api-chat.postEphemeral-ok.json"), body) == "");
    auto& shown = s.ws.ephemerals[{ch, "U0ALICE"}];
    REQUIRE(shown.size() == 1);
    CHECK(shown[0]["text"] == "only you");
    CHECK(shown[0]["message_ts"] == body["message_ts"]);
    CHECK(s.call("chat.postEphemeral", {{"channel", ch}, {"user", "U0BOB"}, {"text", "x"}}).body ==
          load_fixture("web-api-chat.postEphemeral-error-user_not_in_channel.json"));
    // Not in history: nobody else sees it.
    CHECK(s.ok("conversations.history", {{"channel", ch}})["messages"].empty());
}

TEST_CASE("views.open: a trigger_id is exchanged once, within its time")
{
    slack s;
    json view = {{"type", "modal"},
                 {"callback_id", "correct_tags"},
                 {"title", {{"type", "plain_text"}, {"text", "Correct tags"}}},
                 {"submit", {{"type", "plain_text"}, {"text", "Save"}}},
                 {"blocks", json::array()}};
    CHECK(s.call("views.open", {{"view", view}}).body == load_fixture("web-api-views.open-error-invalid_arguments.json"));
    CHECK(s.error("views.open", {{"view", view}, {"trigger_id", "1.2.nope"}}) == "invalid_trigger_id");
    s.ws.add_trigger("111.222.abc", "U0ALICE", s.now);
    CHECK(s.error("views.open", {{"trigger_id", "111.222.abc"}}) == "invalid_arguments");
    // Form-encoded, the view is JSON text.
    auto body = s.ok("views.open", {{"view", view.dump()}, {"trigger_id", "111.222.abc"}});
    CHECK(missing_keys(load_fixture("web-api-views.open-ok.json"), body) == "");
    CHECK(body["view"]["callback_id"] == "correct_tags");
    CHECK(s.error("views.open", {{"view", view}, {"trigger_id", "111.222.abc"}}) == "exchanged_trigger_id");
    s.ws.add_trigger("333.444.def", "U0BOB", s.now);
    s.now += 3001ms;
    CHECK(s.error("views.open", {{"view", view}, {"trigger_id", "333.444.def"}}) == "expired_trigger_id");
    REQUIRE(s.ws.views.size() == 1);
    CHECK(s.ws.views[0].user == "U0ALICE");
    CHECK(s.ws.views[0].id == body["view"]["id"]);
}

TEST_CASE("interactive payloads have Slack's shape")
{
    using namespace ib::sim::detail;
    slack s;
    auto ch = s.channel("inc-8");
    auto ts = s.say(ch, "U0BOB", "<@U0ALICE> it's the LB again");
    auto& c = *s.ws.find_channel(ch);
    auto shortcut = message_action_payload(c.id, c.name, "U0ALICE", "alice", s.ws.message_json(c, *s.ws.find_message(ch, ts)),
                                           "correct_tags", "1.2.3", "https://x/commands/1", s.ids.ts());
    CHECK(missing_keys(load_fixture("interactive-message_action.json"), shortcut) == "");
    CHECK(shortcut["message_ts"] == ts);
    CHECK(shortcut["message"]["text"] == "<@U0ALICE> it's the LB again");

    // The view as the bot opened it (the fixture's, with Slack's fields), then submitted.
    auto fixture = load_fixture("interactive-view_submission.json");
    json view = fixture["view"];
    json values = view["state"]["values"];
    view["state"] = {{"values", json::object()}};
    view["state"]["values"] = values;  // what the user entered
    auto submission = view_submission_payload("U0ALICE", "alice", view, "4.5.6");
    CHECK(missing_keys(fixture, submission) == "");
    // bolt-python's sample adds response_urls (its team is an Enterprise Grid one: not compared).
    auto bolt = load_fixture("interactive-view_submission-bolt-python.json");
    CHECK(missing_keys(bolt["user"], submission["user"]) == "");
    CHECK(submission["response_urls"] == json::array());
    CHECK(submission["user"]["id"] == "U0ALICE");
    CHECK(submission["api_app_id"] == k_app_id);
    auto envelope = interactive_envelope(submission, "env-1", true);
    auto shape = load_fixture("socket-mode-interactive-shortcut.json");
    shape.erase("payload");
    CHECK(missing_keys(shape, envelope) == "");
}

}  // TEST_SUITE("sim_web_api")
