// End to end, reliability (issue 12): one run per database; an ack means stored for commands and
// clicks, across a SIGKILL right after the ack; failing commits stop the bot reading, keep memory
// equal to the database, and end it after the deadline; an unexpected exception ends it; a
// reopened incident gets reminders after a restart; a peer that never says hello, or says it
// twice, cannot hold the bot. The fault-injection cases run the test build of the binary
// (incident-bot-faults, tests/CMakeLists.txt): the product binary has no hooks.
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::entries;
using ib::test::run_to_end;
using ib::test::temp_path;
using clk = std::chrono::steady_clock;

namespace {

const std::string& alice = bot_fixture::alice;
const std::string& bob = bot_fixture::bob;

// The faults a test build of the bot reads (bot/app/fault_injection.hpp), one per line.
struct fault_file {
    std::string path = temp_path("ib-faults");
    ~fault_file() { std::filesystem::remove(path); }
    void arm(const std::string& faults) const { std::ofstream(path) << faults << '\n'; }
    void clear() const { std::ofstream(path).flush(); }
};

// Posts in `channel` whose text contains `needle`.
std::size_t posts_with(const bot_fixture& t, const std::string& channel, const std::string& needle) {
    std::size_t n = 0;
    for (const auto& p : t.slack.posted_messages(channel))
        if (p.value("text", "").find(needle) != std::string::npos) ++n;
    return n;
}

// chat.postMessage calls to `user` (direct messages).
std::vector<std::string> direct_messages(const bot_fixture& t, const std::string& user) {
    std::vector<std::string> out;
    for (const auto& c : t.slack.calls("chat.postMessage"))
        if (c.http_status == 200 && c.args.value("channel", "") == user) out.push_back(c.args.value("text", ""));
    return out;
}

// "Post update" clicked on a reminder in `channel` by `user`.
json post_update_click(const bot_fixture& t, const std::string& channel, const std::string& user,
                       const std::string& draft) {
    return {{"type", "interactive"},
            {"accepts_response_payload", false},
            {"payload",
             {{"type", "block_actions"},
              {"api_app_id", t.slack.app_id()},  // as Slack sends it: our app, our workspace
              {"team", {{"id", t.slack.team_id()}}},
              {"user", {{"id", user}}},
              {"channel", {{"id", channel}}},
              {"container", {{"type", "message"}, {"channel_id", channel}}},
              {"trigger_id", "t1"},
              {"actions", {{{"action_id", "statuspage_post"}, {"value", draft}, {"block_id", "b"}}}}}}};
}

// The ephemeral text of the ack of `envelope_id` (REQUIREs one within `timeout`).
std::string ack_text(const bot_fixture& t, const std::string& envelope_id, std::chrono::milliseconds timeout = 10s) {
    const auto a = t.slack.wait_ack(envelope_id, timeout);
    REQUIRE_MESSAGE(a, "no ack; log:\n" << t.all_logs());
    return a->payload ? a->payload->value("text", std::string()) : std::string();
}

long long ms_since(clk::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clk::now() - t).count();
}

}  // namespace

TEST_SUITE("reliability") {

TEST_CASE("a second run on the same database is refused at once, naming the pid; export and stats still work") {
    bot_fixture t;
    t.start_bot();
    t.declare("Lock test sev3", "Lock test");

    const auto started = clk::now();
    const auto second = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db}, t.env(), 10s);
    CHECK(ms_since(started) < 3000);
    CHECK(second.exit_code == 75);
    CHECK(second.err == "incident-bot: " + t.db + ": in use by another incident-bot run (pid " +
                            std::to_string(t.bot->pid()) + "); one run per database file\n");
    CHECK(t.slack.open_connections() == 1);  // the second never connected

    // The read-only commands open the file while the bot runs.
    CHECK(t.export_json()["incident"]["title"] == "Lock test");
    CHECK(run_to_end(IB_BOT_BINARY, {"stats", "--db", t.db}).exit_code == 0);

    // A bot killed with SIGKILL leaves no stale lock: the next run starts.
    t.kill_bot();
    t.start_bot();
    CHECK(t.command(t.general, alice, "list").find("Lock test") != std::string::npos);
}

TEST_CASE("a slow command, SIGKILL right after its holding ack: applied once after the restart, posted once") {
    bot_fixture t;
    t.start_bot();
    // conversations.create is rate limited for 5 s: the declaration cannot finish within the 3 s.
    t.slack.fail_next("conversations.create", 429, 5);
    const auto id = t.slack.slash_command(t.general, alice, "start Slow declare sev2");
    CHECK(ack_text(t, id) == ":hourglass_flowing_sand: Working on it; I'll message you when it's done.");
    t.kill_bot();  // right after the ack: the channel is not created yet
    REQUIRE_FALSE(t.slack.channel_by_name(ib::test::today_channel("Slow declare")));

    t.start_bot();
    const std::string name = ib::test::today_channel("Slow declare");
    REQUIRE_MESSAGE(t.slack.wait_for([&] {
        const auto ch = t.slack.channel_by_name(name);
        return ch && posts_with(t, ch->id, "declared") > 0;
    }, 15s), t.all_logs());
    const auto ch = t.slack.channel_by_name(name);
    // Once: one channel (no -2), one incident, one announcement; the answer came by direct message.
    CHECK_FALSE(t.slack.channel_by_name(name + "-2"));
    CHECK(t.slack.calls("conversations.create").size() == 2);  // the 429, then the resumed flow's
    const json x = t.export_json();
    CHECK(x["incident"]["channel_id"] == ch->id);
    CHECK(x["incident"]["id"] == 1);
    CHECK(entries(x, "declare").size() == 1);
    std::this_thread::sleep_for(500ms);
    CHECK(posts_with(t, ch->id, "declared") == 1);
    const auto dms = direct_messages(t, alice);
    REQUIRE(dms.size() == 1);
    CHECK(dms[0].find("Incident declared") != std::string::npos);
    CHECK(t.count_log_lines({"resuming 1 flow(s) a restart interrupted"}) == 1);
}

TEST_CASE("a button click, SIGKILL right after its ack: applied once after the restart, announced at most once") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Click test sev2", "Click test");
    // The announcement will wait out a rate limit: the kill lands while it is in doubt.
    t.slack.fail_next("chat.postMessage", 429, 5);
    const auto id = t.slack.send_envelope(post_update_click(t, ch, bob, "We are investigating checkout errors."));
    REQUIRE_MESSAGE(t.slack.wait_ack(id, 10s), t.all_logs());  // acked only once the change is durable…
    t.kill_bot();
    // …so it is on the timeline, stored by the run that acked it.
    CHECK(entries(t.export_json(), "statuspage").size() == 1);

    t.start_bot();
    std::this_thread::sleep_for(2500ms);
    const json x = t.export_json();
    const auto updates = entries(x, "statuspage");
    REQUIRE(updates.size() == 1);
    CHECK(updates[0]["text"] == "We are investigating checkout errors.");
    CHECK(updates[0]["user"] == bob);
    CHECK(posts_with(t, ch, "Status page updated") <= 1);
    // The restarted bot knows the update: `/incident list` and a new click both see it.
    t.slack.send_envelope(post_update_click(t, ch, bob, "Fixed."));
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "statuspage").size() == 2; }, 10s));
}

TEST_CASE("failing commits: no acks, reading stops; once they work memory equals the database") {
    fault_file faults;
    bot_fixture t;
    t.binary = IB_FAULTS_BINARY;
    t.start_bot({}, {{"IB_FAULTS_FILE", faults.path}});
    const std::string ch = t.declare("Disk full test sev3", "Disk full test");

    faults.arm("commit");
    const auto sev = t.slack.slash_command(ch, alice, "sev 1");
    t.slack.post_message(ch, bob, "is the disk full?");
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.count_log_lines({"not reading from Slack"}) == 1; }, 10s),
                    t.all_logs());
    std::this_thread::sleep_for(3s);
    CHECK_FALSE(t.slack.wait_ack(sev, 10ms));  // not even the holding message: nothing is durable
    CHECK(entries(t.export_json(), "message").empty());

    faults.clear();  // space freed: the retried commit works, the answer goes out late in the ack
    CHECK(ack_text(t, sev, 20s) == "Severity set to sev1.");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 10s));
    CHECK(t.count_log_lines({"commits work again"}) == 1);

    // A write that fails on its own (the change, not the commit): refused, and nothing of it is
    // held in memory either.
    faults.arm("write");
    CHECK(t.command(ch, alice, "status identified found it") == ":x: I couldn't save that, please try again.");
    faults.clear();
    const json x = t.export_json();
    CHECK(x["incident"]["severity"] == "sev1");
    CHECK(x["incident"]["status"] == "investigating");
    const std::string listed = t.command(t.general, alice, "list");  // what the bot holds in memory
    CHECK(listed.find("sev1") != std::string::npos);
    CHECK(listed.find("investigating") != std::string::npos);
    CHECK(t.command(ch, alice, "status identified found it").find("identified") != std::string::npos);
    CHECK(t.export_json()["incident"]["status"] == "identified");
}

TEST_CASE("commits failing past the deadline: the bot exits 74 with one line; the next run catches up") {
    fault_file faults;
    bot_fixture t;
    t.binary = IB_FAULTS_BINARY;
    t.start_bot({}, {{"IB_FAULTS_FILE", faults.path}, {"IB_FAULT_COMMIT_DEADLINE", "2s"}});
    const std::string ch = t.declare("Deadline test sev3", "Deadline test");
    faults.arm("commit");
    t.slack.post_message(ch, bob, "written while the disk was full");
    const auto code = t.bot->wait(20s);
    REQUIRE_MESSAGE(code, t.all_logs());
    CHECK(*code == 74);
    CHECK(t.count_log_lines({"error storage: commits have failed for ", "exiting so a supervisor can restart the bot"}) == 1);
    CHECK(t.count_log_lines({"stopped;"}) == 0);  // the one line is the last word

    // Restarted with space again: Slack gave up on the event that was never acked; the catch-up
    // reads it from the channel's history.
    faults.clear();
    t.start_bot({}, {{"IB_FAULTS_FILE", faults.path}});
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 1; }, 15s));
}

TEST_CASE("an unexpected exception in the main task: one line and exit 70, not a live process doing nothing") {
    fault_file faults;
    bot_fixture t;
    t.binary = IB_FAULTS_BINARY;
    t.start_bot({}, {{"IB_FAULTS_FILE", faults.path}});
    faults.arm("frame");
    t.slack.send_event({{"type", "message"}, {"channel", t.general}, {"user", bob}, {"text", "boom"}, {"ts", "1.000001"}});
    const auto code = t.bot->wait(10s);
    REQUIRE_MESSAGE(code, "the bot kept running after the exception; log:\n" << t.all_logs());
    CHECK(*code == 70);
    CHECK(t.count_log_lines({"error bot: internal error in the main task: frame: injected fault; exiting (code 70)"}) ==
          1);
}

// Issue 15, leases: on SQLite one run holds the file, so a crash right after a resolve commits
// (the fault build's "resolved") costs no lease: the next run posts the summary and the review
// prompt at once, not --claim-lease (60 s by default) after its start. Under 1 s.
TEST_CASE("a crash right after a resolve on SQLite: the restart posts the summary at once, once") {
    fault_file faults;
    bot_fixture t;
    t.binary = IB_FAULTS_BINARY;
    t.start_bot({}, {{"IB_FAULTS_FILE", faults.path}});
    const std::string ch = t.declare("Crash after resolve sev2", "Crash after resolve");
    faults.arm("resolved");
    t.slack.slash_command(ch, alice, "resolve fixed");
    REQUIRE_MESSAGE(t.bot->wait(15s) == 70, t.all_logs());
    CHECK(posts_with(t, ch, "Post-incident review") == 0);

    t.binary = IB_BOT_BINARY;
    t.start_bot();
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return posts_with(t, ch, "Post-incident review") >= 1; }, 10s), t.all_logs());
    std::this_thread::sleep_for(500ms);
    CHECK(posts_with(t, ch, "Incident #1 resolved:") == 1);
    CHECK(posts_with(t, ch, "Post-incident review") == 1);
}

TEST_CASE("a reopened incident gets reminders again after a restart") {
    bot_fixture t;
    t.start_bot({"--status-reminder", "3s"});
    const std::string ch = t.declare("Reopen test sev2", "Reopen test");
    t.command(ch, alice, "resolve");
    REQUIRE(t.slack.wait_for([&] { return posts_with(t, ch, "Post-incident review") == 1; }, 10s));
    REQUIRE(t.stop_bot(SIGTERM) == 0);

    t.start_bot({"--status-reminder", "3s"});
    const auto before = posts_with(t, ch, "status-page update");
    t.command(ch, alice, "reopen the errors are back");
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return posts_with(t, ch, "status-page update") > before; }, 8s),
                    "no reminder after the reopen; log:\n" << t.all_logs());
}

TEST_CASE("a peer that accepts the WebSocket and never says hello: a new connection within seconds of 10 s") {
    bot_fixture t;
    t.slack.set_hello_withheld(true);
    t.start_bot({}, {}, false);
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() >= 1; }, 10s));
    const auto stuck_at = clk::now();
    t.slack.set_hello_withheld(false);  // the next connection is a healthy one
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() > 0; }, 20s), t.all_logs());
    const auto waited = ms_since(stuck_at);
    CHECK(waited >= 9000);
    CHECK(waited <= 14000);
    CHECK(t.count_log_lines({"connection failed before hello: Slack sent no hello within 10.0s; retrying in "}) == 1);
    t.declare("After hello sev3", "After hello");  // and it works
}

TEST_CASE("a second hello on a live connection does not stall the reader") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Hello twice sev3", "Hello twice");
    t.slack.send_raw(R"({"type":"hello","num_connections":1,"debug_info":{"host":"sim"},"connection_info":{"app_id":"A0SIM0001"}})");
    for (int i = 0; i < 5; ++i) t.slack.post_message(ch, bob, "after the second hello #" + std::to_string(i));
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return entries(t.export_json(), "message").size() == 5; }, 5s),
                    t.all_logs());
    CHECK(t.slack.connections_opened() == 1);
}

}  // TEST_SUITE reliability
