// The review site of `incident-bot serve` (core/review/): routing, access, escaping, paging,
// private incidents, downloads, and the headers every answer carries. Plain data in and out;
// tests/e2e/serve_test.cpp drives the same site over real sockets.
#include "core/review/site.hpp"

#include "core/svg.hpp"
#include "core/text.hpp"
#include "incident_fixtures.hpp"
#include "../support/hostile_strings.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <regex>

using namespace ib;
using ib_test::at;
using ib_test::chapter6_outage;
namespace rv = ib::review;

namespace {

http::request get(std::string target, std::string cookie = {}) {
    http::request r;
    r.target = std::move(target);
    r.cookie = std::move(cookie);
    return r;
}

std::string header(const http::response& res, std::string_view name) {
    for (const auto& [n, v] : res.headers)
        if (ascii_iequals(n, name)) return v;
    return {};
}

std::size_t count(const std::string& s, std::string_view needle) {
    std::size_t n = 0;
    for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

// The start tags in `html` whose name is not one the site writes itself.
std::vector<std::string> foreign_tags(const std::string& html) {
    static const std::regex tag_re("<([a-zA-Z][a-zA-Z0-9]*)");
    static const std::vector<std::string> ours = {
        "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "main", "h1", "h2", "h3", "p",
        "span", "strong", "dl", "div", "dt", "dd", "section", "svg", "g", "rect", "circle", "line", "text",
        "desc", "form", "input", "label", "select", "option", "button", "ol", "ul", "li", "time", "em", "code",
        "table", "thead", "tbody", "tr", "th", "td", "caption", "figure", "figcaption"};
    std::vector<std::string> out;
    for (std::sregex_iterator it(html.begin(), html.end(), tag_re), end; it != end; ++it)
        if (std::find(ours.begin(), ours.end(), (*it)[1].str()) == ours.end()) out.push_back((*it)[1].str());
    return out;
}

http::response page_of(const incident_record& r, std::string query = {}) {
    const auto [path, params] = http::split_target("/incidents/" + std::to_string(r.inc.id) + query);
    (void)path;
    return rv::incident_page(rv::view_of(r, params), params, at(16, 0, 0));
}

// The page as `serve` reads it without filters: one page of entries, the deletions, the messages
// its key moments mark and the kinds, each from what a store gives (store::timeline_page, …).
rv::page_view read_by_pieces(const incident_record& r, const http::params& query) {
    rv::page_view v;
    v.inc = r.inc;
    v.names = r.names;
    v.total = v.matches = r.timeline.size();
    const auto s = rv::slice_of(v.matches, query);
    v.page = s.page;
    v.pages = s.pages;
    v.first = s.first;
    for (std::size_t i = s.first; i < std::min(r.timeline.size(), s.first + rv::page_size); ++i)
        v.entries.push_back(r.timeline[i]);
    for (const auto& e : r.timeline) {
        if (e.kind == entry_kind::deletion) v.context.push_back(e);
        if (std::find(v.kinds.begin(), v.kinds.end(), e.kind) == v.kinds.end()) v.kinds.push_back(e.kind);
    }
    for (const auto& ts : rv::marked_messages(v.entries))
        for (const auto& e : r.timeline)
            if (e.kind == entry_kind::message && e.slack_ts == ts) v.context.push_back(e);
    return v;
}

// A record of `n` chat messages after chapter6_outage's entries.
incident_record long_record(std::size_t n) {
    auto r = chapter6_outage();
    const auto base = r.timeline.size();
    for (std::size_t i = 0; i < n; ++i) {
        timeline_entry e;
        e.seq = static_cast<std::int64_t>(base + i + 1);
        e.incident_id = r.inc.id;
        e.at = at(15, 20, 0) + std::chrono::seconds{static_cast<long>(i)};
        e.slack_ts = to_slack_ts(e.at);
        e.user = "U0BOB";
        e.text = "message number " + std::to_string(i);
        r.timeline.push_back(e);
    }
    return r;
}

}  // namespace

TEST_SUITE("review") {
    TEST_CASE("routes name the page, the incident and the entry; anything that writes is refused") {
        CHECK(rv::parse_route(get("/")).what == rv::page::incidents);
        CHECK(rv::parse_route(get("/?q=login&sev=sev1")).query.at("q") == "login");
        const auto inc = rv::parse_route(get("/incidents/42?tag=hypothesis&page=2"));
        CHECK(inc.what == rv::page::incident);
        CHECK(inc.incident_id == 42);
        CHECK(inc.query.at("page") == "2");
        const auto entry = rv::parse_route(get("/incidents/42/entries/17"));
        CHECK(entry.what == rv::page::entry);
        CHECK(entry.seq == 17);
        const auto dl = rv::parse_route(get("/incidents/42/export.csv"));
        CHECK(dl.what == rv::page::download);
        CHECK(dl.name == "csv");
        CHECK(rv::parse_route(get("/incidents/42/version")).what == rv::page::version);
        CHECK(rv::parse_route(get("/stats")).what == rv::page::stats);
        CHECK(rv::parse_route(get("/assets/review.js")).what == rv::page::asset);
        CHECK(rv::parse_route(get("/incidents/0")).what == rv::page::not_found);
        CHECK(rv::parse_route(get("/incidents/-3")).what == rv::page::not_found);
        CHECK(rv::parse_route(get("/incidents/abc")).what == rv::page::not_found);
        CHECK(rv::parse_route(get("/incidents/4/entries/x")).what == rv::page::not_found);
        CHECK(rv::parse_route(get("/etc/passwd")).what == rv::page::not_found);
        for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
            auto req = get("/incidents/42");
            req.method = method;
            CHECK(rv::parse_route(req).what == rv::page::method_not_allowed);
        }
        auto login = get("/login");
        login.method = "POST";
        CHECK(rv::parse_route(login).what == rv::page::login_submit);
    }

    TEST_CASE("hypotheses show their fate, and the coordination section renders the coordination record") {
        auto r = chapter6_outage();
        const auto h = std::find_if(r.timeline.begin(), r.timeline.end(), [](const timeline_entry& e) {
            return e.kind == entry_kind::message && e.has_tag(tag::hypothesis);
        });
        REQUIRE(h != r.timeline.end());
        const auto open_page = rv::summary_page(r).body;
        CHECK(open_page.find("(confirmed)") == std::string::npos);
        CHECK(open_page.find(" 0 confirmed") != std::string::npos);
        // ✅ on the hypothesis, a minute after it was said (the shape `run` records: reaction, ref_ts).
        timeline_entry tick;
        tick.kind = entry_kind::reaction;
        tick.at = h->at + std::chrono::minutes(1);
        tick.slack_ts = to_slack_ts(tick.at);
        tick.user = h->user;
        tick.text = ":white_check_mark:";
        tick.ref_ts = h->slack_ts;
        tick.attrs["reaction"] = "white_check_mark";
        tick.seq = r.timeline.back().seq + 1;
        r.timeline.push_back(tick);
        const auto page = rv::summary_page(r).body;
        const auto section = page.substr(page.find("id=\"coordination\""));
        CHECK(page.find("(confirmed)") != std::string::npos);
        CHECK(section.find(" 1 confirmed") != std::string::npos);
        CHECK(section.find("From knowing to acting") != std::string::npos);
        CHECK(foreign_tags(page).empty());
    }

    TEST_CASE("queries and cookies are decoded") {
        const auto q = http::parse_query("q=a+b%20c&x=%3Cscript%3E&bad=%zz&q=second");
        CHECK(q.at("q") == "a b c");
        CHECK(q.at("x") == "<script>");
        CHECK(q.at("bad") == "%zz");
        CHECK(http::cookie_value("a=1; ib_review=tok%3D; b=2", "ib_review") == "tok%3D");
        CHECK_FALSE(http::cookie_value("a=1; xib_review=2", "ib_review"));
        CHECK(http::percent_encode("a b/é") == "a%20b%2F%C3%A9");
    }

    TEST_CASE("html_from_slack: hostile text comes out as text; only http(s) links become links") {
        for (const auto& h : ib_test::hostile_strings()) {
            CAPTURE(h.name);
            const std::string slack = h.slack.empty() ? escape_mrkdwn(h.typed) : h.slack;
            const std::string out = html_from_slack(slack, {{"U1", "<b>Al</b>"}});
            CHECK(foreign_tags(out).empty());
            static const std::regex open_tag("<([a-z]+)");
            for (std::sregex_iterator it(out.begin(), out.end(), open_tag), end; it != end; ++it)
                CHECK(((*it)[1] == "a" || (*it)[1] == "code"));
            CHECK(out.find("<a href=\"javascript") == std::string::npos);
            CHECK(out.find("<a href=\"data") == std::string::npos);
            CHECK(is_valid_utf8(out));
        }
        CHECK(html_from_slack("&lt;img src=x onerror=alert(1)&gt;") == "&lt;img src=x onerror=alert(1)&gt;");
        CHECK(html_from_slack("see <https://example.com/a?b=1&amp;c=\"2\"|the graph>") ==
              "see <a href=\"https://example.com/a?b=1&amp;c=&quot;2&quot;\" rel=\"noopener noreferrer nofollow\">the "
              "graph</a>");
        CHECK(html_from_slack("<javascript:alert(1)|click>") == "click (javascript:alert(1))");
        const user_names names{{"U0ALICE", "<b>Al</b>"}};
        CHECK(html_from_slack("ping <@U0ALICE> in `<b>`", names) ==
              "ping " + html_text(slack_to_readable("<@U0ALICE>", names)) + " in <code>&lt;b&gt;</code>");
        CHECK(html_from_slack("<@U0ALICE>", names).find("<b>") == std::string::npos);
    }

    TEST_CASE("the incident page shows the record, with a hostile message as text and no inline script or style") {
        auto r = chapter6_outage();
        r.inc.title = escape_mrkdwn("Login <script>alert(1)</script> down");
        timeline_entry evil;
        evil.seq = static_cast<std::int64_t>(r.timeline.size()) + 1;
        evil.incident_id = r.inc.id;
        evil.at = at(15, 15, 0);
        evil.slack_ts = to_slack_ts(evil.at);
        evil.user = "U0BOB";
        evil.text = escape_mrkdwn("<img src=x onerror=alert(1)> \"><svg onload=alert(2)>");
        r.timeline.push_back(evil);
        const auto res = page_of(r);
        const auto summary = rv::summary_page(r);
        for (const auto* page : {&res, &summary}) {
            CHECK(page->status == 200);
            CHECK(page->content_type == "text/html; charset=utf-8");
            const std::string& b = page->body;
            CHECK(foreign_tags(b).empty());
            CHECK(b.find("<img") == std::string::npos);
            CHECK(b.find("<script>alert") == std::string::npos);
            CHECK(count(b, "<script") == 1);  // the one script element, loaded from /assets
            CHECK(b.find("<script src=\"/assets/review.js\" defer></script>") != std::string::npos);
            CHECK(b.find(" style=") == std::string::npos);
            CHECK_FALSE(std::regex_search(b, std::regex("<[^>]* on[a-z]+="))); // no event handler attribute
            CHECK(header(*page, "Content-Security-Policy").find("unsafe-inline") == std::string::npos);
        }
        const std::string& body = res.body;
        CHECK(body.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
        // The sections the review meeting wants: the page holds the timeline and the placeholders
        // (each linking to the summary), the summary what needs the whole record, under the same ids.
        for (const char* id : {"id=\"chart\" data-summary", "id=\"timeline\"", "id=\"person\" name=\"person\" data-summary",
                               "id=\"summary\" data-summary"})
            CHECK_MESSAGE(body.find(id) != std::string::npos, id);
        CHECK(count(body, "<a href=\"/incidents/42/summary\">") == 2);
        for (const char* id : {"<section id=\"chart\"", "<select id=\"person\"", "<div id=\"summary\"",
                               "id=\"participants\"", "id=\"statuspage\"", "id=\"hypotheses\"", "id=\"action-items\"",
                               "id=\"coordination\""})
            CHECK_MESSAGE(summary.body.find(id) != std::string::npos, id);
        CHECK(body.find("<svg") == std::string::npos);
        CHECK(summary.body.find("<svg") != std::string::npos);
        CHECK(summary.body.find("<?xml") == std::string::npos);
        // Everyone who took part is in the summary's person filter, named.
        CHECK(summary.body.find("<option value=\"U0CAROL\">") != std::string::npos);
        // Every entry is on the first page with its permalink; chart marks link to entries.
        for (const auto& e : r.timeline) {
            CHECK(body.find("<li id=\"" + std::to_string(e.seq) + "\"") != std::string::npos);
            CHECK(body.find("/incidents/42/entries/" + std::to_string(e.seq) + "\"") != std::string::npos);
        }
        CHECK(count(summary.body, "<a href=\"#") >= 5);
        for (const char* fmt : {"json", "md", "csv", "svg"})
            CHECK(body.find("/incidents/42/export." + std::string(fmt)) != std::string::npos);
        CHECK(header(res, "Content-Security-Policy").find("default-src 'self'") != std::string::npos);
        CHECK(header(res, "Content-Security-Policy").find("unsafe-inline") == std::string::npos);
    }

    TEST_CASE("a timeline with thousands of hypotheses lists the first 100 and links to the rest") {
        auto r = long_record(3000);
        for (auto& e : r.timeline)
            if (e.text.starts_with("message number ")) e.tags.push_back({tag::hypothesis, "test"});
        const auto all = std::count_if(r.timeline.begin(), r.timeline.end(),
                                       [](const timeline_entry& e) { return e.has_tag(tag::hypothesis); });
        REQUIRE(all > 3000);
        const auto body = rv::summary_page(r).body;
        const auto section = body.substr(body.find("id=\"hypotheses\""));
        const auto list = section.substr(0, section.find("</ol>"));
        CHECK(count(list, "<li>") == 100);
        CHECK(section.find("The first 100 of " + std::to_string(all) + " hypotheses; <a href=\"/incidents/42?tag=hypothesis\">") !=
              std::string::npos);
        CHECK(body.size() < 200'000);
    }

    TEST_CASE("the hypothesis chip leaves only hypotheses; person and text filter too") {
        const auto r = chapter6_outage();
        const auto hypotheses = std::count_if(r.timeline.begin(), r.timeline.end(),
                                              [](const timeline_entry& e) { return e.has_tag(tag::hypothesis); });
        REQUIRE(hypotheses >= 2);
        const auto body = page_of(r, "?tag=hypothesis").body;
        const auto list = body.substr(body.find("<ol class=\"timeline\">"));
        CHECK(count(list.substr(0, list.find("</ol>")), "<li ") == static_cast<std::size_t>(hypotheses));
        CHECK(body.find(std::to_string(hypotheses) + " of " + std::to_string(r.timeline.size()) + " entries") !=
              std::string::npos);
        // The chip that is on turns its filter off again (a toggle), and says so without colour.
        CHECK(body.find("<a class=\"chip tag-hypothesis\" href=\"/incidents/42\" aria-current=\"true\">") !=
              std::string::npos);
        CHECK(page_of(r).body.find("<a class=\"chip tag-hypothesis\" href=\"/incidents/42?tag=hypothesis\">") !=
              std::string::npos);

        const auto found = page_of(r, "?q=GIVES+a+502").body;
        CHECK(found.find("<p class=\"count\" id=\"timeline-count\">1 of ") != std::string::npos);
        CHECK(found.find("Login page gives a 502 for everyone") != std::string::npos);
        // A message deleted in Slack is neither shown nor found.
        CHECK(page_of(r).body.find("always DNS") == std::string::npos);
        CHECK(page_of(r, "?q=always+dns").body.find("<p class=\"count\" id=\"timeline-count\">0 of ") !=
              std::string::npos);

        const auto carol = page_of(r, "?person=U0CAROL").body;
        const auto carol_list = carol.substr(carol.find("<ol class=\"timeline\">"));
        const auto n = count(carol_list.substr(0, carol_list.find("</ol>")), "<li ");
        const auto expected = std::count_if(r.timeline.begin(), r.timeline.end(),
                                            [](const timeline_entry& e) { return e.user == "U0CAROL"; });
        CHECK(n == static_cast<std::size_t>(expected));
    }

    TEST_CASE("a long timeline is paged; a permalink finds its page") {
        const auto r = long_record(450);
        const auto total = r.timeline.size();
        const auto first = page_of(r).body;
        CHECK(count(first, "<li id=") == rv::page_size);
        CHECK(first.find("Page 1 of 3") != std::string::npos);
        const auto last = page_of(r, "?page=3").body;
        CHECK(count(last, "<li id=") == total - 2 * rv::page_size);
        CHECK(last.find("<li id=\"" + std::to_string(total) + "\"") != std::string::npos);
        // A permalink: the position a store gives for the seq picks the page.
        const std::int64_t seq = 420;
        const auto red = rv::entry_redirect(42, seq, static_cast<std::size_t>(seq - 1));
        CHECK(red.status == 303);
        CHECK(header(red, "Location") == "/incidents/42?page=" + std::to_string((seq - 1) / rv::page_size + 1) + "#420");
        CHECK(rv::entry_redirect(42, 100000, std::nullopt).status == 404);
        CHECK(header(rv::entry_redirect(42, 1, 0), "Location") == "/incidents/42?page=1#1");
        CHECK(header(rv::entry_redirect(42, 7, 200), "Location") == "/incidents/42?page=2#7");
        // Past the last page: the last page; nonsense: the first.
        CHECK(page_of(r, "?page=99").body.find("Page 3 of 3") != std::string::npos);
        CHECK(page_of(r, "?page=x").body.find("Page 1 of 3") != std::string::npos);
    }

    TEST_CASE("a page read in pieces (a page of entries, deletions, marked messages, kinds) is the page of the whole record") {
        // The case study has a deleted message, a key moment and an edit on its first page; the
        // long record has pages that show none of them.
        for (const auto& r : {chapter6_outage(), long_record(450)}) {
            for (const std::string q : {"", "?page=2", "?page=3"}) {
                CAPTURE(q);
                const auto params = http::split_target("/incidents/42" + q).second;
                const auto whole = rv::incident_page(rv::view_of(r, params), params, at(16, 0, 0)).body;
                CHECK(rv::incident_page(read_by_pieces(r, params), params, at(16, 0, 0)).body == whole);
            }
        }
        // A page that shows a deleted message but not its deletion (on another page): the context's
        // deletion is what keeps its text out.
        const auto r = chapter6_outage();
        auto v = read_by_pieces(r, {});
        std::erase_if(v.entries, [](const timeline_entry& e) { return e.kind == entry_kind::deletion; });
        CHECK(rv::incident_page(v, {}, at(16, 0, 0)).body.find("always DNS") == std::string::npos);
        v.context.clear();
        CHECK(rv::incident_page(v, {}, at(16, 0, 0)).body.find("always DNS") != std::string::npos);
    }

    TEST_CASE("downloads are the export's bytes") {
        const auto r = chapter6_outage();
        CHECK(rv::download(r, "json").body == export_json(r));
        CHECK(rv::download(r, "md").body == export_markdown(r));
        CHECK(rv::download(r, "csv").body == export_csv(r));
        CHECK(rv::download(r, "svg").body == export_svg(r));
        CHECK(header(rv::download(r, "csv"), "Content-Disposition") == "attachment; filename=\"incident-42.csv\"");
        CHECK(rv::download(r, "exe").status == 404);
        // The inline chart differs only by its links and the XML declaration.
        CHECK(export_svg(r, svg_options{}) == export_svg(r));
    }

    TEST_CASE("private incidents are hidden unless asked for") {
        auto open = chapter6_outage().inc;
        auto secret = open;
        secret.id = 43;
        secret.title = "Payroll leak";
        secret.is_private = true;
        const std::vector<incident> all{open, secret};
        const auto hidden = rv::incidents_page(all, {}, at(16, 0, 0), {}).body;
        CHECK(hidden.find("Payroll leak") == std::string::npos);
        CHECK(hidden.find("/incidents/42") != std::string::npos);
        CHECK_FALSE(rv::visible(secret, {}));
        const auto shown = rv::incidents_page(all, {}, at(16, 0, 0), {.include_private = true, .token = {}}).body;
        CHECK(shown.find("Payroll leak") != std::string::npos);
        CHECK(rv::visible(secret, {.include_private = true, .token = {}}));
        CHECK(rv::stats_page(all, at(16, 0, 0), {}).body.find("sev1") != std::string::npos);
    }

    TEST_CASE("the list filters by title, severity, status and date, newest first") {
        auto a = chapter6_outage().inc;
        auto b = a;
        b.id = 7;
        b.title = "Checkout slow";
        b.sev = severity::sev3;
        b.declared_at = a.declared_at + std::chrono::hours{48};
        const std::vector<incident> all{a, b};
        const auto list = [&](const char* q) {
            return rv::incidents_page(all, http::parse_query(q), at(16, 0, 0), {}).body;
        };
        const auto both = list("");
        CHECK(both.find("Checkout slow") < both.find("Login page down"));
        CHECK(list("q=LOGIN").find("Checkout") == std::string::npos);
        CHECK(list("sev=sev3").find("Login page down") == std::string::npos);
        CHECK(list("status=resolved").find("Login page down") != std::string::npos);
        CHECK(list("from=2026-11-21").find("Login page down") == std::string::npos);
        CHECK(list("to=2026-11-20").find("Checkout slow") == std::string::npos);
        CHECK(list("to=2026-11-20").find("Login page down") != std::string::npos);
    }

    TEST_CASE("with a token, pages need the session cookie the login sets") {
        const std::string token = "s3cret token";
        CHECK(rv::check_access(get("/"), rv::parse_route(get("/")), ""));
        CHECK_FALSE(rv::check_access(get("/"), rv::parse_route(get("/")), token));
        CHECK_FALSE(rv::check_access(get("/", "ib_review=wrong"), rv::parse_route(get("/")), token));
        CHECK(rv::check_access(get("/assets/review.css"), rv::parse_route(get("/assets/review.css")), token));
        CHECK(rv::check_access(get("/login"), rv::parse_route(get("/login")), token));

        http::request wrong = get("/login");
        wrong.method = "POST";
        wrong.body = "token=guess";
        CHECK(rv::login_submit(wrong, token).status == 401);
        CHECK(header(rv::login_submit(wrong, token), "Set-Cookie").empty());

        http::request right = wrong;
        right.body = "token=s3cret+token";
        const auto ok = rv::login_submit(right, token);
        CHECK(ok.status == 303);
        const auto cookie = header(ok, "Set-Cookie");
        CHECK(cookie.find("HttpOnly") != std::string::npos);
        CHECK(cookie.find("SameSite=Strict") != std::string::npos);
        const auto value = cookie.substr(0, cookie.find(';'));
        CHECK(rv::check_access(get("/", value), rv::parse_route(get("/")), token));
    }

    TEST_CASE("every answer carries the security headers; assets are compiled in") {
        const auto css = rv::asset("review.css");
        CHECK(css.status == 200);
        CHECK(css.content_type.starts_with("text/css"));
        const auto js = rv::asset("review.js");
        CHECK(js.content_type.starts_with("text/javascript"));
        CHECK(js.body.find("fetch(") != std::string::npos);
        CHECK(js.body.find("innerHTML") != std::string::npos);  // only with the server's escaped HTML
        CHECK(js.body.find("eval(") == std::string::npos);
        CHECK(rv::asset("../../etc/passwd").status == 404);
        for (const auto& res : {css, js, rv::error_page(404, "x"), rv::login_page(),
                                rv::version_response(chapter6_outage().inc, 3)}) {
            CHECK(header(res, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
            CHECK(header(res, "X-Content-Type-Options") == "nosniff");
        }
        CHECK(rv::version_of(chapter6_outage().inc, 3) != rv::version_of(chapter6_outage().inc, 4));
    }
}
