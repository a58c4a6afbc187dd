// Routing: where each Slack event goes (record, hold while its incident is being declared, or
// ack), flow control, when an event is acked; and which flow a command or a button starts.
#include "core/flows/dispatch.hpp"
#include "core/flows/record_events.hpp"

#include "core/incident_commands.hpp"
#include "core/reminders.hpp"
#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using kind = event_route::kind;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");

incident incident_in(const std::string& channel, std::int64_t id, status state = status::investigating) {
    incident inc;
    inc.id = id;
    inc.title = "Incident " + std::to_string(id);
    inc.channel_id = channel;
    inc.declared_at = t0;
    inc.state = state;
    return inc;
}

// The message fixture (channel C123ABC456) as Slack delivers it.
slack::events_api message_in_c123(const std::string& envelope_id = "env-1") {
    return event_fixture("event-callback-message.json", envelope_id);
}

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("events: recorded in an incident channel, held while it is declared, else acked") {
    incident_channels<std::string> channels;  // held: the envelope id

    SUBCASE("not an incident channel: ack") {
        const auto r = channels.route(message_in_c123());
        CHECK(r.what == kind::ack);
        CHECK(r.channel == "C123ABC456");
    }
    SUBCASE("an event about no channel (channel_created): ack") {
        const auto r = channels.route(event_fixture("event-callback-channel_created.json"));
        CHECK(r.what == kind::ack);
        CHECK(r.channel.empty());
    }
    SUBCASE("being declared: hold, in arrival order, until released") {
        channels.hold("C123ABC456");
        CHECK(channels.route(message_in_c123()).what == kind::hold);
        channels.keep("C123ABC456", "env-1");
        channels.keep("C123ABC456", "env-2");
        channels.keep("C0OTHER", "env-x");  // not held: ignored
        CHECK(channels.release("C123ABC456") == std::vector<std::string>{"env-1", "env-2"});
        CHECK(channels.release("C123ABC456").empty());
        CHECK(channels.route(message_in_c123()).what == kind::ack);  // released: not an incident channel
    }
    SUBCASE("declared: record for its incident; the latest incident of a channel wins") {
        channels.hold("C123ABC456");
        channels.set(incident_in("C123ABC456", 4));
        auto r = channels.route(message_in_c123());
        CHECK(r.what == kind::record);
        CHECK(r.incident_id == 4);
        channels.set(incident_in("C123ABC456", 9));
        CHECK(channels.route(message_in_c123()).incident_id == 9);
        CHECK(channels.find("C123ABC456")->id == 9);
        CHECK(channels.find(9)->channel_id == "C123ABC456");
        CHECK(channels.find(4) == nullptr);
    }
}

TEST_CASE("events: with several instances, a channel not known here is looked up, never dropped") {
    incident_channels<std::string> channels;
    CHECK_FALSE(channels.catch_up_declared());  // one instance: it has every event of its new channels
    channels.look_up_misses(true);
    CHECK(channels.catch_up_declared());  // the new-channel window: a channel declared here is caught up
    const auto r = channels.route(message_in_c123());
    CHECK(r.what == kind::lookup);
    CHECK(r.channel == "C123ABC456");
    CHECK(channels.route(event_fixture("event-callback-channel_created.json")).what == kind::ack);  // no channel
    // Held while declared here, recorded once known: no lookup for either.
    channels.hold("C123ABC456");
    CHECK(channels.route(message_in_c123()).what == kind::hold);
    (void)channels.release("C123ABC456");
    // What a lookup found is kept, unless the channel has a newer incident meanwhile.
    CHECK(channels.learn(incident_in("C123ABC456", 4)));
    CHECK(channels.route(message_in_c123()).what == kind::record);
    CHECK(channels.route(message_in_c123()).incident_id == 4);
    CHECK(channels.learn(incident_in("C123ABC456", 9)));
    CHECK_FALSE(channels.learn(incident_in("C123ABC456", 4)));
    CHECK(channels.find("C123ABC456")->id == 9);
    auto resolved = incident_in("C123ABC456", 9, status::resolved);
    CHECK(channels.learn(resolved));  // the same incident, as another instance changed it
    CHECK(channels.open_count() == 0);
}

TEST_CASE("events: open() lists the open incidents by id, open_count() counts them; all() every channel's") {
    incident_channels<int> channels;
    CHECK(channels.open_count() == 0);
    channels.set(incident_in("C3", 3));
    channels.set(incident_in("C1", 1, status::resolved));
    channels.set(incident_in("C2", 2, status::monitoring));
    const auto open = channels.open();
    REQUIRE(open.size() == 2);
    CHECK(open[0].id == 2);
    CHECK(open[1].id == 3);
    CHECK(channels.open_count() == 2);
    CHECK(channels.all().size() == 3);
    channels.set(incident_in("C3", 3, status::resolved));  // resolved
    CHECK(channels.open_count() == 1);
}

TEST_CASE("events: flow control pauses at the limit and resumes at a quarter") {
    write_window w(8);
    for (int i = 1; i < 8; ++i) CHECK_FALSE(w.submitted());
    CHECK(w.submitted());  // the 8th write in flight: pause
    CHECK(w.paused());
    CHECK_FALSE(w.submitted());  // already paused (a frame being handled still arrives)
    CHECK(w.in_flight() == 9);
    for (int i = 0; i < 6; ++i) CHECK_FALSE(w.finished());  // 3 left: still more than 8 / 4
    CHECK(w.in_flight() == 3);
    CHECK(w.finished());  // 2 left: read again
    CHECK_FALSE(w.paused());
    CHECK_FALSE(w.finished());
    CHECK_FALSE(w.finished());
    CHECK(w.in_flight() == 0);
    CHECK_FALSE(w.finished());  // never below zero
    CHECK(w.in_flight() == 0);
}

TEST_CASE("events: acked once durable; a failed write is not acked (Slack redelivers)") {
    const auto acked = event_written("env-1", nullptr);
    CHECK(std::get<ack>(acked.what).envelope_id == "env-1");
    CHECK(std::get<ack>(acked.what).payload.is_null());
    CHECK(acked.log.empty());

    const std::string error = "incidents.db: disk I/O error";
    const auto failed = event_written("env-2", &error);
    CHECK(std::holds_alternative<done>(failed.what));
    CHECK(failed.level == log_level::error);
    CHECK(failed.log == "not acking an event that could not be stored: incidents.db: disk I/O error");
}

TEST_CASE("dispatch: each command to its answer or its flow") {
    SUBCASE("start works anywhere; its key is the envelope's") {
        const auto r = route_command(slash("start Checkout errors sev2"), false);
        const auto& d = std::get<request::declare>(r);
        CHECK(d.what.title == "Checkout errors");
        CHECK(d.what.sev == severity::sev2);
        CHECK(d.key == "cmd:env-cmd");
    }
    SUBCASE("help, list, stats anywhere") {
        CHECK(std::get<request::answer>(route_command(slash(""), false)).text == usage_text());
        CHECK(std::get<request::answer>(route_command(slash("help"), true)).text == usage_text());
        CHECK(std::holds_alternative<request::list>(route_command(slash("list"), false)));
        CHECK(std::holds_alternative<request::stats>(route_command(slash("stats"), false)));
    }
    SUBCASE("a malformed command: the parser's message") {
        const auto r = route_command(slash("sev 9"), true);
        CHECK(std::get<request::answer>(r).text == parse_command("sev 9").error().message);
    }
    SUBCASE("incident commands outside an incident channel") {
        for (const char* t : {"ack", "resolve", "summary", "snooze 30m", "note hello"})
            CHECK(std::get<request::answer>(route_command(slash(t), false)).text == not_an_incident_channel_reply());
    }
    SUBCASE("incident commands in an incident channel") {
        CHECK(std::holds_alternative<request::summary>(route_command(slash("summary"), true)));
        CHECK(std::get<request::snooze>(route_command(slash("snooze 30m"), true)).duration == std::chrono::minutes{30});
        const auto r = route_command(slash("ack", "C0INC", "U0BOB", "env-77"), true);
        const auto& c = std::get<request::change>(r);
        CHECK(std::holds_alternative<cmd::ack>(c.what));
        CHECK(c.key == "cmd:env-77");
    }
}

TEST_CASE("dispatch: the reminder's buttons") {
    SUBCASE("Post update records the draft as a status-page update") {
        const auto r = route_button(click(std::string(post_update_action_id), "We are investigating."), true);
        REQUIRE(r);
        const auto& c = std::get<request::change>(*r);
        CHECK(std::get<cmd::statuspage>(c.what).text == "We are investigating.");
        CHECK(c.key == "button:env-btn");
    }
    SUBCASE("Snooze: the button's duration, else 15 minutes") {
        CHECK(std::get<request::snooze>(*route_button(click(std::string(snooze_action_id), "30m"), true)).duration ==
              std::chrono::minutes{30});
        CHECK(std::get<request::snooze>(*route_button(click(std::string(snooze_action_id), "soon"), true)).duration ==
              std::chrono::minutes{15});
    }
    SUBCASE("nothing to do") {
        CHECK_FALSE(route_button(click(std::string(post_update_action_id), ""), true));     // no draft
        CHECK_FALSE(route_button(click(std::string(post_update_action_id), "x"), false));  // not an incident channel
        CHECK_FALSE(route_button(click("a", "underlying"), true));                          // another app's button
    }
}

}  // TEST_SUITE flows
