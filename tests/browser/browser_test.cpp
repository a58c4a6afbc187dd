// The review site in headless Chromium (issue 18): this test starts everything the browser
// checks need, then runs tests/browser/review_checks.mjs (playwright-core driving Debian's
// /usr/bin/chromium, axe-core), and answers its requests for Slack messages.
//
//   - the case study, recorded by `incident-bot demo`, served by `incident-bot serve`;
//   - a live incident: `incident-bot run` against the simulator, with a hostile message, served by
//     a second `serve` on the same database while `run` goes on recording;
//   - a 100,000-entry incident, served by a third `serve`.
//
// The script prints `@post TEXT` when it wants a message typed into the live incident (it then
// waits for the text on its open page); everything else it prints is its report. Regular pass
// only (ctest label browser): scripts/setup.sh --test installs Chromium, Node.js and the script's
// npm packages.
#include "tests/e2e/review_site.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// The first `name` on PATH, or "".
std::string on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const fs::path p = fs::path(dir.empty() ? "." : dir) / name;
        if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
    return {};
}

}  // namespace

TEST_SUITE("browser") {
    TEST_CASE("the review site in headless Chromium: pages, filters, hostile text, live update, downloads, "
              "100,000 entries, accessibility") {
        const fs::path dir = fs::path(IB_SOURCE_DIR) / "tests" / "browser";
        const std::string node = on_path("node");
        const char* chromium_env = std::getenv("CHROMIUM");
        const std::string chromium = chromium_env ? chromium_env : "/usr/bin/chromium";
        const std::string setup = "; run `bash scripts/setup.sh --test` (Chromium, Node.js, npm ci in tests/browser)";
        REQUIRE_MESSAGE(!node.empty(), "no node on PATH" << setup);
        REQUIRE_MESSAGE(fs::exists(chromium), "no " << chromium << setup);
        REQUIRE_MESSAGE(fs::exists(dir / "node_modules" / "playwright-core"), "no tests/browser/node_modules" << setup);

        // The three databases and their sites.
        const auto started = std::chrono::steady_clock::now();
        const std::string case_db = ib::test::case_study_db();
        const std::string big_db = ib::test::big_incident_db(100'000);
        ib::test::bot_fixture live;
        live.start_bot();
        const auto channel = live.declare("Checkout errors sev2", "Checkout errors");
        const std::string hostile = "<img src=x onerror=\"window.__ibPwned=1;alert(1)\"> "
                                    "<script>window.__ibPwned=2;alert(2)</script>";
        live.slack.type_message(channel, ib::test::bot_fixture::bob, hostile);
        REQUIRE(live.slack.wait_for([&] { return live.export_json().at("timeline").size() >= 3; }, 10s));
        {
            ib::test::review_server case_site(case_db), live_site(live.db), big_site(big_db);
            const nlohmann::json config = {
                {"bot", IB_BOT_BINARY},
                {"chromium", chromium},
                {"case", {{"url", case_site.url()}, {"db", case_db}, {"incident", 1}}},
                {"live", {{"url", live_site.url()}, {"db", live.db}, {"incident", 1}, {"hostile", hostile}}},
                {"big", {{"url", big_site.url()}, {"incident", 1}, {"entries", 100'001}}},
            };

            std::cout << "set-up (demo, 100,000 entries, run, three serves): "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
                      << " ms" << std::endl;
            // The checks run; each `@post TEXT` line is typed into the live incident by carol.
            ib::test::bot_process checks(node, {(dir / "review_checks.mjs").string()},
                                         {{"IB_REVIEW_CONFIG", config.dump()}});
            std::size_t handled = 0;
            const auto until = std::chrono::steady_clock::now() + 180s;
            while (checks.running() && std::chrono::steady_clock::now() < until) {
                const std::string out = checks.output();
                for (auto at = out.find("@post ", handled); at != std::string::npos; at = out.find("@post ", handled)) {
                    const auto eol = out.find('\n', at);
                    if (eol == std::string::npos) break;
                    live.slack.type_message(channel, ib::test::bot_fixture::carol, out.substr(at + 6, eol - at - 6));
                    handled = eol + 1;
                }
                std::this_thread::sleep_for(10ms);
            }
            // Past the deadline: SIGTERM first, so that playwright closes Chromium, then SIGKILL.
            if (checks.running()) checks.signal(SIGTERM);
            auto code = checks.wait(10s);
            if (!code) {
                checks.signal(SIGKILL);
                code = checks.wait(5s);
            }
            std::cout << checks.output() << std::flush;  // one line per check, and the figures
            CHECK_MESSAGE(code == 0, "the browser checks failed (exit " << code.value_or(-1)
                                                                        << "; their report is above); stderr:\n"
                                                                        << checks.log());
        }
        live.stop_bot(SIGTERM);
        ib::test::remove_db(case_db);
        ib::test::remove_db(big_db);
    }
}
