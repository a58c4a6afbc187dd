// End to end, issue 17: a late joiner's catch-up (chat.postEphemeral, once, never to a bot),
// `/incident catchup`, hypothesis fates from ✅/❌ reactions, the fates in the summary, and the
// coordination section in the review draft and the JSON export.
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::entries;
using ib::test::run_to_end;

TEST_SUITE("coordination") {

TEST_CASE("a late joiner is caught up once; reactions set a hypothesis's fate; the review has coordination") {
    bot_fixture t;
    const std::string dave = "U0DAVE", robot = "U0ROBOT";
    t.slack.set_user_name(dave, "dave");
    t.slack.add_bot_user(robot, "deploy-bot");
    t.start_bot({"--catchup-after", "3s"});
    const auto declared = std::chrono::steady_clock::now();
    const std::string ch = t.declare("Checkout errors sev2", "Checkout errors");

    // bob joins early (before 3 s): no catch-up for him.
    t.slack.join(ch, bot_fixture::bob, bot_fixture::alice);
    CHECK(t.command(ch, bot_fixture::alice, "commander <@" + bot_fixture::bob + ">").find("commander") !=
          std::string::npos);
    const std::string hypothesis =
        t.slack.post_message(ch, bot_fixture::bob, "looks like the payment gateway is timing out");
    CHECK(t.command(ch, bot_fixture::alice, "statuspage Investigating elevated checkout errors") ==
          "Status-page update recorded.");

    // Fates: ✅ confirmed, then ❌ (the later one) ruled out, then the ❌ removed: confirmed again.
    t.slack.react(ch, bot_fixture::carol, "white_check_mark", hypothesis);
    t.slack.react(ch, bot_fixture::bob, "x", hypothesis);
    t.slack.react(ch, bot_fixture::bob, "x", hypothesis, false);
    REQUIRE(t.slack.wait_for(
        [&] {
            const auto x = t.export_json();
            return entries(x, "reaction").size() == 2 && entries(x, "unreaction").size() == 1;
        },
        10s));

    // dave joins after 3 s: a catch-up only he sees, naming the commander, the last status-page
    // update and the hypothesis with its fate. Leaving and joining again gives no second one.
    std::this_thread::sleep_until(declared + 3500ms);
    t.slack.join(ch, dave, bot_fixture::alice);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return !t.slack.ephemeral_messages(ch, dave).empty(); }, 10s),
                    "no catch-up for dave; log:\n" << t.all_logs());
    const json catchup = t.slack.ephemeral_messages(ch, dave).front();
    const std::string text = catchup.value("text", "");
    CAPTURE(text);
    CHECK(text.find("*Commander:* <@" + bot_fixture::bob + ">") != std::string::npos);
    CHECK(text.find("Investigating elevated checkout errors") != std::string::npos);
    CHECK(text.find(":white_check_mark: confirmed: looks like the payment gateway is timing out") != std::string::npos);
    REQUIRE(catchup["blocks"].is_array());
    CHECK(catchup["blocks"].size() <= 50);
    CHECK(t.slack.ephemeral_messages(ch, bot_fixture::bob).empty());  // joined early
    CHECK(t.slack.ephemeral_messages(ch, bot_fixture::alice).empty());  // the declarer

    t.slack.leave(ch, dave);
    t.slack.join(ch, dave, bot_fixture::alice);
    // A bot joining late gets none.
    t.slack.join(ch, robot, bot_fixture::alice);
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "join").size() >= 5; }, 10s));
    REQUIRE(t.slack.wait_for([&] { return t.count_log_lines({"no catch-up for " + robot}) == 1; }, 10s));
    CHECK(t.slack.ephemeral_messages(ch, dave).size() == 1);
    CHECK(t.slack.ephemeral_messages(ch, robot).empty());

    // On demand: `/incident catchup` answers the one who asks.
    CHECK(t.command(ch, bot_fixture::carol, "catchup").find("*Catching up on incident #") != std::string::npos);

    CHECK(t.command(ch, bot_fixture::bob, "resolve rolled back").find("Resolved") != std::string::npos);
    // The summary lists the fate.
    REQUIRE(t.slack.wait_for(
        [&] {
            for (const auto& p : t.slack.posted_messages(ch))
                if (p.value("text", "").find("*Hypotheses (1):*") != std::string::npos) return true;
            return false;
        },
        10s));
    std::string summary;
    for (const auto& p : t.slack.posted_messages(ch))
        if (p.value("text", "").find("*Hypotheses (1):*") != std::string::npos) summary = p["text"];
    CHECK(summary.find("• :white_check_mark: confirmed: looks like the payment gateway is timing out (<@" +
                       bot_fixture::bob + ">") != std::string::npos);
    CHECK(summary.find("*Coordination:*") != std::string::npos);

    // The timeline records the one catch-up given, dave's: none for his second join, none for the
    // bot (claimed only once users.info said it was not one; issue 17).
    const json x = t.export_json();
    const auto given = entries(x, "catchup");
    REQUIRE(given.size() == 1);
    CHECK(given[0]["attrs"]["for"] == dave);
    // JSON: the fate and its changes, and the rest of the section.
    const auto& c = x["coordination"];
    REQUIRE(c["hypotheses"]["list"].size() == 1);
    const auto& h = c["hypotheses"]["list"][0];
    CHECK(h["fate"] == "confirmed");
    REQUIRE(h["changes"].size() == 3);
    CHECK(h["changes"][0]["fate"] == "confirmed");
    CHECK(h["changes"][0]["by"] == bot_fixture::carol);
    CHECK(h["changes"][1]["fate"] == "ruled out");
    CHECK(h["changes"][2]["fate"] == "confirmed");
    CHECK(c["hypotheses"]["confirmed"] == 1);
    bool dave_pulled_in = false;
    for (const auto& j : c["joins"]) dave_pulled_in = dave_pulled_in || j["user"] == dave;
    CHECK(dave_pulled_in);
    CHECK(c.contains("handoffs"));
    CHECK(c.contains("commander_demand"));
    CHECK(c.contains("threads"));
    CHECK(c.contains("quiet_stretches"));
    CHECK(c["acted_on"].size() == 1);

    // The review draft has the section in full.
    const auto md = run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", "md"});
    REQUIRE(md.exit_code == 0);
    CHECK(md.out.find("## Coordination") != std::string::npos);
    CHECK(md.out.find("- **confirmed**: looks like the payment gateway is timing out") != std::string::npos);
}

TEST_CASE("--catchup-after off sends none; a bad value is refused in one line") {
    bot_fixture t;
    t.start_bot({"--catchup-after", "off"});
    const std::string ch = t.declare("Search slow sev3", "Search slow");
    std::this_thread::sleep_for(1500ms);
    t.slack.join(ch, bot_fixture::bob, bot_fixture::alice);
    REQUIRE(t.slack.wait_for([&] { return entries(t.export_json(), "join").size() >= 2; }, 10s));
    std::this_thread::sleep_for(500ms);
    CHECK(t.slack.ephemeral_messages(ch, bot_fixture::bob).empty());
    CHECK(entries(t.export_json(), "catchup").empty());

    const auto bad = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db + "-x", "--catchup-after", "soon"}, t.env());
    CHECK(bad.exit_code != 0);
    CHECK(bad.err.find("catchup-after") != std::string::npos);
}

}  // TEST_SUITE
