// The incident page of the review site (site.hpp): header, chart, the paged and filtered
// timeline, participants, status-page updates, hypotheses, action items, coordination, downloads.
#include "core/review/layout.hpp"
#include "core/review/site.hpp"

#include "core/coordination.hpp"
#include "core/metrics.hpp"
#include "core/participants.hpp"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

namespace ib::review {

using namespace detail;

namespace {

constexpr entry_kind all_kinds[] = {
    entry_kind::message,  entry_kind::bot_message, entry_kind::join,        entry_kind::leave,
    entry_kind::reaction, entry_kind::unreaction,  entry_kind::key_moment,  entry_kind::edit,
    entry_kind::deletion, entry_kind::declare,     entry_kind::detected,    entry_kind::ack,
    entry_kind::severity, entry_kind::status,      entry_kind::resolve,     entry_kind::reopen,
    entry_kind::role,     entry_kind::note,        entry_kind::action_item, entry_kind::statuspage,
    entry_kind::reminder, entry_kind::redaction,   entry_kind::gap,
};
constexpr tag all_tags[] = {tag::hypothesis, tag::action, tag::status, tag::command, tag::join};
// The hypotheses section lists this many; the rest are a link to the timeline's hypothesis chip
// (a 100,000-entry incident can have 10,000: 1.8 MB of HTML that the first page does not need).
constexpr std::size_t hypotheses_listed = 100;

// The timeline's filters, from the query.
struct filters {
    std::string tag_name, kind_name, person, q;
    std::optional<tag> want_tag;
    std::optional<entry_kind> want_kind;
    std::string needle;  // q, lower case

    explicit filters(const http::params& query)
        : tag_name(param(query, "tag")), kind_name(param(query, "kind")), person(param(query, "person")),
          q(param(query, "q")), want_tag(parse_tag(tag_name)), want_kind(parse_entry_kind(kind_name)),
          needle(ascii_lower(q)) {}

    bool any() const { return want_tag || want_kind || !person.empty() || !needle.empty(); }

    // This page's URL with these filters, `change` applied (name → value; "" removes it).
    std::string link(std::int64_t id, std::string_view name, const std::string& value, std::size_t page_no = 0) const {
        const auto pick = [&](std::string_view n, const std::string& v) { return n == name ? value : v; };
        return html_text("/incidents/" + std::to_string(id) +
                         query_string({{"tag", pick("tag", want_tag ? tag_name : "")},
                                       {"kind", pick("kind", want_kind ? kind_name : "")},
                                       {"person", pick("person", person)},
                                       {"q", pick("q", q)},
                                       {"page", page_no > 1 ? std::to_string(page_no) : ""}}));
    }
};

// The text an entry shows, as a reader sees it (for the search).
std::string readable_text(const timeline_entry& e, const message_history& history, const user_names& names) {
    return slack_to_readable(entry_display_text(e, history), names);
}

std::string chips(const timeline_entry& e) {
    std::string out;
    std::vector<tag> seen;
    for (const auto& h : e.tags) {
        if (std::find(seen.begin(), seen.end(), h.tag) != seen.end()) continue;
        seen.push_back(h.tag);
        out += " <span class=\"chip tag-" + html_text(to_string(h.tag)) + "\">" + html_text(to_string(h.tag)) + "</span>";
    }
    return out;
}

// The Slack link of a message: https://slack.com/archives/C…/p<ts without the dot>.
std::string slack_link(const incident& inc, const timeline_entry& e) {
    if (e.slack_ts.empty() || !is_plain_slack_id(inc.channel_id)) return {};
    if (e.kind != entry_kind::message && e.kind != entry_kind::bot_message) return {};
    std::string ts;
    for (const char c : e.slack_ts)
        if (c >= '0' && c <= '9') ts += c;
    return " <a class=\"slack\" href=\"https://slack.com/archives/" + html_text(inc.channel_id) + "/p" + ts +
           "\" rel=\"noopener noreferrer\">in Slack</a>";
}

std::string entry_item(const incident_record& r, const timeline_entry& e, const message_history& history) {
    const std::string seq = std::to_string(e.seq);
    std::string text;
    if (history.withheld(e) && e.kind != entry_kind::deletion) text = "<em>(deleted later; text not shown)</em>";
    else text = html_from_slack(entry_display_text(e, history), r.names);
    return "<li id=\"" + seq + "\" class=\"entry kind-" + html_text(to_string(e.kind)) + "\"><div class=\"meta\">" +
           when(e.at) + " <span class=\"who\">" + person(e.user, r.names, "") + "</span> <span class=\"chip kind\">" +
           html_text(to_string(e.kind)) + "</span>" + chips(e) + " <a class=\"permalink\" href=\"/incidents/" +
           std::to_string(r.inc.id) + "/entries/" + seq + "\" aria-label=\"Permalink to entry " + seq + "\">#" + seq +
           "</a>" + slack_link(r.inc, e) + "</div><div class=\"text\">" + text + "</div></li>\n";
}

std::string header(const incident_record& r, time_point now) {
    const auto& inc = r.inc;
    const auto m = compute_metrics(inc);
    std::string h = "<h1>Incident #" + std::to_string(inc.id) + ": " + html_from_slack(inc.title, r.names) + "</h1>\n";
    h += "<p class=\"summary\"><span class=\"sev sev" + std::to_string(static_cast<int>(inc.sev)) + "\">" +
         html_text(to_string(inc.sev)) + " (" + html_text(describe(inc.sev)) + ")</span> · <strong id=\"status\">" +
         html_text(to_string(inc.state)) + "</strong>" + (inc.is_open() ? " (open)" : "") +
         (inc.is_private ? " · <span class=\"chip\">private</span>" : "") +
         (inc.channel_name.empty() ? "" : " · #" + html_text(inc.channel_name)) + "</p>\n";
    if (inc.is_private)
        h += "<p class=\"notice\">Private incident: declared in a private channel. Share what you see here only "
             "with its members.</p>\n";
    h += "<dl class=\"facts\">\n";
    const auto fact = [&](std::string_view name, const std::string& value) {
        h += "<div><dt>" + html_text(name) + "</dt><dd>" + value + "</dd></div>\n";
    };
    fact("Declared by", person(inc.declared_by, r.names));
    fact("Commander", person(inc.commander, r.names));
    fact("Comms lead", person(inc.comms_lead, r.names));
    fact("Detected", when(inc.detected_at));
    fact("Declared", when(inc.declared_at));
    fact("Acknowledged", when(inc.acknowledged_at));
    fact("Identified", when(inc.identified_at));
    fact("Mitigated", when(inc.mitigated_at));
    fact("Resolved", when(inc.resolved_at));
    fact("TTA", html_text(format_metric(m.tta)));
    fact("TTR", html_text(format_metric(m.ttr)) +
                    (inc.is_open() ? " (open for " +
                                         html_text(format_duration(std::chrono::duration_cast<seconds>(now - inc.start()))) +
                                         ")"
                                   : ""));
    fact("Detection", html_text(format_metric(m.detection)));
    fact("Response", html_text(format_metric(m.response)));
    fact("Remediation", html_text(format_metric(m.remediation)));
    if (inc.reopen_count > 0) fact("Reopened", std::to_string(inc.reopen_count) + "×");
    h += "</dl>\n";
    const std::string base = "/incidents/" + std::to_string(inc.id) + "/export.";
    h += "<p class=\"downloads\">Download: <a href=\"" + base + "json\" download>JSON</a> <a href=\"" + base +
         "md\" download>Markdown</a> <a href=\"" + base + "csv\" download>CSV</a> <a href=\"" + base +
         "svg\" download>SVG</a></p>\n";
    return h;
}

std::string timeline_section(const incident_record& r, const message_history& history, const filters& f,
                             std::size_t page_number) {
    const auto id = r.inc.id;
    std::string s = "<section id=\"timeline\" aria-labelledby=\"timeline-h\">\n<h2 id=\"timeline-h\">Timeline</h2>\n";
    // Chips: tags, then kinds present on the timeline; each a link that sets its filter, or clears it
    // when it is the one set (a toggle; aria-current and bold underlined text mark it, not colour).
    s += "<nav class=\"chips\" aria-label=\"Filter by tag\"><span>Tag:</span> <a href=\"" + f.link(id, "tag", "") +
         "\"" + (f.want_tag ? "" : " aria-current=\"true\"") + ">all</a>";
    for (const auto t : all_tags) {
        const bool on = f.want_tag == t;
        s += " <a class=\"chip tag-" + html_text(to_string(t)) + "\" href=\"" +
             f.link(id, "tag", on ? "" : std::string(to_string(t))) + "\"" + (on ? " aria-current=\"true\"" : "") + ">" +
             html_text(to_string(t)) + "</a>";
    }
    s += "</nav>\n<nav class=\"chips\" aria-label=\"Filter by kind\"><span>Kind:</span> <a href=\"" +
         f.link(id, "kind", "") + "\"" + (f.want_kind ? "" : " aria-current=\"true\"") + ">all</a>";
    for (const auto k : all_kinds) {
        const bool present =
            std::any_of(r.timeline.begin(), r.timeline.end(), [&](const timeline_entry& e) { return e.kind == k; });
        if (!present) continue;
        const bool on = f.want_kind == k;
        s += " <a class=\"chip kind\" href=\"" + f.link(id, "kind", on ? "" : std::string(to_string(k))) + "\"" +
             (on ? " aria-current=\"true\"" : "") + ">" + html_text(to_string(k)) + "</a>";
    }
    s += "</nav>\n";
    // Person and text search: a plain GET form, so it works without script.
    s += "<form method=\"get\" action=\"/incidents/" + std::to_string(id) +
         "\" class=\"filters\" role=\"search\" aria-label=\"Search the timeline\">\n";
    if (f.want_tag) s += "<input type=\"hidden\" name=\"tag\" value=\"" + html_text(f.tag_name) + "\">";
    if (f.want_kind) s += "<input type=\"hidden\" name=\"kind\" value=\"" + html_text(f.kind_name) + "\">";
    s += "<label for=\"person\">Person</label><select id=\"person\" name=\"person\"><option value=\"\">anyone</option>";
    for (const auto& p : participants(r.timeline))
        s += "<option value=\"" + html_text(p.user) + "\"" + (p.user == f.person ? " selected" : "") + ">" +
             person(p.user, r.names) + "</option>";
    s += "</select>\n<label for=\"tq\">Text</label><input id=\"tq\" name=\"q\" type=\"search\" value=\"" + html_text(f.q) +
         "\">\n<button type=\"submit\">Search</button>";
    if (f.any()) s += " <a href=\"/incidents/" + std::to_string(id) + "\">Clear filters</a>";
    s += "\n</form>\n";

    std::vector<const timeline_entry*> hits;
    hits.reserve(f.any() ? 256 : r.timeline.size());
    for (const auto& e : r.timeline) {
        if (f.want_tag && !e.has_tag(*f.want_tag)) continue;
        if (f.want_kind && e.kind != *f.want_kind) continue;
        if (!f.person.empty() && e.user != f.person) continue;
        if (!f.needle.empty() && ascii_lower(readable_text(e, history, r.names)).find(f.needle) == std::string::npos)
            continue;
        hits.push_back(&e);
    }
    const std::size_t pages = std::max<std::size_t>(1, (hits.size() + page_size - 1) / page_size);
    const std::size_t p = std::clamp<std::size_t>(page_number, 1, pages);
    const std::size_t first = (p - 1) * page_size, last = std::min(hits.size(), p * page_size);
    s += "<p class=\"count\" id=\"timeline-count\">" + std::to_string(hits.size()) + " of " +
         std::to_string(r.timeline.size()) + " entries";
    if (!hits.empty()) s += ", showing " + std::to_string(first + 1) + "–" + std::to_string(last);
    s += "</p>\n";
    const auto pager = [&] {
        if (pages == 1) return std::string();
        std::string n = "<nav class=\"pager\" aria-label=\"Timeline pages\">";
        if (p > 1) n += "<a href=\"" + f.link(id, "page", std::to_string(p - 1), p - 1) + "\" rel=\"prev\">← Earlier</a> ";
        n += "Page " + std::to_string(p) + " of " + std::to_string(pages);
        if (p < pages) n += " <a href=\"" + f.link(id, "page", std::to_string(p + 1), p + 1) + "\" rel=\"next\">Later →</a>";
        return n + "</nav>\n";
    };
    s += pager();
    s += "<ol class=\"timeline\">\n";
    for (std::size_t i = first; i < last; ++i) s += entry_item(r, *hits[i], history);
    s += "</ol>\n";
    s += pager();
    s += "</section>\n";
    return s;
}

std::string participants_section(const incident_record& r) {
    std::string s = "<section id=\"participants\" aria-labelledby=\"participants-h\">\n<h2 id=\"participants-h\">"
                    "Participants</h2>\n";
    const auto people = participants(r.timeline);
    if (people.empty()) return s + "<p>Nobody recorded.</p>\n</section>\n";
    s += "<table><thead><tr><th scope=\"col\">Who</th><th scope=\"col\">Joined</th><th scope=\"col\">First spoke</th>"
         "<th scope=\"col\">Messages</th></tr></thead><tbody>\n";
    for (const auto& p : people)
        s += "<tr><td><a href=\"/incidents/" + std::to_string(r.inc.id) + "?person=" + html_text(http::percent_encode(p.user)) +
             "\">" + person(p.user, r.names) + "</a></td><td>" + when(p.joined_at) + "</td><td>" +
             when(p.first_message_at) + "</td><td>" + std::to_string(p.messages) + "</td></tr>\n";
    return s + "</tbody></table>\n</section>\n";
}

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

http::response incident_page(const incident_record& r, std::string_view chart, const http::params& query,
                             time_point now) {
    const message_history history(r.timeline);
    const auto coordination = coordinate(r, record_end(r));  // once: the hypotheses' fates come from it too
    const filters f(query);
    std::size_t page_number = 1;
    if (const auto p = param(query, "page"); !p.empty()) page_number = std::strtoull(p.c_str(), nullptr, 10);

    std::string m = header(r, now);
    m += "<section id=\"chart\" aria-labelledby=\"chart-h\">\n<h2 id=\"chart-h\">Chart</h2>\n"
         "<p class=\"hint\">Each mark links to its entry in the timeline below.</p>\n<div class=\"chart\">" +
         std::string(chart) + "</div>\n</section>\n";
    m += timeline_section(r, history, f, page_number);
    m += participants_section(r);
    m += statuspage_section(r);
    m += hypotheses_section(r, history, coordination.hypotheses);
    m += action_items_section(r);
    m += coordination_html(r, coordination);
    if (param(query, "fragment") == "main") return html(200, std::move(m));
    std::string attrs = "data-incident=\"" + std::to_string(r.inc.id) + "\"";
    if (r.inc.is_open()) attrs += " data-live=\"" + html_text(version_of(r.inc, r.timeline.size())) + "\"";
    return html(200, document("Incident #" + std::to_string(r.inc.id) + ": " + slack_to_readable(r.inc.title, r.names), m,
                              attrs));
}

}  // namespace ib::review
