#include "summary.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

namespace ib {
namespace {

using nlohmann::json;
using namespace std::chrono;

// ---- Text helpers ---------------------------------------------------------------------------

constexpr std::size_t example_chars = 150;  // examples quoted in the summary data
constexpr std::size_t max_examples = 3;
// Slack Block Kit limits (api.slack.com/reference/block-kit): we stay under them by bytes.
constexpr std::size_t header_limit = 150;
constexpr std::size_t section_limit = 3000;
constexpr std::size_t field_limit = 2000;
constexpr std::string_view ellipsis = "…";

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// One code point of UTF-8 text starting at s[i]: its length in bytes, and whether it is valid.
// Invalid bytes are taken one at a time and shown as U+FFFD: Slack rejects, and nlohmann's
// dump() throws on, text that is not UTF-8.
struct code_point {
    std::size_t length;
    bool valid;
};
code_point next_code_point(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    const unsigned lead = byte(0);
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte (no overlongs, no surrogates)
    if (lead < 0x80) return {1, true};
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        return {1, false};
    }
    if (byte(1) < lo || byte(1) > hi) return {1, false};
    for (std::size_t k = 2; k < n; ++k)
        if ((byte(k) & 0xC0) != 0x80) return {1, false};
    return {n, true};
}

// The text for one code point of user text in mrkdwn. Slack's rule: escape &, < and > (so
// text cannot forge mentions or links like <!channel>), nothing else. Line breaks and tabs
// become spaces: everything we quote is shown on one line.
std::string_view piece_of(std::string_view s, std::size_t i, code_point cp, bool escape) {
    if (!cp.valid) return replacement;
    switch (s[i]) {
    case '&': return escape ? "&amp;" : "&";
    case '<': return escape ? "&lt;" : "<";
    case '>': return escape ? "&gt;" : ">";
    case '\n':
    case '\r':
    case '\t': return " ";
    default: return s.substr(i, cp.length);
    }
}

// User text on one line, at most `max_bytes` bytes (escaped for mrkdwn when `escape`); clipped
// text ends in "…". Never cuts an escape or a UTF-8 sequence in half.
std::string clip_bytes(std::string_view raw, std::size_t max_bytes, bool escape) {
    std::string out;
    for (std::size_t i = 0; i < raw.size();) {
        const auto cp = next_code_point(raw, i);
        const auto piece = piece_of(raw, i, cp, escape);
        const bool last = i + cp.length >= raw.size();
        // Keep room for the ellipsis unless this is the last piece.
        if (out.size() + piece.size() + (last ? 0 : ellipsis.size()) > max_bytes) {
            if (out.size() + ellipsis.size() <= max_bytes) out += ellipsis;
            return out;
        }
        out += piece;
        i += cp.length;
    }
    return out;
}
std::string mrkdwn(std::string_view raw, std::size_t max_bytes) { return clip_bytes(raw, max_bytes, true); }
// Block Kit plain_text is shown as is (not parsed for mentions), so nothing to escape.
std::string plain_clip(std::string_view raw, std::size_t max_bytes) { return clip_bytes(raw, max_bytes, false); }

// Raw text on one line, at most `max_chars` code points; longer text ends in "…".
std::string one_line_clip(std::string_view s, std::size_t max_chars) {
    if (max_chars == 0) return {};
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++chars) {
        const auto cp = next_code_point(s, i);
        if (chars + 1 >= max_chars && i + cp.length < s.size()) {  // more than this one left: cut
            out += ellipsis;
            return out;
        }
        out += piece_of(s, i, cp, false);
        i += cp.length;
    }
    return out;
}

// <@U123> for a Slack user id; anything that is not a plain id is shown as escaped text, so a
// malformed id cannot inject markup.
std::string mention(std::string_view user) {
    if (user.empty()) return "nobody";
    const bool plain_id =
        std::all_of(user.begin(), user.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
    return plain_id ? "<@" + std::string(user) + ">" : mrkdwn(user, 64);
}

// Joins rendered items with `sep` within max_bytes. `total` is how many things the items stand
// for (more than items.size() when only some are rendered); when fewer are shown, the list ends
// with "…and N more". Items are expected to be much shorter than max_bytes.
std::string bounded_join(const std::vector<std::string>& items, std::string_view sep, std::size_t max_bytes,
                         std::size_t total) {
    constexpr std::size_t trailer_room = 24;  // "…and 999999 more" plus slack
    total = std::max(total, items.size());
    std::string out;
    std::size_t shown = 0;
    for (; shown < items.size(); ++shown) {
        const std::size_t sep_len = shown == 0 ? 0 : sep.size();
        const bool more_follow = shown + 1 < total;
        if (out.size() + sep_len + items[shown].size() + (more_follow ? sep.size() + trailer_room : 0) > max_bytes)
            break;
        out += shown == 0 ? std::string_view{} : sep;
        out += items[shown];
    }
    if (shown < total) {
        const auto trailer =
            (shown == 0 ? std::string{} : std::string(sep)) + "…and " + std::to_string(total - shown) + " more";
        if (out.size() + trailer.size() <= max_bytes) out += trailer;
    }
    return out;
}
std::string bounded_join(const std::vector<std::string>& items, std::string_view sep, std::size_t max_bytes) {
    return bounded_join(items, sep, max_bytes, items.size());
}

// a - b, or 0 when b > a: budgets never wrap around.
std::size_t room(std::size_t a, std::size_t b) { return a > b ? a - b : 0; }

// Safety net for a rendered section: whole lines only, at most max_bytes. Cutting at a line
// break never splits an escape, a mention or a UTF-8 sequence.
std::string fit_lines(std::string text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    const auto cut = text.rfind('\n', max_bytes);
    return cut == std::string::npos ? std::string{} : text.substr(0, cut);
}

// "14:47" on the incident's first day, "2026-11-21 14:47" on later days (UTC).
std::string short_time(time_point t, time_point start) {
    const auto iso = to_iso8601(t);  // 2026-11-21T14:47:00Z
    const bool same_day = floor<days>(t) == floor<days>(start);
    return same_day ? iso.substr(11, 5) : iso.substr(0, 10) + " " + iso.substr(11, 5);
}

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

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// ---- Summary: data --------------------------------------------------------------------------

void add_example(tagged_messages& t, const std::string& text, bool quotable) {
    ++t.count;
    if (quotable && t.examples.size() < max_examples) t.examples.push_back(one_line_clip(text, example_chars));
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
        mrkdwn(s.status_history.front().from.empty() ? "investigating" : s.status_history.front().from, 40));
    for (const auto& c : s.status_history) steps.push_back(mrkdwn(c.to, 40) + " " + short_time(c.at, s.start));
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
    for (const auto& p : s.participants) items.push_back("• " + mention(p.user) + " " + participant_facts(p, s.start));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

// "*Hypotheses (4):*\n• first\n• second\n…and 2 more"
std::string tagged_section(std::string_view label, const tagged_messages& t, std::size_t max_bytes) {
    if (t.count == 0) return {};
    const std::string title = "*" + std::string(label) + " (" + std::to_string(t.count) + "):*\n";
    std::vector<std::string> items;
    for (const auto& e : t.examples) items.push_back("• " + mrkdwn(e, 320));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()), t.count);
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
        items.push_back("• " + short_time(u.at, s.start) + " " + mrkdwn(u.text, 200));
    return head + bounded_join(items, "\n", room(max_bytes, head.size()));
}

std::string action_items_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.action_items.empty()) return {};
    const std::string title = "*Action items (" + std::to_string(s.action_items.size()) + "):*\n";
    std::vector<std::string> items;
    for (const auto& a : s.action_items)
        items.push_back("• " + mrkdwn(a.text, 200) + " (" +
                        (a.owner.empty() ? std::string("unassigned") : mention(a.owner)) + ")");
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

std::string key_moments_section(const incident_summary& s, std::size_t max_bytes) {
    if (s.key_moments.empty()) return {};
    const std::string title = "*Key moments (" + std::to_string(s.key_moments.size()) + "):*\n";
    std::vector<std::string> items;
    for (const auto& k : s.key_moments)
        items.push_back("• " + short_time(k.at, s.start) + " " +
                        (k.text.empty() ? "(message " + mrkdwn(k.ref_ts, 40) + ")" : mrkdwn(k.text, 200)));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

// A section renderer: the text for at most `max_bytes`, or "" when there is nothing to say.
using section_fn = std::string (*)(const incident_summary&, std::size_t);

std::string hypotheses_section(const incident_summary& s, std::size_t n) {
    return tagged_section("Hypotheses", s.hypotheses, n);
}
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
constexpr std::array<summary_section, 8> sections{{
    {history_section, 350},
    {participants_section, 600},
    {hypotheses_section, 500},
    {commands_section, 500},
    {actions_section, 500},
    {status_page_section, 400},
    {action_items_section, 450},
    {key_moments_section, 350},
}};
constexpr std::size_t min_section_room = 100;  // kept free for each later section

json text_object(std::string_view type, std::string text) { return json{{"type", type}, {"text", std::move(text)}}; }
json mrkdwn_section(std::string text) {
    return json{{"type", "section"}, {"text", text_object("mrkdwn", std::move(text))}};
}

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
            text_object("mrkdwn", fit_lines(mention(p.user) + "\n" + participant_facts(p, s.start), field_limit)));
    }
    if (shown < n) fields.push_back(text_object("mrkdwn", "…and " + std::to_string(n - shown) + " more"));
    return json{{"type", "section"},
                {"text", text_object("mrkdwn", participants_title(s))},
                {"fields", std::move(fields)}};
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
    for (auto& t : names) t = one_line_clip(t, 40);
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
        const auto text = lower(e.text + "\n" + e.attr("note"));
        for (const auto& phrase : p.near_miss_phrases)
            if (!phrase.empty() && text.find(lower(phrase)) != std::string::npos)
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
    for (const auto& k : best_shared) shown.push_back(one_line_clip(k, 40));
    return "repeats incident #" + std::to_string(best->inc.id) +
           (best->inc.title.empty() ? std::string{} : " \"" + one_line_clip(best->inc.title, 60) + "\"") + " of " +
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

// ---- Salient keywords -------------------------------------------------------------------------

// Tools and verbs that every incident's commands use: the same `sudo systemctl restart` says
// nothing about a repeat, the service after it does. Sorted, for binary search.
constexpr std::array<std::string_view, 72> generic_words{{
    "apply", "awk", "bash", "bin", "cat", "curl", "delete", "deploy", "deployment", "describe", "dev", "df", "dig",
    "disable", "dmesg", "docker", "du", "echo", "edit", "enable", "etc", "exec", "find", "free", "get", "git",
    "grep", "head", "helm", "home", "htop", "iostat", "journalctl", "kill", "killall", "kubectl", "less", "lib",
    "log", "logs", "lsof", "netstat", "nslookup", "opt", "ping", "pkill", "pods", "reboot", "reload", "restart",
    "rollout", "scale", "scp", "sed", "service", "sort", "ssh", "start", "status", "stop", "sudo", "systemctl",
    "tail", "tee", "the", "tmp", "top", "uniq", "uptime", "usr", "var", "xargs",
}};
static_assert(std::is_sorted(generic_words.begin(), generic_words.end()) && !generic_words.front().empty());
// Hyphenated or dotted prose that is not a name.
constexpr std::array<std::string_view, 16> prose_words{{
    "double-check", "e.g", "follow-up", "i.e", "long-running", "re-deploy", "re-run", "read-only",
    "roll-back", "rolled-back", "sev1", "sev2", "sev3", "sev4", "sev5", "up-to-date",
}};

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// Adds the salient words of one message text to `out` (and `seen`).
void add_keywords(std::string_view text, std::vector<std::string>& out, std::set<std::string, std::less<>>& seen) {
    bool in_code = false;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '`') {  // a run of backticks opens or closes a code span (or block)
            while (i < text.size() && text[i] == '`') ++i;
            in_code = !in_code;
            continue;
        }
        if (!is_word_char(text[i])) {
            ++i;
            continue;
        }
        const std::size_t begin = i;
        while (i < text.size() && is_word_char(text[i])) ++i;
        const std::string_view raw = text.substr(begin, i - begin);
        const bool flag = raw.front() == '-';
        const auto first = raw.find_first_not_of(".-_");
        if (first == std::string_view::npos) continue;
        const auto word = lower(raw.substr(first, raw.find_last_not_of(".-_") - first + 1));
        const bool has_letter = std::any_of(word.begin(), word.end(),
                                            [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
        if (!has_letter) continue;
        bool keep = false;
        if (in_code) {
            keep = !flag && word.size() >= 3 && !std::binary_search(generic_words.begin(), generic_words.end(), word);
        } else {
            const bool name_like = std::any_of(word.begin() + 1, word.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
            });
            keep = word.size() >= 4 && std::isalpha(static_cast<unsigned char>(word.front())) != 0 && name_like &&
                   std::find(prose_words.begin(), prose_words.end(), word) == prose_words.end();
        }
        if (keep && seen.insert(word).second) out.push_back(word);
    }
}

void add_invitee(std::vector<std::string>& v, const std::string& user) {
    if (!user.empty() && std::find(v.begin(), v.end(), user) == v.end()) v.push_back(user);
}

std::string review_title(const review_prompt& p) {
    return "Post-incident review of incident #" + std::to_string(p.incident_id) + (p.title.empty() ? "" : ": ");
}

std::string recommendation_text(const review_prompt& p, std::size_t max_bytes) {
    if (!p.strongly_recommended)
        return mrkdwn("A review is optional for this incident. Hold a short one if something surprised you.",
                      max_bytes);
    const std::string title = "*A review is strongly recommended:*\n";
    std::vector<std::string> items;
    for (const auto& r : p.reasons) items.push_back("• " + mrkdwn(r, 300));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

std::string invitees_text(const review_prompt& p, std::size_t max_bytes) {
    const std::string title = "*Invite (" + std::to_string(p.invitees.size()) + "):* ";
    if (p.invitees.empty()) return title + "everyone who took part";
    std::vector<std::string> items;
    for (const auto& u : p.invitees) items.push_back(mention(u));
    return title + bounded_join(items, ", ", room(max_bytes, title.size()));
}

std::string questions_text(const review_prompt& p, std::size_t max_bytes) {
    const std::string title = "*Questions to guide the discussion:*\n";
    std::vector<std::string> items;
    for (const auto& q : p.questions) items.push_back("• " + mrkdwn(q, 300));
    return title + bounded_join(items, "\n", room(max_bytes, title.size()));
}

std::string when_text(const review_prompt& p) {
    return "*When:* " + long_date(p.suggested_day) + " (next business day, while memories are fresh)";
}

}  // namespace

// ---- Summary ------------------------------------------------------------------------------------

incident_summary summarize(const incident_record& r) {
    const auto& inc = r.inc;
    incident_summary s;
    s.id = inc.id;
    s.title = inc.title;
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

    // Edits and deletions refer to a message by its Slack ts: quote the latest text, and never
    // quote a deleted message (people delete what should not have been posted).
    std::map<std::string, std::string, std::less<>> latest_text;
    std::set<std::string, std::less<>> deleted;
    for (const auto& e : r.timeline) {
        if (e.ref_ts.empty()) continue;
        if (e.kind == entry_kind::edit) latest_text[e.ref_ts] = e.text;
        if (e.kind == entry_kind::deletion) deleted.insert(e.ref_ts);
    }
    auto text_of = [&](const timeline_entry& e) -> const std::string& {
        if (e.slack_ts.empty()) return e.text;
        const auto it = latest_text.find(e.slack_ts);
        return it == latest_text.end() ? e.text : it->second;
    };
    std::map<std::string, const timeline_entry*, std::less<>> messages_by_ts;

    std::string current = std::string(to_string(status::investigating));
    for (const auto& e : r.timeline) {
        switch (e.kind) {
        case entry_kind::message: {
            ++s.message_count;
            if (!e.slack_ts.empty()) messages_by_ts.emplace(e.slack_ts, &e);
            const bool quotable = e.slack_ts.empty() || !deleted.contains(e.slack_ts);
            if (e.has_tag(tag::hypothesis)) add_example(s.hypotheses, text_of(e), quotable);
            if (e.has_tag(tag::command)) add_example(s.commands, text_of(e), quotable);
            if (e.has_tag(tag::action)) add_example(s.actions, text_of(e), quotable);
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
            std::string text;
            if (const auto it = messages_by_ts.find(e.ref_ts);
                it != messages_by_ts.end() && !deleted.contains(e.ref_ts))
                text = text_of(*it->second);
            else if (!deleted.contains(e.ref_ts) && e.text != ":" + e.attr("reaction") + ":")
                text = e.text;
            s.key_moments.push_back({e.at, e.user, one_line_clip(text, example_chars), e.ref_ts});
            break;
        }
        default: break;
        }
    }
    std::stable_sort(s.status_updates.begin(), s.status_updates.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    s.longest_update_gap = longest_gap(s.status_updates, s.start);
    return s;
}

std::string render_summary_text(const incident_summary& s) {
    std::string out = s.state == status::resolved ? ":white_check_mark: *" : ":rotating_light: *";
    out += title_line(s) + mrkdwn(s.title, header_limit) + "*\n";
    out += "*Severity:* " + std::string(to_string(s.sev)) + " (" + std::string(describe(s.sev)) + ")";
    if (!s.commander.empty()) out += " · *Commander:* " + mention(s.commander);
    if (!s.comms_lead.empty()) out += " · *Comms lead:* " + mention(s.comms_lead);
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
    const auto header = plain_clip(emoji + title_line(s) + s.title, header_limit);
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
        field("Commander", s.commander.empty() ? "—" : mention(s.commander)),
        field("Comms lead", s.comms_lead.empty() ? "—" : mention(s.comms_lead)),
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
    if (!s.channel_id.empty()) context += " in <#" + mrkdwn(s.channel_id, 40) + ">";
    context += " · " + std::to_string(s.entry_count) + " timeline entries, " + std::to_string(s.message_count) +
               " messages · times UTC";
    blocks.push_back(json{{"type", "context"}, {"elements", json::array({text_object("mrkdwn", context)})}});
    return blocks;
}

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

std::vector<std::string> salient_keywords(std::span<const timeline_entry> timeline) {
    // The latest edit of each message, and which were deleted.
    std::map<std::string, std::string, std::less<>> latest_text;
    std::set<std::string, std::less<>> deleted;
    for (const auto& e : timeline) {
        if (e.ref_ts.empty()) continue;
        if (e.kind == entry_kind::edit) latest_text[e.ref_ts] = e.text;
        if (e.kind == entry_kind::deletion) deleted.insert(e.ref_ts);
    }
    std::vector<std::string> out;
    std::set<std::string, std::less<>> seen;
    for (const auto& e : timeline) {
        if (e.kind != entry_kind::message) continue;
        if (!e.has_tag(tag::hypothesis) && !e.has_tag(tag::command) && !e.has_tag(tag::action)) continue;
        if (!e.slack_ts.empty() && deleted.contains(e.slack_ts)) continue;
        const auto it = e.slack_ts.empty() ? latest_text.end() : latest_text.find(e.slack_ts);
        add_keywords(it == latest_text.end() ? e.text : it->second, out, seen);
    }
    return out;
}

review_prompt make_review_prompt(const incident_record& r, time_point now, std::span<const incident_record> earlier,
                                 const review_policy& policy, std::span<const review_rule> rules) {
    const auto& inc = r.inc;
    const auto metrics = compute_metrics(inc);
    const auto people = participants(r.timeline);

    review_prompt p;
    p.incident_id = inc.id;
    p.title = inc.title;
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
        ":spiral_note_pad: *" + review_title(p) + mrkdwn(p.title, header_limit) + "*\n" + when_text(p) + "\n";
    const std::string facilitator = "*Facilitator:* " + mrkdwn(p.facilitator_suggestion, 400) + "\n";
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
                            {"text", plain_clip("🗒️ " + review_title(p) + p.title, header_limit)},
                            {"emoji", true}}}});
    blocks.push_back(mrkdwn_section(recommendation_text(p, 2000)));
    blocks.push_back(
        json{{"type", "section"},
             {"fields", json::array({text_object("mrkdwn", "*When*\n" + long_date(p.suggested_day)),
                                     text_object("mrkdwn", "*Severity*\n" + std::string(to_string(p.sev)))})}});
    blocks.push_back(mrkdwn_section(invitees_text(p, 2000)));
    blocks.push_back(mrkdwn_section("*Facilitator:* " + mrkdwn(p.facilitator_suggestion, 1000)));
    blocks.push_back(mrkdwn_section(questions_text(p, 2000)));
    blocks.push_back(
        json{{"type", "context"},
             {"elements", json::array({text_object("mrkdwn",
                                                   "The next business day, while memories are fresh. "
                                                   "Blameless: we are here to learn how the work was done.")})}});
    return blocks;
}

}  // namespace ib
