#include "catchup.hpp"

#include "coordination.hpp"
#include "slack/layout.hpp"
#include "text.hpp"

#include <vector>

namespace ib {
namespace {

using nlohmann::json;
using slack::bounded_join;
using slack::fit_lines;
using slack::room;

constexpr std::size_t latest_few = 3;   // actions and commands shown
constexpr std::size_t items_shown = 5;  // action items shown
constexpr std::size_t part_cap = 450;   // bytes per part: the nine parts fit in 3,000 together

// "14:47" on the day of `now`, else "2026-11-21 14:47" (UTC).
std::string clock(time_point t, time_point now) {
    const auto iso = to_iso8601(t);
    const bool same_day = std::chrono::floor<std::chrono::days>(t) == std::chrono::floor<std::chrono::days>(now);
    return same_day ? iso.substr(11, 5) : iso.substr(0, 10) + " " + iso.substr(11, 5);
}

// now − t, or zero for a time after now (clock skew).
seconds since(time_point t, time_point now) { return now > t ? std::chrono::floor<seconds>(now - t) : seconds{0}; }

// "14:47, 12m 00s ago"
std::string time_and_age(time_point t, time_point now) {
    return clock(t, now) + ", " + format_duration(since(t, now)) + " ago";
}

// "*Label (N, latest first):*\n• …": the last `shown` of `texts` (time order), latest first.
std::string latest_list(std::string_view label, const std::vector<std::string>& texts, std::size_t shown) {
    if (texts.empty()) return {};
    const std::string title = "*" + std::string(label) + " (" + std::to_string(texts.size()) + ", latest first):*\n";
    std::vector<std::string> items;
    for (auto it = texts.rbegin(); it != texts.rend() && items.size() < shown; ++it)
        items.push_back("• " + quote_slack(*it, 300, 150));
    return title + bounded_join(items, "\n", room(part_cap, title.size()), texts.size());
}

}  // namespace

std::optional<catchup_setting> parse_catchup_after(std::string_view s) {
    if (s == "off") return catchup_setting{std::nullopt};
    if (auto d = parse_duration(s)) return catchup_setting{*d};
    return std::nullopt;
}

bool catchup_due(const incident& inc, time_point joined_at, const catchup_setting& setting) {
    return setting.after && inc.is_open() && joined_at - inc.declared_at >= *setting.after;
}

timeline_entry catchup_entry(std::int64_t incident_id, std::string_view user, time_point now) {
    timeline_entry e;
    e.incident_id = incident_id;
    e.key = "catchup:" + std::to_string(incident_id) + ":" + std::string(user);
    e.kind = entry_kind::catchup;
    e.at = now;
    e.received_at = now;
    e.text = "catch-up sent to " + mention(user, "someone");
    e.attrs["for"] = std::string(user);
    return e;
}

catchup_message render_catchup(const incident_record& r, time_point now) {
    const auto& inc = r.inc;
    std::vector<std::string> parts;

    parts.push_back("*Catching up on incident #" + std::to_string(inc.id) + ": " + quote_slack(inc.title, 200) +
                    "* (open " + format_duration(since(inc.declared_at, now)) +
                    ", declared " + clock(inc.declared_at, now) + " UTC)");

    // When severity and status last changed, and the lists, from the timeline.
    time_point sev_at = inc.declared_at, status_at = inc.declared_at;
    std::optional<time_point> update_at;
    std::string update_text;
    std::vector<std::string> actions, commands, items;
    for (const auto& e : r.timeline) {
        switch (e.kind) {
        case entry_kind::severity: sev_at = e.at; break;
        case entry_kind::status:
        case entry_kind::resolve:
        case entry_kind::reopen: status_at = e.at; break;
        case entry_kind::statuspage:
            if (!update_at || e.at >= *update_at) {
                update_at = e.at;
                update_text = e.text;
            }
            break;
        case entry_kind::action_item:
            items.push_back(e.text + (e.attr("owner").empty() ? "" : " (" + mention(e.attr("owner")) + ")"));
            break;
        default: break;
        }
    }
    const message_history history(r.timeline);
    for (const auto& e : r.timeline) {
        if (e.kind != entry_kind::message || history.deleted(e.slack_ts)) continue;
        if (e.has_tag(tag::action)) actions.emplace_back(history.latest_text(e));
        if (e.has_tag(tag::command)) commands.emplace_back(history.latest_text(e));
    }

    parts.push_back("*Severity:* " + std::string(to_string(inc.sev)) + " (since " + clock(sev_at, now) +
                    ") · *Status:* " + std::string(to_string(inc.state)) + " (since " + clock(status_at, now) + ")");
    parts.push_back("*Commander:* " + mention(inc.commander, "nobody yet") + " · *Comms lead:* " +
                    mention(inc.comms_lead, "nobody yet"));
    parts.push_back("*Last status-page update:* " +
                    (update_at ? time_and_age(*update_at, now) + ": " + quote_slack(update_text, 300, 200)
                               : std::string("none yet")));

    const auto hyps = hypotheses_of(r.timeline);
    if (!hyps.empty()) {
        const std::string title = "*Hypotheses (" + std::to_string(hyps.size()) + "):*\n";
        std::vector<std::string> lines;
        for (auto it = hyps.rbegin(); it != hyps.rend(); ++it)  // latest first: the newest matter most
            lines.push_back("• " + fate_mrkdwn(it->fate) + ": " +
                            (it->text.empty() ? std::string("(deleted)") : quote_slack(it->text, 300, 150)) + " (" +
                            mention(it->raised_by, "someone") + " " + clock(it->raised_at, now) + ")");
        parts.push_back(title + bounded_join(lines, "\n", room(part_cap, title.size()), hyps.size()));
    } else {
        parts.push_back("*Hypotheses:* none yet");
    }
    if (auto s = latest_list("Actions", actions, latest_few); !s.empty()) parts.push_back(std::move(s));
    if (auto s = latest_list("Commands run", commands, latest_few); !s.empty()) parts.push_back(std::move(s));
    if (auto s = latest_list("Action items", items, items_shown); !s.empty()) parts.push_back(std::move(s));
    parts.push_back("_Only you can see this. Times UTC. `/incident catchup` shows it again._");

    catchup_message m;
    m.blocks = json::array();
    for (auto& p : parts) {
        p = fit_lines(p, part_cap);
        if (p.empty()) continue;
        if (!m.text.empty()) m.text += "\n";
        m.text += p;
        m.blocks.push_back(slack::mrkdwn_section(p));
    }
    m.text = fit_lines(std::move(m.text), 3000);
    return m;
}

}  // namespace ib
