// Where the review site's time goes on a 100,000-entry incident (issue 18).
//
//   build-bench/bench_serve --incident-bot build-bench/incident-bot [--entries 100000] [--runs 3] [--keep DB]
//
// Writes a long incident through the store (bench/datasets: 40 people, tagged chat, the
// lifecycle), then
//  1. in process, each step of the incident page's first paint and of its summary on a fresh
//     read-only store (cold: a new connection, the file in the OS cache), in ms, median of the runs;
//  2. end to end, `incident-bot serve` started fresh for each run: the first page's complete
//     answer (cold), the same page again (warm), the summary (cold, then kept), a filtered page,
//     and the permalink of an entry deep in the timeline with the page it leads to, timed from
//     the client.
#include "child_process.hpp"
#include "datasets.hpp"
#include "tests/e2e/ops_client.hpp"

#include "core/coordination.hpp"
#include "core/review/site.hpp"
#include "core/svg.hpp"
#include "core/users.hpp"
#include "storage/store.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

double ms_since(steady::time_point t0) {
    return std::chrono::duration<double, std::milli>(steady::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Named timings of several runs, printed as one table row per name in first-seen order.
struct timings {
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> runs;
    void add(const std::string& name, double ms) {
        if (!runs.contains(name)) order.push_back(name);
        runs[name].push_back(ms);
    }
    void print(const std::string& title) const {
        std::cout << "\n| " << title << " | median ms | runs |\n|---|---:|---|\n";
        for (const auto& name : order) {
            std::string all;
            for (const double v : runs.at(name)) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%s%.1f", all.empty() ? "" : ", ", v);
                all += buf;
            }
            std::printf("| %s | %.1f | %s |\n", name.c_str(), median(runs.at(name)), all.c_str());
        }
    }
};

// Times `step` under `name` and returns what it returns.
template <class F>
auto timed(timings& t, const std::string& name, F&& step) {
    const auto t0 = steady::now();
    auto out = step();
    t.add(name, ms_since(t0));
    return out;
}

// The incident page's first paint as `serve` builds it, step by step, on a fresh connection:
// one page of the timeline and what it needs, read by index.
void first_page(const std::string& db, std::int64_t id, timings& t) {
    const auto t0 = steady::now();
    ib::storage::store st(db, ib::storage::open_options{.read_only = true});
    ib::review::page_view v;
    v.inc = timed(t, "read the incident", [&] { return st.incident_by_id(id).value(); });
    v.total = v.matches = timed(t, "count the entries", [&] { return st.timeline_size(id); });
    v.entries = timed(t, "read the first 200 entries", [&] { return st.timeline_page(id, 0, ib::review::page_size); });
    constexpr ib::entry_kind deletions[] = {ib::entry_kind::deletion};
    v.context = timed(t, "read the deletions", [&] { return st.timeline_of_kinds(id, deletions); });
    v.kinds = timed(t, "the kinds on the timeline", [&] { return st.timeline_kinds(id); });
    v.names = timed(t, "read the names", [&] { return st.names_of(ib::review::people_in(v)); });
    timed(t, "page HTML", [&] { return ib::review::incident_page(v, {}, v.inc.declared_at + 24h); });
    t.add("first page, connection to HTML", ms_since(t0));
}

// The summary the page fetches after its first paint: the whole record, its message index once.
void summary(const std::string& db, std::int64_t id, timings& t) {
    const auto t0 = steady::now();
    ib::storage::store st(db, ib::storage::open_options{.read_only = true});
    ib::incident_record r{st.incident_by_id(id).value(), {}, {}};
    r.timeline = timed(t, "read the whole timeline", [&] { return st.timeline(id); });
    r.names = timed(t, "read the names", [&] { return st.names_of(ib::users_referenced(r.inc, r.timeline)); });
    const auto history = timed(t, "message index (once)", [&] { return ib::message_history(r.timeline); });
    timed(t, "chart (export_svg)", [&] { return ib::export_svg(r, {.inline_html = true}, history); });
    timed(t, "coordination", [&] { return ib::coordinate(r, ib::record_end(r), history); });
    timed(t, "summary HTML (all of it again)", [&] { return ib::review::summary_page(r); });
    t.add("summary, connection to HTML", ms_since(t0));
}

unsigned short wait_for_port(ib::bench::child_process& serve) {
    const auto until = steady::now() + 10s;
    while (steady::now() < until && serve.running()) {
        if (const auto port = ib::test::listen_port_in(serve.log())) return port;
        std::this_thread::sleep_for(10ms);
    }
    throw std::runtime_error("serve did not say where it listens: " + serve.log());
}

// GET, timed to the complete answer; throws unless `status`.
double get(unsigned short port, const std::string& target, int status, std::string* location = nullptr) {
    const auto t0 = steady::now();
    const auto r = ib::test::http_get(port, target, 30000);
    const double ms = ms_since(t0);
    if (!r || r->status != status) throw std::runtime_error("GET " + target + ": unexpected answer");
    if (location) *location = r->header("location");
    return ms;
}

void end_to_end(const std::string& bot, const std::string& db, std::int64_t id, std::size_t deep_seq, timings& t) {
    ib::bench::child_process serve(bot, {"serve", "--db", db, "--listen", "127.0.0.1:0"});
    const auto port = wait_for_port(serve);
    const std::string page = "/incidents/" + std::to_string(id);
    t.add("first page, cold (a fresh serve)", get(port, page, 200));
    t.add("first page, warm", get(port, page, 200));
    t.add("summary, cold", get(port, page + "/summary", 200));
    t.add("summary, warm (kept)", get(port, page + "/summary", 200));
    t.add("a filtered page (?tag=hypothesis, the record kept)", get(port, page + "?tag=hypothesis", 200));
    std::string location;
    const double perm = get(port, page + "/entries/" + std::to_string(deep_seq), 303, &location);
    t.add("permalink of entry " + std::to_string(deep_seq) + " + its page",
          perm + get(port, location.substr(0, location.find('#')), 200));
    serve.signal(SIGTERM);
    serve.wait(10s);
}

}  // namespace

int main(int argc, char** argv) {
    std::string bot;
    std::size_t entries = 100'000;
    int runs = 3;
    std::string keep;  // --keep PATH: the database is written there and left for a look
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--incident-bot") bot = argv[i + 1];
        else if (a == "--entries") entries = std::stoul(argv[i + 1]);
        else if (a == "--runs") runs = std::stoi(argv[i + 1]);
        else if (a == "--keep") keep = argv[i + 1];
    }
    if (bot.empty()) {
        std::cerr << "usage: bench_serve --incident-bot PATH [--entries N] [--runs N] [--keep DB]\n";
        return 2;
    }
    const std::string db = keep.empty() ? (std::filesystem::temp_directory_path() /
                                           ("bench-serve-" + std::to_string(::getpid()) + ".db")).string()
                                        : keep;
    try {
        const auto t0 = steady::now();
        const auto data = ib::bench::make_long_incident(db, entries);
        std::cout << "review site, " << data.entries << " entries in incident " << data.last_incident_id << " (written in "
                  << static_cast<int>(ms_since(t0)) << " ms); " << runs << " runs\n";
        timings steps, rest, http;
        for (int i = 0; i < runs; ++i) first_page(db, data.last_incident_id, steps);
        for (int i = 0; i < runs; ++i) summary(db, data.last_incident_id, rest);
        for (int i = 0; i < runs; ++i) end_to_end(bot, db, data.last_incident_id, entries * 9 / 10, http);
        steps.print("in process, the incident page's first paint (" + std::to_string(data.entries) + " entries)");
        rest.print("in process, its summary");
        http.print("`incident-bot serve`, from the client");
    } catch (const std::exception& e) {
        std::cerr << "bench_serve: " << e.what() << "\n";
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
        return 1;
    }
    if (keep.empty())
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    return 0;
}
