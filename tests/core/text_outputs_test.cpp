// The text model (core/text.hpp): Slack text parsed into pieces and each output derived from it
// (quotes in Slack posts, readable text, Markdown, CSV), the re-encoding of old decoded text, and
// the shared hostile strings through every export. tests/text/check_outputs.py reads the same
// exports back with real parsers (XML, CSV, JSON, cmark).
#include "../text/hostile_record.hpp"
#include "tests/support/csv_reader.hpp"
#include "core/export.hpp"
#include "core/svg.hpp"
#include "core/text.hpp"
#include "core/users.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

using namespace ib;

namespace {

// Slack text is safe to post as mrkdwn when every '&' starts an entity and every '<' opens
// markup the quote keeps (users, channels, web and mailto links, dates): no broadcast.
bool post_safe(std::string_view s) {
    for (const auto& p : parse_slack_text(s)) {
        using k = slack_piece::kind;
        if (p.what == k::broadcast && !p.body.starts_with("date^")) return false;
        if (p.what != k::text) continue;
        for (std::size_t i = 0; i < p.raw.size(); ++i) {
            if (p.raw[i] == '<' || p.raw[i] == '>') return false;
            if (p.raw[i] == '&' && !slack_entity_at(p.raw, i)) return false;
        }
    }
    return true;
}

// `md` with its code spans (a backtick run to the next run of the same length) cut out.
std::string without_code_spans(std::string_view md) {
    std::string out;
    for (std::size_t i = 0; i < md.size();) {
        if (md[i] == '\\' && i + 1 < md.size()) {  // an escaped character, a backtick included
            out += md.substr(i, 2);
            i += 2;
            continue;
        }
        if (md[i] != '`') {
            out += md[i++];
            continue;
        }
        std::size_t n = 0;
        while (i + n < md.size() && md[i + n] == '`') ++n;
        std::size_t close = std::string_view::npos;
        for (std::size_t k = md.find('`', i + n); k != std::string_view::npos;) {
            std::size_t run = 0;
            while (k + run < md.size() && md[k + run] == '`') ++run;
            if (run == n) {
                close = k;
                break;
            }
            k = md.find('`', k + run);
        }
        if (close == std::string_view::npos) {
            out += md.substr(i, n);
            i += n;
        } else {
            i = close + n;
        }
    }
    return out;
}

}  // namespace

TEST_SUITE("text") {

TEST_CASE("parse_slack_text: markup, code spans and text, losslessly") {
    const std::string s = "a &lt;b&gt; <@U1|bob> <#C2> <!here> <https://x.y/?a=1&amp;b|lbl> `<@U3>` x<y>z < >";
    const auto pieces = parse_slack_text(s, true);
    std::string joined;
    for (const auto& p : pieces) joined += p.raw;
    CHECK(joined == s);
    using k = slack_piece::kind;
    std::vector<k> kinds;
    for (const auto& p : pieces) kinds.push_back(p.what);
    CHECK(kinds == std::vector<k>{k::text, k::user, k::text, k::channel, k::text, k::broadcast, k::text, k::link,
                                  k::text, k::code, k::text});
    CHECK(pieces[1].body == "U1");
    CHECK(pieces[1].label == "bob");
    CHECK(pieces[7].body == "https://x.y/?a=1&amp;b");
    CHECK(pieces[7].label == "lbl");
    CHECK(pieces[9].body == "<@U3>");
    CHECK(pieces[10].raw == " x<y>z < >");  // a link needs a scheme: `<y>` is text
    // Without code spans the backticks are text and the mention inside is markup.
    CHECK(parse_slack_text("`<@U3>`")[1].what == k::user);
    // An unclosed backtick run, a '<' without its '>', a line break inside: text.
    CHECK(parse_slack_text("``a` <b\nc> <>", true).size() == 1);
    // `@`, `#` and `!` make markup only before a letter, as in all of Slack's: `<@ 1>`, `<!>` are text.
    CHECK(parse_slack_text("<@ 1> <#> <!1> <!> <@>").size() == 1);
    CHECK(parse_slack_text("<!here>")[0].what == k::broadcast);
}

TEST_CASE("slack_to_readable: entities decoded, markup as a reader sees it, names for ids") {
    const user_names names{{"U1", "Alice Smith"}};
    CHECK(slack_to_readable("p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt;") == "p99 > 2s & <x> <!channel>");
    CHECK(slack_to_readable("<@U1> <@U2|bob> <@U3>", names) == "@Alice Smith @bob @U3");
    CHECK(slack_to_readable("<#C1|ops> <#C2> <!here> <!channel> <!subteam^S1|@oncall> <!date^1|Nov 21>") ==
          "#ops #C2 @here @channel @oncall Nov 21");
    CHECK(slack_to_readable("<https://a.b/c?x=1&amp;y=2|dash> <https://example.com|example.com> <mailto:a@b.c|a@b.c>") ==
          "dash (https://a.b/c?x=1&y=2) example.com a@b.c");
    CHECK(slack_to_readable("<https://a.b/c|https://a.b/c>") == "https://a.b/c");  // a label that is the URL: once
    CHECK(slack_to_readable("`a &lt; b` <https://x.y>") == "`a < b` https://x.y");
}

TEST_CASE("quote_slack: Slack's text kept as sent, broadcasts defused, strays escaped, cut safely") {
    CHECK(quote_slack("p99 &gt; 2s &amp; rising", 100) == "p99 &gt; 2s &amp; rising");  // never escaped twice
    CHECK(quote_slack("&lt;!channel&gt; typed", 100) == "&lt;!channel&gt; typed");
    CHECK(quote_slack("<!channel> <!here|here> <!everyone> <!subteam^S1|@oncall> <!subteam^S2>", 100) ==
          "@channel @here @everyone @oncall @group");
    CHECK(quote_slack("<@U1> <@U2|bob> <#C1|ops> <https://x.y|z> <mailto:a@b.c> <!date^1^{date}|d>", 200) ==
          "<@U1> <@U2|bob> <#C1|ops> <https://x.y|z> <mailto:a@b.c> <!date^1^{date}|d>");
    CHECK(quote_slack("<javascript:alert(1)|x> <@not an id>", 200) == "&lt;javascript:alert(1)|x&gt; &lt;@not an id&gt;");
    CHECK(quote_slack("a < b & c > d &amp;", 100) == "a &lt; b &amp; c &gt; d &amp;");  // not Slack's form: escaped
    CHECK(quote_slack("one\r\ntwo\tthree\x01\xc2\x85", 100) == "one two three");
    CHECK(quote_slack("one\ntwo", 100, unlimited, false) == "one\ntwo");
    CHECK(quote_slack("a\xff", 100) == "a\xef\xbf\xbd");
    // A cut never splits an entity or markup.
    CHECK(quote_slack("ab&amp;cd", 9) == "ab…");
    CHECK(quote_slack("a <@U12345> b", 12) == "a …");
    CHECK(quote_slack("abcdef", unlimited, 4) == "abc…");
    CHECK(quote_slack("&amp;&amp;&amp;&amp;", unlimited, 3) == "&amp;&amp;…");

    // Any input, any budget: within the budget, valid UTF-8, safe to post, and quoting the
    // result again changes nothing.
    std::mt19937 rng(5);
    static constexpr std::string_view atoms[] = {"a", " ", "&", "&amp;", "&lt;", "<", ">", "<!channel>", "<@U1>",
                                                 "<#C1|x>", "<https://x|y>", "<javascript:x>", "\n", "\x01",
                                                 "\xc3\xa9", "\xff", "|", "!", "`"};
    std::uniform_int_distribution<std::size_t> pick(0, std::size(atoms) - 1), len(0, 30), budget(0, 80);
    for (int round = 0; round < 3000; ++round) {
        std::string in;
        for (std::size_t n = len(rng); n > 0; --n) in += atoms[pick(rng)];
        const std::size_t max_bytes = budget(rng), max_chars = round % 2 ? unlimited : budget(rng);
        const bool one_line = round % 3 != 0;
        const auto out = quote_slack(in, max_bytes, max_chars, one_line);
        CAPTURE(in);
        CHECK(out.size() <= max_bytes);
        CHECK(is_valid_utf8(out));
        CHECK(post_safe(out));
        CHECK(out.find('\x01') == std::string::npos);
        if (one_line) CHECK(out.find('\n') == std::string::npos);
        CHECK(quote_slack(out, max_bytes, max_chars, one_line) == out);
    }
}

TEST_CASE("markdown: text escaped, code spans fenced, links only when http(s)") {
    CHECK(markdown_text("<b>*x*_y_ [a](b) `c` \\ | ~ # &copy;") ==
          "&lt;b&gt;\\*x\\*\\_y\\_ \\[a\\](b) \\`c\\` \\\\ \\| \\~ \\# &amp;copy;");
    CHECK(markdown_text("one\r\ntwo\nthree") == "one two three");
    CHECK(markdown_text("one\r\ntwo\nthree", markdown_context::table_cell) == "one<br>two<br>three");
    CHECK(markdown_text("a\x01\x1b[0m\xc2\x9b\xe2\x80\xae" "b\tc\xff") == "a\\[0mb\tc\xef\xbf\xbd");

    CHECK(markdown_code_span("ls -l") == "`ls -l`");
    CHECK(markdown_code_span("a ` b") == "``a ` b``");
    CHECK(markdown_code_span("``` x") == "```` ``` x ````");
    CHECK(markdown_code_span("`x`") == "`` `x` ``");
    CHECK(markdown_code_span("a | b", markdown_context::table_cell) == "`a \\| b`");
    CHECK(markdown_code_span("a\nb") == "`a b`");
    CHECK(markdown_code_span("").empty());

    const user_names names{{"U1", "Alice *A*"}};
    CHECK(markdown_from_slack("see <https://a.b/c d(e)|the *dash*> and <javascript:alert(1)|click>") ==
          "see [the \\*dash\\*](https://a.b/c%20d%28e%29) and click (javascript:alert(1))");
    CHECK(markdown_from_slack("<https://x.y/?a=1&amp;b=2>") == "[https://x.y/?a=1&amp;b=2](https://x.y/?a=1&amp;b=2)");
    CHECK(markdown_from_slack("<@U1> &lt;img src=x&gt; <!channel> `kubectl &lt;x&gt;`", names) ==
          "@Alice \\*A\\* &lt;img src=x&gt; @channel `kubectl <x>`");
}

TEST_CASE("csv_field: quoted when needed, formula guard, no control characters") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("line\r\nbreak") == "\"line\r\nbreak\"");
    CHECK(csv_field("=1+1") == "'=1+1");
    CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_field("\x01=1+1") == "'=1+1");  // a dropped control cannot hide a formula
    CHECK(csv_field("bidi\xe2\x80\xae" "txt.exe") == "biditxt.exe");
}

TEST_CASE("reencode_decoded_text: what older builds stored decoded, as Slack text again") {
    CHECK(reencode_decoded_text("p99 > 2s & <x>") == "p99 &gt; 2s &amp; &lt;x&gt;");
    CHECK(reencode_decoded_text("<!channel> and <!here>") == "&lt;!channel&gt; and &lt;!here&gt;");
    CHECK(reencode_decoded_text("ask <@U1|bob> in <#C1|ops>") == "ask <@U1|bob> in <#C1|ops>");
    CHECK(reencode_decoded_text("<https://x.y/?a=1&b=2|dash & co>") == "<https://x.y/?a=1&amp;b=2|dash &amp; co>");
    CHECK(reencode_decoded_text("<@not an id> &amp;") == "&lt;@not an id&gt; &amp;amp;");
    // Typed text that was decoded once comes back as Slack sent it.
    for (const std::string typed : {"a & b", "<tag>", "x > y < z", "&lt;", "plain"})
        CHECK(reencode_decoded_text(decode_slack_entities(escape_mrkdwn(typed))) == escape_mrkdwn(typed));
}

TEST_CASE("users: the name to show, the refresh rule, who a record refers to") {
    const auto ok = parse_users_info(nlohmann::json::parse(R"({"ok":true,"user":{"id":"W012A3CDE","name":"spengler",
        "real_name":"Egon Spengler","profile":{"display_name":"","real_name":"Egon Spengler"}}})"),
                                     from_unix_seconds(100));
    REQUIRE(ok);
    CHECK(ok->name == "Egon Spengler");  // no display name: the real name
    CHECK(ok->handle == "spengler");
    CHECK(ok->found);
    const auto weird = parse_users_info(nlohmann::json::parse(R"({"ok":true,"user":{"id":"U1","name":7,
        "profile":{"display_name":"  Bob\n\u001b[31mX  "}}})"), from_unix_seconds(0));
    REQUIRE(weird);
    CHECK(weird->name == "Bob [31mX");
    CHECK_FALSE(parse_users_info(nlohmann::json::parse(R"({"ok":true,"user":{"id":"U 1"}})"), from_unix_seconds(0)));
    CHECK_FALSE(parse_users_info(nlohmann::json::parse(R"({"ok":true})"), from_unix_seconds(0)));

    const auto t = from_unix_seconds(1'000'000);
    CHECK(user_needs_refresh(std::nullopt, t));
    CHECK_FALSE(user_needs_refresh(t - std::chrono::hours{23}, t));
    CHECK(user_needs_refresh(t - std::chrono::hours{24}, t));

    CHECK(user_label("U1", {{"U1", "Alice"}}) == "@Alice");
    CHECK(user_label("U2", {{"U1", "Alice"}}) == "U2");  // never an empty cell
    CHECK(user_label("", {}).empty());

    incident inc;
    inc.declared_by = "U1";
    inc.commander = "U2";
    inc.title = "db &amp; <@U3>";
    timeline_entry e;
    e.user = "U4";
    e.text = "ask <@U5|x> and <@U1>";
    e.attrs = {{"owner", "U6"}, {"previous", "2026-11-21T14:00:00Z"}};
    CHECK(users_referenced(inc, std::span(&e, 1)) == std::vector<std::string>{"U1", "U2", "U3", "U4", "U6", "U5"});
}

TEST_CASE("hostile strings through every export") {
    for (const auto& h : ib_test::hostile_strings()) {
        CAPTURE(h.name);
        const auto r = ib_test::hostile_record(h);
        const auto slack = ib_test::slack_text_of(h);

        // JSON: parses; `text` is what was typed, `slack_text` what Slack sent.
        const auto doc = nlohmann::json::parse(export_json(r));
        const auto& note = doc["timeline"][3];
        REQUIRE(note["kind"] == "note");
        if (is_valid_utf8(slack)) {
            CHECK(note["slack_text"] == slack);
            CHECK(note["text"] == decode_slack_entities(slack));
            if (h.slack.empty()) CHECK(note["text"] == h.typed);
        }
        CHECK(doc["timeline"][1]["user_name"] == "bob | =cmd ](javascript:x)");

        // CSV: reads back, one row per entry, 8 columns, nothing a spreadsheet would run.
        const auto rows = ib_test::read_csv(export_csv(r));
        REQUIRE(rows);
        CHECK(rows->size() == r.timeline.size() + 1);
        for (const auto& row : *rows) {
            CHECK(row.size() == 8);
            for (const auto& cell : row) CHECK((cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string_view::npos));
        }
        const std::string readable = printable(slack_to_readable(slack, r.names));
        CHECK(((*rows)[4][5] == readable || (*rows)[4][5] == "'" + readable));

        // Markdown: outside code spans (where '<' is literal), no raw '<' but the template's
        // <br>; no link that is not http(s).
        const auto md = without_code_spans(export_markdown(r));
        for (std::size_t i = md.find('<'); i != std::string::npos; i = md.find('<', i + 1))
            CHECK(md.compare(i, 4, "<br>") == 0);
        for (std::size_t i = md.find("]("); i != std::string::npos; i = md.find("](", i + 1)) {
            if (i > 0 && md[i - 1] == '\\') continue;  // an escaped ']' is text
            CHECK((md.compare(i + 2, 7, "http://") == 0 || md.compare(i + 2, 8, "https://") == 0));
        }
        CHECK(md.find("\x1b") == std::string::npos);

        // SVG: valid UTF-8, and every '<' opens one of the elements the chart is drawn with.
        const auto svg = export_svg(r);
        CHECK(is_valid_utf8(svg));
        static constexpr std::string_view elements[] = {"?xml ", "svg ", "/svg>", "title>", "/title>", "desc>",
                                                        "/desc>", "rect ", "/rect>", "text ", "/text>", "g ", "g>",
                                                        "/g>", "line ", "circle ", "/circle>"};
        for (std::size_t i = svg.find('<'); i != std::string::npos; i = svg.find('<', i + 1)) {
            bool known = false;
            for (const auto el : elements) known = known || svg.compare(i + 1, el.size(), el) == 0;
            CHECK_MESSAGE(known, svg.substr(i, 40));
        }
    }
}

}  // TEST_SUITE
