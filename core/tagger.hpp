// Auto-tagging of incident-channel messages. A message may carry several tags; each comes
// with why it was applied (the features that decided it, core/tagging/model.hpp).
//   hypothesis  a tentative explanation ("I think the cache…", "looks like…", "could it be…?")
//   command     something run or to run (code spans/blocks, `$ ` or `host#:` prompts, CLI tools, SQL)
//   action      intent or an action taken on the system ("I'll roll back", "restarting…", "failed over")
//   status      customer/stakeholder communication (status page, support tickets, customers)
// `join` is not derived from text: the recorder applies it to join entries.
#pragma once

#include "timeline.hpp"

#include <string_view>
#include <vector>

namespace ib {

// Pure function of the text; at most one hit per tag, ordered join, hypothesis, command,
// action, status. Bounded work: texts longer than an internal limit are judged on a prefix.
std::vector<tag_hit> tag_message(std::string_view text);

}  // namespace ib
