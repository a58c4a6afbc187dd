// Changes to one incident take turns (change.hpp): each is planned from the incident as the
// previous change left it in the database, never from a version another change is about to
// replace. The line of changes waiting for each incident, first come first served. Pure
// bookkeeping; the executor makes the waiting flows wait. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace ib::flows {

class turn_queue {
public:
    // `key` asks for `incident`'s turn: true when it holds it now, false when it waits in line
    // (asking again while in line changes nothing).
    bool request(std::int64_t incident, const std::string& key);
    // `key` ends its turn, or leaves the line: returns the key that holds the turn now, if one
    // just got it. Ignored (nullopt) for a key that is neither holding nor waiting.
    std::optional<std::string> release(std::int64_t incident, const std::string& key);

    bool holds(std::int64_t incident, const std::string& key) const;
    // Changes holding or waiting for `incident`'s turn.
    std::size_t in_line(std::int64_t incident) const;

private:
    std::unordered_map<std::int64_t, std::deque<std::string>> lines_;  // front: the holder
};

}  // namespace ib::flows
