// The `/incident` slash command: parse the text Slack sends after the command into a typed
// command, or a usage error a user can read; plus the help text and incident channel names.
// Pure functions: no I/O, no clock (`detected HH:MM` returns the hour and minute and leaves the
// date to the caller).
//
// Text conventions (the app manifest sets should_escape: true, see deploy/):
//  - Slack escapes `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`; free text (titles, notes, …) is
//    returned as Slack sent it (Slack text, the one text model of core/text.hpp: a typed
//    `<!channel>` stays `&lt;!channel&gt;`), only trimmed. Slack markup such as `<@U123|bob>` or
//    `<#C1|general>` is kept as is; people are read with parse_user_mention (core/text.hpp).
//  - People arrive as `<@U123|name>` or `<@U123>`; a plain `@name` is refused with a hint to use
//    autocomplete, since only the id identifies someone.
//  - Subcommands are case-insensitive; runs of whitespace (incl. no-break spaces) separate words.
#pragma once

#include "incident.hpp"
#include "result.hpp"
#include "text.hpp"
#include "time.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ib {
namespace cmd {

inline constexpr std::size_t max_title_chars = 150;  // code points as typed (entities decoded), after trimming

struct start {            // start <title> [sev1..sev5] [--private]: declare an incident
    std::string title;    // Slack text: trimmed, inner whitespace and controls collapsed to one space
    std::optional<ib::severity> sev;  // nullopt: the caller's default
    bool is_private = false;          // --private (or "—private", as Slack's clients may type
                                      // it): a private channel instead of a public one
};
struct ack {};            // ack: "I'm on it"
struct set_severity {     // sev <1-5|sevN>
    ib::severity sev;
};
struct set_status {       // status <investigating|identified|monitoring|resolved> [note]
    ib::status to;
    std::string note;     // may be empty
};
struct assign_role {      // commander <@U…> / comms <@U…>
    ib::role which;
    std::string user_id;  // "U123" (or "W123" on Enterprise Grid)
};
struct note {             // note <text>
    std::string text;
};
struct statuspage {       // statuspage <text>: record what was published on the status page
    std::string text;
};
struct action_item {      // action <text> [<@owner>]
    std::string text;
    std::string owner;    // user id of a trailing mention, or ""
};
struct resolve {          // resolve [note]
    std::string note;
};
struct reopen {           // reopen [note]
    std::string note;
};
struct time_of_day {      // detected HH:MM: UTC today; the caller supplies the date
    int hour = 0;         // 0..23
    int minute = 0;       // 0..59
};
struct time_ago {         // detected <duration> ago
    std::chrono::seconds amount{0};  // positive
};
struct detected {         // detected <ISO-8601 | HH:MM | duration ago>
    std::variant<ib::time_point, time_of_day, time_ago> when;
};
struct summary {};        // summary: post the incident summary
struct catchup {};        // catchup: the late joiner's catch-up, to the one who asks (core/catchup.hpp)
struct list {};           // list: open incidents
struct stats {};          // stats: metrics (MTTA, MTTR, …)
struct snooze {           // snooze <duration>: pause reminders
    std::chrono::seconds duration{0};  // positive
};
struct help {};           // help, or empty text

}  // namespace cmd

using command = std::variant<cmd::start, cmd::ack, cmd::set_severity, cmd::set_status, cmd::assign_role, cmd::note,
                             cmd::statuspage, cmd::action_item, cmd::resolve, cmd::reopen, cmd::detected,
                             cmd::summary, cmd::list, cmd::stats, cmd::snooze, cmd::help, cmd::catchup>;

// Parses the text after `/incident`. Empty text and `help …` give cmd::help. Errors (all
// errc::invalid_argument, message in Slack mrkdwn, ready to show the user): unknown
// subcommand (message includes usage_text()), missing or extra arguments, severity outside
// 1..5, unknown status, a title longer than max_title_chars, a person not picked with
// autocomplete, an unparseable time or duration.
result<command> parse_command(std::string_view text);

// Help for every subcommand, one line each, in Slack mrkdwn.
std::string usage_text();

inline constexpr std::size_t max_channel_name = 80;  // Slack's limit

// `inc-YYYYMMDD-<slug>` for an incident declared on `day`: the slug is the title (Slack text, read
// as slack_to_readable shows it) lowercased,
// common accented Latin letters folded to ASCII, every run of other characters turned into a
// single '-', trimmed of '-'; cut at a word boundary when possible so the whole name stays
// within 80 characters. An empty slug becomes "incident". Always a valid Slack channel name.
std::string channel_name_for(std::string_view title, std::chrono::sys_days day);

// The retry name after conversations.create said name_taken: `<name>-<n>` for n >= 2 (the
// name is shortened first if needed, so the result stays within 80 characters); n < 2
// returns `name` unchanged.
std::string channel_name_with_suffix(std::string_view name, int n);

}  // namespace ib
