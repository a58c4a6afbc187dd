// End to end, operations (issue 14): the real binary with `run --listen`, against the simulator.
// /healthz, /readyz through a dropped and a silent connection, /metrics counters against what
// the test sent, JSON log lines, backup during a burst, check, configuration from the
// environment. The "prometheus" suite adds promtool and a real Prometheus server scraping the
// bot; it runs in the regular pass only (ctest label prometheus).
#include "bot_process.hpp"
#include "ops_client.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::bot_process;
using ib::test::entries;
using ib::test::http_get;
using ib::test::parse_metrics;
using ib::test::run_to_end;
using clk = std::chrono::steady_clock;

namespace {

const std::string& alice = bot_fixture::alice;
const std::string& bob = bot_fixture::bob;

long long ms_since(clk::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clk::now() - t).count();
}

// The ops port from the bot's log (it listens on 127.0.0.1:0).
unsigned short ops_port(bot_fixture& t) {
    unsigned short port = 0;
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            port = ib::test::listen_port_in(t.bot->log());
                            return port != 0;
                        },
                        10s),
                    "no 'serving ... on http://127.0.0.1:PORT/' line; log:\n"
                        << t.bot->log());
    return port;
}

int status_of(unsigned short port, const std::string& target) {
    const auto r = http_get(port, target);
    return r ? r->status : 0;
}

std::map<std::string, double> scrape(unsigned short port) {
    const auto r = http_get(port, "/metrics");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return parse_metrics(r->body);
}

double metric(const std::map<std::string, double>& m, const std::string& series) {
    auto it = m.find(series);
    return it == m.end() ? -1 : it->second;
}

// Events API envelopes the simulator got an ack for (each once).
std::size_t acked_events(const ib::sim::slack_simulator& slack) {
    std::set<std::string> ids;
    for (const auto& a : slack.acks()) {
        const auto env = slack.envelope(a.envelope_id);
        if (env && env->value("type", "") == "events_api") ids.insert(a.envelope_id);
    }
    return ids.size();
}

// Polls until `pred` holds; on timeout the last values are in the failure message.
template <class Pred>
bool eventually(bot_fixture& t, Pred pred, std::chrono::milliseconds timeout = 10s) {
    return t.slack.wait_for(
        [&] {
            std::this_thread::sleep_for(20ms);
            return pred();
        },
        timeout);
}

std::string write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_SUITE("ops") {

TEST_CASE("/healthz, /readyz through a drop and a silence, /metrics matching what was sent, JSON logs") {
    bot_fixture t;
    // Configured from the environment, as a systemd EnvironmentFile or a container would.
    t.start_bot({"--idle-timeout", "2s"}, {{"INCIDENT_BOT_LISTEN", "127.0.0.1:0"}, {"INCIDENT_BOT_LOG_FORMAT", "json"}});
    const unsigned short port = ops_port(t);

    // Health, readiness, and the rest of the surface.
    const auto health = http_get(port, "/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(health->body == "ok\n");
    CHECK(eventually(t, [&] { return status_of(port, "/readyz") == 200; }, 5s));
    CHECK(status_of(port, "/nope") == 404);

    // Traffic: a declare, a burst of messages, and one event delivered twice.
    const std::string ch = t.declare("Ops test", "Ops test");
    std::vector<std::string> texts;
    for (int i = 0; i < 40; ++i) texts.push_back("ops message " + std::to_string(i));
    const auto ids = t.slack.post_messages(ch, bob, texts);
    for (const auto& id : ids) REQUIRE(t.slack.wait_ack(id, 10s));
    const json event = {{"type", "message"}, {"channel", ch}, {"user", bob}, {"text", "delivered twice"},
                        {"ts", "1790000000.000100"}, {"event_ts", "1790000000.000100"}};
    const json payload = {{"type", "event_callback"}, {"event_id", "Ev0OPSDUP"}, {"event_time", 1790000000},
                          {"team_id", t.slack.team_id()}, {"api_app_id", t.slack.app_id()}, {"event", event}};
    for (int attempt = 0; attempt < 2; ++attempt)
        REQUIRE(t.slack.wait_ack(t.slack.send_envelope({{"type", "events_api"}, {"payload", payload},
                                                        {"accepts_response_payload", false},
                                                        {"retry_attempt", attempt}, {"retry_reason", ""}}),
                                 10s));

    // The counters match what the simulator saw and what the database holds. Every timeline
    // entry but the declare came from a Slack event.
    std::map<std::string, double> m;
    std::size_t from_events = 0, acked = 0;
    const bool settled = eventually(t, [&] {
        m = scrape(port);
        from_events = t.export_json()["timeline"].size() - 1;
        acked = acked_events(t.slack);
        return metric(m, "incident_bot_events_stored_total") == static_cast<double>(from_events) &&
               metric(m, "incident_bot_events_received_total") == static_cast<double>(acked);
    });
    CHECK_MESSAGE(settled, "stored " << metric(m, "incident_bot_events_stored_total") << " vs " << from_events
                                     << " entries from events; received "
                                     << metric(m, "incident_bot_events_received_total") << " vs " << acked << " acked");
    CHECK(from_events >= texts.size() + 1);
    // Duplicates: the event delivered twice, and Alice's join, which Slack reports twice
    // (member_joined_channel, then a channel_join message) and the timeline holds once.
    CHECK(metric(m, "incident_bot_duplicate_events_total") == 2);
    // Latency is observed for every event acked through the storage path (stored, duplicate, or
    // nothing to keep, such as the bot's own join), so it lies between these two.
    const double latency_count = metric(m, "incident_bot_ack_latency_seconds_count");
    CHECK(latency_count >= metric(m, "incident_bot_events_stored_total") + metric(m, "incident_bot_duplicate_events_total"));
    CHECK(latency_count <= metric(m, "incident_bot_events_received_total"));
    CHECK(metric(m, "incident_bot_group_commit_size_count") >= 1);
    CHECK(metric(m, "incident_bot_commit_seconds_count") == metric(m, "incident_bot_group_commit_size_count"));
    CHECK(metric(m, "incident_bot_pending_writes") == 0);
    CHECK(metric(m, "incident_bot_pending_writes_limit") == 2000);
    CHECK(metric(m, "incident_bot_socket_connected") == 1);
    CHECK(metric(m, "incident_bot_open_incidents") == 1);
    CHECK(metric(m, R"(incident_bot_web_api_requests_total{method="conversations.create",outcome="ok"})") == 1);
    CHECK(metric(m, R"(incident_bot_web_api_requests_total{method="chat.postMessage",outcome="ok"})") ==
          static_cast<double>(t.slack.calls("chat.postMessage").size()));
    CHECK(metric(m, R"(incident_bot_web_api_requests_total{method="auth.test",outcome="ok"})") == 1);
    const auto version = run_to_end(IB_BOT_BINARY, {"--version"}).out;  // "incident-bot X.Y.Z\n"
    CHECK(metric(m, "incident_bot_build_info{version=\"" + version.substr(13, version.size() - 14) + "\"}") == 1);

    // Slack drops the connection: not ready at once, with the reason; ready again after the reconnect.
    t.slack.drop_connections();
    std::optional<ib::test::http_reply> not_ready;
    CHECK(eventually(t, [&] {
        not_ready = http_get(port, "/readyz");
        return not_ready && not_ready->status == 503;
    }, 3s));
    if (not_ready) CHECK(not_ready->body == "not connected to Slack: reconnecting after connection_lost\n");
    CHECK(status_of(port, "/healthz") == 200);
    CHECK(eventually(t, [&] { return status_of(port, "/readyz") == 200; }, 10s));
    m = scrape(port);
    CHECK(metric(m, R"(incident_bot_socket_reconnects_total{reason="connection_lost"})") == 1);
    CHECK(metric(m, "incident_bot_socket_connected") == 1);

    // Slack goes silent (TCP open, nothing sent): 503 within the idle timeout (2 s), 200 after.
    const auto silent_at = clk::now();
    t.slack.set_silent(true);
    CHECK(eventually(t, [&] { return status_of(port, "/readyz") == 503; }, 6s));
    const auto detected_ms = ms_since(silent_at);
    MESSAGE("/readyz went 503 " << detected_ms << " ms after the peer went silent (idle timeout 2000 ms)");
    CHECK(detected_ms <= 4500);
    CHECK(metric(scrape(port), "incident_bot_socket_connected") == 0);
    t.slack.set_silent(false);
    CHECK(eventually(t, [&] { return status_of(port, "/readyz") == 200; }, 15s));

    // Resolve: no open incident left.
    t.command(ch, alice, "resolve");
    CHECK(eventually(t, [&] { return metric(scrape(port), "incident_bot_open_incidents") == 0; }, 5s));
    CHECK(t.stop_bot(SIGTERM) == 0);

    // Every log line is one JSON object with the four fields; the declare names its incident
    // and channel as fields.
    const std::string log = t.all_logs();
    std::istringstream lines(log);
    std::string line;
    std::size_t n = 0, with_incident = 0;
    while (std::getline(lines, line)) {
        ++n;
        const json j = json::parse(line, nullptr, false);
        REQUIRE_MESSAGE(j.is_object(), "not a JSON object: " << line);
        for (const char* key : {"time", "level", "component", "msg"}) {
            const bool has = j.contains(key) && j[key].is_string();
            CHECK_MESSAGE(has, key << " missing in " << line);
        }
        if (j.contains("incident") && j.value("channel", "") == ch) ++with_incident;
    }
    CHECK(n >= 10);
    CHECK(with_incident >= 1);
}

TEST_CASE("backup during a burst: a consistent snapshot that opens, checks and exports") {
    bot_fixture t;
    t.start_bot();
    const std::string ch = t.declare("Backup test", "Backup test");
    REQUIRE(t.slack.wait_for([&] { return !t.slack.calls("conversations.setTopic").empty(); }, 5s));
    constexpr int burst = 10000;
    std::vector<std::string> texts;
    for (int i = 0; i < burst; ++i) texts.push_back("backup burst " + std::to_string(i));
    const auto ids = t.slack.post_messages(ch, bob, texts);

    // While the bot stores the burst (some of it acked already).
    REQUIRE(t.slack.wait_for([&] { return t.slack.ack_count() >= 1000; }, 30s));
    const std::string copy = ib::test::temp_path("ib-backup") + ".db";
    const auto b = run_to_end(IB_BOT_BINARY, {"backup", "--db", t.db, "--to", copy});
    REQUIRE_MESSAGE(b.exit_code == 0, b.err);
    CHECK(b.out.starts_with("backed up "));
    CHECK(b.err.empty());
    const auto c = run_to_end(IB_BOT_BINARY, {"check", "--db", copy});
    CHECK_MESSAGE(c.exit_code == 0, c.err);
    CHECK(c.out.starts_with("ok: "));
    for (const char* side : {"-wal", "-shm", ".partial"}) CHECK_FALSE(std::filesystem::exists(copy + side));

    // One snapshot: the messages in the copy are exactly the first N of the burst, each once.
    const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", copy, "--incident", "latest", "--format", "json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const json exported = json::parse(r.out);
    const auto messages = entries(exported, "message");
    MESSAGE("the backup taken during the burst holds " << messages.size() << " of " << burst << " messages");
    const bool mid_burst = messages.size() < static_cast<std::size_t>(burst);
    WARN_MESSAGE(mid_burst, "the burst was stored before the backup ran");
    for (std::size_t i = 0; i < messages.size(); ++i) CHECK(messages[i]["text"] == texts[i]);

    // Once everything is stored, a second backup holds it all; an existing target is refused.
    for (const auto& id : ids) REQUIRE(t.slack.wait_ack(id, 60s));
    const std::string full = ib::test::temp_path("ib-backup") + ".db";
    REQUIRE(run_to_end(IB_BOT_BINARY, {"backup", "--db", t.db, "--to", full}).exit_code == 0);
    const auto all = run_to_end(IB_BOT_BINARY, {"export", "--db", full, "--incident", "latest", "--format", "json"});
    CHECK(entries(json::parse(all.out), "message").size() == static_cast<std::size_t>(burst));
    const auto again = run_to_end(IB_BOT_BINARY, {"backup", "--db", t.db, "--to", full});
    CHECK(again.exit_code == 1);
    CHECK(again.err == "incident-bot: " + full + ": already exists; back up to a new file\n");
    // check on the live database, beside the running bot.
    const auto live = run_to_end(IB_BOT_BINARY, {"check", "--db", t.db, "--quick"});
    CHECK_MESSAGE(live.exit_code == 0, live.err);
    CHECK(live.out.find("quick_check ok, 1 incident (1 open)") != std::string::npos);
    CHECK(t.stop_bot(SIGTERM) == 0);
    for (const auto& f : {copy, full}) std::filesystem::remove(f);
}

TEST_CASE("check: damage, a newer schema and a foreign file are one-line errors with exit 1") {
    bot_fixture t;
    t.start_bot();
    t.declare("Check test", "Check test");
    REQUIRE(t.stop_bot(SIGTERM) == 0);
    const auto ok = run_to_end(IB_BOT_BINARY, {"check", "--db", t.db});
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    CHECK(ok.out.find(", integrity_check ok, 1 incident (1 open), ") != std::string::npos);

    const auto one_line_failure = [](const ib::test::run_result& r, const std::string& needle) {
        CHECK(r.exit_code == 1);
        CHECK(r.out.empty());
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK_MESSAGE(r.err.find(needle) != std::string::npos, r.err);
    };
    // A schema from a newer build; an older one is fine (run migrates it).
    const std::string newer = ib::test::temp_path("ib-check") + ".db";
    std::filesystem::copy_file(t.db, newer);
    REQUIRE(run_to_end("/bin/sh", {"-c", "sqlite3 '" + newer + "' 'PRAGMA user_version = 99'"}).exit_code == 0);
    one_line_failure(run_to_end(IB_BOT_BINARY, {"check", "--db", newer}), "written by a newer incident-bot");
    REQUIRE(run_to_end("/bin/sh", {"-c", "sqlite3 '" + newer + "' 'PRAGMA user_version = 2'"}).exit_code == 0);
    const auto older = run_to_end(IB_BOT_BINARY, {"check", "--db", newer, "--quick"});
    CHECK(older.exit_code == 0);
    CHECK(older.out.find("schema v2 (older than this build's v") != std::string::npos);

    // Damage in the middle of the file (a page overwritten).
    const std::string damaged = ib::test::temp_path("ib-check") + ".db";
    std::filesystem::copy_file(t.db, damaged);
    {
        std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4096);  // all of page 2: its b-tree header included
        const std::string junk(4096, '\x5a');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    one_line_failure(run_to_end(IB_BOT_BINARY, {"check", "--db", damaged}), "integrity_check found a problem");
    one_line_failure(run_to_end(IB_BOT_BINARY, {"check", "--db", write_file(damaged + ".txt", "not a database")}),
                     "not a SQLite database");
    one_line_failure(run_to_end(IB_BOT_BINARY, {"check", "--db", damaged + ".missing"}), "no such file");
    // --db from the environment.
    const auto from_env = run_to_end(IB_BOT_BINARY, {"check"}, {{"INCIDENT_BOT_DB", t.db}});
    CHECK(from_env.exit_code == 0);
    for (const auto& f : {newer, damaged, damaged + ".txt"}) std::filesystem::remove(f);
}

TEST_CASE("configuration from the environment: flags win, a bad value names its variable, a busy port is one line") {
    bot_fixture t;
    // The flag wins over a variable that would be an error on its own.
    t.start_bot({"--max-pending", "100"}, {{"INCIDENT_BOT_MAX_PENDING", "lots"}, {"INCIDENT_BOT_LISTEN", "127.0.0.1:0"}});
    const unsigned short port = ops_port(t);
    CHECK(eventually(t, [&] { return metric(scrape(port), "incident_bot_pending_writes_limit") == 100; }, 5s));

    auto env = t.env();
    env["INCIDENT_BOT_LOG_FORMAT"] = "yaml";
    auto r = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db}, env);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "incident-bot: INCIDENT_BOT_LOG_FORMAT must be text or json, not 'yaml'\n");
    env.erase("INCIDENT_BOT_LOG_FORMAT");
    r = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db, "--listen", "localhost"}, env);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--listen takes HOST:PORT") != std::string::npos);
    // The running bot holds the port (a second run on another database: the same one would be
    // refused first, as in use).
    const std::string other_db = t.db + ".second.db";
    const auto started = clk::now();
    r = run_to_end(IB_BOT_BINARY, {"run", "--db", other_db, "--listen", "127.0.0.1:" + std::to_string(port)}, env);
    CHECK(r.exit_code == 1);
    CHECK(r.err == "incident-bot: cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use\n");
    CHECK(ms_since(started) < 5000);
    // With JSON logs, that failure is a JSON record too.
    r = run_to_end(IB_BOT_BINARY,
                   {"run", "--db", other_db, "--log-format", "json", "--listen", "127.0.0.1:" + std::to_string(port)}, env);
    CHECK(r.exit_code == 1);
    const json failure = json::parse(r.err, nullptr, false);
    REQUIRE_MESSAGE(failure.is_object(), r.err);
    CHECK(failure["level"] == "error");
    CHECK(failure["msg"] == "cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use");
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(other_db + suffix);
    CHECK(t.stop_bot(SIGTERM) == 0);
}

TEST_CASE("/metrics: reminders posted as Slack saw them; open incidents counted again after a restart") {
    bot_fixture t;
    const std::map<std::string, std::string> listen{{"INCIDENT_BOT_LISTEN", "127.0.0.1:0"}};
    t.start_bot({"--status-reminder", "2s"}, listen);
    unsigned short port = ops_port(t);
    const std::string ch = t.declare("Metrics reminders sev2", "Metrics reminders");
    const auto reminders = [&] {
        std::size_t n = 0;
        for (const auto& p : t.slack.posted_messages(ch))
            if (p["text"].get<std::string>().find("status-page update") != std::string::npos) ++n;
        return n;
    };
    REQUIRE_MESSAGE(t.slack.wait_for([&] { return reminders() >= 2; }, 8s), t.bot->log());
    CHECK(eventually(t, [&] {
        return metric(scrape(port), "incident_bot_reminders_posted_total") == static_cast<double>(reminders());
    }));
    CHECK(metric(scrape(port), "incident_bot_open_incidents") == 1);
    CHECK(t.stop_bot(SIGTERM) == 0);

    // A new process starts from the database: the open incident is counted before any command.
    t.start_bot({}, listen);
    port = ops_port(t);
    CHECK(eventually(t, [&] { return metric(scrape(port), "incident_bot_open_incidents") == 1; }, 5s));
    t.command(ch, alice, "resolve");
    CHECK(eventually(t, [&] { return metric(scrape(port), "incident_bot_open_incidents") == 0; }, 5s));
    CHECK(t.stop_bot(SIGTERM) == 0);
}

}  // TEST_SUITE ops

// ---- prometheus: promtool and a real Prometheus server (regular pass only) -----------------

TEST_SUITE("prometheus") {

TEST_CASE("promtool accepts /metrics and the shipped rules; a Prometheus started here scrapes the bot") {
    for (const char* tool : {"/usr/bin/promtool", "/usr/bin/prometheus"})
        REQUIRE_MESSAGE(std::filesystem::exists(tool), tool << " is missing: run scripts/setup.sh");
    bot_fixture t;
    t.start_bot({}, {{"INCIDENT_BOT_LISTEN", "127.0.0.1:0"}});
    const unsigned short port = ops_port(t);
    const std::string ch = t.declare("Prometheus test", "Prometheus test");
    std::vector<std::string> texts;
    for (int i = 0; i < 25; ++i) texts.push_back("scraped message " + std::to_string(i));
    for (const auto& id : t.slack.post_messages(ch, bob, texts)) REQUIRE(t.slack.wait_ack(id, 10s));

    // promtool lints the exposition (names, types, HELP) and the shipped config and rules.
    const std::string dir = ib::test::temp_path("ib-prometheus");
    std::filesystem::create_directories(dir);
    const auto body = http_get(port, "/metrics");
    REQUIRE(body);
    write_file(dir + "/metrics.txt", body->body);
    auto lint = run_to_end("/bin/sh", {"-c", "/usr/bin/promtool check metrics < '" + dir + "/metrics.txt'"});
    CHECK_MESSAGE(lint.exit_code == 0, lint.out << lint.err);
    CHECK_MESSAGE(lint.out.empty(), "promtool: " << lint.out);  // no lint warnings either
    const std::string deploy = std::string(IB_SOURCE_DIR) + "/deploy/prometheus";
    lint = run_to_end("/usr/bin/promtool", {"check", "config", deploy + "/prometheus.yml"});
    CHECK_MESSAGE(lint.exit_code == 0, lint.out << lint.err);
    // Each alert fires on its series after its `for`, and not before (synthetic series).
    lint = run_to_end("/usr/bin/promtool", {"test", "rules", deploy + "/incident-bot-alerts.test.yml"});
    CHECK_MESSAGE(lint.exit_code == 0, lint.out << lint.err);

    // A Prometheus of our own: 1 s scrapes of the bot, the shipped alert rules loaded.
    const unsigned short prom_port = ib::test::free_loopback_port();
    REQUIRE(prom_port != 0);
    write_file(dir + "/prometheus.yml",
               "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
               "rule_files: ['" + deploy + "/incident-bot-alerts.yml']\n"
               "scrape_configs:\n"
               "  - job_name: incident-bot\n"
               "    static_configs: [{targets: ['127.0.0.1:" + std::to_string(port) + "']}]\n");
    bot_process prometheus("/usr/bin/prometheus",
                           {"--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
                            "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"});
    const auto query = [&](const std::string& q) -> json {
        std::string encoded;
        for (unsigned char c : q) {
            if (std::isalnum(c) || c == '_') encoded += static_cast<char>(c);
            else {
                char hex[4];
                std::snprintf(hex, sizeof hex, "%%%02X", c);
                encoded += hex;
            }
        }
        const auto r = http_get(prom_port, "/api/v1/query?query=" + encoded, 2000);
        if (!r || r->status != 200) return json();
        const json j = json::parse(r->body, nullptr, false);
        if (j.is_discarded() || j.value("status", "") != "success" || j["data"]["result"].empty()) return json();
        return j["data"]["result"][0]["value"][1];  // the sample's value, as a string
    };
    const auto stored = metric(scrape(port), "incident_bot_events_stored_total");
    CHECK(stored >= static_cast<double>(texts.size()));
    json up, stored_seen;
    const bool scraped = t.slack.wait_for(
        [&] {
            std::this_thread::sleep_for(250ms);
            up = query("up{job=\"incident-bot\"}");
            stored_seen = query("incident_bot_events_stored_total{job=\"incident-bot\"}");
            return up == "1" && stored_seen == std::to_string(static_cast<long long>(stored));
        },
        30s);
    CHECK_MESSAGE(scraped, "up = " << up.dump() << ", stored = " << stored_seen.dump() << " (bot says " << stored
                                   << "); prometheus log:\n"
                                   << prometheus.log());
    // The alert rules evaluate against the real series without errors, and none fires (once
    // the first scrape is in: before it, IncidentBotDown's absent() is rightly pending).
    std::string last_rules;
    const auto rules_quiet = [&] {
        const auto r = http_get(prom_port, "/api/v1/rules", 2000);
        if (!r) return false;
        last_rules = r->body;
        const json rj = json::parse(r->body, nullptr, false);
        if (!rj.is_object()) return false;
        std::size_t quiet = 0;
        for (const auto& g : rj["data"]["groups"])
            for (const auto& rule : g["rules"])
                quiet += rule.value("health", "") == "ok" && rule.value("state", "") == "inactive" ? 1 : 0;
        return quiet == 6;
    };
    CHECK_MESSAGE(eventually(t, rules_quiet, 15s), "rules: " << last_rules);

    prometheus.signal(SIGTERM);
    CHECK(prometheus.wait(15s).has_value());
    CHECK(t.stop_bot(SIGTERM) == 0);
    std::filesystem::remove_all(dir);
}

}  // TEST_SUITE prometheus
