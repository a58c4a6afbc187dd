// The tagger's word lists, grouped by the tag whose rules read them, and the lookups over them.
// Each list is sorted (checked at compile time) so a lookup is a binary search. To teach the
// tagger a new tool, verb or audience, add the word here in order; the rules (one file per tag)
// say how the words are used.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string_view>

namespace ib::tagger {

using sv = std::string_view;

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

// ---- command ----------------------------------------------------------------------------------

// Command-line tools that count when they appear as something run (see cli_rule).
inline constexpr sv k_tools[] = {
    "awk", "aws", "az", "cat", "certbot", "curl", "df", "dig", "dmesg", "docker", "du", "etcdctl",
    "find", "free", "gcloud", "git", "grep", "head", "helm", "htop", "iostat", "iptables",
    "journalctl", "jq", "kill", "kubectl", "less", "ls", "lsof", "mongosh", "mtr", "mysql", "nc",
    "netstat", "nslookup", "openssl", "pg_dump", "ping", "ps", "psql", "redis-cli", "scp", "sed",
    "ss", "ssh", "strace", "sudo", "systemctl", "tail", "tcpdump", "telnet", "terraform", "top",
    "traceroute", "uptime", "vmstat", "watch", "wget",
};
static_assert(std::ranges::is_sorted(k_tools));

// Tools whose first argument is a subcommand ("docker ps", "systemctl restart x").
inline constexpr sv k_subcommand_tools[] = {
    "aws", "az", "certbot", "docker", "etcdctl", "gcloud", "git", "helm", "journalctl", "kubectl",
    "redis-cli", "systemctl", "terraform",
};
static_assert(std::ranges::is_sorted(k_subcommand_tools));

// Tools that are complete commands on their own ("cathy#: top", "top on worker-5").
inline constexpr sv k_bare_tools[] = {
    "dmesg", "htop", "iostat", "netstat", "top", "uptime", "vmstat",
};
static_assert(std::ranges::is_sorted(k_bare_tools));

inline constexpr sv k_subcommands[] = {
    "apply", "bisect", "blame", "cordon", "delete", "describe", "diff", "drain", "edit", "events",
    "exec", "fmt", "get", "history", "images", "import", "info", "init", "inspect", "install",
    "keys", "list", "log", "logs", "monitor", "output", "patch", "plan", "port-forward", "ps",
    "pull", "push", "refresh", "reload", "renew", "reset", "restart", "revert", "rollback",
    "rollout", "run", "scale", "show", "start", "stats", "status", "stop", "taint", "top",
    "uncordon", "uninstall", "upgrade", "validate",
};
static_assert(std::ranges::is_sorted(k_subcommands));

// Words after a tool name that show it is prose ("curl isn't installed", "ping me", "top of").
inline constexpr sv k_prose_breakers[] = {
    "a", "access", "an", "and", "are", "aren't", "as", "but", "can", "can't", "console", "could",
    "dashboard", "did", "didn't", "does", "doesn't", "had", "has", "hasn't", "have", "he", "her",
    "him", "i", "if", "into", "is", "isn't", "it", "it's", "its", "me", "might", "must", "of", "or",
    "our", "seems", "she", "should", "than", "that", "the", "them", "they", "this", "us", "was",
    "wasn't", "we", "were", "when", "which", "who", "will", "won't", "would", "you", "your",
};
static_assert(std::ranges::is_sorted(k_prose_breakers));

// Verbs that introduce a tool as something executed ("ran kubectl …", "try htop").
inline constexpr sv k_run_verbs[] = {
    "exec", "execute", "executed", "executing", "ran", "reran", "rerun", "run", "running", "runs",
    "tried", "try", "trying", "type", "typed",
};
static_assert(std::ranges::is_sorted(k_run_verbs));

inline constexpr sv k_sql_heads[] = {
    "alter", "create", "delete", "drop", "explain", "insert", "select", "show", "truncate", "update",
};
static_assert(std::ranges::is_sorted(k_sql_heads));

// ---- hypothesis -------------------------------------------------------------------------------

// The explanation lexicon: system parts and failure/causal words. A hedge only makes a hypothesis
// when its clause talks about the system ("I think the pool is exhausted"), not about a person or
// a plan ("I think I need coffee", "I think we should meet Monday").
inline constexpr sv k_explain[] = {
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
inline constexpr sv k_hedge_stop_first[] = {
    "around", "i", "i'd", "i'll", "i'm", "i've", "im", "later", "me", "nope", "not", "so", "soon",
    "tomorrow", "tonight", "until", "yes",
};
static_assert(std::ranges::is_sorted(k_hedge_stop_first));

// Near the hedge these mean approval or time, not an explanation ("sounds good", "a while").
inline constexpr sv k_hedge_stop_near[] = {
    "better", "correct", "fine", "fun", "good", "great", "guess", "hunch", "idea", "nice", "ok",
    "okay", "plan", "point", "reasonable", "right", "theory", "while", "worse",
};
static_assert(std::ranges::is_sorted(k_hedge_stop_near));

inline constexpr sv k_modals[] = {
    "can", "could", "have", "may", "might", "must", "need", "needs", "ought", "shall", "should",
    "will",
};
static_assert(std::ranges::is_sorted(k_modals));

inline constexpr sv k_determiners[] = {
    "a", "an", "another", "its", "our", "same", "some", "that", "the", "their", "these", "this",
    "those", "your",
};
static_assert(std::ranges::is_sorted(k_determiners));

// ---- action -----------------------------------------------------------------------------------

// Operational verbs (base forms): acting on the system or on the response.
inline constexpr sv k_op_verbs[] = {
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
inline constexpr sv k_comms_op_verbs[] = {
    "draft", "email", "message", "notify", "post", "send", "tell",
};
static_assert(std::ranges::is_sorted(k_comms_op_verbs));

// Objects that make an operational-looking verb personal ("grab lunch", "take a look").
inline constexpr sv k_personal_objects[] = {
    "break", "breakfast", "breath", "coffee", "day", "dinner", "drink", "food", "glance", "look",
    "lunch", "minute", "moment", "nap", "peek", "sec", "second", "shower", "snack", "walk", "water",
    "while",
};
static_assert(std::ranges::is_sorted(k_personal_objects));

// After a sentence-initial -ing form these show it is a subject ("restarting didn't help").
inline constexpr sv k_gerund_subject_followers[] = {
    "can", "could", "did", "didn't", "does", "doesn't", "fixed", "help", "helped", "helps", "is",
    "isn't", "may", "might", "should", "was", "wasn't", "will", "won't", "worked", "works",
    "would",
};
static_assert(std::ranges::is_sorted(k_gerund_subject_followers));

// Words that may stand between a clause boundary and its verb without changing who acts.
inline constexpr sv k_clause_fillers[] = {
    "again", "already", "alright", "also", "and", "finally", "first", "just", "now", "ok", "okay",
    "quickly", "so", "still", "then",
};
static_assert(std::ranges::is_sorted(k_clause_fillers));

// Words between an intent marker and its verb ("I'll just go ahead and restart").
inline constexpr sv k_intent_fillers[] = {
    "actually", "ahead", "also", "and", "asap", "definitely", "first", "go", "immediately", "just",
    "manually", "now", "personally", "probably", "quickly", "start", "then", "to",
};
static_assert(std::ranges::is_sorted(k_intent_fillers));

inline constexpr sv k_progress_fillers[] = {
    "actively", "almost", "already", "also", "busy", "currently", "done", "finally", "gradually",
    "just", "manually", "nearly", "now", "slowly", "still", "then",
};
static_assert(std::ranges::is_sorted(k_progress_fillers));

// ---- status -----------------------------------------------------------------------------------

inline constexpr sv k_social[] = {
    "downdetector", "facebook", "hackernews", "instagram", "linkedin", "mastodon", "reddit",
    "tiktok", "tweet", "tweeted", "tweeting", "tweets", "twitter",
};
static_assert(std::ranges::is_sorted(k_social));

inline constexpr sv k_helpdesks[] = {"freshdesk", "helpdesk", "intercom", "servicedesk", "zendesk"};
static_assert(std::ranges::is_sorted(k_helpdesks));

inline constexpr sv k_complaints[] = {"complain", "complained", "complaining", "complains", "complaint",
                                      "complaints"};
static_assert(std::ranges::is_sorted(k_complaints));

inline constexpr sv k_customers[] = {"client", "clients", "customer", "customers", "merchant",
                                     "merchants", "subscriber", "subscribers", "user", "users"};
static_assert(std::ranges::is_sorted(k_customers));

// What customers do when the incident reaches them.
inline constexpr sv k_reporting_verbs[] = {
    "asking", "called", "calling", "complained", "complaining", "confirm", "confirmed",
    "confirming", "contacted", "contacting", "emailed", "emailing", "escalated", "escalating",
    "filed", "filing", "flooding", "noticed", "noticing", "opened", "opening", "report",
    "reported", "reporting", "reports", "said", "say", "saying", "says", "telling", "tweeted",
    "tweeting", "writing", "wrote",
};
static_assert(std::ranges::is_sorted(k_reporting_verbs));

// What customers send us ("tickets from enterprise customers").
inline constexpr sv k_contact_nouns[] = {"calls", "cases", "chats", "emails", "messages", "reports",
                                         "requests", "tickets"};
static_assert(std::ranges::is_sorted(k_contact_nouns));

// People outside the responders who must be kept informed.
inline constexpr sv k_audience[] = {
    "account", "accounts", "client", "clients", "cs", "customer", "customers", "execs",
    "executives", "leadership", "management", "merchants", "partner", "partners", "sales",
    "stakeholders", "support", "tams", "team", "teams", "them", "users",
};
static_assert(std::ranges::is_sorted(k_audience));

inline constexpr sv k_stakeholders[] = {
    "cs", "exec", "execs", "executives", "leadership", "legal", "management", "marketing", "pr",
    "sales", "stakeholder", "stakeholders",
};
static_assert(std::ranges::is_sorted(k_stakeholders));

inline constexpr sv k_asking_verbs[] = {
    "ask", "asked", "asking", "asks", "expect", "expecting", "expects", "need", "needs", "request",
    "requested", "requesting", "want", "wants",
};
static_assert(std::ranges::is_sorted(k_asking_verbs));

inline constexpr sv k_comms_nouns[] = {
    "announcement", "comms", "communication", "communications", "email", "emails", "eta",
    "message", "messages", "messaging", "notice", "notification", "notifications", "statement",
    "update", "updates",
};
static_assert(std::ranges::is_sorted(k_comms_nouns));

inline constexpr sv k_comms_verbs[] = {
    "brief", "briefed", "briefing", "email", "emailed", "emailing", "give", "inform", "informed",
    "informing", "message", "messaged", "messaging", "notified", "notify", "notifying", "tell",
    "telling", "told", "update", "updated", "updating", "warn", "warned", "warning",
};
static_assert(std::ranges::is_sorted(k_comms_verbs));

inline constexpr sv k_comms_words[] = {"announce", "announced", "announcement", "announcements",
                                       "announcing", "comms", "press"};
static_assert(std::ranges::is_sorted(k_comms_words));

// What follows "support" when it means our support team, not "support for TLS".
inline constexpr sv k_support_next[] = {
    "agents", "are", "cases", "channel", "engineers", "escalated", "folks", "has", "have", "is",
    "lead", "leads", "queue", "reps", "requests", "said", "says", "staff", "team", "tickets",
    "wants", "was", "were",
};
static_assert(std::ranges::is_sorted(k_support_next));

inline constexpr sv k_support_prev[] = {"ask", "asked", "from", "let", "notify", "ping", "pinged",
                                        "tell", "told", "update", "updated"};
static_assert(std::ranges::is_sorted(k_support_prev));

}  // namespace ib::tagger
