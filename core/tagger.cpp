// Message tagger. A hand-written tokenizer turns the (prefix of the) text into word, code and
// Slack-reference tokens with the punctuation strength between them; each tag is then decided by
// a few families of linguistic patterns over those tokens. No regex, no allocation per rule beyond
// the token vector, no state outside the call.
#include "tagger.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ib {
namespace {

using sv = std::string_view;

// Very long messages (pasted logs) are judged on a prefix: bounded, predictable work.
constexpr std::size_t judged_prefix = 8192;
// How far (in tokens) a rule looks around a cue; keeps every rule linear in the message.
constexpr std::size_t window = 40;

// ---------------------------------------------------------------------------------------------
// Word lists. Each is sorted (checked at compile time) so lookups are binary searches.

// The same order as sv's operator< (bytes compared as unsigned char, then length), written out:
// list words are short, and a call to memcmp per probe was the tagger's largest cost.
constexpr bool word_less(sv a, sv b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    return a.size() < b.size();
}
// sv's operator==, likewise without a memcmp call (match_phrase runs it for every token).
constexpr bool word_same(sv a, sv b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}
static_assert(word_same("ab", "ab") && !word_same("ab", "abc") && !word_same("ab", "ac"));
static_assert(word_less("ab", "abc") && word_less("abc", "abd") && !word_less("b", "a") && !word_less("a", "a") &&
              word_less("z", "\xc3\xa9"));

template <std::size_t N>
bool in(const sv (&list)[N], sv w) {
    return std::binary_search(std::begin(list), std::end(list), w, word_less);
}

// Command-line tools that count when they appear as something run (see cli_rule).
constexpr sv k_tools[] = {
    "awk", "aws", "az", "cat", "certbot", "curl", "df", "dig", "dmesg", "docker", "du", "etcdctl",
    "find", "free", "gcloud", "git", "grep", "head", "helm", "htop", "iostat", "iptables",
    "journalctl", "jq", "kill", "kubectl", "less", "ls", "lsof", "mongosh", "mtr", "mysql", "nc",
    "netstat", "nslookup", "openssl", "pg_dump", "ping", "ps", "psql", "redis-cli", "scp", "sed",
    "ss", "ssh", "strace", "sudo", "systemctl", "tail", "tcpdump", "telnet", "terraform", "top",
    "traceroute", "uptime", "vmstat", "watch", "wget",
};
static_assert(std::ranges::is_sorted(k_tools));

// Tools whose first argument is a subcommand ("docker ps", "systemctl restart x").
constexpr sv k_subcommand_tools[] = {
    "aws", "az", "certbot", "docker", "etcdctl", "gcloud", "git", "helm", "journalctl", "kubectl",
    "redis-cli", "systemctl", "terraform",
};
static_assert(std::ranges::is_sorted(k_subcommand_tools));

// Tools that are complete commands on their own ("cathy#: top", "top on worker-5").
constexpr sv k_bare_tools[] = {
    "dmesg", "htop", "iostat", "netstat", "top", "uptime", "vmstat",
};
static_assert(std::ranges::is_sorted(k_bare_tools));

constexpr sv k_subcommands[] = {
    "apply", "bisect", "blame", "cordon", "delete", "describe", "diff", "drain", "edit", "events",
    "exec", "fmt", "get", "history", "images", "import", "info", "init", "inspect", "install",
    "keys", "list", "log", "logs", "monitor", "output", "patch", "plan", "port-forward", "ps",
    "pull", "push", "refresh", "reload", "renew", "reset", "restart", "revert", "rollback",
    "rollout", "run", "scale", "show", "start", "stats", "status", "stop", "taint", "top",
    "uncordon", "uninstall", "upgrade", "validate",
};
static_assert(std::ranges::is_sorted(k_subcommands));

// Words after a tool name that show it is prose ("curl isn't installed", "ping me", "top of").
constexpr sv k_prose_breakers[] = {
    "a", "access", "an", "and", "are", "aren't", "as", "but", "can", "can't", "console", "could",
    "dashboard", "did", "didn't", "does", "doesn't", "had", "has", "hasn't", "have", "he", "her",
    "him", "i", "if", "into", "is", "isn't", "it", "it's", "its", "me", "might", "must", "of", "or",
    "our", "seems", "she", "should", "than", "that", "the", "them", "they", "this", "us", "was",
    "wasn't", "we", "were", "when", "which", "who", "will", "won't", "would", "you", "your",
};
static_assert(std::ranges::is_sorted(k_prose_breakers));

// Verbs that introduce a tool as something executed ("ran kubectl …", "try htop").
constexpr sv k_run_verbs[] = {
    "exec", "execute", "executed", "executing", "ran", "reran", "rerun", "run", "running", "runs",
    "tried", "try", "trying", "type", "typed",
};
static_assert(std::ranges::is_sorted(k_run_verbs));

constexpr sv k_sql_heads[] = {
    "alter", "create", "delete", "drop", "explain", "insert", "select", "show", "truncate", "update",
};
static_assert(std::ranges::is_sorted(k_sql_heads));

// -- hypothesis --

// The explanation lexicon: system parts and failure/causal words. A hedge only makes a hypothesis
// when its clause talks about the system ("I think the pool is exhausted"), not about a person or
// a plan ("I think I need coffee", "I think we should meet Monday").
constexpr sv k_explain[] = {
    "affect", "affected", "alb", "amplify", "amplifying", "api", "autoscaler", "backlog", "backup",
    "balancer", "batch", "because", "block", "blocked", "blocking", "bottleneck", "break",
    "breaking", "broke", "broken", "bug", "bundle", "cache", "can't", "canary", "cause", "caused",
    "causing", "cdn", "cert", "certificate", "change", "changed", "client", "cluster", "config",
    "configuration", "connection", "consumer", "container", "corrupt", "corrupted", "couldn't",
    "cpu", "crash", "crashed", "crashing", "cron", "daemon", "database", "db", "deadlock",
    "dependency", "deploy", "deployed", "deployment", "didn't", "disk", "dns", "doesn't", "down",
    "drift", "drop", "dropped", "dropping", "due", "eat", "eating", "edge", "endpoint", "error",
    "exhausted", "expire", "expired", "explain", "fail", "failed", "failing", "failure", "feature",
    "firewall", "flag", "full", "gc", "handshake", "health", "heap", "herd", "hit", "hitting",
    "host", "hypervisor", "image", "import", "index", "ingress", "instance", "io", "issue", "job",
    "kernel", "key", "lag", "latency", "launch", "launched", "leak", "leaking", "limit", "limiter",
    "load", "lock", "locked", "locking", "log", "memory", "migration", "misconfigured", "missing",
    "mtu", "neighbor", "neighbour", "network", "never", "nginx", "node", "ntp", "oom", "outage",
    "overload", "overloaded", "packet", "partition", "patch", "pod", "policy", "pool", "primary",
    "problem", "process", "propagate", "provider", "proxy", "push", "query", "queue", "quota",
    "race", "rate", "reboot", "regression", "release", "reload", "replica", "replication",
    "request", "resolver", "restart", "retry", "rollout", "rotation", "route", "router", "rule",
    "saturate", "saturated", "saturating", "schema", "script", "server", "service", "session",
    "sidecar", "slow", "socket", "spike", "ssl", "stale", "storage", "storm", "stuck", "surge",
    "table", "thread", "throttle", "throttled", "throttling", "timeout", "tls", "token", "traffic",
    "trigger", "unhealthy", "upgrade", "upstream", "version", "vm", "waf", "webhook", "won't",
    "worker", "wrong",
};
static_assert(std::ranges::is_sorted(k_explain));

// Right after a hedge these mark a personal state, an estimate or a dismissal, not a cause.
constexpr sv k_hedge_stop_first[] = {
    "around", "i", "i'd", "i'll", "i'm", "i've", "im", "later", "me", "nope", "not", "so", "soon",
    "tomorrow", "tonight", "until", "yes",
};
static_assert(std::ranges::is_sorted(k_hedge_stop_first));

// Near the hedge these mean approval or time, not an explanation ("sounds good", "a while").
constexpr sv k_hedge_stop_near[] = {
    "better", "correct", "fine", "fun", "good", "great", "guess", "hunch", "idea", "nice", "ok",
    "okay", "plan", "point", "reasonable", "right", "theory", "while", "worse",
};
static_assert(std::ranges::is_sorted(k_hedge_stop_near));

constexpr sv k_modals[] = {
    "can", "could", "have", "may", "might", "must", "need", "needs", "ought", "shall", "should",
    "will",
};
static_assert(std::ranges::is_sorted(k_modals));

constexpr sv k_determiners[] = {
    "a", "an", "another", "its", "our", "same", "some", "that", "the", "their", "these", "this",
    "those", "your",
};
static_assert(std::ranges::is_sorted(k_determiners));

// -- action --

// Operational verbs (base forms): acting on the system or on the response.
constexpr sv k_op_verbs[] = {
    "add", "apply", "archive", "backfill", "ban", "block", "bounce", "bring", "build", "bump",
    "call", "cancel", "capture", "collect", "cordon", "create", "cut", "decrease", "delete",
    "deploy", "disable", "do", "double", "downgrade", "draft", "drain", "drop", "dump", "email",
    "enable", "escalate", "evict", "execute", "fail", "failover", "file", "fix", "flip", "flush",
    "freeze", "grab", "halt", "handle", "hold", "hotfix", "increase", "invalidate", "invite",
    "isolate", "kick", "kill", "loop", "lower", "merge", "message", "migrate", "mitigate", "move",
    "notify", "open", "page", "patch", "pause", "pin", "ping", "post", "promote", "provision", "purge",
    "push", "raise", "reboot", "rebuild", "recreate", "redeploy", "redirect", "reduce", "reindex",
    "reload", "remove", "renew", "replace", "requeue", "reroute", "reset", "resize", "restart",
    "restore", "resume", "revert", "revoke", "roll", "rollback", "rotate", "route", "run", "scale",
    "send", "set", "shift", "ship", "shut", "snapshot", "spin", "start", "stop", "suspend", "swap",
    "switch", "take", "tell", "terminate", "throttle", "toggle", "trigger", "try", "turn",
    "unblock", "uncordon", "unfreeze", "update", "upgrade", "work", "write",
};
static_assert(std::ranges::is_sorted(k_op_verbs));

// Communication verbs: a report that it was done ("posted an update") is the status entry
// itself; only the intent/progress ("I'll post…", "I'm drafting…") is also an action.
constexpr sv k_comms_op_verbs[] = {
    "draft", "email", "message", "notify", "post", "send", "tell",
};
static_assert(std::ranges::is_sorted(k_comms_op_verbs));

// Objects that make an operational-looking verb personal ("grab lunch", "take a look").
constexpr sv k_personal_objects[] = {
    "break", "breakfast", "breath", "coffee", "day", "dinner", "drink", "food", "glance", "look",
    "lunch", "minute", "moment", "nap", "peek", "sec", "second", "shower", "snack", "walk", "water",
    "while",
};
static_assert(std::ranges::is_sorted(k_personal_objects));

// After a sentence-initial -ing form these show it is a subject ("restarting didn't help").
constexpr sv k_gerund_subject_followers[] = {
    "can", "could", "did", "didn't", "does", "doesn't", "fixed", "help", "helped", "helps", "is",
    "isn't", "may", "might", "should", "was", "wasn't", "will", "won't", "worked", "works",
    "would",
};
static_assert(std::ranges::is_sorted(k_gerund_subject_followers));

// Words that may stand between a clause boundary and its verb without changing who acts.
constexpr sv k_clause_fillers[] = {
    "again", "already", "alright", "also", "and", "finally", "first", "just", "now", "ok", "okay",
    "quickly", "so", "still", "then",
};
static_assert(std::ranges::is_sorted(k_clause_fillers));

// Words between an intent marker and its verb ("I'll just go ahead and restart").
constexpr sv k_intent_fillers[] = {
    "actually", "ahead", "also", "and", "asap", "definitely", "first", "go", "immediately", "just",
    "manually", "now", "personally", "probably", "quickly", "start", "then", "to",
};
static_assert(std::ranges::is_sorted(k_intent_fillers));

constexpr sv k_progress_fillers[] = {
    "actively", "almost", "already", "also", "busy", "currently", "done", "finally", "gradually",
    "just", "manually", "nearly", "now", "slowly", "still", "then",
};
static_assert(std::ranges::is_sorted(k_progress_fillers));

// -- status --

constexpr sv k_social[] = {
    "downdetector", "facebook", "hackernews", "instagram", "linkedin", "mastodon", "reddit",
    "tiktok", "tweet", "tweeted", "tweeting", "tweets", "twitter",
};
static_assert(std::ranges::is_sorted(k_social));

constexpr sv k_helpdesks[] = {"freshdesk", "helpdesk", "intercom", "servicedesk", "zendesk"};
static_assert(std::ranges::is_sorted(k_helpdesks));

constexpr sv k_complaints[] = {"complain", "complained", "complaining", "complains", "complaint",
                               "complaints"};
static_assert(std::ranges::is_sorted(k_complaints));

constexpr sv k_customers[] = {"client", "clients", "customer", "customers", "merchant",
                              "merchants", "subscriber", "subscribers", "user", "users"};
static_assert(std::ranges::is_sorted(k_customers));

// What customers do when the incident reaches them.
constexpr sv k_reporting_verbs[] = {
    "asking", "called", "calling", "complained", "complaining", "confirm", "confirmed",
    "confirming", "contacted", "contacting", "emailed", "emailing", "escalated", "escalating",
    "filed", "filing", "flooding", "noticed", "noticing", "opened", "opening", "report",
    "reported", "reporting", "reports", "said", "say", "saying", "says", "telling", "tweeted",
    "tweeting", "writing", "wrote",
};
static_assert(std::ranges::is_sorted(k_reporting_verbs));

// What customers send us ("tickets from enterprise customers").
constexpr sv k_contact_nouns[] = {"calls", "cases", "chats", "emails", "messages", "reports",
                                  "requests", "tickets"};
static_assert(std::ranges::is_sorted(k_contact_nouns));

// People outside the responders who must be kept informed.
constexpr sv k_audience[] = {
    "account", "accounts", "client", "clients", "cs", "customer", "customers", "execs",
    "executives", "leadership", "management", "merchants", "partner", "partners", "sales",
    "stakeholders", "support", "tams", "team", "teams", "them", "users",
};
static_assert(std::ranges::is_sorted(k_audience));

constexpr sv k_stakeholders[] = {
    "cs", "exec", "execs", "executives", "leadership", "legal", "management", "marketing", "pr",
    "sales", "stakeholder", "stakeholders",
};
static_assert(std::ranges::is_sorted(k_stakeholders));

constexpr sv k_asking_verbs[] = {
    "ask", "asked", "asking", "asks", "expect", "expecting", "expects", "need", "needs", "request",
    "requested", "requesting", "want", "wants",
};
static_assert(std::ranges::is_sorted(k_asking_verbs));

constexpr sv k_comms_nouns[] = {
    "announcement", "comms", "communication", "communications", "email", "emails", "eta",
    "message", "messages", "messaging", "notice", "notification", "notifications", "statement",
    "update", "updates",
};
static_assert(std::ranges::is_sorted(k_comms_nouns));

constexpr sv k_comms_verbs[] = {
    "brief", "briefed", "briefing", "email", "emailed", "emailing", "give", "inform", "informed",
    "informing", "message", "messaged", "messaging", "notified", "notify", "notifying", "tell",
    "telling", "told", "update", "updated", "updating", "warn", "warned", "warning",
};
static_assert(std::ranges::is_sorted(k_comms_verbs));

constexpr sv k_comms_words[] = {"announce", "announced", "announcement", "announcements",
                                "announcing", "comms", "press"};
static_assert(std::ranges::is_sorted(k_comms_words));

// What follows "support" when it means our support team, not "support for TLS".
constexpr sv k_support_next[] = {
    "agents", "are", "cases", "channel", "engineers", "escalated", "folks", "has", "have", "is",
    "lead", "leads", "queue", "reps", "requests", "said", "says", "staff", "team", "tickets",
    "wants", "was", "were",
};
static_assert(std::ranges::is_sorted(k_support_next));

constexpr sv k_support_prev[] = {"ask", "asked", "from", "let", "notify", "ping", "pinged",
                                 "tell", "told", "update", "updated"};
static_assert(std::ranges::is_sorted(k_support_prev));

// ---------------------------------------------------------------------------------------------
// Tokens.

enum class tk : std::uint8_t { word, code_span, code_block, user_ref, channel_ref, url_ref, other_ref };

// Strength of the separation before a token.
enum sep : std::uint8_t {
    sep_none = 0,
    sep_comma = 1,
    sep_colon = 2,
    sep_clause = 3,    // ; | em-dash
    sep_sentence = 4,  // . ! ?
    sep_line = 5,      // newline or start of text
};

struct token {
    sv low;     // ASCII-lowercased, edge punctuation stripped; links: label (or target)
    sv orig;    // same span in original case
    sv full;    // original case with the stripped trailing punctuation ("cathy#:")
    sv target;  // links only: lowercased target ("https://status.acme.io", "@u123")
    tk kind = tk::word;
    std::uint8_t gap = sep_none;
    bool quoted = false;
    bool question = false;  // a '?' follows this token
    bool after_pipe = false;
};

struct raw_token {
    std::uint32_t b = 0, e = 0, fe = 0, tb = 0, te = 0;
    tk kind = tk::word;
    std::uint8_t gap = sep_none;
    bool quoted = false;
    bool question = false;
    bool after_pipe = false;
};

// Owns the normalised text; tokens view into it. Never moved once filled.
struct lexed {
    std::string low, orig;
    std::vector<token> toks;
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
bool is_space(char c) { return c == ' ' || c == '\t'; }

void lex(sv s, lexed& out) {
    std::string& lo = out.low;
    std::string& og = out.orig;
    // The normalised text never outgrows the input (entities and UTF-8 punctuation shrink).
    lo.reserve(s.size() + 1);
    og.reserve(s.size() + 1);
    std::vector<raw_token> raws;
    raws.reserve(s.size() / 4 + 4);

    std::uint8_t pending = sep_line;
    bool pending_quote = false;
    bool pending_pipe = false;
    bool in_word = false;
    std::size_t word_b = 0;

    auto raise = [&](std::uint8_t g) { pending = std::max(pending, g); };
    auto put = [&](char c) {
        if (!in_word) {
            in_word = true;
            word_b = lo.size();
        }
        lo.push_back(lower(c));
        og.push_back(c);
    };
    auto push = [&](raw_token r) {
        r.gap = pending;
        if (pending_quote) r.quoted = true;
        r.after_pipe = pending_pipe;
        pending = sep_none;
        pending_quote = false;
        pending_pipe = false;
        raws.push_back(r);
    };
    auto flush = [&]() {
        if (!in_word) return;
        in_word = false;
        std::size_t b = word_b, e = lo.size();
        const std::size_t fe = e;
        bool quoted = false;
        while (b < e && (lo[b] == '\'' || lo[b] == '*')) {
            quoted = quoted || lo[b] == '\'';
            ++b;
        }
        std::uint8_t after = sep_none;
        while (e > b) {
            const char c = lo[e - 1];
            if (c == '.')
                after = std::max<std::uint8_t>(after, sep_sentence);
            else if (c == ':')
                after = std::max<std::uint8_t>(after, sep_colon);
            else if (c == '\'')
                quoted = true;  // closing quote, or plural possessive ("customers'")
            else
                break;
            --e;
        }
        // "> text" (Slack escapes it as "&gt;") is a block-quote marker, not a word.
        const bool quote_marker = e - b == 1 && lo[b] == '>' && pending == sep_line;
        if (e > b && !quote_marker) {
            raw_token r;
            r.b = static_cast<std::uint32_t>(b);
            r.e = static_cast<std::uint32_t>(e);
            r.fe = static_cast<std::uint32_t>(fe);
            r.quoted = quoted;
            push(r);
        }
        raise(after);
    };
    auto push_empty = [&](tk kind) {
        raw_token r;
        r.b = r.e = r.fe = static_cast<std::uint32_t>(lo.size());
        r.kind = kind;
        push(r);
    };

    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const char c = s[i];
        const auto uc = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r') {
            flush();
            raise(sep_line);
            ++i;
            continue;
        }
        if (uc < 0x20 || uc == 0x7f || c == ' ') {  // NUL and other controls are spacing
            flush();
            ++i;
            continue;
        }
        if (c == '`') {
            flush();
            if (s.compare(i, 3, "```") == 0) {
                const std::size_t close = s.find("```", i + 3);
                const std::size_t end = close == sv::npos ? n : close;
                bool content = false;
                for (std::size_t k = i + 3; k < end && !content; ++k)
                    content = !is_space(s[k]) && s[k] != '\n' && s[k] != '\r';
                if (content) {
                    push_empty(tk::code_block);
                    raise(sep_line);
                }
                i = close == sv::npos ? n : close + 3;
                continue;
            }
            std::size_t close = i + 1;
            while (close < n && s[close] != '`' && s[close] != '\n') ++close;
            if (close < n && s[close] == '`') {
                bool content = false;
                for (std::size_t k = i + 1; k < close && !content; ++k) content = !is_space(s[k]);
                if (content) {
                    push_empty(tk::code_span);
                    i = close + 1;
                    continue;
                }
            }
            ++i;  // stray backtick
            continue;
        }
        if (c == '<') {
            // Slack markup: <@U1>, <@U1|bob>, <#C1|chan>, <!here>, <https://x|label>. Opaque.
            flush();
            std::size_t close = i + 1, bar = sv::npos;
            bool ok = true;
            for (; close < n && close - i < 1024; ++close) {
                const char d = s[close];
                if (d == '>') break;
                if (d == '\n' || d == '<') {
                    ok = false;
                    break;
                }
                if (d == '|' && bar == sv::npos)
                    bar = close;
                else if (bar == sv::npos && is_space(d)) {
                    ok = false;
                    break;
                }
            }
            ok = ok && close < n && s[close] == '>' && close > i + 1;
            if (ok) {
                const sv target = s.substr(i + 1, (bar == sv::npos ? close : bar) - i - 1);
                const sv label = bar == sv::npos ? sv{} : s.substr(bar + 1, close - bar - 1);
                tk kind = tk::word;
                if (!target.empty() && target[0] == '@')
                    kind = tk::user_ref;
                else if (!target.empty() && target[0] == '#')
                    kind = tk::channel_ref;
                else if (!target.empty() && target[0] == '!')
                    kind = tk::other_ref;
                else if (target.find("://") != sv::npos || target.substr(0, 7) == "mailto:")
                    kind = tk::url_ref;
                if (kind != tk::word) {
                    raw_token r;
                    r.kind = kind;
                    r.tb = static_cast<std::uint32_t>(lo.size());
                    for (char d : target) {
                        lo.push_back(lower(d));
                        og.push_back(d);
                    }
                    r.te = static_cast<std::uint32_t>(lo.size());
                    r.b = r.te;
                    for (char d : label) {
                        lo.push_back(lower(d));
                        og.push_back(d);
                    }
                    r.e = r.fe = static_cast<std::uint32_t>(lo.size());
                    if (label.empty()) r.b = r.tb;  // no label: the target stands for itself
                    push(r);
                    i = close + 1;
                    continue;
                }
            }
            ++i;  // a literal '<' (comparison): a separator
            continue;
        }
        if (c == '&') {  // Slack escapes & < > in message text
            if (s.compare(i, 4, "&gt;") == 0) {
                put('>');
                i += 4;
                continue;
            }
            if (s.compare(i, 4, "&lt;") == 0) {
                put('<');
                i += 4;
                continue;
            }
            if (s.compare(i, 5, "&amp;") == 0) {
                put('&');
                i += 5;
                continue;
            }
        }
        if (uc == 0xE2 && i + 2 < n && static_cast<unsigned char>(s[i + 1]) == 0x80) {
            const auto u3 = static_cast<unsigned char>(s[i + 2]);
            if (u3 == 0x98 || u3 == 0x99) {  // ‘ ’ are apostrophes
                put('\'');
                i += 3;
                continue;
            }
            if (u3 == 0x9C || u3 == 0x9D) {  // “ ”
                flush();
                pending_quote = true;
                i += 3;
                continue;
            }
            if (u3 == 0x93 || u3 == 0x94) {  // – — separate clauses
                flush();
                raise(sep_clause);
                i += 3;
                continue;
            }
            if (u3 == 0xA6) {  // …
                flush();
                raise(sep_sentence);
                i += 3;
                continue;
            }
        }
        if (uc == 0xC2 && i + 1 < n && static_cast<unsigned char>(s[i + 1]) == 0xA0) {  // nbsp
            flush();
            i += 2;
            continue;
        }
        switch (c) {
            case ',':
                flush();
                raise(sep_comma);
                ++i;
                continue;
            case ';':
            case '|':
                flush();
                raise(sep_clause);
                pending_pipe = c == '|';
                ++i;
                continue;
            case '!':
                flush();
                raise(sep_sentence);
                ++i;
                continue;
            case '?':
                flush();
                if (!raws.empty()) raws.back().question = true;
                raise(sep_sentence);
                ++i;
                continue;
            case '"':
                if (in_word) {
                    flush();
                    if (!raws.empty()) raws.back().quoted = true;
                } else {
                    pending_quote = true;
                }
                ++i;
                continue;
            case '(':
            case ')':
            case '[':
            case ']':
            case '{':
            case '}':
                flush();
                ++i;
                continue;
            default:
                break;
        }
        put(c);
        ++i;
    }
    flush();

    const sv lo_v = lo, og_v = og;
    out.toks.reserve(raws.size());
    for (const raw_token& r : raws) {
        token t;
        t.low = lo_v.substr(r.b, r.e - r.b);
        t.orig = og_v.substr(r.b, r.e - r.b);
        t.full = og_v.substr(r.b, r.fe - r.b);
        t.target = lo_v.substr(r.tb, r.te - r.tb);
        t.kind = r.kind;
        t.gap = r.gap;
        t.quoted = r.quoted;
        t.question = r.question;
        t.after_pipe = r.after_pipe;
        out.toks.push_back(t);
    }
}

// ---------------------------------------------------------------------------------------------
// Token helpers.

struct view {
    const std::vector<token>& t;

    std::size_t size() const { return t.size(); }
    // The word at i, or "" for code, links and out-of-range.
    sv w(std::size_t i) const { return i < t.size() && t[i].kind == tk::word ? t[i].low : sv{}; }
    // Token i continues the phrase of token i-1 (no punctuation between them).
    bool joined(std::size_t i) const { return i < t.size() && t[i].gap == sep_none; }
    bool is_ref(std::size_t i) const {
        return i < t.size() && t[i].kind != tk::word && t[i].kind != tk::code_span &&
               t[i].kind != tk::code_block;
    }
    // Index of the first token of the clause holding i (boundaries: ; — | . ! ? newline).
    std::size_t clause_begin(std::size_t i) const {
        std::size_t k = i, steps = 0;
        while (k > 0 && t[k].gap < sep_clause && steps++ < window) --k;
        return k;
    }
    // One past the last token of the clause holding i.
    std::size_t clause_end(std::size_t i) const {
        std::size_t k = i + 1, steps = 0;
        while (k < t.size() && t[k].gap < sep_clause && steps++ < window) ++k;
        return k;
    }
    // The sentence holding i ends with '?'.
    bool in_question(std::size_t i) const {
        std::size_t k = i, steps = 0;
        while (k < t.size() && steps++ < window) {
            if (t[k].question) return true;
            if (k + 1 < t.size() && t[k + 1].gap >= sep_sentence) return false;
            ++k;
        }
        return false;
    }
};

// Equality of a token with a list word, accepting apostrophe-less chat spellings ("im", "its").
bool word_eq(sv tok, sv word) {
    if (word_same(tok, word)) return true;
    if (word.find('\'') == sv::npos || tok.size() + 1 != word.size()) return false;
    // Contractions whose apostrophe-less form is another word are never loosened.
    if (word == "i'll" || word == "we'll" || word == "we're" || word == "he'll" ||
        word == "she'll" || word == "i'd" || word == "we'd" || word == "she'd" || word == "he'd")
        return false;
    std::size_t a = 0;
    for (char c : word) {
        if (c == '\'') continue;
        if (a >= tok.size() || tok[a] != c) return false;
        ++a;
    }
    return a == tok.size();
}

// Number of tokens of the space-separated phrase matched at i (0 if none).
std::size_t match_phrase(const view& v, std::size_t i, sv phrase) {
    // Cheap reject first: this runs for every token against every phrase table.
    const sv first = v.w(i);
    if (first.empty() || phrase.empty() || first[0] != phrase[0]) return 0;
    std::size_t k = i;
    while (!phrase.empty()) {
        const std::size_t sp = phrase.find(' ');
        const sv word = phrase.substr(0, sp);
        if (k >= v.size() || (k > i && !v.joined(k)) || !word_eq(v.w(k), word)) return 0;
        ++k;
        phrase = sp == sv::npos ? sv{} : phrase.substr(sp + 1);
    }
    return k - i;
}

bool ends_with(sv w, sv suffix) {
    return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

// Lemma lookup for plurals: "pods" -> "pod", "retries" -> "retry".
template <std::size_t N>
bool in_lemma(const sv (&list)[N], sv w) {
    if (w.empty()) return false;
    if (in(list, w)) return true;
    if (w.size() > 3 && w.back() == 's' && in(list, w.substr(0, w.size() - 1))) return true;
    if (w.size() > 4 && ends_with(w, "ies")) {
        std::array<char, 40> buf{};
        if (w.size() - 2 > buf.size()) return false;
        const std::size_t stem = w.size() - 3;
        std::copy_n(w.begin(), stem, buf.begin());
        buf[stem] = 'y';
        return in(list, sv(buf.data(), stem + 1));
    }
    return false;
}

// "502s", "5xx", "404": HTTP status codes are about system behaviour.
bool http_code(sv w) {
    if (w.size() < 3 || (w[0] != '4' && w[0] != '5')) return false;
    const sv rest = w.substr(1, 2);
    const bool digits = is_digit(rest[0]) && is_digit(rest[1]);
    const bool xx = rest == "xx";
    return (digits || xx) && (w.size() == 3 || (w.size() == 4 && w[3] == 's'));
}

// "worker-5", "10.4.2.15", "payments.internal", "db3".
bool host_like(sv w) {
    bool digit = false, dot_or_dash = false, letter_dot_letter = false, letter_then_digit = false;
    for (std::size_t k = 0; k < w.size(); ++k) {
        const char c = w[k];
        if (is_digit(c)) {
            digit = true;
            if (k > 0 && is_alpha(w[k - 1])) letter_then_digit = true;
        }
        if (c == '-' || c == '.') dot_or_dash = true;
        if (c == '.' && k > 0 && k + 1 < w.size() && is_alpha(w[k - 1]) && is_alpha(w[k + 1]))
            letter_dot_letter = true;
    }
    if (w.empty() || w.back() == '-' || w.front() == '-') return false;
    return (digit && dot_or_dash) || letter_dot_letter || letter_then_digit;
}

// A token that looks like a command argument: a flag, path, host, number, glob, quoted string.
bool arg_like(const token& t) {
    if (t.kind == tk::url_ref || t.kind == tk::code_span) return true;
    if (t.kind != tk::word) return false;
    const sv w = t.low;
    if (t.quoted || w.empty()) return t.quoted;
    if (w.size() >= 2 && (w[0] == '-' || w[0] == '+') && (is_alnum(w[1]) || w[1] == '-'))
        return true;
    if (w.find_first_of("/=*$~@") != sv::npos) return true;
    if (host_like(w)) return true;
    return std::all_of(w.begin(), w.end(), is_digit);
}

// ---------------------------------------------------------------------------------------------
// Verb morphology for the action rules. Returns the base form from the operational-verb list.

enum class vform { base, ing, past };

std::optional<sv> find_verb(sv cand) {
    const auto it = std::lower_bound(std::begin(k_op_verbs), std::end(k_op_verbs), cand, word_less);
    if (it != std::end(k_op_verbs) && *it == cand) return *it;
    if (cand.size() > 4 && cand.substr(0, 2) == "re") {  // "redeployed", "reenabled"
        const sv rest = cand.substr(2);
        const auto it2 = std::lower_bound(std::begin(k_op_verbs), std::end(k_op_verbs), rest, word_less);
        if (it2 != std::end(k_op_verbs) && *it2 == rest) return *it2;
    }
    return std::nullopt;
}

std::optional<sv> op_verb(sv w, vform f) {
    // Hyphenated forms are judged by their head: "re-enabled", "force-pushed".
    const std::size_t dash = w.rfind('-');
    if (dash != sv::npos && dash + 1 < w.size()) w = w.substr(dash + 1);
    if (w.size() < 2 || w.size() > 30) return std::nullopt;
    std::array<char, 40> buf{};
    auto try_stem = [&](sv stem, sv suffix) -> std::optional<sv> {
        std::copy(stem.begin(), stem.end(), buf.begin());
        std::copy(suffix.begin(), suffix.end(), buf.begin() + static_cast<std::ptrdiff_t>(stem.size()));
        return find_verb(sv(buf.data(), stem.size() + suffix.size()));
    };
    switch (f) {
        case vform::base:
            return find_verb(w);
        case vform::ing: {
            if (w.size() < 5 || !ends_with(w, "ing")) return std::nullopt;
            const sv stem = w.substr(0, w.size() - 3);
            if (auto v = try_stem(stem, "")) return v;    // restarting
            if (auto v = try_stem(stem, "e")) return v;   // scaling
            if (stem.size() > 2 && stem[stem.size() - 1] == stem[stem.size() - 2])
                return try_stem(stem.substr(0, stem.size() - 1), "");  // stopping
            return std::nullopt;
        }
        case vform::past: {
            struct irregular {
                sv past, base;
            };
            static constexpr irregular k_irregular[] = {
                {"brought", "bring"}, {"built", "build"}, {"cut", "cut"},   {"did", "do"},
                {"held", "hold"},     {"ran", "run"},     {"rebuilt", "rebuild"},
                {"reran", "run"},     {"reset", "reset"}, {"sent", "send"}, {"set", "set"},
                {"shut", "shut"},     {"spun", "spin"},   {"took", "take"}, {"wrote", "write"},
            };
            for (const auto& ir : k_irregular)
                if (ir.past == w) return find_verb(ir.base);
            if (w.size() < 4 || !ends_with(w, "ed")) return std::nullopt;
            const sv stem = w.substr(0, w.size() - 2);
            if (auto v = try_stem(stem, "")) return v;  // restarted
            if (auto v = try_stem(stem, "e")) return v;  // scaled
            if (ends_with(stem, "i"))                    // applied
                if (auto v = try_stem(stem.substr(0, stem.size() - 1), "y")) return v;
            if (stem.size() > 2 && stem[stem.size() - 1] == stem[stem.size() - 2])
                return try_stem(stem.substr(0, stem.size() - 1), "");  // stopped
            return std::nullopt;
        }
    }
    return std::nullopt;
}

bool first_person_subject(sv w) {
    return w == "i" || word_eq(w, "i'm") || w == "i'll" || w == "i've" || w == "i'd" ||
           w == "we" || w == "we're" || w == "we'll" || w == "we've";
}

// i starts a clause, possibly after transparent words ("and", "just", a user mention).
bool clause_start(const view& v, std::size_t i, bool allow_adverbs) {
    std::size_t k = i, steps = 0;
    while (steps++ < 8) {
        if (k == 0 || v.t[k].gap >= sep_comma) return true;
        const std::size_t p = k - 1;
        const sv w = v.w(p);
        // "… on the host and I killed it": a conjunction before a subject opens a clause.
        if ((w == "and" || w == "but" || w == "so" || w == "then") && first_person_subject(v.w(k)))
            return true;
        const bool transparent = v.t[p].kind == tk::user_ref || in(k_clause_fillers, w) ||
                                 (allow_adverbs && w.size() > 4 && ends_with(w, "ly"));
        if (!transparent) return false;
        k = p;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// hypothesis: a hedge that introduces an explanation of the system's behaviour.

struct hedge {
    sv phrase;
    bool np;           // may be followed directly by the suspected cause ("could be the LB rule")
    bool needs_colon;  // a label ("hypothesis: …"), not the word used in passing
    bool trailing;     // may also close the clause it qualifies ("…, probably")
};

// Longer phrases first where they share a first word.
constexpr hedge k_hedges[] = {
    // phrase              np    needs_colon trailing
    {"any chance",         true, false, false},
    {"apparently",         true, false, false},
    {"appears to be",      true, false, false},
    {"appears",            false, false, false},
    {"could it be",        true, false, false},
    {"could this be",      true, false, false},
    {"could that be",      true, false, false},
    {"could be",           true, false, false},
    {"could have",         false, false, false},
    {"do you think",       false, false, false},
    {"fairly sure",        false, false, false},
    {"feels like",         true, false, false},
    {"hypothesis",         true, true, false},
    {"i bet",              false, false, false},
    {"i believe",          false, false, false},
    {"i guess",            false, false, true},
    {"i suspect",          true, false, true},
    {"i think",            false, false, true},
    {"i wonder if",        false, false, false},
    {"i wonder whether",   false, false, false},
    {"i reckon",           false, false, false},
    {"i'd guess",          false, false, false},
    {"i'm guessing",       false, false, false},
    {"is it possible",     false, false, false},
    {"likely",             true, false, true},
    {"look like",          true, false, false},
    {"looks like",         true, false, false},
    {"may be",             true, false, false},
    {"may have",           false, false, false},
    {"maybe",              true, false, true},
    {"might be",           true, false, false},
    {"might have",         false, false, false},
    {"must be",            true, false, false},
    {"must have",          false, false, false},
    {"my bet",             true, false, false},
    {"my guess",           true, false, false},
    {"my hunch",           true, false, false},
    {"my money's on",      true, false, false},
    {"my money is on",     true, false, false},
    {"my theory",          true, false, false},
    {"perhaps",            true, false, true},
    {"possibly",           true, false, true},
    {"pretty sure",        false, false, false},
    {"prob",               true, false, false},
    {"probably",           true, false, true},
    {"seems like",         true, false, false},
    {"seems to be",        true, false, false},
    {"seems",              false, false, false},
    {"seem to",            false, false, false},
    {"smells like",        true, false, false},
    {"sounds like",        true, false, false},
    {"suspect",            true, false, false},
    {"that would explain", false, false, false},
    {"that explains",      false, false, false},
    {"theory",             true, true, false},
    {"what if",            false, false, false},
    {"wonder if",          false, false, false},
    {"wondering if",       false, false, false},
    {"wonder whether",     false, false, false},
    {"wondering whether",  false, false, false},
    {"would explain",      false, false, false},
};

// The clause right after the hedge is personal ("I need coffee"), a plan ("we should …"),
// an estimate ("around 4pm") or a verdict ("sounds good"): not an explanation.
bool hedge_vetoed(const view& v, std::size_t i, std::size_t j) {
    if (i > 0 && v.joined(i)) {
        const sv prev = v.w(i - 1);
        // "we should probably …", "I'll probably …", "not likely", "don't think"
        if (prev == "should" || prev == "shall" || prev == "will" || prev == "would" ||
            word_eq(prev, "i'll") || word_eq(prev, "we'll") || prev == "not" ||
            word_eq(prev, "don't"))
            return true;
    }
    if (j >= v.size() || v.t[j].gap >= sep_clause) return true;  // "I think so." / nothing follows
    const sv first = v.w(j);
    if (in(k_hedge_stop_first, first)) return true;
    const sv second = v.joined(j + 1) ? v.w(j + 1) : sv{};
    if ((first == "we" || first == "you") && in(k_modals, second)) return true;
    if (word_eq(first, "let's") || first == "we'd" || first == "you'll" || first == "we'll")
        return true;
    // Look at the first few content words for approval/time words.
    std::size_t seen = 0;
    for (std::size_t k = j; k < v.size() && k < j + 6 && seen < 3; ++k) {
        if (k > j && v.t[k].gap >= sep_comma) break;
        const sv w = v.w(k);
        if (w == "it's" || w == "that's" || w == "this" || w == "that" || w == "is" ||
            w == "be" || w == "a" || w == "an" || w == "the" || w == "it" || w == "really" ||
            w == "very" || w == "pretty" || w == "quite")
            continue;
        if (in(k_hedge_stop_near, w)) return true;
        ++seen;
    }
    return false;
}

// "could be the new rule", "probably a surge", "I think it's the rate limiter".
bool names_a_cause(const view& v, const hedge& h, std::size_t j) {
    std::size_t k = j;
    if (!h.np) {
        // Clause-taking hedges name a cause only through a copula: "I think it's the …".
        const sv w = v.w(k);
        if (word_eq(w, "it's") || word_eq(w, "that's"))
            ++k;
        else if ((w == "it" || w == "that" || w == "this") && v.joined(k + 1) &&
                 (v.w(k + 1) == "is" || v.w(k + 1) == "was"))
            k += 2;
        else
            return false;
    } else {
        for (int skip = 0; skip < 2 && k < v.size(); ++skip) {
            if (k > j && !v.joined(k)) break;
            const sv w = v.w(k);
            if (in(k_determiners, w)) break;
            if (word_eq(w, "it's") || w == "it" || w == "is" || w == "was" || w == "be" ||
                w == "been" || w == "just" || w == "only" || w == "also" || w == "again" ||
                word_eq(w, "that's"))
                ++k;
            else
                break;
        }
    }
    if (k >= v.size() || (k > j && !v.joined(k))) return false;
    if (!in(k_determiners, v.w(k))) return false;
    // Something must follow the determiner in the same clause.
    return k + 1 < v.size() && v.t[k + 1].gap < sep_clause;
}

bool explanation_word(const view& v, std::size_t k) {
    const sv w = v.w(k);
    if (w.empty()) return false;
    if (in_lemma(k_explain, w) || http_code(w)) return true;
    // "not working", "not sending", "not healthy"
    if (w == "not" && v.joined(k + 1)) {
        const sv next = v.w(k + 1);
        return ends_with(next, "ing") || next == "healthy" || next == "ready" ||
               next == "reachable" || next == "up" || next == "available";
    }
    // "took out", "knocked over"
    if ((w == "took" || w == "knocked" || w == "taking") && v.joined(k + 1))
        return v.w(k + 1) == "out" || v.w(k + 1) == "down";
    return false;
}

bool explains_system(const view& v, std::size_t hedge_b, std::size_t hedge_e) {
    const std::size_t b = v.clause_begin(hedge_b);
    const std::size_t e = hedge_e < v.size() ? v.clause_end(hedge_e) : v.size();
    for (std::size_t k = b; k < e; ++k) {
        if (k >= hedge_b && k < hedge_e) continue;  // "would explain" is the hedge itself
        if (explanation_word(v, k)) return true;
    }
    return false;
}

// "could the TLS handshake be timing out …?", "might the cron be holding the lock?": a question
// that asks whether something (not someone) is the cause.
bool split_question_hedge(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (w != "could" && w != "might" && w != "can") return false;
    if (!clause_start(v, i, false) || !v.in_question(i) || !v.joined(i + 1)) return false;
    const sv subj = v.w(i + 1);
    if (!in(k_determiners, subj) && subj != "it") return false;
    for (std::size_t k = i + 2; k < v.size() && k < i + 8; ++k) {
        if (!v.joined(k)) return false;
        if (v.w(k) == "be" || v.w(k) == "have") return explains_system(v, i, i + 1);
    }
    return false;
}

std::optional<tag_hit> hypothesis_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v.w(i).empty()) continue;
        bool matched = false;
        for (const hedge& h : k_hedges) {
            const std::size_t len = match_phrase(v, i, h.phrase);
            if (len == 0) continue;
            const std::size_t j = i + len;
            matched = true;
            if (h.needs_colon) {
                const bool label = j < v.size() && (v.t[j].gap == sep_colon || v.w(j) == "is");
                if (!label) break;
            }
            // "the timing suggests the cache warmup, maybe": a hedge closing its clause qualifies
            // what came before it.
            const bool closes_clause = j >= v.size() || v.t[j].gap >= sep_clause;
            if (closes_clause) {
                if (h.trailing && i > v.clause_begin(i) && explains_system(v, i, j))
                    return tag_hit{tag::hypothesis, "hedge:" + std::string(h.phrase)};
                break;
            }
            if (hedge_vetoed(v, i, j)) break;
            if (names_a_cause(v, h, j) || explains_system(v, i, j))
                return tag_hit{tag::hypothesis, "hedge:" + std::string(h.phrase)};
            break;  // the longest hedge at this position decided
        }
        if (!matched && split_question_hedge(v, i))
            return tag_hit{tag::hypothesis, "hedge:could…be?"};
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// command: code, shell/REPL prompts, SQL statements, CLI tools used as commands.

bool line_start(const view& v, std::size_t i) { return i == 0 || v.t[i].gap >= sep_line; }

// A line-initial shell or REPL prompt: "$ ", "root@db-1:~#", "cathy#:", "mysql>", "postgres=#".
std::optional<std::string> prompt_at(const view& v, std::size_t i) {
    if (!line_start(v, i) || v.t[i].kind != tk::word) return std::nullopt;
    const bool more = i + 1 < v.size() && v.t[i + 1].gap < sep_line;
    if (!more) return std::nullopt;
    const sv f = v.t[i].full;
    if (f == "$" || f == "%") return std::string("prompt:$");
    if (f.size() < 2) return std::nullopt;
    for (char c : f)
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.' && c != '@' && c != ':' &&
            c != '~' && c != '/' && c != '#' && c != '$' && c != '>' && c != '=')
            return std::nullopt;
    const std::size_t at = f.find('@');
    const char last = f.back();
    if (at != sv::npos && at > 0 && (last == '#' || last == '$')) return std::string("prompt:user@host");
    if (ends_with(f, "#:") || ends_with(f, "$:") || ends_with(f, "=#") || ends_with(f, "=>"))
        return std::string(last == '>' ? "prompt:repl>" : "prompt:host#");
    if (last == '#' || last == '$' || last == '>') {
        // A bare "name#" / "name>" only when a command follows it ("mysql> SHOW …").
        if (!is_alnum(f[0])) return std::nullopt;
        const sv next = v.w(i + 1);
        if (in(k_tools, next) || in(k_sql_heads, next))
            return std::string(last == '>' ? "prompt:repl>" : "prompt:host#");
    }
    return std::nullopt;
}

// Position where a command may begin: clause start, after a prompt, after a run verb or sudo.
bool command_position(const view& v, std::size_t i) {
    if (clause_start(v, i, false)) return true;
    if (i == 0) return true;
    const sv prev = v.w(i - 1);
    return in(k_run_verbs, prev) || prev == "sudo" || prompt_at(v, i - 1).has_value();
}

std::optional<std::string> sql_at(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (!in(k_sql_heads, w)) return std::nullopt;
    if (!command_position(v, i)) return std::nullopt;
    const bool caps = v.t[i].orig.size() > 1 && v.t[i].orig[0] >= 'A' && v.t[i].orig[0] <= 'Z' &&
                      v.t[i].orig[1] >= 'A' && v.t[i].orig[1] <= 'Z';
    auto ident = [&](std::size_t k) {
        const sv x = v.w(k);
        return !x.empty() && !in(k_determiners, x) && x != "my" && x != "it" && x != "them";
    };
    if (w == "select") {
        bool signal = caps;
        for (std::size_t k = i + 1; k < v.size() && k < i + window; ++k) {
            if (v.t[k].gap >= sep_clause) break;
            const sv x = v.w(k);
            if (x == "*" || x == "count" || x == "distinct" || v.t[k].gap == sep_comma) signal = true;
            if (x == "from" && k + 1 < v.size() && v.t[k + 1].gap < sep_clause) {
                for (std::size_t m = k + 1; m < v.size() && m < k + window && !signal; ++m) {
                    if (v.t[m].gap >= sep_clause) break;
                    const sv y = v.w(m);
                    signal = y == "where" || y == "limit" || y == "join" || y == "group" ||
                             y == "order" || v.t[m].question;
                }
                if (signal || (k + 1 < v.size() && v.t[k + 1].gap == sep_none && v.w(k + 1).find('_') != sv::npos))
                    return std::string("sql:select");
                return std::nullopt;
            }
        }
        return std::nullopt;
    }
    if (w == "update" && v.joined(i + 1) && ident(i + 1) && v.joined(i + 2) && v.w(i + 2) == "set")
        return std::string("sql:update");
    if (w == "delete" && v.joined(i + 1) && v.w(i + 1) == "from" && v.joined(i + 2) && ident(i + 2))
        return std::string("sql:delete");
    if (w == "insert" && v.joined(i + 1) && v.w(i + 1) == "into" && v.joined(i + 2) && ident(i + 2))
        return std::string("sql:insert");
    if (w == "show" && v.joined(i + 1)) {
        std::size_t k = i + 1;
        if (v.w(k) == "full" && v.joined(k + 1)) ++k;
        const sv x = v.w(k);
        if (x == "processlist" || x == "tables" || x == "databases" || x == "grants" ||
            x == "variables" || x == "slave" || x == "replica" || x == "engine")
            return std::string("sql:show");
    }
    if (w == "explain" && v.joined(i + 1) && (v.w(i + 1) == "analyze" || v.w(i + 1) == "select"))
        return std::string("sql:explain");
    if ((w == "alter" || w == "create" || w == "drop" || w == "truncate") && v.joined(i + 1)) {
        const sv x = v.w(i + 1);
        if ((x == "table" || x == "index" || x == "database") && v.joined(i + 2) && ident(i + 2) &&
            (caps || w == "alter" || w == "truncate"))
            return std::string("sql:ddl");
    }
    return std::nullopt;
}

// A known tool used as something run: at a command position with arguments, a subcommand,
// "on <host>", or on its own for tools that need no arguments; anywhere when flags follow.
std::optional<std::string> cli_at(const view& v, std::size_t i) {
    sv tool = v.w(i);
    // grep doubles as a verb: "grep for X in …", "grepping the logs for 499s".
    if (tool == "grepping" || tool == "grepped") return std::string("cli:grep");
    if (!in(k_tools, tool)) return std::nullopt;
    const bool positioned = command_position(v, i);
    std::size_t a = i + 1;  // first argument
    if (tool == "sudo") {
        if (!v.joined(a)) return std::nullopt;
        if (in(k_tools, v.w(a)) && v.w(a) != "sudo") {
            tool = v.w(a);
            ++a;
        } else if (positioned && arg_like(v.t[a])) {
            return std::string("cli:sudo");
        } else {
            return std::nullopt;
        }
    }
    const std::string name = "cli:" + std::string(tool);
    const bool has_arg = a < v.size() && v.t[a].gap < sep_clause;
    // A tool after a run verb or a shell pipe is run whatever follows it.
    const bool after_run_verb =
        (i > 0 && in(k_run_verbs, v.w(i - 1)) && v.joined(i)) || v.t[i].after_pipe;

    if (!positioned) {
        // Mid-sentence only with unmistakable flags: "check with kubectl -n x get pods".
        if (has_arg && v.joined(a) && arg_like(v.t[a]) && !v.t[a].low.empty() && v.t[a].low[0] == '-')
            return name;
        if (has_arg && in(k_subcommand_tools, tool) && in(k_subcommands, v.w(a)) &&
            a + 1 < v.size() && v.joined(a + 1) && arg_like(v.t[a + 1]))
            return name;
        return std::nullopt;
    }
    if (!has_arg) {
        if (after_run_verb || (in(k_bare_tools, tool) && line_start(v, i)) ||
            (in(k_bare_tools, tool) && i > 0 && prompt_at(v, i - 1)))
            return name;
        return std::nullopt;
    }
    if (tool == "grep" && (v.w(a) == "for" || v.w(a) == "through")) return name;
    if (after_run_verb && !in(k_prose_breakers, v.w(a))) return name;
    if (in(k_subcommand_tools, tool) && v.joined(a) && in(k_subcommands, v.w(a))) return name;
    // Arguments within the next few tokens, unless prose intervenes ("ping me", "top of the hour").
    for (std::size_t k = a; k < v.size() && k < a + 4; ++k) {
        if (k > a && v.t[k].gap >= sep_clause) break;
        if (in(k_prose_breakers, v.w(k))) break;
        if (arg_like(v.t[k])) return name;
        if (k == a && v.t[k].gap == sep_colon) break;
    }
    // "top on worker-5:"
    if (in(k_bare_tools, tool) && v.joined(a) && v.t[a].gap == sep_none) {
        const sv p = v.w(a);
        if ((p == "on" || p == "at") && a + 1 < v.size() && host_like(v.w(a + 1))) return name;
    }
    if (in(k_bare_tools, tool) && v.t[a].gap == sep_colon) return name;
    return std::nullopt;
}

std::optional<tag_hit> command_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v.t[i].kind == tk::code_block) return tag_hit{tag::command, "code-block"};
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v.t[i].kind == tk::code_span) return tag_hit{tag::command, "code-span"};
    for (std::size_t i = 0; i < v.size(); ++i)
        if (auto p = prompt_at(v, i)) return tag_hit{tag::command, *p};
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto s = sql_at(v, i)) return tag_hit{tag::command, *s};
        if (auto c = cli_at(v, i)) return tag_hit{tag::command, *c};
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// action: intent to act, or an action in progress/taken, by the writer on the system/response.

// Phrasal verbs need their particle to be operational ("fail over", not "failed to load").
bool particle_ok(const view& v, sv lemma, std::size_t i) {
    auto near = [&](std::initializer_list<sv> parts, std::size_t reach) {
        for (std::size_t k = i + 1; k < v.size() && k <= i + reach; ++k) {
            if (v.t[k].gap >= sep_comma) return false;
            for (sv p : parts)
                if (v.w(k) == p) return true;
        }
        return false;
    };
    if (lemma == "fail") return near({"over"}, 1);
    if (lemma == "loop") return near({"in"}, 3);
    if (lemma == "kick") return near({"off"}, 3);
    if (lemma == "hold") return near({"on", "off"}, 1);
    if (lemma == "turn") return near({"on", "off", "down", "up"}, 3);
    if (lemma == "spin") return near({"up", "down"}, 3);
    if (lemma == "bring") return near({"in", "up", "down", "back", "online"}, 3);
    if (lemma == "cut") return near({"over"}, 1);
    if (lemma == "shut") return near({"down", "off"}, 2);
    if (lemma == "work") {
        // "work on a mitigation script"; "working on it" is too vague to record.
        if (!near({"on"}, 1)) return false;
        const sv obj = v.w(i + 2);
        return !obj.empty() && obj != "it" && obj != "this" && obj != "that" && v.joined(i + 2);
    }
    return true;
}

// The verb's object makes it personal ("grab lunch"), negates it ("restarted nothing"), or is a
// link shared for reference ("adding <#C1|inc-42> for context").
bool object_vetoed(const view& v, std::size_t i) {
    if (v.joined(i + 1) && (v.w(i + 1) == "nothing" || v.w(i + 1) == "none")) return true;
    for (std::size_t k = i + 1; k < v.size() && k <= i + 3; ++k) {
        if (v.t[k].gap >= sep_comma) break;
        if (in(k_personal_objects, v.w(k))) return true;
    }
    if (i + 1 < v.size() && v.joined(i + 1) &&
        (v.t[i + 1].kind == tk::channel_ref || v.t[i + 1].kind == tk::url_ref))
        return true;
    return false;
}

bool verb_ok(const view& v, sv lemma, std::size_t i) {
    return particle_ok(v, lemma, i) && !object_vetoed(v, i);
}

struct intent_marker {
    sv phrase;
    sv name;
    bool clause_initial;        // only at the start of a clause ("about to promote …")
    bool first_person_context;  // the sentence must already have a first-person subject
};

constexpr intent_marker k_intents[] = {
    {"i'll", "i'll", false, false},
    {"i will", "i will", false, false},
    {"i'm going to", "going to", false, false},
    {"i am going to", "going to", false, false},
    {"i'm gonna", "gonna", false, false},
    {"gonna", "gonna", true, false},
    {"going to", "going to", true, false},
    {"let me", "let me", false, false},
    {"lemme", "let me", false, false},
    {"i can", "i can", false, false},
    {"i'm about to", "about to", false, false},
    {"about to", "about to", true, false},
    {"i'm ready to", "ready to", false, false},
    {"i am ready to", "ready to", false, false},
    {"ready to", "ready to", true, false},
    {"i need to", "need to", false, false},
    {"we'll", "we'll", false, false},
    {"we will", "we'll", false, false},
    {"we're going to", "going to", false, false},
    {"we are going to", "going to", false, false},
    {"and i'll", "i'll", false, false},
    {"and can", "can", false, true},
    {"and will", "will", false, true},
};

bool sentence_has_first_person(const view& v, std::size_t i) {
    for (std::size_t k = i, steps = 0; k > 0 && steps < window; --k, ++steps) {
        if (first_person_subject(v.w(k - 1))) return true;
        if (v.t[k - 1].gap >= sep_sentence && k - 1 < i) break;
    }
    return false;
}

std::optional<std::string> intent_at(const view& v, std::size_t i) {
    for (const intent_marker& m : k_intents) {
        const std::size_t len = match_phrase(v, i, m.phrase);
        if (len == 0) continue;
        if (m.clause_initial && !clause_start(v, i, false)) continue;
        if (m.first_person_context && !sentence_has_first_person(v, i)) continue;
        std::size_t k = i + len;
        for (int steps = 0; steps < 5 && k < v.size() && v.joined(k) && in(k_intent_fillers, v.w(k)); ++steps)
            ++k;
        if (k >= v.size() || !v.joined(k)) return std::nullopt;
        std::optional<sv> lemma;
        if (v.w(k) == "be" && v.joined(k + 1)) {  // "I'll be restarting …"
            ++k;
            lemma = op_verb(v.w(k), vform::ing);
        } else {
            lemma = op_verb(v.w(k), vform::base);
        }
        if (!lemma || *lemma == "do") return std::nullopt;
        if (!verb_ok(v, *lemma, k)) return std::nullopt;
        return "intent:" + std::string(m.name) + "+verb";
    }
    return std::nullopt;
}

// "I'm restarting …", "we're rolling the fix out", "I'm almost done restarting …"
std::optional<std::string> progressive_at(const view& v, std::size_t i) {
    std::size_t k = 0;
    sv name;
    if (std::size_t n = match_phrase(v, i, "i'm"); n) {
        k = i + n;
        name = "i'm";
    } else if (std::size_t n2 = match_phrase(v, i, "i am"); n2) {
        k = i + n2;
        name = "i'm";
    } else if (std::size_t n3 = match_phrase(v, i, "we're"); n3) {
        k = i + n3;
        name = "we're";
    } else if (std::size_t n4 = match_phrase(v, i, "we are"); n4) {
        k = i + n4;
        name = "we're";
    } else {
        return std::nullopt;
    }
    for (int steps = 0; steps < 3 && k < v.size() && v.joined(k) && in(k_progress_fillers, v.w(k)); ++steps)
        ++k;
    if (k >= v.size() || !v.joined(k)) return std::nullopt;
    const auto lemma = op_verb(v.w(k), vform::ing);
    if (!lemma || !verb_ok(v, *lemma, k)) return std::nullopt;
    return "progressive:" + std::string(name) + "+verb";
}

// Clause-initial "-ing" operational verb: "rolling back to …", "paging the DB on-call".
std::optional<std::string> gerund_at(const view& v, std::size_t i) {
    const auto lemma = op_verb(v.w(i), vform::ing);
    if (!lemma) return std::nullopt;
    if (!clause_start(v, i, true) || v.in_question(i)) return std::nullopt;
    if (!verb_ok(v, *lemma, i)) return std::nullopt;
    // A gerund subject ("restarting didn't help", "restarting it won't fix …").
    for (std::size_t k = i + 1; k < v.size() && k <= i + 2; ++k) {
        if (!v.joined(k)) break;
        if (in(k_gerund_subject_followers, v.w(k))) return std::nullopt;
    }
    // "running low on disk" is a state, not running something.
    if (*lemma == "run" && v.joined(i + 1)) {
        const sv nx = v.w(i + 1);
        if (nx == "low" || nx == "out" || nx == "hot" || nx == "slow" || nx == "fine" ||
            nx == "behind" || nx == "late" || nx == "ok" || nx == "smoothly" || nx == "again")
            return std::nullopt;
    }
    return std::string("gerund:verb-ing");
}

// A status cue right after a comms-ish verb: "updated the status page" reports the update.
bool status_object(const view& v, std::size_t i) {
    for (std::size_t k = i + 1; k < v.size() && k <= i + 6; ++k) {
        if (v.t[k].gap >= sep_clause) break;
        const sv w = v.w(k);
        if (w == "status" || w == "statuspage" || in(k_customers, w) || in(k_stakeholders, w))
            return true;
    }
    return false;
}

// "restarted pgbouncer", "I killed it", "I've drained node-7", "gracefully stopped …"
std::optional<std::string> done_at(const view& v, std::size_t i) {
    const auto lemma = op_verb(v.w(i), vform::past);
    if (!lemma) return std::nullopt;
    // Find an explicit first-person subject behind fillers/adverbs.
    std::size_t k = i;
    for (int steps = 0; steps < 3 && k > 0 && v.joined(k); ++steps) {
        const sv p = v.w(k - 1);
        if (in(k_clause_fillers, p) || (p.size() > 4 && ends_with(p, "ly")) || p == "have" ||
            p == "had")
            --k;
        else
            break;
    }
    bool subject = false;
    if (k > 0 && v.joined(k)) {
        const sv p = v.w(k - 1);
        if (p == "i" || p == "we" || p == "i've" || word_eq(p, "we've") || p == "ive") {
            subject = true;
            --k;
        }
    }
    if (!clause_start(v, k, true)) return std::nullopt;
    if (*lemma == "do") {  // "did" acts only with its doer: "I did a full support bundle"
        if (!subject || v.w(i + 1) == "not") return std::nullopt;
    }
    if (v.in_question(i)) return std::nullopt;
    if (in(k_comms_op_verbs, *lemma)) return std::nullopt;
    if ((*lemma == "update" || *lemma == "write") && status_object(v, i)) return std::nullopt;
    // "started seeing errors", "stopped working": aspect, not an operation.
    if ((*lemma == "start" || *lemma == "stop") && v.joined(i + 1)) {
        const sv nx = v.w(i + 1);
        if (ends_with(nx, "ing") || nx == "to") return std::nullopt;
    }
    if (!verb_ok(v, *lemma, i)) return std::nullopt;
    // Agentive passive: "restarted at 14:10 by the autoscaler" — someone else acted.
    for (std::size_t m = i + 1; !subject && m < v.size() && m <= i + 5; ++m) {
        if (v.t[m].gap >= sep_comma) break;
        if (v.w(m) == "by" && !ends_with(v.w(m + 1), "ing")) return std::nullopt;
    }
    return subject ? std::string("done:i+verb-ed") : std::string("done:verb-ed");
}

std::optional<tag_hit> action_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v.w(i).empty()) continue;
        if (auto r = intent_at(v, i)) return tag_hit{tag::action, *r};
        if (auto r = progressive_at(v, i)) return tag_hit{tag::action, *r};
        if (auto r = done_at(v, i)) return tag_hit{tag::action, *r};
        if (auto r = gerund_at(v, i)) return tag_hit{tag::action, *r};
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// status: communication with customers and stakeholders.

bool status_page_at(const view& v, std::size_t i) {
    const token& t = v.t[i];
    if (t.kind == tk::url_ref) {
        const std::size_t scheme = t.target.find("://");
        const sv host = scheme == sv::npos ? t.target : t.target.substr(scheme + 3);
        return host.substr(0, 7) == "status." || t.target.find("statuspage") != sv::npos ||
               t.low.find("status") != sv::npos;
    }
    const sv w = v.w(i);
    if (w == "statuspage" || w == "status-page" || w == "statuspage.io") return true;
    if (w == "status" && v.joined(i + 1)) {
        const sv nx = v.w(i + 1);
        return nx == "page" || nx == "pages" || nx == "site" || nx == "update" || nx == "updates";
    }
    return false;
}

bool customers_report_at(const view& v, std::size_t i) {
    if (!in(k_customers, v.w(i))) return false;
    // "customers in APAC are saying …", "users on the forum are complaining"
    for (std::size_t k = i + 1; k < v.size() && k <= i + 5; ++k) {
        if (v.t[k].gap >= sep_comma) break;
        if (in(k_reporting_verbs, v.w(k))) return true;
    }
    // "tickets from enterprise customers", "calls from users"
    for (std::size_t k = i, steps = 0; k > 0 && steps < 5; --k, ++steps) {
        if (v.t[k].gap >= sep_comma) break;
        if (in(k_contact_nouns, v.w(k - 1))) return true;
    }
    // "the customer email", "customer comms"; "update(s)" only as a noun ("the customer update",
    // not "users update their settings").
    if (v.joined(i + 1) && in(k_comms_nouns, v.w(i + 1))) {
        const bool verb_like = v.w(i + 1) == "update" || v.w(i + 1) == "updates";
        if (!verb_like || (i > 0 && v.joined(i) && in(k_determiners, v.w(i - 1)))) return true;
    }
    return false;
}

bool support_at(const view& v, std::size_t i) {
    const token& t = v.t[i];
    if (t.kind == tk::channel_ref) return t.low.find("support") != sv::npos;
    const sv w = v.w(i);
    if (w == "#support" || in(k_helpdesks, w)) return true;
    if (w == "customer" && v.joined(i + 1) && v.w(i + 1) == "success") return true;
    if (w != "support") return false;
    if (v.joined(i + 1) && in(k_support_next, v.w(i + 1))) return true;
    return i > 0 && v.joined(i) && in(k_support_prev, v.w(i - 1));
}

bool stakeholders_at(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (w == "stakeholder" || w == "stakeholders") return true;
    if (!in(k_stakeholders, w)) return false;
    // "leadership wants an update", "CS is asking for an ETA", "sales wants to know …"
    for (std::size_t k = i + 1; k < v.size() && k <= i + 3; ++k) {
        if (!v.joined(k)) break;
        if (in(k_asking_verbs, v.w(k))) return true;
    }
    return false;
}

bool comms_at(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (w.empty()) return false;
    if (in(k_comms_words, w)) return true;
    if (w == "external" && v.joined(i + 1) && in(k_comms_nouns, v.w(i + 1))) return true;
    if (w == "incident" && v.joined(i + 1) && v.w(i + 1) == "notice") return true;
    // "let them know", "let the partner team know" — but not "let you know".
    if (w == "let") {
        for (std::size_t k = i + 1; k < v.size() && k <= i + 5; ++k) {
            if (!v.joined(k)) break;
            const sv x = v.w(k);
            if (x == "me" || x == "you" || x == "us" || x == "y'all") break;
            if (x == "know") return k > i + 1;
        }
    }
    // "messaging to send to other teams", "email to affected users"
    if (in(k_comms_nouns, w)) {
        for (std::size_t k = i + 1; k < v.size() && k <= i + 6; ++k) {
            if (v.t[k].gap >= sep_comma) break;
            if (v.w(k) != "to") continue;
            for (std::size_t m = k + 1; m < v.size() && m <= k + 3; ++m) {
                if (!v.joined(m)) break;
                if (in(k_audience, v.w(m))) return true;
            }
        }
    }
    // "update the stakeholders", "warn the Acme account", "tell customers"
    if (in(k_comms_verbs, w)) {
        for (std::size_t k = i + 1; k < v.size() && k <= i + 3; ++k) {
            if (!v.joined(k)) break;
            const sv x = v.w(k);
            if (x == "team" || x == "teams" || x == "them") break;
            if (in(k_audience, x)) return true;
        }
    }
    return false;
}

std::optional<tag_hit> status_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (status_page_at(v, i)) return tag_hit{tag::status, "status:status page"};
        const sv w = v.w(i);
        if (in(k_social, w) || (w == "social" && v.joined(i + 1) && v.w(i + 1) == "media"))
            return tag_hit{tag::status, "status:social"};
        if (in(k_complaints, w)) return tag_hit{tag::status, "status:complaints"};
        if (customers_report_at(v, i)) return tag_hit{tag::status, "status:customers"};
        if (support_at(v, i)) return tag_hit{tag::status, "status:support"};
        if (stakeholders_at(v, i)) return tag_hit{tag::status, "status:stakeholders"};
        if (comms_at(v, i)) return tag_hit{tag::status, "status:comms"};
    }
    return std::nullopt;
}

}  // namespace

std::vector<tag_hit> tag_message(std::string_view text) {
    std::vector<tag_hit> hits;
    const sv judged = text.substr(0, std::min(text.size(), judged_prefix));
    lexed lx;
    lex(judged, lx);
    if (lx.toks.empty()) return hits;
    const view v{lx.toks};
    if (auto h = hypothesis_rule(v)) hits.push_back(std::move(*h));
    if (auto h = command_rule(v)) hits.push_back(std::move(*h));
    if (auto h = action_rule(v)) hits.push_back(std::move(*h));
    if (auto h = status_rule(v)) hits.push_back(std::move(*h));
    return hits;
}

}  // namespace ib
