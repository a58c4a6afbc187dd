#include "incident.hpp"

#include "text.hpp"

namespace ib {
namespace {

// The entry every transition returns: who, when, what kind; the caller adds key/ts.
timeline_entry make_entry(const incident& inc, entry_kind kind, std::string_view by, time_point now,
                          std::string text) {
    timeline_entry e;
    e.incident_id = inc.id;
    e.kind = kind;
    e.user = std::string(by);
    e.at = now;
    e.received_at = now;
    e.text = std::move(text);
    return e;
}

// Transitions may not be dated before the incident began (detection, else declaration).
std::optional<error> check_time(const incident& inc, time_point now) {
    if (now < inc.start())
        return make_error(errc::time_out_of_order, "that time (" + to_iso8601(now) +
                                                       ") is before the incident started (" +
                                                       to_iso8601(inc.start()) + ")");
    return std::nullopt;
}

std::string with_note(std::string text, std::string_view note) {
    if (!note.empty()) text += ": " + std::string(note);
    return text;
}

// "3,000": thousands separated, as people read them.
std::string grouped(std::size_t n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

// `what` ("That note") over max_text_chars: the reply says how long it is and what to do.
// `text` is Slack text; it is counted as typed (`&lt;` is one character).
std::optional<error> check_length(std::string_view what, std::string_view text) {
    const std::size_t n = count_code_points(decode_slack_entities(text));
    if (n <= max_text_chars) return std::nullopt;
    return make_error(errc::invalid_argument, std::string(what) + " is " + grouped(n) +
                                                  " characters; please keep it to " + grouped(max_text_chars) +
                                                  " or fewer (put long output in a snippet or a file and link to it).");
}

}  // namespace

std::string_view to_string(severity s) {
    switch (s) {
    case severity::sev1: return "sev1";
    case severity::sev2: return "sev2";
    case severity::sev3: return "sev3";
    case severity::sev4: return "sev4";
    case severity::sev5: return "sev5";
    }
    return "sev?";
}

std::string_view describe(severity s) {
    switch (s) {
    case severity::sev1: return "complete outage";
    case severity::sev2: return "major functionality broken, revenue affected";
    case severity::sev3: return "minor problem";
    case severity::sev4: return "redundant component failure";
    case severity::sev5: return "false alarm or unactionable";
    }
    return "unknown";
}

std::optional<severity> parse_severity(std::string_view s) {
    const std::string l = ascii_lower(s);
    std::string_view digits = l;
    if (digits.starts_with("sev")) digits.remove_prefix(3);
    else if (digits.starts_with("s")) digits.remove_prefix(1);
    if (digits.size() != 1 || digits[0] < '1' || digits[0] > '5') return std::nullopt;
    return static_cast<severity>(digits[0] - '0');
}

std::string_view to_string(status s) {
    switch (s) {
    case status::investigating: return "investigating";
    case status::identified: return "identified";
    case status::monitoring: return "monitoring";
    case status::resolved: return "resolved";
    }
    return "unknown";
}

std::optional<status> parse_status(std::string_view s) {
    const std::string l = ascii_lower(s);
    for (status st : {status::investigating, status::identified, status::monitoring, status::resolved})
        if (l == to_string(st)) return st;
    return std::nullopt;
}

std::string_view to_string(role r) { return r == role::commander ? "commander" : "comms lead"; }

result<declared> declare_incident(std::string_view title, severity sev, std::string_view by,
                                  std::string_view channel_id, std::string_view channel_name, time_point now) {
    const auto first = title.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return make_error(errc::invalid_argument, "an incident needs a title");
    const auto last = title.find_last_not_of(" \t\r\n");

    declared d;
    d.inc.title = std::string(title.substr(first, last - first + 1));
    d.inc.sev = sev;
    d.inc.state = status::investigating;
    d.inc.declared_by = std::string(by);
    d.inc.declared_at = now;
    d.inc.channel_id = std::string(channel_id);
    d.inc.channel_name = std::string(channel_name);
    d.entry = make_entry(d.inc, entry_kind::declare, by, now,
                         "declared " + std::string(to_string(sev)) + ": " + d.inc.title);
    d.entry.attrs["severity"] = std::string(to_string(sev));
    return d;
}

result<timeline_entry> acknowledge(incident& inc, std::string_view by, time_point now) {
    if (inc.acknowledged_at)
        return make_error(errc::already_done, "already acknowledged by " + mention(inc.acknowledged_by, "someone") +
                                                  " at " + to_iso8601(*inc.acknowledged_at));
    if (!inc.is_open()) return make_error(errc::not_allowed, "the incident is resolved; reopen it first");
    if (auto e = check_time(inc, now)) return *e;
    inc.acknowledged_at = now;
    inc.acknowledged_by = std::string(by);
    return make_entry(inc, entry_kind::ack, by, now, "acknowledged by " + mention(by, "someone"));
}

result<timeline_entry> change_severity(incident& inc, severity to, std::string_view by, time_point now) {
    if (inc.sev == to) return make_error(errc::already_done, "severity is already " + std::string(to_string(to)));
    if (auto e = check_time(inc, now)) return *e;
    auto entry = make_entry(inc, entry_kind::severity, by, now,
                            "severity " + std::string(to_string(inc.sev)) + " → " + std::string(to_string(to)));
    entry.attrs["from"] = std::string(to_string(inc.sev));
    entry.attrs["to"] = std::string(to_string(to));
    inc.sev = to;
    return entry;
}

result<timeline_entry> change_status(incident& inc, status to, std::string_view by, std::string_view note,
                                     time_point now) {
    if (!inc.is_open())
        return make_error(errc::not_allowed, "the incident is resolved; reopen it to change its status");
    if (inc.state == to) return make_error(errc::already_done, "status is already " + std::string(to_string(to)));
    if (auto e = check_time(inc, now)) return *e;
    if (auto e = check_length("That note", note)) return *e;

    const bool resolving = to == status::resolved;
    auto entry = make_entry(inc, resolving ? entry_kind::resolve : entry_kind::status, by, now,
                            with_note(resolving ? std::string("resolved")
                                                : "status " + std::string(to_string(inc.state)) + " → " +
                                                      std::string(to_string(to)),
                                      note));
    entry.attrs["from"] = std::string(to_string(inc.state));
    entry.attrs["to"] = std::string(to_string(to));
    if (!note.empty()) entry.attrs["note"] = std::string(note);

    // First arrival in a phase is what the phase metrics measure; going back keeps it.
    if (to == status::identified && !inc.identified_at) inc.identified_at = now;
    if (to == status::monitoring && !inc.mitigated_at) inc.mitigated_at = now;
    if (resolving) inc.resolved_at = now;
    inc.state = to;
    return entry;
}

result<timeline_entry> resolve(incident& inc, std::string_view by, std::string_view note, time_point now) {
    if (!inc.is_open())
        return make_error(errc::already_done, "already resolved at " + to_iso8601(inc.resolved_at.value_or(now)));
    return change_status(inc, status::resolved, by, note, now);
}

result<timeline_entry> reopen(incident& inc, std::string_view by, std::string_view note, time_point now) {
    if (inc.is_open()) return make_error(errc::not_allowed, "the incident is not resolved");
    if (inc.resolved_at && now < *inc.resolved_at)
        return make_error(errc::time_out_of_order, "that time is before the incident was resolved (" +
                                                       to_iso8601(*inc.resolved_at) + ")");
    if (auto e = check_time(inc, now)) return *e;
    if (auto e = check_length("That note", note)) return *e;
    auto entry = make_entry(inc, entry_kind::reopen, by, now, with_note("reopened", note));
    entry.attrs["previous_resolved_at"] = to_iso8601(*inc.resolved_at);
    if (!note.empty()) entry.attrs["note"] = std::string(note);
    inc.state = status::investigating;
    inc.resolved_at.reset();
    ++inc.reopen_count;
    return entry;
}

result<timeline_entry> set_detected(incident& inc, time_point detected, std::string_view by, time_point now) {
    if (detected > now)
        return make_error(errc::time_out_of_order, "detection (" + to_iso8601(detected) + ") is in the future; it is " +
                                                       to_iso8601(now) + " now (times are UTC)");
    if (detected > inc.declared_at)
        return make_error(errc::time_out_of_order, "detection (" + to_iso8601(detected) +
                                                       ") can't be after the declaration (" +
                                                       to_iso8601(inc.declared_at) + ")");
    if (detected < inc.declared_at - max_detection_lead)
        return make_error(errc::time_out_of_order,
                          "detection (" + to_iso8601(detected) + ") is more than 7 days before the declaration (" +
                              to_iso8601(inc.declared_at) +
                              "); check the date, or say when it really began in a `/incident note`");
    if (inc.acknowledged_at && *inc.acknowledged_at < detected)
        return make_error(errc::time_out_of_order, "it was acknowledged at " + to_iso8601(*inc.acknowledged_at) +
                                                       ", before that detection time");
    auto entry = make_entry(inc, entry_kind::detected, by, now, "detected at " + to_iso8601(detected));
    entry.attrs["detected_at"] = to_iso8601(detected);
    if (inc.detected_at) entry.attrs["previous"] = to_iso8601(*inc.detected_at);
    inc.detected_at = detected;
    return entry;
}

result<timeline_entry> assign_role(incident& inc, role r, std::string_view user, std::string_view by,
                                   time_point now) {
    if (user.empty()) return make_error(errc::invalid_argument, "who should be " + std::string(to_string(r)) + "?");
    std::string& slot = r == role::commander ? inc.commander : inc.comms_lead;
    if (slot == user)
        return make_error(errc::already_done, mention(user, "someone") + " is already " + std::string(to_string(r)));
    if (auto e = check_time(inc, now)) return *e;
    auto entry =
        make_entry(inc, entry_kind::role, by, now, mention(user, "someone") + " is " + std::string(to_string(r)));
    entry.attrs["role"] = r == role::commander ? "commander" : "comms_lead";
    entry.attrs["assignee"] = std::string(user);
    if (!slot.empty()) entry.attrs["previous"] = slot;
    slot = std::string(user);
    return entry;
}

namespace {

result<timeline_entry> text_entry(const incident& inc, entry_kind kind, std::string_view text, std::string_view by,
                                  time_point now, std::string_view what) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return make_error(errc::invalid_argument, std::string(what) + " needs some text");
    if (auto e = check_length("That " + std::string(what.substr(what.find(' ') + 1)), text)) return *e;
    if (auto e = check_time(inc, now)) return *e;
    return make_entry(inc, kind, by, now, std::string(text));
}

}  // namespace

result<timeline_entry> add_note(const incident& inc, std::string_view text, std::string_view by, time_point now) {
    return text_entry(inc, entry_kind::note, text, by, now, "a note");
}

result<timeline_entry> add_action_item(const incident& inc, std::string_view text, std::string_view owner,
                                       std::string_view by, time_point now) {
    auto r = text_entry(inc, entry_kind::action_item, text, by, now, "an action item");
    if (r && !owner.empty()) r->attrs["owner"] = std::string(owner);
    return r;
}

result<timeline_entry> record_statuspage_update(const incident& inc, std::string_view text, std::string_view by,
                                                time_point now) {
    return text_entry(inc, entry_kind::statuspage, text, by, now, "a status-page update");
}

}  // namespace ib
