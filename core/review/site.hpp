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
#include <vector>

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
    summary,             // GET /incidents/ID/summary    what needs the whole record: chart, hypotheses, …
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

// ---- One incident ------------------------------------------------------------------------------
// Its page's first paint needs one page of the timeline, not the timeline: the header, the
// entries shown and the filters come from what a store reads by index (page_view:
// store::timeline_page, timeline_kinds, …), so a 100,000-entry incident's first 200 entries cost
// about 200 entries. What needs the whole record (the chart, the people of the person filter,
// participants, status-page updates, hypotheses, action items, coordination) is its summary page,
// which review.js fetches after the first paint and puts in place of the incident page's
// placeholders (without script, the placeholders link to it, and it links back to the timeline
// filtered by each person).

// What the incident page shows: one page of its timeline, among the entries the filters leave.
struct page_view {
    incident inc;                         // visible (see visible())
    user_names names;                     // of the incident, the entries and the context
    std::size_t total = 0;                // entries on the timeline
    std::size_t matches = 0;              // of them, those the filters leave (total without filters)
    std::size_t page = 1, pages = 1;      // this page's number, and how many pages the matches fill
    std::size_t first = 0;                // the position of entries[0] among the matches
    std::vector<timeline_entry> entries;  // shown: up to page_size matches, in timeline order
    std::vector<timeline_entry> context;  // what showing them needs: the timeline's deletions (their
                                          // text is withheld) and the messages marked_messages() names
    std::vector<entry_kind> kinds;        // the kinds on the whole timeline (its kind chips)
};

// Whether `query` filters the timeline (tag, kind, person, q): such a page is chosen from the whole
// record (view_of); an unfiltered one can be read a page at a time.
bool filters_timeline(const http::params& query);
// The page `query` asks for (page=N, 1 when absent or unreadable), clamped to the pages that
// `matches` entries fill, and the position of its first entry.
struct page_slice {
    std::size_t page = 1, pages = 1, first = 0;
};
page_slice slice_of(std::size_t matches, const http::params& query);
// The Slack ts of the messages the key moments among `entries` mark (shown with their text).
std::vector<std::string> marked_messages(std::span<const timeline_entry> entries);
// The user ids `v` needs names for, each once.
std::vector<std::string> people_in(const page_view& v);
// The page of a whole record (with its names) that `query` asks for: filters applied, then
// sliced; the same view a store's page reads give for an unfiltered query.
page_view view_of(const incident_record& r, const http::params& query);

// The incident page: header, downloads, the timeline's page with its chips, person and text
// filters and pager, and placeholders for the summary's parts (the person filter's list of people
// among them: until it comes, it offers "anyone" and the person filtered by). Query: tag, kind, person,
// q (as chosen by view_of), page; fragment=main gives only the <main> element's content (what
// live updates fetch). An open incident's page carries version_of() for live updates.
http::response incident_page(const page_view& v, const http::params& query, time_point now);

// The summary of a whole record (r.inc visible): the chart (export_svg inline), a person filter
// for the timeline, participants, status-page updates with the gaps between them, hypotheses with
// their fates (the first 100), action items and coordination, as a page of its own whose #chart,
// #person and #summary elements review.js moves into the incident page. Builds the record's
// message index once.
http::response summary_page(const incident_record& r);

// The coordination section of the summary (`<section id="coordination">`): the record of
// core/coordination.hpp (as in the JSON export and the review draft), up to the resolution.
std::string coordination_section(const incident_record& r);

// 303 to the page of the unfiltered timeline holding the entry `seq` of incident `incident_id`,
// with #seq, given its position in the timeline (store::timeline_position); 404 when nullopt.
http::response entry_redirect(std::int64_t incident_id, std::int64_t seq, std::optional<std::size_t> position);

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
