// The incident page of the review site (site.hpp): header, downloads and the paged, filtered
// timeline, from one page of the timeline (page_view); placeholders for the chart, the person
// filter's people and the sections that need the whole record (summary_page.cpp), which
// review.js fills in after the first paint.
#include "core/review/layout.hpp"
#include "core/review/site.hpp"

#include "core/metrics.hpp"
#include "core/users.hpp"

#include <algorithm>
#include <cstdlib>

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

std::string entry_item(const page_view& v, const timeline_entry& e, const message_history& history) {
    const std::string seq = std::to_string(e.seq);
    std::string text;
    if (history.withheld(e) && e.kind != entry_kind::deletion) text = "<em>(deleted later; text not shown)</em>";
    else text = html_from_slack(entry_display_text(e, history), v.names);
    return "<li id=\"" + seq + "\" class=\"entry kind-" + html_text(to_string(e.kind)) + "\"><div class=\"meta\">" +
           when(e.at) + " <span class=\"who\">" + person(e.user, v.names, "") + "</span> <span class=\"chip kind\">" +
           html_text(to_string(e.kind)) + "</span>" + chips(e) + " <a class=\"permalink\" href=\"/incidents/" +
           std::to_string(v.inc.id) + "/entries/" + seq + "\" aria-label=\"Permalink to entry " + seq + "\">#" + seq +
           "</a>" + slack_link(v.inc, e) + "</div><div class=\"text\">" + text + "</div></li>\n";
}

std::string header(const incident& inc, const user_names& names, time_point now) {
    const auto m = compute_metrics(inc);
    std::string h = "<h1>Incident #" + std::to_string(inc.id) + ": " + html_from_slack(inc.title, names) + "</h1>\n";
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
    fact("Declared by", person(inc.declared_by, names));
    fact("Commander", person(inc.commander, names));
    fact("Comms lead", person(inc.comms_lead, names));
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

std::string timeline_section(const page_view& v, const message_history& history, const filters& f) {
    const auto id = v.inc.id;
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
        if (std::find(v.kinds.begin(), v.kinds.end(), k) == v.kinds.end()) continue;
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
    // The people come with the summary (they need the whole timeline): until then, anyone or the
    // person filtered by.
    s += "<label for=\"person\">Person</label>" + person_select(f.person, {}, v.names, true);
    s += "\n<label for=\"tq\">Text</label><input id=\"tq\" name=\"q\" type=\"search\" value=\"" + html_text(f.q) +
         "\">\n<button type=\"submit\">Search</button>";
    if (f.any()) s += " <a href=\"/incidents/" + std::to_string(id) + "\">Clear filters</a>";
    s += "\n</form>\n";

    s += "<p class=\"count\" id=\"timeline-count\">" + std::to_string(v.matches) + " of " + std::to_string(v.total) +
         " entries";
    if (!v.entries.empty())
        s += ", showing " + std::to_string(v.first + 1) + "–" + std::to_string(v.first + v.entries.size());
    s += "</p>\n";
    const std::size_t p = v.page, pages = v.pages;
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
    for (const auto& e : v.entries) s += entry_item(v, e, history);
    s += "</ol>\n";
    s += pager();
    s += "</section>\n";
    return s;
}

// Where the parts that need the whole record go: review.js replaces each [data-summary] element
// with the summary page's element of the same id; without script, a link to that page.
std::string summary_slot(std::int64_t id, std::string_view slot, std::string_view heading, std::string_view what) {
    const std::string h = std::string(slot) + "-h";
    return "<div id=\"" + std::string(slot) + "\" data-summary><section aria-labelledby=\"" + h + "\">\n<h2 id=\"" + h +
           "\">" + html_text(heading) + "</h2>\n<p class=\"hint\"><a href=\"/incidents/" + std::to_string(id) +
           "/summary\">" + html_text(what) + "</a> (read from the whole record after the timeline).</p>\n</section></div>\n";
}

}  // namespace

bool filters_timeline(const http::params& query) { return filters(query).any(); }

page_slice slice_of(std::size_t matches, const http::params& query) {
    std::size_t requested = 1;
    if (const auto p = param(query, "page"); !p.empty()) requested = std::strtoull(p.c_str(), nullptr, 10);
    page_slice s;
    s.pages = std::max<std::size_t>(1, (matches + page_size - 1) / page_size);
    s.page = std::clamp<std::size_t>(requested, 1, s.pages);
    s.first = (s.page - 1) * page_size;
    return s;
}

std::vector<std::string> marked_messages(std::span<const timeline_entry> entries) {
    std::vector<std::string> out;
    for (const auto& e : entries)
        if (e.kind == entry_kind::key_moment && !e.ref_ts.empty() &&
            std::find(out.begin(), out.end(), e.ref_ts) == out.end())
            out.push_back(e.ref_ts);
    return out;
}

std::vector<std::string> people_in(const page_view& v) {
    auto out = users_referenced(v.inc, v.entries);
    for (auto& id : users_referenced(v.inc, v.context)) out.push_back(std::move(id));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

page_view view_of(const incident_record& r, const http::params& query) {
    const message_history history(r.timeline);
    const filters f(query);
    page_view v;
    v.inc = r.inc;
    v.names = r.names;
    v.total = r.timeline.size();
    for (const auto& e : r.timeline)
        if (std::find(v.kinds.begin(), v.kinds.end(), e.kind) == v.kinds.end()) v.kinds.push_back(e.kind);
    // The entries the filters leave, then this page of them.
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
    v.matches = hits.size();
    const auto s = slice_of(v.matches, query);
    v.page = s.page;
    v.pages = s.pages;
    v.first = s.first;
    for (std::size_t i = s.first; i < std::min(hits.size(), s.first + page_size); ++i) v.entries.push_back(*hits[i]);
    // What showing them needs, as the store would give it: the deletions, the marked messages.
    for (const auto& e : r.timeline)
        if (e.kind == entry_kind::deletion) v.context.push_back(e);
    for (const auto& ts : marked_messages(v.entries))
        if (const auto* m = history.message(ts)) v.context.push_back(*m);
    return v;
}

http::response incident_page(const page_view& v, const http::params& query, time_point now) {
    // The message index of what this page shows (its entries, and the deletions and marked
    // messages they need), not of the whole timeline.
    std::vector<timeline_entry> known = v.context;
    known.insert(known.end(), v.entries.begin(), v.entries.end());
    const message_history history(known);
    const filters f(query);

    std::string m = header(v.inc, v.names, now);
    m += summary_slot(v.inc.id, "chart", "Chart", "The chart");
    m += timeline_section(v, history, f);
    m += summary_slot(v.inc.id, "summary", "Participants, status-page updates, hypotheses, action items, coordination",
                      "Participants, status-page updates, hypotheses, action items and coordination");
    if (param(query, "fragment") == "main") return html(200, std::move(m));
    std::string attrs = "data-incident=\"" + std::to_string(v.inc.id) + "\"";
    if (v.inc.is_open()) attrs += " data-live=\"" + html_text(version_of(v.inc, v.total)) + "\"";
    return html(200, document("Incident #" + std::to_string(v.inc.id) + ": " + slack_to_readable(v.inc.title, v.names), m,
                              attrs));
}

}  // namespace ib::review
