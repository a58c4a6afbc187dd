// The /incident command parser, its usage text and incident channel names.
#include "core/commands.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace ib;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

template <class T>
T parsed(std::string_view text) {
    const auto r = parse_command(text);
    if (!r) FAIL_CHECK("error: " << r.error().message);
    REQUIRE(r.ok());
    REQUIRE(std::holds_alternative<T>(r.value()));
    return std::get<T>(r.value());
}

std::string error_of(std::string_view text) {
    const auto r = parse_command(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::invalid_argument);
    return r.error().message;
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

constexpr sys_days nov21 = sys_days{2026y / November / 21};

}  // namespace

TEST_SUITE("commands") {

TEST_CASE("empty text and help") {
    parsed<cmd::help>("");
    parsed<cmd::help>("   \t ");
    parsed<cmd::help>("help");
    parsed<cmd::help>("HELP start");
}

TEST_CASE("start") {
    SUBCASE("title only") {
        const auto s = parsed<cmd::start>("start Login page down");
        CHECK(s.title == "Login page down");
        CHECK_FALSE(s.sev);
    }
    SUBCASE("title and a trailing severity, any case") {
        const auto s = parsed<cmd::start>("start  Checkout failing for EU   sev2 ");
        CHECK(s.title == "Checkout failing for EU");
        CHECK(s.sev == severity::sev2);
        CHECK(parsed<cmd::start>("START db slow SEV1").sev == severity::sev1);
    }
    SUBCASE("Slack text is kept as Slack sent it, whitespace collapsed") {
        const auto s = parsed<cmd::start>("start DB &amp; cache \n down &lt;prod&gt; &lt;!channel&gt; sev3");
        CHECK(s.title == "DB &amp; cache down &lt;prod&gt; &lt;!channel&gt;");
        CHECK(s.sev == severity::sev3);
    }
    SUBCASE("the title's length counts what was typed, not Slack's entities") {
        std::string typed_150;
        for (int i = 0; i < 30; ++i) typed_150 += "&amp;&lt;&gt;ab";  // 150 typed characters, 540 bytes
        CHECK(parsed<cmd::start>("start " + typed_150).title == typed_150);
        CHECK(contains(error_of("start " + typed_150 + "x"), "151 characters"));
    }
    SUBCASE("a word that merely starts with sev is part of the title") {
        const auto s = parsed<cmd::start>("start Latency is severe");
        CHECK(s.title == "Latency is severe");
        CHECK_FALSE(s.sev);
        CHECK(parsed<cmd::start>("start 5xx rate up 5").title == "5xx rate up 5");
    }
    SUBCASE("unicode titles are kept") {
        CHECK(parsed<cmd::start>("start Zahlungen fallen aus \xf0\x9f\x94\xa5 sev1").title ==
              "Zahlungen fallen aus \xf0\x9f\x94\xa5");
    }
    SUBCASE("no-break spaces separate words too") {
        CHECK(parsed<cmd::start>("start\xc2\xa0" "API down\xc2\xa0sev2").sev == severity::sev2);
    }
    SUBCASE("--private, before or after the severity, as typed or as a client's dash") {
        const auto p = parsed<cmd::start>("start Payroll export leaked sev1 --private");
        CHECK(p.title == "Payroll export leaked");
        CHECK(p.sev == severity::sev1);
        CHECK(p.is_private);
        const auto q = parsed<cmd::start>("start Payroll export leaked --PRIVATE sev2");
        CHECK(q.title == "Payroll export leaked");
        CHECK(q.sev == severity::sev2);
        CHECK(q.is_private);
        CHECK(parsed<cmd::start>("start Leak \u2014private").is_private);  // macOS turned "--" into an em dash
        CHECK(parsed<cmd::start>("start Leak \u2013private").is_private);
        CHECK_FALSE(parsed<cmd::start>("start Leak").is_private);
        CHECK_FALSE(parsed<cmd::start>("start Leak sev1").is_private);
        // Only as the last words: elsewhere it is part of the title.
        const auto t = parsed<cmd::start>("start --private keys leaked");
        CHECK(t.title == "--private keys leaked");
        CHECK_FALSE(t.is_private);
        CHECK(contains(error_of("start --private"), "needs a title"));
        CHECK(contains(error_of("start sev1 --private"), "needs a title"));
    }
    SUBCASE("errors") {
        CHECK(contains(error_of("start"), "needs a title"));
        CHECK(contains(error_of("start   sev2"), "needs a title"));
        CHECK(contains(error_of("start Outage sev9"), "Unknown severity `sev9`"));
        CHECK(contains(error_of("start Outage sev0"), "sev1 (complete outage) to sev5"));
        const std::string exactly(150, 'x');
        CHECK(parsed<cmd::start>("start " + exactly).title == exactly);
        CHECK(error_of("start " + exactly + "y") == "That title is 151 characters; please keep it to 150 or fewer.");
        // Counted in characters, not bytes: 150 two-byte letters are fine.
        std::string umlauts;
        for (int i = 0; i < 150; ++i) umlauts += "\xc3\xa4";
        CHECK(parsed<cmd::start>("start " + umlauts).title == umlauts);
    }
}

TEST_CASE("ack, summary, list, stats take no arguments") {
    parsed<cmd::ack>("ack");
    parsed<cmd::ack>("  ACK  ");
    parsed<cmd::summary>("summary");
    parsed<cmd::list>("List");
    parsed<cmd::stats>("stats");
    CHECK(error_of("ack now") == "`/incident ack` takes no arguments (got `now`).");
    CHECK(contains(error_of("list all"), "takes no arguments"));
}

TEST_CASE("sev") {
    CHECK(parsed<cmd::set_severity>("sev 1").sev == severity::sev1);
    CHECK(parsed<cmd::set_severity>("sev sev4").sev == severity::sev4);
    CHECK(parsed<cmd::set_severity>("Sev SEV5").sev == severity::sev5);
    CHECK(contains(error_of("sev 9"), "Unknown severity `9`"));
    CHECK(contains(error_of("sev high"), "use 1 to 5"));
    CHECK(contains(error_of("sev"), "Usage: `/incident sev <1-5>`"));
    CHECK(contains(error_of("sev 2 3"), "Usage"));
}

TEST_CASE("status") {
    const auto s = parsed<cmd::set_status>("status identified bad deploy &amp; config");
    CHECK(s.to == status::identified);
    CHECK(s.note == "bad deploy &amp; config");
    CHECK(parsed<cmd::set_status>("status Monitoring").to == status::monitoring);
    CHECK(parsed<cmd::set_status>("status monitoring").note == "");
    CHECK(parsed<cmd::set_status>("status investigating").to == status::investigating);
    CHECK(parsed<cmd::set_status>("status resolved all good").to == status::resolved);
    CHECK(contains(error_of("status foo"), "Unknown status `foo`"));
    CHECK(contains(error_of("status"), "investigating|identified|monitoring|resolved"));
}

TEST_CASE("commander and comms take a mention, in both escaped forms") {
    const auto a = parsed<cmd::assign_role>("commander <@U024BE7LH|bob>");
    CHECK(a.which == role::commander);
    CHECK(a.user_id == "U024BE7LH");
    const auto b = parsed<cmd::assign_role>("comms <@U0G9QF9C6>");
    CHECK(b.which == role::comms_lead);
    CHECK(b.user_id == "U0G9QF9C6");
    CHECK(parsed<cmd::assign_role>("Commander   <@W123ABC456|grid.user>  ").user_id == "W123ABC456");

    CHECK(error_of("commander @bob") ==
          "Please pick the person with @-autocomplete so Slack sends their id, e.g. `/incident commander @alice`.");
    CHECK(contains(error_of("comms"), "Usage: `/incident comms @person`"));
    CHECK(contains(error_of("commander bob"), "picked with @-autocomplete"));
    CHECK(contains(error_of("commander <@U1|a> <@U2|b>"), "exactly one person"));
    CHECK(contains(error_of("commander <#C123|general>"), "picked with @-autocomplete"));
    CHECK(contains(error_of("commander <@u123>"), "picked with @-autocomplete"));
}

TEST_CASE("parse_user_mention") {
    CHECK(parse_user_mention("<@U123>") == "U123");
    CHECK(parse_user_mention("<@U123|alice>") == "U123");
    CHECK_FALSE(parse_user_mention("@alice"));
    CHECK_FALSE(parse_user_mention("<@>"));
    CHECK_FALSE(parse_user_mention("<@U123"));
    CHECK_FALSE(parse_user_mention("<!here>"));
    CHECK_FALSE(parse_user_mention("<@U1> <@U2>"));
    CHECK_FALSE(parse_user_mention("<@C123>"));
}

TEST_CASE("note and statuspage need text") {
    CHECK(parsed<cmd::note>("note rolled back to v41 &gt; v40").text == "rolled back to v41 &gt; v40");
    CHECK(parsed<cmd::note>("note ping <@U1|al>").text == "ping <@U1|al>");
    CHECK(parsed<cmd::statuspage>("statuspage Investigating elevated errors").text == "Investigating elevated errors");
    CHECK(error_of("note") == "Usage: `/incident note <text>`");
    CHECK(error_of("statuspage   ") == "Usage: `/incident statuspage <what was published>`");
}

TEST_CASE("action with an optional trailing owner") {
    const auto a = parsed<cmd::action_item>("action Add an alert on queue depth <@U123|ops>");
    CHECK(a.text == "Add an alert on queue depth");
    CHECK(a.owner == "U123");
    const auto b = parsed<cmd::action_item>("action Write the runbook <@U9>");
    CHECK(b.owner == "U9");
    const auto c = parsed<cmd::action_item>("action Review <@U7|al>'s retry settings");
    CHECK(c.text == "Review <@U7|al>'s retry settings");
    CHECK(c.owner == "");
    CHECK(parsed<cmd::action_item>("action Fix &lt;x&gt;").text == "Fix &lt;x&gt;");
    CHECK(contains(error_of("action"), "What needs doing?"));
    CHECK(contains(error_of("action <@U123>"), "What needs doing?"));
    CHECK(contains(error_of("action Fix the DB @bob"), "Please pick the owner with @-autocomplete"));
}

TEST_CASE("resolve and reopen take an optional note") {
    CHECK(parsed<cmd::resolve>("resolve").note == "");
    CHECK(parsed<cmd::resolve>("resolve fixed by rollback").note == "fixed by rollback");
    CHECK(parsed<cmd::reopen>("reopen").note == "");
    CHECK(parsed<cmd::reopen>("REOPEN errors are back").note == "errors are back");
}

TEST_CASE("detected") {
    SUBCASE("ISO-8601") {
        const auto d = parsed<cmd::detected>("detected 2026-11-21T14:05:30Z");
        REQUIRE(std::holds_alternative<ib::time_point>(d.when));
        CHECK(to_iso8601(std::get<ib::time_point>(d.when)) == "2026-11-21T14:05:30Z");
        const auto m = parsed<cmd::detected>("detected 2026-11-21T14:05Z");
        CHECK(to_iso8601(std::get<ib::time_point>(m.when)) == "2026-11-21T14:05:00Z");
        const auto o = parsed<cmd::detected>("detected 2026-11-21T14:05:00+00:00");
        CHECK(to_iso8601(std::get<ib::time_point>(o.when)) == "2026-11-21T14:05:00Z");
    }
    SUBCASE("HH:MM, the caller adds the date") {
        const auto d = parsed<cmd::detected>("detected 14:05");
        REQUIRE(std::holds_alternative<cmd::time_of_day>(d.when));
        CHECK(std::get<cmd::time_of_day>(d.when).hour == 14);
        CHECK(std::get<cmd::time_of_day>(d.when).minute == 5);
        CHECK(std::get<cmd::time_of_day>(parsed<cmd::detected>("detected 9:30").when).hour == 9);
    }
    SUBCASE("<duration> ago") {
        const auto d = parsed<cmd::detected>("detected 20m ago");
        REQUIRE(std::holds_alternative<cmd::time_ago>(d.when));
        CHECK(std::get<cmd::time_ago>(d.when).amount == 20min);
        CHECK(std::get<cmd::time_ago>(parsed<cmd::detected>("detected 1h30m AGO").when).amount == 90min);
    }
    SUBCASE("errors") {
        CHECK(contains(error_of("detected"), "Usage: `/incident detected <time>`"));
        CHECK(contains(error_of("detected yesterday"), "I can't read `yesterday` as a time."));
        CHECK(contains(error_of("detected 25:00"), "can't read"));
        CHECK(contains(error_of("detected 14:60"), "can't read"));
        CHECK(contains(error_of("detected 20m"), "can't read"));
        CHECK(contains(error_of("detected 0m ago"), "can't read"));
        CHECK(contains(error_of("detected 2026-11-21T14:05:00"), "can't read"));  // zone required: UTC only
        CHECK(contains(error_of("detected 2026-13-01T00:00Z"), "can't read"));
    }
}

TEST_CASE("snooze") {
    CHECK(parsed<cmd::snooze>("snooze 30m").duration == 30min);
    CHECK(parsed<cmd::snooze>("snooze 1H30M").duration == 90min);
    CHECK(contains(error_of("snooze 0m"), "`0m` is not a positive duration."));
    CHECK(contains(error_of("snooze soon"), "not a positive duration"));
    CHECK(contains(error_of("snooze"), "Usage: `/incident snooze <duration>`"));
    CHECK(contains(error_of("snooze 5m 10m"), "Usage"));
}

TEST_CASE("unknown subcommands show the usage") {
    const std::string e = error_of("deploy now");
    CHECK(e.rfind("I don't know `/incident deploy`.", 0) == 0);
    CHECK(contains(e, usage_text()));
}

TEST_CASE("usage text lists every subcommand") {
    const std::string u = usage_text();
    for (const char* sub : {"start <title> [sev1..sev5]", "`ack`", "sev <1-5>", "status <", "commander @person",
                            "comms @person", "note <text>", "statuspage <text>", "action <text> [@owner]",
                            "resolve [note]", "reopen [note]", "detected <", "`summary`", "`list`", "`stats`",
                            "snooze <duration>", "`help`"}) {
        CAPTURE(sub);
        CHECK(contains(u, sub));
    }
}

TEST_CASE("channel names") {
    SUBCASE("slug rules") {
        CHECK(channel_name_for("Login page down", nov21) == "inc-20261121-login-page-down");
        CHECK(channel_name_for("  DB & cache: 500s!!  ", nov21) == "inc-20261121-db-cache-500s");
        CHECK(channel_name_for("snake_case stays", nov21) == "inc-20261121-snake_case-stays");
        CHECK(channel_name_for("DB &amp; cache &lt;eu&gt; <@U1|bob>", nov21) == "inc-20261121-db-cache-eu-bob");
        CHECK(channel_name_for("a - b -- c", nov21) == "inc-20261121-a-b-c");
        CHECK(channel_name_for("", nov21) == "inc-20261121-incident");
        CHECK(channel_name_for("!!!", nov21) == "inc-20261121-incident");
        CHECK(channel_name_for("x", sys_days{2027y / January / 5}) == "inc-20270105-x");
    }
    SUBCASE("unicode titles") {
        CHECK(channel_name_for("Caf\xc3\xa9 \xc3\x9c" "bersicht kaputt", nov21) == "inc-20261121-cafe-ubersicht-kaputt");
        CHECK(channel_name_for("Stra\xc3\x9f" "e \xc5\x81\xc3\xb3" "d\xc5\xba", nov21) == "inc-20261121-strasse-lodz");
        CHECK(channel_name_for("\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93\xe5\xae\x95\xe6\x9c\xba", nov21) ==
              "inc-20261121-incident");
        CHECK(channel_name_for("API \xf0\x9f\x94\xa5 down", nov21) == "inc-20261121-api-down");
        CHECK(channel_name_for("bad \xff\xfe utf8", nov21) == "inc-20261121-bad-utf8");
    }
    SUBCASE("80-character limit, cut at a word boundary") {
        const std::string title =
            "Payments API returning intermittent 502 errors for customers in the EU region after the deploy";
        const std::string name = channel_name_for(title, nov21);
        CHECK(name.size() <= 80);
        CHECK(name == "inc-20261121-payments-api-returning-intermittent-502-errors-for-customers-in-the");
        CHECK(name.back() != '-');
        // One long word cannot be cut at a boundary: hard cut.
        const std::string word(200, 'a');
        CHECK(channel_name_for(word, nov21) == "inc-20261121-" + std::string(67, 'a'));
    }
    SUBCASE("suffixes for name_taken retries") {
        CHECK(channel_name_with_suffix("inc-20261121-login", 2) == "inc-20261121-login-2");
        CHECK(channel_name_with_suffix("inc-20261121-login", 13) == "inc-20261121-login-13");
        CHECK(channel_name_with_suffix("inc-20261121-login", 1) == "inc-20261121-login");
        const std::string full = channel_name_for(std::string(200, 'a'), nov21);
        REQUIRE(full.size() == 80);
        const std::string two = channel_name_with_suffix(full, 2);
        CHECK(two.size() == 80);
        CHECK(two == full.substr(0, 78) + "-2");
        const std::string long_words = channel_name_for(
            "Payments API returning intermittent 502 errors for customers in the EU region", nov21);
        const std::string three = channel_name_with_suffix(long_words, 3);
        CHECK(three.size() <= 80);
        CHECK(three == "inc-20261121-payments-api-returning-intermittent-502-errors-for-customers-in-3");
    }
}

TEST_CASE("decode_slack_entities") {
    CHECK(decode_slack_entities("a &amp; b &lt;c&gt;") == "a & b <c>");
    CHECK(decode_slack_entities("&amp;lt;") == "&lt;");  // one level only
    CHECK(decode_slack_entities("&quot; & &am") == "&quot; & &am");
}

}  // TEST_SUITE
