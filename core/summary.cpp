#include "summary.hpp"

#include "slack/layout.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace ib {
namespace {

using nlohmann::json;
using namespace std::chrono;
using slack::bounded_join;
using slack::field_limit;
using slack::fit_lines;
using slack::header_limit;
using slack::mrkdwn_section;
using slack::room;
using slack::section_limit;
using slack::text_object;

constexpr std::size_t example_chars = 150;  // examples quoted in the summary data
constexpr std::size_t max_examples = 3;

// A person in the summary; "nobody" when no one was recorded.
std::string person(std::string_view user) { return mention(user, "nobody"); }

// "14:47" on the incident's first day, "2026-11-21 14:47" on later days (UTC).
std::string short_time(time_point t, time_point start) {
    const auto iso = to_iso8601(t);  // 2026-11-21T14:47:00Z
    const bool same_day = floor<days>(t) == floor<days>(start);
    return same_day ? iso.substr(11, 5) : iso.substr(0, 10) + " " + iso.substr(11, 5);
}

// ---- Summary: data --------------------------------------------------------------------------

void add_example(tagged_messages& t, std::string_view text, bool quotable) {
    ++t.count;
    if (quotable && t.examples.size() < max_examples) t.examples.push_back(quote_slack(text, unlimited, example_chars));
}

std::optional<update_gap> longest_gap(const std::vector<status_page_update>& updates, time_point start) {
    std::optional<update_gap> best;
    time_point prev = start;
    bool from_start = true;
    for (const auto& u : updates) {  // sorted by time
        // An update before the start (clock skew) is a zero gap, not a negative one.
        const auto length = u.at > prev ? floor<seconds>(u.at - prev) : seconds{0};
        if (!best || length > best->length) best = update_gap{length, prev, u.at, from_start};
        prev = std::max(prev, u.at);
        from_start = false;
    }
    return best;
}

// ---- Summary: rendering ---------------------------------------------------------------------

std::string title_line(const incident_summary& s) {
    const bool resolved = s.state == status::resolved;
    std::string head =
        "Incident #" + std::to_string(s.id) + (resolved ? " resolved" : " (" + std::string(to_string(s.state)) + ")");
    if (!s.title.empty()) head += ": ";
    return head;
}

std::string metrics_line(const incident_summary& s) {
    const auto& m = s.metrics;
    return "*TTA* " + format_metric(m.tta) + " · *TTR* " + format_metric(m.ttr) + " · *Phases:* detection " +
           format_metric(m.detection) + ", response " + format_metric(m.response) + ", remediation " +
           format_metric(m.remediation);
}

// The definitions of the metrics, with where this incident's start came from.
std::string definitions_line(const incident_summary& s) {
    return "_TTA = acknowledged − start; TTR = resolved − start; start = detected, else declared (here: " +
           std::string(s.start_is_detection ? "detected " : "declared ") + short_time(s.start, s.start) + ")_";
}

std::string history_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.status_history.empty()) return {};
    const std::string title = "*Status:* ";
    std::vector<std::string> steps;
    steps.push_back(
        mrkdwn_line(s.status_history.front().from.empty() ? "investigating" : s.status_history.front().from, 40));
    for (const auto& c : s.status_history) steps.push_back(mrkdwn_line(c.to, 40) + " " + short_time(c.at, s.start));
    std::string out = title + bounded_join(steps, " → ", room(max_bytes, title.size()));
    if (s.reopen_count > 0) {
        const auto note = " (reopened " + std::to_string(s.reopen_count) + "×)";
        if (out.size() + note.size() <= max_bytes) out += note;
    }
    return out;
}

// "joined 14:02, first spoke 14:03, 12 messages"; a time that was not recorded is left out.
std::string participant_facts(const participant& p, time_point start) {
    std::string out;
    if (p.joined_at) out += "joined " + short_time(*p.joined_at, start) + ", ";
    if (p.first_message_at) out += "first spoke " + short_time(*p.first_message_at, start) + ", ";
    return out + std::to_string(p.messages) + (p.messages == 1 ? " message" : " messages");
}

std::string participants_title(const incident_summary& s) {
    return "*Participants (" + std::to_string(s.participants.size()) + "):*";
}

std::string participants_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.participants.empty()) return participants_title(s) + " nobody recorded";
    const std::string title = participants_title(s) + "\n";
    std::vector<std::string> items;
    for (const auto& p : s.participants) items.push_back("• " + person(p.user) + " " + participant_facts(p, s.start));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

// "*Hypotheses (4):*\n• first\n• second\n…and 2 more"
std::string tagged_section(std::string_view label, const tagged_messages& t, std::size_t max_bytes) {
    if (t.count == 0) return {};
    const std::string title = "*" + std::string(label) + " (" + std::to_string(t.count) + "):*\n";
    std::vector<std::string> items;
    for (const auto& e : t.examples) items.push_back("• " + quote_slack(e, 320));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()), t.count);
}

// "*Hypotheses (3):*\n• :white_check_mark: confirmed: I think it's the cache (<@U2> 14:03)\n…"
std::string hypotheses_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.hypothesis_fates.empty()) return tagged_section("Hypotheses", s.hypotheses, max_bytes);
    const std::string title = "*Hypotheses (" + std::to_string(s.hypotheses.count) + "):*\n";
    std::vector<std::string> items;
    for (const auto& h : s.hypothesis_fates)
        items.push_back("• " + fate_mrkdwn(h.fate) + ": " + (h.text.empty() ? "(deleted)" : quote_slack(h.text, 320)) +
                        " (" + person(h.user) + " " + short_time(h.at, s.start) + ")");
    return title + bounded_join(items, "\n", room(max_bytes, title.size()), s.hypotheses.count);
}

// "*Coordination:* 2 pulled in · 1 commander handoff · 4 questions to the commander (peak 2 in
// 10 min) · 2 threads, 1 not reported back · 2 quiet stretches over 10 min (longest 24m 00s) ·
// first hypothesis → identified 8m 00s"
std::string coordination_section(const incident_summary& s, std::size_t max_bytes) {
    const auto& c = s.coord;
    const auto plural = [](std::size_t n, std::string_view one, std::string_view many) {
        return std::to_string(n) + " " + std::string(n == 1 ? one : many);
    };
    std::vector<std::string> parts;
    parts.push_back(plural(c.joins.size(), "pulled in", "pulled in"));
    parts.push_back(plural(c.handoffs.size(), "commander handoff", "commander handoffs"));
    std::size_t peak = 0;
    for (const auto& d : c.commander_demand) peak = std::max(peak, d.questions);
    parts.push_back(plural(c.commander_questions, "question", "questions") + " to the commander" +
                    (peak > 0 ? " (peak " + std::to_string(peak) + " in 10 min)" : ""));
    std::size_t lost = 0;
    for (const auto& t : c.threads) lost += t.reported_back ? 0 : 1;
    parts.push_back(plural(c.threads.size(), "thread", "threads") +
                    (lost > 0 ? ", " + std::to_string(lost) + " not reported back" : ""));
    seconds longest{0};
    for (const auto& q : c.quiet) longest = std::max(longest, floor<seconds>(q.to - q.from));
    parts.push_back(plural(c.quiet.size(), "quiet stretch", "quiet stretches") + " over 10 min" +
                    (c.quiet.empty() ? "" : " (longest " + format_duration(longest) + ")"));
    if (c.first_hypothesis_to_identified)
        parts.push_back("first hypothesis → identified " + format_duration(*c.first_hypothesis_to_identified));
    const std::string title = "*Coordination:* ";
    return title + bounded_join(parts, " · ", room(max_bytes, title.size()));
}

std::string status_page_section(const incident_summary& s, std::size_t max_bytes) {
    std::string head = "*Status page:* ";
    if (s.status_updates.empty()) return head + "no updates recorded";
    head += std::to_string(s.status_updates.size()) + (s.status_updates.size() == 1 ? " update" : " updates");
    if (s.longest_update_gap) {
        const auto& g = *s.longest_update_gap;
        head += ", longest without news " + format_duration(g.length) + " (" +
                (g.from_start ? "from the start " + short_time(g.from, s.start) : short_time(g.from, s.start)) + " → " +
                short_time(g.to, s.start) + ")";
    }
    head += "\n";
    std::vector<std::string> items;
    for (const auto& u : s.status_updates)
        items.push_back("• " + short_time(u.at, s.start) + " " + quote_slack(u.text, 200));
    return head + bounded_join(items, "\n", room(max_bytes, head.size()));
}

std::string action_items_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.action_items.empty()) return {};
    const std::string title = "*Action items (" + std::to_string(s.action_items.size()) + "):*\n";
    std::vector<std::string> items;
    for (const auto& a : s.action_items)
        items.push_back("• " + quote_slack(a.text, 200) + " (" +
                        (a.owner.empty() ? std::string("unassigned") : person(a.owner)) + ")");
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

std::string key_moments_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.key_moments.empty()) return {};
    const std::string title = "*Key moments (" + std::to_string(s.key_moments.size()) + "):*\n";
    std::vector<std::string> items;
    for (const auto& k : s.key_moments)
        items.push_back("• " + short_time(k.at, s.start) + " " +
                        (k.text.empty() ? "(message " + mrkdwn_line(k.ref_ts, 40) + ")" : quote_slack(k.text, 200)));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

// "*Recording gaps (1):*\n• not connected 09:01 → 09:03 (2m 08s), 126 messages recovered from
// Slack's history": a reader of the record should know where it was filled in afterwards.
std::string gaps_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.gaps.empty()) return {};
    const std::string title = "*Recording gaps (" + std::to_string(s.gaps.size()) + "):*\n";
    std::vector<std::string> items;
    for (const auto& g : s.gaps) {
        std::string item = "• not connected " + short_time(g.from, s.start) + " → " + short_time(g.to, s.start) + " (" +
                           format_duration(std::chrono::floor<seconds>(g.to - g.from)) + "), ";
        item += std::to_string(g.recovered) + (g.recovered == 1 ? " message" : " messages") +
                " recovered from Slack's history";
        if (!g.error.empty()) item += "; the rest could not be read (" + mrkdwn_line(g.error, 60) + ")";
        items.push_back(std::move(item));
    }
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

// A section renderer: the text for at most `max_bytes`, or "" when there is nothing to say.
using section_fn = std::string (*)(const incident_summary&, std::size_t);

std::string commands_section(const incident_summary& s, std::size_t n) {
    return tagged_section("Commands", s.commands, n);
}
std::string actions_section(const incident_summary& s, std::size_t n) {
    return tagged_section("Actions", s.actions, n);
}

struct summary_section {
    section_fn render;
    std::size_t text_cap;  // share of the 3,000-byte text it may take when space is short
};
// Reading order. The caps add up to more than the budget on purpose: a quiet incident lets
// every section use its cap, a busy one squeezes the later sections (see render_summary_text).
constexpr std::array<summary_section, 10> sections{{
    {history_section, 350},
    {participants_section, 600},
    {hypotheses_section, 500},
    {commands_section, 500},
    {actions_section, 500},
    {status_page_section, 400},
    {action_items_section, 450},
    {key_moments_section, 350},
    {gaps_section, 250},
    {coordination_section, 300},
}};
constexpr std::size_t min_section_room = 100;  // kept free for each later section

// Participants as a section with one field each ("*<@U1>*\njoined 14:02, first spoke 14:03,
// 12 messages"): at most 10 fields, so nine people and "…and N more" when there are more.
json participants_block(const incident_summary& s) {
    constexpr std::size_t max_fields = 10;
    if (s.participants.empty()) return mrkdwn_section(participants_section(s, section_limit));
    json fields = json::array();
    const std::size_t n = s.participants.size();
    const std::size_t shown = n <= max_fields ? n : max_fields - 1;
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& p = s.participants[i];
        fields.push_back(
            text_object("mrkdwn", fit_lines(person(p.user) + "\n" + participant_facts(p, s.start), field_limit)));
    }
    if (shown < n) fields.push_back(text_object("mrkdwn", "…and " + std::to_string(n - shown) + " more"));
    return json{{"type", "section"},
                {"text", text_object("mrkdwn", participants_title(s))},
                {"fields", std::move(fields)}};
}

}  // namespace

// ---- Summary ------------------------------------------------------------------------------------

incident_summary summarize(const incident_record& r) {
    const auto& inc = r.inc;
    incident_summary s;
    s.id = inc.id;
    s.title = inc.title;
    s.names = r.names;
    s.sev = inc.sev;
    s.state = inc.state;
    s.channel_id = inc.channel_id;
    s.channel_name = inc.channel_name;
    s.declared_by = inc.declared_by;
    s.commander = inc.commander;
    s.comms_lead = inc.comms_lead;
    s.start = inc.start();
    s.start_is_detection = inc.detected_at.has_value();
    s.resolved_at = inc.resolved_at;
    s.reopen_count = inc.reopen_count;
    s.metrics = compute_metrics(inc);
    s.participants = participants(r.timeline);
    s.entry_count = r.timeline.size();

    // Quote a message's latest text, and never a deleted message.
    const message_history history(r.timeline);

    std::string current = std::string(to_string(status::investigating));
    for (const auto& e : r.timeline) {
        switch (e.kind) {
        case entry_kind::message: {
            ++s.message_count;
            const bool quotable = !history.deleted(e.slack_ts);
            if (e.has_tag(tag::hypothesis)) add_example(s.hypotheses, history.latest_text(e), quotable);
            if (e.has_tag(tag::command)) add_example(s.commands, history.latest_text(e), quotable);
            if (e.has_tag(tag::action)) add_example(s.actions, history.latest_text(e), quotable);
            break;
        }
        case entry_kind::status: {
            const auto to = e.attr("to");
            if (to.empty()) break;  // not a status change we can read
            s.status_history.push_back({e.attr("from", current), to, e.at, e.user});
            current = to;
            break;
        }
        case entry_kind::resolve:
            s.status_history.push_back(
                {e.attr("from", current), std::string(to_string(status::resolved)), e.at, e.user});
            current = to_string(status::resolved);
            break;
        case entry_kind::reopen: {
            const auto to = e.attr("to", to_string(status::investigating));
            s.status_history.push_back({e.attr("from", to_string(status::resolved)), to, e.at, e.user});
            current = to;
            break;
        }
        case entry_kind::statuspage: s.status_updates.push_back({e.at, e.user, e.text}); break;
        case entry_kind::action_item: s.action_items.push_back({e.text, e.attr("owner"), e.user, e.at}); break;
        case entry_kind::key_moment: {
            // The recorder stores the reaction (":pushpin:") as the entry's text: quote the marked
            // message instead, when it is on this timeline and was not deleted.
            std::string_view text;
            if (const auto* marked = history.message(e.ref_ts); marked && !history.deleted(e.ref_ts))
                text = history.latest_text(*marked);
            else if (!history.deleted(e.ref_ts) && e.text != ":" + e.attr("reaction") + ":")
                text = e.text;
            s.key_moments.push_back({e.at, e.user, quote_slack(text, unlimited, example_chars), e.ref_ts});
            break;
        }
        case entry_kind::gap: {
            recording_gap g;
            g.from = parse_iso8601(e.attr("from")).value_or(e.at);
            g.to = parse_iso8601(e.attr("to")).value_or(g.from);
            const std::string n = e.attr("recovered");
            std::from_chars(n.data(), n.data() + n.size(), g.recovered);
            g.error = e.attr("error");
            s.gaps.push_back(std::move(g));
            break;
        }
        default: break;
        }
    }
    s.coord = coordinate(r, record_end(r));
    for (const auto& h : s.coord.hypotheses)
        s.hypothesis_fates.push_back({h.raised_at, h.raised_by, quote_slack(h.text, unlimited, example_chars), h.fate});
    std::stable_sort(s.status_updates.begin(), s.status_updates.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    s.longest_update_gap = longest_gap(s.status_updates, s.start);
    return s;
}

std::string render_summary_text(const incident_summary& s) {
    std::string out = s.state == status::resolved ? ":white_check_mark: *" : ":rotating_light: *";
    out += title_line(s) + quote_slack(s.title, header_limit) + "*\n";
    out += "*Severity:* " + std::string(to_string(s.sev)) + " (" + std::string(describe(s.sev)) + ")";
    if (!s.commander.empty()) out += " · *Commander:* " + person(s.commander);
    if (!s.comms_lead.empty()) out += " · *Comms lead:* " + person(s.comms_lead);
    out += "\n" + metrics_line(s) + "\n" + definitions_line(s);

    // Each section gets its own cap, or less when the budget runs short, keeping
    // min_section_room for each section still to come; the last line says times are UTC.
    const std::string footer = "\n_Times UTC._";
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const std::size_t reserved = (sections.size() - 1 - i) * min_section_room + footer.size() + 1;
        const std::size_t cap = std::min(sections[i].text_cap, room(max_slack_text_bytes, out.size() + reserved));
        if (cap < min_section_room) continue;
        const auto text = fit_lines(sections[i].render(s, cap), cap);
        if (!text.empty()) out += "\n" + text;
    }
    if (out.size() + footer.size() <= max_slack_text_bytes) out += footer;
    return out;
}

json render_summary_blocks(const incident_summary& s) {
    json blocks = json::array();
    const std::string emoji = s.state == status::resolved ? "✅ " : "🚨 ";
    const auto header = plain_line(emoji + title_line(s) + slack_to_readable(s.title, s.names), header_limit);
    blocks.push_back(json{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", header}, {"emoji", true}}}});

    // At most 10 fields, each short.
    const auto field = [](std::string_view label, const std::string& value) {
        return text_object("mrkdwn", fit_lines("*" + std::string(label) + "*\n" + value, field_limit));
    };
    const auto& m = s.metrics;
    json fields = json::array({
        field("Severity", std::string(to_string(s.sev)) + " (" + std::string(describe(s.sev)) + ")"),
        field("Status", std::string(to_string(s.state)) +
                            (s.reopen_count > 0 ? " (reopened " + std::to_string(s.reopen_count) + "×)" : "")),
        field("TTA", format_metric(m.tta) + "\n_acknowledged − start_"),
        field("TTR", format_metric(m.ttr) + "\n_resolved − start_"),
        field("Detection", format_metric(m.detection)),
        field("Response", format_metric(m.response)),
        field("Remediation", format_metric(m.remediation)),
        field("Commander", s.commander.empty() ? "—" : person(s.commander)),
        field("Comms lead", s.comms_lead.empty() ? "—" : person(s.comms_lead)),
        field("Participants", std::to_string(s.participants.size())),
    });
    blocks.push_back(json{{"type", "section"}, {"fields", std::move(fields)}});
    blocks.push_back(
        json{{"type", "context"}, {"elements", json::array({text_object("mrkdwn", definitions_line(s))})}});

    // One section per part of the summary: a fixed number of blocks, whatever the incident size.
    constexpr std::size_t block_section_cap = 2000;  // readable, and well under 3,000
    bool divided = false;
    for (const auto& sec : sections) {
        auto text = fit_lines(sec.render(s, block_section_cap), section_limit);
        if (text.empty()) continue;
        if (!divided && sec.render == hypotheses_section) {
            blocks.push_back(json{{"type", "divider"}});
            divided = true;
        }
        if (sec.render == participants_section) {
            blocks.push_back(participants_block(s));
            continue;
        }
        blocks.push_back(mrkdwn_section(std::move(text)));
    }

    std::string context = "Recorded by incident-bot";
    if (!s.channel_id.empty()) context += " in " + channel_link(s.channel_id);
    context += " · " + std::to_string(s.entry_count) + " timeline entries, " + std::to_string(s.message_count) +
               " messages · times UTC";
    blocks.push_back(json{{"type", "context"}, {"elements", json::array({text_object("mrkdwn", context)})}});
    return blocks;
}

}  // namespace ib
