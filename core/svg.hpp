// The incident's timeline as a chart: the "plot tasks and impacts" figure of J. Hand's
// Post-Incident Reviews (2017), as a standalone SVG 1.1 image for the review meeting.
// Pure: no I/O, no clock, so the same record always draws to the same bytes.
#pragma once

#include "export.hpp"

#include <string>

namespace ib {

// Draws the record as one SVG 1.1 document (XML declaration, xmlns, width/height/viewBox, no
// scripts, no external references), 1200 px wide:
//   - a title: "Incident #ID: title" and "sevN (description) · status · … · times UTC";
//   - lifecycle markers: vertical lines labelled "acknowledged 14:40" (with the date when not
//     on the day of the earliest time drawn) (ids marker-detected, marker-declared,
//     marker-acknowledged, marker-identified, marker-mitigated, marker-resolved,
//     marker-reopened-N for the first 20 `reopen` entries); a time the incident does not have
//     gets no marker (an open incident has no resolved line);
//   - TTA and TTR as bars from the start (detected, else declared) labelled "TTA 4m 10s"
//     (ids bar-tta, bar-ttr), each only when compute_metrics() has it (no TTR bar while open);
//   - one lane of marks per kind of activity, top to bottom: `message` entries tagged
//     hypothesis, command, action, status (a message with several tags is in each of those
//     lanes), join (`join` entries and messages tagged join), chat (messages with none of those
//     tags), status page (`statuspage` entries), key moment (📌, `key_moment` entries). Lane
//     groups have ids lane-hypothesis … lane-chat, lane-statuspage, lane-key-moment and hold
//     only marks; each mark has a hover <title> with its time, user ("@name", else the id) and
//     text as it reads (slack_to_readable: entities decoded, mentions by name; latest edit,
//     never the text of a deleted message; at most 160 characters and 400 bytes). Marks of
//     one lane within 4 px of each other are drawn as one taller bar whose title starts
//     "N entries", so there are at most ~2,000 marks and the image stays under ~1 MB
//     whatever the number of entries;
//   - a UTC time axis with 1 s … multi-day tick spacing, and a legend.
// All text is XML-escaped, invalid UTF-8 becomes U+FFFD and characters XML 1.0 forbids
// (C0/C1 controls, U+FFFE, U+FFFF) are dropped. A record whose times are all equal gets a
// one-minute axis around that instant.
std::string export_svg(const incident_record& r);

// The same chart for a web page (`incident-bot serve`): without the XML declaration, so it can
// stand inline in HTML, and each mark wrapped in `<a href="#SEQ">` (its first entry's seq), so
// clicking it goes to that entry on the page. export_svg(r) is export_svg(r, {}).
struct svg_options {
    bool inline_html = false;
};
std::string export_svg(const incident_record& r, svg_options opts);
// The same with the record's message index already built (message_history(r.timeline)), for a
// caller that renders several views of one long record.
std::string export_svg(const incident_record& r, svg_options opts, const message_history& history);

}  // namespace ib
