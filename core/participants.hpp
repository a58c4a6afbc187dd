// Who took part in an incident, derived from its recorded timeline. Pure: no I/O, no clock.
#pragma once

#include "time.hpp"
#include "timeline.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ib {

struct participant {
    std::string user;                            // Slack user id
    std::optional<time_point> joined_at;         // first `join` entry, if they joined while recorded
    std::optional<time_point> first_message_at;  // first `message` entry
    std::size_t messages = 0;                    // number of `message` entries
};

// Everyone who did something on the timeline (spoke, joined, reacted, changed the incident…),
// ordered by first appearance (earliest `at`; timeline position breaks ties). Not participants:
// entries with an empty user, `bot_message` entries and the bot's own `reminder` entries.
std::vector<participant> participants(std::span<const timeline_entry> timeline);

}  // namespace ib
