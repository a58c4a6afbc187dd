#include "core/incident_commands.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace ib;
using namespace std::chrono_literals;

namespace {

const time_point t0 = *parse_iso8601("2026-11-20T09:00:00Z");

incident open_incident() {
    auto d = declare_incident("Login page down", severity::sev2, "U1", "C1", "inc-20261120-login-page-down", t0);
    REQUIRE(d);
    d->inc.id = 3;
    return d->inc;
}

planned_change plan(const std::string& text, const incident& inc, time_point at, const std::string& user = "U2") {
    auto c = parse_command(text);
    REQUIRE_MESSAGE(c, text);
    REQUIRE(changes_incident(*c));
    auto p = plan_change(*c, inc, user, at);
    REQUIRE_MESSAGE(p, (p ? "" : p.error().message));
    return *p;
}

}  // namespace

TEST_SUITE("incident_commands") {

TEST_CASE("which commands need an incident channel") {
    for (const char* t : {"ack", "sev 1", "status identified", "commander <@U1>", "comms <@U1>", "note x",
                          "statuspage x", "action x", "resolve", "reopen", "detected 10m ago"}) {
        auto c = parse_command(t);
        REQUIRE_MESSAGE(c, t);
        CHECK_MESSAGE(changes_incident(*c), t);
        CHECK_MESSAGE(needs_incident(*c), t);
    }
    for (const char* t : {"summary", "snooze 15m"}) {
        auto c = parse_command(t);
        REQUIRE(c);
        CHECK_FALSE(changes_incident(*c));
        CHECK(needs_incident(*c));
    }
    for (const char* t : {"start x", "list", "stats", "help", ""}) {
        auto c = parse_command(t);
        REQUIRE(c);
        CHECK_FALSE(needs_incident(*c));
    }
}

TEST_CASE("ack plans the change, the reply and an announcement with the TTA") {
    const auto inc = open_incident();
    const auto p = plan("ack", inc, t0 + 4min + 10s);
    CHECK(p.updated.acknowledged_by == "U2");
    CHECK(p.entry.kind == entry_kind::ack);
    CHECK(p.entry.incident_id == 3);
    CHECK(p.reply == "Acknowledged.");
    CHECK(p.announcement.find("<@U2>") != std::string::npos);
    CHECK(p.announcement.find("4m 10s") != std::string::npos);
    CHECK_FALSE(p.resolved);
    CHECK_FALSE(inc.acknowledged_at);  // planning never touches the input
}

TEST_CASE("lifecycle errors come back as the user's message") {
    auto inc = open_incident();
    inc = plan("ack", inc, t0 + 1min).updated;
    auto c = parse_command("ack");
    auto p = plan_change(*c, inc, "U3", t0 + 2min);
    REQUIRE_FALSE(p);
    CHECK(p.error().message.find("already acknowledged") != std::string::npos);
}

TEST_CASE("severity, status, roles, notes, status page, action items") {
    auto inc = open_incident();
    auto p = plan("sev 1", inc, t0 + 1min);
    CHECK(p.updated.sev == severity::sev1);
    CHECK(p.announcement.find("sev2 → sev1 (complete outage)") != std::string::npos);

    p = plan("status identified bad deploy <b>", inc, t0 + 2min);
    CHECK(p.updated.state == status::identified);
    CHECK(p.entry.attrs.at("note") == "bad deploy <b>");
    CHECK(p.announcement.find("bad deploy &lt;b&gt;") != std::string::npos);  // user text escaped

    // Slack text is kept as sent and announced once escaped: Slack shows what was typed; a ping in
    // a note is announced as text, never as a ping.
    p = plan("note p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt; <!here> <@U7|ann>", inc, t0 + 2min);
    CHECK(p.entry.text == "p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt; <!here> <@U7|ann>");
    CHECK(p.announcement.ends_with(": p99 &gt; 2s &amp; &lt;x&gt; &lt;!channel&gt; @here <@U7|ann>"));

    p = plan("commander <@U9|dana>", inc, t0 + 3min);
    CHECK(p.updated.commander == "U9");
    CHECK(p.announcement.find("<@U9>") != std::string::npos);

    p = plan("comms <@U8>", inc, t0 + 3min);
    CHECK(p.updated.comms_lead == "U8");

    p = plan("note customer X confirmed impact", inc, t0 + 4min);
    CHECK(p.entry.kind == entry_kind::note);
    CHECK(p.entry.text == "customer X confirmed impact");

    p = plan("statuspage Investigating login failures", inc, t0 + 5min);
    CHECK(p.entry.kind == entry_kind::statuspage);
    CHECK(p.announcement.find("Investigating login failures") != std::string::npos);

    p = plan("action add a CPU alert <@U7>", inc, t0 + 6min);
    CHECK(p.entry.kind == entry_kind::action_item);
    CHECK(p.entry.attrs.at("owner") == "U7");
    CHECK(p.announcement.find("owner <@U7>") != std::string::npos);
}

TEST_CASE("resolve, via resolve or status resolved, asks for the summary; reopen") {
    const auto inc = open_incident();
    for (const char* t : {"resolve all good", "status resolved all good"}) {
        const auto p = plan(t, inc, t0 + 48min);
        CHECK(p.resolved);
        CHECK(p.entry.kind == entry_kind::resolve);
        CHECK(p.updated.resolved_at == t0 + 48min);
        CHECK(p.announcement.find("TTR 48m 00s") != std::string::npos);
        CHECK(p.announcement.find("all good") != std::string::npos);
    }
    const auto resolved = plan("resolve", inc, t0 + 1h).updated;
    const auto p = plan("reopen it's back", resolved, t0 + 2h);
    CHECK(p.updated.is_open());
    CHECK(p.entry.kind == entry_kind::reopen);
}

TEST_CASE("detected: absolute, HH:MM today (or yesterday), and 'ago'") {
    const auto inc = open_incident();
    CHECK(plan("detected 2026-11-20T08:45:00Z", inc, t0 + 1min).updated.detected_at == t0 - 15min);
    CHECK(plan("detected 20m ago", inc, t0 + 5min).updated.detected_at == t0 - 15min);
    CHECK(plan("detected 08:30", inc, t0 + 5min).updated.detected_at == t0 - 30min);
    // Just after midnight, 23:50 means yesterday evening.
    auto late = declare_incident("x", severity::sev3, "U1", "C2", "inc-x", *parse_iso8601("2026-11-21T00:05:00Z"));
    REQUIRE(late);
    CHECK(plan("detected 23:50", late->inc, *parse_iso8601("2026-11-21T00:10:00Z")).updated.detected_at ==
          *parse_iso8601("2026-11-20T23:50:00Z"));
    // After the declaration: refused.
    auto c = parse_command("detected 1m ago");
    auto p = plan_change(*c, inc, "U1", t0 + 30min);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == errc::time_out_of_order);
}

TEST_CASE("texts for the channel") {
    auto inc = open_incident();
    inc.channel_id = "C123";
    const auto a = declare_announcement(inc);
    CHECK(a.find("Login page down") != std::string::npos);
    CHECK(a.find("sev2") != std::string::npos);
    CHECK(a.find("<@U1>") != std::string::npos);
    CHECK(a.find("/incident ack") != std::string::npos);
    CHECK(declared_reply(inc).find("<#C123|inc-20261120-login-page-down>") != std::string::npos);
    CHECK(channel_topic(inc) == "sev2 · investigating · Login page down");
    inc.title = std::string(300, 'x');
    CHECK(channel_topic(inc).size() <= 250);
    inc.title = "é" + std::string(260, 'e');
    CHECK(channel_topic(inc).size() <= 250);
    CHECK(not_an_incident_channel_reply().find("/incident list") != std::string::npos);
}

TEST_CASE("list and stats") {
    CHECK(render_incident_list({}, t0) == "No open incidents. :relieved:");
    std::vector<incident> open{open_incident()};
    open[0].channel_id = "C9";
    const auto l = render_incident_list(open, t0 + 65min);
    CHECK(l.find("<#C9|inc-20261120-login-page-down>") != std::string::npos);
    CHECK(l.find("open for 1h 05m") != std::string::npos);

    auto a = open_incident();
    a.acknowledged_at = t0 + 2min;
    a.resolved_at = t0 + 40min;
    auto b = open_incident();
    b.declared_at = t0 - 60 * 24h;  // only in the 90-day window
    b.acknowledged_at = b.declared_at + 10min;
    const std::vector<incident> all{a, b};
    const auto s = render_stats(all, t0 + 1h);
    CHECK(s.find("Last 30 days") != std::string::npos);
    CHECK(s.find("Last 90 days") != std::string::npos);
    CHECK(s.find("2m 00s") != std::string::npos);
    CHECK(s.find("40m 00s") != std::string::npos);
    CHECK(s.find("10m 00s") != std::string::npos);  // the older incident, 90-day window
    CHECK(render_stats({}, t0).find("no incidents") != std::string::npos);
}

TEST_CASE("list: the most severe first, and within Slack's limits however many are open") {
    std::vector<incident> open;
    for (int i = 1; i <= 400; ++i) {
        auto inc = open_incident();
        inc.id = i;
        inc.channel_id = "C" + std::to_string(1000 + i);
        inc.sev = i == 399 ? severity::sev1 : severity::sev3;
        inc.title = std::string(150, i == 399 ? 'A' : 'z');  // the longest titles allowed
        open.push_back(inc);
    }
    const std::string l = render_incident_list(open, t0 + 1h);
    CHECK(l.size() <= max_list_chars);
    CHECK(l.starts_with("*Open incidents (400):*\n• <#C1399|"));  // the sev1 leads
    const auto shown = static_cast<std::size_t>(std::count(l.begin(), l.end(), '\n')) - 1;
    CHECK(shown > 5);
    CHECK(l.find("…and " + std::to_string(400 - shown) + " more") != std::string::npos);
    // Titles that grow when escaped for Slack still fit.
    for (auto& inc : open) inc.title = std::string(150, '&');
    CHECK(render_incident_list(open, t0 + 1h).size() <= max_list_chars);
    // A few fit whole, with nothing left out.
    open.resize(3);
    const std::string few = render_incident_list(open, t0 + 1h);
    CHECK(few.find("more") == std::string::npos);
    CHECK(std::count(few.begin(), few.end(), '\n') == 3);
}

TEST_CASE("private incidents: said so when declared, counted in stats") {
    auto inc = open_incident();
    inc.is_private = true;
    CHECK(declare_announcement(inc).find(":lock: *Private incident:*") != std::string::npos);
    CHECK(declared_reply(inc).find("sev2, private)") != std::string::npos);
    CHECK(declare_announcement(open_incident()).find("Private") == std::string::npos);

    auto pub = open_incident();
    pub.acknowledged_at = t0 + 2min;
    auto priv = pub;
    priv.is_private = true;
    const std::vector<incident> all{pub, priv, priv};
    const auto s = render_stats(all, t0 + 1h);
    CHECK(s.find("Includes 2 private incidents.") != std::string::npos);
    static constexpr int one_window[] = {30};
    const std::vector<incident> one{pub, priv};
    CHECK(render_stats(one, t0 + 1h, one_window, stats_format::plain).find("Includes 1 private incident.\n") !=
          std::string::npos);
    const std::vector<incident> none{pub};
    CHECK(render_stats(none, t0 + 1h).find("private") == std::string::npos);
}

TEST_CASE("stats as a plain-text table for the command line, over chosen windows") {
    // Three sev2s (TTA 2m, 4m, 10m; TTR 30m, 55m, 1h 30m), an open sev1 with no metrics, and a
    // sev3 declared 60 days earlier.
    std::vector<incident> all;
    for (const auto& [ack, res] : {std::pair{2min, 30min}, std::pair{4min, 55min}, std::pair{10min, 90min}}) {
        auto i = open_incident();
        i.acknowledged_at = t0 + ack;
        i.resolved_at = t0 + res;
        i.state = status::resolved;
        all.push_back(i);
    }
    auto sev1 = open_incident();
    sev1.sev = severity::sev1;
    all.push_back(sev1);
    auto old = open_incident();
    old.sev = severity::sev3;
    old.declared_at = t0 - 60 * 24h;
    all.push_back(old);
    const auto now = t0 + 2h;

    const std::vector<int> windows{7, 90, 1};
    const auto text = render_stats(all, now, windows, stats_format::plain);
    CHECK(text ==
          "Last 7 days:\n"
          "sev   n    TTA median    p90     mean   TTR median    p90     mean\n"
          "sev1  1           n/a      n/a      n/a        n/a      n/a      n/a\n"
          "sev2  3        4m 00s  10m 00s   5m 20s    55m 00s   1h 30m  58m 20s\n"
          "\n"
          "Last 90 days:\n"
          "sev   n    TTA median    p90     mean   TTR median    p90     mean\n"
          "sev1  1           n/a      n/a      n/a        n/a      n/a      n/a\n"
          "sev2  3        4m 00s  10m 00s   5m 20s    55m 00s   1h 30m  58m 20s\n"
          "sev3  1           n/a      n/a      n/a        n/a      n/a      n/a\n"
          "\n"
          "Last 1 day:\n"
          "sev   n    TTA median    p90     mean   TTR median    p90     mean\n"
          "sev1  1           n/a      n/a      n/a        n/a      n/a      n/a\n"
          "sev2  3        4m 00s  10m 00s   5m 20s    55m 00s   1h 30m  58m 20s\n"
          "\n"
          "TTA = acknowledged − start, TTR = resolved − start (start = detected, else declared). "
          "p90 is nearest-rank; the mean alone hides the long tail.\n");
    // No mrkdwn in the plain variant.
    CHECK(text.find('*') == std::string::npos);
    CHECK(text.find("```") == std::string::npos);
    CHECK(text.find('_') == std::string::npos);

    // An empty window, and the Slack variant is the same table in mrkdwn.
    const std::vector<int> week{7};
    CHECK(render_stats({}, now, week, stats_format::plain).starts_with("Last 7 days: no incidents.\n\nTTA = "));
    const std::vector<int> slack_windows{30, 90};
    CHECK(render_stats(all, now, slack_windows, stats_format::slack) == render_stats(all, now));
    const auto slack = render_stats(all, now);
    CHECK(slack.starts_with("*Last 30 days*\n```\nsev   n"));
    CHECK(slack.find("sev2  3        4m 00s  10m 00s   5m 20s    55m 00s   1h 30m  58m 20s\n") != std::string::npos);
    CHECK(slack.ends_with("long tail._"));
}

}  // TEST_SUITE
