// End-of-incident summary and review prompt: the data, the mrkdwn text and the Block Kit JSON.
#include "core/summary.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "incident_fixtures.hpp"

namespace {

using namespace ib;
namespace chr = std::chrono;
using ib_test::at;
using ib_test::chapter6_outage;
using nlohmann::json;

timeline_entry entry(entry_kind kind, time_point t, std::string user, std::string text = {},
                     std::vector<tag_hit> tags = {}, std::map<std::string, std::string> attrs = {}) {
    timeline_entry e;
    e.kind = kind;
    e.at = t;
    if (!is_lifecycle(kind)) e.slack_ts = to_slack_ts(t);
    e.user = std::move(user);
    e.text = std::move(text);
    e.tags = std::move(tags);
    e.attrs = std::move(attrs);
    return e;
}

const tag_hit hyp{tag::hypothesis, "hedge:i think"};
const tag_hit cmd{tag::command, "code-span"};
const tag_hit act{tag::action, "progressive:doing"};

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

bool valid_utf8(std::string_view s) {
    try {
        (void)json(std::string(s)).dump();  // nlohmann's strict serializer rejects bad UTF-8
        return true;
    } catch (const json::exception&) {
        return false;
    }
}

// Slack's Block Kit limits, as the API enforces them (counted here in bytes, which is stricter).
void check_block_limits(const json& blocks) {
    REQUIRE(blocks.is_array());
    CHECK_FALSE(blocks.empty());
    CHECK(blocks.size() <= 50);
    for (const auto& b : blocks) {
        CAPTURE(b.dump());
        const auto type = b.at("type").get<std::string>();
        if (type == "header") {
            CHECK(b["text"]["type"] == "plain_text");
            const auto t = b["text"]["text"].get<std::string>();
            CHECK_FALSE(t.empty());
            CHECK(t.size() <= 150);
        } else if (type == "section") {
            CHECK((b.contains("text") || b.contains("fields")));
            if (b.contains("text")) {
                const auto t = b["text"]["text"].get<std::string>();
                CHECK_FALSE(t.empty());
                CHECK(t.size() <= 3000);
            }
            if (b.contains("fields")) {
                CHECK(b["fields"].size() <= 10);
                for (const auto& f : b["fields"]) {
                    const auto t = f["text"].get<std::string>();
                    CHECK_FALSE(t.empty());
                    CHECK(t.size() <= 2000);
                }
            }
        } else if (type == "context") {
            CHECK(b["elements"].size() <= 10);
            for (const auto& el : b["elements"]) CHECK(el["text"].get<std::string>().size() <= 3000);
        } else {
            CHECK(type == "divider");
        }
    }
    // Serializes (valid UTF-8) and reads back identically.
    CHECK(json::parse(blocks.dump()) == blocks);
}

// An incident far bigger than any real one: 5,000 entries, 300 people, long texts full of
// characters that need escaping.
incident_record huge_incident() {
    incident_record r = chapter6_outage();
    r.inc.title = "Everything & everyone <down> " + std::string(300, 'x');
    r.inc.sev = severity::sev2;
    r.inc.reopen_count = 3;
    r.timeline.clear();
    const std::string long_text = "I think <!channel> & <b>this</b> é€😀 " + std::string(400, 'y');
    for (int i = 0; i < 5000; ++i) {
        const auto t = at(14, 0, 0) + chr::seconds{i};
        const auto user = "U" + std::to_string(1000 + i % 300);
        switch (i % 10) {
        case 0: r.timeline.push_back(entry(entry_kind::join, t, user)); break;
        case 6: r.timeline.push_back(entry(entry_kind::statuspage, t, user, "update " + long_text)); break;
        case 7: r.timeline.push_back(entry(entry_kind::action_item, t, user, long_text, {}, {{"owner", user}})); break;
        case 8: {
            auto e = entry(entry_kind::key_moment, t, user, long_text);
            e.ref_ts = to_slack_ts(t);
            r.timeline.push_back(e);
            break;
        }
        case 9:
            r.timeline.push_back(
                entry(entry_kind::status, t, user, {}, {},
                      {{"from", "investigating"}, {"to", i % 20 == 9 ? "identified" : "investigating"}}));
            break;
        default: r.timeline.push_back(entry(entry_kind::message, t, user, long_text, {hyp, cmd, act})); break;
        }
    }
    return r;
}

// A small sev4: three people, acknowledged after 5 minutes, resolved after 20.
incident_record small_sev4() {
    incident_record r;
    r.inc.id = 9;
    r.inc.title = "One replica of the search index is lagging";
    r.inc.sev = severity::sev4;
    r.inc.state = status::resolved;
    r.inc.declared_by = "U1";
    r.inc.declared_at = at(10, 0, 0);
    r.inc.acknowledged_at = at(10, 5, 0);
    r.inc.acknowledged_by = "U2";
    r.inc.resolved_at = at(10, 20, 0);
    r.timeline.push_back(entry(entry_kind::declare, at(10, 0, 0), "U1", "Declared sev4"));
    r.timeline.push_back(entry(entry_kind::join, at(10, 1, 0), "U2"));
    r.timeline.push_back(entry(entry_kind::ack, at(10, 5, 0), "U2", "Acknowledged"));
    r.timeline.push_back(entry(entry_kind::message, at(10, 6, 0), "U3", "replica 2 is 40s behind, rebuilding it"));
    r.timeline.push_back(entry(entry_kind::resolve, at(10, 20, 0), "U2", "resolved: replica rebuilt", {},
                               {{"from", "investigating"}, {"to", "resolved"}, {"note", "replica rebuilt"}}));
    return r;
}

void add_people(incident_record& r, int n) {
    for (int i = 0; i < n; ++i) r.timeline.push_back(entry(entry_kind::join, at(10, 10, i), "U9" + std::to_string(i)));
}

chr::sys_days day(int y, unsigned m, unsigned d) { return chr::sys_days{chr::year{y} / chr::month{m} / chr::day{d}}; }

// An earlier incident for the history-based rules: declared `before` the small sev4's 10:00,
// with `people` joining, resolved after `ttr` when given, plus `extra` entries.
incident_record earlier_incident(std::int64_t id, severity sev, chr::days before, int people,
                                 std::optional<chr::minutes> ttr = std::nullopt,
                                 std::vector<timeline_entry> extra = {}) {
    incident_record r;
    r.inc.id = id;
    r.inc.title = "Earlier incident " + std::to_string(id);
    r.inc.sev = sev;
    r.inc.declared_by = "UE0";
    r.inc.declared_at = at(10, 0, 0) - before;
    if (ttr) {
        r.inc.state = status::resolved;
        r.inc.resolved_at = r.inc.declared_at + *ttr;
    }
    for (int i = 0; i < people; ++i)
        r.timeline.push_back(entry(entry_kind::join, r.inc.declared_at + chr::seconds{i}, "UE" + std::to_string(i)));
    for (auto& e : extra) {
        e.at = r.inc.declared_at + chr::minutes{5};
        if (!is_lifecycle(e.kind)) e.slack_ts = to_slack_ts(e.at);
        r.timeline.push_back(std::move(e));
    }
    return r;
}

bool has_reason(const review_prompt& p, std::string_view word) {
    for (const auto& reason : p.reasons)
        if (reason.find(word) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_SUITE("summary") {
    TEST_CASE("summary data of the chapter-6 outage") {
        const auto s = summarize(chapter6_outage());

        CHECK(s.id == 42);
        CHECK(s.title == "Login page down");
        CHECK(s.sev == severity::sev1);
        CHECK(s.state == status::resolved);
        CHECK(s.start == at(14, 30, 0));
        CHECK(s.metrics.tta == chr::seconds{600});
        CHECK(s.metrics.ttr == chr::seconds{2400});
        CHECK(s.participants.size() == 5);
        CHECK(s.entry_count == 34);
        CHECK(s.message_count == 12);

        // The deleted DNS guess counts but is not quoted.
        CHECK(s.hypotheses.count == 4);
        CHECK(s.hypotheses.examples ==
              std::vector<std::string>{
                  "I think the 14:25 deploy might have broken the session store",
                  "Maybe it's a crypto miner, that would explain the CPU",
                  "the deploy was rolled back at 14:35 and it's still down, so probably not the deploy"});
        CHECK(s.commands.count == 3);
        CHECK(s.commands.examples ==
              std::vector<std::string>{"running `top` on web-01", "killing it: `sudo kill -9 4242`",
                                       "restarting web services: `sudo systemctl restart nginx php-fpm`"});
        CHECK(s.actions.count == 2);
        CHECK(s.actions.examples.size() == 2);

        REQUIRE(s.status_history.size() == 3);
        CHECK(s.status_history[0].from == "investigating");
        CHECK(s.status_history[0].to == "identified");
        CHECK(s.status_history[0].at == at(14, 47, 0));
        CHECK(s.status_history[1].to == "monitoring");
        CHECK(s.status_history[2].from == "monitoring");
        CHECK(s.status_history[2].to == "resolved");
        CHECK(s.status_history[2].by == "U0ALICE");

        // Updates at 14:48 and 15:08 after a 14:30 start: 18 minutes, then 20.
        REQUIRE(s.status_updates.size() == 2);
        REQUIRE(s.longest_update_gap.has_value());
        CHECK(s.longest_update_gap->length == chr::seconds{1200});
        CHECK(s.longest_update_gap->from == at(14, 48, 0));
        CHECK(s.longest_update_gap->to == at(15, 8, 0));
        CHECK_FALSE(s.longest_update_gap->from_start);

        REQUIRE(s.action_items.size() == 1);
        CHECK(s.action_items[0].owner == "U0CAROL");
        CHECK(s.action_items[0].by == "U0ALICE");

        // The 📌 entry has no text of its own: the marked message's text is used.
        REQUIRE(s.key_moments.size() == 1);
        CHECK(s.key_moments[0].text == "unknown process `kdevtmpfsi` at 92% CPU on web-01, load average 38");
        CHECK(s.key_moments[0].user == "U0ALICE");
    }

    TEST_CASE("summary: status history through a reopen, from the real transitions") {
        auto d = declare_incident("Payments failing", severity::sev2, "U1", "C1", "inc-payments", at(9, 0, 0));
        REQUIRE(d.ok());
        incident_record r{d->inc, {d->entry}, {}};
        auto& inc = r.inc;
        const auto push = [&](result<timeline_entry> e) {
            REQUIRE(e.ok());
            r.timeline.push_back(*e);
        };
        push(change_status(inc, status::identified, "U2", "", at(9, 10, 0)));
        push(resolve(inc, "U2", "card processor back", at(9, 30, 0)));
        push(reopen(inc, "U1", "failing again", at(10, 0, 0)));
        push(resolve(inc, "U2", "", at(10, 45, 0)));
        inc.id = 3;

        const auto s = summarize(r);
        REQUIRE(s.status_history.size() == 4);
        CHECK(s.status_history[0].from == "investigating");
        CHECK(s.status_history[0].to == "identified");
        CHECK(s.status_history[1].from == "identified");
        CHECK(s.status_history[1].to == "resolved");
        CHECK(s.status_history[2].from == "resolved");
        CHECK(s.status_history[2].to == "investigating");
        CHECK(s.status_history[2].by == "U1");
        CHECK(s.status_history[3].from == "investigating");
        CHECK(s.status_history[3].to == "resolved");
        CHECK(s.metrics.ttr == chr::seconds{105 * 60});  // the latest resolution counts

        const auto text = render_summary_text(s);
        CHECK(text.find("investigating → identified 09:10 → resolved 09:30 → investigating 10:00 → resolved 10:45 "
                        "(reopened 1×)") != std::string::npos);
        // TTR 1h 45m and sev2: both rules fire.
        const auto p = make_review_prompt(r, at(10, 45, 0));
        CHECK(p.reasons.size() == 2);
    }

    TEST_CASE("summary: a key moment on a message not on this timeline") {
        auto r = small_sev4();
        auto km =
            entry(entry_kind::key_moment, at(10, 7, 0), "U2", ":round_pushpin:", {}, {{"reaction", "round_pushpin"}});
        km.ref_ts = "1795170000.000100";
        r.timeline.push_back(km);
        const auto s = summarize(r);
        REQUIRE(s.key_moments.size() == 1);
        CHECK(s.key_moments[0].text.empty());  // not the emoji
        CHECK(render_summary_text(s).find("10:07 (message 1795170000.000100)") != std::string::npos);
    }

    TEST_CASE("summary: status-page gaps") {
        auto r = small_sev4();
        SUBCASE("no update: no gap") { CHECK_FALSE(summarize(r).longest_update_gap.has_value()); }
        SUBCASE("the wait for the first update is a gap too") {
            r.timeline.push_back(entry(entry_kind::statuspage, at(10, 12, 0), "U1", "Search may be slow"));
            r.timeline.push_back(entry(entry_kind::statuspage, at(10, 15, 0), "U1", "Fixed"));
            const auto s = summarize(r);
            REQUIRE(s.longest_update_gap.has_value());
            CHECK(s.longest_update_gap->length == chr::seconds{720});
            CHECK(s.longest_update_gap->from == at(10, 0, 0));
            CHECK(s.longest_update_gap->from_start);
        }
        SUBCASE("updates recorded out of order are sorted first") {
            r.timeline.push_back(entry(entry_kind::statuspage, at(10, 30, 0), "U1", "later"));
            r.timeline.push_back(entry(entry_kind::statuspage, at(10, 2, 0), "U1", "earlier"));
            const auto s = summarize(r);
            CHECK(s.status_updates.front().text == "earlier");
            CHECK(s.longest_update_gap->length == chr::seconds{28 * 60});
        }
    }

    TEST_CASE("summary: recording gaps, from the gap entries the backfill wrote") {
        auto r = small_sev4();
        r.timeline.push_back(ib_test::recording_gap(at(10, 1, 2), at(10, 3, 10), 126));
        r.timeline.push_back(ib_test::recording_gap(at(10, 20, 0), at(10, 21, 0), 0, "not_in_channel"));
        const auto s = summarize(r);
        REQUIRE(s.gaps.size() == 2);
        CHECK(s.gaps[0].from == at(10, 1, 2));
        CHECK(s.gaps[0].to == at(10, 3, 10));
        CHECK(s.gaps[0].recovered == 126);
        CHECK(s.gaps[0].error.empty());
        CHECK(s.gaps[1].error == "not_in_channel");
        const auto text = render_summary_text(s);
        CHECK(text.find("*Recording gaps (2):*") != std::string::npos);
        CHECK(text.find("(2m 08s), 126 messages recovered from Slack's history") != std::string::npos);
        CHECK(text.find("0 messages recovered from Slack's history; the rest could not be read (not_in_channel)") !=
              std::string::npos);
        // Without gap entries, no section.
        CHECK(render_summary_text(summarize(small_sev4())).find("Recording gaps") == std::string::npos);
    }

    TEST_CASE("summary: examples are short, one line, from the latest edit") {
        auto r = small_sev4();
        auto msg =
            entry(entry_kind::message, at(10, 7, 0), "U3", "I think it's the\nold " + std::string(400, 'z'), {hyp});
        r.timeline.push_back(msg);
        // 200 × "é" (two bytes each): cutting by bytes could split one.
        auto accented = entry(entry_kind::message, at(10, 8, 0), "U3", "peut-être ", {hyp});
        for (int i = 0; i < 200; ++i) accented.text += "é";
        r.timeline.push_back(accented);
        auto edited = entry(entry_kind::message, at(10, 9, 0), "U3", "I think it's disk", {hyp});
        r.timeline.push_back(edited);
        auto edit = entry(entry_kind::edit, at(10, 9, 30), "U3", "I think it's the network, not disk");
        edit.ref_ts = edited.slack_ts;
        r.timeline.push_back(edit);

        const auto s = summarize(r);
        REQUIRE(s.hypotheses.examples.size() == 3);
        const auto& first = s.hypotheses.examples[0];
        CHECK(code_points(first) == 150);
        CHECK(first.starts_with("I think it's the old zzz"));
        CHECK(first.ends_with("…"));
        CHECK(first.find('\n') == std::string::npos);
        CHECK(code_points(s.hypotheses.examples[1]) == 150);
        CHECK(valid_utf8(s.hypotheses.examples[1]));
        CHECK(s.hypotheses.examples[2] == "I think it's the network, not disk");
    }

    TEST_CASE("summary: text that is not valid UTF-8 still renders to valid JSON") {
        auto r = small_sev4();
        r.inc.title = "bad \xC3\x28 title \xED\xA0\x80 end \xF0\x9F";
        r.timeline.push_back(entry(entry_kind::message, at(10, 7, 0), "U3", "I think \xE2\x82 cut \xFF", {hyp}));
        const auto s = summarize(r);
        CHECK(valid_utf8(s.hypotheses.examples.at(0)));
        CHECK(valid_utf8(render_summary_text(s)));
        CHECK_NOTHROW((void)render_summary_blocks(s).dump());
        const auto text = render_summary_text(s);
        CHECK(text.find("I think \xEF\xBF\xBD") != std::string::npos);  // bad bytes become U+FFFD
        CHECK(text.find("\xEF\xBF\xBD cut \xEF\xBF\xBD") != std::string::npos);
    }

    TEST_CASE("summary text: mrkdwn with mentions, metrics and user text quoted once") {
        auto r = chapter6_outage();
        r.timeline.push_back(entry(entry_kind::message, at(14, 55, 0), "U0DAVE",
                                   "I think <!channel> & <https://evil|this> broke it", {hyp}));
        r.timeline.push_back(
            entry(entry_kind::message, at(14, 56, 0), "U0DAVE", "I think it's <@U0BOB>'s change", {hyp}));
        auto s = summarize(r);
        // List only the two new ones (the first four could take the section's room).
        REQUIRE(s.hypothesis_fates.size() == 6);
        s.hypothesis_fates.erase(s.hypothesis_fates.begin(), s.hypothesis_fates.end() - 2);
        const auto text = render_summary_text(s);

        CHECK(text.size() <= 3000);
        CHECK(text.find("Incident #42 resolved: Login page down") != std::string::npos);
        CHECK(text.find("sev1") != std::string::npos);
        CHECK(text.find("*TTA* 10m 00s") != std::string::npos);
        CHECK(text.find("*TTR* 40m 00s") != std::string::npos);
        CHECK(text.find("<@U0ALICE>") != std::string::npos);
        CHECK(text.find("• <@U0BOB> joined 14:39, first spoke 14:41, 5 messages") != std::string::npos);
        CHECK(text.find("*Hypotheses (6):*") != std::string::npos);
        CHECK(text.find("*Commands (3):*") != std::string::npos);
        CHECK(text.find("investigating → identified 14:47 → monitoring 14:52 → resolved 15:10") != std::string::npos);
        CHECK(text.find("2 updates, longest without news 20m 00s (14:48 → 15:08)") != std::string::npos);
        CHECK(text.find("Find out how kdevtmpfsi got onto web-01 and close the hole (<@U0CAROL>)") !=
              std::string::npos);
        CHECK(text.find("92% CPU") != std::string::npos);

        // Stored text is Slack text, quoted as Slack sent it: a ping in it is defused (a quote never
        // notifies anyone again), its links and mentions stay, a stray `&` is escaped.
        CHECK(text.find("I think @channel &amp; <https://evil|this> broke it") != std::string::npos);
        CHECK(text.find("it's <@U0BOB>'s change") != std::string::npos);
        CHECK(text.find("<!channel>") == std::string::npos);

        SUBCASE("the missing-times incident reads n/a") {
            const auto t = render_summary_text(summarize(ib_test::missing_times()));
            CHECK(t.find("*TTA* n/a") != std::string::npos);
            CHECK(t.find("Incident #7 (investigating): Checkout latency elevated") != std::string::npos);
            CHECK(t.find("no updates recorded") != std::string::npos);
        }
    }

    TEST_CASE("summary text stays within 3,000 characters for 5,000 entries") {
        const auto r = huge_incident();
        REQUIRE(r.timeline.size() == 5000);
        const auto s = summarize(r);
        CHECK(s.participants.size() == 300);
        CHECK(s.hypotheses.count == 2500);
        CHECK(s.hypotheses.examples.size() == 3);

        const auto text = render_summary_text(s);
        CHECK(text.size() <= 3000);
        CHECK(code_points(text) <= 3000);
        CHECK(valid_utf8(text));
        CHECK(text.find("…and ") != std::string::npos);
        CHECK(text.find("more") != std::string::npos);
        CHECK(text.find("<!channel>") == std::string::npos);
        // The parts at the end are still there, squeezed.
        CHECK(text.find("*Participants (300):*") != std::string::npos);
        CHECK(text.find("*Action items (500):*") != std::string::npos);
        CHECK(text.find("*Key moments (500):*") != std::string::npos);
    }

    TEST_CASE("summary blocks stay within Slack's limits") {
        SUBCASE("chapter-6 outage") {
            const auto blocks = render_summary_blocks(summarize(chapter6_outage()));
            check_block_limits(blocks);
            CHECK(blocks[0]["type"] == "header");
            CHECK(blocks[0]["text"]["text"].get<std::string>().find("Incident #42 resolved: Login page down") !=
                  std::string::npos);
            CHECK(blocks[1]["fields"].size() == 10);
            CHECK(blocks.back()["type"] == "context");
            const auto dump = blocks.dump();
            CHECK(dump.find("*TTR*\\n40m 00s") != std::string::npos);
            CHECK(dump.find("<@U0ERIN>") != std::string::npos);
        }
        SUBCASE("huge incident") {
            const auto blocks = render_summary_blocks(summarize(huge_incident()));
            check_block_limits(blocks);
            const auto header = blocks[0]["text"]["text"].get<std::string>();
            CHECK(header.size() <= 150);
            CHECK(header.ends_with("…"));
            CHECK(blocks.dump().find("…and ") != std::string::npos);
        }
        SUBCASE("missing times") { check_block_limits(render_summary_blocks(summarize(ib_test::missing_times()))); }
    }

    TEST_CASE("next business day skips the weekend") {
        CHECK(chr::weekday{day(2026, 11, 20)} == chr::Friday);
        CHECK(next_business_day(day(2026, 11, 20)) == day(2026, 11, 23));  // Fri → Mon
        CHECK(next_business_day(day(2026, 11, 21)) == day(2026, 11, 23));  // Sat → Mon
        CHECK(next_business_day(day(2026, 11, 22)) == day(2026, 11, 23));  // Sun → Mon
        CHECK(next_business_day(day(2026, 11, 23)) == day(2026, 11, 24));  // Mon → Tue
        CHECK(next_business_day(day(2026, 11, 25)) == day(2026, 11, 26));  // Wed → Thu
        CHECK(chr::weekday{day(2026, 10, 30)} == chr::Friday);
        CHECK(next_business_day(day(2026, 10, 30)) == day(2026, 11, 2));  // month boundary, Fri → Mon
        CHECK(next_business_day(day(2026, 10, 31)) == day(2026, 11, 2));  // Sat → Mon
        CHECK(next_business_day(day(2026, 12, 31)) == day(2027, 1, 1));   // Thu → Fri, new year
        CHECK(next_business_day(day(2027, 1, 1)) == day(2027, 1, 4));     // Fri → Mon
        CHECK(next_business_day(day(2028, 2, 28)) == day(2028, 2, 29));   // leap day is a Tuesday
    }

    TEST_CASE("review prompt for the chapter-6 outage") {
        const auto p = make_review_prompt(chapter6_outage(), at(15, 10, 0));  // Friday afternoon
        CHECK(p.suggested_day == day(2026, 11, 23));
        CHECK(p.invitees == std::vector<std::string>{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN"});
        CHECK(p.strongly_recommended);
        REQUIRE(p.reasons.size() == 1);  // 5 people is usual, 40 minutes is not long
        CHECK(p.reasons[0].find("sev1") != std::string::npos);
        REQUIRE(p.questions.size() == 7);
        CHECK(p.questions.front() == "When did we first know?");
        CHECK_FALSE(p.facilitator_suggestion.empty());

        const auto text = render_review_text(p);
        CHECK(text.size() <= 3000);
        CHECK(text.find("Monday 23 November 2026") != std::string::npos);
        CHECK(text.find("<@U0ALICE>, <@U0BOB>, <@U0CAROL>, <@U0DAVE>, <@U0ERIN>") != std::string::npos);
        CHECK(text.find("strongly recommended") != std::string::npos);
        CHECK(text.find("not involved") != std::string::npos);
        for (const auto& q : p.questions) CHECK(text.find(q) != std::string::npos);
        check_block_limits(render_review_blocks(p));
    }

    TEST_CASE("review prompt: invitees include roles that took no part") {
        auto r = small_sev4();
        r.inc.commander = "U7";
        r.inc.comms_lead = "U2";  // already a participant: listed once
        const auto p = make_review_prompt(r, at(10, 20, 0));
        CHECK(p.invitees == std::vector<std::string>{"U1", "U2", "U3", "U7"});
    }

    TEST_CASE("review prompt: each strong-recommendation rule") {
        auto r = small_sev4();
        const auto now = at(10, 20, 0);
        const auto has = [](const review_prompt& p, std::string_view word) {
            for (const auto& reason : p.reasons)
                if (reason.find(word) != std::string::npos) return true;
            return false;
        };

        SUBCASE("a small sev4: none") {
            const auto p = make_review_prompt(r, now);
            CHECK_FALSE(p.strongly_recommended);
            CHECK(p.reasons.empty());
            CHECK(render_review_text(p).find("optional") != std::string::npos);
        }
        SUBCASE("sev2") {
            r.inc.sev = severity::sev2;
            const auto p = make_review_prompt(r, now);
            CHECK(p.strongly_recommended);
            REQUIRE(p.reasons.size() == 1);
            CHECK(has(p, "sev2"));
        }
        SUBCASE("sev3 is not enough") {
            r.inc.sev = severity::sev3;
            CHECK_FALSE(make_review_prompt(r, now).strongly_recommended);
        }
        SUBCASE("more than 5 participants") {
            add_people(r, 3);  // 6 in all
            const auto p = make_review_prompt(r, now);
            REQUIRE(p.reasons.size() == 1);
            CHECK(has(p, "6 people"));
        }
        SUBCASE("exactly 5 participants is usual") {
            add_people(r, 2);
            CHECK_FALSE(make_review_prompt(r, now).strongly_recommended);
        }
        SUBCASE("TTR over an hour") {
            r.inc.resolved_at = at(11, 0, 1);
            const auto p = make_review_prompt(r, now);
            REQUIRE(p.reasons.size() == 1);
            CHECK(has(p, "1h 00m"));
        }
        SUBCASE("TTR of exactly an hour is not over") {
            r.inc.resolved_at = at(11, 0, 0);
            CHECK_FALSE(make_review_prompt(r, now).strongly_recommended);
        }
        SUBCASE("sev5 alone is not a reason") {
            r.inc.sev = severity::sev5;
            CHECK_FALSE(make_review_prompt(r, now).strongly_recommended);
        }
        SUBCASE("a note calling it a near miss") {
            r.timeline.push_back(entry(entry_kind::note, at(10, 15, 0), "U1",
                                       "This was a Near Miss: the backup replica was also behind"));
            const auto p = make_review_prompt(r, now);
            REQUIRE(p.reasons.size() == 1);
            CHECK(has(p, "near miss"));
        }
        SUBCASE("the resolve note calling it a near miss") {
            r.timeline.back().text = "resolved: near miss, caught before customers noticed";
            r.timeline.back().attrs["note"] = "near miss, caught before customers noticed";
            CHECK(has(make_review_prompt(r, now), "resolve note"));
        }
        SUBCASE("a chat message saying near miss is not a note") {
            r.timeline.push_back(entry(entry_kind::message, at(10, 15, 0), "U3", "phew, near miss"));
            CHECK_FALSE(make_review_prompt(r, now).strongly_recommended);
        }
        SUBCASE("every rule at once, in table order") {
            r.inc.sev = severity::sev1;
            r.inc.resolved_at = at(12, 0, 0);
            add_people(r, 4);
            r.timeline.push_back(entry(entry_kind::note, at(10, 15, 0), "U1", "near miss"));
            const auto p = make_review_prompt(r, now);
            REQUIRE(p.reasons.size() == 4);
            CHECK(has(p, "sev1"));
            CHECK(p.reasons[1].find("people") != std::string::npos);
            CHECK(p.reasons[2].find("2h 00m") != std::string::npos);
            CHECK(p.reasons[3].find("near miss") != std::string::npos);
        }
        SUBCASE("rules and thresholds are data") {
            review_policy policy;
            policy.usual_participants = 2;
            std::vector<review_rule> rules(default_review_rules().begin(), default_review_rules().end());
            rules.push_back({"reopened", [](const review_facts& f, const review_policy&) -> std::optional<std::string> {
                                 if (f.inc.reopen_count == 0) return std::nullopt;
                                 return "it was reopened";
                             }});
            r.inc.reopen_count = 1;
            const auto p = make_review_prompt(r, now, policy, rules);
            REQUIRE(p.reasons.size() == 2);
            CHECK(has(p, "3 people"));
            CHECK(p.reasons[1] == "it was reopened");
        }
    }

    TEST_CASE("review prompt rendering with very many invitees stays within limits") {
        auto r = small_sev4();
        add_people(r, 1000);
        r.inc.title = std::string(500, '&');
        const auto p = make_review_prompt(r, at(23, 59, 59) + chr::days{1});  // Saturday night → Monday
        CHECK(p.suggested_day == day(2026, 11, 23));
        CHECK(p.invitees.size() == 1003);
        const auto text = render_review_text(p);
        CHECK(text.size() <= 3000);
        CHECK(text.find("*Invite (1003):*") != std::string::npos);
        CHECK(text.find("more") != std::string::npos);
        for (const auto& q : p.questions) CHECK(text.find(q) != std::string::npos);
        check_block_limits(render_review_blocks(p));
    }

    TEST_CASE("summary text: TTA and TTR with their definitions") {
        const auto text = render_summary_text(summarize(chapter6_outage()));
        CHECK(text.find("*TTA* 10m 00s · *TTR* 40m 00s") != std::string::npos);
        CHECK(text.find("\n_TTA = acknowledged − start; TTR = resolved − start; start = detected, else declared "
                        "(here: detected 14:30)_\n") != std::string::npos);
        const auto s = summarize(ib_test::missing_times());
        CHECK_FALSE(s.start_is_detection);
        CHECK(render_summary_text(s).find("start = detected, else declared (here: declared 09:00)_") !=
              std::string::npos);
    }

    TEST_CASE("summary: participants with when they joined and first spoke") {
        const auto s = summarize(chapter6_outage());
        const auto text = render_summary_text(s);
        CHECK(text.find("*Participants (5):*\n"
                        "• <@U0ALICE> 0 messages\n"
                        "• <@U0BOB> joined 14:39, first spoke 14:41, 5 messages\n"
                        "• <@U0CAROL> joined 14:39, first spoke 14:42, 5 messages\n"
                        "• <@U0DAVE> joined 14:43, first spoke 14:44, 2 messages\n"
                        "• <@U0ERIN> joined 14:47, 0 messages\n") != std::string::npos);

        SUBCASE("one message, and a later day") {
            auto r = small_sev4();
            r.timeline.push_back(entry(entry_kind::join, at(10, 0, 0) + chr::days{1}, "U8"));
            const auto t = render_summary_text(summarize(r));
            CHECK(t.find("• <@U3> first spoke 10:06, 1 message\n") != std::string::npos);
            CHECK(t.find("• <@U8> joined 2026-11-21 10:00, 0 messages\n") != std::string::npos);
        }

        SUBCASE("Block Kit: definitions next to the metrics, participants as fields") {
            const auto blocks = render_summary_blocks(s);
            check_block_limits(blocks);
            CHECK(blocks[1]["fields"].size() == 10);
            CHECK(blocks[1]["fields"][2]["text"] == "*TTA*\n10m 00s\n_acknowledged − start_");
            CHECK(blocks[1]["fields"][3]["text"] == "*TTR*\n40m 00s\n_resolved − start_");
            CHECK(blocks[2]["type"] == "context");
            CHECK(blocks[2]["elements"][0]["text"].get<std::string>().find("start = detected, else declared") !=
                  std::string::npos);
            const json* people = nullptr;
            for (const auto& b : blocks)
                if (b.contains("text") && b["text"]["text"] == "*Participants (5):*") people = &b;
            REQUIRE(people != nullptr);
            REQUIRE((*people)["fields"].size() == 5);
            CHECK((*people)["fields"][1]["text"] == "<@U0BOB>\njoined 14:39, first spoke 14:41, 5 messages");
        }

        SUBCASE("Block Kit: 300 participants, nine fields and the rest counted") {
            const auto blocks = render_summary_blocks(summarize(huge_incident()));
            check_block_limits(blocks);
            const json* people = nullptr;
            for (const auto& b : blocks)
                if (b.contains("text") && b["text"]["text"] == "*Participants (300):*") people = &b;
            REQUIRE(people != nullptr);
            REQUIRE((*people)["fields"].size() == 10);
            CHECK((*people)["fields"][9]["text"] == "…and 291 more");
        }
    }

    TEST_CASE("review prompt: more people than the median of earlier incidents") {
        auto r = small_sev4();  // 3 people
        const auto now = at(10, 20, 0);
        std::vector<incident_record> earlier{earlier_incident(1, severity::sev3, chr::days{10}, 2),
                                             earlier_incident(2, severity::sev4, chr::days{20}, 2),
                                             earlier_incident(3, severity::sev2, chr::days{30}, 4)};
        SUBCASE("fires above the median, even under 5") {
            const auto p = make_review_prompt(r, now, earlier);
            REQUIRE(p.reasons.size() == 1);
            CHECK(p.reasons[0] == "3 people took part, more than the usual 2 (the median of 3 earlier incidents in "
                                  "90 days)");
        }
        SUBCASE("an even count: the mean of the two middle ones") {
            earlier.push_back(earlier_incident(4, severity::sev4, chr::days{40}, 3));  // 2, 2, 3, 4
            const auto p = make_review_prompt(r, now, earlier);
            REQUIRE(p.reasons.size() == 1);
            CHECK(has_reason(p, "more than the usual 2.5 (the median of 4 earlier"));
        }
        SUBCASE("not at the median") {
            earlier[0] = earlier_incident(1, severity::sev3, chr::days{10}, 3);
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
        }
        SUBCASE("at the median though over 5: history wins") {
            add_people(r, 4);  // 7 people
            for (auto& e : earlier) e = earlier_incident(e.inc.id, e.inc.sev, chr::days{5}, 8);
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
            CHECK(make_review_prompt(r, now).strongly_recommended);  // no history: 7 > 5
        }
        SUBCASE("too little history: the fixed threshold") {
            earlier.pop_back();
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
        }
        SUBCASE("outside the window, later, the incident itself or without a timeline: not history") {
            earlier[0] = earlier_incident(1, severity::sev3, chr::days{91}, 2);
            earlier[1] = earlier_incident(2, severity::sev4, chr::days{-1}, 2);  // declared after this one
            earlier.push_back(r);
            earlier.back().inc.declared_at -= chr::days{1};
            auto no_timeline = earlier_incident(5, severity::sev3, chr::days{3}, 0);
            earlier.push_back(no_timeline);
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
        }
    }

    TEST_CASE("review prompt: people from more than two teams") {
        auto r = small_sev4();  // U1, U2, U3
        const auto now = at(10, 20, 0);
        review_policy policy;
        SUBCASE("no team data: never") {
            CHECK_FALSE(make_review_prompt(r, now, policy, default_review_rules()).strongly_recommended);
        }
        SUBCASE("three teams") {
            policy.team_of = {{"U1", "payments"}, {"U2", "search"}, {"U3", "sre"}, {"U9", "mobile"}};
            const auto p = make_review_prompt(r, now, policy, default_review_rules());
            REQUIRE(p.reasons.size() == 1);
            CHECK(p.reasons[0] == "people from 3 teams took part (payments, search, sre), more than 2: coordination "
                                  "across teams is worth reviewing");
        }
        SUBCASE("two teams, and people without a team") {
            policy.team_of = {{"U1", "search"}, {"U2", "search"}, {"U3", "sre"}};
            r.timeline.push_back(entry(entry_kind::join, at(10, 9, 0), "U4"));
            CHECK_FALSE(make_review_prompt(r, now, policy, default_review_rules()).strongly_recommended);
        }
    }

    TEST_CASE("review prompt: TTR above the p90 of earlier incidents of that severity") {
        auto r = small_sev4();  // TTR 20 minutes
        const auto now = at(10, 20, 0);
        std::vector<incident_record> earlier{
            earlier_incident(1, severity::sev4, chr::days{10}, 1, chr::minutes{5}),
            earlier_incident(2, severity::sev4, chr::days{20}, 1, chr::minutes{6}),
            earlier_incident(3, severity::sev4, chr::days{30}, 1, chr::minutes{7}),
            earlier_incident(4, severity::sev2, chr::days{30}, 1, chr::minutes{90}),
        };
        // Enough people in each that the participants rule stays quiet.
        for (auto& e : earlier) add_people(e, 3);
        SUBCASE("fires") {
            const auto p = make_review_prompt(r, now, earlier);
            REQUIRE(p.reasons.size() == 1);
            CHECK(p.reasons[0] == "time to recover was 20m 00s, longer than the p90 of 7m 00s for 3 earlier sev4 "
                                  "incidents in 90 days");
        }
        SUBCASE("not above the p90") {
            earlier[2] = earlier_incident(3, severity::sev4, chr::days{30}, 4, chr::minutes{20});
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
        }
        SUBCASE("other severities and open incidents do not count") {
            earlier[0].inc.sev = severity::sev3;
            earlier.push_back(earlier_incident(5, severity::sev4, chr::days{1}, 4));  // open: no TTR
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
        }
        SUBCASE("over an hour fires whatever the history") {
            r.inc.resolved_at = at(11, 30, 0);
            for (auto& e : earlier) e.inc.resolved_at = e.inc.declared_at + chr::hours{3};
            const auto p = make_review_prompt(r, now, earlier);
            REQUIRE(p.reasons.size() == 1);
            CHECK(p.reasons[0] == "time to recover was 1h 30m, over 1h 00m");
        }
    }

    TEST_CASE("review prompt: a repeat of an earlier incident's names") {
        auto r = small_sev4();
        r.timeline.push_back(entry(entry_kind::message, at(10, 7, 0), "U3",
                                   "I think search-02 ran out of disk again", {hyp}));
        r.timeline.push_back(entry(entry_kind::message, at(10, 8, 0), "U3",
                                   "restarting it: `sudo systemctl restart search-indexer`", {cmd, act}));
        const auto now = at(10, 20, 0);
        const auto msg = [](std::string text, std::vector<tag_hit> tags) {
            return entry(entry_kind::message, time_point{}, "UE1", std::move(text), std::move(tags));
        };
        SUBCASE("what was typed shows once escaped, never twice") {
            auto typed = chapter6_outage();
            typed.inc.title = "p99 &gt; 2s &amp; rising";
            typed.timeline.push_back(entry(entry_kind::message, at(14, 57, 0), "U0DAVE",
                                           "I think p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt;", {hyp}));
            auto t = summarize(typed);
            t.hypothesis_fates.erase(t.hypothesis_fates.begin() + 1, t.hypothesis_fates.end() - 1);  // the first and the new
            const auto shown = render_summary_text(t);
            CHECK(shown.find("Incident #42 resolved: p99 &gt; 2s &amp; rising*") != std::string::npos);
            CHECK(shown.find("I think p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt;") != std::string::npos);
            CHECK(shown.find("&amp;gt;") == std::string::npos);
            CHECK(render_summary_blocks(t)[0]["text"]["text"] == "✅ Incident #42 resolved: p99 > 2s & rising");
        }
        CHECK(salient_keywords(r.timeline) == std::vector<std::string>{"search-02", "search-indexer"});

        SUBCASE("the same host and service: fires and names them") {
            std::vector<incident_record> earlier{earlier_incident(
                12, severity::sev3, chr::days{30}, 1, chr::minutes{10},
                {msg("maybe SEARCH-02 is swapping", {hyp}), msg("`sudo systemctl restart search-indexer`", {cmd})})};
            earlier[0].inc.title = "Search &lt;slow&gt;";  // Slack text: typed "Search <slow>"
            const auto p = make_review_prompt(r, now, earlier);
            REQUIRE(p.reasons.size() == 1);
            CHECK(p.reasons[0] == "repeats incident #12 \"Search <slow>\" of 2026-10-21: the same names came up in "
                                  "hypotheses, commands and actions (search-02, search-indexer)");
            // Escaped for Slack when shown.
            CHECK(render_review_text(p).find("\"Search &lt;slow&gt;\"") != std::string::npos);
        }
        SUBCASE("the one sharing most is named") {
            std::vector<incident_record> earlier{
                earlier_incident(12, severity::sev3, chr::days{30}, 1, std::nullopt,
                                 {msg("`search-indexer` on search-02", {cmd})}),
                earlier_incident(13, severity::sev3, chr::days{5}, 1, std::nullopt,
                                 {msg("`search-indexer` on search-02", {cmd})}),
                earlier_incident(14, severity::sev3, chr::days{2}, 1, std::nullopt,
                                 {msg("`search-indexer`", {cmd})})};
            const auto p = make_review_prompt(r, now, earlier);
            CHECK(has_reason(p, "repeats incident #13 "));  // most shared, latest on a tie
        }
        SUBCASE("one shared name is not enough") {
            std::vector<incident_record> earlier{earlier_incident(
                12, severity::sev3, chr::days{30}, 1, std::nullopt, {msg("disk full on search-02", {hyp})})};
            CHECK_FALSE(make_review_prompt(r, now, earlier).strongly_recommended);
        }
        SUBCASE("generic commands, untagged chat, deleted messages and old incidents do not count") {
            auto chat_only = earlier_incident(12, severity::sev3, chr::days{30}, 1, std::nullopt,
                                              {msg("search-02 and search-indexer again?", {})});
            auto generic = earlier_incident(13, severity::sev3, chr::days{30}, 1, std::nullopt,
                                            {msg("`sudo systemctl restart nginx` on web-01, I think", {cmd, hyp})});
            auto deleted = earlier_incident(14, severity::sev3, chr::days{30}, 1, std::nullopt,
                                            {msg("`search-indexer` on search-02", {cmd})});
            auto del = entry(entry_kind::deletion, deleted.timeline.back().at + chr::seconds{5}, "");
            del.ref_ts = deleted.timeline.back().slack_ts;
            deleted.timeline.push_back(del);
            auto old = earlier_incident(15, severity::sev3, chr::days{91}, 1, std::nullopt,
                                        {msg("`search-indexer` on search-02", {cmd})});
            const std::vector<incident_record> earlier{chat_only, generic, deleted, old};
            CHECK_FALSE(has_reason(make_review_prompt(r, now, earlier), "repeats"));
            CHECK(salient_keywords(generic.timeline) == std::vector<std::string>{"nginx", "web-01"});
        }
        SUBCASE("an edit counts with its latest text") {
            auto e = earlier_incident(12, severity::sev3, chr::days{30}, 1, std::nullopt,
                                      {msg("`foo` on bar", {cmd})});
            auto edit = entry(entry_kind::edit, e.timeline.back().at + chr::seconds{5}, "UE1",
                              "`search-indexer` on search-02");
            edit.ref_ts = e.timeline.back().slack_ts;
            e.timeline.push_back(edit);
            const std::vector<incident_record> earlier{e};
            CHECK(has_reason(make_review_prompt(r, now, earlier), "repeats incident #12"));
        }
    }

    TEST_CASE("salient keywords: names, not prose") {
        CHECK(salient_keywords(chapter6_outage().timeline) == std::vector<std::string>{"web-01", "nginx", "php-fpm"});
        timeline_entry e = entry(entry_kind::message, at(10, 0, 0), "U1",
                                 "I think it's a follow-up of the sev2, e.g. db.internal or Redis6; p99 at 180ms "
                                 "(`kubectl -n prod rollout restart deploy/checkout-api --force`)",
                                 {hyp});
        CHECK(salient_keywords(std::span<const timeline_entry>(&e, 1)) ==
              std::vector<std::string>{"db.internal", "redis6", "prod", "checkout-api"});
    }

    TEST_CASE("review prompt with history: everything at once stays within Slack's limits") {
        auto r = small_sev4();
        r.inc.sev = severity::sev1;
        r.inc.resolved_at = at(12, 0, 0);
        add_people(r, 40);
        r.timeline.push_back(entry(entry_kind::note, at(10, 15, 0), "U1", "near miss"));
        r.timeline.push_back(entry(entry_kind::message, at(10, 8, 0), "U3", "`search-indexer` on search-02", {cmd}));
        std::vector<incident_record> earlier;
        for (int i = 0; i < 5; ++i)
            earlier.push_back(earlier_incident(20 + i, severity::sev1, chr::days{i + 1}, 3, chr::minutes{10},
                                               {entry(entry_kind::message, time_point{}, "UE1",
                                                      "`search-indexer` on search-02", {cmd})}));
        review_policy policy;
        for (int i = 0; i < 40; ++i) policy.team_of["U9" + std::to_string(i)] = "team " + std::to_string(i % 7);
        const auto p = make_review_prompt(r, at(12, 0, 0), earlier, policy);
        REQUIRE(p.reasons.size() == 6);
        CHECK(p.reasons[0].find("sev1") != std::string::npos);
        CHECK(p.reasons[1].find("43 people") != std::string::npos);
        CHECK(p.reasons[2].find("7 teams") != std::string::npos);
        CHECK(p.reasons[3].find("2h 00m") != std::string::npos);
        CHECK(p.reasons[4].find("near miss") != std::string::npos);
        CHECK(p.reasons[5].find("repeats incident #20") != std::string::npos);  // the latest of the ties
        const auto text = render_review_text(p);
        CHECK(text.size() <= 3000);
        CHECK(text.find("repeats incident") != std::string::npos);
        check_block_limits(render_review_blocks(p));
    }

}  // TEST_SUITE
