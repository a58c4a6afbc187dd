// The bot and its commands on PostgreSQL (ctest e2e.postgres, label postgres: it needs the server
// that the fixture pg.start runs; regular pass only). Each test gets an empty schema of its own.
#include "bot_process.hpp"

#include "tests/support/pg_server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using ib::test::bot_fixture;
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

TEST_CASE("run on PostgreSQL: records an incident, one run per database, restart keeps everything") {
    bot_fixture t;
    t.db = ib::test::new_pg_database();
    t.start_bot();
    const std::string ch = t.declare("Primary out of disk sev2", "Primary out of disk");
    t.slack.post_message(ch, bot_fixture::bob, "I think the WAL volume filled up");
    t.slack.post_message(ch, bot_fixture::bob, "`df -h /var/lib/postgresql`");
    REQUIRE(t.slack.wait_for([&] { return t.export_json()["timeline"].size() >= 3; }, 10s));

    // A second run on the same database is refused at once, naming the first.
    const auto second = run_to_end(IB_BOT_BINARY, {"run", "--db", t.db}, t.env(), 10s);
    CHECK(second.exit_code == 75);
    CHECK(second.err.find("pid " + std::to_string(t.bot->pid())) != std::string::npos);

    // A SIGKILLed bot leaves no lock; what it acked is there after the restart.
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

}  // TEST_SUITE
