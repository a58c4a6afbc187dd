// End to end: the real incident-bot binary, started as a child process, against the in-repo
// Slack simulator over real sockets (HTTP + WebSocket, and once over TLS).
#include "sim/slack_simulator.hpp"
#include "bot_process.hpp"
#include "core/commands.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_process;
using ib::test::run_to_end;
using ib::test::has_sanitizer_report;

namespace {

const std::string app_token = "xapp-1-A0SIM-1-test";
const std::string bot_token = "xoxb-sim-test";
const std::string alice = "U0ALICE", bob = "U0BOB", carol = "U0CAROL";

std::string today_channel(const std::string& title) {
    return ib::channel_name_for(title, std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
}

// A simulator and a running bot with its own database.
struct e2e {
    ib::sim::slack_simulator slack;
    std::string db = ib::test::temp_path("ib-e2e") + ".db";
    std::unique_ptr<bot_process> bot;
    std::string general;

    explicit e2e(ib::sim::simulator_options o = {}) : slack(std::move(o)) {
        slack.start();
        general = slack.create_channel("general", alice);
    }
    ~e2e() {
        stop_bot();
        for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db + suffix);
    }

    std::map<std::string, std::string> env() const {
        return {{"SLACK_API_URL", slack.api_url()}, {"SLACK_APP_TOKEN", app_token}, {"SLACK_BOT_TOKEN", bot_token}};
    }
    void start_bot(std::vector<std::string> extra = {}, std::map<std::string, std::string> more_env = {}) {
        std::vector<std::string> args{"run", "--db", db};
        args.insert(args.end(), extra.begin(), extra.end());
        auto e = env();
        for (auto& [k, v] : more_env) e[k] = v;
        const auto before = slack.connections_opened();
        bot = std::make_unique<bot_process>(IB_BOT_BINARY, args, e);
        REQUIRE_MESSAGE(slack.wait_for([&] { return slack.connections_opened() > before && slack.open_connections() > 0; },
                                       20s),
                        "the bot did not connect; its log:\n" << bot->log());
    }
    // SIGTERM and a clean exit.
    void stop_bot() {
        if (!bot) return;
        bot->signal(SIGTERM);
        const auto code = bot->wait(15s);
        CHECK_MESSAGE(code == 0, "bot exit code " << (code ? *code : -1) << "; log:\n" << bot->log());
        CHECK_MESSAGE(!has_sanitizer_report(bot->log()), "a sanitizer report is in the bot's log:\n" << bot->log());
        bot.reset();
    }

    // Types `/incident <text>` and returns the reply the bot put in the ack.
    // /incident <text>, `text` in Slack's form: the ephemeral reply's text.
    std::string command(const std::string& channel, const std::string& user, const std::string& text) {
        return reply_to(slack.slash_command(channel, user, text), text);
    }
    // The same with what the user typed; the simulator escapes it as Slack does.
    std::string type_command(const std::string& channel, const std::string& user, const std::string& typed) {
        return reply_to(slack.type_command(channel, user, typed), typed);
    }
    std::string reply_to(const std::string& id, const std::string& text) {
        const auto a = slack.wait_ack(id, 10s);
        REQUIRE_MESSAGE(a, "no ack for '/incident " << text << "'; log:\n" << bot->log());
        REQUIRE(a->payload);
        CHECK((*a->payload)["response_type"] == "ephemeral");
        return a->payload->value("text", std::string());
    }

    std::string declare(const std::string& title_and_sev, const std::string& title) {
        const auto reply = command(general, alice, "start " + title_and_sev);
        CHECK(reply.find("Incident declared") != std::string::npos);
        const auto ch = slack.channel_by_name(today_channel(title));
        REQUIRE_MESSAGE(ch, "no channel #" << today_channel(title));
        // The declarer is invited and the announcement posted.
        REQUIRE(slack.wait_for([&] { return !slack.posted_messages(ch->id).empty(); }, 10s));
        return ch->id;
    }

    json export_json() {
        const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", db, "--incident", "latest", "--format", "json"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        return json::parse(r.out);
    }

    // Waits until every envelope the simulator delivered has been acked (events stored).
    bool all_acked(std::size_t expected, std::chrono::milliseconds timeout = 10s) {
        return slack.wait_for([&] { return slack.ack_count() >= expected; }, timeout);
    }
};

std::vector<json> entries(const json& exported, const std::string& kind) {
    std::vector<json> out;
    for (const auto& e : exported["timeline"])
        if (e["kind"] == kind) out.push_back(e);
    return out;
}

bool has_tag(const json& entry, const std::string& tag) {
    for (const auto& t : entry["tags"])
        if (t == tag) return true;
    return false;
}

}  // namespace

TEST_SUITE("e2e") {

TEST_CASE("a whole incident: declare, joins, messages, ack, status, status page, resolve") {
    e2e t;
    t.start_bot();
    const std::string ch = t.declare("Checkout errors sev2", "Checkout errors");

    // The Web API calls a real workspace would see.
    const auto create = t.slack.calls("conversations.create");
    REQUIRE(create.size() == 1);
    CHECK(create[0].args["name"] == today_channel("Checkout errors"));
    CHECK(create[0].authorized);
    REQUIRE(t.slack.wait_for([&] { return !t.slack.calls("conversations.setTopic").empty(); }, 5s));
    const auto invite = t.slack.calls("conversations.invite");
    REQUIRE(invite.size() == 1);
    CHECK(invite[0].args["channel"] == ch);
    CHECK(invite[0].args["users"] == alice);
    CHECK(t.slack.calls("conversations.setTopic")[0].args["topic"].get<std::string>().find("sev2") != std::string::npos);
    CHECK(t.slack.posted_messages(ch)[0]["text"].get<std::string>().find("Incident declared: Checkout errors") !=
          std::string::npos);
    REQUIRE(t.slack.wait_for([&] { return t.slack.channel_by_id(ch)->members.count(alice) == 1; }, 5s));

    // People join and talk; Slack delivers it all as events.
    t.slack.join(ch, bob, alice);
    const auto hypothesis_ts = t.slack.post_message(ch, bob, "looks like the payment gateway is timing out");
    t.slack.post_message(ch, bob, "`kubectl -n shop rollout undo deploy/checkout`");
    t.slack.post_message(ch, bob, "thread reply with details", hypothesis_ts);
    CHECK(t.command(ch, bob, "ack") == "Acknowledged.");
    CHECK(t.command(ch, bob, "status identified gateway timeouts after the deploy") == "Status set to identified.");
    CHECK(t.command(ch, alice, "statuspage Investigating elevated checkout errors") == "Status-page update recorded.");
    t.slack.react(ch, carol, "pushpin", hypothesis_ts);
    CHECK(t.command(ch, bob, "resolve rolled back").find("Resolved") != std::string::npos);

    // Announcements, then the summary and the review prompt, are posted in the channel.
    REQUIRE(t.slack.wait_for([&] { return t.slack.posted_messages(ch).size() >= 7; }, 10s));
    const auto posts = t.slack.posted_messages(ch);
    std::string all_posts;
    for (const auto& p : posts) all_posts += p["text"].get<std::string>() + "\n";
    CHECK(all_posts.find("acknowledged the incident") != std::string::npos);
    CHECK(all_posts.find("Status page updated") != std::string::npos);
    CHECK(all_posts.find("TTR") != std::string::npos);
    CHECK(posts[posts.size() - 2].contains("blocks"));  // the summary, in Block Kit

    // Everything is on the timeline, once, with Slack's own timestamps.
    REQUIRE(t.slack.wait_for([&] { return t.export_json()["timeline"].size() >= 17; }, 10s));
    const json x = t.export_json();
    const auto& inc = x["incident"];
    CHECK(inc["title"] == "Checkout errors");
    CHECK(inc["severity"] == "sev2");
    CHECK(inc["status"] == "resolved");
    CHECK(inc["channel_id"] == ch);
    CHECK(inc["channel_name"] == today_channel("Checkout errors"));
    CHECK(inc["acknowledged_by"] == bob);
    CHECK(inc["tta_seconds"].is_number_integer());
    CHECK(inc["ttr_seconds"].is_number_integer());
    CHECK(inc["ttr_seconds"].get<long>() >= inc["tta_seconds"].get<long>());

    CHECK(entries(x, "declare").size() == 1);
    CHECK(entries(x, "ack").size() == 1);
    CHECK(entries(x, "status").size() == 1);
    CHECK(entries(x, "statuspage").size() == 1);
    CHECK(entries(x, "resolve").size() == 1);
    const auto joins = entries(x, "join");
    REQUIRE(joins.size() == 2);  // alice (invited) and bob; not the bot itself
    CHECK(has_tag(joins[0], "join"));
    const auto messages = entries(x, "message");
    REQUIRE(messages.size() == 3);
    CHECK(messages[0]["slack_ts"] == hypothesis_ts);
    CHECK(has_tag(messages[0], "hypothesis"));
    CHECK(has_tag(messages[1], "command"));
    CHECK(messages[2]["attrs"]["thread_ts"] == hypothesis_ts);
    const auto pins = entries(x, "key_moment");
    REQUIRE(pins.size() == 1);
    CHECK(pins[0]["ref_ts"] == hypothesis_ts);
    CHECK(entries(x, "bot_message").size() >= 5);  // the bot's own posts, not participant messages

    bool bob_seen = false;
    for (const auto& p : x["participants"]) {
        CHECK(p["user"] != t.slack.bot_user_id());
        if (p["user"] == bob) {
            bob_seen = true;
            CHECK(p["messages"] == 3);
            CHECK_FALSE(p["joined_at"].is_null());
        }
    }
    CHECK(bob_seen);

    for (const char* format : {"md", "csv"}) {
        const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", format});
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("Checkout errors") != std::string::npos);
    }
}

TEST_CASE("text: typed once, shown once escaped in every post, decoded in JSON and CSV, escaped in Markdown and SVG, "
          "with names") {
    e2e t;
    t.slack.set_user_name(alice, "Alice Example");
    t.slack.set_user_name(bob, "Bob & <Co>");
    t.start_bot();
    const std::string typed = "p99 > 2s & <x> <!channel>";  // a literal <!channel>: text, never a ping
    const std::string once = "p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt;";  // what Slack sends (§6)
    const std::string title_typed = "Checkout p99 > 2s & <x>";
    const std::string title = "Checkout p99 &gt; 2s &amp; &lt;x&gt;";
    CHECK(t.type_command(t.general, alice, "start " + title_typed + " sev2").find("Incident declared") !=
          std::string::npos);
    const auto ch = t.slack.channel_by_name(today_channel(title));
    REQUIRE_MESSAGE(ch, "no channel #" << today_channel(title));
    CHECK(ch->name == today_channel(title_typed));  // the slug reads the title as typed

    t.slack.join(ch->id, bob, alice);
    // Typed text (escaped by the simulator), and with a mention picked in the client (markup).
    t.slack.post_message(ch->id, bob, once + " cc <@" + alice + ">");
    CHECK(t.type_command(ch->id, bob, "note " + typed) == "Note added to the timeline.");
    CHECK(t.type_command(ch->id, alice, "statuspage " + typed) == "Status-page update recorded.");
    CHECK(t.command(ch->id, bob, "action " + once + " <@" + alice + ">") == "Action item recorded.");
    CHECK(t.type_command(ch->id, bob, "resolve " + typed).find("Resolved") != std::string::npos);
    REQUIRE(t.slack.wait_for([&] { return t.slack.posted_messages(ch->id).size() >= 7; }, 10s));

    // Every post shows the text once escaped (Slack renders what was typed), and nothing pings.
    std::size_t quoting = 0;
    for (const auto& p : t.slack.posted_messages(ch->id)) {
        const std::string all = p["text"].get<std::string>() + (p.contains("blocks") ? p["blocks"].dump() : "");
        CAPTURE(all);
        CHECK(all.find("&amp;gt;") == std::string::npos);
        CHECK(all.find("&amp;amp;") == std::string::npos);
        CHECK(all.find("&amp;lt;") == std::string::npos);
        CHECK(all.find("<!channel>") == std::string::npos);
        CHECK(all.find("<!here>") == std::string::npos);
        if (all.find(once) != std::string::npos || all.find("Checkout p99 &gt; 2s &amp; &lt;x&gt;") != std::string::npos)
            ++quoting;
    }
    CHECK(quoting >= 6);  // declared, note, status page, action item, resolve, summary
    const auto summary = t.slack.posted_messages(ch->id)[t.slack.posted_messages(ch->id).size() - 2];
    CHECK(summary["blocks"][0]["text"]["text"].get<std::string>().find(title_typed) != std::string::npos);  // plain_text

    // Names: the bot looked up who it saw (once each) and the exports read them from its cache.
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.export_json()["users"].size() >= 2; }, 10s), t.bot->log());
    std::set<std::string> asked;
    for (const auto& c : t.slack.calls("users.info")) CHECK(asked.insert(c.args["user"].get<std::string>()).second);
    CHECK(asked.count(alice) == 1);
    CHECK(asked.count(bob) == 1);

    // JSON: what was typed, and Slack's form beside it; user_name next to user.
    const json x = t.export_json();
    CHECK(x["incident"]["title"] == title_typed);
    CHECK(x["incident"]["slack_title"] == title);
    for (const char* kind : {"note", "statuspage", "action_item"}) {
        CAPTURE(kind);
        REQUIRE(entries(x, kind).size() == 1);
        CHECK(entries(x, kind)[0]["text"] == typed);
        CHECK(entries(x, kind)[0]["slack_text"] == once);
    }
    const auto messages = entries(x, "message");
    REQUIRE(messages.size() == 1);
    CHECK(messages[0]["text"] == typed + " cc <@" + alice + ">");
    CHECK(messages[0]["user_name"] == "Bob & <Co>");
    CHECK(x["users"][alice] == "Alice Example");

    const auto exported = [&](const char* format) {
        const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", format});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        return r.out;
    };
    // CSV: decoded, mentions and people by name.
    const auto csv = exported("csv");
    CHECK(csv.find("," + typed + " cc @Alice Example,") != std::string::npos);
    CHECK(csv.find(",note,," + typed + ",,'@Bob & <Co>\r\n") != std::string::npos);  // '@' would start a formula
    // Markdown: HTML-escaped once, names.
    const auto md = exported("md");
    CHECK(md.find("# Incident #1: Checkout p99 &gt; 2s &amp; &lt;x&gt;\n") != std::string::npos);
    CHECK(md.find(once + " cc @Alice Example |") != std::string::npos);
    CHECK(md.find("**Declared by:** @Alice Example") != std::string::npos);
    CHECK(md.find("<x>") == std::string::npos);
    CHECK(md.find("&amp;gt;") == std::string::npos);
    // SVG: XML-escaped once, names.
    const auto svg = exported("svg");
    CHECK(svg.find("@Bob &amp; &lt;Co&gt;: " + once + " cc @Alice Example") != std::string::npos);
    CHECK(svg.find("&amp;gt;") == std::string::npos);
}

TEST_CASE("a redelivered event (same event_id, new envelope) is stored once and acked both times") {
    e2e t;
    t.start_bot();
    const std::string ch = t.declare("Dup test", "Dup test");
    const json event = {{"type", "message"}, {"channel", ch},  {"user", bob},
                        {"text", "restarting the api pods"}, {"ts", "1790000000.000100"}, {"event_ts", "1790000000.000100"}};
    const json payload = {{"type", "event_callback"}, {"event_id", "Ev0DUPLICATE"}, {"event_time", 1790000000},
                          {"team_id", t.slack.team_id()}, {"api_app_id", t.slack.app_id()}, {"event", event}};
    const auto first = t.slack.send_envelope({{"type", "events_api"}, {"payload", payload}, {"accepts_response_payload", false},
                                              {"retry_attempt", 0}, {"retry_reason", ""}});
    const auto second = t.slack.send_envelope({{"type", "events_api"}, {"payload", payload}, {"accepts_response_payload", false},
                                               {"retry_attempt", 1}, {"retry_reason", "timeout"}});
    CHECK(t.slack.wait_ack(first, 10s));
    CHECK(t.slack.wait_ack(second, 10s));
    const auto messages = entries(t.export_json(), "message");
    REQUIRE(messages.size() == 1);
    CHECK(messages[0]["text"] == "restarting the api pods");
    CHECK(has_tag(messages[0], "action"));
}

TEST_CASE("commands in the wrong place, unknown commands and bad arguments get a clear reply") {
    e2e t;
    t.start_bot();
    CHECK(t.command(t.general, alice, "ack").find("isn't an incident channel") != std::string::npos);
    CHECK(t.command(t.general, alice, "frobnicate").find("/incident") != std::string::npos);
    CHECK(t.command(t.general, alice, "").find("start") != std::string::npos);  // help
    const std::string ch = t.declare("Args test sev3", "Args test");
    CHECK(t.command(ch, alice, "sev 9").find("1") != std::string::npos);
    CHECK(t.command(ch, alice, "ack") == "Acknowledged.");
    CHECK(t.command(ch, bob, "ack").find("already acknowledged") != std::string::npos);
    CHECK(t.command(t.general, alice, "list").find(today_channel("Args test")) != std::string::npos);
    // Chatter outside incident channels is acked but not recorded.
    t.slack.post_message(t.general, bob, "lunch?");
    CHECK(t.slack.wait_for([&] { return t.slack.ack_count() >= 1; }, 5s));
    // Named: a range-for over `export_json()["timeline"]` would walk a destroyed temporary.
    const json exported = t.export_json();
    for (const auto& e : exported["timeline"]) CHECK(e["text"] != "lunch?");
}

TEST_CASE("restart: the bot picks up where it was, and SIGTERM exits cleanly") {
    e2e t;
    t.start_bot();
    const std::string ch = t.declare("Restart test sev1", "Restart test");
    t.slack.post_message(ch, bob, "first run message");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 10s));
    t.stop_bot();

    t.start_bot();
    CHECK(t.command(ch, bob, "ack") == "Acknowledged.");
    t.slack.post_message(ch, bob, "second run message");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 2; }, 10s));
    CHECK(t.export_json()["incident"]["acknowledged_by"] == bob);
}

TEST_CASE("a refresh_requested disconnect: the bot reconnects and keeps recording") {
    e2e t;
    t.start_bot();
    const std::string ch = t.declare("Reconnect test", "Reconnect test");
    const auto before = t.slack.connections_opened();
    t.slack.send_disconnect("refresh_requested");
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before; }, 10s));
    t.slack.post_message(ch, bob, "after the refresh");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 10s));
}

TEST_CASE("status-page reminders: on time, reset by an update, snoozed by a button, stopped by resolve") {
    e2e t;
    t.start_bot({"--status-reminder", "2s"});
    const std::string ch = t.declare("Reminder test sev2", "Reminder test");
    const auto reminders = [&] {
        std::vector<json> out;
        for (const auto& p : t.slack.posted_messages(ch))
            if (p["text"].get<std::string>().find("status-page update") != std::string::npos) out.push_back(p);
        return out;
    };
    // The first reminder comes about 2 s after the start, mentioning the declarer (no comms lead yet).
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return reminders().size() >= 1; }, 6s), t.bot->log());
    const json first = reminders().front();
    CHECK(first["text"].get<std::string>().find("<@" + alice + ">") != std::string::npos);
    REQUIRE(first.contains("blocks"));
    CHECK(first["blocks"].dump().find("statuspage_post") != std::string::npos);
    CHECK(first["blocks"].dump().find("reminder_snooze") != std::string::npos);
    // They keep coming while nobody updates the status page.
    REQUIRE(t.slack.wait_for([&] { return reminders().size() >= 2; }, 6s));

    // A comms lead is named, an update is recorded: the next reminder quotes it and mentions them.
    t.command(ch, alice, "comms <@" + carol + ">");
    t.command(ch, carol, "statuspage Investigating checkout errors");
    const auto after_update = reminders().size();
    REQUIRE(t.slack.wait_for([&] { return reminders().size() > after_update; }, 6s));
    const auto quoted = reminders().back()["text"].get<std::string>();
    CHECK(quoted.find("<@" + carol + ">") != std::string::npos);
    CHECK(quoted.find("Investigating checkout errors") != std::string::npos);

    // "Snooze 15 min" on the reminder: nothing for a while.
    const json click = {{"type", "interactive"},
                        {"accepts_response_payload", false},
                        {"payload",
                         {{"type", "block_actions"},
                          {"api_app_id", t.slack.app_id()},  // as Slack sends it: our app, our workspace
                          {"team", {{"id", t.slack.team_id()}}},
                          {"user", {{"id", carol}}},
                          {"channel", {{"id", ch}}},
                          {"container", {{"type", "message"}, {"channel_id", ch}}},
                          {"trigger_id", "t1"},
                          {"actions", {{{"action_id", "reminder_snooze"}, {"value", "15m"}, {"block_id", "b"}}}}}}};
    CHECK(t.slack.wait_ack(t.slack.send_envelope(click), 5s));
    REQUIRE(t.slack.wait_for([&] {
        for (const auto& p : t.slack.posted_messages(ch))
            if (p["text"].get<std::string>().find("snoozed") != std::string::npos) return true;
        return false;
    }, 5s));
    const auto snoozed_at = reminders().size();
    std::this_thread::sleep_for(4500ms);
    CHECK(reminders().size() == snoozed_at);

    // Resolve: the summary and the review prompt, and no reminder after that.
    t.command(ch, alice, "resolve");
    REQUIRE(t.slack.wait_for([&] {
        for (const auto& p : t.slack.posted_messages(ch))
            if (p["text"].get<std::string>().find("Post-incident review") != std::string::npos) return true;
        return false;
    }, 10s));
    const auto at_resolve = reminders().size();
    std::this_thread::sleep_for(3000ms);
    CHECK(reminders().size() == at_resolve);

    const json x = t.export_json();
    CHECK(entries(x, "reminder").size() >= 4);  // posted reminders and the snooze are on the timeline
    CHECK(entries(x, "statuspage").size() == 1);
}

TEST_CASE("wrong credentials: one line and a non-zero exit, promptly") {
    ib::sim::slack_simulator slack;
    slack.start();
    const std::string db = ib::test::temp_path("ib-e2e-creds") + ".db";
    const auto started = std::chrono::steady_clock::now();

    SUBCASE("a bot token Slack refuses") {
        const auto r = run_to_end(IB_BOT_BINARY, {"run", "--db", db},
                                  {{"SLACK_API_URL", slack.api_url()}, {"SLACK_APP_TOKEN", app_token},
                                   {"SLACK_BOT_TOKEN", "xoxb-not-the-right-one"}});
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("SLACK_BOT_TOKEN") != std::string::npos);
        CHECK(r.err.find("invalid_auth") != std::string::npos);
        CHECK(r.err.find("not-the-right-one") == std::string::npos);  // tokens never in logs
    }
    SUBCASE("an app token Slack refuses") {
        const auto r = run_to_end(IB_BOT_BINARY, {"run", "--db", db},
                                  {{"SLACK_API_URL", slack.api_url()}, {"SLACK_APP_TOKEN", "xapp-1-wrong"},
                                   {"SLACK_BOT_TOKEN", bot_token}});
        CHECK(r.exit_code != 0);
        CHECK(r.err.find("invalid_auth") != std::string::npos);
        CHECK(r.err.find("xapp-1-wrong") == std::string::npos);
    }
    SUBCASE("tokens missing or of the wrong kind") {
        auto r = run_to_end(IB_BOT_BINARY, {"run", "--db", db},
                            {{"SLACK_API_URL", slack.api_url()}, {"SLACK_APP_TOKEN", ""}, {"SLACK_BOT_TOKEN", bot_token}});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("SLACK_APP_TOKEN") != std::string::npos);
        r = run_to_end(IB_BOT_BINARY, {"run", "--db", db},
                       {{"SLACK_API_URL", slack.api_url()}, {"SLACK_APP_TOKEN", bot_token}, {"SLACK_BOT_TOKEN", bot_token}});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("xoxb-sim-test") == std::string::npos);
    }
    SUBCASE("a bad flag") {
        const auto r = run_to_end(IB_BOT_BINARY, {"run", "--dbb", db});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("--dbb") != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        for (const char* bad : {"0", "-5", "many", "2000000"}) {
            const auto m = run_to_end(IB_BOT_BINARY, {"run", "--db", db, "--max-pending", bad});
            CHECK(m.exit_code == 2);
            CHECK(m.err.find("--max-pending") != std::string::npos);
            CHECK(std::count(m.err.begin(), m.err.end(), '\n') == 1);
        }
    }
    CHECK(std::chrono::steady_clock::now() - started < 15s);
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db + suffix);
}

TEST_CASE("over TLS: the simulator's certificate is trusted through SSL_CERT_FILE, and only then") {
    ib::sim::simulator_options o;
    o.tls_cert_file = std::string(IB_CERTS_DIR) + "/server.pem";
    o.tls_key_file = std::string(IB_CERTS_DIR) + "/server.key";
    e2e t(o);
    REQUIRE(t.slack.api_url().starts_with("https://"));

    SUBCASE("trusted: the whole flow works over https:// and wss://") {
        t.start_bot({}, {{"SSL_CERT_FILE", std::string(IB_CERTS_DIR) + "/ca.pem"}});
        const std::string ch = t.declare("TLS test sev4", "TLS test");
        t.slack.post_message(ch, bob, "over TLS");
        REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 10s));
    }
    SUBCASE("untrusted: refused with the reason, non-zero exit") {
        const auto r = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db},
                                  {{"SLACK_API_URL", t.slack.api_url()}, {"SLACK_APP_TOKEN", app_token},
                                   {"SLACK_BOT_TOKEN", bot_token}, {"SSL_CERT_FILE", std::string(IB_CERTS_DIR) + "/other-ca.pem"}},
                                  60s);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("certificate verify failed") != std::string::npos);
    }
}

}  // TEST_SUITE
