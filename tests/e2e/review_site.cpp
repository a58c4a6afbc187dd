#include "review_site.hpp"

#include "storage/store.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <thread>

namespace ib::test {

using namespace std::chrono_literals;

review_server::review_server(const std::string& db, std::vector<std::string> extra,
                             std::map<std::string, std::string> env) {
    std::vector<std::string> args{"serve", "--db", db, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    proc = std::make_unique<bot_process>(IB_BOT_BINARY, args, env);
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until && port == 0 && proc->running()) {
        port = listen_port_in(proc->log());
        if (port == 0) std::this_thread::sleep_for(20ms);
    }
    REQUIRE_MESSAGE(port != 0, "serve did not say where it listens; log:\n" << proc->log());
}

review_server::~review_server() {
    if (!proc->running()) return;
    proc->signal(SIGTERM);
    const auto code = proc->wait(10s);
    CHECK_MESSAGE(code == 0, "serve did not stop cleanly on SIGTERM; log:\n" << proc->log());
    CHECK_FALSE(has_sanitizer_report(proc->log()));
}

http_reply review_server::get(const std::string& target, std::vector<std::string> headers) const {
    const auto r = http_request(port, "GET", target, headers, {}, 10000);
    REQUIRE_MESSAGE(r, "no answer to GET " << target);
    return *r;
}

std::string case_study_db() {
    const std::string db = temp_path("review-case-study") + ".db";
    const auto r = run_to_end(IB_BOT_BINARY, {"demo", "--db", db, "--quiet"}, {}, 120s);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return db;
}

std::string exported(const std::string& db, const std::string& id, const std::string& format) {
    const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", db, "--incident", id, "--format", format});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

std::string big_incident_db(int entries) {
    const std::string db = temp_path("review-big") + ".db";
    storage::store st(db);
    auto d = declare_incident("Big incident", severity::sev2, "U0ALICE", "C0BIG", "inc-big",
                              from_unix_seconds(1'790'000'000));
    REQUIRE(d.ok());
    st.create_incident(d->inc, d->entry);
    std::vector<timeline_entry> batch;
    for (int i = 0; i < entries; ++i) {
        timeline_entry e;
        e.incident_id = d->inc.id;
        e.at = from_unix_seconds(1'790'000'000 + i);
        e.received_at = e.at;
        e.slack_ts = to_slack_ts(e.at);
        e.key = "big-" + std::to_string(i);
        e.user = i % 3 == 0 ? "U0BOB" : "U0CAROL";
        e.text = "step " + std::to_string(i) + ": checking the &lt;cache&gt; again";
        if (i % 10 == 0) e.tags.push_back({tag::hypothesis, "test"});
        batch.push_back(std::move(e));
        if (batch.size() == 10'000 || i + 1 == entries) {
            st.append_batch(batch);
            batch.clear();
        }
    }
    return db;
}

void remove_db(const std::string& db) {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db + suffix);
}

}  // namespace ib::test
