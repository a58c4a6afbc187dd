// Comparing a parse_pruned result with nlohmann's: shared by the unit test and the fuzz target.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <span>
#include <string_view>

namespace ib::test {

// `j` without the members named in `drop`, at any depth.
inline nlohmann::json without_members(const nlohmann::json& j, std::span<const std::string_view> drop) {
    if (j.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : j.items())
            if (std::find(drop.begin(), drop.end(), k) == drop.end()) out[k] = without_members(v, drop);
        return out;
    }
    if (j.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : j) out.push_back(without_members(v, drop));
        return out;
    }
    return j;
}

// Same value and same types: nlohmann's == takes 1 (number_integer) and 1u (number_unsigned) as
// equal, and a reader that checks is_number_unsigned would not.
inline bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.type() != b.type() || a.size() != b.size()) return false;
    if (a.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const auto other = b.find(it.key());
            if (other == b.end() || !same_json(*it, *other)) return false;
        }
        return true;
    }
    if (a.is_array()) {
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same_json(a[i], b[i])) return false;
        return true;
    }
    return a == b;
}

}  // namespace ib::test
