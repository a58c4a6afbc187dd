#include "core/tagger/lexer.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cstddef>

namespace ib::tagger {
namespace {

struct raw_token {
    std::uint32_t b = 0, e = 0, fe = 0, tb = 0, te = 0;
    tk kind = tk::word;
    std::uint8_t gap = sep_none;
    bool quoted = false;
    bool question = false;
    bool after_pipe = false;
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

void lex(sv s, lexed& out) {
    std::string& lo = out.low;
    std::string& og = out.orig;
    // The normalised text never outgrows the input (entities and UTF-8 punctuation shrink).
    lo.reserve(s.size() + 1);
    og.reserve(s.size() + 1);
    std::vector<raw_token> raws;
    raws.reserve(s.size() / 4 + 4);

    std::uint8_t pending = sep_line;
    bool pending_quote = false;
    bool pending_pipe = false;
    bool in_word = false;
    std::size_t word_b = 0;

    auto raise = [&](std::uint8_t g) { pending = std::max(pending, g); };
    auto put = [&](char c) {
        if (!in_word) {
            in_word = true;
            word_b = lo.size();
        }
        lo.push_back(ascii_lower(c));
        og.push_back(c);
    };
    auto push = [&](raw_token r) {
        r.gap = pending;
        if (pending_quote) r.quoted = true;
        r.after_pipe = pending_pipe;
        pending = sep_none;
        pending_quote = false;
        pending_pipe = false;
        raws.push_back(r);
    };
    auto flush = [&]() {
        if (!in_word) return;
        in_word = false;
        std::size_t b = word_b, e = lo.size();
        const std::size_t fe = e;
        bool quoted = false;
        while (b < e && (lo[b] == '\'' || lo[b] == '*')) {
            quoted = quoted || lo[b] == '\'';
            ++b;
        }
        std::uint8_t after = sep_none;
        while (e > b) {
            const char c = lo[e - 1];
            if (c == '.')
                after = std::max<std::uint8_t>(after, sep_sentence);
            else if (c == ':')
                after = std::max<std::uint8_t>(after, sep_colon);
            else if (c == '\'')
                quoted = true;  // closing quote, or plural possessive ("customers'")
            else
                break;
            --e;
        }
        // "> text" (Slack escapes it as "&gt;") is a block-quote marker, not a word.
        const bool quote_marker = e - b == 1 && lo[b] == '>' && pending == sep_line;
        if (e > b && !quote_marker) {
            raw_token r;
            r.b = static_cast<std::uint32_t>(b);
            r.e = static_cast<std::uint32_t>(e);
            r.fe = static_cast<std::uint32_t>(fe);
            r.quoted = quoted;
            push(r);
        }
        raise(after);
    };
    auto push_empty = [&](tk kind) {
        raw_token r;
        r.b = r.e = r.fe = static_cast<std::uint32_t>(lo.size());
        r.kind = kind;
        push(r);
    };

    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const char c = s[i];
        const auto uc = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r') {
            flush();
            raise(sep_line);
            ++i;
            continue;
        }
        if (uc < 0x20 || uc == 0x7f || c == ' ') {  // NUL and other controls are spacing
            flush();
            ++i;
            continue;
        }
        if (c == '`') {
            flush();
            if (s.compare(i, 3, "```") == 0) {
                const std::size_t close = s.find("```", i + 3);
                const std::size_t end = close == sv::npos ? n : close;
                bool content = false;
                for (std::size_t k = i + 3; k < end && !content; ++k)
                    content = !is_space(s[k]) && s[k] != '\n' && s[k] != '\r';
                if (content) {
                    push_empty(tk::code_block);
                    raise(sep_line);
                }
                i = close == sv::npos ? n : close + 3;
                continue;
            }
            std::size_t close = i + 1;
            while (close < n && s[close] != '`' && s[close] != '\n') ++close;
            if (close < n && s[close] == '`') {
                bool content = false;
                for (std::size_t k = i + 1; k < close && !content; ++k) content = !is_space(s[k]);
                if (content) {
                    push_empty(tk::code_span);
                    i = close + 1;
                    continue;
                }
            }
            ++i;  // stray backtick
            continue;
        }
        if (c == '<') {
            // Slack markup: <@U1>, <@U1|bob>, <#C1|chan>, <!here>, <https://x|label>. Opaque.
            flush();
            std::size_t close = i + 1, bar = sv::npos;
            bool ok = true;
            for (; close < n && close - i < 1024; ++close) {
                const char d = s[close];
                if (d == '>') break;
                if (d == '\n' || d == '<') {
                    ok = false;
                    break;
                }
                if (d == '|' && bar == sv::npos)
                    bar = close;
                else if (bar == sv::npos && is_space(d)) {
                    ok = false;
                    break;
                }
            }
            ok = ok && close < n && s[close] == '>' && close > i + 1;
            if (ok) {
                const sv target = s.substr(i + 1, (bar == sv::npos ? close : bar) - i - 1);
                const sv label = bar == sv::npos ? sv{} : s.substr(bar + 1, close - bar - 1);
                tk kind = tk::word;
                if (!target.empty() && target[0] == '@')
                    kind = tk::user_ref;
                else if (!target.empty() && target[0] == '#')
                    kind = tk::channel_ref;
                else if (!target.empty() && target[0] == '!')
                    kind = tk::other_ref;
                else if (target.find("://") != sv::npos || target.substr(0, 7) == "mailto:")
                    kind = tk::url_ref;
                if (kind != tk::word) {
                    raw_token r;
                    r.kind = kind;
                    r.tb = static_cast<std::uint32_t>(lo.size());
                    for (char d : target) {
                        lo.push_back(ascii_lower(d));
                        og.push_back(d);
                    }
                    r.te = static_cast<std::uint32_t>(lo.size());
                    r.b = r.te;
                    for (char d : label) {
                        lo.push_back(ascii_lower(d));
                        og.push_back(d);
                    }
                    r.e = r.fe = static_cast<std::uint32_t>(lo.size());
                    if (label.empty()) r.b = r.tb;  // no label: the target stands for itself
                    push(r);
                    i = close + 1;
                    continue;
                }
            }
            ++i;  // a literal '<' (comparison): a separator
            continue;
        }
        if (c == '&') {  // Slack escapes & < > in message text
            if (const auto e = slack_entity_at(s, i)) {
                put(e->decoded);
                i += e->length;
                continue;
            }
        }
        if (uc == 0xE2 && i + 2 < n && static_cast<unsigned char>(s[i + 1]) == 0x80) {
            const auto u3 = static_cast<unsigned char>(s[i + 2]);
            if (u3 == 0x98 || u3 == 0x99) {  // ‘ ’ are apostrophes
                put('\'');
                i += 3;
                continue;
            }
            if (u3 == 0x9C || u3 == 0x9D) {  // “ ”
                flush();
                pending_quote = true;
                i += 3;
                continue;
            }
            if (u3 == 0x93 || u3 == 0x94) {  // – — separate clauses
                flush();
                raise(sep_clause);
                i += 3;
                continue;
            }
            if (u3 == 0xA6) {  // …
                flush();
                raise(sep_sentence);
                i += 3;
                continue;
            }
        }
        if (uc == 0xC2 && i + 1 < n && static_cast<unsigned char>(s[i + 1]) == 0xA0) {  // nbsp
            flush();
            i += 2;
            continue;
        }
        switch (c) {
            case ',':
                flush();
                raise(sep_comma);
                ++i;
                continue;
            case ';':
            case '|':
                flush();
                raise(sep_clause);
                pending_pipe = c == '|';
                ++i;
                continue;
            case '!':
                flush();
                raise(sep_sentence);
                ++i;
                continue;
            case '?':
                flush();
                if (!raws.empty()) raws.back().question = true;
                raise(sep_sentence);
                ++i;
                continue;
            case '"':
                if (in_word) {
                    flush();
                    if (!raws.empty()) raws.back().quoted = true;
                } else {
                    pending_quote = true;
                }
                ++i;
                continue;
            case '(':
            case ')':
            case '[':
            case ']':
            case '{':
            case '}':
                flush();
                ++i;
                continue;
            default:
                break;
        }
        put(c);
        ++i;
    }
    flush();

    const sv lo_v = lo, og_v = og;
    out.toks.reserve(raws.size());
    for (const raw_token& r : raws) {
        token t;
        t.low = lo_v.substr(r.b, r.e - r.b);
        t.orig = og_v.substr(r.b, r.e - r.b);
        t.full = og_v.substr(r.b, r.fe - r.b);
        t.target = lo_v.substr(r.tb, r.te - r.tb);
        t.kind = r.kind;
        t.gap = r.gap;
        t.quoted = r.quoted;
        t.question = r.question;
        t.after_pipe = r.after_pipe;
        out.toks.push_back(t);
    }
}

}  // namespace ib::tagger
