// The review site of `incident-bot serve` (issue 18) as plain data: which page a request asks
// for (parse_route), whether it may see it (check_access), and each page's HTML from the
// records the caller read (incidents_page, incident_page, …). bot/serve/ reads the read-only
// database and carries requests and responses over the ops HTTP server; nothing here does I/O
// or reads a clock (`now` is a parameter).
//
// Safe by construction: every text from the record goes through core/text.hpp's HTML outputs
// (html_text, html_from_slack); pages load only /assets/review.css and /assets/review.js
// (compiled in: works offline) under a strict Content-Security-Policy (security_headers); no
// page writes anything. Private incidents are not found unless site_options::include_private.
#pragma once

#include "core/export.hpp"
#include "core/http.hpp"
#include "core/incident.hpp"
#include "core/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ib::review {

// Timeline entries per page of the incident page.
inline constexpr std::size_t page_size = 200;
// The cookie the login page sets (HttpOnly, SameSite=Strict).
inline constexpr std::string_view session_cookie = "ib_review";

struct site_options {
    bool include_private = false;  // show incidents declared in private channels
    std::string token;             // access token; empty: no login (e.g. behind an SSO proxy)
};

// ---- Routing -----------------------------------------------------------------------------------

enum class page {
    incidents,           // GET /                        list, filters in the query
    incident,            // GET /incidents/ID            query: page, tag, kind, person, q, fragment
    entry,               // GET /incidents/ID/entries/SEQ   permalink: redirect to the page holding SEQ
    download,            // GET /incidents/ID/export.FMT    json, md, csv, svg: the bytes of `export`
    version,             // GET /incidents/ID/version    what live updates poll
    stats,               // GET /stats
    asset,               // GET /assets/review.css, /assets/review.js
    login,               // GET /login
    login_submit,        // POST /login (form field `token`)
    healthz,             // GET /healthz
    not_found,
    method_not_allowed,  // anything but GET/HEAD (and POST /login)
};

struct route {
    page what = page::not_found;
    std::int64_t incident_id = 0;
    std::int64_t seq = 0;
    std::string name;     // download: the format; asset: the file name
    http::params query;
};
route parse_route(const http::request& req);

// ---- Access --------------------------------------------------------------------------------------

// True when the request may see `r`: no token is configured, or the page needs none (login,
// assets, healthz), or the request's session cookie holds the token (compared in constant time).
bool check_access(const http::request& req, const route& r, std::string_view token);
// The login page (401 when `unauthorized`, i.e. a page was asked for without the cookie).
http::response login_page(std::string_view error = {}, bool unauthorized = false);
// POST /login: the right token gives 303 to / with the HttpOnly, SameSite=Strict cookie; a wrong
// one the login page again, 401, with a one-line reason.
http::response login_submit(const http::request& req, std::string_view token);

// ---- Pages -------------------------------------------------------------------------------------

// Newest first; query: q (title contains, ASCII case-insensitive), sev (sev1..sev5), status,
// from / to (YYYY-MM-DD, declared on or after / on or before, UTC). `all` in any order; private
// incidents are left out unless opts.include_private.
http::response incidents_page(std::span<const incident> all, const http::params& query, time_point now,
                              const site_options& opts);

// One incident (r.inc must be visible: see visible()). `chart` is export_svg(r, {.inline_html =
// true}) (the caller may cache it). Query: tag, kind, person, q filter the timeline; page picks
// the page of page_size entries (1 = first); fragment=main gives only the <main> element's
// content (what live updates fetch). `version` is version_of() of the record, for live updates.
http::response incident_page(const incident_record& r, std::string_view chart, const http::params& query,
                             time_point now);

// The coordination section of the incident page (`<section id="coordination">`): the record of
// core/coordination.hpp (as in the JSON export and the review draft), up to the resolution.
std::string coordination_section(const incident_record& r);

// 303 to the page of the unfiltered timeline holding entry `seq`, with #seq; 404 if it has none.
http::response entry_redirect(const incident_record& r, std::int64_t seq);

// The same bytes as `incident-bot export --format FMT` (JSON without deleted text), as an
// attachment named incident-ID.FMT; 404 for another format.
http::response download(const incident_record& r, std::string_view format);

// What live updates poll: changes whenever the incident or its timeline does.
std::string version_of(const incident& inc, std::size_t timeline_size);
http::response version_response(const incident& inc, std::size_t timeline_size);

// TTA and TTR median, p90 and mean by severity, for each calendar month (UTC) of the incidents
// declared in the 12 months up to `now`, as tables and a chart of the medians.
http::response stats_page(std::span<const incident> all, time_point now, const site_options& opts);

// The compiled-in stylesheet and script; 404 for any other name.
http::response asset(std::string_view name);

// A small HTML page with a status and one line.
http::response error_page(int status, std::string_view message);

// Whether the site shows `inc` at all.
bool visible(const incident& inc, const site_options& opts);

// Adds the headers every answer carries: the Content-Security-Policy (default-src 'self', no
// inline script or style, no framing), nosniff, no referrer, no caching.
void add_security_headers(http::response& res);

}  // namespace ib::review
