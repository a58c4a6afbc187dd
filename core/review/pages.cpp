// The incidents list and the statistics page of the review site (site.hpp).
#include "core/review/layout.hpp"
#include "core/review/site.hpp"

#include "core/metrics.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ib::review {

using namespace detail;

namespace {

// "2026-11-21" → that day's midnight UTC; nullopt for anything else.
std::optional<time_point> parse_day(std::string_view s) {
    if (s.size() != 10) return std::nullopt;
    return parse_iso8601(std::string(s) + "T00:00:00Z");
}

std::string option(std::string_view value, std::string_view label, std::string_view selected) {
    return "<option value=\"" + html_text(value) + "\"" + (value == selected ? " selected" : "") + ">" +
           html_text(label) + "</option>";
}

std::string metric_cell(const std::optional<seconds>& d) { return "<td>" + html_text(format_metric(d)) + "</td>"; }

}  // namespace

http::response incidents_page(std::span<const incident> all, const http::params& query, time_point now,
                              const site_options& opts) {
    const std::string q = param(query, "q"), sev = param(query, "sev"), state = param(query, "status"),
                      from = param(query, "from"), to = param(query, "to");
    const auto want_sev = parse_severity(sev);
    const auto want_state = parse_status(state);
    const auto from_t = parse_day(from);
    const auto to_t = parse_day(to);
    const std::string needle = ascii_lower(q);

    std::vector<const incident*> shown;
    for (const auto& inc : all) {
        if (!visible(inc, opts)) continue;
        if (!needle.empty() && ascii_lower(slack_to_readable(inc.title)).find(needle) == std::string::npos) continue;
        if (want_sev && inc.sev != *want_sev) continue;
        if (want_state && inc.state != *want_state) continue;
        if (from_t && inc.declared_at < *from_t) continue;
        if (to_t && inc.declared_at >= *to_t + std::chrono::days{1}) continue;
        shown.push_back(&inc);
    }
    std::sort(shown.begin(), shown.end(), [](const incident* a, const incident* b) {
        return a->declared_at != b->declared_at ? a->declared_at > b->declared_at : a->id > b->id;
    });

    std::string m = "<h1>Incidents</h1>\n";
    m += "<form method=\"get\" action=\"/\" class=\"filters\" role=\"search\" aria-label=\"Filter incidents\">\n";
    m += "<label for=\"q\">Title contains</label><input id=\"q\" name=\"q\" type=\"search\" value=\"" + html_text(q) +
         "\">\n";
    m += "<label for=\"sev\">Severity</label><select id=\"sev\" name=\"sev\">" + option("", "any", sev);
    for (int s = 1; s <= 5; ++s) {
        const auto name = to_string(static_cast<severity>(s));
        m += option(name, name, sev);
    }
    m += "</select>\n<label for=\"status\">Status</label><select id=\"status\" name=\"status\">" +
         option("", "any", state);
    for (const auto st : {status::investigating, status::identified, status::monitoring, status::resolved})
        m += option(to_string(st), to_string(st), state);
    m += "</select>\n<label for=\"from\">Declared from</label><input id=\"from\" name=\"from\" type=\"date\" value=\"" +
         html_text(from) + "\">\n<label for=\"to\">to</label><input id=\"to\" name=\"to\" type=\"date\" value=\"" +
         html_text(to) + "\">\n<button type=\"submit\">Filter</button> <a href=\"/\">Clear</a>\n</form>\n";

    m += "<p class=\"count\">" + std::to_string(shown.size()) + (shown.size() == 1 ? " incident" : " incidents") +
         "</p>\n";
    m += "<table class=\"incidents\">\n<caption class=\"visually-hidden\">Incidents, newest first</caption>\n"
         "<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Title</th><th scope=\"col\">Severity</th>"
         "<th scope=\"col\">Status</th><th scope=\"col\">Declared</th><th scope=\"col\">TTA</th>"
         "<th scope=\"col\">TTR</th><th scope=\"col\">Duration</th></tr></thead>\n<tbody>\n";
    for (const incident* inc : shown) {
        const auto metrics = compute_metrics(*inc);
        const time_point end = inc->resolved_at.value_or(now);
        const auto duration = std::chrono::duration_cast<seconds>(end - inc->start());
        const std::string link = "/incidents/" + std::to_string(inc->id);
        m += "<tr><td>" + std::to_string(inc->id) + "</td><td><a href=\"" + link + "\">" +
             html_from_slack(inc->title) + "</a>" + (inc->is_private ? " <span class=\"chip\">private</span>" : "") +
             "</td><td><span class=\"sev sev" + std::to_string(static_cast<int>(inc->sev)) + "\">" +
             html_text(to_string(inc->sev)) + "</span></td><td>" + html_text(to_string(inc->state)) + "</td><td>" +
             when(inc->declared_at) + "</td>" + metric_cell(metrics.tta) + metric_cell(metrics.ttr) + "<td>" +
             html_text(format_duration(duration)) + (inc->is_open() ? " (open)" : "") + "</td></tr>\n";
    }
    m += "</tbody>\n</table>\n";
    return html(200, document("Incidents", m));
}

http::response stats_page(std::span<const incident> all, time_point now, const site_options& opts) {
    using namespace std::chrono;
    // The 12 calendar months up to now, oldest first.
    const year_month_day today{floor<days>(now)};
    std::vector<year_month> months;
    for (int k = 11; k >= 0; --k) months.push_back(year_month{today.year(), today.month()} - std::chrono::months{k});
    std::vector<incident> shown;
    for (const auto& inc : all)
        if (visible(inc, opts)) shown.push_back(inc);

    struct row {
        year_month month;
        std::vector<severity_stats> stats;
    };
    std::vector<row> rows;
    for (const auto& ym : months) {
        const time_point from = sys_days{ym / 1};
        const time_point to = sys_days{(ym + std::chrono::months{1}) / 1};
        rows.push_back({ym, stats_by_severity(shown, from, to)});
    }
    const auto label = [](year_month ym) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
        return std::string(buf);
    };

    // The chart: median TTA and TTR per month, one bar pair per severity that has incidents.
    std::int64_t top = 60;
    for (const auto& r : rows)
        for (const auto& s : r.stats)
            for (const auto* d : {&s.tta.median, &s.ttr.median})
                if (*d) top = std::max<std::int64_t>(top, d->value().count());
    const double width = 960, left = 60, bottom = 230, plot_h = 200;
    const double slot = (width - left - 10) / static_cast<double>(rows.size());
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 960 260\" "
                      "width=\"960\" height=\"260\" aria-labelledby=\"stats-chart-title\">"
                      "<title id=\"stats-chart-title\">Median TTA (light) and TTR (dark) by month, all severities</title>\n";
    svg += "<text x=\"4\" y=\"24\" font-size=\"11\">" + html_text(format_duration(seconds{top})) + "</text>";
    svg += "<line x1=\"" + std::to_string(static_cast<int>(left)) + "\" y1=\"230\" x2=\"950\" y2=\"230\" stroke=\"#6b7280\"/>\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double x = left + slot * static_cast<double>(i);
        std::vector<seconds> tta, ttr;
        for (const auto& s : rows[i].stats) {
            if (s.tta.median) tta.push_back(*s.tta.median);
            if (s.ttr.median) ttr.push_back(*s.ttr.median);
        }
        const auto bar = [&](const std::vector<seconds>& v, double dx, const char* fill, const char* what) {
            if (v.empty()) return;
            const auto d = summarize(v).median.value();
            const double h = plot_h * static_cast<double>(d.count()) / static_cast<double>(top);
            svg += "<rect x=\"" + std::to_string(x + dx) + "\" y=\"" + std::to_string(bottom - h) + "\" width=\"" +
                   std::to_string(slot / 3) + "\" height=\"" + std::to_string(h) + "\" fill=\"" + fill + "\"><title>" +
                   html_text(label(rows[i].month) + " " + what + " " + format_duration(d)) + "</title></rect>";
        };
        bar(tta, slot * 0.15, "#93c5fd", "median TTA");
        bar(ttr, slot * 0.5, "#1e3a8a", "median TTR");
        svg += "<text x=\"" + std::to_string(x + slot * 0.1) + "\" y=\"250\" font-size=\"11\">" +
               html_text(label(rows[i].month)) + "</text>\n";
    }
    svg += "</svg>\n";

    std::string m = "<h1>Statistics</h1>\n<p>TTA (time to acknowledge) and TTR (time to recover) from the start "
                    "(detected, else declared), by month of declaration (UTC), for the last 12 months. Median, p90 "
                    "(nearest rank) and mean; n/a where a time was not recorded.</p>\n";
    m += "<figure>" + svg + "<figcaption>Median TTA (light bars) and median TTR (dark bars) per month.</figcaption>"
         "</figure>\n";
    m += "<table class=\"stats\">\n<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Severity</th>"
         "<th scope=\"col\">Incidents</th><th scope=\"col\">TTA median</th><th scope=\"col\">TTA p90</th>"
         "<th scope=\"col\">TTA mean</th><th scope=\"col\">TTR median</th><th scope=\"col\">TTR p90</th>"
         "<th scope=\"col\">TTR mean</th></tr></thead>\n<tbody>\n";
    std::size_t n = 0;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
        for (const auto& s : it->stats) {
            ++n;
            m += "<tr><td>" + html_text(label(it->month)) + "</td><td>" + html_text(to_string(s.sev)) + "</td><td>" +
                 std::to_string(s.incidents) + "</td>" + metric_cell(s.tta.median) + metric_cell(s.tta.p90) +
                 metric_cell(s.tta.mean) + metric_cell(s.ttr.median) + metric_cell(s.ttr.p90) +
                 metric_cell(s.ttr.mean) + "</tr>\n";
        }
    if (n == 0) m += "<tr><td colspan=\"9\">No incidents declared in the last 12 months.</td></tr>\n";
    m += "</tbody>\n</table>\n";
    return html(200, document("Statistics", m));
}

}  // namespace ib::review
