// Planning `incident-bot redact` (core/redaction): which message, and what the record says.
#include "core/redaction.hpp"

#include <doctest/doctest.h>

using namespace ib;
using namespace std::chrono_literals;

namespace {

const time_point t0 = *parse_iso8601("2026-11-21T14:00:00Z");

incident inc7() {
    auto d = declare_incident("Checkout errors", severity::sev2, "U0ALICE", "C0INC", "inc-x", t0);
    REQUIRE(d);
    d->inc.id = 7;
    return d->inc;
}

std::vector<timeline_entry> timeline() {
    timeline_entry m;
    m.incident_id = 7;
    m.kind = entry_kind::message;
    m.slack_ts = "1790000000.000100";
    m.user = "U0BOB";
    m.text = "db password is hunter2";
    timeline_entry b = m;
    b.kind = entry_kind::bot_message;
    b.slack_ts = "1790000000.000200";
    timeline_entry edit;
    edit.kind = entry_kind::edit;
    edit.ref_ts = "1790000000.000100";
    edit.slack_ts = "1790000000.000300";
    return {m, b, edit};
}

}  // namespace

TEST_SUITE("timeline") {

TEST_CASE("a redaction names the message, who, when and why") {
    const auto r = plan_redaction(inc7(), timeline(), "1790000000.000100", "  pasted a password ", "alice", t0 + 1h);
    REQUIRE(r);
    CHECK(r->kind == entry_kind::redaction);
    CHECK(r->incident_id == 7);
    CHECK(r->ref_ts == "1790000000.000100");
    CHECK(r->text == "[redacted: pasted a password]");
    CHECK(r->attrs.at("by") == "alice");
    CHECK(r->attrs.at("reason") == "pasted a password");
    CHECK(r->at == t0 + 1h);
    CHECK(r->user.empty());  // an operator, not a Slack user: not a participant
    CHECK(r->key.empty());
    // Stored in Slack's form like every text: a reason reads as typed and cannot ping anyone.
    const auto typed = plan_redaction(inc7(), timeline(), "1790000000.000100", "p99 > 2s & <!channel>", "a&b", t0);
    REQUIRE(typed);
    CHECK(typed->text == "[redacted: p99 &gt; 2s &amp; &lt;!channel&gt;]");
    CHECK(typed->attrs.at("reason") == "p99 &gt; 2s &amp; &lt;!channel&gt;");
    CHECK(typed->attrs.at("by") == "a&b");  // a name, as given
    // A bot's message can be redacted too.
    CHECK(plan_redaction(inc7(), timeline(), "1790000000.000200", "x", "alice", t0));
}

TEST_CASE("refused: no such message, an edit's ts, a bad reason, nobody") {
    const auto code = [](const result<timeline_entry>& r) { return r ? std::optional<errc>{} : r.error().code; };
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.999999", "x", "alice", t0)) == errc::not_found);
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.000300", "x", "alice", t0)) == errc::not_found);
    CHECK(code(plan_redaction(inc7(), timeline(), "", "x", "alice", t0)) == errc::not_found);
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.000100", " ", "alice", t0)) == errc::invalid_argument);
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.000100", "two\nlines", "alice", t0)) ==
          errc::invalid_argument);
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.000100", std::string(201, 'x'), "alice", t0)) ==
          errc::invalid_argument);
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.000100", std::string(200, 'x'), "alice", t0)) ==
          std::nullopt);
    CHECK(code(plan_redaction(inc7(), timeline(), "1790000000.000100", "x", " ", t0)) == errc::invalid_argument);
    const auto missing = plan_redaction(inc7(), timeline(), "1790000000.999999", "x", "alice", t0);
    CHECK(missing.error().message == "incident 7 has no message with ts 1790000000.999999 (the slack_ts of "
                                     "`export --format json`)");
}

}  // TEST_SUITE
