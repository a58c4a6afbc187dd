// The incident model and its lifecycle. Every transition takes the time it happens
// (`now`) as a parameter, validates it against the current state and either changes the
// incident and returns the timeline entry describing the change, or returns an error a
// user can read. Nothing here does I/O.
#pragma once

#include "result.hpp"
#include "time.hpp"
#include "timeline.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ib {

// Severity levels from J. Hand, Post-Incident Reviews (2017), lowest number = worst.
enum class severity : int {
    sev1 = 1,  // complete outage
    sev2 = 2,  // major functionality broken, revenue affected
    sev3 = 3,  // minor problem
    sev4 = 4,  // redundant component failure
    sev5 = 5,  // false alarm or unactionable
};
std::string_view to_string(severity s);                    // "sev1"
std::string_view describe(severity s);                     // "complete outage"
// Accepts "sev1".."sev5", "SEV2", "s3" and "1".."5"; nullopt otherwise.
std::optional<severity> parse_severity(std::string_view s);

// Forward-moving states; `resolved` is terminal until the incident is reopened.
enum class status {
    investigating,  // declared, cause unknown
    identified,     // cause known, working on a fix
    monitoring,     // fix or mitigation applied, watching
    resolved,       // recovered
};
std::string_view to_string(status s);                      // "investigating"
std::optional<status> parse_status(std::string_view s);    // case-insensitive

struct incident {
    std::int64_t id = 0;                     // assigned by storage
    std::string title;
    severity sev = severity::sev3;
    status state = status::investigating;
    std::string channel_id;                  // Slack channel of the incident, "C…"
    std::string channel_name;                // "inc-20261121-login-page-down"
    std::string declared_by;                 // Slack user id
    time_point declared_at{};
    std::optional<time_point> detected_at;   // may be earlier than declared_at
    std::optional<time_point> acknowledged_at;
    std::string acknowledged_by;
    std::optional<time_point> identified_at; // first time status reached `identified`
    std::optional<time_point> mitigated_at;  // first time status reached `monitoring`
    std::optional<time_point> resolved_at;   // latest resolution (cleared by reopen)
    std::string commander;                   // incident commander, user id or empty
    std::string comms_lead;                  // communications lead, user id or empty
    int reopen_count = 0;
    bool is_private = false;                 // declared with --private: a private channel, listed
                                             // only for its members, marked in exports and stats

    bool is_open() const { return state != status::resolved; }
    bool operator==(const incident&) const = default;
    // Start of the incident for metrics: detected_at when known, else declared_at.
    time_point start() const { return detected_at.value_or(declared_at); }
};

// The longest note, action item, status-page text or status/resolve/reopen note, in code points
// as typed (the Slack text's entities decoded, like a title's): the record stays readable and
// every announcement quoting it stays within Slack's limits.
inline constexpr std::size_t max_text_chars = 3000;
// How long before its declaration an incident may have been detected.
inline constexpr std::chrono::hours max_detection_lead{24 * 7};

// Opens a new incident in `investigating`. Errors: empty title.
// The returned entry is the `declare` timeline entry.
struct declared {
    incident inc;
    timeline_entry entry;
};
result<declared> declare_incident(std::string_view title, severity sev, std::string_view by,
                                  std::string_view channel_id, std::string_view channel_name,
                                  time_point now);

// Each transition below changes `inc` only when it succeeds, and returns the entry to put
// on the timeline (kind, text, attributes; incident_id, user and time filled in).
// Common errors: time_out_of_order when `now` is before the incident's start.
result<timeline_entry> acknowledge(incident& inc, std::string_view by, time_point now);
result<timeline_entry> change_severity(incident& inc, severity to, std::string_view by, time_point now);
// Any open state may move to any other state (a failed fix goes back to investigating);
// a resolved incident only through reopen(). `note` is optional free text.
result<timeline_entry> change_status(incident& inc, status to, std::string_view by,
                                     std::string_view note, time_point now);
result<timeline_entry> resolve(incident& inc, std::string_view by, std::string_view note, time_point now);
result<timeline_entry> reopen(incident& inc, std::string_view by, std::string_view note, time_point now);
// `detected` must not be in the future (after `now`), nor later than declared_at, nor more than
// max_detection_lead (7 days) before it.
result<timeline_entry> set_detected(incident& inc, time_point detected, std::string_view by, time_point now);

enum class role { commander, comms_lead };
std::string_view to_string(role r);                        // "commander", "comms lead"
result<timeline_entry> assign_role(incident& inc, role r, std::string_view user, std::string_view by,
                                   time_point now);

// Entries that do not change the incident's fields but belong on its timeline. Texts (and the
// notes above) longer than max_text_chars are refused with errc::invalid_argument.
result<timeline_entry> add_note(const incident& inc, std::string_view text, std::string_view by, time_point now);
result<timeline_entry> add_action_item(const incident& inc, std::string_view text, std::string_view owner,
                                       std::string_view by, time_point now);
result<timeline_entry> record_statuspage_update(const incident& inc, std::string_view text,
                                                std::string_view by, time_point now);

}  // namespace ib
