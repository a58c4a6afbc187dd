// Text: the one home for how the bot reads and writes text. UTF-8 decoding, ASCII case folding
// and trimming, Slack's entity codec and markup (mentions), the one text model (below) and
// making text safe and short for each output: Slack mrkdwn, Block Kit plain text, JSON, Markdown,
// CSV, SVG/XML and the terminal. Pure functions over UTF-8 bytes; no locale, no I/O.
//
// How Slack treats text (../shared/docs/slack-protocol.md §6): in everything Slack sends and
// expects (event `text`, slash-command `text`, history), `&`, `<` and `>` stand as `&amp;`, `&lt;`,
// `&gt;`; only those three are entities, and Slack's own markup (`<@U…>`, `<#C…|name>`, `<!here>`,
// `<https://…|label>`) is left as it is. So a typed `<!channel>` arrives as `&lt;!channel&gt;`,
// and only Slack's markup can ping anyone.
//
// The text model. Every text the bot stores is in that form, "Slack text": message and command
// text exactly as Slack sent it, and the bot's own texts written the same way (escape_mrkdwn on
// anything typed, markup only where meant). Each output is derived from it, escaping once:
//   a post in Slack     quote_slack()             kept as sent (already mrkdwn-safe), broadcasts
//                                                 defused, stray `& < >` escaped, cut safely
//   Block Kit plain     plain_line(slack_to_readable(…))
//   JSON `text`         decode_slack_entities()   what the person typed; markup kept (`<@U1>`)
//   JSON `slack_text`   the stored text itself
//   CSV, terminal       slack_to_readable() then csv_field() / printable()
//   SVG (XML)           slack_to_readable(), printable(), then clip(…, text_escape::xml)
//   Markdown            markdown_from_slack()     HTML and Markdown escaped, http(s) links only
//   HTML (serve)        html_from_slack()         HTML escaped, code as <code>, http(s) links only
// Outside Slack, users are shown by name (user_names, from users.info): `<@U1>` reads "@Alice".
// Text the bot writes itself (labels, "joined the channel") goes through the same functions: it
// is Slack text without markup.
//
// Invalid UTF-8, everywhere in this header: a byte that does not start a well-formed sequence
// (RFC 3629: shortest form, no surrogates, nothing above U+10FFFF, not cut short) is one invalid
// unit of one byte, shown as U+FFFD where text is made safe for an output; decoding resumes at the
// next byte. The entity codec, case folding and trimming do not look at UTF-8: the bytes they do
// not change are copied as they are, valid or not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ib {

// ---- UTF-8 ------------------------------------------------------------------------------------

inline constexpr char32_t replacement_character = 0xFFFD;
inline constexpr std::string_view replacement_character_utf8 = "\xEF\xBF\xBD";

// One decoded unit of UTF-8 text.
struct utf8_char {
    char32_t value = 0;       // the code point; replacement_character when !valid
    std::uint8_t length = 1;  // bytes it covers: 1 to 4, and 1 when !valid
    bool valid = true;
};

// Decodes the unit starting at s[i] (requires i < s.size()). Never reads past s.
constexpr utf8_char decode_utf8(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) -> unsigned {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
    };
    const unsigned lead = byte(0);
    if (lead < 0x80) return {lead, 1, true};
    constexpr utf8_char invalid{replacement_character, 1, false};
    std::uint8_t n = 0;
    char32_t cp = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte: no overlongs, no surrogates
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3;
        cp = lead & 0x0F;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4;
        cp = lead & 0x07;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        return invalid;
    }
    if (byte(1) < lo || byte(1) > hi) return invalid;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(k) & 0xC0) != 0x80) return invalid;
        cp = (cp << 6) | (byte(k) & 0x3F);
    }
    return {cp, n, true};
}

// Appends the UTF-8 encoding of `cp`, which must be a Unicode scalar value (at most U+10FFFF,
// not a surrogate).
void append_utf8(std::string& out, char32_t cp);

// True when all of `s` is well-formed UTF-8 (the empty text is).
bool is_valid_utf8(std::string_view s);

// How many units decode_utf8() finds in `s`: code points, each invalid byte counting as one (as
// it is shown as one U+FFFD).
std::size_t count_code_points(std::string_view s);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a well-formed
// sequence (invalid bytes are units of their own, so they may be cut after).
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// ---- ASCII ------------------------------------------------------------------------------------

// Space, tab, LF, VT, FF, CR (the C locale's isspace).
constexpr bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
// 'A'..'Z' to 'a'..'z'; every other byte, UTF-8 included, unchanged.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
std::string ascii_lower(std::string_view s);
// Equal after ascii_lower().
bool ascii_iequals(std::string_view a, std::string_view b);
// `s` without leading and trailing is_ascii_space() characters.
std::string_view trim_ascii_space(std::string_view s);

// ---- Slack's entities and markup ----------------------------------------------------------------

// One of Slack's three entities at s[i] ("&amp;", "&lt;", "&gt;"): the character it stands for
// and the entity's length in bytes; nullopt when there is none at i.
struct slack_entity {
    char decoded;
    std::size_t length;
};
constexpr std::optional<slack_entity> slack_entity_at(std::string_view s, std::size_t i) {
    if (i >= s.size() || s[i] != '&') return std::nullopt;
    const std::string_view rest = s.substr(i);
    if (rest.starts_with("&amp;")) return slack_entity{'&', 5};
    if (rest.starts_with("&lt;")) return slack_entity{'<', 4};
    if (rest.starts_with("&gt;")) return slack_entity{'>', 4};
    return std::nullopt;
}

// Decodes Slack's three entities, one level ("&amp;lt;" is "&lt;"); everything else, Slack's
// markup included, is copied unchanged.
std::string decode_slack_entities(std::string_view text);

// The other direction: `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;`, every other byte unchanged
// (line breaks kept, UTF-8 not checked). For text the bot writes itself into Slack mrkdwn, so it
// cannot form a mention, a link or `<!channel>`; Slack's own text is already in this form.
std::string escape_mrkdwn(std::string_view text);

// Slack text again from text an older build stored decoded (before schema v8, slash-command
// text was kept with its entities decoded): `&`, `<` and `>` escaped, except in what reads as
// Slack's markup for a user, a channel or a link (decoding left it as it was; a `&` inside it is
// escaped, as Slack escapes it). `<!…>` is escaped as text: a typed `<!channel>` and Slack's
// cannot be told apart there, and a record must never turn into a ping.
std::string reencode_decoded_text(std::string_view decoded);

// True for what Slack uses as a user or channel id: one or more ASCII letters and digits
// ("U0ALICE", "C024BE91L").
bool is_plain_slack_id(std::string_view id);

// The mention of a user in Slack mrkdwn, `<@U123>`. An empty id gives `if_empty` (each caller
// says what an unknown person reads as: "someone", "nobody", "—"); an id that is not
// is_plain_slack_id() is shown as text, escaped and on one line (mrkdwn_line(id, 64)), so it
// cannot inject markup.
std::string mention(std::string_view user_id, std::string_view if_empty = {});

// A link to a channel in Slack mrkdwn: `<#C123>`, or `<#C123|name>` when `name` is given (the
// name escaped). An id that is not is_plain_slack_id() is shown as escaped text instead, as in
// mention().
std::string channel_link(std::string_view channel_id, std::string_view name = {});

// The user id in a Slack user mention, `<@U123>` or `<@U123|name>` (the whole of `token`): U or
// W (Enterprise Grid) and then uppercase letters and digits. nullopt for anything else.
std::optional<std::string> parse_user_mention(std::string_view token);

// ---- Safe, short text for an output -----------------------------------------------------------------

inline constexpr std::size_t unlimited = std::string_view::npos;
inline constexpr std::string_view ellipsis = "…";

// How clip() writes each code point of its input.
enum class text_escape : std::uint8_t {
    none,       // as is
    mrkdwn,     // `&` `<` `>` as Slack's entities
    xml,        // `&` `<` `>` `"` `'` as XML's entities; what XML 1.0 forbids (C0 controls but tab,
                // LF and CR; U+FFFE, U+FFFF) and the C1 controls U+007F..U+009F are dropped
    printable,  // for CSV and the terminal: C0 controls but tab, LF and CR, DEL, C1 controls and
                // the bidi embedding, override and isolate controls (U+202A..U+202E,
                // U+2066..U+2069, which can make text read backwards) are dropped
    markdown,   // Markdown running text: printable, then `& < > "` as HTML entities and
                // \ ` * _ [ ] | ~ # as backslash escapes, so no HTML, link, emphasis, code span
                // or table cell can start; a line break (CRLF, LF or CR) becomes a space
    markdown_cell,  // the same for a table cell: a line break becomes `<br>`
};
struct clip_style {
    text_escape escape = text_escape::none;
    bool one_line = true;  // tab, CR and LF become a space
};

// `raw` written for an output (`style`) and cut to at most `max_bytes` bytes and `max_chars`
// characters (an escape or the ellipsis counts as one): invalid UTF-8 becomes U+FFFD; text that
// is cut ends in "…" (when the ellipsis itself fits in max_bytes). A cut never splits a code
// point or an escape. Room for the ellipsis is kept while more text follows, so a text within 3
// bytes of max_bytes may be cut although it would just fit. max_chars == 0 gives "".
std::string clip(std::string_view raw, std::size_t max_bytes, std::size_t max_chars = unlimited,
                 clip_style style = {});

// The output of a cut: units (characters, escapes, tokens) appended while they fit in
// max_bytes and max_chars, and "…" where the text is cut (the rule clip() documents). For the
// text functions built on clip()'s rule.
class clipped_text {
public:
    clipped_text(std::size_t max_bytes, std::size_t max_chars) : max_bytes_(max_bytes), max_chars_(max_chars) {}
    // Appends `unit` (one character of the output); `more`: input follows it. false when it did
    // not fit: the ellipsis has been added (when it fits) and nothing more goes in.
    bool put(std::string_view unit, bool more);
    bool full() const { return full_; }
    std::string str() && { return std::move(out_); }

private:
    std::string out_;
    std::size_t max_bytes_;
    std::size_t max_chars_;
    std::size_t chars_ = 0;
    bool full_ = false;
};

// User text quoted in Slack mrkdwn: one line, escaped, at most max_bytes bytes.
std::string mrkdwn_line(std::string_view raw, std::size_t max_bytes);
// Text for Block Kit plain_text (shown as is, so nothing to escape): one line, at most max_bytes.
std::string plain_line(std::string_view raw, std::size_t max_bytes);
// Text for a terminal or a plain-text file: text_escape::printable, line breaks kept.
std::string printable(std::string_view raw);

// ---- Slack text: the model ------------------------------------------------------------------

// One piece of Slack text. parse_slack_text() splits a text into these; their `raw` views
// concatenate to the whole text.
struct slack_piece {
    enum class kind : std::uint8_t {
        text,       // anything else: `raw` with Slack's entities still in it
        code,       // a code span or block: `body` is what lies between the backtick runs
        user,       // <@U123> or <@U123|bob>: `body` the id, `label` the name Slack put in
        channel,    // <#C123> or <#C123|ops>: `body` the id, `label` the name
        broadcast,  // <!here>, <!channel>, <!everyone>, <!subteam^S1|@oncall>, <!date^…|fallback>:
                    // `body` what follows `!` up to `|`, `label` after it
        link,       // <https://…>, <https://…|label>, <mailto:…|…>: `body` the target (entities
                    // still in it), `label` the text shown
    };
    kind what = kind::text;
    std::string_view raw;    // the piece as it stands in the text (the whole token for markup)
    std::string_view body;
    std::string_view label;  // empty when the markup has no `|`
};

// Splits Slack text into its pieces, in order. Markup is `<`, one or more bytes that are none of
// `<`, `>` and a line break, then `>`, classified by its first byte (`@`, `#`, `!` followed by a
// letter, else a link, whose target must start with a URI scheme such as `https:`); any other
// `<` or `>` is text. With `code_spans`, a run of backticks opens a code span that the
// next run of the same length closes (markup inside stays part of the code); a run without its
// closing run is text. Never fails: whatever the bytes, some split comes back.
std::vector<slack_piece> parse_slack_text(std::string_view slack, bool code_spans = false);

// Display names of Slack users by id (users.info's, cached in the database), for what is read
// outside Slack. A user without an entry is shown by id.
using user_names = std::map<std::string, std::string, std::less<>>;

// How an output read outside Slack names a user: "@" and the display name when `names` has one,
// else the id as it is ("U0ALICE": never an empty cell). An empty id gives "".
std::string user_label(std::string_view user_id, const user_names& names);

// Slack text as a reader sees it, before any output's escaping: entities decoded, a user
// mention as "@" + name (user_names, else the name in the markup, else "@" + id), a channel as
// "#name" (else "#" + id), a broadcast as "@here", "@channel", "@everyone" (a user group or a
// date by its label), a link as its label followed by " (url)" when the two differ. Code spans
// keep their backticks and their markup as typed. Not escaped for anything.
std::string slack_to_readable(std::string_view slack, const user_names& names = {});

// Slack text quoted in a message the bot posts, at most `max_bytes` bytes and `max_chars`
// characters (an entity, a mention or a link counts as one and is never cut; "…" ends text that
// was cut). Slack's own text is already mrkdwn-safe, so it is kept as sent, except that
//  - broadcasts (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`) become their text
//    (`@here`, the group's label): quoting a message never notifies anyone again;
//  - markup that is not a user or channel with a plain id, an http(s) or mailto link, or a date
//    is shown as its text;
//  - a `&`, `<` or `>` that is not Slack's entity or markup is escaped (text not in Slack's
//    form is quoted safely, never as markup);
//  - invalid UTF-8 becomes U+FFFD, C0 and C1 controls but tab and line breaks are dropped, and
//    with one_line tab and line breaks become spaces.
// Idempotent: quoting its own result changes nothing (within the same budget).
std::string quote_slack(std::string_view slack, std::size_t max_bytes, std::size_t max_chars = unlimited,
                        bool one_line = true);

// ---- Markdown ---------------------------------------------------------------------------------

// Where Markdown text goes: running text (a heading, a list item) or a GFM table cell.
enum class markdown_context : std::uint8_t { running_text, table_cell };

// Text the bot writes (or readable text) as Markdown: text_escape::markdown / markdown_cell.
std::string markdown_text(std::string_view raw, markdown_context where = markdown_context::running_text);

// `code` as a Markdown code span that nothing inside can close or break: fenced by a backtick
// run longer than any in it (padded with a space when it starts or ends with a backtick or a
// space), controls dropped, line breaks as spaces; in a table cell `|` is escaped (GFM reads
// `\|` as a pipe inside code too). Empty code gives "".
std::string markdown_code_span(std::string_view code, markdown_context where = markdown_context::running_text);

// Slack text as Markdown (CommonMark, GFM tables): text escaped as markdown_text(); code spans
// as markdown_code_span(); users, channels and broadcasts as in slack_to_readable(); a link as
// `[label](url)` only when its scheme is http or https (the URL percent-encoded where Markdown
// or HTML could read a byte as syntax), any other link as readable text. No HTML tag, no link
// with another scheme and no unbalanced syntax can come out of the text.
std::string markdown_from_slack(std::string_view slack, const user_names& names = {},
                                markdown_context where = markdown_context::running_text);

// ---- HTML -------------------------------------------------------------------------------------

// Text for HTML, in element content or a quoted attribute value: text_escape::xml (`& < > " '`
// as entities; invalid UTF-8 as U+FFFD, controls dropped), line breaks kept.
std::string html_text(std::string_view raw);

// Slack text as HTML (the review pages of `incident-bot serve`): text escaped as html_text();
// code spans as `<code>…</code>`; users, channels and broadcasts as in slack_to_readable(); a
// link as `<a href="url" rel="noopener noreferrer nofollow">label</a>` only when its scheme is
// http or https, any other link as readable text. No tag or attribute other than those can come
// out of the text, so it is safe wherever element content may stand.
std::string html_from_slack(std::string_view slack, const user_names& names = {});

// ---- CSV ----------------------------------------------------------------------------------------

// One RFC 4180 field: printable() (invalid UTF-8 replaced), quoted when it holds a comma, quote,
// CR or LF (quotes doubled). A field that a spreadsheet would run as a formula (it starts with
// `=`, `+`, `-`, `@`, tab or CR: "CSV injection") gets a leading apostrophe, which spreadsheets
// read as "text"; the cost is an apostrophe visible in the raw CSV.
std::string csv_field(std::string_view v);

}  // namespace ib
