// Shared pieces of the review pages (core/review/site.hpp): the page frame, times, people.
// Internal to core/review/.
#pragma once

#include "core/http.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ib::review::detail {

// A whole HTML document: header with the site's navigation, `main_html` inside <main>.
// `body_attrs` (already escaped) go on <body>, e.g. data-live for live updates.
std::string document(std::string_view title, std::string_view main_html, std::string_view body_attrs = {});
// An HTML answer with the security headers.
http::response html(int status, std::string body);
// `<time datetime="ISO">YYYY-MM-DD HH:MM:SS UTC</time>`; review.js adds the viewer's local time.
std::string when(time_point t);
std::string when(const std::optional<time_point>& t);  // "—" when not recorded
// A person: "@name" (the id when the name is not known), escaped; `if_empty` when no id.
std::string person(std::string_view user, const user_names& names, std::string_view if_empty = "—");
// The timeline's person filter, <select id="person" name="person">: "anyone", then `people` (user
// ids, as names), `selected` selected and added when it is not among them. A `placeholder` is
// the incident page's until the summary's list replaces it (data-summary).
std::string person_select(std::string_view selected, std::span<const std::string> people, const user_names& names,
                          bool placeholder);
// A query string from name/value pairs, skipping empty values: "?a=1&b=x%20y", or "".
std::string query_string(std::initializer_list<std::pair<std::string_view, std::string>> pairs);
// The value of `name` in `query`, "" when absent.
std::string param(const http::params& query, std::string_view name);

}  // namespace ib::review::detail
