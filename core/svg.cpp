#include "svg.hpp"

#include "metrics.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ib {
namespace {

using namespace std::chrono;

// ---- Layout -------------------------------------------------------------------------------

constexpr double width = 1200;
constexpr double plot_left = 160;   // lane labels sit left of this
constexpr double plot_right = 1170;
constexpr double plot_width = plot_right - plot_left;
constexpr double lane_height = 26;
constexpr double label_row_height = 14;
constexpr std::size_t max_label_rows = 6;
constexpr double bar_height = 14;
constexpr double bar_pitch = 20;
constexpr double bucket_px = 4;            // marks of one lane closer than this are aggregated
constexpr double min_tick_px = 90;         // tick labels need about this much room
constexpr double char_px = 6.3;            // average glyph width at 11 px sans-serif (estimate)
constexpr std::size_t hover_chars = 160;
constexpr std::size_t hover_bytes = 400;
constexpr std::size_t title_chars = 120;
constexpr std::size_t max_reopen_markers = 20;
constexpr std::size_t max_gap_bands = 50;

struct lane_style {
    std::string_view id;
    std::string_view label;
    std::string_view color;
};
enum lane : std::size_t { hypothesis_lane, command_lane, action_lane, status_lane, join_lane, chat_lane,
                          statuspage_lane, key_moment_lane, lane_count };
constexpr std::array<lane_style, lane_count> lanes{{
    {"hypothesis", "hypothesis", "#8e44ad"},
    {"command", "command", "#1f5fbf"},
    {"action", "action", "#c2571a"},
    {"status", "status", "#2a8a4a"},
    {"join", "join", "#6b7280"},
    {"chat", "chat", "#a3a8b3"},
    {"statuspage", "status page", "#0e7490"},
    {"key-moment", "key moment", "#d11d5b"},
}};

// ---- Text ---------------------------------------------------------------------------------

// XML character data (or an attribute value) for raw text, on one line, at most `max_chars`
// characters and `max_bytes` bytes once escaped (longer text ends in "…"). Escapes & < > " ';
// tabs and line breaks become spaces; what printable() drops (C0 and C1 controls, and the bidi
// overrides and isolates that can make a label read backwards) is dropped; invalid UTF-8
// becomes U+FFFD. Never cuts an escape or a UTF-8 sequence.
std::string xml(std::string_view raw, std::size_t max_chars = unlimited, std::size_t max_bytes = unlimited) {
    return clip(printable(raw), max_bytes, max_chars, {text_escape::xml, true});
}

// A coordinate: one decimal, no trailing ".0", locale-independent.
std::string num(double v) {
    if (!std::isfinite(v)) v = 0;
    v = std::round(v * 10) / 10;
    if (v == 0) v = 0;  // no "-0"
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
    std::string s(buf, ec == std::errc{} ? end : buf);
    if (s.ends_with(".0")) s.resize(s.size() - 2);
    return s;
}

// "14:43:23", "14:43" or "2026-11-20" pieces of the ISO form.
std::string hms(time_point t) { return to_iso8601(t).substr(11, 8); }
std::string hm(time_point t) { return to_iso8601(t).substr(11, 5); }
std::string ymd(time_point t) { return to_iso8601(t).substr(0, 10); }

// ---- Time scale ---------------------------------------------------------------------------

struct time_scale {
    std::int64_t from_us = 0;  // left edge of the plot
    std::int64_t to_us = 1;    // right edge, > from_us

    double x(time_point t) const {
        const double f = static_cast<double>(to_unix_micros(t) - from_us) / static_cast<double>(to_us - from_us);
        return plot_left + std::clamp(f, 0.0, 1.0) * plot_width;
    }
};

// The shown range: every time drawn, with a margin; one minute around a single instant.
time_scale make_scale(std::int64_t lo, std::int64_t hi) {
    constexpr std::int64_t second = 1'000'000;
    if (hi <= lo) {
        lo -= 30 * second;
        hi = lo + 60 * second;
        return {lo, hi};
    }
    const std::int64_t pad = std::max<std::int64_t>((hi - lo) / 40, second);
    return {lo - pad, hi + pad};
}

// Floor division for possibly negative values (times before 1970).
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct tick {
    time_point at;
    std::string label;
    std::string date;  // under the label: on the first tick and where the day changes; else empty
};

// Round-number ticks at least min_tick_px apart: 1 s … 30 s, 1 min … 30 min, 1 h … 12 h, days,
// weeks, then whole multiples of 365 days.
std::vector<tick> make_ticks(const time_scale& s) {
    static constexpr std::array<std::int64_t, 23> steps{1,     2,     5,     10,     15,     30,      60,      120,
                                                        300,   600,   900,   1800,   3600,   7200,    10800,   21600,
                                                        43200, 86400, 172800, 604800, 1209600, 2592000, 7776000};
    const std::int64_t span_s = std::max<std::int64_t>((s.to_us - s.from_us) / 1'000'000, 1);
    const auto max_ticks = static_cast<std::int64_t>(plot_width / min_tick_px);
    std::int64_t step = 0;
    for (const auto candidate : steps)
        if (span_s / candidate <= max_ticks) {
            step = candidate;
            break;
        }
    if (step == 0) {
        constexpr std::int64_t year = 31'536'000;
        step = (span_s / max_ticks / year + 1) * year;
    }
    std::vector<tick> ticks;
    std::string last_day;
    const std::int64_t first = floor_div(s.from_us, step * 1'000'000) + 1;
    for (std::int64_t k = first; k * step * 1'000'000 <= s.to_us; ++k) {
        const auto t = from_unix_micros(k * step * 1'000'000);
        tick tk{t, {}, {}};
        const auto day = ymd(t);
        if (step >= 86400) {
            tk.label = day;
        } else {
            tk.label = step < 60 ? hms(t) : hm(t);
            if (day != last_day) tk.date = day;
        }
        last_day = day;
        ticks.push_back(std::move(tk));
    }
    return ticks;
}

// ---- What is drawn ------------------------------------------------------------------------

struct marker {
    std::string id;     // marker-acknowledged
    std::string label;  // acknowledged
    time_point at;
    std::string_view color;
    bool dashed = false;
    std::string by;  // user id, may be empty
};

std::vector<marker> make_markers(const incident_record& r) {
    const auto& inc = r.inc;
    // Who made a change, from the first (or last) entry of that kind.
    const auto by = [&](entry_kind kind, std::string_view to_status = {}, bool last = false) {
        std::string who;
        for (const auto& e : r.timeline) {
            if (e.kind != kind || (!to_status.empty() && e.attr("to") != to_status)) continue;
            who = e.user;
            if (!last) break;
        }
        return who;
    };
    std::vector<marker> m;
    const auto add = [&](std::string name, const std::optional<time_point>& t, std::string_view color, bool dashed,
                         std::string who) {
        if (t) m.push_back({"marker-" + name, name, *t, color, dashed, std::move(who)});
    };
    add("detected", inc.detected_at, "#6b7280", true, by(entry_kind::detected));
    add("declared", inc.declared_at, "#d97706", false, inc.declared_by);
    add("acknowledged", inc.acknowledged_at, "#2563eb", false, inc.acknowledged_by);
    add("identified", inc.identified_at, "#7c3aed", false, by(entry_kind::status, to_string(status::identified)));
    add("mitigated", inc.mitigated_at, "#0d9488", false, by(entry_kind::status, to_string(status::monitoring)));
    add("resolved", inc.is_open() ? std::nullopt : inc.resolved_at, "#16a34a", false,
        by(entry_kind::resolve, {}, true));
    std::size_t reopens = 0;
    for (const auto& e : r.timeline) {
        if (e.kind != entry_kind::reopen) continue;
        if (++reopens > max_reopen_markers) break;
        m.push_back({"marker-reopened-" + std::to_string(reopens), "reopened", e.at, "#dc2626", true, e.user});
    }
    std::stable_sort(m.begin(), m.end(), [](const marker& a, const marker& b) { return a.at < b.at; });
    return m;
}

// The text a hover shows for the message with this ts and original text: its latest edit, and
// never a deleted message's text.
std::string_view shown_text(const message_history& history, std::string_view ts, std::string_view original) {
    return history.deleted(ts) ? "(deleted)" : history.latest_text(ts, original);
}

// Lanes an entry is drawn in (at most one per lane); none for entries not charted.
std::vector<lane> lanes_of(const timeline_entry& e) {
    switch (e.kind) {
    case entry_kind::message: {
        std::vector<lane> out;
        const auto add = [&](lane l) {
            if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
        };
        for (const auto& h : e.tags) {
            switch (h.tag) {
            case tag::hypothesis: add(hypothesis_lane); break;
            case tag::command: add(command_lane); break;
            case tag::action: add(action_lane); break;
            case tag::status: add(status_lane); break;
            case tag::join: add(join_lane); break;
            }
        }
        if (out.empty()) out.push_back(chat_lane);
        return out;
    }
    case entry_kind::join: return {join_lane};
    case entry_kind::statuspage: return {statuspage_lane};
    case entry_kind::key_moment: return {key_moment_lane};
    default: return {};
    }
}

// One pixel column group of one lane.
struct bucket {
    std::size_t count = 0;
    std::size_t first = 0;  // timeline index of the earliest entry
    time_point lo{}, hi{};
};

// "HH:MM:SS" on the chart's first day, "YYYY-MM-DD HH:MM:SS" on others.
std::string chart_time(time_point t, time_point day0) {
    return floor<days>(t) == floor<days>(day0) ? hms(t) : ymd(t) + " " + hms(t);
}

// The raw hover text of one charted entry: recorded text as it reads (slack_to_readable), people
// by name.
std::string hover_text(const timeline_entry& e, const message_history& history, time_point day0,
                       const user_names& names) {
    const std::string who = e.user.empty() ? std::string("someone") : user_label(e.user, names);
    const auto readable = [&](std::string_view slack) { return slack_to_readable(slack, names); };
    std::string s = chart_time(e.at, day0) + " ";
    switch (e.kind) {
    case entry_kind::join: return s + who + " joined";
    case entry_kind::statuspage: return s + "status page (" + who + "): " + readable(e.text);
    case entry_kind::key_moment: {
        std::string_view marked;
        if (const auto* message = history.message(e.ref_ts))
            marked = shown_text(history, e.ref_ts, message->text);
        else if (history.deleted(e.ref_ts))
            marked = "(deleted)";
        else if (e.text != ":" + e.attr("reaction") + ":")
            marked = e.text;
        return s + "key moment (" + who + ")" + (marked.empty() ? "" : ": " + readable(marked));
    }
    default: return s + who + ": " + readable(shown_text(history, e.slack_ts, e.text));
    }
}

// Places labels of estimated width in rows so that they do not overlap; returns each label's
// row. When every row is taken, the row that ends leftmost is shared.
struct placed_label {
    std::size_t row;
    double x;
    bool anchor_end;
};
std::vector<placed_label> place_labels(const std::vector<std::pair<double, double>>& x_and_width,
                                       std::size_t& rows_used) {
    std::vector<double> row_end;
    std::vector<placed_label> out;
    for (const auto& [x, w] : x_and_width) {
        const bool anchor_end = x + 3 + w > width - 4;
        const double left = anchor_end ? x - 3 - w : x + 3;
        const double right = anchor_end ? x - 3 : x + 3 + w;
        std::size_t row = row_end.size();
        for (std::size_t i = 0; i < row_end.size(); ++i)
            if (row_end[i] + 6 <= left) {
                row = i;
                break;
            }
        if (row == row_end.size()) {
            if (row_end.size() < max_label_rows) {
                row_end.push_back(0);
            } else {
                row = static_cast<std::size_t>(std::min_element(row_end.begin(), row_end.end()) - row_end.begin());
            }
        }
        row_end[row] = std::max(row_end[row], right);
        out.push_back({row, anchor_end ? x - 3 : x + 3, anchor_end});
    }
    rows_used = std::max<std::size_t>(row_end.size(), 1);
    return out;
}

double text_width(std::string_view s) { return static_cast<double>(count_code_points(s)) * char_px + 4; }

}  // namespace

std::string export_svg(const incident_record& r) { return export_svg(r, svg_options{}); }

std::string export_svg(const incident_record& r, svg_options opts) {
    return export_svg(r, opts, message_history(r.timeline));
}

std::string export_svg(const incident_record& r, svg_options opts, const message_history& history) {
    const auto& inc = r.inc;
    const auto metrics = compute_metrics(inc);
    const auto markers = make_markers(r);

    // Which entries are charted, and the time range of everything drawn.
    std::vector<std::pair<std::size_t, std::vector<lane>>> charted;  // timeline index, lanes
    std::int64_t lo = to_unix_micros(inc.start()), hi = lo;
    const auto widen = [&](time_point t) {
        lo = std::min(lo, to_unix_micros(t));
        hi = std::max(hi, to_unix_micros(t));
    };
    for (const auto& m : markers) widen(m.at);
    for (std::size_t i = 0; i < r.timeline.size(); ++i) {
        auto ls = lanes_of(r.timeline[i]);
        if (ls.empty()) continue;
        widen(r.timeline[i].at);
        charted.emplace_back(i, std::move(ls));
    }
    // Stretches when the bot was not connected (what was said then came from Slack's history).
    struct gap_band {
        time_point from, to;
        std::string text;
    };
    std::vector<gap_band> gaps;
    for (const auto& e : r.timeline) {
        if (e.kind != entry_kind::gap || gaps.size() == max_gap_bands) continue;
        const time_point from = parse_iso8601(e.attr("from")).value_or(e.at);
        gaps.push_back(
            {from, std::max(from, parse_iso8601(e.attr("to")).value_or(from)), slack_to_readable(e.text, r.names)});
        widen(gaps.back().from);
        widen(gaps.back().to);
    }
    const auto scale = make_scale(lo, hi);
    // Times on the day of the earliest thing drawn are shown without their date.
    const auto day0 = from_unix_micros(lo);

    // Aggregate marks per lane and pixel column group.
    const auto columns = static_cast<std::size_t>(std::ceil(plot_width / bucket_px));
    std::array<std::vector<bucket>, lane_count> buckets;
    std::array<std::size_t, lane_count> lane_totals{};
    for (auto& b : buckets) b.resize(columns);
    for (const auto& [i, ls] : charted) {
        const auto& e = r.timeline[i];
        const auto col = std::min(columns - 1, static_cast<std::size_t>((scale.x(e.at) - plot_left) / bucket_px));
        for (const lane l : ls) {
            auto& b = buckets[l][col];
            if (b.count == 0 || e.at < b.lo) b.first = i;
            b.lo = b.count == 0 ? e.at : std::min(b.lo, e.at);
            b.hi = b.count == 0 ? e.at : std::max(b.hi, e.at);
            ++b.count;
            ++lane_totals[l];
        }
    }

    // Vertical layout.
    constexpr double labels_top = 60;
    std::vector<std::pair<double, double>> label_boxes;
    std::vector<std::string> label_texts;
    for (const auto& m : markers) {
        label_texts.push_back(m.label + " " +
                              (floor<days>(m.at) == floor<days>(day0) ? hm(m.at) : ymd(m.at) + " " + hm(m.at)));
        label_boxes.emplace_back(scale.x(m.at), text_width(label_texts.back()));
    }
    std::size_t label_rows = 1;
    const auto placed = place_labels(label_boxes, label_rows);
    const double bars_top = labels_top + static_cast<double>(label_rows) * label_row_height + 6;
    struct span_bar {
        std::string_view id, name, definition;
        seconds length;
        time_point to;
    };
    std::vector<span_bar> bars;
    if (metrics.tta)
        bars.push_back({"bar-tta", "TTA", "time to acknowledge = acknowledged − start", *metrics.tta,
                        *inc.acknowledged_at});
    if (metrics.ttr && !inc.is_open())
        bars.push_back({"bar-ttr", "TTR", "time to recover = resolved − start", *metrics.ttr, *inc.resolved_at});
    const double lanes_top = bars_top + static_cast<double>(bars.size()) * bar_pitch + 4;
    const double lanes_bottom = lanes_top + static_cast<double>(lane_count) * lane_height;
    const double legend_top = lanes_bottom + 44;

    std::string body;
    body.reserve(64 * 1024);

    // Lane stripes and labels.
    body += "<g id=\"lanes\">\n";
    for (std::size_t l = 0; l < lane_count; ++l) {
        const double y = lanes_top + static_cast<double>(l) * lane_height;
        if (l % 2 == 0)
            body += "<rect x=\"" + num(plot_left) + "\" y=\"" + num(y) + "\" width=\"" + num(plot_width) +
                    "\" height=\"" + num(lane_height) + "\" fill=\"#f3f4f6\"/>\n";
        const std::string label = std::string(lanes[l].label) + " (" + std::to_string(lane_totals[l]) + ")";
        body += "<text x=\"" + num(plot_left - 8) + "\" y=\"" + num(y + lane_height / 2 + 4) +
                "\" text-anchor=\"end\" fill=\"" + std::string(lanes[l].color) + "\">" + xml(label) + "</text>\n";
    }
    body += "</g>\n";

    // Not connected: a band across the lanes, under the marks.
    if (!gaps.empty()) {
        body += "<g id=\"gaps\" fill=\"#fde68a\" fill-opacity=\"0.45\">\n";
        for (const auto& g : gaps) {
            const double x0 = scale.x(g.from);
            body += "<rect x=\"" + num(x0) + "\" y=\"" + num(lanes_top) + "\" width=\"" +
                    num(std::max(scale.x(g.to) - x0, 2.0)) + "\" height=\"" + num(lanes_bottom - lanes_top) +
                    "\"><title>" + xml(g.text, hover_chars, hover_bytes) + "</title></rect>\n";
        }
        body += "</g>\n";
    }

    // Axis with ticks and grid lines.
    const auto ticks = make_ticks(scale);
    body += "<g id=\"axis\" fill=\"#374151\">\n";
    body += "<line x1=\"" + num(plot_left) + "\" y1=\"" + num(lanes_bottom) + "\" x2=\"" + num(plot_right) +
            "\" y2=\"" + num(lanes_bottom) + "\" stroke=\"#374151\"/>\n";
    for (const auto& t : ticks) {
        const auto x = num(scale.x(t.at));
        body += "<line x1=\"" + x + "\" y1=\"" + num(lanes_top) + "\" x2=\"" + x + "\" y2=\"" + num(lanes_bottom + 4) +
                "\" stroke=\"#d1d5db\" stroke-width=\"0.5\"/>\n";
        body += "<text x=\"" + x + "\" y=\"" + num(lanes_bottom + 16) + "\" text-anchor=\"middle\">" + xml(t.label) +
                "</text>\n";
        if (!t.date.empty())
            body += "<text x=\"" + x + "\" y=\"" + num(lanes_bottom + 29) +
                    "\" text-anchor=\"middle\" fill=\"#6b7280\">" + xml(t.date) + "</text>\n";
    }
    body += "<text x=\"" + num(plot_left - 8) + "\" y=\"" + num(lanes_bottom + 16) +
            "\" text-anchor=\"end\" fill=\"#6b7280\">UTC</text>\n";
    body += "</g>\n";

    // Lifecycle markers.
    body += "<g id=\"markers\" font-weight=\"bold\">\n";
    for (std::size_t i = 0; i < markers.size(); ++i) {
        const auto& m = markers[i];
        const auto& p = placed[i];
        const double row_y = labels_top + static_cast<double>(p.row) * label_row_height;
        const auto x = num(scale.x(m.at));
        const std::string color(m.color);
        body += "<g id=\"" + m.id + "\"><title>" +
                xml(m.label + " " + to_iso8601(m.at) + (m.by.empty() ? "" : " by " + user_label(m.by, r.names))) +
                "</title>";
        body += "<line x1=\"" + x + "\" y1=\"" + num(row_y + 2) + "\" x2=\"" + x + "\" y2=\"" + num(lanes_bottom) +
                "\" stroke=\"" + color + "\" stroke-width=\"1.5\"" + (m.dashed ? " stroke-dasharray=\"4 3\"" : "") +
                "/>";
        body += "<text x=\"" + num(p.x) + "\" y=\"" + num(row_y + 11) + "\" fill=\"" + color + "\"" +
                (p.anchor_end ? " text-anchor=\"end\"" : "") + ">" + xml(label_texts[i]) + "</text></g>\n";
    }
    body += "</g>\n";

    // TTA and TTR bars.
    body += "<g id=\"spans\">\n";
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = bars_top + static_cast<double>(i) * bar_pitch;
        const double x0 = scale.x(inc.start());
        const double w = std::max(scale.x(b.to) - x0, 2.0);
        const std::string label = std::string(b.name) + " " + format_duration(b.length);
        const double tw = text_width(label);
        const std::string color = i == 0 ? "#2563eb" : "#16a34a";
        body += "<g id=\"" + std::string(b.id) + "\"><title>" +
                xml(std::string(b.name) + " (" + std::string(b.definition) + "): " + format_duration(b.length) + ", " +
                    chart_time(inc.start(), day0) + " → " + chart_time(b.to, day0) + " UTC") +
                "</title>";
        body += "<rect x=\"" + num(x0) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
                num(bar_height) + "\" rx=\"2\" fill=\"" + color + "\" fill-opacity=\"0.8\"/>";
        std::string text_attrs;
        if (w >= tw + 8) text_attrs = "x=\"" + num(x0 + 4) + "\" fill=\"#ffffff\"";
        else if (x0 + w + 4 + tw <= width - 4) text_attrs = "x=\"" + num(x0 + w + 4) + "\" fill=\"" + color + "\"";
        else text_attrs = "x=\"" + num(x0 - 4) + "\" text-anchor=\"end\" fill=\"" + color + "\"";
        body += "<text " + text_attrs + " y=\"" + num(y + bar_height - 3) + "\" font-weight=\"bold\">" + xml(label) +
                "</text></g>\n";
    }
    body += "</g>\n";

    // Marks.
    for (std::size_t l = 0; l < lane_count; ++l) {
        const double cy = lanes_top + static_cast<double>(l) * lane_height + lane_height / 2;
        body += "<g id=\"lane-" + std::string(lanes[l].id) + "\" fill=\"" + std::string(lanes[l].color) + "\">\n";
        for (std::size_t c = 0; c < columns; ++c) {
            const auto& b = buckets[l][c];
            if (b.count == 0) continue;
            const auto& first = r.timeline[b.first];
            const double x = scale.x(first.at);
            const std::string open_link = opts.inline_html ? "<a href=\"#" + std::to_string(first.seq) + "\">" : "";
            const std::string close_link = opts.inline_html ? "</a>" : "";
            if (b.count == 1) {
                body += open_link + "<circle cx=\"" + num(x) + "\" cy=\"" + num(cy) + "\" r=\"4\"><title>" +
                        xml(hover_text(first, history, day0, r.names), hover_chars, hover_bytes) + "</title></circle>" +
                        close_link + "\n";
                continue;
            }
            const double h = std::min(lane_height - 4, 8 + 3 * std::log2(static_cast<double>(b.count)));
            const double x0 = plot_left + static_cast<double>(c) * bucket_px;
            const std::string title = std::to_string(b.count) + " entries " + chart_time(b.lo, day0) + "–" +
                                      chart_time(b.hi, day0) + "; first: " + hover_text(first, history, day0, r.names);
            body += open_link + "<rect x=\"" + num(x0) + "\" y=\"" + num(cy - h / 2) + "\" width=\"" +
                    num(bucket_px - 0.5) + "\" height=\"" + num(h) + "\"><title>" + xml(title, hover_chars, hover_bytes) +
                    "</title></rect>" + close_link + "\n";
        }
        body += "</g>\n";
    }

    // Legend: lanes, then markers and bars.
    std::string legend = "<g id=\"legend\">\n";
    double lx = 16, ly = legend_top;
    const auto next_item = [&](double w) {
        if (lx + w > width - 16) {
            lx = 16;
            ly += 18;
        }
        const double at = lx;
        lx += w + 18;
        return at;
    };
    for (const auto& ls : lanes) {
        const double x = next_item(12 + text_width(ls.label));
        legend += "<circle cx=\"" + num(x + 4) + "\" cy=\"" + num(ly - 4) + "\" r=\"4\" fill=\"" +
                  std::string(ls.color) + "\"/><text x=\"" + num(x + 12) + "\" y=\"" + num(ly) + "\">" + xml(ls.label) +
                  "</text>\n";
    }
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> marker_legend{{
        {"detected", "#6b7280"},
        {"declared", "#d97706"},
        {"acknowledged", "#2563eb"},
        {"identified", "#7c3aed"},
        {"mitigated", "#0d9488"},
        {"resolved", "#16a34a"},
        {"reopened", "#dc2626"},
    }};
    for (const auto& [name, color] : marker_legend) {
        const double x = next_item(16 + text_width(name));
        legend += "<line x1=\"" + num(x + 5) + "\" y1=\"" + num(ly - 11) + "\" x2=\"" + num(x + 5) + "\" y2=\"" +
                  num(ly + 2) + "\" stroke=\"" + std::string(color) + "\" stroke-width=\"1.5\"/><text x=\"" +
                  num(x + 14) + "\" y=\"" + num(ly) + "\">" + xml(name) + "</text>\n";
    }
    const std::string bar_note = "TTA = acknowledged − start, TTR = resolved − start (start = detected, else declared)";
    const double bx = next_item(22 + text_width(bar_note));
    legend += "<rect x=\"" + num(bx) + "\" y=\"" + num(ly - 10) + "\" width=\"16\" height=\"10\" fill=\"#2563eb\"/>" +
              "<text x=\"" + num(bx + 22) + "\" y=\"" + num(ly) + "\">" + xml(bar_note) + "</text>\n";
    if (!gaps.empty()) {
        const std::string gap_note = "bot not connected (recovered from Slack's history)";
        const double gx = next_item(22 + text_width(gap_note));
        legend += "<rect x=\"" + num(gx) + "\" y=\"" + num(ly - 10) +
                  "\" width=\"16\" height=\"10\" fill=\"#fde68a\"/><text x=\"" + num(gx + 22) + "\" y=\"" + num(ly) +
                  "\">" + xml(gap_note) + "</text>\n";
    }
    const double next_line = ly + 18;
    const std::string mark_note = "a bar in a lane stands for several entries within " + num(bucket_px) +
                                  " px; hover any mark for its text";
    legend += "<text x=\"16\" y=\"" + num(next_line) + "\" fill=\"#6b7280\">" + xml(mark_note) + "</text>\n";
    legend += "</g>\n";
    const double height = next_line + 14;

    // Header, title and the document.
    const std::string title =
        "Incident #" + std::to_string(inc.id) + (inc.title.empty() ? "" : ": " + slack_to_readable(inc.title, r.names));
    const std::string subtitle = std::string(inc.is_private ? "private · " : "") + std::string(to_string(inc.sev)) +
                                 " (" + std::string(describe(inc.sev)) + ") · " +
                                 std::string(to_string(inc.state)) + (inc.is_open() ? " (open)" : "") + " · " +
                                 std::to_string(r.timeline.size()) + " timeline entries · " +
                                 ymd(inc.start()) + " · times UTC";
    std::string out;
    out.reserve(body.size() + legend.size() + 2048);
    if (!opts.inline_html) out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(width) + "\" height=\"" +
           num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">\n";
    out += "<title>" + xml(title, 300) + " — timeline</title>\n";
    out += "<desc>" +
           xml("Timeline of incident #" + std::to_string(inc.id) +
               ": lifecycle markers, TTA and TTR, and the team's messages by tag. Generated by incident-bot.") +
           "</desc>\n";
    out += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" fill=\"#ffffff\"/>\n";
    out += "<text id=\"title\" x=\"16\" y=\"28\" font-size=\"18\" font-weight=\"bold\" fill=\"#111827\">" +
           xml(title, title_chars) + "</text>\n";
    out += "<text id=\"subtitle\" x=\"16\" y=\"46\" font-size=\"12\" fill=\"#374151\">" + xml(subtitle) + "</text>\n";
    out += body;
    out += legend;
    out += "</svg>\n";
    return out;
}

}  // namespace ib
