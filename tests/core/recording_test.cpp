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

TEST_CASE("joins come from member_joined_channel and from the channel_join message") {
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
    // The bot joining the channel it created is not a participant joining.
    CHECK_FALSE(to_timeline_entry(join, j->user, received));

    // Slack reports the same join as a channel_join message too, with a ts of its own (the store
    // keeps one join per membership: store.hpp); only the message is in the channel's history.
    auto message = event_fixture("event-callback-message-channel_join.json");
    const auto* m = std::get_if<slack::message_event>(&message.event);
    REQUIRE(m);
    const auto by_message = to_timeline_entry(message, "UBOT", received);
    REQUIRE(by_message);
    CHECK(by_message->entry.kind == entry_kind::join);
    CHECK(by_message->entry.user == "U2147483828");
    CHECK(by_message->entry.slack_ts == "1358877458.000011");
    CHECK(by_message->entry.text == "joined");
    CHECK(by_message->entry.attr("inviter") == "U123456789");
    CHECK(by_message->entry.tags == std::vector<tag_hit>{{tag::join, "channel_join"}});
    CHECK_FALSE(to_timeline_entry(message, "U2147483828", received));

    auto left = event_fixture("event-callback-member_left_channel.json");
    const auto l = to_timeline_entry(left, "UBOT", received);
    REQUIRE(l);
    CHECK(l->entry.kind == entry_kind::leave);
    auto leave_message = message;
    std::get<slack::message_event>(leave_message.event).subtype = "channel_leave";
    const auto lm = to_timeline_entry(leave_message, "UBOT", received);
    REQUIRE(lm);
    CHECK(lm->entry.kind == entry_kind::leave);
    CHECK(lm->entry.tags.empty());
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

// ---- messages read from the channel's history ----------------------------------------------

namespace {

// A message event fixture's inner event as conversations.history lists the message: the same
// fields, no `channel`, no event wrapper (slack-protocol.md §6; web-api-conversations.history-ok.json).
nlohmann::json as_history(const std::string& event_fixture_name) {
    auto m = fixture(event_fixture_name)["event"];
    m.erase("channel");
    m.erase("event_ts");
    m.erase("channel_type");
    return m;
}

slack::history_message read_history(nlohmann::json m, const std::string& channel = "C0INC") {
    std::string problem;
    auto h = slack::read_history_message(m, channel, &problem);
    REQUIRE_MESSAGE(h, problem);
    return *h;
}

// The entry without what only a live event has (its event_id).
timeline_entry without_key(timeline_entry e) {
    e.key.clear();
    return e;
}

void check_same_entry(const timeline_entry& a, const timeline_entry& b) {
    CHECK(a.kind == b.kind);
    CHECK(a.user == b.user);
    CHECK(a.text == b.text);
    CHECK(a.tags == b.tags);
    CHECK(a.slack_ts == b.slack_ts);
    CHECK(a.at == b.at);
    CHECK(a.ref_ts == b.ref_ts);
    CHECK(a.attrs == b.attrs);
    CHECK(a.key == b.key);
    CHECK(a.received_at == b.received_at);
}

}  // namespace

TEST_CASE("a message read from history becomes the entry its message event would have given") {
    for (const char* name : {"event-callback-message.json", "event-callback-message-bot_message.json",
                             "event-callback-message-thread_broadcast.json", "event-callback-message-channel_join.json"}) {
        CAPTURE(name);
        auto live_event = event_fixture(name);
        auto& live_message = std::get<slack::message_event>(live_event.event);
        live_message.channel = "C0INC";
        if (std::string_view(name) == "event-callback-message.json")
            live_message.text = "I think the cache is cold after the deploy";  // something to tag
        const auto live = to_timeline_entry(live_event, "UBOT", received);
        REQUIRE(live);

        auto listed = as_history(name);
        listed["text"] = live_message.text;
        const auto h = read_history(listed);
        CHECK(h.message.channel == "C0INC");
        const auto recovered = to_timeline_entry(h, "UBOT", received);
        REQUIRE(recovered);
        check_same_entry(*recovered, without_key(live->entry));
    }
    // The bot's own join is not recorded from history either.
    CHECK_FALSE(to_timeline_entry(read_history(as_history("event-callback-message-channel_join.json")), "U2147483828",
                                  received));
}

TEST_CASE("Slack's own history and replies pages read as messages") {
    for (const char* name : {"web-api-conversations.history-ok.json", "web-api-conversations.replies-ok.json"}) {
        CAPTURE(name);
        auto page = fixture(name)["messages"];
        const auto entries = history_page_entries(page, "C0INC", "UBOT", {}, received);
        CHECK(entries.unusable == 0);
        REQUIRE(entries.entries.size() == fixture(name)["messages"].size());
        for (std::size_t i = 1; i < entries.entries.size(); ++i) CHECK(entries.entries[i - 1].at <= entries.entries[i].at);
        for (const auto& e : entries.entries) {
            CHECK(e.kind == entry_kind::message);
            CHECK(e.key.empty());
            CHECK(e.slack_ts == to_slack_ts(e.at));
        }
    }
    auto replies = fixture("web-api-conversations.replies-ok.json")["messages"];
    const auto r = history_page_entries(replies, "C0INC", "UBOT", {}, received);
    CHECK(r.entries[0].attrs.count("thread_ts") == 0);  // the parent
    CHECK(r.entries[1].attr("thread_ts") == "1482960137.003543");
}

TEST_CASE("a history page: oldest first, unusable elements counted and skipped") {
    nlohmann::json page = nlohmann::json::array(
        {{{"type", "message"}, {"user", "U0B"}, {"text", "second"}, {"ts", "1700000002.000000"}},
         {{"type", "message"}, {"user", "U0B"}, {"text", "no ts"}},
         42,
         {{"type", "message"}, {"user", 7}, {"text", "user is a number"}, {"ts", "1700000003.000000"}},
         {{"type", "message"}, {"user", "U0A"}, {"text", "first"}, {"ts", "1700000001.000000"}}});
    const auto entries = history_page_entries(page, "C0INC", "UBOT", {}, received);
    REQUIRE(entries.entries.size() == 2);
    CHECK(entries.entries[0].text == "first");
    CHECK(entries.entries[1].text == "second");
    CHECK(entries.unusable == 3);
    CHECK(entries.first_problem == "message.ts: missing");

    nlohmann::json not_a_page = nlohmann::json::object();
    CHECK(history_page_entries(not_a_page, "C0INC", "UBOT", {}, received).unusable == 1);
}

TEST_CASE("pins shown in history are reconciled with the key moments on the timeline") {
    nlohmann::json m{{"type", "message"}, {"user", "U0AUTHOR"}, {"text", "rolled back"}, {"ts", "1700000100.000000"},
                     {"reactions", {{{"name", "pushpin"}, {"users", {"U0A", "U0B"}}, {"count", 2}},
                                    {{"name", "eyes"}, {"users", {"U0C"}}, {"count", 1}},
                                    {{"name", "round_pushpin"}, {"users", {"U0D"}}, {"count", 1}}}}};
    const auto h = read_history(m);
    REQUIRE(h.reactions.size() == 3);
    CHECK(h.reactions[0] == slack::message_reaction{"pushpin", {"U0A", "U0B"}});

    // On the timeline: U0A's pin (current), U0D's round_pushpin added then removed, U0E's pin
    // (history no longer shows it: removed while the bot was down), a pin on another message.
    const auto pin = [](entry_kind kind, std::string user, std::string emoji, std::string ts, time_point at) {
        timeline_entry e;
        e.kind = kind;
        e.user = std::move(user);
        e.ref_ts = std::move(ts);
        e.at = at;
        e.attrs["reaction"] = std::move(emoji);
        return e;
    };
    const time_point before = from_unix_seconds(1700000200);
    const std::vector<timeline_entry> recorded{
        pin(entry_kind::key_moment, "U0A", "pushpin", "1700000100.000000", before),
        pin(entry_kind::key_moment, "U0D", "round_pushpin", "1700000100.000000", before),
        pin(entry_kind::unreaction, "U0D", "round_pushpin", "1700000100.000000", before + std::chrono::seconds{5}),
        pin(entry_kind::key_moment, "U0E", "pushpin", "1700000100.000000", before),
        pin(entry_kind::key_moment, "U0F", "pushpin", "1699999999.000000", before),
    };
    const auto out = reconcile_pins(h, recorded, received);
    REQUIRE(out.size() == 3);
    // U0B's pin, dated at the message; U0D's again, after the removal the timeline holds.
    CHECK(out[0].kind == entry_kind::key_moment);
    CHECK(out[0].user == "U0B");
    CHECK(out[0].at == from_unix_seconds(1700000100));
    CHECK(out[0].ref_ts == "1700000100.000000");
    CHECK(out[0].attr("reaction") == "pushpin");
    CHECK(out[0].attr("item_user") == "U0AUTHOR");
    CHECK(out[0].text == ":pushpin:");
    CHECK(out[1].kind == entry_kind::key_moment);
    CHECK(out[1].user == "U0D");
    CHECK(out[1].at == received);
    // U0E's pin is gone from history: a removal, dated when the bot found out.
    CHECK(out[2].kind == entry_kind::unreaction);
    CHECK(out[2].user == "U0E");
    CHECK(out[2].at == received);

    // Already in line: nothing.
    CHECK(reconcile_pins(read_history({{"type", "message"}, {"ts", "1699999999.000000"},
                                       {"reactions", {{{"name", "pushpin"}, {"users", {"U0F"}}}}}}),
                         recorded, received)
              .empty());
}

}  // TEST_SUITE
