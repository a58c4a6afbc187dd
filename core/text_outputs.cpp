// The text model's outputs (core/text.hpp): Slack text parsed into pieces, and each output
// derived from it: quotes in Slack posts, readable text, Markdown, CSV.
#include "core/text.hpp"

namespace ib {
namespace {

using piece_kind = slack_piece::kind;

// `s` starts with `prefix`, ASCII case ignored.
bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_web_url(std::string_view url) { return starts_with_nocase(url, "http://") || starts_with_nocase(url, "https://"); }

// A URI's scheme and ':' start `s` (RFC 3986: a letter, then letters, digits, '+', '-', '.').
bool has_scheme(std::string_view s) {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    if (!ascii_letter(s[0])) return false;
    for (const char c : s.substr(1, colon - 1))
        if (!ascii_letter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
    return true;
}

// The markup at s[i] ('<'), or nullopt when this '<' is text.
std::optional<slack_piece> markup_at(std::string_view s, std::size_t i) {
    const auto end = s.find_first_of("<>\n\r", i + 1);
    if (end == std::string_view::npos || s[end] != '>' || end == i + 1) return std::nullopt;
    slack_piece p;
    p.raw = s.substr(i, end + 1 - i);
    std::string_view inner = s.substr(i + 1, end - i - 1);
    switch (inner.front()) {
    case '@': p.what = piece_kind::user; inner.remove_prefix(1); break;
    case '#': p.what = piece_kind::channel; inner.remove_prefix(1); break;
    case '!': p.what = piece_kind::broadcast; inner.remove_prefix(1); break;
    default: p.what = piece_kind::link; break;
    }
    const auto bar = inner.find('|');
    p.body = inner.substr(0, bar);
    if (bar != std::string_view::npos) p.label = inner.substr(bar + 1);
    // A link starts with a scheme ("https:"), anything else with a letter ("U1", "here").
    if (p.what == piece_kind::link ? !has_scheme(p.body) : p.body.empty() || !ascii_letter(p.body[0]))
        return std::nullopt;
    return p;
}

// The length of the run of backticks at s[i].
std::size_t backtick_run(std::string_view s, std::size_t i) {
    std::size_t n = 0;
    while (i + n < s.size() && s[i + n] == '`') ++n;
    return n;
}

// Where the code span opened by `n` backticks at s[i] closes (the index of its closing run), or npos.
std::size_t code_span_close(std::string_view s, std::size_t i, std::size_t n) {
    for (std::size_t k = s.find('`', i + n); k != std::string_view::npos;) {
        const std::size_t run = backtick_run(s, k);
        if (run == n) return k;
        k = s.find('`', k + run);
    }
    return std::string_view::npos;
}

// Valid UTF-8 without control characters: markup that can be passed on as it is.
bool clean(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = decode_utf8(s, i);
        if (!c.valid || c.value < 0x20 || (c.value >= 0x7F && c.value <= 0x9F)) return false;
        i += c.length;
    }
    return true;
}

// "@here", "@channel", "@everyone" for those broadcasts; empty for any other.
std::string_view broadcast_name(std::string_view body) {
    if (body == "here") return "@here";
    if (body == "channel") return "@channel";
    if (body == "everyone") return "@everyone";
    return {};
}

// The readable text of one markup piece (not text or code).
std::string readable_markup(const slack_piece& p, const user_names& names) {
    const std::string label = decode_slack_entities(p.label);
    switch (p.what) {
    case piece_kind::user:
        if (const auto it = names.find(p.body); it != names.end() && !it->second.empty()) return "@" + it->second;
        return "@" + (label.empty() ? std::string(p.body) : label);
    case piece_kind::channel: return "#" + (label.empty() ? std::string(p.body) : label);
    case piece_kind::broadcast: {
        if (const auto name = broadcast_name(p.body); !name.empty()) return std::string(name);
        if (!label.empty()) return label;
        return p.body.starts_with("subteam^") ? std::string("@group") : "!" + std::string(p.body);
    }
    case piece_kind::link: {
        const std::string url = decode_slack_entities(p.body);
        if (label.empty() || label == url) return url;
        // A label that is the URL without its scheme ("example.com") says it all.
        std::string_view bare = url;
        for (const std::string_view scheme : {"https://", "http://", "mailto:"})
            if (starts_with_nocase(bare, scheme)) bare.remove_prefix(scheme.size());
        if (bare.ends_with('/') && !std::string_view(label).ends_with('/')) bare.remove_suffix(1);
        return bare == label ? label : label + " (" + url + ")";
    }
    case piece_kind::text:
    case piece_kind::code: break;
    }
    return decode_slack_entities(p.raw);
}

// Appends the units of Slack text `raw` (a text piece, or markup shown as text) to `out` for
// quote_slack(); `more_after`: more input follows the piece. false once full.
bool quote_text(clipped_text& out, std::string_view raw, bool more_after, bool one_line) {
    for (std::size_t i = 0; i < raw.size();) {
        std::string_view unit;
        std::size_t length = 1;
        if (const auto e = slack_entity_at(raw, i)) {
            unit = raw.substr(i, e->length);
            length = e->length;
        } else {
            const auto c = decode_utf8(raw, i);
            length = c.length;
            const char32_t v = c.value;
            if (!c.valid) unit = replacement_character_utf8;
            else if (v == '&') unit = "&amp;";
            else if (v == '<') unit = "&lt;";
            else if (v == '>') unit = "&gt;";
            else if (v == '\t' || v == '\n' || v == '\r') {
                if (one_line && v == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') unit = {};  // CRLF: one space
                else if (one_line) unit = " ";
                else unit = raw.substr(i, 1);
            } else if (v < 0x20 || (v >= 0x7F && v <= 0x9F)) unit = {};
            else unit = raw.substr(i, c.length);
        }
        i += length;
        if (unit.empty()) continue;
        if (!out.put(unit, i < raw.size() || more_after)) return false;
    }
    return true;
}

// Markdown for a URL in a link destination: bytes Markdown or HTML could read as syntax are
// percent-encoded; `&` is written as its entity.
std::string markdown_url(std::string_view url) {
    static constexpr std::string_view keep = "-._~:/?#[]@!$'*+,;=%";
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(url.size());
    for (const char ch : url) {
        const auto b = static_cast<unsigned char>(ch);
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || keep.find(ch) != keep.npos) {
            out += ch;
        } else if (ch == '&') {
            out += "&amp;";
        } else {
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 0xF];
        }
    }
    return out;
}

}  // namespace

std::vector<slack_piece> parse_slack_text(std::string_view s, bool code_spans) {
    std::vector<slack_piece> out;
    std::size_t text_from = 0;  // start of the text piece being gathered
    const auto flush_text = [&](std::size_t to) {
        if (to > text_from) out.push_back({piece_kind::text, s.substr(text_from, to - text_from), {}, {}});
    };
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '<') {
            if (auto m = markup_at(s, i)) {
                flush_text(i);
                i += m->raw.size();
                out.push_back(*m);
                text_from = i;
                continue;
            }
        } else if (s[i] == '`' && code_spans) {
            const std::size_t n = backtick_run(s, i);
            if (const std::size_t close = code_span_close(s, i, n); close != std::string_view::npos) {
                flush_text(i);
                out.push_back({piece_kind::code, s.substr(i, close + n - i), s.substr(i + n, close - i - n), {}});
                i = close + n;
                text_from = i;
                continue;
            }
            i += n;  // a run without its closing run is text
            continue;
        }
        ++i;
    }
    flush_text(s.size());
    return out;
}

std::string reencode_decoded_text(std::string_view decoded) {
    std::string out;
    out.reserve(decoded.size() + decoded.size() / 8);
    for (const auto& p : parse_slack_text(decoded)) {
        const bool markup = (p.what == piece_kind::user || p.what == piece_kind::channel) ? is_plain_slack_id(p.body)
                                                                                          : p.what == piece_kind::link;
        if (!markup) {
            out += escape_mrkdwn(p.raw);
            continue;
        }
        // `<`, the markup with its `&` escaped (it holds no `<` or `>`), `>`.
        out += '<';
        for (const char c : p.raw.substr(1, p.raw.size() - 2)) out += c == '&' ? std::string("&amp;") : std::string(1, c);
        out += '>';
    }
    return out;
}

std::string user_label(std::string_view user_id, const user_names& names) {
    if (user_id.empty()) return {};
    if (const auto it = names.find(user_id); it != names.end() && !it->second.empty()) return "@" + it->second;
    return std::string(user_id);
}

std::string slack_to_readable(std::string_view slack, const user_names& names) {
    std::string out;
    out.reserve(slack.size());
    for (const auto& p : parse_slack_text(slack, true)) {
        if (p.what == piece_kind::text || p.what == piece_kind::code) out += decode_slack_entities(p.raw);
        else out += readable_markup(p, names);
    }
    return out;
}

std::string quote_slack(std::string_view slack, std::size_t max_bytes, std::size_t max_chars, bool one_line) {
    if (max_chars == 0) return {};
    clipped_text out(max_bytes, max_chars);
    const auto pieces = parse_slack_text(slack, false);
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        const auto& p = pieces[k];
        const bool more = k + 1 < pieces.size();
        bool kept = false;  // the markup goes out as it is
        switch (p.what) {
        case piece_kind::text:
        case piece_kind::code: break;
        case piece_kind::user:
        case piece_kind::channel: kept = is_plain_slack_id(p.body) && clean(p.raw); break;
        case piece_kind::link:
            kept = clean(p.raw) && (is_web_url(p.body) || starts_with_nocase(p.body, "mailto:"));
            break;
        case piece_kind::broadcast:
            kept = p.body.starts_with("date^") && clean(p.raw);  // a date notifies nobody
            break;
        }
        if (p.what == piece_kind::text) {
            if (!quote_text(out, p.raw, more, one_line)) break;
        } else if (kept) {
            if (!out.put(p.raw, more)) break;
        } else {
            // Defused: a broadcast reads as its name ("@here", a user group's label, which is
            // Slack text), other markup as it was written; both quoted as text.
            std::string_view shown = p.raw;
            if (!broadcast_name(p.body).empty()) shown = broadcast_name(p.body);
            else if (p.body.starts_with("subteam^")) shown = p.label.empty() ? "@group" : p.label;
            if (!quote_text(out, shown, more, one_line)) break;
        }
    }
    return std::move(out).str();
}

std::string markdown_text(std::string_view raw, markdown_context where) {
    return clip(raw, unlimited, unlimited,
                {where == markdown_context::table_cell ? text_escape::markdown_cell : text_escape::markdown, false});
}

std::string markdown_code_span(std::string_view code, markdown_context where) {
    // The code with controls dropped and line breaks as spaces, `|` escaped in a table cell.
    std::string body;
    body.reserve(code.size());
    for (const char c : clip(code, unlimited, unlimited, {text_escape::printable, true})) {
        if (c == '|' && where == markdown_context::table_cell) body += '\\';
        body += c;
    }
    if (body.empty()) return {};
    std::size_t longest = 0;
    for (std::size_t i = 0; i < body.size();) {
        const std::size_t run = backtick_run(body, i);
        longest = std::max(longest, run);
        i += run ? run : 1;
    }
    const std::string fence(longest + 1, '`');
    const bool pad = body.front() == '`' || body.back() == '`' || body.front() == ' ' || body.back() == ' ';
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string markdown_from_slack(std::string_view slack, const user_names& names, markdown_context where) {
    std::string out;
    out.reserve(slack.size() + slack.size() / 8);
    for (const auto& p : parse_slack_text(slack, true)) {
        switch (p.what) {
        case piece_kind::text: out += markdown_text(decode_slack_entities(p.raw), where); break;
        case piece_kind::code: out += markdown_code_span(decode_slack_entities(p.body), where); break;
        case piece_kind::link:
            if (is_web_url(p.body) && clean(p.raw)) {
                const std::string url = decode_slack_entities(p.body);
                const std::string label = p.label.empty() ? url : decode_slack_entities(p.label);
                out += "[" + markdown_text(label, where) + "](" + markdown_url(url) + ")";
                break;
            }
            [[fallthrough]];
        default: out += markdown_text(readable_markup(p, names), where); break;
        }
    }
    return out;
}

std::string html_text(std::string_view raw) {
    return clip(raw, unlimited, unlimited, clip_style{.escape = text_escape::xml, .one_line = false});
}

std::string html_from_slack(std::string_view slack, const user_names& names) {
    std::string out;
    out.reserve(slack.size() + slack.size() / 8);
    for (const auto& p : parse_slack_text(slack, true)) {
        switch (p.what) {
        case piece_kind::text: out += html_text(decode_slack_entities(p.raw)); break;
        case piece_kind::code: out += "<code>" + html_text(decode_slack_entities(p.body)) + "</code>"; break;
        case piece_kind::link:
            if (is_web_url(p.body) && clean(p.raw)) {
                const std::string url = decode_slack_entities(p.body);
                const std::string label = p.label.empty() ? url : decode_slack_entities(p.label);
                out += "<a href=\"" + html_text(url) + "\" rel=\"noopener noreferrer nofollow\">" + html_text(label) +
                       "</a>";
                break;
            }
            [[fallthrough]];
        default: out += html_text(readable_markup(p, names)); break;
        }
    }
    return out;
}

std::string csv_field(std::string_view v) {
    const std::string text = printable(v);
    std::string s;
    if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' ||
                          text[0] == '\r'))
        s = "'";
    s += text;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (const char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    q += '"';
    return q;
}

}  // namespace ib
