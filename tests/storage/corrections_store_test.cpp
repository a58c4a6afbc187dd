// Corrections in the store: messages read back with their effective tags wherever they are read,
// the stored tags stay the tagger's, and retag re-derives those without touching corrections.
#include "core/corrections.hpp"
#include "core/tagger.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace ib;
using namespace ib::storage;
using namespace ib::storage::testing;

namespace {

// Incident 1 with two tagged messages; returns its id.
std::int64_t seed(store& s, timeline_entry& hedge, timeline_entry& restart) {
    incident inc = sample_incident();
    auto decl = declare_entry("decl", t0());
    const auto id = s.create_incident(inc, decl);
    hedge = sample_entry(id, "Ev1", t0(10), "I think the cache is stale");
    hedge.tags = tag_message(hedge.text);
    restart = sample_entry(id, "Ev2", t0(20), "restarting the api pods now");
    restart.tags = tag_message(restart.text);
    REQUIRE(s.append(hedge));
    REQUIRE(s.append(restart));
    return id;
}

const timeline_entry* by_ts(const std::vector<timeline_entry>& tl, const std::string& ts) {
    for (const auto& e : tl)
        if (e.kind == entry_kind::message && e.slack_ts == ts) return &e;
    return nullptr;
}

}  // namespace

TEST_SUITE("corrections") {

TEST_CASE("store: a corrected message reads with its corrected tags in every read") {
    temp_dir dir;
    store s(test_db(dir.file("c.db")));
    timeline_entry hedge, restart;
    const auto id = seed(s, hedge, restart);
    const auto c = make_correction(hedge, std::vector<tag>{tag::status}, "U0CAROL", t0(30), "correction:V1");
    REQUIRE(s.append(c));
    CHECK_FALSE(s.append(c));  // the same submission once

    const auto tl = s.timeline(id);
    REQUIRE(by_ts(tl, hedge.slack_ts));
    CHECK(tag_names(by_ts(tl, hedge.slack_ts)->tags) == "status");
    CHECK(by_ts(tl, hedge.slack_ts)->tags.front().rule == "correction:U0CAROL");
    CHECK(by_ts(tl, restart.slack_ts)->tags == restart.tags);
    const auto stored = std::find_if(tl.begin(), tl.end(), [](const timeline_entry& e) { return e.kind == entry_kind::correction; });
    REQUIRE(stored != tl.end());
    CHECK(stored->user == "U0CAROL");
    CHECK(stored->ref_ts == hedge.slack_ts);
    CHECK(stored->attr("from") == tag_names(hedge.tags));
    CHECK(stored->attr("to") == "status");

    const entry_kind messages[] = {entry_kind::message};
    const auto only = s.timeline_of_kinds(id, messages);
    CHECK(tag_names(by_ts(only, hedge.slack_ts)->tags) == "status");
    const auto one = s.message(id, hedge.slack_ts);
    REQUIRE(one);
    CHECK(tag_names(one->tags) == "status");
    CHECK_FALSE(s.message(id, "1.000001"));
    CHECK_FALSE(s.message(id, ""));

    // A read-only open (the bot's reader, export) sees the same.
    store ro(test_db(dir.file("c.db")), open_options{.read_only = true});
    CHECK(tag_names(ro.message(id, hedge.slack_ts)->tags) == "status");

    // What is stored with the message itself is still the tagger's.
    const auto tags = raw_sql(test_db(dir.file("c.db")),
                              "SELECT tags FROM timeline WHERE slack_ts = '" + hedge.slack_ts + "' AND kind = 'message'");
    CHECK(tags.find("hypothesis") != std::string::npos);
}

TEST_CASE("store: retag re-derives the stored tags and keeps every correction") {
    temp_dir dir;
    store s(test_db(dir.file("r.db")));
    timeline_entry hedge, restart;
    const auto id = seed(s, hedge, restart);
    REQUIRE(s.append(make_correction(hedge, std::vector<tag>{tag::command}, "U0CAROL", t0(30), "correction:V1")));

    // A "tagger" that calls every message a status update.
    const auto all_status = [](const timeline_entry& e) -> std::optional<std::vector<tag_hit>> {
        if (e.kind != entry_kind::message) return std::nullopt;
        return std::vector<tag_hit>{{tag::status, "test:status"}};
    };
    const auto r = s.retag(id, all_status);
    CHECK(r.messages == 2);
    CHECK(r.changed == 2);
    CHECK(r.corrected == 1);
    const auto tl = s.timeline(id);
    CHECK(tag_names(by_ts(tl, hedge.slack_ts)->tags) == "command");  // the correction still applies
    REQUIRE(by_ts(tl, restart.slack_ts)->tags.size() == 1);
    CHECK(by_ts(tl, restart.slack_ts)->tags.front().rule == "test:status");
    // Again: nothing left to change.
    CHECK(s.retag(id, all_status).changed == 0);
    // With the real tagger back: the messages' tags are what the recorder gives them.
    CHECK(s.retag(id, retagged).changed == 2);
    CHECK(s.message(id, restart.slack_ts)->tags == tag_message(restart.text));
    CHECK_THROWS_AS(s.retag(99, retagged), storage_error);
}

TEST_CASE("store: the timeline stays append-only but for retagging a message's tags") {
    temp_dir dir;
    store s(test_db(dir.file("t.db")));
    timeline_entry hedge, restart;
    (void)seed(s, hedge, restart);
    const auto db = test_db(dir.file("t.db"));
    raw_sql(db, "UPDATE timeline SET tags = '[]' WHERE kind = 'message'");  // allowed: retag
    CHECK_THROWS_WITH_AS(raw_sql(db, "UPDATE timeline SET tags = 'nope' WHERE kind = 'message'"),
                         doctest::Contains("append-only"), std::runtime_error);
    CHECK_THROWS_WITH_AS(raw_sql(db, "UPDATE timeline SET tags = '[]', \"text\" = 'x' WHERE kind = 'message'"),
                         doctest::Contains("append-only"), std::runtime_error);
    CHECK_THROWS_WITH_AS(raw_sql(db, "UPDATE timeline SET tags = '[]' WHERE kind = 'declare'"),
                         doctest::Contains("append-only"), std::runtime_error);
    CHECK_THROWS_WITH_AS(raw_sql(db, "DELETE FROM timeline WHERE kind = 'message'"), doctest::Contains("append-only"),
                         std::runtime_error);
}

}  // TEST_SUITE
