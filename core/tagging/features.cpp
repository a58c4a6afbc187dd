// Normalisation, tokenisation and feature extraction for the tagger's model (see features.hpp).
#include "core/tagging/features.hpp"

#include "core/tagging/constructions.hpp"
#include "core/tagging/hash.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ib::tagging {
namespace {

using sv = std::string_view;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

// A code fence's language tag, as chat clients and Markdown name them (lowercase or as typed).
bool is_code_language(std::string_view tag) {
    static constexpr std::string_view k_languages[] = {
        "sql", "bash", "sh", "shell", "console", "zsh", "powershell", "pwsh", "ps1", "text", "txt", "plaintext",
        "json", "yaml", "yml", "log", "python", "py", "js", "javascript", "go", "ini", "toml", "diff", "hcl",
        "cmd", "bat", "ruby", "java", "xml", "nginx", "dockerfile", "promql", "lua"};
    for (const std::string_view l : k_languages) {
        if (l.size() != tag.size()) continue;
        bool same = true;
        for (std::size_t k = 0; k < l.size() && same; ++k) same = ascii_lower(tag[k]) == l[k];
        if (same) return true;
    }
    return false;
}
bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A flag of several words or with a value ("--reset-offsets", "--update=available"), as against
// a one-word flag ("--execute", "-f"): the first kind mostly names a setting, not what is done.
bool long_flag(std::string_view f) {
    const std::size_t name = f.find_first_not_of('-');
    return name == std::string_view::npos || f.find_first_of("-=_.", name) != std::string_view::npos;
}

constexpr std::size_t k_max_word = 40;      // longer words become "<long>"
constexpr std::size_t k_max_content = 160;  // code/link content kept for features
constexpr std::size_t k_max_markup = 1024;  // a '<' further than this from its '>' is literal

// Fixed seeds, one per template, so "a" as a unigram and "a" as a character n-gram differ.
constexpr std::uint64_t seed_of(feature_template t) { return mix(0x7461676765720000ull + t); }
constexpr std::uint64_t k_boundary_hash = 0x626f756e64617279ull;  // "boundary"

// Bytes that are simply part of a word (no markup, entity, quote, separator or UTF-8 lead byte).
constexpr auto k_plain_byte = [] {
    std::array<bool, 256> t{};
    for (int c = 0x21; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = true;
    for (char c : sv("`<&,;!|?\"()[]{}")) t[static_cast<unsigned char>(c)] = false;
    return t;
}();

class tokenizer {
public:
    explicit tokenizer(tokens& out) : out_(out) {}

    void run(sv s) {
        out_.text.clear();
        out_.list.clear();
        out_.text.reserve(s.size() + 64);
        out_.list.reserve(s.size() / 4 + 8);
        boundary();
        const std::size_t n = s.size();
        std::size_t i = 0;
        while (i < n) i = step(s, i);
        flush();
        boundary();
    }

private:
    tokens& out_;
    bool in_word_ = false;
    std::size_t word_b_ = 0;
    unsigned upper_ = 0, lower_ = 0;  // letters of the current word by case
    std::uint8_t clause_ = 0;
    bool line_start_ = true;  // nothing but blanks since the last newline

    std::size_t step(sv s, std::size_t i) {
        const std::size_t n = s.size();
        const char c = s[i];
        const auto uc = static_cast<unsigned char>(c);
        if (k_plain_byte[uc]) {  // the common case: a run of letters, digits or in-word punctuation
            std::size_t e = i + 1;
            while (e < n && k_plain_byte[static_cast<unsigned char>(s[e])]) ++e;
            put_run(s.substr(i, e - i));
            return e;
        }
        if (c == '\n' || c == '\r') {
            flush();
            boundary();
            line_start_ = true;
            return i + 1;
        }
        if (uc < 0x20 || uc == 0x7f || c == ' ') {  // NUL and other controls are spacing
            flush();
            return i + 1;
        }
        if (c == '`') return code(s, i);
        if (c == '<') {
            if (const std::size_t next = markup(s, i); next != i) return next;
        }
        if (c == '&') {  // Slack escapes & < > in message text
            if (const auto e = slack_entity_at(s, i)) {
                const std::size_t next = i + e->length;
                // "> quoted text" at a line start is a block-quote marker, not a word.
                const bool quote_marker =
                    e->decoded == '>' && line_start_ && !in_word_ && (next >= n || is_blank(s[next]));
                if (!quote_marker) put(e->decoded);
                return next;
            }
        }
        if (uc == 0xE2 && i + 2 < n && static_cast<unsigned char>(s[i + 1]) == 0x80) {
            const auto u3 = static_cast<unsigned char>(s[i + 2]);
            if (u3 == 0x98 || u3 == 0x99) {  // ‘ ’ are apostrophes
                put('\'');
                return i + 3;
            }
            if (u3 == 0x9C || u3 == 0x9D) {  // “ ”
                flush();
                return i + 3;
            }
            if (u3 == 0x93 || u3 == 0x94 || u3 == 0xA6) {  // – — … separate clauses
                flush();
                boundary();
                return i + 3;
            }
        }
        if (uc == 0xC2 && i + 1 < n && static_cast<unsigned char>(s[i + 1]) == 0xA0) {  // nbsp
            flush();
            return i + 2;
        }
        if (uc == 0xF0 && i + 3 < n && static_cast<unsigned char>(s[i + 1]) == 0x9F) {  // emoji
            flush();
            push_placeholder(token_kind::emoji, "<emoji>");
            return i + 4;
        }
        switch (c) {
            case ',':
                // A thousands separator is part of its number ("queued 2,314 verifications"), not a
                // clause break: the digits go on, the comma is dropped.
                if (in_word_ && i > 0 && is_digit(s[i - 1]) && i + 3 < n && is_digit(s[i + 1]) &&
                    is_digit(s[i + 2]) && is_digit(s[i + 3]) && (i + 4 >= n || !is_digit(s[i + 4])))
                    return i + 1;
                flush();
                punct(",");
                return i + 1;
            case ';':
            case '!':
                flush();
                boundary();
                return i + 1;
            case '|':
                flush();
                punct("|");
                return i + 1;
            case '?':
                flush();
                punct("?");
                boundary();
                return i + 1;
            default:
                break;
        }
        // A router's mode inside its prompt stays in the word: "sw-02(config-if)#shutdown" is one
        // prompt glued to its command, not "sw-02", "config-if" and a channel "#shutdown".
        if (c == '(' && in_word_) {
            std::size_t j = i + 1;
            while (j < n && j < i + 32 && s[j] != ')' && k_plain_byte[static_cast<unsigned char>(s[j])]) ++j;
            if (j + 1 < n && s[j] == ')' && (s[j + 1] == '#' || s[j + 1] == '>')) {
                put_run(s.substr(i, j + 2 - i));
                return j + 2;
            }
        }
        if (sv("\"()[]{}").find(c) != sv::npos) {  // quotes and brackets only separate words
            flush();
            return i + 1;
        }
        put(c);
        return i + 1;
    }

    // put() for a run of plain bytes at once.
    void put_run(sv run) {
        if (!in_word_) {
            in_word_ = true;
            word_b_ = out_.text.size();
            upper_ = lower_ = 0;
        }
        std::string& t = out_.text;
        const std::size_t at = t.size();
        t.resize(at + run.size());
        char* d = t.data() + at;
        for (char c : run) {
            const bool up = c >= 'A' && c <= 'Z';
            upper_ += up;
            lower_ += c >= 'a' && c <= 'z';
            *d++ = up ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }

    void put(char c) {
        if (!in_word_) {
            in_word_ = true;
            word_b_ = out_.text.size();
            upper_ = lower_ = 0;
        }
        upper_ += c >= 'A' && c <= 'Z';
        lower_ += c >= 'a' && c <= 'z';
        out_.text.push_back(ascii_lower(c));
    }

    // Appends t; its hash is computed here unless `hashed`.
    void push(token t, bool hashed = false) {
        if (!hashed) t.h = t.kind == token_kind::boundary ? k_boundary_hash : hash_bytes(out_.str(t));
        // A boundary starts the next clause; a comma ends its own, so the clause after it opens
        // on its first word ("lag is 0 now, | reopening in-play"): what a comma says about the
        // message (more than one thing in it) does not count against the clause that follows.
        const bool comma = t.kind == token_kind::punct && out_.str(t) == ",";
        if (t.kind == token_kind::boundary && !out_.list.empty() && clause_ + 1 < k_clauses) ++clause_;
        t.clause = clause_;
        if (comma && clause_ + 1 < k_clauses) ++clause_;
        out_.list.push_back(t);
        line_start_ = false;
    }

    void push_placeholder(token_kind kind, sv text, sv content = {}, std::uint32_t extra = 0) {
        token t;
        t.kind = kind;
        t.b = static_cast<std::uint32_t>(out_.text.size());
        out_.text.append(text);
        t.e = static_cast<std::uint32_t>(out_.text.size());
        t.cb = t.e;
        out_.text.append(content.substr(0, k_max_content));
        t.ce = static_cast<std::uint32_t>(out_.text.size());
        switch (kind) {
            case token_kind::code_span:
            case token_kind::code_block: t.classes = wc_code; break;
            case token_kind::user:
            case token_kind::special: t.classes = wc_mention; break;
            case token_kind::link: t.classes = wc_link; break;
            default: break;
        }
        t.classes |= extra;
        push(t);
    }

    void punct(sv p) {
        token t;
        t.kind = token_kind::punct;
        if (p == "?") t.classes = wc_qmark;
        t.b = static_cast<std::uint32_t>(out_.text.size());
        out_.text.append(p);
        t.e = static_cast<std::uint32_t>(out_.text.size());
        push(t);
    }

    void boundary() {
        if (!out_.list.empty() && out_.list.back().kind == token_kind::boundary) return;
        token t;
        t.kind = token_kind::boundary;
        t.b = t.e = static_cast<std::uint32_t>(out_.text.size());
        push(t);
    }

    // ``` block ``` or `span`: one placeholder token holding the (bounded) content.
    std::size_t code(sv s, std::size_t i) {
        flush();
        const std::size_t n = s.size();
        if (s.compare(i, 3, "```") == 0) {
            const std::size_t close = s.find("```", i + 3);
            const std::size_t end = close == sv::npos ? n : close;
            sv content = s.substr(i + 3, end - i - 3);
            // A language named on the opening fence ("```sql", "```powershell") is no part of the
            // code: a first line of one tag word, with code after it.
            if (const std::size_t nl = content.find('\n'); nl != sv::npos && nl > 0 && nl < 16) {
                sv tag = content.substr(0, nl);
                if (tag.back() == '\r') tag.remove_suffix(1);
                bool word = !tag.empty();
                for (const char ch : tag) word = word && (is_alnum(ch) || ch == '+' || ch == '-');
                if (word && is_code_language(tag) && content.find_first_not_of(" \t\r\n", nl) != sv::npos)
                    content.remove_prefix(nl + 1);
            }
            if (content.find_first_not_of(" \t\r\n") != sv::npos) {
                boundary();
                push_placeholder(token_kind::code_block, "<codeblock>", content);
                boundary();
            }
            return close == sv::npos ? n : close + 3;
        }
        std::size_t close = i + 1;
        while (close < n && s[close] != '`' && s[close] != '\n') ++close;
        if (close < n && s[close] == '`') {
            const sv content = s.substr(i + 1, close - i - 1);
            if (content.find_first_not_of(" \t") != sv::npos)
                push_placeholder(token_kind::code_span, "<code>", content);
            return close + 1;
        }
        return i + 1;  // a stray backtick
    }

    // Slack markup: <@U1>, <@U1|bob>, <#C1|chan>, <!here>, <https://x|label>. Returns i when the
    // '<' is a literal character.
    std::size_t markup(sv s, std::size_t i) {
        const std::size_t n = s.size();
        std::size_t close = i + 1, bar = sv::npos;
        for (; close < n && close - i < k_max_markup; ++close) {
            const char d = s[close];
            if (d == '>') break;
            if (d == '\n' || d == '<') return i;
            if (d == '|' && bar == sv::npos)
                bar = close;
            else if (bar == sv::npos && is_blank(d))
                return i;
        }
        if (close >= n || s[close] != '>' || close == i + 1) return i;
        const sv target = s.substr(i + 1, (bar == sv::npos ? close : bar) - i - 1);
        const sv label = bar == sv::npos ? sv{} : s.substr(bar + 1, close - bar - 1);
        if (target.empty()) return i;
        flush();
        if (target[0] == '@') {
            push_placeholder(token_kind::user, "<user>");
        } else if (target[0] == '#') {
            push_placeholder(token_kind::channel, "<channel>", label, comms_channel(label));
        } else if (target[0] == '!') {
            push_placeholder(token_kind::special, target.substr(0, 8) == "!subteam" ? "<group>" : "<here>");
        } else if (target.find("://") != sv::npos || target.substr(0, 7) == "mailto:") {
            // Opaque like the rest of the markup: a label names a page, it is not what the writer says.
            push_placeholder(token_kind::link, "<link>", target, status_site(target) | status_site(label));
        } else {
            return i;
        }
        return close + 1;
    }

    // A status site or handle ("status.acme.io", "githubstatus.com", "@AcmeStatus") is where
    // customers are told things.
    static std::uint32_t status_site(sv w) {
        for (std::size_t k = 0; k + 6 <= w.size(); ++k)
            if (ascii_iequals(w.substr(k, 6), "status"))
                return wc_comms_item | wc_status_word;
        return 0;
    }

    // A channel where customers or stakeholders are told things: #support, #eng-announce, #status,
    // #exec-updates, #customer-comms.
    static std::uint32_t comms_channel(sv name) {
        for (sv part : {sv("support"), sv("announce"), sv("status"), sv("comms"), sv("customer"), sv("exec"),
                        sv("leadership"), sv("stakeholder"), sv("helpdesk"), sv("cs-"), sv("press")})
            for (std::size_t k = 0; k + part.size() <= name.size(); ++k)
                if (ascii_iequals(name.substr(k, part.size()), part)) return wc_comms_item;
        return 0;
    }

    // Ends the current word: strips edge punctuation and Slack emphasis, then normalises its shape.
    void flush() {
        if (!in_word_) return;
        in_word_ = false;
        std::string& t = out_.text;
        std::size_t b = word_b_, e = t.size();
        while (b < e && (t[b] == '*' || t[b] == '_' || t[b] == '~' || t[b] == '\'' || t[b] == '>'))
            ++b;
        // ":fire:" is an emoji shortcode, not a word between two colons.
        if (e - b > 2 && t[b] == ':' && t[e - 1] == ':' && sv(t).substr(b + 1, e - b - 2).find(':') == sv::npos) {
            t.resize(word_b_);
            push_placeholder(token_kind::emoji, "<emoji>");
            return;
        }
        bool period = false, colon = false;
        while (e > b) {
            const char c = t[e - 1];
            if (c == '.')
                period = true;
            else if (c == ':')
                colon = true;
            else if (c != '*' && c != '_' && c != '~' && c != '\'')
                break;
            --e;
        }
        if (e > b) {
            const sv w(t.data() + b, e - b);
            const word_shape ws = scan(w);
            if (plain(w, ws)) {
                // Most words: the token is the bytes already written.
                word_token(b, e, w, ws);
            } else {
                // The rest is rewritten from a copy (bounded: longer words become "<long>").
                std::array<char, k_max_word + 1> copy{};
                const std::size_t len = std::min(e - b, copy.size());
                std::copy_n(t.begin() + static_cast<std::ptrdiff_t>(b), len, copy.begin());
                t.resize(word_b_);
                emit_word(sv(copy.data(), len));
            }
        } else {
            t.resize(word_b_);
        }
        if (colon) punct(":");
        if (period) boundary();
    }

    // What one pass over a word tells about its shape.
    struct word_shape {
        bool digit = false, alpha = false, slash = false, eq_star = false, sep = false, url = false;
        unsigned dots = 0;
    };
    static word_shape scan(sv w) {
        word_shape ws;
        for (std::size_t k = 0; k < w.size(); ++k) {
            const char c = w[k];
            if (is_digit(c)) {
                ws.digit = true;
            } else if (is_alpha(c)) {
                ws.alpha = true;
            } else {
                switch (c) {
                    case '.': ++ws.dots; ws.sep = true; break;
                    case '-': case '_': ws.sep = true; break;
                    case '/': ws.slash = ws.sep = true; break;
                    case ':': ws.sep = true; ws.url = ws.url || w.substr(k, 3) == "://"; break;
                    case '=': case '*': ws.eq_star = true; break;
                    default: break;
                }
            }
        }
        return ws;
    }

    // A word that stays as written: not markup, a link, a shape (flag, path, number) or too long.
    static bool plain(sv w, const word_shape& ws) {
        if (ws.digit || ws.url || w.size() > k_max_word) return false;
        const char c = w[0];
        if (c == ':' || c == '@' || c == '#' || c == '/' || c == '-' || c == '~' || c == '.') return false;
        return w.substr(0, 4) != "www.";
    }

    // The token for the word w, written at [b, e) of the text: its classes, roles and shape.
    void word_token(std::size_t b, std::size_t e, sv w, const word_shape& ws) {
        token tok;
        tok.kind = token_kind::word;
        tok.b = static_cast<std::uint32_t>(b);
        tok.e = static_cast<std::uint32_t>(e);
        const sv written = out_.str(tok);
        tok.h = hash_bytes(written);
        const bool lexical = written.data() == w.data() || (!ws.digit && written[0] != '<' && written != "/");
        if (lexical) {
            const lexeme lx = look_up(written, tok.h);
            tok.classes = lx.classes;
            tok.form = lx.form;
            tok.roles = lx.roles;
            if (tok.classes & wc_sql_caps) {
                tok.classes &= ~wc_sql_caps;
                if (upper_ >= 2 && lower_ == 0) tok.classes |= wc_sql;
            }
            // "Disable-ADAccount", "Get-MailboxDatabaseCopyStatus": a cmdlet nobody listed.
            if (!(tok.classes & wc_tool) && upper_ >= 2 && lower_ >= 2 && cmdlet_shape(written)) tok.classes |= wc_tool;
        }
        // A command argument's shape: a flag, a path, key=value, a wildcard, @ns, $VAR, or
        // "db-3", "10.0.3.7", "deploy/payments", "v2.41.3" (but not "3pm", "2x", "14:05").
        const bool flag = w.size() > 1 && w[0] == '-' && (is_alnum(w[1]) || w[1] == '-');
        const bool arg = w.size() >= 2 &&
                         (flag || w[0] == '/' || w[0] == '~' || w[0] == '@' || w[0] == '$' || ws.eq_star ||
                          (ws.sep && ((ws.digit && ws.alpha) || (ws.slash && ws.alpha) || ws.dots >= 2)));
        if (arg) tok.classes |= wc_arg;
        // A flag is written "<flag>": keep what it says a command does ("--execute", "--dry-run").
        if (flag) {
            const std::uint8_t v = command_verbs(w);
            if (v & cv_write) tok.roles |= wr_cmd_write;
            if (v & cv_read) tok.roles |= wr_cmd_read;
            if (v & cv_dry) tok.roles |= wr_cmd_dry;
            if (long_flag(w)) tok.roles |= wr_cmd_long;
        }
        if (ws.dots) tok.classes |= status_site(w);  // githubstatus.com
        push(tok, true);
    }

    void emit_word(sv w) {
        std::string& t = out_.text;
        const word_shape ws = scan(w);
        if (w.size() > 2 && w.front() == ':' && w.back() == ':' && w.find(' ') == sv::npos) {
            push_placeholder(token_kind::emoji, "<emoji>");
            return;
        }
        if (ws.url || w.substr(0, 4) == "www.") {
            push_placeholder(token_kind::link, "<link>", w, status_site(w));
            return;
        }
        if (w.size() > 1 && w[0] == '@' && is_alnum(w[1]) && ws.dots == 0) {
            push_placeholder(token_kind::user, "<user>", {}, status_site(w));
            return;
        }
        if (w.size() > 1 && w[0] == '#' && is_alpha(w[1])) {
            push_placeholder(token_kind::channel, "<channel>", w.substr(1), comms_channel(w.substr(1)));
            return;
        }
        const std::size_t b = t.size();
        const bool flag = w.size() > 1 && w[0] == '-' && (is_alnum(w[1]) || w[1] == '-');
        if (w.size() > k_max_word) {
            t.append("<long>");
        } else if (flag) {
            t.append("<flag>");
        } else if (w[0] == '/' || w.substr(0, 2) == "~/" || w.substr(0, 2) == "./") {
            t.append(w.size() > 1 ? "<path>" : "/");
        } else if (ws.digit) {
            shape(w);
        } else {
            t.append(w);
        }
        word_token(b, t.size(), w, ws);
    }

    // Digits collapse to one "0" per run ("db-3" -> "db-0", "14:05" -> "0:0"); HTTP error codes
    // keep their class ("502s" -> "<5xx>").
    void shape(sv w) {
        std::string& t = out_.text;
        const bool code3 = (w.size() == 3 || (w.size() == 4 && (w[3] == 's' || w[3] == 'x'))) &&
                           (w[0] == '4' || w[0] == '5') &&
                           ((is_digit(w[1]) && is_digit(w[2])) || (w[1] == 'x' && w[2] == 'x'));
        if (code3) {
            t.append(w[0] == '4' ? "<4xx>" : "<5xx>");
            return;
        }
        bool prev_digit = false;
        for (char c : w) {
            if (is_digit(c)) {
                if (!prev_digit) t.push_back('0');
                prev_digit = true;
            } else {
                t.push_back(c);
                prev_digit = false;
            }
        }
    }
};

// ---- code content: a few shape features of what a code span or block holds ----

enum code_feature : std::uint8_t {
    cf_first_word,  // the first word (after a prompt), hashed
    cf_first_class, // its word classes (tool, sql)
    cf_prompt, cf_flag, cf_pipe, cf_path, cf_spaces, cf_assign, cf_call, cf_label, cf_sentence_case,
    cf_write, cf_read, cf_dry,  // command_verbs()
    cf_count
};

}  // namespace

std::uint8_t command_verbs(sv c, std::size_t parts) {
    std::uint8_t out = 0;
    std::array<char, 24> buf{};
    std::size_t n = 0, seen = 0;
    bool too_long = false;
    auto word_done = [&] {
        if (n > 0 && seen < parts && !too_long) {
            const sv w(buf.data(), n);
            std::uint64_t roles = look_up(w).roles;
            // A verb done again is that verb: "resubmit", "republish", "reapply" write.
            if (!(roles & (wr_cmd_write | wr_cmd_read)) && n > 5 && w.substr(0, 2) == "re")
                roles = look_up(w.substr(2)).roles & wr_cmd_write;
            if (roles & wr_cmd_write) out |= cv_write;
            if ((roles & wr_cmd_read) && w != "dry") out |= cv_read;
            if (w == "dry") out |= cv_dry;
        }
        if (n > 0) ++seen;
        n = 0;
        too_long = false;
    };
    char quote = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const char ch = c[i];
        if (quote) {
            if (ch == quote) quote = 0;
            continue;
        }
        if (ch == '\'' || ch == '"') {
            word_done();
            quote = ch;
            continue;
        }
        if (!is_alnum(ch)) {
            word_done();
            continue;
        }
        // camelCase: "killOp" is "kill" then "op".
        if (ch >= 'A' && ch <= 'Z' && i > 0 && c[i - 1] >= 'a' && c[i - 1] <= 'z') word_done();
        if (n < buf.size())
            buf[n++] = ascii_lower(ch);
        else
            too_long = true;
    }
    word_done();
    return out;
}

namespace {

// A prompt ("db2$", "core-r1#", "mysql>", "host#:"), or what runs the command rather than being
// it (sudo, env assignments): skipped before a command's program.
bool before_program(sv w) {
    if (w.empty()) return false;
    const char b = w.back();
    if (b == '$' || b == '#' || b == '>' || w.ends_with("$:") || w.ends_with("#:")) return true;
    return w == "sudo" || w == "time" || w == "nohup" || w == "env" || w == "exec" || w == "doas" ||
           (w.find('=') != sv::npos && w[0] != '-');
}

bool iequals(sv a, sv b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != b[i]) return false;
    return true;
}

// An HTTP client's request method says whether it reads or writes: `curl -X POST`, `curl -XDELETE`,
// a body (`curl -d …`, `--data`, `-F`, `--json`, `-T`), `wget --method=PUT`, `http PATCH …`,
// `Invoke-RestMethod -Method Delete`. cv_write or cv_read when [b, e) is such a client's command
// (written as raw code: a prose line's flags are placeholders), else 0.
std::uint8_t http_client_verbs(std::span<const command_word> w, std::size_t b, std::size_t e) {
    const sv head = w[b].text;
    const bool curl = iequals(head, "curl") || head.ends_with("/curl");
    const bool wget = iequals(head, "wget");
    const bool httpie = iequals(head, "http") || iequals(head, "https") || iequals(head, "xh");
    const bool pwsh = iequals(head, "invoke-restmethod") || iequals(head, "invoke-webrequest") || iequals(head, "irm") ||
                      iequals(head, "iwr");
    if (!curl && !wget && !httpie && !pwsh) return 0;
    auto method = [](sv m) -> std::uint8_t {
        for (const sv x : {sv("post"), sv("put"), sv("patch"), sv("delete")})
            if (iequals(m, x)) return cv_write;
        for (const sv x : {sv("get"), sv("head"), sv("options")})
            if (iequals(m, x)) return cv_read;
        return 0;
    };
    std::uint8_t body = 0;
    for (std::size_t k = b + 1; k < e; ++k) {
        const sv x = w[k].text;
        const sv next = k + 1 < e ? w[k + 1].text : sv{};
        if (curl && (x == "-X" || x == "--request") && method(next)) return method(next);
        if (curl && x.size() > 2 && x.substr(0, 2) == "-X" && method(x.substr(2))) return method(x.substr(2));
        if (curl && (x == "-d" || x.starts_with("--data") || x == "-F" || x == "--form" || x == "--json" || x == "-T" ||
                     x == "--upload-file"))
            body = cv_write;
        if (wget && x.starts_with("--method=") && method(x.substr(9))) return method(x.substr(9));
        if (wget && (x.starts_with("--post-data") || x.starts_with("--post-file") || x.starts_with("--body-data")))
            body = cv_write;
        if (pwsh && iequals(x, "-method") && method(next)) return method(next);
        if (httpie && k == b + 1 && method(x)) return method(x);
    }
    return body ? body : std::uint8_t{cv_read};
}

// An ansible ad-hoc command's module is its verb: `ansible web -m win_copy -a "src=… dest=…"`
// copies, `-m service -a 'name=x state=restarted'` restarts, `-m ping`, `-m setup`, `-m stat` and
// `-m *_info` / `*_facts` read, and `-m shell -a '…'` (or no -m: the command module) does what its
// command does (`-a 'uptime'` reads). cv_write or cv_read when [b, e) is `ansible …` (not
// ansible-playbook, whose verbs are its own), else 0; `--check` / `-C` is a dry run.
std::uint8_t ansible_verbs(std::span<const command_word> w, std::size_t b, std::size_t e) {
    if (!iequals(w[b].text, "ansible")) return 0;
    sv module = "command", args;
    std::uint8_t dry = 0;
    auto unquote = [](sv x) {
        return x.size() >= 2 && (x[0] == '\'' || x[0] == '"') && x.back() == x[0] ? x.substr(1, x.size() - 2) : x;
    };
    for (std::size_t k = b + 1; k < e; ++k) {
        const sv f = w[k].text;
        if (f == "--check" || f == "-C") dry = cv_dry;
        if (k + 1 >= e) continue;
        if (f == "-m" || f == "--module-name") module = unquote(w[k + 1].text);
        if (f == "-a" || f == "--args") args = unquote(w[k + 1].text);
    }
    // "ansible.builtin.copy", "ansible.windows.win_service": the module's own name.
    if (const std::size_t p = module.find_last_of('.'); p != sv::npos) module = module.substr(p + 1);
    if (module.starts_with("win_")) module = module.substr(4);
    if (module == "command" || module == "shell" || module == "raw" || module == "script") {
        const std::uint8_t v = command_text_verbs(args);
        return (v & (cv_write | cv_read) ? v : std::uint8_t{cv_read}) | dry;
    }
    if (module == "ping" || module == "setup" || module == "stat" || module == "debug" || module == "slurp" ||
        module == "fetch" || module == "gather_facts" || module.ends_with("_info") || module.ends_with("_facts"))
        return cv_read | dry;
    return cv_write | dry;
}

// The verbs of one command [b, e) of a pipeline or list.
std::uint8_t command_segment_verbs(std::span<const command_word> w, std::size_t b, std::size_t e) {
    // Skipped before the program: prompts and what runs the command (before_program), PowerShell's
    // two-word prompt ("PS C:\> Disable-ADAccount …": "PS" is no `ps`), and xargs with its flags
    // and their values ("xargs -n 500 redis-cli UNLINK" runs redis-cli).
    for (;;) {
        while (b < e && !w[b].flag && (w[b].text.empty() || before_program(w[b].text))) ++b;
        if (b + 1 < e && iequals(w[b].text, "ps") && w[b + 1].text.ends_with('>')) {
            b += 2;
            continue;
        }
        if (b + 1 < e && iequals(w[b].text, "xargs")) {
            ++b;
            while (b < e && (w[b].flag || w[b].text.empty() || !is_alpha(w[b].text[0]))) ++b;
            continue;
        }
        break;
    }
    if (b >= e || w[b].flag || w[b].text.empty()) return 0;
    sv head = w[b].text;
    // A prompt glued to its command: "core-sw01(config-if)#shutdown", "mysql>DROP". What is typed
    // in a router's configuration mode changes its configuration ("(config-if)#switchport …").
    std::uint8_t config_mode = 0;
    if (const std::size_t p = head.find_last_of("#>"); p != sv::npos && p > 0 && p + 1 < head.size()) {
        if (head.substr(0, p).find("(config") != sv::npos) config_mode = cv_write;
        head = head.substr(p + 1);
    }
    // "nginx.service:", "error:" open a log line; "Scheduled restart job" is a message.
    if (head.back() == ':') return 0;
    if (head.size() > 1 && head[0] >= 'A' && head[0] <= 'Z' && head[1] >= 'a' && head[1] <= 'z' &&
        head.find_first_of("-.(_") == sv::npos)
        return 0;
    // Flags: a dry run always counts; otherwise a one-word flag ("--execute", "--force") counts,
    // and a longer one ("--reset-offsets") only when nothing else names a verb, since most of
    // those name a setting ("--start-time", "--update=available").
    std::uint8_t flags = 0, long_flags = 0;
    for (std::size_t k = b + 1; k < e; ++k) {
        if (!w[k].flag) continue;
        flags |= w[k].verbs & cv_dry;
        (w[k].long_flag ? long_flags : flags) |= w[k].verbs;
    }
    if (const std::uint8_t http = http_client_verbs(w, b, e)) return http | (flags & cv_dry);
    if (const std::uint8_t a = ansible_verbs(w, b, e)) return a | (flags & cv_dry);
    std::uint8_t verbs = 0;
    if (iequals(head, "select") || iequals(head, "show") || iequals(head, "explain") || iequals(head, "with")) {
        // A query reads, unless it calls an admin function that changes something
        // ("SELECT pg_terminate_backend(…)", "select pg_drop_replication_slot(…)").
        verbs = cv_read;
        for (std::size_t k = b + 1; k < e; ++k) {
            const sv x = w[k].text;
            // The function's name decides, not its arguments ("min(start_at)" starts nothing).
            const sv fn = x.substr(0, x.find('('));
            if ((x.find('(') != sv::npos && !fn.empty()) || (x.size() > 3 && iequals(x.substr(0, 3), "pg_")))
                verbs |= command_verbs(fn, 2) & cv_write;
        }
        return verbs | flags;
    }
    verbs = command_verbs(head, 2);
    // No verb in the program's name: its subcommand is one of the next plain words. The value of
    // a scoping option is an operand ("kubectl -n search delete pod x" deletes).
    auto scoping_value = [&](std::size_t k) {
        if (k == b + 1 || !w[k - 1].flag) return false;
        const sv f = w[k - 1].text;
        return f == "-n" || f == "--namespace" || f == "--context" || f == "--profile" || f == "--region" ||
               f == "--cluster" || f == "--project" || f == "-i" || f == "--inventory" || f == "--env";
    };
    for (std::size_t k = b + 1, plain = 0; verbs == 0 && k < e && plain < 3; ++k) {
        if (w[k].flag || w[k].arg || w[k].text.empty() || !is_alpha(w[k].text[0]) || scoping_value(k)) continue;
        ++plain;
        // A compound subcommand names its verb first ("deregister-targets", "service-version"
        // names none: "version" there is a noun, and the verb comes next); a colon-separated one
        // every part ("ps:scale", "remoteconfig:versions:list").
        const sv t = w[k].text;
        verbs = command_verbs(t, t.find(':') != sv::npos ? 64 : t.find('-') != sv::npos ? 1 : 2);
    }
    return (verbs ? verbs | flags : flags | long_flags) | config_mode;
}

}  // namespace

std::uint8_t command_line_verbs(std::span<const command_word> words) {
    std::uint8_t out = 0;
    for (std::size_t b = 0; b < words.size();) {
        std::size_t e = b;
        while (e < words.size() && !words[e].separator) ++e;
        out |= command_segment_verbs(words, b, e);
        b = e + 1;
    }
    return out;
}

std::uint8_t command_text_verbs(sv c) {
    // The first 32 words are enough to judge a command; a pasted script is judged on its start.
    std::array<command_word, 32> words{};
    std::size_t n = 0, segment = 0;  // segment: where the current command of a list starts
    auto push = [&](command_word w) {
        if (n < words.size()) words[n++] = w;
    };
    for (std::size_t i = 0; i < c.size() && n < words.size();) {
        const char ch = c[i];
        if (is_blank(ch) || ch == '\r') {
            ++i;
            continue;
        }
        if (ch == '\n' || ch == ';' || ch == '|' || (ch == '&' && i + 1 < c.size() && c[i + 1] == '&')) {
            command_word sep;
            sep.separator = true;
            push(sep);
            segment = n;
            i += (ch == '|' || ch == '&') && i + 1 < c.size() && c[i + 1] == ch ? 2 : 1;
            continue;
        }
        // A word, quotes included ('…' and "…" are operands: their insides are not verbs).
        const std::size_t b = i;
        char quote = 0;
        for (; i < c.size(); ++i) {
            const char d = c[i];
            if (quote) {
                if (d == quote) quote = 0;
                continue;
            }
            if (d == '\'' || d == '"') {
                quote = d;
                continue;
            }
            if (is_blank(d) || d == '\r' || d == '\n' || d == ';' || d == '|' ||
                (d == '&' && i + 1 < c.size() && c[i + 1] == '&'))
                break;
        }
        const sv x = c.substr(b, i - b);
        // find's -exec/-execdir/-ok run a command of their own: "find … -exec rm -rf {} +" removes.
        if (x == "-exec" || x == "-execdir" || x == "-ok") {
            command_word sep;
            sep.separator = true;
            push(sep);
            segment = n;
            continue;
        }
        const bool flag = x.size() > 1 && x[0] == '-' && (is_alnum(x[1]) || x[1] == '-');
        // A colon-separated subcommand names its verb last ("heroku ps:scale", "firebase
        // remoteconfig:versions:list"); a path, URL, host:port or key=value stays an operand.
        const bool colon_subcommand = !flag && is_alpha(x[0]) && x.find(':') != sv::npos &&
                                      x.find_first_of("/=.@$") == sv::npos && is_alpha(x.back());
        const bool arg = !flag && !colon_subcommand && (x[0] == '\'' || x[0] == '"' || x.find_first_of("/=:.@$") != sv::npos);
        command_word word;
        word.text = x;
        word.flag = flag;
        if (flag) {
            word.verbs = command_verbs(x);
            word.long_flag = long_flag(x);
        }
        word.arg = arg;
        // A quoted command handed to a client ("psql -c 'SELECT …'", "clickhouse-client -q \"ALTER
        // …\"", "bash -c '…'"): what it does is what the line does, like a one-word flag's.
        // So is the command ssh runs on the remote host ("ssh web1 'uptime; free -m'").
        const sv before = n > 0 ? words[n - 1].text : sv{};
        const bool ssh = n > segment + 1 && (words[segment].text == "ssh" || words[segment].text.ends_with("/ssh"));
        if (x.size() > 2 && (x[0] == '\'' || x[0] == '"') && x.back() == x[0] &&
            (before == "-c" || before == "-q" || before == "-Q" || before == "-e" || before == "--query" ||
             before == "--command" || before == "--eval" || before == "-Command" || ssh)) {
            word.flag = true;
            word.verbs = command_text_verbs(x.substr(1, x.size() - 2));
        }
        push(word);
    }
    return command_line_verbs(std::span<const command_word>(words.data(), n));
}

code_shape inspect_code(sv c) {
    code_shape cs;
    std::size_t i = 0;
    auto skip_blank = [&] {
        while (i < c.size() && (is_blank(c[i]) || c[i] == '\n' || c[i] == '\r')) ++i;
    };
    auto word_end = [&](std::size_t from) {
        while (from < c.size() && !is_blank(c[from]) && c[from] != '\n' && c[from] != '\r') ++from;
        return from;
    };
    skip_blank();
    std::size_t we = word_end(i);
    const sv w0 = c.substr(i, we - i);
    const bool prompt_word = !w0.empty() && (w0.back() == '$' || w0.back() == '#' || w0.back() == '>' || w0 == "%" ||
                                             (w0.size() > 1 && (w0.substr(w0.size() - 2) == "$:" ||
                                                                w0.substr(w0.size() - 2) == "#:")));
    if (prompt_word && we < c.size()) {
        cs.prompt = true;
        i = we;
        skip_blank();
        we = word_end(i);
    }
    sv first = c.substr(i, we - i);
    cs.label = !first.empty() && first.back() == ':';
    cs.sentence_case = first.size() > 1 && first[0] >= 'A' && first[0] <= 'Z' && first[1] >= 'a' && first[1] <= 'z';
    while (!first.empty() && (first.back() == ';' || first.back() == ',' || first.back() == ':')) first.remove_suffix(1);
    cs.first_len = static_cast<std::uint8_t>(std::min(first.size(), cs.first_buf.size()));
    for (std::size_t k = 0; k < cs.first_len; ++k) cs.first_buf[k] = ascii_lower(first[k]);
    cs.first_classes = look_up(cs.first()).classes;
    // A cmdlet as written ("Get-ADUser"), listed or not: a command, not a sentence.
    if (!first.empty() && first[0] >= 'A' && first[0] <= 'Z' && cmdlet_shape(cs.first())) {
        cs.first_classes |= wc_tool;
        cs.sentence_case = false;
    }
    bool blank_seen = false;
    for (std::size_t k = i; k < c.size(); ++k) {
        const char d = c[k];
        if (is_blank(d) || d == '\n') {
            blank_seen = true;
            if (k + 2 < c.size() && c[k + 1] == '-' && (is_alnum(c[k + 2]) || c[k + 2] == '-')) cs.flag = true;
            if (k + 1 < c.size() && c[k + 1] == '|') cs.pipe = true;
            if (k + 2 < c.size() && (c[k + 1] == '/' || (c[k + 1] == '.' && c[k + 2] == '/'))) cs.path = true;
        }
        if (d == '(' && k > i && is_alnum(c[k - 1])) cs.call = true;
    }
    cs.spaces = blank_seen;
    cs.verbs = command_text_verbs(c);
    cs.assign = !blank_seen && c.find('=', i) != sv::npos;
    // "Vault is sealed", "No space left on device": a message, not a command line. So is a first
    // word in capitals that names no tool, SQL or prompt ("ACCESS_REFUSED - Login was refused",
    // "EXT4-fs error (device …)", "HTTP/2 403", "GPU 0: NVIDIA A100"): a log line or an error as
    // printed. "PS C:\>" opens PowerShell's prompt.
    bool capital = false;
    for (const char ch : first) capital = capital || (ch >= 'A' && ch <= 'Z');
    capital = capital && !cs.tool() && !cs.prompt && first.find_first_of("#>$") == sv::npos && first != "PS";
    cs.sentence_case = (cs.sentence_case || capital) && blank_seen && !cs.flag && !cs.pipe && !cs.path;
    return cs;
}

namespace {

// ---- extraction ----

constexpr auto k_class_hashes = [] {
    std::array<std::uint64_t, 32 * 4> h{};
    for (unsigned i = 0; i < h.size(); ++i) h[i] = mix(0x636c617373000000ull + (i / 4) * 8 + i % 4);
    return h;
}();

std::uint64_t class_hash(unsigned bit, form f) { return k_class_hashes[bit * 4 + static_cast<unsigned>(f)]; }

std::uint32_t id_of(std::uint64_t h) {
    h = mix(h);
    const auto id = static_cast<std::uint32_t>(h ^ (h >> 32));
    return id == 0 ? 1 : id;
}

class extractor {
public:
    extractor(const tokens& toks, std::uint32_t templates, std::vector<feature>& out)
        : t_(toks), on_(templates), out_(out) {}

    void run() {
        out_.clear();
        out_.reserve(t_.list.size() * 12 + 16);
        const auto& L = t_.list;
        for (std::size_t i = 0; i < L.size(); ++i) {
            const token& cur = L[i];
            const bool bnd = cur.kind == token_kind::boundary;
            if (!bnd && wants(ft_unigram)) add(ft_unigram, i, combine(seed_of(ft_unigram), cur.h));
            if (i > 0 && wants(ft_bigram) && !(bnd && L[i - 1].kind == token_kind::boundary))
                add(ft_bigram, i, combine(combine(seed_of(ft_bigram), L[i - 1].h), cur.h));
            if (i > 1 && wants(ft_trigram) && !(bnd && L[i - 2].kind == token_kind::boundary))
                add(ft_trigram, i,
                    combine(combine(combine(seed_of(ft_trigram), L[i - 2].h), L[i - 1].h), cur.h));
            if (cur.kind == token_kind::word && wants(ft_stem)) stem(i);
            if ((cur.classes != 0 || (i > 0 && L[i - 1].classes != 0)) &&
                (on_ & (mask_of(ft_class) | mask_of(ft_class_left) | mask_of(ft_class_right) | mask_of(ft_class_pair))))
                classes(i);
            if ((cur.kind == token_kind::code_span || cur.kind == token_kind::code_block) && wants(ft_code))
                code(i);
        }
        if (wants(ft_sentence)) sentences();
        if (wants(ft_line)) lines();
        if (wants(ft_construction)) {
            find_constructions(
                t_,
                [](void* self, construction c, std::size_t tok) {
                    auto& x = *static_cast<extractor*>(self);
                    x.add(ft_construction, tok, combine(seed_of(ft_construction), c), c);
                },
                this);
        }
        if (wants(ft_shape)) shape();
    }

private:
    const tokens& t_;
    std::uint32_t on_;
    std::vector<feature>& out_;

    bool wants(feature_template f) const { return (on_ & mask_of(f)) != 0; }

    void add(feature_template f, std::size_t tok, std::uint64_t h, std::uint8_t a = 0, std::uint8_t b = 0) {
        feature x;
        x.id = id_of(h);
        x.tok = static_cast<std::uint16_t>(std::min<std::size_t>(tok, 0xffff));
        x.tmpl = f;
        x.a = a;
        x.b = b;
        out_.push_back(x);
    }

    // The word without a regular inflection, when that leaves at least three letters.
    void stem(std::size_t i) {
        const sv w = t_.str(t_.list[i]);
        if (w.size() < 5 || !is_alpha(w[0])) return;
        sv st;
        for (sv suffix : {sv("ing"), sv("ed"), sv("es"), sv("s"), sv("ly")}) {
            if (w.size() >= suffix.size() + 3 && w.substr(w.size() - suffix.size()) == suffix) {
                st = w.substr(0, w.size() - suffix.size());
                break;
            }
        }
        if (!st.empty()) add(ft_stem, i, combine(seed_of(ft_stem), hash_bytes(st)));
    }

    void classes(std::size_t i) {
        const auto& L = t_.list;
        const token& cur = L[i];
        const token* prev = i > 0 ? &L[i - 1] : nullptr;
        const auto form_byte = static_cast<std::uint8_t>(cur.form);
        for (std::uint32_t bits = cur.classes; bits != 0; bits &= bits - 1) {
            const auto c = static_cast<unsigned>(std::countr_zero(bits));
            const std::uint64_t ch = class_hash(c, cur.form);
            if (wants(ft_class)) add(ft_class, i, combine(seed_of(ft_class), ch), static_cast<std::uint8_t>(c), form_byte);
            if (prev && wants(ft_class_left))
                add(ft_class_left, i, combine(combine(seed_of(ft_class_left), prev->h), ch),
                    static_cast<std::uint8_t>(c), form_byte);
        }
        if (!prev) return;
        for (std::uint32_t pbits = prev->classes; pbits != 0; pbits &= pbits - 1) {
            const auto p = static_cast<unsigned>(std::countr_zero(pbits));
            const std::uint64_t ph = class_hash(p, prev->form);
            if (wants(ft_class_right))
                add(ft_class_right, i, combine(combine(seed_of(ft_class_right), ph), cur.h),
                    static_cast<std::uint8_t>(p), static_cast<std::uint8_t>(prev->form));
            if (!wants(ft_class_pair)) continue;
            for (std::uint32_t bits = cur.classes; bits != 0; bits &= bits - 1) {
                const auto c = static_cast<unsigned>(std::countr_zero(bits));
                add(ft_class_pair, i, combine(combine(seed_of(ft_class_pair), ph), class_hash(c, cur.form)),
                    static_cast<std::uint8_t>(p), static_cast<std::uint8_t>(c));
            }
        }
    }

    // Ordered pairs of word classes within one sentence, each pair once per sentence.
    void sentences() {
        const auto& L = t_.list;
        std::uint32_t seen = 0;
        std::array<std::uint32_t, k_word_classes> done{};  // done[p] bit c: pair (p, c) emitted
        for (std::size_t i = 0; i < L.size(); ++i) {
            const token& cur = L[i];
            if (cur.kind == token_kind::boundary) {
                seen = 0;
                done.fill(0);
                continue;
            }
            if (cur.classes == 0) continue;
            for (std::uint32_t pbits = seen; pbits != 0; pbits &= pbits - 1) {
                const auto p = static_cast<unsigned>(std::countr_zero(pbits));
                const std::uint32_t fresh = cur.classes & ~done[p];
                for (std::uint32_t bits = fresh; bits != 0; bits &= bits - 1) {
                    const auto c = static_cast<unsigned>(std::countr_zero(bits));
                    add(ft_sentence, i, combine(seed_of(ft_sentence), p * 64 + c), static_cast<std::uint8_t>(p),
                        static_cast<std::uint8_t>(c));
                }
                done[p] |= fresh;
            }
            seen |= cur.classes;
        }
    }

    // Each sentence judged as a possible command line: does it start like one (a prompt, a
    // tool, SQL), and how much of it looks like arguments.
    void lines() {
        for_each_sentence(t_, [this](std::size_t b, std::size_t e) { line(b, e); });
    }

    // SQL however it is cased: a statement's head, then one of its clause words
    // ("delete from sessions where …", "update flags set enabled = false").
    bool sql_statement(std::size_t first, std::size_t e) const {
        const auto& L = t_.list;
        const sv head = t_.str(L[first]);
        const bool reads = head == "select", writes = head == "delete" || head == "update" || head == "insert" ||
                                                      head == "alter" || head == "truncate" || head == "drop";
        if (L[first].kind != token_kind::word || !(reads || writes)) return false;
        for (std::size_t k = first + 1; k < e && k <= first + 12; ++k) {
            const sv x = t_.str(L[k]);
            if (L[k].kind != token_kind::word) continue;
            if (x == "from" || x == "where" || x == "into" || x == "set" || x == "table" || x == "values") return true;
        }
        return false;
    }

    void line(std::size_t b, std::size_t e) {
        const auto& L = t_.list;
        const std::uint64_t base = seed_of(ft_line);
        std::size_t first = b;
        const sv w0 = t_.str(L[b]);
        // PowerShell's prompt is two words ("PS C:\> Set-…"): "ps" there is no `ps`.
        const bool ps_prompt = L[b].kind == token_kind::word && e - b > 2 && w0 == "ps" &&
                               L[b + 1].kind == token_kind::word && t_.str(L[b + 1]).ends_with('>');
        const bool prompt = ps_prompt ||
                            (L[b].kind == token_kind::word && e - b > 1 &&
                             (w0 == "$" || w0 == "%" || w0 == "#" || w0.back() == '$' || w0.back() == '#' ||
                              (w0.size() > 1 && w0.back() == '>') || w0.substr(w0.size() > 1 ? w0.size() - 2 : 0) == "#:" ||
                              w0.substr(w0.size() > 1 ? w0.size() - 2 : 0) == "$:"));
        // A prompt glued to its command ("core1#show interfaces …", "SW-FLOOR-02#show …"): the
        // word is both, and command_line_verbs() reads the command after the '#' or '>'.
        const std::size_t glue = w0.find_last_of("#>");
        const bool glued = !prompt && L[b].kind == token_kind::word && glue != sv::npos && glue > 0 &&
                           glue + 1 < w0.size() && is_alnum(w0[0]) && is_alpha(w0[glue + 1]);
        if (prompt || glued) add(ft_line, b, combine(base, 1), 1);
        if (prompt) first += ps_prompt ? 2 : 1;
        std::size_t args = 0, sql = 0, prose = 0, n = 0;
        constexpr std::uint32_t k_prose = wc_first_person | wc_hedge | wc_modal | wc_intent | wc_request |
                                          wc_question | wc_negation | wc_cause;
        for (std::size_t k = first; k < e; ++k) {
            ++n;
            args += (L[k].classes & wc_arg) != 0;
            sql += (L[k].classes & wc_sql) != 0;
            prose += (L[k].classes & k_prose) != 0;
        }
        if (first < e) {
            std::uint32_t c0 = L[first].classes;
            // A tool or vendor named as the subject of prose ("AWS confirmed: a power event …",
            // "kubectl is slow from the VPN", "redis-cli says OOM") does not start a command line.
            if (!prompt && (c0 & (wc_tool | wc_tool_word)) && first + 1 < e) {
                const token& nx = L[first + 1];
                const sv y = t_.str(nx);
                const bool subject = (nx.kind == token_kind::punct && (y == ":" || y == ",")) ||
                                     (nx.kind == token_kind::word && (nx.form == form::past || (nx.roles & wr_predicate)));
                if (subject) {
                    add(ft_line, first, combine(base, 12), 12);
                    c0 &= ~(wc_tool | wc_tool_word);
                }
            }
            // What a command line does, by its verbs ("kubectl scale …", "delete from sessions …").
            // A program nobody listed, judged by its flags: "kafka-consumer-groups.sh --group x
            // --reset-offsets --execute", "./bin/refund_duplicates --date …".
            bool flagged = false;
            for (std::size_t k = first + 1; k < e && k <= first + 3; ++k) flagged = flagged || t_.str(L[k]) == "<flag>";
            const bool unknown_program = L[first].kind == token_kind::word &&
                                         (c0 & ~(wc_arg | wc_system)) == 0 && flagged && args >= 2 &&
                                         prose == 0;
            if (prompt || glued || unknown_program || (c0 & (wc_tool | wc_tool_word | wc_sql))) {
                const std::uint8_t verbs = line_verbs(first, e);
                if (verbs & cv_write) add(ft_line, e - 1, combine(base, 30), 9);
                else if (verbs & cv_read) add(ft_line, e - 1, combine(base, 31), 10);
            }
            if (c0 & wc_tool) add(ft_line, first, combine(base, args > 0 ? 3 : 2), args > 0 ? 3 : 2);
            if (c0 & wc_tool_word) add(ft_line, first, combine(base, args > 0 ? 3 : 8), args > 0 ? 3 : 8);
            if (c0 & wc_sql) add(ft_line, first, combine(base, sql > 1 ? 5 : 4), sql > 1 ? 5 : 4);
            if (sql_statement(first, e)) add(ft_line, first, combine(base, 40), 11);
        }
        if (n >= 2) {
            const unsigned arg_share = static_cast<unsigned>(args * 4 / n);
            const unsigned prose_share = static_cast<unsigned>(prose * 4 / n);
            add(ft_line, e - 1, combine(base, 10 + arg_share), 6, static_cast<std::uint8_t>(arg_share));
            add(ft_line, e - 1, combine(base, 20 + prose_share), 7, static_cast<std::uint8_t>(prose_share));
        }
    }

    // command_line_verbs() of the tokens [b, e) of a line: "|" separates commands, a flag
    // brings what the tokeniser kept of it, paths, numbers, code and links are operands.
    std::uint8_t line_verbs(std::size_t b, std::size_t e) const {
        std::array<command_word, 32> words{};
        std::size_t n = 0;
        for (std::size_t k = b; k < e && n < words.size(); ++k) {
            const token& tk = t_.list[k];
            const sv x = t_.str(tk);
            command_word& w = words[n++];
            if (tk.kind == token_kind::punct) {
                w.separator = x == "|";
                w.arg = !w.separator;
                continue;
            }
            w.text = x;
            w.flag = x == "<flag>";
            if (w.flag) {
                w.verbs = static_cast<std::uint8_t>((tk.roles & wr_cmd_write ? cv_write : 0) |
                                                    (tk.roles & wr_cmd_read ? cv_read : 0) |
                                                    (tk.roles & wr_cmd_dry ? cv_dry : 0));
                w.long_flag = (tk.roles & wr_cmd_long) != 0;
            }
            w.arg = !w.flag && (tk.kind != token_kind::word || (tk.classes & wc_arg) || x.empty() || x[0] == '<');
        }
        return command_line_verbs(std::span<const command_word>(words.data(), n));
    }

    void code(std::size_t i) {
        const token& tok = t_.list[i];
        const code_shape cs = inspect_code(t_.content(tok));
        const std::uint64_t base = combine(seed_of(ft_code), tok.kind == token_kind::code_block ? 1 : 2);
        auto flag = [&](code_feature f, bool on) {
            if (on) add(ft_code, i, combine(base, f), f);
        };
        if (cs.first_len > 0) add(ft_code, i, combine(combine(base, cf_first_word), hash_bytes(cs.first())), cf_first_word);
        for (std::uint32_t bits = cs.first_classes; bits != 0; bits &= bits - 1) {
            const auto c = static_cast<unsigned>(std::countr_zero(bits));
            add(ft_code, i, combine(combine(base, cf_first_class), class_hash(c, form::exact)), cf_first_class,
                static_cast<std::uint8_t>(c));
        }
        flag(cf_prompt, cs.prompt);
        flag(cf_flag, cs.flag);
        flag(cf_pipe, cs.pipe);
        flag(cf_path, cs.path);
        flag(cf_spaces, cs.spaces);
        flag(cf_assign, cs.assign);
        flag(cf_call, cs.call);
        flag(cf_label, cs.label);
        flag(cf_sentence_case, cs.sentence_case);
        flag(cf_write, (cs.verbs & cv_write) != 0);
        flag(cf_read, (cs.verbs & (cv_read | cv_write)) == cv_read);
        flag(cf_dry, (cs.verbs & cv_dry) != 0);
    }

    void shape() {
        const auto& L = t_.list;
        std::size_t words = 0, last = 0, first = L.size();
        for (std::size_t i = 0; i < L.size(); ++i) {
            if (L[i].kind == token_kind::boundary) continue;
            ++words;
            last = i;
            if (first == L.size()) first = i;
        }
        const std::uint64_t base = seed_of(ft_shape);
        if (words == 0) return;
        const unsigned bucket = words <= 1 ? 0 : words <= 3 ? 1 : words <= 7 ? 2 : words <= 15 ? 3 : words <= 30 ? 4 : 5;
        add(ft_shape, last, combine(base, 10 + bucket), 0, static_cast<std::uint8_t>(bucket));
        if (t_.str(L[last]) == "?") add(ft_shape, last, combine(base, 1), 1);
        add(ft_shape, first, combine(base, 20 + static_cast<unsigned>(L[first].kind)), 2,
            static_cast<std::uint8_t>(L[first].kind));
    }
};

}  // namespace

void tokenize(std::string_view text, tokens& out) {
    tokenizer(out).run(text.substr(0, std::min(text.size(), k_judged_prefix)));
    // "running low", "ran out of disk", "runs hot": "run" before a state word describes the
    // system, it does not run anything, so it loses its operational class.
    auto& L = out.list;
    for (std::size_t i = 1; i < L.size(); ++i) {
        if (!(L[i].roles & wr_state) || L[i - 1].kind != token_kind::word) continue;
        const std::string_view v = out.str(L[i - 1]);
        if (v == "run" || v == "runs" || v == "running" || v == "ran") L[i - 1].classes &= ~wc_op_verb;
    }
    // "and", "then", "but" before a subject of the writer's or a verb done or under way start a
    // clause of their own ("flag is off | and I've updated the support macro", "rolled back the
    // config | and posted the all-clear"): one clause may act while the other tells customers.
    std::uint8_t shift = 0, before = 0;  // before: the previous token's clause as the tokeniser cut it
    for (std::size_t i = 0; i < L.size(); ++i) {
        const std::uint8_t own = L[i].clause;
        if (i >= 2 && L[i - 1].kind == token_kind::word && L[i].kind == token_kind::word && before == own &&
            L[i - 2].kind != token_kind::boundary && shift < k_clauses) {
            const std::string_view v = out.str(L[i - 1]);
            const bool joint = v == "and" || v == "then" || v == "but";
            const bool verb = (L[i].form == form::past || L[i].form == form::ing) &&
                              (L[i].classes & (wc_op_verb | wc_comms_verb)) != 0;
            if (joint && ((L[i].classes & wc_first_person) || verb)) ++shift;
        }
        L[i].clause = static_cast<std::uint8_t>(std::min<unsigned>(own + shift, k_clauses - 1));
        before = own;
    }
}

void extract(const tokens& toks, std::uint32_t templates, std::vector<feature>& out) {
    extractor(toks, templates, out).run();
}

std::string describe(const tokens& toks, const feature& f) {
    const auto& L = toks.list;
    auto word = [&](std::size_t i) -> std::string {
        if (i >= L.size()) return {};
        if (L[i].kind == token_kind::boundary) return "^";
        return std::string(toks.str(L[i]));
    };
    const std::size_t i = f.tok;
    switch (f.tmpl) {
        case ft_unigram:
            return word(i);
        case ft_bigram:
            return i > 0 ? word(i - 1) + " " + word(i) : word(i);
        case ft_trigram:
            return i > 1 ? word(i - 2) + " " + word(i - 1) + " " + word(i) : word(i);
        case ft_stem:
            return "~" + word(i);
        case ft_class:
            return "[" + std::string(class_name(f.a)) + "]";
        case ft_class_left:
            return (i > 0 ? word(i - 1) + " " : std::string()) + "[" + std::string(class_name(f.a)) + "]";
        case ft_class_right:
            return "[" + std::string(class_name(f.a)) + "] " + word(i);
        case ft_class_pair:
            return "[" + std::string(class_name(f.a)) + "] [" + std::string(class_name(f.b)) + "]";
        case ft_code: {
            if (i >= L.size()) return "`code`";
            if (f.a == cf_write) return "code that changes";
            if (f.a == cf_read) return "code that reads";
            return "`" + std::string(inspect_code(toks.content(L[i])).first()) + " …`";
        }
        case ft_shape:
            return f.a == 1 ? "question" : "shape";
        case ft_line:
            return f.a == 1 ? "prompt" : f.a <= 3 ? "command line" : f.a <= 5 ? "SQL" : f.a == 8 ? "tool word"
                   : f.a == 9 ? "command line that changes" : f.a == 10 ? "command line that reads"
                   : f.a == 11 ? "SQL statement" : f.a == 12 ? "tool as a subject" : "line shape";
        case ft_construction:
            return std::string(construction_name(static_cast<construction>(f.a)));
        case ft_sentence:
            return "[" + std::string(class_name(f.a)) + "] … [" + std::string(class_name(f.b)) + "]";
        default:
            return "?";
    }
}

}  // namespace ib::tagging
