#include "bot/cli.hpp"

#include "core/export.hpp"
#include "storage/store.hpp"

#include <charconv>
#include <exception>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>

#ifndef IB_VERSION
#define IB_VERSION "0.0.0"
#endif

namespace ib::cli {
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
    "  export   print an incident as JSON, Markdown or CSV\n"
    "  demo     run a sample incident against the bundled Slack simulator (no workspace needed)\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help (or 'incident-bot <command> --help')\n"
    "  -V, --version  print the version\n";

const char* const export_help =
    "Usage: incident-bot export --db PATH --incident ID|latest --format json|md|csv\n"
    "\n"
    "Prints one incident with its timeline to stdout.\n"
    "  --db PATH          SQLite database written by 'incident-bot run'\n"
    "  --incident ID      numeric incident id, or 'latest' for the most recently declared\n"
    "  --format FORMAT    json (machine-readable), md (review draft), csv (timeline rows)\n";

// Options of one subcommand: "--name value" or "--name=value"; flags listed in `known`.
using option_map = std::map<std::string, std::string>;

option_map parse_options(const std::string& command, const std::vector<std::string>& args, std::size_t first,
                         std::initializer_list<const char*> known) {
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

int cmd_export(const std::vector<std::string>& args, std::ostream& out) {
    const auto opts = parse_options("export", args, 1, {"db", "incident", "format"});
    if (opts.count("help")) {
        out << export_help;
        return exit_ok;
    }
    const std::string& db = require(opts, "db", "export");
    const std::string& which = require(opts, "incident", "export");
    const std::string& format = require(opts, "format", "export");
    if (format != "json" && format != "md" && format != "csv")
        throw usage_error("unknown --format '" + format + "' (expected json, md or csv)");

    std::optional<std::int64_t> id;
    if (which != "latest") {
        std::int64_t v = 0;
        const auto [ptr, ec] = std::from_chars(which.data(), which.data() + which.size(), v);
        if (ec != std::errc{} || ptr != which.data() + which.size() || v <= 0)
            throw usage_error("--incident must be a positive number or 'latest', not '" + which + "'");
        id = v;
    }

    storage::store db_store(db, storage::open_options{.read_only = true});
    const auto inc = id ? db_store.incident_by_id(*id) : db_store.latest_incident();
    if (!inc)
        throw command_error(id ? "no incident " + std::to_string(*id) + " in " + db : "no incidents in " + db);
    incident_record record{*inc, db_store.timeline(inc->id)};
    if (format == "json") out << export_json(record);
    else if (format == "md") out << export_markdown(record);
    else out << export_csv(record);
    out.flush();
    return exit_ok;
}

}  // namespace

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        if (args.empty()) {
            err << "incident-bot: missing command (run, export, demo); see 'incident-bot --help'\n";
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
        if (command == "export") return cmd_export(args, out);
        throw usage_error("unknown command '" + command + "' (expected run, export or demo; see 'incident-bot --help')");
    } catch (const usage_error& e) {
        err << "incident-bot: " << e.what() << '\n';
        return exit_usage;
    } catch (const std::exception& e) {
        err << "incident-bot: " << e.what() << '\n';
        return exit_failure;
    }
}

}  // namespace ib::cli
