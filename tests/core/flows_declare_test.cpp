// The declare flow stepped effect by effect, without sockets: the happy path, name_taken, a
// rate limit, a failed store, a failed post, and restarts (while creating, storing, announcing).
#include "core/flows/declare.hpp"

#include "core/incident_commands.hpp"
#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using stage = declare_flow::stage;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:43:23Z");
constexpr const char* base_name = "inc-20261121-checkout-errors";

stepper<declare_flow> make(std::string title = "Checkout errors", std::optional<severity> sev = severity::sev2,
                           std::string declarer = "U0ALICE") {
    return {declare_flow(cmd::start{std::move(title), sev}, std::move(declarer), "cmd:env-1", "U0BOT", t0), {}};
}

// What the store answers: the incident as planned, with the id the database gave it.
stored stored_as(const incident& planned, std::int64_t id) {
    incident inc = planned;
    inc.id = id;
    return stored{inc};
}

// From start to the store: conversations.create answered with C0INC, the channel held.
create_incident through_create(stepper<declare_flow>& d) {
    CHECK(effect_as<call>(d.start()).method == "conversations.create");
    CHECK(is<hold_events>(d.step(created("C0INC", base_name))));
    return effect_as<create_incident>(d.step(ok{}));
}

// A flow saved in stage `at` on the happy path (what a restarted process would reload).
declare_flow::state saved_in(stage at) {
    auto d = make();
    const auto planned = through_create(d);
    d.step(stored_as(planned.inc, 42));  // open_incident
    if (at != stage::opening) d.step(ok{});  // reply
    if (at == stage::inviting || at == stage::setting_topic || at == stage::announcing) d.step(ok{});
    if (at == stage::setting_topic || at == stage::announcing)
        d.step(answer(200, "web-api-conversations.invite-ok.json"));
    if (at == stage::announcing) d.step(answer(200, "web-api-conversations.setTopic-ok.json"));
    REQUIRE(d.flow.current().at == at);
    return d.flow.current();
}

}  // namespace

TEST_SUITE("flows") {

TEST_CASE("declare: create, hold, store, open, reply, invite, topic, announce") {
    auto d = make();

    // The channel is created under the title's name, never twice.
    auto act = d.start();
    const auto& create = effect_as<call>(act);
    CHECK(create.method == "conversations.create");
    CHECK(create.args == nlohmann::json{{"name", base_name}, {"is_private", false}});
    CHECK_FALSE(create.idempotent);
    CHECK(d.flow.current().at == stage::creating);

    // Events for the new channel wait for the incident's id.
    act = d.step(created("C0INC", base_name));
    CHECK(effect_as<hold_events>(act).channel == "C0INC");

    // The incident and its declare entry, deduplicated on the command's key.
    act = d.step(ok{});
    const auto write = effect_as<create_incident>(act);
    CHECK(write.inc.title == "Checkout errors");
    CHECK(write.inc.sev == severity::sev2);
    CHECK(write.inc.channel_id == "C0INC");
    CHECK(write.inc.channel_name == base_name);
    CHECK(write.inc.declared_by == "U0ALICE");
    CHECK(write.inc.declared_at == t0);
    CHECK(write.entry.kind == entry_kind::declare);
    CHECK(write.entry.key == "cmd:env-1");
    CHECK(d.flow.current().at == stage::storing);

    // Stored: the channel's events go to incident 42 from now on.
    act = d.step(stored_as(write.inc, 42));
    CHECK(effect_as<open_incident>(act).inc.id == 42);
    CHECK(act.log == "incident 42 declared in #" + std::string(base_name));
    CHECK(d.flow.current().entry.incident_id == 42);

    act = d.step(ok{});
    CHECK(effect_as<reply>(act).text == declared_reply(d.flow.current().inc));

    act = d.step(ok{});
    const auto& invite = effect_as<call>(act);
    CHECK(invite.method == "conversations.invite");
    CHECK(invite.args == nlohmann::json{{"channel", "C0INC"}, {"users", "U0ALICE"}});
    CHECK(invite.idempotent);

    act = d.step(answer(200, "web-api-conversations.invite-ok.json"));
    const auto& topic = effect_as<call>(act);
    CHECK(topic.method == "conversations.setTopic");
    CHECK(topic.args["topic"] == "sev2 · investigating · Checkout errors");

    act = d.step(answer(200, "web-api-conversations.setTopic-ok.json"));
    const auto& post = effect_as<call>(act);
    CHECK(post.method == "chat.postMessage");
    CHECK(post.args["channel"] == "C0INC");
    CHECK(post.args["text"] == declare_announcement(d.flow.current().inc));
    CHECK_FALSE(post.idempotent);

    CHECK(is<done>(d.step(posted())));
    CHECK(d.flow.current().at == stage::finished);
    CHECK(d.logs == std::vector<std::string>{"info: incident 42 declared in #" + std::string(base_name)});
    // Finished is terminal.
    CHECK(is<done>(d.step(ok{})));
    CHECK(d.logs.size() == 1);
}

TEST_CASE("declare: name_taken tries -2, -3, …; after 20 names a friendly reply") {
    auto d = make();
    d.start();
    auto act = d.step(answer(200, "web-api-conversations.create-error-name_taken.json"));
    CHECK(effect_as<call>(act).args["name"] == std::string(base_name) + "-2");
    act = d.step(answer(200, "web-api-conversations.create-error-name_taken.json"));
    CHECK(effect_as<call>(act).args["name"] == std::string(base_name) + "-3");

    SUBCASE("the third name is free") {
        act = d.step(created("C0INC3", std::string(base_name) + "-3"));
        CHECK(effect_as<hold_events>(act).channel == "C0INC3");
        CHECK(effect_as<create_incident>(d.step(ok{})).inc.channel_name == std::string(base_name) + "-3");
    }
    SUBCASE("all taken") {
        for (int n = 4; n <= declare_flow::max_create_attempts; ++n) {
            act = d.step(answer(200, "web-api-conversations.create-error-name_taken.json"));
            CHECK(effect_as<call>(act).args["name"] == std::string(base_name) + "-" + std::to_string(n));
        }
        act = d.step(answer(200, "web-api-conversations.create-error-name_taken.json"));
        CHECK(effect_as<reply>(act).text.find("couldn't find a free channel name") != std::string::npos);
        CHECK(d.flow.current().attempt == declare_flow::max_create_attempts);
        CHECK(is<done>(d.step(ok{})));
        CHECK(d.logs.empty());
    }
}

TEST_CASE("declare: a rate limit or a refusal of conversations.create ends with a reply, nothing stored") {
    auto d = make();
    d.start();
    SUBCASE("429 that outlived the transport's Retry-After waits") {
        const auto act = d.step(answer(429, "web-api-error-ratelimited-429-body.json", 120));
        CHECK(effect_as<reply>(act).text ==
              ":x: I couldn't create the incident channel (`ratelimited`). Please try again.");
    }
    SUBCASE("HTTP 500: the channel may exist, so no second create") {
        const auto act = d.step(http_500());
        CHECK(effect_as<reply>(act).text ==
              ":x: I couldn't create the incident channel (`http_500`). Please try again.");
    }
    CHECK(d.flow.current().attempt == 1);
    CHECK(d.flow.current().at == stage::failing);
    CHECK(is<done>(d.step(ok{})));
}

TEST_CASE("declare: a failed store releases the held events and says the channel exists") {
    auto d = make();
    const auto planned = through_create(d);
    auto act = d.step(store_failed{"incidents.db: disk I/O error"});
    CHECK(effect_as<release_events>(act).channel == "C0INC");
    CHECK(act.level == log_level::error);
    CHECK(act.log == "could not store a new incident: incidents.db: disk I/O error");

    act = d.step(ok{});
    CHECK(effect_as<reply>(act).text == ":x: I created <#C0INC> but couldn't record the incident. Please try again.");
    CHECK(is<done>(d.step(ok{})));
    CHECK(planned.inc.id == 0);
}

TEST_CASE("declare: failed invite, topic and announcement are logged; the flow goes on") {
    auto d = make();
    const auto planned = through_create(d);
    d.step(stored_as(planned.inc, 7));
    d.step(ok{});  // reply
    auto act = d.step(ok{});  // invite
    act = d.step(answer(200, "web-api-conversations.invite-error-user_not_found-with-errors.json"));
    CHECK(effect_as<call>(act).method == "conversations.setTopic");
    act = d.step(answer(429, "web-api-error-ratelimited-429-body.json", 200));
    CHECK(effect_as<call>(act).method == "chat.postMessage");
    act = d.step(http_500());
    CHECK(is<done>(act));
    CHECK(d.logs == std::vector<std::string>{
                        "info: incident 7 declared in #" + std::string(base_name),
                        "warn: conversations.invite failed: user_not_found",
                        "warn: conversations.setTopic failed: ratelimited",
                        "warn: chat.postMessage to C0INC failed: http_500",
                    });
}

TEST_CASE("declare: the bot declaring is not invited to its own channel") {
    auto d = make("Checkout errors", std::nullopt, "U0BOT");
    const auto planned = through_create(d);
    CHECK(planned.inc.sev == severity::sev3);  // the default
    d.step(stored_as(planned.inc, 1));
    d.step(ok{});
    CHECK(effect_as<call>(d.step(ok{})).method == "conversations.setTopic");
}

TEST_CASE("declare: resumed after a crash between the store and the announcement") {
    SUBCASE("crashed while storing: hold again, store again under the same key") {
        auto d = make();
        const auto planned = through_create(d);
        const declare_flow::state saved = d.flow.current();
        REQUIRE(saved.at == stage::storing);

        stepper<declare_flow> again{declare_flow(saved), {}};
        auto act = again.step(restarted{});
        CHECK(effect_as<hold_events>(act).channel == "C0INC");
        act = again.step(ok{});
        CHECK(effect_as<create_incident>(act).entry.key == planned.entry.key);
        // The first write had landed: the store answers with the incident stored then.
        act = again.step(stored_as(planned.inc, 9));
        CHECK(effect_as<open_incident>(act).inc.id == 9);
    }
    SUBCASE("crashed before the reply went out: open again, skip the reply, invite, topic, announce") {
        stepper<declare_flow> again{declare_flow(saved_in(stage::opening)), {}};
        CHECK(effect_as<open_incident>(again.step(restarted{})).inc.id == 42);
        CHECK(is<reply>(again.step(ok{})));
        CHECK(effect_as<call>(again.step(ok{})).method == "conversations.invite");
    }
    SUBCASE("crashed while inviting: invite again (harmless), then the rest") {
        stepper<declare_flow> again{declare_flow(saved_in(stage::inviting)), {}};
        CHECK(effect_as<call>(again.step(restarted{})).method == "conversations.invite");
        CHECK(effect_as<call>(again.step(answer(200, "web-api-conversations.invite-ok.json"))).method ==
              "conversations.setTopic");
        CHECK(effect_as<call>(again.step(answer(200, "web-api-conversations.setTopic-ok.json"))).method ==
              "chat.postMessage");
        CHECK(is<done>(again.step(posted())));
    }
    SUBCASE("crashed while setting the topic: set it again, then announce") {
        stepper<declare_flow> again{declare_flow(saved_in(stage::setting_topic)), {}};
        CHECK(effect_as<call>(again.step(restarted{})).method == "conversations.setTopic");
        CHECK(effect_as<call>(again.step(answer(200, "web-api-conversations.setTopic-ok.json"))).method ==
              "chat.postMessage");
    }
    SUBCASE("crashed while announcing: the post may have been made, so it is not made again") {
        stepper<declare_flow> again{declare_flow(saved_in(stage::announcing)), {}};
        CHECK(is<done>(again.step(restarted{})));
        CHECK(again.logs == std::vector<std::string>{
            "warn: not posting the announcement in C0INC again after a restart: it may have been posted"});
    }
}

TEST_CASE("declare: crashed while creating the channel: asked again under the same name, never a second channel") {
    const auto name_taken = [] { return answer(200, "web-api-conversations.create-error-name_taken.json"); };
    const std::string base_name = ::base_name;
    auto d = make();
    CHECK(effect_as<call>(d.start()).args["name"] == base_name);
    CHECK(effect_as<call>(d.step(name_taken())).args["name"] == base_name + "-2");  // the second candidate in flight
    const declare_flow::state saved = d.flow.current();

    SUBCASE("Slack had not made it: it is made now, and the declaration goes on") {
        stepper<declare_flow> again{declare_flow(saved), {}};
        const auto create = effect_as<call>(again.step(restarted{}));
        CHECK(create.method == "conversations.create");
        CHECK(create.args["name"] == base_name + "-2");
        CHECK_FALSE(create.idempotent);
        CHECK(is<hold_events>(again.step(created("C0INC", base_name + "-2"))));
        CHECK(effect_as<create_incident>(again.step(ok{})).inc.channel_name == base_name + "-2");
    }
    SUBCASE("name_taken: it may be the one made before the restart; the declarer decides, no -3") {
        stepper<declare_flow> again{declare_flow(saved), {}};
        again.step(restarted{});
        const auto act = again.step(name_taken());
        CHECK(effect_as<reply>(act).text ==
              ":x: I was restarted while creating #" + base_name +
                  "-2 for your incident. It may exist now: please check, and declare again if it does not.");
        CHECK(is<done>(again.step(ok{})));
    }
    SUBCASE("a name_taken after the repeated create succeeded is an ordinary one again") {
        stepper<declare_flow> again{declare_flow(saved), {}};
        again.step(restarted{});
        CHECK(again.flow.current().after_restart);
        again.step(created("C0INC", base_name + "-2"));
        CHECK_FALSE(again.flow.current().after_restart);
    }
}

TEST_CASE("declare: an event out of place ends the flow with an error line") {
    auto d = make();
    d.start();
    CHECK(is<done>(d.step(ok{})));  // creating expects the call's answer
    CHECK(d.logs == std::vector<std::string>{"error: declare: unexpected ok while creating; giving up"});
    CHECK(d.flow.current().at == stage::finished);
    CHECK(is<done>(d.step(created("C0INC", base_name))));
    CHECK(d.logs.size() == 1);
}

}  // TEST_SUITE flows
