#include "bot/cli.hpp"

#include "bot/app/bot_app.hpp"
#include "bot/app/demo.hpp"
#include "bot/log.hpp"
#include "bot/ops/http_server.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/serve/serve.hpp"
#include "core/export.hpp"
#include "core/access.hpp"
#include "core/incident_commands.hpp"
#include "core/corrections.hpp"
#include "core/redaction.hpp"
#include "core/svg.hpp"
#include "core/text.hpp"
#include "core/url.hpp"
#include "storage/maintenance.hpp"
#include "storage/pg_store.hpp"
#include "storage/run_lock.hpp"
#include "storage/store.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cctype>
#include <exception>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>

#ifndef IB_VERSION
#define IB_VERSION "0.0.0"
#endif

namespace ib::cli {

namespace ops = ib::bot::ops;
namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// A usage mistake: printed as one line, exit code 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Anything else that stops a command: one line, exit code 1.
struct command_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* const top_help =
    "incident-bot " IB_VERSION " - records incidents from Slack into a timeline for the post-incident review\n"
    "\n"
    "Usage: incident-bot <command> [options]\n"
    "\n"
    "Commands:\n"
    "  run      connect to Slack in Socket Mode and record incidents\n"
    "           env: SLACK_APP_TOKEN (xapp-), SLACK_BOT_TOKEN (xoxb-), SLACK_API_URL (default https://slack.com/api/)\n"
    "  export   print an incident as JSON, Markdown, CSV or an SVG timeline chart\n"
    "  stats    TTA and TTR by severity (median, p90, mean) over the last 30 and 90 days\n"
    "  backup   copy the database to a new file, consistently, while 'run' writes\n"
    "  check    check the database: integrity, schema version, counts\n"
    "  migrate  copy a SQLite database into an empty PostgreSQL one\n"
    "  redact   replace what one message said with [redacted: reason], recorded on the timeline\n"
    "  retag    re-derive messages' tags with this build's tagger, keeping people's corrections\n"
    "  serve    a read-only review site in the browser: incidents, timelines, charts, statistics\n"
    "  demo     run a sample incident against the bundled Slack simulator (no workspace needed)\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help (or 'incident-bot <command> --help')\n"
    "  -V, --version  print the version\n";

const char* const run_help =
    "Usage: incident-bot run [--db PATH] [--listen HOST:PORT] [--status-reminder DURATION | --reminders SPEC]\n"
    "                        [--idle-timeout DURATION] [--max-pending N] [--responders GROUP_ID] [--log-level LEVEL]\n"
    "                        [--log-format FORMAT] [--catchup-after DURATION|off] [--claim-lease DURATION]\n"
    "\n"
    "Connects to Slack in Socket Mode and records incidents until SIGINT/SIGTERM (a second signal exits at once).\n"
    "  --db PATH|URI              SQLite database (default: incident-bot.db), or a PostgreSQL URI\n"
    "                             postgresql://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass)\n"
    "  --listen HOST:PORT         serve /healthz, /readyz and /metrics (Prometheus) over HTTP there,\n"
    "                             e.g. 127.0.0.1:9464 (default: off)\n"
    "  --status-reminder DURATION remind every open incident's channel to update the status page after\n"
    "                             this long without an update, whatever the severity (e.g. 15m)\n"
    "  --reminders SPEC           per-severity cadence, e.g. sev1=15m,sev2=30m,sev3=1h,sev4=off\n"
    "                             (default: sev1 15m, sev2 30m, sev3 1h, sev4/sev5 none)\n"
    "  --idle-timeout DURATION    declare the Socket Mode connection dead after this long without\n"
    "                             frames or pongs (default 30s)\n"
    "  --max-pending N            stop reading from Slack while N events wait to be stored, until a\n"
    "                             quarter remain (default 2000; bounds memory in a burst)\n"
    "  --responders GROUP_ID      only members of this Slack user group (e.g. S0614TZR7; scope\n"
    "                             usergroups:read) may resolve, reopen, change the severity, assign\n"
    "                             roles or set the detection time (default: anyone in the channel)\n"
    "  --catchup-after DURATION   someone joining an incident channel open this long gets a catch-up\n"
    "                             only they see (default 5m; off: never)\n"
    "  --claim-lease DURATION     several instances on one PostgreSQL: a reminder another instance\n"
    "                             claimed and did not mark as posted this long after is posted here,\n"
    "                             a flow or a catch-up it stopped renewing this long is taken over\n"
    "                             (it died; default 60s)\n"
    "  --log-level LEVEL          debug, info (default), warn or error\n"
    "  --log-format FORMAT        text (default) or json (one object per line: time, level, component,\n"
    "                             msg and fields such as incident, channel, envelope, error)\n"
    "Every option can also come from the environment, INCIDENT_BOT_ and its name in capitals with\n"
    "'_' for '-': INCIDENT_BOT_DB, INCIDENT_BOT_LISTEN, INCIDENT_BOT_STATUS_REMINDER, INCIDENT_BOT_REMINDERS,\n"
    "INCIDENT_BOT_IDLE_TIMEOUT, INCIDENT_BOT_MAX_PENDING, INCIDENT_BOT_RESPONDERS, INCIDENT_BOT_LOG_LEVEL,\n"
    "INCIDENT_BOT_LOG_FORMAT, INCIDENT_BOT_CATCHUP_AFTER, INCIDENT_BOT_CLAIM_LEASE.\n"
    "A flag wins over its variable (and --status-reminder/--reminders over both variables).\n"
    "Environment:\n"
    "  SLACK_APP_TOKEN  app-level token (xapp-...) with connections:write\n"
    "  SLACK_BOT_TOKEN  bot token (xoxb-...)\n"
    "  SLACK_API_URL    Web API base URL (default https://slack.com/api/; plain http:// only to a\n"
    "                   loopback host such as 127.0.0.1)\n"
    "  SSL_CERT_FILE    extra CA bundle for TLS peer verification (OpenSSL's variable)\n"
    "Durations: 90s, 15m, 1h, 1h30m.\n";

const char* const demo_help =
    "Usage: incident-bot demo [--db PATH] [--quiet]\n"
    "\n"
    "Runs a sample incident (J. Hand's chapter-6 outage: login page down, an unknown process at 92% CPU)\n"
    "through the real bot against the bundled Slack simulator, then prints the timeline and the summary.\n"
    "  --db PATH   keep the database there (default: a new file in the temp directory)\n"
    "  --quiet     don't print the bot's log lines\n";

const char* const export_help =
    "Usage: incident-bot export --db PATH --incident ID|latest --format json|md|csv|svg [--include-deleted]\n"
    "\n"
    "Prints one incident with its timeline to stdout. What deleted messages said is left out.\n"
    "  --db PATH|URI      SQLite database written by 'incident-bot run', or its postgresql:// URI\n"
    "  --incident ID      numeric incident id, or 'latest' for the most recently declared\n"
    "  --format FORMAT    json (machine-readable), md (review draft), csv (timeline rows),\n"
    "                     svg (timeline chart: lifecycle markers, TTA/TTR bars, messages by tag)\n"
    "  --include-deleted  JSON only: keep the text of messages deleted in Slack (for an investigation)\n"
    "Example: incident-bot export --db incidents.db --incident latest --format svg > timeline.svg\n";

const char* const backup_help =
    "Usage: incident-bot backup --db PATH --to FILE\n"
    "\n"
    "Copies the database into the new file FILE with SQLite's online backup, in one step: a consistent\n"
    "snapshot even while 'incident-bot run' writes. The copy is checked (quick_check), standalone (no\n"
    "-wal/-shm files) and only gets its name once complete; an existing FILE is refused.\n"
    "  --db PATH   the database (default: $INCIDENT_BOT_DB); a SQLite file (PostgreSQL: use pg_dump)\n"
    "  --to FILE   the new file\n"
    "Restore: stop the bot, copy FILE over the database path (removing its -wal and -shm files), start it.\n";

const char* const check_help =
    "Usage: incident-bot check --db PATH [--quick]\n"
    "\n"
    "Checks the database read-only (safe while 'run' writes): SQLite's integrity_check, the schema\n"
    "version (an older one is fine: 'run' migrates it; a newer one is an error), and counts.\n"
    "On PostgreSQL: the schema version and counts (pages and indexes are the server's to check).\n"
    "Prints one line; exits 1 on any problem.\n"
    "  --db PATH|URI   the database (default: $INCIDENT_BOT_DB), a file or a postgresql:// URI\n"
    "  --quick     quick_check instead: skips index contents, fast enough for every start\n";

const char* const migrate_help =
    "Usage: incident-bot migrate --from PATH --to URI\n"
    "\n"
    "Copies the SQLite database PATH into the empty PostgreSQL database URI (postgresql://…), in one\n"
    "transaction: every incident, timeline entry, flow in progress, cached user and catch-up mark, with\n"
    "the same ids. Then run the bot with --db URI. Stop 'run' first: what it writes later is not copied.\n"
    "  --from PATH  the SQLite database (opened read-only; at this build's schema: run it once first)\n"
    "  --to URI     the PostgreSQL database (password from PGPASSWORD or ~/.pgpass)\n";

const char* const redact_help =
    "Usage: incident-bot redact --db PATH --incident ID --ts TS --reason TEXT [--by NAME]\n"
    "\n"
    "Replaces the stored text of one message (a pasted secret, personal data) and of its edits with\n"
    "'[redacted: TEXT]', and records that as a timeline entry of its own, with who and when. The only\n"
    "change the append-only timeline allows. The old text is overwritten in the database file and its\n"
    "write-ahead log; copies made earlier (backups, exports) keep it.\n"
    "  --db PATH        the database (default: $INCIDENT_BOT_DB); the bot may keep running\n"
    "  --incident ID    the incident's number\n"
    "  --ts TS          the message's Slack timestamp (its slack_ts in 'export --format json')\n"
    "  --reason TEXT    why, in one line (up to 200 characters); it stays in the record\n"
    "  --by NAME        who redacts (default: the OS user running this)\n";

const char* const retag_help =
    "Usage: incident-bot retag --db PATH --incident ID|all\n"
    "\n"
    "Tags the recorded messages again with this build's tagger (after an upgrade that tags better) and\n"
    "stores the tags that changed, in one transaction per incident. Corrections made with the 'Correct\n"
    "tags' shortcut are kept: a corrected message keeps the tags people gave it. Prints what changed.\n"
    "  --db PATH        the database (default: $INCIDENT_BOT_DB); the bot may keep running\n"
    "  --incident ID    the incident's number, or 'all'\n";

const char* const stats_help =
    "Usage: incident-bot stats --db PATH [--days N]\n"
    "\n"
    "Prints median, p90 (nearest rank) and mean TTA and TTR by severity for the incidents declared\n"
    "in the last 30 and 90 days (UTC, up to now).\n"
    "  --db PATH|URI  SQLite database written by 'incident-bot run', or its postgresql:// URI (read-only)\n"
    "  --days N    one window of the last N days instead (1 to 36500)\n";

const char* const serve_help =
    "Usage: incident-bot serve --db PATH [--listen HOST:PORT] [--include-private] [--auth-token-file FILE]\n"
    "\n"
    "Serves a read-only web view of the database for the review meeting until SIGINT/SIGTERM: the incidents,\n"
    "each with its chart, timeline, participants, status-page updates, hypotheses, action items and downloads\n"
    "(the bytes of 'export'), and TTA/TTR statistics. Safe beside 'run' on the same SQLite file.\n"
    "  --db PATH               SQLite database written by 'incident-bot run' (opened read-only; also INCIDENT_BOT_DB)\n"
    "  --listen HOST:PORT      where to serve (default 127.0.0.1:8080; also INCIDENT_BOT_SERVE_LISTEN)\n"
    "  --include-private       also show incidents declared in private channels (hidden by default)\n"
    "  --auth-token-file FILE  require this access token (the file's first line), entered once on a login page\n"
    "                          that sets an HttpOnly cookie; or set INCIDENT_BOT_SERVE_TOKEN. Never on the\n"
    "                          command line. Without a token anyone who reaches the port can read the site.\n";

// Options of one subcommand: "--name value" or "--name=value"; flags listed in `known`.
using option_map = std::map<std::string, std::string>;

option_map parse_options(const std::string& command, const std::vector<std::string>& args, std::size_t first,
                         std::initializer_list<const char*> known, std::initializer_list<const char*> flags = {}) {
    option_map opts;
    for (std::size_t i = first; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "-h" || arg == "--help") {
            opts["help"] = "1";
            continue;
        }
        if (!arg.starts_with("--"))
            throw usage_error("unexpected argument '" + arg + "' for '" + command + "' (see 'incident-bot " +
                              command + " --help')");
        std::string value;
        bool has_value = false;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_value = true;
        }
        const std::string name = arg.substr(2);
        bool is_flag = false;
        for (const char* f : flags) is_flag = is_flag || name == f;
        if (is_flag) {
            if (has_value) throw usage_error("option '" + arg + "' takes no value");
            opts[name] = "1";
            continue;
        }
        bool ok = false;
        for (const char* k : known) ok = ok || name == k;
        if (!ok)
            throw usage_error("unknown option '" + arg + "' for '" + command + "' (see 'incident-bot " + command +
                              " --help')");
        if (!has_value) {
            if (i + 1 >= args.size() || args[i + 1].starts_with("--"))
                throw usage_error("option '" + arg + "' needs a value");
            value = args[++i];
        }
        if (opts.count(name)) throw usage_error("option '" + arg + "' given twice");
        opts[name] = value;
    }
    return opts;
}

const std::string& require(const option_map& opts, const std::string& name, const std::string& command) {
    auto it = opts.find(name);
    if (it == opts.end())
        throw usage_error("'" + command + "' needs --" + name + " (see 'incident-bot " + command + " --help')");
    if (it->second.empty()) throw usage_error("--" + name + " must not be empty");
    return it->second;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

// `--incident`'s value: a positive number ("or 'latest'" in the message when that is allowed).
std::int64_t incident_number(const std::string& v, bool latest_allowed) {
    std::int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || ptr != v.data() + v.size() || n <= 0)
        throw usage_error(std::string("--incident must be a positive number") + (latest_allowed ? " or 'latest'" : "") +
                          ", not '" + v + "'");
    return n;
}

// Who runs this command, for the record: the login name of the real user.
std::string os_user() {
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr && *pw->pw_name != '\0')
        return pw->pw_name;
    return "uid " + std::to_string(::getuid());
}

// Where each option's value came from: "--name" or the environment variable that supplied it.
using option_sources = std::map<std::string, std::string>;

std::string source_of(const option_sources& sources, const std::string& name) {
    auto it = sources.find(name);
    return it != sources.end() ? it->second : "--" + name;
}

// "max-pending" -> "INCIDENT_BOT_MAX_PENDING".
std::string env_name(const std::string& option) {
    std::string out = "INCIDENT_BOT_";
    for (char c : option) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Fills every option in `names` that no flag gave from its INCIDENT_BOT_… variable (when set and
// not empty), so a systemd EnvironmentFile or a container's env can configure the command.
// Options in one `group` are alternatives: a flag for any of them keeps all their variables out.
option_sources apply_environment(option_map& opts, std::initializer_list<const char*> names,
                                 std::initializer_list<const char*> group = {}) {
    option_sources sources;
    bool group_flag = false;
    for (const char* g : group) group_flag = group_flag || opts.count(g) > 0;
    for (const char* n : names) {
        const std::string name = n;
        if (opts.count(name)) continue;
        bool in_group = false;
        for (const char* g : group) in_group = in_group || name == g;
        if (in_group && group_flag) continue;
        const std::string var = env_name(name);
        if (const char* v = std::getenv(var.c_str()); v != nullptr && *v != '\0') {
            opts[name] = v;
            sources[name] = var;
        }
    }
    return sources;
}

std::chrono::seconds duration_option(const option_map& opts, const option_sources& sources, const std::string& name,
                                     std::chrono::seconds fallback) {
    auto it = opts.find(name);
    if (it == opts.end()) return fallback;
    const auto d = parse_duration(it->second);
    if (!d)
        throw usage_error(source_of(sources, name) + " takes a duration like 90s, 15m or 1h, not '" + it->second + "'");
    return *d;
}

// --db for the commands that read a database: the flag, else INCIDENT_BOT_DB.
std::string db_option(option_map& opts, const std::string& command) {
    apply_environment(opts, {"db"});
    return require(opts, "db", command);
}

int cmd_run(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("run", args, 1,
                              {"db", "listen", "status-reminder", "reminders", "idle-timeout", "max-pending",
                               "log-level", "log-format", "responders", "catchup-after", "claim-lease"});
    if (opts.count("help")) {
        out << run_help;
        return exit_ok;
    }
    const option_sources sources =
        apply_environment(opts,
                          {"db", "listen", "status-reminder", "reminders", "idle-timeout", "max-pending", "log-level",
                           "log-format", "responders", "catchup-after", "claim-lease"},
                          {"status-reminder", "reminders"});
    const auto from = [&](const std::string& name) { return source_of(sources, name); };
    bot::app_config cfg;
    if (opts.count("db")) cfg.db_path = require(opts, "db", "run");
    if (opts.count("reminders") && opts.count("status-reminder"))
        throw usage_error("use either " + from("status-reminder") + " or " + from("reminders") + ", not both");
    if (auto it = opts.find("reminders"); it != opts.end()) {
        auto policy = parse_reminder_policy(it->second);
        if (!policy) throw usage_error(from("reminders") + ": " + policy.error().message);
        cfg.reminder_cadence = *policy;
    }
    if (opts.count("status-reminder"))
        cfg.reminder_cadence = reminder_policy::uniform(duration_option(opts, sources, "status-reminder", {}));
    cfg.idle_timeout = duration_option(opts, sources, "idle-timeout", std::chrono::seconds{30});
    cfg.claim_lease = duration_option(opts, sources, "claim-lease", default_claim_lease);
    if (auto it = opts.find("max-pending"); it != opts.end()) {
        std::size_t n = 0;
        const std::string& v = it->second;
        const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc{} || ptr != v.data() + v.size() || n == 0 || n > 1'000'000)
            throw usage_error(from("max-pending") + " must be a whole number from 1 to 1000000, not '" + v + "'");
        cfg.max_pending_writes = n;
    }
    if (auto it = opts.find("responders"); it != opts.end()) {
        if (!is_usergroup_id(it->second))
            throw usage_error(from("responders") + " takes a Slack user group ID like S0614TZR7, not '" + it->second + "'");
        cfg.responders = it->second;
    }
    if (auto it = opts.find("catchup-after"); it != opts.end()) {
        const auto setting = parse_catchup_after(it->second);
        if (!setting) throw usage_error(from("catchup-after") + " takes a duration like 5m, or off, not '" + it->second + "'");
        cfg.catchup = *setting;
    }
    if (auto it = opts.find("log-level"); it != opts.end()) {
        const std::string& l = it->second;
        if (l == "debug") bot::set_log_level(bot::log_level::debug);
        else if (l == "info") bot::set_log_level(bot::log_level::info);
        else if (l == "warn") bot::set_log_level(bot::log_level::warn);
        else if (l == "error") bot::set_log_level(bot::log_level::error);
        else throw usage_error(from("log-level") + " must be debug, info, warn or error, not '" + l + "'");
    }
    if (auto it = opts.find("log-format"); it != opts.end()) {
        const std::string& f = it->second;
        if (f == "text") bot::set_log_format(bot::log_format::text);
        else if (f == "json") bot::set_log_format(bot::log_format::json);
        else throw usage_error(from("log-format") + " must be text or json, not '" + f + "'");
    }
    std::optional<ops::listen_address> listen;
    if (auto it = opts.find("listen"); it != opts.end()) {
        listen = ops::parse_listen_address(it->second);
        if (!listen)
            throw usage_error(from("listen") + " takes HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, not '" +
                              it->second + "'");
    }

    // Tokens come from the environment, never from flags (they would show in `ps`).
    cfg.app_token = env("SLACK_APP_TOKEN");
    cfg.bot_token = env("SLACK_BOT_TOKEN");
    // Whatever they look like, they never reach a log line or an error message.
    bot::add_secret(cfg.app_token);
    bot::add_secret(cfg.bot_token);
    if (cfg.app_token.empty())
        throw usage_error("SLACK_APP_TOKEN is not set: create an app-level token (xapp-...) with connections:write");
    if (!cfg.app_token.starts_with("xapp-"))
        throw usage_error("SLACK_APP_TOKEN is not an app-level token (it should start with xapp-)");
    if (cfg.bot_token.empty()) throw usage_error("SLACK_BOT_TOKEN is not set: use the app's bot token (xoxb-...)");
    if (!cfg.bot_token.starts_with("xoxb-"))
        throw usage_error("SLACK_BOT_TOKEN is not a bot token (it should start with xoxb-)");
    if (const std::string url = env("SLACK_API_URL"); !url.empty()) cfg.api_url = url;
    if (!cfg.api_url.ends_with("/")) cfg.api_url += "/";
    const auto u = parse_url(cfg.api_url);
    if (!u || (u->scheme != "http" && u->scheme != "https"))
        throw usage_error("SLACK_API_URL must be an http:// or https:// URL");
    if (const std::string refusal = plain_text_refusal(*u, "SLACK_API_URL"); !refusal.empty())
        throw usage_error(refusal);

    bot::app a(cfg);
    // The ops endpoint starts once the database is open (so /readyz can be true) and before
    // Slack is reached; it stops after the bot has flushed. A port in use fails in one line.
    ops::metrics::get().set_build_info(IB_VERSION);
    ops::metrics::get().pending_writes_limit.Set(static_cast<double>(cfg.max_pending_writes));
    std::optional<ops::http_server> server;
    if (listen) {
        try {
            server.emplace(*listen);
        } catch (const std::exception& e) {
            throw command_error(e.what());
        }
    }
    const int code = a.run();
    if (server) server->stop();
    return code;
}

int cmd_demo(const std::vector<std::string>& args, std::ostream& out) {
    const auto opts = parse_options("demo", args, 1, {"db"}, {"quiet"});
    if (opts.count("help")) {
        out << demo_help;
        return exit_ok;
    }
    bot::demo_options d;
    if (opts.count("db")) d.db_path = require(opts, "db", "demo");
    d.quiet = opts.count("quiet") > 0;
    return bot::run_demo(d, out);
}

int cmd_export(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("export", args, 1, {"db", "incident", "format"}, {"include-deleted"});
    if (opts.count("help")) {
        out << export_help;
        return exit_ok;
    }
    const std::string db = db_option(opts, "export");
    const std::string& which = require(opts, "incident", "export");
    const std::string& format = require(opts, "format", "export");
    if (format != "json" && format != "md" && format != "csv" && format != "svg")
        throw usage_error("unknown --format '" + format + "' (expected json, md, csv or svg)");
    const bool include_deleted = opts.count("include-deleted") > 0;
    if (include_deleted && format != "json")
        throw usage_error("--include-deleted is for --format json only (the other formats never quote deleted messages)");

    std::optional<std::int64_t> id;
    if (which != "latest") id = incident_number(which, true);

    storage::store db_store(db, storage::open_options{.read_only = true});
    const auto inc = id ? db_store.incident_by_id(*id) : db_store.latest_incident();
    if (!inc)
        throw command_error(id ? "no incident " + std::to_string(*id) + " in " + storage::display_name(db)
                               : "no incidents in " + storage::display_name(db));
    // The incident's history: the instances' bookkeeping (core/timeline.hpp) is no part of it.
    incident_record record{*inc, history_of(db_store.timeline(inc->id)), {}};
    // Names from the users.info cache the bot keeps: an export never calls Slack.
    record.names = db_store.names_of(users_referenced(record.inc, record.timeline));
    // JSON, the format for tooling and the largest, goes out as it is formatted.
    if (format == "json")
        export_json(
            record,
            [&](std::string_view piece) { out.write(piece.data(), static_cast<std::streamsize>(piece.size())); },
            export_options{.include_deleted = include_deleted});
    else if (format == "md") out << export_markdown(record);
    else if (format == "svg") out << export_svg(record);
    else out << export_csv(record);
    out.flush();
    return exit_ok;
}

// The access token of `serve`: from --auth-token-file (its first line), else
// INCIDENT_BOT_SERVE_TOKEN; "" for none.
std::string serve_token(const option_map& opts) {
    if (const auto it = opts.find("auth-token-file"); it != opts.end()) {
        std::ifstream in(it->second);
        std::string line;
        if (!in || !std::getline(in, line))
            throw usage_error("--auth-token-file: cannot read '" + it->second + "'");
        const std::string token(trim_ascii_space(line));
        if (token.empty()) throw usage_error("--auth-token-file: the first line of '" + it->second + "' is empty");
        return token;
    }
    return std::string(trim_ascii_space(env("INCIDENT_BOT_SERVE_TOKEN")));
}

// incident-bot serve: the review site until a signal.
int cmd_serve(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("serve", args, 1, {"db", "listen", "auth-token-file"}, {"include-private"});
    if (opts.count("help")) {
        out << serve_help;
        return exit_ok;
    }
    bot::serve_config cfg;
    cfg.db_path = db_option(opts, "serve");
    std::string listen = "127.0.0.1:8080", listen_from = "--listen";
    if (const auto it = opts.find("listen"); it != opts.end()) listen = it->second;
    else if (const std::string v = env("INCIDENT_BOT_SERVE_LISTEN"); !v.empty()) {
        listen = v;
        listen_from = "INCIDENT_BOT_SERVE_LISTEN";
    }
    const auto where = ops::parse_listen_address(listen);
    if (!where)
        throw usage_error(listen_from + " takes HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080, not '" + listen + "'");
    cfg.listen = *where;
    cfg.site.include_private = opts.count("include-private") > 0;
    cfg.site.token = serve_token(opts);
    bot::add_secret(cfg.site.token);
    return bot::run_serve(cfg);  // a database it cannot open, a port in use: one line, exit 1
}

// incident-bot redact: plans the redaction in core (the message must be on the incident's
// timeline), then lets storage rewrite it and push the old text out of the files.
int cmd_redact(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("redact", args, 1, {"db", "incident", "ts", "reason", "by"});
    if (opts.count("help")) {
        out << redact_help;
        return exit_ok;
    }
    const std::string db = db_option(opts, "redact");
    const std::int64_t id = incident_number(require(opts, "incident", "redact"), false);
    const std::string& ts = require(opts, "ts", "redact");
    const std::string& reason = require(opts, "reason", "redact");
    const std::string by = opts.count("by") ? require(opts, "by", "redact") : os_user();

    storage::store db_store(db);
    const auto inc = db_store.incident_by_id(id);
    if (!inc) throw command_error("no incident " + std::to_string(id) + " in " + storage::display_name(db));
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    auto planned = plan_redaction(*inc, db_store.timeline(id), ts, reason, by, now);
    if (!planned) {
        if (planned.error().code == errc::not_found) throw command_error(planned.error().message);
        throw usage_error(planned.error().message);
    }
    const auto done = db_store.redact_message(*planned);
    if (storage::is_postgres_uri(db)) {
        // No WAL file to empty there: the old row versions go when the table is vacuumed.
        out << "Redacted message " << ts << " of incident " << id << " (" << done.rewritten
            << (done.rewritten == 1 ? " entry" : " entries") << " rewritten, by " << by
            << "). PostgreSQL keeps the old row versions until the timeline is vacuumed (VACUUM timeline); "
               "backups and exports made before now still hold the old text.\n";
        out.flush();
        return exit_ok;
    }
    if (!done.checkpointed)
        throw command_error("redacted message " + ts + " of incident " + std::to_string(id) + " (" +
                            std::to_string(done.rewritten) + " entries), but another process kept the write-ahead log "
                            "busy: its old text may stay in " + db + "-wal until the bot's next checkpoint; stop the "
                            "bot and run this again to be sure");
    out << "Redacted message " << ts << " of incident " << id << " (" << done.rewritten
        << (done.rewritten == 1 ? " entry" : " entries") << " rewritten, by " << by
        << "). Backups and exports made before now still hold the old text.\n";
    out.flush();
    return exit_ok;
}

// incident-bot retag: core says what a message's tags are (retagged), storage stores those that
// changed; corrections are entries of their own, so they keep applying.
int cmd_retag(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("retag", args, 1, {"db", "incident"});
    if (opts.count("help")) {
        out << retag_help;
        return exit_ok;
    }
    const std::string db = db_option(opts, "retag");
    const std::string& which = require(opts, "incident", "retag");
    const bool all = which == "all";
    std::int64_t one = 0;
    if (!all) {
        try {
            one = incident_number(which, false);
        } catch (const usage_error&) {
            throw usage_error("--incident must be a positive number or 'all', not '" + which + "'");
        }
    }

    storage::store db_store(db);
    std::vector<std::int64_t> ids;
    if (all) {
        const auto latest = db_store.latest_incident();
        for (std::int64_t id = 1; latest && id <= latest->id; ++id)
            if (db_store.incident_by_id(id)) ids.push_back(id);
    } else {
        if (!db_store.incident_by_id(one)) throw command_error("no incident " + std::to_string(one) + " in " + storage::display_name(db));
        ids.push_back(one);
    }
    storage::store::retag_result total;
    for (const std::int64_t id : ids) {
        const auto r = db_store.retag(id, retagged);
        total.messages += r.messages;
        total.changed += r.changed;
        total.corrected += r.corrected;
    }
    out << "Retagged " << ids.size() << (ids.size() == 1 ? " incident: " : " incidents: ") << std::to_string(total.messages)
        << (total.messages == 1 ? " message, " : " messages, ") << std::to_string(total.changed)
        << " with new tags; " << std::to_string(total.corrected)
        << (total.corrected == 1 ? " corrected message keeps its correction.\n" : " corrected messages keep their corrections.\n");
    out.flush();
    return exit_ok;
}

// incident-bot stats: reads the incidents of the longest window once, then lets core render
// one table per window. The clock is read here, not in core.
int cmd_stats(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("stats", args, 1, {"db", "days"});
    if (opts.count("help")) {
        out << stats_help;
        return exit_ok;
    }
    const std::string db = db_option(opts, "stats");
    std::vector<int> windows{30, 90};
    if (auto it = opts.find("days"); it != opts.end()) {
        const std::string& v = it->second;
        int days = 0;
        const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), days);
        if (ec != std::errc{} || ptr != v.data() + v.size() || days < 1 || days > 36500)
            throw usage_error("--days must be a whole number of days from 1 to 36500, not '" + v + "'");
        windows = {days};
    }
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    const int longest = *std::max_element(windows.begin(), windows.end());

    storage::store db_store(db, storage::open_options{.read_only = true});
    // Same bounds as render_stats: declared in [now − N days, now].
    const auto incidents =
        db_store.incidents_declared_between(now - std::chrono::days{longest}, now + std::chrono::seconds{1});
    out << render_stats(incidents, now, windows, stats_format::plain);
    out.flush();
    return exit_ok;
}

// "1,234,567": counts in the one-line reports.
std::string grouped(std::int64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
        out += digits[i];
    }
    return out;
}

std::string describe_counts(const storage::database_counts& c) {
    return grouped(c.incidents) + (c.incidents == 1 ? " incident (" : " incidents (") + grouped(c.open_incidents) +
           " open), " + grouped(c.timeline_entries) + (c.timeline_entries == 1 ? " timeline entry" : " timeline entries");
}

// incident-bot backup: one consistent copy, then one line saying what it holds.
int cmd_backup(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("backup", args, 1, {"db", "to"});
    if (opts.count("help")) {
        out << backup_help;
        return exit_ok;
    }
    const std::string db = db_option(opts, "backup");
    const std::string& to = require(opts, "to", "backup");
    if (storage::is_postgres_uri(db))
        throw command_error("backup copies SQLite files; back up PostgreSQL with pg_dump (e.g. pg_dump -Fc -f " + to +
                            " '" + storage::display_name(db) + "')");
    const auto r = storage::backup_database(db, to);
    out << "backed up " << db << " to " << to << ": schema v" << r.schema_version << ", " << describe_counts(r.counts)
        << ", " << grouped(static_cast<std::int64_t>(r.bytes)) << " bytes\n";
    return exit_ok;
}

// incident-bot migrate: SQLite into an empty PostgreSQL database, then one line saying what moved.
int cmd_migrate(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("migrate", args, 1, {"from", "to"});
    if (opts.count("help")) {
        out << migrate_help;
        return exit_ok;
    }
    const std::string& from = require(opts, "from", "migrate");
    const std::string& to = require(opts, "to", "migrate");
    if (storage::is_postgres_uri(from)) throw usage_error("--from is the SQLite file to copy, not a PostgreSQL URI");
    if (!storage::is_postgres_uri(to))
        throw usage_error("--to must be a PostgreSQL URI (postgresql://USER@HOST:PORT/DB), not '" + to + "'");
    const auto r = storage::copy_sqlite_to_pg(from, to);
    out << "migrated " << from << " to " << storage::display_name(to) << ": " << describe_counts(r.counts) << ", "
        << grouped(r.flows) << (r.flows == 1 ? " flow" : " flows") << " in progress, " << grouped(r.users)
        << (r.users == 1 ? " user" : " users") << ", " << grouped(r.marks) << " catch-up "
        << (r.marks == 1 ? "mark" : "marks");
    if (r.set_aside > 0) out << "; " << grouped(r.set_aside) << " duplicate copies set aside by schema v7 not copied";
    out << "\n";
    return exit_ok;
}

// incident-bot check: one line, "ok: …" or the problem, and the exit code says which.
int cmd_check(const std::vector<std::string>& args, std::ostream& out) {
    auto opts = parse_options("check", args, 1, {"db"}, {"quick"});
    if (opts.count("help")) {
        out << check_help;
        return exit_ok;
    }
    const std::string db = db_option(opts, "check");
    const bool quick = opts.count("quick") > 0;
    const auto r = storage::check_database(db, quick);
    const char* what = quick ? "quick_check" : "integrity_check";
    if (!r.problems.empty()) {
        std::string first = r.problems.front();
        const std::string more =
            r.problems.size() > 1 ? " (and " + std::to_string(r.problems.size() - 1) + " more)" : std::string();
        throw command_error(storage::display_name(db) + ": " + what + " found a problem: " + first + more +
                            "; restore the latest backup (README: Backup and restore)");
    }
    std::string schema = "schema v" + std::to_string(r.schema_version);
    if (r.schema_version < r.latest_schema_version)
        schema += " (older than this build's v" + std::to_string(r.latest_schema_version) + ": 'run' migrates it)";
    if (storage::is_postgres_uri(db)) what = "server connection";
    out << "ok: " << storage::display_name(db) << ": " << schema << ", " << what << " ok";
    if (r.schema_version >= 1) out << ", " << describe_counts(r.counts);
    out << "\n";
    return exit_ok;
}

// The one line a failed command prints: a JSON log record once `run` has switched the log to
// JSON (a log shipper then never sees a stray text line), else "incident-bot: <reason>".
void report_error(std::ostream& err, const std::string& what) {
    if (bot::current_log_format() == bot::log_format::json) {
        err.flush();
        bot::log_error("cli", what);
        return;
    }
    // Redacted like every log line: an argument or a path can hold a pasted token.
    err << "incident-bot: " << bot::redact(what) << '\n';
}

}  // namespace

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        if (args.empty()) {
            err << "incident-bot: missing command (run, export, stats, backup, check, migrate, redact, retag, serve, demo); see 'incident-bot --help'\n";
            return exit_usage;
        }
        const std::string& command = args[0];
        if (command == "-h" || command == "--help" || command == "help") {
            out << top_help;
            return exit_ok;
        }
        if (command == "-V" || command == "--version") {
            out << "incident-bot " IB_VERSION "\n";
            return exit_ok;
        }
        if (command == "run") return cmd_run(args, out);
        if (command == "export") return cmd_export(args, out);
        if (command == "stats") return cmd_stats(args, out);
        if (command == "demo") return cmd_demo(args, out);
        if (command == "backup") return cmd_backup(args, out);
        if (command == "check") return cmd_check(args, out);
        if (command == "migrate") return cmd_migrate(args, out);
        if (command == "redact") return cmd_redact(args, out);
        if (command == "retag") return cmd_retag(args, out);
        if (command == "serve") return cmd_serve(args, out);
        throw usage_error("unknown command '" + command +
                          "' (expected run, export, stats, backup, check, migrate, redact, retag, serve or demo; see 'incident-bot --help')");
    } catch (const usage_error& e) {
        report_error(err, e.what());
        return exit_usage;
    } catch (const storage::database_in_use& e) {
        // Another `run` has this database: a later start may succeed (an overlapping restart).
        report_error(err, e.what());
        return bot::exit_database_in_use;
    } catch (const std::exception& e) {
        report_error(err, e.what());
        return exit_failure;
    }
}

}  // namespace ib::cli
