#include "review_prompt.hpp"

#include "slack/layout.hpp"
#include "summary.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace ib {
namespace {

using nlohmann::json;
using namespace std::chrono;
using slack::bounded_join;
using slack::fit_lines;
using slack::header_limit;
using slack::mrkdwn_section;
using slack::room;
using slack::text_object;

// "Monday 23 November 2026"
std::string long_date(sys_days d) {
    static constexpr std::array<std::string_view, 7> weekdays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                              "Thursday", "Friday", "Saturday"};
    static constexpr std::array<std::string_view, 12> months{"January",   "February", "March",    "April",
                                                             "May",       "June",     "July",     "August",
                                                             "September", "October",  "November", "December"};
    const year_month_day ymd{d};
    return std::string(weekdays[weekday{d}.c_encoding()]) + " " + std::to_string(static_cast<unsigned>(ymd.day())) +
           " " + std::string(months[static_cast<unsigned>(ymd.month()) - 1]) + " " +
           std::to_string(static_cast<int>(ymd.year()));
}

// ---- Review prompt rules --------------------------------------------------------------------

std::optional<std::string> severity_rule(const review_facts& f, const review_policy& p) {
    // Lower number = worse.
    const int worst_reviewed = static_cast<int>(p.review_at_or_above);
    if (static_cast<int>(f.inc.sev) > worst_reviewed) return std::nullopt;
    std::string levels;  // "sev1 and sev2"
    for (int level = 1; level <= worst_reviewed; ++level) {
        if (level > 1) levels += level == worst_reviewed ? " and " : ", ";
        levels += to_string(static_cast<severity>(level));
    }
    return std::string(to_string(f.inc.sev)) + " (" + std::string(describe(f.inc.sev)) + "): " + levels +
           " incidents always get a review";
}

// "90 days"
std::string window_text(seconds window) {
    const auto d = floor<days>(window).count();
    return d * 86400 == window.count() ? std::to_string(d) + (d == 1 ? " day" : " days") : format_duration(window);
}

std::optional<std::string> participants_rule(const review_facts& f, const review_policy& p) {
    // Earlier incidents without a recorded timeline say nothing about how many took part.
    std::vector<std::size_t> counts;
    for (const auto* e : f.earlier)
        if (!e->timeline.empty()) counts.push_back(participants(e->timeline).size());
    const std::size_t n = f.people.size();
    if (counts.size() < p.min_history || counts.empty()) {
        if (n <= p.usual_participants) return std::nullopt;
        return std::to_string(n) + " people took part, more than the usual " + std::to_string(p.usual_participants);
    }
    std::sort(counts.begin(), counts.end());
    const std::size_t k = counts.size();
    const std::size_t twice_median = k % 2 ? 2 * counts[k / 2] : counts[k / 2 - 1] + counts[k / 2];
    if (2 * n <= twice_median) return std::nullopt;
    const std::string median =
        std::to_string(twice_median / 2) + (twice_median % 2 ? ".5" : "");  // the mean of two middle counts
    return std::to_string(n) + " people took part, more than the usual " + median + " (the median of " +
           std::to_string(k) + " earlier incidents in " + window_text(p.history_window) + ")";
}

// Slack has no notion of teams: the rule works from policy.team_of, and says nothing without it.
std::optional<std::string> teams_rule(const review_facts& f, const review_policy& p) {
    if (p.team_of.empty()) return std::nullopt;
    std::set<std::string> teams;
    for (const auto& person : f.people)
        if (const auto it = p.team_of.find(person.user); it != p.team_of.end() && !it->second.empty())
            teams.insert(it->second);
    if (teams.size() <= p.max_teams) return std::nullopt;
    std::vector<std::string> names(teams.begin(), teams.end());
    for (auto& t : names) t = clip(t, unlimited, 40);
    return "people from " + std::to_string(teams.size()) + " teams took part (" + bounded_join(names, ", ", 200) +
           "), more than " + std::to_string(p.max_teams) + ": coordination across teams is worth reviewing";
}

std::optional<std::string> ttr_rule(const review_facts& f, const review_policy& p) {
    if (!f.metrics.ttr) return std::nullopt;
    const auto ttr = *f.metrics.ttr;
    if (ttr > p.long_ttr)
        return "time to recover was " + format_duration(ttr) + ", over " + format_duration(p.long_ttr);
    std::vector<seconds> earlier;
    for (const auto* e : f.earlier)
        if (e->inc.sev == f.inc.sev)
            if (const auto m = compute_metrics(e->inc); m.ttr) earlier.push_back(*m.ttr);
    if (earlier.size() < p.min_history || earlier.empty()) return std::nullopt;
    const auto d = summarize(std::move(earlier));
    if (!d.p90 || ttr <= *d.p90) return std::nullopt;
    return "time to recover was " + format_duration(ttr) + ", longer than the p90 of " + format_duration(*d.p90) +
           " for " + std::to_string(d.count) + " earlier " + std::string(to_string(f.inc.sev)) + " incidents in " +
           window_text(p.history_window);
}

// A near miss is worth reviewing: it shows how close we came. Severity alone (sev5) does not
// say so; someone has to call it a near miss in a note or the resolve note.
std::optional<std::string> near_miss_rule(const review_facts& f, const review_policy& p) {
    for (const auto& e : f.timeline) {
        if (e.kind != entry_kind::note && e.kind != entry_kind::resolve) continue;
        const auto text = ascii_lower(e.text + "\n" + e.attr("note"));
        for (const auto& phrase : p.near_miss_phrases)
            if (!phrase.empty() && text.find(ascii_lower(phrase)) != std::string::npos)
                return std::string("called a near miss in ") +
                       (e.kind == entry_kind::note ? "a note" : "the resolve note") +
                       ": near misses show how close we came";
    }
    return std::nullopt;
}

// The same salient keywords in an earlier incident's hypotheses, commands and actions: the same
// hosts, services or commands came up again. Names the earlier incident sharing the most (the
// latest on a tie) and what it shares.
std::optional<std::string> repeat_rule(const review_facts& f, const review_policy& p) {
    if (f.earlier.empty()) return std::nullopt;
    const auto mine = salient_keywords(f.timeline);
    if (mine.empty()) return std::nullopt;
    const incident_record* best = nullptr;
    std::vector<std::string> best_shared;
    for (const auto* e : f.earlier) {  // oldest first, so a later one wins a tie
        const auto theirs_list = salient_keywords(e->timeline);
        const std::set<std::string, std::less<>> theirs(theirs_list.begin(), theirs_list.end());
        std::vector<std::string> shared;
        for (const auto& k : mine)
            if (theirs.contains(k)) shared.push_back(k);
        if (shared.size() >= std::max<std::size_t>(p.repeat_min_shared, 1) && shared.size() >= best_shared.size()) {
            best = e;
            best_shared = std::move(shared);
        }
    }
    if (!best) return std::nullopt;
    std::vector<std::string> shown;
    for (const auto& k : best_shared) shown.push_back(clip(k, unlimited, 40));
    return "repeats incident #" + std::to_string(best->inc.id) +
           (best->inc.title.empty() ? std::string{} : " \"" + clip(slack_to_readable(best->inc.title), unlimited, 60) + "\"") + " of " +
           to_iso8601(best->inc.declared_at).substr(0, 10) +
           ": the same names came up in hypotheses, commands and actions (" +
           bounded_join(std::vector<std::string>(shown.begin(), shown.begin() + std::min<std::size_t>(shown.size(), 6)),
                        ", ", 240, shown.size()) +
           ")";
}

constexpr std::array<review_rule, 6> rules_table{{
    {"severity", severity_rule},
    {"participants", participants_rule},
    {"teams", teams_rule},
    {"ttr", ttr_rule},
    {"near_miss", near_miss_rule},
    {"repeat", repeat_rule},
}};

void add_invitee(std::vector<std::string>& v, const std::string& user) {
    if (!user.empty() && std::find(v.begin(), v.end(), user) == v.end()) v.push_back(user);
}

std::string review_title(const review_prompt& p) {
    return "Post-incident review of incident #" + std::to_string(p.incident_id) + (p.title.empty() ? "" : ": ");
}

std::string recommendation_text(const review_prompt& p, std::size_t max_bytes) {
    if (!p.strongly_recommended)
        return mrkdwn_line("A review is optional for this incident. Hold a short one if something surprised you.",
                           max_bytes);
    const std::string title = "*A review is strongly recommended:*\n";
    std::vector<std::string> items;
    for (const auto& r : p.reasons) items.push_back("• " + mrkdwn_line(r, 300));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

std::string invitees_text(const review_prompt& p, std::size_t max_bytes) {
    const std::string title = "*Invite (" + std::to_string(p.invitees.size()) + "):* ";
    if (p.invitees.empty()) return title + "everyone who took part";
    std::vector<std::string> items;
    for (const auto& u : p.invitees) items.push_back(mention(u, "nobody"));
    return title + bounded_join(items, ", ", room(max_bytes, title.size()));
}

std::string questions_text(const review_prompt& p, std::size_t max_bytes) {
    const std::string title = "*Questions to guide the discussion:*\n";
    std::vector<std::string> items;
    for (const auto& q : p.questions) items.push_back("• " + mrkdwn_line(q, 300));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

std::string when_text(const review_prompt& p) {
    return "*When:* " + long_date(p.suggested_day) + " (next business day, while memories are fresh)";
}

}  // namespace

// ---- Review prompt ------------------------------------------------------------------------------

std::span<const review_rule> default_review_rules() { return rules_table; }

sys_days next_business_day(sys_days d) {
    auto next = d + days{1};
    while (weekday{next} == Saturday || weekday{next} == Sunday) next += days{1};
    return next;
}

review_prompt make_review_prompt(const incident_record& r, time_point now) {
    return make_review_prompt(r, now, review_policy{}, default_review_rules());
}

review_prompt make_review_prompt(const incident_record& r, time_point now, const review_policy& policy,
                                 std::span<const review_rule> rules) {
    return make_review_prompt(r, now, std::span<const incident_record>{}, policy, rules);
}

review_prompt make_review_prompt(const incident_record& r, time_point now, std::span<const incident_record> earlier,
                                 const review_policy& policy, std::span<const review_rule> rules) {
    const auto& inc = r.inc;
    const auto metrics = compute_metrics(inc);
    const auto people = participants(r.timeline);

    review_prompt p;
    p.incident_id = inc.id;
    p.title = inc.title;
    p.names = r.names;
    p.sev = inc.sev;
    p.channel_id = inc.channel_id;
    p.suggested_day = next_business_day(floor<days>(now));
    for (const auto& person : people) add_invitee(p.invitees, person.user);
    add_invitee(p.invitees, inc.commander);
    add_invitee(p.invitees, inc.comms_lead);
    add_invitee(p.invitees, inc.declared_by);

    // History: other incidents declared within the window before this one, oldest first.
    std::vector<const incident_record*> history;
    for (const auto& e : earlier) {
        if (&e == &r || (inc.id != 0 && e.inc.id == inc.id)) continue;
        if (e.inc.declared_at >= inc.declared_at || e.inc.declared_at < inc.declared_at - policy.history_window)
            continue;
        history.push_back(&e);
    }
    std::stable_sort(history.begin(), history.end(), [](const incident_record* a, const incident_record* b) {
        return a->inc.declared_at < b->inc.declared_at;
    });

    const review_facts facts{inc, metrics, people, r.timeline, history};
    for (const auto& rule : rules)
        if (auto reason = rule.check(facts, policy)) p.reasons.push_back(std::move(*reason));
    p.strongly_recommended = !p.reasons.empty();

    for (const auto q : review_questions()) p.questions.emplace_back(q);
    p.facilitator_suggestion =
        "Ask someone who was not involved in the incident to facilitate: they can ask the naive "
        "questions, keep the discussion blameless and let everyone who was there tell their part.";
    return p;
}

std::string render_review_text(const review_prompt& p) {
    // Fixed parts first; the lists that grow (reasons, invitees) get what is left, in order.
    const std::string head =
        ":spiral_note_pad: *" + review_title(p) + quote_slack(p.title, header_limit) + "*\n" + when_text(p) + "\n";
    const std::string facilitator = "*Facilitator:* " + mrkdwn_line(p.facilitator_suggestion, 400) + "\n";
    const std::string questions = questions_text(p, 1000);
    std::size_t left = room(max_slack_text_bytes, head.size() + facilitator.size() + questions.size() + 2);
    const auto recommendation = fit_lines(recommendation_text(p, std::min<std::size_t>(left / 2, 800)), left / 2);
    left = room(left, recommendation.size());
    const auto invitees = fit_lines(invitees_text(p, left), left);
    return head + recommendation + "\n" + invitees + "\n" + facilitator + questions;
}

json render_review_blocks(const review_prompt& p) {
    json blocks = json::array();
    blocks.push_back(json{{"type", "header"},
                          {"text",
                           {{"type", "plain_text"},
                            {"text", plain_line("🗒️ " + review_title(p) + slack_to_readable(p.title, p.names), header_limit)},
                            {"emoji", true}}}});
    blocks.push_back(mrkdwn_section(recommendation_text(p, 2000)));
    blocks.push_back(
        json{{"type", "section"},
             {"fields", json::array({text_object("mrkdwn", "*When*\n" + long_date(p.suggested_day)),
                                     text_object("mrkdwn", "*Severity*\n" + std::string(to_string(p.sev)))})}});
    blocks.push_back(mrkdwn_section(invitees_text(p, 2000)));
    blocks.push_back(mrkdwn_section("*Facilitator:* " + mrkdwn_line(p.facilitator_suggestion, 1000)));
    blocks.push_back(mrkdwn_section(questions_text(p, 2000)));
    blocks.push_back(
        json{{"type", "context"},
             {"elements", json::array({text_object("mrkdwn",
                                                   "The next business day, while memories are fresh. "
                                                   "Blameless: we are here to learn how the work was done.")})}});
    return blocks;
}

}  // namespace ib
