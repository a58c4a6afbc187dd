#include "core/review/layout.hpp"

#include "core/review/site.hpp"

namespace ib::review::detail {

std::string document(std::string_view title, std::string_view main_html, std::string_view body_attrs) {
    std::string out;
    out.reserve(main_html.size() + 1024);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
    out += html_text(title);
    out += " · incident-bot</title>\n<link rel=\"stylesheet\" href=\"/assets/review.css\">\n"
           "<script src=\"/assets/review.js\" defer></script>\n</head>\n<body";
    if (!body_attrs.empty()) out += " " + std::string(body_attrs);
    out += ">\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
           "<header class=\"site\"><nav aria-label=\"Site\"><a href=\"/\">Incidents</a> <a href=\"/stats\">Statistics</a>"
           "</nav></header>\n<main id=\"main\" tabindex=\"-1\">\n";
    out += main_html;
    out += "</main>\n</body>\n</html>\n";
    return out;
}

http::response html(int status, std::string body) {
    http::response res;
    res.status = status;
    res.content_type = "text/html; charset=utf-8";
    res.body = std::move(body);
    add_security_headers(res);
    return res;
}

std::string when(time_point t) {
    std::string iso = to_iso8601(t);
    std::string shown = iso;
    if (shown.size() == 20) {
        shown[10] = ' ';
        shown.pop_back();
    }
    return "<time datetime=\"" + html_text(iso) + "\">" + html_text(shown) + " UTC</time>";
}

std::string when(const std::optional<time_point>& t) { return t ? when(*t) : "—"; }

std::string person(std::string_view user, const user_names& names, std::string_view if_empty) {
    if (user.empty()) return html_text(if_empty);
    return html_text(user_label(user, names));
}

std::string person_select(std::string_view selected, std::span<const std::string> people, const user_names& names,
                          bool placeholder) {
    std::string s = std::string("<select id=\"person\" name=\"person\"") + (placeholder ? " data-summary" : "") +
                    "><option value=\"\">anyone</option>";
    const auto option = [&](std::string_view user) {
        s += "<option value=\"" + html_text(user) + "\"" + (user == selected ? " selected" : "") + ">" +
             person(user, names) + "</option>";
    };
    bool listed = selected.empty();
    for (const auto& user : people) {
        option(user);
        listed = listed || user == selected;
    }
    if (!listed) option(selected);
    return s + "</select>";
}

std::string query_string(std::initializer_list<std::pair<std::string_view, std::string>> pairs) {
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (value.empty()) continue;
        out += out.empty() ? "?" : "&";
        out += http::percent_encode(name) + "=" + http::percent_encode(value);
    }
    return out;
}

std::string param(const http::params& query, std::string_view name) {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
}

}  // namespace ib::review::detail
