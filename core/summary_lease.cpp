#include "core/summary_lease.hpp"

#include <string>

namespace ib {

namespace {

constexpr std::string_view taken_over = "taken_over";

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
            if (e.attr("outcome") == taken_over) {
                ++st.attempts;
                st.owner = e.attr("owner");
                st.since = e.at;
            } else {
                st.marked = true;
            }
        } else if (is_bookkeeping(e) && e.attr("outcome") == taken_over && e.key.starts_with("summary:")) {
            ++st.attempts;  // a takeover of an earlier resolve's summary: attempts keep counting
        }
    }
    return st;
}

std::optional<time_point> summary_due(const incident& inc, const summary_lease_state& st, const claim_lease& lease) {
    if (inc.is_open() || st.resolve_key.empty() || st.marked || st.owner == lease.owner) return std::nullopt;
    return st.since + lease.length;
}

std::optional<timeline_entry> summary_to_claim(const incident& inc, std::span<const timeline_entry> entries,
                                               time_point now, const claim_lease& lease) {
    const summary_lease_state st = derive_summary_lease(entries);
    const auto due = summary_due(inc, st, lease);
    if (!due || *due > now) return std::nullopt;
    const int attempt = st.attempts + 1;
    timeline_entry e = make_summary_mark(inc.id, st.resolve_key, lease.owner, now, taken_over);
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

}  // namespace ib
