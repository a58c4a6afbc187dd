// End to end, the review site (issue 18): `incident-bot serve` over real sockets, on the
// database `demo` and `run` write. The case-study incident's pages, downloads equal to `export`,
// a hostile message as text, a message stored by `run` showing up while `serve` reads the same
// file, private incidents, the token login, and a 100,000-entry incident's first page in < 300 ms.
#include "review_site.hpp"

#include "core/reminders.hpp"
#include "storage/store.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using ib::test::bot_fixture;
using ib::test::bot_process;
using ib::test::http_get;
using ib::test::http_request;
using ib::test::case_study_db;
using ib::test::exported;
using ib::test::remove_db;
using server = ib::test::review_server;
using clk = std::chrono::steady_clock;

namespace {

std::size_t count(const std::string& s, std::string_view needle) {
    std::size_t n = 0;
    for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

// A database holding incident 1 with a message, a reminder claimed by an instance and its mark
// (core/reminders.hpp), and one more message; `mark_seq` is the mark's seq.
std::string claimed_reminder_db(std::int64_t& mark_seq) {
    using namespace ib;
    const std::string db = ib::test::temp_path("review-lease") + ".db";
    storage::store st(db);
    const time_point t0 = from_unix_seconds(1'790'000'000);
    auto d = declare_incident("Queue backlog", severity::sev2, "U0ALICE", "C0LEASE", "inc-lease", t0);
    REQUIRE(d.ok());
    st.create_incident(d->inc, d->entry);
    const auto message = [&](std::string key, time_point at, std::string text) {
        timeline_entry e;
        e.incident_id = d->inc.id;
        e.key = std::move(key);
        e.at = e.received_at = at;
        e.slack_ts = to_slack_ts(at);
        e.user = "U0BOB";
        e.text = std::move(text);
        return e;
    };
    REQUIRE(st.append(message("m1", t0 + 1min, "the queue is growing")));
    const auto claim = reminder_to_claim(d->inc, {}, t0 + 2h, reminder_policy::defaults(), {60s, "host:1:ab"});
    REQUIRE(claim);
    REQUIRE(st.append(*claim));
    REQUIRE(st.append(make_reminder_mark(*claim, claim->at, "posted")));
    REQUIRE(st.append(message("m2", t0 + 2h + 1min, "drained")));
    const auto stored = st.timeline(d->inc.id);
    REQUIRE(stored.size() == 5);
    mark_seq = stored[3].seq;
    REQUIRE(stored[3].attr("type") == "mark");
    return db;
}

}  // namespace

TEST_SUITE("serve") {
    // Issue 15: a reminder's claim is the incident's history, the mark that closes it the
    // instances' bookkeeping: one reminder in every export, on the page and in its filters.
    TEST_CASE("a claimed and marked reminder: one reminder row in the exports and on the page; no mark") {
        std::int64_t mark_seq = 0;
        const std::string db = claimed_reminder_db(mark_seq);
        const std::string mark_text = "the reminder was posted";
        {
            const auto json = nlohmann::json::parse(exported(db, "1", "json"));
            CHECK(json["timeline"].size() == 4);  // declare, message, the reminder, message
            CHECK(std::count_if(json["timeline"].begin(), json["timeline"].end(),
                                [](const auto& e) { return e["kind"] == "reminder"; }) == 1);
            CHECK(json.dump().find(mark_text) == std::string::npos);
            for (const char* fmt : {"md", "csv", "svg"}) {
                CAPTURE(fmt);
                CHECK(exported(db, "1", fmt).find(mark_text) == std::string::npos);
            }
            CHECK(count(exported(db, "1", "csv"), "\r\n") == 1 + 4);  // the header and four rows

            server s(db);
            const auto page = s.get("/incidents/1");
            CHECK(page.status == 200);
            CHECK(count(page.body, "<li id=") == 4);
            CHECK(page.body.find(mark_text) == std::string::npos);
            const auto reminders = s.get("/incidents/1?kind=reminder");
            CHECK(count(reminders.body, "<li id=") == 1);
            CHECK(reminders.body.find(mark_text) == std::string::npos);
            CHECK(s.get("/incidents/1/summary").body.find(mark_text) == std::string::npos);
            CHECK(s.get("/incidents/1/entries/" + std::to_string(mark_seq)).status == 404);
            CHECK(s.get("/incidents/1/entries/" + std::to_string(mark_seq + 1)).header("location") ==
                  "/incidents/1?page=1#" + std::to_string(mark_seq + 1));
            CHECK(s.get("/incidents/1/export.json").body == exported(db, "1", "json"));
        }
        remove_db(db);
    }

    TEST_CASE("the case study: list, incident page, chart, timeline, downloads equal to export") {
        const std::string db = case_study_db();
        {
            server s(db);
            const auto list = s.get("/");
            CHECK(list.status == 200);
            CHECK(list.header("content-security-policy").find("default-src 'self'") != std::string::npos);
            CHECK(list.body.find("/incidents/1\"") != std::string::npos);
            const auto json = nlohmann::json::parse(exported(db, "1", "json"));
            const std::string title = json["incident"]["title"];
            CHECK(list.body.find(title) != std::string::npos);

            const auto page = s.get("/incidents/1");
            CHECK(page.status == 200);
            CHECK(count(page.body, "<li id=") == std::min<std::size_t>(json["timeline"].size(), 200));
            // What needs the whole record comes with the summary, which the page fetches next.
            CHECK(page.body.find("<svg") == std::string::npos);
            CHECK(page.body.find("href=\"/incidents/1/summary\"") != std::string::npos);
            const auto summary = s.get("/incidents/1/summary");
            CHECK(summary.status == 200);
            CHECK(summary.body.find("<svg") != std::string::npos);
            CHECK(summary.body.find("id=\"coordination\"") != std::string::npos);
            CHECK(summary.body.find("id=\"participants\"") != std::string::npos);
            CHECK(s.get("/incidents/999/summary").status == 404);
            const auto hyp = s.get("/incidents/1?tag=hypothesis");
            const auto hyps = std::count_if(json["timeline"].begin(), json["timeline"].end(), [](const auto& e) {
                return std::find(e["tags"].begin(), e["tags"].end(), "hypothesis") != e["tags"].end();
            });
            CHECK(hyps > 0);
            CHECK(count(hyp.body, "<li id=") == static_cast<std::size_t>(hyps));

            for (const char* fmt : {"json", "md", "csv", "svg"}) {
                CAPTURE(fmt);
                const auto dl = s.get(std::string("/incidents/1/export.") + fmt);
                CHECK(dl.status == 200);
                CHECK(dl.body == exported(db, "1", fmt));
                CHECK(dl.header("content-disposition").find("attachment") != std::string::npos);
            }
            // Read-only, and the rest answers plainly.
            CHECK(http_request(s.port, "POST", "/incidents/1", {}, "x=1")->status == 405);
            CHECK(http_request(s.port, "DELETE", "/incidents/1")->status == 405);
            CHECK(s.get("/incidents/999").status == 404);
            CHECK(s.get("/stats").status == 200);
            CHECK(s.get("/assets/review.js").status == 200);
            CHECK(s.get("/healthz").body == "ok\n");
            const auto perm = s.get("/incidents/1/entries/3");
            CHECK(perm.status == 303);
            CHECK(perm.header("location") == "/incidents/1?page=1#3");
        }
        remove_db(db);
    }

    TEST_CASE("a message stored by run shows up on the open page's next poll; hostile text stays text") {
        bot_fixture t;
        t.start_bot();
        const auto ch = t.declare("Checkout errors sev2", "Checkout errors");
        t.slack.type_message(ch, bot_fixture::bob, "<img src=x onerror=alert(1)> <script>alert(2)</script>");
        REQUIRE(t.slack.wait_for([&] { return t.export_json().at("timeline").size() >= 3; }, 10s));

        server s(t.db);
        const auto before = s.get("/incidents/1");
        CHECK(before.body.find("&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(2)&lt;/script&gt;") !=
              std::string::npos);
        CHECK(before.body.find("<img") == std::string::npos);
        CHECK(before.body.find("<script>alert") == std::string::npos);
        const auto summary = s.get("/incidents/1/summary").body;  // the hypotheses, coordination, …
        CHECK(summary.find("<img") == std::string::npos);
        CHECK(summary.find("<script>alert") == std::string::npos);
        CHECK(before.body.find("data-live=\"") != std::string::npos);
        const auto version = s.get("/incidents/1/version").body;

        // `run` stores a new message; the version the page polls changes within 2 s and the
        // fragment it then fetches holds the message.
        const auto posted = clk::now();
        t.slack.type_message(ch, bot_fixture::carol, "rolled back the checkout deploy");
        std::string now_version = version;
        while (clk::now() - posted < 2s && now_version == version) {
            std::this_thread::sleep_for(50ms);
            now_version = s.get("/incidents/1/version").body;
        }
        CHECK(now_version != version);
        CHECK(s.get("/incidents/1?fragment=main").body.find("rolled back the checkout deploy") != std::string::npos);
        t.stop_bot(SIGTERM);
    }

    TEST_CASE("private incidents are hidden unless --include-private") {
        bot_fixture t;
        t.start_bot();
        t.declare("Public thing sev3", "Public thing");
        t.declare("Secret thing sev3 --private", "Secret thing");
        t.stop_bot(SIGTERM);
        {
            server s(t.db);
            CHECK(s.get("/").body.find("Secret thing") == std::string::npos);
            CHECK(s.get("/incidents/2").status == 404);
            CHECK(s.get("/incidents/2/export.json").status == 404);
            CHECK(s.get("/incidents/2/summary").status == 404);
            CHECK(s.get("/incidents/1").status == 200);
        }
        server s(t.db, {"--include-private"});
        CHECK(s.get("/").body.find("Secret thing") != std::string::npos);
        CHECK(s.get("/incidents/2").status == 200);
    }

    TEST_CASE("with a token every page needs the login's HttpOnly SameSite=Strict cookie") {
        const std::string db = case_study_db();
        const std::string token_file = ib::test::temp_path("serve-token");
        std::ofstream(token_file) << "review-token-1\n";
        for (const bool from_file : {true, false}) {
            CAPTURE(from_file);
            server s(db, from_file ? std::vector<std::string>{"--auth-token-file", token_file} : std::vector<std::string>{},
                     from_file ? std::map<std::string, std::string>{}
                               : std::map<std::string, std::string>{{"INCIDENT_BOT_SERVE_TOKEN", "review-token-1"}});
            CHECK(s.get("/").status == 401);
            CHECK(s.get("/incidents/1/export.json").status == 401);
            CHECK(s.get("/incidents/1").body.find("Login page") == std::string::npos);
            const auto wrong = http_request(s.port, "POST", "/login",
                                            {"Content-Type: application/x-www-form-urlencoded"}, "token=nope");
            CHECK(wrong->status == 401);
            const auto ok = http_request(s.port, "POST", "/login",
                                         {"Content-Type: application/x-www-form-urlencoded"}, "token=review-token-1");
            REQUIRE(ok->status == 303);
            const auto cookie = ok->header("set-cookie");
            CHECK(cookie.find("httponly") != std::string::npos);
            CHECK(cookie.find("samesite=strict") != std::string::npos);
            const auto signed_in = s.get("/", {"Cookie: " + cookie.substr(0, cookie.find(';'))});
            CHECK(signed_in.status == 200);
            CHECK(signed_in.body.find("/incidents/1\"") != std::string::npos);
            CHECK(s.proc->log().find("review-token-1") == std::string::npos);
        }
        std::filesystem::remove(token_file);
        remove_db(db);
    }

    // The 300 ms budget is the server's share of issue 18's 1 s for an optimised build (the page reads
    // one page of the timeline by index: ~20 ms at load 7 on 2 cores); under AddressSanitizer the
    // same code runs 2-3x slower, so the sanitizer pass checks the pages and prints the time only.
#if defined(__SANITIZE_ADDRESS__)
    constexpr bool timed = false;
#else
    constexpr bool timed = true;
#endif

    TEST_CASE("a 100,000-entry incident: the first 200 entries within 300 ms; the summary after them") {
        const std::string db = ib::test::big_incident_db(100'000);
        {
            server s(db);
            const auto start = clk::now();
            const auto page = s.get("/incidents/1");
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clk::now() - start).count();
            CHECK(page.status == 200);
            CHECK(count(page.body, "<li id=") == 200);
            CHECK(page.body.find("100001 entries") != std::string::npos);
            MESSAGE("first page of 100,000 entries: " << ms << " ms");
            if (timed) CHECK_MESSAGE(ms < 300, "first page of 100,000 entries took " << ms << " ms");
            // A later page and a permalink deep in the timeline are as quick (read by index too).
            const auto t2 = clk::now();
            const auto perm = s.get("/incidents/1/entries/90000");
            CHECK(perm.status == 303);
            const auto deep = s.get(perm.header("location").substr(0, perm.header("location").find('#')));
            CHECK(deep.body.find("<li id=\"90000\"") != std::string::npos);
            const auto deep_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clk::now() - t2).count();
            MESSAGE("permalink and the page of entry 90000: " << deep_ms << " ms");
            if (timed) CHECK(deep_ms < 300);
            // The summary reads the whole record, once: the browser shows it after the entries.
            const auto t3 = clk::now();
            const auto summary = s.get("/incidents/1/summary");
            const auto summary_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clk::now() - t3).count();
            CHECK(summary.status == 200);
            CHECK(summary.body.find("The first 100 of 10000 hypotheses") != std::string::npos);
            MESSAGE("its summary (chart, participants, hypotheses, coordination): " << summary_ms << " ms");
            if (timed) CHECK(summary_ms < 3000);
        }
        remove_db(db);
    }
}
