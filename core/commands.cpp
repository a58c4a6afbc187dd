#include "commands.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace ib {
namespace {

// ---- text helpers (the rest are in core/text.hpp) -------------------------------------------

// Slack clients sometimes type U+00A0 (no-break space) between words; make it a plain space.
std::string normalize_spaces(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') {
            out += ' ';
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The first word and the (trimmed) rest.
std::pair<std::string_view, std::string_view> split_first(std::string_view s) {
    s = trim_ascii_space(s);
    std::size_t end = 0;
    while (end < s.size() && !is_ascii_space(s[end])) ++end;
    return {s.substr(0, end), trim_ascii_space(s.substr(end))};
}

// The last word and the (trimmed) text before it.
std::pair<std::string_view, std::string_view> split_last(std::string_view s) {
    s = trim_ascii_space(s);
    std::size_t begin = s.size();
    while (begin > 0 && !is_ascii_space(s[begin - 1])) --begin;
    return {s.substr(begin), trim_ascii_space(s.substr(0, begin))};
}

// Free text as stored: Slack text as Slack sent it, trimmed.
std::string free_text(std::string_view s) { return std::string(trim_ascii_space(s)); }

// A one-line title, still Slack text: every run of whitespace or control characters becomes one
// space, trimmed.
std::string one_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool gap = false;
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') {
            gap = true;
            continue;
        }
        if (gap && !out.empty()) out += ' ';
        gap = false;
        out += c;
    }
    return out;
}

// ---- errors ---------------------------------------------------------------------------------

error usage_error(std::string message) { return make_error(errc::invalid_argument, std::move(message)); }

error needs_person(std::string_view what) {
    return usage_error("Please pick the " + std::string(what) +
                       " with @-autocomplete so Slack sends their id, e.g. `/incident commander @alice`.");
}

// ---- subcommands ------------------------------------------------------------------------------

// "sev" followed by digits, any case: meant as a severity, valid or not.
bool looks_like_sev(std::string_view word) {
    if (word.size() < 4 || !ascii_iequals(word.substr(0, 3), "sev")) return false;
    for (const char c : word.substr(3))
        if (c < '0' || c > '9') return false;
    return true;
}

// "--private", any case; also "—private" and "–private": macOS and iOS turn a typed "--" into a
// dash.
bool is_private_flag(std::string_view word) {
    for (std::string_view dashes : {"--", "\u2014", "\u2013"})
        if (word.starts_with(dashes)) return ascii_iequals(word.substr(dashes.size()), "private");
    return false;
}

result<command> parse_start(std::string_view args) {
    constexpr std::string_view usage = "Usage: `/incident start <title> [sev1..sev5] [--private]`";
    std::optional<severity> sev;
    bool is_private = false;
    // The severity and --private trail the title, in either order ("severe" is just a word of
    // the title; a trailing "sev<digits>" is meant as a severity).
    for (int i = 0; i < 2; ++i) {
        auto [last, before] = split_last(args);
        if (!is_private && is_private_flag(last)) {
            is_private = true;
            args = before;
        } else if (!sev && looks_like_sev(last)) {
            sev = parse_severity(last);
            if (!sev)
                return usage_error("Unknown severity `" + std::string(last) +
                                   "`: use sev1 (complete outage) to sev5 (false alarm).\n" + std::string(usage));
            args = before;
        }
    }
    std::string title = one_line(args);
    if (title.empty()) return usage_error("The incident needs a title.\n" + std::string(usage));
    if (const std::size_t n = count_code_points(decode_slack_entities(title)); n > cmd::max_title_chars)
        return usage_error("That title is " + std::to_string(n) + " characters; please keep it to " +
                           std::to_string(cmd::max_title_chars) + " or fewer.");
    return command{cmd::start{std::move(title), sev, is_private}};
}

result<command> parse_sev(std::string_view args) {
    const auto [word, rest] = split_first(args);
    if (word.empty() || !rest.empty())
        return usage_error("Usage: `/incident sev <1-5>` (sev1 is a complete outage, sev5 a false alarm).");
    const auto sev = parse_severity(word);
    if (!sev)
        return usage_error("Unknown severity `" + std::string(word) +
                           "`: use 1 to 5 or sev1 to sev5 (sev1 is a complete outage).");
    return command{cmd::set_severity{*sev}};
}

result<command> parse_status_cmd(std::string_view args) {
    constexpr std::string_view usage =
        "Usage: `/incident status <investigating|identified|monitoring|resolved> [note]`";
    const auto [word, rest] = split_first(args);
    if (word.empty()) return usage_error(std::string(usage));
    const auto to = parse_status(word);
    if (!to) return usage_error("Unknown status `" + std::string(word) + "`.\n" + std::string(usage));
    return command{cmd::set_status{*to, free_text(rest)}};
}

result<command> parse_role(std::string_view args, role which, std::string_view sub) {
    const std::string usage = "Usage: `/incident " + std::string(sub) + " @person`";
    args = trim_ascii_space(args);
    if (args.empty()) return usage_error(usage);
    if (args.front() == '@') return needs_person("person");
    // The mention is the whole argument (a `|name` part could in principle hold spaces).
    if (const auto id = parse_user_mention(args)) return command{cmd::assign_role{which, *id}};
    const auto first = args.find("<@");
    if (first != std::string_view::npos && args.find("<@", first + 2) != std::string_view::npos)
        return usage_error("Please name exactly one person.\n" + usage);
    return usage_error("I need a person, picked with @-autocomplete.\n" + usage);
}

result<command> parse_action(std::string_view args) {
    constexpr std::string_view usage = "Usage: `/incident action <what needs doing> [@owner]`";
    args = trim_ascii_space(args);
    std::string owner;
    // A trailing mention is the owner.
    if (!args.empty() && args.back() == '>') {
        if (const auto at = args.rfind("<@"); at != std::string_view::npos) {
            if (auto id = parse_user_mention(args.substr(at))) {
                owner = std::move(*id);
                args = trim_ascii_space(args.substr(0, at));
            }
        }
    } else if (const auto [last, before] = split_last(args); last.size() > 1 && last.front() == '@') {
        return needs_person("owner");
    }
    std::string text = free_text(args);
    if (text.empty()) return usage_error("What needs doing?\n" + std::string(usage));
    return command{cmd::action_item{std::move(text), std::move(owner)}};
}

// "14:05" or "9:30".
std::optional<cmd::time_of_day> parse_hh_mm(std::string_view s) {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return std::nullopt;
    const auto number = [](std::string_view digits) -> int {
        int v = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    };
    const int h = number(s.substr(0, colon));
    const int m = number(s.substr(colon + 1));
    if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
    return cmd::time_of_day{h, m};
}

// ISO-8601 UTC; seconds may be left out ("2026-11-21T14:05Z").
std::optional<time_point> parse_iso_time(std::string_view s) {
    if (auto t = parse_iso8601(s)) return t;
    if (s.size() > 16 && s[13] == ':' && s[16] != ':') {
        std::string with_seconds(s.substr(0, 16));
        with_seconds += ":00";
        with_seconds += s.substr(16);
        return parse_iso8601(with_seconds);
    }
    return std::nullopt;
}

result<command> parse_detected(std::string_view args) {
    constexpr std::string_view usage =
        "Usage: `/incident detected <time>` where time is UTC: `2026-11-21T14:05Z`, `14:05` (today), or "
        "`20m ago`.";
    const auto [first, rest] = split_first(args);
    if (first.empty()) return usage_error(std::string(usage));
    if (rest.empty()) {
        if (auto t = parse_iso_time(first)) return command{cmd::detected{*t}};
        if (auto hm = parse_hh_mm(first)) return command{cmd::detected{*hm}};
    } else if (ascii_iequals(rest, "ago")) {
        if (auto d = parse_duration(ascii_lower(first))) return command{cmd::detected{cmd::time_ago{*d}}};
    }
    return usage_error("I can't read `" + std::string(trim_ascii_space(args)) + "` as a time.\n" + std::string(usage));
}

result<command> parse_snooze(std::string_view args) {
    constexpr std::string_view usage = "Usage: `/incident snooze <duration>`, e.g. `30m` or `1h30m`.";
    const auto [word, rest] = split_first(args);
    if (word.empty() || !rest.empty()) return usage_error(std::string(usage));
    const auto d = parse_duration(ascii_lower(word));
    if (!d) return usage_error("`" + std::string(word) + "` is not a positive duration.\n" + std::string(usage));
    return command{cmd::snooze{*d}};
}

// Subcommands that take no arguments.
template <class Command>
result<command> no_arguments(std::string_view sub, std::string_view args) {
    if (!args.empty())
        return usage_error("`/incident " + std::string(sub) + "` takes no arguments (got `" + std::string(args) +
                           "`).");
    return command{Command{}};
}

// Text that must be there: note, statuspage.
template <class Command>
result<command> required_text(std::string_view sub, std::string_view args, std::string_view what) {
    std::string text = free_text(args);
    if (text.empty())
        return usage_error("Usage: `/incident " + std::string(sub) + " <" + std::string(what) + ">`");
    return command{Command{std::move(text)}};
}

// ---- channel names --------------------------------------------------------------------------

// ASCII spellings of U+00C0..U+017F (Latin-1 Supplement, Latin Extended-A), "" = not a letter.
constexpr std::array<const char*, 192> latin_fold{
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // U+00C0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",  // U+00D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // U+00E0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",   // U+00F0
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",   // U+0100
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",   // U+0110
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",   // U+0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", // U+0130
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",   // U+0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", // U+0150
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",   // U+0160
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",   // U+0170
};

// Lowercase a-z0-9 and '_', with every run of anything else as one '-', no '-' at either end.
std::string slugify(std::string_view title) {
    std::string slug;
    slug.reserve(title.size());
    auto separator = [&slug] {
        if (!slug.empty() && slug.back() != '-') slug += '-';
    };
    for (std::size_t i = 0; i < title.size();) {
        const auto c = decode_utf8(title, i);
        const char32_t cp = c.value;
        i += c.length;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_')
            slug += static_cast<char>(cp);
        else if (cp >= 'A' && cp <= 'Z')
            slug += static_cast<char>(cp - 'A' + 'a');
        else if (cp >= 0xC0 && cp < 0xC0 + latin_fold.size() && *latin_fold[cp - 0xC0] != '\0')
            slug += latin_fold[cp - 0xC0];
        else
            separator();
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return slug;
}

// `s` cut to at most `max` bytes, at the last '-' when that keeps at least half; no trailing '-'.
std::string cut_at_word(std::string_view s, std::size_t max) {
    if (s.size() > max) {
        std::string_view cut = s.substr(0, max);
        if (s[max] != '-') {
            const auto dash = cut.rfind('-');
            if (dash != std::string_view::npos && dash >= max / 2) cut = cut.substr(0, dash);
        }
        s = cut;
    }
    while (!s.empty() && s.back() == '-') s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

result<command> parse_command(std::string_view raw) {
    const std::string text = normalize_spaces(raw);
    const auto [word, args] = split_first(text);
    if (word.empty()) return command{cmd::help{}};
    const std::string sub = ascii_lower(word);

    if (sub == "help") return command{cmd::help{}};
    if (sub == "start") return parse_start(args);
    if (sub == "ack") return no_arguments<cmd::ack>(sub, args);
    if (sub == "sev") return parse_sev(args);
    if (sub == "status") return parse_status_cmd(args);
    if (sub == "commander") return parse_role(args, role::commander, sub);
    if (sub == "comms") return parse_role(args, role::comms_lead, sub);
    if (sub == "note") return required_text<cmd::note>(sub, args, "text");
    if (sub == "statuspage") return required_text<cmd::statuspage>(sub, args, "what was published");
    if (sub == "action") return parse_action(args);
    if (sub == "resolve") return command{cmd::resolve{free_text(args)}};
    if (sub == "reopen") return command{cmd::reopen{free_text(args)}};
    if (sub == "detected") return parse_detected(args);
    if (sub == "summary") return no_arguments<cmd::summary>(sub, args);
    if (sub == "catchup") return no_arguments<cmd::catchup>(sub, args);
    if (sub == "list") return no_arguments<cmd::list>(sub, args);
    if (sub == "stats") return no_arguments<cmd::stats>(sub, args);
    if (sub == "snooze") return parse_snooze(args);
    return usage_error("I don't know `/incident " + std::string(word) + "`.\n\n" + usage_text());
}

std::string usage_text() {
    return "*Usage:* `/incident <subcommand>`\n"
           "\u2022 `start <title> [sev1..sev5] [--private]` \u2014 declare an incident and open its channel "
           "(`--private`: a private channel)\n"
           "\u2022 `ack` \u2014 acknowledge: you are on it\n"
           "\u2022 `sev <1-5>` \u2014 change the severity (sev1 = complete outage, sev5 = false alarm)\n"
           "\u2022 `status <investigating|identified|monitoring|resolved> [note]` \u2014 move the incident on\n"
           "\u2022 `commander @person` \u2014 name the incident commander\n"
           "\u2022 `comms @person` \u2014 name the communications lead\n"
           "\u2022 `note <text>` \u2014 add a note to the timeline\n"
           "\u2022 `statuspage <text>` \u2014 record what was posted on the status page\n"
           "\u2022 `action <text> [@owner]` \u2014 add a follow-up action item\n"
           "\u2022 `resolve [note]` \u2014 mark the incident resolved\n"
           "\u2022 `reopen [note]` \u2014 reopen a resolved incident\n"
           "\u2022 `detected <2026-11-21T14:05Z | 14:05 | 20m ago>` \u2014 when the problem was first "
           "noticed (UTC)\n"
           "\u2022 `summary` \u2014 post the incident summary\n"
           "\u2022 `catchup` \u2014 catch up: where the incident stands, only you see it\n"
           "\u2022 `list` \u2014 list open incidents\n"
           "\u2022 `stats` \u2014 show response metrics\n"
           "\u2022 `snooze <duration>` \u2014 pause reminders, e.g. `30m`\n"
           "\u2022 `help` \u2014 show this help";
}

std::string channel_name_for(std::string_view title, std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "inc-%04d%02u%02u-", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    const std::string_view head = prefix;
    std::string slug = cut_at_word(slugify(slack_to_readable(title)), max_channel_name - head.size());
    if (slug.empty()) slug = "incident";
    return std::string(head) + slug;
}

std::string channel_name_with_suffix(std::string_view name, int n) {
    if (n < 2) return std::string(name);
    const std::string suffix = "-" + std::to_string(n);
    const std::size_t room = max_channel_name > suffix.size() ? max_channel_name - suffix.size() : 0;
    return cut_at_word(name, room) + suffix;
}

}  // namespace ib
