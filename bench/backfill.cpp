// How long incident-bot takes to catch up N messages said while it was down (issue 12).
//
//   build-bench/bench_backfill --incident-bot build-bench/incident-bot [--messages 10000]
//
// The simulator behaves like Slack: with no connection an event is dropped (no redelivery), so
// the messages exist only in the channel's history; conversations.history pages with cursor and
// is rate-limited to Tier 3 (50 calls a minute). Steps: start the bot, declare an incident, stop
// the bot (SIGTERM), post N messages, start it again; the figure is the time from the restart to
// the moment all N are in the database (read-only SQLite reads while the bot runs), and the
// bot's own "catch-up done in … ms" line.
#include "child_process.hpp"
#include "sim/slack_simulator.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

std::size_t stored_messages(const std::string& db) {
    try {
        SQLite::Database d(db, SQLite::OPEN_READONLY);
        return static_cast<std::size_t>(d.execAndGet("SELECT count(*) FROM timeline WHERE kind = 'message'").getInt64());
    } catch (const std::exception&) {
        return 0;  // not created yet, or busy: ask again
    }
}

std::string tail(const std::string& s) { return s.size() > 2000 ? s.substr(s.size() - 2000) : s; }

}  // namespace

int main(int argc, char** argv) {
    std::string bot;
    std::size_t n = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--incident-bot") bot = argv[i + 1];
        else if (a == "--messages") n = std::stoul(argv[i + 1]);
        else {
            std::cerr << "usage: bench_backfill --incident-bot PATH [--messages N]\n";
            return 2;
        }
    }
    if (bot.empty()) {
        std::cerr << "bench_backfill: --incident-bot PATH is required\n";
        return 2;
    }
    try {
        ib::sim::simulator_options o;
        o.when_disconnected = ib::sim::simulator_options::no_connection::retry;
        o.max_redeliveries = 0;
        ib::sim::slack_simulator sim(o);
        sim.start();
        const std::string db = "/tmp/bench-backfill-" + std::to_string(::getpid()) + ".db";
        std::remove(db.c_str());
        const std::map<std::string, std::string> env{{"SLACK_APP_TOKEN", o.app_token},
                                                     {"SLACK_BOT_TOKEN", o.bot_token},
                                                     {"SLACK_API_URL", sim.api_url()}};
        const std::vector<std::string> args{"run", "--db", db};

        // Up, an incident, down.
        std::string channel;
        {
            ib::bench::child_process p(bot, args, env);
            if (!sim.wait_connected(60s)) throw std::runtime_error("incident-bot never connected:\n" + tail(p.log()));
            const auto id = sim.slash_command("C0SIMGEN1", "U0BENCH01", "start Backfill bench sev2");
            if (!sim.wait_ack(id, 10s)) throw std::runtime_error("/incident start not acked");
            if (!sim.wait_for(
                    [&] {
                        const auto creates = sim.calls("conversations.create");
                        if (creates.empty()) return false;
                        const auto info = sim.channel_by_name(creates.back().args.value("name", std::string()));
                        if (info) channel = info->id;
                        return info && !sim.posted_messages(info->id).empty();
                    },
                    20s))
                throw std::runtime_error("no incident channel");
            p.signal(SIGTERM);
            if (p.wait(30s) != 0) throw std::runtime_error("incident-bot did not stop cleanly:\n" + tail(p.log()));
        }

        // Said while down: only history has it.
        std::vector<std::string> texts;
        texts.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            texts.push_back("update " + std::to_string(i) + ": error rate " + std::to_string(i % 97) + "%");
        sim.post_messages(channel, "U0BENCH02", texts);
        sim.expire_undelivered();
        const std::size_t before = stored_messages(db);
        const std::size_t history_calls_before = sim.calls("conversations.history").size();

        // Back: time until all n are stored.
        const auto start = steady::now();
        ib::bench::child_process p(bot, args, env);
        while (stored_messages(db) < before + n) {
            if (steady::now() - start > 30min) throw std::runtime_error("not caught up in 30 min:\n" + tail(p.log()));
            if (!p.running()) throw std::runtime_error("incident-bot exited:\n" + tail(p.log()));
            std::this_thread::sleep_for(20ms);
        }
        const auto elapsed = std::chrono::duration<double>(steady::now() - start).count();
        // The gap entry and the bot's last catch-up line (it may still be reading replies).
        std::smatch m;
        const std::regex done(R"(catch-up done in (\d+) ms)");
        std::string log = p.log();
        for (const auto until = steady::now() + 2min; !std::regex_search(log, m, done) && steady::now() < until;) {
            std::this_thread::sleep_for(50ms);
            log = p.log();
        }
        const std::string bot_ms = std::regex_search(log, m, done) ? m[1].str() + " ms" : "n/a";
        const auto calls = sim.calls("conversations.history").size() - history_calls_before;
        p.signal(SIGTERM);
        (void)p.wait(30s);
        std::remove(db.c_str());

        std::cout << "backfill: " << n << " messages missed while down, caught up in " << elapsed
                  << " s from the restart (" << static_cast<long>(static_cast<double>(n) / elapsed)
                  << " messages/s); the bot's catch-up itself: " << bot_ms << "; conversations.history calls: " << calls
                  << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_backfill: " << e.what() << "\n";
        return 1;
    }
}
