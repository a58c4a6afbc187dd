// The text module (core/text.hpp): UTF-8, ASCII case, Slack's entities and mentions, and clip()
// for each output; and the JSON string-literal reader both hand-written JSON parsers share
// (core/json_text.hpp).
#include "core/json_text.hpp"
#include "core/text.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace ib;

namespace {

// Every '&' in `s` starts one of Slack's entities, and no '<' or '>' is left raw.
bool mrkdwn_safe(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<' || s[i] == '>') return false;
        if (s[i] == '&' && !slack_entity_at(s, i)) return false;
    }
    return true;
}

std::string random_bytes(std::mt19937& rng, std::size_t n) {
    // Biased towards what matters here: markup characters, line breaks, UTF-8 lead and
    // continuation bytes, and plain letters.
    static constexpr char pool[] = {'a', 'b', ' ', '&', '<', '>', '"', '\'', '\n', '\t', '\r', '\x01', '\x7f',
                                    '\xc3', '\xa9', '\xe2', '\x82', '\xac', '\xf0', '\x9f', '\x92', '\xa5',
                                    '\xed', '\xa0', '\xc0', '\xff', '\xc2', '\x85'};
    std::uniform_int_distribution<std::size_t> pick(0, sizeof pool - 1);
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += pool[pick(rng)];
    return s;
}

}  // namespace

TEST_SUITE("text") {
TEST_CASE("decode_utf8: well-formed sequences and their code points") {
    CHECK(decode_utf8("a", 0).value == 'a');
    CHECK(decode_utf8("a", 0).length == 1);
    const auto e = decode_utf8("\xc3\xa9", 0);  // é
    CHECK(e.valid);
    CHECK(e.value == 0xE9);
    CHECK(e.length == 2);
    CHECK(decode_utf8("\xe2\x82\xac", 0).value == 0x20AC);  // €
    CHECK(decode_utf8("\xf0\x9f\x93\x8c", 0).value == 0x1F4CC);  // 📌
    CHECK(decode_utf8("\xf4\x8f\xbf\xbf", 0).value == 0x10FFFF);
    CHECK(decode_utf8("x\xe2\x82\xac", 1).length == 3);
    static_assert(decode_utf8("\xc3\xa9", 0).value == 0xE9, "usable in constant expressions");
}

TEST_CASE("decode_utf8: anything else is one invalid byte, U+FFFD, and decoding resumes after it") {
    for (const std::string_view bad : {
             std::string_view("\x80"),              // a continuation byte alone
             std::string_view("\xc0\xaf"),          // overlong '/'
             std::string_view("\xc1\xa1"),          // overlong 'a'
             std::string_view("\xe0\x81\xa1"),      // overlong 'a', three bytes
             std::string_view("\xe0\x80\xaf"),      // overlong '/', three bytes
             std::string_view("\xed\xa0\x80"),      // a UTF-16 surrogate
             std::string_view("\xf0\x80\x80\xaf"),  // overlong, four bytes
             std::string_view("\xf4\x90\x80\x80"),  // above U+10FFFF
             std::string_view("\xf5\x80\x80\x80"),  // no such lead byte
             std::string_view("\xff"),
             std::string_view("\xe2\x82"),  // cut short at the end
             std::string_view("\xe2\x82x"),  // cut short by an ASCII byte
         }) {
        CAPTURE(bad);
        const auto c = decode_utf8(bad, 0);
        CHECK_FALSE(c.valid);
        CHECK(c.value == replacement_character);
        CHECK(c.length == 1);
    }
    // Never reads past the view, even when the buffer behind it goes on.
    const std::string buffer = "\xe2\x82\xac";
    CHECK_FALSE(decode_utf8(std::string_view(buffer).substr(0, 2), 0).valid);
    // Resynchronises on the next byte: the 'x' after a cut-short sequence is read as itself.
    CHECK(count_code_points("\xe2\x82x") == 3);
}

TEST_CASE("append_utf8 round-trips every boundary through decode_utf8") {
    for (const char32_t cp : {0x00u, 0x41u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu,
                              0x10000u, 0x1F4CCu, 0x10FFFFu}) {
        CAPTURE(static_cast<std::uint32_t>(cp));
        std::string s;
        append_utf8(s, cp);
        const auto c = decode_utf8(s, 0);
        CHECK(c.valid);
        CHECK(c.value == cp);
        CHECK(c.length == s.size());
        CHECK(is_valid_utf8(s));
    }
}

TEST_CASE("is_valid_utf8, count_code_points, utf8_prefix") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("caf\xc3\xa9 \xf0\x9f\x93\x8c"));
    CHECK_FALSE(is_valid_utf8("caf\xc3"));
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));

    CHECK(count_code_points("") == 0);
    CHECK(count_code_points("caf\xc3\xa9") == 4);
    CHECK(count_code_points("\xff\xfe") == 2);  // each invalid byte is one U+FFFD

    const std::string_view s = "ab\xe2\x82\xac" "c";  // a b € c
    CHECK(utf8_prefix(s, 100) == s);
    CHECK(utf8_prefix(s, 2) == "ab");
    CHECK(utf8_prefix(s, 3) == "ab");  // never inside the €
    CHECK(utf8_prefix(s, 4) == "ab");
    CHECK(utf8_prefix(s, 5) == "ab\xe2\x82\xac");
    CHECK(utf8_prefix("a\xff\xfe", 2) == "a\xff");  // invalid bytes are units of their own
    CHECK(utf8_prefix("abc", 0).empty());
}

TEST_CASE("ASCII case folding and trimming leave other bytes alone") {
    CHECK(ascii_lower("SEV2 Investigating") == "sev2 investigating");
    CHECK(ascii_lower("\xc3\x80" "BC") == "\xc3\x80" "bc");  // À stays À: not ASCII
    CHECK(ascii_lower('Q') == 'q');
    CHECK(ascii_lower('1') == '1');
    CHECK(ascii_iequals("Ago", "aGO"));
    CHECK_FALSE(ascii_iequals("ago", "agoo"));
    CHECK_FALSE(ascii_iequals("\xc3\xa9", "\xc3\x89"));  // é and É differ outside ASCII
    CHECK(trim_ascii_space(" \t\r\n\v\fnote \n") == "note");
    CHECK(trim_ascii_space("\xc2\xa0x\xc2\xa0") == "\xc2\xa0x\xc2\xa0");  // no-break space is not ASCII
    CHECK(trim_ascii_space("   ").empty());
}

TEST_CASE("Slack's entities: exactly &amp; &lt; &gt;, one level, markup untouched") {
    CHECK(decode_slack_entities("p99 &gt; 2s &amp; rising") == "p99 > 2s & rising");
    CHECK(decode_slack_entities("&amp;lt;") == "&lt;");  // one level only
    CHECK(decode_slack_entities("&quot; &#60; & &am") == "&quot; &#60; & &am");  // not Slack's entities
    CHECK(decode_slack_entities("<@U1> said &lt;!channel&gt; <#C1|ops>") == "<@U1> said <!channel> <#C1|ops>");
    CHECK(decode_slack_entities("ends with &") == "ends with &");

    CHECK(escape_mrkdwn("p99 > 2s & <!channel>") == "p99 &gt; 2s &amp; &lt;!channel&gt;");
    CHECK(escape_mrkdwn("line\nbreak \xc3\xa9") == "line\nbreak \xc3\xa9");  // only the three bytes change

    CHECK(slack_entity_at("a&amp;", 1)->decoded == '&');
    CHECK(slack_entity_at("a&amp;", 1)->length == 5);
    CHECK(slack_entity_at("&gt;", 0)->decoded == '>');
    CHECK_FALSE(slack_entity_at("&am", 0));
    CHECK_FALSE(slack_entity_at("a&amp;", 0));
    CHECK_FALSE(slack_entity_at("&lt;", 4));

    // The codec is lossless both ways: any bytes survive escape then decode, and Slack's own
    // text (every '&' part of an entity) survives decode then escape.
    std::mt19937 rng(11);
    for (int round = 0; round < 500; ++round) {
        const auto raw = random_bytes(rng, 40);
        CHECK(decode_slack_entities(escape_mrkdwn(raw)) == raw);
        const auto slack = escape_mrkdwn(raw);
        CHECK(escape_mrkdwn(decode_slack_entities(slack)) == slack);
        CHECK(mrkdwn_safe(slack));
    }
}

TEST_CASE("mention: one rule, with what an unknown person reads as") {
    CHECK(mention("U0ALICE") == "<@U0ALICE>");
    CHECK(mention("W123", "someone") == "<@W123>");
    CHECK(mention("", "someone") == "someone");
    CHECK(mention("", "nobody") == "nobody");
    CHECK(mention("").empty());
    // Not an id Slack sends: shown as text that cannot form markup.
    CHECK(mention("U1> <!channel") == "U1&gt; &lt;!channel");
    CHECK(mention("bob\nsmith") == "bob smith");
    const auto long_id = mention(std::string(100, '-'));
    CHECK(long_id.size() <= 64);
    CHECK(long_id.ends_with("…"));
    CHECK(is_plain_slack_id("U0ALICE"));
    CHECK(is_plain_slack_id("C024BE91L"));
    CHECK_FALSE(is_plain_slack_id(""));
    CHECK_FALSE(is_plain_slack_id("U_1"));
    CHECK_FALSE(is_plain_slack_id("U\xc3\xa9"));
}

TEST_CASE("channel_link: Slack's channel markup, or escaped text for what is not an id") {
    CHECK(channel_link("C024BE91L") == "<#C024BE91L>");
    CHECK(channel_link("C1", "inc-20261121-checkout") == "<#C1|inc-20261121-checkout>");
    CHECK(channel_link("C1", "a<b>&c") == "<#C1|a&lt;b&gt;&amp;c>");
    CHECK(channel_link("C1|x> <!channel") == "C1|x&gt; &lt;!channel");
    CHECK(channel_link("").empty());
}

TEST_CASE("clip: escapes for the output, cuts whole characters and escapes, ends in an ellipsis") {
    const clip_style mrkdwn{text_escape::mrkdwn, true};
    CHECK(clip("a & b", unlimited, unlimited, mrkdwn) == "a &amp; b");
    CHECK(clip("ab", 4, unlimited, mrkdwn) == "ab");
    // While more text follows, room for the ellipsis is kept: text within 3 bytes of the limit
    // may be cut although it would fit (the renderings built on clip() depend on this).
    CHECK(clip("abc", 3, unlimited, mrkdwn) == "…");
    CHECK(clip("abc", 4, unlimited, mrkdwn) == "a…");  // "…" is 3 bytes
    CHECK(clip("a&b", 5, unlimited, mrkdwn) == "a…");   // "&amp;" is not cut into "&am"
    CHECK(clip("abc", 2, unlimited, mrkdwn).empty());   // not even the ellipsis fits
    CHECK(clip("\xc3\xa9\xc3\xa9\xc3\xa9", 6) == "\xc3\xa9…");  // é…, never half an é
    CHECK(clip("abcdef", unlimited, 3) == "ab…");                 // the ellipsis is one of the 3
    CHECK(clip("abc", unlimited, 3) == "abc");
    CHECK(clip("abc", unlimited, 0).empty());
    CHECK(clip("a\xff" "b", unlimited) == "a\xef\xbf\xbd" "b");
    CHECK(clip("one\ntwo\tthree\r", unlimited) == "one two three ");
    CHECK(clip("one\ntwo", unlimited, unlimited, {text_escape::none, false}) == "one\ntwo");

    const clip_style xml{text_escape::xml, true};
    CHECK(clip("<a href=\"x\">it's & \xe2\x80\x94</a>", unlimited, unlimited, xml) ==
          "&lt;a href=&quot;x&quot;&gt;it&apos;s &amp; \xe2\x80\x94&lt;/a&gt;");
    // What XML 1.0 forbids, and C1 controls, are dropped; tab and line breaks become spaces.
    CHECK(clip("a\x01" "b\x7f" "c\xc2\x85" "d\xef\xbf\xbe" "e\tf", unlimited, unlimited, xml) == "abcde f");
    CHECK(clip("a\x01\x02", unlimited, 2, xml) == "a");  // dropped characters do not count
    // mrkdwn keeps control characters (Slack shows them as nothing); only xml drops them.
    CHECK(clip("a\x01", unlimited, unlimited, mrkdwn) == "a\x01");

    CHECK(mrkdwn_line("<!channel>\nnow", 100) == "&lt;!channel&gt; now");
    CHECK(plain_line("<!channel>\nnow", 100) == "<!channel> now");
}

TEST_CASE("clip: any input, any budget: valid UTF-8, within the budget, safe for the output") {
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::size_t> budget(0, 60);
    for (int round = 0; round < 2000; ++round) {
        const auto raw = random_bytes(rng, budget(rng));
        const std::size_t max_bytes = budget(rng);
        const std::size_t max_chars = round % 3 ? unlimited : budget(rng);
        for (const auto escape : {text_escape::none, text_escape::mrkdwn, text_escape::xml}) {
            const auto out = clip(raw, max_bytes, max_chars, {escape, true});
            CAPTURE(raw);
            CAPTURE(max_bytes);
            CHECK(out.size() <= max_bytes);
            CHECK(is_valid_utf8(out));
            CHECK(out.find_first_of("\n\r\t") == std::string::npos);
            if (max_chars != unlimited && escape != text_escape::xml)  // (xml has entities of its own)
                CHECK(count_code_points(decode_slack_entities(out)) <= max_chars);
            if (escape == text_escape::mrkdwn) CHECK(mrkdwn_safe(out));
            if (escape == text_escape::xml) CHECK(out.find_first_of("<>\"'\x01\x7f") == std::string::npos);
        }
    }
}

TEST_CASE("read_json_string: the string literal reader of both hand-written JSON parsers") {
    const auto read = [](std::string_view literal, json_utf8 utf8 = json_utf8::reject) -> std::optional<std::string> {
        std::size_t i = 1;  // just past the opening quote
        std::string out;
        if (!read_json_string(literal, i, &out, utf8)) return std::nullopt;
        if (i != literal.size()) return std::nullopt;  // the closing quote was the last byte
        return out;
    };
    CHECK(read(R"("plain")") == "plain");
    CHECK(read(R"("a\"b\\c\/d\b\f\n\r\t")") == "a\"b\\c/d\b\f\n\r\t");
    CHECK(read(R"("\u00e9\u20AC")") == "\xc3\xa9\xe2\x82\xac");
    CHECK(read(R"("\ud83d\udccc")") == "\xf0\x9f\x93\x8c");  // a surrogate pair becomes one 📌
    CHECK(read("\"caf\xc3\xa9\"") == "caf\xc3\xa9");
    CHECK_FALSE(read(R"("\udccc")"));        // a low surrogate alone
    CHECK_FALSE(read(R"("\ud83d")"));        // a high surrogate alone
    CHECK_FALSE(read(R"("\ud83d\u0041")"));  // not followed by a low one
    CHECK_FALSE(read(R"("\u12")"));
    CHECK_FALSE(read(R"("\x")"));
    CHECK_FALSE(read("\"tab\there\""));  // raw control characters are not JSON
    CHECK_FALSE(read(R"("no end)"));
    // Raw invalid UTF-8: refused (as nlohmann does), or kept as stored when asked.
    CHECK_FALSE(read("\"a\xff\""));
    CHECK(read("\"a\xff\"", json_utf8::keep) == "a\xff");
    // Without an output it only validates, and stops right after the closing quote.
    const std::string_view two = R"("a\n", "b")";
    std::size_t i = 1;
    CHECK(read_json_string(two, i, nullptr));
    CHECK(two.substr(i) == R"(, "b")");
}
}  // TEST_SUITE
