// parse_pruned against nlohmann's parser, which it must agree with: whenever it returns a value,
// nlohmann accepts the same text and gives the same DOM (same types too) once the skipped
// members are removed. Slack's fixtures, hand-picked corner cases, mutated envelopes and
// random documents.
#include "core/slack/pruned_json.hpp"
#include "tests/support/json_same.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

using namespace ib::slack;
using json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 2> skip_list{"blocks", "authorizations"};
constexpr std::span<const std::string_view> skip{skip_list};

std::optional<json> nlohmann_parse(const std::string& text) {
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

// Checks the contract for one text; returns whether the fast path took it.
bool agrees(const std::string& text) {
    const auto fast = parse_pruned(text, skip, 64);
    if (!fast) return false;
    const auto full = nlohmann_parse(text);
    INFO("text: " << text);
    REQUIRE_MESSAGE(full.has_value(), "parse_pruned accepted what nlohmann rejects");
    const json expected = ib::test::without_members(*full, skip);
    CHECK_MESSAGE(ib::test::same_json(*fast, expected), "fast: " << fast->dump() << "\nfull: " << expected.dump());
    return true;
}

std::vector<std::string> fixture_texts() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(IB_SHARED_DIR "/slack-fixtures")) {
        if (e.path().extension() != ".json") continue;
        std::ifstream in(e.path(), std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::sort(out.begin(), out.end());  // directory order is not stable; seeds below are
    return out;
}

}  // namespace

TEST_SUITE("envelope") {

TEST_CASE("parse_pruned: Slack's fixtures take the fast path and match nlohmann") {
    const auto texts = fixture_texts();
    REQUIRE(texts.size() > 20);
    std::size_t fast = 0;
    for (const auto& t : texts) {
        if (agrees(t)) ++fast;
        // Compact, as Slack sends frames, and re-escaped to ASCII.
        const auto full = nlohmann_parse(t);
        REQUIRE(full.has_value());
        CHECK(agrees(full->dump()));
        agrees(full->dump(-1, ' ', true));
    }
    // Only documents with fractions in a kept position may fall back (the OpenAPI spec, schemas).
    CHECK(fast + 3 >= texts.size());
}

TEST_CASE("parse_pruned: corner cases") {
    SUBCASE("members named in skip are validated, not built") {
        const auto v = parse_pruned(R"({"a":1,"blocks":[{"x":1.5e3,"y":"\u00e9"}],"b":{"blocks":null}})", skip, 64);
        REQUIRE(v);
        CHECK(v->dump() == R"({"a":1,"b":{}})");
        CHECK_FALSE(parse_pruned(R"({"a":1,"blocks":[1,]})", skip, 64));
        CHECK_FALSE(parse_pruned(R"({"blocks":"\ud800"})", skip, 64));
        CHECK_FALSE(parse_pruned("{\"blocks\":\"\xC0\xAF\"}", skip, 64));
    }
    SUBCASE("strings: escapes, surrogate pairs, UTF-8") {
        const auto v = parse_pruned(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20ac\ud83d\ude00", "\u0000x"])", skip, 64);
        REQUIRE(v);
        CHECK((*v)[0] == "a\"b\\c/d\b\f\n\r\t");
        CHECK((*v)[1] == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
        CHECK((*v)[2] == std::string("\0x", 2));
        CHECK(agrees("[\"caf\xC3\xA9 \xF0\x9F\x94\xA5\"]"));
        for (const char* bad : {R"(["\ud800"])", R"(["\udc00"])", R"(["\ud800\u0041"])", R"(["\x"])", R"(["\u12G4"])",
                                "[\"\xC0\xAF\"]", "[\"\xED\xA0\x80\"]", "[\"\xF4\x90\x80\x80\"]", "[\"\xE2\x82\"]",
                                "[\"a\x01\"]", "[\"abc"})
            CHECK_FALSE(parse_pruned(bad, skip, 64));
    }
    SUBCASE("numbers: integers kept with nlohmann's types, the rest left to nlohmann") {
        const auto v = parse_pruned("[0, -0, 42, -7, 18446744073709551615, -9223372036854775808]", skip, 64);
        REQUIRE(v);
        CHECK(agrees(v->dump()));
        CHECK((*v)[2].is_number_unsigned());
        CHECK((*v)[3].is_number_integer());
        CHECK_FALSE((*v)[3].is_number_unsigned());
        for (const char* fallback : {"[1.5]", "[1e3]", "[18446744073709551616]", "[-9223372036854775809]"}) {
            CHECK_FALSE(parse_pruned(fallback, skip, 64));
            CHECK(nlohmann_parse(fallback).has_value());
        }
        for (const char* bad : {"[01]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]", "[0x10]"}) CHECK_FALSE(parse_pruned(bad, skip, 64));
    }
    SUBCASE("structure") {
        CHECK(parse_pruned(R"({"k":1,"k":2})", skip, 64)->at("k") == 2);  // the last one wins, as in nlohmann
        for (const char* ok : {"{}", "[]", " \t\r\n{ \"a\" : [ true , false , null ] } \n", "\"s\"", "7", "null"})
            CHECK(agrees(ok));
        for (const char* bad : {"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1] x", "[1][2]", "tru",
                                "nul", "[True]", "\xEF\xBB\xBF{}"})
            CHECK_FALSE(parse_pruned(bad, skip, 64));
        CHECK(parse_pruned("[[[1]]]", skip, 3));
        CHECK_FALSE(parse_pruned("[[[[1]]]]", skip, 3));
    }
}

TEST_CASE("parse_pruned: mutated envelopes never get past it when nlohmann would refuse them") {
    const auto texts = fixture_texts();
    std::vector<std::string> seeds;
    for (const auto& t : texts)
        if (t.size() < 4000) seeds.push_back(nlohmann_parse(t)->dump());
    REQUIRE(seeds.size() > 20);
    // Bytes that matter to a JSON lexer, and to UTF-8.
    using namespace std::string_literals;
    const std::string alphabet = "{}[]\",:\\/ u0123456789abcdefABCDEF.eE+-tfnrl\t\n"s +
                                 "\x00\x01\x1f\x7f\x80\xBF\xC0\xC2\xE0\xED\xEF\xF0\xF4\xF5\xFF"s;
    std::mt19937 rng(20261121);
    std::size_t taken = 0, total = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string t = seeds[rng() % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < edits && !t.empty(); ++k) {
            const std::size_t at = rng() % t.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
            case 0: t[at] = c; break;
            case 1: t.insert(t.begin() + static_cast<std::ptrdiff_t>(at), c); break;
            default: t.erase(at, 1 + rng() % 4); break;
            }
        }
        ++total;
        if (agrees(t)) ++taken;
    }
    // Many mutants stay valid JSON; the fast path must take a good share of them, or this test
    // would prove nothing.
    CHECK(taken > total / 10);
}

TEST_CASE("parse_pruned: random documents round-trip") {
    std::mt19937 rng(7);
    const std::vector<std::string> pieces{"a", "blocks", "authorizations", "text", "\xC3\xA9", "\xF0\x9F\x98\x80", "\"", "\\",
                                          "\n", std::string("\0", 1), "\x1f", "/", "\xE2\x80\xA8"};
    auto random_string = [&] {
        std::string s;
        for (int n = static_cast<int>(rng() % 4); n > 0; --n) s += pieces[rng() % pieces.size()];
        return s;
    };
    std::function<json(int)> random_value = [&](int depth) -> json {
        switch (rng() % (depth > 4 ? 5 : 7)) {
        case 0: return nullptr;
        case 1: return rng() % 2 == 0;
        case 2: return static_cast<std::int64_t>(rng()) - (1LL << 31);
        case 3: return static_cast<std::uint64_t>(rng()) << 32;
        case 4: return random_string();
        case 5: {
            json o = json::object();
            for (int n = static_cast<int>(rng() % 4); n > 0; --n) o[random_string()] = random_value(depth + 1);
            return o;
        }
        default: {
            json a = json::array();
            for (int n = static_cast<int>(rng() % 4); n > 0; --n) a.push_back(random_value(depth + 1));
            return a;
        }
        }
    };
    for (int i = 0; i < 3000; ++i) {
        const json v = random_value(0);
        CHECK(agrees(v.dump()));
        CHECK(agrees(v.dump(1, '\t', true)));
    }
}

}  // TEST_SUITE
