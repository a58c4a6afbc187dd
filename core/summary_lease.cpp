#include "core/summary_lease.hpp"

#include <algorithm>
#include <string>

namespace ib {

namespace {

bool is_summary_mark(const timeline_entry& e, const std::string& resolve_key) {
    return is_bookkeeping(e) && !resolve_key.empty() && e.attr("of") == resolve_key;
}

}  // namespace

summary_lease_state derive_summary_lease(std::span<const timeline_entry> entries) {
    summary_lease_state st;
    for (const auto& e : entries) {
        if (e.kind == entry_kind::resolve) {  // a new lease, held by the instance that resolved
            st.resolve_key = e.key;
            st.owner = e.attr("owner");
            st.since = e.at;
            st.marked = st.owner.empty() || st.resolve_key.empty();  // an older build's: not leased
        } else if (is_summary_mark(e, st.resolve_key)) {
            if (e.attr("outcome") == k_taken_over) {
                ++st.attempts;
                st.owner = e.attr("owner");
                st.since = e.at;
            } else {
                st.marked = true;
            }
        } else if (is_bookkeeping(e) && e.attr("outcome") == k_taken_over && e.key.starts_with("summary:")) {
            ++st.attempts;  // a takeover of an earlier resolve's summary: attempts keep counting
        }
    }
    return st;
}

std::optional<time_point> summary_due(const incident& inc, const summary_lease_state& st, const claim_lease& lease,
                                      bool exclusive) {
    if (inc.is_open() || st.resolve_key.empty() || st.marked || st.owner == lease.owner) return std::nullopt;
    if (exclusive) return st.since;  // its holder was an earlier process: nobody else can post it
    return st.since + lease.length;
}

std::optional<timeline_entry> summary_to_claim(const incident& inc, std::span<const timeline_entry> entries,
                                               time_point now, const claim_lease& lease, bool exclusive) {
    const summary_lease_state st = derive_summary_lease(entries);
    const auto due = summary_due(inc, st, lease, exclusive);
    if (!due || *due > now) return std::nullopt;
    const int attempt = st.attempts + 1;
    timeline_entry e = make_summary_mark(inc.id, st.resolve_key, lease.owner, now, k_taken_over);
    e.key = "summary:" + std::to_string(inc.id) + ":" + std::to_string(attempt);
    e.attrs["attempt"] = std::to_string(attempt);
    e.text = "the summary was taken over";
    return e;
}

timeline_entry make_summary_mark(std::int64_t incident_id, const std::string& resolve_key, const std::string& owner,
                                 time_point now, std::string_view outcome) {
    timeline_entry e;
    e.incident_id = incident_id;
    e.key = resolve_key + ":summary-mark:" + owner;
    e.at = now;
    e.received_at = now;
    e.kind = k_bookkeeping.kind;  // bookkeeping (timeline.hpp): no output a reviewer reads shows it
    e.text = "the summary was " + std::string(outcome == "posted" ? "posted" : "not posted (" + std::string(outcome) + ")");
    e.attrs[std::string(k_bookkeeping.attr)] = std::string(k_bookkeeping.value);
    e.attrs["of"] = resolve_key;
    e.attrs["owner"] = owner;
    e.attrs["outcome"] = std::string(outcome);
    return e;
}

void stamp_owner(timeline_entry& e, std::string_view owner) {
    if (e.kind == entry_kind::resolve) e.attrs["owner"] = std::string(owner);
}

// ---- Scheduler ------------------------------------------------------------------------------

summary_scheduler::summary_scheduler(claim_lease lease) : lease_(std::move(lease)) {}

namespace {

// The first held pair whose id is not less than `id`.
template <class Held>
auto at_id(Held& held, std::int64_t id) {
    return std::lower_bound(held.begin(), held.end(), id, [](const auto& p, std::int64_t key) { return p.first < key; });
}

}  // namespace

void summary_scheduler::track(const incident& inc, std::span<const timeline_entry> entries) {
    const auto when = summary_due(inc, derive_summary_lease(entries), lease_, exclusive_);
    auto it = at_id(due_, inc.id);
    const bool held = it != due_.end() && it->first == inc.id;
    if (!when) {
        if (held) due_.erase(it);
    } else if (held) {
        it->second = *when;
    } else {
        due_.insert(it, {inc.id, *when});
    }
}

void summary_scheduler::postpone(std::int64_t id, time_point at) {
    if (auto it = at_id(due_, id); it != due_.end() && it->first == id) it->second = at;
}

void summary_scheduler::forget(std::int64_t id) {
    if (auto it = at_id(due_, id); it != due_.end() && it->first == id) due_.erase(it);
}

std::optional<time_point> summary_scheduler::next_wakeup() const {
    std::optional<time_point> best;
    for (const auto& [id, at] : due_)
        if (!best || at < *best) best = at;
    return best;
}

std::vector<std::int64_t> summary_scheduler::due(time_point now) const {
    std::vector<std::pair<time_point, std::int64_t>> hits;
    for (const auto& [id, at] : due_)
        if (at <= now) hits.emplace_back(at, id);
    return earliest_first(std::move(hits));
}

std::optional<time_point> summary_scheduler::due_at(std::int64_t id) const {
    const auto it = at_id(due_, id);
    return it != due_.end() && it->first == id ? std::optional<time_point>(it->second) : std::nullopt;
}

}  // namespace ib
