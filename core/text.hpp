// Text: the one home for how the bot reads and writes text. UTF-8 decoding, ASCII case folding
// and trimming, Slack's entity codec and markup (mentions), and making text safe and short for an
// output (Slack mrkdwn, plain text, XML). Pure functions over UTF-8 bytes; no locale, no I/O.
//
// How Slack treats text (../shared/docs/slack-protocol.md §6): in everything Slack sends and
// expects (event `text`, slash-command `text`, history), `&`, `<` and `>` stand as `&amp;`, `&lt;`,
// `&gt;`; only those three are entities, and Slack's own markup (`<@U…>`, `<#C…|name>`, `<!here>`,
// `<https://…|label>`) is left as it is. So Slack's text is already mrkdwn-safe, text the bot
// writes itself is escaped with escape_mrkdwn(), and decode_slack_entities() gives what the
// person typed.
//
// Invalid UTF-8, everywhere in this header: a byte that does not start a well-formed sequence
// (RFC 3629: shortest form, no surrogates, nothing above U+10FFFF, not cut short) is one invalid
// unit of one byte, shown as U+FFFD where text is made safe for an output; decoding resumes at the
// next byte. The entity codec, case folding and trimming do not look at UTF-8: the bytes they do
// not change are copied as they are, valid or not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
    none,    // as is
    mrkdwn,  // `&` `<` `>` as Slack's entities
    xml,     // `&` `<` `>` `"` `'` as XML's entities; what XML 1.0 forbids (C0 controls but tab, LF
             // and CR; U+FFFE, U+FFFF) and the C1 controls U+007F..U+009F are dropped
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

// User text quoted in Slack mrkdwn: one line, escaped, at most max_bytes bytes.
std::string mrkdwn_line(std::string_view raw, std::size_t max_bytes);
// Text for Block Kit plain_text (shown as is, so nothing to escape): one line, at most max_bytes.
std::string plain_line(std::string_view raw, std::size_t max_bytes);

}  // namespace ib
