#include "core/slack/pruned_json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace ib::slack {
namespace {

using json = nlohmann::json;

// Length of the well-formed UTF-8 sequence at p (RFC 3629, the ranges nlohmann accepts:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(const unsigned char* p, std::size_t avail) {
    const unsigned char c = p[0];
    auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return k < avail && p[k] >= lo && p[k] <= hi;
    };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

void append_utf8(std::string& out, std::uint32_t cp) {
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

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Recursive descent over the whole text. Every member function returns false as soon as the
// text is not something it can vouch for; nothing is thrown.
class parser {
public:
    parser(std::string_view text, std::span<const std::string_view> skip, int max_depth)
        : s_(text), skip_(skip), max_depth_(max_depth) {}

    bool document(json& out) {
        // A byte-order mark is nlohmann's business (it skips one); so is an empty text.
        if (s_.empty() || static_cast<unsigned char>(s_[0]) == 0xEF) return false;
        ws();
        if (!value(out, 0)) return false;
        ws();
        return i_ == s_.size();
    }

private:
    bool at_end() const { return i_ >= s_.size(); }
    char peek() const { return s_[i_]; }

    void ws() {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++i_;
        }
    }

    bool skipped(std::string_view key) const {
        return std::find(skip_.begin(), skip_.end(), key) != skip_.end();
    }

    // `keep`: build `out`; otherwise only validate (out is untouched).
    bool value(json& out, int depth, bool keep = true) {
        if (at_end()) return false;
        switch (peek()) {
        case '{': return object(out, depth + 1, keep);
        case '[': return array(out, depth + 1, keep);
        case '"': {
            ++i_;
            if (!keep) return string(nullptr);
            std::string v;
            if (!string(&v)) return false;
            out = std::move(v);
            return true;
        }
        case 't': return literal("true", keep ? &out : nullptr, json(true));
        case 'f': return literal("false", keep ? &out : nullptr, json(false));
        case 'n': return literal("null", keep ? &out : nullptr, json(nullptr));
        default: return number(keep ? &out : nullptr);
        }
    }

    bool literal(std::string_view word, json* out, json v) {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        if (out) *out = std::move(v);
        return true;
    }

    // The elements of an object or array, from its opening bracket: separated by commas, ended
    // by `close`; `element` reads one (a member of an object, a value of an array).
    template <class F>
    bool elements(char close, F&& element) {
        ++i_;  // the opening bracket
        ws();
        if (!at_end() && peek() == close) {
            ++i_;
            return true;
        }
        for (;;) {
            if (!element()) return false;
            ws();
            if (at_end()) return false;
            if (peek() == close) {
                ++i_;
                return true;
            }
            if (peek() != ',') return false;
            ++i_;
            ws();
        }
    }

    bool object(json& out, int depth, bool keep) {
        if (depth > max_depth_) return false;
        json obj = keep ? json::object() : json();
        std::string key;
        const bool ok = elements('}', [&] {
            if (at_end() || peek() != '"') return false;
            ++i_;
            key.clear();
            // The keys of a subtree being skipped are validated, not decoded.
            if (!string(keep ? &key : nullptr)) return false;
            ws();
            if (at_end() || peek() != ':') return false;
            ++i_;
            ws();
            // A repeated key keeps its last value, as nlohmann's DOM does.
            if (keep && !skipped(key)) return value(obj[key], depth);
            json unused;
            return value(unused, depth, false);
        });
        if (ok && keep) out = std::move(obj);
        return ok;
    }

    bool array(json& out, int depth, bool keep) {
        if (depth > max_depth_) return false;
        json arr = keep ? json::array() : json();
        const bool ok = elements(']', [&] {
            json v;
            if (!value(v, depth, keep)) return false;
            if (keep) arr.push_back(std::move(v));
            return true;
        });
        if (ok && keep) out = std::move(arr);
        return ok;
    }

    // After the opening quote; appends the decoded text to *out when out is not null.
    bool string(std::string* out) {
        const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
        const std::size_t n = s_.size();
        for (;;) {
            // A run of plain ASCII, copied in one go.
            std::size_t run = i_;
            while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') ++run;
            if (out) out->append(s_.data() + i_, run - i_);
            i_ = run;
            if (i_ >= n) return false;
            const unsigned char c = p[i_];
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20) return false;  // raw control characters are invalid JSON
            if (c >= 0x80) {
                const std::size_t len = utf8_sequence(p + i_, n - i_);
                if (len == 0) return false;
                if (out) out->append(s_.data() + i_, len);
                i_ += len;
                continue;
            }
            // A backslash escape.
            if (++i_ >= n) return false;
            const char e = s_[i_++];
            char plain = 0;
            switch (e) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    // Must be followed by an escaped low surrogate.
                    if (i_ + 1 >= n || s_[i_] != '\\' || s_[i_ + 1] != 'u') return false;
                    i_ += 2;
                    std::uint32_t lo = 0;
                    if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (out) append_utf8(*out, cp);
                continue;
            }
            default: return false;
            }
            if (out) *out += plain;
        }
    }

    bool hex4(std::uint32_t& cp) {
        if (s_.size() - i_ < 4) return false;
        for (int k = 0; k < 4; ++k) {
            const int d = hex_digit(s_[i_++]);
            if (d < 0) return false;
            cp = (cp << 4) | static_cast<std::uint32_t>(d);
        }
        return true;
    }

    // JSON's number grammar. A kept number must be an integer that fits (nlohmann's
    // number_integer for a negative one, number_unsigned otherwise); fractions, exponents and
    // overflow are left to nlohmann (they would become doubles).
    bool number(json* out) {
        const std::size_t start = i_;
        auto digit = [&] { return !at_end() && peek() >= '0' && peek() <= '9'; };
        const bool negative = !at_end() && peek() == '-';
        if (negative) ++i_;
        if (!digit()) return false;
        if (peek() == '0') {
            ++i_;
        } else {
            while (digit()) ++i_;
        }
        bool integral = true;
        if (!at_end() && peek() == '.') {
            ++i_;
            if (!digit()) return false;
            while (digit()) ++i_;
            integral = false;
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++i_;
            if (!at_end() && (peek() == '+' || peek() == '-')) ++i_;
            if (!digit()) return false;
            while (digit()) ++i_;
            integral = false;
        }
        if (out == nullptr) return true;
        if (!integral) return false;
        const char* first = s_.data() + start;
        const char* last = s_.data() + i_;
        if (negative) {
            std::int64_t v = 0;
            const auto r = std::from_chars(first, last, v);
            if (r.ec != std::errc{} || r.ptr != last) return false;
            *out = v;
        } else {
            std::uint64_t v = 0;
            const auto r = std::from_chars(first, last, v);
            if (r.ec != std::errc{} || r.ptr != last) return false;
            *out = v;
        }
        return true;
    }

    std::string_view s_;
    std::span<const std::string_view> skip_;
    int max_depth_;
    std::size_t i_ = 0;
};

}  // namespace

std::optional<json> parse_pruned(std::string_view text, std::span<const std::string_view> skip, int max_depth) {
    json out;
    parser p(text, skip, max_depth);
    if (!p.document(out)) return std::nullopt;
    return out;
}

}  // namespace ib::slack
