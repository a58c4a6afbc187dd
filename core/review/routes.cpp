// Routing, access and the small answers of the review site (site.hpp).
#include "core/review/layout.hpp"
#include "core/review/site.hpp"

#include "core/svg.hpp"

#include <charconv>

namespace ib::review {

using detail::html;

namespace {

std::optional<std::int64_t> positive_number(std::string_view s) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || n <= 0) return std::nullopt;
    return n;
}

// Equal, in time that depends only on the length (the length is not the secret).
bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
    return diff == 0;
}

}  // namespace

route parse_route(const http::request& req) {
    route r;
    auto [path, query] = http::split_target(req.target);
    r.query = std::move(query);
    const bool read = req.method == "GET" || req.method == "HEAD";
    if (path == "/login" && req.method == "POST") {
        r.what = page::login_submit;
        return r;
    }
    if (!read) {
        r.what = page::method_not_allowed;
        return r;
    }
    std::string_view p = path;
    if (p == "/" || p == "/incidents") r.what = page::incidents;
    else if (p == "/stats") r.what = page::stats;
    else if (p == "/login") r.what = page::login;
    else if (p == "/healthz") r.what = page::healthz;
    else if (p.starts_with("/assets/")) {
        r.what = page::asset;
        r.name = std::string(p.substr(8));
    } else if (p.starts_with("/incidents/")) {
        p.remove_prefix(11);
        const auto slash = p.find('/');
        const auto id = positive_number(p.substr(0, slash));
        if (!id) return r;
        r.incident_id = *id;
        const std::string_view rest = slash == std::string_view::npos ? std::string_view{} : p.substr(slash);
        if (rest.empty()) r.what = page::incident;
        else if (rest == "/version") r.what = page::version;
        else if (rest == "/summary") r.what = page::summary;
        else if (rest.starts_with("/export.")) {
            r.what = page::download;
            r.name = std::string(rest.substr(8));
        } else if (rest.starts_with("/entries/")) {
            if (const auto seq = positive_number(rest.substr(9))) {
                r.what = page::entry;
                r.seq = *seq;
            }
        }
    }
    return r;
}

bool check_access(const http::request& req, const route& r, std::string_view token) {
    if (token.empty()) return true;
    switch (r.what) {
    case page::login:
    case page::login_submit:
    case page::asset:
    case page::healthz: return true;
    default: break;
    }
    const auto cookie = http::cookie_value(req.cookie, session_cookie);
    return cookie && same_secret(http::percent_decode(*cookie, false), token);
}

http::response login_page(std::string_view error, bool unauthorized) {
    std::string main = "<h1>Sign in</h1>\n";
    if (!error.empty()) main += "<p class=\"error\" role=\"alert\">" + html_text(error) + "</p>\n";
    main +=
        "<p>This review site needs the access token its operator configured (INCIDENT_BOT_SERVE_TOKEN or "
        "--auth-token-file).</p>\n"
        "<form method=\"post\" action=\"/login\" class=\"login\">\n"
        "<label for=\"token\">Access token</label>\n"
        "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus>\n"
        "<button type=\"submit\">Sign in</button>\n"
        "</form>\n";
    return html(unauthorized || !error.empty() ? 401 : 200, detail::document("Sign in", main));
}

http::response login_submit(const http::request& req, std::string_view token) {
    if (token.empty()) return error_page(404, "This site needs no sign-in.");
    const auto form = http::parse_query(req.body);
    const auto it = form.find("token");
    if (it == form.end() || !same_secret(it->second, token))
        return login_page("That token is not the one this site was started with.");
    http::response res;
    res.status = 303;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "signed in\n";
    res.headers.emplace_back("Location", "/");
    res.headers.emplace_back("Set-Cookie", std::string(session_cookie) + "=" + http::percent_encode(token) +
                                               "; Path=/; HttpOnly; SameSite=Strict");
    add_security_headers(res);
    return res;
}

bool visible(const incident& inc, const site_options& opts) { return opts.include_private || !inc.is_private; }

http::response entry_redirect(std::int64_t incident_id, std::int64_t seq, std::optional<std::size_t> position) {
    const std::string id = std::to_string(incident_id), s = std::to_string(seq);
    if (!position) return error_page(404, "Incident #" + id + " has no entry " + s + ".");
    http::response res;
    res.status = 303;
    res.body = "see the page of entry " + s + "\n";
    res.headers.emplace_back("Location", "/incidents/" + id + "?page=" + std::to_string(*position / page_size + 1) + "#" + s);
    add_security_headers(res);
    return res;
}

http::response download(const incident_record& r, std::string_view format) {
    http::response res;
    if (format == "json") {
        res.content_type = "application/json";
        res.body = export_json(r);
    } else if (format == "md") {
        res.content_type = "text/markdown; charset=utf-8";
        res.body = export_markdown(r);
    } else if (format == "csv") {
        res.content_type = "text/csv; charset=utf-8";
        res.body = export_csv(r);
    } else if (format == "svg") {
        res.content_type = "image/svg+xml";
        res.body = export_svg(r);
    } else {
        return error_page(404, "No such download (json, md, csv or svg).");
    }
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"incident-" + std::to_string(r.inc.id) +
                                                        "." + std::string(format) + "\"");
    add_security_headers(res);
    return res;
}

std::string version_of(const incident& inc, std::size_t timeline_size) {
    return std::to_string(timeline_size) + "-" + std::string(to_string(inc.state)) + "-" +
           std::string(to_string(inc.sev));
}

http::response version_response(const incident& inc, std::size_t timeline_size) {
    http::response res;
    res.body = version_of(inc, timeline_size);
    add_security_headers(res);
    return res;
}

http::response error_page(int status, std::string_view message) {
    return html(status, detail::document("Error " + std::to_string(status),
                                         "<h1>" + html_text(message) + "</h1>\n<p><a href=\"/\">All incidents</a></p>\n"));
}

void add_security_headers(http::response& res) {
    res.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                             "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Referrer-Policy", "no-referrer");
    res.headers.emplace_back("X-Frame-Options", "DENY");
    res.headers.emplace_back("Cache-Control", "no-store");
}

}  // namespace ib::review
