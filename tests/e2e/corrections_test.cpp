// End to end, corrections (issue 16): a person corrects a message's tags with the "Correct tags"
// message shortcut; the modal opens with the tags it has, the submission is recorded as a
// correction, the export shows the corrected tags, and `incident-bot retag` keeps them.
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::entries;

namespace {

// The message entry with Slack ts `ts` in an export, or null.
json message_entry(const json& exported, const std::string& ts) {
    for (const auto& e : entries(exported, "message"))
        if (e.value("slack_ts", "") == ts) return e;
    return nullptr;
}

// The values of the checkboxes checked in a modal as views.open returned it.
std::vector<std::string> initially_checked(const json& view) {
    std::vector<std::string> out;
    for (const auto& b : view["blocks"])
        if (b.value("block_id", "") == "tags" && b["element"].contains("initial_options"))
            for (const auto& o : b["element"]["initial_options"]) out.push_back(o["value"]);
    return out;
}

// view.state.values with `tags` checked, as Slack sends it for the modal's checkboxes.
json checked(const std::vector<std::string>& tags) {
    json selected = json::array();
    for (const auto& t : tags) selected.push_back({{"text", {{"type", "mrkdwn"}, {"text", "*" + t + "*"}}}, {"value", t}});
    return {{"tags", {{"tags", {{"type", "checkboxes"}, {"selected_options", selected}}}}}};
}

}  // namespace

TEST_SUITE("corrections") {

TEST_CASE("corrects a tag through the shortcut and finds the corrected tag in the export") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Checkout errors sev2", "Checkout errors");
    const std::string ts = t.slack.type_message(ch, bot_fixture::bob, "I think the cache is stale again");
    REQUIRE(t.slack.wait_for([&] { return !message_entry(t.export_json(), ts).is_null(); }, 10s));
    const json before = message_entry(t.export_json(), ts);
    std::vector<std::string> tagged = before["tags"];
    REQUIRE(std::find(tagged.begin(), tagged.end(), "hypothesis") != tagged.end());

    // Carol uses the shortcut on Bob's message: acked, and the modal opens with its tags checked.
    const std::string shortcut = t.slack.message_shortcut(ch, bot_fixture::carol, ts, "correct_tags");
    const auto acked = t.slack.wait_ack(shortcut, 5s);
    REQUIRE(acked);
    CHECK_FALSE(acked->late);
    REQUIRE(t.slack.wait_for([&] { return t.slack.views().size() == 1; }, 5s));
    const auto view = t.slack.views().front();
    CHECK(view.user == bot_fixture::carol);
    CHECK(view.view["callback_id"] == "correct_tags");
    CHECK(initially_checked(view.view) == tagged);
    CHECK(view.view["blocks"][0]["text"]["text"].get<std::string>().find("I think the cache is stale again") !=
          std::string::npos);

    // She says it was an action and a status update, not a hypothesis: the modal closes.
    const std::string submitted = t.slack.submit_view(view.id, checked({"action", "status"}));
    const auto closed = t.slack.wait_ack(submitted, 5s);
    REQUIRE(closed);
    CHECK_FALSE(closed->late);
    CHECK((!closed->payload || !closed->payload->contains("response_action")));

    // The export: the message with the corrected tags and why, and the correction entry.
    const json exported = t.export_json();
    const json m = message_entry(exported, ts);
    CHECK(m["tags"] == json({"action", "status"}));
    CHECK(m["tag_rules"]["action"].get<std::string>().find("correction:" + bot_fixture::carol) != std::string::npos);
    CHECK(m["text"] == "I think the cache is stale again");
    const auto corrections = entries(exported, "correction");
    REQUIRE(corrections.size() == 1);
    CHECK(corrections[0]["user"] == bot_fixture::carol);
    CHECK(corrections[0]["ref_ts"] == ts);
    CHECK(corrections[0]["attrs"]["to"] == "action,status");
    CHECK(corrections[0]["attrs"]["from"].get<std::string>().find("hypothesis") != std::string::npos);

    // The CSV export reads the same tags.
    const auto csv = ib::test::run_to_end(IB_BOT_BINARY, {"export", "--db", t.db, "--incident", "latest", "--format", "csv"});
    REQUIRE(csv.exit_code == 0);
    CHECK(csv.out.find("action;status") != std::string::npos);

    // retag with the bot stopped: the corrected message keeps its corrected tags.
    REQUIRE(t.stop_bot(SIGTERM) == 0);
    const auto retag = ib::test::run_to_end(IB_BOT_BINARY, {"retag", "--db", t.db, "--incident", "all"});
    CHECK(retag.exit_code == 0);
    CHECK(retag.out.find("1 corrected message keeps its correction") != std::string::npos);
    CHECK(message_entry(t.export_json(), ts)["tags"] == json({"action", "status"}));

    // A mistake on the command line: one line, non-zero.
    const auto bad = ib::test::run_to_end(IB_BOT_BINARY, {"retag", "--db", t.db, "--incident", "nine"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err == "incident-bot: --incident must be a positive number or 'all', not 'nine'\n");
    const auto missing = ib::test::run_to_end(IB_BOT_BINARY, {"retag", "--db", t.db, "--incident", "99"});
    CHECK(missing.exit_code != 0);
    CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
}

TEST_CASE("the shortcut outside an incident channel, or on a message not recorded, says why and opens nothing") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Checkout errors sev2", "Checkout errors");

    // In #general, which has no incident.
    const std::string said = t.slack.type_message(t.general, bot_fixture::alice, "is checkout down?");
    const std::string there = t.slack.message_shortcut(t.general, bot_fixture::alice, said, "correct_tags");
    REQUIRE(t.slack.wait_ack(there, 5s));
    REQUIRE(t.slack.wait_for([&] { return !t.slack.ephemeral_messages(t.general, bot_fixture::alice).empty(); }, 5s));
    CHECK(t.slack.ephemeral_messages(t.general, bot_fixture::alice)[0]["text"].get<std::string>().find(
              "no incident") != std::string::npos);

    // On the bot's own announcement in the incident channel: a bot's message carries no tags.
    const auto posted = t.slack.posted_messages(ch);
    REQUIRE_FALSE(posted.empty());
    const std::string announcement = posted.front()["ts"];
    const std::string on_bot = t.slack.message_shortcut(ch, bot_fixture::alice, announcement, "correct_tags");
    REQUIRE(t.slack.wait_ack(on_bot, 5s));
    REQUIRE(t.slack.wait_for([&] { return !t.slack.ephemeral_messages(ch, bot_fixture::alice).empty(); }, 5s));
    CHECK(t.slack.ephemeral_messages(ch, bot_fixture::alice)[0]["text"].get<std::string>().find(
              "isn't on the incident's record") != std::string::npos);
    CHECK(t.slack.views().empty());
    CHECK(entries(t.export_json(), "correction").empty());
}

}  // TEST_SUITE
