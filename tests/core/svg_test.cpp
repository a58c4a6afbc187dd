// The SVG timeline chart: checked with a small XML reader (well-formedness, escaping), then on
// what it draws (markers, lanes, bars) for realistic and awkward incidents.
#include "core/svg.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "incident_fixtures.hpp"

namespace {

using namespace ib;
namespace chr = std::chrono;
using ib_test::at;

// ---- A small XML reader -----------------------------------------------------------------------
// Enough of XML 1.0 for what export_svg writes: an optional declaration, elements with
// double-quoted attributes, character data with the five predefined entities and character
// references. Anything else (comments, CDATA, DOCTYPE, processing instructions after the
// start, a raw '<', '>' or '&' in text or attributes, unbalanced or duplicate tags, bytes XML
// forbids, invalid UTF-8) is an error.

struct xml_element {
    std::string name;
    std::map<std::string, std::string> attrs;  // unescaped values
    std::optional<std::size_t> parent;         // index into xml_doc::elements
    std::string text;                          // direct character data, unescaped
    std::string attr(const std::string& k) const {
        const auto it = attrs.find(k);
        return it == attrs.end() ? std::string{} : it->second;
    }
};

struct xml_doc {
    std::string error;  // empty when well-formed
    std::vector<xml_element> elements;

    std::vector<std::size_t> children(std::size_t parent) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < elements.size(); ++i)
            if (elements[i].parent == parent) out.push_back(i);
        return out;
    }
    std::optional<std::size_t> by_id(const std::string& id) const {
        for (std::size_t i = 0; i < elements.size(); ++i)
            if (elements[i].attr("id") == id) return i;
        return std::nullopt;
    }
    // The text of the element and everything below it, concatenated.
    std::string all_text(std::size_t i) const {
        std::string s = elements[i].text;
        for (const auto c : children(i)) s += all_text(c);
        return s;
    }
    // The direct <title> child's text, or "".
    std::string title_of(std::size_t i) const {
        for (const auto c : children(i))
            if (elements[c].name == "title") return elements[c].text;
        return {};
    }
};

bool valid_utf8_xml_chars(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') return false;
            ++i;
            continue;
        }
        std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
        if (n == 0 || b > 0xF4 || i + n > s.size()) return false;
        char32_t cp = b & (0x3F >> (n - 1));
        for (std::size_t k = 1; k < n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;  // overlong
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return false;
        i += n;
    }
    return true;
}

bool name_char(char c, bool first) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return first ? alpha : alpha || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Unescapes character data or an attribute value; false on a raw '<', '>', '"' (attributes) or
// a bad entity.
bool unescape(std::string_view s, std::string& out, bool attribute) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '<' || c == '>' || (attribute && c == '"')) return false;
        if (c != '&') {
            out += c;
            continue;
        }
        const auto semi = s.find(';', i);
        if (semi == std::string_view::npos) return false;
        const auto ent = s.substr(i + 1, semi - i - 1);
        if (ent == "amp") out += '&';
        else if (ent == "lt") out += '<';
        else if (ent == "gt") out += '>';
        else if (ent == "quot") out += '"';
        else if (ent == "apos") out += '\'';
        else if (ent.size() > 1 && ent[0] == '#') out += "?";  // a character reference: fine, not decoded
        else return false;
        i = semi;
    }
    return true;
}

xml_doc parse_xml(std::string_view s) {
    xml_doc doc;
    const auto fail = [&](std::string why, std::size_t pos) {
        doc.error = why + " at byte " + std::to_string(pos);
        return doc;
    };
    if (!valid_utf8_xml_chars(s)) return fail("invalid UTF-8 or a character XML forbids", 0);
    std::size_t i = 0;
    if (s.starts_with("<?xml")) {
        const auto end = s.find("?>");
        if (end == std::string_view::npos) return fail("unterminated declaration", 0);
        i = end + 2;
    }
    std::vector<std::size_t> open;
    bool root_seen = false;
    while (i < s.size()) {
        const auto lt = s.find('<', i);
        const auto text = s.substr(i, (lt == std::string_view::npos ? s.size() : lt) - i);
        if (open.empty()) {
            if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) return fail("text outside the root", i);
        } else if (!unescape(text, doc.elements[open.back()].text, false)) {
            return fail("bad character data", i);
        }
        if (lt == std::string_view::npos) break;
        i = lt + 1;
        if (i < s.size() && (s[i] == '!' || s[i] == '?')) return fail("comment, CDATA, DOCTYPE or PI", lt);
        const bool closing = i < s.size() && s[i] == '/';
        if (closing) ++i;
        const std::size_t name_start = i;
        if (i >= s.size() || !name_char(s[i], true)) return fail("bad tag name", i);
        while (i < s.size() && name_char(s[i], false)) ++i;
        const std::string name(s.substr(name_start, i - name_start));
        if (closing) {
            while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
            if (i >= s.size() || s[i] != '>') return fail("bad closing tag", i);
            ++i;
            if (open.empty() || doc.elements[open.back()].name != name) return fail("unbalanced </" + name + ">", i);
            open.pop_back();
            continue;
        }
        if (open.empty() && root_seen) return fail("second root element", lt);
        root_seen = true;
        xml_element el;
        el.name = name;
        if (!open.empty()) el.parent = open.back();
        bool self_closing = false;
        while (true) {
            const auto ws = i;
            while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
            if (i >= s.size()) return fail("unterminated tag", lt);
            if (s[i] == '>') {
                ++i;
                break;
            }
            if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '>') {
                i += 2;
                self_closing = true;
                break;
            }
            if (ws == i) return fail("attributes need white space between them", i);
            const auto a0 = i;
            if (!name_char(s[i], true)) return fail("bad attribute name", i);
            while (i < s.size() && name_char(s[i], false)) ++i;
            const std::string attr(s.substr(a0, i - a0));
            if (i + 1 >= s.size() || s[i] != '=' || s[i + 1] != '"') return fail("attribute value not quoted", i);
            i += 2;
            const auto close = s.find('"', i);
            if (close == std::string_view::npos) return fail("unterminated attribute", i);
            std::string value;
            if (!unescape(s.substr(i, close - i), value, true)) return fail("bad attribute value", i);
            if (!el.attrs.emplace(attr, value).second) return fail("duplicate attribute " + attr, i);
            i = close + 1;
        }
        doc.elements.push_back(std::move(el));
        if (!self_closing) open.push_back(doc.elements.size() - 1);
    }
    if (!open.empty()) return fail("unclosed <" + doc.elements[open.back()].name + ">", s.size());
    if (!root_seen) return fail("no root element", 0);
    return doc;
}

// Parses and checks what every chart must satisfy; returns the document.
xml_doc well_formed_svg(const std::string& svg) {
    auto doc = parse_xml(svg);
    REQUIRE_MESSAGE(doc.error.empty(), doc.error);
    REQUIRE_FALSE(doc.elements.empty());
    const auto& root = doc.elements[0];
    CHECK(root.name == "svg");
    CHECK(root.attr("xmlns") == "http://www.w3.org/2000/svg");
    CHECK(root.attr("version") == "1.1");
    CHECK(root.attr("viewBox") == "0 0 " + root.attr("width") + " " + root.attr("height"));
    CHECK(std::stod(root.attr("height")) > 100);
    // Ids are unique; no scripts, links or foreign content.
    std::map<std::string, int> ids;
    for (const auto& e : doc.elements) {
        if (const auto id = e.attr("id"); !id.empty()) CHECK_MESSAGE(++ids[id] == 1, id);
        CHECK(e.name != "script");
        CHECK(e.name != "foreignObject");
        CHECK(e.name != "a");
        CHECK(e.name != "image");
    }
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf\"") == std::string::npos);
    return doc;
}

// Entries drawn in a lane: a circle is one, an aggregated bar says "N entries" in its title.
std::size_t lane_entries(const xml_doc& doc, const std::string& lane) {
    const auto g = doc.by_id("lane-" + lane);
    REQUIRE_MESSAGE(g.has_value(), lane);
    std::size_t n = 0;
    for (const auto c : doc.children(*g)) {
        const auto& el = doc.elements[c];
        if (el.name == "circle") ++n;
        else if (el.name == "rect") n += std::stoul(doc.title_of(c));
        else FAIL("unexpected <" << el.name << "> in lane " << lane);
    }
    return n;
}
std::size_t lane_marks(const xml_doc& doc, const std::string& lane) {
    return doc.children(*doc.by_id("lane-" + lane)).size();
}

double marker_x(const xml_doc& doc, const std::string& name) {
    const auto g = doc.by_id("marker-" + name);
    REQUIRE_MESSAGE(g.has_value(), name);
    for (const auto c : doc.children(*g))
        if (doc.elements[c].name == "line") return std::stod(doc.elements[c].attr("x1"));
    FAIL("marker without a line");
    return 0;
}

std::vector<std::string> axis_labels(const xml_doc& doc) {
    std::vector<std::string> out;
    for (const auto c : doc.children(*doc.by_id("axis")))
        if (doc.elements[c].name == "text") out.push_back(doc.elements[c].text);
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

timeline_entry entry(entry_kind kind, time_point t, std::string user, std::string text = {},
                     std::vector<tag_hit> tags = {}) {
    timeline_entry e;
    e.kind = kind;
    e.at = t;
    if (!is_lifecycle(kind)) e.slack_ts = to_slack_ts(t);
    e.user = std::move(user);
    e.text = std::move(text);
    e.tags = std::move(tags);
    return e;
}

incident_record declared_only(time_point t) {
    incident_record r;
    r.inc.id = 5;
    r.inc.title = "Blip";
    r.inc.sev = severity::sev4;
    r.inc.declared_by = "U1";
    r.inc.declared_at = t;
    r.timeline.push_back(entry(entry_kind::declare, t, "U1", "Declared sev4"));
    return r;
}

}  // namespace

TEST_SUITE("svg") {
    TEST_CASE("svg: the chapter-6 outage") {
        const auto svg = export_svg(ib_test::chapter6_outage());
        const auto doc = well_formed_svg(svg);
        CHECK(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));

        CHECK(doc.all_text(*doc.by_id("title")) == "Incident #42: Login page down");
        const auto sub = doc.all_text(*doc.by_id("subtitle"));
        CHECK(sub.find("sev1 (complete outage)") != std::string::npos);
        CHECK(sub.find("times UTC") != std::string::npos);

        // A labelled line for each lifecycle time, in time order; no reopen.
        const std::vector<std::pair<std::string, std::string>> expected{
            {"detected", "14:30"},   {"declared", "14:38"},  {"acknowledged", "14:40"},
            {"identified", "14:47"}, {"mitigated", "14:52"}, {"resolved", "15:10"}};
        double previous = 0;
        for (const auto& [name, time] : expected) {
            CAPTURE(name);
            const auto x = marker_x(doc, name);
            CHECK(x > previous);
            previous = x;
            CHECK(doc.all_text(*doc.by_id("marker-" + name)).find(name + " " + time) != std::string::npos);
        }
        CHECK(doc.title_of(*doc.by_id("marker-acknowledged")) == "acknowledged 2026-11-20T14:40:00Z by U0BOB");
        CHECK_FALSE(doc.by_id("marker-reopened-1").has_value());
        CHECK(marker_x(doc, "detected") >= 160);
        CHECK(marker_x(doc, "resolved") <= 1170);

        // TTA and TTR bars, labelled with their durations, starting at the detection time.
        CHECK(doc.all_text(*doc.by_id("bar-tta")).find("TTA 10m 00s") != std::string::npos);
        CHECK(doc.all_text(*doc.by_id("bar-ttr")).find("TTR 40m 00s") != std::string::npos);
        CHECK(doc.title_of(*doc.by_id("bar-tta")).find("acknowledged − start") != std::string::npos);
        for (const auto c : doc.children(*doc.by_id("bar-ttr")))
            if (doc.elements[c].name == "rect")
                CHECK(std::stod(doc.elements[c].attr("x")) ==
                      doctest::Approx(marker_x(doc, "detected")).epsilon(0.001));

        // Lanes: every charted entry once per lane it belongs in.
        CHECK(lane_entries(doc, "hypothesis") == 4);  // incl. the deleted DNS guess
        CHECK(lane_entries(doc, "command") == 3);
        CHECK(lane_entries(doc, "action") == 2);
        CHECK(lane_entries(doc, "status") == 0);
        CHECK(lane_entries(doc, "join") == 4);
        CHECK(lane_entries(doc, "chat") == 5);
        CHECK(lane_entries(doc, "statuspage") == 2);
        CHECK(lane_entries(doc, "key-moment") == 1);
        CHECK(lane_marks(doc, "command") == 3);  // a minute apart or more: not aggregated
        CHECK(svg.find(">hypothesis (4)<") != std::string::npos);

        // Hover texts: latest edit, the marked message for the 📌, never a deleted message.
        CHECK(svg.find("U0DAVE: +1, login works for me again (Chrome &amp; Firefox)") != std::string::npos);
        CHECK(svg.find("key moment (U0ALICE): unknown process `kdevtmpfsi` at 92% CPU") != std::string::npos);
        CHECK(svg.find("always DNS") == std::string::npos);
        CHECK(svg.find("U0CAROL: (deleted)") != std::string::npos);
        CHECK(svg.find("U0ERIN joined") != std::string::npos);

        // 40 minutes with a margin: 5-minute ticks, HH:MM, the date once.
        const auto labels = axis_labels(doc);
        CHECK(contains(labels, "14:45"));
        CHECK(contains(labels, "15:00"));
        CHECK(contains(labels, "2026-11-20"));
        CHECK(std::count(labels.begin(), labels.end(), "2026-11-20") == 1);

        // Legend names every lane and marker.
        const auto legend = doc.all_text(*doc.by_id("legend"));
        for (const auto* word : {"hypothesis", "chat", "status page", "key moment", "acknowledged", "reopened"})
            CHECK_MESSAGE(legend.find(word) != std::string::npos, word);

        // Same record, same bytes.
        CHECK(export_svg(ib_test::chapter6_outage()) == svg);
    }

    TEST_CASE("svg: an open incident with missing times") {
        const auto r = ib_test::missing_times();
        const auto doc = well_formed_svg(export_svg(r));
        CHECK(doc.by_id("marker-declared").has_value());
        for (const auto* name : {"marker-detected", "marker-acknowledged", "marker-identified", "marker-mitigated",
                                 "marker-resolved", "bar-tta", "bar-ttr"})
            CHECK_FALSE_MESSAGE(doc.by_id(name).has_value(), name);
        CHECK(lane_entries(doc, "chat") == 2);  // incl. the one without a user
        CHECK(doc.all_text(*doc.by_id("subtitle")).find("investigating (open)") != std::string::npos);
    }

    TEST_CASE("svg: a recording gap is a band across the lanes, with its text on hover and in the legend") {
        auto r = ib_test::chapter6_outage();
        r.timeline.push_back(ib_test::recording_gap(at(14, 42, 0), at(14, 45, 30), 12));
        const auto doc = well_formed_svg(export_svg(r));
        const auto band = doc.by_id("gaps");
        REQUIRE(band.has_value());
        const auto rects = doc.children(*band);
        REQUIRE(rects.size() == 1);
        CHECK(std::stod(doc.elements[rects[0]].attr("width")) > 2.0);
        CHECK(doc.all_text(rects[0]).find("12 messages recovered") != std::string::npos);
        CHECK(doc.all_text(*doc.by_id("legend")).find("bot not connected") != std::string::npos);
        CHECK_FALSE(well_formed_svg(export_svg(ib_test::chapter6_outage())).by_id("gaps").has_value());
    }

    TEST_CASE("svg: acknowledged but still open: TTA bar, no TTR bar, no resolved line") {
        auto r = ib_test::chapter6_outage();
        r.timeline.push_back(entry(entry_kind::reopen, at(15, 20, 0), "U0BOB", "Reopened: failing again"));
        r.inc.state = status::investigating;
        r.inc.resolved_at.reset();
        r.inc.reopen_count = 1;
        const auto doc = well_formed_svg(export_svg(r));
        CHECK(doc.by_id("bar-tta").has_value());
        CHECK_FALSE(doc.by_id("bar-ttr").has_value());
        CHECK_FALSE(doc.by_id("marker-resolved").has_value());
        CHECK(marker_x(doc, "reopened-1") > marker_x(doc, "mitigated"));
        CHECK(doc.all_text(*doc.by_id("marker-reopened-1")).find("reopened 15:20") != std::string::npos);
    }

    TEST_CASE("svg: a single instant gets a one-minute axis in seconds") {
        const auto t = at(9, 0, 0);
        auto r = declared_only(t);
        r.inc.acknowledged_at = t;  // TTA 0s: a thin bar, still labelled
        r.timeline.push_back(entry(entry_kind::message, t, "U1", "same second"));
        const auto doc = well_formed_svg(export_svg(r));
        CHECK(marker_x(doc, "declared") == doctest::Approx(665).epsilon(0.01));  // the middle of the plot
        CHECK(marker_x(doc, "acknowledged") == doctest::Approx(marker_x(doc, "declared")));
        CHECK(doc.all_text(*doc.by_id("bar-tta")).find("TTA 0s") != std::string::npos);
        const auto labels = axis_labels(doc);
        CHECK(contains(labels, "09:00:00"));
        CHECK(contains(labels, "08:59:50"));
        CHECK(lane_entries(doc, "chat") == 1);
    }

    TEST_CASE("svg: tick spacing from seconds to days") {
        SUBCASE("20 seconds: 2-second ticks") {
            auto r = declared_only(at(9, 0, 0));
            r.timeline.push_back(entry(entry_kind::message, at(9, 0, 20), "U1", "x"));
            const auto labels = axis_labels(well_formed_svg(export_svg(r)));
            CHECK(contains(labels, "09:00:02"));
            CHECK(contains(labels, "09:00:18"));
        }
        SUBCASE("5 hours: 30-minute ticks") {
            auto r = declared_only(at(9, 0, 0));
            r.inc.resolved_at = at(14, 0, 0);
            r.inc.state = status::resolved;
            const auto labels = axis_labels(well_formed_svg(export_svg(r)));
            CHECK(contains(labels, "11:30"));
            CHECK_FALSE(contains(labels, "11:15"));
        }
        SUBCASE("across midnight: the new day is labelled") {
            auto r = declared_only(at(22, 0, 0));
            r.timeline.push_back(entry(entry_kind::message, at(23, 59, 0) + chr::hours{3}, "U1", "x"));
            const auto labels = axis_labels(well_formed_svg(export_svg(r)));
            CHECK(contains(labels, "2026-11-20"));
            CHECK(contains(labels, "2026-11-21"));
        }
        SUBCASE("10 days: daily ticks labelled by date") {
            auto r = declared_only(at(9, 0, 0));
            r.inc.resolved_at = at(9, 0, 0) + chr::days{10};
            r.inc.state = status::resolved;
            const auto doc = well_formed_svg(export_svg(r));
            const auto labels = axis_labels(doc);
            CHECK(contains(labels, "2026-11-25"));
            CHECK(labels.size() <= 14);
            CHECK(doc.all_text(*doc.by_id("bar-ttr")).find("TTR 10d 0h") != std::string::npos);
            // A marker on a later day says which day.
            CHECK(doc.all_text(*doc.by_id("marker-resolved")).find("resolved 2026-11-30 09:00") != std::string::npos);
            CHECK(doc.all_text(*doc.by_id("marker-declared")).find("declared 09:00") != std::string::npos);
        }
    }

    TEST_CASE("svg: a hostile title and hostile messages are escaped") {
        auto r = ib_test::chapter6_outage();
        r.inc.title =
            "</text><script>alert(\"x\")</script> & 'q' <!-- ]]> é€😀 \x01\x08\x0b\x1f\x7f tab\there \xff end";
        r.timeline.push_back(entry(entry_kind::message, at(14, 55, 0), "U0\"><x",
                                   "<svg onload=alert(1)> &amp; \xC2\x85 \xEF\xBF\xBF done", {}));
        const auto svg = export_svg(r);
        const auto doc = well_formed_svg(svg);
        CHECK(svg.find("<script") == std::string::npos);
        CHECK(svg.find("<svg onload") == std::string::npos);
        CHECK(svg.find("<!--") == std::string::npos);
        const auto title = doc.all_text(*doc.by_id("title"));
        CHECK(title ==
              "Incident #42: </text><script>alert(\"x\")</script> & 'q' <!-- ]]> é€😀  tab here \xEF\xBF\xBD end");
        // Slack text as it reads (`&amp;` is a typed `&`), XML-escaped once; U+0085, U+FFFF dropped.
        CHECK(svg.find("&lt;svg onload=alert(1)&gt; &amp;   done") != std::string::npos);
        CHECK(svg.find("U0&quot;&gt;&lt;x") != std::string::npos);
    }

    TEST_CASE("svg: long texts are clipped in hover titles") {
        auto r = declared_only(at(9, 0, 0));
        r.inc.title = std::string(500, 'T');
        r.timeline.push_back(entry(entry_kind::message, at(9, 1, 0), "U1", std::string(1000, 'y')));
        r.timeline.push_back(entry(entry_kind::message, at(9, 2, 0), "U1", std::string(1000, '&')));
        const auto svg = export_svg(r);
        const auto doc = well_formed_svg(svg);
        CHECK(doc.all_text(*doc.by_id("title")).size() < 400);
        for (const auto c : doc.children(*doc.by_id("lane-chat"))) {
            const auto t = doc.title_of(c);
            CHECK(t.ends_with("…"));
            CHECK(t.size() <= 400);
        }
    }

    TEST_CASE("svg: entries close together are aggregated per lane") {
        auto r = declared_only(at(9, 0, 0));
        r.inc.resolved_at = at(10, 0, 0);
        r.inc.state = status::resolved;
        for (int i = 0; i < 50; ++i) r.timeline.push_back(entry(entry_kind::message, at(9, 30, 0), "U2", "same"));
        r.timeline.push_back(entry(entry_kind::message, at(9, 10, 0), "U3", "alone"));
        const auto doc = well_formed_svg(export_svg(r));
        CHECK(lane_marks(doc, "chat") == 2);
        CHECK(lane_entries(doc, "chat") == 51);
        bool found = false;
        for (const auto c : doc.children(*doc.by_id("lane-chat")))
            if (doc.elements[c].name == "rect") {
                CHECK(doc.title_of(c).starts_with("50 entries 09:30:00–09:30:00; first: 09:30:00 U2: same"));
                found = true;
            }
        CHECK(found);
    }

    TEST_CASE("svg: 100,000 entries stay small and fast") {
        incident_record r = ib_test::chapter6_outage();
        const tag_hit hyp{tag::hypothesis, "hedge:i think"};
        const tag_hit cmd{tag::command, "code-span"};
        const std::string text = "I think it's <the> cache & \"queue\" again, é€😀 " + std::string(300, 'z');
        for (int i = 0; i < 100'000; ++i) {
            const auto t = at(14, 30, 0) + chr::milliseconds{i * 25};
            switch (i % 5) {
            case 0: r.timeline.push_back(entry(entry_kind::message, t, "U" + std::to_string(i % 40), text, {hyp}));
                break;
            case 1: r.timeline.push_back(entry(entry_kind::message, t, "U1", text, {cmd, hyp})); break;
            case 2: r.timeline.push_back(entry(entry_kind::join, t, "U" + std::to_string(i))); break;
            case 3: r.timeline.push_back(entry(entry_kind::statuspage, t, "U2", text)); break;
            default: r.timeline.push_back(entry(entry_kind::message, t, "U3", text)); break;
            }
        }
        const auto started = chr::steady_clock::now();
        const auto svg = export_svg(r);
        const auto elapsed = chr::steady_clock::now() - started;
        MESSAGE("100k entries: " << svg.size() << " bytes in "
                                 << chr::duration_cast<chr::milliseconds>(elapsed).count() << " ms");
        CHECK(svg.size() < 1'000'000);
        CHECK(elapsed < chr::seconds{3});
        const auto doc = well_formed_svg(svg);
        CHECK(lane_entries(doc, "hypothesis") == 40'000 + 4);
        CHECK(lane_entries(doc, "command") == 20'000 + 3);
        CHECK(lane_entries(doc, "join") == 20'000 + 4);
        CHECK(lane_entries(doc, "chat") == 20'000 + 5);
        CHECK(lane_marks(doc, "hypothesis") <= 253);
    }
}
