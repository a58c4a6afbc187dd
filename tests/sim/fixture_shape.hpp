// Slack's fixtures (shared/slack-fixtures/) and a shape check against them, for the simulator's
// tests: every key Slack sends must be there, with the same JSON type.
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace ib::test {

inline nlohmann::json
load_fixture(const std::string& name)
{
    std::ifstream in(std::string(IB_SHARED_DIR) + "/slack-fixtures/" + name);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
    return nlohmann::json::parse(in);
}

// Keys of `expected` (recursively; arrays by their first element) that `actual` lacks or
// holds with another JSON type. A null in the fixture matches any value.
inline void
collect_missing(const nlohmann::json& expected, const nlohmann::json& actual, const std::string& path,
                std::vector<std::string>& out)
{
    if (expected.is_object()) {
        if (!actual.is_object()) {
            out.push_back(path + " is not an object");
            return;
        }
        for (auto& [key, value] : expected.items()) {
            auto it = actual.find(key);
            if (it == actual.end())
                out.push_back(path + "." + key + " missing");
            else
                collect_missing(value, *it, path + "." + key, out);
        }
    } else if (expected.is_array()) {
        if (!actual.is_array())
            out.push_back(path + " is not an array");
        else if (!expected.empty() && !actual.empty())
            collect_missing(expected[0], actual[0], path + "[0]", out);
    } else if (!expected.is_null()) {
        bool same = (expected.is_string() && actual.is_string()) || (expected.is_number() && actual.is_number()) ||
                    (expected.is_boolean() && actual.is_boolean());
        if (!same)
            out.push_back(path + " is " + actual.type_name() + ", Slack sends " + expected.type_name());
    }
}

// "" when actual has every key of expected with its type, else what is missing or different.
inline std::string
missing_keys(const nlohmann::json& expected, const nlohmann::json& actual)
{
    std::vector<std::string> out;
    collect_missing(expected, actual, "$", out);
    std::string joined;
    for (auto& m : out)
        joined += m + "; ";
    return joined;
}

}  // namespace ib::test
