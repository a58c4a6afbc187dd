// The shared list of hostile strings: what a person might type (or paste) into an incident
// channel that an output could get wrong. Each goes through every output format in the unit
// tests (tests/core/text_outputs_test.cpp) and through real parsers (tests/text/check_outputs.py,
// fed by tests/text/dump_outputs.cpp): XML, CSV, JSON and CommonMark with raw HTML allowed.
//
// `typed` is what the person typed; Slack sends it escaped (escape_mrkdwn). `slack` strings are
// Slack text with markup in it, as Slack sends it when a person mentions, links or pings.
#pragma once

#include <string>
#include <vector>

namespace ib_test {

struct hostile_string {
    std::string name;   // for test output and file names: [a-z0-9-]
    std::string typed;  // what the person typed (used when `slack` is empty)
    std::string slack;  // Slack text with markup, when the case is about markup
};

inline std::vector<hostile_string> hostile_strings() {
    std::vector<hostile_string> out = {
        // HTML and script.
        {"script", "<script>alert(1)</script>", ""},
        {"img-onerror", "<img src=x onerror=alert(1)>", ""},
        {"svg-onload", "\"><svg onload=alert(1)>", ""},
        {"html-comment", "<!-- hidden --> <b>bold</b> </td></tr></table>", ""},
        {"entities", "&lt;script&gt; &#60;b&#62; &amp;amp; &copy; &#x3C;", ""},
        {"cdata", "]]><![CDATA[<x>]]> <?xml version=\"1.0\"?>", ""},
        {"xml-quotes", "it's \"quoted\" & 'single' <tag attr=\"v\">", ""},
        // Markdown links, images, autolinks and emphasis.
        {"md-link", "[click me](javascript:alert(1)) [ok](https://example.com)", ""},
        {"md-image", "![x](https://evil.example/pixel.gif) ![y](data:image/png;base64,AAAA)", ""},
        {"md-autolink", "<javascript:alert(1)> <https://example.com> <mailto:a@b.c>", ""},
        {"md-reference", "[a][1]\n\n[1]: javascript:alert(1)", ""},
        {"md-emphasis", "**bold** __under__ *it* _it_ ~~strike~~ `code` ``two``", ""},
        {"md-heading", "# heading\n## two\n> quote\n- item\n1. first\n---\n===", ""},
        {"md-html-block", "<div>\n<script>alert(1)</script>\n</div>", ""},
        {"md-backslash", "\\<b>\\</b> \\\\ \\` trailing backslash\\", ""},
        // Table breakers.
        {"table-pipes", "a | b || c |\n|---|---|\n| x | y |", ""},
        {"table-newlines", "line one\r\nline two\rline three\nline four", ""},
        // Control and bidi characters.
        {"controls", std::string("nul\x00" "bel\x07" "esc\x1b[31mred\x1b[0m del\x7f tab\tend", 36), ""},
        {"c1-controls", "c1\xc2\x80\xc2\x85\xc2\x9b" "31m next\xc2\x9f", ""},
        {"bidi", "invoice \xe2\x80\xae" "fdp.exe\xe2\x80\xac and \xe2\x81\xa6isolate\xe2\x81\xa9 \xe2\x80\x8fRLM", ""},
        // Invalid UTF-8.
        {"invalid-utf8", "bad \xff\xfe bytes \xc0\xaf overlong \xed\xa0\x80 surrogate \xe2\x82 cut", ""},
        // CSV formula injection.
        {"csv-formula", "=HYPERLINK(\"https://evil.example\",\"click\")", ""},
        {"csv-formula-plus", "+1+cmd|' /C calc'!A0", ""},
        {"csv-formula-at", "@SUM(1+1)*cmd|' /C calc'!A0", ""},
        {"csv-quotes", "\"quoted, with comma\",\"and \"\"doubled\"\"\"", ""},
        // The issue's own example: Slack's three entities and a typed broadcast.
        {"p99", "p99 > 2s & <x> <!channel>", ""},
        // Slack markup as Slack sends it.
        {"slack-markup", "", "<!channel> <!here|here> <!subteam^S123|@oncall> <@U0ALICE> <@U0BOB|bob> <#C0OPS|ops> "
                              "<https://example.com/a?b=1&amp;c=2|the &lt;dash&gt;> <javascript:alert(1)|click> "
                              "<mailto:a@b.c|a@b.c> &lt;script&gt;"},
        {"slack-link-breakout", "", "<https://example.com/)](javascript:alert(1)|x](javascript:alert(2))> "
                                     "<https://example.com/\"onmouseover=\"alert(1)|y>"},
        {"slack-code", "", "run `kubectl get pods | grep &lt;bad&gt;` then ```\nrm -rf / &amp;&amp; echo ``` done"},
        {"backticks", "``` `` ` ```` code ` with `` runs", ""},
        // Long: 300 KB in one message.
        {"long-300k", std::string(300 * 1024 - 20, 'x') + " <end> & done", ""},
    };
    return out;
}

}  // namespace ib_test
