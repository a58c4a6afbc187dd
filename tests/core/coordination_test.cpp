// Hypothesis fates and the coordination section, on hand-built timelines whose answers were
// worked out by hand (the comments give the working).
#include "core/catchup.hpp"
#include "core/coordination.hpp"
#include "core/summary.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "incident_fixtures.hpp"

namespace {

using namespace ib;
using ib_test::at;

const tag_hit hyp{tag::hypothesis, "test"};
const tag_hit act{tag::action, "test"};

timeline_entry message(time_point t, std::string user, std::string text, std::vector<tag_hit> tags = {},
                       std::string thread_ts = {}) {
    timeline_entry e;
    e.kind = entry_kind::message;
    e.at = t;
    e.slack_ts = to_slack_ts(t);
    e.user = std::move(user);
    e.text = std::move(text);
    e.tags = std::move(tags);
    if (!thread_ts.empty()) e.attrs["thread_ts"] = std::move(thread_ts);
    return e;
}

timeline_entry reaction(time_point t, std::string user, std::string emoji, time_point on, bool added = true) {
    timeline_entry e;
    e.kind = added ? entry_kind::reaction : entry_kind::unreaction;
    e.at = t;
    e.slack_ts = to_slack_ts(t);
    e.user = std::move(user);
    e.text = ":" + emoji + ":";
    e.ref_ts = to_slack_ts(on);
    e.attrs["reaction"] = std::move(emoji);
    return e;
}

timeline_entry lifecycle(entry_kind kind, time_point t, std::string user, std::map<std::string, std::string> attrs,
                         std::string text = {}) {
    timeline_entry e;
    e.kind = kind;
    e.at = t;
    e.user = std::move(user);
    e.attrs = std::move(attrs);
    e.text = std::move(text);
    return e;
}

timeline_entry join(time_point t, std::string user) {
    timeline_entry e;
    e.kind = entry_kind::join;
    e.at = t;
    e.user = std::move(user);
    return e;
}

// The incident of the coordination tests: declared 10:00 by U1 (commander), handed to U2 at
// 10:15, identified 10:11, resolved 11:10.
incident_record worked_incident() {
    incident_record r;
    r.inc.id = 7;
    r.inc.title = "checkout errors";
    r.inc.sev = severity::sev1;
    r.inc.state = status::resolved;
    r.inc.declared_by = "U1";
    r.inc.declared_at = at(10, 0, 0);
    r.inc.identified_at = at(10, 11, 0);
    r.inc.resolved_at = at(11, 10, 0);
    r.inc.commander = "U2";
    auto& tl = r.timeline;
    tl.push_back(lifecycle(entry_kind::declare, at(10, 0, 0), "U1", {{"severity", "sev2"}}));
    tl.push_back(lifecycle(entry_kind::role, at(10, 0, 0), "U1", {{"role", "commander"}, {"assignee", "U1"}}));
    tl.push_back(join(at(10, 0, 2), "U1"));  // the declarer, invited with the channel: not pulled in
    tl.push_back(join(at(10, 1, 0), "U2"));
    tl.push_back(message(at(10, 2, 0), "U2", "<@U1> is the db down?"));
    tl.push_back(message(at(10, 2, 30), "U2", "<@U1> fyi"));  // no question
    tl.push_back(message(at(10, 3, 0), "U2", "I think it's the cache", {hyp}));
    tl.push_back(message(at(10, 4, 0), "U3", "maybe DNS", {hyp}));
    tl.push_back(reaction(at(10, 5, 0), "U1", "white_check_mark", at(10, 3, 0)));
    tl.push_back(reaction(at(10, 6, 0), "U3", "x", at(10, 3, 0)));
    tl.push_back(reaction(at(10, 7, 0), "U3", "x", at(10, 3, 0), false));
    tl.push_back(reaction(at(10, 8, 0), "U2", "x", at(10, 4, 0)));
    tl.push_back(message(at(10, 9, 0), "U3", "restarting the cache", {act}));
    tl.push_back(message(at(10, 9, 30), "U2", "I'm rolling back the deploy", {act}));
    tl.push_back(message(at(10, 9, 45), "U3", "draining node 3", {act}));
    tl.push_back(message(at(10, 9, 50), "U3", "scaling up", {act}));
    tl.push_back(lifecycle(entry_kind::statuspage, at(10, 10, 0), "U1", {}, "We are investigating"));
    tl.push_back(lifecycle(entry_kind::status, at(10, 11, 0), "U1", {{"from", "investigating"}, {"to", "identified"}}));
    tl.push_back(message(at(10, 12, 0), "U2", "<@U1> should we fail over?"));
    tl.push_back(message(at(10, 13, 0), "U3", "<@U1> status?"));
    tl.push_back(message(at(10, 14, 0), "U4", "checked dns, fine", {}, to_slack_ts(at(10, 4, 0))));
    tl.push_back(message(at(10, 14, 30), "U4", "could be the deploy", {hyp}));
    tl.push_back(lifecycle(entry_kind::role, at(10, 15, 0), "U1",
                           {{"role", "commander"}, {"assignee", "U2"}, {"previous", "U1"}}));
    tl.push_back(join(at(10, 15, 30), "U5"));
    tl.push_back(message(at(10, 16, 0), "U5", "deploy 42 touched it", {}, to_slack_ts(at(10, 14, 30))));
    timeline_entry pin = reaction(at(10, 20, 0), "U1", "pushpin", at(10, 12, 0));
    pin.kind = entry_kind::key_moment;
    tl.push_back(pin);
    tl.push_back(join(at(10, 30, 0), "U2"));  // a rejoin: pulled in once
    tl.push_back(lifecycle(entry_kind::severity, at(10, 30, 0), "U2", {{"from", "sev2"}, {"to", "sev1"}}));
    tl.push_back(lifecycle(entry_kind::statuspage, at(10, 35, 0), "U2", {}, "Fix in progress"));
    tl.push_back(message(at(10, 40, 0), "U2", "back"));
    tl.push_back(message(at(10, 40, 0), "U3", "<@U1> are you off?"));  // U1 is no longer commander
    tl.push_back(message(at(10, 41, 0), "U2", "failing over now", {act}));
    tl.push_back(message(at(10, 41, 30), "U1", "<@U2> anything I can do?"));
    tl.push_back(ib_test::recording_gap(at(10, 42, 0), at(10, 55, 0), 0));
    tl.push_back(lifecycle(entry_kind::resolve, at(11, 10, 0), "U2", {{"from", "identified"}}));
    return r;
}

}  // namespace

TEST_SUITE("coordination") {

TEST_CASE("a hypothesis's fate follows the ✅ and ❌ reactions present on it") {
    std::vector<timeline_entry> tl;
    tl.push_back(message(at(9, 0, 0), "U1", "could be DNS", {hyp}));
    tl.push_back(message(at(9, 0, 5), "U2", "not a hypothesis"));
    tl.push_back(reaction(at(9, 1, 0), "U2", "white_check_mark", at(9, 0, 5)));  // not on a hypothesis
    tl.push_back(reaction(at(9, 1, 10), "U3", "pushpin", at(9, 0, 0)));          // not a fate
    tl.push_back(reaction(at(9, 2, 0), "U1", "white_check_mark", at(9, 0, 0)));  // → confirmed
    tl.push_back(reaction(at(9, 3, 0), "U2", "x", at(9, 0, 0)));                 // both: later → ruled out
    tl.push_back(reaction(at(9, 4, 0), "U2", "x", at(9, 0, 0), false));          // ✅ left → confirmed
    tl.push_back(reaction(at(9, 5, 0), "U1", "white_check_mark", at(9, 0, 0), false));  // none → open
    tl.push_back(reaction(at(9, 6, 0), "U3", "heavy_check_mark", at(9, 0, 0)));  // → confirmed
    tl.push_back(reaction(at(9, 7, 0), "U3", "x", at(9, 0, 0), false));          // not present: no change

    const auto hs = hypotheses_of(tl);
    REQUIRE(hs.size() == 1);
    const auto& h = hs[0];
    CHECK(h.raised_by == "U1");
    CHECK(h.raised_at == at(9, 0, 0));
    CHECK(h.text == "could be DNS");
    CHECK(h.fate == hypothesis_fate::confirmed);
    REQUIRE(h.changes.size() == 5);
    const std::vector<std::pair<hypothesis_fate, std::string>> expected{{hypothesis_fate::confirmed, "U1"},
                                                                        {hypothesis_fate::ruled_out, "U2"},
                                                                        {hypothesis_fate::confirmed, "U2"},
                                                                        {hypothesis_fate::open, "U1"},
                                                                        {hypothesis_fate::confirmed, "U3"}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(h.changes[i].to == expected[i].first);
        CHECK(h.changes[i].by == expected[i].second);
        CHECK(h.changes[i].at == at(9, static_cast<int>(i) + 2, 0));
    }
    CHECK(h.fate_at(at(9, 1, 59)) == hypothesis_fate::open);
    CHECK(h.fate_at(at(9, 3, 30)) == hypothesis_fate::ruled_out);
    CHECK(h.fate_at(at(9, 5, 0)) == hypothesis_fate::open);
    CHECK(to_string(hypothesis_fate::ruled_out) == "ruled out");
}

TEST_CASE("a deleted hypothesis keeps its fate but not its words") {
    std::vector<timeline_entry> tl;
    tl.push_back(message(at(9, 0, 0), "U1", "the password is hunter2, maybe it expired", {hyp}));
    tl.push_back(reaction(at(9, 1, 0), "U2", "x", at(9, 0, 0)));
    timeline_entry del;
    del.kind = entry_kind::deletion;
    del.at = at(9, 2, 0);
    del.ref_ts = to_slack_ts(at(9, 0, 0));
    tl.push_back(del);
    const auto hs = hypotheses_of(tl);
    REQUIRE(hs.size() == 1);
    CHECK(hs[0].text.empty());
    CHECK(hs[0].fate == hypothesis_fate::ruled_out);
}

TEST_CASE("each coordination figure of a worked incident") {
    const auto r = worked_incident();
    const auto c = coordinate(r, record_end(r));

    // Pulled in: U2 at 10:01 and U5 at 10:15:30; U1 (the declarer) was invited with the channel, U2's rejoin is not new.
    REQUIRE(c.joins.size() == 2);
    CHECK(c.joins[0].user == "U2");
    CHECK(c.joins[0].at == at(10, 1, 0));
    CHECK(c.joins[1].user == "U5");
    CHECK(c.joins[1].at == at(10, 15, 30));

    // One handoff, U1 → U2 at 10:15: identified since 10:11, still sev2 (sev1 came at 10:30), the
    // 10:10 update (not the 10:35 one), only "could be the deploy" open (the cache confirmed, DNS
    // ruled out), and of the four actions the last three, latest first.
    REQUIRE(c.handoffs.size() == 1);
    const auto& h = c.handoffs[0];
    CHECK(h.at == at(10, 15, 0));
    CHECK(h.from == "U1");
    CHECK(h.to == "U2");
    CHECK(h.by == "U1");
    CHECK(h.status == "identified");
    CHECK(h.severity == "sev2");
    REQUIRE(h.last_update_at);
    CHECK(*h.last_update_at == at(10, 10, 0));
    CHECK(h.last_update_text == "We are investigating");
    CHECK(h.open_hypotheses == std::vector<std::string>{"could be the deploy"});
    CHECK(h.last_actions == std::vector<std::string>{"scaling up", "draining node 3", "I'm rolling back the deploy"});

    // Questions to the commander: 10:02 (window 10:00), 10:12 and 10:13 (window 10:10) to U1, and
    // 10:41:30 to U2 (window 10:40). Not: "fyi" (no '?'), U3's 10:40 question to U1 (no longer
    // commander).
    CHECK(c.commander_questions == 4);
    REQUIRE(c.commander_demand.size() == 3);
    CHECK(c.commander_demand[0].from == at(10, 0, 0));
    CHECK(c.commander_demand[0].questions == 1);
    CHECK(c.commander_demand[1].from == at(10, 10, 0));
    CHECK(c.commander_demand[1].questions == 2);
    CHECK(c.commander_demand[2].from == at(10, 40, 0));
    CHECK(c.commander_demand[2].questions == 1);

    // Threads: on "maybe DNS" (U3's, U4 replied 10:14, then posted in the channel at 10:14:30:
    // reported back) and on "could be the deploy" (U4's, U5 replied 10:16; nobody of them in the
    // channel before 10:26: not reported back).
    REQUIRE(c.threads.size() == 2);
    CHECK(c.threads[0].ts == to_slack_ts(at(10, 4, 0)));
    CHECK(c.threads[0].people == std::vector<std::string>{"U3", "U4"});
    CHECK(c.threads[0].replies == 1);
    CHECK(c.threads[0].reported_back);
    CHECK(c.threads[1].ts == to_slack_ts(at(10, 14, 30)));
    CHECK(c.threads[1].people == std::vector<std::string>{"U4", "U5"});
    CHECK(c.threads[1].last_reply == at(10, 16, 0));
    CHECK_FALSE(c.threads[1].reported_back);

    // Quiet: 10:16 → 10:40 (24 min); 10:41:30 → 10:42 is cut by the gap (10:42–10:55), then
    // 10:55 → 11:10 (15 min). 10:00 → 10:02 and the rest are short.
    REQUIRE(c.quiet.size() == 2);
    CHECK(c.quiet[0].from == at(10, 16, 0));
    CHECK(c.quiet[0].to == at(10, 40, 0));
    CHECK(c.quiet[1].from == at(10, 55, 0));
    CHECK(c.quiet[1].to == at(11, 10, 0));

    // Hypotheses: cache confirmed (✅, ❌ added and removed), DNS ruled out, the deploy open;
    // first raised 10:03, identified 10:11: 8 min.
    REQUIRE(c.hypotheses.size() == 3);
    CHECK(c.hypotheses[0].fate == hypothesis_fate::confirmed);
    CHECK(c.hypotheses[0].changes.size() == 3);
    CHECK(c.hypotheses[1].fate == hypothesis_fate::ruled_out);
    CHECK(c.hypotheses[2].fate == hypothesis_fate::open);
    CHECK(c.confirmed == 1);
    CHECK(c.ruled_out == 1);
    REQUIRE(c.first_hypothesis_to_identified);
    CHECK(c.first_hypothesis_to_identified->count() == 8 * 60);

    // Acted on: the confirmed cache hypothesis (U2 10:03 → action 10:09: 6 min) and the key
    // moment on U2's 10:12 question (→ the 10:41 action: 29 min; the 10:11 status change was before).
    REQUIRE(c.acted.size() == 2);
    CHECK(c.acted[0].what == "hypothesis");
    CHECK(c.acted[0].user == "U2");
    CHECK(c.acted[0].at == at(10, 3, 0));
    REQUIRE(c.acted[0].acted_after);
    CHECK(c.acted[0].acted_after->count() == 6 * 60);
    CHECK(c.acted[1].what == "key moment");
    CHECK(c.acted[1].user == "U2");
    CHECK(c.acted[1].text == "<@U1> should we fail over?");
    REQUIRE(c.acted[1].acted_after);
    CHECK(c.acted[1].acted_after->count() == 29 * 60);
}

TEST_CASE("an open incident is quiet up to now; nothing acted on yet is null") {
    incident_record r;
    r.inc.declared_at = at(10, 0, 0);
    r.timeline.push_back(message(at(10, 5, 0), "U1", "maybe the LB", {hyp}));
    r.timeline.push_back(reaction(at(10, 6, 0), "U2", "heavy_check_mark", at(10, 5, 0)));
    const auto c = coordinate(r, at(10, 30, 0));
    REQUIRE(c.quiet.size() == 1);
    CHECK(c.quiet[0].from == at(10, 5, 0));
    CHECK(c.quiet[0].to == at(10, 30, 0));
    CHECK(record_end(r) == at(10, 6, 0));
    REQUIRE(c.acted.size() == 1);
    CHECK_FALSE(c.acted[0].acted_after);
    CHECK_FALSE(c.first_hypothesis_to_identified);
    CHECK(c.handoffs.empty());
    CHECK(c.threads.empty());
}

TEST_CASE("the JSON shape of the section") {
    auto r = worked_incident();
    r.names = {{"U1", "alice"}, {"U2", "bob"}};
    const auto j = coordination_json(coordinate(r, record_end(r)), r.names);
    CHECK(j["joins"][0]["user_name"] == "bob");
    CHECK(j["joins"][1]["user_name"] == "U5");
    CHECK(j["handoffs"][0]["from_name"] == "alice");
    CHECK(j["handoffs"][0]["last_status_update"]["text"] == "We are investigating");
    CHECK(j["handoffs"][0]["last_actions"].size() == 3);
    CHECK(j["commander_demand"]["questions"] == 4);
    CHECK(j["commander_demand"]["windows"][1]["questions"] == 2);
    CHECK(j["threads"][1]["reported_back"] == false);
    CHECK(j["quiet_stretches"][0]["seconds"] == 24 * 60);
    CHECK(j["hypotheses"]["raised"] == 3);
    CHECK(j["hypotheses"]["first_to_identified_seconds"] == 480);
    CHECK(j["hypotheses"]["list"][0]["fate"] == "confirmed");
    CHECK(j["hypotheses"]["list"][0]["changes"][1]["fate"] == "ruled out");
    CHECK(j["hypotheses"]["list"][0]["changes"][1]["by"] == "U3");
    CHECK(j["acted_on"][1]["acted_after_seconds"] == 29 * 60);
}

TEST_CASE("the summary lists each hypothesis's fate and the section in short") {
    const auto text = render_summary_text(summarize(worked_incident()));
    CHECK(text.find("*Hypotheses (3):*\n• :white_check_mark: confirmed: I think it's the cache (<@U2> 10:03)\n"
                    "• :x: ruled out: maybe DNS (<@U3> 10:04)\n• open: could be the deploy (<@U4> 10:14)") !=
          std::string::npos);
    CHECK(text.find("*Coordination:* 2 pulled in · 1 commander handoff · 4 questions to the commander (peak 2 in "
                    "10 min) · 2 threads, 1 not reported back · 2 quiet stretches over 10 min (longest 24m 00s) · "
                    "first hypothesis → identified 8m 00s") != std::string::npos);
    const auto blocks = render_summary_blocks(summarize(worked_incident())).dump();
    CHECK(blocks.find("*Coordination:* 2 pulled in") != std::string::npos);
}

TEST_CASE("the review draft has the full section, the JSON export the object") {
    auto r = worked_incident();
    r.names = {{"U1", "alice"}, {"U2", "bob"}};
    const auto md = export_markdown(r);
    const auto section = md.find("## Coordination");
    REQUIRE(section != std::string::npos);
    CHECK(section < md.find("## Open questions"));
    CHECK(md.find("- **confirmed**: I think it's the cache (raised by @bob, 2026-11-20 10:03:00 UTC); confirmed by "
                  "@alice 2026-11-20 10:05:00; ruled out by U3 2026-11-20 10:06:00; confirmed by U3 2026-11-20 10:07:00") !=
          std::string::npos);
    CHECK(md.find("- 2026-11-20 10:15:00 UTC, @alice → @bob: identified, sev2") != std::string::npos);
    CHECK(md.find("**not reported back**") != std::string::npos);
    CHECK(md.find("- 2026-11-20 10:16:00 → 2026-11-20 10:40:00 UTC (24m 00s)") != std::string::npos);
    CHECK(md.find("acted on after 29m 00s") != std::string::npos);

    const auto j = nlohmann::json::parse(export_json(r));
    REQUIRE(j.contains("coordination"));
    CHECK(j["coordination"]["hypotheses"]["confirmed"] == 1);
    CHECK(j["coordination"]["handoffs"][0]["to_name"] == "bob");
}

TEST_CASE("catch-up: when it is due, and --catchup-after") {
    incident inc;
    inc.declared_at = at(10, 0, 0);
    const auto five = *parse_catchup_after("5m");
    REQUIRE(five.after);
    CHECK(five.after->count() == 300);
    CHECK_FALSE(parse_catchup_after("off")->after);
    CHECK_FALSE(parse_catchup_after("soon"));
    CHECK_FALSE(catchup_due(inc, at(10, 4, 59), five));
    CHECK(catchup_due(inc, at(10, 5, 0), five));
    CHECK_FALSE(catchup_due(inc, at(10, 50, 0), *parse_catchup_after("off")));
    inc.state = status::resolved;
    CHECK_FALSE(catchup_due(inc, at(10, 50, 0), five));

    const auto e = catchup_entry(7, "U9", at(10, 6, 0));
    CHECK(e.kind == entry_kind::catchup);
    CHECK(e.key == "catchup:7:U9");
    CHECK(e.attr("for") == "U9");
    CHECK(parse_entry_kind(to_string(e.kind)) == entry_kind::catchup);
}

TEST_CASE("catch-up: what a late joiner reads at 10:25 of the worked incident") {
    auto r = worked_incident();
    std::erase_if(r.timeline, [](const timeline_entry& e) { return e.at > at(10, 25, 0); });
    r.inc.state = status::identified;
    r.inc.resolved_at.reset();
    r.inc.sev = severity::sev2;
    r.timeline.push_back(message(at(10, 21, 0), "U2", "`kubectl rollout undo deploy/api`", {{tag::command, "test"}}));
    r.timeline.push_back(lifecycle(entry_kind::action_item, at(10, 22, 0), "U2", {{"owner", "U3"}}, "add a cache alert"));
    const auto m = render_catchup(r, at(10, 25, 0));
    CAPTURE(m.text);
    CHECK(m.text.find("*Catching up on incident #7: checkout errors* (open 25m 00s, declared 10:00 UTC)") == 0);
    CHECK(m.text.find("*Severity:* sev2 (since 10:00) · *Status:* identified (since 10:11)") != std::string::npos);
    CHECK(m.text.find("*Commander:* <@U2> · *Comms lead:* nobody yet") != std::string::npos);
    CHECK(m.text.find("*Last status-page update:* 10:10, 15m 00s ago: We are investigating") != std::string::npos);
    CHECK(m.text.find("*Hypotheses (3):*\n• open: could be the deploy (<@U4> 10:14)\n• :x: ruled out: maybe DNS "
                      "(<@U3> 10:04)\n• :white_check_mark: confirmed: I think it's the cache (<@U2> 10:03)") !=
          std::string::npos);
    CHECK(m.text.find("*Actions (4, latest first):*\n• scaling up\n• draining node 3\n• I'm rolling back the "
                      "deploy\n…and 1 more") != std::string::npos);
    CHECK(m.text.find("*Commands run (1, latest first):*\n• `kubectl rollout undo deploy/api`") != std::string::npos);
    CHECK(m.text.find("*Action items (1, latest first):*\n• add a cache alert (<@U3>)") != std::string::npos);
    REQUIRE(m.blocks.is_array());
    CHECK(m.blocks.size() == 9);
}

TEST_CASE("catch-up: fits Slack's limits however long the incident") {
    incident_record r;
    r.inc.id = 1;
    r.inc.title = std::string(150, 'T');
    r.inc.declared_at = at(8, 0, 0);
    for (int i = 0; i < 3000; ++i) {
        const auto t = at(8, 0, 0) + std::chrono::seconds(i);
        r.timeline.push_back(message(t, "U1", "I think " + std::string(400, 'h'), {hyp, act, {tag::command, "t"}}));
        r.timeline.push_back(lifecycle(entry_kind::action_item, t, "U1", {{"owner", "U2"}}, std::string(2000, 'a')));
        r.timeline.push_back(lifecycle(entry_kind::statuspage, t, "U1", {}, std::string(2000, 's')));
    }
    const auto m = render_catchup(r, at(9, 0, 0));
    CHECK(m.text.size() <= 3000);
    CHECK(m.text.find("…and ") != std::string::npos);
    REQUIRE(m.blocks.size() <= 50);
    for (const auto& b : m.blocks) CHECK(b["text"]["text"].get<std::string>().size() <= 3000);
}

}  // TEST_SUITE
