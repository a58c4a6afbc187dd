// The keyword history of an incident: the names (hosts, services, commands) that came up in its
// hypotheses, commands and actions. The review prompt's repeat rule compares them across
// incidents to notice that the same things broke again.
#pragma once

#include "timeline.hpp"

#include <span>
#include <string>
#include <vector>

namespace ib {

// The keywords the repeat rule compares, lower-cased, each once, in order of first appearance,
// from `message` entries tagged hypothesis, command or action (their latest edit; deleted
// messages are left out). A word is kept when it
//   - is inside a `code span` (commands run, process and service names): at least 3 characters
//     with a letter, not a flag (-9, --force), and not a generic tool or verb (sudo, kill,
//     systemctl, restart, kubectl, logs, grep, …); or
//   - elsewhere, looks like a host or service name: at least 4 characters, starts with a letter
//     and has a digit, '-', '_' or '.' inside (web-01, php-fpm, db.internal, redis6), and is not
//     a common hyphenated word (follow-up, roll-back, …) or a severity (sev2).
// Words are runs of letters, digits, '.', '-' and '_', trimmed of leading and trailing '.', '-',
// '_'.
std::vector<std::string> salient_keywords(std::span<const timeline_entry> timeline);

}  // namespace ib
