// Exports of a recorded incident: JSON (for tools), Markdown (the post-incident review draft)
// and CSV (for spreadsheets). Pure functions of the stored data: no I/O, no clock, so the same
// record always exports to the same bytes.
#pragma once

#include "incident.hpp"
#include "timeline.hpp"
#include "text.hpp"

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ib {

// An incident together with its whole timeline, in timeline (storage) order, and the display
// names of the users it mentions (exports read outside Slack show names, not ids). Texts are
// Slack text (core/text.hpp's model).
struct incident_record {
    incident inc;
    std::vector<timeline_entry> timeline;
    user_names names;  // may lack anyone: they are then shown by id
};

struct export_options {
    // JSON: keep what deleted messages said. By default a message deleted in Slack, its edits
    // and its deletion entry carry text and slack_text "" and no attrs.previous_text (people
    // delete what should not have been posted, such as a pasted secret); the entries stay.
    bool include_deleted = false;
};

// JSON export, schema_version 2; pretty-printed with a 2-space indent and a final '\n'.
// Top-level keys: schema_version, incident, timeline, participants, action_items,
// status_updates, key_moments, coordination (core/coordination.hpp), users. Every `text` is what
// the person typed (Slack's entities decoded, Slack's markup such as `<@U1>` kept) and `slack_text` (`slack_title` for the title)
// is Slack's own form, as stored; attrs are as stored. Next to each user id, `user_name` (and
// `owner_name`, `by_name`) is the display name, or the id when it is not known; `users` maps
// every known id to its name. Times are ISO-8601 UTC strings or null; metric seconds are
// integers or null when n/a; empty user ids are null; incident.private says whether it was
// declared in a private channel. Invalid UTF-8 in recorded text is replaced by U+FFFD rather
// than failing the export.
std::string export_json(const incident_record& r, export_options opts = {});
// The same document handed to `write` in pieces (about 64 KiB each, in order), so a large
// timeline can go out while it is being formatted instead of being held as one string.
void export_json(const incident_record& r, const std::function<void(std::string_view)>& write,
                 export_options opts = {});

// Markdown review draft following J. Hand's Post-Incident Reviews: header, Summary (fields to
// fill in), Key metrics with definitions, Lifecycle, Participants, Timeline, Status-page
// updates, Action items, Key moments, Coordination, Open questions. Recorded text goes through
// markdown_from_slack (no HTML, no link but http(s), nothing that breaks a table or a line);
// people are "@name", or their id when the name is not known. Never quotes a deleted message;
// a private incident says so under its title.
std::string export_markdown(const incident_record& r);

// RFC 4180 CSV (CRLF line ends, header `at,slack_ts,user,kind,tags,text,ref_ts,user_name`,
// tags joined by ';'), one row per timeline entry in timeline order. `text` reads as typed
// (slack_to_readable: entities decoded, mentions as "@name"); `user_name` is "@name", or the id
// when the name is not known. Every field goes through csv_field (core/text.hpp): controls
// dropped, and a leading apostrophe on what a spreadsheet would run as a formula. A deleted
// message and its edits read "(deleted)".
std::string export_csv(const incident_record& r);

// What an entry says, as Slack text, as the Markdown draft shows it: a message's text, an edit
// as "(edited TS) text", a pin with the pinned message's text, joins, reactions and lifecycle
// changes described. "" for text withheld because its message was deleted (history.withheld),
// except the deletion entry itself, which says what was deleted.
std::string entry_display_text(const timeline_entry& e, const message_history& history);

// The questions J. Hand's guide asks a review to answer, in the order to ask them. Shared by
// the Markdown draft and the review-meeting prompt.
std::span<const std::string_view> review_questions();

}  // namespace ib
