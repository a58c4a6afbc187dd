// `incident-bot redact`: replacing what a message said (a pasted secret, personal data) with
// "[redacted: <reason>]" everywhere the record keeps it. The record says that it happened, who
// did it and when: a `redaction` entry on the incident's timeline (storage/store.hpp performs it,
// in one transaction, as the only rewrite the append-only timeline allows). Pure.
#pragma once

#include "core/incident.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/timeline.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace ib {

inline constexpr std::size_t max_redaction_reason_chars = 200;

// The text a redacted message reads: "[redacted: <reason>]", in Slack's form like every stored
// text (core/text.hpp): `reason`, typed on a command line, has its `&`, `<` and `>` escaped
// (escape_mrkdwn), so it reads as typed and can never form markup or a ping.
std::string redacted_text(std::string_view reason);

// The redaction entry for the message with Slack ts `ts` on `inc`'s `timeline`, done by `by`
// (an operator's name, e.g. the OS user) at `now` for `reason`: kind redaction, ref_ts `ts`,
// text redacted_text(reason), attrs by (as given) and reason (escaped, as in the text), no
// Slack user. Errors, one line each:
// not_found when no message or bot message has that ts on the timeline; invalid_argument for a
// reason that is empty, longer than max_redaction_reason_chars or not one line, or an empty `by`.
result<timeline_entry> plan_redaction(const incident& inc, std::span<const timeline_entry> timeline,
                                      std::string_view ts, std::string_view reason, std::string_view by,
                                      time_point now);

}  // namespace ib
