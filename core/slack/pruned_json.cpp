#include "core/slack/pruned_json.hpp"

#include "core/json_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace ib::slack {
namespace {

using json = nlohmann::json;

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
            if (!keep) return read_json_string(s_, i_, nullptr);
            std::string v;
            if (!read_json_string(s_, i_, &v)) return false;
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
            if (!read_json_string(s_, i_, keep ? &key : nullptr)) return false;
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
