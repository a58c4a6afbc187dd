#include "core/url.hpp"

#include "core/text.hpp"

#include <algorithm>

namespace ib {

std::optional<url_parts> parse_url(std::string_view url) {
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;

    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    url_parts p;
    p.scheme = ascii_lower(url.substr(0, scheme_end));
    if (p.scheme != "http" && p.scheme != "https" && p.scheme != "ws" && p.scheme != "wss") return std::nullopt;

    std::string_view rest = url.substr(scheme_end + 3);
    const auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view target = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view port;
    if (authority.starts_with("[")) {  // [::1]:8080
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        p.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        p.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (p.host.empty()) return std::nullopt;

    if (port.empty()) {
        p.port = p.tls() ? "443" : "80";
    } else {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        const int n = std::stoi(std::string(port));
        if (n < 1 || n > 65535) return std::nullopt;
        p.port = std::string(port);
    }
    p.target = target.empty() ? "/" : (target[0] == '?' ? "/" + std::string(target) : std::string(target));
    return p;
}

namespace {

// A decimal number 0..255 without a sign or leading zeros ("127", "0").
bool octet(std::string_view s) {
    if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
    int v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    return v <= 255;
}

// 127.a.b.c, exactly four octets.
bool ipv4_loopback(std::string_view h) {
    int parts = 0;
    std::string_view first;
    while (true) {
        const auto dot = h.find('.');
        const std::string_view part = h.substr(0, dot);
        if (!octet(part)) return false;
        if (parts++ == 0) first = part;
        if (dot == std::string_view::npos) break;
        h.remove_prefix(dot + 1);
    }
    return parts == 4 && first == "127";
}

// ::1, 0:0:0:0:0:0:0:1, 0000::0001 …: every group zero but the last, which is 1.
bool ipv6_loopback(std::string_view h) {
    if (h.find(':') == std::string_view::npos || h.find_first_not_of("0123456789abcdefABCDEF:") != std::string_view::npos)
        return false;
    const auto last_colon = h.rfind(':');
    const std::string_view last = h.substr(last_colon + 1);
    const std::string_view rest = h.substr(0, last_colon);
    if (last.empty() || last.find_first_not_of('0') == std::string_view::npos) return false;
    if (last.substr(last.find_first_not_of('0')) != "1") return false;
    // The groups before the last are all zero; "::" may stand for any number of them.
    int groups = 0;
    bool elided = false;
    for (std::size_t i = 0; i <= rest.size();) {
        const auto colon = rest.find(':', i);
        const std::string_view g = rest.substr(i, colon == std::string_view::npos ? std::string_view::npos : colon - i);
        if (g.empty()) {
            elided = true;
        } else {
            if (g.size() > 4 || g.find_first_not_of('0') != std::string_view::npos) return false;
            ++groups;
        }
        if (colon == std::string_view::npos) break;
        i = colon + 1;
    }
    return elided ? groups <= 6 : groups == 7;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
    if (ascii_iequals(host, "localhost") || ascii_iequals(host, "localhost.")) return true;
    return ipv4_loopback(host) || ipv6_loopback(host);
}

std::string plain_text_refusal(const url_parts& u, std::string_view what) {
    if (u.tls() || is_loopback_host(u.host)) return {};
    const std::string secure = u.scheme == "ws" ? "wss://" : "https://";
    return std::string(what) + " uses plain " + u.scheme + "://, which would send the Slack tokens and every message unencrypted to " +
           u.host + "; use " + secure + " (plain " + u.scheme + ":// is allowed only to a loopback host such as 127.0.0.1)";
}

}  // namespace ib
