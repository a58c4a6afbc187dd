// bench_driver: measures incident-bot from Slack's side, next to a Bolt for JavaScript peer and a
// null client (the transport's limit). See bench/RESULTS.md; `bash bench/run.sh` runs it.
//
// For each bot, one at a time, as a child process against the in-process Slack simulator:
//   1. start-up: process start -> hello written (the first moment it can ack);
//   2. /incident start (the null client gets a plain channel), then bursts of N messages in the
//      incident channel, each handed to the simulator's socket writer at once (5 bursts for
//      incident-bot and the null client, taking turns, the median reported; 1 for the Bolt peer);
//   3. a steady run at R events/s for S seconds;
//   4. peak RSS (VmHWM of the process, read before it is stopped), then SIGTERM, then what it
//      stored (incident-bot export / the Bolt peer's SQLite file). On PostgreSQL also the
//      server's peak memory (its processes' PSS summed, sampled every second).
// Acks are timed by the simulator: from the moment an envelope's frame is written to the moment
// its ack is read. An event redelivered after a reconnect counts as acked when its redelivery is.
// Then, for incident-bot only: CPU per event by stage, export and summary of a 100,000-entry
// incident, start-up with a 1,000,000-row database, memory with 1,000 open incidents.

#include "chat_lines.hpp"
#include "child_process.hpp"
#include "datasets.hpp"

#include "sim/slack_simulator.hpp"
#include "core/export.hpp"
#include "core/recording.hpp"
#include "core/slack/envelope.hpp"
#include "core/tagger.hpp"
#include "core/summary.hpp"
#include "storage/store.hpp"
#include "tests/e2e/ops_client.hpp"  // the HTTP GET the ops tests use, for the /metrics scraper

#include <SQLiteCpp/SQLiteCpp.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <ctime>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using ib::sim::slack_simulator;
using ib::bench::child_process;

namespace {

// ---- options ---------------------------------------------------------------------------------

struct options {
    std::string incident_bot, null_client, bolt_dir, node = "node", work = "bench-work", out;
    std::string pg_uri;  // non-empty: incident-bot again on this PostgreSQL database ("pg")
    std::size_t events = 20'000;
    std::size_t bursts = 5;  // for incident-bot and the null client (the Bolt peer: 1, it takes minutes)
    std::size_t rate = 2'000;
    std::size_t seconds = 10;
    std::size_t long_incident = 100'000;
    std::size_t history_rows = 1'000'000;
    std::size_t open_incidents = 1'000;
    std::vector<std::string> only;  // ours, pg, scraped, bolt, null, storage, summary; empty = all
    bool wants(const std::string& what) const {
        return only.empty() || std::find(only.begin(), only.end(), what) != only.end();
    }
};

const char* const usage =
    "Usage: bench_driver --incident-bot PATH --null-client PATH --bolt-dir DIR [options]\n"
    "  (--null-client only when the null client runs, --bolt-dir only when the Bolt peer does)\n"
    "  --node PATH            node binary (default: node on PATH)\n"
    "  --work DIR             scratch directory for databases (default bench-work)\n"
    "  --out FILE             also write the results table (Markdown) there\n"
    "  --events N             burst size (default 20000)\n"
    "  --bursts N             bursts for incident-bot and the null client; the median is reported (default 5)\n"
    "  --rate N --seconds S   steady run (default 2000 events/s for 10 s)\n"
    "  --long-incident N      timeline entries for the export/summary benchmarks (default 100000)\n"
    "  --history-rows N       rows for the start-up benchmark (default 1000000)\n"
    "  --open-incidents N     open incidents for the memory benchmark (default 1000)\n"
    "  --pg URI               also run incident-bot on this PostgreSQL database (postgresql://…), its\n"
    "                         bursts alternating with the SQLite one's (\"pg\" in --only; bench/run.sh\n"
    "                         starts a throwaway cluster for it)\n"
    "  --only LIST            comma-separated subset of: ours,pg,scraped,bolt,null,storage,summary\n"
    "                         (scraped: incident-bot with --listen, /metrics fetched every second;\n"
    "                         summary: steady acks while the bot posts a long incident's summary)\n";

std::string which(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    std::stringstream ss(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(ss, dir, ':'))
        if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
    throw std::runtime_error(name + " not found on PATH");
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        const auto number = [&]() -> std::size_t { return static_cast<std::size_t>(std::stoull(next())); };
        if (a == "--incident-bot") o.incident_bot = next();
        else if (a == "--null-client") o.null_client = next();
        else if (a == "--bolt-dir") o.bolt_dir = next();
        else if (a == "--node") o.node = next();
        else if (a == "--work") o.work = next();
        else if (a == "--out") o.out = next();
        else if (a == "--pg") o.pg_uri = next();
        else if (a == "--events") o.events = number();
        else if (a == "--bursts") o.bursts = std::max<std::size_t>(1, number());
        else if (a == "--rate") o.rate = number();
        else if (a == "--seconds") o.seconds = number();
        else if (a == "--long-incident") o.long_incident = number();
        else if (a == "--history-rows") o.history_rows = number();
        else if (a == "--open-incidents") o.open_incidents = number();
        else if (a == "--only") {
            std::stringstream ss(next());
            for (std::string w; std::getline(ss, w, ',');) o.only.push_back(w);
        } else if (a == "-h" || a == "--help") {
            std::cout << usage;
            std::exit(0);
        } else
            throw std::runtime_error("unknown option " + a + "\n" + usage);
    }
    // The null client and the Bolt peer are needed only when they run (e.g. not for --only summary).
    if (o.incident_bot.empty() || (o.wants("null") && o.null_client.empty()) || (o.wants("bolt") && o.bolt_dir.empty()))
        throw std::runtime_error(std::string("missing a required option\n") + usage);
    o.incident_bot = fs::absolute(o.incident_bot).string();
    if (!o.null_client.empty()) o.null_client = fs::absolute(o.null_client).string();
    if (!o.bolt_dir.empty()) o.bolt_dir = fs::absolute(o.bolt_dir).string();
    if (o.wants("bolt")) o.node = which(o.node);
    return o;
}

// ---- small helpers -----------------------------------------------------------------------------

double ms(steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <class F>
double time_ms(F&& f) {
    const auto t0 = steady::now();
    f();
    return ms(steady::now() - t0);
}

double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Nearest rank.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return NAN;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// The fields of /proc/<pid>/stat from the third (state) on; empty when unreadable.
std::string stat_fields(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');  // the command name may contain spaces
    return close == std::string::npos || close + 2 > stat.size() ? std::string() : stat.substr(close + 2);
}

// utime + stime of a process, in seconds (from /proc/<pid>/stat); NAN when unreadable.
double cpu_seconds(int pid) {
    const auto stat = stat_fields(pid);
    if (stat.empty()) return NAN;
    std::istringstream fields(stat);
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i)
        if (i == 14 || i == 15) ticks += std::stod(f);  // utime, stime
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A field of /proc/<pid>/status in kB ("VmHWM", "VmRSS"); 0 when unreadable.
long proc_kb(int pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
    return 0;
}

std::string fmt(const char* f, double v) {
    if (std::isnan(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string tail(const std::string& s, std::size_t n = 1500) { return s.size() <= n ? s : "…" + s.substr(s.size() - n); }


std::vector<std::string> texts(const std::string& prefix, std::size_t from, std::size_t n) {
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = from; i < from + n; ++i)
        out.push_back("bench " + prefix + " " + std::to_string(i) + ": " +
                      std::string(ib::bench::k_burst_lines[i % ib::bench::k_burst_lines.size()]));
    return out;
}

// ---- acks --------------------------------------------------------------------------------------

struct ack_stats {
    std::size_t sent = 0, acked = 0;
    std::size_t redelivered = 0;  // of `acked`: acked only under a redelivery's envelope_id
    double per_second = NAN;  // acked / (last ack read - first frame written)
    double p50 = NAN, p99 = NAN, max = NAN;
    double send_rate = NAN;  // steady run: events written per second
};

void settle(const slack_simulator& sim, std::chrono::milliseconds quiet = std::chrono::milliseconds{400});

// Waits until `target` acks were read, or progress stalls for `stall`. After a reconnect an
// event may be acked twice (its first envelope late, on the new connection, and its
// redelivery), so then it also waits for the acks to stop.
void wait_acks(const slack_simulator& sim, std::size_t target, std::chrono::seconds stall) {
    std::size_t last = sim.ack_count();
    auto last_progress = steady::now();
    while (last < target) {
        std::this_thread::sleep_for(5ms);
        const std::size_t now = sim.ack_count();
        if (now != last) {
            last = now;
            last_progress = steady::now();
        } else if (steady::now() - last_progress > stall) {
            std::cerr << "  (no acks for " << stall.count() << " s: " << target - last << " missing)\n";
            return;
        }
    }
    if (sim.connections_opened() > 1) settle(sim, std::chrono::seconds{3});
}

std::string event_id_of(const slack_simulator& sim, const std::string& envelope_id) {
    const auto env = sim.envelope(envelope_id);
    if (!env) return {};
    const auto p = env->find("payload");
    if (p == env->end() || !p->is_object()) return {};
    return p->value("event_id", std::string());
}

// An event counts as acked when any envelope that carried it was acked: the one in `ids`, or a
// redelivery (new envelope_id, same event_id) after the bot's connection dropped. A redelivered
// event's latency runs from the redelivery's write.
ack_stats measure(const slack_simulator& sim, const std::vector<std::string>& ids) {
    std::unordered_map<std::string, slack_simulator::ack> by_id;
    const auto all = sim.acks();
    for (auto& a : all) by_id.emplace(a.envelope_id, a);
    std::unordered_map<std::string, const slack_simulator::ack*> redelivery_ack;  // event_id -> ack
    std::size_t missing = 0;
    for (const auto& id : ids) missing += by_id.count(id) ? 0 : 1;
    if (missing > 0) {
        std::unordered_map<std::string, bool> ours;
        for (const auto& id : ids) ours.emplace(id, true);
        for (const auto& a : all) {
            if (ours.count(a.envelope_id)) continue;
            const auto event = event_id_of(sim, a.envelope_id);
            if (!event.empty()) redelivery_ack.emplace(event, &a);
        }
    }
    ack_stats s;
    s.sent = ids.size();
    std::vector<double> lat;
    std::optional<steady::time_point> first_sent, last_ack;
    for (const auto& id : ids) {
        const slack_simulator::ack* found = nullptr;
        if (auto it = by_id.find(id); it != by_id.end()) {
            found = &it->second;
        } else if (!redelivery_ack.empty()) {
            if (auto r = redelivery_ack.find(event_id_of(sim, id)); r != redelivery_ack.end()) {
                found = r->second;
                ++s.redelivered;
            }
        }
        if (!found) continue;
        const auto& a = *found;
        ++s.acked;
        lat.push_back(ms(a.latency));
        const auto sent_at = a.at - a.latency;
        if (!first_sent || sent_at < *first_sent) first_sent = sent_at;
        if (!last_ack || a.at > *last_ack) last_ack = a.at;
    }
    std::sort(lat.begin(), lat.end());
    s.p50 = percentile(lat, 0.50);
    s.p99 = percentile(lat, 0.99);
    s.max = lat.empty() ? NAN : lat.back();
    if (first_sent && last_ack && *last_ack > *first_sent)
        s.per_second = static_cast<double>(s.acked) / std::chrono::duration<double>(*last_ack - *first_sent).count();
    return s;
}

// How fast the driver thread scripts a burst: one post_message call per event (the public API),
// or one post_messages call for all. Nothing is connected: frames wait in the simulator's outbox.
std::pair<double, double> calibrate(std::size_t n) {
    slack_simulator sim;
    sim.start();
    const auto t = texts("calibrate", 0, n);
    const double single = time_ms([&] {
        for (const auto& x : t) sim.post_message("C0CALIB01", "U0BENCH02", x);
    });
    const double bulk = time_ms([&] { sim.post_messages("C0CALIB01", "U0BENCH02", t); });
    sim.stop();
    return {static_cast<double>(n) / single * 1000, static_cast<double>(n) / bulk * 1000};
}

// ---- where an event's CPU time goes in incident-bot (same functions, in this process) --------

double thread_cpu_us() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

struct stage_costs {
    double parse_us = NAN, record_us = NAN, tag_us = NAN, ack_us = NAN, store_us = NAN;
    double batch_us = NAN;  // append_batch of 500 in a group, thread CPU
    // On --pg, wall-clock µs per entry (the server's work and the round trips are not this
    // thread's CPU): append one by one in groups of 500, and append_batch of 500 in a group.
    double pg_append_us = NAN, pg_batch_us = NAN;
};

// A fresh incident to append to, on `st`.
std::int64_t stage_incident(ib::storage::store& st, ib::time_point now, const std::string& key) {
    ib::incident inc;
    inc.title = "stages";
    inc.channel_id = "C0STAGE01";
    inc.channel_name = "inc-stages";
    inc.declared_by = "U0BENCH01";
    inc.declared_at = now;
    ib::timeline_entry decl;
    decl.kind = ib::entry_kind::declare;
    decl.at = now;
    decl.key = key;
    return st.create_incident(inc, decl);
}

// `entries` (keys made unique by `salt`) into incident `incident_id` of `st`, in groups of 500:
// one by one with append(), or each group with one append_batch().
void store_in_groups(ib::storage::store& st, std::vector<ib::timeline_entry> entries, std::int64_t incident_id,
                     const std::string& salt, bool batched) {
    for (auto& e : entries) {
        e.incident_id = incident_id;
        e.key += salt;
    }
    for (std::size_t i = 0; i < entries.size(); i += 500) {
        const std::size_t end = std::min(entries.size(), i + 500);
        st.begin_group();
        if (batched)
            st.append_batch(std::span(entries).subspan(i, end - i));
        else
            for (std::size_t j = i; j < end; ++j) st.append(entries[j]);
        st.commit_group();
    }
}

// Per event, in thread CPU time (so other load on the machine does not count): parse_frame of a
// real envelope from the simulator, to_timeline_entry (which tags), tag_message alone, make_ack,
// and store::append inside groups of 500 with the group's commit (the recorder's pattern).
stage_costs measure_stages(const options& o, std::size_t n) {
    slack_simulator sim;
    sim.start();
    const auto ids = sim.post_messages("C0STAGE01", "U0BENCH02", texts("flood", 0, n));
    std::vector<std::string> frames;
    frames.reserve(n);
    for (const auto& id : ids) {
        const auto env = sim.envelope(id);
        if (!env) throw std::runtime_error("stages: the simulator does not know envelope " + id);
        frames.push_back(env->dump());
    }
    sim.stop();

    stage_costs c;
    std::vector<ib::slack::frame> parsed;
    parsed.reserve(n);
    double t = thread_cpu_us();
    for (const auto& f : frames) parsed.push_back(ib::slack::parse_frame(f));
    c.parse_us = (thread_cpu_us() - t) / static_cast<double>(n);

    std::vector<ib::timeline_entry> entries;
    entries.reserve(n);
    const auto now = ib::time_point{std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch())};
    t = thread_cpu_us();
    for (const auto& f : parsed) {
        if (!std::holds_alternative<ib::slack::events_api>(f)) throw std::runtime_error("stages: a frame did not parse");
        if (auto r = ib::to_timeline_entry(std::get<ib::slack::events_api>(f), "U0SIMBOT1", now))
            entries.push_back(std::move(r->entry));
    }
    c.record_us = (thread_cpu_us() - t) / static_cast<double>(n);
    if (entries.size() != n) throw std::runtime_error("stages: not every event became an entry");

    std::size_t tags = 0;
    t = thread_cpu_us();
    for (const auto& e : entries) tags += ib::tag_message(e.text).size();
    c.tag_us = (thread_cpu_us() - t) / static_cast<double>(n);

    std::size_t bytes = 0;
    t = thread_cpu_us();
    for (const auto& id : ids) bytes += ib::slack::make_ack(id).size();
    c.ack_us = (thread_cpu_us() - t) / static_cast<double>(n);
    if (bytes == 0 || tags == 0) throw std::runtime_error("stages: nothing measured");

    const std::string db = (fs::path(o.work) / "stages.db").string();
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) fs::remove(db + suffix);
    {
        ib::storage::store st(db);
        const auto one = stage_incident(st, now, "stages-declare");
        t = thread_cpu_us();
        store_in_groups(st, entries, one, "", false);
        c.store_us = (thread_cpu_us() - t) / static_cast<double>(n);
        const auto batch = stage_incident(st, now, "stages-declare-batch");
        t = thread_cpu_us();
        store_in_groups(st, entries, batch, "-batch", true);
        c.batch_us = (thread_cpu_us() - t) / static_cast<double>(n);
    }
    if (!o.pg_uri.empty() && o.wants("pg")) {
        // Keys salted by the moment, so that a cluster kept from an earlier run takes them too.
        const auto salt = "-" + std::to_string(now.time_since_epoch().count());
        ib::storage::store st(o.pg_uri);
        const auto one = stage_incident(st, now, "stages-declare" + salt);
        c.pg_append_us = time_ms([&] { store_in_groups(st, entries, one, salt, false); }) * 1000 / static_cast<double>(n);
        const auto batch = stage_incident(st, now, "stages-declare-batch" + salt);
        c.pg_batch_us =
            time_ms([&] { store_in_groups(st, entries, batch, salt + "-batch", true); }) * 1000 / static_cast<double>(n);
    }
    return c;
}

// IB_BENCH_TRACE=DIR (diagnosis, off by default): each steady run's acks, one line per event
// ("sent_us acked_us" on the steady clock, CLOCK_MONOTONIC as the bot's own), and each bot's log
// are written to DIR, to line slow acks up with the bot's group commits (run the bot with
// INCIDENT_BOT_LOG_LEVEL=debug: recorder.cpp logs each group's phases).
std::string trace_path(const std::string& bot, const std::string& what) {
    const char* dir = std::getenv("IB_BENCH_TRACE");
    if (!dir || !*dir) return {};
    std::string name;
    for (const char c : bot) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return std::string(dir) + "/" + name + "-" + what;
}

void trace_acks(const slack_simulator& sim, const std::string& bot, const std::vector<std::string>& ids) {
    const auto path = trace_path(bot, "steady.tsv");
    if (path.empty()) return;
    std::unordered_map<std::string, slack_simulator::ack> by_id;
    for (auto& a : sim.acks()) by_id.emplace(a.envelope_id, a);
    std::ofstream out(path);
    const auto us = [](steady::time_point t) {
        return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    };
    for (const auto& id : ids)
        if (auto it = by_id.find(id); it != by_id.end())
            out << us(it->second.at - it->second.latency) << ' ' << us(it->second.at) << '\n';
}

// ---- one bot against the simulator -----------------------------------------------------------

enum class bot_kind { ours, bolt, null };

struct bot_spec {
    bot_kind kind;
    std::string name;
    std::string binary;
    std::vector<std::string> args;
    std::string db;  // empty for the null client
    std::map<std::string, std::string> env;
    std::size_t bursts = 1;
    unsigned short scrape_port = 0;  // non-zero: GET /metrics there every second while the bot runs
    // Runs once the simulator is up, before the bot starts (e.g. a channel and a database to match).
    std::function<void(slack_simulator&)> prepare = nullptr;
};

struct bot_result {
    std::string name;
    bool ok = false;
    std::string failure;
    double startup_ms = NAN;
    ack_stats burst, steady_run;
    long peak_rss_kb = 0;
    // On PostgreSQL (a server on this machine, its /proc readable): the server's memory, all its
    // processes (postmaster, the bot's backends, WAL writer, checkpointer, …) summed as PSS, so
    // the shared buffers count once; the highest of the samples taken every second.
    long server_peak_pss_kb = 0;
    std::size_t server_processes = 0;  // in that sample
    double burst_cpu_us = NAN;  // the bot's CPU time (user + system) per burst event
    std::size_t reconnects = 0;  // WebSocket connections opened after the first
    std::string groups;          // incident-bot: "N writes in M group commits" from its last log line
    std::size_t bursts = 0;      // bursts run; `burst` is the median one by acked/s
    double burst_min = INFINITY, burst_max = 0;
    std::size_t burst_acked_all = 0, burst_redelivered_all = 0;
    std::optional<std::size_t> stored;  // nullopt: stores nothing (null client)
    std::size_t expected = 0;
    std::optional<int> exit_code;
    // With scrape_port: scrapes made and failed, their duration and size.
    std::size_t scrapes = 0, scrape_failures = 0, scrape_bytes = 0;
    double scrape_ms_mean = NAN, scrape_ms_max = 0;
};

std::map<std::string, std::string> slack_env(const slack_simulator& sim) {
    return {{"SLACK_APP_TOKEN", sim.options().app_token},
            {"SLACK_BOT_TOKEN", sim.options().bot_token},
            {"SLACK_API_URL", sim.api_url()}};
}

// Waits until the ack count has not moved for `quiet`.
void settle(const slack_simulator& sim, std::chrono::milliseconds quiet) {
    std::size_t last = sim.ack_count();
    auto since = steady::now();
    while (steady::now() - since < quiet) {
        std::this_thread::sleep_for(20ms);
        const auto now = sim.ack_count();
        if (now != last) {
            last = now;
            since = steady::now();
        }
    }
}

// /incident start, then the id of the channel it created, once the announcement is posted.
std::optional<std::string> open_incident(slack_simulator& sim) {
    const auto env_id = sim.slash_command("C0SIMGEN1", "U0BENCH01", "start Bench flood sev2");
    if (!sim.wait_ack(env_id, 10s)) return std::nullopt;
    std::optional<std::string> channel;
    const bool ok = sim.wait_for(
        [&] {
            if (!channel) {
                auto creates = sim.calls("conversations.create");
                if (creates.empty()) return false;
                auto info = sim.channel_by_name(creates.back().args.value("name", std::string()));
                if (!info) return false;
                channel = info->id;
            }
            return !sim.posted_messages(*channel).empty();
        },
        20s);
    return ok ? channel : std::nullopt;
}

std::size_t count_stored(const options& o, const bot_spec& spec) {
    if (spec.kind == bot_kind::ours) {
        auto r = ib::bench::run_to_end(o.incident_bot,
                                      {"export", "--db", spec.db, "--incident", "latest", "--format", "json"}, {}, 120s);
        if (r.exit_code != 0) throw std::runtime_error("export failed: " + r.err);
        auto j = nlohmann::json::parse(r.out);
        std::size_t n = 0;
        for (const auto& e : j.at("timeline"))
            if (e.value("kind", "") == "message" && e.value("text", "").rfind("bench ", 0) == 0) ++n;
        return n;
    }
    SQLite::Database db(spec.db, SQLite::OPEN_READONLY);
    return static_cast<std::size_t>(
        db.execAndGet("SELECT count(*) FROM timeline WHERE kind = 'message' AND text LIKE 'bench %'").getInt64());
}

// The parent of `pid` (/proc/<pid>/stat); 0 when unreadable.
int ppid_of(int pid) {
    std::istringstream fields(stat_fields(pid));
    std::string state;
    int ppid = 0;
    fields >> state >> ppid;
    return ppid;
}

// The postmaster of the PostgreSQL server at `uri` when it runs on this machine (the parent of
// the backend serving a connection); 0 otherwise.
int postmaster_of(const std::string& uri) {
    PGconn* c = PQconnectdb(uri.c_str());
    int backend = 0;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult* r = PQexec(c, "SELECT pg_backend_pid()");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) backend = std::atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    PQfinish(c);
    const int parent = backend > 0 ? ppid_of(backend) : 0;
    return parent > 1 ? parent : 0;
}

// The postmaster and its children (the backends, WAL writer, checkpointer, …) as now.
std::vector<int> server_pids(int postmaster) {
    std::vector<int> pids{postmaster};
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        const auto name = e.path().filename().string();
        if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
        const int pid = std::atoi(name.c_str());
        if (ppid_of(pid) == postmaster) pids.push_back(pid);
    }
    return pids;
}

// A process's proportional set size in kB (smaps_rollup); 0 when unreadable.
long pss_kb(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("Pss:", 0) == 0) return std::atol(line.c_str() + 4);
    return 0;
}

// One bot running against its own simulator, measured phase by phase, so that two bots can take
// turns (their bursts alternate: load on a shared machine then hits both alike).
struct session {
    bot_spec spec;
    bot_result res;
    std::unique_ptr<slack_simulator> sim;
    std::unique_ptr<child_process> p;
    std::string channel;
    std::vector<ack_stats> runs;
    std::size_t burst_events = 0, steady_events = 0;
    double cpu_total = 0;
    // The /metrics scraper (spec.scrape_port): a thread fetching every second, as Prometheus would.
    std::thread scraper;
    std::atomic<bool> stop_scraping{false};
    double scrape_ms_total = 0;
    bool ok() const { return res.failure.empty(); }

    void start_scraping() {
        if (spec.scrape_port == 0) return;
        scraper = std::thread([this] {
            auto next = steady::now();
            while (!stop_scraping) {
                const auto t0 = steady::now();
                const auto r = ib::test::http_get(spec.scrape_port, "/metrics", 5000);
                const double took = ms(steady::now() - t0);
                if (r && r->status == 200) {
                    ++res.scrapes;
                    res.scrape_bytes = r->body.size();
                    scrape_ms_total += took;
                    res.scrape_ms_max = std::max(res.scrape_ms_max, took);
                } else {
                    ++res.scrape_failures;
                }
                next += 1s;
                while (!stop_scraping && steady::now() < next) std::this_thread::sleep_for(20ms);
            }
        });
    }
    void stop_scraper() {
        stop_scraping = true;
        if (scraper.joinable()) scraper.join();
        if (res.scrapes > 0) res.scrape_ms_mean = scrape_ms_total / static_cast<double>(res.scrapes);
    }
    // The PostgreSQL server's memory (spec.db a postgresql:// URI): sampled every second.
    std::thread server_sampler;
    std::atomic<bool> stop_sampling{false};
    void start_server_sampler() {
        if (!spec.db.starts_with("postgres")) return;
        const int postmaster = postmaster_of(spec.db);
        if (postmaster == 0) return;
        server_sampler = std::thread([this, postmaster] {
            while (!stop_sampling) {
                long total = 0;
                const auto pids = server_pids(postmaster);
                for (const int pid : pids) total += pss_kb(pid);
                if (total > res.server_peak_pss_kb) {
                    res.server_peak_pss_kb = total;
                    res.server_processes = pids.size();
                }
                for (int i = 0; i < 50 && !stop_sampling; ++i) std::this_thread::sleep_for(20ms);
            }
        });
    }
    void stop_server_sampler() {
        stop_sampling = true;
        if (server_sampler.joinable()) server_sampler.join();
    }
    ~session() {
        stop_scraper();
        stop_server_sampler();
    }
};

// Starts the simulator and the bot (start-up time), opens the incident; res.failure on failure.
std::unique_ptr<session> open_session(const bot_spec& spec) {
    auto s = std::make_unique<session>();
    s->spec = spec;
    s->res.name = spec.name;
    ib::sim::simulator_options so;
    so.emit_app_mention = false;
    s->sim = std::make_unique<slack_simulator>(so);
    auto& sim = *s->sim;
    sim.start();
    auto env = slack_env(sim);
    for (const auto& [k, v] : spec.env) env[k] = v;
    if (spec.prepare) spec.prepare(sim);

    std::cerr << "== " << spec.name << ": start\n";
    const auto t0 = steady::now();
    s->p = std::make_unique<child_process>(spec.binary, spec.args, env);
    if (!sim.wait_connected(60s)) {
        s->res.failure = "never connected; log:\n" + tail(s->p->log());
        return s;
    }
    s->res.startup_ms = ms(steady::now() - t0);
    s->start_scraping();
    s->start_server_sampler();
    if (spec.kind == bot_kind::null) {
        s->channel = sim.create_channel("inc-bench-flood", "U0BENCH01");
    } else {
        auto c = open_incident(sim);
        if (!c) {
            s->res.failure = "/incident start did not complete; log:\n" + tail(s->p->log());
            return s;
        }
        s->channel = *c;
    }
    settle(sim);
    return s;
}

// Burst number r: every frame built first, then handed to the writer in one step; returns once
// all are acked (or acks stall).
void run_burst(const options& o, session& s, std::size_t r) {
    auto& sim = *s.sim;
    std::cerr << "== " << s.spec.name << ": burst of " << o.events << " (" << r + 1 << "/" << s.spec.bursts << ")\n";
    const auto burst_texts = texts("flood" + std::to_string(r), 0, o.events);
    const std::size_t base = sim.ack_count();
    const double cpu_before = cpu_seconds(s.p->pid());
    const auto burst_ids = sim.post_messages(s.channel, "U0BENCH02", burst_texts);
    wait_acks(sim, base + burst_ids.size(), 60s);
    s.cpu_total += cpu_seconds(s.p->pid()) - cpu_before;
    s.runs.push_back(measure(sim, burst_ids));
    s.burst_events += burst_ids.size();
    settle(sim);
}

// Something done once during a steady run, `after` its start, on the driver thread between two
// batches (e.g. a slash command).
struct midway {
    steady::duration after{};
    std::function<void()> act;
};

// The steady run: batches every 5 ms on a fixed schedule. Returns the envelope ids it sent.
std::vector<std::string> run_steady(const options& o, session& s, const midway& also = {}) {
    auto& sim = *s.sim;
    const std::size_t total = o.rate * o.seconds;
    std::cerr << "== " << s.spec.name << ": steady " << o.rate << "/s for " << o.seconds << " s\n";
    const auto steady_texts = texts("steady", 0, total);
    const std::size_t base = sim.ack_count();
    std::vector<std::string> steady_ids;
    steady_ids.reserve(total);
    const auto tick = 5ms;
    const auto start = steady::now();
    bool acted = !also.act;
    for (std::size_t sent = 0, k = 1; sent < total; ++k) {
        std::this_thread::sleep_until(start + k * tick);
        if (!acted && steady::now() - start >= also.after) {
            also.act();
            acted = true;
        }
        // Whatever the schedule says is due by now (rate * elapsed), so rounding never drifts.
        const auto due = std::min(total, static_cast<std::size_t>(static_cast<double>(o.rate) *
                                                                  std::chrono::duration<double>(k * tick).count()));
        if (due <= sent) continue;
        const std::size_t n = due - sent;
        std::vector<std::string> batch(steady_texts.begin() + static_cast<std::ptrdiff_t>(sent),
                                       steady_texts.begin() + static_cast<std::ptrdiff_t>(sent + n));
        auto ids = sim.post_messages(s.channel, "U0BENCH03", batch);
        steady_ids.insert(steady_ids.end(), ids.begin(), ids.end());
        sent += n;
    }
    const double send_seconds = std::chrono::duration<double>(steady::now() - start).count();
    wait_acks(sim, base + steady_ids.size(), 60s);
    // The action's own acks (a command's, the events of the bot's posts) count towards the target
    // too: wait until the acks stop, so the run's last events are in.
    if (also.act) settle(sim);
    s.res.steady_run = measure(sim, steady_ids);
    trace_acks(sim, s.spec.name, steady_ids);
    s.res.steady_run.send_rate = static_cast<double>(total) / send_seconds;
    s.steady_events += steady_ids.size();
    return steady_ids;
}

// Peak RSS (VmHWM: the kernel keeps the high-water mark, no sampling needed), reconnects, then
// SIGTERM and what the bot stored.
bot_result close_session(const options& o, session& s) {
    auto& res = s.res;
    if (!s.ok()) return res;
    auto& sim = *s.sim;
    auto& p = *s.p;
    auto runs = s.runs;
    std::sort(runs.begin(), runs.end(), [](const ack_stats& x, const ack_stats& y) { return x.per_second < y.per_second; });
    if (!runs.empty()) {  // (a session may run steady only)
        res.burst_cpu_us = s.cpu_total * 1e6 / static_cast<double>(s.burst_events);
        res.burst = runs[runs.size() / 2];  // the median burst by acked/s
    }
    res.bursts = runs.size();
    for (const auto& r : runs) {
        res.burst_min = std::min(res.burst_min, r.per_second);
        res.burst_max = std::max(res.burst_max, r.per_second);
        res.burst_acked_all += r.acked;
        res.burst_redelivered_all += r.redelivered;
    }
    s.stop_scraper();
    s.stop_server_sampler();
    res.peak_rss_kb = proc_kb(p.pid(), "VmHWM");
    res.reconnects = sim.connections_opened() > 0 ? sim.connections_opened() - 1 : 0;
    if (res.reconnects > 0) {
        // Why it reconnected, from its own log (first few lines that say).
        std::istringstream log(p.log());
        int shown = 0;
        for (std::string line; std::getline(log, line) && shown < 4;)
            if (line.find("ping") != std::string::npos || line.find("onnect") != std::string::npos ||
                line.find("pong") != std::string::npos) {
                std::cerr << "  log: " << line.substr(0, 240) << "\n";
                ++shown;
            }
    }
    p.signal(SIGTERM);
    res.exit_code = p.wait(60s);
    if (!res.exit_code) {
        p.signal(SIGKILL);
        p.wait(5s);
    }
    res.expected = s.burst_events + s.steady_events;
    if (const auto path = trace_path(s.spec.name, "bot.log"); !path.empty()) std::ofstream(path) << p.log();
    if (s.spec.kind == bot_kind::ours) {
        const std::string log = p.log();
        const auto at = log.rfind("stopped; ");
        if (at != std::string::npos) res.groups = log.substr(at + 9, log.find('\n', at) - at - 9);
    }
    if (s.spec.kind != bot_kind::null) res.stored = count_stored(o, s.spec);
    res.ok = true;
    sim.stop();
    return res;
}

// Runs `specs` together: all started, then burst 1 of each in turn, burst 2 of each, …, then the
// steady runs one after the other, then each is stopped and checked.
std::vector<bot_result> run_interleaved(const options& o, const std::vector<bot_spec>& specs) {
    std::vector<std::unique_ptr<session>> sessions;
    for (const auto& spec : specs) sessions.push_back(open_session(spec));
    std::size_t most = 0;
    for (const auto& spec : specs) most = std::max(most, spec.bursts);
    for (std::size_t r = 0; r < most; ++r)
        for (auto& s : sessions)
            if (s->ok() && r < s->spec.bursts) run_burst(o, *s, r);
    for (auto& s : sessions)
        if (s->ok()) run_steady(o, *s);
    std::vector<bot_result> out;
    for (auto& s : sessions) {
        out.push_back(close_session(o, *s));
        if (!out.back().ok) std::cerr << "  " << out.back().name << " failed: " << out.back().failure << "\n";
    }
    return out;
}

// ---- acks while the summary of a long incident is computed (issue 12) -----------------------

struct summary_load_result {
    bool ok = false;
    std::string failure;
    std::size_t entries = 0;  // in the long incident
    // The steady run without the summary, with it, and (of the latter) the events whose frames
    // were written while it was computed: from the resolve's frame to the summary's post.
    ack_stats quiet, loaded, window;
    double resolve_at_s = NAN;   // when the resolve was written, in seconds into the run
    double summary_ms = NAN;     // resolve written -> the summary's chat.postMessage received
    double review_ms = NAN;      // resolve written -> the review prompt's
    double resolve_ack_ms = NAN;
    bool within_run = false;     // the summary was posted before the run's last frame was written
    std::size_t stored = 0, expected = 0;
    std::size_t long_after = 0;  // the long incident's entries after the run (resolve and summary added)
    bool resolved = false;
    std::string load_before, load_after;  // /proc/loadavg
};

std::string loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

// incident-bot runs on a database that already holds an open incident of o.long_incident entries
// (its channel made in the simulator first, the bot a member); it opens a second incident for the
// steady run. Two steady runs into that second channel: one plain, then one during which
// `/incident resolve` is sent in the long incident's channel a third of the way in. The resolve
// makes the bot load the whole timeline on its reader connection, summarize it, build the review
// prompt and post both; the acks of the events written meanwhile are the figure.
summary_load_result run_summary_load(const options& o, const std::string& db) {
    summary_load_result r;
    std::string long_channel;
    std::int64_t long_id = 0;
    bot_spec spec{bot_kind::ours, "incident-bot, summary of a long incident", o.incident_bot, {"run", "--db", db}, db, {}, 0};
    spec.prepare = [&](slack_simulator& sim) {
        long_channel = sim.create_channel("inc-20261201-checkout-errors", sim.bot_user_id());
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
        // Declared so that its last entry is a minute old: one entry a second until then.
        std::cerr << "== summary under load: writing an open incident of " << o.long_incident << " entries\n";
        const auto set = ib::bench::make_long_incident(
            db, o.long_incident,
            {.resolved = false, .channel = long_channel,
             .start_unix = now.count() - static_cast<std::int64_t>(o.long_incident) - 60});
        r.entries = set.entries;
        long_id = set.last_incident_id;
    };
    auto sp = open_session(spec);
    session& s = *sp;
    if (!s.ok()) {
        r.failure = s.res.failure;
        return r;
    }
    auto& sim = *s.sim;
    r.load_before = loadavg();

    std::cerr << "== summary under load: steady run without the summary\n";
    run_steady(o, s);
    r.quiet = s.res.steady_run;
    settle(sim);

    std::cerr << "== summary under load: steady run, /incident resolve on the long incident a third of the way in\n";
    std::string resolve_id;
    const midway resolve{std::chrono::milliseconds{o.seconds * 1000 / 3},
                         [&] { resolve_id = sim.slash_command(long_channel, "U0PEOPLE01", "resolve errors back to baseline"); }};
    const auto ids = run_steady(o, s, resolve);
    r.loaded = s.res.steady_run;
    r.load_after = loadavg();

    const auto fail = [&](const std::string& why) {
        r.failure = why + "; log:\n" + tail(s.p->log());
        close_session(o, s);
        return r;
    };
    const auto cmd = sim.wait_ack(resolve_id, 10s);
    if (!cmd) return fail("/incident resolve was not acked");
    const auto written = cmd->at - cmd->latency;
    r.resolve_ack_ms = ms(cmd->latency);
    // The bot's posts in the long incident's channel after the resolve: the summary (its header,
    // not the ":white_check_mark: *Resolved* by" announcement), then the review prompt (both
    // computed before the summary is posted).
    std::optional<steady::time_point> summary_at, review_at;
    const std::string summary_head = ":white_check_mark: *Incident #" + std::to_string(long_id) + " resolved";
    sim.wait_for(
        [&] {
            for (const auto& c : sim.calls("chat.postMessage")) {
                if (c.at < written || c.args.value("channel", std::string()) != long_channel) continue;
                const auto text = c.args.value("text", std::string());
                if (!summary_at && text.rfind(summary_head, 0) == 0) summary_at = c.at;
                if (!review_at && text.rfind(":spiral_note_pad: *", 0) == 0) review_at = c.at;
            }
            return summary_at && review_at;
        },
        60s);
    if (!summary_at) return fail("no summary posted in the long incident's channel within 60 s of the resolve");
    r.summary_ms = ms(*summary_at - written);
    if (review_at) r.review_ms = ms(*review_at - written);

    // Split the run's events by when their frames were written.
    std::unordered_map<std::string, slack_simulator::ack> by_id;
    for (auto& a : sim.acks()) by_id.emplace(a.envelope_id, a);
    std::optional<steady::time_point> first, last;
    std::vector<std::string> during;
    for (const auto& id : ids) {
        const auto it = by_id.find(id);
        if (it == by_id.end()) continue;
        const auto at = it->second.at - it->second.latency;
        if (!first || at < *first) first = at;
        if (!last || at > *last) last = at;
        if (at >= written && at <= *summary_at) during.push_back(id);
    }
    r.window = measure(sim, during);
    r.within_run = first && last && written > *first && *summary_at < *last;
    if (first) r.resolve_at_s = std::chrono::duration<double>(written - *first).count();

    const auto closed = close_session(o, s);
    r.stored = closed.stored.value_or(0);
    r.expected = closed.expected;
    ib::storage::store st(db, {.read_only = true});
    const auto inc = st.incident_by_id(long_id);
    r.resolved = inc && !inc->is_open();
    r.long_after = st.timeline(long_id).size();
    r.ok = true;
    return r;
}

// ---- storage-side benchmarks (incident-bot only) -------------------------------------------

struct storage_result {
    std::size_t long_entries = 0;
    double load_ms = NAN, export_json_ms = NAN, summary_ms = NAN, cli_export_ms = NAN;
    std::size_t history_rows = 0;
    double startup_empty_ms = NAN, startup_history_ms = NAN;
    double open_history_ms = NAN;  // in process: open the database and read its incidents, as the bot does
    std::size_t open_incidents = 0;
    double startup_open_ms = NAN;
    double open_open_ms = NAN;  // in process: what the bot reads at start-up from that database
    long rss_empty_kb = 0, rss_open_kb = 0;
};

// Starts incident-bot on `db`: (process start -> hello written, VmHWM after an /incident list).
std::pair<double, long> start_and_measure(const options& o, const std::string& db) {
    slack_simulator sim;
    sim.start();
    const auto t0 = steady::now();
    child_process p(o.incident_bot, {"run", "--db", db}, slack_env(sim));
    if (!sim.wait_connected(60s)) throw std::runtime_error("incident-bot never connected:\n" + tail(p.log()));
    const double startup = ms(steady::now() - t0);
    // One command that walks the open incidents, so their memory is touched.
    const auto id = sim.slash_command("C0SIMGEN1", "U0BENCH01", "list");
    sim.wait_ack(id, 10s);
    std::this_thread::sleep_for(200ms);
    const long rss = proc_kb(p.pid(), "VmHWM");
    p.signal(SIGTERM);
    p.wait(30s);
    sim.stop();
    return {startup, rss};
}

storage_result run_storage(const options& o) {
    storage_result r;
    fs::create_directories(o.work);

    // Export and summary of one long incident.
    const std::string long_db = (fs::path(o.work) / "long-incident.db").string();
    fs::remove(long_db);
    std::cerr << "== storage: writing an incident of " << o.long_incident << " entries\n";
    const auto long_set = ib::bench::make_long_incident(long_db, o.long_incident);
    r.long_entries = long_set.entries;
    {
        ib::storage::store st(long_db, {.read_only = true});
        std::vector<double> load, exp, sum, cli;
        for (int i = 0; i < 5; ++i) {
            ib::incident_record rec;
            load.push_back(time_ms([&] {
                rec.inc = *st.incident_by_id(long_set.last_incident_id);
                rec.timeline = st.timeline(long_set.last_incident_id);
            }));
            std::size_t bytes = 0;
            exp.push_back(time_ms([&] { bytes = ib::export_json(rec).size(); }));
            std::size_t text = 0;
            sum.push_back(time_ms([&] { text = ib::render_summary_text(ib::summarize(rec)).size(); }));
            if (bytes == 0 || text == 0) throw std::runtime_error("empty export or summary");
            // Spawn to exit, the JSON written to a file; checked (outside the timing) to be the
            // whole document.
            const auto res = ib::bench::run_to_end(o.incident_bot, {"export", "--db", long_db, "--incident", "latest",
                                                                   "--format", "json"});
            if (res.exit_code != 0) throw std::runtime_error("export failed: " + res.err);
            if (res.out.size() != bytes) throw std::runtime_error("export printed " + std::to_string(res.out.size()) +
                                                                  " bytes, export_json made " + std::to_string(bytes));
            cli.push_back(ms(res.elapsed));
        }
        r.load_ms = median(load);
        r.export_json_ms = median(exp);
        r.summary_ms = median(sum);
        r.cli_export_ms = median(cli);
    }

    // Start-up with a long history: 1,000 resolved incidents of history_rows/1000 entries.
    const std::string history_db = (fs::path(o.work) / "history.db").string();
    const std::string empty_db = (fs::path(o.work) / "empty.db").string();
    fs::remove(history_db);
    fs::remove(empty_db);
    std::cerr << "== storage: writing a history of " << o.history_rows << " rows\n";
    const std::size_t per = std::max<std::size_t>(2, o.history_rows / 1000);
    r.history_rows = ib::bench::make_history(history_db, o.history_rows / per, per, true).entries;
    { ib::storage::store st(empty_db); }
    std::vector<double> empty_s, history_s;
    std::vector<long> empty_rss;
    for (int i = 0; i < 5; ++i) {
        auto [se, re] = start_and_measure(o, empty_db);
        empty_s.push_back(se);
        empty_rss.push_back(re);
        history_s.push_back(start_and_measure(o, history_db).first);
    }
    std::vector<double> open_s;
    for (int i = 0; i < 5; ++i)
        open_s.push_back(time_ms([&] {
            ib::storage::store st(history_db);
            const auto all = st.incidents_declared_between(ib::from_unix_seconds(0), ib::from_unix_seconds(100'000'000'000));
            if (all.empty()) throw std::runtime_error("history: no incidents");
        }));
    r.open_history_ms = median(open_s);
    r.startup_empty_ms = median(empty_s);
    r.startup_history_ms = median(history_s);
    std::sort(empty_rss.begin(), empty_rss.end());
    r.rss_empty_kb = empty_rss[empty_rss.size() / 2];

    // Memory with many open incidents (20 entries each).
    const std::string open_db = (fs::path(o.work) / "open-incidents.db").string();
    fs::remove(open_db);
    std::cerr << "== storage: " << o.open_incidents << " open incidents\n";
    r.open_incidents = ib::bench::make_history(open_db, o.open_incidents, 20, false).incidents;
    std::vector<long> open_rss;
    std::vector<double> open_start;
    for (int i = 0; i < 3; ++i) {
        auto [ms_, kb] = start_and_measure(o, open_db);
        open_start.push_back(ms_);
        open_rss.push_back(kb);
    }
    r.startup_open_ms = median(open_start);
    std::vector<double> open_read;
    for (int i = 0; i < 5; ++i)
        open_read.push_back(time_ms([&] {
            // As the bot's constructor: every incident, then each open one's status-page and
            // reminder entries (its reminder schedule).
            ib::storage::store st(open_db);
            const ib::entry_kind kinds[] = {ib::entry_kind::statuspage, ib::entry_kind::reminder};
            std::size_t n = 0;
            for (const auto& inc :
                 st.incidents_declared_between(ib::from_unix_seconds(0), ib::from_unix_seconds(100'000'000'000)))
                if (inc.is_open()) n += 1 + st.timeline_of_kinds(inc.id, kinds).size();
            if (n == 0) throw std::runtime_error("open incidents: none open");
        }));
    r.open_open_ms = median(open_read);
    std::sort(open_rss.begin(), open_rss.end());
    r.rss_open_kb = open_rss[open_rss.size() / 2];
    return r;
}

// ---- report ------------------------------------------------------------------------------------

std::string mb(long kb) { return kb > 0 ? fmt("%.1f MB", static_cast<double>(kb) / 1024.0) : "n/a"; }

std::string verdict(bool pass) { return pass ? "**pass**" : "**FAIL**"; }

// "p50 / p99 / max ms"
std::string lat(const ack_stats& a) {
    return fmt("%.1f", a.p50) + " / " + fmt("%.1f", a.p99) + " / " + fmt("%.1f ms", a.max);
}

const std::string scraped_name = "incident-bot, /metrics scraped every 1 s";
const std::string pg_name = "incident-bot on PostgreSQL";

std::string report(const options& o, const std::vector<bot_result>& bots, const std::optional<storage_result>& st,
                   std::pair<double, double> scripting, const std::optional<stage_costs>& stages,
                   const std::optional<summary_load_result>& sl) {
    std::ostringstream out;
    const auto find = [&](const std::string& name) -> const bot_result* {
        for (const auto& b : bots)
            if (b.name == name && b.ok) return &b;
        return nullptr;
    };
    const auto* ours = find("incident-bot");
    const auto* bolt = find("Bolt (JS)");
    const auto* null = find("null client");
    if (!bots.empty()) {
        out << "### Burst: " << o.events << " messages at once (incident-bot and null client: median of " << o.bursts
            << " bursts, range in brackets); steady: " << o.rate << "/s for " << o.seconds << " s\n\n";
        out << "| bot | start-up | burst acked/s | burst ack p50 / p99 / max | steady ack p50 / p99 / max | "
               "CPU / event | acked | stored | reconnects (redelivered) | peak RSS |\n";
        out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
        for (const auto& b : bots) {
            if (!b.ok) {
                out << "| " << b.name << " | failed: " << b.failure.substr(0, b.failure.find('\n')) << " |||||||||\n";
                continue;
            }
            const std::string rate = b.bursts > 1 ? fmt("%.0f", b.burst.per_second) + " (" + fmt("%.0f", b.burst_min) +
                                                        "–" + fmt("%.0f", b.burst_max) + ")"
                                                  : fmt("%.0f", b.burst.per_second);
            out << "| " << b.name << " | " << fmt("%.0f ms", b.startup_ms) << " | " << rate
                << " | " << lat(b.burst) << " | " << lat(b.steady_run) << " | " << fmt("%.0f µs", b.burst_cpu_us)
                << " | " << b.burst_acked_all + b.steady_run.acked << " / " << b.expected << " | "
                << (b.stored ? std::to_string(*b.stored) + " / " + std::to_string(b.expected) : std::string("—"))
                << " | " << b.reconnects << " (" << b.burst_redelivered_all + b.steady_run.redelivered << ")"
                << " | " << mb(b.peak_rss_kb) << " |\n";
        }
        out << "\nSteady run, events written per second: ";
        for (const auto& b : bots)
            if (b.ok) out << b.name << " " << fmt("%.0f", b.steady_run.send_rate) << "; ";
        out << "\nScripting a burst on the driver thread: " << fmt("%.0f", scripting.first)
            << " events/s through post_message one by one, " << fmt("%.0f", scripting.second)
            << " events/s through post_messages (the bench's bulk call; the frames reach the writer in one step).\n";
    }
    if (ours && !ours->groups.empty()) out << "\nincident-bot's recorder: " << ours->groups << ".\n";
    const auto* pg = find(pg_name);
    if (pg && !pg->groups.empty()) out << "\nincident-bot's recorder on PostgreSQL: " << pg->groups << ".\n";
    if (pg && ours)
        out << "\nPostgreSQL beside SQLite, same run, bursts alternating: burst acked/s " << fmt("%.0f", pg->burst.per_second)
            << " vs " << fmt("%.0f", ours->burst.per_second) << " (" << fmt("%.2f", pg->burst.per_second / ours->burst.per_second)
            << "), steady ack p50 / p99 " << fmt("%.1f", pg->steady_run.p50) << " / " << fmt("%.1f ms", pg->steady_run.p99)
            << " vs " << fmt("%.1f", ours->steady_run.p50) << " / " << fmt("%.1f ms", ours->steady_run.p99) << ", peak RSS "
            << mb(pg->peak_rss_kb) << " vs " << mb(ours->peak_rss_kb) << "; the PostgreSQL server's peak PSS "
            << mb(pg->server_peak_pss_kb) << " (" << pg->server_processes
            << " processes summed, sampled every second; n/a: not on this machine).\n";
    const auto* scraped = find(scraped_name);
    if (scraped) {
        out << "\n" << scraped_name << ": " << scraped->scrapes << " scrapes (" << scraped->scrape_failures
            << " failed), " << fmt("%.1f ms", scraped->scrape_ms_mean) << " mean / " << fmt("%.1f ms", scraped->scrape_ms_max)
            << " max each, " << scraped->scrape_bytes << " bytes of exposition.";
        if (ours)
            out << " Against incident-bot unscraped (bursts alternating): burst acked/s "
                << fmt("%.0f", scraped->burst.per_second) << " vs " << fmt("%.0f", ours->burst.per_second) << " ("
                << fmt("%.2f", scraped->burst.per_second / ours->burst.per_second) << "), burst ack p99 "
                << fmt("%.1f", scraped->burst.p99) << " vs " << fmt("%.1f ms", ours->burst.p99) << ", steady ack p99 "
                << fmt("%.1f", scraped->steady_run.p99) << " vs " << fmt("%.1f ms", ours->steady_run.p99) << ".";
        out << "\n";
    }
    if (stages) {
        out << "\nincident-bot's CPU per event by stage (thread CPU time, in this process): parse_frame "
            << fmt("%.1f", stages->parse_us) << " µs, to_timeline_entry " << fmt("%.1f", stages->record_us)
            << " µs (of which tag_message " << fmt("%.1f", stages->tag_us) << " µs), make_ack "
            << fmt("%.1f", stages->ack_us) << " µs, store::append in groups of 500 " << fmt("%.1f", stages->store_us)
            << " µs (+ fsync per group, off-CPU), store::append_batch of 500 in a group " << fmt("%.1f", stages->batch_us)
            << " µs.\n";
        if (!std::isnan(stages->pg_append_us))
            out << "\nOn PostgreSQL, wall-clock per entry in this process (round trips and the server's work included): "
                   "store::append in groups of 500 "
                << fmt("%.1f µs", stages->pg_append_us) << ", store::append_batch of 500 in a group "
                << fmt("%.1f µs", stages->pg_batch_us) << ".\n";
    }
    if (st) {
        out << "\n### incident-bot storage\n\n| what | time / size |\n|---|---:|\n";
        out << "| load " << st->long_entries << " timeline entries from SQLite | " << fmt("%.0f ms", st->load_ms)
            << " |\n";
        out << "| export_json of them (in process) | " << fmt("%.0f ms", st->export_json_ms) << " |\n";
        out << "| summarize + render_summary_text (in process) | " << fmt("%.0f ms", st->summary_ms) << " |\n";
        out << "| `incident-bot export --format json` (whole process: spawn to exit, stdout to a file) | " << fmt("%.0f ms", st->cli_export_ms)
            << " |\n";
        out << "| start-up, empty database (process start to hello) | " << fmt("%.0f ms", st->startup_empty_ms)
            << " |\n";
        out << "| start-up, " << st->history_rows << "-row database | " << fmt("%.0f ms", st->startup_history_ms)
            << " |\n";
        out << "| … of which: open it and read its incidents (in process) | " << fmt("%.0f ms", st->open_history_ms)
            << " |\n";
        out << "| start-up, " << st->open_incidents << " open incidents | " << fmt("%.0f ms", st->startup_open_ms)
            << " |\n";
        out << "| … of which: read the incidents and their reminder entries (in process) | "
            << fmt("%.0f ms", st->open_open_ms) << " |\n";
        out << "| RSS (VmHWM), empty database | " << mb(st->rss_empty_kb) << " |\n";
        out << "| RSS (VmHWM), " << st->open_incidents << " open incidents | " << mb(st->rss_open_kb) << " |\n";
    }

    if (sl && !sl->ok) out << "\n### Acks while a long incident's summary is computed: failed: " << sl->failure << "\n";
    if (sl && sl->ok) {
        out << "\n### Acks at " << o.rate << " events/s while the summary of a " << sl->entries
            << "-entry incident is computed\n\n";
        out << "Steady " << o.rate << "/s for " << o.seconds << " s into one incident channel, twice; in the second run "
            << "`/incident resolve` in the long incident's channel at " << fmt("%.1f s", sl->resolve_at_s)
            << " (summary and review prompt read on the reader connection, then posted). Load average "
            << sl->load_before << " before, " << sl->load_after << " after.\n\n";
        out << "| steady run | acked | ack p50 / p99 / max |\n|---|---:|---:|\n";
        out << "| without the summary | " << sl->quiet.acked << " / " << sl->quiet.sent << " | " << lat(sl->quiet) << " |\n";
        out << "| with the summary, whole run | " << sl->loaded.acked << " / " << sl->loaded.sent << " | "
            << lat(sl->loaded) << " |\n";
        out << "| … events written from the resolve to the summary's post | " << sl->window.acked << " / "
            << sl->window.sent << " | " << lat(sl->window) << " |\n";
        out << "\nResolve written → acked " << fmt("%.1f ms", sl->resolve_ack_ms) << ", → summary posted "
            << fmt("%.0f ms", sl->summary_ms) << ", → review prompt posted " << fmt("%.0f ms", sl->review_ms)
            << "; posted while the run was still sending: " << (sl->within_run ? "yes" : "**no**")
            << "; the long incident resolved: " << (sl->resolved ? "yes" : "**no**") << ", " << sl->long_after
            << " entries; steady events stored " << sl->stored << " / " << sl->expected << ".\n";
    }

    out << "\n### Targets\n\n| target | measured | |\n|---|---:|---|\n";
    if (ours && bolt) {
        const double x = ours->burst.per_second / bolt->burst.per_second;
        out << "| burst acked/s ≥ 10× Bolt | " << fmt("%.1f×", x) << " | " << verdict(x >= 10) << " |\n";
    }
    if (ours && null) {
        const double x = ours->burst.per_second / null->burst.per_second;
        out << "| burst acked/s ≥ 90% of the null client | " << fmt("%.0f%%", 100 * x) << " | " << verdict(x >= 0.9)
            << " |\n";
    }
    if (ours) {
        out << "| burst ack p99 < 100 ms | " << fmt("%.1f ms", ours->burst.p99) << " | "
            << verdict(ours->burst.p99 < 100) << " |\n";
        out << "| peak RSS < 25 MB | " << mb(ours->peak_rss_kb) << " | " << verdict(ours->peak_rss_kb < 25 * 1024)
            << " |\n";
        const bool none_lost = ours->burst_acked_all + ours->steady_run.acked == ours->expected && ours->stored &&
                               *ours->stored == ours->expected;
        out << "| zero events lost (all acked, all stored) | " << ours->expected - (ours->stored ? *ours->stored : 0)
            << " lost | " << verdict(none_lost) << " |\n";
    }
    if (pg) {
        out << "| on PostgreSQL (loopback): burst acked/s ≥ 10,000 | " << fmt("%.0f", pg->burst.per_second) << " | "
            << verdict(pg->burst.per_second >= 10'000) << " |\n";
        out << "| on PostgreSQL: steady ack p99 < 20 ms at " << o.rate << " events/s | " << fmt("%.1f ms", pg->steady_run.p99)
            << " | " << verdict(pg->steady_run.p99 < 20) << " |\n";
        const bool none_lost = pg->burst_acked_all + pg->steady_run.acked == pg->expected && pg->stored &&
                               *pg->stored == pg->expected;
        out << "| on PostgreSQL: zero events lost | " << pg->expected - (pg->stored ? *pg->stored : 0) << " lost | "
            << verdict(none_lost) << " |\n";
    }
    if (st) {
        const double exp = st->cli_export_ms, sum = st->load_ms + st->summary_ms;
        out << "| export of 100k entries < 200 ms (whole `export` process) | " << fmt("%.0f ms", exp) << " | "
            << verdict(exp < 200) << " |\n";
        out << "| summary of 100k entries < 200 ms (load + summarize + render) | " << fmt("%.0f ms", sum) << " | "
            << verdict(sum < 200) << " |\n";
        out << "| start-up with 1M rows < 100 ms | " << fmt("%.0f ms", st->startup_history_ms) << " | "
            << verdict(st->startup_history_ms < 100) << " |\n";
    }
    if (sl && sl->ok) {
        // Judged on the events written while the summary was computed (in the whole run they are ~1 %).
        const bool pass = sl->within_run && sl->window.acked > 0 && sl->window.p99 < 10;
        out << "| steady ack p99 < 10 ms while a " << sl->entries << "-entry summary is computed | " << fmt("%.1f ms", sl->window.p99)
            << " (whole run " << fmt("%.1f ms", sl->loaded.p99) << ") | " << verdict(pass) << " |\n";
    }
    if (ours && null && bolt) {
        out << "\nRatios, burst acked/s: incident-bot / Bolt = " << fmt("%.1f", ours->burst.per_second / bolt->burst.per_second)
            << ", incident-bot / null client = " << fmt("%.2f", ours->burst.per_second / null->burst.per_second)
            << ".\n";
    }
    return out.str();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const options o = parse_args(argc, argv);
        fs::create_directories(o.work);
        const auto db = [&](const char* name) {
            const auto p = fs::absolute(fs::path(o.work) / name);
            for (const char* suffix : {"", "-wal", "-shm", ".lock"}) fs::remove(p.string() + suffix);
            return p.string();
        };

        std::vector<bot_spec> specs;
        if (o.wants("ours")) {
            const auto path = db("incident-bot.db");
            specs.push_back({bot_kind::ours, "incident-bot", o.incident_bot, {"run", "--db", path}, path, {}, o.bursts});
        }
        if (o.wants("pg") && !o.pg_uri.empty())
            specs.push_back({bot_kind::ours, pg_name, o.incident_bot, {"run", "--db", o.pg_uri}, o.pg_uri, {}, o.bursts});
        if (o.wants("scraped")) {
            // The same bot with its ops endpoint on, scraped every second; its bursts alternate with
            // the unscraped one's, so both see the same machine.
            const auto path = db("incident-bot-scraped.db");
            const unsigned short port = ib::test::free_loopback_port();
            bot_spec spec{bot_kind::ours, scraped_name, o.incident_bot,
                          {"run", "--db", path, "--listen", "127.0.0.1:" + std::to_string(port)}, path, {}, o.bursts};
            spec.scrape_port = port;
            specs.push_back(std::move(spec));
        }
        if (o.wants("bolt")) {
            const auto path = db("bolt-peer.db");
            specs.push_back({bot_kind::bolt, "Bolt (JS)", o.node, {o.bolt_dir + "/app.js"}, path,
                             {{"BOLT_PEER_DB", path}}, 1});
        }
        if (o.wants("null")) specs.push_back({bot_kind::null, "null client", o.null_client, {}, "", {}, o.bursts});

        const auto scripting = calibrate(o.events);
        std::optional<stage_costs> stages;
        if (o.wants("ours") || o.wants("pg")) stages = measure_stages(o, std::min<std::size_t>(o.events, 20'000));
        // The Bolt peer alone (its burst takes minutes); incident-bot and the null client together,
        // their bursts alternating.
        std::vector<bot_spec> alone, together;
        for (const auto& spec : specs) (spec.kind == bot_kind::bolt ? alone : together).push_back(spec);
        std::vector<bot_result> results;
        for (const auto& spec : alone)
            for (auto& r : run_interleaved(o, {spec})) results.push_back(std::move(r));
        for (auto& r : run_interleaved(o, together)) results.push_back(std::move(r));
        // Report order: incident-bot, Bolt, null client.
        const auto rank = [](const bot_result& r) {
            return r.name == "incident-bot" ? 0 : r.name == pg_name ? 1 : r.name == scraped_name ? 2 : r.name == "Bolt (JS)" ? 3 : 4;
        };
        std::stable_sort(results.begin(), results.end(),
                         [&](const bot_result& x, const bot_result& y) { return rank(x) < rank(y); });
        std::optional<summary_load_result> summary_load;
        if (o.wants("summary")) summary_load = run_summary_load(o, db("summary-load.db"));
        std::optional<storage_result> st;
        if (o.wants("storage")) st = run_storage(o);

        const std::string table = report(o, results, st, scripting, stages, summary_load);
        std::cout << table;
        if (!o.out.empty()) std::ofstream(o.out) << table;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_driver: " << e.what() << '\n';
        return 1;
    }
}
