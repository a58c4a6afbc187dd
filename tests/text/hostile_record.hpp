// An incident record that carries one hostile string (tests/support/hostile_strings.hpp) in every
// place a person's text can go: the title, a message and its edit, a note, a status-page update,
// an action item, the resolve note and a key moment; and users whose display names are hostile
// too (users.info's names are typed by people). Shared by the unit tests and dump_outputs.
#pragma once

#include "../support/hostile_strings.hpp"
#include "core/export.hpp"
#include "core/incident.hpp"
#include "core/text.hpp"

#include <stdexcept>

namespace ib_test {

// The Slack text of a case: its markup as given, else what Slack makes of what was typed.
inline std::string slack_text_of(const hostile_string& h) { return h.slack.empty() ? ib::escape_mrkdwn(h.typed) : h.slack; }

inline ib::incident_record hostile_record(const hostile_string& h) {
    using namespace std::chrono;
    const std::string text = slack_text_of(h);
    const auto t0 = ib::from_unix_seconds(1'795'000'000);
    auto d = ib::declare_incident(text, ib::severity::sev2, "U0ALICE", "C0INC", "inc-20261121-hostile", t0);
    ib::incident_record r;
    r.inc = d->inc;
    r.inc.id = 7;
    d->entry.incident_id = 7;
    r.timeline.push_back(d->entry);
    const auto entry = [&](ib::entry_kind kind, int s, std::string user, std::string body) {
        ib::timeline_entry e;
        e.incident_id = 7;
        e.kind = kind;
        e.at = t0 + seconds{s};
        e.received_at = e.at;
        e.user = std::move(user);
        e.text = std::move(body);
        return e;
    };
    auto message = entry(ib::entry_kind::message, 10, "U0BOB", text + " <@U0ALICE>");
    message.slack_ts = "1795000010.000100";
    r.timeline.push_back(message);
    auto edit = entry(ib::entry_kind::edit, 20, "U0BOB", "edited: " + text);
    edit.ref_ts = message.slack_ts;
    edit.slack_ts = "1795000020.000100";
    r.timeline.push_back(edit);
    r.timeline.push_back(entry(ib::entry_kind::note, 30, "U0CAROL", text));
    r.timeline.push_back(entry(ib::entry_kind::statuspage, 40, "U0ALICE", text));
    auto action = entry(ib::entry_kind::action_item, 50, "U0BOB", text);
    action.attrs["owner"] = "U0CAROL";
    r.timeline.push_back(action);
    auto pin = entry(ib::entry_kind::key_moment, 55, "U0CAROL", ":pushpin:");
    pin.ref_ts = message.slack_ts;
    pin.attrs["reaction"] = "pushpin";
    r.timeline.push_back(pin);
    auto resolved = r.inc;
    // The resolve note: resolve() refuses one over max_text_chars, but an older build stored any
    // length, so the record gets the hostile text as such a build would have stored it.
    auto res = ib::resolve(resolved, "U0ALICE", "x", t0 + seconds{60});
    if (!res) throw std::logic_error("hostile_record: resolve refused the incident");
    res->text = "resolved: " + text;
    res->attrs["note"] = text;
    res->incident_id = 7;
    r.timeline.push_back(*res);
    r.inc = resolved;
    r.names = {{"U0ALICE", "Alice <b>admin</b> & \"co\""}, {"U0BOB", "bob | =cmd ](javascript:x)"},
               {"U0CAROL", "Carol \xe2\x80\xae" "evil\x1b[0m"}};
    return r;
}

}  // namespace ib_test
