// Where the review site's time goes on a 100,000-entry incident (issue 18).
//
//   build-bench/bench_serve --incident-bot build-bench/incident-bot [--entries 100000] [--runs 3]
//
// Writes a long incident through the store (bench/datasets: 40 people, tagged chat, the
// lifecycle), then
//  1. in process, each step of the incident page on a fresh read-only store (cold: a new
//     connection, the file in the OS cache), in ms, median of the runs;
//  2. end to end, `incident-bot serve` started fresh for each run: the first page's complete
//     answer (cold), the same page again (warm), and the permalink of an entry deep in the
//     timeline with the page it leads to, timed from the client.
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

// The incident page as `serve` builds it, step by step, on a fresh connection.
void in_process(const std::string& db, std::int64_t id, timings& t) {
    const auto t0 = steady::now();
    ib::storage::store st(db, ib::storage::open_options{.read_only = true});
    const auto inc = timed(t, "read the incident", [&] { return st.incident_by_id(id).value(); });
    auto timeline = timed(t, "read the whole timeline", [&] { return st.timeline(id); });
    ib::incident_record r{inc, std::move(timeline), {}};
    r.names = timed(t, "read the names", [&] { return st.names_of(ib::users_referenced(r.inc, r.timeline)); });
    timed(t, "message index (once; built 4x per page)", [&] { return ib::message_history(r.timeline); });
    const auto chart = timed(t, "chart (export_svg)", [&] { return ib::export_svg(r, {.inline_html = true}); });
    timed(t, "coordination", [&] { return ib::coordinate(r, ib::record_end(r)); });
    timed(t, "incident page HTML (chart given)",
          [&] { return ib::review::incident_page(r, chart, {}, r.inc.declared_at + 24h); });
    t.add("total, connection to HTML", ms_since(t0));
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
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--incident-bot") bot = argv[i + 1];
        else if (a == "--entries") entries = std::stoul(argv[i + 1]);
        else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    }
    if (bot.empty()) {
        std::cerr << "usage: bench_serve --incident-bot PATH [--entries N] [--runs N]\n";
        return 2;
    }
    const std::string db = (std::filesystem::temp_directory_path() / ("bench-serve-" + std::to_string(::getpid()) + ".db")).string();
    try {
        const auto t0 = steady::now();
        const auto data = ib::bench::make_long_incident(db, entries);
        std::cout << "review site, " << data.entries << " entries in incident " << data.last_incident_id << " (written in "
                  << static_cast<int>(ms_since(t0)) << " ms); " << runs << " runs\n";
        timings steps, http;
        for (int i = 0; i < runs; ++i) in_process(db, data.last_incident_id, steps);
        for (int i = 0; i < runs; ++i) end_to_end(bot, db, data.last_incident_id, entries * 9 / 10, http);
        steps.print("in process, one page of the incident (" + std::to_string(data.entries) + " entries)");
        http.print("`incident-bot serve`, from the client");
    } catch (const std::exception& e) {
        std::cerr << "bench_serve: " << e.what() << "\n";
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
        return 1;
    }
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    return 0;
}
