// The security review's hardening, end to end: the real binary against the simulator over real
// sockets. Plain http:// refused, tokens kept out of CLI errors, envelopes for another app or
// workspace dropped, `/incident start` rate-limited, private incidents, responders, redaction.
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using namespace ib::test;

namespace {

std::size_t lines_of(const std::string& s) {
    std::size_t n = 0;
    for (const char c : s) n += c == '\n';
    return n;
}

// An events_api envelope carrying a user message in `channel`, sent to `app` in `team`.
json message_envelope(const std::string& channel, const std::string& user, const std::string& text,
                      const std::string& event_id, const std::string& team, const std::string& app) {
    const json event = {{"type", "message"}, {"channel", channel}, {"user", user},          {"text", text},
                        {"ts", "1790000000.000100"}, {"event_ts", "1790000000.000100"}, {"channel_type", "channel"}};
    return {{"type", "events_api"},
            {"accepts_response_payload", false},
            {"retry_attempt", 0},
            {"retry_reason", ""},
            {"payload",
             {{"type", "event_callback"}, {"event_id", event_id}, {"event_time", 1790000000}, {"team_id", team},
              {"api_app_id", app}, {"event", event}}}};
}

bool any_text_contains(const json& exported, const std::string& needle) {
    for (const auto& e : exported["timeline"])
        if (e["text"].get<std::string>().find(needle) != std::string::npos) return true;
    return false;
}

bool has_entry(const json& exported, const std::string& kind, const std::string& user) {
    for (const auto& e : entries(exported, kind))
        if (e["user"] == user) return true;
    return false;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_SUITE("hardening") {

TEST_CASE("a plain http:// SLACK_API_URL to another host is refused in one line, before any connection") {
    bot_fixture t;
    auto env = t.env();
    env["SLACK_API_URL"] = "http://slack.example.com/api/";
    const auto started = std::chrono::steady_clock::now();
    const auto r = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db}, env, 10s);
    CHECK(r.exit_code == 2);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(lines_of(r.err) == 1);
    CHECK(r.err.starts_with("incident-bot: SLACK_API_URL uses plain http://"));
    CHECK(r.err.find("https://") != std::string::npos);
    CHECK(t.slack.calls().empty());  // nothing was sent anywhere, not even to the simulator
    CHECK_FALSE(std::filesystem::exists(t.db));
}

TEST_CASE("Slack tokens never reach the command line's error messages, whatever their case or place") {
    bot_fixture t;
    const std::string secrets[] = {"xoxb-1234-5678-SeCrEt", "XOXP-99-LOUD-SECRET", "xoxe.xoxp-1-rotated-secret",
                                   "xapp-1-A0-1-appsecret"};
    for (const auto& secret : secrets) {
        CAPTURE(secret);
        // A token pasted where a path goes, inside a word: the error names the path.
        const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", "/nonexistent/backup" + secret + "/ib.db",
                                                  "--incident", "latest", "--format", "json"});
        CHECK(r.exit_code == 1);
        CHECK(lines_of(r.err) == 1);
        CHECK(r.err.find("-***") != std::string::npos);
        const std::string tail = secret.substr(secret.find('-', 5) + 1);
        CHECK(r.err.find(tail) == std::string::npos);
        // And as an unexpected argument.
        const auto u = run_to_end(IB_BOT_BINARY, {"stats", secret});
        CHECK(u.exit_code == 2);
        CHECK(u.err.find(tail) == std::string::npos);
    }
}

TEST_CASE("envelopes for another app or workspace are acked, dropped and logged") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Origin test sev2", "Origin test");

    // A message for another app, one from another workspace, and one without an app id.
    const auto foreign_app = t.slack.send_envelope(
        message_envelope(ch, bot_fixture::bob, "for another app", "Ev0OTHERAPP", t.slack.team_id(), "A0OTHERAPP"));
    const auto foreign_team = t.slack.send_envelope(
        message_envelope(ch, bot_fixture::bob, "from another workspace", "Ev0OTHERTEAM", "T0OTHER", t.slack.app_id()));
    auto no_app = message_envelope(ch, bot_fixture::bob, "from nowhere", "Ev0NOAPP", t.slack.team_id(), "");
    no_app["payload"].erase("api_app_id");
    const auto missing = t.slack.send_envelope(no_app);
    // A slash command from another workspace, typed in the incident channel.
    json command = {{"type", "slash_commands"},
                    {"accepts_response_payload", true},
                    {"payload",
                     {{"command", "/incident"}, {"text", "ack"}, {"user_id", bot_fixture::bob}, {"channel_id", ch},
                      {"team_id", "T0OTHER"}, {"api_app_id", t.slack.app_id()}}}};
    const auto foreign_command = t.slack.send_envelope(command);

    for (const auto& id : {foreign_app, foreign_team, missing, foreign_command}) {
        const auto a = t.slack.wait_ack(id, 10s);
        REQUIRE_MESSAGE(a, "not acked: " << id);
        CHECK_FALSE(a->payload);  // no answer to what is not ours
    }
    // The control: ours is stored, after the others.
    t.slack.post_message(ch, bot_fixture::bob, "our own message");
    REQUIRE(t.slack.wait_for([&] { return any_text_contains(t.export_json(), "our own message"); }, 10s));
    const json x = t.export_json();
    for (const char* text : {"for another app", "from another workspace", "from nowhere"})
        CHECK_FALSE(any_text_contains(x, text));
    CHECK(x["incident"]["acknowledged_at"].is_null());
    CHECK(t.count_log_lines({"warn ", "meant for another app or workspace: api_app_id A0OTHERAPP is not this app (" +
                                          t.slack.app_id() + ")"}) == 1);
    CHECK(t.count_log_lines({"warn ", "team_id T0OTHER is not this workspace"}) == 2);
    CHECK(t.count_log_lines({"warn ", "no api_app_id"}) == 1);
}

TEST_CASE("/incident start: at most 5 per person in 10 minutes, then a friendly reply") {
    bot_fixture t;
    t.start_bot();
    for (int i = 1; i <= 5; ++i) {
        const std::string title = "Rate test " + std::to_string(i);
        t.declare(title, title);
    }
    const std::string sixth = t.command(t.general, bot_fixture::alice, "start Rate test 6");
    CHECK(sixth.find("You have started 5 incidents in the last 10 minutes") != std::string::npos);
    CHECK(sixth.find("try again in 10 minutes") != std::string::npos);
    CHECK_FALSE(t.slack.channel_by_name(today_channel("Rate test 6")));
    CHECK(t.slack.calls("conversations.create").size() == 5);
    // Someone else is not held back.
    t.command(t.general, bot_fixture::bob, "start Rate test bob");
    CHECK(t.slack.channel_by_name(today_channel("Rate test bob")));
}

TEST_CASE("a private incident: a private channel, listed only for its members, marked in the export") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Payroll export leaked sev1 --private", "Payroll export leaked");
    const auto creates = t.slack.calls("conversations.create");
    REQUIRE(creates.size() == 1);
    CHECK(creates[0].args["is_private"] == true);
    const std::string open_ch = t.declare("Public outage", "Public outage");

    // The declarer sees both; someone not in the private channel sees only the public one.
    CHECK(t.command(t.general, bot_fixture::alice, "list").find("Payroll") != std::string::npos);
    std::string bobs = t.command(t.general, bot_fixture::bob, "list");
    CHECK(bobs.find("Payroll") == std::string::npos);
    CHECK(bobs.find(ch) == std::string::npos);
    CHECK(bobs.find("Public outage") != std::string::npos);

    // Bob is added to the channel: recorded, and now he sees it. Carol does not.
    t.slack.join(ch, bot_fixture::bob, bot_fixture::alice);
    REQUIRE(t.slack.wait_for([&] { return has_entry(t.export_json("1"), "join", bot_fixture::bob); }, 10s));
    CHECK(t.command(t.general, bot_fixture::bob, "list").find("Payroll") != std::string::npos);
    CHECK(t.command(t.general, bot_fixture::carol, "list").find("Payroll") == std::string::npos);

    // What is said there is recorded; the export says the incident is private.
    t.slack.post_message(ch, bot_fixture::bob, "the export bucket was public");
    REQUIRE(t.slack.wait_for([&] { return any_text_contains(t.export_json("1"), "bucket was public"); }, 10s));
    CHECK(t.export_json("1")["incident"]["private"] == true);
    CHECK(t.export_json("2")["incident"]["private"] == false);

    // After a restart the members come from the record: still Bob, still not Carol.
    t.stop_bot(SIGTERM);
    t.start_bot();
    CHECK(t.command(t.general, bot_fixture::bob, "list").find("Payroll") != std::string::npos);
    CHECK(t.command(t.general, bot_fixture::carol, "list").find("Payroll") == std::string::npos);
    t.slack.leave(ch, bot_fixture::bob);
    REQUIRE(t.slack.wait_for([&] { return has_entry(t.export_json("1"), "leave", bot_fixture::bob); }, 10s));
    CHECK(t.command(t.general, bot_fixture::bob, "list").find("Payroll") == std::string::npos);
    (void)open_ch;
}

TEST_CASE("the database files are private to the bot's user; redaction takes the old text out of them") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Redact test", "Redact test");
    const std::string secret = "s3cr3t-db-password-e2e";
    const std::string ts = t.slack.post_message(ch, bot_fixture::bob, "the password is " + secret);
    t.slack.edit_message(ch, ts, "the password is " + secret + " (oops)");
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "edit").size() == 1; }, 10s));
    for (const char* suffix : {"", "-wal", "-shm"}) {
        struct stat st {};
        REQUIRE(::stat((t.db + suffix).c_str(), &st) == 0);
        CHECK_MESSAGE((st.st_mode & 0777) == 0600, suffix);
    }

    // Redacted while the bot runs.
    const auto r = run_to_end(IB_BOT_BINARY, {"redact", "--db", t.db, "--incident", "1", "--ts", ts, "--reason",
                                              "pasted a password", "--by", "alice-ops"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("Redacted message " + ts) != std::string::npos);
    CHECK(r.out.find("Backups and exports made before now still hold the old text") != std::string::npos);
    const json x = t.export_json();
    CHECK(entries(x, "message").at(0)["text"] == "[redacted: pasted a password]");
    CHECK(entries(x, "edit").at(0)["text"] == "[redacted: pasted a password]");
    const auto red = entries(x, "redaction");
    REQUIRE(red.size() == 1);
    CHECK(red[0]["attrs"]["by"] == "alice-ops");
    CHECK(red[0]["ref_ts"] == ts);
    // Still recording afterwards; then, stopped, the files hold no trace of the old text.
    t.slack.post_message(ch, bot_fixture::bob, "rotated it");
    REQUIRE(t.slack.wait_for([&] { return any_text_contains(t.export_json(), "rotated it"); }, 10s));
    t.stop_bot(SIGTERM);
    CHECK(file_bytes(t.db).find(secret) == std::string::npos);
    CHECK(file_bytes(t.db + "-wal").find(secret) == std::string::npos);

    // Mistakes are one line each.
    const auto none = run_to_end(IB_BOT_BINARY, {"redact", "--db", t.db, "--incident", "1", "--ts", "1.000000",
                                                 "--reason", "x"});
    CHECK(none.exit_code == 1);
    CHECK(none.err == "incident-bot: incident 1 has no message with ts 1.000000 (the slack_ts of `export --format "
                      "json`)\n");
    CHECK(run_to_end(IB_BOT_BINARY, {"redact", "--db", t.db, "--incident", "1", "--ts", ts}).exit_code == 2);
}

}  // TEST_SUITE
