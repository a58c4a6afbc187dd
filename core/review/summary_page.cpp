// The incident's summary on the review site (site.hpp, summary_page): what needs its whole
// record (the chart, the people of the person filter, participants, status-page updates with
// their gaps, hypotheses with their fates, action items, coordination). The incident page shows
// it after its first paint (review.js fetches this page and puts its parts in place); without
// script the page links here.
#include "core/review/layout.hpp"
#include "core/review/site.hpp"

#include "core/coordination.hpp"
#include "core/participants.hpp"
#include "core/svg.hpp"

#include <unordered_map>

namespace ib::review {

using namespace detail;

namespace {

std::string participants_section(const incident_record& r, const std::vector<participant>& people) {
    std::string s = "<section id=\"participants\" aria-labelledby=\"participants-h\">\n<h2 id=\"participants-h\">"
                    "Participants</h2>\n";
    if (people.empty()) return s + "<p>Nobody recorded.</p>\n</section>\n";
    s += "<table><thead><tr><th scope=\"col\">Who</th><th scope=\"col\">Joined</th><th scope=\"col\">First spoke</th>"
         "<th scope=\"col\">Messages</th></tr></thead><tbody>\n";
    for (const auto& p : people)
        s += "<tr><td><a href=\"/incidents/" + std::to_string(r.inc.id) + "?person=" + html_text(http::percent_encode(p.user)) +
             "\">" + person(p.user, r.names) + "</a></td><td>" + when(p.joined_at) + "</td><td>" +
             when(p.first_message_at) + "</td><td>" + std::to_string(p.messages) + "</td></tr>\n";
    return s + "</tbody></table>\n</section>\n";
}

// The hypotheses section lists this many; the rest are a link to the timeline's hypothesis chip
// (a 100,000-entry incident can have 10,000: 1.8 MB of HTML that nobody reads at once).
constexpr std::size_t hypotheses_listed = 100;

std::string statuspage_section(const incident_record& r) {
    std::string s = "<section id=\"statuspage\" aria-labelledby=\"statuspage-h\">\n<h2 id=\"statuspage-h\">"
                    "Status-page updates</h2>\n";
    std::optional<time_point> previous;
    std::string items;
    for (const auto& e : r.timeline) {
        if (e.kind != entry_kind::statuspage) continue;
        const auto gap = std::chrono::duration_cast<seconds>(e.at - previous.value_or(r.inc.start()));
        items += "<li><a href=\"#" + std::to_string(e.seq) + "\">" + when(e.at) + "</a> " + person(e.user, r.names) +
                 " <span class=\"gap\">(" + html_text(format_duration(gap)) +
                 (previous ? " after the previous update" : " after the start") + ")</span>: " +
                 html_from_slack(e.text, r.names) + "</li>\n";
        previous = e.at;
    }
    if (items.empty()) return s + "<p>None recorded.</p>\n</section>\n";
    return s + "<ol>\n" + items + "</ol>\n</section>\n";
}

std::string hypotheses_section(const incident_record& r, const message_history& history,
                               const std::vector<hypothesis>& hypotheses) {
    std::string s = "<section id=\"hypotheses\" aria-labelledby=\"hypotheses-h\">\n<h2 id=\"hypotheses-h\">"
                    "Hypotheses</h2>\n";
    // Each hypothesis with its fate (✅/❌ reactions, core/coordination), in words, not colour alone.
    std::string items;
    // Fates by ts: a 100,000-entry timeline has 10,000 hypotheses, too many to search each time.
    std::unordered_map<std::string_view, hypothesis_fate> fates;
    fates.reserve(hypotheses.size());
    for (const auto& h : hypotheses) fates.emplace(h.ts, h.fate);
    std::size_t n = 0;
    for (const auto& e : r.timeline) {
        if (e.kind != entry_kind::message || !e.has_tag(tag::hypothesis)) continue;
        if (++n > hypotheses_listed) continue;
        const bool gone = history.deleted(e.slack_ts);
        const auto h = fates.find(e.slack_ts);
        const auto fate = h == fates.end() ? hypothesis_fate::open : h->second;
        items += "<li><a href=\"#" + std::to_string(e.seq) + "\">" + when(e.at) + "</a> " + person(e.user, r.names) +
                 ": " +
                 (gone ? std::string("<em>(deleted later; text not shown)</em>")
                       : html_from_slack(history.latest_text(e), r.names)) +
                 " <span class=\"fate\">(" + html_text(to_string(fate)) + ")</span></li>\n";
    }
    if (items.empty()) return s + "<p>None tagged.</p>\n</section>\n";
    s += "<ol>\n" + items + "</ol>\n";
    if (n > hypotheses_listed)
        s += "<p class=\"more\">The first " + std::to_string(hypotheses_listed) + " of " + std::to_string(n) +
             " hypotheses; <a href=\"/incidents/" + std::to_string(r.inc.id) + "?tag=hypothesis\">all " +
             std::to_string(n) + " in the timeline</a>.</p>\n";
    return s + "</section>\n";
}

std::string action_items_section(const incident_record& r) {
    std::string s = "<section id=\"action-items\" aria-labelledby=\"action-items-h\">\n<h2 id=\"action-items-h\">"
                    "Action items</h2>\n";
    std::string items;
    for (const auto& e : r.timeline) {
        if (e.kind != entry_kind::action_item) continue;
        const auto owner = e.attr("owner");
        items += "<li><a href=\"#" + std::to_string(e.seq) + "\">" + when(e.at) + "</a> " +
                 html_from_slack(e.text, r.names) + " (owner: " + person(owner, r.names, "unassigned") + ")</li>\n";
    }
    if (items.empty()) return s + "<p>None recorded yet.</p>\n</section>\n";
    return s + "<ul>\n" + items + "</ul>\n</section>\n";
}

// A delay, or "not yet" when nothing followed.
std::string after(const std::optional<seconds>& d) { return d ? html_text(format_duration(*d)) : "not yet"; }

// The coordination record (core/coordination.hpp), the same struct the JSON export and the review
// draft render: about the system of work, never a score for a person.
std::string coordination_html(const incident_record& r, const coordination& c) {
    std::string s = "<section id=\"coordination\" aria-labelledby=\"coordination-h\">\n<h2 id=\"coordination-h\">"
                    "Coordination</h2>\n<ul>\n";
    s += "<li>Hypotheses: " + std::to_string(c.hypotheses.size()) + " raised, " + std::to_string(c.confirmed) +
         " confirmed, " + std::to_string(c.ruled_out) + " ruled out; first hypothesis to identified: " +
         after(c.first_hypothesis_to_identified) + "</li>\n";
    s += "<li>Questions to the commander: " + std::to_string(c.commander_questions) + "</li>\n";
    s += "<li>Side threads: " + std::to_string(c.threads.size()) + "; quiet stretches over 10 minutes: " +
         std::to_string(c.quiet.size()) + "</li>\n</ul>\n";
    if (!c.joins.empty()) {
        s += "<h3>People pulled in</h3>\n<ul>\n";
        for (const auto& j : c.joins) s += "<li>" + when(j.at) + " " + person(j.user, r.names) + "</li>\n";
        s += "</ul>\n";
    }
    if (!c.handoffs.empty()) {
        s += "<h3>Commander handoffs</h3>\n<ul>\n";
        for (const auto& h : c.handoffs)
            s += "<li>" + when(h.at) + " " + person(h.from, r.names, "nobody") + " to " + person(h.to, r.names) +
                 " (status " + html_text(h.status) + ", " + html_text(h.severity) + ", " +
                 std::to_string(h.open_hypotheses.size()) + " open hypotheses)</li>\n";
        s += "</ul>\n";
    }
    if (!c.commander_demand.empty()) {
        s += "<h3>Questions to the commander per 10 minutes</h3>\n<ul>\n";
        for (const auto& d : c.commander_demand)
            s += "<li>from " + when(d.from) + ": " + std::to_string(d.questions) + "</li>\n";
        s += "</ul>\n";
    }
    if (!c.threads.empty()) {
        s += "<h3>Side threads</h3>\n<ul>\n";
        for (const auto& t : c.threads) {
            std::string people;
            for (const auto& u : t.people) people += (people.empty() ? "" : ", ") + person(u, r.names);
            s += "<li>" + std::to_string(t.replies) + " replies by " + people + "; last " + when(t.last_reply) + "; " +
                 (t.reported_back ? "reported back to the channel" : "not reported back") + "</li>\n";
        }
        s += "</ul>\n";
    }
    if (!c.quiet.empty()) {
        s += "<h3>Quiet stretches</h3>\n<ul>\n";
        for (const auto& q : c.quiet)
            s += "<li>" + when(q.from) + " to " + when(q.to) + " (" +
                 html_text(format_duration(std::chrono::duration_cast<seconds>(q.to - q.from))) + ")</li>\n";
        s += "</ul>\n";
    }
    if (!c.acted.empty()) {
        s += "<h3>From knowing to acting</h3>\n<ul>\n";
        for (const auto& a : c.acted)
            s += "<li>" + html_text(a.what) + " by " + person(a.user, r.names) + " at " + when(a.at) + ": " +
                 html_from_slack(a.text, r.names) + " (acted on after " + after(a.acted_after) + ")</li>\n";
        s += "</ul>\n";
    }
    return s + "</section>\n";
}

}  // namespace

std::string coordination_section(const incident_record& r) { return coordination_html(r, coordinate(r, record_end(r))); }

http::response summary_page(const incident_record& r) {
    // The message index once, for every view of the record below.
    const message_history history(r.timeline);
    const auto coordination = coordinate(r, record_end(r), history);  // the hypotheses' fates come from it too
    const std::string id = std::to_string(r.inc.id);
    const auto people = participants(r.timeline);
    std::vector<std::string> ids;
    for (const auto& p : people) ids.push_back(p.user);
    std::string m = "<h1>Incident #" + id + ": " + html_from_slack(r.inc.title, r.names) + "</h1>\n<p><a href=\"/incidents/" +
                    id + "\">Its timeline</a></p>\n";
    // The timeline of one person (its select is what the incident page's person filter lists).
    m += "<form method=\"get\" action=\"/incidents/" + id +
         "\" class=\"filters\" role=\"search\" aria-label=\"The timeline of one person\">\n<label for=\"person\">Person</label>" +
         person_select({}, ids, r.names, false) + "\n<button type=\"submit\">Show the timeline</button>\n</form>\n";
    m += "<section id=\"chart\" aria-labelledby=\"chart-h\">\n<h2 id=\"chart-h\">Chart</h2>\n"
         "<p class=\"hint\">Each mark links to its entry in the timeline.</p>\n<div class=\"chart\">" +
         export_svg(r, svg_options{.inline_html = true}, history) + "</div>\n</section>\n";
    m += "<div id=\"summary\">\n";
    m += participants_section(r, people);
    m += statuspage_section(r);
    m += hypotheses_section(r, history, coordination.hypotheses);
    m += action_items_section(r);
    m += coordination_html(r, coordination);
    m += "</div>\n";
    return html(200, document("Incident #" + id + ": summary", m, "data-incident=\"" + id + "\""));
}

}  // namespace ib::review
