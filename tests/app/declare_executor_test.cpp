// The executor carrying out a declaration through a scripted slack_api (the seam) and a real
// recorder on a SQLite file: no sockets, no Beast. Checks the exact requests sent to Slack, the
// acks, what is stored, the flow's journal, and an event that arrives while the incident is
// being declared.
#include "executor_harness.hpp"

#include "core/flows/declare.hpp"

#include <doctest/doctest.h>

using namespace ib_test::app;

TEST_SUITE("executor") {

TEST_CASE("declare through the seam: name_taken, then stored, acked, invited, announced; a held join stored") {
    harness h;
    h.slack.script["conversations.create"] = {
        {200, ib_test::fixture_text("web-api-conversations.create-error-name_taken.json")},
        {200, created_body("C123ABC456", base_name + "-2")},
    };
    // Slack delivers a join in the new channel while the incident is being stored. And before each
    // post or channel creation, the flow's state (saying that call is in flight) is durable.
    std::vector<std::string> journaled_at;
    h.slack.on_request = [&](const scripted_slack::request& r) {
        if (!r.idempotent) {
            const auto rows = h.journal();
            REQUIRE(rows.size() == 1);
            CHECK(rows[0].key == "cmd:env-cmd");
            CHECK(rows[0].kind == "declare");
            journaled_at.push_back(nlohmann::json::parse(rows[0].state)["state"]["at"].get<std::string>());
        }
        if (r.method != "conversations.create" || r.args["name"] != base_name + "-2") return;
        net::post(h.ioc, [&] {
            h.intake.on_event(ib_test::event_fixture("event-callback-member_joined_channel.json", "env-join"), h.sink);
        });
    };
    h.declare([&] { return h.sink->frames.size() == 2; });

    // The requests, in order, exactly.
    const auto& req = h.slack.requests;
    REQUIRE(req.size() == 5);
    CHECK(req[0].method == "conversations.create");
    CHECK(req[0].args["name"] == base_name);
    CHECK_FALSE(req[0].idempotent);
    CHECK(req[1].args["name"] == base_name + "-2");
    CHECK(req[2].method == "conversations.invite");
    CHECK(req[2].args == nlohmann::json{{"channel", "C123ABC456"}, {"users", "U0ALICE"}});
    CHECK(req[3].method == "conversations.setTopic");
    CHECK(req[4].method == "chat.postMessage");
    CHECK(req[4].args["channel"] == "C123ABC456");
    CHECK_FALSE(req[4].idempotent);

    // The command's ack carries the answer; the held join is acked once it is stored.
    CHECK(h.sink->frames[0]["envelope_id"] == "env-cmd");
    CHECK(h.sink->frames[0]["payload"]["response_type"] == "ephemeral");
    CHECK(h.sink->frames[0]["payload"]["text"].get<std::string>().find("<#C123ABC456|" + base_name + "-2>") !=
          std::string::npos);
    CHECK(h.sink->frames[1] == nlohmann::json{{"envelope_id", "env-join"}});

    // Stored: the incident, its declare entry and the join, in that incident.
    const auto inc = h.read<std::optional<incident>>([](storage::store& s) { return s.latest_incident(); });
    REQUIRE(inc);
    CHECK(inc->channel_id == "C123ABC456");
    CHECK(inc->channel_name == base_name + "-2");
    const auto timeline = h.read<std::vector<timeline_entry>>([&](storage::store& s) { return s.timeline(inc->id); });
    REQUIRE(timeline.size() == 2);  // ordered by `at`: the fixture's join is from 1973 (its event_time)
    const auto& declare = timeline[0].kind == entry_kind::declare ? timeline[0] : timeline[1];
    const auto& join = timeline[0].kind == entry_kind::declare ? timeline[1] : timeline[0];
    CHECK(declare.kind == entry_kind::declare);
    CHECK(declare.key == "cmd:env-cmd");
    CHECK(join.kind == entry_kind::join);
    CHECK(join.user == "W123ABC456");
    CHECK(join.key == "Ev123ABC456");

    // In memory: the channel routes to the incident, whose reminders are scheduled.
    REQUIRE(h.st.channels.find("C123ABC456"));
    CHECK(h.st.channels.find("C123ABC456")->id == inc->id);
    CHECK(h.st.reminders.due_at(inc->id) == t0 + 30min);
    CHECK(h.wakes == 1);

    // Journaled before both creates and the announcement; forgotten once the flow ended.
    CHECK(journaled_at == std::vector<std::string>{"creating", "creating", "announcing"});
    h.run_until([&] { return h.journal().empty(); });
    // Reported for the metrics: one open incident, the held join acked as newly stored.
    CHECK(h.seen.open_counts == std::vector<std::size_t>{1});
    CHECK(h.seen.acked == std::vector<write_outcome>{write_outcome::stored});
}

TEST_CASE("events through the intake: stored, then a redelivery acked as a duplicate; the bot's own join stores nothing") {
    harness h;
    // The fixtures' channel has an incident; the fixtures' joiner is the bot itself.
    h.st.bot_user_id = "W123ABC456";
    incident inc = storage::testing::sample_incident("C123ABC456");
    h.read<std::int64_t>([&](storage::store& s) {
        auto declare = storage::testing::declare_entry("cmd:env-cmd", storage::testing::t0());
        return s.create_incident(inc, declare);
    });
    h.st.channels.set(inc);

    const auto message = [] { return ib_test::event_fixture("event-callback-message.json", "env-m"); };
    h.intake.on_event(message(), h.sink);
    h.run_until([&] { return h.sink->frames.size() == 1; });
    h.intake.on_event(message(), h.sink);  // Slack redelivers it (it saw no ack in time)
    h.run_until([&] { return h.sink->frames.size() == 2; });
    h.intake.on_event(ib_test::event_fixture("event-callback-member_joined_channel.json", "env-j"), h.sink);
    h.run_until([&] { return h.sink->frames.size() == 3; });

    CHECK(h.sink->frames[2] == nlohmann::json{{"envelope_id", "env-j"}});
    CHECK(h.seen.acked ==
          std::vector<write_outcome>{write_outcome::stored, write_outcome::duplicate, write_outcome::none});
    CHECK(h.read<std::size_t>([&](storage::store& s) { return s.timeline_size(inc.id); }) == 2);  // declare, message
}

TEST_CASE("declare through the seam: a rate-limited create is answered in the ack; nothing stored or held") {
    harness h;
    h.slack.script["conversations.create"] = {
        {429, ib_test::fixture_text("web-api-error-ratelimited-429-body.json")},
    };
    h.declare([&] { return h.sink->frames.size() == 1; });
    REQUIRE(h.slack.requests.size() == 1);  // the transport's retries are web_client's, not the flow's
    CHECK(h.sink->frames[0]["payload"]["text"] ==
          ":x: I couldn't create the incident channel (`ratelimited`). Please try again.");
    CHECK_FALSE(h.read<std::optional<incident>>([](storage::store& s) { return s.latest_incident(); }));
    CHECK(h.st.channels.route(ib_test::event_fixture("event-callback-member_joined_channel.json")).what ==
          flows::event_route::kind::ack);
}

TEST_CASE("a flow's log line carries the fields of the effect whose outcome it reports") {
    line_context post = line_context::of(flows::post_message("C123ABC456", "hello"));
    post.add(ib_test::answer(200, "web-api-chat.postMessage-error-too_many_attachments.json"));
    CHECK(post.method == "chat.postMessage");
    CHECK(post.channel == "C123ABC456");
    CHECK(post.error == "too_many_attachments");
    CHECK(post.incident.empty());

    incident inc = storage::testing::sample_incident("C123ABC456");
    line_context declare = line_context::of(flows::create_incident{inc, {}});
    CHECK(declare.incident.empty());  // no id before it is stored
    inc.id = 7;
    declare.add(flows::stored{inc});
    CHECK(declare.incident == "7");
    CHECK(declare.channel == "C123ABC456");
    CHECK(declare.error.empty());

    line_context change = line_context::of(flows::save_change{inc, {}, {}});
    change.add(flows::store_failed{"ib.db: disk I/O error"});
    CHECK(change.incident == "7");
    CHECK(change.error == "ib.db: disk I/O error");
}

}  // TEST_SUITE executor
