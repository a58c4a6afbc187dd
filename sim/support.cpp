#include "sim/support.hpp"

#include "sim/slack_simulator.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

namespace ib::sim::detail {

std::string
to_text(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::uint64_t
mix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::string
hex(std::uint64_t v, int digits)
{
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, v >>= 4)
        out[static_cast<std::size_t>(i)] = k_digits[v & 0xf];
    return out;
}

std::string
base36_upper(std::uint64_t v, std::size_t min_digits)
{
    static constexpr char k_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string out;
    do {
        out.insert(out.begin(), k_digits[v % 36]);
        v /= 36;
    } while (v != 0);
    if (out.size() < min_digits)
        out.insert(0, min_digits - out.size(), '0');
    return out;
}

std::string
lowercase(std::string s)
{
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool
iequals_prefix(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::size_t
utf8_length(std::string_view s)
{
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace ib::sim::detail

namespace ib::sim {

// The simulator keeps its own copy of Slack's escaping rather than the bot's text module (core/):
// a stand-in that shared the bot's codec would agree with the bot's mistakes.
// docs.slack.dev/messaging/formatting-message-text, "Escaping text".
std::string
slack_escape(std::string_view typed)
{
    std::string out;
    out.reserve(typed.size());
    for (char c : typed) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace ib::sim

namespace ib::sim::detail {

namespace {
constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
b64_value(char c)
{
    const char* p = std::find(k_b64, k_b64 + 64, c);
    return p == k_b64 + 64 ? -1 : static_cast<int>(p - k_b64);
}

int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded decoding ('+' is a space).
std::string
url_decode(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}
}  // namespace

std::string
base64_encode(std::string_view in)
{
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
        out += k_b64[(n >> 18) & 63];
        out += k_b64[(n >> 12) & 63];
        out += k_b64[(n >> 6) & 63];
        out += k_b64[n & 63];
    }
    if (i + 1 == in.size()) {
        auto n = static_cast<unsigned char>(in[i]) << 16;
        out += k_b64[(n >> 18) & 63];
        out += k_b64[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += k_b64[(n >> 18) & 63];
        out += k_b64[(n >> 12) & 63];
        out += k_b64[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

bool
base64_decode(std::string_view in, std::string& out)
{
    out.clear();
    if (in.size() % 4 != 0)
        return false;
    for (std::size_t i = 0; i < in.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            char c = in[i + static_cast<std::size_t>(k)];
            if (c == '=' && i + 4 == in.size() && k >= 2) {
                v[k] = 0;
                ++pad;
            } else if (pad > 0 || (v[k] = b64_value(c)) < 0) {
                return false;
            }
        }
        auto n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        out += static_cast<char>((n >> 16) & 0xff);
        if (pad < 2)
            out += static_cast<char>((n >> 8) & 0xff);
        if (pad < 1)
            out += static_cast<char>(n & 0xff);
    }
    return true;
}

void
parse_form_into(std::string_view form, json& out)
{
    while (!form.empty()) {
        auto amp = form.find('&');
        auto pair = form.substr(0, amp);
        form = amp == std::string_view::npos ? std::string_view{} : form.substr(amp + 1);
        if (pair.empty())
            continue;
        auto eq = pair.find('=');
        auto key = url_decode(pair.substr(0, eq));
        auto value = eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
        out[key] = value;
    }
}

std::string
arg_string(const json& args, const char* key)
{
    auto it = args.find(key);
    if (it == args.end() || it->is_null())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    return to_text(*it);
}

bool
arg_bool(const json& args, const char* key)
{
    auto it = args.find(key);
    if (it == args.end())
        return false;
    if (it->is_boolean())
        return it->get<bool>();
    auto s = arg_string(args, key);
    return s == "true" || s == "1";
}

json
arg_json(const json& args, const char* key)
{
    auto it = args.find(key);
    if (it == args.end() || it->is_null())
        return nullptr;
    if (it->is_string()) {
        auto parsed = json::parse(it->get<std::string>(), nullptr, false);
        return parsed.is_discarded() ? json(nullptr) : parsed;
    }
    return *it;
}

std::string
channel_name_error(const std::string& name)
{
    if (name.empty())
        return "invalid_name_required";
    if (name.size() > 80)
        return "invalid_name_maxlength";
    bool only_punctuation = true;
    for (char c : name) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '_')
            return "invalid_name_specials";
        if (alnum)
            only_punctuation = false;
    }
    return only_punctuation ? "invalid_name_punctuation" : "";
}

std::int64_t
unix_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t
ts_seconds(const std::string& ts)
{
    std::int64_t us = 0;
    return ts_micros(ts, us) ? us / 1000000 : unix_seconds();
}

bool
ts_micros(std::string_view ts, std::int64_t& out)
{
    // Digits, optionally a dot and up to six more digits ("1610241741", "1610241741.000200").
    std::int64_t seconds = 0, micros = 0;
    std::size_t i = 0;
    if (ts.empty() || ts.size() > 24)
        return false;
    for (; i < ts.size() && ts[i] != '.'; ++i) {
        if (ts[i] < '0' || ts[i] > '9' || i >= 12)
            return false;
        seconds = seconds * 10 + (ts[i] - '0');
    }
    if (i == 0)
        return false;
    if (i < ts.size()) {
        std::size_t digits = 0;
        for (++i; i < ts.size(); ++i, ++digits) {
            if (ts[i] < '0' || ts[i] > '9' || digits >= 6)
                return false;
            micros = micros * 10 + (ts[i] - '0');
        }
        for (; digits < 6; ++digits)
            micros *= 10;
    }
    out = seconds * 1000000 + micros;
    return true;
}

std::string
ts_from_micros(std::int64_t us)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000),
                  static_cast<long long>(us % 1000000));
    return buf;
}

id_source::id_source()
{
    std::random_device rd;
    seed_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    event_prefix_ = base36_upper(seed_ % (36ULL * 36 * 36 * 36), 4);
}

std::string
id_source::uuid()
{
    auto a = mix64(next() ^ seed_);
    auto b = mix64(a);
    auto ha = hex(a, 16), hb = hex(b, 16);
    return ha.substr(0, 8) + "-" + ha.substr(8, 4) + "-" + ha.substr(12, 4) + "-" + hb.substr(0, 4) + "-" +
           hb.substr(4, 12);
}

std::string
id_source::event_id()
{
    return "Ev" + event_prefix_ + base36_upper(next(), 6);
}

std::string
id_source::ts()
{
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::int64_t prev = last_ts_us_.load();
    std::int64_t next_us = 0;
    do {
        next_us = std::max<std::int64_t>(now, prev + 1);
    } while (!last_ts_us_.compare_exchange_weak(prev, next_us));
    return ts_from_micros(next_us);
}

std::string
id_source::trigger_id()
{
    auto n = next();
    return std::to_string(n) + "." + std::to_string(seed_ % 100000000000ULL) + "." + hex(mix64(n + seed_), 32);
}

std::string
id_source::block_id()
{
    return base36_upper(next() % 46656, 3);
}

}  // namespace ib::sim::detail
