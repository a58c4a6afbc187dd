// What the review site's suites share (e2e.serve over HTTP, browser in headless Chromium):
// `incident-bot serve` on a free loopback port, the case-study database, `export`'s bytes and a
// 100,000-entry incident written straight through the store.
#pragma once

#include "ops_client.hpp"
#include "bot_process.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ib::test {

// `incident-bot serve --db DB --listen 127.0.0.1:0 <extra>`, REQUIREd to say its port within
// 10 s; stopped by SIGTERM at the end, CHECKed to exit 0 without a sanitizer report.
struct review_server {
    std::unique_ptr<bot_process> proc;
    unsigned short port = 0;

    explicit review_server(const std::string& db, std::vector<std::string> extra = {},
                           std::map<std::string, std::string> env = {});
    ~review_server();
    review_server(const review_server&) = delete;
    review_server& operator=(const review_server&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    // GET, REQUIREd to answer within 10 s.
    http_reply get(const std::string& target, std::vector<std::string> headers = {}) const;
};

// The case study: `incident-bot demo` records J. Hand's chapter-6 outage into a fresh database
// (incident 1); returns its path.
std::string case_study_db();

// `incident-bot export --db DB --incident ID --format FORMAT` (REQUIREd to exit 0): its stdout.
std::string exported(const std::string& db, const std::string& id, const std::string& format);

// A fresh database holding incident 1, "Big incident", declared with `entries` messages after
// it (every tenth tagged hypothesis), written in batches of 10,000; returns its path.
std::string big_incident_db(int entries);

// Removes a database file with its -wal, -shm and the .lock that `run` and `demo` leave.
void remove_db(const std::string& db);

}  // namespace ib::test
