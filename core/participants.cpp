#include "participants.hpp"

#include <algorithm>
#include <unordered_map>

namespace ib {
namespace {

// Entries written by a bot, not by a person taking part.
bool counts_as_participation(const timeline_entry& e) {
    return !e.user.empty() && e.kind != entry_kind::bot_message && e.kind != entry_kind::reminder;
}

void keep_earliest(std::optional<time_point>& slot, time_point t) {
    if (!slot || t < *slot) slot = t;
}

}  // namespace

std::vector<participant> participants(std::span<const timeline_entry> timeline) {
    struct seen {
        participant p;
        time_point first_at;
        std::size_t first_pos;
    };
    std::vector<seen> people;
    std::unordered_map<std::string, std::size_t> index;  // user -> position in `people`

    for (std::size_t pos = 0; pos < timeline.size(); ++pos) {
        const auto& e = timeline[pos];
        if (!counts_as_participation(e)) continue;
        auto [it, inserted] = index.try_emplace(e.user, people.size());
        if (inserted) people.push_back(seen{participant{e.user, {}, {}, 0}, e.at, pos});
        auto& s = people[it->second];
        // Entries are stored in arrival order, which can differ slightly from `at` order
        // (Slack retries, late events): take the earliest time, not the first row.
        if (e.at < s.first_at) s.first_at = e.at;
        if (e.kind == entry_kind::join) keep_earliest(s.p.joined_at, e.at);
        if (e.kind == entry_kind::message) {
            keep_earliest(s.p.first_message_at, e.at);
            ++s.p.messages;
        }
    }

    std::stable_sort(people.begin(), people.end(), [](const seen& a, const seen& b) {
        return a.first_at != b.first_at ? a.first_at < b.first_at : a.first_pos < b.first_pos;
    });
    std::vector<participant> out;
    out.reserve(people.size());
    for (auto& s : people) out.push_back(std::move(s.p));
    return out;
}

}  // namespace ib
