// The event -> timeline mapping, driven by Slack's own payloads from shared/slack-fixtures.
#include "core/recording.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <sstream>

using namespace ib;

namespace {

const time_point received = *parse_iso8601("2026-11-21T10:00:00Z");

nlohmann::json fixture(const std::string& name) {
    std::ifstream in(std::string(IB_SHARED_DIR) + "/slack-fixtures/" + name);
    REQUIRE_MESSAGE(in, "missing fixture " << name);
    std::stringstream ss;
    ss << in.rdbuf();
    return nlohmann::json::parse(ss.str());
}

// Wraps an Events API payload (event_callback) in a Socket Mode envelope and parses it.
slack::events_api envelope_of(nlohmann::json payload) {
    const nlohmann::json env{{"envelope_id", "env-1"},  {"type", "events_api"},  {"payload", std::move(payload)},
                             {"accepts_response_payload", false}, {"retry_attempt", 0}, {"retry_reason", ""}};
    auto f = slack::parse_frame(env.dump());
    auto* ev = std::get_if<slack::events_api>(&f);
    REQUIRE_MESSAGE(ev, "fixture did not parse as events_api");
    return *ev;
}

slack::events_api event_fixture(const std::string& name) { return envelope_of(fixture(name)); }

}  // namespace

TEST_SUITE("recording") {

TEST_CASE("a user message keeps Slack's ts, user and text, and is tagged") {
    auto ev = event_fixture("event-callback-message.json");
    auto* m = std::get_if<slack::message_event>(&ev.event);
    REQUIRE(m);
    m->text = "looks like the cache is cold after the deploy";
    const auto r = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(r);
    CHECK(r->channel == m->channel);
    CHECK(r->entry.kind == entry_kind::message);
    CHECK(r->entry.key == ev.event_id);
    CHECK(r->entry.slack_ts == m->ts);
    CHECK(r->entry.at == *parse_slack_ts(m->ts));
    CHECK(r->entry.user == m->user);
    CHECK(r->entry.received_at == received);
    CHECK(r->entry.has_tag(tag::hypothesis));
}

TEST_CASE("the Socket Mode message envelope from the Python SDK maps to a message entry") {
    auto f = slack::parse_frame(fixture("socket-mode-events_api-message.json").dump());
    auto* ev = std::get_if<slack::events_api>(&f);
    REQUIRE(ev);
    const auto r = to_timeline_entry(*ev, "UBOT", received);
    REQUIRE(r);
    CHECK(r->entry.kind == entry_kind::message);
    CHECK_FALSE(r->entry.key.empty());
}

TEST_CASE("bot messages are recorded but not as participant messages, and are not tagged") {
    auto ev = event_fixture("event-callback-message-bot_message.json");
    const auto r = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(r);
    CHECK(r->entry.kind == entry_kind::bot_message);
    CHECK(r->entry.tags.empty());

    SUBCASE("our own posts (user = the bot's user id) too") {
        auto own = event_fixture("event-callback-message.json");
        auto* m = std::get_if<slack::message_event>(&own.event);
        m->text = "I'll roll back now";  // would be an action if a person said it
        const auto o = to_timeline_entry(own, m->user, received);
        REQUIRE(o);
        CHECK(o->entry.kind == entry_kind::bot_message);
        CHECK(o->entry.tags.empty());
    }
}

TEST_CASE("edits and deletions are entries of their own that point at the original") {
    auto changed = event_fixture("event-callback-message-message_changed.json");
    const auto* m = std::get_if<slack::message_event>(&changed.event);
    REQUIRE(m);
    const auto e = to_timeline_entry(changed, "UBOT", received);
    REQUIRE(e);
    CHECK(e->entry.kind == entry_kind::edit);
    CHECK(e->entry.ref_ts == m->changed_ts);
    CHECK(e->entry.text == m->new_text);

    auto deleted = event_fixture("event-callback-message-message_deleted.json");
    const auto* d = std::get_if<slack::message_event>(&deleted.event);
    REQUIRE(d);
    const auto x = to_timeline_entry(deleted, "UBOT", received);
    REQUIRE(x);
    CHECK(x->entry.kind == entry_kind::deletion);
    CHECK(x->entry.ref_ts == d->deleted_ts);
}

TEST_CASE("thread replies remember their thread") {
    auto ev = event_fixture("event-callback-message-thread_broadcast.json");
    const auto* m = std::get_if<slack::message_event>(&ev.event);
    REQUIRE(m);
    const auto r = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(r);
    CHECK(r->entry.kind == entry_kind::message);
    CHECK(r->entry.attr("thread_ts") == m->thread_ts);
}

TEST_CASE("joins come from member_joined_channel; the channel_join message is not a second record") {
    auto join = event_fixture("event-callback-member_joined_channel.json");
    const auto* j = std::get_if<slack::member_joined>(&join.event);
    REQUIRE(j);
    const auto r = to_timeline_entry(join, "UBOT", received);
    REQUIRE(r);
    CHECK(r->entry.kind == entry_kind::join);
    CHECK(r->entry.user == j->user);
    CHECK(r->channel == j->channel);
    REQUIRE(r->entry.tags.size() == 1);
    CHECK(r->entry.tags[0].tag == tag::join);
    CHECK(r->entry.tags[0].rule == "member_joined_channel");
    if (!j->inviter.empty()) CHECK(r->entry.attr("inviter") == j->inviter);

    CHECK_FALSE(to_timeline_entry(event_fixture("event-callback-message-channel_join.json"), "UBOT", received));
    // The bot joining the channel it created is not a participant joining.
    CHECK_FALSE(to_timeline_entry(join, j->user, received));

    auto left = event_fixture("event-callback-member_left_channel.json");
    const auto l = to_timeline_entry(left, "UBOT", received);
    REQUIRE(l);
    CHECK(l->entry.kind == entry_kind::leave);
}

TEST_CASE("reactions: a pushpin marks a key moment") {
    auto ev = event_fixture("event-callback-reaction_added.json");
    auto* r = std::get_if<slack::reaction>(&ev.event);
    REQUIRE(r);
    const auto plain = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(plain);
    CHECK(plain->entry.kind == (is_key_moment_reaction(r->reaction) ? entry_kind::key_moment : entry_kind::reaction));
    CHECK(plain->entry.ref_ts == r->item_ts);
    CHECK(plain->channel == r->item_channel);

    r->reaction = "pushpin";
    const auto pin = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(pin);
    CHECK(pin->entry.kind == entry_kind::key_moment);
    CHECK(pin->entry.attr("reaction") == "pushpin");

    r->added = false;
    const auto un = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(un);
    CHECK(un->entry.kind == entry_kind::unreaction);
}

// The bot routes an event by event_channel() before converting it on the storage thread: the two
// must agree on every event that is recorded.
TEST_CASE("event_channel names the channel every recorded event is filed under") {
    for (const char* name : {"event-callback-message.json", "event-callback-message-bot_message.json",
                             "event-callback-message-message_changed.json", "event-callback-message-message_deleted.json",
                             "event-callback-message-thread_broadcast.json", "event-callback-member_joined_channel.json",
                             "event-callback-member_left_channel.json", "event-callback-reaction_added.json",
                             "event-callback-reaction_added-events-api-guide.json", "event-callback-app_mention.json",
                             "event-callback-channel_created.json", "event-callback-app_rate_limited.json"}) {
        CAPTURE(name);
        const auto ev = event_fixture(name);
        const auto recorded = to_timeline_entry(ev, "UBOT", received);
        const auto channel = event_channel(ev);
        if (recorded) {
            REQUIRE(channel);
            CHECK(*channel == recorded->channel);
        }
    }
    CHECK(event_channel(event_fixture("event-callback-member_joined_channel.json")) == "C123ABC456");
    CHECK_FALSE(event_channel(event_fixture("event-callback-channel_created.json")));
    CHECK_FALSE(event_channel(event_fixture("event-callback-app_rate_limited.json")));
}

TEST_CASE("events with nothing to record") {
    CHECK_FALSE(to_timeline_entry(event_fixture("event-callback-app_mention.json"), "UBOT", received));
    CHECK_FALSE(to_timeline_entry(event_fixture("event-callback-channel_created.json"), "UBOT", received));
    CHECK_FALSE(to_timeline_entry(event_fixture("event-callback-app_rate_limited.json"), "UBOT", received));
}

TEST_CASE("a malformed ts falls back to the event time, then to the receive time") {
    auto ev = event_fixture("event-callback-message.json");
    auto* m = std::get_if<slack::message_event>(&ev.event);
    m->ts = "not-a-ts";
    ev.event_time = 1'700'000'000;
    auto r = to_timeline_entry(ev, "UBOT", received);
    REQUIRE(r);
    CHECK(r->entry.slack_ts.empty());
    CHECK(r->entry.at == from_unix_seconds(1'700'000'000));
    ev.event_time = 0;
    r = to_timeline_entry(ev, "UBOT", received);
    CHECK(r->entry.at == received);
    ev.event_time = std::numeric_limits<std::int64_t>::max();  // found by fuzzing: must not overflow
    r = to_timeline_entry(ev, "UBOT", received);
    CHECK(r->entry.at == received);
}

}  // TEST_SUITE
