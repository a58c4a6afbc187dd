// How often one person may declare incidents: `/incident start` at most 5 times per user in any
// 10 minutes. Each declaration creates a Slack channel, and channels cannot be deleted by the
// bot; a runaway script or a stuck key should not fill the workspace with them. Pure: the time
// of each request is a parameter.
#pragma once

#include "time.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ib {

class start_rate_limit {
public:
    static constexpr std::size_t default_max = 5;
    static constexpr std::chrono::minutes default_window{10};

    explicit start_rate_limit(std::size_t max = default_max, seconds window = default_window)
        : max_(max), window_(window) {}

    // `user` asks to start an incident at `now`. Allowed: the request is counted and "" is
    // returned. Refused (max requests already counted in the window before `now`): nothing is
    // counted and the reply says when they may start the next one. A `now` earlier than a
    // request already counted is treated as that request's time (clocks do not run backwards
    // here).
    std::string admit(std::string_view user, time_point now);

    // Requests of `user` counted in the window ending at `now`.
    std::size_t recent(std::string_view user, time_point now) const;

private:
    std::size_t max_;
    seconds window_;
    std::unordered_map<std::string, std::deque<time_point>> starts_;  // per user, oldest first
};

}  // namespace ib
