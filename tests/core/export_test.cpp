// Exports (JSON, Markdown, CSV) and participants, checked on a realistic recorded incident.
#include "core/export.hpp"
#include "core/flows/backfill.hpp"
#include "core/participants.hpp"
#include "core/reminders.hpp"
#include "core/summary_lease.hpp"
#include "core/svg.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "incident_fixtures.hpp"
#include "tests/support/csv_reader.hpp"

namespace ib_test {

using namespace ib;
namespace chr = std::chrono;

// 2026-11-20 (a Friday) at hh:mm:ss UTC.
time_point at(int h, int m, int s) {
    return time_point{chr::sys_days{chr::year{2026} / 11 / 20} + chr::hours{h} + chr::minutes{m} + chr::seconds{s}};
}

// Appends entries the way the recorder would store them: seq in arrival order, Slack ts for
// chat events, lifecycle entries made through the bot.
struct timeline_builder {
    incident_record r;

    timeline_entry& add(entry_kind kind, time_point t, std::string user, std::string text = {},
                        std::vector<tag_hit> tags = {}, std::map<std::string, std::string> attrs = {},
                        std::string ref_ts = {}) {
        timeline_entry e;
        e.seq = static_cast<std::int64_t>(r.timeline.size()) + 1;
        e.incident_id = r.inc.id;
        e.at = t;
        e.received_at = t + chr::milliseconds{300};
        if (!is_lifecycle(kind)) e.slack_ts = to_slack_ts(t);
        e.user = std::move(user);
        e.kind = kind;
        e.tags = std::move(tags);
        e.text = std::move(text);
        e.attrs = std::move(attrs);
        e.ref_ts = std::move(ref_ts);
        r.timeline.push_back(std::move(e));
        return r.timeline.back();
    }
};

const tag_hit hypothesis{tag::hypothesis, "hedge:i think"};
const tag_hit maybe{tag::hypothesis, "hedge:maybe"};
const tag_hit command{tag::command, "code-span"};
const tag_hit action{tag::action, "progressive:doing"};

// J. Hand's chapter-6 outage: the login page is down; someone runs `top` and finds an unknown
// process at 92% CPU; it is killed, the web services restarted, the status page updated twice,
// and the incident resolved. Alert at 14:30, declared 14:38, acknowledged 14:40, identified
// 14:47, mitigated 14:52, resolved 15:10. Lifecycle entries come from the real transitions in
// core/incident; chat entries look like what core/recording stores.
incident_record chapter6_outage() {
    timeline_builder b;
    auto& inc = b.r.inc;
    // Puts a lifecycle transition's entry on the timeline, as the bot does after it succeeds.
    const auto life = [&](result<timeline_entry> made) {
        REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error().message));
        auto e = std::move(made).value();
        e.seq = static_cast<std::int64_t>(b.r.timeline.size()) + 1;
        b.r.timeline.push_back(std::move(e));
    };

    auto d = declare_incident("Login page down", severity::sev1, "U0ALICE", "C0INC42", "inc-20261120-login-page-down",
                              at(14, 38, 0));
    REQUIRE(d.ok());
    inc = d->inc;
    inc.id = 42;  // assigned by storage
    d->entry.incident_id = 42;
    d->entry.seq = 1;
    b.r.timeline.push_back(d->entry);

    using k = entry_kind;
    const tag_hit joined{tag::join, "member_joined_channel"};
    b.add(k::bot_message, at(14, 38, 1), "B0INCBOT",
          "Incident #42 declared by <@U0ALICE>. Commander: please claim the role.");
    life(set_detected(inc, at(14, 30, 0), "U0ALICE", at(14, 38, 30)));
    b.add(k::join, at(14, 39, 0), "U0BOB", "joined", {joined});
    b.add(k::join, at(14, 39, 30), "U0CAROL", "joined", {joined}, {{"inviter", "U0BOB"}});
    life(acknowledge(inc, "U0BOB", at(14, 40, 0)));
    life(assign_role(inc, role::commander, "U0ALICE", "U0ALICE", at(14, 40, 30)));
    b.add(k::message, at(14, 41, 0), "U0BOB", "Login page gives a 502 for everyone, the web tier is up though");
    b.add(k::message, at(14, 42, 0), "U0CAROL", "I think the 14:25 deploy might have broken the session store",
          {hypothesis});
    const auto dns = b.add(k::message, at(14, 42, 30), "U0CAROL", "it's always DNS, I think", {hypothesis}).slack_ts;
    b.add(k::deletion, at(14, 42, 40), "", "", {}, {{"previous_text", "it's always DNS, I think"}}, dns);
    b.add(k::message, at(14, 43, 0), "U0BOB", "running `top` on web-01", {command});
    const auto cpu =
        b.add(k::message, at(14, 43, 23), "U0BOB", "unknown process `kdevtmpfsi` at 92% CPU on web-01, load average 38")
            .slack_ts;
    b.add(k::join, at(14, 43, 50), "U0DAVE", "joined", {joined});
    b.add(k::key_moment, at(14, 44, 0), "U0ALICE", ":pushpin:", {}, {{"reaction", "pushpin"}, {"item_user", "U0BOB"}},
          cpu);
    b.add(k::message, at(14, 44, 30), "U0DAVE", "Maybe it's a crypto miner, that would explain the CPU", {maybe});
    b.add(k::message, at(14, 45, 0), "U0CAROL",
          "the deploy was rolled back at 14:35 and it's still down, so probably not the deploy", {hypothesis});
    const auto kill =
        b.add(k::message, at(14, 46, 0), "U0BOB", "killing it: `sudo kill -9 4242`", {command, action}).slack_ts;
    b.add(k::reaction, at(14, 46, 20), "U0ALICE", ":+1:", {}, {{"reaction", "+1"}}, kill);
    life(change_status(inc, status::identified, "U0ALICE", "", at(14, 47, 0)));
    b.add(k::join, at(14, 47, 30), "U0ERIN", "joined", {joined});
    life(assign_role(inc, role::comms_lead, "U0ERIN", "U0ALICE", at(14, 48, 0)));
    life(record_statuspage_update(inc, "We are investigating failed logins on the website.", "U0ERIN", at(14, 48, 0)));
    b.add(k::message, at(14, 50, 0), "U0BOB", "restarting web services: `sudo systemctl restart nginx php-fpm`",
          {command, action});
    const auto plus_one = b.add(k::message, at(14, 51, 0), "U0DAVE", "+1, login works for me again").slack_ts;
    b.add(k::edit, at(14, 51, 30), "U0DAVE", "+1, login works for me again (Chrome & Firefox)", {}, {}, plus_one);
    life(change_status(inc, status::monitoring, "U0ALICE", "", at(14, 52, 0)));
    b.add(k::message, at(14, 53, 0), "U0CAROL", "p99 back to \"180ms\" | errors 0,\nwatching for 15m");
    b.add(k::message, at(14, 54, 0), "U0CAROL", "-> nothing else unusual in the process list");
    b.add(k::reminder, at(15, 3, 0), "B0INCBOT", "No status-page update for 15 minutes.");
    life(record_statuspage_update(inc, "A fix has been applied; logins work again. We are monitoring.", "U0ERIN",
                                  at(15, 8, 0)));
    life(add_action_item(inc, "Find out how kdevtmpfsi got onto web-01 and close the hole", "U0CAROL", "U0ALICE",
                         at(15, 9, 0)));
    life(resolve(inc, "U0ALICE", "unknown process killed, web services restarted", at(15, 10, 0)));
    b.add(k::bot_message, at(15, 10, 1), "B0INCBOT", "Incident #42 resolved.");

    // The transitions filled in the incident's times.
    CHECK(inc.acknowledged_by == "U0BOB");
    CHECK(inc.identified_at == at(14, 47, 0));
    CHECK(inc.mitigated_at == at(14, 52, 0));
    CHECK(inc.resolved_at == at(15, 10, 0));
    return b.r;
}

// A sev3 that was declared and talked about, and nothing else: no detection, ack or resolution.
incident_record missing_times() {
    timeline_builder b;
    auto& inc = b.r.inc;
    inc.id = 7;
    inc.title = "Checkout latency elevated";
    inc.sev = severity::sev3;
    inc.channel_id = "C0INC7";
    inc.declared_by = "U0FRANK";
    inc.declared_at = at(9, 0, 0);
    b.add(entry_kind::declare, at(9, 0, 0), "U0FRANK", "Declared sev3: Checkout latency elevated");
    b.add(entry_kind::message, at(9, 1, 0), "U0FRANK", "p95 at 2s on checkout");
    b.add(entry_kind::message, at(9, 2, 0), "", "message from a user Slack did not name");
    return b.r;
}

timeline_entry recording_gap(time_point from, time_point to, std::size_t recovered, std::string error) {
    return flows::make_gap_entry(0, 1, from, to, recovered, error, to);
}

}  // namespace ib_test

namespace {

using namespace ib;
using namespace ib_test;
using nlohmann::json;

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) ++n;
    return n;
}

const json* find_entry(const json& timeline, std::string_view kind, std::size_t nth = 0) {
    for (const auto& e : timeline)
        if (e["kind"] == kind && nth-- == 0) return &e;
    return nullptr;
}

}  // namespace

TEST_SUITE("export") {
    TEST_CASE("participants: bots excluded, joins, first message, counts, order of first appearance") {
        const auto r = chapter6_outage();
        const auto people = participants(r.timeline);

        // Alice declared first; the bot's messages and reminder do not make it a participant.
        REQUIRE(people.size() == 5);
        CHECK(people[0].user == "U0ALICE");
        CHECK(people[1].user == "U0BOB");
        CHECK(people[2].user == "U0CAROL");
        CHECK(people[3].user == "U0DAVE");
        CHECK(people[4].user == "U0ERIN");

        // Alice never joined while recording (she declared from the channel) and never chatted.
        CHECK_FALSE(people[0].joined_at.has_value());
        CHECK_FALSE(people[0].first_message_at.has_value());
        CHECK(people[0].messages == 0);

        CHECK(people[1].joined_at == at(14, 39, 0));
        CHECK(people[1].first_message_at == at(14, 41, 0));
        CHECK(people[1].messages == 5);
        CHECK(people[2].messages == 5);  // the deleted DNS message was still said
        CHECK(people[3].joined_at == at(14, 43, 50));
        CHECK(people[3].first_message_at == at(14, 44, 30));
        CHECK(people[3].messages == 2);  // an edit is not another message
        CHECK(people[4].joined_at == at(14, 47, 30));
        CHECK(people[4].messages == 0);

        SUBCASE("empty users are skipped") {
            const auto m = participants(missing_times().timeline);
            REQUIRE(m.size() == 1);
            CHECK(m[0].user == "U0FRANK");
            CHECK(m[0].messages == 1);
        }
        SUBCASE("order follows time, not storage order, when events arrive late") {
            auto tl = r.timeline;
            timeline_entry late;
            late.kind = entry_kind::message;
            late.user = "U0EARLY";
            late.at = at(14, 0, 0);  // said before everyone, recorded last
            tl.push_back(late);
            const auto p = participants(tl);
            REQUIRE(p.size() == 6);
            CHECK(p[0].user == "U0EARLY");
            CHECK(p[0].first_message_at == at(14, 0, 0));
        }
        SUBCASE("the first join counts, a rejoin does not move it") {
            std::vector<timeline_entry> tl(3);
            tl[0].kind = entry_kind::join, tl[0].user = "U1", tl[0].at = at(10, 0, 0);
            tl[1].kind = entry_kind::leave, tl[1].user = "U1", tl[1].at = at(10, 5, 0);
            tl[2].kind = entry_kind::join, tl[2].user = "U1", tl[2].at = at(10, 9, 0);
            const auto p = participants(tl);
            REQUIRE(p.size() == 1);
            CHECK(p[0].joined_at == at(10, 0, 0));
        }
        SUBCASE("no timeline, nobody") { CHECK(participants({}).empty()); }
    }

    TEST_CASE("json: every required key, with the right types and hand-computed metrics") {
        const auto r = chapter6_outage();
        const auto text = export_json(r);
        REQUIRE_FALSE(text.empty());
        CHECK(text.back() == '\n');
        CHECK(text.find("\n  \"incident\": {") != std::string::npos);  // 2-space indent

        const auto j = json::parse(text);
        CHECK(j["schema_version"] == 2);

        const auto& inc = j["incident"];
        CHECK(inc["id"] == 42);
        CHECK(inc["title"] == "Login page down");
        CHECK(inc["severity"] == "sev1");
        CHECK(inc["severity_description"].is_string());
        CHECK_FALSE(inc["severity_description"].get<std::string>().empty());
        CHECK(inc["status"] == "resolved");
        CHECK(inc["channel_id"] == "C0INC42");
        CHECK(inc["channel_name"] == "inc-20261120-login-page-down");
        CHECK(inc["declared_by"] == "U0ALICE");
        CHECK(inc["declared_at"] == "2026-11-20T14:38:00Z");
        CHECK(inc["detected_at"] == "2026-11-20T14:30:00Z");
        CHECK(inc["acknowledged_at"] == "2026-11-20T14:40:00Z");
        CHECK(inc["acknowledged_by"] == "U0BOB");
        CHECK(inc["identified_at"] == "2026-11-20T14:47:00Z");
        CHECK(inc["mitigated_at"] == "2026-11-20T14:52:00Z");
        CHECK(inc["resolved_at"] == "2026-11-20T15:10:00Z");
        CHECK(inc["commander"] == "U0ALICE");
        CHECK(inc["comms_lead"] == "U0ERIN");
        CHECK(inc["reopen_count"] == 0);
        // Start = detected 14:30. TTA = 14:40 − 14:30, TTR = 15:10 − 14:30, detection = 14:38 − 14:30,
        // response = 14:47 − 14:38, remediation = 15:10 − 14:47.
        CHECK(inc["tta_seconds"].is_number_integer());
        CHECK(inc["tta_seconds"] == 600);
        CHECK(inc["ttr_seconds"] == 2400);
        CHECK(inc["phases"]["detection_seconds"] == 480);
        CHECK(inc["phases"]["response_seconds"] == 540);
        CHECK(inc["phases"]["remediation_seconds"] == 1380);

        const auto& tl = j["timeline"];
        REQUIRE(tl.is_array());
        REQUIRE(tl.size() == r.timeline.size());
        for (std::size_t i = 0; i < tl.size(); ++i) {
            const auto& e = tl[i];
            CAPTURE(i);
            CHECK(e["seq"] == r.timeline[i].seq);
            CHECK(e["at"].is_string());
            CHECK((e["slack_ts"].is_string() || e["slack_ts"].is_null()));
            CHECK((e["user"].is_string() || e["user"].is_null()));
            CHECK(e["kind"] == std::string(to_string(r.timeline[i].kind)));
            CHECK(e["tags"].is_array());
            CHECK(e["tag_rules"].is_object());
            CHECK(e["text"].is_string());
            CHECK((e["ref_ts"].is_string() || e["ref_ts"].is_null()));
            CHECK(e["attrs"].is_object());
        }
        const auto* kill = find_entry(tl, "message", 7);  // "killing it: …"
        REQUIRE(kill != nullptr);
        CHECK(kill->at("text") == "killing it: `sudo kill -9 4242`");
        CHECK(kill->at("tags") == json::array({"command", "action"}));
        CHECK(kill->at("tag_rules") == json{{"command", "code-span"}, {"action", "progressive:doing"}});
        CHECK(kill->at("at") == "2026-11-20T14:46:00Z");
        CHECK(kill->at("slack_ts") == to_slack_ts(at(14, 46, 0)));
        CHECK(kill->at("ref_ts").is_null());
        // A deleted message's text stays out unless asked for (export_options::include_deleted).
        CHECK(find_entry(tl, "message", 2)->at("text") == "");
        CHECK(find_entry(tl, "deletion")->at("attrs") == json::object());
        const auto* declare = find_entry(tl, "declare");
        REQUIRE(declare != nullptr);
        CHECK(declare->at("slack_ts").is_null());  // lifecycle entries have no Slack ts
        CHECK(declare->at("attrs") == json{{"severity", "sev1"}});
        const auto* km = find_entry(tl, "key_moment");
        REQUIRE(km != nullptr);
        CHECK(km->at("ref_ts") == to_slack_ts(at(14, 43, 23)));

        const auto& people = j["participants"];
        REQUIRE(people.size() == 5);
        CHECK(people[0] ==
              json{{"user", "U0ALICE"}, {"user_name", "U0ALICE"}, {"joined_at", nullptr}, {"first_message_at", nullptr},
                   {"messages", 0}});
        CHECK(people[1] == json{{"user", "U0BOB"},
                                {"user_name", "U0BOB"},  // no name known: the id
                                {"joined_at", "2026-11-20T14:39:00Z"},
                                {"first_message_at", "2026-11-20T14:41:00Z"},
                                {"messages", 5}});

        REQUIRE(j["action_items"].size() == 1);
        CHECK(j["action_items"][0]["text"] == "Find out how kdevtmpfsi got onto web-01 and close the hole");
        CHECK(j["action_items"][0]["owner"] == "U0CAROL");
        CHECK(j["action_items"][0]["at"] == "2026-11-20T15:09:00Z");

        REQUIRE(j["status_updates"].size() == 2);
        CHECK(j["status_updates"][0] == json{{"at", "2026-11-20T14:48:00Z"},
                                             {"user", "U0ERIN"},
                                             {"user_name", "U0ERIN"},
                                             {"text", "We are investigating failed logins on the website."},
                                             {"slack_text", "We are investigating failed logins on the website."}});
        CHECK(j["status_updates"][1]["at"] == "2026-11-20T15:08:00Z");
    }

    TEST_CASE("json: missing times and unknown metrics are null, never invented") {
        const auto j = json::parse(export_json(missing_times()));
        const auto& inc = j["incident"];
        CHECK(inc["status"] == "investigating");
        CHECK(inc["declared_at"] == "2026-11-20T09:00:00Z");
        for (const auto* key :
             {"detected_at", "acknowledged_at", "acknowledged_by", "identified_at", "mitigated_at", "resolved_at",
              "commander", "comms_lead", "tta_seconds", "ttr_seconds"}) {
            CAPTURE(key);
            CHECK(inc.contains(key));
            CHECK(inc[key].is_null());
        }
        for (const auto* key : {"detection_seconds", "response_seconds", "remediation_seconds"}) {
            CAPTURE(key);
            CHECK(inc["phases"].contains(key));
            CHECK(inc["phases"][key].is_null());
        }
        CHECK(inc["channel_name"] == "");           // not a user field: stays a string
    CHECK(j["timeline"][2]["user"].is_null());  // empty user → null
        CHECK(j["action_items"] == json::array());
        CHECK(j["status_updates"] == json::array());

        SUBCASE("times out of order give null, not a negative number") {
            auto r = chapter6_outage();
            r.inc.identified_at = at(15, 20, 0);  // after resolution: remediation would be negative
            const auto k = json::parse(export_json(r));
            CHECK(k["incident"]["phases"]["remediation_seconds"].is_null());
            CHECK(k["incident"]["ttr_seconds"] == 2400);
        }
    }

    TEST_CASE("json: text that is not valid UTF-8 does not break the export") {
        auto r = missing_times();
        r.timeline[1].text = "cut in the middle \xE2\x82";
        const auto j = json::parse(export_json(r));
        CHECK(j["timeline"][1]["text"].get<std::string>().starts_with("cut in the middle"));
    }

    // export_json writes the document piece by piece instead of building one tree (a 100k-entry
    // timeline would take a second and hundreds of MB as a tree). Its output must stay exactly
    // what pretty-printing the same document prints, escaping included.
    TEST_CASE("json: written incrementally, byte-identical to pretty-printing the parsed document") {
        auto check_canonical = [](const incident_record& r) {
            const std::string text = export_json(r);
            const auto doc = nlohmann::ordered_json::parse(text);
            CHECK(doc.dump(2) + "\n" == text);
        };
        SUBCASE("the chapter 6 outage") { check_canonical(chapter6_outage()); }
        SUBCASE("no timeline at all") {
            auto r = chapter6_outage();
            r.timeline.clear();
            check_canonical(r);
        }
        SUBCASE("strings that need escaping, repeated tags, attributes") {
            auto r = chapter6_outage();
            REQUIRE(r.timeline.size() >= 3);
            r.timeline[0].text = std::string("quote \" backslash \\ tab \t nl \n cr \r nul ") + '\0' + " bell \x07 del \x7f";
            r.timeline[1].text = "é ü 日本語 🔥 and a cut sequence \xE2\x82 then \xFF end";
            r.timeline[1].user = "U\"ODD\\";
            r.timeline[2].tags = {{tag::command, "code-span"}, {tag::action, "first"}, {tag::action, "second"}};
            r.timeline[2].attrs["key \"quoted\""] = "value\nwith newline";
            r.timeline[2].attrs["a"] = "";
            check_canonical(r);
            const auto j = json::parse(export_json(r));
            CHECK(j["timeline"][0]["text"] == r.timeline[0].text);
            CHECK(j["timeline"][1]["user"] == "U\"ODD\\");
            CHECK(j["timeline"][2]["attrs"]["key \"quoted\""] == "value\nwith newline");
            CHECK(j["timeline"][2]["tags"] == json::array({"command", "action"}));
            CHECK(j["timeline"][2]["tag_rules"]["action"] == "first");
        }
        SUBCASE("a long timeline goes to the sink in bounded pieces that make the same document") {
            auto r = chapter6_outage();
            const auto base = r.timeline;
            for (int copy = 0; copy < 400; ++copy)
                for (const auto& e : base) r.timeline.push_back(e);
            std::vector<std::string> pieces;
            export_json(r, [&](std::string_view p) { pieces.emplace_back(p); });
            REQUIRE(pieces.size() > 3);
            std::string joined;
            for (const auto& p : pieces) {
                CHECK(p.size() < (std::size_t{1} << 17));
                joined += p;
            }
            CHECK(joined == export_json(r));
            check_canonical(r);
        }
    }

    TEST_CASE("csv: RFC 4180, one row per entry, quoting and formula guard") {
        const auto r = chapter6_outage();
        const auto csv = export_csv(r);
        CHECK(csv.starts_with("at,slack_ts,user,kind,tags,text,ref_ts,user_name\r\n"));

        const auto parsed = read_csv(csv);
        REQUIRE(parsed);
        const auto& rows = *parsed;
        REQUIRE(rows.size() == r.timeline.size() + 1);
        for (const auto& row : rows) CHECK(row.size() == 8);
        CHECK(rows[0] == std::vector<std::string>{"at", "slack_ts", "user", "kind", "tags", "text", "ref_ts", "user_name"});

        // Find rows by their text, as a spreadsheet user would.
        const auto row_of = [&](std::string_view prefix) -> const std::vector<std::string>* {
            for (const auto& row : rows)
                if (row[5].starts_with(prefix)) return &row;
            return nullptr;
        };
        const auto* kill = row_of("killing it");
        REQUIRE(kill != nullptr);
        CHECK((*kill)[0] == "2026-11-20T14:46:00Z");
        CHECK((*kill)[1] == to_slack_ts(at(14, 46, 0)));
        CHECK((*kill)[2] == "U0BOB");
        CHECK((*kill)[3] == "message");
        CHECK((*kill)[4] == "command;action");
        CHECK((*kill)[6] == "");
        CHECK((*kill)[7] == "U0BOB");  // no name known: the id, never an empty cell

        // Embedded quote, pipe, comma and newline survive the round trip.
        const auto* p99 = row_of("p99");
        REQUIRE(p99 != nullptr);
        CHECK((*p99)[5] == "p99 back to \"180ms\" | errors 0,\nwatching for 15m");
        CHECK(csv.find("\"p99 back to \"\"180ms\"\" | errors 0,\nwatching for 15m\"") != std::string::npos);

        // Text a spreadsheet would run as a formula is prefixed with an apostrophe.
        CHECK(row_of("'+1, login works for me again") != nullptr);
        CHECK(row_of("'+1, login works for me again (Chrome & Firefox)") != nullptr);  // the edit
        CHECK(row_of("'-> nothing else unusual") != nullptr);
        CHECK(row_of("+1") == nullptr);

        SUBCASE("every formula lead character is guarded") {
            timeline_builder b;
            for (const auto* t : {"=SUM(A1:A9)", "+1", "-2", "@cmd", "\tx", "\rx", "safe = text"})
                b.add(entry_kind::message, at(10, 0, 0), "U1", t);
            const auto guarded = read_csv(export_csv(b.r));
            REQUIRE(guarded);
            const auto& rs = *guarded;
            REQUIRE(rs.size() == 8);
            CHECK(rs[1][5] == "'=SUM(A1:A9)");
            CHECK(rs[2][5] == "'+1");
            CHECK(rs[3][5] == "'-2");
            CHECK(rs[4][5] == "'@cmd");
            CHECK(rs[5][5] == "'\tx");
            CHECK(rs[6][5] == "'\rx");
            CHECK(rs[7][5] == "safe = text");
        }
        SUBCASE("an empty timeline is just the header") {
            CHECK(export_csv(incident_record{}) == "at,slack_ts,user,kind,tags,text,ref_ts,user_name\r\n");
        }
    }

    TEST_CASE("deleted messages: no format quotes them; JSON only when asked") {
        auto r = chapter6_outage();
        const std::string said = "it's always DNS, I think";
        // A deleted bot message and an edited-then-deleted message too.
        timeline_builder b{r};
        const auto bot = b.add(entry_kind::bot_message, at(15, 11, 0), "B0OTHER", "token xyz-posted-by-a-bot").slack_ts;
        b.add(entry_kind::deletion, at(15, 11, 5), "", "", {}, {{"previous_text", "token xyz-posted-by-a-bot"}}, bot);
        const auto typo = b.add(entry_kind::message, at(15, 12, 0), "U0BOB", "first draft secret-abc").slack_ts;
        b.add(entry_kind::edit, at(15, 12, 5), "U0BOB", "second draft secret-abc", {}, {{"previous_text", "first draft secret-abc"}},
              typo);
        b.add(entry_kind::deletion, at(15, 12, 9), "", "", {}, {{"previous_text", "second draft secret-abc"}}, typo);
        r = b.r;

        for (const std::string& text :
             {export_json(r), export_csv(r), export_markdown(r), export_svg(r)}) {
            CHECK(text.find(said) == std::string::npos);
            CHECK(text.find("xyz-posted-by-a-bot") == std::string::npos);
            CHECK(text.find("secret-abc") == std::string::npos);
        }
        // The entries are still there: who said something, when, and that it was deleted.
        const auto j = json::parse(export_json(r));
        const auto* m = find_entry(j["timeline"], "message", 2);
        REQUIRE(m != nullptr);
        CHECK(m->at("user") == "U0CAROL");
        CHECK(m->at("tags") == json::array({"hypothesis"}));
        CHECK(count(export_csv(r), ",(deleted),") == 4);  // the two messages, the bot's, one edit

        // --include-deleted: everything, as recorded.
        const std::string all = export_json(r, export_options{.include_deleted = true});
        CHECK(all.find(said) != std::string::npos);
        CHECK(all.find("xyz-posted-by-a-bot") != std::string::npos);
        // message and edit (each as `text` and `slack_text`), edit's and deletion's previous_text
        CHECK(count(all, "secret-abc") == 6);
        CHECK(json::parse(all)["timeline"].size() == j["timeline"].size());
    }

    TEST_CASE("private incidents are marked in every export") {
        auto r = chapter6_outage();
        CHECK(json::parse(export_json(r))["incident"]["private"] == false);
        CHECK(export_markdown(r).find("Private incident") == std::string::npos);
        r.inc.is_private = true;
        CHECK(json::parse(export_json(r))["incident"]["private"] == true);
        CHECK(export_markdown(r).find("**Private incident:**") != std::string::npos);
        CHECK(export_svg(r).find(">private · sev1") != std::string::npos);
    }

    // Issue 15, leases: an instance died holding a reminder's claim; another took it over after
    // the lease and posted it; a third resolved, died, and its summary was taken over too. Every
    // export shows the reminder once and none of the instances' bookkeeping.
    TEST_CASE("a reminder taken over, and a summary taken over: each shows once, bookkeeping never") {
        auto r = chapter6_outage();
        const claim_lease a{std::chrono::seconds{60}, "host-a:1:aa"}, b{std::chrono::seconds{60}, "host-b:2:bb"};
        auto open = r.inc;  // the incident as it was while the reminder was due
        open.state = status::monitoring;
        open.resolved_at.reset();
        const auto policy = reminder_policy::uniform(std::chrono::minutes{10});
        const auto claim = reminder_to_claim(open, {}, at(15, 20, 0), policy, a);
        REQUIRE(claim);
        const std::vector<timeline_entry> claimed{*claim};
        const auto take = reminder_to_claim(open, claimed, at(15, 21, 0), policy, b);
        REQUIRE(take);
        r.timeline.push_back(*claim);
        r.timeline.push_back(*take);
        r.timeline.push_back(make_reminder_mark(*take, take->at, "posted"));
        r.timeline.push_back(make_summary_mark(r.inc.id, "resolve-1", "host-b:2:bb", at(15, 22, 0), "taken_over"));
        r.timeline.push_back(make_summary_mark(r.inc.id, "resolve-1", "host-b:2:bb", at(15, 22, 1), "posted"));
        const auto before = chapter6_outage().timeline;
        const auto reminders_before = static_cast<std::size_t>(std::count_if(
            before.begin(), before.end(), [](const timeline_entry& e) { return e.kind == entry_kind::reminder; }));
        r.timeline = history_of(std::move(r.timeline));  // as every output reads it

        const auto j = json::parse(export_json(r));
        std::size_t reminders = 0;
        for (const auto& e : j["timeline"]) reminders += e["kind"] == "reminder" ? 1 : 0;
        CHECK(reminders == reminders_before + 1);  // the reminder posted once shows once
        const auto rows = read_csv(export_csv(r));
        REQUIRE(rows);
        CHECK(std::count_if(rows->begin(), rows->end(), [](const auto& row) {
                  return std::find(row.begin(), row.end(), "reminder") != row.end();
              }) == static_cast<std::ptrdiff_t>(reminders_before + 1));
        const auto md = export_markdown(r);
        CHECK(md.find("taken over") == std::string::npos);
        CHECK(md.find("the summary was") == std::string::npos);
    }

    TEST_CASE("a recording gap: a note above the Markdown timeline, an entry in JSON and CSV") {
        auto r = chapter6_outage();
        const auto gap = recording_gap(at(14, 42, 0), at(14, 45, 30), 12);
        r.timeline.push_back(gap);

        const auto md = export_markdown(r);
        const auto note = md.find("> **Recording gap:** not connected 14:42:00–14:45:30 UTC; 12 messages recovered");
        REQUIRE(note != std::string::npos);
        CHECK(note < md.find("| Time (UTC) | Who | Kind | Tags | Text |"));
        CHECK(export_markdown(chapter6_outage()).find("Recording gap") == std::string::npos);

        const auto j = json::parse(export_json(r));
        const json* e = find_entry(j["timeline"], "gap");
        REQUIRE(e != nullptr);
        CHECK((*e)["text"] == gap.text);
        CHECK((*e)["at"] == "2026-11-20T14:42:00Z");

        const auto rows = read_csv(export_csv(r));
        REQUIRE(rows);
        CHECK(std::count_if(rows->begin(), rows->end(), [](const auto& row) {
                  return std::find(row.begin(), row.end(), "gap") != row.end();
              }) == 1);
    }

    TEST_CASE("markdown: review draft with every section, metrics and escaped cells") {
        const auto md = export_markdown(chapter6_outage());

        CHECK(md.starts_with("# Incident #42: Login page down\n"));
        CHECK(md.find("**Severity:** sev1") != std::string::npos);
        CHECK(md.find("**Status:** resolved") != std::string::npos);
        for (const auto* section : {"## Summary", "## Key metrics", "## Lifecycle", "## Participants", "## Timeline",
                                    "## Status-page updates", "## Action items", "## Open questions"}) {
            CAPTURE(section);
            CHECK(count(md, std::string("\n") + section + "\n") == 1);
        }
        CHECK(md.find("**What happened:** _to fill in_") != std::string::npos);
        CHECK(md.find("_to fill in_") != std::string::npos);

        // Metrics with their definitions.
        CHECK(
            md.find("| TTA (time to acknowledge) | 10m 00s | TTA = acknowledged − start (detected, else declared) |") !=
            std::string::npos);
        CHECK(md.find("| TTR (time to recover) | 40m 00s |") != std::string::npos);
        CHECK(md.find("| Detection | 8m 00s |") != std::string::npos);
        CHECK(md.find("| Response | 9m 00s |") != std::string::npos);
        CHECK(md.find("| Remediation | 23m 00s |") != std::string::npos);

        // Lifecycle: who acknowledged, who resolved.
        CHECK(md.find("| Acknowledged | 2026-11-20 14:40:00 | U0BOB |") != std::string::npos);
        CHECK(md.find("| Resolved | 2026-11-20 15:10:00 | U0ALICE |") != std::string::npos);
        CHECK(md.find("| Identified | 2026-11-20 14:47:00 | U0ALICE |") != std::string::npos);

        CHECK(md.find("| U0BOB | 2026-11-20 14:39:00 | 2026-11-20 14:41:00 | 5 |") != std::string::npos);
        CHECK(md.find("B0INCBOT | 2026") == std::string::npos);  // bot is not in the participants table

        // Pipes and newlines escaped in the timeline cell.
        CHECK(md.find("p99 back to \"180ms\" \\| errors 0,<br>watching for 15m |") != std::string::npos);
        CHECK(md.find("| message | command, action | killing it: `sudo kill -9 4242` |") != std::string::npos);

        // The pinned message is quoted; a deleted message's text stays out of the shared draft.
        CHECK(md.find("- 2026-11-20 14:44:00 UTC, U0ALICE: 📌 unknown process `kdevtmpfsi` at 92% CPU") !=
              std::string::npos);
        CHECK(md.find("always DNS") == std::string::npos);
        CHECK(md.find("| message | hypothesis | _(deleted later; text left out of this draft)_ |") !=
              std::string::npos);

        CHECK(md.find("- [ ] Find out how kdevtmpfsi got onto web-01 and close the hole (owner: U0CAROL)") !=
              std::string::npos);
        CHECK(md.find("We are investigating failed logins on the website.") != std::string::npos);
        CHECK(md.find("A fix has been applied; logins work again.") != std::string::npos);
        for (const auto q : review_questions()) CHECK(md.find(std::string(q)) != std::string::npos);
        CHECK(md.find("When did we first know?") != std::string::npos);
        CHECK(md.find("What surprised us?") != std::string::npos);

        SUBCASE("missing times read n/a") {
            const auto m = export_markdown(missing_times());
            CHECK(m.find("| TTA (time to acknowledge) | n/a |") != std::string::npos);
            CHECK(m.find("| TTR (time to recover) | n/a |") != std::string::npos);
            CHECK(m.find("| Acknowledged | n/a | — |") != std::string::npos);
            CHECK(m.find("_None recorded._") != std::string::npos);
        }
        SUBCASE("people by name when the users.info cache knows them, mentions in text too") {
            auto r = chapter6_outage();
            r.names = {{"U0ALICE", "Alice Smith"}, {"U0BOB", "bob_the *builder*"}};
            r.timeline[1].text = "cc <@U0ALICE> and <@U0NOBODY|nob>";
            const auto m = export_markdown(r);
            CHECK(m.find("| Acknowledged | 2026-11-20 14:40:00 | @bob\\_the \\*builder\\* |") != std::string::npos);
            CHECK(m.find("| Identified | 2026-11-20 14:47:00 | @Alice Smith |") != std::string::npos);
            CHECK(m.find("cc @Alice Smith and @nob") != std::string::npos);
            CHECK(m.find("(owner: U0CAROL)") != std::string::npos);  // not known: the id
            const auto c = export_csv(r);
            CHECK(c.find(",cc @Alice Smith and @nob,") != std::string::npos);
            CHECK(c.find(",'@Alice Smith\r\n") != std::string::npos);  // '@' would start a formula
            const auto j = json::parse(export_json(r));
            CHECK(j["timeline"][1]["text"] == "cc <@U0ALICE> and <@U0NOBODY|nob>");  // JSON keeps the markup
            CHECK(j["users"] == json{{"U0ALICE", "Alice Smith"}, {"U0BOB", "bob_the *builder*"}});
            CHECK(j["participants"][0]["user_name"].is_string());
        }
        SUBCASE("what was typed reads as typed, once escaped; a typed ping is text") {
            auto r = missing_times();
            r.inc.title = "p99 &gt; 2s &amp; &lt;x&gt;";
            r.timeline[1].text = "p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt; <!here>";
            const auto m = export_markdown(r);
            CHECK(m.starts_with("# Incident #7: p99 &gt; 2s &amp; &lt;x&gt;\n"));
            CHECK(m.find("p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt; @here") != std::string::npos);
            const auto j = json::parse(export_json(r));
            CHECK(j["incident"]["title"] == "p99 > 2s & <x>");
            CHECK(j["incident"]["slack_title"] == "p99 &gt; 2s &amp; &lt;x&gt;");
            CHECK(j["timeline"][1]["text"] == "p99 > 2s & <x> <!channel> <!here>");
            CHECK(j["timeline"][1]["slack_text"] == r.timeline[1].text);
            CHECK(export_csv(r).find(",p99 > 2s & <x> <!channel> @here,") != std::string::npos);
        }
        SUBCASE("a title with a newline stays one heading") {
            auto r = missing_times();
            r.inc.title = "two\nlines";
            CHECK(export_markdown(r).starts_with("# Incident #7: two lines\n"));
        }
    }

}  // TEST_SUITE
