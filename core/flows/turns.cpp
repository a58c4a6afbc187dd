#include "core/flows/turns.hpp"

#include <algorithm>

namespace ib::flows {

bool turn_queue::request(std::int64_t incident, const std::string& key) {
    auto& line = lines_[incident];
    const auto it = std::find(line.begin(), line.end(), key);
    if (it == line.end()) line.push_back(key);
    return line.front() == key;
}

std::optional<std::string> turn_queue::release(std::int64_t incident, const std::string& key) {
    const auto found = lines_.find(incident);
    if (found == lines_.end()) return std::nullopt;
    auto& line = found->second;
    const auto it = std::find(line.begin(), line.end(), key);
    if (it == line.end()) return std::nullopt;
    const bool was_holder = it == line.begin();
    line.erase(it);
    if (line.empty()) {
        lines_.erase(found);
        return std::nullopt;
    }
    if (!was_holder) return std::nullopt;  // left the line: the holder is unchanged
    return line.front();
}

bool turn_queue::holds(std::int64_t incident, const std::string& key) const {
    const auto found = lines_.find(incident);
    return found != lines_.end() && !found->second.empty() && found->second.front() == key;
}

std::size_t turn_queue::in_line(std::int64_t incident) const {
    const auto found = lines_.find(incident);
    return found == lines_.end() ? 0 : found->second.size();
}

}  // namespace ib::flows
