// What the tagger's model sees of a message: a normaliser/tokeniser that turns chat text into a
// stream of tokens (lowercased words, numbers and paths reduced to their shape, Slack markup,
// links and code turned into placeholder tokens, sentence boundaries), and the features drawn
// from that stream (word uni/bi/trigrams, stems, word classes, code-span and command-line shapes,
// clause-level constructions). A feature is a 32-bit hash plus where it came from, so the model
// can weigh it and an explanation can name it.
//
// Bounded, allocation-light (one buffer for the normalised text, one vector each for tokens and
// features, reused across calls when the caller keeps the object), pure, safe on any bytes.
#pragma once

#include "core/tagging/lexicon.hpp"
#include "core/timeline.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ib::tagging {

enum class token_kind : std::uint8_t {
    word,        // a word or command token, normalised ("it's", "kubectl", "db-0", "<flag>")
    punct,       // "?", ",", ":" or "|": punctuation that carries meaning
    boundary,    // start/end of a sentence, line or clause (implicit at both ends of the text)
    code_span,   // `…`   (text "<code>"; its content is kept for the code features)
    code_block,  // ```…``` (text "<codeblock>")
    user,        // <@U…> or @name
    channel,     // <#C…|name> or #name
    special,     // <!here>, <!channel>, <!subteam^…>
    link,        // <https://…|label> or a bare URL
    emoji,       // :fire: or a pictograph
};

struct token {
    std::uint32_t b = 0, e = 0;    // normalised text in tokens::text
    std::uint32_t cb = 0, ce = 0;  // code: content; link/channel: target/name (original case)
    std::uint64_t h = 0;           // hash of the normalised text
    std::uint32_t classes = 0;     // word classes (words only)
    std::uint64_t roles = 0;       // word_role bits (words only)
    ib::tagging::form form = form::exact;
    token_kind kind = token_kind::word;
    std::uint8_t clause = 0;       // clause number (capped at 31): sentences cut, a comma ends its
                                   // own clause, and "and"/"then"/"but" before the writer or a verb
                                   // done or under way opens one
};

// The token stream of one message. `text` owns the normalised bytes the tokens point into.
struct tokens {
    std::string text;
    std::vector<token> list;

    std::string_view str(const token& t) const { return std::string_view(text).substr(t.b, t.e - t.b); }
    std::string_view content(const token& t) const {
        return std::string_view(text).substr(t.cb, t.ce - t.cb);
    }
};

// What a code span or block holds, as far as telling a command from a setting or a log line goes.
struct code_shape {
    std::array<char, 41> first_buf{};  // first word after any prompt, lowercased
    std::uint8_t first_len = 0;
    std::uint32_t first_classes = 0;  // its word classes (SQL-in-capitals included)
    bool prompt = false;         // "$ …", "# …", "user@host:~$ …", "mysql> …"
    bool flag = false;           // a -flag or --flag after the first word
    bool pipe = false;           // a pipe
    bool path = false;           // a /path or ./path argument
    bool spaces = false;         // more than one word
    bool assign = false;         // key=value with no spaces: a setting
    bool call = false;           // name(…): a function call
    bool label = false;          // the first word ends with ':' ("error:", "x-cache:"): a log line
    bool sentence_case = false;  // "Vault is sealed": an error message, not a command
    std::uint8_t verbs = 0;      // command_verbs() of the content

    std::string_view first() const { return {first_buf.data(), first_len}; }
    bool tool() const { return (first_classes & (wc_tool | wc_tool_word | wc_sql | wc_sql_caps)) != 0; }
};
code_shape inspect_code(std::string_view content);

// What the verbs of a command line say it does: bits of cv_write (a verb that changes the system:
// "restart", "scale", "DROP", "pg_drop_replication_slot", "--execute"), cv_read (a verb that only
// reads: "get", "describe", "SELECT", "logs") and cv_dry ("--dry-run"). Words are split at
// punctuation and camelCase ("db.killOp" has "kill"); quoted strings are skipped.
enum command_verb : std::uint8_t { cv_write = 1, cv_read = 2, cv_dry = 4 };
// The verbs of one word; with `parts`, only its first `parts` parts ("pg_drop_replication_slot"
// drops, "pg_last_wal_replay_lsn" does not replay, "restart_lsn" is a column).
std::uint8_t command_verbs(std::string_view word, std::size_t parts = 64);

// One word of a command line, as command_line_verbs() reads it.
struct command_word {
    std::string_view text;    // as written (a raw code span) or normalised (a prose line)
    std::uint8_t verbs = 0;   // a flag's command_verbs(), known in advance (a prose line's "<flag>")
    bool flag = false;        // -x, --reset-offsets
    bool long_flag = false;   // a flag of several words or with a value: "--reset-offsets", "--since=2h"
    bool arg = false;         // a path, key=value, host-0: an operand, never the subcommand
    bool separator = false;   // |, ||, &&, ; or a line break: the next word starts another command
};
// What a command line does, judged like a reader of it: per command of a pipeline or list, its
// program's own verb (rm, kill, SELECT, Restart-Service) or else its subcommand, the first of
// its first three plain words with a verb ("systemctl restart", "kubectl -n x logs",
// "aws route53 change-resource-record-sets"), plus what its flags say ("--execute",
// "--dry-run"). Words after the subcommand are operands ("grep -rn worker_shutdown_timeout"
// reads), and a log line ("nginx.service: Scheduled restart job") is no command.
std::uint8_t command_line_verbs(std::span<const command_word> words);
// The same over raw text (a code span or block), split at blanks and outside quotes.
std::uint8_t command_text_verbs(std::string_view command);

// Calls f(b, e) for each sentence of `toks`: each maximal run [b, e) of tokens between boundaries.
template <class F>
void for_each_sentence(const tokens& toks, F&& f) {
    const auto& L = toks.list;
    for (std::size_t i = 0; i < L.size();) {
        if (L[i].kind == token_kind::boundary) {
            ++i;
            continue;
        }
        std::size_t e = i;
        while (e < L.size() && L[e].kind != token_kind::boundary) ++e;
        f(i, e);
        i = e;
    }
}

// Clauses a message is cut into at most (the rest joins the last).
constexpr std::uint8_t k_clauses = 32;

// Longest prefix of a message that is looked at (pasted logs are judged on their start).
constexpr std::size_t k_judged_prefix = 8192;

// Fills `out` (cleared first) from the first k_judged_prefix bytes of `text`.
void tokenize(std::string_view text, tokens& out);

// Feature templates; a model records which ones it was trained with (a bit mask).
enum feature_template : std::uint8_t {
    ft_unigram = 0,   // a token
    ft_bigram,        // two adjacent tokens (boundaries included: "^ rolling")
    ft_trigram,       // three adjacent tokens
    ft_stem,          // a word without its inflection ("restarting" -> "restart")
    ft_class,         // a word class of a token ("hedge", "op_verb/ing")
    ft_class_left,    // previous token + class of this one ("i'll [op_verb]")
    ft_class_right,   // class of the previous token + this one ("[hedge] it's")
    ft_class_pair,    // classes of two adjacent tokens ("[first_person] [op_verb/past]")
    ft_code,          // what a code span or block holds (its first word, flags, pipes, SQL)
    ft_shape,         // message shape (ends with '?', length, starts with code)
    ft_sentence,      // two word classes in one sentence, in order ("[hedge] … [failure]")
    ft_line,          // a sentence shaped like a command line (tool + arguments, SQL, a prompt)
    ft_construction,  // a clause-level pattern (constructions.hpp): "I'll + op verb", …
    ft_template_count
};

constexpr std::uint32_t mask_of(feature_template t) { return 1u << t; }
constexpr std::uint32_t k_all_templates = (1u << ft_template_count) - 1;

struct feature {
    std::uint32_t id = 0;    // hash; never 0
    std::uint16_t tok = 0;   // token it came from (last token of an n-gram)
    std::uint8_t tmpl = 0;   // feature_template
    std::uint8_t a = 0;      // class bit (ft_class*, first of a pair), or code-feature kind
    std::uint8_t b = 0;      // second class bit (ft_class_pair), or the class's form
};

// Appends the features of `toks` selected by `templates` to `out` (cleared first).
void extract(const tokens& toks, std::uint32_t templates, std::vector<feature>& out);

// A short human-readable name of a feature ("bet it's", "[hedge]", "i'll [op_verb]",
// "`kubectl …`", "intent+op_verb"), for explanations.
std::string describe(const tokens& toks, const feature& f);

}  // namespace ib::tagging
