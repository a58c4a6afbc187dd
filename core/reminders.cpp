#include "core/reminders.hpp"

#include "core/slack/layout.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace ib {
namespace {

using nlohmann::json;
using namespace std::chrono;

constexpr std::size_t quote_bytes = 300;   // the last update, quoted in a reminder
constexpr std::size_t title_bytes = 1000;  // the title inside a draft

// The person a reminder is addressed to: comms lead, else commander, else declarer.
std::string_view addressee(const incident& inc) {
    if (!inc.comms_lead.empty()) return inc.comms_lead;
    if (!inc.commander.empty()) return inc.commander;
    return inc.declared_by;
}

// format_duration() without a trailing zero unit: "16m", "32m 10s", "1h", "1h 05m".
std::string short_duration(seconds d) {
    std::string s = format_duration(d);
    for (std::string_view zero : {" 00s", " 00m", " 0h"})
        if (s.size() > zero.size() && s.ends_with(zero)) {
            s.resize(s.size() - zero.size());
            break;
        }
    return s;
}

// Customer-facing duration: "15 minutes", "1 hour", "1 hour 30 minutes", "2 seconds".
std::string words_duration(seconds d) {
    auto v = std::max<std::int64_t>(d.count(), 0);
    struct unit {
        std::int64_t size;
        const char* name;
    };
    constexpr unit units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    std::string out;
    for (const auto& u : units) {
        const auto n = v / u.size;
        v %= u.size;
        if (n == 0) continue;
        if (!out.empty()) out += ' ';
        out += std::to_string(n) + ' ' + u.name + (n == 1 ? "" : "s");
    }
    return out.empty() ? "0 seconds" : out;
}

// "14:05 UTC" when `t` is on the same UTC day as `now`, else "2026-11-20 14:05 UTC".
std::string clock_time(time_point t, time_point now) {
    const std::string iso = to_iso8601(t);  // YYYY-MM-DDTHH:MM:SSZ
    const std::string hm = iso.substr(11, 5) + " UTC";
    if (floor<days>(t) == floor<days>(now)) return hm;
    return iso.substr(0, 10) + " " + hm;
}

// Another owner's claim, unmarked: it is taken over when its lease ends.
bool foreign_claim(const reminder_state& st, const claim_lease& lease) {
    return st.unmarked && st.unmarked->owner != lease.owner;
}

// When the next new reminder is due by the cadence (nullopt: never), whatever is claimed.
std::optional<time_point> cadence_due(time_point start, severity sev, bool open, const reminder_state& st,
                                      const reminder_policy& policy) {
    if (!open) return std::nullopt;
    const auto cadence = policy.for_severity(sev);
    if (!cadence) return std::nullopt;
    time_point base = st.last_update.value_or(start);
    if (st.last_reminder && *st.last_reminder > base) base = *st.last_reminder;
    time_point due = base + *cadence;
    if (st.snoozed_until && *st.snoozed_until > due) due = *st.snoozed_until;
    return due;
}

// The due time from the parts of an incident the schedule depends on: the cadence's, or earlier
// when another owner's unmarked claim's lease ends first.
std::optional<time_point> due_from(time_point start, severity sev, bool open, const reminder_state& st,
                                   const reminder_policy& policy, const claim_lease& lease) {
    const auto due = cadence_due(start, sev, open, st, policy);
    if (!due || !foreign_claim(st, lease)) return due;
    return std::min(*due, st.unmarked->at + lease.length);
}

// A claim's attempt (attrs attempt; 0 when absent or unreadable).
int attempt_of(const timeline_entry& e) {
    int attempt = 0;
    const std::string n = e.attr("attempt");
    (void)std::from_chars(n.data(), n.data() + n.size(), attempt);
    return attempt;
}

bool affects_reminders(entry_kind k) { return k == entry_kind::statuspage || k == entry_kind::reminder; }

std::size_t severity_index(severity s) { return static_cast<std::size_t>(static_cast<int>(s) - 1); }

}  // namespace

// ---- Policy ---------------------------------------------------------------------------------

reminder_policy reminder_policy::defaults() {
    reminder_policy p;
    p.cadence = {seconds{15 * 60}, seconds{30 * 60}, seconds{60 * 60}, std::nullopt, std::nullopt};
    return p;
}

reminder_policy reminder_policy::uniform(seconds every) {
    reminder_policy p;
    if (every > seconds::zero()) p.cadence.fill(every);
    return p;
}

std::optional<seconds> reminder_policy::for_severity(severity s) const {
    const auto i = severity_index(s);
    return i < cadence.size() ? cadence[i] : std::nullopt;
}

result<reminder_policy> parse_reminder_policy(std::string_view text) {
    reminder_policy p = reminder_policy::defaults();
    std::array<bool, 5> seen{};
    const auto fail = [](std::string_view item, const std::string& why) {
        return make_error(errc::invalid_argument, "reminder policy: `" + std::string(item) + "`: " + why);
    };
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string item(trim_ascii_space(text.substr(0, comma)));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) continue;  // "sev1=15m," or an empty config
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            return fail(item, "expected <severity>=<duration|off>, e.g. `sev1=15m` or `sev4=off`");
        const std::string key(trim_ascii_space(std::string_view(item).substr(0, eq)));
        const std::string value = ascii_lower(trim_ascii_space(std::string_view(item).substr(eq + 1)));
        const auto sev = parse_severity(key);
        if (!sev) return fail(item, "unknown severity `" + key + "` (use sev1 to sev5)");
        const auto i = severity_index(*sev);
        if (seen[i]) return fail(item, std::string(to_string(*sev)) + " is given more than once");
        seen[i] = true;
        if (value == "off" || value == "none") {
            p.cadence[i] = std::nullopt;
        } else if (const auto d = parse_duration(value)) {
            p.cadence[i] = *d;
        } else {
            return fail(item, "`" + value + "` is neither a positive duration (e.g. `15m`, `1h`) nor `off`");
        }
    }
    return p;
}

// ---- State ----------------------------------------------------------------------------------

void apply(reminder_state& st, const timeline_entry& e) {
    if (e.kind == entry_kind::statuspage) {
        if (st.last_update && e.at < *st.last_update) return;  // an older update arriving late
        st.last_update = e.at;
        st.last_update_text = quote_slack(e.text, max_stored_update_bytes, unlimited, false);
        st.last_update_by = e.user;
        return;
    }
    if (e.kind != entry_kind::reminder) return;
    const auto type = e.attrs.find("type");
    // A takeover (reminder_to_claim, bookkeeping) claims a reminder again: its owner posts it now.
    const bool takeover = is_bookkeeping(e) && e.attr("outcome") == k_taken_over && !e.attr("claim").empty();
    if (type == e.attrs.end() || type->second == "posted" || takeover) {
        if (!st.last_reminder || e.at > *st.last_reminder) st.last_reminder = e.at;
        const std::string due = e.attr("claim");
        if (st.unmarked && e.at < st.unmarked->at) return;  // older than the latest claim
        if (due.empty()) {  // a reminder noted, not claimed: supersedes the claims before it
            st.unmarked.reset();
            return;
        }
        st.unmarked = reminder_claim{e.key, due, attempt_of(e), e.attr("owner"), e.at};
    } else if (is_bookkeeping(e)) {  // a claim's mark (make_reminder_mark)
        if (st.unmarked && st.unmarked->key == e.attr("of")) st.unmarked.reset();
    } else if (type->second == "snooze") {
        if (const auto until = parse_iso8601(e.attr("until"))) st.snoozed_until = *until;
    }
}

reminder_state derive_reminder_state(std::span<const timeline_entry> entries) {
    reminder_state st;
    for (const auto& e : entries) apply(st, e);
    return st;
}

std::optional<time_point> next_reminder_due(const incident& inc, const reminder_state& st,
                                            const reminder_policy& policy, const claim_lease& lease) {
    return due_from(inc.start(), inc.sev, inc.is_open(), st, policy, lease);
}

// ---- Scheduler ------------------------------------------------------------------------------

reminder_scheduler::reminder_scheduler(reminder_policy policy, claim_lease lease)
    : policy_(std::move(policy)), lease_(std::move(lease)) {}

// The first record whose id is not less than `id` (records are sorted by id).
template <class Records>
auto lower_bound_id(Records& records, std::int64_t id) {
    return std::lower_bound(records.begin(), records.end(), id,
                            [](const auto& r, std::int64_t key) { return r.id < key; });
}

reminder_scheduler::record* reminder_scheduler::find(std::int64_t id) {
    auto it = lower_bound_id(records_, id);
    return it != records_.end() && it->id == id ? &*it : nullptr;
}

const reminder_scheduler::record* reminder_scheduler::find(std::int64_t id) const {
    auto it = lower_bound_id(records_, id);
    return it != records_.end() && it->id == id ? &*it : nullptr;
}

void reminder_scheduler::replan(record& r) const { r.due = due_from(r.start, r.sev, r.open, r.st, policy_, lease_); }

void reminder_scheduler::track(const incident& inc, reminder_state st) {
    auto it = lower_bound_id(records_, inc.id);
    if (it == records_.end() || it->id != inc.id) it = records_.insert(it, record{});
    it->id = inc.id;
    it->start = inc.start();
    it->sev = inc.sev;
    it->open = inc.is_open();
    it->st = std::move(st);
    replan(*it);
}

void reminder_scheduler::on_incident_changed(const incident& inc) {
    record* r = find(inc.id);
    if (!r) return;
    r->start = inc.start();
    r->sev = inc.sev;
    r->open = inc.is_open();
    replan(*r);
}

void reminder_scheduler::on_entry(std::int64_t incident_id, const timeline_entry& e) {
    if (!affects_reminders(e.kind)) return;
    record* r = find(incident_id);
    if (!r) return;
    apply(r->st, e);
    replan(*r);
}

void reminder_scheduler::forget(std::int64_t id) {
    if (record* r = find(id)) records_.erase(records_.begin() + (r - records_.data()));
}

std::optional<time_point> reminder_scheduler::next_wakeup() const {
    std::optional<time_point> best;
    for (const auto& r : records_)
        if (r.due && (!best || *r.due < *best)) best = r.due;
    return best;
}

std::vector<std::int64_t> earliest_first(std::vector<std::pair<time_point, std::int64_t>> hits) {
    std::sort(hits.begin(), hits.end());
    std::vector<std::int64_t> ids;
    ids.reserve(hits.size());
    for (const auto& h : hits) ids.push_back(h.second);
    return ids;
}

std::vector<std::int64_t> reminder_scheduler::due(time_point now) const {
    std::vector<std::pair<time_point, std::int64_t>> hits;
    for (const auto& r : records_)
        if (r.due && *r.due <= now) hits.emplace_back(*r.due, r.id);
    return earliest_first(std::move(hits));
}

std::optional<time_point> reminder_scheduler::due_at(std::int64_t id) const {
    const record* r = find(id);
    return r ? r->due : std::nullopt;
}

const reminder_state* reminder_scheduler::state(std::int64_t id) const {
    const record* r = find(id);
    return r ? &r->st : nullptr;
}

std::size_t reminder_scheduler::size() const { return records_.size(); }

// ---- Messages and entries ---------------------------------------------------------------------

std::string draft_status_update(const incident& inc, const reminder_policy& policy) {
    const std::string title = quote_slack(inc.title, title_bytes);
    std::string draft;
    switch (inc.state) {
    case status::investigating:
        draft = "We are investigating " + title + ".";
        if (const auto cadence = policy.for_severity(inc.sev))
            draft += " Next update within " + words_duration(*cadence) + ".";
        break;
    case status::identified:
        draft = "We have identified the cause of " + title + " and are working on a fix.";
        break;
    case status::monitoring:
        draft = "A fix for " + title + " has been applied and we are monitoring the results.";
        break;
    case status::resolved: draft = title + " has been resolved."; break;
    }
    return quote_slack(draft, max_button_value_bytes);
}

reminder_message render_reminder(const incident& inc, const reminder_state& st, time_point now,
                                 const reminder_policy& policy) {
    const std::string who = mention(addressee(inc));  // "" when nobody is known
    const auto since = [&](time_point t) { return short_duration(std::max(floor<seconds>(now - t), seconds::zero())); };

    std::string head = who.empty() ? std::string() : who + " ";
    head += ":loudspeaker: ";
    if (st.last_update) {
        head += "No status-page update for " + since(*st.last_update) + " (last: “" +
                quote_slack(st.last_update_text, quote_bytes) + "”, " + clock_time(*st.last_update, now) + ").";
    } else {
        head += "No status-page update yet, " + since(inc.start()) + " since the incident started.";
    }
    // Slack wants < and > escaped even inside code spans.
    head += " Please update the status page and record it with `/incident statuspage &lt;text&gt;`, post the "
            "suggested update below as is, or pause these reminders with `/incident snooze &lt;duration&gt;`.";

    const std::string draft = draft_status_update(inc, policy);
    constexpr std::string_view draft_label = "*Suggested update:* ";
    const std::size_t text_room = max_reminder_text_bytes - head.size() - 1 - draft_label.size();
    reminder_message m;
    m.text = head + "\n" + std::string(draft_label) + quote_slack(draft, text_room);

    json section = slack::mrkdwn_section(head);
    json draft_section =
        slack::mrkdwn_section("*Suggested update:*\n>" + quote_slack(draft, max_reminder_text_bytes - 24));
    json post = {{"type", "button"},
                 {"action_id", post_update_action_id},
                 {"text", slack::text_object("plain_text", "Post update")},
                 {"style", "primary"},
                 {"value", draft}};  // already ≤ max_button_value_bytes
    json snooze = {{"type", "button"},
                   {"action_id", snooze_action_id},
                   {"text", slack::text_object("plain_text", "Snooze 15 min")},
                   {"value", snooze_button_value}};
    json actions = {{"type", "actions"},
                    {"block_id", "statuspage_reminder:" + std::to_string(inc.id)},
                    {"elements", json::array({post, snooze})}};
    m.blocks = json::array({section, draft_section, actions});
    return m;
}

std::optional<timeline_entry> reminder_to_claim(const incident& inc, std::span<const timeline_entry> entries,
                                                time_point now, const reminder_policy& policy,
                                                const claim_lease& lease) {
    const reminder_state st = derive_reminder_state(entries);
    const auto due = cadence_due(inc.start(), inc.sev, inc.is_open(), st, policy);
    if (!due) return std::nullopt;  // resolved, or no cadence
    timeline_entry e = make_reminder_entry(inc, now);
    if (foreign_claim(st, lease) && st.unmarked->at + lease.length <= now) {  // its lease is over: take it over
        // Bookkeeping, like a mark of the claim it supersedes: the reminder is on the timeline
        // once, as that claim (the dead instance's, or the first of several takeovers).
        const int attempt = st.unmarked->attempt + 1;
        timeline_entry superseded;
        superseded.incident_id = inc.id;
        superseded.key = st.unmarked->key;
        e = make_reminder_mark(superseded, now, k_taken_over);
        e.key = st.unmarked->due + ":" + std::to_string(attempt);
        e.text = "the reminder was taken over";
        e.attrs["claim"] = st.unmarked->due;
        e.attrs["attempt"] = std::to_string(attempt);
    } else if (*due <= now) {  // a new reminder (a claim still within its lease is an earlier one)
        e.key = "reminder:" + std::to_string(inc.id) + ":due:" + std::to_string(to_unix_micros(*due));
        e.attrs["claim"] = e.key;
        e.attrs["attempt"] = "0";
    } else {
        return std::nullopt;
    }
    e.attrs["owner"] = lease.owner;
    return e;
}

timeline_entry make_reminder_mark(const timeline_entry& claim, time_point now, std::string_view outcome) {
    timeline_entry e;
    e.incident_id = claim.incident_id;
    e.key = claim.key + ":mark";
    e.at = now;
    e.received_at = now;
    e.kind = k_bookkeeping.kind;  // bookkeeping (timeline.hpp): no output a reviewer reads shows it
    e.text = outcome == "posted" ? "the reminder was posted" : "the reminder was not posted (" + std::string(outcome) + ")";
    e.attrs[std::string(k_bookkeeping.attr)] = std::string(k_bookkeeping.value);
    e.attrs["of"] = claim.key;
    e.attrs["outcome"] = std::string(outcome);
    return e;
}

timeline_entry make_reminder_entry(const incident& inc, time_point now) {
    timeline_entry e;
    e.incident_id = inc.id;
    e.key = "reminder:" + std::to_string(inc.id) + ":" + std::to_string(to_unix_micros(now));
    e.at = now;
    e.received_at = now;
    e.kind = entry_kind::reminder;
    e.text = "reminded the channel to update the status page";
    e.attrs["type"] = "posted";
    return e;
}

result<timeline_entry> make_snooze_entry(const incident& inc, seconds duration, std::string_view by, time_point now) {
    if (!inc.is_open())
        return make_error(errc::not_allowed,
                          "This incident is resolved, so there are no status-page reminders to snooze.");
    if (duration <= seconds::zero())
        return make_error(errc::invalid_argument, "Snooze for a positive duration, e.g. `/incident snooze 15m`.");
    if (duration > max_snooze)
        return make_error(errc::invalid_argument,
                          "Reminders can be snoozed for at most 24 hours at a time (you asked for " +
                              short_duration(duration) + ").");
    const time_point until = ceil<seconds>(now + duration);
    timeline_entry e;
    e.incident_id = inc.id;
    e.at = now;
    e.received_at = now;
    e.user = std::string(by);
    e.kind = entry_kind::reminder;
    e.text = "status-page reminders snoozed for " + short_duration(duration) + " (until " + clock_time(until, now) + ")";
    e.attrs["type"] = "snooze";
    e.attrs["until"] = to_iso8601(until);
    return e;
}

}  // namespace ib
