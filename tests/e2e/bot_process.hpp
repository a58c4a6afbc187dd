// Runs the real incident-bot binary as a child process for end-to-end tests: environment and
// arguments in, exit code and stderr (its log) out. POSIX only.
#pragma once

#include "sim/slack_simulator.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ib::test {

class bot_process {
public:
    // Starts `binary` with `args`; `env` is added to (and overrides) this process's environment.
    // stdout and stderr go to files read by output() / log().
    bot_process(const std::string& binary, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {});
    ~bot_process();  // SIGKILL if still running
    bot_process(const bot_process&) = delete;
    bot_process& operator=(const bot_process&) = delete;

    int pid() const { return pid_; }
    bool running();
    void signal(int sig);
    // Waits for the exit; nullopt on timeout. A process killed by a signal returns 128 + signal.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    std::string log() const;     // stderr so far
    std::string output() const;  // stdout so far

private:
    int pid_ = -1;
    std::optional<int> exit_code_;
    std::string out_path_, err_path_;
};

// Runs a command to completion (export, --help, …): exit code and stdout.
struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};
run_result run_to_end(const std::string& binary, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds{30});

// True when a log holds a sanitizer report (the ASan+UBSan build of the suite, scripts/sanitize.sh):
// a report in the bot fails the test even when the bot went on running or was killed afterwards.
bool has_sanitizer_report(const std::string& log);

// A fresh path in the temp directory (not created).
std::string temp_path(const std::string& stem);

// ---- bot_fixture: a simulator, a bot run against it and the bot's database ------------------
// For the durability and fault suites: the bot can be killed, stopped and restarted against the
// same database; the log of every run is kept, and the destructor checks that no run ever
// wrote a token to its log.
class bot_fixture {
public:
    static const std::string app_token;  // the simulator's defaults
    static const std::string bot_token;
    static const std::string alice, bob, carol;

    explicit bot_fixture(sim::simulator_options o = {});
    ~bot_fixture();  // SIGKILLs a bot still running, checks the logs for tokens, removes the db
    bot_fixture(const bot_fixture&) = delete;
    bot_fixture& operator=(const bot_fixture&) = delete;

    sim::slack_simulator slack;
    std::string binary = IB_BOT_BINARY;  // what start_bot runs (IB_FAULTS_BINARY: the test build)
    std::string db;
    std::string general;              // a pre-existing, non-incident channel
    std::unique_ptr<bot_process> bot;

    std::map<std::string, std::string> env() const;
    // `incident-bot run --db db <extra>`; REQUIREs a new Socket Mode connection within 20 s
    // unless wait_connected is false.
    void start_bot(std::vector<std::string> extra = {}, std::map<std::string, std::string> more_env = {},
                   bool wait_connected = true);
    // SIGKILL and reap; the log is kept.
    void kill_bot();
    // Sends `sig`, waits up to `timeout`; the exit code (nullopt on timeout, the bot is then killed).
    std::optional<int> stop_bot(int sig, std::chrono::milliseconds timeout = std::chrono::seconds{15});
    // The current run's log (stderr, then stdout) followed by all earlier runs' logs.
    std::string all_logs() const;
    // Lines of the current run's log containing every one of `needles`.
    std::size_t count_log_lines(const std::vector<std::string>& needles) const;

    // /incident <text>: the ephemeral reply carried in the ack (REQUIREs one within 10 s).
    std::string command(const std::string& channel, const std::string& user, const std::string& text);
    // /incident start …: the new channel's id, once the announcement is posted.
    std::string declare(const std::string& title_and_sev, const std::string& title);
    // `incident-bot export --format json` (REQUIREs exit 0 and valid JSON).
    nlohmann::json export_json(const std::string& incident = "latest") const;

private:
    std::vector<std::string> old_logs_;
    void retire_bot();
};

std::string today_channel(const std::string& title);
// Timeline entries of one kind.
std::vector<nlohmann::json> entries(const nlohmann::json& exported, const std::string& kind);
// The inner event's "text" of an events_api envelope; nullopt for other envelopes.
std::optional<std::string> event_text(const nlohmann::json& envelope);
// ---- end bot_fixture ---------------------------------------------------------------------

}  // namespace ib::test
