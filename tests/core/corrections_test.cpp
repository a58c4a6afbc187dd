// Corrections of a message's tags: Slack's shortcut and submission payloads as parsed, the
// correction entry and the effective tags, the modal, and both flows stepped effect by effect.
#include "core/corrections.hpp"
#include "core/flows/correct.hpp"
#include "core/tagger.hpp"

#include "flows_support.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace ib::flows;
using namespace ib_test;
using nlohmann::json;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");

// Slack's message_action payload (interactive-message_action.json) in the interactive envelope
// of socket-mode-interactive-shortcut.json, on message `ts` of `channel`.
slack::interactive shortcut(const std::string& channel = "C0INC", const std::string& ts = "1763733660.000100",
                            const std::string& callback = "correct_tags") {
    json env = json::parse(fixture_text("socket-mode-interactive-shortcut.json"));
    json p = json::parse(fixture_text("interactive-message_action.json"));
    p["channel"]["id"] = channel;
    p["callback_id"] = callback;
    p["message_ts"] = ts;
    p["message"]["ts"] = ts;
    env["payload"] = p;
    env["envelope_id"] = "env-short";
    return frame_of<slack::interactive>(env.dump());
}

// Slack's view_submission payload (interactive-view_submission.json) for the modal the bot
// opened on `message`, with `checked` ticked.
slack::interactive submission(const timeline_entry& message, const std::vector<std::string>& checked,
                              const std::string& channel = "C0INC") {
    json env = json::parse(fixture_text("socket-mode-interactive-shortcut.json"));
    json p = json::parse(fixture_text("interactive-view_submission.json"));
    json view = correction_modal(message, channel);
    view["id"] = "V0SUBMIT1";
    json selected = json::array();
    for (const auto& v : checked) selected.push_back({{"text", {{"type", "mrkdwn"}, {"text", v}}}, {"value", v}});
    view["state"] = {{"values", {{"tags", {{"tags", {{"type", "checkboxes"}, {"selected_options", selected}}}}}}}};
    p["view"] = view;
    p["user"]["id"] = "U0CAROL";
    env["payload"] = p;
    env["envelope_id"] = "env-submit";
    env["accepts_response_payload"] = true;
    return frame_of<slack::interactive>(env.dump());
}

// A message on incident 3 that the tagger calls a hypothesis.
timeline_entry hedge(const std::string& ts = "1763733660.000100") {
    timeline_entry m;
    m.seq = 11;
    m.incident_id = 3;
    m.kind = entry_kind::message;
    m.slack_ts = ts;
    m.at = *parse_slack_ts(ts);
    m.user = "U0BOB";
    m.text = "I think the cache is stale &lt;again&gt;";
    m.tags = tag_message(m.text);
    return m;
}

template <class T>
T effect_of(const action& a) {
    const auto* e = std::get_if<T>(&a.what);
    REQUIRE_MESSAGE(e != nullptr, "unexpected effect, index " << a.what.index());
    return *e;
}

}  // namespace

TEST_SUITE("corrections") {

TEST_CASE("Slack's message shortcut and modal submission parse into what the flows read") {
    const auto s = shortcut("C0INC", "1763733660.000100");
    CHECK(s.type == "message_action");
    CHECK(s.callback_id == "correct_tags");
    CHECK(s.message_ts == "1763733660.000100");  // payload.message_ts: no container on a message_action
    CHECK(s.channel_id == "C0INC");
    CHECK(s.user_id == "U123");
    CHECK(s.trigger_id == "123.123.xxx");
    CHECK(is_correction_shortcut(s));
    CHECK_FALSE(is_correction_shortcut(shortcut("C0INC", "1763733660.000100", "test-message-action")));

    const auto v = submission(hedge(), {"action", "status"});
    CHECK(v.type == "view_submission");
    CHECK(v.view_id == "V0SUBMIT1");
    CHECK(v.view_callback_id == "correct_tags");
    CHECK(v.private_metadata == "C0INC 1763733660.000100");
    REQUIRE(v.inputs.size() == 1);
    CHECK(v.inputs[0].type == "checkboxes");
    CHECK(v.inputs[0].selected == std::vector<std::string>{"action", "status"});
    CHECK(is_correction_submission(v));
    CHECK_FALSE(is_correction_shortcut(v));

    // Every element type of Slack's own view.state sample: only the selections are read.
    json env = json::parse(fixture_text("socket-mode-interactive-shortcut.json"));
    json p = json::parse(fixture_text("interactive-view_submission.json"));
    p["view"]["state"] = json::parse(fixture_text("view-state-all-element-types-python-sdk.json"));
    env["payload"] = p;
    const auto all = frame_of<slack::interactive>(env.dump());
    bool saw_checkboxes = false;
    for (const auto& in : all.inputs)
        if (in.type == "checkboxes") {
            saw_checkboxes = true;
            CHECK(in.selected == std::vector<std::string>{"value-0", "value-1"});
        }
    CHECK(saw_checkboxes);
    CHECK(submission(hedge(), {}).inputs.at(0).selected.empty());
}

TEST_CASE("a hostile view state is a bad frame, not a crash") {
    json env = json::parse(fixture_text("socket-mode-interactive-shortcut.json"));
    json p = json::parse(fixture_text("interactive-view_submission.json"));
    p["view"]["state"] = {{"values", {{"tags", "not an object"}}}};
    env["payload"] = p;
    const auto f = slack::parse_frame(env.dump());
    const auto* bad = std::get_if<slack::bad_frame>(&f);
    REQUIRE(bad != nullptr);
    CHECK(bad->reason.find("payload.view.state.values.tags") != std::string::npos);
    CHECK(bad->envelope_id == env["envelope_id"].get<std::string>());
}

TEST_CASE("tag names: in tag order, each once; anything else is refused") {
    const std::vector<tag> tags{tag::status, tag::hypothesis, tag::status};
    CHECK(tag_names(tags) == "hypothesis,status");
    CHECK(tag_names(std::vector<tag>{}) == "");
    CHECK(parse_tag_names("") == std::vector<tag>{});
    CHECK(parse_tag_names("status,hypothesis") == std::vector<tag>{tag::status, tag::hypothesis});
    CHECK_FALSE(parse_tag_names("status,"));
    CHECK_FALSE(parse_tag_names("blame"));
}

TEST_CASE("a correction is its own entry; the message reads with the corrected tags and why") {
    auto m = hedge();
    REQUIRE(m.has_tag(tag::hypothesis));
    const std::vector<tag> to{tag::hypothesis, tag::action};
    const auto c = make_correction(m, to, "U0CAROL", t0, "correction:V1");
    CHECK(c.kind == entry_kind::correction);
    CHECK(c.incident_id == 3);
    CHECK(c.user == "U0CAROL");
    CHECK(c.at == t0);
    CHECK(c.ref_ts == m.slack_ts);
    CHECK(c.key == "correction:V1");
    CHECK(c.attr("from") == tag_names(m.tags));
    CHECK(c.attr("to") == "hypothesis,action");
    CHECK(c.tags.empty());

    const std::string hypothesis_rule = m.tags.front().rule;
    std::vector<timeline_entry> timeline{m, c};
    apply_corrections(timeline);
    const auto& tags = timeline[0].tags;
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].tag == tag::hypothesis);
    CHECK(tags[0].rule == hypothesis_rule + " (kept by correction:U0CAROL)");
    CHECK(tags[1].tag == tag::action);
    CHECK(tags[1].rule == "correction:U0CAROL");
    CHECK(timeline[1].tags.empty());  // the correction itself has none
}

TEST_CASE("the last correction wins, by time; other messages are untouched") {
    auto m = hedge("1763733660.000100");
    auto other = hedge("1763733670.000100");
    auto first = make_correction(m, std::vector<tag>{tag::status}, "U0CAROL", t0, "k1");
    auto second = make_correction(m, std::vector<tag>{}, "U0DAVE", t0 + std::chrono::minutes{1}, "k2");
    first.seq = 20;
    second.seq = 21;
    std::vector<timeline_entry> entries{m, other};
    // Given in reverse: the order of the corrections is their time, not their place in the list.
    const std::vector<timeline_entry> corrections{second, first};
    apply_corrections(entries, corrections);
    CHECK(entries[0].tags.empty());  // U0DAVE's: no tags at all
    CHECK(entries[1].tags == other.tags);
}

TEST_CASE("retag derives a message's tags as the recorder does, and nothing else's") {
    auto m = hedge();
    m.tags.clear();
    CHECK(retagged(m) == tag_message(m.text));
    auto join = m;
    join.kind = entry_kind::join;
    CHECK_FALSE(retagged(join));
    auto bot = m;
    bot.kind = entry_kind::bot_message;
    CHECK_FALSE(retagged(bot));
}

TEST_CASE("the modal: the five tags, the current ones checked, the message quoted safely") {
    auto m = hedge();
    m.text = "<!channel> I think it's the LB &lt;script&gt; `rm -rf`";
    m.tags = tag_message(m.text);
    const json view = correction_modal(m, "C0INC");
    CHECK(view["type"] == "modal");
    CHECK(view["callback_id"] == "correct_tags");
    CHECK(view["private_metadata"] == "C0INC " + m.slack_ts);
    CHECK(parse_correction_target(view["private_metadata"].get<std::string>()) ==
          correction_target{"C0INC", m.slack_ts});
    const json& quote = view["blocks"][0]["text"]["text"];
    CHECK(quote.get<std::string>().find("<@U0BOB>") == 0);
    CHECK(quote.get<std::string>().find("<!channel>") == std::string::npos);  // quoting never notifies
    CHECK(quote.get<std::string>().find("&lt;script&gt;") != std::string::npos);
    const json& box = view["blocks"][1]["element"];
    CHECK(view["blocks"][1]["block_id"] == "tags");
    CHECK(box["type"] == "checkboxes");
    CHECK(box["action_id"] == "tags");
    REQUIRE(box["options"].size() == 5);
    std::vector<std::string> values, checked;
    for (const auto& o : box["options"]) values.push_back(o["value"]);
    CHECK(values == std::vector<std::string>{"join", "hypothesis", "command", "action", "status"});
    for (const auto& o : box["initial_options"]) {
        checked.push_back(o["value"]);
        // Slack wants each initial option to be one of the options, exactly.
        CHECK(std::find(box["options"].begin(), box["options"].end(), o) != box["options"].end());
    }
    CHECK(checked == [&] {
        std::vector<std::string> v;
        for (tag t : all_tags())
            if (m.has_tag(t)) v.emplace_back(to_string(t));
        return v;
    }());
    m.tags.clear();
    CHECK_FALSE(correction_modal(m, "C0INC")["blocks"][1]["element"].contains("initial_options"));
    CHECK_FALSE(parse_correction_target("C0INC"));
    CHECK_FALSE(parse_correction_target("C0INC not-a-ts"));
    CHECK_FALSE(parse_correction_target("<!here> 1763733660.000100"));
}

TEST_CASE("shortcut: acked, the message read, the modal opened with its trigger") {
    const incident inc = checkout_incident(t0);
    correct_shortcut_flow flow(shortcut(), inc, true);
    CHECK(effect_of<ack>(flow.start()).envelope_id == "env-short");
    const auto load = effect_of<load_message>(flow.resume(ok{}));
    CHECK(load.incident_id == 3);
    CHECK(load.slack_ts == "1763733660.000100");
    const auto open = effect_of<call>(flow.resume(message_loaded{hedge()}));
    CHECK(open.method == "views.open");
    CHECK(open.args["trigger_id"] == "123.123.xxx");
    CHECK(open.args["view"] == correction_modal(hedge(), "C0INC"));
    const auto end = flow.resume(answer(200, "web-api-views.open-ok.json"));
    CHECK(std::holds_alternative<done>(end.what));
    CHECK(end.level == log_level::none);
    CHECK(flow.current() == correct_shortcut_flow::stage::finished);
}

TEST_CASE("shortcut: a friendly ephemeral no where there is nothing to correct") {
    const incident inc = checkout_incident(t0);
    // The ack goes first, whatever follows.
    const auto refused = [](correct_shortcut_flow& flow, const event& after_ack) {
        CHECK(std::holds_alternative<ack>(flow.start().what));
        return flow.resume(after_ack);
    };
    SUBCASE("not an incident channel") {
        correct_shortcut_flow flow(shortcut(), std::nullopt, true);
        const auto no = effect_of<call>(refused(flow, ok{}));
        CHECK(no.method == "chat.postEphemeral");
        CHECK(no.args["channel"] == "C0INC");
        CHECK(no.args["user"] == "U123");
        CHECK(no.args["text"] == not_correctable_here_reply());
    }
    SUBCASE("a private incident, and the user is not in its channel") {
        correct_shortcut_flow flow(shortcut(), inc, false);
        CHECK(effect_of<call>(refused(flow, ok{})).args["text"] == private_incident_reply());
    }
    SUBCASE("a message the record does not hold") {
        correct_shortcut_flow flow(shortcut(), inc, true);
        (void)effect_of<load_message>(refused(flow, ok{}));
        CHECK(effect_of<call>(flow.resume(message_loaded{})).args["text"] == message_not_recorded_reply());
    }
    SUBCASE("the record cannot be read") {
        correct_shortcut_flow flow(shortcut(), inc, true);
        (void)effect_of<load_message>(refused(flow, ok{}));
        const auto a = flow.resume(store_failed{"disk I/O error"});
        CHECK(effect_of<call>(a).args["text"] == record_unreadable_reply());
        CHECK(a.level == log_level::error);
    }
}

TEST_CASE("submission: read, stored as a correction, acked bare so the modal closes") {
    const incident inc = checkout_incident(t0);
    const auto m = hedge();
    correct_submission_flow flow(submission(m, {"action"}), inc, true, t0);
    const auto load = effect_of<load_message>(flow.start());
    CHECK(load.slack_ts == m.slack_ts);
    const auto store = effect_of<append_entry>(flow.resume(message_loaded{m}));
    CHECK(store.entry.kind == entry_kind::correction);
    CHECK(store.entry.key == "correction:V0SUBMIT1");
    CHECK(store.entry.user == "U0CAROL");
    CHECK(store.entry.at == t0);
    CHECK(store.entry.ref_ts == m.slack_ts);
    CHECK(store.entry.attr("from") == tag_names(m.tags));
    CHECK(store.entry.attr("to") == "action");
    const auto a = flow.resume(stored{});
    CHECK(effect_of<ack>(a).envelope_id == "env-submit");
    CHECK(effect_of<ack>(a).payload.is_null());
    CHECK(a.level == log_level::info);
    CHECK(std::holds_alternative<done>(flow.resume(ok{}).what));
}

TEST_CASE("submission: the modal says why when nothing can be stored") {
    const incident inc = checkout_incident(t0);
    const auto m = hedge();
    const auto errors_of = [](const action& a) { return effect_of<ack>(a).payload; };
    SUBCASE("the same tags: nothing to store, the modal closes") {
        std::vector<std::string> same;
        for (const auto& h : m.tags) same.emplace_back(to_string(h.tag));
        correct_submission_flow flow(submission(m, same), inc, true, t0);
        (void)effect_of<load_message>(flow.start());
        CHECK(errors_of(flow.resume(message_loaded{m})).is_null());
    }
    SUBCASE("the store fails") {
        correct_submission_flow flow(submission(m, {}), inc, true, t0);
        (void)effect_of<load_message>(flow.start());
        (void)effect_of<append_entry>(flow.resume(message_loaded{m}));
        const auto a = flow.resume(store_failed{"database is locked"});
        CHECK(errors_of(a)["response_action"] == "errors");
        CHECK(errors_of(a)["errors"].contains("tags"));
        CHECK(a.level == log_level::error);
    }
    SUBCASE("the incident is gone, or was never this channel's") {
        correct_submission_flow gone(submission(m, {}), std::nullopt, true, t0);
        CHECK(errors_of(gone.start())["response_action"] == "errors");
        auto elsewhere = inc;
        elsewhere.channel_id = "C0OTHER";
        correct_submission_flow other(submission(m, {}), elsewhere, true, t0);
        CHECK(errors_of(other.start())["response_action"] == "errors");
    }
    SUBCASE("not a member of the private incident's channel") {
        correct_submission_flow flow(submission(m, {"status"}), inc, false, t0);
        CHECK(errors_of(flow.start())["response_action"] == "errors");
    }
    SUBCASE("a value that is not one of our tags") {
        correct_submission_flow flow(submission(m, {"status", "blame"}), inc, true, t0);
        const auto a = flow.start();
        CHECK(errors_of(a)["response_action"] == "errors");
        CHECK(a.level == log_level::warn);
    }
    SUBCASE("the message left the record") {
        correct_submission_flow flow(submission(m, {"status"}), inc, true, t0);
        (void)effect_of<load_message>(flow.start());
        CHECK(errors_of(flow.resume(message_loaded{}))["response_action"] == "errors");
    }
}

}  // TEST_SUITE
