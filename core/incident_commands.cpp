#include "core/incident_commands.hpp"

#include "core/metrics.hpp"
#include "core/text.hpp"

#include <cstdio>

#include <algorithm>
#include <type_traits>
#include <vector>

namespace ib {
namespace {

// The person who typed a command, or is named in one; Slack always sends an id.
std::string who(std::string_view user) { return mention(user, "someone"); }

std::string sev_label(severity s) { return std::string(to_string(s)) + " (" + std::string(describe(s)) + ")"; }

// Text people typed (Slack text), quoted in an announcement: as Slack sent it, broadcasts
// defused, within what a post can hold. Titles are quoted on one line.
constexpr std::size_t max_quote_bytes = 3500;
constexpr std::size_t max_title_quote_bytes = 600;
std::string quoted_text(std::string_view slack_text) { return quote_slack(slack_text, max_quote_bytes, unlimited, false); }
std::string quoted_title(std::string_view title) { return quote_slack(title, max_title_quote_bytes); }

std::string with_quoted_note(std::string text, std::string_view note) {
    if (!note.empty()) text += ": " + quoted_text(note);
    return text;
}

// The time for `detected`: an absolute instant, HH:MM UTC today (yesterday if that is still
// in the future), or a duration before now.
time_point detection_time(const cmd::detected& d, time_point now) {
    if (const auto* t = std::get_if<time_point>(&d.when)) return *t;
    if (const auto* ago = std::get_if<cmd::time_ago>(&d.when)) return now - ago->amount;
    const auto& tod = std::get<cmd::time_of_day>(d.when);
    const auto today = std::chrono::floor<std::chrono::days>(now);
    time_point t = today + std::chrono::hours{tod.hour} + std::chrono::minutes{tod.minute};
    if (t > now) t -= std::chrono::days{1};
    return t;
}

struct planner {
    const incident& inc;
    std::string_view user;
    time_point now;

    // Runs a lifecycle transition on a copy and wraps the result.
    template <class Transition>
    result<planned_change> apply(Transition&& transition, std::string reply) {
        planned_change p;
        p.updated = inc;
        result<timeline_entry> r = transition(p.updated);
        if (!r) return r.error();
        p.entry = std::move(r.value());
        p.reply = std::move(reply);
        return p;
    }

    result<planned_change> operator()(const cmd::ack&) {
        auto p = apply([&](incident& i) { return acknowledge(i, user, now); }, "Acknowledged.");
        if (p) {
            const auto m = compute_metrics(p->updated);
            p->announcement = ":eyes: " + who(user) + " acknowledged the incident (TTA " + format_metric(m.tta) + ").";
        }
        return p;
    }
    result<planned_change> operator()(const cmd::set_severity& c) {
        const severity from = inc.sev;
        auto p = apply([&](incident& i) { return change_severity(i, c.sev, user, now); },
                       "Severity set to " + std::string(to_string(c.sev)) + ".");
        if (p)
            p->announcement = ":rotating_light: Severity changed " + std::string(to_string(from)) + " → " +
                              sev_label(c.sev) + " by " + who(user) + ".";
        return p;
    }
    result<planned_change> operator()(const cmd::set_status& c) {
        if (c.to == status::resolved) return (*this)(cmd::resolve{c.note});
        const status from = inc.state;
        auto p = apply([&](incident& i) { return change_status(i, c.to, user, c.note, now); },
                       "Status set to " + std::string(to_string(c.to)) + ".");
        if (p)
            p->announcement = with_quoted_note(":arrows_counterclockwise: Status " + std::string(to_string(from)) + " → *" +
                                            std::string(to_string(c.to)) + "* (" + who(user) + ")",
                                        c.note);
        return p;
    }
    result<planned_change> operator()(const cmd::resolve& c) {
        auto p = apply([&](incident& i) { return resolve(i, user, c.note, now); }, "Resolved. Posting the summary.");
        if (p) {
            const auto m = compute_metrics(p->updated);
            p->announcement = with_quoted_note(":white_check_mark: *Resolved* by " + who(user) + " (TTR " +
                                            format_metric(m.ttr) + ")",
                                        c.note);
            p->resolved = true;
        }
        return p;
    }
    result<planned_change> operator()(const cmd::reopen& c) {
        auto p = apply([&](incident& i) { return reopen(i, user, c.note, now); }, "Reopened.");
        if (p) p->announcement = with_quoted_note(":warning: *Reopened* by " + who(user), c.note);
        return p;
    }
    result<planned_change> operator()(const cmd::assign_role& c) {
        auto p = apply([&](incident& i) { return ib::assign_role(i, c.which, c.user_id, user, now); },
                       who(c.user_id) + " is now " + std::string(to_string(c.which)) + ".");
        if (p)
            p->announcement = ":bust_in_silhouette: " + who(c.user_id) + " is now *" +
                              std::string(to_string(c.which)) + "* (set by " + who(user) + ").";
        return p;
    }
    result<planned_change> operator()(const cmd::note& c) {
        auto p = apply([&](incident& i) { return add_note(i, c.text, user, now); }, "Note added to the timeline.");
        if (p) p->announcement = ":memo: Note from " + who(user) + ": " + quoted_text(c.text);
        return p;
    }
    result<planned_change> operator()(const cmd::statuspage& c) {
        auto p = apply([&](incident& i) { return record_statuspage_update(i, c.text, user, now); },
                       "Status-page update recorded.");
        if (p)
            p->announcement =
                ":loudspeaker: Status page updated by " + who(user) + ": “" + quoted_text(c.text) + "”";
        return p;
    }
    result<planned_change> operator()(const cmd::action_item& c) {
        auto p = apply([&](incident& i) { return add_action_item(i, c.text, c.owner, user, now); },
                       "Action item recorded.");
        if (p)
            p->announcement = ":ballot_box_with_check: Action item: " + quoted_text(c.text) +
                              (c.owner.empty() ? std::string(" (no owner yet)") : " (owner " + who(c.owner) + ")");
        return p;
    }
    result<planned_change> operator()(const cmd::detected& c) {
        const time_point t = detection_time(c, now);
        auto p = apply([&](incident& i) { return set_detected(i, t, user, now); },
                       "Detection time set to " + to_iso8601(t) + ".");
        if (p)
            p->announcement = ":mag: " + who(user) + " set the detection time to " + to_iso8601(t) +
                              ": TTA and TTR now count from there.";
        return p;
    }
    template <class Other>
    result<planned_change> operator()(const Other&) {
        return make_error(errc::invalid_argument, "that command does not change the incident");
    }
};

}  // namespace

bool changes_incident(const command& c) {
    return std::visit(
        [](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            return std::is_same_v<T, cmd::ack> || std::is_same_v<T, cmd::set_severity> ||
                   std::is_same_v<T, cmd::set_status> || std::is_same_v<T, cmd::assign_role> ||
                   std::is_same_v<T, cmd::note> || std::is_same_v<T, cmd::statuspage> ||
                   std::is_same_v<T, cmd::action_item> || std::is_same_v<T, cmd::resolve> ||
                   std::is_same_v<T, cmd::reopen> || std::is_same_v<T, cmd::detected>;
        },
        c);
}

bool needs_incident(const command& c) {
    return changes_incident(c) || std::holds_alternative<cmd::summary>(c) || std::holds_alternative<cmd::snooze>(c) ||
           std::holds_alternative<cmd::catchup>(c);
}

result<planned_change> plan_change(const command& c, const incident& inc, std::string_view user, time_point now) {
    return std::visit(planner{inc, user, now}, c);
}

std::string not_an_incident_channel_reply() {
    return ":warning: This isn't an incident channel. Run this command in the incident's channel "
           "(`/incident list` shows the open ones), or declare one with `/incident start <title> [sev1..sev5]`.";
}

std::string declare_announcement(const incident& inc) {
    return ":rotating_light: *Incident declared: " + quoted_title(inc.title) + "*\n" +
           "*Severity:* " + sev_label(inc.sev) + "   *Status:* " + std::string(to_string(inc.state)) +
           "   *Declared by:* " + who(inc.declared_by) + "\n" +
           (inc.is_private ? ":lock: *Private incident:* only the members of this channel see it, here and in "
                             "`/incident list`; invite whoever needs to help.\n"
                           : "") +
           "Everything said in this channel is recorded, with its time, for the post-incident review. "
           "Talk here as you work: hypotheses, commands you run, what you try.\n" +
           "*Commands:* `/incident ack` · `sev <1-5>` · `status <investigating|identified|monitoring|resolved> [note]` · "
           "`commander @who` · `comms @who` · `note <text>` · `statuspage <text>` · `action <text> [@owner]` · "
           "`detected <time>` · `resolve [note]` · `summary` · `help`";
}

std::string channel_topic(const incident& inc) {
    // A topic has no formatting (conversations.setTopic): the title as it reads.
    std::string topic = std::string(to_string(inc.sev)) + " · " + std::string(to_string(inc.state)) + " · " +
                        plain_line(slack_to_readable(inc.title), 1000);
    if (topic.size() > 250) topic = std::string(utf8_prefix(topic, 247)) + "...";
    return topic;
}

std::string declared_reply(const incident& inc) {
    return ":rotating_light: Incident declared: " + channel_link(inc.channel_id, inc.channel_name) + " (" +
           std::string(to_string(inc.sev)) + (inc.is_private ? ", private" : "") +
           "). You've been invited; everything said there is recorded.";
}

std::string render_incident_list(std::span<const incident> open, time_point now) {
    if (open.empty()) return "No open incidents. :relieved:";
    std::vector<const incident*> order;
    order.reserve(open.size());
    for (const incident& inc : open) order.push_back(&inc);
    std::stable_sort(order.begin(), order.end(), [](const incident* a, const incident* b) {
        return a->sev != b->sev ? a->sev < b->sev : a->id < b->id;
    });
    std::string out = "*Open incidents (" + std::to_string(open.size()) + "):*";
    // Room kept for the last line, "…and N more", whatever N.
    constexpr std::size_t footer_room = 120;
    std::size_t shown = 0;
    for (const incident* inc : order) {
        const auto age = std::chrono::floor<std::chrono::seconds>(now - inc->declared_at);
        const std::string line = "\n• " + channel_link(inc->channel_id, inc->channel_name) + " " +
                                 std::string(to_string(inc->sev)) + " · " + std::string(to_string(inc->state)) + " · " +
                                 quoted_title(inc->title) + " · open for " +
                                 format_duration(age > std::chrono::seconds{0} ? age : std::chrono::seconds{0});
        if (out.size() + line.size() + footer_room > max_list_chars) break;
        out += line;
        ++shown;
    }
    if (shown < order.size())
        out += "\n_…and " + std::to_string(order.size() - shown) + " more (less severe or newer) not shown here._";
    return out;
}

std::string render_stats(std::span<const incident> incidents, time_point now) {
    static constexpr int windows[] = {30, 90};
    return render_stats(incidents, now, windows, stats_format::slack);
}

std::string render_stats(std::span<const incident> incidents, time_point now, std::span<const int> window_days,
                         stats_format format) {
    const bool slack = format == stats_format::slack;
    std::string out;
    for (const int days : window_days) {
        const auto rows = stats_by_severity(incidents, now - std::chrono::days{days}, now + std::chrono::seconds{1});
        const std::string title = "Last " + std::to_string(days) + (days == 1 ? " day" : " days");
        out += slack ? "*" + title + "*" : title;
        if (rows.empty()) {
            out += slack ? ": no incidents.\n" : ": no incidents.\n\n";
            continue;
        }
        out += slack ? "\n```\n" : ":\n";
        out += "sev   n    TTA median    p90     mean   TTR median    p90     mean\n";
        for (const auto& r : rows) {
            char line[160];
            std::snprintf(line, sizeof line, "%-5s %-4zu %10s %8s %8s   %8s %8s %8s\n", std::string(to_string(r.sev)).c_str(),
                          r.incidents, format_metric(r.tta.median).c_str(), format_metric(r.tta.p90).c_str(),
                          format_metric(r.tta.mean).c_str(), format_metric(r.ttr.median).c_str(),
                          format_metric(r.ttr.p90).c_str(), format_metric(r.ttr.mean).c_str());
            out += line;
        }
        out += slack ? "```\n" : "";
        // Private incidents count like the others; the table says how many there are.
        std::size_t private_count = 0;
        for (const incident& inc : incidents)
            if (inc.is_private && inc.declared_at >= now - std::chrono::days{days} &&
                inc.declared_at < now + std::chrono::seconds{1})
                ++private_count;
        if (private_count > 0)
            out += "Includes " + std::to_string(private_count) + " private incident" + (private_count == 1 ? "" : "s") +
                   ".\n";
        out += slack ? "" : "\n";
    }
    const std::string definitions =
        "TTA = acknowledged − start, TTR = resolved − start (start = detected, else declared). "
        "p90 is nearest-rank; the mean alone hides the long tail.";
    out += slack ? "_" + definitions + "_" : definitions + "\n";
    return out;
}

}  // namespace ib
