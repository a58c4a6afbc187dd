#include "core/text.hpp"

#include <algorithm>

namespace ib {

// ---- UTF-8 ------------------------------------------------------------------------------------

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = decode_utf8(s, i);
        if (!c.valid) return false;
        i += c.length;
    }
    return true;
}

std::size_t count_code_points(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++n) i += decode_utf8(s, i).length;
    return n;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t end = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t next = i + decode_utf8(s, i).length;
        if (next > max_bytes) break;
        end = i = next;
    }
    return s.substr(0, end);
}

// ---- ASCII ------------------------------------------------------------------------------------

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

std::string_view trim_ascii_space(std::string_view s) {
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

// ---- Slack's entities and markup ----------------------------------------------------------------

std::string decode_slack_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const auto e = slack_entity_at(text, i)) {
            out += e->decoded;
            i += e->length;
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string escape_mrkdwn(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

bool is_plain_slack_id(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    });
}

std::string mention(std::string_view user_id, std::string_view if_empty) {
    if (user_id.empty()) return std::string(if_empty);
    return is_plain_slack_id(user_id) ? "<@" + std::string(user_id) + ">" : mrkdwn_line(user_id, 64);
}

std::string channel_link(std::string_view channel_id, std::string_view name) {
    if (!is_plain_slack_id(channel_id))
        return mrkdwn_line(channel_id, 64) + (name.empty() ? "" : " ") + escape_mrkdwn(name);
    std::string out = "<#" + std::string(channel_id);
    if (!name.empty()) out += "|" + escape_mrkdwn(name);
    return out + ">";
}

std::optional<std::string> parse_user_mention(std::string_view token) {
    if (token.size() < 5 || token.substr(0, 2) != "<@" || token.back() != '>') return std::nullopt;
    std::string_view inner = token.substr(2, token.size() - 3);
    if (const auto bar = inner.find('|'); bar != std::string_view::npos) {
        if (inner.find_first_of("<>", bar) != std::string_view::npos) return std::nullopt;
        inner = inner.substr(0, bar);
    }
    if (inner.size() < 2 || (inner[0] != 'U' && inner[0] != 'W')) return std::nullopt;
    for (const char c : inner)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return std::nullopt;
    return std::string(inner);
}

// ---- Safe, short text for an output -----------------------------------------------------------------

namespace {

// Characters text_escape::printable drops: C0 controls but tab and line breaks, DEL, C1
// controls, and the bidi embedding, override and isolate controls.
constexpr bool unprintable(char32_t v) {
    return (v < 0x20 && v != '\t' && v != '\n' && v != '\r') || (v >= 0x7F && v <= 0x9F) ||
           (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069);
}

// Markdown: the HTML entity or backslash escape of `v`, or "" when it needs none.
std::string_view markdown_escape_of(char32_t v) {
    switch (v) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\\': return "\\\\";
    case '`': return "\\`";
    case '*': return "\\*";
    case '_': return "\\_";
    case '[': return "\\[";
    case ']': return "\\]";
    case '|': return "\\|";
    case '~': return "\\~";
    case '#': return "\\#";
    default: return {};
    }
}

// The text one unit of the input becomes in `style`; empty when it is dropped.
std::string_view piece_of(std::string_view s, std::size_t i, const utf8_char& c, clip_style style) {
    if (!c.valid) return replacement_character_utf8;
    const char32_t v = c.value;
    const bool line_break = v == '\n' || v == '\r';
    if (style.escape == text_escape::markdown || style.escape == text_escape::markdown_cell) {
        if (v == '\r' && i + 1 < s.size() && s[i + 1] == '\n') return {};  // CRLF is one break
        if (line_break) return style.escape == text_escape::markdown_cell ? "<br>" : " ";
        if (unprintable(v)) return {};
        if (const auto escaped = markdown_escape_of(v); !escaped.empty()) return escaped;
        if (v == '\t' && style.one_line) return " ";
        return s.substr(i, c.length);
    }
    if (v == '\t' || line_break) {
        if (style.one_line) return " ";
    }
    switch (style.escape) {
    case text_escape::none:
    case text_escape::markdown:
    case text_escape::markdown_cell: break;
    case text_escape::mrkdwn:
        if (v == '&') return "&amp;";
        if (v == '<') return "&lt;";
        if (v == '>') return "&gt;";
        break;
    case text_escape::xml:
        if (v == '\t' || line_break) break;
        if (v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0xFFFE || v == 0xFFFF) return {};
        if (v == '&') return "&amp;";
        if (v == '<') return "&lt;";
        if (v == '>') return "&gt;";
        if (v == '"') return "&quot;";
        if (v == '\'') return "&apos;";
        break;
    case text_escape::printable:
        if (unprintable(v)) return {};
        break;
    }
    return s.substr(i, c.length);
}

}  // namespace

bool clipped_text::put(std::string_view unit, bool more) {
    if (full_) return false;
    if ((more && chars_ + 1 >= max_chars_) || out_.size() + unit.size() + (more ? ellipsis.size() : 0) > max_bytes_) {
        if (out_.size() + ellipsis.size() <= max_bytes_ && max_chars_ > 0) out_ += ellipsis;
        full_ = true;
        return false;
    }
    out_ += unit;
    ++chars_;
    return true;
}

std::string clip(std::string_view raw, std::size_t max_bytes, std::size_t max_chars, clip_style style) {
    if (max_chars == 0) return {};
    clipped_text out(max_bytes, max_chars);
    for (std::size_t i = 0; i < raw.size();) {
        const auto c = decode_utf8(raw, i);
        const std::string_view piece = piece_of(raw, i, c, style);
        i += c.length;
        if (piece.empty()) continue;
        // Keep room for the ellipsis unless this is the last piece.
        if (!out.put(piece, i < raw.size())) break;
    }
    return std::move(out).str();
}

std::string mrkdwn_line(std::string_view raw, std::size_t max_bytes) {
    return clip(raw, max_bytes, unlimited, {text_escape::mrkdwn, true});
}

std::string plain_line(std::string_view raw, std::size_t max_bytes) {
    return clip(raw, max_bytes, unlimited, {text_escape::none, true});
}

std::string printable(std::string_view raw) { return clip(raw, unlimited, unlimited, {text_escape::printable, false}); }

}  // namespace ib
