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

}  // namespace ib
