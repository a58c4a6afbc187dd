// A strict RFC 4180 reader for tests that read an export back as a spreadsheet would.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ib_test {

// A minimal RFC 4180 reader: rows of fields (CRLF row ends, quoted fields with "" for a quote).
// Returns nullopt for anything malformed.
inline std::optional<std::vector<std::vector<std::string>>> read_csv(std::string_view s) {
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!field.empty() || was_quoted) return std::nullopt;
            quoted = was_quoted = true;
        } else if (c == ',') {
            rows.back().push_back(std::move(field));
            field.clear();
            was_quoted = false;
        } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            rows.back().push_back(std::move(field));
            field.clear();
            was_quoted = false;
            rows.emplace_back();
            ++i;
        } else if (c == '\r' || c == '\n' || was_quoted) {
            return std::nullopt;  // a bare line break, or text after a closing quote
        } else {
            field += c;
        }
    }
    if (quoted) return std::nullopt;
    if (!rows.back().empty() || !field.empty()) return std::nullopt;  // no CRLF at the end
    rows.pop_back();
    return rows;
}

}  // namespace ib_test
