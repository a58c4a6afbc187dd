#include "time.hpp"

#include <charconv>
#include <cstdio>

namespace ib {
namespace {

using namespace std::chrono;

// Parses exactly `n` digits at s[pos..pos+n) into out.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

std::string to_iso8601(time_point t) {
    const auto secs = floor<seconds>(t);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    const int y = static_cast<int>(ymd.year());
    if (y >= 0 && y <= 9999) {
        // Written digit by digit: an export formats one per timeline entry, and snprintf was a
        // tenth of a 100,000-entry export.
        std::string out = "0000-00-00T00:00:00Z";
        auto put2 = [&](std::size_t at, unsigned v) {
            out[at] = static_cast<char>('0' + v / 10);
            out[at + 1] = static_cast<char>('0' + v % 10);
        };
        put2(0, static_cast<unsigned>(y / 100));
        put2(2, static_cast<unsigned>(y % 100));
        put2(5, static_cast<unsigned>(ymd.month()));
        put2(8, static_cast<unsigned>(ymd.day()));
        put2(11, static_cast<unsigned>(hms.hours().count()));
        put2(14, static_cast<unsigned>(hms.minutes().count()));
        put2(17, static_cast<unsigned>(hms.seconds().count()));
        return out;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}

std::optional<time_point> parse_iso8601(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
        s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
        return std::nullopt;
    if (h > 23 || mi > 59 || se > 60) return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;

    std::size_t pos = 19;
    microseconds frac{0};
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::int64_t v = 0;
        int n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 6) {
                v = v * 10 + (s[pos] - '0');
                ++n;
            }
            ++pos;
        }
        if (n == 0) return std::nullopt;
        for (; n < 6; ++n) v *= 10;
        frac = microseconds{v};
    }
    const std::string_view zone = s.substr(pos);
    if (zone != "Z" && zone != "z" && zone != "+00:00") return std::nullopt;
    return time_point{sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + frac};
}

std::optional<time_point> parse_slack_ts(std::string_view ts) {
    const auto dot = ts.find('.');
    const std::string_view whole = ts.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : ts.substr(dot + 1);
    if (whole.empty() || whole.size() > 12 || frac.size() > 6 || (dot != std::string_view::npos && frac.empty()))
        return std::nullopt;
    std::int64_t secs = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        secs = secs * 10 + (c - '0');
    }
    std::int64_t us = 0;
    std::size_t n = 0;
    for (char c : frac) {
        if (c < '0' || c > '9') return std::nullopt;
        us = us * 10 + (c - '0');
        ++n;
    }
    for (; n < 6; ++n) us *= 10;
    return time_point{seconds{secs} + microseconds{us}};
}

std::string to_slack_ts(time_point t) {
    const auto us = t.time_since_epoch().count();
    const auto secs = us >= 0 ? us / 1'000'000 : (us - 999'999) / 1'000'000;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(secs),
                  static_cast<long long>(us - secs * 1'000'000));
    return buf;
}

std::optional<seconds> parse_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::int64_t v = 0;
        const auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
        if (ec != std::errc{} || ptr == s.data() + pos) return std::nullopt;
        pos = static_cast<std::size_t>(ptr - s.data());
        if (pos >= s.size()) return std::nullopt;  // a unit is required
        std::int64_t unit = 0;
        switch (s[pos]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return std::nullopt;
        }
        ++pos;
        // Negative amounts are refused before multiplying (from_chars accepts a '-'); the cap,
        // about 115 days, is plenty and keeps the product from overflowing.
        if (v < 0 || v > 10'000'000 / unit) return std::nullopt;
        total += v * unit;
        if (total > 10'000'000) return std::nullopt;
    }
    if (total <= 0) return std::nullopt;
    return seconds{total};
}

std::string format_duration(seconds d) {
    std::string sign;
    auto v = d.count();
    if (v < 0) {
        sign = "-";
        v = -v;
    }
    char buf[48];
    const auto days_ = v / 86400, h = v % 86400 / 3600, m = v % 3600 / 60, s = v % 60;
    if (days_ > 0)
        std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(days_), static_cast<long long>(h));
    else if (h > 0)
        std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(h), static_cast<long long>(m));
    else if (m > 0)
        std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(m), static_cast<long long>(s));
    else
        std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
    return sign + buf;
}

}  // namespace ib
