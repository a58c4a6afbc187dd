// What the tagger's rules share: a view over the tokens with the questions every rule asks
// (which word is at i, is it joined to the one before, where does its clause begin…), small
// predicates over words and tokens, and the entry point of each tag's rules. Each rule is a pure
// function of the tokens that returns its first hit, with the name of the pattern that fired.
#pragma once

#include "core/tagger/lexer.hpp"
#include "core/tagger/words.hpp"
#include "core/timeline.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace ib::tagger {

// How far (in tokens) a rule looks around a cue; keeps every rule linear in the message.
inline constexpr std::size_t window = 40;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

// The tokens of one message, and the questions the rules ask about them.
struct view {
    const std::vector<token>& t;

    std::size_t size() const { return t.size(); }
    // The word at i, or "" for code, links and out-of-range.
    sv w(std::size_t i) const { return i < t.size() && t[i].kind == tk::word ? t[i].low : sv{}; }
    // Token i continues the phrase of token i-1 (no punctuation between them).
    bool joined(std::size_t i) const { return i < t.size() && t[i].gap == sep_none; }
    bool is_ref(std::size_t i) const {
        return i < t.size() && t[i].kind != tk::word && t[i].kind != tk::code_span &&
               t[i].kind != tk::code_block;
    }
    // Index of the first token of the clause holding i (boundaries: ; — | . ! ? newline).
    std::size_t clause_begin(std::size_t i) const {
        std::size_t k = i, steps = 0;
        while (k > 0 && t[k].gap < sep_clause && steps++ < window) --k;
        return k;
    }
    // One past the last token of the clause holding i.
    std::size_t clause_end(std::size_t i) const {
        std::size_t k = i + 1, steps = 0;
        while (k < t.size() && t[k].gap < sep_clause && steps++ < window) ++k;
        return k;
    }
    // The sentence holding i ends with '?'.
    bool in_question(std::size_t i) const {
        std::size_t k = i, steps = 0;
        while (k < t.size() && steps++ < window) {
            if (t[k].question) return true;
            if (k + 1 < t.size() && t[k + 1].gap >= sep_sentence) return false;
            ++k;
        }
        return false;
    }
};

// Equality of a token with a list word, accepting apostrophe-less chat spellings ("im", "its").
inline bool word_eq(sv tok, sv word) {
    if (word_same(tok, word)) return true;
    if (word.find('\'') == sv::npos || tok.size() + 1 != word.size()) return false;
    // Contractions whose apostrophe-less form is another word are never loosened.
    if (word == "i'll" || word == "we'll" || word == "we're" || word == "he'll" ||
        word == "she'll" || word == "i'd" || word == "we'd" || word == "she'd" || word == "he'd")
        return false;
    std::size_t a = 0;
    for (char c : word) {
        if (c == '\'') continue;
        if (a >= tok.size() || tok[a] != c) return false;
        ++a;
    }
    return a == tok.size();
}

// Number of tokens of the space-separated phrase matched at i (0 if none).
inline std::size_t match_phrase(const view& v, std::size_t i, sv phrase) {
    // Cheap reject first: this runs for every token against every phrase table.
    const sv first = v.w(i);
    if (first.empty() || phrase.empty() || first[0] != phrase[0]) return 0;
    std::size_t k = i;
    while (!phrase.empty()) {
        const std::size_t sp = phrase.find(' ');
        const sv word = phrase.substr(0, sp);
        if (k >= v.size() || (k > i && !v.joined(k)) || !word_eq(v.w(k), word)) return 0;
        ++k;
        phrase = sp == sv::npos ? sv{} : phrase.substr(sp + 1);
    }
    return k - i;
}

inline bool ends_with(sv w, sv suffix) {
    return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

// Lemma lookup for plurals: "pods" -> "pod", "retries" -> "retry".
template <std::size_t N>
bool in_lemma(const sv (&list)[N], sv w) {
    if (w.empty()) return false;
    if (in(list, w)) return true;
    if (w.size() > 3 && w.back() == 's' && in(list, w.substr(0, w.size() - 1))) return true;
    if (w.size() > 4 && ends_with(w, "ies")) {
        std::array<char, 40> buf{};
        if (w.size() - 2 > buf.size()) return false;
        const std::size_t stem = w.size() - 3;
        std::copy_n(w.begin(), stem, buf.begin());
        buf[stem] = 'y';
        return in(list, sv(buf.data(), stem + 1));
    }
    return false;
}

// "502s", "5xx", "404": HTTP status codes are about system behaviour.
inline bool http_code(sv w) {
    if (w.size() < 3 || (w[0] != '4' && w[0] != '5')) return false;
    const sv rest = w.substr(1, 2);
    const bool digits = is_digit(rest[0]) && is_digit(rest[1]);
    const bool xx = rest == "xx";
    return (digits || xx) && (w.size() == 3 || (w.size() == 4 && w[3] == 's'));
}

// "worker-5", "10.4.2.15", "payments.internal", "db3".
inline bool host_like(sv w) {
    bool digit = false, dot_or_dash = false, letter_dot_letter = false, letter_then_digit = false;
    for (std::size_t k = 0; k < w.size(); ++k) {
        const char c = w[k];
        if (is_digit(c)) {
            digit = true;
            if (k > 0 && is_alpha(w[k - 1])) letter_then_digit = true;
        }
        if (c == '-' || c == '.') dot_or_dash = true;
        if (c == '.' && k > 0 && k + 1 < w.size() && is_alpha(w[k - 1]) && is_alpha(w[k + 1]))
            letter_dot_letter = true;
    }
    if (w.empty() || w.back() == '-' || w.front() == '-') return false;
    return (digit && dot_or_dash) || letter_dot_letter || letter_then_digit;
}

// A token that looks like a command argument: a flag, path, host, number, glob, quoted string.
inline bool arg_like(const token& t) {
    if (t.kind == tk::url_ref || t.kind == tk::code_span) return true;
    if (t.kind != tk::word) return false;
    const sv w = t.low;
    if (t.quoted || w.empty()) return t.quoted;
    if (w.size() >= 2 && (w[0] == '-' || w[0] == '+') && (is_alnum(w[1]) || w[1] == '-'))
        return true;
    if (w.find_first_of("/=*$~@") != sv::npos) return true;
    if (host_like(w)) return true;
    return std::all_of(w.begin(), w.end(), is_digit);
}

inline bool first_person_subject(sv w) {
    return w == "i" || word_eq(w, "i'm") || w == "i'll" || w == "i've" || w == "i'd" ||
           w == "we" || w == "we're" || w == "we'll" || w == "we've";
}

// i starts a clause, possibly after transparent words ("and", "just", a user mention).
inline bool clause_start(const view& v, std::size_t i, bool allow_adverbs) {
    std::size_t k = i, steps = 0;
    while (steps++ < 8) {
        if (k == 0 || v.t[k].gap >= sep_comma) return true;
        const std::size_t p = k - 1;
        const sv w = v.w(p);
        // "… on the host and I killed it": a conjunction before a subject opens a clause.
        if ((w == "and" || w == "but" || w == "so" || w == "then") && first_person_subject(v.w(k)))
            return true;
        const bool transparent = v.t[p].kind == tk::user_ref || in(k_clause_fillers, w) ||
                                 (allow_adverbs && w.size() > 4 && ends_with(w, "ly"));
        if (!transparent) return false;
        k = p;
    }
    return false;
}

// The first hit of each tag's rules, or nullopt (hypothesis.cpp, command.cpp, action.cpp,
// status.cpp).
std::optional<tag_hit> hypothesis_rule(const view& v);
std::optional<tag_hit> command_rule(const view& v);
std::optional<tag_hit> action_rule(const view& v);
std::optional<tag_hit> status_rule(const view& v);

}  // namespace ib::tagger
