#include "json_columns.hpp"

#include "core/json_text.hpp"

#include <nlohmann/json.hpp>

namespace ib::storage {
namespace {

using json = nlohmann::json;

// A reader for the flat, string-valued JSON the encoders produce. Every function returns
// false on anything outside that subset (numbers, nesting, raw control characters, lone
// surrogates, trailing text…), and the caller then falls back to nlohmann's parser, so the
// two paths agree on every input the fast one accepts, except raw invalid UTF-8 inside a
// string, which this passes through where nlohmann rejects it (the encoders never write it).
// String literals are read by read_json_string (core/json_text), as in the frame parser; this
// adds only the flat structure around them, without building a DOM.
class flat_reader {
public:
    explicit flat_reader(std::string_view s) : s_(s) {}

    bool consume(char c) {
        skip_ws();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }

    bool at_end() {
        skip_ws();
        return i_ == s_.size();
    }

    // A JSON string, unescaped into `out` (UTF-8).
    bool string(std::string& out) {
        out.clear();
        return consume('"') && read_json_string(s_, i_, &out, json_utf8::keep);
    }

    // {"name":"value", …} with string values only; calls f(name, value) for each member.
    template <class F>
    bool object(F&& f) {
        if (!consume('{')) return false;
        if (consume('}')) return true;
        do {
            if (!string(name_) || !consume(':') || !string(value_)) return false;
            f(name_, value_);
        } while (consume(','));
        return consume('}');
    }

private:
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::string name_, value_;
};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// One tags element; skipped (nullopt) unless it names a known tag.
std::optional<tag_hit> make_tag(const std::optional<std::string>& name, std::string rule) {
    if (!name) return std::nullopt;
    const auto t = parse_tag(*name);
    if (!t) return std::nullopt;
    return tag_hit{*t, std::move(rule)};
}

bool fast_tags(std::string_view text, std::vector<tag_hit>& out) {
    flat_reader r(text);
    if (!r.consume('[')) return false;
    if (r.consume(']')) return r.at_end();
    do {
        std::optional<std::string> name;
        std::string rule;
        const bool ok = r.object([&](const std::string& k, const std::string& v) {
            if (k == "tag")
                name = v;
            else if (k == "rule")
                rule = v;
        });
        if (!ok) return false;
        if (auto hit = make_tag(name, std::move(rule))) out.push_back(std::move(*hit));
    } while (r.consume(','));
    return r.consume(']') && r.at_end();
}

}  // namespace

// Written by hand (one per stored event): the same text as dumping the equivalent nlohmann
// value, whose objects print their members sorted by name ("rule" before "tag").
std::string encode_tags(const std::vector<tag_hit>& tags) {
    if (tags.empty()) return "[]";
    std::string out = "[";
    for (std::size_t i = 0; i < tags.size(); ++i) {
        out += i ? ",{\"rule\":" : "{\"rule\":";
        append_json_string(out, tags[i].rule);
        out += ",\"tag\":";
        append_json_string(out, to_string(tags[i].tag));
        out += '}';
    }
    out += ']';
    return out;
}

std::string encode_attrs(const std::map<std::string, std::string>& attrs) {
    if (attrs.empty()) return "{}";
    std::string out = "{";
    for (const auto& [k, v] : attrs) {
        if (out.size() > 1) out += ',';
        append_json_string(out, k);
        out += ':';
        append_json_string(out, v);
    }
    out += '}';
    return out;
}

std::vector<tag_hit> decode_tags(std::string_view text) {
    std::vector<tag_hit> out;
    if (text == "[]" || fast_tags(text, out)) return out;
    out.clear();
    const json a = json::parse(text, nullptr, false);
    if (!a.is_array()) return out;  // also a parse error (discarded value)
    for (const auto& el : a) {
        if (!el.is_object()) continue;
        const auto t = el.find("tag");
        const auto r = el.find("rule");
        auto hit = make_tag(t != el.end() && t->is_string() ? std::optional(t->get<std::string>()) : std::nullopt,
                            r != el.end() && r->is_string() ? r->get<std::string>() : std::string{});
        if (hit) out.push_back(std::move(*hit));
    }
    return out;
}

std::optional<std::map<std::string, std::string>> decode_attrs(std::string_view text) {
    std::map<std::string, std::string> out;
    if (text == "{}") return out;
    flat_reader r(text);
    if (r.object([&](const std::string& k, const std::string& v) { out.insert_or_assign(k, v); }) && r.at_end())
        return out;
    out.clear();
    const json o = json::parse(text, nullptr, false);
    if (!o.is_object()) return std::nullopt;
    for (const auto& [name, value] : o.items())
        out.emplace(name, value.is_string() ? value.get<std::string>() : dump(value));
    return out;
}

}  // namespace ib::storage
