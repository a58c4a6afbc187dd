#include "bot/app/demo.hpp"

#include "bot/app/bot_app.hpp"
#include "bot/log.hpp"
#include "sim/slack_simulator.hpp"
#include "core/commands.hpp"
#include "core/export.hpp"
#include "core/summary.hpp"
#include "core/text.hpp"
#include "storage/store.hpp"

#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace ib::bot {
namespace {

using namespace std::chrono_literals;

const std::string alice = "U0ALICE";  // on call, declares; later comms lead
const std::string bob = "U0BOB";      // acknowledges, incident commander
const std::string cathy = "U0CATHY";  // finds the process
const std::string dan = "U0DAN";      // joins late and is brought up to speed

struct story {
    sim::slack_simulator& slack;
    std::string channel;

    // A slash command, waiting for the bot's answer in the ack.
    std::string command(const std::string& in_channel, const std::string& user, const std::string& text) {
        const auto id = slack.slash_command(in_channel, user, text);
        const auto a = slack.wait_ack(id, 10s);
        if (!a) throw std::runtime_error("the bot did not answer '/incident " + text + "'");
        std::this_thread::sleep_for(150ms);
        return a->payload ? a->payload->value("text", std::string()) : std::string();
    }
    std::string say(const std::string& user, const std::string& text) {
        const auto ts = slack.post_message(channel, user, text);
        std::this_thread::sleep_for(150ms);
        return ts;
    }
};

std::string temp_db() {
    std::string path = (std::filesystem::temp_directory_path() / "incident-bot-demo-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary database file");
    ::close(fd);
    std::filesystem::remove(path);  // the store creates it
    return path + ".db";
}

}  // namespace

int run_demo(const demo_options& opts, std::ostream& out) {
    if (opts.quiet) set_log_level(log_level::error);
    sim::slack_simulator slack;
    slack.start();
    slack.set_user_name(alice, "alice");
    slack.set_user_name(bob, "bob");
    slack.set_user_name(cathy, "cathy");
    slack.set_user_name(dan, "dan");
    const std::string general = slack.create_channel("general", alice);

    const std::string db = opts.db_path.empty() ? temp_db() : opts.db_path;
    app_config cfg;
    cfg.db_path = db;
    cfg.api_url = slack.api_url();
    cfg.app_token = "xapp-1-A0SIM-1-test";
    cfg.bot_token = "xoxb-sim-test";
    cfg.handle_signals = false;
    cfg.catchup = catchup_setting{std::chrono::seconds{1}};  // a demo minute is short: late after 1 s
    app bot(cfg);
    int bot_code = -1;
    std::thread runner([&] { bot_code = bot.run(); });

    int code = 0;
    try {
        if (!slack.wait_connected(10s)) throw std::runtime_error("the bot did not connect to the simulator");
        out << "incident-bot demo: a simulated Slack workspace with alice, bob, cathy and dan\n\n";

        story s{slack, {}};
        out << "alice in #general> /incident start Login page down sev2\n";
        out << "  bot (only alice sees)> " << s.command(general, alice, "start Login page down sev2") << "\n";
        const auto name = channel_name_for("Login page down", std::chrono::floor<std::chrono::days>(
                                                                  std::chrono::system_clock::now()));
        const auto ch = slack.channel_by_name(name);
        if (!ch) throw std::runtime_error("the incident channel #" + name + " was not created");
        s.channel = ch->id;
        slack.wait_for([&] { return slack.channel_by_id(s.channel)->members.count(alice) > 0; }, 5s);

        slack.join(s.channel, bob, alice);
        s.say(alice, "customers are reporting they can't log in, the login page times out");
        s.command(s.channel, bob, "ack");
        s.command(s.channel, bob, "commander <@" + bob + ">");
        slack.join(s.channel, cathy, bob);
        const auto overloaded = s.say(bob, "I think the web tier is overloaded, looks like requests are queueing");
        s.say(cathy, "cathy#: top");
        s.say(cathy, "there's a service running I'm not familiar with and it's taking 92% of the CPU");
        const auto unknown = s.say(cathy, "maybe that unknown service is what's eating the CPU");
        slack.react(s.channel, cathy, "x", overloaded);  // ruled out
        slack.react(s.channel, bob, "white_check_mark", unknown);  // confirmed
        s.command(s.channel, alice, "comms <@" + alice + ">");
        s.command(s.channel, alice, "statuspage Investigating: some users cannot log in");
        s.command(s.channel, bob, "status identified unknown process eating the CPU on the web hosts");

        // dan joins late: the bot brings him up to speed, and only he sees it.
        std::this_thread::sleep_for(1s);
        slack.join(s.channel, dan, bob);
        if (!slack.wait_for([&] { return !slack.ephemeral_messages(s.channel, dan).empty(); }, 10s))
            throw std::runtime_error("the bot did not send dan a catch-up");
        out << "dan joins late; the bot (only dan sees)>\n"
            << slack.ephemeral_messages(s.channel, dan).front().value("text", std::string()) << "\n\n";
        const auto killed = s.say(cathy, "I found an unknown service running on the host and I killed it");
        slack.react(s.channel, bob, "pushpin", killed);
        s.say(cathy, "gracefully stopped and started the web services and archived a few logs");
        s.command(s.channel, bob, "status monitoring login page loads again");
        s.say(alice, "received 50 support requests and people are still talking about us on Twitter");
        s.command(s.channel, alice, "statuspage Resolved: login is working normally again");
        s.command(s.channel, bob, "action Find out what started the unknown service <@" + cathy + ">");
        s.command(s.channel, bob, "resolve login restored, no errors for 10 minutes");

        // The summary and the review prompt follow the resolve.
        if (!slack.wait_for([&] { return slack.posted_messages(s.channel).size() >= 12; }, 10s))
            throw std::runtime_error("the bot did not post the summary");
    } catch (const std::exception& e) {
        out << "demo failed: " << e.what() << "\n";
        code = 1;
    }
    bot.request_stop();
    runner.join();
    slack.stop();
    if (code != 0) return code;
    if (bot_code != 0) {
        out << "demo failed: the bot exited with " << bot_code << "\n";
        return 1;
    }

    // What the bot recorded, read back from its database.
    storage::store st(db, storage::open_options{.read_only = true});
    const auto inc = st.latest_incident();
    if (!inc) {
        out << "demo failed: no incident was recorded\n";
        return 1;
    }
    incident_record record{*inc, history_of(st.timeline(inc->id)), {}};
    record.names = st.names_of(users_referenced(record.inc, record.timeline));
    out << "\n=== Timeline (" << record.timeline.size() << " entries, as stored) ===\n";
    for (const auto& e : record.timeline) {
        std::string tags;
        for (const auto& t : e.tags) tags += (tags.empty() ? "" : ",") + std::string(to_string(t.tag));
        // As it reads, for a terminal: no control characters, people by name.
        const std::string text = clip(slack_to_readable(e.text, record.names), 90, unlimited,
                                      {text_escape::printable, true});
        out << to_iso8601(e.at).substr(11, 8) << "  " << (e.user.empty() ? "-" : user_label(e.user, record.names))
            << "  "
            << to_string(e.kind) << (tags.empty() ? "" : " [" + tags + "]") << "  " << text << "\n";
    }
    const auto summary = summarize(record);
    out << "\n=== Summary (posted in #" << inc->channel_name << ") ===\n" << render_summary_text(summary) << "\n";
    const auto md = export_markdown(record);
    const auto from = md.find("## Coordination"), to = md.find("## Open questions");
    if (from != std::string::npos && to != std::string::npos)
        out << "\n=== Coordination (from the review draft) ===\n" << md.substr(from, to - from);
    out << "\n=== Review prompt ===\n" << render_review_text(make_review_prompt(record, std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()))) << "\n";
    out << "\nDatabase: " << db << "\nExport it: incident-bot export --db " << db
        << " --incident latest --format md\n";
    return 0;
}

}  // namespace ib::bot
