// The bot and its commands on PostgreSQL (ctest e2e.postgres, label postgres: it needs the server
// that the fixture pg.start runs; regular pass only). Each test gets an empty schema of its own.
#include "bot_process.hpp"
#include "ops_client.hpp"

#include "tests/support/pg_server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using ib::test::bot_fixture;
using ib::test::entries;
using ib::test::run_to_end;

namespace {

std::string exported(const std::string& db, const std::string& format) {
    const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", db, "--incident", "1", "--format", format});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

// The test server's URI with a password and another database: libpq fails to connect
// (database "…" does not exist), so the message quotes the URI the command was given.
std::string with_password(const std::string& uri, const std::string& password) {
    std::string out = uri;
    const auto at = out.find('@');
    REQUIRE(at != std::string::npos);
    out.insert(at, ":" + password);
    const auto db = out.find("/postgres", at);
    REQUIRE(db != std::string::npos);
    out.replace(db, 9, "/no_such_db");
    return out;
}

// A PostgreSQL cluster of the test's own (scripts/pg-cluster.sh on a directory of its own, a free
// loopback port), for a test that stops and starts the server: the ctest fixture's server is
// shared with the other postgres suites. Removed when the test ends, however it ends.
class own_cluster {
public:
    own_cluster() : dir_(ib::test::temp_path("pg-own")) {
        const auto r = script("start");
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        uri_ = r.out.substr(0, r.out.find('\n'));
    }
    ~own_cluster() { script("stop"); }
    own_cluster(const own_cluster&) = delete;
    own_cluster& operator=(const own_cluster&) = delete;

    const std::string& uri() const { return uri_; }
    // pg_ctl stop -m fast (sessions ended, as a restart or a failover begins), then start again.
    void down() { REQUIRE(script("down").exit_code == 0); }
    void up() { REQUIRE(script("up").exit_code == 0); }

private:
    ib::test::run_result script(const std::string& action) const {
        return run_to_end("/bin/bash", {std::string(IB_SOURCE_DIR) + "/scripts/pg-cluster.sh", action, dir_}, {}, 60s);
    }
    std::string dir_, uri_;
};

// The ops port a `run --listen 127.0.0.1:0` prints in its log.
unsigned short ops_port_of(const ib::test::bot_process& p, const ib::sim::slack_simulator& slack) {
    unsigned short port = 0;
    REQUIRE_MESSAGE(slack.wait_for([&] { return (port = ib::test::listen_port_in(p.log())) != 0; }, 10s), p.log());
    return port;
}

// "<stem> 0", "<stem> 1", …
std::vector<std::string> numbered(const std::string& stem, int n) {
    std::vector<std::string> texts;
    for (int i = 0; i < n; ++i) texts.push_back(stem + " " + std::to_string(i));
    return texts;
}

// How often each message text is on the exported timeline of `t`'s latest incident.
std::map<std::string, int> stored_messages(const bot_fixture& t) {
    std::map<std::string, int> seen;
    for (const auto& e : entries(t.export_json(), "message")) ++seen[e["text"].get<std::string>()];
    return seen;
}

int readyz(unsigned short port) {
    const auto r = ib::test::http_get(port, "/readyz", 2000);
    return r ? r->status : 0;
}

// Messages posted in `channel` whose text contains `needle`.
std::size_t posts_with(const bot_fixture& t, const std::string& channel, const std::string& needle) {
    const auto posts = t.slack.posted_messages(channel);
    return static_cast<std::size_t>(std::count_if(posts.begin(), posts.end(), [&](const nlohmann::json& p) {
        return p["text"].get<std::string>().find(needle) != std::string::npos;
    }));
}

// Starts the fault build on a new database with `fault` armed (bot_app.cpp, fault_injection.hpp)
// and `flags`; returns the faults file, for the test to remove.
std::string start_with_fault(bot_fixture& t, const std::string& fault, const std::vector<std::string>& flags) {
    t.db = ib::test::new_pg_database();
    const std::string faults = ib::test::temp_path("ib-lease-faults");
    std::ofstream(faults) << fault << "\n";
    t.binary = IB_FAULTS_BINARY;
    t.start_bot(flags, {{"IB_FAULTS_FILE", faults}});
    return faults;
}

// The attrs of the `reminder` entries stored in `db` (marks and takeovers included) that
// `condition` (SQL) admits, in timeline order.
std::vector<nlohmann::json> reminder_attrs(const std::string& db, const std::string& condition = "true") {
    std::stringstream rows(ib::test::pg_exec(db, "SELECT string_agg(attrs, E'\\n' ORDER BY at, seq) FROM timeline"
                                                 " WHERE kind = 'reminder' AND " + condition));
    std::vector<nlohmann::json> out;
    for (std::string line; std::getline(rows, line);) out.push_back(nlohmann::json::parse(line));
    return out;
}

}  // namespace

TEST_SUITE("postgres") {

TEST_CASE("migrate: the case study copied from SQLite exports the same from PostgreSQL; check, stats, backup") {
    const std::string sqlite = ib::test::temp_path("pg-migrate") + ".db";
    const auto demo = run_to_end(IB_BOT_BINARY, {"demo", "--db", sqlite, "--quiet"}, {}, 120s);
    REQUIRE_MESSAGE(demo.exit_code == 0, demo.err);
    const std::string pg = ib::test::new_pg_database();

    const auto moved = run_to_end(IB_BOT_BINARY, {"migrate", "--from", sqlite, "--to", pg});
    REQUIRE_MESSAGE(moved.exit_code == 0, moved.err);
    CHECK(moved.out.find("migrated " + sqlite + " to ") == 0);
    CHECK(moved.out.find("1 incident (") != std::string::npos);

    // Every export format reads the same from both engines: the JSON byte for byte.
    for (const char* format : {"json", "md", "csv", "svg"}) {
        CAPTURE(format);
        CHECK(exported(pg, format) == exported(sqlite, format));
    }
    const auto json = nlohmann::json::parse(exported(pg, "json"));
    CHECK(json["timeline"].size() > 20);
    const auto stats_sqlite = run_to_end(IB_BOT_BINARY, {"stats", "--db", sqlite, "--days", "36500"});
    const auto stats_pg = run_to_end(IB_BOT_BINARY, {"stats", "--db", pg, "--days", "36500"});
    CHECK(stats_pg.exit_code == 0);
    CHECK(stats_pg.out == stats_sqlite.out);

    const auto check = run_to_end(IB_BOT_BINARY, {"check", "--db", pg});
    CHECK(check.exit_code == 0);
    CHECK(check.out.find("ok: ") == 0);
    CHECK(check.out.find("schema v") != std::string::npos);
    CHECK(check.out.find("1 incident (") != std::string::npos);

    // Into a database that holds data: refused, nothing changed.
    const auto again = run_to_end(IB_BOT_BINARY, {"migrate", "--from", sqlite, "--to", pg});
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("empty one only") != std::string::npos);
    CHECK(exported(pg, "json") == exported(sqlite, "json"));

    // backup is SQLite's: one line pointing to pg_dump, exit 1, no file.
    const std::string to = ib::test::temp_path("pg-backup") + ".db";
    const auto backup = run_to_end(IB_BOT_BINARY, {"backup", "--db", pg, "--to", to});
    CHECK(backup.exit_code == 1);
    CHECK(backup.err.find("pg_dump") != std::string::npos);
    CHECK(std::count(backup.err.begin(), backup.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(to));
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(sqlite + suffix);
}

TEST_CASE("a password in the URI never shows in a message") {
    const std::string secret = "Sup3rSecretPw";
    const std::string bad = with_password(ib::test::pg_server_uri(), secret);
    for (const char* command : {"export", "stats", "check"}) {
        CAPTURE(command);
        std::vector<std::string> args{command, "--db", bad};
        if (std::string(command) == "export") args.insert(args.end(), {"--incident", "1", "--format", "json"});
        const auto r = run_to_end(IB_BOT_BINARY, args);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("no_such_db") != std::string::npos);  // it says which database
        CHECK(r.err.find(secret) == std::string::npos);
    }
}

TEST_CASE("run on PostgreSQL: records an incident, restart keeps everything") {
    bot_fixture t;
    t.db = ib::test::new_pg_database();
    t.start_bot();
    const std::string ch = t.declare("Primary out of disk sev2", "Primary out of disk");
    t.slack.post_message(ch, bot_fixture::bob, "I think the WAL volume filled up");
    t.slack.post_message(ch, bot_fixture::bob, "`df -h /var/lib/postgresql`");
    REQUIRE(t.slack.wait_for([&] { return t.export_json()["timeline"].size() >= 3; }, 10s));

    // A SIGKILLed bot leaves nothing behind; what it acked is there after the restart.
    t.kill_bot();
    t.start_bot();
    CHECK(t.command(t.general, bot_fixture::alice, "list").find("Primary out of disk") != std::string::npos);
    t.slack.post_message(ch, bot_fixture::bob, "freed 20 GB, replica catching up");
    REQUIRE(t.slack.wait_for([&] { return t.export_json()["timeline"].size() >= 4; }, 10s));
    const auto exported_json = t.export_json();
    std::size_t said = 0;
    for (const auto& e : exported_json["timeline"])
        if (e["kind"] == "message") ++said;
    CHECK(said == 3);
    CHECK(t.stop_bot(SIGTERM) == 0);
}

// Issue 15: several `run` instances with the same tokens on one database, against a simulator
// that gives each event to a random open connection and redelivers to another what a closed one
// left unacked (slack-protocol.md §6). About 15 s.
TEST_CASE("three instances on one PostgreSQL: every event once, every command once, reminders claimed") {
    bot_fixture t;  // random delivery, redelivery on (the simulator's defaults)
    // Named, so that the test can cut exactly these instances' sessions.
    const std::string app_name = "ib_multi_" + std::to_string(::getpid());
    t.db = ib::test::new_pg_database() + "&application_name=" + app_name;
    const std::vector<std::string> flags{"--status-reminder", "3s", "--listen", "127.0.0.1:0"};
    t.start_bot(flags);
    std::vector<std::string> args{"run", "--db", t.db};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto another = [&](std::size_t connections) {
        auto p = std::make_unique<ib::test::bot_process>(IB_BOT_BINARY, args, t.env());
        REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() == connections; }, 20s), p->log());
        return p;
    };
    auto second = another(2);
    auto third = another(3);

    // One channel per /incident start, whichever instance it reached.
    const std::string ch = t.declare("Checkout down sev2", "Checkout down");
    CHECK(t.slack.calls("conversations.create").size() == 1);

    // Two people acknowledge at once: one ack is recorded and announced (the other is told it
    // was, in the ack or, past the ack's budget, by direct message).
    const auto a1 = t.slack.slash_command(ch, bot_fixture::alice, "ack");
    const auto a2 = t.slack.slash_command(ch, bot_fixture::bob, "ack");
    int acknowledged = 0;
    for (const auto& id : {a1, a2}) {
        const auto a = t.slack.wait_ack(id, 10s);
        REQUIRE(a);
        if (a->payload && a->payload->value("text", std::string()) == "Acknowledged.") ++acknowledged;
    }
    CHECK(acknowledged <= 1);
    const auto announced = [&](const std::string& what) { return posts_with(t, ch, what); };
    REQUIRE(t.slack.wait_for([&] { return announced("acknowledged the incident") >= 1; }, 10s));

    // A burst, with one instance SIGKILLed in the middle: what it never acked is redelivered to
    // the others, and every message is stored once.
    constexpr std::size_t burst = 3000;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < burst; ++i) texts.push_back("burst message " + std::to_string(i));
    const auto burst_started = std::chrono::steady_clock::now();
    t.slack.post_messages(ch, bot_fixture::bob, std::vector<std::string>(texts.begin(), texts.begin() + burst / 2));
    second->signal(SIGKILL);
    REQUIRE(second->wait(10s) == 128 + SIGKILL);
    t.slack.post_messages(ch, bot_fixture::bob, std::vector<std::string>(texts.begin() + burst / 2, texts.end()));
    std::map<std::string, int> seen;
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            seen = stored_messages(t);
                            return seen.size() >= burst;
                        },
                        40s),
                    "stored " << seen.size() << " of " << burst);
    MESSAGE("3,000-message burst with an instance killed: all stored in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - burst_started).count()
            << " ms");
    CHECK(seen.size() == burst);
    CHECK(std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 1; }));
    CHECK(t.slack.lost_events().empty());

    // The killed instance, restarted, takes its share again.
    second = another(3);
    const auto port = [&] {
        unsigned short p = 0;
        REQUIRE(t.slack.wait_for([&] { return (p = ib::test::listen_port_in(second->log())) != 0; }, 10s));
        return p;
    }();
    std::vector<std::string> more;
    for (int i = 0; i < 60; ++i) more.push_back("after the restart " + std::to_string(i));
    t.slack.post_messages(ch, bot_fixture::bob, more);
    REQUIRE(t.slack.wait_for([&] { return stored_messages(t).size() >= burst + more.size(); }, 20s));
    // Its share acked: stored, or found stored already (its catch-up from history on connecting
    // may have read them first).
    const auto m = ib::test::http_get(port, "/metrics");
    REQUIRE(m);
    auto acked = ib::test::parse_metrics(m->body);
    CHECK(acked["incident_bot_events_stored_total"] + acked["incident_bot_duplicate_events_total"] > 0);

    // Every session of the three cut at once (what a server restart or a failover looks like
    // from here): they reconnect, and what is said meanwhile is stored once.
    const auto cut = ib::test::pg_exec(ib::test::pg_server_uri(),
                                       "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                       " WHERE application_name = '" + app_name + "'");
    CHECK(std::stoi(cut) >= 6);  // a writer and a reader each, at least
    std::vector<std::string> during;
    for (int i = 0; i < 60; ++i) during.push_back("while the database was away " + std::to_string(i));
    t.slack.post_messages(ch, bot_fixture::bob, during);
    REQUIRE(t.slack.wait_for([&] { return stored_messages(t).size() >= burst + more.size() + during.size(); }, 20s));
    seen = stored_messages(t);
    CHECK(std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 1; }));
    CHECK(t.slack.lost_events().empty());

    // Reminders at the cadence, never two for one due time: each post is one claimed entry, and
    // posts are a cadence apart.
    const auto reminder_posts = [&] {
        std::vector<double> at;
        for (const auto& p : t.slack.posted_messages(ch))
            if (p["text"].get<std::string>().find("status-page update") != std::string::npos)
                at.push_back(std::stod(p["ts"].get<std::string>()));
        return at;
    };
    REQUIRE(t.slack.wait_for([&] { return reminder_posts().size() >= 3; }, 15s));

    // One summary on resolve, and no reminder after it.
    CHECK(t.command(ch, bot_fixture::alice, "resolve rolled back").find("Resolved") != std::string::npos);
    REQUIRE(t.slack.wait_for([&] { return t.export_json()["incident"]["status"] == "resolved"; }, 10s));
    std::this_thread::sleep_for(4s);  // more than a cadence: a reminder now would be a bug
    CHECK(announced("TTR") == 1);  // the summary
    // Each post is a claim, one per due time: claims a cadence apart (each due time is the last
    // claim's plus the cadence, decided under the row lock), posted by the claimer; the killed
    // instance may have claimed one it never posted (with a 3 s cadence, shorter than the lease,
    // the next reminder comes before a takeover would: late, not twice).
    const auto posts = reminder_posts();
    const auto x = t.export_json();
    std::vector<long long> claimed;  // the reminder claims' times, µs (not their posted marks)
    std::stringstream list(ib::test::pg_exec(t.db, "SELECT string_agg(at::text, ',' ORDER BY at) FROM timeline"
                                                   " WHERE kind = 'reminder' AND attrs::jsonb->>'type' = 'posted'"));
    for (std::string at; std::getline(list, at, ',');) claimed.push_back(std::stoll(at));
    CHECK(claimed.size() >= posts.size());
    CHECK(claimed.size() <= posts.size() + 1);
    for (std::size_t i = 1; i < claimed.size(); ++i) {
        CHECK(claimed[i] - claimed[i - 1] >= 3'000'000);
        CHECK(claimed[i] - claimed[i - 1] < 7'000'000);
    }
    CHECK(announced("acknowledged the incident") == 1);
    CHECK(entries(x, "ack").size() == 1);
    CHECK(t.slack.calls("conversations.create").size() == 1);

    for (auto* p : {second.get(), third.get()}) p->signal(SIGTERM);
    CHECK(second->wait(15s) == 0);
    CHECK(third->wait(15s) == 0);
    CHECK(t.stop_bot(SIGTERM) == 0);
}

// Issue 15's "PostgreSQL restarted mid-run": a real restart of the server (a cluster of the
// test's own), not cut sessions. Two instances, a burst in flight when the server stops: while it
// is down both say 503 on /readyz and ack nothing; once it is back they say 200 again and every
// message is stored exactly once. About 10 s (of which the server is down 3 s).
TEST_CASE("PostgreSQL restarted mid-run: /readyz 503 while down, nothing acked meanwhile, nothing lost or twice") {
    own_cluster server;
    bot_fixture t;  // random delivery, redelivery on (the simulator's defaults)
    t.db = server.uri();
    const std::vector<std::string> flags{"--listen", "127.0.0.1:0"};
    t.start_bot(flags);
    std::vector<std::string> args{"run", "--db", t.db};
    args.insert(args.end(), flags.begin(), flags.end());
    auto second = std::make_unique<ib::test::bot_process>(IB_BOT_BINARY, args, t.env());
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() == 2; }, 20s), second->log());
    const std::vector<unsigned short> ports{ops_port_of(*t.bot, t.slack), ops_port_of(*second, t.slack)};
    for (const auto port : ports) REQUIRE(t.slack.wait_for([&] { return readyz(port) == 200; }, 10s));

    const std::string ch = t.declare("Primary restarting sev2", "Primary restarting");
    // Both instances know the channel before the server goes (the second by its lookup).
    t.slack.post_messages(ch, bot_fixture::bob, numbered("before", 20));
    REQUIRE(t.slack.wait_for([&] { return stored_messages(t).size() >= 20; }, 10s));

    // A burst in flight, and the server stops under it.
    const auto burst = numbered("burst", 1000);
    t.slack.post_messages(ch, bot_fixture::bob, burst);
    server.down();
    const auto went_down = std::chrono::steady_clock::now();

    // What is said while it is down reaches both instances (at random): each stops, says 503,
    // and acks none of it (the simulator sees every ack, redeliveries' included).
    const auto during = numbered("while the server was down", 20);
    t.slack.post_messages(ch, bot_fixture::bob, during);
    for (const auto port : ports) {
        CAPTURE(port);
        CHECK(t.slack.wait_for([&] { return readyz(port) == 503; }, 3s));
    }
    std::this_thread::sleep_until(went_down + 3s);
    std::size_t acked_while_down = 0;
    for (const auto& a : t.slack.acks()) {
        const auto envelope = t.slack.envelope(a.envelope_id);
        const auto text = envelope ? ib::test::event_text(*envelope) : std::nullopt;
        if (text && text->starts_with("while the server was down")) ++acked_while_down;
    }
    CHECK(acked_while_down == 0);

    // Back after 3 s: both ready again, everything stored once, nothing lost by Slack.
    server.up();
    const auto came_back = std::chrono::steady_clock::now();
    for (const auto port : ports) {
        CAPTURE(port);
        CHECK(t.slack.wait_for([&] { return readyz(port) == 200; }, 10s));
    }
    MESSAGE("both instances ready again "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - came_back).count()
            << " ms after the server was back");
    std::map<std::string, int> seen;
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            seen = stored_messages(t);
                            return seen.size() >= 20 + burst.size() + during.size();
                        },
                        15s),
                    "stored " << seen.size() << " of " << 20 + burst.size() + during.size());
    CHECK(seen.size() == 20 + burst.size() + during.size());
    CHECK(std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 1; }));
    CHECK(t.slack.lost_events().empty());

    // Idle now, nothing to write: both still notice the server going away (the recorder's probe, an
    // empty transaction every 2 s) and say 503, then 200 once it is back.
    server.down();
    for (const auto port : ports) {
        CAPTURE(port);
        CHECK(t.slack.wait_for([&] { return readyz(port) == 503; }, 8s));
    }
    server.up();
    for (const auto port : ports) {
        CAPTURE(port);
        CHECK(t.slack.wait_for([&] { return readyz(port) == 200; }, 20s));
    }

    second->signal(SIGTERM);
    CHECK(second->wait(15s) == 0);
    CHECK(t.stop_bot(SIGTERM) == 0);
}

// The new-channel window (record_events.hpp): a brand-new incident channel's first events may
// reach the instance that did not declare it before the declaring instance's store commits; that
// one finds no incident and acks them as foreign. Every commit is made slow (the test binary's
// slow_commit: 2 s) so the window stays open; someone joins and talks at once; everything said is
// stored once all the same (the declaring instance catches the channel up from its history once
// the incident is stored). About 8 s.
TEST_CASE("the new-channel window: what another instance had before the declaration was stored is caught up") {
    bot_fixture t;
    t.binary = IB_FAULTS_BINARY;
    t.db = ib::test::new_pg_database();
    const std::string faults = ib::test::temp_path("pg-window-faults");
    const auto arm = [&](const std::string& what) { std::ofstream(faults, std::ios::trunc) << what << "\n"; };
    arm("");
    const std::map<std::string, std::string> fault_env{{"IB_FAULTS_FILE", faults}};
    t.start_bot({}, fault_env);
    auto env = t.env();
    env.insert(fault_env.begin(), fault_env.end());
    auto second = std::make_unique<ib::test::bot_process>(IB_FAULTS_BINARY, std::vector<std::string>{"run", "--db", t.db},
                                                          env);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() == 2; }, 20s), second->log());

    // Declared with every commit slow: the channel exists 2 s before its incident is stored.
    arm("slow_commit");
    const auto start = t.slack.slash_command(t.general, bot_fixture::alice, "start Cache stampede sev2");
    std::optional<ib::sim::slack_simulator::channel_info> ch;
    REQUIRE(t.slack.wait_for([&] { return (ch = t.slack.channel_by_name(ib::test::today_channel("Cache stampede"))).has_value(); },
                             15s));
    // Carol joins at once and talks; each event goes to either instance at random.
    t.slack.join(ch->id, bot_fixture::carol);
    const auto first = numbered("first words", 10);
    t.slack.post_messages(ch->id, bot_fixture::carol, first);
    arm("");
    REQUIRE(t.slack.wait_ack(start, 15s));
    // Stored and announced (the announcement follows the store).
    REQUIRE(t.slack.wait_for([&] { return !t.slack.posted_messages(ch->id).empty(); }, 20s));

    std::map<std::string, int> seen;
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            seen = stored_messages(t);
                            return seen.size() >= first.size();
                        },
                        20s),
                    "stored " << seen.size() << " of " << first.size() << "\n" << t.bot->log() << second->log());
    CHECK(seen.size() == first.size());
    CHECK(std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 1; }));
    const auto x = t.export_json();
    std::size_t carol_joined = 0;
    for (const auto& e : entries(x, "join"))
        if (e["user"] == bot_fixture::carol) ++carol_joined;
    CHECK(carol_joined == 1);
    CHECK(t.slack.lost_events().empty());
    CHECK(t.slack.calls("conversations.create").size() == 1);
    // The declaring instance says what it caught up (0 only if every event happened to reach it).
    const std::string logs = t.bot->log() + second->log();
    const auto line = logs.find("declared here: what another instance had");
    CHECK(line != std::string::npos);
    if (line != std::string::npos) MESSAGE(logs.substr(logs.rfind("caught up ", line), line - logs.rfind("caught up ", line)));

    second->signal(SIGTERM);
    CHECK(second->wait(15s) == 0);
    CHECK(t.stop_bot(SIGTERM) == 0);
    std::filesystem::remove(faults);
}

// Issue 15, leases: an instance that dies holding a reminder's claim (the fault build's "claimed":
// it exits right after the claim commits, before posting) costs a late reminder, not a lost or a
// double one: another instance takes the claim over once its lease (2 s here) ends, and posts it
// once. About 8 s.
TEST_CASE("a reminder claimed by an instance that died is posted by another after the lease, once") {
    bot_fixture t;
    const std::vector<std::string> flags{"--status-reminder", "3s", "--claim-lease", "2s"};
    const std::string faults = start_with_fault(t, "claimed", flags);
    const std::string ch = t.declare("Checkout down sev2", "Checkout down");
    const auto reminder_posts = [&] { return posts_with(t, ch, "status-page update"); };
    // Its first reminder falls due 3 s after the declaration: claimed, and the process dies.
    const auto died = t.bot->wait(15s);
    REQUIRE_MESSAGE(died == 70, t.all_logs());
    CHECK(reminder_posts() == 0);

    // Another instance takes the claim over once its lease ends, and posts it.
    t.binary = IB_BOT_BINARY;
    t.start_bot(flags);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return reminder_posts() >= 1; }, 10s), t.all_logs());
    CHECK(t.stop_bot(SIGTERM) == 0);

    // The timeline: the dead instance's claim (attempt 0, never marked), taken over (attempt 1,
    // another owner: bookkeeping, type=mark) and marked posted; every post is one posted mark.
    std::vector<nlohmann::json> claims, takeovers, marks;
    for (auto& attrs : reminder_attrs(t.db))
        (attrs["type"] != "mark" ? claims : attrs["outcome"] == "taken_over" ? takeovers : marks).push_back(std::move(attrs));
    REQUIRE(claims.size() >= 1);
    REQUIRE(takeovers.size() >= 1);
    CHECK(claims[0]["attempt"] == "0");
    CHECK(takeovers[0]["attempt"] == "1");
    CHECK(takeovers[0]["claim"] == claims[0]["claim"]);  // the same reminder
    CHECK(takeovers[0]["owner"] != claims[0]["owner"]);
    std::size_t posted = 0;
    for (const auto& m : marks) posted += m["outcome"] == "posted" ? 1 : 0;
    CHECK(posted == reminder_posts());
    CHECK(marks.size() == claims.size() + takeovers.size() - 1);  // all but the dead instance's
    // Posted once, shown once: the export has one reminder per claim, the takeover is bookkeeping.
    CHECK(entries(t.export_json(), "reminder").size() == claims.size());
    std::filesystem::remove(faults);
}

// Issue 15, leases: an instance that dies right after its resolve commits (the fault build's
// "resolved"), before the summary is posted, costs a late summary, not a lost or a double one:
// another instance takes the summary's lease over once it ends (2 s here), and posts the summary
// and the review prompt once. About 6 s.
TEST_CASE("a resolve whose instance died before its summary: another posts the summary and the review prompt once") {
    bot_fixture t;
    const std::vector<std::string> flags{"--claim-lease", "2s"};
    const std::string faults = start_with_fault(t, "resolved", flags);
    const std::string ch = t.declare("Checkout down sev2", "Checkout down");
    const auto summaries = [&] { return posts_with(t, ch, "Incident #1 resolved:"); };  // not the announcement
    const auto reviews = [&] { return posts_with(t, ch, "Post-incident review"); };
    // The resolve commits, and the process dies before posting anything of it.
    t.slack.slash_command(ch, bot_fixture::alice, "resolve rolled back");
    const auto died = t.bot->wait(15s);
    REQUIRE_MESSAGE(died == 70, t.all_logs());
    CHECK(summaries() == 0);
    CHECK(reviews() == 0);

    // Another instance takes the summary over once the lease ends, and posts it with the review
    // prompt; the journal's resolve it resumes announces, and leaves the summary to the lease.
    t.binary = IB_BOT_BINARY;
    t.start_bot(flags);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return reviews() >= 1; }, 10s), t.all_logs());
    std::this_thread::sleep_for(2500ms);  // more than a lease: a second summary now would be a bug
    CHECK(summaries() == 1);
    CHECK(reviews() == 1);
    CHECK(t.stop_bot(SIGTERM) == 0);

    // The timeline: the resolve names the dead instance; the takeover names another, and the
    // summary's mark says posted. Neither shows in the export.
    const auto owner_of_resolve = ib::test::pg_exec(t.db, "SELECT attrs::jsonb->>'owner' FROM timeline WHERE kind = 'resolve'");
    const auto marks = reminder_attrs(t.db, "attrs::jsonb->>'type' = 'mark'");
    REQUIRE(marks.size() == 2);
    CHECK(marks[0]["outcome"] == "taken_over");
    CHECK(marks[0]["owner"] != owner_of_resolve);
    CHECK_FALSE(owner_of_resolve.empty());
    CHECK(marks[1]["outcome"] == "posted");
    CHECK(marks[1]["owner"] == marks[0]["owner"]);
    CHECK(entries(t.export_json(), "reminder").empty());
    std::filesystem::remove(faults);
}

// Issue 15, leases: the instance that resolves dies before the summary while another is already
// running, and the incident (sev4) has no reminders, so no claim and no restart tells the other:
// it hears of the unmarked resolve by reading the resolves every half lease, and posts the
// summary and the review prompt once the lease (2 s) ends. About 5 s.
TEST_CASE("a resolve whose instance died before its summary: an instance already running posts it after the lease") {
    bot_fixture t;  // random delivery: whichever instance gets the resolve dies of it
    const std::vector<std::string> flags{"--claim-lease", "2s"};
    const std::string faults = start_with_fault(t, "resolved", flags);
    std::vector<std::string> args{"run", "--db", t.db};
    args.insert(args.end(), flags.begin(), flags.end());
    auto env = t.env();
    env["IB_FAULTS_FILE"] = faults;
    auto second = std::make_unique<ib::test::bot_process>(IB_FAULTS_BINARY, args, env);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() == 2; }, 20s), second->log());
    const std::string ch = t.declare("Disk full sev4", "Disk full");
    const auto summaries = [&] { return posts_with(t, ch, "Incident #1 resolved:"); };
    const auto reviews = [&] { return posts_with(t, ch, "Post-incident review"); };

    // The resolve commits, and the instance it reached dies before posting anything of it.
    t.slack.slash_command(ch, bot_fixture::alice, "resolve disk freed");
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return !t.bot->running() || !second->running(); }, 15s), t.all_logs());
    auto& survivor = t.bot->running() ? *t.bot : *second;
    auto& dead = t.bot->running() ? *second : *t.bot;
    REQUIRE_MESSAGE(dead.wait(5s) == 70, dead.log());
    CHECK(summaries() == 0);

    // The survivor, running all along, takes the summary over once the lease ends.
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return reviews() >= 1; }, 10s), survivor.log());
    std::this_thread::sleep_for(2500ms);  // more than a lease: a second summary now would be a bug
    CHECK(summaries() == 1);
    CHECK(reviews() == 1);
    CHECK(survivor.log().find("taking over the summary of incident 1") != std::string::npos);
    survivor.signal(SIGTERM);
    CHECK(survivor.wait(15s) == 0);
    const auto marks = reminder_attrs(t.db, "attrs::jsonb->>'type' = 'mark'");
    REQUIRE(marks.size() == 2);
    CHECK(marks[0]["outcome"] == "taken_over");
    CHECK(marks[1]["outcome"] == "posted");
    std::filesystem::remove(faults);
}

// Issue 15, the shared flow journal (schema v11): an instance that dies mid-flow (the fault
// build's "stored": right after an /incident ack is stored, before it is announced) leaves its
// flow in the journal, and another instance, live, resumes it once its lease (2 s here) has ended,
// and announces it once; a flow a live instance is running (its announcement held 4 s by a 429) is
// renewed meanwhile, so an instance that starts then leaves it alone (were it taken over, the
// post in flight would be skipped as in doubt, so the log says so): announced once. About 10 s.
TEST_CASE("the shared journal: a dead instance's flow is resumed by another after the lease, once; a live one's is not") {
    ib::sim::simulator_options o;
    o.choose_connection = ib::sim::simulator_options::connection_choice::newest;  // commands to the newest
    bot_fixture t(o);
    t.db = ib::test::new_pg_database();
    const std::vector<std::string> flags{"--claim-lease", "2s"};
    std::vector<std::string> args{"run", "--db", t.db};
    args.insert(args.end(), flags.begin(), flags.end());
    t.start_bot(flags);  // B, which stays
    const std::string ch = t.declare("Checkout down sev2", "Checkout down");
    const auto announced = [&](const std::string& what) { return posts_with(t, ch, what); };

    // A (the fault build, newest: it gets the command) dies once the ack is stored.
    const std::string faults = ib::test::temp_path("ib-journal-faults");
    std::ofstream(faults) << "stored\n";
    auto env = t.env();
    env["IB_FAULTS_FILE"] = faults;
    auto a = std::make_unique<ib::test::bot_process>(IB_FAULTS_BINARY, args, env);
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() == 2; }, 20s), a->log());
    t.slack.slash_command(ch, bot_fixture::alice, "ack");
    REQUIRE_MESSAGE(a->wait(15s) == 70, a->log());
    const auto died = std::chrono::steady_clock::now();
    CHECK(announced("acknowledged the incident") == 0);
    // B takes the flow over once A's lease has ended, and announces the ack once.
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return announced("acknowledged the incident") >= 1; }, 10s), t.all_logs());
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - died);
    MESSAGE("the dead instance's ack announced " << waited.count() << " ms after it died (lease 2 s)");
    CHECK(waited >= 1500ms);  // not before the lease (measured from A's last save, just before it died)
    CHECK(t.count_log_lines({"taken over from an instance whose lease ended"}) == 1);
    CHECK(entries(t.export_json(), "ack").size() == 1);

    // B's next announcement is held 4 s (Slack's 429, Retry-After 4) while C starts: B renews its
    // entry meanwhile, so C neither resumes it at start nor takes it over; announced once.
    t.slack.fail_next("chat.postMessage", 429, 4);
    const auto sev = t.slack.slash_command(ch, bot_fixture::alice, "sev 1");
    REQUIRE(t.slack.wait_ack(sev, 10s));
    auto c = std::make_unique<ib::test::bot_process>(IB_BOT_BINARY, args, t.env());
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return t.slack.open_connections() == 2; }, 20s), c->log());
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return announced("Severity changed") >= 1; }, 15s), t.all_logs() << c->log());
    std::this_thread::sleep_for(2500ms);  // a lease and more: a second announcement would be here
    CHECK(announced("Severity changed") == 1);
    CHECK(announced("acknowledged the incident") == 1);
    CHECK(c->log().find("resuming") == std::string::npos);
    CHECK(ib::test::pg_exec(t.db, "SELECT count(*) FROM flows") == "0");

    c->signal(SIGTERM);
    CHECK(c->wait(15s) == 0);
    CHECK(t.stop_bot(SIGTERM) == 0);
    std::filesystem::remove(faults);
}

}  // TEST_SUITE
