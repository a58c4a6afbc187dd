// Runs the real incident-bot binary as a child process for end-to-end tests: environment and
// arguments in, exit code and stderr (its log) out. POSIX only.
#pragma once

#include <chrono>
#include <map>
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

// A fresh path in the temp directory (not created).
std::string temp_path(const std::string& stem);

}  // namespace ib::test
