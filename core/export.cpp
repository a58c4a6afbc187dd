#include "export.hpp"

#include "coordination.hpp"
#include "metrics.hpp"
#include "json_text.hpp"
#include "participants.hpp"
#include "text.hpp"

#include <array>
#include <functional>
#include <nlohmann/json.hpp>

namespace ib {
namespace {

// Insertion-ordered keys: the export is read by people too, and "id, title, severity…" reads
// better than alphabetical order.
using ojson = nlohmann::ordered_json;

constexpr std::array<std::string_view, 7> questions{{
    "When did we first know?",
    "Who was alerted first, and when was the alert acknowledged?",
    "Who joined the response, and when?",
    "Which tasks helped, which hurt, and which made no difference?",
    "What was said and shared, and where?",
    "What surprised us?",
    "What would help us know sooner and recover sooner?",
}};

// ---- JSON ---------------------------------------------------------------------------------

ojson time_or_null(const std::optional<time_point>& t) { return t ? ojson(to_iso8601(*t)) : ojson(nullptr); }
ojson string_or_null(const std::string& s) { return s.empty() ? ojson(nullptr) : ojson(s); }

// Metrics are null when unknown; a negative value would be a made-up number, so it is null too
// (compute_metrics already promises this; the export does not rely on it).
ojson seconds_or_null(const std::optional<seconds>& d) {
    return d && d->count() >= 0 ? ojson(d->count()) : ojson(nullptr);
}

// A user's name for JSON: the display name when known, else the id; null for no user.
std::string name_or_id(const std::string& user, const user_names& names) {
    const auto it = names.find(user);
    return it != names.end() && !it->second.empty() ? it->second : user;
}
ojson user_name_or_null(const std::string& user, const user_names& names) {
    return user.empty() ? ojson(nullptr) : ojson(name_or_id(user, names));
}

ojson incident_json(const incident& inc) {
    const auto m = compute_metrics(inc);
    ojson j;
    j["id"] = inc.id;
    j["title"] = decode_slack_entities(inc.title);
    j["slack_title"] = inc.title;
    j["severity"] = std::string(to_string(inc.sev));
    j["severity_description"] = std::string(describe(inc.sev));
    j["status"] = std::string(to_string(inc.state));
    j["channel_id"] = inc.channel_id;  // strings always; only user ids become null when empty
    j["channel_name"] = inc.channel_name;
    j["declared_by"] = string_or_null(inc.declared_by);
    j["declared_at"] = to_iso8601(inc.declared_at);
    j["detected_at"] = time_or_null(inc.detected_at);
    j["acknowledged_at"] = time_or_null(inc.acknowledged_at);
    j["acknowledged_by"] = string_or_null(inc.acknowledged_by);
    j["identified_at"] = time_or_null(inc.identified_at);
    j["mitigated_at"] = time_or_null(inc.mitigated_at);
    j["resolved_at"] = time_or_null(inc.resolved_at);
    j["commander"] = string_or_null(inc.commander);
    j["comms_lead"] = string_or_null(inc.comms_lead);
    j["reopen_count"] = inc.reopen_count;
    j["private"] = inc.is_private;
    j["tta_seconds"] = seconds_or_null(m.tta);
    j["ttr_seconds"] = seconds_or_null(m.ttr);
    j["phases"] = ojson{{"detection_seconds", seconds_or_null(m.detection)},
                        {"response_seconds", seconds_or_null(m.response)},
                        {"remediation_seconds", seconds_or_null(m.remediation)}};
    return j;
}

// ---- Markdown -----------------------------------------------------------------------------

// "2026-11-21 14:43:23": ISO-8601 without the T and Z, easier to read in a table.
std::string readable(time_point t) {
    auto s = to_iso8601(t);
    if (s.size() == 20) {
        s[10] = ' ';
        s.pop_back();
    }
    return s;
}
std::string readable(const std::optional<time_point>& t) { return t ? readable(*t) : "n/a"; }

using mdc = markdown_context;

// A person in the draft: "@name" (the id when the name is not known), or "—".
std::string who(const std::string& user, const user_names& names, mdc where = mdc::running_text) {
    return user.empty() ? "—" : markdown_text(user_label(user, names), where);
}

// What an entry says; entries with no text of their own (joins, reactions…) are described. The
// draft quotes a pinned message's text, and leaves out the text of deleted ones (people delete
// what should not have been posted, such as a pasted secret), as the CSV and (by default) the
// JSON exports do. The text is Slack text (the bot's descriptions are Slack text without
// markup); a withheld message's is "" (entry_markdown() says why).
std::string display_text(const timeline_entry& e, const message_history& history) {
    if (history.withheld(e) && e.kind != entry_kind::deletion) return {};
    switch (e.kind) {
    case entry_kind::message:
    case entry_kind::edit:
        return e.kind == entry_kind::edit ? "(edited " + e.ref_ts + ") " + e.text : e.text;
    case entry_kind::key_moment: {
        const auto* marked = history.message(e.ref_ts);
        if (marked && !history.deleted(e.ref_ts)) return "📌 " + marked->text;
        const bool just_emoji = e.text.empty() || e.text == ":" + e.attr("reaction") + ":";  // as recorded
        return "📌 " + (just_emoji ? "key moment: message " + e.ref_ts : e.text);
    }
    case entry_kind::join: return e.text.empty() ? "joined the channel" : e.text;
    case entry_kind::leave: return e.text.empty() ? "left the channel" : e.text;
    case entry_kind::reaction: return ":" + e.attr("reaction", "?") + ": on message " + e.ref_ts;
    case entry_kind::unreaction: return "removed :" + e.attr("reaction", "?") + ": from message " + e.ref_ts;
    case entry_kind::deletion: return "(deleted message " + e.ref_ts + ")";
    case entry_kind::redaction:
        return "(redacted message " + e.ref_ts + " by " + escape_mrkdwn(e.attr("by", "?")) + ": " + e.attr("reason") + ")";
    case entry_kind::severity:
    case entry_kind::status:
        if (e.text.empty())
            return std::string(to_string(e.kind)) + ": " + e.attr("from", "?") + " → " + e.attr("to", "?");
        return e.text;
    default: return e.text;
    }
}

// Tag names joined by `sep`, each once (several rules may give the same tag).
std::string tag_list(const timeline_entry& e, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < e.tags.size(); ++i) {
        bool repeated = false;
        for (std::size_t k = 0; k < i; ++k) repeated = repeated || e.tags[k].tag == e.tags[i].tag;
        if (repeated) continue;
        if (!out.empty()) out += sep;
        out += to_string(e.tags[i].tag);
    }
    return out;
}

// The entry that made a lifecycle change, to say who did it. Null when not on the timeline.
const timeline_entry* find_entry(const std::vector<timeline_entry>& tl, entry_kind kind,
                                 std::string_view to_status = {}, bool last = false) {
    const timeline_entry* found = nullptr;
    for (const auto& e : tl) {
        if (e.kind != kind || (!to_status.empty() && e.attr("to") != to_status)) continue;
        found = &e;
        if (!last) break;
    }
    return found;
}

std::string by_of(const timeline_entry* e, const user_names& names) {
    return e ? who(e->user, names, mdc::table_cell) : "—";
}

// What an entry says, as Markdown for `where`.
std::string entry_markdown(const timeline_entry& e, const message_history& history, const user_names& names,
                           mdc where) {
    if (history.withheld(e) && e.kind != entry_kind::deletion) return "_(deleted later; text left out of this draft)_";
    return markdown_from_slack(display_text(e, history), names, where);
}

void markdown_header(std::string& md, const incident_record& r) {
    const auto& inc = r.inc;
    md += "# Incident #" + std::to_string(inc.id) + ": " + markdown_from_slack(inc.title, r.names) + "\n\n";
    md += "**Severity:** " + std::string(to_string(inc.sev)) + " (" + std::string(describe(inc.sev)) + ")";
    md += " · **Status:** " + std::string(to_string(inc.state));
    if (!inc.channel_name.empty()) md += " · **Channel:** \\#" + markdown_text(inc.channel_name);
    md += "\n\n";
    if (inc.is_private)
        md += "**Private incident:** declared in a private channel; share this draft only with its members.\n\n";
    md += "**Declared by:** " + who(inc.declared_by, r.names) + " · **Commander:** " + who(inc.commander, r.names) +
          " · **Comms lead:** " + who(inc.comms_lead, r.names) + "\n\n";
    md +=
        "> Review draft generated from the recorded timeline, following J. Hand's *Post-Incident "
        "Reviews* (2017). Replace each _to fill in_ with what the review finds; the facts below "
        "come from the incident channel.\n\n";
}

void markdown_summary(std::string& md, const incident_record& r) {
    md += "## Summary\n\n";
    md += "- **What happened:** _to fill in_\n";
    md += "- **Services affected:** _to fill in_\n";
    md += "- **Customer impact:** _to fill in_\n";
    md += "- **How we found out:** _to fill in_\n";
    md += "- **How it was resolved:** ";
    const auto* res = find_entry(r.timeline, entry_kind::resolve, {}, true);
    md += res && !res->text.empty() ? markdown_from_slack(res->text, r.names) + " _(from the resolve note; expand)_"
                                    : "_to fill in_";
    md += "\n\n";
}

void markdown_metrics(std::string& md, const incident& inc) {
    const auto m = compute_metrics(inc);
    md += "## Key metrics\n\n";
    md += "| Metric | Value | Definition |\n|---|---|---|\n";
    md += "| TTA (time to acknowledge) | " + format_metric(m.tta) +
          " | TTA = acknowledged − start (detected, else declared) |\n";
    md +=
        "| TTR (time to recover) | " + format_metric(m.ttr) + " | TTR = resolved − start (detected, else declared) |\n";
    md += "| Detection | " + format_metric(m.detection) + " | detection = declared − detected |\n";
    md += "| Response | " + format_metric(m.response) + " | response = identified − declared |\n";
    md += "| Remediation | " + format_metric(m.remediation) + " | remediation = resolved − identified |\n\n";
    md += "A metric is n/a when a time it needs was not recorded.\n\n";
}

void markdown_lifecycle(std::string& md, const incident_record& r) {
    const auto& inc = r.inc;
    const auto& tl = r.timeline;
    md += "## Lifecycle\n\n| Event | Time (UTC) | By |\n|---|---|---|\n";
    md += "| Detected | " + readable(inc.detected_at) + " | " + by_of(find_entry(tl, entry_kind::detected), r.names) + " |\n";
    md += "| Declared | " + readable(inc.declared_at) + " | " + who(inc.declared_by, r.names, mdc::table_cell) + " |\n";
    md += "| Acknowledged | " + readable(inc.acknowledged_at) + " | " + who(inc.acknowledged_by, r.names, mdc::table_cell) + " |\n";
    md += "| Identified | " + readable(inc.identified_at) + " | " +
          by_of(find_entry(tl, entry_kind::status, to_string(status::identified)), r.names) + " |\n";
    md += "| Mitigated | " + readable(inc.mitigated_at) + " | " +
          by_of(find_entry(tl, entry_kind::status, to_string(status::monitoring)), r.names) + " |\n";
    md += "| Resolved | " + readable(inc.resolved_at) + " | " +
          (inc.resolved_at ? by_of(find_entry(tl, entry_kind::resolve, {}, true), r.names) : "—") + " |\n\n";
    if (inc.reopen_count > 0)
        md += "Reopened " + std::to_string(inc.reopen_count) + (inc.reopen_count == 1 ? " time" : " times") +
              " after being resolved.\n\n";
}

void markdown_participants(std::string& md, const incident_record& r) {
    const auto people = participants(r.timeline);
    md += "## Participants\n\n";
    if (people.empty()) {
        md += "_Nobody recorded._\n\n";
        return;
    }
    md += "| User | Joined (UTC) | First spoke (UTC) | Messages |\n|---|---|---|---|\n";
    for (const auto& p : people)
        md += "| " + who(p.user, r.names, mdc::table_cell) + " | " + (p.joined_at ? readable(*p.joined_at) : "—") + " | " +
              (p.first_message_at ? readable(*p.first_message_at) : "—") + " | " + std::to_string(p.messages) + " |\n";
    md += "\n";
}

void markdown_timeline(std::string& md, const incident_record& r, const message_history& history) {
    md += "## Timeline\n\n";
    if (r.timeline.empty()) {
        md += "_No entries recorded._\n\n";
        return;
    }
    // Where the record was filled in afterwards: what was said while the bot was not connected
    // came from Slack's history.
    for (const auto& e : r.timeline)
        if (e.kind == entry_kind::gap) md += "> **Recording gap:** " + markdown_from_slack(e.text, r.names) + ".\n\n";
    md += "| Time (UTC) | Who | Kind | Tags | Text |\n|---|---|---|---|---|\n";
    for (const auto& e : r.timeline)
        md += "| " + readable(e.at) + " | " + who(e.user, r.names, mdc::table_cell) + " | " +
              std::string(to_string(e.kind)) + " | " + tag_list(e, ", ") + " | " +
              entry_markdown(e, history, r.names, mdc::table_cell) + " |\n";
    md += "\n";
}

void markdown_lists(std::string& md, const incident_record& r, const message_history& history) {
    md += "## Status-page updates\n\n";
    std::size_t n = 0;
    for (const auto& e : r.timeline)
        if (e.kind == entry_kind::statuspage) {
            md += "- " + readable(e.at) + " UTC, " + who(e.user, r.names) + ": " + markdown_from_slack(e.text, r.names) +
                  "\n";
            ++n;
        }
    md += n == 0 ? "_None recorded._\n\n" : "\n";

    md += "## Action items\n\n";
    n = 0;
    for (const auto& e : r.timeline)
        if (e.kind == entry_kind::action_item) {
            const auto owner = e.attr("owner");
            md += "- [ ] " + markdown_from_slack(e.text, r.names) +
                  " (owner: " + (owner.empty() ? "_unassigned_" : who(owner, r.names)) + ")\n";
            ++n;
        }
    md += n == 0 ? "_None recorded yet._\n\n" : "\n";

    md += "## Key moments\n\n";
    n = 0;
    for (const auto& e : r.timeline)
        if (e.kind == entry_kind::key_moment) {
            md += "- " + readable(e.at) + " UTC, " + who(e.user, r.names) + ": " +
                  entry_markdown(e, history, r.names, mdc::running_text) + "\n";
            ++n;
        }
    md += n == 0 ? "_None marked (react with 📌 to mark one)._\n\n" : "\n";

}

// "Coordination": the whole section (core/coordination.hpp), about the system of work.
void markdown_coordination(std::string& md, const incident_record& r) {
    const auto c = coordinate(r, record_end(r));
    const auto& names = r.names;
    const auto said = [&](const std::string& slack_text) {
        return slack_text.empty() ? std::string("_(deleted or not recorded)_") : markdown_from_slack(slack_text, names);
    };
    const auto list_or_none = [](const std::vector<std::string>& items) {
        std::string out;
        for (const auto& i : items) out += (out.empty() ? "" : "; ") + i;
        return out.empty() ? std::string("none") : out;
    };
    md += "## Coordination\n\n_How the response was coordinated, read from the timeline: about the system of work, "
          "not a score for anyone._\n\n";

    md += "### Hypotheses\n\n";
    md += std::to_string(c.hypotheses.size()) + " raised, " + std::to_string(c.confirmed) + " confirmed, " +
          std::to_string(c.ruled_out) + " ruled out (react ✅ or ❌ on one to set its fate). First hypothesis to " +
          "`identified`: " + (c.first_hypothesis_to_identified ? format_duration(*c.first_hypothesis_to_identified)
                                                                 : std::string("n/a")) + ".\n\n";
    for (const auto& h : c.hypotheses) {
        md += "- **" + std::string(to_string(h.fate)) + "**: " + said(h.text) + " (raised by " + who(h.raised_by, names) +
              ", " + readable(h.raised_at) + " UTC)";
        std::vector<std::string> changes;
        for (const auto& ch : h.changes)
            changes.push_back(std::string(to_string(ch.to)) + " by " + who(ch.by, names) + " " + readable(ch.at));
        if (!changes.empty()) md += "; " + list_or_none(changes);
        md += "\n";
    }
    if (!c.hypotheses.empty()) md += "\n";

    md += "### People pulled in\n\n";
    for (const auto& j : c.joins) md += "- " + readable(j.at) + " UTC, " + who(j.user, names) + "\n";
    md += c.joins.empty() ? "_Nobody joined after the declaration._\n\n" : "\n";

    md += "### Commander handoffs\n\n";
    for (const auto& h : c.handoffs) {
        md += "- " + readable(h.at) + " UTC, " + who(h.from, names) + " → " + who(h.to, names) + ": " + h.status + ", " +
              h.severity + "; last status-page update " +
              (h.last_update_at ? readable(*h.last_update_at) + " UTC (" + said(h.last_update_text) + ")"
                                : std::string("none")) + "\n";
        std::vector<std::string> open, actions;
        for (const auto& t : h.open_hypotheses) open.push_back(said(t));
        for (const auto& t : h.last_actions) actions.push_back(said(t));
        md += "  - open hypotheses: " + list_or_none(open) + "\n  - last actions: " + list_or_none(actions) + "\n";
    }
    md += c.handoffs.empty() ? "_No handoff._\n\n" : "\n";

    md += "### Demand on the commander\n\n" + std::to_string(c.commander_questions) +
          " questions to the commander (messages mentioning them with a '?')";
    if (c.commander_demand.empty()) md += ".\n\n";
    else {
        md += ", per 10 minutes:\n\n";
        for (const auto& s : c.commander_demand)
            md += "- from " + readable(s.from) + " UTC: " + std::to_string(s.questions) + "\n";
        md += "\n";
    }

    md += "### Threads\n\n";
    for (const auto& t : c.threads) {
        std::vector<std::string> people;
        for (const auto& u : t.people) people.push_back(who(u, names));
        md += "- thread " + markdown_text(t.ts, mdc::running_text) + ": " + std::to_string(t.replies) +
              (t.replies == 1 ? " reply" : " replies") + " by " + list_or_none(people) + ", last " +
              readable(t.last_reply) + " UTC; " + (t.reported_back ? "reported back" : "**not reported back**") + "\n";
    }
    md += c.threads.empty() ? "_No threads._\n\n" : "\n";

    md += "### Quiet stretches (over 10 minutes without messages)\n\n";
    for (const auto& q : c.quiet)
        md += "- " + readable(q.from) + " → " + readable(q.to) + " UTC (" +
              format_duration(std::chrono::floor<seconds>(q.to - q.from)) + ")\n";
    md += c.quiet.empty() ? "_None._\n\n" : "\n";

    md += "### From knowing to acting\n\n";
    for (const auto& a : c.acted)
        md += "- " + a.what + ": " + said(a.text) + " — first said by " + who(a.user, names) + " " + readable(a.at) +
              " UTC; acted on " + (a.acted_after ? "after " + format_duration(*a.acted_after) : std::string("not yet")) +
              "\n";
    md += c.acted.empty() ? "_No key moment or confirmed hypothesis._\n\n" : "\n";
}

void markdown_questions(std::string& md) {
    md += "## Open questions\n\n";
    for (const auto q : questions) md += "- " + std::string(q) + " _to fill in_\n";
}

// ---- JSON, written as it is printed -------------------------------------------------------

// Appends `v` dumped with a 2-space indent as if it sat `depth` levels deep in a larger
// document (what dump(2) of the whole document would print there).
void append_nested(std::string& out, const ojson& v, int depth) {
    const std::string s = v.dump(2, ' ', false, ojson::error_handler_t::replace);
    const std::string pad(static_cast<std::size_t>(2 * depth), ' ');
    std::size_t from = 0;
    for (std::size_t nl = s.find('\n'); nl != std::string::npos; nl = s.find('\n', from)) {
        out.append(s, from, nl + 1 - from);
        out += pad;
        from = nl + 1;
    }
    out.append(s, from, std::string::npos);
}

// One array member of the top-level object, its elements dumped one at a time; `after_element`
// runs after each (the streaming export flushes there).
template <class F, class G>
void append_array(std::string& out, std::string_view key, std::size_t n, F&& element, bool last, G&& after_element) {
    out += "  \"";
    out += key;
    out += "\": [";
    for (std::size_t i = 0; i < n; ++i) {
        out += i ? ",\n    " : "\n    ";
        append_nested(out, element(i), 2);
        after_element();
    }
    out += n ? "\n  ]" : "]";
    out += last ? "\n" : ",\n";
}

void append_string_or_null(std::string& out, const std::string& v) {
    if (v.empty()) out += "null";
    else append_json_string(out, v);
}

// An array or object member of a timeline entry as dump(2) prints it there: "[]" or "{}" when
// empty, else one item per line, each written by `item(i)`.
template <class F>
void append_block(std::string& out, char open, char close, std::size_t n, F&& item) {
    out += open;
    if (n == 0) {
        out += close;
        return;
    }
    for (std::size_t i = 0; i < n; ++i) {
        out += i ? ",\n        " : "\n        ";
        item(i);
    }
    out += "\n      ";
    out += close;
}

// entry_json(e) dumped with a 2-space indent at depth 2, without building it. A `withheld`
// entry (a deleted message's, see export_options) goes out with text and slack_text "" and
// without attrs.previous_text.
void append_entry(std::string& out, const timeline_entry& e, bool withheld, const user_names& names) {
    out += "{\n      \"seq\": ";
    out += std::to_string(e.seq);
    out += ",\n      \"at\": ";
    append_json_string(out, to_iso8601(e.at));
    out += ",\n      \"slack_ts\": ";
    append_string_or_null(out, e.slack_ts);
    out += ",\n      \"user\": ";
    append_string_or_null(out, e.user);
    out += ",\n      \"user_name\": ";
    if (e.user.empty()) out += "null";
    else append_json_string(out, name_or_id(e.user, names));
    out += ",\n      \"kind\": ";
    append_json_string(out, to_string(e.kind));
    // One rule per tag: the first that fired.
    std::vector<std::pair<std::string_view, const std::string*>> tags;
    for (const auto& hit : e.tags) {
        const std::string_view name = to_string(hit.tag);
        bool seen = false;
        for (const auto& t : tags) seen = seen || t.first == name;
        if (!seen) tags.emplace_back(name, &hit.rule);
    }
    out += ",\n      \"tags\": ";
    append_block(out, '[', ']', tags.size(), [&](std::size_t i) { append_json_string(out, tags[i].first); });
    out += ",\n      \"tag_rules\": ";
    append_block(out, '{', '}', tags.size(), [&](std::size_t i) {
        append_json_string(out, tags[i].first);
        out += ": ";
        append_json_string(out, *tags[i].second);
    });
    out += ",\n      \"text\": ";
    const std::string_view text = withheld ? std::string_view{} : std::string_view(e.text);
    append_json_string(out, decode_slack_entities(text));
    out += ",\n      \"slack_text\": ";
    append_json_string(out, text);
    out += ",\n      \"ref_ts\": ";
    append_string_or_null(out, e.ref_ts);
    out += ",\n      \"attrs\": ";
    const bool drop_previous = withheld && e.attrs.count("previous_text") != 0;
    auto attr = e.attrs.begin();
    append_block(out, '{', '}', e.attrs.size() - (drop_previous ? 1 : 0), [&](std::size_t) {
        if (drop_previous && attr->first == "previous_text") ++attr;
        append_json_string(out, attr->first);
        out += ": ";
        append_json_string(out, attr->second);
        ++attr;
    });
    out += "\n    }";
}

}  // namespace

std::string entry_display_text(const timeline_entry& e, const message_history& history) {
    return display_text(e, history);
}

std::span<const std::string_view> review_questions() { return questions; }

void export_json(const incident_record& r, const std::function<void(std::string_view)>& write, export_options opts) {
    // The same document as dumping one ordered_json of it, built and printed entry by entry:
    // a 100,000-entry timeline never exists as one JSON tree, nor (with a sink that writes) as
    // one string; `write` gets it in pieces of about 64 KiB.
    constexpr std::size_t piece = std::size_t{1} << 16;
    std::vector<const timeline_entry*> action_items, status_updates, key_moments;
    for (const auto& e : r.timeline) {
        if (e.kind == entry_kind::action_item) action_items.push_back(&e);
        else if (e.kind == entry_kind::statuspage) status_updates.push_back(&e);
        else if (e.kind == entry_kind::key_moment) key_moments.push_back(&e);
    }
    const auto people = participants(r.timeline);
    const message_history history(r.timeline);
    std::string out;
    out.reserve(piece + 8192);
    auto flush = [&] {
        write(out);
        out.clear();
    };
    auto flush_when_full = [&] {
        if (out.size() >= piece) flush();
    };
    out += "{\n  \"schema_version\": 2,\n  \"incident\": ";
    append_nested(out, incident_json(r.inc), 1);
    out += ",\n";
    out += "  \"timeline\": [";
    for (std::size_t i = 0; i < r.timeline.size(); ++i) {
        out += i ? ",\n    " : "\n    ";
        append_entry(out, r.timeline[i], !opts.include_deleted && history.withheld(r.timeline[i]), r.names);
        flush_when_full();
    }
    out += r.timeline.empty() ? "],\n" : "\n  ],\n";
    append_array(out, "participants", people.size(), [&](std::size_t i) {
        const auto& p = people[i];
        return ojson{{"user", p.user},
                     {"user_name", user_name_or_null(p.user, r.names)},
                     {"joined_at", time_or_null(p.joined_at)},
                     {"first_message_at", time_or_null(p.first_message_at)},
                     {"messages", p.messages}};
    }, false, flush_when_full);
    append_array(out, "action_items", action_items.size(), [&](std::size_t i) {
        const auto& e = *action_items[i];
        const auto owner = e.attr("owner");
        return ojson{{"text", decode_slack_entities(e.text)}, {"slack_text", e.text},
                     {"owner", string_or_null(owner)}, {"owner_name", user_name_or_null(owner, r.names)},
                     {"at", to_iso8601(e.at)}, {"by", string_or_null(e.user)},
                     {"by_name", user_name_or_null(e.user, r.names)}};
    }, false, flush_when_full);
    append_array(out, "status_updates", status_updates.size(), [&](std::size_t i) {
        const auto& e = *status_updates[i];
        return ojson{{"at", to_iso8601(e.at)}, {"user", string_or_null(e.user)},
                     {"user_name", user_name_or_null(e.user, r.names)}, {"text", decode_slack_entities(e.text)},
                     {"slack_text", e.text}};
    }, false, flush_when_full);
    append_array(out, "key_moments", key_moments.size(), [&](std::size_t i) {
        const auto& e = *key_moments[i];
        return ojson{{"at", to_iso8601(e.at)}, {"user", string_or_null(e.user)},
                     {"user_name", user_name_or_null(e.user, r.names)}, {"text", decode_slack_entities(e.text)},
                     {"slack_text", e.text}, {"ref_ts", string_or_null(e.ref_ts)}};
    }, false, flush_when_full);
    out += "  \"coordination\": ";
    append_nested(out, coordination_json(coordinate(r, record_end(r)), r.names), 1);
    out += ",\n";
    // Every known name, for ids anywhere in the document (roles, owners, mentions in text).
    ojson users = ojson::object();
    for (const auto& [id, name] : r.names)
        if (!name.empty()) users[id] = name;
    out += "  \"users\": ";
    append_nested(out, users, 1);
    out += "\n";
    out += "}\n";
    flush();
}

std::string export_json(const incident_record& r, export_options opts) {
    std::string doc;
    doc.reserve(r.timeline.size() * 400 + 4096);
    export_json(r, [&](std::string_view piece) { doc += piece; }, opts);
    return doc;
}

std::string export_markdown(const incident_record& r) {
    std::string md;
    markdown_header(md, r);
    markdown_summary(md, r);
    markdown_metrics(md, r.inc);
    markdown_lifecycle(md, r);
    markdown_participants(md, r);
    const message_history history(r.timeline);
    markdown_timeline(md, r, history);
    markdown_lists(md, r, history);
    markdown_coordination(md, r);
    markdown_questions(md);
    return md;
}

std::string export_csv(const incident_record& r) {
    const message_history history(r.timeline);
    std::string out = "at,slack_ts,user,kind,tags,text,ref_ts,user_name\r\n";
    for (const auto& e : r.timeline) {
        // A deleted message's words stay out of the spreadsheet (the deletion row says why).
        const bool withheld = history.withheld(e) && e.kind != entry_kind::deletion;
        out += csv_field(to_iso8601(e.at)) + ',' + csv_field(e.slack_ts) + ',' + csv_field(e.user) + ',' +
               csv_field(to_string(e.kind)) + ',' + csv_field(tag_list(e, ";")) + ',' +
               csv_field(withheld ? std::string("(deleted)") : slack_to_readable(e.text, r.names)) + ',' +
               csv_field(e.ref_ts) + ',' + csv_field(user_label(e.user, r.names)) + "\r\n";
    }
    return out;
}

}  // namespace ib
