#include "core/rate_limit.hpp"

#include <algorithm>

namespace ib {
namespace {

std::string minutes_text(std::int64_t n) { return std::to_string(n) + (n == 1 ? " minute" : " minutes"); }

}  // namespace

std::string start_rate_limit::admit(std::string_view user, time_point now) {
    auto& times = starts_[std::string(user)];
    if (!times.empty()) now = std::max(now, times.back());
    // Forget what fell out of the window.
    while (!times.empty() && times.front() <= now - window_) times.pop_front();
    if (times.size() < max_) {
        times.push_back(now);
        return {};
    }
    // The oldest counted request leaves the window at front + window.
    const auto wait = std::chrono::ceil<seconds>(times.front() + window_ - now);
    const auto minutes = std::max<std::int64_t>(1, (wait.count() + 59) / 60);
    const auto window_minutes = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::minutes>(window_).count());
    return ":hand: You have started " + std::to_string(times.size()) + " incidents in the last " +
           minutes_text(window_minutes) +
           ", the most I allow. Please work in an open incident's channel (`/incident list`), or try again in " +
           minutes_text(minutes) + ".";
}

std::size_t start_rate_limit::recent(std::string_view user, time_point now) const {
    const auto it = starts_.find(std::string(user));
    if (it == starts_.end()) return 0;
    return static_cast<std::size_t>(
        std::count_if(it->second.begin(), it->second.end(), [&](time_point t) { return t > now - window_ && t <= now; }));
}

}  // namespace ib
